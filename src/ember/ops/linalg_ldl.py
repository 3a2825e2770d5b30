"""``linalg.ldl_factor`` / ``ldl_factor_ex`` / ``ldl_solve``: the Bunch-Kaufman LDL^T (LDL^H)
factorization of symmetric or Hermitian indefinite matrices, as LAPACK's sytrf/hetrf (lower) and
sytrs/hetrs compute it, so that ``LD`` and ``pivots`` read as PyTorch's do.

``LD`` holds the unit lower factor L below its diagonal and the 1x1 / 2x2 blocks of D on (and
just below) it; the upper triangle is zero. ``pivots`` are 1-based: a positive entry k means
rows/columns k and pivots[k] were swapped for a 1x1 block; two equal negative entries -p mark a
2x2 block whose second row was swapped with p. Only the lower triangle of A is read.

The pivoting is a scalar decision per column, so each matrix is factored with a column loop on
the host (the result goes back to the input's array module). PyTorch has no derivative for
either function: the graph records a node whose backward raises, as PyTorch's does.
"""
import math

import numpy as np

from ._op import NotImplementedNode, apply
from ._promote import xp
from .linalg_ops import check_matrix, colmajor, dtype_name, broadcast_batch
from .arith_support import out_arg
from .return_types import _define, make_return

for _n, _f in (('linalg_ldl_factor', ('LD', 'pivots')), ('linalg_ldl_factor_ex', ('LD', 'pivots', 'info'))):
    _define(_n, _f)
    _define(_n + '_out', _f)

_ALPHA = (1 + math.sqrt(17)) / 8          # Bunch-Kaufman's threshold
_ASSERT = ('false INTERNAL ASSERT FAILED at "/__w/pytorch/pytorch/aten/src/ATen/native/BatchLinearAlgebra.cpp":'
           '1642, please report a bug to PyTorch. ember.linalg.{}: Unknown error code: {}.')


def _host(a):
    return np.asarray(a.get() if hasattr(a, 'get') else a)


# ------------------------------------------------------------------ kernels (one host matrix each)

def _cabs1(v):
    """BLAS's |re| + |im| (plain |v| for real)."""
    return np.abs(v.real) + np.abs(v.imag) if v.dtype.kind == 'c' else np.abs(v)


def _iamax(v):
    """BLAS i?amax: the first largest entry (a NaN never wins unless it comes first)."""
    if np.isnan(v[0]):
        return 0
    return int(np.argmax(np.where(np.isnan(v), -1, v)))


def _factor_one(a, herm):
    """sytf2 / hetf2 (lower) on the square host array ``a`` in place: (pivots, info)."""
    n = a.shape[0]
    herm = herm and a.dtype.kind == 'c'
    cj = np.conj if herm else (lambda v: v)
    alpha = a.real.dtype.type(_ALPHA)
    dabs = (lambda z: abs(z.real)) if herm else _cabs1
    piv = np.zeros(n, np.int32)
    info, k = 0, 0
    while k < n:
        kstep, absakk, colmax = 1, dabs(a[k, k]), a.real.dtype.type(0)
        if k < n - 1:
            col = _cabs1(a[k + 1:, k])
            i = _iamax(col)
            imax, colmax = k + 1 + i, col[i]
        if (absakk if absakk > colmax else colmax) == 0:
            info, kp = info or k + 1, k
            if herm:
                a[k, k] = a[k, k].real
        else:
            if absakk >= alpha * colmax:
                kp = k
            else:
                row = _cabs1(a[imax, k:imax])
                rowmax = row[_iamax(row)]
                if imax < n - 1:
                    below = _cabs1(a[imax + 1:, imax])
                    rowmax = max(rowmax, below[_iamax(below)])
                if absakk >= alpha * colmax * (colmax / rowmax):
                    kp = k
                elif dabs(a[imax, imax]) >= alpha * rowmax:
                    kp = imax
                else:
                    kp, kstep = imax, 2
            kk = k + kstep - 1
            if kp != kk:                 # swap rows/columns kk and kp of the trailing part
                a[kp + 1:, [kk, kp]] = a[kp + 1:, [kp, kk]]
                seg = cj(a[kk + 1:kp, kk].copy())
                a[kk + 1:kp, kk] = cj(a[kp, kk + 1:kp])
                a[kp, kk + 1:kp] = seg
                if herm:
                    a[kp, kk] = np.conj(a[kp, kk])
                    a[k, k] = a[k, k].real
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if herm:
                    a[kk, kk], a[kp, kp] = a[kk, kk].real, a[kp, kp].real
                if kstep == 2:
                    a[[k + 1, kp], k] = a[[kp, k + 1], k]
            elif herm:
                a[k, k] = a[k, k].real
                if kstep == 2:
                    a[k + 1, k + 1] = a[k + 1, k + 1].real
            if kstep == 1 and k < n - 1:
                r = 1 / (a[k, k].real if herm else a[k, k])
                x = a[k + 1:, k]
                a[k + 1:, k + 1:] += x[:, None] * (-r * cj(x))[None, :]
                a[k + 1:, k] *= r
            elif kstep == 2 and k < n - 2:
                _block2(a, k, herm)
            if herm:
                idx = np.arange(k + kstep, n)
                a[idx, idx] = a[idx, idx].real
        if kstep == 1:
            piv[k] = kp + 1
        else:
            piv[k] = piv[k + 1] = -(kp + 1)
        k += kstep
    return piv, info


