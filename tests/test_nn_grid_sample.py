"""F.affine_grid and F.grid_sample against PyTorch: every mode x padding x align_corners,
both gradients, gradcheck and gradgradcheck in float64, errors, warnings, an STN training run."""
import itertools
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case

pytestmark = pytest.mark.filterwarnings('ignore:Default grid_sample', 'ignore:Since version 1.3.0')


def gs(**kw):
    return lambda T, x, g: T.nn.functional.grid_sample(x, g, **kw)


def ag(size, **kw):
    return lambda T, th: T.nn.functional.affine_grid(th, size, **kw)


MODES_2D = [case(f'{m}-{p}-{"align" if a else "noalign"}', gs(mode=m, padding_mode=p, align_corners=a),
                 [(2, 1, 3, 3), (2, 2, 2, 2)], low=-1.3, high=1.3)
            for m, p, a in itertools.product(['bilinear', 'nearest', 'bicubic'],
                                             ['zeros', 'border', 'reflection'], [False, True])]

MODES_3D = [case(f'3d-{m}-{p}-{"align" if a else "noalign"}', gs(mode=m, padding_mode=p, align_corners=a),
                 [(1, 1, 2, 3, 3), (1, 2, 1, 1, 3)], low=-1.3, high=1.3)
            for m, p, a in itertools.product(['bilinear', 'nearest'], ['zeros', 'border', 'reflection'],
                                             [False, True])]


@pytest.mark.parametrize('fn,specs,kw', MODES_2D + MODES_3D)
def test_grid_sample_modes(fn, specs, kw):
    check(fn, specs, **kw)


OTHER = [
    case('default-align', gs(), [(1, 2, 3, 3), (1, 2, 2, 2)]),
    case('far-outside', gs(padding_mode='reflection', align_corners=False), [(1, 1, 3, 4), (1, 3, 3, 2)],
         low=-4, high=4),
    case('far-outside-bicubic', gs(mode='bicubic', padding_mode='reflection', align_corners=True),
         [(1, 1, 3, 4), (1, 3, 3, 2)], low=-4, high=4),
    case('size-1-input', gs(padding_mode='reflection', align_corners=True), [(1, 2, 1, 3), (1, 2, 2, 2)]),
    case('size-1-bicubic', gs(mode='bicubic', padding_mode='border', align_corners=False),
         [(1, 2, 1, 1), (1, 2, 2, 2)]),
    case('noncontig', lambda T, x, g: T.nn.functional.grid_sample(x.transpose(2, 3), g.transpose(1, 2),
                                                                  align_corners=False),
         [(1, 2, 4, 3), (1, 3, 2, 2)], low=-1.2, high=1.2),
    case('input-only-grad', gs(align_corners=False), [(1, 2, 3, 4), (1, 2, 2, 2)],
         requires_grad=[True, False]),
    case('grid-only-grad', gs(mode='bicubic', align_corners=False), [(1, 2, 3, 4), (1, 2, 2, 2)],
         requires_grad=[False, True]),
    case('empty-batch', gs(align_corners=False), [(0, 2, 3, 4), (0, 2, 2, 2)], gradcheck=False),
    case('empty-channels', gs(align_corners=False), [(2, 0, 3, 4), (2, 2, 2, 2)], gradcheck=False),
    case('empty-grid', gs(mode='bicubic', align_corners=False), [(2, 2, 3, 4), (2, 0, 2, 2)],
         gradcheck=False),
    case('float64', gs(mode='bicubic', align_corners=True), [(1, 2, 3, 4), (1, 2, 2, 2)], dtype=np.float64),
    case('float16', gs(align_corners=False), [(1, 2, 3, 4), (1, 2, 2, 2)], dtype=np.float16,
         forward_only=True, low=-1, high=1),
    case('bfloat16-affine-sample', lambda T, x, th: T.nn.functional.grid_sample(
        x.bfloat16(), T.nn.functional.affine_grid(th.bfloat16(), (1, 2, 3, 4), align_corners=True),
        align_corners=True), [(1, 2, 3, 4), (1, 2, 3)], forward_only=True, low=-1, high=1),
    # STN composition: sample at an affine grid, gradients flow to theta through both ops
    case('affine-then-sample', lambda T, x, th: T.nn.functional.grid_sample(
        x, T.nn.functional.affine_grid(th, (2, 1, 3, 4), align_corners=False), align_corners=False),
        [(2, 1, 3, 4), (2, 2, 3)], low=-1, high=1),
]


