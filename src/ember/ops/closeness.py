"""nan_to_num and the elementwise tests with bool results: isclose, allclose, equal,
isposinf, isneginf (isreal is with the complex ops in complex_real.py). isclose/allclose/equal
take complex tensors (moduli of differences)."""
import numpy as np

from .. import _dtype
from .._tensor import _scalar_name
from ._op import Op, apply, apply_inplace
from ._promote import promote, as_array, xp
from .pointwise_more import _is_float, _need_tensor, _NUMBERS, _LOW
from .unary_more import to_out
from .argcheck import bad_input


# ------------------------------------------------------------------ nan_to_num

class NanToNumBackward0(Op):
    saves = (0,)

    def forward(self, a, nan=None, posinf=None, neginf=None):
        if not _is_float(a.dtype):
            if a.dtype.kind == 'c':          # real and imaginary parts separately (as PyTorch)
                out = a.copy()
                out.real = self.forward(a.real, nan, posinf, neginf)
                out.imag = self.forward(a.imag, nan, posinf, neginf)
                return out
            return a.copy()
        info, m = _dtype.finfo(_dtype._FROM_NP[a.dtype]), xp(a)

        def fill(v, default):      # out-of-range values become inf, as PyTorch's cast does
            return m.asarray(default if v is None else v, dtype=np.float64).astype(a.dtype)
        out = m.where(m.isnan(a), fill(nan, 0.0), a)
        out = m.where(out == np.inf, fill(posinf, info.max), out)
        return as_array(m.where(out == -np.inf, fill(neginf, info.min), out))

    def backward(self, g):
        from .compare import isfinite
        return g * isfinite(self.saved_tensors[0])


def _nan_args(nan, posinf, neginf):
    for arg, v in (('nan', nan), ('posinf', posinf), ('neginf', neginf)):
        if v is not None and not isinstance(v, _NUMBERS):
            raise TypeError(f"nan_to_num(): argument '{arg}' must be float, not {type(v).__name__}")
    return dict(nan=nan, posinf=posinf, neginf=neginf)


def _no_complex_grad(t):
    if t.requires_grad and t.is_complex():
        from ..autograd.grad_mode import is_grad_enabled
        if is_grad_enabled():
            raise RuntimeError('nan_to_num does not support automatic differentiation for outputs with '
                               'complex dtype.')


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """nan -> ``nan``; +-inf -> ``posinf``/``neginf`` (default: the dtype's largest/lowest); complex
    tensors: each part on its own."""
    _need_tensor('nan_to_num', 'input', input, 1)
    _no_complex_grad(input)
    kw = _nan_args(nan, posinf, neginf)
    try:
        r = apply(NanToNumBackward0, input, **kw)
    except NotImplementedError:                 # a sparse tensor: ember.sparse's form of the op
        from ..sparse._unary import dense_fallback
        return dense_fallback('nan_to_num', input, **kw)
    return r if out is None else to_out('nan_to_num', out, r)


def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
    try:
        _no_complex_grad(self)
        kw = _nan_args(nan, posinf, neginf)
        try:
            return apply_inplace(NanToNumBackward0, self, **kw)
        except NotImplementedError:
            from ..sparse._unary import dense_fallback
            return dense_fallback('nan_to_num', self, inplace=True, **kw)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('nan_to_num_', (self,), None, 'input')


# ------------------------------------------------------------------ tests (bool results)

