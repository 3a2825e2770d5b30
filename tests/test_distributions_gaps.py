"""LowRankMultivariateNormal and ContinuousBernoulli against torch.distributions: values and
gradients (dcheck from test_distributions), KL pairs, expand, validation errors, sample shapes
and moments, and rsample on the same noise as torch."""
import numpy as np
import pytest
import torch

import ember
from helpers import case
from test_distributions import dcheck, a, rnd, spd, stats
from test_distributions_sampling import on_host, same_error

# ---- LowRankMultivariateNormal parameters: loc (2, 3), cov_factor (3, 2), cov_diag (3,)
LOC = rnd(2, 3, seed=21)
LOC1 = rnd(3, seed=22)
W = rnd(3, 2, low=-1.0, high=1.0, seed=23)
WB = rnd(2, 3, 2, low=-1.0, high=1.0, seed=24)
DIAG = rnd(3, low=0.5, high=2.0, seed=25)
DIAG2 = rnd(2, 3, low=0.5, high=2.0, seed=26)
X = rnd(4, 1, 3, seed=27)
TRIL = np.tril(rnd(3, 3, low=-0.5, high=0.5, seed=28)) + 1.5 * np.eye(3)
COV = spd(3, seed=29)

# ---- ContinuousBernoulli: far from 1/2, inside the Taylor region (0.499, 0.501], at its edges
PROBS = a(0.1, 0.3, 0.499, 0.4995, 0.5, 0.5004, 0.501, 0.5011, 0.8, 0.97)
PROBS2 = a(0.6, 0.2, 0.5003, 0.9, 0.25, 0.4999, 0.7, 0.05, 0.5, 0.45)
LOGITS = a(-3.0, -0.5, -0.003, -0.001, 0.0, 0.001, 0.004, 0.5, 2.0, 6.0)
VALS = a(0.05, 0.2, 0.5, 0.7, 0.99, 0.0, 1.0, 0.3, 0.6, 0.45)
UNIT = a(0.01, 0.25, 0.5, 0.75, 0.99, 0.1, 0.3, 0.6, 0.9, 0.45)


def lr(D, loc, w, d, **kw):
    return D.LowRankMultivariateNormal(loc, w, d, **kw)


def lr_matrices(d):
    return d.covariance_matrix, d.precision_matrix, d.scale_tril, d.mean, d.mode


def cb_all(d, x, u):
    return stats(d) + (d.log_prob(x), d.cdf(x), d.icdf(u), d._cont_bern_log_norm(), d.probs, d.logits)


