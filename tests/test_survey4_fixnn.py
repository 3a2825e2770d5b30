"""Survey round 4 (errors), nn / random part: RNN cells' hx checks (LSTMCell given one tensor),
the in-place random fillers' parameter and dtype checks (and random_'s precision warning),
generator= of the wrong type, negative padding, conv_transpose groups, max_unpool indices and
vector_norm's ord. Each snippet runs on torch and on ember; the exception type and first line, or
the result's shape and dtype, and the warnings are compared (random values are not)."""

import pytest
import torch

import ember
from same_outcome import same_source


def same(src):
    same_source(src, values=False)      # (random fills: shapes and dtypes only)


CELLS = [
    # A1: one tensor for LSTMCell's (h, c)
    'nn.LSTMCell(3, 2)(T.ones(2, 3), T.zeros(2, 2))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), T.zeros(2, 2, 2))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), T.zeros(2))',
    'nn.LSTMCell(3, 2)(T.ones(3), T.zeros(2, 2))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), [T.zeros(2, 2), T.zeros(2, 2)])',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2, 2),))',
    'nn.LSTMCell(3, 2)(T.ones(2, 4), (T.zeros(2, 2),))',
    'nn.LSTMCell(3, 2)(T.ones(3), (T.zeros(2),))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2, 2), T.zeros(2, 2), T.zeros(2, 2)))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2, 2, 2), T.zeros(2, 2)))',
    'nn.LSTMCell(4, 8)(T.ones(2, 4), 3)',
    # A2: hx rank and hidden size
    'nn.LSTMCell(3, 2)(T.ones(3), (T.zeros(1, 2), T.zeros(2)))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2, 3), T.zeros(2, 2)))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2, 2), T.zeros(2, 3)))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2), T.zeros(2, 2)))',
    'nn.LSTMCell(3, 2)(T.ones(2, 3), (T.zeros(2, 2), T.zeros(3, 2)))',
    'nn.RNNCell(3, 2)(T.ones(3), T.zeros(1, 2))',
    'nn.RNNCell(3, 2)(T.ones(3), T.zeros(3))',
    'nn.RNNCell(3, 2)(T.ones(3), T.zeros(2))',
    'nn.RNNCell(3, 2)(T.ones(2, 3), T.zeros(2))',
    'nn.RNNCell(3, 2)(T.ones(2, 3), T.zeros(2, 2, 2))',
    'nn.RNNCell(3, 2)(T.ones(2, 3), T.zeros(2, 3))',
    'nn.RNNCell(3, 2)(T.ones(2, 3), (T.zeros(2, 2),))',
    'nn.RNNCell(3, 2)(T.ones(2, 4), T.zeros(2, 7))',
    'nn.GRUCell(4, 8)(T.ones(2, 4), T.zeros(2, 7))',
    'nn.GRUCell(4, 8)(T.ones(2, 4), T.zeros(3, 8))',
    'nn.GRUCell(4, 8)(T.ones(4), T.zeros(1, 8))',
    'nn.GRUCell(4, 8)(T.ones(4), T.zeros(7))',
    'nn.GRUCell(4, 8)(T.ones(2, 4), 3)',
]


@pytest.mark.parametrize('src', CELLS)
def test_rnn_cell_hidden_checks(src):
    same(src)


DTYPES = ['', ', dtype=T.float64', ', dtype=T.float16', ', dtype=T.bfloat16', ', dtype=T.long',
          ', dtype=T.int16', ', dtype=T.uint8', ', dtype=T.int8', ', dtype=T.bool', ', dtype=T.complex64']
