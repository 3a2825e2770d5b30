"""ember.optim.Muon against torch.optim.Muon: same parameters and gradients, compared every step.

Muon's Newton-Schulz iteration runs in bfloat16 (in both); ember reproduces the rounding after
every product, but a product landing within float32 accumulation noise of a bfloat16 rounding
tie can round the other way (PyTorch's GEMM sums in another order). Such a flip moves one entry
of the update by one bfloat16 ulp, so parameters are compared with a tolerance of a few
``lr * 2**-8`` and, tighter, on average.
"""
import numpy as np
import pytest
import torch

import ember
from ember.optim.muon import Muon, zeropower_newton_schulz

SHAPES = [(8, 5), (5, 12), (16, 16)]

CASES = [
    dict(lr=0.02),
    dict(lr=0.02, nesterov=False),
    dict(lr=0.1, weight_decay=0.01, adjust_lr_fn='match_rms_adamw'),
    dict(lr=0.05, momentum=0.3, adjust_lr_fn='original', eps=1e-5),
    dict(lr=0.03, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5), weight_decay=0.0),
]


def _np(t):
    return t.detach().cpu().numpy()


def _pair(kw, seed=0, shapes=SHAPES, dtype=np.float32):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    tp = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    ep = [ember.nn.Parameter(ember.tensor(a)) for a in init]
    return torch.optim.Muon(tp, **kw), Muon(ep, **kw), tp, ep, rng


def _grads(tp, ep, rng):
    for t, e in zip(tp, ep):
        g = rng.standard_normal(tuple(t.shape)).astype(_np(t).dtype)
        t.grad, e.grad = torch.tensor(g), ember.tensor(g)


def _close(t, e, lr):
    d = np.abs(_np(t) - _np(e))
    assert d.max() <= 40 * lr * 2.0 ** -8, d.max()
    assert d.mean() <= 2e-3 * lr, d.mean()


@pytest.mark.parametrize('kw', CASES, ids=[str(i) for i in range(len(CASES))])
def test_matches_torch_every_step(kw):
    to, eo, tp, ep, rng = _pair(kw)
    for _ in range(12):
        _grads(tp, ep, rng)
        to.step()
        eo.step()
        for t, e in zip(tp, ep):
            _close(t, e, kw['lr'])
            tb, eb = to.state[t]['momentum_buffer'], eo.state[e]['momentum_buffer']
            assert np.allclose(_np(tb), _np(eb), rtol=1e-6, atol=1e-7)


def test_first_step_is_exact_and_float64():
    for dtype in (np.float32, np.float64):
        to, eo, tp, ep, rng = _pair(dict(lr=0.02), dtype=dtype)
        _grads(tp, ep, rng)
        to.step()
        eo.step()
        for t, e in zip(tp, ep):
            assert _np(e).dtype == dtype       # (float64: no wider type to emulate the fused add)
            np.testing.assert_allclose(_np(e), _np(t), rtol=0 if dtype == np.float32 else 1e-14, atol=0)


def test_newton_schulz_matches_torch():
    from torch.optim._muon import _zeropower_via_newtonschulz
    rng = np.random.default_rng(1)
    for shape in [(4, 6), (6, 4), (16, 16), (32, 8)]:
        g = rng.standard_normal(shape).astype(np.float32)
        want = _zeropower_via_newtonschulz(torch.tensor(g), (3.4445, -4.775, 2.0315), 5, 1e-7).float().numpy()
        np.testing.assert_array_equal(zeropower_newton_schulz(g, (3.4445, -4.775, 2.0315), 5, 1e-7), want)
    zero = zeropower_newton_schulz(np.zeros((3, 2), np.float32), (3.4445, -4.775, 2.0315), 5, 1e-7)
    assert not np.isnan(zero).any() and (zero == 0).all()


def test_repr_state_dict_and_load():
    to, eo, tp, ep, rng = _pair(dict(lr=0.02, weight_decay=0.05))
    assert repr(eo) == repr(to)
    for _ in range(3):
        _grads(tp, ep, rng)
        to.step()
        eo.step()
    tsd, esd = to.state_dict(), eo.state_dict()
    assert esd['param_groups'] == tsd['param_groups']
    assert sorted(esd['state']) == sorted(tsd['state'])
    for k in tsd['state']:
        assert list(esd['state'][k]) == ['momentum_buffer']
    # a fresh ember optimizer continues from torch's state exactly as torch does
    eo2 = Muon(ep, lr=0.5)
    eo2.load_state_dict({'state': {k: {'momentum_buffer': ember.tensor(v['momentum_buffer'].numpy())}
                                   for k, v in tsd['state'].items()},
                         'param_groups': tsd['param_groups']})
    assert eo2.param_groups[0]['lr'] == 0.02
    for t, e in zip(tp, ep):
        e.data = ember.tensor(_np(t))
    _grads(tp, ep, rng)
    to.step()
    eo2.step()
    for t, e in zip(tp, ep):
        _close(t, e, 0.02)


