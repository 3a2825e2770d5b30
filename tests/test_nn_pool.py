"""Pooling against PyTorch: max/avg (1-3d, stride, padding, dilation, ceil_mode,
count_include_pad, divisor_override, indices), adaptive avg/max, max_unpool; forward,
gradients, gradcheck/gradgradcheck, errors."""
import numpy as np
import pytest

from helpers import check, check_error, case, ints


def f(name, *args, **kw):
    return lambda T, x: getattr(T.nn.functional, name)(x, *args, **kw)


def distinct(shape, seed=0):
    """Values without ties (max pooling's gradient is only defined without them)."""
    rng = np.random.default_rng(seed)
    return (rng.permutation(int(np.prod(shape))).reshape(shape) / 7.0 - 3).astype(np.float32)


POOL = [
    case('max2d', f('max_pool2d', 2), [distinct((2, 3, 6, 6))]),
    case('max2d-stride-pad', f('max_pool2d', 3, 2, 1), [distinct((1, 2, 7, 6))]),
    case('max2d-dilation', f('max_pool2d', 2, 1, 0, 2), [distinct((1, 2, 6, 5))]),
    case('max2d-ceil', f('max_pool2d', 3, 2, 1, ceil_mode=True), [distinct((1, 2, 6, 6))]),
    case('max2d-ceil-nopad', f('max_pool2d', 2, ceil_mode=True), [distinct((1, 1, 5, 5))]),
    case('max2d-indices', f('max_pool2d', 2, return_indices=True), [distinct((2, 2, 4, 6))]),
    case('max2d-rect', f('max_pool2d', (2, 3), (1, 2)), [distinct((1, 2, 5, 7))]),
    case('max2d-unbatched', f('max_pool2d', 2, return_indices=True), [distinct((3, 4, 4))]),
    case('max2d-int', f('max_pool2d', 2), [ints((1, 2, 4, 4))]),
    case('max2d-nan', f('max_pool2d', 2), [np.array([[[[1, np.nan], [2, 3]]]], np.float32)], forward_only=True),
    # several NaNs in a window: the last one wins; ties keep the first position
    case('max2d-nans-ties', f('max_pool2d', 2, return_indices=True),
         [np.array([[[[np.nan, 1, np.nan, 2, 7, 7], [3, np.nan, 4, 5, 7, 7]]]], np.float32)], forward_only=True),
    case('max2d-overlap-ties', f('max_pool2d', 3, 1, 1, return_indices=True),
         [np.array([[[[1, 1, 2, 2], [1, 1, 2, 2], [0, 5, 5, 0]]]], np.float32)], forward_only=True),
    case('max1d', f('max_pool1d', 2), [distinct((2, 3, 8))]),
    case('max1d-indices', f('max_pool1d', 3, 2, 1, return_indices=True), [distinct((1, 2, 9))]),
    case('max1d-unbatched', f('max_pool1d', 2), [distinct((3, 6))]),
    case('max3d', f('max_pool3d', 2, return_indices=True), [distinct((1, 2, 4, 4, 4))]),
    case('avg2d', f('avg_pool2d', 2), [(2, 3, 6, 6)]),
    case('avg2d-pad', f('avg_pool2d', 3, 2, 1), [(1, 2, 7, 6)]),
    case('avg2d-pad-exclude', f('avg_pool2d', 3, 2, 1, count_include_pad=False), [(1, 2, 7, 6)]),
    case('avg2d-ceil', f('avg_pool2d', 3, 2, 1, ceil_mode=True), [(1, 2, 6, 6)]),
    case('avg2d-ceil-exclude', f('avg_pool2d', 3, 2, 1, ceil_mode=True, count_include_pad=False), [(1, 2, 6, 6)]),
    case('avg2d-divisor', f('avg_pool2d', 2, divisor_override=3), [(1, 2, 4, 4)]),
    case('avg2d-unbatched', f('avg_pool2d', 2), [(3, 4, 4)]),
    case('avg2d-int', f('avg_pool2d', 2), [ints((1, 2, 4, 4), 0, 9)]),
    case('avg1d', f('avg_pool1d', 3, 2, 1), [(2, 3, 8)]),
    case('avg3d', f('avg_pool3d', 2), [(1, 2, 4, 4, 2)]),
    case('adaptive-avg2d', f('adaptive_avg_pool2d', (3, 2)), [(2, 2, 7, 5)]),
    case('adaptive-avg2d-1', f('adaptive_avg_pool2d', 1), [(2, 3, 4, 4)]),
    case('adaptive-avg2d-none', f('adaptive_avg_pool2d', (None, 3)), [(1, 2, 4, 5)]),
    case('adaptive-avg2d-unbatched', f('adaptive_avg_pool2d', 3), [(2, 5, 5)]),
    case('adaptive-avg2d-larger', f('adaptive_avg_pool2d', 6), [(1, 1, 4, 4)]),
    case('adaptive-avg1d', f('adaptive_avg_pool1d', 3), [(2, 3, 7)]),
    case('adaptive-avg3d', f('adaptive_avg_pool3d', 2), [(1, 1, 3, 4, 5)]),
    case('adaptive-max2d', f('adaptive_max_pool2d', (3, 2), return_indices=True), [distinct((2, 2, 7, 5))]),
    case('adaptive-max2d-unbatched', f('adaptive_max_pool2d', 2), [distinct((2, 5, 5))]),
    case('adaptive-max1d', f('adaptive_max_pool1d', 3), [distinct((2, 3, 7))]),
    case('adaptive-max3d', f('adaptive_max_pool3d', 2), [distinct((1, 1, 3, 4, 4))]),
]


