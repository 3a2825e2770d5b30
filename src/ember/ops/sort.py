"""Sorting and selection along a dim: sort, argsort, msort, topk, kthvalue.

Order: ascending with NaN after every number (descending: NaN first); equal elements keep
their original order (a stable sort), in both directions. PyTorch's CPU kernels promise no
order among ties unless ``stable=True`` (its unstable sort is an introsort past 16 elements,
its topk/kthvalue are quickselects), so on ties ember's indices are one valid answer: the
stable one.

The values' gradient goes back to the positions the indices name (a scatter into zeros),
the same node max(dim)/min(dim) use, so double backward comes for free.
"""
import warnings

import numpy as np

from .._tensor import Tensor, _TYPE_NAMES
from ..autograd.grad_mode import is_grad_enabled
from .arith import refuse_complex
from ._complex import no_complex
from ._op import Op, apply, write_into
from ._promote import xp
from .shape import wrap_dim
from .extremes import IndexEmbed, _DimExtreme
from .return_types import make_return
from .argcheck import bad_input, invalid_combination

__all__ = ['sort', 'argsort', 'msort', 'topk', 'kthvalue']



# ------------------------------------------------------------------ raw-array helpers

def order(a, axis, descending=False):
    """Indices (int64) that sort ``a`` along ``axis``: NaN largest, ties in original order."""
    m = xp(a)
    if a.dtype.name == 'bfloat16':       # ml_dtypes' bfloat16 has no correct sort: use exact float32 keys
        a = a.astype(np.float32)
    if not descending:
        return m.argsort(a, axis=axis, kind='stable').astype(np.int64, copy=False)
    # reverse, sort ascending, reverse back: descending order with ties still in original order
    idx = m.argsort(m.flip(a, axis), axis=axis, kind='stable')
    return (a.shape[axis] - 1) - m.flip(idx, axis).astype(np.int64)


