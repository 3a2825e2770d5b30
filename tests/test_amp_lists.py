"""autocast's float32 and widest-type lists (ember/amp/op_lists.py) against torch's CPU autocast.

Every op of the CPU lists runs on float16/bfloat16 inputs inside ``autocast('cpu', dtype)`` in
both libraries: result dtype, values, grad_fn name, and after backward the dtype (and values)
of each input's gradient (a bfloat16 leaf gets a bfloat16 gradient through the cast). Ops that
are on no CPU list are run the same way to show they stay in the low dtype. The CUDA lists can
only be run against ember itself: those tests need ``ember.cuda.is_available()`` (a GPU, or
``EMBER_FAKE_CUDA=1``) and check the dtypes PyTorch documents.
"""
import numpy as np
import pytest
import torch

import ember
from ember.amp import op_lists

from helpers import _build, assert_same, _tensor_outputs

LOW = ('bfloat16', 'float16')
TOLS = {'float64': (1e-10, 1e-7), 'float32': (1e-4, 1e-3), 'float16': (2e-3, 2e-3), 'bfloat16': (2e-2, 2e-2)}
GRAD_TOLS = {'float64': (1e-8, 1e-6), 'float32': (1e-3, 1e-2), 'float16': (2e-2, 2e-2), 'bfloat16': (6e-2, 6e-2)}


@pytest.fixture(autouse=True)
def _autocast_off():
    yield
    for mod in (torch, ember):
        mod.set_autocast_enabled('cpu', False)
        mod.set_autocast_dtype('cpu', mod.bfloat16)
        mod.clear_autocast_cache()


class Keep:
    """An input that keeps its own dtype (float32 / float64) instead of taking the low one."""
    def __init__(self, a, grad=True):
        self.a, self.grad = a, grad


def U(*shape, lo=-2.0, hi=2.0, seed=0):
    return np.random.default_rng(seed + len(shape)).uniform(lo, hi, shape).astype(np.float32)


def P(*shape):
    return U(*shape, lo=0.5, hi=2.0)


def prob(*shape):
    return U(*shape, lo=0.1, hi=0.9)


def pd(n=3):
    a = U(n, n)
    return (a @ a.T + n * np.eye(n)).astype(np.float32)


def L(*v):
    return np.array(v, dtype=np.int64)


def F(T):
    return T.nn.functional


def LA(T):
    return T.linalg


def _arrays(specs, low):
    out = []
    for s in specs:
        if isinstance(s, Keep):
            out.append(s.a)
        elif isinstance(s, np.ndarray) and s.dtype.kind == 'f':
            out.append(s.astype(getattr(__import__('ml_dtypes'), 'bfloat16') if low == 'bfloat16' else np.float16))
        else:
            out.append(s)
    return out


def run_both(fn, specs, low, backward=True):
    """fn on both libraries inside autocast('cpu', low); returns the two results after comparing
    them and, with ``backward``, the inputs' gradients."""
    arrays = _arrays(specs, low)
    rg = [isinstance(a, np.ndarray) and a.dtype.kind in 'fV' and backward and getattr(s, 'grad', True)
          for a, s in zip(arrays, specs)]
    outs = {}
    for T in (torch, ember):
        xs = _build(T, arrays, rg)
        with T.autocast('cpu', dtype=getattr(T, low)):
            out = fn(T, *xs)
        outs[T] = xs, out
    (tx, tout), (ex, eout) = outs[torch], outs[ember]
    assert_same(eout, tout, f'forward ({low})', tols=TOLS, layout=False)
    touts = [o for o in _tensor_outputs(tout) if o.requires_grad]
    eouts = [o for o in _tensor_outputs(eout) if o.requires_grad]
    if backward and touts:
        rng = np.random.default_rng(1)
        gs = [rng.uniform(0.5, 1.5, tuple(o.shape)).astype(np.float32) for o in touts]
        torch.autograd.backward(touts, [torch.from_numpy(g).to(o.dtype) for g, o in zip(gs, touts)])
        ember.autograd.backward(eouts, [ember.tensor(g).to(o.dtype) for g, o in zip(gs, eouts)])
        for i, (e, t) in enumerate(zip(ex, tx)):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert (e.grad is None) == (t.grad is None), f'grad of input {i}'
                if t.grad is not None:
                    assert_same(e.grad, t.grad, f'grad of input {i} ({low})', grad_fn=False, tols=GRAD_TOLS,
                                layout=False)
    return eout, tout


