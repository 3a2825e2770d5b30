"""F.ctc_loss / ember.ctc_loss / nn.CTCLoss against PyTorch: losses, gradients wrt log_probs
(a log_softmax of a random leaf), grad_fn names, gradcheck in float64, errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import case, check, check_error, F64

T_, N_, C_ = 6, 3, 5


def L(*v):
    return np.array(v, dtype=np.int64)


TG = L([1, 1, 2], [3, 4, 0], [2, 0, 0])           # padded targets (N, S): a repeat, a pair, one label
TL = L(3, 2, 1)
IL = L(6, 4, 5)
CAT = L(1, 1, 2, 3, 4, 2)                          # the same targets concatenated


def ctc(**kw):
    """ctc_loss of log_softmax(x) (x: (T, N, C) leaf) with the given targets and lengths."""
    return lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(x.log_softmax(-1), tg, il, tl, **kw)


def ctc_lists(**kw):
    return lambda T, x, tg: T.nn.functional.ctc_loss(x.log_softmax(-1), tg, [6, 4, 5], (3, 2, 1), **kw)


X = (T_, N_, C_)
BASIC = [X, TG, IL, TL]
NO_GG = dict(gradgrad=False)       # PyTorch has no double backward for ctc_loss

CASES = [
    case('none', ctc(reduction='none'), BASIC, **NO_GG),
    case('sum', ctc(reduction='sum'), BASIC, **NO_GG),
    case('mean', ctc(), BASIC, **NO_GG),
    case('elementwise_mean_warns', ctc(reduction='elementwise_mean'), BASIC, **NO_GG),
    case('float64', ctc(reduction='none'), BASIC, dtype=F64, **NO_GG),
    case('concatenated_targets', ctc(reduction='none'), [X, CAT, IL, TL], **NO_GG),
    case('concatenated_mean', ctc(), [X, CAT, IL, TL], **NO_GG),
    case('lengths_as_lists', ctc_lists(reduction='none'), [X, TG], **NO_GG),
    case('lengths_as_lists_mean', ctc_lists(), [X, TG], **NO_GG),
    case('int32_lengths_targets', ctc(reduction='none'),
         [X, TG.astype(np.int32), IL.astype(np.int32), TL.astype(np.int32)], **NO_GG),
    case('float_targets', ctc(reduction='none'), [X, TG.astype(np.float32), IL, TL],
         requires_grad=[True, False, False, False], **NO_GG),
    case('blank_last', ctc(blank=4, reduction='none'), [X, L([0, 0, 2], [3, 1, 0], [2, 0, 0]), IL, TL], **NO_GG),
    case('blank_middle', ctc(blank=2, reduction='sum'), [X, L([1, 1, 3], [3, 4, 0], [0, 0, 0]), IL, TL], **NO_GG),
    case('empty_targets', ctc(reduction='none'), [X, TG, IL, L(0, 2, 0)], **NO_GG),
    case('empty_targets_mean', ctc(), [X, TG, IL, L(0, 0, 0)], **NO_GG),
    case('all_empty_concatenated', ctc(reduction='none'), [X, L(), IL, L(0, 0, 0)], **NO_GG),
    case('zero_input_length', ctc(reduction='none'), [X, TG, L(0, 4, 5), L(0, 2, 1)], **NO_GG),
    case('exact_fit', ctc(reduction='none'), [X, L([1, 1, 2], [1, 2, 3], [1, 2, 1]), L(4, 3, 5), TL + [0, 1, 2]],
         **NO_GG),
    case('longer_targets', ctc(reduction='none'), [(8, 2, 6), L([1, 2, 3, 4, 5], [5, 5, 5, 0, 0]), L(8, 7), L(5, 3)],
         **NO_GG),
    case('one_step', ctc(reduction='none'), [(1, 2, 3), L([1], [2]), L(1, 1), L(1, 0)], **NO_GG),
    case('one_class_plus_blank', ctc(reduction='none'), [(4, 2, 2), L([1, 1], [1, 0]), L(4, 3), L(2, 1)], **NO_GG),
    # impossible alignments: inf loss, nan gradient inside the input (as PyTorch)
    case('impossible_inf', ctc(reduction='none'), [X, TG, L(3, 1, 5), TL], gradcheck=False),
    case('impossible_mean', ctc(), [X, TG, L(3, 1, 5), TL], gradcheck=False),
    case('zero_infinity_none', ctc(reduction='none', zero_infinity=True), [X, TG, L(3, 1, 5), TL], **NO_GG),
    case('zero_infinity_sum', ctc(reduction='sum', zero_infinity=True), [X, TG, L(3, 1, 5), TL], **NO_GG),
    case('zero_infinity_mean', ctc(zero_infinity=True), [X, TG, L(3, 1, 5), TL], **NO_GG),
    case('zero_infinity_finite', ctc(reduction='none', zero_infinity=True), BASIC, **NO_GG),
    # layouts
    case('log_probs_transposed', lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(
        x.log_softmax(2).transpose(0, 1), tg, il, tl, reduction='none'), [(N_, T_, C_), TG, IL, TL], **NO_GG),
    case('targets_transposed', lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(
        x.log_softmax(2), tg.t(), il, tl, reduction='none'), [X, TG.T.copy(), IL, TL], **NO_GG),
    case('lengths_2d', lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(
        x.log_softmax(2), tg, il[None], tl[None]), BASIC, **NO_GG),
    # unbatched (T, C)
    case('unbatched_none', ctc(reduction='none'), [(T_, C_), L(1, 2, 2), np.array(6), np.array(3)], **NO_GG),
    case('unbatched_mean', ctc(), [(T_, C_), L(1, 2, 2), np.array(5), np.array(3)], **NO_GG),
    case('unbatched_sum_1elem_lengths', ctc(reduction='sum'), [(T_, C_), L(3, 4), L(6), L(2)], **NO_GG),
    case('unbatched_2d_targets', ctc(reduction='none'), [(T_, C_), L([3, 4]), L(6), L(2)], **NO_GG),
    # ember.ctc_loss (torch.ctc_loss: reduction as PyTorch's enum number)
    case('top_level_sum', lambda T, x, tg, il, tl: T.ctc_loss(x.log_softmax(2), tg, il, tl, 0, 2), BASIC, **NO_GG),
    case('top_level_mean', lambda T, x, tg, il, tl: T.ctc_loss(x.log_softmax(2), tg, il, tl, 0, 1, True),
         BASIC, **NO_GG),
    case('top_level_other_enum_none', lambda T, x, tg, il, tl: T.ctc_loss(x.log_softmax(2), tg, il, tl, 0, 5), BASIC,
         **NO_GG),
    case('top_level_default_none', lambda T, x, tg, il, tl: T.ctc_loss(x.log_softmax(2), tg, il, tl), BASIC, **NO_GG),
    # the layer
    case('module_mean', lambda T, x, tg, il, tl: T.nn.CTCLoss()(x.log_softmax(2), tg, il, tl), BASIC, **NO_GG),
    case('module_options', lambda T, x, tg, il, tl: T.nn.CTCLoss(blank=4, reduction='sum', zero_infinity=True)(
        x.log_softmax(2), tg, il, tl), [X, L([0, 0, 2], [3, 1, 0], [2, 0, 0]), L(6, 1, 5), TL], **NO_GG),
]


@pytest.mark.filterwarnings("ignore:reduction='elementwise_mean' is deprecated")
@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_ctc(fn, specs, kw):
    kw = dict(kw)
    if 'requires_grad' not in kw:
        kw['requires_grad'] = [True] + [False] * (len(specs) - 1)
    check(fn, specs, **kw)


def test_grad_on_log_probs_leaf():
    """The gradient handed to log_probs itself is PyTorch's exp(log_probs) - posterior."""
    def f(T, lp, tg, il, tl):
        return T.nn.functional.ctc_loss(lp, tg, il, tl, reduction='sum')
    x = np.log(np.random.default_rng(3).dirichlet(np.ones(C_), (T_, N_)))
    check(f, [x, TG, IL, TL], requires_grad=[True, False, False, False], gradcheck=False)


