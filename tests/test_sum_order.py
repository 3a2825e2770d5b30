"""float32/float64 sum and mean give PyTorch's bits: its CPU cascade-sum order (ops/sum_order.py),
for full and dim reductions, thread counts 1-3 and the 8-wide (AVX2) vectors PyTorch sums in."""
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(7)


def _data(shape, dt):
    """Values over six decades and both signs: any change of summation order shows in the bits."""
    a = RNG.standard_normal(shape) * 10.0 ** RNG.uniform(-3, 3, shape)
    return a.astype(dt)


def _same(t, e):
    t, e = t.detach().numpy(), e.detach().numpy()
    assert t.dtype == e.dtype and t.shape == e.shape
    t, e = np.ascontiguousarray(t).reshape(-1), np.ascontiguousarray(e).reshape(-1)
    assert np.array_equal(t.view(np.uint8), e.view(np.uint8)), (t[:4], e[:4])


def _cases(shape, dt):
    a = _data(shape, dt)
    t, e = torch.from_numpy(a.copy()), ember.from_numpy(a.copy())
    _same(t.sum(), e.sum())
    _same(t.mean(), e.mean())
    _same(torch.sum(t), ember.sum(e))
    nd = len(shape)
    for r in range(1, nd + 1):
        for dims in itertools.combinations(range(nd), r):
            _same(t.sum(dims), e.sum(dims))
            _same(t.mean(dims, keepdim=True), e.mean(dims, keepdim=True))


SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 255, 256, 257, 511, 512,
         513, 1000, 1023, 1024, 1025, 2047, 2049, 4095, 4096, 4097, 16383, 16385, 32767, 32768, 32769,
         65535, 65537, 100003, 262145]
SHAPES = [(3, 5), (5, 3), (8, 8), (7, 9), (4, 16), (33, 70), (100, 37), (37, 100), (4, 1000), (1000, 4),
          (2, 3, 4), (5, 6, 7), (10, 20, 30), (64, 65, 3), (3, 64, 65), (8, 1, 9), (1, 7, 1),
          (300, 300), (70000, 2), (2, 70000), (128, 300), (17, 33, 65), (2, 3, 4, 5), (40, 1100)]


@pytest.fixture(params=[1, 2, 3])
def threads(request):
    before_t, before_e = torch.get_num_threads(), ember.get_num_threads()
    torch.set_num_threads(request.param)
    ember.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(before_t)
    ember.set_num_threads(before_e)


@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_full_sums(threads, dt):
    for n in SIZES:
        a = _data((n,), dt)
        _same(torch.from_numpy(a).sum(), ember.from_numpy(a).sum())
        _same(torch.from_numpy(a).mean(), ember.from_numpy(a).mean())


@pytest.mark.parametrize('dt', [np.float32, np.float64])
def test_dim_sums(threads, dt):
    for shape in SHAPES:
        _cases(shape, dt)


def test_repro_and_loss_style_sums():
    _same(torch.arange(-7, 7, 0.01).sum(), ember.arange(-7, 7, 0.01).sum())
    assert ember.arange(-7, 7, 0.01).sum().item() == -6.999970436096191
    a = _data((50, 10), np.float32)
    t, e = torch.from_numpy(a).requires_grad_(), ember.from_numpy(a).requires_grad_()
    _same((t * t).mean(), (e * e).mean())
    _same(t.sum(1).mean(), e.sum(1).mean())


def test_dtype_argument_and_half_mean():
    a = _data((1000, 7), np.float32)
    for dims in [None, 0, 1]:
        kw = {} if dims is None else {'dim': dims}
        _same(torch.from_numpy(a).sum(dtype=torch.float64, **kw), ember.from_numpy(a).sum(dtype=ember.float64, **kw))
    i = RNG.integers(-1000, 1000, (300, 70))
    _same(torch.from_numpy(i).sum(1, dtype=torch.float32), ember.from_numpy(i).sum(1, dtype=ember.float32))
    h = _data((4000,), np.float16)
    _same(torch.from_numpy(h).mean(), ember.from_numpy(h).mean())
    _same(torch.from_numpy(h).sum(dtype=torch.float32), ember.from_numpy(h).sum(dtype=ember.float32))


def _same16(t, e):
    assert str(t.dtype)[6:] == str(e.dtype)[6:] and tuple(t.shape) == tuple(e.shape)
    assert np.array_equal(t.float().numpy(), e.float().numpy()), (t.float().numpy().ravel()[:4],
                                                                  e.float().numpy().ravel()[:4])


