"""Adafactor (Shazeer & Stern 2018) with PyTorch 2.5+'s API and single-tensor update rule.

The second moment of a matrix-like parameter (2 or more dims) is kept factored: a row mean
``row_var`` and a column mean ``col_var`` over the last two dims, whose outer product (divided
by the mean row factor) estimates it. Vectors and scalars keep a full ``variance``. The step is
relative to the parameter's RMS and the update is clipped to RMS ``d``.
"""
from .._dtype import finfo

from .._tensor import Tensor, xp_of
from .optimizer import Optimizer
from ._update import bump, lerp_, new_step, to_float, zeros_state
from .sparse_adam import _no_differentiable_in_groups


def _rms_norm(a):
    """The 2-norm of a whole array as a Python float."""
    xp = xp_of(a)
    return float(xp.sqrt(xp.sum(xp.square(a))))


class Adafactor(Optimizer):
    """Adafactor: ``lr`` caps the relative step ``min(lr, 1/sqrt(t))``; ``eps=(eps1, eps2)`` with
    eps1 None meaning the parameter dtype's machine epsilon."""

    _tensor_scalars = ('step',)
    _sparse_error = 'Adafactor does not support sparse gradients'

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if not 0.0 <= lr:
            raise ValueError(f'Learning rate should be >= 0 but is: {lr}')
        if not 0.0 >= beta2_decay:
            raise ValueError(f'beta2_decay should be <= 0 but is: {beta2_decay}')
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f'epsilon1 should be >= 0 but is: {eps[0]}')
        if not 0.0 <= eps[1]:
            raise ValueError(f'epsilon2 should be >= 0 but is: {eps[1]}')
        if not 1.0 <= d:
            raise ValueError(f'Clipping threshold d should be >= 1 but is: {d}')
        if not 0.0 <= weight_decay:
            raise ValueError(f'weight_decay should be >= 0 but is: {weight_decay}')
        super().__init__(params, dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay,
                                      foreach=foreach, maximize=maximize))

    def __setstate__(self, state):
        _no_differentiable_in_groups(self, state)

    def _fill_state(self, p, state, group):
        g = p._grad._data
        xp = xp_of(g)
        state['step'] = new_step(p, 0.0)
        if g.ndim > 1:
            state['row_var'] = Tensor._make(xp.zeros(g.shape[:-1] + (1,), dtype=g.dtype))
            state['col_var'] = Tensor._make(xp.zeros(g.shape[:-2] + (1,) + g.shape[-1:], dtype=g.dtype))
        else:
            state['variance'] = zeros_state(p._grad)

    def step(self, closure=None):
        """One Adafactor update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            if any(p._grad is not None and p.is_complex() for p in group['params']):
                raise RuntimeError('Adafactor does not support complex parameters')
            lr, wd, d = to_float(group['lr']), group['weight_decay'], group['d']
            beta2_decay = group['beta2_decay']
            eps1, eps2 = group['eps']
            for p, state, x, g in self._updates(group):
                xp = xp_of(x)
                if eps1 is None:                   # as PyTorch: the first parameter's dtype decides
                    eps1 = float(finfo(p.dtype).eps)
                st = state['step']
                step = float(st._data)
                w = step ** beta2_decay
                rho = min(lr, 1 / step ** 0.5)
                alpha = max(eps2, _rms_norm(x) / x.size ** 0.5) * rho
                if wd != 0:
                    x *= 1 - lr * wd
                changed = [p, st]
                if g.ndim > 1:
                    row_t, col_t = state['row_var'], state['col_var']
                    row, col = row_t._data, col_t._data
                    lerp_(row, self._mean_square(g, -1), w)
                    lerp_(col, self._mean_square(g, -2), w)
                    est = xp.matmul(row, col)
                    est /= xp.maximum(row.mean(axis=-2, keepdims=True), eps1)
                    changed += [row_t, col_t]
                else:
                    var_t = state['variance']
                    lerp_(var_t._data, g * g, w)
                    est = var_t._data.copy()
                    changed.append(var_t)
                xp.maximum(est, eps1 * eps1, out=est)
                upd = xp.sqrt(est, out=est)
                xp.divide(1.0, upd, out=upd)
                upd *= g
                denom = max(1.0, _rms_norm(upd) / (upd.size ** 0.5 * d))
                upd *= -alpha / denom
                x += upd
                bump(*changed)
        return loss

    @staticmethod
    def _mean_square(g, dim):
        """Mean of g^2 along ``dim`` (kept), as PyTorch forms it: the norm squared over the size."""
        xp = xp_of(g)
        r = xp.sqrt(xp.sum(xp.square(g), axis=dim, keepdims=True))
        r *= r
        r /= g.shape[dim]
        return r


Adafactor.__module__ = 'ember.optim'          # torch prints <class 'torch.optim.Adafactor'>
