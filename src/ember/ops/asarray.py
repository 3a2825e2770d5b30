"""``asarray``: a tensor from a tensor, NumPy array, buffer or sequence that shares memory when it can,
with PyTorch's ``copy=`` (True: always copy, False: never, None: only when needed) and
``requires_grad=`` rules."""
import warnings

import numpy as np

from .. import _dtype
from .._device import default_for
from .._tensor import Tensor
from .creation import tensor, as_tensor, check_strides, _finish, _requiring, _np


_ASARRAY_WARNED = []


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=None):
    """``obj`` as a tensor, sharing its memory when it can (a tensor, a NumPy array, a buffer):
    ``copy=True`` always copies, ``copy=False`` never does (ValueError when it would have to);
    ``requires_grad=None`` keeps a tensor's own flag (PyTorch warns once that it does)."""
    for name, v in (('copy', copy), ('requires_grad', requires_grad)):
        if v is not None and type(v) is not bool:
            raise TypeError(f"asarray(): argument '{name}' must be bool, not {type(v).__name__}")
    if dtype is not None:
        if isinstance(dtype, str):
            raise TypeError("asarray(): argument 'dtype' must be ember.dtype, not str")
        dtype = _dtype.to_dtype(dtype)
    if isinstance(obj, Tensor):
        return _asarray_tensor(obj, dtype, device, copy, requires_grad)
    if isinstance(obj, np.generic) and copy is False:
        raise RuntimeError("can't alias NumPy scalars. Either remove copy=False or transform it in a ndarray. ")
    if isinstance(obj, np.generic):
        obj = np.array(obj)             # read as a 0-dim array (no per-element checks)
    if isinstance(obj, (bytes, bytearray, memoryview)):
        t = _from_buffer(obj, dtype, device, copy)
    elif isinstance(obj, np.ndarray):
        check_strides(obj)
        if dtype is not None and dtype.np != obj.dtype:
            if copy is False:
                _alias_error(_dtype.from_numpy_dtype(obj.dtype), dtype)
            copy = True
        t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, device=device)
    elif copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    else:
        t = tensor(obj, dtype=dtype, device=device)
    return _requiring(t) if requires_grad else t


def _alias_error(have, want):
    from .._tensor import _scalar_name
    raise ValueError(f"can't alias tensor with dtype '{_scalar_name(have)}' into dtype '{_scalar_name(want)}'.")


def _asarray_tensor(t, dtype, device, copy, requires_grad):
    moves = device is not None and default_for(device) != t.device
    if (dtype is not None and dtype != t.dtype) or moves:
        if copy is False:
            if moves:
                raise ValueError(f"can't alias tensor from device '{t.device}' to '{default_for(device)}'.")
            _alias_error(t.dtype, dtype)
        copy = True
    if requires_grad is None and t.requires_grad and not _ASARRAY_WARNED:
        _ASARRAY_WARNED.append(True)
        warnings.warn('ember.asarray: unspecified requires_grad now defaults to obj.requires_grad instead of False. '
                      'Pass requires_grad=False explicitly to get the old behavior and silence this warning.',
                      UserWarning, stacklevel=3)
    if requires_grad is False and t.requires_grad:
        t = t.detach()
    if copy:
        t = t.to(dtype=dtype, device=device) if dtype not in (None, t.dtype) or moves else t.clone()
    return _requiring(t) if requires_grad and not t.requires_grad else t


def _from_buffer(obj, dtype, device, copy):
    """The raw bytes of a buffer read as ``dtype`` (the default dtype when None), shared unless ``copy``."""
    from .from_data import _warn_once
    nd = np.dtype(_np(dtype))
    n = memoryview(obj).nbytes
    if n % nd.itemsize:
        raise ValueError(f'buffer length ({n} bytes) after offset (0 bytes) must be a multiple of element size '
                         f'({nd.itemsize})')
    arr = np.frombuffer(obj, nd)
    if copy:
        arr = arr.copy()
    elif not arr.flags.writeable:
        _warn_once('The given buffer is not writable, and PyTorch does not support non-writable tensors. This means '
                   'you can write to the underlying (supposedly non-writable) buffer using the tensor. You may want '
                   'to copy the buffer to protect its data or make it writable before converting it to a tensor. '
                   'This type of warning will be suppressed for the rest of this program.', 4)
    return _finish(arr, device, False)
