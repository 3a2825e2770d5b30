"""Recurrent layers: RNN, LSTM, GRU (layers, bidirectional, batch_first, dropout, proj_size,
packed sequences) and their cells, written with ember ops: the input projection of all time
steps is one matrix product, then a Python loop runs the recurrence."""
import math

from ...ops.creation import empty, zeros
from ...ops.join import stack, cat
from ...ops.compare import where
from ...ops.rnn_fused import lstm_layer
from ..._dtype import float32
from ...amp import autocast_mode as _amp
from .. import functional as F, init
from ..parameter import Parameter
from .module import Module

_GATES = {'RNN_TANH': 1, 'RNN_RELU': 1, 'LSTM': 4, 'GRU': 3}


def _rnn_cell(x_proj, h, w_hh, b_hh, relu):
    pre = x_proj + F.linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _lstm_cell(x_proj, h, c, w_hh, b_hh, w_hr=None):
    gates = x_proj + F.linear(h, w_hh, b_hh)
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
    r = (xr + hr).sigmoid()
    z = (xz + hz).sigmoid()
    n = (xn + r * hn).tanh()
    return (1 - z) * n + z * h


class RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        if not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError('dropout should be a number in range [0, 1] representing the probability of an '
                             'element being zeroed')
        if dropout > 0 and num_layers == 1:
            import warnings
            warnings.warn('dropout option adds dropout after all but last recurrent layer, so non-zero dropout '
                          f'expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}')
        if proj_size < 0:
            raise ValueError('proj_size should be a positive integer or zero to disable projections')
        if proj_size >= hidden_size:
            raise ValueError('proj_size has to be smaller than hidden_size')
        gate = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            for d in range(dirs):
                sfx = f'_l{layer}' + ('_reverse' if d else '')
                in_size = input_size if layer == 0 else real_hidden * dirs
                names = [('weight_ih' + sfx, (gate, in_size)), ('weight_hh' + sfx, (gate, real_hidden))]
                if bias:
                    names += [('bias_ih' + sfx, (gate,)), ('bias_hh' + sfx, (gate,))]
                if proj_size > 0:
                    names.append(('weight_hr' + sfx, (proj_size, hidden_size)))
                for name, shape in names:
                    setattr(self, name, Parameter(empty(*shape, device=device, dtype=dtype)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    @property
    def all_weights(self):
        """One list of parameters per layer and direction, as PyTorch."""
        groups = {}
        for n in self._flat_weights_names:                 # weight_ih_l0, bias_hh_l1_reverse, ...
            groups.setdefault(n.split('_', 2)[2], []).append(getattr(self, n))
        return list(groups.values())

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.proj_size != 0:
            s += f', proj_size={self.proj_size}'
        if self.num_layers != 1:
            s += f', num_layers={self.num_layers}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if self.batch_first is not False:
            s += f', batch_first={self.batch_first}'
        if self.dropout != 0:
            s += f', dropout={self.dropout}'
        if self.bidirectional is not False:
            s += f', bidirectional={self.bidirectional}'
        return s

    def _weights(self, layer, d):
        sfx = f'_l{layer}' + ('_reverse' if d else '')
        g = lambda n: getattr(self, n + sfx, None)  # noqa: E731
        return g('weight_ih'), g('weight_hh'), g('bias_ih'), g('bias_hh'), g('weight_hr')

    def forward(self, input, hx=None):
        from ..utils.rnn import PackedSequence, pad_packed_sequence, pack_padded_sequence
        packed = isinstance(input, PackedSequence)
        lengths = None
        if packed:
            sorted_idx, unsorted_idx = input.sorted_indices, input.unsorted_indices
            x, lengths = pad_packed_sequence(input, batch_first=False)
            lengths = lengths.to(x.device)          # the CPU lengths meet the data's masks
            if sorted_idx is not None:     # work in the packed (sorted) order; hx is in user order
                x = x.index_select(1, sorted_idx)
                lengths = lengths.index_select(0, sorted_idx)
                if hx is not None:
                    hx = tuple(h.index_select(1, sorted_idx) for h in hx) if isinstance(hx, tuple) else \
                        hx.index_select(1, sorted_idx)
            batched = True
        else:
            x = input
            if x.dim() not in (2, 3):
                raise ValueError(f'{self.mode if self.mode in ("LSTM", "GRU") else "RNN"}: Expected input to be 2D '
                                 f'or 3D, got {x.dim()}D tensor instead')
            batched = x.dim() == 3
            if hx is not None:
                hx = self._check_hx_dims(hx, batched)
            if not batched:
                x = x.unsqueeze(0 if self.batch_first else 1)
                if hx is not None:
                    hx = tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(1)
            if self.batch_first:
                x = x.transpose(0, 1)
        w = getattr(self, self._flat_weights_names[0])
        if x.dtype != w.dtype and not _amp.state.on:       # (autocast casts for the products)
            raise ValueError(f'RNN input dtype ({x.dtype}) does not match weight dtype ({w.dtype}). Convert input: '
                             f'input.to({w.dtype}), or convert model: model.to({x.dtype})')
        if x.shape[-1] != self.input_size:
            raise RuntimeError(f'input.size(-1) must be equal to input_size. Expected {self.input_size}, '
                               f'got {x.shape[-1]}')
        out, hidden = self._run(x, hx, lengths)
        if packed:
            if input.sorted_indices is not None:
                hidden = tuple(h.index_select(1, unsorted_idx) for h in hidden) if isinstance(hidden, tuple) \
                    else hidden.index_select(1, unsorted_idx)
            out = pack_padded_sequence(out.index_select(1, unsorted_idx) if input.sorted_indices is not None
                                       else out, lengths.index_select(0, unsorted_idx)
                                       if input.sorted_indices is not None else lengths,
                                       enforce_sorted=input.sorted_indices is None)
            return out, hidden
        if self.batch_first:        # PyTorch's RNN and GRU transpose their fresh output in place
            out = out.transpose(0, 1) if self.mode == 'LSTM' else out.transpose_(0, 1)
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            hidden = tuple(h.squeeze(1) for h in hidden) if isinstance(hidden, tuple) else hidden.squeeze(1)
        return out, hidden

    def _check_hx_dims(self, hx, batched):
        """PyTorch's errors for a hidden state whose dims don't fit the input's, or for an LSTM state
        given as one tensor (PyTorch indexes it twice, then its kernel refuses the pair)."""
        want, kind = (3, 'batched 3-D') if batched else (2, 'unbatched 2-D')
        if self.mode != 'LSTM':
            if hx.dim() != want:
                raise RuntimeError(f'For {kind} input, hx should also be {want}-D but got {hx.dim()}-D tensor')
            return hx
        if not isinstance(hx, (tuple, list)):
            if hx.dim() == 0 or hx.shape[0] < 2:
                k = min(1, hx.shape[0]) if hx.dim() else 0
                raise IndexError(f'index {k} is out of bounds for dimension 0 with size '
                                 f'{hx.shape[0] if hx.dim() else 0}')
            raise TypeError('lstm() received an invalid combination of arguments - got (Tensor, Tensor, list, bool, '
                            'int, float, bool, bool, bool), but expected one of:')
        h, c = hx
        if h.dim() != want or c.dim() != want:
            raise RuntimeError(f'For {kind} input, hx and cx should also be {want}-D but got ({h.dim()}-D, '
                               f'{c.dim()}-D) tensors')
        return tuple(hx)

    def _run(self, x, hx, lengths):
        seq, n = x.shape[0], x.shape[1]
        dirs = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        lstm = self.mode == 'LSTM'
        want_h = (self.num_layers * dirs, n, real_hidden)
        want_c = (self.num_layers * dirs, n, self.hidden_size)
        if hx is None:
            h0 = zeros(*want_h, dtype=x.dtype, device=x.device)
            c0 = zeros(*want_c, dtype=x.dtype, device=x.device) if lstm else None
        elif lstm:
            h0, c0 = hx
            _check_hidden(h0, want_h, 'Expected hidden[0] size')
            _check_hidden(c0, want_c, 'Expected hidden[1] size')
        else:
            h0, c0 = hx, None
            _check_hidden(h0, want_h, 'Expected hidden size')
        mask = None
        if lengths is not None:
            from ...ops.ranges import arange
            mask = (arange(seq, device=x.device).unsqueeze(1) < lengths.unsqueeze(0)).unsqueeze(-1)     # (L, N, 1)
        hs, cs = [], []
        layer_in = x
        fused = lstm and lengths is None and self.proj_size == 0 and x.dtype == float32
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(layer, d)
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
                    elif self.mode == 'GRU':
                        h_new, c_new = _gru_cell(proj[t], h, w_hh, b_hh), None
                    else:
                        h_new, c_new = _rnn_cell(proj[t], h, w_hh, b_hh, self.mode == 'RNN_RELU'), None
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
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_in = F.dropout(layer_in, self.dropout, True)
        h_n = stack(hs)
        return layer_in, ((h_n, stack(cs)) if lstm else h_n)


def _check_hidden(h, want, msg):
    if tuple(h.shape) != tuple(want):
        raise RuntimeError(f'{msg} {want}, got {list(h.shape)}')


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


class RNN(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__('RNN_TANH' if nonlinearity == 'tanh' else 'RNN_RELU', input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__('LSTM', input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__('GRU', input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)
