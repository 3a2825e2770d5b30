"""Spread and size: var, std, var_mean, std_mean, norm."""
import warnings

import numpy as np

from .._tensor import xp_of
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import as_array
from .reduce import _dims, _HALF, half_in_float32, _mean


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


class VarBackward0(Op):
    saves = (0,)
    fname = 'var'

    @half_in_float32
    def forward(self, a, dim=None, correction=1, keepdim=False):
        if a.dtype.kind in 'biu':
            name = self.fname if self.fname.endswith('_mean') else 'std and var'
            raise RuntimeError(f'{name} only support floating point and complex dtypes')
        self.dims, self.c, self.keepdim = _dims(dim, a.ndim), correction, keepdim
        self.whole = dim is None or a.ndim == 0
        n = 1
        for d in self.dims:
            n *= a.shape[d]
        self.n = n
        if n - correction <= 0:
            warnings.warn(f'{self.fname}(): degrees of freedom is <= 0. Correction should be strictly less '
                          'than the reduction factor (input numel divided by output numel).', UserWarning,
                          stacklevel=4)
        return self._finish(_wide_var(a, self.dims, correction, keepdim), a)

    def _finish(self, var, a):
        return as_array(var.astype(_real(a.dtype), copy=False))

    def backward(self, g):
        x, = self.saved_tensors
        return self._var_grad(g, x)

    def _var_grad(self, g, x):
        """PyTorch's var_backward: (2 / (n - correction)) * g * (x - mean), each step rounded to x's dtype
        (the scalar product in float32 for float16/bfloat16, as PyTorch's scalar ops)."""
        if not self.keepdim:
            g = _unsqueeze_dims(g, x.ndim, self.dims)
        dof = self.n - self.c
        if dof <= 0 and self.whole:     # PyTorch: inf, or nan where x is its mean (inf * 0)
            from .compare import where
            return g * where(x == x.mean(self.dims, keepdim=True), float('nan'), float('inf'))
        s = 2.0 / dof if dof else float('inf')
        g = (g.float() * s).to(g.dtype) if g._data.dtype in _HALF else g * s
        return g * (x - x.mean(self.dims, keepdim=True))


class StdBackward0(VarBackward0):
    saves_output = True
    fname = 'std'

    def _finish(self, var, a):
        return as_array(xp_of(var).sqrt(var).astype(_real(a.dtype), copy=False))

    def backward(self, g):
        x, out = self.saved_tensors
        from .compare import where
        return self._var_grad(where(out == 0, 0.0, g / (out * 2)), x)     # PyTorch: 0 where std is 0


class VarMeanBackward0(VarBackward0):
    """var_mean: one node, two outputs (var, mean)."""
    n_outputs = 2
    fname = 'var_mean'

    def forward(self, a, dim=None, correction=1, keepdim=False):
        var = VarBackward0.forward(self, a, dim, correction, keepdim)
        return var, _mean(a, self.dims, keepdim, None)

    def backward(self, gv, gm):
        return VarBackward0.backward(self, gv) + _mean_grad(self, gm)


class StdMeanBackward0(StdBackward0):
    """std_mean: one node, two outputs (std, mean)."""
    n_outputs = 2
    fname = 'std_mean'

    def forward(self, a, dim=None, correction=1, keepdim=False):
        std = StdBackward0.forward(self, a, dim, correction, keepdim)
        return std, _mean(a, self.dims, keepdim, None)

    def backward(self, gs, gm):
        return StdBackward0.backward(self, gs) + _mean_grad(self, gm)


def _real(dt):
    return dt if dt.kind != 'c' else (np.dtype(np.float32) if dt.itemsize == 8 else np.dtype(np.float64))


def _wide_var(a, dims, correction, keepdim):
    """The variance, float32/complex64 data taken in double precision (PyTorch's CPU kernel
    accumulates in double, so the std of values near 1e30 does not overflow)."""
    if a.dtype == np.float32:
        a = a.astype(np.float64)
    elif a.dtype == np.complex64:
        a = a.astype(np.complex128)
    with np.errstate(divide='ignore', invalid='ignore'), warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        return a.var(axis=dims, ddof=correction, keepdims=keepdim)


def _mean_grad(node, gm):
    in_shape = node.saved_tensors[0].shape
    if not node.keepdim:
        gm = _unsqueeze_dims(gm, len(in_shape), node.dims)
    return (gm / node.n).expand(in_shape)


