"""Triangular solves (``linalg.solve_triangular``, legacy ``triangular_solve``) and the
non-raising Cholesky (``linalg.cholesky_ex``: an ``info`` code per matrix instead of an error).

NumPy has no triangular solver, so the forward solves with the masked triangle through
``linalg.solve`` (on CuPy as on NumPy); the backward is written with ember ops (so it can be
differentiated again):  for A X = B,  gB = A^-T g  and  gA = -gB X^T  kept on A's triangle."""
import warnings

import numpy as np

from .. import _dtype
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import xp, unbroadcast
from .linalg_decomp import LinalgCholeskyExBackward0, _cholesky_error, check_matrix, colmajor
from .return_types import _define, make_return
from .triangular import tril, triu
from .matmul import adj

_define('triangular_solve', ('solution', 'cloned_coefficient'))


def _masked(a, upper, unit):
    """The triangle of ``a`` that the solve reads (its diagonal replaced by ones if ``unit``)."""
    m = xp(a)
    t = m.triu(a) if upper else m.tril(a)
    if unit:
        n = a.shape[-1]
        t = t.copy()
        t[..., m.arange(n), m.arange(n)] = 1
    return t


def _solve(a, b, upper, left, unit):
    m = xp(a)
    t = _masked(a, upper, unit)
    if left:
        return m.linalg.solve(t, b)
    return m.linalg.solve(t.swapaxes(-1, -2), b.swapaxes(-1, -2)).swapaxes(-1, -2)


def _check(a, b, left, fname):
    if a.ndim < 2 or b.ndim < 2:
        bad = 'A' if a.ndim < 2 else 'B'
        raise RuntimeError(f'{fname}: The input tensor {bad} must have at least 2 dimensions.')
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f'{fname}: A must be batches of square matrices, but they are '
                           f'{a.shape[-2]} by {a.shape[-1]} matrices')
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        eq = 'AX = B' if left else 'XA = B'
        raise RuntimeError(f'{fname}: Incompatible shapes of A and B for the equation {eq} '
                           f'({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})')
    if a.dtype.kind not in 'fc':
        from .._tensor import _scalar_name
        raise NotImplementedError(f'"triangular_solve_cpu" not implemented for '
                                  f"'{_scalar_name(_dtype._FROM_NP[a.dtype])}'")


def _grads(A, X, g, upper, left, unit, need):
    """(gA, gB) of X = op(A)^-1 B (left) or B op(A)^-1 (right), from ember ops."""
    gB = solve_triangular(adj(A), g, upper=not upper, left=left, unitriangular=unit)
    gA = None
    if need:
        full = -(gB.matmul(adj(X)) if left else adj(X).matmul(gB))
        k = (1 if unit else 0) * (1 if upper else -1)
        gA = triu(full, k) if upper else tril(full, k)
    return gA, gB


class LinalgSolveTriangularBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, b, *, upper, left, unitriangular):
        _check(a, b, left, 'linalg.solve_triangular')
        self.upper, self.left, self.unit = upper, left, unitriangular
        self.shapes = (a.shape, b.shape)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        m = xp(a)
        a = m.broadcast_to(a, batch + a.shape[-2:])
        b = m.broadcast_to(b, batch + b.shape[-2:])
        return colmajor(_solve(a, b, upper, left, unitriangular))

    def backward(self, g):
        A, X = self.saved_tensors
        need_a, need_b = (e[0] is not None for e in self._next)
        gA, gB = _grads(A, X, g, self.upper, self.left, self.unit, need_a)
        return (unbroadcast(gA, self.shapes[0]) if need_a else None,
                unbroadcast(gB, self.shapes[1]) if need_b else None)


_REQUIRED = object()


def solve_triangular(input, B, *, upper=_REQUIRED, left=True, unitriangular=False, out=None):
    """X with A X = B (``left``) or X A = B, reading only A's upper or lower triangle; B is
    taken in A's dtype (as PyTorch does)."""
    if upper is _REQUIRED:
        raise TypeError('linalg_solve_triangular() missing 1 required positional arguments: "upper"')
    if B.dtype != input.dtype and input.dtype.is_floating_point:
        B = B.to(input.dtype)
    return apply(LinalgSolveTriangularBackward0, input, B, upper=bool(upper), left=bool(left),
                 unitriangular=bool(unitriangular))


