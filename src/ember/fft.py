"""ember.fft: discrete Fourier transforms, as torch.fft.

Every transform is put together as PyTorch does it, from three primitives in
``ember/ops/fft.py`` (FftC2CBackward0, FftR2CBackward0, FftC2RBackward0): the input is promoted
(integers to the default float dtype, real to complex where a complex transform needs it: a
ToCopyBackward0 node), trimmed (SliceBackward0) or zero-padded (ConstantPadNdBackward0) to the
requested sizes, then transformed; the inverse real transforms conjugate (ConjBackward0) as
PyTorch does, so ``grad_fn`` and ``next_functions`` read the same.

``norm``: 'backward' (default: the inverse scales by 1/n), 'forward' (the forward scales by
1/n), 'ortho' (both by 1/sqrt(n)).
"""
import warnings

import numpy as np

from . import _dtype
from ._tensor import _scalar_name, xp_of
from .ops._op import apply
from .ops.fft import FftC2CBackward0, FftR2CBackward0, FftC2RBackward0
from .ops.shape import wrap_dim

__all__ = ['fft', 'ifft', 'fft2', 'ifft2', 'fftn', 'ifftn', 'rfft', 'irfft', 'rfft2', 'irfft2', 'rfftn',
           'irfftn', 'hfft', 'ihfft', 'hfft2', 'ihfft2', 'hfftn', 'ihfftn', 'fftfreq', 'rfftfreq',
           'fftshift', 'ifftshift']


# ------------------------------------------------------------------ argument handling

def _norm(norm, forward):
    """Scaling mode of the primitives: 0 none, 1 by 1/sqrt(n), 2 by 1/n."""
    if norm is None or norm == 'backward':
        return 0 if forward else 2
    if norm == 'forward':
        return 2 if forward else 0
    if norm == 'ortho':
        return 1
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _promote(x, require_complex=False):
    """Integers and bool to the default float dtype; half precision refused (as on CPU)."""
    d = x.dtype
    if d.is_complex:
        return x
    if not d.is_floating_point:
        d = _dtype.get_default_dtype()
    elif d not in (_dtype.float32, _dtype.float64):
        raise RuntimeError(f'Unsupported dtype {_scalar_name(d)}')
    if require_complex:
        d = d.to_complex()
    return x if d == x.dtype else x.to(d)


def _check_n(n):
    if n < 1:
        raise RuntimeError(f'Invalid number of data points ({n}) specified')


def _resize(x, dims, sizes):
    """Trim (slices) or zero-pad (one constant pad) ``x`` to ``sizes`` along ``dims``."""
    pad = [0] * (2 * x.dim())
    padded = False
    for d, n in zip(dims, sizes):
        if n == -1:
            continue
        have = x.shape[d]
        if have < n:
            pad[len(pad) - 2 * d - 1] = n - have
            padded = True
        elif have > n:
            x = x.narrow(d, 0, n)
    if padded:
        from .ops.padding import pad as _pad
        x = _pad(x, tuple(pad))
    return x


def _canon(x, s, dim):
    """(sizes, dims) of an n-dimensional transform, with PyTorch's checks and defaults."""
    nd = x.dim()
    if dim is not None:
        dims = [wrap_dim(d, nd) for d in ((dim,) if isinstance(dim, int) else dim)]
        if len(set(dims)) != len(dims):
            raise RuntimeError('FFT dims must be unique')
    if s is not None:
        s = [int(v) for v in s]
        if dim is not None and len(dims) != len(s):
            raise RuntimeError('When given, dim and shape arguments must have the same length')
        if len(s) > nd:
            raise RuntimeError(f'Got shape with {len(s)} values but input tensor only has {nd} dimensions.')
        if dim is None:
            dims = list(range(nd - len(s), nd))
        sizes = [x.shape[d] if v == -1 else v for d, v in zip(dims, s)]
    elif dim is None:
        dims, sizes = list(range(nd)), list(x.shape)
    else:
        sizes = [x.shape[d] for d in dims]
    for n in sizes:
        _check_n(n)
    return sizes, dims


def _canon_c2r(name, x, s, dim):
    """As ``_canon`` for the transforms with a real output: (input sizes, dims, last output size)."""
    sizes, dims = _canon(x, s, dim)
    if not dims:
        raise RuntimeError(f'{name} must transform at least one axis')
    last = 2 * (x.shape[dims[-1]] - 1) if s is None or s[-1] == -1 else sizes[-1]
    _check_n(last)
    sizes[-1] = last // 2 + 1
    return sizes, dims, last


