"""Shape ops, views, joins, matmul and indexing against PyTorch.

Forward values, dtype, grad_fn name, view-ness/strides/storage offset, backward grads,
gradcheck/gradgradcheck in float64; writes through views; errors (type and message)."""
import numpy as np
import pytest

from helpers import check, check_error, arr, ints, bools, case, xfail

F32, F64 = np.float32, np.float64


def seq(*shape, dtype=F32):
    return np.arange(int(np.prod(shape)), dtype=dtype).reshape(shape)


# reasons for the ember bugs in files the lead owns (strict xfails: they flip when fixed)
RESHAPE_ALIAS = ('lead (ops/shape.py): reshape of a non-contiguous tensor that can be viewed gives '
                 'ReshapeAliasBackward0 in PyTorch, ember says ViewBackward0')
ALIAS = ('lead (ops/index.py): x[:, :] (all keys full slices, more than one) gives AliasBackward0 in '
         'PyTorch (x[:] alone gives SliceBackward0)')
ADV_STRIDES = ('lead (ops/index.py): advanced-index results are C-contiguous in PyTorch; NumPy returns '
               'other strides when the index is not on the first dim (view() then behaves differently)')




# ------------------------------------------------------------------ view / reshape

VIEW = [
    case('view', lambda x: x.view(4, 3), [(3, 4)]),
    case('view-tuple', lambda x: x.view((2, 6)), [(3, 4)]),
    case('view-infer', lambda x: x.view(-1), [(3, 4)]),
    case('view-infer-mid', lambda x: x.view(2, -1, 2), [(3, 4)]),
    case('view-0d', lambda x: x.view(1, 1), [()]),
    case('view-to-0d', lambda x: x.view(()), [(1,)]),
    case('view-size', lambda x: x.view(x.size()), [(3, 4)]),
    case('view_as', lambda x, y: x.view_as(y), [(3, 4), (12,)], requires_grad=[True, False]),
    case('view-of-view', lambda x: x.view(12).view(2, 6)[1], [(3, 4)]),
    case('view-transposed-compatible', lambda x: x.t().view(4, 3, 1), [(3, 4)]),
    case('view-int', lambda x: x.view(-1), [ints((2, 3))], forward_only=True),
    case('reshape', lambda x: x.reshape(4, 3), [(3, 4)]),
    case('reshape-fn', lambda T, x: T.reshape(x, (2, 6)), [(3, 4)]),
    case('reshape-infer', lambda x: x.reshape(-1, 2), [(3, 4)]),
    case('reshape-transposed-copies', lambda x: x.t().reshape(12), [(3, 4)]),
    case('reshape-permuted-copies', lambda x: x.permute(1, 2, 0).reshape(3, 8), [(2, 3, 4)]),
    case('reshape-permuted-viewable', lambda x: x.permute(2, 0, 1).reshape(4, 6), [(2, 3, 4)]),
    case('reshape-slice-view', lambda x: x[:, :2].reshape(3, 1, 2), [(3, 4)]),
    case('reshape_as', lambda x, y: x.reshape_as(y), [(3, 4), (6, 2)], requires_grad=[True, False]),
    case('reshape-0d', lambda x: x.reshape(-1), [()]),
    case('reshape-empty', lambda x: x.reshape(0, 5), [np.zeros((5, 0), F32)], gradcheck=False),
    case('flatten', lambda x: x.flatten(), [(2, 3, 4)]),
    case('flatten-fn', lambda T, x: T.flatten(x, 1), [(2, 3, 4)]),
    case('flatten-range', lambda x: x.flatten(0, 1), [(2, 3, 4)]),
    case('flatten-same', lambda x: x.flatten(1, 1), [(2, 3, 4)]),
    case('flatten-0d', lambda x: x.flatten(), [()]),
    case('flatten-transposed', lambda x: x.transpose(0, 2).flatten(1), [(2, 3, 4)]),
    case('unflatten', lambda x: x.unflatten(1, (2, 2)), [(3, 4)]),
    case('unflatten-infer', lambda x: x.unflatten(-1, (-1, 2)), [(3, 4)]),
    case('unflatten-fn', lambda T, x: T.unflatten(x, 0, (3, 1)), [(3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', VIEW)
def test_view_reshape(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ transpose / permute / expand / squeeze

TRANSPOSE = [
    case('transpose', lambda x: x.transpose(0, 1), [(3, 4)]),
    case('transpose-neg', lambda x: x.transpose(-1, 0), [(2, 3, 4)]),
    case('transpose-fn', lambda T, x: T.transpose(x, 1, 2), [(2, 3, 4)]),
    case('transpose-same', lambda x: x.transpose(1, 1), [(2, 3)]),
    case('swapaxes', lambda x: x.swapaxes(0, 1), [(2, 3)]),
    case('swapdims', lambda T, x: T.swapdims(x, 0, 1), [(2, 3)]),
    case('t', lambda x: x.t(), [(3, 4)]),
    case('t-fn', lambda T, x: T.t(x), [(3, 4)]),
    case('t-1d', lambda x: x.t(), [(3,)]),
    case('t-0d', lambda x: x.t(), [()]),
    case('T', lambda x: x.T, [(3, 4)]),
    case('mT', lambda x: x.mT, [(2, 3, 4)]),
    case('mT-2d', lambda x: x.mT, [(3, 4)]),
    case('permute', lambda x: x.permute(2, 0, 1), [(2, 3, 4)]),
    case('permute-tuple', lambda x: x.permute((1, 0, 2)), [(2, 3, 4)]),
    case('permute-neg', lambda x: x.permute(-1, -3, -2), [(2, 3, 4)]),
    case('permute-fn', lambda T, x: T.permute(x, (1, 0)), [(2, 3)]),
    case('transpose-contiguous', lambda x: x.t().contiguous(), [(3, 4)]),
    case('contiguous-noop', lambda x: x.contiguous(), [(3, 4)]),
    case('expand', lambda x: x.expand(3, 4), [(1, 4)]),
    case('expand-new-dims', lambda x: x.expand(2, 3, 4), [(4,)]),
    case('expand-minus-one', lambda x: x.expand(2, -1, 4), [(3, 1)]),
    case('expand-tuple', lambda x: x.expand((2, 3)), [(3,)]),
    case('expand-0d', lambda x: x.expand(2, 2), [()]),
    case('expand_as', lambda x, y: x.expand_as(y), [(3, 1), (3, 4)], requires_grad=[True, False]),
    case('expand-then-contiguous', lambda x: x.expand(2, 3).contiguous(), [(3,)]),
    case('squeeze', lambda x: x.squeeze(), [(1, 3, 1, 2)]),
    case('squeeze-dim', lambda x: x.squeeze(0), [(1, 3, 1, 2)]),
    case('squeeze-dim-noop', lambda x: x.squeeze(1), [(1, 3, 1, 2)]),
    case('squeeze-neg-dim', lambda x: x.squeeze(-2), [(1, 3, 1, 2)]),
    case('squeeze-tuple', lambda x: x.squeeze((0, 2)), [(1, 3, 1, 2)]),
    case('squeeze-tuple-partial', lambda x: x.squeeze((1, 2)), [(1, 3, 1, 2)]),
    case('squeeze-fn', lambda T, x: T.squeeze(x, 2), [(1, 3, 1, 2)]),
    case('squeeze-0d', lambda x: x.squeeze(), [()]),
    case('squeeze-all-ones', lambda x: x.squeeze(), [(1, 1)]),
    case('unsqueeze', lambda x: x.unsqueeze(0), [(3, 4)]),
    case('unsqueeze-end', lambda x: x.unsqueeze(2), [(3, 4)]),
    case('unsqueeze-neg', lambda x: x.unsqueeze(-1), [(3, 4)]),
    case('unsqueeze-fn', lambda T, x: T.unsqueeze(x, 1), [(3, 4)]),
    case('unsqueeze-0d', lambda x: x.unsqueeze(0), [()]),
    case('unsqueeze-chain', lambda x: x.unsqueeze(0).unsqueeze(-1).squeeze(0), [(3,)]),
]


@pytest.mark.parametrize('fn,specs,kw', TRANSPOSE)
def test_transpose_expand_squeeze(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ narrow / select / diagonal / split

SLICING = [
    case('narrow', lambda x: x.narrow(1, 1, 2), [(3, 4)]),
    case('narrow-fn', lambda T, x: T.narrow(x, 0, 0, 2), [(3, 4)]),
    case('narrow-neg-start', lambda x: x.narrow(1, -2, 2), [(3, 4)]),
    case('narrow-empty', lambda x: x.narrow(0, 3, 0), [(3, 4)], gradcheck=False),
    case('narrow-empty-no-layout', lambda x: x.narrow(0, 3, 0), [(3, 4)], gradcheck=False, layout=False),
    case('select', lambda x: x.select(0, 1), [(3, 4)]),
    case('select-neg', lambda x: x.select(-1, -1), [(3, 4)]),
    case('select-fn', lambda T, x: T.select(x, 1, 2), [(3, 4)]),
    case('select-1d', lambda x: x.select(0, 2), [(3,)]),
    case('diagonal', lambda x: x.diagonal(), [(3, 4)]),
    case('diagonal-offset', lambda x: x.diagonal(1), [(3, 4)]),
    case('diagonal-neg-offset', lambda x: x.diagonal(-1), [(3, 4)]),
    case('diagonal-big-offset', lambda x: x.diagonal(5), [(3, 4)], gradcheck=False),
    case('diagonal-dims', lambda x: x.diagonal(0, 1, 2), [(2, 3, 3)]),
    case('diagonal-dims-swapped', lambda x: x.diagonal(1, 2, 0), [(3, 2, 4)]),
    case('diagonal-fn', lambda T, x: T.diagonal(x, offset=-1, dim1=0, dim2=1), [(4, 4)]),
    case('unbind', lambda x: x.unbind(), [(3, 4)]),
    case('unbind-dim', lambda x: x.unbind(1), [(3, 4)]),
    case('unbind-fn', lambda T, x: T.unbind(x, -1), [(2, 3)]),
    case('unbind-partial-grad', lambda x: x.unbind(0)[1], [(3, 4)]),
    case('split-int', lambda x: x.split(2), [(5, 3)]),
    case('split-int-dim', lambda x: x.split(2, dim=1), [(3, 5)]),
    case('split-sizes', lambda x: x.split([1, 3, 1]), [(5, 2)]),
    case('split-sizes-dim', lambda T, x: T.split(x, [2, 2], 1), [(2, 4)]),
    case('split-fn', lambda T, x: T.split(x, 3), [(7,)]),
    case('split-bigger', lambda x: x.split(10), [(3, 2)]),
    case('split-partial-grad', lambda x: x.split(2)[0], [(5, 3)]),
    case('chunk', lambda x: x.chunk(2), [(5, 3)]),
    case('chunk-dim', lambda x: x.chunk(3, 1), [(2, 6)]),
    case('chunk-uneven', lambda T, x: T.chunk(x, 4), [(6,)]),
    case('chunk-more-than-size', lambda x: x.chunk(5), [(3,)]),
    case('chunk-empty-dim', lambda x: x.chunk(3, 1), [np.zeros((2, 0), F32)], gradcheck=False),
    case('split-empty-dim', lambda x: x.split(2, 1), [np.zeros((2, 0), F32)], gradcheck=False),
    case('unbind-empty', lambda x: x.unbind(1), [np.zeros((2, 0), F32)], gradcheck=False),
    case('iter', lambda x: list(x), [(3, 2)]),
]


@pytest.mark.parametrize('fn,specs,kw', SLICING)
def test_slicing(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ cat / stack

JOIN = [
    case('cat', lambda T, x, y: T.cat([x, y]), [(2, 3), (1, 3)]),
    case('cat-dim1', lambda T, x, y: T.cat([x, y], 1), [(2, 3), (2, 1)]),
    case('cat-neg-dim', lambda T, x, y: T.cat((x, y), dim=-1), [(2, 3), (2, 2)]),
    case('cat-three', lambda T, x, y, z: T.cat([x, y, z]), [(1, 2), (2, 2), (3, 2)]),
    case('cat-one', lambda T, x: T.cat([x]), [(2, 3)]),
    case('cat-same-tensor', lambda T, x: T.cat([x, x, x], 1), [(2, 1)]),
    case('concat', lambda T, x, y: T.concat([x, y]), [(2,), (3,)]),
    case('concatenate', lambda T, x, y: T.concatenate([x, y], 0), [(2,), (3,)]),
    case('cat-promote-int-float', lambda T, x, y: T.cat([x, y]), [ints((2,)), (3,)],
         requires_grad=[False, True]),
    case('cat-promote-f32-f64', lambda T, x, y: T.cat([x, y]), [(2,), np.ones(3)]),
    case('cat-promote-bool-int', lambda T, x, y: T.cat([x, y]), [bools((2,)), ints((2,), dtype=np.int32)]),
    case('cat-legacy-empty', lambda T, x, y: T.cat([x, y]), [(2, 3), np.zeros((0,), F32)]),
    case('cat-no-grad-part', lambda T, x, y: T.cat([x, y]), [(2,), (3,)], requires_grad=[False, True]),
    case('cat-bool', lambda T, x, y: T.cat([x, y], 1), [bools((2, 2)), bools((2, 1))]),
    case('cat-out', lambda T, x, y: T.cat([x, y], out=T.empty(0)), [(2,), (3,)], forward_only=True),
    case('stack-out', lambda T, x, y: T.stack([x, y], out=T.empty(0)), [(2,), (2,)], forward_only=True),
    case('stack-int-last', lambda T, x, y: T.stack([x, y], -1), [ints((2, 3)), ints((2, 3), seed=1)]),
    case('stack', lambda T, x, y: T.stack([x, y]), [(2, 3), (2, 3)]),
    case('stack-dim1', lambda T, x, y: T.stack([x, y], 1), [(2, 3), (2, 3)]),
    case('stack-last', lambda T, x, y: T.stack((x, y), dim=-1), [(2, 3), (2, 3)]),
    case('stack-0d', lambda T, x, y: T.stack([x, y]), [(), ()]),
    case('stack-0d-promote', lambda T, x, y: T.stack([x, y]), [ints(()), ()], requires_grad=[False, True]),
    case('stack-0d-bool-int', lambda T, x, y: T.stack([x, y]), [np.array(True), ints(())]),
    case('stack-noncontiguous', lambda T, x, y: T.stack([x.t(), y[:, ::2]]), [(3, 2), (2, 6)]),
    case('stack-empty-tensors', lambda T, x, y: T.stack([x, y]), [(0, 3), (0, 3)]),
    case('stack-promote', lambda T, x, y: T.stack([x, y]), [ints((3,)), (3,)], requires_grad=[False, True]),
    case('stack-f16-f32', lambda T, x, y: T.stack([x, y]), [np.ones(3, np.float16), (3,)],
         requires_grad=[False, True]),
]


@pytest.mark.parametrize('fn,specs,kw', JOIN)
def test_cat_stack(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ clone / to

CONVERT = [
    case('clone', lambda x: x.clone(), [(3, 4)]),
    case('clone-fn', lambda T, x: T.clone(x), [(3, 4)]),
    case('clone-transposed', lambda x: x.t().clone(), [(3, 4)]),
    case('clone-expanded', lambda x: x.expand(2, 3, 4).clone(), [(3, 4)]),
    case('contiguous-expanded', lambda x: x.expand(2, 3, 4).contiguous(), [(3, 4)]),
    case('to-f64', lambda T, x: x.to(T.float64), [(3,)]),
    case('to-dtype-kw', lambda T, x: x.to(dtype=T.float16), [(3,)], gradcheck=False),
    case('to-same-dtype', lambda T, x: x.to(T.float32), [(3,)], gradcheck=False),
    case('to-copy', lambda T, x: x.to(T.float32, copy=True), [(3,)], gradcheck=False),
    case('to-transposed-keeps-strides', lambda T, x: x.t().to(T.float64), [(3, 4)]),
    case('clone-sliced-keeps-order', lambda x: x.t()[:, ::2].clone(), [(3, 4)]),
    case('to-int', lambda T, x: x.to(T.int64), [(3,)], forward_only=True),
    case('to-int-truncates', lambda T, x: x.to(T.int32), [arr([-1.7, -0.5, 0.5, 2.9])], forward_only=True),
    case('to-bool', lambda T, x: x.to(T.bool), [arr([0., 0.5, -1.])], forward_only=True),
    case('to-tensor', lambda x, y: x.to(y), [(3,), np.ones(2)], requires_grad=[True, False]),
    case('double', lambda x: x.double(), [(3,)]),
    case('float-from-double', lambda x: x.float(), [(3,)], dtype=F64, gradcheck=False),
    case('half', lambda x: x.half(), [(3,)], gradcheck=False),
    case('long', lambda x: x.long(), [(3,)], forward_only=True),
    case('int', lambda x: x.int(), [(3,)], forward_only=True),
    case('bool', lambda x: x.bool(), [(3,)], forward_only=True),
    case('byte', lambda x: x.byte(), [arr([0., 1.5, 255.])], forward_only=True),
    case('type_as', lambda x, y: x.type_as(y), [(3,), np.ones(2)], requires_grad=[True, False]),
    case('int-to-float', lambda x: x.float(), [ints((3,))], forward_only=True),
    # a CUDA tensor's .to('cpu') / .cpu() is a recorded copy (ToCopyBackward0); torch's runs on the CPU
    pytest.param(lambda x: x.to('cpu'), [(3,)], {}, id='to-cpu', marks=pytest.mark.cpu_only),
    pytest.param(lambda x: x.cpu(), [(3,)], {}, id='cpu', marks=pytest.mark.cpu_only),
]


@pytest.mark.parametrize('fn,specs,kw', CONVERT)
def test_clone_to(fn, specs, kw):
    check(fn, specs, **kw)


def test_to_same_dtype_returns_self():
    import torch
    import ember
    for lib in (torch, ember):
        x = lib.ones(3)
        assert x.to(lib.float32) is x
        assert x.contiguous() is x
        assert x.to(lib.float32, copy=True) is not x


# ------------------------------------------------------------------ matmul and friends

MATMUL = [
    case('1d@1d', lambda x, y: x @ y, [(3,), (3,)]),
    case('2d@1d', lambda x, y: x @ y, [(2, 3), (3,)]),
    case('1d@2d', lambda x, y: x @ y, [(3,), (3, 4)]),
    case('2d@2d', lambda x, y: x @ y, [(2, 3), (3, 4)]),
    case('3d@3d', lambda x, y: x @ y, [(2, 2, 3), (2, 3, 4)]),
    case('3d@2d', lambda x, y: x @ y, [(2, 2, 3), (3, 4)]),
    case('2d@3d', lambda x, y: x @ y, [(2, 3), (2, 3, 4)]),
    case('3d@1d', lambda x, y: x @ y, [(2, 2, 3), (3,)]),
    case('1d@3d', lambda x, y: x @ y, [(3,), (2, 3, 4)]),
    case('4d@3d-bcast', lambda x, y: x @ y, [(2, 1, 2, 3), (3, 3, 2)]),
    case('4d@4d-bcast', lambda x, y: x @ y, [(1, 2, 2, 3), (2, 1, 3, 2)]),
    case('matmul-fn', lambda T, x, y: T.matmul(x, y), [(2, 3), (3, 2)]),
    case('matmul-method', lambda x, y: x.matmul(y), [(2, 2, 3), (3,)]),
    case('matmul-transposed', lambda x, y: x.t() @ y, [(3, 2), (3, 4)]),
    case('matmul-int', lambda x, y: x @ y, [ints((2, 3)), ints((3, 2), seed=1)], forward_only=True),
    case('matmul-f64', lambda x, y: x @ y, [(2, 3), (3, 2)], dtype=F64),
    case('matmul-one-grad', lambda x, y: x @ y, [(2, 3), (3, 2)], requires_grad=[False, True]),
    case('mm', lambda T, x, y: T.mm(x, y), [(2, 3), (3, 4)]),
    case('mm-method', lambda x, y: x.mm(y), [(2, 3), (3, 4)]),
    case('bmm', lambda T, x, y: T.bmm(x, y), [(2, 2, 3), (2, 3, 4)]),
    case('bmm-method', lambda x, y: x.bmm(y), [(2, 2, 3), (2, 3, 1)]),
    case('mv', lambda T, x, y: T.mv(x, y), [(2, 3), (3,)]),
    case('mv-method', lambda x, y: x.mv(y), [(2, 3), (3,)]),
    case('dot', lambda T, x, y: T.dot(x, y), [(3,), (3,)]),
    case('dot-method', lambda x, y: x.dot(y), [(4,), (4,)]),
    case('outer', lambda T, x, y: T.outer(x, y), [(3,), (2,)]),
    case('outer-method', lambda x, y: x.outer(y), [(3,), (2,)]),
    case('ger', lambda T, x, y: T.ger(x, y), [(3,), (2,)]),
    case('outer-int-float', lambda T, x, y: T.outer(x, y), [ints((3,)), (2,)], requires_grad=[False, True]),
    case('matmul-f16', lambda x, y: x @ y, [(2, 3), (3, 2)], dtype=np.float16, gradcheck=False,
         grad_tols={'float16': (2e-2, 2e-2)}, tols={'float16': (1e-2, 1e-2)}),
    case('matmul-empty-k', lambda x, y: x @ y, [np.zeros((2, 0), F32), np.zeros((0, 3), F32)], gradcheck=False),
    case('mm-int', lambda T, x, y: T.mm(x, y), [ints((2, 3)), ints((3, 2), seed=1)], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', MATMUL)
def test_matmul(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ indexing (read)

def _base_written_after_view(x):
    """A view taken before its base is changed in place: its gradient must see the change."""
    b = x * 1
    y = b[:2]
    b.mul_(3)
    return y * 1


def _sibling_view_written(x):
    """A view whose sibling view is written in place (through the shared base)."""
    y = (x * 1).t()
    y[0].mul_(3)
    return y * 1


def _seq_key(x, key):
    """x[key] for a list key PyTorch reads as a tuple: it warns the same way in both libraries."""
    with pytest.warns(UserWarning, match='Using a non-tuple sequence for multidimensional indexing'):
        return x[key]


def _uint8_mask(x, m):
    with pytest.warns(UserWarning, match='indexing with dtype .*uint8 is now deprecated'):
        return x[m]


def _idx(values):
    return np.array(values, dtype=np.int64)


INDEX = [
    case('int', lambda x: x[1], [(3, 4)]),
    case('neg-int', lambda x: x[-1], [(3, 4)]),
    case('int-int', lambda x: x[1, 2], [(3, 4)]),
    case('int-int-int', lambda x: x[1, 0, -1], [(2, 3, 4)]),
    case('slice', lambda x: x[1:3], [(4, 3)]),
    case('slice-neg', lambda x: x[-3:-1], [(4, 3)]),
    case('slice-step', lambda x: x[::2], [(5, 3)]),
    case('slice-start-step', lambda x: x[1::2, ::3], [(5, 7)]),
    case('slice-open', lambda x: x[:], [(3, 4)]),
    case('slice-all-both', lambda x: x[:, :], [(3, 4)]),
    case('slice-out-of-range', lambda x: x[2:10], [(4, 3)]),
    case('slice-empty', lambda x: x[3:1], [(4, 3)], gradcheck=False),
    case('col', lambda x: x[:, 1], [(3, 4)]),
    case('col-slice', lambda x: x[:, 1:3], [(3, 4)]),
    case('none', lambda x: x[None], [(3, 4)]),
    case('none-mid', lambda x: x[:, None], [(3, 4)]),
    case('none-int-slice', lambda x: x[0, None, ::2], [(3, 4)]),
    case('ellipsis', lambda x: x[..., 0], [(2, 3, 4)]),
    case('ellipsis-mid', lambda x: x[1, ..., 1:], [(2, 3, 4)]),
    case('ellipsis-only', lambda x: x[...], [(2, 3)]),
    case('ellipsis-none', lambda x: x[..., None], [(2, 3)]),
    case('0d-ellipsis', lambda x: x[...], [()]),
    case('0d-none', lambda x: x[None], [()]),
    case('tensor-idx', lambda x, i: x[i], [(4, 3), _idx([2, 0])]),
    case('tensor-idx-repeat', lambda x, i: x[i], [(4, 3), _idx([1, 1, 3, 1])]),
    case('tensor-idx-2d', lambda x, i: x[i], [(4, 3), _idx([[0, 1], [1, 3]])]),
    case('tensor-idx-dim1', lambda x, i: x[:, i], [(3, 4), _idx([3, 0, 3])]),
    case('tensor-idx-neg', lambda x, i: x[i], [(4, 3), _idx([-1, 0])]),
    case('tensor-idx-int32', lambda x, i: x[i], [(4, 3), np.array([1, 2], np.int32)]),
    case('tensor-idx-0d', lambda x, i: x[i], [(4, 3), np.array(2)]),
    case('two-tensor-idx', lambda x, i, j: x[i, j], [(4, 3), _idx([0, 2, 2]), _idx([1, 1, 0])]),
    case('two-tensor-idx-bcast', lambda x, i, j: x[i, j], [(4, 3), _idx([[0], [3]]), _idx([1, 2])]),
    case('tensor-idx-and-slice', lambda x, i: x[1:, i], [(4, 3), _idx([0, 0])]),
    case('tensor-idx-separated', lambda x, i, j: x[i, :, j], [(3, 2, 4), _idx([0, 2]), _idx([1, 3])]),
    case('tensor-idx-ellipsis', lambda x, i: x[..., i], [(2, 3, 4), _idx([1, 1])]),
    case('tensor-idx-none', lambda x, i: x[None, i], [(4, 3), _idx([1, 2])]),
    case('tensor-idx-int', lambda x, i: x[i, 1], [(4, 3), _idx([3, 1])]),
    case('list', lambda x: x[[0, 2]], [(4, 3)]),
    case('list-repeat', lambda x: x[[1, 1, 1]], [(4, 3)]),
    case('list-two', lambda x: x[[0, 1], [2, 0]], [(4, 3)]),
    case('list-slice', lambda x: x[:, [0, 2]], [(4, 3)]),
    case('list-nested', lambda x: _seq_key(x, [[0, 1], [2, 3]]), [(4, 4)]),
    case('list-of-0d-tensors', lambda T, x: _seq_key(x, [T.tensor(0), T.tensor(1)]), [(4, 4)]),
    case('list-with-slice', lambda x: _seq_key(x, [0, slice(None)]), [(4, 4)]),
    case('list-nested-tensor-idx', lambda x, i: x[i], [(4, 3), _idx([[0, 1], [2, 3]])]),
    case('mask', lambda x, m: x[m], [(3, 4), bools((3, 4))]),
    case('mask-rows', lambda x, m: x[m], [(4, 3), arr([1, 0, 1, 1], bool)]),
    case('mask-after-ellipsis', lambda x, m: x[..., m], [(2, 3, 4), bools((3, 4))]),
    case('view-after-base-inplace', _base_written_after_view, [(4,)]),
    case('view-after-sibling-inplace', _sibling_view_written, [(3, 2)]),
    case('mask-after-ellipsis-rows', lambda x, m: x[..., m, :], [(2, 3, 4), bools((3,))]),
    case('mask-cols', lambda x, m: x[:, m], [(3, 4), arr([1, 0, 1, 1], bool)]),
    case('mask-from-x', lambda x: x[x > 0], [(3, 4)]),
    case('mask-all-false', lambda x, m: x[m], [(3,), np.zeros(3, bool)], gradcheck=False),
    case('mask-uint8', lambda x, m: _uint8_mask(x, m), [(3,), np.array([1, 0, 1], np.uint8)]),
    case('mask-python-bool', lambda x: x[True], [(3,)]),
    case('int-idx-int-tensor', lambda x, i: x[i], [ints((5,)), _idx([4, 0])], forward_only=True),
    case('bool-tensor-idx', lambda x, i: x[i], [bools((5,)), _idx([4, 0])], forward_only=True),
    case('index-then-index', lambda x, i: x[i][:, 1:], [(4, 3), _idx([1, 3])]),
    # PyTorch selects integers first: they never count as advanced indices (NumPy's rule differs)
    case('int-slice-tensor-idx', lambda x, i: x[0, :, i], [(2, 3, 4), _idx([1, 3])]),
    case('int-ellipsis-tensor-idx', lambda x, i: x[0, ..., i], [(2, 3, 4, 5), _idx([1, 3])]),
    case('slice-int-slice-tensor-idx', lambda x, i: x[:, 0, :, i], [(2, 3, 4, 5), _idx([4, 0])]),
    case('int-tensor-idx-slice-int', lambda x, i: x[1, i, :, 0], [(2, 3, 4, 5), _idx([2, 0, 2])]),
    case('int-list-slice-list', lambda x: x[0, [1, 2], :, [0, 3]], [(2, 3, 4, 5)]),
    case('int-none-slice-tensor-idx', lambda x, i: x[0, None, :, i], [(2, 3, 4), _idx([1, 3])]),
    case('int-slice-mask', lambda x, m: x[1, :, m], [(2, 3, 4), arr([1, 0, 1, 1], bool)]),
    case('0d-tensor-slice-tensor-idx', lambda x, j, i: x[j, :, i], [(2, 3, 4), np.array(1), _idx([0, 2])]),
]


@pytest.mark.parametrize('fn,specs,kw', INDEX)
def test_index_read(fn, specs, kw):
    check(fn, specs, **kw)


def test_index_repeated_accumulates():
    # repeated indices add up in backward
    import torch
    import ember
    for lib in (torch, ember):
        x = lib.zeros(3, requires_grad=True)
        x[lib.tensor([0, 0, 2, 0])].sum().backward()
        assert x.grad.tolist() == [3., 0., 1.]


# ------------------------------------------------------------------ indexing (write)

def _write(key, value):
    """fn(x, *rest): x[key] = value (value may use rest), returns x."""
    def f(x, *rest):
        x[key] = value(*rest) if callable(value) else value
        return x
    return f


def _write_nonleaf(key_fn, value_fn=None, scalar=None):
    """y = x * 1; y[key] = v; returns y (grads flow to x and v)."""
    def f(x, *rest):
        y = x * 1
        key = key_fn(*rest) if callable(key_fn) else key_fn
        y[key] = value_fn(*rest) if value_fn is not None else scalar
        return y
    return f


WRITE = [
    case('int-scalar', _write(1, 5.), [(3, 4)]),
    case('slice-scalar', _write(slice(0, 2), -1.), [(3, 4)]),
    case('step-scalar', _write((slice(None), slice(None, None, 2)), 0.), [(3, 4)]),
    case('int-int', _write((1, 2), 7.), [(3, 4)]),
    case('ellipsis', _write((Ellipsis, 0), 3.), [(2, 3)]),
    case('all', _write(slice(None), 2.), [(2, 3)]),
    case('row-tensor', _write(0, lambda v: v), [(3, 4), (4,)]),
    case('bcast-tensor', _write(slice(1, 3), lambda v: v), [(3, 4), (4,)]),
    case('bcast-column', _write((slice(None), slice(1, 3)), lambda v: v), [(3, 4), (3, 1)]),
    case('int-list', _write([0, 2], 9.), [(3, 4)]),
    case('tensor-idx-scalar', lambda x, i: _write(i, 1.)(x), [(4, 3), _idx([0, 3])]),
    case('tensor-idx-tensor', lambda x, i, v: _write(i, v)(x), [(4, 3), _idx([0, 3]), (2, 3)]),
    case('tensor-idx-bcast', lambda x, i, v: _write(i, v)(x), [(4, 3), _idx([0, 3]), (3,)]),
    case('mask-scalar', lambda x, m: _write(m, 0.)(x), [(3, 4), bools((3, 4))]),
    case('mask-from-x', lambda x: _write(x < 0, 0.)(x), [(3, 4)]),
    case('mask-rows-tensor', lambda x, m, v: _write(m, v)(x), [(4, 3), arr([1, 0, 1, 0], bool), (3,)]),
    case('int-dtype-cast', _write(0, 2.7), [ints((3, 2))]),
    case('float-into-int-tensor', lambda x, v: _write(1, v)(x), [ints((3, 2)), (2,)]),
    case('0d-tensor-value', lambda x, v: _write(0, v)(x), [(3,), np.array(4.0, F32)]),
]


@pytest.mark.parametrize('fn,specs,kw', WRITE)
def test_index_write(fn, specs, kw):
    # writes into leaves that do not require grad: compared after the call
    check(fn, specs, forward_only=True, **kw)


WRITE_GRAD = [
    case('nonleaf-int-scalar', _write_nonleaf(1, scalar=0.), [(3, 4)]),
    case('nonleaf-slice-tensor', _write_nonleaf(slice(0, 2), lambda v: v), [(3, 4), (4,)]),
    case('nonleaf-step-tensor', _write_nonleaf((slice(None), slice(None, None, 2)), lambda v: v),
         [(3, 4), (3, 2)]),
    case('nonleaf-col', _write_nonleaf((slice(None), 1), lambda v: v), [(3, 4), (3,)]),
    case('nonleaf-int-int', _write_nonleaf((0, 0), lambda v: v), [(3, 4), ()]),
    case('nonleaf-tensor-idx', _write_nonleaf(lambda i, v: i, lambda i, v: v),
         [(4, 3), _idx([0, 2]), (2, 3)]),
    case('nonleaf-mask', _write_nonleaf(lambda m: m, scalar=0.), [(3, 4), bools((3, 4))]),
    case('nonleaf-mask-tensor', _write_nonleaf(lambda m, v: m, lambda m, v: v),
         [(4, 3), arr([1, 0, 1, 0], bool), (3,)]),
    case('nonleaf-list', _write_nonleaf([0, 2], lambda v: v), [(3, 4), (2, 4)]),
    case('nonleaf-int-slice-tensor-idx', _write_nonleaf(lambda i, v: (0, slice(None), i), lambda i, v: v),
         [(2, 3, 4), _idx([1, 3]), (3, 2)]),
    case('nonleaf-value-only-grad', _write_nonleaf(0, lambda v: v), [(3, 4), (4,)],
         requires_grad=[False, True]),
]


@pytest.mark.parametrize('fn,specs,kw', WRITE_GRAD)
def test_index_write_grad(fn, specs, kw):
    # PyTorch: the written tensor gets CopySlices / IndexPutBackward0; grads reach x and value
    check(fn, specs, **kw)


def _view_inplace(make_view, op):
    """y = x * 1; op(view of y); returns y: the base's grad_fn becomes CopySlices."""
    def f(x, *rest):
        y = x * 1
        op(make_view(y), *rest)
        return y
    return f


VIEW_INPLACE = [
    case('select-mul_', _view_inplace(lambda y: y[0], lambda v: v.mul_(2)), [(3, 4)]),
    case('slice-add_', _view_inplace(lambda y: y[:, 1:3], lambda v, w: v.add_(w)), [(3, 4), (3, 2)]),
    case('transpose-add_', _view_inplace(lambda y: y.t(), lambda v, w: v.add_(w)), [(3, 4), (3,)]),
    case('view-zero_', _view_inplace(lambda y: y.view(-1)[::2], lambda v: v.zero_()), [(3, 4)]),
    case('diagonal-fill_', _view_inplace(lambda y: y.diagonal(), lambda v: v.fill_(1.)), [(3, 3)]),
    case('unsqueeze-exp_', _view_inplace(lambda y: y.unsqueeze(0), lambda v: v.exp_()), [(3,)]),
    case('narrow-copy_', _view_inplace(lambda y: y.narrow(0, 1, 1), lambda v, w: v.copy_(w)),
         [(3, 2), (1, 2)]),
    case('chain-of-views', _view_inplace(lambda y: y[1:][0], lambda v: v.mul_(3)), [(3, 2)]),
    case('expand-source-copy_', _view_inplace(lambda y: y[0], lambda v, w: v.copy_(w.expand(4))),
         [(2, 4), (1,)]),
]


@pytest.mark.parametrize('fn,specs,kw', VIEW_INPLACE)
def test_inplace_through_view(fn, specs, kw):
    check(fn, specs, **kw)


@pytest.mark.cpu_only          # the repr of a CUDA tensor names its device
def test_copyslices_name_and_repr():
    import torch
    import ember
    for lib in (torch, ember):
        y = lib.ones(3, requires_grad=True) * 1
        y[0] = 2.
        name = lib.__name__
        assert y.grad_fn.name() == f'{name}::autograd::CopySlices'
        assert repr(y) == 'tensor([2., 1., 1.], grad_fn=<CopySlices>)'


@pytest.mark.parametrize('op', [lambda v: v.mul_(2), lambda v: v.fill_(0.)], ids=['mul_', 'fill_'])
def test_copyslices_double_backward(op):
    import ember

    def f(x):
        y = x * 1
        op(y[0])
        return y
    x = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(f, [x])


@pytest.mark.parametrize('fn', [lambda x: (x * 1).unbind(0)[1].mul_(2), lambda x: (x * 1).split(1)[0].mul_(2),
                                lambda x: (x * 1).chunk(2, 1)[1].add_(1)], ids=['unbind', 'split', 'chunk'])
def test_inplace_on_multi_output_view_error(fn):
    check_error(fn, [(3, 4)], requires_grad=[True])


def test_inplace_on_multi_output_view_without_grad():
    check(lambda x: (lambda v: v.mul_(2))(x.unbind(0)[0]), [(3, 4)], forward_only=True)


@pytest.mark.cpu_only          # the message names the tensor type (ember.cuda.FloatTensor on CUDA)
def test_setitem_list_value_error():
    check_error(_write(0, [1., 2., 3.]), [(2, 3)])
    check_error(_write(0, (1, 2, 3)), [ints((2, 3))])


def test_inplace_view_of_leaf_error():
    check_error(lambda x: x[0].mul_(2), [(3,)], requires_grad=[True])
    check_error(lambda x: x.view(-1).add_(1), [(3,)], requires_grad=[True])


def test_setitem_on_leaf_requires_grad_error():
    check_error(_write(0, 1.), [(3,)], requires_grad=[True])


# ------------------------------------------------------------------ views share memory

SHARE = [
    case('view', lambda x: (lambda v: (v.__setitem__(0, 100.), v)[1])(x.view(-1)), [(2, 3)]),
    case('reshape-view', lambda x: (lambda v: (v.__setitem__(1, 100.), v)[1])(x.reshape(6)), [(2, 3)]),
    case('reshape-copy', lambda x: (lambda v: (v.__setitem__(1, 100.), v)[1])(x.t().reshape(6)), [(2, 3)]),
    case('transpose', lambda x: (lambda v: (v.__setitem__((0, 1), 100.), v)[1])(x.t()), [(2, 3)]),
    case('permute', lambda x: (lambda v: v.mul_(2))(x.permute(1, 0)), [(2, 3)]),
    case('expand-read', lambda x: (lambda v: (x.__setitem__(0, 7.), v)[1])(x.expand(2, 3)), [(3,)]),
    case('squeeze', lambda x: (lambda v: v.add_(1))(x.squeeze()), [(1, 3)]),
    case('unsqueeze', lambda x: (lambda v: v.add_(1))(x.unsqueeze(1)), [(3,)]),
    case('select', lambda x: (lambda v: v.fill_(-1.))(x[1]), [(2, 3)]),
    case('slice-step', lambda x: (lambda v: v.zero_())(x[:, ::2]), [(2, 3)]),
    case('narrow', lambda x: (lambda v: v.mul_(10))(x.narrow(1, 1, 2)), [(2, 3)]),
    case('diagonal', lambda x: (lambda v: v.zero_())(x.diagonal()), [(3, 3)]),
    case('diagonal-offset', lambda x: (lambda v: v.fill_(5.))(x.diagonal(-1)), [(3, 3)]),
    case('unbind', lambda x: (lambda vs: vs[1].fill_(0.))(x.unbind(1)), [(2, 3)]),
    case('split', lambda x: (lambda vs: vs[0].fill_(0.))(x.split(1)), [(2, 3)]),
    case('chunk', lambda x: (lambda vs: vs[-1].fill_(0.))(x.chunk(3, 1)), [(2, 3)]),
    case('basic-index', lambda x: (lambda v: v.fill_(0.))(x[None, 1:, ...]), [(2, 3)]),
    case('advanced-index-copies', lambda x: (lambda v: v.fill_(0.))(x[[0, 1]]), [(2, 3)]),
    case('mask-copies', lambda x: (lambda v: v.fill_(0.))(x[x > 0]), [(2, 3)]),
    case('clone-copies', lambda x: (lambda v: v.fill_(0.))(x.clone()), [(2, 3)]),
    case('contiguous-copies', lambda x: (lambda v: v.fill_(0.))(x.t().contiguous()), [(2, 3)]),
    case('detach-shares', lambda x: (lambda v: v.fill_(0.))(x.detach()), [(2, 3)]),
    case('base-write-seen-by-view', lambda x: (lambda v: (x.mul_(2), v)[1])(x[0]), [(2, 3)]),
    case('view-of-view', lambda x: (lambda v: v.fill_(3.))(x.view(3, 2)[1:].view(-1)), [(2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', SHARE)
def test_views_share_memory(fn, specs, kw):
    # no grad: the input x is compared after the call, so writes through views show up
    check(fn, specs, forward_only=True, **kw)


def test_view_base_and_version():
    import torch
    import ember
    for lib in (torch, ember):
        x = lib.zeros(2, 3)
        v = x[0]
        w = v.view(3, 1)
        assert v._base is x and w._base is x
        w.add_(1)
        assert x._version == v._version == w._version == 1
        assert x[0].tolist() == [1., 1., 1.]
        assert not x.clone()._is_view()


# ------------------------------------------------------------------ errors

ERRORS = [
    # matmul family
    case('mm-mismatch', lambda x, y: x @ y, [(2, 3), (2, 3)]),
    case('mm-fn-mismatch', lambda T, x, y: T.mm(x, y), [(2, 3), (4, 2)]),
    case('mm-not-matrix', lambda T, x, y: T.mm(x, y), [(2, 3, 1), (3, 2)]),
    case('dot-mismatch', lambda x, y: x @ y, [(3,), (4,)]),
    case('dot-2d', lambda T, x, y: T.dot(x, y), [(2, 3), (3,)]),
    case('mv-mismatch', lambda x, y: x @ y, [(2, 3), (4,)]),
    case('vm-mismatch', lambda x, y: x @ y, [(3,), (4, 2)]),
    case('bmm-mismatch', lambda T, x, y: T.bmm(x, y), [(2, 2, 3), (2, 4, 2)]),
    case('bmm-batch-mismatch', lambda T, x, y: T.bmm(x, y), [(2, 2, 3), (3, 3, 2)]),
    case('bmm-not-3d', lambda T, x, y: T.bmm(x, y), [(2, 3), (2, 3, 2)]),
    case('batched-mismatch', lambda x, y: x @ y, [(2, 2, 3), (2, 4, 2)]),
    case('batched-bcast-mismatch', lambda x, y: x @ y, [(2, 2, 3), (3, 3, 2)]),
    case('matmul-0d', lambda x, y: x @ y, [(), (3,)]),
    case('matmul-dtype', lambda x, y: x @ y, [(2, 3), np.ones((3, 2))]),
    case('matmul-dtype-1d-2d', lambda x, y: x @ y, [(3,), np.ones((3, 2))]),
    case('mv-dtype', lambda x, y: x @ y, [(2, 3), ints((3,))]),
    case('mv-dtype-fn', lambda T, x, y: T.mv(x, y), [ints((2, 3)), (3,)]),
    case('dot-dtype', lambda x, y: x @ y, [(3,), np.ones(3)]),
    case('bmm-dtype', lambda T, x, y: T.bmm(x, y), [(1, 2, 3), ints((1, 3, 2))]),
    case('batched-dtype', lambda x, y: x @ y, [(1, 2, 3), np.ones((1, 3, 2))]),
    case('batched-2d-3d-dtype', lambda x, y: x @ y, [(2, 3), np.ones((1, 3, 2))]),
    case('folded-dtype', lambda x, y: x @ y, [(2, 2, 3), np.ones((3, 2))]),
    case('folded-mv-dtype', lambda x, y: x @ y, [(2, 2, 3), np.ones(3)]),
    case('folded-mismatch', lambda x, y: x @ y, [(5, 2, 3), (2, 3)]),
    case('folded-mv-mismatch', lambda x, y: x @ y, [(2, 2, 3), (4,)]),
    case('1d-3d-mismatch', lambda x, y: x @ y, [(3,), (2, 4, 2)]),
    case('matmul-bool', lambda x, y: x @ y, [bools((2, 2)), bools((2, 2), 1)]),
    case('mv-bool', lambda x, y: x @ y, [bools((2, 2)), bools((2,), 1)]),
    case('dot-bool', lambda x, y: x @ y, [bools((2,)), bools((2,), 1)]),
    case('bmm-bool', lambda x, y: x @ y, [bools((1, 2, 2)), bools((1, 2, 2), 1)]),
    case('folded-bool', lambda x, y: x @ y, [bools((1, 2, 2)), bools((2, 2), 1)]),
    case('outer-2d', lambda T, x, y: T.outer(x, y), [(2, 3), (3,)]),
    case('dot-0d', lambda T, x, y: T.dot(x, y), [(), ()]),
    # broadcasting
    case('bcast-add', lambda x, y: x + y, [(2, 3), (2,)]),
    case('bcast-3d', lambda x, y: x * y, [(2, 3, 4), (3, 3, 1)]),
    # view / reshape
    case('view-bad-numel', lambda x: x.view(5), [(2, 3)]),
    case('view-bad-numel-infer', lambda x: x.view(-1, 4), [(2, 3)]),
    case('view-two-infer', lambda x: x.view(-1, -1), [(2, 3)]),
    case('view-incompatible-stride', lambda x: x.t().view(6), [(2, 3)]),
    case('reshape-bad-numel', lambda x: x.reshape(4, 2), [(2, 3)]),
    case('view-negative', lambda x: x.view(-2, 3), [(2, 3)]),
    case('unflatten-bad', lambda x: x.unflatten(1, (2, 2)), [(2, 3)]),
    case('flatten-bad-order', lambda x: x.flatten(1, 0), [(2, 3)]),
    # cat / stack
    case('cat-mismatch', lambda T, x, y: T.cat([x, y]), [(2, 3), (2, 4)]),
    case('cat-mismatch-dim1', lambda T, x, y: T.cat([x, y], 1), [(2, 3), (3, 3)]),
    case('cat-ndim', lambda T, x, y: T.cat([x, y]), [(2, 3), (2, 3, 1)]),
    case('cat-bad-dim', lambda T, x, y: T.cat([x, y], 2), [(2, 3), (2, 3)]),
    case('cat-empty-list', lambda T: T.cat([]), []),
    case('cat-not-list', lambda T, x: T.cat(x), [(2, 3)]),
    case('stack-mismatch', lambda T, x, y: T.stack([x, y]), [(2, 3), (3, 2)]),
    case('stack-mismatch-trailing', lambda T, x, y: T.stack([x, y]), [(3, 2), (3, 3)]),
    case('stack-mismatch-ndim', lambda T, x, y: T.stack([x, y]), [(3, 3), (3, 3, 1)]),
    case('stack-bad-dim', lambda T, x, y: T.stack([x, y], 3), [(2, 3), (2, 3)]),
    case('stack-empty', lambda T: T.stack([]), []),
    # expand
    case('expand-mismatch', lambda x: x.expand(2, 4), [(2, 3)]),
    case('expand-too-few', lambda x: x.expand(3), [(2, 3)]),
    case('expand-too-few-int', lambda x: x.expand(3), [ints((2, 3))]),
    case('expand-minus-one-new', lambda x: x.expand(-1, 3), [(3,)]),
    # dims
    case('transpose-bad-dim', lambda x: x.transpose(0, 2), [(2, 3)]),
    case('permute-bad-len', lambda x: x.permute(1, 0), [(2, 3, 4)]),
    case('permute-duplicate', lambda x: x.permute(0, 0, 1), [(2, 3, 4)]),
    case('permute-bad-dim', lambda x: x.permute(0, 1, 3), [(2, 3, 4)]),
    case('squeeze-bad-dim', lambda x: x.squeeze(2), [(2, 3)]),
    case('unsqueeze-bad-dim', lambda x: x.unsqueeze(3), [(2, 3)]),
    case('t-3d', lambda x: x.t(), [(2, 3, 4)]),
    case('mT-1d', lambda x: x.mT, [(3,)]),
    case('select-bad-index', lambda x: x.select(0, 5), [(2, 3)]),
    case('select-bad-dim', lambda x: x.select(2, 0), [(2, 3)]),
    case('narrow-too-long', lambda x: x.narrow(1, 2, 2), [(2, 3)]),
    case('diagonal-same-dims', lambda x: x.diagonal(0, 1, 1), [(2, 3)]),
    case('unbind-0d', lambda x: x.unbind(), [()]),
    case('split-bad-sizes', lambda x: x.split([1, 1]), [(3, 2)]),
    case('chunk-zero', lambda x: x.chunk(0), [(3, 2)]),
    case('to-dtype-string', lambda x: x.to('float64'), [(3,)]),
    case('size-bad-dim', lambda x: x.size(2), [(2, 3)]),
    # indexing
    case('index-out-of-range', lambda x: x[5], [(3, 4)]),
    case('index-neg-out-of-range', lambda x: x[-4], [(3, 4)]),
    case('index-dim1-out-of-range', lambda x: x[:, 4], [(3, 4)]),
    case('index-too-many', lambda x: x[0, 0, 0], [(3, 4)]),
    case('index-0d', lambda x: x[0], [()]),
    case('index-tensor-out-of-range', lambda x, i: x[i], [(3, 4), _idx([0, 3])]),
    case('index-list-out-of-range', lambda x: x[[0, 7]], [(3, 4)]),
    case('index-float-tensor', lambda x, i: x[i], [(3, 4), arr([0., 1.])]),
    case('index-mask-shape', lambda x, m: x[m], [(3, 4), np.ones((2, 4), bool)]),
    case('index-negative-step', lambda x: x[::-1], [(3, 4)]),
    case('setitem-out-of-range', _write(5, 1.), [(3, 4)]),
    case('setitem-shape-mismatch', lambda x, v: _write(0, v)(x), [(3, 4), (3,)]),
    case('setitem-too-many-dims', lambda x, v: _write(0, v)(x), [(3, 4), (2, 4)]),
    case('setitem-leading-ones-stripped', lambda x, v: _write(0, v)(x), [(3, 4), (1, 3)]),
    case('setitem-adv-shape-mismatch', lambda x, i, v: _write(i, v)(x), [(3, 4), _idx([0, 1]), (3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_failed_op_leaves_tensor_unchanged():
    import ember
    x = ember.ones(3, 4)
    v = ember.ones(3)
    with pytest.raises(RuntimeError):
        x[0] = v
    assert x.tolist() == [[1.] * 4] * 3 and x._version == 0


def test_batched_matmul_grad_of_one_operand():
    # only the wanted operand's gradient is computed (the other operand was not saved)
    for shapes in (((2, 3, 4), (4,)), ((4,), (2, 4, 3)), ((2, 3, 4), (2, 4, 5))):
        check(lambda x, y: x @ y, [shapes[0], shapes[1]], requires_grad=[True, False])
        check(lambda x, y: x @ y, [shapes[0], shapes[1]], requires_grad=[False, True])
