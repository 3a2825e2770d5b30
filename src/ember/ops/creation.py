"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty/eye,
the *_like and new_* forms (legacy.py has ``Tensor(5, 3)`` / ``FloatTensor([...])``)."""
import contextlib
import math
import warnings

import numpy as np

from .. import _dtype
from .._backend import check_cuda, check_bf16
from .._device import default_for
from .._tensor import Tensor
from .from_data import _infer_np, _cast_host, check_strides, check_numpy  # noqa: F401  (legacy.py and ranges.py import them here)
from .creation_args import _requiring, _is_int, _size, _size_kw, _into_out  # noqa: F401  (random*.py, legacy.py, ranges.py)

_HOST = contextlib.nullcontext()


def _xp_for(device, nd=None):
    """(NumPy, no context) off the GPU; (CuPy, the target GPU: ``cuda`` alone is the current one)."""
    device = default_for(device)
    if device is None or device.type != 'cuda':
        return np, _HOST
    check_cuda()
    check_bf16(nd)
    import cupy
    return cupy, cupy.cuda.Device(cupy.cuda.runtime.getDevice() if device.index is None else device.index)


def _build(make, device, nd, requires_grad):
    """A factory's tensor: ``make(xp)`` builds the array directly where ``device`` says."""
    device = default_for(device)
    if device is None or device.type != 'cuda':
        t = Tensor._make(make(np))
    else:
        xp, ctx = _xp_for(device, nd)
        with ctx:
            t = Tensor._make(make(xp))
    return _requiring(t) if requires_grad else t


def _place(arr, device):
    """Move a freshly made host array to ``device`` (a no-op for CPU and for device arrays)."""
    device = default_for(device) if type(arr) is np.ndarray else None
    if device is None or device.type == 'cpu':
        return arr
    from .._backend import move
    return move(arr, device)


def _finish(arr, device, requires_grad):
    t = Tensor._make(_place(arr, device))
    return _requiring(t) if requires_grad else t


def _np(dtype):
    return (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np


# ------------------------------------------------------------------ from data (read by from_data.py)

def _copy_warning(data, how):
    if isinstance(data, Tensor):
        warnings.warn('To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() '
                      'or sourceTensor.detach().clone().requires_grad_(True), rather than '
                      f'{how}(sourceTensor).', UserWarning, stacklevel=3)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    _copy_warning(data, 'ember.tensor')
    return _finish(_infer_np(data, dtype), device, requires_grad)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray):
        check_numpy(data, shared=True)      # PyTorch warns for a read-only array even when it copies
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_dtype(dtype).np == data.dtype):
        if getattr(default_for(device), 'type', 'cpu') == 'cpu':
            return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f'expected np.ndarray (got {type(ndarray).__name__})')
    check_numpy(ndarray, shared=True)
    _dtype.from_numpy_dtype(ndarray.dtype)
    check_strides(ndarray)
    return Tensor._make(ndarray)


def scalar_tensor(s, like=None, dtype=None, *, device=None, requires_grad=False, layout=None,
                  pin_memory=False):
    """``ember.scalar_tensor(s)``: a 0-dim tensor of the default dtype, as in PyTorch. Ops pass ``like``
    to wrap a Python number: it keeps the number's own promotion dtype and goes to ``like``'s device."""
    if like is None:
        if not isinstance(s, (int, float, complex, np.generic, Tensor)):
            raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not {type(s).__name__}")
        d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
        return _finish(_fill_array(s, d), device, requires_grad)
    d = dtype or _dtype.scalar_dtype(s)
    arr = np.array(s, dtype=d.np)
    return Tensor._make(_place(arr, like.device))


# ------------------------------------------------------------------ filled

# the C++ type names PyTorch's Scalar conversion errors use
_CPP_NAMES = {'uint8': 'uint8_t', 'int8': 'int8_t', 'int16': 'int16_t', 'int32': 'int', 'int64': 'int64_t',
              'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16', 'float32': 'float', 'float64': 'double',
              'bool': 'bool', 'complex64': 'c10::complex<float>', 'complex128': 'c10::complex<double>'}


