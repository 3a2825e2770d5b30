"""Survey-3 fixes in nn modules, each against PyTorch: RNNBase's public checks and helpers
(flatten_parameters, check_input, check_forward_args, permute_hidden, _flat_weights, ...),
RNN/GRU constructor errors, EmbeddingBag.from_pretrained, PackedSequence conversions,
pad_sequence errors, Module.to(complex), load_state_dict messages, activation reprs,
Unflatten checks and ConvTranspose output_size messages."""
import warnings

import numpy as np
import pytest
import torch

import ember


class _Close:
    """Tensor values, equal when close (float32 sums may differ in the last bits)."""

    def __init__(self, a):
        self.a = np.asarray(a, dtype=np.float64)

    def __eq__(self, other):
        return self.a.shape == other.a.shape and np.allclose(self.a, other.a, rtol=1e-5, atol=1e-6, equal_nan=True)

    def __repr__(self):
        return repr(self.a.tolist())


def _norm(v):
    """A comparable picture of a result: tensors by shape, dtype and values."""
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        return ('T', tuple(v.shape), str(v.dtype).split('.')[-1], _Close(v.detach().cpu().numpy()), v.requires_grad)
    if isinstance(v, (list, tuple)) and not isinstance(v, (torch.Size, ember.Size)):
        return (type(v).__name__, [_norm(x) for x in v])
    if isinstance(v, (torch.dtype, ember.dtype)):
        return str(v).split('.')[-1]
    if isinstance(v, str):
        return v.replace('torch', 'ember')
    if isinstance(v, (torch.Size, ember.Size)):
        return ('S', tuple(v))
    return v


def _run(lib, fn):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        try:
            out = ('ok', _norm(fn(lib)))
        except Exception as e:      # noqa: BLE001 - the exception is what is compared
            out = ('exc', type(e).__name__, str(e).split('\n')[0].replace('torch', 'ember'))
    first = lambda w: str(w.message).split('\n')[0].split(' (Triggered')[0].replace('torch', 'ember')  # noqa: E731
    msgs = sorted({(w.category.__name__, first(w)) for w in ws if 'oneDNN' not in str(w.message)})
    return out, msgs


def same(fn):
    assert _run(ember, fn) == _run(torch, fn)


def _h(T, n, shape):
    return T.arange(float(n)).reshape(shape)


def _packed(T, dtype=None):
    x = T.arange(6.).reshape(3, 2, 1)
    return T.nn.utils.rnn.pack_padded_sequence(x, [2, 3], enforce_sorted=False)


def _rnn_forward(T, mode, kw, x_shape, hx=None, packed=False, batch_first=False):
    T.manual_seed(0)
    m = getattr(T.nn, mode)(3, 4, batch_first=batch_first, **kw)
    with T.no_grad():
        for i, p in enumerate(m.parameters()):
            p.copy_(T.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (1 + 0.1 * i))
    if packed:
        x = T.nn.utils.rnn.pack_padded_sequence(T.linspace(-1, 1, 5 * 3 * 3).reshape(5, 3, 3), [3, 5, 2],
                                                enforce_sorted=False)
    else:
        x = T.linspace(-1, 1, int(np.prod(x_shape))).reshape(x_shape)
    out, h = m(x, hx(T) if hx else None)
    if packed:
        out = T.nn.utils.rnn.pad_packed_sequence(out)[0]
    return out, h


