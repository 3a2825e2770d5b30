"""SparseAdam: PyTorch's "lazy" Adam for sparse gradients (embeddings with ``sparse=True``).

ember has no sparse tensors: every gradient is dense, so ``step`` with any gradient present
raises PyTorch's own error for a dense gradient (use ``Adam``). The constructor, its checks,
param groups and state_dict behave as PyTorch's, so code that builds a SparseAdam still runs.
"""
from .._tensor import Tensor
from .optimizer import Optimizer
from .adam import check_betas


def _no_differentiable_in_groups(opt, state):
    """The base class fills options missing from loaded groups from ``defaults``; PyTorch adds
    'differentiable' to ``defaults`` only, never to the groups of optimizers without it."""
    had = [('differentiable' in g) for g in state.get('param_groups', [])]
    Optimizer.__setstate__(opt, state)
    for g, h in zip(opt.param_groups, had):
        if not h:
            g.pop('differentiable', None)


class SparseAdam(Optimizer):
    """Adam that would update only the entries a sparse gradient touches."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if not 0.0 < lr:
            raise ValueError(f'Invalid learning rate: {lr}')
        if not 0.0 < eps:
            raise ValueError(f'Invalid epsilon value: {eps}')
        check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))
        sparse, complex_ = [], []
        for i, group in enumerate(self.param_groups):
            for j, p in enumerate(group['params']):
                if p.is_sparse:
                    sparse.append([i, j])
                if p.is_complex():
                    complex_.append([i, j])
        if sparse:
            raise ValueError(f'Sparse params at indices {sparse}: SparseAdam requires dense parameter tensors')
        if complex_:
            raise ValueError(f'Complex params at indices {complex_}: SparseAdam does not support complex '
                             'parameters')

    def __setstate__(self, state):
        _no_differentiable_in_groups(self, state)

    def step(self, closure=None):
        """Raises for the (always dense) gradients ember produces; returns the closure's loss when
        no parameter has a gradient."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            for p in group['params']:
                if p._grad is not None and not p._grad.is_sparse:
                    raise RuntimeError('SparseAdam does not support dense gradients, please consider Adam '
                                       'instead')
        return loss
