"""d2l helper A: float arange values bit-identical to PyTorch's CPU kernel (blocked, fused; d2l's
``torch.arange(-8.0, 8.0, 0.1)`` has 4.4409e-16 where 0 would be expected)."""
import numpy as np
import pytest
import torch

import ember

CASES = [(-8.0, 8.0, 0.1), (0.0, 1.0, 0.1), (-7, 7, 0.01), (0.3, 100.7, 0.37), (10, 0, -0.3),
         (-1.0, 1.0, 0.3), (1.5, 4.4, 1 / 3), (-20.2, 31.9, 0.013), (-1.0, 32.3, 1 / 3)]


def _same(a, b):
    x = a.float().numpy() if a.dtype in (torch.float16, torch.bfloat16) else a.numpy()
    y = b.float().numpy() if b.dtype in (ember.float16, ember.bfloat16) else b.numpy()
    assert x.dtype == y.dtype and x.shape == y.shape
    np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize('dt', ['float32', 'float64', 'float16', 'bfloat16'])
def test_float_arange_bits(dt):
    for c in CASES:
        _same(torch.arange(*c, dtype=getattr(torch, dt)), ember.arange(*c, dtype=getattr(ember, dt)))


def test_d2l_arange_default_dtype():
    t, e = torch.arange(-8.0, 8.0, 0.1), ember.arange(-8.0, 8.0, 0.1)
    _same(t, e)
    assert str(t[80]) == str(e[80]).replace('ember', 'torch') == 'tensor(4.4409e-16)'


@pytest.mark.parametrize('threads', [1, 3])
def test_float_arange_thread_chunks(threads):
    before_t, before_e = torch.get_num_threads(), ember.get_num_threads()
    torch.set_num_threads(threads)
    ember.set_num_threads(threads)
    try:
        for c in [(-8.0, 8.0, 0.0001), (0.3, 10000.3, 0.1)]:
            for dt in ('float32', 'float64'):
                _same(torch.arange(*c, dtype=getattr(torch, dt)), ember.arange(*c, dtype=getattr(ember, dt)))
    finally:
        torch.set_num_threads(before_t)
        ember.set_num_threads(before_e)


def test_float_arange_out_and_grad():
    o = ember.empty(3)
    ember.arange(0.0, 0.3, 0.1, out=o)
    _same(torch.arange(0.0, 0.3, 0.1), o)
    e = ember.arange(-1.0, 1.0, 0.25, requires_grad=True)
    assert e.requires_grad and e.is_leaf
    _same(torch.arange(-1.0, 1.0, 0.25), e.detach())


def test_float_arange_random_ranges():
    """Seeded sweep: starts around zero crossings, steps exact and inexact, lengths around the block
    and chunk sizes, all four float dtypes."""
    rng = np.random.default_rng(5)
    for _ in range(60):
        start = float(rng.choice([0.0, -8.0, rng.uniform(-100, 100), rng.uniform(-1, 1)]))
        step = float(rng.choice([0.1, 0.37, 1 / 3, rng.uniform(0.001, 2), 0.5, 3.0]))
        step = -step if rng.random() < 0.3 else step
        n = int(rng.choice([1, 15, 16, 17, 33, 100, 1000, 40000]))
        for dt in ('float32', 'float64', 'float16', 'bfloat16'):
            if dt in ('float16', 'bfloat16') and n > 1000:
                continue
            try:
                t = torch.arange(start, start + step * n, step, dtype=getattr(torch, dt))
            except RuntimeError:        # a 16-bit end that overflows or collapses: not this test's business
                continue
            _same(t, ember.arange(start, start + step * n, step, dtype=getattr(ember, dt)))
