"""Number-theoretic and floating-point helpers: gcd, lcm, ldexp, frexp, nextafter, heaviside,
fmax, fmin and renorm.

Binary ops take two tensors (PyTorch has no number overloads for them) and promote with
PyTorch's rules; ``arith.Binary`` reduces broadcast gradients."""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, NotImplementedNode, apply, apply_inplace
from ._promote import as_array, promote, xp
from .arith import Binary, _meta
from .pointwise_more import _kernel_error, _is_float
from .unary_more import to_out
from . import return_types as _rt
from .argcheck import bad_input

_BF16 = _dtype.bfloat16.np
_LOW = (np.dtype(np.float16), np.dtype(_BF16))

if not hasattr(_rt, 'frexp'):
    _rt.frexp = _rt._define('frexp', ('mantissa', 'exponent'))


def _tensors(fname, input, other, method, arg='other'):
    for pos, (name, v) in enumerate((('input', input), (arg, other)), 1):
        if not isinstance(v, Tensor):
            from .argcheck import need_tensor
            need_tensor(fname, v, name, pos - method)


def _forms(name, cls, arg='other', inplace_check=None):
    """Function (with out=), method and in-place method of a two-tensor op."""
    def fn(input, other, *, out=None):
        _tensors(name, input, other, 0, arg)
        r = apply(cls, input, other)
        return r if out is None else to_out(name, out, r)

    def method(self, other):
        _tensors(name, self, other, 1, arg)
        return apply(cls, self, other)

    def fn_(input, other):
        _tensors(name, input, other, 1, arg)
        if inplace_check is not None:
            inplace_check(input, other)
        return apply_inplace(cls, input, other)
    fn.__name__, method.__name__, fn_.__name__ = name, name, name + '_'
    return fn, method, fn_


# ------------------------------------------------------------------ gcd, lcm

class _IntBinary(Op):
    differentiable = False
    kernel = ufunc = None

    def forward(self, a, b):
        a, b, nd = promote(a, b)
        if nd.kind not in 'iu':
            _kernel_error(self.kernel, nd)
        return as_array(self.ufunc(a, b).astype(nd, copy=False))


class Gcd(_IntBinary):
    kernel, ufunc = 'gcd_cpu', staticmethod(np.gcd)


class Lcm(_IntBinary):
    kernel, ufunc = 'lcm_cpu', staticmethod(np.lcm)


def _cast_first(self, other):
    """PyTorch refuses an in-place result it cannot cast before looking at the kernel."""
    from ._op import cast_check
    from ._promote import result_dtype
    cast_check(result_dtype(self._data, other._data).np, self)


gcd, _gcd_m, gcd_ = _forms('gcd', Gcd, inplace_check=_cast_first)
lcm, _lcm_m, lcm_ = _forms('lcm', Lcm, inplace_check=_cast_first)


# ------------------------------------------------------------------ ldexp, frexp

class LdexpBackward0(Binary):
    """input * 2 ** other, in the promoted float dtype. An integer exponent is taken as a C int (its
    low 32 bits); a float one gives 2 ** other in its own dtype first, as PyTorch's pow(2, other)."""
    saves = (0, 1)

    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        kind = b.dtype.kind
        if kind == 'b':
            raise NotImplementedError('"ldexp_cpu_exp" not implemented for \'Bool\'')
        e = b
        a, b, nd = promote(a, b, True)
        wide = np.float32 if nd in _LOW else nd
        if kind in 'iu':
            return as_array(xp(a).ldexp(a.astype(wide), e.astype(np.int64).astype(np.int32)).astype(nd))
        scale = np.exp2(e.astype(np.float32)).astype(e.dtype) if e.dtype in _LOW else np.exp2(e)
        return as_array(a.astype(wide) * scale.astype(wide)).astype(nd, copy=False)

    def backward(self, g):
        from .unary_more import exp2
        x, e = self.saved_tensors
        if e.dtype.is_floating_point:
            scale = exp2(e)
        else:       # PyTorch's backward takes 2 ** e in integers: 0 for e < 0
            from .compare import where
            scale = where(e < 0, 0.0, exp2(e.to(g.dtype)))
        need_x, need_e = self._next[0][0] is not None, self._next[1][0] is not None
        return self._fit((g * scale if need_x else None, g * (x * scale) * math.log(2) if need_e else None))


