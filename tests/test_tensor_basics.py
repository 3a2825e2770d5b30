"""Tensor basics against real PyTorch: ember.Size, shape/stride/contiguity metadata, data_ptr
and storage offsets of views, conversions to Python and NumPy (item, tolist, numpy, len,
iteration, bool/int/float/format), ember.device, requires_grad / is_leaf / grad rules,
detach() and .data, and how real ember tensors print."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ember
from compare import xfail, cases, comparers


def plain(x):
    """Results in a form both libraries' values compare by (``torch.`` read as ``ember.``)."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        x = x.detach()
        a = np.asarray((x.float() if str(x.dtype).endswith('bfloat16') else x).cpu().numpy())
        return ('tensor', str(x.dtype).replace('torch.', 'ember.'), tuple(x.shape), a.tolist())
    if isinstance(x, (torch.dtype, ember.dtype, torch.device, ember.device, torch.Size, ember.Size)):
        return type(x).__name__, repr(x).replace('torch.', 'ember.')
    if isinstance(x, str):
        return x.replace('torch.', 'ember.')
    if isinstance(x, (tuple, list)):
        return type(x).__name__, [plain(v) for v in x]
    return type(x).__name__, x


outcome, same = comparers(plain)


# ---- the CUDA pass (EMBER_TEST_DEVICE=cuda): ember's tensors live on cuda:0, torch's on the CPU.
# PyTorch's own CUDA spellings are written out from its CPU result: a tensor repr gains
# ``device='cuda:0'`` right after its data, a tensor's device reads ``device(type='cuda', index=0)``,
# and ``.numpy()`` of a CUDA tensor raises torch's TypeError below.
CUDA_NUMPY_ERROR = ('raised', 'TypeError', "can't convert cuda:0 device type tensor to numpy. "
                    'Use Tensor.cpu() to copy the tensor to host memory first.')


def on_cuda():
    return ember.get_default_device().type == 'cuda'


def skip_bf16_on_cuda(request):
    """Skip a bfloat16 case (its id names bf16/bfloat16) in the CUDA pass."""
    if on_cuda() and ('bf16' in request.node.callspec.id or 'bfloat16' in request.node.callspec.id):
        pytest.skip('bfloat16 on CUDA: CuPy has no bfloat16 dtype (a CPU-only dtype in ember)')


def _with_cuda_device(text):
    """``text`` with every ``tensor(...)`` repr in it spelled as PyTorch prints a cuda:0 tensor."""
    out, i = [], 0
    while (j := text.find('tensor(', i)) >= 0:
        k, depth = j + len('tensor('), 0
        while not (depth == 0 and text[k] in ',)'):
            depth += {'[': 1, ']': -1}.get(text[k], 0)
            k += 1
        out.append(text[i:k] + ", device='cuda:0'")
        i = k
    out.append(text[i:])
    return ''.join(out).replace("device(type='cpu')", "device(type='cuda', index=0)")


def cuda_spelling(x):
    if isinstance(x, str):
        return _with_cuda_device(x)
    if isinstance(x, (tuple, list)):
        return type(x)(cuda_spelling(v) for v in x)
    return x


def same_on_default_device(fn):
    """``same``, with torch's result spelled for the default device ember's tensors are on."""
    if not on_cuda():
        return same(fn)
    got, want = outcome(fn, ember), cuda_spelling(outcome(fn, torch))
    assert got == want, f'\nember: {got}\ntorch (cuda spelling): {want}'
    return got


# ====================================================================== ember.Size

