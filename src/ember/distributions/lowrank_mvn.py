"""LowRankMultivariateNormal: a normal distribution of vectors whose covariance is
W W^T + diag(D) (``cov_factor`` W of shape n x r, ``cov_diag`` D of length n), and its KL pairs
with itself and with MultivariateNormal.

Nothing n x n is factorised: log-determinants and Mahalanobis distances go through the r x r
"capacitance" matrix C = I + W^T D^-1 W (matrix determinant lemma, Woodbury identity), whose
Cholesky factor is computed once when the distribution is built.
"""
import math

import ember
from . import constraints
from .distribution import Distribution
from .kl import register_kl, _batch_trace_XXT
from .multivariate import MultivariateNormal, _batch_mahalanobis, _batch_mv, _tri_solve
from .utils import _standard_normal, forwarded, lazy_property

__all__ = ['LowRankMultivariateNormal']

_LOG_2PI = math.log(2 * math.pi)


def _plus_eye(K):
    return K + ember.eye(K.shape[-1], dtype=K.dtype, device=K.device)


def _capacitance_tril(W, D):
    """Cholesky factor of I + W^T D^-1 W (batched)."""
    return ember.linalg.cholesky(_plus_eye(ember.matmul(W.mT / D.unsqueeze(-2), W)))


def _lowrank_logdet(W, D, C_tril):
    """log det(W W^T + diag(D)) = log det(C) + sum(log D)."""
    return 2 * C_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1) + D.log().sum(-1)


def _lowrank_mahalanobis(W, D, x, C_tril):
    """x^T (W W^T + diag(D))^-1 x = x^T D^-1 x - |C_tril^-1 W^T D^-1 x|^2."""
    Wt_Dinv_x = _batch_mv(W.mT / D.unsqueeze(-2), x)
    return (x.pow(2) / D).sum(-1) - _batch_mahalanobis(C_tril, Wt_Dinv_x)


