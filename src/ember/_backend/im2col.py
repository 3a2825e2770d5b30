"""Convolution kernels by im2col + batched GEMM, for any number of spatial dims.

Works on NumPy and CuPy arrays alike (only ``as_strided``, ``matmul`` and slicing are used);
on the GPU, ``cudnn_conv.py`` serves them through cuDNN where it can, this GEMM path otherwise.
Arrays are channels-first: x (N, C, *S), w (O, C // groups, *K). ``pads`` is one (low, high)
pair per spatial dim.

    conv(x, w, ...)              y (N, O, *P)             the forward convolution
    conv_input(g, w, shape, ...) x-shaped                 its gradient wrt x (= transposed conv)
    conv_weight(x, g, kshape, ...) w-shaped               its gradient wrt w
"""
import itertools
import math

import numpy as np


def _xp(a):
    if type(a) is np.ndarray:
        return np
    import cupy
    return cupy


_SMALL_MNK = 1000000          # OpenBLAS (SkylakeX) multiplies products with M*N*K up to this without
_SMALL_MIN = 96               # packing, 1.3-2.5x faster on thin shapes (16x144 by 400: 115 GF/s, by
                              # 1086: 75); pieces of fewer columns than _SMALL_MIN gain nothing


def _piece(m, k, n):
    """Length of the pieces of n for which each m*k*piece product takes OpenBLAS's small-matrix
    kernel, or None when splitting does not pay."""
    p = _SMALL_MNK // max(m * k, 1)
    if p < _SMALL_MIN or n <= p:
        return None
    return -(-n // -(-n // p))


def matmul(a, b, out=None):
    """a (G, M, K) @ b (G, K, L), for float32 NumPy arrays the columns of b in pieces for the
    small-matrix kernel (one batched NumPy call). ``out``: a (G, M, L) array (any strides)."""
    small = type(b) is np.ndarray and a.shape[0] == 1 and a.dtype == b.dtype == np.float32
    p = _piece(a.shape[-2], a.shape[-1], b.shape[-1]) if small else None
    if p is None:
        return _xp(b).matmul(a, b, out=out)
    m, k, n = a.shape[1], a.shape[2], b.shape[2]
    if out is None:
        out = np.empty((1, m, n), np.result_type(a, b))
    full = n // p * p
    np.matmul(a[0], b[0, :, :full].reshape(k, -1, p).swapaxes(0, 1),
              out=out[0, :, :full].reshape(m, -1, p).swapaxes(0, 1))
    if full < n:
        np.matmul(a[0], b[0, :, full:], out=out[0, :, full:])
    return out


def out_size(size, k, stride, pads, dil):
    """Spatial output size of a convolution (may be <= 0 for invalid inputs)."""
    return tuple((s + lo + hi - d * (kk - 1) - 1) // st + 1
                 for s, kk, st, (lo, hi), d in zip(size, k, stride, pads, dil))


def _pad_cm(x, pads):
    """x (N, C, *S) -> zero-padded, channel-major (C, N, *S_padded) copy."""
    xp = _xp(x)
    shape = (x.shape[1], x.shape[0]) + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    if not any(lo or hi for lo, hi in pads):
        return xp.ascontiguousarray(x.swapaxes(0, 1))
    out = xp.zeros(shape, x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads))] = \
        x.swapaxes(0, 1)
    return out


_CHUNK_BYTES = 2 << 20       # patch blocks of about this size stay in cache between copy and GEMM


def _windows(x, k, stride, pads, dil):
    """A strided view (C, *K, N, *P) of every patch of the padded, channel-major x, and P."""
    xp = _xp(x)
    xpad = _pad_cm(x, pads)
    n, c = x.shape[:2]
    out = out_size(x.shape[2:], k, stride, pads, dil)
    st = xpad.strides
    sp = st[2:]
    win = xp.lib.stride_tricks.as_strided(
        xpad, (c,) + tuple(k) + (n,) + out,
        (st[0],) + tuple(s * d for s, d in zip(sp, dil)) + (st[1],) + tuple(s * t for s, t in zip(sp, stride)))
    return win, out


