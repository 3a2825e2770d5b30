"""Convolutions against PyTorch: F.conv1d/2d/3d and F.conv_transpose1d/2d/3d forward, input/
weight/bias gradients, gradcheck and gradgradcheck in float64, and the common errors."""
import numpy as np
import pytest
import torch

import ember

from helpers import check, check_error, case, ints

F32 = np.float32


def conv(nd, **kw):
    return lambda T, x, w: getattr(T.nn.functional, f'conv{nd}d')(x, w, **kw)


def conv_b(nd, **kw):
    return lambda T, x, w, b: getattr(T.nn.functional, f'conv{nd}d')(x, w, b, **kw)


def convt(nd, **kw):
    return lambda T, x, w: getattr(T.nn.functional, f'conv_transpose{nd}d')(x, w, **kw)


def convt_b(nd, **kw):
    return lambda T, x, w, b: getattr(T.nn.functional, f'conv_transpose{nd}d')(x, w, b, **kw)


CONV = [
    case('1d', conv(1), [(2, 3, 7), (4, 3, 3)]),
    case('1d-bias-stride-pad', conv_b(1, stride=2, padding=1), [(2, 3, 8), (4, 3, 3), (4,)]),
    case('1d-dilation', conv(1, dilation=2), [(1, 2, 9), (3, 2, 3)]),
    case('1d-unbatched', conv(1), [(3, 7), (4, 3, 3)]),
    case('2d', conv(2), [(2, 3, 6, 5), (4, 3, 3, 3)]),
    case('2d-bias', conv_b(2), [(2, 3, 6, 5), (4, 3, 3, 3), (4,)]),
    case('2d-stride-pad', conv_b(2, stride=2, padding=1), [(2, 3, 7, 6), (4, 3, 3, 3), (4,)]),
    case('2d-asym', conv(2, stride=(2, 1), padding=(0, 2), dilation=(1, 2)), [(1, 2, 7, 6), (3, 2, 3, 2)]),
    case('2d-groups', conv_b(2, groups=2), [(2, 4, 5, 5), (6, 2, 3, 3), (6,)]),
    case('2d-depthwise', conv(2, groups=4, padding=1), [(1, 4, 5, 5), (4, 1, 3, 3)]),
    case('2d-same-odd', conv(2, padding='same'), [(1, 2, 5, 6), (3, 2, 3, 3)]),
    case('2d-same-even', conv(2, padding='same'), [(1, 2, 5, 6), (3, 2, 4, 2)]),
    case('2d-same-dilated', conv(2, padding='same', dilation=2), [(1, 2, 6, 6), (3, 2, 2, 3)]),
    case('2d-valid', conv(2, padding='valid'), [(1, 2, 5, 6), (3, 2, 3, 3)]),
    case('2d-1x1', conv(2), [(2, 3, 4, 4), (5, 3, 1, 1)]),
    case('2d-kernel-equals-input', conv(2), [(2, 3, 3, 3), (5, 3, 3, 3)]),
    case('2d-unbatched', conv_b(2, padding=1), [(2, 4, 4), (3, 2, 3, 3), (3,)]),
    case('2d-noncontiguous', lambda T, x, w: T.nn.functional.conv2d(x.transpose(2, 3), w),
         [(1, 2, 4, 5), (3, 2, 2, 2)]),
    case('2d-float64', conv(2, padding=1), [(1, 2, 4, 4), (3, 2, 3, 3)], dtype=np.float64),
    case('2d-int', conv(2), [ints((1, 2, 4, 4)), ints((3, 2, 2, 2))]),
    case('2d-empty-batch', conv(2), [(0, 3, 5, 5), (4, 3, 3, 3)], gradcheck=False),
    case('3d', conv_b(3, padding=1), [(1, 2, 3, 3, 2), (2, 2, 2, 2, 2), (2,)]),
    case('3d-stride', conv(3, stride=2), [(1, 2, 5, 5, 5), (2, 2, 3, 3, 3)]),
    case('t1d', convt(1), [(2, 3, 5), (3, 4, 3)]),
    case('t1d-stride-outpad', convt_b(1, stride=2, padding=1, output_padding=1), [(2, 3, 5), (3, 4, 3), (4,)]),
    case('t2d', convt(2), [(2, 3, 4, 4), (3, 2, 3, 3)]),
    case('t2d-bias-stride', convt_b(2, stride=2, padding=1), [(2, 3, 4, 3), (3, 2, 3, 3), (2,)]),
    case('t2d-outpad-dilation', convt(2, stride=2, output_padding=1, dilation=2), [(1, 2, 3, 3), (2, 2, 2, 2)]),
    case('t2d-groups', convt_b(2, groups=2, stride=2), [(1, 4, 3, 3), (4, 3, 2, 2), (6,)]),
    case('t2d-unbatched', convt(2), [(3, 4, 4), (3, 2, 3, 3)]),
    case('t3d', convt(3, stride=(1, 2, 1)), [(1, 2, 3, 3, 2), (2, 2, 2, 2, 2)]),
]


