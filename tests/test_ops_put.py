"""put / Tensor.put / Tensor.put_ against PyTorch: values, grad_fn, gradients (and gradcheck in
float64), PyTorch's errors, and a failed call leaving the tensor as it was."""
import numpy as np
import pytest
import torch

import ember


def both(fn):
    return fn(ember), fn(torch)


def same(e, t, tol=1e-12):
    np.testing.assert_allclose(e.detach().cpu().numpy(), t.detach().numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize('index,accumulate', [([1, -1], False), ([0, 5, 2], False), ([1, 1, 4], True),
                                               ([[0, 3], [-2, 2]], True), ([], False)])
def test_put_values_and_gradients(index, accumulate):
    def run(L):
        a = L.arange(6., dtype=L.float64).reshape(2, 3).requires_grad_()
        idx = L.tensor(index, dtype=L.int64)
        src = (L.arange(float(idx.numel()), dtype=L.float64) + 10).reshape(idx.shape).requires_grad_()
        out = L.put(a, idx, src, accumulate=accumulate)
        out.backward(L.arange(6., dtype=L.float64).reshape(2, 3) + 1)
        return out, a.grad, src.grad
    (eo, ea, es), (to, ta, ts) = both(run)
    assert eo.grad_fn.name() == to.grad_fn.name() == 'PutBackward0'
    for e, t in ((eo, to), (ea, ta), (es, ts)):
        same(e, t)


def test_put_in_place_and_method_forms():
    def run(L):
        a = L.zeros(2, 3, dtype=L.float64, requires_grad=True)
        src = L.tensor([1., 2.], dtype=L.float64, requires_grad=True)
        b = a.clone()
        r = b.put_(L.tensor([4, 0]), src)
        c = a.put(L.tensor([2]), src[:1], accumulate=True)
        (b.sum() * 2 + (c * 3).sum()).backward()
        return r is b, b, c, a.grad, src.grad, b._version if L is ember else b._version
    e, t = both(run)
    assert e[0] and t[0]
    for x, y in zip(e[1:5], t[1:5]):
        same(x, y)
    assert e[1].grad_fn.name() == t[1].grad_fn.name()
    assert e[5] == t[5]


def test_put_gradcheck():
    a = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    s = ember.randn(5, dtype=ember.float64, requires_grad=True)
    idx = ember.tensor([0, 10, -1, 5, 3])           # distinct places (a repeated one has no derivative)
    assert ember.autograd.gradcheck(lambda a, s: ember.put(a, idx, s), (a, s))
    assert ember.autograd.gradcheck(lambda a, s: ember.put(a, ember.tensor([1, 1, 2, 1, 0]), s, accumulate=True),
                                    (a, s))


ERRORS = [
    lambda L: L.zeros(3).put_(L.tensor([1]), L.ones(2)),
    lambda L: L.zeros(3).put_(L.tensor([1], dtype=L.int32), L.ones(1)),
    lambda L: L.zeros(3).put_(L.tensor([1.]), L.ones(1)),
    lambda L: L.zeros(3).put_(L.tensor([1]), L.ones(1, dtype=L.float64)),
    lambda L: L.zeros(3).put_(L.tensor([-4]), L.ones(1)),
    lambda L: L.zeros(3).put_(L.tensor([0, 3]), L.ones(2)),
    lambda L: L.zeros(0).put_(L.tensor([0]), L.ones(1)),
    lambda L: L.zeros(3, requires_grad=True).put_(L.tensor([1]), L.ones(1)),
    lambda L: L.put(L.zeros(2, 2), L.tensor([7]), L.ones(1)),
]


@pytest.mark.parametrize('case', range(len(ERRORS)))
def test_put_errors_match_torch(case):
    with pytest.raises(Exception) as te:
        ERRORS[case](torch)
    with pytest.raises(Exception) as ee:
        ERRORS[case](ember)
    assert type(ee.value) is type(te.value)
    assert str(ee.value).splitlines()[0] == str(te.value).splitlines()[0]


def test_a_failed_put_changes_nothing():
    a = ember.arange(4.)
    v = a._version
    with pytest.raises(IndexError):
        a.put_(ember.tensor([1, 9]), ember.tensor([5., 6.]))
    assert a.tolist() == [0., 1., 2., 3.] and a._version == v
