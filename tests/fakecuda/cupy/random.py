"""``cupy.random``: NumPy's generator behind CuPy 14's RandomState API, results on the device.

As in CuPy: one RandomState per device (``get_random_state()`` answers the current device's),
``RandomState(seed=None, method=None)`` takes 64-bit seeds, the float samplers take
``dtype=`` and accept only float32/float64, ``randint`` takes ``dtype=`` and checks its bounds,
``poisson``/``geometric`` return int64 by default and ``permutation(n)`` int64.
The numbers themselves are NumPy's (CuPy draws with cuRAND), seeded from the 64-bit seed."""
import hashlib
import os

import numpy as _np

from . import _api, _array
from .cuda import _state as _dev_state

_UINT64 = 1 << 64


def _float(dtype):
    dtype = _np.dtype(dtype)
    if dtype.char not in 'fd':
        raise TypeError('cupy.random only supports float32 and float64')
    return dtype


def _dev(x):
    return _array.from_numpy(_np.array(x, order="C", copy=True) if _np.ndim(x) == 0 else _np.ascontiguousarray(x))


class RandomState:
    """CuPy's RandomState (a cuRAND generator there; NumPy's MT19937 here)."""

    def __init__(self, seed=None, method=None):
        self.method = 100 if method is None else int(method)     # CURAND_RNG_PSEUDO_DEFAULT
        self.seed(seed)

    def seed(self, seed=None):
        if seed is None:
            seed = int.from_bytes(os.urandom(8), 'little')
        elif isinstance(seed, _np.ndarray):
            seed = int(hashlib.md5(seed).hexdigest()[:16], 16)
        else:
            arr = _np.asarray(seed)
            if arr.dtype.kind not in 'biu':
                raise TypeError('Seed must be an integer.')
            seed = int(arr)
            if seed < 0 or seed >= _UINT64:
                raise ValueError('Seed must be an integer between 0 and 2**64 - 1')
        self._gen = _np.random.RandomState([seed & 0xFFFFFFFF, seed >> 32])

    # -- floats (float32 / float64 only)
    def random_sample(self, size=None, dtype=float):
        dtype = _float(dtype)
        x = self._gen.random_sample(() if size is None else size).astype(dtype)
        x[x == 1] = 0            # CuPy's mod-1 kernel: [0, 1) in float32 too
        return _dev(x)

    def rand(self, *size, dtype=float):
        return self.random_sample(size, dtype)

    def randn(self, *size, dtype=float):
        return self.normal(size=size, dtype=dtype)

    def standard_normal(self, size=None, dtype=float):
        return self.normal(size=size, dtype=dtype)

    def normal(self, loc=0.0, scale=1.0, size=None, dtype=float):
        dtype = _float(dtype)
        if size is None:
            size = _np.broadcast_shapes(_np.shape(loc), _np.shape(scale))
        z = self._gen.standard_normal(size)
        if isinstance(scale, _array.ndarray) or isinstance(loc, _array.ndarray):
            return _dev(z.astype(dtype)) * scale + loc
        return _dev((z * scale + loc).astype(dtype))

    def uniform(self, low=0.0, high=1.0, size=None, dtype=float):
        dtype = _float(dtype)
        if size is None:
            size = _np.broadcast_shapes(_np.shape(low), _np.shape(high))
        x = self.random_sample(size, dtype)
        if _np.isscalar(low) and _np.isscalar(high):
            return _dev((dtype.type(low) + x._a * dtype.type(high - low)).astype(dtype))
        return (low + x * (high - low)).astype(dtype)

    def standard_exponential(self, size=None, dtype=float):
        dtype = _float(dtype)
        return _dev(self._gen.standard_exponential(() if size is None else size).astype(dtype))

    def exponential(self, scale=1.0, size=None, dtype=float):
        x = self.standard_exponential(size, dtype)
        return x * scale if isinstance(scale, _array.ndarray) else _dev(x._a * x._a.dtype.type(scale))

    def lognormal(self, mean=0.0, sigma=1.0, size=None, dtype=float):
        dtype = _float(dtype)
        return _dev(self._gen.lognormal(mean, sigma, size).astype(dtype))

    def standard_cauchy(self, size=None, dtype=float):
        x = self.uniform(size=size, dtype=dtype)
        return _dev(_np.tan(_np.pi * (x._a - 0.5)).astype(x._a.dtype))

    # -- integers
    def randint(self, low, high=None, size=None, dtype=int):
        if not _np.isscalar(low) or (high is not None and not _np.isscalar(high)):
            return _array.call(self._gen.randint, (low, high, size), {'dtype': dtype})
        lo, hi1 = (0, int(low) - 1) if high is None else (int(low), int(high) - 1)
        if lo > hi1:
            raise ValueError('low >= high')
        info = _np.iinfo(dtype)
        if lo < info.min:
            raise ValueError(f'low is out of bounds for {_np.dtype(dtype).name}')
        if hi1 > info.max:
            raise ValueError(f'high is out of bounds for {_np.dtype(dtype).name}')
        return _dev(_np.asarray(self._gen.randint(lo, hi1 + 1, size, dtype=dtype)))

    def _ints(self, name, dtype, *args):
        f = getattr(self._gen, name)
        return _array.call(lambda *a: _np.asarray(f(*a)).astype(dtype), args, {}, True)

    def poisson(self, lam=1.0, size=None, dtype='l'):
        return self._ints('poisson', dtype, lam, size)

    def geometric(self, p, size=None, dtype='l'):
        return self._ints('geometric', dtype, p, size)

    def binomial(self, n, p, size=None, dtype=int):
        return self._ints('binomial', dtype, n, p, size)

    def tomaxint(self, size=None):
        return self.randint(0, _np.iinfo(_np.int64).max, size, _np.int64)

    def permutation(self, a):
        if isinstance(a, int):
            return _dev(self._gen.permutation(a).astype(_np.int64))
        return a[self.permutation(len(a))]

    def shuffle(self, a):
        if not isinstance(a, _array.ndarray):
            raise TypeError('The array must be cupy.ndarray')
        a[:] = a[self.permutation(len(a))]

    def choice(self, a, size=None, replace=True, p=None):
        return _array.call(self._gen.choice, (a, size, replace, p), {})

    def __getattr__(self, name):        # the other distributions: NumPy's, on the device
        if name.startswith('_') or not hasattr(_np.random.RandomState, name):
            raise AttributeError(f"'RandomState' object has no attribute '{name}'")
        f = getattr(self._gen, name)

        def draw(*a, dtype=None, **k):
            r = _array.call(f, a, k)
            return r if dtype is None else r.astype(dtype)
        return draw


