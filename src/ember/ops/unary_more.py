"""More elementwise functions of one tensor: exp2, the rest of trigonometry and its hyperbolic
and inverse forms, degree/radian conversion, sinc, logit, rounding (floor, ceil, trunc, frac,
round), sgn, signbit and positive.

Ops are table entries built with ``unary._define`` (a ufunc forward, a Tensor-op backward);
float16/bfloat16 inputs are computed in float32 and rounded once, as PyTorch does on the CPU."""
import math

import numpy as np

from .. import _dtype
from .._tensor import _scalar_name
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply, apply_inplace
from ._promote import as_array, xp
from .unary import Unary, _define, _sign, _to_float, no_complex
from .argcheck import bad_input, need_tensor

_BF16 = _dtype.bfloat16.np
_LOWP = (np.dtype(np.float16), np.dtype(_BF16))
_NAN = float('nan')


def lowp(fn):
    """Wrap a float kernel so half/bfloat16 arrays are computed in float32 and cast back."""
    def run(a, *args):
        if a.dtype in _LOWP:
            return as_array(fn(a.astype(np.float32), *args)).astype(a.dtype)
        return fn(a, *args)
    run.__name__ = getattr(fn, '__name__', 'kernel')
    return run


def to_out(name, out, r, exact=False):
    """Write result ``r`` into ``out=`` as PyTorch does, with its checks on grad and dtype."""
    from .arith import _check_out
    return _check_out(out, r, name, exact)


def _function(cls, name, exact=False, inplace_cls=None, alias=None):
    """The ``ember.<name>`` function (with ``out=``) and the in-place method of op ``cls``
    (``inplace_cls``: the in-place form has its own node name in PyTorch; ``alias``: another name of
    the op, reported in the parser's errors)."""
    shown = alias or name

    def f(input, *, out=None):
        if _amp.state.on and _amp.fp32(name, input):  # autocast hook (ember.amp)
            return _amp.call_fp32(f, input, out=out)
        try:
            r = apply(cls, input)
        except NotImplementedError:             # a sparse tensor: ember.sparse's form of the op
            from ..sparse._unary import dense_fallback
            return dense_fallback(name, input)
        except AttributeError:                  # not a tensor (a list, a float): the parser's TypeError
            bad_input(shown, (input,))
        return r if out is None else to_out(name, out, r, exact)

    def f_(self):
        try:
            return apply_inplace(inplace_cls or cls, self)
        except NotImplementedError:
            from ..sparse._unary import dense_fallback
            return dense_fallback(name, self, inplace=True)
        except AttributeError:
            bad_input(shown + '_', (self,))
    f.__name__, f_.__name__ = shown, shown + '_'
    return f, f_


def _type_name(a):
    """PyTorch's name of an array's dtype in kernel errors: Long, Bool, ..."""
    return _scalar_name(_dtype._FROM_NP[a.dtype])


def _zeros(g, x, out):
    """Gradient of a piecewise-constant function."""
    from .creation import zeros_like
    return zeros_like(g)


# ------------------------------------------------------------------ exp2, trigonometry, hyperbolic

_LN2 = math.log(2.0)
_D2R = math.pi / 180.0
_R2D = 180.0 / math.pi


def _deg2rad(a):
    no_complex(a, 'deg2rad is not supported for complex tensors.', RuntimeError)
    return np.multiply(a, _D2R)


def _rad2deg(a):
    no_complex(a, 'rad2deg is not supported for complex tensors.', RuntimeError)
    return np.multiply(a, _R2D)


def _sinc(a):
    p = a * math.pi
    with np.errstate(all='ignore'):
        r = np.sin(p) / p
    return xp(a).where(a == 0, a.dtype.type(1), r)


def _sinc_grad(g, x, out):
    from .compare import where
    px = x * math.pi
    d = (px.cos() * px - px.sin()) / (px * x)
    return g * where(x == 0, 0.0, d)


Exp2Backward0 = _define('Exp2Backward0', lowp(np.exp2), lambda g, x, o: g * o * _LN2, saves=(),
                        saves_output=True)
TanBackward0 = _define('TanBackward0', lowp(np.tan), lambda g, x, o: g * (1 + o * o), saves=(),
                       saves_output=True)
