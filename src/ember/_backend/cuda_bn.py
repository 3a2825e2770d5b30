"""Batch norm on CUDA arrays in a few fused CuPy kernels.

On a GPU the cost of batch norm is the number of kernel launches, not the arithmetic: the
generic array code (``ops/normalization.py``) takes about twenty launches for a training
forward and as many for its backward. Here a training forward is four (the per-channel sum,
the centred sum of squares, a per-channel finalize that also updates the running statistics,
and one pass for y = x * scale + shift) and a backward is four (two per-channel reductions,
the per-channel weight/bias gradients, one pass for the input gradient). Sums are accumulated
in float64 for every input dtype.

Real CuPy only: ``kernels()`` is None for the test stand-in (it has no kernel compiler) or if
a kernel fails to compile, and the caller keeps its generic path.
"""
import functools

import numpy as np

from . import fused


@functools.lru_cache(maxsize=None)
def kernels(dtype):
    """The kernels for one input dtype (float16/32/64), or None when they cannot be had."""
    return fused.build('batch-norm', dtype, _Kernels, _self_check)


def _self_check(k, cupy, dtype):
    """Run every kernel once on a small problem and compare with NumPy in float64 (compiles
    them, and keeps a wrong kernel from ever being used)."""
    rng = np.random.default_rng(0)
    x, g = rng.standard_normal((2, 3, 5)) + 1.5, rng.standard_normal((2, 3, 5))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = np.full(3, 0.5), np.full(3, 2.0)
    dev = [cupy.asarray(a.astype(dtype)) for a in (x, g, w, b)]
    run_m, run_v = cupy.asarray(rm.astype(np.float32)), cupy.asarray(rv.astype(np.float32))
    y, stats = forward_train(k, dev[0], dev[2], dev[3], 1e-5, 0.1, run_m, run_v)
    gx, gw, gb = backward_train(k, dev[1], dev[0], dev[2], stats)
    ye, _ = forward_eval(k, dev[0], dev[2], dev[3], 1e-5, run_m, run_v)
    x, g, w, b = (a.astype(dtype).astype(np.float64) for a in (x, g, w, b))
    mean, var = x.mean((0, 2)), x.var((0, 2))
    invstd = 1 / np.sqrt(var + 1e-5)
    xh = (x - mean[:, None]) * invstd[:, None]
    gxh = g * w[:, None]
    want = {'y': xh * w[:, None] + b[:, None], 'gw': (g * xh).sum((0, 2)), 'gb': g.sum((0, 2)),
            'gx': invstd[:, None] * (gxh - gxh.mean((0, 2))[:, None] - xh * (gxh * xh).mean((0, 2))[:, None]),
            'running_mean': 0.9 * rm + 0.1 * mean, 'running_var': 0.9 * rv + 0.1 * var * 10 / 9}
    rm2, rv2 = (cupy.asnumpy(a).astype(np.float64) for a in (run_m, run_v))     # what eval read
    want['y_eval'] = (x - rm2[:, None]) / np.sqrt(rv2[:, None] + 1e-5) * w[:, None] + b[:, None]
    got = {'y': y, 'gw': gw, 'gb': gb, 'gx': gx, 'running_mean': run_m, 'running_var': run_v, 'y_eval': ye}
    tol = {2: 2e-2, 4: 1e-4, 8: 1e-10}[dtype.itemsize]
    for name, value in want.items():
        have = cupy.asnumpy(got[name]).astype(np.float64)
        t = max(tol, 1e-5) if name.startswith('running') else tol      # float32 running statistics
        if not np.allclose(have, value, rtol=t, atol=t):
            raise ArithmeticError(f'self-check of {name} failed: max error {np.abs(have - value).max():.3g}')


