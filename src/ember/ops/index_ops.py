"""Whole slices along one dim by a 1-D index (index_select/add/copy/fill/reduce), index_put,
masks (masked_select, masked_scatter), argwhere (flat indices, take and put: put.py). Writes go to a copy (a
failed in-place call changes nothing); repeats accumulate (``add.at``). ``t[key]``: index.py."""
import numpy as np

from .._tensor import Tensor, _scalar_name
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply, apply_inplace, _translate as _op_translate
from ._promote import xp, unbroadcast
from .shape import wrap_dim, expand
from .join import cat
from .index import IndexBackward0, IndexPutBackward0, _np_key, _translate, argwhere  # noqa: F401  (exported here)
from .index_value import check_fill_value, bad_fill
from .gather import (ScatterReduceBackward0, REDUCES, dtype_name as _name, first_bad as _first_bad,
                     as_1d as _as_1d, zeros_for as _zeros, wants as _wants, with_out as _out)

__all__ = ['index_select', 'index_add', 'index_copy', 'index_fill', 'index_put', 'index_reduce',
           'masked_select', 'masked_scatter', 'argwhere']     # (take: put.py)


class _SliceOp(Op):
    """Base of the index_* ops: keeps dim and index, writes into a copy of self."""
    _free = ('index',)

    def prepare(self, a, src, dim, index, negative=False):
        """A copy of self, its 1-D form, the slice positions, the first bad index (or None), the size."""
        self.dim, self.index, self.src_shape = dim, index, getattr(src, 'shape', ())
        out, i1 = a.copy(), _as_1d(index)
        n = out.shape[dim] if out.ndim else 1
        where = (slice(None),) * dim + (i1.astype(np.int64, copy=False),)
        return out, _as_1d(out), where, _first_bad(i1, -n if negative else 0, n), n


# ------------------------------------------------------------------ index_select

class IndexSelectBackward0(_SliceOp):
    def forward(self, a, dim, index):
        self.shape, self.dim, self.index = a.shape, dim, index
        a1, i1 = _as_1d(a), _as_1d(index)
        bad = _first_bad(i1, 0, a1.shape[dim])
        if bad is not None:
            raise (RuntimeError(f'INDICES element is out of DATA bounds, id={bad} axis_dim={a1.shape[dim]}')
                   if dim == 1 else IndexError('index out of range in self'))
        out = xp(a).take(a1, i1.astype(np.int64, copy=False), axis=dim)
        return out.reshape(()) if a.ndim == 0 else out

    def backward(self, g):
        return index_add(_zeros(g, self.shape), self.dim, Tensor._make(self.index), g)


def index_select(input, dim, index, *, out=None):
    """The slices of ``input`` along ``dim`` that the 1-D ``index`` names, in its order."""
    d, idx = wrap_dim(dim, input.ndim), index._data
    if idx.ndim > 1:
        raise IndexError('index_select(): Index is supposed to be a vector')
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError('index_select(): Expected dtype int32 or int64 for index')
    if input.ndim == 0 and idx.size != 1:
        raise RuntimeError(f'index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)')
    return _out(apply(IndexSelectBackward0, input, dim=d, index=idx), out, 'index_select')


# ------------------------------------------------------------------ index_add / index_reduce

def _source_checks(self, dim, index, source, fname, **extra):
    """index_add_'s and index_reduce_'s checks, in PyTorch's order; kwargs for the op."""
    d, idx, a, s = wrap_dim(dim, self.ndim), index._data, self._data, source._data
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(f'{fname}(): Expected dtype int32/int64 for index but got: {_name(idx)}')
    if idx.ndim > 1:
        raise IndexError(f'{fname}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: '
                         f'{_name(idx)} and size: {list(idx.shape)}')
    if s.dtype != a.dtype:
        raise RuntimeError(f'{fname}(): self ({_name(a)}) and source ({_name(s)}) must have the same scalar type')
    if s.ndim != a.ndim or any(x != y for k, (x, y) in enumerate(zip(a.shape, s.shape)) if k != d):
        raise RuntimeError('source tensor shape must match self tensor shape, excluding the specified '
                           f'dimension. Got self.shape = {list(a.shape)} source.shape = {list(s.shape)}')
    if idx.size != _as_1d(s).shape[d]:
        raise RuntimeError(f'{fname}(): Number of indices ({idx.size}) should be equal to source.size(dim): '
                           f'({_as_1d(s).shape[d]}), for dim: {d}')
    if 'alpha' in extra and a.dtype.kind in 'iub':
        extra['alpha'] = int(extra['alpha'])       # as PyTorch reads it: 2.5 is 2 for an integer tensor
    return dict(dim=d, index=idx, **extra)


