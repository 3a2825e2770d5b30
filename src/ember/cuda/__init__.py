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


from .streams import (Stream, Event, stream, current_stream, default_stream, device,  # noqa: E402,F401
                      get_rng_state, set_rng_state, get_rng_state_all, set_rng_state_all,
                      get_device_properties)
from ..amp import cuda_amp as amp  # noqa: E402,F401  (ember.cuda.amp: the deprecated aliases)
from ..ops.legacy import CUDA_LEGACY as _CUDA_LEGACY  # noqa: E402
globals().update(_CUDA_LEGACY)      # ember.cuda.FloatTensor, ...: the legacy CUDA tensor types
from ..ops._devices import OutOfMemoryError  # noqa: E402,F401  (also ember.OutOfMemoryError)
from .memory import (memory_allocated, max_memory_allocated, memory_reserved, max_memory_reserved,  # noqa: E402,F401
                     memory_cached, max_memory_cached, empty_cache, reset_peak_memory_stats,
                     reset_accumulated_memory_stats, reset_max_memory_allocated, reset_max_memory_cached,
                     reset_peak_host_memory_stats, memory_stats, memory_stats_as_nested_dict, host_memory_stats,
                     memory_summary, mem_get_info, set_per_process_memory_fraction,
                     get_per_process_memory_fraction, list_gpu_processes, utilization)
from . import memory, random, nvtx, graphs  # noqa: E402,F401  (PyTorch's submodule paths)
from .graphs import (CUDAGraph, graph, make_graphed_callables, is_current_stream_capturing,  # noqa: E402,F401
                     graph_pool_handle)


def init():
    """Initialises CUDA (CuPy does so on first use); raises without a GPU, as PyTorch's CPU build."""
    check_cuda()


def ipc_collect():
    """Frees memory other processes no longer share (CuPy keeps no such IPC cache: a no-op)."""
    check_cuda()


def get_arch_list():
    """The GPU architectures kernels are built for: CuPy compiles for the device at hand, so this is
    the current device's ``sm_XY`` ([] without a GPU, as PyTorch's CPU build)."""
    if not is_available():
        return []
    major, minor = get_device_capability()
    return [f'sm_{major}{minor}']


def get_gencode_flags():
    return ' '.join(f'-gencode compute=compute_{a[3:]},code={a}' for a in get_arch_list())


def set_stream(stream):
    """Makes ``stream`` the current stream (None: does nothing)."""
    if stream is None:
        return
    stream._stream.use()


class device_of(device):
    """``device`` context of a tensor's GPU (a CPU tensor: a no-op context)."""

    def __init__(self, obj):
        super().__init__(obj.device.index or 0 if obj.is_cuda else -1)


def __getattr__(name):
    if name == 'default_generators':      # one generator per visible GPU (() without one)
        from ..ops.random import cuda_generator
        return tuple(cuda_generator(i) for i in range(device_count()))
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
