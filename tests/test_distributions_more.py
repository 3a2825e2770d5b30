"""ember.distributions transforms, TransformedDistribution and the second set of distributions
(Cauchy, Gumbel, HalfNormal, HalfCauchy, StudentT, Chi2, Geometric, NegativeBinomial,
Multinomial, Weibull, Pareto, LogisticNormal, Relaxed*, MixtureSameFamily) against torch:
values and gradients (dcheck from test_distributions), KL pairs, reprs, errors, sample shapes."""
import numpy as np
import pytest
import torch

import ember
from helpers import case
from test_distributions import dcheck, a, rnd, stats
from test_distributions_sampling import on_host, same_error

POS = rnd(2, 3, low=0.5, high=2.0, seed=11)
POS2 = rnd(2, 3, low=0.5, high=2.0, seed=12)
LOC = rnd(2, 3, seed=13)
LOC2 = rnd(3, seed=14)
PROB = rnd(2, 3, low=0.05, high=0.95, seed=15)
UNIT = rnd(2, 3, low=0.05, high=0.95, seed=16)
BIG = rnd(2, 3, low=2.5, high=5.0, seed=17)


def tr(T, name, *args, **kw):
    return getattr(T.distributions.transforms, name)(*args, **kw)


def tcheck(T, t, x):
    """forward, inverse of forward, log-det of a transform on x."""
    y = t(x)
    return y, t.inv(y), t.log_abs_det_jacobian(x, y)


