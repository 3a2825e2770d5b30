"""Spatial transformers: F.affine_grid (AffineGridGeneratorBackward0) and F.grid_sample
(GridSampler2DBackward0 / GridSampler3DBackward0).

affine_grid maps a fixed base grid of normalised coordinates [x, y, (z,) 1] through each
theta: grid = base @ theta^T, so its gradient is g^T @ base.

grid_sample reads the input at the grid's source coordinates. Along each spatial dim a
coordinate becomes a few integer taps (1 nearest, 2 bilinear, 4 bicubic) with weights that
are polynomials in the fractional part t; the taps of all dims combine as an outer product
into K flat indices per output pixel. Forward gathers the K values and sums them weighted.
The gradient scatters back into the input through the same indices (``ScatterFlat``, whose
gradient is ``GatherFlat``), and for the grid multiplies the gathered values by the weights'
slopes. Backward is written in ember ops with t rebuilt from the grid tensor, so double
backward works too.
"""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ..autograd import grad_mode
from ..autograd.node import Node, _FREED
from ._op import Op, apply, edge, requires_grad
from ._promote import xp as _xp
from .join import stack
from .pooling import GatherFlat, ScatterFlat
from .ranges import linspace

__all__ = ['affine_grid', 'grid_sample']

_ALIGN_WARNING = ('Default grid_sample and affine_grid behavior has changed to align_corners=False since '
                  '1.3.0. Please specify align_corners=True if the old behavior is desired. See the '
                  'documentation of grid_sample for details.')


# ------------------------------------------------------------------ affine_grid

def _linspace(xp, n, align_corners, dtype):
    """n normalised coordinates in [-1, 1]: ember.linspace's points; pixel centres unless
    align_corners, scaled as PyTorch does (times n - 1, then over n, each rounded in the dtype)."""
    if n <= 1:
        return xp.zeros(max(n, 0), dtype)
    r = xp.asarray(linspace(-1, 1, n, dtype=_dtype.from_numpy_dtype(dtype))._data)
    if align_corners:
        return r
    wide = np.dtype(np.float32) if dtype.itemsize < 4 else dtype     # half types compute in float
    r = (r.astype(wide) * wide.type(n - 1)).astype(dtype)
    return (r.astype(wide) / wide.type(n)).astype(dtype)


def _base_grid(xp, spatial, align_corners, dtype):
    """(prod(spatial), k + 1) rows [x, y, (z,) 1] in the grid's memory order (last dim fastest)."""
    k = len(spatial)
    base = xp.ones(tuple(spatial) + (k + 1,), dtype)
    for d in range(k):                         # column d runs along spatial dim k - 1 - d
        axis = k - 1 - d
        shape = [1] * k
        shape[axis] = spatial[axis]
        base[..., d] = _linspace(xp, spatial[axis], align_corners, dtype).reshape(shape)
    return base.reshape(int(np.prod(spatial)), k + 1)


class AffineGridGeneratorBackward0(Op):
    def forward(self, theta, size, align_corners):
        xp = _xp(theta)
        n, k = size[0], len(size) - 2
        if theta.shape[0] != n:
            raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: [{n}, {k + 1}] '
                               f'but got: [{theta.shape[0]}, {k + 1}].')
        self.base = _base_grid(xp, size[2:], align_corners, theta.dtype)
        wide = np.float32 if theta.dtype.itemsize < 4 else theta.dtype   # half types accumulate in float
        out = xp.matmul(self.base.astype(wide), theta.transpose(0, 2, 1).astype(wide))   # (N, P, k)
        return xp.ascontiguousarray(out.astype(theta.dtype)).reshape((n,) + tuple(size[2:]) + (k,))

    def backward(self, g):
        n, k = g.shape[0], g.shape[-1]
        base = Tensor._make(self.base)
        return g.reshape(n, self.base.shape[0], k).transpose(1, 2) @ base


