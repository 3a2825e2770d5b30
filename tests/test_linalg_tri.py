"""linalg.solve_triangular, the legacy triangular_solve and linalg.cholesky_ex's info codes,
against PyTorch (values, grad_fn names, strides, gradients, gradgradcheck, errors)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import case, check, check_error

_g = np.random.default_rng(0)
A = _g.standard_normal((3, 3)) + 4 * np.eye(3)
B32, B23 = _g.standard_normal((3, 2)), _g.standard_normal((2, 3))


def _st(upper, left, unit):
    return lambda T, a, b: T.linalg.solve_triangular(a, b, upper=upper, left=left, unitriangular=unit)


CASES = [case(f'st-up{int(u)}-left{int(lf)}-unit{int(un)}', _st(u, lf, un), [A, B32 if lf else B23])
         for u in (False, True) for lf in (True, False) for un in (False, True)]
CASES += [
    case('st-batched-A', lambda T, a, b: T.linalg.solve_triangular(a, b, upper=True),
         [np.stack([A, A.T]), _g.standard_normal((3, 4))]),
    case('st-batched-B', lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False),
         [A, _g.standard_normal((2, 3, 1))]),
    case('st-B-takes-A-dtype', lambda T, a, b: T.linalg.solve_triangular(a, b, upper=True),
         [A, B32.astype(np.float32)], gradgrad=False),
    case('st-float32', lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False),
         [A.astype(np.float32), B32.astype(np.float32)], gradgrad=False),
]
CASES += [case(f'ts-up{int(u)}-tr{int(t)}', lambda T, b, a, u=u, t=t: T.triangular_solve(b, a, upper=u, transpose=t),
               [B32, A]) for u in (False, True) for t in (False, True)]
CASES += [case('ts-method-unit', lambda T, b, a: b.triangular_solve(a, unitriangular=True), [B32, A])]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)      # triangular_solve's deprecation warning
        yield


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_triangular_solves(fn, specs, kw):
    check(fn, specs, **kw)


@pytest.mark.parametrize('fn,specs', [
    (lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False), [A, _g.standard_normal((2, 2))]),
    (lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False, left=False), [A, _g.standard_normal((2, 2))]),
    (lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False), [A[:2], B32]),
    (lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False), [A.astype(int), B32.astype(int)]),
    (lambda T, a, b: T.linalg.solve_triangular(a, b), [A, B32]),
])
def test_solve_triangular_errors(fn, specs):
    check_error(fn, specs)


@pytest.mark.parametrize('upper', [False, True])
def test_cholesky_ex_reports_info_instead_of_raising(upper):
    mats = [[[1., 2.], [2., 1.]], [[4., 0.], [0., 4.]]]
    third = [[4., 2, 1], [2., 1, 3], [1, 3, 5]]
    for data in (mats, third, [[2., 1.], [1., 2.]]):
        t = torch.linalg.cholesky_ex(torch.tensor(data), upper=upper)
        e = ember.linalg.cholesky_ex(ember.tensor(data), upper=upper)
        np.testing.assert_allclose(e.L.cpu().numpy(), t.L.numpy(), rtol=1e-6)
        assert e.info.tolist() == t.info.tolist() and e.info.dtype == ember.int32
    x = ember.tensor([[2., 1.], [1., 2.]], requires_grad=True)
    assert ember.linalg.cholesky_ex(x).L.grad_fn.name() == 'LinalgCholeskyExBackward0'


def test_cholesky_ex_check_errors_raises_as_pytorch():
    for T in (torch, ember):
        with pytest.raises(T.linalg.LinAlgError, match=r'linalg.cholesky_ex: The factorization could not be '
                           r'completed because the input is not positive-definite \(the leading minor of order 2'):
            T.linalg.cholesky_ex(T.tensor([[1., 2.], [2., 1.]]), check_errors=True)


def test_cholesky_ex_batch_keeps_lapacks_verdict_per_matrix():
    """One failing matrix in a batch must not turn a near-singular positive-definite one into a failure."""
    import torch
    a = [[0.0015906039625406265, 0.00032613330404274166], [0.00032613330404274166, 6.686952838208526e-05]]
    got = [T.linalg.cholesky_ex(T.tensor([[[1., 0], [0, 1]], [[1., 2], [2, 1]], a])).info.tolist()
           for T in (torch, ember)]
    assert got[0] == got[1] == [0, 2, 0]
