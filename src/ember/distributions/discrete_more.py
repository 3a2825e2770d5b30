"""More count distributions: Geometric, NegativeBinomial, Multinomial."""
import math

import ember
from . import constraints
from .counts import Binomial
from .discrete import _ViaCategorical
from .distribution import Distribution
from .gamma_family import Gamma
from .probs_logits import LazyProbsLogits, ProbsLogits, probs_or_logits
from .utils import broadcast_all, lazy_property

__all__ = ['Geometric', 'NegativeBinomial', 'Multinomial']


def _logsigmoid(x):
    return ember.nn.functional.logsigmoid(x)


class Geometric(LazyProbsLogits, Distribution):
    """The number of failures before the first success in Bernoulli(``probs``) trials."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args=None):
        name, given = probs_or_logits(probs, logits)
        (value,) = broadcast_all(given)
        setattr(self, name, value)
        super().__init__(value.size(), validate_args=validate_args)
        if self._validate_args and probs is not None:
            ok = self.probs > 0
            if not bool(ok.all()):
                raise ValueError(f'Expected parameter probs ({type(self.probs).__name__} of shape '
                                 f'{tuple(self.probs.shape)}) of distribution {self!r} to be positive but '
                                 f'found invalid values:\n{self.probs.detach()[~ok]}')

    def expand(self, batch_shape, _instance=None):
        return self._expand_to(Geometric, batch_shape, _instance, expand=('probs', 'logits'))

    @property
    def mean(self):
        return 1.0 / self.probs - 1.0

    @property
    def mode(self):
        return ember.zeros_like(self.probs)

    @property
    def variance(self):
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            u = self.probs.new_empty(shape).uniform_(ember.finfo(self.probs.dtype).tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        self._check(value)
        value, probs = broadcast_all(value, self.probs)
        probs = ember.where((probs == 1) & (value == 0), 0.0, probs)     # 0 * log(0) counts as 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        bce = ember.nn.functional.binary_cross_entropy_with_logits(self.logits, self.probs, reduction='none')
        return bce / self.probs


class NegativeBinomial(ProbsLogits, Distribution):
    """The number of successes before ``total_count`` failures, each trial succeeding with ``probs``."""
    arg_constraints = {'total_count': constraints.greater_than_eq(0),
                       'probs': constraints.half_open_interval(0.0, 1.0), 'logits': constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args=None):
        self._set_param(probs, logits, total_count)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(NegativeBinomial, batch_shape, _instance, expand=('total_count',))

    @property
    def mean(self):
        return self.total_count * ember.exp(self.logits)

    @property
    def mode(self):
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self):
        return self.mean / ember.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self):
        return Gamma(concentration=self.total_count, rate=ember.exp(-self.logits), validate_args=False)

    def sample(self, sample_shape=ember.Size()):
        with ember.no_grad():
            return ember.poisson(self._gamma.sample(sample_shape=sample_shape))

    def log_prob(self, value):
        self._check(value)
        n, lg = self.total_count, self.logits
        unnormalised = n * _logsigmoid(-lg) + value * _logsigmoid(lg)
        norm = -ember.lgamma(n + value) + ember.lgamma(1.0 + value) + ember.lgamma(n)
        norm = norm.masked_fill(n + value == 0.0, 0.0)
        return unnormalised - norm


class Multinomial(_ViaCategorical, Distribution):
    """Counts of each of ``K`` categories in ``total_count`` Categorical draws."""
    arg_constraints = {'probs': constraints.simplex, 'logits': constraints.real_vector}

    def __init__(self, total_count=1, probs=None, logits=None, validate_args=None):
        if not isinstance(total_count, int):
            raise NotImplementedError('inhomogeneous total_count is not supported')
        self.total_count = total_count
        batch, event = self._wrap_categorical(probs, logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        super().__init__(batch, event, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_to(Multinomial, batch_shape, _instance, expand=('_categorical',), share=('total_count',))

    @constraints.dependent_property(is_discrete=True, event_dim=1)
    def support(self):
        return constraints.multinomial(self.total_count)

    @property
    def mean(self):
        return self.probs * self.total_count

    @property
    def variance(self):
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape=ember.Size()):
        sample_shape = ember.Size(sample_shape)
        draws = self._categorical.sample(ember.Size((self.total_count,) + tuple(sample_shape)))
        draws = draws.permute(*range(1, draws.dim()), 0)          # trials last
        counts = ember.zeros(self._extended_shape(sample_shape), dtype=draws.dtype, device=draws.device)
        counts.scatter_add_(-1, draws, ember.ones_like(draws))
        return counts.type_as(self.probs)

    def entropy(self):
        n = ember.tensor(self.total_count)
        term1 = n * self._categorical.entropy() - ember.lgamma(n + 1)
        k = self._binomial.enumerate_support(expand=False)[1:]
        binomial_probs = ember.exp(self._binomial.log_prob(k))
        term2 = (binomial_probs * ember.lgamma(k + 1)).sum([0, -1])
        return term1 + term2

    def log_prob(self, value):
        self._check(value)
        logits, value = broadcast_all(self.logits, value)
        logits = ember.where((value == 0) & (logits == -math.inf), 0.0, logits)
        return ember.lgamma(value.sum(-1) + 1) - ember.lgamma(value + 1).sum(-1) + (logits * value).sum(-1)
