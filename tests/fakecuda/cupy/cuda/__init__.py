"""``cupy.cuda`` of the stand-in: devices, runtime queries, streams, events, memory pools."""
import time

from . import _state
from ._state import CUDARuntimeError  # noqa: F401
from . import runtime  # noqa: F401


class Device:
    def __init__(self, device=None):
        self.id = _state.current() if device is None else int(device)
        self._prev = []

    def __enter__(self):
        self._prev.append(_state.current())
        _state.set_current(self.id)
        return self

    def __exit__(self, *exc):
        _state._current[0] = self._prev.pop()

    def use(self):
        _state.set_current(self.id)

    def synchronize(self):
        pass

    @property
    def compute_capability(self):
        return '90'

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f'<CUDA Device {self.id}>'


class Stream:
    _current = None

    def __init__(self, null=False, non_blocking=False, ptr=None):
        self.ptr = 0 if null else id(self)
        self.device_id = _state.current()

    def synchronize(self):
        pass

    def use(self):
        Stream._current = self
        return self

    def __enter__(self):
        self._prev = Stream._current
        Stream._current = self
        return self

    def __exit__(self, *exc):
        Stream._current = self._prev

    def record(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    def wait_event(self, event):
        pass

    @property
    def done(self):
        return True

    def __eq__(self, other):
        return isinstance(other, Stream) and other.ptr == self.ptr

    def __hash__(self):
        return hash(self.ptr)


Stream.null = Stream(null=True)


def get_current_stream(device_id=None):
    return Stream._current or Stream.null


class Event:
    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self.ptr = id(self)
        self._t = None

    def record(self, stream=None):
        self._t = time.perf_counter()

    def synchronize(self):
        pass

    def query(self):
        return True

    @property
    def done(self):
        return True


def get_elapsed_time(start, end):
    return (end._t - start._t) * 1000.0


class MemoryPool:
    def used_bytes(self):
        return _state.used_bytes()

    def total_bytes(self):
        return _state.used_bytes()

    def free_bytes(self):
        return 0

    def free_all_blocks(self, stream=None):
        pass

    def n_free_blocks(self):
        return 0


class PinnedMemoryPool(MemoryPool):
    pass


_POOL = MemoryPool()
_PINNED = PinnedMemoryPool()


def is_available():
    return _state.count() > 0


class PinnedMemoryPointer(bytearray):
    """Page-locked host memory (here: ordinary memory); NumPy arrays view it through the buffer
    protocol, as on real CuPy (``numpy.ndarray(shape, dtype, buffer=mem)``)."""


def alloc_pinned_memory(size):
    return PinnedMemoryPointer(int(size))


def MemoryPointer(mem, offset):
    """A pointer ``offset`` bytes into allocation ``mem`` (``arr.data.mem``), as CuPy's."""
    from .._array import AllocationPointer
    return AllocationPointer(mem, offset)
