"""ember.distributions against torch.distributions: sampling, errors, reprs, constraints.

Samples can't match torch's random stream, so they are checked for shape/dtype against
torch and for their moments (fixed seed, many draws, bounds of several standard errors);
reparameterised gradients are checked in expectation. Validation errors and reprs are
compared string for string with torch (``torch.`` read as ``ember.``).
"""
import numpy as np
import pytest
import torch

import ember
from helpers import case
from test_distributions import HAS_GAMMA, needs_gamma, rnd, spd


POS = rnd(2, 3, low=0.5, high=2.0, seed=1)
LOC = rnd(2, 3, seed=3)
LOC2 = rnd(3, seed=4)


# ---- sampling: shapes (sample_shape + batch_shape + event_shape) and moments

def _dists(D, T):
    out = [
        ('normal', D.Normal(T.tensor([0.5, -1.0]), T.tensor([1.0, 2.0]))),
        ('lognormal', D.LogNormal(T.tensor([0.1, -0.3]), T.tensor([0.3, 0.5]))),
        ('uniform', D.Uniform(T.tensor([0.0, -1.0]), T.tensor([1.0, 3.0]))),
        ('exponential', D.Exponential(T.tensor([0.5, 3.0]))),
        ('laplace', D.Laplace(T.tensor([0.5, -1.0]), T.tensor([1.0, 0.5]))),
        ('bernoulli', D.Bernoulli(T.tensor([0.2, 0.7]))),
        ('categorical', D.Categorical(T.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))),
        ('onehot', D.OneHotCategorical(T.tensor([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]))),
        ('mvn', D.MultivariateNormal(T.tensor([1.0, -1.0]), T.tensor([[2.0, 0.5], [0.5, 1.0]]))),
        ('independent', D.Independent(D.Normal(T.zeros(2, 3), T.ones(2, 3)), 1)),
    ]
    if D is torch.distributions or HAS_GAMMA:
        out += [('gamma', D.Gamma(T.tensor([0.5, 4.0]), T.tensor([1.0, 2.0]))),
                ('beta', D.Beta(T.tensor([0.5, 4.0]), T.tensor([2.0, 1.5]))),
                ('dirichlet', D.Dirichlet(T.tensor([[0.5, 1.0, 2.0], [3.0, 1.0, 1.0]]))),
                ('poisson', D.Poisson(T.tensor([0.5, 7.0]))),
                ('binomial', D.Binomial(T.tensor([4.0, 10.0]), T.tensor([0.3, 0.8])))]
    return out


def test_sample_shapes_and_dtypes():
    for (name, t), (_, e) in zip(_dists(torch.distributions, torch), _dists(ember.distributions, ember)):
        for shape in [(), (5,), (2, 3)]:
            ts, es = t.sample(shape), e.sample(shape)
            assert tuple(es.shape) == tuple(ts.shape), name
            assert str(es.dtype)[6:] == str(ts.dtype)[6:], name
            assert not es.requires_grad, name
            assert es.device == ember.empty(0).device, name          # drawn on the parameters' device
            if t.has_rsample:
                assert tuple(e.rsample(shape).shape) == tuple(t.rsample(shape).shape), name
                assert e.rsample(shape).device == es.device, name
        assert e.has_rsample == t.has_rsample and e.has_enumerate_support == t.has_enumerate_support, name
        assert tuple(e.batch_shape) == tuple(t.batch_shape) and tuple(e.event_shape) == tuple(t.event_shape)


def test_sample_moments():
    ember.manual_seed(0)
    n = 40000
    for name, d in _dists(ember.distributions, ember):
        x = d.sample((n,)).double()
        mean, var = d.mean.double(), d.variance.double()
        if name == 'categorical':        # mean/variance are NaN: check the frequencies instead
            freq = ember.stack([(x == k).double().mean(0) for k in range(3)], -1)
            np.testing.assert_allclose(freq.cpu().numpy(), d.probs.cpu().numpy(), atol=0.015)
            continue
        se = (var / n).sqrt()
        assert bool(((x.mean(0) - mean).abs() <= 5 * se + 1e-9).all()), (name, x.mean(0), mean)
        np.testing.assert_allclose(x.var(0).cpu().numpy(), var.cpu().numpy(), rtol=0.1, err_msg=name)


