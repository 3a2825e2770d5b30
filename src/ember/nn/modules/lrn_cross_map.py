"""CrossMapLRN2d: the legacy (Lua Torch) local response normalisation across channels.

    scale[n, c] = k + alpha / size * sum_{j in window(c)} x[n, j]^2,   out = x * scale^-beta

PyTorch keeps the legacy window, which this module reproduces value for value: with
``half = int((size - 1) / 2 + 1)``, channel ``c`` sums the squares of channels ``j`` with
``|j - c| < half``, and channel 0 is never dropped from the running sum (so it is in every
window). The window is a constant 0/1 channel-mixing matrix, applied with one matrix product.

The backward is the exact gradient of that forward (it passes gradcheck). PyTorch's
hand-written backward assumes a plain centred window and differs from the derivative of its
own forward (its gradcheck fails), so ember's gradients differ from PyTorch's there.
"""
import numpy as np

from ...ops._op import Op, apply
from ...ops._promote import xp
from .module import Module


def _window(channels, size):
    """The (C, C) 0/1 matrix whose row c marks the channels summed into scale[:, c]."""
    half = int((size - 1) / 2 + 1)
    c = np.arange(channels)
    w = np.abs(c[:, None] - c[None, :]) < half
    w[:, 0] = True
    return w


class CrossMapLRN2dBackward(Op):
    """Input: x (N, C, H, W); options size, alpha, beta, k."""
    saves = (0,)

    def forward(self, x, size, alpha, beta, k):
        m = xp(x)
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k
        n, c = x.shape[0], x.shape[1]
        w = m.asarray(_window(c, size), dtype=x.dtype)
        sq = (x * x).reshape(n, c, x.shape[2] * x.shape[3])
        scale = (w @ sq).reshape(x.shape)
        scale *= alpha / size
        scale += k
        return x * scale ** -beta

    def backward(self, grad):
        x, = self.saved_tensors
        n, c = x.shape[0], x.shape[1]
        w = x.new_tensor(_window(c, self.size).astype(np.float64)).to(x.dtype)
        a = self.alpha / self.size
        hw = x.shape[2] * x.shape[3]
        scale = (w @ (x * x).reshape(n, c, hw)).reshape(x.shape) * a + self.k
        p = scale.pow(-self.beta)
        # d out[c] / d x[j] = p[c] [c == j] - 2 a beta x[c] p[c] / scale[c] * w[c, j] x[j]
        r = (grad * x * p / scale).reshape(n, c, hw)
        return grad * p - (w.t() @ r).reshape(x.shape) * x * (2 * a * self.beta)


def cross_map_lrn2d(input, size, alpha=1e-4, beta=0.75, k=1):
    """The legacy cross-channel LRN of a 4-D input (see the module docstring)."""
    if input.dim() != 4:
        raise ValueError(f'CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.')
    return apply(CrossMapLRN2dBackward, input, size=size, alpha=alpha, beta=beta, k=k)


class CrossMapLRN2d(Module):
    """Local response normalisation across channels, in Lua Torch's legacy form."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f'{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}'
