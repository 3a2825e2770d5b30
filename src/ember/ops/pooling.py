"""Pooling: max/avg pooling (1-3d as PyTorch: 1-d runs as 2-d on an unsqueezed input),
adaptive average/max pooling, max unpooling.

Max pooling's gradient scatters into the input at the argmax indices and the scatter's
gradient gathers back: the pair (``ScatterFlat``, ``GatherFlat``) is closed under
differentiation. Average pooling is linear; its gradient is the transposed convolution of
the upstream gradient with a box kernel (``ConvolutionBackward0``)."""
import numpy as np

from .._backend import pool as P, cuda_pool
from .._backend.im2col import _xp
from ._op import Op, apply
from .conv import ConvolutionBackward0
from .resample import Separable


def _rows(a, nd):
    """(*lead, *S) -> (prod(lead), prod(S)): the last ``nd`` dims are the pooled ones."""
    lead = a.shape[:a.ndim - nd]
    return a.reshape((int(np.prod(lead)), int(np.prod(a.shape[a.ndim - nd:]))))


def _batched(x, nd, fn):
    """Run ``fn`` on x with a batch dim (adding one to unbatched input) and drop it again from
    the (N, C, *S) results; other results (a divisor broadcast over *S) pass unchanged."""
    if x.ndim == nd + 2:
        return fn(x)
    out = fn(x[None])
    if isinstance(out, tuple):
        return tuple(o[0] if getattr(o, 'ndim', 0) == nd + 2 else o for o in out)
    return out[0]


class GatherFlat(Op):
    """out[r, p] = x[r, idx[r, p]] over the last ``nd`` dims flattened."""

    def forward(self, x, idx, nd):
        self.x_shape, self.idx, self.nd = x.shape, idx, nd
        out = _xp(x).take_along_axis(_rows(x, nd), _rows(idx, nd), axis=-1)
        return out.reshape(idx.shape)

    def backward(self, g):
        return apply(ScatterFlat, g, self.idx, shape=self.x_shape, nd=self.nd), None


class ScatterFlat(Op):
    """zeros(shape) with g[r, p] added at flat index idx[r, p] of the last ``nd`` dims."""

    def forward(self, g, idx, shape, nd, distinct=False):
        """``distinct``: no two positions of a row share an index (non-overlapping windows),
        so a plain write replaces the much slower accumulating ``add.at``."""
        self.idx, self.nd = idx, nd
        if nd == 2 and type(g) is not np.ndarray:           # a CUDA array: one fused kernel if it serves
            kern = cuda_pool.kernels(g.dtype)
            if kern is not None:
                return cuda_pool.scatter2d(kern, g, idx, shape)
        xp = _xp(g)
        rows = int(np.prod(shape[:len(shape) - nd]))
        out = xp.zeros((rows, int(np.prod(shape[len(shape) - nd:]))), g.dtype)
        if g.size:
            if distinct:
                xp.put_along_axis(out, _rows(idx, nd), _rows(g, nd), axis=-1)
            else:
                xp.add.at(out, (xp.arange(rows)[:, None], _rows(idx, nd)), _rows(g, nd))
        return out.reshape(shape)

    def backward(self, gg):
        return apply(GatherFlat, gg, self.idx, nd=self.nd), None


def _max_class(k):
    def backward(self, g, _):
        return apply(ScatterFlat, g, self.idx, shape=self.x_shape, nd=k, distinct=self.distinct)

    def forward(self, x, kernel, stride, pads, dil):
        self.x_shape = x.shape
        self.distinct = all(s >= d * (kk - 1) + 1 for s, d, kk in zip(stride, dil, kernel))
        values, self.idx = _batched(x, k, lambda a: P.max_pool(a, kernel, stride, pads, dil))
        return values, self.idx

    return type(f'MaxPool{k}DWithIndicesBackward0', (Op,), {
        'forward': forward, 'backward': backward, 'n_outputs': 2, 'nondiff_outputs': (1,),
        '__module__': __name__})


_MAX = {k: _max_class(k) for k in (2, 3)}


class _AvgPool(Op):
    def forward(self, x, kernel, stride, pads, ceil_pads, count_include_pad, divisor_override):
        self.args = (kernel, stride, pads, ceil_pads)
        self.x_shape = x.shape
        out, self.div = _batched(x, len(kernel), lambda a: P.avg_pool(a, kernel, stride, pads, ceil_pads,
                                                                    count_include_pad, divisor_override))
        return out

    def backward(self, g):
        kernel, stride, pads, ceil_pads = self.args
        nd = len(kernel)
        from .creation import ones
        scaled = g / _const(self.div, g)
        w = ones((1, 1) + tuple(kernel), dtype=g.dtype, device=g.device)
        rows = int(np.prod(g.shape[:g.ndim - nd]))
        flat = scaled.reshape((rows, 1) + tuple(g.shape[g.ndim - nd:]))
        full = tuple((lo, lo + e) for (lo, _), e in zip(pads, ceil_pads))
        gx = apply(ConvolutionBackward0, flat, w, None, stride=tuple(stride), pads=full,
                   dil=(1,) * nd, groups=1, transposed=True,
                   out_shape=(rows, 1) + tuple(self.x_shape[len(self.x_shape) - nd:]))
        return gx.reshape(self.x_shape)