def _unsqueeze_dims(t, ndim, dims):
    shape = list(t.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    return t.reshape(shape) if len(shape) == ndim else t


def _args(dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):         # var(unbiased) positional form
        unbiased, dim = dim, None
    return dim, _correction(unbiased, correction), keepdim


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c, keepdim = _args(dim, unbiased, keepdim, correction)
    return apply(VarBackward0, input, dim=dim, correction=c, keepdim=keepdim)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c, keepdim = _args(dim, unbiased, keepdim, correction)
    return apply(StdBackward0, input, dim=dim, correction=c, keepdim=keepdim)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c, keepdim = _args(dim, unbiased, keepdim, correction)
    return apply(VarMeanBackward0, input, dim=dim, correction=c, keepdim=keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, c, keepdim = _args(dim, unbiased, keepdim, correction)
    return apply(StdMeanBackward0, input, dim=dim, correction=c, keepdim=keepdim)


class LinalgVectorNormBackward0(Op):
    saves = (0,)
    saves_output = True

    @half_in_float32
    def forward(self, a, ord=2, dim=None, keepdim=False):
        _norm_input_check(a)
        self.ord, self.dims, self.keepdim = ord, _dims(dim, a.ndim), keepdim
        if a.size == 0 and (ord < 0 or ord == float('inf')):
            _no_identity(a, ord, dim)
        xp = xp_of(a)
        x = xp.abs(a)
        axis = self.dims
        if ord != 0 and all(a.shape[d] == 1 for d in axis):     # one element per result: |x| itself,
            keep = x.shape if keepdim else [n for d, n in enumerate(x.shape) if d not in axis]  # as PyTorch
            return x.reshape(keep)
        if ord == 2:
            r = xp.sqrt(xp.sum(x * x, axis=axis, keepdims=keepdim))
        elif ord == float('inf'):
            r = xp.max(x, axis=axis, keepdims=keepdim)
        elif ord == -float('inf'):
            r = xp.min(x, axis=axis, keepdims=keepdim)
        elif ord == 0:
            r = xp.sum(x != 0, axis=axis, keepdims=keepdim).astype(a.dtype)
        elif ord == 1:
            r = xp.sum(x, axis=axis, keepdims=keepdim)
        else:
            r = xp.power(xp.sum(xp.power(x, ord), axis=axis, keepdims=keepdim), 1.0 / ord)
        return xp.asarray(r, dtype=x.dtype)          # real for complex input

    def backward(self, g):
        from .compare import where
        x, out = self.saved_tensors
        if not self.keepdim:
            g, out = _unsqueeze_dims(g, x.ndim, self.dims), _unsqueeze_dims(out, x.ndim, self.dims)
        p = self.ord
        if p == 0:
            return None             # PyTorch leaves the gradient of the 0-"norm" undefined
        sign = x.sgn if x._data.dtype.kind == 'c' else x.sign      # complex: z / |z|
        if p == 1:
            return g * sign()
        if p == 2:
            return g * where(out == 0, 0.0, x / out)
        if p in (float('inf'), -float('inf')):
            mask = x.abs() == out
            return g * sign() * mask / mask.sum(self.dims, keepdim=True)
        ax = x.abs()
        pw = where(ax == 0, 0.0, ax ** (p - 1)) if p < 1 else ax ** (p - 1)     # 0 at x = 0, as PyTorch
        return g * sign() * where(out == 0, 0.0, pw / out ** (p - 1))


def _no_identity(a, ord, dim):
    """inf and negative norms have no value for an empty reduction: PyTorch's error, naming the
    first empty dim as the caller wrote it (or the whole tensor when no dim is given)."""
    text = str(int(ord)) if float(ord).is_integer() else str(ord)
    dims = [] if dim is None else [dim] if isinstance(dim, int) else list(dim)
    if not dims:
        raise RuntimeError(f'linalg.vector_norm cannot compute the {text} norm on an empty tensor because the '
                           'operation does not have an identity')
    d = next((d for d in dims if a.shape[d] == 0), None)
    if d is not None:                   # (no space after the dim, as in PyTorch's message)
        raise RuntimeError(f'linalg.vector_norm cannot compute the {text} norm on the dimension {d}because this '
                           'dimension is empty and the operation does not have an identity')


def _norm_input_check(a):
    if a.dtype.kind in 'biu':
        raise RuntimeError('linalg.vector_norm: Expected a floating point or complex tensor as input. '
                           f'Got {_name(a)}')


def _name(a):
    from .. import _dtype
    from .._tensor import _scalar_name
    return _scalar_name(_dtype._FROM_NP[a.dtype])


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    if _amp.state.on and _amp.fp32('vector_norm', x):  # autocast hook (ember.amp)
        return _amp.call_fp32(vector_norm, x, ord, dim, keepdim, dtype=dtype)
    if dtype is not None:
        _norm_input_check(x._data)          # the input itself must be floating point
        x = x.to(dtype)
    return apply(LinalgVectorNormBackward0, x, ord=float(ord), dim=dim, keepdim=keepdim)


def norm(input, p='fro', dim=None, keepdim=False, dtype=None):
    if _amp.state.on and _amp.fp32('norm', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(norm, input, p, dim, keepdim, dtype=dtype)
    if p == 'fro' or p is None:
        p = 2
    if dtype is not None:                  # linalg.vector_norm's checks of dtype=
        from ..linalg import _norm_dtype_check
        _norm_input_check(input._data)
        _norm_dtype_check(input, dtype, 'linalg.vector_norm')
    if p == 'nuc':                         # the nuclear norm of the matrices in dims (all dims when None)
        from ..linalg import matrix_norm
        return matrix_norm(input, 'nuc', tuple(range(input.ndim)) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)
