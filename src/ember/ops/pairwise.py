"""Distances between rows (cosine_similarity, pairwise_distance) and the margin losses:
margin_ranking, hinge_embedding, cosine_embedding and triplet_margin composed of ember ops as
PyTorch composes them (so grad_fn names match), multi_margin and multilabel_margin as nodes,
multilabel_soft_margin from logsigmoid."""
import numpy as np

from .._tensor import _scalar_name
from ..autograd.grad_mode import no_grad
from ..amp import autocast_mode as _amp  # autocast hook
from .arith_scalar import add_scalar, sub_scalar, number_minus
from ._op import Op, apply
from ._promote import xp
from .._dtype import result_type
from .compare import where
from .creation import zeros_like
from .minmax import minimum
from .shape_more import broadcast_tensors
from .stats import LinalgVectorNormBackward0, vector_norm


class NormBackward1(LinalgVectorNormBackward0):
    """The p-norm over one dim, as PyTorch's ``norm(x, p, dim)`` names its node."""


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    """Each input divided by its norm (clamped below at eps, a clamp autograd does not see), then
    the dot product along dim of the broadcast inputs."""
    if _amp.state.on and _amp.fp32('cosine_similarity', x1):  # autocast hook (ember.amp)
        return _amp.call_fp32(cosine_similarity, x1, x2, dim, eps)
    common = result_type(x1, x2)
    if not common.is_floating_point:
        raise RuntimeError(f'expected common dtype to be floating point, yet common dtype is {_scalar_name(common)}')
    x1 = x1 if x1.is_floating_point() else x1.to(common)
    x2 = x2 if x2.is_floating_point() else x2.to(common)
    x1, x2 = broadcast_tensors(x1, x2)
    n1 = vector_norm(x1, 2, dim, keepdim=True).clone()
    n2 = vector_norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    """The p-norm of x1 - x2 + eps over the last dim of the broadcast shape."""
    ndim = max(x1.ndim, x2.ndim)
    return apply(NormBackward1, add_scalar(x1 - x2, eps), ord=float(p), dim=ndim - 1 if ndim else None,
                 keepdim=keepdim)


# the shared reduction helpers live in losses.py, which re-exports this module's losses at its
# end: import them on use, not at import time
def _reduction(size_average, reduce, reduction):
    from .losses import legacy_reduction, reduction_enum
    return reduction_enum(legacy_reduction(size_average, reduce, reduction))


