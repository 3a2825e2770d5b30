"""Containers (Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict), Parameter and
Buffer, the linear family (Identity, Bilinear, LazyLinear) and nn.utils (gradient clipping,
parameters <-> vector) against PyTorch. Same one-lambda cases as test_nn_module.py."""
import collections
import copy

import numpy as np
import pytest
import torch

import ember
from helpers import _np, check, check_error
from layers import check_layer, init_matches
from test_nn_module import _fixed, _lin, _norm, _run, cases, net


def _seq(L, ops):
    s = L.nn.Sequential(L.nn.ReLU(), L.nn.Tanh(), L.nn.Sigmoid(), L.nn.ELU())
    out = ops(s, L.nn)
    return repr(s), repr(out) if isinstance(out, L.nn.Module) else out


def _mlist(L, ops):
    m = L.nn.ModuleList([L.nn.ReLU(), L.nn.Tanh(), L.nn.ReLU()])
    out = ops(m, L.nn)
    return repr(m), repr(out) if isinstance(out, L.nn.Module) else out




def _lazy(L):
    m = L.nn.LazyLinear(3)
    before = (repr(m), repr(m.weight), type(m.weight).__name__, list(m.state_dict()),
              [type(v).__name__ for v in m.state_dict().values()])
    out = m(L.ones(2, 5))
    return before, repr(m), type(m).__name__, tuple(out.shape), m.weight.shape, type(m.weight).__name__, \
        repr(L.nn.LazyLinear(2, bias=False))


def _seq_hooks(L):
    log, s, x = [], L.nn.Sequential(_lin(L), L.nn.Tanh()), _fixed(L, 2, 3).requires_grad_()
    for i, m in enumerate(s):
        m.register_full_backward_hook(lambda mod, gi, go, i=i: log.append((i, gi, go)))
    s(x).sum().backward()
    return log, x.grad


