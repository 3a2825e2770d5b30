"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty/eye, ranges,
the *_like and new_* forms, and the legacy ``Tensor(...)`` / ``FloatTensor(...)`` forms."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._device import as_device
from .._size import Size
from .._tensor import Tensor


def _place(arr, device):
    """Move a freshly made host array to ``device`` (a no-op for CPU)."""
    device = as_device(device)
    if device is None or device.type == 'cpu':
        return arr
    from .._backend import move
    return move(arr, device)


def _finish(arr, device, requires_grad):
    t = Tensor._make(_place(arr, device))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np(dtype):
    return (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list, Size)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f'zeros(): argument \'size\' (position 1) must be tuple of ints, but found '
                            f'element of type {type(s).__name__} at pos {len(out)}')
        if s < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {s}: {list(size)}')
        out.append(int(s))
    return tuple(out)


# ------------------------------------------------------------------ from data

def _infer_np(data):
    """Array and ember dtype PyTorch would infer for Python/NumPy data."""
    if isinstance(data, Tensor):
        return data.detach().numpy(force=True).copy(), data.dtype
    if isinstance(data, np.ndarray):
        return data.copy(), _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, np.generic):
        return np.array(data), _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type 'str'")
    try:
        arr = np.array(data)
    except ValueError:
        _ragged(data)
        raise
    if arr.dtype == object or arr.dtype.kind in 'USV':
        bad = _first_bad(data)
        raise TypeError(f"new(): invalid data type '{type(bad).__name__}'")
    if isinstance(data, (list, tuple)) and _has_array(data):
        return arr, _dtype.from_numpy_dtype(arr.dtype)
    kind = arr.dtype.kind
    if kind == 'f':
        return arr, _dtype.get_default_dtype()
    if kind in 'iu':
        return arr, _dtype.int64
    if kind == 'b':
        return arr, _dtype.bool_
    raise TypeError(f"new(): invalid data type '{arr.dtype}'")


def _has_array(data):
    for x in data:
        if isinstance(x, (np.ndarray, Tensor)):
            return True
        if isinstance(x, (list, tuple)):
            return _has_array(x)
        return False
    return False


def _first_bad(data):
    if isinstance(data, (list, tuple)):
        for x in data:
            b = _first_bad(x)
            if b is not None:
                return b
        return None
    return data if not isinstance(data, (int, float, bool, np.generic, np.ndarray, Tensor)) else None


def _ragged(data, dim=0):
    if not isinstance(data, (list, tuple)) or not data:
        return
    lens = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
    first = lens[0]
    for n in lens[1:]:
        if n != first:
            raise ValueError(f'expected sequence of length {first} at dim {dim + 1} (got {n})')
    for x in data:
        _ragged(x, dim + 1)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn('To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() '
                      'or sourceTensor.detach().clone().requires_grad_(True), rather than '
                      'torch.tensor(sourceTensor).', UserWarning, stacklevel=2)
    arr, inferred = _infer_np(data)
    d = inferred if dtype is None else _dtype.to_dtype(dtype)
    if arr.dtype != d.np:
        arr = _cast_host(arr, d.np)
    return _finish(arr, device, requires_grad)


def _cast_host(arr, np_dtype):
    if np_dtype.kind in 'iu' and arr.dtype.kind == 'f':
        return np.trunc(arr).astype(np_dtype)
    return arr.astype(np_dtype)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data.to(dtype=dtype, device=device) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (dtype is None or _dtype.to_dtype(dtype).np == data.dtype):
        if as_device(device) is None or as_device(device).type == 'cpu':
            return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f'expected np.ndarray (got {type(ndarray).__name__})')
    _dtype.from_numpy_dtype(ndarray.dtype)
    if any(s < 0 for s in ndarray.strides):
        raise ValueError('At least one stride in the given numpy array is negative, and tensors with '
                         'negative strides are not currently supported. (You can probably work around '
                         'this by making a copy of your array  with array.copy().) ')
    return Tensor._make(ndarray)


def scalar_tensor(value, like=None, dtype=None):
    """A 0-dim tensor for a Python number, on ``like``'s device (wrapped-number semantics)."""
    d = dtype or _dtype.scalar_dtype(value)
    arr = np.array(value, dtype=d.np)
    return Tensor._make(_place(arr, like.device if like is not None else None))


