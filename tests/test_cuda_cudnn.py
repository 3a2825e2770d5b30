"""CUDA convolutions through cuDNN (``ember/_backend/cudnn_conv.py``) and the GEMM path that
serves whatever cuDNN declines.

Without a GPU (the CuPy stand-in) the frontend is absent or cannot make a handle, so these tests
check the fallback and its one-time warning, and, with a stand-in frontend that declines every
graph, that a declined geometry still gives the right answer. On a real GPU with
``nvidia-cudnn-frontend`` installed, the last tests check that the convolutions really ran
through cuDNN and agree with PyTorch's CUDA convolutions."""
import types
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember._backend import cudnn_conv as D

pytestmark = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')


@pytest.fixture(autouse=True)
def _cpu_default():
    """These tests name every device they use (the CUDA pass makes cuda the default)."""
    ember.set_default_device(None)
    yield


def _real_gpu():
    try:
        import cupy
    except ImportError:
        return False
    return not getattr(cupy, '_FAKE', False) and D.frontend() is not None


def _conv_case(device, dtype=ember.float64, seed=0):
    g = np.random.default_rng(seed)
    x = ember.tensor(g.standard_normal((2, 4, 7, 6)), dtype=dtype, device=device, requires_grad=True)
    w = ember.tensor(g.standard_normal((6, 2, 3, 3)), dtype=dtype, device=device, requires_grad=True)
    y = F.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
    y.backward(ember.ones_like(y))
    return y, x.grad, w.grad


def _compare(dtype=ember.float64, tol=1e-10):
    on_gpu = _conv_case('cuda', dtype)
    on_cpu = _conv_case('cpu', dtype)
    for a, b in zip(on_gpu, on_cpu):
        assert a.is_cuda
        np.testing.assert_allclose(a.detach().cpu().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def test_geometry_lifts_1d_to_2d():
    xs, ws, ys, pre, post, stride, dil = D.geometry((2, 3, 10), (4, 3, 3), (2, 4, 4), (2,), ((1, 0),), (2,))
    assert (xs, ws, ys) == ([2, 3, 1, 10], [4, 3, 1, 3], [2, 4, 1, 4])
    assert (pre, post, stride, dil) == ([0, 1], [0, 0], [1, 2], [1, 2])
    assert D.geometry((1, 2, 5, 5), (3, 2, 3, 3), (1, 3, 5, 5), (1, 1), ((1, 1), (1, 1)), (1, 1))[3:] == \
        ([1, 1], [1, 1], [1, 1], [1, 1])


def test_conv_runs_through_cudnn_or_says_why_not():
    before = dict(D.stats)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter('always')
        _compare()
    if D.frontend() is None or D._handles.get(0, [None])[0] is None:
        assert D._warned & {'import', ('handle', 0)}       # the reason was given once
        assert D.stats['executed'] == before['executed']
    else:
        assert D.stats['executed'] >= before['executed'] + 3 or D.stats['declined'] > before['declined']


class _Declining:
    """A frontend whose graphs never build: every geometry must fall back to the GEMM path."""
    data_type = types.SimpleNamespace(FLOAT='f', HALF='h', BFLOAT16='b', DOUBLE='d')

    def __init__(self):
        self.graphs = 0

    def create_handle(self):
        return 7

    def set_stream(self, handle, stream):
        assert handle == 7

    def pygraph(self, **kw):
        self.graphs += 1
        raise RuntimeError('cudnnGraphNotSupportedError: no engine for this graph')


@pytest.fixture
def declining(monkeypatch):
    fe = _Declining()
    monkeypatch.setattr(D, 'frontend', lambda: fe)
    monkeypatch.setattr(D, '_graphs', {})
    monkeypatch.setattr(D, '_handles', {})
    monkeypatch.setattr(D, '_warned', set())
    return fe


def test_a_declined_graph_falls_back_once_with_a_warning(declining):
    before = D.stats['declined']
    with pytest.warns(RuntimeWarning, match='cuDNN has no fprop convolution for float64'):
        _compare()
    assert declining.graphs == 3 and D.stats['declined'] == before + 3
    with warnings.catch_warnings():
        warnings.simplefilter('error')             # the same keys: no new build, no new warning
        _compare()
    assert declining.graphs == 3


def test_disabled_cudnn_is_not_asked(declining):
    ember.backends.cudnn.enabled = False
    try:
        _compare()
    finally:
        ember.backends.cudnn.enabled = True
    assert declining.graphs == 0


# ------------------------------------------------------------------ a real GPU with cuDNN only

real = pytest.mark.skipif('not _real_gpu()', reason='needs a GPU with nvidia-cudnn-frontend')

CASES = [  # (x shape, w shape, kwargs) of F.conv{1,2,3}d
    ((4, 8, 16, 16), (16, 8, 3, 3), dict(padding=1)),
    ((2, 6, 9, 11), (6, 2, 3, 3), dict(stride=2, padding=(1, 2), groups=3)),
    ((2, 4, 12, 12), (4, 4, 3, 3), dict(dilation=2, padding='same')),
    ((2, 4, 10, 10), (8, 4, 4, 4), dict(padding='same')),                    # asymmetric padding
    ((3, 5, 20), (7, 5, 3), dict(stride=2, padding=1)),                       # 1-d
    ((2, 3, 6, 7, 8), (4, 3, 3, 3, 3), dict(padding=1, stride=(1, 2, 1))),    # 3-d
    ((8, 32, 7, 7), (32, 1, 3, 3), dict(padding=1, groups=32)),               # depthwise
]


def _run(conv, xs, ws, kw, device, dtype, g):
    x = ember.tensor(g.standard_normal(xs), dtype=dtype, device=device, requires_grad=True)
    w = ember.tensor(g.standard_normal(ws) * 0.2, dtype=dtype, device=device, requires_grad=True)
    y = conv(x, w, **kw)
    y.backward(ember.ones_like(y))
    return [t.detach().cpu().double().numpy() for t in (y, x.grad, w.grad)]


@real
@pytest.mark.parametrize('dtype,tol', [(ember.float64, 1e-9), (ember.float32, 3e-2), (ember.float16, 5e-2),
                                       (ember.bfloat16, 1e-1)])
@pytest.mark.parametrize('case', range(len(CASES)))
def test_cudnn_matches_the_cpu(case, dtype, tol):
    xs, ws, kw = CASES[case]
    conv = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}[len(xs)]
    before = dict(D.stats)
    gpu = _run(conv, xs, ws, kw, 'cuda', dtype, np.random.default_rng(case))
    cpu = _run(conv, xs, ws, kw, 'cpu', ember.float64, np.random.default_rng(case))
    for a, b in zip(gpu, cpu):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1.0, float(np.abs(b).max())))
    if dtype != ember.float64:            # float32/16 and bfloat16 convolutions are cuDNN's bread and butter
        assert D.stats['executed'] - before['executed'] == 3 and D.stats['declined'] == before['declined']


