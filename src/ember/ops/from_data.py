"""Reading data into a host array the way ``torch.tensor`` reads it: numbers, nested
sequences (PyTorch's shape and ragged-data errors), NumPy arrays and scalars, and tensors among
the data (read by value; those requiring grad with PyTorch's warning). The dtype is the one
given, or the one PyTorch infers; integers that do not fit raise PyTorch's overflow errors."""
import sys
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .storage import _Storage, tensor_values
from .from_data_checks import _PY_NUMBERS, _refuse_int_leaves, _beyond_int64, _refuse_leaf, _refuse_complex


def _is_seq(x):
    """A sequence that tensor() reads element by element (strings are refused elsewhere)."""
    if isinstance(x, (list, tuple, range)):
        return True
    if isinstance(x, (np.ndarray, Tensor)):
        return x.ndim > 0
    return _other_seq(x)


def _other_seq(x):
    """Any other object of Python's sequence protocol (a deque, an array.array, a UserList, a class
    with __len__ and __getitem__), as PyTorch reads them; not strings, mappings or sets."""
    t = type(x)
    return (hasattr(t, '__getitem__') and hasattr(t, '__len__') and not isinstance(x, (str, bytes, bytearray, dict))
            and not hasattr(t, 'keys') and t.__module__ != 'numpy')


def _infer_dtype(data):
    """PyTorch's infer_scalar_type: the promoted dtype over every element of ``data``."""
    t = type(data)
    if t is float:
        return _dtype.get_default_dtype()
    if t is int:
        return _dtype.int64
    if t is bool:
        return _dtype.bool_
    if t is complex:
        return _dtype.default_complex_dtype()
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, (np.ndarray, np.generic)):
        if data.ndim:                   # an array inside the data (top-level arrays never come here)
            _warn_once(_SLOW_LIST)
        return _dtype.from_numpy_dtype(data.dtype)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, (list, tuple, range)) or _other_seq(data):
        if not len(data):
            return _dtype.get_default_dtype()
        kinds = set(map(type, data))
        if kinds <= _PY_NUMBERS:        # flat Python numbers: no per-element walk
            return (_dtype.default_complex_dtype() if complex in kinds else
                    _dtype.get_default_dtype() if float in kinds else
                    _dtype.int64 if int in kinds else _dtype.bool_)
        d = None
        for x in data:
            xd = _infer_dtype(x)
            d = xd if d is None else _dtype.promote_types(d, xd)
        return d
    t = type(data)
    name = t.__name__ if t.__module__ == 'builtins' else f'{t.__module__}.{t.__name__}'
    raise RuntimeError(f'Could not infer dtype of {name}')


def _first_sizes(data):
    """PyTorch's compute_sizes: the shape read along the first element of each level."""
    sizes = []
    seq = data
    while _is_seq(seq) or isinstance(seq, str):
        if isinstance(seq, Tensor) and sizes:        # tensors among the data are read as numbers
            break
        if isinstance(seq, str):
            raise ValueError("too many dimensions 'str'")
        if sizes and isinstance(seq, np.ndarray):
            _warn_once(_SLOW_LIST)
        sizes.append(len(seq))
        if not len(seq):
            break
        seq = seq[0]
    if sizes and isinstance(seq, np.ndarray):       # a 0-dim array is no sequence PyTorch can measure
        raise TypeError('len() of unsized object')
    return sizes


def _check_nested(seq, sizes, d, dim=0):
    """PyTorch's errors for ragged or mis-nested data (NumPy only says 'inhomogeneous')."""
    if len(seq) != sizes[dim]:
        raise ValueError(f'expected sequence of length {sizes[dim]} at dim {dim} (got {len(seq)})')
    last = dim + 1 == len(sizes)
    for x in seq:
        if last and _is_seq(x):
            if d is _dtype.uint64:
                raise TypeError('an integer is required')
            if d.is_floating_point:
                raise TypeError(f'must be real number, not {type(x).__name__}')
            raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
        if not last:
            if not _is_seq(x):
                raise TypeError('not a sequence')
            _check_nested(x, sizes, d, dim + 1)


