"""Optimizer updates on CUDA arrays as one fused CuPy kernel per parameter.

The generic update (``optim/sgd.py``) is a handful of array operations per parameter; on a
GPU each is a kernel launch, and a ResNet-18 has 62 parameters. ``sgd_kernels`` do weight decay,
momentum (with dampening and Nesterov) and the step in one launch, computing each element in
float (double for float64) and rounding once per stored value.

Real CuPy only: ``sgd_kernels()`` is None for the test stand-in or when the kernel fails to
compile or to agree with NumPy on a small problem; the caller then keeps its generic path.
"""
import functools

import numpy as np

from . import fused


@functools.lru_cache(maxsize=None)
def sgd_kernels(dtype):
    """(with momentum, without) kernels for one parameter dtype, or None."""
    return fused.build('SGD', dtype, make_sgd, _check)


def make_sgd(cupy, dtype):
    acc = fused.acc(dtype)
    grad = f'''{acc} d = maximize ? -({acc})g : ({acc})g;
        if (wd != 0) d += ({acc})wd * ({acc})x;'''
    momentum = cupy.ElementwiseKernel(
        'T g, float64 lr, float64 wd, float64 mom, float64 damp, bool nesterov, bool maximize, bool first',
        'T x, T buf',
        f'''{grad}
        {acc} b = first ? d : ({acc})mom * ({acc})buf + ({acc})(1.0 - damp) * d;
        buf = (T)b;
        d = nesterov ? d + ({acc})mom * b : b;
        x = (T)(({acc})x - ({acc})lr * d);''', 'ember_sgd_momentum')
    plain = cupy.ElementwiseKernel('T g, float64 lr, float64 wd, bool maximize', 'T x', f'''{grad}
        x = (T)(({acc})x - ({acc})lr * d);''', 'ember_sgd')
    return momentum, plain


def reference(x, g, buf, lr, wd, mom, damp, nesterov, maximize):
    """PyTorch's SGD rule on NumPy arrays (float64): the new x and momentum buffer."""
    d = -g if maximize else g
    if wd:
        d = d + wd * x
    if mom:
        buf = d if buf is None else mom * buf + (1 - damp) * d
        d = d + mom * buf if nesterov else buf
    return x - lr * d, buf


def _check(kernels, cupy, dtype):
    momentum, plain = kernels
    rng = np.random.default_rng(0)
    x, g, buf = (rng.standard_normal(7) for _ in range(3))
    tol = {2: 1e-2, 4: 1e-5, 8: 1e-12}[dtype.itemsize]
    for wd, mom, damp, nesterov, maximize, first in [(0, 0, 0, False, False, False), (0.1, 0.9, 0, True, False, False),
                                                     (0.01, 0.8, 0.3, False, True, False),
                                                     (0, 0.9, 0, False, False, True)]:
        dx, dg, db = (cupy.asarray(a.astype(dtype)) for a in (x, g, buf))
        if mom:
            momentum(dg, 0.1, wd, mom, damp, nesterov, maximize, first, dx, db)
        else:
            plain(dg, 0.1, wd, maximize, dx)
        hx, hg, hb = (a.astype(dtype).astype(np.float64) for a in (x, g, buf))
        want_x, want_b = reference(hx, hg, None if first else hb, 0.1, wd, mom, damp, nesterov, maximize)
        ok = np.allclose(cupy.asnumpy(dx).astype(np.float64), want_x, rtol=tol, atol=tol)
        if mom:
            ok = ok and np.allclose(cupy.asnumpy(db).astype(np.float64), want_b, rtol=tol, atol=tol)
        if not ok:
            raise ArithmeticError(f'self-check failed (wd={wd}, momentum={mom}, nesterov={nesterov})')
