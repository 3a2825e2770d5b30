"""ASGD, Rprop, SparseAdam, Adafactor and optim.swa_utils against torch, step by step."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check_error
from test_optim import (_compare, _np, _params, _set_grads, load_torch_state_then_continue,
                        state_dict_round_trip)

CASES = [
    ('ASGD', dict()),
    ('ASGD', dict(lr=0.05, lambd=0.01, alpha=0.5, t0=5, weight_decay=0.1)),
    ('ASGD', dict(lr=0.02, t0=0, maximize=True, foreach=False, differentiable=False, capturable=False)),
    ('Rprop', dict()),
    ('Rprop', dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2))),
    ('Rprop', dict(maximize=True, foreach=False, capturable=False, differentiable=False)),
    ('Adafactor', dict()),
    ('Adafactor', dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=2.0, weight_decay=0.1)),
    ('Adafactor', dict(lr=0.5, d=1.0, maximize=True, foreach=False)),
]


def _ids(c):
    return c[0] + '-' + '-'.join(f'{k}={v}' for k, v in c[1].items())


@pytest.mark.parametrize('name,kw', CASES, ids=[_ids(c) for c in CASES])
def test_matches_torch_every_step(name, kw):
    tp, ep = _params()
    to, eo = getattr(torch.optim, name)(tp, **kw), getattr(ember.optim, name)(ep, **kw)
    assert repr(eo) == repr(to)
    rng = np.random.default_rng(1)
    arrays = [e._data for e in ep]
    for step in range(25):
        _set_grads(tp, ep, rng, none=(1,) if step in (3, 4) else (2,) if step in (0, 7) else ())
        if step % 5 == 4:                         # repeat a gradient: Rprop grows its step sizes
            for t, e in zip(tp, ep):
                if t.grad is not None:
                    t.grad, e.grad = t.grad.abs(), ember.tensor(np.abs(_np(e.grad)))
        versions = [e._version for e in ep]
        to.step()
        eo.step()
        _compare(to, eo, tp, ep, step)
        for i, e in enumerate(ep):
            assert e._data is arrays[i]
            if e.grad is not None:
                assert e._version > versions[i]


@pytest.mark.parametrize('name,kw', [CASES[1], CASES[4], CASES[7]], ids=['ASGD', 'Rprop', 'Adafactor'])
def test_load_state_dict_from_torch_then_continue(name, kw):
    load_torch_state_then_continue(name, kw, warmup=7)


@pytest.mark.parametrize('name,kw', [CASES[1], CASES[4], CASES[7]], ids=['ASGD', 'Rprop', 'Adafactor'])
def test_state_dict_round_trip(name, kw):
    state_dict_round_trip(name, kw)


def test_adafactor_groups_keep_torch_keys_after_load():
    for T in (torch, ember):
        p = T.nn.Parameter(T.ones(2))
        o = T.optim.Adafactor([p])
        o.load_state_dict(o.state_dict())
        assert 'differentiable' not in o.param_groups[0] and o.defaults['differentiable'] is False


@pytest.mark.parametrize('name', ['ASGD', 'Rprop', 'Adafactor'])
def test_param_groups_with_different_lr(name):
    tp, ep = _params()
    tgroups = [{'params': tp[:2], 'lr': 0.1}, {'params': tp[2:], 'lr': 0.01}]
    egroups = [{'params': ep[:2], 'lr': 0.1}, {'params': ep[2:], 'lr': 0.01}]
    to, eo = getattr(torch.optim, name)(tgroups, lr=0.5), getattr(ember.optim, name)(egroups, lr=0.5)
    assert repr(eo) == repr(to)
    rng = np.random.default_rng(4)
    for step in range(10):
        _set_grads(tp, ep, rng)
        to.step()
        eo.step()
        _compare(to, eo, tp, ep, step)


def test_float64_params():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    for name in ('ASGD', 'Rprop', 'Adafactor'):
        tp, ep = [torch.nn.Parameter(torch.tensor(a))], [ember.nn.Parameter(ember.tensor(a))]
        to, eo = getattr(torch.optim, name)(tp, lr=0.1), getattr(ember.optim, name)(ep, lr=0.1)
        for step in range(6):
            _set_grads(tp, ep, rng)
            to.step()
            eo.step()
            _compare(to, eo, tp, ep, step)


def test_sparse_adam_rejects_dense_grads_and_keeps_state():
    for T in (torch, ember):
        p = T.nn.Parameter(T.ones(3))
        o = T.optim.SparseAdam([p], lr=0.01, maximize=True)
        assert o.step() is None
        p.grad = T.ones(3)
        with pytest.raises(RuntimeError, match='SparseAdam does not support dense gradients, please consider '
                                               'Adam instead'):
            o.step()
        assert len(o.state) == 0 and p.tolist() == [1.0, 1.0, 1.0]
    tp, ep = _params()
    assert repr(ember.optim.SparseAdam(ep, betas=(0.8, 0.9))) == repr(torch.optim.SparseAdam(tp, betas=(0.8, 0.9)))
    eo, to = ember.optim.SparseAdam(ep), torch.optim.SparseAdam(tp)
    eo.load_state_dict(eo.state_dict())
    to.load_state_dict(to.state_dict())
    assert eo.state_dict()['param_groups'] == to.state_dict()['param_groups']


ERRORS = [
    lambda T: T.optim.ASGD([T.ones(2)], lr=-0.1),
    lambda T: T.optim.ASGD([T.ones(2)], weight_decay=-0.1),
    lambda T: T.optim.ASGD([T.ones(2)], lr=T.tensor([0.1, 0.2])),
    lambda T: T.optim.Rprop([T.ones(2)], lr=-1.0),
    lambda T: T.optim.Rprop([T.ones(2)], etas=(1.5, 1.2)),
    lambda T: T.optim.Rprop([T.ones(2)], etas=(0.5, 0.9)),
    lambda T: T.optim.Rprop([T.ones(2)], etas=(0.0, 1.2)),
    lambda T: T.optim.SparseAdam([T.ones(2)], lr=0.0),
    lambda T: T.optim.SparseAdam([T.ones(2)], eps=0.0),
    lambda T: T.optim.SparseAdam([T.ones(2)], betas=(1.0, 0.9)),
    lambda T: T.optim.SparseAdam([T.ones(2)], betas=(0.9, -0.1)),
    lambda T: T.optim.SparseAdam([T.ones(2)], foreach=True),
    lambda T: T.optim.Adafactor([T.ones(2)], lr=-1.0),
    lambda T: T.optim.Adafactor([T.ones(2)], beta2_decay=0.5),
    lambda T: T.optim.Adafactor([T.ones(2)], eps=(-1.0, 1e-3)),
    lambda T: T.optim.Adafactor([T.ones(2)], eps=(None, -1e-3)),
    lambda T: T.optim.Adafactor([T.ones(2)], d=0.5),
    lambda T: T.optim.Adafactor([T.ones(2)], weight_decay=-0.5),
    lambda T: T.optim.Adafactor([T.ones(2)], differentiable=True),
    lambda T: T.optim.swa_utils.get_ema_avg_fn(1.5),
    lambda T: T.optim.swa_utils.get_ema_multi_avg_fn(-0.1),
    lambda T: T.optim.swa_utils.SWALR(T.optim.SGD([T.ones(2)]), swa_lr=0.1, anneal_strategy='exp'),
    lambda T: T.optim.swa_utils.SWALR(T.optim.SGD([T.ones(2)]), swa_lr=0.1, anneal_epochs=-1),
    lambda T: T.optim.swa_utils.SWALR(T.optim.SGD([T.ones(2)]), swa_lr=0.1, anneal_epochs=2.0),
    lambda T: T.optim.swa_utils.SWALR(T.optim.SGD([T.ones(2)]), swa_lr=[0.1, 0.2]),
    lambda T: T.optim.swa_utils.AveragedModel(T.nn.Linear(2, 2), avg_fn=lambda *a: a[0],
                                              multi_avg_fn=lambda *a: None),
]


@pytest.mark.parametrize('fn', ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_match_torch(fn):
    check_error(fn, [])


# ---------------------------------------------------------------------------- swa_utils
def _models(seed=0):
    """The same small model (Linear + BatchNorm1d + Linear) in torch and in ember."""
    torch.manual_seed(seed)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    em = ember.nn.Sequential(ember.nn.Linear(3, 4), ember.nn.BatchNorm1d(4), ember.nn.Linear(4, 2))
    _copy_weights(tm, em)
    return tm, em


def _copy_weights(tm, em):
    for t, e in zip(tm.state_dict().values(), em.state_dict().values()):
        e._data[...] = _np(t)


def _perturb(tm, em, rng):
    """Move the model's weights and batch-norm statistics (a stand-in for training steps)."""
    x = rng.standard_normal((5, 3)).astype(np.float32)
    tm.train()
    tm(torch.tensor(x))
    for t in tm.parameters():
        t.data += torch.tensor(rng.standard_normal(t.shape).astype(np.float32))
    _copy_weights(tm, em)