def test_mvn_sample_covariance():
    ember.manual_seed(1)
    cov = ember.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=ember.float64)
    x = ember.distributions.MultivariateNormal(ember.zeros(2, dtype=ember.float64), cov).sample((40000,))
    emp = (x.T @ x) / x.shape[0]
    np.testing.assert_allclose(emp.cpu().numpy(), cov.cpu().numpy(), atol=0.06)


def test_rsample_reparameterised_grad():
    ember.manual_seed(0)
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([1.0, 2.0], requires_grad=True)
    x = ember.distributions.Normal(loc, scale).rsample((40000,))
    assert x.grad_fn is not None
    x.pow(2).mean(0).sum().backward()                   # E[x^2] = loc^2 + scale^2
    np.testing.assert_allclose(loc.grad.cpu().numpy(), 2 * loc.detach().cpu().numpy(), atol=0.15)
    np.testing.assert_allclose(scale.grad.cpu().numpy(), 2 * scale.detach().cpu().numpy(), atol=0.3)
    with pytest.raises(RuntimeError):
        ember.distributions.Normal(loc, scale).sample().sum().backward()   # sample: no graph


@needs_gamma
def test_gamma_implicit_reparameterisation():
    rng = np.random.default_rng(0)
    for alpha in [0.05, 0.7, 3.0, 50.0, 2e4]:
        al = np.full(500, alpha)
        x = np.maximum(rng.standard_gamma(al), 1e-300)
        want = torch._standard_gamma_grad(torch.tensor(al), torch.tensor(x)).numpy()
        got = ember._standard_gamma_grad(ember.tensor(al), ember.tensor(x)).cpu().numpy()
        np.testing.assert_allclose(got, want, rtol=2e-3, atol=1e-12)
    ember.manual_seed(0)
    c = ember.tensor([0.5, 4.0], dtype=ember.float64, requires_grad=True)
    r = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    ember.distributions.Gamma(c, r).rsample((20000,)).mean(0).sum().backward()   # E = c / r
    np.testing.assert_allclose(c.grad.cpu().numpy(), 1 / r.detach().cpu().numpy(), rtol=0.05)
    np.testing.assert_allclose(r.grad.cpu().numpy(), -(c / r ** 2).detach().cpu().numpy(), rtol=0.05)
    b = ember.tensor([2.0, 3.0], dtype=ember.float64, requires_grad=True)
    ember.distributions.Beta(b, ember.tensor(2.0, dtype=ember.float64)).rsample((20000,)).mean(0).sum().backward()
    want = 2.0 / (b.detach() + 2.0) ** 2                  # d/da of a / (a + 2)
    np.testing.assert_allclose(b.grad.cpu().numpy(), want.cpu().numpy(), rtol=0.08)


def test_gradcheck_log_prob_entropy_kl():
    D = ember.distributions
    m = ember.tensor(LOC, requires_grad=True)
    s = ember.tensor(POS, requires_grad=True)
    x = ember.tensor(LOC2)
    assert ember.autograd.gradcheck(lambda m, s: D.Normal(m, s).log_prob(x), (m, s))
    assert ember.autograd.gradgradcheck(lambda m, s: D.Normal(m, s).log_prob(x), (m, s))
    c = ember.tensor(spd(3), requires_grad=True)
    assert ember.autograd.gradcheck(lambda m, c: D.MultivariateNormal(m, (c + c.mT) / 2).log_prob(x),
                                    (m, c))
    lg = ember.tensor(LOC, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b: D.kl_divergence(D.Categorical(logits=a), D.Categorical(logits=b)),
                                    (lg, m))


# ---- validation errors, reprs, constraints, the KL registry

def _raises(fn):
    try:
        fn()
    except Exception as err:
        return err
    raise AssertionError('did not raise')


def on_host(text):
    """ember's message or repr as torch prints it for CPU tensors (the CUDA pass adds a device
    suffix to every tensor it prints; torch on cuda prints the same suffix)."""
    return text.replace(", device='cuda:0'", '')


