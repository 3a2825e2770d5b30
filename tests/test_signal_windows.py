"""ember.signal.windows against torch.signal.windows: values for symmetric and periodic windows of
several lengths in float32 and float64, each window's parameters, requires_grad (the recorded
graph and its gradient), and PyTorch's errors."""
import numpy as np
import pytest
import torch
import torch.signal.windows as TW

import ember
import ember.signal.windows as EW
from helpers import assert_same, check_error, case

PARAMS = {'general_cosine': {'a': [0.5, 0.3, 0.2]}, 'kaiser': {'beta': 4.0}, 'gaussian': {'std': 1.3},
          'general_hamming': {'alpha': 0.6}}
NAMES = TW.__all__


def test_names():
    assert sorted(EW.__all__) == sorted(TW.__all__)


@pytest.mark.parametrize('name', NAMES)
@pytest.mark.parametrize('sym', [True, False])
def test_values(name, sym):
    for M in (0, 1, 2, 3, 4, 7, 10):
        for dt in ('float32', 'float64'):
            kw = dict(PARAMS.get(name, {}), sym=sym)
            t = getattr(TW, name)(M, dtype=getattr(torch, dt), **kw)
            e = getattr(EW, name)(M, dtype=getattr(ember, dt), **kw)
            assert_same(e, t, f'{name}(M={M}, sym={sym}, {dt})')


@pytest.mark.parametrize('name', NAMES)
def test_default_dtype_and_params(name):
    a = {'a': [1.0]} if name == 'general_cosine' else {}
    assert_same(getattr(EW, name)(6, **a), getattr(TW, name)(6, **a))


@pytest.mark.parametrize('kw', [dict(beta=0.0), dict(beta=8.5, sym=False)])
def test_kaiser(kw):
    assert_same(EW.kaiser(9, **kw), TW.kaiser(9, **kw))


@pytest.mark.parametrize('kw', [dict(tau=0.5), dict(center=1.0, tau=2.0, sym=False), dict(center=7.0, sym=False)])
def test_exponential(kw):
    assert_same(EW.exponential(6, **kw), TW.exponential(6, **kw))


@pytest.mark.parametrize('name', NAMES)
def test_requires_grad(name):
    kw = PARAMS.get(name, {})
    t = getattr(TW, name)(5, dtype=torch.float64, requires_grad=True, **kw)
    e = getattr(EW, name)(5, dtype=ember.float64, requires_grad=True, **kw)
    assert_same(e, t)
    g = np.linspace(-1, 1, 5)
    t.backward(torch.tensor(g))
    e.backward(ember.tensor(g))
    for lt, le in ((t, e), (getattr(TW, name)(1, requires_grad=True, **kw), getattr(EW, name)(1, requires_grad=True, **kw))):
        assert le.requires_grad == lt.requires_grad and le.is_leaf == lt.is_leaf


def _bad(name, M=3, dtype=None):
    def fn(T):
        kw = dict(PARAMS.get(name, {}))
        if dtype is not None:
            kw['dtype'] = getattr(T, dtype)
        return getattr(T.signal.windows, name)(M, **kw)
    return fn


ERRORS = [case(f'{n}_{what}', _bad(n, **kw), []) for n in NAMES
          for what, kw in (('negative', dict(M=-1)), ('int', dict(dtype='int64')), ('half', dict(dtype='float16')))]
ERRORS += [
    case('gaussian_std', lambda T: T.signal.windows.gaussian(3, std=0), []),
    case('exponential_tau', lambda T: T.signal.windows.exponential(3, tau=-1), []),
    case('exponential_center', lambda T: T.signal.windows.exponential(3, center=1.0), []),
    case('kaiser_beta', lambda T: T.signal.windows.kaiser(3, beta=-1), []),
    case('cosine_coeffs_type', lambda T: T.signal.windows.general_cosine(3, a=1), []),
    case('cosine_coeffs_empty', lambda T: T.signal.windows.general_cosine(3, a=[]), []),
    case('positional', lambda T: T.signal.windows.hann(3, 4), []),
    case('missing_a', lambda T: T.signal.windows.general_cosine(3), []),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_float_length_is_type_error():
    for lib in (torch, ember):
        with pytest.raises(TypeError):
            lib.signal.windows.hann(2.0)
