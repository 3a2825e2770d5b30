"""``cupy.add`` and friends: NumPy's ufuncs behind the device-array wall."""
import numpy

from . import _array

_CACHE = {}
_AT = frozenset(('add', 'subtract', 'maximum', 'minimum', 'bitwise_and', 'bitwise_or', 'bitwise_xor'))


class ufunc:
    __module__ = 'cupy'

    def __init__(self, f):
        self._f = f
        self.__name__ = f.__name__
        self.nin, self.nout, self.nargs = f.nin, f.nout, f.nargs

    def __repr__(self):
        return f'<ufunc {self.__name__!r}>'

    def __call__(self, *args, **kwargs):
        return _array.call(self._f, args, kwargs)

    def reduce(self, *args, **kwargs):
        return _array.call(self._f.reduce, args, kwargs)

    def accumulate(self, *args, **kwargs):
        return _array.call(self._f.accumulate, args, kwargs)

    def reduceat(self, *args, **kwargs):
        return _array.call(self._f.reduceat, args, kwargs)

    def outer(self, *args, **kwargs):
        return _array.call(self._f.outer, args, kwargs)

    def at(self, a, indices, b=None):
        if self.__name__ not in _AT:            # CuPy defines ``at`` only where it has a scatter kernel
            raise NotImplementedError(f'{self.__name__}.at is not supported in CuPy')
        idx = _array._index(indices, _array.unwrap(a).shape)
        args = (_array.unwrap(a), idx) + (() if b is None else (_array.unwrap(b),))
        self._f.at(*args)


def get(name):
    u = _CACHE.get(name)
    if u is None:
        u = _CACHE[name] = ufunc(getattr(numpy, name))
    return u