# (list name or None, id, fn, specs): the name ties a case to op_lists (None: on no CPU list)
RED = dict(reduction='none')
CPU_FP32 = [
    ('cross_entropy', 'cross_entropy', lambda T, x, y: F(T).cross_entropy(x, y), [U(3, 4), L(0, 3, 1)]),
    ('cross_entropy', 'cross_entropy_probs_smooth', lambda T, x, y: F(T).cross_entropy(x, y, label_smoothing=0.1),
     [U(3, 4), prob(3, 4)]),
    ('cross_entropy', 'CrossEntropyLoss_module', lambda T, x, y: T.nn.CrossEntropyLoss()(x, y), [U(3, 4), L(0, 3, 1)]),
    ('nll_loss', 'nll_loss', lambda T, x, y: F(T).nll_loss(x, y), [U(3, 4), L(0, 3, 1)]),
    ('ctc_loss', 'ctc_loss', lambda T, x, tg, il, tl: F(T).ctc_loss(x.log_softmax(2), tg, il, tl),
     [U(6, 2, 4), np.array([[1, 2], [3, 3]]), L(6, 5), L(2, 2)]),
    ('nll_loss', 'nll_loss_2d_weight', lambda T, x, w, y: F(T).nll_loss(x, y, w, **RED),
     [U(2, 3, 2, 2), Keep(P(3), grad=False), np.zeros((2, 2, 2), np.int64)]),
    ('mse_loss', 'mse_loss', lambda T, x, y: F(T).mse_loss(x, y), [U(3, 4), U(3, 4)]),
    ('mse_loss', 'mse_loss_mixed_f32_target', lambda T, x, y: F(T).mse_loss(x, y, **RED), [U(3, 4), Keep(U(3, 4))]),
    ('mse_loss', 'mse_loss_f64_target', lambda T, x, y: F(T).mse_loss(x, y), [U(3), Keep(U(3).astype(np.float64))]),
    ('l1_loss', 'l1_loss', lambda T, x, y: F(T).l1_loss(x, y), [U(3, 4), U(3, 4)]),
    ('smooth_l1_loss', 'smooth_l1_loss', lambda T, x, y: F(T).smooth_l1_loss(x, y, beta=0.5), [U(3, 4), U(3, 4)]),
    ('huber_loss', 'huber_loss', lambda T, x, y: F(T).huber_loss(x, y, **RED), [U(3, 4), U(3, 4)]),
    ('binary_cross_entropy', 'binary_cross_entropy', lambda T, x, y: F(T).binary_cross_entropy(x, y),
     [prob(3, 4), prob(3, 4)]),
    ('binary_cross_entropy_with_logits', 'bce_with_logits',
     lambda T, x, y, p: F(T).binary_cross_entropy_with_logits(x, y, pos_weight=p),
     [U(3, 4), prob(3, 4), Keep(P(4), grad=False)]),
    ('binary_cross_entropy_with_logits', 'BCEWithLogitsLoss_module',
     lambda T, x, y: T.nn.BCEWithLogitsLoss()(x, y), [U(3, 4), prob(3, 4)]),
    ('kl_div', 'kl_div', lambda T, x, y: F(T).kl_div(x, y, reduction='batchmean'), [U(3, 4), prob(3, 4)]),
    ('poisson_nll_loss', 'poisson_nll_loss', lambda T, x, y: F(T).poisson_nll_loss(x, y), [U(3, 4), P(3, 4)]),
    ('hinge_embedding_loss', 'hinge_embedding_loss', lambda T, x, y: F(T).hinge_embedding_loss(x, y),
     [U(3, 4), Keep(np.sign(U(3, 4)).astype(np.float32), grad=False)]),
    ('margin_ranking_loss', 'margin_ranking_loss', lambda T, x, y, t: F(T).margin_ranking_loss(x, y, t, 0.1),
     [U(4), U(4, seed=1), np.array([1., -1., 1., -1.], np.float32)]),
    ('soft_margin_loss', 'soft_margin_loss', lambda T, x, y: F(T).soft_margin_loss(x, y),
     [U(3, 4), Keep(np.sign(U(3, 4)).astype(np.float32), grad=False)]),
    ('cosine_embedding_loss', 'cosine_embedding_loss', lambda T, x, y: F(T).cosine_embedding_loss(
        x, y, T.tensor([1., -1., 1.])), [U(3, 4), U(3, 4, seed=2)]),
    ('triplet_margin_loss', 'triplet_margin_loss', lambda T, a, p, n: F(T).triplet_margin_loss(a, p, n),
     [U(3, 4), U(3, 4, seed=1), U(3, 4, seed=2)]),
    ('multi_margin_loss', 'multi_margin_loss', lambda T, x, y: F(T).multi_margin_loss(x, y), [U(3, 4), L(0, 3, 1)]),
    ('multilabel_margin_loss', 'multilabel_margin_loss', lambda T, x, y: F(T).multilabel_margin_loss(x, y),
     [U(2, 4), L(3, 0, -1, 1, 1, 2, -1, 0).reshape(2, 4)]),
    ('prod', 'prod', lambda T, x: x.prod(), [P(5)]),
    ('prod', 'prod_dim', lambda T, x: T.prod(x, 1, keepdim=True), [P(2, 3)]),
    ('prod', 'prod_dtype_kept', lambda T, x: T.prod(x, 0, dtype=T.float64), [P(2, 3)]),
    ('trace', 'trace', lambda T, x: T.trace(x), [U(3, 3)]),
    ('avg_pool3d', 'avg_pool3d', lambda T, x: F(T).avg_pool3d(x, 2), [U(1, 2, 4, 4, 4)]),
    ('max_pool3d', 'max_pool3d', lambda T, x: F(T).max_pool3d(x, 2), [U(1, 1, 4, 4, 4)]),
    ('adaptive_avg_pool3d', 'adaptive_avg_pool3d', lambda T, x: F(T).adaptive_avg_pool3d(x, 2),
     [U(1, 1, 4, 4, 4)]),
    ('adaptive_max_pool3d', 'adaptive_max_pool3d', lambda T, x: F(T).adaptive_max_pool3d(x, 2), [U(1, 1, 4, 4, 4)]),
    ('max_unpool1d', 'max_unpool1d',
     lambda T, x: F(T).max_unpool1d(*F(T).max_pool1d(x, 2, return_indices=True), 2), [U(1, 2, 6)]),
    ('max_unpool2d', 'max_unpool2d', lambda T, x: F(T).max_unpool2d(*F(T).max_pool2d(x, 2, return_indices=True), 2),
     [U(1, 1, 4, 4)]),
    ('max_unpool3d', 'max_unpool3d', lambda T, x: F(T).max_unpool3d(*F(T).max_pool3d(x, 2, return_indices=True), 2),
     [U(1, 1, 4, 4, 4)]),
    ('reflection_pad1d', 'pad_reflect1d', lambda T, x: F(T).pad(x, (1, 2), mode='reflect'), [U(2, 3, 5)]),
    ('reflection_pad2d', 'ReflectionPad2d_module', lambda T, x: T.nn.ReflectionPad2d(1)(x), [U(1, 2, 4, 4)]),
    ('replication_pad1d', 'pad_replicate1d', lambda T, x: F(T).pad(x, (2, 1), mode='replicate'), [U(2, 3, 5)]),
    ('replication_pad2d', 'pad_replicate2d', lambda T, x: F(T).pad(x, (1, 1, 0, 2), mode='replicate'),
     [U(1, 2, 4, 4)]),
    ('replication_pad3d', 'pad_replicate3d', lambda T, x: F(T).pad(x, (1,) * 6, mode='replicate'),
     [U(1, 1, 3, 3, 3)]),
    ('inv', 'inverse', lambda T, x: T.inverse(x), [pd()]),
    ('inv', 'linalg_inv', lambda T, x: LA(T).inv(x), [pd()]),
    ('inv_ex', 'linalg_inv_ex', lambda T, x: LA(T).inv_ex(x).inverse, [pd()]),
    ('cholesky', 'linalg_cholesky', lambda T, x: LA(T).cholesky(x), [pd()]),
    ('cholesky_ex', 'linalg_cholesky_ex', lambda T, x: LA(T).cholesky_ex(x).L, [pd()]),
    ('pinverse', 'pinverse', lambda T, x: T.pinverse(x), [pd()]),
    ('qr', 'qr', lambda T, x: T.qr(x).R.abs(), [pd()]),
    ('qr', 'linalg_qr', lambda T, x: LA(T).qr(x).R.abs(), [pd()]),
    ('svd', 'svd', lambda T, x: T.svd(x).S, [pd()]),
    ('svd', 'linalg_svd', lambda T, x: LA(T).svd(x).S, [pd()]),
    ('svdvals', 'svdvals', lambda T, x: LA(T).svdvals(x), [pd()]),
    ('eigh', 'eigh', lambda T, x: LA(T).eigh(x).eigenvalues, [pd()]),
    ('eigvalsh', 'eigvalsh', lambda T, x: LA(T).eigvalsh(x), [pd()]),
    ('solve', 'solve', lambda T, a, b: LA(T).solve(a, b), [pd(), U(3, 2)]),
    ('lstsq', 'lstsq', lambda T, a, b: LA(T).lstsq(a, b).solution, [pd(), U(3, 2)]),
    ('triangular_solve', 'triangular_solve', lambda T, a, b: T.triangular_solve(b, a).solution, [pd(), U(3, 2)]),
    ('matrix_rank', 'matrix_rank', lambda T, a: LA(T).matrix_rank(a), [pd()]),
]

