"""More views and view-like ops: unfold (sliding windows), ravel, narrow_copy, the split family
(split_with_sizes, unsafe_split/chunk), the *_scatter ops (a copy with one view replaced),
fill_diagonal_, swapaxes_/swapdims_, the legacy ``Tensor.new`` and is_same_size/is_nonzero.

Storage-level ops (as_strided, as_strided_scatter, empty_strided, resize_) live in strided.py;
their names are exported from here as well."""
import math

from .. import _dtype
from .._tensor import Tensor, _TYPE_NAMES, _contiguous_strides
from ._op import Op, apply
from ._promote import xp as _xp
from .shape import wrap_dim, view, as_strided_view, _fmt
from .select import SelectLike, AliasBackward0, _diag_view, select as _select, diagonal as _diagonal
from .join import SplitBackward0, split as _split, chunk as _chunk
from .convert import contiguous
from .gather import zeros_for, wants
from .strided import gather_flat, positions, same_geometry, METHODS as _STRIDED_METHODS
from .strided import as_strided, as_strided_, as_strided_scatter, empty_strided, resize_as_  # noqa: F401
from .argcheck import bad_input


# ------------------------------------------------------------------ unfold

class UnfoldBackward0(Op):
    """Every window of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim."""
    is_view = True

    def forward(self, a, dimension, size, step):
        d = wrap_dim(dimension, a.ndim)
        length = a.shape[d] if a.ndim else 1
        if size < 0:
            raise RuntimeError(f'size is {size} but must be >= 0')
        if size > length:
            raise RuntimeError(f'maximum size for tensor at dimension {d} is {length} but size is {size}')
        if step <= 0:
            raise RuntimeError(f'step is {step} but must be > 0')
        if a.ndim == 0:
            shape, strides = (size,), (a.itemsize,)
        else:
            shape, strides = list(a.shape), list(a.strides)
            shape[d], strides[d] = (length - size) // step + 1, strides[d] * step
            shape, strides = tuple(shape) + (size,), tuple(strides) + (a.strides[d],)
        self.in_shape, self.window = a.shape, (d, step)
        return as_strided_view(a, shape, strides)

    def backward(self, g):
        # each window element's place in the input (row-major); overlapping windows add up there
        shape = self.in_shape
        lin = (0,) if not shape else _window_strides(shape, *self.window)
        pos = positions(_xp(g._data), g.shape, lin, 0)
        return gather_flat(g, pos, math.prod(shape)).reshape(shape)


def _window_strides(shape, d, step):
    st = list(_contiguous_strides(shape))
    return tuple(st[:d]) + (st[d] * step,) + tuple(st[d + 1:]) + (st[d],)


def unfold(self, dimension, size, step):
    return apply(UnfoldBackward0, self, dimension=dimension, size=int(size), step=int(step))


def ravel(input):
    """A flat view when ``input`` is contiguous, else a flat view of a contiguous copy."""
    try:
        return view(contiguous(input), -1)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('ravel', (input,))


# ------------------------------------------------------------------ narrow_copy and splits

class NarrowCopyBackward0(SelectLike):
    def forward(self, a, dim, start, length):
        key = (slice(None),) * dim + (slice(start, start + length),)
        return _xp(a).ascontiguousarray(super().forward(a, key))


def narrow_copy(input, dim, start, length):
    """narrow(...) as a new contiguous tensor."""
    if input.ndim == 0:
        raise RuntimeError('narrow() cannot be applied to a 0-dim tensor.')
    if isinstance(dim, int) and dim >= input.ndim:       # PyTorch's own (internal) wording
        raise RuntimeError('Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  '
                           '(Could this error message be improved?  If so, please report an enhancement '
                           'request to PyTorch.)')
    d = wrap_dim(dim, input.ndim)
    size, start, length = input.shape[d], int(start), int(length)
    if not -size <= start <= size:
        raise IndexError(f'start out of range (expected to be in range of [{-size}, {size}], but got {start})')
    if start < 0:
        start += size
    if length < 0 or start + length > size:
        raise RuntimeError(f'start ({start}) + length ({length}) exceeds dimension size ({size}).')
    return apply(NarrowCopyBackward0, input, dim=d, start=start, length=length)


def _int_list(value, fname, arg, pos=1):
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                        f'{type(value).__name__}')
    return [int(v) for v in value]


def split_with_sizes(input, split_sizes, dim=0):
    return _split(input, _int_list(split_sizes, 'split_with_sizes', 'split_sizes'), dim)


class UnsafeSplitBackward0(SplitBackward0):
    """split whose pieces share memory with the input but are not tracked as its views."""
    is_view = False


class UnsafeSplitWithSizesBackward0(UnsafeSplitBackward0):
    pass


def _unsafe(cls, self, pieces, dim):
    d = wrap_dim(dim, self.ndim)
    return apply(cls, self, sizes=[p.shape[d] for p in pieces], dim=d)