@cases(
    repr_=lambda T: repr(T.Size([4, 3])),
    str_=lambda T: str(T.Size([4, 3])),
    empty=lambda T: repr(T.Size([])),
    empty_default=lambda T: repr(T.Size()),
    one=lambda T: repr(T.Size([1])),
    from_generator=lambda T: T.Size(x for x in [2, 3]),
    from_tensor_items=lambda T: T.Size([T.tensor(3), 2]),
    from_bools=lambda T: T.Size([True, 3]),
    slice_=lambda T: T.Size((2, 3, 4))[1:],
    reversed_slice=lambda T: T.Size([2, 3])[::-1],
    index=lambda T: T.Size((2, 3))[0],
    negative_index=lambda T: T.Size((2, 3))[-1],
    numel=lambda T: T.Size((2, 3, 4)).numel(),
    numel_empty=lambda T: T.Size([]).numel(),
    numel_zero=lambda T: T.Size([2, 0]).numel(),
    equals_tuple=lambda T: T.Size((2, 3)) == (2, 3),
    equals_list=lambda T: T.Size((2, 3)) == [2, 3],
    add_tuple=lambda T: T.Size((2, 3)) + (4,),
    radd_tuple=lambda T: (1,) + T.Size((2, 3)),
    mul=lambda T: T.Size((2, 3)) * 2,
    rmul=lambda T: 2 * T.Size((2, 3)),
    count=lambda T: T.Size((2, 3, 2)).count(2),
    index_of=lambda T: T.Size((2, 3)).index(3),
    is_tuple=lambda T: isinstance(T.Size((2, 3)), tuple),
    hash_=lambda T: hash(T.Size((2, 3))) == hash((2, 3)),
    unpack=lambda T: (lambda a, b: a * b)(*T.Size((2, 3))),
    type_repr=lambda T: repr(type(T.Size([1]))),
    negative=lambda T: T.Size([-1, 3]),
    float_item=lambda T: T.Size([2.5]),
    float_item_whole=lambda T: T.Size([2.0]),
    str_item=lambda T: T.Size(['a']),
    none_item=lambda T: T.Size([2, None]),
    float_tensor_item=lambda T: T.Size([T.tensor(2.)]),
    add_list=lambda T: T.Size([2, 3]) + [4],
    add_int=lambda T: T.Size([2, 3]) + 1,
)
def test_size(fn):
    same(fn)


def test_size_pickles_and_copies():
    s = ember.Size([4, 3])
    for t in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s), copy.copy(s)):
        assert type(t) is ember.Size and t == s


def test_tensor_class_repr():
    same(lambda T: repr(type(T.zeros(1))))


@cases(
    size=lambda T: repr(type(T.Size([1]))),
    device=lambda T: repr(type(T.device('cpu'))),
    dtype=lambda T: repr(type(T.float32)),
)
def test_class_reprs(fn):
    same(fn)


def test_tensor_shape_is_size():
    t = ember.zeros(4, 3)
    assert type(t.shape) is ember.Size and type(t.size()) is ember.Size
    assert repr(t.shape) == 'ember.Size([4, 3])'
    assert type(t.shape[1:]) is ember.Size


# ====================================================================== shape, stride, contiguity

@cases(
    shape=lambda T: T.zeros(4, 3).shape,
    size=lambda T: T.zeros(4, 3).size(),
    size_dim=lambda T: T.zeros(4, 3).size(1),
    size_negative=lambda T: T.zeros(4, 3).size(-1),
    size_0dim=lambda T: T.tensor(1.).size(),
    size_out_of_range=lambda T: T.zeros(4, 3).size(2),
    size_out_of_range_negative=lambda T: T.zeros(4, 3).size(-3),
    dims=lambda T: (T.zeros(4, 3).dim(), T.zeros(4, 3).ndim, T.zeros(4, 3).ndimension(), T.tensor(1.).dim()),
    numel=lambda T: (T.zeros(4, 3).numel(), T.zeros(4, 3).nelement(), T.tensor(1.).numel(), T.zeros(0, 5).numel()),
    numel_fn=lambda T: T.numel(T.zeros(2, 5)),
    stride=lambda T: T.zeros(4, 3).stride(),
    stride_dim=lambda T: (T.zeros(4, 3).stride(0), T.zeros(4, 3).stride(-1)),
    stride_3d=lambda T: T.zeros(2, 3, 4).stride(),
    stride_0dim=lambda T: T.tensor(1.).stride(),
    stride_out_of_range=lambda T: T.zeros(4, 3).stride(2),
    stride_transposed=lambda T: T.zeros(4, 3).t().stride(),
    stride_permuted=lambda T: T.zeros(2, 3, 4).permute(2, 0, 1).stride(),
    stride_expanded=lambda T: T.zeros(4, 1).expand(4, 3).stride(),
    stride_expanded_new_dim=lambda T: T.zeros(3).expand(2, 3).stride(),
    stride_column=lambda T: T.zeros(4, 3)[:, 1].stride(),
    stride_step=lambda T: T.zeros(4, 3)[::2].stride(),
    stride_double=lambda T: T.zeros(4, 3, dtype=T.float64).stride(),
    stride_int8=lambda T: T.zeros(4, 3, dtype=T.int8).t().stride(),
    stride_unsqueeze=lambda T: T.zeros(2, 3).unsqueeze(1).stride(),
    contiguous=lambda T: T.zeros(4, 3).is_contiguous(),
    transposed_not_contiguous=lambda T: T.zeros(4, 3).t().is_contiguous(),
    contiguous_copy=lambda T: T.zeros(4, 3).t().contiguous().is_contiguous(),
    expanded_not_contiguous=lambda T: T.zeros(3).expand(2, 3).is_contiguous(),
    column_not_contiguous=lambda T: T.zeros(4, 3)[:, 1].is_contiguous(),
    row_contiguous=lambda T: T.zeros(4, 3)[1].is_contiguous(),
    empty_contiguous=lambda T: T.zeros(0, 3).is_contiguous(),
    size1_transposed=lambda T: (T.zeros(1, 3).t().is_contiguous(), T.zeros(3, 1).t().is_contiguous()),
)
def test_metadata(fn):
    same(fn)


