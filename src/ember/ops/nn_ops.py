"""Ops behind nn.functional: linear (addmm), softmax, log_softmax, nll_loss, cross_entropy, mse_loss,
gaussian_nll_loss."""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode as _grad_mode
from .arith_scalar import mul_scalar
from ._op import Op, apply
from . import blas as _blas
from ._promote import promote, xp
from ..amp import autocast_mode as _amp  # autocast hook
from .shape_more import broadcast_tensors
from .creation import ones_like
from .arg_types import arg_types
from .losses import (legacy_reduction, reduction_enum, same_size, weighted_reduce, no_grad_arg,
                     reduce_loss, dtype_name as _name)


class AddmmBackward0(_blas.AddmmBackward0):
    """addmm(bias, input, weight.t()) for linear: blas's node (checks, backward), with the bias
    added in place to the fresh product (one GEMM, no extra buffer)."""

    def forward(self, bias, x, wt, beta=1, alpha=1):
        self.check(bias, x, wt)
        _blas._expand_check(bias, (x.shape[0], wt.shape[1]))
        self.beta, self.alpha, self.in_shape = 1, 1, bias.shape
        dt = x.dtype
        if dt == np.float16:        # PyTorch sums product and bias in float32, rounds once
            x, wt = x.astype(np.float32), wt.astype(np.float32)
        out = x @ wt
        out += bias
        return out if out.dtype == dt else out.astype(dt)     # bfloat16: float32 product


def linear(input, weight, bias=None):
    """input @ weight.T + bias, with PyTorch's graph: a 2-D input is one addmm; any other contiguous
    input is viewed as 2-D for one addmm and the result viewed back (when the bias is a row);
    otherwise matmul, then the bias added in place."""
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(linear, input, weight, bias)
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        from .argcheck import not_tensor_error
        name, pos, v = ('input', 1, input) if not isinstance(input, Tensor) else ('weight', 2, weight)
        raise not_tensor_error('linear', v, name, pos)
    nd = input.ndim
    if nd == 2 and bias is not None:
        return apply(AddmmBackward0, bias, input, weight.t())
    if nd == 0 or weight.ndim == 0:
        raise RuntimeError(f'both arguments to linear need to be at least 1D, but they are {nd}D and '
                           f'{weight.ndim}D')
    if bias is None:
        return input.matmul(weight.t())
    # fused when the bias is a row (1-D, or one dimension after squeezing) and both are contiguous
    if (bias.ndim == 1 or sum(s != 1 for s in bias.shape) == 1) and bias.is_contiguous() and input.is_contiguous():
        shape = input.shape
        out = apply(AddmmBackward0, bias, input.view(math.prod(shape[:-1]), shape[-1]), weight.t())
        return out.view(*shape[:-1], out.shape[1])
    return input.matmul(weight.t()).add_(bias)


from .softmax import SoftmaxBackward0, LogSoftmaxBackward0, _softmax_dim, softmax, log_softmax  # noqa: E402,F401


class NllLossBackward0(Op):
    """-input[target] (times the class weight) per sample, then the reduction. One node for
    input (C,) / (N, C); NllLoss2DBackward0 (same computation) for (N, C, H, W)."""
    kernel = 'nll_loss_out_frame'

    def forward(self, logp, target, weight=None, reduction='mean', ignore_index=-100):
        if logp.dtype.kind not in 'fV':
            raise NotImplementedError(f'"{self.kernel}" not implemented for \'{_name(logp)}\'')
        if weight is not None and weight.dtype != logp.dtype:
            raise RuntimeError(f'expected scalar type {_name(logp)} but found {_name(weight)}')
        m = xp(logp)
        x = logp if logp.ndim > 1 else logp[None]
        t = target.astype(np.int64).reshape(x.shape[:1] + x.shape[2:])
        c = x.shape[1]
        valid = t != ignore_index
        bad = valid & ((t < 0) | (t >= c))
        if bad.any():
            raise IndexError(f'Target {int(t[bad][0])} is out of bounds.')
        safe = m.where(valid, t, 0)
        picked = m.take_along_axis(m.moveaxis(x, 1, -1), safe[..., None], axis=-1)[..., 0]
        w = m.ones(c, x.dtype) if weight is None else weight
        wt = m.where(valid, w[safe], 0).astype(x.dtype)
        self.args = (t, weight, reduction, ignore_index)          # t: our own copy of the targets
        self.in_shape = logp.shape
        losses = -picked * wt
        if reduction == 'none':
            return losses.reshape(target.shape if logp.ndim > 1 else ())
        total = losses.sum()
        if reduction == 'mean':
            with np.errstate(divide='ignore', invalid='ignore'):
                total = total / wt.sum()            # all ignored: 0 / 0 = nan, as PyTorch
        return m.asarray(total, dtype=x.dtype)

    def backward(self, g):
        grad_cls = NllLoss2DGrad if isinstance(self, NllLoss2DBackward0) else NllGrad
        return apply(grad_cls, g, op=type(self), shape=self.in_shape, args=self.args), None

    _free = ('args',)


