"""histogramdd: the D-dimensional histogram of points given as the rows of ``input`` (..., D).

Each dimension gets its own bin edges: equal bins over ``range`` (or that dimension's data
range) or the edges the caller gives. A point counts (or adds its ``weight``) in the cell its
coordinates fall in; the last edge of each dimension is inclusive and points outside any
dimension's edges are dropped. Like ``histogram`` (ops/bins.py: bisection and the bin counting
are shared with it) there is no gradient: the results record PyTorch's NotImplemented node.
"""
import builtins

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _TYPE_NAMES, _scalar_name
from ._op import apply
from ._promote import xp
from .bins import _NotImplemented, _counts, _fits, bisect
from .ranges import _fmt
from .return_types import _define, make_return

_define('histogramdd', ('hist', 'bin_edges'))

__all__ = ['histogramdd']

_F = 'ember.histogramdd'


def _tname(a):
    return _TYPE_NAMES[_dtype._FROM_NP[a.dtype]]


def _range_of(col, range, d):
    """(lo, hi) for dimension ``d``: the given range, else the data's, widened when empty or flat."""
    if range is not None:
        lo, hi = float(range[2 * d]), float(range[2 * d + 1])
    elif col.size:
        lo, hi = float(col.min()), float(col.max())
    else:
        lo, hi = 0.0, 1.0
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"{_F}: dimension {d}'s range [{_fmt(lo)}, {_fmt(hi)}] is not finite")
    if lo > hi:
        raise RuntimeError(f'{_F}: min should not exceed max, but got min {_fmt(lo)} max {_fmt(hi)} for '
                           f'dimension {d}')
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    if col.dtype.kind == 'f':
        _fits(lo, col.dtype)
        _fits(hi, col.dtype)
    return lo, hi


class _Histogramdd(_NotImplemented):
    aten = 'histogramdd'

    def forward(self, a, w=None, *, edges=None, bins=None, range=None, density=False):
        D = a.shape[-1]
        x = a.reshape(-1, D)
        spans = None
        if edges is None:                 # PyTorch settles each dimension's range before anything else
            if range is not None and len(range) != 2 * D:
                raise RuntimeError(f'{_F}: for a {D}-dimensional histogram range should have {2 * D} elements, '
                                   f'but got {len(range)}')
            spans = [_range_of(x[:, d], range, d) for d in builtins.range(D)]
        if len(edges if edges is not None else bins) != D:
            raise RuntimeError('histogramdd: The size of bins must be equal to the innermost dimension of the input.')
        for d, e in enumerate(edges or ()):
            if e.dtype != a.dtype:
                raise RuntimeError(f'{_F}: input tensor and bins tensors should have the same dtype, but got '
                                   f'input with dtype {_tname(a)} and bins for dimension {d} with dtype '
                                   f'{_tname(e)}')
            if e.ndim != 1:
                raise RuntimeError(f'{_F}: bins tensor should have one dimension, but got {e.ndim} '
                                   f'dimensions in the bins tensor for dimension {d}')
        counts = [e.size - 1 for e in edges] if edges is not None else bins
        for d, b in enumerate(counts):
            if b <= 0:
                raise RuntimeError(f'ember.histogram(): bins must be > 0, but got {b} for dimension {d}')
        if w is not None:
            if w.dtype != a.dtype:
                raise RuntimeError(f'{_F}: if weight tensor is provided, input tensor and weight tensor should '
                                   f'have the same dtype, but got input({_tname(a)}), and weight({_tname(w)})')
            if w.shape != a.shape[:-1]:
                raise RuntimeError(f'{_F}: if weight tensor is provided it should have the same shape as the '
                                   'input tensor excluding its innermost dimension, but got input with shape '
                                   f'{list(a.shape)} and weight with shape {list(w.shape)}')
        if a.dtype not in (np.float32, np.float64):
            raise NotImplementedError(f'"histogramdd" not implemented for \'{_scalar_name(_dtype._FROM_NP[a.dtype])}\'')
        m = xp(a)
        if edges is None:
            from .ranges import linspace
            edges = [m.asarray(linspace(lo, hi, n + 1, dtype=_dtype._FROM_NP[a.dtype])._data)
                     for (lo, hi), n in zip(spans, bins)]
        else:
            edges = [e.copy() for e in edges]
        shape = tuple(e.size - 1 for e in edges)
        keep = m.ones(x.shape[0], dtype=bool)
        for d, e in enumerate(edges):
            keep &= (x[:, d] >= e[0]) & (x[:, d] <= e[-1])
        x = x[keep]
        cell = m.zeros(x.shape[0], np.int64)
        for d, e in enumerate(edges):                 # row-major cell index, one dimension at a time
            pos = m.minimum(bisect(e, x[:, d], right=True) - 1, shape[d] - 1)
            cell = cell * shape[d] + pos
        total = int(np.prod(shape))
        hist = _counts(cell, total, None if w is None else w.reshape(-1)[keep], a.dtype).reshape(shape)
        if density:
            vol = m.ones((), dtype=a.dtype)
            for d, e in enumerate(edges):
                vol = vol[..., None] * m.diff(e)
            with np.errstate(invalid='ignore', divide='ignore'):
                hist = hist / (hist.sum() * vol)
        self.n_outputs = 1 + D
        return (hist.astype(a.dtype, copy=False),) + tuple(edges)


def histogramdd(input, bins=10, *, range=None, weight=None, density=False):
    """(hist, bin_edges) of the points in ``input`` (..., D): ``bins`` an int (per dimension), a
    sequence of D ints, or a sequence of D 1-D edge tensors; ``range`` (D pairs, flattened) bounds
    the equal bins; ``weight`` (input.shape[:-1]) per point; ``density`` to normalise."""
    if not isinstance(input, Tensor):
        from .argcheck import need_tensor
        need_tensor('histogramdd', input)
    if input.dim() == 0:
        raise IndexError('Dimension specified as -1 but tensor has no dimensions')
    D = input.shape[-1]
    kw = {}
    if isinstance(bins, (list, tuple)) and bins and all(isinstance(b, Tensor) for b in bins):
        kw['edges'] = [b._data for b in bins]
    else:
        if isinstance(bins, Tensor):
            raise TypeError('histogramdd(): argument \'bins\' must be int, a sequence of ints or a sequence of '
                            'Tensors, not Tensor')
        seq = list(bins) if isinstance(bins, (list, tuple)) else [bins] * D
        for b in seq:
            if isinstance(b, bool) or not isinstance(b, (int, np.integer)):
                raise TypeError(f"histogramdd(): argument 'bins' must be a sequence of ints, but found element "
                                f'of type {type(b).__name__}')
        kw.update(bins=[int(b) for b in seq], range=None if range is None else [float(r) for r in range])
    ins = (input,) if weight is None else (input, weight)
    out = apply(_Histogramdd, *ins, density=bool(density), **kw)
    return make_return('histogramdd', out[0], tuple(out[1:]))


METHODS = {}
