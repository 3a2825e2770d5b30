"""Resampling: F.interpolate (nearest, nearest-exact, linear/bilinear/trilinear, bicubic, area,
antialiased lanczos)
and pixel_shuffle / pixel_unshuffle.

Every interpolation mode is linear and separable: along each spatial dim the output is a
fixed matrix times the input (``Separable``: y = A_1 x A_2^T ...). Its gradient applies the
transposed matrices, so one op serves forward, backward and double backward; the node takes
PyTorch's name for the mode (UpsampleBilinear2DBackward0, ...)."""
import math

import numpy as np

from .. import _dtype
from .._backend.im2col import _xp
from ._op import Op, apply


def apply_mats(x, mats):
    """Multiply the last len(mats) dims of x by the matrices (out_d, in_d)."""
    xp = _xp(x)
    nd = len(mats)
    out = x
    for i, m in enumerate(mats):
        d = x.ndim - nd + i
        out = xp.moveaxis(xp.tensordot(out, m.astype(x.dtype, copy=False), axes=([d], [1])), -1, d)
    return xp.ascontiguousarray(out)


class Separable(Op):
    """y = x multiplied along its trailing dims by fixed matrices; subclasses only set the name.
    ``bmats`` (default: ``mats``) are the matrices whose transposes the gradient applies, for
    the nearest modes where PyTorch's backward kernel maps indices differently from its forward."""

    def forward(self, x, mats, bmats=None):
        self.mats, self.bmats = mats, mats if bmats is None else bmats
        return apply_mats(x, mats)

    def backward(self, g):
        return apply(SeparableTranspose, g, mats=self.bmats, forward_cls=type(self), fmats=self.mats)


class SeparableTranspose(Op):
    def forward(self, g, mats, forward_cls, fmats=None):
        self.mats, self.forward_cls = mats, forward_cls
        self.fmats = mats if fmats is None else fmats
        return apply_mats(g, [m.T for m in mats])

    def backward(self, gg):
        return apply(self.forward_cls, gg, mats=self.fmats, bmats=self.mats)

    def name(self):
        return self.forward_cls.__name__.replace('Backward0', 'BackwardBackward0')


def _node(name):
    return type(name, (Separable,), {'__module__': __name__})


_NAMES = {('nearest', 1): 'UpsampleNearest1DBackward0', ('nearest', 2): 'UpsampleNearest2DBackward0',
          ('nearest', 3): 'UpsampleNearest3DBackward0', ('nearest-exact', 1): 'UpsampleNearestExact1DBackward0',
          ('nearest-exact', 2): 'UpsampleNearestExact2DBackward0',
          ('nearest-exact', 3): 'UpsampleNearestExact3DBackward0', ('linear', 1): 'UpsampleLinear1DBackward0',
          ('bilinear', 2): 'UpsampleBilinear2DBackward0', ('trilinear', 3): 'UpsampleTrilinear3DBackward0',
          ('bicubic', 2): 'UpsampleBicubic2DBackward0', ('bilinear-aa', 2): 'UpsampleBilinear2DAaBackward0',
          ('bicubic-aa', 2): 'UpsampleBicubic2DAaBackward0', ('lanczos-aa', 2): 'UpsampleLanczos2DAaBackward0'}
NODES = {key: _node(name) for key, name in _NAMES.items()}


# ------------------------------------------------------------------ interpolation matrices

def _source(dst, n_in, n_out, scale, align_corners, cubic=False):
    """PyTorch's source coordinate for output index ``dst`` (linear and cubic modes)."""
    if align_corners:
        return dst * ((n_in - 1) / (n_out - 1) if n_out > 1 else 0.0)
    src = (dst + 0.5) * scale - 0.5
    return src if cubic else np.maximum(src, 0.0)


def _scale(n_in, n_out, scale_factor):
    return 1.0 / scale_factor if scale_factor is not None and scale_factor > 0 else n_in / n_out


