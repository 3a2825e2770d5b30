"""Complex views and constructors against PyTorch: view_as_real / view_as_complex (views sharing
memory, strides, storage offsets, writes both ways), real / imag (views, writes, the property
setters), complex / polar, the conj family (is_conj, resolve_conj, conj_physical(_), is_neg),
angle and isreal; values, dtypes, grad_fn names, gradients, double backward and errors."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case, xfail, cplx, arr, ints

C = cplx((3, 4))
C1 = cplx((4,), seed=1)
C0 = cplx((1,), seed=2).reshape(())
CD = cplx((2, 3), seed=5, dtype=np.complex128)
CNZ = cplx((3, 4), seed=6, low=0.3, high=1.5)
P = (3, 2)
PD = arr(np.random.default_rng(3).uniform(-2, 2, (2, 4, 2)), np.float64)


def _write_real(x):
    w = x * 1
    w.real.mul_(2)
    return w


def _write_imag_item(x):
    w = x * 1
    w.imag[0] = 5
    return w


def _set_imag(x, t):
    w = x * 1
    w.imag = t
    return w


def _set_real_scalar(x):
    w = x * 1
    w.real = 3.0
    return w


def _write_as_real(T, x):
    w = x * 1
    T.view_as_real(w)[1, 0] = 9
    T.view_as_real(w)[:, 1].mul_(-1)
    return w


def _write_as_complex(T, x):
    y = x * 1
    T.view_as_complex(y).mul_(1j)
    return y


def _write_through_complex_slice(T, x):
    y = x * 1
    T.view_as_complex(y)[1:].add_(2 - 1j)
    return y


def _view_real_then_write(T, x):
    w = x * 1
    r = T.view_as_real(w)
    r.mul_(2)
    return r


def _write_then_use(T, x):
    w = x * 1
    r = T.view_as_real(w[1:])[0]
    r.mul_(3)
    return ((r * r).sum() + (T.view_as_real(w) * T.arange(8.).view(4, 2)).sum()).reshape(1)


def _write_complex_then_use(T, x):
    y = x * 1
    c = T.view_as_complex(y)[1:]
    c.mul_(1j)
    return (T.view_as_real(c * c).sum() + (y * y).sum()).reshape(1)


VIEWS = [
    case('as_real', lambda T, x: T.view_as_real(x), [C]),
    case('as_real_double', lambda T, x: T.view_as_real(x), [CD]),
    case('as_real_0d', lambda T, x: T.view_as_real(x), [C0]),
    case('as_real_empty', lambda T: T.view_as_real(T.zeros(0, 3, dtype=T.complex64)), []),
    case('as_real_t', lambda T, x: T.view_as_real(x.t()), [C]),
    case('as_real_slice', lambda T, x: T.view_as_real(x[:, 1::2]), [C]),
    case('as_real_row', lambda T, x: T.view_as_real(x[1]), [C]),
    case('as_real_expand', lambda T, x: T.view_as_real(x.expand(2, 4)), [C1]),
    case('as_real_nonleaf', lambda T, x: T.view_as_real(x * 2) ** 2, [C]),
    case('as_real_index', lambda T, x: T.view_as_real(x)[..., 1] * 3, [C]),
    case('as_complex', lambda T, x: T.view_as_complex(x), [P]),
    case('as_complex_double', lambda T, x: T.view_as_complex(x), [PD]),
    case('as_complex_strided', lambda T, x: T.view_as_complex(x[:, ::2]), [PD]),
    case('as_complex_offset', lambda T, x: T.view_as_complex(x[1:]), [(4, 2)]),
    case('as_complex_expand', lambda T, x: T.view_as_complex(x.expand(3, 4, 2)), [(4, 2)]),
    # (empty inputs made by zeros: NumPy's empty arrays come into torch with strides 0)
    case('as_complex_empty', lambda T: T.view_as_complex(T.zeros(0, 2)), []),
    case('as_complex_empty_3d', lambda T: T.view_as_complex(T.zeros(3, 0, 2, dtype=T.float64)), []),
    case('as_complex_1d', lambda T, x: T.view_as_complex(x), [(2,)], forward_only=True),
    case('as_complex_1d_grad', lambda T, x: T.view_as_complex(x).expand(3), [(2,)]),
    case('as_complex_nonleaf', lambda T, x: T.view_as_complex(x * 2) * (1 - 1j), [P]),
    case('roundtrip_c', lambda T, x: T.view_as_complex(T.view_as_real(x)), [C]),
    case('roundtrip_r', lambda T, x: T.view_as_real(T.view_as_complex(x)), [PD]),
    case('real', lambda x: x.real, [C]),
    case('imag', lambda x: x.imag, [C]),
    case('real_fn', lambda T, x: T.real(x), [CD]),
    case('imag_fn', lambda T, x: T.imag(x), [CD]),
    case('real_t', lambda x: x.t().real, [C]),
    case('imag_slice', lambda x: x[1:, ::2].imag, [C]),
    case('imag_0d', lambda x: x.imag, [C0], forward_only=True),
    case('imag_0d_grad', lambda x: x.imag.expand(2), [C0]),
    case('real_empty', lambda T: T.zeros(2, 0, dtype=T.complex128).real, []),
    # ops/strided.py empty_view_offset counts a view_as_real step in complex elements, not floats
    xfail('imag_empty_slice', lambda T: T.zeros(4, 3, dtype=T.complex64)[:, 3:].imag, [],
          reason='storage_offset of an empty view across a dtype change (ops/strided.py)'),
    case('imag_row_of_real', lambda x: x.imag[1], [C]),
    case('real_of_real', lambda x: x.real, [(3,)]),
    case('real_fn_of_real', lambda T, x: T.real(x), [(3,)]),
    case('real_ints', lambda x: x.real, [ints((3,))], forward_only=True),
    case('real_imag_math', lambda x: x.real * x.imag + x.real.exp(), [C]),
    case('real_of_complex_view', lambda T, x: T.view_as_complex(x).real, [P]),
    case('write_real', _write_real, [C]),
    case('write_imag_item', _write_imag_item, [C]),
    case('set_imag', _set_imag, [C, (3, 4)]),
    case('set_imag_bcast', _set_imag, [C, (4,)]),
    case('set_real_scalar', _set_real_scalar, [C]),
    case('write_as_real', _write_as_real, [C]),
    case('write_as_complex', _write_as_complex, [PD]),
    case('write_complex_slice', _write_through_complex_slice, [(3, 2)]),
    case('view_real_then_write', _view_real_then_write, [C]),
    case('write_then_use', _write_then_use, [C1]),
    case('write_complex_then_use', _write_complex_then_use, [(3, 2)]),
    # PyTorch re-derives a view across a dtype change as view_as_real + as_strided; ember replays the
    # view's chain (ops/_view_grad.py _regen), so the view's own node is named after the last view op
    xfail('write_real_view_node', lambda x: x.mul(1).real.mul_(2), [C],
          reason='ember regenerates real(w) after an in-place write as SelectBackward0, torch as AsStrided'),
]


@pytest.mark.parametrize('fn,specs,kw', VIEWS)
def test_views(fn, specs, kw):
    check(fn, specs, **kw)


BUILD = [
    case('complex', lambda T, x, y: T.complex(x, y), [(3, 4), (3, 4)]),
    case('complex_bcast', lambda T, x, y: T.complex(x, y), [(3, 1), (4,)]),
    case('complex_double', lambda T, x, y: T.complex(x, y), [PD, PD]),
    case('complex_0d', lambda T, x, y: T.complex(x, y), [(3,), arr(1.5)]),
    case('complex_t', lambda T, x, y: T.complex(x.t(), y[:, ::2]), [(4, 3), (3, 8)]),
    case('complex_t_second', lambda T, x, y: T.complex(y[:, ::2], x.t()), [(4, 3), (3, 8)]),
    case('complex_empty', lambda T, x, y: T.complex(x, y), [(0, 2), (2,)]),
    case('complex_one_grad', lambda T, x, y: T.complex(x, y), [(3,), (3,)], requires_grad=[False, True]),
    case('polar', lambda T, x, y: T.polar(x, y), [(3, 4), (3, 4)], low=0.1),
    case('polar_bcast', lambda T, x, y: T.polar(x, y), [(3, 1), (4,)], low=0.1),
    case('polar_double', lambda T, x, y: T.polar(x.abs(), y), [PD, PD]),
    case('polar_t', lambda T, x, y: T.polar(x.t(), y.t()), [(3, 4), (3, 4)], low=0.1),
    case('polar_then_math', lambda T, x, y: T.polar(x, y) * T.complex(y, x), [(5,), (5,)], low=0.1),
    # PyTorch's gradient for a negative abs uses sgn(result) (not the derivative): compared, not gradchecked
    case('polar_negative_abs', lambda T, x, y: T.polar(x, y), [(3, 4), (3, 4)], gradcheck=False),
    case('angle', lambda x: x.angle(), [CNZ]),
    case('angle_fn', lambda T, x: T.angle(x), [CD]),
    case('angle_t', lambda x: x.t().angle() * 2, [CNZ]),
    case('angle_real', lambda T, x: T.angle(x), [(3, 4)]),
    case('angle_zero', lambda T, x: T.angle(x), [arr([0j, -1 + 0j, 1j, -0.0 - 1j], np.complex64)], forward_only=True),
    case('angle_ints', lambda T, x: T.angle(x), [ints((5,))]),
    case('isreal', lambda T, x: T.isreal(x), [arr([1 + 0j, 1j, 2, -0.0j, complex(0, np.nan), complex(np.nan, 0)],
                                                  np.complex64)], forward_only=True),
    case('isreal_method', lambda x: x.isreal(), [(3,)], forward_only=True),
    case('isreal_ints', lambda T, x: T.isreal(x), [ints((3,))], forward_only=True),
    case('conj_values', lambda x: x.conj() * x, [C]),
    case('conj_nonleaf', lambda x: (x * 1).conj() * 2, [C]),
    case('conj_fn', lambda T, x: T.conj(x) + x, [CD]),
    case('conj_real_view', lambda x: x.conj().real, [C]),
    case('conj_imag', lambda x: x.conj().imag * 1, [C]),
    case('conj_conj', lambda x: x.conj().conj(), [C], layout=False),       # torch: a view; ember: new memory
    case('resolve_conj', lambda x: (x * 1).conj().resolve_conj(), [C]),
    case('conj_physical', lambda x: x.conj_physical(), [C]),
    case('conj_physical_fn', lambda T, x: T.conj_physical(x.t()), [C]),
    case('conj_physical_', lambda x: (x * 1).conj_physical_(), [C]),
    case('conj_physical_out', lambda T, x: T.conj_physical(x, out=T.empty(4, dtype=T.complex64)), [C1],
         forward_only=True),
    case('angle_out', lambda T, x: T.angle(x, out=T.empty(0)), [C1], forward_only=True),
    case('conj_physical_real_', lambda x: (x * 1).conj_physical_(), [(3,)]),
    case('conj_physical_real', lambda x: x.conj_physical(), [(3,)]),
    case('resolve_neg', lambda x: x.conj().imag.resolve_neg(), [C]),
]


@pytest.mark.parametrize('fn,specs,kw', BUILD)
def test_build(fn, specs, kw):
    check(fn, specs, **kw)


O32 = np.zeros(2, np.float32)
ERRORS = [
    case('as_real_float', lambda T, x: T.view_as_real(x), [(3,)]),
    case('as_real_conj', lambda T, x: T.view_as_real(x.conj()), [C]),
    case('as_real_int', lambda T: T.view_as_real(3), []),
    case('as_complex_size', lambda T, x: T.view_as_complex(x), [(3,)]),
    case('as_complex_stride', lambda T, x: T.view_as_complex(x.t()), [(2, 3)]),
    case('as_complex_inner_stride', lambda T, x: T.view_as_complex(x[:, :2]), [(3, 3)]),
    case('as_complex_offset', lambda T, x: T.view_as_complex(x.reshape(-1)[1:].view(3, 2)), [(7,)]),
    case('as_complex_long', lambda T, x: T.view_as_complex(x), [ints((2,))]),
    case('as_complex_bf16', lambda T, x: T.view_as_complex(x.bfloat16()), [(2,)]),
    case('as_complex_0d', lambda T, x: T.view_as_complex(x), [arr(1.0)]),
    case('as_complex_expand_last', lambda T, x: T.view_as_complex(x.expand(2, 2)), [(2, 1)]),
    case('as_complex_list', lambda T: T.view_as_complex([1.0, 2.0]), []),
    case('complex_mixed', lambda T, x, y: T.complex(x, y.double()), [(2,), (2,)]),
    case('complex_ints', lambda T, x: T.complex(x, x), [ints((2,))]),
    case('complex_complex', lambda T, x: T.complex(x, x), [C1]),
    case('complex_float_arg', lambda T, x: T.complex(x, 1.0), [(2,)]),
    case('complex_shape', lambda T, x, y: T.complex(x, y), [(2,), (3,)]),
    case('complex_out_dtype', lambda T, x, y: T.complex(x, y, out=T.empty(2)), [(2,), (2,)]),
    case('polar_out_dtype', lambda T, x, y: T.polar(x, y, out=T.empty(2, dtype=T.complex128)), [(2,), (2,)]),
    case('complex_out_grad', lambda T, x, y: T.complex(x, y, out=T.empty(2, dtype=T.complex64)), [(2,), (2,)],
         requires_grad=[True, False]),
    case('polar_ints', lambda T, x: T.polar(x, x), [ints((2,))]),
    case('polar_mixed', lambda T, x, y: T.polar(x.double(), y), [(2,), (2,)]),
    case('imag_real', lambda x: x.imag, [(2,)]),
    case('imag_fn_real', lambda T, x: T.imag(x), [(2,)]),
    case('real_int', lambda T: T.real(3), []),
    case('isreal_int', lambda T: T.isreal(3), []),
    case('conj_int', lambda T: T.conj(3), []),
    case('set_imag_real', lambda x: setattr(x, 'imag', x), [(2,)]),
    case('set_real_str', lambda x: setattr(x, 'real', 'a'), [C1]),
    case('set_real_list', lambda x: setattr(x, 'real', [1.0, 2.0]), [C1]),
    case('set_real_shape', lambda x, y: setattr(x, 'real', y), [C1, (3,)]),
    case('set_real_leaf', lambda x, y: setattr(x, 'real', y), [C1, (4,)], requires_grad=[True, False]),
    case('as_real_leaf_inplace', lambda T, x: T.view_as_real(x).mul_(2), [C1], requires_grad=[True]),
    case('real_leaf_inplace', lambda x: x.real.zero_(), [C1], requires_grad=[True]),
    case('as_complex_leaf_inplace', lambda T, x: T.view_as_complex(x).mul_(2), [P], requires_grad=[True]),
    case('conj_physical_leaf', lambda x: x.conj_physical_(), [C1], requires_grad=[True]),
    case('conj_physical_real_leaf', lambda x: x.conj_physical_(), [(2,)], requires_grad=[True]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def _both(expr):
    """``expr`` (a function of the module and a complex tensor) run on torch and on ember."""
    z = cplx((2, 3))
    return expr(torch, torch.from_numpy(z.copy())), expr(ember, ember.tensor(z.copy()))


FLAGS = {
    'conj': lambda T, z: z.conj().is_conj(),
    'conj_fn': lambda T, z: T.is_conj(T.conj(z)),
    'conj_twice': lambda T, z: z.conj().conj().is_conj(),
    'plain': lambda T, z: (z.is_conj(), z.is_neg(), T.is_neg(z)),
    'resolved': lambda T, z: z.conj().resolve_conj().is_conj(),
    'clone': lambda T, z: z.conj().clone().is_conj(),
    'physical': lambda T, z: z.conj_physical().is_conj(),
    'arith': lambda T, z: (z.conj() + 1).is_conj(),
    'imag_neg': lambda T, z: (z.conj().imag.is_neg(), z.conj().imag.is_conj(), z.conj().real.is_neg()),
    'neg_resolved': lambda T, z: z.conj().imag.resolve_neg().is_neg(),
    'resolve_same': lambda T, z: (z.resolve_conj() is z, z.resolve_neg() is z, T.resolve_conj(z) is z),
    'real_same': lambda T, z: (T.real(z.real) is not None, z.real.real is not None),
    'conj_inplace_keeps': lambda T, z: z.conj().mul_(2).is_conj(),
    'is_complex': lambda T, z: (T.is_complex(z), z.is_complex(), z.real.is_complex()),
    'view_as_real_base': lambda T, z: T.view_as_real(z)._base is z,
    'real_base': lambda T, z: (z.real._base is z, z.imag[1]._base is z, T.view_as_complex(T.view_as_real(z))._base is z),
    'conj_real_is_self': lambda T, z: (lambda x: (x.conj() is x, T.conj(x) is x, x.conj_physical() is x))(z.real),
    'tolist': lambda T, z: z.conj().tolist(),
    'conj_repr': lambda T, z: repr(z.conj()).replace('torch.', 'ember.'),
    'grad_fns': lambda T, z: [f(z.requires_grad_()).grad_fn.name() for f in
                              (T.conj, T.conj_physical, T.angle, T.view_as_real, lambda t: t.real, lambda t: t.imag)],
}


@pytest.mark.parametrize('name', FLAGS)
def test_flags(name):
    t, e = _both(FLAGS[name])
    assert e == t


def test_memory_shared_both_ways():
    for T in (torch, ember):
        z = T.tensor([1 + 2j, 3 - 4j])
        r = T.view_as_real(z)
        r[0, 1] = 7
        assert z.tolist() == [1 + 7j, 3 - 4j]
        z[1] = 5j
        assert r.tolist() == [[1, 7], [0, 5]]
        assert (z._version, r._version) == (2, 2)
        z.real.mul_(2)
        z.imag[1] = -1
        assert z.tolist() == [2 + 7j, -1j] and z._version == 4
        x = T.zeros(2, 2)
        c = T.view_as_complex(x)
        c[1] = 1 + 2j
        assert x.tolist() == [[0, 0], [1, 2]] and x._version == 1
        z.real = T.tensor([4., 5.])
        assert z.tolist() == [4 + 7j, 5 - 1j]


def test_saved_tensor_modified_through_view():
    """A write through view_as_real bumps the version autograd checks, as in PyTorch."""
    msgs = []
    for T in (torch, ember):
        z = T.tensor([1 + 2j, 3 - 4j], requires_grad=True)
        w = z * 1
        y = w * w
        T.view_as_real(w)[0, 0] = 0
        with pytest.raises(RuntimeError) as err:
            y.sum().abs().backward()
        msgs.append(str(err.value).split(':')[0])
    assert msgs[0] == msgs[1]


def test_imag_setter_casts_complex():
    for T in (torch, ember):        # (both warn once per process: test_survey4_lead checks the warning)
        z = T.tensor([1 + 2j, 3 - 4j])
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            z.imag = T.tensor([1 + 1j, 2])
        assert z.tolist() == [1 + 1j, 3 + 2j]


def test_real_setter_on_real_tensor():
    for T in (torch, ember):
        x = T.tensor([1., 2.])
        x.real = T.tensor([5., 6.])
        assert x.tolist() == [5., 6.]
        x.real = 3
        assert x.tolist() == [3., 3.]


def test_conj_result_owns_memory():
    """ember's conj() computes new memory (PyTorch's is a lazy view of the input)."""
    z = ember.tensor([1 + 2j, 3 - 4j])
    c = z.conj()
    c.mul_(2)
    assert c.tolist() == [2 - 4j, 6 + 8j] and c.is_conj()
    assert z.tolist() == [1 + 2j, 3 - 4j]


def test_conj_physical_inplace_version():
    for T in (torch, ember):
        x = T.tensor([1., -2.])
        assert x.conj_physical_() is x and x._version == 1
        z = T.tensor([1 + 2j])
        z.conj_physical_()
        assert z.tolist() == [1 - 2j] and z._version == 1 and not z.is_conj()
