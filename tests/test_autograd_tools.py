"""Autograd tools, differential against PyTorch: hooks, autograd.functional, anomaly mode,
and the graph module (Node alias, to_dot/draw)."""
import os
import re
import shutil
import stat
import sys
import warnings

import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import ember
import ember.autograd.functional as EF
from ember.autograd.graph import to_dot, draw

LIBS = [(torch, TF), (ember, EF)]


def _np(x):
    """Nested results -> comparable structure: (container type, ...) / (shape, dtype, rg, grad_fn, values)."""
    if isinstance(x, (tuple, list)):
        return (type(x).__name__, tuple(_np(e) for e in x))
    if x is None or isinstance(x, (int, float, str, bool)):
        return x
    fn = x.grad_fn.name() if x.grad_fn is not None else None
    vals = np.round(x.detach().cpu().numpy().astype(np.float64), 6)
    return (tuple(x.shape), str(x.dtype).split('.')[-1], x.requires_grad, fn,
            np.where(np.isnan(vals), np.inf, vals).tolist())        # nan == nan here


def _same(fn):
    """Run fn(T) with torch and with ember; results must match in structure and values."""
    rt, re_ = fn(torch), fn(ember)
    assert _np(rt) == _np(re_)
    return re_


def _err(fn, tensor_types=False):
    """fn(T) must raise the same exception type and message with torch and ember.

    ``tensor_types``: the message names legacy tensor types of the default device, which PyTorch
    spells ``torch.cuda.FloatTensor`` for CUDA tensors (the CUDA pass; torch here runs on the CPU)."""
    got = []
    for T in (torch, ember):
        with pytest.raises(Exception) as info:
            fn(T)
        got.append((type(info.value).__name__, str(info.value).replace('torch.', 'ember.')))
    if tensor_types and ember.get_default_device().type == 'cuda':
        got[0] = (got[0][0], re.sub(r'\bember\.(\w+Tensor)\b', r'ember.cuda.\1', got[0][1]))
    assert got[0] == got[1]


# ==================================================================== tensor hooks

def test_tensor_hooks_on_nonleaf_order_replace_remove():
    def run(T):
        log = []
        x = T.tensor([1., 2., 3.], requires_grad=True)
        y = x * 2
        y.retain_grad()
        h1 = y.register_hook(lambda g: log.append(('h1', g.tolist())) or g * 10)
        y.register_hook(lambda g: log.append(('h2', g.tolist())))           # sees h1's result
        h3 = y.register_hook(lambda g: g + 1)
        (y * y).sum().backward(retain_graph=True)
        log.append(('y.grad', y.grad.tolist(), 'x.grad', x.grad.tolist()))
        h1.remove()
        h3.remove()
        h3.remove()                                        # removing twice is harmless
        x.grad = None
        y.grad = None
        (y * y).sum().backward()
        log.append(('y.grad', y.grad.tolist(), 'x.grad', x.grad.tolist()))
        return log
    assert run(torch) == run(ember)


def test_tensor_hooks_on_leaf_and_with_autograd_grad():
    def run(T):
        log = []
        x = T.tensor([1., -2.], requires_grad=True)
        x.register_hook(lambda g: log.append(('a', g.tolist())) or g * 3)
        h = x.register_hook(lambda g: log.append(('b', g.tolist())) or g - 1)
        (x * x).sum().backward()
        log.append(x.grad.tolist())
        g, = T.autograd.grad((x * 5).sum(), x)             # hooks change the captured gradient too
        log.append(g.tolist())
        h.remove()
        g, = T.autograd.grad((x * 5).sum(), x)
        log.append(g.tolist())
        return log
    assert run(torch) == run(ember)


@pytest.mark.parametrize('hook', [lambda T: (lambda g: 3), lambda T: (lambda g: T.ones(3)),
                                  lambda T: (lambda g: T.ones(2, dtype=T.float64))],
                         ids=['not-a-tensor', 'size', 'dtype'])
@pytest.mark.parametrize('leaf', [True, False])
def test_tensor_hook_bad_return(hook, leaf):
    def run(T):
        x = T.ones(2, requires_grad=True)
        y = x * 2
        (x if leaf else y).register_hook(hook(T))
        y.sum().backward()
    _err(run, tensor_types=True)


def test_tensor_hook_needs_requires_grad():
    _err(lambda T: T.ones(2).register_hook(lambda g: g))


