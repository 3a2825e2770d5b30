"""Stride-1 convolutions on the padded grid: patches copied as long contiguous runs.

For stride 1, output position ``o`` of an image reads the padded input at ``o + offset(k)``
for every kernel offset ``k``. Laid out on the padded image's flat index (positions
``o_0 * row_0 + o_1 * row_1 + ...`` of the padded plane), the patch row of one channel and
one kernel offset is a single contiguous run of the padded image. The patch matrix is then
copied run by run (one run per channel, kernel offset and image) instead of one short row
per output line, at the price of computing the few columns that fall in the padding
(outputs with a last coordinate >= the output width), which are dropped.

    conv_s1(x, w, pads, dil, groups)                 y (N, O, *P)
    conv_weight_s1(x, g, kshape, pads, dil, groups)  the gradient wrt w
    conv_input_s1(g, w, xshape, pads, dil, groups)   the gradient wrt x (a stride-1 conv of g)
"""
import numpy as np

from .im2col import _xp, _pad_cm, out_size

_CHUNK_BYTES = 1 << 20       # patch blocks of about this size stay in cache between copy and GEMM
_MAX_WASTE = 1.4             # grid columns per useful output allowed


def usable(stride, pads, kshape, dil, xshape, work=None):
    """Whether the grid path applies: stride 1, and the grid's columns per image exceed the
    useful ones (``work``, default the output size) by at most ``_MAX_WASTE``."""
    if any(s != 1 for s in stride):
        return False
    out = out_size(xshape[2:], kshape, stride, pads, dil)
    if any(o <= 0 for o in out):
        return False
    sp = [s + lo + hi for s, (lo, hi) in zip(xshape[2:], pads)]
    m = sum((o - 1) * int(np.prod(sp[d + 1:])) for d, o in enumerate(out)) + 1
    return m <= _MAX_WASTE * (work or int(np.prod(out)))


class _Grid:
    """Geometry of one stride-1 convolution on the padded, channel-major input."""

    def __init__(self, x, kshape, pads, dil):
        self.xpad = _pad_cm(x, pads)                             # (C, N, *Sp)
        sp = self.xpad.shape[2:]
        nd = len(kshape)
        self.out = out_size(x.shape[2:], kshape, (1,) * nd, pads, dil)
        self.rows = [int(np.prod(sp[d + 1:])) for d in range(nd)]     # flat step of each dim
        self.plane = int(np.prod(sp))
        # columns per image: up to the last valid output position
        self.m = sum((o - 1) * r for o, r in zip(self.out, self.rows)) + 1
        it = self.xpad.itemsize
        c, n = self.xpad.shape[:2]
        self.view = _xp(x).lib.stride_tricks.as_strided(          # (C, *K, N, m)
            self.xpad, (c,) + tuple(kshape) + (n, self.m),
            (self.xpad.strides[0],) + tuple(d * r * it for d, r in zip(dil, self.rows)) +
            (self.plane * it, it))
        self.ck = c * int(np.prod(kshape))

    def blocks(self):
        """(image slice or index, column slice) blocks of about _CHUNK_BYTES of patches."""
        n = self.view.shape[-2]
        per_image = self.ck * self.m * self.xpad.itemsize
        if per_image * 2 <= _CHUNK_BYTES:
            step = max(1, _CHUNK_BYTES // per_image)
            for i in range(0, n, step):
                yield slice(i, min(n, i + step)), slice(None)
            return
        cols = max(256, _CHUNK_BYTES // (self.ck * self.xpad.itemsize))
        for i in range(n):
            for a in range(0, self.m, cols):
                yield i, slice(a, min(self.m, a + cols))

    def patches(self, imgs, cols, groups):
        """The patch block (G, Cg K, columns) for images ``imgs`` and columns ``cols``."""
        block = self.view[(Ellipsis, imgs, cols)]
        return block.reshape(groups, self.ck // groups, -1)

    def valid(self, y):
        """(O, N, m) grid outputs -> the (O, N, *P) view of the real output positions."""
        it = y.itemsize
        return _xp(y).lib.stride_tricks.as_strided(
            y, y.shape[:2] + tuple(self.out),
            (y.strides[0], y.strides[1]) + tuple(r * it for r in self.rows))


def conv_s1(x, w, pads, dil, groups):
    xp = _xp(x)
    n, o = x.shape[0], w.shape[0]
    grid = _Grid(x, w.shape[2:], pads, dil)
    wm = w.reshape(groups, o // groups, -1)
    y = xp.empty((groups, o // groups, n, grid.m), x.dtype)
    for imgs, cols in grid.blocks():
        dst = y[:, :, imgs, cols]
        if dst.ndim == 4:
            dst = dst.reshape(groups, o // groups, -1)
        xp.matmul(wm, grid.patches(imgs, cols, groups), out=dst)
    res = xp.empty((n, o) + tuple(grid.out), x.dtype)          # canonical strides, even for n == 1
    res[...] = grid.valid(y.reshape(o, n, grid.m)).swapaxes(0, 1)
    return res


def conv_weight_s1(x, g, kshape, pads, dil, groups):
    """gw^T = patches @ g^T per block (the faster BLAS shape), summed, then transposed."""
    xp = _xp(x)
    n, o = g.shape[:2]
    og = o // groups
    grid = _Grid(x, kshape, pads, dil)
    gg = xp.zeros((o, n, grid.m), g.dtype)                  # g on the grid, zeros in the padding
    grid.valid(gg)[...] = g.swapaxes(0, 1)
    gg = gg.reshape(groups, og, n, grid.m)
    gwt = None
    for imgs, cols in grid.blocks():
        gb = gg[:, :, imgs, cols]
        if gb.ndim == 4:
            gb = gb.reshape(groups, og, -1)
        part = xp.matmul(grid.patches(imgs, cols, groups), gb.swapaxes(-1, -2))     # (G, Cg K, Og)
        if gwt is None:
            gwt = part
        else:
            gwt += part
    gw = xp.ascontiguousarray(gwt.swapaxes(-1, -2))
    return gw.reshape((o, x.shape[1] // groups) + tuple(kshape))


def input_pads(xshape, gshape, kshape, pads, dil):
    """Padding of g for which the stride-1 conv with the flipped kernel gives x's gradient;
    None when a side would need cropping (padding wider than the dilated kernel)."""
    res = []
    for s, o, k, (lo, hi), d in zip(xshape[2:], gshape[2:], kshape, pads, dil):
        plo = d * (k - 1) - lo
        phi = s - o + d * (k - 1) - plo
        if plo < 0 or phi < 0:
            return None
        res.append((plo, phi))
    return tuple(res)


def conv_input_s1(g, w, xshape, pads, dil, groups):
    """dx = g convolved (stride 1) with the kernel flipped and its in/out channels swapped."""
    xp = _xp(g)
    o, cg = w.shape[:2]
    k = w.shape[2:]
    wt = w.reshape((groups, o // groups, cg) + tuple(k)).swapaxes(1, 2)
    wt = wt.reshape((groups * cg, o // groups) + tuple(k))[(slice(None), slice(None)) +
                                                          (slice(None, None, -1),) * len(k)]
    gp = input_pads(xshape, g.shape, k, pads, dil)
    return conv_s1(g, xp.ascontiguousarray(wt), gp, dil, groups)