CPU_PROMOTE = [
    ('cat', 'cat_mixed', lambda T, x, y: T.cat([x, y]), [U(2, 3), Keep(U(1, 3))]),
    ('cat', 'cat_low', lambda T, x, y: T.cat((x, y), 1), [U(2, 3), U(2, 1)]),
    ('cat', 'concatenate_f64', lambda T, x, y: T.concatenate([x, y]), [U(2), Keep(U(3).astype(np.float64))]),
    ('cat', 'hstack_mixed', lambda T, x, y: T.hstack([x, y]), [U(2), Keep(U(3))]),
    ('stack', 'stack_mixed', lambda T, x, y: T.stack([x, y], 1), [Keep(U(2, 3)), U(2, 3)]),
    ('stack', 'stack_int', lambda T, x, y: T.stack([x, y]), [U(3), L(1, 2, 3)]),
    ('index_copy', 'index_copy_mixed', lambda T, x, y: x.index_copy(0, T.tensor([0, 2]), y),
     [U(3, 2), Keep(U(2, 2))]),
    ('index_copy', 'index_copy_f32_self', lambda T, x, y: T.index_copy(x, 0, T.tensor([2, 0]), y),
     [Keep(U(3, 2)), U(2, 2)]),
]

# on no CPU list: they keep the low dtype (several are on the CUDA list)
CPU_NONE = [
    (None, n, f, s) for n, f, s in [
        ('exp', lambda T, x: x.exp(), [U(4)]),
        ('pow', lambda T, x: x ** 2.5, [P(4)]),
        ('rpow', lambda T, x: 2 ** x, [U(4)]),
        ('rdiv', lambda T, x: 1 / x, [P(4)]),
        ('log_softmax', lambda T, x: F(T).log_softmax(x, -1), [U(2, 3)]),
        ('softmin', lambda T, x: F(T).softmin(x, 1), [U(2, 3)]),
        ('softplus', lambda T, x: F(T).softplus(x), [U(4)]),
        ('sum', lambda T, x: x.sum(0), [U(2, 3)]),
        ('cumsum', lambda T, x: x.cumsum(0), [U(4)]),
        ('vector_norm', lambda T, x: LA(T).vector_norm(x), [U(4)]),
        ('norm', lambda T, x: x.norm(), [U(4)]),
        ('normalize', lambda T, x: F(T).normalize(x), [U(2, 3)]),
        ('logsumexp', lambda T, x: x.logsumexp(0), [U(4)]),
        ('layer_norm', lambda T, x: F(T).layer_norm(x, (3,)), [U(2, 3)]),
        ('group_norm', lambda T, x: F(T).group_norm(x, 1), [U(2, 2, 3)]),
        ('cosine_similarity', lambda T, x, y: F(T).cosine_similarity(x, y), [U(2, 3), U(2, 3, seed=1)]),
        ('gaussian_nll_loss', lambda T, x, y, v: F(T).gaussian_nll_loss(x, y, v), [U(3), U(3), P(3)]),
        ('multilabel_soft_margin_loss', lambda T, x, y: F(T).multilabel_soft_margin_loss(x, y),
         [U(2, 3), prob(2, 3)]),
        ('pad_reflect3d', lambda T, x: F(T).pad(x, (1,) * 6, mode='reflect'), [U(1, 1, 3, 3, 3)]),
        ('pad_circular', lambda T, x: F(T).pad(x, (1, 1), mode='circular'), [U(1, 2, 4)]),
        ('pad_constant', lambda T, x: F(T).pad(x, (1, 1)), [U(1, 2, 4)]),
        ('max_pool2d', lambda T, x: F(T).max_pool2d(x, 2), [U(1, 1, 4, 4)]),
        ('max_pool3d_indices', lambda T, x: F(T).max_pool3d(x, 2, return_indices=True), [U(1, 1, 4, 4, 4)]),
        ('atan2_mixed', lambda T, x, y: T.atan2(x, y), [U(3), Keep(U(3))]),
        ('addcmul_mixed', lambda T, x, y, z: T.addcmul(x, y, z), [U(3), Keep(U(3)), U(3)]),
        ('tensordot_f32', lambda T, x, y: T.tensordot(x, y, 1), [Keep(U(2, 3)), Keep(U(3, 2))]),
        # lowered on the CUDA list only: float32 inputs stay float32 on the CPU
        ('mv_f32', lambda T, m, v: T.mv(m, v), [Keep(U(3, 4)), Keep(U(4))]),
        ('addmv_f32', lambda T, b, m, v: T.addmv(b, m, v), [Keep(U(3)), Keep(U(3, 4)), Keep(U(4))]),
        ('addr_f32', lambda T, a, u, v: T.addr(a, u, v), [Keep(U(3, 4)), Keep(U(3)), Keep(U(4))]),
    ]
]

