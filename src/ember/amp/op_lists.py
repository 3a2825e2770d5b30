"""Which ops autocast runs in float32, and which it runs in the widest input type, per device.

Names are ember's public function names (``ember.<name>``, ``ember.nn.functional.<name>``,
``ember.linalg.<name>``); an op's hook asks with its own name (``_amp.fp32('exp', x)``), so an
op absent from a device's list runs as usual there.

- ``FP32``: float16/bfloat16 inputs are cast to float32 and the result is float32.
  The CPU list was measured on PyTorch 2.13 (``torch.autocast('cpu', dtype=bfloat16)`` and
  ``float16`` give the same): every public op of ember was run on low-precision inputs and
  kept here when its result came back float32. F.pad maps to the kernel names
  ('reflection_pad1d', ...) because only some of its modes and sizes are on the CPU list.
  The CUDA list is PyTorch's documented one ("CUDA Ops that can autocast to float32"), plus
  the norms and losses that PyTorch's CUDA kernel table also runs in float32
  (huber_loss, logsumexp, linalg vector/matrix norms). Ops of those lists that ember does
  not have (cdist, pdist, dist, renorm, grid_sampler, quantile, stft, fft, ...) are left out.
- ``PROMOTE``: tensors of mixed floating types are cast to the widest of them (float64
  tensors are left out of the choice and not cast).
- ``BANNED``: ops that raise inside an enabled region on that device.
"""
from .. import _dtype

_CPU_LOSSES = {'ctc_loss', 'cross_entropy', 'nll_loss', 'mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss',
               'binary_cross_entropy', 'binary_cross_entropy_with_logits', 'kl_div', 'poisson_nll_loss',
               'hinge_embedding_loss', 'margin_ranking_loss', 'soft_margin_loss', 'cosine_embedding_loss',
               'triplet_margin_loss', 'multi_margin_loss', 'multilabel_margin_loss'}
# (max_pool3d only without return_indices: the with-indices kernel is not listed)
_CPU_POOL_PAD = {'avg_pool3d', 'max_pool3d', 'adaptive_avg_pool3d', 'adaptive_max_pool3d', 'max_unpool1d',
                 'max_unpool2d', 'max_unpool3d', 'reflection_pad1d', 'reflection_pad2d', 'replication_pad1d',
                 'replication_pad2d', 'replication_pad3d'}
# linalg (the torch.* and torch.linalg.* spellings alike; ember.inverse is ember.linalg.inv);
# linalg.pinv, det, slogdet and solve_ex are not on the list
_CPU_LINALG = {'inv', 'inv_ex', 'cholesky', 'cholesky_ex', 'pinverse', 'qr', 'svd', 'svdvals', 'eigh', 'eigvalsh',
               'solve', 'lstsq', 'matrix_rank', 'triangular_solve'}

_CUDA_POINTWISE = {'pow', 'exp', 'expm1', 'log', 'log2', 'log10', 'log1p', 'acos', 'asin', 'cosh', 'sinh', 'tan',
                   'erfinv', 'reciprocal', 'rsqrt', 'softplus'}
_CUDA_REDUCE_NORM = {'sum', 'prod', 'cumsum', 'cumprod', 'softmax', 'log_softmax', 'softmin', 'logsumexp', 'norm',
                     'vector_norm', 'matrix_norm', 'normalize', 'cosine_similarity', 'layer_norm', 'group_norm'}
_CUDA_LOSSES = {'ctc_loss', 'cross_entropy', 'nll_loss', 'mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss',
                'binary_cross_entropy_with_logits', 'kl_div', 'poisson_nll_loss', 'hinge_embedding_loss',
                'margin_ranking_loss', 'soft_margin_loss', 'cosine_embedding_loss', 'triplet_margin_loss',
                'multi_margin_loss', 'multilabel_margin_loss'}

# ops run in the region's low dtype (float16/bfloat16). matmul/mm/bmm/addmm/addbmm/baddbmm/linear
# and the convolutions are lowered on every device (their hooks call autocast_mode.call directly);
# the ones below differ between the devices. 'plain' ops are composites that PyTorch runs in
# their input dtype: their insides (matmul...) must not be lowered either.
LOWER = {
    'cpu': frozenset({'prelu', 'vecdot'}),
    'cuda': frozenset({'mv', 'addmv', 'addr', 'prelu'}),
}
PLAIN = {
    'cpu': frozenset({'bilinear'}),        # (PyTorch's bilinear is one kernel, not matmuls)
    'cuda': frozenset(),
}

