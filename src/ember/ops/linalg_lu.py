"""The LU family: ``linalg.lu_factor`` (and ``_ex``), ``linalg.lu``, ``lu_unpack``,
``linalg.lu_solve`` and the legacy ``ember.lu`` / ``ember.lu_solve``.

NumPy has no LU: Gaussian elimination with partial pivoting as LAPACK getrf (pivot: the first
largest |entry|, |re| + |im| for complex; a zero pivot goes to ``info``, its column unscaled), one
step per column vectorised over the batch on the inputs' array module (NumPy or CuPy).

Backward (A = P L U, k = min(m, n); ^T is ^H for complex), in ember ops so it differentiates
again; gL and gU are first restricted to the free entries of L and U:
    square:  gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T
    wide:    gA = P L^-T [tril(L^T gL - gU U^T, -1) U1^-T + gU1 | gU2]
    tall:    gA = P [L1^-T triu(gU U^T - L^T gL) + gL1 ; gL2] U^-T
"""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply
from ..autograd.node import save_output
from ._promote import xp, unbroadcast
from .linalg_ops import dtype_name, colmajor as _colmajor, host_batch
from .linalg_tri import solve_triangular
from .linalg_lu_kernels import _lu_raw, _p_raw, _unpack_raw, _lu_solve_raw
from .matmul import adj
from .linalg_more import _h, matrix_exp  # _h: conjugate transpose of raw arrays
from .arith_support import out_arg
from .from_data import _warn_once
from .return_types import _define, make_return
from .triangular import tril, triu
from .argcheck import bad_input

for _n, _f in (('linalg_lu_factor', ('LU', 'pivots')), ('linalg_lu_factor_ex', ('LU', 'pivots', 'info')),
               ('linalg_lu', ('P', 'L', 'U')), ('lu_unpack', ('P', 'L', 'U')),
               ('_lu_with_info', ('LU', 'pivots', 'info'))):
    _define(_n, _f)


# ------------------------------------------------------------------ checks

_PIVOT_MSG = 'linalg.lu_factor: LU without pivoting is not implemented on the CPU'


def _factor_checks(a, fname):
    if a.ndim < 2:
        raise RuntimeError(f'{fname}: Expected tensor with 2 or more dimensions. Got size: '
                           f'[{", ".join(str(s) for s in a.shape)}] instead')
    if a.dtype.kind not in 'fc' or a.dtype.itemsize == 2:
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{dtype_name(a)}\'')


def _zero_pivot_error(info, fname):
    flat = host_batch(info[..., None, None]).reshape(-1)
    bad = np.flatnonzero(flat)
    if bad.size == 0:
        return
    i, k = int(bad[0]), int(flat[bad[0]])
    prefix = f'(Batch element {i}): ' if info.ndim > 0 else ''
    raise RuntimeError(f'ember.{fname}: {prefix}U[{k},{k}] is zero and using it on lu_solve would result in a '
                       'division by zero. If you still want to perform the factorization, consider calling '
                       'linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)')


# ------------------------------------------------------------------ backward (ember ops)

def _lu_grad(P, L, U, gL, gU):
    """Gradient of A = P L U from the gradients of L (m x k) and U (k x n)."""
    from .join import cat
    m, k, n = L.shape[-2], L.shape[-1], U.shape[-1]
    gL = tril(gL, -1) if gL is not None else L.new_zeros(L.shape)
    gU = triu(gU) if gU is not None else U.new_zeros(U.shape)
    if m == n:
        X = tril(adj(L).matmul(gL), -1) + triu(gU.matmul(adj(U)))
        X = solve_triangular(adj(U), X, upper=False, left=False)
        X = solve_triangular(adj(L), X, upper=True, unitriangular=True)
    elif m < n:
        U1 = U[..., :k]
        X = tril(adj(L).matmul(gL) - gU.matmul(adj(U)), -1)
        X = solve_triangular(adj(U1), X, upper=False, left=False)
        X = cat([X + gU[..., :k], gU[..., k:]], -1)
        X = solve_triangular(adj(L), X, upper=True, unitriangular=True)
    else:
        L1 = L[..., :k, :]
        X = triu(gU.matmul(adj(U)) - adj(L).matmul(gL))
        X = solve_triangular(adj(L1), X, upper=True, unitriangular=True)
        X = cat([X + gL[..., :k, :], gL[..., k:, :]], -2)
        X = solve_triangular(adj(U), X, upper=False, left=False)
    return P.matmul(X)


def _unpack_t(LU, k):
    """Differentiable L (m x k, unit diagonal) and U (k x n) of a packed LU tensor."""
    from .creation import eye
    return tril(LU[..., :, :k], -1) + eye(LU.shape[-2], k, dtype=LU.dtype, device=LU.device), triu(LU[..., :k, :])


# ------------------------------------------------------------------ lu_factor / lu