RNN_CASES = {
    'flatten_parameters': lambda T: T.nn.LSTM(3, 4).flatten_parameters(),
    'gru-proj': lambda T: T.nn.GRU(3, 4, proj_size=2),
    'rnn-proj0': lambda T: T.nn.RNN(3, 4, proj_size=0),
    'gru-unknown-kw': lambda T: T.nn.GRU(3, 4, foo=1),
    'lstm-unknown-kw': lambda T: T.nn.LSTM(3, 4, foo=1),
    'input-size-float': lambda T: T.nn.LSTM(3.0, 4),
    'hidden-size-0': lambda T: T.nn.GRU(3, 0),
    'bias-int': lambda T: T.nn.RNN(3, 4, bias=1),
    'num-layers-0': lambda T: T.nn.GRU(3, 4, 0),
    'gru-4d': lambda T: T.nn.GRU(3, 4)(T.ones(5, 2, 3, 1)),
    'lstm-4d': lambda T: T.nn.LSTM(3, 4)(T.ones(5, 2, 3, 1)),
    'rnn-4d': lambda T: T.nn.RNN(3, 4)(T.ones(5, 2, 3, 1)),
    'check_input-size': lambda T: T.nn.LSTM(3, 4).check_input(T.ones(5, 2, 2), None),
    'check_input-dims': lambda T: T.nn.LSTM(3, 4).check_input(T.ones(5, 2, 3), T.tensor([2, 1])),
    'check_input-dtype': lambda T: T.nn.GRU(3, 4).check_input(T.ones(5, 2, 3, dtype=T.float64), None),
    'check_input-ok': lambda T: T.nn.GRU(3, 4).check_input(T.ones(5, 3), T.tensor([3, 2])),
    'expected-hidden-proj': lambda T: T.nn.LSTM(3, 4, proj_size=2, bidirectional=True, batch_first=True)
    .get_expected_hidden_size(T.ones(5, 2, 3), None),
    'expected-hidden-packed': lambda T: T.nn.GRU(3, 4).get_expected_hidden_size(T.ones(5, 3), T.tensor([3, 1])),
    'expected-cell': lambda T: T.nn.LSTM(3, 4, proj_size=2, num_layers=2).get_expected_cell_size(T.ones(5, 2, 3),
                                                                                               None),
    'check_hidden_size': lambda T: T.nn.GRU(3, 4).check_hidden_size(T.ones(1, 2, 3), (1, 2, 4)),
    'check_hidden_size-msg': lambda T: T.nn.GRU(3, 4).check_hidden_size(T.ones(1, 2, 3), (1, 2, 4), 'bad {} {}'),
    'check_forward_args-lstm': lambda T: T.nn.LSTM(3, 4).check_forward_args(
        T.ones(5, 2, 3), (T.ones(1, 2, 4), T.ones(1, 2, 5)), None),
    'check_forward_args-gru': lambda T: T.nn.GRU(3, 4).check_forward_args(T.ones(5, 2, 3), T.ones(1, 3, 4), None),
    'permute_hidden-lstm': lambda T: T.nn.LSTM(3, 4).permute_hidden(
        (_h(T, 3, (1, 3, 1)), _h(T, 3, (1, 3, 1)) * 2), T.tensor([2, 0, 1])),
    'permute_hidden-none': lambda T: T.nn.GRU(3, 4).permute_hidden(_h(T, 3, (1, 3, 1)), None),
    'permute_hidden-gru': lambda T: T.nn.GRU(3, 4).permute_hidden(_h(T, 3, (1, 3, 1)), T.tensor([1, 2, 0])),
    'flat_weights_names': lambda T: T.nn.LSTM(3, 4, 2, bidirectional=True, proj_size=2, bias=False)
    ._flat_weights_names,
    'flat_weights-shapes': lambda T: [tuple(p.shape) for p in T.nn.LSTM(3, 4, proj_size=2)._flat_weights],
    'flat_weights-after-to': lambda T: [p.dtype for p in T.nn.GRU(3, 4).double()._flat_weights],
    'all_weights-names': lambda T: T.nn.GRU(3, 4, num_layers=2, bias=False)._all_weights,
    # forward errors now raised through the check methods
    'fwd-input-size': lambda T: T.nn.GRU(3, 4)(T.ones(5, 2, 2)),
    'fwd-dtype': lambda T: T.nn.LSTM(3, 4)(T.ones(5, 2, 3, dtype=T.float64)),
    'fwd-hidden-size': lambda T: T.nn.GRU(3, 4)(T.ones(5, 2, 3), T.zeros(1, 3, 4)),
    'fwd-hidden-bf': lambda T: T.nn.RNN(3, 4, batch_first=True)(T.ones(2, 5, 3), T.zeros(1, 5, 4)),
    'fwd-cell-size': lambda T: T.nn.LSTM(3, 4)(T.ones(5, 2, 3), (T.zeros(1, 2, 4), T.zeros(1, 2, 3))),
    'fwd-unbatched-hidden': lambda T: T.nn.GRU(3, 4)(T.ones(5, 3), T.zeros(1, 5)),
    'fwd-packed-hidden': lambda T: T.nn.GRU(1, 4)(_packed(T), T.zeros(2, 2, 4)),
    'fwd-packed-input-size': lambda T: T.nn.GRU(3, 4)(_packed(T)),
    'fwd-packed-lstm-dtype': lambda T: T.nn.LSTM(1, 4)(_packed(T).double()),      # (no module checks, as torch)
    'fwd-packed-lstm-layers': lambda T: T.nn.LSTM(1, 4)(_packed(T), (T.zeros(2, 2, 4), T.zeros(2, 2, 4))),
    'fwd-packed-lstm-wide-hx': lambda T: _rnn_forward(T, 'LSTM', {}, None, packed=True,
                                                      hx=lambda T: (_h(T, 16, (1, 4, 4)) / 9, _h(T, 16, (1, 4, 4)))),
    'fwd-zero-steps': lambda T: T.nn.LSTM(3, 4)(T.ones(0, 2, 3)),
    'fwd-zero-steps-unbatched': lambda T: T.nn.GRU(3, 4)(T.ones(0, 3)),
    'fwd-zero-steps-bf': lambda T: T.nn.RNN(3, 4, batch_first=True)(T.ones(2, 0, 3)),
    'fwd-empty-batch-nodes': lambda T: (lambda r: (r[0].grad_fn.name(), r[1][0].grad_fn.name(), r[0].shape))(
        T.nn.LSTM(3, 4)(T.ones(4, 0, 3, requires_grad=True))),
    # forward values through the refactored paths
    'fwd-lstm-packed-hx': lambda T: _rnn_forward(T, 'LSTM', {}, None, packed=True,
                                                 hx=lambda T: (_h(T, 12, (1, 3, 4)) / 10, _h(T, 12, (1, 3, 4)) / 20)),
    'fwd-gru-packed-bidir': lambda T: _rnn_forward(T, 'GRU', {'bidirectional': True}, None, packed=True,
                                                   hx=lambda T: _h(T, 24, (2, 3, 4)) / 30),
    'fwd-rnn-packed-nohx': lambda T: _rnn_forward(T, 'RNN', {'num_layers': 2}, None, packed=True),
    'fwd-lstm-proj-bf': lambda T: _rnn_forward(T, 'LSTM', {'proj_size': 2}, (2, 5, 3), batch_first=True,
                                               hx=lambda T: (T.ones(1, 2, 2), T.ones(1, 2, 4))),
    'fwd-gru-unbatched-hx': lambda T: _rnn_forward(T, 'GRU', {}, (5, 3), hx=lambda T: T.ones(1, 4) / 2),
}


