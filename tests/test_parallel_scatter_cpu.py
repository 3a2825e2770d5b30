"""nn.parallel.scatter/scatter_kwargs as torch's on a CPU target (refused), and the scatter_gather
module path scripts import them from."""
import pytest
import torch
from torch.nn.parallel.scatter_gather import scatter as t_scatter, scatter_kwargs as t_scatter_kwargs

import ember
from ember.nn.parallel.scatter_gather import scatter as e_scatter, scatter_kwargs as e_scatter_kwargs

CASES = [
    lambda T, sc, kw: sc(T.arange(4), [T.device('cpu')]),
    lambda T, sc, kw: sc(T.arange(4), ['cpu']),
    lambda T, sc, kw: sc((T.arange(4), 3), [T.device('cpu'), T.device('cpu')]),
    lambda T, sc, kw: kw((T.arange(4),), {}, ['cpu']),
]


@pytest.mark.parametrize('i', range(len(CASES)))
def test_cpu_targets_refused_as_torch(i):
    with pytest.raises(ValueError) as te:
        CASES[i](torch, t_scatter, t_scatter_kwargs)
    with pytest.raises(ValueError) as ee:
        CASES[i](ember, e_scatter, e_scatter_kwargs)
    assert str(ee.value) == str(te.value)


def test_non_tensors_pass_through():
    assert e_scatter(3, ['cpu']) == t_scatter(3, ['cpu']) == [3]
    assert e_scatter([1, 2], ['cpu']) == t_scatter([1, 2], ['cpu']) == [[1, 2]]


def test_data_parallel_on_cpu_still_runs():
    m = ember.nn.Linear(3, 2)
    dp = ember.nn.DataParallel(m)
    x = ember.randn(4, 3)
    assert ember.equal(dp(x), m(x))
