"""Building and combinatoric ops: block_diag, cartesian_prod, combinations, vander,
unravel_index, diff, inner, and typename. (Bit shifts, in-place/alias method names and
apply_/map_ live in methods_more; their names are registered through this module.)

Most of these are compositions of existing ember ops, as in PyTorch, so the grad_fn users
see is the last op of the composition (diff -> SubBackward0, cartesian_prod -> StackBackward0).
"""
import itertools
import operator
from collections.abc import Sequence

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, apply
from ._promote import xp
from .shape import wrap_dim, _fmt
from . import arith, compare, join, select, creation, shape_more, scan, linalg_ops
from . import methods_more
from .methods_more import bitwise_left_shift, bitwise_right_shift, prelu, hardshrink
from .argcheck import bad_input, need_tensor, need_tensors

__all__ = ['block_diag', 'cartesian_prod', 'combinations', 'vander', 'unravel_index', 'diff', 'inner',
           'typename', 'bitwise_left_shift', 'bitwise_right_shift', 'prelu', 'hardshrink']


# ------------------------------------------------------------------ block_diag

def _list_dtype(arrays):
    """PyTorch's result_type over a list of tensors (0-dim tensors rank below dimensioned ones)."""
    dim = zero = None
    for a in arrays:
        d = _dtype._FROM_NP[a.dtype]
        if a.ndim:
            dim = d if dim is None else _dtype.promote_types(dim, d)
        else:
            zero = d if zero is None else _dtype.promote_types(zero, d)
    return _dtype._combine(dim, zero)


class BlockDiagBackward0(Op):
    """Inputs (0-, 1- or 2-D) laid along the diagonal of one zero matrix."""

    def forward(self, *arrays):
        for i, a in enumerate(arrays):
            if a.ndim > 2:
                raise RuntimeError(f'ember.block_diag: Input tensors must have 2 or fewer dimensions. '
                                   f'Input {i} has {a.ndim} dimensions')
        shapes = [(1, 1) if a.ndim == 0 else (1, a.shape[0]) if a.ndim == 1 else a.shape for a in arrays]
        nd = _list_dtype(arrays).np
        out = xp(arrays[0]).zeros((sum(s[0] for s in shapes), sum(s[1] for s in shapes)), nd)
        self.places, r, c = [], 0, 0
        for a, (h, w) in zip(arrays, shapes):
            out[r:r + h, c:c + w] = a.reshape(h, w)
            self.places.append((r, c, h, w, a.shape, a.dtype))
            r, c = r + h, c + w
        return out

    def backward(self, g):
        grads = []
        for (node, _), (r, c, h, w, sh, dt) in zip(self._next, self.places):
            if node is None:
                grads.append(None)
                continue
            piece = g[r:r + h, c:c + w].reshape(sh)
            grads.append(piece if piece._data.dtype == dt else piece.to(_dtype._FROM_NP[dt]))
        return tuple(grads)


def block_diag(*tensors):
    if not tensors:
        return creation.empty(1, 0)
    return apply(BlockDiagBackward0, *tensors)


# ------------------------------------------------------------------ cartesian_prod / combinations

def _check_1d(t):
    if t.ndim != 1:
        raise RuntimeError(f'Expect a 1D vector, but got shape {_fmt(t.shape)}')


