"""Sparse COO tensors (``layout=ember.sparse_coo``) and the ``ember.sparse`` functions.

``ember.sparse_coo_tensor(indices, values, size)`` or ``dense.to_sparse()`` make one; it is an
``ember.Tensor`` (``isinstance`` holds, ``is_sparse`` is True) whose dense-only ops raise
PyTorch's NotImplementedError for the SparseCPU/SparseCUDA backend.
"""
from .._tensor import Tensor as _Dense
from ._coo import Tensor as SparseTensor
from ._create import sparse_coo_tensor, dense_to_sparse  # noqa: F401  (ember.Tensor.to_sparse uses it)
from . import _math
from ._products import need_matrix
from ._invariants import check_sparse_tensor_invariants  # noqa: F401

__all__ = ['mm', 'addmm', 'sum', 'softmax', 'log_softmax', 'spdiags']


def mm(mat1, mat2, reduce=None):
    """sparse @ dense -> dense (or sparse @ sparse -> sparse); the sparse gradient of ``mat1`` keeps
    its pattern (grad_fn ``SparseAddmmBackward0``). ``reduce`` (PyTorch: CSR only) is refused."""
    if reduce is not None:
        raise NotImplementedError(
            "Could not run 'aten::_sparse_mm_reduce_impl' with arguments from the 'SparseCPU' backend. This could "
            "be because the operator doesn't exist for this backend, or was omitted during the selective/custom "
            'build process (if using custom build).')
    if not mat1.is_sparse:      # PyTorch: the product of the transposes, transposed back
        need_matrix(mat1, -2, -2)
        return (mat2.transpose(-2, -1) @ mat1.transpose(-2, -1)).transpose(-2, -1)
    return _math.sparse_mm(mat1, mat2)


def addmm(mat, mat1, mat2, *, beta=1.0, alpha=1.0):
    """beta * mat + alpha * (sparse mat1 @ dense mat2)."""
    if not mat1.is_sparse:
        raise RuntimeError('sparse.addmm: mat1 must be a sparse tensor')
    return _math.addmm(mat, mat1, mat2, beta=beta, alpha=alpha)


def sum(input, dim=None, dtype=None):
    """Sum of a sparse tensor: a dense scalar over all dims, else sparse while sparse dims remain."""
    if not input.is_sparse:
        return input.sum(dim, dtype=dtype) if dim is not None else input.sum(dtype=dtype)
    return _math.sparse_sum(input, dim, dtype)


def _dense_refused(op, input):
    if not input.is_sparse:
        backend = 'CPU' if input.is_cpu else 'CUDA'
        raise NotImplementedError(
            f"Could not run 'aten::{op}' with arguments from the '{backend}' backend. This could be because the "
            "operator doesn't exist for this backend, or was omitted during the selective/custom build process "
            '(if using custom build).')


def softmax(input, dim, *, dtype=None):
    """Softmax over the specified entries only (unspecified ones act as -inf)."""
    _dense_refused('_sparse_softmax', input)
    return _math.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    _dense_refused('_sparse_log_softmax', input)
    return _math.log_softmax(input, dim, dtype=dtype)


def spdiags(diagonals, offsets, shape, layout=None):
    """A sparse 2-D matrix with the rows of ``diagonals`` on the diagonals ``offsets`` (as
    torch.sparse.spdiags: element k of a row sits in column k)."""
    from ..ops.creation import tensor as _tensor
    import numpy as np
    if layout is not None and repr(layout) != 'ember.sparse_coo':
        raise RuntimeError(f'spdiags: layout {layout!r} is not supported (only ember.sparse_coo)')
    d = diagonals if diagonals.dim() == 2 else diagonals.unsqueeze(0)
    offs = np.asarray(offsets.tolist() if isinstance(offsets, _Dense) else offsets, dtype=np.int64).reshape(-1)
    m, n = shape
    rows, cols, src = [], [], []
    for k, off in enumerate(offs.tolist()):
        c = np.arange(max(0, off), min(n, m + off, d.shape[1]))
        rows.append(c - off)
        cols.append(c)
        src.append(k * d.shape[1] + c)
    i = np.stack([np.concatenate(rows), np.concatenate(cols)]) if rows else np.zeros((2, 0), np.int64)
    vals = d.reshape(-1)[_tensor(np.concatenate(src) if src else np.zeros(0, np.int64), device=d.device)]
    return sparse_coo_tensor(_tensor(i, device=d.device), vals, (m, n), check_invariants=False)


def spmm(input, mat2):
    """ember.spmm: sparse @ dense (grad_fn MmBackward0, as torch.spmm); two dense operands: ember.mm."""
    if not input.is_sparse and not mat2.is_sparse:
        return input.mm(mat2)
    return _math.mm(input, mat2)


def _install():
    S = SparseTensor
    m = _math
    S.__add__ = S.add = lambda self, other, *, alpha=1: m.add(self, other, alpha)
    S.__radd__ = lambda self, other: m.add(other, self)
    S.__sub__ = S.sub = lambda self, other, *, alpha=1: m.add(self, other, -alpha, 'SubBackward0')
    S.__rsub__ = lambda self, other: m.add(other, self, -1, 'SubBackward0')
    S.__mul__ = S.__rmul__ = S.mul = lambda self, other: m.mul(self, other)
    S.__truediv__ = S.div = lambda self, other: m.div(self, other)
    S.__rtruediv__ = lambda self, other: m.div(other, self)
    S.__neg__ = S.neg = m.neg
    S.__abs__ = S.abs = m.abs
    S.__pow__ = S.pow = m.pow
    S.__matmul__ = S.matmul = m.matmul
    S.__rmatmul__ = lambda self, other: m.matmul(other, self)
    S.mm = S.spmm = m.mm
    S.mv = m.mv
    S.sum = m.tensor_sum
    S.__len__ = lambda self: self._size[0]
    from . import _inplace, _unary, _shape
    _unary.install(S)
    _shape.install(S)
    from ._create import copy_
    S.copy_ = copy_
    S.add_, S.sub_, S.mul_, S.div_, S.zero_ = _inplace.add_, _inplace.sub_, _inplace.mul_, _inplace.div_, \
        _inplace.zero_


_install()


def dispatch(name, a, b, **kw):
    """Run dense function ``name`` (mm, matmul, add, sub, mul, div, add_, sub_) for operands of which
    one is sparse; re-raise the dense op's error when none is (called from the dense op's
    NotImplementedError handler). ``kw``: the function's keywords (alpha, rounding_mode, out)."""
    import sys
    if not (getattr(a, 'is_sparse', False) or getattr(b, 'is_sparse', False)):
        raise sys.exc_info()[1]
    if kw.get('out') is not None:
        raise RuntimeError(f'{name}(): out= is not supported with sparse COO arguments')
    alpha = kw.get('alpha', 1)
    if name in ('add_', 'sub_'):                          # dense self, sparse other
        return getattr(a, name)(b.to_dense(), alpha=alpha)
    if name in ('add', 'sub'):
        return _math.add(a, b, alpha if name == 'add' else -alpha, 'AddBackward0' if name == 'add' else 'SubBackward0')
    if name == 'mul':
        return _math.mul(a, b)
    if name == 'div':
        if getattr(b, 'is_sparse', False):
            raise RuntimeError('Sparse division requires a scalar or zero-dim dense tensor divisor (got shape '
                               f'{list(b.shape)} for divisor)')
        return _math.div(a, b, kw.get('rounding_mode'))
    return (_math.mm if name == 'mm' else _math.matmul)(a, b)
