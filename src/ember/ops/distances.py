"""Distances between points: cdist (every row of one batch of sets against every row of another),
pdist (every pair of rows within one set) and dist (the p-norm of a difference).

Gradients follow PyTorch's distance kernels, including at coincident points, where the
gradient of the distance is taken as zero. For p == 2 and large sets, cdist takes PyTorch's
matmul route (|a|^2 - 2 a.b + |b|^2), node EuclideanDistBackward0, result a view.
"""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ._op import Op, apply
from ._promote import xp, result_dtype, unbroadcast
from .arith import Binary
from .creation import zeros_like
from .broadcast_errors import broadcast_mismatch
from .argcheck import bad_input, need_tensors

_INF = math.inf
_CDIST_MODES = {None: 0, 'use_mm_for_euclid_dist_if_necessary': 0, 'use_mm_for_euclid_dist': 1,
                'donot_use_mm_for_euclid_dist': 2}


def _pnorm(d, p, axis):
    """The p-norm of raw array ``d`` along ``axis`` (None: all of it); p == 0 counts non-zeros."""
    m = xp(d)
    a = m.abs(d)
    if p == 0:
        r = (a != 0).sum(axis)
    elif p == 1:
        r = a.sum(axis)
    elif p == 2:
        r = m.sqrt((a * a).sum(axis))
    elif p == _INF:
        r = a.max(axis) if a.size else m.zeros(a.shape[:-1] if axis == -1 else (), a.dtype)
    elif p == -_INF:
        r = a.min(axis)
    else:
        r = m.power(m.power(a, p).sum(axis), 1.0 / p)
    return m.asarray(r, dtype=a.dtype)


def _pair_grad(diff, dist, g, p):
    """d dist / d diff times the upstream gradient, pair by pair, as PyTorch's cdist/pdist kernels:
    zero where the distance (or, for p < 1, the coordinate difference) is zero."""
    from .compare import where
    if p == 0:
        return diff * 0
    if p == 1:
        return g * diff.sign()
    if p == _INF:
        return g * diff.sign() * (diff.abs() == dist)
    zero = dist == 0
    if p < 2:
        r = where(zero, 0.0, diff.sign() * diff.abs() ** (p - 1) * g / dist ** (p - 1))
        return where(diff == 0, 0.0, r) if p < 1 else r
    if p == 2:
        return where(zero, 0.0, g * diff / dist)
    return where(zero, 0.0, diff * diff.abs() ** (p - 2) * g / dist ** (p - 1))


def _dtype_checks(fname, a, b):
    for name, t in (('X1', a), ('X2', b)):
        if not t.is_floating_point():
            raise RuntimeError(f'{fname} only supports floating-point dtypes, {name} got: {_scalar_name(t.dtype)}')


# ------------------------------------------------------------------ cdist

class CdistBackward0(Op):
    saves = (0, 1)
    saves_output = True

    def forward(self, a, b, p):
        self.p, self.empty = p, not (a.shape[-2] and b.shape[-2] and a.shape[-1])
        if self.empty:              # zeros in x1's dtype (whatever x2's dtype), as PyTorch
            batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            return xp(a).zeros(batch + (a.shape[-2], b.shape[-2]), a.dtype)
        return xp(a).ascontiguousarray(_pnorm(a[..., :, None, :] - b[..., None, :, :], p, -1))

    def backward(self, g):
        a, b, out = self.saved_tensors
        if self.empty:
            return zeros_like(a), zeros_like(b)
        diff = a.unsqueeze(-2) - b.unsqueeze(-3)
        term = _pair_grad(diff, out.unsqueeze(-1), g.unsqueeze(-1), self.p)
        return unbroadcast(term.sum(-2), a.shape), unbroadcast(-term.sum(-3), b.shape)


class EuclideanDistBackward0(Op):
    """p = 2 distances through one matmul: [-2a, |a|^2, 1] @ [b, 1, |b|^2]^T, clamped, square-rooted."""
    saves = (0, 1)
    saves_output = True

    def forward(self, a, b):
        m = xp(a)
        an = (a * a).sum(-1, keepdims=True)
        bn = (b * b).sum(-1, keepdims=True)
        left = m.concatenate([a * -2, an, m.ones_like(an)], -1)
        right = m.concatenate([b, m.ones_like(bn), bn], -1)
        sq = m.matmul(left, m.swapaxes(right, -1, -2))
        return m.sqrt(m.maximum(sq, a.dtype.type(1e-30)))

    def backward(self, g):
        from .compare import where
        a, b, res = self.saved_tensors
        ratio = where(res == 0, 0.0, g / res)
        ga = a * ratio.sum(-1, keepdim=True) - ratio.matmul(b)
        gb = b * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(a)
        return unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)


def _euclid(x1, x2):
    batch = tuple(np.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2])))
    r1, r2, c = x1.shape[-2], x2.shape[-2], x1.shape[-1]
    count = math.prod(batch)
    if count != 1:
        x1 = x1.expand(batch + (r1, c)).reshape(count, r1, c)
        x2 = x2.expand(batch + (r2, c)).reshape(count, r2, c)
    return apply(EuclideanDistBackward0, x1, x2).view(batch + (r1, r2))


