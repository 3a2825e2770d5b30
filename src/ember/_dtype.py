"""ember's dtypes and PyTorch's type-promotion rules, defined once.

A :class:`dtype` wraps a NumPy dtype (bfloat16 comes from ml_dtypes). Promotion follows
PyTorch, not NumPy: categories bool < integer < floating < complex, and within a category a
dimensioned tensor beats a 0-dim tensor, which beats a Python scalar.
"""
import threading

import ml_dtypes
import numpy as np

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type: prints as ``ember.float32``."""

    __slots__ = ('name', 'np', 'itemsize', 'is_floating_point', 'is_signed', 'category',
                 'legacy', '_rank')
    __module__ = 'ember'

    def __init__(self, name, np_dtype, category, legacy, rank):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.category = category
        self.is_floating_point = category == _FLOAT
        self.is_signed = name != 'bool' and not name.startswith('uint')
        self.legacy = legacy
        self._rank = rank

    @property
    def is_complex(self):
        return self.category == _COMPLEX

    def __repr__(self):
        return 'ember.' + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))

    def to_real(self):
        """The real dtype of a complex one (complex64 -> float32); other dtypes map to themselves."""
        return _REAL_OF.get(self, self)

    def to_complex(self):
        """The complex dtype holding this floating dtype's values (float32 -> complex64). ember has
        no complex32: float16 and bfloat16 map to complex64."""
        if self.category == _COMPLEX:
            return self
        if self.category != _FLOAT:
            raise RuntimeError(f'to_complex is only supported for floating point types, got {self!r}')
        return complex128 if self is float64 else complex64


bool_ = dtype('bool', np.bool_, _BOOL, 'BoolTensor', 0)
uint8 = dtype('uint8', np.uint8, _INT, 'ByteTensor', 1)
int8 = dtype('int8', np.int8, _INT, 'CharTensor', 1)
int16 = dtype('int16', np.int16, _INT, 'ShortTensor', 2)
int32 = dtype('int32', np.int32, _INT, 'IntTensor', 3)
int64 = dtype('int64', np.int64, _INT, 'LongTensor', 4)
float16 = dtype('float16', np.float16, _FLOAT, 'HalfTensor', 1)
bfloat16 = dtype('bfloat16', ml_dtypes.bfloat16, _FLOAT, 'BFloat16Tensor', 1)
float32 = dtype('float32', np.float32, _FLOAT, 'FloatTensor', 2)
float64 = dtype('float64', np.float64, _FLOAT, 'DoubleTensor', 3)

all_dtypes = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
# PyTorch's "barebones" unsigned types: creation, printing and conversion; no promotion with other
# integer types (rank 9 marks them). Kept out of all_dtypes: no legacy FloatTensor-style class.
uint16 = dtype('uint16', np.uint16, _INT, 'UInt16Tensor', 9)
uint32 = dtype('uint32', np.uint32, _INT, 'UInt32Tensor', 9)
uint64 = dtype('uint64', np.uint64, _INT, 'UInt64Tensor', 9)
_WIDE_UNSIGNED = (uint16, uint32, uint64)
# complex: PyTorch has no legacy tensor classes for them; rank orders them as their real parts
complex64 = dtype('complex64', np.complex64, _COMPLEX, None, 2)
complex128 = dtype('complex128', np.complex128, _COMPLEX, None, 3)
COMPLEX = (complex64, complex128)
_REAL_OF = {complex64: float32, complex128: float64}
_NAMES = {d.name: d for d in all_dtypes + _WIDE_UNSIGNED + COMPLEX}
_FROM_NP = {d.np: d for d in all_dtypes + _WIDE_UNSIGNED + COMPLEX}
# PyTorch's aliases
ALIASES = {'float': float32, 'double': float64, 'half': float16, 'short': int16,
           'int': int32, 'long': int64, 'bool': bool_, 'cfloat': complex64, 'cdouble': complex128}


def _by_name(name):
    return _NAMES[name]


def from_numpy_dtype(np_dtype):
    """The ember dtype of a NumPy dtype; TypeError for types ember has no dtype for."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        pass
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only supported "
            'types are: float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, '
            'uint16, uint8, and bool.') from None


_PY_TYPES = {float: 'float', int: 'int', bool: 'bool', complex: 'complex'}


def to_dtype(d):
    """Accepts an ember dtype, a Python type (float/int/bool/complex) or a NumPy dtype."""
    if isinstance(d, dtype):
        return d
    if d in _PY_TYPES:
        return {float: float64, int: int64, bool: bool_, complex: complex128}[d]
    return from_numpy_dtype(d)


# ---------------------------------------------------------------- default dtype

_state = threading.local()
_default_dtype = [float32]


def get_default_dtype():
    return _default_dtype[0]


def default_complex_dtype():
    """The dtype of Python complex numbers: complex128 under a float64 default, else complex64."""
    return complex128 if _default_dtype[0] is float64 else complex64


def set_default_dtype(d):
    if not isinstance(d, dtype):
        raise TypeError('invalid dtype object: only floating-point types are supported as the default type')
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError('only floating-point types are supported as the default type')
    _default_dtype[0] = d


# ---------------------------------------------------------------- promotion