CASES = [
    # LowRankMultivariateNormal
    case('lr_log_prob', lambda D, T, m, w, d, x: lr(D, m, w, d).log_prob(x), [LOC, W, DIAG, X]),
    case('lr_stats', lambda D, T, m, w, d: stats(lr(D, m, w, d)), [LOC, W, DIAG]),
    case('lr_matrices', lambda D, T, m, w, d: lr_matrices(lr(D, m, w, d)), [LOC, W, DIAG]),
    case('lr_batched_factor', lambda D, T, m, w, d, x: (lr(D, m, w, d).log_prob(x), lr(D, m, w, d).entropy())
         + lr_matrices(lr(D, m, w, d)), [LOC1, WB, DIAG2, X]),
    case('lr_rank1', lambda D, T, m, w, d, x: (lr(D, m, w, d).log_prob(x),) + stats(lr(D, m, w, d)),
         [LOC1, W[:, :1], DIAG, X]),
    case('lr_expand', lambda D, T, m, w, d, x: lr(D, m, w, d).expand((4, 2)).log_prob(x), [LOC, W, DIAG, X]),
    case('lr_expand_stats', lambda D, T, m, w, d: stats(lr(D, m, w, d).expand((3,))) + lr_matrices(
        lr(D, m, w, d).expand((3,))), [LOC1, W, DIAG]),
    case('lr_broadcast_attrs', lambda D, T, m, w, d: (lr(D, m, w, d).loc, lr(D, m, w, d).cov_factor,
                                                      lr(D, m, w, d).cov_diag), [LOC, W, DIAG]),
    case('lr_f32', lambda D, T, m, w, d, x: lr(D, m.float(), w.float(), d.float()).log_prob(x.float()),
         [LOC, W, DIAG, X], rtol=1e-5, atol=1e-5, grad=False),   # float32: values and dtype only
    case('lr_kl_lr', lambda D, T, m, w, d, m2, w2, d2: D.kl_divergence(lr(D, m, w, d), lr(D, m2, w2, d2)),
         [LOC, W, DIAG, LOC1, WB, DIAG2]),
    case('lr_kl_mvn', lambda D, T, m, w, d, m2, L: D.kl_divergence(lr(D, m, w, d), D.MultivariateNormal(
        m2, scale_tril=L)), [LOC, W, DIAG, LOC1, TRIL]),
    case('mvn_kl_lr', lambda D, T, m2, c, m, w, d: D.kl_divergence(D.MultivariateNormal(m2, c), lr(D, m, w, d)),
         [LOC1, COV, LOC, WB, DIAG]),
    case('lr_kl_self', lambda D, T, m, w, d: D.kl_divergence(lr(D, m, w, d), lr(D, m, w, d)), [LOC, W, DIAG]),
    case('lr_vs_mvn_log_prob', lambda D, T, m, w, d, x: lr(D, m, w, d).log_prob(x) - D.MultivariateNormal(
        m, w @ w.mT + T.diag_embed(d)).log_prob(x), [LOC, W, DIAG, X]),
    # ContinuousBernoulli
    case('cb_probs', lambda D, T, p, x, u: cb_all(D.ContinuousBernoulli(p), x, u), [PROBS, VALS, UNIT]),
    case('cb_logits', lambda D, T, lg, x, u: cb_all(D.ContinuousBernoulli(logits=lg), x, u), [LOGITS, VALS, UNIT]),
    case('cb_lims', lambda D, T, p, x, u: cb_all(D.ContinuousBernoulli(p, lims=(0.2, 0.75)), x, u),
         [PROBS, VALS, UNIT]),
    case('cb_scalar', lambda D, T, x: (D.ContinuousBernoulli(0.3).log_prob(x), D.ContinuousBernoulli(0.3).mean),
         [VALS], rtol=1e-5, atol=1e-6),
    case('cb_broadcast_value', lambda D, T, p, x: D.ContinuousBernoulli(p).log_prob(x), [PROBS[:3], VALS[:3, None]]),
    case('cb_expand', lambda D, T, p, x: (D.ContinuousBernoulli(p).expand((2, 10)).log_prob(x),
                                          D.ContinuousBernoulli(logits=p).expand((3, 10)).entropy()), [PROBS, VALS]),
    case('cb_expfamily_entropy', lambda D, T, p: D.ExponentialFamily.entropy(D.ContinuousBernoulli(p)),
         [a(0.1, 0.3, 0.7, 0.9)]),
    case('cb_log_normalizer', lambda D, T, lg: D.ContinuousBernoulli(logits=lg)._log_normalizer(lg), [LOGITS]),
    case('cb_perplexity', lambda D, T, p: D.ContinuousBernoulli(p).perplexity(), [PROBS]),
    # float32 (values and dtype; near lims the closed form cancels badly in float32, so away from 1/2)
    case('cb_f32', lambda D, T, p, x: D.ContinuousBernoulli(p.float()).log_prob(x.float()),
         [a(0.1, 0.3, 0.5, 0.8, 0.97), VALS[:5]], rtol=1e-5, atol=1e-5, grad=False),
    case('cb_clamped', lambda D, T, p: stats(D.ContinuousBernoulli(p, validate_args=False)) + (
        D.ContinuousBernoulli(p).probs,), [a(0.0, 1.0, 0.5)]),
    case('kl_cb_cb', lambda D, T, p, q: D.kl_divergence(D.ContinuousBernoulli(p), D.ContinuousBernoulli(q)),
         [PROBS, PROBS2]),
    case('kl_beta_cb', lambda D, T, c1, c0, q: D.kl_divergence(D.Beta(c1, c0), D.ContinuousBernoulli(q)),
         [rnd(10, low=0.5, high=3.0, seed=31), rnd(10, low=0.5, high=3.0, seed=32), PROBS]),
    case('kl_uniform_cb', lambda D, T, lo, hi, q: D.kl_divergence(D.Uniform(lo, hi), D.ContinuousBernoulli(q)),
         [a(0.1, 0.0, 0.3, 0.2), a(0.5, 0.5, 1.0, 0.9), PROBS[:4]]),
    case('kl_cb_exponential', lambda D, T, p, r: D.kl_divergence(D.ContinuousBernoulli(p), D.Exponential(r)),
         [PROBS, rnd(10, low=0.5, high=3.0, seed=33)]),
    case('kl_cb_normal', lambda D, T, p, m, s: D.kl_divergence(D.ContinuousBernoulli(p), D.Normal(m, s)),
         [PROBS, rnd(10, seed=34), rnd(10, low=0.5, high=2.0, seed=35)]),
    case('kl_cb_uniform', lambda D, T, p, lo, hi: D.kl_divergence(D.ContinuousBernoulli(p), D.Uniform(lo, hi)),
         [PROBS[:4], a(-0.5, 0.1, -1.0, 0.0), a(1.5, 2.0, 0.9, 1.0)]),
    case('kl_cb_pareto', lambda D, T, p: D.kl_divergence(D.ContinuousBernoulli(p), D.Pareto(1.0, 2.0)), [PROBS]),
    case('kl_infinite_to_cb', lambda D, T, q: [D.kl_divergence(d, D.ContinuousBernoulli(q)) for d in (
        D.Exponential(T.ones(10)), D.Gamma(T.ones(10), T.ones(10)), D.Gumbel(T.zeros(10), T.ones(10)),
        D.Laplace(T.zeros(10), T.ones(10)), D.Normal(T.zeros(10), T.ones(10)), D.Pareto(T.ones(10), T.ones(10)))],
         [PROBS]),
]


