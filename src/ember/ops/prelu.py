"""The activations of two operands: prelu (PreluKernelBackward0, input and weight) with its recorded
gradient node, so create_graph differentiates prelu's gradients in the upstream gradient, the input and
the weight; and glu (GluBackward0, the two halves of the input)."""
import numpy as np

from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from .activation import _real_only, _where, _float_only, _HALF
from .reduce import half_in_float32
from .unary import _sigmoid


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
        if input.ndim == 0:
            raise RuntimeError('Not allow zero-dim input tensor.')
        raise RuntimeError('Mismatch of parameter numbers and input channel size. Found parameter numbers = '
                           f'{weight.numel()} and channel size = {channels}.')
    if input.ndim >= 2:               # the weight viewed to broadcast along dim 1, as PyTorch
        weight = weight.reshape((1, weight.numel()) + (1,) * (input.ndim - 2))
    elif input.ndim == 0 or weight.ndim != 1:
        weight = weight.reshape(() if input.ndim == 0 else (weight.numel(),))
    return apply(PreluKernelBackward0, input, weight)


class GluBackward0(Op):
    saves = (0,)

    @half_in_float32
    def forward(self, a, dim=-1):
        from .shape import wrap_dim
        self.dim = d = wrap_dim(dim, a.ndim)
        if a.shape[d] % 2:
            raise RuntimeError(f'Halving dimension must be even, but dimension {d} is size {a.shape[d]}')
        x1, x2 = np.split(a, 2, axis=d)
        return x1 * _sigmoid(x2)

    def backward(self, g):
        """As PyTorch: s = sigmoid(x2) in x's dtype; g * s, and (1 - s) s x1 g rounded once."""
        x, = self.saved_tensors
        x1, x2 = x.chunk(2, self.dim)
        s = x2.sigmoid()
        from .join import cat
        if g._data.dtype in _HALF:
            s32 = s.float()
            return cat([g * s, ((1 - s32) * s32 * x1.float() * g.float()).to(g.dtype)], self.dim)
        return cat([g * s, (1 - s) * s * x1 * g], self.dim)


def glu(input, dim=-1):
    if input.ndim == 0:
        raise RuntimeError('glu does not support scalars because halving size must be even')
    _float_only(input, 'glu_cpu')
    return apply(GluBackward0, input, dim=dim)
