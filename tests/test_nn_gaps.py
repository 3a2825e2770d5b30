"""Differential tests for the nn gaps: F.gumbel_softmax, F.upsample_nearest/bilinear, global
module hooks and Module.share_memory, utils.checkpoint, nn.utils.prune and
nn.AdaptiveLogSoftmaxWithLoss, each against torch."""
import importlib
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check

LIBS = (torch, ember)


def _np(t):
    return t.detach().cpu().numpy()


def _copy_params(src, dst):
    with ember.no_grad():
        for (n1, p1), (n2, p2) in zip(src.named_parameters(), dst.named_parameters()):
            assert n1 == n2
            p2.copy_(ember.tensor(_np(p1)))


# ---------------------------------------------------------------- gumbel_softmax

@pytest.mark.parametrize('hard', [False, True])
@pytest.mark.parametrize('dim', [-1, 0])
def test_gumbel_softmax_same_noise(monkeypatch, hard, dim):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((3, 5)).astype(np.float64)
    noise = rng.exponential(size=(3, 5))
    up = rng.standard_normal((3, 5))
    res = {}
    for lib in LIBS:
        monkeypatch.setattr(lib.Tensor, 'exponential_', lambda self, *a, lib=lib, **k: self.copy_(lib.tensor(noise)))
        x = lib.tensor(logits, requires_grad=True)
        y = lib.nn.functional.gumbel_softmax(x, tau=0.7, hard=hard, dim=dim)
        y.backward(lib.tensor(up))
        res[lib] = (_np(y), y.dtype, y.grad_fn.name(), _np(x.grad))
    t, e = res[torch], res[ember]
    np.testing.assert_allclose(e[0], t[0], atol=1e-12)
    assert str(e[1]).split('.')[1] == str(t[1]).split('.')[1] and e[2] == t[2]
    np.testing.assert_allclose(e[3], t[3], atol=1e-10)
    if hard:
        assert set(np.unique(e[0])) == {0.0, 1.0} and (e[0].sum(dim) == 1).all()


def test_gumbel_softmax_statistics_and_warning():
    ember.manual_seed(0)
    logits = ember.tensor([1.0, 0.0, -1.0, 2.0])
    y = ember.nn.functional.gumbel_softmax(logits.expand(20000, 4), hard=True)
    freq = _np(y).mean(0)
    np.testing.assert_allclose(freq, _np(logits.softmax(0)), atol=0.02)
    soft = ember.nn.functional.gumbel_softmax(logits.expand(8, 4), tau=2.0)
    np.testing.assert_allclose(_np(soft.sum(-1)), 1.0, rtol=1e-6)
    for lib in LIBS:
        with pytest.warns(UserWarning, match='^`eps` parameter is deprecated and has no effect.$'):
            lib.nn.functional.gumbel_softmax(lib.zeros(2, 3), eps=1e-5)


# ---------------------------------------------------------------- upsample_nearest / upsample_bilinear

UPSAMPLE = [
    ('nearest_scale', lambda T, x: T.nn.functional.upsample_nearest(x, scale_factor=2), [(1, 2, 3, 4)]),
    ('nearest_size', lambda T, x: T.nn.functional.upsample_nearest(x, size=(5, 7)), [(2, 1, 3, 4)]),
    ('nearest_1d', lambda T, x: T.nn.functional.upsample_nearest(x, size=9), [(1, 2, 4)]),
    ('bilinear_scale', lambda T, x: T.nn.functional.upsample_bilinear(x, scale_factor=2), [(1, 2, 3, 4)]),
    ('bilinear_size', lambda T, x: T.nn.functional.upsample_bilinear(x, size=(5, 3)), [(2, 1, 3, 4)]),
]