@pytest.mark.parametrize('fn,arrays,kw', CASES)
def test_values_and_grads(fn, arrays, kw):
    dcheck(fn, arrays, **kw)


def test_kl_registry_matches_torch():
    from torch.distributions.kl import _KL_REGISTRY as treg
    from ember.distributions.kl import _KL_REGISTRY as ereg
    names = ('LowRankMultivariateNormal', 'ContinuousBernoulli')
    want = {(p.__name__, q.__name__, f.__name__) for (p, q), f in treg.items()
            if p.__name__ in names or q.__name__ in names}
    got = {(p.__name__, q.__name__, f.__name__) for (p, q), f in ereg.items()
           if p.__name__ in names or q.__name__ in names}
    assert got == want


# ---- sampling


def _dists(D, T):
    return [D.LowRankMultivariateNormal(T.tensor([[1.0, -1.0, 0.5]]), T.tensor([[1.0], [0.5], [-0.3]]),
                                        T.tensor([0.5, 1.0, 0.2])),
            D.ContinuousBernoulli(T.tensor([0.2, 0.5, 0.9])),
            D.ContinuousBernoulli(logits=T.tensor([[0.3], [-2.0]]))]


def test_sample_shapes():
    for t, e in zip(_dists(torch.distributions, torch), _dists(ember.distributions, ember)):
        for shape in [(), (5,), (2, 3)]:
            ts, es = t.sample(shape), e.sample(shape)
            assert tuple(es.shape) == tuple(ts.shape)
            assert str(es.dtype)[6:] == str(ts.dtype)[6:]
            assert tuple(e.rsample(shape).shape) == tuple(t.rsample(shape).shape)
            assert es.device == e.rsample(shape).device == ember.empty(0).device
        assert e.has_rsample == t.has_rsample and e.has_enumerate_support == t.has_enumerate_support
        assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)
        assert on_host(repr(e)) == repr(t).replace('torch.', 'ember.')


