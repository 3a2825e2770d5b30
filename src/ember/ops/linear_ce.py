"""linear_cross_entropy: a final linear layer fused with cross entropy.

The reference path (``options=None``) is literally ``cross_entropy(linear(input, W, b), target)``
with ember's ops (so every cross-entropy option works, and higher derivatives too). With
``options`` (a ``nn.LinearCrossEntropyOptions``) and a plain case (int64 class targets, no label
smoothing, ``reduction`` in mean/sum/none, no K-dimensional weight), the batch is processed in
chunks of ``batch_chunk_size`` rows, so the ``(N, C)`` logits never exist at once: forward keeps
only the per-row losses, and backward recomputes each chunk's logits from the saved input and
weight. The grad_fn names are PyTorch's for its chunked custom ops.
"""
import math
import warnings

from .._tensor import Tensor
from ._op import Op, apply
from ._promote import xp

__all__ = []
METHODS = {}

_TWICE = ('linear_cross_entropy chunked backward called twice; retain_graph=True / double backward are not '
          'supported.')


def _chunk_losses(m, x, w, b, t, cw, ignore_index, chunk):
    """Per-row losses (weighted, 0 where ignored) and per-row class weights, chunk by chunk."""
    n, c = x.shape[0], w.shape[0]
    acc = x.dtype if x.dtype.itemsize >= 4 else m.float32
    bad = (t != ignore_index) & ((t < 0) | (t >= c))
    if bool(bad.any()):
        v = int(t[bad][0])
        raise RuntimeError(f'index {v} is out of bounds for dimension 1 with size {c}')
    keep = t != ignore_index
    safe = m.where(keep, t, 0)
    rw = (cw[safe].astype(acc) if cw is not None else m.ones(n, acc)) * keep
    losses = m.empty(n, acc)
    wt = w.astype(acc).T
    for s in range(0, n, chunk):
        z = x[s:s + chunk].astype(acc) @ wt
        if b is not None:
            z += b.astype(acc)
        top = z.max(axis=1, keepdims=True) if c else z.sum(axis=1, keepdims=True)
        lse = m.log(m.exp(z - top).sum(axis=1)) + top[:, 0]
        picked = m.take_along_axis(z, safe[s:s + chunk, None], axis=1)[:, 0]
        losses[s:s + chunk] = (lse - picked) * rw[s:s + chunk]
    return losses, rw, safe


class _ChunkedLCE(Op):
    """Inputs: x (N, I), linear weight (C, I), linear bias (C) or None. Options as keywords."""
    saves = (0, 1, 2)

    def forward(self, x, w, b, target=None, weight=None, reduction='mean', ignore_index=-100, chunk=1,
                allow_retain_graph=True):
        m = xp(x)
        self.reduction, self.chunk, self.retain = reduction, max(1, int(chunk)), allow_retain_graph
        self.done = False
        losses, rw, safe = _chunk_losses(m, x, w, b, target, weight, ignore_index, self.chunk)
        self.rw, self.safe = rw, safe
        if reduction == 'none':
            return losses.astype(x.dtype)
        total = losses.sum()
        self.denom = m.asarray(rw.sum()) if reduction == 'mean' else None
        if reduction == 'mean':
            total = total / self.denom
        return m.asarray(total, dtype=x.dtype)

    def backward(self, grad):
        if self.done and not self.retain:
            raise RuntimeError(_TWICE)
        self.done = True
        from ..nn import functional as F
        from .join import cat
        x, w, b = self.saved_tensors
        rw = Tensor._make(self.rw).to(x.dtype)
        if self.reduction == 'none':
            coef = rw * grad
        elif self.reduction == 'mean':
            coef = rw * (grad / Tensor._make(self.denom).to(x.dtype))
        else:
            coef = rw * grad
        onehot = F.one_hot(Tensor._make(self.safe), w.shape[0]).to(x.dtype)
        gx, gw, gb = [], None, None
        for s in range(0, x.shape[0], self.chunk):
            xc = x[s:s + self.chunk]
            dz = (F.linear(xc, w, b).softmax(1) - onehot[s:s + self.chunk]) * coef[s:s + self.chunk].unsqueeze(1)
            gx.append(dz @ w)
            pw = dz.t() @ xc
            gw = pw if gw is None else gw + pw
            if b is not None:
                pb = dz.sum(0)
                gb = pb if gb is None else gb + pb
        if gw is None:                       # an empty batch
            gw = w * 0
            gb = None if b is None else b * 0
        return cat(gx) if gx else x * 0, gw, gb


class GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_defaultBackward(_ChunkedLCE):
    pass


class GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction_defaultBackward(_ChunkedLCE):
    pass


def _check_shapes(input, linear_weight, target, linear_bias):
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f'expected input with dimensionality 1 or 2, got {input.dim()}')
    if linear_weight.dim() < 2:
        raise RuntimeError(f'expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}')
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError('expected equal input and linear_weight last dimensions (in_features), '
                           f'got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively')
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f'expected linear_bias shape {(num_classes, *out_features)}, '
                           f'got {tuple(linear_bias.shape)}')
    if out_features and input.dim() == 1:
        raise RuntimeError(f'K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} requires'
                           f' batched input, (N, {in_features}), got unbatched input with shape {tuple(input.shape)}')
    return in_features, num_classes, out_features


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction='mean',
                         ignore_index=None, label_smoothing=0.0, options=None):
    """Cross entropy of ``linear(input, linear_weight, linear_bias)`` against ``target``.

    ``input`` is (in_features,) or (N, in_features); ``linear_weight`` is (C, in_features) or
    (C, d_1, ..., d_K, in_features) for a K-dimensional loss. ``ignore_index=None`` means -100
    for class targets and is an error to give with class probabilities. ``options`` selects the
    chunked computation (see the module docstring)."""
    in_features, num_classes, out_features = _check_shapes(input, linear_weight, target, linear_bias)
    logits_shape = (*input.shape[:-1], num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:
        raise RuntimeError('ignore_index cannot be specified when target contains probabilities')
    ignore_index = -100 if ignore_index is None else ignore_index
    is_long = str(target.dtype).endswith('int64')
    plain = reduction in ('mean', 'sum', 'none') and label_smoothing == 0.0 and is_long and not out_features
    if options is not None and not plain:
        bias_shape = tuple(linear_bias.shape) if linear_bias is not None else None
        tname = str(target.dtype).replace('ember.', 'torch.')
        warnings.warn("linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
                      "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features == (). "
                      f'Got reduction={reduction!r}, label_smoothing={label_smoothing}, target.dtype={tname}, '
                      f'out_features={out_features}, tracing=False, linear_bias.shape={bias_shape}.', stacklevel=2)
    if options is not None and plain:
        return _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index, options,
                        in_features, num_classes)
    from ..nn import functional as F
    if out_features:
        flat = math.prod(out_features) * num_classes
        linear_weight = linear_weight.reshape(flat, in_features)
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(flat)
    logits = F.linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return F.cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                           label_smoothing=label_smoothing)


def _chunked(input, linear_weight, target, linear_bias, weight, reduction, ignore_index, options, in_features,
             num_classes):
    batched = input.dim() == 2
    if not batched:
        input, target = input.unsqueeze(0), target.unsqueeze(0)
    opts = options._adjust(num_batches=input.shape[0], in_features=in_features, num_classes=num_classes,
                           dtype=input.dtype, device=input.device)
    cls = (GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction_defaultBackward
           if reduction == 'none' else GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_defaultBackward)
    out = apply(cls, input, linear_weight, linear_bias, target=target._data,
                weight=None if weight is None else weight._data, reduction=reduction, ignore_index=ignore_index,
                chunk=opts.batch_chunk_size, allow_retain_graph=reduction == 'none' or opts.allow_retain_graph)
    return out if batched else out.squeeze(0)
