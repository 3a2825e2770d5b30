"""Linear algebra against PyTorch: fused products, einsum/tensordot/kron/cross, matrix functions,
decompositions and norms. Forward, backward, gradcheck and gradgradcheck (float64).

Matrices are small (2-4) and well conditioned (random entries plus n on the diagonal);
positive-definite inputs are built inside the function (x @ x.mT + n I) so that gradcheck's
perturbations keep them positive-definite and symmetric.

Named tuples are compared as plain tuples (``tuple(...)``): helpers.check expects every
torch.return_types result to have .values/.indices; their types are checked in
test_return_types.

Singular vectors and eigenvectors are defined up to sign, and NumPy's LAPACK (OpenBLAS)
and PyTorch's (MKL) pick different signs; those cases compare sign-free functions of
the outputs (abs, products u_i v_i^T, reconstructions), whose gradients are sign-free too.
"""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, arr, ints, bools, case

F32, F64 = np.float32, np.float64
INF = float('inf')


def mat(*shape, seed=0, dtype=F32):
    """Random entries in [-1, 1); square matrices get n added on the diagonal (well conditioned)."""
    a = np.random.default_rng(seed).uniform(-1, 1, shape)
    if len(shape) >= 2 and shape[-1] == shape[-2]:
        a = a + shape[-1] * np.eye(shape[-1])
    return a.astype(dtype)


def pd(T, x):
    """A symmetric positive-definite matrix (batch) made from x."""
    return x @ x.mT + x.shape[-1] * T.eye(x.shape[-1], dtype=x.dtype)


def sym(x):
    return x + x.mT


M3, M3b, M3d = mat(3, 3), mat(2, 3, 3, seed=1), mat(3, 3, dtype=F64)


# ------------------------------------------------------------------ products

