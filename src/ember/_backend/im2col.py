"""Convolution kernels by im2col + batched GEMM, for any number of spatial dims.

Works on NumPy and CuPy arrays alike (only ``as_strided``, ``matmul`` and slicing are used);
the GPU backend may replace these with cuDNN. Arrays are channels-first: x (N, C, *S),
w (O, C // groups, *K). ``pads`` is one (low, high) pair per spatial dim.

    conv(x, w, ...)              y (N, O, *P)             the forward convolution
    conv_input(g, w, shape, ...) x-shaped                 its gradient wrt x (= transposed conv)
    conv_weight(x, g, kshape, ...) w-shaped               its gradient wrt w
"""
import itertools

import numpy as np


def _xp(a):
    if type(a) is np.ndarray:
        return np
    import cupy
    return cupy


def out_size(size, k, stride, pads, dil):
    """Spatial output size of a convolution (may be <= 0 for invalid inputs)."""
    return tuple((s + lo + hi - d * (kk - 1) - 1) // st + 1
                 for s, kk, st, (lo, hi), d in zip(size, k, stride, pads, dil))


def _pad(x, pads):
    if not any(lo or hi for lo, hi in pads):
        return x
    xp = _xp(x)
    shape = x.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    out = xp.zeros(shape, x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads))] = x
    return out


def _cols(x, k, stride, pads, dil, groups):
    """Patches of x as (N, G, Cg * prod(K), prod(P)) and the output size P."""
    xp = _xp(x)
    xpad = _pad(x, pads)
    n, c = x.shape[:2]
    out = out_size(x.shape[2:], k, stride, pads, dil)
    sp = xpad.strides[2:]
    win = xp.lib.stride_tricks.as_strided(
        xpad, (n, c) + tuple(k) + out,
        xpad.strides[:2] + tuple(s * d for s, d in zip(sp, dil)) + tuple(s * t for s, t in zip(sp, stride)))
    kk, pp = int(np.prod(k)), int(np.prod(out))
    cols = win.reshape(n, groups, (c // groups) * kk, pp)        # copies the patches once
    return cols, out


def conv(x, w, stride, pads, dil, groups):
    n = x.shape[0]
    o = w.shape[0]
    cols, out = _cols(x, w.shape[2:], stride, pads, dil, groups)
    wm = w.reshape(groups, o // groups, -1)
    y = _xp(x).matmul(wm, cols)                  # (N, G, Og, P)
    return y.reshape((n, o) + out)


def conv_weight(x, g, kshape, stride, pads, dil, groups):
    """Gradient wrt the weight: sum over the batch of g (Og, P) @ patches (P, Cg K)."""
    n, o = g.shape[:2]
    cols, out = _cols(x, kshape, stride, pads, dil, groups)
    gm = g.reshape(n, groups, o // groups, cols.shape[3])
    xp = _xp(x)
    gw = xp.matmul(gm, cols.swapaxes(-1, -2)).sum(axis=0) if n else \
        xp.zeros((groups, o // groups, cols.shape[2]), g.dtype)
    return gw.reshape((o, x.shape[1] // groups) + tuple(kshape))


def conv_input(g, w, xshape, stride, pads, dil, groups):
    """Gradient wrt the input (also the transposed convolution): scatter W^T g back to patches."""
    xp = _xp(g)
    n, o = g.shape[:2]
    out = g.shape[2:]
    k = w.shape[2:]
    cg = w.shape[1]
    wm = w.reshape(groups, o // groups, -1)
    dcols = xp.matmul(wm.swapaxes(-1, -2), g.reshape(n, groups, o // groups, int(np.prod(out))))   # (N, G, CgK, P)
    dcols = dcols.reshape((n, groups * cg) + tuple(k) + tuple(out))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pads))
    acc = xp.zeros((n, groups * cg) + padded, g.dtype)
    nd = len(k)
    for idx in itertools.product(*(range(kk) for kk in k)):
        region = tuple(slice(i * d, i * d + st * (p - 1) + 1, st) for i, d, st, p in zip(idx, dil, stride, out))
        acc[(slice(None), slice(None)) + region] += dcols[(slice(None), slice(None)) + idx + (slice(None),) * nd]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(xshape[2:], pads))
    res = acc[(slice(None), slice(None)) + crop]
    return res if res.flags.c_contiguous else xp.ascontiguousarray(res)
