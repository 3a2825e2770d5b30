"""Module namespaces of the stand-in: each CuPy name maps to NumPy's function of that name,
called behind the device-array wall. Names CuPy lacks raise AttributeError, and NumPy calls
on device arrays dispatch only to names CuPy has."""
import functools

import numpy

from . import _api, _array, _ufunc

_SPECIAL = {  # CuPy-only helpers and converters that accept host data
    'asarray', 'array', 'asanyarray', 'ascontiguousarray', 'asfortranarray', 'copyto',
}


def _axis_size(a, axis):
    a = a._a if type(a) is _array.ndarray else numpy.asarray(a)
    return a.size if axis is None else a.shape[axis]


# CuPy wraps out-of-range indices in these (NumPy raises): (position of the indices, of the axis)
_WRAPPING = {'take': (1, 2), 'take_along_axis': (1, 2), 'put_along_axis': (1, 3), 'put': (1, None)}


@functools.lru_cache(maxsize=None)
def function(np_module, name, host_ok=False):
    f = getattr(np_module, name)
    where = _WRAPPING.get(name) if np_module is numpy else None

    def fn(*args, **kwargs):
        if where is not None and len(args) > where[0]:
            i, j = where
            axis = None if j is None else (args[j] if len(args) > j else kwargs.get('axis', -1 if name.endswith(
                'along_axis') else None))
            args = list(args)
            args[i] = _array.wrapped(args[i], _axis_size(args[0], axis))
        return _array.call(f, args, kwargs, host_ok)
    fn.__name__ = name
    fn.__module__ = 'cupy'
    return fn


def convert(name):
    f = getattr(numpy, name)

    def fn(obj, *args, **kwargs):
        copy_host = isinstance(obj, numpy.ndarray) or not isinstance(obj, _array.ndarray)
        a = _array.call(f, (obj,) + args, kwargs, host_ok=True)
        if copy_host and type(a) is _array.ndarray and isinstance(obj, numpy.ndarray) \
                and numpy.shares_memory(a._a, obj):
            a = _array.from_numpy(a._a.copy())      # host -> device is always a copy
        return a
    fn.__name__ = name
    return fn


def attr(np_module, names, name):
    if name not in names or not hasattr(np_module, name):
        raise AttributeError(f"module 'cupy' has no attribute '{name}'")
    v = getattr(np_module, name)
    if np_module is numpy and isinstance(v, numpy.ufunc):
        return _ufunc.get(name)
    if np_module is numpy and name in _SPECIAL:
        return convert(name) if name != 'copyto' else function(numpy, name, True)
    if callable(v) and not isinstance(v, type):
        return function(np_module, name)
    return v


_MODULES = {'numpy': (numpy, _api.TOP), 'numpy.linalg': (numpy.linalg, _api.LINALG),
            'numpy.fft': (numpy.fft, _api.FFT)}


def lookup(func):
    """The stand-in for a NumPy function called on a device array (None: CuPy lacks it)."""
    mod = _MODULES.get(func.__module__)
    if mod is None or func.__name__ not in mod[1]:
        return None
    try:
        return attr(mod[0], mod[1], func.__name__)
    except AttributeError:
        return None