def cdist(x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'):
    """The p-norm distance between each row of x1 (..., R1, C) and each row of x2 (..., R2, C)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f'{compute_mode} is not a valid value for compute_mode')
    mode = _CDIST_MODES[compute_mode]
    for name, t in (('X1', x1), ('X2', x2)):
        if t.ndim < 2:
            raise RuntimeError(f'cdist only supports at least 2D tensors, {name} got: {t.ndim}D')
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f'X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}')
    _dtype_checks('cdist', x1, x2)
    p = float(p)
    if p < 0:
        raise RuntimeError('cdist only supports non-negative p values')
    err = broadcast_mismatch((x1.shape[:-2], x2.shape[:-2]))
    if err is not None:
        raise err
    if not (x1.shape[-2] and x2.shape[-2] and x1.shape[-1]):       # empty: no dtype checks (as PyTorch)
        return apply(CdistBackward0, x1, x2, p=p)
    if x1.dtype != x2.dtype:
        raise RuntimeError(f'expected scalar type {_scalar_name(x1.dtype)} but found {_scalar_name(x2.dtype)}')
    if x1.dtype in (_dtype.float16, _dtype.bfloat16):
        raise NotImplementedError(f'"cdist" not implemented for \'{_scalar_name(x1.dtype)}\'')
    r1, r2 = x1.shape[-2], x2.shape[-2]
    if x1.numel() and x2.numel() and p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        return _euclid(x1, x2)
    return apply(CdistBackward0, x1, x2, p=p)


# ------------------------------------------------------------------ pdist

class PdistBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, p):
        self.p = p
        i, j = xp(a).triu_indices(a.shape[0], 1)
        return _pnorm(a[i] - a[j], p, -1)

    def backward(self, g):
        x, out = self.saved_tensors
        m = xp(x._data)
        i, j = (Tensor._make(k) for k in m.triu_indices(x.shape[0], 1))
        diff = x.index_select(0, i) - x.index_select(0, j)
        term = _pair_grad(diff, out.unsqueeze(-1), g.unsqueeze(-1), self.p)
        return zeros_like(x).index_add(0, i, term).index_add(0, j, -term)


def pdist(input, p=2):
    """The p-norm distance between every pair of rows i < j of a 2-D input, in row-major pair order."""
    try:
        if input.ndim != 2:
            raise RuntimeError(f'pdist only supports 2D tensors, got: {input.ndim}D')
        if not input.is_floating_point():
            raise RuntimeError('pdist only supports floating-point dtypes')
        if p < 0:
            raise RuntimeError('pdist only supports non-negative p values')
        if input.dtype.itemsize == 2:
            from .._tensor import _scalar_name
            raise NotImplementedError(f'"pdist" not implemented for \'{_scalar_name(input.dtype)}\'')
        return apply(PdistBackward0, input, p=float(p))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('pdist', (input,))


# ------------------------------------------------------------------ dist

class DistBackward0(Binary):
    saves = (0, 1)
    saves_output = True

    def forward(self, a, b, p):
        from .arith_support import sub_check
        m = xp(a)
        sub_check(a, b)                                # input - other is PyTorch's first step
        np.broadcast_shapes(a.shape, b.shape)          # a broadcast error first, as PyTorch
        nd = result_dtype(a, b)
        if not (nd.is_floating_point or nd.is_complex):
            raise RuntimeError(f'norm(): input dtype should be either floating point or complex. Got '
                               f'{_scalar_name(nd)} instead.')
        self.p = p
        self.metas = ((a.shape, a.dtype), (b.shape, b.dtype))
        diff = m.subtract(a, b, dtype=nd.np)
        if diff.size == 0 and (p < 0 or p == _INF):
            from .stats import _no_identity
            _no_identity(diff, p, None)
        if diff.size == 1 and p != 0:                  # PyTorch's norm of one element: |x|, no power taken
            return m.abs(diff).reshape(())
        return _pnorm(diff, p, None)

    def backward(self, g):
        from .compare import where
        a, b, out = self.saved_tensors
        x, p = a - b, self.p
        if p == 0:
            return None, None
        sign = x.sgn if x.is_complex() else x.sign      # complex: z / |z|
        if p == 1:
            gx = sign() * g
        elif p == 2:
            gx = g * where(out == 0, 0.0, x / out)
        elif p in (_INF, -_INF):
            mask = (x.abs() == out) | x.isnan()
            gx = sign() * ((g / mask.sum()) * mask)        # a mask product, as PyTorch (inf g: nan)
        elif p < 1:
            gx = sign() * where(x == 0, 0.0, x.abs() ** (p - 1)) * g * out ** (1 - p)
        elif p < 2:
            gx = sign() * x.abs() ** (p - 1) * where(out == 0, 0.0, g / out ** (p - 1))
        else:
            gx = x * x.abs() ** (p - 2) * where(out == 0, 0.0, g / out ** (p - 1))
        return self._fit((gx, -gx))


def dist(input, other, p=2):
    """The p-norm of input - other (broadcast), as a 0-dim tensor."""
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        need_tensors('dist', (input, other))
    if isinstance(p, Tensor):
        p = p.item()
    return apply(DistBackward0, input, other, p=float(p))


def dist_method(self, other, p=2):
    """``t.dist(other)``: PyTorch's message counts the arguments after the tensor."""
    if other.__class__ is not Tensor:
        need_tensors('dist', (self, other), method=True)
    return dist(self, other, p)
