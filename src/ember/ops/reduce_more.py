"""More reductions: nansum, nanmean, logsumexp, count_nonzero, median, nanmedian, mode, aminmax.

median/nanmedian/mode along a dim return ``(values, indices)`` named tuples whose gradient
goes to the chosen index (the backward of max(dim)); the global median spreads its
gradient evenly over the elements equal to it.
"""
import functools

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ..amp import autocast_mode as _amp  # autocast hook
from .arith import refuse_complex
from ._op import Op, apply
from ._promote import xp, as_array
from .extremes import _DimExtreme, _empty_check
from .reduce import _dims, _expand_back, _acc_dtype, half_in_float32, grad_dtype_check, _float_check
from .return_types import make_return
from .scan import write_out, need_dim, accumulate, _MISSING
from .shape import wrap_dim
from .sort import order as sort_order


__all__ = ['nansum', 'nanmean', 'logsumexp', 'count_nonzero', 'median', 'nanmedian', 'mode', 'aminmax']


def _is_float(a):
    return a.dtype.kind == 'f' or a.dtype == _dtype.bfloat16.np


def _name(a):
    return _scalar_name(_dtype._FROM_NP[a.dtype])


# ------------------------------------------------------------------ nansum / nanmean

class NansumBackward0(Op):
    """Sum treating NaN as zero; NaN elements get gradient times zero (NaN for an infinite one)."""
    saves = (0,)

    def forward(self, a, dim=None, keepdim=False, dtype=None):
        self.in_shape, self.keepdim = a.shape, keepdim
        self.dims = _dims(dim, a.ndim)
        acc = _acc_dtype(a, dtype)
        if not _is_float(a):
            return as_array(a.sum(axis=self.dims, keepdims=keepdim, dtype=acc))
        if a.dtype.itemsize == 2 or acc.itemsize == 2:      # halves: NumPy's nansum misses bf16's NaN
            r = xp(a).nansum(a.astype(np.float32), axis=self.dims, keepdims=keepdim, dtype=np.float32)
            return as_array(r).astype(acc)
        return as_array(xp(a).nansum(a, axis=self.dims, keepdims=keepdim, dtype=acc))

    def backward(self, g):
        x, = self.saved_tensors
        g = _expand_back(g, self.in_shape, self.dims, self.keepdim)
        if g.dtype != x.dtype:
            g = g.to(x.dtype)
        return g * x.isnan().logical_not()


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of the elements that are not NaN."""
    refuse_complex(input, message='nansum on CPU does not support complex inputs', exc=RuntimeError)
    grad_dtype_check(input, dtype)
    r = apply(NansumBackward0, input, dim=dim, keepdim=keepdim, dtype=dtype)
    return r if out is None else write_out(out, r, 'nansum')


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the elements that are not NaN (nansum divided by their count)."""
    refuse_complex(input, message='nansum on CPU does not support complex inputs', exc=RuntimeError)
    if not input.is_floating_point():
        raise RuntimeError('nanmean(): expected input to have floating point or complex dtype but got '
                           f'{_name(input._data)}')
    _float_check(input._data, 'nanmean', dtype)         # (the input is floating point here)
    dims = () if dim is None else dim
    count = input.isnan().logical_not().sum(dims, keepdim=keepdim)
    r = nansum(input, dims, keepdim, dtype=dtype) / count
    return r if out is None else write_out(out, r, 'nanmean')


# ------------------------------------------------------------------ logsumexp

class LogsumexpBackward0(Op):
    """log(sum(exp(x))) over dims, shifted by the max so nothing overflows."""
    saves = (0,)
    saves_output = True

    @half_in_float32
    def forward(self, a, dim, keepdim=False):
        if not _is_float(a) and a.dtype.kind != 'c':
            a = a.astype(_dtype.get_default_dtype().np)
        m = xp(a)
        self.in_shape, self.keepdim = a.shape, keepdim
        self.dims = _dims(dim, a.ndim)
        shift = m.max(a.real, axis=self.dims, keepdims=True) if a.size else \
            m.zeros([1 if i in self.dims else s for i, s in enumerate(a.shape)], a.dtype)
        shift = m.where(m.isinf(shift), 0, shift).astype(a.dtype)
        with np.errstate(divide='ignore', over='ignore', invalid='ignore'):
            r = m.log(m.exp(a - shift).sum(axis=self.dims, keepdims=True)) + shift
        if not keepdim:
            r = r.reshape([s for i, s in enumerate(r.shape) if i not in self.dims])
        return as_array(r.astype(a.dtype, copy=False))

    def backward(self, g):
        x, out = self.saved_tensors
        g = _expand_back(g, self.in_shape, self.dims, self.keepdim)
        out = _expand_back(out, self.in_shape, self.dims, self.keepdim)
        return g * (x - out).exp().conj()


