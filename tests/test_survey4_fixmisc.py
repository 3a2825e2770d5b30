"""Survey round 4 (fuzz) fixes in comparisons, joins, products, bins and sorts: each program runs on
torch and on ember and what a user sees is compared (the printed result, or the exception type and
the first line of its message)."""
import warnings

import pytest
import torch

import ember


def run(lib, src):
    """Run ``src`` with ``T`` bound to ``lib``: the repr of its last line, or ('EXC', type, first line)."""
    env = {'T': lib, 'inf': float('inf'), 'nan': float('nan')}
    lines = src.strip().split('\n')
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            exec('\n'.join(lines[:-1]), env)
            r = eval(lines[-1], env)
    except Exception as e:  # noqa: BLE001 - the error is the result compared
        return ('EXC', type(e).__name__, str(e).split('\n')[0].replace('torch', 'ember'))
    return repr(r).replace('torch', 'ember')


def same(src):
    assert run(ember, src) == run(torch, src)


def chain(fn):
    """The grad_fn graph as nested names (AccumulateGrad left out)."""
    if fn is None:
        return ''
    inner = [chain(f) for f, _ in fn.next_functions if f is not None and type(f).__name__ != 'AccumulateGrad']
    return type(fn).__name__ + ('(' + ','.join(inner) + ')' if inner else '')


# ------------------------------------------------------------------ B7: logical ops

@pytest.mark.parametrize('src', [
    'T.logical_and(T.tensor([True, False]), 1)',
    'T.logical_or(1, T.tensor([True, False]))',
    'T.logical_xor(T.tensor([True, False]), 1.5)',
    'T.logical_not(1)',
    'x = T.tensor([True, False])\nT.logical_not(x, out=x)\nx',
    'x = T.tensor([1., 0.])\no = T.empty(2)\nT.logical_and(x, x, out=o)\no',
    'x = T.tensor([1., 0.])\no = T.empty(3, dtype=T.int8)\nT.logical_or(x, x, out=o)\no',
    'x = T.tensor([1., 0.], requires_grad=True)\no = T.empty(2, dtype=T.int8)\nT.logical_not(x, out=o)\no',
    'o = T.empty(2, dtype=T.int8)\nT.logical_xor(T.tensor([1., 0.]), T.ones(3, 1), out=o)\no',
])
def test_logical_functions(src):
    same(src)


@pytest.mark.parametrize('src', [
    'T.tensor([True, False]).logical_and(1)',
    'T.tensor([True, False]).logical_or_(1)',
    'x = T.tensor([1.5, 0., 2.])\nx.logical_xor_(T.tensor([0., 0., 1.]))\nx',
    'x = T.tensor([1.5, 0., 2.])\nx.logical_not_()\nx',
])
def test_logical_methods(src):
    same(src)


# ------------------------------------------------------------------ B7: complex refused

@pytest.mark.parametrize('src', [
    'T.bucketize(T.tensor([1.+1j, 0.]), T.tensor([0., 1.]))',
    'T.searchsorted(T.tensor([0., 1.]), T.tensor([1.+1j]))',
    'T.searchsorted(T.tensor([0., 1.]).to(T.complex128), T.tensor([1]))',
    'T.searchsorted(T.tensor([0., 1.]), 1j)',
    "T.zeros(2, dtype=T.complex64).scatter_reduce(0, T.tensor([0, 5]), T.tensor([1.+1j, 0.]), 'amax')",
    "T.zeros(2, dtype=T.complex64).scatter_reduce_(0, T.tensor([0, 1]), T.tensor([1.+1j, 0.]), 'amin')",
    "T.zeros(2, dtype=T.complex64).scatter_reduce(0, T.tensor([0, 1]), T.tensor([1.+1j, 0.]), 'max')",
    "T.zeros(2, dtype=T.complex64).scatter_reduce(0, T.tensor([], dtype=T.int64), T.tensor([1j]), 'amax')",
    "T.zeros(2, dtype=T.complex64).scatter_reduce(0, T.tensor([0, 1]), T.tensor([1.+1j, 0.]), 'mean')",
    'T.bucketize(T.zeros((4, 0, 1), dtype=T.complex64), T.tensor([-1.0, 0.0, 1.0]))',
    'T.searchsorted(T.zeros(2, dtype=T.bool), T.zeros(0, dtype=T.bool))',
])
def test_complex_refused(src):
    same(src)


# ------------------------------------------------------------------ B6: tensordot and empty products