def _const(div, like):
    from .._tensor import Tensor
    if isinstance(div, (int, float)):
        return div
    return Tensor._make(div.astype(like._data.dtype))


AvgPool2DBackward0 = type('AvgPool2DBackward0', (_AvgPool,), {'__module__': __name__})
AvgPool3DBackward0 = type('AvgPool3DBackward0', (_AvgPool,), {'__module__': __name__})


def _grad_nonempty(g, node):
    """PyTorch's adaptive-pooling backward refuses a gradient with an empty non-batch dim."""
    for i in range(1, g.ndim):
        if g.shape[i] == 0:
            raise RuntimeError(f'{node}_backward(): Expected grad_output to have non-zero size for non-batch '
                               f"dimensions, but grad_output has sizes [{', '.join(map(str, g.shape))}] with dimension "
                               f'{i} being empty')


class _AdaptiveAvg(Separable):
    def backward(self, g):
        _grad_nonempty(g, f'adaptive_avg_pool{len(self.mats)}d')
        return super().backward(g)


# adaptive average pooling is linear and separable: y = A_1 x A_2^T with averaging matrices
AdaptiveAvgPool2DBackward0 = type('AdaptiveAvgPool2DBackward0', (_AdaptiveAvg,), {'__module__': __name__})
AdaptiveAvgPool3DBackward0 = type('AdaptiveAvgPool3DBackward0', (_AdaptiveAvg,), {'__module__': __name__})


def _adaptive_max_class(k):
    def forward(self, x, out_size):
        self.x_shape = x.shape
        return _batched(x, k, lambda a: self._pool(a, out_size))

    def _pool(self, x, out_size):
        xp = _xp(x)
        nd = len(out_size)
        bounds = [P.adaptive_bounds(x.shape[2 + d], out_size[d]) for d in range(nd)]
        n, c = x.shape[:2]
        values = xp.empty((n, c) + tuple(out_size), x.dtype)
        idx = xp.empty((n, c) + tuple(out_size), np.int64)
        for pos in np.ndindex(*out_size):
            region = tuple(slice(*bounds[d][pos[d]]) for d in range(nd))
            win = x[(slice(None), slice(None)) + region]
            sizes = win.shape[2:]
            flat = win.reshape(n, c, int(np.prod(sizes)))
            arg = flat.argmax(axis=-1)
            if x.dtype.kind == 'f':
                isnan = xp.isnan(flat)
                arg = xp.where(isnan.any(axis=-1), isnan.argmax(axis=-1), arg)
            values[(slice(None), slice(None)) + pos] = xp.take_along_axis(flat, arg[..., None], -1)[..., 0]
            coords = xp.unravel_index(arg, sizes)
            f = 0
            for d in range(nd):
                f = f * x.shape[2 + d] + (coords[d] + bounds[d][pos[d]][0])
            idx[(slice(None), slice(None)) + pos] = f
        self.idx = idx if len(self.x_shape) == nd + 2 else idx[0]
        return values, idx

    def backward(self, g, _):
        _grad_nonempty(g, f'adaptive_max_pool{k}d')
        return apply(ScatterFlat, g, self.idx, shape=self.x_shape, nd=k)

    return type(f'AdaptiveMaxPool{k}DBackward0', (Op,), {
        'forward': forward, '_pool': _pool, 'backward': backward, 'n_outputs': 2, 'nondiff_outputs': (1,),
        '__module__': __name__})


_ADAPTIVE_MAX = {k: _adaptive_max_class(k) for k in (2, 3)}


class MaxUnpool2DBackward0(Op):
    """zeros(shape) with x written at the flat indices of the last ``nd`` dims."""

    def forward(self, x, idx, shape, nd):
        self.idx, self.nd = idx, nd
        xp = _xp(x)
        rows = int(np.prod(shape[:len(shape) - nd]))
        out = xp.zeros((rows, int(np.prod(shape[len(shape) - nd:]))), x.dtype)
        if x.size:
            out[xp.arange(rows)[:, None], _rows(idx, nd)] = _rows(x, nd)
        return out.reshape(shape)

    def backward(self, g):
        return apply(GatherFlat, g, self.idx, nd=self.nd), None


MaxUnpool3DBackward0 = type('MaxUnpool3DBackward0', (MaxUnpool2DBackward0,), {'__module__': __name__})
