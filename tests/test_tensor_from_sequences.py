"""torch.tensor / as_tensor read any object of Python's sequence protocol (deque, array.array, UserList, a
class with __len__/__getitem__), nested too, as torch does (pytorch/examples' reinforce.py builds a tensor
from a deque); mappings, sets and iterators keep torch's errors."""
import array
import collections

import pytest
import torch

import ember


class Pairs:
    def __len__(self):
        return 2

    def __getitem__(self, i):
        if i >= 2:
            raise IndexError
        return [i, i + 1]


CASES = [
    lambda T: T.tensor(collections.deque([1., 2.])), lambda T: T.tensor(array.array('d', [1., 2.])),
    lambda T: T.tensor(array.array('i', [1, 2])), lambda T: T.tensor(collections.UserList([1, 2])),
    lambda T: T.tensor(Pairs()), lambda T: T.tensor(collections.deque([collections.deque([1, 2]), [3, 4]])),
    lambda T: T.tensor([collections.deque([1, 2]), [3, 4]]), lambda T: T.as_tensor(collections.deque([1, 2])),
    lambda T: T.tensor(collections.deque([1, 2.5]), dtype=T.int32), lambda T: T.tensor(collections.deque([])),
    lambda T: T.tensor(collections.deque([True, False])), lambda T: T.FloatTensor(collections.deque([1, 2])),
]
ERRORS = [
    lambda T: T.tensor({1, 2}), lambda T: T.tensor({'a': 1}), lambda T: T.tensor(iter([1, 2])),
    lambda T: T.tensor(collections.OrderedDict(a=1)), lambda T: T.tensor(collections.deque([[1, 2], [3]])),
]


@pytest.mark.parametrize('i', range(len(CASES)))
def test_sequence_protocol_read_as_torch(i):
    t, e = CASES[i](torch), CASES[i](ember)
    assert str(e.dtype).replace('ember', 'torch') == str(t.dtype)
    assert e.tolist() == t.tolist()


@pytest.mark.parametrize('i', range(len(ERRORS)))
def test_non_sequences_refused_as_torch(i):
    with pytest.raises(Exception) as te:
        ERRORS[i](torch)
    with pytest.raises(Exception) as ee:
        ERRORS[i](ember)
    assert type(ee.value) is type(te.value)
    assert str(ee.value).split('\n')[0] == str(te.value).split('\n')[0]