class _Wrapped:
    """A NumPy generator whose draws land on the device (``default_rng``'s stand-in)."""

    def __init__(self, gen):
        self._gen = gen

    def __getattr__(self, name):
        v = getattr(self._gen, name)
        if not callable(v):
            return v
        return lambda *a, **k: _array.call(v, a, k)


_random_states = {}


def seed(seed=None):
    get_random_state().seed(seed)


def get_random_state():
    dev = _dev_state.current()
    rs = _random_states.get(dev)
    if rs is None:
        s = os.getenv('CUPY_SEED')
        rs = _random_states.setdefault(dev, RandomState(None if s is None else int(s)))
    return rs


def set_random_state(rs):
    if not isinstance(rs, RandomState):
        raise TypeError(f'Random state must be an instance of RandomState. Actual: {type(rs)}')
    _random_states[_dev_state.current()] = rs


def reset_states():
    _random_states.clear()


def default_rng(seed=None):
    return _Wrapped(_np.random.default_rng(seed))


_ALIASES = {'random': 'random_sample', 'ranf': 'random_sample', 'sample': 'random_sample'}


def __getattr__(name):
    if name not in _api.RANDOM:
        raise AttributeError(f"module 'cupy.random' has no attribute '{name}'")
    return getattr(get_random_state(), _ALIASES.get(name, name))
