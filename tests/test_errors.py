"""The common mistakes, against real PyTorch: same exception type, same first message line,
and the failed call leaves every input exactly as it was (values, version, graph, grad).

Each case is (id, function, input specs); specs as in helpers.check. Float inputs are
leaves that require grad only where the case says so."""
import numpy as np
import pytest
import torch

import ember
from helpers import make_arrays, _build, _call, arr, ints

F32 = np.float32


def snapshot(t):
    return (t._data.copy(), t._vc[0], t.grad_fn, t.requires_grad,
            None if t.grad is None else t.grad._data.copy(), tuple(t.shape), t.stride())


def same_snapshot(a, b):
    assert np.array_equal(a[0], b[0], equal_nan=True), 'values changed'
    assert a[1:4] == b[1:4], f'version/grad_fn/requires_grad changed: {a[1:4]} -> {b[1:4]}'
    assert (a[4] is None) == (b[4] is None) and (a[4] is None or np.array_equal(a[4], b[4])), 'grad changed'
    assert a[5:] == b[5:], 'shape/stride changed'


def run(fn, specs, requires_grad=None, unchanged=True, on_cuda=None):
    """``on_cuda``: (type name, message) PyTorch gives where the inputs live on cuda:0, for the cases
    whose error differs there from the CPU one that torch (on the CPU here) gives."""
    arrays = make_arrays(specs)
    rg = requires_grad or [False] * len(arrays)
    tx, ex = _build(torch, arrays, rg), _build(ember, arrays, rg)
    with pytest.raises(Exception) as te:
        _call(fn, torch, tx)
    before = [snapshot(x) for x in ex if isinstance(x, ember.Tensor)]
    with pytest.raises(Exception) as ee:
        _call(fn, ember, ex)
    after = [snapshot(x) for x in ex if isinstance(x, ember.Tensor)]
    want_type, want = type(te.value).__name__, str(te.value)
    if on_cuda and ember.get_default_device().type == 'cuda':
        want_type, want = on_cuda
    assert type(ee.value).__name__ == want_type, \
        f'ember raised {type(ee.value).__name__}: {ee.value}\ntorch raised {want_type}: {want}'
    want = want.replace('torch.', 'ember.').split('\n')[0]
    got = str(ee.value).split('\n')[0].replace('[ember.cuda.', '[ember.')   # (torch's CUDA spelling)
    assert got == want, f'\nember: {got}\ntorch: {want}'
    if unchanged:
        for a, b in zip(before, after):
            same_snapshot(a, b)


def case(id_, fn, specs, requires_grad=None, unchanged=True, on_cuda=None):
    return pytest.param(fn, specs, requires_grad, unchanged, on_cuda, id=id_)


def _inplace_leaf(x):
    x.add_(1)


def _modified_saved(x):
    y = x * 1
    z = y.sin()
    y.add_(1)
    z.sum().backward()


def _backward_twice(x):
    y = (x * x).sum()
    y.backward()
    y.backward()


def _nonscalar_backward(x):
    (x * 2).backward()