class NllLoss2DBackward0(NllLossBackward0):
    kernel = 'nll_loss2d_forward_out_frame'


class NllGrad(Op):
    """d nll / d input: -weight[target] at each sample's target class, times the incoming grad
    (divided by the total weight for 'mean'); ignored samples get 0. Linear in ``g``, so its own
    gradient is nll_loss applied to the incoming grad-of-grad."""

    def name(self):
        return 'NllLossBackwardBackward0'

    def forward(self, g, op, shape, args):
        target, weight, reduction, ignore_index = args
        self.op, self.args = op, args
        m = xp(g)
        full = shape if len(shape) > 1 else (1,) + shape
        t = target.astype(np.int64).reshape(full[:1] + full[2:])
        valid = t != ignore_index
        safe = m.where(valid, t, 0)
        w = m.ones(full[1], g.dtype) if weight is None else weight
        gs = g.reshape(t.shape) if reduction == 'none' else g
        if reduction == 'mean':
            with np.errstate(divide='ignore', invalid='ignore'):
                gs = gs / m.where(valid, w[safe], 0).sum()
        with np.errstate(invalid='ignore'):
            vals = m.where(valid, -(w[safe] * gs), 0).astype(g.dtype)
        hot = m.arange(full[1]) == safe[..., None]            # (N, ..., C): the target class
        out = m.where(hot, vals[..., None], m.zeros((), g.dtype)).astype(g.dtype, copy=False)
        return m.ascontiguousarray(m.moveaxis(out, -1, 1)).reshape(shape)

    def backward(self, gg):
        target, weight, reduction, ignore_index = self.args
        return apply(self.op, gg, target, weight=weight, reduction=reduction, ignore_index=ignore_index)


class NllLoss2DGrad(NllGrad):
    def name(self):
        return 'NllLoss2DBackwardBackward0'


class DivBackward1(Op):
    """tensor / Python number (PyTorch's div.Scalar overload, used inside its C++ losses)."""

    def forward(self, a, other):
        self.other = other
        return xp(a).asarray(a / other, dtype=a.dtype)

    def backward(self, g):
        return g / self.other, None


def _target_dtype(target, long_only=False):
    kind = target.dtype
    if kind not in (_dtype.int64, _dtype.uint8):
        raise RuntimeError(f'expected target dtype to be Long or Byte, but got {_name(target._data)}')
    if long_only and kind != _dtype.int64:
        raise RuntimeError(f'expected scalar type Long but found {_name(target._data)}')


