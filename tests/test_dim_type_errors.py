"""A dim that is no int: PyTorch's parser TypeError, worded per op (one signature: the argument and, when
given by position, its position; several overloads: "invalid combination" with what was passed), for
method, function and nn.functional calls."""
import pytest
import torch
import torch.nn.functional as tF

import ember
import ember.nn.functional as eF

CASES = [
    lambda T, F, x: x.max(dim=(0, 1)), lambda T, F, x: x.max((0, 1)), lambda T, F, x: T.max(x, (0, 1)),
    lambda T, F, x: x.min(dim=(0, 1)), lambda T, F, x: x.argmax(dim=(0, 1)), lambda T, F, x: x.argmax((0, 1)),
    lambda T, F, x: T.argmax(x, (0, 1)), lambda T, F, x: T.argmax(x, dim=(0, 1)),
    lambda T, F, x: x.argmin(dim=(0, 1)), lambda T, F, x: F.softmax(x, dim=(0,)), lambda T, F, x: F.softmax(x, (0,)),
    lambda T, F, x: x.softmax((0,)), lambda T, F, x: x.softmax(dim=(0,)), lambda T, F, x: T.softmax(x, (0,)),
    lambda T, F, x: F.log_softmax(x, dim=(0,)), lambda T, F, x: x.log_softmax(1.0),
    lambda T, F, x: x.sum(dim=1.0), lambda T, F, x: x.sum(1.0), lambda T, F, x: x.mean(dim=1.0),
    lambda T, F, x: x.sort(dim=(0,)), lambda T, F, x: x.argsort(dim=(0,)), lambda T, F, x: x.topk(1, dim=(0,)),
    lambda T, F, x: x.kthvalue(1, dim=(0,)), lambda T, F, x: x.unbind((0,)), lambda T, F, x: x.unbind(dim=(0,)),
    lambda T, F, x: x.select((0,), 0), lambda T, F, x: x.narrow((0,), 0, 1), lambda T, F, x: x.transpose((0,), 1),
    lambda T, F, x: x.gather((0,), T.zeros(2, 3, dtype=T.long)),
    lambda T, F, x: x.index_select((0,), T.tensor([0])), lambda T, F, x: x.chunk(2, (0,)),
    lambda T, F, x: x.chunk(2, dim=(0,)), lambda T, F, x: x.split(1, (0,)), lambda T, F, x: T.cat([x, x], (0,)),
    lambda T, F, x: T.cat([x, x], dim=(0,)), lambda T, F, x: T.stack([x, x], (0,)),
    lambda T, F, x: x.diff(dim=(0,)), lambda T, F, x: x.median(dim=(0, 1)), lambda T, F, x: x.median((0, 1)),
    lambda T, F, x: x.mode(dim=(0,)), lambda T, F, x: x.cummax(dim=(0,)), lambda T, F, x: x.cumsum(dim=(0,)),
    lambda T, F, x: x.cumsum((0,)), lambda T, F, x: x.nanmedian(dim=(0,)),
    lambda T, F, x: T.nn.Softmax(dim=(0,))(x), lambda T, F, x: x.std(dim=1.0), lambda T, F, x: x.prod(dim=(0,)),
    lambda T, F, x: x.unsqueeze((0,)), lambda T, F, x: x.flatten((0,)), lambda T, F, x: x.all(dim=1.0),
    # receivers that are expressions, not names
    lambda T, F, x: (x + 0).argmax((0, 1)), lambda T, F, x: (x * 1).cumsum((0,)), lambda T, F, x: x.t().max((0,)),
    lambda T, F, x: (x + 0).split(1, (0,)), lambda T, F, x: [x][0].unbind((0,)),
]


def _first_line(fn):
    with pytest.raises(TypeError) as e:
        fn()
    return str(e.value).split('\n')[0]


@pytest.mark.parametrize('i', range(len(CASES)))
def test_dim_type_error_as_torch(i):
    case = CASES[i]
    want = _first_line(lambda: case(torch, tF, torch.randn(2, 3)))
    got = _first_line(lambda: case(ember, eF, ember.randn(2, 3)))
    assert got == want


def test_failed_call_leaves_the_tensor_unchanged():
    x = ember.arange(6.).reshape(2, 3)
    with pytest.raises(TypeError):
        x.max(dim=(0, 1))
    assert x.tolist() == [[0., 1., 2.], [3., 4., 5.]]