CASES = [
    # transforms
    case('exp_t', lambda D, T, x: tcheck(T, tr(T, 'ExpTransform'), x), [LOC]),
    case('affine_t', lambda D, T, x, s: tcheck(T, tr(T, 'AffineTransform', 1.5, s), x), [LOC, POS]),
    case('affine_t_scalar', lambda D, T, x: tcheck(T, tr(T, 'AffineTransform', 1.5, -2.0), x), [LOC]),
    case('affine_t_event', lambda D, T, x, s: tcheck(T, tr(T, 'AffineTransform', 0., s, event_dim=1), x), [LOC, POS]),
    case('sigmoid_t', lambda D, T, x: tcheck(T, tr(T, 'SigmoidTransform'), x), [LOC]),
    case('tanh_t', lambda D, T, x: tcheck(T, tr(T, 'TanhTransform'), x), [LOC]),
    case('softplus_t', lambda D, T, x: tcheck(T, tr(T, 'SoftplusTransform'), x), [LOC]),
    case('power_t', lambda D, T, x, e: tcheck(T, tr(T, 'PowerTransform', e), x), [POS, POS2]),
    case('abs_t', lambda D, T, x: (tr(T, 'AbsTransform')(x), tr(T, 'AbsTransform').inv(x.abs())), [LOC]),
    case('softmax_t', lambda D, T, x: (tr(T, 'SoftmaxTransform')(x), tr(T, 'SoftmaxTransform').inv(x.softmax(-1))),
         [LOC]),
    case('stickbreaking_t', lambda D, T, x: tcheck(T, tr(T, 'StickBreakingTransform'), x), [LOC]),
    case('compose_t', lambda D, T, x: tcheck(T, tr(T, 'ComposeTransform', [
        tr(T, 'ExpTransform'), tr(T, 'AffineTransform', 1., 3.), tr(T, 'ExpTransform').inv]), x), [LOC]),
    case('compose_event_t', lambda D, T, x: tcheck(T, tr(T, 'ComposeTransform', [
        tr(T, 'AffineTransform', 1., 3.), tr(T, 'StickBreakingTransform')]), x), [LOC]),
    case('independent_t', lambda D, T, x: tcheck(T, tr(T, 'IndependentTransform', tr(T, 'SigmoidTransform'), 1), x),
         [LOC]),
    case('reshape_t', lambda D, T, x: tcheck(T, tr(T, 'ReshapeTransform', (3,), (3, 1)), x), [LOC]),
    case('lower_cholesky_t', lambda D, T, x: (tr(T, 'LowerCholeskyTransform')(x),
                                              tr(T, 'LowerCholeskyTransform').inv(x.tril(-1) + T.eye(3))),
         [rnd(2, 3, 3, seed=3)]),
    case('positive_definite_t', lambda D, T, x: tr(T, 'PositiveDefiniteTransform')(x), [rnd(2, 3, 3, seed=3)]),
    case('corr_cholesky_t', lambda D, T, x: tcheck(T, tr(T, 'CorrCholeskyTransform'), x), [rnd(2, 3, seed=4)]),
    case('cat_t', lambda D, T, x: tcheck(T, tr(T, 'CatTransform', [tr(T, 'ExpTransform'), tr(T, 'SigmoidTransform')],
                                                dim=1, lengths=[1, 2]), x), [LOC]),
    case('stack_t', lambda D, T, x: tcheck(T, tr(T, 'StackTransform', [tr(T, 'ExpTransform'), tr(T, 'TanhTransform')],
                                                  dim=0), x), [LOC]),
    case('cdf_t', lambda D, T, x: tcheck(T, tr(T, 'CumulativeDistributionTransform', D.Normal(0., 2.)), x), [LOC]),
    case('biject_to', lambda D, T, x: [D.biject_to(c)(x) for c in (
        D.constraints.real, D.constraints.positive, D.constraints.greater_than(1.), D.constraints.less_than(2.),
        D.constraints.unit_interval, D.constraints.interval(-1., 3.), D.constraints.independent(D.constraints.positive, 1),
        D.constraints.simplex)], [LOC]),
    case('transform_to', lambda D, T, x, m: [D.transform_to(D.constraints.simplex)(x),
                                             D.transform_to(D.constraints.lower_cholesky)(m),
                                             D.transform_to(D.constraints.positive_definite)(m),
                                             D.transform_to(D.constraints.corr_cholesky)(x)], [LOC, rnd(3, 3, seed=5)]),
    # TransformedDistribution
    case('transformed', lambda D, T, m, s, x: D.TransformedDistribution(D.Normal(m, s), [
        tr(T, 'ExpTransform'), tr(T, 'AffineTransform', 1., 2.)]).log_prob(x), [LOC, POS, POS2 + 1.]),
    case('transformed_cdf', lambda D, T, m, s, x, u: (
        D.TransformedDistribution(D.Normal(m, s), [tr(T, 'AffineTransform', 1., -2.)]).cdf(x),
        D.TransformedDistribution(D.Normal(m, s), [tr(T, 'AffineTransform', 1., -2.)]).icdf(u)), [LOC, POS, LOC2, UNIT]),
    case('transformed_event', lambda D, T, m, s, x: D.TransformedDistribution(
        D.Normal(m, s), tr(T, 'StickBreakingTransform')).log_prob(x.softmax(-1)), [LOC, POS, rnd(2, 4, seed=2)]),
    case('transformed_broadcast', lambda D, T, s, x: D.TransformedDistribution(
        D.Normal(0., 1.), tr(T, 'AffineTransform', 0., s)).log_prob(x), [POS, LOC]),
    # LogNormal (now a TransformedDistribution)
    case('lognormal', lambda D, T, m, s, x, u: stats(D.LogNormal(m, s)) + (
        D.LogNormal(m, s).log_prob(x), D.LogNormal(m, s).cdf(x), D.LogNormal(m, s).icdf(u), D.LogNormal(m, s).mode),
         [LOC, POS, POS2, UNIT]),
    # Cauchy / HalfCauchy
    case('cauchy', lambda D, T, m, s, x, u: stats(D.Cauchy(m, s)) + (
        D.Cauchy(m, s).log_prob(x), D.Cauchy(m, s).cdf(x), D.Cauchy(m, s).icdf(u), D.Cauchy(m, s).mode),
         [LOC, POS, LOC2, UNIT]),
    case('halfcauchy', lambda D, T, s, x, u: stats(D.HalfCauchy(s)) + (
        D.HalfCauchy(s).log_prob(x), D.HalfCauchy(s).cdf(x), D.HalfCauchy(s).icdf(u), D.HalfCauchy(s).mode),
         [POS, POS2, UNIT]),
    case('halfnormal', lambda D, T, s, x, u: stats(D.HalfNormal(s)) + (
        D.HalfNormal(s).log_prob(x), D.HalfNormal(s).cdf(x), D.HalfNormal(s).icdf(u), D.HalfNormal(s).mode),
         [POS, POS2, UNIT]),
    case('halfnormal_negative', lambda D, T, s, x: D.HalfNormal(s, validate_args=False).log_prob(x), [POS, LOC]),
    # Gumbel / Weibull / Pareto
    case('gumbel', lambda D, T, m, s, x, u: stats(D.Gumbel(m, s)) + (
        D.Gumbel(m, s).log_prob(x), D.Gumbel(m, s).cdf(x), D.Gumbel(m, s).icdf(u), D.Gumbel(m, s).mode),
         [LOC, POS, LOC2, UNIT]),
    case('gumbel_scalar', lambda D, T, x: D.Gumbel(1., 2.).log_prob(x) + D.Gumbel(1., 2.).cdf(x), [LOC], rtol=1e-6),
    case('weibull', lambda D, T, s, c, x, u: stats(D.Weibull(s, c)) + (
        D.Weibull(s, c).log_prob(x), D.Weibull(s, c).cdf(x), D.Weibull(s, c).icdf(u), D.Weibull(s, c).mode),
         [POS, POS2 + 0.5, POS, UNIT]),
    case('pareto', lambda D, T, s, al, x, u: stats(D.Pareto(s, al)) + (
        D.Pareto(s, al).log_prob(s.detach() + x), D.Pareto(s, al).cdf(s.detach() + x), D.Pareto(s, al).icdf(u),
        D.Pareto(s, al).mode), [POS, BIG, POS2, UNIT]),
    case('pareto_small_alpha', lambda D, T, s, al: (D.Pareto(s, al).mean, D.Pareto(s, al).variance),
         [POS, POS2]),
    # StudentT / Chi2
    case('studentt', lambda D, T, df, m, s, x: stats(D.StudentT(df, m, s)) + (D.StudentT(df, m, s).log_prob(x),),
         [BIG, LOC, POS, LOC2]),
    case('studentt_small_df', lambda D, T, df: (D.StudentT(df).mean, D.StudentT(df).variance, D.StudentT(df).entropy()),
         [a(0.5, 1.5, 3.0)]),
    case('chi2', lambda D, T, df, x: stats(D.Chi2(df)) + (D.Chi2(df).log_prob(x), D.Chi2(df).df), [BIG, POS]),
    # Geometric / NegativeBinomial / Multinomial
    case('geometric', lambda D, T, p, k: stats(D.Geometric(p)) + (D.Geometric(p).log_prob(k), D.Geometric(p).mode),
         [PROB, np.floor(POS2 * 3)]),
    case('geometric_logits', lambda D, T, lg, k: (D.Geometric(logits=lg).log_prob(k), D.Geometric(logits=lg).entropy()),
         [LOC, np.floor(POS2 * 3)]),
    case('geometric_one', lambda D, T: D.Geometric(T.tensor([1., 0.5])).log_prob(T.tensor([0., 2.])), []),
    case('negbinomial', lambda D, T, n, p, k: (D.NegativeBinomial(n, p).log_prob(k), D.NegativeBinomial(n, p).mean,
                                               D.NegativeBinomial(n, p).variance, D.NegativeBinomial(n, p).mode),
         [POS * 3, PROB, np.floor(POS2 * 3)]),
    case('negbinomial_logits', lambda D, T, lg, k: D.NegativeBinomial(3., logits=lg).log_prob(k),
         [LOC, np.floor(POS2 * 3)]),
    case('multinomial', lambda D, T, p, k: (D.Multinomial(4, p).log_prob(k), D.Multinomial(4, p).mean,
                                            D.Multinomial(4, p).variance, D.Multinomial(4, p).entropy()),
         [POS, np.array([[1., 2., 1.], [0., 0., 4.]])]),
    case('multinomial_logits', lambda D, T, lg, k: D.Multinomial(4, logits=lg).log_prob(k),
         [LOC, np.array([[1., 2., 1.], [0., 0., 4.]])]),
    # LogisticNormal / Relaxed
    case('logisticnormal', lambda D, T, m, s, x: D.LogisticNormal(m, s).log_prob(x.softmax(-1)),
         [LOC, POS, rnd(2, 4, seed=21)]),
    case('logisticnormal_scalar_batch', lambda D, T, m, s, x: D.LogisticNormal(m, s).log_prob(x.softmax(-1)),
         [LOC2, POS[0], rnd(4, seed=21)]),
    case('relaxed_bernoulli', lambda D, T, t, p, x: (D.RelaxedBernoulli(t, probs=p).log_prob(x),
                                                      D.RelaxedBernoulli(t, logits=p).log_prob(x)),
         [a(0.7), PROB, UNIT]),
    case('logit_relaxed_bernoulli', lambda D, T, t, p, x: D.RelaxedBernoulli(t, probs=p).base_dist.log_prob(x),
         [a(0.7), PROB, LOC]),
    case('relaxed_onehot', lambda D, T, t, p, x: (D.RelaxedOneHotCategorical(t, probs=p).log_prob(x.softmax(-1)),
                                                   D.RelaxedOneHotCategorical(t, logits=p).log_prob(x.softmax(-1))),
         [a(0.7), POS, LOC]),
    # MixtureSameFamily
    case('mixture', lambda D, T, w, m, s, x: (
        D.MixtureSameFamily(D.Categorical(w), D.Normal(m, s)).log_prob(x),
        D.MixtureSameFamily(D.Categorical(w), D.Normal(m, s)).mean,
        D.MixtureSameFamily(D.Categorical(w), D.Normal(m, s)).variance,
        D.MixtureSameFamily(D.Categorical(w), D.Normal(m, s)).cdf(x)), [POS[0], LOC, POS, a(0.3, -1.)]),
    case('mixture_mvn', lambda D, T, w, m, x: (
        D.MixtureSameFamily(D.Categorical(logits=w), D.Independent(D.Normal(m, 1.), 1)).log_prob(x),
        D.MixtureSameFamily(D.Categorical(logits=w), D.Independent(D.Normal(m, 1.), 1)).variance),
        [LOC2[:2], LOC, rnd(4, 3, seed=22)]),
    # KL
    case('kl_transformed', lambda D, T, m, s, m2, s2: D.kl_divergence(D.LogNormal(m, s), D.LogNormal(m2, s2)),
         [LOC, POS, LOC2, POS2]),
    case('kl_gumbel', lambda D, T, m, s, m2, s2: (D.kl_divergence(D.Gumbel(m, s), D.Gumbel(m2, s2)),
                                                  D.kl_divergence(D.Gumbel(m, s), D.Normal(m2, s2)),
                                                  D.kl_divergence(D.Normal(m, s), D.Gumbel(m2, s2)),
                                                  D.kl_divergence(D.Exponential(s), D.Gumbel(m2, s2)),
                                                  D.kl_divergence(D.Gamma(s, s2), D.Gumbel(m, s2)),
                                                  D.kl_divergence(D.Uniform(m, m + s), D.Gumbel(m2, s2)),
                                                  D.kl_divergence(D.Gumbel(m, s), D.Exponential(s2))),
         [LOC, POS, LOC2, POS2]),
    case('kl_geometric', lambda D, T, p, q: D.kl_divergence(D.Geometric(p), D.Geometric(q)), [PROB, UNIT]),
    case('kl_halfnormal', lambda D, T, s, s2: D.kl_divergence(D.HalfNormal(s), D.HalfNormal(s2)), [POS, POS2]),
    case('kl_cauchy', lambda D, T, m, s, m2, s2: D.kl_divergence(D.Cauchy(m, s), D.Cauchy(m2, s2)),
         [LOC, POS, LOC2, POS2]),
    case('kl_pareto', lambda D, T, s, al, s2, al2: (D.kl_divergence(D.Pareto(s, al), D.Pareto(s2, al2)),
                                                    D.kl_divergence(D.Pareto(s, al), D.Exponential(s2)),
                                                    D.kl_divergence(D.Pareto(s, al), D.Gamma(s2, al2)),
                                                    D.kl_divergence(D.Pareto(s, al), D.Normal(s2, al2)),
                                                    D.kl_divergence(D.Uniform(s, s + al), D.Pareto(s2, al2)),
                                                    D.kl_divergence(D.Pareto(s, al), D.Uniform(s2, s2 + 1))),
         [POS, a(0.8, 1.5, 3.), POS2, BIG]),
    case('kl_missing_pairs', lambda D, T, c1, c0, r, m, s: (
        D.kl_divergence(D.Beta(c1, c0), D.Exponential(r)), D.kl_divergence(D.Beta(c1, c0), D.Gamma(r, s)),
        D.kl_divergence(D.Beta(c1, c0), D.Normal(m, s)), D.kl_divergence(D.Beta(c1, c0), D.Uniform(m - 3, m + 3)),
        D.kl_divergence(D.Gamma(c1, c0), D.Normal(m, s)), D.kl_divergence(D.Laplace(m, s), D.Gamma(c1, c0)),
        D.kl_divergence(D.Uniform(r * 0.1, r * 0.1 + 0.5), D.Beta(c1, c0)),
        D.kl_divergence(D.Uniform(m, m + 1.), D.Gamma(c1, c0)),
        D.kl_divergence(D.Exponential(r), D.Pareto(c1, c0)), D.kl_divergence(D.Normal(m, s), D.Pareto(c1, c0))),
        [POS, POS2, POS, LOC, POS2]),
    case('kl_chi2', lambda D, T, d1, d2: D.kl_divergence(D.Chi2(d1), D.Chi2(d2)), [BIG, POS]),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_values_and_grads(fn, specs, kw):
    dcheck(fn, specs, **kw)


ERRORS = [
    case('cauchy_scale', lambda D, T: D.Cauchy(0., -1.), []),
    case('gumbel_scale', lambda D, T: D.Gumbel(T.zeros(2), T.tensor([1., 0.])), []),
    case('halfnormal_support', lambda D, T: D.HalfNormal(1.).log_prob(T.tensor(-1.)), []),
    case('halfnormal_scale', lambda D, T: D.HalfNormal(-1.), []),
    case('pareto_support', lambda D, T: D.Pareto(2., 1.).log_prob(T.tensor(1.)), []),
    case('weibull_conc', lambda D, T: D.Weibull(1., -1.), []),
    case('studentt_df', lambda D, T: D.StudentT(-1.), []),
    case('chi2_df', lambda D, T: D.Chi2(T.tensor([-1.])), []),
    case('geometric_zero', lambda D, T: D.Geometric(T.tensor([0., 0.5])), []),
    case('geometric_both', lambda D, T: D.Geometric(0.5, 0.5), []),
    case('negbinomial_probs', lambda D, T: D.NegativeBinomial(2., T.tensor(1.)), []),
    case('multinomial_count', lambda D, T: D.Multinomial(T.tensor(3), T.ones(3)), []),
    case('multinomial_support', lambda D, T: D.Multinomial(3, T.ones(3)).log_prob(T.tensor([2., 2., 0.])), []),
    case('mixture_type', lambda D, T: D.MixtureSameFamily(D.Normal(0., 1.), D.Normal(T.zeros(2), 1.)), []),
    case('mixture_k', lambda D, T: D.MixtureSameFamily(D.Categorical(T.ones(3)), D.Normal(T.zeros(2), 1.)), []),
    case('mixture_batch', lambda D, T: D.MixtureSameFamily(D.Categorical(T.ones(3, 2)), D.Normal(T.zeros(4, 2), 1.)),
         []),
    case('transformed_list', lambda D, T: D.TransformedDistribution(D.Normal(0., 1.), [1]), []),
    case('transformed_type', lambda D, T: D.TransformedDistribution(D.Normal(0., 1.), 3), []),
    case('transformed_event', lambda D, T: D.TransformedDistribution(
        D.Normal(0., 1.), T.distributions.transforms.StickBreakingTransform()), []),
    case('biject_missing', lambda D, T: D.biject_to(D.constraints.lower_cholesky), []),
    case('cache_size', lambda D, T: T.distributions.transforms.ExpTransform(cache_size=2), []),
    case('reshape_numel', lambda D, T: T.distributions.transforms.ReshapeTransform((2,), (3,)), []),
    case('kl_missing', lambda D, T: D.kl_divergence(D.Cauchy(0., 1.), D.Normal(0., 1.)), []),
    case('kl_transformed_mismatch', lambda D, T: D.kl_divergence(D.LogNormal(0., 1.), D.HalfNormal(1.)), []),
    case('with_cache', lambda D, T: T.distributions.transforms.PowerTransform(2.).inv.with_cache(1).inv.with_cache(2),
         []),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    same_error(fn)


def _reprs(D, T):
    t = T.distributions.transforms
    ds = [D.Cauchy(0., 1.), D.HalfCauchy(1.), D.HalfNormal(T.ones(2)), D.Gumbel(0., 1.), D.Weibull(1., 2.),
          D.Pareto(1., 2.), D.StudentT(3.), D.Chi2(2.), D.Geometric(0.25), D.Geometric(logits=T.zeros(2)),
          D.NegativeBinomial(3., T.tensor(0.25)), D.Multinomial(3, T.ones(3)), D.LogNormal(0., 1.),
          D.LogisticNormal(T.zeros(2), T.ones(2)), D.RelaxedBernoulli(T.tensor(0.5), probs=T.tensor(0.25)),
          D.RelaxedOneHotCategorical(T.tensor(0.5), probs=T.ones(3)),
          D.TransformedDistribution(D.Normal(0., 1.), [t.ExpTransform()]),
          D.MixtureSameFamily(D.Categorical(T.ones(2)), D.Normal(T.zeros(2), T.ones(2)))]
    out = [repr(d) for d in ds] + [repr(d.support) for d in ds]
    out += [repr(x) for x in (t.ExpTransform(), t.ExpTransform().inv, t.AffineTransform(1., 2.), t.PowerTransform(2.),
                              t.ComposeTransform([t.ExpTransform(), t.SigmoidTransform().inv]), t.identity_transform,
                              t.IndependentTransform(t.TanhTransform(), 1), t.StickBreakingTransform(),
                              D.biject_to(D.constraints.positive), D.biject_to(D.constraints.interval(0., 2.)),
                              D.biject_to(D.constraints.simplex), D.transform_to(D.constraints.simplex))]
    comp = t.ComposeTransform([t.AffineTransform(1., 2.), t.StickBreakingTransform()])
    out += [repr(comp.domain), repr(comp.codomain), repr(comp.inv.domain), repr(t.ExpTransform().inv.codomain)]
    flags = [(x.bijective, x.sign) for x in (t.ExpTransform(), t.SigmoidTransform(), t.AffineTransform(0., -2.),
                                             t.ComposeTransform([t.ExpTransform(), t.AffineTransform(0., -1.)]))]
    eqs = [t.ExpTransform() == t.ExpTransform(), t.AffineTransform(1., 2.) == t.AffineTransform(1., 2.),
           t.AffineTransform(1., 2.) == t.AffineTransform(1., 3.), t.ExpTransform().inv == t.ExpTransform().inv,
           t.ExpTransform() == t.SigmoidTransform(), t.ExpTransform().inv.inv == t.ExpTransform()]
    shapes = [tuple(t.StickBreakingTransform().forward_shape(T.Size([2, 3]))),
              tuple(t.ReshapeTransform((4,), (2, 2)).inverse_shape(T.Size([5, 2, 2]))),
              tuple(t.CorrCholeskyTransform().forward_shape(T.Size([3])))]
    dshape = [(tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample) for d in ds]
    return out, flags, eqs, shapes, dshape


def test_reprs_and_flags():
    e, t = _reprs(ember.distributions, ember), _reprs(torch.distributions, torch)
    assert [on_host(r) for r in e[0]] == [r.replace('torch.', 'ember.') for r in t[0]]
    assert e[1:] == t[1:]


def test_transform_cache_and_inverse_identity():
    t = ember.distributions.transforms.ExpTransform(cache_size=1)
    x = ember.randn(3)
    y = t(x)
    assert t.inv(y) is x and t(x) is y
    assert t.inv.inv is t
    c = ember.distributions.transforms.ComposeTransform([t, t.inv])
    assert c.inv.inv is c


def test_sample_shapes_and_moments():
    D = ember.distributions
    ember.manual_seed(0)
    n = 20000
    dists = [
        (D.Cauchy(ember.zeros(2), 1.), None, None),
        (D.Gumbel(ember.tensor([0., 1.]), 2.), None, None),
        (D.HalfNormal(ember.tensor([1., 2.])), None, None),
        (D.HalfCauchy(ember.ones(2)), None, None),
        (D.Weibull(ember.tensor([1., 2.]), 1.5), None, None),
        (D.Pareto(ember.ones(2), 4.), None, None),
        (D.StudentT(ember.tensor([5., 8.])), None, None),
        (D.Chi2(ember.tensor([2., 5.])), None, None),
        (D.Geometric(ember.tensor([0.3, 0.6])), None, None),
        (D.NegativeBinomial(ember.tensor([3., 5.]), ember.tensor([0.4, 0.2])), None, None),
        (D.Multinomial(5, ember.tensor([0.2, 0.3, 0.5])), None, None),
        (D.LogNormal(ember.zeros(2), 0.5), None, None),
    ]
    for d, _, _ in dists:
        s = d.sample((n,))
        assert tuple(s.shape) == (n,) + tuple(d.batch_shape) + tuple(d.event_shape), type(d).__name__
        assert s.requires_grad is False and s.device == ember.empty(0).device, type(d).__name__
        if isinstance(d, (D.Cauchy, D.HalfCauchy)):
            med = np.median(s.cpu().numpy(), 0)
            want = d.icdf(ember.tensor(0.5)).cpu().numpy()
            np.testing.assert_allclose(med, want, atol=0.1)
            continue
        mean, var = d.mean.cpu().numpy(), d.variance.cpu().numpy()
        np.testing.assert_allclose(s.cpu().numpy().mean(0), mean, atol=5 * np.sqrt(var / n).max() + 1e-3,
                                   err_msg=type(d).__name__)
    for d in (D.LogisticNormal(ember.zeros(3), 1.), D.RelaxedOneHotCategorical(ember.tensor(0.5), ember.ones(4)),
              D.RelaxedBernoulli(ember.tensor(0.5), ember.tensor([0.2, 0.9]))):
        s = d.sample((50,))
        assert bool(d.support.check(s).all()) and s.device == ember.empty(0).device, type(d).__name__
        assert tuple(s.shape) == (50,) + tuple(d.batch_shape) + tuple(d.event_shape)
    m = D.MixtureSameFamily(D.Categorical(ember.tensor([0.25, 0.75])), D.Normal(ember.tensor([-5., 5.]), 1.))
    s = m.sample((n,))
    assert tuple(s.shape) == (n,)
    assert abs(float((s > 0).float().mean()) - 0.75) < 0.02
    mv = D.MixtureSameFamily(D.Categorical(ember.ones(2)), D.Independent(D.Normal(ember.zeros(2, 3), 1.), 1))
    assert tuple(mv.sample((4,)).shape) == (4, 3)


def test_rsample_gradients_flow():
    D = ember.distributions
    for make in (lambda p: D.Cauchy(p, 1.), lambda p: D.HalfNormal(p.exp()), lambda p: D.LogNormal(p, 1.),
                 lambda p: D.StudentT(5., p, 1.), lambda p: D.RelaxedBernoulli(ember.tensor(0.5), logits=p),
                 lambda p: D.RelaxedOneHotCategorical(ember.tensor(0.5), logits=p), lambda p: D.LogisticNormal(p, 1.),
                 lambda p: D.Weibull(p.exp(), 2.)):
        p = ember.zeros(3, requires_grad=True)
        d = make(p)
        assert d.has_rsample
        d.rsample((5,)).sum().backward()
        assert p.grad is not None and bool(ember.isfinite(p.grad).all())


def test_expand():
    def run(D, T):
        ds = [D.Gumbel(T.zeros(1), 1.), D.Pareto(T.ones(1), 2.), D.Weibull(T.ones(1), 2.), D.HalfNormal(T.ones(1)),
              D.StudentT(T.ones(1) * 3), D.Chi2(T.ones(1) * 3), D.Geometric(T.ones(1) / 2),
              D.NegativeBinomial(T.ones(1), T.ones(1) / 2), D.Cauchy(T.zeros(1), 1.),
              D.Multinomial(3, T.ones(1, 3)), D.LogNormal(T.zeros(1), 1.), D.LogisticNormal(T.zeros(1, 2), 1.),
              D.RelaxedBernoulli(T.tensor(0.5), T.ones(1) / 2),
              D.MixtureSameFamily(D.Categorical(T.ones(1, 2)), D.Normal(T.zeros(1, 2), 1.))]
        out = []
        for d in ds:
            e = d.expand((4,))
            out.append((type(e).__name__, tuple(e.batch_shape), tuple(e.event_shape),
                        e.log_prob(d.sample()).shape if not isinstance(d, D.Multinomial) else None))
        return out
    assert run(ember.distributions, ember) == [tuple(x if not hasattr(x, '__len__') or isinstance(x, str) else tuple(x)
                                                     for x in r) for r in run(torch.distributions, torch)]