def unsafe_split(input, split_size, dim=0):
    if isinstance(split_size, (tuple, list)):
        raise TypeError(f"unsafe_split(): argument 'split_size' (position 1) must be int, not "
                        f'{type(split_size).__name__}')
    return _unsafe(UnsafeSplitBackward0, input, _split(input.detach(), split_size, dim), dim)


def unsafe_chunk(input, chunks, dim=0):
    pieces = _chunk(input.detach(), chunks, dim)
    empty = input.shape[wrap_dim(dim, input.ndim)] == 0      # chunks of an empty dim: split_with_sizes
    return _unsafe(UnsafeSplitWithSizesBackward0 if empty else UnsafeSplitBackward0, input, pieces, dim)


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    sizes = _int_list(split_sizes, 'unsafe_split_with_sizes', 'split_sizes')
    return _unsafe(UnsafeSplitWithSizesBackward0, input, _split(input.detach(), sizes, dim), dim)


# ------------------------------------------------------------------ select/slice/diagonal_scatter

class _ViewScatter(Op):
    """A copy of the input (same layout) with one of its views overwritten by ``src``.
    Subclasses say where the view is: ``region`` on arrays, ``view`` on Tensors."""

    def forward(self, a, src, **args):
        self.args, self.src_shape, self.src_dtype = args, src.shape, src.dtype
        out = same_geometry(a)[0]
        self.region(out, **args)[...] = src
        return out

    def backward(self, g):
        ga = gs = None
        if wants(self, 0):      # the input's gradient: everything but the overwritten view
            ga = apply(type(self), g, zeros_for(g, self.src_shape), **self.args)
        if wants(self, 1):
            gs = self.view(g, **self.args)
            if gs._data.dtype != self.src_dtype:
                gs = gs.to(_dtype._FROM_NP[self.src_dtype])
        return ga, gs


class SelectScatterBackward0(_ViewScatter):
    @staticmethod
    def region(out, dim, index):
        return out[(slice(None),) * dim + (index, Ellipsis)]

    @staticmethod
    def view(g, dim, index):
        return g.select(dim, index)


class SliceScatterBackward0(_ViewScatter):
    @staticmethod
    def region(out, dim, start, stop, step):
        return out[(slice(None),) * dim + (slice(start, stop, step),)]

    @staticmethod
    def view(g, dim, start, stop, step):
        return g[(slice(None),) * dim + (slice(start, stop, step),)]


class DiagonalScatterBackward0(_ViewScatter):
    @staticmethod
    def region(out, offset, dim1, dim2):
        return _diag_view(out, offset, dim1, dim2)

    @staticmethod
    def view(g, offset, dim1, dim2):
        return g.diagonal(offset, dim1, dim2)


def _check_src(src, part):
    if tuple(src.shape) != tuple(part.shape):
        raise RuntimeError(f'expected src to have a size equal to the slice of self. src size = '
                           f'{_fmt(src.shape)}, slice size = {_fmt(part.shape)}')


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    _check_src(src, _select(input.detach(), dim, index))
    d = wrap_dim(dim, input.ndim)
    index = int(index)
    return apply(SelectScatterBackward0, input, src, dim=d, index=index + input.shape[d] if index < 0 else index)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``input[..., start:end:step, ...]`` (along ``dim``) replaced by ``src``."""
    if input.ndim == 0:
        raise IndexError('slice() cannot be applied to a 0-dim tensor.')
    d = wrap_dim(dim, input.ndim)
    if step <= 0:
        raise RuntimeError('slice step must be positive')
    start, stop, step = slice(start, end, step).indices(input.shape[d])
    stop = max(stop, start)
    _check_src(src, input.detach()[(slice(None),) * d + (slice(start, stop, step),)])
    return apply(SliceScatterBackward0, input, src, dim=d, start=start, stop=stop, step=step)


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``input.diagonal(offset, dim1, dim2)`` replaced by ``src``."""
    _check_src(src, _diagonal(input.detach(), offset, dim1, dim2))
    n = input.ndim
    return apply(DiagonalScatterBackward0, input, src, offset=int(offset), dim1=wrap_dim(dim1, n),
                 dim2=wrap_dim(dim2, n))


# ------------------------------------------------------------------ in-place geometry and fills

