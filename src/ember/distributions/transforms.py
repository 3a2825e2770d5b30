"""Transforms: invertible maps with a computable log |det Jacobian|, used by
TransformedDistribution and by biject_to/transform_to (constraint_registry).

A transform knows its ``domain`` and ``codomain`` (constraints), whether it is ``bijective``,
the ``sign`` of its derivative (univariate ones), and how it changes shapes. ``t.inv`` is the
inverse transform; ``cache_size=1`` remembers the last (x, y) pair so that ``t.inv(t(x))`` gives
back ``x`` itself. Reprs are PyTorch's (``ExpTransform()``, ``AffineTransform()``, ...). This
file holds the base classes and composition; the elementwise transforms live in
transforms_elementwise.py, the matrix, cat and stack ones in transforms_extra.py (both
re-exported here)."""
import ember
from . import constraints
from .utils import _sum_rightmost, forwarded, lazy_property

__all__ = ['AbsTransform', 'AffineTransform', 'CatTransform', 'ComposeTransform', 'CorrCholeskyTransform',
           'CumulativeDistributionTransform', 'ExpTransform', 'IndependentTransform', 'LowerCholeskyTransform',
           'PositiveDefiniteTransform', 'PowerTransform', 'ReshapeTransform', 'SigmoidTransform',
           'SoftplusTransform', 'TanhTransform', 'SoftmaxTransform', 'StackTransform', 'StickBreakingTransform',
           'Transform', 'identity_transform']


def _softplus(x):
    return ember.nn.functional.softplus(x)


class Transform:
    """Base class. Subclasses define ``_call`` and/or ``_inverse``; bijective ones also
    ``log_abs_det_jacobian(x, y)``."""
    bijective = False
    _args = None        # the __init__ arguments (attribute names) that with_cache passes again

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError('cache_size must be 0 or 1')
        self._cache_size = cache_size
        self._inv = None
        if cache_size == 1:
            self._cached_x_y = None, None
        super().__init__()

    def __getstate__(self):
        state = dict(self.__dict__)
        state['_inv'] = None
        return state

    @property
    def event_dim(self):
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError('Please use either .domain.event_dim or .codomain.event_dim')

    @property
    def inv(self):
        """The inverse transform (``t.inv.inv is t``)."""
        if self._inv is None:
            self._inv = _InverseTransform(self)
        return self._inv

    @property
    def sign(self):
        raise NotImplementedError

    def with_cache(self, cache_size=1):
        if self._cache_size == cache_size:
            return self
        if type(self).__init__ is Transform.__init__:
            return type(self)(cache_size=cache_size)
        if self._args is not None:
            cls = next(c for c in type(self).__mro__ if '_args' in c.__dict__)    # the class that names them
            return cls(*(getattr(self, a) for a in self._args), cache_size=cache_size)
        raise NotImplementedError(f'{type(self)}.with_cache is not implemented')

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x):
        return self._through_cache(x, self._call, 0)

    def _inv_call(self, y):
        return self._through_cache(y, self._inverse, 1)

    def _through_cache(self, value, fn, side):
        """``fn(value)``, or the other half of the cached (x, y) pair when ``value`` is its
        ``side`` (0: x, 1: y); with cache_size=1 the new pair is remembered."""
        if self._cache_size == 0:
            return fn(value)
        pair = self._cached_x_y
        if value is pair[side]:
            return pair[1 - side]
        result = fn(value)
        self._cached_x_y = (value, result) if side == 0 else (result, value)
        return result

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        raise NotImplementedError

    def __repr__(self):
        return type(self).__name__ + '()'

    def forward_shape(self, shape):
        return shape

    def inverse_shape(self, shape):
        return shape


class _Parameterless(Transform):
    """A transform with no parameters: equal to any other instance of its class."""

    def __eq__(self, other):
        return isinstance(other, type(self))

    __hash__ = object.__hash__


class _InverseTransform(Transform):
    """The inverse of a transform (build it with ``t.inv``)."""

    def __init__(self, transform):
        super().__init__(cache_size=transform._cache_size)
        self._inv = transform

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return self._inv.codomain

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return self._inv.domain

    bijective = forwarded('_inv.bijective')
    sign = forwarded('_inv.sign')

    @property
    def inv(self):
        return self._inv

    def with_cache(self, cache_size=1):
        return self.inv.with_cache(cache_size).inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __repr__(self):
        return f'{type(self).__name__}({self._inv!r})'

    def __call__(self, x):
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        return -self._inv.log_abs_det_jacobian(y, x)

    def forward_shape(self, shape):
        return self._inv.inverse_shape(shape)

    def inverse_shape(self, shape):
        return self._inv.forward_shape(shape)


