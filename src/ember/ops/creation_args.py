"""How the factories read their arguments, with PyTorch's messages: a size given as ``f(2, 3)``,
``f((2, 3))`` or ``size=``, and ``out=`` (the result written into a given tensor)."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor


def _requiring(t):
    if t._data.dtype.kind not in 'fVc':
        raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
    t._requires_grad = True
    return t


def _is_int(s):
    """Accepted as one dimension of a size: Python/NumPy ints (bools too) and 0-dim integer tensors."""
    return isinstance(s, (int, np.integer)) or (isinstance(s, Tensor) and s.dim() == 0
                                                and not s.is_floating_point())


def _is_dim(s):
    """Read as one dimension inside a size: ints (bools too), NumPy integers and 0-dim integer arrays,
    one-element integer tensors."""
    if isinstance(s, (int, np.integer)):
        return True
    if isinstance(s, np.ndarray):
        return s.ndim == 0 and s.dtype.kind in 'iub'
    return isinstance(s, Tensor) and s.numel() == 1 and not (s.is_floating_point() or s.is_complex())


def _type_name(x):
    return ('numpy.' if type(x).__module__ == 'numpy' else '') + type(x).__name__


def _size(size, name='zeros', pos=1):
    """The shape tuple from ``f(2, 3)`` or ``f((2, 3))``, checked with PyTorch's messages."""
    if len(size) == 1 and (isinstance(size[0], bool) or not _is_dim(size[0])):
        if not isinstance(size[0], (tuple, list)):
            raise TypeError(f"{name}(): argument 'size' (position {pos}) must be tuple of ints, "
                            f'not {_type_name(size[0])}')
        size = size[0]
    elif len(size) > 1 and isinstance(size[0], (tuple, list)):
        raise TypeError(f'{name}() takes 1 positional argument but {len(size)} were given')
    elif not size:
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    out = []
    for s in size:
        if not out and (isinstance(s, bool) or not _is_dim(s)):
            raise TypeError(f"{name}(): argument 'size' (position {pos}) must be tuple of ints, but found "
                            f'element of type {_type_name(s)} at pos 0')
        if not _is_dim(s):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos {len(out) + 1} "
                            f'with error "type must be tuple of ints,but got {type(s).__name__}"')
        out.append(int(s))
    for s in out:
        if s < 0:
            if name == 'zeros':
                raise RuntimeError('zeros: Dimension size must be non-negative.')
            raise RuntimeError(f'Trying to create tensor with negative dimension {s}: {out}')
    return tuple(out)


def _size_kw(name, args, size):
    """The ``size=`` keyword form (``zeros(size=(2, 3))``), with PyTorch's errors."""
    if args:
        raise TypeError(f"{name}() got multiple values for argument 'size'")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    return (size,)


def _into_out(out, name, dtype, requires_grad, make, fill=True):
    """A factory called with ``out=``: the result is made in out's dtype on out's device (``make(dtype,
    device)``) and written into ``out``, which takes the result's shape (fresh contiguous memory, no
    warning) when its own differs; ``fill`` False (``empty``) writes nothing into a same-shaped out."""
    from ._op import write_into
    from .._tensor import _scalar_name
    from ..autograd.grad_mode import is_grad_enabled
    if not isinstance(out, Tensor):
        from .argcheck import not_tensor_error
        raise not_tensor_error(name, out, 'out', None)
    if dtype is not None and _dtype.to_dtype(dtype) != out.dtype:
        raise RuntimeError(f'dtype {_scalar_name(_dtype.to_dtype(dtype))} does not match dtype of out '
                           f'parameter ({_scalar_name(out.dtype)})')
    if out._requires_grad and is_grad_enabled():
        if not fill:
            raise RuntimeError('cannot resize variables that require grad')
        raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support automatic "
                           'differentiation, but one of the arguments requires grad.')
    if requires_grad and not (out.dtype.is_floating_point or out.dtype.is_complex):
        raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
    data = make(out.dtype, out.device)._data
    if data.shape != out._data.shape:
        out._data = data
        out._vc[0] += 1
    elif fill:
        write_into(out, data)
    return _requiring(out) if requires_grad else out
