"""Process-level API against PyTorch's CPU build: thread counts, ember.cuda without a GPU,
ember.backends flags."""
import pytest
import torch

import ember

needs_no_gpu = pytest.mark.skipif(ember.cuda.is_available(), reason='checks the no-GPU answers')


def test_num_threads_round_trip_and_errors():
    before = ember.get_num_threads()
    try:
        ember.set_num_threads(1)
        assert ember.get_num_threads() == 1
    finally:
        ember.set_num_threads(before)
    assert ember.get_num_threads() == before
    for bad in (0, -1, 2.5, 'a'):
        with pytest.raises(RuntimeError) as te:
            torch.set_num_threads(bad)
        with pytest.raises(RuntimeError) as ee:
            ember.set_num_threads(bad)
        assert str(ee.value) == str(te.value).splitlines()[0]
    assert ember.get_num_interop_threads() >= 1


@needs_no_gpu
def test_cuda_without_gpu_answers_as_cpu_only_torch():
    assert ember.cuda.is_available() is torch.cuda.is_available() is False
    assert ember.cuda.device_count() == torch.cuda.device_count() == 0
    for name in ('memory_allocated', 'max_memory_allocated'):
        assert getattr(ember.cuda, name)() == getattr(torch.cuda, name)() == 0
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    ember.cuda.empty_cache()
    for name in ('current_device', 'get_device_name', 'synchronize'):
        with pytest.raises(AssertionError) as te:
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError) as ee:
            getattr(ember.cuda, name)()
        assert str(ee.value).splitlines()[0] == str(te.value).splitlines()[0]
    for make in (lambda T: T.zeros(2, device='cuda'), lambda T: T.ones(2).cuda(), lambda T: T.ones(2).to('cuda:0')):
        with pytest.raises(AssertionError) as te:
            make(torch)
        with pytest.raises(AssertionError) as ee:
            make(ember)
        assert str(ee.value).splitlines()[0] == str(te.value).splitlines()[0]      # ember says why below
    with pytest.raises(RuntimeError, match='requires CUDA support'):
        ember.cuda.Stream()
    for name in ('get_rng_state', 'get_device_properties', 'current_stream'):
        with pytest.raises(AssertionError) as te:
            getattr(torch.cuda, name)()
        with pytest.raises(AssertionError) as ee:
            getattr(ember.cuda, name)()
        assert str(ee.value).splitlines()[0] == str(te.value).splitlines()[0]
    for make in (lambda T: T.cuda.Event(), lambda T: T.cuda.device(0).__enter__(),
                 lambda T: T.zeros(2).pin_memory()):
        with pytest.raises(RuntimeError) as te:
            make(torch)
        with pytest.raises(RuntimeError) as ee:
            make(ember)
        assert str(ee.value) == str(te.value)
    with ember.cuda.device(-1), ember.cuda.stream(None):      # no-ops, as in torch
        pass
    assert ember.cuda.get_rng_state_all() == torch.cuda.get_rng_state_all() == []
    assert ember.cuda.memory_stats() == torch.cuda.memory_stats()
    assert ember.cuda.max_memory_reserved() == torch.cuda.max_memory_reserved() == 0
    assert ember.zeros(2).is_pinned() is torch.zeros(2).is_pinned() is False
    # the usual device pick of tutorials
    dev = ember.device('cuda' if ember.cuda.is_available() else 'cpu')
    assert ember.ones(2, device=dev).device == ember.device('cpu')


def test_backend_flags_have_torch_defaults():
    for path in ('cudnn.enabled', 'cudnn.benchmark', 'cudnn.deterministic', 'cudnn.allow_tf32',
                 'cuda.matmul.allow_tf32', 'cuda.matmul.allow_fp16_reduced_precision_reduction',
                 'cuda.matmul.allow_bf16_reduced_precision_reduction', 'cudnn.benchmark_limit',
                 'mkldnn.enabled'):
        e, t = ember.backends, torch.backends
        for part in path.split('.'):
            e, t = getattr(e, part), getattr(t, part)
        assert e == t, path
    assert ember.backends.mps.is_available() is False
    ember.backends.cudnn.benchmark = True        # a plain switch users flip
    assert ember.backends.cudnn.benchmark is True
    ember.backends.cudnn.benchmark = False


def test_backend_modules_import_as_in_training_scripts():
    import importlib
    for name in ('cudnn', 'cuda', 'mps', 'mkldnn', 'openmp', 'mkl', 'cpu'):
        mod = importlib.import_module(f'ember.backends.{name}')
        assert mod is getattr(ember.backends, name)
    import ember.backends.cudnn as cudnn
    cudnn.benchmark = True                     # `cudnn.benchmark = True` at the top of a script
    try:
        assert ember.backends.cudnn.benchmark is True
    finally:
        cudnn.benchmark = False
    assert ember.backends.cpu.get_cpu_capability() == torch.backends.cpu.get_cpu_capability()
    assert ember.backends.cuda.is_built() is torch.backends.cuda.is_built()      # no CuPy / no CUDA build
    assert ember.backends.cudnn.is_acceptable(ember.ones(2)) is torch.backends.cudnn.is_acceptable(torch.ones(2))


def test_backend_context_managers_restore_the_switches():
    for T in (ember, torch):
        with T.backends.cudnn.flags(enabled=False, deterministic=True):
            inside = T.backends.cudnn.enabled, T.backends.cudnn.deterministic
        assert inside == (False, True)
        assert (T.backends.cudnn.enabled, T.backends.cudnn.deterministic) == (True, False)
        cu = T.backends.cuda
        assert (cu.flash_sdp_enabled(), cu.math_sdp_enabled(), cu.mem_efficient_sdp_enabled(),
                cu.cudnn_sdp_enabled()) == (True, True, True, True)
        cu.enable_flash_sdp(False)
        try:
            assert cu.flash_sdp_enabled() is False
        finally:
            cu.enable_flash_sdp(True)
