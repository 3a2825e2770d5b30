"""A non-tensor ``input``. add/sub/mul/div/floor_divide: a Python number becomes a 0-dim tensor (or a
wrapped scalar beside a tensor ``other``), anything else (a list, a tuple, None) is the argument
parser's TypeError, as in torch. The one-tensor elementwise functions (exp, sin, ...): any
non-tensor is that TypeError."""
import pytest
import torch

import ember
from same_outcome import outcome, assert_same

CASES = {
    'add-ints': lambda T: T.add(1, 2),
    'add-float-int': lambda T: T.add(1.5, 2),
    'add-list': lambda T: T.add([1], 2),
    'add-tuple': lambda T: T.add((1,), 2),
    'add-number-tensor': lambda T: T.add(1, T.ones(1)),
    'sub-ints': lambda T: T.sub(1, 2),
    'sub-none': lambda T: T.sub(None, 1),
    'mul-list': lambda T: T.mul([1.], 2),
    'mul-list-tensor': lambda T: T.mul([1.], T.ones(1)),
    'mul-number-tensor': lambda T: T.mul(2, T.ones(1)),
    'mul-ints': lambda T: T.mul(2, 3),
    'div-list': lambda T: T.div([1], 2),
    'floor_divide-list': lambda T: T.floor_divide([3], 2),
    'floor_divide-ints': lambda T: T.floor_divide(7, 2),
    'exp-list': lambda T: T.exp([1.]),
    'sin-float': lambda T: T.sin(3.0),
    'abs-int': lambda T: T.abs(2),
    'sqrt-tuple': lambda T: T.sqrt((1,)),
    'relu-list': lambda T: T.relu([1.]),
    'sigmoid-list': lambda T: T.sigmoid([1.]),
    'tanh-none': lambda T: T.tanh(None),
    'log-tensor': lambda T: T.log(T.ones(1)),
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_number_or_not_as_input(name):
    assert_same(outcome(CASES[name], ember), outcome(CASES[name], torch))
