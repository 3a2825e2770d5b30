"""Adadelta: step sizes from running averages of squared gradients and squared updates."""
from .._tensor import xp_of
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, for_pieces, new_step, to_float, zeros_state


def _update(x, g, sq, acc, lr, rho, eps, wd):
    """Adadelta's update of one parameter (or a piece of it), in place."""
    sqrt = xp_of(x).sqrt
    if wd != 0:
        g = g + wd * x
    sq *= rho
    t = g * (1 - rho)
    t *= g
    sq += t
    std = sqrt(sq + eps)
    delta = sqrt(acc + eps)
    delta /= std
    delta *= g
    acc *= rho
    t = delta * (1 - rho)
    t *= delta
    acc += t
    x -= lr * delta


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012) with PyTorch's options: lr scaling, rho, eps, weight decay."""

    _tensor_scalars = ('step',)
    _sparse_error = 'Adadelta does not support sparse gradients'
    _capturable_devices = ['cuda', 'xpu', 'hpu', 'privateuseone']

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f'Invalid rho value: {rho}')
        check_nonneg(eps=eps, weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))

    def _fill_state(self, p, state, group):
        state['step'] = new_step(p, 0.0, group['capturable'])
        state['square_avg'] = zeros_state(p)
        state['acc_delta'] = zeros_state(p)

    def step(self, closure=None):
        """One Adadelta update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps, wd = to_float(group['lr']), group['rho'], group['eps'], group['weight_decay']
            for p, state, x, g in self._updates(group):
                st, sq_t, acc_t = state['step'], state['square_avg'], state['acc_delta']
                for_pieces(_update, (x, g, sq_t._data, acc_t._data), lr, rho, eps, wd)
                bump(p, st, sq_t, acc_t)
        return loss
