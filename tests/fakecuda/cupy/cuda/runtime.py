"""``cupy.cuda.runtime`` of the stand-in (device count honours CUDA_VISIBLE_DEVICES)."""
from ._state import CUDARuntimeError  # noqa: F401
from . import _state

is_hip = False


def getDeviceCount():
    n = _state.count()
    if n == 0:
        raise CUDARuntimeError('cudaErrorNoDevice: no CUDA-capable device is detected')
    return n


def getDevice():
    return _state.current()


def setDevice(i):
    _state.set_current(int(i))


def deviceSynchronize():
    pass


def getDeviceProperties(i):
    if not 0 <= i < _state.count():
        raise CUDARuntimeError('cudaErrorInvalidDevice: invalid device ordinal')
    return {'name': b'CuPy stand-in (NumPy on the host)', 'totalGlobalMem': 80 * 2 ** 30,
            'major': 9, 'minor': 0, 'multiProcessorCount': 132, 'warpSize': 32,
            'uuid': bytes(16), 'pciBusID': i, 'l2CacheSize': 50 * 2 ** 20}


def memGetInfo():
    return (80 * 2 ** 30 - _state.used_bytes(), 80 * 2 ** 30)


def runtimeGetVersion():
    return 13000


def driverGetVersion():
    return 13000
