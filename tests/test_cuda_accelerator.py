"""ember.accelerator and ember.cpu (the device-neutral API of recent PyTorch tutorials), compared
with PyTorch's CPU build; on the CUDA stand-in, the accelerator is CUDA."""
import warnings

import pytest
import torch

import ember

needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')
no_cuda = pytest.mark.skipif(ember.cuda.is_available(), reason='the CPU-only answers')


def outcome(fn):
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            r = fn()
        return 'ok', r if isinstance(r, (bool, int, str, type(None))) else str(r).replace('torch', 'ember'), \
            [(x.category.__name__, str(x.message).replace('torch', 'ember')) for x in w]
    except Exception as e:                          # noqa: BLE001 - the type is compared
        return type(e).__name__, str(e)


CPU_CASES = {
    'tutorial-device': lambda T: T.accelerator.current_accelerator().type if T.accelerator.is_available() else 'cpu',
    'cpu-facts': lambda T: (T.cpu.is_available(), T.cpu.device_count(), T.cpu.current_device(), T.cpu.synchronize(),
                            T.cpu.is_initialized(), T.cpu.set_device('cpu')),
    'cpu-stream': lambda T: (type(T.cpu.current_stream()).__name__, T.cpu.current_stream() is T.cpu.current_stream()),
    'cpu-amp-autocast': lambda T: (lambda: [T.cpu.amp.autocast().__enter__(), T.ones(2, 2) @ T.ones(2, 2)])()[1].dtype,
    'cpu-amp-scaler': lambda T: (lambda s: (s.get_scale(), s.is_enabled()))(T.cpu.amp.GradScaler()),
}
NO_ACCEL = {
    'available': lambda T: (T.accelerator.is_available(), T.accelerator.current_accelerator(),
                            T.accelerator.device_count()),
    'index': lambda T: T.accelerator.current_device_index(),
    'synchronize': lambda T: T.accelerator.synchronize(),
    'stream': lambda T: T.accelerator.current_stream(),
}


@pytest.mark.cpu_only       # torch here is a CPU build (on a GPU the tutorial line says 'cuda')
@pytest.mark.parametrize('name', sorted(CPU_CASES))
def test_cpu_module_as_torch(name):
    try:
        assert outcome(lambda: CPU_CASES[name](ember)) == outcome(lambda: CPU_CASES[name](torch))
    finally:
        ember.set_autocast_enabled('cpu', False)
        torch.set_autocast_enabled('cpu', False)


@no_cuda
@pytest.mark.parametrize('name', sorted(NO_ACCEL))
def test_accelerator_without_one_as_torch(name):
    assert outcome(lambda: NO_ACCEL[name](ember)) == outcome(lambda: NO_ACCEL[name](torch))


def test_modules_import():
    import ember.accelerator
    import ember.cpu.amp
    assert ember.cpu.amp.autocast.__module__ == 'ember.cpu.amp'


@needs_cuda
def test_accelerator_is_cuda_when_there_is_a_gpu():
    acc = ember.accelerator
    assert acc.is_available() and acc.current_accelerator() == ember.device('cuda')
    assert acc.device_count() == ember.cuda.device_count() and acc.current_device_index() == 0
    with acc.device_index(0):
        x = ember.ones(2, device=acc.current_accelerator())
    acc.synchronize()
    assert x.is_cuda and acc.memory_allocated() >= 0
