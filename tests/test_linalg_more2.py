"""cholesky_solve, cholesky_inverse (function and method forms) and geqrf against PyTorch:
values, strides, grad_fn names, batching and broadcasting, backward, gradcheck and
gradgradcheck in float64; geqrf's LAPACK values and its missing derivative; the argument errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case

F32, F64 = np.float32, np.float64


def chol(*shape, seed=0, dtype=F64, upper=False, cplx=False):
    """A well-conditioned Cholesky factor (batch) of ``shape`` (..., n, n)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, shape) + (1j * rng.uniform(-1, 1, shape) if cplx else 0)
    n = shape[-1]
    a = x @ np.conj(np.swapaxes(x, -1, -2)) + n * np.eye(n)
    f = np.linalg.cholesky(a)
    if upper:
        f = np.conj(np.swapaxes(f, -1, -2))
    return np.ascontiguousarray(f).astype(dtype)


def rand(*shape, seed=1, dtype=F64):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


L3, U3, LB = chol(3, 3), chol(3, 3, upper=True), chol(2, 3, 3, seed=2)
LC = chol(3, 3, dtype=np.complex128, cplx=True)

# the factor goes through tril/triu so that gradcheck sees only the triangle the op reads; the
# *_fullgrad cases compare PyTorch's (unmasked) gradient for the factor itself
CASES = [
    case('solve_fullgrad', lambda T, b, l: T.cholesky_solve(b, l), [rand(3, 2), L3], gradcheck=False),
    case('inverse_fullgrad', lambda T, l: T.cholesky_inverse(l), [L3], gradcheck=False),
    case('inverse_upper_fullgrad', lambda T, u: T.cholesky_inverse(u, upper=True), [U3], gradcheck=False),
    case('solve', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(3, 2), L3]),
    case('solve_upper', lambda T, b, u: T.cholesky_solve(b, u.triu(), upper=True), [rand(3, 2), U3]),
    case('solve_method', lambda b, l: b.cholesky_solve(l.tril()), [rand(3, 1), L3]),
    case('solve_f32', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(3, 2, dtype=F32), L3.astype(F32)]),
    case('solve_batched', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(2, 3, 2), LB]),
    case('solve_bcast_b', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(2, 3, 2), L3]),
    case('solve_bcast_l', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(3, 2), LB]),
    case('solve_noncontig', lambda T, b, l: T.cholesky_solve(b.mT, l.tril()), [rand(2, 3), L3]),
    case('solve_complex', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(3, 2).astype(np.complex128), LC]),
    case('solve_empty', lambda T, b, l: T.cholesky_solve(b, l.tril()), [rand(0, 2), rand(0, 0)], gradcheck=False,
         layout=False),   # NumPy keeps no meaningful strides for empty arrays,
    case('inverse', lambda T, l: T.cholesky_inverse(l.tril()), [L3]),
    case('inverse_upper', lambda T, u: T.cholesky_inverse(u.triu(), True), [U3]),
    case('inverse_method', lambda l: l.tril().cholesky_inverse(), [L3]),
    case('inverse_batched', lambda T, l: T.cholesky_inverse(l.tril()), [LB]),
    case('inverse_f32', lambda T, l: T.cholesky_inverse(l.tril()), [L3.astype(F32)]),
    case('inverse_complex', lambda T, l: T.cholesky_inverse(l.tril()), [LC]),
    case('inverse_empty', lambda T, l: T.cholesky_inverse(l.tril()), [rand(0, 0)], gradcheck=False),
    case('geqrf_tall', lambda T, a: T.geqrf(a), [rand(4, 3)], forward_only=True),
    case('geqrf_wide', lambda T, a: T.geqrf(a), [rand(3, 5)], forward_only=True),
    case('geqrf_batched', lambda a: a.geqrf(), [rand(2, 4, 3, dtype=F32)], forward_only=True),
    case('geqrf_complex', lambda T, a: T.geqrf(a), [(rand(3, 3) + 1j * rand(3, 3, seed=5))], forward_only=True),
    case('geqrf_empty', lambda T, a: T.geqrf(a), [rand(0, 3)], forward_only=True, layout=False),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_op(fn, specs, kw):
    check(fn, specs, **kw)


def test_solve_identity():
    a = ember.tensor(L3).matmul(ember.tensor(L3).mT)
    b = ember.tensor(rand(3, 2))
    x = ember.cholesky_solve(b, ember.tensor(L3))
    np.testing.assert_allclose(a.matmul(x).cpu().numpy(), b.cpu().numpy(), atol=1e-12)
    np.testing.assert_allclose(ember.cholesky_inverse(ember.tensor(L3)).cpu().numpy(),
                               np.linalg.inv(a.cpu().numpy()), atol=1e-12)


