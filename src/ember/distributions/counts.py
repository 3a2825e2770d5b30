"""Count distributions: Poisson and Binomial (log-probabilities use ember.lgamma)."""
import numpy as np

import ember
from . import constraints
from .distribution import Distribution, ExponentialFamily, _Broadcast
from .discrete import Bernoulli, _enumerate
from .kl import register_infinite_kl, register_kl
from .probs_logits import ProbsLogits
from .utils import broadcast_all
from .._tensor import Tensor
from ..ops import cpu_samplers
from ..ops.random import _src

__all__ = ['Poisson', 'Binomial']


class Poisson(_Broadcast, ExponentialFamily):
    """The number of events at ``rate`` events per unit time."""
    arg_constraints = {'rate': constraints.nonnegative}
    support = constraints.nonnegative_integer
    _params = ('rate',)

    def __init__(self, rate, validate_args=None):
        super().__init__(rate, validate_args=validate_args)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return ember.poisson(self.rate.expand(shape))

    def log_prob(self, value):
        self._check(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - ember.lgamma(value + 1)

    @property
    def _natural_params(self):
        return (ember.log(self.rate),)

    def _log_normalizer(self, x):
        return ember.exp(x)


def _clamp_by_zero(x):
    """max(x, 0) with gradient 1/2 at 0 (as PyTorch)."""
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


def _binomial_draws(n, p):
    """Binomial draws with counts ``n`` and probabilities ``p`` (tensors of one shape)."""
    rng = _src(None, p)
    nd, pd = n._data, p._data
    if type(pd) is np.ndarray:          # PyTorch's CPU sampler, on its stream
        out = cpu_samplers.binomial(rng, nd.astype(pd.dtype), pd)
    else:
        out = rng._draw('binomial', nd.astype(np.int64), pd.astype(np.float64))
    return Tensor._make(out.astype(pd.dtype).reshape(pd.shape))


class Binomial(ProbsLogits, Distribution):
    """The number of successes in ``total_count`` trials each succeeding with ``probs``."""
    arg_constraints = {'total_count': constraints.nonnegative_integer, 'probs': constraints.unit_interval,
                       'logits': constraints.real}
    has_enumerate_support = True

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        self._set_param(probs, logits, total_count)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Binomial, batch_shape, _instance, expand=('total_count',))

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self):
        return self.total_count * self.probs

    @property
    def mode(self):
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            return _binomial_draws(self.total_count.expand(shape).contiguous(),
                                   self.probs.expand(shape).contiguous())

    def log_prob(self, value):
        self._check(value)
        n, lg = self.total_count, self.logits
        log_fact_n = ember.lgamma(n + 1)
        log_fact_k = ember.lgamma(value + 1)
        log_fact_nmk = ember.lgamma(n - value + 1)
        norm = n * _clamp_by_zero(lg) + n * ember.log1p(ember.exp(-ember.abs(lg))) - log_fact_n
        return value * lg - log_fact_k - log_fact_nmk - norm

    def _homogeneous(self, what):
        n = int(self.total_count.max())
        if not self.total_count.min() == n:
            raise NotImplementedError(f'Inhomogeneous total count not supported by `{what}`.')
        return n

    def entropy(self):
        self._homogeneous('entropy')
        lp = self.log_prob(self.enumerate_support(False))
        return -(ember.exp(lp) * lp).sum(0)

    def enumerate_support(self, expand=True):
        n = self._homogeneous('enumerate_support')
        values = ember.arange(1 + n, dtype=self._param.dtype, device=self._param.device)
        return _enumerate(values, self._batch_shape, expand)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p, q):
    return p.rate * (p.rate.log() - q.rate.log()) - (p.rate - q.rate)


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p, q):
    if (p.total_count < q.total_count).any():
        raise NotImplementedError('KL between Binomials where q.total_count > p.total_count is not implemented')
    kl = p.total_count * (p.probs * (p.logits - q.logits) + (-p.probs).log1p() - (-q.probs).log1p())
    return ember.where(p.total_count > q.total_count, float('inf'), kl)


@register_kl(Bernoulli, Poisson)
def _kl_bernoulli_poisson(p, q):
    return -p.entropy() - (p.probs * q.rate.log() - q.rate)


register_infinite_kl(Poisson, 'rate', Bernoulli, Binomial)
