"""Activation functions beyond relu/sigmoid/tanh: one small op each (PyTorch's node names),
forward on arrays, backward in ember ops (so double backward works).

In-place forms that PyTorch computes from the output (leaky_relu_, elu_, threshold_) are
the *Backward1 nodes: they keep the result, not the overwritten input."""
import math

import numpy as np

from .. import _dtype
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply, apply_inplace
from . import unary as _u
from .unary import _to_float, _sigmoid

_SQRT_2_PI = math.sqrt(2 / math.pi)


def _float(a):
    return _to_float(a)


class _Act(Op):
    """``fn`` forward; the gradient g * grad(x), or for piecewise-linear ops the recorded gradient node
    ``step`` (PyTorch's *BackwardBackward0, so create_graph reaches x) with the forward's options ``kw``."""
    saves = (0,)
    step = None

    def forward(self, a, **kw):
        self.__dict__.update(kw)
        self.kw = kw
        return self.fn(_float(a))

    def backward(self, g):
        x, = self.saved_tensors
        if self.step is None:
            return g * self.grad(x)
        return apply(self.step, g, x, **self.kw)


def _act(name, fn, grad, step=None):
    return type(name, (_Act,), {'fn': fn, 'grad': grad, 'step': step, '__module__': __name__})


def _where(c, a, b):
    from .compare import where
    return where(c, a, b)


LeakyReluBackward0 = _act('LeakyReluBackward0',
                          lambda self, a: np.where(a > 0, a, a * a.dtype.type(self.negative_slope)),
                          None, step=_u.LeakyReluBackwardBackward0)
EluBackward0 = _act('EluBackward0',
                    lambda self, a: (np.where(a > 0, a * self.scale, np.expm1(a * self.input_scale) * self.alpha
                                              * self.scale)).astype(a.dtype, copy=False),
                    lambda self, x: _where(x > 0, self.scale,
                                           (x * self.input_scale).exp() * (self.alpha * self.scale * self.input_scale)))
CeluBackward0 = _act('CeluBackward0',
                     lambda self, a: np.where(a > 0, a, np.expm1(a / self.alpha) * self.alpha).astype(a.dtype,
                                                                                                      copy=False),
                     lambda self, x: _where(x > 0, 1.0, (x / self.alpha).exp()))
SiluBackward0 = _act('SiluBackward0', lambda self, a: a * _sigmoid(a),
                     lambda self, x: x.sigmoid() * (1 + x * (1 - x.sigmoid())))
MishBackward0 = _act('MishBackward0', lambda self, a: a * np.tanh(np.logaddexp(0, a)),
                     lambda self, x: _mish_grad(x))
HardtanhBackward0 = _act('HardtanhBackward0', lambda self, a: np.clip(a, self.min_val, self.max_val), None,
                         step=_u.HardtanhBackwardBackward0)
HardswishBackward0 = _act('HardswishBackward0', lambda self, a: a * np.clip(a + 3, 0, 6) / 6, None,
                          step=_u.HardswishBackwardBackward0)
HardsigmoidBackward0 = _act('HardsigmoidBackward0', lambda self, a: np.clip(a / 6 + 0.5, 0, 1).astype(a.dtype),
                            None, step=_u.HardsigmoidBackwardGrad)
LogSigmoidBackward0 = _act('LogSigmoidBackward0', lambda self, a: -np.logaddexp(0, -a).astype(a.dtype),
                           lambda self, x: (-x).sigmoid())
SoftshrinkBackward0 = _act('SoftshrinkBackward0',
                           lambda self, a: np.where(a > self.lambd, a - self.lambd,
                                                    np.where(a < -self.lambd, a + self.lambd, 0)).astype(a.dtype),
                           None, step=_u.SoftshrinkBackwardBackward0)
HardshrinkBackward0 = _act('HardshrinkBackward0', lambda self, a: np.where(np.abs(a) > self.lambd, a, 0).astype(a.dtype),
                           None, step=_u.HardshrinkBackwardBackward0)


def _mish_grad(x):
    sp = x.exp().log1p()
    t = sp.tanh()
    return t + x * x.sigmoid() * (1 - t * t)


