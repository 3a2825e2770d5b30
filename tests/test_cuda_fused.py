"""The fused CUDA kernels for batch norm (``_backend/cuda_bn.py``) and SGD
(``_backend/cuda_optim.py``), and how the ops use them.

Each kernel set checks itself against NumPy the first time it is built on a GPU, and is not used
if it disagrees. Without a GPU (the CuPy stand-in) they are unavailable; there these tests swap
in array-level stand-ins with the kernels' argument lists, to check the wiring: which op calls
which kernel with which arguments, running statistics, the gradients of every input, and the
generic path that remains for everything else. On a real GPU the last tests compare the real
kernels with the CPU."""
import numpy as np
import pytest

import ember
import ember.nn as nn
from ember._backend import cuda_bn, cuda_optim

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')


@pytest.fixture(autouse=True)
def _cpu_default():
    """These tests name every device they use (the CUDA pass makes cuda the default)."""
    ember.set_default_device(None)
    yield


def _fake():
    try:
        import cupy
    except ImportError:          # no CuPy at all: the module is skipped anyway
        return True
    return getattr(cupy, '_FAKE', False)


class _ArrayBN(cuda_bn._Kernels):
    """cuda_bn's kernels as CuPy array code: same arguments, same results, no compiler."""

    def __init__(self):
        import cupy as cp

        def red(fn):
            return lambda *a, axis: fn(*a).sum(axis=axis)
        f64 = lambda a: a.astype(cp.float64) if hasattr(a, 'astype') else cp.float64(a)  # noqa: E731
        self.sum = red(lambda x: f64(x))
        self.csq = red(lambda x, m: (f64(x) - m) ** 2)
        self.gxc = red(lambda g, x, m: f64(g) * (f64(x) - m))

        def finalize(s, q, w, b, n, eps):
            mean = f64(s) / n
            invstd = 1 / cp.sqrt(f64(q) / n + eps)
            sc = invstd * f64(w)
            return mean, invstd, sc.astype(w.dtype), (f64(b) - mean * sc).astype(w.dtype)

        def running(mean, q, n, mom, rm, rv):
            rm[...] = ((1 - mom) * f64(rm) + mom * mean).astype(rm.dtype)
            rv[...] = ((1 - mom) * f64(rv) + mom * q / max(n - 1, 1)).astype(rv.dtype)

        def input_grad(g, x, m, invstd, w, sg, sgx, n):
            xh = (f64(x) - m) * invstd
            return (invstd * f64(w) * (f64(g) - sg / n - xh * sgx * invstd / n)).astype(g.dtype)
        self.finalize, self.running, self.input_grad = finalize, running, input_grad
        self.apply = lambda x, s, sh: self._count((x * s + sh).astype(x.dtype))
        self.params_grad = lambda sg, sgx, invstd: ((sgx * invstd).astype(np.float32), sg.astype(np.float32))
        self.calls = 0
        self._unit = {}

    def _count(self, y):
        self.calls += 1
        return y


@pytest.fixture
def array_bn(monkeypatch):
    if not _fake():
        pytest.skip('the real kernels run on this GPU')
    k = _ArrayBN()
    monkeypatch.setattr(cuda_bn, 'kernels', lambda dtype: k if dtype == np.float32 else None)
    return k


def _bn_run(device, training, affine=True, seed=0):
    ember.manual_seed(seed)
    bn = nn.BatchNorm2d(3, affine=affine).to(device)
    if affine:
        with ember.no_grad():
            bn.weight.copy_(ember.tensor([0.5, 2.0, -1.0]))
            bn.bias.copy_(ember.tensor([0.1, 0.0, 0.3]))
    bn.train(training)
    g = np.random.default_rng(seed)
    x = ember.tensor(g.standard_normal((4, 3, 5, 6)) * 2 + 1, dtype=ember.float32, device=device,
                     requires_grad=True)
    y = bn(x)
    y.backward(ember.tensor(g.standard_normal(y.shape), dtype=ember.float32, device=device))
    out = [y, x.grad, bn.running_mean, bn.running_var]
    if affine:
        out += [bn.weight.grad, bn.bias.grad]
    return [t.detach().cpu().numpy() for t in out]


