"""The sparse-tensor methods as dense (strided) tensors answer them, as in PyTorch:
``sparse_dim()`` is 0 and ``dense_dim()`` the number of dimensions, the accessors of sparse
layouts (``values()``, ``indices()``, ``crow_indices()``, ...) raise PyTorch's layout errors, and
``sparse_mask(mask)`` picks this tensor's entries at a sparse COO mask's indices. Sparse tensors
(ember.sparse) define their own versions of all of these.

Also the deprecated out-of-place ``resize``/``resize_as`` (grad_fn ResizeBackward): a reshape
that keeps the number of elements, with PyTorch's warning."""
import functools
import operator
import warnings

from ._op import Op, apply
from ._promote import xp

__all__ = []


def sparse_dim(self):
    return 0


def dense_dim(self):
    return self.dim()


def _layout_error(name, kind):
    def method(self):
        got = 'Sparse' if self.is_sparse else 'Strided'
        raise RuntimeError(f"{name} expected sparse {kind + ' ' if kind else ''}tensor layout but got {got}")
    method.__name__ = method.__qualname__ = name
    return method


def _no_kernel(name):
    def method(self):
        raise NotImplementedError(
            f"Could not run 'aten::{name}' with arguments from the '{'CPU' if self.is_cpu else 'CUDA'}' backend. "
            "This could be because the operator doesn't exist for this backend, or was omitted during the "
            'selective/custom build process (if using custom build).')
    method.__name__ = method.__qualname__ = name
    return method


def sparse_mask(self, mask):
    """A sparse COO tensor with ``mask``'s indices holding this tensor's entries there
    (grad_fn SparseMaskBackward0: the gradient flows back to those entries only)."""
    if not getattr(mask, 'is_sparse', False):
        return _no_kernel('sparse_mask')(self)
    if tuple(self.shape) != tuple(mask.shape):
        raise RuntimeError(f'sparse_mask(): operands have incompatible sizes; self has size {list(self.shape)} '
                           f'but mask has size {list(mask.shape)}')
    from ..autograd import grad_mode
    from ..sparse._autograd import mask_values, values_fn
    from ..sparse._coo import make
    i, size = mask._i, tuple(self.shape)
    with grad_mode.no_grad():
        v = mask_values(self.detach(), i, size)
    out = make(i, v, size, mask._coal)
    return values_fn('SparseMaskBackward0', (self,), out, lambda x: mask_values(x, i, size), (self,), (None,),
                     out_i=i, out_size=size)


class ResizeBackward(Op):
    """Out-of-place resize: the elements in row-major order under a new shape."""

    def forward(self, a, shape):
        self.in_shape = a.shape
        return xp(a).ascontiguousarray(a).reshape(shape)

    def backward(self, grad):
        return grad.contiguous().view(self.in_shape)


def _resize(self, sizes):
    numel = functools.reduce(operator.mul, sizes, 1)
    if self.numel() != numel:
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), but the given tensor has "
            f"a size of {'x'.join(map(str, self.shape))} ({self.numel()} elements). autograd's resize can only "
            'change the shape of a given tensor, while preserving the number of elements. ')
    return apply(ResizeBackward, self, shape=tuple(int(s) for s in sizes))


def resize(self, *sizes):
    """Deprecated: ``self`` reshaped to ``sizes`` (same number of elements); use reshape/view."""
    warnings.warn('non-inplace resize is deprecated', UserWarning, stacklevel=2)
    return _resize(self, sizes)


def resize_as(self, tensor):
    """Deprecated: ``self`` reshaped to ``tensor``'s shape (same number of elements)."""
    warnings.warn('non-inplace resize_as is deprecated', UserWarning, stacklevel=2)
    return _resize(self, tensor.size())


METHODS = {'sparse_dim': sparse_dim, 'dense_dim': dense_dim, 'sparse_mask': sparse_mask,
           'values': _layout_error('values', ''), 'indices': _layout_error('indices', 'coordinate'),
           'coalesce': _layout_error('coalesce', 'coordinate'),
           'is_coalesced': _layout_error('is_coalesced', 'coordinate'),
           'crow_indices': _layout_error('crow_indices', 'row compressed'),
           'col_indices': _layout_error('col_indices', 'row compressed'),
           'ccol_indices': _layout_error('ccol_indices', 'column compressed'),
           'row_indices': _layout_error('row_indices', 'column compressed'),
           '_values': _no_kernel('_values'), '_indices': _no_kernel('_indices'), '_nnz': _no_kernel('_nnz'),
           'resize': resize, 'resize_as': resize_as}