class IndexAddBackward0(_SliceOp):
    def forward(self, a, src, dim, index, alpha=1):
        (out, o1, where, bad, n), self.alpha = self.prepare(a, src, dim, index), alpha
        if bad is not None:
            if a.ndim <= 1:
                raise IndexError('index out of range in self')
            if not a.size:              # an empty self of 2+ dims: PyTorch checks and writes nothing
                return out
            raise RuntimeError(f'index {bad} is out of bounds for dimension {dim} with size {n}')
        m = xp(a)
        m.add.at(o1, where, _as_1d(src) if alpha == 1 else _as_1d(src) * m.asarray(np.asarray(alpha).astype(a.dtype)))
        return out

    def backward(self, g):
        if not _wants(self, 1):
            return g, None
        gs = index_select(g, self.dim, Tensor._make(self.index))
        return g, (gs if self.alpha == 1 else gs * self.alpha).reshape(self.src_shape)


def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of ``input`` with ``alpha * source`` added to the slices ``index`` names along ``dim``."""
    kw = _source_checks(input, dim, index, source, 'index_add_', alpha=alpha)
    return _out(apply(IndexAddBackward0, input, source, **kw), out, 'index_add')


def index_add_(self, dim, index, source, *, alpha=1):
    kw = _source_checks(self, dim, index, source, 'index_add_', alpha=alpha)
    return apply_inplace(IndexAddBackward0, self, source, **kw)


class IndexReduceBackward0(ScatterReduceBackward0):
    """index_reduce: a scatter_reduce whose index is spread over source's shape."""
    def forward(self, a, src, dim, index, reduce, include_self):
        if _first_bad(_as_1d(index), 0, _as_1d(a).shape[dim]) is not None:
            raise IndexError('index out of range in self')
        shape = [-1 if k == dim else 1 for k in range(max(src.ndim, 1))]
        spread = xp(index).broadcast_to(_as_1d(index).reshape(shape), _as_1d(src).shape)
        return super().forward(a, src, dim, spread, reduce, include_self)


def _reduce_checks(self, dim, index, source, reduce, include_self):
    from .from_data import _warn_once, user_stacklevel     # once per process, at the user's line
    _warn_once('index_reduce() is in beta and the API may change at any time.', user_stacklevel() + 1)
    if reduce not in REDUCES[1:]:
        raise RuntimeError(f'index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.')
    kw = _source_checks(self, dim, index, source, 'index_reduce_', reduce=reduce, include_self=bool(include_self))
    kind = self._data.dtype.kind          # PyTorch's kernels refuse these before reading an index
    if kind == 'c' and reduce in ('amax', 'amin') or kind == 'b' and reduce == 'mean':
        fn = 'div_floor' if reduce == 'mean' else {'amax': 'maximum', 'amin': 'minimum'}[reduce]
        raise NotImplementedError(f'"{fn}_cpu" not implemented for \'{_name(self._data)}\'')
    return kw


def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """``source``'s slices reduced ('prod', 'mean', 'amax', 'amin') into a copy of ``input``."""
    kw = _reduce_checks(input, dim, index, source, reduce, include_self)
    return _out(apply(IndexReduceBackward0, input, source, **kw), out, 'index_reduce')


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    kw = _reduce_checks(self, dim, index, source, reduce, include_self)
    return apply_inplace(IndexReduceBackward0, self, source, **kw)


# ------------------------------------------------------------------ index_copy / index_fill

class IndexCopyBackward0(_SliceOp):
    def forward(self, a, src, dim, index):
        out, o1, where, bad, n = self.prepare(a, src, dim, index)
        if bad is not None and src.size:            # (nothing to copy: PyTorch reads no index)
            raise IndexError(f'index_copy_(): index {bad} is out of bounds for dimension {dim} with size {n}')
        if src.size:
            o1[where] = _as_1d(src)
        return out

    def backward(self, g):
        idx = Tensor._make(self.index)
        ga = index_fill(g, self.dim, idx, 0) if _wants(self, 0) else None
        gs = index_select(g, self.dim, idx).reshape(self.src_shape) if _wants(self, 1) else None
        return ga, gs