FILLS = [
    'cauchy_()', 'cauchy_(0, -1)', 'cauchy_(0, 0)', 'cauchy_(0, float("nan"))',
    'log_normal_()', 'log_normal_(0, 0)', 'log_normal_(0, -1)',
    'exponential_()', 'exponential_(-1.)', 'exponential_(0)', 'exponential_(float("nan"))',
    'geometric_(0.5)', 'geometric_(2.)', 'geometric_(0)', 'geometric_(1)', 'geometric_(float("nan"))',
    'uniform_(0, float("inf"))', 'uniform_(-float("inf"), 0)', 'uniform_(0, 1e39)', 'uniform_(float("nan"), 1)',
    'uniform_(0, 70000)', 'uniform_(-3e38, 3e38)', 'uniform_(2, 1)',
    'normal_(0, -1)', 'normal_(0, float("nan"))',
    'bernoulli_(1.5)', 'bernoulli_(float("nan"))', 'bernoulli_(T.tensor([1.5, .5, .5]))',
    'bernoulli_(T.tensor([float("nan"), .5, .5]))', 'bernoulli_(T.tensor([1, 0, 1]))', 'bernoulli_(T.tensor([.5, .5]))',
    'random_(300)', 'random_(256)', 'random_(-1)', 'random_(0)', 'random_(5, 2)', 'random_(-5, 2)',
    'random_(2**25)', 'random_(2**24+1)', 'random_(-2**25, 0)', 'random_(0, 2**60)', 'random_(2**63)',
    'random_(0, None)', 'random_(-1, None)', 'random_(5, None)', 'random_(2**25, None)', 'random_(3000, None)',
    'random_(None, 5)', 'random_(2.5)', 'random_(1, 2.5)', 'random_(True)', 'random_(3000)', 'random_(2**31+1)',
    'random_()', 'random_(1, 2, 3)',
]


@pytest.mark.parametrize('dt', DTYPES)
@pytest.mark.parametrize('call', FILLS)
def test_random_fill_checks(call, dt):
    same(f'T.zeros(3{dt}).{call}')


@pytest.mark.parametrize('src', [
    'T.zeros(3).exponential_("a")', 'T.zeros(3).geometric_(None)', 'T.zeros(3).cauchy_(0, 1j)',
    'T.zeros(3).bernoulli_(None)', 'T.zeros(3).normal_(0, None)', 'T.zeros(3).exponential_(T.tensor(2.))',
    'T.normal(0., float("nan"), (2,))', 'T.normal(0., T.tensor([float("nan")]))',
    # B2: generator= that is no Generator
    'T.rand(2, generator=3)', 'T.rand(2, 3, generator=3)', 'T.randn((2, 3), generator=3)',
    'T.randint(0, 3, (2,), generator=3)', 'T.randperm(3, generator=3)', 'T.rand_like(T.ones(2), generator=3)',
    'T.randint_like(T.ones(2), 3, generator=3)', 'T.normal(0., 1., (2,), generator=3)',
    'T.bernoulli(T.ones(2) * .5, generator=3)', 'T.multinomial(T.ones(2), 1, generator=3)',
    'T.poisson(T.ones(2), generator=3)', 'T.zeros(2).uniform_(generator=3)', 'T.zeros(2).normal_(generator="a")',
    'T.zeros(2).exponential_(generator=3)', 'T.zeros(2).cauchy_(generator=3)', 'T.zeros(2).random_(5, generator=3)',
    'T.zeros(2).random_(1, 5, generator=3)', 'T.zeros(2).bernoulli_(0.5, generator=3)',
])
def test_random_argument_errors(src):
    same(src)


def test_random_fill_forms_and_nodes():
    for T in (torch, ember):
        x = T.zeros(3).requires_grad_().clone()
        names = [type(x.random_(*a).grad_fn).__name__ for a in ((), (3,), (1, 3))]
        assert names == ['RandomBackward2', 'RandomBackward1', 'RandomBackward0']
        assert T.zeros(3, dtype=T.uint8).random_(-5 + 5, None).dtype == T.uint8
    a = ember.zeros(3)
    with pytest.raises(RuntimeError):
        a.cauchy_(0, -1)
    assert a.tolist() == [0.0, 0.0, 0.0] and a._version == 0       # a failed call changes nothing


