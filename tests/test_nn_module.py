"""nn.Module against PyTorch: registration, traversal, moves, state dicts, hooks, printing.
Each case is one ``fn(L)`` run with L = torch and L = ember: the results (names, reprs,
values, flags, logs) or the raised exception (type and message) must agree."""
import copy
import pickle
import re
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import _np


def _norm(v):
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        return (type(v).__name__, tuple(v.shape), _norm(str(v.dtype)), np.round(_np(v).astype(float), 5).tolist(),
                v.requires_grad)
    if isinstance(v, (torch.nn.Module, ember.nn.Module, torch.dtype, ember.dtype)):
        return _norm(repr(v))
    if isinstance(v, float):
        return round(v, 5)
    if isinstance(v, str):
        return re.sub(r'\btorch\b', 'ember', v)
    if isinstance(v, (list, tuple)):
        return [_norm(x) for x in v]
    if isinstance(v, dict):
        return [(k, _norm(x)) for k, x in v.items()]
    return v


def _run(lib, fn):
    torch.manual_seed(0), ember.manual_seed(0)
    try:
        return 'ok', _norm(fn(lib))
    except Exception as e:      # noqa: BLE001 - the exception is what is compared
        return 'raised', type(e).__name__, _norm(str(e))


def _fixed(L, *shape):
    return L.arange(float(np.prod(shape))).reshape(*shape).sin()


def _lin(L, i=3, o=2, bias=True):
    m = L.nn.Linear(i, o, bias=bias)
    with L.no_grad():
        m.weight.copy_(_fixed(L, o, i))
        _ = m.bias.copy_(_fixed(L, o) * 0.5) if bias else None
    return m


