"""Householder products against PyTorch: linalg.householder_product, orgqr and ormqr (function
and method forms), batched, from geqrf outputs and from arbitrary (A, tau), with forward,
backward, gradcheck and gradgradcheck in float64; and PyTorch's argument errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case

F32, F64 = np.float32, np.float64


def geqrf(*shape, seed=0, dtype=F32):
    """(A, tau) as LAPACK's geqrf leaves them, for a random matrix (batch) of ``shape``."""
    x = torch.from_numpy(np.random.default_rng(seed).uniform(-1, 1, shape))
    a, tau = torch.geqrf(x)
    return a.numpy().astype(dtype), tau.numpy().astype(dtype)


def rand(*shape, seed=1, dtype=F32):
    return np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)


A43, T43 = geqrf(4, 3)
A55, T55 = geqrf(5, 5, seed=2)
AB, TB = geqrf(2, 4, 3, seed=3)
A35, T35 = geqrf(3, 5, seed=4)     # wide: tau has min(3, 5) = 3 entries


def hp(T, a, t):
    return T.linalg.householder_product(a, t)


def ormqr(left, transpose):
    return lambda T, a, t, c: T.ormqr(a, t, c, left, transpose)


CASES = [
    case('hp_geqrf', hp, [A43, T43]),
    case('hp_square', hp, [A55, T55]),
    case('hp_f64', hp, [A43.astype(F64), T43.astype(F64)]),
    case('hp_batched', hp, [AB, TB]),
    case('hp_short_tau', hp, [A43, T43[:2]]),
    case('hp_empty_tau', hp, [A43, T43[:0]]),
    case('hp_arbitrary', hp, [rand(5, 3), rand(3, seed=2)]),
    case('hp_noncontig', lambda T, a, t: T.linalg.householder_product(a.mT, t), [rand(3, 5), rand(3, seed=2)]),
    case('hp_cols_step', lambda T, a, t: T.linalg.householder_product(a[:, ::2], t), [rand(5, 4), rand(2, seed=2)]),
    # ember reports row-major strides for every fresh empty tensor: layout=False on empty results
    case('hp_empty_batch', hp, [np.zeros((0, 4, 3), F32), np.zeros((0, 3), F32)], layout=False),
    case('hp_zero_cols', hp, [np.zeros((4, 0), F32), np.zeros((0,), F32)], layout=False),
    case('orgqr', lambda T, a, t: T.orgqr(a, t), [A43, T43]),
    case('orgqr_method', lambda a, t: a.orgqr(t), [AB, TB]),
    case('ormqr_left', ormqr(True, False), [A43, T43, rand(4, 2)]),
    case('ormqr_left_t', ormqr(True, True), [A43, T43, rand(4, 2)]),
    case('ormqr_right', ormqr(False, False), [A43, T43, rand(2, 4)]),
    case('ormqr_right_t', ormqr(False, True), [A43, T43, rand(2, 4)]),
    case('ormqr_wide', ormqr(True, False), [A35, T35, rand(3, 2)]),
    case('ormqr_wide_right_t', ormqr(False, True), [A35, T35, rand(4, 3)]),
    case('ormqr_batched', ormqr(True, True), [AB, TB, rand(2, 4, 3)]),
    case('ormqr_f64', ormqr(False, False), [A55.astype(F64), T55.astype(F64), rand(1, 5, dtype=F64)]),
    case('ormqr_method', lambda a, t, c: a.ormqr(t, c, transpose=True), [A43, T43, rand(4, 5)]),
    case('ormqr_kw', lambda T, a, t, c: T.ormqr(a, t, c, left=False), [A43, T43, rand(3, 4)]),
    case('ormqr_empty_other', ormqr(True, False), [A43, T43, np.zeros((4, 0), F32)], layout=False),
    case('ormqr_empty_a', ormqr(True, False), [np.zeros((4, 0), F32), np.zeros((0,), F32), rand(4, 2)]),
    case('ormqr_empty_batch', ormqr(False, True), [np.zeros((0, 4, 3), F32), np.zeros((0, 3), F32),
                                                   np.zeros((0, 2, 4), F32)], layout=False),
    case('ormqr_const_a', ormqr(True, False), [A43, T43, rand(4, 2)], requires_grad=[False, False, True]),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_householder(fn, specs, kw):
    check(fn, specs, **kw)


def test_geqrf_reconstructs_q():
    """Q from householder_product on torch.geqrf's output is qr's Q (up to column signs)."""
    x = np.random.default_rng(5).uniform(-1, 1, (5, 3))
    a, tau = torch.geqrf(torch.from_numpy(x))
    q = ember.linalg.householder_product(ember.tensor(a.numpy()), ember.tensor(tau.numpy()))
    r, q = np.triu(a.numpy())[:3], q.cpu().numpy()
    np.testing.assert_allclose(q @ r, x, atol=1e-12)
    np.testing.assert_allclose(q.T @ q, np.eye(3), atol=1e-12)


def test_namespace():
    assert callable(ember.orgqr) and callable(ember.ormqr) and callable(ember.Tensor.ormqr)
    assert hasattr(ember, 'householder_product') == hasattr(torch, 'householder_product')


r = rand
ERRORS = [
    case('hp_wide', hp, [r(3, 4), r(3)]),
    case('hp_tau_long', hp, [r(4, 3), r(4)]),
    case('hp_1d', hp, [r(4), r(1)]),
    case('hp_tau_batch', hp, [r(2, 4, 3), r(3, 3)]),
    case('hp_tau_batch1', hp, [r(2, 4, 3), r(1, 3)]),
    case('hp_tau_ndim', hp, [r(2, 4, 3), r(3)]),
    case('hp_tau_ndim2', hp, [r(4, 3), r(1, 3)]),
    case('hp_dtype', hp, [r(4, 3, dtype=F64), r(3)]),
    case('hp_dtype2', hp, [r(4, 3), r(3, dtype=F64)]),
    case('hp_int', hp, [np.ones((4, 3), np.int32), np.ones(3, np.int32)]),
    case('hp_half', hp, [r(4, 3).astype(np.float16), r(3).astype(np.float16)]),
    case('hp_tau_0d', hp, [r(4, 3), np.array(1., F32)]),
    case('hp_order_cols_first', hp, [r(2, 3, 4), r(3)]),
    case('hp_order_batch_dtype', hp, [r(2, 4, 3), r(5, 3, dtype=F64)]),
    case('hp_not_tensor', lambda T, a: T.linalg.householder_product(a, 3), [r(4, 3)]),
    case('orgqr_tau_long', lambda T, a, t: T.orgqr(a, t), [r(4, 3), r(4)]),
    case('ormqr_rows', ormqr(True, False), [r(4, 3), r(3), r(5, 2)]),
    case('ormqr_cols', ormqr(False, False), [r(4, 3), r(3), r(2, 5)]),
    case('ormqr_tau_len', ormqr(True, False), [r(4, 3), r(2), r(4, 2)]),
    case('ormqr_tau_len_right', ormqr(False, False), [r(4, 3), r(2), r(2, 4)]),
    case('ormqr_tau_len_wide', ormqr(True, False), [r(3, 4), r(4), r(3, 2)]),
    case('ormqr_other_1d', ormqr(True, False), [r(4, 3), r(3), r(4)]),
    case('ormqr_input_1d', ormqr(True, False), [r(4), r(3), r(4, 2)]),
    case('ormqr_other_dtype', ormqr(True, False), [r(4, 3), r(3), r(4, 2, dtype=F64)]),
    case('ormqr_tau_dtype', ormqr(True, False), [r(4, 3), r(3, dtype=F64), r(4, 2)]),
    case('ormqr_both_dtypes', ormqr(True, False), [r(4, 3), r(3, dtype=F64), r(4, 2, dtype=F64)]),
    case('ormqr_other_ndim', ormqr(True, False), [r(2, 4, 3), r(2, 3), r(4, 2)]),
    case('ormqr_tau_ndim', ormqr(True, False), [r(2, 4, 3), r(3), r(4, 2)]),
    case('ormqr_other_batch', ormqr(True, False), [r(2, 4, 3), r(2, 3), r(3, 4, 2)]),
    case('ormqr_tau_batch', ormqr(True, False), [r(2, 4, 3), r(5, 3), r(6, 4, 2)]),
    case('ormqr_int', ormqr(True, False), [np.ones((4, 3), np.int32), np.ones(3, np.int32),
                                            np.ones((4, 2), np.int32)]),
    case('ormqr_half', ormqr(True, False), [r(4, 3).astype(np.float16), r(3).astype(np.float16),
                                             r(4, 2).astype(np.float16)]),
    case('ormqr_order_rows_first', ormqr(True, False), [r(2, 4, 3), r(3), r(2, 5, 2)]),
    case('ormqr_tau_0d', ormqr(True, False), [r(4, 3), np.array(1., F32), r(4, 2)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_householder_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_inputs_unchanged_after_error():
    a, t, c = ember.tensor(r(4, 3)), ember.tensor(r(2)), ember.tensor(r(4, 2))
    before = [x.cpu().numpy().copy() for x in (a, t, c)]
    with pytest.raises(RuntimeError):
        ember.ormqr(a, t, c)
    for x, b in zip((a, t, c), before):
        np.testing.assert_array_equal(x.cpu().numpy(), b)


def test_double_backward_grad_fn_exists():
    a = ember.tensor(A43.astype(F64), requires_grad=True)
    t = ember.tensor(T43.astype(F64), requires_grad=True)
    q = ember.linalg.householder_product(a, t)
    g, = ember.autograd.grad(q.sum(), a, create_graph=True)
    assert g.grad_fn is not None
