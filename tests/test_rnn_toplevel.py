"""torch.lstm_cell / gru_cell / rnn_tanh_cell / rnn_relu_cell against PyTorch: values, grad_fn
names, gradients, gradcheck and gradgradcheck, errors.
(gradgradcheck on one case per cell: the others share its graph.)"""
import pytest

from helpers import case, check, check_error

N, I, H = 2, 3, 2


def lstm(T, x, h, c, wi, wh, bi, bh):
    return T.lstm_cell(x, (h, c), wi, wh, bi, bh)


CASES = [
    case('lstm', lstm, [(N, I), (N, H), (N, H), (4 * H, I), (4 * H, H), (4 * H,), (4 * H,)]),
    case('lstm-nobias', lambda T, x, h, c, wi, wh: T.lstm_cell(x, (h, c), wi, wh),
         [(N, I), (N, H), (N, H), (4 * H, I), (4 * H, H)], gradgrad=False),
    case('lstm-list-hx', lambda T, x, h, c, wi, wh: T.lstm_cell(x, [h, c], wi, wh),
         [(N, I), (N, H), (N, H), (4 * H, I), (4 * H, H)], gradgrad=False),
    case('gru', lambda T, x, h, wi, wh, bi, bh: T.gru_cell(x, h, wi, wh, bi, bh),
         [(N, I), (N, H), (3 * H, I), (3 * H, H), (3 * H,), (3 * H,)]),
    case('gru-ih-bias-only', lambda T, x, h, wi, wh, bi: T.gru_cell(x, h, wi, wh, bi),
         [(N, I), (N, H), (3 * H, I), (3 * H, H), (3 * H,)], gradgrad=False),
    case('rnn-tanh', lambda T, x, h, wi, wh, bi, bh: T.rnn_tanh_cell(x, h, wi, wh, bi, bh),
         [(N, I), (N, H), (H, I), (H, H), (H,), (H,)]),
    case('rnn-tanh-none-bias', lambda T, x, h, wi, wh: T.rnn_tanh_cell(x, h, wi, wh, None, None),
         [(N, I), (N, H), (H, I), (H, H)], gradgrad=False),
    case('rnn-relu', lambda T, x, h, wi, wh, bi, bh: T.rnn_relu_cell(x, h, wi, wh, bi, bh),
         [(N, I), (N, H), (H, I), (H, H), (H,), (H,)]),
    case('rnn-relu-noncontig', lambda T, x, h, wi, wh: T.rnn_relu_cell(x.t(), h, wi, wh),
         [(I, N), (N, H), (H, I), (H, H)], gradgrad=False),
    case('rnn-tanh-empty-batch', lambda T, x, h, wi, wh: T.rnn_tanh_cell(x, h, wi, wh),
         [(0, I), (0, H), (H, I), (H, H)], gradgrad=False),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_cells_match_torch(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    case('lstm-hx-tensor', lambda T, x, h, wi, wh: T.lstm_cell(x, h, wi, wh),
         [(N, I), (N, H), (4 * H, I), (4 * H, H)]),
    case('lstm-one-state', lambda T, x, h, wi, wh: T.lstm_cell(x, (h,), wi, wh),
         [(N, I), (N, H), (4 * H, I), (4 * H, H)]),
    case('lstm-unbatched', lambda T, x, h, wi, wh: T.lstm_cell(x, (h, h), wi, wh),
         [(I,), (H,), (4 * H, I), (4 * H, H)]),
    case('lstm-input-size', lambda T, x, h, wi, wh: T.lstm_cell(x, (h, h), wi, wh),
         [(N, I), (N, H), (4 * H, I + 1), (4 * H, H)]),
    case('rnn-batch', lambda T, x, h, wi, wh: T.rnn_tanh_cell(x, h, wi, wh),
         [(N, I), (N + 1, H), (H, I), (H, H)]),
    case('gru-unbatched', lambda T, x, h, wi, wh: T.gru_cell(x, h, wi, wh),
         [(I,), (H,), (3 * H, I), (3 * H, H)]),
    case('relu-hidden-size', lambda T, x, h, wi, wh: T.rnn_relu_cell(x, h, wi, wh),
         [(N, I), (N, H + 1), (H, I), (H, H)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_cell_errors_match_torch(fn, specs, kw):
    check_error(fn, specs, **kw)
