"""roll/flip/movedim/logsumexp read their dims as torch's parser does: a float (or a float inside the tuple) is a
TypeError naming the argument, its position when given by position, the element's index; NumPy and
0-dim integer tensors read as ints."""
import numpy as np
import pytest
import torch

import ember

CASES = [
    lambda T, x: x.roll(1, 1.0), lambda T, x: x.roll(1.0, 1), lambda T, x: x.roll(1, (1.0,)),
    lambda T, x: T.roll(x, 1, 1.0), lambda T, x: x.flip(1.0), lambda T, x: x.flip((1.0,)),
    lambda T, x: x.flip(dims=1.0), lambda T, x: T.flip(x, (0.5,)), lambda T, x: x.movedim(0, 1.0),
    lambda T, x: x.movedim(0.0, 1), lambda T, x: x.roll(1, dims=1.0), lambda T, x: x.flip(0, 1.0),
    lambda T, x: x.movedim((0,), 1.0), lambda T, x: x.movedim((0,), (1.0,)), lambda T, x: (x + 1).flip(1.0),
    lambda T, x: x.roll(shifts=1.5), lambda T, x: x.logsumexp(dim=1.0), lambda T, x: x.logsumexp(1.0),
    lambda T, x: T.logsumexp(x, 1.0), lambda T, x: x.logsumexp((1.0,)), lambda T, x: x.logsumexp(dim=None),
]
OK = [
    lambda T, x: x.flip(0), lambda T, x: x.flip((0, 1)), lambda T, x: x.flip(0, 1), lambda T, x: x.roll(1, 0),
    lambda T, x: x.roll((1, 1), (0, 1)), lambda T, x: x.roll(np.int64(1), np.int64(0)),
    lambda T, x: x.movedim(np.int64(0), 1), lambda T, x: x.flip(np.int64(0)), lambda T, x: x.roll(T.tensor(1), 0),
    lambda T, x: x.flip([0]), lambda T, x: x.roll(1), lambda T, x: x.movedim([0, 1], [1, 0]),
    lambda T, x: x.logsumexp(np.int64(1)), lambda T, x: x.logsumexp(T.tensor(1)), lambda T, x: x.logsumexp([0]),
]


def _x(T):
    return T.arange(6.).reshape(2, 3)


@pytest.mark.parametrize('i', range(len(CASES)))
def test_bad_dims_as_torch(i):
    with pytest.raises(TypeError) as te:
        CASES[i](torch, _x(torch))
    with pytest.raises(TypeError) as ee:
        CASES[i](ember, _x(ember))
    assert str(ee.value).split('\n')[0] == str(te.value).split('\n')[0]


@pytest.mark.parametrize('i', range(len(OK)))
def test_int_like_dims_as_torch(i):
    e, t = OK[i](ember, _x(ember)), OK[i](torch, _x(torch))
    assert tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)      # (logsumexp: float32 exp/log drift)
