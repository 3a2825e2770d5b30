"""``torch.cuda.memory``: the GPU memory counters, on CuPy's default memory pool.

Without CuPy or a GPU they answer as PyTorch's CPU-only build: the counters read 0, the stats
are empty, and the calls that need a device raise "Torch not compiled with CUDA enabled".
CuPy's pool tracks the bytes in use and the bytes it holds, not peaks or allocation counts, so
the "max" counters report what the pool holds (a bound on the peak) and resetting them does
nothing."""
import collections
import warnings

from .._backend import check_cuda, cuda_reason

__all__ = ['empty_cache', 'memory_stats', 'memory_stats_as_nested_dict', 'reset_accumulated_memory_stats',
           'reset_peak_memory_stats', 'reset_max_memory_allocated', 'reset_max_memory_cached',
           'host_memory_stats', 'reset_peak_host_memory_stats', 'memory_allocated', 'max_memory_allocated',
           'memory_reserved', 'max_memory_reserved', 'memory_cached', 'max_memory_cached', 'memory_summary',
           'list_gpu_processes', 'mem_get_info', 'set_per_process_memory_fraction',
           'get_per_process_memory_fraction']

_fraction = {}


def _pool():
    if cuda_reason() is not None:
        return None
    import cupy
    return cupy.get_default_memory_pool()


def memory_allocated(device=None):
    """Bytes held by tensors (CuPy's pool: bytes in use)."""
    pool = _pool()
    return 0 if pool is None else pool.used_bytes()


def max_memory_allocated(device=None):
    pool = _pool()
    return 0 if pool is None else pool.total_bytes()


def memory_reserved(device=None):
    """Bytes the caching allocator holds (CuPy's pool: in use + cached)."""
    return max_memory_allocated(device)


def max_memory_reserved(device=None):
    return memory_reserved(device)


def memory_cached(device=None):
    warnings.warn('`torch.cuda.memory_cached` has been renamed to `torch.cuda.memory_reserved`',
                  FutureWarning, stacklevel=2)
    return memory_reserved(device)


def max_memory_cached(device=None):
    warnings.warn('`torch.cuda.max_memory_cached` has been renamed to `torch.cuda.max_memory_reserved`',
                  FutureWarning, stacklevel=2)
    return max_memory_reserved(device)


def empty_cache():
    """Returns the pool's cached, unused blocks to the GPU."""
    pool = _pool()
    if pool is not None:
        pool.free_all_blocks()


def reset_peak_memory_stats(device=None):
    """CuPy's pool keeps no peak of its own: nothing to reset."""


def reset_accumulated_memory_stats(device=None):
    """CuPy's pool keeps no totals of its own: nothing to reset."""


def reset_peak_host_memory_stats():
    """No pinned-memory peaks are kept: nothing to reset."""


def reset_max_memory_allocated(device=None):
    warnings.warn('torch.cuda.reset_max_memory_allocated now calls torch.cuda.reset_peak_memory_stats, '
                  'which resets /all/ peak memory stats.', FutureWarning, stacklevel=2)
    return reset_peak_memory_stats(device)


def reset_max_memory_cached(device=None):
    warnings.warn('torch.cuda.reset_max_memory_cached now calls torch.cuda.reset_peak_memory_stats, '
                  'which resets /all/ peak memory stats.', FutureWarning, stacklevel=2)
    return reset_peak_memory_stats(device)


def memory_stats(device=None):
    """PyTorch's counters where CuPy's pool has them (empty without a GPU, as PyTorch's CPU build)."""
    if _pool() is None:
        return collections.OrderedDict()
    return collections.OrderedDict([('allocated_bytes.all.current', memory_allocated()),
                                    ('allocated_bytes.all.peak', max_memory_allocated()),
                                    ('reserved_bytes.all.current', memory_reserved()),
                                    ('reserved_bytes.all.peak', max_memory_reserved())])


def memory_stats_as_nested_dict(device=None):
    nested = {}
    for key, value in memory_stats(device).items():
        *path, last = key.split('.')
        d = nested
        for p in path:
            d = d.setdefault(p, {})
        d[last] = value
    return nested


def host_memory_stats():
    return collections.OrderedDict()


