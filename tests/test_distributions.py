"""ember.distributions against torch.distributions.

Values (log_prob, entropy, mean, variance, cdf, icdf, KL) and the gradients of a random
combination of them with respect to the parameters are compared with torch on the same
parameters. Sampling, errors, reprs and constraints are in test_distributions_sampling.py.
"""
import numpy as np
import pytest
import torch

import ember
from helpers import _build, case

F64 = np.float64
HAS_GAMMA = hasattr(ember, 'lgamma') and hasattr(ember, 'digamma')
needs_gamma = pytest.mark.skipif(not HAS_GAMMA, reason='ember.lgamma/digamma not available yet')


def _lib_tensors(lib, arrays):
    """The arrays as ``lib`` tensors (float ones requiring grad); other values as they are."""
    return _build(lib, arrays, [isinstance(a, np.ndarray) and a.dtype.kind == 'f' for a in arrays])


def _flat(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


def dcheck(fn, arrays, grad=True, rtol=1e-7, atol=1e-10):
    """fn(D, T, *params) on torch and ember: same values, shapes, dtypes; same gradients of a
    random weighted sum of the (finite) outputs with respect to every float parameter."""
    tx, ex = _lib_tensors(torch, arrays), _lib_tensors(ember, arrays)
    tout = _flat(fn(torch.distributions, torch, *tx))
    eout = _flat(fn(ember.distributions, ember, *ex))
    assert len(tout) == len(eout)
    for i, (t, e) in enumerate(zip(tout, eout)):
        assert tuple(e.shape) == tuple(t.shape), f'output {i}: shape {tuple(e.shape)} != {tuple(t.shape)}'
        assert str(e.dtype).replace('ember.', '') == str(t.dtype).replace('torch.', ''), f'output {i} dtype'
        np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=rtol, atol=atol,
                                   equal_nan=True, err_msg=f'output {i}')
    if not grad:
        return
    rng = np.random.default_rng(1)
    tl, el = 0, 0
    for t, e in zip(tout, eout):
        if t.requires_grad and t.dtype.is_floating_point:
            w = rng.standard_normal(tuple(t.shape))
            w = np.where(np.isfinite(t.detach().numpy()), w, 0.0)
            tl = tl + (torch.nan_to_num(t, posinf=0., neginf=0.) * torch.tensor(w, dtype=t.dtype)).sum()
            el = el + (ember.nan_to_num(e, posinf=0., neginf=0.) * ember.tensor(w, dtype=e.dtype)).sum()
    if isinstance(tl, int):
        return
    tl.backward()
    el.backward()
    for i, (t, e) in enumerate(zip(tx, ex)):
        if isinstance(t, torch.Tensor) and t.requires_grad:
            if t.grad is None:
                assert e.grad is None, f'grad of param {i}: ember has one, torch None'
                continue
            assert e.grad is not None, f'grad of param {i}: ember has None'
            np.testing.assert_allclose(e.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-9,
                                       err_msg=f'grad of param {i}')


def a(*v):
    return np.array(v, dtype=F64)


def rnd(*shape, low=-2.0, high=2.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, shape)


