"""PyTorch's top-level functional RNNs.

Cells: ``lstm_cell``, ``gru_cell``, ``rnn_tanh_cell``, ``rnn_relu_cell``
(``(input, hx, w_ih, w_hh, b_ih=None, b_hh=None)``, batched 2-D input).

They run the same cell math as ``nn.RNNCell``/``LSTMCell``/``GRUCell`` (``nn/modules/rnn.py``):
the input projection ``linear(input, w_ih, b_ih)`` followed by one recurrence step, so their
graphs (and grad_fn names) are the modules'. Only PyTorch's argument checks live here.
"""
from .._tensor import Tensor

__all__ = ['lstm_cell', 'gru_cell', 'rnn_tanh_cell', 'rnn_relu_cell', 'lstm', 'gru', 'rnn_tanh', 'rnn_relu']
METHODS = {}


def _check(input, hxs, w_ih, w_hh):
    """PyTorch's checks of a cell's input and hidden states against its weights."""
    if input.dim() < 2:
        d = max(input.dim(), 1)
        raise IndexError(f'Dimension out of range (expected to be in range of [{-d}, {d - 1}], but got 1)')
    if input.shape[1] != w_ih.shape[1]:
        raise RuntimeError(f'input has inconsistent input_size: got {input.shape[1]} expected {w_ih.shape[1]}')
    hidden = w_hh.shape[1]
    for i, h in enumerate(hxs):
        if h.dim() < 2:
            d = max(h.dim(), 1)
            raise IndexError(f'Dimension out of range (expected to be in range of [{-d}, {d - 1}], but got 1)')
        if h.shape[0] != input.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden{i} batch size {h.shape[0]}")
        if h.shape[1] != hidden:
            raise RuntimeError(f'hidden{i} has inconsistent hidden_size: got {h.shape[1]}, expected {hidden}')