def _write(name, out, res, want_complex):
    """Copy ``res`` into the user's ``out=`` tensor (resized when its shape differs)."""
    if want_complex and not out.dtype.is_complex:
        raise RuntimeError(f'{name} expects a complex output tensor, but got {_scalar_name(out.dtype)}')
    if not want_complex and not out.dtype.is_floating_point:
        raise RuntimeError(f'{name} expects a floating point output tensor, but got {_scalar_name(out.dtype)}')
    from .autograd.grad_mode import is_grad_enabled
    prim = _OUT_NAMES.get(type(res.grad_fn).__name__, name)
    if is_grad_enabled() and res.requires_grad and prim != 'conj_physical':     # torch lets that one through
        raise RuntimeError(f"{prim}(): functions with out=... arguments don't support automatic "
                           'differentiation, but one of the arguments requires grad.')
    if tuple(out.shape) != tuple(res.shape):
        if out.numel():
            warnings.warn(f'An output with one or more elements was resized since it had shape '
                          f'{list(out.shape)}, which does not match the required output shape '
                          f'{list(res.shape)}. This behavior is deprecated, and in a future PyTorch '
                          'release outputs will not be resized unless they have zero elements. You can '
                          'explicitly reuse an out tensor t by resizing it, inplace, to zero elements '
                          'with t.resize_(0).', UserWarning, stacklevel=4)
        out._data = xp_of(res._data).empty(res._data.shape, out._data.dtype)
    from .ops._op import write_into
    write_into(out, res._data)
    return out


_OUT_NAMES = {'FftC2CBackward0': '_fft_c2c', 'FftR2CBackward0': '_fft_r2c', 'FftC2RBackward0': '_fft_c2r',
              'ConjBackward0': 'conj_physical', 'ConjPhysicalBackward0': 'conj_physical'}


def _finish(name, res, out, want_complex=True):
    return res if out is None else _write(name, out, res, want_complex)


# ------------------------------------------------------------------ the three shapes of transform

def _c2c(name, x, s, dims, norm, forward, out):
    x = _resize(x, dims, s)
    res = apply(FftC2CBackward0, x, dims=tuple(dims), norm=_norm(norm, forward), forward=forward)
    return _finish(name, res, out)


def _r2c(name, x, s, dims, norm, forward, onesided, out):
    """Real input: the forward transform (conjugated for the inverse direction)."""
    x = _resize(_promote(x), dims, s)
    res = apply(FftR2CBackward0, x, dims=tuple(dims), norm=_norm(norm, forward), onesided=onesided)
    if not forward:
        res = res.conj()
    return _finish(name, res, out)


def _c2r(name, x, sizes, dims, last, norm, forward, out):
    """Hermitian half spectrum to a real signal of ``last`` points along the last dim."""
    x = _resize(_promote(x, True), dims, sizes)
    mode = _norm(norm, forward)
    if forward:                       # hfft: the other dims forward, then conjugate
        if len(dims) > 1:
            x = apply(FftC2CBackward0, x, dims=tuple(dims[:-1]), norm=mode, forward=True)
            dims = dims[-1:]
        x = x.conj()
    res = apply(FftC2RBackward0, x, dims=tuple(dims), norm=mode, last_size=last)
    return _finish(name, res, out, want_complex=False)


def _dim1(x, dim, n):
    d = wrap_dim(dim, x.dim()) if x.dim() else _no_dims(dim)
    size = x.shape[d] if n is None else n
    _check_n(size)
    return d, [-1 if n is None else n]


def _no_dims(dim):
    raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')


# ------------------------------------------------------------------ one dimension

