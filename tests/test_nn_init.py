"""ember.nn.init against PyTorch: gains and errors exactly, deterministic initialisers
(eye_, dirac_, constant_) value for value, orthogonal_ by orthogonality, and the random
ones by their distribution (range, mean, std pooled over a large sample)."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import _np
from layers import init_matches


def both(fn):
    """fn(L) in torch and ember: same result (numbers/arrays) or same exception and message."""
    out = []
    for L in (torch, ember):
        try:
            r = fn(L)
            out.append(('ok', _np(r).tolist() if isinstance(r, (torch.Tensor, ember.Tensor)) else r))
        except Exception as e:      # noqa: BLE001 - the exception is what is compared
            out.append(('raised', type(e).__name__, str(e).replace('torch', 'ember')))
    assert out[1] == out[0]


GAINS = [('linear', None), ('conv1d', None), ('conv2d', None), ('conv3d', None), ('conv_transpose1d', None),
         ('conv_transpose2d', None), ('conv_transpose3d', None), ('sigmoid', None), ('tanh', None),
         ('relu', None), ('leaky_relu', None), ('leaky_relu', 0.2), ('leaky_relu', 3), ('selu', None),
         ('leaky_relu', True), ('leaky_relu', 'a'), ('softmax', None), ('Tanh', None)]


@pytest.mark.parametrize('name,param', GAINS)
def test_calculate_gain(name, param):
    both(lambda L: L.nn.init.calculate_gain(name, param))


def _e(L, *shape):
    return L.empty(*shape)


ERRORS_AND_EXACT = [
    ('xavier-1d', lambda L: L.nn.init.xavier_uniform_(_e(L, 3))),
    ('xavier-normal-0d', lambda L: L.nn.init.xavier_normal_(_e(L))),
    ('kaiming-mode', lambda L: L.nn.init.kaiming_uniform_(_e(L, 3, 3), mode='fan')),
    ('kaiming-nonlin', lambda L: L.nn.init.kaiming_normal_(_e(L, 3, 3), nonlinearity='swish')),
    ('kaiming-1d', lambda L: L.nn.init.kaiming_normal_(_e(L, 3))),
    ('eye-3d', lambda L: L.nn.init.eye_(_e(L, 2, 2, 2))),
    ('dirac-2d', lambda L: L.nn.init.dirac_(_e(L, 3, 3))),
    ('dirac-groups', lambda L: L.nn.init.dirac_(_e(L, 3, 3, 3), groups=2)),
    ('orthogonal-1d', lambda L: L.nn.init.orthogonal_(_e(L, 3))),
    ('sparse-3d', lambda L: L.nn.init.sparse_(_e(L, 3, 2, 2), 0.5)),
    ('eye-wide', lambda L: L.nn.init.eye_(_e(L, 2, 3))),
    ('eye-tall', lambda L: L.nn.init.eye_(_e(L, 4, 2).double())),
    ('dirac-3d', lambda L: L.nn.init.dirac_(_e(L, 4, 3, 3))),
    ('dirac-4d', lambda L: L.nn.init.dirac_(_e(L, 2, 3, 3, 4))),
    ('dirac-5d-groups', lambda L: L.nn.init.dirac_(_e(L, 4, 2, 3, 1, 2), groups=2)),
    ('constant', lambda L: L.nn.init.constant_(_e(L, 2, 3), 2.5)),
    ('constant-int', lambda L: L.nn.init.constant_(L.empty(3, dtype=L.int64), 7)),
    ('ones', lambda L: L.nn.init.ones_(_e(L, 2))),
    ('zeros', lambda L: L.nn.init.zeros_(_e(L, 2, 2))),
    ('orthogonal-empty', lambda L: L.nn.init.orthogonal_(_e(L, 0, 3))),
    ('xavier-zero-fan', lambda L: L.nn.init.xavier_uniform_(_e(L, 0, 3))),
]


@pytest.mark.parametrize('fn', [c[1] for c in ERRORS_AND_EXACT], ids=[c[0] for c in ERRORS_AND_EXACT])
def test_errors_and_exact_values(fn):
    both(fn)


def test_in_place_on_parameters_without_graph():
    for name, args in [('uniform_', ()), ('normal_', ()), ('trunc_normal_', ()), ('constant_', (0.3,)),
                       ('ones_', ()), ('zeros_', ()), ('eye_', ()), ('xavier_uniform_', ()), ('xavier_normal_', ()),
                       ('kaiming_uniform_', ()), ('kaiming_normal_', ()), ('orthogonal_', ()), ('sparse_', (0.5,))]:
        p = ember.nn.Parameter(ember.empty(4, 3))
        out = getattr(ember.nn.init, name)(p, *args)
        assert out is p and p.grad_fn is None and p.requires_grad and p.is_leaf, name
    p = ember.nn.Parameter(ember.empty(2, 2, 3))
    assert ember.nn.init.dirac_(p) is p and p.grad_fn is None


def _warnings(L, fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fn(L)
    return [(x.category.__name__, str(x.message).replace('torch', 'ember')) for x in w]


@pytest.mark.parametrize('fn', [
    lambda L: L.nn.init.kaiming_uniform_(L.empty(0, 3)),
    lambda L: L.nn.init.kaiming_normal_(L.empty(2, 0)),
    lambda L: L.nn.init.trunc_normal_(L.empty(3), mean=10.0),
    lambda L: L.nn.init.uniform(L.empty(2)),
    lambda L: L.nn.init.xavier_normal(L.empty(2, 2), gain=2.0),
])
def test_warnings(fn):
    assert _warnings(ember, fn) == _warnings(torch, fn)


def _sample(L, fn, shape, reps=4):
    """Pooled values of fn applied to fresh tensors of ``shape`` over several seeds."""
    out = []
    for k in range(reps):
        L.manual_seed(k)
        t = L.empty(*shape)
        fn(L, t)
        out.append(_np(t).ravel().astype(np.float64))
    return np.concatenate(out)


BOUNDED = ('uniform', 'xavier-uniform', 'kaiming-uniform', 'kaiming-uniform-out', 'trunc-normal',
           'trunc-normal-narrow')
DISTRIBUTIONS = [
    ('uniform', lambda L, t: L.nn.init.uniform_(t, -0.5, 2.0), (64, 64)),
    ('normal', lambda L, t: L.nn.init.normal_(t, 1.0, 0.3), (64, 64)),
    ('xavier-uniform', lambda L, t: L.nn.init.xavier_uniform_(t, gain=2.0), (32, 16, 3)),
    ('xavier-normal', lambda L, t: L.nn.init.xavier_normal_(t), (48, 64)),
    ('kaiming-uniform', lambda L, t: L.nn.init.kaiming_uniform_(t, a=math.sqrt(5)), (40, 12, 3, 3)),
    ('kaiming-uniform-out', lambda L, t: L.nn.init.kaiming_uniform_(t, mode='fan_out', nonlinearity='relu'),
     (64, 40)),
    ('kaiming-normal', lambda L, t: L.nn.init.kaiming_normal_(t, a=0.1, nonlinearity='leaky_relu'), (64, 40)),
    ('kaiming-normal-tanh', lambda L, t: L.nn.init.kaiming_normal_(t, mode='FAN_OUT', nonlinearity='tanh'),
     (16, 8, 5)),
    ('trunc-normal', lambda L, t: L.nn.init.trunc_normal_(t), (64, 64)),
    ('trunc-normal-narrow', lambda L, t: L.nn.init.trunc_normal_(t, mean=0.5, std=2.0, a=0.0, b=1.0), (64, 64)),
    ('trunc-normal-tail', lambda L, t: L.nn.init.trunc_normal_(t, mean=0.0, std=1.0, a=2.0, b=4.0), (32, 64)),
    ('orthogonal', lambda L, t: L.nn.init.orthogonal_(t, gain=1.5), (48, 32)),
    ('sparse', lambda L, t: L.nn.init.sparse_(t, 0.3, std=0.5), (40, 30)),
]


@pytest.mark.parametrize('name,fn,shape', DISTRIBUTIONS, ids=[c[0] for c in DISTRIBUTIONS])
def test_distribution_matches_torch(name, fn, shape):
    a, b = _sample(ember, fn, shape), _sample(torch, fn, shape)
    scale = b.std() + 1e-12
    tol = 4.0 / np.sqrt(a.size) * scale           # about four standard errors
    assert abs(a.mean() - b.mean()) <= tol and abs(a.std() - b.std()) <= tol
    grid = np.sort(np.concatenate([a, b]))        # two-sample Kolmogorov-Smirnov at about 0.1%
    cdf = [np.searchsorted(np.sort(x), grid, 'right') / x.size for x in (a, b)]
    ks = np.abs(cdf[0] - cdf[1])
    assert ks.max() <= 2.0 * np.sqrt((a.size + b.size) / (a.size * b.size)), ks.max()
    if name in BOUNDED:                           # same support: the extremes agree closely
        assert abs(a.min() - b.min()) <= 0.02 * scale and abs(a.max() - b.max()) <= 0.02 * scale
    assert abs((a == 0).mean() - (b == 0).mean()) <= 0.02


def test_trunc_normal_bounds():
    for mean, std, lo, hi in [(0, 1, -2, 2), (0.5, 2.0, 0.0, 1.0), (0, 1, 2, 4), (3, 0.1, -1, 1)]:
        t = ember.empty(2000)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ember.nn.init.trunc_normal_(t, mean, std, lo, hi)
        v = _np(t)
        assert np.all(v >= lo) and np.all(v <= hi) and len(np.unique(v)) > 1900


@pytest.mark.parametrize('shape', [(5, 3), (3, 5), (4, 2, 3), (6, 6), (2, 3, 2, 2)])
def test_orthogonal(shape):
    t = ember.nn.init.orthogonal_(ember.empty(*shape), gain=2.0)
    w = _np(t).reshape(shape[0], -1).astype(np.float64) / 2.0
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-5)


def test_sparse_zeros_per_column():
    t = ember.nn.init.sparse_(ember.empty(10, 7), 0.25)
    assert ((_np(t) == 0).sum(0) == math.ceil(0.25 * 10)).all()


def test_generator_makes_it_reproducible():
    for name, args in [('uniform_', ()), ('normal_', ()), ('trunc_normal_', ()), ('xavier_uniform_', ()),
                       ('xavier_normal_', ()), ('kaiming_uniform_', ()), ('kaiming_normal_', ()),
                       ('orthogonal_', ()), ('sparse_', (0.3,))]:
        fn = getattr(ember.nn.init, name)
        runs = [_np(fn(ember.empty(6, 5), *args, generator=ember.Generator().manual_seed(7))).copy()
                for _ in range(2)]
        if name != 'sparse_':        # sparse_ picks its zeros with the global RNG, as in PyTorch
            np.testing.assert_array_equal(runs[0], runs[1])
        other = _np(fn(ember.empty(6, 5), *args, generator=ember.Generator().manual_seed(8)))
        assert not np.array_equal(runs[0], other), name


@pytest.mark.parametrize('make', [lambda nn: nn.Linear(20, 30), lambda nn: nn.Bilinear(5, 6, 7),
                                  lambda nn: nn.Linear(9, 4, bias=False)])
def test_default_layer_init(make):
    init_matches(make)