# ==================================================================== post-accumulate hooks

def test_post_accumulate_grad_hook():
    def run(T):
        log = []
        x = T.tensor([1., 2.], requires_grad=True)

        def post(t):
            log.append(('post', t.grad.tolist()))
            t.grad.mul_(10)                                  # sees (and may edit) the accumulated .grad
        h = x.register_post_accumulate_grad_hook(post)
        x.register_hook(lambda g: log.append(('pre', g.tolist())))
        (x * 3).sum().backward()
        (x * 3).sum().backward()                             # accumulates onto the edited grad
        log.append(x.grad.tolist())
        T.autograd.grad((x * 2).sum(), x)                    # autograd.grad does not accumulate
        other = T.ones(2, requires_grad=True)
        (x * other).sum().backward(inputs=[other])           # x not accumulated: no call
        h.remove()
        (x * 3).sum().backward()
        log.append(x.grad.tolist())
        return log
    assert run(torch) == run(ember)


def test_post_accumulate_grad_hook_create_graph_and_handle():
    def run(T):
        seen = []
        x = T.tensor([1., 2.], requires_grad=True)
        with x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.requires_grad)):
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                (x * x).sum().backward(create_graph=True)
        (x * x).sum().backward()                             # handle left the with-block: removed
        return seen
    assert run(torch) == run(ember) == [True]


@pytest.mark.parametrize('case', ['nonleaf', 'no-grad', 'returns-tensor', 'returns-int'])
def test_post_accumulate_grad_hook_errors(case):
    def run(T):
        x = T.ones(2, requires_grad=True)
        if case == 'nonleaf':
            (x * 2).register_post_accumulate_grad_hook(lambda t: None)
        elif case == 'no-grad':
            T.ones(2).register_post_accumulate_grad_hook(lambda t: None)
        else:
            x.register_post_accumulate_grad_hook(lambda t: T.zeros(2) if case == 'returns-tensor' else 5)
            (x * 1).sum().backward()
    _err(run)


# ==================================================================== Node hooks

def test_node_hooks_signatures_replacement_removal():
    def run(T):
        log = []
        a = T.tensor([1., 2.], requires_grad=True)
        b = T.tensor([3., 4.], requires_grad=True)
        out = a * b
        fn = out.grad_fn

        def post(gi, go):
            log.append(('post', [g.tolist() for g in gi], [g.tolist() for g in go]))
            return (gi[0] * 2, gi[1])

        def pre(go):
            log.append(('pre', [g.tolist() for g in go]))
            return (go[0] * 5,)
        h1, h2 = fn.register_hook(post), fn.register_prehook(pre)
        fn.register_hook(lambda gi, go: log.append(('post2', [g.tolist() for g in gi])))
        out.sum().backward(retain_graph=True)
        log.append((a.grad.tolist(), b.grad.tolist()))
        h1.remove()
        h2.remove()
        a.grad = b.grad = None
        out.sum().backward()
        log.append((a.grad.tolist(), b.grad.tolist()))
        return log
    assert run(torch) == run(ember)


def test_node_hooks_on_accumulate_grad_and_order_with_tensor_hooks():
    def run(T):
        log = []
        a = T.tensor([1., 2.], requires_grad=True)
        y = a * 2
        out = y * 3
        acc = y.grad_fn.next_functions[0][0]
        acc.register_prehook(lambda go: log.append(('acc pre', [g.tolist() for g in go])))
        acc.register_hook(lambda gi, go: log.append(('acc post', len(gi), [g.tolist() for g in go])))
        y.retain_grad()
        y.register_hook(lambda g: log.append(('tensor', g.tolist())) or g * 2)
        y.grad_fn.register_prehook(lambda go: log.append(('node pre', [g.tolist() for g in go])))
        out.sum().backward()
        log.append((y.grad.tolist(), a.grad.tolist()))
        return log
    assert run(torch) == run(ember)


def test_node_hook_can_drop_a_gradient():
    def run(T):
        a = T.ones(2, requires_grad=True)
        b = T.ones(2, requires_grad=True)
        out = a * b
        out.grad_fn.register_hook(lambda gi, go: (gi[0] * 2, None))
        out.sum().backward()
        return a.grad, b.grad
    _same(run)


def _named_post(gi, go):
    return (gi[0],)