@pytest.mark.parametrize('fn,specs,kw', POOL)
def test_pool(fn, specs, kw):
    check(fn, specs, **kw)


def _unpool(nd):
    def fn(T, x):
        F = T.nn.functional
        y, i = getattr(F, f'max_pool{nd}d')(x, 2, return_indices=True)
        return getattr(F, f'max_unpool{nd}d')(y, i, 2)
    return fn


def _unpool_size(T, x):
    F = T.nn.functional
    y, i = F.max_pool2d(x, 2, return_indices=True)
    return F.max_unpool2d(y, i, 2, output_size=[5, 5])


@pytest.mark.parametrize('fn,specs', [
    pytest.param(_unpool(2), [distinct((2, 2, 4, 6))], id='2d'),
    pytest.param(_unpool(1), [distinct((2, 2, 6))], id='1d'),
    pytest.param(_unpool(3), [distinct((1, 1, 4, 4, 2))], id='3d'),
    pytest.param(_unpool_size, [distinct((1, 2, 5, 5))], id='output-size'),
])
def test_max_unpool(fn, specs):
    check(fn, specs)


ERRORS = [
    case('max-output-too-small', f('max_pool2d', 7), [(1, 2, 6, 6)]),
    case('max-pad-too-big', f('max_pool2d', 2, padding=2), [(1, 2, 6, 6)]),
    case('avg-pad-too-big', f('avg_pool2d', 2, padding=2), [(1, 2, 6, 6)]),
    case('max-2d-input', f('max_pool2d', 2), [(6, 6)]),
    case('adaptive-2d-input', f('adaptive_avg_pool2d', 2), [(6, 6)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_pool_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


@pytest.mark.parametrize('nd,kw', [(2, dict(kernel_size=3, stride=2, padding=1)),
                                   (2, dict(kernel_size=2, stride=1, padding=1, dilation=2)),
                                   (2, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
                                   (1, dict(kernel_size=3, stride=2, padding=1)),
                                   (3, dict(kernel_size=2, stride=2, padding=1))])
def test_max_pool_index_of_windows_with_nothing_above_minus_inf(nd, kw):
    """A window holding only -inf (and padding) points at its first position inside the input."""
    import torch
    import ember
    x = np.full((2, 3) + (5,) * nd, -np.inf, np.float32)
    x[0, 0, ...] = np.arange(5 ** nd, dtype=np.float32).reshape((5,) * nd)
    fn = 'max_pool%dd' % nd
    want = getattr(torch.nn.functional, fn)(torch.tensor(x), return_indices=True, **kw)
    got = getattr(ember.nn.functional, fn)(ember.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(got[1].cpu().numpy(), want[1].numpy())
    np.testing.assert_array_equal(got[0].cpu().numpy(), want[0].numpy())