def same_error(fn):
    terr = _raises(lambda: fn(torch.distributions, torch))
    eerr = _raises(lambda: fn(ember.distributions, ember))
    assert type(eerr).__name__ == type(terr).__name__, f'{type(eerr).__name__}: {eerr} vs {type(terr).__name__}: {terr}'
    assert on_host(str(eerr)) == str(terr).replace('torch.', 'ember.')


ERRORS = [
    case('normal_scale', lambda D, T: D.Normal(0., -1.), []),
    case('normal_scale_vec', lambda D, T: D.Normal(T.zeros(2), T.tensor([1., 0.])), []),
    case('normal_nan_loc', lambda D, T: D.Normal(T.tensor([float('nan'), 0.]), 1.), []),
    case('normal_value_type', lambda D, T: D.Normal(0., 1.).log_prob(1.), []),
    case('normal_value_shape', lambda D, T: D.Normal(T.zeros(3), 1.).log_prob(T.zeros(2)), []),
    case('normal_bad_arg', lambda D, T: D.Normal('a', 1.), []),
    case('uniform_low_high', lambda D, T: D.Uniform(1., 0.), []),
    case('uniform_support', lambda D, T: D.Uniform(T.zeros(2), T.ones(2)).log_prob(T.tensor([2., 0.5])), []),
    case('exponential_support', lambda D, T: D.Exponential(1.).log_prob(T.tensor(-1.)), []),
    case('lognormal_support', lambda D, T: D.LogNormal(0., 1.).log_prob(T.tensor(-1.)), []),
    case('lognormal_scale', lambda D, T: D.LogNormal(0., -1.), []),
    case('bernoulli_both', lambda D, T: D.Bernoulli(0.3, 0.2), []),
    case('bernoulli_none', lambda D, T: D.Bernoulli(), []),
    case('bernoulli_probs', lambda D, T: D.Bernoulli(T.tensor([0.5, 1.5])), []),
    case('bernoulli_support', lambda D, T: D.Bernoulli(0.3).log_prob(T.tensor(0.5)), []),
    case('categorical_0d', lambda D, T: D.Categorical(probs=T.tensor(1.)), []),
    case('categorical_0d_logits', lambda D, T: D.Categorical(logits=T.tensor(1.)), []),
    case('categorical_negative', lambda D, T: D.Categorical(T.tensor([-0.1, 1.1])), []),
    case('categorical_support', lambda D, T: D.Categorical(T.tensor([0.5, 0.5])).log_prob(T.tensor(3)), []),
    case('categorical_shape', lambda D, T: D.Categorical(T.ones(2, 3)).log_prob(T.tensor([0, 1, 2])), []),
    case('onehot_support', lambda D, T: D.OneHotCategorical(T.ones(3)).log_prob(T.tensor([1., 1., 0.])), []),
    case('mvn_0d_loc', lambda D, T: D.MultivariateNormal(T.tensor(0.), T.eye(2)), []),
    case('mvn_none', lambda D, T: D.MultivariateNormal(T.zeros(2)), []),
    case('mvn_two', lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2), scale_tril=T.eye(2)), []),
    case('mvn_1d_cov', lambda D, T: D.MultivariateNormal(T.zeros(2), T.ones(2)), []),
    case('mvn_1d_tril', lambda D, T: D.MultivariateNormal(T.zeros(2), scale_tril=T.ones(2)), []),
    case('mvn_1d_prec', lambda D, T: D.MultivariateNormal(T.zeros(2), precision_matrix=T.ones(2)), []),
    case('mvn_not_pd', lambda D, T: D.MultivariateNormal(T.zeros(2), T.tensor([[1., 2.], [2., 1.]])), []),
    case('mvn_not_symmetric', lambda D, T: D.MultivariateNormal(T.zeros(2), T.tensor([[1., 0.], [0.5, 1.]])), []),
    case('mvn_tril', lambda D, T: D.MultivariateNormal(T.zeros(2), scale_tril=T.tensor([[1., 1.], [0., 1.]])), []),
    case('mvn_event', lambda D, T: D.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(3)), []),
    case('mvn_kl_event', lambda D, T: D.kl_divergence(D.MultivariateNormal(T.zeros(2), T.eye(2)),
                                                      D.MultivariateNormal(T.zeros(3), T.eye(3))), []),
    case('independent_ndims', lambda D, T: D.Independent(D.Normal(T.zeros(2), 1.), 2), []),
    case('independent_enumerate', lambda D, T: D.Independent(D.Bernoulli(T.ones(2, 2) / 2), 1).enumerate_support(),
         []),
    case('kl_missing', lambda D, T: D.kl_divergence(D.Normal(0., 1.), D.Bernoulli(0.5)), []),
    case('kl_cross_expfamily', lambda D, T: D.kl.kl_divergence(D.Bernoulli(0.5), D.Exponential(1.)), []),
    case('kl_independent_ndims', lambda D, T: D.kl_divergence(D.Independent(D.Normal(T.zeros(2, 2), 1.), 1),
                                                              D.Independent(D.Normal(T.zeros(2, 2), 1.), 2)), []),
    case('mode_missing', lambda D, T: D.Distribution(validate_args=False).mode, []),
    case('dependent_check', lambda D, T: D.constraints.dependent.check(T.zeros(1)), []),
]

