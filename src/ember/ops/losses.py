"""Loss functions beyond nll/cross_entropy/mse (nn_ops.py), as PyTorch builds them: elementwise losses with their
own nodes (SmoothL1LossBackward0, HuberLossBackward0, SoftMarginLossBackward0, BinaryCrossEntropy*), the rest
composed of ember ops (grad_fn names as PyTorch's); margin/embedding losses are in pairwise.py. Shared reduction
helpers come first."""
import math
import warnings

import numpy as np

from .. import _dtype
from .._tensor import _scalar_name
from ..autograd import grad_mode
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from .arg_types import arg_types
from ._promote import promote, xp
from .activation import logsigmoid
from .arith_scalar import AddBackward1
from .compare import where
from .shape_more import broadcast_tensors, broadcast_shapes


def legacy_reduction(size_average, reduce, reduction):
    """The deprecated size_average / reduce pair -> a reduction string, warning as PyTorch (the
    warning located at the library's caller, so the default filters show it once per process)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = 'none' if not reduce else ('mean' if size_average else 'sum')
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  UserWarning, stacklevel=2)
    return ret


def reduction_enum(reduction):
    """Validate a reduction string as PyTorch's get_enum ('elementwise_mean' is an old 'mean')."""
    if reduction == 'elementwise_mean':
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      UserWarning, stacklevel=2)
        return 'mean'
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    return reduction


def reduce_loss(loss, reduction):
    if reduction == 'none':
        return loss
    return loss.mean() if reduction == 'mean' else loss.sum()


def same_size(input, target):
    if target.size() != input.size():            # .size() as PyTorch: a list or float fails here
        warnings.warn(f'Using a target size ({target.shape}) that is different to the input size ({input.shape}). '
                      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the '
                      'same size.', UserWarning, stacklevel=3)


def weighted_reduce(loss, weight, input, reduction, mean_by_weight=True):
    """loss * weight, reduced as PyTorch's weighted mse/l1 (mean: sum / weight.sum()) or huber (mean)."""
    if weight.size() != input.size():
        raise ValueError('Weights and input must have the same size.')
    loss = loss * weight
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'mean':
        return loss.sum() / weight.sum() if mean_by_weight else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def dtype_name(a):
    """PyTorch's scalar-type name ('Float', 'Long') of an array or NumPy dtype."""
    return _scalar_name(_dtype._FROM_NP[np.dtype(getattr(a, 'dtype', a))])


def no_grad_arg(fname, arg, t):
    """PyTorch refuses, at call time, inputs its kernel has no derivative for."""
    if t is not None and t.requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError(f"The function '{fname}' is not differentiable with respect to argument '{arg}'. "
                           'This input cannot have requires_grad True.')


def broadcast_pair(sa, sb):
    """The broadcast shape of two shapes, with PyTorch's message (tensor a, tensor b) when they clash."""
    n = max(len(sa), len(sb))
    a, b = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(f'The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at '
                               f'non-singleton dimension {i}')
    return tuple(y if x == 1 else x for x, y in zip(a, b))


def inplace_shape(out, other):
    """The checks of PyTorch's in-place ``out.op_(other)``: other must broadcast to out's shape."""
    shape = broadcast_pair(out, other)
    if shape != tuple(out):
        raise RuntimeError(f"output with shape {list(out)} doesn't match the broadcast shape {list(shape)}")


def _finish(loss, reduction, m):
    """The reduction inside a loss node's forward (on arrays)."""
    if reduction == 'none':
        return loss
    with np.errstate(divide='ignore', invalid='ignore'):
        total = loss.sum() if reduction == 'sum' else loss.sum() / loss.size
    return m.asarray(total, dtype=loss.dtype)


# ------------------------------------------------------------------ elementwise loss nodes

