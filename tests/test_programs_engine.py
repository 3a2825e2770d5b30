"""The backward pass runs ready nodes in PyTorch's order (the node made last first, a leaf's
AccumulateGrad as soon as it is ready, ties as libstdc++'s heap gives them). The order shows in
the order hooks fire and in the order a node's incoming gradients are summed (bitwise)."""
import random

import numpy as np
import pytest
import torch

import ember


def _hook_order(T, build):
    order = []
    leaves = build(T, order)
    return order, leaves


def _leaves(T, order, names):
    out = []
    for i, n in enumerate(names):
        t = T.tensor([1.0 + i, 2.0, -1.5], requires_grad=True)
        t.register_hook(lambda g, n=n: order.append(n))
        out.append(t)
    return out


GRAPHS = {
    'stack': lambda T, ts: T.stack(ts).sum(),
    'addcmul': lambda T, ts: T.addcmul(ts[0], ts[1], ts[2]).sum(),
    'mul-chain': lambda T, ts: (ts[0] * ts[1] * ts[2]).sum(),
    'made-later-first': lambda T, ts: (lambda x, y: (y + x).sum())(ts[0] * 2, ts[1] * 3),
    'made-earlier-first': lambda T, ts: (lambda y, x: (y + x).sum())(ts[1] * 3, ts[0] * 2),
    'cat-five': lambda T, ts: T.cat([ts[0], ts[1] * 2, ts[2], ts[3].exp(), ts[4]]).sum(),
    'shared': lambda T, ts: ((ts[0] * ts[1]).sin() + ts[0] * ts[2] + ts[1].exp()).sum(),
}


@pytest.mark.parametrize('name', list(GRAPHS))
def test_tensor_hooks_fire_in_torch_order(name):
    got = []
    for T in (torch, ember):
        order = []
        ts = _leaves(T, order, 'abcde')
        GRAPHS[name](T, ts).backward()
        got.append(order)
    assert got[0] == got[1]


def test_post_accumulate_grad_hooks_in_torch_order():
    got = []
    for T in (torch, ember):
        T.manual_seed(0)
        m = T.nn.Sequential(T.nn.Linear(8, 8), T.nn.ReLU(), T.nn.Linear(8, 4))
        order = []
        for n, p in m.named_parameters():
            p.register_post_accumulate_grad_hook(lambda p, n=n: order.append(n))
        m(T.ones(5, 8)).pow(2).mean().backward()
        got.append(order)
    assert got[0] == got[1] == ['2.bias', '2.weight', '0.bias', '0.weight']


def _random_graph_grad(T, seed):
    """A leaf used along many paths of different depths: its gradient is a sum whose order
    the engine's run order decides."""
    rng = random.Random(seed)
    data = np.random.default_rng(seed).standard_normal((14, 300)).astype(np.float32)
    a = T.tensor(data[0], requires_grad=True)
    pool = [a]
    for k in range(12):
        x, y = rng.choice(pool), rng.choice(pool)
        c = T.tensor(data[k + 1])
        op = rng.randint(0, 2)
        z = x * c if op == 0 else (x + y * c if op == 1 else (x * 1.7 + a) * c)
        pool.append(z)
    total = pool[1]
    for z in pool[2:]:
        total = total + z
    total.sum().backward()
    return a.grad.numpy()


@pytest.mark.parametrize('seed', range(8))
def test_gradient_sums_bitwise_equal_torch(seed):
    assert np.array_equal(_random_graph_grad(torch, seed), _random_graph_grad(ember, seed))


def test_autograd_grad_many_outputs_same_bits():
    got = []
    cs = np.random.default_rng(0).standard_normal((5, 50)).astype(np.float32)
    for T in (torch, ember):
        x = T.tensor(np.linspace(-1, 1, 50, dtype=np.float32), requires_grad=True)
        c = [T.tensor(v) for v in cs]
        outs = [x * c[0], (x * c[1]) * c[2], x * x, (x * c[3]) * c[4] * c[0]]
        g, = T.autograd.grad([o.sum() for o in outs], [x])
        got.append(g.numpy())
    assert np.array_equal(got[0], got[1])


CELLS = {
    'RNNCell': lambda T, x, h: T.nn.RNNCell(3, 4)(x, h),
    'RNNCell-relu-nohx': lambda T, x, h: T.nn.RNNCell(3, 4, nonlinearity='relu')(x),
    'LSTMCell': lambda T, x, h: T.nn.LSTMCell(3, 4)(x, (h, h))[0],
    'GRUCell': lambda T, x, h: T.nn.GRUCell(3, 4)(x, h),
    'RNN-2layers': lambda T, x, h: T.nn.RNN(3, 4, num_layers=2)(x.unsqueeze(0))[0],
    'GRU-bidir': lambda T, x, h: T.nn.GRU(3, 4, bidirectional=True)(x.unsqueeze(0))[0],
}


@pytest.mark.parametrize('name', list(CELLS))
def test_recurrent_cells_make_nodes_in_torch_order(name):
    """PyTorch's RNNCell/LSTMCell make the hidden projection before the input one (GRUCell the
    other way round): the weights' gradients arrive in that order."""
    got = []
    for T in (torch, ember):
        T.manual_seed(0)
        x, h = T.randn(2, 3), T.randn(2, 4)
        out, order = CELLS[name](T, x, h), []
        for fn, _ in _walk_leaves(out.grad_fn):
            fn.variable.register_post_accumulate_grad_hook(lambda p: order.append(tuple(p.shape)))
        out.sum().backward()
        got.append(order)
    assert got[0] == got[1]


def _walk_leaves(fn, seen=None):
    """The AccumulateGrad nodes under ``fn``, each once."""
    seen = set() if seen is None else seen
    for nxt, nr in fn.next_functions:
        if nxt is None or nxt in seen:
            continue
        seen.add(nxt)
        if hasattr(nxt, 'variable'):
            yield nxt, nr
        else:
            yield from _walk_leaves(nxt, seen)


@pytest.mark.parametrize('fn', ['rnn_tanh_cell', 'lstm_cell'])
def test_functional_cells_order(fn):
    got = []
    rng = np.random.default_rng(0)
    g = 4 if fn == 'lstm_cell' else 1
    data = [rng.standard_normal(s).astype(np.float32) for s in [(4 * g, 3), (4 * g, 4), (4 * g,), (4 * g,)]]
    for T in (torch, ember):
        ps = [T.tensor(d, requires_grad=True) for d in data]
        order = []
        for n, p in zip(['w_ih', 'w_hh', 'b_ih', 'b_hh'], ps):
            p.register_post_accumulate_grad_hook(lambda p, n=n: order.append(n))
        x, h = T.ones(2, 3), T.ones(2, 4)
        out = getattr(T, fn)(x, (h, h) if fn == 'lstm_cell' else h, *ps)
        (out[0] if isinstance(out, tuple) else out).sum().backward()
        got.append(order)
    assert got[0] == got[1] == ['b_ih', 'w_ih', 'b_hh', 'w_hh']
