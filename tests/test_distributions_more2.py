"""The third set of ember.distributions against torch: FisherSnedecor, GeneralizedPareto,
InverseGamma, Kumaraswamy, LKJCholesky, OneHotCategoricalStraightThrough, VonMises, Wishart.
Values and parameter gradients (dcheck), KL pairs reached through the generic ones, reprs,
expand, validation errors; sampling by moments (ember's random stream differs from torch's)."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import case
from test_distributions import a, dcheck, rnd, spd
from test_distributions_sampling import on_host, same_error

POS = rnd(2, 3, low=0.5, high=2.0, seed=31)
POS2 = rnd(2, 3, low=0.5, high=2.0, seed=32)
LOC = rnd(2, 3, seed=33)
UNIT = rnd(2, 3, low=0.05, high=0.95, seed=34)
DF1 = np.array([[0.7, 2.5, 6.0], [1.5, 3.0, 9.0]])
DF2 = np.array([[1.5, 3.0, 5.0], [2.5, 8.0, 4.5]])          # mean / variance undefined below 2 / 4
XI = np.array([[0.0, -0.3, 0.4], [0.2, -0.1, 1.2]])          # GeneralizedPareto concentrations
CONC = np.array([[0.5, 1.5, 2.5], [3.0, 0.8, 4.0]])
KAPPA = np.array([[0.5, 2.0, 5.0], [10.0, 0.1, 3.7]])        # both sides of the Bessel switch at 3.75


def corr_chol(n, seed, batch=()):
    """Cholesky factors of random correlation matrices."""
    c = spd(n, seed, batch)
    d = np.sqrt(np.diagonal(c, axis1=-2, axis2=-1))
    return np.linalg.cholesky(c / d[..., :, None] / d[..., None, :])


def f64_default(fn):
    """Run ``fn`` with float64 as both libraries' default dtype: torch's GeneralizedPareto
    compares its concentration with a default-dtype zero and fails on float64 otherwise."""
    def run(D, T, *args):
        old = T.get_default_dtype()
        T.set_default_dtype(T.float64)
        try:
            return fn(D, T, *args)
        finally:
            T.set_default_dtype(old)
    return run


def gp_all(D, T, m, s, c, u):
    d = D.GeneralizedPareto(m, s, c)
    x = m.detach() + s.detach() * u
    return (d.mean, d.variance, d.stddev, d.entropy(), d.mode, d.log_prob(x), d.cdf(x), d.icdf(u),
            d.log_survival_function(x), d.log_cdf(x))


def wishart(D, T, df, cov, x):
    d = D.Wishart(df, covariance_matrix=cov)
    return d.mean, d.variance, d.mode, d.entropy(), d.log_prob(x), d.precision_matrix, d.scale_tril


CASES = [
    case('fisher', lambda D, T, d1, d2, x: (D.FisherSnedecor(d1, d2).mean, D.FisherSnedecor(d1, d2).variance,
                                            D.FisherSnedecor(d1, d2).stddev, D.FisherSnedecor(d1, d2).mode,
                                            D.FisherSnedecor(d1, d2).log_prob(x)), [DF1, DF2, POS]),
    case('fisher_scalar', lambda D, T, x: D.FisherSnedecor(3., 7.).log_prob(x) + D.FisherSnedecor(3., 7.).mean,
         [POS]),
    case('fisher_expand', lambda D, T, d1, d2, x: D.FisherSnedecor(d1, d2).expand((4, 3)).log_prob(x),
         [DF1[0], DF2[1], rnd(4, 3, low=0.1, high=3., seed=2)]),
    case('gpareto', f64_default(gp_all), [LOC, POS, XI, UNIT]),
    case('gpareto_scalar', f64_default(lambda D, T, x: D.GeneralizedPareto(0.5, 2., -0.25).log_prob(0.5 + 3 * x)),
         [UNIT]),
    case('gpareto_expand', f64_default(lambda D, T, m, s, c, u: gp_all(D, T, m, s, c, u)[:1] + (
        D.GeneralizedPareto(m, s, c).expand((2, 3)).cdf(m.detach() + s.detach() * u),)), [LOC[0], POS[0], XI[0], UNIT]),
    case('invgamma', lambda D, T, c, r, x: (D.InverseGamma(c, r).mean, D.InverseGamma(c, r).variance,
                                            D.InverseGamma(c, r).stddev, D.InverseGamma(c, r).entropy(),
                                            D.InverseGamma(c, r).mode, D.InverseGamma(c, r).log_prob(x)),
         [CONC, POS, POS2]),
    # torch has no igamma gradient with respect to the concentration: values only
    case('invgamma_cdf', lambda D, T, c, r, x: D.InverseGamma(c, r).cdf(x), [CONC, POS, POS2], grad=False),
    case('invgamma_expand', lambda D, T, c, r, x: D.InverseGamma(c, r).expand((2, 3)).log_prob(x),
         [CONC[0], POS[1], POS2]),
    case('kumaraswamy', lambda D, T, c1, c0, u: (
        D.Kumaraswamy(c1, c0).mean, D.Kumaraswamy(c1, c0).variance, D.Kumaraswamy(c1, c0).entropy(),
        D.Kumaraswamy(c1, c0).mode, D.Kumaraswamy(c1, c0).log_prob(u), D.Kumaraswamy(c1, c0).cdf(u),
        D.Kumaraswamy(c1, c0).icdf(u)), [POS, POS2 + 0.5, UNIT]),
    case('kumaraswamy_expand', lambda D, T, c1, c0, u: D.Kumaraswamy(c1, c0).expand((2, 3)).log_prob(u),
         [POS[0], POS2[0], UNIT]),
    case('vonmises', lambda D, T, m, k, x: (D.VonMises(m, k).mean, D.VonMises(m, k).mode,
                                            D.VonMises(m, k).variance, D.VonMises(m, k).stddev,
                                            D.VonMises(m, k).log_prob(x)), [LOC, KAPPA, rnd(2, 3, low=-6., high=6., seed=7)]),
    case('vonmises_expand', lambda D, T, m, k, x: D.VonMises(m, k).expand((2, 3)).log_prob(x),
         [LOC[0], KAPPA[0], LOC]),
    case('vonmises_f32', lambda D, T, m, k, x: D.VonMises(m.float(), k.float()).log_prob(x.float()),
         [LOC, KAPPA, LOC], rtol=1e-5, atol=1e-5),
    case('lkj', lambda D, T, c, v: D.LKJCholesky(3, c).log_prob(v), [a(0.5, 2.0), corr_chol(3, 1, (2,))]),
    case('lkj_broadcast', lambda D, T, c, v: D.LKJCholesky(4, c).log_prob(v), [a(1.0, 3.0), corr_chol(4, 2)]),
    case('lkj_dim2', lambda D, T, v: D.LKJCholesky(2, 0.7).log_prob(v), [corr_chol(2, 3, (3,))]),
    case('lkj_expand', lambda D, T, c, v: D.LKJCholesky(3, c).expand((2,)).log_prob(v),
         [a(1.5), corr_chol(3, 4, (2,))]),
    case('wishart', wishart, [a(3.5, 5.0), spd(3, 1, (2,)), spd(3, 2, (2,))]),
    case('wishart_scalar_df', lambda D, T, cov, x: wishart(D, T, 4.0, cov, x), [spd(2, 3), spd(2, 4, (3,))]),
    case('wishart_tril', lambda D, T, df, L, x: (D.Wishart(df, scale_tril=L).log_prob(x),
                                                 D.Wishart(df, scale_tril=L).entropy(),
                                                 D.Wishart(df, scale_tril=L).covariance_matrix),
         [a(3.0, 6.0), np.linalg.cholesky(spd(3, 5)), spd(3, 6)]),
    case('wishart_precision', lambda D, T, df, P, x: (D.Wishart(df, precision_matrix=P).log_prob(x),
                                                      D.Wishart(df, precision_matrix=P).mean),
         [a(4.0), spd(3, 7), spd(3, 8)]),
    case('wishart_expfamily_entropy', lambda D, T, df, cov: D.ExponentialFamily.entropy(D.Wishart(df, cov)),
         [a(3.5, 5.0), spd(3, 9, (2,))]),
    case('wishart_expand', lambda D, T, df, cov, x: D.Wishart(df, cov).expand((2,)).log_prob(x),
         [a(4.5), spd(2, 10), spd(2, 11, (2,))]),
    case('onehot_st', lambda D, T, p, x: (
        D.OneHotCategoricalStraightThrough(p).log_prob(x), D.OneHotCategoricalStraightThrough(p).entropy(),
        D.OneHotCategoricalStraightThrough(p).mean, D.OneHotCategoricalStraightThrough(p).variance,
        D.OneHotCategoricalStraightThrough(p).mode, D.OneHotCategoricalStraightThrough(logits=p).log_prob(x)),
         [POS, np.eye(3)[[0, 2]]]),
    # KL divergences: no pair is registered for these classes; they come through the generic ones
    case('kl_invgamma', lambda D, T, c, r, c2, r2: D.kl_divergence(D.InverseGamma(c, r), D.InverseGamma(c2, r2)),
         [CONC, POS, POS2, POS]),
    case('kl_kumaraswamy_same', lambda D, T, u: D.kl_divergence(D.Kumaraswamy(T.tensor([2., 3.], dtype=u.dtype), 3.),
                                                                D.Kumaraswamy(T.tensor([2., 3.], dtype=u.dtype), 3.)),
         [UNIT]),
    case('kl_onehot_st', lambda D, T, p, q: (
        D.kl_divergence(D.OneHotCategoricalStraightThrough(p), D.OneHotCategorical(q)),
        D.kl_divergence(D.OneHotCategoricalStraightThrough(p), D.OneHotCategoricalStraightThrough(logits=q))),
         [POS, POS2]),
    case('kl_wishart', lambda D, T, df, cov, df2, cov2: D.kl_divergence(D.Wishart(df, cov), D.Wishart(df2, cov2)),
         [a(3.5, 5.0), spd(3, 12, (2,)), a(4.0), spd(3, 13)]),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_values_and_grads(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        dcheck(fn, specs, **kw)


def test_gpareto_float64_without_default_dtype():
    """Deviation: torch's GeneralizedPareto fails on float64 parameters under a float32 default
    ('Double did not match Float'); ember's works and gives torch's float64-default values."""
    D = ember.distributions
    m, s, c, u = (ember.tensor(x) for x in (LOC, POS, XI, UNIT))
    x = m + s * u
    d = D.GeneralizedPareto(m, s, c)
    got = [d.log_prob(x), d.cdf(x), d.icdf(u)]
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        t = torch.distributions.GeneralizedPareto(*(torch.tensor(v) for v in (LOC, POS, XI)))
        want = [t.log_prob(torch.tensor(LOC + POS * UNIT)), t.cdf(torch.tensor(LOC + POS * UNIT)),
                t.icdf(torch.tensor(UNIT))]
    finally:
        torch.set_default_dtype(old)
    for g, w in zip(got, want):
        assert g.dtype == ember.float64
        np.testing.assert_allclose(g.detach().cpu().numpy(), w.numpy(), rtol=1e-12)


ERRORS = [
    case('fisher_df', lambda D, T: D.FisherSnedecor(-1., 2.), []),
    case('fisher_df_nocheck', lambda D, T: D.FisherSnedecor(2., T.tensor([1., 0.]), validate_args=False), []),
    case('fisher_support', lambda D, T: D.FisherSnedecor(T.ones(2), 2.).log_prob(T.tensor([-1., 1.])), []),
    case('gpareto_scale', lambda D, T: D.GeneralizedPareto(0., -1., 0.5), []),
    case('gpareto_below', lambda D, T: D.GeneralizedPareto(1., 1., 0.5).log_prob(T.tensor(0.5)), []),
    case('gpareto_above', lambda D, T: D.GeneralizedPareto(0., 1., -0.5).log_prob(T.tensor([1., 3.])), []),
    case('gpareto_bad_arg', lambda D, T: D.GeneralizedPareto(0., 1., 'a'), []),
    case('invgamma_conc', lambda D, T: D.InverseGamma(T.tensor([1., -1.]), 1.), []),
    case('invgamma_support', lambda D, T: D.InverseGamma(1., 1.).log_prob(T.tensor(-1.)), []),
    case('kumaraswamy_conc', lambda D, T: D.Kumaraswamy(0., 1.), []),
    case('kumaraswamy_support', lambda D, T: D.Kumaraswamy(1., 2.).log_prob(T.tensor(1.5)), []),
    case('kumaraswamy_kl', lambda D, T: D.kl_divergence(D.Kumaraswamy(2., 3.), D.Kumaraswamy(1., 1.)), []),
    case('lkj_dim', lambda D, T: D.LKJCholesky(1), []),
    case('lkj_conc', lambda D, T: D.LKJCholesky(3, T.tensor([1., -1.])), []),
    case('lkj_event', lambda D, T: D.LKJCholesky(2).log_prob(T.eye(3)), []),
    case('lkj_support', lambda D, T: D.LKJCholesky(2).log_prob(2 * T.eye(2)), []),
    case('lkj_no_mean', lambda D, T: D.LKJCholesky(2).mean, []),
    case('vonmises_conc', lambda D, T: D.VonMises(0., -1.), []),
    case('vonmises_value', lambda D, T: D.VonMises(0., 1.).log_prob(1.), []),
    case('vonmises_entropy', lambda D, T: D.VonMises(0., 1.).entropy(), []),
    case('vonmises_rsample', lambda D, T: D.VonMises(0., 1.).rsample(), []),
    case('wishart_none', lambda D, T: D.Wishart(3.), []),
    case('wishart_two', lambda D, T: D.Wishart(3., T.eye(2), scale_tril=T.eye(2)), []),
    case('wishart_1d', lambda D, T: D.Wishart(3., T.ones(2)), []),
    case('wishart_df', lambda D, T: D.Wishart(1., T.eye(3)), []),
    case('wishart_df_tensor', lambda D, T: D.Wishart(T.tensor([3., 1.5]), T.eye(3)), []),
    case('wishart_cov', lambda D, T: D.Wishart(3., T.tensor([[1., 2.], [2., 1.]])), []),
    case('wishart_tril', lambda D, T: D.Wishart(3., scale_tril=T.tensor([[1., 1.], [0., 1.]])), []),
    case('wishart_support', lambda D, T: D.Wishart(3., T.eye(2)).log_prob(T.tensor([[1., 2.], [2., 1.]])), []),
    case('onehot_st_probs', lambda D, T: D.OneHotCategoricalStraightThrough(T.tensor([-1., 1.])), []),
    case('onehot_st_support', lambda D, T: D.OneHotCategoricalStraightThrough(T.ones(3)).log_prob(T.ones(3)), []),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        same_error(fn)


def _dists(D, T):
    return [D.FisherSnedecor(1., 2.), D.FisherSnedecor(T.ones(2), 3.), D.GeneralizedPareto(0., 1., 0.5),
            D.GeneralizedPareto(T.zeros(2), 1., T.tensor([0.5, -0.5])), D.InverseGamma(1., 2.),
            D.InverseGamma(T.ones(2), 2.), D.Kumaraswamy(1., 2.), D.Kumaraswamy(T.ones(2), 2.), D.LKJCholesky(3, 0.5),
            D.LKJCholesky(2, T.ones(2)), D.VonMises(0., 1.), D.VonMises(T.zeros(2), 1.),
            D.Wishart(T.tensor(3.), T.eye(2)), D.Wishart(3., scale_tril=T.eye(2)), D.Wishart(T.ones(2) * 4, T.eye(3)),
            D.Wishart(3., precision_matrix=T.eye(2)), D.OneHotCategoricalStraightThrough(T.ones(3)),
            D.OneHotCategoricalStraightThrough(logits=T.zeros(2, 3))]


def _describe(D, T):
    out = []
    for d in _dists(D, T):
        e = d.expand((4,) + tuple(d.batch_shape))
        out.append((repr(d), repr(d.support), tuple(d.batch_shape), tuple(d.event_shape), d.has_rsample,
                    type(e).__name__, tuple(e.batch_shape), tuple(e.event_shape), repr(e),
                    tuple(e.log_prob(d.sample()).shape), tuple(d.sample((2,)).shape), str(d.sample().dtype)))
    return out


def test_reprs_shapes_and_expand():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        e, t = _describe(ember.distributions, ember), _describe(torch.distributions, torch)
    for x, y in zip(e, t):
        assert tuple(on_host(v) if isinstance(v, str) else v for v in x) == \
            tuple(v.replace('torch.', 'ember.') if isinstance(v, str) else v for v in y)
    assert len(e) == len(t)


def _check_moments(d, s, name, k=5.0):
    n = s.shape[0]
    mean, var = d.mean.detach().cpu().numpy(), d.variance.detach().cpu().numpy()
    np.testing.assert_allclose(s.detach().cpu().numpy().mean(0), mean, atol=k * np.sqrt(var / n).max() + 1e-3,
                               err_msg=name)


def test_sample_moments():
    D = ember.distributions
    ember.manual_seed(0)
    n = 20000
    t = ember.tensor
    for d in (D.FisherSnedecor(t([5., 10.]), t([12., 20.])), D.GeneralizedPareto(t([0., 1.]), t([1., 2.]), t([0., -0.3])),
              D.GeneralizedPareto(1., 0.5, 0.2), D.InverseGamma(t([5., 6.]), t([2., 3.])),
              D.Kumaraswamy(t([0.5, 2.]), t([2., 3.])), D.Wishart(t([4., 6.]), t(spd(3, 14, (2,)), dtype=ember.float32))):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            # torch's Wishart warns on every draw (its check flags the positive definite ones)
            warnings.filterwarnings('ignore', message='Singular sample detected.')
            s = d.sample((n,))
        assert tuple(s.shape) == (n,) + tuple(d.batch_shape) + tuple(d.event_shape), type(d).__name__
        assert s.requires_grad is False and s.dtype == ember.float32, type(d).__name__
        assert bool(d.support.check(s).all()), type(d).__name__
        _check_moments(d, s, type(d).__name__)


def test_vonmises_sample():
    D = ember.distributions
    ember.manual_seed(1)
    n = 20000
    loc = ember.tensor([3.0, -1.0, 0.5], dtype=ember.float64)
    d = D.VonMises(loc, ember.tensor([0.01, 1.0, 20.0], dtype=ember.float64))
    s = d.sample((n,))
    assert tuple(s.shape) == (n, 3) and s.dtype == ember.float64
    x = s.cpu().numpy()
    assert (x >= -math.pi).all() and (x < math.pi).all()
    c = np.cos(x - loc.cpu().numpy()).mean(0)
    sn = np.sin(x - loc.cpu().numpy()).mean(0)
    np.testing.assert_allclose(c, 1 - d.variance.cpu().numpy(), atol=0.02)
    np.testing.assert_allclose(sn, 0, atol=0.02)
    f = D.VonMises(ember.tensor(0.5), ember.tensor(2.0)).sample((5, 2))
    assert f.dtype == ember.float32 and tuple(f.shape) == (5, 2)


def test_lkj_sample():
    D = ember.distributions
    ember.manual_seed(2)
    n = 20000
    eta = ember.tensor([0.5, 2.0])
    d = D.LKJCholesky(3, eta)
    L = d.sample((n,))
    assert tuple(L.shape) == (n, 2, 3, 3) and L.dtype == ember.float32
    assert bool(d.support.check(L).all())
    corr = ember.matmul(L, L.mT).cpu().numpy()[..., 1, 0]
    np.testing.assert_allclose(corr.mean(0), 0, atol=0.03)
    np.testing.assert_allclose(corr.var(0), 1 / (2 * eta.cpu().numpy() + 2), rtol=0.05)
    assert bool(D.LKJCholesky(2).support.check(D.LKJCholesky(2).sample()).all())


def test_onehot_straight_through():
    D = ember.distributions
    ember.manual_seed(3)
    probs = ember.tensor([0.2, 0.3, 0.5])
    d = D.OneHotCategoricalStraightThrough(probs)
    s = d.sample((20000,))
    assert tuple(s.shape) == (20000, 3) and bool((s.sum(-1) == 1).all())
    np.testing.assert_allclose(s.cpu().numpy().mean(0), probs.cpu().numpy(), atol=0.02)
    # the straight-through gradient is that of probs, whatever was drawn: same as torch's
    w = np.array([[0.3, -1.0, 2.0], [1.5, 0.2, -0.7]])
    grads = []
    for T in (ember, torch):
        lg = T.tensor(LOC[:, :3].copy(), requires_grad=True)
        x = T.distributions.OneHotCategoricalStraightThrough(logits=lg).rsample((4,))
        assert x.requires_grad and tuple(x.shape) == (4, 2, 3)
        (x * T.tensor(w)).sum().backward()
        grads.append(lg.grad.detach().cpu().numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


REPARAM = [
    ('fisher', lambda T, p: T.distributions.FisherSnedecor(p[:2] + 5., p[2:] + 5.), [0.0, 1.0, 0.0, 1.0]),
    ('gpareto', lambda T, p: T.distributions.GeneralizedPareto(p[:2], p[2:].exp(), T.tensor([0.0, 0.2])),
     [0.5, -1.0, 0.0, 0.3]),
    ('invgamma', lambda T, p: T.distributions.InverseGamma(p[:2] + 4., p[2:].exp()), [1.0, 2.0, 0.0, 0.5]),
    ('kumaraswamy', lambda T, p: T.distributions.Kumaraswamy(p[:2].exp(), p[2:].exp()), [0.3, -0.5, 0.2, 0.8]),
    ('wishart', lambda T, p: T.distributions.Wishart(p[:2] + 4., scale_tril=T.diag_embed(p[2:].exp())),
     [0.0, 1.0, 0.1, -0.2]),
]


@pytest.mark.parametrize('name,make,init', REPARAM, ids=[r[0] for r in REPARAM])
def test_rsample_gradient_matches_mean_gradient(name, make, init):
    """d/dp E[x], estimated through rsample, against the gradient of the analytic mean."""
    ember.manual_seed(4)
    p = ember.tensor(init, dtype=ember.float64, requires_grad=True)
    d = make(ember, p)
    assert d.has_rsample
    x = d.rsample((20000,))
    assert x.requires_grad and x.dtype == ember.float64
    (mc,) = ember.autograd.grad(x.mean(0).sum(), p)
    tp = torch.tensor(init, dtype=torch.float64, requires_grad=True)
    (exact,) = torch.autograd.grad(make(torch, tp).mean.sum(), tp)
    np.testing.assert_allclose(mc.cpu().numpy(), exact.numpy(), rtol=0.1, atol=0.05)


def test_wishart_singular_draws_are_redrawn():
    """PyTorch's correction loop, as PyTorch runs it: its test flags the draws whose batch has a
    positive definite matrix (not the singular ones), warns 'Singular sample detected.' and draws
    those again, until the redrawn ones have no singular matrix in their batch."""
    import torch

    def run(T, seq):
        d = T.distributions.Wishart(T.tensor([3., 4.]), T.eye(2))
        good = T.eye(2).expand(3, 2, 2, 2) * 2
        bad = good.clone()
        bad[1, 0] = 0.                                        # draw 1 has a singular matrix in its batch
        mats = {'good': good, 'bad': bad, 'all_bad': good * 0}
        draws, shapes = iter(seq), []

        def bartlett(shape):
            shapes.append(tuple(shape))
            m = mats[next(draws)][:shape[0]]
            return m * len(shapes) if len(shapes) > 1 else m
        d._bartlett_sampling = bartlett
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            s = d.rsample((3,))
        return s[:, 0, 0, 0].tolist(), shapes, [str(w.message) for w in caught]
    for seq in (['bad', 'good'], ['good', 'bad', 'good'], ['all_bad'], ['good'] + ['all_bad'] * 12):
        assert run(ember, seq) == run(torch, seq), seq
    with pytest.warns(UserWarning, match='Low df values detected'):
        ember.distributions.Wishart(ember.tensor(1.5), ember.eye(2))