def _reduce(loss, reduction):
    from .losses import reduce_loss
    return reduce_loss(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('margin_ranking_loss', input1):  # autocast hook (ember.amp)
        return _amp.call_fp32(margin_ranking_loss, input1, input2, target, margin, size_average, reduce, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError('margin_ranking_loss : All input tensors should have same dimension but got sizes: '
                           f'input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ')
    return _reduce(add_scalar(-target * (input1 - input2), margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('hinge_embedding_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(hinge_embedding_loss, input, target, margin, size_average, reduce, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    zeros = zeros_like(input)
    margin_clamp = number_minus(margin, input).clamp_min(0)
    loss = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros)
    return _reduce(loss, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('cosine_embedding_loss', input1):  # autocast hook (ember.amp)
        return _amp.call_fp32(cosine_embedding_loss, input1, input2, target, margin, size_average, reduce,
                                  reduction)
    reduction = _reduction(size_average, reduce, reduction)
    tdim = target.ndim
    if tdim > 1:
        raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
    if input1.ndim != tdim + 1 or input2.ndim != tdim + 1:
        raise RuntimeError(f'{tdim}D target tensor expects {tdim + 1}D input tensors, but found inputs with sizes '
                           f'{list(input1.shape)} and {list(input2.shape)}.')
    eps = 1e-12
    prod = (input1 * input2).sum(tdim)
    mag1 = add_scalar((input1 * input1).sum(tdim), eps)
    mag2 = add_scalar((input2 * input2).sum(tdim), eps)
    cos = prod / (mag1 * mag2).sqrt()
    zeros = zeros_like(cos)
    pos = where(target == 1, number_minus(1, cos), zeros)
    neg = where(target == -1, sub_scalar(cos, margin).clamp_min(0), zeros)
    return _reduce(pos + neg, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-06, swap=False, size_average=None,
                        reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('triplet_margin_loss', anchor):  # autocast hook (ember.amp)
        return _amp.call_fp32(triplet_margin_loss, anchor, positive, negative, margin, p, eps, swap, size_average,
                                  reduce, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f'margin must be greater than 0, got {margin}')
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError('The anchor, positive, and negative tensors are expected to have the same number of '
                           f'dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative {dims[2]}D '
                           'inputs')
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((add_scalar(d_pos, margin) - d_neg).clamp_min(0), reduction)


# ------------------------------------------------------------------ multi-class margin losses (own nodes)

def _margin_shapes(x):
    """(frames, classes) of an input (C,), (N, C) or 0-dim, with PyTorch's checks."""
    nd = x.ndim
    if not ((nd == 2 and x.shape[1] != 0) or (nd == 1 and x.shape[0] != 0) or nd == 0):
        raise RuntimeError('Expected non-empty vector or matrix with optional 0-dim batch size, but got: '
                           f'{list(x.shape)}')
    return (1 if nd <= 1 else x.shape[0]), (1 if nd == 0 else x.shape[-1])


def _long_target(x, target, kernel):
    if x.dtype.kind not in 'fV':
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_np_name(x)}\'')
    if target.dtype != np.int64:
        raise RuntimeError(f'expected scalar type Long but found {_np_name(target)}')


def _np_name(a):
    from .losses import dtype_name
    return dtype_name(a)


class _MarginNode(Op):
    """Shared backward: d loss / d x = (the per-sample coefficient matrix) * upstream grad."""
    saves = (0,)

    def _out(self, per, reduction, keep_frames):
        self.reduction = reduction
        if reduction == 'none':
            return per if keep_frames else per.reshape(())
        total = per.sum() if reduction == 'sum' else per.sum() / per.shape[0]
        return xp(per).asarray(total, dtype=per.dtype)

    def backward(self, g):
        x, = self.saved_tensors
        g = g.reshape(-1, 1) if self.reduction == 'none' else (g / self.n if self.reduction == 'mean' else g)
        return (self.coef(x) * g).reshape(x.shape), None


class MultiMarginLossBackward0(_MarginNode):
    def forward(self, x, target, weight=None, p=1, margin=1.0, reduction='mean'):
        n, c = _margin_shapes(x)
        if target.ndim > 1 or target.size != n:
            raise RuntimeError('multi_margin_loss: target tensor should be 1-D with size equal to the number of '
                               f'input samples (batch size). Expected target size [{n}], but got '
                               f'{list(target.shape)}. Input has shape {list(x.shape)}.')
        if weight is not None and (weight.ndim > 1 or weight.size != c):
            raise RuntimeError(f'inconsistent weight size, expected {c} but got {list(weight.shape)}')
        _long_target(x, target, 'multi_margin_loss_cpu_kernel')
        if weight is not None and weight.dtype != x.dtype:
            raise RuntimeError(f'expected scalar type {_np_name(x)} but found {_np_name(weight)}')
        m = xp(x)
        t = target.reshape(n, 1).copy()
        if ((t < 0) | (t >= c)).any():
            raise RuntimeError('target out of range')
        xs = x.reshape(n, c)
        z = margin - m.take_along_axis(xs, t, 1) + xs
        self.hot = m.arange(c) == t
        self.active = (z > 0) & ~self.hot
        self.wy = (m.ones((n, 1), x.dtype) if weight is None else weight[t]) / c
        self.p, self.margin, self.t, self.n = p, margin, t, n
        per = (m.where(self.active, z if p == 1 else z * z, 0) * self.wy).sum(1).astype(x.dtype)
        return self._out(per, reduction, target.ndim > 0)

    def coef(self, x):
        from .._tensor import Tensor
        xs = x.reshape(self.n, -1)
        a = Tensor._make((self.active * self.wy).astype(x._data.dtype))
        if self.p == 2:
            a = a * 2 * (self.margin - xs.gather(1, Tensor._make(self.t)) + xs)
        return a - Tensor._make(self.hot) * a.sum(1, keepdim=True)

    _free = ('hot', 'active', 'wy', 't')


class MultilabelMarginLossBackward0(_MarginNode):
    """Each sample's targets are the class indices before the first -1; every (target j,
    non-target k) pair adds max(0, 1 - x[j] + x[k]) / C."""

    def forward(self, x, target, reduction='mean'):
        n, c = _margin_shapes(x)
        ok = (target.ndim <= 1 and target.size == c) if x.ndim <= 1 else target.shape == (n, c)
        if not ok:
            raise RuntimeError(f'inconsistent target size: {list(target.shape)} for input of size: {list(x.shape)}')
        _long_target(x, target, 'multilabel_margin_loss_forward_out_frame')
        m = xp(x)
        t = target.reshape(n, c)
        if ((t < -1) | (t >= c)).any():
            raise RuntimeError("argument #2 'target' is out of range")
        valid = m.cumsum(t == -1, axis=1) == 0                           # entries before the first -1
        hits = (t[:, :, None] == m.arange(c)) & valid[:, :, None]         # (n, entry, class)
        count = hits.sum(1)                                               # times each class is a target
        xs = x.reshape(n, c)
        z = 1 - xs[:, :, None] + xs[:, None, :]                           # (n, target class j, class k)
        active = (z > 0) & (count[:, :, None] > 0) & (count[:, None, :] == 0)
        pairs = count[:, :, None] * active
        per = (m.where(active, z, 0) * pairs).sum((1, 2)) / c
        self.g = ((pairs.sum(1) - pairs.sum(2)) / c).astype(x.dtype)
        self.n = n
        return self._out(per.astype(x.dtype), reduction, x.ndim == 2)

    def coef(self, x):
        from .._tensor import Tensor
        return Tensor._make(self.g)

    _free = ('g',)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction='mean'):
    if _amp.state.on and _amp.fp32('multi_margin_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(multi_margin_loss, input, target, p, margin, weight, size_average, reduce, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError('only p == 1 and p == 2 supported')
    if weight is not None and weight.ndim != 1:
        raise ValueError('weight must be one-dimensional')
    return apply(MultiMarginLossBackward0, input, target, weight=None if weight is None else weight._data, p=p,
                 margin=margin, reduction=reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('multilabel_margin_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(multilabel_margin_loss, input, target, size_average, reduce, reduction)
    reduction = _reduction(size_average, reduce, reduction)
    return apply(MultilabelMarginLossBackward0, input, target, reduction=reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    from .activation import logsigmoid
    from .losses import legacy_reduction
    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not valid')
    return _reduce(loss, reduction)