def net(L):
    class Net(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = _lin(L, 4, 3)
            self.act = L.nn.ReLU()
            self.blocks = L.nn.ModuleList([_lin(L, 3, 3) for _ in range(2)])
            self.shared = self.fc
            self.scale = L.nn.Parameter(L.ones(1))
            self.register_buffer('steps', L.zeros(1, dtype=L.int64))
            self.register_buffer('cache', L.zeros(2), persistent=False)

        def forward(self, x):
            return self.blocks[1](self.blocks[0](self.act(self.fc(x)))) * self.scale
    return Net()


def _bad_init(L, what):
    class Bad(L.nn.Module):
        def __init__(self):
            {'module': lambda: setattr(self, 'fc', L.nn.ReLU()), 'buffer': lambda: self.register_buffer('b', L.ones(1)),
             'param': lambda: setattr(self, 'w', L.nn.Parameter(L.ones(1)))}[what]()
    return Bad()


def _hook_log(L, **kw):
    log, m = [], _lin(L)
    m.register_forward_pre_hook(lambda mod, args: log.append(('pre', args[0].shape[0])))
    m.register_forward_pre_hook(lambda mod, args, kwargs: log.append(('pre_kw', sorted(kwargs))) or None,
                                with_kwargs=True, prepend=True)
    h = m.register_forward_hook(lambda mod, args, out: log.append(('fwd', tuple(out.shape))))
    m.register_forward_hook(lambda mod, args, out: out * 2, prepend=kw.get('prepend', False))
    m.register_forward_hook(lambda mod, args, out: log.append(('last', out.sum().item())))
    out = m(_fixed(L, 2, 3))
    h.remove()
    m(_fixed(L, 1, 3))
    return log, out


def _pre_hook_replaces(L):
    m = _lin(L)
    m.register_forward_pre_hook(lambda mod, args: args[0] * 0)
    m.register_forward_pre_hook(lambda mod, args, kwargs: ((args[0] + 1,), kwargs), with_kwargs=True)
    return m(_fixed(L, 2, 3))


def _always_call(L):
    class Boom(L.nn.Module):
        def forward(self, x):
            raise ValueError('boom')
    log, m = [], Boom()
    m.register_forward_hook(lambda mod, args, out: log.append(('always', out)), always_call=True)
    m.register_forward_hook(lambda mod, args, out: log.append('never'))
    try:
        m(L.ones(1))
    except ValueError as e:
        log.append(str(e))
    return log


def _backward_hooks(L, replace=False, pre=False):
    log, m = [], _lin(L)

    def hook(mod, gin, gout):
        log.append(('full', gin, gout))
        return (gin[0] * 10,) if replace else None
    m.register_full_backward_hook(hook)
    if pre:
        m.register_full_backward_pre_hook(lambda mod, gout: log.append(('pre', gout)) or (gout[0] * 3,))
    x = _fixed(L, 2, 3).requires_grad_()
    y = m(x)
    log.append(y.grad_fn.name())
    (y * _fixed(L, 2, 2)).sum().backward()
    return log, x.grad, m.weight.grad


def _backward_hooks_multi(L):
    class Two(L.nn.Module):
        def forward(self, a, k, b):
            return a * b, a + b, k
    log, m = [], Two()
    m.register_full_backward_hook(lambda mod, gin, gout: log.append((gin, gout)))
    a, b = _fixed(L, 3).requires_grad_(), _fixed(L, 3) + 1
    p, s, _ = m(a, 5, b)
    (p * 2 + s).sum().backward()
    return log, a.grad


def _backward_hook_no_input_grad(L):
    log, m = [], _lin(L)
    m.register_full_backward_hook(lambda mod, gin, gout: log.append((gin, gout)))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        m(_fixed(L, 2, 3)).sum().backward()
    return log, m.weight.grad


def _load(L, sd_fn, **kw):
    m = _lin(L)
    r = m.load_state_dict(sd_fn(L), **kw)
    return repr(r), list(r.missing_keys), m.weight, m.bias


def _tree(L, fn):
    m = net(L)
    fn(m)
    return [(n, str(p.dtype), p.requires_grad, p.grad is None) for n, p in m.named_parameters()] + \
        [(n, str(b.dtype)) for n, b in m.named_buffers()] + [(n, x.training) for n, x in m.named_modules()]


def _grads(L, m):
    m(_fixed(L, 2, 4)).sum().backward()
    return m


def _multiline(L):
    class M(L.nn.Module):
        def extra_repr(self):
            return 'first line\nsecond line'
    m = M()
    m.child = L.nn.Sequential(L.nn.ReLU())
    return repr(m), repr(M())


CASES = [
    # registration and its errors
    ('assign-tensor-to-param', lambda L: setattr(L.nn.Linear(2, 2), 'weight', L.ones(2))),
    ('assign-int-to-module', lambda L: setattr(net(L), 'fc', 3)),
    ('assign-str-to-buffer', lambda L: setattr(net(L), 'steps', 'x')),
    ('assign-none-param', lambda L: (lambda m: (setattr(m, 'bias', None), list(m.state_dict())))(_lin(L))[1]),
    ('assign-buffer-obj', lambda L: (lambda m: (setattr(m, 'b', L.nn.Buffer(L.ones(2), persistent=False)),
                                                list(m.state_dict()), [n for n, _ in m.named_buffers()]))(_lin(L))[1:]),
    ('replace-param-by-module', lambda L: (lambda m: (setattr(m, 'weight', L.nn.ReLU()), repr(m),
                                                      [n for n, _ in m.named_parameters()]))(_lin(L))[1:]),
    ('before-init-module', lambda L: _bad_init(L, 'module')),
    ('before-init-param', lambda L: _bad_init(L, 'param')),
    ('before-init-buffer', lambda L: _bad_init(L, 'buffer')),
    ('getattr-missing', lambda L: net(L).foo),
    ('module-init-args', lambda L: L.nn.Module(3)),
    ('module-init-kwargs', lambda L: L.nn.Module(a=3)),
    ('forward-missing', lambda L: L.nn.Module()(L.ones(1))),
    ('buffer-exists', lambda L: net(L).register_buffer('fc', L.ones(1))),
    ('buffer-not-tensor', lambda L: net(L).register_buffer('x', 3)),
    ('buffer-dot', lambda L: net(L).register_buffer('a.b', None)),
    ('buffer-empty', lambda L: net(L).register_buffer('', None)),
    ('buffer-name-type', lambda L: net(L).register_buffer(1, None)),
    ('param-not-param', lambda L: net(L).register_parameter('x', L.ones(1))),
    ('param-nonleaf', lambda L: net(L).register_parameter('x', L.nn.Parameter(L.ones(1)) * 2)),
    ('param-dot', lambda L: net(L).register_parameter('a.b', None)),
    ('add-module-type', lambda L: net(L).add_module('x', 3)),
    ('add-module-name', lambda L: net(L).add_module(3, L.nn.ReLU())),
    ('add-module-dot', lambda L: net(L).add_module('a.b', L.nn.ReLU())),
    ('add-module-exists', lambda L: net(L).add_module('scale', L.nn.ReLU())),
    ('register-module', lambda L: (lambda m: (m.register_module('extra', L.nn.Tanh()), repr(m)))(_lin(L))[1]),
    ('delattr', lambda L: (lambda m: (delattr(m, 'scale'), delattr(m, 'steps'), delattr(m, 'act'),
                                      list(m.state_dict()), hasattr(m, 'act')))(net(L))[3:]),
    ('dir', lambda L: [k for k in dir(net(L)) if k in ('fc', 'scale', 'steps', 'cache', 'act', 'forward')]),
    ('get-submodule', lambda L: repr(net(L).get_submodule('blocks.1'))),
    ('get-submodule-missing', lambda L: net(L).get_submodule('blocks.x')),
    ('get-submodule-notmodule', lambda L: net(L).get_submodule('fc.weight')),
    ('get-parameter', lambda L: net(L).get_parameter('blocks.0.bias')),
    ('get-parameter-bad', lambda L: net(L).get_parameter('fc.in_features')),
    ('get-buffer', lambda L: net(L).get_buffer('steps')),
    ('get-buffer-bad', lambda L: net(L).get_buffer('fc.weight')),
    ('set-submodule', lambda L: (lambda m: (m.set_submodule('blocks.0', L.nn.Tanh()), repr(m)))(net(L))[1]),
    ('set-submodule-strict', lambda L: net(L).set_submodule('blocks.x', L.nn.Tanh(), strict=True)),
    # traversal
    ('named-parameters', lambda L: [n for n, _ in net(L).named_parameters()]),
    ('named-parameters-dups', lambda L: [n for n, _ in net(L).named_parameters(remove_duplicate=False)]),
    ('named-parameters-prefix', lambda L: [n for n, _ in net(L).named_parameters(prefix='m', recurse=False)]),
    ('named-buffers', lambda L: [n for n, _ in net(L).named_buffers(prefix='p')]),
    ('named-modules', lambda L: [n for n, _ in net(L).named_modules()]),
    ('named-modules-dups', lambda L: [n for n, _ in net(L).named_modules(remove_duplicate=False)]),
    ('named-children', lambda L: [n for n, _ in net(L).named_children()]),
    ('children', lambda L: [type(c).__name__ for c in net(L).children()]),
    ('parameters-count', lambda L: (len(list(net(L).parameters())), len(list(net(L).buffers())))),
    ('apply', lambda L: (lambda log: (net(L).apply(lambda m: log.append(type(m).__name__)), log))([])[1]),
    # modes, grads and moves
    ('eval', lambda L: _tree(L, lambda m: m.eval())),
    ('train-bad', lambda L: net(L).train('x')),
    ('requires-grad', lambda L: _tree(L, lambda m: m.requires_grad_(False))),
    ('zero-grad-none', lambda L: _tree(L, lambda m: _grads(L, m).zero_grad())),
    ('zero-grad-zeros', lambda L: [p.grad for p in _grads(L, net(L)).zero_grad(False) or []]),
    ('zero-grad-zeros-values', lambda L: (lambda m: (m.zero_grad(set_to_none=False), m.fc.weight.grad))(
        _grads(L, net(L)))[1]),
    ('double', lambda L: _tree(L, lambda m: m.double())),
    ('half', lambda L: _tree(L, lambda m: m.half())),
    ('bfloat16', lambda L: _tree(L, lambda m: m.bfloat16())),
    ('to-dtype', lambda L: _tree(L, lambda m: m.to(L.float64))),
    ('to-tensor', lambda L: _tree(L, lambda m: m.to(L.ones(1, dtype=L.float16)))),
    ('to-kw', lambda L: _tree(L, lambda m: m.to(device='cpu', dtype=L.float64, non_blocking=True))),
    ('to-int', lambda L: net(L).to(L.int64)),
    ('type', lambda L: _tree(L, lambda m: m.type(L.float64))),
    ('float-grad', lambda L: (lambda m: (m.double(), m.fc.weight.grad.dtype))(_grads(L, net(L)))[1]),
    ('forward', lambda L: net(L)(_fixed(L, 2, 4))),
    # state dict
    ('state-dict', lambda L: net(L).state_dict()),
    ('state-dict-meta', lambda L: list(net(L).state_dict()._metadata.items())),
    ('state-dict-prefix', lambda L: list(net(L).state_dict(prefix='model.'))),
    ('state-dict-keep-vars', lambda L: [type(v).__name__ for v in net(L).state_dict(keep_vars=True).values()]),
    ('load-ok', lambda L: _load(L, lambda L: {'weight': L.ones(2, 3), 'bias': L.zeros(2)})),
    ('load-nonstrict', lambda L: _load(L, lambda L: {'weight': L.ones(2, 3), 'x': L.ones(1)}, strict=False)),
    ('load-missing', lambda L: _load(L, lambda L: {'weight': L.ones(2, 3)})),
    ('load-all-errors', lambda L: net(L).load_state_dict({'fc.weight': L.ones(2, 4), 'fc.x': L.ones(1), 'y': 1,
                                                          'blocks.0.bias': 3, 'scale': L.ones(())})),
    ('load-size-nonstrict', lambda L: _load(L, lambda L: {'weight': L.ones(3, 3)}, strict=False)),
    ('load-scalar-from-1', lambda L: (lambda m: (setattr(m, 's', L.nn.Parameter(L.tensor(1.0))),
                                                 m.load_state_dict({'s': L.ones(1) * 3}), m.s))(L.nn.Module())[2]),
    ('load-not-mapping', lambda L: _lin(L).load_state_dict([1])),
    ('load-assign', lambda L: (lambda m, w: (m.load_state_dict({'weight': w, 'bias': L.zeros(2)}, assign=True),
                                             m.weight._data is w._data if L is ember else m.weight.data_ptr()
                                             == w.data_ptr(), type(m.weight).__name__, m.weight.requires_grad))(
        _lin(L), L.ones(2, 3))[1:]),
    ('load-post-hook', lambda L: _post_hook_load(L)),
    ('state-dict-hooks', lambda L: _state_hooks(L)),
    ('extra-state', lambda L: _extra_state(L)),
    # hooks
    ('forward-hooks', _hook_log),
    ('forward-hooks-prepend', lambda L: _hook_log(L, prepend=True)),
    ('pre-hook-replaces', _pre_hook_replaces),
    ('pre-hook-bad-return', lambda L: (lambda m: (m.register_forward_pre_hook(lambda *a: 3, with_kwargs=True),
                                                  m(L.ones(1, 3))))(_lin(L))),
    ('always-call', _always_call),
    ('backward-hook', _backward_hooks),
    ('backward-hook-replace', lambda L: _backward_hooks(L, replace=True)),
    ('backward-pre-hook', lambda L: _backward_hooks(L, replace=True, pre=True)),
    ('backward-hook-multi', _backward_hooks_multi),
    ('backward-hook-no-input-grad', _backward_hook_no_input_grad),
    ('backward-hook-mixed', lambda L: (lambda m: (m.register_backward_hook(lambda *a: None),
                                                  m.register_full_backward_hook(lambda *a: None)))(_lin(L))),
    ('backward-hook-legacy', lambda L: _nonfull(L)),
    ('train-override', lambda L: _train_override(L)),
    # printing
    ('repr-net', lambda L: repr(net(L))),
    ('repr-multiline-extra', _multiline),
]


def _nonfull(L):
    log, m, x = [], L.nn.Tanh(), _fixed(L, 3).requires_grad_()
    m.register_backward_hook(lambda mod, gi, go: log.append((gi, go)))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        m(x).sum().backward()
    return log, [(x.category.__name__, str(x.message)) for x in w]


def _train_override(L):
    class C(L.nn.Module):
        def train(self, mode=True):
            log.append(mode)
            return super().train(mode)
    log, m = [], L.nn.Sequential(C())
    m.eval().train()
    return log, m[0].training


def _post_hook_load(L):
    m = _lin(L)
    m.register_load_state_dict_post_hook(lambda mod, keys: keys.missing_keys.clear())
    return repr(m.load_state_dict({'weight': L.ones(2, 3)})), m.weight


def _state_hooks(L):
    log, m = [], net(L)
    m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(('pre', prefix, keep)))
    m.fc.register_state_dict_post_hook(lambda mod, sd, prefix, meta: log.append(('post', prefix, len(sd))))
    m.state_dict(prefix='p.')
    return log


