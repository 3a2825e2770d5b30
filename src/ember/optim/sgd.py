"""SGD with momentum, dampening, Nesterov and weight decay (PyTorch's update rule)."""
import numpy as np

from .._tensor import Tensor, xp_of
from .._backend.cuda_optim import sgd_kernels
from .optimizer import Optimizer
from ..autograd.grad_mode import no_grad
from ._update import blocks, bump, to_float


def _dense_update(x, g, buf, lr, wd, momentum, damp, nesterov, maximize, first):
    """SGD's update of one parameter (or one piece of it) in place; ``buf`` the momentum buffer
    (None without momentum), filled with the gradient on the ``first`` step."""
    if maximize:
        g = -g
    if wd != 0:
        g = g + wd * x
    if buf is not None:
        if first:
            buf[...] = g
        else:
            buf *= momentum
            buf += g if damp == 0 else (1 - damp) * g
        g = g + momentum * buf if nesterov else buf
    x -= lr * g


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * (momentum buffer or gradient)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if lr < 0.0:                 # as PyTorch's SGD compares (a NaN lr passes, a str says '<')
            raise ValueError(f'Invalid learning rate: {lr}')
        if momentum < 0.0:
            raise ValueError(f'Invalid momentum value: {momentum}')
        if weight_decay < 0.0:
            raise ValueError(f'Invalid weight_decay value: {weight_decay}')
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError('Nesterov momentum requires a momentum and zero dampening')
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError('`fused` does not support `differentiable`')
            if foreach:
                raise RuntimeError('`fused` and `foreach` cannot be `True` together.')

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, wd = to_float(group['lr']), to_float(group['weight_decay'])
            momentum, damp = group['momentum'], group['dampening']
            nesterov, maximize = group['nesterov'], group['maximize']
            for p in group['params']:
                if p._grad is None:
                    continue
                if p._grad.is_sparse:
                    self._sparse_step(p, lr, wd, momentum, damp, nesterov, maximize)
                    continue
                x = p._data
                g = p._grad._data
                if type(x) is not np.ndarray and self._fused_step(p, x, g, lr, wd, momentum, damp, nesterov,
                                                                  maximize):
                    continue
                buf = None
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get('momentum_buffer')
                    first = buf is None
                    if first:
                        buf = state['momentum_buffer'] = Tensor._make(xp_of(x).empty_like(g))
                arrays = (x, g) if buf is None else (x, g, buf._data)
                for piece in blocks(*arrays):
                    _dense_update(*piece[:2], piece[2] if buf is not None else None, lr, wd, momentum, damp,
                                  nesterov, maximize, buf is not None and first)
                if buf is not None and not first:
                    bump(buf)
                bump(p)
        return loss

    def _sparse_step(self, p, lr, wd, momentum, damp, nesterov, maximize):
        """The update with a sparse gradient (nn.Embedding(sparse=True)): momentum buffers stay sparse,
        only the rows the gradient names change; weight decay is refused, as in PyTorch."""
        from ..sparse._coo import scatter_dense
        g = -p._grad if maximize else p._grad
        if wd != 0:
            raise RuntimeError('add(sparse, dense) is not supported. Use add(dense, sparse) instead.')
        if momentum != 0:
            state = self.state[p]
            buf = state.get('momentum_buffer')
            buf = g.clone() if buf is None else buf * momentum + (g if damp == 0 else g * (1 - damp))
            state['momentum_buffer'] = buf
            g = g + buf * momentum if nesterov else buf
        if p.is_sparse:                         # a sparse Parameter: a sparse update
            with no_grad():
                p.add_(g, alpha=-lr)
        else:
            p._data += scatter_dense(g._i, g._v.to(p.dtype), g._size)._data * -lr
        bump(p)

    def _fused_step(self, p, x, g, lr, wd, momentum, damp, nesterov, maximize):
        """The whole update of a CUDA parameter in one kernel launch (``_backend/cuda_optim.py``);
        False when that kernel is not available (then the generic update runs)."""
        kernels = sgd_kernels(x.dtype) if g.dtype == x.dtype and x.dtype.kind == 'f' else None
        if kernels is None:
            return False
        if momentum != 0:
            state = self.state[p]
            buf = state.get('momentum_buffer')
            first = buf is None
            if first:
                buf = state['momentum_buffer'] = Tensor._make(xp_of(x).empty_like(x))
            kernels[0](g, lr, wd, momentum, damp, nesterov, maximize, first, x, buf._data)
            bump(buf)
        else:
            kernels[1](g, lr, wd, maximize, x)
        bump(p)
        return True
