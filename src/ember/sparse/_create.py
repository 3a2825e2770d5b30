"""Making sparse COO tensors: ``sparse_coo_tensor`` and ``dense.to_sparse()``."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor as _Dense, xp_of
from ..autograd import grad_mode
from ..autograd.grad_mode import no_grad
from ._autograd import values_fn, record, mask_values
from ._coo import make, _FromValuesBackward
from . import _invariants


# ------------------------------------------------------------------ creation

def _as_tensor(x, dtype=None):
    from ..ops.creation import tensor
    if isinstance(x, _Dense):
        return x if dtype is None else x.to(dtype)
    return tensor(x, dtype=dtype)


def sparse_coo_tensor(indices=None, values=None, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """A sparse COO tensor with ``values`` at ``indices`` (sparse_dim x nnz); ``size`` alone gives an
    empty one."""
    if check_invariants is None:
        check_invariants = _invariants.default()
    if values is None:
        if indices is not None and size is None and not isinstance(indices, _Dense):
            indices, size = None, indices
        if indices is not None or size is None:
            raise TypeError('sparse_coo_tensor() received an invalid combination of arguments - got (), but '
                            'expected one of:')
        return _empty(tuple(int(n) for n in size), dtype, device, requires_grad)
    idx = _as_tensor(indices)
    if idx.is_sparse:
        raise TypeError('sparse_coo_tensor(): indices must be a dense tensor')
    v = _as_tensor(values, dtype)
    if device is not None:
        v = v.to(device)
    if idx.dim() != 2:
        if idx.dim() == 1 and size is not None and len(size) != idx.shape[0] + max(v.dim() - 1, 0):
            raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = "
                               f'{len(size)}, sparse_dim = {idx.shape[0]}, dense_dim = {max(v.dim() - 1, 0)}')
        raise RuntimeError(f'indices must be sparse_dim x nnz, but got: {list(idx.shape)}')
    if idx.is_floating_point() or idx.is_complex() or idx.dtype == _dtype.bool_:
        idx = idx.to(_dtype.int64)
    i = idx.detach().to(dtype=_dtype.int64, device=v.device)._data
    nsd, nnz = i.shape
    if v.dim() == 0:
        v = v.reshape(1)
    if v.shape[0] != nnz:
        raise RuntimeError(f'indices and values must have same nnz, but got nnz from indices: {nnz}, '
                           f'nnz from values: {v.shape[0]}')
    dense = tuple(v.shape[1:])
    if size is None:
        top = (i.max(axis=1) + 1).tolist() if nnz else [0] * nsd
        size = tuple(int(n) for n in top) + dense
    else:
        size = tuple(int(n) for n in size)
        if len(size) != nsd + len(dense):
            raise RuntimeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = "
                               f'{len(size)}, sparse_dim = {nsd}, dense_dim = {len(dense)}')
        if size[nsd:] != dense:
            raise RuntimeError(f'values has incorrect size, expected {list((nnz,) + size[nsd:])}, got '
                               f'{list(v.shape)}')
        if check_invariants and nnz:
            lo, hi = i.min(axis=1).tolist(), i.max(axis=1).tolist()
            for d in range(nsd):
                if lo[d] < 0:
                    raise RuntimeError(f'found negative index {lo[d]} for dim {d}')
                if hi[d] >= size[d]:
                    raise RuntimeError(f'size is inconsistent with indices: for dim {d}, size is {size[d]} '
                                       f'but found index {hi[d]}')
    out = make(i, v, size, nnz < 2 if is_coalesced is None else bool(is_coalesced))   # (as PyTorch)
    if requires_grad:
        out.requires_grad_(True)
    if v.requires_grad and grad_mode.is_grad_enabled():
        out = record(_FromValuesBackward, (v,), out, i=i, size=size)
    return out


def _empty(size, dtype, device, requires_grad):
    from ..ops.creation import zeros
    v = zeros((0,), dtype=dtype, device=device)
    i = zeros((len(size), 0), dtype=_dtype.int64, device=v.device)._data
    out = make(i, v, size, True)
    if requires_grad:
        out.requires_grad_(True)
    return out


def copy_(self, src, non_blocking=False):
    """``sparse.copy_(sparse_src)``: self takes src's size, indices and values (in self's dtype)."""
    if not getattr(src, 'is_sparse', False):
        raise RuntimeError('copy_() between dense and sparse Tensors is not implemented! Found self type = '
                           f'{self.type()} and src type = {src.type()}')
    from ._inplace import _alias, _assume, _ADD
    from ._autograd import record, node_class
    from ._coo import _PassNode
    old = _alias(self)
    r = make(src._i.copy(), src._v.to(self.dtype).clone(), src._size, src._coal)
    r = record(node_class('CopyBackwards', _PassNode), (old, src), r) if src.requires_grad else r
    return _assume(self, r, _ADD)


def dense_to_sparse(x, sparse_dim=None, name='ToSparseBackward1'):
    """``x.to_sparse(sparse_dim)``: the nonzero (sub)entries of dense ``x`` as a coalesced COO."""
    if x.is_sparse:
        return x.to_sparse(sparse_dim)
    nd = x.dim()
    sd = nd if sparse_dim is None else sparse_dim
    if not 0 <= sd <= nd:
        raise RuntimeError(f'sparse_dim argument must be in [0,{nd}] but got {sd}')
    a = x._data
    xp = xp_of(a)
    nz = a != 0
    if sd < nd:
        nz = nz.reshape(a.shape[:sd] + (-1,)).any(axis=-1)
    if sd == 0:
        i = xp.zeros((0, 1), dtype=np.int64)
    else:
        i = xp.stack([k.astype(np.int64) for k in xp.nonzero(nz)]) if nz.ndim else xp.zeros((0, 1), np.int64)
    i = i.reshape(sd, -1)
    size = tuple(x.shape)
    with no_grad():
        v = mask_values(x.detach(), i, size)
    out = make(i, v, size, True)
    return values_fn(name, (x,), out, lambda xx: mask_values(xx, i, size), (x,), (None,), out_i=i,
                     out_size=size)