@pytest.mark.parametrize('name', list(RNN_CASES))
def test_rnn_api(name):
    same(RNN_CASES[name])


def test_flat_weights_follow_the_module():
    m = ember.nn.LSTM(3, 4)
    names = m._flat_weights_names
    assert all(p is getattr(m, n) for p, n in zip(m._flat_weights, names))
    m.load_state_dict({k: v * 0 for k, v in m.state_dict().items()})
    assert all(float(p.detach().abs().sum()) == 0 for p in m._flat_weights)
    m.weight_ih_l0 = ember.nn.Parameter(ember.ones(16, 3))
    assert m._flat_weights[0] is m.weight_ih_l0


class _Checked(ember.nn.GRU):
    """A subclass overriding a check: forward must go through it, as in PyTorch."""
    calls = 0

    def check_forward_args(self, input, hidden, batch_sizes):
        type(self).calls += 1
        super().check_forward_args(input, hidden, batch_sizes)


def test_forward_calls_the_overridable_checks():
    _Checked(3, 4)(ember.ones(5, 2, 3))
    _Checked(1, 4)(_packed(ember))
    assert _Checked.calls == 2


BAG_CASES = {
    'from_pretrained-max': lambda T: repr(T.nn.EmbeddingBag.from_pretrained(T.ones(4, 3), mode='max')),
    'from_pretrained-frozen': lambda T: T.nn.EmbeddingBag.from_pretrained(T.ones(4, 3)).weight.requires_grad,
    'from_pretrained-1d': lambda T: T.nn.EmbeddingBag.from_pretrained(T.ones(4), mode='max'),
    'from_pretrained-options': lambda T: repr(T.nn.EmbeddingBag.from_pretrained(
        T.ones(4, 3), freeze=False, padding_idx=1, max_norm=1.0, norm_type=3., include_last_offset=True)),
    'from_pretrained-forward': lambda T: T.nn.EmbeddingBag.from_pretrained(
        T.arange(12.).reshape(4, 3), mode='sum', padding_idx=-1)(T.tensor([[0, 3, 1]])),
    'padding_idx-out-of-range': lambda T: T.nn.EmbeddingBag(4, 3, padding_idx=4),
    'padding_idx-too-negative': lambda T: T.nn.EmbeddingBag(4, 3, padding_idx=-5),
    'weight-shape': lambda T: T.nn.EmbeddingBag(4, 3, _weight=T.ones(3, 3)),
}


