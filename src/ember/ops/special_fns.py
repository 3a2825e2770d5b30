"""The error function family (erf, erfc, erfinv), xlogy and entr.

NumPy has no error function, so the kernels are here, written with ufuncs and ``xp.where`` only
(they run on NumPy and CuPy arrays alike, in float32 or float64):

- erf/erfc: W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969), three
  intervals: |x| <= 0.46875 (erf = x R(x^2)), 0.46875 < |x| <= 4 (erfc = exp(-x^2) R(x)) and
  |x| > 4 (erfc = exp(-x^2)/x (1/sqrt(pi) + R(1/x^2)/x^2)). exp(-x^2) is taken as the product
  of exp(-s^2) and exp(-(x-s)(x+s)) with s = x rounded down to 1/16, so the tail of erfc stays
  accurate to a few ulp down to the underflow point (x ~ 26.6 in float64).
- erfinv: M. Giles' single-precision approximation ("Approximating the erfinv function", 2010)
  as a first guess (and, far in the tail, an asymptotic guess), then two refinement steps:
  Halley's method on erf(t) - y near zero, and Newton's method on log(erfc(t) / (1 - |y|)) for
  |y| > 1/2, where 1 - |y| is exact.
"""
import math

import numpy as np

from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply, apply_inplace
from ._promote import as_array, promote, xp
from .arith import Binary
from .unary import _define
from ._complex import real_kernel, no_complex
from .unary_more import lowp, to_out, _LOWP, bad_input

# ------------------------------------------------------------------ kernels

_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03,
      1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
      8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
      2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
      3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
      6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2,
      2.33520497626869185e-3)
_SMALL = 0.46875                       # end of the first interval
_RSQRT_PI = 1 / math.sqrt(math.pi)
_TWO_RSQRT_PI = 2 / math.sqrt(math.pi)
_SQRT_PI = math.sqrt(math.pi)


def _erf_small(x):
    """erf(x) for |x| <= 0.46875."""
    z = x * x
    num, den = _A[4] * z, z
    for a, b in zip(_A[:3], _B[:3]):
        num, den = (num + a) * z, (den + b) * z
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_large(y):
    """erfc(y) for y >= 0.46875 (y is clipped into the range where the formulas hold)."""
    y = xp(y).clip(y, _SMALL, 28.0)
    num, den = _C[8] * y, y
    for c, d in zip(_C[:7], _D[:7]):
        num, den = (num + c) * y, (den + d) * y
    mid = (num + _C[7]) / (den + _D[7])
    z = 1 / (y * y)
    num, den = _P[5] * z, z
    for p, q in zip(_P[:4], _Q[:4]):
        num, den = (num + p) * z, (den + q) * z
    far = (_RSQRT_PI - z * (num + _P[4]) / (den + _Q[4])) / y
    r = xp(y).where(y <= 4.0, mid, far)
    s = np.trunc(y * 16) / 16             # exp(-y^2) = exp(-s^2) exp(-(y - s)(y + s)), s^2 exact
    return np.exp(-s * s) * (np.exp(-(y - s) * (y + s)) * r)


@lowp
def erf_kernel(x):
    """erf of a float array."""
    with np.errstate(all='ignore'):
        ax = np.abs(x)
        return as_array(xp(x).where(ax <= _SMALL, _erf_small(x), np.copysign(1 - _erfc_large(ax), x)))


@lowp
def erfc_kernel(x):
    """erfc of a float array (relative accuracy kept in the right tail)."""
    with np.errstate(all='ignore'):
        ax = np.abs(x)
        big = _erfc_large(ax)
        m = xp(x)
        return as_array(m.where(ax <= _SMALL, 1 - _erf_small(x), m.where(x > 0, big, 2 - big)))


_G1 = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
       -0.00417768164, 0.246640727, 1.50140941)
_G2 = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
       0.00943887047, 1.00167406, 2.83297682)


def _horner(coefs, w):
    p = coefs[0]
    for c in coefs[1:]:
        p = c + p * w
    return p