def affine_grid(theta, size, align_corners=None):
    """Sampling grid (N, H, W, 2) or (N, D, H, W, 3) for affine matrices theta (N, 2, 3) / (N, 3, 4)."""
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f'Expected theta to have floating point type, but got {theta.dtype}')
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f'Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. '
                             f'Got {theta.shape}.')
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f'Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. '
                             f'Got {theta.shape}.')
        spatial = size[-3:]
    else:
        raise NotImplementedError('affine_grid only supports 4D and 5D sizes, for 2D and 3D affine '
                                  f'transforms, respectively. Got size {size}.')
    if align_corners and min(spatial) == 1:
        warnings.warn('Since version 1.3.0, affine_grid behavior has changed for unit-size grids when '
                      'align_corners=True. This is not an intended use case of affine_grid. See the '
                      'documentation of affine_grid for details.', stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f'Expected non-zero, positive output size. Got {size}')
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError("affine_grid_generator(): argument 'align_corners' (position 3) must be bool, not "
                        f'{type(align_corners).__name__}')
    return apply(AffineGridGeneratorBackward0, theta, size=tuple(int(s) for s in size),
                 align_corners=bool(align_corners))


# ------------------------------------------------------------------ grid_sample: per-dim taps

_A = -0.75                                     # PyTorch's bicubic convolution constant
# tap weights as polynomials of the fractional part t: row m holds the coefficients of t^m
_COEFS = {'bilinear': np.array([[1.0, 0.0], [-1.0, 1.0]]),
          'bicubic': np.array([[0.0, 1.0, 0.0, 0.0], [_A, 0.0, -_A, 0.0],
                               [-2 * _A, -(_A + 3), 2 * _A + 3, _A], [_A, _A + 2, -(_A + 2), -_A]])}


def _tap_weights(t, mode, stk, const):
    """Weights (..., taps) of one dim's taps and their slopes d/dt, for fractional parts t (...).
    Works on arrays (stk = xp.stack) and on Tensors (stk = ember.stack) alike."""
    m = _COEFS[mode]
    if mode == 'bilinear':
        return t[..., None] * const(m[1]) + const(m[0]), const(m[1])
    powers = stk([t, t * t, t * t * t], -1)
    slopes = powers[..., :2] @ const(m[2:] * np.array([[2.0], [3.0]])) + const(m[1])
    return powers @ const(m[1:]) + const(m[0]), slopes


def _combine(per_dim, shape, add=False):
    """Outer product (or sum) of per-dim (..., taps_d) factors, outermost dim first: (..., K)."""
    out = per_dim[0]
    for f in per_dim[1:]:
        a, b = out[..., :, None], f[..., None, :]
        out = a + b if add else a * b
        out = out.reshape(tuple(shape) + (out.shape[-2] * out.shape[-1],))
    return out


def _pad(xp, c, size, padding, align):
    """Coordinate c (in pixels) moved inside the input by the padding mode, and d(result)/dc."""
    if padding == 'zeros':
        return c, None
    slope = 1.0
    if padding == 'reflection':
        low, span = (0.0, size - 1.0) if align else (-0.5, float(size))
        if span <= 0:
            return xp.zeros_like(c), xp.zeros_like(c)
        d = c - low
        flip = d < 0
        d = np.abs(d)
        extra = np.fmod(d, span)
        odd = np.fmod(np.floor(d / span), 2) == 1
        c = xp.where(odd, span - extra, extra) + low
        slope = xp.where(flip ^ odd, -1.0, 1.0).astype(c.dtype)
    inside = (c > 0) & (c < size - 1)          # borders count as clipped: zero slope there
    return xp.clip(c, 0, size - 1), slope * inside


def _dim_taps(xp, c, size, mode, padding, align):
    """One spatial dim: taps (..., taps) as float pixel positions, fractional part t, dt/dc."""
    scale = (size - 1) / 2 if align else size / 2
    ix = (c + 1) * scale - (0 if align else 0.5)
    if mode == 'bicubic':                      # bicubic pads each tap, not the coordinate
        base = np.floor(ix)[..., None] + xp.arange(-1, 3, dtype=ix.dtype)
        return _pad(xp, base, size, padding, align)[0], ix - base[..., 1], scale
    ix, pslope = _pad(xp, ix, size, padding, align)
    slope = scale if pslope is None else pslope * scale
    if mode == 'nearest':
        return np.rint(ix)[..., None], None, slope
    base = np.floor(ix)
    return base[..., None] + xp.arange(2, dtype=ix.dtype), ix - base, slope


# ------------------------------------------------------------------ grid_sample op

