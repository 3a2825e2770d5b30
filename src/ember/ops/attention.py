"""Attention: ``scaled_dot_product_attention`` and the functional multi-head attention.

softmax(q @ k.T * scale + mask) @ v, built from ember ops (matmul, softmax, masked_fill,
dropout). Where PyTorch's CPU dispatcher would pick its fused kernel (4-D inputs, no
dropout, equal head sizes) the result is recorded as one node with that kernel's name,
``ScaledDotProductFlashAttentionForCpuBackward0``; its backward recomputes the attention
weights from the saved inputs with the same ember ops, so double backward still works.
Elsewhere the graph is the composition itself, as in PyTorch's math path.
"""
import math
import warnings

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ._op import Op, apply
from ._promote import xp
from .creation import zeros, zeros_like
from .dropout import dropout
from .join import cat
from .matmul import CPP_NAMES
from .nn_ops import linear, softmax
from .padding import pad
from .shape_more import broadcast_shapes

_NEG_INF = float('-inf')
_WARNED = [False]


def _cpp(t):
    return CPP_NAMES[_scalar_name(t.dtype)]


def _check_sdpa(query, key, value, attn_mask, enable_gqa):
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError('Expected query, key, and value to have the same dtype, but got query.dtype: '
                           f'{_cpp(query)} key.dtype: {_cpp(key)} and value.dtype: {_cpp(value)} instead.')
    if min(query.dim(), key.dim(), value.dim()) < 2:
        raise RuntimeError('Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: '
                           f'{query.dim()} key.dim: {key.dim()} and value.dim: {value.dim()} instead.')
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool_, _dtype.float32, query.dtype):
        raise RuntimeError('Expected attn_mask dtype to be bool or float or to match query dtype, but got '
                           f'attn_mask.dtype: {_cpp(attn_mask)} and  query.dtype: {_cpp(query)} instead.')
    if not query.is_floating_point():
        raise RuntimeError(f'expected scalar type Float but found {_scalar_name(query.dtype)}')
    if enable_gqa and query.dim() >= 3 and (query.size(-3) % key.size(-3) or query.size(-3) % value.size(-3)):
        raise RuntimeError('Number of heads in key and value must divide the number of heads in ')


def _fused(query, key, value, attn_mask, dropout_p, enable_gqa):
    """Whether PyTorch's CPU dispatcher would run its fused (flash) kernel on these inputs."""
    ts = (query, key, value)
    if any(t.dim() != 4 for t in ts) or dropout_p != 0.0:
        return False
    if query.dtype not in (_dtype.float32, _dtype.float64, _dtype.float16, _dtype.bfloat16):
        return False
    if not (query.size(3) == key.size(3) == value.size(3)) or not (query.size(0) == key.size(0) == value.size(0)):
        return False
    hq, hk, hv = query.size(1), key.size(1), value.size(1)
    if not (hq == hk == hv or (enable_gqa and hk == hv and hq % hk == 0)):
        return False
    if query.size(2) == 0 or key.size(2) == 0 or any(t.stride(-1) != 1 for t in ts):
        return False
    return attn_mask is None or (attn_mask.dim() in (2, 4) and not attn_mask.requires_grad)