@cases(
    size_0dim=lambda T: T.tensor(1.).size(0),
    size_0dim_negative=lambda T: T.tensor(1.).size(-1),
    stride_0dim=lambda T: T.tensor(1.).stride(0),
)
def test_0dim_dim_errors(fn):
    same(fn)


@cases(
    rows=lambda T: T.zeros(0, 3).stride(),
    cols=lambda T: T.zeros(2, 0).stride(),
    vector=lambda T: T.zeros(0).stride(),
    middle=lambda T: T.zeros(3, 0, 2).stride(),
)
def test_empty_tensor_strides(fn):
    same(fn)


# ====================================================================== data_ptr and storage_offset

@cases(
    row_slice=lambda T: (lambda a: a[1:].data_ptr() - a.data_ptr())(T.zeros(4, 3)),
    column=lambda T: (lambda a: a[:, 1].data_ptr() - a.data_ptr())(T.zeros(4, 3, dtype=T.float64)),
    transposed=lambda T: (lambda a: a.t().data_ptr() == a.data_ptr())(T.zeros(4, 3)),
    view=lambda T: (lambda a: a.view(12).data_ptr() == a.data_ptr())(T.zeros(4, 3)),
    detach=lambda T: (lambda a: a.detach().data_ptr() == a.data_ptr())(T.zeros(4, 3, requires_grad=True)),
    clone=lambda T: (lambda a: a.clone().data_ptr() == a.data_ptr())(T.zeros(4, 3)),
    expanded=lambda T: (lambda a: a.expand(2, 3).data_ptr() == a.data_ptr())(T.zeros(3)),
    select=lambda T: (lambda a: a[2].data_ptr() - a.data_ptr())(T.zeros(4, 3, dtype=T.int16)),
    offset=lambda T: T.zeros(4, 3).storage_offset(),
    offset_rows=lambda T: T.zeros(4, 3)[1:].storage_offset(),
    offset_both=lambda T: T.zeros(4, 3)[1:, 1:].storage_offset(),
    offset_column=lambda T: T.zeros(4, 3)[:, 2].storage_offset(),
    offset_row=lambda T: T.zeros(4, 3)[1].storage_offset(),
    offset_chained=lambda T: T.zeros(4, 3)[1:][1:].storage_offset(),
    offset_view_slice=lambda T: T.zeros(4, 3).view(12)[5:].storage_offset(),
    offset_narrow=lambda T: T.zeros(10).narrow(0, 3, 4).storage_offset(),
    offset_clone=lambda T: T.zeros(4, 3)[1:].clone().storage_offset(),
)
def test_data_ptr_and_storage_offset(fn):
    same(fn)


def test_views_share_memory():
    a = ember.zeros(4, 3)
    v = a[1:, 1:]
    v[0, 0] = 5
    assert a[1, 1].item() == 5
    assert v.data_ptr() == a.data_ptr() + v.storage_offset() * a.element_size()


# ====================================================================== Python conversions

@cases(
    item_float=lambda T: T.tensor([2.5]).item(),
    item_0dim=lambda T: T.tensor(2.5).item(),
    item_nested=lambda T: T.tensor([[3]]).item(),
    item_bool=lambda T: T.tensor(True).item(),
    item_int8=lambda T: T.tensor(2, dtype=T.int8).item(),
    item_half=lambda T: T.tensor(2.5, dtype=T.float16).item(),
    item_bf16=lambda T: T.tensor(2.5, dtype=T.bfloat16).item(),
    item_uint8=lambda T: T.tensor(200, dtype=T.uint8).item(),
    item_float32_rounding=lambda T: T.tensor(0.1).item(),
    item_many=lambda T: T.tensor([1., 2.]).item(),
    item_none=lambda T: T.tensor([]).item(),
    tolist=lambda T: T.tensor([[1, 2], [3, 4]]).tolist(),
    tolist_0dim=lambda T: T.tensor(3.5).tolist(),
    tolist_bool=lambda T: T.tensor([True, False]).tolist(),
    tolist_bf16=lambda T: T.tensor([1.5], dtype=T.bfloat16).tolist(),
    tolist_half=lambda T: T.tensor([1.5], dtype=T.float16).tolist(),
    tolist_uint8_type=lambda T: type(T.tensor([1], dtype=T.uint8).tolist()[0]).__name__,
    tolist_empty=lambda T: T.zeros(2, 0).tolist(),
    tolist_requires_grad=lambda T: T.tensor([1., 2.], requires_grad=True).tolist(),
)
def test_item_and_tolist(fn, request):
    skip_bf16_on_cuda(request)
    same(fn)


