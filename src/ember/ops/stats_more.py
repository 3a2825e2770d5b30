"""Order statistics and sample statistics: quantile / nanquantile, cov / corrcoef, isin, and the
trapezoid rule (trapezoid, trapz, cumulative_trapezoid).

quantile is composed as PyTorch composes it: sort along the reduced dim, gather the samples
below and above each rank, lerp between them, then squeeze the q slot away. Backward therefore
comes from sort/gather/lerp, and the result's node is SqueezeBackward4 as in PyTorch. The
distances (cdist, pdist, dist) live in distances.py and the window functions in windows.py;
both are re-exported from here.
"""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .arith_scalar import MulBackward1
from ._op import Op, apply
from ._promote import xp, result_dtype
from .shape import wrap_dim
from .matmul import SqueezeBackward4
from .nn_ops import DivBackward1
from .distances import cdist, pdist, dist, dist_method
from .windows import hann_window, hamming_window, blackman_window, bartlett_window, kaiser_window
from .argcheck import bad_input, need_tensor, not_tensor_error

_MODES = ('linear', 'lower', 'higher', 'midpoint', 'nearest')


def _fmt(v):
    """A double as C++ streams print it (6 significant digits)."""
    return f'{v:g}'


def _tensor(arr):
    return Tensor._make(arr)


# ------------------------------------------------------------------ quantile

def _quantile(input, q, dim, keepdim, interpolation, ignore_nan):
    a = input._data
    m = xp(a)
    if not isinstance(q, Tensor):
        q = float(q)
        if not 0 <= q <= 1:
            raise RuntimeError(f'quantile() q must be in the range [0, 1] but got {_fmt(q)}')
    if interpolation not in _MODES:
        raise RuntimeError('quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, '
                           f'but got {interpolation}')
    qt = q if isinstance(q, Tensor) else None
    if a.size == 0:
        raise RuntimeError('quantile() input tensor must be non-empty')
    if qt is not None and qt.ndim > 1:
        raise RuntimeError('quantile() q must be a scalar or 1D tensor')
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError('quantile() input tensor must be either float or double dtype')
    if qt is not None and qt._data.dtype != a.dtype:
        raise RuntimeError('quantile() q tensor must be same dtype as the input tensor')
    nd = input.ndim
    d = None if dim is None else wrap_dim(dim, nd)
    qa = m.asarray(q, dtype=a.dtype) if qt is None else qt._data
    if qt is not None and not bool(((qa >= 0) & (qa <= 1)).all()):
        raise RuntimeError('quantile() q values must be in the range [0, 1]')

    # output shape: the q slot (a 1-D q only) + the reduced shape
    if d is not None and nd > 0:
        out_shape = list(input.shape)
        if keepdim:
            out_shape[d] = 1
        else:
            del out_shape[d]
    else:
        out_shape = [1] * nd if keepdim else []
    # the samples, sorted along a last dim, viewed as (*out_shape, n)
    if d is None:
        s = input.flatten()
    elif d == nd - 1:
        s = input
    else:
        s = input.unsqueeze(-1).transpose(d, -1)
    s = s.sort()[0]
    n = s.shape[-1]
    s = s.reshape(out_shape + [n])

    # ranks in [0, n - 1], in the input's dtype (as PyTorch computes them)
    nan = m.isnan(s._data)
    if ignore_nan:              # ranks among the non-NaN samples (0 when all are NaN)
        factor = ((~nan).sum(-1, keepdims=True) - 1).astype(a.dtype)
        ranks = qa * factor
        fixed = ranks < 0
        ranks = m.where(fixed, a.dtype.type(0), ranks)
    else:                       # a row holding a NaN takes its last (NaN) sample
        factor = a.dtype.type(n - 1)
        fixed = nan.any(-1, keepdims=True)
        ranks = m.where(fixed, factor, qa * factor)
    ranks = ranks.astype(a.dtype, copy=False)
    if interpolation == 'lower':
        ranks = m.floor(ranks)
    elif interpolation == 'higher':
        ranks = m.ceil(ranks)
    elif interpolation == 'nearest':
        ranks = m.round(ranks)
    below = ranks.astype(np.int64)
    vals = s.gather(-1, _tensor(below))
    if interpolation in ('linear', 'midpoint'):
        above = m.ceil(ranks).astype(np.int64)
        if interpolation == 'midpoint':
            w = _tensor(m.full(ranks.shape, 0.5, dtype=a.dtype))
        else:
            w = _tensor((ranks - below).astype(a.dtype, copy=False))
            if qt is not None and qt.requires_grad:
                # the weight's dependence on q (PyTorch differentiates it): slope = the rank's factor,
                # zero where the rank was fixed (a NaN row, a negative nanquantile rank)
                slope = _tensor(m.where(fixed, a.dtype.type(0), factor).astype(a.dtype, copy=False))
                w = w + (qt - qt.detach()) * slope
        vals = vals.lerp(s.gather(-1, _tensor(above)), w)
    if qt is None or qt.ndim == 0:
        return apply(SqueezeBackward4, vals, dim=-1)
    # a 1-D q: its slot moves to the front (a strided result, as PyTorch's in-place transpose_)
    return apply(SqueezeBackward4, vals.unsqueeze(0).transpose(0, -1), dim=-1)


def quantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    r = _quantile(input, q, dim, keepdim, interpolation, False)
    return r if out is None else out.copy_(r)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation='linear', out=None):
    r = _quantile(input, q, dim, keepdim, interpolation, True)
    return r if out is None else out.copy_(r)


# ------------------------------------------------------------------ cov / corrcoef

def _weights_check(w, name, n, integral):
    if w.ndim > 1:
        raise RuntimeError(f'cov(): expected {name} to have one or fewer dimensions but got {name} with {w.ndim} '
                           'dimensions')
    ok = (w.dtype.is_floating_point if not integral
          else not w.dtype.is_floating_point and w.dtype is not _dtype.bool_)
    if not ok:
        kind = 'integral' if integral else 'floating point'
        raise RuntimeError(f'cov(): expected {name} to have {kind} dtype but got {name} with '
                           f'{_dtype_name(w)} dtype')
    if w.numel() != n:
        raise RuntimeError(f'cov(): expected {name} to have the same numel as there are observations in the input '
                           f'but got {w.numel()} != {n}')
    if n and not bool((w._data >= 0).all()):
        raise RuntimeError(f'cov(): {name} cannot be negative')


def _dtype_name(t):
    from .._tensor import _scalar_name
    return _scalar_name(t.dtype)


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the rows of ``input`` (variables) over its columns (observations)."""
    need_tensor('cov', input)
    try:
        from .creation import scalar_tensor, zeros_like
        if input.ndim > 2:
            raise RuntimeError('cov(): expected input to have two or fewer dimensions but got an input with '
                               f'{input.ndim} dimensions')
        if input.dtype is _dtype.bool_:
            raise RuntimeError('cov(): bool dtype is not supported for input')
        x = input.view(1, -1) if input.ndim < 2 else input
        n = x.shape[1]
        w = None
        if fweights is not None:
            _weights_check(fweights, 'fweights', n, True)
            w = fweights
        if aweights is not None:
            _weights_check(aweights, 'aweights', n, False)
            w = aweights if w is None else w * aweights
        if w is None:
            w_sum = scalar_tensor(n, like=input, dtype=_dtype.int64)
        else:
            w_sum = w.sum()
            if not bool(w_sum._data != 0):
                raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = (x if w is None else x * w).sum(1) / w_sum
        if w is None:
            norm = scalar_tensor(n - correction, like=input, dtype=_dtype.int64)
        elif correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        elif fweights is None and n == 1 and correction == 1:
            norm = scalar_tensor(0, like=input, dtype=_dtype.int64)
        else:
            norm = w_sum - correction * (w * aweights).sum() / w_sum
        if bool(norm._data <= 0):
            warnings.warn('cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of '
                          'observations.', UserWarning, stacklevel=2)
            norm = zeros_like(norm)
        if n == 1 and (fweights is None) != (aweights is None):
            # one observation and one kind of weight: the centred data is exactly zero
            xc = zeros_like(x) if x.is_floating_point() else zeros_like(x, dtype=_dtype.float32)
        else:
            xc = x - avg.unsqueeze(1)
        c = xc.mm((xc if w is None else xc * w).t())
        return (c / norm).squeeze()
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('cov', (input,))


def corrcoef(input):
    """Pearson correlation coefficients: cov normalised by the standard deviations, clipped to [-1, 1]."""
    need_tensor('corrcoef', input)
    try:
        if input.ndim > 2:
            raise RuntimeError('corrcoef(): expected input to have two or fewer dimensions but got an input with '
                               f'{input.ndim} dimensions')
        c = cov(input)
        if c.ndim == 0:
            return c / c
        std = c.diagonal().sqrt()
        c = c / std.view(-1, 1)
        c = c / std.view(1, -1)
        return c.clip(-1, 1)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('corrcoef', (input,))


# ------------------------------------------------------------------ isin

class Isin(Op):
    differentiable = False

    def forward(self, e, t, assume_unique=False, invert=False):
        nd = result_dtype(e, t).np
        if any(isinstance(v, bool) or getattr(v, 'dtype', None) == np.bool_ for v in (e, t)):
            raise RuntimeError('Unsupported input type encountered for isin(): Bool')
        m = xp(e) if not isinstance(e, (int, float, bool)) else xp(t)
        e = m.asarray(e, dtype=nd)
        t = m.asarray(t, dtype=nd)
        return m.isin(e, t, assume_unique=assume_unique, invert=invert)


def _arg_type(v):
    return 'Tensor' if isinstance(v, Tensor) else type(v).__name__


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each of ``elements`` occurs in ``test_elements`` (either may be a Python number)."""
    ok = (isinstance(elements, Tensor) and isinstance(test_elements, (Tensor, int, float, bool))) or (
        isinstance(test_elements, Tensor) and isinstance(elements, (int, float, bool)))
    if not ok:
        raise TypeError(f'isin() received an invalid combination of arguments - got ({_arg_type(elements)}, '
                        f'{_arg_type(test_elements)}), but expected one of:')
    return apply(Isin, elements, test_elements, assume_unique=bool(assume_unique), invert=bool(invert))


