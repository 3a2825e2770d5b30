"""ember.cuda: the CUDA device (CuPy). Without CuPy or a GPU everything here answers as
PyTorch's CPU-only build does: ``is_available()`` is False, ``device_count()`` is 0, the
functions that need a device raise "Torch not compiled with CUDA enabled", and the
bookkeeping ones (seeding, memory counters, empty_cache) are harmless no-ops."""
from .._backend import cuda_reason as _reason, check_cuda


def is_available():
    """True when CuPy imports and sees at least one GPU (never raises)."""
    return _reason() is None


def device_count():
    """Number of visible GPUs (CUDA_VISIBLE_DEVICES applies); 0 without CuPy."""
    if not is_available():
        return 0
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def is_initialized():
    return is_available()


def _cupy():
    check_cuda()
    import cupy
    return cupy


def current_device():
    return _cupy().cuda.runtime.getDevice()


def set_device(device):
    from .._device import device as _dev
    d = device if isinstance(device, int) else _dev(device).index or 0
    if d >= 0:
        _cupy().cuda.runtime.setDevice(d)


def get_device_name(device=None):
    cp = _cupy()
    idx = device if isinstance(device, int) else (current_device() if device is None else device.index or 0)
    name = cp.cuda.runtime.getDeviceProperties(idx)['name']
    return name.decode() if isinstance(name, bytes) else name


def get_device_capability(device=None):
    cp = _cupy()
    idx = device if isinstance(device, int) else (current_device() if device is None else device.index or 0)
    props = cp.cuda.runtime.getDeviceProperties(idx)
    return props['major'], props['minor']


def is_bf16_supported(including_emulation=True):
    """bfloat16 on the current GPU: native from compute capability 8.0 (Ampere) on; older GPUs
    emulate it (CuPy computes bfloat16 through float32) when ``including_emulation``."""
    if not is_available():
        return False
    return get_device_capability()[0] >= 8 or bool(including_emulation)


def synchronize(device=None):
    _cupy().cuda.runtime.deviceSynchronize()


def manual_seed(seed):
    """Seeds the current GPU's generator; a no-op without a GPU (as in PyTorch)."""
    if is_available():
        from ..ops.random import cuda_generator
        cuda_generator(current_device()).manual_seed(seed)


def manual_seed_all(seed):
    """Seeds every GPU's generator (GPUs not used yet start from this seed; no GPU needed)."""
    from ..ops.random import cuda_manual_seed_all
    cuda_manual_seed_all(seed)


def seed():
    """Seeds the current GPU's generator from a random number."""
    if is_available():
        from ..ops.random import cuda_generator
        cuda_generator(current_device()).seed()


def seed_all():
    import numpy as np
    manual_seed_all(int(np.random.SeedSequence().entropy) & ((1 << 63) - 1))


def initial_seed():
    from ..ops.random import cuda_generator
    return cuda_generator(current_device()).initial_seed()


def memory_allocated(device=None):
    if not is_available():
        return 0
    import cupy
    return cupy.get_default_memory_pool().used_bytes()


def max_memory_allocated(device=None):
    if not is_available():
        return 0
    import cupy
    return cupy.get_default_memory_pool().total_bytes()


def memory_reserved(device=None):
    return max_memory_allocated(device)


def empty_cache():
    if is_available():
        import cupy
        cupy.get_default_memory_pool().free_all_blocks()


def max_memory_reserved(device=None):
    return memory_reserved(device)


def reset_peak_memory_stats(device=None):
    """CuPy's pool keeps no peak of its own: nothing to reset."""


def memory_stats(device=None):
    """PyTorch's counters where CuPy's pool has them (empty without a GPU, as PyTorch's CPU build)."""
    import collections
    if not is_available():
        return collections.OrderedDict()
    return collections.OrderedDict([('allocated_bytes.all.current', memory_allocated()),
                                    ('reserved_bytes.all.current', memory_reserved())])


from .streams import (Stream, Event, stream, current_stream, default_stream, device,  # noqa: E402,F401
                      get_rng_state, set_rng_state, get_rng_state_all, set_rng_state_all,
                      get_device_properties)
from ..amp import cuda_amp as amp  # noqa: E402,F401  (ember.cuda.amp: the deprecated aliases)
from ..ops.legacy import CUDA_LEGACY as _CUDA_LEGACY  # noqa: E402
globals().update(_CUDA_LEGACY)      # ember.cuda.FloatTensor, ...: the legacy CUDA tensor types
from ..ops._devices import OutOfMemoryError  # noqa: E402,F401  (also ember.OutOfMemoryError)