def _overflow(d):
    return RuntimeError(f'value cannot be converted to type {_CPP_NAMES[d.name]} without overflow')


def _fill_array(value, d):
    """A Python number as a 0-dim array of ``d``, with PyTorch's Scalar overflow checks (a complex
    number goes into a real dtype only when its imaginary part is 0; into bool as ``!= 0``)."""
    if isinstance(value, (Tensor, np.generic)):
        value = value.item()
    if isinstance(value, int) and not isinstance(value, bool) and not -2 ** 63 <= value < 2 ** 64:
        raise OverflowError('int too big to convert')
    nd = d.np
    if isinstance(value, complex):
        if d is _dtype.bool_:
            return np.array(value != 0)
        if not d.is_complex:
            if value.imag != 0:                 # NaN too
                raise _overflow(d)
            value = value.real
    parts = (value.real, value.imag) if isinstance(value, complex) else (value,)
    bad = False
    if nd.kind in 'iu':
        info = np.iinfo(nd)
        if isinstance(value, float):
            bad = not (0 if nd.kind == 'u' else info.min) <= value <= info.max
        else:
            bad = not (-info.max if nd.kind == 'u' else info.min) <= value <= info.max
    elif d is not _dtype.bool_:
        top = float(np.finfo(np.float32 if d is _dtype.bfloat16 else nd).max) * (
            1.0078125 if d is _dtype.bfloat16 else 1)
        bad = any(math.isfinite(v) and abs(v) > top for v in parts)
    if bad:
        raise _overflow(d)
    if isinstance(value, int) and not isinstance(value, bool) and nd.kind in 'iu':
        return np.array(value & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64).astype(nd)
    return _cast_host(np.array(value), nd)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    if size is not None:
        args = _size_kw('zeros', args, size)
    shape = _size(args, 'zeros')
    if out is not None:
        return _into_out(out, 'zeros', dtype, requires_grad, lambda d, dev: zeros(shape, dtype=d, device=dev))
    nd = _np(dtype)
    return _build(lambda xp: xp.zeros(shape, nd), device, nd, requires_grad)


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    if size is not None:
        args = _size_kw('ones', args, size)
    shape = _size(args, 'ones')
    if out is not None:
        return _into_out(out, 'ones', dtype, requires_grad, lambda d, dev: ones(shape, dtype=d, device=dev))
    nd = _np(dtype)
    return _build(lambda xp: xp.ones(shape, nd), device, nd, requires_grad)


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    if size is not None:
        args = _size_kw('empty', args, size)
    shape = _size(args, 'empty')
    if memory_format is not None and memory_format.name == 'preserve_format':
        raise RuntimeError('unsupported memory format Preserve')
    if out is not None:
        if memory_format is not None:
            raise RuntimeError("'memory_format' argument is incompatible with 'out' tensor argument")
        return _into_out(out, 'empty', dtype, requires_grad, lambda d, dev: empty(shape, dtype=d, device=dev),
                         fill=False)
    nd = _np(dtype)
    t = _build(lambda xp: xp.empty(shape, nd), device, nd, requires_grad)
    return t if memory_format is None else laid_out(t, memory_format)


