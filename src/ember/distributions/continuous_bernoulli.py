"""ContinuousBernoulli (Loaiza-Ganem and Cunningham, 2019): the density on [0, 1] proportional to
p^x (1 - p)^(1 - x), and its KL pairs.

Its normaliser, mean and variance are 0/0 at p = 1/2; inside ``lims`` (default (0.499, 0.501))
they are replaced by their Taylor expansions around 1/2, and the closed forms are evaluated at a
cut-off value of p there, so that neither branch produces NaN (nor NaN gradients).
"""
import math
import numbers

import ember
from . import constraints
from .continuous import Exponential, Laplace, Normal, Uniform
from .distribution import ExponentialFamily
from .gamma_family import Beta, Gamma
from .kl import register_infinite_kl, register_kl
from .probs_logits import LazyProbsLogits, probs_or_logits
from .transformed import Gumbel, Pareto
from .utils import broadcast_all, clamp_probs, lazy_property, logits_to_probs

__all__ = ['ContinuousBernoulli']

_LOG_2 = math.log(2.0)


class ContinuousBernoulli(LazyProbsLogits, ExponentialFamily):
    """The continuous Bernoulli distribution on [0, 1], with parameter ``probs`` in (0, 1) or
    ``logits`` (its log-odds); these are not the probability of an event as for Bernoulli."""
    arg_constraints = {'probs': constraints.unit_interval, 'logits': constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(self, probs=None, logits=None, lims=(0.499, 0.501), validate_args=None):
        name, given = probs_or_logits(probs, logits)
        value, = broadcast_all(given)
        if name == 'probs':
            if validate_args is not None and not bool(self.arg_constraints['probs'].check(value).all()):
                raise ValueError('The parameter probs has invalid values')
            value = clamp_probs(value)
        setattr(self, name, value)
        self._param = value
        self._lims = lims
        batch_shape = ember.Size() if isinstance(given, numbers.Number) else value.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_to(ContinuousBernoulli, batch_shape, _instance, expand=('probs', 'logits'),
                              share=('_lims',))
        new._param = new.logits if 'logits' in self.__dict__ else new.probs
        return new

    @lazy_property
    def probs(self):
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self):
        return self._param.size()

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    # ---- the two regimes: closed forms away from 1/2, Taylor expansions near it

    def _outside_unstable_region(self):
        return (self.probs <= self._lims[0]) | (self.probs > self._lims[1])

    def _cut_probs(self):
        """probs, with those inside ``lims`` replaced by lims[0] (kept away from 1/2)."""
        return ember.where(self._outside_unstable_region(), self.probs, self._lims[0] * ember.ones_like(self.probs))

    def _cont_bern_log_norm(self):
        """log C(p), where C(p) = 2 artanh(1 - 2p) / (1 - 2p) normalises p^x (1 - p)^(1 - x)."""
        p = self._cut_probs()
        below = ember.where(p <= 0.5, p, ember.zeros_like(p))
        above = ember.where(p >= 0.5, p, ember.ones_like(p))
        log_norm = ember.log(ember.abs(ember.log1p(-p) - ember.log(p))) - ember.where(
            p <= 0.5, ember.log1p(-2.0 * below), ember.log(2.0 * above - 1.0))
        x = ember.pow(self.probs - 0.5, 2)
        taylor = _LOG_2 + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return ember.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self):
        p = self._cut_probs()
        mus = p / (2.0 * p - 1.0) + 1.0 / (ember.log1p(-p) - ember.log(p))
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * ember.pow(x, 2)) * x
        return ember.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self):
        return ember.sqrt(self.variance)

    @property
    def variance(self):
        p = self._cut_probs()
        var = p * (p - 1.0) / ember.pow(1.0 - 2.0 * p, 2) + 1.0 / ember.pow(ember.log1p(-p) - ember.log(p), 2)
        x = ember.pow(self.probs - 0.5, 2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return ember.where(self._outside_unstable_region(), var, taylor)

    # ---- sampling (by inverting the cdf), densities

    def sample(self, sample_shape=ember.Size()):
        u = ember.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype, device=self.probs.device)
        with ember.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=ember.Size()):
        u = ember.rand(self._extended_shape(sample_shape), dtype=self.probs.dtype, device=self.probs.device)
        return self.icdf(u)

    def log_prob(self, value):
        self._check(value)
        logits, value = broadcast_all(self.logits, value)
        bce = ember.nn.functional.binary_cross_entropy_with_logits(logits, value, reduction='none')
        return -bce + self._cont_bern_log_norm()

    def cdf(self, value):
        self._check(value)
        p = self._cut_probs()
        cdfs = (ember.pow(p, value) * ember.pow(1.0 - p, 1.0 - value) + p - 1.0) / (2.0 * p - 1.0)
        inside = ember.where(self._outside_unstable_region(), cdfs, value)
        return ember.where(value <= 0.0, ember.zeros_like(value),
                           ember.where(value >= 1.0, ember.ones_like(value), inside))

    def icdf(self, value):
        p = self._cut_probs()
        closed = (ember.log1p(-p + value * (2.0 * p - 1.0)) - ember.log1p(-p)) / (ember.log(p) - ember.log1p(-p))
        return ember.where(self._outside_unstable_region(), closed, value)

    def entropy(self):
        log_p0, log_p1 = ember.log1p(-self.probs), ember.log(self.probs)
        return self.mean * (log_p0 - log_p1) - self._cont_bern_log_norm() - log_p0

    # ---- exponential family: natural parameter = logits

    @property
    def _natural_params(self):
        return (self.logits,)

    def _log_normalizer(self, x):
        """log C as a function of the natural parameter x (Taylor expansion near x = 0)."""
        lo, hi = self._lims[0] - 0.5, self._lims[1] - 0.5
        outside = (x <= lo) | (x > hi)
        cut = ember.where(outside, x, lo * ember.ones_like(x))
        log_norm = ember.log(ember.abs(ember.special.expm1(cut))) - ember.log(ember.abs(cut))
        taylor = 0.5 * x + ember.pow(x, 2) / 24.0 - ember.pow(x, 4) / 2880.0
        return ember.where(outside, log_norm, taylor)