@pytest.mark.parametrize('fn,specs,kw', OTHER)
def test_grid_sample_other(fn, specs, kw):
    check(fn, specs, **kw)


AFFINE = [
    case('2d', ag((2, 3, 4, 5), align_corners=False), [(2, 2, 3)]),
    case('2d-align', ag((2, 3, 4, 5), align_corners=True), [(2, 2, 3)]),
    case('2d-default', ag((1, 1, 3, 2)), [(1, 2, 3)]),
    case('2d-list', ag([1, 3, 2, 6], align_corners=False), [(1, 2, 3)]),
    case('2d-unit', ag((2, 1, 1, 3), align_corners=False), [(2, 2, 3)]),
    case('2d-unit-align', ag((2, 1, 1, 3), align_corners=True), [(2, 2, 3)]),
    case('3d', ag((2, 1, 2, 3, 4), align_corners=False), [(2, 3, 4)]),
    case('3d-align', ag((1, 2, 3, 2, 2), align_corners=True), [(1, 3, 4)]),
    case('float64', ag((2, 3, 4, 5), align_corners=False), [(2, 2, 3)], dtype=np.float64),
    case('noncontig', lambda T, th: T.nn.functional.affine_grid(th.transpose(1, 2), (2, 1, 3, 3),
                                                                align_corners=False), [(2, 3, 2)]),
    case('size-object', lambda T, th: T.nn.functional.affine_grid(th, T.Size([2, 1, 3, 4]),
                                                                  align_corners=True), [(2, 2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', AFFINE)
def test_affine_grid(fn, specs, kw):
    check(fn, specs, **kw)


X, G = (2, 3, 4, 5), (2, 3, 4, 2)
ERRORS = [
    case('bad-mode', gs(mode='linear'), [X, G]),
    case('bad-padding', gs(padding_mode='circular'), [X, G]),
    case('align-int', gs(align_corners=1), [X, G]),
    case('dtype-mismatch', lambda T, x, g: T.nn.functional.grid_sample(x, g.double(), align_corners=False),
         [X, G]),
    case('dtype-mismatch-2', lambda T, x, g: T.nn.functional.grid_sample(x.double(), g, align_corners=False),
         [X, G]),
    case('int-input', lambda T, x, g: T.nn.functional.grid_sample(x.long(), g.long(), align_corners=False),
         [X, G]),
    case('grid-last-dim', gs(align_corners=False), [X, (2, 3, 4, 3)]),
    case('grid-last-dim-5d', gs(align_corners=False), [X, (2, 3, 4, 5, 3)]),
    case('batch-mismatch', gs(align_corners=False), [X, (1, 3, 4, 2)]),
    case('grid-3d', gs(align_corners=False), [X, (3, 4, 2)]),
    case('grid-5d', gs(align_corners=False), [X, (2, 3, 4, 1, 2)]),
    case('unbatched', gs(align_corners=False), [(3, 4, 5), (3, 4, 1)]),
    case('6d', gs(align_corners=False), [(1, 1, 1, 2, 3, 4), (1, 1, 1, 2, 2, 4)]),
    case('empty-spatial', gs(align_corners=False), [(2, 3, 0, 5), G]),
    case('bicubic-5d', gs(mode='bicubic', align_corners=False), [(1, 2, 3, 4, 5), (1, 2, 2, 2, 3)]),
    case('affine-int', lambda T, th: T.nn.functional.affine_grid(th.long(), (2, 3, 4, 5), align_corners=False),
         [(2, 2, 3)]),
    case('affine-2d-shape', ag((2, 3, 4, 5), align_corners=False), [(2, 3, 3)]),
    case('affine-2d-shape-size', lambda T, th: T.nn.functional.affine_grid(th, T.Size([2, 3, 4, 5]),
                                                                           align_corners=False), [(2, 3, 4)]),
    case('affine-3d-shape', ag((2, 3, 4, 5, 6), align_corners=False), [(2, 2, 3)]),
    case('affine-3d-size', ag((2, 3, 4), align_corners=False), [(2, 2, 3)]),
    case('affine-zero-size', ag((2, 3, 0, 5), align_corners=False), [(2, 2, 3)]),
    case('affine-negative-size', ag([-1, 3, 1, 1], align_corners=False), [(2, 2, 3)]),
    case('affine-batch', ag((3, 3, 4, 5), align_corners=False), [(2, 2, 3)]),
    case('affine-align-int', ag((2, 3, 4, 5), align_corners=0), [(2, 2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def _warnings(lib, fn):
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter('always')
        fn(lib)
    return [(w.category, str(w.message), w.filename) for w in got]


@pytest.mark.parametrize('fn', [
    lambda T: T.nn.functional.grid_sample(T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 2)),
    lambda T: T.nn.functional.affine_grid(T.zeros(1, 2, 3), (1, 1, 2, 2)),
    lambda T: T.nn.functional.affine_grid(T.zeros(1, 2, 3), (1, 1, 1, 2), align_corners=True),
    lambda T: T.nn.functional.grid_sample(T.ones(1, 1, 2, 2), T.zeros(1, 1, 1, 2), align_corners=True),
], ids=['grid-sample-default', 'affine-default', 'affine-unit-align', 'none'])
def test_warnings(fn):
    want, got = _warnings(torch, fn), _warnings(ember, fn)
    assert [w[:2] for w in got] == [w[:2] for w in want]
    assert all(w[2] == __file__ for w in got)                   # reported at the caller's line


def test_failed_call_leaves_inputs():
    x, g = ember.ones(1, 1, 2, 2, requires_grad=True), ember.zeros(1, 1, 1, 3)
    with pytest.raises(RuntimeError):
        ember.nn.functional.grid_sample(x, g, align_corners=False)
    assert x.grad is None and x.grad_fn is None and bool((x == 1).all())


def _stn(lib):
    """A small spatial transformer: a localisation net predicts theta, the image is resampled."""
    nn = lib.nn
    F = lib.nn.functional

    class STN(nn.Module):
        def __init__(self):
            super().__init__()
            self.loc = nn.Linear(16, 6)
            self.head = nn.Linear(16, 3)

        def forward(self, x):
            theta = self.loc(x.flatten(1)).view(-1, 2, 3)
            grid = F.affine_grid(theta, x.shape, align_corners=False)
            y = F.grid_sample(x, grid, padding_mode='border', align_corners=False)
            return self.head(y.flatten(1))

    return STN()


def test_stn_training_matches_torch():
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((8, 1, 4, 4)).astype(np.float32)
    ys = rng.integers(0, 3, 8)
    nets = {lib: _stn(lib) for lib in (torch, ember)}
    identity = np.array([1, 0, 0, 0, 1, 0], np.float32)
    for name, p in nets[torch].named_parameters():
        with torch.no_grad():
            p.copy_(torch.from_numpy(rng.uniform(-0.2, 0.2, tuple(p.shape)).astype(np.float32)))
            if name == 'loc.bias':
                p.copy_(torch.from_numpy(identity))
    nets[ember].load_state_dict({k: ember.tensor(v.cpu().numpy()) for k, v in nets[torch].state_dict().items()})
    losses = {}
    for lib, net in nets.items():
        opt = lib.optim.SGD(net.parameters(), lr=0.5)
        x, y = lib.tensor(xs), lib.tensor(ys)
        losses[lib] = []
        for _ in range(6):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
            losses[lib].append(loss.item())
    np.testing.assert_allclose(losses[ember], losses[torch], rtol=1e-4, atol=1e-5)
    assert losses[ember][-1] < losses[ember][0]
    got = nets[ember].loc.weight.detach().cpu().numpy()
    np.testing.assert_allclose(got, nets[torch].loc.weight.detach().cpu().numpy(), rtol=1e-3, atol=1e-5)
