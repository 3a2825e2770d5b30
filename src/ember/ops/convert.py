"""Copies and conversions: clone, contiguous, to(dtype/device), float()/long()/..."""
import warnings

import numpy as np

from .. import _dtype, _quiet_numpy as _quiet
from .._device import device as _device, as_device
from .._tensor import Tensor
from ._op import Op, apply
from ._promote import xp
from .from_data import drop_imag
from .argcheck import bad_input


def copy_like(res, like):
    """``res`` copied into new memory laid out as PyTorch's preserve_format lays out ``like``: its strides
    when ``like`` is dense, else packed strides with the dims ordered as ``like``'s (ties: by size)."""
    if like.flags.c_contiguous:                  # the usual case: a plain C-order copy
        out = res.copy(order='C')
        if out.strides == like.strides:
            return out
    m, st, sh = xp(res), like.strides, like.shape
    strides, acc = list(st), like.itemsize
    for d in sorted(range(like.ndim - 1, -1, -1), key=lambda d: 0 if 0 in st else (st[d], sh[d])):
        strides[d], acc = acc, acc * max(sh[d], 1)
    if all(strides[d] == st[d] for d in range(like.ndim) if sh[d] > 1):      # dense: keep its strides
        strides = st
    out = m.lib.stride_tricks.as_strided(m.empty(max(res.size, 1), res.dtype), res.shape, strides)
    out[...] = res
    return out


def _channels_last(a, name):
    """A copy of a with NHWC (NDHWC) strides."""
    rank = 4 if name == 'channels_last' else 5
    if a.ndim != rank:
        raise RuntimeError(f'required rank {rank} tensor to use {name} format')
    order = (0, *range(2, rank), 1)
    return a.transpose(order).copy().transpose((0, rank - 1, *range(1, rank - 1)))


def _format_name(memory_format):
    return None if memory_format is None else getattr(memory_format, 'name', memory_format)


class CloneBackward0(Op):
    def forward(self, a, memory_format=None):
        if memory_format in ('channels_last', 'channels_last_3d'):
            return _channels_last(a, memory_format)
        if memory_format in ('contiguous', 'contiguous_format'):
            return a.copy(order='C')
        # PyTorch's preserve_format keeps the strides of a dense layout (size-1 dims too), else the
        # layout's dim order; dims that overlap (expanded) get a row-major copy
        if any(st == 0 and n > 1 for st, n in zip(a.strides, a.shape)):
            return a.copy(order='C')
        return copy_like(a, a)

    def backward(self, g):
        return g


def clone(input, *, memory_format=None):
    try:
        name = _format_name(memory_format)
        return apply(CloneBackward0, input, memory_format=None if name == 'preserve_format' else name)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('clone', (input,))


def contiguous(self, memory_format=None):
    name = _format_name(memory_format)
    if name in ('channels_last', 'channels_last_3d'):
        if self.is_contiguous(memory_format=memory_format):
            return self
        return apply(CloneBackward0, self, memory_format=name)
    if self._data.flags.c_contiguous:
        return self
    return apply(CloneBackward0, self, memory_format='contiguous')