def _block2(a, k, herm):
    """The rank-2 update after a 2x2 pivot block at k, k+1 (LAPACK's formulas and rounding)."""
    ak, ak1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
    if herm:
        d = abs(a[k + 1, k])
        d11, d22 = a[k + 1, k + 1].real / d, a[k, k].real / d
        tt = 1 / (d11 * d22 - 1)
        d21 = a[k + 1, k] / d
        d = tt / d
        wk, wk1 = d * (d11 * ak - d21 * ak1), d * (d22 * ak1 - np.conj(d21) * ak)
        a[k + 2:, k + 2:] -= ak[:, None] * np.conj(wk)[None, :] + ak1[:, None] * np.conj(wk1)[None, :]
    else:
        d21 = a[k + 1, k]
        d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
        t = 1 / (d11 * d22 - 1)
        d21 = t / d21
        wk, wk1 = d21 * (d11 * ak - ak1), d21 * (d22 * ak1 - ak)
        a[k + 2:, k + 2:] -= ak[:, None] * wk[None, :] + ak1[:, None] * wk1[None, :]
    a[k + 2:, k], a[k + 2:, k + 1] = wk, wk1


def _solve_one(ld, piv, b, herm):
    """sytrs / hetrs (lower): B overwritten by A^-1 B, A given by (ld, piv)."""
    n = ld.shape[0]
    herm = herm and ld.dtype.kind == 'c'
    cj = np.conj if herm else (lambda v: v)
    k = 0
    while k < n:                           # L D Y = P^T B, forward
        p = int(piv[k])
        if p > 0 or k == n - 1:
            kp = abs(p) - 1
            b[[k, kp]] = b[[kp, k]]
            b[k + 1:] += ld[k + 1:, k, None] * -b[k]
            b[k] *= 1 / (ld[k, k].real if herm else ld[k, k])
            k += 1
            continue
        kp = -p - 1
        b[[k + 1, kp]] = b[[kp, k + 1]]
        if k < n - 2:
            b[k + 2:] += ld[k + 2:, k, None] * -b[k]
            b[k + 2:] += ld[k + 2:, k + 1, None] * -b[k + 1]
        akm1k = ld[k + 1, k]
        akm1, ak = ld[k, k] / cj(akm1k), ld[k + 1, k + 1] / akm1k
        denom = akm1 * ak - 1
        bkm1, bk = b[k] / cj(akm1k), b[k + 1] / akm1k
        b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
        k += 2
    k = n - 1
    while k >= 0:                          # L^T X = Y (L^H for Hermitian), backward
        p = int(piv[k])
        if k < n - 1:
            b[k] -= cj(ld[k + 1:, k]) @ b[k + 1:]
        if p < 0 and k > 0:
            if k < n - 1:
                b[k - 1] -= cj(ld[k + 1:, k - 1]) @ b[k + 1:]
            b[[k, -p - 1]] = b[[-p - 1, k]]
            k -= 2
            continue
        b[[k, abs(p) - 1]] = b[[abs(p) - 1, k]]
        k -= 1
    return b


# ------------------------------------------------------------------ ops

class LinalgLdlFactorExBackward0(NotImplementedNode):
    aten = 'linalg_ldl_factor_ex'
    n_outputs = 3
    nondiff_outputs = (1, 2)

    def forward(self, a, hermitian=False, check=None):
        check_matrix(a, 'ember.linalg.ldl_factor_ex', square=True, low='ldl_factor_kernel_cpu')
        n = a.shape[-1]
        batch = a.shape[:-2]
        w = np.array(_host(a), copy=True).reshape((int(np.prod(batch)), n, n))
        piv = np.zeros((w.shape[0], n), np.int32)
        info = np.zeros(w.shape[0], np.int32)
        for i in range(w.shape[0]):
            piv[i], info[i] = _factor_one(w[i], hermitian)
        if check and info.any():
            raise RuntimeError(_ASSERT.format(check, int(info[np.flatnonzero(info)[0]])))
        m = xp(a)
        ld = m.asarray(np.tril(w).reshape(a.shape))
        return colmajor(ld), m.asarray(piv.reshape(batch + (n,))), m.asarray(info.reshape(batch))