@pytest.mark.parametrize('name', list(BAG_CASES))
def test_embedding_bag(name):
    same(BAG_CASES[name])


def test_embedding_bag_from_pretrained_shares_the_tensor():
    w = ember.ones(4, 3)
    bag = ember.nn.EmbeddingBag.from_pretrained(w, freeze=False)
    with ember.no_grad():
        bag.weight[0, 0] = 5
    assert float(w[0, 0]) == 5 and bag.weight.requires_grad


def _pk(T):
    return T.nn.utils.rnn


PACKED_CASES = {
    **{f'packed-{m}': (lambda m: lambda T: getattr(_packed(T), m)())(m)
       for m in ('double', 'float', 'half', 'long', 'int', 'short', 'char', 'byte', 'cpu')},
    'packed-is_cuda': lambda T: _packed(T).is_cuda,
    'packed-is_pinned': lambda T: _packed(T).is_pinned(),
    'packed-to-same-is-self': lambda T: (lambda p: p.to(T.float32) is p)(_packed(T)),
    'packed-cpu-dtype': lambda T: _packed(T).cpu(T.float64).data.dtype,
    'packed-from-pair': lambda T: _pk(T).PackedSequence((T.ones(3), T.tensor([2, 1]))),
    'packed-bad-pair': lambda T: _pk(T).PackedSequence(T.ones(3)),
    'pad-empty': lambda T: _pk(T).pad_sequence([]),
    'pad-0d-first': lambda T: _pk(T).pad_sequence([T.tensor(1.), T.ones(2)]),
    'pad-0d-later': lambda T: _pk(T).pad_sequence([T.ones(2), T.tensor(1.)]),
    'pad-middle': lambda T: _pk(T).pad_sequence([T.ones(2)], padding_side='middle'),
    'pad-side-int': lambda T: _pk(T).pad_sequence([T.ones(2)], padding_side=3),
    'pad-value-none': lambda T: _pk(T).pad_sequence([T.ones(2)], padding_value=None),
    'pad-not-iterable': lambda T: _pk(T).pad_sequence(5),
    'pad-not-tensor': lambda T: _pk(T).pad_sequence([T.ones(2), 3]),
    'pad-trailing-mismatch': lambda T: _pk(T).pad_sequence([T.ones(3, 2), T.ones(1, 3)]),
    'pad-trailing-broadcast': lambda T: _pk(T).pad_sequence([T.ones(3, 2), T.full((1, 1), 2.)]),
    'pad-more-dims': lambda T: _pk(T).pad_sequence([T.ones(2, 2), T.ones(2, 2, 2)]),
    'pad-first-dtype': lambda T: _pk(T).pad_sequence([T.ones(2, dtype=T.int64), T.full((3,), 1.5)], padding_value=7),
    'pad-left-bf': lambda T: _pk(T).pad_sequence([_h(T, 6, (3, 2)), _h(T, 2, (1, 2))], True, -1., 'left'),
    'unpad-nodes': lambda T: [(u.grad_fn.name(), u) for u in _pk(T).unpad_sequence(
        _h(T, 24, (4, 3, 2)).requires_grad_() * 1, T.tensor([4, 2, 1]))],
    'unpack-nodes': lambda T: [(u.grad_fn.name(), u) for u in _pk(T).unpack_sequence(
        _pk(T).pack_sequence([_h(T, 4, (2, 2)).requires_grad_(), _h(T, 8, (4, 2)).requires_grad_()], False))],
    'pad-tensor': lambda T: _pk(T).pad_sequence(_h(T, 6, (2, 3))),
    'pad-strides': lambda T: _pk(T).pad_sequence([T.ones(3, 2), T.ones(1, 2)]).stride(),
    'pad-strides-bf': lambda T: _pk(T).pad_sequence([T.ones(3, 2), T.ones(1, 2)], batch_first=True).stride(),
}