# lowered on the CPU: float32 inputs come out in the region's low dtype
CPU_LOWER = [
    ('prelu', 'prelu_f32', lambda T, x, w: F(T).prelu(x, w), [Keep(U(2, 3)), Keep(P(1))]),
    ('vecdot', 'vecdot_f32', lambda T, x, y: LA(T).vecdot(x, y), [Keep(U(2, 3)), Keep(U(2, 3, seed=1))]),
]

CASES = CPU_FP32 + CPU_PROMOTE + CPU_NONE + CPU_LOWER
def _param(c):
    return pytest.param(*c[1:], id=c[1])


@pytest.mark.parametrize('low', LOW)
@pytest.mark.filterwarnings('ignore:torch.qr is deprecated')
@pytest.mark.parametrize('name,fn,specs', [_param(c) for c in CASES])
def test_cpu_lists_match_torch(name, fn, specs, low):
    run_both(fn, specs, low)


def test_cpu_lists_all_tested():
    """Every name on the CPU lists has a differential case above."""
    tested = {c[0] for c in CASES}
    assert set(op_lists.FP32['cpu']) <= tested, set(op_lists.FP32['cpu']) - tested
    assert set(op_lists.PROMOTE['cpu']) <= tested, set(op_lists.PROMOTE['cpu']) - tested
    assert set(op_lists.LOWER['cpu']) <= tested, set(op_lists.LOWER['cpu']) - tested


