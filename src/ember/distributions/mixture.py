"""MixtureSameFamily: a Categorical choice among the components along the rightmost batch
dim of one component distribution."""
import ember
from . import constraints
from .discrete import Categorical
from .distribution import Distribution
from .utils import forwarded

__all__ = ['MixtureSameFamily']


class MixtureSameFamily(Distribution):
    """Draw a component index from ``mixture_distribution`` (a Categorical over K), then a value
    from that component of ``component_distribution`` (batch shape ending in K)."""
    arg_constraints = {}
    has_rsample = False

    def __init__(self, mixture_distribution, component_distribution, validate_args=None):
        self._mixture_distribution = mixture_distribution
        self._component_distribution = component_distribution
        if not isinstance(mixture_distribution, Categorical):
            raise ValueError(' The Mixture distribution needs to be an  instance of ember.distributions.Categorical')
        if not isinstance(component_distribution, Distribution):
            raise ValueError('The Component distribution needs to be an instance of ember.distributions.Distribution')
        mdbs = mixture_distribution.batch_shape
        cdbs = component_distribution.batch_shape[:-1]
        for m, c in zip(reversed(mdbs), reversed(cdbs)):
            if m != 1 and c != 1 and m != c:
                raise ValueError(f'`mixture_distribution.batch_shape` ({mdbs}) is not compatible with '
                                 f'`component_distribution.batch_shape`({cdbs})')
        km = mixture_distribution.logits.shape[-1]
        kc = component_distribution.batch_shape[-1]
        if km != kc:
            raise ValueError(f'`mixture_distribution component` ({km}) does not equal '
                             f'`component_distribution.batch_shape[-1]` ({kc})')
        self._num_component = km
        event_shape = component_distribution.event_shape
        self._event_ndims = len(event_shape)
        super().__init__(batch_shape=cdbs, event_shape=event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_to(MixtureSameFamily, batch_shape, _instance, expand=('_component_distribution',),
                              extra=(self._num_component,), share=('_num_component', '_event_ndims'))
        new._mixture_distribution = self._mixture_distribution.expand(batch_shape)
        return new

    @constraints.dependent_property
    def support(self):
        return constraints.MixtureSameFamilyConstraint(self._component_distribution.support)

    mixture_distribution = forwarded('_mixture_distribution')
    component_distribution = forwarded('_component_distribution')

    @property
    def mean(self):
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        return ember.sum(probs * self.component_distribution.mean, dim=-1 - self._event_ndims)

    @property
    def variance(self):
        probs = self._pad_mixture_dimensions(self.mixture_distribution.probs)
        comp = self.component_distribution
        mean_of_var = ember.sum(probs * comp.variance, dim=-1 - self._event_ndims)
        var_of_mean = ember.sum(probs * (comp.mean - self._pad(self.mean)).pow(2.0), dim=-1 - self._event_ndims)
        return mean_of_var + var_of_mean

    def cdf(self, x):
        cdf_x = self.component_distribution.cdf(self._pad(x))
        return ember.sum(cdf_x * self.mixture_distribution.probs, dim=-1)

    def log_prob(self, x):
        self._check(x)
        lp = self.component_distribution.log_prob(self._pad(x))                       # [S, B, K]
        log_mix = ember.log_softmax(self.mixture_distribution.logits, dim=-1)          # [B, K]
        return ember.logsumexp(lp + log_mix, dim=-1)

    def sample(self, sample_shape=ember.Size()):
        with ember.no_grad():
            sample_shape = ember.Size(sample_shape)
            gather_dim = len(sample_shape) + len(self.batch_shape)
            es = tuple(self.event_shape)
            idx = self.mixture_distribution.sample(sample_shape)
            comp = self.component_distribution.sample(sample_shape)
            idx = idx.reshape(tuple(idx.shape) + (1,) * (len(es) + 1))
            idx = idx.repeat((1,) * (idx.dim() - len(es)) + es)
            return ember.gather(comp, gather_dim, idx).squeeze(gather_dim)

    def _pad(self, x):
        return x.unsqueeze(-1 - self._event_ndims)

    def _pad_mixture_dimensions(self, x):
        n_batch = len(self.batch_shape)
        n_cat = len(self.mixture_distribution.batch_shape)
        pad = 0 if n_cat == 1 else n_batch - n_cat
        s = tuple(x.shape)
        return x.reshape(s[:-1] + (1,) * pad + s[-1:] + (1,) * self._event_ndims)

    def __repr__(self):
        return f'MixtureSameFamily(\n  {self.mixture_distribution},\n  {self.component_distribution})'