FP32 = {
    'cpu': frozenset(_CPU_LOSSES | _CPU_POOL_PAD | _CPU_LINALG | {'prod', 'trace'}),
    'cuda': frozenset(_CUDA_POINTWISE | _CUDA_REDUCE_NORM | _CUDA_LOSSES),
}

PROMOTE = {
    'cpu': frozenset({'cat', 'stack', 'index_copy'}),
    'cuda': frozenset({'addcdiv', 'addcmul', 'atan2', 'bilinear', 'cross', 'dot', 'index_put', 'scatter_add',
                       'tensordot'}),
}

BANNED = {
    'cuda': {'binary_cross_entropy': (
        'ember.nn.functional.binary_cross_entropy and ember.nn.BCELoss are unsafe to autocast.\n'
        'A sigmoid followed by binary cross entropy is usually better written as one layer: '
        'ember.nn.functional.binary_cross_entropy_with_logits or ember.nn.BCEWithLogitsLoss, '
        'which are safe to autocast.')},
}


def pad_name(mode, pad):
    """The kernel F.pad runs for ``mode`` and a pad tuple of ``len(pad)``: 'reflection_pad2d', ..."""
    kind = {'reflect': 'reflection', 'replicate': 'replication'}.get(mode)
    return None if kind is None or not hasattr(pad, '__len__') else f'{kind}_pad{len(pad) // 2}d'


# ------------------------------------------------------------------ the hooks' questions
def fp32(name, x):
    """True when the device of ``x`` (a tensor or a sequence) runs op ``name`` in float32 now."""
    from .autocast_mode import state
    kind = kind_of(x)
    if not state.enabled.get(kind, False):
        return False
    if name in BANNED.get(kind, ()):
        raise RuntimeError(BANNED[kind][name])
    return name in FP32.get(kind, ())


def promote(name, x):
    """True when the device of ``x`` runs op ``name`` in the widest floating type of its inputs now."""
    from .autocast_mode import state
    kind = kind_of(x)
    return state.enabled.get(kind, False) and name in PROMOTE.get(kind, ())


# ------------------------------------------------------------------ helpers of the casting hooks
def tensors(args):
    """The tensors among ``args``, also those inside lists and tuples (cat's sequence)."""
    from .._tensor import Tensor
    for a in args:
        if isinstance(a, Tensor):
            yield a
        elif isinstance(a, (list, tuple)):
            yield from (t for t in a if isinstance(t, Tensor))


def kind_of(*xs):
    """The device type autocast looks at for an op on ``xs`` (tensors, or sequences of them)."""
    t = next(tensors(xs), None)
    return None if t is None else t.device.type


def eligible(t, kind):
    """Autocast casts floating tensors of the region's device type, never float64 ones."""
    return t.device.type == kind and t.dtype.np.kind in 'fV' and t.dtype != _dtype.float64


def cast_all(args, kwargs, kind, target):
    """``args``/``kwargs`` with their eligible tensors (lists and tuples too) cast to ``target``
    by ``Tensor.to`` (so autograd records the cast and gradients come back in the input dtype)."""
    from .._tensor import Tensor

    def one(a):
        if isinstance(a, Tensor):
            return a.to(target) if eligible(a, kind) and a.dtype != target else a
        if isinstance(a, (list, tuple)) and any(isinstance(t, Tensor) for t in a):
            return type(a)(one(t) for t in a)
        return a
    return [one(a) for a in args], {k: one(v) for k, v in kwargs.items()}


def widest(args, kind, low):
    """The type a widest-type-list op runs in: float32 if any eligible input is float32, else the
    region's ``low`` dtype; float64 inputs are not counted; another low type is an error."""
    out = low
    for t in tensors(args):
        if not eligible(t, kind):
            continue
        if out == _dtype.float32 or t.dtype == _dtype.float32:
            out = _dtype.float32
        elif t.dtype != low:
            raise RuntimeError('Unexpected floating ScalarType in at::autocast::prioritize')
    return out


def lower(name, x):
    """True when the device of ``x`` runs op ``name`` in the region's low dtype now."""
    from .autocast_mode import state
    kind = kind_of(x)
    return state.enabled.get(kind, False) and name in LOWER.get(kind, ())


def plain(name, x):
    """True when op ``name`` (a composite) runs in its input dtype on the device of ``x``."""
    from .autocast_mode import state
    kind = kind_of(x)
    return state.enabled.get(kind, False) and name in PLAIN.get(kind, ())


def run_off(op, *args, **kwargs):
    """A composite PyTorch runs as given: ``op`` with autocast off, so its insides are not lowered."""
    from .autocast_mode import _run_off
    return _run_off(op, args, kwargs)