class GridSampler2DBackward0(Op):
    saves = (0, 1)
    _free = ('idx', 'valid', 't', 'slope')

    def forward(self, x, grid, mode, padding, align):
        xp = _xp(x)
        n, ch = x.shape[:2]
        in_sp, out_sp = x.shape[2:], grid.shape[1:-1]
        k = len(in_sp)
        p = int(np.prod(out_sp))
        cdtype = np.float64 if grid.dtype == np.float64 else np.float32
        g = grid.reshape(n, p, k).astype(cdtype, copy=False)
        idx, oks, ts, slopes = [], [], [], []
        stride = 1
        for d in range(k):                    # grid column d reads input dim -1 - d
            size = in_sp[k - 1 - d]
            taps, t, sl = _dim_taps(xp, g[..., d], size, mode, padding, align)
            ok = (taps > -1) & (taps < size)   # NaN compares false: never read
            idx.append(xp.where(ok, taps, 0).astype(np.int64) * stride)
            oks.append(ok)
            ts.append(t)
            slopes.append(sl)
            stride *= size
        rev = slice(None, None, -1)           # outermost (slowest) input dim first
        flat = _combine(idx[rev], (n, p), add=True)                    # (N, P, K)
        kk = flat.shape[-1]
        self.mode, self.k, self.n_taps, self.p, self.in_size = mode, k, kk, p, stride
        self.idx = flat.reshape(n, 1, p * kk)
        self.valid = _combine(oks[rev], (n, p)).astype(x.dtype)
        self.t, self.slope = ts, slopes
        vals = xp.take_along_axis(x.reshape(n, ch, stride), self.idx, axis=2).reshape(n, ch, p, kk)
        if mode == 'nearest':
            out = vals[..., 0] * self.valid[:, None, :, 0]
        else:
            const = lambda a: xp.asarray(a, cdtype)                             # noqa: E731
            w = _combine([_tap_weights(t, mode, xp.stack, const)[0] for t in ts[rev]], (n, p))
            out = (vals * (w.astype(x.dtype) * self.valid)[:, None]).sum(-1)
        return out.reshape((n, ch) + tuple(out_sp)).astype(x.dtype, copy=False)

    def _t(self, grid, d, const):
        """The fractional part along dim d as a Tensor of the grid: value t, slope dt/dgrid."""
        c = grid.reshape(grid.shape[0], self.p, self.k)[..., d]
        slope = self.slope[d]
        return c * const(slope) + const(self.t[d] - c._data * slope)

    def backward(self, g):
        x, grid = self.saved_tensors
        if not grad_mode.is_grad_enabled():
            return self._grads(g, x, grid)
        cls = GridSampler2DBackwardBackward0 if self.k == 2 else GridSampler3DBackwardBackward0
        return _recorded(cls, self._grads, (g, x, grid))

    def _grads(self, g, x, grid):
        n, ch = x.shape[:2]
        p, kk = self.p, self.n_taps
        dtype = x._data.dtype
        xp = _xp(x._data)
        const = lambda a: Tensor._make(xp.asarray(a, dtype))                    # noqa: E731
        idx = xp.broadcast_to(self.idx, (n, ch, p * kk))
        valid = Tensor._make(self.valid)
        gr = g.reshape(n, ch, p, 1)
        rev = slice(None, None, -1)
        gx = gg = None
        if self.mode != 'nearest':
            ws = [_tap_weights(self._t(grid, d, const), self.mode, stack, const) for d in range(self.k)]
        if self._next[0][0] is not None:
            w = valid if self.mode == 'nearest' else _combine([w for w, _ in ws[rev]], (n, p)) * valid
            gx = apply(ScatterFlat, (gr * w.unsqueeze(1)).reshape(n, ch, p * kk), idx,
                       shape=(n, ch, self.in_size), nd=1).reshape(x.shape)
        if self._next[1][0] is not None:
            if self.mode == 'nearest':                                   # flat in the grid
                gg = Tensor._make(xp.zeros(grid.shape, grid._data.dtype))
            else:
                vals = apply(GatherFlat, x.reshape(n, ch, self.in_size), idx, nd=1).reshape(n, ch, p, kk)
                gv = (gr * vals).sum(1) * valid                      # (N, P, K)
                cols = []
                for d in range(self.k):
                    dw = [ws[e][1] if e == d else ws[e][0] for e in range(self.k)]
                    cols.append((gv * _combine(dw[rev], (n, p))).sum(-1) * const(self.slope[d]))
                gg = stack(cols, -1).reshape(grid.shape)
        return gx, gg


