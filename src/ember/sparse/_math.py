"""Math on sparse COO tensors: add/sub/mul/div, sums and softmax (matrix products: ._products;
zero-preserving elementwise ops: ._unary). Index work is done once on raw arrays; values are computed with
ember ops so :class:`ValuesFnNode` can differentiate the same function in backward."""
from .. import _dtype
from .._tensor import Tensor as _Dense, xp_of
from ..autograd.grad_mode import no_grad
from ._autograd import values_fn, record, node_class, SparseNode, mask_values, linear_keys
from ._coo import Tensor, make, coalesce_plan, apply_plan, scatter_dense

_SCALARS = (int, float, bool)


def _t(a):
    return _Dense._make(a)


def _run(fn, *args):
    with no_grad():
        return fn(*[a.detach() for a in args])


def _plan(s):
    """A plan that maps s's values to its coalesced values (identity-like when already so)."""
    if s._i.shape[1] == 0:
        xp = xp_of(s._i)
        return (s._i, xp.zeros(0, 'int64'), xp.zeros(0, 'int64'), 0)
    return coalesce_plan(s._i, s._size)


def _grad_as(s):
    """Turns a gradient of s's values into the sparse gradient of s. Each entry's gradient is the
    dense gradient at its position, so duplicates of an uncoalesced s carry the same value: the
    gradient keeps one of each (a sparse tensor sums its duplicates)."""
    if s._coal or s._i.shape[1] < 2:
        return lambda gv: make(s._i, gv, s._size, s._coal)
    xp = xp_of(s._i)
    i, order, seg, _ = _plan(s)
    first = xp.ones(seg.shape[0], dtype=bool)
    first[1:] = seg[1:] != seg[:-1]
    pick = _t(order[first])
    return lambda gv: make(i, gv[pick], s._size, True)


def _same_size(a, b, op='add'):
    if a._size != b._size:
        raise RuntimeError(f"{op}: expected sizes of 'self' and 'other' to match, but {list(a._size)} != "
                           f'{list(b._size)}')


# ------------------------------------------------------------------ add / sub

def sparse_add(a, b, alpha=1, name='AddBackward0'):
    """sparse + alpha * sparse: a sparse tensor with the union of both patterns."""
    _same_size(a, b)
    xp = xp_of(a._i)
    dt = _dtype.promote_types(a.dtype, b.dtype)
    i = xp.concatenate([a._i, b._i], axis=1)
    if a._coal and b._coal:
        plan = _plan(make(i, a._v, a._size, False))
        i = plan[0]
    else:                                     # PyTorch's merge of two uncoalesced tensors
        from ._merge import merge_plan
        plan = merge_plan(a, b)
        i = plan[0]

    def fn(va, vb):
        v = _cat(va.to(dt), vb.to(dt) * alpha if alpha != 1 else vb.to(dt))
        return apply_plan(plan, v)
    out = make(i, _run(fn, a._v, b._v), a._size, a._coal and b._coal)
    return record(node_class(name, _DenseAddNode), (a, b), out, alpha=alpha)     # (as PyTorch: the whole
    # gradient, on the result's pattern, goes to both operands)


def _cat(x, y):
    from ..ops.join import cat
    return cat([x, y])


def concat_add(a, b):
    """a + b by concatenating the two patterns (an uncoalesced result), as gradient accumulation does."""
    _same_size(a, b)
    return make(xp_of(a._i).concatenate([a._i, b._i], axis=1), _cat(a._v, b._v.to(a.dtype)), a._size, False)


class _DenseAddNode(SparseNode):
    def backward(self, g):
        return g, (g * self.alpha if self.alpha != 1 else g)


def dense_add(d, s, alpha=1, name='AddBackward0'):
    """dense + alpha * sparse: a dense tensor."""
    if tuple(d.shape) != s._size:
        raise RuntimeError(f'The size of tensor a ({tuple(d.shape)}) must match the size of tensor b '
                           f'({s._size})')
    with no_grad():
        sd = scatter_dense(s._i, s._v, s._size)
        out = d.detach() + (sd * alpha if alpha != 1 else sd)
    return record(node_class(name, _DenseAddNode), (d, s), out, alpha=alpha)


