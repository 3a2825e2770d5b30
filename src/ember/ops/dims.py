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
        raise TypeError(f'dim must be an int, got {type(dim).__name__}')
    return d
