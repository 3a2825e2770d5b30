"""Implicit reparameterisation gradients of gamma / beta / Dirichlet draws (ops/gamma_grad.py,
ops/gamma_draws.py): ember._standard_gamma_grad and ember._dirichlet_grad are the exact quantities
(checked against finite differences of mpmath's CDFs), and agree with PyTorch to the error of
PyTorch's own approximations; rsample gradients of the gamma family against PyTorch's."""
import numpy as np
import pytest
import torch

import ember
from helpers import check_error, case

F64 = torch.float64


def _t(lib, a, dtype='float64'):
    return lib.tensor(np.asarray(a), dtype=getattr(lib, dtype))


def _rel(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    return np.abs(got - want) / np.maximum(np.abs(want), 1e-300)


# ---------------------------------------------------------------- against PyTorch's values

def test_standard_gamma_grad_matches_torch_over_grid():
    torch.manual_seed(0)
    alpha = torch.logspace(-3, 4, 22, dtype=F64).repeat_interleave(200)
    x = torch._standard_gamma(alpha)
    want = torch._standard_gamma_grad(alpha, x).numpy()
    got = ember._standard_gamma_grad(_t(ember, alpha.numpy()), _t(ember, x.numpy()))
    assert got.dtype == ember.float64 and got.shape == (4400,)
    assert _rel(got.numpy(), want).max() < 5e-3        # measured 3.5e-3 (PyTorch's approximation)
    assert np.median(_rel(got.numpy(), want)) < 1e-4


def test_dirichlet_grad_matches_torch_over_grid():
    torch.manual_seed(1)
    vals = torch.logspace(-3, 4, 8, dtype=F64)
    a, b = torch.meshgrid(vals, vals, indexing='ij')
    conc = torch.stack([a, b], -1).reshape(-1, 1, 2).expand(-1, 100, 2).contiguous()
    x = torch._sample_dirichlet(conc)
    total = conc.sum(-1, True).expand_as(conc).contiguous()
    want = torch._dirichlet_grad(x, conc, total).numpy()
    got = ember._dirichlet_grad(*(_t(ember, v.numpy()) for v in (x, conc, total))).numpy()
    rel = np.where(want == 0, 0.0, _rel(got, want)).reshape(8, 8, -1).max(-1)
    # PyTorch's fitted approximation is off by up to ~20% where one concentration is ~1e4 and the
    # other ~1 (ember is exact there, see the mpmath tests); elsewhere they agree to ~1e-3
    far = (vals[:, None] >= 1e3) & (vals[None, :] <= 1.0) | (vals[:, None] <= 1.0) & (vals[None, :] >= 1e3)
    assert rel[~far.numpy()].max() < 2e-3
    assert np.isfinite(got).all() and (got >= 0).all()


@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_gradient_functions_dtype_and_broadcast(dtype):
    a = np.array([[0.5], [2.0], [30.0]])
    x = np.array([0.1, 0.7, 3.0])
    t = torch._standard_gamma_grad(*(_t(torch, v, dtype).expand(3, 3) for v in (a, x)))
    e = ember._standard_gamma_grad(_t(ember, a, dtype), _t(ember, x, dtype))
    assert e.dtype == getattr(ember, dtype) and e.shape == (3, 3)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=2e-3)
    xb, ab, tb = np.array([0.3, 0.6]), np.array([[1.0], [2.0]]), np.array([4.0])
    t = torch._dirichlet_grad(*(_t(torch, v, dtype).expand(2, 2) for v in (xb, ab, tb)))
    e = ember._dirichlet_grad(_t(ember, xb, dtype), _t(ember, ab, dtype), _t(ember, tb, dtype))
    assert e.dtype == getattr(ember, dtype) and e.shape == (2, 2)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=2e-3)


