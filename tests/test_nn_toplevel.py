"""PyTorch's top-level nn functions (ATen signatures): torch.conv2d, torch.dropout, torch.batch_norm, ..."""
import numpy as np
import pytest

import ember
from helpers import check, check_error, case, arr, ints

Z3, O3 = np.zeros(3, np.float32), np.ones(3, np.float32)
NORM_RG = [True, True, True, False, False]

CASES = [
    # convolution, pixel/channel shuffles
    case('conv1d', lambda T, x, w, b: T.conv1d(x, w, b, 2, 1), [(2, 3, 7), (4, 3, 3), (4,)]),
    case('conv2d', lambda T, x, w: T.conv2d(x, w, None, 1, 'same', 1, 2), [(1, 4, 5, 5), (2, 2, 3, 3)]),
    case('conv3d', lambda T, x, w: T.conv3d(x, w), [(1, 2, 3, 4, 4), (2, 2, 2, 2, 2)]),
    case('conv_transpose1d', lambda T, x, w: T.conv_transpose1d(x, w, None, 2, 1, 1), [(2, 3, 4), (3, 2, 3)]),
    case('conv_transpose2d', lambda T, x, w, b: T.conv_transpose2d(x, w, b), [(1, 2, 3, 3), (2, 3, 2, 2), (3,)]),
    case('conv_transpose3d', lambda T, x, w: T.conv_transpose3d(x, w), [(1, 2, 2, 2, 2), (2, 1, 2, 2, 2)]),
    case('pixel_shuffle', lambda T, x: T.pixel_shuffle(x, 2), [(1, 8, 2, 3)]),
    case('pixel_unshuffle', lambda T, x: T.pixel_unshuffle(x, 2), [(1, 2, 4, 6)]),
    case('channel_shuffle', lambda T, x: T.channel_shuffle(x, 2), [(2, 4, 3)]),
    case('channel_shuffle_4d', lambda T, x: T.channel_shuffle(x, 3), [(1, 6, 2, 2)]),
    case('channel_shuffle_1', lambda T, x: T.channel_shuffle(x, 1), [(2, 4, 3)]),
    case('channel_shuffle_noncontig', lambda T, x: T.channel_shuffle(x.transpose(1, 2), 3), [(2, 4, 3)]),
    case('channel_shuffle_int', lambda T, x: T.channel_shuffle(x, 2), [ints((2, 4, 3))]),
    # torch returns an empty result with strides (0, 0, 0): no array module makes those
    case('channel_shuffle_empty', lambda T, x: T.channel_shuffle(x, 2), [(0, 4, 3)], layout=False),
    # pooling: ATen's stride=() means kernel_size
    case('max_pool1d', lambda T, x: T.max_pool1d(x, 2), [(2, 3, 6)]),
    case('max_pool1d_empty_stride', lambda T, x: T.max_pool1d(x, 2, ()), [(2, 3, 6)]),
    case('max_pool1d_full', lambda T, x: T.max_pool1d(x, 2, 1, 1, 1, True), [(2, 3, 6)]),
    case('max_pool1d_tuple', lambda T, x: T.max_pool1d(x, (3,), [2]), [(3, 7)]),
    # layout=False: PyTorch keeps a channels-last input's strides; ember's pooling returns contiguous
    case('max_pool1d_noncontig', lambda T, x: T.max_pool1d(x.transpose(1, 2), 2), [(2, 6, 3)], layout=False),
    case('max_pool2d', lambda T, x: T.max_pool2d(x, 2), [(1, 2, 4, 4)]),
    case('max_pool2d_args', lambda T, x: T.max_pool2d(x, (2, 3), (), 1, 1, True), [(1, 2, 5, 5)]),
    case('max_pool3d', lambda T, x: T.max_pool3d(x, (1, 2, 2)), [(1, 2, 2, 4, 4)]),
    case('max_pool1d_with_indices', lambda T, x: T.max_pool1d_with_indices(x, 2), [(2, 3, 6)]),
    case('max_pool1d_with_indices_unbatched', lambda T, x: T.max_pool1d_with_indices(x, 3, 2, 1), [(3, 7)]),
    case('avg_pool1d', lambda T, x: T.avg_pool1d(x, 2), [(2, 3, 6)]),
    case('avg_pool1d_args', lambda T, x: T.avg_pool1d(x, 2, (), 1, True, False), [(2, 3, 5)]),
    case('adaptive_avg_pool1d', lambda T, x: T.adaptive_avg_pool1d(x, 3), [(2, 3, 7)]),
    case('adaptive_avg_pool1d_tuple', lambda T, x: T.adaptive_avg_pool1d(x, (2,)), [(3, 5)]),
    case('adaptive_max_pool1d', lambda T, x: T.adaptive_max_pool1d(x, 3), [(2, 3, 7)]),
    # dropout family, deterministic settings (train=False, p=0, p=1)
    case('dropout_eval', lambda T, x: T.dropout(x, 0.5, False), [(2, 3)]),
    case('dropout_p0', lambda T, x: T.dropout(x * 1, 0., True), [(2, 3)]),
    case('dropout_p1', lambda T, x: T.dropout(x, 1., True), [(2, 3)]),
    case('dropout_inplace_p1', lambda T, x: T.dropout_(x * 1, 1., True), [(2, 3)]),
    case('dropout_inplace_eval', lambda T, x: T.dropout_(x * 1, 0.5, False), [(2, 3)]),
    case('dropout_int_p0', lambda T, x: T.dropout(x, 0., True), [ints((3,))], forward_only=True),
    case('feature_dropout_eval', lambda T, x: T.feature_dropout(x, 0.5, False), [(2, 3, 4)]),
    case('feature_dropout_1d_eval', lambda T, x: T.feature_dropout(x, 0.5, False), [(3,)]),
    case('feature_dropout_p1', lambda T, x: T.feature_dropout(x, 1., True), [(2, 3, 4)]),
    case('feature_dropout_inplace_p1', lambda T, x: T.feature_dropout_(x * 1, 1., True), [(2, 3, 4)]),
    case('alpha_dropout_eval', lambda T, x: T.alpha_dropout(x, 0.5, False), [(2, 3)]),
    case('alpha_dropout_p0', lambda T, x: T.alpha_dropout(x, 0., True), [(2, 3)]),
    case('alpha_dropout_p1', lambda T, x: T.alpha_dropout(x, 1., True), [(2, 3)]),
    case('alpha_dropout_inplace_p1', lambda T, x: T.alpha_dropout_(x * 1, 1., True), [(2, 3)]),
    case('feature_alpha_dropout_p1', lambda T, x: T.feature_alpha_dropout(x, 1., True), [(2, 3, 4)]),
    case('feature_alpha_dropout_inplace_p1', lambda T, x: T.feature_alpha_dropout_(x * 1, 1., True), [(2, 3, 4)]),
    case('feature_alpha_dropout_eval', lambda T, x: T.feature_alpha_dropout(x, 0.5, False), [(2, 3)]),
    case('native_dropout_eval', lambda T, x: T.native_dropout(x, 0.5, False), [(2, 3)]),
    case('native_dropout_p0', lambda T, x: T.native_dropout(x, 0., True), [(2, 3)]),
    case('native_dropout_p1', lambda T, x: T.native_dropout(x, 1., None), [(2, 3)]),
    case('native_dropout_int_eval', lambda T, x: T.native_dropout(x, 0.5, False), [ints((3,))], forward_only=True),
    case('native_dropout_noncontig', lambda T, x: T.native_dropout(x.t(), 0.5, False), [(2, 3)]),
    # normalisation, ATen argument orders
    case('batch_norm_train', lambda T, x, w, b, rm, rv: T.batch_norm(x, w, b, rm, rv, True, 0.1, 1e-5, False),
         [(4, 3, 2), (3,), (3,), Z3, O3], requires_grad=NORM_RG),
    case('batch_norm_eval', lambda T, x, w, b, rm, rv: T.batch_norm(x, w, b, rm, rv, False, 0.1, 1e-5, True),
         [(4, 3, 2), (3,), (3,), arr([0.1, -0.2, 0.3]), arr([1., 2., .5])], requires_grad=NORM_RG),
    case('batch_norm_no_stats', lambda T, x: T.batch_norm(x, None, None, None, None, True, 0.1, 1e-5, False),
         [(4, 3)]),
    case('instance_norm', lambda T, x, w, b: T.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, False),
         [(2, 3, 4), (3,), (3,)]),
    case('instance_norm_stats', lambda T, x, w, b, rm, rv: T.instance_norm(x, w, b, rm, rv, True, 0.1, 1e-5, False),
         [(2, 3, 4), (3,), (3,), Z3, O3], requires_grad=NORM_RG),
    case('instance_norm_eval', lambda T, x, rm, rv: T.instance_norm(x, None, None, rm, rv, False, 0.1, 1e-5, False),
         [(2, 3, 4), arr([0.1, -0.2, 0.3]), arr([1., 2., .5])], requires_grad=[True, False, False]),
    case('layer_norm', lambda T, x: T.layer_norm(x, (4,)), [(2, 3, 4)]),
    case('layer_norm_full', lambda T, x, w, b: T.layer_norm(x, [3, 4], w, b, 1e-3, False), [(2, 3, 4), (3, 4), (3, 4)]),
    case('group_norm', lambda T, x: T.group_norm(x, 3), [(2, 6, 2)]),
    case('group_norm_full', lambda T, x, w, b: T.group_norm(x, 2, w, b, 1e-3, False), [(2, 4, 3), (4,), (4,)]),
    case('rms_norm', lambda T, x: T.rms_norm(x, (4,)), [(2, 3, 4)]),
    case('rms_norm_full', lambda T, x, w: T.rms_norm(x, [3, 4], w, 1e-3), [(2, 3, 4), (3, 4)]),
    # embedding (weight first; ATen's padding_idx=-1 is "none")
    case('embedding', lambda T, w, i: T.embedding(w, i), [(5, 3), ints((2, 3), 0, 5)]),
    # the padding row's and scale_grad_by_freq's gradients are not the true derivative: no gradcheck
    case('embedding_padding', lambda T, w, i: T.embedding(w, i, 1), [(5, 3), ints((6,), 0, 5)], gradcheck=False),
    case('embedding_negative_padding', lambda T, w, i: T.embedding(w, i, -2), [(5, 3), ints((6,), 0, 5)]),
    case('embedding_big_padding', lambda T, w, i: T.embedding(w, i, 9), [(5, 3), ints((6,), 0, 5)]),
    case('embedding_freq', lambda T, w, i: T.embedding(w, i, -1, True), [(5, 3), ints((6,), 0, 3)],
         gradcheck=False),
    case('embedding_int32', lambda T, w, i: T.embedding(w, i), [(5, 3), ints((4,), 0, 5, dtype=np.int32)]),
    # activations
    case('selu', lambda T, x: T.selu(x), [(2, 3)]),
    case('selu_', lambda T, x: T.selu_(x * 1), [(2, 3)]),
    case('celu', lambda T, x: T.celu(x), [(2, 3)]),
    case('celu_alpha', lambda T, x: T.celu(x, 2.), [(2, 3)]),
    case('celu_', lambda T, x: T.celu_(x * 1), [(2, 3)]),
    case('celu__alpha', lambda T, x: T.celu_(x * 1, 0.5), [(2, 3)]),
    case('celu_empty', lambda T, x: T.celu(x), [(0, 3)]),
    case('threshold', lambda T, x: T.threshold(x, 0.5, -1.), [(2, 3)]),
    case('threshold_', lambda T, x: T.threshold_(x * 1, 0.5, -1.), [(2, 3)]),
    case('threshold_int', lambda T, x: T.threshold(x, 1, 0), [ints((4,))], forward_only=True),
    case('rrelu_eval', lambda T, x: T.rrelu(x), [(2, 3)]),
    case('rrelu_eval_bounds', lambda T, x: T.rrelu(x, 0.1, 0.3, False), [(2, 3)]),
    case('rrelu__eval', lambda T, x: T.rrelu_(x * 1, 0.2, 0.2), [(2, 3)]),
    case('rrelu_noncontig', lambda T, x: T.rrelu(x.t()), [(2, 3)]),
    case('bilinear', lambda T, a, b, w: T.bilinear(a, b, w), [(2, 3), (2, 4), (5, 3, 4)]),
    case('bilinear_bias', lambda T, a, b, w, c: T.bilinear(a, b, w, c), [(2, 3), (2, 4), (5, 3, 4), (5,)]),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_nn_toplevel(fn, specs, kw):
    check(fn, specs, **kw)