class TriangularSolveBackward0(Op):
    saves = (0, 1)
    n_outputs = 2

    def forward(self, b, a, *, upper, transpose, unitriangular):
        _check(a, b, True, 'linalg.solve_triangular')
        self.upper, self.transpose, self.unit = upper, transpose, unitriangular
        self.shapes = (b.shape, a.shape)
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        m = xp(a)
        a = m.broadcast_to(a, batch + a.shape[-2:])
        b = m.broadcast_to(b, batch + b.shape[-2:])
        op_a = a.swapaxes(-1, -2) if transpose else a
        x = _solve(op_a, b, upper != transpose, True, unitriangular)
        self.x = x = colmajor(x)
        return x, colmajor(a.copy())

    _free = ('x',)

    def backward(self, gx, ga):
        B, A = self.saved_tensors
        from .._tensor import Tensor
        from ..autograd import grad_mode
        opA = A.mT if self.transpose else A
        if grad_mode.is_grad_enabled():           # double backward: X as a function of A and B
            X = solve_triangular(opA, B, upper=self.upper != self.transpose, unitriangular=self.unit)
        else:
            X = Tensor._make(self.x)
        need_b, need_a = (e[0] is not None for e in self._next)
        gB = gA = None
        if gx is not None:
            gopA, gB = _grads(opA, X, gx, self.upper != self.transpose, True, self.unit, need_a)
            gA = None if gopA is None else (gopA.mT if self.transpose else gopA)
        if ga is not None and need_a:
            gA = ga if gA is None else gA + ga
        return (unbroadcast(gB, self.shapes[0]) if need_b and gB is not None else None,
                unbroadcast(gA, self.shapes[1]) if need_a and gA is not None else None)


_warned = []


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Legacy torch.triangular_solve: (solution of op(A) X = b, a copy of A); deprecated."""
    if _amp.state.on and _amp.fp32('triangular_solve', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(triangular_solve, input, A, upper, transpose, unitriangular, out=out)
    if not _warned:
        _warned.append(True)
        warnings.warn('ember.triangular_solve is deprecated in favor of ember.linalg.solve_triangular and will '
                      'be removed in a future release.', UserWarning, stacklevel=2)
    x, a = apply(TriangularSolveBackward0, input, A, upper=bool(upper), transpose=bool(transpose),
                 unitriangular=bool(unitriangular))
    return make_return('triangular_solve', x, a)


def _partial_cholesky(a):
    """(L, info) per matrix, as LAPACK's unblocked potrf leaves them: the columns before the first
    failing pivot factored, that pivot's value (not positive) on the diagonal, the rest of A's lower
    triangle untouched; info = the order of the first leading minor that is not positive-definite."""
    m = xp(a)
    lo = m.tril(a).astype(a.dtype, copy=True)
    n = a.shape[-1]
    flat = lo.reshape(-1, n, n)
    info = np.zeros(flat.shape[0], np.int32)
    for i in range(flat.shape[0]):
        L = flat[i]
        for j in range(n):
            d = L[j, j] - (L[j, :j] ** 2).sum()
            if not float(d) > 0:
                L[j, j] = d
                info[i] = j + 1
                break
            L[j, j] = m.sqrt(d)
            if j + 1 < n:
                L[j + 1:, j] = (L[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return lo, info.reshape(a.shape[:-2])


class _CholeskyEx(LinalgCholeskyExBackward0):
    """linalg.cholesky_ex's node (PyTorch names it LinalgCholeskyExBackward0 as well)."""
    fname = 'linalg.cholesky_ex'

    def forward(self, a, upper=False, check_errors=False, box=None):
        check_matrix(a, self.fname, square=True, low='cholesky_cpu')
        self.upper = upper
        try:
            low = xp(a).linalg.cholesky(a)
            box.append(np.zeros(a.shape[:-2], np.int32))
        except np.linalg.LinAlgError:
            if check_errors:
                raise _cholesky_error(a, self.fname) from None
            low, info = _partial_cholesky(a)
            box.append(info)
        return colmajor(low.swapaxes(-1, -2) if upper else low)


_CholeskyEx.__name__ = _CholeskyEx.__qualname__ = 'LinalgCholeskyExBackward0'


def cholesky_ex(input, *, upper=False, check_errors=False, out=None):
    """(L, info): info is 0 where A is positive-definite, else the order of the first leading
    minor that is not (L is then only partly factored); raises only with ``check_errors``."""
    if _amp.state.on and _amp.fp32('cholesky_ex', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(cholesky_ex, input, upper=upper, check_errors=check_errors, out=out)
    from .._tensor import Tensor
    box = []
    L = apply(_CholeskyEx, input, upper=bool(upper), check_errors=bool(check_errors), box=box)
    return make_return('linalg_cholesky_ex', L, Tensor._make(xp(L._data).asarray(box[0])))


__all__ = ['triangular_solve']
METHODS = {'triangular_solve': triangular_solve}
