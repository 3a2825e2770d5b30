"""Survey round 4 leftovers: non-Tensor arguments of the losses and embedding (PyTorch's argument-parser
TypeErrors), view/reshape/layer_norm size arguments, messages (copy_, layer_norm, reshape of an empty
tensor, unflatten, conv dilation, the layers' missing-argument TypeErrors, packed LSTM input), complex to
real casts (one UserWarning), float64 -> float16 through float32, out= of the random factories, randint's
forms, arange's integer ranges, triu/tril_indices' dtypes, cdist of empty inputs, index_reduce's kernel
errors and set_ on an expanded tensor. Each snippet runs on torch and on ember; the exception type and
first line, or the result's shape, dtype (and values where they are not random), and the warnings are
compared."""

import pytest

import ember
from same_outcome import same_source as same


NON_TENSOR = [
    'nn.Embedding(10, 3)([1, 2])', 'F.embedding([1, 2], T.ones(10, 3))', 'F.embedding(T.tensor([1]), [[1., 2.]])',
    'F.embedding(np.array([1]), T.ones(10, 3))', 'F.embedding(None, T.ones(10, 3))', 'nn.Embedding(10, 3)(3)',
    'F.embedding(T.tensor([1]), T.ones(10, 3), padding_idx=1.5)', 'F.embedding(T.tensor([1]), np.ones((10, 3)))',
    'nn.CrossEntropyLoss()(T.ones(2, 3), [0, 1])', 'F.cross_entropy(T.ones(2, 3), None)',
    'nn.CrossEntropyLoss(weight=[1., 1., 1.])(T.ones(2, 3), T.tensor([0, 1]))',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), weight=[1., 1., 1.])', 'F.cross_entropy([[1., 2, 3]], [0])',
    'F.cross_entropy(T.ones(2, 3), np.array([0, 1]))', 'F.cross_entropy(T.ones(2, 3), 1)',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), ignore_index=1.5)',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), ignore_index=True)',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), ignore_index=T.tensor(1.))',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), ignore_index=np.int64(1))',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), label_smoothing=None)',
    'F.nll_loss(T.ones(2, 3), [0, 1])', 'F.nll_loss(T.ones(2, 3), T.tensor([0, 1]), weight=np.ones(3))',
    'nn.NLLLoss()(T.ones(2, 3), [0, 1])', 'F.nll_loss(T.ones(2, 3), T.tensor([0, 1]), ignore_index=1.5)',
    'F.mse_loss(T.ones(2), [1., 2.])', 'F.mse_loss(T.ones(2), 1.0)', 'F.mse_loss([1., 2.], T.ones(2))',
    'F.mse_loss(T.ones(2), np.ones(2))', 'F.mse_loss(T.ones(2), T.ones(2), weight=[1., 1.])',
    'nn.MSELoss()(T.ones(2), [1., 2.])', 'F.l1_loss(T.ones(2), [1., 2.])', 'F.smooth_l1_loss(T.ones(2), [1., 2.])',
    'F.huber_loss(T.ones(2), [1., 2.])', 'F.huber_loss(T.ones(2), T.ones(2), weight=[1., 1.])',
    'F.binary_cross_entropy(T.full((2,), .5), [1., 0.])',
    'F.binary_cross_entropy(T.full((2,), .5), T.ones(2), weight=[1., 0.])',
    'F.binary_cross_entropy(T.full((2,), .5), T.ones(2), weight=np.ones(2))',
    'F.binary_cross_entropy_with_logits(T.ones(2), [1., 0.])', 'nn.BCEWithLogitsLoss()(T.ones(2), [1., 0.])',
    'F.binary_cross_entropy_with_logits(T.ones(2), T.ones(2), weight=[1., 0.])',
    'F.binary_cross_entropy_with_logits(T.ones(2), T.ones(2), pos_weight=[1., 0.])',
    'F.kl_div(T.ones(2), [1., 2.], reduction="sum")', 'F.kl_div([1., 2.], T.ones(2), reduction="sum")',
    'F.soft_margin_loss(T.ones(2), [1., 2.])', 'F.poisson_nll_loss(T.ones(2), 2.0)',
    'F.poisson_nll_loss([1., 2.], T.ones(2))', 'F.gaussian_nll_loss([1., 2.], T.ones(2), T.ones(2))',
    'F.embedding_bag(T.tensor([[1, 2]]), [[1., 2.]])',
    'F.embedding_bag(T.tensor([[1, 2]]), T.ones(10, 3), per_sample_weights=[[1., 1.]])',
    'F.one_hot([1, 2])', 'F.one_hot(T.tensor([1]), 2.5)',
    # still working
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), ignore_index=T.tensor(1))',
    'F.cross_entropy(T.ones(2, 3), T.tensor([0, 1]), label_smoothing=1)',
    'F.embedding(T.tensor([1]), T.ones(10, 3), padding_idx=np.int64(1))', 'F.one_hot(T.tensor([1]), 3)',
    'F.gaussian_nll_loss(T.ones(2), T.ones(2), T.ones(2))', 'F.gaussian_nll_loss(T.ones(2, 3), T.ones(2, 3), T.ones(2))',
]