def spd(n, seed=0, batch=()):
    x = np.random.default_rng(seed).uniform(-1, 1, batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


POS = rnd(2, 3, low=0.5, high=2.0, seed=1)
POS2 = rnd(2, 3, low=0.5, high=2.0, seed=2)
LOC = rnd(2, 3, seed=3)
LOC2 = rnd(3, seed=4)
PROB = rnd(2, 3, low=0.05, high=0.95, seed=5)
UNIT = rnd(2, 3, low=0.05, high=0.95, seed=6)


def stats(d):
    """The usual quantities of a distribution."""
    return d.mean, d.variance, d.stddev, d.entropy()


CASES = [
    # Normal
    case('normal_log_prob', lambda D, T, m, s, x: D.Normal(m, s).log_prob(x), [LOC, POS, LOC2]),
    case('normal_stats', lambda D, T, m, s: stats(D.Normal(m, s)) + (D.Normal(m, s).mode,), [LOC, POS]),
    case('normal_cdf_icdf', lambda D, T, m, s, x, u: (D.Normal(m, s).cdf(x), D.Normal(m, s).icdf(u)),
         [LOC, POS, LOC2, UNIT]),
    case('normal_scalar_params', lambda D, T, x: D.Normal(0.5, 2.0).log_prob(x), [LOC]),
    case('normal_mixed_params', lambda D, T, m, x: D.Normal(m, 2.0).log_prob(x) + D.Normal(1., m.exp()).entropy(),
         [LOC2, LOC]),
    case('normal_perplexity', lambda D, T, m, s: D.Normal(m, s).perplexity(), [LOC, POS]),
    case('normal_expand', lambda D, T, m, s, x: D.Normal(m, s).expand((4, 3)).log_prob(x), [LOC2, POS[0], LOC2]),
    case('normal_f32', lambda D, T, x: D.Normal(T.zeros(3), T.ones(3)).log_prob(x.float()), [LOC2]),
    case('normal_expfamily_entropy', lambda D, T, m, s: D.ExponentialFamily.entropy(D.Normal(m, s)), [LOC, POS]),
    # LogNormal
    case('lognormal_log_prob', lambda D, T, m, s, x: D.LogNormal(m, s).log_prob(x), [LOC, POS, POS2]),
    case('lognormal_stats', lambda D, T, m, s: stats(D.LogNormal(m, s)) + (D.LogNormal(m, s).mode,), [LOC, POS]),
    case('lognormal_cdf_icdf', lambda D, T, m, s, x, u: (D.LogNormal(m, s).cdf(x), D.LogNormal(m, s).icdf(u)),
         [LOC, POS, POS2, UNIT]),
    # Uniform
    case('uniform_log_prob', lambda D, T, lo, w, u: D.Uniform(lo, lo + w).log_prob(lo.detach() + u * w.detach()),
         [LOC, POS, UNIT]),
    case('uniform_outside', lambda D, T, lo, w, x: D.Uniform(lo, lo + w, validate_args=False).log_prob(x),
         [LOC, POS, LOC2]),
    case('uniform_stats', lambda D, T, lo, w: stats(D.Uniform(lo, lo + w)), [LOC, POS]),
    case('uniform_cdf_icdf', lambda D, T, lo, w, x, u: (D.Uniform(lo, lo + w, validate_args=False).cdf(x),
                                                        D.Uniform(lo, lo + w).icdf(u)), [LOC, POS, LOC2, UNIT]),
    # Exponential
    case('exponential_all', lambda D, T, r, x, u: stats(D.Exponential(r)) + (
        D.Exponential(r).log_prob(x), D.Exponential(r).cdf(x), D.Exponential(r).icdf(u), D.Exponential(r).mode),
         [POS, POS2, UNIT]),
    case('exponential_expfamily_entropy', lambda D, T, r: D.ExponentialFamily.entropy(D.Exponential(r)), [POS]),
    # Laplace
    case('laplace_all', lambda D, T, m, s, x, u: stats(D.Laplace(m, s)) + (
        D.Laplace(m, s).log_prob(x), D.Laplace(m, s).cdf(x), D.Laplace(m, s).icdf(u)), [LOC, POS, LOC2, UNIT]),
    # Bernoulli
    case('bernoulli_probs', lambda D, T, p, x: (D.Bernoulli(p).log_prob(x), D.Bernoulli(p).entropy(),
                                                D.Bernoulli(p).variance, D.Bernoulli(p).logits),
         [PROB, (PROB > 0.5).astype(F64)]),
    case('bernoulli_logits', lambda D, T, lg, x: (D.Bernoulli(logits=lg).log_prob(x), D.Bernoulli(logits=lg).entropy(),
                                                  D.Bernoulli(logits=lg).mean, D.Bernoulli(logits=lg).mode),
         [LOC, (LOC > 0).astype(F64)]),
    case('bernoulli_edges', lambda D, T: D.Bernoulli(T.tensor([0., 1., 0.5])).log_prob(T.tensor([0., 1., 1.])), []),
    case('bernoulli_mode_half', lambda D, T: D.Bernoulli(T.tensor([0.5, 0.7, 0.2])).mode, []),
    case('bernoulli_enumerate', lambda D, T, p: (D.Bernoulli(p).enumerate_support(),
                                                 D.Bernoulli(p).enumerate_support(False)), [PROB]),
    # Categorical
    case('categorical_probs', lambda D, T, p: (D.Categorical(probs=p).log_prob(T.tensor([0, 2])),
                                               D.Categorical(probs=p).entropy(), D.Categorical(probs=p).logits,
                                               D.Categorical(probs=p).mode, D.Categorical(probs=p).mean), [POS]),
    case('categorical_logits', lambda D, T, lg: (D.Categorical(logits=lg).log_prob(T.tensor([[1], [2]])),
                                                 D.Categorical(logits=lg).entropy(), D.Categorical(logits=lg).probs),
         [LOC]),
    case('categorical_zero_prob', lambda D, T: (D.Categorical(T.tensor([0., 0.3, 0.7])).entropy(),
                                                D.Categorical(T.tensor([0., 0.3, 0.7])).log_prob(T.tensor(0))), []),
    case('categorical_enumerate', lambda D, T, p: (D.Categorical(p).enumerate_support(),
                                                   D.Categorical(p).enumerate_support(False)), [POS]),
    case('categorical_expand', lambda D, T, lg: D.Categorical(logits=lg).expand((4, 2)).log_prob(T.tensor([1, 0])),
         [LOC]),
    # OneHotCategorical
    case('onehot', lambda D, T, p: (D.OneHotCategorical(p).log_prob(T.eye(3)[[2, 0]]), D.OneHotCategorical(p).entropy(),
                                    D.OneHotCategorical(p).mean, D.OneHotCategorical(p).variance,
                                    D.OneHotCategorical(p).mode), [POS]),
    case('onehot_enumerate', lambda D, T, lg: D.OneHotCategorical(logits=lg).enumerate_support(), [LOC]),
    # MultivariateNormal
    case('mvn_cov', lambda D, T, m, c, x: (D.MultivariateNormal(m, c).log_prob(x), D.MultivariateNormal(m, c).entropy(),
                                           D.MultivariateNormal(m, c).variance, D.MultivariateNormal(m, c).scale_tril,
                                           D.MultivariateNormal(m, c).precision_matrix),
         [LOC, spd(3), rnd(4, 1, 3, seed=9)]),
    case('mvn_precision', lambda D, T, m, p, x: (D.MultivariateNormal(m, precision_matrix=p).log_prob(x),
                                                 D.MultivariateNormal(m, precision_matrix=p).covariance_matrix,
                                                 D.MultivariateNormal(m, precision_matrix=p).scale_tril),
         [LOC2, spd(3, 1), rnd(2, 3, seed=8)]),
    case('mvn_scale_tril', lambda D, T, m, L, x: (D.MultivariateNormal(m, scale_tril=L.tril()).log_prob(x),
                                                  D.MultivariateNormal(m, scale_tril=L.tril()).entropy(),
                                                  D.MultivariateNormal(m, scale_tril=L.tril()).covariance_matrix),
         [LOC2, np.linalg.cholesky(spd(3, 2, (2,))), rnd(3, seed=7)]),
    case('mvn_batched_cov', lambda D, T, m, c, x: D.MultivariateNormal(m, c).log_prob(x), [LOC2, spd(3, 3, (2,)), LOC]),
    case('mvn_expand', lambda D, T, m, c: D.MultivariateNormal(m, c).expand((5,)).entropy(), [LOC2, spd(3)]),
    # Independent
    case('independent', lambda D, T, m, s, x: (D.Independent(D.Normal(m, s), 1).log_prob(x),
                                               D.Independent(D.Normal(m, s), 2).entropy(),
                                               D.Independent(D.Normal(m, s), 1).mean), [LOC, POS, LOC2]),
    case('independent_expand', lambda D, T, m, s, x: D.Independent(D.Normal(m, s), 1).expand((4, 2)).log_prob(x),
         [LOC, POS, LOC2]),
    # KL
    case('kl_normal', lambda D, T, m, s, m2, s2: D.kl_divergence(D.Normal(m, s), D.Normal(m2, s2)),
         [LOC, POS, LOC2, POS2]),
    case('kl_normal_expfamily', lambda D, T, m, s, m2, s2: D.kl.kl_divergence(
        D.Normal(m, s), D.Normal(m2, s2)) - D.kl._kl_expfamily_expfamily(D.Normal(m, s), D.Normal(m2, s2)),
         [LOC, POS, LOC2, POS2[0]], ),
    case('kl_lognormal', lambda D, T, m, s, m2, s2: D.kl_divergence(D.LogNormal(m, s), D.LogNormal(m2, s2)),
         [LOC, POS, LOC2, POS2]),
    case('kl_bernoulli', lambda D, T, p, q: D.kl_divergence(D.Bernoulli(p), D.Bernoulli(logits=q)), [PROB, LOC]),
    case('kl_bernoulli_edges', lambda D, T: D.kl_divergence(D.Bernoulli(T.tensor([0., 1., 0.5, 0.5])),
                                                            D.Bernoulli(T.tensor([0.5, 0.5, 0., 1.]))), []),
    case('kl_categorical', lambda D, T, p, q: D.kl_divergence(D.Categorical(p), D.Categorical(logits=q)), [POS, LOC]),
    case('kl_categorical_zero', lambda D, T: D.kl_divergence(D.Categorical(T.tensor([[0., 1.], [0.5, 0.5]])),
                                                             D.Categorical(T.tensor([[0.5, 0.5], [0., 1.]]))), []),
    case('kl_onehot', lambda D, T, p, q: D.kl_divergence(D.OneHotCategorical(p), D.OneHotCategorical(q)), [POS, POS2]),
    case('kl_uniform', lambda D, T, lo, w, lo2, w2: D.kl_divergence(D.Uniform(lo, lo + w), D.Uniform(lo2, lo2 + w2)),
         [a(0., 0., 1.), a(1., 1., 1.), a(-1., 0.5, 0.), a(3., 1., 3.)]),
    case('kl_exponential', lambda D, T, r, r2: D.kl_divergence(D.Exponential(r), D.Exponential(r2)), [POS, POS2]),
    case('kl_laplace', lambda D, T, m, s, m2, s2: D.kl_divergence(D.Laplace(m, s), D.Laplace(m2, s2)),
         [LOC, POS, LOC2, POS2]),
    case('kl_mvn', lambda D, T, m, c, m2, c2: D.kl_divergence(D.MultivariateNormal(m, c), D.MultivariateNormal(m2, c2)),
         [LOC, spd(3), LOC2, spd(3, 5, (2,))]),
    case('kl_mvn_tril', lambda D, T, m, L, m2, c2: D.kl_divergence(D.MultivariateNormal(m, scale_tril=L.tril()),
                                                                 D.MultivariateNormal(m2, precision_matrix=c2)),
         [LOC2, np.linalg.cholesky(spd(3, 2)), LOC2 * 2, spd(3, 5)]),
    case('kl_independent', lambda D, T, m, s, m2, s2: D.kl_divergence(D.Independent(D.Normal(m, s), 1),
                                                                      D.Independent(D.Normal(m2, s2), 1)),
         [LOC, POS, LOC2, POS2]),
    case('kl_exponential_normal', lambda D, T, r, m, s: D.kl_divergence(D.Exponential(r), D.Normal(m, s)),
         [POS, LOC, POS2]),
    case('kl_laplace_normal', lambda D, T, m, s, m2, s2: (D.kl_divergence(D.Laplace(m, s), D.Normal(m2, s2)),
                                                          D.kl_divergence(D.Normal(m, s), D.Laplace(m2, s2))),
         [LOC, POS, LOC2, POS2]),
    case('kl_uniform_normal_exp', lambda D, T, lo, w, m, s: (D.kl_divergence(D.Uniform(lo, lo + w), D.Normal(m, s)),
                                                             D.kl_divergence(D.Uniform(lo, lo + w), D.Exponential(s))),
         [LOC, POS, LOC2, POS2]),
    case('kl_infinite', lambda D, T, m, s: (D.kl_divergence(D.Normal(m, s), D.Uniform(m - 1, m + 1)),
                                            D.kl_divergence(D.Laplace(m, s), D.Exponential(s)),
                                            D.kl_divergence(D.Exponential(s), D.Uniform(m - 1, m + 1))), [LOC, POS]),
]

GAMMA_CASES = [
    case('gamma_all', lambda D, T, c, r, x: stats(D.Gamma(c, r)) + (D.Gamma(c, r).log_prob(x), D.Gamma(c, r).mode),
         [POS, POS2, POS2 * 2]),
    case('gamma_cdf', lambda D, T, c, r, x: D.Gamma(c, r).cdf(x), [POS, POS2, POS2 * 2],
         grad=False),   # torch has no derivative of igamma in its first argument
    case('gamma_scalar', lambda D, T, x: D.Gamma(2.0, 3.0).log_prob(x) + D.Gamma(2.0, 3.0).entropy(), [POS],
         rtol=1e-6),   # float32 parameters
    case('gamma_expfamily_entropy', lambda D, T, c, r: D.ExponentialFamily.entropy(D.Gamma(c, r)), [POS, POS2]),
    case('beta_all', lambda D, T, c1, c0, x: stats(D.Beta(c1, c0)) + (D.Beta(c1, c0).log_prob(x), D.Beta(c1, c0).mode),
         [POS + 1, POS2 + 1, UNIT]),
    case('beta_scalar', lambda D, T, x: D.Beta(0.5, 2.0).log_prob(x) + D.Beta(0.5, 2.0).entropy(), [UNIT],
         rtol=1e-6),
    case('dirichlet_all', lambda D, T, c, x: stats(D.Dirichlet(c)) + (D.Dirichlet(c).log_prob(x / x.sum(-1, True)),),
         [POS, POS2]),
    case('dirichlet_mode', lambda D, T, c: D.Dirichlet(c).mode, [a(2., 3., 4.)]),
    case('poisson_all', lambda D, T, r, k: (D.Poisson(r).log_prob(k), D.Poisson(r).mean, D.Poisson(r).variance,
                                            D.Poisson(r).mode), [POS * 3, np.floor(POS2 * 3)]),
    case('binomial_probs', lambda D, T, p, k: (D.Binomial(5, p).log_prob(k), D.Binomial(5, p).entropy(),
                                               D.Binomial(5, p).mean, D.Binomial(5, p).variance, D.Binomial(5, p).mode),
         [PROB, np.floor(PROB * 5.5)]),
    case('binomial_logits', lambda D, T, lg, n, k: D.Binomial(n, logits=lg).log_prob(k),
         [LOC, np.array([[3.], [7.]]), np.floor(PROB * 3)]),
    case('binomial_enumerate', lambda D, T, p: D.Binomial(T.tensor([3., 3.]), p).enumerate_support(), [PROB[0, :2]]),
    case('kl_gamma', lambda D, T, c, r, c2, r2: D.kl_divergence(D.Gamma(c, r), D.Gamma(c2, r2)), [POS, POS2, POS2, POS]),
    case('kl_beta', lambda D, T, c, r, c2, r2: D.kl_divergence(D.Beta(c, r), D.Beta(c2, r2)), [POS, POS2, POS2, POS]),
    case('kl_dirichlet', lambda D, T, c, c2: D.kl_divergence(D.Dirichlet(c), D.Dirichlet(c2)), [POS, POS2]),
    case('kl_poisson', lambda D, T, r, r2: D.kl_divergence(D.Poisson(r), D.Poisson(r2)), [POS, POS2]),
    case('kl_binomial', lambda D, T, p, q: D.kl_divergence(D.Binomial(4, p), D.Binomial(4, q)), [PROB, UNIT]),
    case('kl_exponential_gamma', lambda D, T, r, c, r2: (D.kl_divergence(D.Exponential(r), D.Gamma(c, r2)),
                                                         D.kl_divergence(D.Gamma(c, r2), D.Exponential(r))),
         [POS, POS2, POS]),
    case('kl_bernoulli_poisson', lambda D, T, p, r: D.kl_divergence(D.Bernoulli(p), D.Poisson(r)), [PROB, POS]),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_values_and_grads(fn, specs, kw):
    dcheck(fn, specs, **kw)


@needs_gamma
@pytest.mark.parametrize('fn,specs,kw', GAMMA_CASES)
def test_gamma_family(fn, specs, kw):
    dcheck(fn, specs, **kw)
