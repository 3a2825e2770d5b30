import numpy as _np

from . import _api, _namespaces


def __getattr__(name):
    return _namespaces.attr(_np.linalg, _api.LINALG, name)