def logsumexp(input, dim=_MISSING, keepdim=False, *, out=None):
    """log(sum(exp(input), dim)), computed stably. ``dim`` is required (int or tuple)."""
    if _amp.state.on and _amp.fp32('logsumexp', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(logsumexp, input, dim, keepdim, out=out)
    if dim is _MISSING:
        raise TypeError('logsumexp() missing 1 required positional arguments: "dim"')
    from .dim_errors import int_list        # (an int or a tuple of ints, as PyTorch's parser reads them)
    dims = int_list(dim, 'logsumexp', 'dim')
    r = apply(LogsumexpBackward0, input, dim=dims[0] if isinstance(dim, int) else dims, keepdim=keepdim)
    return r if out is None else write_out(out, r, 'logsumexp')


# ------------------------------------------------------------------ count_nonzero

class CountNonzero(Op):
    differentiable = False

    def forward(self, a, dim=None):
        dims = _dims(dim, a.ndim)
        r = xp(a).count_nonzero(a, axis=dims) if dims else (a != 0)
        return as_array(r).astype(np.int64, copy=False)


def count_nonzero(input, dim=None):
    """Number of non-zero elements (over ``dim``: an int or a tuple of ints; all by default)."""
    return apply(CountNonzero, input, dim=dim)


# ------------------------------------------------------------------ median / nanmedian

def _no_bool(a, kernel):
    if a.dtype == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


class _EvenSpread(Op):
    """A value picked from all elements: the gradient is shared by every element equal
    to it (every NaN when it is NaN)."""
    saves = (0,)
    saves_output = True

    def backward(self, g):
        x, out = self.saved_tensors
        return even_spread(g, x, out)


def even_spread(g, x, out):
    """PyTorch's evenly_distribute_backward: g / count where x is the picked value (or NaN), else 0."""
    from .compare import where
    mask = where(out.isnan(), x.isnan(), x == out)
    return where(mask, g / mask.sum(), 0.0)


def _nan_of(dtype, m):
    if dtype.kind in 'iu':      # PyTorch's NaN cast to the int type: INT_MIN, whose low bits are 0 below 32 bits
        return m.asarray(np.iinfo(dtype).min if dtype.itemsize >= 4 else 0, dtype)
    return m.asarray(np.nan, dtype)


class MedianBackward0(_EvenSpread):
    def forward(self, a):
        _no_bool(a, 'median_cpu')
        flat = a.reshape(-1)
        if flat.size == 0 or (_is_float(a) and bool(xp(a).isnan(flat).any())):
            return _nan_of(a.dtype, xp(a))
        k = (flat.size - 1) // 2
        return xp(a).partition(flat, k)[k:k + 1].reshape(())


class NanmedianBackward0(_EvenSpread):
    def forward(self, a):
        _no_bool(a, 'median_cpu')
        flat = a.reshape(-1)
        n = int((~xp(a).isnan(flat)).sum()) if _is_float(a) else flat.size
        if n == 0:
            return _nan_of(a.dtype, xp(a))
        k = (n - 1) // 2
        return flat[sort_order(flat, 0)[k:k + 1]].reshape(())


class _DimPick(_DimExtreme):
    """(values, indices) along a dim, where ``pick`` chooses the index of each slice."""
    kernel = fname = None

    def forward(self, a, dim, keepdim=False):
        if self.kernel:
            _no_bool(a, self.kernel)
        d = wrap_dim(dim, a.ndim)
        _empty_check(a, self.fname, (d,))
        self.in_shape, self.dim, self.keepdim = a.shape, d, keepdim
        if a.ndim == 0:
            return a.copy(), xp(a).zeros((), np.int64)
        idx = self.pick(a, d) if a.size else xp(a).zeros(
            [1 if i == d else s for i, s in enumerate(a.shape)], np.int64)
        values = xp(a).take_along_axis(a, idx, axis=d)
        self.idx = idx
        if not keepdim:
            values, idx = values.squeeze(d), idx.squeeze(d)
        return values, idx.astype(np.int64)


def _sorted_order(a, d):
    """Positions of each slice in ascending order, ties by position, NaN last."""
    return sort_order(a, d)


def _median_pick(a, d):
    m = xp(a)
    order = _sorted_order(a, d)
    k = (a.shape[d] - 1) // 2
    idx = order[(slice(None),) * d + (slice(k, k + 1),)]
    if _is_float(a):
        nan = m.isnan(a)
        first_nan = m.argmax(nan, axis=d, keepdims=True)
        idx = m.where(nan.any(axis=d, keepdims=True), first_nan, idx)
    return idx


def _nanmedian_pick(a, d):
    m = xp(a)
    order = _sorted_order(a, d)
    if not _is_float(a):
        k = (a.shape[d] - 1) // 2
        return order[(slice(None),) * d + (slice(k, k + 1),)]
    count = (~m.isnan(a)).sum(axis=d, keepdims=True)
    k = m.maximum(count - 1, 0) // 2
    return m.where(count == 0, _all_nan_index(a.shape[d]), m.take_along_axis(order, k, axis=d))


@functools.lru_cache(maxsize=64)
def _all_nan_index(n):
    """The index PyTorch's CPU kernel reports for an all-NaN slice of length ``n``: it selects the
    0th element with std::nth_element under a comparison that is false for every pair of NaNs, so
    the answer is where libstdc++'s introselect leaves position 0 (a fixed shuffle of 0..n-1)."""
    idx = list(range(n))
    first, last, depth = 0, n, 2 * (n.bit_length() - 1) if n else 0
    while last - first > 3 and depth > 0:
        depth -= 1
        mid = first + (last - first) // 2
        idx[first], idx[mid] = idx[mid], idx[first]       # median of three, all equal: the middle
        lo, hi = first + 1, last
        while True:                                          # partition: swap ends inwards
            hi -= 1
            if not lo < hi:
                break
            idx[lo], idx[hi] = idx[hi], idx[lo]
            lo += 1
        last = lo           # the cut is past position 0: keep the left part
    return idx[0]


def _mode_pick(a, d):
    """The smallest of the most frequent values; its last position in the slice (as PyTorch up to
    16 elements without NaN; other slices are replayed below)."""
    m = xp(a)
    last = m.moveaxis(a, d, -1)
    order = m.argsort(last, axis=-1, kind='stable')
    s = m.take_along_axis(last, order, axis=-1)
    starts = m.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]        # NaN never equals NaN: each is its own run
    pos = m.arange(s.shape[-1])
    run = pos - accumulate(np.maximum, m.where(starts, pos, 0), axis=-1) + 1
    end = m.argmax(run == run.max(axis=-1, keepdims=True), axis=-1)[..., None]
    idx = m.take_along_axis(order, end, axis=-1)
    return m.moveaxis(_replay_mode(last, idx, m), -1, d)


