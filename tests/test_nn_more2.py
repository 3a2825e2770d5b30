"""nn.CrossMapLRN2d and nn.LinearCrossEntropyLoss / F.linear_cross_entropy against PyTorch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn.modules.loss_linear_ce import LinearCrossEntropyLoss, LinearCrossEntropyOptions
from ember.nn.modules.lrn_cross_map import CrossMapLRN2d
from ember.ops.linear_ce import linear_cross_entropy
from layers import check_layer

EMBER = {'CrossMapLRN2d': CrossMapLRN2d, 'LinearCrossEntropyLoss': LinearCrossEntropyLoss,
         'LinearCrossEntropyOptions': LinearCrossEntropyOptions, 'linear_cross_entropy': linear_cross_entropy}


def pick(lib, name):
    """torch's object, or ember's (exported from ember.nn / nn.functional once registered)."""
    if lib in (torch.nn, torch.nn.functional, torch):
        return getattr(lib, name)
    return EMBER[name]


# ---------------------------------------------------------------- CrossMapLRN2d
LRN = [((3,), (2, 3, 4, 4)), ((3, 1e-2, 0.5, 2.0), (2, 7, 3, 3)), ((5, 0.1), (1, 8, 2, 3)),
       ((2, 0.3), (2, 6, 2, 2)), ((4, 0.2, 0.6), (1, 5, 2, 2)), ((1,), (2, 4, 2, 2)), ((7, 0.5), (1, 2, 3, 3))]


@pytest.mark.parametrize('args,shape', LRN, ids=[str(i) for i in range(len(LRN))])
def test_cross_map_lrn2d_forward_matches_torch(args, shape):
    # forward (values, grad_fn name) and repr as torch; gradients: gradcheck below (PyTorch's
    # hand-written backward is not the derivative of its forward, see lrn_cross_map.py)
    check_layer(lambda nn: pick(nn, 'CrossMapLRN2d')(*args), [shape], grad=False)
    check_layer(lambda nn: pick(nn, 'CrossMapLRN2d')(*args), [shape], grad=False, dtype=np.float64)


@pytest.mark.cpu_only        # device-independent math; the CUDA pass compares forward/backward with torch
@pytest.mark.parametrize('args,shape', LRN[:5], ids=[str(i) for i in range(5)])
def test_cross_map_lrn2d_gradcheck(args, shape):
    x = ember.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    m = CrossMapLRN2d(*args)
    assert ember.autograd.gradcheck(m, (x,))
    assert ember.autograd.gradgradcheck(m, (x,))
    y = m(x)
    y.backward(ember.ones_like(y))
    assert x.grad.shape == x.shape


def test_cross_map_lrn2d_errors_and_repr():
    for T in (torch, ember):
        m = pick(T.nn, 'CrossMapLRN2d')(3, 1e-3, 0.5, 2)
        with pytest.raises(ValueError, match='CrossMapLRN2d: Expected input to be 4D, got 3D instead.'):
            m(T.ones(2, 3, 3))
    assert repr(CrossMapLRN2d(3, 1e-3, 0.5, 2)) == repr(torch.nn.CrossMapLRN2d(3, 1e-3, 0.5, 2))
    e = CrossMapLRN2d(3)(ember.zeros(0, 3, 2, 2))
    assert e.shape == (0, 3, 2, 2)


# ---------------------------------------------------------------- linear_cross_entropy
def _lce_data(seed=0, n=5, i=4, c=6, probs=False):
    rng = np.random.default_rng(seed)
    x, w, b = rng.standard_normal((n, i)), rng.standard_normal((c, i)), rng.standard_normal(c)
    t = rng.integers(0, c, n)
    t[1] = -100
    cw = rng.random(c) + 0.5
    return x, w, b, t, cw


def _run(T, kw, opts=None, bias=True, unbatched=False, probs=False, target=None):
    x, w, b, t, cw = _lce_data()
    if unbatched:
        x, t = x[0], t[0]
    if probs:
        t = np.random.default_rng(3).random(x.shape[:-1] + (w.shape[0],))
    if target is not None:
        t = target
    xs = [T.tensor(a, requires_grad=True) for a in ((x, w, b) if bias else (x, w))]
    k = dict(kw)
    if 'weight' in k:
        k['weight'] = T.tensor(cw)
    if opts is not None:
        k['options'] = pick(T.nn, 'LinearCrossEntropyOptions')(**opts)
    f = pick(T.nn.functional, 'linear_cross_entropy')
    out = f(xs[0], xs[1], T.tensor(t), linear_bias=xs[2] if bias else None, **k)
    (out.sum() if out.dim() else out).backward()
    return out, [a.grad for a in xs]


LCE = [dict(), dict(reduction='sum'), dict(reduction='none'), dict(weight=1), dict(weight=1, reduction='sum'),
       dict(ignore_index=-100), dict(label_smoothing=0.2), dict(weight=1, label_smoothing=0.1, reduction='none')]
OPTS = [None, dict(batch_chunk_size=2), dict(batch_chunk_size=3, allow_retain_graph=True), dict()]


@pytest.mark.parametrize('opts', OPTS, ids=['reference', 'chunk2', 'chunk3', 'auto'])
@pytest.mark.parametrize('kw', LCE, ids=[str(i) for i in range(len(LCE))])
def test_linear_cross_entropy_matches_torch(kw, opts):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')          # options ignored with label smoothing (both warn)
        tout, tg = _run(torch, kw, opts)
        eout, eg = _run(ember, kw, opts)
    np.testing.assert_allclose(eout.detach().cpu().numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    assert eout.grad_fn.name() == type(tout.grad_fn).__name__ or eout.grad_fn.name() == tout.grad_fn.name()
    for e, t in zip(eg, tg):
        np.testing.assert_allclose(e.cpu().numpy(), t.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize('case', ['unbatched', 'nobias', 'probs', 'unbatched-chunked', 'all-ignored'])
def test_linear_cross_entropy_shapes(case):
    kw = dict(unbatched=case.startswith('unbatched'), bias=case != 'nobias', probs=case == 'probs')
    opts = dict(batch_chunk_size=2) if case in ('unbatched-chunked', 'all-ignored') else None
    if case == 'all-ignored':
        kw['target'] = np.full(5, -100)
    tout, tg = _run(torch, {}, opts, **kw)
    eout, eg = _run(ember, {}, opts, **kw)
    np.testing.assert_allclose(eout.detach().cpu().numpy(), tout.detach().numpy(), rtol=1e-10, equal_nan=True)
    for e, t in zip(eg, tg):
        np.testing.assert_allclose(e.cpu().numpy(), t.numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)


@pytest.mark.cpu_only        # device-independent math; the CUDA pass compares values and grads with torch
def test_linear_cross_entropy_gradcheck():
    x, w, b, t, cw = _lce_data()
    xs = [ember.tensor(a, requires_grad=True) for a in (x, w, b)]
    for opts in (None, LinearCrossEntropyOptions(batch_chunk_size=2, allow_retain_graph=True)):
        for red in ('mean', 'none'):
            def f(x, w, b):
                return linear_cross_entropy(x, w, ember.tensor(t), linear_bias=b, weight=ember.tensor(cw),
                                            reduction=red, options=opts)
            assert ember.autograd.gradcheck(f, xs)
            assert ember.autograd.gradgradcheck(f, xs)


def _same_error(fn):
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ee:
        fn(ember)
    assert type(ee.value) is type(te.value)
    assert str(ee.value).splitlines()[0] == str(te.value).splitlines()[0].replace('torch.', 'ember.')


def _f(T):
    return pick(T.nn.functional, 'linear_cross_entropy')


def _o(T, **kw):
    return pick(T.nn, 'LinearCrossEntropyOptions')(**kw)


ERRORS = {
    'input-3d': lambda T: _f(T)(T.ones(1, 2, 4), T.ones(6, 4), T.zeros(2, dtype=T.int64)),
    'weight-1d': lambda T: _f(T)(T.ones(2, 4), T.ones(4), T.zeros(2, dtype=T.int64)),
    'in-features': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 3), T.zeros(2, dtype=T.int64)),
    'bias-shape': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.zeros(2, dtype=T.int64), linear_bias=T.ones(3)),
    'kdim-unbatched': lambda T: _f(T)(T.ones(4), T.ones(3, 2, 4), T.zeros((), dtype=T.int64)),
    'probs-ignore': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.ones(2, 6), ignore_index=1),
    'target-range-chunked': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.tensor([1, 9]), options=_o(T)),
    'target-range': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.tensor([1, 9])),
    'ignored-not-ignore-index': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.tensor([1, -100]), ignore_index=2),
    'ignored-not-ignore-index-chunked': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.tensor([1, -100]),
                                                        ignore_index=2, options=_o(T)),
    'bad-reduction': lambda T: _f(T)(T.ones(2, 4), T.ones(6, 4), T.tensor([1, 2]), reduction='bad'),
    'acc-policy': lambda T: _o(T, acc_policy='x'),
    'chunking-method': lambda T: _o(T, chunking_method='aspect_ratio:0'),
    'chunk-size': lambda T: _o(T, batch_chunk_size=0),
    'chunk-disagree': lambda T: _f(T)(T.ones(5, 4), T.ones(6, 4), T.zeros(5, dtype=T.int64),
                                      options=_o(T, batch_chunk_size=2, chunking_method='aspect_ratio')),
    'module-weight': lambda T: pick(T.nn, 'LinearCrossEntropyLoss')(4, 6, weight=T.ones(3)),
    'module-smoothing': lambda T: pick(T.nn, 'LinearCrossEntropyLoss')(4, 6, label_smoothing=1.5),
}


@pytest.mark.parametrize('name', list(ERRORS))
def test_linear_cross_entropy_errors(name):
    _same_error(ERRORS[name])


def test_chunked_second_backward_and_warning():
    for T in (torch, ember):
        x = T.ones(3, 4, requires_grad=True)
        loss = _f(T)(x, T.ones(6, 4), T.tensor([1, 2, 3]), options=_o(T, batch_chunk_size=2))
        loss.backward(retain_graph=True)
        with pytest.raises(RuntimeError, match='chunked backward called twice'):
            loss.backward()
        with pytest.warns(UserWarning, match='``options`` ignored'):
            _f(T)(x, T.ones(6, 4), T.tensor([1, 2, 3]), options=_o(T), label_smoothing=0.1)
    o = LinearCrossEntropyOptions()
    assert repr(o) == repr(torch.nn.LinearCrossEntropyOptions())
    a = o._adjust(5, 4, 6, ember.float32, ember.device('cpu'))
    t = torch.nn.LinearCrossEntropyOptions()._adjust(5, 4, 6, torch.float32, torch.device('cpu'))
    assert repr(a) == repr(t).replace('torch.', 'ember.')


MODULES = [
    ((4, 6), {}, [(5, 4), np.array([0, 5, 1, -100, 2])]),
    ((4, 6), dict(bias=True, reduction='sum', label_smoothing=0.1), [(5, 4), np.array([0, 5, 1, 3, 2])]),
    ((4, 3), dict(out_features=(2,), bias=True), [(5, 4), np.array([[0, 1], [2, 2], [1, 0], [0, 0], [2, 1]])]),
    ((4, 6), dict(ignore_index=1, reduction='none'), [(4,), np.array(1)]),
]


@pytest.mark.parametrize('args,kw,specs', MODULES, ids=[str(i) for i in range(len(MODULES))])
def test_linear_cross_entropy_loss_module(args, kw, specs):
    check_layer(lambda nn: pick(nn, 'LinearCrossEntropyLoss')(*args, **kw), specs)


def test_module_with_options_repr_and_chunked():
    opts = {torch: torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2), ember: LinearCrossEntropyOptions(
        batch_chunk_size=2)}
    check_layer(lambda nn: pick(nn, 'LinearCrossEntropyLoss')(4, 6, bias=True, options=opts[
        torch if nn is torch.nn else ember]), [(5, 4), np.array([0, 5, 1, -100, 2])])


def test_container_is_deprecated_module_with_children():
    import warnings
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            c = T.nn.Container(a=T.nn.Linear(1, 2))
        assert type(w[0].message) is FutureWarning
        assert str(w[0].message).startswith('`nn.Container` is deprecated.')
        assert list(dict(c.named_children())) == ['a']
    assert repr(ember.nn.Container(a=ember.nn.Linear(1, 2))) == repr(torch.nn.Container(a=torch.nn.Linear(1, 2)))


def test_new_optimizer_class_names_print_as_torch():
    for name in ('Muon', 'Adafactor'):
        assert repr(getattr(ember.optim, name)).replace('ember', 'torch') == repr(getattr(torch.optim, name))
