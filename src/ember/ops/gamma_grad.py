"""Implicit reparameterisation gradients of gamma and beta draws (``torch._standard_gamma_grad``,
``torch._dirichlet_grad``), computed as the exact mathematical quantities in float64.

A draw x with CDF F(x; a) = u held fixed moves with a as dx/da = -(dF/da) / f(x; a).

Gamma(a, 1), F = P(a, x) the regularised lower incomplete gamma function:
- x < a + 1: the power series P = x^a e^-x sum_n x^n / Gamma(a + n + 1), differentiated term by
  term and divided by the density: dx/da = -sum_n c_n (log x - psi(a + n + 1)),
  c_n = x^(n+1) / (a (a+1) ... (a+n)).
- otherwise Legendre's continued fraction f(a, x) = Gamma(a, x) e^x x^-a, carried with its derivative
  in a (forward recurrences on value and derivative): dx/da = x (f (log x - psi(a)) + df/da).
  Both terms are positive there, so nothing cancels.

Beta(a, b) (``_dirichlet_grad(x, alpha, total)``, b = total - alpha): PyTorch's Dirichlet backward
needs D = (dx/da at b fixed) / (1 - x). With the continued fraction CF(p, q, z) of
I_z(p, q) = z^p (1-z)^q CF / (p B(p, q)) (Numerical Recipes' betacf, with its derivatives):
- x < (a + 1) / (a + b + 2): D = -(x / a) (CF(a, b, x) (log x + psi(a+b) - psi(a+1)) + dCF/dp);
- otherwise through I_x(a, b) = 1 - I_(1-x)(b, a):
  D = (x / b) (CF(b, a, 1-x) (log x + psi(a+b) - psi(a)) + dCF/dq).
The loops run on the elements not yet converged only."""
import numpy as np

from ._promote import xp
from .gamma_kernels import digamma_kernel, _PSI_ASYM

_EPS = 1e-15
_MAX_STEPS = 100000


def _run(step, state, m, check=8):
    """Iterate ``step(state) -> (state, done)`` on arrays, dropping converged elements; returns the
    final state of every element in the original order."""
    n = state[0].shape[0]
    out = [s.copy() for s in state]
    idx = m.arange(n)
    for i in range(_MAX_STEPS):
        state, done = step(state)
        if i % check == check - 1:
            if bool(done.any()):
                for o, s in zip(out, state):
                    o[idx[done]] = s[done]
                keep = ~done
                idx = idx[keep]
                state = tuple(s[keep] if getattr(s, 'ndim', 0) else s for s in state)
            if idx.shape[0] == 0:
                return out
    for o, s in zip(out, state):
        o[idx] = s
    return out


def _gamma_series(a, x, m):
    """-sum_n c_n (log x - psi(a + n + 1)) for x < a + 1."""
    lx = np.log(x)
    psi = digamma_kernel(a + 1)
    c = x / a
    total = -c * (lx - psi)

    def step(st):
        a, x, lx, z, psi, c, total = st
        z = z + 1
        psi = psi + 1 / z
        c = c * x / z
        term = c * (lx - psi)
        total = total - term
        return (a, x, lx, z, psi, c, total), np.abs(term) <= _EPS * np.abs(total)
    return _run(step, (a, x, lx, a, psi, c, total), m)[-1]


def _psi_diff(u, v):
    """psi(u) - psi(v) for positive arrays, without cancellation when u is close to v: both
    moved up by the recurrence until the smaller is >= 10, then the asymptotic series
    differenced term by term (log1p, expm1)."""
    m = xp(u)
    d = u - v
    acc = m.zeros_like(u)
    for _ in range(10):
        step = m.minimum(u, v) < 10
        acc = acc + m.where(step, d / (u * v), 0.0)
        u, v = m.where(step, u + 1, u), m.where(step, v + 1, v)
    lr = np.log1p(d / v)
    acc = acc + lr + d / (2 * u * v)
    iv2 = 1 / (v * v)
    for k, c in enumerate(_PSI_ASYM, 1):
        acc = acc - c * iv2 ** k * np.expm1(-2 * k * lr)
    return acc


def _cf_step(P, Q, dP, dQ, b, c, db, dc):
    """One forward step of a continued fraction's convergents P/Q (pairs: previous, current) and of
    their derivatives, for partial numerator c and denominator b; rescaled so that Q = 1."""
    p0, p1 = P
    q0, q1 = Q
    dp0, dp1 = dP
    dq0, dq1 = dQ
    p2 = b * p1 + c * p0
    q2 = b * q1 + c * q0
    dp2 = db * p1 + b * dp1 + dc * p0 + c * dp0
    dq2 = db * q1 + b * dq1 + dc * q0 + c * dq0
    s = 1 / q2
    return (p1 * s, p2 * s), (q1 * s, q2 * s), (dp1 * s, dp2 * s), (dq1 * s, dq2 * s)


def _value_and_slope(P, dP, dQ):
    return P[1], dP[1] - P[1] * dQ[1]          # with Q = 1: f = P, df = dP - P dQ


