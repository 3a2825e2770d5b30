"""Index keys: what ``t[key]`` means, read the way PyTorch reads it (its legacy sequence rule,
0-dim integer tensors as ints), and the key handed to NumPy/CuPy with PyTorch's checks (mask
shapes, index dtypes, devices, bounds) and error texts."""
import numpy as np

from .._tensor import Tensor

_BASIC = (int, slice, type(None), type(Ellipsis))
_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32), np.dtype(np.uint8))   # long, int, byte


def _is_basic(k):
    return isinstance(k, _BASIC) and not isinstance(k, bool)


_SEQ_WARNING = ('Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed '
                'in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be '
                'interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error '
                'or a different result')


def _as_key(key):
    if isinstance(key, tuple):
        return key
    # PyTorch's legacy rule: a short list holding a tensor, sequence, slice, ... or None is a tuple
    if isinstance(key, list) and len(key) < 32 and any(
            isinstance(k, (list, tuple, Tensor, slice, type(None))) or k is Ellipsis for k in key):
        import warnings
        warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=3)
        return tuple(key)
    return (key,)


def _np_key(key, shape, m=np):
    """The key as NumPy understands it: tensors become arrays, with PyTorch's checks. ``m`` is the
    indexed array's module: index arrays are moved to its device (CPU tensors index CUDA ones)."""
    out = []
    dim = 0
    for k in key:
        if k is Ellipsis:                # the dims the ellipsis stands for: the rest of the key follows them
            dim += len(shape) - sum(_key_rank(j) for j in key)
            out.append(k)
            continue
        if isinstance(k, Tensor):
            arr = k._data
            if arr.dtype == np.bool_ or arr.dtype == np.uint8 and arr.ndim:
                if arr.dtype == np.uint8:
                    import warnings
                    from .from_data import user_stacklevel
                    warnings.warn('indexing with dtype ember.uint8 is now deprecated, please use a dtype '
                                  'ember.bool instead.', UserWarning, stacklevel=user_stacklevel())
                arr = arr.astype(bool)
                _check_mask(arr, shape, dim)
                dim += arr.ndim
            elif arr.dtype in _INDEX_DTYPES:
                dim += 1
            else:
                raise IndexError('tensors used as indices must be long, int, byte or bool tensors')
            if m is np and type(arr) is not np.ndarray:
                raise RuntimeError('indices should be either on cpu or on the same device as the indexed '
                                   'tensor (cpu)')
            out.append(arr if m is np else m.asarray(arr))
        elif isinstance(k, (list, np.ndarray)) or isinstance(k, bool):
            arr = np.asarray(k)
            if arr.dtype == object:
                raise IndexError('only integers, slices (`:`), ellipsis (`...`), None and long or byte '
                                 'Variables are valid indices')
            if arr.dtype.kind == 'f':       # PyTorch reads a list as an int64 tensor: [] and [0.5] too
                arr = arr.astype(np.int64)
            if arr.dtype == np.bool_ and arr.ndim:
                _check_mask(arr, shape, dim)
                dim += arr.ndim
            else:
                dim += 1
            out.append(arr if m is np else m.asarray(arr))
        else:
            if isinstance(k, slice):
                if k.step is not None and k.step <= 0:
                    raise ValueError('slice step cannot be zero' if k.step == 0 else 'step must be greater than zero')
            elif isinstance(k, float):
                raise IndexError('only integers, slices (`:`), ellipsis (`...`), None and long or byte '
                                 'Variables are valid indices (got float)')
            elif isinstance(k, str):
                raise TypeError("new(): invalid data type 'str'")
            if k is not None and k is not Ellipsis:
                dim += 1
            out.append(k)
    if m is not np:
        _device_bounds(out, shape)
    return tuple(out)


def _device_bounds(key, shape):
    """CuPy wraps out-of-range advanced indices around instead of raising: check them here."""
    def rank(k):         # the dims of the indexed tensor that ``k`` consumes
        if getattr(k, 'dtype', None) == np.bool_:
            return k.ndim
        return int(k is not None and k is not Ellipsis)
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim += len(shape) - sum(rank(j) for j in key)
            continue
        if dim < len(shape) and (isinstance(k, int) and not isinstance(k, bool) or
                                 hasattr(k, 'dtype') and k.dtype.kind in 'iu' and k.size):
            n = shape[dim]
            bad = (k < -n) | (k >= n)
            if bool(bad.any()) if hasattr(bad, 'any') else bad:
                v = k if isinstance(k, int) else int(k.reshape(-1)[int(bad.reshape(-1).argmax())])
                raise IndexError(f'index {v} is out of bounds for dimension {dim} with size {n}')
        dim += rank(k)


def _key_rank(k):
    """How many dims of the indexed tensor one key entry consumes."""
    if k is None or k is Ellipsis:
        return 0
    dt = getattr(getattr(k, '_data', k), 'dtype', None)
    if dt is None and isinstance(k, list):
        dt = np.asarray(k).dtype
    if dt is not None and (dt == np.bool_ or dt == np.uint8 and isinstance(k, Tensor)) and np.ndim(getattr(k, '_data', k)):
        return np.ndim(getattr(k, '_data', k))
    return 1


def _check_mask(mask, shape, dim):
    for i, s in enumerate(mask.shape):
        if dim + i < len(shape) and s != shape[dim + i]:
            raise IndexError(f'The shape of the mask {list(mask.shape)} at index {i} does not match the '
                             f'shape of the indexed tensor {list(shape)} at index {dim + i}')


def _translate(e, shape):
    msg = str(e)
    if 'out of bounds' in msg:
        return IndexError(msg.replace('axis', 'dimension'))
    if 'too many indices' in msg:
        return IndexError(f'too many indices for tensor of dimension {len(shape)}')
    return IndexError(msg)


def _int_tensor_as_int(k):
    """A 0-dim integer tensor in a key indexes like a Python int (PyTorch selects)."""
    if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype.kind in 'iu':
        return int(k._data)
    return k


def whole_key(key, shape):
    """True when basic ``key`` selects all of a tensor of ``shape`` without making a view
    (only ``...`` and full slices ``:``, ``0:n``, ``::1``), as PyTorch skips such slices."""
    dim, n = 0, len(shape)
    consuming = 0
    for k in key:
        if k is None or isinstance(k, int):
            return False
        if k is not Ellipsis:
            consuming += 1
    if consuming > n:
        return False
    for k in key:
        if k is Ellipsis:
            dim += n - consuming
            continue
        if k != slice(None):
            if k.step == 0 or k.indices(shape[dim]) != (0, shape[dim], 1):
                return False
        dim += 1
    return True


def bool_scalars(key, ndim):
    """(key, all basic?, dim made empty or None): PyTorch writes through a 0-dim bool tensor in a key as
    a view, a new dim (made empty for False) as None would add; other keys come back as they are."""
    out, empty, dim = [], None, 0
    for k in key:
        if isinstance(k, Tensor) and k._data.ndim == 0 and k._data.dtype == np.bool_:
            if not k.item() and empty is None:
                empty = dim
            k = None
        elif k is Ellipsis or not _is_basic(k):
            return key, False, None
        if not isinstance(k, int):
            dim += 1
        out.append(k)
    if sum(isinstance(k, (int, slice)) for k in out) > ndim:
        return key, False, None                 # (too many indices: the advanced path says so)
    return tuple(out), True, empty
