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
from .reduce import _HALF, _F32, half_in_float32, half_backward_in_float32
from .arith_support import number_arg as _number_arg

_PY_NUM = (int, float)

_SQRT_2_PI = math.sqrt(2 / math.pi)
_SQRT1_2 = math.sqrt(0.5)
_GELU_BETA = 2 / math.sqrt(math.pi) * _SQRT1_2 * 0.5      # 1 / sqrt(2 pi)


def _float(a):
    return _to_float(a)


class _Act(Op):
    """``fn`` forward; the gradient ``grad(g, x)``, or for piecewise-linear ops the recorded gradient node
    ``step`` (PyTorch's *BackwardBackward0, so create_graph reaches x) with the forward's options ``kw``.
    float16/bfloat16 compute in float32 and round once, forward and backward (as PyTorch's kernels)."""
    saves = (0,)
    step = None
    dt = None       # a float16/bfloat16 input's dtype

    def forward(self, a, **kw):
        self.__dict__.update(kw)
        self.kw = kw
        if a.dtype in _HALF:
            self.dt = a.dtype
            if 'lambd' in kw:        # PyTorch's shrink gradients compare with lambd in the input's dtype
                self.kw = dict(kw, lambd=float(a.dtype.type(kw['lambd'])))
            return self.fn(a.astype(_F32)).astype(a.dtype)
        return self.fn(_float(a))

    @half_backward_in_float32
    def backward(self, g, x):
        if self.step is None:
            return self.grad(g, x)
        return apply(self.step, g, x, **self.kw)


def _act(name, fn, grad, step=None):
    return type(name, (_Act,), {'fn': fn, 'grad': grad, 'step': step, '__module__': __name__})


def _where(c, a, b):
    from .compare import where
    return where(c, a, b)


def _elu(a, alpha, scale, input_scale):
    """PyTorch's ELU kernel: x * scale above 0, else expm1(x * input_scale) * (alpha * scale), its
    coefficients in a's precision."""
    t = a.dtype.type
    with np.errstate(over='ignore'):
        return np.where(a > 0, a * t(scale), np.expm1(a * t(input_scale)) * (t(alpha) * t(scale)))


def _elu_grad(g, x, alpha, scale, input_scale):
    """PyTorch's elu_backward on the input: g * input_scale * (alpha * scale) * exp(x * input_scale) at
    or below 0, else g * scale."""
    t = np.float64 if x._data.dtype == np.float64 else np.float32
    neg = float(t(alpha) * t(scale))
    return _where(x > 0, g * scale, g * input_scale * neg * (x * input_scale).exp())


LeakyReluBackward0 = _act('LeakyReluBackward0',
                          lambda self, a: np.where(a > 0, a, a * a.dtype.type(self.negative_slope)),
                          None, step=_u.LeakyReluBackwardBackward0)
EluBackward0 = _act('EluBackward0', lambda self, a: _elu(a, self.alpha, self.scale, self.input_scale),
                    lambda self, g, x: _elu_grad(g, x, self.alpha, self.scale, self.input_scale))
CeluBackward0 = _act('CeluBackward0', lambda self, a: _elu(a, self.alpha, 1.0, 1.0 / self.alpha),
                     lambda self, g, x: _elu_grad(g, x, self.alpha, 1.0, 1.0 / self.alpha))
SiluBackward0 = _act('SiluBackward0', lambda self, a: _silu(a),
                     lambda self, g, x: _silu_grad(g, x))
MishBackward0 = _act('MishBackward0', lambda self, a: a * np.tanh(np.log1p(np.exp(a))),
                     lambda self, g, x: _mish_grad(g, x))
HardtanhBackward0 = _act('HardtanhBackward0', lambda self, a: np.clip(a, self.min_val, self.max_val), None,
                         step=_u.HardtanhBackwardBackward0)
HardswishBackward0 = _act('HardswishBackward0', lambda self, a: a * np.clip(a + 3, 0, 6) / 6, None,
                          step=_u.HardswishBackwardBackward0)
HardsigmoidBackward0 = _act('HardsigmoidBackward0', lambda self, a: (np.clip(a + 3, 0, 6) / 6).astype(a.dtype),
                            None, step=_u.HardsigmoidBackwardGrad)
LogSigmoidBackward0 = _act('LogSigmoidBackward0', lambda self, a: -np.logaddexp(0, -a).astype(a.dtype),
                           lambda self, g, x: _logsigmoid_grad(g, x, self.dt))
SoftshrinkBackward0 = _act('SoftshrinkBackward0',
                           lambda self, a: np.where(a > self.lambd, a - self.lambd,
                                                    np.where(a < -self.lambd, a + self.lambd, 0)).astype(a.dtype),
                           None, step=_u.SoftshrinkBackwardBackward0)
HardshrinkBackward0 = _act('HardshrinkBackward0', lambda self, a: np.where(np.abs(a) > self.kw['lambd'], a, 0).astype(a.dtype),
                           None, step=_u.HardshrinkBackwardBackward0)


def _silu(a):
    """PyTorch's SiLU kernel: x / (1 + exp(-x)) (not x * sigmoid(x): one rounding fewer), 16-bit floats
    in float32."""
    if a.dtype in _HALF:
        f = a.astype(np.float32)
        return (f / (1 + np.exp(-f))).astype(a.dtype)
    return a / (1 + np.exp(-a))


