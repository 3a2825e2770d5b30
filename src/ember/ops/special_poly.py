"""Two-argument functions of ``torch.special``: the orthogonal polynomials p_n(x) (Chebyshev
T/U/V/W and their shifted forms, Hermite H/He, Laguerre, Legendre), the Hurwitz zeta
function and xlog1py.

Polynomials follow PyTorch's definitions: x and n broadcast and promote to one float dtype
(integers -> the default float), the degree is n truncated to an integer (nan, inf and
negative degrees give 0), and the value comes from the three-term recurrence, computed in the
result dtype, except where PyTorch uses a closed form (|x| < 1 and high degree: the
trigonometric forms of the Chebyshev families) or a fixed value (x = +-1, or x = 0, 1 for the
shifted ones). The recurrence runs once over all elements up to the largest degree needed, and
stops early when every unfinished element has become nan. PyTorch records no graph for them.
"""
import numpy as np

from .._tensor import xp_of
from ._op import Op, apply
from ._promote import as_array, promote
from .arith import Binary
from .unary_more import to_out, _LOWP
from .special_bessel import float_input
from . import gamma_kernels as K

_NUMBER = (int, float, bool)


def _both_numbers(fname, a, b, names=('input', 'other', 'self')):
    x, y, z = names
    raise TypeError(f'{fname}() received an invalid combination of arguments - got ({type(a).__name__}, '
                    f'{type(b).__name__}), but expected one of:\n * (Tensor {x}, Tensor {y}, *, Tensor out = None)\n'
                    f' * (Number {z}, Tensor {y}, *, Tensor out = None)\n'
                    f' * (Tensor {x}, Number {y}, *, Tensor out = None)\n')


def _operands(a, b, aten):
    """(x, n) as arrays of their common float dtype, broadcast; PyTorch's dtype checks."""
    a, b, nd = promote(a, b, True)
    xp = xp_of(a) if hasattr(a, 'dtype') else xp_of(b)
    float_input(xp.empty(0, nd), aten)
    a = xp.asarray(a, dtype=nd)
    b = xp.asarray(b, dtype=nd)
    a, b = xp.broadcast_arrays(a, b)
    return xp, a, b


def _degree(xp, n):
    """PyTorch's int64 cast of the degree: out-of-range and nan become negative."""
    ok = np.isfinite(n) & (np.abs(n) < 2.0 ** 63)
    return xp.where(ok, np.trunc(xp.where(ok, n, 0)), -1.0).astype(np.int64)


# A family gives (fixed values [(mask, value)], closed form (mask, value) or None, the degree-1
# value, the recurrence variable, step); step(k, y, p, q) is the degree k + 1 value from
# p (degree k - 1) and q (degree k).

def _cheb_step(k, y, p, q):
    return (y + y) * q - p


def _chebyshev(kind, shifted):
    """Chebyshev polynomials of kind T/U/V/W; ``shifted``: of 2x - 1, with PyTorch's fixed values
    at x = 0 and 1 and its lower thresholds for the closed forms."""
    limit = ({'t': 6, 'u': 6, 'v': 6, 'w': 4} if shifted else {'t': 6, 'u': 8, 'v': 8, 'w': 8})[kind]

    def family(xp, x, n, nf):
        w = xp.where
        even = n % 2 == 0
        odd_n1, odd_2n1 = w(even, nf + 1, -(nf + 1)), w(even, 2 * nf + 1, -(2 * nf + 1))
        unit = w(even, 1.0, -1.0)
        if shifted:
            y = x + x - 1
            at1 = {'t': 1.0, 'u': nf + 1, 'v': 1.0, 'w': 2 * nf + 1}[kind]
            at0 = {'t': unit, 'u': odd_n1, 'v': odd_2n1, 'w': unit}[kind]
            fixed = [(x == 1, at1), (x == 0, at0)]
        else:
            y = x
            pos = x > 0
            edge = {'t': w(pos | even, 1.0, -1.0), 'u': w(pos | even, nf + 1, -(nf + 1)),
                    'v': w(pos, 1.0, odd_2n1), 'w': w(pos, 2 * nf + 1, unit)}[kind]
            fixed = [(np.abs(x) == 1, edge)]
        a = xp.arccos(y)
        if kind == 't':
            closed = xp.cos(nf * a)
        elif kind == 'u':
            s = xp.sin(a)
            closed = w(s != 0, xp.sin((nf + 1) * a) / s, (nf + 1) * xp.cos((nf + 1) * a) / y)
        elif kind == 'v':
            closed = w(xp.sin(a / 2) != 1, xp.cos((nf + 0.5) * a) / xp.cos(a / 2), odd_2n1)
        else:
            stuck = unit if shifted else w(x > 0, 2 * nf + 1, unit)
            closed = w(xp.cos(a / 2) != 1, xp.sin((nf + 0.5) * a) / xp.sin(a / 2), stuck)
        first = {'t': y, 'u': y + y, 'v': y + y - 1, 'w': y + y + 1}[kind]
        return fixed, ((n > limit) & (np.abs(y) < 1), closed), first, y, _cheb_step
    return family