CASES = [
    # printing
    ('repr-sequential-dict', lambda L: repr(L.nn.Sequential(collections.OrderedDict(a=L.nn.ReLU(), b=_lin(L))))),
    ('repr-modulelist-fold', lambda L: repr(L.nn.ModuleList([L.nn.Linear(2, 2) for _ in range(3)] + [
        L.nn.ReLU(), L.nn.ReLU(), L.nn.Linear(2, 2), L.nn.ModuleList([L.nn.Tanh()]), L.nn.ModuleList([L.nn.Tanh()])]))),
    ('repr-empty', lambda L: [repr(c()) for c in (L.nn.Sequential, L.nn.ModuleList, L.nn.ModuleDict,
                                                   L.nn.ParameterList, L.nn.ParameterDict)]),
    ('repr-paramlist', lambda L: repr(L.nn.ParameterList([L.nn.Parameter(L.ones(2, 3)), L.ones(2, dtype=L.float64),
                                                          'x']))),
    ('repr-paramlist-one', lambda L: repr(L.nn.ParameterList([L.nn.Parameter(L.ones(2, 3))]))),
    ('repr-paramdict', lambda L: repr(L.nn.ParameterDict({'b': L.ones(3), 'a': L.nn.Parameter(L.ones(2, 3))}))),
    ('repr-moduledict', lambda L: repr(L.nn.ModuleDict([('x', L.nn.ReLU()), ('a', _lin(L))]))),
    # Sequential
    ('seq-index', lambda L: _seq(L, lambda s, nn: (repr(s[0]), repr(s[-1]), len(s), [type(m).__name__ for m in s]))),
    ('seq-index-error', lambda L: _seq(L, lambda s, nn: s[4])),
    ('seq-slice', lambda L: _seq(L, lambda s, nn: s[1:3])),
    ('seq-setitem', lambda L: _seq(L, lambda s, nn: s.__setitem__(-1, nn.Identity()))),
    ('seq-delitem', lambda L: _seq(L, lambda s, nn: s.__delitem__(1))),
    ('seq-delslice', lambda L: _seq(L, lambda s, nn: s.__delitem__(slice(0, 4, 2)))),
    ('seq-append-extend', lambda L: _seq(L, lambda s, nn: s.append(nn.Tanh()).extend([nn.ReLU()]))),
    ('seq-insert', lambda L: _seq(L, lambda s, nn: s.insert(-2, nn.Identity()))),
    ('seq-insert-error', lambda L: _seq(L, lambda s, nn: s.insert(9, nn.Identity()))),
    ('seq-pop', lambda L: _seq(L, lambda s, nn: s.pop(1))),
    ('seq-add', lambda L: _seq(L, lambda s, nn: s + nn.Sequential(nn.Tanh()))),
    ('seq-add-error', lambda L: _seq(L, lambda s, nn: s + nn.Tanh())),
    ('seq-iadd', lambda L: _seq(L, lambda s, nn: s.__iadd__(nn.Sequential(nn.Tanh())))),
    ('seq-mul', lambda L: _seq(L, lambda s, nn: s[:2] * 2)),
    ('seq-imul', lambda L: _seq(L, lambda s, nn: s.__imul__(2))),
    ('seq-mul-error', lambda L: _seq(L, lambda s, nn: s * 0)),
    ('seq-forward', lambda L: L.nn.Sequential(_lin(L), L.nn.Tanh())(_fixed(L, 2, 3))),
    # ModuleList / ModuleDict
    ('mlist-index', lambda L: _mlist(L, lambda m, nn: (repr(m[-1]), len(m), repr(m[::2])))),
    ('mlist-index-error', lambda L: _mlist(L, lambda m, nn: m[-4])),
    ('mlist-ops', lambda L: _mlist(L, lambda m, nn: (m.append(nn.Tanh()), m.extend([nn.ELU()]),
                                                     m.insert(1, nn.SELU()), m.__iadd__([nn.GELU()]), m.pop(0),
                                                     m.__delitem__(slice(0, 2)))[4])),
    ('mlist-add', lambda L: _mlist(L, lambda m, nn: m + [nn.Tanh()])),
    ('mlist-setitem', lambda L: _mlist(L, lambda m, nn: m.__setitem__(-1, nn.Tanh()))),
    ('mlist-extend-error', lambda L: _mlist(L, lambda m, nn: m.extend(3))),
    ('mdict', lambda L: (lambda d: (d.update({'c': L.nn.Tanh()}), list(d), list(d.keys()), 'a' in d, len(d),
                                    repr(d.pop('a')), [type(v).__name__ for v in d.values()], repr(d)))(
        L.nn.ModuleDict({'b': L.nn.ReLU(), 'a': L.nn.ELU()}))),
    ('mdict-update-error', lambda L: L.nn.ModuleDict().update([('a', L.nn.ReLU(), 3)])),
    # ParameterList / ParameterDict
    ('plist', lambda L: (lambda p: (p.append(L.zeros(2)), p.extend([L.ones(1)]), len(p), p[-1], p[0:2][1],
                                    [n for n, _ in p.named_parameters()], list(p)))(L.nn.ParameterList([L.ones(3)]))),
    ('plist-call', lambda L: L.nn.ParameterList()(1)),
    ('pdict', lambda L: (lambda p: (p.update({'z': L.ones(1)}), list(p), p['a'], p.get('q', 5), 'z' in p,
                                    p.pop('b'), list(p.keys()), [n for n, _ in p.named_parameters()],
                                    p.setdefault('n', L.zeros(1)), p.popitem()[0]))(
        L.nn.ParameterDict({'b': L.ones(2), 'a': L.zeros(2)}))),
    ('pdict-bad-key', lambda L: L.nn.ParameterDict()[3]),
    # Parameter / Buffer
    ('param-repr', lambda L: [repr(L.nn.Parameter(L.ones(2))), repr(L.nn.Parameter()),
                              repr(L.nn.Parameter(L.ones(2, dtype=L.int64), requires_grad=False))]),
    ('param-int-grad', lambda L: L.nn.Parameter(L.ones(2, dtype=L.int64))),
    ('param-isinstance', lambda L: (lambda p: (isinstance(p, L.Tensor), isinstance(p, L.nn.Parameter), p.is_leaf,
                                               isinstance(p * 1, L.nn.Parameter), type(p.detach()).__name__))(
        L.nn.Parameter(L.ones(2)))),
    ('param-deepcopy', lambda L: (lambda p: (lambda q: (q, q is p, type(q).__name__, q.grad))(copy.deepcopy(p)))(
        L.nn.Parameter(L.ones(2), requires_grad=False))),
    ('buffer', lambda L: (lambda b: (type(b).__name__, isinstance(b, L.nn.Buffer), b.persistent, b))(
        L.nn.Buffer(L.ones(2), persistent=False))),
    # Bilinear / LazyLinear / Identity
    ('identity', lambda L: (repr(L.nn.Identity(3, a=4)), L.nn.Identity()(L.ones(2)))),
    ('lazy', lambda L: _lazy(L)),
    ('lazy-load', lambda L: (lambda m: (m.load_state_dict(_lin(L, 4, 3).state_dict()), repr(m), type(m).__name__,
                                        m.weight))(L.nn.LazyLinear(3))[1:]),
    ('lazy-double', lambda L: (lambda m: (m(L.ones(2, 4, dtype=L.float64)).dtype, m.weight.dtype, repr(m)))(
        L.nn.LazyLinear(3).double())),
    ('lazy-sequential', lambda L: (lambda m: (m(L.ones(3, 5)).shape, repr(m), [p.shape for p in m.parameters()]))(
        L.nn.Sequential(L.nn.LazyLinear(4), L.nn.ReLU(), L.nn.LazyLinear(2)))),
    ('seq-backward-hooks', lambda L: _seq_hooks(L)),
]


