"""The arithmetic behind cpu_stream.py's transforms, rounded the way PyTorch's CPU kernels round it, so
that the numbers come out bit for bit equal (NumPy array ops throughout, no per-element Python):

- fused multiply-adds (``fma.py``) where the compiler made them of PyTorch's ``x*(to-from)+from`` and
  ``n*std+mean``;
- ``libm``: the C library's (glibc's) double log/log1p/exp/sin/cos/tan. NumPy's contiguous float64
  loops use their own SIMD versions on some machines (up to 1 ulp apart from glibc); its strided
  loop calls the C library, which a reversed view selects. Checked once per function against Python's
  ``math`` (the C library too), with ``math`` itself as the (slower) fallback.
- ``box_muller_avx2``: PyTorch's float32 normal kernel for 16+ contiguous elements (float32, float16,
  bfloat16 tensors). It takes log and sincos from Julien Pommier's cephes-style float32 routines
  (avx_mathfun.h: range reduction and fixed polynomials), built with FMA contraction; emulated here
  step by step in float32, with the contracted multiply-adds fused.
"""
import math

import numpy as np

from .fma import fma32

f32, f64 = np.float32, np.float64


# ---------------------------------------------------------------- the C library's double functions
_MATH = {'log': math.log, 'log1p': math.log1p, 'exp': math.exp, 'sin': math.sin, 'cos': math.cos,
         'tan': math.tan}
_SAMPLE = {'log': (1, 0), 'log1p': (-1, 0), 'exp': (20, -10), 'sin': (2 * math.pi, 0),
           'cos': (2 * math.pi, 0), 'tan': (math.pi, -math.pi / 2)}
_STRIDED_OK = {}


def _scalar_loop(name, x):
    fn, npf = _MATH[name], getattr(np, name)

    def one(v):
        try:
            return fn(v)
        except (ValueError, OverflowError):             # inf, nan, log(0): NumPy's answer
            return float(npf(f64(v)))
    with np.errstate(all='ignore'):
        return np.frompyfunc(one, 1, 1)(x).astype(f64)


def _strided(name, x):
    flat = np.ascontiguousarray(x, f64).reshape(-1)
    with np.errstate(all='ignore'):
        return getattr(np, name)(flat[::-1])[::-1].reshape(np.shape(x))


def libm(name, x):
    """The C library's double ``name`` (log, log1p, exp, sin, cos, tan) of each element of ``x``."""
    ok = _STRIDED_OK.get(name)
    if ok is None:
        scale, shift = _SAMPLE[name]
        probe = np.random.default_rng(2024).random(4096) * scale + shift
        ok = _STRIDED_OK[name] = bool((_strided(name, probe) == _scalar_loop(name, probe)).all())
    return _strided(name, x) if ok else _scalar_loop(name, np.asarray(x, f64))


# ---------------------------------------------------------------- avx_mathfun's float32 log and sincos
_LOG_P = [f32(v) for v in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                           1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
                           3.3333331174e-1)]