class GeluBackward0(Op):
    saves = (0,)

    def forward(self, a, approximate='none'):
        self.approximate = approximate
        a = _float(a)
        if approximate == 'tanh':
            return (0.5 * a * (1 + np.tanh(_SQRT_2_PI * (a + 0.044715 * a ** 3)))).astype(a.dtype, copy=False)
        from .special_fns import erf_kernel
        return (0.5 * a * (1 + erf_kernel(a / math.sqrt(2)))).astype(a.dtype, copy=False)

    def backward(self, g):
        x, = self.saved_tensors
        if self.approximate == 'tanh':
            inner = (x + x ** 3 * 0.044715) * _SQRT_2_PI
            t = inner.tanh()
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + x * x * (3 * 0.044715)))
        cdf = 0.5 * (1 + (x / math.sqrt(2)).erf())
        pdf = (x * x * -0.5).exp() / math.sqrt(2 * math.pi)
        return g * (cdf + x * pdf)


class SoftplusBackward0(Op):
    saves = (0,)

    def forward(self, a, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold
        a = _float(a)
        z = a * beta
        return np.where(z > threshold, a, np.logaddexp(0, z) / beta).astype(a.dtype, copy=False)

    def backward(self, g):
        x, = self.saved_tensors
        z = x * self.beta
        return g * _where(z > self.threshold, 1.0, z.sigmoid())


class ThresholdBackward0(Op):
    saves = (0,)

    def forward(self, a, threshold, value):
        self.threshold = threshold
        return np.where(a > threshold, a, a.dtype.type(value) if a.dtype.kind != 'b' else value)

    def backward(self, g):
        x, = self.saved_tensors
        return apply(_u.ThresholdBackwardBackward0, g, x, threshold=self.threshold)


class GluBackward0(Op):
    saves = (0,)

    def forward(self, a, dim=-1):
        from .shape import wrap_dim
        self.dim = d = wrap_dim(dim, a.ndim)
        if a.shape[d] % 2:
            raise RuntimeError(f'Halving dimension must be even, but dimension {d} is size {a.shape[d]}')
        x1, x2 = np.split(a, 2, axis=d)
        return x1 * _sigmoid(x2)

    def backward(self, g):
        x, = self.saved_tensors
        x1, x2 = x.chunk(2, self.dim)
        s = x2.sigmoid()
        from .join import cat
        return cat([g * s, g * x1 * s * (1 - s)], self.dim)


# in-place forms that PyTorch differentiates through the output ------------------------

class LeakyReluBackward1(Op):
    saves_output = True

    def forward(self, a, negative_slope):
        self.negative_slope = negative_slope
        return np.where(a > 0, a, a * a.dtype.type(negative_slope))

    def backward(self, g):
        if self.negative_slope < 0:     # the output alone cannot tell which inputs were negative
            raise RuntimeError('In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope')  # noqa: E501
        out, = self.saved_tensors
        return apply(_u.LeakyReluBackwardBackward0, g, out, negative_slope=self.negative_slope)


class EluBackward1(Op):
    saves_output = True

    def forward(self, a, alpha, scale, input_scale):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        return np.where(a > 0, a * scale, np.expm1(a * input_scale) * alpha * scale).astype(a.dtype, copy=False)

    def backward(self, g):
        out, = self.saved_tensors
        return g * _where(out > 0, self.scale, (out + self.alpha * self.scale) * self.input_scale)


class ThresholdBackward1(ThresholdBackward0):
    """threshold_: the gradient passes where the *input* was above the threshold (a copy kept)."""


# ------------------------------------------------------------------ functional API

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _float_only(input, 'leaky_relu_cpu')
    if inplace:
        return apply_inplace(LeakyReluBackward1, input, negative_slope=negative_slope)
    return apply(LeakyReluBackward0, input, negative_slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    _elu_input(input)
    if inplace:
        return apply_inplace(EluBackward1, input, alpha=alpha, scale=1.0, input_scale=1.0)
    return apply(EluBackward0, input, alpha=alpha, scale=1.0, input_scale=1.0)


def _float_only(input, kernel):
    """PyTorch's error for an activation whose kernel has no integer or bool version."""
    if not input.dtype.is_floating_point:
        from .._tensor import _scalar_name
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(input.dtype)}\'')


def _real_only(input, kernel):
    from .arith import refuse_complex
    refuse_complex(input, kernel)


def _elu_input(input):
    _float_only(input, 'elu_cpu')


