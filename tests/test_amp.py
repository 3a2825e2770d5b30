"""ember.amp against torch.amp (CPU build): GradScaler and autocast."""
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.amp as eamp
from ember.amp import autocast_mode as eac

from helpers import check, case, assert_tensor_equal, TOLS

INF = float('inf')


def amp(T):
    return torch.amp if T is torch else ember.amp


# The CUDA pass (EMBER_TEST_DEVICE=cuda): ember's tensors live on cuda:0, torch's (CPU build) on the
# CPU. Each library then works on the device type of its own tensors: ember's regions and scalers
# are 'cuda' ones in float16 (CUDA's autocast dtype; ember has no bfloat16 on CUDA), torch's stay
# 'cpu' ones run in float16, the reference for the ops both devices lower.
def on_cuda():
    return ember.get_default_device().type == 'cuda'


def dev(T):
    """The device type of ``T``'s default tensors: the one its regions and GradScalers are for."""
    return 'cuda' if T is ember and on_cuda() else 'cpu'


def low(T):
    """The low-precision dtype of the suite: bfloat16 (CPU autocast's), float16 in the CUDA pass."""
    return T.float16 if on_cuda() else T.bfloat16


@pytest.fixture(autouse=True)
def _clean_autocast_state():
    """Each test starts and ends with autocast off everywhere (in both libraries)."""
    yield
    for T, mod in ((torch, torch), (ember, eac)):
        mod.set_autocast_enabled('cpu', False)
        mod.set_autocast_enabled('cuda', False)
        mod.set_autocast_dtype('cpu', T.bfloat16)
        mod.set_autocast_dtype('cuda', T.float16)
        mod.set_autocast_cache_enabled(True)
        mod.clear_autocast_cache()


def _warned(fn):
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter('always')
        out = fn()
    return out, [(w.category.__name__, str(w.message).replace('torch.', 'ember.')) for w in ws]


# ------------------------------------------------------------------ GradScaler: training loops
def _models(seed=0):
    torch.manual_seed(seed)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    em = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.Tanh(), ember.nn.Linear(8, 3))
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})
    return tm, em


def _run_loop(T, model, opt_name, steps, bad, scaler_kw, unscale_first=False, autocast=False):
    """A small regression loop; on the steps in ``bad`` one gradient is set to inf/NaN."""
    rng = np.random.default_rng(1)
    opt = (T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9) if opt_name == 'sgd'
           else T.optim.Adam(model.parameters(), lr=0.01))
    scaler = amp(T).GradScaler(dev(T), **scaler_kw)
    inner, calls = opt.step, []
    opt.step = lambda *a, **k: (calls.append(1), inner(*a, **k), 'stepped')[2]
    log = []
    for i in range(steps):
        x = T.tensor(rng.standard_normal((5, 4)).astype(np.float32))
        y = T.tensor(rng.standard_normal((5, 3)).astype(np.float32))
        opt.zero_grad()
        if autocast:
            with ac(T):
                out = model(x)
            loss = ((out.float() - y) ** 2).mean()
        else:
            loss = ((model(x) - y) ** 2).mean()
        scaler.scale(loss).backward()
        if i in bad:
            with T.no_grad():
                model[0].weight.grad[0, 0] = bad[i]
        if unscale_first:
            scaler.unscale_(opt)
            T.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        ret = scaler.step(opt)
        scaler.update()
        log.append((scaler.get_scale(), scaler._get_growth_tracker(), ret))
    return log, scaler.state_dict(), [p.detach().float().cpu().numpy() for p in model.parameters()]


LOOPS = [
    ('sgd', dict(init_scale=2. ** 10, growth_interval=3), {2: INF, 3: float('nan'), 9: -INF}, False),
    ('adam', dict(init_scale=2. ** 10, growth_interval=3), {2: INF, 3: float('nan'), 9: -INF}, False),
    ('adam', dict(init_scale=1000., growth_factor=1.7, backoff_factor=0.3, growth_interval=2), {4: INF}, False),
    ('sgd', dict(init_scale=3., growth_factor=3.3, backoff_factor=0.7, growth_interval=1), {1: INF, 5: INF}, True),
    ('adam', dict(growth_interval=4), {0: INF, 7: float('nan')}, True),
]