def _dense_strides(a):
    """``a``'s strides in elements when it is non-overlapping and dense (else None)."""
    if any(s < 0 for s in a.strides):
        return None
    st = tuple(s // a.itemsize for s in a.strides)
    want = 1
    for s, n in sorted((s, n) for s, n in zip(st, a.shape) if n != 1):
        if s != want:
            return None
        want *= n
    return st


def like_layout(src, arr):
    """``arr`` laid out with ``src``'s strides, as PyTorch's empty_like (dense inputs keep their
    memory order; others come out row-major)."""
    m = xp(arr)
    st = _dense_strides(src)
    if st is None or arr.ndim < 2 or st == _row_major(arr.shape):
        return contiguous(arr)
    buf = m.empty(arr.size, arr.dtype)
    out = m.lib.stride_tricks.as_strided(buf, arr.shape, tuple(s * arr.itemsize for s in st))
    out[...] = arr
    return out


def contiguous(arr):
    """A row-major array (keeping 0-d arrays 0-d, which ascontiguousarray does not)."""
    return arr if arr.flags.c_contiguous else arr.copy(order='C')


def _row_major(shape):
    st, acc = [], 1
    for n in reversed(shape):
        st.append(acc)
        acc *= n
    return tuple(reversed(st))


def _int_arg(v, fname, what, pos):
    if isinstance(v, Tensor) and v.dim() == 0 and not v.is_floating_point():
        return int(v.item())
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument '{what}' (position {pos}) must be int, not {type(v).__name__}")
    return int(v)


# ------------------------------------------------------------------ out=

def _cpp(t):
    return _TYPE_NAMES[t.dtype]


def write_out(fname, outs, results, dtype_msg=None):
    """Copy ``results`` into the user's ``out`` tensors with PyTorch's checks: no autograd
    through out=, same dtype, and a resize (warned about when the old one held elements)."""
    if is_grad_enabled() and any(r.requires_grad for r in results):
        raise RuntimeError(f"{fname}(): functions with out=... arguments don't support automatic "
                           'differentiation, but one of the arguments requires grad.')
    for i, (o, r) in enumerate(zip(outs, results)):
        if o.dtype != r.dtype:
            if dtype_msg is not None and i == 0:
                raise RuntimeError(dtype_msg)
            raise RuntimeError(f'Expected out tensor to have dtype {_cpp(r)}, but got {_cpp(o)} instead')
    for o, r in zip(outs, results):
        if o._data.shape != r._data.shape:
            if o._data.size:
                warnings.warn(f'An output with one or more elements was resized since it had shape '
                              f'{list(o._data.shape)}, which does not match the required output shape '
                              f'{list(r._data.shape)}. This behavior is deprecated, and in a future PyTorch '
                              'release outputs will not be resized unless they have zero elements. You can '
                              'explicitly reuse an out tensor t by resizing it, inplace, to zero elements '
                              'with t.resize_(0).', UserWarning, stacklevel=3)
            o._data = xp(r._data).empty_like(r._data)     # keeps the result's memory order
        write_into(o, r._data)
    return outs


# ------------------------------------------------------------------ sort

class SortBackward0(Op):
    """sort (stable=False): (values, indices); the gradient returns to the sorted positions."""
    n_outputs = 2
    nondiff_outputs = (1,)
    _free = ('idx',)

    def forward(self, a, dim=-1, descending=False):
        d = wrap_dim(dim, a.ndim)
        self.dim, self.shape = d, a.shape
        if a.ndim == 0:
            self.idx = None
            return a.copy(), xp(a).zeros((), np.int64)
        idx = order(a, d, descending)
        self.idx = idx
        values = xp(a).take_along_axis(a, idx, axis=d)
        return like_layout(a, values), like_layout(a, idx)

    def backward(self, g, _=None):
        if self.idx is None:
            return g
        return apply(IndexEmbed, g, idx=self.idx, dim=self.dim, shape=self.shape)


class SortBackward1(SortBackward0):
    """sort (stable=True)."""


_UNSET = object()
# PyTorch's overloads of sort / argsort, as (fewest, most) arguments its parser counts (the tensor only
# in the function form): (dim, descending), (*, stable, dim, descending), (Dimname dim, descending);
# the function forms take out= too (argsort's only with stable=)
_OVERLOADS = {('sort', True): ((0, 2), (1, 3), (1, 2)), ('sort', False): ((1, 4), (2, 5), (2, 4)),
              ('argsort', True): ((0, 2), (1, 3), (1, 2)), ('argsort', False): ((1, 3), (2, 5), (2, 3))}


def _sort_args(name, method, input, args, stable, dim, descending, out):
    """(stable, dim, descending) from the positional ``args`` and the keywords, refusing as PyTorch's
    parser does what no overload takes: stable= beside a positional dim, more than two positionals."""
    kw = {k: v for k, v in (('stable', stable), ('dim', dim), ('descending', descending)) if v is not _UNSET}
    if out is not None:
        kw['out'] = out
    if (len(args) > 2 or (args and 'stable' in kw) or any(k in kw for k in ('dim', 'descending')[:len(args)])
            or (name == 'argsort' and out is not None and 'stable' not in kw)):
        shown = args if method else (input,) + args
        fits = [i for i, (lo, hi) in enumerate(_OVERLOADS[name, method]) if lo <= len(shown) + len(kw) <= hi]
        if fits == [1]:                  # only the stable= overload could take that many: its own complaint
            lo = _OVERLOADS[name, method][1][0]
            raise TypeError(f'{name}() takes from {lo} to {lo - 1} positional arguments but {len(shown)} were given')
        raise invalid_combination(name, shown, kw)
    given = dict(zip(('dim', 'descending'), args), **{k: v for k, v in kw.items() if k in ('dim', 'descending')})
    return stable is not _UNSET and bool(stable), given.get('dim', -1), given.get('descending', False)


def sort(input, *args, stable=_UNSET, dim=_UNSET, descending=_UNSET, out=None, _method=False):
    """sort(input, dim=-1, descending=False) or sort(input, *, stable, dim=-1, descending=False)."""
    stable, dim, descending = _sort_args('sort', _method, input, args, stable, dim, descending, out)
    refuse_complex(input, message=' Sort does not support complex dtypes on CPU', exc=RuntimeError)
    cls = SortBackward1 if stable else SortBackward0
    values, indices = apply(cls, input, dim=dim, descending=descending)
    if out is not None:
        return make_return('sort_out', *write_out('sort', out, (values, indices)))
    return make_return('sort', values, indices)


class Argsort(Op):
    differentiable = False

    def forward(self, a, dim=-1, descending=False):
        d = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            return xp(a).zeros((), np.int64)
        return like_layout(a, order(a, d, descending))


def argsort(input, *args, stable=_UNSET, dim=_UNSET, descending=_UNSET, out=None, _method=False):
    stable, dim, descending = _sort_args('argsort', _method, input, args, stable, dim, descending, out)
    refuse_complex(input, message=' Sort does not support complex dtypes on CPU', exc=RuntimeError)
    r = apply(Argsort, input, dim=dim, descending=descending)
    return r if out is None else write_out('argsort', (out,), (r,))[0]


def _sort_method(self, *args, stable=_UNSET, dim=_UNSET, descending=_UNSET):
    return sort(self, *args, stable=stable, dim=dim, descending=descending, _method=True)


def _argsort_method(self, *args, stable=_UNSET, dim=_UNSET, descending=_UNSET):
    return argsort(self, *args, stable=stable, dim=dim, descending=descending, _method=True)


def msort(input, *, out=None):
    """Sort along dim 0 (values only)."""
    try:
        refuse_complex(input, message=' Sort does not support complex dtypes on CPU', exc=RuntimeError)
        values = apply(SortBackward0, input, dim=0)[0]
        return values if out is None else write_out('msort', (out,), (values,))[0]
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('msort', (input,))


# ------------------------------------------------------------------ topk / kthvalue

class TopkBackward0(Op):
    n_outputs = 2
    nondiff_outputs = (1,)
    _free = ('idx',)

    def forward(self, a, k, dim=-1, largest=True, sorted=True):
        d = wrap_dim(dim, a.ndim)
        n = a.shape[d] if a.ndim else 1
        if not 0 <= k <= n:
            raise RuntimeError('selected index k out of range')
        if a.dtype.kind == 'c':
            raise RuntimeError(' topk does not support complex dtypes on CPU')
        if a.dtype == np.bool_:
            raise RuntimeError('topk does not support bool dtypes on CPU')
        self.dim, self.shape = d, a.shape
        if a.ndim == 0:
            self.idx = None
            return a.copy(), xp(a).zeros((), np.int64)
        m = xp(a)
        idx = contiguous(m.take(order(a, d, largest), m.arange(k), axis=d))
        self.idx = idx
        return contiguous(m.take_along_axis(a, idx, axis=d)), idx

    backward = SortBackward0.backward


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None, _pos=2):
    """The k largest (or smallest) elements along ``dim``, in order (``sorted=False`` too)."""
    k = _int_arg(k, 'topk', 'k', _pos)
    values, indices = apply(TopkBackward0, input, k=k, dim=dim, largest=largest, sorted=sorted)
    if out is not None:
        return make_return('topk_out', *write_out('topk', out, (values, indices)))
    return make_return('topk', values, indices)


