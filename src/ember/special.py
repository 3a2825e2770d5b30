"""ember.special: PyTorch's ``torch.special`` names for the special functions.

Every entry is the op defined under ``ember/ops`` (same forward, backward and grad_fn name);
this module only gives it its ``special`` name and signature."""
from .ops.nn_ops import softmax as _softmax, log_softmax as _log_softmax
from .ops.special_fns import erf, erfc, erfinv, entr, xlogy as _xlogy
from .ops.unary import sigmoid, expm1, log1p
from .ops.unary_more import exp2, logit, sinc, round as _round, to_out as _to_out
from .ops.gamma import (digamma, polygamma, i0, i0e, i1, i1e, ndtr, ndtri, log_ndtr, lgamma as gammaln,
                        mvlgamma as _mvlgamma)
from .ops.gamma_igamma import special_gammainc as gammainc, special_gammaincc as gammaincc
from .ops.reduce_more import logsumexp
from .ops.special_bessel import (airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1, modified_bessel_i0,
                                 modified_bessel_i1, modified_bessel_k0, modified_bessel_k1,
                                 scaled_modified_bessel_k0, scaled_modified_bessel_k1, spherical_bessel_j0, erfcx)
from .ops.special_poly import (chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v,
                               chebyshev_polynomial_w, shifted_chebyshev_polynomial_t,
                               shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
                               shifted_chebyshev_polynomial_w, hermite_polynomial_h, hermite_polynomial_he,
                               laguerre_polynomial_l, legendre_polynomial_p, xlog1py, zeta)

__all__ = ['expit', 'logit', 'erf', 'erfc', 'erfinv', 'exp2', 'expm1', 'log1p', 'sinc', 'round', 'xlogy',
           'entr', 'softmax', 'log_softmax', 'gammaln', 'digamma', 'psi', 'polygamma', 'multigammaln', 'i0',
           'i0e', 'i1', 'i1e', 'ndtr', 'ndtri', 'log_ndtr', 'gammainc', 'gammaincc', 'logsumexp',
           'airy_ai', 'bessel_j0', 'bessel_j1', 'bessel_y0', 'bessel_y1', 'modified_bessel_i0',
           'modified_bessel_i1', 'modified_bessel_k0', 'modified_bessel_k1', 'scaled_modified_bessel_k0',
           'scaled_modified_bessel_k1', 'spherical_bessel_j0', 'erfcx', 'chebyshev_polynomial_t',
           'chebyshev_polynomial_u', 'chebyshev_polynomial_v', 'chebyshev_polynomial_w',
           'shifted_chebyshev_polynomial_t', 'shifted_chebyshev_polynomial_u', 'shifted_chebyshev_polynomial_v',
           'shifted_chebyshev_polynomial_w', 'hermite_polynomial_h', 'hermite_polynomial_he',
           'laguerre_polynomial_l', 'legendre_polynomial_p', 'xlog1py', 'zeta']

psi = digamma


def expit(input, *, out=None):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    r = sigmoid(input)
    return r if out is None else _to_out('sigmoid', out, r)


def round(input, *, decimals=0, out=None):  # noqa: A001
    """Round half to even to ``decimals`` places (always the ``decimals`` form, as in PyTorch)."""
    return _round(input, decimals=decimals, out=out)


def xlogy(input, other, *, out=None):
    """x * log(y), and 0 where x == 0."""
    return _xlogy(input, other, out=out)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _log_softmax(input, dim, dtype=dtype)


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``."""
    return _mvlgamma(input, p, out=out)