class GridSampler3DBackward0(GridSampler2DBackward0):
    pass


class GridSampler2DBackwardBackward0(Node):
    """grid_sample's gradients (input's, grid's) as one recorded node over (grad, input, grid), as
    PyTorch records them under create_graph. It runs the composite backward on detached copies of its
    inputs and differentiates that private graph when asked: the input's gradient is linear in grad and
    constant in the input, so its derivative in the input is undefined, as in PyTorch."""
    n_outputs = 2

    def backward(self, *grads):
        pairs = [(o, g) for o, g in zip(self._outs, grads) if o is not None and g is not None and o.requires_grad]
        want = [i for i, t in enumerate(self._leaves) if t is not None and t.requires_grad]
        out = [None] * len(self._next)
        if pairs and want:
            from ..autograd import grad as _grad
            got = _grad([o for o, _ in pairs], [self._leaves[i] for i in want], [g for _, g in pairs],
                        retain_graph=True, create_graph=grad_mode.is_grad_enabled(), allow_unused=True)
            for i, r in zip(want, got):
                out[i] = r
        return tuple(out)

    def release(self):
        self._saved = _FREED
        self._outs = self._leaves = ()


class GridSampler3DBackwardBackward0(GridSampler2DBackwardBackward0):
    pass


def _recorded(cls, fn, inputs):
    """fn(*inputs) (tensors in, a tuple of tensors or None out) recorded as one node ``cls``."""
    leaves = [None if t is None else t.detach().requires_grad_(requires_grad(t)) for t in inputs]
    with grad_mode.enable_grad():
        outs = fn(*leaves)
    node = cls()
    node._next = tuple(edge(t) for t in inputs)
    node._leaves, node._outs, node._saved = leaves, outs, ()
    return tuple(None if o is None else Tensor._make(o._data, node, None, i) for i, o in enumerate(outs))


def _sizes(t):
    return list(t.shape)


def _check(input, grid, mode):
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f'grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, '
                           f'but got grid with sizes {_sizes(grid)}')
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError('grid_sampler(): expected grid and input to have same batch size, but got input '
                           f'with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}')
    for i in range(2, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError('grid_sampler(): expected input to have non-empty spatial dimensions, but input '
                               f'has sizes {_sizes(input)} with dimension {i} being empty')
    nd = 4 if input.dim() == 4 else 5
    if input.dim() != nd or grid.dim() != nd:
        raise RuntimeError(f'grid_sampler(): expected {nd}D input and grid with same number of dimensions, but '
                           f'got input with sizes {_sizes(input)} and grid with sizes {_sizes(grid)}')
    if nd == 5 and mode == 'bicubic':
        raise RuntimeError('grid_sampler(): bicubic interpolation only supports 4D input')
    if not input.is_floating_point():
        raise NotImplementedError(f'"grid_sampler_{nd - 2}d_cpu_kernel_impl" not implemented for '
                                  f"'{_scalar_name(input.dtype)}'")
    if grid.dtype != input.dtype:
        raise RuntimeError(f'expected scalar type {_scalar_name(input.dtype)} but found '
                           f'{_scalar_name(grid.dtype)}')


def grid_sample(input, grid, mode='bilinear', padding_mode='zeros', align_corners=None):
    """Sample input (N, C, H, W) or (N, C, D, H, W) at the normalised coordinates in grid."""
    if mode not in ('bilinear', 'nearest', 'bicubic'):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
                         f"'bicubic', but got: '{mode}'")
    if padding_mode not in ('zeros', 'border', 'reflection'):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, stacklevel=2)
        align_corners = False
    if not isinstance(align_corners, (bool, np.bool_)):
        raise TypeError("grid_sampler(): argument 'align_corners' (position 5) must be bool, not "
                        f'{type(align_corners).__name__}')
    _check(input, grid, mode)
    cls = GridSampler2DBackward0 if input.dim() == 4 else GridSampler3DBackward0
    return apply(cls, input, grid, mode=mode, padding=padding_mode, align=bool(align_corners))