class _CallableHook:
    def __call__(self, gi, go):
        return (gi[0],)


@pytest.mark.parametrize('case', ['pre-int', 'pre-list', 'pre-count', 'post-count', 'post-named',
                                  'post-callable', 'post-list', 'post-int', 'post-replace-none'])
def test_node_hook_bad_returns(case):
    def run(T):
        a = T.ones(2, requires_grad=True)
        b = T.ones(2, requires_grad=True)
        if case == 'post-replace-none':
            out = a * 2
        else:
            out = a * b
        fn = out.grad_fn
        hooks = {'pre-int': lambda go: 3, 'pre-list': lambda go: [go[0]],
                 'pre-count': lambda go: (go[0], go[0]), 'post-count': lambda gi, go: (gi[0],),
                 'post-named': _named_post, 'post-callable': _CallableHook(),
                 'post-list': lambda gi, go: list(gi), 'post-int': lambda gi, go: 3,
                 'post-replace-none': lambda gi, go: (gi[0], gi[0])}
        (fn.register_prehook if case.startswith('pre') else fn.register_hook)(hooks[case])
        out.sum().backward()
    _err(run)


# ==================================================================== autograd.functional

_RNG = np.random.default_rng(0)
A = _RNG.standard_normal((2, 3))
B = _RNG.standard_normal(3)
A32 = A.astype(np.float32)


def _t(T, arr, **kw):
    return T.tensor(arr, **kw)


FUNCTIONAL = [
    ('jacobian-1in-1out', lambda T, F: F.jacobian(lambda x: x.exp() * 2, _t(T, A))),
    ('jacobian-float32', lambda T, F: F.jacobian(lambda x: x.sin(), _t(T, A32))),
    ('jacobian-2in-1out', lambda T, F: F.jacobian(lambda x, y: (x * y).sum(1), (_t(T, A), _t(T, B)))),
    ('jacobian-2in-2out', lambda T, F: F.jacobian(lambda x, y: (x * y, y.sin()), (_t(T, A), _t(T, B)))),
    ('jacobian-1in-2out', lambda T, F: F.jacobian(lambda x: (x.sum(), x.t()), _t(T, A))),
    ('jacobian-1tuple-in', lambda T, F: F.jacobian(lambda x: x.cos(), (_t(T, A),))),
    ('jacobian-scalar-out', lambda T, F: F.jacobian(lambda x: x.pow(2).sum(), _t(T, A))),
    ('jacobian-0dim-in', lambda T, F: F.jacobian(lambda x: x * _t(T, B), _t(T, 2.0))),
    ('jacobian-unused-input', lambda T, F: F.jacobian(lambda x, y: x * 2, (_t(T, A), _t(T, B)))),
    ('jacobian-constant-out', lambda T, F: F.jacobian(lambda x: T.ones(2, dtype=T.float64), _t(T, A))),
    ('jacobian-create-graph', lambda T, F: F.jacobian(lambda x: x.exp(), _t(T, A), create_graph=True)),
    ('jacobian-vectorize', lambda T, F: F.jacobian(lambda x, y: (x * y, y), (_t(T, A), _t(T, B)),
                                                   vectorize=True)),
    ('jacobian-forward-mode', lambda T, F: F.jacobian(lambda x, y: (x * y, y.sin()), (_t(T, A), _t(T, B)),
                                                      vectorize=True, strategy='forward-mode')),
    ('jacobian-forward-mode-1', lambda T, F: F.jacobian(lambda x: x.exp(), _t(T, A32), vectorize=True,
                                                        strategy='forward-mode')),
    ('hessian-1in', lambda T, F: F.hessian(lambda x: x.pow(3).sum(), _t(T, A))),
    ('hessian-2in', lambda T, F: F.hessian(lambda x, y: (x.pow(2) * y).sum(), (_t(T, A), _t(T, B)))),
    ('hessian-linear', lambda T, F: F.hessian(lambda x: x.sum(), _t(T, A))),
    ('hessian-create-graph', lambda T, F: F.hessian(lambda x: x.pow(3).sum(), _t(T, B), create_graph=True)),
    ('hessian-1x1-output', lambda T, F: F.hessian(lambda x: x.pow(3).sum().reshape(1, 1), _t(T, B))),
    ('vjp-scalar', lambda T, F: F.vjp(lambda x: x.exp().sum(), _t(T, A))),
    ('vjp-tuple', lambda T, F: F.vjp(lambda x, y: (x * y, y), (_t(T, A), _t(T, B)),
                                     (T.ones(2, 3, dtype=T.float64), _t(T, B)))),
    ('vjp-create-graph', lambda T, F: F.vjp(lambda x: x.pow(3), _t(T, A), _t(T, A), create_graph=True)),
    ('vjp-unused', lambda T, F: F.vjp(lambda x, y: (x * 2).sum(), (_t(T, A), _t(T, B)))),
    ('jvp-1', lambda T, F: F.jvp(lambda x: x.exp(), _t(T, A), _t(T, A))),
    ('jvp-tuple', lambda T, F: F.jvp(lambda x, y: (x * y, y.sum()), (_t(T, A), _t(T, B)),
                                     (_t(T, A), _t(T, B)))),
    ('jvp-scalar-in-v-none', lambda T, F: F.jvp(lambda x: x * 3, _t(T, 2.0))),
    ('jvp-create-graph', lambda T, F: F.jvp(lambda x: x.pow(3), _t(T, A), _t(T, A), create_graph=True)),
    ('hvp-1', lambda T, F: F.hvp(lambda x: x.pow(3).sum(), _t(T, A), _t(T, A))),
    ('hvp-2', lambda T, F: F.hvp(lambda x, y: (x.pow(3) * y).sum(), (_t(T, A), _t(T, B)),
                                 (_t(T, A), _t(T, B)))),
    ('hvp-create-graph', lambda T, F: F.hvp(lambda x: x.pow(3).sum(), _t(T, A), _t(T, A), create_graph=True)),
    ('vhp-1', lambda T, F: F.vhp(lambda x: x.pow(3).sum(), _t(T, A32), _t(T, A32))),
    ('vhp-2', lambda T, F: F.vhp(lambda x, y: (x.pow(3) * y).sum(), (_t(T, A), _t(T, B)),
                                 (_t(T, A), _t(T, B)))),
    ('vhp-linear', lambda T, F: F.vhp(lambda x: x.sum() * 2, _t(T, A), _t(T, A))),
]


