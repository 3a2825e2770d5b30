"""``ember.xpu``: Intel GPUs, which ember has no back end for (as a PyTorch build without XPU)."""
from ._absent_device import fill
from .ops.other_devices import XPU

_NO = (AssertionError, XPU)
fill(globals(),
     returns={'is_available': False, 'device_count': 0, 'is_initialized': False, 'empty_cache': None,
              'manual_seed': None, 'manual_seed_all': None, 'seed': None, 'seed_all': None, 'memory_allocated': 0,
              'max_memory_allocated': 0, 'memory_reserved': 0, 'max_memory_reserved': 0, 'is_bf16_supported': False,
              'is_tf32_supported': False, 'get_arch_list': [], 'get_gencode_flags': '', 'set_rng_state': None,
              'get_rng_state_all': [], 'set_rng_state_all': None},
     raises={n: _NO for n in ('current_device', 'synchronize', 'get_rng_state', 'init', 'set_device',
                              'get_device_name', 'get_device_properties', 'initial_seed', 'get_device_capability',
                              'mem_get_info', 'current_stream', 'set_per_process_memory_fraction')},
     enter_error=(NotImplementedError, 'PyTorch was compiled without XPU support'))
