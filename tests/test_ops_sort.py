"""Sorting, selection and binning against PyTorch: sort, argsort, msort, topk, kthvalue,
searchsorted, bucketize, bincount, histc, histogram."""
import inspect
import warnings

import ml_dtypes
import numpy as np
import pytest

import ember
from helpers import check, check_error, arr, ints, bools, case

F32, F64 = np.float32, np.float64
NAN, INF = float('nan'), float('inf')
BF16 = ml_dtypes.bfloat16
LONG_OUT = lambda T: (T.empty(0), T.empty(0, dtype=T.long))                      # noqa: E731
F64_OUT = lambda T: (T.empty(0, dtype=T.float64), T.empty(0, dtype=T.long))      # noqa: E731
I32_OUT = lambda T: (T.empty(0), T.empty(0, dtype=T.int32))                      # noqa: E731

# ties in short rows (<= 16 elements: where PyTorch's unstable sort is an insertion sort, so stable)
TIES = arr([[2., 1., 2., 1., 3., 1.], [0., 0., 5., 0., 5., 0.]])
TIE_INTS = ints((3, 15), 0, 3)
# ties in long rows: only stable=True promises an order there
LONG_TIES = ints((2, 40), 0, 4)
WITH_NAN = arr([[3., NAN, 1., -INF, 2., NAN], [NAN, 0., -0., 0., INF, -1.]])
ZEROS_SIGNED = arr([0., -0., 1., -0., 0., -1.])


# ------------------------------------------------------------------ sort / argsort / msort

SORT = [
    case('sort', lambda x: x.sort(), [(3, 5)]),
    case('sort-fn', lambda T, x: T.sort(x), [(3, 5)]),
    case('sort-dim0', lambda x: x.sort(0), [(4, 3)]),
    case('sort-neg-dim', lambda x: x.sort(-2), [(2, 4, 3)]),
    case('sort-desc', lambda x: x.sort(descending=True), [(3, 5)]),
    case('sort-stable', lambda x: x.sort(stable=True), [(3, 5)]),
    case('sort-stable-desc-dim', lambda T, x: T.sort(x, stable=True, dim=0, descending=True), [(4, 3)]),
    case('sort-1d', lambda x: x.sort(), [(7,)]),
    case('sort-0d', lambda x: x.sort(), [()]),
    case('sort-0d-dim0', lambda x: x.sort(0, True), [()]),
    # layout=False: a 0-element result's strides copy the input's, which torch.from_numpy makes (0, 0)
    case('sort-empty-rows', lambda x: x.sort(), [np.zeros((0, 3), F32)], gradcheck=False, layout=False),
    case('sort-empty-dim', lambda x: x.sort(1), [np.zeros((2, 0), F32)], gradcheck=False, layout=False),
    case('sort-t', lambda x: x.t().sort(), [(4, 3)]),
    case('sort-t-dim0', lambda x: x.t().sort(0, True), [(4, 3)]),
    case('sort-strided', lambda x: x[:, ::2].sort(), [(3, 6)]),
    case('sort-permuted', lambda x: x.permute(2, 0, 1).sort(1), [(2, 3, 4)]),
    case('sort-size1-dims', lambda x: x.t().unsqueeze(1).sort(), [(4, 3)]),
    # no gradcheck on ties: finite differences split among equal elements; the gradient follows the index
    case('sort-ties', lambda x: x.sort(), [TIES], gradcheck=False),
    case('sort-ties-desc', lambda x: x.sort(descending=True), [TIES], gradcheck=False),
    case('sort-ties-int', lambda x: x.sort(), [TIE_INTS], forward_only=True),
    case('sort-ties-int-desc', lambda x: x.sort(1, True), [TIE_INTS], forward_only=True),
    case('sort-long-ties-stable', lambda x: x.sort(stable=True), [LONG_TIES], forward_only=True),
    case('sort-long-ties-stable-desc', lambda x: x.sort(stable=True, descending=True), [LONG_TIES], forward_only=True),
    case('sort-nan', lambda x: x.sort(), [WITH_NAN], gradcheck=False),
    case('sort-nan-desc', lambda x: x.sort(descending=True), [WITH_NAN], gradcheck=False),
    case('sort-signed-zeros', lambda x: x.sort(descending=True), [ZEROS_SIGNED], gradcheck=False),
    case('sort-int32', lambda x: x.sort(0), [ints((4, 3), dtype=np.int32)], forward_only=True),
    case('sort-uint8-desc', lambda x: x.sort(descending=True), [ints((9,), 0, 250, dtype=np.uint8)], forward_only=True),
    case('sort-bool-desc', lambda x: x.sort(descending=True), [bools((2, 7))], forward_only=True),
    case('sort-f64', lambda x: x.sort(1, True), [(3, 5)], dtype=F64),
    case('sort-f16', lambda x: x.sort(), [(3, 5)], dtype=np.float16, gradcheck=False),
    case('sort-bf16-nan', lambda x: x.sort(descending=True), [arr([1., NAN, 3., -2., 3.], BF16)], gradcheck=False),
    case('sort-chain', lambda x: x.sort().values.exp().sum(), [(3, 4)]),
    case('sort-out', lambda T, x: T.sort(x, 0, out=LONG_OUT(T)), [(3, 4)], forward_only=True),
    case('sort-out-t', lambda T, x: T.sort(x.t(), out=LONG_OUT(T)), [(3, 4)], forward_only=True),
    case('argsort', lambda x: x.argsort(), [(3, 5)]),
    case('argsort-fn-dim0-desc', lambda T, x: T.argsort(x, 0, True), [(4, 3)]),
    case('argsort-stable', lambda T, x: T.argsort(x, stable=True, descending=True), [LONG_TIES]),
    case('argsort-ties', lambda x: x.argsort(descending=True), [TIE_INTS]),
    case('argsort-t', lambda x: x.t().argsort(), [(4, 3)]),
    case('argsort-0d', lambda x: x.argsort(), [()]),
    case('argsort-nan', lambda x: x.argsort(-1, True), [WITH_NAN]),
    case('argsort-out', lambda T, x: T.argsort(x, stable=True, out=T.empty(0, dtype=T.long)), [(3, 4)],
         forward_only=True),
    case('msort', lambda x: x.msort(), [(4, 3)]),
    case('msort-t', lambda T, x: T.msort(x.t()), [(4, 3)]),
    case('msort-0d', lambda T, x: T.msort(x), [()]),
    case('msort-int', lambda T, x: T.msort(x), [ints((4, 3))], forward_only=True),
    case('msort-out', lambda T, x: T.msort(x, out=T.ones(2, 2)), [(3, 4)], forward_only=True),
]


