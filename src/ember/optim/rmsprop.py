"""RMSprop: divide the gradient by a running root-mean-square (PyTorch's update rule)."""
from .._tensor import xp_of
from ..ops.fma import fma
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, for_pieces, new_step, to_float, zeros_state


def _update(x, g, sq, ga, buf, lr, alpha, eps, wd, momentum):
    """RMSprop's update of one parameter (or a piece of it), in place; ``ga`` the gradient average
    (centered), ``buf`` the momentum buffer (momentum > 0), else None. The multiply-adds PyTorch fuses
    (add with alpha, addcmul, lerp) round once here too (``fma``): sq and ga*ga nearly cancel in the
    centered form, where a second rounding shows."""
    xp = xp_of(x)
    num = x.dtype.type if x.dtype.kind == 'f' else float        # hyper-parameters in the values' dtype
    if wd != 0:
        g = fma(num(wd), x, g)
    sq *= alpha
    sq[...] = fma(num(1 - alpha) * g, g, sq)
    if ga is not None:
        w = num(1 - alpha)
        ga[...] = fma(w, g - ga, ga) if abs(w) < 0.5 else fma(-(num(1) - w), g - ga, g)
        avg = xp.sqrt(fma(-ga, ga, sq))
    else:
        avg = xp.sqrt(sq)
    avg += eps
    if buf is not None:
        buf *= momentum
        buf += g / avg
        x[...] = fma(num(-lr), buf, x)
    else:
        t = g * -lr
        t /= avg
        x += t


class RMSprop(Optimizer):
    """RMSprop with optional momentum, centering (variance instead of mean square) and weight decay."""

    _tensor_scalars = ('step',)
    _sparse_error = 'RMSprop does not support sparse gradients'

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        check_lr(lr)
        check_nonneg(eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                                      weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable))

    def _fill_state(self, p, state, group):
        state['step'] = new_step(p, 0.0, group['capturable'])
        state['square_avg'] = zeros_state(p)
        if group['momentum'] > 0:
            state['momentum_buffer'] = zeros_state(p)
        if group['centered']:
            state['grad_avg'] = zeros_state(p)

    def step(self, closure=None):
        """One RMSprop update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, alpha, eps = to_float(group['lr']), group['alpha'], group['eps']
            wd, momentum, centered = group['weight_decay'], group['momentum'], group['centered']
            for p, state, x, g in self._updates(group):
                st, sq_t = state['step'], state['square_avg']
                ga_t = state['grad_avg'] if centered else None
                buf_t = state['momentum_buffer'] if momentum > 0 else None
                extra = [t for t in (ga_t, buf_t) if t is not None]
                for_pieces(_update, (x, g, sq_t._data) + tuple(None if t is None else t._data for t in (ga_t, buf_t)),
                           lr, alpha, eps, wd, momentum)
                bump(p, st, sq_t, *extra)
        return loss
