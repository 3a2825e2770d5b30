"""The value side of ``t[key] = value``, ``fill_`` and ``copy_``, read the way PyTorch reads it:
which Python objects may be assigned, a number's range for the tensor's dtype (PyTorch's Scalar
conversion errors, shared with ``full``), the dtype rule of advanced-index writes, and writes
whose source overlaps the memory they write."""
import numpy as np

from .._tensor_layout import _address as _start
from .._tensor import Tensor, _scalar_name

_NUMBERS = (bool, int, float, complex)
_F32_MAX = 3.4028234663852886e38
_LOW_FLOATS = ('float16', 'bfloat16')


def fit_number(value, t, setitem=False):
    """The Python number ``value`` as PyTorch writes it into tensor ``t``: out-of-range values raise
    its overflow error, a negative int wraps into an unsigned dtype (uint8: -1 is 255), a complex
    with no imaginary part goes into a real dtype. ``setitem``: ``t[key] = value``, which also lets
    float16/bfloat16 overflow to inf and refuses ints beyond int64 as PyTorch's argument parser does."""
    nd = t._data.dtype
    c = value.__class__
    if c is float:             # the common cases first: nothing to check
        if nd.kind == 'f' and nd.itemsize >= 4 and -_F32_MAX <= value <= _F32_MAX:
            return value
    elif c is int:
        if nd.kind in 'fi' and nd.itemsize >= 4 and -2147483648 <= value <= 2147483647:
            return value
    elif c is bool:
        return value
    if setitem:
        if isinstance(value, int) and not -2 ** 63 <= value < 2 ** 63:
            raise ValueError('Overflow when unpacking long long')
        if nd.name in _LOW_FLOATS:               # read as a double: overflows to inf, as PyTorch's t[k] = v does
            if isinstance(value, complex):
                if value.imag != 0:
                    raise RuntimeError('value cannot be converted to type double without overflow')
                value = value.real
            return float(value)
    from .creation import _fill_array
    arr = _fill_array(value, t.dtype)
    if nd.kind in 'biu':
        return arr.item()
    return value.real if isinstance(value, complex) and nd.kind != 'c' else value


def check_fill_value(t, value, fname=None):
    """A fill value of ``t`` (a number, or a 0-dim tensor read as its number) with PyTorch's Scalar
    checks (index_fill_, masked_fill_); a number comes back fitted to t's dtype, a tensor unchanged.
    ``fname``: the op that refuses any complex number into a real dtype (index_fill_)."""
    v = value.item() if isinstance(value, Tensor) and value._data.dtype != t._data.dtype else value
    if isinstance(v, Tensor):
        return value
    if fname and isinstance(v, complex) and t._data.dtype.kind != 'c':
        raise RuntimeError(f'{fname}(): Converting complex Scalar to non-complex type is not supported')
    v = fit_number(v, t)
    return value if isinstance(value, Tensor) else v


def bad_fill(fname, params, values):
    """In an ``except TypeError`` around op ``fname`` (all of whose ``params`` are required, the fill
    value last): PyTorch's parser error when the value is neither a number nor a Tensor, listing
    the arguments as the caller wrote them; else re-raise the error being handled. Always raises."""
    if isinstance(values[-1], (Tensor, bool, int, float, complex, np.generic)):
        raise                                    # noqa: PLE0704 (the caller's error)
    import sys
    from .argcheck import invalid_call
    raise invalid_call(fname, sys._getframe(2), params, values, len(params), None) from None


def _type_name(value):
    cls = type(value)
    return f'numpy.{cls.__name__}' if cls.__module__ == 'numpy' else cls.__name__


def setitem_value(t, value):
    """``value`` of ``t[key] = value`` as a Tensor on t's device or a number fitted to t's dtype;
    other objects (None, str, NumPy arrays, NumPy floats) raise PyTorch's TypeError."""
    if isinstance(value, Tensor):
        return value if value.device == t.device else value.to(t.device)
    if isinstance(value, _NUMBERS):
        return fit_number(value, t, setitem=True)
    if isinstance(value, np.integer):        # NumPy integers pass as ints (floats and bools do not)
        return fit_number(int(value), t, setitem=True)
    raise TypeError(f"can't assign a {_type_name(value)} to a {t.type()}")


