"""block_diag, cartesian_prod, combinations, vander, unravel_index, diff, inner, bit shifts and the
<< >> operators, in-place/alias method names, apply_/map_ and typename against PyTorch (values,
dtype, grad_fn name, layout, backward grads, float64 gradcheck/gradgradcheck: see helpers.check)."""
import re

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, arr, ints, bools, case, xfail

F32, F64 = np.float32, np.float64
I64, I32, I8, U8 = np.int64, np.int32, np.int8, np.uint8


# ------------------------------------------------------------------ building ops

VANDER = dict(forward_only=True, requires_grad=[True])

BUILD = [
    case('block_diag', lambda T, x, y: T.block_diag(x, y), [(2, 3), (1, 2)]),
    case('block_diag-0d-1d', lambda T, x, y, z: T.block_diag(x, y, z), [(), (3,), (2, 2)]),
    case('block_diag-one', lambda T, x: T.block_diag(x), [(2, 3)]),
    case('block_diag-transposed', lambda T, x, y: T.block_diag(x.t(), y[:, ::2]), [(2, 3), (2, 4)]),
    case('block_diag-mixed-float', lambda T, x, y: T.block_diag(x, y), [(2, 2), np.ones((1, 2), F64)]),
    case('block_diag-0d-f64-loses', lambda T, x, y: T.block_diag(x, y), [np.array(3., F64), (2,)]),
    case('block_diag-int-bool', lambda T, x, y: T.block_diag(x, y), [ints((2, 2), dtype=I32), bools((1, 2))]),
    case('block_diag-empty', lambda T: T.block_diag(T.ones(0, 2), T.ones(2, 0)), []),
    case('block_diag-none', lambda T: T.block_diag(), [], forward_only=True),
    case('cartesian_prod', lambda T, x, y: T.cartesian_prod(x, y), [(3,), (2,)]),
    case('cartesian_prod-3', lambda T, x, y, z: T.cartesian_prod(x, y, z), [(2,), (2,), (3,)]),
    case('cartesian_prod-one', lambda T, x: T.cartesian_prod(x), [(3,)]),
    case('cartesian_prod-int', lambda T, x, y: T.cartesian_prod(x, y), [ints((3,)), ints((2,))]),
    case('cartesian_prod-empty', lambda T, x: T.cartesian_prod(x, T.ones(0)), [(2,)], gradcheck=False),
    case('combinations', lambda T, x: T.combinations(x), [(4,)]),
    case('combinations-r3', lambda T, x: T.combinations(x, r=3), [(4,)]),
    case('combinations-repl', lambda T, x: T.combinations(x, with_replacement=True), [(3,)]),
    case('combinations-r1', lambda T, x: T.combinations(x, 1), [(3,)]),
    case('combinations-r0', lambda T, x: T.combinations(x, 0), [(3,)]),
    case('combinations-r-big', lambda T, x: T.combinations(x, 4), [(3,)], gradcheck=False),
    case('combinations-int', lambda T, x: T.combinations(x, 2, True), [ints((4,))]),
    case('combinations-empty', lambda T, x: T.combinations(x), [np.ones(0, F32)], gradcheck=False),
    case('combinations-strided', lambda T, x: T.combinations(x[::2]), [(6,)]),
    # PyTorch's vander cannot be differentiated (its backward finds a saved slice modified in place);
    # forward only, with the grad_fn names compared (test_vander_backward_fails_as_in_pytorch)
    case('vander', lambda T, x: T.vander(x), [(3,)], **VANDER),
    case('vander-N', lambda T, x: T.vander(x, 4), [(3,)], **VANDER),
    case('vander-increasing', lambda T, x: T.vander(x, N=4, increasing=True), [(3,)], **VANDER),
    case('vander-N0', lambda T, x: T.vander(x, 0), [(3,)], **VANDER),
    case('vander-N1', lambda T, x: T.vander(x, 1, True), [(3,)], **VANDER),
    case('vander-N2', lambda T, x: T.vander(x, 2), [(3,)], **VANDER),
    case('vander-f64', lambda T, x: T.vander(x), [np.array([1., 2., -0.5], F64)], **VANDER),
    case('vander-int', lambda T, x: T.vander(x, 3), [ints((3,), dtype=I32)]),
    case('vander-bool', lambda T, x: T.vander(x), [bools((3,))]),
    case('vander-strided', lambda T, x: T.vander(x[::2]), [(5,)], **VANDER),
    case('unravel', lambda T, i: T.unravel_index(i, (2, 3)), [np.array([3, 5, 0], I64)]),
    case('unravel-0d', lambda T, i: T.unravel_index(i, (2, 3)), [np.array(4, I64)]),
    case('unravel-int-shape', lambda T, i: T.unravel_index(i, 4), [np.array([1, 3], I64)]),
    case('unravel-int32-2d', lambda T, i: T.unravel_index(i, [2, 3, 4]), [ints((2, 2), 0, 24, dtype=I32)]),
    case('unravel-negative', lambda T, i: T.unravel_index(i, (2, 3)), [np.array([-1, 7], I64)]),
    case('unravel-size', lambda T, i: T.unravel_index(i, T.Size([2, 3])), [np.array([4], I64)]),
    case('unravel-empty-shape', lambda T, i: T.unravel_index(i, ()), [np.array([1], I64)]),
]


