"""Streams, events, the device context and the GPU generator's state, on CuPy. Without a GPU
they answer as PyTorch's CPU-only build: ``Stream()``/``Event()`` refuse to be created,
``stream(None)`` and ``device(-1)`` are no-ops, and the rest raise "Torch not compiled with
CUDA enabled"."""
from .._backend import check_cuda, cuda_reason


def _available():
    return cuda_reason() is None


def _index(device):
    if device is None:
        return None
    if isinstance(device, int):
        return device
    from .._device import device as _dev
    d = _dev(device)
    return d.index if d.index is not None else 0


class Stream:
    """A CUDA stream (CuPy's); ``with ember.cuda.stream(s):`` makes it current."""

    def __init__(self, device=None, priority=0, **kwargs):
        if not _available():
            raise RuntimeError('torch.cuda.Stream requires CUDA support')
        import cupy
        self._stream = cupy.cuda.Stream(non_blocking=True)

    def synchronize(self):
        self._stream.synchronize()

    def query(self):
        return self._stream.done

    def wait_stream(self, other):
        self._stream.wait_event(other._stream.record())

    def record_event(self, event=None):
        event = event or Event()
        event.record(self)
        return event

    @property
    def cuda_stream(self):
        return self._stream.ptr

    def __eq__(self, other):
        return isinstance(other, Stream) and self._stream.ptr == other._stream.ptr

    def __hash__(self):
        return hash(self._stream.ptr)


class Event:
    """A CUDA event: ``record``, ``synchronize``, ``query``, ``elapsed_time`` (milliseconds)."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        if not _available():
            raise RuntimeError('Tried to instantiate dummy base class Event')
        import cupy
        self._event = cupy.cuda.Event(block=blocking, disable_timing=not enable_timing,
                                      interprocess=interprocess)

    def record(self, stream=None):
        self._event.record(None if stream is None else stream._stream)

    def synchronize(self):
        self._event.synchronize()

    def query(self):
        return self._event.done

    def elapsed_time(self, end_event):
        import cupy
        return cupy.cuda.get_elapsed_time(self._event, end_event._event)


class StreamContext:
    """Context manager making ``stream`` the current stream; ``StreamContext(None)`` does nothing."""
    __module__ = 'ember.cuda'

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        if self.stream is not None:
            self.stream._stream.__enter__()
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            self.stream._stream.__exit__(*exc)
        return False


def stream(stream):
    """``with ember.cuda.stream(s):`` runs the block on stream ``s`` (None: on the current one)."""
    return StreamContext(stream)


def current_stream(device=None):
    check_cuda()
    import cupy
    s = Stream.__new__(Stream)
    s._stream = cupy.cuda.get_current_stream()
    return s


def default_stream(device=None):
    check_cuda()
    import cupy
    s = Stream.__new__(Stream)
    s._stream = cupy.cuda.Stream.null
    return s


class device:
    """Context manager selecting a GPU; a negative or None index does nothing."""

    def __init__(self, device):
        self.idx = _index(device)
        self.prev = None

    def __enter__(self):
        if self.idx is None or self.idx < 0:
            return self
        if not _available():
            raise RuntimeError('PyTorch was compiled without CUDA support')
        import cupy
        self.prev = cupy.cuda.runtime.getDevice()
        cupy.cuda.runtime.setDevice(self.idx)
        return self

    def __exit__(self, *exc):
        if self.prev is not None:
            import cupy
            cupy.cuda.runtime.setDevice(self.prev)
        return False


def _generator(device):
    """The default generator of GPU ``device`` ('cuda' or None: the current GPU)."""
    check_cuda()
    from ..ops.random import cuda_generator
    from .._device import device as _dev
    idx = device if isinstance(device, int) else None if device is None else _dev(device).index
    if idx is None:
        from . import current_device
        idx = current_device()
    return cuda_generator(idx)


def get_rng_state(device='cuda'):
    """The GPU generator's state: a uint8 CPU tensor of its seed and offset (16 bytes, as PyTorch's).

    ember's CUDA generators reseed cuRAND with a hash of (seed, offset) at each draw, so these two
    numbers are the whole state and ``set_rng_state`` replays the stream exactly from there."""
    return _generator(device).get_state()


def set_rng_state(new_state, device='cuda'):
    _generator(device).set_state(new_state)


def get_rng_state_all():
    """One state per visible GPU ([] without one, as PyTorch's CPU build)."""
    from . import device_count
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states):
    for i, s in enumerate(new_states):
        set_rng_state(s, i)


def get_device_properties(device=None):
    """CuPy's property dict for the device, with PyTorch's attribute names for the usual ones."""
    check_cuda()
    import types
    import cupy
    from . import current_device
    idx = _index(device)
    props = cupy.cuda.runtime.getDeviceProperties(current_device() if idx is None else idx)
    name = props['name'].decode() if isinstance(props['name'], bytes) else props['name']
    return types.SimpleNamespace(name=name, major=props['major'], minor=props['minor'],
                                 total_memory=props['totalGlobalMem'],
                                 multi_processor_count=props['multiProcessorCount'])