@pytest.mark.parametrize('fn,specs', [c[1:] for c in UPSAMPLE], ids=[c[0] for c in UPSAMPLE])
def test_upsample_aliases(fn, specs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(fn, specs)


@pytest.mark.parametrize('name', ['upsample_nearest', 'upsample_bilinear'])
def test_upsample_deprecation_text(name):
    msgs = []
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            getattr(lib.nn.functional, name)(lib.zeros(1, 1, 2, 2), scale_factor=2)
        msgs.append([(type(m.message), str(m.message)) for m in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


# ---------------------------------------------------------------- global hooks, share_memory

def _hook_log(lib):
    mm = importlib.import_module(lib.__name__ + '.nn.modules.module')
    log = []
    handles = [
        mm.register_module_forward_pre_hook(lambda m, a: log.append(('gpre', type(m).__name__))),
        mm.register_module_forward_hook(lambda m, a, o: log.append(('gfwd', type(m).__name__))),
        mm.register_module_forward_hook(lambda m, a, k, o: log.append(('gkw', type(k).__name__)),
                                        with_kwargs=True),
        mm.register_module_full_backward_pre_hook(lambda m, go: log.append(('gbpre', type(m).__name__))),
        mm.register_module_full_backward_hook(lambda m, gi, go: log.append(('gbw', type(m).__name__))),
    ]
    try:
        net = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.ReLU())
        net[0].register_forward_pre_hook(lambda m, a: log.append(('lpre',)))
        net[0].register_forward_hook(lambda m, a, o: log.append(('lfwd',)))
        net[0].register_full_backward_hook(lambda m, gi, go: log.append(('lbw',)))
        net(lib.ones(4, 3, requires_grad=True)).sum().backward()
        log.append('--')
    finally:
        for h in handles:
            h.remove()
    net(lib.ones(4, 3)).sum()
    return log


def test_global_call_hooks_order_matches_torch():
    assert _hook_log(ember) == _hook_log(torch)
    assert ember.nn.Module.__call__ is ember.nn.modules.hooks.HooksMixin._call_impl


def test_global_hook_replaces_input_and_output():
    from ember.nn.modules.module import register_module_forward_pre_hook, register_module_forward_hook
    lin = ember.nn.Linear(2, 2)
    with register_module_forward_pre_hook(lambda m, a: (a[0] * 0,)), \
            register_module_forward_hook(lambda m, a, o: o + 1):
        out = lin(ember.ones(1, 2))
    np.testing.assert_allclose(_np(out), _np(lin.bias + 1)[None])
    np.testing.assert_allclose(_np(lin(ember.zeros(1, 2))), _np(lin.bias)[None])


def _hooks_changed_during_call(lib):
    mm = importlib.import_module(lib.__name__ + '.nn.modules.module')
    lin, log = lib.nn.Linear(2, 2), []

    def once(m, a, o):
        log.append('once')
        handle.remove()

    def adder(m, a, o):
        log.append('adder')
        if len(log) <= 3:
            m.register_forward_hook(lambda *a: log.append('new'))
    handle = lin.register_forward_hook(once)
    lin.register_forward_hook(adder)
    with mm.register_module_forward_hook(lambda *a: log.append('g')):
        lin(lib.ones(1, 2))
        lin(lib.ones(1, 2))
    return log, len(lin._forward_hooks)


def test_hooks_added_and_removed_inside_a_global_call():
    assert _hooks_changed_during_call(ember) == _hooks_changed_during_call(torch)


def _registration_log(lib):
    mm = importlib.import_module(lib.__name__ + '.nn.modules.module')
    log = []
    hs = [mm.register_module_parameter_registration_hook(lambda m, n, p: log.append(('param', n))),
          mm.register_module_buffer_registration_hook(lambda m, n, b: log.append(('buf', n))),
          mm.register_module_module_registration_hook(lambda m, n, c: log.append(('mod', n)))]
    try:
        net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3))
        net.extra = lib.nn.Identity()
        net.register_buffer('b', lib.zeros(1))
        net.register_module('x', lib.nn.ReLU())
        net.q = lib.nn.Parameter(lib.zeros(1))
    finally:
        for h in hs:
            h.remove()
    lib.nn.Linear(2, 2)
    return log


def test_global_registration_hooks_match_torch():
    assert _registration_log(ember) == _registration_log(torch)


def test_registration_hook_replaces_value():
    from ember.nn.modules.module import register_module_buffer_registration_hook
    with register_module_buffer_registration_hook(lambda m, n, b: b + 5):
        m = ember.nn.Module()
        m.register_buffer('z', ember.zeros(2))
    assert _np(m.z).tolist() == [5.0, 5.0]


def test_share_memory_returns_module():
    m = ember.nn.Linear(2, 3)
    w = m.weight
    assert m.share_memory() is m and m.weight is w


# ---------------------------------------------------------------- checkpoint

def _nets():
    tn = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 6), torch.nn.Tanh(),
                             torch.nn.Linear(6, 3))
    en = ember.nn.Sequential(ember.nn.Linear(4, 6), ember.nn.Tanh(), ember.nn.Linear(6, 6), ember.nn.Tanh(),
                             ember.nn.Linear(6, 3))
    _copy_params(tn, en)
    return tn, en


def _ck_run(lib, net, how, x_grad=True):
    ck = importlib.import_module(lib.__name__ + '.utils.checkpoint')
    x = lib.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4), requires_grad=x_grad)
    if how == 'plain':
        y = net(x)
    elif how == 'sequential':
        y = ck.checkpoint_sequential(net, 2, x, use_reentrant=True)
    else:
        y = ck.checkpoint(net, x, use_reentrant=how == 'reentrant')
    (y * y).sum().backward()
    return [_np(y)] + ([_np(x.grad)] if x_grad else []) + [_np(p.grad) for p in net.parameters()]


@pytest.mark.parametrize('how', ['reentrant', 'non_reentrant', 'sequential'])
def test_checkpoint_grads_match_plain_and_torch(how):
    tn, en = _nets()
    ref = _ck_run(ember, en, 'plain')
    en.zero_grad()
    got = _ck_run(ember, en, how)
    tgot = _ck_run(torch, tn, how)
    for a, b, c in zip(got, ref, tgot):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(a, c, rtol=1e-4, atol=1e-5)


