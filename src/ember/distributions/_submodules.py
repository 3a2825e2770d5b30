"""PyTorch's per-distribution import paths (``torch.distributions.normal``, ...).

ember groups its distributions into fewer files; PyTorch keeps one module per distribution, and
programs import from those paths (``from torch.distributions.normal import Normal``). This
module makes each of those paths a small real module object holding the public names PyTorch's
module exports (its ``__all__``), registered in ``sys.modules`` and as an attribute of the
package, so ``import``, ``from ... import`` and attribute access all work. The classes keep their
defining module, so pickled distributions still name the file that defines them.
"""
from .._module_alias import alias_module

# PyTorch's module name -> the names it exports
LAYOUT = {
    'bernoulli': ('Bernoulli',), 'beta': ('Beta',), 'binomial': ('Binomial',),
    'categorical': ('Categorical',), 'cauchy': ('Cauchy',), 'chi2': ('Chi2',), 'dirichlet': ('Dirichlet',),
    'exp_family': ('ExponentialFamily',), 'exponential': ('Exponential',),
    'fishersnedecor': ('FisherSnedecor',), 'gamma': ('Gamma',), 'generalized_pareto': ('GeneralizedPareto',),
    'geometric': ('Geometric',), 'gumbel': ('Gumbel',), 'half_cauchy': ('HalfCauchy',),
    'half_normal': ('HalfNormal',), 'independent': ('Independent',), 'inverse_gamma': ('InverseGamma',),
    'kumaraswamy': ('Kumaraswamy',), 'laplace': ('Laplace',), 'lkj_cholesky': ('LKJCholesky',),
    'log_normal': ('LogNormal',), 'logistic_normal': ('LogisticNormal',),
    'lowrank_multivariate_normal': ('LowRankMultivariateNormal',),
    'mixture_same_family': ('MixtureSameFamily',), 'multinomial': ('Multinomial',),
    'multivariate_normal': ('MultivariateNormal',), 'negative_binomial': ('NegativeBinomial',),
    'normal': ('Normal',), 'one_hot_categorical': ('OneHotCategorical', 'OneHotCategoricalStraightThrough'),
    'pareto': ('Pareto',), 'poisson': ('Poisson',),
    'relaxed_bernoulli': ('LogitRelaxedBernoulli', 'RelaxedBernoulli'),
    'relaxed_categorical': ('ExpRelaxedCategorical', 'RelaxedOneHotCategorical'),
    'studentT': ('StudentT',), 'transformed_distribution': ('TransformedDistribution',),
    'uniform': ('Uniform',), 'von_mises': ('VonMises',), 'weibull': ('Weibull',), 'wishart': ('Wishart',),
}


def install(package):
    """Creates every per-distribution module of ``LAYOUT`` under ``package`` (ember.distributions)."""
    from . import relaxed, constraints
    for name, names in LAYOUT.items():
        values = {n: getattr(package, n, None) or getattr(relaxed, n) for n in names}
        mod = alias_module(package, name, values)
        mod.constraints = constraints