def _blocks(win, k, out, groups):
    """Yield (column slice, patches (G, Cg K, cols)) in cache-sized blocks over (N, P_0)."""
    c, n = win.shape[0], win.shape[1 + len(k)]
    kk = math.prod(k)
    rest = math.prod(out[1:])
    per_row = c * kk * rest * win.itemsize
    total = per_row * n * out[0]
    if total <= 4 * _CHUNK_BYTES:
        yield slice(None), win.reshape(groups, (c // groups) * kk, -1)
        return
    rows = max(1, _CHUNK_BYTES // max(per_row, 1))
    nk = 1 + len(k)
    for i in range(n):
        for r0 in range(0, out[0], rows):
            r1 = min(out[0], r0 + rows)
            start = (i * out[0] + r0) * rest
            block = win[(slice(None),) * nk + (i, slice(r0, r1))]
            yield slice(start, start + (r1 - r0) * rest), block.reshape(groups, (c // groups) * kk, -1)


def _to_batch_major(y, n, out):
    """(O, N * P) -> (N, O, *P) contiguous."""
    o = y.shape[0]
    if n == 1:
        return y.reshape((1, o) + tuple(out))
    return _xp(y).ascontiguousarray(y.reshape((o, n) + tuple(out)).swapaxes(0, 1))


def _to_channel_major(g):
    """(N, O, *P) -> (O, N * P) contiguous."""
    n, o = g.shape[:2]
    return _xp(g).ascontiguousarray(g.swapaxes(0, 1)).reshape(o, n * math.prod(g.shape[2:]))


def conv(x, w, stride, pads, dil, groups, keep=None):
    """``keep``: a dict that receives x's padded layout when a path builds one (handed back to
    ``conv_weight`` as ``kept``, it saves rebuilding it)."""
    if not x.size:                                  # an empty batch (or no channels): nothing to compute
        out = out_size(x.shape[2:], w.shape[2:], stride, pads, dil)
        return _xp(x).zeros((x.shape[0], w.shape[0]) + tuple(out), x.dtype)
    if type(x) is not np.ndarray:                   # a device array: cuDNN when it can serve it
        y = DNN.conv(x, w, out_size(x.shape[2:], w.shape[2:], stride, pads, dil), stride, pads, dil)
        if y is not None:
            return y
    if groups == 1 and CL.preferred(out_size(x.shape[2:], w.shape[2:], stride, pads, dil), w.shape[2:], stride,
                                   x.shape[1]):
        return CL.conv(x, w, stride, pads, dil, keep)
    if G.usable(stride, pads, w.shape[2:], dil, x.shape):
        return G.conv(x, w, stride, pads, dil, groups, keep)
    xp = _xp(x)
    n, o = x.shape[0], w.shape[0]
    win, out = _windows(x, w.shape[2:], stride, pads, dil)
    wm = w.reshape(groups, o // groups, -1)
    y = xp.empty((groups, o // groups, n * math.prod(out)), x.dtype)      # (G, Og, N * P)
    for cols_slice, cols in _blocks(win, w.shape[2:], out, groups):
        xp.matmul(wm, cols, out=y[:, :, cols_slice])
    return _to_batch_major(y.reshape(o, -1), n, out)


def conv_weight(x, g, kshape, stride, pads, dil, groups, kept=None):
    """Gradient wrt the weight: g (O, N P) @ patches^T (N P, Cg K), per group, summed over blocks."""
    if not x.size or not g.size:                    # an empty batch: no contribution
        return _xp(x).zeros((g.shape[1], x.shape[1] // groups) + tuple(kshape), x.dtype)
    if type(x) is not np.ndarray:
        gw = DNN.conv_weight(x, g, kshape, stride, pads, dil, groups)
        if gw is not None:
            return gw
    if groups == 1 and CL.preferred(g.shape[2:], kshape, stride, x.shape[1]):
        return CL.conv_weight(x, g, kshape, stride, pads, dil, kept)
    if G.usable(stride, pads, kshape, dil, x.shape):
        return G.conv_weight(x, g, kshape, stride, pads, dil, groups, kept)
    o = g.shape[1]
    win, out = _windows(x, kshape, stride, pads, dil)
    gm = _to_channel_major(g).reshape(groups, o // groups, -1)
    gwt = None
    for cols_slice, cols in _blocks(win, kshape, out, groups):
        part = _xp(x).matmul(cols, gm[:, :, cols_slice].swapaxes(-1, -2))     # (G, Cg K, Og): faster
        gwt = part if gwt is None else gwt + part
    gw = _xp(x).ascontiguousarray(gwt.swapaxes(-1, -2))
    return gw.reshape((o, x.shape[1] // groups) + tuple(kshape))


def conv_input(g, w, xshape, stride, pads, dil, groups):
    """Gradient wrt the input (also the transposed convolution): scatter W^T g back to patches."""
    if not g.size:                                  # an empty batch (or no channels)
        return _xp(g).zeros(tuple(xshape), g.dtype)
    if type(g) is not np.ndarray:
        gx = DNN.conv_input(g, w, xshape, stride, pads, dil)
        if gx is not None:
            return gx
    if groups == 1 and CL.preferred(g.shape[2:], w.shape[2:], stride, w.shape[1] * groups, grad_input=True):
        return CL.conv_input(g, w, xshape, stride, pads, dil)
    if all(s == 1 for s in stride):
        gp = G.input_pads(xshape, g.shape, w.shape[2:], pads, dil)
        if gp is not None and G.usable(stride, gp, w.shape[2:], dil, g.shape, math.prod(g.shape[2:])):
            return G.conv_input_s1(g, w, xshape, pads, dil, groups)
    if G.usable(stride, pads, w.shape[2:], dil, xshape):
        return G.conv_input(g, w, xshape, stride, pads, dil, groups)
    xp = _xp(g)
    n, o = g.shape[:2]
    out = g.shape[2:]
    k = w.shape[2:]
    cg = w.shape[1]
    wm = w.reshape(groups, o // groups, -1)
    gm = _to_channel_major(g).reshape(groups, o // groups, -1)
    dcols = xp.matmul(wm.swapaxes(-1, -2), gm)            # (G, Cg K, N P)
    dcols = dcols.reshape((groups * cg,) + tuple(k) + (n,) + tuple(out))
    return col2im(dcols, xshape, stride, pads, dil)


def tap_regions(k, stride, dil, out):
    """Each kernel offset ``idx`` with the slices of the padded input its outputs read."""
    for idx in itertools.product(*(range(kk) for kk in k)):
        yield idx, tuple(slice(i * d, i * d + st * (p - 1) + 1, st) for i, d, st, p in zip(idx, dil, stride, out))


def col2im(dcols, xshape, stride, pads, dil):
    """Sum patches back into an image: dcols (C, *K, N, *P) -> (N, C, *S) (overlaps add up)."""
    xp = _xp(dcols)
    nd = len(xshape) - 2
    k, n, out = dcols.shape[1:1 + nd], dcols.shape[1 + nd], dcols.shape[2 + nd:]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pads))
    acc = xp.zeros((dcols.shape[0], n) + padded, dcols.dtype)
    for idx, region in tap_regions(k, stride, dil, out):
        acc[(slice(None), slice(None)) + region] += dcols[(slice(None),) + idx]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(xshape[2:], pads))
    res = acc[(slice(None), slice(None)) + crop]
    if n == 1 and res.flags.c_contiguous:
        return res.reshape((1,) + res.shape[:1] + res.shape[2:])
    return xp.ascontiguousarray(res.swapaxes(0, 1)) if n != 1 else res.copy().reshape(
        (1,) + res.shape[:1] + res.shape[2:])


def im2col(x, k, stride, pads, dil):
    """Every patch of x (N, C, *S) as (N, C * prod(K), prod(P)) (F.unfold's layout)."""
    win, out = _windows(x, k, stride, pads, dil)              # (C, *K, N, *P)
    nd = len(k)
    c, n = x.shape[1], x.shape[0]
    moved = _xp(x).moveaxis(win, 1 + nd, 0)                   # (N, C, *K, *P)
    return _xp(x).ascontiguousarray(moved).reshape(n, c * math.prod(k), math.prod(out))


from . import conv_grid as G  # noqa: E402  (they build on the helpers above)
from . import conv_cl as CL  # noqa: E402
from . import cudnn_conv as DNN  # noqa: E402