@pytest.mark.parametrize('opt_name,kw,bad,unscale_first', LOOPS)
def test_grad_scaler_training_matches_torch(opt_name, kw, bad, unscale_first):
    tm, em = _models()
    tlog, tsd, tparams = _run_loop(torch, tm, opt_name, 14, bad, kw, unscale_first)
    elog, esd, eparams = _run_loop(ember, em, opt_name, 14, bad, kw, unscale_first)
    assert [(s, g) for s, g, _ in elog] == [(s, g) for s, g, _ in tlog]
    assert [r for *_, r in elog] == [r for *_, r in tlog]
    assert [i for i, (*_, r) in enumerate(elog) if r is None] == sorted(bad)
    assert esd == tsd
    for e, t in zip(eparams, tparams):
        np.testing.assert_allclose(e, t, rtol=1e-5, atol=1e-6)


def test_grad_scaler_with_autocast_training():
    tm, em = _models(3)
    args = ('sgd', 10, {4: INF}, dict(init_scale=2. ** 8, growth_interval=3))
    tlog, tsd, tparams = _run_loop(torch, tm, *args, autocast=True)
    elog, esd, eparams = _run_loop(ember, em, *args, autocast=True)
    assert [(s, g) for s, g, _ in elog] == [(s, g) for s, g, _ in tlog] and esd == tsd
    for e, t in zip(eparams, tparams):
        np.testing.assert_allclose(e, t, rtol=3e-2, atol=3e-2)


def test_grad_scaler_step_returns_optimizer_value_and_grads_unscaled():
    for T in (torch, ember):
        w = T.nn.Parameter(T.ones(3))
        opt = T.optim.SGD([w], lr=1.0)
        opt.step = (lambda f: (lambda *a, **k: (f(*a, **k), 'ret')[1]))(opt.step)
        s = amp(T).GradScaler(dev(T), init_scale=8.0)
        (s.scale((w * T.tensor([1., 2., 3.])).sum())).backward()
        assert w.grad.tolist() == [8., 16., 24.]
        s.unscale_(opt)
        assert w.grad.tolist() == [1., 2., 3.]
        assert s.step(opt) == 'ret'
        assert w.tolist() == [0., -1., -2.]


# ------------------------------------------------------------------ GradScaler: errors and state
def _err(fn):
    try:
        fn()
    except Exception as e:          # noqa: BLE001
        return type(e).__name__, str(e).replace('torch.', 'ember.')
    return None


def _scaler_errors(T):
    w = T.nn.Parameter(T.ones(2))
    opt = T.optim.SGD([w], lr=0.1)

    def fresh():
        s = amp(T).GradScaler(dev(T))
        s.scale(w.sum()).backward()
        return s

    def twice():
        s = fresh()
        s.unscale_(opt)
        s.unscale_(opt)

    def after_step():
        s = fresh()
        s.step(opt)
        s.unscale_(opt)

    def step_twice():
        s = fresh()
        s.step(opt)
        s.step(opt)

    def fp16():
        s = amp(T).GradScaler(dev(T))
        h = T.nn.Parameter(T.ones(2, dtype=T.float16))
        h.grad = T.ones(2, dtype=T.float16)
        s.scale(T.ones(1))
        s.unscale_(T.optim.SGD([h], lr=0.1))

    def bad_new_scale():
        s = fresh()
        s.update(T.ones(2))

    return [_err(f) for f in (
        twice, after_step, step_twice, fp16, bad_new_scale,
        lambda: amp(T).GradScaler(dev(T)).step(opt),
        lambda: amp(T).GradScaler(dev(T)).unscale_(opt),
        lambda: amp(T).GradScaler(dev(T)).update(),
        lambda: fresh().update(),
        lambda: fresh().step(opt, closure=lambda: 0),
        lambda: amp(T).GradScaler(dev(T), growth_factor=1.0),
        lambda: amp(T).GradScaler(dev(T), backoff_factor=1.0),
        lambda: amp(T).GradScaler(dev(T)).scale([T.ones(1), 3]),
        lambda: amp(T).GradScaler(dev(T)).load_state_dict({}),
        lambda: amp(T).GradScaler('cuda', enabled=False).get_growth_factor())]


