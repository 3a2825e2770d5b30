"""atan2, fmod, hypot, copysign, logaddexp(2), float_power, lerp, addcmul, addcdiv,
nan_to_num, isclose, allclose, equal, isposinf, isneginf, isreal against PyTorch.

One line per case: id, function (``T`` first means "the module"), input specs, check options."""
import numpy as np
import pytest

import ember
from helpers import check, check_error, arr, ints, bools, case

F32, F64, F16 = np.float32, np.float64, np.float16
POS = dict(low=0.5, high=2.0)
NAN, INF = float('nan'), float('inf')
SPECIAL = arr([0., -0., 1., -1.5, INF, -INF, NAN])


def nz(shape, seed=0, dtype=F32):
    """Random floats with |x| in [0.5, 2] (safe divisors)."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.uniform(0.5, 2, shape) * rng.choice([-1, 1], shape)).astype(dtype)


def pos(shape, seed=0, dtype=F32):
    return np.asarray(np.random.default_rng(seed).uniform(0.5, 2, shape)).astype(dtype)


def _out_dtype(T, name):
    return T.float64 if name == 'float_power' else T.float32


def _on_view(a, method, *args):
    """In-place op on a column of a non-leaf; returns the base (grad_fn CopySlices)."""
    base = a * 1
    getattr(base[:, 1], method)(*args)
    return base


def binary_cases(name, inplace=True, ints_ok=True, scalar=None, dom=None, y=nz):
    """The shared table for a binary op ``name``: forms, broadcasting, layouts, dtypes."""
    dom = dom or {}
    c = [
        case(f'{name}_fn', lambda T, a, b: getattr(T, name)(a, b), [(3, 4), y((4,))], **dom),
        case(f'{name}_method', lambda a, b: getattr(a, name)(b), [(2, 3), y((2, 3))], **dom),
        case(f'{name}_bcast_both', lambda a, b: getattr(a, name)(b), [(3, 1), y((1, 4))], **dom),
        case(f'{name}_bcast_left', lambda a, b: getattr(a, name)(b), [(4,), y((2, 4))], **dom),
        case(f'{name}_0d', lambda a, b: getattr(a, name)(b), [(), y((3,))], **dom),
        case(f'{name}_0d_0d', lambda a, b: getattr(a, name)(b), [(), y(())], **dom),
        case(f'{name}_empty', lambda a, b: getattr(a, name)(b), [(0, 3), y((3,))], **dom),
        # both operands column-major: ember's binary ops follow NumPy's layout choice, which only
        # agrees with PyTorch's when the operands agree (see the report on arith.py)
        case(f'{name}_noncontig', lambda a, b: getattr(a.t(), name)(b[:, ::2].t()), [(4, 3), y((4, 6))], **dom),
        case(f'{name}_sliced', lambda a, b: getattr(a[:, ::2], name)(b), [(3, 4), y((3, 2))], **dom),
        case(f'{name}_f64', lambda a, b: getattr(a, name)(b), [(3,), y((3,), dtype=F64)], dtype=F64, **dom),
        case(f'{name}_f16', lambda a, b: getattr(a, name)(b), [(3,), y((3,), dtype=F16)], dtype=F16,
             gradcheck=False, **dom),
        case(f'{name}_f32_f64', lambda a, b: getattr(a, name)(b), [(3,), y((3,), dtype=F64)], **dom),
        case(f'{name}_f32_0d_f64', lambda a, b: getattr(a, name)(b), [(3,), y((), dtype=F64)], **dom),
        case(f'{name}_out', lambda T, a, b: getattr(T, name)(a, b, out=T.empty(0, dtype=_out_dtype(T, name))),
             [(3,), y((2, 3))],
             forward_only=True, **dom),
    ]
    if inplace:
        c += [case(f'{name}_inplace', lambda a, b: getattr(a * 1, name + '_')(b), [(3, 4), y((4,))], **dom),
              case(f'{name}_inplace_view', lambda a, b: _on_view(a, name + '_', b), [(3, 4), y((3,))], **dom)]
    if ints_ok:
        c += [case(f'{name}_int', lambda T, a, b: getattr(T, name)(a, b), [ints((3,), 1), ints((3,), 1)],
                   forward_only=True),
              case(f'{name}_int32_uint8', lambda a, b: getattr(a, name)(b),
                   [ints((3,), 1, dtype=np.int32), ints((3,), 1, dtype=np.uint8)], forward_only=True),
              case(f'{name}_bool_int', lambda a, b: getattr(a, name)(b), [bools((4,)), ints((4,), 1)],
                   forward_only=True),
              case(f'{name}_int_float', lambda a, b: getattr(a, name)(b), [ints((3,), 1), y((3,))], **dom),
              case(f'{name}_float_int0d', lambda a, b: getattr(a, name)(b), [(3,), ints((), 1, 3)], **dom)]
    for s in scalar or ():
        c += [case(f'{name}_scalar_{s}', lambda a, s=s: getattr(a, name)(s), [(2, 3)], **dom),
              case(f'{name}_int_scalar_{s}', lambda a, s=s: getattr(a, name)(s), [ints((3,), 1)],
                   forward_only=True)]
    return c


CASES = (
    binary_cases('atan2') + binary_cases('arctan2') + binary_cases('hypot', ints_ok=False)
    + binary_cases('logaddexp', inplace=False, ints_ok=False)
    + binary_cases('logaddexp2', inplace=False, ints_ok=False)
    + binary_cases('copysign', scalar=(2., -1, True, -0.0))
    + binary_cases('fmod', scalar=(2., -3, 1.5, True))
    + binary_cases('float_power', inplace=False, scalar=(2, 0.5, -1), dom=POS, y=pos)
)

CASES += [
    # fmod: sign of the dividend, integer results, special values
    case('fmod_int_neg', lambda a, b: a.fmod(b), [arr([5, -5, 7, -7], np.int64), arr([3, 3, -2, -2], np.int64)],
         forward_only=True),
    case('fmod_special', lambda a, b: a.fmod(b), [SPECIAL, arr([2., 2., 0., -1., 1., 1., 1.])], forward_only=True),
    case('fmod_uint8_neg_scalar', lambda a: a.fmod(-1), [ints((3,), 0, 9, dtype=np.uint8)], forward_only=True),
    case('fmod_int8_0d_int64', lambda a, b: a.fmod(b), [ints((3,), dtype=np.int8), arr(3, np.int64)],
         forward_only=True),
    case('fmod_int_0d_float', lambda a, b: a.fmod(b), [ints((3,)), arr(1.5)], forward_only=True),
    case('fmod_scalar_inplace', lambda a: (a * 1).fmod_(1.5), [(3,)]),
    # atan2 / hypot / copysign special values
    case('atan2_special', lambda a, b: a.atan2(b), [SPECIAL, SPECIAL[::-1].copy()], forward_only=True),
    case('hypot_special', lambda a, b: a.hypot(b), [SPECIAL, SPECIAL[::-1].copy()], forward_only=True),
    case('copysign_special', lambda a, b: a.copysign(b), [SPECIAL, SPECIAL[::-1].copy()], forward_only=True),
    case('copysign_zero_grad', lambda a, b: a.copysign(b), [arr([0., 1., -2.]), arr([-1., -1., 1.])],
         gradcheck=False),   # |x| has a kink at 0: finite differences cannot agree there
    case('logaddexp_special', lambda a, b: a.logaddexp(b), [SPECIAL, SPECIAL[::-1].copy()], forward_only=True),
    case('logaddexp_large', lambda a, b: a.logaddexp(b), [arr([1000., -1000.]), arr([999., -999.])]),
    # float_power: always float64
    case('float_power_scalar_base', lambda T, b: T.float_power(2, b), [(3,)]),
    case('float_power_scalar_base_int', lambda T, b: T.float_power(2.5, b), [ints((3,))], forward_only=True),
    case('float_power_f64_inplace', lambda a, b: (a * 1).float_power_(b), [pos((3,), dtype=F64), (3,)], **POS),
    case('float_power_f64_inplace_scalar', lambda a: (a * 1).float_power_(2), [pos((3,), dtype=F64)]),
    # lerp
    case('lerp_scalar', lambda T, a, b: T.lerp(a, b, 0.3), [(3, 4), (3, 4)]),
    case('lerp_scalar_big', lambda a, b: a.lerp(b, 0.75), [(3, 4), (4,)]),
    case('lerp_scalar_int_weight', lambda a, b: a.lerp(b, 2), [(3,), (3,)]),
    case('lerp_scalar_bool_weight', lambda a, b: a.lerp(b, True), [(3,), (3,)]),
    case('lerp_tensor', lambda T, a, b, w: T.lerp(a, b, w), [(3, 4), (3, 4), (3, 4)], low=-1, high=1),
    case('lerp_tensor_bcast', lambda a, b, w: a.lerp(b, w), [(3, 1), (4,), (2, 1, 1)], low=-1, high=1),
    case('lerp_tensor_0d_weight', lambda a, b, w: a.lerp(b, w), [(3,), (3,), ()]),
    case('lerp_0d_f64_weight', lambda a, b, w: a.lerp(b, w), [(3,), (3,), arr(0.7, F64)]),
    case('lerp_all_0d_f64_weight', lambda a, b, w: a.lerp(b, w), [(), (), arr(0.7, F64)]),
    case('lerp_0d_int_weight', lambda a, b, w: a.lerp(b, w), [(3,), (3,), arr(1, np.int64)]),
    case('lerp_int_0d_float_weight', lambda a, b, w: a.lerp(b, w), [ints((3,)), ints((3,)), arr(0.25)],
         forward_only=True),
    case('lerp_0d_start', lambda a, b, w: a.lerp(b, w), [(), (3,), (3,)]),
    case('lerp_empty', lambda a, b: a.lerp(b, 0.5), [(0, 2), (2,)]),
    case('lerp_noncontig', lambda a, b, w: a.t().lerp(b[::2].t(), w), [(4, 3), (8, 3), (4,)]),
    case('lerp_view_inplace', lambda a, b: _on_view(a, 'lerp_', b, 0.3), [(3, 4), (3,)]),
    case('lerp_f64', lambda a, b, w: a.lerp(b, w), [(3,), (3,), (3,)], dtype=F64),
    case('lerp_f16', lambda a, b: a.lerp(b, 0.6), [(3,), (3,)], dtype=F16, gradcheck=False),
    case('lerp_inplace_scalar', lambda a, b: (a * 1).lerp_(b, 0.4), [(3, 4), (4,)]),
    case('lerp_inplace_tensor', lambda a, b, w: (a * 1).lerp_(b, w), [(3, 4), (4,), (3, 1)]),
    case('lerp_inplace_0d_f64_weight', lambda a, b, w: (a * 1).lerp_(b, w), [(3,), (3,), arr(0.2, F64)]),
    case('lerp_out', lambda T, a, b: T.lerp(a, b, 0.5, out=T.empty(3)), [(3,), (3,)], forward_only=True),
    case('lerp_kwargs', lambda T, a, b: T.lerp(input=a, end=b, weight=0.5), [(3,), (3,)]),
    # addcmul / addcdiv
    case('addcmul_fn', lambda T, a, b, c: T.addcmul(a, b, c), [(3, 4), (3, 4), (3, 4)]),
    case('addcmul_value', lambda a, b, c: a.addcmul(b, c, value=-0.5), [(3, 4), (4,), (3, 1)]),
    case('addcmul_bcast_self', lambda a, b, c: a.addcmul(b, c, value=2), [(4,), (3, 1), (1, 4)]),
    case('addcmul_0d', lambda a, b, c: a.addcmul(b, c), [(), (), (2,)]),
    case('addcmul_empty', lambda a, b, c: a.addcmul(b, c), [(0,), (1,), ()]),
    case('addcmul_noncontig', lambda a, b, c: a.t().addcmul(b[::2].t(), c), [(4, 3), (8, 3), (4,)]),
    case('addcmul_view_inplace', lambda a, b, c: _on_view(a, 'addcmul_', b, c), [(3, 4), (3,), ()]),
    case('addcmul_int', lambda a, b, c: a.addcmul(b, c, value=2), [ints((3,)), ints((3,)), ints((3,))],
         forward_only=True),
    case('addcmul_int_float_value', lambda a, b, c: a.addcmul(b, c, value=-2.5),
         [ints((3,)), ints((3,)), ints((3,))], forward_only=True),
    case('addcmul_int_self', lambda a, b, c: a.addcmul(b, c), [ints((3,)), (3,), (3,)]),
    case('addcmul_bool_factors', lambda a, b, c: a.addcmul(b, c), [(3,), bools((3,)), bools((3,))]),
    case('addcmul_uint8_int8', lambda a, b, c: a.addcmul(b, c), [ints((3,), 0, 5, dtype=np.uint8),
                                                                 ints((3,), dtype=np.int8), ints((3,))],
         forward_only=True),
    case('addcmul_0d_f64', lambda a, b, c: a.addcmul(b, c), [(3,), arr(2., F64), (3,)]),
    case('addcmul_f64_factor', lambda a, b, c: a.addcmul(b, c), [(3,), (3,), arr([1., 2., 3.], F64)]),
    case('addcmul_f16', lambda a, b, c: a.addcmul(b, c, value=0.5), [(3,), (3,), (3,)], dtype=F16,
         gradcheck=False),
    case('addcmul_inplace', lambda a, b, c: (a * 1).addcmul_(b, c, value=3), [(3, 4), (4,), (3, 1)]),
    case('addcmul_out', lambda T, a, b, c: T.addcmul(a, b, c, out=T.empty(0)), [(3,), (3,), (3,)],
         forward_only=True),
    case('addcdiv_fn', lambda T, a, b, c: T.addcdiv(a, b, c), [(3, 4), (3, 4), nz((3, 4))]),
    case('addcdiv_value', lambda a, b, c: a.addcdiv(b, c, value=-0.5), [(3, 4), (4,), nz((3, 1))]),
    case('addcdiv_bcast_self', lambda a, b, c: a.addcdiv(b, c, value=2), [(4,), (3, 1), nz((1, 4))]),
    case('addcdiv_0d', lambda a, b, c: a.addcdiv(b, c), [(), (), nz((2,))]),
    case('addcdiv_empty', lambda a, b, c: a.addcdiv(b, c), [(0,), (1,), nz(())]),
    case('addcdiv_noncontig', lambda a, b, c: a.t().addcdiv(b[::2].t(), c), [(4, 3), (8, 3), nz((4,))]),
    case('addcdiv_view_inplace', lambda a, b, c: _on_view(a, 'addcdiv_', b, c), [(3, 4), (3,), nz(())]),
    case('addcdiv_int_self', lambda a, b, c: a.addcdiv(b, c), [ints((3,)), (3,), nz((3,))]),
    # forward only: PyTorch's own backward fails when tensor2 is integral
    case('addcdiv_int_divisor', lambda a, b, c: a.addcdiv(b, c), [(3,), (3,), ints((3,), 1, 4)], forward_only=True),
    case('addcdiv_bool_divisor', lambda a, b, c: a.addcdiv(b, c), [(3,), (3,), np.ones(3, bool)], forward_only=True),
    case('addcdiv_f64', lambda a, b, c: a.addcdiv(b, c), [(3,), (3,), nz((3,), dtype=F64)], dtype=F64),
    case('addcdiv_inplace', lambda a, b, c: (a * 1).addcdiv_(b, c, value=3), [(3, 4), (4,), nz((3, 1))]),
    case('addcdiv_out', lambda T, a, b, c: T.addcdiv(a, b, c, out=T.empty(3)), [(3,), (3,), nz((3,))],
         forward_only=True),
    # nan_to_num
    case('nan_to_num_default', lambda T, a: T.nan_to_num(a), [SPECIAL]),
    case('nan_to_num_values', lambda a: a.nan_to_num(0.5, 2, -3.), [SPECIAL]),
    case('nan_to_num_kw', lambda a: a.nan_to_num(nan=1, posinf=2.), [SPECIAL]),
    case('nan_to_num_overflow', lambda a: a.nan_to_num(posinf=1e300), [SPECIAL]),
    case('nan_to_num_f64', lambda a: a.nan_to_num(), [SPECIAL.astype(F64)]),
    case('nan_to_num_f16', lambda a: a.nan_to_num(), [SPECIAL.astype(F16)], gradcheck=False),
    case('nan_to_num_random', lambda a: a.nan_to_num(), [(3, 4)]),
    case('nan_to_num_noncontig', lambda a: a.t().nan_to_num(), [(3, 4)]),
    case('nan_to_num_0d', lambda a: a.nan_to_num(), [()]),
    # strides of an empty result carry no meaning (PyTorch reports (0, 0) here)
    case('nan_to_num_empty', lambda a: a.nan_to_num(), [(0, 2)], layout=False),
    case('nan_to_num_int', lambda a: a.nan_to_num(nan=1.5), [ints((3,))], forward_only=True),
    case('nan_to_num_bool', lambda T, a: T.nan_to_num(a), [bools((3,))], forward_only=True),
    case('nan_to_num_inplace', lambda a: (a * 1).nan_to_num_(posinf=5.), [SPECIAL]),
    case('nan_to_num_inplace_int', lambda a: a.nan_to_num_(), [ints((3,))], forward_only=True),
    case('nan_to_num_fn_inplace', lambda T, a: T.nan_to_num_(a * 1, nan=7.), [SPECIAL]),
    case('nan_to_num_out', lambda T, a: T.nan_to_num(a, out=T.empty(0)), [SPECIAL], forward_only=True),
    # isclose / allclose / equal
    case('isclose_default', lambda T, a, b: T.isclose(a, b),
         [arr([NAN, INF, -INF, 1., 1., 0.]), arr([NAN, INF, INF, 1.00001, 1.1, 1e-9])], forward_only=True),
    case('isclose_equal_nan', lambda a, b: a.isclose(b, equal_nan=True),
         [arr([NAN, INF, 1., NAN]), arr([NAN, INF, 1.00001, 1.])], forward_only=True),
    case('isclose_tols', lambda T, a, b: T.isclose(a, b, 0.2, 0.), [(3, 4), (4,)], forward_only=True),
    case('isclose_atol_inf', lambda a, b: a.isclose(b, rtol=1, atol=INF), [arr([1., INF]), arr([2., 2.])],
         forward_only=True),
    case('isclose_zero_tols', lambda a, b: a.isclose(b, rtol=0, atol=0), [arr([1., NAN]), arr([1., NAN])],
         forward_only=True),
    case('isclose_bcast', lambda a, b: a.isclose(b), [(2,), np.ones((3, 1), F32)], forward_only=True),
    case('isclose_0d_empty', lambda a, b: a.isclose(b), [(), (0,)], forward_only=True),
    case('isclose_int', lambda a, b: a.isclose(b, rtol=0.1, atol=0),
         [arr([5, 10, 2 ** 24], np.int64), arr([6, 11, 2 ** 24 + 1], np.int64)], forward_only=True),
    case('isclose_int_atol', lambda a, b: a.isclose(b, rtol=0, atol=1),
         [arr([5, 0, 250], np.uint8), arr([6, 255, 5], np.uint8)], forward_only=True),
    case('isclose_int_exact', lambda a, b: a.isclose(b, rtol=0, atol=0),
         [arr([2 ** 24, 3], np.int64), arr([2 ** 24 + 1, 3], np.int64)], forward_only=True),
    case('isclose_int8', lambda a, b: a.isclose(b, rtol=0, atol=1), [arr([-128], np.int8), arr([127], np.int8)],
         forward_only=True),
    case('isclose_bool', lambda a, b: a.isclose(b, rtol=1, atol=0), [arr([True, False, True]),
                                                                     arr([False, True, True])], forward_only=True),
    case('isclose_f16', lambda a, b: a.isclose(b, rtol=0, atol=1e-3),
         [arr([1., 1., NAN], F16), arr([1.001, 1.002, NAN], F16)], forward_only=True),
    case('isclose_requires_grad', lambda a, b: a.isclose(b), [(3,), (3,)], requires_grad=[True, True],
         forward_only=True),
    case('allclose_true', lambda T, a, b: T.allclose(a, b + 1e-9), [(3,), (3,)], forward_only=True),
    case('allclose_false', lambda a, b: a.allclose(b), [(3,), (3,)], forward_only=True),
    case('allclose_nan', lambda a: (a.allclose(a), a.allclose(a, equal_nan=True)), [SPECIAL], forward_only=True),
    case('allclose_bcast', lambda T, a, b: T.allclose(a, b), [np.ones(2, F32), np.ones((3, 2), F32)],
         forward_only=True),
    case('allclose_tols', lambda a, b: a.allclose(b, 10., 10.), [(3,), (3,)], forward_only=True),
    case('equal_true', lambda T, a: T.equal(a, a.clone()), [(2, 3)], forward_only=True),
    case('equal_false', lambda T, a, b: T.equal(a, b), [(2, 3), (2, 3)], forward_only=True),
    case('equal_shape', lambda T, a: (T.equal(a, a[:1]), T.equal(a, a.reshape(3, 2))), [(2, 3)],
         forward_only=True),
    case('equal_bcast_not_equal', lambda a, b: a.equal(b), [np.ones(2, F32), np.ones((3, 2), F32)],
         forward_only=True),
    case('equal_dtypes', lambda a, b: (a.equal(b), b.equal(a.bool())), [np.ones(3, F32), np.ones(3, np.int64)],
         forward_only=True),
    case('equal_nan', lambda T, a: T.equal(a, a), [SPECIAL], forward_only=True),
    case('equal_empty', lambda T, a, b: (T.equal(a, a), T.equal(a, b)), [(0,), (0, 1)], forward_only=True),
    case('equal_noncontig', lambda a: a.t().equal(a.t().contiguous()), [(3, 4)], forward_only=True),
    # isposinf / isneginf / isreal
    case('isposinf', lambda T, a: T.isposinf(a), [SPECIAL], forward_only=True),
    case('isneginf', lambda a: a.isneginf(), [SPECIAL], forward_only=True),
    case('isposinf_f16_noncontig', lambda a: a[::2].isposinf(), [SPECIAL.astype(F16)], forward_only=True),
    case('isneginf_int_bool', lambda T, a, b: (T.isneginf(a), T.isposinf(b)), [ints((2, 3)), bools((3,))],
         forward_only=True),
    case('isposinf_out', lambda T, a: T.isposinf(a, out=T.empty(0, dtype=T.bool)), [SPECIAL], forward_only=True),
    case('isposinf_grad_input', lambda a: a.isposinf(), [(3,)], requires_grad=[True], forward_only=True),
    case('isreal', lambda T, a: T.isreal(a), [SPECIAL], forward_only=True),
    case('isreal_int_bool_0d', lambda T, a, b, c: (T.isreal(a), b.isreal(), c.isreal()),
         [ints((2, 3)), bools((3,)), ()], forward_only=True),
    case('isreal_noncontig', lambda a: a.t().isreal(), [(3, 4)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_op(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    # shape mismatch, in-place into a smaller output, dtype refusals
    case('atan2_shape', lambda T, a, b: T.atan2(a, b), [(2, 3), (4,)]),
    case('hypot_shape', lambda a, b: a.hypot(b), [(3,), (2,)]),
    case('fmod_shape', lambda a, b: a.fmod(b), [(3,), (2,)]),
    case('logaddexp_shape', lambda a, b: a.logaddexp(b), [(3, 2), (3,)]),
    case('atan2_inplace_bcast', lambda a, b: a.atan2_(b), [(3,), (2, 3)]),
    case('copysign_inplace_bcast', lambda a, b: a.copysign_(b), [(1,), (3,)]),
    case('fmod_inplace_bcast', lambda a, b: a.fmod_(b), [(3,), (2, 3)]),
    case('atan2_int_inplace', lambda a, b: a.atan2_(b), [ints((3,)), (3,)]),
    case('copysign_int_inplace', lambda a, b: a.copysign_(b), [ints((3,)), ints((3,))]),
    case('fmod_int_inplace_float_scalar', lambda a: a.fmod_(2.5), [ints((3,))]),
    case('hypot_int', lambda T, a, b: T.hypot(a, b), [ints((3,)), ints((3,))]),
    case('hypot_int32_bool', lambda T, a, b: T.hypot(a, b), [ints((3,), dtype=np.int32), bools((3,))]),
    case('logaddexp_bool', lambda T, a, b: T.logaddexp(a, b), [bools((3,)), bools((3,))]),
    case('logaddexp2_uint8', lambda T, a, b: T.logaddexp2(a, b), [ints((3,), 0, 3, dtype=np.uint8)] * 2),
    case('fmod_bool', lambda T, a, b: T.fmod(a, b), [bools((3,)), bools((3,))]),
    case('fmod_bool_scalar', lambda a: a.fmod(True), [bools((3,))]),
    case('fmod_int_zero', lambda a, b: a.fmod(b), [ints((3,), 1), arr([1, 0, 2], np.int64)]),
    case('fmod_int_zero_scalar', lambda a: a.fmod(0), [ints((3,))]),
    # Python numbers where tensors are needed
    case('atan2_scalar_other', lambda T, a: T.atan2(a, 2.), [(3,)]),
    case('atan2_scalar_input', lambda T, a: T.atan2(2, a), [(3,)]),
    case('atan2_method_scalar', lambda a: a.atan2(True), [(3,)]),
    case('hypot_method_none', lambda a: a.hypot(None), [(3,)]),
    case('logaddexp_scalar', lambda T, a: T.logaddexp(a, 1.), [(3,)]),
    case('logaddexp2_method_scalar', lambda a: a.logaddexp2(1.), [(3,)]),
    case('fmod_scalar_input', lambda T, a: T.fmod(2, a), [(3,)]),
    case('copysign_scalar_input', lambda T, a: T.copysign(2., a), [(3,)]),
    case('float_power_two_scalars', lambda T: T.float_power(2, 3.), []),
    case('float_power_out_f32', lambda T, a: T.float_power(a, 2, out=T.empty(3)), [(3,)]),
    case('float_power_inplace_f32', lambda a: a.float_power_(2), [(3,)]),
    case('float_power_inplace_int', lambda a, b: a.float_power_(b), [ints((3,)), (3,)]),
    case('float_power_shape', lambda T, a, b: T.float_power(a, b), [(3,), (2,)]),
    # lerp
    case('lerp_end_dtype', lambda T, a, b: T.lerp(a, b, 0.5), [(3,), ints((3,))]),
    case('lerp_end_f64', lambda T, a, b: T.lerp(a, b, 0.5), [(3,), np.ones(3, F64)]),
    case('lerp_start_0d_f64', lambda T, a, b: T.lerp(a, b, 0.5), [np.ones((), F64), (3,)]),
    case('lerp_weight_dtype', lambda T, a, b, w: T.lerp(a, b, w), [(3,), (3,), np.ones(3, F64)]),
    case('lerp_weight_int', lambda T, a, b, w: T.lerp(a, b, w), [(3,), (3,), ints((3,))]),
    case('lerp_int_scalar', lambda T, a, b: T.lerp(a, b, 0.5), [ints((3,)), ints((3,))]),
    case('lerp_bool_scalar', lambda T, a, b: T.lerp(a, b, 1), [bools((3,)), bools((3,))]),
    case('lerp_int_tensor', lambda T, a, b, w: T.lerp(a, b, w), [ints((3,)), ints((3,)), ints((3,))]),
    case('lerp_int_0d_int', lambda T, a, b, w: T.lerp(a, b, w), [ints((3,)), ints((3,)), arr(1, np.int64)]),
    case('lerp_shape', lambda T, a, b: T.lerp(a, b, 0.5), [(2,), (3,)]),
    case('lerp_weight_shape', lambda T, a, b, w: T.lerp(a, b, w), [(2,), (2,), (3,)]),
    case('lerp_three_shapes', lambda T, a, b, w: T.lerp(a, b, w), [(3, 1), (1, 2), (4,)]),
    case('lerp_inplace_bcast', lambda a, b, w: a.lerp_(b, w), [(2,), (2,), (3, 1)]),
    case('lerp_inplace_int_0d_float', lambda a, b, w: a.lerp_(b, w), [ints((3,)), ints((3,)), arr(0.5)]),
    case('lerp_scalar_end', lambda T, a: T.lerp(a, 2., 0.5), [(3,)]),
    # addcmul / addcdiv
    case('addcmul_bool', lambda T, a, b, c: T.addcmul(a, b, c), [bools((3,))] * 3),
    case('addcmul_shape', lambda T, a, b, c: T.addcmul(a, b, c), [(2,), (3,), (2,)]),
    case('addcmul_three_shapes', lambda T, a, b, c: T.addcmul(a, b, c), [(3, 1), (1, 2), (4,)]),
    case('addcmul_inplace_bcast', lambda a, b, c: a.addcmul_(b, c), [(2,), (2,), (3, 1)]),
    case('addcmul_int_inplace', lambda a, b, c: a.addcmul_(b, c), [ints((2,)), (2,), (2,)]),
    case('addcmul_scalar_tensor2', lambda T, a, b: T.addcmul(a, b, 2.), [(2,), (2,)]),
    case('addcmul_value_none', lambda T, a, b, c: T.addcmul(a, b, c, value=None), [(2,)] * 3),
    case('addcdiv_int', lambda T, a, b, c: T.addcdiv(a, b, c), [ints((3,))] * 3),
    case('addcdiv_float_self_int', lambda T, a, b, c: T.addcdiv(a, b, c), [(3,), ints((3,)), ints((3,), 1)]),
    case('addcdiv_int_bool', lambda T, a, b, c: T.addcdiv(a, b, c), [(3,), ints((3,)), bools((3,))]),
    case('addcdiv_shape', lambda T, a, b, c: T.addcdiv(a, b, c), [(2,), (2,), (3,)]),
    case('addcdiv_inplace_int', lambda a, b, c: a.addcdiv_(b, c), [ints((2,)), (2,), (2,)]),
    # out=: no autograd, no casting to a lower category
    case('atan2_out_grad', lambda T, a, b: T.atan2(a, b, out=T.empty(3)), [(3,), (3,)], requires_grad=[True, False]),
    case('atan2_out_int', lambda T, a, b: T.atan2(a, b, out=T.empty(3, dtype=T.long)), [(3,), (3,)]),
    case('fmod_out_int', lambda T, a: T.fmod(a, 2., out=T.empty(3, dtype=T.long)), [ints((3,))]),
    case('copysign_out_grad', lambda T, a: T.copysign(a, -1, out=T.empty(3)), [(3,)], requires_grad=[True]),
    case('float_power_out_grad', lambda T, a: T.float_power(a, 2, out=T.empty(3, dtype=T.float64)), [(3,)],
         requires_grad=[True]),
    case('lerp_out_grad', lambda T, a, b: T.lerp(a, b, 0.5, out=T.empty(3)), [(3,), (3,)], requires_grad=[True, True]),
    case('lerp_out_int', lambda T, a, b: T.lerp(a, b, 0.5, out=T.empty(3, dtype=T.int32)), [(3,), (3,)]),
    case('addcmul_out_grad', lambda T, a, b, c: T.addcmul(a, b, c, out=T.empty(3)), [(3,)] * 3,
         requires_grad=[False, True, False]),
    case('addcdiv_out_bool', lambda T, a, b, c: T.addcdiv(a, b, c, out=T.empty(3, dtype=T.bool)), [(3,)] * 3),
    case('nan_to_num_out_grad', lambda T, a: T.nan_to_num(a, out=T.empty(3)), [(3,)], requires_grad=[True]),
    case('isposinf_out_float', lambda T, a: T.isposinf(a, out=T.empty(3)), [(3,)]),
    case('isneginf_out_int', lambda T, a: T.isneginf(a, out=T.empty(3, dtype=T.uint8)), [(3,)]),
    # nan_to_num / tests
    case('nan_to_num_str', lambda T, a: T.nan_to_num(a, nan='x'), [(2,)]),
    case('nan_to_num_scalar', lambda T: T.nan_to_num(1.), []),
    case('isclose_dtype', lambda T, a, b: T.isclose(a, b), [(3,), ints((3,))]),
    case('isclose_int_widths', lambda T, a, b: T.isclose(a, b), [ints((3,)), ints((3,), dtype=np.int32)]),
    case('isclose_f64', lambda a, b: a.isclose(b), [(3,), np.ones(3, F64)]),
    case('isclose_shape', lambda T, a, b: T.isclose(a, b), [(2,), (3,)]),
    case('isclose_rtol', lambda T, a: T.isclose(a, a, rtol=-1), [(2,)]),
    case('isclose_atol', lambda T, a: T.isclose(a, a, atol=-0.5), [(2,)]),
    case('isclose_atol_nan', lambda T, a: T.isclose(a, a, atol=NAN), [(2,)]),
    case('isclose_scalar', lambda T, a: T.isclose(a, 1.), [(2,)]),
    case('isclose_method_scalar', lambda a: a.isclose(1.), [(2,)]),
    case('isclose_scalar_input', lambda T, a: T.isclose(1., a), [(2,)]),
    case('allclose_dtype', lambda T, a, b: T.allclose(a, b), [(3,), ints((3,))]),
    case('allclose_shape', lambda T, a, b: T.allclose(a, b), [(2,), (3,)]),
    case('equal_scalar', lambda T, a: T.equal(a, 1.), [(2,)]),
    case('equal_method_scalar', lambda a: a.equal(1), [(2,)]),
    case('isposinf_scalar', lambda T: T.isposinf(1.), []),
    case('isneginf_list', lambda T: T.isneginf([1.]), []),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_error(fn, specs, kw):
    check_error(fn, specs, **kw)


@pytest.mark.parametrize('name,args', [
    ('atan2_', (ember.ones(2, 3),)), ('fmod_', (ember.zeros(2, 3),)), ('lerp_', (ember.ones(4), 0.5)),
    ('addcmul_', (ember.ones(2, 3), ember.ones(3))), ('addcdiv_', (ember.ones(3), ember.ones(2, 3))),
    ('copysign_', (ember.ones(3, 1),)), ('hypot_', (ember.ones(2, 2, 2),)),
])
def test_failed_inplace_leaves_input(name, args):
    x = ember.tensor([[1., 2., 3.], [4., 5., 6.]])[0]
    before, version = x.clone(), x._version
    with pytest.raises(RuntimeError):
        getattr(x, name)(*args)
    assert ember.equal(x, before) and x._version == version


def test_failed_inplace_int_target_unchanged():
    x = ember.tensor([1, 2, 3])
    with pytest.raises(RuntimeError):
        x.lerp_(ember.tensor([4, 5, 6]), ember.tensor(0.5))
    with pytest.raises(RuntimeError):
        x.addcdiv_(ember.ones(3), ember.ones(3))
    assert x.tolist() == [1, 2, 3]


def test_float_power_grad_goes_through_to_copy():
    x = ember.ones(3, requires_grad=True)
    y = ember.float_power(x, x)
    assert [type(n).__name__ for n, _ in y.grad_fn.next_functions] == ['ToCopyBackward0'] * 2
    y.sum().backward()
    assert x.grad.dtype is ember.float32


def test_scalar_operands_have_no_graph_edge():
    x = ember.ones(3, requires_grad=True)
    for y in (x.fmod(2.), x.copysign(-1), x.lerp(x, 0.5)):
        assert all(n is not None for n, _ in y.grad_fn.next_functions)
    assert len(x.fmod(2.).grad_fn.next_functions) == 1
    assert len(x.copysign(2.).grad_fn.next_functions) == 1
