"""Edge cases against torch: gradients of max/min with NaN inputs, and the inf / negative norms
of empty tensors (which have no identity: PyTorch raises)."""
import numpy as np
import pytest

from helpers import arr, case, check, check_error

NAN, INF = float('nan'), float('inf')
V = arr([1., NAN, 3., NAN])                                     # two NaNs share a full-reduction gradient
M = arr([[1., NAN, 3.], [2., 5., 4.], [NAN, NAN, 0.]])
ONE = arr([NAN])
TIES = arr([[2., 2., 1.], [NAN, 0., 0.]])

NAN_CASES = [
    case('max_all', lambda x: x.max(), [V]),
    case('max_all_2d', lambda T, x: T.max(x), [M]),
    case('max_all_single', lambda x: x.max(), [ONE]),
    case('min_all', lambda x: x.min(), [V]),
    case('min_all_2d', lambda T, x: T.min(x), [M]),
    case('max_all_ties_no_nan', lambda x: x[0].max(), [TIES]),
    case('amax_all', lambda x: x.amax(), [M]),
    case('amin_dim', lambda T, x: T.amin(x, 0), [M]),
    case('amax_dim_keepdim', lambda x: x.amax(-1, keepdim=True), [TIES]),
    case('max_dim', lambda x: x.max(0), [M]),
    case('max_dim_keepdim', lambda T, x: T.max(x, 1, keepdim=True), [M]),
    case('min_dim', lambda x: x.min(-1), [M]),
    case('min_dim_ties', lambda x: x.min(1), [TIES]),
    case('max_binary', lambda T, x, y: T.max(x, y), [M, M.T.copy()]),
    case('maximum', lambda T, x, y: T.maximum(x, y), [V, arr([NAN, 2., 3., 1.])]),
    case('minimum_broadcast', lambda T, x, y: T.minimum(x, y), [M, arr([NAN, 1., 4.])]),
    case('min_binary_same_leaf', lambda T, x: T.min(x, x.flip(0)), [V]),
]


@pytest.mark.parametrize('fn,specs,kw', NAN_CASES)
def test_nan_extremes_grad_like_torch(fn, specs, kw):
    # gradcheck is meaningless with NaN values; forward and backward are compared with torch
    check(fn, specs, gradcheck=False, **kw)


def test_nan_max_double_backward():
    check(lambda x: x.max() * x.sum(), [V], gradcheck=False)


E0, E03, E30 = np.zeros(0, np.float32), np.zeros((0, 3), np.float32), np.zeros((3, 0), np.float32)
NORM_ERRORS = [
    case('vector_norm_inf', lambda T, x: T.linalg.vector_norm(x, INF), [E0]),
    case('vector_norm_-inf', lambda T, x: T.linalg.vector_norm(x, -INF), [E0]),
    case('vector_norm_-1', lambda T, x: T.linalg.vector_norm(x, -1), [E0]),
    case('vector_norm_-1.5_2d', lambda T, x: T.linalg.vector_norm(x, -1.5), [E03]),
    case('vector_norm_inf_dim0', lambda T, x: T.linalg.vector_norm(x, INF, dim=0), [E03]),
    case('vector_norm_-inf_dim_neg', lambda T, x: T.linalg.vector_norm(x, -INF, dim=-2), [E03]),
    case('vector_norm_inf_dims', lambda T, x: T.linalg.vector_norm(x, INF, dim=(1, 0)), [E30]),
    case('vector_norm_-2_dim_list', lambda T, x: T.linalg.vector_norm(x, -2, dim=[1], keepdim=True), [E30]),
    case('vector_norm_inf_dim_empty_tuple', lambda T, x: T.linalg.vector_norm(x, INF, dim=()), [E03]),
    case('linalg_norm_inf', lambda T, x: T.linalg.norm(x, INF), [E0]),
    case('linalg_norm_-inf_dim', lambda T, x: T.linalg.norm(x, -INF, dim=0), [E03]),
    case('tensor_norm_inf', lambda x: x.norm(INF), [E0]),
    case('tensor_norm_-inf_dim', lambda x: x.norm(-INF, dim=0), [E03]),
    case('torch_norm_inf', lambda T, x: T.norm(x, p=INF), [E0]),
]


@pytest.mark.parametrize('fn,specs,kw', NORM_ERRORS)
def test_empty_norm_without_identity_errors_like_torch(fn, specs, kw):
    check_error(fn, specs, **kw)


EMPTY_OK = [
    case('vector_norm_inf_nonempty_dim', lambda T, x: T.linalg.vector_norm(x, INF, dim=1), [E03]),
    case('vector_norm_-inf_nonempty_dim', lambda T, x: T.linalg.vector_norm(x, -INF, dim=0, keepdim=True), [E30]),
    case('vector_norm_-1_nonempty_dim', lambda T, x: T.linalg.vector_norm(x, -1, dim=1), [E03]),
    case('tensor_norm_inf_nonempty_dim', lambda x: x.norm(INF, dim=1), [E03]),
    case('vector_norm_2_empty', lambda T, x: T.linalg.vector_norm(x), [E0]),
    case('vector_norm_1_empty_dim', lambda T, x: T.linalg.vector_norm(x, 1, dim=0), [E03]),
    case('matrix_norm_inf_empty', lambda T, x: T.linalg.matrix_norm(x, INF), [E30]),
]


@pytest.mark.parametrize('fn,specs,kw', EMPTY_OK)
def test_empty_norms_with_a_value_match_torch(fn, specs, kw):
    check(fn, specs, gradcheck=False, **kw)