def _factor(A, hermitian, check):
    if type(hermitian) is not bool:
        raise TypeError(f"linalg_{check or 'ldl_factor_ex'}(): argument 'hermitian' "
                        f"must be bool, not {type(hermitian).__name__}")
    return apply(LinalgLdlFactorExBackward0, A, hermitian=hermitian, check=check)


@out_arg('linalg_ldl_factor_ex', tuple_name='linalg_ldl_factor_ex_out')
def ldl_factor_ex(input, *, hermitian=False, check_errors=False, out=None):
    """(LD, pivots, info): the compact LDL factorization, LAPACK's 1-based pivots and per matrix
    info (k > 0: D[k-1, k-1] is exactly zero)."""
    return make_return('linalg_ldl_factor_ex', *_factor(input, hermitian, 'ldl_factor_ex' if check_errors else ''))


@out_arg('linalg_ldl_factor', tuple_name='linalg_ldl_factor_out')
def ldl_factor(input, *, hermitian=False, out=None):
    """(LD, pivots) of A = ``input`` = L D L^T (L D L^H when ``hermitian``); raises when D is singular."""
    return make_return('linalg_ldl_factor', *_factor(input, hermitian, 'ldl_factor')[:2])


def _solve_checks(ld, piv, b):
    pre = 'ember.linalg.ldl_solve'
    check_matrix(ld, pre, square=True)
    if b.ndim < 2:
        raise IndexError(f'Dimension out of range (expected to be in range of [-{max(b.ndim, 1)}, '
                         f'{max(b.ndim, 1) - 1}], but got -2)')
    if ld.dtype != b.dtype:
        raise RuntimeError(f'Expected b and A to have the same dtype, but found b of type {dtype_name(b)} and A of '
                           f'type {dtype_name(ld)} instead.')
    n = ld.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(f'Incompatible matrix sizes for ember.linalg.ldl_solve: each A matrix is {n} by {n} but '
                           f'each b matrix is {b.shape[-2]} by {b.shape[-1]}')
    if piv.shape != ld.shape[:-1]:
        raise RuntimeError(f'{pre}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with '
                           f'shape [{", ".join(str(s) for s in piv.shape)}] instead')
    if piv.dtype.kind not in 'iu':
        raise RuntimeError(f'{pre}: Expected pivots to be integers. Got {dtype_name(piv)}')
    if ld.dtype.itemsize == 2:
        raise NotImplementedError(f'"ldl_solve_kernel_cpu" not implemented for \'{dtype_name(ld)}\'')
    if piv.size:
        p = np.abs(_host(piv))
        for bad, word in ((p > n, '<= LD.size(-2)'), (p < 1, '>= 1')):
            if bad.any():
                raise RuntimeError(f'Pivots given to ldl_solve must all satisfy |pivot| {word}. Did you properly '
                                   'pass the result of ldl_factor?')


class LinalgLdlSolveBackward0(NotImplementedNode):
    aten = 'linalg_ldl_solve'

    def forward(self, ld, piv, b, hermitian=False):
        _solve_checks(ld, piv, b)
        n = ld.shape[-1]
        batch = broadcast_batch(b.shape[:-2], ld.shape[:-2])
        nb = int(np.prod(batch))
        lds = np.broadcast_to(_host(ld), batch + ld.shape[-2:]).reshape((nb, n, n))
        pivs = np.broadcast_to(_host(piv), batch + (n,)).reshape((nb, n))
        out = np.array(np.broadcast_to(_host(b), batch + b.shape[-2:]), copy=True).reshape((nb,) + b.shape[-2:])
        for i in range(out.shape[0]):
            _solve_one(lds[i], pivs[i], out[i], hermitian)
        return colmajor(xp(b).asarray(out.reshape(batch + b.shape[-2:])))


@out_arg('linalg_ldl_solve')
def ldl_solve(LD, pivots, B, *, hermitian=False, out=None):
    """X with A X = B, A given by ``ldl_factor``'s (LD, pivots) (batch dims broadcast)."""
    return apply(LinalgLdlSolveBackward0, LD, pivots, B, hermitian=bool(hermitian))
