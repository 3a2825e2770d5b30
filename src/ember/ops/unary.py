"""Elementwise functions of one tensor: exp, log, sqrt, trig, activations, clamp, ...

Each entry is one small class: a NumPy ufunc forward and a Tensor-op backward."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, NotImplementedNode, apply, apply_inplace
from .argcheck import bad_input, need_tensor
from ._promote import as_array
from ._complex import complex_error as no_complex, CLAMP_COMPLEX
from .clamp import (ClampBackward0, ClampBackward1, ClampMinBackward0, ClampMaxBackward0,  # noqa: F401
                    ClampMinBackward1, ClampMaxBackward1, clamp, clamp_, clamp_min, clamp_max, clip, clip_,
                    check_float_bounds)

_BF16 = _dtype.bfloat16.np
_HALF = (np.dtype(np.float16), _BF16)


def _to_float(a):
    """Integer and bool inputs of float functions compute in the default dtype."""
    if a.dtype.kind in 'fc' or a.dtype == _BF16:
        return a
    return a.astype(_dtype.get_default_dtype().np)


class Unary(Op):
    ufunc = None
    float_only = True      # int inputs give a float result

    def forward(self, a):
        return as_array(self.ufunc(_to_float(a) if self.float_only else a))


def _define(name, ufunc, grad, *, saves=(0,), saves_output=False, float_only=True, holomorphic=True,
            opmath=()):
    """One unary op: ``grad(g, x, out)`` = g * f'(x) in Tensor ops. Complex gradients are g * conj(f'(x)):
    ``grad`` on conjugated x and out (real Taylor coefficients); ``holomorphic=False``: grad does it.
    ``opmath``: PyTorch's backward is one fused kernel computing these dtypes (float16, bfloat16) in
    float32, so their gradients are computed so and rounded once."""
    def backward(self, g, *saved):
        x = saved[0] if saves else None
        out = saved[-1] if saves_output else None
        if holomorphic and (x is not None or out is not None) and (
                x if x is not None else out)._data.dtype.kind == 'c':
            x = None if x is None else x.conj()
            out = None if out is None else out.conj()
        return grad(g, x, out)
    if opmath:
        from .reduce import half_backward_in_float32
        run = half_backward_in_float32(backward, frozenset(opmath))
    else:
        def run(self, g):
            return backward(self, g, *self.saved_tensors)
    cls = type(name, (Unary,), {'ufunc': staticmethod(ufunc), 'backward': run,
                                'saves': saves, 'saves_output': saves_output,
                                'float_only': float_only, '__module__': __name__})
    return cls


def _fn(cls, alias=None):
    """``ember.<name>`` and ``<name>_`` of op ``cls`` (``alias``: another name of the same op, which
    PyTorch's parser reports in its errors: ember.absolute([1.]) names absolute)."""
    name = cls.__name__[:-len('Backward0')].lower()
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
        if out is not None:
            from .arith import _check_out
            return _check_out(out, r, cls.__name__[:-len('Backward0')].lower())
        return r

    def f_(self):
        if cls is AbsBackward0 and self._data.dtype.kind == 'c':
            raise RuntimeError('In-place abs is not supported for complex tensors.')
        try:
            return apply_inplace(cls, self)
        except NotImplementedError:
            from ..sparse._unary import dense_fallback
            return dense_fallback(name, self, inplace=True)
        except AttributeError:                  # ember.exp_([1.]): the parser's TypeError
            bad_input(shown + '_', (self,))
    f.__name__ = f.__qualname__ = shown                 # ember.sin.__name__ == 'sin', as torch.sin's
    f_.__name__ = f_.__qualname__ = shown + '_'
    return f, f_


_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def _keep(g, keep):
    """g where ``keep`` else an exact 0, even for an inf/NaN g (as PyTorch's kernels; g * keep gives NaN
    there, and np.where is ~10x slower on a random mask): g's bits times 0/1."""
    bits = _UINT.get(g.dtype.itemsize) if g.shape == keep.shape and g.dtype.kind in 'fV' else None
    if bits is None:
        return g * keep
    return np.multiply(g.view(bits), keep.view(np.uint8), dtype=bits).view(g.dtype)


class _StepGrad(Op):
    """The first-order gradient of a piecewise-linear op: g times the op's slope at x (input 1). It is
    linear in g and a step function of x, so its own gradient is the same op on gg for g and zeros for x
    (recorded, as PyTorch, so a create_graph gradient reaches x). ``slope(g, x)`` works on arrays."""
    saves = (1,)

    def forward(self, g, x, **kw):
        self.kw = kw
        return self.slope(g, x, **kw)

    def backward(self, gg):
        x, = self.saved_tensors
        gx = None
        if self._next[1][0] is not None:
            from .creation import zeros_like
            gx = zeros_like(x)
        return apply(type(self), gg, x, **self.kw), gx


class ThresholdBackwardBackward0(_StepGrad):
    """g where the input was above ``threshold``; without one, where the saved relu output (or mask) is
    nonzero (a NaN activation lets g through, as in PyTorch)."""

    def forward(self, g, o, threshold=None):
        self.kw = {} if threshold is None else {'threshold': threshold}
        return _keep(g, (o != 0) if threshold is None else ~(o <= threshold))


def _threshold_grad(g, o):
    return apply(ThresholdBackwardBackward0, g, o)


def _step(name, slope):
    return type(name, (_StepGrad,), {'slope': staticmethod(slope), '__module__': __name__})


HardtanhBackwardBackward0 = _step('HardtanhBackwardBackward0',
                                  lambda g, x, min_val, max_val: _keep(g, (x > min_val) & (x < max_val)))
LeakyReluBackwardBackward0 = _step('LeakyReluBackwardBackward0', lambda g, x, negative_slope: np.where(
    x > 0, g, g * g.dtype.type(negative_slope)))
SoftshrinkBackwardBackward0 = _step('SoftshrinkBackwardBackward0', lambda g, x, lambd: _keep(g, np.abs(x) > lambd))
HardshrinkBackwardBackward0 = _step('HardshrinkBackwardBackward0', lambda g, x, lambd: _keep(g, np.abs(x) > lambd))


class HardswishBackwardBackward0(Op):
    """hardswish's gradient: 0 up to -3, g (x / 3 + 1/2) below 3, g from 3 on; its x-slope is g / 3 inside."""
    saves = (0, 1)

    def forward(self, g, x):
        return np.where(x <= -3, 0, np.where(x < 3, g * (x / 3 + 0.5), g)).astype(g.dtype, copy=False)

    def backward(self, gg):
        from .compare import where
        g, x = self.saved_tensors
        gx = where((x > -3) & (x < 3), gg * g / 3, 0.0) if self._next[1][0] is not None else None
        return apply(HardswishBackwardBackward0, gg, x), gx


class HardsigmoidBackwardGrad(NotImplementedNode):
    """hardsigmoid's gradient, g / 6 inside (-3, 3): recorded but, as in PyTorch, not differentiable.
    Like PyTorch's NotImplemented node it lists only the inputs that require grad."""
    aten = 'hardsigmoid_backward'

    def forward(self, g, x):
        return _keep(g / 6, (x > -3) & (x < 3)).astype(g.dtype, copy=False)

    @property
    def next_functions(self):
        return tuple(e for e in self._next if e[0] is not None)


_ROW = 16384
_ZERO_ROWS = {}


def _relu(a):
    """max(0, x) (keeps -0.0, as PyTorch). NumPy's maximum against a scalar takes a slow loop, against
    an array a fast one: large contiguous float arrays are taken as rows of a cached row of zeros."""
    if a.dtype.kind == 'b':
        raise RuntimeError('Boolean inputs not supported for relu')
    no_complex(a, CLAMP_COMPLEX)
    if a.size < 2 * _ROW or type(a) is not np.ndarray or a.dtype not in _FAST or not a.flags.c_contiguous:
        return np.maximum(a.dtype.type(0), a)
    zeros = _ZERO_ROWS.get(a.dtype)
    if zeros is None:
        zeros = _ZERO_ROWS[a.dtype] = np.zeros(_ROW, a.dtype)
    flat = a.reshape(-1)
    out = np.empty_like(flat)
    n = flat.size // _ROW * _ROW
    np.maximum(zeros, flat[:n].reshape(-1, _ROW), out=out[:n].reshape(-1, _ROW))
    np.maximum(zeros[:flat.size - n], flat[n:], out=out[n:])
    return out.reshape(a.shape)


_FAST = (np.dtype(np.float32), np.dtype(np.float64))


def _sigmoid(a):
    if a.dtype in (np.float16, _BF16):
        return (1 / (1 + np.exp(-a.astype(np.float32)))).astype(a.dtype)
    return 1 / (1 + np.exp(-a))


def _rsqrt(a):
    if a.dtype in (np.float16, _BF16):          # computed in float32 and rounded once, as PyTorch
        return (1 / np.sqrt(a.astype(np.float32))).astype(a.dtype)
    return 1 / np.sqrt(a)


def _reciprocal(a):
    if a.dtype.kind == 'c':         # 1 / z as PyTorch: 1/0 is inf+nanj, 1/inf is 0 (np.reciprocal: nan)
        with np.errstate(all='ignore'):
            return np.divide(1, a)
    return np.reciprocal(a)


def _log1p(a):
    if a.dtype.kind != 'c':
        return np.log1p(a)
    # log|1+z| without cancellation near 0 (NumPy's complex log1p is log(1 + z)); a NaN part
    # gives nan+nanj, as PyTorch
    from ._promote import xp
    m = xp(a)
    x, y = a.real, a.imag
    with np.errstate(all='ignore'):
        r = x * (x + 2) + y * y
        small = np.hypot(x, y) < 0.5
        re = m.where(small, m.where(r == 0, x, 0.5 * np.log1p(r)), np.log(np.hypot(x + 1, y)))
        out = m.empty_like(a)
        out.real = re
        out.imag = np.arctan2(y, x + 1)
    bad = np.isnan(x) | np.isnan(y)
    if bad.any():
        out[bad] = complex(np.nan, np.nan)
    return out


def _sign(a):
    no_complex(a, 'Unlike NumPy, ember.sign is not intended to support complex numbers. Please use '
                  'ember.sgn instead.')
    if a.dtype.kind == 'b':
        return a.copy()
    if a.dtype.kind == 'f' or a.dtype == _BF16:
        return np.where(np.isnan(a), a.dtype.type(0), np.sign(a))    # PyTorch: sign(nan) == 0
    return np.sign(a)


def _abs(a):
    if a.dtype.kind == 'b':
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return np.abs(a)


def _abs_grad(g, x, out):
    return g * (x.sgn() if x._data.dtype.kind == 'c' else x.sign())       # complex: g * z / |z|


def _neg(a):
    if a.dtype.kind == 'b':
        raise RuntimeError('Negation, the `-` operator, on a bool tensor is not supported. If you are '
                           'trying to invert a mask, use the `~` or `logical_not()` operator instead.')
    return np.negative(a)


def _zero_grad(g, x, out):
    from .creation import zeros_like
    return zeros_like(g)        # not g * 0: an inf upstream gradient gives 0, as PyTorch


ExpBackward0 = _define('ExpBackward0', np.exp, lambda g, x, o: g * o, saves=(), saves_output=True)
LogBackward0 = _define('LogBackward0', np.log, lambda g, x, o: g / x)
SqrtBackward0 = _define('SqrtBackward0', np.sqrt, lambda g, x, o: g / (o * 2), saves=(), saves_output=True)
RsqrtBackward0 = _define('RsqrtBackward0', _rsqrt, lambda g, x, o: g * -0.5 * o ** 3, saves=(),
                         saves_output=True)
SinBackward0 = _define('SinBackward0', np.sin, lambda g, x, o: g * x.cos())
CosBackward0 = _define('CosBackward0', np.cos, lambda g, x, o: g * -x.sin())
TanhBackward0 = _define('TanhBackward0', np.tanh, lambda g, x, o: g * (1 - o * o), saves=(),
                        saves_output=True, opmath=_HALF)
SigmoidBackward0 = _define('SigmoidBackward0', _sigmoid, lambda g, x, o: g * (1 - o) * o, saves=(),
                           saves_output=True, opmath=(_BF16,))   # float16: computed in float16
ReluBackward0 = _define('ReluBackward0', _relu, lambda g, x, o: _threshold_grad(g, o), saves=(),
                        saves_output=True, float_only=False)
AbsBackward0 = _define('AbsBackward0', _abs, _abs_grad, float_only=False, holomorphic=False)
NegBackward0 = _define('NegBackward0', _neg, lambda g, x, o: -g, saves=(), float_only=False)
ReciprocalBackward0 = _define('ReciprocalBackward0', _reciprocal, lambda g, x, o: g * -(o * o),
                              saves=(), saves_output=True)
SignBackward0 = _define('SignBackward0', _sign, _zero_grad, saves=(), float_only=False, holomorphic=False)
Log2Backward0 = _define('Log2Backward0', np.log2, lambda g, x, o: g / (x * float(np.log(2))))
Log10Backward0 = _define('Log10Backward0', np.log10, lambda g, x, o: g / (x * float(np.log(10))))
Log1pBackward0 = _define('Log1PBackward0', _log1p, lambda g, x, o: g / (x + 1))
Expm1Backward0 = _define('Expm1Backward0', np.expm1, lambda g, x, o: g * (o + 1), saves=(),
                         saves_output=True)
SquareBackward0 = None  # square is pow(x, 2) as in PyTorch

exp, exp_ = _fn(ExpBackward0)
log, log_ = _fn(LogBackward0)
sqrt, sqrt_ = _fn(SqrtBackward0)
rsqrt, rsqrt_ = _fn(RsqrtBackward0)
sin, sin_ = _fn(SinBackward0)
cos, cos_ = _fn(CosBackward0)
tanh, tanh_ = _fn(TanhBackward0)
sigmoid, sigmoid_ = _fn(SigmoidBackward0)
relu, relu_ = _fn(ReluBackward0)
abs, abs_ = _fn(AbsBackward0)
neg, neg_ = _fn(NegBackward0)
reciprocal, reciprocal_ = _fn(ReciprocalBackward0)
sign, sign_ = _fn(SignBackward0)
log2, log2_ = _fn(Log2Backward0)
log10, log10_ = _fn(Log10Backward0)
log1p, log1p_ = _fn(Log1pBackward0)
expm1, expm1_ = _fn(Expm1Backward0)
negative, _ = _fn(NegBackward0, 'negative')
absolute, _ = _fn(AbsBackward0, 'absolute')


def square(input):
    if input.__class__ is not Tensor:           # ``**`` would take a NumPy array: the parser's TypeError
        need_tensor('square', input)
    return input ** 2
