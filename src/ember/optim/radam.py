"""RAdam: Adam with the variance of the adaptive learning rate rectified (Liu et al. 2019)."""
from .._tensor import xp_of
from .adam import check_betas
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, for_pieces, decay_and_moments, new_step, to_float, zeros_state


def _update(x, g, m, v, beta1, beta2, lr, wd, decoupled, eps, bias_correction1, bias_correction2, rect):
    """RAdam's update of one parameter (or a piece of it), in place; ``rect`` the rectification
    factor, None while the variance is not yet tractable (then an SGD-with-momentum step)."""
    decay_and_moments(x, g, m, v, beta1, beta2, lr, wd, decoupled)
    upd = m / bias_correction1
    upd *= lr
    if rect is not None:
        adaptive = xp_of(x).sqrt(v)
        adaptive += eps
        adaptive = 1.0 / adaptive          # PyTorch: number / tensor = reciprocal * number
        adaptive *= bias_correction2 ** 0.5
        upd *= adaptive
        upd *= rect
    x -= upd


class RAdam(Optimizer):
    """RAdam; plain momentum SGD steps while the variance estimate is unreliable (rho_t <= 5)."""

    _tensor_scalars = ('step',)
    _sparse_error = 'RAdam does not support sparse gradients'

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg(eps=eps)
        check_betas(betas)
        check_nonneg(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      decoupled_weight_decay=decoupled_weight_decay,
                                      differentiable=differentiable))

    def _fill_state(self, p, state, group):
        state['step'] = new_step(p, 0.0, group['capturable'])
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    def step(self, closure=None):
        """One RAdam update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps, wd = to_float(group['lr']), group['eps'], group['weight_decay']
            decoupled = group['decoupled_weight_decay']
            rho_inf = 2 / (1 - beta2) - 1
            for p, state, x, g in self._updates(group):
                st, m_t, v_t = state['step'], state['exp_avg'], state['exp_avg_sq']
                step = float(st._data)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                rect = (((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                        if rho_t > 5.0 else None)
                for_pieces(_update, (x, g, m_t._data, v_t._data), beta1, beta2, lr, wd, decoupled, eps,
                           bias_correction1, bias_correction2, rect)
                bump(p, st, m_t, v_t)
        return loss