def _no_sparse_dense():
    return RuntimeError('add(sparse, dense) is not supported. Use add(dense, sparse) instead.')


def add(a, b, alpha=1, name='AddBackward0'):
    if isinstance(a, Tensor):
        if isinstance(b, Tensor):
            return sparse_add(a, b, alpha, name)
        raise _no_sparse_dense()
    if isinstance(b, Tensor) and isinstance(a, _Dense):
        return dense_add(a, b, alpha, name)
    raise _no_sparse_dense()


# ------------------------------------------------------------------ mul / div / unary

def valuewise(s, name, f, coalesce=False):
    """A sparse tensor with s's pattern (coalesced first when ``coalesce``) and values f(values)."""
    if coalesce and not s._coal:
        plan = _plan(s)

        def fn(v):
            return f(apply_plan(plan, v))
        i, flag = plan[0], True
    else:
        fn, i, flag = f, s._i, s._coal or coalesce
    out = make(i, _run(fn, s._v), s._size, flag)
    return values_fn(name, (s,), out, fn, (s._v,), (_grad_as(s),), i, s._size)


def mul(a, b):
    if not isinstance(a, Tensor):
        a, b = b, a
    if isinstance(b, _SCALARS) or (isinstance(b, _Dense) and not b.is_sparse and b.dim() == 0):
        if isinstance(b, _Dense):
            out = make(a._i, _run(lambda v, c: v * c, a._v, b), a._size, a._coal)
            return values_fn('MulBackward0', (a, b), out, lambda v, c: v * c, (a._v, b),
                             (_grad_as(a), None), a._i, a._size)
        return valuewise(a, 'MulBackward0', lambda v: v * b)
    if not b.is_sparse:
        if tuple(b.shape) != a._size:
            _broadcast_into(tuple(b.shape), a)
            b = b.expand(a._size)
        i, size = a._i, a._size

        def fn(v, d):
            return v * mask_values(d, i, size)
        out = make(i, _run(fn, a._v, b), size, a._coal)
        return values_fn('MulBackward0', (a, b), out, fn, (a._v, b),
                         (_grad_as(a), lambda gd: make(i, mask_values(gd, i, size), size, a._coal)), i, size)
    return _sparse_mul(a, b)


def _broadcast_into(shape, s):
    """A dense operand of ``shape`` must broadcast to sparse ``s``'s size (PyTorch's messages)."""
    n = max(len(shape), len(s._size))
    ds, ss = (1,) * (n - len(shape)) + shape, (1,) * (n - len(s._size)) + s._size
    for k, (x, y) in enumerate(zip(ds, ss)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f'The size of tensor a ({x}) must match the size of tensor b ({y}) at '
                               f'non-singleton dimension {k}')
    if len(shape) > len(s._size) or any(x != y and y == 1 for x, y in zip(ds, ss)):
        _same_size(s, make(s._i, s._v, shape, False), 'mul')


def _sparse_mul(a, b):
    if a._size != b._size:
        raise RuntimeError('sparse_binary_op_intersection_cpu(): expects sparse inputs with equal '
                           'dimensionality, number of sparse dimensions, and shape of sparse dimensions')
    if not (a._coal and b._coal) and a._i.shape[1] and b._i.shape[1]:
        return _mul_uncoalesced(a, b)
    xp = xp_of(a._i)
    pa, pb = _plan(a), _plan(b)
    nsd = a._i.shape[0]
    ka, kb = linear_keys(pa[0], a._size[:nsd]), linear_keys(pb[0], a._size[:nsd])
    if kb.shape[0]:
        pos = xp.clip(xp.searchsorted(kb, ka), 0, kb.shape[0] - 1)
        found = kb[pos] == ka
        ia, ib = xp.nonzero(found)[0], pos[found]
    else:
        ia = ib = xp.zeros(0, 'int64')

    def fn(va, vb):
        return apply_plan(pa, va)[_t(ia)] * apply_plan(pb, vb)[_t(ib)]
    i = xp.ascontiguousarray(pa[0][:, ia])
    out = make(i, _run(fn, a._v, b._v), a._size, (a._coal and b._coal) or not i.shape[1])
    return values_fn('MulBackward0', (a, b), out, fn, (a._v, b._v), (_grad_as(a), _grad_as(b)), i, a._size)


