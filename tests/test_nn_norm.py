"""Normalization against PyTorch: F.batch_norm/layer_norm/group_norm/instance_norm/rms_norm/
normalize/local_response_norm (forward, backward, gradcheck, gradgradcheck) and the layers
(running statistics, momentum=None, eval mode, reprs, errors)."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case
from layers import check_layer


def bn(training, momentum=0.1, running=True, affine=True):
    def fn(T, x, w, b):
        c = x.shape[1]
        rm = T.linspace(-1, 1, c, dtype=x.dtype) if running else None
        rv = T.linspace(0.5, 2, c, dtype=x.dtype) if running else None
        y = T.nn.functional.batch_norm(x, rm, rv, w if affine else None, b if affine else None, training,
                                       momentum)
        return (y, rm, rv) if running else y
    return fn


FUNCTIONAL = [
    # the running statistics are outputs here (updated from x, without grad): compare values, no gradcheck
    case('bn-train', bn(True), [(4, 3, 2, 2), (3,), (3,)], gradcheck=False),
    case('bn-train-2d-input', bn(True), [(5, 3), (3,), (3,)], gradcheck=False),
    case('bn-train-2d-input-gradcheck', bn(True, running=False), [(5, 3), (3,), (3,)]),
    case('bn-train-no-running', bn(True, running=False), [(4, 3, 5), (3,), (3,)]),
    case('bn-train-no-affine', bn(True, affine=False), [(4, 2, 3), (2,), (2,)], gradcheck=False),
    case('bn-eval', bn(False), [(4, 3, 2, 2), (3,), (3,)]),
    case('bn-float64', bn(True, momentum=0.3), [(3, 2, 4), (2,), (2,)], dtype=np.float64, gradcheck=False),
    case('ln', lambda T, x, w, b: T.nn.functional.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)]),
    case('ln-2dims', lambda T, x, w, b: T.nn.functional.layer_norm(x, (2, 3), w, b), [(2, 2, 3), (2, 3), (2, 3)]),
    case('ln-no-affine', lambda T, x: T.nn.functional.layer_norm(x, [5]), [(2, 3, 5)]),
    case('ln-whole', lambda T, x, w: T.nn.functional.layer_norm(x, (2, 3), w), [(2, 3), (2, 3)]),
    case('gn', lambda T, x, w, b: T.nn.functional.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    case('gn-4d', lambda T, x, w, b: T.nn.functional.group_norm(x, 3, w, b), [(2, 6, 2, 2), (6,), (6,)]),
    case('gn-no-affine', lambda T, x: T.nn.functional.group_norm(x, 1), [(2, 3, 4)]),
    case('in', lambda T, x: T.nn.functional.instance_norm(x), [(2, 3, 5)]),
    case('in-affine', lambda T, x, w, b: T.nn.functional.instance_norm(x, weight=w, bias=b), [(2, 3, 2, 3), (3,), (3,)]),
    case('rms', lambda T, x, w: T.nn.functional.rms_norm(x, (4,), w), [(3, 4), (4,)]),
    case('rms-eps', lambda T, x: T.nn.functional.rms_norm(x, [2, 3], eps=1e-3), [(2, 2, 3)]),
    case('normalize', lambda T, x: T.nn.functional.normalize(x), [(3, 4)]),
    case('normalize-p1-dim0', lambda T, x: T.nn.functional.normalize(x, p=1, dim=0), [(3, 4)]),
    case('lrn-3d', lambda T, x: T.nn.functional.local_response_norm(x, 2), [(2, 4, 5)]),
    case('lrn-4d', lambda T, x: T.nn.functional.local_response_norm(x, 3, k=2.), [(1, 4, 2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', FUNCTIONAL)
def test_functional(fn, specs, kw):
    check(fn, specs, **kw)


LAYERS = [
    pytest.param(lambda nn: nn.BatchNorm1d(3), [(4, 3)], {}, id='bn1d'),
    pytest.param(lambda nn: nn.BatchNorm1d(3, momentum=None, affine=False), [(4, 3, 5)], {}, id='bn1d-cma'),
    pytest.param(lambda nn: nn.BatchNorm2d(3), [(4, 3, 2, 2)], {}, id='bn2d'),
    pytest.param(lambda nn: nn.BatchNorm2d(3), [(4, 3, 2, 2)], {'train': False}, id='bn2d-eval'),
    pytest.param(lambda nn: nn.BatchNorm2d(3, track_running_stats=False), [(4, 3, 2, 2)], {'train': False},
                 id='bn2d-untracked-eval'),
    pytest.param(lambda nn: nn.BatchNorm2d(2, bias=False), [(3, 2, 2, 2)], {}, id='bn2d-nobias'),
    pytest.param(lambda nn: nn.BatchNorm3d(2, eps=1e-3, momentum=0.5), [(2, 2, 2, 2, 2)], {}, id='bn3d'),
    pytest.param(lambda nn: nn.InstanceNorm1d(3), [(2, 3, 5)], {}, id='in1d'),
    pytest.param(lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), [(2, 3, 3, 3)], {},
                 id='in2d-tracked'),
    pytest.param(lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), [(2, 3, 3, 3)],
                 {'train': False}, id='in2d-tracked-eval'),
    pytest.param(lambda nn: nn.InstanceNorm2d(3), [(3, 4, 4)], {}, id='in2d-unbatched'),
    pytest.param(lambda nn: nn.LayerNorm(5), [(2, 3, 5)], {}, id='ln'),
    pytest.param(lambda nn: nn.LayerNorm([3, 5], elementwise_affine=False), [(2, 3, 5)], {}, id='ln-noaffine'),
    pytest.param(lambda nn: nn.LayerNorm(4, bias=False), [(2, 4)], {}, id='ln-nobias'),
    pytest.param(lambda nn: nn.GroupNorm(2, 4), [(3, 4, 5)], {}, id='gn'),
    pytest.param(lambda nn: nn.GroupNorm(3, 3, affine=False), [(2, 3, 2, 2)], {}, id='gn-noaffine'),
    pytest.param(lambda nn: nn.RMSNorm(4), [(2, 3, 4)], {}, id='rms'),
    pytest.param(lambda nn: nn.RMSNorm([3, 4], eps=1e-5, elementwise_affine=False), [(2, 3, 4)], {}, id='rms-noaffine'),
    pytest.param(lambda nn: nn.LocalResponseNorm(2), [(2, 4, 3, 3)], {}, id='lrn'),
]


@pytest.mark.parametrize('make,specs,kw', LAYERS)
def test_layer(make, specs, kw):
    check_layer(make, specs, **kw)


def test_batchnorm_running_stats_over_steps():
    """Several training steps then eval: running stats and num_batches_tracked as torch."""
    for momentum in (0.1, None):
        t, e = torch.nn.BatchNorm2d(3, momentum=momentum), ember.nn.BatchNorm2d(3, momentum=momentum)
        rng = np.random.default_rng(0)
        for _ in range(4):
            x = rng.standard_normal((5, 3, 2, 2)).astype(np.float32) * 2 + 1
            t(torch.tensor(x))
            e(ember.tensor(x))
        for name in ('running_mean', 'running_var'):
            np.testing.assert_allclose(getattr(e, name).cpu().numpy(), getattr(t, name).cpu().numpy(), rtol=1e-5)
        assert e.num_batches_tracked.item() == t.num_batches_tracked.item() == 4
        assert e.num_batches_tracked.dtype == ember.int64
        t.eval()
        e.eval()
        x = rng.standard_normal((2, 3, 2, 2)).astype(np.float32)
        np.testing.assert_allclose(e(ember.tensor(x)).detach().cpu().numpy(), t(torch.tensor(x)).detach().cpu().numpy(),
                                   rtol=1e-5, atol=1e-6)


def _mod_err(make, shape):
    return lambda T, x: make(T.nn)(x)


ERRORS = [
    case('bn2d-3d-input', _mod_err(lambda nn: nn.BatchNorm2d(3), None), [(3, 5, 5)]),
    case('bn1d-one-value', _mod_err(lambda nn: nn.BatchNorm1d(3), None), [(1, 3)]),
    case('bn1d-channels', _mod_err(lambda nn: nn.BatchNorm1d(3), None), [(2, 4)]),
    case('ln-shape', _mod_err(lambda nn: nn.LayerNorm(5), None), [(2, 4)]),
    case('gn-groups', lambda T, x: T.nn.functional.group_norm(x, 3), [(2, 4, 3)]),
    case('in-2d-input', _mod_err(lambda nn: nn.InstanceNorm2d(3), None), [(3, 5)]),
    case('bn-dtype', _mod_err(lambda nn: nn.BatchNorm2d(3), None), [np.zeros((2, 3, 2, 2))]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_groupnorm_constructor_error():
    for lib in (torch, ember):
        with pytest.raises(ValueError, match=r'num_channels \(3\) must be divisible by num_groups \(2\)'):
            lib.nn.GroupNorm(2, 3)


BN_LOAD_SCRIPT = '''
bn = T.nn.BatchNorm1d(3)
print(bn.load_state_dict({'weight': T.ones(3), 'bias': T.ones(3), 'running_mean': T.ones(3), 'running_var': T.ones(3)}))
print(int(bn.num_batches_tracked), bn.state_dict()._metadata)
sd = bn.state_dict(); del sd['num_batches_tracked']
try: print(bn.load_state_dict(sd))
except Exception as e: print(type(e).__name__, e)
sd._metadata[''] = {'version': 1}
print(bn.load_state_dict(sd))
m = T.nn.Sequential(T.nn.Conv2d(1, 2, 3), T.nn.BatchNorm2d(2))
sd = {k: v for k, v in m.state_dict().items() if 'num_batches' not in k}
print(m.load_state_dict(sd), T.nn.Sequential(T.nn.BatchNorm2d(2)).state_dict()._metadata)
print(T.nn.InstanceNorm1d(3).state_dict()._metadata, T.nn.LayerNorm(3).state_dict()._metadata)
'''


def test_batchnorm_loads_checkpoints_without_num_batches_tracked():
    """Version-1 checkpoints and hand-made dicts lack num_batches_tracked; PyTorch fills it in."""
    from compare import assert_script_same
    assert_script_same(BN_LOAD_SCRIPT, min_lines=5)