@cases(
    len_=lambda T: len(T.zeros(4, 3)),
    len_empty=lambda T: len(T.zeros(0)),
    len_0dim=lambda T: len(T.tensor(1.)),
    iterate=lambda T: list(T.tensor([1, 2])),
    iterate_rows=lambda T: [x.shape for x in T.zeros(2, 3)],
    iterate_0dim=lambda T: iter(T.tensor(1.)),
    iterate_empty=lambda T: list(iter(T.zeros(0, 2))),
    unpack=lambda T: (lambda a, b: (a, b))(*T.tensor([1., 2.])),
    in_=lambda T: (2 in T.tensor([1, 2]), 5 in T.tensor([1, 2])),
)
def test_len_and_iteration(fn):
    same(fn)


@cases(
    one=lambda T: bool(T.tensor([1])),
    zero=lambda T: bool(T.tensor([0.])),
    scalar=lambda T: bool(T.tensor(0.5)),
    nested=lambda T: bool(T.tensor([[True]])),
    nan=lambda T: bool(T.tensor(float('nan'))),
    if_=lambda T: 'yes' if T.tensor(2) else 'no',
    not_=lambda T: not T.tensor(0),
    empty=lambda T: bool(T.tensor([])),
    many=lambda T: bool(T.tensor([1, 2])),
    if_many=lambda T: 'yes' if T.tensor([1., 0.]) > 0 else 'no',
    and_=lambda T: T.tensor([1, 2]) and 1,
)
def test_bool(fn):
    same(fn)


@cases(
    int_=lambda T: int(T.tensor(2.7)),
    int_negative=lambda T: int(T.tensor(-2.7)),
    int_one_element=lambda T: int(T.tensor([3])),
    int_bool=lambda T: int(T.tensor(True)),
    float_=lambda T: float(T.tensor(2)),
    float_bool=lambda T: float(T.tensor(True)),
    float_half=lambda T: float(T.tensor(0.1, dtype=T.float16)),
    complex_=lambda T: complex(T.tensor(2.)),
    format_spec=lambda T: format(T.tensor(3.14159), '.2f'),
    format_int=lambda T: format(T.tensor(3), '05d'),
    format_empty_spec=lambda T: format(T.tensor(3.14159)),
    format_1d=lambda T: format(T.tensor([1., 2.]), ''),
    fstring=lambda T: f'{T.tensor(2.5)} and {T.tensor([1, 2])}',
    str_format=lambda T: '{:.3f}'.format(T.tensor(2.0 / 3)),
    index=lambda T: [10, 20, 30][T.tensor(1)],
    index_one_element=lambda T: [10, 20, 30][T.tensor([1])],
    index_float=lambda T: [10, 20, 30][T.tensor(1.)],
    index_many=lambda T: [10, 20, 30][T.tensor([1, 2])],
    range_index=lambda T: range(10)[T.tensor(3)],
)
def test_number_conversions(fn):
    same_on_default_device(fn)


@cases(
    int_=lambda T: int(T.tensor([1, 2])),
    float_=lambda T: float(T.tensor([1, 2])),
)
def test_number_conversion_of_many_elements(fn):
    same(fn)


def test_format_spec_on_vector():
    same(lambda T: format(T.tensor([3.14159]), '.2f'))


# ====================================================================== NumPy interop

@pytest.mark.cpu_only      # .numpy() of a CUDA tensor raises; host memory sharing is a CPU fact
def test_numpy_shares_memory():
    t = ember.tensor([1., 2., 3.])
    a = t.numpy()
    a[0] = 10
    t[1] = 20
    assert t.tolist() == [10., 20., 3.] and a.tolist() == [10., 20., 3.]
    assert np.shares_memory(t.numpy(), a)