def _nll_nd(input, target, weight, reduction, ignore_index):
    """PyTorch's nll_loss_nd: (C,), (N, C) -> NllLoss; (N, C, H, W) -> NllLoss2d; other K-dim
    inputs are viewed as (N, C, 1, -1) for NllLoss2d."""
    nd, shape = input.ndim, tuple(input.shape)
    if nd < 1:
        raise ValueError(f'Expected 1 or more dimensions (got {nd})')
    tb = target.shape[0] if target.ndim else 0
    if nd != 1 and shape[0] != tb:
        raise ValueError(f'Expected input batch_size ({shape[0]}) to match target batch_size ({tb}).')
    if nd == 1 and target.ndim == 1 and target.shape[0] != 1:
        raise ValueError(f'For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}')
    wd = None if weight is None else weight._data
    kw = dict(weight=wd, reduction=reduction, ignore_index=ignore_index)
    if nd <= 2:
        if target.ndim > 1:
            raise RuntimeError('0D or 1D target tensor expected, multi-target not supported')
        _target_dtype(target)
        if weight is not None and (weight.ndim != 1 or weight.numel() != shape[-1]):
            raise RuntimeError(f'weight tensor should be defined either for all {shape[-1]} classes or no classes '
                               f'but got weight tensor of shape: {list(weight.shape)}')
        no_grad_arg('nll_loss_forward', 'weight', weight)
        return apply(NllLossBackward0, input, target, **kw)
    n, c = shape[:2]
    if nd != 4:
        out_size = (n,) + shape[2:]
        if tuple(target.shape[1:]) != shape[2:]:
            raise RuntimeError(f'Expected target size {list(out_size)}, got {list(target.shape)}')
        x = input.contiguous().view(n, c, 1, -1) if input.numel() else input.reshape(n, c, 0, 0)
        t = target.contiguous().view(n, 1, -1) if target.numel() else target.reshape(n, 0, 0)
        out = _nll_2d(x, t, weight, kw)
        return out.view(out_size) if reduction == 'none' else out
    if target.ndim != 3:
        raise RuntimeError('only batches of spatial targets supported (3D tensors) but got targets of '
                           f'dimension: {target.ndim}')
    return _nll_2d(input, target, weight, kw)


def _nll_2d(input, target, weight, kw):
    _target_dtype(target)
    if weight is not None and weight.numel() != input.shape[1]:
        raise RuntimeError('weight tensor should be defined either for all or no classes')
    if (input.shape[0], *input.shape[2:]) != tuple(target.shape):
        raise RuntimeError(f'size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}')
    _target_dtype(target, long_only=True)
    no_grad_arg('nll_loss2d_forward', 'weight', weight)
    return apply(NllLoss2DBackward0, input, target, **kw)


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction='mean'):
    if _amp.state.on and _amp.fp32('nll_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(nll_loss, input, target, weight, size_average, ignore_index, reduce, reduction)
    reduction = reduction_enum(legacy_reduction(size_average, reduce, reduction))
    arg_types('nll_loss_nd', ('input', 1, input, 'Tensor'), ('target', 2, target, 'Tensor'),
              ('weight', 3, weight, 'Tensor?'), ('ignore_index', 5, ignore_index, 'int'))
    return _nll_nd(input, target, weight, reduction, ignore_index)


def _log_softmax(input, dim):
    if not input.is_floating_point():
        kernel = 'log_softmax_lastdim_kernel_impl' if dim == input.ndim - 1 else 'log_softmax_kernel_impl'
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_name(input._data)}\'')
    return log_softmax(input, dim)


def _class_shape(weight, ndim, class_dim):
    """weight (C,) viewed to broadcast along the class dim of an ndim-dimensional input."""
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(shape) if ndim > 1 else weight


def _check_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f'label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}')


