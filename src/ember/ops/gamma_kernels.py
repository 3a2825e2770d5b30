"""Array kernels of the gamma family and the modified Bessel functions (no scipy).

Every kernel takes a float array (NumPy or CuPy) and works with ufuncs, ``xp.where`` and
fixed-length loops only. Inputs are computed in float64 and the result rounded back to the
input's dtype, so float32 values are correctly rounded in practice.

- lgamma: Stirling's series for x >= 10; below, recurrence down to [1.5, 2.5] and the Taylor
  series of lgamma about 2 (coefficients (zeta(k) - 1) / k), so the roots at 1 and 2 keep their
  relative accuracy; reflection through log(pi / |sin(pi x)|) for negative x.
- digamma, trigamma: the recurrence up to x >= 10 (digamma) or by six steps (trigamma), then
  the asymptotic series in 1/x^2; reflection for negative x. These follow the same formulas as
  PyTorch's CPU kernels (including their truncation), so values agree to rounding.
- zeta(s, q): Hurwitz zeta for s > 1 by direct summation to q + N > 9, then the Euler-Maclaurin
  tail; polygamma(n >= 2, x) = (-1)^(n+1) n! zeta(n + 1, x).
- i0, i1 (and the exponentially scaled i0e, i1e): power series for |x| <= 30, the Hankel
  asymptotic series beyond.
"""
import math
from fractions import Fraction

import numpy as np

from ._promote import xp, as_array

_PI = math.pi
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)
_EULER = 0.57721566490153286061
_MACHEP = 1.11022302462515654042e-16
_PSI_10 = 2.25175258906672110764       # digamma(10)
_FAR = 1e5                             # zeta(s, q): how far below zero q's terms are summed


def _bernoulli(n):
    """B_0 .. B_n as Fractions (Akiyama-Tanigawa; B_1 = +1/2, only even ones are used)."""
    a, out = [Fraction(0)] * (n + 1), []
    for m in range(n + 1):
        a[m] = Fraction(1, m + 1)
        for j in range(m, 0, -1):
            a[j - 1] = j * (a[j - 1] - a[j])
        out.append(a[0])
    return out


_B = _bernoulli(30)
# Stirling: lgamma(x) ~ (x - 1/2) log x - x + log(2 pi)/2 + sum B_2k / (2k (2k-1) x^(2k-1))
_STIRLING = [float(_B[2 * k] / (2 * k * (2 * k - 1))) for k in range(1, 9)]
# digamma: psi(x) ~ log x - 1/(2x) - sum B_2k / (2k x^2k)
_PSI_ASYM = [float(_B[2 * k] / (2 * k)) for k in range(1, 8)]
# Euler-Maclaurin tail of the Hurwitz zeta function: (2j)! / B_2j
_ZETA_EM = [float(math.factorial(2 * j) / _B[2 * j]) for j in range(1, 13)]


def _zeta_minus_one(k):
    """zeta(k) - 1 for an integer k >= 2, to double precision (direct sum plus Euler-Maclaurin)."""
    n = 20
    terms = [float(Fraction(1, m ** k)) for m in range(2, n)]
    tail = n ** (1 - k) / (k - 1) + 0.5 * n ** -k
    fac = 1.0
    for j in range(1, 8):      # + B_2j/(2j)! k (k+1) ... (k+2j-2) n^(-k-2j+1)
        fac = 1.0
        for i in range(2 * j - 1):
            fac *= k + i
        tail += float(_B[2 * j]) / math.factorial(2 * j) * fac * n ** (-k - 2 * j + 1)
    return math.fsum(terms + [tail])


# lgamma(2 + z) = (1 - gamma) z + sum_{k>=2} (-1)^k (zeta(k) - 1) / k z^k,  |z| <= 1/2
_LG2 = [1 - _EULER] + [(-1) ** k * _zeta_minus_one(k) / k for k in range(2, 32)]


def _f64(fn):
    """Run ``fn`` on a float64 copy of the array and round the result back to its dtype."""
    def run(a, *args):
        if a.dtype == np.float64:
            return as_array(fn(a, *args))
        return as_array(fn(a.astype(np.float64), *args, low=a)).astype(a.dtype)
    run.__name__ = fn.__name__
    return run


