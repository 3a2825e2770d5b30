"""RNNCell, LSTMCell, GRUCell: one step of the recurrences in rnn.py."""
import math

from ...ops.creation import empty, zeros
from .. import init
from ..parameter import Parameter
from .module import Module
from .rnn import _rnn_cell, _lstm_cell, _gru_cell
from .. import functional as F


class RNNCellBase(Module):
    gates = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        g = self.gates * hidden_size
        self.weight_ih = Parameter(empty(g, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(empty(g, hidden_size, device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(g, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(g, device=device, dtype=dtype))
        else:
            self.register_parameter('bias_ih', None)
            self.register_parameter('bias_hh', None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self):
        s = f'{self.input_size}, {self.hidden_size}'
        if self.bias is not True:
            s += f', bias={self.bias}'
        if getattr(self, 'nonlinearity', 'tanh') != 'tanh':
            s += f', nonlinearity={self.nonlinearity}'
        return s

    def _prepare(self, input, hx):
        if input.dim() not in (1, 2):
            raise ValueError(f'{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead')
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f'input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}')
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        n = input.shape[0]
        if hx is None:
            hx = zeros(n, self.hidden_size, dtype=input.dtype, device=input.device)
        else:
            hs = hx if isinstance(hx, tuple) else (hx,)
            hs = tuple(h if batched else h.unsqueeze(0) for h in hs)
            for h in hs:
                if h.shape[0] != n:
                    raise RuntimeError(f"Input batch size {n} doesn't match hidden0 batch size {h.shape[0]}")
            hx = hs if isinstance(hx, tuple) else hs[0]
        return input, hx, batched


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError(f'Unknown nonlinearity: {nonlinearity}')
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx)
        out = _rnn_cell(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh,
                        self.nonlinearity == 'relu')
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    gates = 4

    def forward(self, input, hx=None):
        x, hc, batched = self._prepare(input, hx)
        if not isinstance(hc, tuple):
            hc = (hc, hc)
        h, c = _lstm_cell(F.linear(x, self.weight_ih, self.bias_ih), hc[0], hc[1], self.weight_hh, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    gates = 3

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx)
        out = _gru_cell(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)
