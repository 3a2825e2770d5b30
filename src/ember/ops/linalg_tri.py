"""Triangular solves (``linalg.solve_triangular``, legacy ``triangular_solve``) and the Cholesky
factorization (``linalg.cholesky``, legacy ``cholesky``, and ``linalg.cholesky_ex``: an ``info`` code
per matrix instead of an error).

NumPy has no triangular solver, so the forward solves with the masked triangle through
``linalg.solve`` (on CuPy as on NumPy), or by substitution when the diagonal holds a zero (inf/nan
as PyTorch gives, where linalg.solve would raise); the backward is written with ember ops (so it can be
differentiated again):  for A X = B,  gB = A^-T g  and  gA = -gB X^T  kept on A's triangle."""
import numpy as np

from .. import _dtype
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import xp, unbroadcast
from .linalg_ops import check_matrix, colmajor, solve, host_batch, batch_prefix, _LinAlgError
from .linalg_more import _h
from .arith_support import out_arg
from .from_data import _warn_once
from .return_types import _define, make_return
from .triangular import tril, triu, diag_embed
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


def _substitute(t, b, upper):
    """X with T X = B by substitution, one row of X per step, vectorised over the batch and the
    columns of B: a zero on T's diagonal gives inf/nan as LAPACK's trsm does (no error)."""
    m = xp(t)
    n = t.shape[-1]
    x = m.zeros(np.broadcast_shapes(t.shape[:-1], b.shape[:-2] + (n,)) + b.shape[-1:],
                np.result_type(t.dtype, b.dtype))
    with np.errstate(divide='ignore', invalid='ignore'):
        for k in (range(n - 1, -1, -1) if upper else range(n)):
            done = slice(k + 1, n) if upper else slice(0, k)
            x[..., k, :] = (b[..., k, :] - (t[..., k, None, done] @ x[..., done, :])[..., 0, :]) / t[..., k, k, None]
    return x


def _solve(a, b, upper, left, unit):
    m = xp(a)
    t = _masked(a, upper, unit)
    if not left:                       # X A = B  <=>  A^T X^T = B^T
        t, b, upper = t.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper
    if unit or bool(m.diagonal(t, 0, -2, -1).all()):
        x = m.linalg.solve(t, b)
    else:                              # a zero pivot: substitution (inf/nan, as PyTorch)
        x = _substitute(t, b, upper)
    return x if left else x.swapaxes(-1, -2)


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
    if a.dtype.kind not in 'fc' or a.dtype.itemsize == 2:
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


def _scalar_type_error(out, r):
    from .._tensor import _scalar_name
    return RuntimeError(f'expected scalar type {_scalar_name(r.dtype)} but found {_scalar_name(out.dtype)}')


@out_arg('linalg_solve_triangular', _scalar_type_error)
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


@out_arg('triangular_solve', tuple_name='triangular_solve_out')
def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Legacy torch.triangular_solve: (solution of op(A) X = b, a copy of A); deprecated."""
    if _amp.state.on and _amp.fp32('triangular_solve', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(triangular_solve, input, A, upper, transpose, unitriangular, out=out)
    _warn_once('ember.triangular_solve is deprecated in favor of ember.linalg.solve_triangularand will be removed '
               'in a future PyTorch release.\nember.linalg.solve_triangular has its arguments reversed and does not '
               'return a copy of one of the inputs.\nX = ember.triangular_solve(B, A).solution\nshould be replaced '
               'with\nX = ember.linalg.solve_triangular(A, B).', 4)
    x, a = apply(TriangularSolveBackward0, input, A, upper=bool(upper), transpose=bool(transpose),
                 unitriangular=bool(unitriangular))
    return make_return('triangular_solve', x, a)


# ------------------------------------------------------------------ cholesky

def _cholesky_error(a, fname):
    """Which matrix of the batch, and the order of its first leading minor that is not positive-definite."""
    for i, m in enumerate(host_batch(a)):
        k = next((k for k in range(1, m.shape[0] + 1) if not _is_pd(m[:k, :k])), 0)
        if k:
            break
    return _LinAlgError(f'{fname}: {batch_prefix(a, i)}The factorization could not be completed because the '
                        f'input is not positive-definite (the leading minor of order {k} is not positive-definite).')


def _is_pd(m):
    try:
        np.linalg.cholesky(m)
    except np.linalg.LinAlgError:
        return False
    return True


class LinalgCholeskyExBackward0(Op):
    saves_output = True
    fname = 'linalg.cholesky'

    def forward(self, a, upper=False):
        check_matrix(a, self.fname, square=True, low='cholesky_cpu')
        try:
            low = xp(a).linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _cholesky_error(a, self.fname) from None
        self.upper = upper
        return colmajor(_h(low) if upper else low)

    def backward(self, g):
        out, = self.saved_tensors
        L, gL = (adj(out), adj(g)) if self.upper else (out, g)
        P = tril(adj(L).matmul(gL))
        P = P - 0.5 * diag_embed(P.diagonal(0, -2, -1))
        gA = solve(L, solve(adj(L), P), left=False)      # L^-H P L^-1
        return 0.5 * (gA + adj(gA))


class CholeskyBackward0(LinalgCholeskyExBackward0):
    fname = 'cholesky'


@out_arg('linalg_cholesky')
def linalg_cholesky(input, *, upper=False, out=None):
    if _amp.state.on and _amp.fp32('cholesky', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(linalg_cholesky, input, upper=upper, out=out)
    return apply(LinalgCholeskyExBackward0, input, upper=bool(upper))


@out_arg('cholesky', False)
def cholesky(input, upper=False, *, out=None):
    """Legacy torch.cholesky (deprecated in PyTorch in favour of linalg.cholesky)."""
    if _amp.state.on and _amp.fp32('cholesky', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(cholesky, input, upper, out=out)
    _warn_once('ember.cholesky is deprecated in favor of ember.linalg.cholesky and will be removed in a future '
               'PyTorch release.\nL = ember.cholesky(A)\nshould be replaced with\nL = ember.linalg.cholesky(A)\nand'
               '\nU = ember.cholesky(A, upper=True)\nshould be replaced with\nU = ember.linalg.cholesky(A).mH\n'
               'This transform will produce equivalent results for all valid (symmetric positive definite) '
               'inputs.', 4)
    return apply(CholeskyBackward0, input, upper=bool(upper))


def _partial_cholesky(a):
    """(L, info) per matrix, as LAPACK's unblocked potrf leaves them: the columns before the first
    failing pivot factored, that pivot's value (not positive) on the diagonal, the rest of A's lower
    triangle untouched; info = the order of the first leading minor that is not positive-definite."""
    m = xp(a)
    lo = m.tril(a).astype(a.dtype, copy=True)
    n = a.shape[-1]
    flat = lo.reshape(-1, n, n)
    info = np.zeros(flat.shape[0], np.int32)
    whole = a.reshape(-1, n, n)
    for i in range(flat.shape[0]):
        L = flat[i]
        try:                            # LAPACK's own verdict first: near-singular matrices it factors stay so
            L[...] = m.linalg.cholesky(whole[i])
            continue
        except np.linalg.LinAlgError:
            pass
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
        check_matrix(a, 'linalg.cholesky', square=True, low='cholesky_cpu')
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


@out_arg('linalg_cholesky_ex', tuple_name='linalg_cholesky_ex_out')
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