def _hermite_h(xp, x, n, nf):
    return [], None, x + x, x, lambda k, x_, p, q: (x_ + x_) * q - (2 * k) * p


def _hermite_he(xp, x, n, nf):
    return [], None, x, x, lambda k, x_, p, q: x_ * q - k * p


def _laguerre(xp, x, n, nf):
    return ([(x == 0, 1.0)], None, 1 - x, x,
            lambda k, x_, p, q: (((k + k) + (1 - x_)) * q - k * p) / (k + 1))


def _legendre(xp, x, n, nf):
    return ([(np.abs(x) == 1, xp.where((x > 0) | (n % 2 == 0), 1.0, -1.0))], None, x, x,
            lambda k, x_, p, q: ((k + k + 1) * x_ * q - k * p) / (k + 1))


def _evaluate(family, x, nraw):
    """p_n(x) of one family for broadcast arrays x and n (both of the result dtype)."""
    xp = xp_of(x)
    dt = x.dtype
    n = _degree(xp, nraw)
    nf = n.astype(dt)
    with np.errstate(all='ignore'):
        fixed, closed, p1, y, step = family(xp, x, n, nf)
        res = xp.where(n == 0, 1, p1).astype(dt)
        todo = n >= 2
        for cond, val in fixed:
            todo = todo & ~cond
        if closed is not None:
            todo = todo & ~closed[0]
        top = int(n[todo].max()) if bool(todo.any()) else 1
        p, q = xp.ones_like(y), p1.astype(dt)
        for k in range(1, top):
            r = step(k, y, p, q).astype(dt, copy=False)
            p, q = q, r
            res = xp.where(todo & (n == k + 1), r, res)
            if k % 64 == 0:
                alive = todo & (n > k + 1)
                if not bool((alive & ~np.isnan(r)).any()):
                    res = xp.where(alive, xp.asarray(np.nan, dt), res)
                    break
        if closed is not None:
            res = xp.where(closed[0], closed[1].astype(dt), res)
        for cond, val in reversed(fixed):
            res = xp.where(cond & (n >= 0), xp.asarray(val, dt), res)
        res = xp.where(n < 0, xp.asarray(0, dt), res)
    return as_array(res.astype(dt, copy=False))


class _Polynomial(Op):
    differentiable = False
    family = None
    aten = ''

    def forward(self, x, n):
        xp, x, n = _operands(x, n, self.aten)
        return _evaluate(type(self).family, x, n)


def _polynomial(aten, family):
    cls = type(aten, (_Polynomial,), {'family': staticmethod(family), 'aten': aten, '__module__': __name__})

    def f(input, n, *, out=None):
        if isinstance(input, _NUMBER) and isinstance(n, _NUMBER):
            _both_numbers('special_' + aten, input, n, ('x', 'n', 'x'))
        r = apply(cls, input, n)
        return r if out is None else to_out('special_' + aten, out, r)
    f.__name__ = aten
    return f