class _Kernels:
    def __init__(self, cupy, dtype):
        acc = fused.acc(dtype)
        d = f'(double)({acc})'                      # any T to double (float16 converts through float)
        ew, red = cupy.ElementwiseKernel, cupy.ReductionKernel
        self.sum = red('T x', 'float64 y', f'{d}x', 'a + b', 'y = a', '0', 'ember_bn_sum', reduce_type='double')
        self.csq = red('T x, float64 m', 'float64 y', f'({d}x - m) * ({d}x - m)', 'a + b', 'y = a', '0',
                       'ember_bn_csq', reduce_type='double')
        self.gxc = red('T g, T x, float64 m', 'float64 y', f'{d}g * ({d}x - m)', 'a + b', 'y = a', '0',
                       'ember_bn_gxc', reduce_type='double')
        # per channel: mean and invstd (float64, kept for backward), scale and shift in T
        self.finalize = ew(
            'float64 s, float64 q, T w, T b, float64 n, float64 eps', 'float64 mean, float64 invstd, T scale, T shift',
            f'mean = s / n; invstd = rsqrt(q / n + eps); double sc = invstd * {d}w;'
            f'scale = (T)({acc})sc; shift = (T)({acc})({d}b - mean * sc);', 'ember_bn_finalize')
        self.running = ew(
            'float64 mean, float64 q, float64 n, float64 momentum', 'R rm, R rv',
            'rm = (R)((1.0 - momentum) * (double)rm + momentum * mean);'
            'rv = (R)((1.0 - momentum) * (double)rv + momentum * (q / (n > 1.0 ? n - 1.0 : 1.0)));',
            'ember_bn_running')
        self.apply = ew('T x, T scale, T shift', 'T y', f'y = (T)(({acc})x * ({acc})scale + ({acc})shift)',
                        'ember_bn_apply')
        self.params_grad = ew('float64 sg, float64 sgx, float64 invstd', 'T gw, T gb',
                              f'gw = (T)({acc})(sgx * invstd); gb = (T)({acc})sg', 'ember_bn_params_grad')
        self.input_grad = ew(
            'T g, T x, float64 m, float64 invstd, T w, float64 sg, float64 sgx, float64 n', 'T gx',
            f'double xh = ({d}x - m) * invstd;'
            f'gx = (T)({acc})(invstd * {d}w * ({d}g - sg / n - xh * sgx * invstd / n));', 'ember_bn_input_grad')
        self._unit = {}

    def unit(self, c, dtype, value):
        """A cached (C,) array of ones or zeros: the weight or bias when the layer has none."""
        import cupy
        key = (c, dtype.char, value, cupy.cuda.runtime.getDevice())
        a = self._unit.get(key)
        if a is None:
            a = self._unit[key] = cupy.full((c,), value, dtype)
        return a


def _chan(a, c):
    return a.reshape(1, c, 1)


def forward_train(k, x, w, b, eps, momentum, running_mean, running_var):
    """y, (mean, invstd) as float64 (C,) arrays; running statistics updated in place."""
    n_, c = x.shape[:2]
    x3 = x.reshape(n_, c, -1)
    n = float(x3.shape[0] * x3.shape[2])
    s = k.sum(x3, axis=(0, 2))
    q = k.csq(x3, _chan(s / n, c), axis=(0, 2))
    w = k.unit(c, x.dtype, 1) if w is None else w
    b = k.unit(c, x.dtype, 0) if b is None else b
    mean, invstd, scale, shift = k.finalize(s, q, w, b, n, float(eps))
    if running_mean is not None and running_var is not None:
        k.running(mean, q, n, float(momentum), running_mean, running_var)
    elif running_mean is not None or running_var is not None:
        return None                          # one running statistic only: the generic path handles it
    y = k.apply(x3, _chan(scale, c), _chan(shift, c))
    return y.reshape(x.shape), (mean, invstd)


def forward_eval(k, x, w, b, eps, running_mean, running_var):
    n_, c = x.shape[:2]
    w = k.unit(c, x.dtype, 1) if w is None else w
    b = k.unit(c, x.dtype, 0) if b is None else b
    mean, invstd, scale, shift = k.finalize(running_mean, running_var, w, b, 1.0, float(eps))
    y = k.apply(x.reshape(n_, c, -1), _chan(scale, c), _chan(shift, c))
    return y.reshape(x.shape), (mean, invstd)


def backward_train(k, g, x, w, stats):
    """(gx, gw, gb) of a training-mode batch norm; gw/gb as (C,) arrays in x's dtype."""
    mean, invstd = stats
    n_, c = x.shape[:2]
    g3, x3 = g.reshape(n_, c, -1), x.reshape(n_, c, -1)
    n = float(x3.shape[0] * x3.shape[2])
    sg = k.sum(g3, axis=(0, 2))
    sgx = k.gxc(g3, x3, _chan(mean, c), axis=(0, 2))
    gw, gb = k.params_grad(sg, sgx, invstd)
    w = k.unit(c, x.dtype, 1) if w is None else w
    gx = k.input_grad(g3, x3, _chan(mean, c), _chan(invstd, c), _chan(w, c), _chan(sg, c), _chan(sgx, c), n)
    return gx.reshape(x.shape), gw, gb
