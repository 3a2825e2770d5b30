"""The recurrence behind nn.RNN/LSTM/GRU (and ember.lstm/gru/rnn_*): the cells, and the loop over
layers, directions and time steps. The input projection of all time steps is one matrix product,
then a Python loop runs the recurrence; a float32 LSTM layer without masks is one fused op."""
from ...ops.join import stack, cat
from ...ops.compare import where
from ...ops.rnn_fused import lstm_layer
from ..._dtype import float32
from .. import functional as F


# (the hidden term comes first in each sum, as in PyTorch's cells: its broadcast errors name it tensor a)
def _pre(x_proj, h, w_hh, b_hh):
    """``h W_hh^T + b_hh + x_proj``. ``x_proj`` may be a function making the input projection after
    the hidden one, the order of PyTorch's RNNCell/LSTMCell (their backward runs the later first)."""
    h_proj = F.linear(h, w_hh, b_hh)
    return h_proj + (x_proj() if callable(x_proj) else x_proj)


def _rnn_cell(x_proj, h, w_hh, b_hh, relu):
    pre = _pre(x_proj, h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_cell(x_proj, h, c, w_hh, b_hh, w_hr=None):
    gates = _pre(x_proj, h, w_hh, b_hh)
    i, f, g, o = gates.chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def _gru_cell(x_proj, h, w_hh, b_hh):
    gh = F.linear(h, w_hh, b_hh)
    xr, xz, xn = x_proj.chunk(3, -1)
    hr, hz, hn = gh.chunk(3, -1)
    r = (hr + xr).sigmoid()
    z = (hz + xz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


def run_stack(spec, x, hx, lengths):
    """Run every layer and direction over time-major ``x`` (L, N, I) from the initial state ``hx``
    (a tensor, or ``(h0, c0)`` for an LSTM), already checked by the caller. ``spec`` supplies
    ``mode, num_layers, bidirectional, proj_size, dropout, training`` and ``_weights(layer, d)``.
    With ``lengths`` (N,), each sequence stops at its own length (a packed batch)."""
    seq = x.shape[0]
    dirs = 2 if spec.bidirectional else 1
    lstm = spec.mode == 'LSTM'
    h0, c0 = hx if lstm else (hx, None)
    mask = None
    if lengths is not None:
        from ...ops.ranges import arange
        mask = (arange(seq, device=x.device).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(-1)     # (L, N, 1)
    hs, cs = [], []
    layer_in = x
    # (PyTorch's CPU LSTM takes its one-op path only for float32 with a non-empty batch)
    fused = lstm and lengths is None and spec.proj_size == 0 and x.dtype == float32 and x.shape[1] > 0
    for layer in range(spec.num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w_ih, w_hh, b_ih, b_hh, w_hr = spec._weights(layer, d)
            if fused:           # the whole layer as one op, as PyTorch's CPU LSTM in float32
                out, h, c = lstm_layer(layer_in, w_ih, w_hh, b_ih, b_hh, h0[k], c0[k], reverse=d == 1)
                outs.append(out)
                hs.append(h)
                cs.append(c)
                continue
            xs = layer_in if d == 0 else _reverse(layer_in, lengths)
            proj = F.linear(xs, w_ih, b_ih)                         # every time step at once
            m = mask                    # a reversed sequence still occupies its first `length` steps
            h = h0[k]
            c = c0[k] if lstm else None
            steps = []
            for t in range(seq):
                if lstm:
                    h_new, c_new = _lstm_cell(proj[t], h, c, w_hh, b_hh, w_hr)
                elif spec.mode == 'GRU':
                    h_new, c_new = _gru_cell(proj[t], h, w_hh, b_hh), None
                else:
                    h_new, c_new = _rnn_cell(proj[t], h, w_hh, b_hh, spec.mode == 'RNN_RELU'), None
                if m is not None:
                    h_new = where(m[t], h_new, h)
                    if lstm:
                        c_new = where(m[t], c_new, c)
                    steps.append(where(m[t], h_new, h_new.new_zeros(())))
                else:
                    steps.append(h_new)
                h, c = h_new, c_new
            if d == 1 and lengths is None:      # the backward direction's steps, in time order
                outs.append(stack(steps[::-1]))
            else:
                out = stack(steps)
                outs.append(out if d == 0 else _reverse(out, lengths))
            hs.append(h)
            if lstm:
                cs.append(c)
        layer_in = outs[0] if dirs == 1 else cat(outs, -1)
        if spec.dropout and spec.training and layer < spec.num_layers - 1:
            layer_in = _dropout(layer_in, spec.dropout, mask)
    h_n = stack(hs)
    return layer_in, ((h_n, stack(cs)) if lstm else h_n)


def _dropout(x, p, mask):
    """Dropout between layers. A packed batch (``mask`` (L, N, 1) given) is dropped as PyTorch does it:
    on its packed rows (sum of lengths, F), time-major, so the mask draws match; padding stays zero."""
    if mask is None:
        return F.dropout(x, p, True)
    keep = mask.squeeze(-1)
    return x.new_zeros(x.shape).index_put((keep,), F.dropout(x[keep], p, True))


def _reverse(x, lengths):
    """Reverse time (dim 0); with lengths, each sequence within its own length."""
    if lengths is None:
        return x.flip(0)
    from ...ops.ranges import arange
    seq = x.shape[0]
    t = arange(seq, device=x.device).unsqueeze(1)
    ln = lengths.unsqueeze(0)
    idx = where(t < ln, ln - 1 - t, t)                               # (L, N)
    return x.gather(0, idx.unsqueeze(-1).expand(x.shape))
