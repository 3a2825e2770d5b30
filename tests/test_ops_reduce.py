"""Reductions against PyTorch: forward, backward, gradcheck/gradgradcheck (float64)."""
import numpy as np
import pytest

from helpers import check, check_error, arr, ints, bools, case

F32, F64 = np.float32, np.float64
INF = float('inf')


# a matrix with ties in every row and column (max/min/amax gradient splitting)
TIES = arr([[1., 3., 3.], [2., 2., 0.], [3., 1., 3.]])


# ------------------------------------------------------------------ sum / mean / prod

SUM_MEAN = [
    case('sum', lambda x: x.sum(), [(3, 4)]),
    case('sum-fn', lambda T, x: T.sum(x), [(3, 4)]),
    case('sum-0d', lambda x: x.sum(), [()]),
    case('sum-dim0', lambda x: x.sum(0), [(3, 4)]),
    case('sum-dim-neg', lambda x: x.sum(-1), [(2, 3, 4)]),
    case('sum-dim-kw', lambda x: x.sum(dim=1), [(2, 3, 4)]),
    case('sum-tuple', lambda x: x.sum((0, 2)), [(2, 3, 4)]),
    case('sum-list', lambda x: x.sum([1, -1]), [(2, 3, 4)]),
    case('sum-keepdim', lambda x: x.sum(1, keepdim=True), [(2, 3, 4)]),
    case('sum-tuple-keepdim', lambda x: x.sum((0, 2), keepdim=True), [(2, 3, 4)]),
    case('sum-0d-dim', lambda x: x.sum(0), [()]),
    case('sum-0d-neg-dim-keepdim', lambda x: x.sum(-1, keepdim=True), [()]),
    case('mean-0d-dim', lambda x: x.mean(0), [()]),
    case('sum-dtype-f64', lambda T, x: x.sum(dtype=T.float64), [(3, 4)]),
    case('sum-dim-dtype', lambda T, x: x.sum(1, dtype=T.float64), [(3, 4)]),
    case('sum-int', lambda x: x.sum(), [ints((3, 4))], forward_only=True),
    case('sum-int32-dim', lambda x: x.sum(0), [ints((3, 4), dtype=np.int32)], forward_only=True),
    case('sum-bool', lambda x: x.sum(), [bools((3, 4))], forward_only=True),
    case('sum-bool-dim', lambda x: x.sum(1), [bools((3, 4))], forward_only=True),
    case('sum-f16', lambda x: x.sum(0), [(3, 4)], dtype=np.float16, gradcheck=False),
    case('mean-f16', lambda x: x.mean(), [(3, 4)], dtype=np.float16, gradcheck=False),
    case('sum-bool-dtype', lambda T, x: x.sum(dtype=T.int32), [bools((3, 4))], forward_only=True),
    case('prod-int32-dim', lambda x: x.prod(1), [ints((2, 3), dtype=np.int32)], forward_only=True),
    case('sum-empty', lambda x: x.sum(), [np.zeros((0, 3), F32)], gradcheck=False),
    case('sum-empty-dim', lambda x: x.sum(0), [np.zeros((0, 3), F32)], gradcheck=False),
    case('sum-int-dtype-float', lambda T, x: x.sum(dtype=T.float32), [ints((3,))], forward_only=True),
    case('mean', lambda x: x.mean(), [(3, 4)]),
    case('mean-fn', lambda T, x: T.mean(x), [(3, 4)]),
    case('mean-dim', lambda x: x.mean(0), [(3, 4)]),
    case('mean-tuple-keepdim', lambda x: x.mean((0, 2), keepdim=True), [(2, 3, 4)]),
    case('mean-neg-dim', lambda x: x.mean(-2), [(2, 3, 4)]),
    case('mean-dtype', lambda T, x: x.mean(dtype=T.float64), [(3, 4)]),
    case('mean-int-dtype', lambda T, x: x.mean(dtype=T.float32), [ints((3, 4))], forward_only=True),
    case('mean-0d', lambda x: x.mean(), [()]),
    case('mean-f64', lambda x: x.mean(1), [(3, 4)], dtype=F64),
    case('mean-empty', lambda x: x.mean(), [np.zeros((0,), F32)], gradcheck=False),
]