@pytest.mark.cpu_only      # .numpy() of a CUDA tensor raises; host memory sharing is a CPU fact
def test_numpy_of_view_shares_memory():
    t = ember.zeros(3, 4)
    a = t.t().numpy()
    a[0, 1] = 7
    assert t[1, 0].item() == 7 and a.shape == (4, 3)


@cases(
    dtype=lambda T: T.tensor([1., 2.]).numpy().dtype.name,
    dtype_int=lambda T: T.tensor([1, 2], dtype=T.int16).numpy().dtype.name,
    dtype_bool=lambda T: T.tensor([True]).numpy().dtype.name,
    requires_grad=lambda T: T.tensor([1., 2.], requires_grad=True).numpy(),
    non_leaf=lambda T: (T.tensor([1., 2.], requires_grad=True) * 2).numpy(),
    detached=lambda T: T.tensor([1., 2.], requires_grad=True).detach().numpy().tolist(),
    force=lambda T: T.tensor([1., 2.], requires_grad=True).numpy(force=True).tolist(),
    asarray=lambda T: np.asarray(T.tensor([1, 2])).dtype.name,
    asarray_0dim=lambda T: np.asarray(T.tensor(3.5)).tolist(),
    array_dtype=lambda T: np.array(T.tensor([1., 2.]), dtype=np.float64).dtype.name,
    asarray_shares=lambda T: (lambda t: np.shares_memory(np.asarray(t), t.numpy()))(T.tensor([1., 2.])),
    ufunc=lambda T: np.exp(T.tensor([0., 1.]).numpy()).tolist(),
)
def test_numpy(fn, request):
    if on_cuda() and request.node.callspec.id != 'force':
        # torch checks the device before requires_grad: on cuda every case raises the device error
        assert outcome(fn, ember) == CUDA_NUMPY_ERROR
    else:
        same(fn)


def test_asarray_of_tensor_requiring_grad():
    fn = lambda T: np.asarray(T.tensor([1., 2.], requires_grad=True))  # noqa: E731
    if on_cuda():
        assert outcome(fn, ember) == CUDA_NUMPY_ERROR
    else:
        same(fn)


# ====================================================================== ember.device

@cases(
    cpu=lambda T: T.device('cpu'),
    str_=lambda T: str(T.device('cpu')),
    cuda_index=lambda T: T.device('cuda:1'),
    cuda_two_args=lambda T: T.device('cuda', 0),
    cuda=lambda T: T.device('cuda'),
    str_index=lambda T: str(T.device('cuda', 2)),
    meta=lambda T: (T.device('meta'), str(T.device('meta'))),
    cpu_index=lambda T: T.device('cpu', 0),
    keywords=lambda T: T.device(type='cuda', index=2),
    index_none=lambda T: T.device('cuda', None),
    copy=lambda T: T.device(T.device('cpu')),
    fields=lambda T: (T.device('cpu').type, T.device('cpu').index, T.device('cuda:1').index),
    equal=lambda T: (T.device('cpu') == T.device('cpu'), T.device('cuda:0') == T.device('cuda'),
                     T.device('cuda:0') == T.device('cuda:0'), T.device('cpu') == T.device('cpu', 0)),
    equal_string=lambda T: (T.device('cpu') == 'cpu', T.device('cpu') != 'cpu'),
    hash_=lambda T: {T.device('cpu'): 1}[T.device('cpu')],
    type_repr=lambda T: repr(type(T.device('cpu'))),
    bad_type=lambda T: T.device('tpu'),
    uppercase=lambda T: T.device('CPU'),
    empty=lambda T: T.device(''),
    bad_index=lambda T: T.device('cuda:x'),
    leading_zero=lambda T: T.device('cuda:01'),
    no_index=lambda T: T.device('cuda:'),
    trailing_space=lambda T: T.device('cuda:0 '),
    negative_string=lambda T: T.device('cuda:-1'),
    negative_index=lambda T: T.device('cuda', -1),
    two_indices=lambda T: T.device('cuda:0', 1),
    two_colons=lambda T: T.device('cuda:1:2'),
    float_index=lambda T: T.device('cpu', 1.5),
    bool_index=lambda T: T.device('cuda', True),
    str_index_arg=lambda T: T.device('cuda', 'a'),
    none=lambda T: T.device(None),
    float_=lambda T: T.device(2.5),
)
def test_device(fn):
    same(fn)


def test_device_pickles():
    for d in (ember.device('cpu'), ember.device('cuda:1')):
        assert pickle.loads(pickle.dumps(d)) == d