@pytest.mark.parametrize('src', NON_TENSOR)
def test_non_tensor_arguments(src):
    same(src)


SIZES = [
    'T.ones(2, 3).view(2.0, 3)', 'T.ones(2, 3).view(2, 3.0)', 'T.ones(2, 3).view((2.0, 3))', 'T.ones(2, 3).view("6")',
    'T.ones(2, 3).view(None)', 'T.ones(2, 3).view(2, None)', 'T.ones(2, 3).view(T.tensor(2.), 3)',
    'T.ones(2, 3).reshape("6")', 'T.ones(2, 3).reshape(None)', 'T.ones(2, 3).reshape(2.0, 3)',
    'T.ones(2, 3).reshape((2, 3.5))', 'T.ones(2, 3).reshape([2, None])', 'T.ones(2, 3).reshape(6, "1")',
    'T.ones(2, 3).reshape((2.0, 3))', 'T.ones(2, 3).reshape(True)', 'T.ones(2, 3).reshape(np.float64(6))',
    'T.ones(2, 3).reshape(np.array([2, 3]))', 'T.ones(2, 3).reshape(-1.0)',
    'T.ones(2, 3).reshape(T.tensor([6]))', 'T.ones(2, 3).reshape(np.int64(6))', 'T.ones(2, 3).view(T.tensor(6))',
    'T.ones(2, 3).reshape(np.array(6))', 'T.ones(2, 3).view(np.array(2), 3)', 'T.ones(2, 3).view(np.uint8(6))',
    'T.ones(2, 3).view(T.tensor(2), T.tensor(3))', 'T.ones(1).view(())', 'T.ones(2, 3).reshape([])',
    'T.ones(2, 3).reshape(shape=(3, 2))', 'T.ones(2, 3).view(-1)', 'T.ones(2, 3).reshape(T.Size([3, 2]))',
    'T.zeros(0, 3).reshape(-1, 0)', 'T.zeros(0, 3).view(0, -1)', 'T.zeros(0, 3).reshape(2, -1, 0)',
    'T.zeros(0).reshape(-1)', 'T.zeros(0, 3).reshape(-1, 3)', 'T.ones(6).reshape(-1, 4)',
    'T.ones(3, 6).unflatten(1, (-1, -1))', 'T.ones(3, 6).unflatten(1, (4, -1))', 'T.ones(3, 6).unflatten(1, ())',
    'T.ones(3, 6).unflatten(1, (0, -1))', 'T.ones(3, 6).unflatten(1, (-2, 3))', 'T.ones(3, 6).unflatten(1, (4, 2))',
    'T.ones(3, 6).unflatten(-1, (2, -1))', 'T.zeros(3, 0).unflatten(1, (0, -1))',
]


@pytest.mark.parametrize('src', SIZES)
def test_size_arguments(src):
    same(src)


