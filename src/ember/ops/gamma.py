"""The gamma family and the modified Bessel functions as ops: lgamma, digamma, polygamma,
mvlgamma, i0 (and, for ``ember.special``, i0e, i1, i1e, ndtri, log_ndtr).

The kernels are in ``gamma_kernels.py``; here each op gets its PyTorch node name, its backward
in ember ops (so higher derivatives work), and its function / method / in-place forms. Integer
and bool inputs compute in the default float dtype."""
import math

import numpy as np

from ._op import Op, apply, apply_inplace
from ._promote import as_array, xp
from .unary import _to_float, _define
from ._complex import real_kernel
from .unary_more import to_out, bad_input
from .arith_scalar import MulBackward1, AddBackward1
from . import gamma_kernels as K
from .. import _dtype


def _unary(name, kernel, grad, saves=(0,), saves_output=False):
    return _define(name, lambda a: kernel(a if a.dtype.kind == 'c' else _to_float(a)), grad, saves=saves, saves_output=saves_output)


def _where(c, a, b):
    from .compare import where
    return where(c, a, b)


LgammaBackward0 = _unary('LgammaBackward0', real_kernel(K.lgamma_kernel, 'lgamma_vml_cpu'), lambda g, x, o: g * digamma(x))
DigammaBackward0 = _unary('DigammaBackward0', real_kernel(K.digamma_kernel, 'digamma'), lambda g, x, o: g * polygamma(1, x))
I0Backward0 = _unary('I0Backward0', real_kernel(K.i0_kernel, 'i0_vml_cpu'), lambda g, x, o: g * i1(x))
SpecialI0EBackward0 = _unary('SpecialI0EBackward0', real_kernel(K.i0e_kernel, 'i0e_cpu'),
                             lambda g, x, o: g * (i1e(x) - x.sgn() * o), saves_output=True)
def _i1_grad(g, x, o):
    z = x == 0
    safe = _where(z, 1.0, x)            # keeps the unused branch finite at 0 (for double backward)
    return g * _where(z, 0.5, i0(x) - o / safe)


def _i1e_grad(g, x, o):
    z = x == 0
    safe = _where(z, 1.0, x)
    return g * _where(z, 0.5, i0e(x) - o * (x.sgn() + safe.reciprocal()))


SpecialI1Backward0 = _unary('SpecialI1Backward0', real_kernel(K.i1_kernel, 'i1_cpu'), _i1_grad, saves_output=True)
SpecialI1EBackward0 = _unary('SpecialI1EBackward0', real_kernel(K.i1e_kernel, 'i1e_cpu'), _i1e_grad, saves_output=True)

def _function(cls, name, out_name=None):
    def f(input, *, out=None):
        try:
            r = apply(cls, input)
        except AttributeError:                  # not a tensor: the parser's TypeError
            bad_input(name, (input,))
        return r if out is None else to_out(out_name or name, out, r)

    def f_(self):
        try:
            return apply_inplace(cls, self)
        except AttributeError:
            bad_input(name + '_', (self,))
    f.__name__, f_.__name__ = name, name + '_'
    return f, f_


lgamma, lgamma_ = _function(LgammaBackward0, 'lgamma')
digamma, digamma_ = _function(DigammaBackward0, 'digamma')
i0, i0_ = _function(I0Backward0, 'i0')
i0e, _ = _function(SpecialI0EBackward0, 'i0e', 'special_i0e')
i1, _ = _function(SpecialI1Backward0, 'i1', 'special_i1')
i1e, _ = _function(SpecialI1EBackward0, 'i1e', 'special_i1e')


# ------------------------------------------------------------------ polygamma

class PolygammaBackward0(Op):
    """polygamma(n, x): the n-th derivative of digamma; its gradient is polygamma(n + 1, x)."""
    saves = (0,)

    def forward(self, a, n):
        self.n = n
        return as_array(K.polygamma_kernel(_to_float(a), n))

    def backward(self, g):
        x, = self.saved_tensors
        return g * polygamma(self.n + 1, x)


