"""``cupy.random``: NumPy's generators, results placed on the device."""
import numpy as _np

from . import _api, _array


class _Wrapped:
    """A NumPy generator whose draws land on the device."""

    def __init__(self, gen):
        self._gen = gen

    def __getattr__(self, name):
        v = getattr(self._gen, name)
        if not callable(v):
            return v
        return lambda *a, **k: _array.call(v, a, k)


_state = [_Wrapped(_np.random.RandomState(0))]


def seed(s=None):
    _state[0] = _Wrapped(_np.random.RandomState(s))


def get_random_state():
    return _state[0]


def set_random_state(rs):
    _state[0] = rs


def RandomState(seed=None):
    return _Wrapped(_np.random.RandomState(seed))


def default_rng(seed=None):
    return _Wrapped(_np.random.default_rng(seed))


def __getattr__(name):
    if name not in _api.RANDOM or not hasattr(_np.random.RandomState, name):
        raise AttributeError(f"module 'cupy.random' has no attribute '{name}'")
    return getattr(_state[0], name)