def test_grad_scaler_errors_match_torch():
    got, want = _scaler_errors(ember), _scaler_errors(torch)
    assert got == want
    assert all(w is not None for w in want)


def test_grad_scaler_scale_nested_outputs():
    for T in (torch, ember):
        s = amp(T).GradScaler(dev(T), init_scale=4.0)
        a, b, c = T.ones(2), T.full((1,), 2.0), T.ones((), dtype=T.float64)
        out = s.scale([a, (b, [c])])
        assert type(out) is list and type(out[1]) is tuple and type(out[1][1]) is list
        assert out[0].tolist() == [4., 4.] and out[1][0].tolist() == [8.] and out[1][1][0].item() == 4.
        assert out[1][1][0].dtype == T.float64
        gen = s.scale(x for x in [a])
        assert type(gen).__name__ == 'map' and next(gen).tolist() == [4., 4.]
        x = T.ones(2, requires_grad=True)
        assert s.scale(x).grad_fn.name() == 'MulBackward0'
        assert s.scale(T.ones((), dtype=low(T))).dtype == T.float32


def test_grad_scaler_state_dict_getters_setters_pickle():
    def run(T):
        s = amp(T).GradScaler(dev(T), init_scale=16., growth_interval=5)
        res = [s.get_scale(), s.state_dict(), s.is_enabled()]
        w = T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([w], lr=0.1)
        s.scale(w.sum()).backward()
        s.step(opt)
        s.update()
        s.set_growth_factor(4.0)
        s.set_backoff_factor(0.25)
        s.set_growth_interval(7)
        res += [s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval(), s.state_dict()]
        s2 = amp(T).GradScaler(dev(T))
        s2.load_state_dict(s.state_dict())
        res.append(s2.state_dict())
        s2.update(3.0) if s2._scale is not None else None
        s3 = pickle.loads(pickle.dumps(s))
        res.append(s3.state_dict())
        s.update(new_scale=T.tensor(5.0))
        res.append(s.get_scale())
        s.update(new_scale=2.5)
        res.append(s.get_scale())
        return res
    assert run(ember) == run(torch)


def test_grad_scaler_bf16_grads_and_nonfinite_detection():
    def run(T):
        w = T.nn.Parameter(T.tensor([1., 2., 3.], dtype=T.bfloat16))
        opt = T.optim.SGD([w], lr=1.0)
        s = amp(T).GradScaler(dev(T), init_scale=3.0)
        w.grad = T.tensor([3., 7., 300.], dtype=T.bfloat16)
        s.scale(T.ones(1))
        s.unscale_(opt)
        found = [v.item() for v in s._found_inf_per_device(opt).values()]
        return w.grad.float().tolist(), found, str(w.grad.dtype).split('.')[1]
    assert run(ember) == run(torch)


def test_grad_scaler_cuda_without_gpu_warns_and_passes_through():
    if ember.cuda.is_available():
        pytest.skip('the premise is a machine without CUDA (torch here is a CPU build)')
    def run(T):
        s, ws = _warned(lambda: amp(T).GradScaler())
        w = T.nn.Parameter(T.ones(2))
        opt = T.optim.SGD([w], lr=0.5)
        x = T.ones(3)
        loss = (w * 2).sum()
        res = [ws, s.is_enabled(), s.scale(x) is x, s.get_scale(), s.state_dict(), s._get_growth_tracker()]
        s.scale(loss).backward()
        s.unscale_(opt)
        res.append(w.grad.tolist())
        res.append(s.step(opt, closure=lambda: 7.0))
        s.update()
        s.load_state_dict({})
        res.append(w.tolist())
        res.append(_err(s.get_backoff_factor))
        res.append(_warned(lambda: amp(T).GradScaler('cuda', enabled=False))[1])
        return res
    got, want = run(ember), run(torch)
    assert got == want
    assert want[0] == [('UserWarning', 'ember.cuda.amp.GradScaler is enabled, but CUDA is not available.  '
                                       'Disabling.')]


