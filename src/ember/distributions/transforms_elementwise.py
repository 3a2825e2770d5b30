"""Elementwise and vector-to-simplex transforms (re-exported by transforms.py): exp, sigmoid,
softplus, tanh, abs, power, affine, softmax and stick breaking."""
import math
import numbers

import ember
from . import constraints
from .transforms import Transform, _Parameterless, _softplus
from .utils import broadcast_all, lazy_property

__all__ = ['ExpTransform', 'SigmoidTransform', 'SoftplusTransform', 'TanhTransform', 'AbsTransform',
           'PowerTransform', 'AffineTransform', 'SoftmaxTransform', 'StickBreakingTransform']


class _Elementwise(_Parameterless):
    """A parameter-free increasing elementwise bijection."""
    bijective = True
    sign = +1


class ExpTransform(_Elementwise):
    """y = exp(x)."""
    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        return x


def _clipped_sigmoid(x):
    fi = ember.finfo(x.dtype)
    return ember.clamp(ember.sigmoid(x), min=fi.tiny, max=1.0 - fi.eps)


class SigmoidTransform(_Elementwise):
    """y = sigmoid(x), kept strictly inside (0, 1)."""
    domain = constraints.real
    codomain = constraints.unit_interval

    def _call(self, x):
        return _clipped_sigmoid(x)

    def _inverse(self, y):
        fi = ember.finfo(y.dtype)
        y = y.clamp(min=fi.tiny, max=1.0 - fi.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        return -_softplus(-x) - _softplus(x)


class SoftplusTransform(_Elementwise):
    """y = log(1 + exp(x))."""
    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return _softplus(x)

    def _inverse(self, y):
        return (-y).expm1().neg().log() + y

    def log_abs_det_jacobian(self, x, y):
        return -_softplus(-x)


class TanhTransform(_Elementwise):
    """y = tanh(x); the log-det is written with softplus for stability."""
    domain = constraints.real
    codomain = constraints.interval(-1.0, 1.0)

    def _call(self, x):
        return x.tanh()

    def _inverse(self, y):
        return ember.atanh(y)

    def log_abs_det_jacobian(self, x, y):
        return 2.0 * (math.log(2.0) - x - _softplus(-2.0 * x))


class AbsTransform(_Parameterless):
    """y = |x| (not bijective: the inverse picks the non-negative root)."""
    domain = constraints.real
    codomain = constraints.positive

    def _call(self, x):
        return x.abs()

    def _inverse(self, y):
        return y


class PowerTransform(Transform):
    """y = x ** exponent on the positive reals."""
    domain = constraints.positive
    codomain = constraints.positive
    bijective = True
    _args = ('exponent',)

    def __init__(self, exponent, cache_size=0):
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    @lazy_property
    def sign(self):
        return self.exponent.sign()

    def __eq__(self, other):
        return isinstance(other, PowerTransform) and self.exponent.eq(other.exponent).all().item()

    __hash__ = object.__hash__

    def _call(self, x):
        return x.pow(self.exponent)

    def _inverse(self, y):
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x, y):
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape):
        return ember.broadcast_shapes(shape, getattr(self.exponent, 'shape', ()))

    inverse_shape = forward_shape


def _same(a, b):
    if isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return a == b
    return bool((a == b).all().item())


class AffineTransform(Transform):
    """y = loc + scale * x, with ``event_dim`` rightmost dims counted as one event."""
    bijective = True
    _args = ('loc', 'scale', 'event_dim')

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.loc, self.scale = loc, scale
        self._event_dim = event_dim

    @property
    def event_dim(self):
        return self._event_dim

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.independent(constraints.real, self.event_dim) if self.event_dim else constraints.real

    codomain = domain

    def __eq__(self, other):
        return isinstance(other, AffineTransform) and _same(self.loc, other.loc) and _same(self.scale, other.scale)

    __hash__ = object.__hash__

    @property
    def sign(self):
        if isinstance(self.scale, numbers.Number):
            s = float(self.scale)
            return 1 if s > 0 else -1 if s < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        shape = tuple(x.shape)
        if isinstance(self.scale, numbers.Number):
            result = ember.full_like(x, math.log(abs(self.scale)))
        else:
            result = self.scale.abs().log()
        if self.event_dim:
            result = result.reshape(tuple(result.shape[:-self.event_dim]) + (-1,)).sum(-1)
            shape = shape[:-self.event_dim]
        return result.expand(shape)

    def forward_shape(self, shape):
        return ember.broadcast_shapes(shape, getattr(self.loc, 'shape', ()), getattr(self.scale, 'shape', ()))

    inverse_shape = forward_shape


def _needs_vector(shape):
    if len(shape) < 1:
        raise ValueError('Too few dimensions on input')


class SoftmaxTransform(_Parameterless):
    """Unconstrained vectors to the simplex by softmax (not bijective; the inverse is log)."""
    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        e = (x - x.max(-1, True)[0]).exp()
        return e / e.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        _needs_vector(shape)
        return shape

    inverse_shape = forward_shape


def _stick_offset(x, k):
    """log of (k, k-1, ..., 1): the shifts that make x = 0 map to the simplex centre."""
    return (k + 1 - x.new_ones(k).cumsum(-1)).log()


class StickBreakingTransform(_Parameterless):
    """R^(K-1) to the K-simplex by stick breaking: a bijection (see biject_to(simplex))."""
    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def _call(self, x):
        pad = ember.nn.functional.pad
        z = _clipped_sigmoid(x - _stick_offset(x, x.shape[-1]))
        rest = (1 - z).cumprod(-1)
        return pad(z, [0, 1], value=1) * pad(rest, [1, 0], value=1)

    def _inverse(self, y):
        head = y[..., :-1]
        k = head.shape[-1]
        offset = (y.shape[-1] - y.new_ones(k).cumsum(-1)).log()
        left = ember.clamp(1 - head.cumsum(-1), min=ember.finfo(y.dtype).tiny)
        return head.log() - left.log() + offset

    def log_abs_det_jacobian(self, x, y):
        x = x - _stick_offset(x, x.shape[-1])
        return (-x + ember.nn.functional.logsigmoid(x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        _needs_vector(shape)
        return ember.Size(tuple(shape[:-1]) + (shape[-1] + 1,))

    def inverse_shape(self, shape):
        _needs_vector(shape)
        return ember.Size(tuple(shape[:-1]) + (shape[-1] - 1,))
