"""Raw-array helpers shared by ops: PyTorch type promotion on arrays and scalars,
gradient reduction for broadcasting."""
import numpy as np

from .. import _dtype
from .._dtype import _FROM_NP, scalar_dtype, promote_types, _combine, _FLOAT

_generic = np.generic
_BF16 = _dtype.bfloat16.np
_ndarray = np.ndarray


def xp(a):
    """The array module for ``a`` (numpy unless a CuPy array)."""
    if type(a) is _ndarray:
        return np
    from .._backend import array_module
    return array_module(a)


def as_array(out):
    """ufuncs return NumPy scalars for 0-d inputs; ember always holds arrays."""
    return np.asarray(out) if isinstance(out, _generic) else out


_PLAIN = frozenset((np.ndarray, int, float, bool, complex))


def py_number(x):
    """A NumPy scalar as the Python number PyTorch reads it: integers as ``int``, complex128 as
    ``complex``, every other one (``np.bool_`` and float32 included) as ``float`` (a complex64
    loses its imaginary part, with NumPy's ComplexWarning, as in PyTorch). Anything else is
    returned as it is."""
    if isinstance(x, _generic):
        if isinstance(x, np.integer):
            return int(x)
        return complex(x) if isinstance(x, complex) else float(x)
    return x


def result_dtype(a, b):
    """PyTorch's result dtype (ember dtype) for two raw operands (arrays or Python scalars)."""
    dim = zero = wrapped = None
    for x in (a, b):
        if isinstance(x, (int, float, bool, complex)):
            d = scalar_dtype(x)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
        else:
            d = _FROM_NP[x.dtype]
            if x.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
    return _combine(dim, _combine(zero, wrapped))


def wrap_int(v, np_dtype):
    """A Python int reduced modulo the integer type's range (as PyTorch casts scalars)."""
    return np.array([v & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64).astype(np_dtype)[0]


def promote(a, b, float_result=False):
    """Cast two operands to their common dtype; returns (a, b, np_dtype).

    ``float_result``: integral results are computed in the default float dtype
    (true division, and the float-only math functions)."""
    ta, tb = type(a), type(b)
    if ta is tb is _ndarray and a.dtype == b.dtype and (not float_result or a.dtype.kind in 'fc'):
        return a, b, a.dtype
    if ta is _ndarray and tb is float and a.dtype.kind == 'f':
        return a, b, a.dtype
    if ta not in _PLAIN:
        a = py_number(a)
    if tb not in _PLAIN:
        b = py_number(b)
    rd = result_dtype(a, b)
    if float_result and rd.category < _FLOAT:
        rd = _dtype.get_default_dtype()
    nd = rd.np
    a = _cast(a, nd)
    b = _cast(b, nd)
    return a, b, nd


def _cast(x, nd):
    if isinstance(x, (int, float, bool, complex)):
        if x.__class__ is int and not -0x8000000000000000 <= x <= 0xFFFFFFFFFFFFFFFF:
            raise OverflowError('int too big to convert')     # PyTorch reads scalars as 64-bit
        if nd.kind in 'iu' and isinstance(x, int) and not isinstance(x, bool):
            info = np.iinfo(nd)
            if not info.min <= x <= info.max:
                return wrap_int(x, nd)
        if nd.kind == 'b':
            return bool(x)
        if nd == _BF16:          # NumPy would promote bfloat16 with a Python float to float32
            return _BF16.type(x)
        return x
    return x if x.dtype == nd else x.astype(nd)


HALF = frozenset((np.dtype(np.float16), _BF16))


def unbroadcast(g, shape):
    """Sum a gradient Tensor down to ``shape`` (undoing broadcasting)."""
    if g._data.shape == shape:
        return g
    return g.sum_to_size(shape)


def same_arrays(node, a, b, floats=False):
    """Two NumPy arrays of one dtype (a float one when ``floats``): no promotion to do. When
    their shapes differ, records them for the backward's reductions (``metas``); when they
    agree, nothing is recorded and the gradients need no fitting."""
    if a.__class__ is not _ndarray or b.__class__ is not _ndarray or a.dtype != b.dtype or (
            floats and a.dtype.kind != 'f'):
        return False
    if a.shape != b.shape:
        node.metas = ((a.shape, a.dtype), (b.shape, b.dtype))
    return True