# ------------------------------------------------------------------ autocast: state and API
def _state_script(T, mod):
    A = amp(T)
    res = [mod.is_autocast_enabled(), mod.is_autocast_enabled('cpu'), str(mod.get_autocast_dtype('cpu')),
           str(mod.get_autocast_dtype('cuda')), str(mod.get_autocast_dtype('xpu')), mod.is_autocast_cache_enabled(),
           [A.is_autocast_available(d) for d in ('cpu', 'cuda', 'xpu', 'mps', 'meta')]]
    with A.autocast('cpu') as ctx:
        res += [type(ctx).__name__, mod.is_autocast_enabled('cpu'), mod.is_autocast_enabled(),
                str(mod.get_autocast_dtype('cpu'))]
        with A.autocast('cpu', enabled=False):
            res.append(mod.is_autocast_enabled('cpu'))
            with A.autocast('cpu', dtype=T.float16, cache_enabled=False):
                res += [mod.is_autocast_enabled('cpu'), str(mod.get_autocast_dtype('cpu')),
                        mod.is_autocast_cache_enabled()]
            res += [str(mod.get_autocast_dtype('cpu')), mod.is_autocast_cache_enabled()]
        res.append(mod.is_autocast_enabled('cpu'))
    res.append(mod.is_autocast_enabled('cpu'))
    a = A.autocast('cpu', dtype=T.float16, enabled=False)
    res += [str(a.fast_dtype), a._enabled, a.device, a._cache_enabled]
    mod.set_autocast_enabled('cpu', True)
    res += [mod.is_autocast_enabled('cpu'), mod.autocast_increment_nesting(), mod.autocast_decrement_nesting()]
    mod.set_autocast_enabled('cpu', False)
    mod.set_autocast_enabled(True)
    res.append(mod.is_autocast_enabled('cuda'))
    mod.set_autocast_enabled(False)
    mod.set_autocast_dtype('cpu', T.float16)
    res.append(str(mod.get_autocast_dtype('cpu')))
    mod.set_autocast_dtype('cpu', T.bfloat16)

    @A.autocast('cpu')
    def f(x):
        """doc"""
        return mod.is_autocast_enabled('cpu'), str((x @ x).dtype)
    res += [f(T.ones(2, 2, device='cpu')), f.__name__, f.__doc__, mod.is_autocast_enabled('cpu')]
    return [str(r).replace('torch.', 'ember.') for r in res]


def test_autocast_state_api_matches_torch():
    assert _state_script(ember, eac) == _state_script(torch, torch)


def _autocast_warnings(T, mod):
    A = amp(T)
    out = []
    for kw in (dict(device_type='cuda'), dict(device_type='cpu', dtype=T.float32),
               dict(device_type='cpu', dtype=T.float64), dict(device_type='cpu', dtype=T.float64, enabled=False),
               dict(device_type='cuda', enabled=False)):
        ctx, ws = _warned(lambda: A.autocast(**kw))
        with ctx:
            out.append((ws, ctx._enabled, mod.is_autocast_enabled(kw['device_type']),
                        str(mod.get_autocast_dtype(kw['device_type'])).replace('torch.', 'ember.')))
    legacy = _warned(lambda: [mod.is_autocast_cpu_enabled(), mod.get_autocast_cpu_dtype(),
                              mod.set_autocast_cpu_enabled(False), mod.set_autocast_cpu_dtype(T.bfloat16),
                              mod.get_autocast_gpu_dtype(), mod.set_autocast_gpu_dtype(T.float16),
                              mod.is_autocast_xla_enabled(), mod.get_autocast_ipu_dtype()])[1]
    out.append([(c, m.split(' (Triggered')[0]) for c, m in legacy])
    return out