# the reprs of CUDA parameters name their device ("(cuda:0)", device='cuda:0')
CPU_ONLY = {'repr-paramlist', 'repr-paramlist-one', 'repr-paramdict', 'plist', 'param-repr'}


@pytest.mark.parametrize('fn', cases(CASES, CPU_ONLY))
def test_same_as_torch(fn):
    assert _run(ember, fn) == _run(torch, fn)


@pytest.mark.parametrize('make,specs', [
    (lambda nn: nn.Bilinear(3, 4, 5), [(2, 3), (2, 4)]),
    (lambda nn: nn.Bilinear(3, 4, 5, bias=False), [(2, 3), (2, 4)]),
    (lambda nn: nn.Bilinear(2, 3, 4), [(2, 3, 2), (2, 3, 3)]),
    (lambda nn: nn.Bilinear(2, 3, 4), [(2,), (3,)]),
])
def test_bilinear_layer(make, specs):
    check_layer(make, specs)


def test_bilinear_init_and_functional():
    init_matches(lambda nn: nn.Bilinear(6, 5, 4))
    init_matches(lambda nn: nn.Linear(7, 5))
    check(lambda T, a, b, w, c: T.nn.functional.bilinear(a, b, w, c), [(3, 2), (3, 4), (5, 2, 4), (5,)])
    check(lambda T, a, b, w: T.nn.functional.bilinear(a, b, w), [(2, 3, 2), (2, 3, 4), (5, 2, 4)])
    for specs in ([(2, 3), (3, 4), (5, 3, 4)], [(2, 3), (2, 5), (5, 3, 4)], [(2, 2), (2, 4), (5, 3, 4)],
                  [(2, 3), (2, 1, 4), (5, 3, 4)], [(2, 3), (2, 4), (5, 3)]):
        check_error(lambda T, a, b, w: T.nn.functional.bilinear(a, b, w), specs)
    check_error(lambda T, a, b, w, c: T.nn.functional.bilinear(a, b, w, c), [(2, 3), (2, 4), (5, 3, 4), (4,)])


def _grad_lists(L, arrays):
    ps = [L.tensor(a, requires_grad=True) for a in arrays]
    for p, a in zip(ps, arrays):
        p.grad = L.tensor(a * 3)
    return ps


@pytest.mark.parametrize('norm_type', [2.0, 1, float('inf'), 0.5, 'inf'])
@pytest.mark.parametrize('max_norm', [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((3, 4), (5,), ())]
    tp, ep = _grad_lists(torch, arrays), _grad_lists(ember, arrays)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    en = ember.nn.utils.clip_grad_norm_(ep, max_norm, norm_type)
    assert _norm(en) == _norm(tn)
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-5, atol=1e-6)


def test_clip_grad_misc():
    arrays = [np.array([[1., -5.], [2., 0.5]], np.float32), np.array([np.inf, 1.], np.float32)]
    for L in (torch, ember):
        assert L.nn.utils.clip_grad_norm_([], 1.0).item() == 0.0
        ps = _grad_lists(L, arrays)
        with pytest.raises(RuntimeError, match='is non-finite'):
            L.nn.utils.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    tp, ep = _grad_lists(torch, arrays[:1]), _grad_lists(ember, arrays[:1])
    torch.nn.utils.clip_grad_value_(tp, 1.5)
    ember.nn.utils.clip_grad_value_(ep[0], 1.5)
    assert _norm(ep[0].grad) == _norm(tp[0].grad)
    tn = torch.nn.utils.clip_grad_norm_(tp[0], 1.0, foreach=False)
    en = ember.nn.utils.clip_grad_norm_(ep[0], 1.0, foreach=True)
    assert _norm(en) == _norm(tn) and _norm(ep[0].grad) == _norm(tp[0].grad)


def test_clip_grad_mixed_dtypes():
    def run(L):
        a, b = L.ones(3, dtype=L.float64, requires_grad=True), L.ones(2, requires_grad=True)
        a.grad, b.grad = L.ones(3, dtype=L.float64), L.ones(2) * 2
        return L.nn.utils.clip_grad_norm_((p for p in [a, b]), 1.0), a.grad, b.grad
    assert _run(ember, run) == _run(torch, run)


def test_parameters_vector_roundtrip():
    def run(L):
        m = net(L)
        v = L.nn.utils.parameters_to_vector(m.parameters())
        L.nn.utils.vector_to_parameters(v * 2, m.parameters())
        return v.shape, v.grad_fn.name(), [p for p in m.parameters()], m(_fixed(L, 1, 4))
    assert _run(ember, run) == _run(torch, run)
    err = _run(ember, lambda L: L.nn.utils.vector_to_parameters([1], net(L).parameters()))
    assert err == _run(torch, lambda L: L.nn.utils.vector_to_parameters([1], net(L).parameters()))
