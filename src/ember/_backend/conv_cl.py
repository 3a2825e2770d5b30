"""Convolutions by channels-last im2col: the patch matrix has one row per output position.

The input is copied once to a zero-padded channels-last array (N, *S_padded, C). A patch row
(output position ``p``) is then its kernel taps in order, each one a contiguous run of the
C channels, so building the patch matrix ``cols`` (N*P, K*C) copies runs of C values instead
of gathering single strided values. The products keep the long dimension (N*P) as the rows
of the matrices, the layout in which OpenBLAS runs these thin shapes fastest:

    forward         y    (N*P, O)   = cols @ w_cl^T
    weight grad     gw^T (K*C, O)   = cols^T @ g_cl
    input grad      dcols (N*P, K*C) = g_cl @ w_cl, summed back tap by tap into x's shape

``w_cl`` is w laid out as (O, *K, C) and ``g_cl`` the output gradient as (N*P, O).
Chosen for groups == 1 on small feature maps (see ``preferred``).
"""
import math

from .im2col import _xp, out_size, tap_regions

_CHUNK_BYTES = 2 << 20       # patch rows built and multiplied in blocks of about this size


_MAX_POSITIONS = 200         # output positions per image up to which this path is chosen
_MIN_CHANNELS = (64, 16)     # input channels from which it is chosen: stride 1, strided
_WIDE = (256, 32)            # forward and weight gradient: also up to 256 positions from 32 channels


def preferred(out, kshape, stride, cin, grad_input=False):
    """Whether this path is the faster one for a groups == 1 convolution with ``out`` output
    positions per image and ``cin`` input channels: on small feature maps (late CNN stages,
    8x8 to 16x16) with enough channels that a patch row is made of long runs, where the grid
    path multiplies many short blocks. Measured on OpenBLAS, 1 thread: 64->64 on 8x8 and
    16->32 or 32->64 stride 2 to 8x8 run 10-35% faster here, and the forward and weight
    gradient of 32->32 on 16x16 about 12%; the input gradient there, 16x16 maps from 16
    channels, LeNet's 6->16 5x5 and stride-1 convs on few channels are faster on the grid.
    1x1 kernels gain nothing from the patch copy and keep the plain path."""
    positions = math.prod(out)
    if not positions or all(k == 1 for k in kshape):
        return False
    if not grad_input and positions <= _WIDE[0] and cin >= _WIDE[1] and _MAX_POSITIONS:
        return True
    return positions <= _MAX_POSITIONS and cin >= _MIN_CHANNELS[any(s != 1 for s in stride)]


def _padded_cl(x, pads):
    """x (N, C, *S) -> zero-padded channels-last copy (N, *S_padded, C)."""
    xp = _xp(x)
    moved = xp.moveaxis(x, 1, -1)
    if not any(lo or hi for lo, hi in pads):
        return xp.ascontiguousarray(moved)
    shape = (x.shape[0],) + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)) + (x.shape[1],)
    out = xp.zeros(shape, x.dtype)
    out[(slice(None),) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[2:], pads)) +
        (slice(None),)] = moved
    return out


def _windows(x, k, stride, pads, dil, kept=None):
    """The strided view (N, *P, *K, C) of every patch, and the output size P. ``kept`` (a dict)
    holds the padded copy between the forward and the weight gradient."""
    key = (tuple(x.shape), x.dtype, pads)
    if kept is not None and kept.get('cl', (None,))[0] == key:
        xl = kept['cl'][1]
    else:
        xl = _padded_cl(x, pads)
        if kept is not None:
            kept['cl'] = (key, xl)
    out = out_size(x.shape[2:], k, stride, pads, dil)
    st = xl.strides
    sp = st[1:-1]
    win = _xp(x).lib.stride_tricks.as_strided(
        xl, (x.shape[0],) + tuple(out) + tuple(k) + (x.shape[1],),
        (st[0],) + tuple(s * t for s, t in zip(sp, stride)) + tuple(s * d for s, d in zip(sp, dil)) + (st[-1],))
    return win, out


