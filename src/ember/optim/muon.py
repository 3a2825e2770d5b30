"""Muon: momentum whose update is orthogonalised by a Newton-Schulz iteration (2-D parameters).

Each step keeps a momentum buffer ``B <- lerp(B, g, 1 - momentum)``, forms the update (Nesterov:
``lerp(g, B, momentum)``, else ``B``), replaces it by an approximately orthogonal matrix through
``ns_steps`` quintic Newton-Schulz iterations, then applies decoupled weight decay and the step
``lr * AdjustLR(shape)``.

As PyTorch does, the Newton-Schulz iteration runs in bfloat16: every intermediate matrix is
rounded to bfloat16 after each product (the products themselves accumulate in float32). The
rounding is done on float32 arrays with integer bit operations, so it is the same on NumPy and
CuPy and needs no bfloat16 matrix product.
"""
import math

import numpy as np

from .._tensor import Tensor, xp_of
from .optimizer import Optimizer
from ._update import bump, to_float
from ..ops.fma import fma

_ADJUST = (None, 'original', 'match_rms_adamw')


def _round_bf16(a):
    """float32 copy of ``a`` rounded to the nearest bfloat16 (ties to even), kept as float32."""
    xp = xp_of(a)
    a = xp.ascontiguousarray(a, dtype=np.float32)
    u = a.view(np.uint32)
    bias = (u >> np.uint32(16)) & np.uint32(1)
    bias += np.uint32(0x7FFF)
    bias += u
    bias &= np.uint32(0xFFFF0000)
    out = bias.view(np.float32)
    nan = xp.isnan(a)                      # keep NaN a NaN (the bit trick could carry into inf)
    if nan.any():
        out[nan] = np.float32('nan')
    return out


def _fused_lerp(start, end, w, out):
    """out <- lerp(start, end, w) with PyTorch's two-branch form, each branch one fused multiply-add
    (``ops.fma``: the product and the sum rounded once, as PyTorch's vectorised CPU kernel computes
    it); float16/bfloat16 values in float32."""
    w = start.dtype.type(w)
    one = start.dtype.type(1)
    if start.dtype.itemsize < 4:
        start, end, w, one = start.astype(np.float32), end.astype(np.float32), np.float32(w), np.float32(one)
    diff = end - start
    out[...] = fma(w, diff, start) if abs(w) < 0.5 else fma(-(one - w), diff, end)
    return out


def zeropower_newton_schulz(g, ns_coefficients, ns_steps, eps):
    """The orthogonalised update of matrix ``g`` (raw array), as a float32 array of bfloat16 values."""
    if ns_steps >= 100:
        raise ValueError('Number of steps must be less than 100 for computational efficiency')
    if g.ndim != 2:
        raise ValueError('Input tensor gradient must be a 2D matrix')
    if len(ns_coefficients) != 3:
        raise ValueError('Coefficients must be a tuple of exactly 3 values')
    xp = xp_of(g)
    a, b, c = (np.float32(v) for v in ns_coefficients)
    x = _round_bf16(g)
    tall = g.shape[0] > g.shape[1]
    if tall:
        x = x.T
    norm = _round_bf16(xp.sqrt(xp.sum(xp.square(x), dtype=np.float32)))
    norm = xp.maximum(norm, _round_bf16(xp.asarray(eps, dtype=np.float32)))
    x = _round_bf16(x / norm)
    for _ in range(ns_steps):
        gram = _round_bf16(x @ x.T)
        upd = gram @ gram
        upd *= c
        upd += b * gram
        upd = _round_bf16(upd)
        nxt = upd @ x
        nxt += a * x
        x = _round_bf16(nxt)
    return x.T if tall else x


def _adjusted_lr(lr, adjust_lr_fn, shape):
    rows, cols = shape[0], shape[1]
    if adjust_lr_fn is None or adjust_lr_fn == 'original':
        return lr * math.sqrt(max(1, rows / cols))
    if adjust_lr_fn == 'match_rms_adamw':
        return lr * 0.2 * math.sqrt(max(rows, cols))
    return lr


class Muon(Optimizer):
    """Muon for 2-D parameters (hidden-layer weight matrices); use e.g. AdamW for the others.

    ``ns_coefficients=(a, b, c)`` and ``ns_steps`` define the Newton-Schulz iteration, ``eps``
    guards its normalisation, ``adjust_lr_fn`` is ``'original'`` (``sqrt(max(1, A/B))``, the
    default) or ``'match_rms_adamw'`` (``0.2 sqrt(max(A, B))``)."""

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(3.4445, -4.775, 2.0315), eps=1e-07, ns_steps=5, adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError('Tensor lr must be 1-element')
        if not 0.0 <= lr:
            raise ValueError(f'Learning rate should be >= 0 but is: {lr}')
        if not 0.0 <= momentum:
            raise ValueError(f'momentum should be >= 0 but is: {momentum}')
        if not 0.0 <= weight_decay:
            raise ValueError(f'weight decay should be >= 0 but is: {weight_decay}')
        if adjust_lr_fn not in _ADJUST:
            raise ValueError(f'Adjust learning rate function {adjust_lr_fn} is not supported')
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group['params']:
                if p.ndim != 2:
                    raise ValueError(f'Muon only supports 2D parameters whereas we found a parameter with size: '
                                     f'{p.size()}')

    def _check_group(self, group):
        """PyTorch's errors for what the step can't update, raised before anything changes."""
        with_grad = [p for p in group['params'] if p._grad is not None]
        for p in with_grad:
            if p.is_complex():
                raise RuntimeError('Muon does not support complex parameters')
            if p._grad.is_sparse:
                raise RuntimeError('Muon does not support sparse gradients')
        for p in with_grad:
            if p._grad.ndim != 2:
                raise ValueError('Param gradient must be a 2D matrix')
        if with_grad:
            if group['ns_steps'] >= 100:
                raise ValueError('Number of steps must be less than 100 for computational efficiency')
            if len(group['ns_coefficients']) != 3:
                raise ValueError('Coefficients must be a tuple of exactly 3 values')
        return with_grad

    def step(self, closure=None):
        """One Muon update of every parameter that has a gradient; returns the closure's loss."""
        loss = self._closure_loss(closure)
        checked = [self._check_group(group) for group in self.param_groups]     # all before any change
        for group, params in zip(self.param_groups, checked):
            lr, wd, mom = to_float(group['lr']), group['weight_decay'], group['momentum']
            for p in params:
                x, g = p._data, p._grad._data
                xp = xp_of(x)
                state = self.state[p]
                if 'momentum_buffer' not in state:
                    state['momentum_buffer'] = Tensor._make(xp.zeros_like(g))
                buf_t = state['momentum_buffer']
                buf = buf_t._data
                _fused_lerp(buf, g, 1 - mom, buf)
                if group['nesterov']:
                    upd = _fused_lerp(g, buf, mom, xp.empty_like(g))
                else:
                    upd = buf
                o = zeropower_newton_schulz(upd, group['ns_coefficients'], group['ns_steps'], group['eps'])
                alpha = -_adjusted_lr(lr, group['adjust_lr_fn'], x.shape)
                x *= 1 - lr * wd
                # p + alpha * o rounded once, as a fused multiply-add
                if x.dtype.itemsize < 4:
                    x[...] = fma(np.float32(x.dtype.type(alpha)), o.astype(np.float32), x.astype(np.float32))
                else:
                    x[...] = fma(x.dtype.type(alpha), o.astype(x.dtype), x)
                bump(p, buf_t)
        return loss


Muon.__module__ = 'ember.optim'          # torch prints <class 'torch.optim.Muon'>
