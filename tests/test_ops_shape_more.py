"""repeat/tile/repeat_interleave, flip/roll/rot90, movedim, *stack, *split, meshgrid,
broadcasting helpers, atleast_Nd, tril/triu, diag/diag_embed/diagflat, trace against PyTorch.

Each case compares values, dtype, grad_fn name, view-ness, strides and storage offset,
backward grads, then gradcheck/gradgradcheck in float64 (see helpers.check)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, arr, ints, bools, case, xfail

F32, F64 = np.float32, np.float64
I64 = np.int64



def _base_after(y, inplace_on_view):
    """Run an in-place op on a view of ``y``; return ``y`` (its grad_fn becomes CopySlices)."""
    inplace_on_view(y)
    return y


def idx(values):
    return np.array(values, dtype=I64)


# ------------------------------------------------------------------ repeat / tile / repeat_interleave

REPEAT = [
    case('repeat', lambda x: x.repeat(2, 3), [(2, 3)]),
    case('repeat-new-dims', lambda x: x.repeat(2, 1, 2), [(2, 3)]),
    case('repeat-tuple', lambda x: x.repeat((1, 2)), [(2, 3)]),
    case('repeat-list', lambda x: x.repeat([2, 1]), [(2, 3)]),
    case('repeat-zero', lambda x: x.repeat(2, 0), [(2, 3)]),
    case('repeat-0d', lambda x: x.repeat(()), [()]),
    case('repeat-0d-grow', lambda x: x.repeat(2, 3), [()]),
    case('repeat-empty', lambda x: x.repeat(2, 2), [np.zeros((0, 3), F32)], gradcheck=False),
    case('repeat-transposed', lambda x: x.t().repeat(1, 1), [(2, 3)]),
    case('repeat-strided', lambda x: x[:, ::2].repeat(2, 1, 1), [(2, 4)]),
    case('repeat-int', lambda x: x.repeat(2, 1), [ints((2, 3))]),
    case('repeat-bool', lambda x: x.repeat(1, 2), [bools((2, 3))]),
    case('tile', lambda x: x.tile((2,)), [(2, 3)]),
    case('tile-fn', lambda T, x: T.tile(x, (2, 1, 1)), [(2, 3)]),
    case('tile-varargs', lambda x: x.tile(2, 2), [(2, 3)]),
    case('tile-longer', lambda x: x.tile((3, 2)), [(3,)]),
    case('tile-0d', lambda T, x: T.tile(x, (2,)), [()]),
    case('tile-empty-dims', lambda x: x.tile(()), [(3,)]),
    case('tile-int', lambda x: x.tile((2,)), [ints((3,))]),
    case('ri-flat', lambda x: x.repeat_interleave(2), [(2, 3)]),
    case('ri-dim0', lambda x: x.repeat_interleave(2, dim=0), [(2, 3)]),
    case('ri-dim-neg', lambda x: x.repeat_interleave(3, -1), [(2, 3)]),
    case('ri-fn', lambda T, x: T.repeat_interleave(x, repeats=2), [(2, 3)]),
    case('ri-output-size', lambda x: x.repeat_interleave(2, dim=0, output_size=4), [(2, 3)]),
    case('ri-zero', lambda x: x.repeat_interleave(0, dim=1), [(2, 3)], gradcheck=False),
    case('ri-0d', lambda x: x.repeat_interleave(3), [()]),
    case('ri-transposed', lambda x: x.t().repeat_interleave(2, 0), [(2, 3)]),
    case('ri-transposed-flat', lambda x: x.t().repeat_interleave(2), [(2, 3)]),
    case('ri-bool', lambda x: x.repeat_interleave(2), [bools((4,))]),
    case('ri-tensor', lambda x, r: x.repeat_interleave(r, dim=1), [(2, 3), idx([1, 2, 0])]),
    case('ri-tensor-flat', lambda x, r: x.repeat_interleave(r), [(2, 2), idx([1, 2, 0, 1])]),
    case('ri-tensor-one', lambda x, r: x.repeat_interleave(r, dim=0), [(2, 3), idx([2])]),
    case('ri-tensor-0d', lambda x, r: x.repeat_interleave(r, 0), [(2, 3), np.array(2, I64)]),
    case('ri-tensor-int32', lambda x, r: x.repeat_interleave(r, 0), [(2, 3), idx([1, 2]).astype(np.int32)]),
    case('ri-tensor-output-size', lambda x, r: x.repeat_interleave(r, 0, output_size=3),
         [(2, 3), idx([1, 2])]),
    case('ri-tensor-transposed', lambda x, r: x.t().repeat_interleave(r, 0), [(2, 3), idx([1, 2, 1])]),
    case('ri-counts', lambda T, r: T.repeat_interleave(r), [idx([1, 0, 3])], forward_only=True),
    case('ri-counts-int32', lambda T, r: T.repeat_interleave(r), [idx([2, 1]).astype(np.int32)],
         forward_only=True),
    case('ri-counts-empty', lambda T, r: T.repeat_interleave(r), [idx([])], forward_only=True),
    case('ri-counts-output-size', lambda T, r: T.repeat_interleave(r, output_size=3), [idx([1, 2])],
         forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', REPEAT)
def test_repeat(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ flip / roll / rot90 / movedim

REORDER = [
    case('flip', lambda x: x.flip(0), [(2, 3)]),
    case('flip-both', lambda x: x.flip(0, 1), [(2, 3)]),
    case('flip-fn', lambda T, x: T.flip(x, (1,)), [(2, 3)]),
    case('flip-fn-kw', lambda T, x: T.flip(x, dims=[-1]), [(2, 3, 2)]),
    case('flip-neg', lambda x: x.flip(-1), [(2, 3)]),
    case('flip-none', lambda x: x.flip(()), [(2, 3)]),
    case('flip-0d', lambda x: x.flip(0), [()]),
    case('flip-empty', lambda x: x[:0].flip(0), [(2, 3)]),
    case('flip-transposed', lambda x: x.t().flip(0), [(2, 3)]),
    case('flip-permuted', lambda x: x.permute(2, 0, 1).flip(1), [(2, 3, 4)]),
    case('flip-strided', lambda x: x[:, ::2].flip(0), [(2, 4)]),
    case('flip-int', lambda x: x.flip(1), [ints((2, 3))]),
    case('flip-bool', lambda x: x.flip(0), [bools((2, 3))]),
    case('fliplr', lambda x: x.fliplr(), [(2, 3)]),
    case('fliplr-fn', lambda T, x: T.fliplr(x), [(2, 3, 2)]),
    case('fliplr-transposed', lambda x: x.t().fliplr(), [(2, 3)]),
    case('flipud', lambda x: x.flipud(), [(2, 3)]),
    case('flipud-1d', lambda T, x: T.flipud(x), [(4,)]),
    case('roll-flat', lambda x: x.roll(1), [(2, 3)]),
    case('roll-dim', lambda x: x.roll(1, 0), [(2, 3)]),
    case('roll-dims', lambda x: x.roll((1, -2), (0, 1)), [(2, 3)]),
    case('roll-fn-kw', lambda T, x: T.roll(x, shifts=[2], dims=[-1]), [(2, 3)]),
    case('roll-big-shift', lambda x: x.roll(-7, 1), [(2, 3)]),
    case('roll-same-dim-twice', lambda x: x.roll((1, 1), (0, 0)), [(3, 2)]),
    case('roll-0d', lambda x: x.roll(1), [()]),
    case('roll-empty', lambda x: x[:0].roll(1, 1), [(2, 3)]),
    case('roll-transposed', lambda x: x.t().roll(1, 0), [(2, 3)]),
    case('roll-transposed-flat', lambda x: x.t().roll(2), [(2, 3)]),
    case('roll-int', lambda x: x.roll(1, 1), [ints((2, 3))]),
    case('roll-bool', lambda x: x.roll(1, 0), [bools((2, 3))]),
    case('rot90', lambda x: x.rot90(), [(2, 3)]),
    case('rot90-k2', lambda x: x.rot90(2), [(2, 3)]),
    case('rot90-k3', lambda x: x.rot90(3), [(2, 3)]),
    case('rot90-k0', lambda x: x.rot90(0), [(2, 3)]),
    case('rot90-k-neg', lambda x: x.rot90(-1), [(2, 3)]),
    case('rot90-k4', lambda x: x.rot90(4), [(2, 3)]),
    case('rot90-fn-dims', lambda T, x: T.rot90(x, 1, (0, 2)), [(2, 3, 4)]),
    case('rot90-reversed-dims', lambda T, x: T.rot90(x, 1, [-1, 0]), [(2, 3, 4)]),
    case('rot90-transposed', lambda x: x.t().rot90(), [(2, 3)]),
    case('rot90-transposed-k2', lambda x: x.t().rot90(2), [(2, 3)]),
    case('rot90-transposed-k0', lambda x: x.t().rot90(0), [(2, 3)]),
    case('rot90-int', lambda x: x.rot90(1, (1, 0)), [ints((2, 3))]),
    case('movedim', lambda x: x.movedim(0, 1), [(2, 3)]),
    case('movedim-neg', lambda x: x.movedim(-1, 0), [(2, 3, 4)]),
    case('movedim-tuple', lambda x: x.movedim((0, 2), (2, 0)), [(2, 3, 4)]),
    case('movedim-list', lambda T, x: T.movedim(x, [0, 1], [2, 0]), [(2, 3, 4)]),
    case('moveaxis', lambda T, x: T.moveaxis(x, 1, -1), [(2, 3, 4)]),
    case('moveaxis-method', lambda x: x.moveaxis(0, 2), [(2, 3, 4)]),
    case('movedim-0d', lambda x: x.movedim(0, 0), [()]),
    case('movedim-transposed', lambda x: x.t().movedim(0, 1), [(2, 3)]),
    case('movedim-int', lambda x: x.movedim(0, 1), [ints((2, 3))]),
]


@pytest.mark.parametrize('fn,specs,kw', REORDER)
def test_flip_roll_rot90_movedim(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ stacking and splitting

JOIN_SPLIT = [
    case('hstack', lambda T, x, y: T.hstack([x, y]), [(2, 3), (2, 1)]),
    case('hstack-1d', lambda T, x, y: T.hstack((x, y)), [(3,), (2,)]),
    case('hstack-0d', lambda T, x, y: T.hstack([x, y]), [(), ()]),
    case('hstack-mixed-dtype', lambda T, x, y: T.hstack([x, y]), [(2, 3), ints((2, 1))]),
    case('vstack', lambda T, x, y: T.vstack([x, y]), [(2, 3), (1, 3)]),
    case('vstack-1d', lambda T, x, y: T.vstack([x, y]), [(3,), (3,)]),
    case('vstack-0d', lambda T, x, y: T.vstack([x, y]), [(), ()]),
    case('row_stack', lambda T, x, y: T.row_stack([x, y]), [(2, 3), (3,)]),
    case('dstack', lambda T, x, y: T.dstack([x, y]), [(2, 3), (2, 3)]),
    case('dstack-1d', lambda T, x, y: T.dstack([x, y]), [(3,), (3,)]),
    case('dstack-3d', lambda T, x, y: T.dstack([x, y]), [(2, 3, 1), (2, 3, 2)]),
    case('column_stack', lambda T, x, y: T.column_stack([x, y]), [(3,), (3, 2)]),
    case('column_stack-0d', lambda T, x, y: T.column_stack([x, y]), [(), ()]),
    case('column_stack-strided', lambda T, x: T.column_stack([x.t()[0], x.t()[1]]), [(2, 3)]),
    case('hstack-int', lambda T, x, y: T.hstack([x, y]), [ints((2,)), ints((3,), seed=1)]),
    case('ts-sections', lambda x: x.tensor_split(2, 1), [(2, 3)]),
    case('ts-sections-uneven', lambda x: x.tensor_split(3), [(7, 2)]),
    case('ts-one', lambda x: x.tensor_split(1), [(2, 3)]),
    case('ts-more-than-size', lambda x: x.tensor_split(5, 1), [(2, 3)]),
    case('ts-indices', lambda x: x.tensor_split([1, 2], 1), [(2, 3)]),
    case('ts-indices-tuple', lambda T, x: T.tensor_split(x, (1,), dim=-1), [(2, 3)]),
    case('ts-indices-neg', lambda x: x.tensor_split([-1], 1), [(2, 3)]),
    case('ts-indices-decreasing', lambda x: x.tensor_split([2, 1], 1), [(2, 3)]),
    case('ts-indices-big', lambda x: x.tensor_split([1, 5], 1), [(2, 3)]),
    case('ts-indices-empty', lambda x: x.tensor_split([], 1), [(2, 3)]),
    case('ts-kw-sections', lambda x: x.tensor_split(sections=2, dim=1), [(2, 3)]),
    case('ts-kw-indices', lambda x: x.tensor_split(indices=[1], dim=0), [(3, 2)]),
    case('ts-tensor-0d', lambda x, s: x.tensor_split(s, 1), [(2, 3), np.array(2, I64)]),
    case('ts-tensor-1d', lambda x, s: x.tensor_split(s, 1), [(2, 3), idx([1])]),
    case('ts-transposed', lambda x: x.t().tensor_split(2), [(2, 3)]),
    case('ts-int', lambda x: x.tensor_split(2), [ints((4,))]),
    case('hsplit', lambda x: x.hsplit(3), [(2, 3)]),
    case('hsplit-1d', lambda T, x: T.hsplit(x, 2), [(4,)]),
    case('hsplit-indices', lambda x: x.hsplit([1]), [(2, 3)]),
    case('vsplit', lambda x: x.vsplit(2), [(4, 3)]),
    case('vsplit-indices', lambda T, x: T.vsplit(x, [1, 3]), [(4, 3)]),
    case('dsplit', lambda x: x.dsplit(2), [(2, 3, 4)]),
    case('dsplit-indices', lambda T, x: T.dsplit(x, [1, 3]), [(2, 3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', JOIN_SPLIT)
def test_stack_split(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ meshgrid, broadcasting, atleast

BROADCAST = [
    case('meshgrid-ij', lambda T, x, y: T.meshgrid(x, y, indexing='ij'), [(3,), (2,)]),
    case('meshgrid-xy', lambda T, x, y: T.meshgrid(x, y, indexing='xy'), [(3,), (2,)]),
    case('meshgrid-list', lambda T, x, y: T.meshgrid([x, y], indexing='ij'), [(3,), (2,)]),
    case('meshgrid-three-xy', lambda T, x, y, z: T.meshgrid(x, y, z, indexing='xy'), [(3,), (2,), (2,)]),
    case('meshgrid-three-ij', lambda T, x, y, z: T.meshgrid(x, y, z, indexing='ij'), [(3,), (2,), (2,)]),
    case('meshgrid-one', lambda T, x: T.meshgrid(x, indexing='xy'), [(3,)]),
    case('meshgrid-0d', lambda T, x, y: T.meshgrid(x, y, indexing='xy'), [(), (2,)]),
    case('meshgrid-0d-ij', lambda T, x, y: T.meshgrid(x, y, indexing='ij'), [(), (2,)]),
    case('meshgrid-strided', lambda T, x: T.meshgrid(x[:, 0], x[1], indexing='ij'), [(2, 3)]),
    case('meshgrid-empty', lambda T, x, y: T.meshgrid(x, y, indexing='ij'), [np.zeros(0, F32), (2,)],
         gradcheck=False),
    case('meshgrid-int', lambda T, x, y: T.meshgrid(x, y, indexing='ij'), [ints((3,)), ints((2,))]),
    case('broadcast_to', lambda x: x.broadcast_to(4, 2, 3), [(2, 3)]),
    case('broadcast_to-fn', lambda T, x: T.broadcast_to(x, (2, 3)), [(1, 3)]),
    case('broadcast_to-same', lambda x: x.broadcast_to((2, 3)), [(2, 3)]),
    case('broadcast_to-minus-one', lambda x: x.broadcast_to((4, -1, 3)), [(2, 1)]),
    case('broadcast_to-0d', lambda T, x: T.broadcast_to(x, (2, 2)), [()]),
    case('broadcast_to-int', lambda x: x.broadcast_to(2, 3), [ints((3,))]),
    case('broadcast_tensors', lambda T, x, y: T.broadcast_tensors(x, y), [(2, 3), (3,)]),
    case('broadcast_tensors-both', lambda T, x, y: T.broadcast_tensors(x, y), [(2, 1), (1, 3)]),
    case('broadcast_tensors-one', lambda T, x: T.broadcast_tensors(x), [(2, 3)]),
    case('broadcast_tensors-none', lambda T: T.broadcast_tensors(), []),
    case('broadcast_tensors-dtypes', lambda T, x, y: T.broadcast_tensors(x, y), [(2, 3), ints((3,))]),
    case('broadcast_shapes', lambda T: T.broadcast_shapes((2, 1), (3,), 1), []),
    case('broadcast_shapes-int', lambda T: T.broadcast_shapes(3, 1), []),
    case('broadcast_shapes-none', lambda T: T.broadcast_shapes(), []),
    case('broadcast_shapes-mixed', lambda T: T.broadcast_shapes(T.Size([2, 1]), [1, 3]), []),
    case('broadcast_shapes-zero', lambda T: T.broadcast_shapes((0, 1), (1, 3)), []),
    case('atleast_1d', lambda T, x: T.atleast_1d(x), [()]),
    case('atleast_1d-2d', lambda T, x: T.atleast_1d(x), [(2, 3)]),
    case('atleast_1d-varargs', lambda T, x, y: T.atleast_1d(x, y), [(2, 3), ()]),
    case('atleast_1d-list', lambda T, x, y: T.atleast_1d([x, y]), [(2, 3), ()]),
    case('atleast_1d-none', lambda T: T.atleast_1d(), []),
    case('atleast_2d-0d', lambda T, x: T.atleast_2d(x), [()]),
    case('atleast_2d-1d', lambda T, x: T.atleast_2d(x), [(3,)]),
    case('atleast_2d-strided', lambda T, x: T.atleast_2d(x[:, 1]), [(2, 3)]),
    case('atleast_2d-tuple', lambda T, x, y: T.atleast_2d((x, y)), [(3,), (2, 2, 2)]),
    case('atleast_3d-0d', lambda T, x: T.atleast_3d(x), [()]),
    case('atleast_3d-1d', lambda T, x: T.atleast_3d(x), [(3,)]),
    case('atleast_3d-2d', lambda T, x: T.atleast_3d(x), [(2, 3)]),
    case('atleast_3d-strided', lambda T, x: T.atleast_3d(x[:, 1]), [(2, 3)]),
    case('atleast_3d-3d', lambda T, x: T.atleast_3d(x), [(2, 3, 4)]),
    case('atleast_3d-int', lambda T, x: T.atleast_3d(x), [ints((3,))]),
]


@pytest.mark.parametrize('fn,specs,kw', BROADCAST)
def test_meshgrid_broadcast_atleast(fn, specs, kw):
    check(fn, specs, **kw)


def test_meshgrid_warns_without_indexing():
    x, y = ember.ones(2), ember.ones(3)
    with pytest.warns(UserWarning) as rec:
        a, b = ember.meshgrid(x, y)
    assert str(rec[0].message) == ('ember.meshgrid: in an upcoming release, it will be required to pass the '
                                   'indexing argument.')
    assert a.shape == (2, 3) and b.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ember.meshgrid(x, y, indexing='xy')


def test_broadcast_results_are_the_inputs_when_no_expand_needed():
    x = ember.ones(2, 3)
    assert ember.broadcast_tensors(x, ember.ones(3))[0] is x
    assert ember.atleast_1d(x) is x and ember.atleast_2d(x) is x
    assert type(ember.broadcast_shapes((2, 1), (3,))) is ember.Size


# ------------------------------------------------------------------ triangles and diagonals

TRIANGULAR = [
    case('tril', lambda x: x.tril(), [(3, 4)]),
    case('tril-diag', lambda x: x.tril(1), [(3, 4)]),
    case('tril-neg-diag', lambda T, x: T.tril(x, diagonal=-1), [(3, 4)]),
    case('tril-big-diag', lambda x: x.tril(10), [(2, 3)]),
    case('triu', lambda x: x.triu(), [(3, 4)]),
    case('triu-fn', lambda T, x: T.triu(x, -1), [(4, 3)]),
    case('tril-batched', lambda x: x.tril(-1), [(2, 3, 4)]),
    case('triu-batched-transposed', lambda x: x.transpose(0, 2).triu(), [(2, 3, 4)]),
    case('tril-transposed', lambda x: x.t().tril(), [(2, 3)]),
    case('tril-strided', lambda x: x[:, ::2].tril(), [(2, 4)]),
    case('tril-empty', lambda x: x.tril(), [np.zeros((0, 3), F32)], gradcheck=False),
    case('tril-int', lambda x: x.tril(), [ints((3, 3))]),
    case('triu-bool', lambda x: x.triu(1), [bools((3, 3))]),
    case('tril_', lambda x: (x * 1).tril_(), [(3, 4)]),
    case('triu_', lambda x: (x * 1).triu_(-1), [(3, 4)]),
    case('tril_-batched', lambda x: (x * 1).tril_(1), [(2, 3, 3)]),
    case('triu_-view', lambda x: _base_after(x * 1, lambda y: y.t().triu_()), [(3, 4)]),
    case('tril_-int', lambda x: x.tril_(), [ints((3, 3))], forward_only=True),
    case('diag-1d', lambda x: x.diag(), [(3,)]),
    case('diag-1d-offset', lambda T, x: T.diag(x, 1), [(3,)]),
    case('diag-1d-neg-offset', lambda x: x.diag(-2), [(3,)]),
    case('diag-1d-strided', lambda x: x[:, 0].diag(-1), [(3, 2)]),
    case('diag-2d', lambda x: x.diag(), [(3, 4)]),
    case('diag-2d-offset', lambda T, x: T.diag(x, diagonal=1), [(3, 4)]),
    case('diag-2d-neg-offset', lambda x: x.diag(-1), [(3, 4)]),
    case('diag-2d-offset-outside', lambda x: x.diag(5), [(2, 3)]),
    case('diag-2d-transposed', lambda x: x.t().diag(), [(2, 3)]),
    case('diag-int', lambda x: x.diag(), [ints((3,))]),
    case('diag-bool', lambda x: x.diag(), [bools((2, 3))]),
    case('diag_embed', lambda x: x.diag_embed(), [(2, 3)]),
    case('diag_embed-offset-dims', lambda T, x: T.diag_embed(x, 1, 0, 2), [(2, 3)]),
    case('diag_embed-neg', lambda x: x.diag_embed(-2, -1, 0), [(2, 3)]),
    case('diag_embed-transposed', lambda x: x.t().diag_embed(), [(2, 3)]),
    case('diag_embed-1d', lambda x: x.diag_embed(1), [(3,)]),
    case('diag_embed-bool', lambda x: x.diag_embed(), [bools((2,))]),
    case('diagflat', lambda x: x.diagflat(), [(3,)]),
    case('diagflat-2d', lambda T, x: T.diagflat(x, 1), [(2, 3)]),
    case('diagflat-transposed', lambda x: x.t().diagflat(-1), [(2, 3)]),
    case('diagflat-0d', lambda x: x.diagflat(), [()]),
    case('trace', lambda x: x.trace(), [(3, 4)]),
    case('trace-fn', lambda T, x: T.trace(x), [(4, 3)]),
    case('trace-transposed', lambda x: x.t().trace(), [(2, 3)]),
    case('trace-empty', lambda x: x.trace(), [np.zeros((0, 3), F32)], gradcheck=False),
    case('trace-int', lambda x: x.trace(), [ints((3, 3))]),
    case('trace-int32', lambda x: x.trace(), [ints((3, 3), dtype=np.int32)]),
    case('trace-f64', lambda x: x.trace(), [(3, 3)], dtype=F64),
]


@pytest.mark.parametrize('fn,specs,kw', TRIANGULAR)
def test_triangular(fn, specs, kw):
    check(fn, specs, **kw)


def test_tril_inplace_error_leaves_input_unchanged():
    x = ember.arange(3.)
    with pytest.raises(RuntimeError, match='tril: input tensor must have at least 2 dimensions'):
        x.tril_()
    assert x.tolist() == [0., 1., 2.] and x._version == 0
    y = ember.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        y.triu_()
    assert y.tolist() == [[1., 1.], [1., 1.]]


# ------------------------------------------------------------------ errors

ERRORS = [
    case('repeat-too-few', lambda x: x.repeat(2), [(2, 3)]),
    case('repeat-negative', lambda x: x.repeat(2, -1), [(2, 3)]),
    case('repeat-float', lambda x: x.repeat(2.0), [(2,)]),
    case('repeat-missing', lambda x: x.repeat(), [(2,)]),
    case('tile-negative', lambda x: x.tile(-1), [(2, 3)]),
    case('ri-negative', lambda x: x.repeat_interleave(-1), [(2, 3)]),
    case('ri-bad-dim', lambda x: x.repeat_interleave(2, dim=2), [(2, 3)]),
    case('ri-0d-dim', lambda x: x.repeat_interleave(2, dim=0), [()]),
    case('ri-bad-output-size', lambda x: x.repeat_interleave(2, dim=0, output_size=5), [(2, 3)]),
    case('ri-tensor-negative', lambda x, r: x.repeat_interleave(r, dim=0), [(2, 3), idx([-1, 1])]),
    case('ri-tensor-2d', lambda x, r: x.repeat_interleave(r, dim=0), [(2, 3), idx([[1, 1]])]),
    case('ri-tensor-float', lambda x, r: x.repeat_interleave(r, dim=0), [(2, 3), arr([1., 1.])]),
    case('ri-tensor-size', lambda x, r: x.repeat_interleave(r, dim=-1), [(2, 3), idx([1, 1])]),
    case('ri-tensor-size-flat', lambda x, r: x.repeat_interleave(r), [(2, 3), idx([1, 1])]),
    case('ri-tensor-0d-input', lambda x, r: x.repeat_interleave(r, dim=0), [(), idx([2])]),
    case('ri-tensor-output-size', lambda x, r: x.repeat_interleave(r, 0, output_size=4), [(2, 3), idx([1, 2])]),
    case('ri-counts-2d', lambda T, r: T.repeat_interleave(r), [idx([[1, 2]])]),
    case('ri-counts-0d', lambda T, r: T.repeat_interleave(r), [np.array(2, I64)]),
    case('flip-repeated', lambda x: x.flip(0, 0), [(2, 3)]),
    case('flip-repeated-neg', lambda x: x.flip(0, -2), [(2, 3)]),
    case('flip-bad-dim', lambda x: x.flip(2), [(2, 3)]),
    case('flip-missing-dims', lambda x: x.flip(), [(2, 3)]),
    case('fliplr-1d', lambda x: x.fliplr(), [(3,)]),
    case('flipud-0d', lambda x: x.flipud(), [()]),
    case('roll-mismatch', lambda x: x.roll((1, 2), 0), [(2, 3)]),
    case('roll-mismatch-more-dims', lambda x: x.roll((1, 2), (0, 1, 1)), [(2, 3)]),
    case('roll-shifts-no-dims', lambda x: x.roll((1, 2)), [(2, 3)]),
    case('roll-empty-shifts', lambda x: x.roll((), ()), [(2, 3)]),
    case('roll-bad-dim', lambda x: x.roll(1, 2), [(2, 3)]),
    case('roll-0d-dim', lambda x: x.roll(1, -1), [()]),
    case('rot90-1d', lambda x: x.rot90(), [(3,)]),
    case('rot90-three-dims', lambda x: x.rot90(1, (0, 1, 2)), [(2, 3)]),
    case('rot90-same-dims', lambda x: x.rot90(1, (0, -2)), [(2, 3)]),
    case('rot90-bad-dim', lambda x: x.rot90(1, (0, 2)), [(2, 3)]),
    case('movedim-length', lambda x: x.movedim((0, 1), (0,)), [(2, 3)]),
    case('movedim-repeated-src', lambda x: x.movedim((0, -2), (0, 1)), [(2, 3)]),
    case('movedim-repeated-dst', lambda x: x.movedim((0, 1), (1, 1)), [(2, 3)]),
    case('movedim-bad-dim', lambda x: x.movedim(2, 0), [(2, 3)]),
    case('movedim-mixed-types', lambda x: x.movedim((0, 1), 0), [(2, 3)], message='first_line'),
    case('hstack-empty', lambda T: T.hstack([]), []),
    case('vstack-empty', lambda T: T.vstack([]), []),
    case('dstack-empty', lambda T: T.dstack([]), []),
    case('column_stack-empty', lambda T: T.column_stack([]), []),
    case('hstack-tensor', lambda T, x: T.hstack(x), [(2, 3)]),
    case('hstack-ndim', lambda T, x, y: T.hstack([x, y]), [(2, 3), (2, 3, 4)]),
    case('vstack-mismatch', lambda T, x, y: T.vstack([x, y]), [(2, 3), (2, 4)]),
    case('ts-zero', lambda x: x.tensor_split(0), [(2, 3)]),
    case('ts-negative', lambda x: x.tensor_split(-1), [(2, 3)]),
    case('ts-0d', lambda x: x.tensor_split(1), [()]),
    case('ts-tensor-2d', lambda x, s: x.tensor_split(s, 1), [(2, 3), idx([[1]])]),
    case('ts-tensor-float', lambda x, s: x.tensor_split(s, 1), [(2, 3), arr([1.])]),
    case('ts-tensor-int32', lambda x, s: x.tensor_split(s), [(4,), idx([1]).astype(np.int32)]),
    case('ts-bad-dim', lambda x: x.tensor_split(2, 2), [(2, 3)]),
    case('hsplit-0d', lambda x: x.hsplit(1), [()]),
    case('hsplit-indivisible', lambda x: x.hsplit(2), [(2, 3)]),
    case('hsplit-1d-indivisible', lambda x: x.hsplit(2), [(3,)]),
    case('hsplit-zero', lambda x: x.hsplit(0), [(2, 3)]),
    case('vsplit-1d', lambda x: x.vsplit(1), [(3,)]),
    case('vsplit-indivisible', lambda x: x.vsplit(3), [(2, 3)]),
    case('dsplit-2d', lambda x: x.dsplit(1), [(2, 3)]),
    case('dsplit-indivisible', lambda x: x.dsplit(3), [(2, 3, 4)]),
    case('meshgrid-2d', lambda T, x, y: T.meshgrid(x, y, indexing='ij'), [(2, 3), (3,)], message=False),
    case('meshgrid-bad-indexing', lambda T, x, y: T.meshgrid(x, y, indexing='foo'), [(2,), (3,)]),
    case('meshgrid-dtypes', lambda T, x, y: T.meshgrid(x, y, indexing='ij'), [(2,), ints((3,))]),
    case('meshgrid-empty', lambda T: T.meshgrid(indexing='ij'), []),
    case('broadcast_to-mismatch', lambda x: x.broadcast_to((2, 4)), [(2, 3)]),
    case('broadcast_to-too-few', lambda x: x.broadcast_to((3,)), [(2, 3)]),
    case('broadcast_tensors-mismatch', lambda T, x, y: T.broadcast_tensors(x, y), [(2, 3), (2,)]),
    case('broadcast_tensors-mismatch-3', lambda T, x, y, z: T.broadcast_tensors(x, y, z), [(2, 1), (1, 3), (4, 1)]),
    case('broadcast_tensors-list', lambda T, x, y: T.broadcast_tensors([x, y]), [(2, 3), (3,)]),
    case('broadcast_shapes-mismatch', lambda T: T.broadcast_shapes((2, 1), (3,), 4), []),
    case('broadcast_shapes-list', lambda T: T.broadcast_shapes([2, 3], [4, 3]), []),
    case('broadcast_shapes-size', lambda T: T.broadcast_shapes(T.Size([2, 3]), T.Size([4, 3])), []),
    case('broadcast_shapes-negative', lambda T: T.broadcast_shapes((2, -1), (2, 3)), []),
    case('broadcast_shapes-negative-late', lambda T: T.broadcast_shapes((2,), (3, -1)), []),
    pytest.param(lambda T, x: T.broadcast_shapes(x), [arr([1., 2.])], {}, id='broadcast_shapes-tensor',
                 marks=pytest.mark.cpu_only),          # the message prints the tensor (device='cuda:0')
    case('atleast_1d-int', lambda T: T.atleast_1d(3), [], message='first_line'),
    case('tril-1d', lambda x: x.tril(), [(3,)]),
    case('triu-0d', lambda x: x.triu(), [()]),
    case('tril_-1d', lambda x: x.tril_(), [(3,)]),
    case('tril_-leaf', lambda x: x.tril_(), [(2, 2)], requires_grad=[True]),
    case('diag-3d', lambda x: x.diag(), [(2, 3, 4)]),
    case('diag-0d', lambda x: x.diag(), [()]),
    case('diag_embed-same-dims', lambda x: x.diag_embed(0, 1, -2), [(2, 3)]),
    case('diag_embed-bad-dim', lambda x: x.diag_embed(0, 0, 3), [(2, 3)]),
    case('diag_embed-0d', lambda x: x.diag_embed(), [()]),
    case('trace-1d', lambda x: x.trace(), [(3,)]),
    case('trace-3d', lambda x: x.trace(), [(2, 3, 4)]),
    case('trace-bool', lambda x: x.trace(), [bools((2, 2))]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_outputs_share_memory_as_torch():
    """Views write through to their base; copies (flip, roll, repeat) do not."""
    x = ember.arange(6.).reshape(2, 3)
    x.movedim(0, 1)[0, 1] = 10.
    x.tensor_split(3, 1)[2][0, 0] = 20.
    x.broadcast_to(4, 2, 3)        # a read-only-shaped view: no write needed
    x.flip(0)[0, 0] = -1.
    x.roll(1)[0, 0] = -1.
    assert x.tolist() == [[0., 1., 20.], [10., 4., 5.]]
    t = torch.arange(6.).reshape(2, 3)
    t.movedim(0, 1)[0, 1] = 10.
    t.tensor_split(3, 1)[2][0, 0] = 20.
    assert t.tolist() == x.tolist()