AsinBackward0 = _define('AsinBackward0', lowp(np.arcsin), lambda g, x, o: g * (1 - x * x).rsqrt())
AcosBackward0 = _define('AcosBackward0', lowp(np.arccos), lambda g, x, o: -g * (1 - x * x).rsqrt())
AtanBackward0 = _define('AtanBackward0', lowp(np.arctan), lambda g, x, o: g / (x * x + 1))
SinhBackward0 = _define('SinhBackward0', lowp(np.sinh), lambda g, x, o: g * x.cosh())
CoshBackward0 = _define('CoshBackward0', lowp(np.cosh), lambda g, x, o: g * x.sinh())
AsinhBackward0 = _define('AsinhBackward0', lowp(np.arcsinh), lambda g, x, o: g * (x * x + 1).rsqrt())
AcoshBackward0 = _define('AcoshBackward0', lowp(np.arccosh), lambda g, x, o: g * (x * x - 1).rsqrt())
AtanhBackward0 = _define('AtanhBackward0', lowp(np.arctanh), lambda g, x, o: g / (1 - x * x))
Deg2RadBackward0 = _define('Deg2RadBackward0', lowp(_deg2rad), lambda g, x, o: g * _D2R, saves=())
Rad2DegBackward0 = _define('Rad2DegBackward0', lowp(_rad2deg), lambda g, x, o: g * _R2D, saves=())
SincBackward0 = _define('SincBackward0', lowp(_sinc), _sinc_grad)



def _no_inplace_grad(cls, name):
    """PyTorch records the in-place asinh_/acosh_/atanh_ under their own node, which has no
    derivative: backward through it raises."""
    def backward(self, g):
        raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not implemented.")
    return type(cls.__name__[:-1] + '1', (cls,), {'backward': backward, '__module__': __name__})


AsinhBackward1 = _no_inplace_grad(AsinhBackward0, 'asinh')
AcoshBackward1 = _no_inplace_grad(AcoshBackward0, 'acosh')
AtanhBackward1 = _no_inplace_grad(AtanhBackward0, 'atanh')

exp2, exp2_ = _function(Exp2Backward0, 'exp2')
tan, tan_ = _function(TanBackward0, 'tan')
asin, asin_ = _function(AsinBackward0, 'asin')
acos, acos_ = _function(AcosBackward0, 'acos')
atan, atan_ = _function(AtanBackward0, 'atan')
sinh, sinh_ = _function(SinhBackward0, 'sinh')
cosh, cosh_ = _function(CoshBackward0, 'cosh')
asinh, asinh_ = _function(AsinhBackward0, 'asinh', inplace_cls=AsinhBackward1)
acosh, acosh_ = _function(AcoshBackward0, 'acosh', inplace_cls=AcoshBackward1)
atanh, atanh_ = _function(AtanhBackward0, 'atanh', inplace_cls=AtanhBackward1)
deg2rad, deg2rad_ = _function(Deg2RadBackward0, 'deg2rad')
rad2deg, rad2deg_ = _function(Rad2DegBackward0, 'rad2deg')
sinc, sinc_ = _function(SincBackward0, 'sinc')
arcsin, arcsin_ = _function(AsinBackward0, 'asin', alias='arcsin')
arccos, arccos_ = _function(AcosBackward0, 'acos', alias='arccos')
arctan, arctan_ = _function(AtanBackward0, 'atan', alias='arctan')
arcsinh, arcsinh_ = _function(AsinhBackward0, 'asinh', inplace_cls=AsinhBackward1, alias='arcsinh')
arccosh, arccosh_ = _function(AcoshBackward0, 'acosh', inplace_cls=AcoshBackward1, alias='arccosh')
arctanh, arctanh_ = _function(AtanhBackward0, 'atanh', inplace_cls=AtanhBackward1, alias='arctanh')


# ------------------------------------------------------------------ logit