chebyshev_polynomial_t = _polynomial('chebyshev_polynomial_t', _chebyshev('t', False))
chebyshev_polynomial_u = _polynomial('chebyshev_polynomial_u', _chebyshev('u', False))
chebyshev_polynomial_v = _polynomial('chebyshev_polynomial_v', _chebyshev('v', False))
chebyshev_polynomial_w = _polynomial('chebyshev_polynomial_w', _chebyshev('w', False))
shifted_chebyshev_polynomial_t = _polynomial('shifted_chebyshev_polynomial_t', _chebyshev('t', True))
shifted_chebyshev_polynomial_u = _polynomial('shifted_chebyshev_polynomial_u', _chebyshev('u', True))
shifted_chebyshev_polynomial_v = _polynomial('shifted_chebyshev_polynomial_v', _chebyshev('v', True))
shifted_chebyshev_polynomial_w = _polynomial('shifted_chebyshev_polynomial_w', _chebyshev('w', True))
hermite_polynomial_h = _polynomial('hermite_polynomial_h', _hermite_h)
hermite_polynomial_he = _polynomial('hermite_polynomial_he', _hermite_he)
laguerre_polynomial_l = _polynomial('laguerre_polynomial_l', _laguerre)
legendre_polynomial_p = _polynomial('legendre_polynomial_p', _legendre)


# ------------------------------------------------------------------ Hurwitz zeta

def _zeta(x, q):
    """zeta(x, q) = sum_k (k + q)^-x with PyTorch's domain rules (float64 arrays, same shape)."""
    xp = xp_of(x)
    shape = x.shape
    x, q = x.ravel(), q.ravel()
    with np.errstate(all='ignore'):
        pos = (x > 1) & (q > 0)
        # the kernel works elementwise on an array of orders when every q > 0
        out = K.zeta_kernel(xp.where(pos, x, 2.0), xp.where(pos, q, 1.0))
        out = xp.where(pos | np.isnan(x) | np.isnan(q), out, xp.nan)
        out = xp.where(np.isnan(x) | np.isnan(q), xp.nan, out)
        flo = np.floor(q)
        # q < 0, not an integer, integer order: summed from q by the scalar-order kernel
        neg = (x > 1) & (q < 0) & (flo != q) & (np.floor(x) == x)
        if bool(neg.any()):
            idx = xp.nonzero(neg)[0]
            xs, qs = x[idx], q[idx]
            vals = xp.empty_like(qs)
            for v in xp.unique(xs).tolist():           # few distinct orders (host loop over them)
                sel = xs == v
                vals = xp.where(sel, K.zeta_kernel(float(v), xp.where(sel, qs, 0.5)), vals)
            out[idx] = vals
        out = xp.where((q <= 0) & (flo == q), xp.inf, out)
        out = xp.where(x < 1, xp.nan, out)
        out = xp.where(x == 1, xp.inf, out)
    return out.reshape(shape)


def _zeta_arrays(a, b):
    a, b, nd = promote(a, b, True)
    xp = xp_of(a) if hasattr(a, 'dtype') else xp_of(b)
    float_input(xp.empty(0, nd), 'zeta')
    a, b = xp.broadcast_arrays(xp.asarray(a, np.float64), xp.asarray(b, np.float64))
    return as_array(_zeta(a, b).astype(nd))


def _not_implemented_zeta():
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


class SpecialZetaBackward0(Binary):
    """zeta(x, q); PyTorch differentiates it in q only: d/dq = -x zeta(x + 1, q)."""
    saves = (0, 1)

    def forward(self, x, q):
        self.metas = (_meta(x), _meta(q))
        return _zeta_arrays(x, q)

    def backward(self, g):
        x, q = self.saved_tensors
        if self._next[0][0] is not None:
            _not_implemented_zeta()
        return self._fit((None, g * -x * zeta(x + 1, q)))


