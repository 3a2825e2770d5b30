"""Ops that work on a tensor's storage (the whole memory block its array lives in) rather than
on its shape: as_strided / as_strided_ / as_strided_scatter, empty_strided, resize_.

Geometry is (sizes, strides, storage offset) in elements, as PyTorch reports it. Gradients of
these ops move values between geometries through one flat buffer: ``index_add`` gathers the
gradient into storage positions (overlapping windows accumulate), ``take`` reads it back out,
so backward is made of ember ops and differentiates again."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _contiguous_strides
from ._op import Op, apply
from ._promote import xp as _xp
from .shape import as_strided_view, _fmt, _sizes


# ------------------------------------------------------------------ storage helpers

class _Holder:
    """Carries an ``__array_interface__`` (and keeps the owning array alive), as NumPy's as_strided does."""

    def __init__(self, interface, base):
        self.__array_interface__ = interface
        self.base = base


def storage_of(arr):
    """(a flat array over the whole storage ``arr`` lives in, ``arr``'s offset in it), in elements of
    ``arr``'s dtype. The flat array shares memory with ``arr``."""
    item = arr.itemsize
    if type(arr) is not np.ndarray:                     # CuPy: the allocation behind the pointer
        import cupy
        mem = arr.data.mem
        flat = cupy.ndarray((mem.size // item,), arr.dtype, memptr=cupy.cuda.MemoryPointer(mem, 0))
        return flat, (arr.data.ptr - mem.ptr) // item
    owner = arr
    while getattr(owner, 'base', None) is not None and hasattr(owner.base, '__array_interface__'):
        owner = owner.base
    if owner is arr and arr.flags.c_contiguous:
        return arr.reshape(-1), 0
    start = owner.__array_interface__['data'][0]
    iface = dict(arr.__array_interface__)
    iface.update(data=(start, not owner.flags.writeable), shape=(owner.nbytes // item,), strides=None)
    iface.pop('mask', None)
    flat = np.asarray(_Holder(iface, owner)).view(arr.dtype)     # the interface route loses custom dtypes
    return flat, (arr.__array_interface__['data'][0] - start) // item


def geometry(arr):
    """(sizes, strides, storage offset) of an array, in elements."""
    return arr.shape, tuple(s // arr.itemsize for s in arr.strides), storage_of(arr)[1]


def empty_view_offset(t):
    """storage_offset() of an empty tensor. NumPy and CuPy keep no position for an empty slice, so
    a view's is found by replaying its chain of view ops from its base: while the result is not
    empty its address gives the offset; each step after it moves the offset by where it starts."""
    if t._base is None or not t._view_chain:
        return 0
    x = t._base.detach()
    off = x.storage_offset()
    chain = t._view_chain
    for n, (cls, kw) in enumerate(chain):
        kw = dict(kw)
        i = kw.pop('_index', None)
        if cls.__name__.startswith('AsStrided') and kw.get('storage_offset') is not None:
            off = int(kw['storage_offset']) + (off if kw.get('like') is not None else 0)
            if n == len(chain) - 1:         # says where it starts: nothing to replay
                return off
        shift = _view_start(cls.__name__, kw, i, x.shape, x.stride())
        x = apply(cls, x, **kw) if i is None else apply(cls, x, **kw)[i]
        if x.numel():
            off = x.storage_offset()
        elif not cls.__name__.startswith('AsStrided'):
            off += shift
    return off


def _view_start(name, kw, index, shape, stride):
    """How far (in elements) a view op moves the start of its input when its result is empty:
    slices, select and split pieces start inside it; other views start where it does."""
    if name == 'SliceBackward0':
        d = kw['dim'] % len(shape)
        return slice(kw['start'], kw['stop'], kw.get('step', 1)).indices(shape[d])[0] * stride[d]
    if name == 'SelectBackward0':
        d = kw['dim'] % len(shape)
        return (kw['index'] % shape[d] if shape[d] else 0) * stride[d]
    if 'Split' in name and index is not None:
        return sum(kw['sizes'][:index]) * stride[kw['dim'] % len(shape)]
    return 0        # an empty diagonal starts where its input does, as in PyTorch


def span(size, stride, offset):
    """(lowest, highest + 1) storage position a geometry touches; (offset, offset) when empty."""
    if any(n == 0 for n in size):
        return offset, offset
    lo = offset + sum((n - 1) * s for n, s in zip(size, stride) if s < 0)
    hi = offset + sum((n - 1) * s for n, s in zip(size, stride) if s > 0)
    return lo, hi + 1


def positions(m, size, stride, offset):
    """Storage position of every element of a geometry (an int64 array of shape ``size``)."""
    pos = m.full(tuple(size), offset, dtype=np.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        if s and n > 1:
            shape = [1] * len(size)
            shape[d] = n
            pos += (m.arange(n, dtype=np.int64) * s).reshape(shape)
    return pos


def overlaps(size, stride):
    """Whether two elements of a geometry may share a storage position (PyTorch's cheap test)."""
    last = 0
    for n, s in sorted(((n, abs(s)) for n, s in zip(size, stride) if n > 1), key=lambda p: p[1]):
        if s <= last:
            return True
        last += (n - 1) * s
    return False


def check_geometry(size, stride, offset, itemsize, storage_n, check_bounds=True):
    size, stride = [int(n) for n in size], [int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError('mismatch in length of strides and shape')
    if any(n < 0 for n in size):
        raise RuntimeError(f'Storage size calculation overflowed with sizes={_fmt(size)} and strides={_fmt(stride)}')
    if any(s < 0 for s in stride):
        raise RuntimeError(f'as_strided: Negative strides are not supported at the moment, got strides: '
                           f'{_fmt(stride)}')
    if offset < 0:
        raise RuntimeError(f'Tensor: invalid storage offset {offset}')
    need = span(size, stride, offset)[1] if all(size) else 0
    if check_bounds and need > storage_n:
        raise RuntimeError(f'setStorage: sizes {_fmt(size)}, strides {_fmt(stride)}, storage offset {offset}, '
                           f'and itemsize {itemsize} requiring a storage size of {need * itemsize} are out '
                           f'of bounds for storage of size {storage_n * itemsize}')
    return tuple(size), tuple(stride)


def strided_view(flat, size, stride, offset):
    """A view of ``flat`` storage with that geometry (read-only where elements repeat, on the CPU)."""
    item = flat.itemsize
    repeats = any(s == 0 and n > 1 for n, s in zip(size, stride))
    return as_strided_view(flat[offset:], size, tuple(s * item for s in stride), writeable=not repeats)


def same_geometry(a, whole_storage=False):
    """A copy of ``a`` in new memory with ``a``'s sizes, strides and storage offset (packed row-major
    strides at offset 0 where ``a``'s elements share memory), as PyTorch's *_scatter ops make their
    results. Returns (copy, its flat storage, its strides, its offset); ``whole_storage``: the new
    storage is as large as ``a``'s."""
    flat, off = storage_of(a)
    st = tuple(s // a.itemsize for s in a.strides)
    if overlaps(a.shape, st) or min(st, default=0) < 0:
        st, off, n = _contiguous_strides(a.shape), 0, a.size
    else:
        n = flat.size if whole_storage else span(a.shape, st, off)[1]
    buf = _xp(a).zeros((max(n, span(a.shape, st, off)[1], 1),), a.dtype)
    out = as_strided_view(buf[off:], a.shape, tuple(s * a.itemsize for s in st))
    out[...] = a
    return out, buf, st, off


def gather_flat(g, pos, n):
    """A flat tensor of ``n`` zeros with ``g``'s elements added at storage positions ``pos``."""
    from .index_ops import index_add
    zeros = Tensor._make(_xp(g._data).zeros((n,), g._data.dtype))
    return index_add(zeros, 0, Tensor._make(pos.reshape(-1)), g.reshape(-1))


# ------------------------------------------------------------------ as_strided

class AsStridedBackward0(Op):
    """A view of the input's storage with any geometry; backward scatters into the input's geometry."""
    is_view = True

    def forward(self, a, size, stride, storage_offset=None, like=None):
        if like is not None and (a.shape, a.strides) != like and min(like[1], default=0) >= 0:
            # replayed onto a gradient laid out differently from the base: read it in the base's layout
            n = span(a.shape, tuple(s // a.itemsize for s in like[1]), 0)[1]
            b = as_strided_view(_xp(a).zeros((max(n, 1),), a.dtype), a.shape, like[1])
            b[...] = a
            a = b
        flat, off = storage_of(a)
        if storage_offset is None:
            offset = off
        else:       # replayed (``like`` given): the offset counts from where the base starts
            offset = int(storage_offset) + (off if like is not None else 0)
        size, stride = check_geometry(size, stride, offset, a.itemsize, flat.size)
        self.geometry = (a.shape, tuple(s // a.itemsize for s in a.strides), off, size, stride, offset)
        return strided_view(flat, size, stride, offset)

    def backward(self, g):
        from .put import take
        in_size, in_stride, off, size, stride, offset = self.geometry
        m = _xp(g._data)
        lo = min(span(in_size, in_stride, off)[0], offset)
        n = max(span(in_size, in_stride, off)[1], span(size, stride, offset)[1]) - lo
        pos_in = positions(m, in_size, in_stride, off - lo)
        res = take(gather_flat(g, positions(m, size, stride, offset - lo), n), Tensor._make(pos_in))
        if overlaps(in_size, in_stride):     # PyTorch averages over input elements that share memory
            counts = m.bincount(pos_in.reshape(-1), minlength=n)[pos_in]
            res = res / Tensor._make(counts.astype(g._data.dtype))
        return res


def _offset_arg(storage_offset):
    return None if storage_offset is None else int(storage_offset)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes, strides and storage offset (default: input's)."""
    res = apply(AsStridedBackward0, input, size=tuple(size), stride=tuple(stride),
                storage_offset=_offset_arg(storage_offset))
    base = res._base
    if base is not None:        # replay on the base, relative to where the base starts in its storage
        if res._data.size:
            off = storage_of(res._data)[1] - storage_of(base._data)[1]
        else:                   # an empty array has no address to read (CuPy gives it no allocation)
            off = (input.storage_offset() if storage_offset is None else int(storage_offset)) - base.storage_offset()
        res._view_chain = ((AsStridedBackward0, dict(size=tuple(res.shape), stride=res.stride(),
                                                     storage_offset=off, like=(base.shape, base._data.strides))),)
    return res


def as_strided_(self, size, stride, storage_offset=None):
    from .._methods import _restride
    return _restride(self, as_strided(self, size, stride, storage_offset))   # named AsStridedBackward1


# ------------------------------------------------------------------ as_strided_scatter

class AsStridedScatterBackward0(Op):
    """A copy of input (same geometry, new storage) with ``src`` written into the strided region."""

    def forward(self, a, src, size, stride, storage_offset=None):
        out, buf, st, off = same_geometry(a, whole_storage=True)
        offset = off if storage_offset is None else int(storage_offset)
        size, stride = check_geometry(size, stride, offset, a.itemsize, buf.size)
        if tuple(src.shape) != size:
            raise RuntimeError(f'expected src to have a size equal to the slice of self. src size = '
                               f'{_fmt(src.shape)}, slice size = {_fmt(size)}')
        strided_view(buf, size, stride, offset)[...] = src
        self.geometry = (a.shape, st, off, size, stride, offset, buf.size)
        self.src_dtype = src.dtype
        return out

    def backward(self, g):
        from .put import take
        from .join import cat
        shape, st, off, size, stride, offset, n = self.geometry
        m, numel = _xp(g._data), g._data.size
        pos_out, region = positions(m, shape, st, off), positions(m, size, stride, offset)
        keep = Tensor._make(~m.isin(pos_out, region))               # what the input's grad sees
        where = m.full((n,), numel, dtype=np.int64)                 # storage position -> output element
        where[pos_out.reshape(-1)] = m.arange(numel, dtype=np.int64)
        padded = cat([g.reshape(-1), Tensor._make(m.zeros((1,), g._data.dtype))])   # numel: seen by nobody
        gs = take(padded, Tensor._make(where[region]))
        if gs._data.dtype != self.src_dtype:
            gs = gs.to(_dtype._FROM_NP[self.src_dtype])
        from .compare import where as _where
        return _where(keep, g, 0.0), gs                          # zeros written (inf * 0 would be nan)


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` whose ``input.as_strided(size, stride, storage_offset)`` region holds ``src``."""
    return apply(AsStridedScatterBackward0, input, src, size=tuple(size), stride=tuple(stride),
                 storage_offset=_offset_arg(storage_offset))


# ------------------------------------------------------------------ empty_strided / resize_

def _strided_sizes(size, stride):
    size, stride = [int(n) for n in size], [int(s) for s in stride]
    if len(size) != len(stride):
        raise RuntimeError(f'dimensionality of sizes ({len(size)}) must match dimensionality of strides '
                           f'({len(stride)})')
    for n in size:
        if n < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {n}: {_fmt(size)}')
    if any(s < 0 for s in stride):
        raise RuntimeError(f'Storage size calculation overflowed with sizes={_fmt(size)} and '
                           f'strides={_fmt(stride)}')
    return tuple(size), tuple(stride)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor (ember: zero-filled) with the given sizes and strides."""
    from .creation import _build, _np
    size, stride = _strided_sizes(size, stride)
    nd = _np(dtype)
    n = span(size, stride, 0)[1] if all(size) else 0

    def make(m):
        return strided_view(m.zeros((max(n, 1),), nd), size, stride, 0)
    return _build(make, device, nd, requires_grad)


def new_empty_strided(self, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                      pin_memory=False):
    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device or self.device,
                         requires_grad=requires_grad)


def resize_(self, *sizes, memory_format=None):
    """Give the tensor ``sizes`` over its storage from its storage offset: the data there is kept, a
    larger size grows the storage (new elements: zeros in ember). The same sizes keep the strides;
    other sizes get packed strides (row-major, or channels-last with that ``memory_format``)."""
    if self.requires_grad:
        raise RuntimeError('cannot resize variables that require grad')
    if not sizes:
        raise TypeError('resize_() missing 1 required positional arguments: "size"')
    shape = _resize_sizes(sizes)
    fmt = getattr(memory_format, 'name', memory_format)
    if fmt == 'preserve_format':
        raise RuntimeError('Unsupported memory formatPreserve')
    order = {'channels_last': (4, (1, 3, 2, 0)), 'channels_last_3d': (5, (1, 4, 3, 2, 0))}.get(fmt)
    if order is not None and len(shape) != order[0]:
        raise RuntimeError(f'required rank {order[0]} tensor to use {fmt} format')
    if fmt is None and shape == self._data.shape:
        return self
    n = 1
    for s in shape:
        n *= s
    flat, off = storage_of(self._data)
    if order is None:
        stride, need = None, off + n
    else:
        stride, acc = [0] * len(shape), 1
        for d in order[1]:
            stride[d], acc = acc, acc * shape[d]
        need = span(shape, stride, off)[1]
    if need > flat.size:
        buf = _xp(flat).zeros((need,), flat.dtype)
        buf[:flat.size] = flat
        flat = buf
    self._data = flat[off:off + n].reshape(shape) if stride is None else strided_view(flat, shape, tuple(stride), off)
    self._vc[0] += 1
    return self


def _resize_sizes(sizes):
    if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)) and not isinstance(sizes[0], (tuple, list)):
        raise TypeError(f"resize_(): argument 'size' (position 1) must be tuple of ints, not "
                        f'{type(sizes[0]).__name__}')
    items = sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    for i, s in enumerate(items):
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.dim() == 0):
            raise TypeError(f"resize_(): argument 'size' failed to unpack the object at pos {i + 1} with "
                            f'error "type must be tuple of ints,but got {type(s).__name__}"')
    shape = _sizes((items,)) if items else ()
    if any(s < 0 for s in shape):
        raise RuntimeError('numel: integer multiplication overflow')
    return shape


def resize_as_(self, the_template, *, memory_format=None):
    return resize_(self, the_template.shape, memory_format=memory_format)


def dim_order(self, *, ambiguity_check=False):
    """The dimensions from outermost to innermost in memory (largest stride first); with
    ``ambiguity_check`` (True, or a list of memory formats) refuses layouts that don't say one order."""
    if not isinstance(ambiguity_check, (bool, list)):
        raise TypeError('The ambiguity_check argument must be a bool or a list of memory formats.')
    strides = self.stride()
    if ambiguity_check is True:
        ambiguous = any(a == b for a, b in zip(strides, strides[1:])) or 1 in self.shape
    elif ambiguity_check:
        ambiguous = sum(1 for f in ambiguity_check if self.is_contiguous(memory_format=f)) != 1
    else:
        ambiguous = False
    if ambiguous:
        raise RuntimeError('The tensor does not have unique dim order, or cannot map to exact one of the given '
                           'memory formats.')
    return tuple(sorted(range(self.dim()), key=lambda d: (-strides[d], d)))


METHODS = {'as_strided': as_strided, 'as_strided_': as_strided_, 'as_strided_scatter': as_strided_scatter,
           'new_empty_strided': new_empty_strided, 'resize_': resize_, 'resize_as_': resize_as_,
           'dim_order': dim_order}