X = (2, 3, 4)
ERRORS = [
    case('dropout_missing', lambda T, x: T.dropout(x, 0.5), [X]),
    case('dropout_missing2', lambda T, x: T.dropout(x), [X]),
    case('dropout_p', lambda T, x: T.dropout(x, 1.5, True), [X]),
    case('dropout_p_eval', lambda T, x: T.dropout(x, -0.1, False), [X]),
    case('dropout_int', lambda T, x: T.dropout(x, 0.5, True), [ints((3,))]),
    case('dropout__leaf', lambda T, x: T.dropout_(x, 0.5, True), [X], requires_grad=[True]),
    case('feature_dropout_1d', lambda T, x: T.feature_dropout(x, 0.5, True), [(3,)]),
    case('feature_dropout_p', lambda T, x: T.feature_dropout(x, 1.5, False), [(3,)]),
    case('feature_alpha_dropout_1d', lambda T, x: T.feature_alpha_dropout(x, 0.5, True), [(3,)]),
    case('alpha_dropout_p', lambda T, x: T.alpha_dropout(x, 1.5, True), [X]),
    case('native_dropout_missing', lambda T, x: T.native_dropout(x, 0.5), [X]),
    case('native_dropout_p', lambda T, x: T.native_dropout(x, 1.5, True), [X]),
    case('native_dropout_p_neg', lambda T, x: T.native_dropout(x, -0.1, True), [X]),
    case('native_dropout_int', lambda T, x: T.native_dropout(x, 0.5, True), [ints((3,))]),
    case('batch_norm_missing', lambda T, x: T.batch_norm(x), [X]),
    case('batch_norm_missing_cudnn', lambda T, x: T.batch_norm(x, None, None, None, None, True, 0.1, 1e-5), [X]),
    case('batch_norm_eval_no_stats', lambda T, x: T.batch_norm(x, None, None, None, None, False, 0.1, 1e-5, False),
         [X]),
    case('batch_norm_weight_size', lambda T, x, w: T.batch_norm(x, w, None, None, None, True, 0.1, 1e-5, False),
         [X, (4,)]),
    case('instance_norm_missing', lambda T, x: T.instance_norm(x, None), [X]),
    case('instance_norm_no_stats', lambda T, x: T.instance_norm(x, None, None, None, None, False, .1, 1e-5, False),
         [X]),
    case('layer_norm_shape', lambda T, x: T.layer_norm(x, (5,)), [X]),
    case('layer_norm_int', lambda T, x: T.layer_norm(x, 4), [X]),
    case('group_norm_groups', lambda T, x: T.group_norm(x, 2), [X]),
    case('rms_norm_shape', lambda T, x: T.rms_norm(x, (5,)), [X]),
    case('rms_norm_shape2', lambda T, x: T.rms_norm(x, (3, 5)), [X]),
    case('rms_norm_int', lambda T, x: T.rms_norm(x, 4), [X]),
    case('max_pool1d_kernel', lambda T, x: T.max_pool1d(x, 5), [X]),
    case('max_pool1d_zero', lambda T, x: T.max_pool1d(x, 0), [X]),
    case('max_pool1d_padding', lambda T, x: T.max_pool1d(x, 2, 1, 2), [X]),
    case('max_pool1d_stride', lambda T, x: T.max_pool1d(x, 2, 0), [X]),
    case('max_pool1d_dilation', lambda T, x: T.max_pool1d(x, 2, 1, 0, 0), [X]),
    case('max_pool1d_neg_padding', lambda T, x: T.max_pool1d(x, 2, 1, -1), [X]),
    case('max_pool1d_ceil_size', lambda T, x: T.max_pool1d(x, 5, 1, 0, 1, True), [X]),
    case('max_pool1d_missing', lambda T, x: T.max_pool1d(x), [X]),
    case('avg_pool1d_kernel', lambda T, x: T.avg_pool1d(x, 5), [X]),
    case('embedding_range', lambda T, w, i: T.embedding(w, i), [(5, 3), ints((2,), 4, 7)]),
    case('embedding_negative', lambda T, w, i: T.embedding(w, i), [(5, 3), ints((2,), -2, 0)]),
    case('embedding_float', lambda T, w, i: T.embedding(w, i), [(5, 3), (2,)]),
    case('channel_shuffle_2d', lambda T, x: T.channel_shuffle(x, 2), [(4, 3)]),
    case('channel_shuffle_2d_zero', lambda T, x: T.channel_shuffle(x, 0), [(4, 3)]),
    case('channel_shuffle_zero', lambda T, x: T.channel_shuffle(x, 0), [X]),
    case('channel_shuffle_negative', lambda T, x: T.channel_shuffle(x, -1), [X]),
    case('channel_shuffle_divisible', lambda T, x: T.channel_shuffle(x, 2), [X]),
    case('selu_int', lambda T, x: T.selu(x), [ints((3,))]),
    case('celu_int', lambda T, x: T.celu(x), [ints((3,))]),
    case('celu_zero_alpha', lambda T, x: T.celu(x, 0.), [X]),
    case('celu__zero_alpha', lambda T, x: T.celu_(x, 0.), [X]),
    case('celu__leaf', lambda T, x: T.celu_(x), [X], requires_grad=[True]),
    case('threshold_missing', lambda T, x: T.threshold(x, 0.), [X]),
    case('rrelu_bounds', lambda T, x: T.rrelu(x, 0.5, 0.3, True), [X]),
    case('rrelu_bounds_eval', lambda T, x: T.rrelu(x, 0.5, 0.3), [X]),
    case('rrelu_int', lambda T, x: T.rrelu(x), [ints((3,))]),
    case('rrelu_int_train', lambda T, x: T.rrelu(x, training=True), [ints((3,))]),
    case('rrelu__leaf', lambda T, x: T.rrelu_(x), [X], requires_grad=[True]),
    case('bilinear_size', lambda T, a, b, w: T.bilinear(a, b, w), [(2, 3), (2, 4), (5, 4, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_nn_toplevel_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_failed_inplace_leaves_input():
    x = ember.tensor([[1., -2.], [3., -4.]])
    before = x.clone()
    for bad in (lambda: ember.celu_(x, 0.), lambda: ember.dropout_(x, 1.5, True),
                lambda: ember.rrelu_(x, 0.5, 0.3, True), lambda: ember.feature_dropout_(x[0], 0.5, True)):
        with pytest.raises(RuntimeError):
            bad()
        assert ember.equal(x, before)


# ---- random (training-mode) forms: structure, not values (the generators differ from PyTorch's)

def _leaf(shape=(4, 3, 5), seed=0):
    data = np.random.default_rng(seed).uniform(0.5, 2.0, shape).astype(np.float32)
    return ember.tensor(data, requires_grad=True)


@pytest.mark.parametrize('name', ['dropout', 'feature_dropout'])
def test_dropout_train(name):
    x = _leaf()
    y = getattr(ember, name)(x, 0.5, True)
    assert y.grad_fn.name() == 'MulBackward0'
    ratio = (y / x).detach().cpu().numpy()
    assert set(np.unique(np.round(ratio, 5))) <= {0.0, 2.0}
    if name == 'feature_dropout':
        assert (ratio == ratio[:, :, :1]).all()          # one draw per (sample, channel)
    y.backward(ember.ones_like(y))
    np.testing.assert_allclose(x.grad.cpu().numpy(), ratio, rtol=1e-6)
    z = x * 1
    out = getattr(ember, name + '_')(z, 0.5, True)
    assert out is z and z.grad_fn.name() == 'MulBackward0'


@pytest.mark.parametrize('name', ['alpha_dropout', 'feature_alpha_dropout'])
def test_alpha_dropout_train(name):
    x = _leaf()
    y = getattr(ember, name)(x, 0.2, True)
    assert y.grad_fn.name() == 'AddBackward0' and y.shape == x.shape
    z = x * 1
    assert getattr(ember, name + '_')(z, 0.2, True) is z and z.grad_fn.name() == 'AddBackward0'


def test_native_dropout_train():
    x = _leaf()
    out, mask = ember.native_dropout(x, 0.25, True)
    assert out.grad_fn.name() == 'NativeDropoutBackward0' and mask.dtype == ember.bool
    assert mask.grad_fn is None and not mask.requires_grad
    keep = mask.cpu().numpy()
    np.testing.assert_allclose(out.detach().cpu().numpy(), x.detach().cpu().numpy() * keep / 0.75, rtol=1e-6)
    g, = ember.autograd.grad(out.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().cpu().numpy(), keep / 0.75, rtol=1e-6)
    out2, mask2 = ember.native_dropout(x.detach(), 0.5, None)
    assert out2.grad_fn is None and mask2.dtype == ember.bool


def test_rrelu_train():
    x = ember.tensor(np.linspace(-2, 2, 40, dtype=np.float32).reshape(5, 8), requires_grad=True)
    y = ember.rrelu(x, 0.1, 0.3, True)
    assert y.grad_fn.name() == 'RreluWithNoiseBackward0'
    xs, ys = x.detach().cpu().numpy(), y.detach().cpu().numpy()
    pos = xs > 0
    np.testing.assert_array_equal(ys[pos], xs[pos])
    slope = ys[~pos & (xs != 0)] / xs[~pos & (xs != 0)]
    assert ((slope >= 0.1 - 1e-6) & (slope <= 0.3 + 1e-6)).all() and slope.std() > 0
    y.backward(ember.ones_like(y))
    gx = x.grad.cpu().numpy()
    np.testing.assert_array_equal(gx[pos], 1.0)
    np.testing.assert_allclose(gx[~pos & (xs != 0)], slope, rtol=1e-5)
    z = x * 1
    assert ember.rrelu_(z, training=True) is z and z.grad_fn.name() == 'RreluWithNoiseBackward1'
    gen = ember.Generator().manual_seed(3)
    a = ember.rrelu(x, training=True, generator=gen)
    gen.manual_seed(3)
    assert ember.equal(a, ember.rrelu(x, training=True, generator=gen))


def test_signatures_are_positional_aten():
    x = ember.randn(2, 3, 4)
    assert ember.conv1d is ember.nn.functional.conv1d
    assert ember.bilinear is ember.nn.functional.bilinear
    assert isinstance(ember.adaptive_max_pool1d(x, 2), tuple)
    assert type(ember.max_pool1d_with_indices(x, 2)) is tuple
    with pytest.raises(TypeError):
        ember.max_pool1d(x, 2, return_indices=True)