def test_float32_result_dtypes():
    x = ember.randn(3, 4).bfloat16().requires_grad_()
    with ember.autocast('cpu'):
        loss = ember.nn.functional.cross_entropy(x, ember.tensor([0, 1, 2]))
    assert loss.dtype == ember.float32
    loss.backward()
    assert x.grad.dtype == ember.bfloat16


@pytest.mark.parametrize('low', LOW)
def test_promote_mixed_low_types_error_like_torch(low):
    other = 'float16' if low == 'bfloat16' else 'bfloat16'
    msgs = []
    for T in (torch, ember):
        a, b = T.ones(2, dtype=getattr(T, low)), T.ones(2, dtype=getattr(T, other))
        with T.autocast('cpu', dtype=getattr(T, low)):
            with pytest.raises(RuntimeError) as e:
                T.cat([a, b])
        msgs.append(str(e.value).splitlines()[0])
    assert msgs[0] == msgs[1]


def test_out_and_inplace_forms_are_not_cast():
    for T in (torch, ember):
        x = T.ones(3, dtype=T.bfloat16)
        out = T.empty(0, dtype=T.bfloat16)
        with T.autocast('cpu'):
            assert T.cat([x, x.float()], out=out).dtype == T.bfloat16
            assert T.log_softmax(x, 0, dtype=T.bfloat16).dtype == T.bfloat16


