"""``as_strided`` and friends on device arrays (views, as in CuPy)."""
import numpy as _np

from .. import _array


def as_strided(x, shape=None, strides=None):
    return _array.from_numpy(_np.lib.stride_tricks.as_strided(_array.unwrap(x), shape, strides), x._dev)


def broadcast_to(array, shape, subok=False):
    return _array.from_numpy(_np.broadcast_to(_array.unwrap(array), shape), array._dev)


def sliding_window_view(x, window_shape, axis=None, *, subok=False, writeable=False):
    v = _np.lib.stride_tricks.sliding_window_view(_array.unwrap(x), window_shape, axis, writeable=writeable)
    return _array.from_numpy(v, x._dev)