@lowp
def erfinv_kernel(y):
    """erfinv of a float array: +-inf at +-1, nan outside [-1, 1]."""
    m = xp(y)
    with np.errstate(all='ignore'):
        a = np.abs(y)
        q = 1 - a                                   # exact for a >= 1/2
        w = -np.log(q * (1 + a))
        t = a * m.where(w < 5, _horner(_G1, w - 2.5), _horner(_G2, np.sqrt(w) - 3))
        # far tail (beyond float32's range): solve erfc(t) ~ exp(-t^2) / (t sqrt(pi)) by iteration
        lq = -np.log(q)
        u = np.sqrt(lq)
        for _ in range(3):
            u = np.sqrt(lq - np.log(u * _SQRT_PI) + np.log1p(-0.5 / (u * u)))
        t = m.where(w > 16, u, t)
        upper = a > 0.5
        for _ in range(2):
            small = _erf_small(t)
            large = _erfc_large(t)
            inner = t <= _SMALL
            erf_t = m.where(inner, small, 1 - large)
            erfc_t = m.where(inner, 1 - small, large)
            slope = _TWO_RSQRT_PI * np.exp(-t * t)
            r = (erf_t - a) / slope
            halley = r / (1 + t * r)
            newton_log = np.log(erfc_t / q) * erfc_t / slope
            t = t - m.where(upper, -newton_log, halley)
        t = m.where(a == 1, m.inf, m.where(a > 1, m.nan, t))
        t = m.where(a == 0, a, t)
        return as_array(np.copysign(t, y))


# ------------------------------------------------------------------ erf, erfc, erfinv ops

def _exp_neg_sq(x):
    return (-(x * x)).exp()


ErfBackward0 = _define('ErfBackward0', real_kernel(erf_kernel, 'erf_vml_cpu'), lambda g, x, o: g * _exp_neg_sq(x) * _TWO_RSQRT_PI)
ErfcBackward0 = _define('ErfcBackward0', real_kernel(erfc_kernel, 'erfc_vml_cpu'), lambda g, x, o: g * _exp_neg_sq(x) * -_TWO_RSQRT_PI)
ErfinvBackward0 = _define('ErfinvBackward0', real_kernel(erfinv_kernel, 'erfinv_vml_cpu'),
                          lambda g, x, o: g * (o * o).exp() * (_SQRT_PI / 2), saves=(), saves_output=True)


def _function(cls, name):
    def f(input, *, out=None):
        if _amp.state.on and _amp.fp32(name, input):  # autocast hook (ember.amp)
            return _amp.call_fp32(f, input, out=out)
        try:
            r = apply(cls, input)
        except AttributeError:                  # not a tensor: the parser's TypeError
            bad_input(name, (input,))
        return r if out is None else to_out(name, out, r)

    def f_(self):
        try:
            return apply_inplace(cls, self)
        except AttributeError:
            bad_input(name + '_', (self,))
    f.__name__, f_.__name__ = name, name + '_'
    return f, f_


erf, erf_ = _function(ErfBackward0, 'erf')
erfc, erfc_ = _function(ErfcBackward0, 'erfc')
erfinv, erfinv_ = _function(ErfinvBackward0, 'erfinv')


# ------------------------------------------------------------------ xlogy, entr

def _xlogy(a, b, nd):
    if nd in _LOWP:
        a, b = a.astype(np.float32), b.astype(np.float32)
    with np.errstate(all='ignore'):
        r = a * np.log(b)
    m = xp(r)
    r = m.where(np.isnan(b), b, m.where(a == 0, r.dtype.type(0), r))
    return as_array(r.astype(nd, copy=False))