# ------------------------------------------------------------------ trapezoid rule

def _trap_dim(y, dim):
    if y.ndim == 0:
        raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
    return wrap_dim(dim, y.ndim)


def _cut(t, d, start, stop):
    """t[..., start:stop, ...] along dim d (PyTorch's slice)."""
    return t[(slice(None),) * d + (slice(start, stop),)]


def _empty_result(y, d):
    from .creation import zeros
    shape = tuple(s for i, s in enumerate(y.shape) if i != d)
    return zeros(shape, dtype=y.dtype, device=y.device)


def _x_steps(fname, y, x, d):
    """dx along dim d: x viewed to line up with y's dims (a 1-D x runs along d), then differenced."""
    if x.ndim == 1:
        if x.shape[0] != y.shape[d]:
            raise RuntimeError(f'{fname}: There must be one `x` value for each sample point')
        shape = [1] * y.ndim
        shape[d] = x.shape[0]
        x = x.view(shape)
    elif x.ndim < y.ndim:
        x = x.view([1] * (y.ndim - x.ndim) + list(x.shape))
    return _cut(x, d, 1, None) - _cut(x, d, 0, -1)


def _true_div2(t):
    from .. import get_default_dtype
    if not t.is_floating_point():
        t = t.to(get_default_dtype())
    return apply(DivBackward1, t, 2.0)


def _bad_call(fname, args, kw):
    got = ', '.join([_arg_type(a) for a in args] + [f'{k}={_arg_type(v)}' for k, v in kw.items()])
    return TypeError(f'{fname}() received an invalid combination of arguments - got ({got}), but expected one of:')


def _trap_args(fname, y, x, dx):
    if x is None and dx is None and not isinstance(y, Tensor):
        return not_tensor_error(fname, y, 'y')
    if x is not None and not isinstance(x, Tensor):
        return _bad_call(fname, (y, x), {})
    if x is not None and dx is not None:
        return _bad_call(fname, (y, x), {'dx': dx})
    return None


def _trap(fname, y, x, dx, dim):
    err = _trap_args(fname, y, x, dx)
    if err is not None:
        raise err
    d = _trap_dim(y, dim)
    if y.shape[d] == 0:
        return _empty_result(y, d)
    if y.dtype is _dtype.bool_ or (x is not None and x.dtype is _dtype.bool_):
        what = '`y`' if x is None else '`x` or `y`'
        raise RuntimeError(f'{fname}: received a bool input for {what}, but bool is not supported')
    if x is None:
        edges = y.select(d, 0) + y.select(d, -1)
        return apply(MulBackward1, y.sum(d) - edges * 0.5, other=float(1 if dx is None else dx))
    steps = _x_steps(fname, y, x, d)
    return _true_div2(((_cut(y, d, 1, None) + _cut(y, d, 0, -1)) * steps).sum(d))


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of y along dim by the trapezoid rule, sampled at x (or spaced dx apart, 1 by default)."""
    return _trap('trapezoid', y, x, dx, dim)


def trapz(y, x=None, *, dx=None, dim=-1):
    return _trap('trapz', y, x, dx, dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid-rule integral of y along dim (one fewer element along dim)."""
    err = _trap_args('cumulative_trapezoid', y, x, dx)
    if err is not None:
        raise err
    d = _trap_dim(y, dim)
    if y.dtype is _dtype.bool_ or (x is not None and x.dtype is _dtype.bool_):
        what = '`y`' if x is None else '`x` or `y`'
        raise RuntimeError(f'cumulative_trapezoid: received a bool input for {what}, but bool is not supported')
    pairs = _cut(y, d, 0, -1) + _cut(y, d, 1, None)
    if x is None:
        return ((1.0 if dx is None else float(dx)) / 2.0 * pairs).cumsum(d)
    return _true_div2((_x_steps('cumulative_trapezoid', y, x, d) * pairs).cumsum(d))


__all__ = ['quantile', 'nanquantile', 'cov', 'corrcoef', 'isin', 'trapezoid', 'trapz', 'cumulative_trapezoid',
           'cdist', 'pdist', 'dist', 'hann_window', 'hamming_window', 'blackman_window', 'bartlett_window',
           'kaiser_window']

METHODS = {'quantile': quantile, 'nanquantile': nanquantile, 'cov': cov, 'corrcoef': corrcoef, 'dist': dist_method}
