"""The sparse COO tensor: an ``ember.Tensor`` holding int64 indices (sparse_dim x nnz), dense
values (nnz, *dense dims), its full size and whether it is known to be coalesced.

It has no dense array: a dense-only op that reaches it (through ``_data``) raises PyTorch's
"Could not run 'aten::<op>' with arguments from the 'SparseCPU' backend" error.
"""
import math

from .. import _dtype
from .._size import Size
from .._tensor import Tensor as _Dense, xp_of
from ._autograd import unsupported, values_fn, record, node_class, SparseNode, \
    mask_values, linear_keys

_new = object.__new__


class Tensor(_Dense):
    """A sparse COO tensor (``layout == ember.sparse_coo``)."""

    __module__ = 'ember'
    is_sparse = True
    _i = None            # raw int64 array (sparse_dim, nnz)
    _v = None            # dense ember Tensor (nnz, *dense dims), never recording
    _size = ()
    _coal = False

    @property
    def _data(self):
        raise unsupported(self)

    # ------------------------------------------------------------- metadata
    @property
    def layout(self):
        return _dtype.sparse_coo

    @property
    def shape(self):
        return Size(self._size)

    def size(self, dim=None):
        if dim is None:
            return Size(self._size)
        return self._size[self._wrap_dim(dim)]

    def _wrap_dim(self, dim):
        n = len(self._size)
        if not -n <= dim < n:
            raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                             f'but got {dim})')
        return dim + n if dim < 0 else dim

    def dim(self):
        return len(self._size)

    ndimension = dim

    @property
    def ndim(self):
        return len(self._size)

    def numel(self):
        return math.prod(self._size)

    nelement = numel

    @property
    def dtype(self):
        return self._v.dtype

    @property
    def device(self):
        return self._v.device

    @property
    def is_cuda(self):
        return self._v.is_cuda

    @property
    def is_cpu(self):
        return self._v.is_cpu

    def get_device(self):
        return self._v.get_device()

    def is_complex(self):
        return self._v.is_complex()

    def is_floating_point(self):
        return self._v.is_floating_point()

    def element_size(self):
        return self._v.element_size()

    def _nnz(self):
        return self._i.shape[1]

    def sparse_dim(self):
        return self._i.shape[0]

    def dense_dim(self):
        return len(self._size) - self._i.shape[0]

    def is_coalesced(self):
        return self._coal

    def _indices(self):
        return _Dense._make(self._i)

    def _values(self):
        return self._v

    def indices(self):
        if not self._coal:
            raise RuntimeError('Cannot get indices on an uncoalesced tensor, please call .coalesce() first')
        return self._indices()

    def values(self):
        if not self._coal:
            raise RuntimeError('Cannot get values on an uncoalesced tensor, please call .coalesce() first')
        out = _Dense._make(self._v._data)
        return record(_ValuesBackward0, (self,), out, i=self._i, size=self._size)

    def is_contiguous(self, memory_format=None):
        return False

    def stride(self, dim=None):
        """PyTorch reports a sparse tensor's strides as zeros."""
        if dim is None:
            return (0,) * len(self._size)
        self._wrap_dim(dim)
        return 0

    def storage(self):
        raise NotImplementedError('Cannot access storage of SparseTensorImpl')

    untyped_storage = storage

    def narrow(self, dim, start, length):
        from ._shape import _as_strided_error
        raise _as_strided_error(self)

    def sparse_resize_(self, size, sparse_dim, dense_dim):
        """New size (same sparse/dense dim counts; sparse dims may only grow while there are entries)."""
        size = tuple(int(n) for n in size)
        if sparse_dim != self.sparse_dim() or dense_dim != self.dense_dim() or len(size) != sparse_dim + dense_dim:
            if self._i.shape[1]:
                raise RuntimeError(f'sparse_resize_: changing the number of sparse dimensions (from '
                                   f'{self.sparse_dim()} to {sparse_dim}) or dense dimensions (from '
                                   f'{self.dense_dim()} to {dense_dim}) on a non-empty sparse tensor is not '
                                   'supported.')
            return self.sparse_resize_and_clear_(size, sparse_dim, dense_dim)
        if self._i.shape[1] and any(n < o for n, o in zip(size[:sparse_dim], self._size[:sparse_dim])):
            raise RuntimeError(f'shrinking the size of sparse dimensions (from {list(self._size[:sparse_dim])} '
                               f'to {list(size[:sparse_dim])}) on a non-empty sparse tensor is not supported.')
        if size[sparse_dim:] != self._size[sparse_dim:]:
            raise RuntimeError('sparse_resize_: resizing dense dimensions of a non-empty sparse tensor is not '
                               'supported.')
        self._size = size
        return self

    def sparse_resize_and_clear_(self, size, sparse_dim, dense_dim):
        from ..ops.creation import zeros
        size = tuple(int(n) for n in size)
        xp = xp_of(self._i)
        self._i = xp.zeros((sparse_dim, 0), dtype=self._i.dtype)
        self._v = zeros((0,) + size[sparse_dim:], dtype=self._v.dtype, device=self._v.device)
        self._size, self._coal = size, True
        return self

    def numpy(self, *, force=False):
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() first.")

    def tolist(self):
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    data_ptr = tolist

    def item(self):
        if self.numel() != 1:
            raise RuntimeError(f'a Tensor with {self.numel()} elements cannot be converted to Scalar')
        return self.to_dense().item()

    def reshape(self, *shape):
        raise RuntimeError('reshape is not implemented for sparse tensors')

    def contiguous(self, memory_format=None):
        raise RuntimeError('unsupported memory format option Contiguous')

    def __repr__(self, *, tensor_contents=None):
        from ._print import sparse_str
        return sparse_str(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        raise RuntimeError('pickling a sparse tensor is not supported; ember.save stores it (outside '
                           'pickled objects such as modules), or save (t._indices(), t._values(), t.shape)')

    # ------------------------------------------------------------- autograd fields
    def detach(self):
        return make(self._i, self._v, self._size, self._coal)

    def detach_(self):
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        return self.detach()

    # ------------------------------------------------------------- conversions
    def to_dense(self, dtype=None, *, masked_grad=None):
        if dtype is not None:
            raise RuntimeError('dtype argument is not supported by sparse_to_dense')
        v = self._v
        from ._math import _grad_as
        return values_fn('ToDenseBackward0', (self,), scatter_dense(self._i, v, self._size),
                         lambda vv: scatter_dense(self._i, vv, self._size), (v,), (_grad_as(self),))

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        if sparse_dim is not None and sparse_dim != self.sparse_dim():
            raise RuntimeError('to_sparse: conversion from Sparse to Sparse with sparse_dim argument '
                               f'!={self.sparse_dim()} is not supported')
        return self

    def to_sparse_coo(self):
        return self

    def coalesce(self):
        if self._coal:
            return self
        i, v = coalesced_parts(self._i, self._v, self._size)
        out = make(i, v, self._size, True)
        return record(_CoalesceBackward0, (self,), out)

    def clone(self, *, memory_format=None):
        out = make(self._i.copy(), self._v.clone(), self._size, self._coal)
        return record(_PassBackward['CloneBackward0'], (self,), out)

    def to(self, *args, **kwargs):
        from ..ops.convert import _parse_to, _same_device
        kwargs.pop('memory_format', None)
        kwargs.pop('non_blocking', None)
        dtype, dev, copy = _parse_to(args, dict(kwargs))
        same_dtype = dtype is None or dtype == self.dtype
        same_dev = dev is None or _same_device(dev, self.device)
        if same_dtype and same_dev and not copy:
            return self
        v = self._v.to(dtype=dtype if dtype is not None else self.dtype, device=dev if dev is not None
                       else self.device, copy=copy)
        i = self._i if same_dev else _Dense._make(self._i).to(dev)._data
        out = make(i, v, self._size, self._coal)
        return record(_ToCopyBackward0, (self,), out, dtype=self.dtype, device=self.device)

    def cpu(self, memory_format=None):
        return self.to('cpu')

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        from .. import cuda as _cuda
        return self.to(_cuda.current_device() if device is None else
                       (f'cuda:{device}' if isinstance(device, int) else device))

    def type(self, dtype=None, non_blocking=False):
        if dtype is None:
            cuda = 'cuda.' if self.is_cuda else ''
            return f'ember.{cuda}sparse.{self.dtype.legacy}'
        return self.to(dtype)

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool_)

    def t(self):
        if self.sparse_dim() != 2 or self.dense_dim() != 0:
            if len(self._size) > 2:
                raise RuntimeError(f't() expects a tensor with <= 2 sparse and 0 dense dimensions, but '
                                   f'got {self.sparse_dim()} sparse and {self.dense_dim()} dense dimensions')
            return self
        return self._transposed('TBackward0', 0, 1)

    def transpose(self, dim0, dim1):
        d0, d1 = self._wrap_dim(dim0), self._wrap_dim(dim1)
        if d0 >= self.sparse_dim() or d1 >= self.sparse_dim():
            raise RuntimeError('transpose: only sparse dimensions can be transposed for sparse tensors')
        return self._transposed('TransposeBackward0', d0, d1)

    def _transposed(self, name, d0, d1):
        i = self._i.copy()
        i[[d0, d1]] = self._i[[d1, d0]]
        size = list(self._size)
        size[d0], size[d1] = size[d1], size[d0]
        out = make(i, self._v, tuple(size), self._coal and d0 == d1)
        return record(node_class(name, _TransposeNode), (self,), out, dims=(d0, d1))

    # operators and math: installed by ._math


