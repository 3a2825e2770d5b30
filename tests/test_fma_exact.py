"""lerp and addcmul round once, as PyTorch's CPU kernels do with the fused multiply-add instruction
(ops/fma.py), so their results equal PyTorch's bit for bit; RMSprop's update uses the same fused forms."""
import numpy as np
import pytest
import torch

import ember

DTYPES = ['float32', 'float64', 'float16', 'bfloat16']
N = 40001                                    # several in-cache pieces, and a partial one


def _values(dtype, k=4, seed=3):
    rng = np.random.default_rng(seed)
    vals = [rng.standard_normal(N) for _ in range(k - 1)] + [np.abs(rng.standard_normal(N)) % 1]
    return ([ember.tensor(v).to(getattr(ember, dtype)) for v in vals],
            [torch.tensor(v).to(getattr(torch, dtype)) for v in vals])


CASES = {
    'lerp_scalar_low': lambda X: X[0].lerp(X[1], 0.3),
    'lerp_scalar_high': lambda X: X[0].lerp(X[1], 0.7),
    'lerp_tensor_weight': lambda X: X[0].lerp(X[1], X[3]),
    'lerp_inplace': lambda X: X[0].clone().lerp_(X[1], 0.6),
    'addcmul_value': lambda X: X[0].addcmul(X[1], X[2], value=-0.37),
    'addcmul': lambda X: X[0].addcmul(X[1], X[2]),
    'addcmul_inplace_broadcast': lambda X: X[0].clone().addcmul_(X[1], X[2][:1], value=2.5),
    'addcdiv_value': lambda X: X[0].addcdiv(X[1], X[2], value=0.3),
    'lerp_noncontiguous': lambda X: X[0][:40000].reshape(200, 200).t().lerp(X[1][:40000].reshape(200, 200).t(), 0.2),
}


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('name', list(CASES))
def test_bit_exact_with_torch(name, dtype):
    E, T = _values(dtype)
    e, t = CASES[name](E), CASES[name](T)
    assert e.stride() == t.stride()
    np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())


def test_plain_rounding_would_differ():
    """The cases above are not trivially equal: rounding twice differs from torch in many elements."""
    E, T = _values('float32')
    a, b, c = (x.numpy() for x in E[:3])
    assert (a + np.float32(0.3) * (b - a) != T[0].lerp(T[1], 0.3).numpy()).sum() > 1000
    assert (a + b * c != T[0].addcmul(T[1], T[2]).numpy()).sum() > 1000


def test_small_and_zero_dim():
    for lib in (ember, torch):
        a, b = lib.tensor(1.1), lib.tensor([2.3, -0.7])
        assert lib.lerp(a, b, 0.55).shape == (2,) and a.addcmul(a, a, value=3).dim() == 0
    a, b = ember.tensor([1.1, 2.2, 3.3]), ember.tensor([0.1, -5.0, 9.0])
    ta, tb = torch.tensor([1.1, 2.2, 3.3]), torch.tensor([0.1, -5.0, 9.0])
    np.testing.assert_array_equal(ember.lerp(a, b, 0.3).numpy(), torch.lerp(ta, tb, 0.3).numpy())
    np.testing.assert_array_equal(ember.lerp(a[0], b, 0.9).numpy(), torch.lerp(ta[0], tb, 0.9).numpy())


def test_gradients_unchanged():
    a, b = (ember.randn(5, dtype=ember.float64, requires_grad=True) for _ in range(2))
    w = ember.rand(5, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a, b, w: ember.lerp(a, b, w), (a, b, w))
    assert ember.autograd.gradcheck(lambda a, b, w: a.addcmul(b, w, value=0.7), (a, b, w))


def test_rmsprop_centered_variance_without_cancellation_error():
    """alpha=0.01: square_avg and grad_avg**2 cancel to 1% of their size, so rounding grad_avg**2 before
    subtracting (instead of torch's fused addcmul) is off by many ulps; only torch's own float32 sqrt
    (1 ulp off IEEE in ~0.7% of elements) may differ."""
    rng = np.random.default_rng(0)
    x, g = (rng.standard_normal(70001).astype(np.float32) for _ in range(2))
    bufs = []
    for lib in (ember, torch):
        p = lib.tensor(x.copy(), requires_grad=True)
        opt = lib.optim.RMSprop([p], lr=1e-2, alpha=0.01, centered=True, momentum=0.9)
        p.grad = lib.tensor(g)
        opt.step()
        bufs.append(opt.state[p]['momentum_buffer'].numpy())
    np.testing.assert_allclose(bufs[0], bufs[1], rtol=3e-7, atol=0)
