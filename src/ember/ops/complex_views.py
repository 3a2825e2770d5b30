"""Complex tensors read as real ones and built from real ones.

``view_as_real(z)`` sees each complex element as its two floats (a new last dimension of size 2);
``view_as_complex(x)`` is the reverse. Both are views: they share the input's memory and version
counter, so writes through either side are seen by the other and by autograd (CopySlices). The
``real``/``imag`` views of complex tensors (ops/complex_real.py) are a select of ``view_as_real``.
``complex(real, imag)`` and ``polar(abs, angle)`` build new complex tensors from two real ones."""
import numpy as np

from .. import _dtype
from .._tensor import _scalar_name
from ._op import Op, apply
from ._promote import xp as _xp, unbroadcast

__all__ = ['view_as_real', 'view_as_complex', 'complex', 'polar']

_CONJ_VIEW = ("view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate tensor "
              'so you can view it as real, use self.resolve_conj(); however, be warned that the resulting '
              'tensor will NOT alias the original.')


def _need_tensor(fname, x, arg='input', pos=1):
    from .argcheck import need_tensor
    need_tensor(fname, x, arg, pos)


def _reinterpret(a, np_dtype, shape, strides):
    """CuPy: ``a``'s memory read as ``np_dtype`` with the given shape and byte strides."""
    import cupy
    return cupy.ndarray(shape, np_dtype, memptr=a.data, strides=strides)


