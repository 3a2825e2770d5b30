"""Adamax: Adam with the infinity norm in place of the root mean square."""
from .._tensor import xp_of
from .adam import check_betas
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, for_pieces, lerp_, new_step, to_float, zeros_state


def _update(x, g, m, u, beta1, beta2, eps, wd, clr):
    """Adamax's update of one parameter (or a piece of it), in place."""
    xp = xp_of(x)
    if wd != 0:
        g = g + wd * x
    lerp_(m, g, 1 - beta1)
    u *= beta2
    t = xp.abs(g)
    t += eps
    xp.maximum(u, t, out=u)
    t = m * -clr
    t /= u
    x += t


class Adamax(Optimizer):
    """Adamax (Kingma & Ba 2014, section 7)."""

    _tensor_scalars = ('step',)
    _sparse_error = 'Adamax does not support sparse gradients'

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg(eps=eps)
        check_betas(betas)
        check_nonneg(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))

    def _fill_state(self, p, state, group):
        state['step'] = new_step(p, 0.0, group['capturable'])
        state['exp_avg'] = zeros_state(p)
        state['exp_inf'] = zeros_state(p)

    def step(self, closure=None):
        """One Adamax update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps, wd = to_float(group['lr']), group['eps'], group['weight_decay']
            for p, state, x, g in self._updates(group):
                st, m_t, u_t = state['step'], state['exp_avg'], state['exp_inf']
                clr = lr / (1 - beta1 ** float(st._data))
                for_pieces(_update, (x, g, m_t._data, u_t._data), beta1, beta2, eps, wd, clr)
                bump(p, st, m_t, u_t)
        return loss