def fft(input, n=None, dim=-1, norm=None, *, out=None):
    return _one('fft', input, n, dim, norm, True, out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    return _one('ifft', input, n, dim, norm, False, out)


def _one(name, x, n, dim, norm, forward, out):
    if x.is_complex():
        d, s = _dim1(x, dim, n)
        return _c2c(name, x, s, [d], norm, forward, out)
    if out is not None and not out.dtype.is_complex:
        raise RuntimeError(f'{name} expects a complex output tensor, but got {_scalar_name(out.dtype)}')
    d, s = _dim1(x, dim, n)
    return _r2c(name, x, s, [d], norm, forward, False, out)


def _real_only(name, x, out):
    if x.is_complex():
        raise RuntimeError(f'{name} expects a real input tensor, but got {_scalar_name(x.dtype)}')
    if out is not None and not out.dtype.is_complex:
        raise RuntimeError(f'{name} expects a complex output tensor, but got {_scalar_name(out.dtype)}')


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    _real_only('rfft', input, out)
    d, s = _dim1(input, dim, n)
    return _r2c('rfft', input, s, [d], norm, True, True, out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    _real_only('ihfft', input, out)
    d, s = _dim1(input, dim, n)
    return _r2c('ihfft', input, s, [d], norm, False, True, out)


def _c2r_one(name, x, n, dim, norm, forward, out):
    if out is not None and not out.dtype.is_floating_point:
        raise RuntimeError(f'{name} expects a floating point output tensor, but got {_scalar_name(out.dtype)}')
    x = _promote(x, True)
    d = wrap_dim(dim, x.dim()) if x.dim() else _no_dims(dim)
    last = 2 * (x.shape[d] - 1) if n is None else n
    _check_n(last)
    sizes = [-1 if n is None else last // 2 + 1]
    return _c2r(name, x, sizes, [d], last, norm, forward, out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _c2r_one('irfft', input, n, dim, norm, False, out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    return _c2r_one('hfft', input, n, dim, norm, True, out)


# ------------------------------------------------------------------ n dimensions

def fftn(input, s=None, dim=None, norm=None, *, out=None):
    return _many('fftn', input, s, dim, norm, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    return _many('ifftn', input, s, dim, norm, False, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _many('fftn', input, s, dim, norm, True, out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _many('ifftn', input, s, dim, norm, False, out)


def _many(name, x, s, dim, norm, forward, out):
    sizes, dims = _canon(x, s, dim)
    x = _promote(x, True)
    return _c2c(name, x, sizes, dims, norm, forward, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    if input.is_complex():
        raise RuntimeError(f'rfftn expects a real-valued input tensor, but got {_scalar_name(input.dtype)}')
    sizes, dims = _canon(input, s, dim)
    if not dims:
        raise RuntimeError('rfftn must transform at least one axis')
    if out is not None and not out.dtype.is_complex:
        raise RuntimeError(f'rfftn expects a complex output tensor, but got {_scalar_name(out.dtype)}')
    return _r2c('rfftn', input, sizes, dims, norm, True, True, out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return rfftn(input, s, dim, norm, out=out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    sizes, dims, last = _canon_c2r('irfftn', input, s, dim)
    return _c2r('irfftn', input, sizes, dims, last, norm, False, out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return irfftn(input, s, dim, norm, out=out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    sizes, dims, last = _canon_c2r('hfftn', input, s, dim)
    return _c2r('hfftn', input, sizes, dims, last, norm, True, out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return hfftn(input, s, dim, norm, out=out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    sizes, dims = _canon(input, s, dim)
    if not dims:
        raise RuntimeError('ihfftn must transform at least one axis')
    x = _promote(input)
    if x.is_complex():
        raise RuntimeError(f'Only supports floating-point dtypes, but found: {_scalar_name(x.dtype)}')
    x = _resize(x, dims, sizes)
    mode = _norm(norm, False)
    res = apply(FftR2CBackward0, x, dims=(dims[-1],), norm=mode, onesided=True)
    if len(dims) == 1:
        return _finish('ihfftn', res.conj(), out)
    from .ops.complex_real import conj_physical
    res = conj_physical(res)
    res = apply(FftC2CBackward0, res, dims=tuple(dims[:-1]), norm=mode, forward=False)
    return _finish('ihfftn', res, out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return ihfftn(input, s, dim, norm, out=out)


# ------------------------------------------------------------------ helpers

def _freq_dtype(name, dtype):
    d = _dtype.get_default_dtype() if dtype is None else dtype
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError(f'{name} requires a floating point or complex dtype')
    return d


def _freqs(name, n, count, d, dtype, device, requires_grad, negative=False):
    """arange(count) (its upper half moved down by n when ``negative``) times 1 / (n d), in float64
    as PyTorch (d = 0 gives inf and nan, not an error)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"fft_{name}(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    dt = _freq_dtype(name, dtype)
    if dt.is_complex:
        raise NotImplementedError(f'"arange_cpu" not implemented for \'{_scalar_name(dt)}\'')
    if count < 0:
        raise RuntimeError(f'Trying to create tensor with negative dimension {count}: [{count}]')
    k = np.arange(count)
    if negative:
        k[(n + 1) // 2:] -= n
    with np.errstate(divide='ignore', invalid='ignore'):
        k = k.astype(dt.np) * dt.np.type(np.float64(1.0) / np.float64(n * d))
    from .ops.creation import tensor as _tensor
    return _tensor(k, dtype=dt, device=device, requires_grad=requires_grad)


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Sample frequencies of an n-point transform: 0, 1, ..., then the negative ones, over n*d."""
    res = _freqs('fftfreq', n, n, d, dtype, device, requires_grad, negative=True)
    return res if out is None else _write('fftfreq', out, res, out.dtype.is_complex)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    """Sample frequencies of the one-sided transform: 0, 1, ..., n // 2, over n*d (n / 2 rounded
    toward zero, as PyTorch's C++: rfftfreq(-1) is [-0.])."""
    half = (abs(n) // 2) * (1 if n >= 0 else -1) if isinstance(n, int) else 0
    res = _freqs('rfftfreq', n, half + 1, d, dtype, device, requires_grad)
    return res if out is None else _write('rfftfreq', out, res, out.dtype.is_complex)


def _shift(x, dim, inverse):
    from .ops.shape_more import roll
    if dim is None:
        dims = list(range(x.dim()))
    else:
        dims = [wrap_dim(d, x.dim()) for d in ((dim,) if isinstance(dim, int) else dim)]
    shifts = [(x.shape[d] + inverse) // 2 for d in dims]
    return roll(x, shifts, dims)


def fftshift(input, dim=None):
    """Move the zero frequency to the centre (a roll by n // 2 along each dim)."""
    return _shift(input, dim, 0)


def ifftshift(input, dim=None):
    """Undo ``fftshift`` (a roll by (n + 1) // 2 along each dim)."""
    return _shift(input, dim, 1)
