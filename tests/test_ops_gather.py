"""Gather/scatter and index_* ops against PyTorch: gather, scatter(_), scatter_add(_),
scatter_reduce(_), take_along_dim, index_select, index_add(_), index_copy(_), index_fill(_),
index_put(_), index_reduce(_), masked_select, masked_scatter(_), take, argwhere.

Forward values, dtype, grad_fn name, layout, backward grads (for self and src/source/values),
gradcheck and gradgradcheck in float64; errors (type and message); failed in-place calls
leave their tensor as it was."""
import warnings

import ml_dtypes
import numpy as np
import pytest

import ember
from helpers import check, check_error, arr, ints, bools, case, xfail

I64, I32 = np.int64, np.int32
BF16 = ml_dtypes.bfloat16


def idx(values, dtype=I64):
    return np.array(values, dtype=dtype)


def seq(*shape, dtype=np.float32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


@pytest.fixture(autouse=True)
def _quiet():
    # legacy scatter(reduce=) and index_reduce warn in both libraries
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        yield


# index for a (3, 4) input along dim 0: no position written twice (scatter is then deterministic)
I2 = idx([[0, 1, 2, 0], [1, 0, 0, 2]])
REP = idx([[0, 2, 0, 1], [0, 2, 0, 1], [2, 2, 1, 1]])      # repeated positions along dim 0
I_D1 = idx([[3, 0], [1, 1], [2, 0]])                         # along dim 1 of (3, 4), repeats

GATHER = [
    case('gather', lambda x, i: x.gather(0, i), [(3, 4), I2]),
    case('gather-fn-dim1', lambda T, x, i: T.gather(x, 1, i), [(3, 4), I_D1]),
    case('gather-kw', lambda T, x, i: T.gather(x, dim=1, index=i), [(3, 4), I_D1]),
    case('gather-neg-dim', lambda x, i: x.gather(-1, i), [(3, 4), I_D1]),
    case('gather-smaller-index', lambda x, i: x.gather(1, i), [(3, 4), idx([[1], [2]])]),
    case('gather-repeated', lambda x, i: x.gather(0, i), [(3, 4), REP]),
    case('gather-3d', lambda x, i: x.gather(1, i), [(2, 3, 2), idx([[[2, 0]], [[1, 1]]])]),
    case('gather-0d', lambda x, i: x.gather(0, i), [(), idx(0)]),
    case('gather-0d-self-1d-index', lambda x, i: x.gather(0, i), [(), idx([0, 0])]),
    case('gather-empty-index', lambda x, i: x.gather(0, i), [(3, 4), np.zeros((0, 4), I64)]),
    case('gather-noncontig-self', lambda x, i: x.t().gather(0, i), [(3, 4), I_D1.T.copy()]),
    case('gather-noncontig-index', lambda x, i: x.gather(1, i.t()), [(3, 4), I_D1.T.copy()]),
    case('gather-int32-index', lambda x, i: x.gather(0, i), [(3, 4), I2.astype(I32)]),
    case('gather-int', lambda x, i: x.gather(1, i), [ints((3, 4)), I_D1], forward_only=True),
    case('gather-bool', lambda x, i: x.gather(1, i), [bools((3, 4)), I_D1], forward_only=True),
    case('gather-sparse-grad', lambda x, i: x.gather(1, i, sparse_grad=True), [(3, 4), I_D1],
         forward_only=True),
    case('take_along_dim', lambda x, i: x.take_along_dim(i, 1), [(3, 4), I_D1]),
    case('take_along_dim-fn', lambda T, x, i: T.take_along_dim(x, i, dim=0), [(3, 4), I2]),
    case('take_along_dim-flat', lambda T, x, i: T.take_along_dim(x, i), [(3, 4), idx([[0, 11, 5, 5]])]),
    case('take_along_dim-flat-int32', lambda x, i: x.take_along_dim(i), [(3, 4), idx([1, 2], I32)]),
    case('take_along_dim-neg-dim', lambda x, i: x.take_along_dim(i, -1), [(3, 4), I_D1]),
    case('take_along_dim-bcast-index', lambda x, i: x.take_along_dim(i, 1), [(3, 4), idx([[0, 3, 3]])]),
    case('take_along_dim-bcast-self', lambda x, i: x.take_along_dim(i, 1), [(1, 4), idx([[1], [2], [3]])]),
    case('take_along_dim-wraps', lambda x, i: x.take_along_dim(i, 1), [(3, 4), idx([[-1, -4, 5, 9]])]),
    case('take_along_dim-0d-flat', lambda x, i: x.take_along_dim(i), [(), idx([0, 0])]),
    case('take_along_dim-int', lambda x, i: x.take_along_dim(i, 0), [ints((3, 4)), I2], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', GATHER)
def test_gather(fn, specs, kw):
    check(fn, specs, **kw)


def _legacy_rg(n):
    return [True] + [False] * (n - 1)


NO_SRC = [True, False, False]     # src larger than index: PyTorch's engine refuses the src gradient


SCATTER = [
    case('scatter', lambda x, i, s: x.scatter(0, i, s), [(3, 4), I2, (2, 4)]),
    case('scatter-fn', lambda T, x, i, s: T.scatter(x, 1, i, s), [(3, 4), idx([[3, 0], [1, 2]]), (2, 2)]),
    case('scatter-kw-src', lambda T, x, i, s: T.scatter(x, dim=0, index=i, src=s), [(3, 4), I2, (2, 4)]),
    case('scatter-src-larger', lambda x, i, s: x.scatter(0, i, s), [(3, 4), I2, (3, 5)], requires_grad=NO_SRC),
    case('scatter-neg-dim', lambda x, i, s: x.scatter(-2, i, s), [(3, 4), I2, (2, 4)]),
    case('scatter-value', lambda x, i: x.scatter(1, i, 1.5), [(3, 4), idx([[3, 0], [1, 2]])]),
    case('scatter-value-kw', lambda T, x, i: T.scatter(x, 0, i, value=2.0), [(3, 4), I2]),
    case('scatter-value-int', lambda x, i: x.scatter(0, i, 3), [(3, 4), I2]),
    case('scatter_', lambda x, i, s: (x * 1).scatter_(0, i, s), [(3, 4), I2, (2, 4)]),
    case('scatter_-value', lambda x, i: (x * 1).scatter_(0, i, -1.0), [(3, 4), I2]),
    case('scatter-0d', lambda x, i, s: x.scatter(0, i, s), [(), idx(0), ()]),
    case('scatter-1d-0d-src', lambda x, i, s: x.scatter(0, i, s), [(3,), idx([1]), ()]),
    case('scatter-0d-index', lambda x, i, s: x.scatter(0, i, s), [(3,), idx(2), (1,)], requires_grad=NO_SRC),
    case('scatter-empty-index', lambda x, i, s: x.scatter(0, i, s), [(3, 4), np.zeros((0, 4), I64), (0, 4)]),
    case('scatter-noncontig', lambda x, i, s: x.t().scatter(0, i, s.t()), [(3, 4), idx([[0, 1, 2], [3, 2, 1]]),
                                                                            (3, 2)]),
    case('scatter-int32-index', lambda x, i, s: x.scatter(0, i, s), [(3, 4), I2.astype(I32), (2, 4)]),
    case('scatter-int', lambda x, i: x.scatter(0, i, 2.7), [ints((3, 4)), I2], forward_only=True),
    case('scatter-int-src', lambda x, i, s: x.scatter(0, i, s), [ints((3, 4)), I2, ints((2, 4), seed=1)],
         forward_only=True),
    case('scatter-bool', lambda x, i: x.scatter(0, i, True), [bools((3, 4)), I2], forward_only=True),
    case('scatter-reduce-add', lambda x, i, s: x.scatter(0, i, s, reduce='add'), [(3, 4), REP, (3, 4)],
         forward_only=True, requires_grad=_legacy_rg(3)),
    case('scatter-reduce-multiply', lambda x, i, s: x.scatter(0, i, s, reduce='multiply'),
         [(3, 4), REP, (3, 4)], forward_only=True, requires_grad=_legacy_rg(3)),
    case('scatter-value-reduce-add', lambda x, i: x.scatter(0, i, 2.0, reduce='add'), [(3, 4), REP],
         forward_only=True, requires_grad=_legacy_rg(2)),
    case('scatter_-reduce-add-grad', lambda x, i, s: (x * 1).scatter_(0, i, s, reduce='add'), [(3, 4), I2, (2, 4)],
         forward_only=True, requires_grad=_legacy_rg(3)),
    case('scatter_-reduce-multiply', lambda x, i: x.scatter_(0, i, 2, reduce='multiply'),
         [ints((3, 4)), REP], forward_only=True),
    case('scatter_add', lambda x, i, s: x.scatter_add(0, i, s), [(3, 4), REP, (3, 4)]),
    case('scatter_add-fn', lambda T, x, i, s: T.scatter_add(x, 1, i, s), [(3, 4), I_D1, (3, 2)]),
    case('scatter_add_', lambda x, i, s: (x * 1).scatter_add_(-1, i, s), [(3, 4), I_D1, (3, 2)]),
    case('scatter_add-0d', lambda x, i, s: x.scatter_add(0, i, s), [(), idx([0, 0]), (2,)]),
    case('scatter_add-empty', lambda x, i, s: x.scatter_add(1, i, s), [(3, 4), np.zeros((3, 0), I64), (3, 0)]),
    case('scatter_add-src-larger', lambda x, i, s: x.scatter_add(1, i, s), [(3, 4), I_D1, (3, 3)],
         requires_grad=NO_SRC),
    case('scatter_add-noncontig', lambda x, i, s: x[:, ::2].scatter_add(0, i, s), [(3, 4), REP[:, :2].copy(),
                                                                                  (3, 2)]),
    case('scatter_add-int', lambda x, i, s: x.scatter_add(0, i, s), [ints((3, 4)), REP, ints((3, 4))],
         forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', SCATTER)
def test_scatter(fn, specs, kw):
    check(fn, specs, **kw)


REDUCES = ['sum', 'prod', 'mean', 'amax', 'amin']
WITH_ZEROS = arr([[0., 1.5, -2., 0.5], [1., 0., 3., -1.], [2., -0.5, 0., 1.]])
SRC_ZEROS = arr([[0., 2., 1., 0.], [3., 0., 0., -1.], [0.5, 1., 2., 2.]])     # one zero per target
TWO_ZEROS = arr([[0., 2., 1., 0.], [3., 0., 0., -1.], [0.5, 1., 2., 0.]])     # two land on [1, 3]

SCATTER_REDUCE = [
    case(f'scatter_reduce-{r}-{inc}', lambda x, i, s, r=r, inc=inc: x.scatter_reduce(0, i, s, r, include_self=inc),
         [(3, 4), REP, (3, 4)])
    for r in REDUCES for inc in (True, False)
] + [
    case('scatter_reduce-fn', lambda T, x, i, s: T.scatter_reduce(x, 1, i, s, 'amax'), [(3, 4), I_D1, (3, 2)]),
    case('scatter_reduce_', lambda x, i, s: (x * 1).scatter_reduce_(0, i, s, 'prod', include_self=False),
         [(3, 4), REP, (3, 4)]),
    case('scatter_reduce_-mean', lambda x, i, s: (x * 1).scatter_reduce_(-1, i, s, 'mean'), [(3, 4), I_D1, (3, 2)]),
    case('scatter_reduce-max-alias', lambda x, i, s: x.scatter_reduce(0, i, s, 'max'), [(3, 4), REP, (3, 4)],
         forward_only=True, requires_grad=[True, False, True]),
    case('scatter_reduce-prod-zeros', lambda x, i, s: x.scatter_reduce(0, i, s, 'prod'), [WITH_ZEROS, REP, SRC_ZEROS]),
    case('scatter_reduce-prod-zeros-noself',
         lambda x, i, s: x.scatter_reduce(0, i, s, 'prod', include_self=False), [WITH_ZEROS, REP, SRC_ZEROS]),
    # PyTorch has no double backward when two zeros of src land on one place
    case('scatter_reduce-prod-two-zeros', lambda x, i, s: x.scatter_reduce(0, i, s, 'prod'), [WITH_ZEROS, REP, TWO_ZEROS],
         gradgrad=False),
    # ties: PyTorch splits the gradient evenly (not differentiable there, so no gradcheck)
    case('scatter_reduce-amax-ties', lambda x, i, s: x.scatter_reduce(0, i, s, 'amax'),
         [arr([[1., 2.], [0., 0.]]), idx([[0, 0], [0, 1]]), arr([[1., 0.], [1., 5.]])], gradcheck=False),
    case('scatter_reduce-0d', lambda x, i, s: x.scatter_reduce(0, i, s, 'sum'), [(), idx([0, 0]), (2,)]),
    case('scatter_reduce-empty', lambda x, i, s: x.scatter_reduce(0, i, s, 'amin'),
         [(3, 4), np.zeros((0, 4), I64), (0, 4)]),
    case('scatter_reduce-mean-int', lambda x, i, s: x.scatter_reduce(0, i, s, 'mean'),
         [ints((3, 4)), REP, ints((3, 4), seed=1)], forward_only=True),
    case('scatter_reduce-mean-int-noself', lambda x, i, s: x.scatter_reduce(0, i, s, 'mean', include_self=False),
         [ints((3, 4)), REP, ints((3, 4), seed=1)], forward_only=True),
    case('scatter_reduce-amax-int-noself', lambda x, i, s: x.scatter_reduce(0, i, s, 'amax', include_self=False),
         [ints((3, 4)), REP, ints((3, 4), seed=1)], forward_only=True),
    case('scatter_reduce-amin-int-noself', lambda x, i, s: x.scatter_reduce(0, i, s, 'amin', include_self=False),
         [ints((3, 4)), REP, ints((3, 4), seed=1)], forward_only=True),
    case('scatter_reduce-prod-int', lambda x, i, s: x.scatter_reduce(0, i, s, 'prod'),
         [ints((3, 4)), REP, ints((3, 4), seed=1)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', SCATTER_REDUCE)
def test_scatter_reduce(fn, specs, kw):
    check(fn, specs, **kw)


V3 = idx([0, 2, 2])          # repeated
P2 = idx([2, 0])             # a permutation-like pick, no repeats

INDEX = [
    case('index_select', lambda x, i: x.index_select(0, i), [(3, 4), V3]),
    case('index_select-fn', lambda T, x, i: T.index_select(x, 1, i), [(3, 4), idx([3, 0, 3])]),
    case('index_select-neg-dim', lambda x, i: x.index_select(-1, i), [(3, 4), P2]),
    case('index_select-0d-index', lambda x, i: x.index_select(0, i), [(3, 4), idx(1)]),
    case('index_select-0d-self', lambda x, i: x.index_select(0, i), [(), idx([0])]),
    case('index_select-empty', lambda x, i: x.index_select(1, i), [(3, 4), np.zeros(0, I64)]),
    case('index_select-int32', lambda x, i: x.index_select(0, i), [(3, 4), V3.astype(I32)]),
    case('index_select-noncontig', lambda x, i: x.t().index_select(1, i), [(3, 4), V3]),
    case('index_select-int', lambda x, i: x.index_select(0, i), [ints((3, 4)), V3], forward_only=True),
    case('index_add', lambda x, i, s: x.index_add(0, i, s), [(3, 4), V3, (3, 4)]),
    case('index_add-fn-alpha', lambda T, x, i, s: T.index_add(x, 1, i, s, alpha=-2.5), [(3, 4), P2, (3, 2)]),
    case('index_add_', lambda x, i, s: (x * 1).index_add_(-1, i, s), [(3, 4), idx([1, 1, 3]), (3, 3)]),
    case('index_add-0d', lambda x, i, s: x.index_add(0, i, s), [(), idx(0), ()]),
    case('index_add-0d-index', lambda x, i, s: x.index_add(0, i, s), [(3, 2), idx(1), (1, 2)]),
    case('index_add-empty', lambda x, i, s: x.index_add(0, i, s), [(3, 4), np.zeros(0, I64), (0, 4)]),
    case('index_add-noncontig', lambda x, i, s: x.t().index_add(0, i, s.t()), [(3, 4), V3, (3, 3)]),
    case('index_add-int32', lambda x, i, s: x.index_add(0, i, s), [(3, 4), V3.astype(I32), (3, 4)]),
    case('index_add-int-alpha', lambda x, i, s: x.index_add(0, i, s, alpha=2.5), [ints((3, 4)), V3, ints((3, 4))],
         forward_only=True),
    case('index_copy', lambda x, i, s: x.index_copy(0, i, s), [(3, 4), P2, (2, 4)]),
    case('index_copy-fn', lambda T, x, i, s: T.index_copy(x, 1, i, s), [(3, 4), idx([3, 1]), (3, 2)]),
    case('index_copy_', lambda x, i, s: (x * 1).index_copy_(-1, i, s), [(3, 4), idx([3, 1]), (3, 2)]),
    case('index_copy-0d-index', lambda x, i, s: x.index_copy(0, i, s), [(3,), idx(1), ()]),
    case('index_copy-0d', lambda x, i, s: x.index_copy(0, i, s), [(), idx(0), ()]),
    case('index_copy-int', lambda x, i, s: x.index_copy(0, i, s), [ints((3, 4)), P2, ints((2, 4))],
         forward_only=True),
    case('index_fill', lambda x, i: x.index_fill(0, i, 2.5), [(3, 4), V3]),
    case('index_fill-tensor-value', lambda x, i, v: x.index_fill(1, i, v), [(3, 4), idx([0, 3, 3]), ()]),
    case('index_fill-fn', lambda T, x, i: T.index_fill(x, 1, i, -1), [(3, 4), P2]),
    case('index_fill-neg-index', lambda x, i: x.index_fill(-1, i, 0.5), [(3, 4), idx([-1, 0])]),
    case('index_fill_', lambda x, i: (x * 1).index_fill_(0, i, 1.0), [(3, 4), V3]),
    case('index_fill_-tensor-value', lambda x, i, v: (x * 1).index_fill_(0, i, v), [(3, 4), V3, ()]),
    case('index_fill-0d', lambda x, i: x.index_fill(0, i, 5.0), [(), idx(0)]),
    case('index_fill-empty', lambda x, i: x.index_fill(1, i, 5.0), [(3, 2), np.zeros(0, I64)]),
    case('index_fill-int', lambda x, i: x.index_fill(0, i, 2.5), [ints((3, 4)), V3], forward_only=True),
    case('index_fill-float64-value', lambda x, i, v: x.index_fill(0, i, v), [(3, 4), V3, arr(2., np.float64)],
         forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', INDEX)
def test_index_ops(fn, specs, kw):
    check(fn, specs, **kw)


INDEX_REDUCE = [
    case(f'index_reduce-{r}-{inc}', lambda x, i, s, r=r, inc=inc: x.index_reduce(0, i, s, r, include_self=inc),
         [(3, 4), V3, (3, 4)])
    for r in ('prod', 'mean', 'amax', 'amin') for inc in (True, False)
] + [
    case('index_reduce_', lambda x, i, s: (x * 1).index_reduce_(1, i, s, 'amax'), [(3, 4), idx([1, 1, 0]), (3, 3)]),
    case('index_reduce-0d', lambda x, i, s: x.index_reduce(0, i, s, 'prod'), [(), idx(0), ()]),
    case('index_reduce-dim1', lambda x, i, s: x.index_reduce(1, i, s, 'mean'), [(2, 3), idx([2, 0, 2, 2]), (2, 4)]),
    case('index_reduce-mean-int', lambda x, i, s: x.index_reduce(0, i, s, 'mean'),
         [ints((3, 4)), V3, ints((3, 4), seed=1)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', INDEX_REDUCE)
def test_index_reduce(fn, specs, kw):
    check(fn, specs, **kw)


MASK = bools((3, 4))
EMPTY_NONZERO = ('lead (ops/index.py): nonzero/argwhere results are column-major in PyTorch, strides (1, n); '
                 'ember gives C strides when n == 0 (PyTorch: (1, 0))')
PUT = [
    case('index_put', lambda x, i, v: x.index_put((i,), v), [(3, 4), P2, (4,)]),
    case('index_put-2-indices', lambda T, x, i, j, v: T.index_put(x, (i, j), v), [(3, 4), P2, idx([1, 3]), (2,)]),
    case('index_put-list', lambda x, i, v: x.index_put([i], v), [(3, 4), P2, (2, 4)]),
    case('index_put-accumulate', lambda x, i, v: x.index_put((i,), v, accumulate=True), [(3, 4), V3, (3, 4)]),
    case('index_put-accumulate-2', lambda x, i, j, v: x.index_put((i, j), v, accumulate=True),
         [(3, 4), V3, idx([1, 1, 1]), (3,)]),
    case('index_put-accumulate-bcast', lambda x, i, v: x.index_put((i,), v, accumulate=True), [(3, 4), V3, (1,)]),
    case('index_put-mask', lambda x, m, v: x.index_put((m,), v), [(3, 4), MASK, ()]),
    case('index_put-bool-rows', lambda x, m, v: x.index_put((m,), v), [(3, 4), bools((3,)), (4,)]),
    case('index_put-accumulate-bcast-indices', lambda x, i, j, v: x.index_put((i, j), v, accumulate=True),
         [(3, 4), idx([[0], [2]]), idx([1, 1, 3]), (2, 3)]),
    case('index_put-int32', lambda x, i, v: x.index_put((i,), v), [(3, 4), P2.astype(I32), (4,)]),
    case('index_put_', lambda x, i, v: (x * 1).index_put_((i,), v), [(3, 4), P2, (4,)]),
    case('index_put_-accumulate', lambda x, i, v: (x * 1).index_put_((i,), v, accumulate=True), [(3, 4), V3, (4,)]),
    case('index_put-int', lambda x, i, v: x.index_put((i,), v, accumulate=True), [ints((3, 4)), V3, ints((4,))],
         forward_only=True),
    case('masked_select', lambda x, m: x.masked_select(m), [(3, 4), MASK]),
    case('masked_select-fn', lambda T, x, m: T.masked_select(x, m), [(3, 4), MASK]),
    case('masked_select-bcast-mask', lambda x, m: x.masked_select(m), [(3, 4), bools((4,), seed=2)]),
    case('masked_select-bcast-self', lambda x, m: x.masked_select(m), [(4,), bools((3, 4), seed=3)]),
    case('masked_select-bcast-both', lambda x, m: x.masked_select(m), [(2, 1, 3), bools((4, 1))]),
    case('masked_select-0d', lambda x, m: x.masked_select(m), [(), np.array(True)]),
    case('masked_select-0d-mask', lambda x, m: x.masked_select(m), [(3, 4), np.array(True)]),
    case('masked_select-noncontig', lambda x, m: x.t().masked_select(m), [(3, 4), bools((4, 3))]),
    case('masked_select-int', lambda x, m: x.masked_select(m), [ints((3, 4)), MASK], forward_only=True),
    case('masked_scatter', lambda x, m, s: x.masked_scatter(m, s), [(3, 4), MASK, (12,)]),
    case('masked_scatter-2d-source', lambda x, m, s: x.masked_scatter(m, s), [(3, 4), MASK, (4, 5)]),
    case('masked_scatter-bcast-mask', lambda x, m, s: x.masked_scatter(m, s), [(3, 4), bools((4,), seed=2), (13,)]),
    case('masked_scatter-bcast-self', lambda x, m, s: x.masked_scatter(m, s), [(4,), bools((2, 1), seed=1), (9,)]),
    case('masked_scatter_', lambda x, m, s: (x * 1).masked_scatter_(m, s), [(3, 4), MASK, (12,)]),
    case('masked_scatter_-bcast-mask', lambda x, m, s: (x * 1).masked_scatter_(m, s),
         [(3, 4), bools((3, 1), seed=4), (12,)]),
    case('masked_scatter-0d', lambda x, m, s: x.masked_scatter(m, s), [(), np.array(True), (2,)]),
    case('masked_scatter-int', lambda x, m, s: x.masked_scatter(m, s), [ints((3, 4)), MASK, ints((12,))],
         forward_only=True),
    case('take', lambda x, i: x.take(i), [(3, 4), idx([[0, 11], [-1, -12]])]),
    case('take-fn-repeated', lambda T, x, i: T.take(x, i), [(3, 4), idx([5, 5, 0, 5])]),
    case('take-0d-index', lambda x, i: x.take(i), [(3, 4), idx(7)]),
    case('take-0d', lambda x, i: x.take(i), [(), idx([0, -1])]),
    case('take-empty', lambda x, i: x.take(i), [(3, 4), np.zeros((0, 2), I64)]),
    case('take-noncontig', lambda x, i: x.t().take(i), [(3, 4), idx([1, 4, 1])]),
    case('take-int', lambda x, i: x.take(i), [ints((3, 4)), idx([1, 4])], forward_only=True),
    case('argwhere', lambda x: x.argwhere(), [arr([[0., 1.], [2., 0.]])], forward_only=True),
    case('argwhere-fn', lambda T, x: T.argwhere(x), [bools((2, 3))], forward_only=True),
    case('argwhere-0d', lambda T, x: T.argwhere(x), [arr(3.)], forward_only=True),
    xfail('argwhere-0d-zero', lambda T, x: T.argwhere(x), [arr(0.)], EMPTY_NONZERO, forward_only=True),
    xfail('argwhere-none', lambda T, x: T.argwhere(x), [np.zeros((2, 3), np.float32)], EMPTY_NONZERO,
          forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', PUT)
def test_put_mask_take(fn, specs, kw):
    check(fn, specs, **kw)


def _on_view(make_view, op):
    """y = x * 1; in-place op on a view of y; returns y (its grad_fn becomes CopySlices)."""
    def f(x, *rest):
        y = x * 1
        op(make_view(y), *rest)
        return y
    return f


OTHER = [
    # in place through views: CopySlices, and the saved old self of scatter_reduce_ stays intact
    case('index_fill_-view', _on_view(lambda y: y[:2], lambda v, i: v.index_fill_(1, i, 0.)), [(3, 4), P2]),
    case('scatter_reduce_-view', _on_view(lambda y: y[1:], lambda v, i, s: v.scatter_reduce_(0, i, s, 'prod')),
         [(3, 4), idx([[0, 1, 1, 0]]), (1, 4)]),
    case('index_add_-view', _on_view(lambda y: y[:, 1:], lambda v, i, s: v.index_add_(0, i, s)), [(3, 4), V3, (3, 3)]),
    case('masked_scatter_-view', _on_view(lambda y: y.t(), lambda v, m, s: v.masked_scatter_(m, s)),
         [(3, 4), bools((4, 3)), (12,)]),
    # out=
    case('gather-out', lambda T, x, i: T.gather(x, 0, i, out=T.empty(2, 4)), [(3, 4), I2], forward_only=True),
    case('index_select-out', lambda T, x, i: T.index_select(x, 0, i, out=T.empty(0)), [(3, 4), V3], forward_only=True),
    # other dtypes
    case('gather-f16', lambda x, i: x.gather(0, i), [(3, 4), I2], dtype=np.float16, gradcheck=False),
    case('index_add-f16', lambda x, i, s: x.index_add(0, i, s), [(3, 4), V3, (3, 4)], dtype=np.float16,
         gradcheck=False),
    case('scatter_reduce-amax-f16', lambda x, i, s: x.scatter_reduce(0, i, s, 'amax'), [(3, 4), I2, (2, 4)],
         dtype=np.float16, gradcheck=False),
    case('scatter_add-bf16', lambda x, i, s: x.scatter_add(0, i, s), [(3, 4), I2, (2, 4)], dtype=BF16,
         gradcheck=False),
    case('scatter_reduce-mean-bf16', lambda x, i, s: x.scatter_reduce(0, i, s, 'mean', include_self=False),
         [(3, 4), I2, (2, 4)], dtype=BF16, gradcheck=False),
    case('index_put-accumulate-bf16', lambda x, i, v: x.index_put((i,), v, accumulate=True), [(3, 4), V3, (4,)],
         dtype=BF16, gradcheck=False),
    case('masked_scatter-bf16', lambda x, m, s: x.masked_scatter(m, s), [(3, 4), MASK, (12,)], dtype=BF16,
         gradcheck=False),
    case('scatter_reduce-sum-bool', lambda x, i, s: x.scatter_reduce(0, i, s, 'sum'), [bools((3, 4)), I2, bools((2, 4))],
         forward_only=True),
    case('scatter_reduce-amin-bool-noself', lambda x, i, s: x.scatter_reduce(0, i, s, 'amin', include_self=False),
         [bools((3, 4)), I2, bools((2, 4), seed=3)], forward_only=True),
    case('index_add-uint8', lambda x, i, s: x.index_add(0, i, s),
         [ints((3, 4), 0, 9, dtype=np.uint8), V3, ints((3, 4), 0, 9, dtype=np.uint8)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', OTHER)
def test_views_out_dtypes(fn, specs, kw):
    check(fn, specs, **kw)


F34 = (3, 4)
ERRORS = [
    # gather / take_along_dim
    case('gather-float-index', lambda x, i: x.gather(0, i), [F34, I2.astype(np.float32)]),
    case('gather-int16-index', lambda x, i: x.gather(0, i), [F34, I2.astype(np.int16)]),
    case('gather-oob', lambda x, i: x.gather(0, i), [F34, idx([[5]])]),
    case('gather-negative', lambda x, i: x.gather(1, i), [F34, idx([[-1]])]),
    case('gather-rank', lambda x, i: x.gather(0, i), [F34, idx([1])]),
    case('gather-size', lambda x, i: x.gather(0, i), [F34, np.zeros((2, 5), I64)]),
    case('gather-bad-dim', lambda x, i: x.gather(2, i), [F34, I2]),
    case('gather-0d-oob', lambda x, i: x.gather(0, i), [(), idx(1)]),
    case('take_along_dim-int32', lambda x, i: x.take_along_dim(i, 1), [F34, idx([[1]], I32)]),
    case('take_along_dim-rank', lambda x, i: x.take_along_dim(i, 1), [F34, idx([1])]),
    case('take_along_dim-bcast', lambda x, i: x.take_along_dim(i, 1), [F34, np.zeros((2, 1), I64)]),
    case('take_along_dim-flat-oob', lambda x, i: x.take_along_dim(i), [F34, idx([12])]),
    case('take_along_dim-0d-dim', lambda x, i: x.take_along_dim(i, 0), [(), idx(0)]),
    # scatter family
    case('scatter-float-index', lambda x, i: x.scatter(0, i, 1.0), [F34, I2.astype(np.float32)]),
    case('scatter-oob', lambda x, i: x.scatter(0, i, 1.0), [F34, idx([[5]])]),
    case('scatter-negative', lambda x, i, s: x.scatter(1, i, s), [F34, idx([[-1]]), (1, 1)]),
    case('scatter-rank', lambda x, i: x.scatter(0, i, 1.0), [F34, idx([0])]),
    case('scatter-src-dtype', lambda x, i, s: x.scatter(0, i, s), [F34, I2, np.ones((2, 4))]),
    case('scatter-src-rank', lambda x, i, s: x.scatter(0, i, s), [F34, I2, (2, 4, 1)]),
    case('scatter-src-fewer-dims', lambda x, i, s: x.scatter(0, i, s), [F34, I2, (8,)]),
    case('scatter-src-0d-tensor', lambda x, i, s: x.scatter(0, i, s), [F34, I2, ()]),
    case('scatter-src-small', lambda x, i, s: x.scatter(0, i, s), [F34, I2, (1, 4)]),
    case('scatter-index-too-big', lambda x, i: x.scatter(0, i, 0.0), [F34, np.zeros((2, 5), I64)]),
    case('scatter-bad-reduce', lambda x, i, s: x.scatter(0, i, s, reduce='sum'), [F34, I2, (2, 4)]),
    case('scatter-bad-dim', lambda x, i: x.scatter(2, i, 1.0), [F34, I2]),
    case('scatter_add-dtype', lambda x, i, s: x.scatter_add(0, i, s), [F34, I2, np.ones((2, 4))]),
    case('scatter_add-oob', lambda x, i, s: x.scatter_add(1, i, s), [F34, idx([[4]]), (1, 1)]),
    case('scatter_reduce-bad-reduce', lambda x, i, s: x.scatter_reduce(0, i, s, 'add'), [F34, I2, (2, 4)]),
    case('scatter_reduce-float-index', lambda x, i, s: x.scatter_reduce(0, i, s, 'sum'),
         [F34, I2.astype(np.float32), (2, 4)]),
    case('scatter_reduce-oob', lambda x, i, s: x.scatter_reduce(0, i, s, 'amax'), [F34, idx([[3]]), (1, 1)]),
    # backward errors, as PyTorch's
    case('scatter-src-larger-backward', lambda x, i, s: x.scatter(0, i, s).sum().backward(),
         [F34, I2, (3, 5)], requires_grad=[False, False, True]),
    case('scatter_reduce-max-backward', lambda x, i, s: x.scatter_reduce(0, i, s, 'max').sum().backward(),
         [F34, I2, (2, 4)], requires_grad=[True, False, False]),
    case('scatter_reduce-prod-double-backward-two-zeros', lambda T, x, i, s: T.autograd.grad(
        T.autograd.grad(x.scatter_reduce(0, i, s, 'prod').sum(), s, create_graph=True)[0].sum(), s),
         [WITH_ZEROS, REP, TWO_ZEROS], requires_grad=[False, False, True]),
    case('scatter-legacy-backward', lambda x, i, s: x.scatter(0, i, s, reduce='add').sum().backward(),
         [F34, I2, (2, 4)], requires_grad=[True, False, False]),
    # index_select / index_add / index_copy / index_fill / index_reduce
    case('index_select-float-index', lambda x, i: x.index_select(0, i), [F34, V3.astype(np.float32)]),
    case('index_select-2d-index', lambda x, i: x.index_select(0, i), [F34, idx([[0, 1]], np.float32)]),
    case('index_select-oob-dim0', lambda x, i: x.index_select(0, i), [F34, idx([5])]),
    case('index_select-negative', lambda x, i: x.index_select(0, i), [F34, idx([-1])]),
    case('index_select-oob-dim1', lambda x, i: x.index_select(1, i), [F34, idx([0, 7])]),
    case('index_select-oob-3d-dim2', lambda x, i: x.index_select(2, i), [(2, 3, 4), idx([4])]),
    case('index_select-0d-many', lambda x, i: x.index_select(0, i), [(), idx([0, 0])]),
    case('index_select-bad-dim', lambda x, i: x.index_select(2, i), [F34, V3]),
    case('index_add-float-index', lambda x, i, s: x.index_add(0, i, s), [F34, V3.astype(np.float32), F34]),
    case('index_add-2d-index', lambda x, i, s: x.index_add(0, i, s), [F34, idx([[0, 1, 2]]), F34]),
    case('index_add-oob', lambda x, i, s: x.index_add(0, i, s), [F34, idx([0, 5, 1]), F34]),
    case('index_add-negative', lambda x, i, s: x.index_add(0, i, s), [F34, idx([0, -1, 1]), F34]),
    case('index_add-shape', lambda x, i, s: x.index_add(0, i, s), [F34, V3, (3, 5)]),
    case('index_add-rank', lambda x, i, s: x.index_add(0, i, s), [F34, V3, (3,)]),
    case('index_add-count', lambda x, i, s: x.index_add(0, i, s), [F34, V3, (2, 4)]),
    case('index_add-dtype', lambda x, i, s: x.index_add(0, i, s), [F34, V3, np.ones(F34)]),
    case('index_add-0d-source', lambda x, i, s: x.index_add(0, i, s), [(3,), idx(1), ()]),
    case('index_copy-int32-index', lambda x, i, s: x.index_copy(0, i, s), [F34, V3.astype(I32), F34]),
    case('index_copy-oob', lambda x, i, s: x.index_copy(0, i, s), [F34, idx([0, 5, 1]), F34]),
    case('index_copy-slice', lambda x, i, s: x.index_copy(0, i, s), [F34, V3, (3, 5)]),
    case('index_copy-slice-3d', lambda x, i, s: x.index_copy(1, i, s), [(2, 3, 4), P2, (3, 2, 4)]),
    case('index_copy-rank', lambda x, i, s: x.index_copy(1, i, s), [(2, 3, 4), P2, (2, 4)]),
    case('index_copy-count', lambda x, i, s: x.index_copy(0, i, s), [F34, V3, (2, 4)]),
    case('index_copy-2d-index', lambda x, i, s: x.index_copy(0, i, s), [F34, idx([[0, 1, 2]]), F34]),
    case('index_copy-dtype', lambda x, i, s: x.index_copy(0, i, s), [F34, V3, np.ones(F34)]),
    case('index_fill-int32-index', lambda x, i: x.index_fill(0, i, 1.0), [F34, V3.astype(I32)]),
    case('index_fill-oob', lambda x, i: x.index_fill(0, i, 1.0), [F34, idx([5])]),
    case('index_fill-2d-index', lambda x, i: x.index_fill(0, i, 1.0), [F34, idx([[0, 1]])]),
    case('index_fill-1d-value', lambda x, i, v: x.index_fill(0, i, v), [F34, V3, (1,)]),
    case('index_reduce-bad-reduce', lambda x, i, s: x.index_reduce(0, i, s, 'sum'), [F34, V3, F34]),
    case('index_reduce-oob', lambda x, i, s: x.index_reduce(0, i, s, 'prod'), [F34, idx([0, 5, 1]), F34]),
    case('index_reduce-count', lambda x, i, s: x.index_reduce(0, i, s, 'mean'), [F34, V3, (2, 4)]),
    case('index_reduce-dtype', lambda x, i, s: x.index_reduce(0, i, s, 'amax'), [F34, V3, np.ones(F34)]),
    # index_put / masks / take
    case('index_put-float-index', lambda x, i, v: x.index_put((i,), v), [F34, V3.astype(np.float32), (4,)]),
    case('index_put-oob', lambda x, i, v: x.index_put((i,), v), [F34, idx([5]), (4,)]),
    case('index_put-oob-accumulate', lambda x, i, v: x.index_put((i,), v, accumulate=True), [F34, idx([5]), (4,)]),
    case('index_put-dtype', lambda x, i, v: x.index_put((i,), v), [F34, V3, np.ones(4)]),
    case('index_put-shape', lambda x, i, v: x.index_put((i,), v), [F34, V3, (5,)]),
    case('index_put-shape-accumulate', lambda x, i, v: x.index_put((i,), v, accumulate=True), [F34, V3, (5,)]),
    case('index_put-too-many', lambda x, i, v: x.index_put((i, i, i), v), [F34, V3, (1,)]),
    case('index_put-not-tuple', lambda x, i, v: x.index_put(i, v), [F34, V3, (1,)]),
    case('index_put-scalar-value', lambda x, i: x.index_put((i,), 1.0), [F34, V3]),
    case('masked_select-uint8', lambda x, m: x.masked_select(m), [F34, MASK.astype(np.uint8)]),
    case('masked_select-shape', lambda x, m: x.masked_select(m), [F34, bools((3,))]),
    case('masked_scatter-small', lambda x, m, s: x.masked_scatter(m, s), [F34, np.ones(F34, bool), (3,)]),
    case('masked_scatter-dtype', lambda x, m, s: x.masked_scatter(m, s), [F34, MASK, ints((12,))]),
    case('masked_scatter-uint8', lambda x, m, s: x.masked_scatter(m, s), [F34, MASK.astype(np.uint8), (12,)]),
    case('masked_scatter-shape', lambda x, m, s: x.masked_scatter(m, s), [F34, bools((3,)), (12,)]),
    case('masked_scatter_-bcast-self', lambda x, m, s: x.masked_scatter_(m, s), [(4,), bools((2, 1)), (12,)]),
    case('take-int32', lambda x, i: x.take(i), [F34, idx([1], I32)]),
    case('take-oob', lambda x, i: x.take(i), [F34, idx([12])]),
    case('take-oob-negative', lambda x, i: x.take(i), [F34, idx([-13])]),
    case('take-empty-self', lambda x, i: x.take(i), [(0,), idx([0])]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# in-place calls that fail must leave the tensor (values and version) as it was
FAILING_INPLACE = [
    ('scatter_-oob', lambda T, x: x.scatter_(0, T.tensor([[0, 5]]), 1.0)),
    ('scatter_-src-dtype', lambda T, x: x.scatter_(0, T.tensor([[0, 1]]), T.ones(1, 2, dtype=T.float64))),
    ('scatter_add_-oob', lambda T, x: x.scatter_add_(0, T.tensor([[1, 2, 3]]), T.ones(1, 3))),
    ('scatter_reduce_-oob', lambda T, x: x.scatter_reduce_(0, T.tensor([[0, 9]]), T.ones(1, 2), 'prod')),
    ('index_add_-oob', lambda T, x: x.index_add_(0, T.tensor([0, 3]), T.ones(2, 4))),
    ('index_copy_-oob', lambda T, x: x.index_copy_(0, T.tensor([1, 3]), T.ones(2, 4))),
    ('index_fill_-oob', lambda T, x: x.index_fill_(1, T.tensor([0, 4]), 1.0)),
    ('index_put_-oob', lambda T, x: x.index_put_((T.tensor([0, 3]),), T.ones(4))),
    ('index_put_-accumulate-oob', lambda T, x: x.index_put_((T.tensor([0, 3]),), T.ones(4), accumulate=True)),
    ('index_reduce_-oob', lambda T, x: x.index_reduce_(0, T.tensor([0, 3]), T.ones(2, 4), 'amax')),
    ('masked_scatter_-small', lambda T, x: x.masked_scatter_(x > -10, T.ones(3))),
]


@pytest.mark.parametrize('name,fn', FAILING_INPLACE, ids=[n for n, _ in FAILING_INPLACE])
def test_failed_inplace_leaves_input(name, fn):
    # ember's rule (DESIGN: bad input never corrupts state); PyTorch itself may have written part
    # of the result before its kernel finds the bad index
    x = ember.arange(12.).reshape(3, 4)
    before = x.clone()
    version = x._version
    with pytest.raises((RuntimeError, IndexError)):
        fn(ember, x)
    assert (x == before).all(), f'{name} changed its input'
    assert x._version == version, f'{name} bumped the version'


def test_gather_grad_accumulates_repeats():
    x = ember.zeros(3, requires_grad=True)
    x.gather(0, ember.tensor([2, 2, 0, 2])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0]


def test_index_fill_value_grad_counts_each_slice_once():
    v = ember.tensor(2.0, requires_grad=True)
    ember.zeros(3, 4).index_fill(0, ember.tensor([0, 2, 2]), v).sum().backward()
    assert v.grad.item() == 8.0


def test_methods_and_functions_exist():
    for name in ('gather', 'scatter', 'scatter_add', 'scatter_reduce', 'take_along_dim', 'index_select',
                 'index_add', 'index_copy', 'index_fill', 'index_put', 'index_reduce', 'masked_select',
                 'masked_scatter', 'take', 'argwhere'):
        assert callable(getattr(ember, name)), name
        assert callable(getattr(ember.Tensor, name)), name
    for name in ('scatter_', 'scatter_add_', 'scatter_reduce_', 'index_add_', 'index_copy_', 'index_fill_',
                 'index_put_', 'index_reduce_', 'masked_scatter_'):
        assert callable(getattr(ember.Tensor, name)), name