def _elem_strides(a):
    """Strides in elements; an empty array (whose strides NumPy 2 reports as 0) counts as row-major."""
    if not a.size and not any(a.strides):
        from .._tensor import _contiguous_strides
        return _contiguous_strides(a.shape)
    return tuple(s // a.itemsize for s in a.strides)


def _empty_view(a, shape, np_dtype, strides):
    """An empty result with the strides PyTorch reports for it (no element is ever read)."""
    from .shape import as_strided_view
    buf = _xp(a).empty(0, np_dtype)
    return as_strided_view(buf, shape, tuple(s * buf.itemsize for s in strides))


def real_array(a):
    """The (..., 2) float view of complex array ``a`` (memory shared; NumPy keeps ``a``'s owner as base)."""
    part = np.dtype(np.float32 if a.dtype == np.complex64 else np.float64)
    if not a.size:
        return _empty_view(a, a.shape + (2,), part, tuple(2 * s for s in _elem_strides(a)) + (1,))
    if type(a) is np.ndarray:
        return a[..., None].view(part)
    return _reinterpret(a, part, a.shape + (2,), a.strides + (part.itemsize,))


def complex_array(a):
    """The complex view of a float array whose last dimension is 2 with stride 1."""
    whole = np.dtype(np.complex64 if a.dtype == np.float32 else np.complex128)
    if not a.size:
        return _empty_view(a, a.shape[:-1], whole, tuple(s // 2 for s in _elem_strides(a)[:-1]))
    if type(a) is np.ndarray:
        return a.view(whole).reshape(a.shape[:-1])
    return _reinterpret(a, whole, a.shape[:-1], a.strides[:-1])


class ViewAsRealBackward0(Op):
    """The floats of a complex tensor; the gradient (..., 2) read back as complex."""
    is_view = True

    def forward(self, a):
        if a.dtype.kind != 'c':
            raise RuntimeError('view_as_real is only supported for complex tensors')
        return real_array(a)

    def backward(self, grad):
        return apply(ViewAsComplexBackward0, grad.contiguous())


class ViewAsComplexBackward0(Op):
    """Pairs of floats read as complex numbers; the gradient read back as pairs of floats."""
    is_view = True

    def forward(self, a):
        _complex_layout_check(a)
        return complex_array(a)

    def backward(self, grad):
        return apply(ViewAsRealBackward0, grad)


def _complex_layout_check(a):
    name = a.dtype.name
    if name not in ('float32', 'float64'):
        scalar = _scalar_name(_dtype._FROM_NP[a.dtype])
        if name == 'float16':       # PyTorch answers with complex32, a dtype ember does not have
            raise RuntimeError('view_as_complex: ember has no complex32 (ComplexHalf) dtype; convert the '
                               'Half tensor to float or double first')
        raise RuntimeError('view_as_complex is only supported for half, float and double tensors, but got a '
                           f'tensor of scalar type: {scalar}')
    if a.ndim == 0:
        raise RuntimeError('Input tensor must have one or more dimensions')
    if a.shape[-1] != 2:
        raise RuntimeError('Tensor must have a last dimension of size 2')
    item = a.itemsize
    if not a.size:                  # NumPy keeps no meaningful strides for empty arrays
        return
    if a.strides[-1] != item:
        raise RuntimeError('Tensor must have a last dimension with stride 1')
    if any((s // item) % 2 for s in a.strides[:-1]):
        raise RuntimeError('Tensor must have a stride divisible by 2 for all but last dimension')


def view_as_real(input):
    """The complex tensor ``input`` as floats with a last dimension of size 2 (real, imaginary): a view."""
    _need_tensor('view_as_real', input)
    if getattr(input, '_conj', False):
        raise RuntimeError(_CONJ_VIEW)
    return apply(ViewAsRealBackward0, input)


def view_as_complex(input):
    """A float tensor whose last dimension is 2 (and stride 1) as a complex tensor: a view."""
    _need_tensor('view_as_complex', input)
    a = input._data
    _complex_layout_check(a)
    if a.size and input.storage_offset() % 2:
        raise RuntimeError('Tensor must have a storage_offset divisible by 2')
    return apply(ViewAsComplexBackward0, input)


# ------------------------------------------------------------------ complex(real, imag), polar(abs, angle)

def _pair_check(fname, a, b, out):
    _need_tensor(fname, a, 'real' if fname == 'complex' else 'abs', 1)
    _need_tensor(fname, b, 'imag' if fname == 'complex' else 'angle', 2)
    da, db = a._data.dtype, b._data.dtype
    if da.name not in ('float32', 'float64') or db.name not in ('float32', 'float64'):
        if da.name == db.name == 'float16':
            raise RuntimeError(f'{fname}: ember has no complex32 (ComplexHalf) dtype; convert the Half '
                               'tensors to float or double first')
        raise RuntimeError('Expected both inputs to be Half, Float or Double tensors but got '
                           f'{_scalar_name(a.dtype)} and {_scalar_name(b.dtype)}')
    if da != db:
        raise RuntimeError(f'Expected object of scalar type {_scalar_name(a.dtype)} but got scalar type '
                           f'{_scalar_name(b.dtype)} for second argument')
    whole = a.dtype.to_complex()
    if out is not None and out.dtype is not whole:
        raise RuntimeError(f'Expected object of scalar type {_scalar_name(whole)} but got scalar type '
                           f'{_scalar_name(out.dtype)} for argument \'out\'')


def _finish(fname, r, out):
    if out is None:
        return r
    from .arith import _check_out
    return _check_out(out, r, fname)


def _empty_complex(a, b):
    """The complex result array of two float inputs, laid out as PyTorch lays it out: in the first input's
    dimension order when it has the full result shape, else the second's, else row-major."""
    xp = _xp(a)
    shape = xp.broadcast_shapes(a.shape, b.shape)
    whole = np.complex64 if a.dtype == np.float32 else np.complex128
    for x in (a, b):
        if x.shape == shape:
            return xp.empty_like(x, dtype=whole)
    return xp.empty(shape, whole)


class ComplexBackward0(Op):
    """real + i imag; the gradients are the real and the imaginary part of the incoming one."""

    def forward(self, re, im):
        self.shapes = re.shape, im.shape
        out = _empty_complex(re, im)
        out.real, out.imag = re, im
        return out

    def backward(self, grad):
        from .complex_real import real, imag
        return unbroadcast(real(grad), self.shapes[0]), unbroadcast(imag(grad), self.shapes[1])


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i*imag`` (both float or both double; they broadcast)."""
    _pair_check('complex', real, imag, out)
    return _finish('complex', apply(ComplexBackward0, real, imag), out)


class PolarBackward0(Op):
    """abs * (cos(angle) + i sin(angle)). With u = sgn(out): d/d abs = Re(conj(g) u) (PyTorch's formula,
    the derivative for abs >= 0) and d/d angle = Re(conj(g) i out) = Im(g conj(out))."""
    saves = (0, 1)
    saves_output = True

    def forward(self, r, t):
        self.shapes = r.shape, t.shape
        out = _empty_complex(r, t)
        out.real, out.imag = r * np.cos(t), r * np.sin(t)
        return out

    def backward(self, grad):
        from .complex_real import real, imag
        r, t, out = self.saved_tensors
        sign = r.sign()                 # as PyTorch: sgn(out), which flips the direction for negative abs
        unit = complex(t.cos() * sign, t.sin() * sign)
        return (unbroadcast(real(grad * unit.conj()), self.shapes[0]),
                unbroadcast(imag(grad * out.conj()), self.shapes[1]))


def polar(abs, angle, *, out=None):
    """The complex tensor with magnitude ``abs`` and phase ``angle``."""
    _pair_check('polar', abs, angle, out)
    return _finish('polar', apply(PolarBackward0, abs, angle), out)


METHODS = {}