class PolygammaBackward1(PolygammaBackward0):
    """The in-place form x.polygamma_(n)."""


def _check_int(fname, arg, v, pos):
    if not isinstance(v, int) or isinstance(v, bool):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be int, not {type(v).__name__}")


def _check_n(n, pos):
    """n as an int (PyTorch also takes a 0-dim integer tensor), with PyTorch's errors."""
    if getattr(n, 'ndim', None) == 0 and n.dtype.category == _dtype._INT:
        n = int(n.item())
    _check_int('polygamma', 'n', n, pos)
    if n < 0:
        raise RuntimeError('polygamma(n, x) does not support negative n.')
    return n


def polygamma(n, input, *, out=None):
    n = _check_n(n, 1)
    r = apply(PolygammaBackward0, input, n=n)
    return r if out is None else to_out('polygamma', out, r)


def _polygamma_method(self, n):
    n = _check_n(n, 1)
    return apply(PolygammaBackward0, self, n=n)


def polygamma_(self, n):
    n = _check_n(n, 1)
    return apply_inplace(PolygammaBackward1, self, n=n)


# ------------------------------------------------------------------ mvlgamma

class MvlgammaBackward0(Op):
    """Multivariate log-gamma: p(p-1)/4 log(pi) + sum_j lgamma(x - j/2), j = 0 .. p-1."""
    saves = (0,)

    def forward(self, a, p):
        self.p = p
        a = _to_float(a)
        m = xp(a)
        shifts = m.asarray([-j / 2 for j in range(p)], dtype=a.dtype).reshape((p,) + (1,) * a.ndim)
        total = K.lgamma_kernel(a[None] + shifts).sum(axis=0)
        return as_array((total + a.dtype.type(p * (p - 1) / 4 * math.log(math.pi))).astype(a.dtype))

    def backward(self, g):
        x, = self.saved_tensors
        acc = digamma(x)
        for j in range(1, self.p):
            acc = acc + digamma(x - j / 2)
        return g * acc


def _check_p(p, pos):
    _check_int('mvlgamma', 'p', p, pos)
    if p < 1:
        raise RuntimeError('p has to be greater than or equal to 1')


def mvlgamma(input, p, *, out=None):
    _check_p(p, 2)
    r = apply(MvlgammaBackward0, input, p=p)
    return r if out is None else to_out('mvlgamma', out, r)


def _mvlgamma_method(self, p):
    _check_p(p, 1)
    return apply(MvlgammaBackward0, self, p=p)


def mvlgamma_(self, p):
    _check_p(p, 1)
    if self.dtype.category < 2:     # PyTorch checks the cast before computing (integer self)
        from .._tensor import _scalar_name
        raise RuntimeError(f"mvlgamma: result type {_scalar_name(self.dtype)} can't be cast to the desired "
                           'output type Float')
    return apply_inplace(MvlgammaBackward0, self, p=p)


# ------------------------------------------------------------------ normal distribution: ndtr, ndtri, log_ndtr

_SQRT1_2 = math.sqrt(0.5)
_SQRT_2PI = math.sqrt(2 * math.pi)
_LOG_SQRT_2PI = math.log(_SQRT_2PI)


def ndtr(input, *, out=None):
    """The standard normal CDF (1 + erf(x / sqrt(2))) / 2, recorded as PyTorch records it."""
    from .special_fns import erf
    r = apply(MulBackward1, apply(AddBackward1, erf(apply(MulBackward1, input, other=_SQRT1_2)), other=1),
              other=0.5)
    if out is None:
        return r
    return to_out('special_ndtr', out, r.detach())


