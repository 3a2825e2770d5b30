"""``ember.mtia``: Meta's accelerators, which ember has no back end for (as a PyTorch build without)."""
from ._absent_device import fill
from .ops.other_devices import MTIA


def _no(what):
    return (RuntimeError, f'Cannot execute {what}() without MTIA backend.')


_ASSERT = (AssertionError, MTIA)
fill(globals(),
     returns={'is_available': False, 'device_count': 0, 'is_initialized': False, 'manual_seed': None,
              'manual_seed_all': None, 'seed': None, 'seed_all': None, 'memory_allocated': 0,
              'max_memory_allocated': 0, 'reset_peak_memory_stats': None, 'is_bf16_supported': True,
              'memory_stats': {}},
     raises={'current_device': _no('getCurrentDevice'), 'synchronize': _no('getCurrentDevice'),
             'get_device_properties': _no('getCurrentDevice'), 'get_device_capability': _no('getCurrentDevice'),
             'current_stream': _no('getCurrentDevice'), 'default_stream': _no('getCurrentDevice'),
             'set_rng_state': _no('getCurrentDevice'), 'empty_cache': _no('emptyCache'),
             'set_device': _no('setCurrentDevice'), 'get_rng_state': _ASSERT,
             'init': _ASSERT, 'initial_seed': _ASSERT},
     enter_error=_no('maybeExchangeDevice'))