_REPLAY_LIMIT = 1 << 14


def _replay_mode(last, idx, m):
    """PyTorch's mode std::sort-s each slice: past 16 elements (unstable) the position it reports for
    the mode among equal values, and with NaNs even the value, is where that sort leaves them. Those
    slices are replayed exactly (stdsort.py) when they are few elements in all; else the stable
    answer above stands (the same value when there is no NaN)."""
    n = last.shape[-1]
    rows = last.reshape(-1, n)
    if n > 16:
        pick = m.arange(rows.shape[0])
    elif _is_float(last):
        pick = m.flatnonzero(m.isnan(rows).any(axis=-1))
    else:
        return idx
    if not pick.size or pick.size * n > _REPLAY_LIMIT:
        return idx
    from .stdsort import mode_index
    host = rows[pick] if m is np else rows[pick].get()
    found = [mode_index(r) for r in host.astype(np.float64 if host.dtype.kind in 'fV' else host.dtype).tolist()]
    flat = idx.reshape(-1).copy()
    flat[pick] = m.asarray(found, dtype=flat.dtype)
    return flat.reshape(idx.shape)


class MedianBackward1(_DimPick):
    pick, fname, kernel = staticmethod(_median_pick), 'median', 'median_out'


class NanmedianBackward1(_DimPick):
    pick, fname, kernel = staticmethod(_nanmedian_pick), 'median', 'median_out'   # torch says median()