def _assert_models_same(ta, ea):
    tsd, esd = ta.state_dict(), ea.state_dict()
    assert list(esd) == list(tsd)
    for k, t in tsd.items():
        e = esd[k]
        assert str(e.dtype) == str(t.dtype).replace('torch.', 'ember.'), k
        np.testing.assert_allclose(_np(e), _np(t), rtol=1e-6, atol=1e-6, err_msg=k)


SWA_CASES = {
    'swa': lambda T: dict(),
    'ema_multi': lambda T: dict(multi_avg_fn=T.optim.swa_utils.get_ema_multi_avg_fn(0.9)),
    'swa_multi': lambda T: dict(multi_avg_fn=T.optim.swa_utils.get_swa_multi_avg_fn()),
    'ema_fn': lambda T: dict(avg_fn=T.optim.swa_utils.get_ema_avg_fn(0.8)),
    'swa_fn_buffers': lambda T: dict(avg_fn=T.optim.swa_utils.get_swa_avg_fn(), use_buffers=True),
    'ema_multi_buffers': lambda T: dict(multi_avg_fn=T.optim.swa_utils.get_ema_multi_avg_fn(0.5),
                                        use_buffers=True),
    'swa_buffers': lambda T: dict(use_buffers=True),
}


# On a CUDA device torch (and ember) average through the multi-tensor path, whose addcdiv raises
# for the integer buffer num_batches_tracked; torch on the CPU averages tensor by tensor and
# does not. So 'swa_buffers' compares with torch only where both run on the CPU.
SWA_PARAMS = [pytest.param(c, marks=pytest.mark.cpu_only) if c == 'swa_buffers' else c for c in SWA_CASES]


