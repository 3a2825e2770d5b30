"""The LU family (linalg.lu_factor/_ex, linalg.lu, lu_unpack, linalg.lu_solve, legacy lu and
lu_solve), matrix_exp, cond, tensorinv, tensorsolve and linalg.vander against PyTorch: values,
pivots, strides, grad_fn names, gradients, gradcheck/gradgradcheck (float64) and errors.

Inputs are small random matrices whose rows are shuffled so that partial pivoting has work to
do, with a diagonal boost so they stay well conditioned."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import case, check, check_error, ints, bools

F32, F64 = np.float32, np.float64
INF = float('inf')


def mat(*shape, seed=0, dtype=F64, boost=True):
    """Random matrices with shuffled rows (pivoting swaps them back), well conditioned if square."""
    g = np.random.default_rng(seed)
    a = g.uniform(-1, 1, shape)
    rows, cols = shape[-2:]
    if boost:
        k = min(rows, cols)
        a[..., range(k), range(k)] += 3 * np.sign(a[..., range(k), range(k)])
    return a[..., g.permutation(rows), :].astype(dtype)


A3, A3b, A4 = mat(3, 3), mat(2, 3, 3, seed=1), mat(4, 4, seed=2)
TALL, WIDE = mat(4, 2, seed=3), mat(2, 4, seed=4)
B32, B23 = np.random.default_rng(5).standard_normal((3, 2)), np.random.default_rng(6).standard_normal((2, 3))
SING = np.array([[1., 2.], [2., 4.]])


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield


LU_CASES = [
    case('lu_factor', lambda T, a: T.linalg.lu_factor(a), [A3]),
    case('lu_factor-4', lambda T, a: T.linalg.lu_factor(a), [A4], gradgrad=False),
    case('lu_factor-batch', lambda T, a: T.linalg.lu_factor(a), [A3b], gradgrad=False),
    case('lu_factor-f32', lambda T, a: T.linalg.lu_factor(a), [A3.astype(F32)], gradgrad=False),
    case('lu_factor-transposed', lambda T, a: T.linalg.lu_factor(a.mT), [A4], gradgrad=False),
    case('lu_factor-tall', lambda T, a: T.linalg.lu_factor(a), [TALL]),
    case('lu_factor-wide', lambda T, a: T.linalg.lu_factor(a), [WIDE]),
    # layout=False: ember reports NumPy's strides for an empty array, (9, 3, 1) for (0, 3, 3)
    case('lu_factor-empty-batch', lambda T, a: T.linalg.lu_factor(a), [np.zeros((0, 3, 3))], forward_only=True,
         layout=False),
    case('lu_factor-singular', lambda T, a: T.linalg.lu_factor_ex(a), [SING], forward_only=True),
    case('lu_factor-zero-col', lambda T, a: T.linalg.lu_factor_ex(a), [np.array([[0., 1.], [0., 1.]])],
         forward_only=True),
    case('lu_factor-zeros', lambda T, a: T.linalg.lu_factor_ex(a), [np.zeros((2, 2, 2))], forward_only=True),
    case('lu_factor_ex', lambda T, a: T.linalg.lu_factor_ex(a), [A3b], gradgrad=False),
    case('lu_factor_ex-check', lambda T, a: T.linalg.lu_factor_ex(a, check_errors=True), [A3], gradgrad=False),
    case('lu', lambda T, a: T.linalg.lu(a), [A3]),
    case('lu-batch', lambda T, a: T.linalg.lu(a), [A3b], gradgrad=False),
    case('lu-tall', lambda T, a: T.linalg.lu(a), [TALL]),
    case('lu-wide', lambda T, a: T.linalg.lu(a), [WIDE]),
    case('lu-f32', lambda T, a: T.linalg.lu(a), [A4.astype(F32)], gradgrad=False),
    case('lu-singular', lambda T, a: T.linalg.lu(a), [np.zeros((2, 2))], forward_only=True),
    case('lu-LU-only', lambda T, a: T.linalg.lu(a)[1:], [A4], gradgrad=False),
    case('lu_unpack', lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a)), [A3]),
    case('lu_unpack-batch', lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a)), [A3b], gradgrad=False),
    case('lu_unpack-tall', lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a)), [TALL], gradgrad=False),
    case('lu_unpack-wide', lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a)), [WIDE], gradgrad=False),
    case('lu_unpack-no-data', lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a), unpack_data=False), [A3b],
         forward_only=True),
    case('lu_unpack-no-pivots', lambda T, a: T.lu_unpack(*T.linalg.lu_factor(a), unpack_pivots=False), [A3b], gradgrad=False),
    case('lu_unpack-leaf-LU', lambda T, lu: T.lu_unpack(lu, T.tensor([3, 3, 3], dtype=T.int32)), [A3], gradgrad=False),
    case('lu_unpack-int', lambda T, lu: T.lu_unpack(lu, T.tensor([3, 2, 3], dtype=T.int32)),
         [ints((3, 3))], forward_only=True),
    case('legacy-lu', lambda T, a: T.lu(a), [A3], gradgrad=False),
    case('legacy-lu-infos', lambda T, a: T.lu(a, get_infos=True), [A3b], gradgrad=False),
    case('legacy-lu-method', lambda a: a.lu(), [A4], gradgrad=False),
    case('legacy-lu-singular-no-raise', lambda T, a: T.lu(a), [np.zeros((2, 2))], forward_only=True),
    case('legacy-lu-method-infos', lambda a: a.lu(get_infos=True), [SING], forward_only=True),
]

SOLVE_CASES = [
    case(f'lu_solve-left{int(lf)}-adj{int(adj)}',
         lambda T, a, b, lf=lf, adj=adj: T.linalg.lu_solve(*T.linalg.lu_factor(a), b, left=lf, adjoint=adj),
         [A3[:2, :2], B23 if lf else B32]) for lf in (True, False) for adj in (False, True)
]
SOLVE_CASES += [
    case('lu_solve-batch-LU', lambda T, a, b: T.linalg.lu_solve(*T.linalg.lu_factor(a), b), [A3b, B32], gradgrad=False),
    case('lu_solve-batch-B', lambda T, a, b: T.linalg.lu_solve(*T.linalg.lu_factor(a), b),
         [A3, np.random.default_rng(7).standard_normal((2, 3, 1))], gradgrad=False),
    case('lu_solve-bcast', lambda T, a, b: T.linalg.lu_solve(*T.linalg.lu_factor(a), b, adjoint=True),
         [mat(2, 1, 2, 2), np.random.default_rng(8).standard_normal((3, 2, 1))], gradgrad=False),
    case('lu_solve-f32', lambda T, a, b: T.linalg.lu_solve(*T.linalg.lu_factor(a), b),
         [A4.astype(F32), np.ones((4, 2), F32)], gradgrad=False),
    case('lu_solve-B-only', lambda T, lu, b: T.linalg.lu_solve(lu, T.tensor([2, 3, 3], dtype=T.int32), b),
         [A3, B32], requires_grad=[False, True], gradgrad=False),
    case('lu_solve-leaf-LU', lambda T, lu, b: T.linalg.lu_solve(lu, T.tensor([2, 3, 3], dtype=T.int32), b,
                                                             adjoint=True), [A3, B32]),
    case('legacy-lu_solve', lambda T, a, b: T.lu_solve(b, *T.linalg.lu_factor(a)), [A3, B32], gradgrad=False),
    case('legacy-lu_solve-method', lambda a, b: b.lu_solve(*a.lu()), [A3b, B32], gradgrad=False),
]


def _big():
    return mat(3, 3, seed=9) * 4            # 1-norm well past the Pade threshold: squaring is used


EXP_CASES = [
    case('matrix_exp', lambda T, a: T.matrix_exp(a), [A3 / 3]),
    case('matrix_exp-linalg', lambda T, a: T.linalg.matrix_exp(a), [A4 / 4]),
    case('matrix_exp-method', lambda a: a.matrix_exp(), [np.random.default_rng(1).uniform(-1, 1, (2, 2))]),
    case('matrix_exp-scaled', lambda T, a: T.matrix_exp(a), [_big()]),
    case('matrix_exp-batch-mixed', lambda T, a: T.matrix_exp(a), [np.stack([A3 / 30, A3 * 3])]),
    case('matrix_exp-f32', lambda T, a: T.matrix_exp(a), [(A3 / 3).astype(F32)], gradgrad=False),
    case('matrix_exp-transposed', lambda T, a: T.matrix_exp(a.mT), [A3 / 3]),
    case('matrix_exp-1x1', lambda T, a: T.matrix_exp(a), [np.array([[0.7]])]),
    case('matrix_exp-zeros', lambda T, a: T.matrix_exp(a), [np.zeros((3, 3))]),
    case('matrix_exp-empty', lambda T, a: T.matrix_exp(a), [np.zeros((0, 2, 2))], forward_only=True),
]

# PyTorch's own backward fails for ord fro/±inf/±1 (it fills the saved inverse in place), so
# those compare forward only; test_cond_gradcheck checks ember's gradients for them.
_COND_INV = ('fro', INF, -INF, 1, -1)
COND_CASES = [case(f'cond-{p}', lambda T, a, p=p: T.linalg.cond(a, p), [A3], forward_only=p in _COND_INV)
              for p in (None, 2, -2, 'fro', 'nuc', INF, -INF, 1, -1)]
COND_CASES += [
    case('cond-batch', lambda T, a: T.linalg.cond(a), [A3b], gradgrad=False),
    case('cond-batch-1', lambda T, a: T.linalg.cond(a, 1), [A3b], forward_only=True),
    case('cond-wide', lambda T, a: T.linalg.cond(a), [WIDE]),
    case('cond-tall--2', lambda T, a: T.linalg.cond(a, -2), [TALL]),
    case('cond-f32-inf', lambda T, a: T.linalg.cond(a, INF), [A3.astype(F32)], forward_only=True),
    case('cond-singular-1', lambda T, a: T.linalg.cond(a, 1), [SING], forward_only=True),
    case('cond-singular-fro-batch', lambda T, a: T.linalg.cond(a, 'fro'), [np.stack([SING, A3[:2, :2]])],
         forward_only=True),
    case('cond-zeros-nuc', lambda T, a: T.linalg.cond(a, 'nuc'), [np.zeros((2, 2))], forward_only=True),
    case('cond-empty', lambda T, a: T.linalg.cond(a, 1), [np.zeros((2, 0, 0), F32)], forward_only=True),
    case('cond-empty-none', lambda T, a: T.linalg.cond(a), [np.zeros((0, 0), F32)], forward_only=True),
]

OTHER_CASES = [
    case('tensorinv', lambda T, a: T.linalg.tensorinv(a), [mat(6, 6, seed=3).reshape(2, 3, 6)[..., [1, 0, 2, 3, 4, 5]]
                                                          .reshape(2, 3, 2, 3)]),
    case('tensorinv-ind1', lambda T, a: T.linalg.tensorinv(a, ind=1), [mat(6, 6, seed=4).reshape(6, 2, 3)]),
    case('tensorsolve', lambda T, a, b: T.linalg.tensorsolve(a, b), [mat(6, 6, seed=5).reshape(2, 3, 6), (2, 3)]),
    case('tensorsolve-dims', lambda T, a, b: T.linalg.tensorsolve(a, b, dims=(0,)),
         [mat(6, 6, seed=6).T.reshape(6, 2, 3).copy(), (2, 3)], gradgrad=False),
    case('tensorsolve-2d', lambda T, a, b: T.linalg.tensorsolve(a, b), [A4, (4,)]),
    case('vander', lambda T, x: T.linalg.vander(x), [(3,)]),
    case('vander-N', lambda T, x: T.linalg.vander(x, N=5), [(2, 3)]),
    case('vander-N2', lambda T, x: T.linalg.vander(x, N=2), [(4,)]),
    case('vander-int', lambda T, x: T.linalg.vander(x), [ints((3,))], forward_only=True),
    case('vander-int32', lambda T, x: T.linalg.vander(x, N=4), [ints((3,), dtype=np.int32)], forward_only=True),
    case('vander-0d', lambda T, x: T.linalg.vander(x, N=3), [np.array(1.5)]),
    case('vander-empty', lambda T, x: T.linalg.vander(x, N=3), [np.zeros((0,))], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', LU_CASES + SOLVE_CASES + EXP_CASES + COND_CASES + OTHER_CASES)
def test_op(fn, specs, kw):
    kw.setdefault('dtype', F64)
    check(fn, specs, **kw)


_LU, _PIV = torch.linalg.lu_factor(torch.from_numpy(A3))
LUn, PIVn = _LU.cpu().numpy(), _PIV.cpu().numpy()


def _piv(T, p=PIVn):
    return T.tensor(p)


ERRORS = [
    case('lu_factor-1d', lambda T, a: T.linalg.lu_factor(a), [(3,)]),
    case('lu_factor-int', lambda T, a: T.linalg.lu_factor(a), [ints((3, 3))]),
    case('lu_factor-half', lambda T, a: T.linalg.lu_factor(a), [np.ones((2, 2), np.float16)]),
    case('lu_factor-no-pivot', lambda T, a: T.linalg.lu_factor(a, pivot=False), [(3, 3)]),
    case('lu_factor-singular', lambda T, a: T.linalg.lu_factor(a), [SING]),
    case('lu_factor-singular-batch', lambda T, a: T.linalg.lu_factor(a), [np.stack([A3[:2, :2], SING])]),
    case('lu_factor_ex-check', lambda T, a: T.linalg.lu_factor_ex(a, check_errors=True), [np.zeros((2, 2))]),
    case('legacy-lu-1d', lambda T, a: T.lu(a), [(3,)]),
    case('lu-1d', lambda T, a: T.linalg.lu(a), [(3,)]),
    case('lu-int', lambda T, a: T.linalg.lu(a), [ints((3, 3))]),
    case('lu-no-pivot', lambda T, a: T.linalg.lu(a, pivot=False), [(3, 3)]),
    case('lu_solve-B-shape', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b), [LUn, (2, 2)]),
    case('lu_solve-B-shape-right', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b, left=False), [LUn, (3, 2)]),
    case('lu_solve-B-1d', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b), [LUn, (3,)]),
    case('lu_solve-LU-1d', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b), [LUn[0], (3,)]),
    case('lu_solve-LU-not-square', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b), [LUn[:, :2], (3, 2)]),
    case('lu_solve-int', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b), [ints((3, 3)), ints((3, 2))]),
    case('lu_solve-half', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b),
         [LUn.astype(np.float16), np.ones((3, 2), np.float16)]),
    case('lu_solve-dtype', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T), b), [LUn, np.ones((3, 2), F32)]),
    case('lu_solve-piv-dtype', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T).long(), b), [LUn, (3, 2)]),
    case('lu_solve-piv-count', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T)[:2], b), [LUn, (3, 2)]),
    case('lu_solve-piv-batch', lambda T, lu, b: T.linalg.lu_solve(lu.expand(4, 3, 3), _piv(T), b), [LUn, (3, 2)]),
    case('lu_solve-piv-low', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T) - 1, b), [LUn, (3, 2)]),
    case('lu_solve-piv-high', lambda T, lu, b: T.linalg.lu_solve(lu, _piv(T) + 5, b), [LUn, (3, 2)]),
    case('lu_unpack-piv-dtype', lambda T, lu: T.lu_unpack(lu, _piv(T).long()), [LUn]),
    case('lu_unpack-piv-range', lambda T, lu: T.lu_unpack(lu, _piv(T) + 5), [LUn]),
    case('matrix_exp-1d', lambda T, a: T.matrix_exp(a), [(3,)]),
    case('matrix_exp-not-square', lambda T, a: T.matrix_exp(a), [(3, 2)]),
    case('matrix_exp-int', lambda T, a: T.linalg.matrix_exp(a), [ints((2, 2))]),
    case('cond-1d', lambda T, a: T.linalg.cond(a), [(3,)]),
    case('cond-bad-ord', lambda T, a: T.linalg.cond(a, 3), [(3, 3)]),
    case('cond-not-square-1', lambda T, a: T.linalg.cond(a, 1), [(2, 3)]),
    case('cond-not-square-inf', lambda T, a: T.linalg.cond(a, -INF), [(2, 3)]),
    case('cond-not-square-fro', lambda T, a: T.linalg.cond(a, 'fro'), [(2, 3)]),
    case('cond-int', lambda T, a: T.linalg.cond(a, 1), [ints((2, 2))]),
    case('tensorinv-ind0', lambda T, a: T.linalg.tensorinv(a, ind=0), [(2, 2, 2, 2)]),
    case('tensorinv-shape', lambda T, a: T.linalg.tensorinv(a, ind=1), [(2, 2, 2, 2)]),
    case('tensorinv-singular', lambda T, a: T.linalg.tensorinv(a), [np.zeros((2, 2, 2, 2))]),
    case('tensorsolve-shape', lambda T, a, b: T.linalg.tensorsolve(a, b), [(4, 4), (2, 2)]),
    case('tensorsolve-dims-shape', lambda T, a, b: T.linalg.tensorsolve(a, b, dims=(0,)), [(6, 2, 3), (6,)]),
    case('vander-bool', lambda T, x: T.linalg.vander(x), [bools((3,))]),
    case('vander-half', lambda T, x: T.linalg.vander(x), [np.ones(3, np.float16)]),
    case('vander-N1', lambda T, x: T.linalg.vander(x, N=1), [(3,)]),
    case('vander-0d', lambda T, x: T.linalg.vander(x), [np.array(2.)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_error(fn, specs, kw):
    kw.setdefault('dtype', F64)
    check_error(fn, specs, **kw)


@pytest.mark.parametrize('p', _COND_INV)
def test_cond_gradcheck(p):
    a = ember.tensor(A3b, requires_grad=True)
    assert ember.autograd.gradcheck(lambda x: ember.linalg.cond(x, p), [a])
    assert ember.autograd.gradgradcheck(lambda x: ember.linalg.cond(x, p), [a])


def test_legacy_warnings():
    import ember.ops.from_data as fd
    fd._ONCE.clear()                    # the warnings come once per process, as torch's
    a = ember.tensor(A3)
    with pytest.warns(UserWarning, match='ember.lu is deprecated'):
        LU, piv = ember.lu(a)
    with pytest.warns(UserWarning, match='ember.lu_solve is deprecated'):
        ember.lu_solve(ember.tensor(B32), LU, piv)


def test_lu_reconstructs_bigger_batch():
    a = np.random.default_rng(3).standard_normal((5, 7, 6))
    P, L, U = ember.linalg.lu(ember.tensor(a))
    np.testing.assert_allclose((P @ L @ U).cpu().numpy(), a, atol=1e-12)
    tp = torch.linalg.lu_factor(torch.from_numpy(a)).pivots.cpu().numpy()
    np.testing.assert_array_equal(ember.linalg.lu_factor(ember.tensor(a)).pivots.cpu().numpy(), tp)


def test_matrix_exp_matches_torch_wide_range():
    g = np.random.default_rng(4)
    a = g.standard_normal((6, 5, 5)) * np.array([1e-3, 0.1, 1, 5, 20, 60])[:, None, None]
    e, t = ember.matrix_exp(ember.tensor(a)).cpu().numpy(), torch.matrix_exp(torch.from_numpy(a)).cpu().numpy()
    np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-12 * np.abs(t).max())
