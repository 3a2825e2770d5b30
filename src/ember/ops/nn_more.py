"""nn.functional forms added late: rrelu, lp_pool1d/2d/3d, channel shuffle, the triplet loss
with a custom distance, pdist, and the cross-rank sum behind SyncBatchNorm.

Most are compositions of existing ops (so their gradients and double backward come for free);
the in-place activations and channel_shuffle reuse the definitions in nn_toplevel."""
from ._op import Op, NotImplementedNode, apply
from ._promote import xp
from .nn_toplevel import rrelu_, selu_, celu_, channel_shuffle, _NEED, _need
from .distances import pdist
from . import pooling_api as _pool


# ------------------------------------------------------------------ rrelu

def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slopes drawn from U(lower, upper) when training, their mean otherwise."""
    from .nn_toplevel import rrelu as _rrelu
    return (rrelu_ if inplace else _rrelu)(input, lower, upper, training)


# ------------------------------------------------------------------ power-average pooling

def _ntuple(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    """(sum over each window of x**p) ** (1/p), from avg_pool of x**p times the window size."""
    if isinstance(norm_type, (int, float)) and norm_type in (float('inf'), -float('inf')):
        mp = getattr(_pool, f'max_pool{nd}d')
        if norm_type > 0:
            return mp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        return -mp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    area = kernel_size
    if nd > 1:
        area = 1
        for k in _ntuple(kernel_size, nd):
            area *= k
    ap = getattr(_pool, f'avg_pool{nd}d')
    if stride is not None:
        out = ap(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = ap(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    from .unary import relu
    return (out.sign() * relu(out.abs())).mul(area).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ------------------------------------------------------------------ channel shuffle

class NativeChannelShuffle(NotImplementedNode):
    """native_channel_shuffle: the same permutation as channel_shuffle, but PyTorch records a
    node that cannot be differentiated."""
    aten = 'native_channel_shuffle'

    def forward(self, a, groups):
        n, c = a.shape[:2]
        split = a.reshape((n, groups, c // groups) + a.shape[2:])
        return xp(a).ascontiguousarray(split.swapaxes(1, 2)).reshape(a.shape)


def native_channel_shuffle(input, groups=_NEED):
    _need('native_channel_shuffle', groups=groups)
    probe = input.detach()
    channel_shuffle(probe[:0] if probe.ndim > 2 else probe, groups)     # the same checks, on an empty slice
    return apply(NativeChannelShuffle, input, groups=groups)


# ------------------------------------------------------------------ triplet loss, any distance

def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction='mean'):
    """max(d(a, p) - d(a, n) + margin, 0) with a user distance (pairwise_distance by default)."""
    from .pairwise import pairwise_distance
    from .minmax import minimum
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    if margin <= 0:
        raise ValueError(f'margin must be greater than 0, got {margin}')
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError('The anchor, positive, and negative tensors are expected to have the same number '
                           f'of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, and negative '
                           f'{dims[2]}D inputs')
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0)
    if reduction == 'sum':
        return loss.sum()
    if reduction == 'mean':
        return loss.mean()
    return loss


# ------------------------------------------------------------------ cross-rank sum (SyncBatchNorm)

class AllReduceSum(Op):
    """Sum over every rank of ``group``; each rank's output depends on every rank's input,
    so the gradient is the same sum of the upstream gradients."""

    def forward(self, a, group):
        from .. import distributed as dist
        from .._tensor import Tensor
        self.group = group
        t = Tensor._make(xp(a).array(a, copy=True))
        dist.all_reduce(t, group=group)
        return t._data

    def backward(self, g):
        return all_reduce_sum(g, self.group)


def all_reduce_sum(input, group=None):
    """Differentiable all-reduce (sum) of ``input`` over ``group`` (the world by default)."""
    return apply(AllReduceSum, input, group=group)


__all__ = ['rrelu', 'rrelu_', 'selu_', 'celu_', 'lp_pool1d', 'lp_pool2d', 'lp_pool3d', 'channel_shuffle',
           'native_channel_shuffle', 'triplet_margin_with_distance_loss', 'pdist']
