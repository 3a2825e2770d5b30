"""ASGD: averaged stochastic gradient descent (Polyak & Juditsky), PyTorch's single-tensor rule.

Each parameter keeps its own step size ``eta`` (decaying as ``lr / (1 + lambd lr t)^alpha``), an
averaging weight ``mu`` (1 until step ``t0``, then ``1 / (t - t0)``) and the running average ``ax``
of its values. The parameter itself follows plain SGD with a ``lambd`` decay term.
"""
from .._tensor import Tensor, xp_of
from .optimizer import Optimizer
from ._update import bump, check_lr, check_nonneg, new_step, scalar_dtype, to_float, zeros_state


class ASGD(Optimizer):
    """Averaged SGD; the average of the iterates is in ``optimizer.state[p]['ax']``."""

    _tensor_scalars = ('step', 'eta', 'mu')
    _sparse_error = 'ASGD does not support sparse gradients'
    _capturable_what = 'params, mus, etas, and state_steps'

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        check_lr(lr)
        check_nonneg(weight_decay=weight_decay)
        super().__init__(params, dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize, differentiable=differentiable,
                                      capturable=capturable))

    def _fill_state(self, p, state, group):
        xp = xp_of(p._data)
        state['step'] = new_step(p, 0.0, on_param_device=True)
        state['eta'] = Tensor._make(xp.array(to_float(group['lr']), dtype=scalar_dtype()))
        state['mu'] = Tensor._make(xp.array(1.0, dtype=scalar_dtype()))
        state['ax'] = zeros_state(p)

    def step(self, closure=None):
        """One ASGD update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = to_float(group['lr']), group['lambd'], group['alpha'], group['t0']
            wd = group['weight_decay']
            for p, state, x, g in self._updates(group):
                st, eta_t, mu_t, ax_t = state['step'], state['eta'], state['mu'], state['ax']
                if wd != 0:
                    g = g + wd * x
                eta = float(eta_t._data)
                x *= 1 - lambd * eta
                x += g * -eta
                ax = ax_t._data
                mu = mu_t._data
                if float(mu) != 1:
                    d = x - ax
                    d *= mu
                    ax += d
                else:
                    ax[...] = x
                step = float(st._data)
                eta_t._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu_t._data[...] = 1 / max(1, step - t0)
                bump(p, st, eta_t, mu_t, ax_t)
        return loss

