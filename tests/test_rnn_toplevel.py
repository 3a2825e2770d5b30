"""torch.lstm_cell / gru_cell / rnn_tanh_cell / rnn_relu_cell against PyTorch: values, grad_fn
names, gradients, gradcheck and gradgradcheck, errors.
(gradgradcheck on one case per cell: the others share its graph.)"""
import numpy as np
import pytest

pytestmark = pytest.mark.filterwarnings('ignore:LSTM with projections')

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


# ---- whole sequences: torch.lstm / gru / rnn_tanh / rnn_relu (plain and packed overloads) ----

L, G = 3, {'lstm': 4, 'gru': 3, 'rnn_tanh': 1, 'rnn_relu': 1}


def _seq_specs(kind, x_shape, layers=1, dirs=1, bias=True, proj=0, batch=N):
    """Specs for (x, h[, c], *params) of a stacked RNN in nn.LSTM's flat weight order."""
    rh = proj or H
    specs = [x_shape, (layers * dirs, batch, rh)] + ([(layers * dirs, batch, H)] if kind == 'lstm' else [])
    for layer in range(layers):
        for _ in range(dirs):
            ins = I if layer == 0 else rh * dirs
            specs += [(G[kind] * H, ins), (G[kind] * H, rh)] + ([(G[kind] * H,), (G[kind] * H,)] if bias else [])
            specs += [(proj, H)] if proj else []
    return specs


def seq(kind, *flags, x_shape=(L, N, I), **kw):
    """torch.<kind>(input, hx, params, *flags) with the specs that fit; flags default to
    has_biases, 1 layer, no dropout, eval, one direction, time-major."""
    has_biases, layers, dropout, train, bidir, batch_first = flags or (True, 1, 0.0, False, False, False)
    specs = _seq_specs(kind, x_shape, layers, 2 if bidir else 1, has_biases, **kw)
    nh = 2 if kind == 'lstm' else 1

    def fn(T, x, *rest):
        hx = tuple(rest[:nh]) if kind == 'lstm' else rest[0]
        return getattr(T, kind)(x, hx, list(rest[nh:]), has_biases, layers, dropout, train, bidir, batch_first)
    return fn, specs


def packed(kind, bidir=False, layers=1, proj=0):
    """torch.<kind>(data, batch_sizes, hx, params, ...) on 3 sequences of lengths 3, 2, 1."""
    specs = _seq_specs(kind, (6, I), layers, 2 if bidir else 1, True, proj, batch=3)
    specs.insert(1, np.array([3, 2, 1]))
    nh = 2 if kind == 'lstm' else 1

    def fn(T, data, bs, *rest):
        hx = tuple(rest[:nh]) if kind == 'lstm' else rest[0]
        return getattr(T, kind)(data, bs, hx, tuple(rest[nh:]), True, layers, 0.0, False, bidir)
    return fn, specs


def scase(id_, made, **kw):
    return case(id_, made[0], made[1], **kw)


SEQ_CASES = [
    scase('lstm', seq('lstm'), gradgrad=False),      # (the fused layer's double backward: test_nn_rnn)
    scase('gru', seq('gru'), gradgrad=False),
    scase('rnn-tanh', seq('rnn_tanh')),
    scase('rnn-relu', seq('rnn_relu'), gradgrad=False),
    scase('lstm-2layer-bidir', seq('lstm', True, 2, 0.0, False, True, False), gradgrad=False),
    scase('gru-bidir', seq('gru', True, 1, 0.0, False, True, False), gradgrad=False),
    scase('rnn-tanh-2layer', seq('rnn_tanh', True, 2, 0.0, False, False, False), gradgrad=False),
    scase('lstm-nobias', seq('lstm', False, 1, 0.0, False, False, False), gradgrad=False),
    scase('gru-nobias', seq('gru', False, 1, 0.0, False, False, False), gradgrad=False),
    scase('lstm-batch-first', seq('lstm', True, 1, 0.0, False, False, True, x_shape=(N, L, I)), gradgrad=False),
    scase('gru-batch-first', seq('gru', True, 1, 0.0, False, False, True, x_shape=(N, L, I)), gradgrad=False),
    scase('rnn-relu-batch-first', seq('rnn_relu', True, 1, 0.0, False, False, True, x_shape=(N, L, I)),
          gradgrad=False),
    scase('lstm-proj', seq('lstm', proj=1), gradgrad=False),
    scase('lstm-proj-nobias-bidir', seq('lstm', False, 1, 0.0, False, True, False, proj=1), gradgrad=False),
    scase('gru-train-dropout0', seq('gru', True, 2, 0.0, True, False, False), gradgrad=False),
    scase('rnn-tanh-train-dropout1', seq('rnn_tanh', True, 2, 1.0, True, False, False), gradgrad=False),
    scase('gru-eval-dropout-ignored', seq('gru', True, 2, 0.7, False, False, False), gradgrad=False),
    scase('rnn-tanh-empty-batch', seq('rnn_tanh', x_shape=(L, 0, I), batch=0), gradgrad=False),
    scase('lstm-packed', packed('lstm'), gradgrad=False),
    scase('gru-packed', packed('gru'), gradgrad=False),
    scase('rnn-tanh-packed-bidir', packed('rnn_tanh', bidir=True), gradgrad=False),
    scase('lstm-packed-2layer-bidir', packed('lstm', bidir=True, layers=2), gradgrad=False, gradcheck=False),
    scase('lstm-packed-proj', packed('lstm', proj=1), gradgrad=False),
]


