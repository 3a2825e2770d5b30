"""NumPy's inf/nan RuntimeWarnings never reach the user, even when the user's own warning
filters would turn them into errors (PyTorch computes inf/nan silently)."""
import warnings

import numpy as np
import pytest
import torch

import ember

CASES = [
    ('reciprocal', lambda T, x: x.reciprocal()),
    ('true_divide', lambda T, x: 1 / x),
    ('sqrt', lambda T, x: x.sqrt()),
    ('log', lambda T, x: x.log()),
    ('pow_half', lambda T, x: x ** 0.5),
    ('norm_at_zero', lambda T, x: (x * 0).norm()),
    ('inplace_reciprocal', lambda T, x: (x * 1).reciprocal_()),
    ('float_to_int', lambda T, x: (1 / x).int()),
]


def _run(T, fn):
    x = T.tensor([0., -1., 4.], requires_grad=True)
    out = fn(T, x)
    out.sum().backward()
    return out.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize('name,fn', CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize('action', ['error', 'always'])
def test_no_numpy_warning_escapes(name, fn, action):
    if name == 'float_to_int':              # int results record no graph: forward only
        fn2 = fn
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            want = fn2(torch, torch.tensor([0., -1., 4.])).numpy()
            got = fn2(ember, ember.tensor([0., -1., 4.])).numpy()
        np.testing.assert_array_equal(got[1:], want[1:])
        return
    want = _run(torch, fn)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter(action)
        got = _run(ember, fn)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, equal_nan=True)
    if action == 'error':
        assert not seen


def test_backward_quiet_under_always_filter():
    x = ember.tensor([0., 1.], requires_grad=True)
    y = x.sqrt().sum()
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter('always')
        y.backward()
    assert not [w for w in seen if issubclass(w.category, RuntimeWarning)]
    assert np.isinf(x.grad.numpy()[0])