@pytest.mark.parametrize('case', SWA_PARAMS)
def test_averaged_model_matches_torch(case):
    tm, em = _models()
    ta = torch.optim.swa_utils.AveragedModel(tm, **SWA_CASES[case](torch))
    ea = ember.optim.swa_utils.AveragedModel(em, **SWA_CASES[case](ember))
    assert repr(ea) == repr(ta).replace('torch.', 'ember.')
    assert ea.module is not em and ea.n_averaged.dtype == ember.int64
    rng = np.random.default_rng(0)
    for _ in range(4):
        ta.update_parameters(tm)
        ea.update_parameters(em)
        _assert_models_same(ta, ea)
        _perturb(tm, em, rng)
    assert int(ea.n_averaged) == 4
    x = rng.standard_normal((2, 3)).astype(np.float32)
    ta.eval()
    ea.eval()
    np.testing.assert_allclose(_np(ea(ember.tensor(x))), _np(ta(torch.tensor(x))), rtol=1e-5, atol=1e-6)


def test_update_bn_matches_torch():
    tm, em = _models()
    rng = np.random.default_rng(5)
    data = [rng.standard_normal((4, 3)).astype(np.float32) for _ in range(3)]
    tm.eval()
    em.eval()
    torch.optim.swa_utils.update_bn([(torch.tensor(d), 0) for d in data], tm)
    ember.optim.swa_utils.update_bn([(ember.tensor(d), 0) for d in data], em)
    _assert_models_same(tm, em)
    assert not em.training and em[1].momentum == 0.1
    ember.optim.swa_utils.update_bn([], ember.nn.Linear(2, 2))     # no batch norm: nothing to do