def _copy_checks(self, dim, index, source):
    d, idx, a, s = wrap_dim(dim, self.ndim), index._data, self._data, source._data
    if idx.dtype != np.int64:
        raise RuntimeError(f'index_copy_(): Expected a long tensor for index, but got {_name(idx)}')
    if s.dtype != a.dtype:
        raise RuntimeError('index_copy_(): self and source expected to have the same dtype, but got (self) '
                           f'{_name(a)} and (source) {_name(s)}')
    if idx.ndim > 1:
        raise IndexError(f'index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})')
    if a.ndim and s.ndim and a.ndim != s.ndim:
        raise IndexError('index_copy_(): When source and destination are not scalars, their dimensionality '
                         f'must match. Source dimensionality ({s.ndim}), destination dimensionality ({a.ndim})')
    ds, ss = (' '.join(str(n) for k, n in enumerate(t.shape) if k != d) for t in (a, s))
    if a.ndim and s.ndim and ds != ss:
        raise RuntimeError('index_copy_(): Source/destination tensor must have same slice shapes. Destination '
                           f'slice shape: {ds} at dimension {d} and source slice shape: {ss} at dimension 0.')
    if idx.size != _as_1d(s).shape[d]:
        raise IndexError(f'index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) '
                         f'({_as_1d(s).shape[d]})')
    return dict(dim=d, index=idx)


def index_copy(input, dim, index, source, *, out=None):
    """A copy of ``input`` with ``source``'s slices written where ``index`` says along ``dim``."""
    if _amp.state.on and _amp.promote('index_copy', (input, source)):  # autocast hook (ember.amp)
        return _amp.call_promote(index_copy, input, dim, index, source, out=out)
    return _out(apply(IndexCopyBackward0, input, source, **_copy_checks(input, dim, index, source)), out, 'index_copy')


def index_copy_(self, dim, index, source):
    return apply_inplace(IndexCopyBackward0, self, source, **_copy_checks(self, dim, index, source))


class IndexFillBackward0(_SliceOp):
    """index_fill with a Python scalar value (negative indices count from the end)."""
    def forward(self, a, value, dim, index):
        out, o1, where, bad, n = self.prepare(a, value, dim, index, negative=True)
        if bad is not None:
            raise IndexError(f'index {bad} is out of bounds for dimension {dim} with size {n}')
        o1[where] = value.astype(a.dtype) if hasattr(value, 'dtype') else xp(a).asarray(np.asarray(value).astype(a.dtype))
        return out

    def backward(self, g):
        ga = index_fill(g, self.dim, Tensor._make(self.index), 0)
        return ga, ((g - ga).sum() if _wants(self, 1) else None)     # the filled slices, each once


class IndexFillBackward1(IndexFillBackward0):
    """index_fill with a 0-dim tensor value."""


def _fill(self, dim, index, value, run):
    d, idx = wrap_dim(dim, self.ndim), index._data
    if idx.dtype != np.int64:
        raise IndexError('index_fill_(): Expected dtype int64 for index.')
    if idx.ndim > 1:
        raise RuntimeError('Index has to be a vector/scalar')
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError('index_fill_ only supports a 0-dimensional value tensor, but got tensor with '
                           f'{value.ndim} dimension(s).')
    value = check_fill_value(self, value, 'index_fill_')
    return run(IndexFillBackward1 if isinstance(value, Tensor) else IndexFillBackward0, self, value, dim=d, index=idx)


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices ``index`` names along ``dim`` set to ``value``."""
    try:
        return _fill(input, dim, index, value, apply)
    except TypeError:
        bad_fill('index_fill', ('input', 'dim', 'index', 'value'), (input, dim, index, value))


def index_fill_(self, dim, index, value):
    try:
        return _fill(self, dim, index, value, apply_inplace)
    except TypeError:
        bad_fill('index_fill_', ('input', 'dim', 'index', 'value'), (self, dim, index, value))


# ------------------------------------------------------------------ index_put

class _IndexPutAccumulate(Op):
    """index_put(..., accumulate=True): values added at the positions, repeats adding up."""
    _free = ('key',)

    def forward(self, a, values, key):
        self.key, self.vshape = key, values.shape
        out = a.copy()
        try:
            vals = xp(a).broadcast_to(values, out[key].shape)
        except IndexError as e:
            raise _translate(e, a.shape) from None
        except ValueError:
            raise RuntimeError(f'shape mismatch: value tensor of shape {list(values.shape)} cannot be '
                               f'broadcast to indexing result of shape {list(out[key].shape)}') from None
        xp(a).add.at(out, key, vals)
        return out

    def backward(self, g):
        gv = unbroadcast(apply(IndexBackward0, g, key=self.key), self.vshape) if _wants(self, 1) else None
        return g, gv

    def name(self):
        return 'IndexPutBackward0'


def _put(self, indices, values, accumulate, run):
    if not isinstance(indices, (tuple, list)):
        raise TypeError("index_put(): argument 'indices' (position 1) must be tuple of Tensors, not "
                        f'{type(indices).__name__}')
    for i, k in enumerate(indices):
        if not isinstance(k, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument 0, but got {type(k).__name__}')
    if not isinstance(values, Tensor):
        from .argcheck import not_tensor_error
        raise not_tensor_error('index_put', values, 'values', 2)
    key = _np_key(tuple(indices), self.shape, xp(self._data))
    used = sum(k.ndim if k.dtype == np.bool_ else 1 for k in key)
    if used > self.ndim:
        raise IndexError(f'too many indices for tensor of dimension {self.ndim} (got {used})')
    if values.dtype != self.dtype:
        raise RuntimeError('Index put requires the source and destination dtypes match, got '
                           f'{_scalar_name(self.dtype)} for the destination and {_scalar_name(values.dtype)} '
                           'for the source.')
    return run(_IndexPutAccumulate if accumulate else IndexPutBackward0, self, values, key=key)


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` written (or, with ``accumulate``, added) at
    ``input[indices]``; ``indices`` is a tuple of index tensors."""
    if _amp.state.on and _amp.promote('index_put', (input, values)):  # autocast hook (ember.amp)
        return _amp.call_promote(index_put, input, indices, values, accumulate)
    return _put(input, indices, values, accumulate, apply)


