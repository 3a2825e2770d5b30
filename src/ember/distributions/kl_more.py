"""KL divergences for the distributions of transformed.py, heavy_tails.py and discrete_more.py
(the pairs PyTorch registers, with the same closed forms and the same infinite pairs)."""
import math

import ember
from .continuous import Exponential, Laplace, Normal, Uniform
from .discrete_more import Geometric
from .gamma_family import Beta, Gamma
from .heavy_tails import Cauchy
from .kl import _kl_normal_normal, _x_log_x, register_infinite_kl, register_kl
from .transformed import Gumbel, HalfNormal, Pareto
from .utils import euler_constant

__all__ = []

_INF = math.inf


def _gamma_log_scale(q):
    """log Gamma(c) - c log(rate) of a Gamma ``q``: the constant of -log q(x)."""
    return q.concentration.lgamma() - q.concentration * q.rate.log()


def _x_log_x_span(p):
    """The integral of log x over a Uniform ``p``'s interval: [x log x - x] from low to high."""
    return _x_log_x(p.high) - _x_log_x(p.low) - (p.high - p.low)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p, q):
    r = p.scale / q.scale
    qz, pz = q.loc / q.scale, p.loc / q.scale
    return -r.log() - qz + pz + r * euler_constant + ember.exp(qz + (1 + r).lgamma() - pz) - (1 + euler_constant)


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p, q):
    return -p.entropy() - ember.log1p(-q.probs) / p.probs - q.logits


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p, q):
    return _kl_normal_normal(p.base_dist, q.base_dist)


@register_kl(Pareto, Pareto)
def _kl_pareto_pareto(p, q):
    alpha_ratio = q.alpha / p.alpha
    result = q.alpha * (p.scale / q.scale).log() - alpha_ratio.log() + alpha_ratio - 1
    return ember.where(p.support.lower_bound < q.support.lower_bound, _INF, result)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p, q):
    return ((p.scale + q.scale).pow(2) + (p.loc - q.loc).pow(2)).log() - (4 * p.scale * q.scale).log()


register_infinite_kl(Beta, 'concentration1', Pareto)
register_infinite_kl(Exponential, 'rate', Pareto)
register_infinite_kl(Gamma, 'concentration', Pareto)
register_infinite_kl(Laplace, 'loc', Pareto)
register_infinite_kl(Normal, 'loc', Pareto)


@register_kl(Exponential, Gumbel)
def _kl_exponential_gumbel(p, q):
    prod = p.rate * q.scale
    z = q.loc / q.scale
    return prod.log() - 1 - z + ember.exp(z) * prod / (prod + 1) + prod.reciprocal()


@register_kl(Gamma, Gumbel)
def _kl_gamma_gumbel(p, q):
    c = p.concentration
    prod = p.rate * q.scale
    z = q.loc / q.scale
    t1 = (c - 1) * c.digamma() - c.lgamma() - c
    t2 = prod.log() + c / prod
    t3 = ember.exp(z) * (1 + prod.reciprocal()).pow(-c) - z
    return t1 + t2 + t3


register_infinite_kl(Gumbel, 'loc', Beta, Exponential, Gamma, Pareto, Uniform)


@register_kl(Gumbel, Normal)
def _kl_gumbel_normal(p, q):
    r = p.scale / q.scale
    t1 = (r / math.sqrt(2 * math.pi)).log()
    t2 = (math.pi * r * 0.5).pow(2) / 3
    t3 = ((p.loc + p.scale * euler_constant - q.loc) / q.scale).pow(2) * 0.5
    return -t1 + t2 + t3 - (euler_constant + 1)


@register_kl(Normal, Gumbel)
def _kl_normal_gumbel(p, q):
    m = p.loc / q.scale
    v = (p.scale / q.scale).pow(2)
    z = q.loc / q.scale
    return -v.log() * 0.5 + m - z + ember.exp(-m + 0.5 * v + z) - (0.5 * (1 + math.log(2 * math.pi)))


register_infinite_kl(Pareto, 'scale', Beta, Uniform)


@register_kl(Pareto, Exponential)
def _kl_pareto_exponential(p, q):
    prod = p.scale * q.rate
    result = (p.alpha / prod).log() - p.alpha.reciprocal() + p.alpha * prod / (p.alpha - 1) - 1
    return ember.where(p.alpha <= 1, _INF, result)