@pytest.mark.parametrize('fn,specs,kw', SEQ_CASES)
def test_sequences_match_torch(fn, specs, kw):
    check(fn, specs, **kw)


def test_sequence_float64_and_keywords():
    import ember
    import torch
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in _seq_specs('gru', (L, N, I))]
    for lib in (torch, ember):
        x, h, *ps = [lib.tensor(a) for a in arrays]
        out, hn = lib.gru(input=x, hx=h, params=ps, has_biases=True, num_layers=1, dropout=0.0, train=False,
                          bidirectional=False, batch_first=False)
        if lib is torch:
            want = out.numpy(), hn.numpy(), out.dtype
        else:
            np.testing.assert_allclose(out.numpy(), want[0], rtol=1e-10)
            np.testing.assert_allclose(hn.numpy(), want[1], rtol=1e-10)
            assert str(out.dtype)[-7:] == str(want[2])[-7:]


def _e(kind, mutate, flags=(True, 1, 0.0, False, False, False), x_shape=(L, N, I), **kw):
    """An error case: `mutate(x, hx, params)` returns the arguments actually passed."""
    fn, specs = seq(kind, *flags, x_shape=x_shape, **kw)
    nh = 2 if kind == 'lstm' else 1

    def bad(T, x, *rest):
        hx = tuple(rest[:nh]) if kind == 'lstm' else rest[0]
        x, hx, ps = mutate(x, hx, list(rest[nh:]))
        return getattr(T, kind)(x, hx, ps, *flags)
    return bad, specs


SEQ_ERRORS = [
    scase('lstm-params-count', _e('lstm', lambda x, h, p: (x, h, p[:3]))),
    scase('gru-params-count', _e('gru', lambda x, h, p: (x, h, p[:3]))),
    scase('gru-too-many-weights', _e('gru', lambda x, h, p: (x, h, p + p))),
    scase('gru-too-many-layers', _e('gru', lambda x, h, p: (x, h[:1], p[:4]), (True, 2, 0.0, False, False, False))),
    scase('gru-hx-layers', _e('gru', lambda x, h, p: (x, h.repeat(2, 1, 1), p))),
    scase('lstm-hx-tensor', _e('lstm', lambda x, h, p: (x, h[0], p)), message='first_line'),
    scase('lstm-hx-one', _e('lstm', lambda x, h, p: (x, h[:1], p))),
    scase('gru-hx-tuple', _e('gru', lambda x, h, p: (x, (h,), p)), message='first_line'),
    scase('gru-params-tensor', _e('gru', lambda x, h, p: (x, h, p[0])), message='first_line'),
    scase('bidir-odd', _e('gru', lambda x, h, p: (x, h[:1], p[:4]), (True, 1, 0.0, False, True, False))),
    scase('bidir-odd-hidden', _e('gru', lambda x, h, p: (x, h[:1], p), (True, 1, 0.0, False, True, False))),
    scase('no-bias-flag-with-biases', _e('rnn_tanh', lambda x, h, p: (x, h, p + p),
                                        (False, 1, 0.0, False, False, False))),
    scase('dropout-range', _e('gru', lambda x, h, p: (x, h, p), (True, 2, 2.0, True, False, False))),
    scase('dropout-negative', _e('lstm', lambda x, h, p: (x, h, p), (True, 2, -1.0, True, False, False))),
    scase('empty-seq', _e('gru', lambda x, h, p: (x[:0], h, p))),
    scase('lstm-empty-seq', _e('lstm', lambda x, h, p: (x[:0], h, p))),
    scase('input-dtype', _e('gru', lambda x, h, p: (x.double(), h, p))),
    scase('hx-dtype', _e('rnn_relu', lambda x, h, p: (x, h.double(), p))),
    scase('lstm-unbatched', _e('lstm', lambda x, h, p: (x[:, 0], (h[0][:, 0], h[1][:, 0]), p))),
    scase('input-size', _e('gru', lambda x, h, p: (x.repeat(1, 1, 2), h, p))),
]


@pytest.mark.parametrize('fn,specs,kw', SEQ_ERRORS)
def test_sequence_errors_match_torch(fn, specs, kw):
    check_error(fn, specs, **kw)
