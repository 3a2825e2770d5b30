"""A dim argument: PyTorch's range check and wrapping, and an int given as a NumPy integer or an
integer tensor, which PyTorch's argument parser reads as the int."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor


def int_arg(v, item=False):
    """``v``, given where PyTorch parses an int but not as a Python int, read as its parser reads it: a
    NumPy integer, or an integer tensor without grad, 0-dim (``item``: as an item of an int list, one
    element, bool included); None when it is none of these."""
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, Tensor) and not v.requires_grad and not (v.is_floating_point() or v.is_complex()):
        if (v.numel() == 1 and (item or v.ndim == 0 and v.dtype is not _dtype.bool_)):
            return int(v.item())
    return None


def wrap_dim(dim, ndim):
    lo, hi = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not isinstance(dim, int):
        dim = _int_dim(dim)
    if not lo <= dim <= hi:
        raise IndexError(f'Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})')
    return dim % ndim if ndim else 0


def _int_dim(dim):
    d = int_arg(dim)
    if d is None:
        from .dim_errors import dim_error
        raise dim_error(dim)
    return d


def dim_type_error(fname, dim, frame):
    """PyTorch's TypeError for a ``dim`` of op ``fname`` that is no int, as the call in ``frame``
    gave it: by keyword (no position) or as the last positional argument (read on the error path
    only; position 1 where the call cannot be read)."""
    from .argcheck import call_form, type_name
    from .dim_errors import parser_error
    err = parser_error(dim)
    if err is not None:
        return err
    form = call_form(frame)
    at = ' (position 1)' if form is None else '' if 'dim' in form[1] else f' (position {form[0]})'
    return TypeError(f"{fname}(): argument 'dim'{at} must be int, not {type_name(dim)}")


def user_frame(depth):
    """The frame ``depth`` calls above the caller, past the methods' thin wrapper for axis=."""
    import sys
    frame = sys._getframe(depth + 1)
    if getattr(frame.f_code, 'co_qualname', '') == 'accept_axis.<locals>.op':
        frame = frame.f_back                    # (the methods' thin wrapper for axis=: its caller)
    return frame


def bad_dim(fname, dim):
    """In an ``except TypeError`` around op ``fname``: PyTorch's parser error when ``dim`` is no int
    (nor read as one), else re-raise the error being handled. Always raises."""
    if isinstance(dim, int) or int_arg(dim) is not None:
        raise                                    # noqa: PLE0704 (the caller's error)
    raise dim_type_error(fname, dim, user_frame(2)) from None


def squeeze_item_dim(input, dim):
    """The int of squeeze's tensor ``dim`` that is no 0-dim integer tensor: only the method given it
    by position reads a one-element tensor (bool included) as the item of its int list; otherwise
    PyTorch's parser refuses it. In an ``except TypeError``: re-raises it for other dims."""
    if not isinstance(dim, Tensor):
        raise                                    # noqa: PLE0704 (the caller's error)
    from .argcheck import call_form, invalid_call
    frame = user_frame(2)
    form = call_form(frame)
    d = int_arg(dim, item=True)
    if d is not None and form is not None and form[0] == 1 and not form[1]:
        return d
    raise invalid_call('squeeze', frame, ('input', 'dim'), (input, dim), 2, None)
