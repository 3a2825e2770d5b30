"""The *_copy functions against PyTorch: values, fresh contiguous outputs (never views), grad_fn
names (``PermuteBackward0_copy``), backward, gradcheck and gradgradcheck, out=, and errors."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case, cplx, ints

CASES = [
    case('alias', lambda T, x: T.alias_copy(x), [(3, 4)]),
    case('as_strided', lambda T, x: T.as_strided_copy(x, (2, 2), (1, 2)), [(3, 4)]),
    case('as_strided_offset', lambda T, x: T.as_strided_copy(x[1:], (2, 3), (1, 2), 5), [(3, 4)]),
    case('diagonal', lambda T, x: T.diagonal_copy(x), [(3, 4)]),
    case('diagonal_args', lambda T, x: T.diagonal_copy(x, -1, 2, 0), [(3, 4, 5)]),
    case('expand', lambda T, x: T.expand_copy(x, (2, 3, 4)), [(3, 1)]),
    case('expand_implicit', lambda T, x: T.expand_copy(x, (3, 4), implicit=True), [(4,)]),
    case('permute', lambda T, x: T.permute_copy(x, (2, 0, 1)), [(2, 3, 4)]),
    case('permute_noncontig', lambda T, x: T.permute_copy(x.t(), (1, 0)), [(3, 4)]),
    case('select', lambda T, x: T.select_copy(x, -1, 2), [(3, 4)]),
    case('slice', lambda T, x: T.slice_copy(x, 1, 0, 3, 2), [(3, 4)]),
    case('slice_default', lambda T, x: T.slice_copy(x), [(3, 4)]),
    case('slice_clamp', lambda T, x: T.slice_copy(x, 0, -2, 100), [(3, 4)]),
    case('split', lambda T, x: T.split_copy(x, 2, 1), [(3, 5)]),
    case('split_sizes', lambda T, x: T.split_with_sizes_copy(x, [1, 2]), [(3, 4)]),
    case('squeeze', lambda T, x: T.squeeze_copy(x), [(1, 3, 1)]),
    case('squeeze_dim', lambda T, x: T.squeeze_copy(x, -1), [(1, 3, 1)]),
    case('squeeze_dims', lambda T, x: T.squeeze_copy(x, (0, 2)), [(1, 3, 1)]),
    case('t', lambda T, x: T.t_copy(x), [(3, 4)]),
    case('t_1d', lambda T, x: T.t_copy(x), [(3,)]),
    case('transpose', lambda T, x: T.transpose_copy(x, 0, -1), [(2, 3, 4)]),
    case('unbind', lambda T, x: T.unbind_copy(x, 1), [(2, 3)]),
    case('unfold', lambda T, x: T.unfold_copy(x, 1, 2, 1), [(3, 4)]),
    case('unsqueeze', lambda T, x: T.unsqueeze_copy(x, -1), [(3, 4)]),
    case('view', lambda T, x: T.view_copy(x, (2, -1)), [(3, 4)]),
    case('view_noncontig', lambda T, x: T.view_copy(x.t(), (12,)), [(3, 4)]),
    case('view_dtype', lambda T, x: T.view_copy(x, T.int32), [(3, 4)], forward_only=True),
    case('view_dtype_float', lambda T, x: T.view_copy(x, dtype=T.float32), [(3, 4)], requires_grad=[True],
         forward_only=True),
    case('view_as_real', lambda T, x: T.view_as_real_copy(x), [cplx((3,))], gradgrad=False),
    case('view_as_complex', lambda T, x: T.view_as_complex_copy(x), [(3, 2)], forward_only=True),
    case('int_input', lambda T, x: T.permute_copy(x, (1, 0)), [ints((2, 3))], forward_only=True),
    case('empty', lambda T, x: T.t_copy(x), [(0, 3)]),
    case('scalar', lambda T, x: T.alias_copy(x), [np.array(2.5, np.float32)]),
]


@pytest.mark.parametrize('fn,specs,kw', CASES)
def test_copy(fn, specs, kw):
    out = check(fn, specs, **kw)
    for o in (out if isinstance(out, tuple) else (out,)):
        assert o._base is None and o.is_contiguous()


def test_fresh_memory():
    x = ember.arange(6.).reshape(2, 3)
    y = ember.alias_copy(x)
    y[0, 0] = 100.
    assert x[0, 0].item() == 0. and y._base is None


def test_detach_copy():
    for lib in (torch, ember):
        x = lib.ones(2, 3, requires_grad=True)
        y = lib.detach_copy(x)
        assert y.requires_grad
        assert y.grad_fn.name() == ('torch' if lib is torch else 'ember') + '::autograd::NotImplemented'
        with pytest.raises(RuntimeError, match='derivative for aten::detach_copy is not implemented'):
            y.sum().backward()


def test_out():
    for lib in (torch, ember):
        o = lib.empty(0, dtype=lib.float64)
        x = lib.arange(6., dtype=lib.float64).reshape(2, 3)
        r = lib.permute_copy(x, (1, 0), out=o)
        assert r is o and tuple(o.shape) == (3, 2) and o.stride() == (2, 1)
        parts = [lib.empty(2, dtype=lib.float64), lib.empty(2, dtype=lib.float64), lib.empty(2, dtype=lib.float64)]
        assert lib.unbind_copy(x.t(), out=parts) is None
        assert parts[2].tolist() == [2., 5.]


ERRORS = [
    case('not_tensor', lambda T: T.permute_copy([1.], (0,)), []),
    case('slice_step', lambda T, x: T.slice_copy(x, 0, 0, 2, 0), [(3, 4)]),
    case('out_dtype', lambda T, x: T.t_copy(x, out=T.empty(0, dtype=T.float64)), [(3, 4)]),
    case('as_complex_grad', lambda T, x: T.view_as_complex_copy(x), [(3, 2)], requires_grad=[True]),
    case('as_complex_stride', lambda T, x: T.view_as_complex_copy(x.t()[:, :2]), [(4, 4)]),
    case('view_bad', lambda T, x: T.view_copy(x, (5,)), [(3, 4)]),
    case('select_range', lambda T, x: T.select_copy(x, 0, 5), [(3, 4)]),
    case('unsqueeze_dim', lambda T, x: T.unsqueeze_copy(x, 4), [(3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, message='first_line', **kw)
