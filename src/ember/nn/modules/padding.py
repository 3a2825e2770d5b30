"""Padding layers: ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad (1-3d)."""
from ...ops.padding import pad
from .module import Module


class _PadNd(Module):
    mode = 'constant'
    nd = 1

    def __init__(self, padding, value=None):
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


def _make(name, mode, nd, zero=False):
    def __init__(self, padding, *args):
        if zero:
            _PadNd.__init__(self, padding, 0.0)
        elif mode == 'constant':
            _PadNd.__init__(self, padding, *args)
        else:
            _PadNd.__init__(self, padding)
    return type(name, (_PadNd,), {'mode': mode, 'nd': nd, '__init__': __init__, '__module__': __name__})


ZeroPad1d, ZeroPad2d, ZeroPad3d = (_make(f'ZeroPad{k}d', 'constant', k, zero=True) for k in (1, 2, 3))
ConstantPad1d, ConstantPad2d, ConstantPad3d = (_make(f'ConstantPad{k}d', 'constant', k) for k in (1, 2, 3))
ReflectionPad1d, ReflectionPad2d, ReflectionPad3d = (_make(f'ReflectionPad{k}d', 'reflect', k) for k in (1, 2, 3))
ReplicationPad1d, ReplicationPad2d, ReplicationPad3d = (_make(f'ReplicationPad{k}d', 'replicate', k)
                                                        for k in (1, 2, 3))
CircularPad1d, CircularPad2d, CircularPad3d = (_make(f'CircularPad{k}d', 'circular', k) for k in (1, 2, 3))