class IsClose(Op):
    differentiable = False

    def forward(self, a, b, rtol, atol, equal_nan):
        if a.dtype != b.dtype:
            n = [_scalar_name(_dtype._FROM_NP[x.dtype]) for x in (a, b)]
            raise RuntimeError(f'{n[0]} did not match {n[1]}')
        for arg, v in (('rtol', rtol), ('atol', atol)):
            if not v >= 0:
                raise RuntimeError(f'{arg} must be greater than or equal to zero, but got {v:g}')
        m, cplx = xp(a), a.dtype.kind == 'c'
        close = as_array(a == b)
        if equal_nan and (cplx or _is_float(a.dtype)):     # a complex number is NaN if a part is
            close |= m.isnan(a) & m.isnan(b)
        if rtol == 0 and atol == 0:
            return close
        nd = a.dtype if _is_float(a.dtype) else _dtype.get_default_dtype().np
        if cplx:                  # |a - b| <= atol + |rtol * b|, the moduli in the parts' dtype
            nd = np.dtype(np.float64 if a.dtype == np.complex128 else np.float32)
        w = np.float32 if nd in _LOW else nd      # each step rounds to nd, as PyTorch's kernels do
        if not cplx:
            a, b = a.astype(w), b.astype(w)
        with np.errstate(invalid='ignore', over='ignore'):
            mod = (lambda z: m.abs(z.astype(np.complex128))) if cplx else m.abs   # rounded once, as PyTorch
            allowed = (mod(b * rtol).astype(nd).astype(w) + atol).astype(nd)
            actual = mod(a - b).astype(nd)
        return close | (m.isfinite(actual) & (actual <= allowed))


def _two_tensors(name, input, other, method):
    if not method:
        _need_tensor(name, 'input', input, 1)
    _need_tensor(name, 'other', other, 1 if method else 2)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False, *, _method=False):
    """|input - other| <= atol + rtol * |other|, elementwise (a bool tensor)."""
    _two_tensors('isclose', input, other, _method)
    return apply(IsClose, input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False, *, _method=False):
    """True when every element is close (a Python bool)."""
    _two_tensors('allclose', input, other, _method)
    return bool(apply(IsClose, input, other, rtol=rtol, atol=atol, equal_nan=equal_nan)._data.all())


def equal(input, other, *, _method=False):
    """True when both tensors have the same shape and the same values."""
    _two_tensors('equal', input, other, _method)
    if input.shape != other.shape:
        return False
    a, b, _ = promote(input._data, other._data)
    return bool((a == b).all())


class _InfTest(Op):
    differentiable = False
    sign = 1

    def forward(self, a):
        if not _is_float(a.dtype):
            return xp(a).zeros_like(a, dtype=np.bool_)
        return as_array(a == self.sign * np.inf)


IsPosInf = type('IsPosInf', (_InfTest,), {'__module__': __name__})
IsNegInf = type('IsNegInf', (_InfTest,), {'sign': -1, '__module__': __name__})


def _inf_test(name, cls):
    def fn(input, *, out=None):
        _need_tensor(name, 'input', input, 1)
        if out is not None and out.dtype is not _dtype.bool_:
            raise RuntimeError(f'{name} does not support non-boolean outputs.')
        try:
            kind = input._data.dtype.kind
        except NotImplementedError:             # a sparse tensor: ember.sparse's form of the op
            from ..sparse._unary import dense_fallback
            return dense_fallback(name, input)
        if kind == 'c':
            raise RuntimeError(f'{name} does not support complex inputs.')
        r = apply(cls, input)
        return r if out is None else to_out(name, out, r)
    fn.__name__ = fn.__qualname__ = name
    return fn


isposinf = _inf_test('isposinf', IsPosInf)
isneginf = _inf_test('isneginf', IsNegInf)


__all__ = ['nan_to_num', 'nan_to_num_', 'isclose', 'allclose', 'equal', 'isposinf', 'isneginf']

METHODS = {
    'nan_to_num': nan_to_num, 'nan_to_num_': nan_to_num_, 'isposinf': isposinf, 'isneginf': isneginf,
    'equal': lambda self, other: equal(self, other, _method=True),
    'isclose': lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False:
        isclose(self, other, rtol, atol, equal_nan, _method=True),
    'allclose': lambda self, other, rtol=1e-05, atol=1e-08, equal_nan=False:
        allclose(self, other, rtol, atol, equal_nan, _method=True),
}
