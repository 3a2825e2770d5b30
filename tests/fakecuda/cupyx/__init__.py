"""The stand-in's cupyx: ``cupyx.scipy.special`` (SciPy's functions on device arrays) and
``empty_pinned`` (a NumPy array on the stand-in's page-locked memory)."""
import numpy as _np

from . import scipy  # noqa: F401


def empty_pinned(shape, dtype=float, order='C'):
    from cupy import cuda
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    nbytes = int(_np.prod(shape)) * _np.dtype(dtype).itemsize
    return _np.ndarray(shape, dtype=dtype, buffer=cuda.alloc_pinned_memory(nbytes), order=order)
