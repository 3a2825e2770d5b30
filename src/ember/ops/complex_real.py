"""The complex-number API of ember tensors: conj and its relatives, the ``real``/``imag`` views
(with their property setters), ``angle`` and ``isreal``. Real tensors answer as PyTorch's do: conj,
resolve_conj and ``real`` are the tensor itself, ``imag`` refuses, ``angle`` is 0 or pi.

PyTorch's ``conj()`` of a complex tensor is a lazy view with the conjugate bit set. ember has no
lazy conjugation: ``conj()`` computes the values into new memory and marks the result (``_conj``)
so that ``is_conj()``, ``resolve_conj()`` and ``view_as_real`` answer as PyTorch's do; ``imag`` of
such a tensor is marked negative (``is_neg()``). Writes to a conj() result do not reach its input.

Also small Tensor facts PyTorch has (const_data_ptr, nonzero_static, the other device
flags) and the messages of the linear-algebra methods PyTorch removed (eig, symeig, solve, lstsq)."""
import math
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, apply, apply_inplace
from ._promote import xp as _xp
from .complex_views import ViewAsRealBackward0
from .select import SelectBackward0
from .argcheck import bad_input, need_tensor

__all__ = ['conj', 'conj_physical', 'conj_physical_', 'resolve_conj', 'resolve_neg', 'is_conj', 'is_neg', 'real',
           'imag', 'angle', 'isreal', 'nonzero_static']

Tensor._conj = False        # set on the results of conj() (PyTorch's conjugate bit)
Tensor._neg = False         # set on imag of such a result (PyTorch's negative bit)


def _need_tensor(fname, x):
    need_tensor(fname, x)


class ConjBackward0(Op):
    """Complex conjugate of a complex tensor; the gradient is the conjugate of the incoming one."""

    def forward(self, a):
        return a.conj()

    def backward(self, grad):
        return (grad.conj(),)


def conj(input):
    """Complex conjugate (marked ``is_conj()``, as PyTorch's lazy view); a real tensor is its own
    conjugate (the same tensor)."""
    try:
        kind = input._data.dtype.kind
    except AttributeError:
        _need_tensor('conj', input)
        raise
    if kind == 'c':
        out = apply(ConjBackward0, input)
        if not input._conj:
            out._conj = True
        return out
    return input


class ConjPhysicalBackward0(ConjBackward0):
    """Complex conjugate computed into new memory (never marked); conj's forward and backward."""


class ConjPhysicalBackward1(ConjPhysicalBackward0):
    """In-place conj_physical_ (PyTorch names the in-place node apart); real tensors keep their values."""

    def forward(self, a):
        return a.conj() if a.dtype.kind == 'c' else a


def conj_physical(input, *, out=None):
    _need_tensor('conj_physical', input)
    r = apply(ConjPhysicalBackward0, input) if input._data.dtype.kind == 'c' else input
    return r if out is None else _to_out('conj_physical', out, r)


def _to_out(name, out, r):
    from .arith import _check_out
    return _check_out(out, r, name)