def test_edge_values_match_torch():
    a = np.array([1e-3, 0.5, 1.0, 2.0, 1e4])
    for x in (0.0, 5e-324, 2.2250738585072014e-308):     # zero, denormal, smallest normal
        t = torch._standard_gamma_grad(_t(torch, a), _t(torch, np.full(5, x))).numpy()
        e = ember._standard_gamma_grad(_t(ember, a), _t(ember, np.full(5, x))).numpy()
        assert np.isfinite(e).all() and (e >= 0).all()
        np.testing.assert_allclose(e, t, rtol=2e-3, atol=1e-300)
    t = torch._standard_gamma_grad(_t(torch, [0.0, -1.0, 1.0, 1.0]), _t(torch, [1.0, 1.0, np.inf, -1.0]))
    e = ember._standard_gamma_grad(_t(ember, [0.0, -1.0, 1.0, 1.0]), _t(ember, [1.0, 1.0, np.inf, -1.0]))
    np.testing.assert_array_equal(e.numpy(), t.numpy())                  # nan, nan, nan, 0
    al, tot = np.array([1e-3, 1.0, 2.0]), np.array([2.0, 3.0, 4.0])
    for x in (0.0, 2.2250738585072014e-308, 1 - 2 ** -53, 1.0):          # x = 1: the limit
        t = torch._dirichlet_grad(_t(torch, np.full(3, x)), _t(torch, al), _t(torch, tot)).numpy()
        e = ember._dirichlet_grad(_t(ember, np.full(3, x)), _t(ember, al), _t(ember, tot)).numpy()
        np.testing.assert_allclose(e, t, rtol=2e-3, atol=1e-300)
    t = torch._dirichlet_grad(_t(torch, [0.3]), _t(torch, [1.0]), _t(torch, [1.0]))   # total = alpha
    e = ember._dirichlet_grad(_t(ember, [0.3]), _t(ember, [1.0]), _t(ember, [1.0]))
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=2e-3)


def test_float32_tiny_draws():
    a = np.array([1e-3, 0.5, 2.0], np.float32)
    x = np.full(3, np.finfo(np.float32).tiny)
    t = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(x)).numpy()
    e = ember._standard_gamma_grad(ember.tensor(a), ember.tensor(x)).numpy()
    assert e.dtype == np.float32
    np.testing.assert_allclose(e, t, rtol=2e-3)


# ---------------------------------------------------------------- the exact quantities (mpmath)

def _gamma_ref(mp, a, x):
    a, x = mp.mpf(a), mp.mpf(x)
    pdf = mp.exp((a - 1) * mp.log(x) - x - mp.loggamma(a))
    return float(-mp.diff(lambda s: mp.gammainc(s, 0, x, regularized=True), a) / pdf)


def _beta_ref(mp, x, a, b):
    a, b, x = mp.mpf(a), mp.mpf(b), mp.mpf(x)
    pdf = mp.exp((a - 1) * mp.log(x) + (b - 1) * mp.log1p(-x) - mp.log(mp.beta(a, b)))
    return float(-mp.diff(lambda s: mp.betainc(s, b, 0, x, regularized=True), a) / pdf / (1 - x))


def test_standard_gamma_grad_is_exact():
    mp = pytest.importorskip('mpmath')
    mp.mp.dps = 30
    pts = [(1e-3, 1e-200), (1e-3, 0.3), (1e-3, 5.12), (0.01, 7.15), (0.1, 9.46), (0.5, 1e-4), (0.5, 3.3),
           (1.0, 13.8), (2.5, 0.05), (10.0, 1.28), (10.0, 32.7), (300.0, 280.0), (300.0, 350.0),
           (1e4, 9800.0), (1e4, 10300.0)]
    a, x = np.array(pts).T
    got = ember._standard_gamma_grad(_t(ember, a), _t(ember, x)).numpy()
    want = [_gamma_ref(mp, *p) for p in pts]
    assert _rel(got, want).max() < 1e-9


def test_dirichlet_grad_is_exact():
    mp = pytest.importorskip('mpmath')
    mp.mp.dps = 30
    pts = [(1e-3, 1e-3, 0.5), (1e-3, 30.0, 0.159), (0.5, 2.0, 0.1), (0.5, 1e4, 3.3e-4), (2.0, 3.0, 0.4),
           (7.0, 9.0, 0.5), (1.5, 0.8, 0.9), (0.2, 0.3, 0.01), (3.0, 1e3, 0.0189), (1e3, 0.05, 0.99995),
           (30.0, 30.0, 0.62), (1e4, 1e-3, 0.999999997573936), (1.0, 1e4, 1.38e-3)]
    a, b, x = np.array(pts).T
    got = ember._dirichlet_grad(_t(ember, x), _t(ember, a), _t(ember, a + b)).numpy()
    want = [_beta_ref(mp, xi, ai, bi) for ai, bi, xi in pts]
    assert _rel(got, want).max() < 1e-9


# ---------------------------------------------------------------- rsample gradients

