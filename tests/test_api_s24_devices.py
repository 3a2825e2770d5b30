"""ember.xpu / ember.mps / ember.mtia against torch's modules on a machine without those devices:
what device-selection code asks answers the same, and the calls needing the device raise the same."""
import pytest
import torch

import ember

CALLS = {
    'xpu': ['is_available', 'device_count', 'is_initialized', 'current_device', 'synchronize', 'empty_cache',
            'seed', 'seed_all', 'get_rng_state', 'init', 'get_device_name', 'get_device_properties',
            'memory_allocated', 'max_memory_allocated', 'memory_reserved', 'is_bf16_supported', 'initial_seed',
            'get_device_capability', 'mem_get_info', 'current_stream', 'get_arch_list', 'get_rng_state_all'],
    'mps': ['is_available', 'device_count', 'synchronize', 'empty_cache', 'seed', 'get_rng_state',
            'current_allocated_memory', 'driver_allocated_memory', 'recommended_max_memory'],
    'mtia': ['is_available', 'device_count', 'is_initialized', 'current_device', 'synchronize', 'empty_cache',
             'seed', 'seed_all', 'get_rng_state', 'init', 'get_device_properties', 'memory_allocated',
             'is_bf16_supported', 'initial_seed', 'get_device_capability', 'max_memory_allocated',
             'reset_peak_memory_stats', 'current_stream', 'default_stream', 'memory_stats'],
}
ARGS = {'manual_seed': (0,), 'manual_seed_all': (0,), 'set_device': (0,), 'set_per_process_memory_fraction': (0.5,)}


def outcome(mod, name):
    try:
        return ('ok', getattr(mod, name)(*ARGS.get(name, ())))
    except Exception as e:
        return (type(e).__name__, str(e).replace('torch.', 'ember.').split('\n')[0])


@pytest.mark.parametrize('dev,name', [(d, n) for d, names in CALLS.items()
                                      for n in names + ['manual_seed', 'set_device', 'manual_seed_all',
                                                        'set_per_process_memory_fraction']
                                      if hasattr(getattr(torch, d), n)])
def test_same_outcome(dev, name):
    assert outcome(getattr(ember, dev), name) == outcome(getattr(torch, dev), name)


@pytest.mark.parametrize('dev', ['xpu', 'mtia'])
def test_device_context(dev):
    def enter(T):
        try:
            with getattr(T, dev).device(0):
                return 'entered'
        except Exception as e:
            return type(e).__name__, str(e)
    assert enter(ember) == enter(torch)


def test_selection_code():
    def pick(T):
        if T.cuda.is_available():
            return 'cuda'
        if T.backends.mps.is_available():
            return 'mps'
        if hasattr(T, 'xpu') and T.xpu.is_available():
            return 'xpu'
        return 'cpu'
    assert pick(ember) == pick(torch) == 'cpu'
    assert ember.mps.is_available() is False and ember.xpu.device_count() == 0
