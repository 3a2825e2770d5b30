"""PyTorch's element-by-element errors reading Python data into a given (or inferred) dtype:
NumPy scalars and tensors an integer dtype can't read, numbers out of range (in the order PyTorch
reads them), objects that are no numbers, complex numbers going into a real dtype."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor

_PY_NUMBERS = frozenset((int, float, bool, complex))


def _refuse_int_leaves(data, depth, d, given):
    """PyTorch's element-by-element reading into an integer or bool dtype ``d``: the first element
    it refuses raises, in order. Refused: NumPy scalars that are no Python int/float subclass
    (float32, float16, complex64; bool into an integer dtype; complex128 too except into bool),
    floating/complex tensors and tensors of several elements at the innermost level, and (integer
    dtypes) numbers out of range. Lists of Python numbers alone are left to the vectorised checks
    unless ``given`` (an explicit integer dtype). True when every element was checked."""
    if type(data) in _PY_NUMBERS:
        return False
    info = None if d is _dtype.bool_ else np.iinfo(d.np)
    stack = [(data, depth)]
    while stack:
        x, level = stack.pop()
        if isinstance(x, (list, tuple)):
            if level <= 0:
                return False                # ragged: the shape checks raise
            if set(map(type, x)) <= _PY_NUMBERS and (not given or info is None or _numbers_fit(x, d, info)):
                continue
            stack.extend((y, level - 1) for y in reversed(x))
        elif isinstance(x, Tensor) and level > 0:
            stack.extend((y, level - 1) for y in reversed(list(x)))
        elif isinstance(x, np.ndarray):
            if not x.ndim or level <= 0:
                return False
            stack.extend((y, level - 1) for y in reversed(list(x)))
        elif level != 0:
            return False
        else:
            err = _int_leaf_error(x, d, info)
            if err is False:
                return False                # no number: the later checks raise
            if err is not None:
                raise err
    return True


def _numbers_fit(x, d, info):
    """Whether every number of the flat list ``x`` (Python numbers only) reads into the integer dtype
    ``d`` (a vectorised pass; when it says no, the elements are checked one by one)."""
    a = np.array(x)
    unsigned = d.np.kind == 'u'
    if a.dtype.kind in 'iub':
        lo = -info.max if unsigned else info.min
    elif a.dtype.kind == 'f':
        lo = 0 if unsigned else info.min        # (negative ints among floats: one by one)
    else:
        return False
    return a.ndim == 1 and bool(np.all((a >= lo) & (a <= info.max)))


def _int_leaf_error(x, d, info):
    """The error reading the element ``x`` into the integer or bool dtype ``d`` raises (None: it
    reads; False: no number this check knows)."""
    name = f'numpy.{type(x).__name__}' if isinstance(x, np.generic) else type(x).__name__
    refuse = TypeError(f"'{name}' object cannot be interpreted as an integer")
    if isinstance(x, Tensor):
        if x.is_floating_point() or x.is_complex() or x.numel() != 1:
            return TypeError('only integer tensors of a single element can be converted to an index')
        x = x.item()
    elif isinstance(x, np.generic) and not isinstance(x, (np.integer, float, complex, np.bool_)):
        return refuse if isinstance(x, (np.floating, np.complexfloating)) else False
    if isinstance(x, (bool, np.bool_)):
        return refuse if type(x) is np.bool_ and info is not None else None
    if isinstance(x, complex):
        return None if info is None else refuse
    if info is None:
        return None if isinstance(x, (int, float, np.integer)) else False
    if isinstance(x, (int, np.integer)):
        x = int(x)
        if not -2 ** 63 <= x < 2 ** 63:
            return ValueError('Overflow when unpacking long long')
        lo = -info.max if d.np.kind == 'u' else info.min
    elif isinstance(x, float):
        lo = 0 if d.np.kind == 'u' else info.min
    else:
        return False
    if not lo <= x <= info.max:                 # NaN too
        return RuntimeError(f'value cannot be converted to type {d.name} without overflow')
    return None


def _beyond_int64(data, d):
    """Whether, reading ``data`` in order into the integer dtype ``d``, a Python int outside int64
    comes before any other bad element (PyTorch reads each int as int64 first and raises there;
    NumPy made floats of such ints)."""
    info = np.iinfo(d.np)
    lo = -info.max if d.np.kind == 'u' else info.min
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(reversed(x))
        elif type(x) is int:
            if not -2 ** 63 <= x < 2 ** 63:
                return True
            if not lo <= x <= info.max:
                return False
        elif type(x) is complex or (type(x) is float and not lo <= x <= info.max):
            return False
    return False


def _refuse_leaf(data, d):
    """With a dtype given, the first element that is no number raises the error of PyTorch's cast."""
    if isinstance(data, bytes):
        raise TypeError("new(): invalid data type 'bytes'")
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(reversed(x))
        elif not isinstance(x, (int, float, complex, np.generic, np.ndarray, Tensor)):
            if d.category == _dtype._INT or d is _dtype.bool_:
                raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
            raise TypeError(f'must be real number, not {type(x).__name__}')
    from .from_data import _infer_dtype
    _infer_dtype(data)


def _refuse_complex(data, d):
    """PyTorch's errors for complex elements of Python data read into a real dtype ``d``: Python
    complex numbers are refused, complex tensors only with a nonzero imaginary part."""
    if isinstance(data, (list, tuple)):
        for x in data:
            _refuse_complex(x, d)
    elif isinstance(data, np.complexfloating) and not (d is _dtype.bool_ and isinstance(data, complex)):
        if not d.is_floating_point:
            raise TypeError(f"'numpy.{type(data).__name__}' object cannot be interpreted as an integer")
        float(data)                 # NumPy's ComplexWarning, as PyTorch reads the number so
    elif isinstance(data, complex):
        if d.is_floating_point:
            raise TypeError('must be real number, not complex')
        if d is not _dtype.bool_:
            raise TypeError("'complex' object cannot be interpreted as an integer")
    elif isinstance(data, Tensor) and data.is_complex():
        if not d.is_floating_point:
            raise TypeError('only integer tensors of a single element can be converted to an index')
        if bool((data.detach()._host().imag != 0).any()):
            raise RuntimeError('value cannot be converted to type double without overflow')
