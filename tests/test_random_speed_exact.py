"""The quick paths of the CPU generator (cpu_stream.py, cpu_stream_math.py, fma.py) still draw PyTorch's
numbers bit for bit: float32/16/bfloat16/float64 normal with tails and mean/std, sizes around the
Box-Muller chunk (2048 blocks of 16), randperm on both sides of the short loop and large, randint with
32-bit and 64-bit words; and fma32's halfway fix (now found by a shift) still rounds once."""
import numpy as np
import pytest
import torch

import ember
from ember.ops.fma import fma32

CHUNK = 2048 * 16


def same(e, t):
    assert str(e.dtype).split('.')[-1] == str(t.dtype).split('.')[-1]
    if t.dtype in (torch.float16, torch.bfloat16):      # exactly representable in float32
        e, t = e.float(), t.float()
    a, b = e.numpy(), t.numpy()
    assert a.shape == b.shape
    assert np.array_equal(a.view(f'u{a.itemsize}'), b.view(f'u{b.itemsize}'))


@pytest.mark.parametrize('n', [15, 16, 17, 31, 33, 1000, CHUNK - 16, CHUNK, CHUNK + 16, CHUNK + 5,
                               2 * CHUNK + 7, 100_003])
@pytest.mark.parametrize('dtype', ['float32', 'float16', 'bfloat16', 'float64'])
def test_randn(n, dtype):
    for lib in (torch, ember):
        lib.manual_seed(n)
    same(ember.randn(n, dtype=getattr(ember, dtype)), torch.randn(n, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize('mean,std', [(2.0, 3.0), (-1.5, 0.1), (0.5, 1.0), (0.0, 1e-3), (1e4, 7.0)])
@pytest.mark.parametrize('dtype', ['float32', 'float16', 'bfloat16'])
def test_normal_mean_std(mean, std, dtype):
    for n in (17, CHUNK + 5, 70_000):
        for lib in (torch, ember):
            lib.manual_seed(3)
        e = ember.empty(n, dtype=getattr(ember, dtype)).normal_(mean, std)
        same(e, torch.empty(n, dtype=getattr(torch, dtype)).normal_(mean, std))
        for lib in (torch, ember):
            lib.manual_seed(4)
        same(ember.normal(mean, std, (n,), dtype=getattr(ember, dtype)),
             torch.normal(mean, std, (n,), dtype=getattr(torch, dtype)))


def test_randn_large_many_uniforms():
    """4M float32 normals: 4M uniforms through the float32 log and sincos."""
    for lib in (torch, ember):
        lib.manual_seed(12345)
    same(ember.randn(1 << 22), torch.randn(1 << 22))


@pytest.mark.parametrize('n', [0, 1, 2, 3, 17, 256, 257, 258, 1000, 4097, 65_537, 1_000_003])
def test_randperm(n):
    for seed in (0, 7):
        for lib in (torch, ember):
            lib.manual_seed(seed)
        same(ember.randperm(n), torch.randperm(n))


@pytest.mark.parametrize('low,high', [(0, 10), (-5, 5), (0, 1 << 27), (0, (1 << 28) - 1), (0, 1 << 28),
                                      (-(1 << 40), 1 << 40), (3, 1 << 32), ((1 << 62), (1 << 63) - 1)])
def test_randint(low, high):
    for lib in (torch, ember):
        lib.manual_seed(1)
    same(ember.randint(low, high, (10_001,)), torch.randint(low, high, (10_001,)))


def test_random_and_generator_stream_continues():
    """Draw after draw from one generator: the words used by each quick path are the right count."""
    ge, gt = ember.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    for f in (lambda T, g: T.randperm(3001, generator=g), lambda T, g: T.randn(CHUNK + 3, generator=g),
              lambda T, g: T.randint(0, 1000, (77,), generator=g),
              lambda T, g: T.randn(999, dtype=T.float64, generator=g),
              lambda T, g: T.randint(0, 1 << 30, (33,), generator=g)):
        same(f(ember, ge), f(torch, gt))


def test_fma32_ties():
    """float64 sums on a float32 halfway point: exact ones (to even) kept, inexact ones moved by the
    sum's exact error; 0-d and empty inputs."""
    f32 = np.float32
    a = np.array([1 + 2.0 ** -23, 1.0, 1 + 2.0 ** -23, 1.0, -1.0], f32)
    b = np.array([1 + 2.0 ** -23, 2.0 ** -24, 2.0 ** -24 - 2.0 ** -47, 2.0 ** -60, 2.0 ** -24], f32)
    c = np.array([-1.0, 1.0, 1 + 2.0 ** -23, 1.0, -1.0], f32)
    want = np.array([2.0 ** -22 + 2.0 ** -46, 1.0, 1 + 2.0 ** -23, 1.0, -1.0], f32)
    assert np.array_equal(fma32(a, b, c), want)
    assert np.array_equal(fma32(a, b, c[2]), [fma32(x, y, c[2]) for x, y in zip(a, b)])
    assert fma32(a[2], b[2], c[2]) == want[2]                                # 0-d, inexact halfway
    assert fma32(f32(1.0), f32(2.0 ** -24), f32(1.0)) == f32(1.0)          # exact halfway: to even
    assert fma32(np.empty(0, f32), f32(2), f32(1)).shape == (0,)