MISTAKES = [
    # shapes
    case('matmul-2d', lambda x, y: x @ y, [(2, 3), (2, 3)]),
    case('matmul-1d', lambda x, y: x @ y, [(3,), (4,)]),
    case('matmul-batched', lambda x, y: x @ y, [(2, 2, 3), (3, 2, 4)]),
    case('matmul-0d', lambda x, y: x @ y, [(), (3,)]),
    case('mm', lambda T, x, y: T.mm(x, y), [(2, 3), (4, 5)]),
    case('mm-1d', lambda T, x, y: T.mm(x, y), [(3,), (3, 2)]),
    case('bmm', lambda T, x, y: T.bmm(x, y), [(2, 2, 3), (3, 3, 4)]),
    case('mv', lambda T, x, y: T.mv(x, y), [(2, 3), (4,)]),
    case('dot', lambda T, x, y: T.dot(x, y), [(3,), (4,)]),
    case('broadcast-add', lambda x, y: x + y, [(2, 3), (4,)]),
    case('broadcast-mul', lambda x, y: x * y, [(2, 3, 4), (3, 3, 4)]),
    case('broadcast-inplace', lambda x, y: x.add_(y), [(3,), (2, 3)]),
    case('view-size', lambda x: x.view(4, 4), [(3, 4)]),
    case('view-two-inferred', lambda x: x.view(-1, -1), [(3, 4)]),
    case('view-noncontiguous', lambda x: x.t().view(12), [(3, 4)]),
    case('reshape-size', lambda x: x.reshape(5, -1), [(3, 4)]),
    case('expand', lambda x: x.expand(2, 4), [(3,)]),
    case('cat-shapes', lambda T, x, y: T.cat([x, y]), [(2, 3), (2, 4)]),
    case('cat-ndim', lambda T, x, y: T.cat([x, y]), [(2, 3), (3,)]),
    case('cat-empty-list', lambda T: T.cat([]), []),
    case('cat-dim', lambda T, x, y: T.cat([x, y], dim=2), [(2, 3), (2, 3)]),
    case('stack-shapes', lambda T, x, y: T.stack([x, y]), [(2, 3), (3, 2)]),
    # indices and dims
    case('index-int', lambda x: x[5], [(3, 4)]),
    case('index-negative', lambda x: x[-4], [(3, 4)]),
    case('index-second-dim', lambda x: x[:, 7], [(3, 4)]),
    case('index-too-many', lambda x: x[0, 0, 0], [(3, 4)]),
    case('index-0d', lambda x: x[0], [()]),
    case('index-tensor-range', lambda x, i: x[i], [(3, 4), arr([0, 5], np.int64)]),
    case('index-float-tensor', lambda x, i: x[i], [(3, 4), arr([0., 1.])]),
    case('index-mask-shape', lambda x, m: x[m], [(3, 4), np.array([True, False])]),
    case('setitem-int', lambda x: x.__setitem__(5, 1.0), [(3, 4)]),
    case('sum-dim', lambda x: x.sum(3), [(3, 4)]),
    case('sum-dim-negative', lambda x: x.sum(-3), [(3, 4)]),
    case('mean-int', lambda x: x.mean(), [ints((3,))]),
    case('softmax-dim', lambda T, x: T.softmax(x, 2), [(3, 4)]),
    case('transpose-dim', lambda x: x.transpose(0, 2), [(3, 4)]),
    case('unsqueeze-dim', lambda x: x.unsqueeze(3), [(3, 4)]),
    case('select-index', lambda x: x.select(1, 4), [(3, 4)]),
    case('narrow-range', lambda x: x.narrow(0, 2, 2), [(3, 4)]),
    case('permute-count', lambda x: x.permute(1, 0, 2), [(3, 4)]),
    case('permute-repeat', lambda x: x.permute(0, 0), [(3, 4)]),
    case('max-dim', lambda x: x.max(dim=2), [(3, 4)]),
    case('argmax-empty', lambda x: x.argmax(), [(0,)]),
    # conversions and autograd
    # on a GPU the device check comes first in torch: TypeError, before the requires-grad check
    case('numpy-requires-grad', lambda x: x.numpy(), [(3,)], [True],
         on_cuda=('TypeError', "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy "
                               'the tensor to host memory first.')),
    case('item-many', lambda x: x.item(), [(3,)]),
    case('bool-many', lambda x: bool(x), [(3,)]),
    case('int-requires-grad', lambda T: T.tensor([1, 2], requires_grad=True), []),
    case('inplace-leaf', _inplace_leaf, [(3,)], [True]),
    case('inplace-leaf-view', lambda x: x[0].mul_(2), [(3,)], [True]),
    case('modified-saved', _modified_saved, [(3,)], [True]),
    # the first backward legitimately fills x.grad; only the second one fails
    case('backward-twice', _backward_twice, [(3,)], [True], unchanged=False),
    case('backward-nonscalar', _nonscalar_backward, [(3,)], [True]),
    case('backward-no-grad', lambda x: (x * 2).sum().backward(), [(3,)]),
    case('grad-of-int', lambda x: x.requires_grad_(), [ints((3,))]),
    case('mm-dtype', lambda T, x, y: T.mm(x, y), [(2, 2), ints((2, 2))]),
    case('div-int-zero', lambda x: x // 0, [ints((3,))]),
]


@pytest.mark.parametrize('fn,specs,requires_grad,unchanged,on_cuda', MISTAKES)
def test_mistake(fn, specs, requires_grad, unchanged, on_cuda):
    run(fn, specs, requires_grad, unchanged, on_cuda)
