"""Adam (and, through ``decoupled_weight_decay``, AdamW): PyTorch's single-tensor update rule."""
from .._tensor import Tensor, xp_of
from .optimizer import Optimizer
from ._update import (bump, check_lr, check_nonneg, decay_and_moments, new_step, scratch_blocks, to_float,
                      zeros_state)


def check_betas(betas):
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f'Invalid beta parameter at index 0: {betas[0]}')
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f'Invalid beta parameter at index 1: {betas[1]}')


def _update(x, g, m, v, mx, tmp, beta1, beta2, lr, wd, decoupled, eps, step_size, bc2_sqrt):
    """One parameter's (or one piece's) update, in place on raw arrays; ``tmp`` is scratch."""
    xp = xp_of(x)
    decay_and_moments(x, g, m, v, beta1, beta2, lr, wd, decoupled, tmp)
    if mx is not None:
        xp.maximum(mx, v, out=mx)
    denom = xp.sqrt(v if mx is None else mx, out=tmp)
    # m / (sqrt(v) / c + eps) == c * m / (sqrt(v) + eps * c): one pass fewer
    denom += eps * bc2_sqrt
    xp.divide(m, denom, out=denom)
    denom *= -step_size * bc2_sqrt
    x += denom


class Adam(Optimizer):
    """Adam: moving averages of the gradient and its square, bias-corrected."""

    _tensor_scalars = ('step',)
    _sparse_error = 'Adam does not support sparse gradients, please consider SparseAdam instead'

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError('lr as a Tensor is not supported for capturable=False and foreach=True')
            if lr.numel() != 1:
                raise ValueError('Tensor lr must be 1-element')
        check_lr(lr)
        check_nonneg(eps=eps)
        check_betas(betas)
        check_nonneg(weight_decay=weight_decay)
        b0, b1 = betas[0], betas[1]
        if not ((isinstance(b0, float) and isinstance(b1, float))
                or (isinstance(b0, Tensor) and isinstance(b1, Tensor))):
            raise ValueError('betas must be either both floats or both Tensors')
        for i, b in enumerate((b0, b1)):
            if isinstance(b, Tensor):
                if not capturable and foreach:
                    raise ValueError(f'betas[{i}] as a Tensor is not supported for capturable=False and '
                                     'foreach=True')
                if b.numel() != 1:
                    raise ValueError(f'Tensor betas[{i}] must be 1-element')
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError('`fused` does not support `differentiable`')
            if foreach:
                raise RuntimeError('`fused` and `foreach` cannot be `True` together.')

    def _fill_state(self, p, state, group):
        fused = group['fused']
        state['step'] = new_step(p, 0.0, group['capturable'] or fused, fused)
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)
        if group['amsgrad']:
            state['max_exp_avg_sq'] = zeros_state(p)

    def step(self, closure=None):
        """One Adam update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = (to_float(b) for b in group['betas'])
            lr, wd, eps = to_float(group['lr']), to_float(group['weight_decay']), group['eps']
            amsgrad = group['amsgrad']
            decoupled = group.get('decoupled_weight_decay', False)
            work = {}
            for p, state, x, g in self._updates(group):
                st, m_t, v_t = state['step'], state['exp_avg'], state['exp_avg_sq']
                mx_t = state['max_exp_avg_sq'] if amsgrad else None
                step = float(st._data)
                step_size = lr / (1 - beta1 ** step)
                bc2_sqrt = (1 - beta2 ** step) ** 0.5
                arrays = (x, g, m_t._data, v_t._data) + ((mx_t._data,) if amsgrad else ())
                for piece in scratch_blocks(work, *arrays):
                    _update(*piece[:4], piece[4] if amsgrad else None, piece[-1], beta1, beta2, lr, wd,
                            decoupled, eps, step_size, bc2_sqrt)
                bump(p, st, m_t, v_t, *((mx_t,) if amsgrad else ()))
        return loss
