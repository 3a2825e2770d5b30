"""PyTorch's argument-parser TypeErrors, for ops whose Python signature would accept a wrong type
(a list for a Tensor, a float for an int, a str for a size)."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor


def type_name(v):
    """A value's type as PyTorch's argument errors name it ('list', 'numpy.ndarray', 'Tensor')."""
    t = type(v)
    return 'Tensor' if isinstance(v, Tensor) else t.__name__ if t.__module__ == 'builtins' else \
        f'{t.__module__}.{t.__qualname__}'


def is_int(v):
    """An int as PyTorch's parser takes it: a Python or NumPy int (not a bool), a 0-dim integer array or a
    one-element integer tensor."""
    if isinstance(v, Tensor):
        return v.numel() == 1 and not (v.is_floating_point() or v.is_complex() or v.dtype is _dtype.bool_)
    if isinstance(v, np.ndarray):
        return v.ndim == 0 and v.dtype.kind in 'iu'
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def int_sizes(fname, arg, args, overloads=False, pos=1, varargs=True):
    """A size given as f(2, 3), f((2, 3)) or f(Size) (``varargs``: the first form too; ``pos``: the
    argument's position), with PyTorch's TypeErrors for a non-int (``overloads``: a bad first item is
    'received an invalid combination', as for view)."""
    seq = len(args) == 1 and isinstance(args[0], (tuple, list))
    if not (seq or varargs):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                        f'{type_name(args[0])}')
    out = []
    for i, s in enumerate(args[0] if seq else args):
        if is_int(s):
            out.append(int(s))
            continue
        if i:
            raise TypeError(f"{fname}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                            f'"type must be tuple of ints,but got {type_name(s)}"')
        if overloads:
            raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                            f"({', '.join(map(type_name, args))}), but expected one of:")
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, " +
                        (f'but found element of type {type_name(s)} at pos 0' if seq else
                         f'not {type_name(s)}') if len(args) == 1 else
                        f'{fname}() takes 1 positional argument but {len(args)} were given')
    return tuple(out)


def arg_types(fname, *args):
    """PyTorch's argument-parser TypeError for the first argument of the wrong type. args: (name, position,
    value, kind), kind 'Tensor', 'int' or 'float', with a trailing '?' when None is allowed."""
    for name, pos, v, kind in args:
        if v is None and kind[-1] == '?' or (is_int(v) if kind[0] == 'i' else isinstance(v, Tensor) or
                                             kind[0] == 'f' and isinstance(v, (int, float, np.integer, np.floating))):
            continue
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be {kind.rstrip('?')}, not "
                        f'{type_name(v)}')