_LOG_Q1, _LOG_Q2, _SQRTHF = f32(-2.12194440e-4), f32(0.693359375), f32(0.707106781186547524)
_SQRTHF_MANT = np.int32(_SQRTHF.view(np.int32) & 0x007FFFFF)
_DP1, _DP2, _DP3 = f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8)
_SIN_P = [f32(v) for v in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [f32(v) for v in (2.443315711809948e-5, -1.388731625493765e-3, 4.166664568298827e-2)]
_FOPI, _TWO_PI, _HALF, _ONE = f32(1.27323954473516), f32(2.0 * math.pi), f32(0.5), f32(1.0)


def _fma(a, b, c):
    """float32 ``a*b + c`` rounded once, for the float32 values ``a`` (float32) and ``b`` (float64) and
    ``c``: the float64 sum rounded to float32, without fma32's halfway fix. That is exact only where the
    float64 sum never lands on a float32 halfway point it is not equal to; for the steps of _log_ps and
    _sincos_ps this was checked over all 2**24 inputs box_muller_avx2 can give them (u = k * 2**-24)."""
    s = a.astype(f64)
    s *= b
    s += c
    return s.astype(f32)


def _log_ps(x):
    """Natural log of positive normal float32 ``x``: x = m * 2**e with m in [sqrt(1/2), sqrt(2)), a
    degree-9 polynomial in m - 1, and e * log(2) added in two parts."""
    bits = x.view(np.int32)
    mant = bits & 0x007FFFFF
    low = mant - _SQRTHF_MANT                               # -1 where m < sqrt(1/2), else 0 (no np.where:
    low >>= 31                                              # a data-dependent select is slow)
    e = bits >> 23
    e += low
    e -= 126
    e = e.astype(f32)
    mant |= 0x3F000000                                      # the mantissa, in [0.5, 1) ...
    mant -= low << 23                                       # ... doubled where below sqrt(1/2)
    m = mant.view(f32) - _ONE                               # exact either way
    z = m * m
    m64 = m.astype(f64)
    y = m64 * f64(_LOG_P[0])
    y += f64(_LOG_P[1])
    y = y.astype(f32)
    for p in _LOG_P[2:]:
        y = _fma(y, m64, f64(p))
    y *= m
    y = _fma(y, z.astype(f64), e * _LOG_Q1)                 # y*z + e*q1: the first product is fused
    y -= z * _HALF
    y += m
    y += e * _LOG_Q2                                        # exact product: fused or not, the same
    return y


def _sincos_ps(x):
    """(sin x, cos x) of float32 ``x`` in [0, 2*pi): octant j from x * 4/pi, x - j*pi/4 in three parts
    (j <= 8: the first two products are exact), then the sine and cosine polynomials."""
    j = (x * _FOPI).astype(np.int32)
    j += 1
    j &= ~1
    y = j.astype(f32)
    x = x + y * _DP1
    x = x + y * _DP2
    x = _fma(y, f64(_DP3), x)
    z = x * x
    z64 = z.astype(f64)
    c = z64 * f64(_COS_P[0])
    c += f64(_COS_P[1])
    c = _fma(c.astype(f32), z64, f64(_COS_P[2]))
    c *= z
    c = _fma(c, z64, -(z * _HALF))
    c += _ONE
    s = z64 * f64(_SIN_P[0])
    s += f64(_SIN_P[1])
    s = _fma(s.astype(f32), z64, f64(_SIN_P[2]))
    s *= z
    s = _fma(s, x.astype(f64), x)
    swap = (s.view(np.int32) ^ c.view(np.int32)) & ((j << 30) >> 31)    # octants 2, 3, 6, 7: swapped
    sin = s.view(np.int32) ^ swap
    sin ^= (j & 4) << 29                                    # the signs
    cos = c.view(np.int32) ^ swap
    cos ^= (~(j - 2) & 4) << 29
    sin, cos = sin.view(f32), cos.view(f32)
    return sin, cos


def box_muller_avx2(u, mean, std, chunk=2048):
    """float32 uniforms (a multiple of 16) to normals, 16 at a time: elements j and j + 8 of a block
    from ``1 - u[j]`` (radius) and ``u[j + 8]`` (angle); then ``n*std + mean`` fused, in float32."""
    b = u.reshape(-1, 16)
    out = np.empty(b.shape, f32)
    mean, std = f32(mean), f32(std)
    for k in range(0, len(b), chunk):           # blocks of rows, so the temporaries stay in cache
        rows = b[k:k + chunk]
        r = len(rows)
        radius = _ONE - rows[:, :8].reshape(-1)            # contiguous copies: 1-D loops from here on
        radius = np.sqrt(f32(-2.0) * _log_ps(radius))
        sin, cos = _sincos_ps(_TWO_PI * rows[:, 8:].reshape(-1))
        o = out[k:k + chunk]
        np.multiply(radius, cos, out=cos)
        np.multiply(radius, sin, out=sin)
        if (mean, std) != (0, 1):
            cos, sin = fma32(cos, std, mean), fma32(sin, std, mean)
        o[:, :8] = cos.reshape(r, 8)
        o[:, 8:] = sin.reshape(r, 8)
    return out.ravel()
