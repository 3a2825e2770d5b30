"""RReLU, LPPool1d/2d/3d, ChannelShuffle, TripletMarginWithDistanceLoss and SyncBatchNorm."""
from ...autograd.grad_mode import no_grad
from .. import functional as F
from .batchnorm import _BatchNorm
from .distance import PairwiseDistance
from .loss import _Loss
from .module import Module

__all__ = ['RReLU', 'LPPool1d', 'LPPool2d', 'LPPool3d', 'ChannelShuffle', 'TripletMarginWithDistanceLoss',
           'SyncBatchNorm']


class RReLU(Module):
    """Leaky ReLU with a random negative slope per element from U(lower, upper) in training;
    in eval mode the slope is fixed at (lower + upper) / 2."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f'lower={self.lower}, upper={self.upper}' + (', inplace=True' if self.inplace else '')


class _LPPoolNd(Module):
    nd = 2

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return getattr(F, f'lp_pool{self.nd}d')(input, float(self.norm_type), self.kernel_size, self.stride,
                                               self.ceil_mode)

    def extra_repr(self):
        return (f'norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, '
                f'ceil_mode={self.ceil_mode}')


class LPPool1d(_LPPoolNd):
    nd = 1


class LPPool2d(_LPPoolNd):
    nd = 2


class LPPool3d(_LPPoolNd):
    nd = 3


class ChannelShuffle(Module):
    """Split the channels into ``groups`` and interleave them: (N, g*k, *) -> (N, k*g, *)."""

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f'groups={self.groups}'


class TripletMarginWithDistanceLoss(_Loss):
    def __init__(self, *, distance_function=None, margin=1.0, swap=False, reduction='mean'):
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(f'TripletMarginWithDistanceLoss: expected margin to be greater than 0, got {margin} '
                             'instead')
        self.distance_function = distance_function if distance_function is not None else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor, positive, negative):
        return F.triplet_margin_with_distance_loss(anchor, positive, negative,
                                                   distance_function=self.distance_function,
                                                   margin=self.margin, swap=self.swap, reduction=self.reduction)


class SyncBatchNorm(_BatchNorm):
    """BatchNorm over (N, C, *) whose batch statistics cover every rank of ``process_group``.

    Without an initialised ``ember.distributed`` group (or with one rank) it is BatchNorm; with
    several ranks the per-channel sums, sums of squares and counts are all-reduced, in forward and
    (through the differentiable sum) in backward."""

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True,
                 process_group=None, device=None, dtype=None, *, bias=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.dim() < 2:
            raise ValueError(f'expected at least 2D input (got {input.dim()}D input)')

    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] == 0:
            raise ValueError('SyncBatchNorm number of input channels should be non-zero')
        group = self._sync_group() if self.training else None
        if group is None:
            return super().forward(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked)
        return _sync_batch_norm(input, self.weight, self.bias, self.running_mean, self.running_var, self.eps,
                                factor, group)

    def _sync_group(self):
        from ... import distributed as dist
        if not (dist.is_available() and dist.is_initialized()):
            return None
        group = self.process_group or dist.group.WORLD
        return group if dist.get_world_size(group) > 1 else None

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replace every BatchNorm*d in ``module`` (recursively) by a SyncBatchNorm holding the same
        parameters and buffers; a BatchNorm passed directly comes back as a new SyncBatchNorm."""
        out = module
        if isinstance(module, _BatchNorm):
            out = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                with no_grad():
                    out.weight = module.weight
                    out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
            if hasattr(module, 'qconfig'):
                out.qconfig = module.qconfig
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out


def _sync_batch_norm(x, weight, bias, running_mean, running_var, eps, momentum, group):
    """Batch norm with statistics over every rank: all-reduce (sum x, sum x^2, count) per channel."""
    from ...ops.creation import full
    from ...ops.join import cat
    from ...ops.nn_more import all_reduce_sum
    c = x.shape[1]
    dims = [0] + list(range(2, x.ndim))
    local_n = x.numel() // c
    stats = cat([x.sum(dims), (x * x).sum(dims), full((1,), float(local_n), dtype=x.dtype, device=x.device)])
    stats = all_reduce_sum(stats, group)
    n = stats[2 * c:].detach()
    mean = stats[:c] / n
    var = (stats[c:2 * c] / n - mean * mean).clamp_min(0)
    shape = [1, c] + [1] * (x.ndim - 2)
    out = (x - mean.reshape(shape)) * (var + eps).rsqrt().reshape(shape)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    if running_mean is not None:
        with no_grad():
            total = float(n.item())
            unbiased = var.detach() * (total / max(total - 1, 1))
            running_mean.mul_(1 - momentum).add_(mean.detach().to(running_mean.dtype) * momentum)
            running_var.mul_(1 - momentum).add_(unbiased.to(running_var.dtype) * momentum)
    return out
