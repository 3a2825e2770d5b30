"""Fixes from the seeded-program survey (group A), each compared with PyTorch: the deprecated
amp modules under ``python -m ember.run``, affine_grid's base grid bit for bit, sparse
EmbeddingBag gradients, the feature-dropout shapes and draws, where the loss deprecation
warnings point, sort's stable= overloads, fractional max pooling's argument checks."""
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
import torch

import ember


def _both(fn):
    """fn(torch) and fn(ember), their reprs made comparable."""
    return str(fn(torch)).replace('torch', 'ember'), str(fn(ember))


def _outcome(thunk):
    try:
        return thunk()
    except Exception as e:                       # noqa: BLE001 - the outcome is compared
        return type(e).__name__, str(e).split('\n')[0]


# ------------------------------------------------------------------ 1. deprecated amp modules

_AMP_SCRIPT = '''
import warnings
from torch.cuda.amp import autocast, GradScaler
import torch.cpu.amp
import torch.cuda.amp as amp
from torch.cpu.amp import autocast as cpu_autocast
import torch
assert amp is torch.cuda.amp and cpu_autocast is torch.cpu.amp.autocast
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    with torch.cuda.amp.autocast(enabled=False):
        pass
    GradScaler(enabled=False)
    with cpu_autocast():
        pass
for x in w:
    print(x.category.__name__, str(x.message).splitlines()[0], x.filename == __file__)
'''


def test_deprecated_amp_modules_under_run(tmp_path):
    script = tmp_path / 'amp_script.py'
    script.write_text(textwrap.dedent(_AMP_SCRIPT))
    ours = subprocess.run([sys.executable, '-m', 'ember.run', str(script)], capture_output=True, text=True)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert ours.stdout == theirs.stdout.replace('torch', 'ember')
    assert len(ours.stdout.splitlines()) == 3


def test_deprecated_amp_modules_plain_import():
    import importlib
    for name in ('ember.cuda.amp', 'ember.cpu.amp'):
        mod = importlib.import_module(name)
        assert mod.__spec__ is not None and mod.__spec__.name == name
        assert importlib.util.find_spec(name) is mod.__spec__
    assert repr(ember.cuda.amp.autocast) == "<class 'ember.cuda.amp.autocast'>"
    assert repr(ember.cpu.amp.autocast) == "<class 'ember.cpu.amp.autocast'>"


# ------------------------------------------------------------------ 2. affine_grid's base grid

@pytest.mark.parametrize('dtype', ['float32', 'float64'])
@pytest.mark.parametrize('align', [False, True])
@pytest.mark.parametrize('size', [[1, 1, 12, 12], [2, 1, 5, 7], [1, 1, 1, 4], [1, 1, 33, 3],
                                  [1, 2, 3, 4, 5], [1, 1, 12, 9, 6]])
def test_affine_grid_identity_bitwise(dtype, align, size):
    k = len(size) - 2

    def grid(T):
        theta = T.eye(k, k + 1, dtype=getattr(T, dtype))[None].expand(size[0], k, k + 1)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return T.nn.functional.affine_grid(theta, size, align_corners=align)
    np.testing.assert_array_equal(grid(ember).numpy(), grid(torch).numpy())


def test_affine_grid_repro_and_grid_sample_grad():
    def run(T):
        F = T.nn.functional
        g = F.affine_grid(T.eye(2, 3)[None], [1, 1, 12, 12], align_corners=False)
        x = T.arange(144.).reshape(1, 1, 12, 12).requires_grad_()
        g = g.clone().requires_grad_()
        (F.grid_sample(x, g, align_corners=False) * T.arange(144.).reshape(1, 1, 12, 12)).sum().backward()
        return g[0, 3, 4, 0].item(), x.grad.numpy(), g.grad.numpy()
    (t0, tx, tg), (e0, ex, eg) = run(torch), run(ember)
    assert e0 == t0 == np.float32(-0.2499999851)
    np.testing.assert_allclose(ex, tx, rtol=1e-5, atol=1e-5)      # (grid_sample's weights: last-bit differences)
    np.testing.assert_allclose(eg, tg, rtol=1e-5, atol=1e-4)      # the same taps: no floor flips


# ------------------------------------------------------------------ 3. sparse EmbeddingBag gradients

_BAGS = [dict(mode='mean'), dict(mode='sum', padding_idx=2, psw=True),
         dict(mode='mean', offsets=[0, 0, 4, 8], include_last_offset=True),
         dict(mode='sum', two_d=True, padding_idx=4), dict(mode='sum', scale_grad_by_freq=True),
         dict(mode='max')]


