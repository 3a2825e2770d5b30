"""atleast_1d / atleast_2d / atleast_3d: each tensor with at least N dimensions (views)."""
from .._tensor import Tensor
from .shape import reshape, unsqueeze


def _lift(t, n):
    """``t`` with >= ``n`` dims: 0-d reshaped, 1-d gets a leading dim, then a trailing one for n=3."""
    if t.ndim == 0:
        return reshape(t, (1,) * n)
    if t.ndim == 1 and n > 1:
        return unsqueeze(unsqueeze(t, 0), -1) if n == 3 else unsqueeze(t, 0)
    return unsqueeze(t, -1) if t.ndim == 2 and n == 3 else t


def _atleast(n):
    name = f'atleast_{n}d'

    def atleast(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], Tensor):
            return _lift(tensors[0], n)
        seq = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)) else tensors
        bad = next((t for t in seq if not isinstance(t, Tensor)), None)
        if bad is not None:
            raise TypeError(f'{name}() received an invalid combination of arguments - got ({type(bad).__name__}), '
                            'but expected one of:')
        return tuple(_lift(t, n) for t in seq)
    atleast.__name__ = atleast.__qualname__ = name
    return atleast


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)
