"""Pooling kernels on channels-first arrays (N, C, *S), for NumPy and CuPy alike.

    windows(x, k, stride, pads, dil, fill)  (N, C, *P, prod(K)) copy of every window
    max_pool(...)                            values and flat input indices (PyTorch's)
    avg_pool(...)                            window sums / divisors
    averaging_matrix(n_in, n_out)            the adaptive-average map along one dim
"""
import itertools

import numpy as np

from .im2col import _xp


def pool_out(size, k, stride, pad, dil, ceil_mode):
    """PyTorch's pooling output size along one dim."""
    span = size + 2 * pad - dil * (k - 1) - 1
    out = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def windows(x, k, stride, pads, dil, fill):
    """Every pooling window, padded with ``fill``: (N, C, *P, prod(K)) and the output size P.

    ``pads`` are (low, high) pairs; high may exceed low (ceil_mode windows past the end)."""
    xp = _xp(x)
    n, c = x.shape[:2]
    shape = (n, c) + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    if any(lo or hi for lo, hi in pads):
        xpad = xp.full(shape, fill, x.dtype)
        xpad[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads))] = x
    else:
        xpad = x
    out = tuple((s - d * (kk - 1) - 1) // st + 1 for s, kk, st, d in zip(shape[2:], k, stride, dil))
    sp = xpad.strides[2:]
    win = xp.lib.stride_tricks.as_strided(
        xpad, (n, c) + out + tuple(k),
        xpad.strides[:2] + tuple(s * t for s, t in zip(sp, stride)) + tuple(s * d for s, d in zip(sp, dil)))
    return win.reshape((n, c) + out + (int(np.prod(k)),)), out


def _lowest(dtype):
    if dtype.kind == 'f' or dtype.name == 'bfloat16':
        return -np.inf
    return np.iinfo(dtype).min


def max_pool(x, k, stride, pads, dil):
    """Max over each window; indices are flat positions in the unpadded input plane.

    Works on output-sized strided views, one per kernel offset (no copy of the windows): the
    maximum is a chain of ``maximum``; the position of the first maximum comes from equality
    tests taken in reverse offset order with integer arithmetic (no masked writes, which are
    slow on strided views). A NaN always takes over, so the last NaN of a window wins, as in
    PyTorch."""
    if len(k) == 2 and type(x) is not np.ndarray:           # a CUDA array: one fused kernel if it serves
        from . import cuda_pool
        kern = cuda_pool.kernels(x.dtype)
        if kern is not None:
            return cuda_pool.max_pool2d(kern, x, k, stride, pads, dil)
    xp = _xp(x)
    n, c = x.shape[:2]
    nd = len(k)
    plane = x.shape[2:]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(plane, pads))
    if any(lo or hi for lo, hi in pads):
        xpad = xp.full((n, c) + padded, _lowest(x.dtype), x.dtype)
        xpad[(slice(None), slice(None)) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(plane, pads))] = x
    else:
        xpad = x
    out = tuple((s - d * (kk - 1) - 1) // st + 1 for s, kk, st, d in zip(padded, k, stride, dil))
    offsets = list(itertools.product(*(range(kk) for kk in k)))
    views = [xpad[(slice(None), slice(None)) + tuple(
        slice(o * d, o * d + st * (p - 1) + 1, st) for o, d, st, p in zip(off, dil, stride, out))]
        for off in offsets]
    # where each offset lands in the input plane, relative to the window's corner
    strides = [int(np.prod(plane[d + 1:])) for d in range(nd)]
    shift = [sum(o * dl * st for o, dl, st in zip(off, dil, strides)) for off in offsets]
    small = int(np.prod(plane)) < 2 ** 31
    pos = xp.full(views[0].shape, shift[0], np.int32 if small else np.int64)
    best = views[0].copy()
    if x.dtype.kind == 'f' and bool(xp.isnan(x).any()):
        for j in range(1, len(views)):          # the masked path: only when NaNs are present
            take = (views[j] > best) | xp.isnan(views[j])
            xp.copyto(best, views[j], where=take)
            xp.copyto(pos, shift[j], where=take)
    else:
        pos[...] = shift[-1]
        for v in views[1:]:
            xp.maximum(best, v, out=best)
        for j in range(len(views) - 2, -1, -1):    # reverse order: the first maximum is kept
            hit = xp.equal(views[j], best)
            step = shift[j] - pos
            step *= hit
            pos += step
    corner = first = 0
    for d in range(nd):
        shape = [1] * nd
        shape[d] = out[d]
        start = (xp.arange(out[d]) * stride[d] - pads[d][0]).reshape(shape)
        corner = corner + start * strides[d]
        # the window's first position inside the input (PyTorch's index when nothing beats the lowest value)
        first = first + xp.where(start < 0, start + (-start + dil[d] - 1) // dil[d] * dil[d], start) * strides[d]
    idx = pos + corner
    low = best == _lowest(x.dtype)
    return best, (xp.where(low, first, idx) if bool(low.any()) else idx)


def avg_pool(x, k, stride, pads, ceil_pads, count_include_pad, divisor_override):
    """Mean over each window; ``pads`` the user's padding, ``ceil_pads`` the extra right padding
    from ceil_mode (never counted)."""
    xp = _xp(x)
    full = tuple((lo, lo + e) for (lo, _), e in zip(pads, ceil_pads))
    dil = (1,) * len(k)
    win, out = windows(x, k, stride, full, dil, 0)
    acc = x.dtype if x.dtype.kind == 'f' else np.int64
    total = win.sum(axis=-1, dtype=acc)
    div = divisor(x.shape[2:], k, stride, pads, ceil_pads, count_include_pad, divisor_override, xp)
    if x.dtype.kind == 'f':
        return (total / div).astype(x.dtype, copy=False), div
    return (total // div).astype(x.dtype), div


def divisor(size, k, stride, pads, ceil_pads, count_include_pad, divisor_override, xp):
    """The number each window sum is divided by, broadcastable to (N, C, *P)."""
    nd = len(k)
    if divisor_override:
        return divisor_override
    div = 1
    for d in range(nd):
        lo = pads[d][0]
        n_out = (size[d] + 2 * lo + ceil_pads[d] - k[d]) // stride[d] + 1
        start = np.arange(n_out) * stride[d] - lo
        end = np.minimum(start + k[d], size[d] + lo)          # windows may not count ceil padding
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size[d])
        shape = [1] * nd
        shape[d] = n_out
        div = div * (end - start).reshape(shape)
    return xp.asarray(div)


def averaging_matrix(n_in, n_out, dtype, xp):
    """A (n_out, n_in) with A @ v the adaptive average of v (PyTorch's start/end rule)."""
    a = np.zeros((n_out, n_in), dtype)
    for i in range(n_out):
        s = (i * n_in) // n_out
        e = -(-((i + 1) * n_in) // n_out)
        a[i, s:e] = 1.0 / (e - s)
    return xp.asarray(a)


def adaptive_bounds(n_in, n_out):
    return [((i * n_in) // n_out, -(-((i + 1) * n_in) // n_out)) for i in range(n_out)]


def ceil_extra(size, k, stride, pad, dil, out):
    """Extra right padding the last ceil_mode window needs (beyond the user's padding)."""
    need = (out - 1) * stride + dil * (k - 1) + 1
    return max(0, need - (size + 2 * pad))

