"""A strict stand-in for CuPy 14 that runs on the CPU, so that ember's CUDA code paths can be
tested on machines without a GPU (``EMBER_TEST_DEVICE=cuda``, see tests/conftest.py).

Arrays are NumPy arrays behind a wall (see ``_array``): CuPy's rules about host arrays,
implicit conversion, dispatch and devices are enforced, and only names CuPy 14.2 has exist
(``cupy_api.json``). Custom kernels, cuDNN, NCCL and DLPack export are not emulated; those are
tested on a real GPU only. Nothing here is part of ember.
"""
import numpy as _np

from . import cuda, _namespaces, _api
from ._array import ndarray  # noqa: F401
from ._ufunc import ufunc  # noqa: F401
from . import random, linalg, fft, lib  # noqa: F401

__version__ = '14.2.0'
_FAKE = True


def asnumpy(a, stream=None, order='C', out=None, blocking=True):
    if isinstance(a, ndarray):
        return a.get(out=out)
    return _np.asarray(a, order=order)


def get_array_module(*args):
    return __import__('cupy') if any(isinstance(a, ndarray) for a in args) else _np


def get_default_memory_pool():
    return cuda._POOL


def get_default_pinned_memory_pool():
    return cuda._PINNED


def is_available():
    return cuda.is_available()


def __getattr__(name):
    return _namespaces.attr(_np, _api.TOP, name)
