"""Late nn additions against PyTorch: lazy conv/norm layers, RReLU, LPPool, ChannelShuffle,
TripletMarginWithDistanceLoss, SyncBatchNorm (one process + conversion) and their functional forms."""
import numpy as np
import pytest
import torch

import ember
from helpers import case, check, check_error, _np
from layers import check_layer, init_matches, copy_state

POS = dict(low=0.2, high=2.0)      # fractional powers of negative numbers are NaN in both libraries


def F(T):
    return T.nn.functional


FUNCTIONAL = [
    case('rrelu_eval', lambda T, x: F(T).rrelu(x), [(3, 4)]),
    case('rrelu_bounds', lambda T, x: F(T).rrelu(x, 0.2, 0.4), [(2, 3, 4)]),
    case('rrelu_inplace', lambda T, x: F(T).rrelu(x * 1, inplace=True), [(3, 4)]),
    case('rrelu_', lambda T, x: F(T).rrelu_(x * 1), [(3, 4)]),
    case('rrelu_t', lambda T, x: F(T).rrelu(x.t()), [(3, 4)]),
    case('rrelu_empty', lambda T, x: F(T).rrelu(x), [(0, 4)]),
    case('rrelu_0d', lambda T, x: F(T).rrelu(x), [()]),
    case('selu_', lambda T, x: F(T).selu_(x * 1), [(3, 4)]),
    case('celu_', lambda T, x: F(T).celu_(x * 1), [(3, 4)]),
    case('linear-no-bias-mm', lambda T, x, w: F(T).linear(x, w), [(2, 3), (4, 3)]),   # MmBackward0, as torch
    case('celu-inplace-node', lambda T, x: F(T).celu(x * 1, 0.5, inplace=True), [(3, 4)]),
    case('celu_alpha', lambda T, x: F(T).celu_(x * 1, 0.5), [(3, 4)]),
    case('lp_pool1d', lambda T, x: F(T).lp_pool1d(x, 2, 3), [(2, 3, 7)]),
    case('lp_pool1d_stride', lambda T, x: F(T).lp_pool1d(x, 2, 3, 2), [(2, 3, 8)]),
    case('lp_pool1d_ceil', lambda T, x: F(T).lp_pool1d(x, 1.5, 3, 2, True), [(2, 3, 8)], **POS),
    case('lp_pool1d_unbatched', lambda T, x: F(T).lp_pool1d(x, 3, 2), [(3, 6)], **POS),
    case('lp_pool1d_inf', lambda T, x: F(T).lp_pool1d(x, float('inf'), 2), [(2, 3, 6)]),
    case('lp_pool2d', lambda T, x: F(T).lp_pool2d(x, 2, 2), [(2, 3, 4, 6)]),
    case('lp_pool2d_rect', lambda T, x: F(T).lp_pool2d(x, 1.5, (2, 3), 1), [(1, 2, 5, 6)], **POS),
    case('lp_pool2d_ceil', lambda T, x: F(T).lp_pool2d(x, 2, 2, (2, 1), True), [(1, 2, 5, 5)]),
    case('lp_pool2d_noncontig', lambda T, x: F(T).lp_pool2d(x[:, :, :, ::2], 2, 2), [(2, 3, 4, 8)]),
    case('lp_pool3d', lambda T, x: F(T).lp_pool3d(x, 2, 2), [(1, 2, 4, 4, 4)]),
    case('lp_pool3d_stride', lambda T, x: F(T).lp_pool3d(x, 1.5, (1, 2, 2), 1), [(1, 2, 3, 3, 4)], **POS),
    case('channel_shuffle', lambda T, x: F(T).channel_shuffle(x, 2), [(2, 6, 3)]),
    case('channel_shuffle_4d', lambda T, x: F(T).channel_shuffle(x, 3), [(1, 6, 2, 2)]),
    case('channel_shuffle_t', lambda T, x: F(T).channel_shuffle(x.transpose(1, 2), 2), [(2, 3, 4)]),
    # torch gives an empty result strides (0, 0, 0); ember's are the contiguous ones
    case('channel_shuffle_empty', lambda T, x: F(T).channel_shuffle(x, 2), [(0, 4, 3)], layout=False),
    case('triplet', lambda T, a, p, n: F(T).triplet_margin_with_distance_loss(a, p, n), [(4, 5)] * 3),
    case('triplet_swap_sum', lambda T, a, p, n: F(T).triplet_margin_with_distance_loss(
        a, p, n, swap=True, margin=2.0, reduction='sum'), [(4, 5)] * 3),
    case('triplet_none', lambda T, a, p, n: F(T).triplet_margin_with_distance_loss(a, p, n, reduction='none'),
         [(4, 5)] * 3),
    case('triplet_cosine', lambda T, a, p, n: F(T).triplet_margin_with_distance_loss(
        a, p, n, distance_function=lambda x, y: 1 - F(T).cosine_similarity(x, y)), [(4, 5)] * 3),
    case('triplet_1d', lambda T, a, p, n: F(T).triplet_margin_with_distance_loss(a, p, n), [(5,)] * 3),
    case('pdist', lambda T, x: F(T).pdist(x), [(4, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', FUNCTIONAL)
def test_functional(fn, specs, kw):
    check(fn, specs, **kw)


def test_native_channel_shuffle():
    out = check(lambda T, x: F(T).native_channel_shuffle(x, 2), [(2, 4, 3)], forward_only=True,
                requires_grad=[True])
    assert out.requires_grad
    with pytest.raises(RuntimeError, match='derivative for aten::native_channel_shuffle is not implemented'):
        out.sum().backward()
    check(lambda T, x: F(T).native_channel_shuffle(x, 2), [np.arange(24).reshape(2, 4, 3)], forward_only=True)


ERRORS = [
    case('rrelu_bounds', lambda T, x: F(T).rrelu(x, 0.5, 0.1), [(3,)]),
    case('rrelu_int', lambda T, x: F(T).rrelu(x), [np.arange(3)]),
    case('celu_zero', lambda T, x: F(T).celu_(x, 0.0), [(3,)]),
    case('shuffle_2d', lambda T, x: F(T).channel_shuffle(x, 2), [(2, 4)]),
    case('shuffle_groups', lambda T, x: F(T).channel_shuffle(x, 3), [(2, 4, 3)]),
    case('shuffle_zero', lambda T, x: F(T).channel_shuffle(x, 0), [(2, 4, 3)]),
    case('native_shuffle_groups', lambda T, x: F(T).native_channel_shuffle(x, 3), [(2, 4, 3)]),
    case('native_shuffle_2d', lambda T, x: F(T).native_channel_shuffle(x, 2), [(2, 4)]),
    case('triplet_reduction', lambda T, a: F(T).triplet_margin_with_distance_loss(a, a, a, reduction='x'),
         [(2, 3)]),
    case('triplet_margin', lambda T, a: F(T).triplet_margin_with_distance_loss(a, a, a, margin=0), [(2, 3)]),
    case('triplet_dims', lambda T, a, b: F(T).triplet_margin_with_distance_loss(a, a, b), [(2, 3), (3,)]),
    case('triplet_positional', lambda T, a: F(T).triplet_margin_with_distance_loss(a, a, a, None), [(2, 3)]),
    case('pdist_3d', lambda T, x: F(T).pdist(x), [(2, 3, 4)]),
    case('rrelu_module_margin', lambda T: T.nn.TripletMarginWithDistanceLoss(margin=-1.0), []),
    case('sync_bn_1d', lambda T, x: T.nn.SyncBatchNorm(3)(x), [(3,)]),
    case('sync_bn_channels', lambda T, x: T.nn.SyncBatchNorm(0)(x), [(2, 0, 3)]),
    case('lazy_conv_dim', lambda T, x: T.nn.LazyConv2d(4, 3)(x), [(2, 3)]),
    case('lazy_convt_dim', lambda T, x: T.nn.LazyConvTranspose1d(4, 3)(x), [(1, 2, 3, 5)]),
    case('lazy_conv_groups', lambda T, x: T.nn.LazyConv1d(4, 3, groups=2)(x), [(2, 3, 5)]),
    case('lazy_bn_dim', lambda T, x: T.nn.LazyBatchNorm2d()(x), [(2, 3, 5)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_failed_inplace_leaves_input():
    x = ember.tensor([-1.0, 2.0])
    with pytest.raises(RuntimeError):
        ember.nn.functional.rrelu_(x, 0.5, 0.1)
    assert x.tolist() == [-1.0, 2.0]


# ---------------------------------------------------------------- modules

LAYERS = [
    (lambda nn: nn.RReLU(), [(3, 4)], dict(train=False)),
    (lambda nn: nn.RReLU(0.1, 0.3), [(2, 3, 4)], dict(train=False)),
    (lambda nn: nn.LPPool1d(2, 3), [(2, 3, 7)], {}),
    (lambda nn: nn.LPPool1d(2, 3, stride=2, ceil_mode=True), [(2, 3, 8)], {}),
    (lambda nn: nn.LPPool2d(1.5, (2, 3), stride=1, ceil_mode=True), [(1, 2, 5, 6)], POS),
    (lambda nn: nn.LPPool2d(2, 2), [(2, 3, 4, 4)], {}),
    (lambda nn: nn.LPPool3d(2, 2), [(1, 2, 4, 4, 4)], {}),
    (lambda nn: nn.ChannelShuffle(2), [(2, 4, 3, 3)], {}),
    (lambda nn: nn.TripletMarginWithDistanceLoss(), [(4, 5)] * 3, {}),
    (lambda nn: nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1), margin=2.0,
                                                 swap=True, reduction='sum'), [(4, 5)] * 3, {}),
    (lambda nn: nn.SyncBatchNorm(3), [(4, 3, 5)], {}),
    (lambda nn: nn.SyncBatchNorm(3), [(4, 3)], {}),
    (lambda nn: nn.SyncBatchNorm(3, momentum=None, affine=False), [(2, 3, 2, 2)], {}),
    (lambda nn: nn.SyncBatchNorm(3, track_running_stats=False, bias=False), [(2, 3, 2, 2, 2)], {}),
    (lambda nn: nn.SyncBatchNorm(3), [(4, 3, 5)], dict(train=False)),
]


@pytest.mark.parametrize('make,specs,kw', LAYERS, ids=range(len(LAYERS)))
def test_layers(make, specs, kw):
    check_layer(make, specs, **kw)


def test_rrelu_repr_and_train_statistics():
    assert repr(ember.nn.RReLU(0.1, 0.3, True)) == repr(torch.nn.RReLU(0.1, 0.3, True))
    m = ember.nn.RReLU(0.1, 0.3)
    x = -ember.ones(20000)
    y = m(x)
    assert y.shape == x.shape and y.grad_fn is None
    slopes = _np(-y)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.005
    assert abs(slopes.std() - 0.2 / np.sqrt(12)) < 0.005          # U(0.1, 0.3)
    xp = ember.tensor([1.0, 2.0, -1.0], requires_grad=True)
    out = m(xp)
    out.sum().backward()
    assert out.grad_fn.name() == 'RreluWithNoiseBackward0'
    assert xp.grad[:2].tolist() == [1.0, 1.0] and xp.grad[2].item() == pytest.approx(-out[2].item())
    m.eval()
    assert m(x).tolist()[:3] == pytest.approx([-0.2] * 3)


def test_rrelu_inplace_train_matches_torch_graph():
    for lib in (torch, ember):
        x = lib.tensor([[-1.0, 2.0, -3.0]], requires_grad=True)
        y = x * 1
        out = lib.nn.RReLU(0.1, 0.3, inplace=True)(y)
        assert out is y and out.grad_fn.name() == 'RreluWithNoiseBackward1'
        slope = (out / x).detach()
        out.sum().backward()
        np.testing.assert_allclose(_np(x.grad), _np(slope), rtol=1e-6)


def test_lazy_dtype_and_params():
    m = ember.nn.LazyConv1d(3, 2, dtype=ember.float64)
    assert len(list(m.parameters())) == 2
    m(ember.zeros(1, 4, 5, dtype=ember.float64))
    assert m.weight.dtype == ember.float64 and m.weight.shape == (3, 4, 2) and m.bias.shape == (3,)
    assert type(m.weight) is ember.nn.Parameter and m.weight.requires_grad
    bn = ember.nn.LazyBatchNorm2d(dtype=ember.float64)
    bn(ember.zeros(2, 5, 2, 2, dtype=ember.float64))
    assert bn.running_mean.dtype == ember.float64 and type(bn.running_mean) is ember.Tensor
    assert bn.num_batches_tracked.dtype == ember.int64 and bn.num_batches_tracked.item() == 1


def test_sync_batchnorm_convert():
    def net(nn):
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4),
                             nn.Sequential(nn.BatchNorm1d(3, affine=False, momentum=None)), nn.InstanceNorm2d(4))
    torch.manual_seed(0)
    tn, en = net(torch.nn), net(ember.nn)
    copy_state(tn, en)
    en[1].eval()
    bn_weight, bn_mean = en[1].weight, en[1].running_mean
    ts, es = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tn), ember.nn.SyncBatchNorm.convert_sync_batchnorm(en)
    assert repr(es) == repr(ts)
    assert es is en and type(es[1]) is ember.nn.SyncBatchNorm and type(es[3]) is ember.nn.InstanceNorm2d
    assert es[1].weight is bn_weight and es[1].running_mean is bn_mean and not es[1].training
    assert list(es.state_dict()) == list(ts.state_dict())
    single = ember.nn.SyncBatchNorm.convert_sync_batchnorm(ember.nn.BatchNorm1d(5))
    assert type(single) is ember.nn.SyncBatchNorm and single.process_group is None


def test_sync_batchnorm_init():
    init_matches(lambda nn: nn.SyncBatchNorm(4))


# ---------------------------------------------------------------- lazy modules

LAZY = [
    (lambda nn: nn.LazyConv1d(4, 3), (2, 3, 7)),
    (lambda nn: nn.LazyConv1d(4, 3, bias=False, padding=1), (3, 7)),          # unbatched
    (lambda nn: nn.LazyConv2d(4, 3, stride=2, groups=2), (2, 6, 6, 6)),
    (lambda nn: nn.LazyConv2d(2, (2, 3), padding='same', padding_mode='reflect'), (1, 3, 5, 5)),
    (lambda nn: nn.LazyConv3d(2, 2), (1, 2, 3, 3, 3)),
    (lambda nn: nn.LazyConvTranspose1d(4, 3, stride=2, output_padding=1), (2, 3, 5)),
    (lambda nn: nn.LazyConvTranspose2d(4, 3, groups=2, bias=False), (1, 4, 3, 3)),
    (lambda nn: nn.LazyConvTranspose3d(2, 2), (1, 3, 2, 2, 2)),
    (lambda nn: nn.LazyBatchNorm1d(), (4, 3)),
    (lambda nn: nn.LazyBatchNorm1d(momentum=None, bias=False), (4, 3, 5)),
    (lambda nn: nn.LazyBatchNorm2d(affine=False), (2, 3, 4, 4)),
    (lambda nn: nn.LazyBatchNorm3d(track_running_stats=False), (2, 3, 2, 2, 2)),
    (lambda nn: nn.LazyInstanceNorm1d(), (2, 3, 5)),
    (lambda nn: nn.LazyInstanceNorm2d(affine=False, track_running_stats=False), (2, 3, 4, 4)),
    (lambda nn: nn.LazyInstanceNorm3d(), (2, 3, 2, 2, 2)),
]


def _state_types(m):
    return {k: type(v).__name__ for k, v in m.state_dict().items()}


@pytest.mark.filterwarnings("ignore:input's size at dim")
@pytest.mark.parametrize('make,shape', LAZY, ids=range(len(LAZY)))
def test_lazy_first_forward(make, shape):
    torch.manual_seed(0)
    tm, em = make(torch.nn), make(ember.nn)
    assert repr(em) == repr(tm) and type(em).__name__ == type(tm).__name__
    assert _state_types(em) == _state_types(tm)
    assert em.has_uninitialized_params() == tm.has_uninitialized_params()
    x = np.random.default_rng(0).uniform(-2, 2, shape).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tout, eout = tm(tx), em(ex)          # initialises; then copy torch's random init across
    assert repr(em) == repr(tm) and type(em).__name__ == type(tm).__name__
    assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert [(n, tuple(b.shape), str(b.dtype)) for n, b in em.named_buffers()] == \
        [(n, tuple(b.shape), str(b.dtype).replace('torch', 'ember')) for n, b in tm.named_buffers()]
    assert not em._forward_pre_hooks and not em._load_state_dict_pre_hooks
    if 'Norm' in type(tm).__name__:       # deterministic init: weight 1, bias 0, stats from the same batch
        for (n, a), (_, b) in zip(em.state_dict().items(), tm.state_dict().items()):
            np.testing.assert_allclose(_np(a), _np(b), atol=1e-6, err_msg=n)
        np.testing.assert_allclose(_np(eout.detach()), _np(tout.detach()), atol=1e-5, rtol=1e-4)
    copy_state(tm, em)
    check_layer(lambda nn: em if nn is ember.nn else tm, [shape])


LOADABLE = [LAZY[i] for i in (0, 3, 6, 9, 11, 13)]


@pytest.mark.parametrize('make,shape', LOADABLE, ids=range(len(LOADABLE)))
def test_lazy_load_state_dict(make, shape):
    torch.manual_seed(0)
    src = make(torch.nn)
    src(torch.randn(*shape))
    tm, em = make(torch.nn), make(ember.nn)
    tm.load_state_dict(src.state_dict())
    em.load_state_dict({k: ember.tensor(_np(v)) for k, v in src.state_dict().items()})
    assert not em.has_uninitialized_params() and type(em).__name__ == type(tm).__name__
    assert repr(em) == repr(tm)          # in_channels / num_features stay 0 until a forward (as PyTorch)
    for (n, a), (_, b) in zip(em.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_array_equal(_np(a), _np(b), err_msg=n)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    tm.eval(), em.eval()
    np.testing.assert_allclose(_np(em(ember.tensor(x))), _np(tm(torch.tensor(x))), atol=1e-5, rtol=1e-4)
    assert type(em).__name__ == type(tm).__name__ and repr(em) == repr(tm)


def test_lazy_init_distribution():
    def conv(nn):
        m = nn.LazyConv2d(8, 3)
        m(ember.zeros(1, 4, 5, 5) if nn is ember.nn else torch.zeros(1, 4, 5, 5))
        return m
    init_matches(conv)


# ---------------------------------------------------------------- SyncBatchNorm on two MPI ranks

SYNC_SCRIPT = r'''
import sys, traceback
import numpy as np
from mpi4py import MPI
import ember
import ember.distributed as dist
try:
    dist.init_process_group('mpi')
    r = dist.get_rank()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 3, 4)).astype(np.float64)
    g = rng.standard_normal((6, 3, 4)).astype(np.float64)
    rows = slice(0, 2) if r == 0 else slice(2, 6)           # unequal shares: counts must be summed
    def make(cls):
        m = cls(3).double()
        with ember.no_grad():
            m.weight.copy_(ember.tensor([1.0, 2.0, 0.5], dtype=ember.float64))
            m.bias.copy_(ember.tensor([0.1, -0.2, 0.3], dtype=ember.float64))
        return m
    ref, sync = make(ember.nn.BatchNorm1d), make(ember.nn.SyncBatchNorm)
    xr, xs = ember.tensor(x, requires_grad=True), ember.tensor(x[rows], requires_grad=True)
    out_r, out_s = ref(xr), sync(xs)
    out_r.backward(ember.tensor(g))
    out_s.backward(ember.tensor(g[rows]))
    close = lambda a, b: np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-10)
    close(out_s, out_r[rows])
    close(xs.grad, xr.grad[rows])
    for name in ('running_mean', 'running_var', 'num_batches_tracked'):
        close(getattr(sync, name), getattr(ref, name))
    for p, q in zip(sync.parameters(), ref.parameters()):   # local parameter grads sum to the full ones
        total = p.grad.clone()
        dist.all_reduce(total)
        close(total, q.grad)
    sync.eval()
    close(sync(xs), ref.eval()(xr)[rows])
    print(f'SYNC ok rank={r}', flush=True)
    dist.destroy_process_group()
except Exception:
    traceback.print_exc()
    sys.stdout.flush()
    MPI.COMM_WORLD.Abort(1)
'''


def test_sync_batchnorm_two_ranks(tmp_path):
    import os
    import subprocess
    import sys
    pytest.importorskip('mpi4py')
    mpiexec = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    if not os.path.exists(mpiexec):
        pytest.skip('no mpiexec next to the Python executable')
    script = tmp_path / 'sync_bn.py'
    script.write_text(SYNC_SCRIPT)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.path.join(root, 'src'), OMPI_ALLOW_RUN_AS_ROOT='1',
               OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1', OMP_NUM_THREADS='1')
    r = subprocess.run([mpiexec, '-n', '2', '--oversubscribe', sys.executable, str(script)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert 'SYNC ok rank=0' in r.stdout and 'SYNC ok rank=1' in r.stdout, (r.stdout + r.stderr)[-3000:]
