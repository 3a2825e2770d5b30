"""Activations and dropout against PyTorch: functional forms (forward, grad_fn names,
backward, gradcheck/gradgradcheck), in-place forms, layers and reprs, dropout statistics."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case
from layers import check_layer


def f(name, *args, **kw):
    return lambda T, x: getattr(T.nn.functional, name)(x, *args, **kw)


def f_(name, *args, **kw):
    """The in-place form on a non-leaf (x * 1)."""
    return lambda T, x: getattr(T.nn.functional, name)(x * 1, *args, inplace=True, **kw)


ACT = [
    case('leaky_relu', f('leaky_relu', 0.2), [(3, 4)]),
    case('leaky_relu_', f_('leaky_relu', 0.2), [(3, 4)]),
    case('elu', f('elu'), [(3, 4)]),
    case('elu-alpha', f('elu', 0.5), [(3, 4)]),
    case('elu_', f_('elu'), [(3, 4)]),
    case('selu', f('selu'), [(3, 4)]),
    case('selu_', f_('selu'), [(3, 4)]),
    case('celu', f('celu', 2.0), [(3, 4)]),
    case('gelu', f('gelu'), [(3, 4)]),
    case('gelu-tanh', f('gelu', approximate='tanh'), [(3, 4)]),
    case('silu', f('silu'), [(3, 4)]),
    case('silu_', f_('silu'), [(3, 4)]),
    case('mish', f('mish'), [(3, 4)]),
    case('softplus', f('softplus'), [(3, 4)]),
    case('softplus-beta', f('softplus', 2.0, 1.5), [(3, 4)]),
    case('hardtanh', f('hardtanh'), [(3, 4)], low=-3, high=3),
    case('hardtanh_', f_('hardtanh', -0.5, 0.5), [(3, 4)]),
    case('relu6', f('relu6'), [(3, 4)], low=-3, high=8),
    case('relu6_', f_('relu6'), [(3, 4)], low=-3, high=8),
    case('hardswish', f('hardswish'), [(3, 4)], low=-5, high=5),
    case('hardsigmoid', f('hardsigmoid'), [(3, 4)], low=-5, high=5, gradgrad=False),   # torch has none
    case('logsigmoid', f('logsigmoid'), [(3, 4)]),
    case('softsign', f('softsign'), [(3, 4)]),
    case('tanhshrink', f('tanhshrink'), [(3, 4)]),
    case('softshrink', f('softshrink'), [(3, 4)]),
    case('hardshrink', f('hardshrink', 0.3), [(3, 4)]),
    case('threshold', f('threshold', 0.1, 20.0), [(3, 4)]),
    case('threshold_', f_('threshold', 0.1, 20.0), [(3, 4)]),
    case('glu', f('glu'), [(3, 4)]),
    case('glu-dim0', f('glu', 0), [(4, 3)]),
    case('softmin', f('softmin', 1), [(3, 4)]),
    case('prelu-1', lambda T, x, w: T.nn.functional.prelu(x, w), [(2, 3, 4), (1,)]),
    case('prelu-channels', lambda T, x, w: T.nn.functional.prelu(x, w), [(2, 3, 4), (3,)]),
    case('act-0d', f('gelu'), [()]),
    case('act-float64', f('mish'), [(5,)], dtype=np.float64),
]


@pytest.mark.parametrize('fn,specs,kw', ACT)
def test_activation(fn, specs, kw):
    check(fn, specs, **kw)


LAYERS = [
    pytest.param(lambda nn: nn.LeakyReLU(0.2), id='LeakyReLU'),
    pytest.param(lambda nn: nn.ELU(0.7), id='ELU'),
    pytest.param(lambda nn: nn.GELU('tanh'), id='GELU'),
    pytest.param(lambda nn: nn.SiLU(), id='SiLU'),
    pytest.param(lambda nn: nn.Mish(), id='Mish'),
    pytest.param(lambda nn: nn.Softplus(2, 10), id='Softplus'),
    pytest.param(lambda nn: nn.Hardtanh(-2, 2), id='Hardtanh'),
    pytest.param(lambda nn: nn.ReLU6(), id='ReLU6'),
    pytest.param(lambda nn: nn.Hardswish(), id='Hardswish'),
    pytest.param(lambda nn: nn.SELU(), id='SELU'),
    pytest.param(lambda nn: nn.CELU(2.0), id='CELU'),
    pytest.param(lambda nn: nn.PReLU(4), id='PReLU'),
    pytest.param(lambda nn: nn.Threshold(0.1, 20.0), id='Threshold'),
    pytest.param(lambda nn: nn.Softmin(dim=1), id='Softmin'),
    pytest.param(lambda nn: nn.GLU(1), id='GLU'),
    pytest.param(lambda nn: nn.Softmax2d(), id='Softmax2d'),
    pytest.param(lambda nn: nn.Softshrink(), id='Softshrink'),
    pytest.param(lambda nn: nn.LogSigmoid(), id='LogSigmoid'),
    pytest.param(lambda nn: nn.Flatten(), id='Flatten'),
    pytest.param(lambda nn: nn.Unflatten(1, (2, 2)), id='Unflatten'),
    pytest.param(lambda nn: nn.Dropout(0.3), id='Dropout-eval'),
]


@pytest.mark.parametrize('make', LAYERS)
def test_layer(make):
    check_layer(make, [(2, 4, 3)], train=False)


def test_prelu_default_init():
    assert ember.nn.PReLU(3).weight.tolist() == torch.nn.PReLU(3).weight.tolist()


@pytest.mark.parametrize('name', ['dropout', 'dropout1d', 'dropout2d', 'dropout3d', 'alpha_dropout',
                                  'feature_alpha_dropout'])
def test_dropout_statistics(name):
    """Kept fraction is 1 - p, kept values are scaled so the mean is preserved, masks per channel
    for the feature forms; the same structure as torch's output (not the same random numbers)."""
    shapes = {'dropout1d': (40, 50, 8), 'dropout2d': (40, 50, 4, 2), 'dropout3d': (20, 50, 2, 2, 2)}
    shape = shapes.get(name, (200, 400) if 'feature' not in name else (40, 50, 4, 2))
    x = np.ones(shape, np.float32)
    e = getattr(ember.nn.functional, name)(ember.tensor(x), 0.3, True).cpu().numpy()
    t = getattr(torch.nn.functional, name)(torch.tensor(x), 0.3, True).cpu().numpy()
    assert sorted(np.unique(e.round(5))) == sorted(np.unique(t.round(5)))
    assert abs((e == e.max()).mean() - (t == t.max()).mean()) < 0.05
    if e.ndim > 2 and name != 'dropout':
        per_channel = e.reshape(e.shape[:2] + (-1,))
        assert (per_channel == per_channel[..., :1]).all()


