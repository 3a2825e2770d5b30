"""Session-16 survey fixes: missing top-level names, NumPy keyword aliases (axis=/keepdims=),
size=/shape=/dims=/end= keywords, *_like layouts, tensors inside tensor() data, ember.testing."""
import numpy as np
import pytest
import torch

import ember
from helpers import case, check, check_error, ints

X = np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5
I = np.zeros((1, 3), dtype=np.int64)

ALIAS_CASES = [
    case('sum_axis', lambda x: x.sum(axis=0), [X]),
    case('mean_axis_keepdims', lambda x: x.mean(axis=0, keepdims=True), [X]),
    case('sum_keepdims_pos', lambda x: x.sum(0, keepdims=True), [X]),
    case('max_axis', lambda x: x.max(axis=0), [X]),
    case('min_axis_keepdims', lambda x: x.min(axis=1, keepdims=True), [X]),
    case('argmax_axis', lambda x: x.argmax(axis=0), [X]),
    case('std_axis', lambda x: x.std(axis=0), [X]),
    case('any_axis', lambda x: (x > 0).any(axis=0), [X], forward_only=True),
    case('sort_axis', lambda x: x.sort(axis=0), [X]),
    case('argsort_axis', lambda x: x.argsort(axis=0), [X], forward_only=True),
    case('cumsum_axis', lambda x: x.cumsum(axis=0), [X]),
    case('unsqueeze_axis', lambda x: x.unsqueeze(axis=0), [X]),
    case('gather_axis', lambda x, i: x.gather(axis=0, index=i), [X, I]),
    case('fn_sum_axis', lambda T, x: T.sum(x, axis=1), [X]),
    case('fn_stack_axis', lambda T, x: T.stack([x, x], axis=0), [X]),
    case('fn_concatenate_axis', lambda T, x: T.concatenate([x, x], axis=1), [X]),
    case('fn_cat_axis', lambda T, x: T.cat([x, x], axis=1), [X]),
    case('kthvalue_axis', lambda x: x.kthvalue(1, axis=0, keepdims=True), [X]),
    case('topk_axis', lambda x: x.topk(1, axis=0), [X]),
    case('softmax_axis', lambda x: x.softmax(axis=0), [X]),
    case('logsumexp_axis_tuple', lambda x: x.logsumexp(axis=(0, 1)), [X]),
    case('squeeze_inplace_axis', lambda x: (x * 1).unsqueeze(0).squeeze_(axis=0), [X]),
]

ALIAS_ERRORS = [
    case('dim_and_axis', lambda x: x.sum(dim=0, axis=0), [X]),
    case('dim_pos_and_axis', lambda x: x.sum(0, axis=0), [X]),
    case('keepdim_and_keepdims', lambda x: x.mean(dim=0, keepdim=True, keepdims=True), [X]),
    case('fn_cat_dim_and_axis', lambda T, x: T.cat([x, x], dim=0, axis=0), [X]),
    case('flip_axis', lambda x: x.flip(axis=0), [X]),
    case('roll_axis', lambda x: x.roll(1, axis=0), [X]),
]

KEYWORD_CASES = [
    case('view_size', lambda x: x.view(size=(3, 2)), [X]),
    case('view_dtype_kw', lambda T, x: x.view(dtype=T.int32), [X], forward_only=True),
    case('reshape_shape', lambda x: x.reshape(shape=(3, 2)), [X]),
    case('fn_reshape_shape', lambda T, x: T.reshape(x, shape=(3, 2)), [X]),
    case('permute_dims', lambda x: x.permute(dims=(1, 0)), [X]),
    case('fn_permute_dims', lambda T, x: T.permute(x, dims=(1, 0)), [X]),
    case('expand_size', lambda x: x.expand(size=(2, 2, 3)), [X]),
    case('zeros_size', lambda T: T.zeros(size=(2,)), []),
    case('ones_size', lambda T: T.ones(size=(2, 2)), []),
    case('empty_size_shape', lambda T: T.empty(size=(2,)).zero_(), []),
    case('full_size', lambda T: T.full(size=(2,), fill_value=1.), []),
    case('arange_end', lambda T: T.arange(end=5), []),
    case('new_zeros_size', lambda x: x.new_zeros(size=(2,)), [X], forward_only=True),
    case('new_ones_size', lambda x: x.new_ones(size=(2,)), [X], forward_only=True),
]

KEYWORD_ERRORS = [
    case('zeros_size_int', lambda T: T.zeros(size=2), []),
    case('zeros_size_twice', lambda T: T.zeros((2,), size=(2,)), []),
]

LIKE_CASES = [case(f'{name}_{where}', (lambda n: lambda T, x: getattr(T, n)(x).zero_())(name), [spec],
                   forward_only=True)
              for name in ('zeros_like', 'ones_like', 'empty_like')
              for where, spec in (('t', X.T), ('c', X))]
