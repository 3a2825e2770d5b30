"""ember.Size: the shape of a tensor, a tuple that prints as ``ember.Size([4, 3])``."""


def _dim(i, s):
    if isinstance(s, int):
        return int(s)
    if hasattr(s, '__index__') and not isinstance(s, float):
        try:
            return s.__index__()        # NumPy ints, 0-dim integer tensors
        except TypeError:
            pass
    raise TypeError(f"ember.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')")


class Size(tuple):
    __slots__ = ()
    __module__ = 'ember'

    def __new__(cls, sizes=()):
        return super().__new__(cls, [_dim(i, s) for i, s in enumerate(sizes)])

    def __repr__(self):
        return f'ember.Size([{", ".join(str(s) for s in self)}])'

    __str__ = __repr__

    def __getitem__(self, item):
        r = super().__getitem__(item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f'can only concatenate tuple (not {type(other).__name__}) to ember.Size')
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n):
        return Size(tuple(self) * n)

    __rmul__ = __mul__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __reduce__(self):
        return (Size, (tuple(self),))
