"""Survey round 3 (autograd, part 2): multi-grad hooks, allow_mutation_on_saved_tensors, the legacy
and threading APIs, Variable(volatile=), detach_ on views, backward inside func transforms, jvp tangent
dtypes and calling a graph node. Each program runs on torch and on ember (see test_survey3_autograd.py
for the harness)."""
import pytest
import torch

import ember
from test_survey3_autograd import check


# ------------------------------------------------------------------ new APIs

def test_multi_grad_hook_all():
    def prog(T):
        T.manual_seed(0)
        a = T.rand(2, 3, requires_grad=True)
        b = T.rand(2, 3, requires_grad=True)
        c, d = a * b, a * b
        seen = []
        h = T.autograd.graph.register_multi_grad_hook((a, b, c, d), lambda gs: seen.append([g is not None for g in gs]))
        c.sum().backward(retain_graph=True)
        c.sum().backward(inputs=(a,), retain_graph=True)
        (c + d).sum().backward(retain_graph=True)
        T.autograd.grad(d.sum(), d, retain_graph=True)
        h.remove()
        c.sum().backward(retain_graph=True)
        try:
            T.autograd.graph.register_multi_grad_hook((a, b), print, mode='x')
        except ValueError as e:
            seen.append(str(e))
        return seen

    check(prog)


def test_multi_grad_hook_any():
    def prog(T):
        a = T.ones(2, 3, requires_grad=True)
        b = T.ones(2, 3, requires_grad=True)
        c, d = a * b, a * b
        seen = []
        T.autograd.graph.register_multi_grad_hook((a, b, c, d), lambda g: seen.append(tuple(g.shape)), mode='any')
        (c + d).sum().backward(retain_graph=True)
        d.sum().backward()
        return seen

    check(prog)


def test_allow_mutation_on_saved_tensors():
    def prog(T):
        out = []
        with T.autograd.graph.allow_mutation_on_saved_tensors():
            a = T.ones(2, 3, requires_grad=True)
            b = a.clone()
            y = (b ** 2).sum()
            b.sin_()
            y.backward()
            out.append(a.grad)
            try:
                with T.autograd.graph.allow_mutation_on_saved_tensors():
                    pass
            except RuntimeError as e:
                out.append(str(e))
        with T.autograd.graph.allow_mutation_on_saved_tensors():
            a = T.ones(2, requires_grad=True)
            b = a * 1
            y = (b * b).sum()
        try:
            y.backward()
        except AssertionError as e:
            out.append(str(e))
        return out

    check(prog)


def test_legacy_and_threading_apis():
    def prog(T):
        out = [T.autograd.set_multithreading_enabled(False) is not None]
        T.autograd.set_multithreading_enabled(True)
        with T.autograd.set_multithreading_enabled(False):
            out.append('in block')
        I = type('I', (T.autograd.function.InplaceFunction,), {
            'forward': staticmethod(lambda ctx, x: x * 2), 'backward': staticmethod(lambda ctx, g: g)})
        out.append(I.apply(T.ones(2, requires_grad=True)))
        out.append(I(True).inplace)
        N = type('N', (T.autograd.function.NestedIOFunction,), {'forward_extended': lambda self, x: x * 2})
        try:
            N()(T.ones(2))
        except AttributeError as e:
            out.append(str(e))
        return out

    check(prog)


@pytest.mark.parametrize('prog', [
    lambda T: T.autograd.Variable(T.ones(2), volatile=True),
    lambda T: T.autograd.Variable(T.ones(2), requires_grad=True, volatile=True),
])
def test_variable_volatile(prog):
    check(prog)


def test_detach_view_inplace_message():
    def prog(T):
        v = (T.ones(4, requires_grad=True) * 2)[:2]
        v.detach_()

    check(prog)


@pytest.mark.parametrize('transform', ['grad', 'vjp'])
def test_backward_inside_transform(transform):
    def prog(T):
        def f(x):
            y = (x * 2).sum()
            y.backward()
            return y
        if transform == 'grad':
            return T.func.grad(f)(T.ones(2))
        return T.func.vjp(f, T.ones(2))[0]

    check(prog)


@pytest.mark.parametrize('fn', [lambda x: x * 2, lambda x: x.exp(), lambda x: x.to(torch.float16)
                                if isinstance(x, torch.Tensor) else x.to(ember.float16)])
def test_jvp_tangent_dtype(fn):
    def prog(T):
        return T.func.jvp(fn, (T.ones(2),), (T.ones(2, dtype=T.float64),))[1].dtype

    check(prog)


def test_jvp_integer_tangent():
    check(lambda T: T.func.jvp(lambda x: x * 2, (T.ones(2),), (T.ones(2, dtype=T.int64),)))


@pytest.mark.parametrize('prog', [
    lambda T, a, b: (a * b).grad_fn(T.ones(2)),
    lambda T, a, b: (a * 2).grad_fn(T.ones(2)),
    lambda T, a, b: a.sum().grad_fn(T.tensor(3.)),
    lambda T, a, b: a.unbind()[0].grad_fn(T.tensor(1.), T.tensor(2.)),
    lambda T, a, b: (a * b).grad_fn(),
    lambda T, a, b: a.exp().grad_fn(T.ones(2, requires_grad=True)).requires_grad,
])
def test_calling_a_node(prog):
    check(lambda T: prog(T, T.tensor([1., 2.], requires_grad=True), T.ones(2, requires_grad=True)))
