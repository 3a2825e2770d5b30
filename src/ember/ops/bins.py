"""Binning: searchsorted, bucketize, bincount, histc, histogram.

None of these has a gradient. histc and searchsorted results never require grad; bincount
with weights and histogram record PyTorch's ``NotImplemented`` node, whose backward raises.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _TYPE_NAMES, _scalar_name
from ._op import Op, apply
from ._promote import xp, result_dtype, _cast
from .ranges import _fmt
from .sort import write_out
from .return_types import make_return
from .argcheck import bad_input

__all__ = ['searchsorted', 'bucketize', 'bincount', 'histc', 'histogram']

_warned = set()


def _warn_once(what):
    """PyTorch's once-per-program note about copying a non-contiguous searchsorted operand."""
    if what not in _warned:
        import warnings
        _warned.add(what)
        warnings.warn(f'ember.searchsorted(): {what} tensor is non-contiguous, this will lower the performance '
                      'due to extra data copy when converting non-contiguous tensor to contiguous, please use '
                      f'contiguous {what} tensor if possible. This message will only appear once per program.',
                      UserWarning, stacklevel=4)


def bisect(bd, v, right=False, sorter=None):
    """Vectorized binary search of ``v`` in the last dim of ``bd`` (1-D, or rows matching v's
    leading dims), step for step as PyTorch's: a NaN never compares, so NaN values land at
    the end and NaN boundaries count as smaller than everything."""
    m = xp(v)
    n = bd.shape[-1]
    lo = m.zeros(v.shape, np.int64)
    hi = m.full(v.shape, n, np.int64)
    for _ in range(n.bit_length()):
        mid = (lo + hi) >> 1
        at = m.minimum(mid, n - 1)
        if sorter is not None:
            at = sorter[at] if bd.ndim == 1 else m.take_along_axis(sorter, at, axis=-1)
        mv = bd[at] if bd.ndim == 1 else m.take_along_axis(bd, at, axis=-1)
        go = ~(mv > v) if right else ~(mv >= v)
        active = lo < hi
        lo = m.where(active & go, mid + 1, lo)
        hi = m.where(active & ~go, mid, hi)
    return lo


# ------------------------------------------------------------------ searchsorted / bucketize

class Searchsorted(Op):
    differentiable = False

    def forward(self, bd, v, sorter=None, right=False, out_int32=False):
        if sorter is not None and sorter.shape != bd.shape:
            raise RuntimeError('ember.searchsorted(): boundary and sorter must have the same size, but got '
                               f'boundary tensor {list(bd.shape)}and got sorter tensor {list(sorter.shape)}')
        scalar = not hasattr(v, 'shape')
        vdim = 0 if scalar else v.ndim
        if vdim == 0 and bd.ndim != 1:
            raise RuntimeError('ember.searchsorted(): input value can be a scalar only when boundaries tensor '
                               f"dimension is 1, but we got boundaries tensor dim({bd.ndim}) and input value's "
                               'dim(0) numel(1)')
        if bd.ndim == 0:
            raise RuntimeError('ember.searchsorted(): boundaries tensor should have positive dimension, but '
                               'got 0 dimension')
        if bd.ndim != 1 and (bd.ndim != vdim or bd.shape[:-1] != v.shape[:-1]):
            raise RuntimeError('ember.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 '
                               'dimensions of boundaries tensor and input value tensor must match, but we got '
                               f'boundaries tensor {list(bd.shape)} and input value tensor {list(v.shape)}')
        if sorter is not None:
            if sorter.dtype != np.int64:
                raise RuntimeError('ember.searchsorted(): sorter must be a tensor of long dtype but got dtype '
                                   f'{_scalar_name(_dtype._FROM_NP[sorter.dtype])}')
            if sorter.size and (sorter.min() < 0 or sorter.max() >= bd.shape[-1]):
                raise RuntimeError('ember.searchsorted(): sorter index out of range')
        nd = result_dtype(bd, v).np
        if (nd == np.bool_ or nd.kind == 'c') and (scalar or v.size):     # (no values: no kernel runs)
            raise NotImplementedError('"searchsorted_out_cpu" not implemented for '
                                      f"'{_scalar_name(_dtype._FROM_NP[nd])}'")
        m = xp(bd)
        bd = _cast(bd, nd)
        v = m.asarray(_cast(v, nd), nd) if scalar else _cast(v, nd)
        r = bisect(bd, v, right, sorter)
        return r.astype(np.int32) if out_int32 else r