def nearest_matrix(n_in, n_out, scale_factor, exact, fast=False):
    """PyTorch's nearest index map, computed in float32 (src = floor(dst * scale), or
    floor((dst + 0.5) * scale) for nearest-exact). With ``fast`` (PyTorch's 2-d forward and
    every backward kernel of mode 'nearest'), an output as large as the input, or twice as
    large, maps dst to dst or dst // 2 whatever the scale_factor."""
    dst = np.arange(n_out)
    if fast and not exact and n_out in (n_in, 2 * n_in):
        src = dst // (n_out // n_in)
    else:
        scale = np.float32(1.0 / scale_factor if scale_factor is not None and scale_factor > 0
                           else np.float32(n_in) / np.float32(n_out))
        src = np.floor((dst.astype(np.float32) + np.float32(0.5 if exact else 0.0)) * scale)
        src = np.minimum(src.astype(np.int64), n_in - 1)
    m = np.zeros((n_out, n_in))
    m[dst, src] = 1.0
    return m


def linear_matrix(n_in, n_out, scale_factor, align_corners):
    scale = _scale(n_in, n_out, scale_factor)
    src = _source(np.arange(n_out, dtype=np.float64), n_in, n_out, scale, align_corners)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    m = np.zeros((n_out, n_in))
    np.add.at(m, (np.arange(n_out), i0), 1 - lam)
    np.add.at(m, (np.arange(n_out), i1), lam)
    return m


def cubic_matrix(n_in, n_out, scale_factor, align_corners, a=-0.75):
    scale = _scale(n_in, n_out, scale_factor)
    src = _source(np.arange(n_out, dtype=np.float64), n_in, n_out, scale, align_corners, cubic=True)
    i = np.floor(src).astype(np.int64)
    t = src - i
    w = [((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
         ((a + 2) * t - (a + 3)) * t * t + 1,
         ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
         ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a]
    m = np.zeros((n_out, n_in))
    for k in range(4):
        np.add.at(m, (np.arange(n_out), np.clip(i - 1 + k, 0, n_in - 1)), w[k])
    return m


def _lanczos(x):
    """PIL's Lanczos filter (a = 3)."""
    return np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0.0)


def _cubic_aa(x, a=-0.5):
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1, np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0))


_AA_FILTERS = {'bilinear': (2, lambda x: np.maximum(1 - np.abs(x), 0.0)), 'bicubic': (4, _cubic_aa),
               'lanczos': (6, _lanczos)}


def antialias_matrix(n_in, n_out, scale_factor, align_corners, mode):
    """PyTorch's antialiased weights (PIL's filters): when shrinking, the triangle (bilinear),
    cubic (a = -0.5) or Lanczos (a = 3) filter is stretched by the scale so every input pixel
    contributes; each row is normalised to sum to 1."""
    if align_corners:
        scale = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        scale = _scale(n_in, n_out, scale_factor)
    size, filt = _AA_FILTERS[mode]
    support = size * 0.5 * scale if scale >= 1.0 else size * 0.5
    inv = 1.0 / scale if scale >= 1.0 else 1.0
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = scale * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), n_in)
        w = filt((np.arange(lo, hi) - center + 0.5) * inv)
        total = w.sum()
        m[i, lo:hi] = w / total if total != 0 else w
    return m


# ------------------------------------------------------------------ F.interpolate

# the modes each input rank serves (PyTorch's dispatch); anything else is refused
_SERVES = {3: ('nearest', 'nearest-exact', 'area', 'linear'), 4: ('nearest', 'nearest-exact', 'area', 'bilinear',
                                                                  'bicubic', 'lanczos'),
           5: ('nearest', 'nearest-exact', 'area', 'trilinear')}
_NEEDS = {'linear': 3, 'bilinear': 4, 'trilinear': 5}


def _is_integer(v):
    from .._tensor import Tensor
    return isinstance(v, (int, np.integer)) or (isinstance(v, Tensor) and not v.dtype.is_floating_point)


def _output_size(input, nd, size, scale_factor, mode, recompute_scale_factor):
    """PyTorch's checks of size / scale_factor: the output size and the scales the kernels use."""
    sp = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError('only one of size or scale_factor should be defined')
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(f'Input and output must have the same number of spatial dimensions, but got input '
                                 f'with spatial dimensions of {sp} and output size of {size}. Please provide input '
                                 'tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.')
            if not all(_is_integer(v) for v in size):
                raise TypeError('expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, '
                                f'int], but got size with types {[type(v) for v in size]}')
            out = tuple(int(v) for v in size)
        else:
            out = (int(size),) * nd
        scales = (None,) * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError('Input and scale_factor must have the same number of spatial dimensions, but got '
                                 f'input with spatial dimensions of {sp} and scale_factor of shape {scale_factor}. '
                                 'Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in '
                                 '(s1, s2, ...,sK) format.')
            scales = tuple(scale_factor)
        else:
            scales = (scale_factor,) * nd
        out = tuple(int(float(s) * f) for s, f in zip(sp, scales))      # toward zero, as PyTorch (negatives)
    else:
        raise ValueError('either size or scale_factor should be defined')
    if recompute_scale_factor and size is not None:
        raise ValueError('recompute_scale_factor is not meaningful with an explicit size.')
    if recompute_scale_factor or mode == 'area':
        scales = (None,) * nd
    return out, scales