@pytest.mark.parametrize('dt', ['float16', 'bfloat16'])
def test_half_sums(threads, dt):
    """16-bit sums: halves paired into float lanes, 16-element vectors, 16-bit stores."""
    for shape, dims in [((n,), None) for n in (3, 7, 15, 16, 17, 31, 33, 64, 100, 1000, 4099, 40000, 100003)] + \
            [((50, 70), 0), ((70, 50), 1), ((9, 300), 0), ((300, 9), 1), ((8, 8), 0), ((8, 8), 1), ((600, 66), 0),
             ((4, 15), 0), ((2, 70000), 1), ((70000, 2), 0), ((3, 40, 50), 1)]:
        a = _data(shape, np.float32)
        t, e = torch.from_numpy(a).to(getattr(torch, dt)), ember.from_numpy(a).to(getattr(ember, dt))
        _same16(t.sum() if dims is None else t.sum(dims), e.sum() if dims is None else e.sum(dims))
        _same16(t.mean() if dims is None else t.mean(dims), e.mean() if dims is None else e.mean(dims))
    a = _data((300,), np.float32)
    _same16(torch.from_numpy(a).sum(dtype=getattr(torch, dt)), ember.from_numpy(a).sum(dtype=getattr(ember, dt)))


def test_special_values():
    for dt in (np.float32, np.float64):
        for vals in ([np.nan, 1.0], [np.inf, -np.inf], [np.inf, 1.0], [-0.0, -0.0], [-0.0]):
            for n in (1, 5, 40, 40000):
                a = np.resize(np.array(vals, dt), n)
                _same(torch.from_numpy(a).sum(), ember.from_numpy(a).sum())
        big = np.full(100, np.finfo(dt).max / 50, dt)           # overflows part way
        big[1::2] *= -1
        _same(torch.from_numpy(big).sum(), ember.from_numpy(big).sum())
        z = -np.zeros((3, 4), dt)
        _same(torch.from_numpy(z).sum(0), ember.from_numpy(z).sum(0))
        _same(torch.from_numpy(z).sum(), ember.from_numpy(z).sum())


def test_transposed_layouts(threads):
    """Dense permuted layouts sum in memory order (fallback to NumPy where PyTorch's kept-dim order
    differs from memory's, so those are only compared approximately)."""
    for shape in [(30, 40), (300, 8), (5, 60, 70), (64, 3, 65), (200, 200)]:
        a = _data(shape, np.float32)
        nd = len(shape)
        for perm in itertools.permutations(range(nd)):
            t, e = torch.from_numpy(a).permute(perm), ember.from_numpy(a).permute(*perm)
            _same(t.sum(), e.sum())
            for dims in itertools.chain.from_iterable(itertools.combinations(range(nd), r) for r in range(1, nd)):
                mem = [perm.index(j) for j in range(nd)]            # t's dims in memory order
                kept = [d for d in mem if d not in dims]
                if kept == sorted(kept) or mem[-1] in dims:
                    _same(t.sum(dims), e.sum(dims))
                    _same(t.mean(dims, keepdim=True), e.mean(dims, keepdim=True))


def test_non_contiguous_still_sums():
    a = _data((30, 40), np.float32)
    t, e = torch.from_numpy(a), ember.from_numpy(a)
    for f in (lambda x: x[:, ::2].sum(), lambda x: x[:, :7].sum(1), lambda x: x.flip(0).sum(0)):
        np.testing.assert_allclose(f(t).numpy(), f(e).numpy(), rtol=1e-5, atol=1e-3)


_SCRIPT = r'''
import sys, numpy as np, torch, ember
sys.path.insert(0, %r)
from test_sum_order import _data, _same
for n in (16, 63, 100, 1000, 5000, 70000):
    a = _data((n,), np.float32)
    _same(torch.from_numpy(a).sum(), ember.from_numpy(a).sum())
for shape, d in (((50, 70), 0), ((70, 50), 1), ((9, 300), 0)):
    a = _data(shape, np.float64)
    _same(torch.from_numpy(a).sum(d), ember.from_numpy(a).sum(d))
print('ok')
'''


@pytest.mark.parametrize('cap', ['avx2', 'default'])
def test_capability_override(cap):
    env = dict(os.environ, ATEN_CPU_CAPABILITY=cap)
    out = subprocess.run([sys.executable, '-c', _SCRIPT % os.path.dirname(__file__)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == 'ok', out.stderr[-2000:]


def test_capability_choice(monkeypatch):
    from ember.ops.sum_order import cpu_capability
    monkeypatch.setenv('ATEN_CPU_CAPABILITY', 'avx2')
    assert cpu_capability() == 'AVX2'
    monkeypatch.delenv('ATEN_CPU_CAPABILITY')
    assert cpu_capability() == torch.backends.cpu.get_cpu_capability()
