"""Window functions (``ember.signal.windows``), as ``torch.signal.windows``: each is composed of
ember ops on a ``linspace`` of sample positions, so values, dtypes and (with ``requires_grad``)
the recorded graph are PyTorch's. ``sym=False`` gives the periodic window (the first M points of
the symmetric window of length M + 1), the form spectral analysis uses.

The cosine-sum family (hann, hamming, blackman, nuttall, general_hamming) is one definition,
``general_cosine``. ``ember.hann_window`` and its siblings (ops/windows.py) are kernels that
round each step as PyTorch's C++ kernels do; these follow PyTorch's Python composition instead.
"""
import math

from .. import _dtype
from .._tensor import Tensor

__all__ = ['bartlett', 'blackman', 'cosine', 'exponential', 'gaussian', 'general_cosine', 'general_hamming',
           'hamming', 'hann', 'kaiser', 'nuttall']


def _check(name, M, dtype, layout):
    """PyTorch's checks for every window: length, dtype (float32/float64 only), layout."""
    if M < 0:
        raise ValueError(f'{name} requires non-negative window length, got M={M}')
    if layout is not None and layout != _dtype.strided:
        raise ValueError(f'{name} is implemented for strided tensors only, got: {layout}')
    d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if d not in (_dtype.float32, _dtype.float64):
        raise ValueError(f'{name} expects float32 or float64 dtypes, got: {d}')
    return d


def _steps(M):
    if isinstance(M, bool) or not isinstance(M, int):
        raise TypeError(f'linspace() received an invalid combination of arguments - got (steps={type(M).__name__}), '
                        'but expected one of: (Number start, Number end, int steps, ...)')
    return M


def _positions(start, step, M, d, device, requires_grad, end=None):
    """M sample positions start, start + step, ... (a linspace, as PyTorch builds them)."""
    from ..ops.ranges import linspace
    end = start + (M - 1) * step if end is None else end
    return linspace(start, end, _steps(M), dtype=d, device=device, requires_grad=requires_grad)


def _short(M, d, device, requires_grad):
    """The windows of length 0 and 1 (empty, and [1.])."""
    from ..ops.creation import ones
    return ones(int(M), dtype=d, device=device, requires_grad=requires_grad)


def _span(M, sym):
    """The denominator of the sample spacing: M - 1 for the symmetric window, M for the periodic one."""
    return M - 1 if sym else M


def general_cosine(M, *, a, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """sum_i (-1)^i a_i cos(2 pi i n / (M - 1)) for n = 0 .. M - 1 (M in place of M - 1 if not sym)."""
    from ..ops.creation import tensor
    from ..ops.ranges import arange
    d = _check('general_cosine', M, dtype, layout)
    if isinstance(a, Tensor) or not isinstance(a, (list, tuple)):
        raise TypeError('Coefficients must be a list/tuple')
    if not a:
        raise ValueError('Coefficients cannot be empty')
    if M in (0, 1) and not isinstance(M, float):
        return _short(M, d, device, requires_grad)
    k = _positions(0, 2 * math.pi / _span(M, sym), M, d, device, requires_grad)
    coeffs = tensor([(-1) ** i * w for i, w in enumerate(a)], device=device, dtype=d, requires_grad=requires_grad)
    i = arange(len(a), dtype=d, device=device, requires_grad=requires_grad)
    return (coeffs.unsqueeze(-1) * (i.unsqueeze(-1) * k).cos()).sum(0)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """alpha - (1 - alpha) cos(2 pi n / (M - 1)): general_cosine with a = [alpha, 1 - alpha]."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """0.5 - 0.5 cos(2 pi n / (M - 1))"""
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """0.54 - 0.46 cos(2 pi n / (M - 1))"""
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """0.42 - 0.5 cos(2 pi n / (M - 1)) + 0.08 cos(4 pi n / (M - 1))"""
    _check('blackman', M, dtype, layout)
    return general_cosine(M, a=[0.42, 0.50, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """The four-term minimum Blackman-Harris (Nuttall) cosine sum."""
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """The triangle 1 - |2n / (M - 1) - 1|"""
    d = _check('bartlett', M, dtype, layout)
    if M in (0, 1) and not isinstance(M, float):
        return _short(M, d, device, requires_grad)
    k = _positions(-1, 2.0 / _span(M, sym), M, d, device, requires_grad)
    return 1 - k.abs()


def cosine(M, *, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """sin(pi (n + 1/2) / M) (the sine window); M + 1 in place of M if not sym."""
    d = _check('cosine', M, dtype, layout)
    if M == 0 and not isinstance(M, float):
        return _short(0, d, device, requires_grad)
    step = math.pi / (M + 1 if not sym and M > 1 else M)
    return _positions(0.5 * step, step, M, d, device, requires_grad).sin()


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=_dtype.strided, device=None,
                requires_grad=False):
    """exp(-|n - center| / tau); center defaults to the middle, (M - 1) / 2 (M / 2 if not sym)."""
    d = _check('exponential', M, dtype, layout)
    if tau <= 0:
        raise ValueError(f'Tau must be positive, got: {tau} instead.')
    if sym and center is not None:
        raise ValueError('Center must be None for symmetric windows')
    if M == 0 and not isinstance(M, float):
        return _short(0, d, device, requires_grad)
    if center is None:
        center = (M if not sym and M > 1 else M - 1) / 2.0
    k = _positions(-center / tau, 1.0 / tau, M, d, device, requires_grad)
    return (-k.abs()).exp()


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """exp(-((n - (M - 1) / 2) / std)^2 / 2); M / 2 for the middle if not sym."""
    d = _check('gaussian', M, dtype, layout)
    if std <= 0:
        raise ValueError(f'Standard deviation must be positive, got: {std} instead.')
    if M == 0 and not isinstance(M, float):
        return _short(0, d, device, requires_grad)
    step = 1.0 / (std * math.sqrt(2))
    start = -(M if not sym and M > 1 else M - 1) / 2.0 * step
    k = _positions(start, step, M, d, device, requires_grad)
    return (-k.pow(2)).exp()


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=_dtype.strided, device=None, requires_grad=False):
    """I0(beta sqrt(1 - (2n / (M - 1) - 1)^2)) / I0(beta) (M in place of M - 1 if not sym)."""
    from ..ops.creation import full
    d = _check('kaiser', M, dtype, layout)
    if beta < 0:
        raise ValueError(f'beta must be non-negative, got: {beta} instead.')
    if M in (0, 1) and not isinstance(M, float):
        return _short(M, d, device, requires_grad)
    b = full((), float(beta), dtype=d, device=device)
    step = 2.0 * beta / _span(M, sym)
    k = _positions(-beta, step, M, d, device, requires_grad, end=min(-beta + (M - 1) * step, beta))
    return (beta * beta - k.pow(2)).sqrt().i0() / b.i0()