def _proj(input, w_ih, b_ih):
    from ..nn import functional as F
    return F.linear(input, w_ih, b_ih)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: ``hx = (h, c)``; returns the new ``(h, c)``."""
    if not isinstance(hx, (tuple, list)) or not all(isinstance(h, Tensor) for h in hx):
        raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not {type(hx).__name__}")
    if len(hx) != 2:
        raise RuntimeError('lstm_cell expects two hidden states')
    _check(input, hx, w_ih, w_hh)
    from ..nn.modules.rnn import _lstm_cell
    return _lstm_cell(lambda: _proj(input, w_ih, b_ih), hx[0], hx[1], w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step; returns the new hidden state."""
    _check(input, (hx,), w_ih, w_hh)
    from ..nn.modules.rnn import _gru_cell
    return _gru_cell(_proj(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with tanh: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    _check(input, (hx,), w_ih, w_hh)
    from ..nn.modules.rnn import _rnn_cell
    return _rnn_cell(lambda: _proj(input, w_ih, b_ih), hx, w_hh, b_hh, False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with relu."""
    _check(input, (hx,), w_ih, w_hh)
    from ..nn.modules.rnn import _rnn_cell
    return _rnn_cell(lambda: _proj(input, w_ih, b_ih), hx, w_hh, b_hh, True)


# ---- whole sequences ------------------------------------------------------------------------------
# Sequences: ``lstm``, ``gru``, ``rnn_tanh``, ``rnn_relu``, each with its two overloads:
#
#     lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
#     lstm(data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional)
#
# ``params`` is the flat weight list of ``nn.LSTM``/``GRU``/``RNN`` (per layer and direction:
# ``w_ih, w_hh[, b_ih, b_hh][, w_hr]``); an LSTM has projections when ``hx[0]`` and ``hx[1]``
# differ in their last size. The recurrence itself is the modules' (``RNNBase._run`` in
# ``nn/modules/rnn.py``), run on a small record of these options; only PyTorch's argument
# handling and checks live here.

_GATES = {'LSTM': 4, 'GRU': 3, 'RNN_TANH': 1, 'RNN_RELU': 1}
_PLAIN = ('input', 'hx', 'params', 'has_biases', 'num_layers', 'dropout', 'train', 'bidirectional',
          'batch_first')
_PACKED = ('data', 'batch_sizes', 'hx', 'params', 'has_biases', 'num_layers', 'dropout', 'train',
           'bidirectional')


class _Stack:
    """The options ``RNNBase._run`` reads from a module, filled from the functional arguments."""

    def __init__(self, mode, groups, num_layers, dropout, train, bidirectional, proj):
        self.mode, self.num_layers, self.bidirectional = mode, num_layers, bidirectional
        self.dropout, self.training, self._groups = dropout, train, groups
        self.hidden_size = groups[0][1].shape[0] // _GATES[mode]
        self.proj_size = groups[0][-1].shape[0] if proj else 0
        self._proj = proj

    def _weights(self, layer, d):
        g = self._groups[layer * (2 if self.bidirectional else 1) + d]
        w_hr = g[-1] if self._proj else None
        w = g[:-1] if self._proj else g
        return (w[0], w[1], w[2], w[3], w_hr) if len(w) == 4 else (w[0], w[1], None, None, w_hr)


def _type_name(v):
    return 'Tensor' if isinstance(v, Tensor) else type(v).__name__


def _bad_args(name, args, kwargs):
    got = ', '.join([_type_name(a) for a in args] + [f'{k}={_type_name(v)}' for k, v in kwargs.items()])
    return TypeError(f'{name}() received an invalid combination of arguments - got ({got}), but expected one of:')


def _parse(name, mode, args, kwargs):
    """Pick the overload (plain or packed) and bind the arguments to its names."""
    packed = 'batch_sizes' in kwargs or 'data' in kwargs
    if not packed and not ('hx' in kwargs or 'params' in kwargs):
        k = 1 if mode == 'LSTM' else 2                  # where plain has `hx`/`params`, packed has a Tensor
        packed = len(args) > k and isinstance(args[k], Tensor)
    names = _PACKED if packed else _PLAIN
    if len(args) > len(names) or any(k not in names for k in kwargs) or \
            any(n in kwargs for n in names[:len(args)]) or len(args) + len(kwargs) != len(names):
        raise _bad_args(name, args, kwargs)
    bound = dict(zip(names, args), **kwargs)
    hx, params = bound['hx'], bound['params']
    hx_ok = (isinstance(hx, (tuple, list)) and all(isinstance(h, Tensor) for h in hx)) if mode == 'LSTM' \
        else isinstance(hx, Tensor)
    ok = hx_ok and isinstance(params, (tuple, list)) and all(isinstance(p, Tensor) for p in params) and \
        isinstance(bound['num_layers'], int) and isinstance(bound['dropout'], (int, float)) and \
        all(isinstance(bound[f], bool) for f in ('has_biases', 'train', 'bidirectional')) and \
        isinstance(bound['data' if packed else 'input'], Tensor) and \
        (not packed or isinstance(bound['batch_sizes'], Tensor)) and \
        (packed or isinstance(bound['batch_first'], bool))
    if not ok:
        raise _bad_args(name, args, kwargs)
    return packed, bound


def _groups(mode, params, has_biases, proj):
    step = (4 if has_biases else 2) + (1 if proj else 0)
    if len(params) % step:
        if mode == 'LSTM' and not proj:
            raise RuntimeError(f'MatrixRef: ArrayRef size {len(params)} not divisible by stride {step}')
        raise RuntimeError('got an incorrect number of RNN parameters')
    return [tuple(params[i:i + step]) for i in range(0, len(params), step)]


def _run(name, mode, args, kwargs):
    from ..nn.modules.rnn import RNNBase
    from .linalg_ops import _scalar_name
    packed, b = _parse(name, mode, args, kwargs)
    lstm = mode == 'LSTM'
    hx = tuple(b['hx']) if lstm else b['hx']
    if lstm and len(hx) != 2:
        raise RuntimeError('lstm expects two hidden states')
    h0 = hx[0] if lstm else hx
    proj = lstm and h0.dim() > 0 and hx[1].dim() > 0 and h0.shape[-1] != hx[1].shape[-1]
    groups = _groups(mode, b['params'], b['has_biases'], proj)
    layers, bidir, dropout, train = b['num_layers'], b['bidirectional'], b['dropout'], b['train']
    n_hidden = min(h.shape[0] if h.dim() else 0 for h in (hx if lstm else (hx,)))
    if bidir and (len(groups) % 2 or n_hidden % 2):
        raise RuntimeError('Odd number of params or hiddens given to a bidirectional RNN')
    dirs = 2 if bidir else 1
    if n_hidden != layers * dirs:
        raise RuntimeError('Expected more hidden states in stacked_rnn')
    if len(groups) != layers * dirs:
        raise RuntimeError('Expected more weights in stacked_rnn')
    if train and layers > 1 and not 0 <= dropout <= 1:      # checked where dropout would run
        raise RuntimeError(f'dropout probability has to be between 0 and 1, but got {dropout:g}')
    x = b['data'] if packed else b['input']
    w_ih = groups[0][0]
    for t in (x, h0):
        if t.dtype != w_ih.dtype:
            raise RuntimeError(f'mat1 and mat2 must have the same dtype, but got {_scalar_name(t.dtype)} and '
                               f'{_scalar_name(w_ih.dtype)}')
    if lstm:
        hx = (hx[0][:n_hidden], hx[1][:n_hidden]) if hx[0].shape[0] != hx[1].shape[0] else hx
    spec = _Stack(mode, groups, layers, float(dropout), train, bidir, proj)
    if packed:
        return _run_packed(RNNBase, spec, x, b['batch_sizes'], hx)
    batch_first = b['batch_first']
    if x.dim() == 2:                          # one unbatched sequence (L, I): hx is (layers, H)
        return _run_unbatched(RNNBase, spec, x, hx, batch_first)
    if x.dim() != 3:
        raise RuntimeError(f'rnn: expected input to be 2-D or 3-D, but got {x.dim()}-D tensor')
    if batch_first:
        x = x.transpose(0, 1)
    if x.shape[0] == 0:
        raise RuntimeError('Expected sequence length to be larger than 0 in RNN')
    out, hidden = RNNBase._run(spec, x, hx, None)
    if batch_first:
        out = out.transpose(0, 1) if lstm else out.transpose_(0, 1)
    return (out,) + tuple(hidden) if lstm else (out, hidden)


def _run_unbatched(RNNBase, spec, x, hx, batch_first):
    """PyTorch's kernels run a 2-D input as one sequence; its LSTM and batch_first paths refuse it."""
    lstm = spec.mode == 'LSTM'
    if lstm or batch_first:
        d = 2 if lstm else 1
        raise IndexError(f'Dimension out of range (expected to be in range of [{-d}, {d - 1}], but got {d})')
    if hx.dim() != 2:
        raise IndexError(f'Dimension out of range (expected to be in range of [-{hx.dim()}, {hx.dim() - 1}], '
                         f'but got {hx.dim()})')
    if x.shape[0] == 0:
        raise RuntimeError('Expected sequence length to be larger than 0 in RNN')
    out, hidden = RNNBase._run(spec, x.unsqueeze(1), hx.unsqueeze(1), None)
    return out.squeeze(1), hidden.squeeze(1)


def _run_packed(RNNBase, spec, data, batch_sizes, hx):
    """Packed rows: pad them, run with the sequence lengths as masks, pack the output again."""
    from ..nn.utils.rnn import PackedSequence, pad_packed_sequence, pack_padded_sequence
    from .embedding import renamed_node
    x, lengths = pad_packed_sequence(PackedSequence(data, batch_sizes))
    out, hidden = RNNBase._run(spec, x, hx, lengths.to(x.device))
    out = renamed_node(pack_padded_sequence(out, lengths).data, 'CatBackward0')   # (torch's node for RNN output)
    return (out,) + tuple(hidden) if spec.mode == 'LSTM' else (out, hidden)


def lstm(*args, **kwargs):
    """A stacked LSTM over a sequence; returns ``(output, h_n, c_n)``."""
    return _run('lstm', 'LSTM', args, kwargs)


def gru(*args, **kwargs):
    """A stacked GRU over a sequence; returns ``(output, h_n)``."""
    return _run('gru', 'GRU', args, kwargs)


def rnn_tanh(*args, **kwargs):
    """A stacked Elman RNN with tanh over a sequence; returns ``(output, h_n)``."""
    return _run('rnn_tanh', 'RNN_TANH', args, kwargs)


def rnn_relu(*args, **kwargs):
    """A stacked Elman RNN with relu over a sequence; returns ``(output, h_n)``."""
    return _run('rnn_relu', 'RNN_RELU', args, kwargs)