@register_kl(Pareto, Gamma)
def _kl_pareto_gamma(p, q):
    common = p.scale.log() + p.alpha.reciprocal()
    t1 = p.alpha.log() - common
    t2 = _gamma_log_scale(q)
    t3 = (1 - q.concentration) * common
    t4 = q.rate * p.alpha * p.scale / (p.alpha - 1)
    return ember.where(p.alpha <= 1, _INF, t1 + t2 + t3 + t4 - 1)


@register_kl(Pareto, Normal)
def _kl_pareto_normal(p, q):
    two_var = 2 * q.scale.pow(2)
    common = p.scale / (p.alpha - 1)
    t1 = (math.sqrt(2 * math.pi) * q.scale * p.alpha / p.scale).log()
    t3 = p.alpha * common.pow(2) / (p.alpha - 2)
    t4 = (p.alpha * common - q.loc).pow(2)
    return ember.where(p.alpha <= 2, _INF, t1 - p.alpha.reciprocal() + (t3 + t4) / two_var - 1)


@register_kl(Uniform, Gumbel)
def _kl_uniform_gumbel(p, q):
    common = q.scale / (p.high - p.low)
    hi, lo = (p.high - q.loc) / q.scale, (p.low - q.loc) / q.scale
    return common.log() + 0.5 * (hi + lo) - common * (ember.exp(-hi) - ember.exp(-lo))


@register_kl(Uniform, Pareto)
def _kl_uniform_pareto(p, q):
    width = p.high - p.low
    t1 = (q.alpha * q.scale.pow(q.alpha) * width).log()
    t2 = _x_log_x_span(p) / width
    return ember.where(p.low < q.support.lower_bound, _INF, t2 * (q.alpha + 1) - t1)


# ---- pairs among the first set of distributions that were still missing

register_infinite_kl(Laplace, 'loc', Beta, Gamma)


@register_kl(Beta, Exponential)
def _kl_beta_exponential(p, q):
    return -p.entropy() - q.rate.log() + q.rate * p.mean


@register_kl(Beta, Gamma)
def _kl_beta_gamma(p, q):
    c1, c0 = p.concentration1, p.concentration0
    t2 = _gamma_log_scale(q)
    t3 = (q.concentration - 1) * (c1.digamma() - (c1 + c0).digamma())
    return -p.entropy() + t2 - t3 + q.rate * p.mean


@register_kl(Beta, Normal)
def _kl_beta_normal(p, q):
    m = p.mean
    var = q.scale.pow(2)
    t2 = 0.5 * (var * 2 * math.pi).log()
    t3 = (m * (1 - m) / (p.concentration1 + p.concentration0 + 1) + m.pow(2)) * 0.5
    return -p.entropy() + t2 + (t3 - q.loc * m + q.loc.pow(2) * 0.5) / var


@register_kl(Beta, Uniform)
def _kl_beta_uniform(p, q):
    result = -p.entropy() + (q.high - q.low).log()
    outside = (q.low > p.support.lower_bound) | (q.high < p.support.upper_bound)
    return ember.where(outside, _INF, result)


@register_kl(Gamma, Normal)
def _kl_gamma_normal(p, q):
    c = p.concentration
    var = q.scale.pow(2)
    rate2 = p.rate.pow(2)
    t1 = 0.5 * ember.log(rate2 * var * 2 * math.pi) - c - c.lgamma()
    t2 = 0.5 * (c.pow(2) + c) / rate2
    return t1 + (c - 1) * c.digamma() + (t2 - q.loc * c / p.rate + 0.5 * q.loc.pow(2)) / var


@register_kl(Uniform, Beta)
def _kl_uniform_beta(p, q):
    w = p.high - p.low
    t2 = (q.concentration1 - 1) * _x_log_x_span(p) / w
    t3 = (q.concentration0 - 1) * (_x_log_x(1 - p.high) - _x_log_x(1 - p.low) + w) / w
    t4 = q.concentration1.lgamma() + q.concentration0.lgamma() - (q.concentration1 + q.concentration0).lgamma()
    outside = (p.high > q.support.upper_bound) | (p.low < q.support.lower_bound)
    return ember.where(outside, _INF, t3 + t4 - ember.log(w) - t2)


@register_kl(Uniform, Gamma)
def _kl_uniform_gamma(p, q):
    w = p.high - p.low
    t2 = _gamma_log_scale(q)
    t3 = (1 - q.concentration) * _x_log_x_span(p) / w
    result = -w.log() + t2 + t3 + q.rate * (p.high + p.low) / 2
    return ember.where(p.low < q.support.lower_bound, _INF, result)