class LinalgLuFactorExBackward0(Op):
    n_outputs = 3
    nondiff_outputs = (1, 2)
    _free = ('piv',)

    def forward(self, a, pivot=True, check=None):
        _factor_checks(a, 'ember.lu_factor')
        if not pivot:
            raise RuntimeError(_PIVOT_MSG)
        lu, piv, info = _lu_raw(a)
        if check:
            _zero_pivot_error(info, 'linalg.' + check)
        self.piv = piv
        return _colmajor(lu), piv, info

    def backward(self, gLU, gp, gi):
        LU, = self.saved_tensors
        k = min(LU.shape[-2:])
        L, U = _unpack_t(LU, k)
        P = Tensor._make(_p_raw(self.piv, LU.shape[-2], LU._data.dtype))
        return _lu_grad(P, L, U, gLU[..., :, :k], gLU[..., :k, :])


def _factor(A, pivot, check):
    out = apply(LinalgLuFactorExBackward0, A, pivot=bool(pivot), check=check)
    node = out[0].grad_fn
    if node is not None:
        node._saved = (save_output(node, out[0]),)
    return out


@out_arg('linalg_lu_factor_ex', tuple_name='linalg_lu_factor_ex_out')
def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """(LU, pivots, info): the packed factors, 1-based int32 row swaps, and per matrix the
    1-based index of the first zero pivot (0 when there is none)."""
    return make_return('linalg_lu_factor_ex', *_factor(A, pivot, 'lu_factor_ex' if check_errors else ''))


@out_arg('linalg_lu_factor', tuple_name='linalg_lu_factor_out')
def lu_factor(A, *, pivot=True, out=None):
    """(LU, pivots) of A = P L U; raises when U has a zero on its diagonal."""
    return make_return('linalg_lu_factor', *_factor(A, pivot, 'lu_factor')[:2])


class LinalgLuBackward0(Op):
    n_outputs = 3
    nondiff_outputs = (0,)

    def forward(self, a, pivot=True):
        _factor_checks(a, 'linalg.lu')
        if not pivot:
            raise RuntimeError(_PIVOT_MSG)
        lu, piv, _ = _lu_raw(a)
        low, up = _unpack_raw(lu, piv.shape[-1])
        return xp(a).ascontiguousarray(_p_raw(piv, a.shape[-2], a.dtype)), low, up

    def backward(self, gP, gL, gU):
        P, L, U = self.saved_tensors
        return _lu_grad(P, L, U, gL, gU)


@out_arg('linalg_lu', tuple_name='linalg_lu_out')
def linalg_lu(A, *, pivot=True, out=None):
    """(P, L, U) with A = P L U: P a permutation, L unit lower (m x k), U upper (k x n)."""
    out = apply(LinalgLuBackward0, A, pivot=bool(pivot))
    node = out[1].grad_fn
    if node is not None:
        node._saved = tuple(save_output(node, o) for o in out)
    return make_return('linalg_lu', *out)


# ------------------------------------------------------------------ lu_unpack

class LuUnpackBackward0(Op):
    n_outputs = 3
    nondiff_outputs = (0,)

    def forward(self, lu, piv, unpack_data=True, unpack_pivots=True):
        m = xp(lu)
        if piv.dtype != np.int32:
            raise RuntimeError('ember.lu_unpack: LU_pivots is expected to be a contiguous tensor of '
                               'ember.int32 dtype.\nNote: this function is intended to be used with the output '
                               'produced by ember.linalg.lu_factor')
        rows, cols = lu.shape[-2:]
        self.shape = lu.shape
        k = min(rows, cols)
        empty = m.empty((0,), lu.dtype)
        low = up = P = empty
        if unpack_data:
            low, up = _unpack_raw(lu, k)
        if unpack_pivots:
            if piv.size and bool(((piv < 1) | (piv > rows)).any()):
                raise RuntimeError('pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.'
                                   'Did you properly pass the result of lu_factor?')
            P = _p_raw(piv, rows, lu.dtype)
            P = m.ascontiguousarray(m.broadcast_to(P, lu.shape[:-2] + P.shape[-2:]))
        self.unpacked = unpack_data
        return P, low, up

    def backward(self, gP, gL, gU):
        from .padding import pad
        if not self.unpacked:
            return None, None
        rows, cols = self.shape[-2:]
        k = min(rows, cols)
        gLU = 0
        if gL is not None:
            gLU = pad(tril(gL, -1), (0, cols - k))
        if gU is not None:
            gLU = gLU + pad(triu(gU), (0, 0, 0, rows - k))
        return gLU, None