def test_autocast_warnings_match_torch():
    got, want = _autocast_warnings(ember, eac), _autocast_warnings(torch, torch)
    assert want[0][0] == [('UserWarning', 'CUDA is not available or torch_xla is imported. Disabling autocast.')]
    if ember.cuda.is_available():
        # with CUDA, PyTorch's autocast('cuda') neither warns nor disables itself
        assert got[0] == ([], True, True, 'ember.float16')
        got, want = got[1:], want[1:]
    assert got == want


def test_autocast_errors_match_torch():
    def run(T, mod):
        A = amp(T)
        return [_err(f) for f in (
            lambda: A.autocast('foo'), lambda: A.autocast(1), lambda: A.autocast('cpu')(3),
            lambda: mod.get_autocast_dtype('foo'), lambda: mod.is_autocast_enabled(True),
            lambda: mod.set_autocast_enabled('cpu', 'x'), lambda: mod.set_autocast_dtype(T.float16, T.float16),
            lambda: A.is_autocast_available('foo'))]
    assert run(ember, eac) == run(torch, torch)


def test_autocast_reentering_one_instance_leaks_like_torch():
    def run(T, mod):
        ac = amp(T).autocast('cpu')
        with ac:
            with ac:
                pass
            inner = mod.is_autocast_enabled('cpu')
        return inner, mod.is_autocast_enabled('cpu')
    assert run(ember, eac) == run(torch, torch) == (True, True)


# ------------------------------------------------------------------ autocast: the lowered ops
def ac(T, **kw):
    """An autocast region for ``T``'s default device (float16 for both libraries in the CUDA pass)."""
    if on_cuda() and kw.get('dtype') is None:
        kw['dtype'] = T.float16
    return amp(T).autocast(dev(T), **kw)


def _in(fn, dtype=None, **kw):
    def run(T, *xs):
        with ac(T, dtype=dtype and getattr(T, dtype), **kw):
            return fn(T, *xs)
    return run


BF16_GRADS = {'float32': (3e-2, 3e-2), 'bfloat16': (5e-2, 5e-2), 'float64': (1e-8, 1e-6),
              'float16': (1e-2, 1e-2)}   # (float16 results: the CUDA pass, against torch's CPU kernels)
# forward tolerances: the CUDA pass compares float16 results of other kernels (another summation
# order, bias added after rounding), a few float16 ulps apart
FWD_TOLS = {**TOLS, 'float16': (1e-2, 1e-2)}
F = lambda T: T.nn.functional  # noqa: E731