SWALR_CASES = [dict(swa_lr=0.05), dict(swa_lr=0.01, anneal_epochs=3, anneal_strategy='linear'),
               dict(swa_lr=[0.02, 0.3], anneal_epochs=0), dict(swa_lr=0.2, anneal_epochs=4)]


@pytest.mark.parametrize('kw', SWALR_CASES, ids=[str(i) for i in range(len(SWALR_CASES))])
def test_swalr_matches_torch(kw):
    runs = []
    for T in (torch, ember):
        p, q = T.nn.Parameter(T.ones(2)), T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([{'params': [p]}, {'params': [q], 'lr': 0.5}], lr=0.1)
        sched = T.optim.swa_utils.SWALR(opt, **kw)
        lrs = [sched.get_last_lr()]
        for _ in range(7):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        runs.append((lrs, sched, opt))
    (tl, ts, to), (el, es, eo) = runs
    np.testing.assert_allclose(el, tl, rtol=1e-12)
    assert eo.state_dict()['param_groups'] == to.state_dict()['param_groups']
    tsd, esd = ts.state_dict(), es.state_dict()
    assert sorted(esd) == sorted(tsd)
    for k in ('anneal_epochs', '_anneal_strategy', 'last_epoch', '_step_count', 'base_lrs'):
        assert esd[k] == tsd[k], k
    p = ember.nn.Parameter(ember.ones(2))
    opt = ember.optim.SGD([{'params': [p]}, {'params': [ember.nn.Parameter(ember.ones(2))], 'lr': 0.5}], lr=0.1)
    fresh = ember.optim.swa_utils.SWALR(opt, swa_lr=0.9, anneal_strategy='cos' if kw.get(
        'anneal_strategy') == 'linear' else 'linear')
    fresh.load_state_dict(esd)
    assert fresh.anneal_func is fresh._linear_anneal if kw.get('anneal_strategy') == 'linear' \
        else fresh.anneal_func is fresh._cosine_anneal
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        es.get_lr()
    assert 'get_last_lr()' in str(w[0].message)


def test_swa_training_loop_runs():
    """The usual recipe: train, start averaging with SWALR, update_bn, predict."""
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((16, 3)).astype(np.float32))
    y = ember.tensor(rng.standard_normal((16, 2)).astype(np.float32))
    _, model = _models()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    swa_model = ember.optim.swa_utils.AveragedModel(model)
    sched = ember.optim.swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=2)
    losses = []
    for epoch in range(6):
        opt.zero_grad()
        loss = ember.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if epoch >= 2:
            swa_model.update_parameters(model)
            sched.step()
    ember.optim.swa_utils.update_bn([x], swa_model)
    assert losses[-1] < losses[0] and int(swa_model.n_averaged) == 4
    assert opt.param_groups[0]['lr'] == pytest.approx(0.05)
    assert swa_model(x).shape == (16, 2)


def test_exports():
    for name in ['ASGD', 'Rprop', 'SparseAdam', 'Adafactor']:
        assert isinstance(getattr(ember.optim, name), type)
    for name in torch.optim.swa_utils.__all__:
        assert callable(getattr(ember.optim.swa_utils, name))
