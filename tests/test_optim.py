"""ember.optim against torch.optim: same parameters and gradients, compared after every step."""
import copy
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check_error

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]
RTOL, ATOL = 1e-5, 1e-6

CASES = [
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9)),
    ('SGD', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    ('Adam', dict()),
    ('Adam', dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ('Adam', dict(lr=0.01, betas=(0.8, 0.99), maximize=True, eps=1e-6)),
    ('Adam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, foreach=False, capturable=False)),
    ('AdamW', dict(lr=0.01)),
    ('AdamW', dict(lr=0.01, weight_decay=0.5, amsgrad=True, maximize=True)),
    ('RMSprop', dict()),
    ('RMSprop', dict(lr=0.01, alpha=0.9, centered=True)),
    ('RMSprop', dict(lr=0.01, momentum=0.9, weight_decay=0.1, maximize=True)),
    ('RMSprop', dict(lr=0.005, momentum=0.5, centered=True, eps=1e-4)),
    ('Adagrad', dict()),
    ('Adagrad', dict(lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5, weight_decay=0.1)),
    ('Adagrad', dict(lr=0.1, maximize=True, eps=1e-6)),
    ('Adadelta', dict()),
    ('Adadelta', dict(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True)),
    ('Adamax', dict()),
    ('Adamax', dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, maximize=True)),
    ('NAdam', dict()),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ('NAdam', dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ('RAdam', dict()),
    ('RAdam', dict(lr=0.01, weight_decay=0.1)),
    ('RAdam', dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


def _ids(c):
    return c[0] + '-' + '-'.join(f'{k}={v}' for k, v in c[1].items())


def _pick(*idx):
    return [pytest.param(*CASES[i], id=_ids(CASES[i])) for i in idx]


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, (torch.Tensor, ember.Tensor)) else np.asarray(t)


def _params(seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    return ([torch.nn.Parameter(torch.tensor(a)) for a in init],
            [ember.nn.Parameter(ember.tensor(a)) for a in init])


def _set_grads(tp, ep, rng, none=()):
    for i, (t, e) in enumerate(zip(tp, ep)):
        if i in none:
            t.grad, e.grad = None, None
            continue
        g = rng.standard_normal(t.shape).astype(_np(t).dtype)
        t.grad, e.grad = torch.tensor(g), ember.tensor(g)


def _atol(t):
    """Absolute tolerance scaled to the tensor: rounding errors follow its largest entries."""
    a = _np(t)
    return ATOL * max(1.0, float(np.abs(a).max())) if a.size else ATOL


def assert_value_same(e, t, where):
    """A state value: tensors (dtype, shape, values), lists of them, or plain Python values."""
    if isinstance(t, (torch.Tensor, ember.Tensor)):
        assert isinstance(e, ember.Tensor), f'{where}: {type(e)}'
        assert str(e.dtype) == str(t.dtype).replace('torch.', 'ember.'), where
        assert tuple(e.shape) == tuple(t.shape), where
        np.testing.assert_allclose(_np(e), _np(t), rtol=RTOL, atol=_atol(t), err_msg=where)
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t), where
        for i, (a, b) in enumerate(zip(e, t)):
            assert_value_same(a, b, f'{where}[{i}]')
    elif isinstance(t, float):
        assert isinstance(e, float), where
        np.testing.assert_allclose(e, t, rtol=RTOL, err_msg=where)
    else:
        assert type(e) is type(t) and e == t, f'{where}: {e!r} != {t!r}'


def assert_state_dict_same(esd, tsd):
    assert list(esd) == ['state', 'param_groups']
    assert esd['param_groups'] == tsd['param_groups']
    assert list(esd['state']) == list(tsd['state'])
    for k, ts in tsd['state'].items():
        assert list(esd['state'][k]) == list(ts), f'state {k} keys'
        for name, v in ts.items():
            assert_value_same(esd['state'][k][name], v, f'state[{k}][{name!r}]')


def _compare(to, eo, tp, ep, step):
    for i, (t, e) in enumerate(zip(tp, ep)):
        np.testing.assert_allclose(_np(e), _np(t), rtol=RTOL, atol=_atol(t), err_msg=f'step {step} param {i}')
    assert_state_dict_same(eo.state_dict(), to.state_dict())


@pytest.mark.parametrize('name,kw', CASES, ids=[_ids(c) for c in CASES])
def test_matches_torch_every_step(name, kw):
    tp, ep = _params()
    to, eo = getattr(torch.optim, name)(tp, **kw), getattr(ember.optim, name)(ep, **kw)
    assert repr(eo) == repr(to)
    rng = np.random.default_rng(1)
    arrays = [e._data for e in ep]
    view = ep[0][1]                                  # a view sees the in-place update
    for step in range(22):
        _set_grads(tp, ep, rng, none=(1,) if step in (3, 4) else (2,) if step in (0, 7) else ())
        versions = [e._version for e in ep]
        to.step()
        eo.step()
        _compare(to, eo, tp, ep, step)
        np.testing.assert_array_equal(_np(view), _np(ep[0])[1])
        for i, e in enumerate(ep):
            assert e._data is arrays[i]
            if e.grad is not None:
                assert e._version > versions[i]


def load_torch_state_then_continue(name, kw, warmup=6):
    """torch's state_dict after ``warmup`` steps, converted to ember tensors, loads into ember's
    optimizer, and the run continues identically for 8 more steps."""
    tp, ep = _params()
    to = getattr(torch.optim, name)(tp, **kw)
    rng = np.random.default_rng(2)
    for _ in range(warmup):
        _set_grads(tp, ep, rng)
        to.step()
    for t, e in zip(tp, ep):
        e._data[...] = _np(t)
    eo = getattr(ember.optim, name)(ep, **kw)
    conv = {k: {n: ember.tensor(_np(v)) if isinstance(v, torch.Tensor) else v for n, v in s.items()}
            for k, s in to.state_dict()['state'].items()}
    eo.load_state_dict({'state': conv, 'param_groups': copy.deepcopy(to.state_dict()['param_groups'])})
    assert_state_dict_same(eo.state_dict(), to.state_dict())
    for step in range(8):
        _set_grads(tp, ep, rng)
        to.step()
        eo.step()
        _compare(to, eo, tp, ep, step)


@pytest.mark.parametrize('name,kw', _pick(1, 5, 11, 15, 18, 20, 23, 26))
def test_load_state_dict_from_torch_then_continue(name, kw):
    load_torch_state_then_continue(name, kw)


@pytest.mark.parametrize('name,kw', _pick(2, 5, 13, 22))
def test_state_dict_round_trip(name, kw):
    state_dict_round_trip(name, kw)


def state_dict_round_trip(name, kw):
    """Four steps, the state loaded into a fresh optimizer (shared tensors, as torch), then both
    step on the same gradients and stay equal."""
    _, ep = _params()
    eo = getattr(ember.optim, name)(ep, **kw)
    rng = np.random.default_rng(3)
    for _ in range(4):
        for e in ep:
            e.grad = ember.tensor(rng.standard_normal(e.shape).astype(np.float32))
        eo.step()
    _, ep2 = _params()
    for a, b in zip(ep, ep2):
        b._data[...] = a._data
    eo2 = getattr(ember.optim, name)(ep2, lr=123.0)
    eo2.load_state_dict(eo.state_dict())
    assert eo2.param_groups[0]['lr'] == kw.get('lr', eo.defaults['lr'])
    assert all(a is b for a, b in zip(eo2.param_groups[0]['params'], ep2))
    assert eo2.state_dict()['param_groups'] == eo.state_dict()['param_groups']
    assert_state_dict_same(eo2.state_dict(), eo.state_dict())
    for k, v in eo2.state[ep2[0]].items():            # as torch: same dtype and device -> shared tensor
        assert v is eo.state[ep[0]][k]
    eo2.load_state_dict(copy.deepcopy(eo.state_dict()))   # independent state from here on
    for _ in range(4):
        for a, b in zip(ep, ep2):
            b.grad = a.grad = ember.tensor(rng.standard_normal(a.shape).astype(np.float32))
        eo.step()
        eo2.step()
        for a, b in zip(ep, ep2):
            np.testing.assert_array_equal(_np(b), _np(a))


def test_load_state_dict_casts_to_param_dtype_and_keeps_step():
    for T in (torch, ember):
        p = T.nn.Parameter(T.ones(3, dtype=T.float64))
        o = T.optim.Adam([p])
        o.load_state_dict({'state': {0: {'step': T.tensor(4.), 'exp_avg': T.ones(3), 'exp_avg_sq': T.ones(3)}},
                           'param_groups': o.state_dict()['param_groups']})
        s = o.state[p]
        assert str(s['exp_avg'].dtype).endswith('float64') and str(s['step'].dtype).endswith('float32')


@pytest.mark.parametrize('name', ['SGD', 'Adam', 'RMSprop'])
def test_param_groups_with_different_lr(name):
    tp, ep = _params()
    tgroups = [{'params': tp[:2], 'lr': 0.1}, {'params': tp[2:], 'lr': 0.01, 'weight_decay': 0.1}]
    egroups = [{'params': ep[:2], 'lr': 0.1}, {'params': ep[2:], 'lr': 0.01, 'weight_decay': 0.1}]
    kw = dict(momentum=0.9) if name != 'Adam' else {}
    to, eo = getattr(torch.optim, name)(tgroups, lr=0.5, **kw), getattr(ember.optim, name)(egroups, lr=0.5, **kw)
    assert repr(eo) == repr(to)
    rng = np.random.default_rng(4)
    for step in range(20):
        _set_grads(tp, ep, rng)
        to.step()
        eo.step()
        _compare(to, eo, tp, ep, step)
    tx, ex = torch.nn.Parameter(torch.ones(2)), ember.nn.Parameter(ember.ones(2))
    to.add_param_group({'params': tx, 'lr': 1.0})
    eo.add_param_group({'params': ex, 'lr': 1.0})
    assert repr(eo) == repr(to)
    assert eo.state_dict()['param_groups'] == to.state_dict()['param_groups']


def test_float64_params_and_default_dtype_step():
    for dtype in (np.float64,):
        rng = np.random.default_rng(0)
        a = rng.standard_normal((4,)).astype(dtype)
        tp, ep = [torch.nn.Parameter(torch.tensor(a))], [ember.nn.Parameter(ember.tensor(a))]
        to, eo = torch.optim.Adam(tp, lr=0.1), ember.optim.Adam(ep, lr=0.1)
        for step in range(5):
            _set_grads(tp, ep, rng)
            to.step()
            eo.step()
            _compare(to, eo, tp, ep, step)
    torch.set_default_dtype(torch.float64)
    ember.set_default_dtype(ember.float64)
    try:
        tp, ep = _params(dtype=np.float64)
        to, eo = torch.optim.NAdam(tp), ember.optim.NAdam(ep)
        _set_grads(tp, ep, np.random.default_rng(0))
        to.step()
        eo.step()
        _compare(to, eo, tp, ep, 0)
        assert eo.state[ep[0]]['step'].dtype == ember.float64
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def _rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _quadratic(T):
    a = T.tensor([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
    b = T.tensor([1.0, -2.0, 0.5])
    return lambda x: 0.5 * (x @ (a @ x)) - (b * x).sum()


# Settings where float32 rounding does not change L-BFGS's discrete decisions (ill-conditioned
# runs near convergence can take another branch on a 1-ulp difference, in torch against itself too).
LBFGS_CASES = [('rosen', dict(max_iter=4)), ('rosen', dict(max_iter=6, line_search_fn='strong_wolfe')),
               ('rosen', dict(lr=0.5, history_size=3, max_iter=4)),
               ('quad', dict(max_iter=3)), ('quad', dict(line_search_fn='strong_wolfe', max_iter=5))]


@pytest.mark.parametrize('fn,kw', LBFGS_CASES, ids=[f'{f}-{k}' for f, k in LBFGS_CASES])
def test_lbfgs_matches_torch(fn, kw):
    init = np.array([-1.2, 1.0] if fn == 'rosen' else [0.5, 0.5, -1.0], dtype=np.float32)
    runs = []
    for T in (torch, ember):
        x = T.nn.Parameter(T.tensor(init))
        f = _rosenbrock if fn == 'rosen' else _quadratic(T)
        opt = T.optim.LBFGS([x], **kw)

        def closure():
            opt.zero_grad()
            loss = f(x)
            loss.backward()
            return loss
        losses = [opt.step(closure).item() for _ in range(4)]
        runs.append((losses, _np(x).copy(), opt))
    (tl, tx, to), (el, ex, eo) = runs
    np.testing.assert_allclose(el, tl, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ex, tx, rtol=1e-4, atol=1e-4)
    ts, es = to.state_dict(), eo.state_dict()
    assert es['param_groups'] == ts['param_groups']
    assert list(es['state'][0]) == list(ts['state'][0])
    for k in ('func_evals', 'n_iter'):
        assert es['state'][0][k] == ts['state'][0][k]
    assert len(es['state'][0]['old_dirs']) == len(ts['state'][0]['old_dirs'])


def test_lbfgs_needs_closure_and_one_group():
    p = ember.nn.Parameter(ember.ones(2))
    with pytest.raises(TypeError):
        ember.optim.LBFGS([p]).step()
    check_error(lambda T: T.optim.LBFGS([{'params': [T.ones(2)]}, {'params': [T.zeros(2)]}]), [])


def test_zero_grad_and_closure_loss():
    p = ember.nn.Parameter(ember.ones(3))
    opt = ember.optim.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None
    opt.step()                                         # no grad: parameter untouched, no state
    assert p.tolist() == [1.0, 1.0, 1.0] and len(opt.state) == 0

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss
    loss = opt.step(closure)
    assert loss.item() == 3.0 and loss.requires_grad and p.grad is not None
    np.testing.assert_allclose(p.tolist(), [0.8] * 3, rtol=1e-6)


def test_step_runs_without_grad_and_hooks_fire():
    p = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.Adam([p])
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: calls.append(('pre', ember.is_grad_enabled())))
    h2 = opt.register_step_post_hook(lambda o, a, k: calls.append('post'))
    p.grad = ember.ones(2)
    opt.step()
    assert calls == [('pre', True), 'post'] and ember.is_grad_enabled()
    assert not p.grad_fn and p.requires_grad
    h1.remove()
    h2.remove()
    opt.step()
    assert len(calls) == 2
    seen = []
    opt.register_state_dict_post_hook(lambda o, sd: seen.append(sorted(sd)))
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append('load'))
    opt.load_state_dict(opt.state_dict())
    assert seen == [['param_groups', 'state'], 'load']


ERRORS = [
    pytest.param(lambda T: T.optim.SGD(T.ones(2)), marks=pytest.mark.cpu_only),   # names the tensor type
    lambda T: T.optim.SGD([]),
    lambda T: T.optim.SGD([T.ones(2)], lr=-0.1),
    lambda T: T.optim.SGD([T.ones(2)], lr=0.1, nesterov=True),
    lambda T: T.optim.SGD([T.ones(2)], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True),
    lambda T: T.optim.SGD([T.ones(2)], momentum=-0.5),
    lambda T: T.optim.SGD([T.ones(2)], weight_decay=-1),
    lambda T: T.optim.SGD([{'params': {T.ones(2)}}]),
    lambda T: T.optim.SGD([T.ones(2), 3]),
    lambda T: T.optim.SGD([T.ones(2, requires_grad=True) * 2]),
    lambda T: T.optim.Adam([T.ones(2)], betas=(0, 0.9)),
    lambda T: T.optim.Adam([T.ones(2)], betas=(0.9, 1.0)),
    lambda T: T.optim.Adam([T.ones(2)], eps=-1e-8),
    lambda T: T.optim.AdamW([T.ones(2)], weight_decay=-0.1),
    lambda T: T.optim.Adam([T.ones(2)], fused=True, foreach=True),
    lambda T: T.optim.RMSprop([T.ones(2)], alpha=-1.0),
    lambda T: T.optim.RMSprop([T.ones(2)], momentum=-1.0),
    lambda T: T.optim.Adagrad([T.ones(2)], lr_decay=-1.0),
    lambda T: T.optim.Adagrad([T.ones(2)], initial_accumulator_value=-1.0),
    lambda T: T.optim.Adadelta([T.ones(2)], rho=1.5),
    lambda T: T.optim.Adamax([T.ones(2)], betas=(0.9, -0.1)),
    lambda T: T.optim.NAdam([T.ones(2)], momentum_decay=-1.0),
    lambda T: T.optim.RAdam([T.ones(2)], lr=-1.0),
    lambda T: T.optim.LBFGS([T.ones(2)], lr=-1.0),
    lambda T: T.optim.SGD([{'params': [T.ones(2)]}, {'params': [T.ones(2)], 'lr': 0.1}], lr=0.1)
    .add_param_group([T.ones(2)]),
    lambda T: T.optim.SGD([('a', T.ones(2))]).add_param_group({'params': [T.ones(2)]}),
    lambda T: T.optim.SGD([T.ones(2)]).load_state_dict({'state': {}, 'param_groups': []}),
    lambda T: T.optim.SGD([T.ones(2)]).load_state_dict({'state': {}, 'param_groups': [{'params': [0, 1]}]}),
]


@pytest.mark.parametrize('fn', ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_torch(fn):
    check_error(fn, [])


def test_overlapping_groups_and_duplicates():
    for T in (torch, ember):
        p = T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([p], lr=0.1)
        with pytest.raises(ValueError, match='some parameters appear in more than one parameter group'):
            opt.add_param_group({'params': [p]})
        assert len(opt.param_groups) == 1
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            T.optim.SGD([p, p], lr=0.1)
        assert 'duplicate parameters' in str(w[0].message)


def test_named_params_and_adagrad_initial_state():
    tp, ep = _params()
    to = torch.optim.Adagrad([(f'p{i}', p) for i, p in enumerate(tp)], initial_accumulator_value=0.25)
    eo = ember.optim.Adagrad([(f'p{i}', p) for i, p in enumerate(ep)], initial_accumulator_value=0.25)
    assert_state_dict_same(eo.state_dict(), to.state_dict())
    assert eo.state_dict()['param_groups'][0]['param_names'] == ['p0', 'p1', 'p2', 'p3']


def test_all_optimizers_exported():
    for name in ['Optimizer', 'SGD', 'Adam', 'AdamW', 'RMSprop', 'Adagrad', 'Adadelta', 'Adamax', 'NAdam',
                 'RAdam', 'LBFGS']:
        assert isinstance(getattr(ember.optim, name), type)
