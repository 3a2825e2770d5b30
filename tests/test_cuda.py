"""The cuda device as a PyTorch user meets it: moving tensors and modules, printing, the
errors for mixed devices and for .numpy(), several GPUs, ember.cuda's queries, training.

Runs wherever CUDA is available: on a real GPU, or on the CPU against the strict CuPy
stand-in (``EMBER_TEST_DEVICE=cuda EMBER_FAKE_CUDA=1``, see tests/conftest.py). Expected
messages are PyTorch's (its CPU wheel cannot make CUDA tensors, so they are written out)."""
import pickle
import io
import os
import subprocess
import sys

import numpy as np
import pytest

import ember
import ember.nn as nn

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')

MIXED = 'Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!'


def host(t):
    return t.detach().cpu()._host()      # bfloat16 too (ml_dtypes), which numpy() refuses as torch does


@pytest.fixture(autouse=True)
def _cpu_default():
    """These tests name every device they use (the CUDA pass makes cuda the default)."""
    ember.set_default_device(None)
    yield


def test_creation_on_the_device_and_back():
    a = ember.arange(6.0, device='cuda').reshape(2, 3)
    assert a.is_cuda and not a.is_cpu and a.device == ember.device('cuda', 0)
    assert a.get_device() == 0
    b = a.cpu()
    assert b.device == ember.device('cpu') and b.get_device() == -1
    assert np.array_equal(b.numpy(), np.arange(6.0, dtype=np.float32).reshape(2, 3))
    for make in (lambda: ember.zeros(2, 3, device='cuda:0'), lambda: ember.ones(3, device=0),
                 lambda: ember.full((2,), 7, device=ember.device('cuda')),
                 lambda: ember.tensor([1, 2], device='cuda'), lambda: ember.randn(4, device='cuda'),
                 lambda: ember.eye(3, device='cuda'), lambda: ember.linspace(0, 1, 5, device='cuda')):
        t = make()
        assert t.is_cuda and str(t.device) == 'cuda:0'


def test_to_cuda_cpu_roundtrip_keeps_values_dtype_and_grad():
    x = ember.tensor([[1.5, -2.0], [3.0, 4.0]], requires_grad=True)
    y = x.cuda()
    assert y.is_cuda and y.grad_fn.name() == 'ToCopyBackward0' and y.dtype == ember.float32
    assert x.to('cuda').is_cuda and x.to('cuda', ember.float64).dtype == ember.float64
    assert y.cuda() is y and y.to('cuda:0') is y and x.cpu() is x
    (y * y).sum().backward()
    assert x.grad.device == ember.device('cpu')
    assert np.allclose(x.grad.numpy(), 2 * x.detach().numpy())
    assert x.to('cuda', non_blocking=True).is_cuda


def test_printing_shows_the_device():
    t = ember.tensor([1.0, 2.0], device='cuda')
    assert repr(t) == "tensor([1., 2.], device='cuda:0')"
    r = ember.tensor([1.0], device='cuda', requires_grad=True) * 2
    assert repr(r) == "tensor([2.], device='cuda:0', grad_fn=<MulBackward0>)"
    assert repr(ember.tensor([1, 2], dtype=ember.int32, device='cuda')) == \
        "tensor([1, 2], device='cuda:0', dtype=ember.int32)"
    assert t.type() == 'ember.cuda.FloatTensor'


def test_numpy_on_a_cuda_tensor_raises_as_torch():
    t = ember.ones(2, device='cuda')
    with pytest.raises(TypeError, match=r"^can't convert cuda:0 device type tensor to numpy\. Use "
                                        r'Tensor\.cpu\(\) to copy the tensor to host memory first\.$'):
        t.numpy()
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        np.asarray(t)
    assert np.array_equal(t.numpy(force=True), np.ones(2, np.float32))
    assert t.tolist() == [1.0, 1.0] and t.sum().item() == 2.0


@pytest.mark.parametrize('op', [lambda a, b: a + b, lambda a, b: b * a, lambda a, b: a @ b.reshape(3, 1),
                                lambda a, b: ember.cat([a, b]), lambda a, b: ember.where(a > 0, a, b),
                                lambda a, b: a.add_(b)])
