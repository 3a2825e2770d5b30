"""Gamma and Dirichlet draws with implicit reparameterisation gradients, under PyTorch's names:
``_standard_gamma`` (grad_fn StandardGammaBackward0), ``_sample_dirichlet`` (not differentiable),
the Dirichlet rsample node ``_DirichletBackward`` (PyTorch's autograd.Function of that name), and
the gradient functions ``_standard_gamma_grad(input, output)`` and ``_dirichlet_grad(x, alpha,
total)``, whose values are the exact quantities of ops/gamma_grad.py.

Draws come from the tensor's generator: on the CPU PyTorch's own samplers on its stream
(ops/cpu_samplers.py, so a seeded run gives PyTorch's numbers), cuRAND on a GPU."""
import numpy as np

from .._tensor import Tensor, _scalar_name
from .. import _dtype
from . import cpu_samplers
from ._op import Op, NotImplementedNode, apply
from ._promote import xp
from .gamma_grad import standard_gamma_grad_kernel, dirichlet_grad_kernel
from .random import _src, check_generator

__all__ = ['_standard_gamma', '_standard_gamma_grad', '_dirichlet_grad', '_sample_dirichlet',
           'dirichlet_rsample']


def _need_tensor(fname, args):
    for pos, (name, v) in enumerate(args, 1):
        if not isinstance(v, Tensor):
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not "
                            f'{type(v).__name__}')


def _check_kernel(t, kernel):
    d = t.dtype
    if d not in (_dtype.float32, _dtype.float64):
        dev = 'cpu' if type(t._data) is np.ndarray else 'cuda'
        raise NotImplementedError(f'"{kernel}_{dev}" not implemented for \'{_scalar_name(d)}\'')


def _check_same(first, others):
    for t in others:
        if t.dtype != first.dtype:
            raise RuntimeError(f'Found dtype {_scalar_name(t.dtype)} but expected {_scalar_name(first.dtype)}')


def _in_float64(kernel, *arrays):
    """``kernel`` on the broadcast arrays in float64, the result in the first array's dtype."""
    m = xp(arrays[0])
    dt = arrays[0].dtype
    args = [m.ascontiguousarray(a, dtype=np.float64).ravel() for a in m.broadcast_arrays(*arrays)]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return kernel(*args).reshape(shape).astype(dt)


# ---------------------------------------------------------------- gradient functions

class StandardGammaGradBackward0(Op):
    def forward(self, alpha, x):
        return _in_float64(standard_gamma_grad_kernel, alpha, x)

    def backward(self, grad):
        raise NotImplementedError("the derivative for '_standard_gamma_grad' is not implemented.")


def _standard_gamma_grad(input, output):
    """d output / d input for standard gamma draws ``output`` of concentration ``input``."""
    _need_tensor('_standard_gamma_grad', (('input', input), ('output', output)))
    _check_same(input, (output,))
    _check_kernel(input, '_standard_gamma_grad')
    return apply(StandardGammaGradBackward0, input, output)


class _DirichletGradNode(NotImplementedNode):
    aten = '_dirichlet_grad'

    def forward(self, x, alpha, total):
        return _in_float64(dirichlet_grad_kernel, x, alpha, total)


def _dirichlet_grad(x, alpha, total):
    """For x_i the components of Dirichlet draws: (dx_i/dalpha_i, the others' alphas fixed) / (1 - x_i),
    from the marginal Beta(alpha_i, total - alpha_i)."""
    _need_tensor('_dirichlet_grad', (('x', x), ('alpha', alpha), ('total', total)))
    _check_same(x, (alpha, total))
    _check_kernel(x, '_dirichlet_grad')
    return apply(_DirichletGradNode, x, alpha, total)


# ---------------------------------------------------------------- draws

def _gamma_draws(alpha, rng):
    """Gamma(alpha, 1) draws in alpha's dtype, at least its smallest normal number."""
    if type(alpha) is np.ndarray:           # PyTorch's CPU sampler, on its stream
        return cpu_samplers.standard_gamma(rng, alpha)
    m = xp(alpha)
    out = m.asarray(rng._draw('standard_gamma', alpha.astype(np.float64))).astype(alpha.dtype)
    return m.maximum(out.reshape(alpha.shape), np.finfo(alpha.dtype).tiny)


def _dirichlet_draws(alpha, rng):
    """Dirichlet draws along the last dim, as PyTorch's ``_sample_dirichlet``: gammas drawn and
    normalised in float64, then in the dtype clamped to [smallest normal, largest value below 1]."""
    if type(alpha) is np.ndarray:
        return cpu_samplers.dirichlet(rng, alpha)
    m = xp(alpha)
    g = _gamma_draws(alpha.astype(np.float64), rng)
    out = (g / g.sum(-1, keepdims=True)).astype(alpha.dtype)
    one = alpha.dtype.type(1)
    return m.clip(out, np.finfo(alpha.dtype).tiny, np.nextafter(one, alpha.dtype.type(0)))


class StandardGammaBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, alpha, rng=None):
        return _gamma_draws(alpha, rng)

    def backward(self, grad):
        alpha, out = self.saved_tensors
        return (grad * _standard_gamma_grad(alpha, out),)


def _standard_gamma(input, generator=None):
    """Draws from Gamma(input, 1), differentiable in ``input`` (implicit reparameterisation)."""
    _need_tensor('_standard_gamma', (('input', input),))
    check_generator(generator, '_standard_gamma')
    _check_kernel(input, 'gamma')
    return apply(StandardGammaBackward0, input, rng=_src(generator, input))


def _check_dirichlet(input):
    d = input.dtype
    if d not in (_dtype.float32, _dtype.float64):
        raise NotImplementedError(f'"dirichlet" not implemented for \'{_scalar_name(d)}\'')


class _SampleDirichletNode(NotImplementedNode):
    aten = '_sample_dirichlet'

    def forward(self, alpha, rng=None):
        return _dirichlet_draws(alpha, rng)


def _sample_dirichlet(input, generator=None):
    """Dirichlet draws along the last dim of ``input`` (recorded, not differentiable, as PyTorch)."""
    _need_tensor('_sample_dirichlet', (('input', input),))
    check_generator(generator, '_sample_dirichlet')
    _check_dirichlet(input)
    return apply(_SampleDirichletNode, input, rng=_src(generator, input))


class _DirichletBackward(Op):
    """Dirichlet.rsample: the draws of ``_sample_dirichlet``, with PyTorch's implicit gradient
    grad_alpha_i = D_i (g_i - sum_j x_j g_j), D = _dirichlet_grad(x, alpha, sum(alpha))."""
    saves = (0,)
    saves_output = True

    def forward(self, alpha, rng=None):
        return _dirichlet_draws(alpha, rng)

    def backward(self, grad):
        alpha, x = self.saved_tensors
        total = alpha.sum(-1, True).expand_as(alpha)
        d = _dirichlet_grad(x, alpha, total)
        return (d * (grad - (x * grad).sum(-1, True)),)


def dirichlet_rsample(concentration):
    """Differentiable Dirichlet draws (PyTorch's ``_Dirichlet.apply``)."""
    _check_dirichlet(concentration)
    return apply(_DirichletBackward, concentration, rng=_src(None, concentration))
