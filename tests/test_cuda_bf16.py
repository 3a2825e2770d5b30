"""bfloat16 on CUDA: CuPy 14 stores it as ``ml_dtypes.bfloat16``, so ember's bfloat16 tensors live
on the GPU like any other dtype (factories, moves, arithmetic, layers, autograd, autocast).
The results are compared with the same computation on the CPU (ember) and, for the
normalisations, with PyTorch on the CPU.

The CUDA tests run wherever CUDA is available (a GPU, or the CuPy stand-in:
``EMBER_TEST_DEVICE=cuda EMBER_FAKE_CUDA=1``); the CPU ones run everywhere."""
import warnings

import numpy as np
import pytest
import torch

import ember

cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')


def host(t):
    return t.detach().float().cpu().numpy()


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)     # fallbacks (no cuDNN, no fused kernels)
        yield


def test_is_bf16_supported_matches_the_cuda_build():
    if not ember.cuda.is_available():
        assert ember.cuda.is_bf16_supported() is torch.cuda.is_bf16_supported() is False
    else:
        assert ember.cuda.is_bf16_supported() is True


@cuda
def test_factories_and_moves_keep_bfloat16_on_the_gpu():
    for t in (ember.zeros(3, dtype=ember.bfloat16, device='cuda'),
              ember.randn(3, dtype=ember.bfloat16, device='cuda'),
              ember.arange(3, dtype=ember.bfloat16, device='cuda'),
              ember.tensor([1., 2., 3.], dtype=ember.bfloat16, device='cuda'),
              ember.ones(3).to('cuda', ember.bfloat16),
              ember.ones(3, dtype=ember.bfloat16).cuda()):
        assert t.is_cuda and t.dtype == ember.bfloat16
    x = ember.tensor([0.1, 1 / 3, 1000.7]).to('cuda', ember.bfloat16)
    want = ember.tensor([0.1, 1 / 3, 1000.7]).bfloat16()
    np.testing.assert_array_equal(host(x), host(want))        # the same rounding as on the CPU
    assert x.cpu().dtype == ember.bfloat16


def _layers(dev):
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Conv2d(3, 4, 3, padding=1), ember.nn.BatchNorm2d(4), ember.nn.ReLU(),
                            ember.nn.MaxPool2d(2), ember.nn.Flatten(), ember.nn.Linear(64, 5),
                            ember.nn.LayerNorm(5))
    return m.to(dev).bfloat16()


@cuda
def test_bfloat16_model_forward_backward_matches_the_cpu():
    x = ember.randn(2, 3, 8, 8).bfloat16()
    out = {}
    for dev in ('cpu', 'cuda'):
        m = _layers(dev)
        y = m(x.to(dev))
        assert y.dtype == ember.bfloat16 and y.device.type == dev
        (y.float() ** 2).sum().backward()
        out[dev] = (host(y), [host(p.grad) for p in m.parameters()])
        assert all(p.grad.dtype == ember.bfloat16 and p.grad.device.type == dev for p in m.parameters())
    np.testing.assert_allclose(out['cuda'][0], out['cpu'][0], rtol=2e-2, atol=2e-2)
    for g_gpu, g_cpu in zip(out['cuda'][1], out['cpu'][1]):
        np.testing.assert_allclose(g_gpu, g_cpu, rtol=5e-2, atol=5e-2)


@cuda
def test_autocast_cuda_bfloat16_train_step():
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.ReLU(), ember.nn.Linear(8, 3)).cuda()
    opt = ember.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
    x, y = ember.randn(16, 4, device='cuda'), ember.randint(0, 3, (16,), device='cuda')
    losses = []
    for _ in range(30):
        opt.zero_grad()
        with ember.autocast('cuda', dtype=ember.bfloat16):
            out = m(x)
            assert out.dtype == ember.bfloat16               # linear runs in bfloat16
            loss = ember.nn.functional.cross_entropy(out, y)
            assert loss.dtype == ember.float32               # losses run in float32
        loss.backward()
        assert all(p.grad.dtype == ember.float32 for p in m.parameters())
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.7 * losses[0]


@pytest.mark.parametrize('xd,wd', [('bfloat16', 'float32'), ('float16', 'float32'), ('bfloat16', 'bfloat16')])
@pytest.mark.parametrize('norm', ['batch', 'layer', 'group'])
def test_low_precision_norms_compute_in_float32_and_keep_the_input_dtype(norm, xd, wd):
    """As PyTorch's kernels: a float16/bfloat16 input may take float32 parameters; the output keeps
    the input's dtype, the parameter gradients the parameters' dtype."""
    def run(T):
        F = T.nn.functional
        g = np.random.default_rng(0)
        x = T.tensor(g.standard_normal((2, 4, 3, 3), dtype=np.float32)).to(getattr(T, xd)).requires_grad_()
        w = T.tensor(g.standard_normal(4, dtype=np.float32) + 1).to(getattr(T, wd)).requires_grad_()
        b = T.tensor(g.standard_normal(4, dtype=np.float32)).to(getattr(T, wd)).requires_grad_()
        if norm == 'batch':
            y = F.batch_norm(x, T.zeros(4, dtype=w.dtype), T.ones(4, dtype=w.dtype), w, b, True)
        elif norm == 'layer':
            y = F.layer_norm(x, (3,), w[:3], b[:3])
        else:
            y = F.group_norm(x, 2, w, b)
        (y.float() * T.linspace(-1, 1, 72).reshape(2, 4, 3, 3)).sum().backward()
        return y, x.grad, w.grad, b.grad
    for a, e in zip(run(torch), run(ember)):
        assert str(a.dtype).split('.')[1] == str(e.dtype).split('.')[1]
        np.testing.assert_allclose(host(e), a.detach().float().numpy(), rtol=3e-2, atol=3e-2)


@pytest.mark.parametrize('xd,wd,msg', [('float32', 'bfloat16', 'expect parameter to have scalar type of Float'),
                                       ('bfloat16', 'float16', 'expect parameter to have scalar type of Float'),
                                       ('float64', 'float32', 'all inputs must share same datatype')])
def test_mixed_norm_dtypes_errors_as_pytorch(xd, wd, msg):
    for T in (torch, ember):
        x, w = T.ones(2, 4, 3, dtype=getattr(T, xd)), T.ones(4, dtype=getattr(T, wd))
        with pytest.raises(RuntimeError, match=msg):
            T.nn.functional.group_norm(x, 2, w, w)
