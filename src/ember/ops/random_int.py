"""randint: integers drawn uniformly from [low, high), in any real dtype (``ember.randint``;
``ops/random.py`` hands the name on here), and the range Tensor.random_ draws from."""
import math

import ml_dtypes
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .creation import _finish, _size, _is_int
from .random import _rng, _cuda_gen, check_generator, with_out
from .ranges import _fmt


# C++ names in randint's bound errors
_CPP_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short int',
              'int32': 'int', 'int64': 'long int'}


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    check_generator(generator, 'randint', tuple(a for a in (low, high, size) if a is not None))
    size_pos = 3
    if size is None and (high is None or isinstance(high, (tuple, list))):
        low, high, size, size_pos = 0, low, high, 2
    elif high is None:                  # randint(5, size=(3,))
        low, high = 0, low
    if size is None:
        if high is not None:
            raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                            f'{type(high).__name__}')
        raise TypeError('randint() missing 1 required positional argument: \'size\'')
    for name, v, pos in (('low', low, 1), ('high', high, 2 if size_pos == 3 else 1)):
        if not _is_int(v):
            raise TypeError(f"randint(): argument '{name}' (position {pos}) must be int, not "
                            f'{type(v).__name__}')
    low, high = int(low), int(high)
    if not -(1 << 63) <= min(low, high) <= max(low, high) < (1 << 63):
        raise ValueError('Overflow when unpacking long long')
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    _check_bounds(d)
    if not d.is_floating_point:
        info = np.iinfo(d.np) if d is not _dtype.bool_ else None
        lo, hi = (0, 1) if info is None else (info.min, info.max)
        if low < lo or low > hi:
            raise RuntimeError(f'from is out of bounds for {_CPP_NAMES[d.name]}')
        if high - 1 < lo or high - 1 > hi:
            raise RuntimeError(f'to - 1 is out of bounds for {_CPP_NAMES[d.name]}')
    shape, g = _size((size,), 'randint', size_pos), _cuda_gen(generator, device)
    if g is not None:
        arr = g._draw('randint', low, high, size=shape, dtype=np.int64, cast=d.np)
        return _finish(arr, device, requires_grad)
    if d.is_floating_point:
        low, high = _float_bounds(d, low, high)
    arr = _rng(generator).from_to(math.prod(shape), low, high - low).reshape(shape)
    return _finish(arr.astype(d.np), device, requires_grad)


def _in_dtype(d, v):
    """int(static_cast<scalar_t>(v)): float16/bfloat16 through float32."""
    x = np.float64(v) if d.name == 'float64' else np.float32(v)
    return int(x.astype(d.np).astype(np.float64)) if d.name in ('float16', 'bfloat16') else int(x)


def _update_from(d, v):
    """PyTorch's update_from: ``from`` moved up to a value the float dtype holds."""
    up = _in_dtype(d, v + 1)
    if up < v:
        v = up + (1 << ((abs(v + 1).bit_length() - 1) - _DIGITS[d.name] + 1))
    return v


def _update_to(d, v):
    """PyTorch's update_to: ``to`` moved down so that ``to - 1`` is a value the float dtype holds."""
    down = _in_dtype(d, v - 1)
    if down >= v:
        v = down - (1 << ((abs(v - 1).bit_length() - 1) - _DIGITS[d.name] + 1))
    return v


def _float_bounds(d, low, high):
    low, high = _update_from(d, low), _update_to(d, high)
    if low >= high:
        raise RuntimeError("random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but "
                           f"got from={low} >= to={high}")
    return low, high


randint = with_out(randint)


def _check_bounds(d):
    if d.is_complex:
        raise RuntimeError('check_random_bounds handles only integral, floating-point and boolean types')


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None, pin_memory=False):
    if not isinstance(input, Tensor):           # the parser's TypeError (randint_like has overloads)
        from .argcheck import invalid_combination
        raise invalid_combination('randint_like', (input,) if low == 0 and high is None else
                                  (input, low) if high is None else (input, low, high), {})
    check_generator(generator, 'randint_like', (input, low) if high is None else (input, low, high))
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype,
                   device=input.device if device is None else device, generator=generator,
                   requires_grad=requires_grad)


# ------------------------------------------------------- random_(): the range and its checks
# mantissa digits of the float dtypes: random_ draws integers within [-(2**d), 2**d]
_DIGITS = {'float16': 11, 'bfloat16': 8, 'float32': 24, 'float64': 53}
_FLOAT_NAMES = {'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16', 'float32': 'float', 'float64': 'double'}


def _limits(d):
    """(lowest, highest, C++ name) of a real dtype."""
    if d.is_floating_point:
        info = ml_dtypes.finfo(d.np) if d.name == 'bfloat16' else np.finfo(d.np)
        return float(info.min), float(info.max), _FLOAT_NAMES[d.name]
    if d is _dtype.bool_:
        return 0, 1, 'bool'
    info = np.iinfo(d.np)
    return int(info.min), int(info.max), _CPP_NAMES[d.name]