@cases(
    device=lambda T: T.zeros(2).device,
    flags=lambda T: (T.zeros(2).is_cuda, T.zeros(2).is_cpu, T.zeros(2).get_device()),
    given=lambda T: T.zeros(2, device=T.device('cpu')).device,
    given_str=lambda T: T.tensor([1.], device='cpu').device,
    given_index=lambda T: T.zeros(2, device='cpu:0').device,
    view=lambda T: T.zeros(2, 3).t().device,
)
def test_tensor_device(fn, request):
    case = request.node.callspec.id
    if on_cuda() and case == 'flags':
        assert outcome(fn, ember) == ('ok', ('tuple', [('bool', True), ('bool', False), ('int', 0)]))
    elif case in ('device', 'view'):
        same_on_default_device(fn)
    else:
        same(fn)


# ====================================================================== requires_grad, is_leaf, grad

@cases(
    leaf=lambda T: (T.tensor([1., 2.]).is_leaf, T.tensor([1., 2.], requires_grad=True).is_leaf),
    non_leaf=lambda T: ((T.tensor([1., 2.], requires_grad=True) * 2).is_leaf,
                        (T.tensor([1., 2.]) * 2).is_leaf),
    propagates=lambda T: ((T.tensor([1., 2.], requires_grad=True) * 2).requires_grad,
                          (T.tensor([1., 2.]) * T.tensor([1., 2.], requires_grad=True)).requires_grad),
    detached_leaf=lambda T: (T.tensor([1., 2.], requires_grad=True) * 2).detach().is_leaf,
    requires_grad_=lambda T: (T.tensor([1., 2.]).requires_grad_().requires_grad,
                              T.tensor([1., 2.]).requires_grad_(False).requires_grad),
    returns_self=lambda T: (lambda t: t.requires_grad_() is t)(T.tensor([1.])),
    setter=lambda T: (lambda t: setattr(t, 'requires_grad', True) or t.requires_grad)(T.tensor([1., 2.])),
    half=lambda T: T.tensor([1., 2.], dtype=T.float16).requires_grad_().requires_grad,
    bf16=lambda T: T.tensor([1., 2.], dtype=T.bfloat16).requires_grad_().requires_grad,
    non_leaf_true=lambda T: (T.tensor([1., 2.], requires_grad=True) * 2).requires_grad_(True).requires_grad,
    non_leaf_false=lambda T: (T.tensor([1., 2.], requires_grad=True) * 2).requires_grad_(False),
    int_=lambda T: T.tensor([1, 2]).requires_grad_(),
    int_false=lambda T: T.tensor([1, 2]).requires_grad_(False).requires_grad,
    bool_=lambda T: T.tensor([True]).requires_grad_(),
    uint8=lambda T: T.tensor([1], dtype=T.uint8).requires_grad_(),
    under_no_grad=lambda T: (lambda x: [(x * 2).requires_grad for _ in [T.no_grad().__enter__()]][0])(
        T.tensor([1.], requires_grad=True)),
)
def test_requires_grad(fn, request):
    skip_bf16_on_cuda(request)
    try:
        same(fn)
    finally:
        torch.set_grad_enabled(True)
        ember.set_grad_enabled(True)


def test_requires_grad_error_message():
    with pytest.raises(RuntimeError, match='^only Tensors of floating point dtype can require gradients$'):
        ember.tensor([1, 2]).requires_grad_()


def test_requires_grad_setter_error_message():
    same(lambda T: setattr(T.tensor([1, 2]), 'requires_grad', True))


@cases(
    unset=lambda T: T.tensor([1., 2.], requires_grad=True).grad,
    set_=lambda T: (lambda t: (setattr(t, 'grad', T.ones(2)), t.grad)[1])(T.tensor([1., 2.], requires_grad=True)),
    set_none=lambda T: (lambda t: (setattr(t, 'grad', T.ones(2)), setattr(t, 'grad', None), t.grad)[2])(
        T.tensor([1., 2.], requires_grad=True)),
    delete=lambda T: (lambda t: (setattr(t, 'grad', T.ones(2)), t.__delattr__('grad'), t.grad)[2])(
        T.tensor([1., 2.], requires_grad=True)),
    no_requires_grad=lambda T: (lambda t: (setattr(t, 'grad', T.ones(2)), t.grad)[1])(T.tensor([1., 2.])),
    wrong_size=lambda T: setattr(T.tensor([1., 2.], requires_grad=True), 'grad', T.zeros(3)),
    wrong_shape=lambda T: setattr(T.tensor([1., 2.], requires_grad=True), 'grad', T.ones(2, 1)),
    wrong_0dim=lambda T: setattr(T.tensor(1., requires_grad=True), 'grad', T.ones(1)),
    not_a_tensor=lambda T: setattr(T.tensor([1., 2.], requires_grad=True), 'grad', [1., 2.]),
)
def test_grad_setter(fn):
    same(fn)