@pytest.mark.parametrize('fn,specs,kw', SUM_MEAN)
def test_sum_mean(fn, specs, kw):
    check(fn, specs, **kw)


PROD = [
    case('prod', lambda x: x.prod(), [(2, 3)]),
    case('prod-fn', lambda T, x: T.prod(x), [(2, 3)]),
    case('prod-dim', lambda x: x.prod(1), [(2, 3, 2)]),
    case('prod-keepdim', lambda x: x.prod(0, keepdim=True), [(3, 2)]),
    case('prod-neg-dim', lambda x: x.prod(-1), [(3, 2)]),
    case('prod-one-zero', lambda x: x.prod(), [arr([1., 0., 2., 3.])]),
    case('prod-two-zeros', lambda x: x.prod(), [arr([1., 0., 2., 0.])]),
    case('prod-dim-zeros', lambda x: x.prod(1), [arr([[1., 0., 2.], [0., 0., 3.], [1., 2., 3.]])]),
    case('prod-int', lambda x: x.prod(), [ints((4,), 1, 4)], forward_only=True),
    case('prod-bool', lambda x: x.prod(0), [bools((3, 2))], forward_only=True),
    case('prod-0d', lambda x: x.prod(), [()]),
    case('prod-0d-dim', lambda x: x.prod(0), [()]),
    case('prod-zero-f64', lambda x: x.prod(0), [arr([[0., 2.], [3., 0.], [4., 5.]], F64)]),
]


@pytest.mark.parametrize('fn,specs,kw', PROD)
def test_prod(fn, specs, kw):
    check(fn, specs, **kw)


@pytest.mark.parametrize('dname', ['float64', 'float32', 'int64'])
def test_reduce_dtype_argument(dname):
    import torch
    import ember
    for fname in ('sum', 'prod', 'mean'):
        if fname == 'mean' and dname == 'int64':
            continue
        check(lambda T, x: getattr(x, fname)(dtype=getattr(T, dname)), [(3, 4)], gradgrad=False,
              gradcheck=dname == 'float64', requires_grad=[dname != 'int64'])
        check(lambda T, x: getattr(T, fname)(x, 1, dtype=getattr(T, dname)), [(3, 4)], gradgrad=False,
              gradcheck=False, requires_grad=[dname != 'int64'])
    assert torch and ember


# ------------------------------------------------------------------ max / min

