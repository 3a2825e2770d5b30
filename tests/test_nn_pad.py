"""F.pad against PyTorch: constant (incl. negative pads), reflect, replicate, circular;
forward, gradients, gradcheck/gradgradcheck, errors."""
import pytest

from helpers import check, check_error, case, ints


def pad(p, **kw):
    return lambda T, x: T.nn.functional.pad(x, p, **kw)


PAD = [
    case('constant-last', pad((1, 2)), [(2, 3)]),
    case('constant-2d', pad((1, 2, 0, 1)), [(2, 3, 4)]),
    case('constant-value', pad((1, 1, 1, 1), value=2.5), [(1, 3, 4)]),
    case('constant-negative', pad((-1, 2, 1, -2)), [(2, 3, 5)]),
    case('constant-all-dims', pad((1, 0, 0, 1, 1, 1)), [(2, 3, 2)]),
    case('constant-int', pad((1, 1), value=7), [ints((2, 3))]),
    case('constant-0d-pad-nothing', pad(()), [(2, 3)]),
    case('reflect-1d', pad((2, 1), mode='reflect'), [(2, 3, 4)]),
    case('reflect-1d-unbatched', pad((1, 2), mode='reflect'), [(3, 4)]),
    case('reflect-2d', pad((1, 2, 2, 1), mode='reflect'), [(1, 2, 4, 5)]),
    case('reflect-3d', pad((1, 1, 1, 0, 0, 1), mode='reflect'), [(1, 1, 3, 3, 2)]),
    case('reflect-3d-of-4d-unbatched', pad((1, 1, 1, 1, 1, 1), mode='reflect'), [(2, 2, 3, 3)]),
    case('replicate-1d', pad((3, 1), mode='replicate'), [(2, 3, 2)]),
    case('replicate-2d', pad((1, 2, 2, 1), mode='replicate'), [(1, 2, 3, 3)]),
    case('circular-1d', pad((1, 2), mode='circular'), [(1, 2, 4)]),
    case('circular-2d', pad((1, 2, 2, 1), mode='circular'), [(1, 2, 3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', PAD)
def test_pad(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    case('odd-length', pad((1, 2, 3)), [(1, 2, 4, 5)]),
    case('too-long', pad((1,) * 10), [(1, 2, 4, 5)]),
    case('reflect-size', pad((1, 1), mode='reflect'), [(1, 2, 4, 5)]),
    case('reflect-too-big', pad((4, 4), mode='reflect'), [(1, 2, 4)]),
    case('bad-mode', pad((1, 1), mode='foo'), [(1, 2, 4)]),
    case('reflect-value', pad((1, 1), mode='reflect', value=1.), [(1, 2, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_pad_errors(fn, specs, kw):
    check_error(fn, specs, **kw)