def _poly(coefs, z):
    """coefs[0] + coefs[1] z + coefs[2] z^2 + ... (Horner)."""
    r = coefs[-1]
    for c in coefs[-2::-1]:
        r = r * z + c
    return r


# ------------------------------------------------------------------ lgamma

def _lgamma_pos(y):
    """lgamma for y > 0 (finite)."""
    m = xp(y)
    big = m.maximum(y, 10.0)
    ly = np.log(big)
    iz = 1 / (big * big)
    stirling = big * (ly - 1) - 0.5 * ly + _HALF_LOG_2PI + _poly(_STIRLING, iz) / big
    # y < 10: move into [1.5, 2.5) (down by n steps, or up by one or two) and use the series about 2
    n = m.clip(np.floor(y - 1.5), 0, 8)
    prod = m.ones_like(y)
    for k in range(1, 9):
        prod = prod * m.where(k <= n, y - k, 1.0)
    logprod = np.log(prod)
    z = y - n - 2
    low1 = y < 1.5
    low2 = y < 0.5
    z = m.where(low2, y, m.where(low1, y - 1, z))
    series = z * _poly(_LG2, z)
    up = m.where(low1, np.log(y), 0.0) + m.where(low2, np.log1p(y), 0.0)
    small = series + logprod - up
    return m.where(y >= 10, stirling, small)


@_f64
def lgamma_kernel(x, low=None):
    m = xp(x)
    with np.errstate(all='ignore'):
        fin = np.isfinite(x)
        neg = x < 0
        safe = m.where(fin & (x != 0), x, 1.0)
        y = m.where(neg, 1 - safe, safe)
        pos = _lgamma_pos(y)
        r = safe - np.round(safe)
        refl = math.log(_PI) - np.log(np.abs(np.sin(_PI * r))) - pos
        out = m.where(neg, refl, pos)
        pole = (x <= 0) & (np.floor(x) == x)
        out = m.where(pole | np.isinf(x), m.inf, out)
        return m.where(np.isnan(x), x, out)


# ------------------------------------------------------------------ digamma, trigamma

@_f64
def digamma_kernel(x, low=None):
    m = xp(x)
    with np.errstate(all='ignore'):
        neg = x < 0
        y = m.where(neg, 1 - x, x)
        acc = m.zeros_like(y)
        for _ in range(10):
            step = y < 10
            acc = acc - m.where(step, 1 / y, 0.0)
            y = m.where(step, y + 1, y)
        z = 1 / (y * y)
        tail = m.where(y < 1e17, z * _poly(_PSI_ASYM, z), 0.0)
        out = acc + m.where(y == 10, _PSI_10, np.log(y) - 0.5 / y - tail)
        out = m.where(neg, out - _PI / np.tan(_PI * (x - np.trunc(x))), out)
        out = m.where(neg & (np.trunc(x) == x), m.nan, out)
        return m.where(x == 0, np.copysign(m.inf, -x), out)


@_f64
def trigamma_kernel(x, low=None):
    m = xp(x)
    with np.errstate(all='ignore'):
        refl = x < 0.5
        xl = x if low is None else low          # sin(pi x) in the input's own precision
        s = np.sin(xl.dtype.type(_PI) * xl).astype(x.dtype)
        acc = m.where(refl, -(_PI * _PI) / (s * s), 0.0)
        y = m.where(refl, 1 - x, x)
        for _ in range(6):
            acc = acc + 1 / (y * y)
            y = y + 1
        iz = 1 / (y * y)
        acc = acc + (1 + 1 / (2 * y) + iz * (1 / 6 - iz * (1 / 30 - iz * (1 / 42)))) / y
        return m.where(refl, -acc, acc)


