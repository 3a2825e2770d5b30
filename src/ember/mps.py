"""``ember.mps``: Apple's Metal GPUs, which ember has no back end for (as PyTorch off macOS)."""
from ._absent_device import fill


def _no(what):
    return (RuntimeError, f'Cannot execute {what}() without MPS backend.')


fill(globals(),
     returns={'is_available': False, 'device_count': 0, 'manual_seed': None},
     raises={'synchronize': _no('deviceSynchronize'), 'empty_cache': _no('emptyCache'),
             'seed': _no('getDefaultGenerator'), 'get_rng_state': _no('getDefaultGenerator'),
             'set_rng_state': _no('getDefaultGenerator'),
             'current_allocated_memory': _no('getCurrentAllocatedMemory'),
             'driver_allocated_memory': _no('getDriverAllocatedMemory'),
             'recommended_max_memory': _no('getRecommendedMaxMemory'),
             'set_per_process_memory_fraction': _no('setMemoryFraction')})