MAXMIN = [
    case('max', lambda x: x.max(), [(3, 4)]),
    case('min', lambda x: x.min(), [(3, 4)]),
    case('max-fn', lambda T, x: T.max(x), [(3, 4)]),
    case('max-ties', lambda x: x.max(), [TIES], gradcheck=False),
    case('min-ties', lambda x: x.min(), [TIES], gradcheck=False),
    case('max-dim', lambda x: x.max(1), [(3, 4)]),
    case('min-dim', lambda x: x.min(0), [(3, 4)]),
    case('max-dim-kw', lambda x: x.max(dim=-1), [(2, 3, 4)]),
    case('max-keepdim', lambda x: x.max(1, keepdim=True), [(3, 4)]),
    case('min-keepdim', lambda T, x: T.min(x, 0, keepdim=True), [(3, 4)]),
    case('max-dim-values', lambda x: x.max(1).values, [(3, 4)]),
    case('max-dim-indices', lambda x: x.max(1).indices, [(3, 4)]),
    case('max-dim-ties', lambda x: x.max(1), [TIES], gradcheck=False),
    case('min-dim-ties', lambda x: x.min(0), [TIES], gradcheck=False),
    case('max-0d', lambda x: x.max(), [()]),
    case('max-0d-dim', lambda x: x.max(0), [()]),
    case('max-int', lambda x: x.max(), [ints((3, 4))], forward_only=True),
    case('max-int-dim', lambda x: x.max(1), [ints((3, 4))], forward_only=True),
    case('min-bool', lambda x: x.min(), [bools((3,))], forward_only=True),
    case('max-dim-bool', lambda x: x.max(0), [bools((2, 3))], forward_only=True),
    case('amax-bool', lambda x: x.amax(), [bools((2, 3))], forward_only=True),
    case('max-nan', lambda x: x.max(), [arr([1., np.nan, 3.])], forward_only=True),
    case('max-dim-nan', lambda x: x.max(1), [arr([[1., np.nan, 3.], [4., 5., np.nan]])], forward_only=True),
    case('min-dim-nan', lambda x: x.min(1), [arr([[1., np.nan, 3.], [0., 5., 6.]])], forward_only=True),
    case('max-inf', lambda x: x.max(0), [arr([[-INF, 1.], [-INF, INF]])], forward_only=True),
    case('amax', lambda x: x.amax(), [(3, 4)]),
    case('amin', lambda x: x.amin(), [(3, 4)]),
    case('amax-dim', lambda x: x.amax(1), [(3, 4)]),
    case('amax-fn', lambda T, x: T.amax(x, 0), [(3, 4)]),
    case('amin-fn', lambda T, x: T.amin(x, (0, 1)), [(2, 3, 4)]),
    case('amax-tuple-keepdim', lambda x: x.amax((0, 2), keepdim=True), [(2, 3, 4)]),
    case('amax-ties', lambda x: x.amax(), [TIES], gradcheck=False),
    case('amax-dim-ties', lambda x: x.amax(1), [TIES], gradcheck=False),
    case('amin-dim-ties', lambda x: x.amin(0, keepdim=True), [TIES], gradcheck=False),
    case('amax-int', lambda x: x.amax(0), [ints((3, 4))], forward_only=True),
    case('amax-0d-dim', lambda x: x.amax(0), [()]),
    case('min-0d-neg-dim', lambda x: x.min(-1), [()]),
    case('argmax-0d-dim', lambda x: x.argmax(0), [()]),
    case('argmax', lambda x: x.argmax(), [(3, 4)]),
    case('argmin', lambda x: x.argmin(), [(3, 4)]),
    case('argmax-fn', lambda T, x: T.argmax(x), [(3, 4)]),
    case('argmax-dim', lambda x: x.argmax(1), [(3, 4)]),
    case('argmin-dim', lambda T, x: T.argmin(x, dim=0), [(3, 4)]),
    case('argmax-keepdim', lambda x: x.argmax(1, keepdim=True), [(3, 4)]),
    case('argmax-all-keepdim', lambda x: x.argmax(keepdim=True), [(3, 4)]),
    case('argmax-ties', lambda x: x.argmax(1), [TIES]),
    case('argmin-ties', lambda x: x.argmin(0), [TIES]),
    case('argmax-ties-all', lambda x: x.argmax(), [TIES]),
    case('argmax-int', lambda x: x.argmax(), [ints((3, 4))]),
    case('argmax-0d', lambda x: x.argmax(), [()]),
    case('argmax-nan', lambda x: x.argmax(1), [arr([[1., np.nan, 3.], [4., 5., 6.]])]),
    case('argmin-nan', lambda x: x.argmin(), [arr([1., 2., np.nan, 0.])]),
]


@pytest.mark.parametrize('fn,specs,kw', MAXMIN)
def test_max_min(fn, specs, kw):
    check(fn, specs, **kw)


def test_max_dim_return_type():
    import torch
    import ember
    r = ember.tensor([[1., 5.], [3., 2.]]).max(1)
    t = torch.tensor([[1., 5.], [3., 2.]]).max(1)
    assert type(r).__name__ == type(t).__name__ == 'max'
    values, indices = r
    assert values.tolist() == t.values.tolist() and indices.tolist() == t.indices.tolist()
    rm = ember.tensor([[1., 5.]]).min(dim=1)
    assert type(rm).__name__ == 'min' and rm.indices.dtype == ember.int64


