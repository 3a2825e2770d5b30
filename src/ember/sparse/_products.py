"""Matrix products with sparse COO operands: sparse @ dense (mm, addmm, mv, matmul, and the
``ember.sparse`` forms whose gradient for the sparse operand stays sparse), sparse @ sparse."""
from .. import _dtype
from .._tensor import Tensor as _Dense, xp_of
from ..autograd.grad_mode import no_grad
from ..ops.dims import wrap_dim
from ._autograd import values_fn, record, node_class, SparseNode, mask_values
from ._coo import Tensor, make, scatter_dense
from ._math import _t, _run, _grad_as


def _spmm(i, v, d, m):
    """(sparse 2-D with indices i, values v, m rows) @ dense d, with ember ops."""
    from ..ops.creation import zeros
    rows, cols = _t(i[0]), _t(i[1])
    out = zeros((m, d.shape[1]), dtype=_dtype.promote_types(v.dtype, d.dtype), device=d.device)
    return out.index_add(0, rows, v.unsqueeze(1) * d[cols])


def need_matrix(d, scalar_dim, vector_dim):
    """PyTorch's IndexError where a sparse product reads the size of a missing dim of dense ``d``."""
    if d.dim() == 0:
        raise IndexError(f'Dimension specified as {scalar_dim} but tensor has no dimensions')
    if d.dim() == 1:
        wrap_dim(vector_dim, 1)


def _check_mm(s, d):
    if isinstance(d, _Dense) and d.dtype != s.dtype:
        from .._tensor import _scalar_name
        raise RuntimeError(f'expected scalar type {_scalar_name(s.dtype)} but found {_scalar_name(d.dtype)}')
    if s.sparse_dim() != 2 or s.dense_dim() != 0:
        raise RuntimeError(f'addmm: matrices expected, got {s.sparse_dim()}D sparse tensor')
    if isinstance(d, _Dense):       # PyTorch reads d.size(-1), then d.size(1)
        need_matrix(d, -1, 1)
    if not isinstance(d, _Dense) or d.dim() != 2:
        raise RuntimeError(f'addmm: matrices expected, got {d.dim()}D tensor')
    if d.shape[0] != s._size[1]:
        raise RuntimeError(f'addmm: Argument #3 (dense): Expected dim 0 size {s._size[1]}, got {d.shape[0]}')


def sparse_mm(s, d):
    """torch.sparse.mm: sparse @ dense -> dense (SparseAddmmBackward0: a sparse gradient for s)."""
    if isinstance(d, Tensor):
        return _sparse_sparse_mm(s, d, 'SparseAddmmBackward0')
    _check_mm(s, d)
    m, i = s._size[0], s._i
    fn = lambda v, dd: _spmm(i, v, dd, m)      # noqa: E731
    return values_fn('SparseAddmmBackward0', (s, d), _run(fn, s._v, d), fn, (s._v, d), (_grad_as(s), None))


def addmm(input, mat1, mat2, *, beta=1.0, alpha=1.0, _node='SparseAddmmBackward0'):
    _check_mm(mat1, mat2)
    m, i = mat1._size[0], mat1._i

    def fn(inp, v, dd):
        return inp * beta + _spmm(i, v, dd, m) * alpha
    return values_fn(_node, (input, mat1, mat2), _run(fn, input, mat1._v, mat2), fn,
                     (input, mat1._v, mat2), (None, _grad_as(mat1), None))


def _sparse_sparse_mm(a, b, name):
    if a._size[1] != b._size[0]:
        raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({a._size[0]}x{a._size[1]} and '
                           f'{b._size[0]}x{b._size[1]})')
    size = (a._size[0], b._size[1])
    with no_grad():
        prod = scatter_dense(a._i, a._v, a._size) @ scatter_dense(b._i, b._v, b._size)
        shape = scatter_dense(a._i, a._v.abs() + 1, a._size) @ scatter_dense(b._i, b._v.abs() + 1, b._size)
    i = xp_of(a._i).stack([k.astype('int64') for k in xp_of(a._i).nonzero(shape._data)]).reshape(2, -1)

    def fn(va, vb):
        return mask_values(scatter_dense(a._i, va, a._size) @ scatter_dense(b._i, vb, b._size), i, size)
    out = make(i, mask_values(prod, i, size), size, True)
    return values_fn(name, (a, b), out, fn, (a._v, b._v), (_grad_as(a), _grad_as(b)), i, size)


class _MmNode(SparseNode):
    """torch.mm with a sparse operand (MmBackward0): dense gradients for both operands."""

    def backward(self, g):
        a, b = self.a, self.b
        ga = g @ (b.t() if not b.is_sparse else b.t()) if self._next[0][0] is not None else None
        gb = (a.t() @ g) if self._next[1][0] is not None else None
        if ga is not None and ga.is_sparse:
            ga = ga.to_dense()
        if gb is not None and gb.is_sparse:
            gb = gb.to_dense()
        return ga, gb


_MmBackward0 = node_class('MmBackward0', _MmNode)


def mm(a, b):
    """torch.mm / matmul / @ with a sparse operand (MmBackward0)."""
    if a.is_sparse and b.is_sparse:
        return _sparse_sparse_mm(a, b, 'MmBackward0')
    if a.is_sparse:
        _check_mm(a, b)
        out = _run(lambda v, d: _spmm(a._i, v, d, a._size[0]), a._v, b)
    else:
        need_matrix(a, -2, -2)
        bt = b.t()
        _check_mm(bt, a.t())
        # (b.t() @ a.t()).t() as PyTorch computes it: its strides, but no view of the temporary
        out = _Dense._make(_run(lambda v, d: _spmm(bt._i, v, d, bt._size[0]), bt._v, a.t())._data.T)
    return record(_MmBackward0, (a, b), out, a=a.detach(), b=b.detach())


class _MvNode(SparseNode):
    def backward(self, g):
        gs = g.unsqueeze(1) * self.vec.unsqueeze(0) if self._next[0][0] is not None else None
        gv = mm(self.s.t(), g.unsqueeze(1)).squeeze(1) if self._next[1][0] is not None else None
        return gs, gv


def mv(s, vec):
    if vec.dim() != 1 or vec.shape[0] != s._size[1]:
        raise RuntimeError(f'size mismatch, got input ({s._size[0]}), mat ({s._size[0]}x{s._size[1]}), '
                           f'vec ({vec.shape[0] if vec.dim() else 1})')
    out = _run(lambda v, d: _spmm(s._i, v, d, s._size[0]), s._v, vec.unsqueeze(1)).squeeze(1)
    return record(node_class('MvBackward0', _MvNode), (s, vec), out, s=s.detach(), vec=vec.detach())


def matmul(a, b):
    if a.is_sparse and not b.is_sparse and b.dim() == 1:
        return mv(a, b)
    if a.dim() != 2 or b.dim() != 2:
        raise RuntimeError('matmul with a sparse tensor supports 2-D sparse x dense (or 1-D) operands only')
    return mm(a, b)