def test_sample_moments():
    ember.manual_seed(0)
    n = 40000
    for d in _dists(ember.distributions, ember):
        x = d.sample((n,)).double()
        se = (d.variance.double() / n).sqrt()
        assert bool(((x.mean(0) - d.mean.double()).abs() <= 5 * se + 1e-9).all())
        np.testing.assert_allclose(x.var(0).cpu().numpy(), d.variance.double().cpu().numpy(), rtol=0.1)
    lrd = _dists(ember.distributions, ember)[0]
    x = lrd.sample((n,)).double()[:, 0]
    xc = x - x.mean(0)
    np.testing.assert_allclose((xc.T @ xc / n).cpu().numpy(), lrd.covariance_matrix[0].double().cpu().numpy(), atol=0.05)
    cb = ember.distributions.ContinuousBernoulli(ember.tensor([0.2, 0.9]))
    assert bool(((cb.sample((1000,)) >= 0) & (cb.sample((1000,)) <= 1)).all())


def test_lowrank_rsample_same_noise(monkeypatch):
    """With the standard-normal draws fixed, rsample and its gradients equal torch's."""
    import torch.distributions.lowrank_multivariate_normal as tmod
    import ember.distributions.lowrank_mvn as emod
    rng = np.random.default_rng(3)
    noise = {}           # shape -> draws; torch and ember ask for the same shapes in the same order

    def fake(lib):
        def draw(shape, dtype, device):
            shape = tuple(shape)
            if shape not in noise:
                noise[shape] = rng.standard_normal(shape)
            return lib.tensor(noise[shape], dtype=dtype)
        return draw
    monkeypatch.setattr(tmod, '_standard_normal', fake(torch))
    monkeypatch.setattr(emod, '_standard_normal', fake(ember))
    dcheck(lambda D, T, m, w, d: lr(D, m, w, d).rsample((5,)), [LOC, W, DIAG])


def test_cb_rsample_grad():
    """rsample is icdf of uniform noise: gradients flow to probs."""
    ember.manual_seed(0)
    p = ember.tensor([0.2, 0.7], dtype=ember.float64, requires_grad=True)
    x = ember.distributions.ContinuousBernoulli(p).rsample((20000,))
    assert x.grad_fn is not None
    x.mean(0).sum().backward()
    p2 = p.detach().requires_grad_()
    ember.distributions.ContinuousBernoulli(p2).mean.sum().backward()      # d E[x] / dp
    np.testing.assert_allclose(p.grad.cpu().numpy(), p2.grad.cpu().numpy(), rtol=0.05)


def test_gradcheck():
    D = ember.distributions
    m, w, d = (ember.tensor(v, requires_grad=True) for v in (LOC, W, DIAG))
    x = ember.tensor(X)
    assert ember.autograd.gradcheck(lambda m, w, d: D.LowRankMultivariateNormal(m, w, d).log_prob(x), (m, w, d))
    assert ember.autograd.gradgradcheck(lambda m, w, d: D.LowRankMultivariateNormal(m, w, d).entropy(), (m, w, d))
    p = ember.tensor(a(0.2, 0.4, 0.7), requires_grad=True)
    v = ember.tensor(a(0.1, 0.5, 0.9))
    assert ember.autograd.gradcheck(lambda p: D.ContinuousBernoulli(p).log_prob(v), (p,))
    assert ember.autograd.gradgradcheck(lambda p: D.ContinuousBernoulli(p).entropy(), (p,))


# ---- errors (same type and message as torch)