def _silu_grad(g, x):
    s = x.sigmoid()
    return g * s * (1 + x * (1 - s))


def _mish_grad(g, x):
    t = x.exp().log1p().tanh()
    return g * (t + x * x.sigmoid() * (1 - t * t))


def _logsigmoid_grad(g, x, dt):
    """PyTorch's log_sigmoid_backward: (1 if x < 0 else 0) - sign * z / (1 + z), z = exp(-|x|) as kept
    by the forward (in x's dtype)."""
    z = (-x.abs()).exp()
    if dt is not None:
        z = z.to(_dtype._FROM_NP[dt]).float()
    r = z / (z + 1)
    return g * _where(x < 0, 1 - r, r)


class GeluBackward0(Op):
    """gelu, in PyTorch's kernel order: x * 0.5 * (1 + erf(x / sqrt 2)), or with tanh."""
    saves = (0,)

    @half_in_float32
    def forward(self, a, approximate='none'):
        self.approximate = approximate
        a = _float(a)
        t = a.dtype.type
        if approximate == 'tanh':
            inner = t(_SQRT_2_PI) * (a + t(0.044715) * (a * a * a))
            return (t(0.5) * a * (1 + np.tanh(inner))).astype(a.dtype, copy=False)
        from .special_fns import erf_kernel
        return (a * t(0.5) * (1 + erf_kernel(a * t(_SQRT1_2)))).astype(a.dtype, copy=False)

    @half_backward_in_float32
    def backward(self, g, x):
        if self.approximate == 'tanh':
            x2 = x * x
            t = ((x + x2 * x * 0.044715) * _SQRT_2_PI).tanh()
            left = x * 0.5
            right = left * (1 - t * t) * ((1 + x2 * (3 * 0.044715)) * _SQRT_2_PI)
            return g * ((1 + t) * 0.5 + right)
        cdf = ((x * _SQRT1_2).erf() + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _GELU_BETA
        return g * (cdf + x * pdf)


class SoftplusBackward0(Op):
    saves = (0,)

    @half_in_float32
    def forward(self, a, beta=1.0, threshold=20.0):
        self.beta, self.threshold = beta, threshold
        a = _float(a)
        z = a * beta
        return np.where(z > threshold, a, np.logaddexp(0, z) / beta).astype(a.dtype, copy=False)

    @half_backward_in_float32
    def backward(self, g, x):
        z = (x * self.beta).exp()          # PyTorch's softplus_backward: g * z / (z + 1) below the threshold
        return _where(x * self.beta > self.threshold, g, g * z / (z + 1))


class ThresholdBackward0(Op):
    saves = (0,)

    def forward(self, a, threshold, value):
        self.threshold = threshold
        return np.where(a > threshold, a, a.dtype.type(value) if a.dtype.kind != 'b' else value)

    def backward(self, g):
        x, = self.saved_tensors
        return apply(_u.ThresholdBackwardBackward0, g, x, threshold=self.threshold)


# in-place forms that PyTorch differentiates through the output ------------------------

class LeakyReluBackward1(Op):
    saves_output = True

    @half_in_float32
    def forward(self, a, negative_slope):
        self.negative_slope = negative_slope
        return np.where(a > 0, a, a * a.dtype.type(negative_slope))

    @half_backward_in_float32
    def backward(self, g, out):
        if self.negative_slope < 0:     # the output alone cannot tell which inputs were negative
            raise RuntimeError('In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope')  # noqa: E501
        return apply(_u.LeakyReluBackwardBackward0, g, out, negative_slope=self.negative_slope)


class EluBackward1(Op):
    saves_output = True

    @half_in_float32
    def forward(self, a, alpha, scale, input_scale):
        self.alpha, self.scale, self.input_scale = alpha, scale, input_scale
        return _elu(a, alpha, scale, input_scale)

    @half_backward_in_float32
    def backward(self, g, out):       # PyTorch: g * input_scale * (out + alpha * scale) at or below 0
        if self.alpha < 0:            # the output alone cannot tell which inputs were negative
            raise RuntimeError('In-place elu backward calculation is triggered with a negative slope which is not '
                               'supported. This is caused by calling in-place forward function with a negative '
                               'slope, please call out-of-place version instead.')
        t = np.float64 if out._data.dtype == np.float64 else np.float32
        return _where(out > 0, g * self.scale, g * self.input_scale * (out + float(t(self.alpha) * t(self.scale))))


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
    if min_val.__class__ not in _PY_NUM or max_val.__class__ not in _PY_NUM:     # a 0-dim tensor, ...
        name = 'hardtanh_' if inplace else 'hardtanh'
        min_val, max_val = _number_arg(min_val, name, 'min_val', 2), _number_arg(max_val, name, 'max_val', 3)
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


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if _amp.state.on and _amp.fp32('softmin', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(softmin, input, dim, _stacklevel, dtype=dtype)
    from .nn_ops import softmax, _softmax_dim
    if dim is None:
        dim = _softmax_dim(input.ndim, 'softmin', _stacklevel)
    return softmax(-input, dim, _stacklevel, dtype)


from .prelu import prelu, PreluKernelBackward0, PreluKernelBackwardBackward0, glu, GluBackward0  # noqa: E402,F401