def test_geqrf_reconstructs():
    x = rand(2, 5, 3)
    a, tau = ember.geqrf(ember.tensor(x))
    q = ember.linalg.householder_product(a, tau)
    np.testing.assert_allclose(q.matmul(a[..., :3, :].triu()).cpu().numpy(), x, atol=1e-12)


def test_geqrf_no_derivative():
    for lib in (torch, ember):
        a, tau = lib.geqrf(lib.tensor(rand(3, 3)).requires_grad_())
        assert a.grad_fn.name() == 'GeqrfBackward0' and a.requires_grad and tau.requires_grad
        with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not implemented."):
            a.sum().backward()


def test_out():
    for lib in (torch, ember):
        o = lib.empty(0, dtype=lib.float64)
        assert lib.cholesky_solve(lib.tensor(rand(3, 2)), lib.tensor(L3), out=o) is o and o.shape == (3, 2)
        o = lib.empty(0, dtype=lib.float64)
        assert lib.cholesky_inverse(lib.tensor(L3), out=o) is o and o.shape == (3, 3)
        outs = (lib.empty(0, dtype=lib.float64), lib.empty(0, dtype=lib.float64))
        r = lib.geqrf(lib.tensor(rand(4, 3)), out=outs)
        assert r.a is outs[0] and r.tau is outs[1] and tuple(outs[1].shape) == (3,)
        assert type(r).__name__ == 'geqrf_out'


ERRORS = [
    case('solve_b_1d', lambda T, b, l: T.cholesky_solve(b, l), [rand(3), L3]),
    case('solve_l_1d', lambda T, b, l: T.cholesky_solve(b, l), [rand(3, 2), rand(3)]),
    case('solve_dtype', lambda T, b, l: T.cholesky_solve(b, l), [rand(3, 2, dtype=F32), L3]),
    case('solve_square', lambda T, b, l: T.cholesky_solve(b, l), [rand(3, 2), rand(3, 4)]),
    case('solve_sizes', lambda T, b, l: T.cholesky_solve(b, l), [rand(4, 2), L3]),
    case('solve_batch', lambda T, b, l: T.cholesky_solve(b, l), [rand(2, 3, 2), chol(3, 3, 3)]),
    case('solve_int', lambda T, b, l: T.cholesky_solve(b, l), [np.ones((3, 3), np.int64)] * 2),
    case('solve_half', lambda T, b, l: T.cholesky_solve(b.half(), l.half()), [rand(3, 2), L3]),
    case('solve_not_tensor', lambda T, l: T.cholesky_solve([1.], l), [L3]),
    case('solve_out_grad', lambda T, b, l: T.cholesky_solve(b, l, out=T.empty(0, dtype=T.float64)),
         [rand(3, 2), L3], requires_grad=[True, False]),
    case('inverse_square', lambda T, l: T.cholesky_inverse(l), [rand(3, 4)]),
    case('inverse_1d', lambda T, l: T.cholesky_inverse(l), [rand(3)]),
    case('inverse_int', lambda T, l: T.cholesky_inverse(l), [np.ones((3, 3), np.int64)]),
    case('inverse_half', lambda T, l: T.cholesky_inverse(l.half()), [L3]),
    case('geqrf_1d', lambda T, a: T.geqrf(a), [rand(3)]),
    case('geqrf_int', lambda T, a: T.geqrf(a), [np.ones((3, 3), np.int64)]),
    case('geqrf_half', lambda T, a: T.geqrf(a.half()), [rand(3, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


@pytest.mark.parametrize('shape,cplx', [((4, 3), False), ((3, 5), False), ((2, 4, 3), False), ((4, 3), True),
                                        ((3, 3), 'diag')])
def test_geqrf_device_path(shape, cplx):
    """The column-by-column reflectors the device path uses give LAPACK's (a, tau)."""
    from ember.ops.linalg_solve_more import householder_qr
    x = rand(*shape, seed=7)
    if cplx is True:
        x = x + 1j * rand(*shape, seed=8)
    elif cplx == 'diag':
        x = np.diag([1., -2., 0.])
    a, tau = torch.geqrf(torch.tensor(x))
    h, t = householder_qr(np, x)
    np.testing.assert_allclose(h, a.numpy(), atol=1e-12)
    np.testing.assert_allclose(t, tau.numpy(), atol=1e-12)