@pytest.mark.parametrize('src', [
    'T.tensordot(T.tensor([[1], [255], [0]], dtype=T.uint8), T.tensor([[7], [1], [200]], dtype=T.uint8), dims=1)',
    'a = T.ones(2, 1, dtype=T.uint8) * 200\nT.tensordot(a, a * 3, 2)',
    'a = T.ones(2, 2, dtype=T.uint8) * 200\nT.tensordot(a, a.t(), 2)',
    'a = T.ones(2, 2, dtype=T.bool)\nT.tensordot(a, a.t(), 2)',
    'a = T.ones(2, 2, dtype=T.bool)\nT.tensordot(a, a, 2)',
    'T.tensordot(T.ones(2, 1, dtype=T.bool), T.ones(2, 1, dtype=T.bool), dims=2)',
    'T.tensordot(T.ones(3, 0, dtype=T.bool), T.ones(0, 3, dtype=T.bool), 1)',
    'T.inner(T.tensor([[1, 2]], dtype=T.uint8).t(), T.tensor([[3], [2]], dtype=T.uint8))',
])
def test_tensordot_values(src):
    same(src)


@pytest.mark.parametrize('shapes', [((2, 2), (2, 2), 2, True), ((1, 2), (2, 1), 1, False), ((2,), (2,), 1, False),
                                    ((2, 1), (2, 1), 2, False), ((2, 1), (2, 5), ([0, 1], [0, 1]), False),
                                    ((3, 2), (2, 1), 1, False)])
def test_tensordot_graph(shapes):
    sa, sb, dims, transpose = shapes
    got = []
    for lib in (torch, ember):
        a = lib.ones(*sa, requires_grad=True)
        b = lib.ones(*sb).t() if transpose else lib.ones(*sb)
        r = lib.tensordot(a, b, dims)
        r.sum().backward()
        got.append((chain(r.grad_fn), a.grad.tolist(), r.tolist()))
    assert got[0] == got[1]


@pytest.mark.parametrize('src', [
    'T.bmm(T.zeros(0, 2, 3), T.zeros(0, 3, 4, dtype=T.float64))',
    'T.bmm(T.zeros(2, 2, 0), T.zeros(2, 0, 4, dtype=T.int64))',
    'T.bmm(T.zeros(2, 2, 0, dtype=T.bfloat16), T.zeros(2, 0, 4, dtype=T.float16))',
    'T.bmm(T.zeros(0, 2, 3, dtype=T.bool), T.zeros(0, 3, 4, dtype=T.bool))',
    'T.bmm(T.zeros(2, 2, 3, dtype=T.bool), T.zeros(2, 3, 4, dtype=T.bool))',
    'T.bmm(T.ones(1, 4, 1, dtype=T.bool), T.ones(1, 1, 2, dtype=T.int64))',
    'T.mm(T.zeros(2, 0, dtype=T.bool), T.zeros(0, 4, dtype=T.bool))',
    'T.mm(T.zeros(0, 3), T.zeros(3, 4, dtype=T.float64))',
    'T.mv(T.zeros(0, 3, dtype=T.bool), T.zeros(3, dtype=T.bool))',
    'T.mv(T.zeros(2, 3, dtype=T.bool), T.zeros(3, dtype=T.bool))',
    'T.dot(T.zeros(0, dtype=T.bool), T.zeros(0, dtype=T.bool))',
    'T.matmul(T.zeros(0, 3, dtype=T.bool), T.zeros(3, 4, dtype=T.bool))',
    'x = T.zeros(0, 2, 3, dtype=T.float64, requires_grad=True)\nT.bmm(x, T.zeros(0, 3, 4)).sum().backward()\nx.grad',
])
def test_empty_products(src):
    same(src)


@pytest.mark.parametrize('src', [
    'T.baddbmm(T.zeros(0, 2, 4), T.zeros(0, 2, 3), T.zeros(0, 3, 4, dtype=T.float64))',
    'T.baddbmm(T.ones(2, 2, 4), T.ones(2, 2, 0), T.ones(2, 0, 4, dtype=T.float64))',
    'T.baddbmm(T.zeros(0, 2, 4, dtype=T.bool), T.zeros(0, 2, 3, dtype=T.bool), T.zeros(0, 3, 4, dtype=T.bool))',
    'T.baddbmm(T.ones(2, 2, 4, dtype=T.bool), T.ones(2, 2, 0, dtype=T.bool), T.ones(2, 0, 4, dtype=T.bool))',
    'T.baddbmm(T.ones(2, 2, 4, dtype=T.bool), T.ones(2, 2, 0, dtype=T.bool), T.ones(2, 0, 4, dtype=T.bool), beta=True)',
    'T.baddbmm(T.ones(2, 2, 4, dtype=T.int32), T.ones(2, 2, 0, dtype=T.int32), T.ones(2, 0, 4, dtype=T.int32), '
    'beta=1.5)',
    'T.baddbmm(T.ones(2, 2, 4, dtype=T.bool), T.ones(2, 2, 3, dtype=T.bool), T.ones(2, 3, 4, dtype=T.bool))',
    'T.baddbmm(T.ones(2, 2, 4), T.ones(2, 2, 3), T.ones(2, 3, 4, dtype=T.float64))',
    'T.baddbmm(T.tensor([-2]), T.ones(1, 2, dtype=T.float16), T.ones(1, 2, 2, dtype=T.float16), beta=0)',
    'T.baddbmm(T.tensor([1.]), T.ones(2), T.ones(2, 2, 2), beta=0)',
    'T.baddbmm(T.tensor([-2.0]), T.tensor([-5]), T.tensor([[[-1, -5]]]), beta=0)',
    'T.baddbmm(T.ones(2, 2, 2), T.tensor(1.), T.ones(2, 2, 2))',
    'T.addmm(T.ones(0, 4, dtype=T.bool), T.ones(0, 3, dtype=T.bool), T.ones(3, 4, dtype=T.bool))',
    'T.addmm(T.ones(2, 4, dtype=T.bool), T.ones(2, 0, dtype=T.bool), T.ones(0, 4, dtype=T.bool))',
    'T.addmm(T.ones(2, 4), T.ones(2, 0, dtype=T.float64), T.ones(0, 4))',
    'T.addmm(T.tensor([1, 2]), T.tensor(1), T.ones(1, 2, dtype=T.float64))',
    'T.addmv(T.ones(2, dtype=T.bool), T.ones(2, 0, dtype=T.bool), T.ones(0, dtype=T.bool))',
    'T.addbmm(T.ones(2, 4), T.ones(0, 2, 3, dtype=T.float64), T.ones(0, 3, 4))',
    'T.addbmm(T.ones(2, 4, dtype=T.bool), T.ones(0, 2, 3, dtype=T.bool), T.ones(0, 3, 4, dtype=T.bool))',
    'x = T.ones(2, 2, 4, requires_grad=True)\nT.baddbmm(x, T.ones(2, 2, 0), T.ones(2, 0, 4), beta=2).sum().backward()\n'
    'x.grad',
])
def test_fused_empty_products(src):
    same(src)