PRODUCTS = [
    case('vdot', lambda T, x, y: T.vdot(x, y), [(3,), (3,)]),
    case('vdot-method', lambda x, y: x.vdot(y), [(4,), (4,)]),
    case('vdot-int', lambda T, x, y: T.vdot(x, y), [ints((3,)), ints((3,), seed=1)], forward_only=True),
    case('addmm', lambda T, b, x, y: T.addmm(b, x, y), [(2, 3), (2, 4), (4, 3)]),
    case('addmm-beta-alpha', lambda T, b, x, y: T.addmm(b, x, y, beta=0.5, alpha=2), [(2, 3), (2, 4), (4, 3)]),
    case('addmm-bias-1d', lambda T, b, x, y: T.addmm(b, x, y), [(3,), (2, 4), (4, 3)]),
    case('addmm-bias-0d', lambda T, b, x, y: T.addmm(b, x, y, alpha=-1), [(), (2, 4), (4, 3)]),
    case('addmm-transposed', lambda T, b, x, y: T.addmm(b, x.t(), y.t()), [(2, 3), (4, 2), (3, 4)]),
    case('addmm-method', lambda b, x, y: b.addmm(x, y, beta=2), [(2, 3), (2, 4), (4, 3)], dtype=F64),
    case('addmm-inplace', lambda b, x, y: (b * 1).addmm_(x, y, alpha=3), [(2, 3), (2, 4), (4, 3)]),
    case('addmm-beta0-nan', lambda T, b, x, y: T.addmm(b, x, y, beta=0), [arr([[np.nan, 1.], [2., 3.]]),
         (2, 2), (2, 2)], forward_only=True),
    case('addmm-out', lambda T, b, x, y: T.addmm(b, x, y, out=T.empty(2, 3)), [(2, 3), (2, 4), (4, 3)],
         forward_only=True),
    case('addmm-int', lambda T, b, x, y: T.addmm(b, x, y, beta=2.5, alpha=1.5),
         [ints((2, 2)), ints((2, 3), seed=1), ints((3, 2), seed=2)], forward_only=True),
    case('addmv', lambda T, b, m, v: T.addmv(b, m, v, beta=2, alpha=0.5), [(2,), (2, 3), (3,)]),
    case('addmv-0d', lambda T, b, m, v: T.addmv(b, m, v), [(), (2, 3), (3,)]),
    case('addmv-inplace', lambda b, m, v: (b * 1).addmv_(m, v), [(2,), (2, 3), (3,)]),
    case('addmv-fn-inplace', lambda T, b, m, v: T.addmv_(b * 1, m, v), [(3,), (3, 2), (2,)]),
    case('addr', lambda T, b, x, y: T.addr(b, x, y, beta=2, alpha=-1), [(2, 3), (2,), (3,)]),
    case('addr-bcast', lambda T, b, x, y: T.addr(b, x, y), [(3,), (2,), (3,)]),
    case('addr-inplace', lambda b, x, y: (b * 1).addr_(x, y), [(2, 3), (2,), (3,)]),
    case('addr-int', lambda T, b, x, y: T.addr(b, x, y, beta=2), [ints((2, 2)), ints((2,)), ints((2,))],
         forward_only=True),
    case('addr-bool', lambda T, b, x, y: T.addr(b, x, y), [bools((2, 2)), bools((2,), 1), bools((2,), 2)],
         forward_only=True),
    case('addr-promote', lambda T, b, x, y: T.addr(b, x, y), [(2, 2), ints((2,)), ints((2,), seed=1)]),
    case('baddbmm', lambda T, b, x, y: T.baddbmm(b, x, y, beta=0.5), [(2, 2, 3), (2, 2, 4), (2, 4, 3)]),
    case('baddbmm-bcast', lambda T, b, x, y: T.baddbmm(b, x, y), [(3,), (2, 2, 4), (2, 4, 3)]),
    case('baddbmm-inplace', lambda b, x, y: (b * 1).baddbmm_(x, y, alpha=2), [(2, 2, 2), (2, 2, 3), (2, 3, 2)]),
    case('addbmm', lambda T, b, x, y: T.addbmm(b, x, y, alpha=2), [(2, 3), (3, 2, 2), (3, 2, 3)]),
    case('addbmm-inplace', lambda b, x, y: (b * 1).addbmm_(x, y), [(2, 3), (2, 2, 4), (2, 4, 3)]),
    case('addbmm-empty-batch', lambda T, b, x, y: T.addbmm(b, x, y), [(2, 3), (0, 2, 4), (0, 4, 3)],
         gradcheck=False),
    case('tensordot-2', lambda T, x, y: T.tensordot(x, y), [(2, 2, 3), (2, 3, 2)]),
    case('tensordot-0', lambda T, x, y: T.tensordot(x, y, 0), [(2, 3), (2,)]),
    case('tensordot-1', lambda T, x, y: T.tensordot(x, y, dims=1), [(2, 3), (3, 2)]),
    case('tensordot-lists', lambda T, x, y: T.tensordot(x, y, dims=([1, 2], [1, 0])), [(2, 2, 3), (3, 2, 2)]),
    case('tensordot-neg', lambda T, x, y: T.tensordot(x, y, dims=([-1], [0])), [(2, 3), (3, 2)]),
    case('tensordot-tensor-dims', lambda T, x, y: T.tensordot(x, y, dims=T.tensor([[1], [0]])), [(2, 3), (3, 2)]),
    case('tensordot-bcast', lambda T, x, y: T.tensordot(x, y, dims=([1], [0])), [(2, 1), (3, 2)]),
    case('tensordot-all', lambda T, x, y: T.tensordot(x, y, 2), [(2, 3), (2, 3)]),
    case('tensordot-int', lambda T, x, y: T.tensordot(x, y, 1), [ints((2, 3)), ints((3,))], forward_only=True),
    case('kron', lambda T, x, y: T.kron(x, y), [(2, 3), (2, 2)]),
    case('kron-method-1d', lambda x, y: x.kron(y), [(2, 3), (3,)]),
    case('kron-3d', lambda T, x, y: T.kron(x, y), [(2, 1, 3), (2, 2)]),
    case('kron-0d', lambda T, x, y: T.kron(x, y), [(), (2,)]),
    case('kron-promote', lambda T, x, y: T.kron(x, y), [ints((2,)), (2,)]),
    case('linalg-cross', lambda T, x, y: T.linalg.cross(x, y), [(4, 3), (4, 3)]),
    case('linalg-cross-dim', lambda T, x, y: T.linalg.cross(x, y, dim=0), [(3, 2), (3, 2)]),
    case('linalg-cross-bcast', lambda T, x, y: T.linalg.cross(x, y), [(1, 3), (4, 3)]),
    case('cross-dim', lambda T, x, y: T.cross(x, y, dim=1), [(2, 3), (2, 3)]),
    case('cross-method', lambda x, y: x.cross(y, dim=-1), [(3,), (3,)]),
    case('cross-int', lambda T, x, y: T.linalg.cross(x, y), [ints((3,)), ints((3,), seed=1)], forward_only=True),
    case('cross-default-dim', lambda T, x, y: T.cross(x, y), [(3, 2), (3, 2)]),
    case('multi-dot-2', lambda T, x, y: T.linalg.multi_dot([x, y]), [(2, 3), (3, 2)]),
    case('multi-dot-3', lambda T, x, y, z: T.linalg.multi_dot([x, y, z]), [(2, 3), (3, 4), (4, 2)]),
    case('multi-dot-3-right', lambda T, x, y, z: T.linalg.multi_dot((x, y, z)), [(4, 3), (3, 2), (2, 1)]),
    case('multi-dot-4', lambda T, w, x, y, z: T.linalg.multi_dot([w, x, y, z]), [(2, 3), (3, 1), (1, 2), (2, 3)]),
    case('multi-dot-vectors', lambda T, x, y, z: T.linalg.multi_dot([x, y, z]), [(3,), (3, 2), (2,)]),
    case('multi-dot-vec-first', lambda T, x, y: T.linalg.multi_dot([x, y]), [(3,), (3, 2)]),
    case('chain-matmul', lambda T, x, y, z: T.chain_matmul(x, y, z), [(2, 3), (3, 4), (4, 2)]),
    case('chain-matmul-1', lambda T, x: T.chain_matmul(x), [(2, 3)]),
    case('vecdot', lambda T, x, y: T.linalg.vecdot(x, y), [(2, 3), (3,)]),
    case('vecdot-dim', lambda T, x, y: T.linalg.vecdot(x, y, dim=0), [(2, 3), (2, 3)]),
    case('matrix-power-2', lambda T, x: T.matrix_power(x, 2), [(3, 3)]),
    case('matrix-power-5', lambda x: x.matrix_power(5), [(3, 3)], low=-0.5, high=0.5),
    case('matrix-power-1-transposed', lambda T, x: T.linalg.matrix_power(x.t(), 1), [(3, 3)]),
    case('matrix-power-batched', lambda T, x: T.linalg.matrix_power(x, 3), [(2, 3, 3)], low=-0.5, high=0.5),
    case('matrix-power-neg1', lambda T, x: T.matrix_power(x, -1), [M3]),
    case('matrix-power-neg3-batched', lambda T, x: T.matrix_power(x, -3), [M3b]),
    case('matrix-power-int', lambda T, x: T.matrix_power(x, 3), [ints((2, 2))], forward_only=True),
    case('matrix-power-0-int', lambda T, x: T.matrix_power(x, 0), [ints((2, 2))], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', PRODUCTS)
def test_products(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)      # deprecated chain_matmul / cross without dim
        check(fn, specs, **kw)


def test_matrix_power_zero():
    # n = 0: the identity written over a copy of A (PyTorch's grad_fn is CopyBackwards, a zero gradient)
    x = ember.tensor(M3).requires_grad_()
    r = ember.matrix_power(x, 0)
    assert r.requires_grad and np.array_equal(r.detach().cpu().numpy(), np.eye(3, dtype=F32))
    r.sum().backward()
    assert np.array_equal(x.grad.cpu().numpy(), np.zeros((3, 3), F32))


EINSUM = [
    case('mm', lambda T, x, y: T.einsum('ij,jk->ik', x, y), [(2, 3), (3, 2)]),
    case('mm-implicit', lambda T, x, y: T.einsum('ij,jk', x, y), [(2, 3), (3, 2)]),
    case('list-operands', lambda T, x, y: T.einsum('ij,jk', [x, y]), [(2, 3), (3, 2)]),
    case('sublist', lambda T, x, y: T.einsum(x, [0, 1], y, [1, 2], [0, 2]), [(2, 3), (3, 2)]),
    case('sublist-implicit', lambda T, x, y: T.einsum(x, [0, 1], y, [1, 2]), [(2, 3), (3, 2)]),
    case('sublist-ellipsis', lambda T, x: T.einsum(x, [..., 0]), [(2, 3)]),
    case('transpose', lambda T, x: T.einsum('ji', x), [(2, 3)]),
    case('identity-implicit', lambda T, x: T.einsum('ij', x), [(2, 3)]),
    case('diagonal', lambda T, x: T.einsum('ii->i', x), [(3, 3)]),
    case('batch-diagonal', lambda T, x: T.einsum('bii->bi', x), [(2, 3, 3)]),
    case('trace', lambda T, x: T.einsum('ii', x), [(3, 3)]),
    case('sum-all', lambda T, x: T.einsum('ij->', x), [(2, 3)]),
    case('sum-rows', lambda T, x: T.einsum('ij->i', x), [(2, 3)]),
    case('dot', lambda T, x, y: T.einsum('i,i', x, y), [(3,), (3,)]),
    case('outer', lambda T, x, y: T.einsum('i,j->ij', x, y), [(2,), (3,)]),
    case('hadamard', lambda T, x, y: T.einsum('ij,ij->ij', x, y), [(2, 3), (2, 3)]),
    case('bmm', lambda T, x, y: T.einsum('bij,bjk->bik', x, y), [(2, 2, 3), (2, 3, 2)]),
    case('ellipsis-bcast', lambda T, x, y: T.einsum('...ij,...jk->...ik', x, y), [(2, 2, 3), (3, 2)]),
    case('ellipsis-implicit', lambda T, x, y: T.einsum('...ij,...jk', x, y), [(2, 2, 3), (3, 2)]),
    case('ellipsis-middle', lambda T, x: T.einsum('i...j->j...i', x), [(2, 3, 4)]),
    case('ellipsis-summed', lambda T, x, y: T.einsum('...i,...i->i', x, y), [(2, 3), (2, 3)]),
    case('three-operands', lambda T, x, y, z: T.einsum('ij,jk,kl->il', x, y, z), [(2, 3), (3, 2), (2, 2)]),
    case('bilinear', lambda T, x, w, y: T.einsum('bi,oij,bj->bo', x, w, y), [(2, 2), (3, 2, 2), (2, 2)]),
    case('size-one-bcast', lambda T, x, y: T.einsum('ij,ij->i', x, y), [(1, 3), (4, 3)]),
    case('uppercase-spaces', lambda T, x, y: T.einsum('Ab, bC -> AC', x, y), [(2, 3), (3, 2)]),
    case('summed-once', lambda T, x, y: T.einsum('ij,k->i', x, y), [(2, 3), (4,)]),
    case('repeated-in-two', lambda T, x, y: T.einsum('iij,jk->ik', x, y), [(2, 2, 3), (3, 2)]),
    case('swapped-pair', lambda T, x, y: T.einsum('be,bdc', x, y), [(3, 3), (3, 2, 2)]),
    case('implicit-sorted', lambda T, x, y: T.einsum('bd,ba', x, y), [(3, 2), (3, 2)]),
    case('int', lambda T, x, y: T.einsum('ij,jk', x, y), [ints((2, 3)), ints((3, 2))], forward_only=True),
    case('f64-promote-mul', lambda T, x, y: T.einsum('i,i->i', x, y), [(2,), np.ones(2)]),
]


@pytest.mark.parametrize('fn,specs,kw', EINSUM)
def test_einsum(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ inverse, determinants, solve

MATRIX_FUNCTIONS = [
    case('inv', lambda T, x: T.linalg.inv(x), [M3]),
    case('inv-f64-batched', lambda T, x: T.linalg.inv(x), [mat(2, 2, 3, 3, dtype=F64)]),
    case('inverse', lambda T, x: T.inverse(x), [M3b]),
    case('inverse-method', lambda x: x.inverse(), [mat(2, 2)]),
    case('inv-transposed', lambda T, x: T.linalg.inv(x.mT), [M3b]),
    case('inv-ex', lambda T, x: tuple(T.linalg.inv_ex(x)), [M3], gradgrad=True),
    case('det', lambda T, x: T.linalg.det(x), [M3]),
    case('det-batched', lambda T, x: T.det(x), [M3b]),
    case('det-method-f64', lambda x: x.det(), [M3d]),
    case('det-1x1', lambda T, x: T.linalg.det(x), [(2, 1, 1)]),
    case('det-singular', lambda T, x: T.linalg.det(x), [arr([[1., 2.], [2., 4.]], F64)], gradcheck=False),
    case('slogdet', lambda T, x: tuple(T.linalg.slogdet(x)), [M3]),
    case('slogdet-neg-batched', lambda T, x: tuple(T.linalg.slogdet(-x)), [M3b]),
    case('slogdet-legacy', lambda T, x: tuple(T.slogdet(x)), [M3d]),
    case('slogdet-method', lambda x: tuple(x.slogdet()), [M3]),
    case('logdet', lambda T, x: T.logdet(pd(T, x)), [(2, 3, 3)]),
    case('logdet-negative', lambda T, x: T.logdet(-x), [arr([[2., 0., 0.], [0., 1., 0.], [0., 0., 3.]])],
         gradcheck=False),
    case('solve', lambda T, a, b: T.linalg.solve(a, b), [M3, (3, 2)]),
    case('solve-vector', lambda T, a, b: T.linalg.solve(a, b), [M3, (3,)]),
    case('solve-batched-vector', lambda T, a, b: T.linalg.solve(a, b), [M3b, (2, 3)]),
    case('solve-batched-1d-b', lambda T, a, b: T.linalg.solve(a, b), [M3b, (3,)]),
    case('solve-bcast-b', lambda T, a, b: T.linalg.solve(a, b), [M3, (2, 3, 2)]),
    case('solve-bcast-a', lambda T, a, b: T.linalg.solve(a, b), [M3b, (3, 1)]),
    case('solve-left-false', lambda T, a, b: T.linalg.solve(a, b, left=False), [M3, (2, 3)]),
    case('solve-left-false-batched', lambda T, a, b: T.linalg.solve(a, b, left=False), [M3b, (2, 1, 3)]),
    case('solve-f64', lambda T, a, b: T.linalg.solve(a, b), [M3d, np.ones((3, 2))]),
    case('solve-ex', lambda T, a, b: tuple(T.linalg.solve_ex(a, b)), [M3, (3,)]),
    case('solve-only-b-grad', lambda T, a, b: T.linalg.solve(a, b), [M3, (3, 2)], requires_grad=[False, True]),
    case('cholesky', lambda T, x: T.linalg.cholesky(pd(T, x)), [(3, 3)]),
    case('cholesky-upper', lambda T, x: T.linalg.cholesky(pd(T, x), upper=True), [(2, 3, 3)]),
    case('cholesky-ex', lambda T, x: tuple(T.linalg.cholesky_ex(pd(T, x))), [(3, 3)]),
    case('cholesky-legacy', lambda T, x: T.cholesky(pd(T, x)), [(3, 3)]),
    case('cholesky-legacy-upper', lambda T, x: pd(T, x).cholesky(upper=True), [(2, 2, 2)]),
    case('cholesky-leaf', lambda T, x: T.linalg.cholesky(x), [np.array([[4., 2.], [2., 3.]], F32)],
         gradcheck=False),
    case('pinv-square', lambda T, x: T.linalg.pinv(x), [M3]),
    case('pinv-tall', lambda T, x: T.linalg.pinv(x), [(4, 3)]),
    case('pinv-wide-batched', lambda T, x: T.linalg.pinv(x), [(2, 2, 3)]),
    case('pinv-hermitian', lambda T, x: T.linalg.pinv(pd(T, x), hermitian=True), [(3, 3)]),
    case('pinv-rank-deficient', lambda T, x: T.linalg.pinv(x), [arr([[1., 2.], [2., 4.]])], gradcheck=False),
    case('pinv-atol', lambda T, x: T.linalg.pinv(x, atol=0.5), [arr([[3., 0.], [0., 0.1]])], gradcheck=False),
    case('pinverse', lambda T, x: T.pinverse(x), [(3, 2)]),
    case('pinverse-method', lambda x: x.pinverse(), [(2, 3)]),
    case('lstsq-solution', lambda T, a, b: T.linalg.lstsq(a, b).solution, [(4, 3), (4, 2)]),
    case('lstsq-square-vector', lambda T, a, b: T.linalg.lstsq(a, b)[0], [M3, (3,)]),
    case('lstsq-rest', lambda T, a, b: tuple(T.linalg.lstsq(a, b))[1:], [(4, 3), (4, 2)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', MATRIX_FUNCTIONS)
def test_matrix_functions(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)      # torch.cholesky is deprecated
        check(fn, specs, **kw)


# ------------------------------------------------------------------ decompositions

def _svd_parts(r):
    # the sign-free parts: |U|, S, |Vh| and the rank-one pieces u_i vh_i
    k = r[1].shape[-1]
    return r[0].abs(), r[1], r[2].abs(), r[0][..., :, :k] @ r[2][..., :k, :]


DECOMPOSITIONS = [
    case('qr', lambda T, x: tuple(T.linalg.qr(x)), [(4, 3)]),
    case('qr-square-f64', lambda T, x: tuple(T.linalg.qr(x)), [M3d]),
    case('qr-wide', lambda T, x: tuple(T.linalg.qr(x)), [(2, 3)]),
    case('qr-batched', lambda T, x: tuple(T.linalg.qr(x)), [(2, 3, 2)]),
    case('qr-complete-wide', lambda T, x: tuple(T.linalg.qr(x, mode='complete')), [(2, 3)]),
    case('qr-complete-tall', lambda T, x: tuple(T.linalg.qr(x, mode='complete')), [(3, 2)], forward_only=True),
    case('qr-r', lambda T, x: tuple(T.linalg.qr(x, mode='r')), [(3, 2)], forward_only=True),
    case('qr-legacy', lambda T, x: tuple(T.qr(x)), [(3, 2)]),
    case('qr-legacy-method-some-false', lambda x: tuple(x.qr(some=False)), [(2, 2)]),
    case('svd', lambda T, x: _svd_parts(T.linalg.svd(x, full_matrices=False)), [(3, 2)]),
    case('svd-square-batched', lambda T, x: _svd_parts(T.linalg.svd(x)), [(2, 2, 2)]),
    # full_matrices: the extra columns of U (rows of Vh) get no gradient (PyTorch ignores them as
    # arbitrary), so the finite differences of |U| disagree by design: no gradcheck there
    case('svd-full-tall', lambda T, x: _svd_parts(T.linalg.svd(x)), [(3, 2)], gradcheck=False),
    case('svd-full-wide-f64', lambda T, x: _svd_parts(T.linalg.svd(x)), [mat(2, 3, dtype=F64)], gradcheck=False),
    case('svd-reconstruct', lambda T, x: (lambda r: r.U @ T.diag_embed(r.S) @ r.Vh)(T.linalg.svd(x, False)),
         [(3, 2)]),
    case('svd-legacy', lambda T, x: (lambda r: (r.U.abs(), r.S, r.V.abs()))(T.svd(x)), [(3, 2)]),
    case('svd-legacy-method', lambda x: (lambda r: (r[0].abs(), r[1], r[2].abs()))(x.svd(some=False)), [(2, 3)],
         gradcheck=False),
    case('svd-legacy-no-uv', lambda T, x: tuple(T.svd(x, compute_uv=False)), [(2, 4, 3)]),
    case('svdvals', lambda T, x: T.linalg.svdvals(x), [(2, 3)]),
    case('svdvals-batched', lambda T, x: T.linalg.svdvals(x), [(2, 3, 4)]),
    case('svdvals-nograd', lambda T, x: T.linalg.svdvals(x), [(3, 2)], forward_only=True),
    case('eigh-values', lambda T, x: T.linalg.eigh(sym(x)).eigenvalues, [(3, 3)]),
    case('eigh-abs', lambda T, x: (lambda r: (r[0], r[1].abs()))(T.linalg.eigh(sym(x))), [(2, 2, 2)]),
    case('eigh-upper', lambda T, x: (lambda r: (r[0], r[1].abs()))(T.linalg.eigh(sym(x), UPLO='U')), [(3, 3)]),
    case('eigh-projector', lambda T, x: (lambda v: v[..., :1] @ v[..., :1].mT)(T.linalg.eigh(sym(x))[1]),
         [(3, 3)], dtype=F64),
    case('eigh-leaf-values', lambda T, x: T.linalg.eigh(x)[0], [arr([[2., 1.], [1., 3.]])], gradcheck=False),
    case('eigvalsh', lambda T, x: T.linalg.eigvalsh(sym(x)), [(2, 3, 3)]),
    case('eigvalsh-upper-nograd', lambda T, x: T.linalg.eigvalsh(x, UPLO='U'), [(3, 3)], forward_only=True),
    case('matrix-rank', lambda T, x: T.linalg.matrix_rank(x), [arr([[1., 2.], [2., 4.]])], forward_only=True),
    case('matrix-rank-batched', lambda T, x: T.linalg.matrix_rank(x), [(2, 3, 4)], forward_only=True),
    case('matrix-rank-tol', lambda T, x: T.linalg.matrix_rank(x, atol=1.0, rtol=0.0),
         [arr([[3., 0.], [0., 0.5]])], forward_only=True),
    case('matrix-rank-hermitian', lambda T, x: T.linalg.matrix_rank(x, hermitian=True),
         [arr([[1., 1.], [1., 1.]])], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', DECOMPOSITIONS)
def test_decompositions(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)      # torch.qr / torch.svd are deprecated
        check(fn, specs, **kw)


# ------------------------------------------------------------------ norms

NORMS = [
    case(f'matrix-norm-{o}', lambda T, x, o=o: T.linalg.matrix_norm(x, o), [(3, 4)])
    for o in ('fro', 'nuc', 1, -1, 2, -2, INF, -INF)
] + [
    case(f'matrix-norm-keepdim-{o}', lambda T, x, o=o: T.linalg.matrix_norm(x, o, keepdim=True), [(2, 3, 2)])
    for o in ('fro', 'nuc', 1, -1, 2, -2, INF, -INF)
] + [
    case(f'matrix-norm-dims-{o}', lambda T, x, o=o: T.linalg.matrix_norm(x, o, dim=(2, 0)), [(3, 2, 4)])
    for o in ('fro', 'nuc', 1, -2, -INF)
] + [
    case('matrix-norm-dtype', lambda T, x: T.linalg.matrix_norm(x, 'nuc', dtype=T.float64), [(2, 3)]),
    case('matrix-norm-1-dtype', lambda T, x: T.linalg.matrix_norm(x, 1, dtype=T.float64), [(2, 3)]),
    case('matrix-norm-empty-max', lambda T, x: T.linalg.matrix_norm(x, 1), [np.zeros((3, 0), F32)],
         gradcheck=False),
    case('matrix-norm-empty-2', lambda T, x: T.linalg.matrix_norm(x, 2), [np.zeros((0, 3), F32)],
         gradcheck=False),
    case('norm-vector', lambda T, x: T.linalg.norm(x), [(4,)]),
    case('norm-flatten', lambda T, x: T.linalg.norm(x), [(2, 3, 2)]),
    case('norm-matrix-ord', lambda T, x: T.linalg.norm(x, 2), [(3, 2)]),
    case('norm-vector-ord', lambda T, x: T.linalg.norm(x, 3), [(4,)]),
    case('norm-str', lambda T, x: T.linalg.norm(x, 'nuc'), [(3, 2)]),
    case('norm-dim-int', lambda T, x: T.linalg.norm(x, dim=0), [(3, 2)]),
    case('norm-dim-pair', lambda T, x: T.linalg.norm(x, INF, dim=(0, 2), keepdim=True), [(3, 2, 2)]),
    case('vector-norm', lambda T, x: T.linalg.vector_norm(x, 1, dim=-1), [(2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', NORMS)
def test_norms(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ named tuples and LinAlgError

def test_return_types():
    x = ember.tensor(M3)
    s = ember.tensor(sym(M3))
    results = {'linalg_slogdet': ember.linalg.slogdet(x), 'slogdet': ember.slogdet(x),
               'linalg_qr': ember.linalg.qr(x), 'qr': ember.qr(x), 'linalg_svd': ember.linalg.svd(x),
               'svd': ember.svd(x), 'linalg_eigh': ember.linalg.eigh(s), 'linalg_inv_ex': ember.linalg.inv_ex(x),
               'linalg_cholesky_ex': ember.linalg.cholesky_ex(ember.tensor(M3 @ M3.T)),
               'linalg_solve_ex': ember.linalg.solve_ex(x, x),
               'linalg_lstsq': ember.linalg.lstsq(x, x)}
    tx, ts = torch.tensor(M3), torch.tensor(sym(M3))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        expected = {'linalg_slogdet': torch.linalg.slogdet(tx), 'slogdet': torch.slogdet(tx),
                    'linalg_qr': torch.linalg.qr(tx), 'qr': torch.qr(tx), 'linalg_svd': torch.linalg.svd(tx),
                    'svd': torch.svd(tx), 'linalg_eigh': torch.linalg.eigh(ts),
                    'linalg_inv_ex': torch.linalg.inv_ex(tx),
                    'linalg_cholesky_ex': torch.linalg.cholesky_ex(torch.tensor(M3 @ M3.T)),
                    'linalg_solve_ex': torch.linalg.solve_ex(tx, tx), 'linalg_lstsq': torch.linalg.lstsq(tx, tx)}
    for name, r in results.items():
        t = expected[name]
        assert type(r).__name__ == type(t).__name__ == name
        assert type(r).__module__ == 'ember.return_types'
        assert getattr(ember.return_types, name) is type(r)
        assert r._fields == type(t).__match_args__
        assert repr(r).startswith(f'ember.return_types.{name}(\n{r._fields[0]}=tensor(')
    r = ember.linalg.slogdet(x)
    assert r.sign is r[0] and r.logabsdet is r[1]


def test_linalg_error_type():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    assert ember.linalg.LinAlgError.__name__ == torch.linalg.LinAlgError.__name__ == '_LinAlgError'
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))


def test_failed_inplace_leaves_input():
    b = ember.ones(2, 2)
    with pytest.raises(RuntimeError):
        b.addmm_(ember.ones(2, 3), ember.ones(2, 3))
    with pytest.raises(RuntimeError):
        b.addr_(ember.ones(3), ember.ones(2))
    assert np.array_equal(b.cpu().numpy(), np.ones((2, 2), F32)) and b._version == 0


def test_double_backward_through_inverse_chain():
    # a create_graph gradient of a function mixing several linalg ops, against PyTorch
    def f(T, x):
        return T.linalg.det(x) * T.linalg.inv(x).sum() + T.linalg.slogdet(x)[1]
    outs = []
    for T in (torch, ember):
        x = T.tensor(M3d).requires_grad_()
        g, = T.autograd.grad(f(T, x), x, create_graph=True)
        gg, = T.autograd.grad(g.sum(), x)
        outs.append(gg.detach().cpu().numpy())
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-8, atol=1e-10)


# ------------------------------------------------------------------ errors

SING = arr([[1., 2.], [2., 4.]])
NOT_PD = arr([[1., 2.], [2., 1.]])
I2 = np.eye(2, dtype=F32)

ERRORS = [
    case('inv-singular', lambda T, x: T.linalg.inv(x), [SING]),
    case('inv-singular-3x3', lambda T, x: T.inverse(x), [arr([[2., 4., 6.], [1., 2., 3.], [4., 8., 13.]])]),
    case('inv-zero', lambda T, x: T.linalg.inv(x), [np.zeros((3, 3), F32)]),
    case('inv-singular-batch', lambda T, x: T.linalg.inv(x), [np.stack([I2, SING])]),
    case('inv-int', lambda T, x: T.linalg.inv(x), [ints((2, 2))]),
    case('inv-half', lambda T, x: T.linalg.inv(x.half()), [(2, 2)]),
    case('inv-nonsquare', lambda T, x: T.linalg.inv(x), [(2, 3)]),
    case('inv-1d', lambda T, x: T.linalg.inv(x), [(3,)]),
    case('det-int', lambda T, x: T.linalg.det(x), [ints((2, 2))]),
    case('det-nonsquare', lambda T, x: T.det(x), [(2, 3)]),
    case('det-half', lambda T, x: T.linalg.det(x.half()), [(2, 2)]),
    case('slogdet-int', lambda T, x: T.linalg.slogdet(x), [ints((2, 2))]),
    case('logdet-nonsquare', lambda T, x: T.logdet(x), [(2, 3)]),
    case('solve-singular', lambda T, a, b: T.linalg.solve(a, b), [SING, (2,)]),
    case('solve-int', lambda T, a, b: T.linalg.solve(a, b), [ints((2, 2)), ints((2,))]),
    case('solve-shape', lambda T, a, b: T.linalg.solve(a, b), [M3, (2, 2)]),
    case('solve-shape-vector', lambda T, a, b: T.linalg.solve(a, b), [M3, (2,)]),
    case('solve-left-false-vector', lambda T, a, b: T.linalg.solve(a, b, left=False), [M3, (3,)]),
    case('solve-dtype', lambda T, a, b: T.linalg.solve(a, b.double()), [M3, (3,)]),
    case('solve-batch', lambda T, a, b: T.linalg.solve(a, b), [M3b, (4, 3, 1)]),
    case('solve-0d-b', lambda T, a: T.linalg.solve(a, T.tensor(1.)), [M3]),
    case('cholesky-not-pd', lambda T, x: T.linalg.cholesky(x), [NOT_PD]),
    case('cholesky-negative', lambda T, x: T.linalg.cholesky(-x), [I2]),
    case('cholesky-not-pd-batch', lambda T, x: T.linalg.cholesky(x), [np.stack([I2, NOT_PD])]),
    case('cholesky-int', lambda T, x: T.linalg.cholesky(x), [ints((2, 2))]),
    case('cholesky-nonsquare', lambda T, x: T.linalg.cholesky(x), [(2, 3)]),
    case('cholesky-half', lambda T, x: T.linalg.cholesky(x.half()), [(2, 2)]),
    case('qr-int', lambda T, x: T.linalg.qr(x), [ints((2, 2))]),
    case('qr-1d', lambda T, x: T.linalg.qr(x), [(2,)]),
    case('qr-mode', lambda T, x: T.linalg.qr(x, mode='full'), [(2, 2)]),
    case('svd-int', lambda T, x: T.linalg.svd(x), [ints((2, 2))]),
    case('svd-1d', lambda T, x: T.linalg.svd(x), [(2,)]),
    case('svd-legacy-1d', lambda T, x: T.svd(x), [(2,)]),
    case('svdvals-half', lambda T, x: T.linalg.svdvals(x.half()), [(2, 2)]),
    case('eigh-int', lambda T, x: T.linalg.eigh(x), [ints((2, 2))]),
    case('eigh-nonsquare', lambda T, x: T.linalg.eigh(x), [(2, 3)]),
    case('eigh-uplo', lambda T, x: T.linalg.eigh(x, UPLO='X'), [(2, 2)]),
    case('eigvalsh-1d', lambda T, x: T.linalg.eigvalsh(x), [(2,)]),
    case('pinv-int', lambda T, x: T.linalg.pinv(x), [ints((2, 3))]),
    case('pinv-0d', lambda T, x: T.linalg.pinv(x), [()]),
    case('matrix-rank-int', lambda T, x: T.linalg.matrix_rank(x), [ints((2, 2))]),
    case('matrix-rank-1d', lambda T, x: T.linalg.matrix_rank(x), [(2,)]),
    case('matrix-norm-int', lambda T, x: T.linalg.matrix_norm(x), [ints((2, 2))]),
    case('matrix-norm-1d', lambda T, x: T.linalg.matrix_norm(x), [(2,)]),
    case('matrix-norm-ord', lambda T, x: T.linalg.matrix_norm(x, 3), [(2, 2)]),
    case('matrix-norm-ord-str', lambda T, x: T.linalg.matrix_norm(x, 'foo'), [(2, 2)]),
    case('matrix-norm-dim', lambda T, x: T.linalg.matrix_norm(x, dim=(0,)), [(2, 2, 2)]),
    case('matrix-norm-dim3', lambda T, x: T.linalg.matrix_norm(x, dim=(0, 1, 2)), [(2, 2, 2)]),
    case('matrix-norm-same-dims', lambda T, x: T.linalg.matrix_norm(x, dim=(0, -3)), [(2, 2, 2)]),
    case('matrix-norm-dim-range', lambda T, x: T.linalg.matrix_norm(x, dim=(0, 5)), [(2, 2, 2)]),
    case('matrix-norm-dtype', lambda T, x: T.linalg.matrix_norm(x, dtype=T.long), [(2, 2)]),
    case('matrix-norm-empty-min', lambda T, x: T.linalg.matrix_norm(x, -1), [np.zeros((3, 0), F32)]),
    case('norm-str-1d', lambda T, x: T.linalg.norm(x, 'fro'), [(2,)]),
    case('norm-ord-3d', lambda T, x: T.linalg.norm(x, 2), [(2, 2, 2)]),
    case('norm-dims', lambda T, x: T.linalg.norm(x, dim=(0, 1, 2)), [(2, 2, 2)]),
    case('norm-int', lambda T, x: T.linalg.norm(x), [ints((2, 2))]),
    case('addmm-shapes', lambda T, b, x, y: T.addmm(b, x, y), [(2, 2), (2, 3), (2, 3)]),
    case('addmm-bias', lambda T, b, x, y: T.addmm(b, x, y), [(3, 3), (2, 3), (3, 2)]),
    case('addmm-bias-3d', lambda T, b, x, y: T.addmm(b, x, y), [(1, 2, 2), (2, 3), (3, 2)]),
    case('addmm-1d', lambda T, b, x, y: T.addmm(b, x, y), [(2,), (2, 3), (3,)]),
    case('addmm-dtype', lambda T, b, x, y: T.addmm(b, x, y.double()), [(2, 2), (2, 3), (3, 2)]),
    case('addmm-mat1-dtype', lambda T, b, x, y: T.addmm(b, x.double(), y), [(2, 2), (2, 3), (3, 2)]),
    case('addmm-bool', lambda T, b, x, y: T.addmm(b, x, y), [bools((2, 2)), bools((2, 2)), bools((2, 2))]),
    case('addmm-inplace-shape', lambda T, b, x, y: (b * 1).addmm_(x, y), [(2,), (2, 3), (3, 2)]),
    case('addmv-shapes', lambda T, b, m, v: T.addmv(b, m, v), [(2,), (2, 3), (2,)]),
    case('addmv-bias', lambda T, b, m, v: T.addmv(b, m, v), [(3,), (2, 3), (3,)]),
    case('addmv-ranks', lambda T, b, m, v: T.addmv(b, m, v), [(2, 2), (2, 3), (3,)]),
    case('addmv-dtype', lambda T, b, m, v: T.addmv(b, m, v.double()), [(2,), (2, 3), (3,)]),
    case('addr-2d', lambda T, b, x, y: T.addr(b, x, y), [(3, 3), (3, 1), (3,)]),
    case('addr-bias', lambda T, b, x, y: T.addr(b, x, y), [(3, 3), (2,), (3,)]),
    case('addr-int-beta', lambda T, b, x, y: T.addr(b, x, y, alpha=1.5), [ints((2, 2)), ints((2,)), ints((2,))]),
    case('baddbmm-shapes', lambda T, b, x, y: T.baddbmm(b, x, y), [(2, 2, 2), (2, 2, 3), (3, 3, 2)]),
    case('baddbmm-2d', lambda T, b, x, y: T.baddbmm(b, x, y), [(2, 2, 2), (2, 2), (2, 2, 2)]),
    case('baddbmm-dtype', lambda T, b, x, y: T.baddbmm(b.double(), x, y), [(2, 2, 2), (2, 2, 2), (2, 2, 2)]),
    case('addbmm-batches', lambda T, b, x, y: T.addbmm(b, x, y), [(2, 2), (2, 2, 3), (3, 3, 2)]),
    case('addbmm-sizes', lambda T, b, x, y: T.addbmm(b, x, y), [(2, 2), (2, 2, 3), (2, 2, 2)]),
    case('einsum-fewer', lambda T, x: T.einsum('ij,jk->ik', x), [(2, 2)]),
    case('einsum-more', lambda T, x, y: T.einsum('ij->ij', x, y), [(2, 2), (2, 2)]),
    case('einsum-size', lambda T, x, y: T.einsum('ij,jk->ik', x, y), [(2, 2), (3, 2)]),
    case('einsum-ndim', lambda T, x, y: T.einsum('ijk,jk->ik', x, y), [(2, 2), (3, 2)]),
    case('einsum-ndim-ellipsis', lambda T, x, y: T.einsum('i...j,jk->ik', x, y), [(2,), (3, 2)]),
    case('einsum-output-unknown', lambda T, x, y: T.einsum('ij,jk->iz', x, y), [(2, 2), (2, 2)]),
    case('einsum-output-twice', lambda T, x, y: T.einsum('ij,jk->ii', x, y), [(2, 2), (2, 2)]),
    case('einsum-bad-subscript', lambda T, x, y: T.einsum('i1,jk->ik', x, y), [(2, 2), (2, 2)]),
    case('einsum-bad-output-subscript', lambda T, x: T.einsum('ij->i1', x), [(2, 2)]),
    case('einsum-repeated-sizes', lambda T, x: T.einsum('ii->i', x), [(2, 3)]),
    case('einsum-no-operands', lambda T: T.einsum('ii->i'), []),
    case('einsum-dtype', lambda T, x, y: T.einsum('ij,jk', x, y.double()), [(2, 2), (2, 2)]),
    case('einsum-bool', lambda T, x, y: T.einsum('ij,jk', x, y), [bools((2, 2)), bools((2, 2))]),
    case('einsum-two-ellipses-out', lambda T, x: T.einsum('...i->......', x), [(2, 2)]),
    case('einsum-lone-dot', lambda T, x: T.einsum('i.j->ij', x), [(2, 2)]),
    case('einsum-ellipsis-bcast', lambda T, x, y: T.einsum('...i,...i->...', x, y), [(2, 3), (4, 3)]),
    case('tensordot-sizes', lambda T, x, y: T.tensordot(x, y, 1), [(2, 3), (2, 3)]),
    case('tensordot-lengths', lambda T, x, y: T.tensordot(x, y, ([0, 1], [1])), [(2, 3), (2, 3)]),
    case('tensordot-dtype', lambda T, x, y: T.tensordot(x, y.double(), 1), [(2, 3), (3, 2)]),
    case('tensordot-negative', lambda T, x, y: T.tensordot(x, y, -1), [(2, 3), (3, 2)]),
    case('tensordot-too-many', lambda T, x, y: T.tensordot(x, y, 3), [(2, 3), (3, 2)]),
    case('tensordot-int-pair', lambda T, x, y: T.tensordot(x, y, (1, 0)), [(2, 3), (3, 2)]),
    case('cross-no-3', lambda T, x, y: T.cross(x, y), [(2, 2), (2, 2)]),
    case('linalg-cross-length', lambda T, x, y: T.linalg.cross(x, y), [(2, 2), (2, 2)]),
    case('linalg-cross-bcast', lambda T, x, y: T.linalg.cross(x, y), [(2, 3), (3, 3)]),
    case('linalg-cross-ndim', lambda T, x, y: T.linalg.cross(x, y), [(3,), (4, 3)]),
    case('linalg-cross-dtype', lambda T, x, y: T.linalg.cross(x, y.double()), [(3,), (3,)]),
    case('linalg-cross-dim', lambda T, x, y: T.linalg.cross(x, y, dim=1), [(3,), (3,)]),
    case('multi-dot-one', lambda T, x: T.linalg.multi_dot([x]), [(2, 2)]),
    case('multi-dot-shapes', lambda T, x, y: T.linalg.multi_dot([x, y]), [(2, 2), (3, 2)]),
    case('multi-dot-vector-shapes', lambda T, x, y: T.linalg.multi_dot([x, y]), [(3,), (2, 2)]),
    case('multi-dot-3d', lambda T, x, y: T.linalg.multi_dot([x, y]), [(2, 2, 2), (2, 2)]),
    case('multi-dot-last-3d', lambda T, x, y: T.linalg.multi_dot([x, y]), [(2, 2), (2, 2, 2)]),
    case('multi-dot-middle-1d', lambda T, x, y, z: T.linalg.multi_dot([x, y, z]), [(2, 2), (2,), (2, 2)]),
    case('multi-dot-dtype', lambda T, x, y: T.linalg.multi_dot([x.long(), y]), [(2, 2), (2, 2)]),
    case('chain-matmul-none', lambda T: T.chain_matmul(), []),
    case('matrix-power-nonsquare', lambda T, x: T.matrix_power(x, 2), [(2, 3)]),
    case('matrix-power-1d', lambda T, x: T.matrix_power(x, 2), [(2,)]),
    case('matrix-power-int-negative', lambda T, x: T.matrix_power(x, -1), [ints((2, 2))]),
    case('matrix-power-singular', lambda T, x: T.matrix_power(x, -2), [SING]),
    case('vecdot-int', lambda T, x, y: T.linalg.vecdot(x, y), [ints((3,)), (3,)]),
    case('vecdot-dtype', lambda T, x, y: T.linalg.vecdot(x, y.long()), [(3,), (3,)]),
    case('vecdot-shapes', lambda T, x, y: T.linalg.vecdot(x, y), [(2, 3), (2, 2)]),
    case('vdot-shapes', lambda T, x, y: T.vdot(x, y), [(3,), (2,)]),
    case('vdot-2d', lambda T, x, y: T.vdot(x, y), [(3, 1), (3,)]),
    case('vdot-dtype', lambda T, x, y: T.vdot(x, y.double()), [(3,), (3,)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        check_error(fn, specs, **kw)


BACKWARD_ERRORS = [
    ('qr-mode-r', lambda T, x: T.linalg.qr(x, mode='r')[1]),
    ('qr-complete-tall', lambda T, x: T.linalg.qr(x, mode='complete')[0]),
]


@pytest.mark.parametrize('fn', [f for _, f in BACKWARD_ERRORS], ids=[i for i, _ in BACKWARD_ERRORS])
def test_backward_errors(fn):
    def run(T):
        x = T.tensor(mat(3, 2)).requires_grad_()
        fn(T, x).sum().backward()
    check_error(lambda T: run(T), [])


BF16_PRODUCTS = [
    ('mm', lambda T, a, b, c: T.mm(a, b)),
    ('matmul-batched', lambda T, a, b, c: T.matmul(a.expand(2, 3, 4), b)),
    ('bmm', lambda T, a, b, c: T.bmm(a[None], b[None])),
    ('mv', lambda T, a, b, c: T.mv(a, b[:, 0])),
    ('addmm', lambda T, a, b, c: T.addmm(c, a, b, beta=0.5, alpha=2)),
    ('linear', lambda T, a, b, c: T.nn.functional.linear(a, b.t(), c[0])),
]


@pytest.mark.cpu_only   # bfloat16 cannot live on CUDA in ember (CuPy has no bfloat16)
@pytest.mark.parametrize('fn', [f for _, f in BF16_PRODUCTS], ids=[i for i, _ in BF16_PRODUCTS])
def test_bfloat16_products_stay_bfloat16(fn):
    """Products of bfloat16 matrices are bfloat16, accumulated in float32 and rounded once."""
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (4, 5), (3, 5))]
    outs = []
    for T in (torch, ember):
        r = fn(T, *(T.tensor(d).to(T.bfloat16) for d in data))
        assert str(r.dtype).endswith('bfloat16')
        outs.append(np.asarray(r.float().tolist()))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-2, atol=1e-2)
