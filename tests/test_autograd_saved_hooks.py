"""Saved-tensor hooks (autograd.graph.saved_tensors_hooks, save_on_cpu,
disable_saved_tensors_hooks, increment_version) and checkpoint(use_reentrant=False), which is
built on them, compared with PyTorch."""
import importlib

import numpy as np
import pytest
import torch

import ember

LIBS = (ember, torch)


def graph(T):
    return importlib.import_module(T.__name__ + '.autograd.graph')


def ckpt(T):
    return importlib.import_module(T.__name__ + '.utils.checkpoint')


def host(t):
    return t.detach().cpu().numpy()


def outcome(fn):
    try:
        return 'ok', fn()
    except Exception as e:                          # noqa: BLE001 - the type is compared
        return type(e).__name__, str(e).splitlines()[0].replace('torch', 'ember')


def both(fn):
    got, want = outcome(lambda: fn(ember)), outcome(lambda: fn(torch))
    assert got == want
    return got


def leaves(T, *values):
    return [T.tensor(v, requires_grad=True) for v in values]


A, B = [0.5, -1.25, 2.0], [1.5, 0.25, -0.75]


def test_pack_and_unpack_calls():
    def run(T):
        calls = []

        def pack(t):
            calls.append(('pack', tuple(t.shape), t.requires_grad, t.grad_fn.name() if t.grad_fn else None))
            return t

        def unpack(t):
            calls.append(('unpack', tuple(t.shape)))
            return t
        a, b = leaves(T, A, B)
        with graph(T).saved_tensors_hooks(pack, unpack):
            y = (a * b).exp()
        n = len(calls)
        y.sum().backward()
        return calls[:n], sorted(calls[n:]), np.round(host(a.grad), 5).tolist()
    both(run)


def test_function_saves_go_through_the_hooks():
    def run(T):
        calls = []

        class Double(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g * 2 + x * 0
        a, = leaves(T, A)
        with graph(T).saved_tensors_hooks(lambda t: calls.append('pack') or t, lambda t: calls.append('unpack') or t):
            Double.apply(a).sum().backward()
        return calls, host(a.grad).tolist()
    both(run)


@pytest.mark.parametrize('case', ['unpack-not-tensor', 'pack-anything'])
def test_unpack_must_give_a_tensor(case):
    def run(T):
        a, b = leaves(T, A, B)
        hooks = (lambda t: t, lambda t: 3) if case == 'unpack-not-tensor' else (lambda t: 5, lambda x: x)
        with graph(T).saved_tensors_hooks(*hooks):
            z = a * b
        z.sum().backward()
    both(run)


def test_hooked_saves_skip_the_version_check():
    def run(T):
        x, = leaves(T, A)
        with graph(T).saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            e = x.sin()
        with T.no_grad():
            x.mul_(2)
        e.sum().backward()
        return np.round(host(x.grad), 5).tolist()
    both(run)


def test_save_on_cpu_keeps_double_backward():
    def run(T):
        x = T.tensor([1., 2.], requires_grad=True)
        with graph(T).save_on_cpu():
            y = x.pow(3)
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        g2, = T.autograd.grad(g.sum(), x)
        return host(g).tolist(), g.grad_fn.name(), host(g2).tolist()
    both(run)


def test_disable_saved_tensors_hooks():
    def run(T):
        G = graph(T)
        with G.disable_saved_tensors_hooks('no hooks here'):
            r1 = outcome(lambda: G.saved_tensors_hooks(lambda t: t, lambda t: t).__enter__())
        with G.saved_tensors_hooks(lambda t: t, lambda t: t):
            r2 = outcome(lambda: G.disable_saved_tensors_hooks('not now').__enter__())

        @G.disable_saved_tensors_hooks('decorated')
        def f():
            with G.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
        return r1, r2, outcome(f)
    both(run)


def test_increment_version():
    def run(T):
        a, b = T.ones(2), T.ones(3)
        graph(T).increment_version(a)
        graph(T).increment_version([a, b])
        return a._version, b._version
    both(run)


# ---------------------------------------------------------------- checkpoint(use_reentrant=False)

def _mlp(T):
    T.manual_seed(0)
    m = T.nn.Sequential(T.nn.Linear(4, 8), T.nn.Tanh(), T.nn.Dropout(0.5), T.nn.Linear(8, 3))
    return m


def test_non_reentrant_gives_the_real_graph_and_plain_gradients():
    for T in LIBS:
        m = _mlp(T)
        x = T.linspace(-1, 1, 20).reshape(5, 4)
        T.manual_seed(7)
        plain = m(x).pow(2).sum()
        plain.backward()
        want = [host(p.grad).copy() for p in m.parameters()]
        m.zero_grad()
        T.manual_seed(7)
        y = ckpt(T).checkpoint(m, x, use_reentrant=False)
        assert y.grad_fn.name() == 'AddmmBackward0' and y.requires_grad    # no input requires grad
        y.pow(2).sum().backward()
        for p, w in zip(m.parameters(), want):          # same dropout mask in the recomputation
            np.testing.assert_allclose(host(p.grad), w, rtol=1e-6, atol=1e-7)


def test_non_reentrant_recomputes_once_per_backward():
    def run(T):
        calls = [0]

        def f(x):
            calls[0] += 1
            return x.sin().sin()
        x, = leaves(T, A)
        y = ckpt(T).checkpoint(f, x, use_reentrant=False)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        with T.no_grad():
            z = ckpt(T).checkpoint(f, x, use_reentrant=False)
        return calls[0], np.round(host(x.grad), 5).tolist(), z.requires_grad
    both(run)


def test_non_reentrant_keyword_arguments_and_nesting():
    def run(T):
        lin = T.nn.Linear(2, 2)
        with T.no_grad():
            lin.weight.copy_(T.tensor([[1., 2.], [3., 4.]]))
            lin.bias.fill_(0.5)
        C = ckpt(T).checkpoint
        inner = lambda a: C(lin, a, use_reentrant=False).relu()    # noqa: E731
        y = C(lambda a, scale=1: inner(a) * scale, T.ones(1, 2), scale=3, use_reentrant=False)
        y.sum().backward()
        return y.grad_fn.name(), host(y).tolist(), host(lin.weight.grad).tolist()
    both(run)


@pytest.mark.parametrize('kind', ['fewer-saved', 'other-shape'])
def test_non_reentrant_detects_a_different_recomputation(kind):
    def run(T):
        n = [0]

        def f(x):
            n[0] += 1
            if kind == 'fewer-saved':
                return x.sin().exp() if n[0] == 1 else x.sin()
            return x.sin() if n[0] == 1 else x[:1].sin()
        x, = leaves(T, A)
        y = ckpt(T).checkpoint(f, x, use_reentrant=False)
        try:
            y.sum().backward()
        except ckpt(T).CheckpointError as e:
            assert isinstance(e, RuntimeError)
            raise
    both(run)


def test_checkpoint_sequential_without_reentrant():
    for T in LIBS:
        T.manual_seed(0)
        m = T.nn.Sequential(*[T.nn.Linear(3, 3) for _ in range(4)])
        x = T.ones(2, 3)
        m(x).sum().backward()
        want = [host(p.grad).copy() for p in m.parameters()]
        m.zero_grad()
        ckpt(T).checkpoint_sequential(m, 2, x, use_reentrant=False).sum().backward()
        for p, w in zip(m.parameters(), want):
            np.testing.assert_allclose(host(p.grad), w, rtol=1e-6)