class LogitBackward0(Op):
    """log(x / (1 - x)); with ``eps`` the input is first clamped to [eps, 1 - eps]."""
    saves = (0,)

    def forward(self, a, eps=None):
        a = _to_float(a)
        no_complex(a, f'"logit_cpu" not implemented for \'{_type_name(a)}\'')
        self.bounds = None
        if eps is not None:
            kind = a.dtype.type
            lo = kind(eps)                      # PyTorch clamps with bounds in the input's dtype
            self.bounds = (float(lo), float(kind(1.0 - float(lo))))
        return _logit(a, self.bounds)

    def backward(self, g):
        from .compare import where
        x, = self.saved_tensors
        d = g / (x * (1 - x))
        if self.bounds is None:           # outside [0, 1] the derivative is undefined
            return where((x < 0) | (x > 1), _NAN, d)
        lo, hi = self.bounds              # the clamped region is flat
        return where((x < lo) | (x > hi), 0.0, d)


@lowp
def _logit(a, bounds):
    if bounds is not None:
        a = xp(a).clip(a, a.dtype.type(bounds[0]), a.dtype.type(bounds[1]))
    return as_array(np.log(a / (1 - a)))


def logit(input, eps=None, *, out=None):
    try:
        r = apply(LogitBackward0, input, eps=eps)
        return r if out is None else to_out('logit', out, r)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('logit', (input,))


def logit_(self, eps=None):
    try:
        return apply_inplace(LogitBackward0, self, eps=eps)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('logit_', (self,), None, 'input')


# ------------------------------------------------------------------ rounding

class _Rounding(Unary):
    """floor/ceil/trunc/round: integers are returned unchanged, bool is refused."""
    kernel = ''

    def forward(self, a):
        if a.dtype.kind == 'c':
            name = self.kernel.split('_')[0]
            no_complex(a, f'{name} is not supported for complex inputs' if name != 'round' else
                       f'"round_vml_cpu" not implemented for \'{_type_name(a)}\'')
        if a.dtype.kind == 'b':
            raise NotImplementedError(f'"{self.kernel}" not implemented for \'Bool\'')
        if a.dtype.kind in 'iu':
            return a.copy()
        return as_array(self.ufunc(a))

    def backward(self, g):
        return _zeros(g, None, None)


def _rounding(name, ufunc, kernel):
    return type(name, (_Rounding,), {'ufunc': staticmethod(ufunc), 'kernel': kernel, '__module__': __name__})


FloorBackward0 = _rounding('FloorBackward0', lowp(np.floor), 'floor_vml_cpu')
CeilBackward0 = _rounding('CeilBackward0', lowp(np.ceil), 'ceil_vml_cpu')
TruncBackward0 = _rounding('TruncBackward0', lowp(np.trunc), 'trunc_vml_cpu')
RoundBackward0 = _rounding('RoundBackward0', lowp(np.rint), 'round_vml_cpu')   # half to even


class RoundBackward1(Op):
    """round(x, decimals=d): x scaled by 10**d, rounded half to even, scaled back."""

    def forward(self, a, decimals=0):
        if a.dtype.kind in 'biuc':
            kernel = 'round_vml_cpu' if decimals == 0 else 'round_cpu'
            raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(a)}\'')
        return _round_decimals(a, decimals)

    def backward(self, g):
        return _zeros(g, None, None)


@lowp
def _round_decimals(a, decimals):
    if decimals == 0:
        return as_array(np.rint(a))
    scale = a.dtype.type(np.float64(10.0) ** abs(decimals))     # the scale is held in the input's dtype
    if decimals > 0:
        return as_array(np.rint(a * scale) / scale)
    return as_array(np.rint(a / scale) * scale)


class FracBackward0(Unary):
    """x - trunc(x), for floating types only."""
    float_only = False

    def forward(self, a):
        if a.dtype.kind in 'biuc':
            raise NotImplementedError(f'"frac_cpu" not implemented for \'{_type_name(a)}\'')
        return _frac(a)

    def backward(self, g):
        return g


@lowp
def _frac(a):
    return as_array(a - np.trunc(a))


floor, floor_ = _function(FloorBackward0, 'floor', exact=True)
ceil, ceil_ = _function(CeilBackward0, 'ceil', exact=True)
trunc, trunc_ = _function(TruncBackward0, 'trunc', exact=True)
frac, frac_ = _function(FracBackward0, 'frac', exact=True)
fix, fix_ = _function(TruncBackward0, 'trunc', exact=True, alias='fix')