@pytest.mark.parametrize('name', list(PACKED_CASES))
def test_packed_and_pad(name):
    same(PACKED_CASES[name])


def test_packed_to_moves_the_indices_with_the_data():
    p = _packed(ember).double()
    assert p.data.dtype == ember.float64 and p.sorted_indices.dtype == ember.int64
    assert p.batch_sizes.device.type == 'cpu'


@pytest.mark.parametrize('batch_first', [False, True])
@pytest.mark.parametrize('side', ['left', 'right'])
def test_pad_sequence_gradients(batch_first, side):
    def run(T):
        seqs = [T.tensor(np.linspace(-1, 1, n * 2).reshape(n, 2), requires_grad=True) for n in (3, 1, 2)]
        out = T.nn.utils.rnn.pad_sequence(seqs, batch_first, 0.5, side)
        (out * T.arange(float(out.numel())).reshape(out.shape)).sum().backward()
        return out.grad_fn.name().split('::')[-1], [out] + [s.grad for s in seqs]
    same(run)


def _linear(T):
    m = T.nn.Linear(3, 2)
    with T.no_grad():
        m.weight.copy_(T.arange(6.).reshape(2, 3))
        m.bias.copy_(T.tensor([7., 8.]))
    return m


def _load(sd, **kw):
    def run(T):
        m = _linear(T)
        try:
            r = m.load_state_dict({k: T.tensor(v) for k, v in sd.items()}, **kw)
        except RuntimeError as e:      # torch keeps the keys that fit; ember's failed load changes
            return str(e).replace('torch', 'ember')    # nothing (test_failed_load_changes_nothing)
        return repr(r), m.weight, m.bias
    return run


MODULE_CASES = {
    'to-complex': lambda T: [(p.dtype, p.requires_grad) for p in T.nn.Linear(2, 2).to(T.complex64).parameters()],
    # (torch warns once per process when casting complex to real: the warnings are left out)
    'to-complex-and-back': lambda T: _quiet(lambda: T.nn.Linear(2, 2).to(T.complex128).to(T.float64).weight.dtype),
    'to-complex-keeps-int-buffers': lambda T: T.nn.BatchNorm1d(2).to(T.complex64).num_batches_tracked.dtype,
    'to-int': lambda T: T.nn.Linear(2, 2).to(T.int64),
    'to-bool': lambda T: T.nn.Linear(2, 2).to(T.bool),
    # a failed load raises torch's message (the module: see test_failed_load_changes_nothing)
    'load-bias-size': _load({'weight': np.zeros((2, 3), np.float32), 'bias': np.zeros(3, np.float32)}),
    'load-weight-size': _load({'weight': np.zeros((3, 3), np.float32), 'bias': np.zeros(2, np.float32)}),
    'load-missing': _load({'weight': np.zeros((2, 3), np.float32)}),
    'load-unexpected': _load({'weight': np.zeros((2, 3), np.float32), 'bias': np.zeros(2, np.float32),
                              'extra': np.ones(1)}),
    'load-non-strict-size': _load({'weight': np.zeros((2, 3), np.float32), 'bias': np.zeros(3, np.float32)},
                                  strict=False),
    'load-non-strict': _load({'weight': np.zeros((2, 3), np.float32), 'extra': np.ones(1)}, strict=False),
    'load-nested': lambda T: _safe(lambda: T.nn.Sequential(_linear(T), _linear(T)).load_state_dict(
        {'0.weight': T.zeros(2, 3), '0.bias': T.zeros(5), '1.weight': T.ones(2, 3), '1.bias': T.ones(2)})),
    'repr-hardsigmoid': lambda T: (repr(T.nn.Hardsigmoid(inplace=True)), repr(T.nn.Hardswish(True)),
                                   repr(T.nn.SiLU(True)), repr(T.nn.Mish(inplace=True))),
    'unflatten-named': lambda T: T.nn.Unflatten('features', (('C', 2), ('H', 2))),
    'unflatten-float': lambda T: T.nn.Unflatten(1, [2.0, 3]),
    'unflatten-int': lambda T: T.nn.Unflatten(1, 6),
    'unflatten-list-repr': lambda T: repr(T.nn.Unflatten(1, [2, 3])),
    'unflatten-size-repr': lambda T: repr(T.nn.Unflatten(1, T.Size([2, 3]))),
    'unflatten-forward': lambda T: T.nn.Unflatten(-1, [2, -1])(T.arange(12.).reshape(2, 6)),
}


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return fn()