def test_other_device_region_leaves_cpu_ops_alone():
    """autocast on 'cuda' only: CPU tensors run as usual (in torch as in ember)."""
    x = ember.ones(3, dtype=ember.bfloat16)
    ember.set_autocast_enabled('cuda', True)
    try:
        assert ember.exp(x).dtype == ember.bfloat16
        assert ember.nn.functional.mse_loss(x, x).dtype == ember.bfloat16
        assert ember.cat([x, x.float()]).dtype == ember.float32          # ordinary promotion
    finally:
        ember.set_autocast_enabled('cuda', False)


# ------------------------------------------------------------------ CUDA lists (ember only)
needs_cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')
EF = ember.nn.functional
CUDA_FP32 = [
    ('pow', lambda x: x ** 2), ('pow', lambda x: 2 ** x), ('pow', lambda x: ember.pow(x, x)),
    ('reciprocal', lambda x: 1 / x), ('exp', ember.exp), ('expm1', ember.expm1), ('log', ember.log),
    ('log2', ember.log2), ('log10', ember.log10), ('log1p', ember.log1p), ('acos', ember.acos),
    ('asin', ember.asin), ('cosh', ember.cosh), ('sinh', ember.sinh), ('tan', ember.tan), ('erfinv', ember.erfinv),
    ('rsqrt', ember.rsqrt), ('softplus', EF.softplus), ('sum', lambda x: x.sum()), ('prod', lambda x: x.prod(0)),
    ('cumsum', lambda x: x.cumsum(0)), ('cumprod', lambda x: x.cumprod(1)), ('softmax', lambda x: x.softmax(-1)),
    ('log_softmax', lambda x: EF.log_softmax(x, 1)), ('softmin', lambda x: EF.softmin(x, 1)),
    ('logsumexp', lambda x: x.logsumexp(1)), ('norm', lambda x: x.norm()),
    ('vector_norm', lambda x: ember.linalg.vector_norm(x, 3)), ('normalize', EF.normalize),
    ('cosine_similarity', lambda x: EF.cosine_similarity(x, x)), ('layer_norm', lambda x: EF.layer_norm(x, (3,))),
    ('group_norm', lambda x: EF.group_norm(x, 1)),
    ('cross_entropy', lambda x: EF.cross_entropy(x, ember.tensor([0, 2], device=x.device))),
    ('nll_loss', lambda x: EF.nll_loss(x, ember.tensor([0, 2], device=x.device))),
    ('mse_loss', lambda x: EF.mse_loss(x, x * 2)), ('l1_loss', lambda x: EF.l1_loss(x, x * 2)),
    ('smooth_l1_loss', lambda x: EF.smooth_l1_loss(x, x * 2)), ('huber_loss', lambda x: EF.huber_loss(x, x * 2)),
    ('kl_div', lambda x: EF.kl_div(x, x.abs(), reduction='batchmean')),
    ('binary_cross_entropy_with_logits', lambda x: EF.binary_cross_entropy_with_logits(x, x.sigmoid())),
    ('poisson_nll_loss', lambda x: EF.poisson_nll_loss(x, x.abs())),
    ('soft_margin_loss', lambda x: EF.soft_margin_loss(x, x.sign().detach())),
    ('hinge_embedding_loss', lambda x: EF.hinge_embedding_loss(x, x.sign())),
    ('margin_ranking_loss', lambda x: EF.margin_ranking_loss(x, x * 2, x.sign())),
    ('cosine_embedding_loss', lambda x: EF.cosine_embedding_loss(x, x * 2, ember.ones(2, device=x.device))),
    ('triplet_margin_loss', lambda x: EF.triplet_margin_loss(x, x * 2, x * 3)),
    ('multi_margin_loss', lambda x: EF.multi_margin_loss(x, ember.tensor([0, 2], device=x.device))),
    ('multilabel_margin_loss', lambda x: EF.multilabel_margin_loss(x, ember.tensor([[0, -1, 1]] * 2,
                                                                                  device=x.device))),
]
CUDA_STAYS_LOW = [lambda x: x.sin(), lambda x: x.mean(), lambda x: x.sqrt(), lambda x: EF.gelu(x),
                  lambda x: EF.max_pool1d(x.unsqueeze(0), 1), lambda x: x.tanh(),
                  lambda x: EF.pad(x.unsqueeze(0), (1, 1), mode='reflect')]


