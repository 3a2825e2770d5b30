"""Reduction methods take no out= (and max/min/prod/median no dim=None): NumPy's np.sum(t), np.max(t), ...
pass axis=None, out=None and fail under torch with its parser's TypeError; ember fails the same way."""
import numpy as np
import pytest
import torch

import ember

NAMES = ['sum', 'mean', 'prod', 'max', 'min', 'argmax', 'argmin', 'any', 'all', 'std', 'var', 'amax', 'amin',
         'median', 'nansum', 'nanmean', 'nanmedian']
KWS = [dict(out=None), dict(dim=None), dict(axis=None, out=None), dict(axis=None, dtype=None, out=None),
       dict(axis=None, out=None, keepdims=False), dict(dim=0, out=None), dict(axis=0, out=None)]
NUMPY = ['sum', 'mean', 'max', 'amax', 'min', 'prod', 'std', 'var', 'argmax', 'argmin', 'median', 'nansum']


def _outcome(fn):
    try:
        r = fn()
    except TypeError as e:
        return 'TypeError: ' + str(e).split('\n')[0]
    return 'ok ' + str(tuple(r.shape)) if hasattr(r, 'shape') else 'ok'


def _x(lib, name):
    x = lib.tensor([[0.5, -1.0, 2.0], [3.0, 0.25, -0.5]])
    return x > 0 if name in ('any', 'all') else x


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('k', range(len(KWS)))
def test_method_keywords_as_torch(name, k):
    kw = KWS[k]
    want = _outcome(lambda: getattr(_x(torch, name), name)(**kw))
    got = _outcome(lambda: getattr(_x(ember, name), name)(**kw))
    assert got.replace('ember', 'torch') == want


@pytest.mark.parametrize('name', NUMPY)
def test_numpy_reductions_on_a_tensor_as_torch(name):
    want = _outcome(lambda: getattr(np, name)(_x(torch, name)))
    got = _outcome(lambda: getattr(np, name)(_x(ember, name)))
    assert got.replace('ember', 'torch') == want


def test_function_forms_keep_out():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    o = ember.empty(2)
    ember.sum(x, dim=0, out=o)
    assert o.tolist() == [4.0, 6.0]
    assert float(ember.max(x)) == 4.0 and x.sum(dim=None).item() == 10.0
