"""Names kept for older imports; the gamma and Dirichlet draws and their implicit reparameterisation
gradients live in ops/gamma_draws.py and ops/gamma_grad.py."""
import numpy as np

from ..ops.gamma_draws import _standard_gamma as standard_gamma, _sample_dirichlet as sample_dirichlet
from ..ops.gamma_grad import standard_gamma_grad_kernel

__all__ = ['standard_gamma', 'sample_dirichlet', 'standard_gamma_grad']


def standard_gamma_grad(x, alpha):
    """dx/dalpha for standard gamma draws ``x`` of concentration ``alpha`` (arrays of one shape)."""
    return standard_gamma_grad_kernel(alpha.astype(np.float64), x.astype(np.float64)).astype(x.dtype)
