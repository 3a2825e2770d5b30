"""PyTorch's top-level functional RNN cells: ``lstm_cell``, ``gru_cell``, ``rnn_tanh_cell``,
``rnn_relu_cell`` (``(input, hx, w_ih, w_hh, b_ih=None, b_hh=None)``, batched 2-D input).

They run the same cell math as ``nn.RNNCell``/``LSTMCell``/``GRUCell`` (``nn/modules/rnn.py``):
the input projection ``linear(input, w_ih, b_ih)`` followed by one recurrence step, so their
graphs (and grad_fn names) are the modules'. Only PyTorch's argument checks live here.
"""
from .._tensor import Tensor

__all__ = ['lstm_cell', 'gru_cell', 'rnn_tanh_cell', 'rnn_relu_cell']
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
    return _lstm_cell(_proj(input, w_ih, b_ih), hx[0], hx[1], w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step; returns the new hidden state."""
    _check(input, (hx,), w_ih, w_hh)
    from ..nn.modules.rnn import _gru_cell
    return _gru_cell(_proj(input, w_ih, b_ih), hx, w_hh, b_hh)


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with tanh: ``tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""
    _check(input, (hx,), w_ih, w_hh)
    from ..nn.modules.rnn import _rnn_cell
    return _rnn_cell(_proj(input, w_ih, b_ih), hx, w_hh, b_hh, False)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One Elman RNN step with relu."""
    _check(input, (hx,), w_ih, w_hh)
    from ..nn.modules.rnn import _rnn_cell
    return _rnn_cell(_proj(input, w_ih, b_ih), hx, w_hh, b_hh, True)
