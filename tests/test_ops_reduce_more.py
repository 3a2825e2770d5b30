"""Scans, the NaN-aware and order-statistic reductions, and unique: against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, arr, ints, bools, case

F32, F64 = np.float32, np.float64
NAN, INF = float('nan'), float('inf')
EMPTY, E1 = np.zeros((0, 3), F32), np.zeros((0,), F32)

# zeros at the start, middle and end of rows (cumprod's gradient)
ZEROS = arr([[1., 2., 0., 3., 0., 4.], [0., 1., 2., 3., 4., 5.], [1., 2., 3., 4., 5., 0.]])
# ties in every row (cummax/cummin/median/mode index choice)
TIES = arr([[3., 1., 3., 1., 2.], [2., 2., 0., 5., 2.], [1., 3., 3., 2., 3.]])
NANS = arr([[1., NAN, 2.], [NAN, NAN, 3.]])
NZ = ints((3, 4), -1, 2)
FWD = dict(forward_only=True)
GRAD = dict(forward_only=True, requires_grad=[True])      # unique: outputs carry a grad_fn, no derivative


def _base_after(base, write):
    write(base)
    return base


# ------------------------------------------------------------------ cumsum / cumprod

SCAN = [
    case('cumsum', lambda x: x.cumsum(1), [(3, 4)]),
    case('cumsum-fn', lambda T, x: T.cumsum(x, 0), [(3, 4)]),
    case('cumsum-kw-dim', lambda T, x: T.cumsum(x, dim=-1), [(2, 3, 4)]),
    case('cumsum-neg-dim', lambda x: x.cumsum(-2), [(2, 3, 4)]),
    case('cumsum-t', lambda x: x.t().cumsum(0), [(3, 4)]),
    case('cumsum-strided', lambda x: x[:, ::2].cumsum(1), [(3, 6)]),
    case('cumsum-inplace', lambda x: (x * 1).cumsum_(0), [(3, 4)]),
    # in place on a view: compare the base (CopySlices); the view's regenerated grad_fn is not ours
    case('cumsum-inplace-view', lambda x: _base_after(x * 1, lambda b: b[1:].cumsum_(1)), [(3, 4)]),
    case('cumprod-inplace-view', lambda x: _base_after(x * 1, lambda b: b[:, 1:].cumprod_(0)), [(3, 4)]),
    case('cumsum-dtype', lambda T, x: x.cumsum(1, dtype=T.float64), [(3, 4)]),
    case('cumsum-f64', lambda x: x.cumsum(0), [(3, 4)], dtype=F64),
    case('cumsum-f16', lambda x: x.cumsum(1), [(2, 5)], dtype=np.float16, gradcheck=False),
    case('cumsum-0d', lambda x: x.cumsum(0), [()]),
    case('cumsum-empty', lambda x: x.cumsum(0), [EMPTY], gradcheck=False),
    case('cumsum-int', lambda x: x.cumsum(0), [ints((3, 4))], **FWD),
    case('cumsum-int32', lambda x: x.cumsum(1), [ints((3, 4), dtype=np.int32)], **FWD),
    case('cumsum-uint8', lambda x: x.cumsum(1), [ints((3, 4), 0, 9, dtype=np.uint8)], **FWD),
    case('cumsum-bool', lambda x: x.cumsum(0), [bools((5,))], **FWD),
    case('cumsum-int-dtype', lambda T, x: x.cumsum(0, dtype=T.float32), [ints((4,))], **FWD),
    case('cumsum-int32-inplace', lambda x: x.cumsum_(0), [ints((4,), dtype=np.int32)], **FWD),
    case('cumsum-float-to-int', lambda T, x: x.cumsum(0, dtype=T.int64), [(4,)], **FWD),
    case('cumprod', lambda x: x.cumprod(1), [(3, 4)]),
    case('cumprod-fn', lambda T, x: T.cumprod(x, -1), [(2, 3, 4)]),
    case('cumprod-dim0', lambda x: x.cumprod(0), [(4, 3)]),
    case('cumprod-t', lambda x: x.t().cumprod(1), [(3, 4)]),
    case('cumprod-zeros', lambda x: x.cumprod(1), [ZEROS]),
    case('cumprod-zeros-dim0', lambda x: x.cumprod(0), [np.ascontiguousarray(ZEROS.T)]),
    case('cumprod-zeros-f64', lambda x: x.cumprod(-1), [ZEROS.astype(F64)]),
    case('cumprod-all-zero', lambda x: x.cumprod(0), [arr([0., 0., 0.])]),
    case('cumprod-one-zero', lambda x: x.cumprod(0), [arr([2., 0., 3.])]),
    case('cumprod-inplace', lambda x: (x * 1).cumprod_(1), [ZEROS]),
    case('cumprod-dtype', lambda T, x: x.cumprod(0, dtype=T.float64), [(3, 2)]),
    case('cumprod-size1', lambda x: x.cumprod(1), [arr([[0.], [2.]])]),
    case('cumprod-0d', lambda x: x.cumprod(0), [()]),
    case('cumprod-empty', lambda x: x.cumprod(1), [EMPTY], gradcheck=False),
    case('cumprod-int', lambda x: x.cumprod(0), [ints((5,), 1, 4)], **FWD),
    case('cumprod-uint8', lambda x: x.cumprod(0), [ints((3,), 1, 4, dtype=np.uint8)], **FWD),
    case('cumprod-bool', lambda x: x.cumprod(0), [bools((5,))], **FWD),
]


# ------------------------------------------------------------------ cummax / cummin / logcumsumexp

CUM_EXTREME = [
    case('cummax', lambda x: x.cummax(1), [(3, 4)]),
    case('cummin', lambda x: x.cummin(0), [(3, 4)]),
    case('cummax-fn', lambda T, x: T.cummax(x, dim=-1), [(2, 3, 4)]),
    case('cummin-fn', lambda T, x: T.cummin(x, -2), [(2, 3, 4)]),
    case('cummax-t', lambda x: x.t().cummax(0), [(3, 4)]),
    case('cummin-strided', lambda x: x[:, ::2].cummin(1), [(3, 6)]),
    # ties: the latest index wins (gradient only where torch sends it; no gradcheck at a kink)
    case('cummax-ties', lambda x: x.cummax(1), [TIES], gradcheck=False),
    case('cummin-ties', lambda x: x.cummin(1), [TIES], gradcheck=False),
    case('cummax-ties-dim0', lambda x: x.cummax(0), [np.ascontiguousarray(TIES.T)], gradcheck=False),
    case('cummax-nan', lambda x: x.cummax(0), [arr([1., NAN, 3., NAN, 2.])], gradcheck=False),
    case('cummin-nan', lambda x: x.cummin(0), [arr([NAN, NAN, 1., 0.5])], gradcheck=False),
    case('cummax-int', lambda x: x.cummax(0), [ints((6, 2), 0, 3)], **FWD),
    case('cummin-int32', lambda x: x.cummin(1), [ints((2, 6), 0, 3, dtype=np.int32)], **FWD),
    case('cummax-bool', lambda x: x.cummax(0), [bools((6,))], **FWD),
    case('cummin-bool', lambda x: x.cummin(0), [bools((6,), seed=3)], **FWD),
    case('cummax-0d', lambda x: x.cummax(0), [()]),
    case('cummin-0d', lambda x: x.cummin(-1), [()]),
    case('cummax-empty', lambda x: x.cummax(0), [EMPTY], gradcheck=False),
    case('cummin-f64', lambda x: x.cummin(1), [(3, 4)], dtype=F64),
    case('logcumsumexp', lambda x: x.logcumsumexp(1), [(3, 4)]),
    case('logcumsumexp-fn', lambda T, x: T.logcumsumexp(x, 0), [(3, 4)]),
    case('logcumsumexp-neg', lambda x: x.logcumsumexp(-3), [(2, 3, 4)]),
    case('logcumsumexp-t', lambda x: x.t().logcumsumexp(1), [(3, 4)]),
    case('logcumsumexp-large', lambda x: x.logcumsumexp(0), [arr([1000., 1000., -1000., 999.])]),
    case('logcumsumexp-inf', lambda x: x.logcumsumexp(0), [arr([-INF, -INF, 1., INF])], gradcheck=False),
    case('logcumsumexp-0d', lambda x: x.logcumsumexp(0), [()]),
    case('logcumsumexp-empty', lambda x: x.logcumsumexp(0), [EMPTY], gradcheck=False),
    case('logcumsumexp-f16', lambda x: x.logcumsumexp(0), [(4,)], dtype=np.float16, gradcheck=False),
    case('logcumsumexp-f64', lambda x: x.logcumsumexp(1), [(2, 5)], dtype=F64),
]


# ------------------------------------------------------------------ nansum / nanmean / logsumexp / count_nonzero

REDUCE = [
    case('nansum', lambda x: x.nansum(), [NANS]),
    case('nansum-fn', lambda T, x: T.nansum(x, 1), [NANS]),
    case('nansum-tuple-keepdim', lambda x: x.nansum((0, 1), keepdim=True), [NANS]),
    case('nansum-neg', lambda x: x.nansum(-1), [(2, 3, 4)]),
    case('nansum-t', lambda x: x.t().nansum(0), [NANS]),
    case('nansum-dtype', lambda T, x: x.nansum(dtype=T.float64), [NANS]),
    case('nansum-0d', lambda x: x.nansum(0), [()]),
    case('nansum-empty', lambda x: x.nansum(), [EMPTY], gradcheck=False),
    case('nansum-int', lambda x: x.nansum(), [ints((2, 3))], **FWD),
    case('nansum-int-dtype', lambda T, x: x.nansum(0, dtype=T.int32), [ints((2, 3))], **FWD),
    case('nansum-bool', lambda x: x.nansum(1), [bools((2, 3))], **FWD),
    case('nanmean', lambda x: x.nanmean(), [NANS]),
    case('nanmean-fn', lambda T, x: T.nanmean(x, 1, keepdim=True), [NANS]),
    case('nanmean-all-nan-col', lambda x: x.nanmean(0), [NANS], gradcheck=False),
    case('nanmean-plain', lambda x: x.nanmean((0, 2)), [(2, 3, 4)]),
    case('nanmean-keepdim-all', lambda x: x.nanmean(keepdim=True), [(2, 3)]),
    case('nanmean-dtype', lambda T, x: x.nanmean(1, dtype=T.float64), [NANS]),
    case('nanmean-empty', lambda x: x.nanmean(), [E1], gradcheck=False),
    case('logsumexp', lambda x: x.logsumexp(1), [(3, 4)]),
    case('logsumexp-fn', lambda T, x: T.logsumexp(x, dim=0), [(3, 4)]),
    case('logsumexp-tuple', lambda x: x.logsumexp((0, 2)), [(2, 3, 4)]),
    case('logsumexp-keepdim', lambda x: x.logsumexp(-1, keepdim=True), [(3, 4)]),
    case('logsumexp-t', lambda x: x.t().logsumexp(1), [(3, 4)]),
    case('logsumexp-large', lambda x: x.logsumexp(0), [arr([[1000., 1.], [1000., -1000.]])]),
    case('logsumexp-inf', lambda x: x.logsumexp(1), [arr([[-INF, -INF], [1., INF]])], gradcheck=False),
    case('logsumexp-nan', lambda x: x.logsumexp(1), [NANS], gradcheck=False),
    case('logsumexp-0d', lambda x: x.logsumexp(0), [()]),
    case('logsumexp-empty-dim', lambda x: x.logsumexp(0), [EMPTY], gradcheck=False),
    case('logsumexp-empty-other', lambda x: x.logsumexp(1), [EMPTY], gradcheck=False),
    case('logsumexp-int', lambda x: x.logsumexp(0), [ints((3, 4))], **FWD),
    case('logsumexp-bool', lambda x: x.logsumexp(1), [bools((3, 4))], **FWD),
    case('logsumexp-f16', lambda x: x.logsumexp(1), [(2, 4)], dtype=np.float16, gradcheck=False),
    case('count_nonzero', lambda x: x.count_nonzero(), [NZ], **FWD),
    case('count_nonzero-fn', lambda T, x: T.count_nonzero(x, 0), [NZ], **FWD),
    case('count_nonzero-tuple', lambda x: x.count_nonzero((0, -1)), [ints((2, 3, 4), -1, 2)], **FWD),
    case('count_nonzero-list-empty', lambda x: x.count_nonzero([]), [NZ], **FWD),
    case('count_nonzero-nan', lambda x: x.count_nonzero(1), [NANS], **FWD),
    case('count_nonzero-bool', lambda x: x.count_nonzero(0), [bools((3, 4))], **FWD),
    case('count_nonzero-0d', lambda x: x.count_nonzero(0), [arr(0.)], **FWD),
    case('count_nonzero-grad-input', lambda x: x.count_nonzero(1), [(3, 4)], requires_grad=[True], **FWD),
    case('count_nonzero-t', lambda x: x.t().count_nonzero(0), [NZ], **FWD),
]


# ------------------------------------------------------------------ median / nanmedian / mode / aminmax

PICK = [
    case('median', lambda x: x.median(), [(3, 5)]),
    case('median-even', lambda x: x.median(), [(3, 4)]),
    case('median-fn', lambda T, x: T.median(x), [(3, 4)]),
    case('median-dim', lambda x: x.median(1), [(3, 4)]),
    case('median-dim-fn', lambda T, x: T.median(x, dim=0), [(3, 4)]),
    case('median-neg-keepdim', lambda x: x.median(-1, keepdim=True), [(2, 3, 4)]),
    case('median-t', lambda x: x.t().median(1), [(3, 4)]),
    case('median-ties', lambda x: x.median(1), [TIES], gradcheck=False),
    case('median-ties-global', lambda x: x.median(), [TIES], gradcheck=False),
    case('median-nan', lambda x: x.median(), [arr([1., NAN, 2., NAN])], gradcheck=False),
    case('median-nan-dim', lambda x: x.median(1), [arr([[1., NAN, 2., NAN], [1., 3., 2., 4.]])], gradcheck=False),
    case('median-0d', lambda x: x.median(), [()]),
    case('median-0d-dim', lambda x: x.median(0), [()]),
    case('median-empty', lambda x: x.median(), [E1], gradcheck=False),
    case('median-empty-int', lambda x: x.median(), [np.zeros((0,), np.int64)], **FWD),
    case('median-empty-other', lambda x: x.median(1), [EMPTY], gradcheck=False),
    case('median-int', lambda x: x.median(), [ints((5,))], **FWD),
    case('median-int-dim', lambda x: x.median(0), [ints((5, 3), 0, 3)], **FWD),
    case('median-f64', lambda x: x.median(0), [(5, 2)], dtype=F64),
    case('nanmedian', lambda x: x.nanmedian(), [arr([1., NAN, 2., NAN, 5.])], gradcheck=False),
    case('nanmedian-fn', lambda T, x: T.nanmedian(x), [(3, 4)]),
    case('nanmedian-dim', lambda x: x.nanmedian(1), [arr([[1., NAN, 2., 5.], [NAN, NAN, NAN, 1.]])],
         gradcheck=False),
    case('nanmedian-all-nan', lambda x: x.nanmedian(1, keepdim=True), [arr([[NAN, NAN], [2., NAN]])],
         gradcheck=False),
    case('nanmedian-plain', lambda x: x.nanmedian(0), [(5, 3)]),
    case('nanmedian-empty', lambda x: x.nanmedian(), [E1], gradcheck=False),
    case('nanmedian-int', lambda x: x.nanmedian(0), [ints((4, 3), 0, 3)], **FWD),
    # PyTorch's index for an all-NaN slice longer than 3 comes from std::nth_element's shuffling
    case('nanmedian-all-nan-long', lambda x: x.nanmedian(0), [arr([NAN] * 4)], gradcheck=False),
    case('nanmedian-all-nan-7', lambda x: x.nanmedian(-1), [arr([[NAN] * 7, [NAN] * 6 + [1.]])], gradcheck=False),
    case('nanmedian-all-nan-dim0', lambda x: x.nanmedian(0, keepdim=True), [arr([[NAN] * 3] * 9)],
         gradcheck=False),
    case('mode', lambda x: x.mode(), [TIES], gradcheck=False),
    case('mode-fn', lambda T, x: T.mode(x, 0), [TIES], gradcheck=False),
    case('mode-keepdim', lambda x: x.mode(1, True), [TIES], gradcheck=False),
    case('mode-neg', lambda x: x.mode(-2), [ints((2, 6, 3), 0, 3).astype(F32)], gradcheck=False),
    case('mode-t', lambda x: x.t().mode(), [TIES], gradcheck=False),
    case('mode-distinct', lambda x: x.mode(1), [(3, 4)]),
    case('mode-nan', lambda x: x.mode(), [arr([1., NAN, NAN, 2., 2.])], gradcheck=False),
    case('mode-nan-single', lambda x: x.mode(), [arr([1., NAN, NAN, 2.])], gradcheck=False),
    case('mode-int', lambda x: x.mode(0), [ints((9, 3), 0, 3)], **FWD),
    case('mode-bool', lambda x: x.mode(), [bools((7,))], **FWD),
    case('mode-0d', lambda x: x.mode(), [()]),
    case('mode-empty-other', lambda x: x.mode(0), [np.zeros((3, 0), F32)], gradcheck=False),
    case('mode-empty-kept', lambda x: x.mode(1), [EMPTY], gradcheck=False),
    # aminmax's fields are min/max: compared as a plain tuple (its type: test_named_tuple_types)
    case('aminmax', lambda x: tuple(x.aminmax()), [(3, 4)]),
    case('aminmax-fn', lambda T, x: tuple(T.aminmax(x, dim=0)), [(3, 4)]),
    case('aminmax-dim-keepdim', lambda x: tuple(x.aminmax(dim=-1, keepdim=True)), [(2, 3, 4)]),
    case('aminmax-keepdim-all', lambda x: tuple(x.aminmax(keepdim=True)), [(3, 4)]),
    case('aminmax-t', lambda x: tuple(x.t().aminmax(dim=1)), [(3, 4)]),
    case('aminmax-ties', lambda x: tuple(x.aminmax()), [TIES], gradcheck=False),
    case('aminmax-ties-dim', lambda x: tuple(x.aminmax(dim=1)), [TIES], gradcheck=False),
    case('aminmax-nan', lambda x: tuple(x.aminmax(dim=1)), [NANS], **FWD),
    case('aminmax-0d', lambda x: tuple(x.aminmax(dim=0)), [()]),
    case('aminmax-empty-other', lambda x: tuple(x.aminmax(dim=1)), [EMPTY], gradcheck=False),
    case('aminmax-int', lambda x: tuple(x.aminmax()), [ints((4,))], **FWD),
    case('aminmax-bool', lambda x: tuple(x.aminmax(dim=0)), [bools((4, 2))], **FWD),
]


def test_named_tuple_types():
    x, vi = ember.tensor([[3., 1.], [2., 2.]]), ('values', 'indices')
    for name, r, fields in [('aminmax', x.aminmax(), ('min', 'max')), ('nanmedian', x.nanmedian(0), vi),
                            ('median', x.median(0), vi), ('mode', x.mode(0), vi),
                            ('cummax', x.cummax(0), vi), ('cummin', x.cummin(0), vi)]:
        assert type(r).__name__ == name and type(r).__module__ == 'ember.return_types'
        assert r._fields == fields
        assert repr(r).startswith(f'ember.return_types.{name}(\n{fields[0]}=tensor(')


def test_ties_match_torch_random():
    """Index choice with many ties: median (stable order), mode (last position), cummax/cummin."""
    rng = np.random.default_rng(5)
    for n in (1, 2, 5, 8, 16):
        a = rng.integers(0, 3, (6, n)).astype(F32)
        a[rng.random(a.shape) < 0.1] = NAN
        t, e = torch.from_numpy(a), ember.tensor(a)
        for op in ('median', 'nanmedian', 'mode', 'cummax', 'cummin'):
            tr, er = getattr(t, op)(1), getattr(e, op)(1)
            if op == 'mode':      # PyTorch's mode treats NaN inconsistently (std::sort); NaN-free rows
                ok = ~np.isnan(a).any(1)
                tr, er = [x[torch.from_numpy(ok)] for x in tr], [x[ember.tensor(ok)] for x in er]
            np.testing.assert_array_equal(er[1].cpu().numpy(), tr[1].numpy(), err_msg=f'{op} n={n}')
            np.testing.assert_array_equal(er[0].cpu().numpy(), tr[0].numpy(), err_msg=f'{op} n={n}')


# ------------------------------------------------------------------ unique / unique_consecutive

M = arr([[3., 1., 3.], [1., 2., 3.], [3., 1., 3.]])
BOTH = dict(return_inverse=True, return_counts=True)
INV, CNT = dict(return_inverse=True), dict(return_counts=True)
U, UC = (lambda **k: lambda x: x.unique(**k)), (lambda **k: lambda x: x.unique_consecutive(**k))

UNIQUE = [
    case('unique', U(), [M], **GRAD),
    case('unique-fn-inverse', lambda T, x: T.unique(x, return_inverse=True), [M], **GRAD),
    case('unique-counts', U(**CNT), [M], **FWD),
    case('unique-both', lambda T, x: T.unique(x, **BOTH), [M], **FWD),
    case('unique-unsorted', U(sorted=False, **INV), [ints((8,))], **FWD),
    case('unique-t', lambda x: x.t().unique(return_inverse=True), [M], **FWD),
    case('unique-nan', U(**CNT), [arr([2., 1., 2., NAN, NAN])], **FWD),
    case('unique-neg-zero', U(**CNT), [arr([0., -0., 1.])], **FWD),
    case('unique-bool', U(**CNT), [bools((5,))], **FWD),
    case('unique-int32', U(**INV), [ints((2, 5), dtype=np.int32)], **FWD),
    case('unique-0d', U(**BOTH), [arr(3.)], **FWD),
    case('unique-empty', U(**BOTH), [E1], **FWD),
    case('unique-dim0', lambda T, x: T.unique(x, dim=0), [M], **GRAD),
    case('unique-dim1', U(dim=1, **BOTH), [M], **GRAD),
    case('unique-dim-neg', U(dim=-1), [M], **FWD),
    case('unique-dim-t', lambda x: x.t().unique(dim=0, return_inverse=True), [M], **FWD),
    case('unique-dim-3d', U(dim=1, **INV), [ints((2, 6, 2), 0, 2)], **FWD),
    case('unique-dim-int', U(dim=0, **CNT), [ints((6, 2), 0, 2)], **FWD),
    case('unique-dim-bool', U(dim=0, **INV), [bools((4, 2))], **FWD),
    case('unique-dim-neg-zero', U(dim=0, **INV), [arr([[2., 1.], [-0., 5.], [0., 5.]])], **FWD),
    case('unique-dim-empty', U(dim=0, **BOTH), [EMPTY], **FWD),
    case('unique_consecutive', UC(), [M], **GRAD),
    case('unique_consecutive-both', UC(**BOTH), [arr([1., 1., 2., 2., 3., 1., 1., 2.])], **FWD),
    case('unique_consecutive-fn', lambda T, x: T.unique_consecutive(x, return_counts=True), [ints((3, 4), 0, 2)],
         **FWD),
    case('unique_consecutive-dim0', UC(dim=0, **BOTH), [arr([[1., 2.], [1., 2.], [0., 2.]])], **GRAD),
    case('unique_consecutive-dim1', UC(dim=1, **INV), [M], **FWD),
    case('unique_consecutive-nan', UC(**CNT), [arr([NAN, NAN, 1., 1.])], **FWD),
    case('unique_consecutive-0d', UC(**BOTH), [arr(3.)], **FWD),
    case('unique_consecutive-empty', UC(**BOTH), [E1], **FWD),
    case('unique_consecutive-dim-empty', UC(dim=0, **CNT), [EMPTY], **FWD),
]


@pytest.mark.parametrize('fn,specs,kw', SCAN + CUM_EXTREME + REDUCE + PICK + UNIQUE)
def test_op(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ errors

ERRORS = [
    case('cumsum-no-dim', lambda x: x.cumsum(), [(2, 3)]),
    case('cumsum-fn-no-dim', lambda T, x: T.cumsum(x), [(2, 3)]),
    case('cumprod_-no-dim', lambda x: x.cumprod_(), [(2, 3)]),
    case('cummax-no-dim', lambda T, x: T.cummax(x), [(2, 3)]),
    case('cummin-no-dim', lambda x: x.cummin(), [(2, 3)]),
    case('logcumsumexp-no-dim', lambda x: x.logcumsumexp(), [(2, 3)]),
    case('logsumexp-no-dim', lambda x: x.logsumexp(), [(2, 3)]),
    case('logsumexp-fn-no-dim', lambda T, x: T.logsumexp(x), [(2, 3)]),
    case('cumsum-dim-range', lambda x: x.cumsum(2), [(2, 3)]),
    case('cumsum-dim-range-neg', lambda x: x.cumsum(-3), [(2, 3)]),
    case('cumsum-dim-float', lambda x: x.cumsum(0.5), [(2, 3)]),
    case('cumprod-dim-range', lambda x: x.cumprod(2), [(2, 3)]),
    case('cummax-dim-range', lambda x: x.cummax(2), [(2, 3)]),
    case('logcumsumexp-dim-range', lambda x: x.logcumsumexp(2), [(2, 3)]),
    case('logsumexp-dim-range', lambda x: x.logsumexp(2), [(2, 3)]),
    case('logsumexp-dim-none', lambda x: x.logsumexp(None), [(2, 3)]),
    case('nansum-dim-range', lambda x: x.nansum(2), [(2, 3)]),
    case('nansum-dup-dims', lambda x: x.nansum((0, 0)), [(2, 3)]),
    case('count_nonzero-dup-dims', lambda T, x: T.count_nonzero(x, (1, 1)), [(2, 3)]),
    case('count_nonzero-dim-range', lambda x: x.count_nonzero(2), [(2, 3)]),
    case('median-dim-range', lambda x: x.median(2), [(2, 3)]),
    case('median-dim-float', lambda x: x.median(0.5), [(2, 3)]),
    case('nanmedian-dim-range', lambda x: x.nanmedian(-3), [(2, 3)]),
    case('mode-dim-range', lambda x: x.mode(2), [(2, 3)]),
    case('aminmax-dim-range', lambda x: x.aminmax(dim=2), [(2, 3)]),
    case('aminmax-dim-tuple', lambda x: x.aminmax(dim=(0, 1)), [(2, 3)]),
    case('aminmax-positional-dim', lambda x: x.aminmax(1), [(2, 3)], message=False),
    case('logcumsumexp-int', lambda x: x.logcumsumexp(0), [ints((3,))]),
    case('logcumsumexp-bool', lambda x: x.logcumsumexp(0), [bools((3,))]),
    case('cumsum-inplace-bool', lambda x: x.cumsum_(0), [bools((3,))]),
    case('cumsum-inplace-dtype', lambda T, x: x.cumsum_(0, dtype=T.float32), [ints((3,))]),
    case('cumprod-inplace-dtype', lambda T, x: x.cumprod_(0, dtype=T.int64), [(3,)]),
    case('cumsum-inplace-leaf', lambda x: x.cumsum_(0), [(3,)], requires_grad=[True]),
    case('nanmean-int', lambda x: x.nanmean(), [ints((3,))]),
    case('nanmean-bool', lambda x: x.nanmean(0), [bools((3,))]),
    case('median-bool', lambda x: x.median(), [bools((3,))]),
    case('median-dim-bool', lambda x: x.median(0), [bools((3,))]),
    case('nanmedian-bool', lambda x: x.nanmedian(), [bools((3,))]),
    case('median-empty-dim', lambda x: x.median(0), [EMPTY]),
    case('nanmedian-empty-dim', lambda x: x.nanmedian(0), [EMPTY]),
    case('mode-empty', lambda x: x.mode(), [E1]),
    case('mode-empty-dim', lambda x: x.mode(0), [EMPTY]),
    case('aminmax-empty', lambda x: x.aminmax(), [E1]),
    case('aminmax-empty-dim', lambda x: x.aminmax(dim=0), [EMPTY]),
    case('unique-dim-range', lambda x: x.unique(dim=2), [(2, 3)]),
    case('unique-dim-0d', lambda x: x.unique(dim=0), [()]),
    case('unique-dim-0d-neg', lambda x: x.unique(dim=-1), [()]),
    case('unique-dim-zero-size', lambda x: x.unique(dim=0), [np.zeros((3, 0), F32)]),
    case('unique_consecutive-dim-zero-size', lambda x: x.unique_consecutive(dim=1), [EMPTY]),
    case('unique_consecutive-dim-range', lambda x: x.unique_consecutive(dim=3), [(2, 3)]),
    case('unique-backward', lambda x: x.unique().sum().backward(), [(3,)], requires_grad=[True]),
    case('unique-dim-backward', lambda x: x.unique(dim=0).sum().backward(), [(3,)], requires_grad=[True]),
    case('unique_consecutive-backward', lambda x: x.unique_consecutive().sum().backward(), [(3,)],
         requires_grad=[True]),
    case('cumsum-out-grad', lambda T, x: T.cumsum(x, 0, out=T.empty(3)), [(3,)], requires_grad=[True]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_failed_inplace_leaves_input():
    for make, call in [(lambda: ember.tensor([1, 2, 3]), lambda t: t.cumsum_(0, dtype=ember.float32)),
                       (lambda: ember.tensor([True, False]), lambda t: t.cumsum_(0)),
                       (lambda: ember.tensor([1., 2.]), lambda t: t.cumprod_(5))]:
        t = make()
        before, version = t.cpu().numpy().copy(), t._version
        with pytest.raises((RuntimeError, NotImplementedError, IndexError)):
            call(t)
        np.testing.assert_array_equal(t.cpu().numpy(), before)
        assert t._version == version


# ------------------------------------------------------------------ out=

def _into(call, *outs):
    """Run ``call`` with out= tensor(s); report whether it returned them, and the tensors."""
    r = call(outs[0] if len(outs) == 1 else outs)
    got = (r,) if len(outs) == 1 else tuple(r)
    return (all(a is b for a, b in zip(got, outs)),) + outs


def _pair(T, second=None):
    return T.empty(0), T.empty(0, dtype=second or T.int64)


OUT = [
    case('cumsum-out', lambda T, x: _into(lambda o: T.cumsum(x, 1, out=o), T.empty(2, 3)), [(2, 3)]),
    case('cumsum-out-resize', lambda T, x: _into(lambda o: T.cumsum(x, 0, out=o), T.empty(0)), [(2, 3)]),
    case('cumprod-out-cast', lambda T, x: _into(lambda o: T.cumprod(x, 1, out=o), T.empty(0).double()), [(2, 3)]),
    case('logcumsumexp-out', lambda T, x: _into(lambda o: T.logcumsumexp(x, 1, out=o), T.empty(0)), [(2, 3)]),
    case('nansum-out', lambda T, x: _into(lambda o: T.nansum(x, 1, out=o), T.empty(0)), [NANS]),
    case('nanmean-out', lambda T, x: _into(lambda o: T.nanmean(x, 0, out=o), T.empty(0)), [NANS]),
    case('logsumexp-out', lambda T, x: _into(lambda o: T.logsumexp(x, 1, out=o), T.empty(0)), [(2, 3)]),
    case('cummax-out', lambda T, x: _into(lambda o: T.cummax(x, 1, out=o), *_pair(T)), [TIES]),
    case('median-out', lambda T, x: _into(lambda o: T.median(x, 1, out=o), *_pair(T)), [TIES]),
    case('mode-out', lambda T, x: _into(lambda o: T.mode(x, 1, out=o), *_pair(T)), [TIES]),
    case('aminmax-out', lambda T, x: _into(lambda o: T.aminmax(x, dim=1, out=o), *_pair(T, T.float32)), [TIES]),
]


@pytest.mark.parametrize('fn,specs,kw', OUT)
def test_out(fn, specs, kw):
    check(fn, specs, forward_only=True, **kw)
