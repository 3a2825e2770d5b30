"""Per-element positions along one dim: gather, scatter (src, value, legacy ``reduce=``),
scatter_add, scatter_reduce, take_along_dim. For dim 0, ``out[i][j] = self[index[i][j]][j]``;
the index may be smaller than the input in the other dims. Writes go to a copy (a failed
in-place call changes nothing); repeats accumulate (``ufunc.at``). Also helpers for index_ops."""
import numpy as np

from .._tensor import Tensor, _scalar_name
from ..autograd import grad_mode
from .. import _dtype
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, NotImplementedNode as _NotImplemented, apply, apply_inplace
from ._promote import xp
from .._backend import ufunc_at
from .shape import wrap_dim, reshape, expand
from .arith import _check_out
from .index import _c_contiguous
from .from_data import user_stacklevel, _warn_once
from ._complex import no_complex

__all__ = ['gather', 'scatter', 'scatter_add', 'scatter_reduce', 'take_along_dim']

_SCALARS = (int, float, bool, complex)
REDUCES = ('sum', 'prod', 'mean', 'amax', 'amin')
_ALIASES = {'max': 'amax', 'min': 'amin'}     # forward accepts these spellings; backward does not


# ------------------------------------------------------------------ shared helpers

def dtype_name(arr):
    """PyTorch's scalar type name of an array's dtype (Float, Long, ...)."""
    return _scalar_name(_dtype._FROM_NP[arr.dtype])


def first_bad(idx, lo, hi):
    """The first index (row-major) outside [lo, hi), or None."""
    bad = (idx < lo) | (idx >= hi)
    if idx.size == 0 or not bool(bad.any()):
        return None
    return int(idx.reshape(-1)[int(xp(idx).argmax(bad.reshape(-1)))])


def as_1d(a):
    """0-dim arrays act as one-element 1-D arrays along dim 0."""
    return a.reshape(1) if a.ndim == 0 else a


def zeros_for(g, shape):
    return Tensor._make(xp(g._data).zeros(shape, g._data.dtype))


def wants(node, i):
    """Whether input ``i`` of a recorded node needs a gradient."""
    return len(node._next) > i and node._next[i][0] is not None


def with_out(r, out, name):
    return r if out is None else _check_out(out, r, name)


def _bounds(idx, n, dim):
    bad = first_bad(idx, 0, n)
    if bad is not None:
        raise RuntimeError(f'index {bad} is out of bounds for dimension {dim} with size {n}')


def _positions(idx, dim):
    """An index tuple reaching, for each element of ``idx``, the element it names along ``dim``
    (open grids on the other dims: no large arrays are built)."""
    where = list(xp(idx).ogrid[tuple(slice(s) for s in idx.shape)])
    where[dim] = idx.astype(np.int64, copy=False)
    return tuple(where)


def _corner(src, shape):
    """The leading block of ``src`` with ``shape`` (src may be larger in every dim)."""
    return as_1d(src)[tuple(slice(0, s) for s in shape)]


def _check_index(idx, fname):
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f'{fname}(): Expected dtype int32/int64 for index')


def _shape_check(a, dim, idx, src=None, gather=False):
    """PyTorch's order: self rank, then sizes against self (and src), then src rank."""
    if idx.size == 0:
        return
    size = lambda x, d: x.shape[d] if x.ndim else 1
    if max(idx.ndim, 1) != max(a.ndim, 1):
        raise RuntimeError(f'Index tensor must have the same number of dimensions as {"input" if gather else "self"} '
                           'tensor')
    bad = None
    for d in range(max(a.ndim, 1)):
        if d != dim and size(idx, d) > size(a, d):
            bad = d
            break
        if src is not None and size(idx, d) > size(src, d if not src.ndim else wrap_dim(d, src.ndim)):
            bad = d       # (wrap_dim: IndexError for a src with fewer dims)
            break
    if src is not None and max(src.ndim, 1) != max(idx.ndim, 1):
        raise RuntimeError('Index tensor must have the same number of dimensions as src tensor')
    if bad is not None and gather:
        raise RuntimeError(f'Size does not match at dimension {bad} expected index {list(idx.shape)} to be no '
                           f'larger than self {list(a.shape)} apart from dimension {dim}')
    if bad is not None:
        tail = '' if src is None else f' and to be no larger size than src {list(src.shape)}'
        raise RuntimeError(f'Expected index {list(idx.shape)} to be no larger than self {list(a.shape)} '
                           f'apart from dimension {dim}{tail}')


