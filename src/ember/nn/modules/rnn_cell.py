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

    def _check_input(self, input):
        if input.dim() not in (1, 2):
            raise ValueError(f'{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead')

    def _check_sizes(self, input, hs):
        # input is 2-D here; mirrors the checks of torch's *_cell kernels (input first, then each hidden)
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f'input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}')
        n = input.shape[0]
        for i, h in enumerate(hs):
            if h.shape[0] != n:
                raise RuntimeError(f"Input batch size {n} doesn't match hidden{i} batch size {h.shape[0]}")
            if h.dim() < 2:
                raise IndexError('Dimension out of range (expected to be in range of [-1, 0], but got 1)')
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f'hidden{i} has inconsistent hidden_size: got {h.shape[1]}, '
                                   f'expected {self.hidden_size}')

    def _prepare(self, input, hx):
        """Single-hidden cells (RNNCell, GRUCell): returns (2-D input, 2-D hx, batched)."""
        self._check_input(input)
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f'{type(self).__name__}: Expected hidden to be 1D or 2D, got {hx.dim()}D instead')
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = zeros(input.shape[0], self.hidden_size, dtype=input.dtype, device=input.device)
        elif not batched:
            hx = hx.unsqueeze(0)
        self._check_sizes(input, (hx,))
        return input, hx, batched


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError(f'Unknown nonlinearity: {nonlinearity}')
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, device, dtype)

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx)
        out = _rnn_cell(lambda: F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh,
                        self.nonlinearity == 'relu')
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    gates = 4

    def forward(self, input, hx=None):
        self._check_input(input)
        if hx is not None:
            for i, v in enumerate(hx):
                if v.dim() not in (1, 2):
                    raise ValueError(f'LSTMCell: Expected hx[{i}] to be 1D or 2D, got {v.dim()}D instead')
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            z = zeros(x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)
            hc = (z, z)
        elif not batched:
            hc = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        elif not isinstance(hx, (tuple, list)):
            raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, "
                            f"not {type(hx).__name__}")
        else:
            hc = hx
        if len(hc) != 2:
            raise RuntimeError('lstm_cell expects two hidden states')
        self._check_sizes(x, hc)
        h, c = _lstm_cell(lambda: F.linear(x, self.weight_ih, self.bias_ih), hc[0], hc[1], self.weight_hh,
                          self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    gates = 3

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx)
        out = _gru_cell(F.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)