class SpecialZetaBackward1(Binary):
    """zeta(number, q): the order is an attribute."""
    saves = (0,)

    def forward(self, q, x):
        self.x = x
        self.metas = (_meta(q),)
        return _zeta_arrays(x, q)

    def backward(self, g):
        q, = self.saved_tensors
        return self._fit((g * -self.x * zeta(self.x + 1, q),))


class SpecialZetaBackward2(Binary):
    """zeta(x, number): not differentiable in x (PyTorch raises)."""

    def forward(self, x, q):
        self.metas = (_meta(x),)
        return _zeta_arrays(x, q)

    def backward(self, g):
        _not_implemented_zeta()


def _meta(v):
    return None if isinstance(v, _NUMBER) else (v.shape, v.dtype)


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (k + other)^-input."""
    if isinstance(input, _NUMBER) and isinstance(other, _NUMBER):
        _both_numbers('special_zeta', input, other)
    if isinstance(input, _NUMBER):
        r = apply(SpecialZetaBackward1, other, x=input)
    elif isinstance(other, _NUMBER):
        r = apply(SpecialZetaBackward2, input, other)
    else:
        r = apply(SpecialZetaBackward0, input, other)
    return r if out is None else to_out('special_zeta', out, r)


# ------------------------------------------------------------------ xlog1py

def _xlog1py_arrays(a, b):
    a, b, nd = promote(a, b, True)
    xp = xp_of(a) if hasattr(a, 'dtype') else xp_of(b)
    cd = np.float32 if nd in _LOWP else nd
    a, b = xp.asarray(a, cd), xp.asarray(b, cd)
    with np.errstate(all='ignore'):
        lg = np.log1p(b)
        if cd != nd:                    # half / bfloat16: each step rounds, as PyTorch's scalar code does
            lg = lg.astype(nd).astype(cd)
        r = a * lg
    r = xp.where(np.isnan(b), b, xp.where(a == 0, xp.asarray(0, cd), r))
    return as_array(r.astype(nd, copy=False))


class SpecialXlog1PyBackward0(Binary):
    """x * log1p(y), and 0 where x == 0 (unless y is nan)."""
    saves = (0, 1)
    save_needs = {0: (0, 1), 1: (0, 1)}

    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        return _xlog1py_arrays(a, b)

    def backward(self, g):
        from .compare import where
        x, y = self.saved_tensors
        gx = gy = None
        if self._next[0][0] is not None:
            gx = where((x == 0) & (y <= -1), 0.0, xlog1py(g, y))
        if self._next[1][0] is not None:
            gy = g * x / (y + 1)
        return self._fit((gx, gy))


class SpecialXlog1PyBackward1(Binary):
    """xlog1py(number, y): the number is an attribute."""
    saves = (0,)

    def forward(self, b, a):
        self.a = a
        self.metas = (_meta(b),)
        return _xlog1py_arrays(a, b)

    def backward(self, g):
        y, = self.saved_tensors
        return self._fit((g * self.a / (y + 1),))


class SpecialXlog1PyBackward2(Binary):
    """xlog1py(x, number): the number is an attribute."""
    saves = (0,)

    def forward(self, a, b):
        self.b = b
        self.metas = (_meta(a),)
        return _xlog1py_arrays(a, b)

    def backward(self, g):
        from .compare import where
        x, = self.saved_tensors
        gx = xlog1py(g, self.b)
        if self.b <= -1:
            gx = where(x == 0, 0.0, gx)
        return self._fit((gx,))


def xlog1py(input, other, *, out=None):
    """input * log1p(other), 0 where input == 0."""
    if isinstance(input, _NUMBER) and isinstance(other, _NUMBER):
        _both_numbers('special_xlog1py', input, other)
    if isinstance(input, _NUMBER):
        r = apply(SpecialXlog1PyBackward1, other, a=input)
    elif isinstance(other, _NUMBER):
        r = apply(SpecialXlog1PyBackward2, input, b=other)
    else:
        r = apply(SpecialXlog1PyBackward0, input, other)
    return r if out is None else to_out('special_xlog1py', out, r)


__all__ = []
METHODS = {}
