"""softmax and log_softmax (SoftmaxBackward0 / LogSoftmaxBackward0): shifted by the row maximum,
float16/bfloat16 computed in float32, PyTorch's errors and implicit-dim warnings."""
import numpy as np

from .. import _dtype
from ._op import Op, apply
from .shape import wrap_dim
from .reduce import _HALF, _F32, half_backward_in_float32
from ..amp import autocast_mode as _amp  # autocast hook


class _SoftmaxBase(Op):
    """float16/bfloat16 are computed in float32 and rounded once, forward and backward (as PyTorch's CPU
    kernels; its last-dim log_softmax keeps the sum and its log in the input's dtype)."""
    saves_output = True

    def forward(self, a, dim):
        if a.dtype in _HALF:
            return self._forward(a.astype(_F32), dim, a.dtype).astype(a.dtype)
        return self._forward(a, dim, None)

    def _forward(self, a, dim, half):
        self.dim = wrap_dim(dim, a.ndim)
        if not a.size:            # nothing to normalise (any dtype, as PyTorch; max has no identity)
            return a.copy()
        if a.dtype.kind in 'biuc':
            from .._tensor import _scalar_name
            last = '_lastdim' if self.dim == a.ndim - 1 or a.ndim == 0 else ''
            raise NotImplementedError(f'"{self.kernel.format(last)}" not implemented for '
                                      f"'{_scalar_name(_dtype._FROM_NP[a.dtype])}'")
        if a.ndim == 0:
            return self.zero_dim(a)
        with np.errstate(invalid='ignore'):        # rows of -inf give NaN, silently (as PyTorch)
            shifted = a - a.max(axis=self.dim, keepdims=True)
            return self.compute(shifted, half)


class SoftmaxBackward0(_SoftmaxBase):
    kernel = 'softmax{}_kernel_impl'

    def zero_dim(self, a):         # exp(a - a): 1, or nan for an infinite or nan a (as PyTorch)
        with np.errstate(invalid='ignore'):
            return np.exp(a - a)

    def compute(self, z, half):    # z is a fresh array: work in place
        e = np.exp(z, out=z)
        e /= e.sum(axis=self.dim, keepdims=True)
        return e

    @half_backward_in_float32
    def backward(self, g, y):      # PyTorch's kernel: (g - sum(g * y)) * y
        return (g - (g * y).sum(self.dim, keepdim=True)) * y


class LogSoftmaxBackward0(_SoftmaxBase):
    kernel = 'log_softmax{}_kernel_impl'

    def zero_dim(self, a):         # a - a: 0, or nan for an infinite or nan a (as PyTorch)
        with np.errstate(invalid='ignore'):
            return a - a

    def compute(self, z, half):    # z is a fresh array: work in place
        s = np.exp(z).sum(axis=self.dim, keepdims=True)
        if half is not None and self.dim == z.ndim - 1:     # PyTorch rounds the sum and its log there
            s = np.log(s.astype(half).astype(z.dtype)).astype(half)
            z -= s.astype(z.dtype)
        else:
            z -= np.log(s)
        return z

    @half_backward_in_float32
    def backward(self, g, y):
        return g - y.exp() * g.sum(self.dim, keepdim=True)


def _softmax_dim(ndim, name='softmax', stacklevel=3):
    """The legacy dim of an implicit-dim call, warning at ``stacklevel`` (the functional's ``_stacklevel``:
    3 points at its caller)."""
    import warnings
    warnings.warn(f'Implicit dimension choice for {name} has been deprecated. Change the call to include '
                  'dim=X as an argument.', UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _missing_dim(name):
    return TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``ember.softmax`` / ``Tensor.softmax``: ``dim`` is required, as in PyTorch."""
    if dim is None:
        raise _missing_dim('softmax')
    if _amp.state.on and _amp.fp32('softmax', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(softmax, input, dim, _stacklevel, dtype=dtype)
    if dtype is not None:
        input = input.to(dtype)
    return apply(SoftmaxBackward0, input, dim=dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``ember.log_softmax`` / ``Tensor.log_softmax``: ``dim`` is required, as in PyTorch."""
    if dim is None:
        raise _missing_dim('log_softmax')
    if _amp.state.on and _amp.fp32('log_softmax', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(log_softmax, input, dim, _stacklevel, dtype=dtype)
    if dtype is not None:
        input = input.to(dtype)
    return apply(LogSoftmaxBackward0, input, dim=dim)


def functional_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``nn.functional.softmax``: without ``dim`` it warns and picks one (PyTorch's legacy rule)."""
    if dim is None:
        dim = _softmax_dim(input.ndim, 'softmax', _stacklevel)
    return softmax(input, dim, _stacklevel, dtype)


def functional_log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``nn.functional.log_softmax``: without ``dim`` it warns and picks one."""
    if dim is None:
        dim = _softmax_dim(input.ndim, 'log_softmax', _stacklevel)
    return log_softmax(input, dim, _stacklevel, dtype)


# ------------------------------------------------------------------ nll_loss, cross_entropy, mse_loss
