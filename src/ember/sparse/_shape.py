"""Shape and selection ops on sparse COO tensors: permute (``.T``, ``.mT``), index_select, select
(``s[k]``, ``s[:, k]``), narrow_copy, unsqueeze, cat and stack.

Each one moves the indices once on raw arrays and takes its values as a function of the input's
values (so the gradient, sparse with the input's pattern, comes from the same definition).
Coalesced flags follow PyTorch: kept where the order of the entries is kept, else False (True for
an empty result)."""
from .. import _dtype
from .._tensor import Tensor as _Dense, xp_of
from ._autograd import values_fn, record, node_class, SparseNode
from ._coo import make
from ._math import _t, _run, _grad_as


def _derive(s, name, i, size, fn, coal):
    """A sparse result with indices ``i`` and values ``fn(s's values)``."""
    out = make(i, _run(fn, s._v), size, coal or i.shape[1] == 0)
    return values_fn(name, (s,), out, fn, (s._v,), (_grad_as(s),), i, size)


def permute(s, *dims, _name='PermuteBackward0'):
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    n = s.dim()
    if len(dims) != n:
        raise RuntimeError('permute(sparse_coo): number of dimensions in the tensor input does not match the '
                           'length of the desired ordering of dimensions i.e. input.dim() = '
                           f'{n} is not equal to len(dims) = {len(dims)}')
    dims = [s._wrap_dim(d) for d in dims]
    if len(set(dims)) != n:
        raise RuntimeError('permute(): duplicate dims are not allowed.')
    nsd = s.sparse_dim()
    if any(d >= nsd for d in dims[:nsd]):
        raise RuntimeError('permute(sparse_coo): transpositions between sparse and dense dimensions are not '
                           'allowed.Only transpositions within sparse and dense dimensions are supported.')
    i = s._i[dims[:nsd]]
    size = tuple(s._size[d] for d in dims)
    vperm = [0] + [d - nsd + 1 for d in dims[nsd:]]
    same = dims[:nsd] == list(range(nsd))
    return _derive(s, _name, i, size, lambda v: v.permute(vperm), s._coal and same)


def T(s):
    if s.dim() != 2 and s.dim() != 0:
        raise RuntimeError('The use of `x.T` on tensors of dimension other than 2 to reverse their shape is '
                           'not supported.')
    return permute(s, *reversed(range(s.dim())))


def mT(s):
    if s.dim() < 2:
        raise RuntimeError('tensor.mT is only supported on matrices or batches of matrices. Got '
                           f'{s.dim()}-D tensor.')
    return s.transpose(-2, -1)


def index_select(s, dim, index):
    if not isinstance(index, _Dense) or index.is_sparse or index.dim() > 1 or index.dtype not in (
            _dtype.int64, _dtype.int32):
        raise IndexError('index_select() argument index must be 1-D strided (non-sparse) long-tensor.')
    d = s._wrap_dim(dim)
    n = s._size[d]
    idx = index.reshape(-1)._data.astype('int64')
    xp = xp_of(s._i)
    if idx.shape[0]:
        bad = idx[(idx >= n) | (idx < -n)]
        if bad.shape[0]:
            raise IndexError(f'index_select(): index contains {int(bad[0])} that is out of range for tensor of '
                             f'size {list(s._size)} at dimension {d}')
    idx = xp.where(idx < 0, idx + n, idx)
    size = s._size[:d] + (idx.shape[0],) + s._size[d + 1:]
    nsd = s.sparse_dim()
    if d >= nsd:
        ax = d - nsd + 1
        return _derive(s, 'IndexSelectBackward0', s._i, size, lambda v: v.index_select(ax, _t(idx)), s._coal)
    j, e = xp.nonzero(idx[:, None] == s._i[d][None, :])
    i = s._i[:, e].copy()
    i[d] = j
    return _derive(s, 'IndexSelectBackward0', i, size, lambda v: v[_t(e)], False)


def select(s, dim, index):
    d = s._wrap_dim(dim)
    n = s._size[d]
    if not -n <= index < n:
        raise IndexError(f'index {index} is out of bounds for dimension {d} with size {n}')
    index %= n
    nsd = s.sparse_dim()
    size = s._size[:d] + s._size[d + 1:]
    if d >= nsd:
        ax = d - nsd + 1
        return _derive(s, 'SelectBackward0', s._i, size, lambda v: v.select(ax, index), s._coal)
    xp = xp_of(s._i)
    e = xp.nonzero(s._i[d] == index)[0]
    if nsd == 1:                                    # no sparse dim left: a dense tensor
        fn = lambda v: v[_t(e)].sum(0)             # noqa: E731
        return values_fn('SelectBackward0', (s,), _run(fn, s._v), fn, (s._v,), (_grad_as(s),))
    i = xp.ascontiguousarray(s._i[[k for k in range(nsd) if k != d]][:, e])
    return _derive(s, 'SelectBackward0', i, size, lambda v: v[_t(e)], s._coal)


def getitem(s, key):
    """Integer indexing (``s[k]``, ``s[:, k]``): select on sparse tensors."""
    keys = key if isinstance(key, tuple) else (key,)
    if keys and all(k == slice(None) for k in keys[:-1]) and isinstance(keys[-1], int) \
            and not isinstance(keys[-1], bool):
        return select(s, len(keys) - 1, keys[-1])
    if key is None:
        return unsqueeze(s, 0)
    raise _as_strided_error(s)


