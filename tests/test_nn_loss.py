"""Losses and distances against PyTorch: functional forms (values, dtypes, grad_fn names, backward, float64
gradcheck/gradgradcheck) for every reduction, weights, ignore_index, label smoothing, K-dim inputs and
broadcasting; the errors of common mistakes; the warnings; the layers (repr, buffers, forward/backward)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case, ints, F32
from layers import check_layer

# the size-mismatch / deprecation warnings are compared in test_loss_warnings; silence them elsewhere
pytestmark = pytest.mark.filterwarnings('ignore:Using a target size', 'ignore:size_average and reduce',
                                        "ignore:reduction. 'mean' divides")


def f(name, *args, **kw):
    """nn.functional.<name>(*tensors, *args, **kw)."""
    return lambda T, *xs, **k: getattr(T.nn.functional, name)(*xs, *args, **kw, **k)


def fkw(name, key, **kw):
    """nn.functional.<name>(x, y, key=<third tensor>, **kw)."""
    return lambda T, x, y, a, **k: getattr(T.nn.functional, name)(x, y, **{key: a}, **kw, **k)


def bcel(T, x, y, w, pw, **k):
    return T.nn.functional.binary_cross_entropy_with_logits(x, y, w, pos_weight=pw, **k)


def nll(T, x, t, *rest, **kw):
    return T.nn.functional.nll_loss(x.log_softmax(1 if x.ndim > 1 else 0), t, *rest, **kw)


def unif(shape, low=0.05, high=0.95, seed=3, dtype=F32):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


def probs(shape, axis=1, seed=4):
    e = np.exp(np.random.default_rng(seed).standard_normal(shape))
    return (e / e.sum(axis, keepdims=True)).astype(F32)


def pm1(shape, seed=5):
    return np.where(np.random.default_rng(seed).random(shape) > 0.5, 1.0, -1.0).astype(F32)


def red_cases(id_, fn, specs, reds=('mean', 'sum', 'none'), **kw):
    """One case per reduction; double backward (the slow check) for the first reduction only."""
    return [case(f'{id_}-{r}', lambda T, *xs, fn=fn, r=r: fn(T, *xs, reduction=r), specs,
                 **dict(kw, gradgrad=kw.get('gradgrad', True) and r == reds[0])) for r in reds]


T4 = ints((4,), 0, 5, seed=1)             # class indices for (4, 5) inputs
T4I = np.array([0, -100, 4, 2])           # one sample ignored
T3D = ints((2, 4), 0, 3, seed=2)          # for (2, 3, 4)
T4D = ints((2, 2, 3), 0, 3, seed=3)       # for (2, 3, 2, 3)
T5D = ints((2, 2, 1, 2), 0, 3, seed=4)    # for (2, 3, 2, 1, 2)
W5, W3, V31 = unif((5,), 0.2, 2.0, seed=6), unif((3,), 0.2, 2.0, seed=7), unif((3, 1), 0.1, 2)
MLT = np.array([[3, 0, -1, 1, 4], [1, 1, 2, 4, 0], [-1, 0, 0, 0, 0]])      # multilabel targets, -1 ends
P34, Q34, F64, B34 = unif((3, 4)), unif((3, 4), seed=9), np.ones((3, 4)), (pm1((3, 4)) + 1) / 2
NG = dict(requires_grad=[True, False, False])      # (input, target, weight): only the input learns
NT = dict(requires_grad=[True, False])             # the target takes no gradient
NT3 = dict(requires_grad=[True, True, False])      # (input1, input2, target)
WG = dict(requires_grad=[True, False, True])       # a weight that asks for a gradient: refused
CE, BL, FWD = f('cross_entropy'), 'binary_cross_entropy_with_logits', dict(forward_only=True)

FUNCTIONAL = [
    *red_cases('ce', CE, [(4, 5), T4]),
    *red_cases('ce-weight', CE, [(4, 5), T4, W5], **NG),
    *red_cases('ce-ignore', f('cross_entropy', ignore_index=-100), [(4, 5), T4I]),
    *red_cases('ce-ignore-weight', CE, [(4, 5), T4I, W5], **NG),
    *red_cases('ce-ignore-1', f('cross_entropy', ignore_index=1), [(4, 5), T4]),
    *red_cases('ce-3d', CE, [(2, 3, 4), T3D]),
    *red_cases('ce-4d-weight', CE, [(2, 3, 2, 3), T4D, W3], **NG),
    *red_cases('ce-5d', CE, [(2, 3, 2, 1, 2), T5D]),
    *red_cases('ce-unbatched', CE, [(5,), np.array(3)]),
    *red_cases('ce-smooth', f('cross_entropy', label_smoothing=0.2), [(4, 5), T4I]),
    *red_cases('ce-smooth-weight', f('cross_entropy', label_smoothing=0.3), [(4, 5), T4I, W5], **NG),
    *red_cases('ce-smooth-3d', f('cross_entropy', label_smoothing=0.1), [(2, 3, 4), T3D, W3], **NG),
    *red_cases('ce-smooth-unbatched', f('cross_entropy', label_smoothing=0.1), [(5,), np.array(3)]),
    *red_cases('ce-probs', CE, [(4, 5), probs((4, 5))]),
    *red_cases('ce-probs-weight', CE, [(4, 5), probs((4, 5)), W5], **NT3),
    *red_cases('ce-probs-smooth', f('cross_entropy', label_smoothing=0.25), [(2, 3, 4), probs((2, 3, 4)), W3], **NT3),
    *red_cases('ce-probs-unbatched', CE, [(5,), probs((5,), 0)]),
    case('ce-uint8-target', CE, [(4, 5), T4.astype(np.uint8)]),
    case('ce-float64', CE, [(4, 5), T4], dtype=np.float64),
    case('ce-empty', CE, [(0, 5), ints((0,))], gradcheck=False),
    case('ce-probs-empty', CE, [(0, 5), np.zeros((0, 5), F32)], gradcheck=False),
    case('ce-all-ignored', CE, [(3, 5), np.full(3, -100)], gradcheck=False),
    case('ce-noncontig', lambda T, x, t: T.nn.functional.cross_entropy(x.transpose(1, 2), t), [(2, 4, 3), T3D]),
    case('ce-legacy', f('cross_entropy', size_average=False), [(4, 5), T4]),
    case('ce-negative-smoothing', f('cross_entropy', label_smoothing=-0.5), [(4, 5), T4]),
    *red_cases('nll', nll, [(4, 5), T4]),
    *red_cases('nll-weight-ignore', nll, [(4, 5), T4I, W5], **NG),
    *red_cases('nll-3d', nll, [(2, 3, 4), T3D, W3], **NG),
    *red_cases('nll-4d', nll, [(2, 3, 2, 3), T4D]),
    *red_cases('nll-5d-ignore', lambda T, x, t, **k: nll(T, x, t, ignore_index=1, **k), [(2, 3, 2, 1, 2), T5D]),
    *red_cases('nll-unbatched', nll, [(5,), np.array(2)]),
    case('nll-unbatched-1', nll, [(5,), np.array([2])], **FWD),       # torch's own backward fails here
    case('nll-all-ignored-mean', nll, [(3, 5), np.full(3, -100)], gradcheck=False),    # nan
    case('nll-all-ignored-sum', nll, [(3, 5), np.full(3, -100)], gradcheck=False),
    case('nll-zero-weight', lambda T, x, t, w: nll(T, x, t, w * 0), [(3, 5), T4[:3], W5], **NG, gradcheck=False),
    *red_cases('mse', f('mse_loss'), [(3, 4), (3, 4)]),
    *red_cases('mse-weight', fkw('mse_loss', 'weight'), [(3, 4), (3, 4), unif((3, 4))], **NT3),
    case('mse-broadcast', f('mse_loss'), [(3, 4), (4,)]),
    case('mse-int-target', f('mse_loss'), [(3, 4), ints((3, 4))]),
    case('mse-mixed-float', f('mse_loss'), [(3, 4), F64]),
    case('mse-0d', f('mse_loss'), [(), ()]),
    case('mse-empty', f('mse_loss'), [(0, 3), (0, 3)], gradcheck=False),
    *red_cases('l1', f('l1_loss'), [(3, 4), (3, 4)]),
    *red_cases('l1-weight', fkw('l1_loss', 'weight'), [(3, 4), (3, 4), unif((3, 4))], **NT3),
    case('l1-broadcast', f('l1_loss'), [(2, 3, 4), (3, 1)]),
    *red_cases('smooth_l1', f('smooth_l1_loss'), [(3, 4), (3, 4)]),
    *red_cases('smooth_l1-beta', f('smooth_l1_loss', beta=0.5), [(3, 4), (3, 4)]),
    *red_cases('smooth_l1-beta0', f('smooth_l1_loss', beta=0.0), [(3, 4), (3, 4)]),
    case('smooth_l1-broadcast', f('smooth_l1_loss'), [(3, 4), (4,)]),
    case('smooth_l1-legacy', f('smooth_l1_loss', reduce=False), [(3, 4), (3, 4)]),
    *red_cases('huber', f('huber_loss'), [(3, 4), (3, 4)]),
    *red_cases('huber-delta', f('huber_loss', delta=0.7), [(3, 4), (3, 4)]),
    *red_cases('huber-weight', fkw('huber_loss', 'weight'), [(3, 4), (3, 4), unif((3, 4))], **NT3),
    case('huber-broadcast', f('huber_loss', delta=2.0), [(3, 1), (4,)]),
    *red_cases('soft_margin', f('soft_margin_loss'), [(3, 4), pm1((3, 4))], **NT),
    case('soft_margin-broadcast', f('soft_margin_loss'), [(3, 4), pm1((4,))], **NT),
    *red_cases('bce', f('binary_cross_entropy'), [P34, Q34]),
    *red_cases('bce-weight', f('binary_cross_entropy'), [P34, Q34, unif((4,), 0.5, 2)], **NG),
    case('bce-hard-targets', f('binary_cross_entropy'), [P34, B34], **NG),
    case('bce-0d', f('binary_cross_entropy'), [unif(()), unif((), seed=9)]),
    *red_cases('bce_logits', f(BL), [(3, 4), Q34]),
    *red_cases('bce_logits-weights', bcel, [(3, 4), Q34, unif((3, 1), 0.5, 2), unif((4,), 0.5, 3)],
               requires_grad=[True, True, False, False]),
    case('bce_logits-pos_weight-col', fkw(BL, 'pos_weight'), [(2, 3, 4), unif((2, 3, 4)), V31], **NG),
    case('bce_logits-large', f(BL), [(3, 4), Q34], low=-60, high=60, gradcheck=False),
    *red_cases('kl_div', f('kl_div'), [(3, 4), Q34], reds=['sum', 'none', 'batchmean']),
    *red_cases('kl_div-log_target', f('kl_div', log_target=True), [(3, 4), (3, 4)], reds=['sum', 'none', 'batchmean']),
    case('kl_div-zero-target', f('kl_div', reduction='sum'), [(3, 4), np.array([[0, .5, .5, 0]] * 3, F32)], **NT),
    case('kl_div-batchmean-0d', f('kl_div', reduction='batchmean'), [(), unif(())]),
    *red_cases('poisson', f('poisson_nll_loss'), [(3, 4), unif((3, 4), 0, 3)]),
    *red_cases('poisson-full', f('poisson_nll_loss', full=True), [(3, 4), unif((3, 4), 0, 3)], **NT),
    case('poisson-not-log', f('poisson_nll_loss', log_input=False), [unif((3, 4), 0.1, 2), unif((3, 4), 0, 3)]),
    *red_cases('gaussian', f('gaussian_nll_loss'), [(3, 4), (3, 4), unif((3, 4), 0.1, 2)]),
    # the clamps of gaussian_nll_loss and cosine_similarity are invisible to autograd (as in torch): no gradcheck
    case('gaussian-full-clamped', f('gaussian_nll_loss', full=True, eps=0.3), [(3, 4), (3, 4), P34], gradcheck=False),
    case('gaussian-var-per-row', f('gaussian_nll_loss'), [(3, 4), (3, 4), unif((3,), 0.1, 2)], gradgrad=False),
    case('gaussian-var-col', f('gaussian_nll_loss', reduction='none'), [(3, 4), (3, 4), V31], gradgrad=False),
    case('gaussian-var-float', f('gaussian_nll_loss', 0.5), [(3, 4), (3, 4)]),
    *red_cases('multilabel_soft_margin', f('multilabel_soft_margin_loss'), [(3, 4), Q34]),
    case('multilabel_soft_margin-weight', f('multilabel_soft_margin_loss'), [(3, 4), B34, unif((4,))], **NG),
    *red_cases('margin_ranking', f('margin_ranking_loss', margin=0.3), [(5,), (5,), pm1((5,))], **NT3),
    case('margin_ranking-broadcast', f('margin_ranking_loss'), [(3, 4), (1, 4), pm1((3, 1))], **NT3),
    *red_cases('hinge_embedding', f('hinge_embedding_loss', margin=0.5), [(3, 4), pm1((3, 4))], **NT),
    case('hinge_embedding-broadcast', f('hinge_embedding_loss'), [(3, 4), pm1((4,))], **NT),
    *red_cases('cosine_embedding', f('cosine_embedding_loss', margin=0.2), [(4, 3), (4, 3), pm1((4,))], **NT3),
    case('cosine_embedding-0d-target', f('cosine_embedding_loss'), [(3,), (3,), np.array(-1.0, F32)], **NT3),
    *red_cases('triplet', f('triplet_margin_loss'), [(4, 3), (4, 3), (4, 3)]),
    case('triplet-p1-swap', f('triplet_margin_loss', p=1, swap=True, margin=2.0), [(4, 3), (4, 3), (4, 3)]),
    case('triplet-p3', f('triplet_margin_loss', p=3, eps=1e-3), [(4, 3), (4, 3), (4, 3)], gradgrad=False),
    case('triplet-1d', f('triplet_margin_loss', swap=True), [(3,), (3,), (3,)], gradgrad=False),
    case('cosine_similarity', f('cosine_similarity'), [(3, 4), (3, 4)]),
    case('cosine_similarity-dim', f('cosine_similarity', dim=-1, eps=1e-3), [(2, 3, 4), (3, 4)], gradgrad=False),
    case('cosine_similarity-1d', f('cosine_similarity', dim=0), [(4,), (4,)]),
    case('cosine_similarity-tiny', f('cosine_similarity', eps=.5), [(3, 4), (3, 4)], low=-.1, high=.1, gradcheck=False),
    case('cosine_similarity-int', f('cosine_similarity'), [(3, 4), ints((3, 4))]),
    case('pairwise_distance', f('pairwise_distance'), [(3, 4), (3, 4)]),
    case('pairwise_distance-keepdim-p1', f('pairwise_distance', p=1, keepdim=True), [(3, 4), (4,)]),
    case('pairwise_distance-inf', f('pairwise_distance', p=float('inf')), [(3, 4), (3, 4)]),
    case('pairwise_distance-p0', f('pairwise_distance', p=0), [(3, 4), (3, 4)], gradcheck=False),
    case('pairwise_distance-0d', f('pairwise_distance'), [(), ()]),
    case('pairwise_distance-0d-1d', f('pairwise_distance', p=3), [(), (4,)]),
    case('pairwise_distance-int', f('pairwise_distance'), [(3, 4), ints((3, 4))]),
    # torch has no double backward for the two multi-class margin losses
    *red_cases('multi_margin', f('multi_margin_loss'), [(4, 5), T4], gradgrad=False),
    *red_cases('multi_margin-p2-weight', fkw('multi_margin_loss', 'weight', p=2, margin=0.7), [(4, 5), T4, W5],
               gradgrad=False, **NG),
    case('multi_margin-unbatched', f('multi_margin_loss', reduction='none'), [(5,), np.array(2)], gradgrad=False),
    case('multi_margin-unbatched-1', f('multi_margin_loss', reduction='none'), [(5,), np.array([2])], gradgrad=False),
    case('multi_margin-0d', f('multi_margin_loss'), [(), np.array(0)], gradgrad=False),
    *red_cases('multilabel_margin', f('multilabel_margin_loss'), [(3, 5), MLT], gradgrad=False),
    case('multilabel_margin-unbatched', f('multilabel_margin_loss', reduction='none'), [(5,), MLT[0]], gradgrad=False),
    # result dtypes of mixed inputs follow each PyTorch kernel's own rule
    case('smooth_l1-f32-f64', f('smooth_l1_loss'), [(3, 4), F64], **FWD),
    case('huber-f32-f64', f('huber_loss'), [(3, 4), F64], **FWD),
    case('huber-f64-f32', f('huber_loss'), [F64, (3, 4)], **FWD),
    case('huber-f32-long', f('huber_loss'), [(3, 4), ints((3, 4))], **FWD),
    case('soft_margin-f32-f64', f('soft_margin_loss'), [(3, 4), pm1((3, 4)).astype(np.float64)], **FWD),
    case('bce_logits-f64-f32', bcel, [F64, Q34, unif((4,)), unif((4,))], **FWD),
    case('bce_logits-f32-f64', bcel, [(3, 4), F64 / 2, F64, F64], **FWD),
    case('bce-weight-f64', f('binary_cross_entropy'), [P34, Q34, F64], **FWD),
    case('bce-f64-weight-f32', f('binary_cross_entropy'), [P34.astype(F64.dtype), Q34.astype(F64.dtype), (4,)], **FWD),
    case('ce-probs-f64', CE, [(3, 4), F64 / 4, unif((4,))], **FWD),
    case('kl-f32-f64', f('kl_div', reduction='batchmean'), [(3, 4), F64 / 4], **FWD),
]


@pytest.mark.parametrize('fn,specs,kw', FUNCTIONAL)
def test_functional(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    case('ce-target-out-of-bounds', CE, [(4, 5), np.array([0, 1, 5, 2])]),
    case('nll-target-negative', f('nll_loss'), [(4, 5), np.array([0, -1, 7, 2])]),
    case('nll-4d-out-of-bounds', f('nll_loss'), [(2, 3, 2, 2), np.full((2, 2, 2), 3)]),
    case('ce-float-target', CE, [(4, 5), T4.astype(F32)]),
    case('ce-int32-target', CE, [(4, 5), T4.astype(np.int32)]),
    case('ce-4d-uint8-target', CE, [(2, 3, 2, 2), np.zeros((2, 2, 2), np.uint8)]),
    case('ce-long-probs', CE, [(4, 5), ints((4, 5), 0, 2)]),
    case('ce-probs-ignore_index', f('cross_entropy', ignore_index=1), [(4, 5), probs((4, 5))]),
    case('ce-batch-size', CE, [(4, 5), ints((3,), 0, 5)]),
    case('nll-batch-size-3d', f('nll_loss'), [(2, 3, 4), ints((3, 4), 0, 3)]),
    case('ce-3d-target-size', CE, [(2, 3, 4), ints((2, 5), 0, 3)]),
    case('ce-4d-target-dim', CE, [(2, 3, 2, 2), ints((2, 2), 0, 3)]),
    case('ce-4d-target-size', CE, [(2, 3, 2, 2), ints((2, 2, 3), 0, 3)]),
    case('nll-multi-target', f('nll_loss'), [(4, 5), ints((4, 2), 0, 5)]),
    case('nll-1d-target-size', f('nll_loss'), [(5,), ints((2,), 0, 5)]),
    case('nll-0d-input', f('nll_loss'), [(), np.array(0)]),
    case('ce-weight-size', CE, [(4, 5), T4, W3]),
    case('nll-weight-2d', f('nll_loss'), [(4, 5), T4, unif((1, 5))]),
    case('ce-4d-weight-size', CE, [(2, 3, 2, 2), ints((2, 2, 2), 0, 3), W5]),
    case('ce-probs-weight-size', CE, [(4, 5), probs((4, 5)), W3]),
    case('nll-weight-dtype', f('nll_loss'), [np.zeros((4, 5)), T4, W5]),
    case('nll-weight-grad', f('nll_loss'), [(4, 5), T4, W5], **WG),
    case('ce-smoothing-above-1', f('cross_entropy', label_smoothing=1.5), [(4, 5), T4]),
    case('ce-probs-smoothing-above-1', f('cross_entropy', label_smoothing=2.0), [(4, 5), probs((4, 5))]),
    case('nll-int-input', f('nll_loss'), [ints((4, 5)), T4]),
    case('nll-3d-int-input', f('nll_loss'), [ints((2, 3, 4)), T3D]),
    case('ce-int-input', CE, [ints((4, 5)), T4]),
    case('ce-0d', CE, [(), np.array(1)]),
    case('mse-int-int', f('mse_loss'), [ints((3,)), ints((3,))]),
    case('mse-shape', f('mse_loss'), [(3, 4), (3, 5)]),
    case('mse-weight-size', fkw('mse_loss', 'weight'), [(3, 4), (3, 4), (4,)]),
    case('mse-weight-reduction', fkw('mse_loss', 'weight', reduction='avg'), [(3, 4), (3, 4), (3, 4)]),
    case('huber-weight-reduction', fkw('huber_loss', 'weight', reduction='avg'), [(3, 4), (3, 4), (3, 4)]),
    case('smooth_l1-negative-beta', f('smooth_l1_loss', beta=-1.0), [(3, 4), (3, 4)]),
    case('smooth_l1-shape', f('smooth_l1_loss'), [(3, 4), (2, 4)]),
    case('smooth_l1-ints', f('smooth_l1_loss'), [ints((3,)), ints((3,))]),
    case('huber-zero-delta', f('huber_loss', delta=0.0), [(3, 4), (3, 4)]),
    case('huber-ints', f('huber_loss'), [ints((3,)), ints((3,))]),
    case('huber-int-input', f('huber_loss'), [ints((3,)), (3,)]),
    case('soft_margin-target-larger', f('soft_margin_loss'), [(4,), pm1((3, 4))]),
    case('soft_margin-target-grad', f('soft_margin_loss'), [(3, 4), pm1((3, 4))], requires_grad=[True, True]),
    case('soft_margin-ints', f('soft_margin_loss'), [ints((3,)), ints((3,))]),
    case('soft_margin-int-input', f('soft_margin_loss'), [ints((3,)), (3,)]),
    case('bce-input-range', f('binary_cross_entropy'), [(3, 4), Q34]),
    case('bce-target-range', f('binary_cross_entropy'), [P34, Q34 + 1]),
    case('bce-size', f('binary_cross_entropy'), [P34, Q34[0]]),
    case('bce-target-dtype', f('binary_cross_entropy'), [P34, Q34.astype(np.float64)]),
    case('bce-weight-broadcast', f('binary_cross_entropy'), [P34, Q34, (5,)]),
    case('bce-weight-larger', f('binary_cross_entropy'), [P34, Q34, (2, 3, 4)]),
    case('bce-weight-grad', f('binary_cross_entropy'), [P34, Q34, (4,)], **WG),
    case('bce-ints', f('binary_cross_entropy'), [ints((3,), 0, 2), ints((3,), 0, 2)]),
    case('bce_logits-size', f(BL), [(3, 4), (4,)]),
    case('bce_logits-int-target', f(BL), [(3, 4), ints((3, 4), 0, 2)]),
    case('bce_logits-int-input', f(BL), [ints((3,)), (3,)]),
    case('bce_logits-weight-larger', f(BL), [(3, 4), Q34, (2, 3, 4)]),
    case('bce_logits-pos_weight-size', fkw(BL, 'pos_weight'), [(3, 4), Q34, (5,)]),
    case('bce_logits-pos_weight-larger', fkw(BL, 'pos_weight'), [(3, 4), Q34, (2, 3, 4)]),
    case('bce_logits-pos_weight-grad', fkw(BL, 'pos_weight'), [(3, 4), Q34, (4,)], **WG),
    case('kl_div-int', f('kl_div', reduction='sum'), [(3, 4), ints((3, 4))]),
    case('margin_ranking-dims', f('margin_ranking_loss'), [(3, 4), (4,), (3, 4)]),
    case('cosine_embedding-2d-target', f('cosine_embedding_loss'), [(3, 4), (3, 4), pm1((3, 4))]),
    case('cosine_embedding-1d-inputs', f('cosine_embedding_loss'), [(4,), (4,), pm1((4,))]),
    case('cosine_embedding-0d-target', f('cosine_embedding_loss'), [(3, 4), (3, 4), np.array(1.0, F32)]),
    case('cosine_embedding-target-size', f('cosine_embedding_loss'), [(3, 4), (3, 4), pm1((2,))]),
    case('triplet-dims', f('triplet_margin_loss'), [(3, 4), (3, 4), (4,)]),
    case('triplet-margin', f('triplet_margin_loss', margin=0), [(3, 4), (3, 4), (3, 4)]),
    case('gaussian-negative-var', f('gaussian_nll_loss'), [(3, 4), (3, 4), (3, 4)]),
    case('gaussian-negative-float-var', f('gaussian_nll_loss'), [(3, 4), (3, 4), -0.5]),
    case('gaussian-var-size', f('gaussian_nll_loss'), [(3, 4), (3, 4), unif((4,))]),
    case('gaussian-var-two-dims', f('gaussian_nll_loss'), [(3, 4), (3, 4), unif((1, 1))]),
    case('cosine_similarity-ints', f('cosine_similarity'), [ints((3, 4)), ints((3, 4))]),
    case('cosine_similarity-dim', f('cosine_similarity'), [(4,), (4,)]),
    case('cosine_similarity-shape', f('cosine_similarity'), [(3, 4), (3, 5)]),
    case('pairwise_distance-shape', f('pairwise_distance'), [(3, 4), (2, 4)]),
    case('multi_margin-target-range', f('multi_margin_loss'), [(4, 5), np.array([0, 5, 1, 1])]),
    case('multi_margin-target-size', f('multi_margin_loss'), [(4, 5), T4[:3]]),
    case('multi_margin-weight-size', fkw('multi_margin_loss', 'weight'), [(4, 5), T4, W3]),
    case('multi_margin-weight-2d', fkw('multi_margin_loss', 'weight'), [(4, 5), T4, unif((1, 5))]),
    case('multi_margin-p3', f('multi_margin_loss', p=3), [(4, 5), T4]),
    case('multi_margin-float-target', f('multi_margin_loss'), [(4, 5), T4.astype(F32)]),
    case('multi_margin-int-input', f('multi_margin_loss'), [ints((4, 5)), T4]),
    case('multi_margin-3d', f('multi_margin_loss'), [(2, 3, 4), T3D[:, 0]]),
    case('multi_margin-empty-classes', f('multi_margin_loss'), [(3, 0), T4[:3]]),
    case('multilabel_margin-target-range', f('multilabel_margin_loss'), [(3, 5), np.where(MLT == 4, 5, MLT)]),
    case('multilabel_margin-range-after-end', f('multilabel_margin_loss'), [(3, 5), np.where(MLT == 0, -2, MLT)]),
    case('multilabel_margin-target-size', f('multilabel_margin_loss'), [(3, 5), MLT[:2]]),
    case('multilabel_margin-unbatched-size', f('multilabel_margin_loss'), [(5,), MLT[0, :2]]),
    case('multilabel_margin-float-target', f('multilabel_margin_loss'), [(3, 5), MLT.astype(F32)]),
    case('TripletMarginLoss-margin', lambda T: T.nn.TripletMarginLoss(margin=0.0), []),
    case('HuberLoss-delta', lambda T: T.nn.HuberLoss(delta='1'), []),
    case('MultiMarginLoss-p', lambda T: T.nn.MultiMarginLoss(p=3), []),
    case('MultiMarginLoss-weight', lambda T: T.nn.MultiMarginLoss(weight=T.ones(1, 3)), []),
]
SPECS = {'nll_loss': [(4, 5), T4], 'cross_entropy': [(4, 5), T4], 'multi_margin_loss': [(4, 5), T4],
         'multilabel_margin_loss': [(3, 5), MLT], 'binary_cross_entropy': [P34, Q34],
         BL: [(3, 4), Q34], 'gaussian_nll_loss': [(3, 4), (3, 4), P34],
         'margin_ranking_loss': [(3,), (3,), (3,)], 'cosine_embedding_loss': [(3, 4), (3, 4), (3,)],
         'triplet_margin_loss': [(3, 4), (3, 4), (3, 4)]}
ERRORS += [case(f'{n}-bad-reduction', f(n, reduction='avg'), SPECS.get(n, [(3, 4), (3, 4)])) for n in [
    *SPECS, 'mse_loss', 'l1_loss', 'smooth_l1_loss', 'huber_loss', 'soft_margin_loss', 'kl_div', 'hinge_embedding_loss',
    'poisson_nll_loss', 'multilabel_soft_margin_loss']]


@pytest.mark.filterwarnings('ignore')
@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_loss_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def tensor(nn, a):
    return (torch if nn is torch.nn else ember).tensor(a)


def layer(id_, make, specs, call=None):
    return pytest.param(make, specs, call, id=id_)


def no_target_grad(m, *xs):
    return m(*xs[:-1], xs[-1].detach())


LAYERS = [
    layer('MSELoss', lambda nn: nn.MSELoss(), [(3, 4), (3, 4)]),
    layer('L1Loss', lambda nn: nn.L1Loss(reduction='sum'), [(3, 4), (3, 4)]),
    layer('SmoothL1Loss', lambda nn: nn.SmoothL1Loss(beta=0.5), [(3, 4), (3, 4)]),
    layer('HuberLoss', lambda nn: nn.HuberLoss(reduction='none', delta=0.5), [(3, 4), (3, 4)]),
    layer('BCELoss', lambda nn: nn.BCELoss(weight=tensor(nn, unif((4,)))), [P34, Q34]),
    layer('BCEWithLogitsLoss', lambda nn: nn.BCEWithLogitsLoss(weight=tensor(nn, unif((3, 1))),
                                                               pos_weight=tensor(nn, W3[:1] * 4)), [(3, 4), Q34]),
    layer('KLDivLoss', lambda nn: nn.KLDivLoss(reduction='batchmean', log_target=True), [(3, 4), (3, 4)]),
    layer('CosineEmbeddingLoss', lambda nn: nn.CosineEmbeddingLoss(0.1), [(4, 3), (4, 3), pm1((4,))], no_target_grad),
    layer('MarginRankingLoss', lambda nn: nn.MarginRankingLoss(margin=0.2), [(5,), (5,), pm1((5,))], no_target_grad),
    layer('TripletMarginLoss', lambda nn: nn.TripletMarginLoss(p=1, swap=True), [(4, 3), (4, 3), (4, 3)]),
    layer('SoftMarginLoss', lambda nn: nn.SoftMarginLoss(), [(3, 4), pm1((3, 4))], no_target_grad),
    layer('HingeEmbeddingLoss', lambda nn: nn.HingeEmbeddingLoss(margin=0.5, reduction='sum'), [(3, 4), pm1((3, 4))],
          no_target_grad),
    layer('PoissonNLLLoss', lambda nn: nn.PoissonNLLLoss(full=True), [(3, 4), unif((3, 4), 0, 3)], no_target_grad),
    layer('GaussianNLLLoss', lambda nn: nn.GaussianNLLLoss(full=True), [(3, 4), (3, 4), V31]),
    layer('MultiLabelSoftMarginLoss', lambda nn: nn.MultiLabelSoftMarginLoss(weight=tensor(nn, unif((4,)))),
          [(3, 4), P34]),
    layer('NLLLoss', lambda nn: nn.NLLLoss(weight=tensor(nn, W5), ignore_index=1), [(4, 5), T4],
          lambda m, x, t: m(x.log_softmax(1), t)),
    layer('CrossEntropyLoss', lambda nn: nn.CrossEntropyLoss(tensor(nn, W3), label_smoothing=0.1), [(2, 3, 4), T3D]),
    layer('CrossEntropyLoss-probs', lambda nn: nn.CrossEntropyLoss(reduction='sum'), [(4, 5), probs((4, 5))]),
    layer('MultiMarginLoss', lambda nn: nn.MultiMarginLoss(p=2, weight=tensor(nn, W5)), [(4, 5), T4]),
    layer('MultiLabelMarginLoss', lambda nn: nn.MultiLabelMarginLoss(reduction='none'), [(3, 5), MLT]),
    layer('PairwiseDistance', lambda nn: nn.PairwiseDistance(p=1.5, keepdim=True), [(3, 4), (3, 4)]),
    layer('CosineSimilarity', lambda nn: nn.CosineSimilarity(dim=0, eps=1e-6), [(3, 4), (3, 4)]),
]


@pytest.mark.parametrize('make,specs,call', LAYERS)
def test_loss_layers(make, specs, call):
    check_layer(make, specs, call=call)


def test_layer_reprs_and_buffers():
    for name in {p.id.split('-')[0] for p in LAYERS}:          # every loss and distance layer
        t, e = getattr(torch.nn, name)(), getattr(ember.nn, name)()
        assert repr(e) == repr(t)
        assert list(e._buffers) == list(t._buffers), name
        assert {k: v for k, v in vars(e).items() if not k.startswith('_') and k != 'training'} == \
            {k: v for k, v in vars(t).items() if not k.startswith('_') and k != 'training'}, name
    m = ember.nn.CrossEntropyLoss(weight=ember.ones(3))
    assert list(m.state_dict()) == ['weight'] and m.weight.requires_grad is False
    assert list(ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(2)).state_dict()) == ['pos_weight']


def _warned(fn, lib):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        fn(lib)
    return [(w.category.__name__, str(w.message).replace('torch.', 'ember.')) for w in rec]


@pytest.mark.parametrize('fn', [
    pytest.param(lambda T: T.nn.MSELoss(size_average=False), id='legacy-size_average'),
    pytest.param(lambda T: T.nn.CrossEntropyLoss(reduce=False), id='legacy-reduce'),
    pytest.param(lambda T: T.nn.NLLLoss2d(), id='NLLLoss2d'),
    pytest.param(lambda T: T.nn.functional.l1_loss(T.ones(3, 1), T.ones(3), size_average=True), id='l1-size'),
    pytest.param(lambda T: T.nn.functional.kl_div(T.ones(3), T.ones(3)), id='kl-mean'),
    pytest.param(lambda T: T.nn.functional.kl_div(T.ones(3), T.ones(3), reduce=False), id='kl-legacy'),
    pytest.param(lambda T: T.nn.functional.nll_loss(T.ones(2, 3), T.tensor([0, 1]), reduction='elementwise_mean'),
                 id='elementwise_mean'),
    pytest.param(lambda T: T.nn.functional.smooth_l1_loss(T.ones(2, 3), T.ones(3), reduce=True), id='smooth_l1'),
])
def test_loss_warnings(fn):
    assert _warned(fn, ember) == _warned(fn, torch)


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_legacy_arguments_pick_the_reduction(reduction):
    args = {'mean': {}, 'sum': {'size_average': False}, 'none': {'reduce': False}}[reduction]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for name in ['L1Loss', 'MSELoss', 'BCELoss', 'KLDivLoss', 'SmoothL1Loss', 'SoftMarginLoss', 'NLLLoss',
                     'CrossEntropyLoss', 'MarginRankingLoss', 'TripletMarginLoss', 'PoissonNLLLoss']:
            assert getattr(ember.nn, name)(**args).reduction == getattr(torch.nn, name)(**args).reduction == reduction
