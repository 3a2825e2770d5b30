"""Backward passes running in two threads at once keep their own state (as in PyTorch): a
multi-grad hook in one thread is not confused by the other thread's backward finishing first."""
import threading

import pytest
import torch

import ember


def _two_threads(T):
    a_inside, b_inside, a_done = threading.Event(), threading.Event(), threading.Event()
    fired = {}

    def run(name, scale, on_inside):
        x = T.ones(2, requires_grad=True)
        w = T.ones(2, requires_grad=True)
        T.autograd.graph.register_multi_grad_hook(
            (x, w), lambda grads: fired.setdefault(name, [g.sum().item() for g in grads]))
        h = x * scale + w * 3
        h.register_hook(lambda g: on_inside())
        (h * 1).sum().backward()
        if name == 'a':
            a_done.set()

    def a_hook():
        a_inside.set()
        assert b_inside.wait(10)

    def b_hook():
        b_inside.set()
        assert a_done.wait(10)     # thread a's backward ends while b's is still running

    ta = threading.Thread(target=run, args=('a', 2., a_hook))
    tb = threading.Thread(target=run, args=('b', 5., b_hook))
    ta.start()
    assert a_inside.wait(10)
    tb.start()
    ta.join(20)
    tb.join(20)
    return fired


def test_concurrent_backward_multi_grad_hooks_match_torch():
    assert _two_threads(ember) == _two_threads(torch) == {'a': [4.0, 6.0], 'b': [10.0, 6.0]}


def test_transform_depth_is_per_thread():
    """backward() is refused only inside a func transform of the same thread."""
    inside, release = threading.Event(), threading.Event()
    errors = []

    def f(x):
        inside.set()
        assert release.wait(10)
        return (x * x).sum()

    t = threading.Thread(target=lambda: ember.func.grad(f)(ember.ones(3)))
    t.start()
    assert inside.wait(10)
    try:
        y = ember.ones(2, requires_grad=True)
        (y * 2).sum().backward()          # this thread runs no transform
        errors.append(y.grad.tolist())
    finally:
        release.set()
        t.join(20)
    assert errors == [[2.0, 2.0]]
    with pytest.raises(RuntimeError, match='backward\\(\\) called inside a functorch transform'):
        ember.func.grad(lambda x: (x.sum().backward(), x.sum())[1])(ember.ones(2))