def zeta_kernel(s, q):
    """Hurwitz zeta(s, q) for a Python number s > 1 and a float64 array q."""
    m = xp(q)
    with np.errstate(all='ignore'):
        shape = q.shape
        q = q.ravel()
        total = q ** -s
        done = m.zeros(q.shape, bool)
        a = q.copy()
        b = m.zeros_like(q)
        for _ in range(9):                        # q + 1 .. q + 9, stopping where converged
            a, b, total, done = _zeta_step(m, s, a, b, total, done, ~done)
        pole = (q <= 0) & (np.floor(q) == q)
        rest = ~done & (a <= 9.0) & ~pole         # q < 0: keep summing until q + N > 9
        if bool(rest.any()):
            idx = m.nonzero(rest)[0]
            ra, rb, rt, rd = a[idx], b[idx], total[idx], done[idx]
            # terms below -_FAR are skipped (together under _FAR^(1-s)/(s-1), against a sum >= 1)
            ra = ra + m.maximum(np.floor(-ra) - _FAR, 0.0)
            for _ in range(int(math.ceil(9.0 - float(ra.min()))) + 1):
                ra, rb, rt, rd = _zeta_step(m, s, ra, rb, rt, rd, ~rd & (ra <= 9.0))
            a[idx], b[idx], total[idx], done[idx] = ra, rb, rt, rd
        w = a
        total = m.where(done, total, total + b * w / (s - 1) - 0.5 * b)
        c, k = m.ones_like(q), 0.0
        for coef in _ZETA_EM:
            c = c * (s + k)
            b = b / w
            t = c * b / coef
            total = m.where(done, total, total + t)
            done = done | (np.abs(t / total) < _MACHEP)
            k += 1
            c = c * (s + k)
            b = b / w
            k += 1
        return m.where(pole, m.inf, total).reshape(shape)


def _zeta_step(m, s, a, b, total, done, more):
    """One term of the direct sum of zeta(s, q), for the elements in ``more``."""
    a = m.where(more, a + 1, a)
    b = m.where(more, a ** -s, b)
    total = m.where(more, total + b, total)
    done = done | (more & (-_MACHEP * total < b) & (b < _MACHEP * total))
    return a, b, total, done


def polygamma_kernel(a, n):
    """polygamma(n, x) of a float array (n >= 0)."""
    if n == 0:
        return digamma_kernel(a)
    if n == 1:
        return trigamma_kernel(a)
    q = a.astype(np.float64)
    out = (1.0 if n % 2 else -1.0) * float(math.factorial(n)) * zeta_kernel(float(n + 1), q)
    return as_array(out).astype(a.dtype, copy=False)


# ------------------------------------------------------------------ modified Bessel functions

_BESSEL_SWITCH = 30.0


def _asym_coefs(nu, count=26):
    """Hankel's series for I_nu(x) e^-x sqrt(2 pi x): sum c_k / x^k."""
    out, c = [1.0], 1.0
    for k in range(1, count):
        c *= -(4 * nu * nu - (2 * k - 1) ** 2) / (k * 8)
        out.append(c)
    return out


_ASYM0 = _asym_coefs(0)
_ASYM1 = _asym_coefs(1)


def _bessel(x, order, scaled, low):
    """I_order(x) (order 0 or 1), times exp(-|x|) when ``scaled``."""
    m = xp(x)
    ax = np.abs(x)
    small = m.minimum(ax, _BESSEL_SWITCH)
    y = small * small / 4
    acc = m.ones_like(y)
    for k in range(60, 0, -1):            # Horner form of sum y^k / (k! (k + order)!)
        acc = 1 + acc * y / (k * (k + order))
    series = acc if order == 0 else acc * (small / 2)
    if scaled:
        series = series * np.exp(-small)
    big = m.maximum(ax, _BESSEL_SWITCH)
    asym = _poly(_ASYM1 if order else _ASYM0, 1 / big) / np.sqrt(2 * _PI * big)
    if not scaled:
        # exp in the input's own precision: it overflows where PyTorch's does (x > 88.7 in float32)
        e = np.exp(big) if low is None else np.exp(np.abs(low).astype(low.dtype)).astype(x.dtype)
        e = m.where(ax > _BESSEL_SWITCH, e, 1.0)
        asym = e * asym
    out = m.where(ax > _BESSEL_SWITCH, asym, series)
    out = m.where(np.isnan(x), x, out)
    return out if order == 0 else m.where(x == 0, 0.0, np.copysign(out, x))


@_f64
def i0_kernel(x, low=None):
    with np.errstate(all='ignore'):
        return _bessel(x, 0, False, low)


@_f64
def i0e_kernel(x, low=None):
    with np.errstate(all='ignore'):
        return _bessel(x, 0, True, low)


@_f64
def i1_kernel(x, low=None):
    with np.errstate(all='ignore'):
        return _bessel(x, 1, False, low)


@_f64
def i1e_kernel(x, low=None):
    with np.errstate(all='ignore'):
        return _bessel(x, 1, True, low)