class _Pointwise(Op):
    """loss(x, y) elementwise, then the reduction, in one node (PyTorch's *LossBackward0)."""
    saves = (0, 1)
    kernel = None               # PyTorch's kernel name in its "not implemented for 'Long'" error
    keeps_input_dtype = False   # the output has the input's dtype (huber, soft margin), not the promoted one

    def forward(self, x, y, reduction, **kw):
        a, b, nd = promote(x, y)
        if self.keeps_input_dtype and x.dtype.kind not in 'fV' and (nd.kind in 'fV' or not self.kernel):
            res = nd if nd.kind in 'fV' else _dtype.get_default_dtype().np
            raise RuntimeError(f"result type {dtype_name(res)} can't be cast to the desired output type "
                               f'{dtype_name(x)}')
        if nd.kind not in 'fV':
            raise NotImplementedError(f'"{self.kernel}" not implemented for \'{dtype_name(nd)}\'')
        self.reduction, self.n = reduction, np.broadcast_shapes(x.shape, y.shape)
        self.__dict__.update(kw)
        out = self.elementwise(a, b).astype(x.dtype if self.keeps_input_dtype else nd, copy=False)
        return _finish(out, reduction, xp(x))

    def backward(self, g):
        x, y = self.saved_tensors
        if self.reduction == 'mean':
            g = g / math.prod(self.n)
        d = g * self.derivative(x - y)
        return (d if self._next[0][0] is not None else None,
                -d if self._next[1][0] is not None else None)


class SmoothL1LossBackward0(_Pointwise):
    kernel = 'smooth_l1_cpu'

    def elementwise(self, x, y):
        d = abs(x - y)
        return xp(d).where(d < self.beta, 0.5 * d * d / self.beta, d - 0.5 * self.beta)

    def derivative(self, d):
        return where(d.abs() < self.beta, d / self.beta, d.sign())


class HuberLossBackward0(_Pointwise):
    kernel, keeps_input_dtype = 'huber_cpu', True

    def elementwise(self, x, y):
        d = abs(x - y)
        return xp(d).where(d < self.delta, 0.5 * d * d, self.delta * (d - 0.5 * self.delta))

    def derivative(self, d):
        return where(d.abs() < self.delta, d, d.sign() * self.delta)


class SoftMarginLossBackward0(_Pointwise):
    """log(1 + exp(-y x)); the output takes the input's shape and dtype (target broadcasts to it)."""
    keeps_input_dtype = True

    def forward(self, x, y, reduction):
        inplace_shape(x.shape, y.shape)
        return super().forward(x, y, reduction)

    def elementwise(self, x, y):
        return xp(x).logaddexp(0, -y * x)

    def backward(self, g):
        x, y = self.saved_tensors
        if self.reduction == 'mean':
            g = g / math.prod(self.n)
        return g * -y * (-y * x).sigmoid(), None