def _int_args(args):
    """random_'s positional arguments as Python ints (``to`` of the two-argument form may be None)."""
    import operator
    from .._tensor import Tensor
    out = []
    for i, v in enumerate(args):
        ok = (v is None and i == 1) or (not isinstance(v, (bool, float, Tensor)) and hasattr(v, '__index__'))
        if not ok:
            got = ', '.join(type(a).__name__ for a in args)
            raise TypeError(f'random_() received an invalid combination of arguments - got ({got}), but '
                            'expected one of:')
        out.append(v if v is None else operator.index(v))
    for v in out:
        if v is not None and not -2 ** 63 <= v < 2 ** 63:
            raise ValueError('Overflow when unpacking long long')
    return out


def random_range(d, args):
    """[low, high) that ``t.random_(*args)`` draws from for a tensor of dtype ``d`` (PyTorch's checks,
    errors and precision warning), and which of the three forms it was (0, 1, 2: RandomBackward<n>)."""
    if len(args) > 2:
        raise TypeError(f'random_() takes 2 positional arguments but {len(args)} were given')
    args = _int_args(args)
    if len(args) == 2 and args[1] is None:           # random_(from, None): [from, the dtype's top]
        if d.is_complex:
            raise RuntimeError('random_from_to_impl handles only integral, floating-point and boolean types')
        if args[0] == -2 ** 63:                      # the full 64-bit range
            if d.name == 'float16':
                raise NotImplementedError('"random_full_64_bits_range_kernel_cpu" not implemented for \'Half\'')
            if d.name not in ('int64', 'float64', 'float32', 'bfloat16'):
                raise RuntimeError('random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16')
            return -2 ** 63, 2 ** 63, 0
        low, hi, name = _limits(d)
        top = 2 ** _DIGITS[d.name] if d.is_floating_point else hi
        if not low <= args[0] <= hi:
            raise RuntimeError(f'from is out of bounds for {name}')
        if d.is_floating_point:
            args[0] = _update_from(d, args[0])
        if args[0] > top:
            raise RuntimeError("random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' "
                               f"casted to dtype, but got from={args[0]} > to_inc={top}")
        _warn_precision(d, args[0], 'from')
        return args[0], top + 1, 0
    if not args:
        if d.is_complex:
            raise NotImplementedError(f'"random_kernel_cpu" not implemented for \'{_dtype_name(d)}\'')
        top = 2 ** _DIGITS[d.name] if d.is_floating_point else _limits(d)[1]
        return 0, top + 1, 2
    low, high = (0, args[0]) if len(args) == 1 else args
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    _check_bounds(d)
    lo, hi, name = _limits(d)
    for v, what in ((low, 'from'), (high - 1, 'to - 1')):
        if not lo <= v <= hi:
            raise RuntimeError(f'{what} is out of bounds for {name}')
    _warn_precision(d, low, 'from')
    _warn_precision(d, high - 1, 'to - 1')
    if d.is_floating_point:
        low, high = _float_bounds(d, low, high)
    return low, high, 2 - len(args)


def _warn_precision(d, v, what):
    n = _DIGITS.get(d.name)
    if n is not None and not -2 ** n <= v <= 2 ** n:
        import warnings
        warnings.warn(f'{what} is out of bounds [-(2^{n}), 2^{n}]. Due to precision limitations '
                      f'{_FLOAT_NAMES[d.name]} can support discrete uniform distribution only within this range. '
                      'This warning will become an error in version 1.7 release, please fix the code in advance',
                      UserWarning, stacklevel=4)


def check_uniform_bounds(d, a, b):
    """PyTorch's check_uniform_bounds: both ends within the (real) dtype, a <= b, b - a finite."""
    if not d.is_complex and not d.is_floating_point:
        raise NotImplementedError(f'"check_uniform_bounds" not implemented for \'{_dtype_name(d)}\'')
    lo, hi, name = _limits(d.to_real())
    for v, what in ((a, 'from'), (b, 'to')):
        if not lo <= v <= hi:
            raise RuntimeError(f'{what} is out of bounds for {name}')
    if a > b:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found from={_fmt(a)} > '
                           f'to={_fmt(b)}')
    if b - a > hi:
        raise RuntimeError(f'uniform_ expects to-from <= std::numeric_limits<{_dtype_name(d.to_real())}>::max(), '
                           f'but found to={_fmt(float(b))} and from={_fmt(float(a))} which result in to-from to '
                           'exceed the limit')


def _dtype_name(d):
    from .._tensor import _scalar_name
    return _scalar_name(d)