def test_checkpoint_non_reentrant_params_without_input_grad():
    tn, en = _nets()
    got, ref = _ck_run(ember, en, 'non_reentrant', x_grad=False), _ck_run(torch, tn, 'non_reentrant', x_grad=False)
    for a, b in zip(got, ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_checkpoint_preserves_rng_for_dropout():
    from ember.utils.checkpoint import checkpoint
    net = ember.nn.Sequential(ember.nn.Linear(5, 16), ember.nn.Dropout(0.5), ember.nn.Linear(16, 2))
    x = ember.ones(3, 5, requires_grad=True)
    ember.manual_seed(3)
    net(x).sum().backward()
    ref = [_np(p.grad) for p in net.parameters()] + [_np(x.grad)]
    net.zero_grad()
    x.grad = None
    ember.manual_seed(3)
    checkpoint(net, x, use_reentrant=True).sum().backward()
    for a, b in zip([_np(p.grad) for p in net.parameters()] + [_np(x.grad)], ref):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_checkpoint_warnings_and_errors_match_torch():
    seen = []
    for lib in LIBS:
        ck = importlib.import_module(lib.__name__ + '.utils.checkpoint')
        lin = lib.nn.Linear(2, 2)
        x = lib.ones(1, 2)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            y = ck.checkpoint(lin, x)
            ck.checkpoint_sequential(lib.nn.Sequential(lin, lib.nn.ReLU()), 2, x)
        errs = []
        for call in (lambda: ck.checkpoint(lin, x, use_reentrant=True, foo=1),
                     lambda: ck.checkpoint_sequential([lin], 1, x, use_reentrant=True, foo=1)):
            with pytest.raises(ValueError) as e:
                call()
            errs.append(str(e.value))
        seen.append(([str(m.message).replace('torch.', 'ember.') for m in w], y.requires_grad, errs))
    assert seen[0] == seen[1]


def test_checkpoint_kwargs_non_reentrant():
    from ember.utils.checkpoint import checkpoint
    x = ember.ones(2, requires_grad=True)
    y = checkpoint(lambda a, scale: a * scale, x, use_reentrant=False, scale=3.0)
    y.sum().backward()
    assert _np(x.grad).tolist() == [3.0, 3.0]


# ---------------------------------------------------------------- AdaptiveLogSoftmaxWithLoss

def _asm(lib, head_bias=False):
    rng = np.random.default_rng(0)
    m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, head_bias=head_bias)
    with lib.no_grad():
        for p in m.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32)))
    x = lib.tensor(rng.standard_normal((5, 8)).astype(np.float32), requires_grad=True)
    return m, x


@pytest.mark.parametrize('head_bias', [False, True])
def test_adaptive_softmax_matches_torch(head_bias):
    res = []
    for lib in LIBS:
        m, x = _asm(lib, head_bias)
        out = m(x, lib.tensor([0, 4, 9, 2, 7]))
        out.loss.backward()
        single = m(x[1], lib.tensor(4))
        res.append([repr(m).replace('torch', 'ember'), [(n, tuple(p.shape)) for n, p in m.named_parameters()],
                    type(out).__name__, out._fields, out.output.grad_fn.name(), out.loss.grad_fn.name(),
                    _np(out.output), _np(out.loss), _np(x.grad), [_np(p.grad) for p in m.parameters()],
                    _np(m.log_prob(x)), _np(m.predict(x)).tolist(), tuple(single.output.shape), _np(single.loss)])
    for a, b in zip(*res):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
        elif isinstance(a, list) and a and isinstance(a[0], np.ndarray):
            for ga, gb in zip(a, b):
                np.testing.assert_allclose(ga, gb, rtol=1e-4, atol=1e-5)
        else:
            assert a == b


def test_adaptive_softmax_predict_branches():
    m, x = _asm(ember)
    for rows in ([0], [1], [0, 1, 2, 3, 4]):
        xs = x[rows].detach()
        assert _np(m.predict(xs)).tolist() == _np(m.log_prob(xs).argmax(1)).tolist()


ASM_ERRORS = [
    lambda lib, m, x: m(x, lib.tensor([0, 1, 2])),
    lambda lib, m, x: m(x[0], lib.tensor([0, 1, 2, 3, 4])),
    lambda lib, m, x: m(x, lib.tensor([[0]])),
    lambda lib, m, x: m(x, lib.tensor([0, 10, 1, 1, 1])),
    lambda lib, m, x: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3]),
    lambda lib, m, x: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda lib, m, x: lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
]


@pytest.mark.parametrize('i', range(len(ASM_ERRORS)))
def test_adaptive_softmax_errors_match_torch(i):
    res = []
    for lib in LIBS:
        m, x = _asm(lib)
        with pytest.raises(Exception) as e:
            ASM_ERRORS[i](lib, m, x)
        res.append((e.type.__name__, str(e.value).replace('torch', 'ember')))
    assert res[0] == res[1]
