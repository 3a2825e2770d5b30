"""SparseAdam: PyTorch's "lazy" Adam for sparse gradients (embeddings with ``sparse=True``).

Only the rows a (coalesced) sparse gradient names are updated: their moments move toward the
gradient and the parameter takes the bias-corrected step there; other entries stay untouched.
A dense gradient raises PyTorch's error (use ``Adam``).
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
        """One lazy Adam update of every parameter with a sparse gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            for p in group['params']:
                if p._grad is not None and not p._grad.is_sparse:
                    raise RuntimeError('SparseAdam does not support dense gradients, please consider Adam '
                                       'instead')
        for group in self.param_groups:
            for p in group['params']:
                if p._grad is not None:
                    self._update(p, group)
        return loss

    def _update(self, p, group):
        from .._tensor import xp_of
        from ..sparse._autograd import linear_keys
        from ..ops.creation import zeros_like
        beta1, beta2 = group['betas']
        state = self.state[p]
        if len(state) == 0:
            state['step'] = 0
            state['exp_avg'] = zeros_like(p, memory_format=None).detach()
            state['exp_avg_sq'] = zeros_like(p, memory_format=None).detach()
        state['step'] += 1
        g = p._grad.coalesce()
        vals = g._v._data.astype(p._data.dtype)
        if group['maximize']:
            vals = -vals
        nsd = g._i.shape[0]
        rows = linear_keys(g._i, g._size[:nsd])
        flat = (-1,) + tuple(g._size[nsd:])
        x, m, v = (t._data.reshape(flat) for t in (p, state['exp_avg'], state['exp_avg_sq']))
        m_old, v_old = m[rows], v[rows]
        m_new = m_old + (vals - m_old) * (1 - beta1)
        v_new = v_old + (vals * vals - v_old) * (1 - beta2)
        m[rows], v[rows] = m_new, v_new
        step = state['step']
        step_size = group['lr'] * (1 - beta2 ** step) ** 0.5 / (1 - beta1 ** step)
        x[rows] -= step_size * m_new / (xp_of(v_new).sqrt(v_new) + group['eps'])
        for t in (p, state['exp_avg'], state['exp_avg_sq']):
            t._vc[0] += 1