def test_no_double_backward():
    x = np.random.default_rng(0).standard_normal(X)
    msgs = []
    for T in (torch, ember):
        lp = T.tensor(x, requires_grad=True)
        loss = T.nn.functional.ctc_loss(lp, T.tensor(TG), T.tensor(IL), T.tensor(TL))
        g, = T.autograd.grad(loss, lp, create_graph=True)
        assert g.grad_fn.name().split('::')[1:] == ['autograd', 'NotImplemented']
        with pytest.raises(RuntimeError) as err:
            g.sum().backward()
        msgs.append(str(err.value).split('\n')[0])
    assert msgs[0] == msgs[1] == 'derivative for aten::_ctc_loss_backward is not implemented'


def test_module_repr_and_attributes():
    for kw in ({}, dict(blank=3, reduction='sum', zero_infinity=True)):
        e, t = ember.nn.CTCLoss(**kw), torch.nn.CTCLoss(**kw)
        assert repr(e) == repr(t) == 'CTCLoss()'
        assert (e.blank, e.reduction, e.zero_infinity) == (t.blank, t.reduction, t.zero_infinity)


def test_float32_batch():
    """A bigger float32 batch: values and gradients as PyTorch's."""
    rng = np.random.default_rng(5)
    n, s = 8, 7
    tl = rng.integers(0, s + 1, n)
    tg = rng.integers(1, 10, (n, s))
    il = rng.integers(2 * s + 1, 20, n)
    check(ctc(reduction='mean'), [(20, n, 10), tg, il, tl], requires_grad=[True, False, False, False],
          gradcheck=False)


