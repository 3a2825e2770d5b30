"""The complex-number API on ember's real tensors (ember has no complex dtypes yet): conj and its
relatives are the tensor itself, ``real`` is the tensor, ``imag`` refuses, ``angle`` is 0 or pi.
Also small Tensor facts PyTorch has (dim_order, const_data_ptr, nonzero_static, the other device
flags) and the messages of the linear-algebra methods PyTorch removed (eig, symeig, solve, lstsq)."""
import math

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, apply

__all__ = ['conj', 'conj_physical', 'resolve_conj', 'resolve_neg', 'is_conj', 'is_neg', 'real', 'imag', 'angle',
           'nonzero_static']


def conj(input):
    """Complex conjugate; a real tensor is its own conjugate (the same tensor)."""
    return input


conj_physical = resolve_conj = resolve_neg = real = conj


def conj_physical_(self):
    return self


def is_conj(input):
    return False


is_neg = is_conj


def imag(input):
    raise RuntimeError('imag is not implemented for tensors with non-complex dtypes.')


class AngleBackward0(Op):
    """Argument of a real number: pi for negatives, 0 otherwise (NaN stays NaN); gradient 0."""

    def forward(self, a):
        xp = np if type(a) is np.ndarray else __import__('cupy')
        if a.dtype.kind not in 'f' and a.dtype.name != 'bfloat16':
            a = a.astype(_dtype.get_default_dtype().np)
        out = xp.where(a < 0, a.dtype.type(math.pi), a.dtype.type(0))
        return xp.where(xp.isnan(a), a, out) if a.dtype.kind == 'f' else out

    def backward(self, grad):
        return (grad * 0,)


def angle(input):
    return apply(AngleBackward0, input)


def nonzero_static(input, *, size, fill_value=-1):
    """The first ``size`` rows of ``nonzero()``, padded with ``fill_value`` rows when there are fewer."""
    idx = input.nonzero()
    n = idx.shape[0]
    if n >= size:
        return idx[:size].contiguous()
    from .creation import full
    from .join import cat
    return cat([idx, full((size - n, input.dim()), fill_value, dtype=idx.dtype, device=idx.device)])


def dim_order(self):
    """The dimensions from outermost to innermost in memory (largest stride first)."""
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: (-strides[d], d)))


def const_data_ptr(self):
    return self.data_ptr()


def storage_type(self):
    from .legacy import CUDA_LEGACY, LEGACY
    name = self.dtype.legacy
    owner = 'ember.cuda' if self.is_cuda else 'ember'
    return type(name.replace('Tensor', 'Storage'), (), {'__module__': owner,
                                                        '_tensor_type': (CUDA_LEGACY if self.is_cuda else LEGACY)[name]})


def is_set_to(self, tensor):
    """Same memory, shape and strides."""
    return (self.data_ptr() == tensor.data_ptr() and self.shape == tensor.shape
            and self.stride() == tensor.stride() and self.device == tensor.device)


def as_subclass(self, cls):
    """The same data and graph position, as an instance of ``cls`` (a Tensor subclass)."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise TypeError(f'as_subclass(): argument \'cls\' must be a Tensor subclass, not {cls!r}')
    from .select import AliasBackward0
    out = apply(AliasBackward0, self)
    out.__class__ = cls
    return out


_REMOVED = {
    'eig': '`ember.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors '
           'mimicking complex tensors.',
    'symeig': 'The default behavior has changed from using the upper triangular portion of the matrix by default '
              'to using the lower triangular portion.',
    'solve': '`ember.solve` is deprecated in favor of `ember.linalg.solve`. `ember.linalg.solve` has its arguments '
             'reversed and does not return the LU factorization.',
    'lstsq': '`ember.lstsq` is deprecated in favor of `ember.linalg.lstsq`.',
}


def _removed(name):
    def method(self, *args, **kwargs):
        if name == 'matrix_rank':
            raise RuntimeError('This function was deprecated since version 1.9 and is now removed.\nPlease use the '
                               "`ember.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed "
                               "in `ember.linalg.matrix_rank()` to 'hermitian'.")
        raise RuntimeError(f'This function was deprecated since version 1.9 and is now removed. {_REMOVED[name]}')
    method.__name__ = name
    return method


# the top-level functions too (torch.solve(B, A), ...); matrix_rank only at the top level
eig, symeig, solve, lstsq, matrix_rank = (_removed(n) for n in ('eig', 'symeig', 'solve', 'lstsq', 'matrix_rank'))
__all__ += ['eig', 'symeig', 'solve', 'lstsq', 'matrix_rank']


METHODS = {'conj': conj, 'conj_physical': conj_physical, 'conj_physical_': conj_physical_,
           'resolve_conj': resolve_conj, 'resolve_neg': resolve_neg, 'is_conj': is_conj, 'is_neg': is_neg,
           'angle': angle, 'nonzero_static': nonzero_static, 'dim_order': dim_order,
           'const_data_ptr': const_data_ptr, 'storage_type': storage_type, 'is_set_to': is_set_to,
           'as_subclass': as_subclass, **{n: _removed(n) for n in _REMOVED}}
# the device kinds ember never has (PyTorch answers False for them on CPU and CUDA tensors)
FLAGS = ('is_mps', 'is_xpu', 'is_ipu', 'is_mtia', 'is_maia', 'is_xla', 'is_vulkan', 'is_mkldnn', 'is_nested',
         'is_sparse_csr')
for _flag in FLAGS:
    setattr(Tensor, _flag, False)
Tensor.real = property(conj)
Tensor.imag = property(imag)