# ------------------------------------------------------------------ advanced-index writes

def masked_fill_key(key):
    """The mask of a key PyTorch turns into ``masked_fill_`` when the value has one element: one
    bool (or byte) mask of at least one dim, every other entry a slice, None or ``...``; else None."""
    mask = None
    for k in key:
        if isinstance(k, slice) or k is None or k is Ellipsis:
            continue
        if mask is not None:
            return None
        dt = k._data.dtype if isinstance(k, Tensor) else (np.asarray(k).dtype if isinstance(k, list) else None)
        if dt is None or np.ndim(getattr(k, '_data', k)) == 0 or not (
                dt == np.bool_ or dt == np.uint8 and isinstance(k, Tensor)):
            return None
        mask = k
    return mask


def check_put_dtype(view, value, np_key, masked):
    """PyTorch's dtype rule of ``t[advanced key] = tensor``: the dtypes must match, unless the write
    is a masked fill of a one-element value (``masked``; its number must then fit t's dtype). Its
    error comes after the index and shape errors and before the bounds error, as in PyTorch."""
    if value._data.dtype == view._data.dtype:
        return
    if masked:
        fit_number(value.item(), view)
        return
    try:
        want = view._data[np_key].shape
    except IndexError:
        want = None                          # an index out of range: PyTorch reports the dtype first
    if want is not None:
        sizes = value._data.shape
        if len(sizes) > len(want) or any(s not in (1, w) for s, w in zip(sizes[::-1], want[::-1])):
            raise RuntimeError(f'shape mismatch: value tensor of shape {list(sizes)} cannot be '
                               f'broadcast to indexing result of shape {list(want)}')
    raise RuntimeError('Index put requires the source and destination dtypes match, got '
                       f'{_scalar_name(view.dtype)} for the destination and {_scalar_name(value.dtype)} '
                       'for the source.')


# ------------------------------------------------------------------ overlapping memory

_OVERLAP = ('unsupported operation: some elements of the input tensor and the written-to tensor refer to a '
            'single memory location. Please clone() the tensor before performing the operation.')


def dense(a):
    """PyTorch's non-overlapping-and-dense: the elements fill one block of memory, no gaps, no repeats."""
    flags = a.flags
    if flags.c_contiguous or flags.f_contiguous:
        return True
    step = a.itemsize
    for stride, n in sorted((s, n) for s, n in zip(a.strides, a.shape) if n != 1):
        if stride != step:
            return False
        step *= n
    return True


def check_overlap(dst, src, full_ok=True, expand_to=None):
    """Refuse a write of array ``src`` (broadcast to ``expand_to`` first, if given) into array ``dst``
    when they share memory but are not the very same elements (``full_ok=False``: not even then), as
    PyTorch does. Layouts with gaps or repeats (strided views, expanded values) are not checked, as
    in PyTorch."""
    if not (np.may_share_memory(dst, src) if type(dst) is np.ndarray else _may_share(dst, src)):
        return
    if expand_to is not None and src.shape != expand_to:
        from ._promote import xp
        src = xp(src).broadcast_to(src, expand_to)
    if not (dense(dst) and dense(src)):
        return
    a, b = _start(dst), _start(src)
    if a == b and dst.nbytes == src.nbytes and full_ok and dst.strides == src.strides:
        return
    if a < b + src.nbytes and b < a + dst.nbytes:
        raise RuntimeError(_OVERLAP)


