"""Differences a third survey against PyTorch found in nn ops (pooling, normalization, RNN,
softmax, transposed convolution, resampling, activations, embedding bags, stray warnings)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import case, check


def _err(fn):
    try:
        fn()
    except Exception as e:          # noqa: BLE001 - the type is what is compared
        return type(e).__name__, str(e).splitlines()[0].replace('torch.', 'ember.')
    return None


def _same_error(fn):
    want = _err(lambda: fn(torch))
    assert want is not None, 'torch did not raise'
    assert _err(lambda: fn(ember)) == want


# ---- unbatched pooling: forward, backward and gradcheck (the divisor lost an axis once)
POOL_UNBATCHED = [
    case('avg1d-ceil', lambda T, x: T.nn.functional.avg_pool1d(x, 2, ceil_mode=True), [(2, 5)]),
    case('avg1d-nopad', lambda T, x: T.nn.functional.avg_pool1d(x, 3, 2, 1, count_include_pad=False), [(2, 6)]),
    case('avg2d-ceil', lambda T, x: T.nn.functional.avg_pool2d(x, 2, ceil_mode=True), [(1, 5, 5)]),
    case('avg2d-nopad', lambda T, x: T.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad=False), [(2, 4, 5)]),
    case('avg2d-ceil-nopad', lambda T, x: T.nn.functional.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                                      count_include_pad=False), [(1, 6, 5)]),
    case('avg2d-divisor', lambda T, x: T.nn.functional.avg_pool2d(x, 2, divisor_override=3), [(1, 4, 4)]),
    case('avg3d-ceil', lambda T, x: T.nn.functional.avg_pool3d(x, 2, ceil_mode=True), [(1, 3, 4, 5)]),
    case('avg3d-nopad', lambda T, x: T.nn.functional.avg_pool3d(x, 3, 2, 1, count_include_pad=False), [(1, 3, 4, 5)]),
    case('max1d', lambda T, x: T.nn.functional.max_pool1d(x, 2, ceil_mode=True), [(2, 5)]),
    case('max2d', lambda T, x: T.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True), [(2, 5, 4)]),
    case('max2d-idx', lambda T, x: T.nn.functional.max_pool2d(x, 2, return_indices=True), [(2, 4, 4)]),
    case('max3d', lambda T, x: T.nn.functional.max_pool3d(x, 2, 1, 1, ceil_mode=True), [(1, 3, 3, 4)]),
    case('lp1d', lambda T, x: T.nn.functional.lp_pool1d(x, 2, 2, ceil_mode=True), [(2, 5)]),
    case('lp2d', lambda T, x: T.nn.functional.lp_pool2d(x, 2, 2, ceil_mode=True), [(1, 5, 5)]),
    case('lp3d', lambda T, x: T.nn.functional.lp_pool3d(x, 2, 2, ceil_mode=True), [(1, 3, 3, 5)]),
    case('adavg1d', lambda T, x: T.nn.functional.adaptive_avg_pool1d(x, 3), [(2, 5)]),
    case('adavg2d', lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, (2, 3)), [(2, 5, 4)]),
    case('adavg3d', lambda T, x: T.nn.functional.adaptive_avg_pool3d(x, 2), [(1, 3, 4, 5)]),
    case('admax1d', lambda T, x: T.nn.functional.adaptive_max_pool1d(x, 3), [(2, 5)]),
    case('admax2d', lambda T, x: T.nn.functional.adaptive_max_pool2d(x, (2, 3), return_indices=True), [(2, 5, 4)]),
    case('admax3d', lambda T, x: T.nn.functional.adaptive_max_pool3d(x, 2), [(1, 3, 4, 5)]),
    case('unpool2d', lambda T, x: T.nn.functional.max_unpool2d(*T.nn.functional.max_pool2d(
        x, 2, return_indices=True), 2), [(2, 4, 4)]),
    case('unpool1d', lambda T, x: T.nn.functional.max_unpool1d(*T.nn.functional.max_pool1d(
        x, 2, return_indices=True), 2), [(2, 6)]),
    case('unpool3d', lambda T, x: T.nn.functional.max_unpool3d(*T.nn.functional.max_pool3d(
        x, 2, return_indices=True), 2), [(1, 2, 4, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', POOL_UNBATCHED)
def test_pool_unbatched(fn, specs, kw):
    check(fn, specs, **kw)


def test_avg_pool_unbatched_grad_values():
    for T in (torch, ember):
        x = T.ones(1, 5, 5, requires_grad=True)
        T.nn.functional.avg_pool2d(x, 2, ceil_mode=True).sum().backward()
        assert x.grad[0, -1].tolist() == [0.5, 0.5, 0.5, 0.5, 1.0]


# ---- one outcome compared: the exception (type, first line) or the result's shape, dtype,
# grad_fn name and values; and the warnings raised (under an 'always' filter)

def _summary(v):
    if isinstance(v, (tuple, list)):
        return [_summary(x) for x in v]
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        gf = v.grad_fn
        vals = v.detach().double().numpy() if v.dtype not in (torch.bool, ember.bool) else v.numpy()
        return (tuple(v.shape), str(v.dtype).split('.')[-1], gf.name() if gf is not None else None, vals)
    return v


def _outcome(fn, lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            res = ('ok', _summary(fn(lib)))
        except Exception as e:          # noqa: BLE001 - the type is what is compared
            res = ('exc', type(e).__name__, str(e).splitlines()[0].replace('torch.', 'ember.') if str(e) else '')
    return res, sorted({(x.category.__name__, str(x.message).split('\n')[0].split(' (Trig')[0]) for x in w})


def _close(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, tuple) and len(a) == 4 and isinstance(a[3], np.ndarray):
        return a[:3] == b[:3] and a[3].shape == b[3].shape and np.allclose(a[3], b[3], 1e-4, 1e-5, equal_nan=True)
    return a == b


def same_outcome(fn):
    (rt, wt), (re_, we) = _outcome(fn, torch), _outcome(fn, ember)
    assert rt[0] == re_[0] and (_close(rt[1], re_[1]) if rt[0] == 'ok' else rt == re_), f'torch {rt}\nember {re_}'
    assert wt == [(c, m.replace('torch.', 'ember.')) for c, m in we] or \
        [(c, m.replace('torch.', 'ember.')) for c, m in wt] == we, f'warnings: torch {wt}\nember {we}'


def _bw(make, *shape, **kw):
    """Output of make(T)(x) and x.grad after backward of its sum (x = ones(shape))."""
    def f(T):
        x = T.ones(*shape, requires_grad=True)
        y = make(T)(x, **kw)
        y = y[0] if isinstance(y, tuple) else y
        (y * 2).sum().backward()
        return y, x.grad
    return f


def _mha(T):
    """A length-0 sequence through MultiheadAttention (the softmax runs over an empty dim)."""
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(4, 2)
    m = tm if T is torch else ember.nn.MultiheadAttention(4, 2)
    if T is ember:
        m.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    q = T.ones(0, 2, 4, requires_grad=True)
    out, w = m(q, q, q)
    out.sum().backward()
    return out, w, q.grad


F_ = lambda T: T.nn.functional   # noqa: E731


def _stats(make, x_shape, rg=False):
    def f(T):
        m = make(T)
        x = T.ones(*x_shape, requires_grad=rg)
        y = m(x)
        out = [y, m.running_mean, m.running_var] if getattr(m, 'running_mean', None) is not None else [y]
        if rg:
            y.sum().backward()
            out += [x.grad] + [p.grad for p in m.parameters()]
        return out
    return f


NORM = [
    _stats(lambda T: T.nn.BatchNorm1d(3), (0, 3), rg=True),
    _stats(lambda T: T.nn.BatchNorm2d(3), (0, 3, 2, 2), rg=True),
    _stats(lambda T: T.nn.BatchNorm1d(3), (2, 3, 0)),
    _stats(lambda T: T.nn.BatchNorm1d(3, affine=False), (0, 3), rg=True),
    _stats(lambda T: T.nn.InstanceNorm1d(3), (0, 3, 4)),
    _stats(lambda T: T.nn.InstanceNorm1d(3, track_running_stats=True), (0, 3, 4)),
    _stats(lambda T: T.nn.InstanceNorm1d(3, affine=True), (0, 3, 4)),
    _stats(lambda T: T.nn.InstanceNorm2d(3), (2, 3, 1, 1)),
    _stats(lambda T: T.nn.InstanceNorm1d(3), (3, 1)),
    _stats(lambda T: T.nn.BatchNorm1d(3), (1, 3)),
    _stats(lambda T: T.nn.GroupNorm(1, 3), (0, 3, 2), rg=True),
    _stats(lambda T: T.nn.GroupNorm(1, 3), (2, 3, 0), rg=True),
    _stats(lambda T: T.nn.GroupNorm(3, 3), (0, 3)),
    _stats(lambda T: T.nn.LayerNorm(3), (0, 3), rg=True),
    lambda T: T.nn.functional.instance_norm(T.ones(3, 1)),
    lambda T: T.nn.functional.instance_norm(T.ones(0, 3, 4), T.zeros(3), None, use_input_stats=False),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 3), None, T.ones(5)),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 3), T.ones(5), None),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 3), T.ones(3), None),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 3, dtype=T.int64), None, None),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 3, dtype=T.int64), None, None, training=True),
    lambda T: T.nn.functional.batch_norm(T.ones(0, 3, dtype=T.int64), None, None, training=True),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 0), None, None, training=True),
    lambda T: T.nn.functional.batch_norm(T.ones(1, 0, 1), None, None, training=True),
    lambda T: T.nn.functional.batch_norm(T.ones(0, 3), None, None, T.ones(3, requires_grad=True),
                                         T.ones(3, requires_grad=True), training=True),
]


@pytest.mark.parametrize('fn', NORM)
def test_norm_empty_and_errors(fn):
    same_outcome(fn)


RNN = [_bw(lambda T, c=c, kw=kw: (T.manual_seed(0), getattr(T.nn, c)(3, 2, **kw))[1], *shape)
       for c in ('LSTM', 'GRU', 'RNN')
       for shape, kw in (((4, 0, 3), {}), ((0, 4, 3), dict(batch_first=True, num_layers=2, bidirectional=True)))]


@pytest.mark.parametrize('fn', RNN)
def test_rnn_empty_batch(fn):
    t, e = fn(torch), fn(ember)
    assert [tuple(v.shape) for v in t] == [tuple(v.shape) for v in e]


def test_lstm_layer_empty_batch():
    from ember.ops.rnn_fused import lstm_layer
    x = ember.ones(4, 0, 3, requires_grad=True)
    w = [ember.ones(8, 3, requires_grad=True), ember.ones(8, 2, requires_grad=True), ember.zeros(8), ember.zeros(8)]
    out, h, c = lstm_layer(x, *w, ember.zeros(0, 2), ember.zeros(0, 2))
    out.sum().backward()
    assert tuple(out.shape) == (4, 0, 2) and tuple(x.grad.shape) == (4, 0, 3) and w[0].grad.abs().sum().item() == 0


SOFTMAX_CONV = [
    _bw(lambda T: lambda x: T.nn.functional.softmax(x, dim=0), 0, 3),
    _bw(lambda T: lambda x: T.nn.functional.log_softmax(x, dim=1), 0, 3),
    _bw(lambda T: lambda x: T.nn.functional.softmin(x, dim=1), 2, 0),
    lambda T: T.nn.functional.softmax(T.ones(0, 3, dtype=T.int64), dim=0),
    lambda T: T.nn.functional.log_softmax(T.ones(0, 3, dtype=T.bool), dim=0),
    lambda T: T.nn.functional.softmax(T.ones(2, 3, dtype=T.int64), dim=0),
    lambda T: T.nn.functional.softmax(T.ones(0, 3, dtype=T.float16), dim=0),
    _mha,
] + [_bw(lambda T, tr=tr, nd=nd, args=args, kw=kw: getattr(T.nn, f'Conv{tr}{nd}d')(*args, **kw), *shape)
     for tr in ('', 'Transpose')
     for nd, args, kw, shape in ((1, (2, 4, 3), dict(stride=2), (0, 2, 5)), (2, (2, 2, 2), {}, (0, 2, 3, 3)),
                                 (2, (4, 4, 3), dict(groups=2, stride=2, padding=1, dilation=2), (0, 4, 5, 5)),
                                 (3, (2, 2, 2), dict(stride=2), (0, 2, 3, 3, 3)),
                                 (2, (16, 16, 3), dict(padding=1), (0, 16, 32, 32)))] + [
    lambda T: T.nn.functional.conv_transpose2d(T.ones(2, 2, 0, 6), T.ones(2, 3, 1, 1)),
    lambda T: T.nn.functional.conv_transpose1d(T.ones(2, 0), T.ones(2, 3, 1)),
    lambda T: T.nn.functional.conv_transpose2d(T.ones(2, 0, 3, 6), T.ones(0, 3, 1, 1)),
]


@pytest.mark.parametrize('fn', SOFTMAX_CONV)
def test_softmax_conv_empty(fn):
    same_outcome(fn)


def _x(T, *shape, dtype=None):
    n = int(np.prod(shape))
    x = T.arange(float(n)).reshape(shape)
    return x.to(getattr(T, dtype)) if dtype else x.requires_grad_()


I = lambda T: T.nn.functional.interpolate     # noqa: E731
RESAMPLE = [
    lambda T: I(T)(T.ones(1, 2, 4), size=0),
    lambda T: I(T)(T.ones(1, 2, 4, 5), size=(0, 3), mode='bilinear'),
    lambda T: I(T)(T.ones(1, 2, 4, 5, 3), size=(0, 3, 1)),
    lambda T: I(T)(T.ones(1, 2, 4, 5), size=(0, 3), mode='area'),
    lambda T: I(T)(T.ones(1, 2, 4, 5), size=(-1, 3)),
    lambda T: I(T)(T.ones(1, 2, 0, 5), size=(2, 3)),
    lambda T: I(T)(T.ones(0, 2, 4, 5), size=(2, 3)),
    lambda T: I(T)(T.ones(1, 2, 4, 5), scale_factor=0.1),
    lambda T: I(T)(T.ones(1, 2, 3), size=(2, 2), mode='bilinear'),
    lambda T: I(T)(T.ones(1, 2, 3), size=[2, 2]),
    lambda T: I(T)(T.ones(1, 2, 3), scale_factor=(2, 2)),
    lambda T: I(T)(T.ones(1, 2, 3), size=(2.0,)),
    lambda T: I(T)(T.ones(1, 2, 3), size=(2,), recompute_scale_factor=True),
    lambda T: I(T)(T.ones(1, 2, 3), size=2, mode='bicubic'),
    lambda T: I(T)(T.ones(1, 2, 3), size=2, mode='foo'),
    lambda T: I(T)(T.ones(2, 5), size=3),
    lambda T: I(T)(T.ones(1, 2, 3, 4, 5, 6), size=2),
    lambda T: I(T)(T.ones(2, 5), size=3, antialias=True),
    lambda T: I(T)(T.ones(1, 2, 3), size=(2, 2), mode='linear', antialias=True),
    lambda T: I(T)(T.ones(1, 2, 3, 4), size=2, mode='linear'),
    lambda T: I(T)(T.ones(1, 2, 3, 3), size=2, mode='lanczos'),
    lambda T: I(T)(T.ones(1, 2, 3, 3), size=2, mode='lanczos', align_corners=True),
    lambda T: I(T)(_x(T, 1, 2, 6, 8), size=(3, 5), mode='lanczos', antialias=True),
    lambda T: I(T)(_x(T, 1, 2, 6, 8), scale_factor=(0.7, 1.3), mode='lanczos', antialias=True),
    lambda T: I(T)(_x(T, 1, 1, 6, 8, dtype='uint8'), size=(3, 5), mode='lanczos', antialias=True),
    lambda T: I(T)(_x(T, 1, 1, 6, 8, dtype='int64'), size=(3, 5), mode='lanczos', antialias=True),
    lambda T: I(T)(_x(T, 1, 2, 4), size=2, mode='area'),
    lambda T: I(T)(_x(T, 1, 2, 4), size=1, mode='area'),
    lambda T: I(T)(_x(T, 1, 2, 4, 4, 4), size=(2, 1, 3), mode='area'),
    lambda T: I(T)(T.ones(1, 2, 3, 4, dtype=T.int64), size=2, mode='area'),
    lambda T: I(T)(T.ones(1, 2, 3, 4, dtype=T.complex64), size=1, mode='area'),
    lambda T: I(T)(T.ones(1, 2, 3, dtype=T.int64), size=1, mode='area'),
    lambda T: T.nn.functional.pixel_shuffle(T.ones(8, 3), 2),
    lambda T: T.nn.functional.pixel_unshuffle(T.ones(8, 3), 2),
    lambda T: T.nn.functional.pixel_shuffle(T.ones(8, 3, 3), 0),
    lambda T: T.nn.functional.pixel_unshuffle(T.ones(8, 4, 4), -1),
    lambda T: T.nn.functional.pixel_shuffle(T.ones(8, 3, 3), 2.0),
    # activations
    lambda T: T.nn.functional.hardtanh(T.ones(2), 0.5, 0.3),
    lambda T: T.nn.functional.hardtanh(T.ones(2, dtype=T.int64), 5, 3),
    lambda T: T.nn.functional.hardtanh(T.ones(2), 0.5, 0.3, inplace=True),
    lambda T: T.nn.functional.softshrink(T.ones(2), -0.5),
    lambda T: T.nn.functional.softshrink(T.ones(2, dtype=T.float64), float('inf')),
    lambda T: T.nn.functional.softshrink(T.ones(2, dtype=T.float16), float('nan')),
    lambda T: T.nn.functional.softshrink(T.ones(2, dtype=T.bfloat16), 1e39),
    lambda T: T.nn.functional.softshrink(T.ones(2, dtype=T.int64), -0.5),
    lambda T: T.nn.functional.softshrink(T.ones(2), 0.123456789),
    # dropout1d/3d run unbatched input with a batch dim (SqueezeBackward1); fold/unfold errors
    lambda T: T.nn.functional.dropout1d(T.ones(2, 4, requires_grad=True), 0.5, training=False),
    lambda T: T.nn.functional.dropout3d(T.ones(2, 4, 3, 3, requires_grad=True), 0.5, training=False),
    lambda T: T.nn.functional.dropout3d(T.ones(2, 4, 3, requires_grad=True), 0.5, training=False),
    lambda T: T.nn.functional.dropout1d(T.ones(2, 4, requires_grad=True), 1.0, training=True),
    lambda T: T.nn.functional.fold(T.ones(1, 5, 4), (3, 3), 2),
    lambda T: T.nn.functional.fold(T.ones(2, 4, 4, 4), (3, 3), 2),
    lambda T: T.nn.functional.fold(T.ones(1, 0, 4), (3, 3), 2),
    lambda T: T.nn.functional.fold(T.ones(0, 4, 4), (3, 3), 2),
    lambda T: T.nn.functional.unfold(T.ones(1, 1, 3, 3), 4),
    lambda T: T.nn.functional.unfold(T.ones(3, 3), 2),
    lambda T: T.nn.functional.unfold(T.ones(1, 0, 3, 3), 2),
    lambda T: T.nn.functional.unfold(T.ones(0, 1, 3, 3), 2),
]


@pytest.mark.parametrize('fn', RESAMPLE)
def test_resample_activation_fold(fn):
    same_outcome(fn)


W_ = lambda T: T.ones(6, 3)     # noqa: E731
BAG = [
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([1, 2])),
    lambda T: T.nn.EmbeddingBag(6, 3)(T.tensor([1, 2, 4]), T.tensor([1, 2])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0, 5])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0, 4]), include_last_offset=True),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), None, mode='foo'),
    lambda T: T.nn.functional.embedding_bag(T.tensor([[1, 2, 4]]), W_(T), T.tensor([0]), mode='foo'),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([[0]])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), T.ones(6), T.tensor([0])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0]), per_sample_weights=T.ones(2)),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0]), mode='max',
                                            scale_grad_by_freq=True),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0]), mode='max', sparse=True),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 9]), W_(T), T.tensor([0])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1., 2, 4]), W_(T), T.tensor([0])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0.])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([], dtype=T.long)),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0]), include_last_offset=True),
    lambda T: T.nn.functional.embedding_bag(W_(T), T.tensor([1, 2, 4]), T.tensor([0])),
    lambda T: T.nn.functional.embedding_bag(T.tensor([1, 2, 4]), W_(T), T.tensor([0, 1]), mode='max',
                                            include_last_offset=True),
]


@pytest.mark.parametrize('fn', BAG)
def test_embedding_bag_checks(fn):
    same_outcome(fn)


def _clip(grad, **kw):
    def f(T):
        p = T.nn.Parameter(T.ones(2))
        p.grad = T.tensor(grad)
        return T.nn.utils.clip_grad_norm_([p], 1.0, **kw), p.grad
    return f


WARNS = [   # PyTorch computes these non-finite values silently
    _clip([float('inf'), 1.]),
    _clip([0., 1.], norm_type=-1),
    lambda T: T.nn.functional.kl_div(T.ones(0, 3), T.ones(0, 3), reduction='batchmean'),
]


@pytest.mark.parametrize('fn', WARNS)
def test_no_stray_numpy_warnings(fn):
    same_outcome(fn)


def test_local_response_norm_message():
    same_outcome(lambda T: T.nn.functional.local_response_norm(T.ones(2, 3), 2))
