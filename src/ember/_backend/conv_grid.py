"""Convolutions on the padded grid: patches copied as long contiguous runs.

Stride 1: output position ``o`` of an image reads the padded input at ``o + offset(k)`` for
every kernel offset ``k``. Laid out on the padded image's flat index (positions
``o_0 * row_0 + o_1 * row_1 + ...`` of the padded plane), the patch row of one channel and one
kernel offset is a single contiguous run of the padded image. The patch matrix is then copied
run by run (one run per channel, kernel offset and image) instead of one short row per output
line, at the price of computing the few columns that fall in the padding (outputs with a last
coordinate >= the output width), which are dropped.

Stride s > 1: the padded input is split into its s_0 x s_1 x ... phases (the positions with the
same remainders modulo the stride; a space-to-depth copy). Output ``o`` reads position
``s*o + d*k`` = phase ``(d*k) mod s`` at ``o + (d*k) // s``: again one contiguous run per channel
and kernel offset, now in one phase plane. Only the phases some kernel offset reads are built
(a 1x1 stride-2 kernel reads one).

    conv(x, w, stride, pads, dil, groups)                 y (N, O, *P)
    conv_weight(x, g, kshape, stride, pads, dil, groups)  the gradient wrt w
    conv_input_s1(g, w, xshape, pads, dil, groups)        the gradient wrt x, stride 1 (a conv of g)
    conv_input(g, w, xshape, stride, pads, dil, groups)   the gradient wrt x, any stride (scattered
                                                          back run by run into the phases)
"""
import itertools
import math

from .im2col import _xp, out_size, matmul as _mm

_CHUNK_BYTES = 1 << 20       # patch blocks of about this size stay in cache between copy and GEMM
_MAX_COLS = 2400             # columns per block at most (thin patch matrices: few rows, many columns)
_MAX_WASTE = 1.4             # grid columns per useful output allowed


