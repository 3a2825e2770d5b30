"""PyTorch's CPU samplers for the distributions it draws element by element with rejection: the
standard gamma (``torch._standard_gamma``, behind Gamma, Chi2, Beta, StudentT, ...), Dirichlet
(``torch._sample_dirichlet``), Poisson (``torch.poisson``) and binomial (``torch.binomial``), over a
``cpu_stream.CPUStream``, so that a seeded program gets PyTorch's numbers and leaves the generator in
PyTorch's state.

Each element (in C order) draws what PyTorch's scalar kernels draw: float64 uniforms (one 64-bit draw
each, 53 bits) and float64 normals (Box-Muller on two uniforms, the sine half kept as the spare for the
next normal, across calls). The arithmetic follows PyTorch's mixed float/double expressions (for a float32
tensor some steps round to float32). The algorithms are the published ones PyTorch uses: Marsaglia and
Tsang (2000) for the gamma, boosted below 1; the transformed rejection of Hoermann (1993) for Poisson
rates >= 10 and binomials with n p >= 10 (BTRS); products of uniforms and geometric sums below that.

The draws are read from a buffer drawn ahead and the stream is then moved to exactly what was used
(its spare normal included), so the per-element loop runs on Python floats."""
import math
import struct

import numpy as np

_F32 = np.float32
_THIRD = float(_F32(1.0) / _F32(3.0))       # the C++ literal 1.0f / 3.0f
_SQUEEZE = float(_F32(0.0331))               # 0.0331f
_SPARE = struct.Struct('<d')                  # PyTorch's state: normal_y at 5024, normal_is_valid at 5040
_SPARE_AT, _VALID_AT = 5024, 5040
_STIRLING = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
             0.0166446911898211, 0.01387612882307075, 0.01189670994589177, 0.01041126526197209,
             0.009255462182712733, 0.008330563433362871)


class _Draws:
    """float64 uniforms and normals from ``stream`` in PyTorch's scalar order; ``done()`` leaves the
    stream exactly past the draws used."""

    def __init__(self, stream, hint):
        self.stream, self.start = stream, stream.state()
        self.spare = _SPARE.unpack_from(self.start, _SPARE_AT)[0] if self.start[_VALID_AT] else None
        self.buf, self.i, self.hint = [], 0, max(64, hint)

    def uniform(self):
        if self.i == len(self.buf):
            self.buf.extend(self.stream.doubles(self.hint).tolist())
        self.i += 1
        return self.buf[self.i - 1]

    def normal(self):
        if self.spare is not None:
            v, self.spare = self.spare, None
            return v
        u1, u2 = self.uniform(), self.uniform()
        r = math.sqrt(-2.0 * math.log1p(-u2))
        theta = 2.0 * math.pi * u1
        self.spare = r * math.sin(theta)
        return r * math.cos(theta)

    def done(self):
        s = self.stream
        s.set_state(self.start)
        if self.i:
            s.doubles(self.i)
        raw = bytearray(s.state())
        _SPARE.pack_into(raw, _SPARE_AT, 0.0 if self.spare is None else self.spare)
        raw[_VALID_AT:_VALID_AT + 4] = (self.spare is not None).to_bytes(4, 'little')
        s.set_state(bytes(raw))


def _each(stream, arrays, one, out_dtype):
    """``one(draws, *values)`` for every element (C order) of the broadcast ``arrays``."""
    arrays = np.broadcast_arrays(*arrays)
    shape = arrays[0].shape
    cols = [np.ascontiguousarray(a).ravel().tolist() for a in arrays]
    draws = _Draws(stream, 4 * len(cols[0]))
    try:
        vals = [one(draws, *v) for v in zip(*cols)]
    finally:
        draws.done()
    return np.array(vals, dtype=np.float64).astype(out_dtype).reshape(shape)


