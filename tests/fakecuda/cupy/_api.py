"""The names CuPy 14.2 defines (read from its namespaces into ../cupy_api.json)."""
import json
import os

with open(os.path.join(os.path.dirname(__file__), '..', 'cupy_api.json')) as _f:
    _API = json.load(_f)

TOP = frozenset(_API['cupy'])
LINALG = frozenset(_API['cupy.linalg'])
FFT = frozenset(_API['cupy.fft'])
RANDOM = frozenset(_API['cupy.random'])
STRIDE_TRICKS = frozenset(_API['cupy.lib.stride_tricks'])
SPECIAL = frozenset(_API['cupyx.scipy.special'])
NDARRAY = frozenset(_API['ndarray'])
UFUNCS = frozenset(_API['ufuncs'])