def _check_sizes(sp, out):
    if all(s > 0 for s in sp) and all(o > 0 for o in out):
        return
    names = ('D', 'H', 'W')[3 - len(sp):]
    fmt = (lambda v: ', '.join(f'{n}: {x}' for n, x in zip(names, v)))
    raise RuntimeError(f'Input and output sizes should be greater than 0, but got input ({fmt(sp)})'
                       f"{' and' if len(sp) == 1 else ''} output ({fmt(out)})")


def interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None,
                recompute_scale_factor=None, antialias=False):
    if mode in ('nearest', 'area', 'nearest-exact'):
        if align_corners is not None:
            raise ValueError('align_corners option can only be set with the interpolating modes: '
                             'linear | bilinear | bicubic | trilinear')
    elif align_corners is None:
        align_corners = False
    nd = input.ndim - 2
    out, scales = _output_size(input, nd, size, scale_factor, mode, recompute_scale_factor)
    if antialias and not (mode in ('bilinear', 'bicubic', 'lanczos') and input.ndim == 4):
        raise ValueError('Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a '
                         '4-D tensor as input')
    if mode not in _SERVES.get(input.ndim, ()):
        if mode in _NEEDS and input.ndim in _SERVES:
            raise NotImplementedError(f'Got {input.ndim}D input, but {mode} mode needs {_NEEDS[mode]}D input')
        raise NotImplementedError(f'Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) '
                                  'for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | '
                                  f'nearest-exact (got {mode})')
    if mode == 'lanczos':
        if align_corners:
            raise ValueError('Lanczos mode does not support align_corners=True')
        if not antialias:
            raise ValueError('Lanczos mode requires antialias=True')
    if mode == 'area':
        return _area(input, nd, out)
    sp = tuple(input.shape[2:])
    _check_sizes(sp, out)
    if not math.prod(input.shape[1:]):
        raise RuntimeError(f'Non-empty {input.ndim}D data tensor expected but got a tensor with sizes '
                           f'{list(input.shape)}')
    if not input.dtype.is_floating_point:
        _check_int_input(input, mode, nd, antialias)
    mats, bmats = [], None
    if mode == 'nearest' and nd != 2:
        bmats = [nearest_matrix(n_in, n_out, s, False, fast=True) for n_in, n_out, s in zip(sp, out, scales)]
    for n_in, n_out, s in zip(sp, out, scales):
        if antialias:
            mats.append(antialias_matrix(n_in, n_out, s, align_corners, mode))
        elif mode in ('nearest', 'nearest-exact'):
            mats.append(nearest_matrix(n_in, n_out, s, mode == 'nearest-exact', fast=nd == 2))
        elif mode == 'bicubic':
            mats.append(cubic_matrix(n_in, n_out, s, align_corners))
        else:
            mats.append(linear_matrix(n_in, n_out, s, align_corners))
    if input.dtype == _dtype.uint8 and mode in ('bilinear', 'bicubic', 'lanczos'):
        return _uint8_separable(input, mats)
    xp = _xp(input._data)
    mats = tuple(xp.asarray(m) for m in mats)
    if bmats is not None:
        bmats = tuple(xp.asarray(m) for m in bmats)
    return apply(NODES[(mode + '-aa' if antialias else mode, nd)], input, mats=mats, bmats=bmats)


def _area(input, nd, out):
    """mode='area' is adaptive average pooling (through PyTorch's 1-, 2- or 3-d entry point)."""
    from . import pooling_api
    return getattr(pooling_api, f'adaptive_avg_pool{nd}d')(input, out)