def _extra_state(L):
    class E(L.nn.Module):
        def __init__(self):
            super().__init__()
            self.v = 1

        def get_extra_state(self):
            return {'v': self.v}

        def set_extra_state(self, s):
            self.v = s['v']
    e, sd = E(), E().state_dict()
    sd['_extra_state'] = {'v': 7}
    e.load_state_dict(sd)
    return list(E().state_dict()), e.v


# cases whose result legitimately differs when ember runs on CUDA and torch on the CPU
CPU_ONLY = {
    'assign-tensor-to-param', 'param-not-param', 'param-nonleaf',   # the message names ember.cuda.FloatTensor
    'bfloat16',                                                      # CuPy has no bfloat16: CPU-only dtype in ember
}


def cases(table, cpu_only=()):
    return [pytest.param(c[1], id=c[0], marks=[pytest.mark.cpu_only] if c[0] in cpu_only else []) for c in table]


@pytest.mark.parametrize('fn', cases(CASES, CPU_ONLY))
def test_same_as_torch(fn):
    assert _run(ember, fn) == _run(torch, fn)


def test_failed_load_leaves_module_unchanged():
    m = _lin(ember)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    for bad in ({'weight': ember.zeros(2, 3), 'bias': ember.zeros(3)}, {'weight': ember.zeros(2, 3)},
                {'weight': ember.zeros(2, 3), 'bias': ember.zeros(2), 'extra': ember.ones(1)}):
        with pytest.raises(RuntimeError):
            m.load_state_dict(bad)
        for k, v in m.state_dict().items():
            assert ember.equal(v, before[k])


