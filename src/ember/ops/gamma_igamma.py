"""The regularized incomplete gamma functions igamma (P(a, x), ``special.gammainc``) and
igammac (Q(a, x) = 1 - P, ``special.gammaincc``).

Kernel: for x < a + 1 the power series P = x^a e^-x / Gamma(a + 1) * sum x^k / ((a+1)...(a+k)),
otherwise Legendre's continued fraction for Q evaluated by the modified Lentz method; the other
function is 1 minus the one computed. Both loops run on whole arrays until every element has
converged (checked every few steps). The gradient exists for x only, as in PyTorch."""
import numpy as np

from .._tensor import Tensor
from ._op import apply, apply_inplace
from ._promote import as_array, promote, xp
from .arith import Binary, _meta
from .gamma_kernels import lgamma_kernel
from .pointwise_more import _kernel_error, _is_float
from .unary_more import to_out

_EPS = 1e-16
_TINY = 1e-300
_MAX_STEPS = 4000


def _converge(step, state, m):
    """Run ``step`` until it reports every element converged (or _MAX_STEPS)."""
    for i in range(_MAX_STEPS):
        state, small = step(state)
        if i % 8 == 7 and bool(m.all(small)):
            break
    return state


def _series(a, x, m):
    def step(st):
        term, total, k = st
        term = term * x / (a + k)
        total = total + term
        return (term, total, k + 1), np.abs(term) <= np.abs(total) * _EPS
    _, total, _ = _converge(step, (m.ones_like(a), m.ones_like(a), 1.0), m)
    return np.exp(a * np.log(x) - x - lgamma_kernel(a + 1)) * total


def _cont_frac(a, x, m):
    b = x + 1 - a
    c = m.full_like(a, 1 / _TINY)
    d = 1 / m.where(b == 0, _TINY, b)

    def step(st):
        b, c, d, h, i = st
        an = -i * (i - a)
        b = b + 2
        d = an * d + b
        d = 1 / m.where(d == 0, _TINY, d)
        c = b + an / c
        c = m.where(c == 0, _TINY, c)
        delta = c * d
        return (b, c, d, h * delta, i + 1), np.abs(delta - 1) <= _EPS
    _, _, _, h, _ = _converge(step, (b, c, d, d.copy(), 1.0), m)
    return np.exp(a * np.log(x) - x - lgamma_kernel(a)) * h


def igamma_kernel(a, x, upper):
    """P(a, x) (or Q(a, x) when ``upper``) of two float64 arrays, with PyTorch's edge values."""
    m = xp(a)
    a, x = m.broadcast_arrays(a, x)
    with np.errstate(all='ignore'):
        ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        sa, sx = m.where(ok, a, 1.0), m.where(ok, x, 1.0)
        use_series = sx < sa + 1
        p = m.ones_like(sa)
        q = m.ones_like(sa)
        if bool(use_series.any()):
            p = m.where(use_series, _series(m.where(use_series, sa, 1.0), m.where(use_series, sx, 0.5), m), p)
        if bool((~use_series).any()):
            q = m.where(use_series, q, _cont_frac(m.where(use_series, 1.0, sa), m.where(use_series, 2.0, sx), m))
        r = m.where(use_series, 1 - p, q) if upper else m.where(use_series, p, 1 - q)
        lo, hi = (1.0, 0.0) if upper else (0.0, 1.0)     # P's values at x = 0 and x = inf
        r = m.where(x == 0, lo, r)
        r = m.where(np.isinf(x) | (a == 0), hi, r)
        r = m.where(np.isinf(a) & np.isfinite(x), lo, r)
        bad = ((a < 0) | (x < 0) | (np.isnan(a) & (x != 0)) | np.isnan(x) | ((a == 0) & (x == 0))  # x = 0 wins
               | (np.isinf(a) & np.isinf(x)))                                                       # over nan a
        return m.where(bad, m.nan, r)


class IgammaBackward0(Binary):
    """igamma(a, x) = P(a, x); d/dx = x^(a-1) e^-x / Gamma(a); no derivative in a."""
    saves = (0, 1)
    upper, kernel, aten = False, 'igamma_cpu', 'igamma'

    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        if not _is_float(nd):
            _kernel_error(self.kernel, nd)
        out = igamma_kernel(a.astype(np.float64), b.astype(np.float64), self.upper)
        return as_array(out).astype(nd)

    def backward(self, g):
        from .gamma import lgamma
        a, x = self.saved_tensors
        if self._next[0][0] is not None:
            raise NotImplementedError(f"the derivative for '{self.aten}: input' is not implemented.")
        d = ((a - 1) * x.log() - x - lgamma(a)).exp()
        return self._fit((None, -g * d if self.upper else g * d))


class IgammacBackward0(IgammaBackward0):
    """igammac(a, x) = Q(a, x) = 1 - P(a, x)."""
    upper, kernel, aten = True, 'igammac_cpu', 'igammac'


def _check(fname, input, other, method):
    for pos, (arg, v) in enumerate((('input', input), ('other', other)), 1):
        if not isinstance(v, Tensor):
            from .argcheck import need_tensor
            need_tensor(fname, v, arg, pos - method)


def _forms(cls, name):
    def fn(input, other, *, out=None):
        _check(name, input, other, 0)
        r = apply(cls, input, other)
        return r if out is None else to_out(name, out, r)

    def method(self, other):
        _check(name, self, other, 1)
        return apply(cls, self, other)

    def fn_(self, other):
        _check(name, self, other, 1)
        return apply_inplace(cls, self, other)
    fn.__name__, fn_.__name__ = name, name + '_'
    return fn, method, fn_


igamma, igamma_method, igamma_ = _forms(IgammaBackward0, 'igamma')
igammac, igammac_method, igammac_ = _forms(IgammacBackward0, 'igammac')
special_gammainc = _forms(IgammaBackward0, 'special_gammainc')[0]      # ember.special's names (in messages)
special_gammaincc = _forms(IgammacBackward0, 'special_gammaincc')[0]