LIKE_CASES += [
    case('full_like_t', lambda T, x: T.full_like(x.t(), 2), [X], forward_only=True),
    case('zeros_like_t_float64', lambda T, x: T.zeros_like(x.t(), dtype=T.float64), [X], forward_only=True),
    case('zeros_like_t_step', lambda T, x: T.zeros_like(x.t()[::2]), [X], forward_only=True),
    case('zeros_like_t_contiguous', lambda T, x: T.zeros_like(x.t(), memory_format=T.contiguous_format), [X],
         forward_only=True),
    case('zeros_like_nhwc', lambda T, x: T.zeros_like(x.reshape(1, 1, 2, 3), memory_format=T.channels_last), [X],
         forward_only=True),
    case('zeros_like_nhwc_permuted', lambda T, x: T.zeros_like(x.reshape(1, 2, 3, 1).permute(0, 3, 1, 2)), [X],
         forward_only=True),
    case('zeros_like_expanded', lambda T, x: T.zeros_like(x.expand(2, 2, 3)), [X], forward_only=True),
    case('zeros_like_unit_dim', lambda T, x: T.zeros_like(x.reshape(3, 1, 2).transpose(0, 1)), [X],
         forward_only=True),
    case('empty_channels_last', lambda T: T.empty(2, 3, 4, 5, memory_format=T.channels_last).zero_(), [],
         forward_only=True),
    case('zeros_like_requires_grad', lambda T, x: T.zeros_like(x.t(), requires_grad=True), [X],
         forward_only=True),
]

TENSOR_DATA = [
    case('one_elem_tensors', lambda T: T.tensor([T.tensor([1.]), T.tensor([2.])]), []),
    case('zero_dim_tensors', lambda T: T.tensor([T.tensor(1.), T.tensor(2)]), []),
    case('nested_one_elem', lambda T: T.tensor([[T.tensor([1.])], [T.tensor([2.])]]), []),
    case('one_elem_2d', lambda T: T.tensor([T.ones(1, 1), T.ones(1, 1)]), []),
    case('mixed_number', lambda T: T.tensor([T.tensor([1]), 2.5]), []),
    case('int_tensors', lambda T: T.tensor([T.tensor([1]), T.tensor([2])]), []),
    case('bool_tensor', lambda T: T.tensor([T.tensor([True])]), []),
    case('promoted', lambda T: T.tensor([T.tensor([1.], dtype=T.float64), T.tensor([2.])]), []),
    case('row_tensor', lambda T: T.tensor([[1., 2.], T.tensor([3., 4.])]), []),
]
TENSOR_DATA_ERRORS = [
    case('many_elem', lambda T: T.tensor([T.ones(2), T.ones(2)]), []),
    case('empty_elem', lambda T: T.tensor([T.ones(0), T.ones(0)]), []),
    case('float_to_int', lambda T: T.tensor((T.tensor([1.]), T.tensor([2.])), dtype=T.int32), []),
]


@pytest.mark.parametrize('fn,specs,kw', ALIAS_CASES + KEYWORD_CASES + LIKE_CASES + TENSOR_DATA)
def test_same_as_torch(fn, specs, kw):
    check(fn, specs, **kw)