def promote_types(type1, type2):
    """PyTorch's promote_types for two dtypes."""
    if type1 is type2:
        return type1
    try:
        ca, cb = type1.category, type2.category
    except AttributeError:          # Python types (float, int, bool) stand for their dtypes
        return promote_types(to_dtype(type1), to_dtype(type2))
    if ca != cb:
        hi, lo = (type1, type2) if ca > cb else (type2, type1)
        if hi.category == _COMPLEX:             # complex with a float: complex of the wider one
            return complex128 if lo is float64 else hi
        if hi.category != _FLOAT and (type1._rank == 9 or type2._rank == 9):
            _no_promotion(type1, type2)
        return hi
    if ca == _COMPLEX:
        return type1 if type1._rank > type2._rank else type2
    if ca == _FLOAT:
        if type1._rank == type2._rank:      # float16 with bfloat16
            return float32
        return type1 if type1._rank > type2._rank else type2
    if ca == _BOOL:
        return type1
    if type1._rank == 9 or type2._rank == 9:
        _no_promotion(type1, type2)
    # integers: uint8 against type1 signed type needs the next wider signed type
    if type1 is uint8 or type2 is uint8:
        other = type2 if type1 is uint8 else type1
        return int16 if other is int8 else other
    return type1 if type1._rank > type2._rank else type2


_SCALAR = {'bool': 'Bool', 'uint8': 'Byte', 'int8': 'Char', 'int16': 'Short', 'int32': 'Int', 'int64': 'Long',
           'uint16': 'UInt16', 'uint32': 'UInt32', 'uint64': 'UInt64'}


def _no_promotion(a, b):
    raise RuntimeError('Promotion for uint16, uint32, uint64 types is not supported, attempted to promote '
                       f'{_SCALAR[a.name]} and {_SCALAR[b.name]}')


def can_cast(from_, to):
    """PyTorch's can_cast: casting may not lower the category (float -> int, int or float -> bool)."""
    return from_.category <= to.category


def _tier_promote(current, d):
    return d if current is None else promote_types(current, d)


def _combine(higher, lower):
    """PyTorch's combine_categories: a higher tier wins unless a lower tier has a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:          # a float keeps its precision, made complex
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool_ or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value):
    """The dtype a Python scalar takes in promotion (floats take the default dtype)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default_dtype[0]
    if isinstance(value, complex):
        return default_complex_dtype()
    if isinstance(value, (np.bool_, np.integer, np.floating, np.complexfloating)):
        d = from_numpy_dtype(value.dtype)
        return (get_default_dtype() if d.category == _FLOAT else int64 if d.category == _INT else
                default_complex_dtype() if d.category == _COMPLEX else d)
    raise TypeError(f'unsupported scalar type {type(value).__name__}')


def result_type(*operands):
    """The dtype PyTorch gives an op on these operands (Tensors and Python scalars)."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, 'dtype', None)
        if isinstance(d, dtype):
            if x._data.ndim:
                dim = _tier_promote(dim, d)
            else:
                zero = _tier_promote(zero, d)
        else:
            wrapped = _tier_promote(wrapped, scalar_dtype(x))
    return _combine(dim, _combine(zero, wrapped))


def is_float(d):
    return d.category == _FLOAT


def differentiable(d):
    """Floating and complex dtypes: the ones that can require gradients."""
    return d.category >= _FLOAT


# ---------------------------------------------------------------- finfo / iinfo

class finfo:
    """Machine limits of a floating dtype: ``ember.finfo(ember.float32).eps``."""

    def __init__(self, type=None):
        d = get_default_dtype() if type is None else _PY_TYPES.get(type, type)
        if isinstance(d, dtype):
            d = d.to_real()             # a complex dtype's limits are its parts'
        if not isinstance(d, dtype) or not d.is_floating_point:
            raise TypeError("ember.finfo() requires a floating point input type. Use ember.iinfo to "
                            "handle 'ember.finfo'")
        info = ml_dtypes.finfo(d.np) if d is bfloat16 else np.finfo(d.np)
        self.bits = d.itemsize * 8
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = d.name

    def __repr__(self):
        return (f'finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, '
                f'eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, '
                f'dtype={self.dtype})')


class iinfo:
    """Limits of an integer dtype: ``ember.iinfo(ember.int8).max``."""

    def __init__(self, type):
        type = _PY_TYPES.get(type, type)
        if type is bool_:
            raise TypeError('ember.bool is not supported by ember.iinfo')
        if not isinstance(type, dtype) or type.category != _INT:
            raise TypeError("ember.iinfo() requires an integer input type. Use ember.finfo to handle "
                            "'ember.iinfo'")
        info = np.iinfo(type.np)
        self.bits = type.itemsize * 8
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type.name

    def __repr__(self):
        return f'iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})'

    def __eq__(self, other):
        return type(other) is type(self) and other.dtype == self.dtype

    __hash__ = None


finfo.__eq__, finfo.__hash__ = iinfo.__eq__, None      # equal when they describe the same dtype
_PY_TYPES = {float: float64, complex: complex128, int: int64, bool: bool_}   # Python's types, as PyTorch reads them


# ---------------------------------------------------------------- layouts and memory formats

class _NamedConstant:
    """A constant printed and pickled by its name in the ``ember`` namespace (``ember.strided``)."""

    __slots__ = ('name',)
    __module__ = 'ember'

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return 'ember.' + self.name

    def __reduce__(self):
        return self.name


class layout(_NamedConstant):
    """A tensor's storage layout; ember tensors are all ``ember.strided``."""
    __slots__ = ()


class memory_format(_NamedConstant):
    """How a copy lays out its dims in memory (``clone``, ``contiguous``, ``*_like``, ``to``)."""
    __slots__ = ()


strided = layout('strided')
sparse_coo = layout('sparse_coo')          # ember.sparse tensors; the others are names only
sparse_csr = layout('sparse_csr')
sparse_csc = layout('sparse_csc')
sparse_bsr = layout('sparse_bsr')
sparse_bsc = layout('sparse_bsc')
contiguous_format = memory_format('contiguous_format')
preserve_format = memory_format('preserve_format')
channels_last = memory_format('channels_last')
channels_last_3d = memory_format('channels_last_3d')