def _format_size(sz, pref_sz):
    prefix = 'B  '
    for new_prefix in ('KiB', 'MiB', 'GiB', 'TiB', 'PiB'):
        if pref_sz < 768 * 1024:
            break
        prefix, sz, pref_sz = new_prefix, sz // 1024, pref_sz / 1024
    return f'{sz:6d} {prefix}'


def memory_summary(device=None, abbreviated=False):
    """PyTorch's memory table, with the rows CuPy's pool can fill (allocated and reserved bytes).
    Without a GPU the stats are empty and, as in PyTorch's CPU build, this raises KeyError."""
    stats = memory_stats(device)
    rows = [('allocated_bytes', 'Allocated memory'), ('reserved_bytes', 'GPU reserved memory')]
    cur = [stats[f'{key}.all.current'] for key, _ in rows]     # KeyError without a GPU, as PyTorch
    from . import current_device
    dev = current_device() if device is None else getattr(device, 'index', device) or 0
    lines = ['=' * 75, f' {"":16} PyTorch CUDA memory summary, device ID {dev:<17d} ', '-' * 75,
             f'  {"":9} CUDA OOMs: {0:<12d} | {"":6} cudaMalloc retries: {0:<8d}  ', '=' * 75,
             '        Metric         | Cur Usage  | Peak Usage | Tot Alloc  | Tot Freed  ']
    for (key, name), current in zip(rows, cur):
        peak = stats[f'{key}.all.peak']
        lines += ['-' * 75, f' {name:<21} | {_format_size(current, current)} | {_format_size(peak, peak)} | '
                            f'{"n/a":>10} | {"n/a":>10} ']
    lines.append('=' * 75)
    return '|' + '|\n|'.join(lines) + '|\n'


def mem_get_info(device=None):
    """(free, total) bytes of the GPU, as the CUDA driver reports them."""
    check_cuda()
    import cupy
    return cupy.cuda.runtime.memGetInfo()


def set_per_process_memory_fraction(fraction, device=None):
    """Caps CuPy's pool at ``fraction`` of the GPU's memory."""
    check_cuda()
    if not isinstance(fraction, float):
        raise TypeError('Invalid type for fraction argument, must be `float`')
    if fraction < 0 or fraction > 1:
        raise ValueError(f'Invalid fraction value: {fraction}. Allowed range: 0~1')
    import cupy
    from . import current_device
    idx = current_device() if device is None else getattr(device, 'index', device) or 0
    _fraction[idx] = fraction
    cupy.get_default_memory_pool().set_limit(fraction=fraction)


def get_per_process_memory_fraction(device=None):
    check_cuda()
    from . import current_device
    idx = current_device() if device is None else getattr(device, 'index', device) or 0
    return _fraction.get(idx, 1.0)


def _nvml():
    try:
        import pynvml
    except ModuleNotFoundError:
        return None
    pynvml.nvmlInit()
    return pynvml


def _handle(nvml, device):
    from . import current_device
    idx = current_device() if device is None else getattr(device, 'index', device) or 0
    return idx, nvml.nvmlDeviceGetHandleByIndex(idx)


def list_gpu_processes(device=None):
    """The processes using the GPU and their memory (needs nvidia-ml-py, as in PyTorch)."""
    nvml = _nvml()
    if nvml is None:
        return 'pynvml module not found, please install nvidia-ml-py'
    check_cuda()
    idx, handle = _handle(nvml, device)
    procs = nvml.nvmlDeviceGetComputeRunningProcesses(handle)
    lines = [f'GPU:{idx}']
    if len(procs) == 0:
        lines.append('no processes are running')
    for p in procs:
        lines.append(f'process {p.pid:>10d} uses {p.usedGpuMemory / (1024 * 1024):>12.3f} MB GPU memory')
    return '\n'.join(lines)


def utilization(device=None):
    """Percent of time over the last sample period the GPU was busy (needs nvidia-ml-py)."""
    nvml = _nvml()
    if nvml is None:
        raise ModuleNotFoundError("nvidia-ml-py does not seem to be installed or it can't be imported.")
    check_cuda()
    return nvml.nvmlDeviceGetUtilizationRates(_handle(nvml, device)[1]).gpu