def _grad_dtype_case(name):
    return pytest.param(name, id=name)


@pytest.mark.parametrize('name', [_grad_dtype_case(n) for n in ['float64', 'float16', 'bfloat16', 'int64', 'int32',
                                                                 'int16', 'int8', 'uint8', 'bool']])
def test_grad_setter_dtype_error(name, request):
    skip_bf16_on_cuda(request)
    same(lambda T: setattr(T.tensor([1., 2.], requires_grad=True), 'grad', T.ones(2, dtype=getattr(T, name))))


def test_grad_setter_dtype_error_on_double():
    same(lambda T: setattr(T.tensor([1., 2.], dtype=T.float64, requires_grad=True), 'grad', T.ones(2)))


# ====================================================================== detach() and .data

@cases(
    detach_fields=lambda T: (lambda d: (d.requires_grad, d.is_leaf, d.grad_fn, d._version))(
        T.tensor([1., 2.], requires_grad=True).detach()),
    detach_shares_data=lambda T: (lambda t: (t.detach().__setitem__(0, 5.), t.tolist(), t._version))(
        T.tensor([1., 2.], requires_grad=True)),
    detach_shares_version=lambda T: (lambda t: (lambda d: (d.add_(1), t._version, d._version))(t.detach()))(
        T.tensor([1., 2.])),
    detach_sees_later_versions=lambda T: (lambda t: (lambda d: (t.add_(1), d._version))(t.detach()))(
        T.tensor([1., 2.])),
    detach_of_non_leaf=lambda T: (lambda y: (y.detach().is_leaf, y.detach().requires_grad))(
        T.tensor([1., 2.], requires_grad=True) * 2),
    data_fields=lambda T: (lambda t: (t.data.requires_grad, t.data.is_leaf, t.data._version))(
        T.tensor([1., 2.], requires_grad=True)),
    data_shares_values=lambda T: (lambda t: (t.data.__setitem__(0, 7.), t.tolist(), t._version))(
        T.tensor([1., 2.], requires_grad=True)),
    data_own_version=lambda T: (lambda t: (t.data.add_(1), t._version, t.tolist()))(
        T.tensor([1., 2.], requires_grad=True)),
    data_starts_at_zero=lambda T: (lambda t: (t.add_(1), t.data._version))(T.tensor([1., 2.])),
    data_setter=lambda T: (lambda t: (setattr(t, 'data', T.zeros(3)), t.shape, t.requires_grad, t._version))(
        T.tensor([1., 2.], requires_grad=True)),
    data_setter_dtype=lambda T: (lambda t: (setattr(t, 'data', T.zeros(3, dtype=T.float64)), t.dtype))(
        T.tensor([1., 2.], requires_grad=True)),
    detach_=lambda T: (lambda t: (t.detach_(), t.requires_grad, t.is_leaf, t.grad_fn))(
        T.tensor([1., 2.], requires_grad=True) * 2),
    version=lambda T: T.tensor([1., 2.])._version,
    version_counts=lambda T: (lambda t: (t.add_(1), t.mul_(2), t._version))(T.tensor([1., 2.])),
    version_shared_by_views=lambda T: (lambda t: (t[0].add_(1), t._version, t[1]._version))(T.tensor([1., 2.])),
    version_through_view=lambda T: (lambda t: (t.view(2, 1).add_(1), t._version))(T.zeros(2)),
    version_not_shared_by_clone=lambda T: (lambda t: (t.clone().add_(1), t._version))(T.zeros(2)),
)
def test_detach_and_data(fn):
    same(fn)


def test_data_setter_error():
    same(lambda T: setattr(T.tensor([1., 2.]), 'data', [1.]))


def test_detach_is_caught_by_autograd_after_inplace():
    """A detached alias shares the version counter, so a write through it invalidates saved tensors."""
    def case(T):
        x = T.tensor([1., 2.], requires_grad=True)
        y = x.exp()
        y.detach().zero_()
        y.sum().backward()
    same(case)


def test_data_is_not_caught_by_autograd():
    """.data has its own version counter: writes through it are invisible to autograd (as in torch)."""
    def case(T):
        x = T.tensor([1., 2.], requires_grad=True)
        y = x.exp()
        y.data.zero_()
        y.sum().backward()
        return x.grad
    same(case)