def _as_strided_error(s):
    backend = 'SparseCPU' if s._v.is_cpu else 'SparseCUDA'
    return NotImplementedError(
        f"Could not run 'aten::as_strided' with arguments from the '{backend}' backend. This could be because "
        "the operator doesn't exist for this backend, or was omitted during the selective/custom build "
        'process (if using custom build).')


def narrow_copy(s, dim, start, length):
    d = s._wrap_dim(dim)
    n = s._size[d]
    if start < 0:
        start += n
    if not (0 <= start and length >= 0 and start + length <= n):
        raise RuntimeError(f'Invalid range to narrow. range(start, start+length) must be a subset of range(0, '
                           f'{n}).')
    size = s._size[:d] + (length,) + s._size[d + 1:]
    nsd = s.sparse_dim()
    if d >= nsd:
        ax = d - nsd + 1
        return _derive(s, 'NarrowCopyBackward0', s._i, size, lambda v: v.narrow(ax, start, length), s._coal)
    xp = xp_of(s._i)
    e = xp.nonzero((s._i[d] >= start) & (s._i[d] < start + length))[0]
    i = s._i[:, e].copy()
    i[d] -= start
    return _derive(s, 'NarrowCopyBackward0', i, size, lambda v: v[_t(e)], s._coal)


def unsqueeze(s, dim):
    n = s.dim() + 1
    if not -n <= dim < n:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})')
    d = dim % n
    size = s._size[:d] + (1,) + s._size[d:]
    nsd = s.sparse_dim()
    if d > nsd:
        ax = d - nsd + 1
        return _derive(s, 'UnsqueezeBackward0', s._i, size, lambda v: v.unsqueeze(ax), False)
    xp = xp_of(s._i)
    i = xp.concatenate([s._i[:d], xp.zeros((1, s._i.shape[1]), dtype=s._i.dtype), s._i[d:]])
    return _derive(s, 'UnsqueezeBackward0', i, size, lambda v: v, False)


def _all_sparse(tensors):
    for k, t in enumerate(tensors):
        if not getattr(t, 'is_sparse', False):
            raise RuntimeError(f'Concatenating sparse tensors, but a dense tensor was found at position {k}.')


def cat(tensors, dim=0, _name='CatBackward0'):
    """ember.cat of sparse tensors (along a sparse or a dense dim): a sparse tensor holding every
    input's entries, in order."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError('torch.cat(): expected a non-empty list of Tensors')
    _all_sparse(tensors)
    first = tensors[0]
    d = first._wrap_dim(dim)
    for k, t in enumerate(tensors):
        if t.dim() != first.dim() or any(a != b for j, (a, b) in enumerate(zip(t._size, first._size)) if j != d):
            raise RuntimeError(f'All tensors must have the same shape: {list(first._size)} (except in the '
                               f'concatenating dimension), but found shape: {list(t._size)} at position {k}.')
    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = _dtype.promote_types(dt, t.dtype)
    xp = xp_of(first._i)
    nsd = first.sparse_dim()
    total = sum(t._size[d] for t in tensors)
    size = first._size[:d] + (total,) + first._size[d + 1:]
    parts, off = [], 0
    for t in tensors:
        i = t._i.copy()
        if d < nsd:
            i[d] += off
        parts.append(i)
        off += t._size[d]
    i = xp.concatenate(parts, axis=1)
    if d < nsd:
        def fn(*vs):
            from ..ops.join import cat as dense_cat
            return dense_cat([v.to(dt) for v in vs])
    else:                                       # a dense dim: each input's values padded with zeros
        ax = d - nsd + 1
        widths = [t._size[d] for t in tensors]

        def fn(*vs):
            from ..ops.join import cat as dense_cat
            from ..ops.creation import zeros
            rows, before = [], 0
            for v, w in zip(vs, widths):
                shape = list(v.shape)
                pad = []
                if before:
                    shape[ax] = before
                    pad.append(zeros(shape, dtype=dt, device=v.device))
                pad.append(v.to(dt))
                if total - before - w:
                    shape[ax] = total - before - w
                    pad.append(zeros(shape, dtype=dt, device=v.device))
                rows.append(dense_cat(pad, ax))
                before += w
            return dense_cat(rows)
    vs = [t._v for t in tensors]
    out = make(i, _run(fn, *vs), size, False)
    return values_fn(_name, tuple(tensors), out, fn, tuple(vs), tuple(_grad_as(t) for t in tensors), i, size)


def stack(tensors, dim=0):
    """ember.stack of sparse tensors: cat of the inputs unsqueezed at ``dim`` (grad_fn StackBackward0:
    input k's gradient is slice k of the result's)."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError('stack expects a non-empty TensorList')
    _all_sparse(tensors)
    n = tensors[0].dim() + 1
    if not -n <= dim < n:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})')
    out = cat([unsqueeze(t.detach(), dim) for t in tensors], dim)
    return record(node_class('StackBackward0', _StackNode), tuple(tensors), out, dim=dim % n)


class _StackNode(SparseNode):
    """Gradient of stack: slice k of the (sparse or dense) gradient along ``dim`` for input k."""

    def backward(self, g):
        n = len(self._next)
        if g.is_sparse:
            return tuple(select(g, self.dim, k) for k in range(n))
        return tuple(g.select(self.dim, k) for k in range(n))


def install(S):
    S.permute = permute
    S.T = property(T)
    S.mT = property(mT)
    S.index_select = index_select
    S.select = select
    S.__getitem__ = getitem
    S.narrow_copy = narrow_copy
    S.unsqueeze = unsqueeze