OPS = [
    case('matmul_2d', _in(lambda T, x, y: x @ y), [(3, 4), (4, 5)]),
    case('matmul_method', _in(lambda T, x, y: x.matmul(y)), [(3, 4), (4, 5)]),
    case('matmul_1d_2d', _in(lambda T, x, y: T.matmul(x, y)), [(4,), (4, 5)]),
    case('matmul_2d_1d', _in(lambda T, x, y: T.matmul(x, y)), [(3, 4), (4,)]),
    case('matmul_1d_1d', _in(lambda T, x, y: T.matmul(x, y)), [(4,), (4,)]),
    case('matmul_batched', _in(lambda T, x, y: T.matmul(x, y)), [(2, 3, 4), (2, 4, 5)]),
    case('matmul_bcast', _in(lambda T, x, y: T.matmul(x, y)), [(2, 3, 4), (4, 5)]),
    case('mm', _in(lambda T, x, y: T.mm(x, y)), [(3, 4), (4, 5)]),
    case('mm_method_t', _in(lambda T, x, y: x.mm(y.t())), [(3, 4), (5, 4)]),
    case('bmm', _in(lambda T, x, y: T.bmm(x, y)), [(2, 3, 4), (2, 4, 5)]),
    case('addmm', _in(lambda T, b, x, y: T.addmm(b, x, y)), [(5,), (3, 4), (4, 5)]),
    case('addmm_beta', _in(lambda T, b, x, y: T.addmm(b, x, y, beta=0.5, alpha=2)), [(3, 5), (3, 4), (4, 5)]),
    case('baddbmm', _in(lambda T, b, x, y: T.baddbmm(b, x, y)), [(2, 3, 5), (2, 3, 4), (2, 4, 5)]),
    case('addbmm', _in(lambda T, b, x, y: T.addbmm(b, x, y)), [(3, 5), (2, 3, 4), (2, 4, 5)]),
    case('linear', _in(lambda T, x, w, b: F(T).linear(x, w, b)), [(3, 4), (5, 4), (5,)], grad_fn=False),
    case('linear_nobias', _in(lambda T, x, w: F(T).linear(x, w)), [(3, 4), (5, 4)], grad_fn=False),
    case('linear_kw_bias', _in(lambda T, x, w, b: F(T).linear(x, w, bias=b)), [(3, 4), (5, 4), (5,)],
         grad_fn=False),
    case('conv1d', _in(lambda T, x, w, b: F(T).conv1d(x, w, b, padding=1)), [(2, 3, 7), (4, 3, 3), (4,)]),
    case('conv2d', _in(lambda T, x, w, b: F(T).conv2d(x, w, b, stride=2)), [(1, 2, 6, 6), (3, 2, 3, 3), (3,)]),
    case('conv2d_nobias', _in(lambda T, x, w: F(T).conv2d(x, w)), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    case('conv3d', _in(lambda T, x, w, b: F(T).conv3d(x, w, b)), [(1, 2, 4, 4, 4), (2, 2, 2, 2, 2), (2,)]),
    case('conv_transpose1d', _in(lambda T, x, w, b: F(T).conv_transpose1d(x, w, b, stride=2)),
         [(1, 2, 5), (2, 3, 3), (3,)]),
    case('conv_transpose2d', _in(lambda T, x, w: F(T).conv_transpose2d(x, w, padding=1)),
         [(1, 2, 4, 4), (2, 3, 3, 3)]),
    case('conv_transpose3d', _in(lambda T, x, w, b: F(T).conv_transpose3d(x, w, b)),
         [(1, 2, 3, 3, 3), (2, 2, 2, 2, 2), (2,)]),
    case('fp16_mm', _in(lambda T, x, y: T.mm(x, y), dtype='float16'), [(3, 4), (4, 5)]),
    case('half_input', _in(lambda T, x, y: T.mm(x.half(), y)), [(3, 4), (4, 5)], gradcheck=False),  # f64 y stays
    case('then_elementwise', _in(lambda T, x, y: (x @ y).relu() * 2 + x.sum()), [(3, 4), (4, 5)]),
]


@pytest.mark.parametrize('fn,specs,kw', OPS)
def test_autocast_ops(fn, specs, kw, request):
    if on_cuda() and 'conv' in request.node.callspec.id:
        # (speed) float64 is never lowered: the conv double backward on CUDA is test_nn_conv's
        kw = {**kw, 'gradgrad': False}
    check(fn, specs, grad_tols=BF16_GRADS, tols=FWD_TOLS if on_cuda() else TOLS, **kw)


def _names(node, depth):
    if node is None:
        return None
    name = node.name().replace('torch::', 'ember::')
    if depth == 0:
        return name
    return (name, tuple(_names(n, depth - 1) for n, _ in node.next_functions))


GRAPHS = [
    ('mm', lambda T, x, w, b: T.mm(x, w.t()), 3),
    ('matmul', lambda T, x, w, b: x @ w.t(), 3),
    ('detached', lambda T, x, w, b: x @ w.t().detach(), 2),
    ('addmm', lambda T, x, w, b: T.addmm(b, x, w.t()), 3),
    ('matmul_2d_1d', lambda T, x, w, b: T.matmul(x, w[0]), 2),
    ('conv_bias', lambda T, x, w, b: F(T).conv1d(x.t().unsqueeze(0), w.unsqueeze(2), b), 2),
]


@pytest.mark.parametrize('name,fn,depth', GRAPHS, ids=[g[0] for g in GRAPHS])
def test_autocast_graph_names(name, fn, depth):
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (5, 4), (5,))]
    got = []
    for T in (torch, ember):
        xs = [T.tensor(d.copy()).requires_grad_() for d in data]
        with ac(T):
            y = fn(T, *xs)
        got.append(_names(y.grad_fn, depth))
    assert got[1] == got[0]