@pytest.mark.parametrize('kw', _BAGS, ids=[str(i) for i in range(len(_BAGS))])
def test_embedding_bag_sparse_grad(kw):
    def run(T):
        kw2 = dict(kw)
        inp = T.tensor([1, 2, 4, 5, 4, 3, 2, 9])
        x = inp.reshape(2, 4) if kw2.pop('two_d', False) else inp
        off = kw2.pop('offsets', None if x.dim() == 2 else [0, 4])
        if kw2.pop('psw', False):
            kw2['per_sample_weights'] = T.arange(8.)
        w = T.arange(30.).reshape(10, 3).requires_grad_()

        def go():
            r = T.nn.functional.embedding_bag(x, w, None if off is None else T.tensor(off), sparse=True, **kw2)
            (r * T.arange(float(r.numel())).reshape(r.shape)).sum().backward()
            g = w.grad
            return (r.grad_fn.name(), g.layout, g.is_coalesced(), g._indices().tolist(), g._values().tolist(),
                    g.coalesce().to_dense().tolist())
        return _outcome(go)
    e, t = _both(run)[::-1]
    assert e == t


def test_embedding_bag_module_sparse_and_embedding_freq():
    def run(T):
        m = T.nn.EmbeddingBag(10, 3, sparse=True)
        m(T.tensor([1, 2, 4, 5, 4]), T.tensor([0, 2])).sum().backward()
        w = T.ones(4, 2, requires_grad=True)
        freq = _outcome(lambda: T.nn.functional.embedding(T.tensor([1, 1, 2]), w, sparse=True,
                                                          scale_grad_by_freq=True).sum().backward())
        return m.weight.grad.coalesce().indices().tolist(), m.weight.grad.layout, freq
    t, e = _both(run)
    assert e == t


# ------------------------------------------------------------------ 4. feature dropout

_DROPS = ['dropout1d', 'dropout2d', 'dropout3d', 'feature_alpha_dropout']