def round(input, *, decimals=None, out=None):  # noqa: A001
    """Round half to even; ``decimals`` rounds to that many decimal places (negative: tens...)."""
    try:
        try:
            if decimals is None:
                r = apply(RoundBackward0, input)
            else:
                r = apply(RoundBackward1, input, decimals=decimals)
        except NotImplementedError:             # a sparse tensor: ember.sparse's form of the op
            from ..sparse._unary import dense_fallback
            return dense_fallback('round', input, **({} if decimals is None else {'decimals': decimals}))
        return r if out is None else to_out('round', out, r, exact=True)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('round', (input,))


def round_(self, *, decimals=None):
    try:
        if decimals is None:
            return apply_inplace(RoundBackward0, self)
        return apply_inplace(RoundBackward1, self, decimals=decimals)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('round_', (self,), None, 'input')


# ------------------------------------------------------------------ sgn, signbit, positive

def _sgn(a):
    """sign for real inputs; z / |z| (0 at 0) for complex ones."""
    if a.dtype.kind != 'c':
        return _sign(a)
    m = np.abs(a)
    return xp(a).where(m == 0, a.dtype.type(0), a / xp(a).where(m == 0, m.dtype.type(1), m))


def _sgn_grad(g, x, out):
    """Zero for real inputs; for complex ones PyTorch's (g - Re(g conj(s)) s) / |z|, 0 at z = 0."""
    if x._data.dtype.kind != 'c':
        return _zeros(g, x, out)
    from .arith import real_part
    from .compare import where
    m = x.abs()
    d = (g - real_part(g * out.conj()) * out) / where(m == 0, 1.0, m)
    return where(m == 0, 0.0, d)


SgnBackward0 = _define('SgnBackward0', lowp(_sgn), _sgn_grad, saves=(0,), saves_output=True, float_only=False,
                       holomorphic=False)
sgn, sgn_ = _function(SgnBackward0, 'sgn', exact=True)


class Signbit(Op):
    """Whether the sign bit is set (bool result, so never recorded)."""
    differentiable = False

    def forward(self, a):
        no_complex(a, 'signbit is not implemented for complex tensors.')
        if a.dtype.kind == 'b' or a.dtype.kind == 'u':
            return xp(a).zeros(a.shape, np.bool_)
        if a.dtype.kind == 'i':
            return as_array(a < 0)
        if a.dtype in _LOWP:
            a = a.astype(np.float32)
        return as_array(np.signbit(a))


def signbit(input, *, out=None):
    try:
        try:
            r = apply(Signbit, input)
        except NotImplementedError:             # a sparse tensor: ember.sparse's form of the op
            from ..sparse._unary import dense_fallback
            return dense_fallback('signbit', input)
        if out is None:
            return r
        if out.dtype != _dtype.bool_:
            raise RuntimeError('signbit does not support non-boolean outputs.')
        return to_out('signbit', out, r)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('signbit', (input,))


def positive(input):
    """The input itself (bool refused, as for the unary ``+``)."""
    need_tensor('positive', input)
    if input.dtype == _dtype.bool_:
        raise RuntimeError('The `+` operator, on a bool tensor is not supported.')
    return input


_INPLACE = ('exp2', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'asinh', 'acosh', 'atanh', 'arcsin',
            'arccos', 'arctan', 'arcsinh', 'arccosh', 'arctanh', 'deg2rad', 'rad2deg', 'sinc', 'logit',
            'floor', 'ceil', 'trunc', 'fix', 'frac', 'round')
__all__ = list(_INPLACE) + [n + '_' for n in _INPLACE] + ['sgn', 'signbit', 'positive']
METHODS = {n: globals()[n] for n in __all__}
# the methods of the aliases are the ops' own (only the functions' errors name the alias)
METHODS.update({a + s: globals()[c + s] for a, c in (('arcsin', 'asin'), ('arccos', 'acos'), ('arctan', 'atan'),
               ('arcsinh', 'asinh'), ('arccosh', 'acosh'), ('arctanh', 'atanh'), ('fix', 'trunc')) for s in ('', '_')})
METHODS['sgn_'] = sgn_
