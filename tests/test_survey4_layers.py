"""Survey round 4 (layerfuzz): nearest interpolation's index maps (PyTorch's float32 scale, its 2x
and same-size fast paths in the 2-d forward and every backward), Embedding's backward on a 0-dim
index, EmbeddingBag's frequency scaling and empty max bags, ConvTranspose with output_padding >= stride
and its output-size and output_padding checks, GroupNorm's and BatchNorm's Python-side checks, and
the in-place ELU/CELU backward with a negative alpha. Each program runs on torch and on ember; the
values, grads, grad_fn names, and the errors (type and first line) are compared."""
import numpy as np
import pytest
import torch

import ember


def _plain(v):
    if isinstance(v, (torch.Tensor, ember.Tensor)):
        name = v.grad_fn.name() if v.grad_fn is not None else None
        return ('T', tuple(v.shape), str(v.dtype).split('.')[-1], v.requires_grad, name,
                np.asarray(v.detach().numpy(), dtype=np.float64))
    if isinstance(v, (tuple, list)):
        return tuple(_plain(i) for i in v)
    return v


def outcome(T, prog):
    try:
        return _plain(prog(T, T.nn, T.nn.functional))
    except Exception as e:
        return (type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.'))


def same(prog, atol=1e-5, rtol=1e-4):
    want, got = outcome(torch, prog), outcome(ember, prog)
    _cmp(got, want, atol, rtol)


def _cmp(got, want, atol, rtol):
    if isinstance(want, np.ndarray):
        assert got.shape == want.shape and np.allclose(got, want, atol=atol, rtol=rtol), f'{got}\n!=\n{want}'
    elif isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want), f'ember: {got}\ntorch: {want}'
        for g, w in zip(got, want):
            _cmp(g, w, atol, rtol)
    else:
        assert got == want, f'ember: {got}\ntorch: {want}'