@pytest.mark.filterwarnings('ignore:`torch.jit.script` is deprecated:DeprecationWarning')  # torch's vmap
@pytest.mark.parametrize('fn', [f for _, f in FUNCTIONAL], ids=[n for n, _ in FUNCTIONAL])
def test_functional_matches_torch(fn):
    _same(lambda T: fn(T, TF if T is torch else EF))


def test_functional_outer_graph_is_differentiable():
    def run(T):
        F = TF if T is torch else EF
        x = _t(T, A, requires_grad=True)
        j = F.jacobian(lambda x: x.exp(), x, create_graph=True)
        _, h = F.hvp(lambda x: x.pow(3).sum(), x, _t(T, A), create_graph=True)
        _, jv = F.jvp(lambda x: x.pow(3), x, _t(T, A), create_graph=True)
        H = F.hessian(lambda x: x.pow(3).sum(), x, create_graph=True)
        g, = T.autograd.grad(h.sum() + j.sum() + jv.sum() + H.sum(), x)
        return g, x.grad
    _same(run)


def test_functional_leaves_inputs_alone():
    x = ember.tensor(A, requires_grad=True)
    EF.jacobian(lambda x: x.exp(), x)
    EF.hvp(lambda x: x.pow(3).sum(), x, ember.tensor(A))
    assert x.grad is None and x.is_leaf