class ToCopyBackward0(Op):
    """A copy in another dtype and/or on another device. Complex to real keeps the real part
    (PyTorch warns once; ``quiet`` for the gradient, which is the real part of a complex one)."""

    def forward(self, a, dtype=None, device=None, memory_format=None, quiet=False):
        self.src = (a.dtype, None if type(a) is np.ndarray else a.device.id)
        from .._backend import move
        out = a
        if device is not None and device.type == 'cpu':
            out = move(out, device)                  # to the host first, then cast there
        if dtype is not None and out.dtype != dtype:
            out = drop_imag(out, np.dtype(dtype), warn=not quiet)
            if out.dtype.kind in 'fcV' and not _quiet.ours_first() and _may_overflow(out.dtype, np.dtype(dtype)):
                with np.errstate(invalid='ignore', over='ignore'):     # nan/inf to int, 1e300 to float32
                    out = astype(out, dtype)   # (a user's warnings filter comes before ember's)
            else:
                out = astype(out, dtype)
        if device is not None and device.type != 'cpu':
            out = move(out, device)                  # cast on the host, then copy to the GPU
        if memory_format in ('channels_last', 'channels_last_3d'):
            return _channels_last(out, memory_format)
        if memory_format is not None:                # contiguous_format
            return xp(out).ascontiguousarray(out) if out is not a else a.copy(order='C')
        return out if out is not a else a.copy()

    def backward(self, g):
        dt, dev = self.src
        if g._data.dtype.kind == 'c' and dt.kind != 'c':      # a real input gets the real part
            g = apply(ToCopyBackward0, g, dtype=dt, quiet=True)
        return g.to(device=_device('cpu') if dev is None else _device('cuda', dev),
                    dtype=_dtype._FROM_NP[dt])


_F64, _F16 = np.dtype(np.float64), np.dtype(np.float16)


def astype(arr, dtype):
    """``arr`` cast to a NumPy ``dtype``; float64 to float16 rounds through float32, as PyTorch does."""
    if arr.dtype == _F64 and dtype == _F16:
        arr = arr.astype(np.float32)
    return arr.astype(dtype)


def _may_overflow(src, dst):
    """Whether casting floats of ``src`` into ``dst`` can meet NumPy's invalid/overflow warnings."""
    return dst.kind in 'iub' or dst.itemsize < src.itemsize or dst.kind == 'V'


def _parse_to(args, kwargs):
    """PyTorch's three positional forms: ``to(device=None, dtype=None, non_blocking=False, copy=False)``,
    ``to(dtype, non_blocking=False, copy=False)``, ``to(tensor, non_blocking=False, copy=False)``;
    a None in place of the device or dtype changes nothing."""
    dtype = kwargs.pop('dtype', None)
    dev = kwargs.pop('device', None)
    copy = kwargs.pop('copy', False)
    kwargs.pop('non_blocking', None)
    kwargs.pop('memory_format', None)
    if kwargs:
        raise TypeError(f'to() got an unexpected keyword argument \'{next(iter(kwargs))}\'')
    if args:
        a, rest = args[0], args[1:]
        if isinstance(a, Tensor):
            dtype, dev = a.dtype, a.device
        elif isinstance(a, _dtype.dtype):
            dtype = a
        elif a is None or isinstance(a, (str, _device)) or (isinstance(a, int) and a.__class__ is not bool):
            if a is not None:
                dev = as_device(a)
            if rest and (rest[0] is None or isinstance(rest[0], _dtype.dtype)):
                dtype = rest[0] if rest[0] is not None else dtype
                rest = rest[1:]
        else:
            dtype = _dtype.to_dtype(a)
        if rest:
            if len(rest) > 2 or any(r.__class__ is not bool for r in rest):
                _bad_to_args(args, rest)
            if len(rest) == 2:
                copy = rest[1]
    if dev is not None:
        dev = as_device(dev)
    return dtype, dev, copy


def _bad_to_args(args, rest):
    def name(v):
        if isinstance(v, (_dtype.dtype, _device)):
            return 'ember.' + type(v).__name__
        return 'NoneType' if v is None else type(v).__name__
    raise TypeError(f"to() received an invalid combination of arguments - got ({', '.join(map(name, args))}), "
                    'but expected one of:')