# gradgradcheck is slow (finite differences of a backward); these small cases cover the
# double-backward ops (transposed conv and ConvWeight) for plain, strided, grouped, transposed and 3-d
GRADGRAD = {'1d-bias-stride-pad', '2d-asym', 't2d-bias-stride', 't2d-groups'}


@pytest.mark.parametrize('fn,specs,kw', CONV)
def test_conv(fn, specs, kw, request):
    kw = dict(kw)
    kw.setdefault('gradgrad', request.node.callspec.id in GRADGRAD)
    check(fn, specs, **kw)


def test_conv_double_backward_through_input_grad():
    # the gradient of a conv, differentiated again (as in gradient penalties)
    import ember
    import torch
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    res = []
    for T in (torch, ember):
        x = T.tensor(x0, requires_grad=True)
        w = T.tensor(w0, requires_grad=True)
        y = T.nn.functional.conv2d(x, w, stride=2, padding=1)
        gx, = T.autograd.grad((y ** 2).sum(), x, create_graph=True)
        (gx ** 2).sum().backward()
        res.append((x.grad.detach().cpu().numpy(), w.grad.detach().cpu().numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-10)


ERRORS = [
    case('channels', conv(2), [(1, 3, 8, 8), (6, 1, 5, 5)]),
    case('input-dims', conv(2), [(8, 8), (6, 1, 3, 3)]),
    case('kernel-too-big', conv(2), [(1, 1, 3, 3), (6, 1, 5, 5)]),
    case('groups-channels', conv(2, groups=3), [(1, 4, 8, 8), (6, 2, 3, 3)]),
    case('groups-weight', conv(2, groups=4), [(1, 8, 8, 8), (6, 2, 3, 3)]),
    case('same-strided', conv(2, padding='same', stride=2), [(1, 2, 8, 8), (6, 2, 3, 3)]),
    case('bad-padding-string', conv(2, padding='foo'), [(1, 2, 8, 8), (6, 2, 3, 3)]),
    case('bias-size', conv_b(2), [(1, 4, 8, 8), (6, 4, 3, 3), (5,)]),
    case('stride-zero', conv(2, stride=0), [(1, 4, 8, 8), (6, 4, 3, 3)]),
    case('padding-negative', conv(2, padding=-1), [(1, 4, 8, 8), (6, 4, 3, 3)]),
    case('dtype', conv(2), [np.zeros((1, 4, 8, 8)), np.zeros((6, 4, 3, 3), F32)]),
    # with a bias, PyTorch names the input and bias C++ types (the common model.double() mistake)
    case('dtype-input-bias', conv_b(2), [np.zeros((1, 4, 8, 8)), np.zeros((6, 4, 3, 3), F32), np.zeros(6, F32)]),
    case('dtype-bias-only', conv_b(2), [np.zeros((1, 4, 8, 8), F32), np.zeros((6, 4, 3, 3), F32), np.zeros(6)]),
    case('dtype-half-input', conv_b(1), [np.zeros((1, 4, 8), np.float16), np.zeros((6, 4, 3), F32),
                                        np.zeros(6, F32)]),
    case('dtype-int-input', conv_b(2), [np.zeros((1, 4, 8, 8), np.int64), np.zeros((6, 4, 3, 3), F32),
                                       np.zeros(6, F32)]),
    case('t-dtype-bias', convt_b(2), [np.zeros((1, 4, 8, 8)), np.zeros((4, 2, 3, 3), F32), np.zeros(2, F32)]),
    case('weight-dims', conv(2), [(1, 4, 8, 8), (6, 4, 3)]),
    case('t-output-padding', convt(2, stride=2, output_padding=2), [(1, 4, 8, 8), (4, 2, 3, 3)]),
    case('t-channels', convt(2), [(1, 3, 8, 8), (4, 2, 3, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_conv_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


@pytest.mark.parametrize('fn,specs,kw', [c for c in CONV if c.id in ('2d-stride-pad', '2d-groups', '1d-dilation',
                                                                  '3d-stride', 't2d-bias-stride')])
def test_conv_in_cache_blocks(fn, specs, kw, monkeypatch):
    """Large convolutions copy patches in cache-sized blocks: force blocks on small inputs."""
    from ember._backend import im2col, conv_grid
    monkeypatch.setattr(im2col, '_CHUNK_BYTES', 64)
    monkeypatch.setattr(conv_grid, '_CHUNK_BYTES', 64)
    check(fn, specs, **dict(kw, gradgrad=False))


@pytest.mark.parametrize('chunk', [1 << 20, 64])
@pytest.mark.parametrize('waste', [0, 1e9])
@pytest.mark.parametrize("fn,specs,kw", [c for c in CONV if "int" not in c.id and "empty" not in c.id])
def test_conv_paths(fn, specs, kw, waste, chunk, monkeypatch):
    """Stride-1 convolutions run on the padded grid when little is wasted, else by im2col;
    small feature maps take the channels-last path: force the grid/im2col choice (and, on the
    grid, blocks within one image) with the channels-last path off."""
    from ember._backend import conv_grid, conv_cl
    monkeypatch.setattr(conv_cl, '_MAX_POSITIONS', 0)
    monkeypatch.setattr(conv_grid, '_MAX_WASTE', waste)
    monkeypatch.setattr(conv_grid, '_CHUNK_BYTES', chunk)
    check(fn, specs, **dict(kw, gradgrad=False))


@pytest.mark.parametrize('chunk', [1 << 20, 64])
@pytest.mark.parametrize("fn,specs,kw", [c for c in CONV if "int" not in c.id])
def test_conv_channels_last_path(fn, specs, kw, chunk, monkeypatch):
    """Every case through the channels-last path wherever it applies (groups 1, a kernel
    larger than 1), whole and in blocks of images; double backward included."""
    from ember._backend import conv_cl
    monkeypatch.setattr(conv_cl, '_MAX_POSITIONS', 1 << 30)
    monkeypatch.setattr(conv_cl, '_MIN_CHANNELS', (0, 0))
    monkeypatch.setattr(conv_cl, '_CHUNK_BYTES', chunk)
    check(fn, specs, **kw)


@pytest.mark.cpu_only       # CuPy has no bfloat16: a CPU-only dtype in ember
@pytest.mark.parametrize('name', ['conv2d', 'conv_transpose2d', 'conv1d'])
def test_bfloat16_convolutions_stay_bfloat16(name):
    """bfloat16 convolutions (and their gradients) are bfloat16, as in PyTorch."""
    rng = np.random.default_rng(0)
    nd = 1 if name == 'conv1d' else 2
    x = rng.standard_normal((2, 3) + (6,) * nd).astype(np.float32)
    w = rng.standard_normal((3, 4) + (3,) * nd).astype(np.float32)
    outs = []
    for T in (torch, ember):
        xt = T.tensor(x).to(T.bfloat16).requires_grad_()
        wt = T.tensor(w if name == 'conv_transpose2d' else w.swapaxes(0, 1).copy()).to(T.bfloat16).requires_grad_()
        y = getattr(T.nn.functional, name)(xt, wt, stride=2 if nd == 2 else 1)
        y.float().sum().backward()
        assert str(y.dtype).endswith('bfloat16') and str(xt.grad.dtype).endswith('bfloat16')
        assert str(wt.grad.dtype).endswith('bfloat16')
        outs.append(np.asarray(y.float().tolist()))
    np.testing.assert_allclose(outs[1], outs[0], rtol=2e-2, atol=5e-2)


def test_same_padding_with_odd_total_warns_once(monkeypatch):
    """padding='same' needing uneven padding warns once per process (PyTorch's TORCH_WARN_ONCE);
    torch's own once-flag is spent by earlier tests, so its text is checked in a fresh interpreter."""
    import subprocess
    import sys
    import warnings
    from ember.ops import conv as C
    code = ('import warnings, torch\nwith warnings.catch_warnings(record=True) as w:\n'
            '    warnings.simplefilter("always")\n'
            '    torch.nn.functional.conv1d(torch.ones(1, 1, 9), torch.ones(1, 1, 4), padding="same")\n'
            'print(str(w[0].message).split(" (Triggered")[0])')
    torch_msg = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True).stdout.strip()
    monkeypatch.setattr(C, '_warned', [])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        ember.nn.functional.conv1d(ember.ones(1, 1, 9), ember.ones(1, 1, 3), padding='same')
        ember.nn.functional.conv1d(ember.ones(1, 1, 9), ember.ones(1, 1, 4), padding='same', dilation=2)
        assert not w
        ember.nn.Conv1d(1, 1, 4, padding='same')(ember.ones(1, 1, 8))
        ember.nn.functional.conv1d(ember.ones(1, 1, 9), ember.ones(1, 1, 4), padding='same')
    assert [str(m.message) for m in w] == [torch_msg] and w[0].category is UserWarning