def _side(side, right):
    if side is None:
        return right
    if side not in ('left', 'right'):
        raise RuntimeError(f"ember.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if right and side != 'right':
        raise RuntimeError("ember.searchsorted(): side and right can't be set to opposites, got side of "
                           f'{side} while right was True')
    return side == 'right'


def _out_int(out, out_int32):
    if out is not None and out.dtype is not (_dtype.int32 if out_int32 else _dtype.int64):
        raise RuntimeError("ember.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) "
                           'or Long(int64) depending on whether out_int32 flag is True, but we got output '
                           f"tensor's dtype {_scalar_name(out.dtype)} and out_int32 flag is {out_int32}")


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Indices where ``input`` would be inserted into the innermost dim of ``sorted_sequence``."""
    right = _side(side, right)
    _out_int(out, out_int32)
    for what, t in (('boundary', sorted_sequence), ('input value', input), ('sorter', sorter)):
        if isinstance(t, Tensor) and not t.is_contiguous():
            _warn_once(what)
    r = apply(Searchsorted, sorted_sequence, input, sorter, right=right, out_int32=out_int32)
    return r if out is None else write_out('searchsorted', (out,), (r,))[0]


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket (index into the 1-D ``boundaries``) of every element of ``input``."""
    if boundaries.dim() != 1:
        raise RuntimeError(f'boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})')
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# ------------------------------------------------------------------ bincount

class _NotImplemented(Op):
    """A result PyTorch records on the graph but cannot differentiate: backward raises."""
    aten = ''

    def backward(self, *grads):
        raise RuntimeError(f'derivative for aten::{self.aten} is not implemented')

    def name(self):
        return 'ember::autograd::NotImplemented'     # PyTorch: torch::autograd::NotImplemented


class Bincount(_NotImplemented):
    aten = 'bincount'

    def forward(self, w, x=None, minlength=0):
        if x.dtype.kind not in 'iu':
            raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                      f"'{_scalar_name(_dtype._FROM_NP[x.dtype])}'")
        if minlength < 0:
            raise RuntimeError('minlength should be >= 0')
        m = xp(x)
        if x.ndim != 1 or (x.size and x.min() < 0):
            raise RuntimeError('bincount only supports 1-d non-negative integral inputs.')
        if w is None:
            return m.bincount(x, minlength=minlength).astype(np.int64)
        if w.ndim != 1 or w.shape[0] != x.shape[0]:
            raise RuntimeError('weights should be 1-d and have the same length as input')
        nd = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
        return m.bincount(x, weights=w.astype(np.float64), minlength=minlength).astype(nd)


def bincount(input, weights=None, minlength=0):
    """How often each non-negative integer occurs in the 1-D ``input`` (or the sum of its weights)."""
    try:
        if isinstance(minlength, bool) or not isinstance(minlength, (int, np.integer)):
            raise TypeError(f"bincount(): argument 'minlength' must be int, not {type(minlength).__name__}")
        return apply(Bincount, weights, x=input._data, minlength=int(minlength))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('bincount', (input,))


# ------------------------------------------------------------------ histc / histogram

def _bins_check(bins):
    if bins <= 0:
        raise RuntimeError(f'ember.histogram(): bins must be > 0, but got {bins} for dimension 0')


def _nan_fmt(v, data_nan):
    return data_nan if v != v else _fmt(v)


def _fits(v, nd):
    """PyTorch converts the range to the input dtype and refuses values that overflow it."""
    if nd != np.float64 and np.isfinite(v) and abs(v) > float(_finfo_max(nd)):
        raise RuntimeError(f'value cannot be converted to type {_TYPE_NAMES[_dtype._FROM_NP[nd]]} '
                           'without overflow')


def _finfo_max(nd):
    import ml_dtypes
    return ml_dtypes.finfo(nd).max


def _counts(pos, nbins, w, nd):
    m = xp(pos)
    if w is None:
        return m.bincount(pos, minlength=nbins).astype(nd)
    return m.bincount(pos, weights=w.astype(np.float64), minlength=nbins).astype(nd)


