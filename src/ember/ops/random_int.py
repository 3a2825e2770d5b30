"""randint: integers drawn uniformly from [low, high), in any real dtype (``ember.randint``;
``ops/random.py`` hands the name on here)."""
import numpy as np

from .. import _dtype
from .creation import _finish, _size, _is_int
from .random import _rng, _cuda_gen


# C++ names in randint's bound errors
_CPP_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short int',
              'int32': 'int', 'int64': 'long int'}


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    size_pos = 3
    if size is None and (high is None or isinstance(high, (tuple, list))):
        low, high, size, size_pos = 0, low, high, 2
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
    arr = _rng(generator).integers(low, high, shape, dtype=np.int64)
    return _finish(arr.astype(d.np), device, requires_grad)


def _check_bounds(d):
    if d.is_complex:
        raise RuntimeError('check_random_bounds handles only integral, floating-point and boolean types')
