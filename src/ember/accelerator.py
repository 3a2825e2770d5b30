"""ember.accelerator: the device-neutral way recent PyTorch tutorials pick a device
(``torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"``).
ember's one accelerator kind is CUDA (CuPy); without it, as in PyTorch's CPU build, there is none."""
import contextlib

from . import cuda as _cuda

__all__ = ['is_available', 'current_accelerator', 'device_count', 'current_device_index', 'current_device_idx',
           'set_device_index', 'set_device_idx', 'device_index', 'synchronize', 'current_stream', 'set_stream',
           'empty_cache', 'memory_allocated', 'max_memory_allocated', 'memory_reserved', 'max_memory_reserved',
           'reset_peak_memory_stats', 'memory_stats']

_NONE = 'Cannot access accelerator device when none is available.'


def is_available():
    return _cuda.is_available()


def current_accelerator(check_available=False):
    """``device(type='cuda')`` when a GPU is usable, else None."""
    from ._device import device
    return device('cuda') if _cuda.is_available() else None


def device_count():
    return _cuda.device_count()


def _need():
    if not _cuda.is_available():
        raise RuntimeError(_NONE)


def current_device_index():
    _need()
    return _cuda.current_device()


def set_device_index(device):
    _need()
    _cuda.set_device(device)


current_device_idx, set_device_idx = current_device_index, set_device_index


@contextlib.contextmanager
def device_index(device):
    """Make GPU ``device`` current inside the block (None: change nothing)."""
    if device is None:
        yield
        return
    _need()
    with _cuda.device(device):
        yield


def synchronize(device=None):
    _need()
    _cuda.synchronize(device)


def current_stream(device=None):
    _need()
    return _cuda.current_stream(device)


def set_stream(stream):
    _need()
    _cuda.set_stream(stream) if hasattr(_cuda, 'set_stream') else None


def empty_cache():
    if _cuda.is_available():
        _cuda.empty_cache()


def memory_allocated(device_index=None):
    return _cuda.memory_allocated(device_index) if _cuda.is_available() else 0


def max_memory_allocated(device_index=None):
    return _cuda.max_memory_allocated(device_index) if _cuda.is_available() else 0


def memory_reserved(device_index=None):
    return _cuda.memory_reserved(device_index) if _cuda.is_available() else 0


def max_memory_reserved(device_index=None):
    return _cuda.max_memory_reserved(device_index) if _cuda.is_available() else 0


def reset_peak_memory_stats(device_index=None):
    if _cuda.is_available():
        _cuda.reset_peak_memory_stats(device_index)


def memory_stats(device_index=None):
    return _cuda.memory_stats(device_index)
