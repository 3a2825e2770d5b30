"""NAdam: Adam with Nesterov momentum (Dozat 2016), PyTorch's momentum-decay schedule."""
from .._tensor import xp_of
from .adam import check_betas
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, for_pieces, decay_and_moments, new_step, to_float, zeros_state


def _update(x, g, m, v, beta1, beta2, lr, wd, decoupled, eps, bias_correction2, g_factor, m_factor):
    """NAdam's update of one parameter (or a piece of it), in place."""
    g = decay_and_moments(x, g, m, v, beta1, beta2, lr, wd, decoupled)
    denom = xp_of(x).sqrt(v / bias_correction2)
    denom += eps
    t = g * g_factor
    t /= denom
    x += t
    t = m * m_factor
    t /= denom
    x += t


class NAdam(Optimizer):
    """NAdam, optionally with decoupled (AdamW-style) weight decay."""

    _tensor_scalars = ('step', 'mu_product')
    _sparse_error = 'NAdam does not support sparse gradients'
    _capturable_what = 'params, mu_products and state_steps'

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_lr(lr)
        check_nonneg(eps=eps)
        check_betas(betas)
        check_nonneg(weight_decay=weight_decay, momentum_decay=momentum_decay)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                                      foreach=foreach, capturable=capturable, differentiable=differentiable))

    def _fill_state(self, p, state, group):
        state['step'] = new_step(p, 0.0, group['capturable'])
        state['mu_product'] = new_step(p, 1.0, group['capturable'])
        state['exp_avg'] = zeros_state(p)
        state['exp_avg_sq'] = zeros_state(p)

    def step(self, closure=None):
        """One NAdam update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            beta1, beta2 = group['betas']
            lr, eps, wd = to_float(group['lr']), group['eps'], group['weight_decay']
            psi, decoupled = group['momentum_decay'], group['decoupled_weight_decay']
            for p, state, x, g in self._updates(group):
                st, mp_t = state['step'], state['mu_product']
                m_t, v_t = state['exp_avg'], state['exp_avg_sq']
                step = float(st._data)
                bias_correction2 = 1 - beta2 ** step
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * psi)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * psi)))
                mp_t._data *= mu
                mu_product = float(mp_t._data)
                for_pieces(_update, (x, g, m_t._data, v_t._data), beta1, beta2, lr, wd, decoupled, eps,
                           bias_correction2, -lr * (1.0 - mu) / (1.0 - mu_product),
                           (-lr * mu_next) / (1.0 - mu_product * mu_next))
                bump(p, st, mp_t, m_t, v_t)
        return loss