def _module_run(T):
    T.manual_seed(0)
    rng = np.random.default_rng(0)
    lin, conv = T.nn.Linear(4, 3), T.nn.Conv2d(2, 3, 3)
    for mod_ in (lin, conv):
        for p in mod_.parameters():
            with T.no_grad():
                p.copy_(T.tensor(rng.uniform(-1, 1, tuple(p.shape)).astype(np.float32)))
    x, img = T.tensor(rng.uniform(-1, 1, (2, 4)).astype(np.float32)), T.ones(1, 2, 5, 5)
    with ac(T):
        a, c = lin(x), conv(img)
    (a.float().sum() + c.float().sum()).backward()
    grads = [p.grad for m in (lin, conv) for p in m.parameters()]
    return [a, c] + grads


def test_autocast_nn_modules():
    for e, t in zip(_module_run(ember), _module_run(torch)):
        assert_tensor_equal(e, t, tols=BF16_GRADS, grad_fn=False, layout=False)


NOT_LOWERED = [
    case('float64', _in(lambda T, x, y: T.mm(x.double(), y.double())), [(3, 4), (4, 5)]),
    case('mv', _in(lambda T, x, y: T.mv(x, y)), [(3, 4), (4,)]),
    case('dot', _in(lambda T, x, y: T.dot(x, y)), [(4,), (4,)]),
    case('addmv', _in(lambda T, b, x, y: T.addmv(b, x, y)), [(3,), (3, 4), (4,)]),
    case('addr', _in(lambda T, b, x, y: T.addr(b, x, y)), [(3, 4), (3,), (4,)]),
    case('elementwise', _in(lambda T, x, y: (x.exp() + y).sum()), [(3, 4), (3, 4)]),
    case('disabled_inner', _in(lambda T, x, y: _nested_off(T, x, y)), [(3, 4), (4, 5)]),
    case('enabled_false', _in(lambda T, x, y: x @ y, enabled=False), [(3, 4), (4, 5)]),
    case('outside', lambda T, x, y: x @ y, [(3, 4), (4, 5)]),
]


def _nested_off(T, x, y):
    with ac(T, enabled=False):
        return x @ y


# PyTorch's CUDA autocast lowers these (its lower_precision_fp list: mv, addmv, addr); its CPU one does not
CUDA_LOWERED = ('mv', 'addmv', 'addr')


@pytest.mark.parametrize('fn,specs,kw', NOT_LOWERED)
def test_autocast_leaves_other_ops_alone(fn, specs, kw, request):
    if on_cuda() and request.node.callspec.id.split('-')[0] in CUDA_LOWERED:
        # on CUDA PyTorch lowers them (torch's CPU kernels are no reference here): float16 results
        out = fn(ember, *(ember.rand(*s, device='cuda') for s in specs))
        assert out.dtype == ember.float16
        return
    out = check(fn, specs, **kw)
    assert out.dtype in (ember.float32, ember.float64)


def test_autocast_int_and_out_forms():
    for T in (torch, ember):
        i = T.ones(2, 2, dtype=T.int64)
        o = T.empty(2, 2)
        with ac(T):
            assert (i @ i).dtype == T.int64
            assert T.mm(T.ones(2, 2), T.ones(2, 2), out=o).dtype == T.float32
            a = T.ones(2, 2)
            assert a.addmm_(T.ones(2, 2), T.ones(2, 2)).dtype == T.float32


def test_autocast_bf16_mixed_with_float64_errors_like_torch():
    def run(T):
        with ac(T):
            return _err(lambda: T.ones(2, 3) @ T.ones(3, 2, dtype=T.float64))
    assert run(ember) == run(torch)


