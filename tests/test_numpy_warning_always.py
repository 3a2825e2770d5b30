"""NumPy's inf/nan RuntimeWarnings stay silent under any warnings filter a user adds after
``import ember`` ('always', 'default', 'error'), as PyTorch never gives them: forward ops, in-place
ops, backward, optimizer steps and range factories. Each case is run on torch too."""
import warnings

import numpy as np
import pytest
import torch

import ember

INF, NAN = float('inf'), float('nan')

CASES = {
    'div0': lambda T: T.tensor([1.]) / 0,
    'log0': lambda T: T.log(T.tensor([0.])),
    'sigmoid': lambda T: T.sigmoid(T.tensor([-1000.])),
    'exp': lambda T: T.exp(T.tensor([1000.])),
    'log-backward': lambda T: T.log(T.zeros(2, requires_grad=True)).sum().backward(),
    'x/x-backward': lambda T: (lambda x: (x / x).sum().backward())(T.zeros(2, requires_grad=True)),
    'sum-overflow': lambda T: T.tensor([3e38, 3e38]).sum(),
    'cumsum-overflow': lambda T: T.tensor([3e38, 3e38]).cumsum(0),
    'half': lambda T: T.tensor([60000.], dtype=T.float16) * 2,
    'bf16': lambda T: T.tensor([1.], dtype=T.bfloat16) / 0,
    'norm': lambda T: T.linalg.norm(T.tensor([1e30, 1e30])),
    'nanmean': lambda T: T.nanmean(T.tensor([NAN])),
    'silu': lambda T: T.nn.functional.silu(T.tensor([-1000.])),
    'div_-inplace': lambda T: T.tensor([1.]).div_(0),
    'float-cast': lambda T: T.tensor([1e300], dtype=T.float64).float(),
    'long-of-nan': lambda T: T.tensor([NAN]).long(),
    'pow': lambda T: T.tensor([10.]) ** 1000,
    'softmax-inf': lambda T: T.softmax(T.tensor([INF, 1.]), 0),
    'linspace-inf': lambda T: T.linspace(0, INF, 3),
    'logspace-overflow': lambda T: T.logspace(0, 400, 3, dtype=T.float64),
    'adam-inf-grad': lambda T: (lambda p: (setattr(p, 'grad', T.tensor([INF])), T.optim.Adam([p]).step()))(
        T.nn.Parameter(T.ones(1))),
}


@pytest.fixture(autouse=True)
def numpy_warns():
    """NumPy's own default (the suite's conftest turns NumPy's warnings off)."""
    with np.errstate(divide='warn', over='warn', invalid='warn'):
        yield


def _runtime_warnings(T, name, mode):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(mode)
        CASES[name](T)
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize('mode', ['always', 'default', 'error'])
@pytest.mark.parametrize('name', sorted(CASES))
def test_no_numpy_warning_under_user_filters(name, mode):
    assert _runtime_warnings(ember, name, mode) == _runtime_warnings(torch, name, mode) == []


def test_user_numpy_code_still_warns():
    """Only ember's own NumPy calls are quiet: the user's NumPy code keeps its warnings."""
    ember.log(ember.tensor([0.]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        np.log(np.zeros(1))
    assert any('divide by zero' in str(w.message) for w in caught)