class XlogyBackward0(Binary):
    """x * log(y), 0 where x == 0 (unless y is nan); integer inputs give the default float."""
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0, 1)}

    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b, True)
        no_complex(nd, 'xlogy_cpu')
        if not hasattr(a, 'dtype'):
            a = xp(b).asarray(a, nd)
        if not hasattr(b, 'dtype'):
            b = xp(a).asarray(b, nd)
        return _xlogy(a, b, nd)

    def backward(self, g):
        x, y = self.saved_tensors
        need_x, need_y = self._next[0][0] is not None, self._next[1][0] is not None
        gx = None
        if need_x:      # log(y), but 0 where x == 0 and y <= 0 (PyTorch's formula)
            from .compare import where
            gx = where((x == 0) & (y <= 0), 0.0, xlogy(g, y))
        gy = g * x / y if need_y else None
        return self._fit((gx, gy))


class XlogyBackward1(XlogyBackward0):
    """xlogy(number, tensor): the number is an attribute (no graph edge), as in PyTorch."""
    saves = (0,)
    save_needs = None

    def forward(self, b, a):
        self.a = a
        out = XlogyBackward0.forward(self, a, b)
        self.metas = (_meta(b),)
        return out

    def backward(self, g):
        y, = self.saved_tensors
        return self._fit((g * self.a / y,))


class XlogyBackward2(XlogyBackward0):
    """xlogy(tensor, number): the number is an attribute (no graph edge), as in PyTorch."""
    saves = (0,)
    save_needs = None

    def forward(self, a, b):
        self.b = b
        out = XlogyBackward0.forward(self, a, b)
        self.metas = (_meta(a),)
        return out

    def backward(self, g):
        from .compare import where
        x, = self.saved_tensors
        gx = xlogy(g, self.b)
        if self.b <= 0:
            gx = where(x == 0, 0.0, gx)
        return self._fit((gx,))


def _meta(x):
    return None if isinstance(x, (int, float, bool, complex)) else (x.shape, x.dtype)


def _xlogy_apply(fn, input, other):
    number = (int, float, bool, complex)
    if isinstance(input, number) and isinstance(other, number):
        from .argcheck import invalid_combination
        raise invalid_combination('xlogy', (input, other), {})
    if isinstance(input, number):
        return fn(XlogyBackward1, other, a=input)
    if isinstance(other, number):
        return fn(XlogyBackward2, input, b=other)
    return fn(XlogyBackward0, input, other)


def _xlogy_m(self, other):
    return _xlogy_apply(apply, self, other)


def xlogy(input, other, *, out=None):
    try:
        r = _xlogy_apply(apply, input, other)
    except TypeError:               # a list, a NumPy array, ...: the parser's message names both
        from .argcheck import bad_operands
        bad_operands('xlogy', (input, other))
    return r if out is None else to_out('xlogy', out, r)


def xlogy_(self, other):
    if not self.is_complex() and (isinstance(other, complex) or (hasattr(other, '_data') and other.is_complex())):
        from ._op import cast_check        # a real self and a complex other: PyTorch's cast error first
        from ._promote import result_dtype
        cast_check(result_dtype(self._data, getattr(other, '_data', other)).np, self)
    return _xlogy_apply(apply_inplace, self, other)


@lowp
def _entr(a):
    with np.errstate(all='ignore'):
        r = -a * np.log(a)
    m = xp(a)
    r = m.where(a > 0, r, m.where(a == 0, a.dtype.type(0), a.dtype.type(-np.inf)))
    return as_array(m.where(np.isnan(a), a, r))


SpecialEntrBackward0 = _define('SpecialEntrBackward0', real_kernel(_entr, 'entr_cpu'), lambda g, x, o: g * -(1 + x.log()))


def entr(input, *, out=None):
    """-x log(x) elementwise: 0 at 0, -inf for negative x."""
    r = apply(SpecialEntrBackward0, input)
    return r if out is None else to_out('special_entr', out, r)


__all__ = ['erf', 'erf_', 'erfc', 'erfc_', 'erfinv', 'xlogy', 'xlogy_']
METHODS = {'erf': erf, 'erf_': erf_, 'erfc': erfc, 'erfc_': erfc_, 'erfinv': erfinv, 'erfinv_': erfinv_,
           'xlogy': _xlogy_m, 'xlogy_': xlogy_}