def test_lr_tensor_closure_and_no_grad():
    to, eo, tp, ep, rng = _pair(dict(lr=0.02))
    eo.param_groups[0]['lr'] = ember.tensor(0.02)
    to.param_groups[0]['lr'] = torch.tensor(0.02)
    _grads(tp[:1], ep[:1], rng)        # the others have no gradient: untouched, no state
    assert eo.step(lambda: 3.0) == 3.0
    to.step()
    _close(tp[0], ep[0], 0.02)
    np.testing.assert_array_equal(_np(tp[1]), _np(ep[1]))
    assert len(eo.state) == len(to.state) == 1


@pytest.mark.parametrize('kw', [dict(lr=-1.0), dict(momentum=-0.1), dict(weight_decay=-1.0),
                                dict(adjust_lr_fn='bad'), dict(lr='tensor')])
def test_constructor_errors(kw):
    def make(T, M):
        k = dict(kw)
        if k.get('lr') == 'tensor':
            k['lr'] = T.tensor([0.1, 0.2])
        return M([T.nn.Parameter(T.ones(2, 3))], **k)
    _same_error(lambda: make(torch, torch.optim.Muon), lambda: make(ember, Muon))


@pytest.mark.parametrize('shape', [(3,), (2, 3, 4), ()])
def test_non_2d_params_rejected(shape):
    _same_error(lambda: torch.optim.Muon([torch.nn.Parameter(torch.ones(2, 2)), torch.nn.Parameter(torch.ones(shape))]),
                lambda: Muon([ember.nn.Parameter(ember.ones(2, 2)), ember.nn.Parameter(ember.ones(shape))]),
                torch_text=lambda s: s.replace('torch.', 'ember.'))


@pytest.mark.parametrize('what', ['ns_steps', 'coefficients', 'grad_1d', 'complex'])
def test_step_errors_leave_state_unchanged(what):
    def make(T, M):
        w = T.nn.Parameter(T.ones(2, 2, dtype=T.complex64 if what == 'complex' else T.float32))
        kw = {'ns_steps': dict(ns_steps=100), 'coefficients': dict(ns_coefficients=(1.0, 2.0))}.get(what, {})
        o = M([w], **kw)
        w.grad = T.ones_like(w)
        if what == 'grad_1d':
            b = T.nn.Parameter(T.ones(3))
            o.add_param_group({'params': [b]})
            b.grad = T.ones(3)
        return o
    eo = make(ember, Muon)
    before = [_np(p).copy() for g in eo.param_groups for p in g['params']]
    _same_error(lambda: make(torch, torch.optim.Muon).step(), eo.step)
    after = [_np(p) for g in eo.param_groups for p in g['params']]
    assert all((a == b).all() for a, b in zip(before, after))
    if what != 'grad_1d':      # (PyTorch creates the buffers before it notices the 1-D gradient)
        assert len(eo.state) == 0


def _same_error(tfn, efn, torch_text=lambda s: s):
    with pytest.raises(Exception) as te:
        tfn()
    with pytest.raises(Exception) as ee:
        efn()
    assert type(ee.value) is type(te.value)
    assert str(ee.value).splitlines()[0] == torch_text(str(te.value).splitlines()[0])


def test_trains_a_model_like_torch():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(6, 8, bias=False), torch.nn.Tanh(), torch.nn.Linear(8, 3, bias=False))
    em = ember.nn.Sequential(ember.nn.Linear(6, 8, bias=False), ember.nn.Tanh(), ember.nn.Linear(8, 3, bias=False))
    em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    to, eo = torch.optim.Muon(tm.parameters(), lr=0.05), Muon(em.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 6)).astype(np.float32), rng.integers(0, 3, 16)
    losses = []
    for _ in range(8):
        for m, o, T in ((tm, to, torch), (em, eo, ember)):
            o.zero_grad()
            loss = T.nn.functional.cross_entropy(m(T.tensor(x)), T.tensor(y))
            loss.backward()
            o.step()
            losses.append(loss.item())
    assert np.allclose(losses[0::2], losses[1::2], rtol=1e-3)
    assert losses[-1] < losses[0]
