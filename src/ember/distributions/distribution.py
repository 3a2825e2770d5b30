"""The Distribution base class (shapes, validation, repr) and ExponentialFamily."""
import warnings

import ember
from . import constraints
from .utils import broadcast_all, lazy_property

__all__ = ['Distribution', 'ExponentialFamily']


class Distribution:
    """Base class of probability distributions.

    ``batch_shape``: the shape over which parameters are batched; ``event_shape``: the shape
    of one sample. With ``validate_args`` on (the default, as Python's ``assert``) parameters
    are checked against ``arg_constraints`` when built and values against ``support`` when
    scored, raising ValueError."""
    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value):
        """Turn argument validation on or off for every distribution built afterwards."""
        if value not in [True, False]:
            raise ValueError
        Distribution._validate_args = value

    def __init__(self, batch_shape=ember.Size(), event_shape=ember.Size(), validate_args=None):
        self._batch_shape = batch_shape
        self._event_shape = event_shape
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(f'{self.__class__} does not define `arg_constraints`. Please set '
                              '`arg_constraints = {}` or initialize the distribution with '
                              '`validate_args=False` to turn off validation.', stacklevel=2)
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue
                if param not in self.__dict__ and isinstance(getattr(type(self), param), lazy_property):
                    continue                # not built yet: checking would build it
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(f'Expected parameter {param} ({type(value).__name__} of shape '
                                     f'{tuple(value.shape)}) of distribution {self!r} to satisfy the '
                                     f'constraint {constraint!r}, but found invalid values:\n{value}')
        super().__init__()

    def expand(self, batch_shape, _instance=None):
        """A new distribution whose parameters are expanded (not copied) to ``batch_shape``."""
        raise NotImplementedError

    def _expand_to(self, cls, batch_shape, _instance=None, expand=(), share=(), extra=()):
        """The body of most ``expand`` methods: a new ``cls`` (or ``_instance``) with the
        attributes named in ``expand`` that ``self`` holds expanded to ``batch_shape + extra``
        (tensors and sub-distributions alike), those in ``share`` shared as they are, and
        ``self``'s event shape and validation setting."""
        new = self._get_checked_instance(cls, _instance)
        batch_shape = ember.Size(batch_shape)
        shape = ember.Size(tuple(batch_shape) + tuple(extra))
        for name in expand:
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(shape))
        for name in share:
            setattr(new, name, getattr(self, name))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _check(self, value):
        """Validate ``value`` as a sample (see ``_validate_sample``) when validation is on."""
        if self._validate_args:
            self._validate_sample(value)

    @property
    def batch_shape(self):
        return self._batch_shape

    @property
    def event_shape(self):
        return self._event_shape

    @property
    def arg_constraints(self):
        raise NotImplementedError

    @property
    def support(self):
        raise NotImplementedError

    @property
    def mean(self):
        raise NotImplementedError

    @property
    def mode(self):
        raise NotImplementedError(f'{self.__class__} does not implement mode')

    @property
    def variance(self):
        raise NotImplementedError

    @property
    def stddev(self):
        return self.variance.sqrt()

    def sample(self, sample_shape=ember.Size()):
        """A sample of shape ``sample_shape + batch_shape + event_shape`` (no gradient)."""
        with ember.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape=ember.Size()):
        """A reparameterised sample: gradients flow back to the parameters."""
        raise NotImplementedError

    def sample_n(self, n):
        warnings.warn('`sample_n(n)` will be deprecated. Use `sample((n,))` instead.', FutureWarning,
                      stacklevel=2)
        return self.sample(ember.Size((n,)))

    def log_prob(self, value):
        raise NotImplementedError

    def cdf(self, value):
        raise NotImplementedError

    def icdf(self, value):
        raise NotImplementedError

    def enumerate_support(self, expand=True):
        raise NotImplementedError

    def entropy(self):
        raise NotImplementedError

    def perplexity(self):
        return ember.exp(self.entropy())

    def _extended_shape(self, sample_shape=ember.Size()):
        if not isinstance(sample_shape, ember.Size):
            sample_shape = ember.Size(sample_shape)
        return ember.Size(tuple(sample_shape) + tuple(self._batch_shape) + tuple(self._event_shape))

    def _validate_sample(self, value):
        """ValueError unless ``value`` is a tensor shaped to broadcast with the batch and event
        shapes and lying in the support."""
        if not isinstance(value, ember.Tensor):
            raise ValueError('The value argument to log_prob must be a Tensor')
        start = len(value.size()) - len(self._event_shape)
        if value.size()[start:] != self._event_shape:
            raise ValueError('The right-most size of value must match event_shape: '
                             f'{value.size()} vs {self._event_shape}.')
        actual = value.size()
        expected = ember.Size(tuple(self._batch_shape) + tuple(self._event_shape))
        for i, j in zip(reversed(actual), reversed(expected)):
            if i != 1 and j != 1 and i != j:
                raise ValueError('Value is not broadcastable with batch_shape+event_shape: '
                                 f'{actual} vs {expected}.')
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(f'{self.__class__} does not define `support` to enable sample validation. '
                          'Please initialize the distribution with `validate_args=False` to turn off '
                          'validation.', stacklevel=2)
            return
        if not bool(support.check(value).all()):
            raise ValueError(f'Expected value argument ({type(value).__name__} of shape '
                             f'{tuple(value.shape)}) to be within the support ({support!r}) of the '
                             f'distribution {self!r}, but found invalid values:\n{value}')

    def _get_checked_instance(self, cls, _instance=None):
        if _instance is None and type(self).__init__ != cls.__init__:
            raise NotImplementedError(f'Subclass {self.__class__.__name__} of {cls.__name__} that defines '
                                      'a custom __init__ method must also define a custom .expand() method.')
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self):
        names = [k for k in self.arg_constraints if k in self.__dict__]
        parts = []
        for p in names:
            v = self.__dict__[p]
            parts.append(f'{p}: {v if v.numel() == 1 else v.size()}')
        return f"{type(self).__name__}({', '.join(parts)})"


class _Broadcast(Distribution):
    """A distribution whose tensor parameters, named in ``_params``, are broadcast together
    (numbers becoming tensors); its batch shape is theirs. The public class that sets
    ``_params`` is the one ``expand`` builds."""
    _params = ()

    def __init__(self, *values, validate_args=None):
        for name, value in zip(self._params, broadcast_all(*values)):
            setattr(self, name, value)
        super().__init__(getattr(self, self._params[0]).size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        family = next(c for c in type(self).__mro__ if '_params' in c.__dict__)   # Normal, Gamma, ...
        return self._expand_to(family, batch_shape, _instance, expand=self._params)


class ExponentialFamily(Distribution):
    """Distributions of the exponential family: entropy (and KL between two of the same type)
    follow from the log-normaliser of the natural parameters, through autograd."""

    @property
    def _natural_params(self):
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def entropy(self):
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg = self._log_normalizer(*nparams)
        grads = ember.autograd.grad(lg.sum(), nparams, create_graph=True)
        result = result + lg
        for p, g in zip(nparams, grads):
            result = result - (p * g).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result