@pytest.mark.parametrize('n', [2, 4])
def test_vander_backward_fails_as_in_pytorch(n):
    msgs = []
    for T in (torch, ember):
        x = T.tensor([1., 2., 3.], requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            T.vander(x, n).sum().backward()
        msgs.append(str(info.value).split(': [')[0])
    assert msgs[0] == msgs[1] == ('one of the variables needed for gradient computation has been modified by '
                                  'an inplace operation')


def test_cartesian_prod_of_one_is_the_input():
    assert ember.cartesian_prod(x := ember.ones(3)) is x


# ------------------------------------------------------------------ diff / inner

DIFF_INNER = [
    case('diff', lambda T, x: T.diff(x), [(2, 4)]),
    case('diff-method', lambda x: x.diff(), [(5,)]),
    case('diff-dim0', lambda x: x.diff(dim=0), [(3, 2)]),
    case('diff-neg-dim', lambda x: x.diff(1, -2), [(3, 2)]),
    case('diff-n2', lambda x: x.diff(n=2), [(2, 5)]),
    case('diff-n0', lambda T, x: T.diff(x, n=0), [(2, 3)]),
    case('diff-n0-values', lambda T, x: T.diff(x, n=0), [(2, 3)], grad_fn=False),
    case('diff-n-big', lambda x: x.diff(n=5), [(2, 3)], gradcheck=False),
    case('diff-prepend', lambda T, x, p: T.diff(x, prepend=p), [(2, 3), (2, 1)]),
    case('diff-append', lambda T, x, a: T.diff(x, dim=0, append=a), [(2, 3), (2, 3)]),
    case('diff-both-n2', lambda x, p, a: x.diff(2, 1, p, a), [(2, 3), (2, 2), (2, 1)]),
    case('diff-prepend-f64', lambda x, p: x.diff(prepend=p), [(2, 3), np.ones((2, 1), F64)]),
    case('diff-int', lambda x: x.diff(), [ints((2, 4))]),
    case('diff-int-prepend-float', lambda x, p: x.diff(prepend=p), [ints((3,)), (1,)]),
    case('diff-bool', lambda x: x.diff(), [bools((6,))]),
    case('diff-bool-n2', lambda x: x.diff(n=2), [bools((6,))]),
    case('diff-bool-int-prepend', lambda x, p: x.diff(prepend=p), [bools((3,)), ints((1,))]),
    case('diff-transposed', lambda x: x.t().diff(), [(3, 4)]),
    case('diff-strided', lambda x: x[:, ::2].diff(dim=0), [(3, 4)]),
    case('diff-empty', lambda T: T.diff(T.ones(0)), []),
    case('diff-empty-dim', lambda x: x.diff(dim=0), [np.ones((0, 2), F32)], gradcheck=False, layout=False),
    case('inner-2d', lambda T, x, y: T.inner(x, y), [(2, 3), (4, 3)]),
    case('inner-1d', lambda T, x, y: T.inner(x, y), [(3,), (3,)]),
    case('inner-method', lambda x, y: x.inner(y), [(2, 3), (3,)]),
    case('inner-3d', lambda T, x, y: T.inner(x, y), [(2, 2, 3), (4, 3)]),
    case('inner-0d', lambda T, x, y: T.inner(x, y), [(3,), ()]),
    case('inner-0d-first', lambda T, x, y: T.inner(x, y), [(), (2, 3)]),
    case('inner-transposed', lambda T, x, y: T.inner(x.t(), y), [(3, 2), (4, 3)]),
    case('inner-int', lambda T, x, y: T.inner(x, y), [ints((2, 3)), ints((3,))]),
    case('inner-f64', lambda T, x, y: T.inner(x, y), [np.ones((2, 3), F64), np.ones((2, 3), F64)]),
]


# ------------------------------------------------------------------ bit shifts and operators

A = np.array([1, 2, -8, 5], I64)
COUNTS = np.array([0, 1, 3, 63], I64)
WILD = np.array([-1, 64, 100, 2], I64)             # out-of-range counts shift every bit out
SHIFTS = [
    case('lshift-fn', lambda T, a, b: T.bitwise_left_shift(a, b), [A, COUNTS]),
    case('rshift-fn', lambda T, a, b: T.bitwise_right_shift(a, b), [A, COUNTS]),
    case('lshift-method', lambda a: a.bitwise_left_shift(2), [A]),
    case('rshift-method', lambda a, b: a.bitwise_right_shift(b), [A, COUNTS]),
    case('lshift-op', lambda a: a << 1, [A]),
    case('rshift-op', lambda a: a >> 1, [A]),
    case('lshift-op-tensor', lambda a, b: a << b, [A, COUNTS]),
    case('rlshift-op', lambda a: 1 << a, [np.array([1, 2, -8], I64)]),
    case('rrshift-op', lambda a: 64 >> a, [np.array([1, 2, -8, 70], I64)]),
    case('lshift-number-first', lambda T, a: T.bitwise_left_shift(3, a), [np.array([0, 1, 2], I64)]),
    case('lshift-wild', lambda a, b: a << b, [A, WILD]),
    case('rshift-wild', lambda a, b: a >> b, [A, WILD]),
    case('lshift-64', lambda a: a << 64, [A]),
    case('rshift-64', lambda a: a >> 64, [A]),
    case('rshift-neg', lambda a: a >> -1, [A]),
    case('lshift-uint8-wraps', lambda a: a << 1, [np.array([1, 2, 200], U8)]),
    case('rshift-uint8-wild', lambda a: a >> 9, [np.array([1, 2, 200], U8)]),
    case('rshift-int8-sign', lambda a: a >> 100, [np.array([-5, 5], I8)]),
    case('lshift-int32-int64', lambda a, b: a << b, [np.array([1, 2, 3], I32), np.array([1, 2, 3], I64)]),
    case('lshift-broadcast', lambda a, b: a << b, [ints((2, 3), 0, 8), ints((3,), 0, 4)]),
    case('lshift-bool-int', lambda a: a << 1, [np.array([True, False])]),
    case('rshift-0d', lambda a, b: a >> b, [np.array(9, I64), np.array([1, 2], I64)]),
    case('rshift-transposed', lambda a: a.t() >> 1, [ints((2, 3), -20, 20)]),
    case('lshift-empty', lambda a: a << 1, [np.zeros((0, 2), I64)]),
    case('lshift_', lambda a, b: a.bitwise_left_shift_(b), [np.array([1, 2, 3], I32), np.array([1, 2, 3], I64)]),
    case('rshift_', lambda a: a.bitwise_right_shift_(1), [A]),
    case('ilshift', lambda a: a.__ilshift__(2), [A]),
    case('irshift', lambda a, b: a.__irshift__(b), [A, COUNTS]),
    case('lshift-out', lambda T, a, o: T.bitwise_left_shift(a, 1, out=o), [A, np.zeros(4, I64)]),
]


@pytest.mark.parametrize('fn,specs,kw', SHIFTS)
def test_shifts(fn, specs, kw):
    check(fn, specs, forward_only=True, **kw)


def test_shift_operators_in_place_statements():
    e, t = ember.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    e <<= 2
    t <<= 2
    e >>= ember.tensor([0, 1, 2])
    t >>= torch.tensor([0, 1, 2])
    assert e.tolist() == t.tolist()
    with pytest.raises(TypeError, match="unsupported operand type"):
        ember.tensor([1]) << 'x'


# ------------------------------------------------------------------ in-place / alias method names

# PyTorch's logical_*_ are not recorded: the tensor keeps its grad_fn (MulBackward0 here), so the
# gradient passes through unchanged and a finite-difference gradcheck cannot agree (in PyTorch too)


def _base_after(y, inplace_on_view):      # y, after an in-place op on a view of it (CopySlices)
    inplace_on_view(y)
    return y


P, Q = arr([0., 1., 2.]), arr([1., 0., 3.])
ALIASES = [
    case('absolute_', lambda x: (x * 1).absolute_(), [(2, 3)]),
    case('negative_', lambda x: (x * 1).negative_(), [(2, 3)]),
    case('divide_', lambda x, y: (x * 1).divide_(y), [(2, 3), (3,)], low=0.5, high=2),
    case('divide_-floor', lambda x: (x * 1).divide_(0.7, rounding_mode='floor'), [(2, 3)], gradgrad=False),
    case('divide_-trunc-int', lambda x: x.divide_(2, rounding_mode='trunc'), [ints((2, 3))]),
    case('multiply_', lambda x, y: (x * 1).multiply_(y), [(2, 3), (2, 1)]),
    case('subtract_', lambda x, y: (x * 1).subtract_(y), [(2, 3), (3,)]),
    case('subtract_-alpha', lambda x, y: (x * 1).subtract_(y, alpha=2), [(2, 3), (3,)]),
    case('true_divide_', lambda x: (x * 1).true_divide_(3.), [(2, 3)]),
    case('greater_', lambda x: x.greater_(0.), [(2, 3)], forward_only=True),
    case('greater_equal_', lambda x, y: x.greater_equal_(y), [(2, 3), (3,)], forward_only=True),
    case('less_', lambda x: x.less_(0.5), [(2, 3)], forward_only=True),
    case('less_equal_-int', lambda x: x.less_equal_(0), [ints((2, 3))]),
    case('not_equal_', lambda x, y: x.not_equal_(y), [ints((2, 3), 0, 2), ints((3,), 0, 2)]),
    case('greater_-grad', lambda x: (x * 1).greater_(0.), [(2, 3)], gradgrad=False),
    case('logical_and_', lambda x, y: (x * 1).logical_and_(y), [P, Q], gradcheck=False),
    case('logical_or_', lambda x, y: (x * 1).logical_or_(y), [P, arr([1., 0., 0.])], gradcheck=False),
    case('logical_xor_', lambda x, y: (x * 1).logical_xor_(y), [P, Q], gradcheck=False),
    case('logical_not_', lambda x: (x * 1).logical_not_(), [arr([0., 1., -2.])], gradcheck=False),
    case('logical_and_-leaf', lambda x, y: x.logical_and_(y), [P, Q], gradcheck=False),
    case('logical_and_-int', lambda x, y: x.logical_and_(y), [ints((2, 3)), ints((3,))]),
    case('logical_not_-bool', lambda x: x.logical_not_(), [bools((4,))]),
    case('logical_or_-bool', lambda x, y: x.logical_or_(y), [bools((4,)), bools((4,), seed=1)]),
    case('bitwise_and_', lambda x, y: x.bitwise_and_(y), [ints((2, 3)), ints((3,))]),
    case('bitwise_or_', lambda x: x.bitwise_or_(6), [ints((2, 3))]),
    case('bitwise_xor_', lambda x, y: x.bitwise_xor_(y), [bools((3,)), bools((3,), seed=1)]),
    case('bitwise_not_', lambda x: x.bitwise_not_(), [ints((2, 3))]),
    case('clamp_min_', lambda x: (x * 1).clamp_min_(0.2), [(2, 3)]),
    case('clamp_max_', lambda x: (x * 1).clamp_max_(-0.1), [(2, 3)]),
    case('clamp_min_-tensor', lambda x, y: (x * 1).clamp_min_(y), [(2, 3), (3,)]),
    case('clamp_max_-tensor', lambda x, y: (x * 1).clamp_max_(y), [(2, 3), (3,)]),
    case('clamp_min_-int', lambda x: x.clamp_min_(0), [ints((2, 3))]),
    case('square_', lambda x: (x * 1).square_(), [(2, 3)]),
    case('square_-int', lambda x: x.square_(), [ints((2, 3))]),
    case('square_-view', lambda x: _base_after(x * 1, lambda y: y[:, 1].square_()), [(2, 3)]),
    case('hardshrink', lambda x: x.hardshrink(), [arr([-1., -0.2, 0.3, 0.7])]),
    case('hardshrink-lambd', lambda x: x.hardshrink(0.3), [arr([-1., -0.2, 0.1, 0.7])]),
    case('hardshrink-fn', lambda T, x: T.hardshrink(x, lambd=0.25), [arr([-1., -0.2, 0.1, 0.7])]),
    case('prelu', lambda x, w: x.prelu(w), [(2, 3, 4), (3,)]),
    case('prelu-fn', lambda T, x, w: T.prelu(x, w), [(2, 3), (1,)]),
]


@pytest.mark.parametrize('fn,specs,kw', BUILD + DIFF_INNER + ALIASES)
def test_ops(fn, specs, kw):
    check(fn, specs, **kw)


# ------------------------------------------------------------------ apply_ / map_

CALLBACKS = [
    case('apply_', lambda x: x.apply_(lambda v: v * 2 + 1), [(2, 3)]),
    case('apply_-view', lambda x: x.t().apply_(lambda v: v * 3), [(2, 3)]),
    case('apply_-int-truncates', lambda x: x.apply_(lambda v: v / 2), [ints((2, 3))]),
    case('apply_-int-bool-result', lambda x: x.apply_(lambda v: v > 0), [ints((4,))]),
    case('apply_-bool', lambda x: x.apply_(lambda v: not v), [bools((4,))]),
    case('apply_-0d', lambda x: x.apply_(lambda v: v - 1), [()]),
    case('apply_-float-takes-int-bool', lambda x: x.apply_(lambda v: v > 0 if v > 1 else 3), [(4,)]),
    case('apply_-float-numpy', lambda x: x.apply_(lambda v: np.float32(v) * 2), [(4,)]),
    case('apply_-bool-from-float', lambda x: x.apply_(lambda v: 2.7 if v else 0.0), [bools((4,))]),
    case('apply_-int-numpy', lambda x: x.apply_(lambda v: np.int32(v + 1)), [ints((4,))]),
    case('apply_-uint8-wraps', lambda x: x.apply_(lambda v: -v), [np.array([1, 2, 255], U8)]),
    case('map_', lambda x, y: x.map_(y, lambda a, b: a * b + 1), [(2, 3), (3,)]),
    case('map_-int', lambda x, y: x.map_(y, lambda a, b: a // 2 + b), [ints((2, 3)), ints((2, 3))]),
    case('map_-view', lambda x, y: x[:, ::2].map_(y, lambda a, b: a - b), [(2, 4), (2, 2)]),
]


CALLBACK_ERRORS = [
    case('apply_-grad', lambda x: x.apply_(lambda v: v), [(2,)]),
    case('apply_-none', lambda x: x.apply_(lambda v: None), [(2,)]),
    case('apply_-str', lambda x: x.apply_(lambda v: 'x'), [(2,)]),
    case('apply_-int-none', lambda x: x.apply_(lambda v: None), [ints((2,))]),
    case('apply_-not-callable', lambda x: x.apply_(3), [(2,)]),
    case('apply_-int-float32', lambda x: x.apply_(lambda v: np.float32(2.5)), [ints((2,))]),
    case('apply_-int-str', lambda x: x.apply_(lambda v: '1'), [ints((2,))]),
    case('apply_-bool-none', lambda x: x.apply_(lambda v: None), [bools((2,))]),
    case('apply_-complex', lambda x: x.apply_(lambda v: 1j), [(2,)]),
    case('apply_-int8-overflow', lambda x: x.apply_(lambda v: 200), [ints((2,), dtype=I8)]),
    case('apply_-uint8-overflow', lambda x: x.apply_(lambda v: -256), [ints((2,), 0, 3, dtype=U8)]),
    case('apply_-int64-overflow', lambda x: x.apply_(lambda v: 2 ** 64), [ints((2,))]),
    case('map_-grad', lambda x, y: x.map_(y, lambda a, b: a), [(2,), (2,)]),
    case('map_-other-grad', lambda x, y: x.map_(y, lambda a, b: a), [(2,), (2,)]),
    case('map_-dtype', lambda x, y: x.map_(y, lambda a, b: a), [(2,), ints((2,))]),
    case('map_-shape', lambda x, y: x.map_(y, lambda a, b: a), [(2,), (3,)]),
    case('map_-number', lambda x: x.map_(2., lambda a, b: a), [(2,)]),
]


@pytest.mark.cpu_only          # apply_ and map_ run Python callbacks on host memory only (as in PyTorch)
@pytest.mark.parametrize('fn,specs,kw', CALLBACKS)
def test_callbacks(fn, specs, kw):
    check(fn, specs, forward_only=True, **kw)


@pytest.mark.cpu_only
@pytest.mark.parametrize('fn,specs,kw', CALLBACK_ERRORS)
def test_callback_errors(fn, specs, kw, request):
    check_error(fn, specs, requires_grad=GRAD_ERRORS.get(request.node.callspec.id), **kw)


@pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA')
def test_callbacks_refuse_cuda_tensors():
    x = ember.ones(2, device='cuda')
    with pytest.raises(TypeError, match='^apply_ is only implemented on CPU tensors$'):
        x.apply_(lambda v: v)
    with pytest.raises(TypeError, match='^map_ is only implemented on CPU tensors$'):
        x.map_(ember.ones(2, device='cuda'), lambda a, b: a)


# ------------------------------------------------------------------ random methods and typename

def test_bernoulli_method_matches_function():
    p = ember.rand(3, 4)
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    a, b = p.bernoulli(generator=g1), ember.bernoulli(p, generator=g2)
    assert a.dtype == p.dtype and a.shape == p.shape and ember.equal(a, b)
    c = ember.zeros(1000, dtype=ember.float64).bernoulli(0.25)
    assert c.dtype == ember.float64 and 150 < c.sum().item() < 350
    with pytest.raises(RuntimeError):
        ember.tensor([1.5]).bernoulli()


def test_multinomial_method_matches_function():
    p = ember.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    g1, g2 = ember.Generator().manual_seed(1), ember.Generator().manual_seed(1)
    a, b = p.multinomial(2, generator=g1), ember.multinomial(p, 2, generator=g2)
    assert a.dtype == ember.int64 and a.shape == (2, 2) and ember.equal(a, b)
    assert set(p.multinomial(1, True).flatten().tolist()) <= {0, 1, 2}


@pytest.mark.cpu_only          # on a GPU tensors are 'ember.cuda.FloatTensor' (torch here is CPU only)
@pytest.mark.parametrize('make', [
    lambda T: T.ones(2), lambda T: T.ones(2, dtype=T.int64), lambda T: T.ones(2, dtype=T.bool),
    lambda T: T.nn.Parameter(T.ones(1)), lambda T: T.nn.Linear, lambda T: T.nn.Linear(1, 1),
    lambda T: 1, lambda T: int, lambda T: None, lambda T: T.float32, lambda T: T.Size([2]), lambda T: T])
def test_typename(make):
    assert ember.typename(make(ember)) == re.sub('^torch', 'ember', torch.typename(make(torch)))


# ------------------------------------------------------------------ errors

ERRORS = [
    case('block_diag-3d', lambda T, x: T.block_diag(x), [(2, 2, 2)]),
    case('cartesian-2d', lambda T, x, y: T.cartesian_prod(x, y), [(2,), (2, 2)]),
    case('cartesian-0d', lambda T, x: T.cartesian_prod(x), [()]),
    case('cartesian-none', lambda T: T.cartesian_prod(), []),
    case('cartesian-dtypes', lambda T, x, y: T.cartesian_prod(x, y), [(2,), ints((2,))]),
    case('combinations-2d', lambda T, x: T.combinations(x), [(2, 2)]),
    case('combinations-neg', lambda T, x: T.combinations(x, -1), [(3,)]),
    case('vander-2d', lambda T, x: T.vander(x), [(2, 2)]),
    case('vander-0d', lambda T, x: T.vander(x), [()]),
    case('vander-neg', lambda T, x: T.vander(x, -1), [(3,)]),
    case('unravel-float', lambda T, i: T.unravel_index(i, (2, 3)), [(2,)]),
    case('unravel-bool', lambda T, i: T.unravel_index(i, (2, 3)), [bools((2,))]),
    case('unravel-neg-shape', lambda T, i: T.unravel_index(i, (2, -3)), [np.array([1], I64)]),
    case('unravel-float-shape', lambda T, i: T.unravel_index(i, (2.,)), [np.array([1], I64)]),
    case('unravel-str-shape', lambda T, i: T.unravel_index(i, 'ab'), [np.array([1], I64)]),
    case('unravel-python-int', lambda T: T.unravel_index(5, (2, 3)), []),
    case('diff-0d', lambda T, x: T.diff(x), [()]),
    case('diff-neg-n', lambda x: x.diff(n=-1), [(2, 3)]),
    case('diff-float-n', lambda x: x.diff(n=1.5), [(3,)]),
    case('diff-bad-dim', lambda x: x.diff(dim=2), [(2, 3)]),
    case('diff-prepend-ndim', lambda x, p: x.diff(prepend=p), [(2, 3), (3,)]),
    case('diff-prepend-0d', lambda x, p: x.diff(prepend=p), [(2, 3), ()]),
    case('diff-append-shape', lambda x, a: x.diff(dim=0, append=a), [(2, 3), (1, 2)]),
    case('diff-prepend-number', lambda x: x.diff(prepend=1.), [(3,)]),
    case('diff-append-number', lambda x: x.diff(append=1.), [(3,)]),
    case('inner-mismatch', lambda T, x, y: T.inner(x, y), [(2, 3), (2,)]),
    case('lshift-float', lambda a: a << 1, [(2,)]),
    case('lshift-float-scalar', lambda a: a << 1.5, [A]),
    case('rlshift-float', lambda a: 1.5 << a, [A]),
    case('rshift-float-tensor', lambda a, b: a >> b, [A, (4,)]),
    case('rshift-shape-first', lambda a, b: a >> b, [(2,), A]),
    case('lshift-bool-bool', lambda a, b: a << b, [bools((2,)), bools((2,))]),
    case('rshift-bool-bool', lambda T, a, b: T.bitwise_right_shift(a, b), [bools((2,)), bools((2,))]),
    case('lshift-numbers', lambda T: T.bitwise_left_shift(1, 2), [], message='first_line'),
    case('lshift_-float-other', lambda a, b: a.bitwise_left_shift_(b), [A, (4,)]),
    case('ilshift-float', lambda a: a.__ilshift__(1.5), [A]),
    case('irshift-shape', lambda a, b: a.__irshift__(b), [A, ints((2, 4), 0, 3)]),
    case('rshift-broadcast', lambda a, b: a >> b, [A, ints((3,))]),
    case('absolute_-leaf', lambda x: x.absolute_(), [(2,)]),
    case('square_-leaf', lambda x: x.square_(), [(2,)]),
    case('clamp_min_-leaf', lambda x: x.clamp_min_(0.), [(2,)]),
    case('divide_-int', lambda x: x.divide_(2), [ints((3,))]),
    case('clamp_min_-int-float', lambda x: x.clamp_min_(0.5), [ints((3,), dtype=I32)]),
    case('clamp_max_-bool-float', lambda x: x.clamp_max_(0.5), [bools((3,))]),
    case('square_-bool', lambda x: x.square_(), [bools((3,))]),
    case('logical_and_-shape', lambda x, y: x.logical_and_(y), [(3,), (2, 3)]),
    case('bitwise_and_-float', lambda x, y: x.bitwise_and_(y), [(3,), (3,)]),
]
GRAD_ERRORS = {'absolute_-leaf': [True], 'square_-leaf': [True], 'clamp_min_-leaf': [True], 'apply_-grad': [True],
               'map_-grad': [True, False], 'map_-other-grad': [False, True]}


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw, request):
    check_error(fn, specs, requires_grad=GRAD_ERRORS.get(request.node.callspec.id), **kw)


def test_failed_inplace_leaves_input_unchanged():
    a = ember.tensor([1, 2, 3])
    for bad in (lambda: a.bitwise_left_shift_(ember.ones(3)), lambda: a.__ilshift__(1.5),
                lambda: a.__irshift__(ember.ones(2, 3, dtype=ember.int64))):
        with pytest.raises(RuntimeError):
            bad()
        assert a.tolist() == [1, 2, 3] and a._version == 0
    x = ember.tensor([1., 0., 2.])
    with pytest.raises(RuntimeError):
        x.logical_and_(ember.ones(2, 3))
    assert x.tolist() == [1., 0., 2.]