def fit_grad(gs, shape, node, i=1):
    """``gs`` summed down to ``shape``, or PyTorch's engine error when it cannot be (src > index)."""
    if gs is None or tuple(gs.shape) == tuple(shape):
        return gs
    gshape = tuple(gs.shape)
    if len(shape) <= len(gshape) and all(s in (1, t) for s, t in zip(shape[::-1], gshape[::-1])):
        return gs.sum_to_size(shape)
    raise RuntimeError(f'Function {node.name()} returned an invalid gradient at index {i} - got {list(gshape)} '
                       f'but expected shape compatible with {list(shape)}')


# ------------------------------------------------------------------ gather

class GatherBackward0(Op):
    def forward(self, a, dim, index):
        self.shape, self.dim, self.index = a.shape, dim, index
        if index.size == 0:
            return xp(a).empty(index.shape, a.dtype)
        a1, i1 = as_1d(a), as_1d(index)
        _bounds(i1, a1.shape[dim], dim)
        return _c_contiguous(a1[_positions(i1, dim)].reshape(index.shape))

    def backward(self, g):
        return scatter_add(zeros_for(g, self.shape), self.dim, Tensor._make(self.index), g)

    _free = ('index',)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[index[i][j]][j]`` for dim 0, likewise for other dims (``sparse_grad``: still dense)."""
    d = wrap_dim(dim, input.ndim)
    _check_index(index._data, 'gather')
    _shape_check(input._data, d, index._data, gather=True)
    return with_out(apply(GatherBackward0, input, dim=d, index=index._data), out, 'gather')


# ------------------------------------------------------------------ scatter family

class ScatterBackward0(Op):
    """A copy of self with src's leading block written at the index positions."""

    def forward(self, a, src, dim, index, reduce=None):
        self.dim, self.index, self.src_shape = dim, index, getattr(src, 'shape', ())
        out = a.copy()
        if index.size:
            o1, i1 = as_1d(out), as_1d(index)
            _bounds(i1, o1.shape[dim], dim)
            if isinstance(src, _SCALARS):
                m = xp(a)
                vals = m.broadcast_to(m.asarray(np.asarray(src).astype(a.dtype)), i1.shape)   # 2.7 -> 2 for ints
            else:
                vals = _corner(src, i1.shape)
            self.write(o1, _positions(i1, dim), vals, reduce)
        return out

    def write(self, out, where, vals, reduce):
        out[where] = vals

    def backward(self, g):
        idx = Tensor._make(self.index)
        gs = fit_grad(gather(g, self.dim, idx), self.src_shape, self) if wants(self, 1) else None
        return (scatter(g, self.dim, idx, 0) if wants(self, 0) else None), gs

    _free = ('index',)


class ScatterBackward1(ScatterBackward0):
    """scatter with a Python scalar value."""


class _ScatterLegacy(_NotImplemented):
    """scatter(..., reduce='add'|'multiply'): PyTorch records no derivative for it."""
    aten = 'scatter'
    forward = ScatterBackward0.forward

    def write(self, out, where, vals, reduce):
        ufunc_at('add' if reduce == 'add' else 'multiply', out, where, vals)


class ScatterAddBackward0(ScatterBackward0):
    def write(self, out, where, vals, reduce):
        xp(out).add.at(out, where, vals)

    def backward(self, g):
        gs = fit_grad(gather(g, self.dim, Tensor._make(self.index)), self.src_shape, self) if wants(self, 1) else None
        return g, gs


def _src_checks(self, dim, index, src):
    d = wrap_dim(dim, self.ndim)
    _check_index(index._data, 'scatter')
    if src is not None and src._data.dtype != self._data.dtype:
        raise RuntimeError('scatter(): Expected self.dtype to be equal to src.dtype')
    _shape_check(self._data, d, index._data, None if src is None else src._data)
    return d


def _scatter(self, dim, index, src, value, reduce, run):
    src = value if src is None else src
    tensor_src = isinstance(src, Tensor)
    d = _src_checks(self, dim, index, src if tensor_src else None)
    if reduce is None:
        return run(ScatterBackward0 if tensor_src else ScatterBackward1, self, src, dim=d, index=index._data)
    if reduce not in ('add', 'multiply'):
        raise RuntimeError('reduce argument must be either add or multiply.')
    if tensor_src:      # once per process, on the user's line, as PyTorch warns
        _warn_once('The reduce argument of torch.scatter with Tensor src is deprecated and will be removed '
                   'in a future PyTorch release. Use torch.scatter_reduce instead for more reduction '
                   'options.', user_stacklevel() + 1)
    return run(_ScatterLegacy, self, src, dim=d, index=index._data, reduce=reduce)