def _cuda_x():
    return (ember.rand(2, 3, device='cuda') + 0.1).half().requires_grad_()


@needs_cuda
@pytest.mark.parametrize('name,fn', CUDA_FP32, ids=[c[0] for c in CUDA_FP32])
def test_cuda_float32_list(name, fn):
    assert name in op_lists.FP32['cuda']
    x = _cuda_x()
    with ember.autocast('cuda'):
        y = fn(x)
    assert y.dtype == ember.float32 and y.device.type == 'cuda'
    y.sum().backward()
    assert x.grad.dtype == ember.float16


@needs_cuda
@pytest.mark.parametrize('k', range(len(CUDA_STAYS_LOW)))
def test_cuda_unlisted_ops_stay_float16(k):
    with ember.autocast('cuda'):
        assert CUDA_STAYS_LOW[k](_cuda_x()).dtype == ember.float16


@needs_cuda
def test_cuda_promote_list_and_banned_op():
    x, y = _cuda_x(), ember.rand(2, 3, device='cuda')
    idx = ember.tensor([[0, 1, 2], [2, 1, 0]], device='cuda')
    with ember.autocast('cuda'):
        assert ember.addcmul(x, y, x).dtype == ember.float32
        assert ember.addcdiv(x, x, y, value=0.5).dtype == ember.float32
        assert ember.atan2(x, y).dtype == x.atan2(y).dtype == ember.float32
        assert ember.cross(x, y, dim=1).dtype == ember.float32
        assert ember.dot(x[0], y[0]).dtype == ember.float32
        assert ember.tensordot(x, y.t(), 1).dtype == ember.float32
        assert ember.scatter_add(x, 1, idx, y).dtype == ember.float32
        assert ember.index_put(x, (ember.tensor([1], device='cuda'),), y[:1]).dtype == ember.float32
        assert ember.atan2(x, x).dtype == ember.float16
        assert ember.cat([x, y]).dtype == ember.float32                   # ordinary promotion (not listed)
        w = ember.rand(4, 3, 3, device='cuda')
        assert EF.bilinear(x, x, w).dtype == ember.float32 and EF.bilinear(x, x, w.half()).dtype == ember.float16
        with pytest.raises(RuntimeError, match='^ember.nn.functional.binary_cross_entropy and ember.nn.BCELoss '
                                               'are unsafe to autocast.'):
            EF.binary_cross_entropy(x.sigmoid(), y)
    assert set(op_lists.PROMOTE['cuda']) == {'addcdiv', 'addcmul', 'atan2', 'bilinear', 'cross', 'dot', 'index_put',
                                             'scatter_add', 'tensordot'}


@needs_cuda
def test_cuda_lowers_mv_addmv_addr_prelu():
    """PyTorch's CUDA float16 list has mv, addmv, addr and prelu (the CPU's has prelu only)."""
    m, v, b = (ember.rand(*s, device='cuda') for s in ((3, 4), (4,), (3,)))
    with ember.autocast('cuda'):
        assert ember.mv(m, v).dtype == ember.float16
        assert ember.addmv(b, m, v).dtype == ember.float16
        assert ember.addr(m, b, v).dtype == ember.float16
        assert EF.prelu(m, ember.tensor([0.25], device='cuda')).dtype == ember.float16
        assert ember.linalg.vecdot(m, m).dtype == ember.float32          # not on the CUDA list
    assert op_lists.LOWER['cuda'] == {'mv', 'addmv', 'addr', 'prelu'}


@pytest.mark.parametrize('low', LOW)
def test_bilinear_keeps_float32_on_the_cpu(low):
    """PyTorch's CPU bilinear returns float32 for float32 inputs (its products run in the low
    dtype inside, so its values carry low-precision rounding); ember's matches the dtype and
    agrees within that rounding."""
    x, y, w = U(2, 3), U(2, 4), U(5, 3, 4)
    outs = []
    for T in (torch, ember):
        with T.autocast('cpu', dtype=getattr(T, low)):
            outs.append(F(T).bilinear(*(T.tensor(a) for a in (x, y, w))))
    assert str(outs[0].dtype).split('.')[-1] == str(outs[1].dtype).split('.')[-1] == 'float32'
    np.testing.assert_allclose(outs[1].numpy(), outs[0].numpy(), rtol=3e-2, atol=5e-2)