# ------------------------------------------------------------------ KL divergences

def _cross_term(p_mean, q):
    """-E_p[log q(x)] for q continuous Bernoulli, given p's mean."""
    return -p_mean * q.logits - ember.log1p(-q.probs) - q._cont_bern_log_norm()


@register_kl(ContinuousBernoulli, ContinuousBernoulli)
def _kl_continuous_bernoulli_continuous_bernoulli(p, q):
    t1 = p.mean * (p.logits - q.logits)
    t2 = p._cont_bern_log_norm() + ember.log1p(-p.probs)
    t3 = -q._cont_bern_log_norm() - ember.log1p(-q.probs)
    return t1 + t2 + t3


@register_kl(Beta, ContinuousBernoulli)
def _kl_beta_continuous_bernoulli(p, q):
    return -p.entropy() + _cross_term(p.mean, q)


@register_kl(Uniform, ContinuousBernoulli)
def _kl_uniform_continuous_bernoulli(p, q):
    result = -p.entropy() + _cross_term(p.mean, q)
    outside = (p.high >= q.support.upper_bound) | (p.low <= q.support.lower_bound)
    return ember.where(outside, ember.ones_like(result) * math.inf, result)


@register_kl(ContinuousBernoulli, Exponential)
def _kl_continuous_bernoulli_exponential(p, q):
    return -p.entropy() - ember.log(q.rate) + q.rate * p.mean


@register_kl(ContinuousBernoulli, Normal)
def _kl_continuous_bernoulli_normal(p, q):
    t1 = -p.entropy()
    t2 = 0.5 * (math.log(2.0 * math.pi) + ember.square(q.loc / q.scale)) + ember.log(q.scale)
    t3 = (p.variance + ember.square(p.mean) - 2.0 * q.loc * p.mean) / (2.0 * ember.square(q.scale))
    return t1 + t2 + t3


@register_kl(ContinuousBernoulli, Pareto)
def _kl_continuous_bernoulli_infinity(p, q):
    return ember.full_like(p.probs, math.inf)


@register_kl(ContinuousBernoulli, Uniform)
def _kl_continuous_bernoulli_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    outside = (q.low >= p.support.lower_bound) | (q.high <= p.support.upper_bound)
    return ember.where(outside, ember.ones_like(result) * math.inf, result)


register_infinite_kl(Exponential, 'rate', ContinuousBernoulli)
register_infinite_kl(Gamma, 'concentration', ContinuousBernoulli)
register_infinite_kl(Gumbel, 'loc', ContinuousBernoulli)
register_infinite_kl(Laplace, 'loc', ContinuousBernoulli)
register_infinite_kl(Normal, 'loc', ContinuousBernoulli)
register_infinite_kl(Pareto, 'scale', ContinuousBernoulli)