# ====================================================================== printing real tensors

@cases(
    float_=lambda T: repr(T.tensor([1., 2.5])),
    double=lambda T: repr(T.tensor([1., 2.], dtype=T.float64)),
    half=lambda T: repr(T.tensor([1.5, 2.], dtype=T.float16)),
    bf16=lambda T: repr(T.tensor([1.5, 2.], dtype=T.bfloat16)),
    int_=lambda T: repr(T.tensor([1, 2])),
    int32=lambda T: repr(T.tensor([1, 2], dtype=T.int32)),
    uint8_transposed=lambda T: repr(T.tensor([[1, 2], [3, 4]], dtype=T.uint8).t()),
    bool_=lambda T: repr(T.tensor([True, False])),
    requires_grad=lambda T: repr(T.tensor([1., 2.], requires_grad=True)),
    requires_grad_2d=lambda T: repr(T.tensor([[1., 2.], [3., 4.]], requires_grad=True)),
    requires_grad_double=lambda T: repr(T.ones(2, 2, dtype=T.float64, requires_grad=True)),
    mul_backward=lambda T: repr(T.tensor([1., 2.], requires_grad=True) * 2),
    add_backward=lambda T: repr(T.tensor([1., 2.], requires_grad=True) + 2),
    sum_backward=lambda T: repr((T.tensor([1., 2.], requires_grad=True) * 2).sum()),
    mean_backward=lambda T: repr(T.tensor([1., 2.], requires_grad=True).mean()),
    select_backward=lambda T: repr(T.tensor([1., 2.], requires_grad=True)[0]),
    detached=lambda T: repr(T.tensor([1., 2.], requires_grad=True).detach()),
    scalar=lambda T: repr(T.tensor(3.5)),
    scalar_int=lambda T: repr(T.tensor(3)),
    scalar_int8=lambda T: repr(T.tensor(3, dtype=T.int8)),
    scalar_requires_grad=lambda T: repr(T.tensor(2.5, requires_grad=True)),
    empty=lambda T: repr(T.tensor([])),
    empty_int=lambda T: repr(T.zeros(0, dtype=T.int64)),
    empty_2d=lambda T: repr(T.zeros(2, 0)),
    empty_2d_double=lambda T: repr(T.zeros(2, 0, dtype=T.float64)),
    scientific=lambda T: repr(T.tensor([1e-5, 1e5])),
    summarized=lambda T: repr(T.arange(2000.)),
    str_=lambda T: str(T.tensor([1., 2.])),
    print_in_list=lambda T: repr([T.tensor(1.), T.tensor([2])]),
    size=lambda T: repr(T.tensor([1., 2.]).shape),
    dtype=lambda T: repr(T.tensor([1., 2.]).dtype),
    device=lambda T: repr(T.zeros(2).device),
)
def test_printing(fn, request):
    skip_bf16_on_cuda(request)
    same_on_default_device(fn)


def test_deepcopy_and_pickle_give_leaves():
    import copy
    import pickle
    t = ember.tensor([1., 2.], requires_grad=True)
    for c in (copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert c.is_leaf and c.requires_grad and c.tolist() == [1., 2.]
        assert c.data_ptr() != t.data_ptr()
    m = copy.deepcopy(ember.nn.Linear(2, 2))
    assert type(m.weight).__name__ == 'Parameter' and m.weight.is_leaf and m.weight.requires_grad


def test_float_of_requires_grad_tensor_warns_once(monkeypatch):
    """float(t) of a tensor that requires grad warns once per process (PyTorch's TORCH_WARN_ONCE);
    int(), .item() and tensors without grad do not. torch's own once-flag may be spent by earlier
    tests, so its message is read in a fresh interpreter."""
    import subprocess
    import sys
    import warnings
    from ember import _tensor_python
    code = ('import warnings, torch\nwith warnings.catch_warnings(record=True) as w:\n'
            '    warnings.simplefilter("always"); float(torch.ones((), requires_grad=True))\n'
            'print(str(w[0].message).split(" (Triggered")[0])')
    torch_msg = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True).stdout.strip()
    monkeypatch.setitem(_tensor_python._warned, 'float', False)
    x = ember.ones((), requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        int(x), x.item(), float(ember.ones(()))
        with ember.no_grad():
            float(x)                                   # no warning with grad mode off (LBFGS)
        assert not w
        assert float(x) == 1.0 and float(x * 2) == 2.0
    assert [str(m.message) for m in w] == [torch_msg]
    assert w[0].category is UserWarning
