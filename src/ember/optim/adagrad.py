"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
from .._tensor import Tensor, xp_of
from .optimizer import Optimizer, bump, check_lr, new_step, to_float


class Adagrad(Optimizer):
    """Adagrad with learning-rate decay, weight decay and an initial accumulator value."""

    _tensor_scalars = ('step',)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f'Invalid lr_decay value: {lr_decay}')
        if not 0.0 <= weight_decay:
            raise ValueError(f'Invalid weight_decay value: {weight_decay}')
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f'Invalid initial_accumulator_value value: {initial_accumulator_value}')
        if not 0.0 <= eps:
            raise ValueError(f'Invalid epsilon value: {eps}')
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
        if fused:
            if differentiable:
                raise RuntimeError('`fused` does not support `differentiable`')
            if foreach:
                raise RuntimeError('`fused` and `foreach` cannot be `True` together.')
        for group in self.param_groups:          # Adagrad's state exists from the start
            for p in group['params']:
                self._init_state(p, group)

    def _init_state(self, p, group):
        state = self.state[p]
        if len(state) == 0:
            state['step'] = new_step(p, 0.0, group['fused'], group['fused'])
            xp = xp_of(p._data)
            acc = xp.empty_like(p._data)
            acc.fill(self.defaults['initial_accumulator_value'])
            state['sum'] = Tensor._make(acc)
        return state

    def share_memory(self):
        pass                                      # NumPy arrays have no shared-memory mode to switch on

    def step(self, closure=None):
        """One Adagrad update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, wd, lr_decay, eps = to_float(group['lr']), group['weight_decay'], group['lr_decay'], group['eps']
            for p in group['params']:
                if p._grad is None:
                    continue
                state = self._init_state(p, group)
                x, g = p._data, p._grad._data
                st, sum_t = state['step'], state['sum']
                st._data += 1
                step = float(st._data)
                if group['maximize']:
                    g = -g
                if wd != 0:
                    g = g + wd * x
                clr = lr / (1 + (step - 1) * lr_decay)
                s = sum_t._data
                s += g * g
                std = xp_of(x).sqrt(s)
                std += eps
                t = g * -clr
                t /= std
                x += t
                bump(p, st, sum_t)
        return loss
