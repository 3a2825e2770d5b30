"""Standard gamma draws with implicit reparameterisation gradients.

A draw x ~ Gamma(alpha, 1) is a function of alpha through its CDF: F(x; alpha) = u fixed,
so dx/dalpha = -(dF/dalpha) / f(x; alpha). dF/dalpha comes from the series of the regularised
lower incomplete gamma function, P(alpha, x) = sum_n exp((alpha + n) log x - x - lgamma(alpha + n + 1)),
differentiated term by term (digamma by its recurrence). Draws come from the tensor's generator:
on the CPU PyTorch's own sampler on its stream (ops/cpu_samplers.py, so a seeded run gives
PyTorch's numbers), cuRAND on a GPU; everything runs on ``xp`` arrays."""
import math

import numpy as np

import ember
from ..ops._op import Op, apply
from ..ops._promote import xp
from ..ops import cpu_samplers
from ..ops.random import _src
from .._tensor import Tensor

__all__ = ['standard_gamma']

_MAX_TERMS = 4000
_LARGE = 1e4        # from here on the Wilson-Hilferty approximation is used (error ~1/alpha)


def _kernels():
    from ..ops.gamma_kernels import lgamma_kernel, digamma_kernel
    return lgamma_kernel, digamma_kernel


def _wilson_hilferty_grad(x, alpha):
    """dx/dalpha for large alpha, holding fixed the normal deviate z of the Wilson-Hilferty
    approximation x = alpha (1 - 1/(9 alpha) + z / (3 sqrt(alpha)))^3."""
    sq = np.sqrt(alpha)
    z = 3 * sq * (np.cbrt(x / alpha) - 1 + 1 / (9 * alpha))
    s = 1 - 1 / (9 * alpha) + z / (3 * sq)
    return s ** 3 + 3 * alpha * s ** 2 * (1 / (9 * alpha ** 2) - z / (6 * alpha * sq))


def standard_gamma_grad(x, alpha):
    """dx/dalpha for standard gamma draws ``x`` of concentration ``alpha`` (arrays)."""
    m = xp(x)
    dt = x.dtype
    x = x.astype(np.float64)
    alpha = alpha.astype(np.float64)
    if x.size == 0:
        return x.astype(dt)
    lgamma, digamma = _kernels()
    with np.errstate(all='ignore'):
        big = alpha >= _LARGE
        a = m.where(big, 1.0, alpha)                 # the series runs on the others only
        xs = m.where(big, 1.0, x)
        logx = np.log(xs)
        term = np.exp(a * logx - xs - lgamma(a + 1))     # n = 0 term of P(a, x)
        psi = digamma(a + 1)
        dP = term * (logx - psi)
        xmax, amin = float(xs.max()), float(a.min())
        n_terms = int(min(_MAX_TERMS, max(0.0, xmax - amin) + 12 * math.sqrt(xmax + 1) + 40))
        for n in range(1, n_terms):
            z = a + n
            psi = psi + 1 / z
            term = term * xs / z
            dP = dP + term * (logx - psi)
        log_pdf = (a - 1) * logx - xs - lgamma(a)
        grad = -dP / np.exp(log_pdf)
        grad = m.where(big, _wilson_hilferty_grad(x, alpha), grad)
        grad = m.where(np.isfinite(grad), grad, 0.0)
    return grad.astype(dt)


class StandardGammaBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, alpha, rng=None):
        m = xp(alpha)
        if type(alpha) is np.ndarray:       # PyTorch's CPU sampler, on its stream
            own = alpha if alpha.dtype in (np.float32, np.float64) else alpha.astype(np.float32)
            draws = cpu_samplers.standard_gamma(rng, own)
        else:
            draws = rng._draw('standard_gamma', alpha.astype(np.float64))
        out = m.asarray(draws).astype(alpha.dtype).reshape(alpha.shape)
        return m.maximum(out, np.finfo(alpha.dtype).tiny)

    def backward(self, grad):
        alpha, out = self.saved_tensors
        d = standard_gamma_grad(out.detach()._data, alpha.detach()._data)
        return (grad * Tensor._make(d),)


def standard_gamma(alpha):
    """Draws from Gamma(alpha, 1), differentiable in ``alpha`` (implicit reparameterisation)."""
    return apply(StandardGammaBackward0, alpha, rng=_src(None, alpha))


def sample_dirichlet(concentration):
    """Draws from Dirichlet(concentration) along the last dim, as PyTorch's ``_sample_dirichlet``:
    gamma draws made and normalised in float64, then in the dtype clamped to [smallest normal, the
    largest value below 1]."""
    dt = concentration.dtype
    g = standard_gamma(concentration.to(ember.float64))
    x = (g / g.sum(-1, keepdim=True)).to(dt)
    return x.clamp(min=ember.finfo(dt).tiny, max=1 - ember.finfo(dt).eps / 2)
