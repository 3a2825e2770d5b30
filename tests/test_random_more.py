"""ember.binomial: PyTorch's dtype rules, errors and graph node; sample statistics (ember's
random stream differs from PyTorch's, so values are checked statistically with a fixed seed)."""
import numpy as np
import pytest
import torch

import ember


def test_binomial_statistics_dtype_and_device():
    ember.manual_seed(0)
    count = ember.full((20000,), 10.)
    prob = ember.full((20000,), 0.3)
    s = ember.binomial(count, prob)
    assert s.dtype == ember.float32 and s.device == count.device and s.shape == count.shape
    x = s.cpu().numpy()
    assert np.all(x == np.round(x)) and x.min() >= 0 and x.max() <= 10
    assert abs(x.mean() - 3.0) < 5 * np.sqrt(2.1 / x.size)
    assert abs(x.var() - 2.1) < 0.1
    edge = ember.binomial(ember.tensor([0., 5., 5.]), ember.tensor([0.5, 0., 1.]))
    assert edge.tolist() == [0., 0., 5.]


def test_binomial_is_recorded_but_not_differentiable_as_pytorch():
    for T in (torch, ember):
        c = T.tensor([10., 20.], requires_grad=True)
        r = T.binomial(c, T.tensor([0.5, 0.2]))
        assert r.requires_grad and r.grad_fn.name().endswith('::autograd::NotImplemented')
        with pytest.raises(RuntimeError, match='derivative for aten::binomial is not implemented'):
            r.sum().backward()


@pytest.mark.parametrize('count,prob', [((np.int64, [10, 20]), (np.float32, [0.5, 0.2])),
                                        ((np.float32, [10., 20.]), (np.float64, [0.5, 0.2]))])
def test_binomial_errors_as_pytorch(count, prob):
    errs = []
    for T in (torch, ember):
        with pytest.raises((ValueError, RuntimeError)) as e:
            T.binomial(T.tensor(np.array(count[1], count[0])), T.tensor(np.array(prob[1], prob[0])))
        errs.append((e.type, str(e.value).replace('torch', 'ember')))
    assert errs[0] == errs[1]
