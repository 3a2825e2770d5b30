"""Window functions for spectral analysis: hann, hamming, blackman, bartlett, kaiser.

Each is computed step by step in the requested dtype, rounding after every step as PyTorch's
arithmetic does (half types compute each step in float32, with the step's constant first
rounded to the half type), so low-precision windows carry PyTorch's rounding. ``periodic=True`` computes length + 1 points and drops the last.
"""
import math

import numpy as np

from .. import _dtype
from .._device import default_for
from .creation import _build

_CPP = {'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
        'bool': 'bool', 'uint16': 'unsigned short', 'uint32': 'unsigned int', 'uint64': 'unsigned long'}


def _options(d, device):
    dev = default_for(device)
    where = 'cpu' if dev is None or dev.type == 'cpu' else str(dev) if dev.index is not None else f'{dev.type}:0'
    name = _CPP.get(d.np.name, d.np.name)
    return (f'TensorOptions(dtype={name}, device={where}, layout=Strided (default), requires_grad=false (default), '
            'pinned_memory=false, memory_format=(nullopt))')


class _Steps:
    """Arithmetic in dtype ``nd``: each result rounded to nd, computed in float32 for half types
    (constants rounded to nd first)."""

    def __init__(self, m, nd):
        self.m, self.nd = m, nd
        self.op = np.dtype(np.float32) if nd.itemsize < 4 else nd

    def r(self, a):
        return a.astype(self.nd)

    def w(self, a):
        return a.astype(self.op)

    def arange(self, n):
        return self.r(self.m.arange(n, dtype=np.float64))

    def c(self, s):
        return float(np.array(s, dtype=self.nd).astype(self.op))

    def mul(self, a, s):
        return self.r(self.w(a) * self.c(s))

    def add(self, a, s):
        return self.r(self.w(a) + self.c(s))

    def sub(self, a, b):
        return self.r(self.w(a) - self.w(b))

    def cos(self, a):
        return self.r(self.m.cos(self.w(a)))


def _window(fname, n, periodic, dtype, device, requires_grad, body):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{fname}(): argument 'window_length' (position 1) must be int, not {type(n).__name__}")
    d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if not d.is_floating_point:
        raise RuntimeError(f'{fname} expects floating point dtypes, got: {_options(d, device)}')
    if n < 0:
        raise RuntimeError(f'{fname} requires non-negative window_length, got window_length={n}')
    n = int(n)
    nd = d.np

    def make(m):
        if n <= 1:
            return m.ones(n, dtype=nd)
        length = n + 1 if periodic else n
        return m.ascontiguousarray(body(_Steps(m, nd), length)[:n])
    return _build(make, device, nd, requires_grad)


def _hamming(alpha, beta):
    def body(s, n):
        w = s.cos(s.mul(s.arange(n), 2 * math.pi / (n - 1)))
        return s.add(s.mul(w, -beta), alpha)
    return body


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    """alpha - beta * cos(2 pi k / (N - 1))"""
    return _window('hamming_window', window_length, periodic, dtype, device, requires_grad,
                   _hamming(float(alpha), float(beta)))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """0.5 - 0.5 cos(2 pi k / (N - 1)): the Hamming window with alpha = beta = 0.5"""
    return _window('hann_window', window_length, periodic, dtype, device, requires_grad, _hamming(0.5, 0.5))


def _blackman(s, n):
    w = s.mul(s.arange(n), math.pi / (n - 1))
    far = s.mul(s.cos(s.mul(w, 4)), 0.08)
    near = s.mul(s.cos(s.mul(w, 2)), 0.5)
    return s.add(s.sub(far, near), 0.42)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))"""
    return _window('blackman_window', window_length, periodic, dtype, device, requires_grad, _blackman)


def _bartlett(s, n):
    w = s.mul(s.arange(n), 2.0 / (n - 1))
    half = ((n - 1) >> 1) + 1
    w[half:] = s.add(s.mul(w[half:], -1), 2)
    return w


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The triangle 1 - |2k / (N - 1) - 1|"""
    return _window('bartlett_window', window_length, periodic, dtype, device, requires_grad, _bartlett)


def _kaiser(beta):
    def body(s, n):
        m = s.m
        k = m.arange(n, dtype=np.float64)
        alpha = (n - 1) / 2.0
        arg = beta * m.sqrt(m.abs(1 - ((k - alpha) / alpha) ** 2))
        return s.r(m.i0(arg) / m.i0(m.asarray(beta)))
    return body


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    """I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta), a = (N - 1) / 2"""
    return _window('kaiser_window', window_length, periodic, dtype, device, requires_grad, _kaiser(float(beta)))