# ------------------------------------------------------------------ roll, 0-dim joins, mv ranks

@pytest.mark.parametrize('src', [
    'T.roll(T.zeros(0, 2), 1, 5)',
    'T.roll(T.zeros(0), [1, 2], [0, 5])',
    'T.roll(T.zeros(0, 2), [1, 2], [0])',
    'T.roll(T.zeros(2, 2), 1, 5)',
    'x = T.zeros(0, 2, requires_grad=True)\nT.roll(x, 1, -5).sum().backward()\nx.grad',
    'T.split(T.tensor(1.), 1)',
    'T.tensor(1.).split([1], 3)',
    'T.chunk(T.tensor(1.), 0)',
    'T.tensor(1.).chunk(1, 0)',
    'T.split(T.ones(3), [1, 1], dim=-1)',
    'T.cat([T.tensor(1.)], 3)',
    'T.cat([T.tensor([1.]), T.tensor(2.)])',
    'T.cat([T.zeros(0), T.tensor(2.)])',
    'T.cat([T.ones(2, 2), T.ones(3, 3), T.tensor(1.)])',
    'T.unbind(T.tensor(2), 1)',
    'T.unbind(T.tensor(2), 0)',
    'T.mv(T.tensor(1.), T.tensor([2.]))',
    'T.mv(T.ones(2, 2), T.tensor(2.))',
    'T.mv(T.ones(2, 2, 2), T.ones(2))',
    'T.mv(T.ones(2, 3), T.ones(2))',
])
def test_dims(src):
    same(src)


# ------------------------------------------------------------------ C: parser and check-order messages

@pytest.mark.parametrize('src', [
    'T.ge(2, T.ones(2))',
    'T.eq(2.5, T.ones(2))',
    "T.ge(T.ones(2), 'a')",
    'T.ge(T.ones(2), None)',
    'T.ge(T.ones(2), [1, 2])',
    'T.ge(T.ones(2), T.ones(2), out=3)',
    'T.ge(2, T.ones(2), out=T.ones(2))',
    'T.greater(2, T.ones(2))',
    'T.not_equal(2, T.ones(2))',
    'T.lt(T.ones(2))',
    "T.ones(2).ge_('a')",
    'T.ge(T.ones(2), 1j)',
    'import numpy\nT.ge(T.ones(2), numpy.float32(1.))',
    'o = T.empty(2, dtype=T.int8)\nT.lt(T.tensor([1., 3.]), 2, out=o)\no',
])
def test_comparison_parser(src):
    same(src)


@pytest.mark.parametrize('src', ["T.ones(2).ge('a')", 'T.ones(2).ge(None)'])
def test_comparison_method_parser(src):
    same(src)


@pytest.mark.parametrize('src', [
    'T.trace(T.ones(3, dtype=T.bool))',
    'T.trace(T.ones(3, 2, 2, dtype=T.bool))',
    'T.trace(T.ones(3, dtype=T.float16))',
    'T.kthvalue(T.tensor(True), 1, 0)',
    'T.kthvalue(T.tensor([1+1j]), 2)',
    'T.kthvalue(T.tensor([1+1j]), 1)',
    'T.kthvalue(T.tensor(1+1j, requires_grad=True), 1)',
    'T.kthvalue(T.tensor([1+1j], requires_grad=True), 1)',
    'T.topk(T.tensor([1+1j]), 2)',
    'T.topk(T.tensor([1+1j]), 1)',
])
def test_check_order(src):
    same(src)