def _rsample(lib, kind, dtype):
    lib.manual_seed(3)
    dt = getattr(lib, dtype)
    a = lib.tensor([0.05, 0.8, 2.5, 30.0, 300.0], dtype=dt, requires_grad=True)
    b = lib.tensor([1.5, 0.3, 4.0, 12.0, 5.0], dtype=dt, requires_grad=True)
    D = lib.distributions
    x = {'gamma': lambda: D.Gamma(a, b).rsample((4,)),
         'beta': lambda: D.Beta(a, b).rsample((4,)),
         'dirichlet': lambda: D.Dirichlet(lib.stack([a, b, a * b], -1)).rsample((2, 3)),
         'chi2': lambda: D.Chi2(a).rsample((4,)),
         'studentt': lambda: D.StudentT(a, b, 2 * b).rsample((4,)),
         'fisher': lambda: D.FisherSnedecor(a, b).rsample((4,))}[kind]()
    w = lib.arange(x.numel(), dtype=dt).reshape(x.shape).sin()
    (x * w).sum().backward()
    return x, a.grad.numpy(), (b.grad if b.grad is not None else lib.zeros(5)).numpy()


@pytest.mark.parametrize('dtype', ['float64', 'float32'])
@pytest.mark.parametrize('kind', ['gamma', 'beta', 'dirichlet', 'chi2', 'studentt', 'fisher'])
def test_rsample_gradients_match_torch(kind, dtype):
    tx, ta, tb = _rsample(torch, kind, dtype)
    ex, ea, eb = _rsample(ember, kind, dtype)
    np.testing.assert_array_equal(ex.detach().numpy(), tx.detach().numpy())   # the same draws
    assert type(ex.grad_fn).__name__ == type(tx.grad_fn).__name__
    for e, t in ((ea, ta), (eb, tb)):      # sums of per-sample terms: tolerance on their scale
        np.testing.assert_allclose(e, t, rtol=5e-3, atol=2e-3 * np.nanmax(np.abs(t)))


def test_grad_fn_names_and_double_backward_errors():
    for lib in (torch, ember):
        c = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        assert type(lib._standard_gamma(c).grad_fn).__name__ == 'StandardGammaBackward0'
        assert type(lib.distributions.Dirichlet(c).rsample().grad_fn).__name__ == '_DirichletBackward'
        assert lib._standard_gamma_grad(c, c.detach()).grad_fn.name() == 'StandardGammaGradBackward0'
        assert lib._sample_dirichlet(c).grad_fn.name().endswith('::autograd::NotImplemented')


def _backward(fn):
    return lambda T, c: fn(T, c).sum().backward()


@pytest.mark.parametrize('fn, specs, kw', [
    case('sgg_backward', _backward(lambda T, c: T._standard_gamma_grad(c, c.detach())), [(2,)],
         requires_grad=[True]),
    case('dg_backward', _backward(lambda T, c: T._dirichlet_grad(c.detach() / 9, c, c.detach() + 1)),
         [(2,)], requires_grad=[True]),
    case('sd_backward', _backward(lambda T, c: T._sample_dirichlet(c)), [(2,)], requires_grad=[True]),
    case('sgg_dtype', lambda T, c: T._standard_gamma_grad(c.double(), c), [(2,)]),
    case('sgg_int_first', lambda T, c: T._standard_gamma_grad(c.long(), c), [(2,)]),
    case('sgg_long', lambda T, c: T._standard_gamma_grad(c.long(), c.long()), [(2,)]),
    case('sgg_half', lambda T, c: T._standard_gamma_grad(c.half(), c.half()), [(2,)]),
    case('sgg_scalar', lambda T, c: T._standard_gamma_grad(1.0, c), [(2,)]),
    case('sgg_shapes', lambda T, c: T._standard_gamma_grad(c, T.ones(3)), [(2,)]),
    case('dg_dtype', lambda T, c: T._dirichlet_grad(c, c.double(), c), [(2,)]),
    case('dg_long', lambda T, c: T._dirichlet_grad(c.long(), c.long(), c.long()), [(2,)]),
    case('dg_scalar', lambda T, c: T._dirichlet_grad(c, 1.0, c), [(2,)]),
    case('sg_long', lambda T, c: T._standard_gamma(c.long()), [(2,)]),
    case('sg_half', lambda T, c: T._standard_gamma(c.half()), [(2,)]),
    case('sg_scalar', lambda T, c: T._standard_gamma(1.0), [(2,)]),
    case('sd_long', lambda T, c: T._sample_dirichlet(c.long()), [(2,)]),
    case('dirichlet_rsample_long', lambda T, c: T.distributions.Dirichlet(c.long()).rsample(), [(2,)]),
])
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)