def _ndtri(p):
    """Inverse of the normal CDF: x with ndtr(x) = p (float64 array)."""
    from .special_fns import erfinv_kernel, erfc_kernel
    m = xp(p)
    with np.errstate(all='ignore'):
        lower = p < 0.5
        q = m.where(lower, p, 1 - p)               # exact for p >= 1/2
        two_q = 2 * q                               # erfc(t) = 2q, t = -x / sqrt(2) on the lower side
        t = erfinv_kernel(1 - two_q)
        lq = -np.log(two_q)                          # far tail: erfc(t) ~ exp(-t^2) / (t sqrt(pi))
        u = np.sqrt(lq)
        for _ in range(4):
            u = np.sqrt(m.maximum(lq - np.log(u * math.sqrt(math.pi)) + np.log1p(-0.5 / (u * u)), 0.0))
        t = m.where(q < 1e-3, u, t)
        for _ in range(3):                           # Newton on log(erfc(t)) = log(2q)
            e = erfc_kernel(t)
            slope = -2 / math.sqrt(math.pi) * np.exp(-t * t) / e
            t = t - (np.log(e) - np.log(two_q)) / slope
        x = -math.sqrt(2) * t
        x = m.where(lower, x, -x)
        x = m.where(p == 0, -m.inf, m.where(p == 1, m.inf, x))
        x = m.where(p == 0.5, 0.0, x)
        return m.where((p < 0) | (p > 1) | np.isnan(p), m.nan, x)


def _f64(fn, kernel):
    """fn on float64 (rounded back to the input's float dtype); complex and 16-bit float inputs get
    PyTorch's not-implemented error for ``kernel``."""
    def run(a):
        if a.dtype.kind == 'c' or a.dtype.kind in 'fV' and a.dtype.itemsize == 2:
            from .._tensor import _scalar_name
            from .. import _dtype as D
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(D._FROM_NP[a.dtype])}\'')
        a = _to_float(a)
        return as_array(fn(a.astype(np.float64))).astype(a.dtype)
    return run


def _log_ndtr(x):
    """log(ndtr(x)) (float64 array), accurate in both tails."""
    from .special_fns import erfc_kernel
    m = xp(x)
    with np.errstate(all='ignore'):
        mid = m.where(x < -1, np.log(erfc_kernel(-x * _SQRT1_2) / 2), np.log1p(-erfc_kernel(x * _SQRT1_2) / 2))
        z = 1 / (x * x)                     # x << 0: -x^2/2 - log(-x) - log(sqrt(2 pi)) + log(sum)
        s, c = 1.0, 1.0
        for k in range(1, 12):
            c = -c * (2 * k - 1) * z
            s = s + c
        far = -x * x / 2 - np.log(-x) - _LOG_SQRT_2PI + np.log(s)
        return m.where(x < -20, far, mid)


SpecialNdtriBackward0 = _define('SpecialNdtriBackward0', _f64(_ndtri, 'ndtri_cpu'),
                                lambda g, x, o: g * _SQRT_2PI * (o * o / 2).exp(), saves=(), saves_output=True)
SpecialLogNdtrBackward0 = _define('SpecialLogNdtrBackward0', _f64(_log_ndtr, 'log_ndtr_cpu'),
                                  lambda g, x, o: g / _SQRT_2PI * (-(o + x * x / 2)).exp(), saves_output=True)
ndtri, _ = _function(SpecialNdtriBackward0, 'ndtri', 'special_ndtri')
log_ndtr, _ = _function(SpecialLogNdtrBackward0, 'log_ndtr', 'special_log_ndtr')


# ------------------------------------------------------------------ incomplete gamma

from .gamma_igamma import igamma, igammac, igamma_, igammac_, igamma_method, igammac_method  # noqa: E402


__all__ = ['lgamma', 'digamma', 'polygamma', 'mvlgamma', 'i0', 'i0_', 'igamma', 'igammac']

METHODS = {'lgamma': lgamma, 'lgamma_': lgamma_, 'digamma': digamma, 'digamma_': digamma_,
           'polygamma': _polygamma_method, 'polygamma_': polygamma_, 'mvlgamma': _mvlgamma_method,
           'mvlgamma_': mvlgamma_, 'i0': i0, 'i0_': i0_, 'igamma': igamma_method, 'igamma_': igamma_,
           'igammac': igammac_method, 'igammac_': igammac_}