MESSAGES = [
    'T.zeros(2, 3).copy_(T.ones(3, 2))', 'T.zeros(2, 3).copy_(T.ones(2, 2))', 'T.zeros(2, 3).copy_(T.ones(4, 2, 3))',
    'T.zeros(3).copy_(T.ones(2, 1))', 'T.zeros(2, 3).copy_(T.ones(3))',
    'F.layer_norm(T.ones(2, 3), (3,), weight=T.ones(2))', 'F.layer_norm(T.ones(2, 3), (3,), bias=T.ones(2))',
    'F.layer_norm(T.ones(2, 3), (3,), weight=T.ones(3), bias=T.ones(3, 1))',
    'F.layer_norm(T.ones(2, 3), (2, 3), weight=T.ones(3))', 'F.layer_norm(T.ones(2, 3), (3,), weight=T.ones(1, 3))',
    'F.layer_norm(T.ones(2, 3), (4,), weight=T.ones(2))', 'F.layer_norm(T.ones(2, 3), 3)',
    'F.layer_norm(T.ones(2, 3), (3.0,))', 'F.layer_norm(T.ones(2, 3), ())', 'F.layer_norm(T.ones(2, 3), None)',
    'F.layer_norm(T.ones(2, 3), T.tensor([3]))', 'F.layer_norm(T.ones(2, 3), np.int64(3))',
    'F.layer_norm(T.ones(2, 3), T.Size([3]))', 'F.layer_norm(T.ones(2, 3), [3])',
    'F.layer_norm(T.ones(2, 3).long(), (4,))', 'F.layer_norm(T.ones(2, 3).long(), (4,), weight=T.ones(2))',
    'F.layer_norm(T.ones(2, 3).long(), (3,), weight=T.ones(2).long())',
    'F.layer_norm(T.ones(2, 3), (4,), weight=T.ones(2, dtype=T.float64))',
    'F.layer_norm(T.ones(2, 3).half(), (3,), weight=T.ones(2))', 'T.layer_norm(T.ones(2, 3), (3,), T.ones(2))',
    'nn.LayerNorm(3)(T.ones(2, 3))',
    'nn.Conv2d(1, 1, 3, dilation=0)(T.ones(1, 1, 5, 5))', 'nn.Conv1d(1, 1, 3, dilation=0)(T.ones(1, 1, 5))',
    'F.conv2d(T.ones(1, 1, 5, 5), T.ones(1, 1, 3, 3), dilation=(1, 0))',
    'nn.Conv3d(1, 1, 3, dilation=0)(T.ones(1, 1, 5, 5, 5))',
    'F.conv_transpose2d(T.ones(1, 1, 5, 5), T.ones(1, 1, 3, 3), dilation=0)',
    'F.conv_transpose1d(T.ones(1, 1, 5), T.ones(1, 1, 3), dilation=0)',
    'F.conv_transpose3d(T.ones(1, 1, 5, 5, 5), T.ones(1, 1, 3, 3, 3), dilation=(1, 0, 2))',
    'F.conv1d(T.ones(1, 5), T.ones(1, 1, 3), dilation=-1)', 'F.conv2d(T.ones(1, 1, 5, 5), T.ones(1, 1, 3, 3), dilation=(-1, 2))',
    'F.conv2d(T.ones(1, 1, 5, 5).double(), T.ones(1, 1, 3, 3), dilation=0)',
    'nn.Conv2d(3, 8)', 'nn.Conv1d(3)', 'nn.ConvTranspose2d(3, 8)', 'nn.Conv3d()', 'nn.ConvTranspose1d(1, 2)',
    'nn.Conv2d(1, 2, 3, foo=1)', 'nn.LSTM()', 'nn.GRU()', 'nn.RNN()', 'nn.LSTM(3)',
    'F.softmax(T.ones(2), axis=0)', 'F.log_softmax(T.ones(2), axis=0)',
    'nn.LSTM(1, 2)(nn.utils.rnn.pack_padded_sequence(T.ones(3, 2, 2), [3, 1]))[1][0].shape',
    'nn.GRU(1, 2)(nn.utils.rnn.pack_padded_sequence(T.ones(3, 2, 2), [3, 1]))[1].shape',
    'nn.BCEWithLogitsLoss()(T.ones(2), T.tensor([True, False]))',
    'F.binary_cross_entropy_with_logits(T.ones(2), T.tensor([True, False]), pos_weight=T.ones(2))',
    'F.binary_cross_entropy_with_logits(T.ones(2), T.tensor([1, 0]))',
    'F.binary_cross_entropy_with_logits(T.ones(2, dtype=T.int64), T.tensor([True, False]))',
]


@pytest.mark.parametrize('src', MESSAGES)
def test_messages(src):
    same(src)


def test_named_layers_still_work():
    m = ember.nn.Conv2d(1, 2, 3, padding=1)
    assert m(ember.ones(1, 1, 4, 4)).shape == (1, 2, 4, 4)

    class My(ember.nn.Conv2d):
        def __init__(self):
            super().__init__(1, 2, 3)
    assert My()(ember.ones(1, 1, 4, 4)).shape == (1, 2, 2, 2)
    assert ember.nn.LSTM(2, 3)(ember.ones(4, 1, 2))[0].shape == (4, 1, 3)