def _extent(xshape, kshape, stride, pads, dil):
    """Per spatial dim, the phase-plane length: the padded size in strides, long enough for
    every kernel offset's run."""
    out = out_size(xshape[2:], kshape, stride, pads, dil)
    return out, [-(-max(s + lo + hi, st * (o - 1) + d * (k - 1) + 1) // st)
                 for s, k, st, (lo, hi), d, o in zip(xshape[2:], kshape, stride, pads, dil, out)]


def usable(stride, pads, kshape, dil, xshape, work=None):
    """Whether the grid path applies: the grid's columns per image exceed the useful ones
    (``work``, default the output size) by at most ``_MAX_WASTE``."""
    out, q = _extent(xshape, kshape, stride, pads, dil)
    if any(o <= 0 for o in out):
        return False
    m = sum((o - 1) * math.prod(q[d + 1:]) for d, o in enumerate(out)) + 1
    return m <= _MAX_WASTE * (work or math.prod(out))


def _phase_slices(xshape, stride, pads, q):
    """(phase index, input slices, grid slices) for every phase the input reaches."""
    per_dim = []
    for s, st, (lo, _), qq in zip(xshape[2:], stride, pads, q):
        opts = []
        for r in range(st):
            i0 = (r - lo) % st                 # first input index landing in phase r
            if i0 < s:
                j0 = (i0 + lo) // st
                opts.append((r, slice(i0, None, st), slice(j0, j0 + (s - i0 + st - 1) // st)))
        per_dim.append(opts)
    for combo in itertools.product(*per_dim):
        yield tuple(c[0] for c in combo), tuple(c[1] for c in combo), tuple(c[2] for c in combo)


class _Grid:
    """Geometry of one convolution on the phases of the padded, channel-major input: ``taps``
    holds (phase slot, flat offset) per kernel offset (C order), ``m`` the columns per image."""

    def __init__(self, xshape, kshape, stride, pads, dil, x=None):
        self.xshape, self.stride, self.pads = tuple(xshape), tuple(stride), pads
        self.out, self.q = _extent(xshape, kshape, stride, pads, dil)
        self.rows = [math.prod(self.q[d + 1:]) for d in range(len(kshape))]     # flat step of each dim
        self.plane = math.prod(self.q)
        self.m = sum((o - 1) * r for o, r in zip(self.out, self.rows)) + 1
        slots, self.taps = {}, []
        for k in itertools.product(*(range(kk) for kk in kshape)):
            dk = [d * i for d, i in zip(dil, k)]
            phase = tuple(v % st for v, st in zip(dk, stride))
            self.taps.append((slots.setdefault(phase, len(slots)),
                              sum(v // st * r for v, st, r in zip(dk, stride, self.rows))))
        self.slots = slots
        self.ck = xshape[1] * len(self.taps)
        self.simple = all(st == 1 for st in stride)          # one phase: patches are one strided view
        self.dil, self.kshape = dil, tuple(kshape)
        self.view = None
        if x is not None:
            self.flat = self._split(x)
            self.itemsize = x.itemsize

    def _split(self, x):
        """x (N, C, *S) -> its phases (C, slots, N, plane), zero where padding."""
        xp = _xp(x)
        n, c = x.shape[:2]
        ph = xp.zeros((c, len(self.slots), n) + tuple(self.q), x.dtype)
        xt = x.swapaxes(0, 1)
        for phase, src, dst in _phase_slices(x.shape, self.stride, self.pads, self.q):
            if phase in self.slots:
                ph[(slice(None), self.slots[phase], slice(None)) + dst] = xt[(slice(None), slice(None)) + src]
        return ph.reshape(c, len(self.slots), n, self.plane)

    def merge(self, acc):
        """The inverse of ``_split`` for gradients: phases (C, slots, N, plane) -> (N, C, *S)."""
        xp = _xp(acc)
        c, _, n = acc.shape[:3]
        acc = acc.reshape(acc.shape[:3] + tuple(self.q))
        res = xp.zeros((n, c) + self.xshape[2:], acc.dtype)
        rt = res.swapaxes(0, 1)
        for phase, src, dst in _phase_slices(self.xshape, self.stride, self.pads, self.q):
            if phase in self.slots:
                rt[(slice(None), slice(None)) + src] = acc[(slice(None), self.slots[phase], slice(None)) + dst]
        return res

    def blocks(self):
        """(image slice or index, column slice) blocks of about _CHUNK_BYTES of patches."""
        n = self.xshape[0]
        per_image = self.ck * self.m * self.itemsize
        if per_image * 2 <= _CHUNK_BYTES:
            step = max(1, min(_CHUNK_BYTES // per_image, _MAX_COLS // self.m))
            for i in range(0, n, step):
                yield slice(i, min(n, i + step)), slice(0, self.m)
            return
        cols = max(256, _CHUNK_BYTES // (self.ck * self.itemsize))
        for i in range(n):
            for a in range(0, self.m, cols):
                yield i, slice(a, min(self.m, a + cols))

    def patches(self, imgs, cols, groups):
        """The patch block (G, Cg K, columns) for images ``imgs`` and columns ``cols``."""
        c = self.flat.shape[0]
        if self.simple:
            if self.view is None:
                it = self.itemsize
                self.view = _xp(self.flat).lib.stride_tricks.as_strided(       # (C, *K, N, m)
                    self.flat, (c,) + self.kshape + (self.xshape[0], self.m),
                    (self.flat.strides[0],) + tuple(d * r * it for d, r in zip(self.dil, self.rows)) +
                    (self.plane * it, it))
            return self.view[(Ellipsis, imgs, cols)].reshape(groups, self.ck // groups, -1)
        src = self.flat[:, :, imgs]
        block = _xp(self.flat).empty((c, len(self.taps)) + src.shape[2:-1] + (cols.stop - cols.start,),
                                     self.flat.dtype)
        for t, (slot, off) in enumerate(self.taps):
            block[:, t] = src[:, slot, ..., off + cols.start:off + cols.stop]
        return block.reshape(groups, self.ck // groups, -1)

    def scatter(self, acc, d, imgs, cols):
        """Add a block of patch gradients d (C, K, [images,] columns) into the phases ``acc``."""
        dst = acc[:, :, imgs]
        for t, (slot, off) in enumerate(self.taps):
            dst[:, slot, ..., off + cols.start:off + cols.stop] += d[:, t]

    def valid(self, y):
        """(O, N, m) grid outputs -> the (O, N, *P) view of the real output positions."""
        it = y.itemsize
        return _xp(y).lib.stride_tricks.as_strided(
            y, y.shape[:2] + tuple(self.out),
            (y.strides[0], y.strides[1]) + tuple(r * it for r in self.rows))

    def on_grid(self, g):
        """g (N, O, *P) -> (O, N, m) with zeros in the columns that are not outputs."""
        gg = _xp(g).zeros((g.shape[1], g.shape[0], self.m), g.dtype)
        self.valid(gg)[...] = g.swapaxes(0, 1)
        return gg


def _block(a, imgs, cols):
    """a[:, :, imgs, cols] of a (G, Og, N, m) array as (G, Og, columns)."""
    b = a[:, :, imgs, cols]
    return b.reshape(b.shape[:2] + (-1,)) if b.ndim == 4 else b


def _grid_of(x, kshape, stride, pads, dil, kept):
    """The grid of x, reused from ``kept`` (filled by the forward) when it is the same geometry."""
    grid = (kept or {}).get('grid')
    if grid is not None and (grid.xshape, grid.kshape, grid.stride, grid.pads, grid.dil) == \
            (tuple(x.shape), tuple(kshape), tuple(stride), pads, dil) and grid.flat.dtype == x.dtype:
        return grid
    return _Grid(x.shape, kshape, stride, pads, dil, x)


def conv(x, w, stride, pads, dil, groups, keep=None):
    xp = _xp(x)
    n, o = x.shape[0], w.shape[0]
    grid = _Grid(x.shape, w.shape[2:], stride, pads, dil, x)
    if keep is not None:
        keep['grid'] = grid
    wm = w.reshape(groups, o // groups, -1)
    y = xp.empty((groups, o // groups, n, grid.m), x.dtype)
    for imgs, cols in grid.blocks():
        dst = y[:, :, imgs, cols]
        if dst.ndim == 4:
            dst = dst.reshape(groups, o // groups, -1)
        _mm(wm, grid.patches(imgs, cols, groups), out=dst)
    res = xp.empty((n, o) + tuple(grid.out), x.dtype)          # canonical strides, even for n == 1
    res[...] = grid.valid(y.reshape(o, n, grid.m)).swapaxes(0, 1)
    return res


def conv_weight(x, g, kshape, stride, pads, dil, groups, kept=None):
    """gw^T = patches @ g^T per block (the faster BLAS shape), summed, then transposed."""
    xp = _xp(x)
    o = g.shape[1]
    grid = _grid_of(x, kshape, stride, pads, dil, kept)
    gg = grid.on_grid(g).reshape(groups, o // groups, g.shape[0], grid.m)
    gwt = None
    for imgs, cols in grid.blocks():
        part = xp.matmul(grid.patches(imgs, cols, groups), _block(gg, imgs, cols).swapaxes(-1, -2))
        if gwt is None:                                          # (G, Cg K, Og)
            gwt = part
        else:
            gwt += part
    gw = xp.ascontiguousarray(gwt.swapaxes(-1, -2))
    return gw.reshape((o, x.shape[1] // groups) + tuple(kshape))


def conv_input(g, w, xshape, stride, pads, dil, groups):
    """dx: the patch gradients W^T g per block, added back run by run into x's phases."""
    xp = _xp(g)
    o, cg = w.shape[:2]
    grid = _Grid(xshape, w.shape[2:], stride, pads, dil)
    grid.itemsize = g.itemsize
    gg = grid.on_grid(g).reshape(groups, o // groups, g.shape[0], grid.m)
    wt = w.reshape(groups, o // groups, -1).swapaxes(-1, -2)            # (G, Cg K, Og)
    acc = xp.zeros((xshape[1], len(grid.slots), xshape[0], grid.plane), g.dtype)
    for imgs, cols in grid.blocks():
        d = _mm(wt, _block(gg, imgs, cols))                       # (G, Cg K, columns)
        grid.scatter(acc, d.reshape((xshape[1], len(grid.taps)) + gg[0, 0, imgs, cols].shape), imgs, cols)
    return grid.merge(acc)


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
    return conv(g, xp.ascontiguousarray(wt), (1,) * len(k), gp, dil, groups)