def test_mixing_devices_raises_and_changes_nothing(op):
    a = ember.tensor([1.0, 2.0, 3.0], device='cuda')
    b = ember.tensor([4.0, 5.0, 6.0])
    with pytest.raises(RuntimeError) as e:
        op(a, b)
    assert str(e.value) == MIXED
    assert host(a).tolist() == [1.0, 2.0, 3.0] and b.tolist() == [4.0, 5.0, 6.0]


def test_a_zero_dim_cpu_tensor_joins_a_cuda_op():
    a = ember.tensor([1.0, 2.0], device='cuda')
    s = ember.tensor(3.0)
    r = a * s
    assert r.is_cuda and host(r).tolist() == [3.0, 6.0]
    assert host(a + ember.tensor(1)).tolist() == [2.0, 3.0]


def test_second_gpu_computes_there():
    if ember.cuda.device_count() < 2:
        pytest.skip('one GPU')
    a = ember.tensor([1.0, 2.0], device='cuda:1', requires_grad=True)
    b = (a * a).sum()
    assert b.device == ember.device('cuda', 1) and ember.cuda.current_device() == 0
    b.backward()
    assert a.grad.device == ember.device('cuda', 1) and host(a.grad).tolist() == [2.0, 4.0]
    c = a.detach().to('cuda:0')
    assert c.device == ember.device('cuda', 0) and host(c).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match='found at least two devices, cuda:0 and cuda:1'):
        c + a.detach()
    with ember.cuda.device(1):
        assert ember.cuda.current_device() == 1
        assert ember.zeros(1, device='cuda').device == ember.device('cuda', 1)
        assert ember.ones(1).cuda().get_device() == 1
    assert ember.cuda.current_device() == 0


def test_cuda_queries():
    n = ember.cuda.device_count()
    assert n >= 1 and ember.cuda.is_available() and ember.cuda.is_initialized()
    assert isinstance(ember.cuda.get_device_name(0), str)
    assert len(ember.cuda.get_device_capability()) == 2
    ember.cuda.synchronize()
    ember.cuda.manual_seed(0)
    ember.cuda.manual_seed_all(0)
    before = ember.cuda.memory_allocated()
    keep = ember.empty(1 << 20, device='cuda')
    assert ember.cuda.memory_allocated() >= before + 4 * (1 << 20)
    assert ember.cuda.max_memory_allocated() >= ember.cuda.memory_allocated()
    del keep
    ember.cuda.empty_cache()
    s = ember.cuda.Stream()
    with ember.cuda.stream(s):
        assert ember.cuda.current_stream() == s
    start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
    start.record()
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0.0


def test_visible_devices_are_honoured():
    code = 'import ember; print(ember.cuda.device_count(), ember.cuda.is_available())'
    env = dict(os.environ, CUDA_VISIBLE_DEVICES='', PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True,
                         cwd=os.path.dirname(__file__))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ['0', 'False']


def test_bfloat16_lives_on_cuda():
    x = ember.tensor([1.5, -2.25, 3.0], dtype=ember.bfloat16).cuda()
    assert x.is_cuda and x.dtype == ember.bfloat16
    assert host(x * 2).tolist() == [3.0, -4.5, 6.0]
    assert repr(x) == "tensor([ 1.5000, -2.2500,  3.0000], device='cuda:0', dtype=ember.bfloat16)"
    assert x.cpu().dtype == ember.bfloat16 and x.float().dtype == ember.float32


def test_module_cuda_moves_parameters_buffers_and_grads_in_place():
    ember.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    w = m[0].weight
    m(ember.randn(5, 3)).sum().backward()
    assert m.cuda() is m
    assert m[0].weight is w and w.is_cuda and w.grad.is_cuda and m[1].running_mean.is_cuda
    assert isinstance(w, nn.Parameter) and w.requires_grad
    m.to('cpu')
    assert not w.is_cuda and not w.grad.is_cuda
    assert m.to(ember.device('cuda:0'))[3].bias.is_cuda


