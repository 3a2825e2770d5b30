"""One LSTM layer over a whole sequence as a single op, as PyTorch's CPU LSTM does for
float32 (its grad_fn is ``MkldnnRnnLayerBackward0``).

The forward runs the recurrence on raw arrays: the input projection of every time step is one
matrix product, then each step is one small product with ``W_hh`` and a few in-place
elementwise passes. The backward is back-propagation through time on raw arrays too, with the
weight gradients gathered into two large products at the end. That replaces the ~40 recorded
ops per time step of the composite cell, whose Python cost dominated LSTM training.

Double backward: when the backward itself is recorded (``create_graph=True``), the layer is
re-run from its saved inputs with the composite cell (ember ops) and differentiated, so higher
derivatives are exact.
"""
from ..autograd import grad_mode
from ._op import Op, apply
from ._promote import xp


def _sigmoid_(m, a):
    """a <- sigmoid(a), in place, through tanh (one pass that never overflows)."""
    m.multiply(a, 0.5, out=a)
    m.tanh(a, out=a)
    m.multiply(a, 0.5, out=a)
    m.add(a, 0.5, out=a)


class MkldnnRnnLayerBackward0(Op):
    """Inputs: x (L, N, I), w_ih (4H, I), w_hh (4H, H), b_ih, b_hh (4H or None), h0, c0 (N, H).
    Outputs: out (L, N, H), h_n (N, H), c_n (N, H)."""
    n_outputs = 3
    saves = (0, 1, 2, 3, 4, 5, 6)
    _free = ('acts', 'cs', 'tcs')

    def forward(self, x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
        m = xp(x)
        L, N = x.shape[0], x.shape[1]
        H = w_hh.shape[1]
        self.reverse = reverse
        proj = (x.reshape(L * N, x.shape[2]) @ w_ih.T).reshape(L, N, 4 * H)
        if b_ih is not None:
            proj += b_ih
            proj += b_hh
        out = m.empty((L, N, H), x.dtype)
        cs = m.empty((L + 1, N, H), x.dtype)        # cs[k]: the cell state before step k
        tcs = m.empty((L, N, H), x.dtype)           # tanh of the cell state after each step
        cs[0] = c0
        h = h0
        w_hh_t = w_hh.T
        steps = range(L - 1, -1, -1) if reverse else range(L)
        for k, t in enumerate(steps):
            a = proj[t]
            a += h @ w_hh_t
            _sigmoid_(m, a[:, :2 * H])
            m.tanh(a[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
            _sigmoid_(m, a[:, 3 * H:])
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            c = cs[k + 1]
            m.multiply(f, cs[k], out=c)
            c += i * g
            m.tanh(c, out=tcs[k])
            h = out[t]
            m.multiply(o, tcs[k], out=h)
        self.acts, self.cs, self.tcs = proj, cs, tcs        # proj now holds the gate activations
        return out, out[steps[-1]].copy() if L else h0.copy(), cs[L].copy()

    def backward(self, gout, ghy, gcy):
        x, w_ih, w_hh, b_ih, b_hh, h0, c0 = self.saved_tensors
        if grad_mode.is_grad_enabled():
            return _composite_grads(self, (x, w_ih, w_hh, b_ih, b_hh, h0, c0), (gout, ghy, gcy))
        return tuple(None if g is None else _wrap(g)
                     for g in self._bptt(x._data, w_ih._data, w_hh._data, h0._data, gout._data,
                                         ghy._data, gcy._data, b_ih is not None))

    def _bptt(self, x, w_ih, w_hh, h0, gout, ghy, gcy, has_bias):
        m = xp(x)
        acts, cs, tcs = self.acts, self.cs, self.tcs
        L, N = x.shape[0], x.shape[1]
        H = w_hh.shape[1]
        need = [e[0] is not None for e in self._next]
        steps = list(range(L - 1, -1, -1) if self.reverse else range(L))
        dgates = m.empty_like(acts)
        dh = ghy.copy()
        dc = gcy.copy()
        for k in range(L - 1, -1, -1):
            t = steps[k]
            a = acts[t]
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            dh += gout[t]
            tc = tcs[k]
            dc += dh * o * (1 - tc * tc)
            d = dgates[t]
            di, df, dg, do = d[:, :H], d[:, H:2 * H], d[:, 2 * H:3 * H], d[:, 3 * H:]
            m.multiply(dh, tc, out=do)
            do *= o * (1 - o)
            m.multiply(dc, g, out=di)
            di *= i * (1 - i)
            m.multiply(dc, cs[k], out=df)
            df *= f * (1 - f)
            m.multiply(dc, i, out=dg)
            dg *= 1 - g * g
            dc *= f
            dh = d @ w_hh
        dflat = dgates.reshape(L * N, 4 * H)
        # the hidden state that entered each time position: h0, then o * tanh(c) of the step before
        hprev = m.empty((L, N, H), x.dtype)
        for k, t in enumerate(steps):
            if k == 0:
                hprev[t] = h0
            else:
                m.multiply(acts[steps[k - 1]][:, 3 * H:], tcs[k - 1], out=hprev[t])
        gx = (dflat @ w_ih).reshape(x.shape) if need[0] else None
        gw_ih = dflat.T @ x.reshape(L * N, x.shape[2]) if need[1] else None
        gw_hh = dflat.T @ hprev.reshape(L * N, H) if need[2] else None
        gb = dflat.sum(0) if has_bias and (need[3] or need[4]) else None
        return (gx, gw_ih, gw_hh, gb if need[3] else None, gb if need[4] else None,
                dh if need[5] else None, dc if need[6] else None)


def _wrap(a):
    from .._tensor import Tensor
    return Tensor._make(a)


def _composite_grads(node, inputs, grads):
    """Gradients of the layer, recorded: re-run it on the saved inputs with ember ops and
    differentiate that graph (so the gradients stay functions of the real inputs)."""
    from ..autograd import grad as autograd_grad
    need = [e[0] is not None for e in node._next]
    wanted = [t for t, n in zip(inputs, need) if n]
    outs = lstm_layer_composite(*inputs, reverse=node.reverse)
    got = iter(autograd_grad(outs, wanted, grads, create_graph=True, allow_unused=True))
    return tuple(next(got) if n else None for n in need)


def lstm_layer_composite(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
    """The same layer written with ember ops (used for recorded double backward)."""
    from ..nn import functional as F
    from .join import stack
    proj = F.linear(x, w_ih, b_ih)
    h, c = h0, c0
    outs = [None] * x.shape[0]
    order = range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])
    for t in order:
        gates = proj[t] + F.linear(h, w_hh, b_hh)
        i, f, g, o = gates.chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        outs[t] = h
    return stack(outs), h, c


def lstm_layer(x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=False):
    return apply(MkldnnRnnLayerBackward0, x, w_ih, w_hh, b_ih, b_hh, h0, c0, reverse=reverse)