# in-place ops whose inputs may overlap the written tensor (or that check it themselves: copy_, t[k] = v)
_OVERLAP_INPUT_OK = frozenset(('MaskedFillBackward0', 'MaskedFillBackward1', 'IndexFillBackward0', 'IndexFillBackward1',
                               'FillBackward3', 'MaskedScatterBackward0', 'CopyBackwards', 'IndexPutBackward0',
                               '_IndexPutAccumulate'))


# ... and those that refuse even the very same elements (x.index_add_(0, i, x))
_OVERLAP_FULL_REFUSED = frozenset(('IndexAddBackward0', 'IndexCopyBackward0', 'IndexReduceBackward0', 'PutBackward0',
                                   'ScatterBackward0', 'ScatterBackward1', 'ScatterAddBackward0',
                                   'ScatterReduceBackward0'))


def input_overlap(cls, t, x):
    """PyTorch's refusal of an input that partly overlaps the written tensor (``y = x.t(); y *= x``)."""
    name = cls.__name__
    if name not in _OVERLAP_INPUT_OK:
        full_ok = name not in _OVERLAP_FULL_REFUSED
        if x is not t or not full_ok:
            check_overlap(t._data, x._data, full_ok=full_ok)


def _may_share(a, b):
    from ._promote import xp
    return type(a) is type(b) and xp(a).may_share_memory(a, b)


# ------------------------------------------------------------------ writes into read-only (expanded) arrays

INTERNAL_OVERLAP = ('unsupported operation: more than one element of the written-to tensor refers to a single '
                    'memory location. Please clone() the tensor before performing the operation.')
# the in-place ops PyTorch lets write a tensor whose elements share memory (an expanded tensor); some warn
_OVERLAP_OK = {'FillBackward2': None, 'ZeroBackward0': None, 'TrilBackward0': None, 'TriuBackward0': None,
               'set_': None, 'MaskedFillBackward0': 'masked_fill_', 'MaskedFillBackward1': 'masked_fill_',
               'IndexFillBackward0': 'index_fill_', 'IndexFillBackward1': 'index_fill_',
               'IndexPutBackward0': 'index_put_', '_IndexPutAccumulate': 'index_put_'}


def shared_target(t, op=None):
    """An in-place write into ``t`` whose array is read-only (NumPy marks an expanded array and every view
    of it so). PyTorch refuses it only when elements share memory (a stride 0 over a dim of size > 1) and
    the op (a class or name) is not one it lets through; the write then goes through ``write_shared``."""
    a = t._data
    if a.size == 0 or not any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape)):
        return
    name = op if op is None or isinstance(op, str) else op.__name__
    if name not in _OVERLAP_OK:
        raise RuntimeError(INTERNAL_OVERLAP)
    fname = _OVERLAP_OK[name]
    if fname:
        import warnings
        example = 'tensor[indices] = tensor' if fname == 'index_put_' else 'tensor[mask] = scalar'
        warnings.warn(f'Use of {fname} on expanded tensors is deprecated. Please clone() the tensor before '
                      f'performing this operation. This also applies to advanced indexing e.g. {example}',
                      UserWarning, stacklevel=4)


def write_shared(dst, arr):
    """Write ``arr`` into read-only ``dst`` (a view of an expanded tensor) through a writable array over the
    same memory. Where elements share memory only the changed ones are written, so that each place ends
    with the value PyTorch leaves there."""
    if dst.size == 0:
        return
    from .strided import storage_of
    from .shape import as_strided_view
    flat, off = storage_of(dst)
    if type(dst) is np.ndarray and not flat.flags.writeable:       # memory that is read-only itself
        raise RuntimeError(INTERNAL_OVERLAP)
    alias = as_strided_view(flat[off:], dst.shape, dst.strides)
    from ._promote import xp
    m = xp(dst)
    arr = m.broadcast_to(m.asarray(arr, dtype=dst.dtype), dst.shape)
    if any(s == 0 and n > 1 for s, n in zip(dst.strides, dst.shape)):
        m.copyto(alias, arr, where=~((arr == dst) | ((arr != arr) & (dst != dst))))
    else:
        m.copyto(alias, arr)