FUNCTIONAL_ERRORS = [
    ('strict-independent', lambda T, F: F.jacobian(lambda x, y: x * 2, (_t(T, A), _t(T, B)), strict=True)),
    ('strict-no-grad', lambda T, F: F.jacobian(lambda x: T.ones(2), _t(T, A), strict=True)),
    ('strict-vjp', lambda T, F: F.vjp(lambda x, y: (x * 2).sum(), (_t(T, A), _t(T, B)), strict=True)),
    ('strict-jvp', lambda T, F: F.jvp(lambda x, y: x * 2, (_t(T, A), _t(T, B)), (_t(T, A), _t(T, B)),
                                      strict=True)),
    ('strict-hessian-linear', lambda T, F: F.hessian(lambda x: x.sum(), _t(T, A), strict=True)),
    ('strict-hvp-linear', lambda T, F: F.hvp(lambda x: x.sum(), _t(T, A), _t(T, A), strict=True)),
    ('strict-vhp-linear', lambda T, F: F.vhp(lambda x: x.sum(), _t(T, A), _t(T, A), strict=True)),
    ('strict-create-graph', lambda T, F: F.jacobian(lambda x: x * 2, _t(T, A), strict=True,
                                                    create_graph=True)),
    ('strict-vectorize', lambda T, F: F.jacobian(lambda x: x * 2, _t(T, A), strict=True, vectorize=True)),
    ('strict-forward-mode', lambda T, F: F.jacobian(lambda x: x * 2, _t(T, A), strict=True,
                                                    strategy='forward-mode')),
    ('forward-mode-no-vectorize', lambda T, F: F.jacobian(lambda x: x * 2, _t(T, A),
                                                          strategy='forward-mode')),
    ('forward-mode-create-graph', lambda T, F: F.jacobian(lambda x: x * 2, _t(T, A),
                                                          strategy='forward-mode', create_graph=True)),
    ('bad-strategy', lambda T, F: F.jacobian(lambda x: x * 2, _t(T, A), strategy='bogus')),
    ('hessian-bad-strategy', lambda T, F: F.hessian(lambda x: x.sum(), _t(T, A),
                                                     outer_jacobian_strategy='x')),
    ('input-list', lambda T, F: F.jacobian(lambda x: x * 2, [_t(T, A)])),
    ('input-tuple-int', lambda T, F: F.vjp(lambda x, y: x * 2, (_t(T, A), 3))),
    ('output-int', lambda T, F: F.jacobian(lambda x: 3, _t(T, A))),
    ('vjp-v-none', lambda T, F: F.vjp(lambda x: x * 2, _t(T, A))),
    ('jvp-v-none', lambda T, F: F.jvp(lambda x: x * 2, _t(T, A))),
    ('hvp-v-none', lambda T, F: F.hvp(lambda x: x.sum(), _t(T, A))),
    ('vhp-v-none', lambda T, F: F.vhp(lambda x: x.sum(), (_t(T, A), _t(T, B)))),
    ('v-tuple-length', lambda T, F: F.vjp(lambda x, y: (x, y), (_t(T, A), _t(T, B)), (_t(T, A),))),
    ('v-single', lambda T, F: F.vjp(lambda x: x, _t(T, A), (_t(T, A), _t(T, A)))),
    ('v-size', lambda T, F: F.jvp(lambda x: x, _t(T, A), _t(T, B))),
    ('v-entry-size', lambda T, F: F.vjp(lambda x, y: (x, y), (_t(T, A), _t(T, B)), (_t(T, A), _t(T, A)))),
    ('v-not-tensor', lambda T, F: F.vjp(lambda x: x, _t(T, A), 3.0)),
    ('hessian-not-scalar', lambda T, F: F.hessian(lambda x: x * 2, _t(T, A))),
    ('hessian-tuple-out', lambda T, F: F.hessian(lambda x: (x.sum(),), _t(T, A))),
    ('hvp-not-scalar', lambda T, F: F.hvp(lambda x: x * 2, _t(T, A), _t(T, A))),
    ('vhp-tuple-out', lambda T, F: F.vhp(lambda x: (x.sum(),), _t(T, A), _t(T, A))),
]


@pytest.mark.parametrize('fn', [f for _, f in FUNCTIONAL_ERRORS], ids=[n for n, _ in FUNCTIONAL_ERRORS])
def test_functional_errors_match_torch(fn):
    _err(lambda T: fn(T, TF if T is torch else EF))


def test_functional_importable_like_torch():
    from ember.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp  # noqa: F401
    assert ember.autograd.functional.jacobian is jacobian


# ==================================================================== anomaly mode

@pytest.fixture
def anomaly_off():
    yield
    ember.autograd.set_detect_anomaly(False)
    torch.autograd.set_detect_anomaly(False)