def _gamma_cf(a, x, m):
    """x (f (log x - psi(a)) + df/da), f = 1/(x+1-a - 1(1-a)/(x+3-a - 2(2-a)/(x+5-a - ...)))."""
    b0 = x + 1 - a
    one, zero = m.ones_like(a), m.zeros_like(a)
    start = (zero, one, one, b0, zero, zero, zero, -one)

    def step(st):
        a, x, n, p0, p1, q0, q1, dp0, dp1, dq0, dq1, f, df = st
        n = n + 1
        P, Q, dP, dQ = _cf_step((p0, p1), (q0, q1), (dp0, dp1), (dq0, dq1),
                                x + 2 * n + 1 - a, n * (a - n), -1.0, n)
        f2, df2 = _value_and_slope(P, dP, dQ)
        done = (np.abs(f2 - f) <= _EPS * np.abs(f2)) & (np.abs(df2 - df) <= _EPS * np.abs(df2))
        return (a, x, n, *P, *Q, *dP, *dQ, f2, df2), done
    p0, p1, q0, q1, dp0, dp1, dq0, dq1 = start
    st = (a, x, zero, p0, p1, q0, q1, dp0, dp1, dq0, dq1, 1 / b0, 1 / (b0 * b0))
    f, df = _run(step, st, m)[-2:]
    return x * (f * (np.log(x) - digamma_kernel(a)) + df)


def standard_gamma_grad_kernel(alpha, x):
    """dx/dalpha for draws ``x`` of Gamma(alpha, 1) (float64 arrays of one shape); 0 at x <= 0 and
    nan for an invalid alpha or an infinite x, as PyTorch."""
    m = xp(x)
    with np.errstate(all='ignore'):
        bad = ~(alpha > 0) | np.isinf(alpha) | np.isnan(x) | np.isinf(x)
        out = m.where(bad, m.nan, 0.0)
        ok = ~bad & (x > 0)
        low = ok & (x < alpha + 1)
        high = ok & ~low
        if bool(low.any()):
            out[low] = _gamma_series(alpha[low], x[low], m)
        if bool(high.any()):
            out[high] = _gamma_cf(alpha[high], x[high], m)
    return out


def _beta_cf(p, q, z, wp, m):
    """CF(p, q, z) and its derivative in p (where ``wp``) or in q (elsewhere): the continued
    fraction 1/(1 + d1/(1 + d2/(1 + ...))) of Numerical Recipes' betacf."""
    one, zero = m.ones_like(p), m.zeros_like(p)

    def coef(p, q, z, wp, k):
        """d_k and its derivative along (wp, wq) for the step index k (k >= 1)."""
        mm = k // 2
        if k % 2:           # d_(2m+1) = -(p+m)(p+q+m) z / ((p+2m)(p+2m+1))
            den = (p + 2 * mm) * (p + 2 * mm + 1)
            d = -(p + mm) * (p + q + mm) * z / den
            dlp = 1 / (p + mm) + 1 / (p + q + mm) - 1 / (p + 2 * mm) - 1 / (p + 2 * mm + 1)
            return d, d * (wp * dlp + (1 - wp) / (p + q + mm))
        den = (p + 2 * mm - 1) * (p + 2 * mm)      # d_2m = m (q - m) z / ((p+2m-1)(p+2m))
        d = mm * (q - mm) * z / den
        dd_p = -d * (1 / (p + 2 * mm - 1) + 1 / (p + 2 * mm))
        return d, wp * dd_p + (1 - wp) * mm * z / den

    state = {'k': 0}

    def step(st):
        p, q, z, wp, p0, p1, q0, q1, dp0, dp1, dq0, dq1, f, df = st
        state['k'] += 1
        c, dc = coef(p, q, z, wp, state['k'])
        P, Q, dP, dQ = _cf_step((p0, p1), (q0, q1), (dp0, dp1), (dq0, dq1), 1.0, c, 0.0, dc)
        f2, df2 = _value_and_slope(P, dP, dQ)
        done = (np.abs(f2 - f) <= _EPS * np.abs(f2)) & (np.abs(df2 - df) <= _EPS * np.abs(df2))
        return (p, q, z, wp, *P, *Q, *dP, *dQ, f2, df2), done
    st = (p, q, z, wp, zero, one, one, one, zero, zero, zero, zero, one, zero)
    f, df = _run(step, st, m)[-2:]
    return f, df


def dirichlet_grad_kernel(x, alpha, total):
    """(dx/dalpha at b = total - alpha fixed) / (1 - x) for draws ``x`` of Beta(alpha, b), the
    quantity PyTorch's Dirichlet backward takes (float64 arrays of one shape); 0 at x <= 0, the
    limit (psi(total) - psi(alpha)) / b at x = 1."""
    m = xp(x)
    with np.errstate(all='ignore'):
        a, b = alpha, total - alpha
        bad = ~(a > 0) | ~(b >= 0) | np.isinf(total) | np.isnan(x) | (x > 1)
        out = m.where(bad, m.nan, 0.0)
        ok = ~bad & (x > 0)
        if not bool(ok.any()):
            return out
        a, b, x, t = a[ok], b[ok], x[ok], total[ok]
        low = (x < (a + 1) / (a + b + 2)) | (b == 0)
        p, q = m.where(low, a, b), m.where(low, b, a)
        z = m.where(low, x, 1 - x)
        f, df = _beta_cf(p, q, z, low.astype(np.float64), m)
        lx = np.log(x)
        lo = -(x / a) * (f * (lx + _psi_diff(t, a + 1)) + df)
        hi = (x / b) * (f * (lx + _psi_diff(t, a)) + df)
        out[ok] = m.where(low, lo, hi)
    return out