def _ldexp_inplace_check(self, other):
    if not self.dtype.is_floating_point:
        from .._tensor import _scalar_name
        raise RuntimeError(f"ldexp can't be cast to the desired output type {_scalar_name(self.dtype)}")


ldexp, _ldexp_m, ldexp_ = _forms('ldexp', LdexpBackward0, inplace_check=_ldexp_inplace_check)


class FrexpBackward0(Op):
    """(mantissa, exponent) with input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1)."""
    n_outputs = 2
    nondiff_outputs = (1,)

    def forward(self, a):
        if a.dtype.kind != 'f' and a.dtype != _BF16:
            raise RuntimeError('ember.frexp() only supports floating-point dtypes')
        m, e = np.frexp(a.astype(np.float32) if a.dtype == _BF16 else a)
        self.exponent = e
        return as_array(m).astype(a.dtype, copy=False), as_array(e).astype(np.int32, copy=False)

    def backward(self, g, _ge=None):       # PyTorch: grad / exponent.exp2()
        from .unary_more import exp2
        return g / exp2(Tensor._make(as_array(self.exponent)).to(g.dtype))


def frexp(input, *, out=None):
    try:
        m, e = apply(FrexpBackward0, input)
        if out is not None:
            to_out('frexp', out[0], m)
            to_out('frexp', out[1], e)
            m, e = out
        return _rt.frexp(m, e)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('frexp', (input,))


# ------------------------------------------------------------------ nextafter, heaviside

class NextafterBackward0(Binary):
    """The next representable value after input towards other."""
    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        if not _is_float(nd):
            _kernel_error('nextafter_cpu', nd)
        return as_array(xp(a).nextafter(a, b))

    def backward(self, g):
        from .creation import zeros_like
        return self._fit((g, zeros_like(g)))


class HeavisideBackward0(NotImplementedNode):
    """Step function: 0 below zero, 1 above, ``values`` at zero. PyTorch has no derivative."""
    aten = 'heaviside'

    def forward(self, a, b):
        if a.dtype.kind == 'c' or b.dtype.kind == 'c':
            raise RuntimeError('heaviside is not yet implemented for complex tensors.')
        if a.dtype != b.dtype:
            raise RuntimeError('heaviside is not yet implemented for tensors with different dtypes.')
        m = xp(a)
        return as_array(m.where(a == 0, b, (a > 0).astype(a.dtype)).astype(a.dtype, copy=False))


nextafter, _nextafter_m, nextafter_ = _forms('nextafter', NextafterBackward0)


def heaviside(input, values, *, out=None):
    _tensors('heaviside', input, values, 0, 'values')
    r = apply(HeavisideBackward0, input, values)
    return r if out is None else to_out('heaviside', out, r)


def _heaviside_m(self, values):
    _tensors('heaviside', self, values, 1, 'values')
    return apply(HeavisideBackward0, self, values)


def heaviside_(self, values):
    _tensors('heaviside', self, values, 1, 'values')
    return apply_inplace(HeavisideBackward0, self, values)


_heaviside_m.__name__ = 'heaviside'


# ------------------------------------------------------------------ fmax, fmin

class FmaxBackward0(Binary):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    saves = (0, 1)
    ufunc = staticmethod(np.fmax)
    larger = True

    def forward(self, a, b):
        if a.dtype.kind == 'c' or getattr(b, 'dtype', a.dtype).kind == 'c':
            raise RuntimeError(f'{type(self).__name__[:4].lower()} not implemented for complex tensors.')
        return super().forward(a, b)

    def backward(self, g):
        from .compare import where
        a, b = self.saved_tensors
        first = ((a >= b) if self.larger else (a <= b)) | b.isnan()
        return self._fit((where(first, g, 0.0), where(first, 0.0, g)))