def test_training_on_cuda_matches_cpu():
    ember.manual_seed(0)
    x, y = ember.randn(16, 4), ember.randint(0, 3, (16,))

    def run(device):
        ember.manual_seed(1)
        m = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).to(device)
        opt = ember.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(m(x.to(device)), y.to(device))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, [host(p) for p in m.parameters()]

    l_cpu, p_cpu = run('cpu')
    l_gpu, p_gpu = run('cuda')
    np.testing.assert_allclose(l_gpu, l_cpu, rtol=1e-5)
    for a, b in zip(p_gpu, p_cpu):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_save_on_cuda_load_with_map_location():
    t = ember.arange(4.0, device='cuda')
    buf = io.BytesIO()
    ember.save({'t': t}, buf)
    buf.seek(0)
    back = ember.load(buf)['t']
    assert back.is_cuda and host(back).tolist() == [0.0, 1.0, 2.0, 3.0]
    buf.seek(0)
    cpu = ember.load(buf, map_location='cpu')['t']
    assert not cpu.is_cuda and cpu.tolist() == [0.0, 1.0, 2.0, 3.0]


def test_pickle_keeps_the_device():
    t = ember.tensor([1.0, 2.0], device='cuda')
    back = pickle.loads(pickle.dumps(t))
    assert back.is_cuda and host(back).tolist() == [1.0, 2.0]


def test_set_default_device():
    try:
        ember.set_default_device('cuda')
        assert ember.get_default_device() == ember.device('cuda', 0)
        assert ember.zeros(2).is_cuda and ember.tensor([1]).is_cuda and nn.Linear(2, 2).weight.is_cuda
        assert not ember.from_numpy(np.ones(2)).is_cuda
    finally:
        ember.set_default_device(None)
    assert ember.get_default_device() == ember.device('cpu')


def test_load_onto_cuda_keeps_views_sharing_storage():
    t = ember.arange(6.0)
    buf = io.BytesIO()
    ember.save({'a': t, 'b': t[2:]}, buf)
    buf.seek(0)
    d = ember.load(buf, map_location='cuda')
    assert d['a'].is_cuda and d['b'].is_cuda and host(d['b']).tolist() == [2.0, 3.0, 4.0, 5.0]
    d['a'].add_(1)
    assert host(d['b']).tolist() == [3.0, 4.0, 5.0, 6.0]


def test_dtype_and_device_change_together():
    x = ember.tensor([1.5, 2.5], dtype=ember.bfloat16)
    y = x.to('cuda', ember.float32)
    assert y.is_cuda and y.dtype == ember.float32 and host(y).tolist() == [1.5, 2.5]
    z = y.to('cpu', ember.bfloat16)
    assert not z.is_cuda and z.dtype == ember.bfloat16
    w = y.to(ember.bfloat16)
    assert w.is_cuda and w.dtype == ember.bfloat16 and host(w.float()).tolist() == [1.5, 2.5]
    assert y.dtype == ember.float32 and y.is_cuda


def test_pin_memory_page_locks_host_tensors():
    t = ember.arange(6.0).reshape(2, 3).requires_grad_()
    p = t.pin_memory()
    assert p.is_pinned() and p[0].is_pinned() and p.t().is_pinned() and not t.is_pinned()
    assert p.pin_memory() is p and p.device == ember.device('cpu') and host(p).tolist() == host(t).tolist()
    assert p.grad_fn.name() == 'PinMemoryBackward0'
    (p * 3).sum().backward()
    assert t.grad.tolist() == [[3.0] * 3] * 2                    # the gradient passes through
    g = p.detach().to('cuda', non_blocking=True)
    assert g.is_cuda and not g.is_pinned() and host(g).tolist() == host(t).tolist()
    with pytest.raises(RuntimeError, match="^cannot pin 'ember.cuda.FloatTensor' only dense CPU tensors can be pinned"):
        g.pin_memory()
    from ember.utils.data import DataLoader, TensorDataset
    batches = list(DataLoader(TensorDataset(ember.arange(8.0)), batch_size=4, pin_memory=True))
    assert [b[0].is_pinned() for b in batches] == [True, True]