def to(self, *args, **kwargs):
    fmt = _format_name(kwargs.get('memory_format'))
    dtype, dev, copy = _parse_to(args, dict(kwargs))
    same_dtype = dtype is None or dtype.np == self._data.dtype
    same_dev = dev is None or _same_device(dev, self.device)
    if fmt == 'preserve_format':
        fmt = None
    elif fmt is not None:
        rank = {'channels_last': 4, 'channels_last_3d': 5}.get(fmt)
        if rank is not None and self._data.ndim != rank:
            raise RuntimeError(f'required rank {rank} tensor to use {fmt} format')
        if _laid_out(self._data, fmt, rank):
            fmt = None                           # already laid out so
    if same_dtype and same_dev and not copy and fmt is None:
        return self
    if dev is not None and dev.type == 'cuda':
        from .._backend import check_cuda
        check_cuda()
    return apply(ToCopyBackward0, self, dtype=None if dtype is None else dtype.np,
                 device=None if same_dev else dev, memory_format=fmt)


def _laid_out(a, fmt, rank):
    """Whether ``a`` has the strides a fresh copy in memory format ``fmt`` would get."""
    if rank is None:
        return a.flags.c_contiguous
    return a.strides == _channels_last(xp(a).empty(a.shape, a.dtype), fmt).strides


def _same_device(want, have):
    if want.type != have.type:
        return False
    return want.index is None or have.index is None or want.index == have.index


def cpu(self, memory_format=None):
    return to(self, 'cpu') if memory_format is None else to(self, 'cpu', memory_format=memory_format)


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """A copy on a GPU (the current one when ``device`` is None); ``self`` if already there."""
    if device is None:
        from .. import cuda as _cuda
        device = _cuda.current_device()
    return to(self, device if isinstance(device, _device) else _device('cuda', device)
              if isinstance(device, int) else _device(device))


def is_pinned(self, device=None):
    """True for host tensors on page-locked memory (``pin_memory()``; views of it too)."""
    a = self._data
    while isinstance(a, np.ndarray):
        a = a.base
    return type(a).__name__ == 'PinnedMemoryPointer'


def pin_memory(self, device=None):
    """A copy in page-locked host memory (CuPy's pinned pool), ``self`` if already pinned;
    without a GPU, PyTorch's error."""
    from ..cuda import is_available
    if not is_available():
        raise RuntimeError('Cannot access accelerator device when none is available.')
    if type(self._data) is not np.ndarray:
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    return self if is_pinned(self) else apply(PinMemoryBackward0, self)


class PinMemoryBackward0(Op):
    """A copy into page-locked memory; the gradient passes through."""

    def forward(self, a):
        import cupyx
        out = cupyx.empty_pinned(a.shape, a.dtype)
        out[...] = a
        return out

    def backward(self, g):
        return g


def _caster(d):
    def f(self, memory_format=None):
        if memory_format is None:
            return to(self, d)
        return to(self, d, memory_format=memory_format)
    f.__name__ = d.name
    return f


float_ = _caster(_dtype.float32)
double = _caster(_dtype.float64)
half = _caster(_dtype.float16)
bfloat16 = _caster(_dtype.bfloat16)
long = _caster(_dtype.int64)
int_ = _caster(_dtype.int32)
short = _caster(_dtype.int16)
char = _caster(_dtype.int8)
byte = _caster(_dtype.uint8)
bool_ = _caster(_dtype.bool_)
cfloat = _caster(_dtype.complex64)
cdouble = _caster(_dtype.complex128)


def type_as(self, other):
    return to(self, other.dtype)


def to_dense(self, dtype=None, *, masked_grad=None):
    """A strided tensor is already dense: the tensor itself (converted when ``dtype`` differs)."""
    return self if dtype is None else to(self, dtype)


def _volatile_get(self):
    warnings.warn('volatile was removed (Variable.volatile is always False)', UserWarning, stacklevel=2)
    return False


def _volatile_set(self, value):
    warnings.warn('volatile was removed and now has no effect. Use `with ember.no_grad():` instead.',
                  UserWarning, stacklevel=2)


# Tensor members PyTorch keeps only for old code (the method table in _methods.py does not list them)
Tensor.to_dense = to_dense
Tensor.cfloat, Tensor.cdouble = cfloat, cdouble      # (not yet in _methods.py's table)
Tensor.volatile = property(_volatile_get, _volatile_set)
