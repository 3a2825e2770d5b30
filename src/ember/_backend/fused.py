"""What every fused CuPy kernel set shares: real CuPy only, built and self-checked once per
dtype, and on any failure (no compiler, a bad build, a wrong answer) None plus one warning, so
the caller keeps its generic array code."""
import warnings

import numpy as np


def acc(dtype):
    """The C type single values are computed in: double for float64 inputs, else float."""
    return 'double' if np.dtype(dtype) == np.float64 else 'float'


def build(what, dtype, make, check):
    """``make(cupy, dtype)`` the kernels, ``check(kernels, cupy, dtype)`` them (it raises on a
    wrong answer); the kernels, or None. Callers cache the answer per dtype."""
    dtype = np.dtype(dtype)
    try:
        import cupy
        if getattr(cupy, '_FAKE', False) or not hasattr(cupy, 'ElementwiseKernel'):
            return None                      # the test stand-in: it has no kernel compiler
        k = make(cupy, dtype)
        check(k, cupy, dtype)
        return k
    except Exception as e:  # noqa: BLE001 - any failure means: keep the generic path
        warnings.warn(f'ember: fused CUDA {what} kernels unavailable for {dtype.name} '
                      f'({e.__class__.__name__}: {e}); using the generic path', RuntimeWarning, stacklevel=4)
        return None
