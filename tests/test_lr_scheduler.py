"""ember.optim.lr_scheduler against torch.optim.lr_scheduler: the same schedulers on the same
optimizers, stepped 30+ times; every step's lrs (and momentum / betas), get_last_lr() and the
final state_dict must be identical. Also resuming from a state_dict (ember's and torch's),
closed forms via step(epoch), warnings and constructor errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.optim.lr_scheduler  # noqa: F401  (a submodule import, as in PyTorch)

STEPS = 36
METRICS = [1.0, 0.9, 0.95, 0.97, 0.96, 0.99, 0.8, 0.81, 0.82, 0.85, 0.79, 0.9, 0.91, 0.92, 0.93, 0.94, 0.7, 0.71,
           0.72, 0.73, 0.74, 0.75, 0.76, 0.77, 0.78, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68, 0.69, 0.7]


def make_optimizer(lib, opt='SGD', **kw):
    """Two param groups with different lrs (and momentum for SGD unless told otherwise)."""
    ps = [lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))]
    groups = [{'params': [ps[0]]}, {'params': [ps[1]], 'lr': 0.05}]
    if opt == 'SGD':
        kw.setdefault('momentum', 0.9)
    return getattr(lib.optim, opt)(groups, lr=kw.pop('lr', 0.1), **kw)


def snapshot(opt, sched):
    out = []
    for g in opt.param_groups:
        out.append(float(g['lr']))
        if 'momentum' in g:
            out.append(g['momentum'])
        if 'betas' in g:
            out.append(tuple(g['betas']))
    return out, [float(v) for v in sched.get_last_lr()]


def plain(sd):
    """A state_dict as comparable plain data."""
    if isinstance(sd, dict):
        return {k: plain(v) for k, v in sd.items() if k not in ('_scale_fn_ref',)}
    if isinstance(sd, (list, tuple)):
        return type(sd)(plain(v) for v in sd)
    if isinstance(sd, (torch.Tensor, ember.Tensor)):
        return float(sd.item())
    return sd


def to_lib(lib, sd):
    """A (torch or ember) state_dict with its tensors made ``lib`` tensors."""
    if isinstance(sd, dict):
        return type(sd)({k: to_lib(lib, v) for k, v in sd.items()})
    if isinstance(sd, (list, tuple)) and not hasattr(sd, '_fields'):
        return type(sd)(to_lib(lib, v) for v in sd)
    if isinstance(sd, (torch.Tensor, ember.Tensor)):
        return lib.tensor(sd.detach().cpu().numpy())
    return sd


def run(lib, make, opt='SGD', opt_kw=None, step=None, steps=STEPS, state=None):
    opt_ = make_optimizer(lib, opt, **(opt_kw or {}))
    sched = make(lib.optim.lr_scheduler, opt_)
    if state is not None:               # a checkpoint: optimizer and scheduler states
        opt_.load_state_dict(to_lib(lib, state[0]))
        sched.load_state_dict(to_lib(lib, state[1]))
    traj = [snapshot(opt_, sched)]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for i in range(steps):
            opt_.step()
            if step is None:
                sched.step()
            else:
                step(sched, i)
            traj.append(snapshot(opt_, sched))
    return traj, sched


def sched(id_, make, opt='SGD', opt_kw=None, step=None):
    return pytest.param(make, opt, opt_kw, step, id=id_)


def on_metric(s, i):
    s.step(METRICS[i])


def at_epochs(s, i):
    s.step([3, 4, 10, 2, 7, 0, 12][i % 7] + i // 7)


CASES = [
    sched('lambda', lambda L, o: L.LambdaLR(o, lambda e: 0.95 ** e)),
    sched('lambda-per-group', lambda L, o: L.LambdaLR(o, [lambda e: 1 / (e + 1), lambda e: 0.9 ** (e // 3)])),
    sched('multiplicative', lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97)),
    sched('step', lambda L, o: L.StepLR(o, step_size=5, gamma=0.5)),
    sched('multistep', lambda L, o: L.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3)),
    sched('exponential', lambda L, o: L.ExponentialLR(o, gamma=0.9)),
    sched('cosine', lambda L, o: L.CosineAnnealingLR(o, T_max=10, eta_min=0.01)),
    sched('cosine-long', lambda L, o: L.CosineAnnealingLR(o, T_max=7)),
    sched('warm-restarts', lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5, eta_min=0.001)),
    sched('warm-restarts-mult', lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2)),
    sched('warm-restarts-fractional', lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2),
          step=lambda s, i: s.step(i * 0.7)),
    sched('linear', lambda L, o: L.LinearLR(o, start_factor=0.25, total_iters=8)),
    sched('linear-down', lambda L, o: L.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=20)),
    sched('constant', lambda L, o: L.ConstantLR(o, factor=0.5, total_iters=4)),
    sched('polynomial', lambda L, o: L.PolynomialLR(o, total_iters=20, power=2.0)),
    sched('one-cycle-sgd', lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=STEPS)),
    sched('one-cycle-adam', lambda L, o: L.OneCycleLR(o, max_lr=0.01, epochs=4, steps_per_epoch=9), opt='Adam'),
    sched('one-cycle-three-phase-linear', lambda L, o: L.OneCycleLR(
        o, max_lr=0.3, total_steps=40, pct_start=0.25, anneal_strategy='linear', three_phase=True,
        base_momentum=0.8, max_momentum=[0.9, 0.99], div_factor=10.0, final_div_factor=100.0)),
    sched('one-cycle-no-momentum', lambda L, o: L.OneCycleLR(o, max_lr=0.5, total_steps=STEPS, cycle_momentum=False),
          opt_kw=dict(momentum=0.0)),
    sched('cyclic', lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4)),
    sched('cyclic-triangular2', lambda L, o: L.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3,
                                                        step_size_down=5, mode='triangular2')),
    sched('cyclic-exp-range-adam', lambda L, o: L.CyclicLR(o, 0.001, 0.01, step_size_up=5, mode='exp_range',
                                                           gamma=0.95), opt='Adam'),
    sched('cyclic-scale-fn', lambda L, o: L.CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 1 / (x + 1),
                                                     scale_mode='iterations', cycle_momentum=False)),
    sched('plateau', lambda L, o: L.ReduceLROnPlateau(o, patience=2), step=on_metric),
    sched('plateau-max-abs-cooldown', lambda L, o: L.ReduceLROnPlateau(
        o, mode='max', factor=0.5, patience=1, threshold=0.01, threshold_mode='abs', cooldown=2,
        min_lr=[0.02, 0.001]), step=on_metric),
    sched('plateau-eps', lambda L, o: L.ReduceLROnPlateau(o, factor=0.5, patience=0, min_lr=0.004, eps=1e-3),
          step=on_metric),
    sched('sequential', lambda L, o: L.SequentialLR(o, [L.ConstantLR(o, factor=0.1, total_iters=5),
                                                        L.ExponentialLR(o, gamma=0.9)], milestones=[5])),
    sched('sequential-three', lambda L, o: L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=4),
                                                              L.StepLR(o, 3, 0.5),
                                                              L.CosineAnnealingLR(o, T_max=8)], milestones=[6, 15])),
    sched('chained', lambda L, o: L.ChainedScheduler([L.ConstantLR(o, factor=0.1, total_iters=5),
                                                      L.ExponentialLR(o, gamma=0.9)])),
    sched('chained-nested', lambda L, o: L.ChainedScheduler([L.StepLR(o, 4, 0.5), L.SequentialLR(
        o, [L.LinearLR(o, 0.5, total_iters=3), L.ExponentialLR(o, 0.95)], milestones=[3])], optimizer=o)),
    sched('closed-form-step', lambda L, o: L.StepLR(o, step_size=3, gamma=0.5), step=at_epochs),
    sched('closed-form-multistep', lambda L, o: L.MultiStepLR(o, [2, 5, 5, 9], gamma=0.5), step=at_epochs),
    sched('closed-form-linear', lambda L, o: L.LinearLR(o, 0.2, total_iters=6), step=at_epochs),
    sched('closed-form-cosine', lambda L, o: L.CosineAnnealingLR(o, T_max=6), step=at_epochs),
    sched('closed-form-poly-const', lambda L, o: L.PolynomialLR(o, 8, 0.5), step=at_epochs),
    sched('closed-form-exponential', lambda L, o: L.ExponentialLR(o, 0.8), step=at_epochs),
    sched('closed-form-lambda', lambda L, o: L.LambdaLR(o, lambda e: e + 1), step=at_epochs),
    sched('closed-form-warm-restarts', lambda L, o: L.CosineAnnealingWarmRestarts(o, 2, 3), step=at_epochs),
    sched('tensor-lr', lambda L, o: L.StepLR(o, step_size=3, gamma=0.5), opt_kw=dict(lr=None)),
]


def _lib_kw(lib, opt_kw):
    if opt_kw and 'lr' in opt_kw and opt_kw['lr'] is None:       # a tensor lr, updated in place
        return dict(opt_kw, lr=lib.tensor(0.1))
    return opt_kw


@pytest.mark.parametrize('make,opt,opt_kw,step', CASES)
def test_trajectory(make, opt, opt_kw, step):
    tt, ts = run(torch, make, opt, _lib_kw(torch, opt_kw), step)
    et, es = run(ember, make, opt, _lib_kw(ember, opt_kw), step)
    for i, (a, b) in enumerate(zip(et, tt)):
        assert a == b, f'step {i}: ember {a} != torch {b}'
    assert plain(es.state_dict()) == plain(ts.state_dict())


@pytest.mark.parametrize('make,opt,opt_kw,step', [c for c in CASES if 'closed-form' not in c.id])
def test_state_dict_resume(make, opt, opt_kw, step):
    """Stop halfway, load the checkpoint (ember's own, and torch's) into a fresh optimizer and
    scheduler, go on: the same schedule as without the interruption."""
    full, _ = run(ember, make, opt, _lib_kw(ember, opt_kw), step)
    half = STEPS // 2
    shift = (lambda s, i: step(s, i + half)) if step else None
    for lib in (ember, torch):
        _, s = run(lib, make, opt, _lib_kw(lib, opt_kw), step, steps=half)
        rest, _ = run(ember, make, opt, _lib_kw(ember, opt_kw), shift, steps=STEPS - half,
                      state=(s.optimizer.state_dict(), s.state_dict()))
        assert rest == full[half:], f'resumed from {lib.__name__}'


def test_lambda_state_dict_keeps_callable_objects():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch
    opt = make_optimizer(ember)
    s = ember.optim.lr_scheduler.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
    sd = s.state_dict()
    assert sd['lr_lambdas'] == [{'rate': 0.5}, None]
    s2 = ember.optim.lr_scheduler.LambdaLR(make_optimizer(ember), [Decay(0.9), lambda e: 1.0])
    s2.load_state_dict(sd)
    assert s2.lr_lambdas[0].rate == 0.5


def test_initial_lr_and_resume_with_last_epoch():
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
            lib.optim.lr_scheduler.StepLR(opt, 3, last_epoch=4)
    lrs = []
    for lib in (torch, ember):
        opt = make_optimizer(lib)
        lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
        assert [g['initial_lr'] for g in opt.param_groups] == [0.1, 0.05]
        s = lib.optim.lr_scheduler.StepLR(opt, 3, gamma=0.1, last_epoch=5)
        opt.step()
        s.step()
        lrs.append((s.last_epoch, s.get_last_lr(), s.base_lrs))
    assert lrs[0] == lrs[1]


def _warnings_of(lib, fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        fn(lib)
    return [str(x.message) for x in w]


def _sched_before_opt(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.StepLR(opt, 2)
    s.step()
    opt.step()


def _overridden_step(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.StepLR(opt, 2)
    opt.step = lambda *a, **k: None
    opt.step()
    s.step()


def _get_lr_outside_step(lib):
    opt = make_optimizer(lib)
    lib.optim.lr_scheduler.ExponentialLR(opt, 0.5).get_lr()


def _epoch_given(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    opt.step()
    s.step(3)


def _right_order(lib):
    opt = make_optimizer(lib)
    s = lib.optim.lr_scheduler.OneCycleLR(opt, 1.0, total_steps=10)
    for _ in range(3):
        opt.step()
        s.step()


@pytest.mark.parametrize('fn', [_sched_before_opt, _overridden_step, _get_lr_outside_step, _epoch_given,
                                _right_order])
def test_warnings(fn):
    assert _warnings_of(ember, fn) == _warnings_of(torch, fn)


def _err(fn):
    return pytest.param(fn, id=fn.__name__ if fn.__name__ != '<lambda>' else None)


ERRORS = [
    lambda L, o: L.LinearLR(o, start_factor=0),
    lambda L, o: L.LinearLR(o, end_factor=2.0),
    lambda L, o: L.ConstantLR(o, factor=1.5),
    lambda L, o: L.LambdaLR(o, [lambda e: 1.0]),
    lambda L, o: L.MultiplicativeLR(o, 0.5),
    lambda L, o: L.StepLR(object(), 3),
    lambda L, o: L.OneCycleLR(o, 1.0),
    lambda L, o: L.OneCycleLR(o, 1.0, total_steps=0),
    lambda L, o: L.OneCycleLR(o, 1.0, epochs=2, steps_per_epoch=-1),
    lambda L, o: L.OneCycleLR(o, 1.0, total_steps=10, pct_start=1),
    lambda L, o: L.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy='exp'),
    lambda L, o: L.OneCycleLR(o, [1.0], total_steps=10),
    lambda L, o: [s.step() for s in [L.OneCycleLR(o, 1.0, total_steps=3)] for _ in range(4)],
    lambda L, o: L.CyclicLR(o, 0.1, 1.0, mode='square'),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=1.5),
    lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=2).step(-1),
    lambda L, o: L.ReduceLROnPlateau(o, factor=1.0),
    lambda L, o: L.ReduceLROnPlateau(o, mode='middle'),
    lambda L, o: L.ReduceLROnPlateau(o, threshold_mode='log'),
    lambda L, o: L.ReduceLROnPlateau(o, min_lr=[0.1]),
    lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], milestones=[3]),
    lambda L, o: L.SequentialLR(o, [], milestones=[]),
    lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2), L.ReduceLROnPlateau(o)], milestones=[3]),
    lambda L, o: L.ChainedScheduler([]),
]


@pytest.mark.parametrize('fn', ERRORS)
def test_errors(fn):
    errs = []
    for lib in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with pytest.raises(Exception) as info:
                fn(lib.optim.lr_scheduler, make_optimizer(lib))
        errs.append((type(info.value).__name__, str(info.value)))
    assert errs[1] == errs[0]


def test_cycle_momentum_needs_momentum():
    for lib in (torch, ember):
        opt = make_optimizer(lib, 'Adagrad')
        with pytest.raises(ValueError, match='optimizer must support momentum or beta1'):
            lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1)


def test_training_loop_changes_parameters_like_torch():
    """SGD + OneCycleLR on the same gradients: parameters agree step by step."""
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(2).astype(np.float32) for _ in range(20)]
    out = []
    for lib in (torch, ember):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        s = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=20)
        for g in grads:
            p.grad = lib.tensor(g)
            opt.step()
            s.step()
        out.append(p.detach().cpu().numpy().copy())
    np.testing.assert_allclose(out[1], out[0], rtol=1e-5, atol=1e-6)