def _mul_uncoalesced(a, b):
    """sparse * sparse with an uncoalesced operand (as PyTorch): every entry of the uncoalesced one
    (when both are: a's if it has fewer entries, else b's), times the other's (summed) value there (0 where it has none)."""
    swap = a._coal or (not b._coal and b._i.shape[1] <= a._i.shape[1])
    u, o = (b, a) if swap else (a, b)
    xp = xp_of(u._i)
    po = _plan(o)
    nsd = u._i.shape[0]
    ko, ku = linear_keys(po[0], u._size[:nsd]), linear_keys(u._i, u._size[:nsd])
    if ko.shape[0]:
        pos = xp.clip(xp.searchsorted(ko, ku), 0, ko.shape[0] - 1)
        found = (ko[pos] == ku).reshape((-1,) + (1,) * (u._v.dim() - 1))
    else:
        pos = found = None

    def fn(va, vb):
        vu, vo = (vb, va) if swap else (va, vb)
        if pos is None:
            return vu * 0
        y = apply_plan(po, vo)[_t(pos)] * _t(found)
        return y * vu if swap else vu * y
    i = u._i
    out = make(i, _run(fn, a._v, b._v), a._size, False)
    return values_fn('MulBackward0', (a, b), out, fn, (a._v, b._v), (_grad_as(a), _grad_as(b)), i, a._size)


def div(a, b, rounding_mode=None):
    if not isinstance(a, Tensor):
        raise NotImplementedError("Could not run 'aten::reciprocal' with arguments from the 'SparseCPU' "
                                  "backend. This could be because the operator doesn't exist for this "
                                  'backend, or was omitted during the selective/custom build process (if '
                                  'using custom build).')
    if isinstance(b, _Dense) and (b.is_sparse or b.dim() != 0):
        raise RuntimeError('Sparse division requires a scalar or zero-dim dense tensor divisor (got shape '
                           f'{list(b.shape)} for divisor)')
    if rounding_mode is not None:           # (PyTorch coalesces first: duplicates sum before rounding)
        return valuewise(a, 'DivBackward2', lambda v: v.div(b, rounding_mode=rounding_mode), coalesce=True)
    if isinstance(b, _Dense):
        out = make(a._i, _run(lambda v, c: v / c, a._v, b), a._size, a._coal)
        return values_fn('DivBackward0', (a, b), out, lambda v, c: v / c, (a._v, b),
                         (_grad_as(a), None), a._i, a._size)
    return valuewise(a, 'DivBackward0', lambda v: v / b)


def neg(s):
    return valuewise(s, 'NegBackward0', lambda v: -v)


def abs(s):
    return valuewise(s, 'AbsBackward0', lambda v: v.abs(), coalesce=True)


def pow(s, exponent):
    if isinstance(exponent, _SCALARS) and exponent == 0:
        raise RuntimeError('pow: cannot raise to zeroth power on sparse tensor; it would make the result tensor '
                           'dense')
    if not isinstance(exponent, _SCALARS):
        raise NotImplementedError(
            "Could not run 'aten::pow.Tensor_Tensor' with arguments from the 'SparseCPU' backend. This could be "
            "because the operator doesn't exist for this backend, or was omitted during the selective/custom "
            'build process (if using custom build).')
    return valuewise(s, 'PowBackward0', lambda v: v.pow(exponent), coalesce=True)


# ------------------------------------------------------------------ sums

class _SumDenseNode(SparseNode):
    def backward(self, g):
        return (g.expand(self.size),)


