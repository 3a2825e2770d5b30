"""Rprop: resilient back-propagation, PyTorch's single-tensor update rule.

Only the sign of the gradient is used. Each entry has its own step size, multiplied by
``etaplus`` while the gradient keeps its sign and by ``etaminus`` when it flips (then that
entry skips one update), clamped to ``step_sizes``.
"""
from .._tensor import Tensor, xp_of
from .optimizer import Optimizer
from ._update import bump, check_lr, new_step, to_float, zeros_state


class Rprop(Optimizer):
    """Rprop with per-entry adaptive step sizes (state ``prev`` and ``step_size``)."""

    _tensor_scalars = ('step',)
    _sparse_error = 'Rprop does not support sparse gradients'
    _grad_first_in_errors = True

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f'Invalid eta values: {etas[0]}, {etas[1]}')
        super().__init__(params, dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _fill_state(self, p, state, group):
        xp = xp_of(p._data)
        state['step'] = new_step(p, 0.0, group['capturable'])
        state['prev'] = zeros_state(p)
        g = p._grad._data
        lr = to_float(group['lr'])          # a complex parameter's parts each start at lr
        state['step_size'] = Tensor._make(xp.full_like(g, complex(lr, lr) if g.dtype.kind == 'c' else lr))

    def step(self, closure=None):
        """One Rprop update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            etaminus, etaplus = group['etas']
            lo, hi = group['step_sizes']
            for p, state, x, g in self._updates(group):
                xp = xp_of(x)
                st, prev_t, size_t = state['step'], state['prev'], state['step_size']
                prev, size = prev_t._data, size_t._data
                sign = xp.sign(g * prev)
                flipped = sign < 0
                factor = xp.where(sign > 0, etaplus, xp.where(flipped, etaminus, xp.where(sign == 0, 1, sign)))
                size *= factor.astype(size.dtype, copy=False)
                xp.clip(size, lo, hi, out=size)
                g = xp.where(flipped, 0, g).astype(g.dtype, copy=False)
                t = xp.sign(g)
                t *= size
                x -= t
                prev[...] = g
                bump(p, st, prev_t, size_t)
        return loss