ERRORS = [
    case('lr_loc_0d', lambda D, T: D.LowRankMultivariateNormal(T.tensor(0.), T.ones(1, 1), T.ones(1)), []),
    case('lr_factor_1d', lambda D, T: D.LowRankMultivariateNormal(T.zeros(3), T.ones(3), T.ones(3)), []),
    case('lr_factor_rows', lambda D, T: D.LowRankMultivariateNormal(T.zeros(3), T.ones(2, 2), T.ones(3)), []),
    case('lr_diag_len', lambda D, T: D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 2), T.ones(2)), []),
    case('lr_batch', lambda D, T: D.LowRankMultivariateNormal(T.zeros(2, 3), T.ones(4, 3, 2), T.ones(3)), []),
    case('lr_diag_negative', lambda D, T: D.LowRankMultivariateNormal(
        T.zeros(3), T.zeros(3, 2), T.tensor([1., -1e-3, 1.])), []),
    case('lr_loc_nan', lambda D, T: D.LowRankMultivariateNormal(
        T.tensor([0., float('nan'), 1.]), T.zeros(3, 2), T.ones(3)), []),
    case('lr_value_shape', lambda D, T: D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)).log_prob(
        T.zeros(2)), []),
    case('lr_value_type', lambda D, T: D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)).log_prob(
        [0., 0., 0.]), []),
    case('lr_kl_events', lambda D, T: D.kl_divergence(
        D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)),
        D.LowRankMultivariateNormal(T.zeros(2), T.ones(2, 1), T.ones(2))), []),
    case('lr_mvn_kl_events', lambda D, T: D.kl_divergence(
        D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3)), D.MultivariateNormal(T.zeros(2), T.eye(2))),
         []),
    case('mvn_lr_kl_events', lambda D, T: D.kl_divergence(
        D.MultivariateNormal(T.zeros(2), T.eye(2)), D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1), T.ones(3))),
         []),
    case('cb_both', lambda D, T: D.ContinuousBernoulli(0.3, 0.2), []),
    case('cb_none', lambda D, T: D.ContinuousBernoulli(), []),
    case('cb_probs_invalid', lambda D, T: D.ContinuousBernoulli(T.tensor([0.5, 1.5]), validate_args=True), []),
    case('cb_probs_invalid_novalidate', lambda D, T: D.ContinuousBernoulli(T.tensor([-0.5]), validate_args=False), []),
    case('cb_logits_nan', lambda D, T: D.ContinuousBernoulli(logits=T.tensor([float('nan')])), []),
    case('cb_support', lambda D, T: D.ContinuousBernoulli(0.3).log_prob(T.tensor(1.5)), []),
    case('cb_cdf_support', lambda D, T: D.ContinuousBernoulli(T.tensor([0.3])).cdf(T.tensor([-0.5])), []),
    case('cb_bad_arg', lambda D, T: D.ContinuousBernoulli('a'), []),
    case('cb_kl_gamma', lambda D, T: D.kl_divergence(D.ContinuousBernoulli(0.3), D.Gamma(1.0, 1.0)), []),
]


@pytest.mark.parametrize('fn,arrays,kw', ERRORS)
def test_errors(fn, arrays, kw):
    same_error(fn)


def test_cb_probs_invalid_default_validation_clamps():
    """With validate_args left at None, out-of-range probs are clamped, not refused (as torch)."""
    for D, T in ((torch.distributions, torch), (ember.distributions, ember)):
        d = D.ContinuousBernoulli(T.tensor([1.5, -0.5]))
        assert d.probs.tolist() == [1 - T.finfo(T.float32).eps, T.finfo(T.float32).eps]


def test_lazy_attributes():
    for D, T in ((torch.distributions, torch), (ember.distributions, ember)):
        d = D.LowRankMultivariateNormal(T.zeros(2, 3), T.ones(3, 1), T.ones(3))
        assert tuple(d._unbroadcasted_cov_factor.shape) == (3, 1) and tuple(d._capacitance_tril.shape) == (1, 1)
        e = d.expand((4, 2))
        assert e._capacitance_tril is d._capacitance_tril
        c = D.ContinuousBernoulli(logits=T.zeros(3))
        assert 'probs' not in c.__dict__ and tuple(c.param_shape) == (3,)
        assert c.expand((2, 3))._lims == c._lims
