"""linalg.ldl_factor / ldl_factor_ex / ldl_solve against PyTorch (LAPACK sytrf/hetrf + sytrs/hetrs):
pivots exactly, LD and solutions to rounding, real / complex-symmetric / Hermitian, batches,
singular and NaN inputs, strides, return types, out=, the NotImplemented backward and errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import check_error

F32, F64, C64, C128 = np.float32, np.float64, np.complex64, np.complex128


def mat(shape, dtype, seed=0, sym=None):
    g = np.random.default_rng(seed)
    a = g.standard_normal(shape)
    if np.dtype(dtype).kind == 'c':
        a = a + 1j * g.standard_normal(shape)
    if sym == 'sym':
        a = a + np.swapaxes(a, -1, -2)
    elif sym == 'herm':
        a = a + np.swapaxes(a.conj(), -1, -2)
    return a.astype(dtype)


def tol(dtype):
    return (2e-4, 2e-4) if dtype in (F32, C64) else (1e-9, 1e-9)


def both(a, herm, seed=0):
    t = torch.linalg.ldl_factor_ex(torch.from_numpy(a.copy()), hermitian=herm)
    e = ember.linalg.ldl_factor_ex(ember.tensor(a.copy()), hermitian=herm)
    return t, e


@pytest.mark.parametrize('dtype', [F32, F64, C64, C128])
@pytest.mark.parametrize('herm', [False, True])
@pytest.mark.parametrize('shape,sym', [((1, 1), 'sym'), ((2, 2), None), ((5, 5), 'sym'), ((3, 6, 6), None),
                                       ((2, 8, 8), 'herm'), ((2, 9, 9), 'sym'), ((70, 70), 'sym')])
def test_factor_and_solve(dtype, herm, shape, sym):
    a = mat(shape, dtype, seed=shape[-1], sym=sym)
    t, e = both(a, herm)
    rtol, atol = tol(dtype)
    assert np.array_equal(t.pivots.numpy(), e.pivots.numpy())
    assert np.array_equal(t.info.numpy(), e.info.numpy())
    np.testing.assert_allclose(e.LD.numpy(), t.LD.numpy(), rtol=rtol, atol=atol * shape[-1])
    assert e.LD.stride() == t.LD.stride() and e.pivots.stride() == t.pivots.stride()
    assert e.LD.dtype is getattr(ember, str(t.LD.dtype).split('.')[1]) and e.pivots.dtype is ember.int32
    b = mat(shape[:-1] + (3,), dtype, seed=1)
    xt = torch.linalg.ldl_solve(t.LD, t.pivots, torch.from_numpy(b), hermitian=herm)
    # torch's own factors fed to ember's solve: the pivots convention is the same
    xe = ember.linalg.ldl_solve(ember.tensor(t.LD.numpy()), ember.tensor(t.pivots.numpy()), ember.tensor(b),
                                hermitian=herm)
    np.testing.assert_allclose(xe.numpy(), xt.numpy(), rtol=rtol * 10, atol=atol * 10 * shape[-1])
    assert xe.stride() == xt.stride()


def test_special_matrices():
    nan = float('nan')
    for a in ([[0., 0, 0], [0, 0, 0], [0, 0, 0]], [[1., 2], [2, 4]], [[0., 1], [1, 0]], [[nan, 1], [1, 4]],
              [[1, nan], [nan, 4]], [[1., 0, 0], [0, 0, 0], [0, 0, 2]], [[1.] * 4] * 4):
        t, e = both(np.array(a), False)
        assert np.array_equal(t.pivots.numpy(), e.pivots.numpy()), a
        assert np.array_equal(t.info.numpy(), e.info.numpy()), a
        np.testing.assert_allclose(e.LD.numpy(), t.LD.numpy(), equal_nan=True)


def test_empty_and_batched_info():
    for shape in [(0, 0), (2, 0, 0)]:
        t, e = both(np.zeros(shape), False)
        assert tuple(e.LD.shape) == tuple(t.LD.shape) and tuple(e.pivots.shape) == tuple(t.pivots.shape)
        assert tuple(e.info.shape) == tuple(t.info.shape)
    a = np.stack([np.eye(3), np.zeros((3, 3))])
    t, e = both(a, False)
    assert e.info.tolist() == t.info.tolist() == [0, 1]


def test_repr_and_return_types():
    a = mat((3, 3), F32, sym='sym')
    t = torch.linalg.ldl_factor(torch.from_numpy(a))
    e = ember.linalg.ldl_factor(ember.tensor(a))
    assert repr(e).replace('ember', 'torch') == repr(t)
    assert type(e).__name__ == 'linalg_ldl_factor' and e._fields == ('LD', 'pivots')
    assert ember.linalg.ldl_factor_ex(ember.tensor(a))._fields == ('LD', 'pivots', 'info')


def test_out():
    a = mat((4, 4), F64, sym='sym')
    out = (ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.int32))
    r = ember.linalg.ldl_factor(ember.tensor(a), out=out)
    assert r[0] is out[0] and r.pivots is out[1]
    check_error(lambda T, x: T.linalg.ldl_factor(x, out=(T.empty(0), T.empty(0, dtype=T.int32))), [a])
    check_error(lambda T, x: T.linalg.ldl_factor_ex(x, out=(T.empty(0, dtype=T.float64), T.empty(0, dtype=T.int32),
                                                             T.empty(0))), [a])


def test_backward_not_implemented():
    a = mat((4, 4), F64, sym='sym')
    for T in (torch, ember):
        x = T.tensor(a, requires_grad=True)
        r = T.linalg.ldl_factor_ex(x)
        assert (r.LD.requires_grad, r.pivots.requires_grad, r.info.requires_grad) == (True, False, False)
        assert r.LD.grad_fn.name().endswith('autograd::NotImplemented')
    check_error(lambda T, x: T.linalg.ldl_factor(x).LD.sum().backward(), [a], requires_grad=[True])

    def solve_back(T, x, b):
        LD, piv = T.linalg.ldl_factor(x)
        T.linalg.ldl_solve(LD, piv, b).sum().backward()
    check_error(solve_back, [a, mat((4, 2), F64)], requires_grad=[False, True])


SYM = mat((4, 4), F64, sym='sym')


@pytest.mark.parametrize('fn,specs', [
    (lambda T, x: T.linalg.ldl_factor(x), [mat((3, 4), F64)]),
    (lambda T, x: T.linalg.ldl_factor(x), [mat((3,), F64)]),
    (lambda T, x: T.linalg.ldl_factor(x.int()), [mat((3, 3), F64)]),
    (lambda T, x: T.linalg.ldl_factor(x.half()), [mat((3, 3), F64)]),
    (lambda T, x: T.linalg.ldl_factor(x), [np.zeros((3, 3))]),
    (lambda T, x: T.linalg.ldl_factor_ex(x, check_errors=True), [np.zeros((2, 3, 3))]),
    (lambda T, x: T.linalg.ldl_factor(x, hermitian=1), [SYM]),
    (lambda T, x: T.linalg.ldl_factor(x.numpy()), [SYM]),
])
def test_factor_errors(fn, specs):
    check_error(fn, specs)


def _solve(b_fn, piv_fn=lambda p: p, ld_fn=lambda ld: ld, **kw):
    def f(T, x):
        LD, piv = T.linalg.ldl_factor(x)
        return T.linalg.ldl_solve(ld_fn(LD), piv_fn(piv), b_fn(T), **kw)
    return f


@pytest.mark.parametrize('fn', [
    _solve(lambda T: T.ones(4, 2)),                                   # dtype
    _solve(lambda T: T.ones(4, dtype=T.float64)),                     # 1-D B
    _solve(lambda T: T.ones(3, 2, dtype=T.float64)),                  # sizes
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), lambda p: p[:3]),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), ld_fn=lambda ld: ld[:3]),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), ld_fn=lambda ld: ld[0]),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), lambda p: p + 100),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), lambda p: p * 0),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), lambda p: p.float()),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), lambda p: p.bool()),
    _solve(lambda T: T.ones(4, 2, dtype=T.float64), lambda p: p.unsqueeze(0)),
    _solve(lambda T: T.ones(4, 2).half(), ld_fn=lambda ld: ld.half()),
    _solve(lambda T: T.ones(4, 2).int(), ld_fn=lambda ld: ld.int()),
    _solve(lambda T: T.ones(3, 4, 2, dtype=T.float64), lambda p: p.expand(2, 4),
           lambda ld: ld.expand(2, 4, 4)),
    (lambda T, x: T.linalg.ldl_solve(*T.linalg.ldl_factor(x), T.ones(4, 2, dtype=T.float64), out=T.empty(0))),
])
def test_solve_errors(fn):
    check_error(fn, [SYM])


@pytest.mark.parametrize('ld_shape,b_shape', [((2, 4, 4), (4, 2)), ((2, 4, 4), (1, 4, 2)), ((4, 4), (3, 4, 2))])
def test_solve_broadcast(ld_shape, b_shape):
    # (torch 2.13 crashes when B has more batch dims than LD with LD batched: not compared)
    a = mat(ld_shape, F64, sym='sym')
    b = mat(b_shape, F64, seed=3)
    res = []
    for T in (torch, ember):
        LD, piv = T.linalg.ldl_factor(T.tensor(a))
        res.append(T.linalg.ldl_solve(LD, piv, T.tensor(b)))
    assert tuple(res[0].shape) == tuple(res[1].shape) and res[0].stride() == res[1].stride()
    np.testing.assert_allclose(res[1].numpy(), res[0].numpy(), rtol=1e-9, atol=1e-9)


def test_long_pivots_and_keywords():
    # (torch reads int64 pivots as int32 memory, a bug; ember solves with their values)
    a = mat((4, 4), F64, sym='sym')
    b = mat((4, 2), F64, seed=3)
    LD, piv = ember.linalg.ldl_factor(input=ember.tensor(a))
    x = ember.linalg.ldl_solve(LD=LD, pivots=piv.long(), B=ember.tensor(b))
    np.testing.assert_allclose(a @ x.numpy(), b, rtol=1e-9, atol=1e-9)
    check_error(lambda T, x: T.linalg.ldl_solve(x.numpy(), T.ones(4, dtype=T.int32), x), [a])