def selu(input, inplace=False):
    _elu_input(input)
    if inplace:
        return apply_inplace(EluBackward1, input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)
    return apply(EluBackward0, input, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


# celu_: ELU with input scale 1/alpha, differentiated through its output (as elu_)
CeluBackward1 = type('CeluBackward1', (EluBackward1,), {'__module__': __name__})


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError('ZeroDivisionError: alpha cannot be 0 for CELU')
    _elu_input(input)
    if inplace:
        return apply_inplace(CeluBackward1, input, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)
    return apply(CeluBackward0, input, alpha=alpha)


def gelu(input, approximate='none'):
    if not isinstance(approximate, str):
        raise TypeError(f"gelu(): argument 'approximate' must be str, not {type(approximate).__name__}")
    if approximate not in ('none', 'tanh'):
        raise RuntimeError('approximate argument must be either none or tanh.')
    _float_only(input, 'GeluKernelImpl')
    return apply(GeluBackward0, input, approximate=approximate)


def silu(input, inplace=False):
    if input.is_complex():          # computed, but PyTorch has no complex derivative for it
        from ..autograd.grad_mode import is_grad_enabled
        if is_grad_enabled() and input.requires_grad:
            raise RuntimeError('silu does not support automatic differentiation for outputs with complex dtype.')
    else:
        _float_only(input, 'silu_cpu')
    return (apply_inplace if inplace else apply)(SiluBackward0, input)


def mish(input, inplace=False):
    _float_only(input, 'mish_cpu')
    return (apply_inplace if inplace else apply)(MishBackward0, input)


def softplus(input, beta=1.0, threshold=20.0):
    if _amp.state.on and _amp.fp32('softplus', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(softplus, input, beta, threshold)
    _float_only(input, 'softplus_cpu')
    return apply(SoftplusBackward0, input, beta=beta, threshold=threshold)


def _int_hardtanh(input, min_val, max_val, inplace):
    """hardtanh of an integer tensor stays integer, its limits truncated (as PyTorch)."""
    kind = input._data.dtype.kind
    if kind == 'b':
        raise RuntimeError('Bool inputs not supported for hardtanh')
    if kind == 'u' and min_val < 0:
        raise RuntimeError('cannot do hardtanh on an unsigned type with negative limits')
    return (input.clamp_ if inplace else input.clamp)(int(min_val), int(max_val))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:                       # F.hardtanh's check (hardtanh_ has none: _hardtanh)
        raise ValueError('min_val cannot be greater than max_val')
    return _hardtanh(input, min_val, max_val, inplace)


def _hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if not input.dtype.is_floating_point:
        return _int_hardtanh(input, min_val, max_val, inplace)
    return (apply_inplace if inplace else apply)(HardtanhBackward0, input, min_val=min_val, max_val=max_val)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def hardswish(input, inplace=False):
    _float_only(input, 'hardswish_cpu')
    return (apply_inplace if inplace else apply)(HardswishBackward0, input)


def hardsigmoid(input, inplace=False):
    _float_only(input, 'hardsigmoid_cpu')
    return (apply_inplace if inplace else apply)(HardsigmoidBackward0, input)


def logsigmoid(input):
    _float_only(input, 'log_sigmoid_cpu')
    return apply(LogSigmoidBackward0, input)


def softsign(input):
    return input / (input.abs() + 1)


def tanhshrink(input):
    return input - input.tanh()


def softshrink(input, lambd=0.5):
    _float_only(input, 'softshrink_check')
    top = float(_dtype.finfo(input.dtype).max)
    if not 0 <= lambd <= top:
        from .._tensor import _scalar_name
        raise RuntimeError(f'lambda must be in range [0, {top:g}] for input dtype {_scalar_name(input.dtype)}, '
                           f'but found {lambd:g}')
    return apply(SoftshrinkBackward0, input, lambd=lambd)


def hardshrink(input, lambd=0.5):
    _float_only(input, 'hardshrink_cpu')
    return apply(HardshrinkBackward0, input, lambd=lambd)


def threshold(input, threshold, value, inplace=False):
    _real_only(input, 'threshold_cpu')
    if inplace:
        return apply_inplace(ThresholdBackward1, input, threshold=threshold, value=value)
    return apply(ThresholdBackward0, input, threshold=threshold, value=value)


def glu(input, dim=-1):
    if input.ndim == 0:
        raise RuntimeError('glu does not support scalars because halving size must be even')
    _float_only(input, 'glu_cpu')
    return apply(GluBackward0, input, dim=dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if _amp.state.on and _amp.fp32('softmin', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(softmin, input, dim, _stacklevel, dtype=dtype)
    from .nn_ops import softmax, _softmax_dim
    if dim is None:
        dim = _softmax_dim(input.ndim, 'softmin')
    return softmax(-input, dim, _stacklevel, dtype)


from .prelu import prelu, PreluKernelBackward0, PreluKernelBackwardBackward0  # noqa: E402,F401