def _check_int_input(input, mode, nd, antialias):
    """PyTorch's CPU kernels take uint8 for the nearest modes and 2-D bilinear/bicubic only; any
    other integer or bool input raises NotImplementedError naming the kernel that refused it."""
    if input.dtype == _dtype.uint8 and (mode in ('nearest', 'nearest-exact') or
                                        (nd == 2 and mode in ('bilinear', 'bicubic', 'lanczos'))):
        return
    if antialias:
        kernel = 'compute_index_ranges_weights'
    elif nd == 2 and mode != 'bicubic':
        kernel = f"upsample_{'bilinear' if mode == 'bilinear' else 'nearest'}2d_channels_last"
    elif mode == 'bicubic':
        kernel = 'compute_indices_weights_cubic'
    else:
        kernel = 'compute_indices_weights_nearest' if mode.startswith('nearest') else 'compute_indices_weights_linear'
    from .._tensor import _scalar_name
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(input.dtype)}\'')


def _fixed_point(m):
    """A weight matrix as PyTorch's uint8 kernels hold it: int16 weights scaled by 2**precision."""
    top = float(np.abs(m).max())
    precision = 0
    while precision < 22 and int(0.5 + top * (1 << (precision + 1))) < (1 << 15):
        precision += 1
    return np.trunc(m * (1 << precision) + np.sign(m) * 0.5), precision


def _uint8_separable(input, mats):
    """uint8 bilinear/bicubic as PyTorch computes it on the CPU: fixed-point weights, the width
    pass then the height pass, each rounded (half up) and clamped back to 0..255. Exact integer
    sums in float64, so the result matches PyTorch's bit for bit."""
    from .._tensor import Tensor
    x = input._data
    xp = _xp(x)
    out = x.astype(np.float64)
    for d in (x.ndim - 1, x.ndim - 2):
        w, precision = _fixed_point(mats[d - 2])
        out = xp.moveaxis(xp.tensordot(out, xp.asarray(w), axes=([d], [1])), -1, d)
        out = xp.clip(xp.floor((out + (1 << (precision - 1))) / (1 << precision)), 0, 255)
    return Tensor._make(xp.ascontiguousarray(out.astype(np.uint8)))


def upsample(input, size=None, scale_factor=None, mode='nearest', align_corners=None):
    import warnings
    warnings.warn('`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.',
                  UserWarning, stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


# ------------------------------------------------------------------ pixel shuffle

class PixelShuffleBackward0(Op):
    def forward(self, x, r):
        self.r = r
        *lead, c, h, w = x.shape
        if c % (r * r):
            raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
                               f'of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}')
        y = x.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
        k = len(lead)
        y = y.transpose(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2))
        return _xp(x).ascontiguousarray(y).reshape(tuple(lead) + (c // (r * r), h * r, w * r))

    def backward(self, g):
        return apply(PixelUnshuffleBackward0, g, r=self.r)


class PixelUnshuffleBackward0(Op):
    def forward(self, x, r):
        self.r = r
        *lead, c, h, w = x.shape
        if h % r or w % r:
            raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but "
                               f'input.size(-2)={h} is not divisible by {r}' if h % r else
                               f"pixel_unshuffle expects width to be divisible by downscale_factor, but "
                               f'input.size(-1)={w} is not divisible by {r}')
        k = len(lead)
        y = x.reshape(tuple(lead) + (c, h // r, r, w // r, r))
        y = y.transpose(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3))
        return _xp(x).ascontiguousarray(y).reshape(tuple(lead) + (c * r * r, h // r, w // r))

    def backward(self, g):
        return apply(PixelShuffleBackward0, g, r=self.r)


def _shuffle_args(fname, input, factor, what):
    if not isinstance(factor, int):
        raise TypeError(f"{fname}(): argument '{what}' (position 2) must be int, not {type(factor).__name__}")
    if input.ndim < 3:
        raise RuntimeError(f'{fname} expects input to have at least 3 dimensions, but got input with {input.ndim} '
                           'dimension(s)')
    if factor <= 0:
        raise RuntimeError(f'{fname} expects a positive {what}, but got {factor}')
    return factor


def pixel_shuffle(input, upscale_factor):
    return apply(PixelShuffleBackward0, input, r=_shuffle_args('pixel_shuffle', input, upscale_factor,
                                                               'upscale_factor'))


def pixel_unshuffle(input, downscale_factor):
    return apply(PixelUnshuffleBackward0, input, r=_shuffle_args('pixel_unshuffle', input, downscale_factor,
                                                                 'downscale_factor'))
