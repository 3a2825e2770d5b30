"""Ops behind nn.functional: linear (addmm), softmax, log_softmax, nll_loss, mse_loss."""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply
from .shape import wrap_dim
from .matmul import _same_dtype, _mm_msg


class AddmmBackward0(Op):
    """bias + input @ weight.T — nn.Linear on a batch of vectors."""
    saves = (1, 2)
    save_needs = {1: (2,), 2: (1,)}

    def forward(self, bias, x, weight):
        if x.shape[-1] != weight.shape[1]:
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x{x.shape[1]} and '
                               f'{weight.shape[1]}x{weight.shape[0]})')
        _same_dtype(x, weight, _mm_msg)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    def backward(self, g):
        x, w = self.saved_tensors
        gb = g.sum(0) if self._next[0][0] is not None else None
        gx = g.mm(w) if self._next[1][0] is not None else None
        gw = g.t().mm(x) if self._next[2][0] is not None else None
        return gb, gx, gw


def linear(input, weight, bias=None):
    if input.ndim == 2:
        return apply(AddmmBackward0, bias, input, weight)
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


class _SoftmaxBase(Op):
    saves_output = True

    def forward(self, a, dim):
        if a.dtype.kind in 'biu':
            raise RuntimeError(f'"{self.kernel}" not implemented for \'Long\'')
        self.dim = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            return self.zero_dim(a)
        shifted = a - a.max(axis=self.dim, keepdims=True)
        return self.compute(shifted)


class SoftmaxBackward0(_SoftmaxBase):
    kernel = 'softmax_lastdim_kernel_impl'

    def zero_dim(self, a):
        return np.ones_like(a)

    def compute(self, z):          # z is a fresh array: work in place
        e = np.exp(z, out=z)
        e /= e.sum(axis=self.dim, keepdims=True)
        return e

    def backward(self, g):
        y, = self.saved_tensors
        gy = g * y
        return gy - y * gy.sum(self.dim, keepdim=True)


class LogSoftmaxBackward0(_SoftmaxBase):
    kernel = 'log_softmax_lastdim_kernel_impl'

    def zero_dim(self, a):
        return np.zeros_like(a)

    def compute(self, z):          # z is a fresh array: work in place
        z -= np.log(np.exp(z).sum(axis=self.dim, keepdims=True))
        return z

    def backward(self, g):
        y, = self.saved_tensors
        return g - y.exp() * g.sum(self.dim, keepdim=True)


def _softmax_dim(ndim):
    import warnings
    warnings.warn('Implicit dimension choice for softmax has been deprecated. Change the call to include '
                  'dim=X as an argument.', UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return apply(SoftmaxBackward0, input, dim=dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim(input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    return apply(LogSoftmaxBackward0, input, dim=dim)


class NllLossBackward0(Op):
    """Negative log-likelihood of class indices: input (N, C) or (N, C, d1, ...), target (N, ...)."""

    def forward(self, logp, target, weight=None, reduction='mean', ignore_index=-100):
        if target.dtype.kind not in 'iu':
            raise RuntimeError(f'expected scalar type Long but found {_name(target)}')
        if logp.ndim < 1:
            raise ValueError(f'Expected 1 or more dimensions (got {logp.ndim})')
        x = logp if logp.ndim > 1 else logp[None]
        t = target if logp.ndim > 1 else target[None]
        if x.shape[0] != t.shape[0]:
            raise ValueError(f'Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).')
        c = x.shape[1]
        xm = np.moveaxis(x, 1, -1)                       # (N, ..., C)
        valid = t != ignore_index
        safe = np.where(valid, t, 0)
        if np.any((safe < 0) | (safe >= c)):
            bad = safe[(safe < 0) | (safe >= c)][0]
            raise IndexError(f'Target {bad} is out of bounds.')
        picked = np.take_along_axis(xm, safe[..., None], axis=-1)[..., 0]
        w = np.ones(c, x.dtype) if weight is None else weight
        wt = np.where(valid, w[safe], 0).astype(x.dtype)
        self.meta = (logp.shape, safe, wt, reduction)
        losses = -picked * wt
        if reduction == 'none':
            return losses.reshape(target.shape)
        if reduction == 'sum':
            return np.asarray(losses.sum(), x.dtype)
        return np.asarray(losses.sum() / wt.sum(), x.dtype)

    def backward(self, g):
        shape, safe, wt, reduction = self.meta
        scale = wt if reduction != 'mean' else wt / wt.sum()
        return apply(NllGrad, g, shape=shape, safe=safe, scale=scale, reduction=reduction), None

    _free = ('meta',)


class NllGrad(Op):
    """d nll / d input: -scale at the target class of each sample, times the incoming grad."""

    def forward(self, g, shape, safe, scale, reduction):
        self.args = (safe, scale, reduction, shape)
        gs = g.reshape(safe.shape) if reduction == 'none' else g
        vals = -(scale * gs).astype(g.dtype)
        out = np.zeros(shape if len(shape) > 1 else (1,) + shape, g.dtype)
        om = np.moveaxis(out, 1, -1)
        np.put_along_axis(om, safe[..., None], vals[..., None], axis=-1)
        return out.reshape(shape)

    def backward(self, gg):
        safe, scale, reduction, shape = self.args
        x = gg if len(shape) > 1 else gg.unsqueeze(0)
        picked = Tensor._make(np.ascontiguousarray(np.take_along_axis(
            np.moveaxis(x._data, 1, -1), safe[..., None], axis=-1)[..., 0]))
        r = -(picked * Tensor._make(scale.astype(gg._data.dtype)))
        return r if reduction == 'none' else r.sum()

    def name(self):
        return 'NllLossBackwardBackward0'


def _name(a):
    from .. import _dtype
    from .._tensor import _scalar_name
    return _scalar_name(_dtype._FROM_NP[a.dtype])


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    return apply(NllLossBackward0, input, target, weight=None if weight is None else weight._data,
                 reduction=reduction, ignore_index=ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    logp = log_softmax(input, 1 if input.ndim > 1 else 0)
    if target.is_floating_point():              # class probabilities
        loss = -(logp * target).sum(1 if input.ndim > 1 else 0)
        return loss if reduction == 'none' else (loss.sum() if reduction == 'sum' else loss.mean())
    return nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)


class MseLossBackward0(Op):
    saves = (0, 1)

    def forward(self, a, b, reduction='mean'):
        self.reduction = reduction
        d = (a - b) ** 2
        if reduction == 'none':
            return d
        return np.asarray(d.sum() if reduction == 'sum' else d.mean(), d.dtype)

    def backward(self, g):
        a, b = self.saved_tensors
        scale = 2.0 if self.reduction != 'mean' else 2.0 / max(a.numel(), 1)
        d = (a - b) * (g * scale)
        return (d if self._next[0][0] is not None else None,
                -d if self._next[1][0] is not None else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    if input.shape != target.shape:
        import warnings
        warnings.warn(f'Using a target size ({target.shape}) that is different to the input size '
                      f'({input.shape}). This will likely lead to incorrect results due to broadcasting. '
                      'Please ensure they have the same size.', UserWarning, stacklevel=2)
        input, target = input.expand_as(input + target), target.expand_as(input + target)
    return apply(MseLossBackward0, input, target, reduction=reduction)