class FminBackward0(FmaxBackward0):
    """Elementwise minimum that ignores NaN."""
    ufunc = staticmethod(np.fmin)
    larger = False


fmax, _fmax_m, _ = _forms('fmax', FmaxBackward0)
fmin, _fmin_m, _ = _forms('fmin', FminBackward0)


# ------------------------------------------------------------------ renorm

def _renorm_check(a, p, dim, maxnorm):
    from .shape import wrap_dim
    if not (a.dtype.kind == 'f' or a.dtype == _BF16):
        from .._tensor import _scalar_name
        name = _scalar_name(_dtype._FROM_NP[a.dtype])
        raise RuntimeError(f'linalg.vector_norm: Expected a floating point or complex tensor as input. Got {name}')
    if not p > 0:
        raise RuntimeError('renorm: non-positive-norm not supported')
    if maxnorm < 0:
        raise RuntimeError(f'renorm: expected maxnorm to be >= 0 but got {maxnorm:g}')
    if a.ndim < 2:
        raise RuntimeError(f'renorm: input needs at least 2 dimensions, got {a.ndim} dimensions')
    return wrap_dim(dim, a.ndim)


class RenormBackward0(Op):
    """Each slice along ``dim`` whose p-norm exceeds maxnorm is scaled down to maxnorm."""
    saves = (0,)

    def forward(self, a, p, dim, maxnorm):
        dim = _renorm_check(a, p, dim, maxnorm)
        self.p, self.maxnorm = float(p), float(maxnorm)
        self.axes = tuple(i for i in range(a.ndim) if i != dim)
        work = a.astype(np.float32) if a.dtype in _LOW else a
        m = xp(work)
        ab = np.abs(work)
        if math.isinf(self.p):
            norm = ab.max(axis=self.axes, keepdims=True)
        else:
            norm = (ab ** self.p).sum(axis=self.axes, keepdims=True) ** (1 / self.p)
        factor = m.where(norm > self.maxnorm, self.maxnorm / (norm + 1e-7), 1.0).astype(work.dtype)
        return xp(a).ascontiguousarray(as_array(work * factor).astype(a.dtype, copy=False))

    def backward(self, g):
        from .compare import where
        x, = self.saved_tensors
        p, mx, axes = self.p, self.maxnorm, self.axes
        ab = x.abs()
        if math.isinf(p):
            norm = ab.amax(axes, keepdim=True)
            hit = (ab == norm).to(x.dtype)
            dnorm = x.sgn() * hit / hit.sum(axes, keepdim=True)
        else:
            norm = ab.pow(p).sum(axes, keepdim=True).pow(1 / p)
            dnorm = x.sgn() * (ab / norm).pow(p - 1)
        over = norm > mx
        factor = where(over, mx / (norm + 1e-7), 1.0)
        dfactor = where(over, -mx / (norm + 1e-7).pow(2), 0.0)
        return g * factor + (g * x).sum(axes, keepdim=True) * dfactor * dnorm


def renorm(input, p, dim, maxnorm, *, out=None):
    r = apply(RenormBackward0, input, p=p, dim=dim, maxnorm=maxnorm)
    return r if out is None else to_out('renorm', out, r)


def renorm_(self, p, dim, maxnorm):
    return apply_inplace(RenormBackward0, self, p=p, dim=dim, maxnorm=maxnorm)


__all__ = ['gcd', 'gcd_', 'lcm', 'lcm_', 'ldexp', 'ldexp_', 'frexp', 'nextafter', 'heaviside', 'fmax', 'fmin',
           'renorm']

METHODS = {'gcd': _gcd_m, 'gcd_': gcd_, 'lcm': _lcm_m, 'lcm_': lcm_, 'ldexp': _ldexp_m, 'ldexp_': ldexp_,
           'frexp': frexp, 'nextafter': _nextafter_m, 'nextafter_': nextafter_, 'heaviside': _heaviside_m,
           'heaviside_': heaviside_, 'fmax': _fmax_m, 'fmin': _fmin_m, 'renorm': renorm, 'renorm_': renorm_}
