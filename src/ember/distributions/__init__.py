"""ember.distributions: PyTorch's ``torch.distributions`` (parameterised probability
distributions, sampling with reparameterisation, log-probabilities, KL divergences,
transforms), composed from ember Tensor ops so gradients flow through log_prob, entropy
and rsample."""
from . import constraints, transforms
from .distribution import Distribution, ExponentialFamily
from .continuous import Normal, Uniform, Exponential, Laplace
from .discrete import Bernoulli, Categorical, OneHotCategorical
from .multivariate import MultivariateNormal, Independent
from .transformed import TransformedDistribution, LogNormal, HalfNormal, Gumbel, Weibull, Pareto, LogisticNormal
from .kl import kl_divergence, register_kl
from .gamma_family import Gamma, Beta, Dirichlet
from .counts import Poisson, Binomial
from .heavy_tails import Cauchy, HalfCauchy, StudentT, Chi2
from .discrete_more import Geometric, NegativeBinomial, Multinomial
from .relaxed import RelaxedBernoulli, RelaxedOneHotCategorical
from .mixture import MixtureSameFamily
from .lowrank_mvn import *  # noqa: F401,F403
from .continuous_bernoulli import *  # noqa: F401,F403
from .fisher_pareto import FisherSnedecor, GeneralizedPareto
from .transformed_more import InverseGamma, Kumaraswamy
from .straight_through import OneHotCategoricalStraightThrough
from .directional import VonMises
from .matrix import LKJCholesky, Wishart
from . import kl_more  # noqa: F401  (registers the KL pairs of the distributions above)
from .constraint_registry import biject_to, transform_to
from .transforms import (AbsTransform, AffineTransform, CatTransform, ComposeTransform, CorrCholeskyTransform,
                         CumulativeDistributionTransform, ExpTransform, IndependentTransform,
                         LowerCholeskyTransform, PositiveDefiniteTransform, PowerTransform, ReshapeTransform,
                         SigmoidTransform, SoftplusTransform, TanhTransform, SoftmaxTransform, StackTransform,
                         StickBreakingTransform, Transform, identity_transform)

__all__ = ['Distribution', 'ExponentialFamily', 'Normal', 'LogNormal', 'Uniform', 'Exponential', 'Laplace',
           'LowRankMultivariateNormal', 'ContinuousBernoulli',
           'Bernoulli', 'Categorical', 'OneHotCategorical', 'MultivariateNormal', 'Independent',
           'kl_divergence', 'register_kl', 'Gamma', 'Beta', 'Dirichlet', 'Poisson', 'Binomial',
           'TransformedDistribution', 'HalfNormal', 'Gumbel', 'Weibull', 'Pareto', 'LogisticNormal',
           'Cauchy', 'HalfCauchy', 'StudentT', 'Chi2', 'Geometric', 'NegativeBinomial', 'Multinomial',
           'RelaxedBernoulli', 'RelaxedOneHotCategorical',
           'MixtureSameFamily', 'biject_to', 'transform_to', 'constraints', 'transforms']
__all__ += ['AbsTransform', 'AffineTransform', 'CatTransform', 'ComposeTransform', 'CorrCholeskyTransform',
            'CumulativeDistributionTransform', 'ExpTransform', 'IndependentTransform', 'LowerCholeskyTransform',
            'PositiveDefiniteTransform', 'PowerTransform', 'ReshapeTransform', 'SigmoidTransform',
            'SoftplusTransform', 'TanhTransform', 'SoftmaxTransform', 'StackTransform', 'StickBreakingTransform',
            'Transform', 'identity_transform', 'kl_more']
__all__ += ['FisherSnedecor', 'GeneralizedPareto', 'InverseGamma', 'Kumaraswamy', 'LKJCholesky',
            'OneHotCategoricalStraightThrough', 'VonMises', 'Wishart']

from . import _submodules as _paths  # noqa: E402
_paths.install(__import__('sys').modules[__name__])   # torch.distributions.normal, ... import paths