def _safe(fn):
    try:
        return fn()
    except RuntimeError as e:
        return str(e)


@pytest.mark.parametrize('name', list(MODULE_CASES))
def test_module_fixes(name):
    same(MODULE_CASES[name])


def test_failed_load_changes_nothing():
    # ember's rule: a failed call leaves the module as it was (torch would keep the keys that fit)
    m = _linear(ember)
    before = [p.detach().clone() for p in m.parameters()]
    for sd in ({'weight': ember.zeros(2, 3), 'bias': ember.zeros(3)}, {'weight': ember.zeros(2, 3)}):
        with pytest.raises(RuntimeError):
            m.load_state_dict(sd)
        assert all(ember.equal(p, b) for p, b in zip(m.parameters(), before))


def test_load_post_hook_runs_even_when_the_load_fails():
    def run(T):
        seen = []
        m = _linear(T)
        m.register_load_state_dict_post_hook(lambda mod, keys: seen.append(list(keys.missing_keys)))
        _safe(lambda: m.load_state_dict({'weight': T.zeros(2, 3)}))
        return seen
    same(run)


def _convt(nd, x, output_size):
    def run(T):
        T.manual_seed(0)
        m = getattr(T.nn, f'ConvTranspose{nd}d')(1, 1, 3, stride=2, padding=1)
        size = T.Size(output_size) if isinstance(output_size, str) else output_size
        return tuple(m(T.ones(*x), output_size=size).shape)
    return run


CONVT_CASES = {
    'list': _convt(2, (1, 1, 4, 4), [9, 9]),
    'tuple': _convt(2, (1, 1, 4, 4), (9, 9)),
    'full-size': _convt(2, (1, 1, 4, 4), [1, 1, 6, 6]),
    'unbatched': _convt(2, (1, 4, 4), [9, 9]),
    'wrong-length': _convt(2, (1, 1, 4, 4), [1, 8, 8]),
    'ok': _convt(2, (1, 1, 4, 4), [8, 7]),
    'ok-full': _convt(2, (1, 1, 4, 4), (1, 1, 8, 7)),
    '1d-unbatched-bad': _convt(1, (1, 4), [6]),
    '3d': _convt(3, (1, 1, 2, 2, 2), [3, 3, 3]),
}


@pytest.mark.parametrize('name', list(CONVT_CASES))
def test_conv_transpose_output_size(name):
    same(CONVT_CASES[name])


def test_conv_transpose_output_size_as_size():
    def run(T):
        m = T.nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1)
        return _safe(lambda: m(T.ones(1, 1, 4, 4), output_size=T.Size([9, 9]))).replace('torch', 'ember')
    same(run)


@pytest.mark.parametrize('call', [lambda T: T.tensor(1.).flatten(0, 1), lambda T: T.tensor(1.).flatten(-2),
                                  lambda T: T.nn.Flatten()(T.tensor(1.)), lambda T: T.tensor(1.).flatten(0, -1)])
def test_flatten_of_0dim_checks_dims(call):
    got = []
    for T in (torch, ember):
        try:
            got.append(call(T).tolist())
        except IndexError as e:
            got.append(str(e))
    assert got[0] == got[1]
