"""ember.cpu: the CPU as a device module, shaped like ember.cuda (as torch.cpu is): it is always
available, there is one of it, its streams and events are trivial (CPU work is synchronous), and
``ember.cpu.amp`` holds the deprecated spellings of ``ember.amp.autocast('cpu')``/``GradScaler('cpu')``."""
import contextlib
import importlib.machinery
import sys
import types
import warnings

__all__ = ['is_available', 'is_initialized', 'device_count', 'current_device', 'set_device', 'synchronize',
           'current_stream', 'stream', 'Stream', 'Event', 'StreamContext', 'amp']


def is_available():
    return True


def is_initialized():
    return True


def device_count():
    return 1


def current_device():
    return 'cpu'


def set_device(device):
    """Nothing to choose: there is one CPU device."""


def synchronize(device=None):
    """CPU work is finished when the call returns: nothing to wait for."""


class Stream:
    """The CPU's one (synchronous) stream."""

    def __init__(self, priority=-1):
        self.priority = priority

    def wait_stream(self, stream):
        pass

    def synchronize(self):
        pass

    def query(self):
        return True


class Event:
    """A CPU event: recorded work is already done."""

    def __init__(self, enable_timing=False):
        self.enable_timing = enable_timing

    def record(self, stream=None):
        pass

    def wait(self, stream=None):
        pass

    def query(self):
        return True

    def synchronize(self):
        pass


_default_stream = Stream()


def current_stream(device=None):
    return _default_stream


@contextlib.contextmanager
def stream(stream):
    yield


StreamContext = stream


def _make_amp():
    from ..amp import autocast_mode, grad_scaler
    from .. import _dtype

    class autocast(autocast_mode.autocast):                  # noqa: N801 - PyTorch's name
        """``ember.cpu.amp.autocast(...)``: deprecated spelling of ``ember.amp.autocast('cpu', ...)``."""

        def __init__(self, enabled=True, dtype=_dtype.bfloat16, cache_enabled=True):
            warnings.warn("`ember.cpu.amp.autocast(args...)` is deprecated. Please use `ember.amp.autocast('cpu', "
                          "args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__('cpu', enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)

    GradScaler = grad_scaler.legacy_scaler('cpu')
    autocast.__module__, autocast.__qualname__ = 'ember.cpu.amp', 'autocast'
    mod = types.ModuleType('ember.cpu.amp', 'Deprecated CPU spellings of ember.amp (as torch.cpu.amp).')
    mod.autocast, mod.GradScaler = autocast, GradScaler
    mod.__all__ = ['autocast', 'GradScaler']
    mod.__package__, mod.__spec__ = 'ember.cpu', importlib.machinery.ModuleSpec(mod.__name__, None)
    sys.modules[mod.__name__] = mod            # so `import ember.cpu.amp` finds it
    return mod


amp = _make_amp()