@pytest.mark.parametrize('fn', _DROPS)
@pytest.mark.parametrize('nd', [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize('p', [0.5, 1.0])
def test_feature_dropout_shapes_and_draws(fn, nd, p):
    def run(T):
        shape = (3, 2, 2, 3, 2)[:nd]
        T.manual_seed(0)
        x = T.arange(1., 1. + int(np.prod(shape))).reshape(shape).requires_grad_()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            kw = {'training': True} if 'alpha' in fn else {}
            r = _outcome(lambda: (lambda y: (tuple(y.shape), y.flatten().tolist(), y.grad_fn.name()))(
                getattr(T.nn.functional, fn)(x, p, **kw)))
        return r, round(T.rand(1).item(), 6), [(c.category.__name__, str(c.message)[:120], c.filename == __file__)
                                                for c in w]
    t, e = _both(run)
    assert e == t


@pytest.mark.parametrize('fn', _DROPS + ['dropout', 'alpha_dropout'])
@pytest.mark.parametrize('shape', [(0, 3), (2, 0, 3, 2), (3, 2, 2), (2, 3, 2, 2)])
@pytest.mark.parametrize('inplace', [False, True])
def test_dropout_inplace_and_empty(fn, shape, inplace):
    def run(T):
        T.manual_seed(0)
        a = T.ones(shape).requires_grad_()
        x = a * 2
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            kw = {'training': True} if 'alpha' in fn else {}

            def go():
                y = getattr(T.nn.functional, fn)(x, 0.5, inplace=inplace, **kw)
                y.sum().backward()
                return (tuple(y.shape), y is x, x.grad_fn.name(), y.grad_fn.name(), y.flatten().tolist(),
                        a.grad.flatten().tolist())
            r = _outcome(go)
        return r, round(T.rand(1).item(), 6)
    t, e = _both(run)
    assert e == t


@pytest.mark.parametrize('fn', ['feature_dropout', 'feature_alpha_dropout', 'feature_dropout_'])
@pytest.mark.parametrize('p', [1.0, 0.5, 0.0])
@pytest.mark.parametrize('shape', [(3,), (0,), (), (2, 0)])
def test_toplevel_feature_dropout(fn, p, shape):
    def run(T):
        x = T.ones(shape)
        return _outcome(lambda: (lambda r: (r is x, r.tolist()))(getattr(T, fn)(x, p, True)))
    t, e = _both(run)
    assert e == t


# ------------------------------------------------------------------ 5. loss deprecation warnings

_LOSSES = {
    'l1': lambda T, **k: T.nn.functional.l1_loss(T.ones(3), T.zeros(3), **k),
    'mse': lambda T, **k: T.nn.functional.mse_loss(T.ones(3), T.zeros(3), **k),
    'nll': lambda T, **k: T.nn.functional.nll_loss(T.zeros(2, 3), T.tensor([0, 1]), **k),
    'ce': lambda T, **k: T.nn.functional.cross_entropy(T.zeros(2, 3), T.tensor([0, 1]), **k),
    'kl': lambda T, **k: T.nn.functional.kl_div(T.zeros(3), T.ones(3), **k),
    'cos': lambda T, **k: T.nn.functional.cosine_embedding_loss(T.ones(2, 3), T.ones(2, 3), T.ones(2), **k),
    'M_l1': lambda T, **k: T.nn.L1Loss(**k),
    'M_ce': lambda T, **k: T.nn.CrossEntropyLoss(**k),
}


@pytest.mark.parametrize('name', list(_LOSSES))
@pytest.mark.parametrize('kw', [dict(size_average=False), dict(reduction='elementwise_mean')])
def test_loss_deprecation_warning_location(name, kw):
    def run(T):
        call = _LOSSES[name]
        with warnings.catch_warnings(record=True) as w:
            warnings.resetwarnings()
            warnings.simplefilter('default')            # (changed filters: the 'once' registries restart)
            _outcome(lambda: call(T, **kw))
            _outcome(lambda: call(T, **kw))             # another line of this file: still shown once
        return [(c.category.__name__, str(c.message), c.filename == __file__) for c in w]
    t, e = _both(run)
    assert e == t


# ------------------------------------------------------------------ 6. sort's stable= overloads

_SORTS = ['x.sort(1, stable=True)', 'x.sort(stable=True, dim=1)', 'T.sort(x, 1, stable=True)',
          'x.sort(1, True, stable=True)', 'T.sort(x, 1, True, stable=True)', 'x.sort(1, stable=None)',
          'x.sort(stable=None)', 'T.sort(x, stable=False, dim=0)', 'x.sort(1, descending=True, stable=True)',
          'x.sort(1, True, 5)', 'T.sort(x, 1, True, 5)', 'T.sort(x, 1, True, 5, 6)', 'x.sort(axis=1)',
          'T.sort(x, axis=1, stable=True)', 'T.sort(x, 1, True, stable=True, out=o)', 'x.sort(1, dim=1)',
          'T.sort(x, 1, True, descending=True)', 'x.sort(0, True)', 'T.sort(x, 1, out=o)',
          'x.argsort(1, stable=True)', 'T.argsort(x, 1, stable=True)', 'T.argsort(x, 1, True, stable=True)',
          'x.argsort(1, True, stable=True)', 'x.argsort(stable=True, dim=1)', 'T.argsort(x, 1, True, out=o[1])',
          'T.argsort(x, stable=True, dim=1, descending=True, out=o[1])', 'x.argsort(1, True, 5)',
          'T.argsort(x, out=o[1])', 'x.argsort(0, True)', 'T.sort([1, 2])',
          'x.requires_grad_().sort(stable=True).values.grad_fn.name()',
          'x.requires_grad_().sort(0).values.grad_fn.name()']


@pytest.mark.parametrize('expr', _SORTS)
def test_sort_stable_overloads(expr):
    def run(T):
        x = T.tensor([[3., 1, 2], [1, 1, 0]])
        o = (T.empty(0), T.empty(0, dtype=T.long))

        def go():
            r = eval(expr)                          # noqa: S307 - the call under test
            return r if isinstance(r, str) else r[1].tolist() if isinstance(r, tuple) else r.tolist()
        return _outcome(go)
    t, e = _both(run)
    assert e == t


# ------------------------------------------------------------------ 7. fractional max pooling

_FRACTIONAL = [(2, dict(output_ratio=0.5)), (2, dict(output_ratio=1)), (2, dict(output_ratio=(0.5, 0.7))),
               (2, dict(output_ratio=(0.3, 0.5, 0.5))), (2, dict(output_ratio=[0.5, 0.5])),
               (3, dict(output_ratio=0.5)), (3, dict(output_ratio=0.9)), (3, dict(output_ratio=0.0)),
               (3, dict(output_size=7)), (3, dict(output_size=(6, 7, 6))), (3, dict(output_size=6)),
               (2, dict(output_size=7)), (2, dict(output_size=(0, 3))), (3, dict(output_size=(6, 0, 3))),
               (2, dict(output_ratio=(0., 0.), return_indices=True)), (2, dict()),
               (2, dict(output_size=3, shape=(2, 0, 8))), (2, dict(output_size=3, shape=(0, 8, 8))),
               (3, dict(output_size=3, shape=(2, 3, 0, 8, 8))), (3, dict(output_size=7, shape=(8, 8, 8))),
               (2, dict(output_size=3, shape=(8, 8)))]


@pytest.mark.parametrize('d,kw', _FRACTIONAL, ids=[str(i) for i in range(len(_FRACTIONAL))])
def test_fractional_max_pool_args(d, kw):
    def run(T):
        kw2 = dict(kw)
        shape = kw2.pop('shape', (1, 2) + (8,) * d)
        T.manual_seed(0)
        x = T.arange(float(np.prod(shape))).reshape(shape)

        def go():
            r = getattr(T.nn.functional, f'fractional_max_pool{d}d')(x, 2, **kw2)
            return [(tuple(t.shape), t.sum().item()) for t in (r if isinstance(r, tuple) else (r,))]
        return _outcome(go), round(T.rand(1).item(), 6)
    t, e = _both(run)
    assert e == t
