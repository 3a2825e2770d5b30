"""quantile / nanquantile, cov / corrcoef, isin, the trapezoid rule and the window functions,
differential against PyTorch (cdist / pdist / dist: test_ops_distances.py)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case, arr, ints, bools, assert_same

F64 = np.float64
NAN = float('nan')
INF = float('inf')


def _nan_data():
    a = np.random.default_rng(3).uniform(-2, 2, (3, 5)).astype(np.float32)
    a[0, 1] = a[1, 0] = a[1, 3] = NAN
    a[2] = NAN
    return a


Q2 = arr([0.1, 0.7])      # ranks off the sample points (the q-gradient has a kink there)
QUANTILE = [
    case('scalar_q_all', lambda x: x.quantile(0.3), [(4, 5)]),
    case('fn_dim1', lambda T, x: T.quantile(x, 0.3, dim=1), [(4, 5)]),
    case('dim0', lambda x: x.quantile(0.6, 0), [(4, 5)]),
    case('dim_neg_keepdim', lambda x: x.quantile(0.6, -2, True), [(4, 5)]),
    case('keepdim_all', lambda x: x.quantile(0.25, keepdim=True), [(4, 5)]),
    case('q_tensor_all', lambda x, q: x.quantile(q), [(4, 5), Q2], requires_grad=[True, False]),
    case('q_tensor_dim0', lambda T, x, q: T.quantile(x, q, dim=0), [(4, 5), Q2], requires_grad=[True, False]),
    case('q_tensor_dim_last', lambda x, q: x.quantile(q, 1), [(4, 5), Q2], requires_grad=[True, False]),
    case('q_tensor_keepdim', lambda x, q: x.quantile(q, 0, keepdim=True), [(4, 5), Q2],
         requires_grad=[True, False]),
    case('q_tensor_keepdim_all', lambda x, q: x.quantile(q, keepdim=True), [(4, 5), Q2],
         requires_grad=[True, False]),
    case('q_0dim_tensor', lambda x, q: x.quantile(q, 1), [(4, 5), arr(0.4)], requires_grad=[True, False]),
    case('q_requires_grad', lambda x, q: x.quantile(q, 1), [(4, 5), Q2]),
    case('q_ends', lambda x, q: x.quantile(q, 0), [(4, 5), arr([0., 1.])], requires_grad=[True, False]),
    case('lower', lambda x: x.quantile(0.3, 1, interpolation='lower'), [(4, 5)]),
    case('higher', lambda x: x.quantile(0.3, 1, interpolation='higher'), [(4, 5)]),
    case('midpoint', lambda x: x.quantile(0.3, 1, interpolation='midpoint'), [(4, 5)]),
    case('nearest', lambda x, q: x.quantile(q, 1, interpolation='nearest'), [(4, 5), arr([0.125, 0.375, 0.6])],
         requires_grad=[True, False]),
    case('nearest_half_even', lambda x: x.quantile(0.625, interpolation='nearest'), [(5,)]),
    case('midpoint_q', lambda x, q: x.quantile(q, 0, interpolation='midpoint'), [(4, 5), Q2]),
    case('3d_middle', lambda x: x.quantile(0.4, 1), [(2, 3, 4)]),
    case('noncontig', lambda x: x.t().quantile(0.7, 1), [(4, 5)]),
    case('zero_dim', lambda x: x.quantile(0.2), [(), ]),
    case('zero_dim_dim', lambda x, q: x.quantile(q, 0, keepdim=True), [(), Q2], requires_grad=[True, False]),
    case('f64', lambda x: x.quantile(0.35, 0), [(4, 5)], dtype=F64),
    case('single_sample', lambda x: x.quantile(0.5, 1), [(3, 1)]),
    case('nan_rows', lambda x: x.quantile(0.5, 1), [_nan_data()], forward_only=True),
    case('nan_all', lambda x: x.quantile(0.5), [_nan_data()], forward_only=True),
    case('nanquantile', lambda x, q: x.nanquantile(q, 1), [_nan_data(), Q2], forward_only=True),
    case('nanquantile_fn', lambda T, x: T.nanquantile(x, 0.4, dim=0, interpolation='higher'), [_nan_data()],
         forward_only=True),
    case('nanquantile_grad', lambda T, x: T.nanquantile(x, 0.4, dim=1), [(3, 4)]),
    case('nanquantile_q_grad', lambda x, q: x.nanquantile(q, 1), [(4, 5), Q2]),
    case('nanquantile_modes', lambda x: x.nanquantile(0.7, 1, interpolation='midpoint'), [_nan_data()],
         forward_only=True),
    case('out', lambda T, x: T.quantile(x, 0.3, dim=1, out=T.empty(4)), [(4, 5)], forward_only=True,
         layout=False),
]


@pytest.mark.parametrize('fn,specs,kw', QUANTILE)
def test_quantile(fn, specs, kw):
    check(fn, specs, **kw)


def test_nanquantile_grad_skips_nans():
    a = _nan_data()
    t = torch.tensor(a, requires_grad=True)
    e = ember.tensor(a, requires_grad=True)
    torch.nanquantile(t, 0.6, dim=1).sum().backward()
    ember.nanquantile(e, 0.6, dim=1).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(force=True), t.grad.numpy(), rtol=1e-5, atol=1e-6)


QUANTILE_ERRORS = [
    case('q_range', lambda x: x.quantile(1.5), [(3, 4)]),
    case('q_range_neg', lambda x: x.quantile(-0.1), [(3, 4)]),
    case('q_range_nan', lambda x: x.quantile(NAN), [(3, 4)]),
    case('q_range_int', lambda x: x.nanquantile(2), [(3, 4)]),
    case('q_tensor_range', lambda x, q: x.quantile(q), [(3, 4), arr([0.5, 1.5])]),
    case('q_dtype', lambda x, q: x.quantile(q), [(3, 4), arr([0.5], F64)]),
    case('q_2d', lambda x, q: x.quantile(q), [(3, 4), arr([[0.5]])]),
    case('int_input', lambda x: x.quantile(0.5), [ints((3, 4))]),
    case('empty', lambda x: x.quantile(0.5), [np.zeros((3, 0), np.float32)]),
    case('mode', lambda x: x.quantile(0.5, interpolation='foo'), [(3, 4)]),
    case('dim', lambda x: x.quantile(0.5, 2), [(3, 4)]),
    case('order_interp_first', lambda x: x.quantile(0.5, interpolation='foo'), [ints((3, 4))]),
    case('order_empty_first', lambda x: x.quantile(0.5, dim=5), [np.zeros(0, np.float32)]),
    case('order_qdim_first', lambda x, q: x.quantile(q), [np.zeros(0, np.float32), arr([[0.5]])]),
    case('order_dtype_before_dim', lambda x, q: x.quantile(q, 5), [(3, 4), arr([0.5], F64)]),
]


@pytest.mark.parametrize('fn,specs,kw', QUANTILE_ERRORS)
def test_quantile_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ cov / corrcoef

FW = np.array([1, 2, 0, 1, 3])
AW = arr([0.5, 2., 0.1, 1., 3.])
COV = [
    case('cov_method', lambda x: x.cov(), [(3, 5)]),
    case('cov_fn', lambda T, x: T.cov(x), [(3, 5)]),
    case('cov_1d', lambda x: x.cov(), [(6,)]),
    case('cov_correction0', lambda T, x: T.cov(x, correction=0), [(3, 5)]),
    case('cov_correction2', lambda T, x: T.cov(x, correction=2), [(3, 5)]),
    case('cov_fweights', lambda T, x, f: T.cov(x, fweights=f), [(3, 5), FW]),
    case('cov_aweights', lambda T, x, a: T.cov(x, aweights=a), [(3, 5), AW]),
    case('cov_aweights_grad', lambda T, x, a: T.cov(x, correction=2, aweights=a), [(3, 5), AW]),
    case('cov_both', lambda T, x, f, a: T.cov(x, fweights=f, aweights=a), [(3, 5), FW, AW]),
    case('cov_both_c0', lambda T, x, f, a: T.cov(x, correction=0, fweights=f, aweights=a), [(3, 5), FW, AW]),
    case('cov_int', lambda x: x.cov(), [ints((2, 4))], forward_only=True),
    case('cov_int_fweights', lambda T, x, f: T.cov(x, fweights=f), [ints((2, 5)), FW], forward_only=True),
    case('cov_int32', lambda x: x.cov(), [ints((2, 4), dtype=np.int32)], forward_only=True),
    case('cov_f64_aweights_f32', lambda T, x, a: T.cov(x, aweights=a), [(2, 5), AW], dtype=F64),
    case('cov_f32_aweights_f64', lambda T, x, a: T.cov(x, aweights=a), [(2, 5), AW.astype(F64)]),
    case('cov_noncontig', lambda x: x.t().cov(), [(5, 3)]),
    case('cov_one_obs', lambda x: x.cov(correction=0), [(3, 1)]),
    case('cov_one_obs_both', lambda T, x, f, a: T.cov(x, fweights=f, aweights=a), [(3, 1), np.array([2]), arr([2.])]),
    # layout: ember reports strides (0, 0) for the squeezed empty (0, 0) result, PyTorch (1, 1)
    case('cov_empty_rows', lambda x: x.cov(), [np.zeros((0, 3), np.float32)], forward_only=True, layout=False),
    case('corrcoef', lambda x: x.corrcoef(), [(3, 5)]),
    case('corrcoef_fn', lambda T, x: T.corrcoef(x), [(4, 6)]),
    case('corrcoef_1d', lambda x: x.corrcoef(), [(5,)]),
    case('corrcoef_int', lambda x: x.corrcoef(), [ints((2, 5))], forward_only=True),
    case('corrcoef_f64', lambda x: x.corrcoef(), [(3, 4)], dtype=F64),
]


@pytest.mark.parametrize('fn,specs,kw', COV)
def test_cov(fn, specs, kw):
    check(fn, specs, **kw)


def test_cov_warns_on_no_degrees_of_freedom():
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match=r'cov\(\): degrees of freedom is <= 0'):
            r = lib.cov(lib.tensor([[1., 2.]]), correction=5)
        assert np.isinf(r.item())
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert_same(ember.cov(ember.zeros(2, 0)), torch.cov(torch.zeros(2, 0)))
        assert_same(ember.cov(ember.tensor(3.)), torch.cov(torch.tensor(3.)))


def test_cov_one_observation_one_weight_keeps_input():
    """PyTorch zeroes the input in place here (and so refuses a leaf that requires grad); ember
    computes the same result from a zero copy and leaves the input alone."""
    a = np.array([[1.5], [-2.], [0.5]], np.float32)
    w = np.array([2.], np.float32)
    want = torch.cov(torch.tensor(a), aweights=torch.tensor(w), correction=0)
    x = ember.tensor(a, requires_grad=True)
    got = ember.cov(x, aweights=ember.tensor(w), correction=0)
    np.testing.assert_array_equal(got.detach().numpy(force=True), want.numpy())
    np.testing.assert_array_equal(x.detach().numpy(force=True), a)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        want = torch.cov(torch.tensor(a), fweights=torch.tensor([3]))
        got = ember.cov(ember.tensor(a), fweights=ember.tensor([3]))
    assert_same(got, want)


COV_ERRORS = [
    case('3d', lambda x: x.cov(), [(2, 3, 2)]),
    case('bool', lambda x: x.cov(), [bools((2, 3))]),
    case('fw_float', lambda T, x, f: T.cov(x, fweights=f), [(3, 5), AW]),
    case('fw_numel', lambda T, x, f: T.cov(x, fweights=f), [(3, 5), FW[:4]]),
    case('fw_2d', lambda T, x, f: T.cov(x, fweights=f), [(3, 5), FW[None]]),
    case('fw_negative', lambda T, x, f: T.cov(x, fweights=f), [(3, 5), -FW]),
    case('aw_int', lambda T, x, a: T.cov(x, aweights=a), [(3, 5), FW]),
    case('aw_negative', lambda T, x, a: T.cov(x, aweights=a), [(3, 5), -AW]),
    case('aw_0dim', lambda T, x, a: T.cov(x, aweights=a), [(3, 5), arr(2.)]),
    case('aw_zero_sum', lambda T, x, a: T.cov(x, aweights=a), [(3, 5), np.zeros(5, np.float32)]),
    case('corrcoef_3d', lambda x: x.corrcoef(), [(2, 3, 1)]),
]


@pytest.mark.parametrize('fn,specs,kw', COV_ERRORS)
def test_cov_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ isin

ISIN = [
    case('ints', lambda T, a, b: T.isin(a, b), [ints((3, 4)), ints((5,))]),
    case('invert', lambda T, a, b: T.isin(a, b, invert=True), [ints((3, 4)), ints((5,))]),
    case('assume_unique', lambda T, a, b: T.isin(a, b, assume_unique=True), [np.arange(6).reshape(2, 3),
                                                                             np.array([4, 1, 7])]),
    case('promote_float', lambda T, a, b: T.isin(a, b), [ints((3, 4)), arr([2., 3.5])]),
    case('floats', lambda T, a, b: T.isin(a, b), [arr([1., NAN, 3., 0.5]), arr([NAN, 1., 0.5])]),
    case('uint8_int8', lambda T, a, b: T.isin(a, b), [ints((4,), 0, 5, dtype=np.uint8),
                                                     ints((3,), 0, 5, seed=1, dtype=np.int8)]),
    case('scalar_test', lambda T, a: T.isin(a, 2), [ints((3, 4))]),
    case('scalar_test_float', lambda T, a: T.isin(a, 2.5), [ints((3, 4))]),
    case('scalar_test_big', lambda T, a: T.isin(a, 2 ** 40), [ints((3, 4))]),
    case('float_vs_int_scalar', lambda T, a: T.isin(a, 1), [arr([1., 1.5])]),
    case('scalar_elements', lambda T, b: T.isin(2, b), [np.array([[1, 2]])]),
    case('scalar_elements_miss', lambda T, b: T.isin(2.5, b), [np.array([1, 2])]),
    case('noncontig', lambda T, a, b: T.isin(a.t(), b), [ints((3, 4)), ints((5,))]),
    case('zero_dim', lambda T, a, b: T.isin(a, b), [np.array(1), np.array([[1]])]),
    case('empty_elements', lambda T, a, b: T.isin(a, b), [np.zeros(0, np.float32), ints((3,))]),
    case('empty_test', lambda T, a, b: T.isin(a, b), [ints((2, 2)), np.zeros(0, np.float32)]),
    case('grad_input', lambda T, a, b: T.isin(a, b), [(3,), (3,)]),
]


@pytest.mark.parametrize('fn,specs,kw', ISIN)
def test_isin(fn, specs, kw):
    check(fn, specs, **kw)


ISIN_ERRORS = [
    case('bool', lambda T, a, b: T.isin(a, b), [bools((3,)), bools((2,))]),
    case('bool_test', lambda T, a, b: T.isin(a, b), [ints((3,)), np.array([True])]),
    case('bool_scalar', lambda T, a: T.isin(a, True), [ints((3,))]),
    case('bool_scalar_elements', lambda T, b: T.isin(True, b), [ints((3,))]),
    case('two_scalars', lambda T: T.isin(2, 3), [], message='first_line'),
    case('list', lambda T, a: T.isin(a, [2, 3]), [ints((3,))], message='first_line'),
]


@pytest.mark.parametrize('fn,specs,kw', ISIN_ERRORS)
def test_isin_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ trapezoid rule

XS = arr([0., 0.5, 2., 2.5, 4.])
TRAP = [
    case('trapezoid', lambda T, y: T.trapezoid(y), [(3, 5)]),
    case('trapezoid_dx', lambda T, y: T.trapezoid(y, dx=0.5), [(3, 5)]),
    case('trapezoid_dx_int', lambda T, y: T.trapezoid(y, dx=2, dim=0), [(3, 5)]),
    case('trapezoid_x', lambda T, y, x: T.trapezoid(y, x), [(3, 5), XS]),
    case('trapezoid_x_dim0', lambda T, y, x: T.trapezoid(y, x, dim=0), [(5, 3), XS]),
    case('trapezoid_x_2d', lambda T, y, x: T.trapezoid(y, x, dim=0), [(2, 3), (2, 3)]),
    case('trapezoid_x_pad', lambda T, y, x: T.trapezoid(y, x), [(2, 3, 4), (3, 4)]),
    case('trapezoid_neg_dim', lambda T, y: T.trapezoid(y, dim=-2), [(3, 4, 2)]),
    case('trapezoid_noncontig', lambda T, y: T.trapezoid(y.t()), [(5, 3)]),
    case('trapezoid_int', lambda T, y: T.trapezoid(y), [ints((2, 3))]),
    case('trapezoid_int_x', lambda T, y, x: T.trapezoid(y, x), [ints((2, 3)), np.array([1, 2, 4])]),
    case('trapezoid_f64', lambda T, y: T.trapezoid(y), [(3, 5)], dtype=F64),
    case('trapezoid_empty', lambda T, y: T.trapezoid(y), [np.zeros((2, 0), np.float32)], forward_only=True),
    case('trapezoid_empty_int', lambda T, y: T.trapezoid(y), [np.zeros((2, 0), np.int64)]),
    case('trapezoid_one', lambda T, y: T.trapezoid(y), [(2, 1)]),
    case('trapz', lambda T, y, x: T.trapz(y, x), [(3, 5), XS]),
    case('trapz_dx', lambda T, y: T.trapz(y, dx=3), [(3, 5)]),
    case('trapz_dim', lambda T, y: T.trapz(y, dim=0), [(3, 5)]),
    case('cumulative', lambda T, y: T.cumulative_trapezoid(y), [(3, 5)]),
    case('cumulative_dx', lambda T, y: T.cumulative_trapezoid(y, dx=2, dim=0), [(3, 5)]),
    case('cumulative_x', lambda T, y, x: T.cumulative_trapezoid(y, x), [(3, 5), XS]),
    case('cumulative_int', lambda T, y: T.cumulative_trapezoid(y), [ints((2, 3))]),
    case('cumulative_empty', lambda T, y: T.cumulative_trapezoid(y), [np.zeros((2, 0), np.float32)],
         forward_only=True),
    case('cumulative_one', lambda T, y: T.cumulative_trapezoid(y), [(2, 1)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', TRAP)
def test_trapezoid(fn, specs, kw):
    check(fn, specs, **kw)


TRAP_ERRORS = [
    case('bool', lambda T, y: T.trapezoid(y), [bools((2, 3))]),
    case('bool_x', lambda T, y, x: T.trapezoid(y, x), [(2, 3), bools((3,))]),
    case('x_len', lambda T, y, x: T.trapezoid(y, x), [(2, 3), (2,)]),
    case('x_shape', lambda T, y, x: T.trapezoid(y, x), [(2, 3), (3, 3)]),
    case('dim', lambda T, y: T.trapezoid(y, dim=2), [(2, 3)]),
    case('zero_dim', lambda T, y: T.trapezoid(y), [()]),
    case('x_and_dx', lambda T, y, x: T.trapezoid(y, x, dx=2), [(2, 3), (3,)], message='first_line'),
    case('x_number', lambda T, y: T.trapezoid(y, 3), [(2, 3)], message='first_line'),
    case('trapz_x_number', lambda T, y: T.trapz(y, 3), [(2, 3)], message='first_line'),
    case('cumulative_bool', lambda T, y: T.cumulative_trapezoid(y), [bools((2, 3))]),
    case('cumulative_x_len', lambda T, y, x: T.cumulative_trapezoid(y, x), [(2, 3), (2,)]),
    case('cumulative_dim', lambda T, y: T.cumulative_trapezoid(y, dim=-3), [(2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', TRAP_ERRORS)
def test_trapezoid_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ windows

WINDOWS = ['hann_window', 'hamming_window', 'blackman_window', 'bartlett_window', 'kaiser_window']


@pytest.mark.parametrize('name', WINDOWS)
@pytest.mark.parametrize('n', [0, 1, 2, 5, 8])
@pytest.mark.parametrize('periodic', [True, False])
def test_windows(name, n, periodic):
    assert_same(getattr(ember, name)(n, periodic), getattr(torch, name)(n, periodic))


@pytest.mark.parametrize('name', WINDOWS)
@pytest.mark.parametrize('dtype', ['float64', 'float16', 'bfloat16'])
def test_window_dtypes(name, dtype):
    e = getattr(ember, name)(9, dtype=getattr(ember, dtype))
    t = getattr(torch, name)(9, dtype=getattr(torch, dtype))
    assert_same(e, t)


def test_window_options():
    assert_same(ember.hamming_window(7, False, 0.3, 0.2), torch.hamming_window(7, False, 0.3, 0.2))
    assert_same(ember.hamming_window(6, True, 0.3), torch.hamming_window(6, True, 0.3))
    assert_same(ember.kaiser_window(6, False, 3.0), torch.kaiser_window(6, False, 3.0))
    assert_same(ember.kaiser_window(6, periodic=True, beta=5.0, requires_grad=True),
                torch.kaiser_window(6, periodic=True, beta=5.0, requires_grad=True))
    assert_same(ember.hann_window(0, requires_grad=True), torch.hann_window(0, requires_grad=True))
    assert_same(ember.hann_window(3, device='cpu', dtype=ember.float64), torch.hann_window(3, device='cpu',
                                                                                          dtype=torch.float64))
    assert ember.blackman_window(4, device='cpu').device.type == 'cpu'


WINDOW_ERRORS = [case(f'{name}_{what}', fn, [], **kw) for name in WINDOWS for what, fn, kw in [
    ('dtype', lambda T, name=name: getattr(T, name)(5, dtype=T.int64, device='cpu'), {}),
    ('dtype_bool', lambda T, name=name: getattr(T, name)(5, dtype=T.bool, device='cpu'), {}),
    ('dtype_int32', lambda T, name=name: getattr(T, name)(5, dtype=T.int32, device='cpu'), {}),
    ('negative', lambda T, name=name: getattr(T, name)(-1), {}),
    ('float_length', lambda T, name=name: getattr(T, name)(5.0), {}),
]]


@pytest.mark.parametrize('fn,specs,kw', WINDOW_ERRORS)
def test_window_errors(fn, specs, kw):
    check_error(fn, specs, **kw)