@pytest.mark.cpu_only       # the repr of a CUDA result ends in device='cuda:0'
def test_max_dim_return_repr():
    import torch
    import ember
    r = ember.tensor([[1., 5.], [3., 2.]]).max(1)
    t = torch.tensor([[1., 5.], [3., 2.]]).max(1)
    assert repr(r) == repr(t).replace('torch.', 'ember.')


def test_gradgradcheck_skips_nondifferentiable_outputs():
    import ember
    x = ember.randn(3, 4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda x: x.max(1), [x])


def test_max_ties_gradient_split():
    # max() of all elements splits the gradient evenly among ties; max(dim) picks one index
    check(lambda x: x.max() + x.amax(0).sum(), [TIES], gradcheck=False)


REDUCE_ERRORS = [
    case('max-empty', lambda x: x.max(), [np.zeros((0,), F32)]),
    case('max-empty-dim', lambda x: x.max(0), [np.zeros((0, 3), F32)]),
    case('argmax-empty', lambda x: x.argmax(), [np.zeros((0,), F32)]),
    case('amax-empty', lambda x: x.amax(), [np.zeros((0,), F32)]),
    case('sum-bad-dim', lambda x: x.sum(2), [(3, 4)]),
    case('sum-bad-neg-dim', lambda x: x.sum(-3), [(3, 4)]),
    case('sum-repeated-dims', lambda x: x.sum((0, 0)), [(3, 4)]),
    case('mean-bad-dim', lambda x: x.mean(5), [(3, 4)]),
    case('max-bad-dim', lambda x: x.max(2), [(3, 4)]),
    case('argmax-bad-dim', lambda x: x.argmax(-3), [(3, 4)]),
    case('prod-bad-dim', lambda x: x.prod(3), [(3, 4)]),
    case('std-bad-dim', lambda x: x.std(3), [(3, 4)]),
    case('mean-int', lambda x: x.mean(), [ints((3,))]),
    case('mean-int-dim', lambda x: x.mean(0), [ints((3,))]),
    case('var-int', lambda x: x.var(), [ints((3,))]),
    case('norm-int', lambda x: x.norm(), [ints((3,))]),
    case('sum_to_size-bad', lambda x: x.sum_to_size(3, 3), [(3, 4)]),
    case('mean-int-dtype-arg', lambda T, x: x.mean(dtype=T.int64), [(3,)]),
    case('argmax-bool', lambda x: x.argmax(), [bools((3,))]),
    case('argmin-bool-dim', lambda x: x.argmin(0), [bools((3,))]),
    case('norm-int-with-dtype', lambda T, x: x.norm(dtype=T.float32), [ints((3,))]),
]


@pytest.mark.parametrize('fn,specs,kw', REDUCE_ERRORS)
def test_reduce_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ any / all

ANY_ALL = [
    case('any', lambda x: x.any(), [bools((3, 4))]),
    case('all', lambda x: x.all(), [bools((3, 4))]),
    case('any-fn', lambda T, x: T.any(x), [bools((3, 4))]),
    case('all-fn', lambda T, x: T.all(x), [np.ones((2, 2), bool)]),
    case('any-dim', lambda x: x.any(1), [bools((3, 4))]),
    case('all-dim-keepdim', lambda x: x.all(0, keepdim=True), [bools((3, 4))]),
    case('any-float', lambda x: x.any(), [arr([0., 0., 0.5])]),
    case('all-float-dim', lambda x: x.all(1), [arr([[0., 1.], [2., 3.]])]),
    case('any-int', lambda x: x.any(0), [ints((3, 4), 0, 2)]),
    case('all-nan', lambda x: x.all(), [arr([np.nan, 1.])]),
    case('any-empty', lambda x: x.any(), [np.zeros((0,), bool)]),
    case('all-empty', lambda x: x.all(), [np.zeros((0,), bool)]),
    case('any-uint8', lambda x: x.any(), [ints((3,), 0, 3, dtype=np.uint8)]),
    case('all-uint8-dim', lambda x: x.all(0), [ints((3, 2), 0, 3, dtype=np.uint8)]),
    case('any-tuple-dims', lambda x: x.any((0, 2)), [bools((2, 3, 2))]),
]