def err(**kw):
    return lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(x, tg, il, tl, **kw)


ERRORS = [
    case('half', err(), [np.zeros(X, np.float16), TG, IL, TL]),
    case('int_log_probs', err(), [np.zeros(X, np.int32), TG, IL, TL]),
    case('float_input_lengths', err(), [X, TG, IL.astype(np.float32), TL]),
    case('float_target_lengths', err(), [X, TG, IL, TL.astype(np.float32)]),
    case('bool_input_lengths', err(), [X, TG, IL > 0, TL]),
    case('empty_log_probs', err(), [(0, N_, C_), TG, IL, TL]),
    case('log_probs_1d', err(), [(T_,), TG, IL, TL]),
    case('log_probs_4d', err(), [(2, T_, N_, C_), TG, IL, TL]),
    case('targets_3d', err(), [X, TG[None], IL, TL]),
    case('blank_too_big', err(blank=5), BASIC),
    case('blank_negative', err(blank=-1), BASIC),
    case('input_lengths_batch', err(), [X, TG, IL[:2], TL]),
    case('target_lengths_batch', err(), [X, TG, IL, TL[:2]]),
    case('unbatched_lengths_batch', err(), [(N_, C_), TG, IL, TL]),
    case('negative_target_length', err(), [X, TG, IL, L(3, -1, 1)]),
    case('target_length_past_targets', err(), [X, TG, IL, L(3, 4, 1)]),
    case('targets_batch', err(), [X, TG[:2], IL, TL]),
    case('concatenated_too_long', err(), [X, CAT, IL, L(3, 2, 0)]),
    case('concatenated_too_short', err(), [X, CAT[:5], IL, TL]),
    case('input_length_too_long', err(), [X, TG, L(7, 4, 5), TL]),
    case('negative_input_length', err(), [X, TG, L(6, -1, 5), TL]),
    case('bad_reduction', err(reduction='avg'), BASIC),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_ctc_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_functional_reduction_number_is_an_error():
    for T in (torch, ember):
        with pytest.raises(ValueError, match='1 is not a valid value for reduction'):
            T.nn.functional.ctc_loss(T.zeros(6, 3, 5), T.tensor(TG), T.tensor(IL), T.tensor(TL), reduction=1)


@pytest.mark.parametrize('fn', [
    lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(x, tg, il, (3, 2, 1)),        # tensor and tuple lengths
    lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(x, tg, [6., 4., 5.], [3, 2, 1]),
    lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(x, tg, il, tl, blank=1.0),
    lambda T, x, tg, il, tl: T.nn.functional.ctc_loss(x[:, 0], tg[0], 6, 3),
    lambda T, x, tg, il, tl: T.ctc_loss(x, tg, il, tl, 0, 'mean'),                  # top level: enum only
    lambda T, x, tg, il, tl: T.ctc_loss(x, tg, il, tl, 0, reduction='sum'),
    lambda T, x, tg, il, tl: T.ctc_loss(x, tg, il, tl, 0, True),
], ids=['mixed_lengths', 'float_list', 'float_blank', 'int_lengths', 'top_level_string', 'top_level_keyword',
        'top_level_bool'])
def test_ctc_type_errors(fn):
    check_error(fn, BASIC, message='first_line')