def data(T, shape, seed=0, dtype='float32', grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return T.tensor(a, requires_grad=grad)


# ------------------------------------------------------------------ nearest interpolation (A2)

def _interp(nd, n_in, sf, mode, rsf, dtype):
    def prog(T, nn, F):
        shape = (2, 2) + (3,) * (nd - 1) + (n_in,)
        x = data(T, shape, dtype=dtype)
        o = F.interpolate(x, scale_factor=sf, mode=mode, recompute_scale_factor=rsf)
        o.backward(data(T, tuple(o.shape), seed=1, dtype=dtype, grad=False))
        return o, x.grad
    return prog


@pytest.mark.parametrize('mode', ['nearest', 'nearest-exact'])
@pytest.mark.parametrize('nd', [1, 2, 3])
@pytest.mark.parametrize('rsf', [None, True])
@pytest.mark.parametrize('sf', [2.3, 1.3, 2.05, 0.6, 0.45, 7.7])
def test_nearest_index_map(mode, nd, rsf, sf):
    for n_in in (3, 5, 13):
        for dtype in ('float32', 'float64'):
            same(_interp(nd, n_in, sf, mode, rsf, dtype))


def test_nearest_double_backward_and_module():
    def prog(T, nn, F):
        x = data(T, (1, 1, 3), dtype='float64')
        o = F.interpolate(x, scale_factor=2.3)
        g = data(T, tuple(o.shape), seed=1, dtype='float64')
        gx, = T.autograd.grad(o, x, g, create_graph=True)
        gg, = T.autograd.grad((gx * gx).sum(), g)
        u = nn.Upsample(scale_factor=1.4, mode='nearest')(data(T, (1, 1, 3, 2, 4), seed=2))
        return o, gx, gg, u
    same(prog)


# ------------------------------------------------------------------ Embedding / EmbeddingBag (A1, A4, A5)

@pytest.mark.parametrize('kw', [dict(padding_idx=1), dict(padding_idx=2), dict(scale_grad_by_freq=True),
                                dict(padding_idx=2, scale_grad_by_freq=True)])
@pytest.mark.parametrize('dtype', ['int32', 'int64'])
def test_embedding_zero_dim_index(kw, dtype):
    def prog(T, nn, F):
        w = T.tensor(np.arange(6.).reshape(3, 2), requires_grad=True)
        o = F.embedding(T.tensor(2, dtype=getattr(T, dtype)), w, **kw)
        o.backward(T.tensor([1., 2.]))
        return o, w.grad
    same(prog)


@pytest.mark.parametrize('seed', range(12))
def test_embedding_bag_scale_grad_by_freq(seed):
    rs = np.random.RandomState(seed)
    n, length = rs.randint(2, 8), rs.randint(1, 10)
    idx = rs.randint(0, n, size=length).tolist()
    cuts = sorted(set(rs.randint(1, length + 1, size=rs.randint(0, 3)).tolist()) - {length})
    offs, mode = [0] + cuts, ('sum', 'mean')[seed % 2]
    pad = int(rs.randint(0, n)) if seed % 3 == 0 else None
    w0 = rs.randn(n, 2)

    def prog(T, nn, F):
        w = T.tensor(w0, requires_grad=True)
        o = F.embedding_bag(T.tensor(idx), w, T.tensor(offs), mode=mode, scale_grad_by_freq=True,
                            padding_idx=pad)
        o.backward(T.tensor(np.arange(2. * len(offs)).reshape(-1, 2)))
        return o, w.grad
    same(prog)


def test_embedding_bag_freq_2d_and_survey_case():
    def prog(T, nn, F):
        m = nn.EmbeddingBag(5, 1, scale_grad_by_freq=True, mode='mean')
        m(T.tensor([[1, 1, 2], [2, 3, 1]])).sum().backward()
        return m.weight.grad
    same(prog)


def test_embedding_bag_max_empty_keeps_graph():
    def prog(T, nn, F):
        m = nn.EmbeddingBag(7, 3, mode='max')
        o = m(T.zeros(0, 2, dtype=T.long))
        o.sum().backward()
        return o.requires_grad, o.grad_fn.name(), tuple(o.shape), m.weight.grad
    same(prog)


# ------------------------------------------------------------------ ConvTranspose (A3, B3, C1)

CONVT = [  # (nd, cin, cout, k, stride, padding, output_padding, dilation, groups, x shape)
    (2, 1, 1, 1, 1, 1, 1, 2, 1, (1, 1, 3, 3)),
    (1, 2, 2, 1, 1, 0, 1, 2, 2, (2, 2, 3)),
    (1, 2, 4, 2, 1, 1, 2, 3, 1, (2, 2, 4)),
    (2, 2, 2, (2, 1), (2, 1), (0, 1), (2, 1), (3, 2), 2, (1, 2, 3, 2)),
    (3, 1, 2, 2, (1, 2, 1), 0, (1, 1, 2), (2, 2, 3), 1, (1, 1, 2, 3, 2)),
]


@pytest.mark.parametrize('cfg', CONVT)
def test_conv_transpose_output_padding_below_dilation(cfg):
    nd, cin, cout, k, st, p, op, d, g, xs = cfg

    def prog(T, nn, F):
        T.manual_seed(0)
        w = data(T, (cin, cout // g) + ((k,) * nd if isinstance(k, int) else k), seed=3, dtype='float64')
        x = data(T, xs, dtype='float64')
        conv = getattr(F, f'conv_transpose{nd}d')
        o = conv(x, w, None, st, p, op, g, d)
        gy = data(T, tuple(o.shape), seed=1, dtype='float64')
        gx, gw = T.autograd.grad(o, (x, w), gy, create_graph=True)
        gg = T.autograd.grad((gx * gx).sum() + (gw * gw).sum(), (gy, x, w))
        return o, gx.detach(), gw.detach(), gg      # (double-backward node names: not this test's matter)
    same(prog)


@pytest.mark.parametrize('src', [
    'nn.ConvTranspose1d(1, 1, 1, padding=2)(T.randn(1, 1, 4))',
    'nn.ConvTranspose1d(1, 1, 1, padding=3)(T.randn(1, 1, 4))',
    'nn.ConvTranspose2d(1, 1, 1, padding=(0, 2))(T.randn(1, 1, 3, 4))',
    'nn.ConvTranspose2d(1, 1, 1, padding=(0, 2))(T.randn(1, 3, 4))',
    'nn.ConvTranspose3d(1, 1, 1, padding=(0, 2, 0))(T.randn(1, 1, 3, 4, 2))',
    'nn.ConvTranspose2d(1, 1, 1, padding=(0, 2))(T.randn(0, 1, 3, 4))',
    'nn.ConvTranspose1d(1, 1, 1, output_padding=1, stride=2, padding=2)(T.randn(1, 1, 1))',
    'nn.ConvTranspose1d(1, 1, 1, padding=2, output_padding=3)(T.randn(1, 1, 4))',
    'nn.ConvTranspose1d(1, 1, 1, output_padding=1)(T.randn(1, 1, 4))',
    'nn.ConvTranspose1d(1, 1, 1, output_padding=(1, 1))(T.randn(1, 1, 4))',
    'nn.ConvTranspose2d(1, 1, 1, output_padding=(0, 0, 0))(T.randn(1, 1, 4, 4))',
    'F.conv_transpose1d(T.randn(1, 1, 4), T.randn(1, 1, 1), output_padding=(0, 0))',
    # PyTorch's oneDNN path (float32 here by groups / batch, half types always): 0 is empty, < 0 fails
    'nn.ConvTranspose3d(3, 3, 2, padding=2, groups=3)(T.randn(2, 3, 4, 3, 5))',
    'nn.ConvTranspose3d(3, 3, 2, padding=3, groups=3)(T.randn(2, 3, 4, 3, 5))',
    'nn.ConvTranspose2d(1, 1, 2, padding=2)(T.randn(2, 1, 3, 3))',
    'nn.ConvTranspose2d(1, 1, 2, padding=2).double()(T.randn(2, 1, 3, 3).double())',
    'nn.ConvTranspose1d(1, 1, 2, padding=3).bfloat16()(T.randn(1, 1, 3).bfloat16())',
    'nn.ConvTranspose1d(1, 1, 2, padding=2).half()(T.randn(1, 1, 3).half())',
    'nn.ConvTranspose1d(1, 1, 2, padding=3)(T.randn(1, 1, 3))',
])
def test_conv_transpose_checks(src):
    same(lambda T, nn, F: tuple(eval(src, {'T': T, 'nn': nn, 'F': F}).shape))


# ------------------------------------------------------------------ GroupNorm / BatchNorm checks (B1, B2)

@pytest.mark.parametrize('src', [
    'F.group_norm(T.randn(1, 2), 2)', 'F.group_norm(T.randn(1, 2, 1), 2)', 'F.group_norm(T.randn(1, 4), 2)',
    'F.group_norm(T.randn(2, 2), 2)', 'F.group_norm(T.randn(4), 2)', 'F.group_norm(T.randn(1, 3), 2)',
    'F.group_norm(T.randn(0, 2), 2)', 'F.group_norm(T.randn(1, 2, 0), 2)', 'F.group_norm(T.randn(1, 1), 1)',
    'F.group_norm(T.randn(1, 2), 2, weight=T.randn(3))', 'F.group_norm(T.randn(1, 2).int(), 2)',
    'F.group_norm(T.randn(1, 2), 0)', 'nn.GroupNorm(2, 2).eval()(T.randn(1, 2))', 'nn.GroupNorm(2, 4)(T.randn(4))',
    'F.batch_norm(T.randn(2, 3), None, None, training=True, eps=0)',
    'F.batch_norm(T.randn(2, 3), None, None, training=True, eps=-1.5)',
    'F.batch_norm(T.randn(2, 3), T.zeros(3), T.ones(3), training=False, eps=0)',
    'F.batch_norm(T.randn(0, 3), None, None, training=True, eps=0)',
    'F.batch_norm(T.randn(2, 3), None, None, training=True, eps=1e-320)',
    'nn.BatchNorm2d(3, eps=0)(T.randn(2, 3, 2, 2))', 'nn.BatchNorm2d(3, eps=0).eval()(T.randn(2, 3, 2, 2))',
    'F.instance_norm(T.randn(2, 3, 4), eps=0)', 'nn.InstanceNorm1d(3, eps=0)(T.randn(2, 3, 4))',
])
def test_norm_python_checks(src):
    same(lambda T, nn, F: tuple(eval(src, {'T': T, 'nn': nn, 'F': F}).shape))


def test_batch_norm_eps_failed_call_changes_nothing():
    def prog(T, nn, F):
        m = nn.BatchNorm1d(3, eps=0)
        try:
            m(T.randn(4, 3))
        except ValueError:
            pass
        return m.running_mean, m.running_var, m.num_batches_tracked
    same(prog)


# ------------------------------------------------------------------ in-place ELU / CELU with alpha < 0 (B4)

@pytest.mark.parametrize('src', ['nn.ELU(alpha=-1., inplace=True)', 'nn.CELU(alpha=-0.5, inplace=True)',
                                 'nn.ELU(alpha=0., inplace=True)', 'nn.ELU(alpha=-1.)', 'nn.CELU(alpha=2., inplace=True)'])
def test_inplace_elu_negative_alpha_backward(src):
    def prog(T, nn, F):
        x = data(T, (5,))
        y = eval(src, {'nn': nn})(x * 1)
        y.sum().backward()
        return y, x.grad
    same(prog)


# ------------------------------------------------------------------ other checks and messages (B6, B7, C2, C5, C6, C8)

@pytest.mark.parametrize('src', [
    'nn.RMSNorm((1, 2, 3, 4))(T.randn(2, 2))', 'nn.RMSNorm((2, 3))(T.randn(3))', 'nn.RMSNorm((2, 3))(T.randn(3, 2))',
    'F.rms_norm(T.ones(2, dtype=T.long), (1, 2))', 'F.rms_norm(T.ones(2, dtype=T.long), (2,))',
    'F.interpolate(T.randn(2, 0, 5, 5), scale_factor=0.5)', 'F.interpolate(T.randn(2, 0, 5), scale_factor=2.)',
    "F.interpolate(T.randn(2, 0, 5, 5, 5), scale_factor=2., mode='trilinear')",
    'F.interpolate(T.randn(0, 2, 5, 5), scale_factor=2.)', 'F.interpolate(T.randn(0, 0, 5, 5), scale_factor=2.)',
    "F.interpolate(T.randn(2, 0, 5, 5), size=3, mode='bicubic', antialias=True)",
    "F.interpolate(T.randn(2, 0, 5, 5), size=3, mode='area')", 'F.interpolate(T.randn(2, 1, 0, 5), size=3)',
    'nn.Upsample(scale_factor=-0.5)(T.randn(1, 1, 3, 3))', 'nn.Upsample(scale_factor=(-0.5, -1.2))(T.randn(1, 1, 3, 3))',
    'F.interpolate(T.randn(1, 1, 3, 3), scale_factor=-0.3, recompute_scale_factor=True)',
    'nn.Softmin(inplace=True)', 'nn.LogSoftmax(inplace=True)', 'nn.Hardshrink(inplace=True)',
    'nn.Softshrink(inplace=True)', 'nn.Softmin(1, 2)',
])
def test_checks_and_messages(src):
    same(lambda T, nn, F: tuple(getattr(eval(src, {'T': T, 'nn': nn, 'F': F}), 'shape', ())))


@pytest.mark.parametrize('src', [
    'nn.BatchNorm1d(3, affine=0)', 'nn.BatchNorm1d(3, affine=True, bias=0)', 'nn.BatchNorm1d(3, affine=2, bias=0)',
    'nn.BatchNorm1d(3, affine=2)', 'nn.InstanceNorm2d(3, affine=2)', 'nn.InstanceNorm2d(3)',
    "nn.EmbeddingBag(3, 2, scale_grad_by_freq='x')", 'nn.EmbeddingBag(3, 2, scale_grad_by_freq=True)',
    "nn.Embedding(3, 2, scale_grad_by_freq='x')",
])
def test_repr(src):
    same(lambda T, nn, F: repr(eval(src, {'nn': nn})).replace('torch.', 'ember.'))


@pytest.mark.parametrize('idx', [[0, 5], [-5, 1], [-1, 1], [2, -4, 7]])
@pytest.mark.parametrize('call', ['nn.Embedding(3, 2, max_norm=1.0)(i)', 'nn.EmbeddingBag(3, 2, max_norm=1.0)(i, o)',
                                  'nn.EmbeddingBag(3, 2, max_norm=1.0)(i, o + 1)'])
def test_max_norm_out_of_range_index(idx, call):
    """The error of PyTorch's renorm (select()), first; ember raises it before changing any row
    (PyTorch has already renormalised the rows below the bad index: a failed call changes nothing)."""
    same(lambda T, nn, F: eval(call, {'nn': nn, 'i': T.tensor(idx), 'o': T.tensor([0])}).shape)


@pytest.mark.parametrize('mask', ['T.zeros(1, 3, dtype=T.bool)', 'T.zeros(2, 4, dtype=T.bool)', 'T.zeros(3, dtype=T.bool)',
                                  'T.zeros(2, 3, dtype=T.bool)'])
@pytest.mark.parametrize('attn', [None, 'T.zeros(3, 3)'])
def test_encoder_fast_path_mask_checks(mask, attn):
    def prog(T, nn, F):
        T.manual_seed(0)
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, batch_first=True, dropout=0.), 2).eval()
        with T.no_grad():
            return enc(T.ones(2, 3, 4), mask=attn and eval(attn), src_key_padding_mask=eval(mask)).shape
    same(prog)


@pytest.mark.parametrize('sort', [True, False])
@pytest.mark.parametrize('batch_first', [False, True])
def test_packed_sequence_node_names(sort, batch_first):
    def prog(T, nn, F):
        x = data(T, (3, 2, 4), dtype='float64')
        p = nn.utils.rnn.pack_padded_sequence(x, T.tensor([3, 2] if sort else [2, 3]), enforce_sorted=sort)
        o, n = nn.utils.rnn.pad_packed_sequence(p, batch_first=batch_first)
        o.backward(data(T, tuple(o.shape), seed=1, dtype='float64', grad=False))
        return p.data, o.detach(), n, x.grad      # (pad_packed_sequence's node: a known deviation, survey 2)
    same(prog)