def cartesian_prod(*tensors):
    """Every tuple (a_i, b_j, ...) of the 1-D inputs, in row-major order, one per row."""
    for t in tensors:
        _check_1d(t)
    if len(tensors) == 1:
        return tensors[0]
    grids = shape_more.meshgrid(*tensors, indexing='ij')
    return join.stack([g.flatten() for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """Length-r combinations of the elements of a 1-D tensor, in lexicographic order (itertools)."""
    need_tensor('combinations', input)
    try:
        _check_1d(input)
        if r < 0:
            raise RuntimeError(f'Expect a non-negative number, but got {r}')
        if r == 0:
            return creation.empty(0, dtype=input.dtype, device=input.device)
        m = xp(input._data)
        n = input.shape[0]
        grids = m.meshgrid(*([m.arange(n)] * r), indexing='ij')
        keep = m.ones(grids[0].shape, bool)
        for lo, hi in zip(grids, grids[1:]):
            keep &= (lo <= hi) if with_replacement else (lo < hi)
        return join.stack([input[Tensor._make(g[keep])] for g in grids], 1)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('combinations', (input,))


# ------------------------------------------------------------------ vander

def vander(x, N=None, increasing=False):
    """Columns x**0, x**1, ..., x**(N-1) (reversed unless ``increasing``)."""
    need_tensor('vander', x, 'x')
    try:
        if x.ndim != 1:
            raise RuntimeError('x must be a one-dimensional tensor.')
        n = x.shape[0] if N is None else N
        if n < 0:
            raise RuntimeError('N must be non-negative.')
        dt = _dtype.promote_types(x.dtype, _dtype.int64)
        result = creation.ones(x.shape[0], n, dtype=dt, device=x.device)
        if n > 1:
            tail = result[:, 1:]
            tail.copy_(x.unsqueeze(1).expand(x.shape[0], n - 1))
            tail.copy_(scan.cumprod(tail, 1))
        return result if increasing else shape_more.flip(result, 1)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('vander', (x,), None, 'x')


# ------------------------------------------------------------------ unravel_index

def unravel_index(indices, shape):
    """Flat indices into ``shape`` as a tuple of coordinate tensors (one per dim, int64)."""
    if indices.is_complex() or indices.is_floating_point() or indices.dtype == _dtype.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    elif not isinstance(shape, Sequence):
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    for d in shape:
        if not isinstance(d, int):
            raise TypeError(f"expected 'shape' sequence to only contain ints, but got {type(d)}")
    shape = tuple(shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    strides = list(itertools.accumulate(reversed(shape[1:] + (1,)), operator.mul))[::-1]
    coefs = creation.tensor(strides, dtype=_dtype.int64, device=indices.device)
    sizes = creation.tensor(shape, dtype=_dtype.int64, device=indices.device)
    return join.unbind(arith.remainder(arith.floor_divide(indices.unsqueeze(-1), coefs), sizes), -1)


# ------------------------------------------------------------------ diff / inner

def _diff_side(input, t, d, name):
    if not isinstance(t, Tensor):
        from .argcheck import not_tensor_error
        raise not_tensor_error('diff', t, name, None)
    if t.ndim != input.ndim:
        raise RuntimeError('diff expects prepend or append to be the same dimension as input')
    for k in range(input.ndim):
        if k != d and t.shape[k] != input.shape[k]:
            raise RuntimeError('diff expects the shape of tensor to prepend or append to match that of input '
                               f'except along the differencing dimension; input.size({k}) = {input.shape[k]}, '
                               f'but got tensor.size({k}) = {t.shape[k]}')


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """n-th forward difference along ``dim`` (logical xor for bool), after joining prepend/append."""
    if not isinstance(n, int):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    if input.ndim == 0:
        raise RuntimeError('diff expects input to be at least one-dimensional')
    if n < 0:
        raise RuntimeError(f'order must be non-negative but got {n}')
    d = wrap_dim(dim, input.ndim)
    for side, name in ((prepend, 'prepend'), (append, 'append')):
        if side is not None:
            _diff_side(input, side, d, name)
    if prepend is not None or append is not None:
        parts = [t for t in (prepend, input, append) if t is not None]
        input = join.cat(parts, d)
    if n == 0:
        return creation.zeros_like(input).copy_(input)
    n = min(n, input.shape[d])
    out, length = input, input.shape[d] - 1
    step = compare.logical_xor if input.dtype == _dtype.bool_ else arith.sub
    for _ in range(n):
        out = step(select.narrow(out, d, 1, length), select.narrow(out, d, 0, length))
        length -= 1
    return out


def inner(input, other, *, out=None):
    """Sum over the last dims of both (a scalar times a tensor when either is 0-dim)."""
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        need_tensors('inner', (input, other))
    if input.ndim == 0 or other.ndim == 0:
        r = arith.mul(input, other)
    else:
        if input.shape[-1] != other.shape[-1]:
            raise RuntimeError(f'inner() the last dimension must match on both input tensors but got shapes '
                               f'{_fmt(input.shape)} and {_fmt(other.shape)}')
        r = linalg_ops.tensordot(input, other, ([-1], [-1]))
    if out is not None:
        return arith._check_out(out, r, 'inner')
    return r


def _inner_m(self, other):
    if other.__class__ is not Tensor:
        need_tensors('inner', (self, other), method=True)
    return inner(self, other)


def typename(obj):
    """'ember.FloatTensor' for a tensor, else the object's 'module.QualName'."""
    from ..nn.modules.module import _typename
    return _typename(obj)


# methods_more's names are installed through this module's registration
METHODS = {'diff': diff, 'inner': _inner_m, **methods_more.METHODS}