def make(i, v, size, coalesced):
    """A sparse tensor from raw int64 indices ``i``, values tensor ``v`` and ``size``."""
    t = _new(Tensor)
    t._i = i
    t._v = v.detach() if v._grad_fn is not None or v._requires_grad else v
    t._size = tuple(int(n) for n in size)
    t._coal = bool(coalesced)
    t._vc = [0]
    return t


def scatter_dense(i, v, size):
    """The dense tensor of ``size`` with values ``v`` added at COO indices ``i`` (ember ops)."""
    from ..ops.creation import zeros
    nsd = i.shape[0]
    dense = tuple(size[nsd:])
    flat = zeros((math.prod(size[:nsd]),) + dense, dtype=v.dtype, device=v.device)
    flat = flat.index_add(0, _Dense._make(linear_keys(i, size[:nsd])), v)
    return flat.reshape(tuple(size))


def coalesce_plan(i, size):
    """How to coalesce COO indices ``i``: (sorted unique indices, order, segment of each sorted
    entry, number of unique entries)."""
    xp = xp_of(i)
    n = i.shape[1]
    keys = linear_keys(i, size[:i.shape[0]])
    order = xp.argsort(keys, kind='stable')
    sk = keys[order]
    first = xp.ones(n, dtype=bool)
    first[1:] = sk[1:] != sk[:-1]
    seg = xp.cumsum(first) - 1
    nu = int(seg[-1]) + 1 if n else 0
    return xp.ascontiguousarray(i[:, order][:, first]), order, seg, nu