def test_autocast_weight_cache():
    def run(T):
        x = T.ones(2, 3, requires_grad=True)
        out = []
        for cache in (None, False):
            with ac(T, cache_enabled=cache):
                y1, y2 = x @ T.ones(3, 2), x @ T.ones(3, 2)
                out.append(y1.grad_fn.next_functions[0][0] is y2.grad_fn.next_functions[0][0])
                with T.no_grad():
                    x @ T.ones(3, 2)
                out.append((x @ T.ones(3, 2)).requires_grad)
        with ac(T):
            a = (x @ T.ones(3, 2)).grad_fn.next_functions[0][0]
        with ac(T):
            b = (x @ T.ones(3, 2)).grad_fn.next_functions[0][0]
        out.append(a is b)
        return out
    assert run(ember) == run(torch) == [True, True, False, True, False]


def test_autocast_backward_reaches_float32_leaves():
    def run(T):
        rng = np.random.default_rng(2)
        x = T.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
        w = T.tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
        with ac(T):
            y = F(T).linear(x, w)
            z = T.mm(y, w)
        z.float().sum().backward()
        return x.grad, w.grad, y.dtype, z.dtype
    e, t = run(ember), run(torch)
    for a, b in zip(e[:2], t[:2]):
        assert_tensor_equal(a, b, tols=BF16_GRADS, grad_fn=False, layout=False)
    assert str(e[2:]) == str(t[2:]).replace('torch.', 'ember.')


def test_top_level_names():
    """The names torch has at its top level and in torch.cuda.amp (added to ember/__init__ and ember.cuda)."""
    assert ember.autocast is eamp.autocast
    for name in ('is_autocast_enabled', 'get_autocast_dtype', 'set_autocast_enabled', 'set_autocast_dtype',
                 'is_autocast_cache_enabled', 'set_autocast_cache_enabled', 'clear_autocast_cache',
                 'is_autocast_cpu_enabled', 'get_autocast_cpu_dtype', 'autocast_increment_nesting'):
        assert getattr(ember, name) is getattr(eac, name)
    def expected(ws):
        """torch's warnings here (a CPU build), less the 'CUDA is not available' ones where ember has CUDA"""
        return [w for w in ws if not (ember.cuda.is_available() and 'not available' in w[1])]
    _, ws = _warned(lambda: ember.cuda.amp.GradScaler())
    _, tws = _warned(lambda: torch.cuda.amp.GradScaler())
    assert ws == expected(tws)
    _, ws = _warned(lambda: ember.cuda.amp.autocast())
    _, tws = _warned(lambda: torch.cuda.amp.autocast())
    assert ws == expected(tws)


def test_autocast_backward_inside_region():
    def run(T):
        rng = np.random.default_rng(0)
        x = T.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
        w = T.tensor(rng.standard_normal((5, 4)).astype(np.float32), requires_grad=True)
        pre = x @ w.t()                     # float32, recorded before the region
        with ac(T):
            y = F(T).linear(pre.t(), x.t())
            T.mm(y, w.t()).float().sum().backward()
        return x.grad, w.grad
    for e, t in zip(run(ember), run(torch)):
        assert_tensor_equal(e, t, tols=BF16_GRADS, grad_fn=False, layout=False)


def test_custom_fwd_bwd():
    def run(T):
        A = amp(T)

        class Mul(T.autograd.Function):
            @staticmethod
            @A.custom_fwd(device_type=dev(T), cast_inputs=T.float32)
            def forward(ctx, a, b):
                ctx.save_for_backward(a, b)
                return a @ b, str(a.dtype), T.is_autocast_enabled(dev(T)) if T is torch else \
                    eac.is_autocast_enabled(dev(T))

            @staticmethod
            @A.custom_bwd(device_type=dev(T))
            def backward(ctx, g, *_):
                a, b = ctx.saved_tensors
                return g @ b.t(), a.t() @ g

        a = T.ones(2, 3, requires_grad=True)
        with ac(T):
            out, dt, inside = Mul.apply(a.to(low(T)), T.ones(3, 2))
        out.sum().backward()
        return str(out.dtype).split('.')[1], dt.split('.')[1], inside, a.grad.tolist()
    assert run(ember) == run(torch)