class ComposeTransform(Transform):
    """The transforms ``parts`` applied one after the other (each does its own caching)."""
    _args = ('parts',)

    def __init__(self, parts, cache_size=0):
        if cache_size:
            parts = [p.with_cache(cache_size) for p in parts]
        super().__init__(cache_size=cache_size)
        self.parts = parts

    def __eq__(self, other):
        return isinstance(other, ComposeTransform) and self.parts == other.parts

    __hash__ = object.__hash__

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        if not self.parts:
            return constraints.real
        first = self.parts[0].domain
        ev = self.parts[-1].codomain.event_dim          # walk back to the event dim at the input
        for p in reversed(self.parts):
            ev = max(ev + p.domain.event_dim - p.codomain.event_dim, p.domain.event_dim)
        return constraints.independent(first, ev - first.event_dim) if ev > first.event_dim else first

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        if not self.parts:
            return constraints.real
        last = self.parts[-1].codomain
        ev = self.parts[0].domain.event_dim
        for p in self.parts:
            ev = max(ev + p.codomain.event_dim - p.domain.event_dim, p.codomain.event_dim)
        return constraints.independent(last, ev - last.event_dim) if ev > last.event_dim else last

    @lazy_property
    def bijective(self):
        return all(p.bijective for p in self.parts)

    @lazy_property
    def sign(self):
        s = 1
        for p in self.parts:
            s = s * p.sign
        return s

    @property
    def inv(self):
        if self._inv is None:
            inv = ComposeTransform([p.inv for p in reversed(self.parts)])
            inv._inv = self
            self._inv = inv
        return self._inv

    def __call__(self, x):
        for p in self.parts:
            x = p(x)
        return x

    def log_abs_det_jacobian(self, x, y):
        if not self.parts:
            return ember.zeros_like(x)
        values = [x]
        for p in self.parts[:-1]:
            values.append(p(values[-1]))
        values.append(y)
        total = None
        ev = self.domain.event_dim
        for p, xi, yi in zip(self.parts, values[:-1], values[1:]):
            term = _sum_rightmost(p.log_abs_det_jacobian(xi, yi), ev - p.domain.event_dim)
            total = term if total is None else total + term
            ev += p.codomain.event_dim - p.domain.event_dim
        return total

    def forward_shape(self, shape):
        for p in self.parts:
            shape = p.forward_shape(shape)
        return shape

    def inverse_shape(self, shape):
        for p in reversed(self.parts):
            shape = p.inverse_shape(shape)
        return shape

    def __repr__(self):
        inner = ',\n    '.join(repr(p) for p in self.parts)
        return f'{type(self).__name__}(\n    {inner}\n)'


identity_transform = ComposeTransform([])


class IndependentTransform(Transform):
    """``base_transform`` with ``reinterpreted_batch_ndims`` more rightmost dims counted as one
    event: only the log-det is affected (summed over them)."""
    _args = ('base_transform', 'reinterpreted_batch_ndims')

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    bijective = forwarded('base_transform.bijective')
    sign = forwarded('base_transform.sign')

    def _call(self, x):
        if x.dim() < self.domain.event_dim:
            raise ValueError('Too few dimensions on input')
        return self.base_transform(x)

    def _inverse(self, y):
        if y.dim() < self.codomain.event_dim:
            raise ValueError('Too few dimensions on input')
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y), self.reinterpreted_batch_ndims)

    def __repr__(self):
        return f'{type(self).__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})'

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)


from .transforms_elementwise import (AbsTransform, AffineTransform, ExpTransform, PowerTransform,  # noqa: E402
                                     SigmoidTransform, SoftmaxTransform, SoftplusTransform, StickBreakingTransform,
                                     TanhTransform)
from .transforms_extra import (CatTransform, CorrCholeskyTransform, CumulativeDistributionTransform,  # noqa: E402
                               LowerCholeskyTransform, PositiveDefiniteTransform, ReshapeTransform,
                               StackTransform)
