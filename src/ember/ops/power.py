"""Powers: tensor ** scalar, tensor ** tensor, scalar ** tensor."""
import numpy as np

from .._tensor import Tensor
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply, apply_inplace
from ._promote import promote, as_array
from .arith import Binary, _meta, _check_out, conj, real_part, _checks_first
from .argcheck import _mixed, _is_number


class PowBackward0(Binary):
    """tensor ** scalar (the scalar is passed as ``e=``: no graph edge, as in PyTorch)"""
    saves = (0,)

    def forward(self, a, e):
        self.metas = (_meta(a), None)
        self.e = e
        a, e2, nd = promote(a, e)
        if nd.kind in 'iu' and isinstance(e, int) and e < 0:
            raise RuntimeError('Integers to negative integer powers are not allowed.')
        if nd == np.bool_:                  # bool ** bool stays bool: x ** True is x, x ** False is True
            return a.copy() if e2 else np.ones_like(a)
        if e == 2:
            return as_array(np.multiply(a, a))
        if nd.kind == 'c':
            return as_array(_complex_pow(a, e2))
        return as_array(np.power(a, e2))

    def backward(self, g):
        a, = self.saved_tensors
        e = self.e
        if e == 0:
            return self._fit((g * 0, None))
        if e == 2:
            return self._fit((g * conj(a * 2), None))
        return self._fit((g * conj(a ** (e - 1) * e), None))


class PowBackward1(Binary):
    """tensor ** tensor"""
    saves = (0, 1)
    saves_output = True
    ufunc = np.power

    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        return _int_pow(a, b, nd)

    def backward(self, g):
        a, b, out = self.saved_tensors
        ga = gb = None
        if self._next[0][0] is not None:
            from .compare import where
            ga = where(b == 0, 0.0, g * conj(b * a ** (b - 1)))
        if self._next[1][0] is not None:
            gb = g * conj(out * _safe_log(a, b))
        return self._fit((ga, gb))


def _int_pow(a, b, nd):
    """a ** b with PyTorch's rules for integer tensors: a negative exponent gives 1 for a base of 1,
    +-1 for -1 and 0 otherwise; bool bases and exponents are not implemented."""
    if nd == np.bool_:
        raise NotImplementedError('"pow" not implemented for \'Bool\'')
    if nd.kind in 'iu':
        neg = (b if hasattr(b, 'dtype') else np.asarray(b)) < 0
        if neg.any():
            a, b = np.broadcast_arrays(a, b)
            safe = np.where(neg, 0, b)
            out = np.power(a, safe)
            odd = (np.abs(b) % 2) == 1
            special = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0)).astype(nd)
            return as_array(np.where(neg, special, out).astype(nd))
    if nd.kind == 'c':
        return as_array(_complex_pow(a, b))
    return as_array(np.power(a, b))


def _complex_pow(a, b):
    """Complex a ** b with PyTorch's values where a is 0 or b is 0: a tensor exponent is
    exp(b * log(a)), so 0 ** 0 and inf ** 0 are nan+nanj; a negative (real part of the) exponent
    makes 0 ** b inf+nanj (NumPy: nan+nanj); ** -1, ** 0.5 and ** -0.5 are 1 / a, sqrt(a) and
    1 / sqrt(a), as in PyTorch."""
    with np.errstate(all='ignore'):
        if not hasattr(b, 'shape'):               # a Python (or NumPy) scalar exponent
            if b == -1:
                return np.divide(1, a)
            if b == 0.5 or b == -0.5:              # sqrt / rsqrt, as PyTorch
                r = np.sqrt(a)
                return r if b == 0.5 else np.divide(1, r)
            out = np.power(a, b)
            if b.real < 0:
                zero = a == 0
                if zero.any():
                    out = np.where(zero, out.dtype.type(complex(np.inf, np.nan)), out)
            return out
        out = np.power(a, b)
        zero_b = b == 0
        fix = zero_b & ((a == 0) | ~np.isfinite(a))
        inf = (a == 0) & (b.real < 0)
        if fix.any() or inf.any():
            dt = out.dtype
            out = np.where(fix, dt.type(complex(np.nan, np.nan)),
                           np.where(inf, dt.type(complex(np.inf, np.nan)), out))
        return out


def _safe_log(a, b):
    """log(a), with 0 where a == 0 and b >= 0 (the limit PyTorch uses)."""
    from .unary import log
    from .compare import where
    return where((a == 0) & (real_part(b) >= 0), 0.0, log(a))


class PowBackward2(Binary):
    """scalar ** tensor (the scalar is passed as ``base=``)"""
    saves = (0,)
    saves_output = True

    def forward(self, e, base):
        self.metas = (_meta(e), None)
        self.base = base
        e2, b, nd = promote(e, base)
        return _int_pow(b, e2, nd)

    def backward(self, g):
        e, out = self.saved_tensors
        base = self.base
        out = conj(out)
        if base.__class__ is complex and base != 0:
            return self._fit((g * out * complex(np.log(base)).conjugate(), None))
        if base == 0:       # PyTorch: 0 where the exponent (its real part) is >= 0, else g * out * log(0)
            from .compare import where
            return self._fit((where(real_part(e) >= 0, 0.0, g * out * -np.inf), None))
        if base > 0:
            return self._fit((g * out * float(np.log(base)), None))
        return self._fit((g * out * np.nan, None))


def pow(input=None, exponent=None, *, out=None, self=None):
    """input ** exponent; PyTorch names the base ``self`` when it is a number: pow(self=2, exponent=x)."""
    if _amp.state.on and _amp.fp32('pow', (input, exponent)):  # autocast hook (ember.amp)
        return _amp.call_fp32(pow, input, exponent, out=out)
    if not isinstance(input, Tensor):
        if input is None and self is not None and not isinstance(self, Tensor):
            input, self = self, None
        if input is None or self is not None or not isinstance(exponent, Tensor) or not _is_number(input):
            _bad_args(input, exponent, self)
        r = apply(PowBackward2, exponent, base=input)
    elif isinstance(exponent, Tensor):
        try:
            r = apply(PowBackward1, input, exponent)
        except (NotImplementedError, RuntimeError) as e:     # PyTorch's shape/cast errors come first
            raise _checks_first(e, (input, exponent), out) or e from None
    elif exponent is None or not _is_number(exponent):
        _bad_args(input, exponent, self)
    else:
        r = apply(PowBackward0, input, e=exponent)
    return r if out is None else _check_out(out, r, 'pow')


def _bad_args(input, exponent, self):
    """PyTorch's TypeError when no form of pow fits the arguments given."""
    raise _mixed('pow', tuple(v for v in (input, exponent) if v is not None), {} if self is None else {'self': self})


def pow_(self, exponent):
    try:
        if isinstance(exponent, Tensor):
            return apply_inplace(PowBackward1, self, exponent)
        if not _is_number(exponent):
            raise _mixed('pow_', (exponent,), {})
        return apply_inplace(PowBackward0, self, e=exponent)
    except (NotImplementedError, RuntimeError) as e:     # PyTorch's shape/cast errors come first
        raise _checks_first(e, (self, exponent), self, True) or e from None
