"""Distributions over categories: Bernoulli, Categorical, OneHotCategorical."""
import ember
from . import constraints
from .distribution import Distribution, ExponentialFamily
from .probs_logits import ProbsLogits, probs_or_logits
from .utils import broadcast_all, forwarded

__all__ = ['Bernoulli', 'Categorical', 'OneHotCategorical']


def _bce_logits(logits, target):
    return ember.nn.functional.binary_cross_entropy_with_logits(logits, target, reduction='none')


def _enumerate(values, batch_shape, expand):
    values = values.view((-1,) + (1,) * len(batch_shape))
    return values.expand((-1,) + tuple(batch_shape)) if expand else values


class Bernoulli(ProbsLogits, ExponentialFamily):
    """1 with probability ``probs`` (or ``sigmoid(logits)``), else 0."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.boolean
    has_enumerate_support = True
    _mean_carrier_measure = 0

    def __init__(self, probs=None, logits=None, validate_args=None):
        self._set_param(probs, logits)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Bernoulli, batch_shape, _instance)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        m = (self.probs >= 0.5).to(self.probs)
        return ember.where(self.probs == 0.5, float('nan'), m)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.bernoulli(self.probs.expand(shape).contiguous())      # drawn in C order, as PyTorch

    def log_prob(self, value):
        self._check(value)
        logits, value = broadcast_all(self.logits, value)
        return -_bce_logits(logits, value)

    def entropy(self):
        return _bce_logits(self.logits, self.probs)

    def enumerate_support(self, expand=True):
        values = ember.arange(2, dtype=self._param.dtype, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand)

    @property
    def _natural_params(self):
        return (ember.logit(self.probs),)

    def _log_normalizer(self, x):
        return ember.log1p(ember.exp(x))


class Categorical(ProbsLogits, Distribution):
    """One of ``K`` categories (the last dim of ``probs``/``logits``), drawn as an index.
    ``probs`` need not sum to one (they are normalised); ``logits`` are unnormalised
    log-probabilities."""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.independent(constraints.real, 1)}
    has_enumerate_support = True
    _binary = False

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, given = probs_or_logits(probs, logits)
        if given.dim() < 1:
            raise ValueError(f'`{name}` parameter must be at least one-dimensional.')
        if probs is not None:
            self.probs = probs / probs.sum(-1, keepdim=True)
        else:
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
        self._param = getattr(self, name)
        self._num_events = self._param.size()[-1]
        batch = self._param.size()[:-1] if self._param.ndimension() > 1 else ember.Size()
        super().__init__(batch, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Categorical, batch_shape, _instance, share=('_num_events',),
                                   extra=(self._num_events,))

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    def _nan(self):
        return ember.full(self._extended_shape(), float('nan'), dtype=self.probs.dtype, device=self.probs.device)

    @property
    def mean(self):
        return self._nan()

    @property
    def mode(self):
        return self.probs.argmax(dim=-1)

    @property
    def variance(self):
        return self._nan()

    def sample(self, sample_shape=ember.Size()):
        if not isinstance(sample_shape, ember.Size):
            sample_shape = ember.Size(sample_shape)
        with ember.no_grad():
            rows = self.probs.reshape(-1, self._num_events)
            draws = ember.multinomial(rows, sample_shape.numel(), True).T
        return draws.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value):
        self._check(value)
        idx = value.long().unsqueeze(-1)
        idx, log_pmf = ember.broadcast_tensors(idx, self.logits)
        return log_pmf.gather(-1, idx[..., :1]).squeeze(-1)

    def entropy(self):
        logits = ember.clamp(self.logits, min=ember.finfo(self.logits.dtype).min)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand=True):
        values = ember.arange(self._num_events, dtype=ember.long, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand)


class _ViaCategorical:
    """Mixin for distributions built on a Categorical ``self._categorical`` whose categories
    (the last dim of probs/logits) make the event: its probs, logits and parameter shape."""
    probs = forwarded('_categorical.probs')
    logits = forwarded('_categorical.logits')
    param_shape = forwarded('_categorical.param_shape')

    def _new(self, *args, **kwargs):
        return self._categorical._new(*args, **kwargs)

    def _wrap_categorical(self, probs, logits):
        """Build ``self._categorical``; returns the batch and event shapes."""
        self._categorical = Categorical(probs=probs, logits=logits)
        return self._categorical.batch_shape, self._categorical.param_shape[-1:]


class OneHotCategorical(_ViaCategorical, Distribution):
    """A Categorical whose samples are one-hot vectors of length ``K`` (the event)."""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.independent(constraints.real, 1)}
    support = constraints.one_hot
    has_enumerate_support = True
    _param = forwarded('_categorical._param')
    mean = forwarded('_categorical.probs')

    def __init__(self, probs=None, logits=None, validate_args=None):
        super().__init__(*self._wrap_categorical(probs, logits), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_to(OneHotCategorical, batch_shape, _instance, expand=('_categorical',))

    @property
    def mode(self):
        probs = self._categorical.probs
        idx = probs.argmax(dim=-1)
        return ember.nn.functional.one_hot(idx, num_classes=probs.shape[-1]).to(probs)

    @property
    def variance(self):
        p = self._categorical.probs
        return p * (1 - p)

    def sample(self, sample_shape=ember.Size()):
        sample_shape = ember.Size(sample_shape)
        probs = self._categorical.probs
        n = self.event_shape[0]
        idx = self._categorical.sample(sample_shape)
        return ember.nn.functional.one_hot(idx, n).to(probs)

    def log_prob(self, value):
        self._check(value)
        return self._categorical.log_prob(value.max(-1)[1])

    def entropy(self):
        return self._categorical.entropy()

    def enumerate_support(self, expand=True):
        n = self.event_shape[0]
        values = ember.eye(n, dtype=self._param.dtype, device=self._param.device)
        values = values.view((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values