def tensor_sum(s, dim=None, keepdim=False, *, dtype=None):
    """``s.sum()``: a dense scalar whose gradient for s is dense (as PyTorch's SumBackward0)."""
    if dim is not None:
        return sparse_sum(s, dim, dtype=dtype)
    v = s._v if dtype is None else s._v.to(dtype)
    with no_grad():
        out = v.detach().sum()
    return record(node_class('SumBackward0', _SumDenseNode), (s,), out, size=s._size)


def sparse_sum(s, dim=None, dtype=None):
    """torch.sparse.sum: all dims (a dense scalar) or ``dim`` (sparse while sparse dims remain)."""
    if dtype is not None:
        s = s.to(dtype)
    if dim is None:
        return values_fn('SumBackward0', (s,), _run(lambda v: v.sum(), s._v), lambda v: v.sum(), (s._v,),
                         (_grad_as(s),))
    listed = [s._wrap_dim(d) for d in ((dim,) if isinstance(dim, int) else dim)]
    for k, d in enumerate(listed):
        if d in listed[:k]:
            raise RuntimeError(f'dim {d} appears multiple times in the list of dims')
    dims = sorted(set(listed))
    nsd = s.sparse_dim()
    dense_axes = tuple(d - nsd + 1 for d in dims if d >= nsd)
    keep = [d for d in range(nsd) if d not in dims]
    size = tuple(n for d, n in enumerate(s._size) if d not in dims)

    def vsum(v):
        return v.sum(dense_axes) if dense_axes else v
    if not keep:
        fn = lambda v: vsum(v).sum(0)      # noqa: E731
        return values_fn('SparseSumBackward0', (s,), _run(fn, s._v), fn, (s._v,), (_grad_as(s),))
    plan = coalesce_plan(xp_of(s._i).ascontiguousarray(s._i[keep]), size)

    def fn(v):
        return apply_plan(plan, vsum(v))
    out = make(plan[0], _run(fn, s._v), size, True)
    return values_fn('SparseSumBackward0', (s,), out, fn, (s._v,), (_grad_as(s),), plan[0], size)


# ------------------------------------------------------------------ softmax

def _softmax(s, dim, log, dtype=None):
    if dtype is not None:
        s = s.to(dtype)
    dim = s._wrap_dim(dim)
    nsd = s.sparse_dim()
    plan = _plan(s)
    i = plan[0]
    name = 'SparseLogSoftmaxBackward0' if log else 'SparseSoftmaxBackward0'
    if dim >= nsd:
        ax = dim - nsd + 1

        def fn(v):
            v = apply_plan(plan, v)
            return v.log_softmax(ax) if log else v.softmax(ax)
    else:
        xp = xp_of(i)
        rest = [d for d in range(nsd) if d != dim]
        gkeys = linear_keys(xp.ascontiguousarray(i[rest]), [s._size[d] for d in rest])
        groups, grp = xp.unique(gkeys, return_inverse=True)
        grp = grp.reshape(-1)
        ng = groups.shape[0]

        def fn(v):
            from ..ops.creation import zeros
            v = apply_plan(plan, v)
            raw = v.detach()._data
            m = xp.full((ng,) + raw.shape[1:], -xp.inf, dtype=raw.dtype)
            if raw.shape[0]:
                xp.maximum.at(m, grp, raw)
            z = v - _t(m[grp])
            e = z.exp()
            tot = zeros((ng,) + tuple(v.shape[1:]), dtype=v.dtype, device=v.device).index_add(0, _t(grp), e)
            return z - tot.log()[_t(grp)] if log else e / tot[_t(grp)]
    out = make(i, _run(fn, s._v), s._size, True)
    return values_fn(name, (s,), out, fn, (s._v,), (_grad_as(s),), i, s._size)


def softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, False, dtype)


def log_softmax(input, dim, *, dtype=None):
    return _softmax(input, dim, True, dtype)


from ._products import sparse_mm, addmm, mm, mv, matmul  # noqa: E402,F401  (their own module)