def conj_physical_(input):
    try:
        return apply_inplace(ConjPhysicalBackward1, input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('conj_physical_', (input,))


def resolve_conj(input):
    """A copy with the conjugation resolved when ``input`` is marked conjugated, else ``input``."""
    _need_tensor('resolve_conj', input)
    if input._conj:
        from .convert import clone
        return clone(input)
    return input


def resolve_neg(input):
    _need_tensor('resolve_neg', input)
    if input._neg:
        from .convert import clone
        return clone(input)
    return input


def is_conj(input):
    _need_tensor('is_conj', input)
    return input._conj


def is_neg(input):
    _need_tensor('is_neg', input)
    return input._neg


# ------------------------------------------------------------------ real / imag views

def _part(input, index):
    """The real (0) or imaginary (1) part of a complex tensor: a select of its view_as_real (a view)."""
    return apply(SelectBackward0, apply(ViewAsRealBackward0, input), dim=-1, index=index)


def real(input):
    """The real part of a complex tensor as a view of it; a real tensor itself."""
    _need_tensor('real', input)
    return _part(input, 0) if input._data.dtype.kind == 'c' else input


def imag(input):
    """The imaginary part of a complex tensor as a view of it (real tensors have none)."""
    _need_tensor('imag', input)
    if input._data.dtype.kind != 'c':
        raise RuntimeError('imag is not implemented for tensors with non-complex dtypes.')
    out = _part(input, 1)
    if input._conj:
        out._neg = True
    return out


def _setter(part):
    def assign(self, value):
        target = part(self)
        if isinstance(value, Tensor):
            if value._data.dtype.kind == 'c' and target._data.dtype.kind != 'c':
                from .from_data import warn_discard_imag
                warn_discard_imag()
                value = real(value)
            from .broadcast_errors import broadcast_mismatch
            err = broadcast_mismatch([target.shape, value.shape])
            if err is not None and tuple(value.shape) != tuple(target.shape):
                raise err
            target.copy_(value)
        elif isinstance(value, numbers.Number):
            target.fill_(value)
        else:
            raise TypeError(f"can't assign a {type(value).__name__} to a ember.{target.dtype.legacy}")
    return assign


# ------------------------------------------------------------------ angle, isreal

class AngleBackward0(Op):
    """Argument of a number: atan2(imag, real) for complex, pi for negative reals and 0 otherwise (NaN stays
    NaN). Gradient of a complex z = x + iy: g * (-y + ix) / |z|^2 (0 at z = 0); of a real: 0."""
    saves = (0,)

    def forward(self, a):
        xp = _xp(a)
        if a.dtype.kind == 'c':         # PyTorch's result is row-major whatever the input's layout
            out = xp.angle(a)
            return out if out.flags.c_contiguous else out.copy(order='C')
        if a.dtype.kind not in 'f' and a.dtype.name != 'bfloat16':
            a = a.astype(_dtype.get_default_dtype().np)
        out = xp.where(a < 0, a.dtype.type(math.pi), a.dtype.type(0))
        return xp.where(xp.isnan(a), a, out)           # (bfloat16 too)

    def backward(self, grad):
        z, = self.saved_tensors
        if not z.is_complex():          # zeros, not grad * 0 (an inf grad gives 0, as PyTorch)
            from .creation import zeros_like
            return (zeros_like(grad),)
        from .complex_views import complex
        from .compare import where
        pair = apply(ViewAsRealBackward0, z)
        x, y = pair[..., 0], pair[..., 1]
        sq = x * x + y * y
        scale = grad / where(sq == 0, 1, sq)
        return (where(sq == 0, 0, complex(-y * scale, x * scale)),)


def angle(input, *, out=None):
    _need_tensor('angle', input)
    r = apply(AngleBackward0, input)
    return r if out is None else _to_out('angle', out, r)


def isreal(input):
    """True where the imaginary part is 0 (everywhere for real tensors)."""
    _need_tensor('isreal', input)
    a = input._data
    if a.dtype.kind == 'c':
        return Tensor._make(_xp(a).asarray(a.imag == 0))
    return Tensor._make(_xp(a).ones_like(a, dtype=np.bool_))


def nonzero_static(input, *, size, fill_value=-1):
    """The first ``size`` rows of ``nonzero()``, padded with ``fill_value`` rows when there are fewer."""
    idx = input.nonzero()
    n = idx.shape[0]
    if n >= size:
        return idx[:size].contiguous()
    from .creation import full
    from .join import cat
    return cat([idx, full((size - n, input.dim()), fill_value, dtype=idx.dtype, device=idx.device)])


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
eig, symeig, matrix_rank = (_removed(n) for n in ('eig', 'symeig', 'matrix_rank'))


def _removed_pair(name):
    """ember.solve / ember.lstsq: as PyTorch's stubs, two arguments of any type (a missing one is Python's
    TypeError), then the removal error."""
    def fn(input, A, *, out=None):
        _removed(name)(input)
    fn.__name__ = fn.__qualname__ = name
    return fn


solve, lstsq = _removed_pair('solve'), _removed_pair('lstsq')
__all__ += ['eig', 'symeig', 'solve', 'lstsq', 'matrix_rank']


METHODS = {'conj': conj, 'isreal': isreal, 'conj_physical': conj_physical, 'conj_physical_': conj_physical_,
           'resolve_conj': resolve_conj, 'resolve_neg': resolve_neg, 'is_conj': is_conj, 'is_neg': is_neg,
           'angle': angle, 'nonzero_static': nonzero_static, 
           'const_data_ptr': const_data_ptr, 'storage_type': storage_type, 'is_set_to': is_set_to,
           'as_subclass': as_subclass, **{n: _removed(n) for n in _REMOVED}}
# the device kinds ember never has (PyTorch answers False for them on CPU and CUDA tensors)
FLAGS = ('is_mps', 'is_xpu', 'is_ipu', 'is_mtia', 'is_maia', 'is_xla', 'is_vulkan', 'is_mkldnn', 'is_nested',
         'is_sparse_csr')
for _flag in FLAGS:
    setattr(Tensor, _flag, False)
Tensor.real = property(real, _setter(real))
Tensor.imag = property(imag, _setter(imag))
