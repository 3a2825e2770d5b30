"""Distributions over matrices: Wishart (positive-definite matrices, Bartlett-decomposition
rsample) and LKJCholesky (Cholesky factors of correlation matrices, onion-method sample)."""
import math
import warnings

import ember
from . import constraints
from .distribution import Distribution, ExponentialFamily
from .gamma_family import Beta
from .heavy_tails import Chi2
from .multivariate import TrilMatrices, _precision_to_scale_tril
from .utils import broadcast_all, lazy_property, vec_to_tril_matrix

__all__ = ['Wishart', 'LKJCholesky']

_LOG_2 = math.log(2)


def _mvdigamma(x, p):
    """The multivariate digamma: sum_{i<p} digamma(x - i / 2)."""
    if not bool(x.gt((p - 1) / 2).all()):
        raise AssertionError('Wrong domain for multivariate digamma function.')
    half = ember.arange(p, dtype=x.dtype, device=x.device).div(2)
    return ember.digamma(x.unsqueeze(-1) - half.expand(tuple(x.shape) + (-1,))).sum(-1)


def _chol_solve(B, L):
    """(L L^T)^-1 B, differentiated with respect to L as the full product (as PyTorch's
    cholesky_solve is)."""
    return ember.linalg.solve(ember.matmul(L, L.mT), B)


