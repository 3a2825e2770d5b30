"""Solves with a Cholesky factor (``cholesky_solve``, ``cholesky_inverse``) and LAPACK's raw QR
(``geqrf``: Householder reflectors below the diagonal, R on and above it, and their scalars tau).

With A = L L^H (or U^H U when ``upper``), cholesky_solve(B, L) = A^-1 B is two triangular solves
(linalg_tri's raw solver) and cholesky_inverse(L) = A^-1. Backward is written in ember ops: for
X = A^-1 B, gB = A^-1 g and gA = -gB X^H, which reaches the factor as gL = (gA + gA^H) L
(gU = U (gA + gA^H) for the upper factor). geqrf reads LAPACK's own output through the array
module's ``qr(mode='raw')``; PyTorch has no derivative for it, and neither has ember.
"""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply
from ._promote import xp, unbroadcast
from .linalg_ops import colmajor, dtype_name, broadcast_batch, check_matrix
from .linalg_tri import _solve
from .matmul import adj
from .return_types import _define, make_return

_define('geqrf', ('a', 'tau'))
_define('geqrf_out', ('a', 'tau'))

__all__ = ['cholesky_solve', 'cholesky_inverse', 'geqrf']


def _need_tensor(fname, x, arg, pos):
    from .argcheck import need_tensor
    need_tensor(fname, x, arg, pos)


def _kernel(a, kernel):
    if a.dtype.kind not in 'fc' or a.dtype.itemsize == 2:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(a)}\'')


def _solve_factor(b, f, upper):
    """A^-1 b for A = f f^H (lower f) or f^H f (upper f), on raw arrays (batches already broadcast)."""
    fh = f.conj().swapaxes(-1, -2)
    if upper:
        return _solve(f, _solve(fh, b, False, True, False), True, True, False)
    return _solve(fh, _solve(f, b, False, True, False), True, True, False)


def _factor_grad(F, gA, upper):
    """The gradient reaching the Cholesky factor F from the gradient gA of A = F F^H (F^H F if upper)."""
    sym = gA + adj(gA)
    return F.matmul(sym) if upper else sym.matmul(F)


def _write_out(fname, out, res):
    from .sort import write_out
    write_out(fname, out if isinstance(out, (tuple, list)) else (out,),
              res if isinstance(res, tuple) else (res,))
    return out


# ------------------------------------------------------------------ cholesky_solve

class CholeskySolveBackward0(Op):
    saves = (1,)
    saves_output = True

    def forward(self, b, f, upper=False):
        if b.ndim < 2:
            raise RuntimeError(f'b should have at least 2 dimensions, but has {b.ndim} dimensions instead')
        if f.ndim < 2:
            raise RuntimeError(f'u should have at least 2 dimensions, but has {f.ndim} dimensions instead')
        if b.dtype != f.dtype:
            raise RuntimeError(f'Expected b and A to have the same dtype, but found b of type {dtype_name(b)} and A '
                               f'of type {dtype_name(f)} instead.')
        if f.shape[-1] != f.shape[-2]:
            raise RuntimeError(f'A must be batches of square matrices, but they are {f.shape[-2]} by '
                               f'{f.shape[-1]} matrices')
        if f.shape[-1] != b.shape[-2]:
            raise RuntimeError(f'Incompatible matrix sizes for cholesky_solve: each A matrix is {f.shape[-2]} by '
                               f'{f.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}')
        batch = broadcast_batch(b.shape[:-2], f.shape[:-2])
        _kernel(b, 'cholesky_solve_cpu')
        self.upper, self.shapes = upper, (b.shape, f.shape)
        m = xp(b)
        b = m.broadcast_to(b, batch + b.shape[-2:])
        f = m.broadcast_to(f, batch + f.shape[-2:])
        if b.size == 0 or f.size == 0:
            return colmajor(m.zeros(b.shape, b.dtype))
        return colmajor(_solve_factor(b, f, upper))

    def backward(self, g):
        F, X = self.saved_tensors
        need_b, need_f = (e[0] is not None for e in self._next)
        gB = cholesky_solve(g, F, self.upper)
        gF = None
        if need_f:
            gF = unbroadcast(_factor_grad(F, -gB.matmul(adj(X)), self.upper), self.shapes[1])
        return (unbroadcast(gB, self.shapes[0]) if need_b else None), gF


def cholesky_solve(input, input2, upper=False, *, out=None):
    """X with A X = ``input`` for A = L L^H given its Cholesky factor ``input2`` = L (lower), or
    A = U^H U with ``upper``; batched, the batch dimensions broadcast."""
    _need_tensor('cholesky_solve', input, 'input', 1)
    _need_tensor('cholesky_solve', input2, 'input2', 2)
    res = apply(CholeskySolveBackward0, input, input2, upper=bool(upper))
    return res if out is None else _write_out('cholesky_solve', out, res)


# ------------------------------------------------------------------ cholesky_inverse

class CholeskyInverseBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, f, upper=False):
        check_matrix(f, 'cholesky_inverse', square=True, kernel='cholesky_inverse_out_cpu')
        self.upper = upper
        m = xp(f)
        n = f.shape[-1]
        if f.size == 0:
            return colmajor(m.zeros(f.shape, f.dtype))
        e = m.broadcast_to(m.eye(n, dtype=f.dtype), f.shape)
        inv = _solve_factor(e, f, upper)
        # exactly Hermitian, as LAPACK's potri leaves it: the upper triangle, mirrored below
        return colmajor(m.triu(inv) + m.tril(inv.conj().swapaxes(-1, -2), -1))

    def backward(self, g):
        F, Y = self.saved_tensors
        return (_factor_grad(F, -Y.matmul(g).matmul(Y), self.upper),)   # gA = -Y^H g Y^H, Y = Y^H


def cholesky_inverse(input, upper=False, *, out=None):
    """A^-1 for A = L L^H given its Cholesky factor ``input`` = L (or A = U^H U with ``upper``)."""
    _need_tensor('cholesky_inverse', input, 'input', 1)
    res = apply(CholeskyInverseBackward0, input, upper=bool(upper))
    return res if out is None else _write_out('cholesky_inverse', out, res)


# ------------------------------------------------------------------ geqrf

def householder_qr(m, a):
    """LAPACK's geqrf on a batch (..., rows, cols), one column at a time with its conventions
    (xLARFG): beta = -sign(Re alpha) * ||(alpha, x)||, tau = (beta - alpha) / beta, v = x / (alpha - beta),
    and tau = 0 where the column below the diagonal is already zero (real alpha)."""
    a = a.copy()
    rows, cols = a.shape[-2:]
    k = min(rows, cols)
    tau = m.zeros(a.shape[:-2] + (k,), a.dtype)
    for j in range(k):
        alpha = a[..., j, j]
        below = a[..., j + 1:, j]
        xnorm = m.sqrt((below * below.conj()).real.sum(-1))
        skip = (xnorm == 0) & (alpha.imag == 0)
        norm = m.sqrt(alpha.real ** 2 + alpha.imag ** 2 + xnorm ** 2)
        beta = m.where(alpha.real >= 0, -norm, norm)
        safe_beta = m.where(skip, 1, beta)
        t = m.where(skip, 0, (beta - alpha) / safe_beta)
        scale = m.where(skip, 0, 1 / m.where(skip, 1, alpha - beta))
        v = below * scale[..., None]
        a[..., j + 1:, j] = m.where(skip[..., None], below, v)
        a[..., j, j] = m.where(skip, alpha, beta)
        tau[..., j] = t
        if j + 1 < cols:                       # apply H^H = I - conj(tau) v v^H to the columns on the right
            vfull = m.concatenate([m.ones(a.shape[:-2] + (1,), a.dtype), a[..., j + 1:, j]], -1)
            rest = a[..., j:, j + 1:]
            w = (vfull.conj()[..., :, None] * rest).sum(-2)
            a[..., j:, j + 1:] = rest - t.conj()[..., None, None] * vfull[..., :, None] * w[..., None, :]
    return a, tau


class GeqrfBackward0(Op):
    """(a, tau) as LAPACK's geqrf leaves them; PyTorch defines no derivative."""
    n_outputs = 2

    def forward(self, a):
        if a.ndim < 2:
            raise RuntimeError('ember.geqrf: input must have at least 2 dimensions.')
        _kernel(a, 'geqrf_cpu')
        m = xp(a)
        rows, cols = a.shape[-2:]
        k = min(rows, cols)
        if a.size == 0:
            return colmajor(m.zeros(a.shape, a.dtype)), m.zeros(a.shape[:-2] + (k,), a.dtype)
        if m is not np:                                 # the same reflectors, column by column, on the device
            h, tau = householder_qr(m, a)
            return colmajor(h), m.ascontiguousarray(tau)
        h, tau = np.linalg.qr(a.reshape((-1, rows, cols)), mode='raw')   # LAPACK's row-major view: (batch, n, m)
        h = h.swapaxes(-1, -2).astype(a.dtype, copy=False).reshape(a.shape)
        return colmajor(h), np.ascontiguousarray(tau.astype(a.dtype, copy=False).reshape(a.shape[:-2] + (k,)))

    def backward(self, ga, gtau):
        raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


def geqrf(input, *, out=None):
    """LAPACK's QR in compact form: R on and above the diagonal of ``a``, the Householder vectors
    below it (unit diagonal implied) and their scalars ``tau`` (use with orgqr / ormqr)."""
    _need_tensor('geqrf', input, 'input', 1)
    a, tau = apply(GeqrfBackward0, input)
    if out is not None:
        _write_out('geqrf', tuple(out), (a, tau))
        return make_return('geqrf_out', *out)
    return make_return('geqrf', a, tau)


METHODS = {'cholesky_solve': cholesky_solve, 'cholesky_inverse': cholesky_inverse, 'geqrf': geqrf}
