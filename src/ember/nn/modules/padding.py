"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad (1-3d).

Each class spells out its own ``__init__`` so that its signature (and the TypeError for a wrong
number of arguments) is PyTorch's: ``ConstantPad2d(padding, value)``, ``ReflectionPad1d(padding)``.
"""
from typing import Union

from ...ops.padding import pad
from .module import Module

_Pad2 = Union[int, tuple[int, int]]
_Pad4 = Union[int, tuple[int, int, int, int]]
_Pad6 = Union[int, tuple[int, int, int, int, int, int]]


class _PadNd(Module):
    mode = 'constant'
    nd = 1

    def _set(self, padding, value=None):
        super().__init__()
        self.padding = tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * self.nd)
        if value is not None:
            self.value = value

    def forward(self, input):
        if self.mode == 'constant':
            return pad(input, self.padding, 'constant', self.value)
        return pad(input, self.padding, self.mode)

    def extra_repr(self):
        if self.mode == 'constant' and type(self).__name__.startswith('Constant'):
            return f'padding={self.padding}, value={self.value}'
        return f'{self.padding}'


class ConstantPad1d(_PadNd):
    def __init__(self, padding: _Pad2, value: float) -> None:
        self._set(padding, value)


class ConstantPad2d(_PadNd):
    nd = 2

    def __init__(self, padding: _Pad4, value: float) -> None:
        self._set(padding, value)


class ConstantPad3d(_PadNd):
    nd = 3

    def __init__(self, padding: _Pad6, value: float) -> None:
        self._set(padding, value)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding: _Pad2) -> None:
        self._set(padding, 0.0)


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding: _Pad4) -> None:
        self._set(padding, 0.0)


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding: _Pad6) -> None:
        self._set(padding, 0.0)


_PADS = {1: _Pad2, 2: _Pad4, 3: _Pad6}


def _make(name, mode, nd):
    """A padding class whose ``__init__`` (so its signature and error messages) is PyTorch's."""
    def __init__(self, padding) -> None:
        self._set(padding)
    __init__.__annotations__ = {'padding': _PADS[nd], 'return': None}
    __init__.__qualname__ = f'{name}.__init__'
    return type(name, (_PadNd,), {'mode': mode, 'nd': nd, '__init__': __init__, '__module__': __name__})


ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (_make(f'ReflectionPad{k}d', 'reflect', k) for k in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (_make(f'ReplicationPad{k}d', 'replicate', k)
                                                        for k in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (_make(f'CircularPad{k}d', 'circular', k) for k in (1, 2, 3))