@pytest.mark.parametrize('training,affine', [(True, True), (True, False), (False, True)])
def test_batch_norm_wiring_matches_the_cpu(array_bn, training, affine):
    for a, b in zip(_bn_run('cuda', training, affine), _bn_run('cpu', training, affine)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert array_bn.calls == 1                  # the CUDA forward went through the fused kernels


def test_batch_norm_double_backward_keeps_the_generic_graph(array_bn):
    x = ember.randn(4, 3, 5, 5, device='cuda', requires_grad=True)
    bn = nn.BatchNorm2d(3).cuda()
    (gx,) = ember.autograd.grad(bn(x).pow(2).sum(), x, create_graph=True)
    gx.sum().backward()
    xc = x.detach().cpu().requires_grad_()
    bnc = nn.BatchNorm2d(3)
    (gxc,) = ember.autograd.grad(bnc(xc).pow(2).sum(), xc, create_graph=True)
    gxc.sum().backward()
    np.testing.assert_allclose(gx.detach().cpu().numpy(), gxc.detach().numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(x.grad.cpu().numpy(), xc.grad.numpy(), rtol=1e-3, atol=1e-3)


def _sgd_stand_in():
    def momentum(g, lr, wd, mom, damp, nesterov, maximize, first, x, buf):
        h = [a.get().astype(np.float64) for a in (x, g, buf)]
        new_x, new_b = cuda_optim.reference(h[0], h[1], None if first else h[2], lr, wd, mom, damp, nesterov,
                                            maximize)
        x[...] = ember.tensor(new_x, dtype=ember.float32, device='cuda')._data
        buf[...] = ember.tensor(new_b, dtype=ember.float32, device='cuda')._data

    def plain(g, lr, wd, maximize, x):
        new_x, _ = cuda_optim.reference(x.get().astype(np.float64), g.get().astype(np.float64), None, lr, wd, 0, 0,
                                        False, maximize)
        x[...] = ember.tensor(new_x, dtype=ember.float32, device='cuda')._data
    return momentum, plain


@pytest.mark.parametrize('kw', [dict(), dict(momentum=0.9), dict(momentum=0.9, nesterov=True, weight_decay=0.1),
                                dict(momentum=0.5, dampening=0.2, maximize=True)])
def test_sgd_wiring_matches_the_cpu(monkeypatch, kw):
    if not _fake():
        pytest.skip('the real kernels run on this GPU')
    calls = []
    momentum, plain = _sgd_stand_in()
    monkeypatch.setattr('ember.optim.sgd.sgd_kernels',
                        lambda dt: (lambda *a: calls.append(1) or momentum(*a), lambda *a: calls.append(1) or plain(*a)))
    results = []
    for device in ('cuda', 'cpu'):
        ember.manual_seed(0)
        net = nn.Linear(4, 3).to(device)
        opt = ember.optim.SGD(net.parameters(), lr=0.1, **kw)
        x = ember.arange(8.0, device=device).reshape(2, 4)
        for _ in range(3):
            opt.zero_grad()
            net(x).pow(2).sum().backward()
            opt.step()
        results.append([p.detach().cpu().numpy() for p in net.parameters()])
    assert len(calls) == 6                                     # 2 parameters x 3 steps, all fused
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ the real kernels (GPU only)

real = pytest.mark.skipif('_fake()', reason='needs a real GPU (CuPy compiles the kernels)')


@real
@pytest.mark.parametrize('dtype', ['float16', 'float32', 'float64'])
def test_kernels_pass_their_self_checks(dtype):
    assert cuda_bn.kernels(np.dtype(dtype)) is not None
    assert cuda_optim.sgd_kernels(np.dtype(dtype)) is not None


@real
@pytest.mark.parametrize('training,affine', [(True, True), (True, False), (False, True)])
def test_real_batch_norm_matches_the_cpu(training, affine):
    for a, b in zip(_bn_run('cuda', training, affine), _bn_run('cpu', training, affine)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------ max pooling (cuda_pool.py)

class _ArrayPool:
    """cuda_pool's kernels with the same arguments, computed by the generic code on the host."""

    def __init__(self):
        self.calls = []

    def forward(self, x, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, y, idx):
        from ember._backend import pool
        self.calls.append('forward')
        host = x.get()
        pads = ((ph, (oh - 1) * sh + dh * (kh - 1) + 1 - h - ph), (pw, (ow - 1) * sw + dw * (kw - 1) + 1 - w - pw))
        vals, ind = pool.max_pool(host, (kh, kw), (sh, sw), tuple((lo, max(hi, 0)) for lo, hi in pads), (dh, dw))
        y[...] = ember.tensor(vals, device='cuda')._data
        idx[...] = ember.tensor(ind.astype(np.int64), device='cuda')._data

    def scatter(self, g, idx, ohw, hw, out):
        self.calls.append('scatter')
        host = np.zeros(out.shape, out.dtype).reshape(-1, hw)
        np.add.at(host, (np.arange(host.shape[0])[:, None], idx.get().reshape(-1, ohw)), g.get().reshape(-1, ohw))
        out[...] = ember.tensor(host.reshape(out.shape), device='cuda')._data


@pytest.mark.parametrize('kw', [dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=2),
                                dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1))])
def test_max_pool_wiring_matches_the_cpu(monkeypatch, kw):
    if not _fake():
        pytest.skip('the real kernels run on this GPU')
    from ember._backend import cuda_pool
    k = _ArrayPool()
    monkeypatch.setattr(cuda_pool, 'kernels', lambda dtype: k if dtype == np.float32 else None)
    out = []
    for device in ('cuda', 'cpu'):
        x = ember.tensor(np.random.default_rng(0).standard_normal((2, 3, 7, 6)), dtype=ember.float32,
                         device=device, requires_grad=True)
        y, i = ember.nn.functional.max_pool2d(x, return_indices=True, **kw)
        y.backward(ember.arange(float(y.numel()), device=device).reshape(y.shape))
        out.append([t.detach().cpu().numpy() for t in (y, i, x.grad)])
    assert k.calls == ['forward', 'scatter']
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)


@real
@pytest.mark.parametrize('dtype', ['float32', 'float64'])
def test_real_max_pool_kernels_pass_their_self_check(dtype):
    from ember._backend import cuda_pool
    assert cuda_pool.kernels(np.dtype(dtype)) is not None
