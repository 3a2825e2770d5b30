"""Loss functions beyond mse/nll/cross_entropy (nn_ops.py): elementwise losses with their own
nodes (SmoothL1LossBackward0, HuberLossBackward0, BinaryCrossEntropy*, SoftMarginLossBackward0)
and PyTorch's compositions of ember ops for the rest (l1, kl_div, margin and embedding losses)."""
import warnings

import numpy as np

from ._op import Op, apply
from .compare import where


def legacy_reduction(size_average, reduce, reduction):
    """size_average / reduce (deprecated) -> reduction string, warning as PyTorch."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use reduction='"
                  f"{_legacy(size_average, reduce)}' instead.", UserWarning, stacklevel=3)
    return _legacy(size_average, reduce)


def _legacy(size_average, reduce):
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return 'none'
    return 'mean' if size_average else 'sum'


def _check_reduction(reduction):
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f'{reduction} is not a valid value for reduction')


def _reduce(loss, reduction):
    _check_reduction(reduction)
    if reduction == 'none':
        return loss
    return loss.mean() if reduction == 'mean' else loss.sum()


def _same_size(input, target, fname):
    if tuple(input.shape) != tuple(target.shape):
        warnings.warn(f'Using a target size ({target.shape}) that is different to the input size ({input.shape}). '
                      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the '
                      'same size.', UserWarning, stacklevel=3)


class _Pointwise(Op):
    """loss(x, y) elementwise, then the reduction, in one node (PyTorch's *LossBackward0)."""
    saves = (0, 1)

    def forward(self, x, y, reduction, **kw):
        self.reduction = reduction
        self.__dict__.update(kw)
        x, y = np.broadcast_arrays(x, y)
        self.n = x.size
        out = self.elementwise(x, y)
        if reduction == 'none':
            return out
        return np.asarray(out.mean() if reduction == 'mean' else out.sum(), out.dtype)

    def backward(self, g):
        x, y = self.saved_tensors
        scale = g if self.reduction == 'none' else (g / self.n if self.reduction == 'mean' else g)
        d = self.derivative(x, y)
        gx = scale * d if self._next[0][0] is not None else None
        gy = -(scale * d) if self._next[1][0] is not None else None
        from ._promote import unbroadcast
        return (None if gx is None else unbroadcast(gx, x.shape),
                None if gy is None else unbroadcast(gy, y.shape))


class SmoothL1LossBackward0(_Pointwise):
    def elementwise(self, x, y):
        d = np.abs(x - y)
        if self.beta == 0:
            return d
        return np.where(d < self.beta, 0.5 * d * d / self.beta, d - 0.5 * self.beta).astype(x.dtype, copy=False)

    def derivative(self, x, y):
        d = x - y
        if self.beta == 0:
            return d.sign()
        return where(d.abs() < self.beta, d / self.beta, d.sign())


class HuberLossBackward0(_Pointwise):
    def elementwise(self, x, y):
        d = np.abs(x - y)
        return np.where(d < self.delta, 0.5 * d * d, self.delta * (d - 0.5 * self.delta)).astype(x.dtype, copy=False)

    def derivative(self, x, y):
        d = x - y
        return where(d.abs() < self.delta, d, d.sign() * self.delta)


class SoftMarginLossBackward0(_Pointwise):
    def elementwise(self, x, y):
        return np.logaddexp(0, -y * x).astype(x.dtype, copy=False)

    def derivative(self, x, y):
        return -y * (-y * x).sigmoid()

    def backward(self, g):          # the target gets no gradient in PyTorch
        return super().backward(g)[0], None


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _same_size(input, target, 'l1_loss')
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError('smooth_l1_loss does not support negative values for beta.')
    _same_size(input, target, 'smooth_l1_loss')
    return apply(SmoothL1LossBackward0, input, target, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError('huber_loss does not support non-positive values for delta.')
    _same_size(input, target, 'huber_loss')
    if weight is not None:
        return _reduce(apply(HuberLossBackward0, input, target, reduction='none', delta=delta) * weight,
                                   reduction)
    return apply(HuberLossBackward0, input, target, reduction=reduction, delta=delta)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return apply(SoftMarginLossBackward0, input, target, reduction=reduction)


# ------------------------------------------------------------------ binary cross-entropy

class BinaryCrossEntropyBackward0(Op):
    saves = (0, 1, 2)

    def forward(self, x, y, w, reduction):
        if np.any((x < 0) | (x > 1)):
            raise RuntimeError('all elements of input should be between 0 and 1')
        self.reduction, self.n = reduction, x.size
        loss = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
        if w is not None:
            loss = loss * w
        loss = loss.astype(x.dtype, copy=False)
        if reduction == 'none':
            return loss
        return np.asarray(loss.mean() if reduction == 'mean' else loss.sum(), x.dtype)

    def backward(self, g):
        x, y, w = self.saved_tensors
        scale = g / self.n if self.reduction == 'mean' else g
        eps = 1e-12
        gx = scale * (x - y) / ((1 - x) * x).clamp_min(eps)
        if w is not None:
            gx = gx * w
        gy = None
        if self._next[1][0] is not None:
            gy = scale * ((1 - x).clamp_min(eps).log() - x.clamp_min(eps).log())
            gy = gy if w is None else gy * w
        return gx, gy, None


class BinaryCrossEntropyWithLogitsBackward0(Op):
    saves = (0, 1, 2, 3)

    def forward(self, x, y, w, pos_weight, reduction):
        self.reduction, self.n = reduction, np.broadcast(x, y).size
        log_sig = -np.logaddexp(0, -x)          # log(sigmoid(x))
        log_1m = -np.logaddexp(0, x)            # log(1 - sigmoid(x))
        if pos_weight is not None:
            loss = -(pos_weight * y * log_sig + (1 - y) * log_1m)
        else:
            loss = -(y * log_sig + (1 - y) * log_1m)
        if w is not None:
            loss = loss * w
        loss = loss.astype(x.dtype, copy=False)
        if reduction == 'none':
            return loss
        return np.asarray(loss.mean() if reduction == 'mean' else loss.sum(), x.dtype)

    def backward(self, g):
        x, y, w, pw = self.saved_tensors
        scale = g / self.n if self.reduction == 'mean' else g
        s = x.sigmoid()
        if pw is not None:
            gx = scale * ((pw * y + 1 - y) * s - pw * y)
        else:
            gx = scale * (s - y)
        if w is not None:
            gx = gx * w
        gy = None
        if self._next[1][0] is not None:
            from .activation import softplus
            sp_neg = softplus(-x) if pw is None else softplus(-x) * pw
            gy = scale * (sp_neg - softplus(x))
            gy = gy if w is None else gy * w
        from ._promote import unbroadcast
        return unbroadcast(gx, x.shape), None if gy is None else unbroadcast(gy, y.shape), None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f'Using a target size ({target.shape}) that is different to the input size '
                         f'({input.shape}) is deprecated. Please ensure they have the same size.')
    if weight is not None:
        weight = weight.expand(input.shape)
    return apply(BinaryCrossEntropyBackward0, input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f'Target size ({target.shape}) must be the same as input size ({input.shape})')
    return apply(BinaryCrossEntropyWithLogitsBackward0, input, target, weight, pos_weight, reduction=reduction)


# ------------------------------------------------------------------ compositions

def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ('none', 'mean', 'sum', 'batchmean'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    if reduction == 'mean':
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        from .special_fns import xlogy
        loss = xlogy(target, target) - target * input
    if reduction == 'batchmean':
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = (-target * (input1 - input2) + margin).clamp_min(0)
    return _reduce(loss, reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    zeros = input.new_zeros(())
    margin_clamp = (margin - input).clamp_min(0)
    out_margin = where(target != 1, margin_clamp, zeros)
    out_self = where(target != -1, input, zeros)
    return _reduce(out_margin + out_self, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    eps = 1e-12
    dim = input1.ndim - 1
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zeros = cos.new_zeros(())
    pos = where(target == 1, 1 - cos, zeros)
    neg = where(target == -1, (cos - margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    from .pairwise import pairwise_distance
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from .minmax import minimum
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-08, reduce=None,
                     reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        import math
        approx = target * target.log() - target + (target * (2 * math.pi)).log() * 0.5
        loss = loss + where(target > 1, approx, target.new_zeros(()))
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-06, reduction='mean'):
    import math
    if var.ndim != input.ndim and tuple(var.shape) == tuple(input.shape[:-1]):
        var = var.unsqueeze(-1)
    if (var < 0).any().item():
        raise ValueError('var has negative entry/entries')
    var = var.clamp(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    reduction = legacy_reduction(size_average, reduce, reduction)
    from .activation import logsigmoid
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _reduce(loss, reduction)