@pytest.mark.parametrize('fn,specs,kw', ANY_ALL)
def test_any_all(fn, specs, kw):
    check(fn, specs, forward_only=True, **kw)


# ------------------------------------------------------------------ var / std

VAR_STD = [
    case('var', lambda x: x.var(), [(3, 4)]),
    case('std', lambda x: x.std(), [(3, 4)]),
    case('var-fn', lambda T, x: T.var(x), [(3, 4)]),
    case('std-fn', lambda T, x: T.std(x), [(3, 4)]),
    case('var-dim', lambda x: x.var(1), [(3, 4)]),
    case('std-dim', lambda x: x.std(0), [(3, 4)]),
    case('var-tuple', lambda x: x.var((0, 2)), [(2, 3, 4)]),
    case('std-keepdim', lambda x: x.std(1, keepdim=True), [(3, 4)]),
    case('var-unbiased-false', lambda x: x.var(unbiased=False), [(3, 4)]),
    case('std-positional-unbiased', lambda x: x.std(False), [(3, 4)]),
    case('var-dim-unbiased-false', lambda x: x.var(1, unbiased=False), [(3, 4)]),
    case('var-correction0', lambda x: x.var(correction=0), [(3, 4)]),
    case('var-correction2', lambda x: x.var(1, correction=2), [(3, 4)]),
    case('std-correction0-dim', lambda x: x.std(dim=1, correction=0, keepdim=True), [(3, 4)]),
    case('std-fn-dim-kw', lambda T, x: T.std(x, dim=(0, 1)), [(2, 3, 2)]),

    case('std-f64', lambda x: x.std(0), [(4, 3)], dtype=F64),
    case('var-neg-dim', lambda x: x.var(-1), [(2, 3)]),
    case('std-constant', lambda x: x.std(1), [np.ones((2, 3), F32)], gradcheck=False),
    case('std-0d-dim', lambda x: x.std(0, correction=0), [()], gradcheck=False),
    case('var_mean', lambda T, x: T.var_mean(x), [(3, 4)]),
    case('var_mean-dim', lambda T, x: T.var_mean(x, 1), [(3, 4)]),
    case('var_mean-dim-keepdim', lambda T, x: T.var_mean(x, 0, keepdim=True), [(3, 4)]),
    case('var_mean-unbiased', lambda T, x: T.var_mean(x, unbiased=False), [(3, 4)]),
    case('var_mean-correction', lambda T, x: T.var_mean(x, 1, correction=0), [(3, 4)]),
    case('std_mean', lambda T, x: T.std_mean(x), [(3, 4)]),
    case('std_mean-dim', lambda T, x: T.std_mean(x, dim=(0, 1)), [(2, 3, 2)]),
    case('std_mean-keepdim', lambda T, x: T.std_mean(x, 1, keepdim=True, correction=0), [(3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', VAR_STD)
def test_var_std(fn, specs, kw):
    check(fn, specs, **kw)


@pytest.mark.parametrize('fn,n', [(lambda T, x: x.var(), 1), (lambda T, x: x.std(0), 1),
                                  (lambda T, x: T.var_mean(x), 1), (lambda T, x: T.std_mean(x, 0), 1),
                                  (lambda T, x: x.var(correction=3), 3)],
                         ids=['var', 'std', 'var_mean', 'std_mean', 'correction'])
def test_var_degrees_of_freedom_warning(fn, n):
    # too few elements: nan, and PyTorch's UserWarning (not NumPy's RuntimeWarning)
    import warnings
    import torch
    import ember
    from helpers import assert_same
    msgs, outs = [], []
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            outs.append(fn(lib, lib.ones(n)))
        msgs.append([(x.category, str(x.message).split(' (Triggered')[0]) for x in w])
    assert_same(outs[1], outs[0])
    assert msgs[1] == msgs[0]


# ------------------------------------------------------------------ norm

NORM = [
    case('norm', lambda x: x.norm(), [(3, 4)]),
    case('norm-fn', lambda T, x: T.norm(x), [(3, 4)]),
    case('norm-p1', lambda x: x.norm(1), [(3, 4)]),
    case('norm-p2', lambda x: x.norm(2), [(3, 4)]),
    case('norm-pinf', lambda x: x.norm(INF), [(3, 4)]),
    case('norm-p-neg-inf', lambda x: x.norm(-INF), [(3, 4)]),
    case('norm-p3', lambda x: x.norm(3), [(3, 4)]),
    case('norm-p1.5', lambda x: x.norm(1.5), [(3, 4)]),
    case('norm-p0', lambda x: x.norm(0), [arr([0., 1., -2., 0.])]),
    case('norm-fro', lambda x: x.norm('fro'), [(3, 4)]),
    case('norm-dim', lambda x: x.norm(dim=1), [(3, 4)]),
    case('norm-p1-dim', lambda x: x.norm(1, dim=0), [(3, 4)]),
    case('norm-pinf-dim', lambda x: x.norm(INF, dim=1), [(3, 4)]),
    case('norm-p3-dim-keepdim', lambda x: x.norm(3, dim=1, keepdim=True), [(3, 4)]),
    case('norm-tuple-dim', lambda x: x.norm(2, dim=(0, 2)), [(2, 3, 2)]),
    case('norm-fn-p-dim', lambda T, x: T.norm(x, p=1, dim=-1), [(3, 4)]),
    case('norm-zero-vector', lambda x: x.norm(), [np.zeros(3, F32)], gradcheck=False),
    case('norm-pinf-ties', lambda x: x.norm(INF), [arr([1., -3., 3., 2.])], gradcheck=False),
    case('norm-0d', lambda x: x.norm(), [()]),
    case('norm-f64', lambda x: x.norm(dim=0), [(3, 4)], dtype=F64),
    case('norm-0d-dim', lambda x: x.norm(dim=0), [()]),
    case('norm-dtype', lambda T, x: x.norm(dtype=T.float64), [(3, 4)], gradcheck=False),
    case('norm-f16', lambda x: x.norm(), [(3, 4)], dtype=np.float16, gradcheck=False),
]


@pytest.mark.parametrize('fn,specs,kw', NORM)
def test_norm(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ sum_to_size

SUM_TO_SIZE = [
    case('sum_to_size', lambda x: x.sum_to_size(1, 4), [(3, 4)]),
    case('sum_to_size-tuple', lambda x: x.sum_to_size((3, 1)), [(3, 4)]),
    case('sum_to_size-lead', lambda x: x.sum_to_size(4), [(2, 3, 4)]),
    case('sum_to_size-lead-ones', lambda x: x.sum_to_size(3, 1), [(2, 3, 4)]),
    case('sum_to_size-scalar', lambda x: x.sum_to_size(1), [(2, 3)]),
    case('sum_to_size-same', lambda x: x.sum_to_size(2, 3), [(2, 3)]),
    case('sum_to_size-empty', lambda x: x.sum_to_size(()), [(2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', SUM_TO_SIZE)
def test_sum_to_size(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ composite

def test_reductions_compose():
    check(lambda x: (x - x.mean(1, keepdim=True)) / (x.std(1, keepdim=True) + 1e-5), [(3, 5)])
    check(lambda x: x.exp().sum(-1).log().mean(), [(3, 5)])
    check(lambda x: (x * x).sum((0, 1)).prod(), [(2, 2, 3)], low=0.5, high=1.5)
