"""prelu (PreluKernelBackward0) and its recorded gradient node, so create_graph differentiates
prelu's gradients in the upstream gradient, the input and the weight."""
import numpy as np

from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from .activation import _real_only, _where


class PreluKernelBackward0(Op):
    """x where positive, else w x; w arrives already shaped to broadcast against x."""
    saves = (0, 1)

    def forward(self, a, w):
        return np.where(a > 0, a, a * w)

    def backward(self, g):
        x, w = self.saved_tensors
        gx, gw = apply(PreluKernelBackwardBackward0, g, x, w)
        return gx, gw.sum_to_size(w.shape)


class PreluKernelBackwardBackward0(Op):
    """prelu's gradients (g where x > 0 else g w; and w's, unreduced: 0 where x > 0 else g x), recorded
    so create_graph differentiates them in g, x and w, as PyTorch."""
    saves = (0, 1, 2)
    n_outputs = 2

    def forward(self, g, x, w):
        pos = x > 0
        return np.where(pos, g, g * w), np.where(pos, g.dtype.type(0), g * x)

    def backward(self, ggx, ggw):
        g, x, w = self.saved_tensors
        pos = x > 0
        dg = _where(pos, ggx, ggx * w + ggw * x)
        dx = _where(pos, 0.0, ggw * g)
        dw = _where(pos, 0.0, ggx * g).sum_to_size(w.shape)
        return dg, dx, dw


def prelu(input, weight):
    if _amp.state.on and _amp.lower('prelu', input):  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(prelu, input, weight)
    _real_only(input, 'prelu_cpu')
    if input.dtype != weight.dtype:
        from .._tensor import _scalar_name
        raise RuntimeError(f'prelu: Type promoting not supported. Got {_scalar_name(input.dtype)} and '
                           f'{_scalar_name(weight.dtype)}')
    if weight.ndim > 1:
        raise RuntimeError(f'prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}')
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError('Mismatch of parameter numbers and input channel size. Found parameter numbers = '
                           f'{weight.numel()} and channel size = {channels}.')
    if input.ndim >= 2:               # the weight viewed to broadcast along dim 1, as PyTorch
        weight = weight.reshape((1, weight.numel()) + (1,) * (input.ndim - 2))
    elif input.ndim == 0 or weight.ndim != 1:
        weight = weight.reshape(() if input.ndim == 0 else (weight.numel(),))
    return apply(PreluKernelBackward0, input, weight)