# ------------------------------------------------------------------ topk / kthvalue

# PyTorch's topk/kthvalue are quickselects: among equal values any index is valid, so tie data
# compares values only
TOPK = [
    case('topk', lambda x: x.topk(2), [(3, 5)]),
    case('topk-fn', lambda T, x: T.topk(x, 3), [(3, 5)]),
    case('topk-smallest', lambda x: x.topk(2, largest=False), [(3, 5)]),
    case('topk-dim0', lambda x: x.topk(2, 0), [(4, 3)]),
    case('topk-neg-dim', lambda x: x.topk(1, -2), [(2, 4, 3)]),
    case('topk-k-all', lambda x: x.topk(5), [(3, 5)]),
    case('topk-k0', lambda x: x.topk(0), [(3, 5)], gradcheck=False),
    case('topk-1d-kw', lambda T, x: T.topk(x, k=3, dim=0, largest=False, sorted=True), [(6,)]),
    case('topk-unsorted-values', lambda x: x.topk(4, sorted=False).values.sort().values, [(3, 7)]),
    case('topk-1d-bf16', lambda x: x.topk(2), [(6,)], dtype=BF16, gradcheck=False),
    case('topk-0d', lambda x: x.topk(1), [()]),
    case('topk-0d-k0', lambda x: x.topk(0, 0), [()]),
    case('topk-empty-k0', lambda x: x.topk(0, 0), [np.zeros((0, 3), F32)], gradcheck=False),
    case('topk-empty-rows', lambda x: x.topk(2), [np.zeros((0, 3), F32)], gradcheck=False),
    case('topk-t', lambda x: x.t().topk(2), [(4, 3)]),
    case('topk-strided', lambda x: x[:, ::2].topk(2, largest=False), [(3, 8)]),
    case('topk-nan', lambda x: x.topk(2), [arr([[3., NAN, 1., 2.], [0., 1., NAN, -1.]])], gradcheck=False),
    case('topk-nan-smallest', lambda x: x.topk(3, largest=False), [arr([3., NAN, 1., 2.])], gradcheck=False),
    case('topk-int', lambda x: x.topk(3), [np.array([[4, -1, 7, 2], [0, 9, 3, 5]])], forward_only=True),
    case('topk-uint8', lambda x: x.topk(2, largest=False), [np.array([200, 3, 90, 7], np.uint8)], forward_only=True),
    case('topk-f64', lambda x: x.topk(2, 0), [(4, 3)], dtype=F64),
    case('topk-ties-values', lambda x: x.topk(3).values, [TIES], forward_only=True),
    case('topk-out', lambda T, x: T.topk(x, 2, out=LONG_OUT(T)), [(3, 5)], forward_only=True),
    case('kthvalue', lambda x: x.kthvalue(2), [(3, 5)]),
    case('kthvalue-fn', lambda T, x: T.kthvalue(x, 1), [(3, 5)]),
    case('kthvalue-last', lambda x: x.kthvalue(5), [(3, 5)]),
    case('kthvalue-dim0', lambda x: x.kthvalue(3, 0), [(4, 3)]),
    case('kthvalue-neg-dim-keepdim', lambda x: x.kthvalue(2, -2, True), [(2, 4, 3)]),
    case('kthvalue-1d', lambda x: x.kthvalue(3), [(5,)]),
    case('kthvalue-1d-keepdim', lambda T, x: T.kthvalue(x, 3, 0, True), [(5,)]),
    case('kthvalue-0d', lambda x: x.kthvalue(1), [()]),
    case('kthvalue-0d-keepdim', lambda x: x.kthvalue(1, 0, True), [()]),
    case('kthvalue-empty-rows', lambda x: x.kthvalue(1), [np.zeros((0, 3), F32)], gradcheck=False),
    case('kthvalue-t', lambda x: x.t().kthvalue(2), [(4, 3)]),
    case('kthvalue-nan', lambda x: x.kthvalue(3), [arr([[3., NAN, 1., 2.], [0., 1., 4., -1.]])], gradcheck=False),
    case('kthvalue-int', lambda x: x.kthvalue(2), [np.array([[4, -1, 7], [0, 9, 3]])], forward_only=True),
    case('kthvalue-f64', lambda x: x.kthvalue(2, 0, True), [(4, 3)], dtype=F64),
    case('kthvalue-f16', lambda x: x.kthvalue(2), [(3, 5)], dtype=np.float16, gradcheck=False),
    case('kthvalue-ties-values', lambda x: x.kthvalue(3).values, [TIES], forward_only=True),
    case('kthvalue-out', lambda T, x: T.kthvalue(x, 2, 0, out=LONG_OUT(T)), [(3, 5)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', SORT + TOPK)
def test_sort_select(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)        # the resized-out warning (tested below)
        check(fn, specs, **kw)


def test_selection_ties_point_at_equal_values():
    a = TIE_INTS.astype(F32)
    x = ember.tensor(a)
    for r in (x.topk(4), x.topk(5, largest=False), x.kthvalue(7, keepdim=True)):
        np.testing.assert_array_equal(np.take_along_axis(a, r.indices.cpu().numpy(), 1), r.values.cpu().numpy())


def test_out_resize_warns():
    x = ember.randn(3, 4)
    v, i = ember.ones(2, 2), ember.ones(2, 2, dtype=ember.long)
    with pytest.warns(UserWarning, match=r'An output with one or more elements was resized since it had '
                                         r'shape \[2, 2\], which does not match the required output shape \[3, 4\]'):
        r = ember.sort(x, out=(v, i))
    assert r.values is v and r.indices is i and v.shape == (3, 4)
    assert type(r).__name__ == 'sort_out' and ember.return_types.sort_out is type(r)


SORT_ERRORS = [
    case('sort-bad-dim', lambda x: x.sort(2), [(3, 4)]),
    case('sort-bad-neg-dim', lambda x: x.sort(-3), [(3, 4)]),
    case('sort-0d-bad-dim', lambda x: x.sort(1), [()]),
    case('argsort-bad-dim', lambda x: x.argsort(3), [(3, 4)]),
    case('msort-bad', lambda T, x: T.msort(x, out=T.empty(0, dtype=T.float64)), [(3, 4)]),
    case('topk-k-too-large', lambda x: x.topk(6), [(3, 5)]),
    case('topk-k-negative', lambda x: x.topk(-1), [(3, 5)]),
    case('topk-0d-k2', lambda x: x.topk(2), [()]),
    case('topk-empty-dim', lambda x: x.topk(1, 0), [np.zeros((0, 3), F32)]),
    case('topk-bad-dim', lambda x: x.topk(1, 2), [(3, 5)]),
    case('topk-k-float', lambda x: x.topk(1.5), [(3, 5)]),
    case('topk-bool', lambda x: x.topk(1), [bools((4,))]),
    case('topk-bool-k-too-large', lambda x: x.topk(5), [bools((4,))]),
    case('kthvalue-k0', lambda x: x.kthvalue(0), [(3, 5)]),
    case('kthvalue-k-too-large', lambda x: x.kthvalue(6), [(3, 5)]),
    case('kthvalue-bad-dim', lambda x: x.kthvalue(1, 2), [(3, 5)]),
    case('kthvalue-empty-dim', lambda x: x.kthvalue(1, 0), [np.zeros((0, 3), F32)]),
    case('kthvalue-k-bool', lambda x: x.kthvalue(True), [(3,)]),
    case('kthvalue-bool', lambda x: x.kthvalue(1), [bools((4,))]),
    case('sort-out-requires-grad', lambda T, x: T.sort(x, out=LONG_OUT(T)), [(3, 4)], requires_grad=[True]),
    case('topk-out-requires-grad', lambda T, x: T.topk(x, 1, out=LONG_OUT(T)), [(3, 4)], requires_grad=[True]),
    case('kthvalue-out-requires-grad', lambda T, x: T.kthvalue(x, 1, out=LONG_OUT(T)), [(3, 4)], requires_grad=[True]),
    case('sort-out-values-dtype', lambda T, x: T.sort(x, out=F64_OUT(T)), [(3, 4)]),
    case('sort-out-indices-int32', lambda T, x: T.sort(x, out=I32_OUT(T)), [(3, 4)]),
    case('topk-out-values-dtype', lambda T, x: T.topk(x, 2, out=F64_OUT(T)), [(3, 4)]),
    case('kthvalue-out-values-dtype', lambda T, x: T.kthvalue(x, 2, out=F64_OUT(T)), [(3, 4)]),
]


# ------------------------------------------------------------------ searchsorted / bucketize

SEQ = arr([1., 3., 5., 5., 7., 9.])
VALS = arr([[3., 6., 9., 0.], [5., 10., 1., 4.]])
ROWS = arr([[1., 3., 5.], [2., 4., 6.]])
UNSORTED = np.array([5., 1., 3., 9.], F32)
SORTER = np.array([1, 2, 0, 3])
LONG = np.int64

U8 = np.uint8


def ss(*args, **kw):
    """T.searchsorted(seq, values, *args, **kw); a third input is the sorter."""
    def fn(T, s, v, *sorter):
        return T.searchsorted(s, v, *args, **kw, **({'sorter': sorter[0]} if sorter else {}))
    return fn


SEARCH = [
    case('searchsorted', ss(), [SEQ, VALS]),
    case('searchsorted-right', ss(right=True), [SEQ, VALS]),
    case('searchsorted-side-right', ss(side='right'), [SEQ, VALS]),
    case('searchsorted-side-right-right', ss(side='right', right=True), [SEQ, VALS]),
    case('searchsorted-int32', ss(out_int32=True), [SEQ, VALS]),
    case('searchsorted-scalar', lambda T, s: T.searchsorted(s, 5), [SEQ]),
    case('searchsorted-int-seq-float-scalar', lambda T, s: T.searchsorted(s, 2.5), [np.array([1, 2, 3])]),
    case('searchsorted-uint8-neg-scalar', lambda T, s: T.searchsorted(s, -1), [np.array([1, 2, 3], U8)]),
    case('searchsorted-0d-value', ss(), [SEQ, arr(4.)]),
    case('searchsorted-nd', ss(), [ROWS, arr([[3., 6.], [1., 7.]])]),
    case('searchsorted-nd-right', ss(right=True), [ROWS, arr([[3., 6.], [4., 2.]])]),
    case('searchsorted-3d', ss(), [np.sort(ints((2, 3, 5)), -1), ints((2, 3, 4))]),
    case('searchsorted-sorter', ss(), [UNSORTED, arr([0., 2., 5., 9., 10.]), SORTER]),
    case('searchsorted-sorter-right', ss(side='right'), [UNSORTED, arr([[1., 3.], [5., 9.]]), SORTER]),
    case('searchsorted-sorter-nd', ss(), [arr([[5., 1., 3.], [2., 6., 4.]]), arr([[2.], [5.]]),
                                          np.array([[1, 2, 0], [0, 2, 1]])]),
    case('searchsorted-int-seq-float-values', ss(), [np.array([1, 3, 5]), arr([2.5, 4.])]),
    case('searchsorted-float-seq-int-values', ss(), [SEQ, np.array([2, 5, 9])]),
    case('searchsorted-uint8-int8', ss(), [np.array([1, 2, 3], U8), np.array([-1, 2], np.int8)]),
    case('searchsorted-uint8-int8-0d', ss(), [np.array([1, 2, 3], U8), np.array(-1, np.int8)]),
    case('searchsorted-nan', ss(), [SEQ, arr([NAN, INF, -INF])]),
    case('searchsorted-nan-seq', ss(right=True), [arr([1., NAN, 3.]), arr([2., NAN, 0., 4.])]),
    case('searchsorted-empty-seq', ss(), [np.zeros((0,), F32), arr([1., 2.])]),
    case('searchsorted-empty-values', ss(), [SEQ, np.zeros((0,), F32)]),
    case('searchsorted-f16', ss(), [SEQ.astype(np.float16), VALS.astype(np.float16)]),
    case('searchsorted-f64-values-t', lambda T, s, v: T.searchsorted(s, v.t()), [SEQ.astype(F64), VALS.astype(F64)]),
    case('searchsorted-requires-grad', ss(), [SEQ, VALS], requires_grad=[True, True]),
    case('searchsorted-out', lambda T, s, v: T.searchsorted(s, v, out=T.empty(0, dtype=T.long)), [SEQ, VALS]),
    case('searchsorted-out-int32', lambda T, s, v: T.searchsorted(s, v, out_int32=True, out=T.empty(0, dtype=T.int32)),
         [SEQ, VALS]),
    case('bucketize', lambda T, v, b: T.bucketize(v, b), [VALS, SEQ]),
    case('bucketize-right-int32', lambda T, v, b: T.bucketize(v, b, right=True, out_int32=True), [VALS, SEQ]),
    case('bucketize-scalar', lambda T, b: T.bucketize(5, b), [SEQ]),
    case('bucketize-0d', lambda T, v, b: T.bucketize(v, b), [np.array(4), SEQ]),
    case('bucketize-int-input', lambda T, v, b: T.bucketize(v, b), [np.array([1, 5, 10]), arr([1.5, 3.])]),
]


SEARCH_ERRORS = [
    case('searchsorted-shape-mismatch', ss(), [ROWS, arr([[3., 6., 7.]])]),
    case('searchsorted-nd-1d-values', ss(), [ROWS, arr([3., 6., 7.])]),
    case('searchsorted-nd-scalar', lambda T, s: T.searchsorted(s, 3), [ROWS]),
    case('searchsorted-0d-seq', ss(), [arr(1.), arr([2.])]),
    case('searchsorted-bad-side', ss(side='middle'), [SEQ, VALS]),
    case('searchsorted-side-conflict', ss(side='left', right=True), [SEQ, VALS]),
    case('searchsorted-sorter-size', ss(), [UNSORTED, arr([2.]), np.array([1, 2])]),
    case('searchsorted-sorter-int32', ss(), [UNSORTED, arr([2.]), SORTER.astype(np.int32)]),
    case('searchsorted-sorter-range', ss(), [UNSORTED, arr([2.]), np.array([1, 2, 0, 4])]),
    case('searchsorted-out-dtype', lambda T, s, v: T.searchsorted(s, v, out=T.empty(0, dtype=T.int32)), [SEQ, VALS]),
    case('searchsorted-out-float', lambda T, s, v: T.searchsorted(s, v, out=T.empty(0)), [SEQ, VALS]),
    case('searchsorted-bool', ss(), [np.array([False, True]), np.array([True])]),
    case('bucketize-2d-boundaries', lambda T, v, b: T.bucketize(v, b), [VALS, ROWS]),
    case('bucketize-0d-boundaries', lambda T, v, b: T.bucketize(v, b), [VALS, arr(1.)]),
]


# ------------------------------------------------------------------ bincount

IDX = np.array([1, 3, 1, 0, 6, 3, 3])
W = arr([.5, 1., 2., 3., .25, 1., 4.])
W5 = arr([1., 2, 3, 4, 5])

BINCOUNT = [
    case('bincount', lambda x: x.bincount(), [IDX]),
    case('bincount-minlength', lambda T, x: T.bincount(x, minlength=10), [IDX]),
    case('bincount-minlength-short', lambda T, x: T.bincount(x, None, 3), [IDX]),
    case('bincount-weights', lambda T, x, w: T.bincount(x, w), [IDX, W]),
    case('bincount-weights-f64', lambda T, x, w: T.bincount(x, weights=w, minlength=9), [IDX, W.astype(F64)]),
    case('bincount-weights-int', lambda T, x, w: T.bincount(x, w), [IDX, IDX * 2]),
    case('bincount-weights-f16', lambda T, x, w: T.bincount(x, w), [IDX, W.astype(np.float16)]),
    case('bincount-weights-bool', lambda T, x, w: T.bincount(x, w), [IDX, IDX > 2]),
    case('bincount-weights-grad', lambda T, x, w: T.bincount(x, w), [IDX, W], requires_grad=[False, True]),
    case('bincount-empty', lambda T, x: T.bincount(x), [np.zeros((0,), LONG)]),
    case('bincount-empty-minlength', lambda T, x: T.bincount(x, minlength=3), [np.zeros((0,), LONG)]),
    case('bincount-uint8', lambda T, x: T.bincount(x), [np.array([1, 2, 2], np.uint8)]),
    case('bincount-int32-weights', lambda T, x, w: T.bincount(x, w), [np.array([1, 2, 2], np.int32), W[:3]]),
    case('bincount-strided', lambda T, x: T.bincount(x[::2]), [IDX]),
]


# ------------------------------------------------------------------ histc / histogram

DATA = arr([1., 2., 1., 4., 2.5])
ROUNDING = arr([0.1, 0.2, 0.3, 0.7, 0.35, 0.9, 1.0])

HIST = [
    case('histc', lambda x: x.histc(), [(20,)]),
    case('histc-fn', lambda T, x: T.histc(x, bins=4, min=0, max=3), [DATA]),
    case('histc-positional', lambda x: x.histc(3, 0, 3), [arr([0., 1., 2., 3.])]),
    case('histc-equal-min-max', lambda T, x: T.histc(x, 3, min=1, max=1), [arr([0., 1., 2., 3.])]),
    case('histc-constant', lambda T, x: T.histc(x, bins=4), [arr([2., 2.])]),
    case('histc-empty', lambda T, x: T.histc(x, bins=4), [np.zeros((0,), F32)]),
    case('histc-outside', lambda T, x: T.histc(x, 4, min=0, max=2), [arr([1., INF, -3., NAN, 2., 0.])]),
    case('histc-rounding', lambda T, x: T.histc(x, 10, 0, 1), [ROUNDING]),
    case('histc-rounding-f16', lambda T, x: T.histc(x, 10, 0, 1), [ROUNDING.astype(np.float16)]),
    case('histc-bf16', lambda T, x: T.histc(x, 5), [(12,)], dtype=BF16),
    case('histc-2d', lambda T, x: T.histc(x, 5, -1, 1), [(4, 5)]),
    case('histc-0d', lambda T, x: T.histc(x, 3), [arr(3.)]),
    case('histc-requires-grad', lambda T, x: T.histc(x, 4), [DATA], requires_grad=[True]),
    case('histc-out', lambda T, x: T.histc(x, 4, out=T.empty(0)), [DATA]),
    case('histogram', lambda T, x: T.histogram(x, 4), [DATA]),
    case('histogram-method', lambda x: x.histogram(3), [(10,)]),
    case('histogram-default-bins', lambda T, x: T.histogram(x), [(30,)]),
    case('histogram-range', lambda T, x: T.histogram(x, 4, range=(0., 3.)), [DATA]),
    case('histogram-range-list-ints', lambda T, x: T.histogram(x, 4, range=[0, 3]), [DATA]),
    case('histogram-range-equal', lambda T, x: T.histogram(x, 3, range=(1., 1.)), [DATA]),
    case('histogram-weight', lambda T, x, w: T.histogram(x, 4, range=(0., 3.), weight=w), [DATA, W5]),
    case('histogram-density', lambda T, x: T.histogram(x, 4, range=(0., 3.), density=True), [DATA]),
    case('histogram-weight-density', lambda T, x, w: T.histogram(x, 4, weight=w, density=True), [DATA, W5]),
    case('histogram-edges', lambda T, x, b: T.histogram(x, b), [DATA, arr([0., 1., 2.5, 5.])]),
    case('histogram-edges-unsorted', lambda T, x, b: T.histogram(x, b), [DATA, arr([0., 1., 0.5, 5.])]),
    case('histogram-rounding', lambda T, x: T.histogram(x, 10, range=(0., 1.)), [ROUNDING]),
    case('histogram-f64', lambda T, x: T.histogram(x, 7), [(25,)], dtype=F64),
    case('histogram-2d', lambda T, x: T.histogram(x, 3), [(4, 5)]),
    case('histogram-empty', lambda T, x: T.histogram(x, 3), [np.zeros((0,), F32)]),
    case('histogram-empty-density', lambda T, x: T.histogram(x, 3, density=True), [np.zeros((0,), F32)]),
    case('histogram-constant', lambda T, x: T.histogram(x, 3), [arr(2.)]),
    case('histogram-requires-grad', lambda T, x: T.histogram(x, 4), [DATA], requires_grad=[True]),
    case('histogram-weight-requires-grad', lambda T, x, w: T.histogram(x, 4, weight=w), [DATA, W5],
         requires_grad=[False, True]),
    case('histogram-out', lambda T, x: T.histogram(x, 4, out=(T.empty(0), T.empty(0))), [DATA]),
]


def _as_tuple(fn):
    """helpers.assert_same expects every torch.return_types result to have .values/.indices, which
    histogram's (hist, bin_edges) has not: compare its fields as a plain tuple (type tested below)."""
    plain = lambda r: tuple(r) if isinstance(r, tuple) else r       # noqa: E731
    if list(inspect.signature(fn).parameters)[:1] == ['T']:
        return lambda T, *xs: plain(fn(T, *xs))
    return lambda *xs: plain(fn(*xs))


@pytest.mark.parametrize('fn,specs,kw', SEARCH + BINCOUNT + HIST)
def test_bins(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)     # searchsorted's non-contiguous operand note
        check(_as_tuple(fn), specs, forward_only=True, **kw)


BIN_ERRORS = [
    case('bincount-float', lambda T, x: T.bincount(x), [arr([1., 3.])]),
    case('bincount-bool', lambda T, x: T.bincount(x), [bools((3,))]),
    case('bincount-negative', lambda T, x: T.bincount(x), [np.array([1, -3, 1])]),
    case('bincount-2d', lambda T, x: T.bincount(x), [np.array([[1, 3]])]),
    case('bincount-minlength-negative', lambda T, x: T.bincount(x, minlength=-1), [IDX]),
    case('bincount-minlength-float', lambda T, x: T.bincount(x, minlength=1.5), [IDX]),
    case('bincount-float-before-minlength', lambda T, x: T.bincount(x, minlength=-1), [arr([1.])]),
    case('bincount-weights-length', lambda T, x, w: T.bincount(x, w), [IDX, arr([1., 2.])]),
    case('bincount-weights-2d', lambda T, x, w: T.bincount(x, w), [np.array([0, 1]), arr([[1., 2.]])]),
    case('bincount-backward', lambda T, x, w: T.bincount(x, w).sum().backward(), [IDX, W], requires_grad=[False, True]),
    case('histc-bins-0', lambda T, x: T.histc(x, bins=0), [DATA]),
    case('histc-bins-negative', lambda T, x: T.histc(x, bins=-1, min=3, max=2), [DATA]),
    case('histc-min-gt-max', lambda T, x: T.histc(x, 3, min=3, max=2), [DATA]),
    case('histc-inf-range', lambda T, x: T.histc(x, 3, min=0, max=INF), [DATA]),
    case('histc-nan-range', lambda T, x: T.histc(x, 3, min=NAN, max=2), [DATA]),
    case('histc-nan-data', lambda T, x: T.histc(x, 3), [arr([1., NAN, 2.])]),
    case('histc-nan-data-single', lambda T, x: T.histc(x, 3), [arr([NAN])]),
    case('histc-inf-data', lambda T, x: T.histc(x, 3), [arr([1., INF])]),
    case('histc-int', lambda T, x: T.histc(x, 3), [np.array([1, 2])]),
    case('histc-int-min-gt-max', lambda T, x: T.histc(x, 3, min=3, max=2), [np.array([1, 2])]),
    case('histc-bool', lambda T, x: T.histc(x, 3), [bools((3,))]),
    case('histc-overflow', lambda T, x: T.histc(x, 3, min=0, max=1e39), [DATA]),
    case('histc-out-dtype', lambda T, x: T.histc(x, 3, out=T.empty(0, dtype=T.float64)), [DATA]),
    case('histogram-bins-0', lambda T, x: T.histogram(x, 0), [DATA]),
    case('histogram-edges-dtype', lambda T, x, b: T.histogram(x, b), [DATA, arr([0., 1.], F64)]),
    case('histogram-edges-2d', lambda T, x, b: T.histogram(x, b), [DATA, arr([[0., 1.]])]),
    case('histogram-edges-one', lambda T, x, b: T.histogram(x, b), [DATA, arr([0.])]),
    case('histogram-weight-dtype', lambda T, x, w: T.histogram(x, 3, weight=w), [DATA, np.arange(5)]),
    case('histogram-weight-shape', lambda T, x, w: T.histogram(x, 3, weight=w), [DATA, arr([1., 2.])]),
    case('histogram-range-reversed', lambda T, x: T.histogram(x, 3, range=(3., 1.)), [DATA]),
    case('histogram-range-inf', lambda T, x: T.histogram(x, 3, range=(0., INF)), [DATA]),
    case('histogram-range-len3', lambda T, x: T.histogram(x, 3, range=(0, 1, 2)), [DATA]),
    case('histogram-nan-data', lambda T, x: T.histogram(x, 3), [arr([1., NAN])]),
    case('histogram-f16', lambda T, x: T.histogram(x, 3), [DATA.astype(np.float16)]),
    case('histogram-int', lambda T, x: T.histogram(x, 3), [np.array([1, 2])]),
    case('histogram-int-bins-0', lambda T, x: T.histogram(x, 0), [np.array([1, 2])]),
    case('histogram-backward', lambda T, x: T.histogram(x, 3).hist.sum().backward(), [DATA], requires_grad=[True]),
    case('histogram-out-hist-dtype', lambda T, x: T.histogram(x, 2, out=(T.zeros(0).double(), T.zeros(0))), [DATA]),
    case('histogram-out-edges-dtype', lambda T, x: T.histogram(x, 2, out=(T.zeros(0), T.zeros(0).double())), [DATA]),
]


@pytest.mark.parametrize('fn,specs,kw', SORT_ERRORS + SEARCH_ERRORS + BIN_ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_histogram_return_type():
    r = ember.histogram(ember.tensor(DATA), 3)
    assert type(r).__name__ == 'histogram' and type(r).__module__ == 'ember.return_types'
    assert r.hist is r[0] and r.bin_edges is r[1]
    assert repr(r).startswith('ember.return_types.histogram(\nhist=tensor(')