class KthvalueBackward0(_DimExtreme):
    """The k-th smallest element along a dim; backward as max(dim)'s (one chosen index)."""

    def forward(self, a, k, dim=-1, keepdim=False):
        d = wrap_dim(dim, a.ndim)
        if a.ndim and a.shape[d] == 0:
            raise IndexError(f'kthvalue(): Expected reduction dim {d} to have non-zero size.')
        n = a.shape[d] if a.ndim else 1
        if not 1 <= k <= n:
            raise RuntimeError(f'kthvalue(): selected number k out of range for dimension {d}')
        if a.ndim:                      # (a 0-dim input is its own answer: no kernel runs)
            no_complex(a.dtype, 'kthvalue_cpu')
        if a.dtype == np.bool_ and a.ndim:
            raise NotImplementedError('"kthvalue_cpu" not implemented for \'Bool\'')
        self.in_shape, self.dim, self.keepdim = a.shape, d, keepdim
        if a.ndim == 0:
            return a.copy(), xp(a).zeros((), np.int64)
        m = xp(a)
        idx = m.take(order(a, d), m.arange(k - 1, k), axis=d)
        self.idx = idx
        values = m.take_along_axis(a, idx, axis=d)
        if not keepdim:
            values, idx = values.squeeze(d), idx.squeeze(d)
        return contiguous(values), contiguous(idx)


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None, _pos=2):
    """The k-th smallest element (1-based) along ``dim``, and its index."""
    k = _int_arg(k, 'kthvalue', 'k', _pos)
    values, indices = apply(KthvalueBackward0, input, k=k, dim=dim, keepdim=keepdim)
    if values.requires_grad and values.is_complex():
        raise RuntimeError('kthvalue does not support automatic differentiation for outputs with complex dtype.')
    if out is not None:
        return make_return('kthvalue_out', *write_out('kthvalue', out, (values, indices),
                                                      'output values must be of same type as input'))
    return make_return('kthvalue', values, indices)


def _method(fn):
    """The Tensor-method form: PyTorch counts argument positions from after ``self``."""
    def method(self, *args, **kw):
        return fn(self, *args, _pos=1, **kw)
    method.__name__ = fn.__name__
    return method


_sort_method.__name__, _argsort_method.__name__ = 'sort', 'argsort'
METHODS = {'sort': _sort_method, 'argsort': _argsort_method, 'msort': msort, 'topk': _method(topk), 'kthvalue': _method(kthvalue)}