@out_arg('lu_unpack', tuple_name='lu_unpack_out')
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from a packed LU and its pivots (empty tensors for the parts not asked for)."""
    return make_return('lu_unpack', *apply(LuUnpackBackward0, LU_data, LU_pivots, unpack_data=bool(unpack_data),
                                           unpack_pivots=bool(unpack_pivots)))


# ------------------------------------------------------------------ lu_solve

def _solve_checks(lu, piv, b, left):
    pre = 'ember.linalg.lu_solve'
    if lu.ndim < 2:
        raise RuntimeError(f'{pre}: The input tensor A must have at least 2 dimensions.')
    if lu.shape[-1] != lu.shape[-2]:
        raise RuntimeError(f'{pre}: A must be batches of square matrices, but they are {lu.shape[-2]} by '
                           f'{lu.shape[-1]} matrices')
    if lu.dtype.kind not in 'fc':
        raise RuntimeError(f'{pre}: Expected a floating point or complex tensor as input. Got {dtype_name(lu)}')
    if b.ndim < 2:
        raise RuntimeError('linalg.lu_solve: The input tensor B must have at least 2 dimensions.')
    if lu.dtype != b.dtype:
        raise RuntimeError(f'linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type '
                           f'{dtype_name(lu)} and B of type {dtype_name(b)} instead')
    if piv.dtype != np.int32:
        raise RuntimeError('linalg.lu_solve: pivots should be a Tensor of scalar type ember.int32')
    n = lu.shape[-1]
    if piv.ndim == 0 or piv.shape[-1] != n:
        raise RuntimeError('linalg.lu_solve: Number of pivots per batch should be same as the dimension of the matrix')
    if piv.shape != lu.shape[:-1]:
        raise RuntimeError(f'linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the same, but got '
                           f'pivots with shape [{", ".join(str(s) for s in piv.shape)}] instead')
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(f'linalg.lu_solve: Incompatible shapes of A and B for the equation '
                           f'{"AX = B" if left else "XA = B"} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})')
    if lu.dtype.itemsize == 2:
        raise NotImplementedError(f'"linalg.lu_solve_cpu" not implemented for \'{dtype_name(lu)}\'')
    if piv.size:
        if bool((piv < 1).any()):
            raise RuntimeError('Pivots given to lu_solve must all be greater or equal to 1. Did you properly '
                               'pass the result of lu_factor?')
        if bool((piv > n).any()):
            raise RuntimeError('Pivots given to lu_solve must all be smaller or equal to LU.size(-2). Did you '
                               'properly pass the result of lu_factor?')


class LinalgLuSolveBackward0(Op):
    saves = (0,)
    saves_output = True
    _free = ('piv',)

    def forward(self, lu, piv, b, left=True, adjoint=False):
        _solve_checks(lu, piv, b, left)
        self.left, self.adjoint, self.piv = left, adjoint, piv
        self.shapes = (lu.shape, b.shape)
        if left:
            return _colmajor(_lu_solve_raw(lu, piv, b, adjoint))
        x = _lu_solve_raw(lu, piv, _h(b), not adjoint)   # X A = B  <=>  A^H X^H = B^H
        return xp(x).ascontiguousarray(_h(x))

    def backward(self, g):
        LU, X = self.saved_tensors
        piv = Tensor._make(self.piv)
        need_lu, _, need_b = (e[0] is not None for e in self._next)
        gB = linalg_lu_solve(LU, piv, g, left=self.left, adjoint=not self.adjoint)
        gLU = None
        if need_lu:
            if self.left:
                gA = -(X.matmul(adj(gB)) if self.adjoint else gB.matmul(adj(X)))
            else:
                gA = -(adj(gB).matmul(X) if self.adjoint else adj(X).matmul(gB))
            n = LU.shape[-1]
            L, U = _unpack_t(LU, n)
            P = Tensor._make(_p_raw(self.piv, n, LU._data.dtype))
            PtgA = P.mT.matmul(gA)
            gLU = unbroadcast(tril(PtgA.matmul(adj(U)), -1) + triu(adj(L).matmul(PtgA)), self.shapes[0])
        return gLU, None, (unbroadcast(gB, self.shapes[1]) if need_b else None)


@out_arg('linalg_lu_solve')
def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """X with A X = B (``left``) or X A = B, A given by ``lu_factor``; ``adjoint`` solves with A^H."""
    return apply(LinalgLuSolveBackward0, LU, pivots, B, left=bool(left), adjoint=bool(adjoint))


# ------------------------------------------------------------------ legacy forms

_LU_WARNING = (
    'torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and will be removed in '
    'a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n'
    'LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n'
    'LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n'
    'LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)').replace('torch.', 'ember.')
_LU_SOLVE_WARNING = (
    'torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a future PyTorch '
    'release.\nNote that torch.linalg.lu_solve has its arguments reversed.\nX = torch.lu_solve(B, LU, pivots)\n'
    'should be replaced with\nX = torch.linalg.lu_solve(LU, pivots, B)').replace('torch.', 'ember.')


def lu(A, pivot=True, get_infos=False, out=None):
    """Legacy ember.lu / Tensor.lu: (LU, pivots), plus info when ``get_infos`` (else it raises)."""
    try:
        _warn_once(_LU_WARNING, 3)
        res = _factor(A, pivot, '')
        return make_return('_lu_with_info', *res) if get_infos else (res[0], res[1])
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('_lu_with_info', (A,), None, 'input')


def lu_solve(input, LU_data, LU_pivots, *, out=None):
    """Legacy ember.lu_solve(B, LU, pivots) = linalg.lu_solve(LU, pivots, B)."""
    _warn_once(_LU_SOLVE_WARNING, 3)
    return linalg_lu_solve(LU_data, LU_pivots, input)

__all__ = ['lu_unpack', 'lu', 'lu_solve', 'matrix_exp']
METHODS = {'lu': lu, 'lu_solve': lu_solve, 'matrix_exp': matrix_exp}