def l1_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    if _amp.state.on and _amp.fp32('l1_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(l1_loss, input, target, size_average, reduce, reduction, weight)
    same_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    x, y = broadcast_tensors(input, target)
    if weight is not None:
        return weighted_reduce((x - y).abs(), weight, input, reduction)
    return reduce_loss((x - y).abs(), reduction_enum(reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction='mean', beta=1.0):
    if _amp.state.on and _amp.fp32('smooth_l1_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(smooth_l1_loss, input, target, size_average, reduce, reduction, beta)
    same_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    x, y = broadcast_tensors(input, target)
    reduction = reduction_enum(reduction)
    if beta == 0.0:
        return reduce_loss((x - y).abs(), reduction)
    if beta < 0:
        raise RuntimeError('smooth_l1_loss does not support negative values for beta.')
    return apply(SmoothL1LossBackward0, x, y, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction='mean', delta=1.0, weight=None):
    if _amp.state.on and _amp.fp32('huber_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(huber_loss, input, target, reduction, delta, weight)
    same_size(input, target)
    x, y = broadcast_tensors(input, target)
    if weight is not None and weight.size() != input.size():
        raise ValueError('Weights and input must have the same size.')
    enum = reduction_enum(reduction) if weight is None else 'none'
    if delta <= 0:
        raise RuntimeError('huber_loss does not support non-positive values for delta.')
    loss = apply(HuberLossBackward0, x, y, reduction=enum, delta=delta)
    return loss if weight is None else weighted_reduce(loss, weight, input, reduction, mean_by_weight=False)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('soft_margin_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(soft_margin_loss, input, target, size_average, reduce, reduction)
    reduction = reduction_enum(legacy_reduction(size_average, reduce, reduction))
    arg_types('soft_margin_loss', ('input', 1, input, 'Tensor'), ('target', 2, target, 'Tensor'))
    no_grad_arg('soft_margin_loss', 'target', target)
    return apply(SoftMarginLossBackward0, input, target, reduction=reduction)


# ------------------------------------------------------------------ binary cross-entropy

class BinaryCrossEntropyBackward0(Op):
    saves = (0, 1, 2)

    def forward(self, x, y, w, reduction):
        if y.dtype != x.dtype:
            raise RuntimeError(f'Found dtype {dtype_name(y)} but expected {dtype_name(x)}')
        if x.dtype.kind not in 'fV':
            raise NotImplementedError(f'"binary_cross_entropy" not implemented for \'{dtype_name(x)}\'')
        if not ((x >= 0) & (x <= 1)).all():
            raise RuntimeError('all elements of input should be between 0 and 1')
        if not ((y >= 0) & (y <= 1)).all():
            raise RuntimeError('all elements of target should be between 0 and 1')
        m = xp(x)
        if w is not None:
            inplace_shape(x.shape, w.shape)
        self.reduction, self.n = reduction, x.size
        with np.errstate(divide='ignore'):
            loss = (y - 1) * m.maximum(m.log1p(-x), -100) - y * m.maximum(m.log(x), -100)
        if w is not None:
            loss = loss * w
        return _finish(loss.astype(x.dtype, copy=False), reduction, m)

    def backward(self, g):
        x, y, w = self.saved_tensors
        if self.reduction == 'mean':
            g = g / self.n
        if w is not None:
            g = g * w
        gx = gy = None
        if self._next[0][0] is not None:
            gx = g * (x - y) / ((1 - x) * x).clamp_min(1e-12)
        if self._next[1][0] is not None:
            gy = -x.logit() * g
        return gx, gy, None


class BinaryCrossEntropyWithLogitsBackward0(Op):
    """(1 - y) x - (1 + (pos_weight - 1) y) log(sigmoid(x)), times weight, then the reduction."""
    saves = (0, 1, 2, 3)

    def forward(self, x, y, w, pw, reduction):
        if x.dtype.kind not in 'fV':
            raise NotImplementedError(f'"log_sigmoid_cpu" not implemented for \'{dtype_name(x)}\'')
        if y.dtype.kind == 'b':                       # PyTorch computes 1 - target first
            raise RuntimeError('Subtraction, the `-` operator, with two bool tensors is not supported. '
                               'Use the `^` or `logical_xor()` operator instead.')
        if y.dtype.kind not in 'fV':
            raise RuntimeError(f"result type {dtype_name(x)} can't be cast to the desired output type "
                               f'{dtype_name(y)}')
        m = xp(x)
        log_sig = -m.logaddexp(0, -x)
        if pw is not None:
            inplace_shape(x.shape, broadcast_pair(pw.shape, y.shape))
            log_sig = (log_sig * ((pw - 1) * y + 1)).astype(x.dtype, copy=False)
        loss = ((1 - y) * x - log_sig).astype(y.dtype, copy=False)       # written into (1 - target)
        if w is not None:
            inplace_shape(loss.shape, w.shape)
            loss = (loss * w).astype(loss.dtype, copy=False)
        self.reduction, self.n = reduction, loss.size
        return _finish(loss, reduction, m)

    def backward(self, g):
        x, y, w, pw = self.saved_tensors
        if self.reduction == 'mean':
            g = g / self.n
        if w is not None:
            g = g * w
        gx = gy = None
        if self._next[0][0] is not None:
            if pw is None:
                gx = (x.sigmoid() - y) * g
            else:
                t = pw * y
                gx = ((t + 1 - y) * x.sigmoid() - t) * g
        if self._next[1][0] is not None:
            gy = -x * g if pw is None else (logsigmoid(-x) - logsigmoid(x) * pw) * g
        return gx, gy, None, None


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction='mean'):
    if _amp.state.on and _amp.fp32('binary_cross_entropy', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(binary_cross_entropy, input, target, weight, size_average, reduce, reduction)
    reduction = reduction_enum(legacy_reduction(size_average, reduce, reduction))
    if target.size() != input.size():
        raise ValueError(f'Using a target size ({target.shape}) that is different to the input size '
                         f'({input.shape}) is deprecated. Please ensure they have the same size.')
    if weight is not None:
        size = broadcast_shapes(target.size(), weight.size())
        weight = weight.expand(size)
    no_grad_arg('binary_cross_entropy', 'weight', weight)
    return apply(BinaryCrossEntropyBackward0, input, target, weight, reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction='mean', pos_weight=None):
    if _amp.state.on and _amp.fp32('binary_cross_entropy_with_logits', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(binary_cross_entropy_with_logits, input, target, weight, size_average, reduce,
                                  reduction, pos_weight)
    reduction = reduction_enum(legacy_reduction(size_average, reduce, reduction))
    if target.size() != input.size():
        raise ValueError(f'Target size ({target.shape}) must be the same as input size ({input.shape})')
    arg_types('binary_cross_entropy_with_logits', ('weight', 3, weight, 'Tensor?'),
              ('pos_weight', 4, pos_weight, 'Tensor?'))
    no_grad_arg('binary_cross_entropy_with_logits', 'weight', weight)
    no_grad_arg('binary_cross_entropy_with_logits', 'pos_weight', pos_weight)
    return apply(BinaryCrossEntropyWithLogitsBackward0, input, target, weight, pos_weight, reduction=reduction)


# ------------------------------------------------------------------ compositions of ember ops

def kl_div(input, target, size_average=None, reduce=None, reduction='mean', log_target=False):
    if _amp.state.on and _amp.fp32('kl_div', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(kl_div, input, target, size_average, reduce, reduction, log_target)
    if size_average is not None or reduce is not None:
        enum = legacy_reduction(size_average, reduce, reduction)
    else:
        if reduction == 'mean':
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
        enum = 'sum' if reduction == 'batchmean' else reduction_enum(reduction)
    arg_types('kl_div', ('input', 1, input, 'Tensor'), ('target', 2, target, 'Tensor'))
    if not (input.is_floating_point() and target.is_floating_point()):
        raise RuntimeError('kl_div: Integral inputs not supported.')
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    loss = reduce_loss(loss, enum)
    if reduction == 'batchmean' and input.ndim != 0:
        with np.errstate(divide='ignore', invalid='ignore'):     # an empty batch: NaN, silently (as PyTorch)
            loss = loss / input.shape[0]
    return loss


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-08, reduce=None,
                     reduction='mean'):
    if _amp.state.on and _amp.fp32('poisson_nll_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(poisson_nll_loss, input, target, log_input, full, size_average, eps, reduce,
                                  reduction)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not a valid value for reduction')
    arg_types('poisson_nll_loss', ('input', 1, input, 'Tensor'), ('target', 2, target, 'Tensor'))
    loss = input.exp() - target * input if log_input else input - target * apply(AddBackward1, input, other=eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return reduce_loss(loss, reduction)


from .pairwise import (cosine_embedding_loss, triplet_margin_loss,  # noqa: F401,E402  (with the distances)
                       margin_ranking_loss, hinge_embedding_loss, multilabel_soft_margin_loss)
