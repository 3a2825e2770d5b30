from cupy import _api, _array


def __getattr__(name):
    if name not in _api.SPECIAL:
        raise AttributeError(f"module 'cupyx.scipy.special' has no attribute '{name}'")
    import scipy.special
    f = getattr(scipy.special, name)
    return lambda *a, **k: _array.call(f, a, k)
