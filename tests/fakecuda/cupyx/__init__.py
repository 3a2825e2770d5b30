"""The stand-in's cupyx: only ``cupyx.scipy.special`` (SciPy's functions on device arrays)."""
from . import scipy  # noqa: F401