class LowRankMultivariateNormal(Distribution):
    """The normal distribution of vectors with mean ``loc`` and covariance
    ``cov_factor @ cov_factor.mT + diag(cov_diag)``."""
    arg_constraints = {'loc': constraints.real_vector, 'cov_factor': constraints.independent(constraints.real, 2),
                       'cov_diag': constraints.independent(constraints.positive, 1)}
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.dim() < 1:
            raise ValueError('loc must be at least one-dimensional.')
        event_shape = loc.shape[-1:]
        if cov_factor.dim() < 2:
            raise ValueError('cov_factor must be at least two-dimensional, with optional leading batch dimensions')
        if cov_factor.shape[-2:-1] != event_shape:
            raise ValueError(f'cov_factor must be a batch of matrices with shape {event_shape[0]} x m')
        if cov_diag.shape[-1:] != event_shape:
            raise ValueError(f'cov_diag must be a batch of vectors with shape {event_shape}')
        try:     # broadcast as columns next to the factor, so the factor's rank dim is left alone
            loc_, self.cov_factor, diag_ = ember.broadcast_tensors(loc.unsqueeze(-1), cov_factor,
                                                                   cov_diag.unsqueeze(-1))
        except RuntimeError as e:
            raise ValueError(f'Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, '
                             f'cov_diag {cov_diag.shape}') from e
        self.loc, self.cov_diag = loc_[..., 0], diag_[..., 0]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(self.loc.shape[:-1], event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_to(LowRankMultivariateNormal, batch_shape, _instance, expand=('loc', 'cov_diag'),
                              extra=self.event_shape, share=('_unbroadcasted_cov_factor', '_unbroadcasted_cov_diag',
                                                             '_capacitance_tril'))
        new.cov_factor = self.cov_factor.expand(tuple(new.loc.shape) + tuple(self.cov_factor.shape[-1:]))
        return new

    def _shape(self, k):
        """batch_shape + event_shape repeated ``k`` times (vectors: 1, matrices: 2)."""
        return tuple(self._batch_shape) + tuple(self._event_shape) * k

    mean = forwarded('loc')
    mode = forwarded('loc')

    @lazy_property
    def variance(self):
        v = self._unbroadcasted_cov_factor.pow(2).sum(-1) + self._unbroadcasted_cov_diag
        return v.expand(self._shape(1))

    @lazy_property
    def scale_tril(self):
        # cholesky(W W^T + D) = D^1/2 cholesky(I + D^-1/2 W W^T D^-1/2): the n x n factor is formed here
        sqrt_d = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        Dinvsqrt_W = self._unbroadcasted_cov_factor / sqrt_d
        L = sqrt_d * ember.linalg.cholesky(_plus_eye(ember.matmul(Dinvsqrt_W, Dinvsqrt_W.mT)))
        return L.expand(self._shape(2))

    @lazy_property
    def covariance_matrix(self):
        W = self._unbroadcasted_cov_factor
        cov = ember.matmul(W, W.mT) + ember.diag_embed(self._unbroadcasted_cov_diag)
        return cov.expand(self._shape(2))

    @lazy_property
    def precision_matrix(self):
        # Woodbury: (W W^T + D)^-1 = D^-1 - A^T A with A = C_tril^-1 W^T D^-1
        D = self._unbroadcasted_cov_diag
        A = _tri_solve(self._capacitance_tril, self._unbroadcasted_cov_factor.mT / D.unsqueeze(-2))
        return (ember.diag_embed(D.reciprocal()) - A.mT.matmul(A)).expand(self._shape(2))

    def rsample(self, sample_shape=ember.Size()):
        shape = self._extended_shape(sample_shape)
        eps_W = _standard_normal(tuple(shape[:-1]) + tuple(self.cov_factor.shape[-1:]), self.loc.dtype,
                                 self.loc.device)
        eps_D = _standard_normal(shape, self.loc.dtype, self.loc.device)
        return (self.loc + _batch_mv(self._unbroadcasted_cov_factor, eps_W)
                + self._unbroadcasted_cov_diag.sqrt() * eps_D)

    def _logdet(self):
        return _lowrank_logdet(self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag, self._capacitance_tril)

    def _mahalanobis(self, x):
        return _lowrank_mahalanobis(self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag, x,
                                    self._capacitance_tril)

    def log_prob(self, value):
        self._check(value)
        M = self._mahalanobis(value - self.loc)
        return -0.5 * (self._event_shape[0] * _LOG_2PI + self._logdet() + M)

    def entropy(self):
        H = 0.5 * (self._event_shape[0] * (1.0 + _LOG_2PI) + self._logdet())
        return H if len(self._batch_shape) == 0 else H.expand(self._batch_shape)


# ------------------------------------------------------------------ KL divergences

def _check_events(p, q, what):
    if p.event_shape != q.event_shape:
        raise ValueError(f'KL-divergence between two {what} with                          '
                         'different event shapes cannot be computed')


def _woodbury_factor(q):
    """A = C_tril^-1 W^T D^-1 of q, so that q's precision is D^-1 - A^T A."""
    D = q._unbroadcasted_cov_diag
    return _tri_solve(q._capacitance_tril, q._unbroadcasted_cov_factor.mT / D.unsqueeze(-2))


def _half_logdet_mvn(p):
    return p._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrankmultivariatenormal_lowrankmultivariatenormal(p, q):
    _check_events(p, q, 'Low Rank Multivariate Normals')
    term1 = q._logdet() - p._logdet()
    term3 = q._mahalanobis(q.loc - p.loc)
    # trace(q_cov^-1 p_cov) with q_cov^-1 = qD^-1 - A^T A and p_cov = pD + pW pW^T
    A = _woodbury_factor(q)
    pW, pD, qD = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag, q._unbroadcasted_cov_diag
    term2 = ((pD / qD).sum(-1) + _batch_trace_XXT(pW * qD.rsqrt().unsqueeze(-1))
             - _batch_trace_XXT(A * pD.sqrt().unsqueeze(-2)) - _batch_trace_XXT(A.matmul(pW)))
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_multivariatenormal_lowrankmultivariatenormal(p, q):
    _check_events(p, q, '(Low Rank) Multivariate Normals')
    term1 = q._logdet() - 2 * _half_logdet_mvn(p)
    term3 = q._mahalanobis(q.loc - p.loc)
    A, pL = _woodbury_factor(q), p._unbroadcasted_scale_tril
    term2 = (_batch_trace_XXT(pL * q._unbroadcasted_cov_diag.rsqrt().unsqueeze(-1))
             - _batch_trace_XXT(A.matmul(pL)))
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrankmultivariatenormal_multivariatenormal(p, q):
    _check_events(p, q, '(Low Rank) Multivariate Normals')
    term1 = 2 * _half_logdet_mvn(q) - p._logdet()
    qL = q._unbroadcasted_scale_tril
    term3 = _batch_mahalanobis(qL, q.loc - p.loc)
    # trace(q_cov^-1 p_cov) = |qL^-1 pW|^2 + |qL^-1 pD^1/2|^2, over the joint batch shape
    pW = p._unbroadcasted_cov_factor
    batch = tuple(ember.broadcast_shapes(tuple(qL.shape[:-2]), tuple(pW.shape[:-2])))
    n = p.event_shape[0]
    qL = qL.expand(batch + (n, n))
    pW = pW.expand(batch + (n, p.cov_factor.size(-1)))
    pD_half = ember.diag_embed(p._unbroadcasted_cov_diag.sqrt()).expand(batch + (n, n))
    term2 = _batch_trace_XXT(_tri_solve(qL, pW)) + _batch_trace_XXT(_tri_solve(qL, pD_half))
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])