def index_put_(self, indices, values, accumulate=False):
    return _put(self, indices, values, accumulate, apply_inplace)


# ------------------------------------------------------------------ masks

def _broadcast_shape(mask, a):
    """The shape mask and self broadcast to (PyTorch's message names the mask 'tensor a')."""
    try:
        return np.broadcast_shapes(mask.shape, a.shape)
    except ValueError as e:
        raise _op_translate(e, [mask, a]) from None


def _need_bool(mask, msg):
    if mask.dtype.name != 'bool':
        raise RuntimeError(msg or f'masked_scatter_ only supports boolean masks, but got mask with dtype '
                           f'{_name(mask._data)}')


class MaskedSelectBackward0(Op):
    _free = ('mask',)

    def forward(self, a, mask):
        shape = _broadcast_shape(mask, a)
        self.shape, self.mask = a.shape, xp(a).broadcast_to(mask, shape)
        return xp(a).broadcast_to(a, shape)[self.mask]

    def backward(self, g):
        full = masked_scatter(_zeros(g, self.mask.shape), Tensor._make(self.mask), g)
        return unbroadcast(full, self.shape), None


def masked_select(input, mask, *, out=None):
    """The elements of ``input`` where ``mask`` (broadcast with it) is True, as a 1-D tensor."""
    _need_bool(mask, 'masked_select: expected BoolTensor for mask')
    return _out(apply(MaskedSelectBackward0, input, mask), out, 'masked_select')


class MaskedScatterBackward0(Op):
    _free = ('mask',)

    def forward(self, a, mask, src):
        shape = _broadcast_shape(mask, a)
        if src.dtype != a.dtype:
            raise RuntimeError('masked_scatter: expected self and source to have same dtypes but got'
                               f'{_name(a)} and {_name(src)}')
        m = xp(a)
        self.shape, self.src_shape, self.mask = a.shape, src.shape, m.broadcast_to(mask, shape)
        k = int(self.mask.sum())
        if src.size < k:
            raise RuntimeError('Number of elements of source < number of ones in mask')
        out = m.array(m.broadcast_to(a, shape), order='C')
        out[self.mask] = src.reshape(-1)[:k]
        return out

    def backward(self, g):
        mask = Tensor._make(self.mask)
        ga = unbroadcast(g.masked_fill(mask, 0), self.shape) if _wants(self, 0) else None
        if not _wants(self, 2):
            return ga, None, None
        picked = masked_select(g, mask)           # source's first k elements were used; the rest get zeros
        rest = _zeros(g, (int(np.prod(self.src_shape)) - picked.shape[0],))
        return ga, None, cat([picked, rest]).reshape(self.src_shape)


def masked_scatter(input, mask, source):
    """A copy of ``input`` (broadcast with ``mask``) whose True positions take ``source``'s
    elements in order."""
    _broadcast_shape(mask, input)
    _need_bool(mask, None)
    return apply(MaskedScatterBackward0, input, mask, source)


def masked_scatter_(self, mask, source):
    _need_bool(mask, None)
    if mask.shape != self.shape:      # the mask must expand to self: PyTorch's expand error otherwise
        try:
            expand(Tensor._make(mask._data), self.shape)
        except RuntimeError as e:
            raise RuntimeError(str(e).replace('ember.BoolTensor', 'CPUBoolType')) from None
    return apply_inplace(MaskedScatterBackward0, self, mask, source)


METHODS = {name: globals()[name] for name in __all__ + ['index_add_', 'index_copy_', 'index_fill_', 'index_put_',
                                                     'index_reduce_', 'masked_scatter_']}