def _full(size, fill_value, dtype, device, requires_grad, name):
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f'{type(size).__name__}')
    if isinstance(fill_value, Tensor) and fill_value.dim() != 0:
        raise TypeError(f"{name}(): argument 'fill_value' (position 2) must be Number, not Tensor")
    if isinstance(fill_value, (str, bytes, type(None), list, tuple)):
        raise TypeError(f"{name}(): argument 'fill_value' (position 2) must be Number, not {type(fill_value).__name__}")
    if dtype is None:
        if isinstance(fill_value, np.complexfloating):   # read as a float (NumPy warns), as in PyTorch
            fill_value = float(fill_value)
        dtype = (_dtype.get_default_dtype() if isinstance(fill_value, np.bool_)   # no Python bool: a float
                 else _dtype.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value))
    d = _dtype.to_dtype(dtype)
    shape, fv = _size((size,), name), _fill_array(fill_value, d)
    return _build(lambda xp: xp.full(shape, fv if xp is np else fv.item(), d.np), device, d.np, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    if out is not None:
        return _into_out(out, 'full', dtype, requires_grad,
                         lambda d, dev: _full(size, fill_value, d, dev, False, 'full'))
    return _full(size, fill_value, dtype, device, requires_grad, 'full')


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    if not _is_int(n):
        raise TypeError(f"eye(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if m is not None and not _is_int(m):
        raise TypeError(f"eye(): argument 'm' (position 2) must be int, not {type(m).__name__}")
    if n < 0:
        raise RuntimeError(f'n must be greater or equal to 0, got {n}')
    if m is not None and m < 0:
        raise RuntimeError(f'm must be greater or equal to 0, got {m}')
    if out is not None:
        return _into_out(out, 'eye', dtype, requires_grad, lambda d, dev: eye(n, m, dtype=d, device=dev))
    nd = _np(dtype)
    return _build(lambda xp: xp.eye(int(n), int(n if m is None else m), dtype=nd), device, nd, requires_grad)


def _check_tensor(input, name):
    from .argcheck import need_tensor
    need_tensor(name, input)


def laid_out(t, memory_format, like=None):
    """``t`` (fresh, C-contiguous) laid out as ``memory_format`` says: ``channels_last`` (NHWC strides),
    ``contiguous_format``, or preserve_format (None): ``like``'s dim order, as ``clone`` keeps it."""
    name = 'preserve_format' if memory_format is None else memory_format.name
    if name == 'preserve_format':
        if like is None:
            return t
        from .convert import copy_like
        from ._promote import xp
        src, ref = t._data, like._data
        if ref.itemsize != src.itemsize:         # the same layout in elements of t's dtype (never read)
            ref = xp(ref).lib.stride_tricks.as_strided(
                src, ref.shape, tuple(s // ref.itemsize * src.itemsize for s in ref.strides))
        data = copy_like(src, ref)
    elif name.startswith('channels_last'):
        rank = 4 if name == 'channels_last' else 5
        if t._data.ndim != rank:
            raise RuntimeError(f'required rank {rank} tensor to use {name} format')
        order = (0, *range(2, rank), 1)
        a = t._data.transpose(order).copy()
        data = a.transpose((0, rank - 1, *range(1, rank - 1)))
    else:
        return t
    out = Tensor._make(data)
    out._requires_grad = t._requires_grad
    return out


def _like(fn, name):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None, pin_memory=False):
        _check_tensor(input, name)
        out = fn(input.shape, dtype=input.dtype if dtype is None else dtype,
                 device=input.device if device is None else device, requires_grad=requires_grad)
        if memory_format is None and input._data.strides == out._data.strides:
            return out
        return laid_out(out, memory_format, input)
    like.__name__ = like.__qualname__ = name
    return like


zeros_like = _like(zeros, 'zeros_like')
ones_like = _like(ones, 'ones_like')
empty_like = _like(empty, 'empty_like')


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, pin_memory=False):
    _check_tensor(input, 'full_like')
    out = full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
               device=input.device if device is None else device, requires_grad=requires_grad)
    if memory_format is None and input._data.strides == out._data.strides:
        return out
    return laid_out(out, memory_format, input)


def _new(fn, name):
    """The new_* methods: they keep the source tensor's dtype and device."""
    def new(self, *args, size=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
        if size is not None:
            args = _size_kw(name, args, size)
        return fn(_size(args, name), dtype=dtype or self.dtype, device=device or self.device,
                  requires_grad=requires_grad)
    new.__name__ = new.__qualname__ = name
    return new


new_ones = _new(ones, 'new_ones')
new_zeros = _new(zeros, 'new_zeros')
new_empty = _new(empty, 'new_empty')


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return _full(size, fill_value, dtype or self.dtype, device or self.device, requires_grad, 'new_full')


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    _copy_warning(data, 'tensor.new_tensor')
    return _finish(_infer_np(data, dtype or self.dtype), device or self.device, requires_grad)


from .asarray import asarray  # noqa: E402,F401  (ember.asarray: built on the functions above)