def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dims equal for >2-D); ``wrap``: in a tall matrix start again
    every ``cols + 1`` rows. Written as fill_ on diagonal views, so autograd sees CopySlices."""
    n = self.ndim
    if n < 2:
        raise RuntimeError('dimensions must larger than 1')
    if n > 2 and any(s != self.shape[0] for s in self.shape):
        raise RuntimeError('all dimensions of input must be of equal length')
    rows, cols = self.shape[0], self.shape[1]
    if n == 2 and wrap and rows > cols + 1:
        q = rows // (cols + 1)              # whole (cols + 1)-row blocks, each with its own diagonal
        block = self[:q * (cols + 1)].view(q, cols + 1, cols)[:, :cols]
        block.diagonal(0, 1, 2).fill_(fill_value)
        if rows > q * (cols + 1):
            self[q * (cols + 1):].diagonal().fill_(fill_value)
        return self
    diag = self
    while diag.ndim > 1:
        diag = diag.diagonal(0, 0, 1)
    diag.fill_(fill_value)
    return self


def swapaxes_(self, axis0, axis1):
    return self.transpose_(axis0, axis1)


def swapdims_(self, dim0, dim1):
    return self.transpose_(dim0, dim1)


# ------------------------------------------------------------------ legacy new, predicates

def _options(t):
    dev = str(t.device)
    return (f'TensorOptions(dtype={_TYPE_NAMES[t.dtype]}, device={dev}, layout=Strided, requires_grad=false '
            '(default), pinned_memory=false (default), memory_format=(nullopt))')


def _type_word(v):
    return 'ember.dtype' if isinstance(v, _dtype.dtype) else type(v).__name__


def new(self, *args, device=None, **kwargs):
    """Legacy constructor with ``self``'s dtype and device: ``t.new()`` (empty), ``t.new(2, 3)``
    (a shape: zeros in ember, uninitialised in PyTorch), ``t.new([1, 2])`` (data), ``t.new(other)``
    (an alias of ``other``, which must have the same dtype and device)."""
    from .legacy import legacy_new
    if kwargs:
        got = ', '.join([type(a).__name__ for a in args] + [f'{k}={_type_word(v)}' for k, v in kwargs.items()])
        raise TypeError(f'new() received an invalid combination of arguments - got ({got}), but expected one of:')
    if len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if src.dtype is not self.dtype or src.device != self.device:
            raise TypeError(f'expected {_options(self)} (got {_options(src)})')
        return apply(AliasBackward0, src)
    return legacy_new(self.dtype, args, self.device if device is None else device)


def _same_size(input, other, pos):
    if not isinstance(other, Tensor):
        from .argcheck import not_tensor_error
        raise not_tensor_error('is_same_size', other, 'other', pos)
    return tuple(input.shape) == tuple(other.shape)


def is_same_size(input, other):
    return _same_size(input, other, 2)


def _is_same_size_method(self, other):
    return _same_size(self, other, 1)


def is_nonzero(input):
    """The single value of ``input`` as a bool (errors for zero or several values, as ``bool(t)``)."""
    try:
        return Tensor.__bool__(input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('is_nonzero', (input,))


def view_other_size(self, d):
    """x.view(dtype) where dtype's element size differs: the last dimension's bytes read as more (or
    fewer) elements. Shares memory and the version counter, not a view to autograd (as in PyTorch)."""
    from .._tensor import _scalar_name
    a, old, new = self._data, self._data.itemsize, d.itemsize
    what = (f'to view {_scalar_name(self.dtype)} as {_scalar_name(d)} (different element sizes)')
    if a.ndim == 0:
        raise RuntimeError(f'self.dim() cannot be 0 {what}')
    st = self.stride()
    if new > old:
        r = new // old
        if a.shape[-1] % r:
            raise RuntimeError(f'self.size(-1) must be divisible by {r} {what}, but got {a.shape[-1]}')
    if st[-1] != 1 and a.shape[-1] > 1:
        raise RuntimeError(f'self.stride(-1) must be 1 {what}, but got {st[-1]}')
    if new > old:
        off = self.storage_offset()
        if off % r:
            raise RuntimeError(f'self.storage_offset() must be divisible by {r} {what}, but got {off}')
        for i, s in enumerate(st[:-1]):
            if s % r:
                raise RuntimeError(f'self.stride({i}) must be divisible by {r} {what}, but got {s}')
    if a.size == 0 or a.shape[-1] == 1 and st[-1] != 1:
        shape = a.shape[:-1] + (a.shape[-1] * old // new,)
        out = as_strided_view(a, shape, a.strides[:-1] + (new,)).view(d.np) if a.size else \
            _xp(a).empty(shape, d.np)
    else:
        out = a.view(d.np)
    return Tensor._make(out, None, self._vc)


__all__ = ['ravel', 'narrow_copy', 'split_with_sizes', 'unsafe_split', 'unsafe_chunk', 'unsafe_split_with_sizes',
           'select_scatter', 'slice_scatter', 'diagonal_scatter', 'is_same_size', 'is_nonzero',
           'as_strided', 'as_strided_', 'as_strided_scatter', 'empty_strided', 'resize_as_']
METHODS = {name: globals()[name] for name in __all__ if name != 'empty_strided'}
METHODS.update(_STRIDED_METHODS)
METHODS.update({'unfold': unfold, 'fill_diagonal_': fill_diagonal_, 'swapaxes_': swapaxes_,
                'swapdims_': swapdims_, 'new': new, 'is_same_size': _is_same_size_method})