class Histc(Op):
    differentiable = False

    def forward(self, a, bins=100, min=0, max=0):
        _bins_check(bins)
        lo, hi = float(min), float(max)
        data_nan = 'nan'
        if lo == hi and a.size:
            data_nan = '-nan' if a.size > 1 else 'nan'       # as PyTorch's reduction prints it
            lo, hi = float(a.min()), float(a.max())
        if lo == hi:
            lo, hi = lo - 1, hi + 1
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(f'ember.histc: range of [{_nan_fmt(lo, data_nan)}, {_nan_fmt(hi, data_nan)}] '
                               'is not finite')
        if lo > hi:
            raise RuntimeError('ember.histc: max must be larger than min')
        if a.dtype == np.bool_:
            raise NotImplementedError('"linspace_cpu" not implemented for \'Bool\'')
        if a.dtype.kind != 'f' and a.dtype.name != 'bfloat16':
            raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_scalar_name(_dtype._FROM_NP[a.dtype])}\'')
        _fits(lo, a.dtype)
        _fits(hi, a.dtype)
        x = a.reshape(-1)
        left, right = a.dtype.type(lo), a.dtype.type(hi)
        x = x[(x >= left) & (x <= right)]
        # the bin as PyTorch computes it, in the input's own precision; the right edge is inclusive
        pos = ((x - left) * a.dtype.type(bins) / (right - left)).astype(np.int64)
        return _counts(xp(a).minimum(pos, bins - 1), bins, None, a.dtype)


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram of ``input`` with ``bins`` equal bins over [min, max] (the data's range when equal)."""
    try:
        r = apply(Histc, input, bins=bins, min=min, max=max)
        if out is not None and out.dtype != r.dtype:
            raise RuntimeError(f'ember.histogram: input tensor and hist tensor should have the same dtype, but '
                               f'got input {_TYPE_NAMES[r.dtype]} and hist {_TYPE_NAMES[out.dtype]}')
        return r if out is None else write_out('histc', (out,), (r,))[0]
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('histc', (input,))


class Histogram(_NotImplemented):
    aten = 'histogram'
    n_outputs = 2

    def forward(self, a, w=None, edges=None, bins=None, range=None, density=False):
        tn = _TYPE_NAMES[_dtype._FROM_NP[a.dtype]]
        if edges is not None:
            if edges.dtype != a.dtype:
                raise RuntimeError('ember.histogramdd: input tensor and bins tensors should have the same '
                                   f'dtype, but got input with dtype {tn} and bins for dimension 0 with dtype '
                                   f'{_TYPE_NAMES[_dtype._FROM_NP[edges.dtype]]}')
            if edges.ndim != 1:
                raise RuntimeError('ember.histogramdd: bins tensor should have one dimension, but got '
                                   f'{edges.ndim} dimensions in the bins tensor for dimension 0')
            _bins_check(edges.size - 1)
        else:
            _bins_check(bins)
        if w is not None:
            if w.dtype != a.dtype:
                raise RuntimeError('ember.histogramdd: if weight tensor is provided, input tensor and weight '
                                   f'tensor should have the same dtype, but got input({tn}), and '
                                   f'weight({_TYPE_NAMES[_dtype._FROM_NP[w.dtype]]})')
            if w.shape != a.shape:
                raise RuntimeError('ember.histogramdd: if weight tensor is provided it should have the same '
                                   'shape as the input tensor excluding its innermost dimension, but got input '
                                   f'with shape {[a.size, 1]} and weight with shape {list(w.shape)}')
        if a.dtype not in (np.float32, np.float64):
            raise NotImplementedError(f'"histogramdd" not implemented for \'{_scalar_name(_dtype._FROM_NP[a.dtype])}\'')
        m = xp(a)
        x = a.reshape(-1)
        if edges is None:
            edges = self._edges(x, bins, range)
        else:
            edges = edges.copy()
        nbins = edges.size - 1
        keep = (x >= edges[0]) & (x <= edges[-1])
        x = x[keep]
        pos = m.minimum(bisect(edges, x, right=True) - 1, nbins - 1)
        hist = _counts(pos, nbins, None if w is None else w.reshape(-1)[keep], a.dtype)
        if density:
            with np.errstate(invalid='ignore', divide='ignore'):
                hist = hist / (hist.sum() * m.diff(edges))
        return hist.astype(a.dtype, copy=False), edges

    @staticmethod
    def _edges(x, bins, range):
        if range is not None and len(range) != 2:
            raise RuntimeError('ember.histogramdd: for a 1-dimensional histogram range should have 2 '
                               f'elements, but got {len(range)}')
        from .histogramdd import _range_of          # (the one-dimensional case of histogramdd's)
        lo, hi = _range_of(x, range, 0)
        from .ranges import linspace
        return xp(x).asarray(linspace(lo, hi, bins + 1, dtype=_dtype._FROM_NP[x.dtype])._data)


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges): ``bins`` equal bins over ``range`` (default: the data's), or the edges
    given as a 1-D tensor ``bins``; ``weight`` per element, ``density`` to normalise."""
    try:
        if isinstance(bins, Tensor):
            if range is not None:
                raise TypeError(
                    'histogram() received an invalid combination of arguments - got (Tensor, Tensor, range=tuple), '
                    'but expected one of:\n'
                    ' * (Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, tuple of Tensors '
                    'out = None)\n'
                    ' * (Tensor input, int bins = 100, *, tuple of floats range = None, Tensor weight = None, bool '
                    'density = False, tuple of Tensors out = None)\n')
            kw = dict(edges=bins._data)
        else:
            kw = dict(bins=bins, range=range)
        ins = (input,) if weight is None else (input, weight)
        hist, edges = apply(Histogram, *ins, density=density, **kw)
        if out is None:
            return make_return('histogram', hist, edges)
        ho, eo = out
        for o, what, tail in ((ho, 'hist', ''), (eo, 'bin_edges', ' for dimension 0')):
            if o.dtype != hist.dtype:
                raise RuntimeError(f'ember.histogram: input tensor and {what} tensor should have the same dtype, '
                                   f'but got input {_TYPE_NAMES[hist.dtype]} and {what} {_TYPE_NAMES[o.dtype]}{tail}')
        hist, edges = hist.detach(), edges.detach()
        return make_return('histogram_out', *write_out('histogram', out, (hist, edges)))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('histogram', (input,))


METHODS = {'bincount': bincount, 'histc': histc, 'histogram': histogram}
