"""Raw kernels of the LU family, on the inputs' array module (NumPy or CuPy): Gaussian elimination
with partial pivoting as LAPACK's getrf, the permutation of its pivots, unpacking, and the solve
with a packed LU as getrs (its triangular solves give inf/nan at a zero pivot, as LAPACK)."""
import numpy as np

from ._promote import xp
from .linalg_tri import _solve as _tri_solve


def _lu_raw(a):
    """(packed LU, 1-based int32 pivots, int32 info) of every matrix of a batch."""
    m = xp(a)
    rows, cols = a.shape[-2:]
    k = min(rows, cols)
    batch = a.shape[:-2]
    b = int(np.prod(batch))               # (explicit: a reshape to -1 fails on empty matrices)
    w = m.array(a.reshape((b, rows, cols)), copy=True)
    ar = m.arange(b)
    piv = m.empty((b, k), np.int32)
    info = m.zeros(b, np.int32)
    for j in range(k):
        col = w[:, j:, j]                 # complex: |re| + |im|, as LAPACK's izamax
        p = m.argmax(m.abs(col.real) + m.abs(col.imag) if col.dtype.kind == 'c' else m.abs(col), axis=1) + j
        piv[:, j] = p + 1
        row = w[ar, j].copy()
        w[ar, j] = w[ar, p]
        w[ar, p] = row
        d = w[:, j, j]
        zero = d == 0
        info = m.where((info == 0) & zero, j + 1, info).astype(np.int32)
        if j + 1 < rows:
            w[:, j + 1:, j] /= m.where(zero, 1, d)[:, None]
            if j + 1 < cols:
                w[:, j + 1:, j + 1:] -= w[:, j + 1:, j, None] * w[:, j, None, j + 1:]
    return (w.reshape(batch + (rows, cols)), piv.reshape(batch + (k,)), info.reshape(batch))


def _perm_raw(piv, rows):
    """The row order the pivots' swaps produce: P^T A has row i = A[perm[i]]."""
    m = xp(piv)
    batch = piv.shape[:-1]
    b = int(np.prod(batch))
    perm = m.array(m.broadcast_to(m.arange(rows), batch + (rows,)), copy=True).reshape(b, rows)
    p = piv.reshape(b, piv.shape[-1]).astype(np.int64) - 1
    ar = m.arange(perm.shape[0])
    for j in range(p.shape[1]):
        here = perm[:, j].copy()
        perm[:, j] = perm[ar, p[:, j]]
        perm[ar, p[:, j]] = here
    return perm.reshape(batch + (rows,))


def _p_raw(piv, rows, dtype):
    """The permutation matrix P (A = P L U) of pivots, in ``dtype``."""
    m = xp(piv)
    perm = _perm_raw(piv, rows)
    return (perm[..., :, None] == m.arange(rows)).swapaxes(-1, -2).astype(dtype)


def _unpack_raw(lu, k):
    """Unit lower L (m x k) and upper U (k x n) of a packed LU, both row-major."""
    m = xp(lu)
    rows, cols = lu.shape[-2:]
    low = m.tril(lu[..., :, :k], -1)
    low[..., m.arange(k), m.arange(k)] = 1
    return m.ascontiguousarray(low), m.ascontiguousarray(m.triu(lu[..., :k, :]))


def _apply_rows(perm, b):
    """Rows of b taken in the order perm (batch dims broadcast)."""
    m = xp(b)
    idx = m.broadcast_to(perm[..., :, None], b.shape[:-2] + (perm.shape[-1], b.shape[-1]))
    return m.take_along_axis(b, idx, axis=-2)


def _lu_solve_raw(lu, piv, b, adjoint):
    """X with A X = B (or A^H X = B when ``adjoint``), A = P L U given packed."""
    m = xp(lu)
    n = lu.shape[-1]
    batch = np.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
    lu = m.broadcast_to(lu, batch + lu.shape[-2:])
    b = m.broadcast_to(b, batch + b.shape[-2:])
    perm = m.broadcast_to(_perm_raw(piv, n), batch + (n,))
    if n == 0 or b.size == 0:
        return m.zeros(b.shape, b.dtype)
    if not adjoint:                       # U^-1 L^-1 P^T B
        y = _tri_solve(lu, _apply_rows(perm, b), False, True, True)
        return _tri_solve(lu, y, True, True, False)
    lt = lu.swapaxes(-1, -2)              # P L^-H U^-H B
    if lt.dtype.kind == 'c':
        lt = lt.conj()
    y = _tri_solve(lt, b, False, True, False)
    y = _tri_solve(lt, y, True, True, True)
    return _apply_rows(m.argsort(perm, axis=-1), y)
