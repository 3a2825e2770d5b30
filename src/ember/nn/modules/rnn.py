"""Recurrent layers: RNN, LSTM, GRU (layers, bidirectional, batch_first, dropout, proj_size,
packed sequences), with PyTorch's argument checks (``check_input``, ``check_forward_args``, ...)
as overridable methods. The recurrence itself is in rnn_loop.py."""
import math
import numbers
import warnings

from ...ops.creation import empty, zeros
from ...amp import autocast_mode as _amp
from .. import init
from ..parameter import Parameter
from .module import Module
from .rnn_loop import run_stack, _rnn_cell, _lstm_cell, _gru_cell  # noqa: F401  (the cells, for rnn_cell.py)

_GATES = {'RNN_TANH': 1, 'RNN_RELU': 1, 'LSTM': 4, 'GRU': 3}


class RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError('dropout should be a number in range [0, 1] representing the probability of an '
                             'element being zeroed')
        if dropout > 0 and num_layers == 1:
            warnings.warn('dropout option adds dropout after all but last recurrent layer, so non-zero dropout '
                          f'expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}',
                          stacklevel=2)
        for name, value, kind in (('bias', bias, bool), ('batch_first', batch_first, bool),
                                  ('input_size', input_size, int), ('hidden_size', hidden_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f'{name} should be of type {kind.__name__}, got: {type(value).__name__}')
            if kind is int and value <= 0:
                raise ValueError(f'{name} must be greater than zero')
        if num_layers <= 0:
            raise ValueError('num_layers must be greater than zero')
        if proj_size < 0:
            raise ValueError('proj_size should be a positive integer or zero to disable projections')
        if proj_size >= hidden_size:
            raise ValueError('proj_size has to be smaller than hidden_size')
        if mode not in _GATES:
            raise ValueError('Unrecognized RNN mode: ' + mode)
        gate = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names, self._all_weights = [], []
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
                self._flat_weights_names.extend(n for n, _ in names)
                self._all_weights.append([n for n, _ in names])
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    @property
    def _flat_weights(self):
        """The parameters in PyTorch's flat order (per layer and direction: w_ih, w_hh[, b_ih, b_hh][, w_hr]),
        read from the module each time, so it follows ``.to()``, ``load_state_dict`` and reassignment."""
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        """One list of parameters per layer and direction, as PyTorch."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self):
        """PyTorch packs the weights into one cuDNN buffer here; ember's recurrence reads the
        parameters directly, so there is nothing to do (as PyTorch on the CPU)."""
        return None

    # ---- PyTorch's argument checks, called by forward (subclasses may override them)
    def check_input(self, input, batch_sizes):
        w = getattr(self, self._flat_weights_names[0])
        if input.dtype != w.dtype and not _amp.state.on:       # (autocast casts for the products)
            raise ValueError(f'RNN input dtype ({input.dtype}) does not match weight dtype ({w.dtype}). Convert '
                             f'input: input.to({w.dtype}), or convert model: model.to({input.dtype})')
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f'input must have {expected} dimensions, got {input.dim()}')
        if self.input_size != input.size(-1):
            raise RuntimeError(f'input.size(-1) must be equal to input_size. Expected {self.input_size}, '
                               f'got {input.size(-1)}')

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        dirs = 2 if self.bidirectional else 1
        return (self.num_layers * dirs, mini_batch, self.proj_size if self.proj_size > 0 else self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size, msg='Expected hidden size {}, got {}'):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        return hx if permutation is None else hx.index_select(1, permutation)

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

    _run = run_stack            # (self, x, hx, lengths); ember.lstm & co. call it with their own record

    def _zero_state(self, x, n):
        dirs = 2 if self.bidirectional else 1
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        h = zeros(self.num_layers * dirs, n, real_hidden, dtype=x.dtype, device=x.device)
        if self.mode != 'LSTM':
            return h
        return h, zeros(self.num_layers * dirs, n, self.hidden_size, dtype=x.dtype, device=x.device)

    def forward(self, input, hx=None):
        from ..utils.rnn import PackedSequence
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if input.dim() not in (2, 3):
            name, what = ('RNN', ' tensor') if self.mode.startswith('RNN') else (self.mode, '')
            raise ValueError(f'{name}: Expected input to be 2D or 3D, got {input.dim()}D{what} instead')
        batched = input.dim() == 3
        x = input
        if hx is not None:
            hx = self._check_hx_dims(hx, batched)
        if not batched:
            x = x.unsqueeze(0 if self.batch_first else 1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if isinstance(hx, tuple) else hx.unsqueeze(1)
        if hx is None:
            hx = self._zero_state(x, x.shape[0 if self.batch_first else 1])
        self.check_forward_args(x, hx, None)
        if x.shape[1 if self.batch_first else 0] == 0:
            raise RuntimeError('Expected sequence length to be larger than 0 in RNN')
        out, hidden = self._run(x.transpose(0, 1) if self.batch_first else x, hx, None)
        if self.batch_first:        # PyTorch's RNN and GRU transpose their fresh output in place
            out = out.transpose(0, 1) if self.mode == 'LSTM' else out.transpose_(0, 1)
        if not batched:
            out = out.squeeze(0 if self.batch_first else 1)
            hidden = tuple(h.squeeze(1) for h in hidden) if isinstance(hidden, tuple) else hidden.squeeze(1)
        return out, hidden

    def _forward_packed(self, input, hx):
        """As PyTorch: the initial and final states are in the user's order (``permute_hidden``), the
        rows run through the packed overload of ``ember.lstm``/``gru``/``rnn_*`` (whose own checks are
        all a packed LSTM gets: PyTorch skips ``check_forward_args`` there)."""
        from ..utils.rnn import PackedSequence
        from ...ops import rnn_toplevel
        data, batch_sizes, sorted_idx, unsorted_idx = input
        if hx is None:
            hx = self._zero_state(data, int(batch_sizes[0]))
        else:
            hx = self.permute_hidden(hx, sorted_idx)
        if self.mode != 'LSTM':
            self.check_forward_args(data, hx, batch_sizes)
        elif data.dim() == 2 and data.shape[1] != self.input_size:    # the kernel's first product, on the rows
            w = self._flat_weights[0]
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({data.shape[0]}x{data.shape[1]} and '
                               f'{w.shape[1]}x{w.shape[0]})')
        run = getattr(rnn_toplevel, self.mode.lower())
        out = run(data, batch_sizes, hx, self._flat_weights, self.bias, self.num_layers, self.dropout, self.training,
                  self.bidirectional)
        hidden = out[1:] if self.mode == 'LSTM' else out[1]
        return PackedSequence(out[0], batch_sizes, sorted_idx, unsorted_idx), self.permute_hidden(hidden, unsorted_idx)

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


_NO_PROJ = 'proj_size argument is only supported for LSTM, not RNN or GRU'


def _no_extra(kwargs, proj=True):
    """PyTorch's RNN/GRU refuse ``proj_size`` by name; other unknown names fail in RNNBase."""
    if proj and 'proj_size' in kwargs:
        raise ValueError(_NO_PROJ)
    if kwargs:
        raise TypeError(f"RNNBase.__init__() got an unexpected keyword argument '{next(iter(kwargs))}'")


class RNN(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None, **kwargs):
        _no_extra(kwargs)
        if nonlinearity not in ('tanh', 'relu'):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__('RNN_TANH' if nonlinearity == 'tanh' else 'RNN_RELU', input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None, **kwargs):
        _no_extra(kwargs, proj=False)
        super().__init__('LSTM', input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               'Expected hidden[0] size {}, got {}')
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               'Expected hidden[1] size {}, got {}')

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)


class GRU(RNNBase):
    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None, **kwargs):
        _no_extra(kwargs)
        super().__init__('GRU', input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)


for _cls in (RNN, LSTM, GRU):           # PyTorch's layers pass their arguments on to RNNBase.__init__,
    _cls.__init__.__qualname__ = 'RNNBase.__init__'     # which names itself in a missing-argument TypeError