@real
def test_transposed_conv_matches_the_cpu():
    g = np.random.default_rng(0)
    out = []
    for device in ('cuda', 'cpu'):
        g = np.random.default_rng(0)
        x = ember.tensor(g.standard_normal((2, 6, 5, 5)), device=device, requires_grad=True)
        w = ember.tensor(g.standard_normal((6, 4, 3, 3)), device=device, requires_grad=True)
        y = F.conv_transpose2d(x, w, stride=2, padding=1, output_padding=1)
        y.backward(ember.ones_like(y))
        out.append([t.detach().cpu().numpy() for t in (y, x.grad, w.grad)])
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


@real
def test_benchmark_mode_times_the_plans_and_keeps_the_fastest():
    ember.backends.cudnn.benchmark = True
    try:
        before = len(D._graphs)
        gpu = _run(F.conv2d, (4, 8, 16, 16), (16, 8, 3, 3), dict(padding=1), 'cuda', ember.float32,
                   np.random.default_rng(5))
    finally:
        ember.backends.cudnn.benchmark = False
    cpu = _run(F.conv2d, (4, 8, 16, 16), (16, 8, 3, 3), dict(padding=1), 'cpu', ember.float64,
               np.random.default_rng(5))
    for a, b in zip(gpu, cpu):
        np.testing.assert_allclose(a, b, rtol=3e-2, atol=3e-2 * float(np.abs(b).max()))
    tuned = [g for k, g in list(D._graphs.items())[before:] if k[-1] and g is not None]
    assert len(tuned) == 3 and all(g.plan is not None for g in tuned)