def _caught(fn):
    """(exception text or None, [UserWarning texts]) of fn(), torch's C++ trailer removed."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        try:
            fn()
            err = None
        except Exception as e:  # noqa: BLE001
            err = f'{type(e).__name__}: {e}'
    texts = [re.sub(r' \(Triggered internally at [^)]*\)$', '', str(w.message)) for w in rec
             if w.category is UserWarning]
    return err, texts


def _user_frames(text):
    """Drop the traceback lines of PyTorch's / ember's own files (each library has its own)."""
    lib = (os.path.dirname(torch.__file__), os.path.dirname(ember.__file__))
    out, skip = [], False
    for line in text.split('\n'):
        if line.startswith('  File '):
            skip = any(p in line for p in lib)
        elif not line.startswith('    '):
            skip = False
        if not skip:
            out.append(line)
    return '\n'.join(out)


def test_anomaly_flags(anomaly_off):
    A_ = ember.autograd
    assert not A_.is_anomaly_enabled() and A_.is_anomaly_check_nan_enabled()
    A_.set_detect_anomaly(True, check_nan=False)
    assert A_.is_anomaly_enabled() and not A_.is_anomaly_check_nan_enabled()
    A_.set_detect_anomaly(False)
    assert not A_.is_anomaly_enabled() and A_.is_anomaly_check_nan_enabled()
    with A_.set_detect_anomaly(True):
        assert A_.is_anomaly_enabled()
    assert not A_.is_anomaly_enabled()
    with pytest.warns(UserWarning, match='Anomaly Detection has been enabled'):
        ctx = A_.detect_anomaly(check_nan=False)
    with ctx:
        assert A_.is_anomaly_enabled() and not A_.is_anomaly_check_nan_enabled()
    assert not A_.is_anomaly_enabled() and A_.is_anomaly_check_nan_enabled()


def test_detect_anomaly_as_decorator(anomaly_off):
    with pytest.warns(UserWarning):
        @ember.autograd.detect_anomaly()
        def f():
            return ember.autograd.is_anomaly_enabled()
    assert f() and not ember.autograd.is_anomaly_enabled()


@pytest.mark.skipif(not hasattr(ember, 'is_anomaly_enabled'),
                    reason='ember/__init__.py does not export the anomaly flags yet')
def test_anomaly_flags_at_top_level(anomaly_off):
    assert ember.is_anomaly_enabled is ember.autograd.is_anomaly_enabled
    ember.set_anomaly_enabled(True, False)
    assert ember.is_anomaly_enabled() and not ember.is_anomaly_check_nan_enabled()


def test_detect_anomaly_warning_matches_torch(anomaly_off):
    got = []
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter('always')
            T.autograd.detect_anomaly()
            T.autograd.set_detect_anomaly(True)             # the function form does not warn
        got.append([(w.category, str(w.message), w.filename) for w in rec])
    assert got[0] == got[1] and len(got[0]) == 1 and got[0][0][2] == __file__


NAN_CASES = {
    'div': lambda T: (lambda x: (x / x).sum(), [0., 1.]),
    'sqrt': lambda T: (lambda x: (x.sqrt() * 0).sum(), [0., 1.]),
    'log-relu': lambda T: (lambda x: (x.relu().log() * 0).sum(), [-1., 1.]),
}


@pytest.mark.parametrize('case', list(NAN_CASES))
def test_anomaly_nan_error_and_traceback_match_torch(case, anomaly_off):
    results = []
    for T in (torch, ember):
        f, data = NAN_CASES[case](T)

        def run():
            with T.autograd.set_detect_anomaly(True):
                x = T.tensor(data, requires_grad=True)
                f(x).backward()
        results.append(_caught(run))
    assert results[0] == results[1]
    err, texts = results[1]
    assert 'returned nan values in its' in err and 'Traceback of forward call' in texts[0]


def test_anomaly_autograd_grad_and_user_grad(anomaly_off):
    def run(T):
        with T.autograd.set_detect_anomaly(True):
            x = T.ones(2, requires_grad=True)
            (x * 2).backward(T.tensor([float('nan'), 1.]))
    assert _caught(lambda: run(torch)) == _caught(lambda: run(ember))

    def run2(T):
        with T.autograd.set_detect_anomaly(True):
            x = T.zeros(2, requires_grad=True)
            T.autograd.grad((x / x).sum(), x)
    assert _caught(lambda: run2(torch)) == _caught(lambda: run2(ember))


def test_anomaly_no_forward_information(anomaly_off):
    def run(T):
        x = T.zeros(2, requires_grad=True)
        y = (x / x).sum()                               # recorded with anomaly mode off
        with T.autograd.set_detect_anomaly(True):
            y.backward()
    assert _caught(lambda: run(torch)) == _caught(lambda: run(ember))


def test_anomaly_check_nan_off_and_mode_off(anomaly_off):
    for mode in (dict(mode=True, check_nan=False), dict(mode=False)):
        def run(T):
            with T.autograd.set_detect_anomaly(**mode):
                x = T.zeros(2, requires_grad=True)
                (x / x).sum().backward()
                return x.grad
        _same(run)


class _Boom:
    @staticmethod
    def make(T):
        class Boom(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.clone()

            @staticmethod
            def backward(ctx, g):
                raise ValueError('boom in backward')
        return Boom


def test_anomaly_error_inside_backward_warns_with_traceback(anomaly_off):
    results = []
    for T in (torch, ember):
        Boom = _Boom.make(T)

        def inner(x):
            return Boom.apply(x) * 2

        def run():
            with T.autograd.set_detect_anomaly(True):
                x = T.ones(3, requires_grad=True)
                inner(x).sum().backward()
        err, texts = _caught(run)
        results.append((err, [_user_frames(t) for t in texts]))
    assert results[0] == results[1]
    assert results[1][0] == 'ValueError: boom in backward'
    assert results[1][1][0].startswith('Error detected in BoomBackward. Traceback of forward call')
    assert 'in inner\n    return Boom.apply(x) * 2\n' in results[1][1][0]


def test_anomaly_parent_traceback_in_double_backward(anomaly_off):
    results = []
    for T in (torch, ember):
        class F(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x.clone()

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return g + x.sqrt() * 0

        def run():
            with T.autograd.set_detect_anomaly(True):
                x = T.tensor([0., 1.], requires_grad=True)
                y = F.apply(x).sum()
                g, = T.autograd.grad(y, x, create_graph=True)
                g.sum().backward()
        err, texts = _caught(run)
        results.append((err, [_user_frames(t) for t in texts]))
    assert results[0] == results[1]
    assert len(results[1][1]) == 2 and 'Previous calculation was induced by FBackward' in results[1][1][1]


def test_anomaly_metadata_traceback(anomaly_off):
    x = ember.ones(2, requires_grad=True)
    assert 'traceback_' not in (x * 2).grad_fn.metadata
    with ember.autograd.set_detect_anomaly(True):
        y = x * 2
    stack = y.grad_fn.metadata['traceback_']
    assert isinstance(stack, list) and all(isinstance(s, str) for s in stack)
    assert stack[-1].endswith('    y = x * 2\n') and __file__ in stack[-1]


# ==================================================================== graph: Node, to_dot, draw

def test_graph_node_alias():
    assert ember.autograd.graph.Node is ember.autograd.Node
    for T in (torch, ember):
        class Double(T.autograd.Function):
            @staticmethod
            def forward(ctx, t):
                return t * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = T.ones(2, requires_grad=True)
        y = (x * 2).exp()
        mul = y.grad_fn.next_functions[0][0]
        for fn in (y.grad_fn, mul, mul.next_functions[0][0], Double.apply(x).grad_fn):
            assert isinstance(fn, T.autograd.graph.Node)
        assert not isinstance(x, T.autograd.graph.Node)


def _mlp(T):
    """A hand-written 2-layer MLP whose graph is the same in torch and ember."""
    rng = np.random.default_rng(1)
    p = {'w1': T.tensor(rng.standard_normal((5, 10)), requires_grad=True),
         'b1': T.tensor(rng.standard_normal(10), requires_grad=True),
         'w2': T.tensor(rng.standard_normal((10, 2)), requires_grad=True),
         'b2': T.tensor(rng.standard_normal(2), requires_grad=True)}
    x = T.tensor(rng.standard_normal((3, 5)))
    h = (x @ p['w1'] + p['b1']).relu()
    loss = ((h @ p['w2'] + p['b2']) ** 2).mean()
    return loss, p


def test_to_dot_same_graph_as_torch():
    # to_dot only walks grad_fn / next_functions / name() / .variable, so it reads torch graphs too
    texts = [to_dot(*_mlp(T)) for T in (torch, ember)]
    assert texts[0] == texts[1]


def test_to_dot_structure_of_mlp():
    loss, params = _mlp(ember)
    text = to_dot(loss, params)
    assert text.startswith('digraph {\n') and text.endswith('}\n')
    labels = re.findall(r'\[label="([^"]*)"', text)
    assert labels == ['()', 'MeanBackward0', 'PowBackward0', 'AddBackward0', 'MmBackward0',
                      'ReluBackward0', 'AddBackward0', 'MmBackward0', r'w1\n(5, 10)', r'b1\n(10,)',
                      r'w2\n(10, 2)', r'b2\n(2,)']
    edges = re.findall(r'^\t(n\d+) -> (n\d+)$', text, re.M)
    # one edge per non-None next_functions entry, plus output <- its grad_fn
    assert len(edges) == 10 + 1
    assert ('n1', 'n0') in edges
    assert text.count('fillcolor=lightblue') == 4
    unnamed = to_dot(loss)
    assert r'label="(5, 10)"' in unnamed and 'w1' not in unnamed


def test_to_dot_nn_module_params():
    ember.manual_seed(0)
    m = ember.nn.Sequential(ember.nn.Linear(5, 10), ember.nn.ReLU(), ember.nn.Linear(10, 2))
    out = m(ember.randn(3, 5))
    text = to_dot(out, params=dict(m.named_parameters()))
    for name, p in m.named_parameters():
        assert f'label="{name}\\n{tuple(p.shape)}"' in text
    assert 'ReluBackward0' in text and 'AccumulateGrad' not in text


def test_to_dot_show_saved_and_multiple_outputs():
    x = ember.ones(2, 3, requires_grad=True)
    w = ember.ones(3, 4, requires_grad=True)
    y = x @ w
    z = y.exp()
    text = to_dot([y, z], dict(x=x, w=w), show_saved=True)
    assert text.count('fillcolor=darkolivegreen1') == 2
    saved = re.findall(r'label="saved \d+\\n([^"]*)"', text)
    assert sorted(saved) == ['(2, 3)', '(2, 4)', '(3, 4)']       # mm keeps x and w, exp its output
    assert text.count('[style=dashed]') == 3
    assert 'saved' not in to_dot([y, z])
    z.sum().backward()                                          # freed after backward: nothing shown
    assert 'saved 0\\n(2, 4)' not in to_dot(z, show_saved=True)


def test_to_dot_leaf_output_and_label_escaping():
    x = ember.ones(2, requires_grad=True)
    text = to_dot(x, {'a "quoted" name': x})
    assert r'a \"quoted\" name\n(2,)' in text
    assert to_dot(ember.ones(2)).count('->') == 0


def test_draw_without_dot_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv('PATH', str(tmp_path))                   # an empty directory: no `dot`
    loss, params = _mlp(ember)
    with pytest.raises(RuntimeError, match=r'Graphviz.*apt install graphviz.*conda install graphviz'
                                           r'.*to_dot\(\) still returns'):
        draw(loss, tmp_path / 'g.png', params=params)
    assert not (tmp_path / 'g.png').exists()


def _fake_dot(directory, body):
    exe = directory / 'dot'
    exe.write_text(f'#!{sys.executable}\nimport sys\n{body}\n')
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)


def test_draw_calls_dot_with_format_and_text(monkeypatch, tmp_path):
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    _fake_dot(bindir, "open(sys.argv[3], 'w').write(sys.argv[1] + '\\n' + sys.stdin.read())")
    monkeypatch.setenv('PATH', str(bindir))
    loss, params = _mlp(ember)
    for name, fmt, want in (('g.svg', None, '-Tsvg'), ('g', None, '-Tpng'), ('g.out', 'pdf', '-Tpdf')):
        path = tmp_path / name
        assert draw(loss, path, format=fmt, params=params) == path
        flag, _, text = path.read_text().partition('\n')
        assert flag == want and text == to_dot(loss, params)
    _fake_dot(bindir, "sys.stderr.write('syntax error'); sys.exit(3)")
    with pytest.raises(RuntimeError, match="'dot' failed.*syntax error"):
        draw(loss, tmp_path / 'bad.png')


@pytest.mark.skipif(shutil.which('dot') is None, reason='Graphviz is not installed')
@pytest.mark.parametrize('fmt', ['png', 'svg'])
def test_draw_renders_with_graphviz(tmp_path, fmt):
    loss, params = _mlp(ember)
    path = draw(loss, tmp_path / f'graph.{fmt}', params=params, show_saved=True)
    data = path.read_bytes()
    assert data.startswith(b'\x89PNG') if fmt == 'png' else b'<svg' in data and b'MmBackward0' in data