def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None):
    """A copy of ``input`` with ``src`` (or scalar ``value``) written at ``index`` along ``dim``; ``reduce=`` combines."""
    return with_out(_scatter(input, dim, index, src, value, reduce, apply), out, 'scatter')


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    return _scatter(self, dim, index, src, value, reduce, apply_inplace)


def scatter_add(input, dim, index, src, *, out=None):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats add up)."""
    if _amp.state.on and _amp.promote('scatter_add', (input, src)):  # autocast hook (ember.amp)
        return _amp.call_promote(scatter_add, input, dim, index, src, out=out)
    d = _src_checks(input, dim, index, src)
    return with_out(apply(ScatterAddBackward0, input, src, dim=d, index=index._data), out, 'scatter_add')


def scatter_add_(self, dim, index, src):
    d = _src_checks(self, dim, index, src)
    return apply_inplace(ScatterAddBackward0, self, src, dim=d, index=index._data)


# ------------------------------------------------------------------ scatter_reduce

def _identity(reduce, dtype):
    """The start value of a reduction that leaves ``self`` out."""
    if reduce in ('sum', 'mean', 'prod'):
        return int(reduce == 'prod')
    if dtype == np.bool_:
        return reduce == 'amin'
    if dtype.kind in 'iu':
        return np.iinfo(dtype).min if reduce == 'amax' else np.iinfo(dtype).max
    return -np.inf if reduce == 'amax' else np.inf


_UFUNC = {'sum': 'add', 'mean': 'add', 'prod': 'multiply', 'amax': 'maximum', 'amin': 'minimum'}


def reduce_into(a, src, dim, index, reduce, include_self):
    """A copy of ``a`` with ``src`` reduced into the positions ``index`` names along ``dim``."""
    m = xp(a)
    out = a.copy()
    if index.size == 0:
        return out
    if reduce in ('amax', 'amin'):                  # complex numbers have no order
        no_complex(a.dtype, f'scatter_gather_tensor_cpu_reduce_{reduce}')
    o1, i1 = as_1d(out), as_1d(index)
    _bounds(i1, o1.shape[dim], dim)
    where = _positions(i1, dim)
    if not include_self:
        o1[where] = _identity(reduce, a.dtype)
    ufunc_at(_UFUNC[reduce], o1, where, _corner(src, i1.shape))
    if reduce == 'mean':
        count = (m.ones if include_self else m.zeros)(o1.shape, np.int64)
        m.add.at(count, where, 1)
        count = m.maximum(count, 1).astype(a.dtype)
        o1[...] = m.floor_divide(o1, count) if a.dtype.kind in 'iu' else o1 / count
    return out


class ScatterReduceBackward0(Op):
    saves = (0, 1)
    saves_output = True

    def forward(self, a, src, dim, index, reduce, include_self):
        self.dim, self.index, self.reduce, self.include_self = dim, index, reduce, include_self
        return reduce_into(a, src, dim, index, _ALIASES.get(reduce, reduce), include_self)

    def backward(self, g):
        a, src, result = self.saved_tensors
        ga, gs = reduce_grads(g, a, src, result, self.dim, Tensor._make(self.index), self.reduce,
                              self.include_self)
        return ga, fit_grad(gs, tuple(src.shape), self)

    _free = ('index',)


class _NoDoubleBackward(Op):
    """Marks a prod gradient PyTorch cannot differentiate again (two zeros met in one place)."""

    def forward(self, a):
        return a

    def backward(self, g):
        raise RuntimeError('scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are '
                           'scattered to the same position in self')


def reduce_grads(g, a, src, result, dim, idx, reduce, include_self):
    """Gradients of a scatter-style reduction for self and src, in ember ops."""
    from .compare import where
    if reduce not in REDUCES:
        raise RuntimeError("Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got "
                           f'{reduce}.')
    if reduce == 'sum':
        ga, gs = g, gather(g, dim, idx)
    elif reduce == 'mean':
        n = g.new_ones(g.shape) if include_self else g.new_zeros(g.shape)
        n = scatter_add(n, dim, idx, src.new_ones(src.shape).detach()).detach()
        ga = g / n.masked_fill(n == 0, 1)
        gs = gather(ga, dim, idx)
    elif reduce == 'prod':
        # products of the other members, computed without dividing by a zero member
        a_nz = a.masked_fill(a == 0, 1)
        ga = g * scatter_reduce(a_nz, dim, idx, src, 'prod', include_self=include_self) / a_nz
        zero = src == 0
        counts = gather(scatter_add(g.new_zeros(g.shape).detach(), dim, idx, zero.to(g.dtype)), dim, idx)
        lone_zero = zero & (counts == 1)
        others = scatter_reduce(a, dim, idx, src.masked_fill(lone_zero, 1), 'prod', include_self=include_self)
        gs = where(lone_zero, gather(g * others, dim, idx), gather(g * result, dim, idx) / src.masked_fill(zero, 1))
        if grad_mode.is_grad_enabled() and gs.requires_grad and bool((counts > 1).any()):
            gs = apply(_NoDoubleBackward, gs)
    else:                                   # amax / amin: shared evenly among the ties
        value = gather(result, dim, idx)
        a_hit, s_hit = (a == result).to(g.dtype), (src == value).to(g.dtype)
        share = g / scatter_add(a_hit, dim, idx, s_hit)
        ga, gs = a_hit * share, s_hit * gather(share, dim, idx)
    return (ga if include_self else scatter(ga, dim, idx, 0)), gs


def _reduce_args(self, dim, index, src, reduce):
    if _ALIASES.get(reduce, reduce) not in REDUCES:
        raise RuntimeError(f'reduce argument must be either sum, prod, mean, amax or amin, got {reduce}')
    return dict(dim=_src_checks(self, dim, index, src), index=index._data, reduce=reduce)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """``src`` reduced into a copy of ``input`` at ``index`` along ``dim``: 'sum', 'prod', 'mean',
    'amax' or 'amin'; ``include_self=False`` leaves the old values out where anything lands."""
    kw = _reduce_args(input, dim, index, src, reduce)
    return with_out(apply(ScatterReduceBackward0, input, src, include_self=bool(include_self), **kw), out, 'scatter_reduce')


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    kw = _reduce_args(self, dim, index, src, reduce)
    return apply_inplace(ScatterReduceBackward0, self, src, include_self=bool(include_self), **kw)


# ------------------------------------------------------------------ take_along_dim

def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with ``input`` and ``indices`` broadcast against each other outside ``dim``
    (indices along ``dim`` wrap around, as in PyTorch); without ``dim`` both are flattened."""
    idx = indices._data
    if dim is None:
        return with_out(gather(reshape(input, (-1,)), 0, reshape(indices, (-1,))), out, 'take_along_dim')
    if input.ndim == 0:
        raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
    d = wrap_dim(dim, input.ndim)
    if idx.dtype != np.int64:
        raise RuntimeError(f'ember.take_along_dim(): dtype of indices should be Long but got {dtype_name(idx)}')
    if idx.ndim != input.ndim:
        raise RuntimeError('ember.take_along_dim(): input and indices should have the same number of dimensions, '
                           f'but got {input.ndim} dimensions for input, and {idx.ndim} dimensions for indices')
    sa, si = tuple(input.shape), idx.shape
    for k in range(input.ndim - 1, -1, -1):
        if k != d and sa[k] != si[k] and 1 not in (sa[k], si[k]):
            raise RuntimeError(f'The size of tensor a ({sa[k]}) must match the size of tensor b ({si[k]}) at '
                               f'non-singleton dimension {k}')
    common = [max(x, y) for x, y in zip(sa, si)]
    want_a = tuple(sa[k] if k == d else n for k, n in enumerate(common))
    want_i = tuple(si[k] if k == d else n for k, n in enumerate(common))
    x = input if sa == want_a else expand(input, want_a)
    wrapped = idx % sa[d] if sa[d] and idx.size else idx
    return with_out(apply(GatherBackward0, x, dim=d, index=xp(idx).broadcast_to(wrapped, want_i)), out, 'take_along_dim')


METHODS = {'gather': gather, 'scatter': scatter, 'scatter_': scatter_, 'scatter_add': scatter_add,
           'scatter_add_': scatter_add_, 'scatter_reduce': scatter_reduce, 'scatter_reduce_': scatter_reduce_,
           'take_along_dim': take_along_dim}


def __getattr__(name):      # shape_more imports index_select from here; it lives in index_ops
    if name == 'index_select':
        from .index_ops import index_select
        return index_select
    raise AttributeError(name)