class ModeBackward0(_DimPick):
    pick, fname = staticmethod(_mode_pick), 'mode'


def _picker(full_cls, dim_cls, fname):
    def f(input, dim=_MISSING, keepdim=False, *, out=None):
        refuse_complex(input, 'median_cpu' if dim is _MISSING else 'median_out')
        if dim is _MISSING:
            r = apply(full_cls, input)
            return r if out is None else write_out(out, r, fname)
        values, indices = apply(dim_cls, input, dim=need_dim(dim, fname), keepdim=keepdim)
        if out is not None:
            values, indices = write_out(tuple(out), (values, indices), fname)
        return make_return(fname, values, indices)
    f.__name__ = fname
    return f


median = _picker(MedianBackward0, MedianBackward1, 'median')
median.__doc__ = ('median(input) -> the lower of the two middle values (NaN if any is NaN); '
                  'median(input, dim, keepdim=False) -> (values, indices).')
nanmedian = _picker(NanmedianBackward0, NanmedianBackward1, 'nanmedian')
nanmedian.__doc__ = 'median ignoring NaN (NaN only when a slice is all NaN).'


def mode(input, dim=-1, keepdim=False, *, out=None):
    """(values, indices): the smallest most frequent value of each slice along dim."""
    refuse_complex(input, 'mode_cpu')
    values, indices = apply(ModeBackward0, input, dim=need_dim(dim, 'mode'), keepdim=keepdim)
    if out is not None:
        values, indices = write_out(tuple(out), (values, indices), 'mode')
    return make_return('mode', values, indices)


# ------------------------------------------------------------------ aminmax

class AminmaxBackward0(Op):
    """(min, max) in one pass; ties share each gradient evenly (as amin/amax)."""
    saves = (0,)
    n_outputs = 2
    _free = ('lo', 'hi')

    def forward(self, a, dim=None, keepdim=False):
        m = xp(a)
        if dim is None:
            if a.size == 0:
                raise RuntimeError('aminmax(): cannot compute aminmax over an empty dimension as the '
                                   'operation has no identity.')
            self.dims = tuple(range(a.ndim))
        else:
            d = wrap_dim(dim, a.ndim)
            if a.ndim and a.shape[d] == 0:
                raise IndexError(f'aminmax: Expected reduction dim {d} to have non-zero size.')
            self.dims = (d,) if a.ndim else ()
        self.keepdim = keepdim
        lo = as_array(m.min(a, axis=self.dims, keepdims=True))
        hi = as_array(m.max(a, axis=self.dims, keepdims=True))
        self.lo, self.hi = lo, hi
        if not keepdim:
            shape = [s for i, s in enumerate(a.shape) if i not in self.dims]
            lo, hi = lo.reshape(shape), hi.reshape(shape)
        return lo, hi

    def backward(self, g_lo, g_hi):
        x, = self.saved_tensors
        grad = None
        for g, v in ((g_lo, self.lo), (g_hi, self.hi)):
            g = _expand_back(g, x.shape, self.dims, self.keepdim)
            mask = x == Tensor._make(v)
            part = mask * (g / mask.sum(self.dims, keepdim=True))
            grad = part if grad is None else grad + part
        return grad


def aminmax(input, *, dim=None, keepdim=False, out=None):
    """Named tuple (min, max) over all elements or along ``dim``."""
    if dim is not None and (not isinstance(dim, int) or isinstance(dim, bool)):
        raise TypeError(f"aminmax(): argument 'dim' must be int, not {type(dim).__name__}")
    refuse_complex(input, 'aminmax_cpu')
    lo, hi = apply(AminmaxBackward0, input, dim=dim, keepdim=keepdim)
    if out is not None:
        lo, hi = write_out(tuple(out), (lo, hi), 'aminmax')
    return make_return('aminmax', lo, hi)


METHODS = {'nansum': nansum, 'nanmean': nanmean, 'logsumexp': logsumexp, 'count_nonzero': count_nonzero,
           'median': median, 'nanmedian': nanmedian, 'mode': mode, 'aminmax': aminmax}