def _row_blocks(win):
    """(image slice, cols (rows, K*C)) blocks of about _CHUNK_BYTES of patch rows."""
    n = win.shape[0]
    per_image = math.prod(win.shape[1:]) * win.itemsize
    step = max(1, _CHUNK_BYTES // max(per_image, 1))
    width = math.prod(win.shape[1 + (win.ndim - 2) // 2:])
    for i in range(0, n, step):
        imgs = slice(i, min(n, i + step))
        yield imgs, win[imgs].reshape(-1, width)


def _w_cl(w):
    """w (O, C, *K) -> (O, K*C) with the taps outermost, matching the patch rows."""
    xp = _xp(w)
    return xp.ascontiguousarray(xp.moveaxis(w, 1, -1)).reshape(w.shape[0], -1)


def _g_cl(g):
    """g (N, O, *P) -> (N*P, O)."""
    xp = _xp(g)
    return xp.ascontiguousarray(xp.moveaxis(g, 1, -1)).reshape(-1, g.shape[1])


def _channels_first(a):
    """(N, *S, C) -> a new (N, C, *S) array with C-order strides (also for size-1 dims)."""
    xp = _xp(a)
    res = xp.empty((a.shape[0], a.shape[-1]) + a.shape[1:-1], a.dtype)
    res[...] = xp.moveaxis(a, -1, 1)
    return res


def _to_nc(y_cl, n, out):
    """(N*P, O) rows -> (N, O, *P)."""
    return _channels_first(y_cl.reshape((n,) + tuple(out) + (y_cl.shape[1],)))


def conv(x, w, stride, pads, dil, keep=None):
    xp = _xp(x)
    n = x.shape[0]
    win, out = _windows(x, w.shape[2:], stride, pads, dil, keep)
    wt = _w_cl(w).T
    rows = math.prod(out)
    y = xp.empty((n * rows, w.shape[0]), x.dtype)
    for imgs, cols in _row_blocks(win):
        xp.matmul(cols, wt, out=y[imgs.start * rows:imgs.stop * rows])
    return _to_nc(y, n, out)


def conv_weight(x, g, kshape, stride, pads, dil, kept=None):
    xp = _xp(x)
    win, out = _windows(x, kshape, stride, pads, dil, kept)
    gl = _g_cl(g)
    rows = math.prod(out)
    gwt = None
    for imgs, cols in _row_blocks(win):
        part = xp.matmul(cols.T, gl[imgs.start * rows:imgs.stop * rows])          # (K*C, O)
        if gwt is None:
            gwt = part
        else:
            gwt += part
    o, c = g.shape[1], x.shape[1]
    if gwt is None:                                             # no images
        gwt = xp.zeros((math.prod(kshape) * c, o), x.dtype)
    gw = gwt.T.reshape((o,) + tuple(kshape) + (c,))
    return _channels_first(gw)


def conv_input(g, w, xshape, stride, pads, dil):
    xp = _xp(g)
    n, o = g.shape[:2]
    out = g.shape[2:]
    k = w.shape[2:]
    c = w.shape[1]
    nd = len(k)
    dcols = xp.matmul(_g_cl(g), _w_cl(w))                       # (N*P, K*C)
    dcols = dcols.reshape((n,) + tuple(out) + tuple(k) + (c,))
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(xshape[2:], pads))
    acc = xp.zeros((n,) + padded + (c,), g.dtype)
    for idx, region in tap_regions(k, stride, dil, out):
        acc[(slice(None),) + region] += dcols[(slice(None),) * (1 + nd) + idx]
    crop = tuple(slice(lo, lo + s) for s, (lo, _) in zip(xshape[2:], pads))
    return _channels_first(acc[(slice(None),) + crop])