def _ce_probs(input, target, weight, reduction, label_smoothing, class_dim):
    """Cross-entropy against class probabilities (target has the input's shape)."""
    c = input.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.numel() != c):
        raise RuntimeError(f'cross_entropy: weight tensor should be defined either for all {c} classes or no '
                           f'classes but got weight tensor of shape: {list(weight.shape)}')
    logp = _log_softmax(input, class_dim)
    if label_smoothing > 0:
        _check_smoothing(label_smoothing)
        target = target * (1 - label_smoothing) + label_smoothing / c
    prod = logp * target
    if weight is not None:
        prod = prod * _class_shape(weight, input.ndim, class_dim)
    if reduction == 'none':
        return -prod.sum(class_dim)
    total = prod.sum()
    if reduction == 'sum':
        return -total
    if input.numel() == 0:
        return -total.fill_(float('nan'))
    return apply(DivBackward1, -total, input.numel() // c)


def _ce_smoothed(input, target, weight, reduction, ignore_index, label_smoothing, class_dim):
    """Class-index targets with label smoothing: (1 - s) * nll + s / C * (the uniform-target loss)."""
    c = input.shape[class_dim]
    logp = _log_softmax(input, class_dim)
    nll = _nll_nd(logp, target, weight, reduction, ignore_index)
    ignore = target == ignore_index
    if weight is not None:
        smooth = -(logp * _class_shape(weight, input.ndim, class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == 'mean':
        if weight is not None:
            ret = smooth.sum() / weight[target[~ignore].long().flatten()].sum()
        else:
            ret = smooth.sum() / (~ignore).sum()
    elif reduction == 'sum':
        ret = smooth.sum()
    else:
        ret = smooth
    return mul_scalar(nll, 1 - label_smoothing) + mul_scalar(ret, label_smoothing / c)   # MulBackward1, as torch


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction='mean', label_smoothing=0.0):
    if _amp.state.on and _amp.fp32('cross_entropy', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(cross_entropy, input, target, weight, size_average, ignore_index, reduce,
                                  reduction, label_smoothing)
    reduction = reduction_enum(legacy_reduction(size_average, reduce, reduction))
    arg_types('cross_entropy_loss', ('input', 1, input, 'Tensor'), ('target', 2, target, 'Tensor'),
              ('weight', 3, weight, 'Tensor?'), ('ignore_index', 5, ignore_index, 'int'),
              ('label_smoothing', 6, label_smoothing, 'float'))
    class_dim = 0 if input.ndim == 1 else 1
    if tuple(input.shape) == tuple(target.shape):       # class probabilities
        if not target.is_floating_point():
            raise RuntimeError('Expected floating point type for target with class probabilities, '
                               f'got {_name(target._data)}')
        if ignore_index >= 0:
            raise RuntimeError('ignore_index is not supported for floating point target')
        return _ce_probs(input, target, weight, reduction, label_smoothing, class_dim)
    if label_smoothing > 0:
        _check_smoothing(label_smoothing)
        return _ce_smoothed(input, target, weight, reduction, ignore_index, label_smoothing, class_dim)
    return _nll_nd(_log_softmax(input, class_dim), target, weight, reduction, ignore_index)


class MseLossBackward0(Op):
    saves = (0, 1)

    def forward(self, a, b, reduction='mean'):
        a, b, nd = promote(a, b)
        if nd.kind not in 'fV':
            raise NotImplementedError(f'"mse_cpu" not implemented for \'{_name(a)}\'')
        self.reduction, self.n = reduction, a.size
        d = (a - b) ** 2
        if reduction == 'none':
            return d
        from .reduce import _sum          # (the reduction ufunc itself: an overflow warning stays ember's)
        s = _sum(d, None, False, None)
        with np.errstate(divide='ignore', invalid='ignore'):
            return xp(a).asarray(s if reduction == 'sum' else s / d.size, dtype=d.dtype)

    def backward(self, g):
        a, b = self.saved_tensors
        scale = 2.0 if self.reduction != 'mean' else (2.0 / self.n if self.n else float('nan'))
        d = (a - b) * (g * scale)
        return (d if self._next[0][0] is not None else None,
                -d if self._next[1][0] is not None else None)


def mse_loss(input, target, size_average=None, reduce=None, reduction='mean', weight=None):
    if _amp.state.on and _amp.fp32('mse_loss', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(mse_loss, input, target, size_average, reduce, reduction, weight)
    same_size(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    x, y = broadcast_tensors(input, target)
    if weight is not None:
        return weighted_reduce((x - y).pow(2), weight, input, reduction)
    return apply(MseLossBackward0, x, y, reduction=reduction_enum(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-06, reduction='mean'):
    if isinstance(var, float):
        if var < 0:
            raise ValueError('var has negative entry/entries')
        var = var * ones_like(input)
    elif (var < 0).any():
        raise ValueError('var has negative entry/entries')
    if var.size() != input.size():
        if input.size()[:-1] == var.size():
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and
                  sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1):
            raise ValueError('var is of incorrect size')
    if reduction not in ('none', 'mean', 'sum'):
        raise ValueError(reduction + ' is not valid')
    var = var.clone()
    with _grad_mode.no_grad():    # the clamp is invisible to autograd, as in PyTorch
        var.clamp_(min=eps)
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce_loss(loss, reduction)