def _gamma(draws, alpha, f32):
    """One Gamma(alpha, 1) draw (PyTorch's sample_gamma; ``f32``: alpha is a float32 value, and the
    steps PyTorch does in float stay in float32)."""
    if not alpha == alpha or alpha < 0:         # PyTorch loops for ever (its arguments are validated)
        return math.nan
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale *= (1.0 - draws.uniform()) ** (float(_F32(1.0) / _F32(alpha)) if f32 else 1.0 / alpha)
        alpha = float(_F32(alpha) + _F32(1.0)) if f32 else alpha + 1.0
    d = float(_F32(alpha) - _F32(_THIRD)) if f32 else alpha - _THIRD
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        while True:
            x = draws.normal()
            y = 1.0 + c * x
            if y > 0:
                break
        v = y * y * y
        u = 1.0 - draws.uniform()
        xx = x * x
        if u < 1.0 - _SQUEEZE * xx * xx:
            return scale * d * v
        if math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def standard_gamma(stream, alpha):
    """Gamma(alpha, 1) draws for a float32/float64 array ``alpha`` (at least the dtype's smallest normal)."""
    f32 = alpha.dtype == np.float32
    out = _each(stream, (alpha,), lambda d, a: _gamma(d, a, f32), alpha.dtype)
    return np.maximum(out, np.finfo(alpha.dtype).tiny)


def dirichlet(stream, alpha):
    """Dirichlet draws along the last dim: gammas in float64, normalised in float64, then in the
    dtype clamped to [smallest normal, largest value below 1]."""
    g = np.maximum(_each(stream, (alpha,), lambda d, a: _gamma(d, a, False), np.float64),
                   np.finfo(np.float64).tiny)
    out = (g / g.sum(-1, keepdims=True)).astype(alpha.dtype)
    return np.clip(out, np.finfo(alpha.dtype).tiny, np.nextafter(alpha.dtype.type(1), alpha.dtype.type(0)))


def _poisson(draws, lam):
    if lam >= 10:               # transformed rejection (Hoermann 1993, PTRS)
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = draws.uniform() - 0.5
            v = draws.uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return k
            if k < 0 or (us < 0.013 and v > us):
                continue
            if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1):
                return k
    if lam == 0 or not lam == lam:
        return 0 if lam == 0 else math.nan
    enlam, x, prod = math.exp(-lam), 0, 1.0
    while True:
        prod *= draws.uniform()
        if prod > enlam:
            x += 1
        else:
            return x


def poisson(stream, rates):
    """Poisson draws for an array of (non-negative) rates, in its dtype."""
    return _each(stream, (rates,), lambda d, r: _poisson(d, r), rates.dtype)


def _stirling_tail(k):
    if k <= 9:
        return _STIRLING[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _btrs(draws, n, p, t):
    """Hoermann's BTRS for n p >= 10; ``t`` rounds as the tensor's dtype (float32 steps in float32)."""
    var = t(t(n * p) * t(1 - p))
    stddev = float(np.sqrt(_F32(var))) if t is not float else math.sqrt(var)
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = t(n * p) + 0.5
    v_r = 0.92 - 4.2 / b
    r = t(p / t(1 - p))
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor(t((n + 1) * p))
    while True:
        u = draws.uniform() - 0.5
        v = draws.uniform()
        us = 0.5 - abs(u)
        k = t(math.floor((2 * a / us + b) * u + c))
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        bound = ((m + 0.5) * math.log((m + 1) / (r * (n - m + 1))) + (n + 1) * math.log((n - m + 1) / (n - k + 1))
                 + (k + 0.5) * math.log(r * (n - k + 1) / (k + 1)) + _stirling_tail(m) + _stirling_tail(n - m)
                 - _stirling_tail(k) - _stirling_tail(n - k))
        if v <= bound:
            return k


def _inversion(draws, n, p, t):
    """The number of geometric(p) waiting times that fit in n trials."""
    logprob = t(np.log1p(-_F32(p))) if t is not float else math.log1p(-p)
    total, count = 0.0, 0
    while True:
        total += math.ceil(math.log(draws.uniform()) / logprob)
        if total > n:
            return count
        count += 1


def _binomial(draws, n, p, t):
    if n <= 0 or p <= 0:
        return 0.0
    if p >= 1:
        return n
    if p <= 0.5:
        return (_btrs if t(n * p) >= 10 else _inversion)(draws, n, p, t)
    if p > 0.5:
        q = t(1.0 - p)
        return n - (_btrs if t(n * q) >= 10 else _inversion)(draws, n, q, t)
    return math.nan


def binomial(stream, count, prob):
    """Binomial(count, prob) draws for float arrays of one dtype (broadcast), in that dtype."""
    t = (lambda v: float(_F32(v))) if count.dtype == np.float32 else float
    return _each(stream, (count, prob), lambda d, n, p: _binomial(d, n, p, t), count.dtype)