def apply_plan(plan, v):
    """Values ``v`` summed as ``plan`` (from :func:`coalesce_plan`) says (ember ops)."""
    from ..ops.creation import zeros
    _, order, seg, nu = plan
    out = zeros((nu,) + tuple(v.shape[1:]), dtype=v.dtype, device=v.device)
    return out.index_add(0, _Dense._make(seg), v[_Dense._make(order)])


def coalesced_parts(i, v, size):
    """Sorted unique indices and summed values of a COO (values via ember ops)."""
    if i.shape[1] == 0:
        return i, v
    plan = coalesce_plan(i, size)
    return plan[0], apply_plan(plan, v)


class _PassNode(SparseNode):
    """Gradient passes through unchanged (coalesce, clone)."""

    def backward(self, g):
        return (g,)


class _ValuesBackward0(SparseNode):
    def backward(self, g):
        return (make(self.i, g, self.size, True),)


class _FromValuesNode(SparseNode):
    def backward(self, g):
        return (mask_values(g, self.i, self.size),)


class _ToCopyNode(SparseNode):
    def backward(self, g):
        return (g.to(dtype=self.dtype, device=self.device),)


class _TransposeNode(SparseNode):
    def backward(self, g):
        return (g.transpose(*self.dims),)


_PassBackward = {n: node_class(n, _PassNode) for n in ('CoalesceBackward0', 'CloneBackward0')}
_CoalesceBackward0 = _PassBackward['CoalesceBackward0']
_ValuesBackward0 = node_class('ValuesBackward0', _ValuesBackward0)
_ToCopyBackward0 = node_class('ToCopyBackward0', _ToCopyNode)
_FromValuesBackward = node_class('SparseCooTensorWithDimsAndTensorsBackward0', _FromValuesNode)
