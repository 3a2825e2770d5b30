"""cdist / pdist / dist, differential against PyTorch, including the gradient at coincident
points and at equal coordinates."""
import numpy as np
import pytest

from helpers import check, check_error, case, arr, ints

F64 = np.float64
INF = float('inf')


def _dup_rows():
    a = np.random.default_rng(5).uniform(-2, 2, (4, 3)).astype(np.float32)
    a[2] = a[0]
    a[3, 1] = a[1, 1]        # one equal coordinate, distance not zero
    return a


DIST = [
    case('cdist', lambda T, a, b: T.cdist(a, b), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_batched', lambda T, a, b: T.cdist(a, b), [(2, 3, 4), (2, 5, 4)], gradgrad=False),
    case('cdist_batch_broadcast', lambda T, a, b: T.cdist(a, b), [(2, 1, 3, 4), (3, 5, 4)], gradgrad=False),
    case('cdist_batch_vs_2d', lambda T, a, b: T.cdist(a, b, p=3), [(2, 3, 4), (5, 4)], gradgrad=False),
    case('cdist_p0', lambda T, a, b: T.cdist(a, b, p=0), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_p1', lambda T, a, b: T.cdist(a, b, 1), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_p_half', lambda T, a, b: T.cdist(a, b, 0.5), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_p1_5', lambda T, a, b: T.cdist(a, b, 1.5), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_p3', lambda T, a, b: T.cdist(a, b, 3), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_inf', lambda T, a, b: T.cdist(a, b, INF), [(3, 4), (5, 4)], gradgrad=False),
    case('cdist_noncontig', lambda T, a, b: T.cdist(a.t(), b), [(4, 3), (5, 4)], gradgrad=False),
    case('cdist_f64', lambda T, a, b: T.cdist(a, b), [(3, 4), (5, 4)], dtype=F64, gradgrad=False),
    case('cdist_mm_forced', lambda T, a, b: T.cdist(a, b, compute_mode='use_mm_for_euclid_dist'),
         [(3, 4), (5, 4)], dtype=F64),
    case('cdist_mm_large', lambda T, a, b: T.cdist(a, b), [(27, 2), (3, 2)], dtype=F64, gradgrad=False),
    case('cdist_mm_batched', lambda T, a, b: T.cdist(a, b), [(2, 1, 26, 2), (3, 2, 2)], dtype=F64,
         gradgrad=False),
    case('cdist_mm_batch1', lambda T, a, b: T.cdist(a, b), [(1, 26, 2), (3, 2)], dtype=F64, gradgrad=False),
    case('cdist_mm_f32', lambda T, a, b: T.cdist(a, b), [(26, 3), (4, 3)], gradcheck=False),
    case('cdist_donot_mm', lambda T, a, b: T.cdist(a, b, compute_mode='donot_use_mm_for_euclid_dist'),
         [(27, 3), (4, 3)], gradgrad=False),
    case('cdist_empty_rows', lambda T, a, b: T.cdist(a, b), [np.zeros((0, 4), np.float32), (5, 4)],
         forward_only=True),
    case('cdist_empty_cols', lambda T, a, b: T.cdist(a, b), [np.zeros((3, 0), np.float32),
                                                           np.zeros((2, 0), np.float32)], forward_only=True),
    case('cdist_empty_cols_inf', lambda T, a, b: T.cdist(a, b, INF), [np.zeros((3, 0), np.float32),
                                                                    np.zeros((2, 0), np.float32)],
         forward_only=True),
    case('pdist', lambda T, x: T.pdist(x), [(5, 3)], gradgrad=False),
    case('pdist_p0', lambda T, x: T.pdist(x, 0), [(5, 3)], gradgrad=False),
    case('pdist_p1', lambda T, x: T.pdist(x, 1), [(5, 3)], gradgrad=False),
    case('pdist_p_half', lambda T, x: T.pdist(x, 0.5), [(5, 3)], gradgrad=False),
    case('pdist_p1_5', lambda T, x: T.pdist(x, p=1.5), [(5, 3)], gradgrad=False),
    case('pdist_p3', lambda T, x: T.pdist(x, 3), [(5, 3)], gradgrad=False),
    case('pdist_inf', lambda T, x: T.pdist(x, INF), [(5, 3)], gradgrad=False),
    case('pdist_noncontig', lambda T, x: T.pdist(x.t()), [(3, 5)], gradgrad=False),
    case('pdist_one_row', lambda T, x: T.pdist(x), [(1, 3)], gradcheck=False),
    # (PyTorch's own backward crashes on an empty pdist: forward only)
    case('pdist_no_rows', lambda T, x: T.pdist(x), [np.zeros((0, 3), np.float32)], forward_only=True),
    case('dist', lambda T, a, b: T.dist(a, b), [(2, 3, 4), (3, 4)]),
    case('dist_method_p3', lambda a, b: a.dist(b, p=3), [(3, 4), (3, 4)]),
    case('dist_p1', lambda a, b: a.dist(b, 1), [(3, 4), (4,)]),
    case('dist_p_half', lambda a, b: a.dist(b, 0.5), [(3, 4), (3, 4)]),
    case('dist_p1_5', lambda a, b: a.dist(b, 1.5), [(3, 4), (3, 4)]),
    case('dist_inf', lambda a, b: a.dist(b, INF), [(3, 4), (3, 4)]),
    case('dist_neg_inf', lambda a, b: a.dist(b, -INF), [(3, 4), (3, 4)]),
    case('dist_neg', lambda a, b: a.dist(b, -1), [(3, 4), (3, 4)]),
    case('dist_p0', lambda a, b: a.dist(b, 0), [(3, 4), (3, 4)], forward_only=True),
    case('dist_mixed_dtype', lambda a, b: a.dist(b), [(3, 4), arr(np.ones((3, 4)), F64)]),
    case('dist_int_0dim', lambda a, b: a.dist(b), [(3, 4), np.array(2)]),
    case('dist_tensor_p', lambda T, a, b: T.dist(a, b, p=T.tensor(3.)), [(3, 4), (3, 4)]),
    case('dist_empty', lambda a, b: a.dist(b), [np.zeros(0, np.float32), np.zeros(0, np.float32)],
         forward_only=True),
    # coincident points and equal coordinates: PyTorch's gradient there
    case('pdist_dup', lambda T, x: T.pdist(x), [_dup_rows()], gradcheck=False),
    case('pdist_dup_half', lambda T, x: T.pdist(x, 0.5), [_dup_rows()], gradcheck=False),
    case('pdist_dup_p1', lambda T, x: T.pdist(x, 1), [_dup_rows()], gradcheck=False),
    case('pdist_dup_inf', lambda T, x: T.pdist(x, INF), [_dup_rows()], gradcheck=False),
    case('cdist_dup', lambda T, x: T.cdist(x, x), [_dup_rows()], gradcheck=False),
    case('cdist_dup_p1_5', lambda T, x: T.cdist(x, x, 1.5), [_dup_rows()], gradcheck=False),
    case('cdist_dup_p3', lambda T, x: T.cdist(x, x, 3), [_dup_rows()], gradcheck=False),
    case('dist_same', lambda x: x[0].dist(x[2]), [_dup_rows()], gradcheck=False),
    case('dist_same_half', lambda x: x[0].dist(x[2], 0.5), [_dup_rows()], gradcheck=False),
    case('dist_coord_half', lambda x: x[1].dist(x[3], 0.5), [_dup_rows()], gradcheck=False),
    case('dist_coord_1_5', lambda x: x[1].dist(x[3], 1.5), [_dup_rows()], gradcheck=False),
    case('dist_same_inf', lambda x: x[0].dist(x[2], INF), [_dup_rows()], gradcheck=False),
]


@pytest.mark.parametrize('fn,specs,kw', DIST)
def test_distances(fn, specs, kw):
    check(fn, specs, **kw)


DIST_ERRORS = [
    case('cdist_1d', lambda T, a, b: T.cdist(a, b), [(4,), (5, 4)]),
    case('cdist_1d_x2', lambda T, a, b: T.cdist(a, b), [(3, 4), (4,)]),
    case('cdist_cols', lambda T, a, b: T.cdist(a, b), [(3, 4), (5, 3)]),
    case('cdist_int', lambda T, a, b: T.cdist(a, b), [ints((3, 4)), ints((5, 4))]),
    case('cdist_int_x2', lambda T, a, b: T.cdist(a, b), [(3, 4), ints((5, 4))]),
    case('cdist_neg_p', lambda T, a, b: T.cdist(a, b, -1), [(3, 4), (5, 4)]),
    case('cdist_dtypes', lambda T, a, b: T.cdist(a, b), [(3, 4), arr(np.ones((5, 4)), F64)]),
    case('cdist_dtypes_rev', lambda T, a, b: T.cdist(a, b), [arr(np.ones((3, 4)), F64), (5, 4)]),
    case('cdist_half', lambda T, a, b: T.cdist(a.half(), b.half()), [(3, 4), (5, 4)]),
    case('cdist_mode', lambda T, a, b: T.cdist(a, b, compute_mode='foo'), [(3, 4), (5, 4)]),
    case('pdist_3d', lambda T, x: T.pdist(x), [(2, 4, 3)]),
    case('pdist_1d', lambda T, x: T.pdist(x), [(3,)]),
    case('pdist_int', lambda T, x: T.pdist(x), [ints((4, 3))]),
    case('pdist_neg_p', lambda T, x: T.pdist(x, -1), [(4, 3)]),
    case('dist_broadcast', lambda a, b: a.dist(b), [(2, 3, 4), (5,)]),
    case('dist_int', lambda a, b: a.dist(b), [ints((3,)), ints((3,))]),
    case('dist_int32', lambda a, b: a.dist(b), [ints((3,), dtype=np.int32), ints((3,), dtype=np.int32)]),
    case('dist_broadcast_before_dtype', lambda a, b: a.dist(b), [ints((3,)), ints((4,))]),
    case('dist_empty_inf', lambda a, b: a.dist(b, INF), [np.zeros(0, np.float32), np.zeros(0, np.float32)]),
    case('dist_empty_neg', lambda a, b: a.dist(b, -1), [np.zeros(0, np.float32), np.zeros(0, np.float32)]),
    case('dist_scalar_other', lambda T, a: T.dist(a, 2.), [(3,)]),
]


@pytest.mark.parametrize('fn,specs,kw', DIST_ERRORS)
def test_distance_errors(fn, specs, kw):
    check_error(fn, specs, **kw)