@pytest.mark.parametrize('src', [
    # A6: negative padding
    'F.pad(T.ones(1, 2, 3), (-4, 0))', 'F.pad(T.ones(1, 2, 3), (-3, 0))', 'F.pad(T.ones(1, 2, 3), (-2, -2))',
    'F.pad(T.ones(1, 2, 3), (1, -5))', 'F.pad(T.ones(1, 2, 3), (5, -4))', 'F.pad(T.ones(1, 2, 3), (0, 0, -3, 1))',
    'F.pad(T.ones(0, 3), (0, 0, -1, 1))', 'F.pad(T.ones(1, 2, 3), (-1, -1, -1, -1))',
    'F.pad(T.ones(1, 2, 3), (-4, 0), mode="reflect")', 'F.pad(T.ones(1, 2, 3), (-3, 0), mode="replicate")',
    'F.pad(T.ones(1, 2, 3), (-2, -1), mode="reflect")', 'F.pad(T.ones(1, 2, 3), (-1, -1), mode="reflect")',
    'F.pad(T.ones(1, 1, 2, 3), (-3, 0, -3, 0), mode="reflect")',
    'F.pad(T.ones(1, 1, 2, 3), (-3, 0, -3, 0), mode="replicate")',
    'F.pad(T.ones(1, 1, 2, 3), (-4, 0, 0, 0), mode="replicate")',
    'F.pad(T.ones(1, 1, 2, 3), (0, 0, -3, 0), mode="reflect")',
    'F.pad(T.ones(1, 1, 2, 2, 3), (-4, 0, -4, 0, -4, 0), mode="replicate")',
    'F.pad(T.ones(1, 1, 2, 2, 3), (0, 0, -4, 0, 0, 0), mode="reflect")',
    'F.pad(T.ones(1, 2, 3), (-4, 0), mode="circular")', 'F.pad(T.ones(1, 1, 2, 3), (0, 0, -3, 0), mode="circular")',
    'F.pad(T.ones(1, 2, 3), (-3, 0), mode="circular")',
    # B2: conv_transpose groups, max_unpool indices, vector_norm's ord
    'F.conv_transpose2d(T.ones(1, 3, 5, 5), T.ones(3, 1, 3, 3), groups=2)',
    'F.conv_transpose1d(T.ones(1, 3, 5), T.ones(3, 1, 3), groups=2)',
    'F.conv_transpose3d(T.ones(1, 3, 5, 5, 5), T.ones(3, 1, 3, 3, 3), groups=2)',
    'F.conv_transpose2d(T.ones(1, 4, 5, 5), T.ones(3, 1, 3, 3), groups=2)',
    'nn.MaxUnpool2d(2)(T.ones(1, 1, 2, 2), T.zeros(1, 1, 2, 2))',
    'nn.MaxUnpool2d(2)(T.ones(1, 1, 2, 2), T.zeros(1, 1, 2, 2, dtype=T.int32))',
    'nn.MaxUnpool1d(2)(T.ones(1, 1, 2), T.tensor([[[0., 1]]]))',
    'nn.MaxUnpool3d(2)(T.ones(1, 1, 1, 1, 2), T.tensor([[[[[0., 1]]]]]))',
    'F.max_unpool2d(T.ones(1, 1, 2, 2), T.tensor([[[[0, 1], [2, 16]]]]), 2)',
    'F.max_unpool2d(T.ones(1, 1, 2, 2), T.tensor([[[[0, 1], [2, -1]]]]), 2)',
    'nn.MaxUnpool1d(2)(T.ones(1, 1, 2), T.tensor([[[0, 9]]]))',
    'nn.MaxUnpool3d(2)(T.ones(1, 1, 1, 1, 2), T.tensor([[[[[0, 99]]]]]))',
    'F.max_unpool2d(T.ones(1, 1, 2, 2), T.tensor([[[[0, 1], [2, 15]]]]), 2)',
    'T.linalg.vector_norm(T.ones(2), ord="fro")', 'T.linalg.vector_norm(T.ones(2), ord=None)',
    'T.linalg.vector_norm(T.ones(2), ord=[1])', 'T.linalg.vector_norm(T.ones(2), ord=1j)',
    'T.linalg.vector_norm(T.ones(2), ord=1)',
])
def test_nn_argument_errors(src):
    same(src)