def _from_python(data, dtype):
    """Array in ``dtype`` (or the inferred dtype) for Python data: numbers, nested sequences,
    NumPy scalars. As in PyTorch, the walk over every element only happens without ``dtype``."""
    sizes = _first_sizes(data)
    d = _infer_dtype(data) if dtype is None else _dtype.to_dtype(dtype)
    if d is _dtype.uint64:
        return _exact_uint64(data, sizes, d)
    checked = (d is _dtype.bool_ or d.category == _dtype._INT) and _refuse_int_leaves(
        data, len(sizes), d, dtype is not None)
    try:
        arr = np.array(data)
    except ValueError:
        if _has_tensor(data):
            arr = np.array(_tensor_leaves(data, len(sizes), dtype))
        else:
            _check_nested(data, sizes, d)
            raise
    except (TypeError, RuntimeError):    # CUDA tensors or ones requiring grad among the data: read by value
        try:
            arr = np.array(_host_leaves(data, grads := []))
        except ValueError:                 # ragged once read ([cuda_tensor([1]), 2.5]): one element each
            arr = np.array(_tensor_leaves(data, len(sizes), dtype))
        if grads:
            warnings.warn('Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.'
                          '\nConsider using tensor.detach() first.', UserWarning, stacklevel=4)
    if arr.ndim > len(sizes):                       # NumPy read tensors among the data as arrays
        arr = np.array(_tensor_leaves(data, len(sizes), dtype))
    if dtype is None and arr.dtype.kind == 'f' and d.category == _dtype._INT:
        raise ValueError('Overflow when unpacking long long')   # NumPy made floats of ints beyond int64
    if (dtype is not None and d.category == _dtype._INT and arr.dtype.kind in 'fc' and arr.size
            and np.abs(arr).max() >= 2.0 ** 63 and _beyond_int64(data, d)):
        raise ValueError('Overflow when unpacking long long')     # PyTorch reads each int as int64 first
    if arr.dtype.kind == 'c' and dtype is not None and not d.is_complex:
        _refuse_complex(data, d)        # Python complex numbers don't go into real dtypes
    if arr.dtype.kind in 'OUSV' and arr.dtype != _dtype.bfloat16.np:
        if dtype is not None:
            _refuse_leaf(data, d)       # None, strings and other objects, as PyTorch's casts say
        if sizes:
            _check_nested(data, sizes, d)
    return _checked_cast(arr, d, checked)


def _exact_uint64(data, sizes, d):
    """Python data read into uint64 exactly, as PyTorch reads it: each element must be a Python int
    (or bool) in [0, 2**64); NumPy alone would go through float64 and lose the large values."""
    if sizes:
        _check_nested(data, sizes, d)
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple, range)):
            stack.extend(reversed(x))
        elif not isinstance(x, int):
            raise TypeError('an integer is required')
        elif x < 0:
            raise OverflowError("can't convert negative int to unsigned")
        elif x >= 2 ** 64:
            raise OverflowError('int too big to convert')
    return np.array(data, dtype=np.uint64)


def _has_tensor(data):
    return isinstance(data, Tensor) or (isinstance(data, (list, tuple)) and any(map(_has_tensor, data)))


def _tensor_leaves(data, depth, dtype):
    """``data`` with the tensors at its innermost level read as Python numbers (one element each)."""
    if isinstance(data, Tensor):
        if depth:
            return data.detach()._host()
        if data.numel() != 1:
            raise ValueError('only one element tensors can be converted to Python scalars')
        if dtype is not None and not _dtype.to_dtype(dtype).is_floating_point and data.is_floating_point():
            raise TypeError('only integer tensors of a single element can be converted to an index')
        return data.item()
    if isinstance(data, (list, tuple)):
        return [_tensor_leaves(x, depth - 1, dtype) for x in data]
    return data


def _host_leaves(data, grads):
    """``data`` with its CUDA tensors and tensors requiring grad (noted in ``grads``) read by value."""
    if isinstance(data, Tensor):
        grads += [data] if data.requires_grad else []
        return data.detach()._host() if data.is_cuda or data.requires_grad else data
    return [_host_leaves(x, grads) for x in data] if isinstance(data, (list, tuple)) else data


def _checked_cast(arr, d, checked=False):
    """Cast numbers read from Python into ``d``, refusing integers the dtype can't hold (``checked``:
    every element was checked already, one by one; negative ones are integers that wrap)."""
    nd = d.np
    if arr.dtype == nd:
        return arr
    if arr.dtype == object or (arr.dtype == np.uint64 and arr.size and arr.max() >= 2 ** 63):  # int beyond int64
        if d.category == _dtype._INT:
            raise ValueError('Overflow when unpacking long long')
        return arr.astype(np.float64).astype(nd) if d.is_floating_point else arr.astype(nd)
    if arr.dtype.kind == 'c' and nd.kind not in 'cb':      # checked by _refuse_complex: no warning
        arr = arr.real
    if checked and nd.kind == 'u' and arr.dtype.kind == 'f':
        return np.asarray(np.trunc(arr)).astype(np.int64).astype(nd)
    if nd.kind in 'iu' and arr.dtype.kind in 'iuf' and not checked:
        info = np.iinfo(nd)
        # (integers wrap into unsigned types from down to -max, as in PyTorch)
        lo = (0 if arr.dtype.kind == 'f' else -info.max) if nd.kind == 'u' else info.min
        if not np.all((arr >= lo) & (arr <= info.max)):     # NaN fails too
            raise RuntimeError(f'value cannot be converted to type {d.name} without overflow')
    return _cast_host(arr, nd)