class Wishart(TrilMatrices, ExponentialFamily):
    """The Wishart distribution over p x p positive-definite matrices with ``df`` degrees of
    freedom (> p - 1) and one of ``covariance_matrix``, ``precision_matrix`` or ``scale_tril``
    (the lower Cholesky factor of the scale matrix, which everything is computed from)."""
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def arg_constraints(self):
        return {'covariance_matrix': constraints.positive_definite,
                'precision_matrix': constraints.positive_definite,
                'scale_tril': constraints.lower_cholesky,
                'df': constraints.greater_than(self.event_shape[-1] - 1)}

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None, validate_args=None):
        given = [(n, m) for n, m in (('covariance_matrix', covariance_matrix), ('precision_matrix', precision_matrix),
                                     ('scale_tril', scale_tril)) if m is not None]
        if len(given) != 1:
            raise AssertionError('Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.')
        name, param = given[0]
        if param.dim() < 2:
            raise ValueError('scale_tril must be at least two-dimensional, with optional leading batch dimensions')
        if isinstance(df, ember.Tensor):
            batch_shape = ember.broadcast_shapes(tuple(param.shape[:-2]), tuple(df.shape))
            self.df = df.expand(batch_shape)
        else:
            batch_shape = ember.Size(param.shape[:-2])
            self.df = ember.tensor(df, dtype=param.dtype, device=param.device)
        batch_shape = ember.Size(batch_shape)
        event_shape = ember.Size(param.shape[-2:])
        p = event_shape[-1]
        if bool(self.df.le(p - 1).any()):
            raise ValueError(f'Value of df={df} expected to be greater than ndim - 1 = {p - 1}.')
        setattr(self, name, param.expand(tuple(batch_shape) + (-1, -1)))
        if bool(self.df.lt(p).any()):
            warnings.warn('Low df values detected. Singular samples are highly likely to occur for '
                          'ndim - 1 < df < ndim.', stacklevel=2)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        self._batch_dims = [-(x + 1) for x in range(len(self._batch_shape))]
        if name == 'scale_tril':
            self._unbroadcasted_scale_tril = param
        elif name == 'covariance_matrix':
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(param)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(param)
        self._dist_chi2 = self._chi2(batch_shape)

    def _chi2(self, batch_shape):
        """Chi2(df - i) for i < p: the squared diagonal of the Bartlett factor."""
        L = self._unbroadcasted_scale_tril
        steps = ember.arange(self._event_shape[-1], dtype=L.dtype, device=L.device)
        return Chi2(df=self.df.unsqueeze(-1) - steps.expand(tuple(batch_shape) + (-1,)))

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = ember.Size(batch_shape)
        mat_shape = tuple(batch_shape) + tuple(self.event_shape)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril.expand(mat_shape)
        new.df = self.df.expand(batch_shape)
        new._batch_dims = [-(x + 1) for x in range(len(batch_shape))]
        for name in ('covariance_matrix', 'scale_tril', 'precision_matrix'):
            if name in self.__dict__:
                setattr(new, name, self.__dict__[name].expand(mat_shape))
        new._event_shape = self.event_shape
        new._dist_chi2 = new._chi2(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _mat_shape(self):
        return tuple(self._batch_shape) + tuple(self._event_shape)

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        eye = ember.eye(self._event_shape[-1], dtype=L.dtype, device=L.device)
        return _chol_solve(eye, L).expand(self._mat_shape())

    def _df_as_matrix(self, df):
        return df.view(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self):
        return self._df_as_matrix(self.df) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = ember.where(factor <= 0, math.nan, factor)
        return self._df_as_matrix(factor) * self.covariance_matrix

    @property
    def variance(self):
        V = self.covariance_matrix
        d = V.diagonal(dim1=-2, dim2=-1)
        return self._df_as_matrix(self.df) * (V.pow(2) + d.unsqueeze(-1) * d.unsqueeze(-2))

    def _bartlett_sampling(self, sample_shape=ember.Size()):
        """L A A^T L^T with A lower triangular: sqrt(Chi2(df - i)) on the diagonal, standard
        normals below it."""
        p = self._event_shape[-1]
        chi = self._dist_chi2.rsample(sample_shape).sqrt()
        chi = chi.clamp(min=ember.finfo(chi.dtype).eps)
        below = ember.randn(tuple(sample_shape) + tuple(self._batch_shape) + (p * (p - 1) // 2,),
                            dtype=chi.dtype, device=chi.device)
        noise = ember.diag_embed(chi) + vec_to_tril_matrix(below, diag=-1)
        chol = ember.matmul(self._unbroadcasted_scale_tril, noise)
        return ember.matmul(chol, chol.mT)

    def _flagged(self, sample):
        """Per draw (over sample_shape): PyTorch's ``is_singular``, which is ``support.check`` (true
        for the positive definite draws), reduced with any() over the batch."""
        ok = self.support.check(sample)
        if self._batch_shape:
            ok = ok.reshape(tuple(ok.shape[:ok.dim() - len(self._batch_shape)]) + (-1,)).any(dim=-1)
        return ok

    def rsample(self, sample_shape=ember.Size(), max_try_correction=None):
        """A Bartlett-decomposition draw, then PyTorch's correction loop as PyTorch runs it: its test
        flags the draws that are positive definite (not the singular ones), so a normal draw warns
        'Singular sample detected.' and is drawn once more (up to ``max_try_correction``, default 10,
        rounds while redrawn ones come out singular). The same numbers as PyTorch, from its stream."""
        if max_try_correction is None:
            max_try_correction = 10
        sample_shape = ember.Size(sample_shape)
        sample = self._bartlett_sampling(sample_shape)
        flagged = self._flagged(sample)
        if bool(flagged.any()):
            warnings.warn('Singular sample detected.', stacklevel=2)
            for _ in range(max_try_correction):
                fresh = self._bartlett_sampling(flagged[flagged].shape)
                sample[flagged] = fresh
                flagged[flagged.clone()] = self._singular_any(fresh)
                if not bool(flagged.any()):
                    break
        return sample

    def _singular_any(self, sample):
        """Per draw: is any matrix of its batch not positive definite?"""
        bad = ~self.support.check(sample)
        return bad.reshape(tuple(bad.shape[:bad.dim() - len(self._batch_shape)]) + (-1,)).any(dim=-1)

    def _half_log_det_scale(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        self._check(value)
        nu, p = self.df, self._event_shape[-1]
        trace = _chol_solve(value, self._unbroadcasted_scale_tril).diagonal(dim1=-2, dim2=-1).sum(dim=-1)
        return (-nu * (p * _LOG_2 / 2 + self._half_log_det_scale()) - ember.mvlgamma(nu / 2, p=p)
                + (nu - p - 1) / 2 * ember.linalg.slogdet(value).logabsdet - trace / 2)

    def entropy(self):
        nu, p = self.df, self._event_shape[-1]
        return ((p + 1) * (p * _LOG_2 / 2 + self._half_log_det_scale()) + ember.mvlgamma(nu / 2, p=p)
                - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p=p) + nu * p / 2)

    @property
    def _natural_params(self):
        p = self._event_shape[-1]
        return -self.precision_matrix / 2, (self.df - p - 1) / 2

    def _log_normalizer(self, x, y):
        p = self._event_shape[-1]
        return ((y + (p + 1) / 2) * (-ember.linalg.slogdet(-2 * x).logabsdet + _LOG_2 * p)
                + ember.mvlgamma(y + (p + 1) / 2, p=p))


class LKJCholesky(Distribution):
    """The LKJ distribution over lower Cholesky factors L of dim x dim correlation matrices:
    the density of L L^T is proportional to det(L L^T) ** (concentration - 1), so
    concentration 1 is uniform over correlation matrices. Sampled by the onion method
    (Lewandowski, Kurowicka & Joe, 2009, section 3.2)."""
    arg_constraints = {'concentration': constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim, concentration=1.0, validate_args=None):
        if dim < 2:
            raise ValueError(f'Expected dim to be an integer greater than or equal to 2. Found dim={dim}.')
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        c = self.concentration
        # the onion method's Beta(i / 2, eta + (dim - 2 - i) / 2) draws for the rows i = 0..dim-1
        # (row 0 gets an unused Beta(1/2, .) so every row draws alike)
        offset = ember.arange(dim - 1, dtype=c.dtype, device=c.device)
        offset = ember.cat([offset.new_zeros((1,)), offset])
        marginal = c + 0.5 * (dim - 2)
        self._beta = Beta(offset + 0.5, marginal.unsqueeze(-1) - 0.5 * offset)
        super().__init__(c.size(), ember.Size((dim, dim)), validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LKJCholesky, _instance)
        batch_shape = ember.Size(batch_shape)
        new.dim = self.dim
        new.concentration = self.concentration.expand(batch_shape)
        new._beta = self._beta.expand(ember.Size(tuple(batch_shape) + (self.dim,)))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=ember.Size()):
        with ember.no_grad():
            y = self._beta.sample(sample_shape).unsqueeze(-1)
            shape = self._extended_shape(sample_shape)
            u = ember.randn(shape, dtype=y.dtype, device=y.device).tril(-1)
            # rows on the unit sphere; row 0 is all zeros (0 / 0), set to 0
            norm = u.norm(dim=-1, keepdim=True)
            first = ember.arange(self.dim, device=y.device).view(-1, 1) == 0
            u = ember.where(first, 0.0, u / norm)
            w = ember.sqrt(y) * u
            diag = ember.clamp(1 - ember.sum(w ** 2, dim=-1), min=ember.finfo(w.dtype).tiny).sqrt()
            return w + ember.diag_embed(diag)

    def log_prob(self, value):
        # density of L: prod_i L_ii ** (2 (eta - 1) + dim - i) for i = 2..dim (1-based),
        # the correlation density times the Jacobian of L -> L L^T
        self._check(value)
        diag = value.diagonal(dim1=-1, dim2=-2)[..., 1:]
        order = ember.arange(2, self.dim + 1, device=self.concentration.device)
        order = 2 * (self.concentration - 1).unsqueeze(-1) + self.dim - order
        unnormalized = ember.sum(order * diag.log(), dim=-1)
        dm1 = self.dim - 1
        alpha = self.concentration + 0.5 * dm1
        denominator = ember.lgamma(alpha) * dm1
        numerator = ember.mvlgamma(alpha - 0.5, dm1)
        pi_constant = 0.5 * dm1 * math.log(math.pi)    # D (D - 1) / 4 log(pi) less mvlgamma's own
        return unnormalized - (pi_constant + numerator - denominator)