# ------------------------------------------------------------------ filled

def _filled(fill, size, dtype, device, requires_grad, out=None):
    arr = np.full(_size(size), fill, dtype=_np(dtype)) if fill is not None else \
        np.zeros(_size(size), dtype=_np(dtype))
    return _finish(arr, device, requires_grad)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(np.zeros(_size(size), _np(dtype)), device, requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    return _finish(np.ones(_size(size), _np(dtype)), device, requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None):
    return _finish(np.empty(_size(size), _np(dtype)), device, requires_grad)


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _finish(np.full(_size((size,)), fill_value, _np(dtype)), device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if n < 0:
        raise RuntimeError(f'n must be greater or equal to 0, got {n}')
    return _finish(np.eye(n, n if m is None else m, dtype=_np(dtype)), device, requires_grad)


def _like(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        return fn(input.shape, dtype=input.dtype if dtype is None else dtype,
                  device=input.device if device is None else device, requires_grad=requires_grad)
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return full(input.shape, fill_value, dtype=input.dtype if dtype is None else dtype,
                device=input.device if device is None else device, requires_grad=requires_grad)


# new_* methods keep the source tensor's dtype and device
def new_ones(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return ones(_size(size), dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return zeros(_size(size), dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def new_empty(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return empty(_size(size), dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return tensor(data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)


# ------------------------------------------------------------------ ranges

def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError('step must be nonzero')
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError('upper bound and larger bound inconsistent with step sign')
    if dtype is None:
        dtype = _dtype.get_default_dtype() if any(isinstance(v, float) for v in vals) else _dtype.int64
    d = _dtype.to_dtype(dtype)
    n = max(0, math.ceil((vals[1] - vals[0]) / vals[2]))
    arr = (vals[0] + np.arange(n, dtype=np.float64) * vals[2]) if d.is_floating_point or \
        any(isinstance(v, float) for v in vals) else np.arange(vals[0], vals[1], vals[2], dtype=np.int64)
    return _finish(arr.astype(d.np), device, requires_grad)


def range_(start, end, step=1, *, dtype=None, device=None, requires_grad=False):
    warnings.warn('torch.range is deprecated and will be removed in a future release because its '
                  'behavior is inconsistent with Python\'s range builtin. Instead, use torch.arange, '
                  'which produces values in [start, end).', UserWarning, stacklevel=2)
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    return _finish((start + np.arange(n) * step).astype(d.np), device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if steps < 0:
        raise RuntimeError('number of steps must be non-negative')
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    arr = np.linspace(float(start), float(end), int(steps), dtype=np.float64)
    if not d.is_floating_point:
        arr = np.trunc(arr)
    return _finish(arr.astype(d.np), device, requires_grad)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    arr = np.power(float(base), np.linspace(float(start), float(end), int(steps)))
    return _finish(arr.astype(d.np), device, requires_grad)


# ------------------------------------------------------------------ legacy constructors

def legacy_new(dtype, args, device=None):
    """``Tensor(5, 3)``: zero-filled of that shape; ``Tensor([1, 2])``: data; ``Tensor()``: empty."""
    d = _dtype.to_dtype(dtype)
    if not args:
        return Tensor._make(np.zeros((0,), d.np))
    if len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0]
        if t.dtype is not d:
            raise TypeError(f'expected {d} (got {t.dtype})')
        return t
    if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
        return Tensor._make(_place(np.zeros(_size(args), d.np), device))
    if len(args) == 1 and isinstance(args[0], Size):
        return Tensor._make(_place(np.zeros(tuple(args[0]), d.np), device))
    if len(args) == 1:
        data = args[0]
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            raise TypeError(f'new(): data must be a sequence (got {type(data).__name__})')
        arr, _ = _infer_np(data)
        return Tensor._make(_place(_cast_host(arr, d.np), device))
    raise TypeError(f'new() received an invalid combination of arguments')


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype

    def __repr__(cls):
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_type(d):
    def __new__(cls, *args, device=None):
        return legacy_new(d, args, device)
    return _LegacyMeta(d.legacy, (), {'__new__': __new__, '_legacy_dtype': d,
                                       '__module__': 'ember'})


LEGACY = {d.legacy: _legacy_type(d) for d in _dtype.all_dtypes}