_SLOW_LIST = ('Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider converting '
              'the list to a single numpy.ndarray with numpy.array() before converting to a tensor.')
_READ_ONLY = ('The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This '
              'means writing to this tensor will result in undefined behavior. You may want to copy the array '
              'to protect its data or make it writable before converting it to a tensor. This type of warning '
              'will be suppressed for the rest of this program.')
_ONCE = set()


def _warn_once(message, level=6):
    """A UserWarning given once per process (PyTorch's TORCH_WARN_ONCE)."""
    if message not in _ONCE:
        _ONCE.add(message)
        warnings.warn(message, UserWarning, stacklevel=level)


def check_numpy(arr, shared=False):
    """PyTorch's checks on a NumPy array it reads: native byte order only; an array whose memory
    the tensor will share (``shared``) warns once when it is not writable."""
    if not arr.dtype.isnative:
        raise ValueError('given numpy array has byte order different from the native byte order. '
                         'Conversion between byte orders is currently not supported.')
    if shared and not arr.flags.writeable:
        _warn_once(_READ_ONLY, 4)


def check_strides(arr):
    """PyTorch refuses NumPy arrays with negative strides (a reversed view) instead of copying them."""
    if any(st < 0 for st in arr.strides):
        raise ValueError('At least one stride in the given numpy array is negative, and tensors with '
                         'negative strides are not currently supported. (You can probably work around '
                         'this by making a copy of your array  with array.copy().) ')


def _infer_np(data, dtype=None):
    """Host array of ``data`` in ``dtype``, or in the dtype PyTorch infers for it."""
    if isinstance(data, _Storage):
        return tensor_values(data, dtype)
    if isinstance(data, Tensor):
        arr = data.detach()._host().copy()
    elif isinstance(data, np.ndarray):
        check_numpy(data)
        _dtype.from_numpy_dtype(data.dtype)
        check_strides(data)
        arr = data.copy()
    elif isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    elif isinstance(data, bytearray):       # a sequence of ints
        return _from_python(list(data), dtype)
    else:
        return _from_python(data, dtype)
    if dtype is not None:
        nd = _dtype.to_dtype(dtype).np
        if arr.dtype != nd:
            arr = _cast_host(arr, nd)
    return arr


_WARNED = [False]


def drop_imag(arr, np_dtype, warn=True):
    """``arr`` ready for a cast to ``np_dtype``: a complex array going to a real (not bool) dtype
    gives its real part, with PyTorch's warning (once per process, as PyTorch warns)."""
    if arr.dtype.kind != 'c' or np_dtype.kind in 'cb':
        return arr
    if warn:
        warn_discard_imag()
    return arr.real


def warn_discard_imag():
    """PyTorch's warning for complex values cast to real, once per process as PyTorch gives it, on
    the user's line (the first frame outside ember)."""
    if _WARNED[0]:
        return
    _WARNED[0] = True
    warnings.warn('Casting complex values to real discards the imaginary part', UserWarning,
                  stacklevel=user_stacklevel())


def user_stacklevel():
    """The ``stacklevel`` for a warning raised by the caller of this function that points at the
    user's line: the first frame outside ember."""
    f, level = sys._getframe(2), 2
    while f is not None and f.f_globals.get('__name__', '').startswith('ember.'):
        f, level = f.f_back, level + 1
    return level


def _cast_host(arr, np_dtype):
    arr = drop_imag(arr, np_dtype)
    if np_dtype.kind in 'iu' and arr.dtype.kind == 'f':
        return np.asarray(np.trunc(arr)).astype(np_dtype)      # trunc of a 0-d array is a NumPy scalar
    with np.errstate(over='ignore', invalid='ignore'):         # out-of-range floats become inf silently
        if np_dtype == np.float16 and arr.dtype.itemsize > 4 and arr.dtype.kind == 'f':
            arr = arr.astype(np.float32)       # PyTorch rounds double -> half through float
        return arr.astype(np_dtype)
