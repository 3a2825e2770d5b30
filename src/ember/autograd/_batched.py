"""autograd.grad(..., is_grads_batched=True): one vector-Jacobian product per row of the given
gradients, stacked (PyTorch vectorizes the same computation with vmap)."""
from .._size import Size


def batched_grad(grad_once, outputs, inputs, grads, retain_graph, create_graph, allow_unused):
    grads = list(grads[:len(outputs)])
    sizes = set()
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out.requires_grad and out.dim() == 0:
                raise ValueError('vmap(vjp, in_dims=0, ...)(<inputs>): Got in_dim=0 for some input, but that '
                                 'input is a Tensor of dimensionality 0 so expected in_dim to satisfy '
                                 '0 <= in_dim < 0.')
            from ..ops.creation import ones_like
            g = grads[i] = ones_like(out)
        if g.dim() == 0 or tuple(g.shape[1:]) != tuple(out.shape):
            first = g[0] if g.dim() else g
            raise RuntimeError(
                'If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the batch '
                'dimension. The sizes of the remaining dimensions are expected to match the shape of '
                'corresponding output, but a mismatch was detected: '
                f'grad_output[{i}] has a shape of {Size(first.shape[1:])} and output[{i}] has a shape of '
                f'{Size(out.shape)}. If you only want some tensors in `grad_output` to be considered batched, '
                'consider using vmap.')
        sizes.add(g.shape[0])
    if len(grads) < len(outputs):
        raise RuntimeError(f'got {len(outputs)} tensors and {len(grads)} gradients')
    if len(sizes) > 1:
        raise ValueError(f'vmap(vjp, in_dims=0, ...)(<inputs>): Expected all tensors to have the same size in '
                         f'the mapped dimension, got sizes {sorted(sizes)} for the mapped dimension')
    n = sizes.pop() if sizes else 1
    rows = [grad_once(outputs, inputs, [g[b] for g in grads], retain_graph or b < n - 1, create_graph,
                      allow_unused) for b in range(n)]
    from ..ops.join import stack
    return tuple(None if any(r[j] is None for r in rows) else stack([r[j] for r in rows])
                 for j in range(len(inputs)))
