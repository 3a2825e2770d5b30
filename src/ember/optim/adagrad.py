"""Adagrad: per-coordinate learning rates from the running sum of squared gradients."""
from .._tensor import Tensor, xp_of
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, for_pieces, new_step, to_float


def _update(x, g, s, clr, eps, wd):
    """Adagrad's dense update of one parameter (or a piece of it), in place."""
    if wd != 0:
        g = g + wd * x
    s += g * g
    std = xp_of(x).sqrt(s)
    std += eps
    t = g * -clr
    t /= std
    x += t


class Adagrad(Optimizer):
    """Adagrad with learning-rate decay, weight decay and an initial accumulator value."""

    _tensor_scalars = ('step',)
    _sparse_error = None              # sparse gradients take PyTorch's sparse update

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        check_lr(lr)
        check_nonneg(lr_decay=lr_decay, weight_decay=weight_decay,
                     initial_accumulator_value=initial_accumulator_value, eps=eps)
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
                self._fill_state(p, self.state[p], group)

    def _fill_state(self, p, state, group):
        state['step'] = new_step(p, 0.0, group['fused'], group['fused'])
        acc = xp_of(p._data).empty_like(p._data)
        acc.fill(self.defaults['initial_accumulator_value'])
        state['sum'] = Tensor._make(acc)

    def share_memory(self):
        """Move each parameter's ``sum`` state into shared memory (for Hogwild-style training)."""
        for group in self.param_groups:
            for p in group['params']:
                state = self.state.get(p)
                if state and 'sum' in state:
                    state['sum'].share_memory_()

    def step(self, closure=None):
        """One Adagrad update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, wd, lr_decay, eps = to_float(group['lr']), group['weight_decay'], group['lr_decay'], group['eps']
            if wd != 0 and any(p._grad is not None and p._grad.is_sparse for p in group['params']):
                raise RuntimeError('weight_decay option is not compatible with sparse gradients')
            for p, state, x, g in self._updates(group):
                st, sum_t = state['step'], state['sum']
                step = float(st._data)
                clr = lr / (1 + (step - 1) * lr_decay)
                if isinstance(g, Tensor):
                    self._sparse_update(x, sum_t._data, g, clr, eps)
                    bump(p, st, sum_t)
                    continue
                for_pieces(_update, (x, g, sum_t._data), clr, eps, wd)
                bump(p, st, sum_t)
        return loss

    @staticmethod
    def _sparse_update(x, s, grad, clr, eps):
        """PyTorch's sparse rule (nn.Embedding(sparse=True)): on the coalesced gradient's entries
        only, sum += g^2 and x -= clr * g / (sqrt(sum) + eps); every other entry stays as it was."""
        grad = grad.coalesce()
        idx = tuple(grad._i)
        vals = grad._v._data.astype(x.dtype, copy=False)
        s[idx] += vals * vals
        std = xp_of(x).sqrt(s[idx])
        std += eps
        t = vals / std
        t *= -clr
        x[idx] += t