@pytest.mark.parametrize('fn,specs,kw', ALIAS_ERRORS + KEYWORD_ERRORS + TENSOR_DATA_ERRORS)
def test_error_as_torch(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_like_strides_and_channels_last_errors():
    assert ember.zeros_like(ember.ones(2, 3).t()).stride() == torch.zeros_like(torch.ones(2, 3).t()).stride()
    for fn in ('zeros_like', 'ones_like', 'empty_like'):
        with pytest.raises(RuntimeError, match='required rank 4 tensor to use channels_last format'):
            getattr(ember, fn)(ember.ones(2, 3), memory_format=ember.channels_last)


def test_alias_wrapper_keeps_names():
    assert ember.sum.__name__ == 'sum' and ember.Tensor.sum.__doc__ == ember.ops.reduce.sum.__doc__
    assert ember.Tensor.__mul__ is not None and not hasattr(ember.Tensor.__mul__, '__wrapped__')
    assert not hasattr(ember.split, '__wrapped__') and not hasattr(ember.Tensor.norm, '__wrapped__')


def test_constants_and_simple_names():
    for n in ('pi', 'e', 'inf', 'nan'):
        assert getattr(ember, n) == getattr(torch, n) or np.isnan(getattr(ember, n))
    assert ember.newaxis is None
    x = ember.ones(2, requires_grad=True) * 2
    d = ember.detach(x)
    assert not d.requires_grad and d.grad_fn is None and d.data_ptr() == x.data_ptr()
    assert repr(ember.ones(2).layout) == 'ember.strided' and ember.ones(2).layout is ember.strided
    for n in ('strided', 'contiguous_format', 'channels_last', 'preserve_format', 'channels_last_3d'):
        assert repr(getattr(ember, n)) == repr(getattr(torch, n)).replace('torch', 'ember')
    assert ember.is_complex(ember.ones(2)) is False
    assert ember.is_signed(ember.ones(2)) is True and ember.is_signed(ember.ones(2, dtype=ember.uint8)) is False
    assert ember.ones(2).is_inference() is False


def test_global_flags():
    assert ember.are_deterministic_algorithms_enabled() is False
    ember.use_deterministic_algorithms(True, warn_only=True)
    try:
        assert ember.are_deterministic_algorithms_enabled() is True
        assert ember.is_deterministic_algorithms_warn_only_enabled() is True
    finally:
        ember.use_deterministic_algorithms(False)
    with pytest.raises(TypeError, match="argument 'mode' \\(position 1\\) must be bool, not int"):
        ember.use_deterministic_algorithms(1)
    assert ember.get_float32_matmul_precision() == 'highest'
    ember.set_float32_matmul_precision('high')
    try:
        assert ember.get_float32_matmul_precision() == 'high' and ember.backends.cuda.matmul.allow_tf32
    finally:
        ember.set_float32_matmul_precision('highest')
    with pytest.warns(UserWarning, match="foo is not one of 'highest', 'high', or 'medium'"):
        ember.set_float32_matmul_precision('foo')
    assert ember.get_float32_matmul_precision() == 'highest' and not ember.backends.cuda.matmul.allow_tf32


@pytest.mark.parametrize('name', ['uint16', 'uint32', 'uint64'])
def test_wide_unsigned(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t).replace('torch', 'ember') and e.is_signed is False and e.itemsize == t.itemsize
    a = np.array([1, 2, 65535], dtype=e.np)
    assert repr(ember.from_numpy(a)) == repr(torch.from_numpy(a)).replace('torch', 'ember')
    def host_repr(x):       # the CUDA pass prints a device suffix (torch on cuda prints the same)
        return repr(x).replace(", device='cuda:0'", '')
    assert host_repr(ember.zeros(3, dtype=e)) == repr(torch.zeros(3, dtype=t)).replace('torch', 'ember')
    if name != 'uint64':                   # torch refuses -1 for uint64 (OverflowError); ember wraps it
        assert host_repr(ember.tensor([-1], dtype=e)) == repr(torch.tensor([-1], dtype=t)).replace('torch', 'ember')
    assert host_repr(ember.ones(2).to(e).float()) == repr(torch.ones(2).to(t).float())
    assert ember.promote_types(e, ember.float32) is ember.float32
    for other in ('int32', 'uint8', 'bool'):
        with pytest.raises(RuntimeError) as te:
            torch.promote_types(t, getattr(torch, other))
        with pytest.raises(RuntimeError, match=str(te.value).splitlines()[0]):
            ember.promote_types(e, getattr(ember, other))


def _assert_close_message(lib, *args, **kw):
    try:
        lib.testing.assert_close(*args, **kw)
    except Exception as err:               # noqa: BLE001 (the type is compared too)
        return type(err).__name__, str(err).replace('torch.', 'ember.')
    return None


def _pairs(T):
    a, b = T.tensor([1., 2., 3., 4.]), T.tensor([1., 2.5, 3., 4.1])
    return [((a, b), {}), ((T.tensor([1, 2]), T.tensor([1, 3])), {}), ((a, a.double()), {}), ((a, a[:3]), {}),
            ((T.tensor(1.), T.tensor(2.)), {}), ((T.tensor([float('nan')]), T.tensor([float('nan')])), {}),
            ((T.tensor([float('nan')]), T.tensor([float('nan')])), {'equal_nan': True}),
            ((1.0, 1.1), {}), ((a, b), {'rtol': 0.1}), ((a, b), {'atol': 1}), ((a, b), {'rtol': 0.2, 'atol': 0.2}),
            ((T.ones(2, 2), T.zeros(2, 2)), {}), ((T.ones(2, 2, dtype=T.bool), T.zeros(2, 2, dtype=T.bool)), {}),
            ((a, b), {'msg': 'hi'}), ((a, a.double()), {'check_dtype': False}), ((a, a), {}),
            ((T.tensor([float('inf')]), T.tensor([1.])), {}), (([a, a], [a, b]), {}),
            ((a.half(), (a + 1e-4).half()), {})]


@pytest.mark.parametrize('k', range(len(_pairs(torch))))
def test_assert_close(k):
    (args, kw), (eargs, ekw) = _pairs(torch)[k], _pairs(ember)[k]
    assert _assert_close_message(ember, *eargs, **ekw) == _assert_close_message(torch, *args, **kw)


def test_make_tensor():
    t = ember.testing.make_tensor(3, 4, device='cpu', dtype=ember.float32, low=-1, high=1)
    assert t.shape == (3, 4) and t.dtype == ember.float32 and bool((t >= -1).all() & (t < 1).all())
    n = ember.testing.make_tensor((2, 3), device='cpu', dtype=ember.int64, noncontiguous=True, exclude_zero=True)
    assert not n.is_contiguous() and bool((n != 0).all()) and bool((n >= -9).all() & (n < 10).all())
    b = ember.testing.make_tensor(5, device='cpu', dtype=ember.bool, requires_grad=False)
    assert b.dtype == ember.bool
    g = ember.testing.make_tensor(2, device='cpu', dtype=ember.float64, requires_grad=True)
    assert g.requires_grad and g.is_leaf


def test_ints_helper_used():
    check(lambda x: x.sum(axis=0), [ints((2, 3))], forward_only=True)
