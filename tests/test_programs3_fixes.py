"""Fixes found by the third round of seeded whole programs (ember vs PyTorch): a multi-layer
RNN/LSTM/GRU with dropout on a packed batch drops its packed rows (as PyTorch), so the dropout
masks and the random stream after them match."""
import numpy as np
import pytest
import torch

import ember


def _packed_rnn(T, cls, bidirectional, batch_first):
    T.manual_seed(0)
    rnn = getattr(T.nn, cls)(3, 4, num_layers=3, dropout=0.5, bidirectional=bidirectional,
                             batch_first=batch_first)
    x = T.randn(2, 5, 3) if batch_first else T.randn(5, 2, 3)
    T.manual_seed(1)
    lengths = T.tensor([3, 5])
    packed = T.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=False)
    out, h = rnn(packed)
    h = h[0] if cls == 'LSTM' else h
    (out.data.sum() + h.sum()).backward()
    after = T.randn(3)
    return [out.data, h, rnn.weight_ih_l0.grad, after]


@pytest.mark.parametrize('cls', ['RNN', 'GRU', 'LSTM'])
@pytest.mark.parametrize('bidirectional', [False, True])
@pytest.mark.parametrize('batch_first', [False, True])
def test_packed_rnn_dropout_matches(cls, bidirectional, batch_first):
    want = _packed_rnn(torch, cls, bidirectional, batch_first)
    got = _packed_rnn(ember, cls, bidirectional, batch_first)
    for w, g in zip(want, got):
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------- nn.grad (F.grad)

def _conv_grads(T, n, groups):
    T.manual_seed(0)
    conv = getattr(T.nn.functional, f'conv{n}d')
    x = T.randn((2, 4) + (7,) * n)
    w = T.randn((6, 4 // groups) + (3,) * n, requires_grad=True)
    kw = dict(stride=2, padding=1, dilation=1, groups=groups)
    go = T.randn(conv(x, w, **kw).shape, requires_grad=True)
    gi = getattr(T.nn.grad, f'conv{n}d_input')(x.shape, w, go, **kw)
    gw = getattr(T.nn.functional.grad, f'conv{n}d_weight')(x, w.shape, go, **kw)
    (gi.pow(2).sum() + gw.sum()).backward()      # the results keep their graphs
    return [gi, gw, w.grad, go.grad]


@pytest.mark.parametrize('n', [1, 2, 3])
@pytest.mark.parametrize('groups', [1, 2])
def test_nn_grad_conv(n, groups):
    for w, g in zip(_conv_grads(torch, n, groups), _conv_grads(ember, n, groups)):
        assert tuple(g.shape) == tuple(w.shape)
        np.testing.assert_allclose(g.detach().numpy(), w.detach().numpy(), rtol=1e-4, atol=1e-4)


def test_nn_grad_no_graph_without_grad():
    x, w = ember.randn(1, 2, 5), ember.randn(3, 2, 3)
    gi = ember.nn.grad.conv1d_input(x.shape, w, ember.ones(1, 3, 3))
    assert not gi.requires_grad and gi.grad_fn is None


# ---------------------------------------------------------------- skip_init, old weight_norm

def test_skip_init_draws_nothing():
    for T in (torch, ember):
        T.manual_seed(0)
        m = T.nn.utils.skip_init(T.nn.Linear, 3, 2)
        assert tuple(m.weight.shape) == (2, 3)
        after = T.randn(4).numpy()
        T.manual_seed(0)
        np.testing.assert_array_equal(after, T.randn(4).numpy())


def test_old_weight_norm_warns_from_library_file():
    import warnings
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            T.nn.utils.weight_norm(T.nn.Linear(2, 2))
        assert w[0].category is FutureWarning
        assert w[0].filename.replace('\\', '/').endswith('nn/utils/weight_norm.py'), w[0].filename


# ---------------------------------------------------------------- Tensor.__array__ without copy=

@pytest.mark.parametrize('conv', ['asarray', 'array', 'array-copy', 'add'])
def test_array_protocol_warning_as_torch(conv):
    import warnings
    fns = {'asarray': np.asarray, 'array': np.array, 'array-copy': lambda t: np.array(t, copy=True),
           'add': lambda t: np.add(t, 1)}
    seen = []
    for T in (torch, ember):
        t = T.arange(3.)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            out = fns[conv](t)
        seen.append(([(x.category, str(x.message)) for x in w], np.asarray(out.numpy() if hasattr(out, 'numpy')
                                                                         else out).tolist()))
    assert seen[0] == seen[1]


# ---------------------------------------------------------------- warnings raised inside a module call

def _module_call_warnings(T):
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        T.nn.InstanceNorm1d(5)(T.randn(2, 6, 5))
        m = T.nn.Linear(2, 2)
        m.register_backward_hook(lambda *a: None)
        m(T.ones(1, 2, requires_grad=True))
    return w


def test_module_call_warnings_point_into_the_library():
    """As PyTorch: InstanceNorm's num_features warning and the non-full backward hook warning are
    attributed to the module-call line inside the library (so a 'default' filter shows them once)."""
    for T in (torch, ember):
        w = _module_call_warnings(T)
        assert [x.category for x in w] == [UserWarning, FutureWarning]
        for x in w:
            path = x.filename.replace('\\', '/')
            assert path != __file__.replace('\\', '/') and '/nn/modules/' in path, path


# ---------------------------------------------------------------- torch.optim.optimizer's private helpers

def _lion_run(T):
    from importlib import import_module
    o = import_module(T.__name__ + '.optim.optimizer')

    class Lion(o.Optimizer):
        def __init__(self, params, lr=o.required, differentiable=False):
            super().__init__(params, dict(lr=lr, betas=(0.9, 0.99), differentiable=differentiable))

        @o._use_grad_for_differentiable
        def step(self, closure=None):
            seen.append(T.is_grad_enabled())
            for g in self.param_groups:
                ps = [p for p in g['params'] if p.grad is not None]
                seen.append(o._default_to_fused_or_foreach(ps, g['differentiable'], use_fused=True))
                for p in ps:
                    st = self.state[p]
                    if not st:
                        st['step'] = T.tensor(0.0, dtype=o._get_scalar_dtype())
                        st['m'] = T.zeros_like(p)
                    st['step'] += 1
                    lr = o._to_scalar(g['lr'])
                    seen.append(tuple(lr.shape))
                    p.add_((st['m'] * 0.9 + p.grad * 0.1).sign(), alpha=-lr.item())
                    st['m'].mul_(0.99).add_(p.grad, alpha=0.01)
                    seen.append(o._get_value(st['step']))
    seen = []
    T.manual_seed(0)
    m = T.nn.Linear(3, 1)
    opt = Lion(m.parameters(), lr=T.tensor([0.01]))
    for _ in range(3):
        opt.zero_grad()
        m(T.ones(2, 3)).pow(2).sum().backward()
        opt.step()
    try:
        o._use_grad_for_differentiable(lambda self: None)(T.optim.SGD(m.parameters(), lr=0.1).__class__.__new__(
            T.optim.Optimizer))
    except Exception as e:      # noqa: BLE001
        seen.append(type(e).__name__)
    return seen, m.weight.detach().numpy().tolist(), Lion.step.__name__


def test_optimizer_private_helpers():
    assert _lion_run(ember) == _lion_run(torch)