GAMMA_ERRORS = [
    case('gamma_conc', lambda D, T: D.Gamma(T.tensor([1., -1.]), 1.), []),
    case('gamma_support', lambda D, T: D.Gamma(1., 1.).log_prob(T.tensor(-1.)), []),
    case('beta_conc', lambda D, T: D.Beta(0., 1.), []),
    case('dirichlet_0d', lambda D, T: D.Dirichlet(T.tensor(1.)), []),
    case('dirichlet_support', lambda D, T: D.Dirichlet(T.ones(3)).log_prob(T.tensor([0.5, 0.6, 0.1])), []),
    case('poisson_rate', lambda D, T: D.Poisson(-1.), []),
    case('poisson_support', lambda D, T: D.Poisson(1.).log_prob(T.tensor(0.5)), []),
    case('binomial_count', lambda D, T: D.Binomial(T.tensor(2.5), T.tensor(0.5)), []),
    case('binomial_support', lambda D, T: D.Binomial(3, T.tensor(0.5)).log_prob(T.tensor(4.)), []),
    case('binomial_entropy', lambda D, T: D.Binomial(T.tensor([2., 3.]), T.tensor(0.5)).entropy(), []),
    case('binomial_kl', lambda D, T: D.kl_divergence(D.Binomial(2, T.tensor(0.5)), D.Binomial(3, T.tensor(0.5))), []),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    same_error(fn)


@needs_gamma
@pytest.mark.parametrize('fn,specs,kw', GAMMA_ERRORS)
def test_gamma_errors(fn, specs, kw):
    same_error(fn)


def _reprs(D, T):
    out = [D.Normal(0., 1.), D.Normal(T.zeros(2), 1.), D.Uniform(0., 2.), D.Exponential(T.ones(3)),
           D.Laplace(0., 1.), D.LogNormal(0., 1.), D.Bernoulli(0.3), D.Bernoulli(logits=T.zeros(2)),
           D.Categorical(T.ones(3)), D.OneHotCategorical(T.ones(3)),
           D.MultivariateNormal(T.zeros(2), T.eye(2)), D.Independent(D.Normal(T.zeros(2, 3), 1.), 1)]
    if D is torch.distributions or HAS_GAMMA:
        out += [D.Gamma(1., 2.), D.Beta(1., 2.), D.Dirichlet(T.ones(3)), D.Poisson(2.), D.Binomial(3, T.tensor(0.5))]
    out = [repr(d) for d in out] + [repr(d.support) for d in out if not isinstance(d, D.Uniform)]
    C = D.constraints
    out += [repr(c) for c in (C.real, C.positive, C.nonnegative, C.unit_interval, C.simplex, C.boolean, C.one_hot,
                              C.real_vector, C.lower_cholesky, C.positive_definite, C.nonnegative_integer,
                              C.integer_interval(0, 4), C.interval(-1, 1), C.half_open_interval(0., 1.),
                              C.greater_than(2), C.greater_than_eq(1), C.less_than(3), C.independent(C.positive, 2),
                              C.square, C.symmetric, C.lower_triangular, C.positive_semidefinite, C.corr_cholesky)]
    out += [repr(D.Uniform(0., 1.).support), repr(D.Uniform(T.zeros(2), T.ones(2)).support)]
    return out


def test_reprs():
    assert [on_host(r) for r in _reprs(ember.distributions, ember)] == [r.replace('torch.', 'ember.')
                                                   for r in _reprs(torch.distributions, torch)]


def test_constraint_checks():
    def run(D, T):
        C = D.constraints
        x = T.tensor([[-1., 0., 0.5], [1., 2., float('nan')]])
        m = T.tensor([[[1., 0.], [0.5, 2.]], [[1., 1.], [0., 1.]], [[-1., 0.], [0., 1.]]])
        res = [C.real.check(x), C.positive.check(x), C.nonnegative.check(x), C.unit_interval.check(x),
               C.simplex.check(T.tensor([[0.2, 0.8], [0.5, 0.6]])), C.boolean.check(x), C.real_vector.check(x),
               C.integer_interval(0, 1).check(x), C.nonnegative_integer.check(x), C.one_hot.check(T.eye(3)),
               C.lower_cholesky.check(m), C.lower_triangular.check(m), C.symmetric.check(m), C.square.check(m),
               C.positive_definite.check(T.stack([T.eye(2), 2 * T.eye(2)])),
               C.half_open_interval(0, 1).check(x), C.less_than(1).check(x)]
        flags = [(c.is_discrete, c.event_dim) for c in (C.real, C.simplex, C.boolean, C.one_hot, C.real_vector,
                                                         C.positive_definite, C.integer_interval(0, 2))]
        return [r.tolist() for r in res], flags, C.is_dependent(C.dependent), C.is_dependent(D.Uniform.support)
    assert run(ember.distributions, ember) == run(torch.distributions, torch)


def test_validate_args_switch_and_flags():
    D = ember.distributions
    d = D.Normal(0., -1., validate_args=False)            # no error when validation is off
    assert d._validate_args is False
    D.Distribution.set_default_validate_args(False)
    try:
        D.Normal(0., -1.)
        D.Bernoulli(0.3).log_prob(ember.tensor(0.5))
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0., -1.)
    with pytest.raises(ValueError):
        D.Distribution.set_default_validate_args('yes')
    with pytest.warns(FutureWarning):
        assert tuple(D.Normal(ember.zeros(2), 1.).sample_n(4).shape) == (4, 2)
    assert D.Normal(0., 1.).expand((3,))._validate_args is True
    b = D.Bernoulli(logits=ember.zeros(2))
    assert 'probs' not in b.__dict__ and isinstance(D.Bernoulli.probs, D.utils.lazy_property)
    b.probs
    assert 'probs' in b.__dict__


def test_register_kl_and_dispatch():
    D = ember.distributions

    class MyNormal(D.Normal):
        pass

    p, q = MyNormal(0., 1.), D.Normal(1., 2.)
    base = D.kl_divergence(D.Normal(0., 1.), q)
    assert float(D.kl_divergence(p, q)) == float(base)       # subclasses use the parent's pair

    @D.register_kl(MyNormal, D.Normal)
    def _kl_mine(p, q):
        return ember.tensor(42.)

    try:
        assert float(D.kl_divergence(p, q)) == 42.
        assert float(D.kl_divergence(D.Normal(0., 1.), q)) == float(base)
    finally:
        del D.kl._KL_REGISTRY[MyNormal, D.Normal]
        D.kl._KL_MEMOIZE.clear()
    assert float(D.kl_divergence(p, q)) == float(base)


def test_user_subclass_expand_error():
    for D in (torch.distributions, ember.distributions):
        class Shifted(D.Normal):
            def __init__(self, loc):
                super().__init__(loc, 1.)
        with pytest.raises(NotImplementedError) as e:
            Shifted(0.).expand((2,))
        assert str(e.value).startswith('Subclass Shifted of Normal that defines a custom __init__')
