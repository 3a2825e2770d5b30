"""The APIs that draw random numbers consume the CPU stream exactly as PyTorch does: after the same
``manual_seed`` the same layer initialisations, init functions and dropout masks, and the generator
left in the same state (``get_rng_state`` bytes equal, so the same number of draws was made); and a
seeded training loop (init, dropout, DataLoader shuffle, SGD) prints PyTorch's losses.
(``same_draws`` is shared with the other test_random_consumers_* files.)"""
import warnings

import numpy as np
import pytest
import torch

import ember


def _arrays(v):
    """A flat list of float64 arrays from tensors, modules (state_dict order), and nestings."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        return [v.detach().cpu().double().numpy()]
    if isinstance(v, (torch.nn.Module, ember.nn.Module)):
        return [a for t in v.state_dict().values() for a in _arrays(t)]
    if isinstance(v, dict):
        return [a for x in v.values() for a in _arrays(x)]
    if isinstance(v, (list, tuple)):
        return [a for x in v for a in _arrays(x)]
    return [np.asarray(v, dtype=np.float64)]


def _run(lib, fn, seed):
    lib.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        out = _arrays(fn(lib))
    return out, lib.get_rng_state().numpy().tobytes()


def same_draws(fn, seed=0, tol=1e-5):
    """``fn(torch)`` and ``fn(ember)`` after ``manual_seed(seed)``: equal values (to float32
    tolerance) and the default generators left in the same state."""
    want, want_state = _run(torch, fn, seed)
    got, got_state = _run(ember, fn, seed)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=tol, atol=tol)
    assert got_state == want_state, 'a different number of draws'


LAYERS = {
    'Linear': lambda T: T.nn.Linear(5, 3),
    'Linear_nobias': lambda T: T.nn.Linear(5, 3, bias=False),
    'Linear_f64': lambda T: T.nn.Linear(40, 30, dtype=T.float64),
    'Bilinear': lambda T: T.nn.Bilinear(4, 5, 3),
    'Conv1d': lambda T: T.nn.Conv1d(3, 4, 3),
    'Conv2d_groups': lambda T: T.nn.Conv2d(4, 6, (3, 2), groups=2),
    'Conv3d': lambda T: T.nn.Conv3d(2, 4, 3),
    'ConvTranspose1d': lambda T: T.nn.ConvTranspose1d(3, 4, 3),
    'ConvTranspose2d': lambda T: T.nn.ConvTranspose2d(4, 6, 3, groups=2),
    'ConvTranspose3d': lambda T: T.nn.ConvTranspose3d(2, 3, 2),
    'Embedding': lambda T: T.nn.Embedding(10, 4, padding_idx=2),
    'EmbeddingBag': lambda T: T.nn.EmbeddingBag(10, 4),
    'RNN_bi': lambda T: T.nn.RNN(4, 5, 2, bidirectional=True),
    'LSTM_proj': lambda T: T.nn.LSTM(4, 5, 2, proj_size=3, bidirectional=True),
    'GRU': lambda T: T.nn.GRU(4, 5, 1, bias=False),
    'cells': lambda T: [T.nn.RNNCell(4, 5), T.nn.LSTMCell(4, 5), T.nn.GRUCell(4, 5)],
    'norms': lambda T: [T.nn.BatchNorm2d(4), T.nn.LayerNorm(4), T.nn.GroupNorm(2, 4), T.nn.RMSNorm(4),
                        T.nn.InstanceNorm2d(4, affine=True), T.nn.Linear(3, 2)],
    'MultiheadAttention': lambda T: T.nn.MultiheadAttention(8, 2),
    'MultiheadAttention_kv': lambda T: T.nn.MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True),
    'TransformerEncoderLayer': lambda T: T.nn.TransformerEncoderLayer(8, 2, 16),
    'Transformer': lambda T: T.nn.Transformer(8, 2, 1, 1, 16),
    'PReLU': lambda T: T.nn.PReLU(3),
    'LazyLinear': lambda T: (lambda m: (m(T.ones(2, 5)), m)[1])(T.nn.LazyLinear(3)),
    'LazyConv2d': lambda T: (lambda m: (m(T.ones(1, 3, 5, 5)), m)[1])(T.nn.LazyConv2d(4, 3)),
    'AdaptiveLogSoftmax': lambda T: T.nn.AdaptiveLogSoftmaxWithLoss(8, 20, [5, 10]),
    'reset_parameters': lambda T: (lambda m: (m.reset_parameters(), m)[1])(T.nn.Linear(5, 3)),
}


@pytest.mark.parametrize('name', LAYERS)
def test_layer_initialisation(name):
    same_draws(LAYERS[name])


def _init(name, shape, *args, generator=False, **kw):
    def fn(T):
        t = T.empty(*shape)
        if not generator:
            return getattr(T.nn.init, name)(t, *args, **kw)
        g = T.Generator().manual_seed(7)
        getattr(T.nn.init, name)(t, *args, generator=g, **kw)
        return t, g.get_state()
    return fn


INITS = {
    'uniform': _init('uniform_', (4, 5), -2, 3),
    'uniform_gen': _init('uniform_', (4, 5), generator=True),
    'normal': _init('normal_', (4, 5), 1, 2),
    'normal_gen': _init('normal_', (40,), generator=True),
    'trunc_normal': _init('trunc_normal_', (20, 30)),
    'trunc_normal_tail': _init('trunc_normal_', (10, 10), 0.0, 1.0, 1.0, 3.0),
    'trunc_normal_gen': _init('trunc_normal_', (10, 10), generator=True),
    'xavier_uniform': _init('xavier_uniform_', (4, 5), 2.0),
    'xavier_normal_gen': _init('xavier_normal_', (4, 5), generator=True),
    'kaiming_uniform': _init('kaiming_uniform_', (4, 5, 3)),
    'kaiming_normal': _init('kaiming_normal_', (4, 5, 3), mode='fan_out', nonlinearity='relu'),
    'orthogonal_wide': _init('orthogonal_', (4, 6)),
    'orthogonal_3d': _init('orthogonal_', (3, 4, 2), 2.0),
    'orthogonal_gen': _init('orthogonal_', (5, 5), generator=True),
    'sparse': _init('sparse_', (6, 4), 0.5),
    'sparse_gen': _init('sparse_', (6, 4), 0.34, generator=True),
    'eye_dirac_constant': lambda T: [T.nn.init.eye_(T.empty(3, 4)), T.nn.init.dirac_(T.empty(3, 2, 3)),
                                     T.nn.init.constant_(T.empty(2), 0.5)],
}


@pytest.mark.parametrize('name', INITS)
def test_init_functions(name):
    same_draws(INITS[name])


def _x(T, *shape):
    return T.arange(1.0, 1 + int(np.prod(shape))).reshape(shape)


def _grad(T, fn, x):
    x.requires_grad_()
    fn(x).sum().backward()
    return x.grad


F = {
    'dropout': lambda T: T.nn.functional.dropout(_x(T, 40, 50), 0.5),
    'dropout_transposed': lambda T: T.nn.functional.dropout(_x(T, 4, 5).t(), 0.3),
    'dropout_inplace_f64': lambda T: T.nn.functional.dropout(_x(T, 4, 5).double(), 0.3, inplace=True),
    'dropout_grad': lambda T: _grad(T, lambda v: T.nn.functional.dropout(v.t(), 0.4), _x(T, 3, 7)),
    'Dropout_module_p1': lambda T: [T.nn.Dropout(0.2)(_x(T, 3, 7)), T.nn.Dropout(1.0)(_x(T, 2))],
    'torch_dropout': lambda T: [T.dropout(_x(T, 4, 5).t(), 0.3, True), T.dropout_(_x(T, 4, 5), 0.3, True)],
    'native_dropout_transposed': lambda T: T.native_dropout(_x(T, 4, 5).t(), 0.3, True),
    'dropout1d': lambda T: [T.nn.functional.dropout1d(_x(T, 2, 3, 4), 0.5),
                            T.nn.functional.dropout1d(_x(T, 3, 4), 0.5)],
    'dropout2d': lambda T: [T.nn.functional.dropout2d(_x(T, 2, 3, 4, 4).transpose(0, 1), 0.5),
                            T.nn.functional.dropout2d(_x(T, 3, 4, 4), 0.5)],
    'dropout3d': lambda T: [T.nn.Dropout3d(0.4)(_x(T, 2, 3, 4, 2, 1)), T.nn.functional.dropout3d(_x(T, 3, 2, 2, 2))],
    'feature_dropout': lambda T: T.feature_dropout(_x(T, 2, 3, 4), 0.3, True),
    'alpha_dropout': lambda T: [T.nn.functional.alpha_dropout(_x(T, 4, 5).t(), 0.3, training=True),
                                T.alpha_dropout(_x(T, 4, 5).t(), 0.3, True)],
    'alpha_dropout_grad': lambda T: _grad(T, lambda v: T.nn.AlphaDropout(0.3)(v.t()), _x(T, 3, 7)),
    'feature_alpha_dropout': lambda T: [T.nn.FeatureAlphaDropout(0.3)(_x(T, 2, 3, 4, 4)),
                                        T.feature_alpha_dropout(_x(T, 2, 3, 4), 0.3, True)],
    'rrelu': lambda T: T.nn.functional.rrelu(_x(T, 40, 5) - 100, training=True),
    'rrelu_f64_bounds': lambda T: T.nn.functional.rrelu(_x(T, 4, 5).double() - 10, 0.1, 0.7, training=True),
    'rrelu_inplace_transposed': lambda T: T.nn.functional.rrelu_((_x(T, 4, 5) - 10).t(), training=True),
    'rrelu_module_grad': lambda T: _grad(T, T.nn.RReLU(), _x(T, 3, 7) - 10),
    'torch_rrelu': lambda T: T.rrelu(_x(T, 4, 5) - 10, 0.1, 0.3, True),
    'gumbel_softmax': lambda T: [T.nn.functional.gumbel_softmax(_x(T, 40, 5) / 100),
                                 T.nn.functional.gumbel_softmax(_x(T, 4, 5) / 10, tau=0.5, hard=True)],
    'lstm_dropout': lambda T: T.nn.LSTM(4, 5, 2, dropout=0.5)(_x(T, 3, 2, 4) / 10)[0],
    'gru_dropout': lambda T: T.nn.GRU(4, 5, 3, dropout=0.5, batch_first=True)(_x(T, 3, 2, 4) / 10)[0],
    'rnn_dropout_bi': lambda T: T.nn.RNN(4, 5, 2, dropout=0.5, bidirectional=True)(_x(T, 3, 2, 4) / 10)[0],
    'sdpa_dropout': lambda T: [
        T.nn.functional.scaled_dot_product_attention(_x(T, 2, 4, 17, 8) / 100, _x(T, 2, 4, 17, 8) / 200,
                                                     _x(T, 2, 4, 17, 8), dropout_p=0.2),
        T.nn.functional.scaled_dot_product_attention(_x(T, 2, 2, 5, 4) / 10, _x(T, 2, 2, 5, 4) / 20,
                                                     _x(T, 2, 2, 5, 4), is_causal=True, dropout_p=0.5)],
    'mha_dropout': lambda T: T.nn.MultiheadAttention(8, 2, dropout=0.3, kdim=5, vdim=6, add_zero_attn=True)(
        _x(T, 3, 2, 8) / 50, _x(T, 4, 2, 5) / 50, _x(T, 4, 2, 6) / 50),
    'transformer_training': lambda T: T.nn.Transformer(8, 2, 2, 2, 16)(_x(T, 3, 2, 8) / 50, _x(T, 4, 2, 8) / 50),
    'fractional_max_pool': lambda T: [
        T.nn.functional.fractional_max_pool2d(_x(T, 2, 2, 8, 8), 2, output_ratio=(0.5, 0.5), return_indices=True),
        T.nn.FractionalMaxPool3d(2, output_ratio=0.5)(_x(T, 2, 6, 6, 6)),
        T.nn.FractionalMaxPool2d(3, output_size=(4, 3))(_x(T, 2, 8, 9))],
}


@pytest.mark.parametrize('name', F)
def test_dropout_family_and_random_layers(name):
    same_draws(F[name])


def _losses(T):
    T.manual_seed(0)
    X, y = T.randn(64, 10), T.randint(0, 3, (64,))
    model = T.nn.Sequential(T.nn.Linear(10, 32), T.nn.ReLU(), T.nn.Dropout(0.3), T.nn.Linear(32, 3))
    loader = T.utils.data.DataLoader(T.utils.data.TensorDataset(X, y), batch_size=16, shuffle=True)
    opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    out = []
    while len(out) < 20:
        for xb, yb in loader:
            opt.zero_grad()
            loss = T.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            out.append(f'{loss.item():.4f}')
            if len(out) == 20:
                break
    return out


def test_seeded_training_loop_prints_torchs_losses():
    assert _losses(ember) == _losses(torch)