class Pickled(ember.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = _lin(ember, 4, 3)
        self.shared = self.fc
        self.seq = ember.nn.Sequential(ember.nn.ReLU(), _lin(ember, 3, 3))
        self.register_buffer('steps', ember.zeros(1, dtype=ember.int64))

    def forward(self, x):
        return self.seq(self.fc(x))


@pytest.mark.parametrize('clone', [copy.deepcopy, lambda m: pickle.loads(pickle.dumps(m))], ids=['deepcopy', 'pickle'])
def test_deepcopy_and_pickle(clone):
    m = Pickled()
    m(_fixed(ember, 2, 4)).sum().backward()
    c = clone(m)
    assert repr(c) == repr(m)
    assert c.fc is c.shared and c.fc.weight is not m.fc.weight
    for (n, a), (_, b) in zip(c.state_dict().items(), m.state_dict().items()):
        assert ember.equal(a, b), n
    assert isinstance(c.fc.weight, ember.nn.Parameter) and c.fc.weight.requires_grad
    assert ember.equal(c(_fixed(ember, 2, 4)), m(_fixed(ember, 2, 4)))
    with ember.no_grad():
        c.fc.weight.add_(1)
    assert not ember.equal(c.fc.weight, m.fc.weight)


def test_moves_keep_parameter_objects():
    m = _grads(ember, net(ember))
    w, g = m.fc.weight, m.fc.weight.grad
    m.double()
    assert m.fc.weight is w and m.fc.weight.grad is g and g.dtype == ember.float64
    assert m.steps.dtype == ember.int64


def test_handles_remove_and_context():
    m, log = _lin(ember), []
    with m.register_forward_hook(lambda *a: log.append(1)):
        m(ember.ones(1, 3))
    m(ember.ones(1, 3))
    assert log == [1] and not m._forward_hooks
