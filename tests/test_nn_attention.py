"""Attention against PyTorch: F.scaled_dot_product_attention (masks, causal, scale, GQA, the fused
node's name, errors), nn.MultiheadAttention and the Transformer layers/stacks (reprs, parameter
names, forward and gradients with torch's weights copied in, masks, init, warnings)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import arr, bools, case, check, check_error
from layers import check_layer, init_matches


def sdpa(**kw):
    return lambda T, q, k, v, *m: T.nn.functional.scaled_dot_product_attention(q, k, v, *m, **kw)


def holes(shape, dead_row=None):
    """A random bool mask (True = attend), optionally with a query row that attends to nothing."""
    m = bools(shape)
    m[..., 0] = True
    if dead_row is not None:
        m[..., dead_row, :] = False
    return m


Q3, K3, V3 = (1, 2, 3), (1, 3, 3), (1, 3, 2)
Q4, K4 = (1, 2, 2, 2), (1, 2, 3, 2)

SDPA = [
    case('3d', sdpa(), [Q3, K3, V3]),
    case('4d-fused', sdpa(), [Q4, K4, K4]),
    case('2d', sdpa(), [(2, 3), (3, 3), (3, 2)]),
    case('5d', sdpa(), [(1, 1, 2, 2, 3), (1, 1, 2, 3, 3), (1, 1, 2, 3, 3)]),
    case('4d-value-width', sdpa(), [Q4, K4, (1, 2, 3, 4)]),
    case('4d-broadcast-batch', sdpa(), [(2, 2, 2, 2), K4, K4]),
    case('4d-noncontiguous', lambda T, q, k, v: T.nn.functional.scaled_dot_product_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)), [(1, 2, 2, 3), (1, 3, 2, 3), (1, 3, 2, 3)]),
    case('4d-last-dim-strided', lambda T, q, k, v: T.nn.functional.scaled_dot_product_attention(
        q.transpose(-1, -2), k.transpose(-1, -2), v.transpose(-1, -2)), [(1, 2, 3, 2), (1, 2, 3, 3), (1, 2, 3, 3)]),
    case('scale', sdpa(scale=0.3), [Q4, K4, K4]),
    case('scale-3d', sdpa(scale=2.0), [Q3, K3, V3]),
    case('causal-3d', sdpa(is_causal=True), [Q3, K3, V3]),
    case('causal-4d', sdpa(is_causal=True), [Q4, K4, K4]),
    case('causal-square', sdpa(is_causal=True), [(1, 3, 3), (1, 3, 3), (1, 3, 3)]),
    case('float-mask-3d', sdpa(), [Q3, K3, V3, (2, 3)]),
    case('float-mask-4d-grad', sdpa(), [Q4, K4, K4, (1, 1, 2, 3)]),
    case('float-mask-4d-fused', sdpa(), [Q4, K4, K4, (2, 3)], requires_grad=[True, True, True, False]),
    case('float-mask-3d-batched', sdpa(), [Q3, K3, V3, (1, 2, 3)]),
    case('bool-mask-3d', sdpa(), [Q3, K3, V3, holes((2, 3))]),
    case('bool-mask-4d', sdpa(), [Q4, K4, K4, holes((1, 1, 2, 3))]),
    case('bool-mask-dead-row-3d', sdpa(), [Q3, K3, V3, holes((2, 3), 1)]),
    case('bool-mask-dead-row-4d', sdpa(), [Q4, K4, K4, holes((1, 2, 2, 3), 1)]),
    case('float-mask-dead-row', sdpa(), [Q3, K3, V3, np.where(holes((2, 3), 0), 0.5, -np.inf).astype(np.float32)],
         requires_grad=[True, True, True, False]),
    case('gqa-4d', sdpa(enable_gqa=True), [(1, 4, 2, 2), K4, K4]),
    case('gqa-3d', sdpa(enable_gqa=True), [(4, 2, 3), (2, 3, 3), (2, 3, 3)]),
    case('gqa-causal', sdpa(enable_gqa=True, is_causal=True), [(1, 4, 2, 3), (1, 2, 2, 3), (1, 2, 2, 3)]),
    case('float64', sdpa(), [Q4, K4, K4], dtype=np.float64),
    case('float64-float32-mask', sdpa(), [Q3, K3, V3, arr(np.zeros((2, 3)))], dtype=np.float64),
    case('dropout-1', sdpa(dropout_p=1.0), [Q3, K3, V3]),
    case('no-grad', sdpa(), [Q4, K4, K4], requires_grad=[False, False, False]),
    # torch answers an empty batch through another kernel (AddBackward0); the values agree
    case('empty-batch', sdpa(), [(0, 2, 3), (0, 3, 3), (0, 3, 3)], grad_fn=False),
]


@pytest.mark.parametrize('fn,specs,kw', SDPA)
def test_sdpa(fn, specs, kw):
    check(fn, specs, **kw)


SDPA_ERRORS = [
    case('dtype-mismatch', sdpa(), [Q3, arr(np.zeros(K3), np.float64), V3]),
    case('1d', sdpa(), [(4,), (4,), (4,)]),
    case('int-inputs', sdpa(), [np.ones(Q3, np.int64), np.ones(K3, np.int64), np.ones(K3, np.int64)]),
    case('int-mask', sdpa(), [Q3, K3, V3, np.ones((2, 3), np.int64)]),
    case('float64-mask', sdpa(), [Q3, K3, V3, np.ones((2, 3), np.float64)]),
    case('causal-and-mask', sdpa(is_causal=True), [Q3, K3, V3, bools((2, 3))]),
    case('mask-grows-output', sdpa(), [Q3, K3, V3, (2, 2, 2, 3)]),
    case('mask-wrong-shape', sdpa(), [Q3, K3, V3, (4, 3)]),
    case('batch-mismatch', sdpa(), [(2, 2, 3), (3, 3, 3), (3, 3, 3)]),
    case('head-dim-mismatch', sdpa(), [Q3, (2, 3, 4), V3]),
    case('gqa-indivisible', sdpa(enable_gqa=True), [(1, 3, 2, 2), K4, K4]),
    case('bad-dropout', sdpa(dropout_p=1.5), [Q3, K3, V3]),
]


@pytest.mark.parametrize('fn,specs,kw', SDPA_ERRORS)
def test_sdpa_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_sdpa_dropout_keeps_expectation():
    ember.manual_seed(0)
    q = ember.zeros(64, 8, 4)
    v = ember.ones(64, 16, 4)
    out = ember.nn.functional.scaled_dot_product_attention(q, q.new_zeros(64, 16, 4), v, dropout_p=0.5)
    assert out.shape == (64, 8, 4) and out.grad_fn is None
    assert abs(out.mean().item() - 1.0) < 0.05 and not bool((out == 1).all())


# ------------------------------------------------------------------ MultiheadAttention
def layer(id_, make, specs, **kw):
    return pytest.param(make, specs, kw, id=id_)


def self_attn(**kw):
    return lambda m, x, *masks: m(x, x, x, *masks, **kw)


def cross_attn(**kw):
    return lambda m, q, kv, *masks: m(q, kv, kv, *masks, **kw)


def named_masks(*names, **kw):
    return lambda m, x, *masks: m(x, x, x, **dict(zip(names, masks)), **kw)


MHA = [
    layer('self', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4)], call=self_attn()),
    layer('self-no-weights', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4)], call=self_attn(need_weights=False)),
    layer('per-head-weights', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4)],
          call=self_attn(average_attn_weights=False)),
    layer('cross', lambda nn: nn.MultiheadAttention(6, 3), [(3, 2, 6), (5, 2, 6)], call=cross_attn()),
    layer('cross-no-weights', lambda nn: nn.MultiheadAttention(6, 3), [(3, 2, 6), (5, 2, 6)],
          call=cross_attn(need_weights=False)),
    layer('distinct-qkv', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4), (5, 2, 4), (5, 2, 4)]),
    layer('batch-first', lambda nn: nn.MultiheadAttention(4, 2, batch_first=True), [(2, 3, 4)], call=self_attn()),
    layer('batch-first-cross', lambda nn: nn.MultiheadAttention(4, 2, batch_first=True), [(2, 3, 4), (2, 5, 4)],
          call=cross_attn(need_weights=False)),
    layer('kdim-vdim', lambda nn: nn.MultiheadAttention(4, 2, kdim=3, vdim=5), [(3, 2, 4), (6, 2, 3), (6, 2, 5)]),
    layer('kdim-vdim-no-weights', lambda nn: nn.MultiheadAttention(4, 2, kdim=3, vdim=5, bias=False),
          [(3, 2, 4), (6, 2, 3), (6, 2, 5)], call=lambda m, q, k, v: m(q, k, v, need_weights=False)),
    layer('no-bias', lambda nn: nn.MultiheadAttention(4, 1, bias=False), [(3, 2, 4)], call=self_attn()),
    layer('bias-kv-zero-attn', lambda nn: nn.MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True),
          [(3, 2, 4), bools((2, 3)), bools((3, 3))],
          call=named_masks('key_padding_mask', 'attn_mask')),
    layer('bias-kv-no-weights', lambda nn: nn.MultiheadAttention(4, 2, add_bias_kv=True), [(3, 2, 4)],
          call=self_attn(need_weights=False)),
    layer('unbatched', lambda nn: nn.MultiheadAttention(4, 2), [(3, 4)], call=self_attn()),
    layer('unbatched-cross-masks', lambda nn: nn.MultiheadAttention(4, 2), [(3, 4), (5, 4), bools(5), bools((2, 3, 5))],
          call=lambda m, q, kv, kpm, am: m(q, kv, kv, key_padding_mask=kpm, attn_mask=am, need_weights=False)),
    layer('key-padding-bool', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4), arr([[0, 0, 1], [0, 1, 1]], bool)],
          call=named_masks('key_padding_mask')),
    layer('key-padding-float', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4), arr([[0, 0, -1e9], [0, 0, 0]])],
          call=named_masks('key_padding_mask', need_weights=False)),
    layer('attn-mask-2d-bool', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4), arr(np.triu(np.ones((3, 3)), 1), bool)],
          call=named_masks('attn_mask')),
    layer('attn-mask-3d-float', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4), (4, 3, 3)],
          call=named_masks('attn_mask', need_weights=False), grad=False),
    layer('both-masks', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4), bools((2, 3)), bools((3, 3))],
          call=named_masks('key_padding_mask', 'attn_mask', need_weights=False)),
    layer('causal-hint', lambda nn: nn.MultiheadAttention(4, 2),
          [(3, 2, 4), arr(np.triu(np.ones((3, 3)), 1), bool)], call=named_masks('attn_mask', is_causal=True,
                                                                                 need_weights=False)),
    layer('causal-hint-weights', lambda nn: nn.MultiheadAttention(4, 2),
          [(3, 2, 4), arr(np.triu(np.ones((3, 3)), 1), bool)], call=named_masks('attn_mask', is_causal=True)),
    layer('eval-dropout', lambda nn: nn.MultiheadAttention(4, 2, dropout=0.5), [(3, 2, 4)], call=self_attn(),
          train=False),
    layer('float64', lambda nn: nn.MultiheadAttention(4, 2), [(3, 2, 4)], call=self_attn(), dtype=np.float64),
]


@pytest.mark.parametrize('make,specs,kw', MHA)
def test_multihead_attention(make, specs, kw):
    check_layer(make, specs, grad_fn=kw.pop('grad_fn', True), **kw)


@pytest.mark.parametrize('make', [lambda nn: nn.MultiheadAttention(16, 4),
                                  lambda nn: nn.MultiheadAttention(16, 4, kdim=8, vdim=12, add_bias_kv=True)],
                         ids=['packed', 'separate'])
def test_mha_init(make):
    init_matches(make)
    m = make(ember.nn)
    assert float(m.out_proj.bias.abs().sum()) == 0 and float(m.in_proj_bias.abs().sum()) == 0


def test_mha_parameter_names():
    names = [n for n, _ in ember.nn.MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True).named_parameters()]
    assert names == ['q_proj_weight', 'k_proj_weight', 'v_proj_weight', 'in_proj_bias', 'bias_k', 'bias_v',
                     'out_proj.weight', 'out_proj.bias']
    assert type(ember.nn.MultiheadAttention(4, 2).out_proj).__name__ == 'NonDynamicallyQuantizableLinear'


def mha_call(**kw):
    return lambda T, x, *m: T.nn.MultiheadAttention(4, 2)(x, x, x, **dict(zip(('attn_mask', 'key_padding_mask'), m)),
                                                          **kw)


MHA_ERRORS = [
    case('not-divisible', lambda T: T.nn.MultiheadAttention(5, 2), []),
    case('zero-heads', lambda T: T.nn.MultiheadAttention(4, 0), []),
    case('4d-query', mha_call(), [(1, 3, 2, 4)]),
    case('key-rank', lambda T, q, k: T.nn.MultiheadAttention(4, 2)(q, k, k), [(3, 2, 4), (3, 4)]),
    case('embed-dim', mha_call(), [(3, 2, 6)]),
    case('int-mask', mha_call(), [(3, 2, 4), np.zeros((3, 3), np.int64)]),
    case('mask-2d-shape', mha_call(), [(3, 2, 4), bools((3, 4))]),
    case('mask-3d-shape', mha_call(), [(3, 2, 4), bools((2, 3, 3))]),
    case('mask-4d', mha_call(), [(3, 2, 4), bools((1, 2, 3, 3))]),
    case('kpm-shape', mha_call(), [(3, 2, 4), bools((3, 3)), bools((2, 4))]),
    case('kpm-rank', mha_call(), [(3, 2, 4), bools((3, 3)), bools((3,))]),
    case('causal-without-mask', mha_call(is_causal=True), [(3, 2, 4)]),
    case('unbatched-3d-mask', mha_call(), [(3, 4), bools((1, 3, 3))]),
]


@pytest.mark.parametrize('fn,specs,kw', MHA_ERRORS)
def test_mha_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_mismatched_mask_types_warn():
    m = ember.nn.MultiheadAttention(4, 2)
    x = ember.randn(3, 2, 4)
    with pytest.warns(UserWarning, match='Support for mismatched key_padding_mask and attn_mask is deprecated'):
        m(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.bool), attn_mask=ember.zeros(3, 3))


# ------------------------------------------------------------------ Transformer
def enc_layer(**kw):
    return lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)


def dec_layer(**kw):
    return lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)


def causal(n):
    return np.triu(np.full((n, n), -np.inf, np.float32), 1)


def no_grad_call(m, *xs, **kw):
    with (torch if isinstance(m, torch.nn.Module) else ember).no_grad():
        return m(*xs, **kw)


TRANSFORMER = [
    layer('enc-layer', enc_layer(), [(3, 2, 8)]),
    layer('enc-layer-gelu-norm-first', enc_layer(activation='gelu', norm_first=True), [(3, 2, 8)]),
    layer('enc-layer-callable', enc_layer(activation=lambda x: x.tanh()), [(3, 2, 8)]),
    layer('enc-layer-gelu-module', lambda nn: nn.TransformerEncoderLayer(8, 2, 16, 0.0, nn.GELU()), [(3, 2, 8)]),
    layer('enc-layer-batch-first-nobias', enc_layer(batch_first=True, bias=False, layer_norm_eps=1e-3), [(2, 3, 8)]),
    layer('enc-layer-unbatched', enc_layer(), [(3, 8)]),
    layer('enc-layer-masks', enc_layer(), [(3, 2, 8), causal(3), arr([[0, 0, 1], [0, 0, 0]], bool)],
          call=lambda m, x, am, kpm: m(x, src_mask=am, src_key_padding_mask=kpm)),
    layer('enc-layer-eval', lambda nn: nn.TransformerEncoderLayer(8, 2, 16), [(3, 2, 8)], train=False),
    layer('dec-layer', dec_layer(), [(4, 2, 8), (3, 2, 8)]),
    layer('dec-layer-norm-first-gelu', dec_layer(norm_first=True, activation='gelu'), [(4, 2, 8), (3, 2, 8)]),
    layer('dec-layer-batch-first-masks', dec_layer(batch_first=True), [(2, 4, 8), (2, 3, 8), causal(4), bools((2, 3))],
          call=lambda m, t, mem, tm, mkpm: m(t, mem, tgt_mask=tm, memory_key_padding_mask=mkpm, tgt_is_causal=True)),
    layer('encoder-stack', lambda nn: nn.TransformerEncoder(enc_layer()(nn), 2, nn.LayerNorm(8)), [(3, 2, 8)]),
    layer('encoder-stack-causal', lambda nn: nn.TransformerEncoder(enc_layer()(nn), 2), [(3, 2, 8), causal(3)],
          call=lambda m, x, mask: m(x, mask=mask)),
    layer('encoder-eval-padding', lambda nn: nn.TransformerEncoder(enc_layer(batch_first=True)(nn), 2),
          [(2, 4, 8), arr([[0, 0, 1, 1], [0, 0, 0, 1]], bool)], train=False, grad=False,
          call=lambda m, x, kpm: no_grad_call(m, x, src_key_padding_mask=kpm)),
    layer('encoder-eval-padding-not-aligned', lambda nn: nn.TransformerEncoder(enc_layer(batch_first=True)(nn), 1),
          [(2, 4, 8), arr([[0, 1, 0, 1], [0, 0, 0, 1]], bool)], train=False, grad=False,
          call=lambda m, x, kpm: no_grad_call(m, x, src_key_padding_mask=kpm)),
    layer('decoder-stack', lambda nn: nn.TransformerDecoder(dec_layer()(nn), 2, nn.LayerNorm(8)),
          [(4, 2, 8), (3, 2, 8), causal(4)], call=lambda m, t, mem, tm: m(t, mem, tgt_mask=tm)),
    layer('transformer', lambda nn: nn.Transformer(8, 2, 2, 1, 16, dropout=0.0), [(3, 2, 8), (4, 2, 8)]),
    layer('transformer-masks', lambda nn: nn.Transformer(8, 2, 1, 2, 16, dropout=0.0, batch_first=True,
                                                         norm_first=True),
          [(2, 3, 8), (2, 4, 8), causal(4), bools((2, 3))],
          call=lambda m, s, t, tm, kpm: m(s, t, tgt_mask=tm, src_key_padding_mask=kpm, memory_key_padding_mask=kpm)),
    layer('transformer-unbatched', lambda nn: nn.Transformer(8, 2, 1, 1, 16), [(3, 8), (4, 8)], train=False),
]


@pytest.mark.parametrize('make,specs,kw', TRANSFORMER)
def test_transformer(make, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_layer(make, specs, **kw)


def test_transformer_names_and_copies():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        enc = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16), 2)
    names = [n for n, _ in enc.named_parameters()]
    assert names[:2] == ['layers.0.self_attn.in_proj_weight', 'layers.0.self_attn.in_proj_bias']
    assert 'layers.1.linear2.bias' in names
    assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
    assert enc.num_layers == 2 and enc.layers[0].activation_relu_or_gelu == 1


def test_transformer_init():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        init_matches(lambda nn: nn.Transformer(16, 2, 1, 1, 32), samples=4)


@pytest.mark.parametrize('dtype', [None, 'float64'])
def test_generate_square_subsequent_mask(dtype):
    t = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=dtype and getattr(torch, dtype))
    e = ember.nn.Transformer.generate_square_subsequent_mask(4, dtype=dtype and getattr(ember, dtype))
    assert str(e.dtype) == str(t.dtype).replace('torch', 'ember')
    np.testing.assert_array_equal(e.cpu().numpy(), t.cpu().numpy())


def test_nested_tensor_warning():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match=r'enable_nested_tensor is True, but self.use_nested_tensor is False '
                                             r'because encoder_layer.norm_first was True'):
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16, norm_first=True, batch_first=True), 1)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 1)


TRANSFORMER_ERRORS = [
    case('bad-activation', lambda T: T.nn.TransformerEncoderLayer(8, 2, activation='tanh'), []),
    case('batch-mismatch', lambda T, s, t: T.nn.Transformer(8, 2, 1, 1, 16)(s, t), [(3, 2, 8), (4, 3, 8)]),
    case('d-model', lambda T, s, t: T.nn.Transformer(8, 2, 1, 1, 16)(s, t), [(3, 2, 8), (4, 2, 6)]),
]


@pytest.mark.parametrize('fn,specs,kw', TRANSFORMER_ERRORS)
def test_transformer_errors(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check_error(fn, specs, **kw)
