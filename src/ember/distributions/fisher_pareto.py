"""FisherSnedecor (the F distribution, a ratio of two scaled Gamma draws) and GeneralizedPareto
(the peaks-over-threshold family: Exponential, Pareto and Uniform as special cases)."""
import math

import ember
from . import constraints
from .distribution import Distribution
from .gamma_family import Gamma
from .utils import broadcast_all

__all__ = ['FisherSnedecor', 'GeneralizedPareto']


def _nan_where(cond, x):
    """``x`` with NaN where ``cond`` holds (no gradient reaches those entries)."""
    return ember.where(cond, math.nan, x)


class FisherSnedecor(Distribution):
    """The F distribution with ``df1`` and ``df2`` degrees of freedom: (X1 / df1) / (X2 / df2) for
    independent chi-square X1, X2, drawn as the ratio of Gamma(df / 2, df) variables."""
    arg_constraints = {'df1': constraints.positive, 'df2': constraints.positive}
    support = constraints.positive
    has_rsample = True

    def __init__(self, df1, df2, validate_args=None):
        self.df1, self.df2 = broadcast_all(df1, df2)
        self._gamma1 = Gamma(self.df1 * 0.5, self.df1)
        self._gamma2 = Gamma(self.df2 * 0.5, self.df2)
        super().__init__(self.df1.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_to(FisherSnedecor, batch_shape, _instance, expand=('df1', 'df2', '_gamma1', '_gamma2'))

    @property
    def mean(self):
        df2 = _nan_where(self.df2 <= 2, self.df2)
        return df2 / (df2 - 2)

    @property
    def mode(self):
        df1, df2 = self.df1, self.df2
        mode = (df1 - 2) / df1 * df2 / (df2 + 2)
        mode[df1 <= 2] = math.nan                   # (masked assignment, as PyTorch: IndexPutBackward0)
        return mode

    @property
    def variance(self):
        df1, df2 = self.df1, _nan_where(self.df2 <= 4, self.df2)
        return 2 * df2.pow(2) * (df1 + df2 - 2) / (df1 * (df2 - 2).pow(2) * (df2 - 4))

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        x1 = self._gamma1.rsample(sample_shape).view(shape)
        x2 = self._gamma2.rsample(sample_shape).view(shape)
        tiny = ember.finfo(x2.dtype).tiny
        return (x1 / x2.clamp(min=tiny)).clamp(min=tiny)

    def log_prob(self, value):
        self._check(value)
        h1, h2 = self.df1 * 0.5, self.df2 * 0.5
        ratio = self.df1 / self.df2
        norm = (h1 + h2).lgamma() - h1.lgamma() - h2.lgamma()
        return norm + h1 * ratio.log() + (h1 - 1) * ember.log(value) - (h1 + h2) * ember.log1p(ratio * value)


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution with ``loc``, ``scale`` and ``concentration`` (xi):
    survival (1 + xi z) ** (-1 / xi) for z = (x - loc) / scale, exp(-z) at xi = 0. Its support
    is [loc, inf) for xi >= 0 and [loc, loc - scale / xi] for xi < 0."""
    arg_constraints = {'loc': constraints.real, 'scale': constraints.positive, 'concentration': constraints.real}
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args=None):
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(self.loc.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_to(GeneralizedPareto, batch_shape, _instance, expand=('loc', 'scale', 'concentration'))

    def _safe_concentration(self):
        """(concentration ~= 0, concentration with those entries replaced by 1)."""
        c = self.concentration
        at_zero = ember.isclose(c, ember.zeros_like(c))
        return at_zero, ember.where(at_zero, ember.ones_like(c), c)

    def _z(self, x):
        return (x - self.loc) / self.scale

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        u = ember.rand(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.icdf(u)

    def log_prob(self, value):
        self._check(value)
        z = self._z(value)
        at_zero, c = self._safe_concentration()
        y = 1 / c + ember.ones_like(z)
        nonzero = ember.where(y == 0, y, y * ember.log1p(c * z))
        return -self.scale.log() - ember.where(at_zero, z, nonzero)

    def log_survival_function(self, value):
        self._check(value)
        z = self._z(value)
        at_zero, c = self._safe_concentration()
        return ember.where(at_zero, -z, -ember.log1p(c * z) / c)

    def log_cdf(self, value):
        return ember.log1p(-ember.exp(self.log_survival_function(value)))

    def cdf(self, value):
        return ember.exp(self.log_cdf(value))

    def icdf(self, value):
        at_zero, c = self._safe_concentration()
        logu = ember.log1p(-value)
        nonzero = self.loc + self.scale / c * ember.expm1(-c * logu)
        return ember.where(at_zero, self.loc - self.scale * logu, nonzero)

    @property
    def mean(self):
        c = self.concentration
        valid = c < 1
        safe = ember.where(valid, c, 0.5)
        return ember.where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def variance(self):
        c = self.concentration
        valid = c < 0.5
        safe = ember.where(valid, c, 0.25)
        return ember.where(valid, self.scale ** 2 / ((1 - safe) ** 2 * (1 - 2 * safe)), math.nan)

    def entropy(self):
        return ember.broadcast_to(ember.log(self.scale) + self.concentration + 1, self._batch_shape)

    @property
    def mode(self):
        return self.loc

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        lower = self.loc
        upper = ember.where(self.concentration < 0, lower - self.scale / self.concentration, math.inf)
        return constraints.interval(lower, upper)