def test_dropout_identity_and_errors():
    x = ember.ones(3)
    assert ember.nn.functional.dropout(x, 0.5, training=False) is x
    assert ember.nn.functional.dropout(x, 1.0).tolist() == [0.0, 0.0, 0.0]
    check_error(lambda T, x: T.nn.functional.dropout(x, 1.5), [(3,)])
    for lib in (torch, ember):
        with pytest.raises(ValueError, match='dropout probability has to be between 0 and 1, but got -0.1'):
            lib.nn.Dropout(-0.1)


def test_dropout_gradient_uses_the_same_mask():
    x = ember.ones(100, 100, requires_grad=True)
    y = ember.nn.functional.dropout(x, 0.4)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), y.detach().cpu().numpy())
    assert y.grad_fn.name() == 'MulBackward0'


def test_activation_errors():
    check_error(f('glu'), [(3, 5)])
    check_error(f('gelu', approximate='foo'), [(3,)])


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'float16'])
def test_relu_gradient_is_zero_where_masked_even_for_non_finite_grads(dtype):
    """PyTorch's threshold_backward writes 0 where the output is not positive: an inf or NaN
    incoming gradient does not leak through there (g * mask would give NaN)."""
    import torch
    import ember
    x = [-1.0, 2.0, 0.0, -3.0, 4.0]
    g = [float('nan'), 1.0, float('inf'), -2.0, float('nan')]
    out = []
    for L in (torch, ember):
        t = L.tensor(x, dtype=getattr(L, dtype), requires_grad=True)
        L.relu(t).backward(L.tensor(g, dtype=getattr(L, dtype)))
        out.append(t.grad.detach().cpu().float().tolist())
    assert str(out[0]) == str(out[1])          # NaN in the same places, zeros (not -0.0) elsewhere


@pytest.mark.parametrize('name', ['hardtanh', 'relu6', 'threshold', 'clamp', 'hardsigmoid', 'hardswish',
                                  'hardshrink', 'softshrink'])
def test_masked_gradients_match_torch_at_edges_and_for_non_finite_grads(name):
    """Outside their active region these gradients are exactly 0 in PyTorch, whatever the incoming
    gradient (inf, NaN); at the region's edges they follow PyTorch's kernels (e.g. hardswish at +-3)."""
    import torch
    import ember
    x = [-5.0, -3.0, -1.0, -0.5, 0.0, 0.05, 0.5, 1.0, 3.0, 6.0, 7.0]
    g = [float('nan'), float('inf'), 1.0, -2.0, float('nan'), 3.0, float('-inf'), 1.5, 2.0, float('nan'), 0.5]
    fns = {'hardtanh': lambda L, t: L.nn.functional.hardtanh(t), 'relu6': lambda L, t: L.nn.functional.relu6(t),
           'threshold': lambda L, t: L.nn.functional.threshold(t, 0.1, 20.0), 'clamp': lambda L, t: t.clamp(-1, 1),
           'hardsigmoid': lambda L, t: L.nn.functional.hardsigmoid(t),
           'hardswish': lambda L, t: L.nn.functional.hardswish(t),
           'hardshrink': lambda L, t: L.nn.functional.hardshrink(t),
           'softshrink': lambda L, t: L.nn.functional.softshrink(t)}
    out = []
    for L in (torch, ember):
        t = L.tensor(x, requires_grad=True)
        fns[name](L, t).backward(L.tensor(g))
        out.append(str(t.grad.detach().cpu().tolist()))
    assert out[0] == out[1]


def test_silu_is_torch_formula():
    """SiLU is x / (1 + exp(-x)) as torch's kernel computes it (x * sigmoid(x) rounds once more):
    bfloat16 (computed in float32) carries torch's bits; float32/float64 are that formula exactly."""
    import numpy as np
    import torch
    x = (np.random.default_rng(3).standard_normal(20000) * 4).astype(np.float64)
    t = torch.nn.functional.silu(torch.from_numpy(x).to(torch.bfloat16)).double().numpy()
    e = ember.nn.functional.silu(ember.from_numpy(x).to(ember.bfloat16)).double().numpy()
    np.testing.assert_array_equal(e, t)
    for nd in (np.float32, np.float64):
        a = x.astype(nd)
        np.testing.assert_array_equal(ember.nn.functional.silu(ember.from_numpy(a)).numpy(), a / (1 + np.exp(-a)))
