"""LinearCrossEntropyLoss (a Linear layer fused with cross entropy) and the options of its
chunked computation, LinearCrossEntropyOptions."""
import dataclasses
import math

from ... import _dtype
from ...ops.linear_ce import linear_cross_entropy
from .linear import Linear
from .loss import _WeightedLoss

_POLICIES = ('auto', 'accurate', 'balanced', 'compact')
# the "auto" picks PyTorch documents per (device type, input dtype); other pairs use the fallback
_AUTO = {('cuda', 'bfloat16'): ('compact', 'aspect_ratio:2'), ('cuda', 'float16'): ('compact', 'aspect_ratio:2'),
         ('cpu', 'bfloat16'): ('accurate', 'aspect_ratio'), ('cpu', 'float16'): ('accurate', 'aspect_ratio')}
_AUTO_FALLBACK = ('compact', 'aspect_ratio:2')


def _dname(dtype):
    return str(dtype).rsplit('.', 1)[-1]


@dataclasses.dataclass(frozen=True)
class LinearCrossEntropyOptions:
    """How ``linear_cross_entropy`` chunks the batch. ``batch_chunk_size`` (rows per chunk) or
    ``chunking_method`` (``'aspect_ratio'`` / ``'aspect_ratio:N'``: chunks whose logits are about
    the input's size, N times smaller; ``'auto'``; None) pick the chunk size. ``acc_policy`` and
    ``acc_dtype`` are PyTorch's precision knobs: they are validated and resolved as PyTorch does,
    and ember accumulates half-precision inputs in float32 whatever they say.
    ``allow_retain_graph=False`` makes a second backward through a scalar loss an error."""
    __slots__ = ('allow_retain_graph', 'batch_chunk_size', 'chunking_method', 'acc_policy', 'acc_dtype')
    allow_retain_graph: bool
    batch_chunk_size: object
    chunking_method: object
    acc_policy: str
    acc_dtype: object

    def __init__(self, allow_retain_graph=False, batch_chunk_size=None, chunking_method='auto', acc_policy='auto',
                 acc_dtype=None):
        for k, v in (('allow_retain_graph', allow_retain_graph), ('batch_chunk_size', batch_chunk_size),
                     ('chunking_method', chunking_method), ('acc_policy', acc_policy), ('acc_dtype', acc_dtype)):
            object.__setattr__(self, k, v)
        self.__post_init__()

    def __post_init__(self):
        if self.acc_policy not in _POLICIES:
            raise ValueError(f'invalid acc_policy: {self.acc_policy!r}')
        if self.chunking_method is not None and self.chunking_method != 'auto':
            name, sep, factor = str(self.chunking_method).partition(':')
            factor = factor if sep else '1'
            if not (name == 'aspect_ratio' and factor.isdigit() and int(factor) > 0):
                raise ValueError(f'invalid chunking_method: {self.chunking_method!r}')
        if not (self.batch_chunk_size is None or (isinstance(self.batch_chunk_size, int)
                                                  and self.batch_chunk_size > 0)):
            raise ValueError(f'batch_chunk_size must be positive int or None, got {self.batch_chunk_size!r}')
        allowed = (_dtype.float16, _dtype.bfloat16, _dtype.float32, _dtype.float64)
        if self.acc_dtype is not None and self.acc_dtype not in allowed:
            raise ValueError('acc_dtype must be one of {None, ember.float16, ember.bfloat16, ember.float32, '
                             f'ember.float64}}, got {self.acc_dtype!r}. Pass acc_dtype=None to let the op pick '
                             'automatically.')

    @staticmethod
    def _chunk_for(method, num_batches, in_features, num_classes):
        """Rows per chunk of the aspect-ratio heuristic: the next power of two of
        ceil(N / ceil(C / I)), divided by the method's factor, at most N."""
        factor = int(method.split(':', 1)[1]) if ':' in method else 1
        per = -(-num_batches // max(1, -(-num_classes // max(1, in_features))))
        size = 1 << (per - 1).bit_length() if per > 0 else 1
        return min(size // factor, num_batches)

    def _adjust(self, num_batches, in_features, num_classes, dtype, device=None):
        """These options made concrete for one call: "auto" resolved, the chunk size computed."""
        policy, method = self.acc_policy, self.chunking_method
        if method == 'auto' and self.batch_chunk_size is not None:
            method = None
        if policy == 'auto' or method == 'auto':
            ap, cm = _AUTO.get((device.type, _dname(dtype)), _AUTO_FALLBACK) if device is not None \
                else _AUTO_FALLBACK
            policy = ap if policy == 'auto' else policy
            method = cm if method == 'auto' else method
        size = num_batches if self.batch_chunk_size is None else min(self.batch_chunk_size, num_batches)
        if method is not None:
            size = self._chunk_for(method, num_batches, in_features, num_classes)
            if self.batch_chunk_size is not None and self.batch_chunk_size != size:
                raise ValueError(f'batch_chunk_size (={self.batch_chunk_size}) and chunking_method '
                                 f"('{method}') give different chunk sizes ({self.batch_chunk_size} vs {size}); "
                                 'pass only one.')
        acc = self.acc_dtype
        if acc is None:
            half = _dname(dtype) in ('float16', 'bfloat16') and device is not None
            acc = _dtype.float32 if half and self.acc_policy == 'auto' else dtype
        return dataclasses.replace(self, acc_policy=policy, chunking_method=method,
                                   batch_chunk_size=max(1, size), acc_dtype=acc)


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross entropy of a learnable linear projection of the input (``self.linear``, whose weight
    is stored flat as (C * prod(out_features), in_features)) against the target."""

    def __init__(self, in_features, num_classes, *, out_features=(), bias=False, device=None, dtype=None,
                 reduction='mean', weight=None, ignore_index=None, label_smoothing=0.0, options=None):
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f'expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}')
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f'expected label_smoothing to be in range [0, 1], got {label_smoothing}')
        super().__init__(weight=weight, reduction=reduction)
        self.num_classes, self.out_features = num_classes, out_features
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing
        self.linear = Linear(in_features, math.prod(out_features) * num_classes, bias=bias, device=device,
                             dtype=dtype)
        self.options = options

    def forward(self, input, target):
        w = self.linear.weight.reshape((self.num_classes, *self.out_features, self.linear.in_features))
        b = None if self.linear.bias is None else self.linear.bias.reshape((self.num_classes, *self.out_features))
        return linear_cross_entropy(input, w, target, linear_bias=b, weight=self.weight, reduction=self.reduction,
                                    ignore_index=self.ignore_index, label_smoothing=self.label_smoothing,
                                    options=self.options)

    def extra_repr(self):
        return (f'in_features={self.linear.in_features}, num_classes={self.num_classes}, '
                f'out_features={self.out_features}, bias={self.linear.bias is not None}, '
                f'reduction={self.reduction}, ignore_index={self.ignore_index}, '
                f'label_smoothing={self.label_smoothing}, options={self.options}')
