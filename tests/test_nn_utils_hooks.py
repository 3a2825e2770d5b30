"""nn.utils, second part: the weight-norm primitives, old-style weight_norm / spectral_norm
hooks, conv/linear + batch-norm fusion, skip_init and functional_call, against torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.func  # noqa: F401  (ember/__init__ does not import it yet)
from helpers import case, check, check_error
from test_nn_utils_more import close, copy_in, lib_of, run_both, same_module

EWN = __import__('ember.nn.utils.weight_norm', fromlist=['_weight_norm'])

# ---------------------------------------------------------------- weight_norm primitives
def _wn(T, v, g, dim):
    return (torch._weight_norm if T is torch else EWN._weight_norm)(v, g, dim)


def _ned(T, v, dim):
    return (torch.norm_except_dim if T is torch else EWN.norm_except_dim)(v, 2, dim)


PRIMS = [
    case('wn_dim0', lambda T, v, g: _wn(T, v, g, 0), [(3, 4), (3, 1)], low=0.5),
    case('wn_dim_last', lambda T, v, g: _wn(T, v, g, 2), [(2, 3, 4), (1, 1, 4)], low=0.5),
    case('wn_dim_mid', lambda T, v, g: _wn(T, v, g, 1), [(2, 3, 4), (1, 3, 1)], low=0.5),
    case('wn_all', lambda T, v, g: _wn(T, v, g, -1), [(2, 3), ()], low=0.5),
    case('wn_noncontig', lambda T, v, g: _wn(T, v.t(), g, 0), [(4, 3), (3, 1)], low=0.5),
    case('ned_0', lambda T, v: _ned(T, v, 0), [(3, 4)], low=0.5),
    case('ned_last', lambda T, v: _ned(T, v, 2), [(2, 3, 4)], low=0.5),
    case('ned_mid', lambda T, v: _ned(T, v, 1), [(2, 3, 4)], low=0.5),
    case('ned_neg', lambda T, v: _ned(T, v, -2), [(2, 3, 4)], low=0.5),
    # torch's C++ v.norm(p) records NormBackward0; ember's Tensor.norm records LinalgVectorNormBackward0
    case('ned_all', lambda T, v: _ned(T, v, -1), [(2, 3, 4)], low=0.5, grad_fn=False),
]


@pytest.mark.parametrize('fn,specs,kw', PRIMS)
def test_weight_norm_primitives(fn, specs, kw):
    check(fn, specs, layout=False, **kw)   # layout: the fused kernel's output strides are not modelled


def test_weight_norm_primitive_errors():
    check_error(lambda T, v: _ned(T, v, 5), [(2, 3, 4)])
    check_error(lambda T, v, g: _wn(T, v, g, 0), [(2, 3), np.ones((2, 1))])


# ---------------------------------------------------------------- old-style hooks
def test_old_weight_norm():
    def make(T):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            m = T.nn.utils.weight_norm(lib_of(T).Linear(3, 4))
        assert [x.category for x in w] == [FutureWarning]
        assert str(w[0].message).startswith(f'`{T.__name__}.nn.utils.weight_norm` is deprecated')
        return m
    tm, em = run_both(make, (2, 3), steps=2)
    assert em.weight.grad_fn.name() == tm.weight.grad_fn.name()
    for T, m in ((torch, tm), (ember, em)):
        with pytest.raises(RuntimeError, match='Cannot register two weight_norm hooks'), \
                warnings.catch_warnings():
            warnings.simplefilter('ignore')
            T.nn.utils.weight_norm(m)
        T.nn.utils.remove_weight_norm(m)
    same_module(tm, em)
    close(em.weight, tm.weight)
    check_error(lambda T: T.nn.utils.remove_weight_norm(lib_of(T).Linear(1, 1)), [])


@pytest.mark.parametrize('ctor,shape', [(lambda T: lib_of(T).Linear(3, 4), (2, 3)),
                                        (lambda T: lib_of(T).Conv1d(2, 3, 2), (1, 2, 4)),
                                        (lambda T: lib_of(T).ConvTranspose1d(2, 3, 2), (1, 2, 4))])
def test_old_spectral_norm(ctor, shape):
    tm, em = run_both(lambda T: T.nn.utils.spectral_norm(ctor(T), n_power_iterations=2), shape, steps=2)
    assert [n for n, _ in em.named_buffers()] == ['weight_u', 'weight_v']
    tm.eval()
    em.eval()
    x = np.ones(shape, np.float32)
    close(em(ember.tensor(x)), tm(torch.tensor(x)))
    # a state_dict round trip, then removal
    em.load_state_dict(em.state_dict())
    for T, m in ((torch, tm), (ember, em)):
        T.nn.utils.remove_spectral_norm(m)
    same_module(tm, em)
    close(em.weight, tm.weight)
    assert not em._state_dict_hooks and not em._load_state_dict_pre_hooks
    check_error(lambda T: T.nn.utils.remove_spectral_norm(lib_of(T).Linear(1, 1)), [])


# ---------------------------------------------------------------- fusion
@pytest.mark.parametrize('kind', ['conv', 'convT', 'linear', 'linear_bn1', 'conv_nobias'])
def test_fusion(kind):
    def make(T):
        nn = lib_of(T)
        conv = {'conv': lambda: nn.Conv2d(2, 3, 3), 'convT': lambda: nn.ConvTranspose2d(2, 3, 3),
                'conv_nobias': lambda: nn.Conv2d(2, 3, 3, bias=False),
                'linear': lambda: nn.Linear(4, 3), 'linear_bn1': lambda: nn.Linear(4, 3)}[kind]()
        bn = nn.BatchNorm1d(1 if kind == 'linear_bn1' else 3) if kind.startswith('linear') else nn.BatchNorm2d(3)
        return nn.Sequential(conv, bn)
    torch.manual_seed(0)
    tm, em = make(torch), make(ember)
    with torch.no_grad():
        for p in tm.parameters():
            p.uniform_(0.5, 1.5)
        tm[1].running_mean.uniform_(-1, 1)
        tm[1].running_var.uniform_(0.5, 2)
    copy_in(tm, em)
    tm.eval()
    em.eval()
    if kind.startswith('linear'):
        tf = torch.nn.utils.fuse_linear_bn_eval(tm[0], tm[1])
        ef = ember.nn.utils.fuse_linear_bn_eval(em[0], em[1])
        x = np.random.default_rng(0).normal(size=(2, 4)).astype(np.float32)
    else:
        tf = torch.nn.utils.fuse_conv_bn_eval(tm[0], tm[1], transpose=kind == 'convT')
        ef = ember.nn.utils.fuse_conv_bn_eval(em[0], em[1], transpose=kind == 'convT')
        x = np.random.default_rng(0).normal(size=(1, 2, 5, 5)).astype(np.float32)
    assert repr(ef) == repr(tf)
    close(ef.weight, tf.weight)
    close(ef.bias, tf.bias)
    assert isinstance(ef.weight, ember.nn.Parameter) and ef.weight.requires_grad
    close(ef(ember.tensor(x)), tf(torch.tensor(x)), 1e-4)
    if kind != 'linear_bn1':
        close(ef(ember.tensor(x)), em(ember.tensor(x)), 1e-4)
    assert ef is not em[0]
    em.train()
    with pytest.raises(AssertionError, match='Fusion only for eval!'):
        ember.nn.utils.fuse_linear_bn_eval(em[0], em[1])


def test_fuse_weights_functions():
    rng = np.random.default_rng(0)
    w, b, rm, rv, bw, bb, wt = (rng.uniform(0.5, 1.5, s).astype(np.float32) for s in [(3, 2, 1), (3,), (3,), (3,),
                                                                                  (3,), (3,), (2, 3, 1)])
    for fn, args in ((lambda T: T.nn.utils.fuse_conv_bn_weights, (w, None, rm, rv, 1e-5, None, None)),
                     (lambda T: T.nn.utils.fuse_conv_bn_weights, (wt, b, rm, rv, 1e-3, bw, bb, True)),
                     (lambda T: T.nn.utils.fuse_linear_bn_weights, (w[:, :, 0], b, rm, rv, 1e-5, bw, bb))):
        conv = {torch: torch.tensor, ember: ember.tensor}
        outs = [fn(T)(*[conv[T](a) if isinstance(a, np.ndarray) else a for a in args]) for T in (torch, ember)]
        for t, e in zip(*outs):
            close(e, t)
            assert type(e).__name__ == type(t).__name__ and e.requires_grad == t.requires_grad


# ---------------------------------------------------------------- skip_init, functional_call
def test_skip_init():
    m = ember.nn.utils.skip_init(ember.nn.Linear, 3, 4, bias=False)
    assert repr(m) == 'Linear(in_features=3, out_features=4, bias=False)'
    assert m.weight.shape == (4, 3) and m.weight.device.type == 'cpu'
    check_error(lambda T: T.nn.utils.skip_init(int), [])
    check_error(lambda T: T.nn.utils.skip_init(lib_of(T).ReLU), [])


def test_functional_call():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    em = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4))
    copy_in(tm, em)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3)).astype(np.float32)
    w = rng.normal(size=(4, 3)).astype(np.float32)
    tw, ew = torch.tensor(w, requires_grad=True), ember.tensor(w, requires_grad=True)
    to = torch.func.functional_call(tm, {'0.weight': tw}, (torch.tensor(x),))
    eo = ember.func.functional_call(em, {'0.weight': ew}, (ember.tensor(x),))
    close(eo, to)
    to.sum().backward()
    eo.sum().backward()
    close(ew.grad, tw.grad, 1e-4)
    assert em[0].weight.grad is None and isinstance(em[0].weight, ember.nn.Parameter)
    close(em[0].weight, tm[0].weight)
    close(em[1].running_mean, tm[1].running_mean)     # buffers updated in the real module
    with pytest.warns(FutureWarning, match='functional_call` is deprecated'):
        eo2 = ember.nn.utils.stateless.functional_call(em, {'0.weight': ew}, ember.tensor(x))
    assert eo2.shape == (5, 4)
    check_error(lambda T: T.func.functional_call(tm if T is torch else em, {'0.w': T.zeros(1)}, (T.zeros(5, 3),),
                                                 strict=True), [])
    check_error(lambda T: T.func.functional_call(tm if T is torch else em, [{'a': 1}, {'a': 2}], ()), [])
    check_error(lambda T: T.func.functional_call(tm if T is torch else em, 3, ()), [])


def test_functional_call_tied():
    em = ember.nn.Linear(2, 2, bias=False)
    em2 = ember.nn.Sequential(em, em)
    w = ember.eye(2)
    out = ember.func.functional_call(em2, {'0.weight': w}, (ember.ones(1, 2),))
    close(out, np.ones((1, 2)))
    out = ember.func.functional_call(em2, {'0.weight': w}, (ember.ones(1, 2),), tie_weights=False)
    assert out.shape == (1, 2)