def _expand_heads(query, key, value, enable_gqa):
    """Grouped-query attention: each key/value head serves query.size(-3) / key.size(-3) query heads."""
    if enable_gqa and query.dim() >= 3:
        if key.size(-3) != query.size(-3):
            key = key.repeat_interleave(query.size(-3) // key.size(-3), -3)
        if value.size(-3) != query.size(-3):
            value = value.repeat_interleave(query.size(-3) // value.size(-3), -3)
    return key, value


def _scale(query, scale):
    return 1.0 / math.sqrt(query.size(-1)) if scale is None else scale


def _attention_weights(query, key, attn_mask, is_causal, scale):
    """softmax(q @ k.T * scale + mask); rows whose every key is masked out come out as zeros."""
    r = math.sqrt(_scale(query, scale))
    scores = (query * r).matmul((key * r).transpose(-2, -1))
    L, S = scores.shape[-2:]
    if is_causal:
        keep = scores.new_ones((L, S), dtype=_dtype.bool_).tril()
        scores = scores.masked_fill(keep.logical_not(), _NEG_INF)
    if attn_mask is None:
        return scores.softmax(-1)
    try:
        want = tuple(broadcast_shapes(tuple(scores.shape), tuple(attn_mask.shape)))
    except RuntimeError:
        want = tuple(scores.shape)          # the addition below says why they don't broadcast
    if want != tuple(scores.shape):
        raise RuntimeError(f"output with shape {list(scores.shape)} doesn't match the broadcast shape {list(want)}")
    if attn_mask.dtype == _dtype.bool_:
        dead = attn_mask.logical_not().all(-1, keepdim=True)
        attn_mask = zeros_like(attn_mask, dtype=scores.dtype).masked_fill_(attn_mask.logical_not(), _NEG_INF)
    else:
        dead = (attn_mask == _NEG_INF).all(-1, keepdim=True)
        attn_mask = attn_mask.to(scores.dtype)
    scores = scores + attn_mask
    if not bool(dead.any()):
        return scores.softmax(-1)
    return scores.masked_fill(dead, 0.0).softmax(-1).masked_fill(dead, 0.0)


class ScaledDotProductFlashAttentionForCpuBackward0(Op):
    """The fused attention node: forward and backward both use the composed weights above."""
    saves = (0, 1, 2, 3)

    def forward(self, q, k, v, mask, is_causal, scale, enable_gqa):
        self.opts = (is_causal, scale, enable_gqa)
        q, k, v = Tensor._make(q), Tensor._make(k), Tensor._make(v)
        k, v = _expand_heads(q, k, v, enable_gqa)
        p = _attention_weights(q, k, None if mask is None else Tensor._make(mask), is_causal, scale)
        out = p.matmul(v)._data
        order = sorted(range(3), key=lambda d: -q._data.strides[d])    # the output keeps the query's layout
        if order != [0, 1, 2]:
            perm = order + [3]
            out = xp(out).ascontiguousarray(out.transpose(perm)).transpose([perm.index(d) for d in range(4)])
        return out

    def backward(self, g):
        q, k, v, mask = self.saved_tensors
        is_causal, scale, enable_gqa = self.opts
        kx, vx = _expand_heads(q, k, v, enable_gqa)
        p = _attention_weights(q, kx, mask, is_causal, scale)
        gp = g.matmul(vx.transpose(-2, -1))
        gs = p * (gp - (gp * p).sum(-1, keepdim=True))       # through the softmax
        s = _scale(q, scale)
        gq = gs.matmul(kx) * s
        gk = gs.transpose(-2, -1).matmul(q) * s
        gv = p.transpose(-2, -1).matmul(g)
        if k.size(1) != q.size(1):                             # sum each key/value head's query group
            gk = gk.unflatten(1, (k.size(1), -1)).sum(2)
            gv = gv.unflatten(1, (v.size(1), -1)).sum(2)
        return gq, gk, gv, None          # a mask that requires grad never takes this path


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(query @ key.T * scale + attn_mask) @ value over the last two dimensions.

    A bool ``attn_mask`` marks with True the positions that take part; a float one is added to
    the scores. ``is_causal`` lets position i see keys 0..i; ``enable_gqa`` shares each key/value
    head among a group of query heads."""
    _check_sdpa(query, key, value, attn_mask, enable_gqa)
    from ..backends.cuda import _sdp       # the switches nn.attention.sdpa_kernel sets
    if _sdp['flash'] and _fused(query, key, value, attn_mask, dropout_p, enable_gqa):
        return apply(ScaledDotProductFlashAttentionForCpuBackward0, query, key, value, attn_mask,
                     is_causal=is_causal, scale=scale, enable_gqa=enable_gqa)
    if not _sdp['math']:
        if not _sdp['flash']:
            raise RuntimeError('No viable backend for scaled_dot_product_attention was found. This is likely due to '
                               'turning off both the math kernel and the fused kernels.')
        if not _WARNED[0]:                     # PyTorch says why once per process
            _WARNED[0] = True
            warnings.warn('Flash attention kernel not used because:', stacklevel=2)
            if dropout_p > 0.0:
                warnings.warn('Both fused kernels do not support non-zero dropout.', stacklevel=2)
        raise RuntimeError('No available kernel.  Aborting execution.')
    if is_causal and attn_mask is not None:
        raise RuntimeError('_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True')
    key, value = _expand_heads(query, key, value, enable_gqa)
    p = _attention_weights(query, key, attn_mask, is_causal, scale)
    if dropout_p > 0.0:
        if dropout_p > 1.0:
            raise RuntimeError(f'dropout probability has to be between 0 and 1, but got {dropout_p}')
        p = dropout(p, dropout_p)
    return p.matmul(value)


# ---------------------------------------------------------------- multi-head attention
def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError('input to _none_or_dtype() must be None or ember.Tensor')


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = masked out) as an additive float mask of ``target_type`` (-inf where True)."""
    if mask is None:
        return None
    is_float = mask.is_floating_point()
    if mask.dtype != _dtype.bool_ and not is_float:
        raise AssertionError(f'only bool and floating types of {mask_name} are supported')
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f'Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for '
                      'both instead.', stacklevel=2)
    if not is_float:
        mask = zeros_like(mask, dtype=target_type).masked_fill_(mask, _NEG_INF)
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the inputs are batched (3-D query) or a single sequence (2-D); raises on mixed ranks."""
    if query.dim() not in (2, 3):
        raise AssertionError(f'query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D '
                             'query tensor')
    batched = query.dim() == 3
    kind = 'batched (3-D)' if batched else 'unbatched (2-D)'
    if key.dim() != query.dim() or value.dim() != query.dim():
        raise AssertionError(f'For {kind} `query`, expected `key` and `value` to be {query.dim()}-D but found '
                             f'{key.dim()}-D and {value.dim()}-D tensors respectively')
    if key_padding_mask is not None and key_padding_mask.dim() != query.dim() - 1:
        raise AssertionError(f'For {kind} `query`, expected `key_padding_mask` to be `None` or '
                             f'{query.dim() - 1}-D but found {key_padding_mask.dim()}-D tensor instead')
    if attn_mask is not None:
        if attn_mask.dim() not in (2, 3):
            raise AssertionError(f'For {kind} `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found '
                                 f'{attn_mask.dim()}-D tensor instead')
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f'Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}')
    return batched


def _in_projection_packed(q, k, v, w, b=None):
    """q, k, v through the three row blocks of one (3E, E) weight; one matmul when they are the same tensor."""
    E = q.size(-1)
    if k is v:
        if q is k:
            proj = linear(q, w, b).unflatten(-1, (3, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
            return proj[0], proj[1], proj[2]
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        kv = linear(k, w_kv, b_kv).unflatten(-1, (2, E)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
        return linear(q, w_q, b_q), kv[0], kv[1]
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    """q, k, v through their own weights (key/value may have other widths than the query)."""
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for name, t, want in (('query weights', w_q, (Eq, Eq)), ('key weights', w_k, (Eq, Ek)),
                          ('value weights', w_v, (Eq, Ev)), ('query bias', b_q, (Eq,)),
                          ('key bias', b_k, (Eq,)), ('value bias', b_v, (Eq,))):
        if t is not None and tuple(t.shape) != want:
            raise AssertionError(f'expecting {name} shape of {want}, but got {t.shape}')
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _split_heads(x, static, name, n, head_dim):
    """(S, N, E) -> (N * heads, S, head_dim), or the given static tensor after checking its shape."""
    if static is None:
        return x.view(x.shape[0], n, head_dim).transpose(0, 1)
    if static.size(0) != n:
        raise AssertionError(f'expecting {name}.size(0) of {n}, but got {static.size(0)}')
    if static.size(2) != head_dim:
        raise AssertionError(f'expecting {name}.size(2) of {head_dim}, but got {static.size(2)}')
    return static


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention on (L, N, E) query and (S, N, E) key/value (or unbatched (L, E), (S, E)).

    Returns (attn_output, attn_weights); the weights (averaged over heads unless
    ``average_attn_weights=False``) only when ``need_weights``, else None."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    key_padding_mask = _canonical_mask(key_padding_mask, 'key_padding_mask', _none_or_dtype(attn_mask),
                                       'attn_mask', query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError('Need attn_mask if specifying the is_causal hint. You may use the Transformer module '
                           'method `generate_square_subsequent_mask` to create this mask.')
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None                      # SDPA builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, 'attn_mask', None, '', query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False                 # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f'was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}')
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f'embed_dim {embed_dim} not divisible by num_heads {num_heads}')
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f'{value.shape[:2]}')
        for name, w in (('q', q_proj_weight), ('k', k_proj_weight), ('v', v_proj_weight)):
            if w is None:
                raise AssertionError(f'use_separate_proj_weight is True but {name}_proj_weight is None')
        b = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, *b)
    else:
        if key.shape != value.shape:
            raise AssertionError(f'key shape {key.shape} does not match value shape {value.shape}')
        if in_proj_weight is None:
            raise AssertionError('use_separate_proj_weight is False but in_proj_weight is None')
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    src_len = key.shape[0]
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f'The shape of the 2D attn_mask is {attn_mask.shape}, but should be '
                                   f'{(tgt_len, src_len)}.')
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f'The shape of the 3D attn_mask is {attn_mask.shape}, but should be '
                                   f'{(bsz * num_heads, tgt_len, src_len)}.')
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError('bias cannot be added to static key.')
        if static_v is not None:
            raise AssertionError('bias cannot be added to static value.')
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    elif bias_k is not None or bias_v is not None:
        raise AssertionError('bias_k is set but bias_v is None' if bias_k is not None else
                             'bias_v is set but bias_k is None')
    n = bsz * num_heads
    q = q.view(tgt_len, n, head_dim).transpose(0, 1)
    k = _split_heads(k, static_k, 'static_k', n, head_dim)
    v = _split_heads(v, static_v, 'static_v', n, head_dim)
    if add_zero_attn:
        k = cat([k, zeros((n, 1, head_dim), dtype=k.dtype, device=k.device)], dim=1)
        v = cat([v, zeros((n, 1, head_dim), dtype=v.dtype, device=v.device)], dim=1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f'Expected key_padded_mask.shape[0] to be {bsz}, but got '
                                 f'{key_padding_mask.shape[0]}')
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f'Expected key_padded_mask.shape[1] to be {src_len}, but got '
                                 f'{key_padding_mask.shape[1]}')
        key_padding_mask = key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1) \
            .reshape(n, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        if is_causal and attn_mask is None:
            raise AssertionError('FIXME: is_causal not implemented for need_weights')
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        kt = k.transpose(-2, -1)
        w = q_scaled.bmm(kt) if attn_mask is None else attn_mask.baddbmm(q_scaled, kt)
        w = softmax(w, dim=-1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = w.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.size(1))
        w = w.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(dim=1)
        if not is_batched:
            out, w = out.squeeze(1), w.squeeze(0)
        return out, w
    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.size(1))
    return (out if is_batched else out.squeeze(1)), None
