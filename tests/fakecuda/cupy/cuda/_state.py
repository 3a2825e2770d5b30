"""Which fake device is current, how many there are, and the bytes the arrays hold."""
import os
import weakref

_current = [0]
_live = weakref.WeakValueDictionary()
owners = weakref.WeakValueDictionary()    # id(numpy buffer) -> the device array that owns it


class CUDARuntimeError(RuntimeError):
    pass


def physical_count():
    return int(os.environ.get('EMBER_FAKE_CUDA_DEVICES', '2'))


def count():
    n = physical_count()
    vis = os.environ.get('CUDA_VISIBLE_DEVICES')
    if vis is None:
        return n
    seen = 0
    for part in vis.split(','):
        part = part.strip()
        if not part.isdigit() or int(part) >= n:
            break
        seen += 1
    return seen


def current():
    return _current[0]


def set_current(i):
    if not 0 <= i < count():
        raise CUDARuntimeError('cudaErrorInvalidDevice: invalid device ordinal')
    _current[0] = i


def check_device(dev):
    if dev != _current[0]:
        raise ValueError(f'Array device must be same as the current device: array device = {dev} '
                         f'while current = {_current[0]}')


def track(a):
    from .._array import _root
    root = _root(a)
    _live[id(root)] = root


def used_bytes():
    return sum(r.nbytes for r in list(_live.values()))
