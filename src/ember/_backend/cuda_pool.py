"""2-d max pooling on CUDA arrays as two fused CuPy kernels.

The generic pooling code (``pool.py``) takes about fifty launches for a max-pool forward and
its gradient. Here the forward is one launch (each output element walks its window; the first
maximum wins, a NaN always takes over, as in PyTorch) and the gradient one launch after the
zero fill (each output gradient is added at its argmax, atomically, since windows may
overlap). float32 and float64 only (float16 and the 1-d/3-d cases keep the generic path).

Real CuPy only: ``kernels()`` is None for the test stand-in, or when the kernels fail to
compile or to agree with the generic code on a small problem.
"""
import functools

import numpy as np

from . import fused

_FORWARD = '''
    const long long plane = i / ((long long)OH * OW);
    const int r = (int)(i % ((long long)OH * OW));
    const int oh = r / OW, ow = r % OW;
    const long long base = plane * H * W;
    const int h0 = oh * sh - ph, w0 = ow * sw - pw;
    int hs = h0, ws = w0;
    while (hs < 0) hs += dh;
    while (ws < 0) ws += dw;
    long long best_i = (long long)hs * W + ws;
    ACC best = NEG_INF;
    for (int a = 0; a < kh; ++a) {
        const int h = h0 + a * dh;
        if (h < 0 || h >= H) continue;
        for (int b = 0; b < kw; ++b) {
            const int w = w0 + b * dw;
            if (w < 0 || w >= W) continue;
            const ACC v = (ACC)x[base + (long long)h * W + w];
            if (v > best || isnan(v)) { best = v; best_i = (long long)h * W + w; }
        }
    }
    y = (T)best;
    idx = best_i;'''

_SCATTER = 'atomicAdd(&gx[(i / OHW) * HW + idx], g)'


class _Kernels:
    def __init__(self, cupy, dtype):
        acc = fused.acc(dtype)
        neg_inf = '__longlong_as_double(0xfff0000000000000ULL)' if acc == 'double' else '__int_as_float(0xff800000)'
        self.forward = cupy.ElementwiseKernel(
            'raw T x, int32 H, int32 W, int32 OH, int32 OW, int32 kh, int32 kw, int32 sh, int32 sw, int32 ph, '
            'int32 pw, int32 dh, int32 dw', 'T y, int64 idx',
            _FORWARD.replace('NEG_INF', neg_inf).replace('ACC', acc), 'ember_max_pool2d')
        self.scatter = cupy.ElementwiseKernel('T g, int64 idx, int64 OHW, int64 HW', 'raw T gx', _SCATTER,
                                              'ember_max_pool2d_grad')


@functools.lru_cache(maxsize=None)
def kernels(dtype):
    """The kernels for float32/float64, or None when they cannot be had."""
    if np.dtype(dtype) not in (np.float32, np.float64):
        return None
    return fused.build('max-pool', dtype, _Kernels, _self_check)


def max_pool2d(k, x, kernel, stride, pads, dil):
    """(values, flat indices) of a 2-d max pool of x (N, C, H, W); ``pads`` (low, high) pairs."""
    import cupy
    n, c, h, w = x.shape
    oh, ow = ((s + lo + hi - d * (kk - 1) - 1) // st + 1
              for s, (lo, hi), d, kk, st in zip((h, w), pads, dil, kernel, stride))
    y = cupy.empty((n, c, oh, ow), x.dtype)
    idx = cupy.empty((n, c, oh, ow), np.int64)
    if y.size:
        k.forward(cupy.ascontiguousarray(x), h, w, oh, ow, kernel[0], kernel[1], stride[0], stride[1],
                  pads[0][0], pads[1][0], dil[0], dil[1], y, idx)
    return y, idx


def scatter2d(k, g, idx, shape):
    """zeros(shape) with each g added at its flat index ``idx`` in the last two dims' plane."""
    import cupy
    out = cupy.zeros(shape, g.dtype)
    if g.size:
        k.scatter(cupy.ascontiguousarray(g), cupy.ascontiguousarray(idx), g.shape[-2] * g.shape[-1],
                  shape[-2] * shape[-1], out)
    return out


def _self_check(k, cupy, dtype):
    """Compare with the generic NumPy path: overlapping and dilated windows, padding (ceil-mode
    high padding too), a NaN, a window of -inf only; and the gradient scatter."""
    from . import pool
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 7, 6)).astype(dtype)
    x[0, 0, 1, 2] = np.nan
    x[1, 2, :3, :3] = -np.inf
    for kernel, stride, pads, dil in [((3, 3), (2, 2), ((1, 1), (1, 1)), (1, 1)), ((2, 3), (1, 2), ((0, 1), (1, 2)), (2, 1)),
                                      ((2, 2), (2, 2), ((0, 0), (0, 0)), (1, 1))]:
        want_y, want_i = pool.max_pool(x, kernel, stride, pads, dil)
        y, idx = max_pool2d(k, cupy.asarray(x), kernel, stride, pads, dil)
        if not (np.array_equal(cupy.asnumpy(y), want_y, equal_nan=True) and np.array_equal(cupy.asnumpy(idx), want_i)):
            raise ArithmeticError(f'self-check of the forward failed (kernel {kernel}, stride {stride})')
        g = rng.standard_normal(want_y.shape).astype(dtype)
        want = np.zeros(x.shape, dtype).reshape(6, -1)
        np.add.at(want, (np.arange(6)[:, None], want_i.reshape(6, -1)), g.reshape(6, -1))
        got = cupy.asnumpy(scatter2d(k, cupy.asarray(g), idx, x.shape))
        if not np.allclose(got, want.reshape(x.shape), rtol=1e-5, atol=1e-6):
            raise ArithmeticError(f'self-check of the gradient failed (kernel {kernel}, stride {stride})')
