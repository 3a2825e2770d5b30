"""Normalization: batch_norm, layer_norm, group_norm (one op each, PyTorch's Native*Backward0 nodes); the
compositions instance_norm, rms_norm, normalize and local_response_norm are in normalization_more.py.
All three normalise x over some axes, x_hat = (x - mean) * invstd, then scale and shift; their input gradient
is one formula (``_grad_input``). Plain backward uses the statistics kept from the forward; when a graph of the
backward is built (create_graph) they are recomputed from x with ember ops, so double backward is exact."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from . import _devices
from ._promote import xp
from .arg_types import int_sizes
from .._backend import cuda_bn
from .normalization_kernels import affine_channels, channel_stats, fast_train_backward

_BF16, _F32 = _dtype.bfloat16.np, np.dtype(np.float32)
_LOWP = (np.dtype(np.float16), _BF16)


_const = Tensor._make


def _stats(x, axes, eps):
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    return mean, ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()


def _grad_input(gxhat, x, axes, mean, invstd):
    xhat = (x - mean) * invstd
    return invstd * (gxhat - gxhat.mean(axes, keepdim=True) - xhat * (gxhat * xhat).mean(axes, keepdim=True))


def _np_stats(x, axes, eps):
    if not x.size:                      # NaN statistics (of empty groups), without NumPy's warnings
        shape = tuple(1 if d in axes else s for d, s in enumerate(x.shape))
        nan = xp(x).full(shape, np.nan, x.dtype)
        return nan, nan
    mean = x.mean(axis=axes, keepdims=True, dtype=np.float64 if x.dtype != np.float64 else None)
    var = ((x - mean.astype(x.dtype)) ** 2).mean(axis=axes, keepdims=True)
    return mean.astype(x.dtype), var.astype(x.dtype)


def _half_stats(x, axes, dt, n):
    """PyTorch's batch-norm mean and variance of a bfloat16 ``x`` (upcast) with bfloat16 parameters:
    the mean, the centred sum of squares and the variance each rounded to bfloat16."""
    r = (lambda a: a.astype(dt).astype(_F32))
    mean = r(x.mean(axis=axes, keepdims=True))
    return mean, r(r(((x - mean) ** 2).sum(axis=axes, keepdims=True)) / np.float32(max(n, 1)))


class _Norm(Op):
    """A normalisation: float16/bfloat16 inputs are computed in float32 and rounded once (as
    PyTorch's kernels do); gradients come back in each input's own dtype."""
    saves = (0, 1)

    def _up(self, x, w, b):
        self.dts = (x.dtype, None if w is None else w.dtype, None if b is None else b.dtype)
        if x.dtype not in _LOWP:
            return x, w, b
        return tuple(None if a is None else a.astype(np.float32) for a in (x, w, b))

    dts = (None,)

    def _keep(self, mean, invstd):
        """The statistics backward reads: in a float16/bfloat16 input's dtype unless its parameters are
        float32 (as PyTorch)."""
        dt = self.dts[0]
        if dt in _LOWP and _F32 not in self.dts[1:]:
            mean, invstd = (a.astype(dt).astype(_F32) for a in (mean, invstd))
        self.mean, self.invstd = mean, invstd

    def backward(self, g):
        x, w = self.saved_tensors
        if self.dts[0] not in _LOWP:
            return self._backward(g, x, w)
        grads = self._backward(g.float(), x.float(), None if w is None else w.float())
        return tuple(None if r is None else r.to(_dtype._FROM_NP[d]) for r, d in zip(grads, self.dts))


class NativeBatchNormBackward0(_Norm):

    def forward(self, x, w, b, *, training, momentum, eps, running_mean=None, running_var=None):
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, c) + (1,) * (x.ndim - 2)
        self.axes, self.cshape, self.training, self.eps = axes, shape, training, eps
        self.fused = None
        if type(x) is not np.ndarray:            # a CUDA array: a few fused kernels when they serve
            y = self._fused_forward(x, w, b, training, momentum, eps, running_mean, running_var)
            if y is not None:
                return y
        dt = x.dtype
        x, w, b = self._up(x, w, b)
        if training:
            mean, var = channel_stats(x) if x.size and x.dtype.kind == 'f' and x.dtype.itemsize >= 4 \
                else _np_stats(x, axes, eps)
            n = x.size // c if c else 0
            if self.dts[0] == _BF16 and _F32 not in self.dts[1:]:
                mean, var = _half_stats(x, axes, self.dts[0], n)
            if running_mean is not None:
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(c).astype(running_mean.dtype)
            if running_var is not None:
                running_var *= 1 - momentum
                running_var += momentum * var.reshape(c).astype(running_var.dtype) * (n / max(n - 1, 1))
        else:
            mean, var = running_mean.reshape(shape).astype(x.dtype), running_var.reshape(shape).astype(x.dtype)
        invstd = 1 / np.sqrt(var + eps)
        self._keep(mean, invstd)
        mean, invstd = self.mean, self.invstd          # (PyTorch normalises with the kept statistics)
        scale = invstd if w is None else invstd * w.reshape(shape)       # y = x * scale + shift
        shift = -mean * scale
        if b is not None:
            shift += b.reshape(shape)
        y = affine_channels(x, scale, shift)
        return y if y.dtype == dt else y.astype(dt)

    _free = ('mean', 'invstd', 'fused')

    def _fused_forward(self, x, w, b, training, momentum, eps, running_mean, running_var):
        if x.dtype.kind != 'f' or not x.size or any(t is not None and t.dtype != x.dtype for t in (w, b)):
            return None
        k = cuda_bn.kernels(x.dtype)
        if k is None:
            return None
        if training:
            out = cuda_bn.forward_train(k, x, w, b, eps, momentum, running_mean, running_var)
        elif running_mean is not None and running_var is not None:
            out = cuda_bn.forward_eval(k, x, w, b, eps, running_mean, running_var)
        else:
            return None
        if out is None:
            return None
        y, self.fused = out
        if not training:                       # eval backward reads them (y = x * invstd * w + ...)
            self.mean, self.invstd = (a.astype(x.dtype).reshape(self.cshape) for a in self.fused)
        return y

    def _backward(self, g, x, w):
        axes, shape = self.axes, self.cshape
        if not grad_mode.is_grad_enabled():
            if self.fused is not None and self.training:
                return self._fused_backward(g._data, x._data, None if w is None else w._data)
            return self._plain_backward(g._data, x._data, None if w is None else w._data)
        if self.training:
            mean, invstd = _stats(x, axes, self.eps)
        else:
            mean, invstd = _const(self.mean), _const(self.invstd)
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        gxhat = g if w is None else g * w.reshape(shape)
        gx = gw = gb = None
        if need_x:
            gx = _grad_input(gxhat, x, axes, mean, invstd) if self.training else gxhat * invstd
        if need_w:
            gw = (g * ((x - mean) * invstd)).sum(axes)
        if need_b:
            gb = g.sum(axes)
        return gx, gw, gb

    def _fused_backward(self, g, x, w):
        if g.dtype != x.dtype:                  # the generic formula, from the fused statistics
            self.mean, self.invstd = (a.astype(x.dtype).reshape(self.cshape) for a in self.fused)
            return self._plain_backward(g, x, w)
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        gx, gw, gb = cuda_bn.backward_train(cuda_bn.kernels(x.dtype), g, x, w, self.fused)
        return (_const(gx) if need_x else None, _const(gw) if need_w else None, _const(gb) if need_b else None)

    def _plain_backward(self, g, x, w):
        """The same gradients on raw arrays (nothing recorded): a few fused passes."""
        axes, shape = self.axes, self.cshape
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        c = x.shape[1]
        if self.training and g.ndim > 2 and x.dtype.itemsize >= 4 and g.dtype == x.dtype and \
                g.flags.c_contiguous and x.flags.c_contiguous:        # one pass over x, where precise
            grads = fast_train_backward(g, x, self.mean, self.invstd, w, need_x)
            if grads is not None:
                return tuple(_const(r) if need else None for r, need in zip(grads, (need_x, need_w, need_b)))
        xc = x - self.mean
        if g.ndim > 2 and x.dtype.itemsize >= 4 and g.flags.c_contiguous and xc.flags.c_contiguous:
            n, c = g.shape[:2]
            g3 = g.reshape(n, c, -1)
            gb = xp(g).einsum('ncl->c', g3).reshape(shape)
            gw = xp(g).einsum('ncl,ncl->c', g3, xc.reshape(n, c, -1)).reshape(shape)
        else:
            gb = g.sum(axes, keepdims=True)
            gw = (g * xc).sum(axes, keepdims=True)
        gw *= self.invstd                                     # sum(g * xhat)
        gx = None
        if need_x:
            scale = self.invstd if w is None else self.invstd * w.reshape(shape)
            gx = g * scale
            if self.training:                 # gx = scale * (g - gb/n - xhat * gw/n), xhat = xc * invstd
                n = x.size // x.shape[1]
                xc *= scale * self.invstd * gw / -n
                gx += xc
                gx -= scale * gb / n
        return (_const(gx) if need_x else None, _const(gw.reshape(c)) if need_w else None,
                _const(gb.reshape(c)) if need_b else None)


class NativeLayerNormBackward0(_Norm):

    def forward(self, x, w, b, *, k, eps):
        dt = x.dtype
        x, w, b = self._up(x, w, b)
        axes = tuple(range(x.ndim - k, x.ndim))
        self.axes, self.eps = axes, eps
        mean, var = _np_stats(x, axes, eps)
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)   # bf16 + float: f32
        y = (x - mean) * invstd
        self._keep(mean, invstd)
        if w is not None:
            y *= w
        if b is not None:
            y += b
        return y if y.dtype == dt else y.astype(dt)

    _free = ('mean', 'invstd')

    def _backward(self, g, x, w):
        axes = self.axes
        if grad_mode.is_grad_enabled():
            mean, invstd = _stats(x, axes, self.eps)
        else:
            mean, invstd = _const(self.mean), _const(self.invstd)
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        lead = tuple(range(x.ndim - len(axes)))
        gx = gw = gb = None
        if need_x:
            gx = _grad_input(g if w is None else g * w, x, axes, mean, invstd)
        if need_w:
            gw = (g * ((x - mean) * invstd)).sum(lead) if lead else g * ((x - mean) * invstd)
        if need_b:
            gb = g.sum(lead) if lead else g
        return gx, gw, gb


def _group_size(x, groups):
    return x.shape[1] // groups * int(np.prod(x.shape[2:]))


class NativeGroupNormBackward0(_Norm):

    def forward(self, x, w, b, *, groups, eps):
        dt = x.dtype
        x, w, b = self._up(x, w, b)
        n, c = x.shape[:2]
        self.groups, self.eps = groups, eps
        xg = x.reshape(n, groups, _group_size(x, groups))
        mean, var = _np_stats(xg, (2,), eps)
        invstd = (1 / np.sqrt(var + eps)).astype(x.dtype, copy=False)   # bf16 + float: f32
        y = ((xg - mean) * invstd).reshape(x.shape)
        self._keep(mean, invstd)
        shape = (1, c) + (1,) * (x.ndim - 2)
        if w is not None:
            y *= w.reshape(shape)
        if b is not None:
            y += b.reshape(shape)
        return y if y.dtype == dt else y.astype(dt)

    _free = ('mean', 'invstd')

    def _backward(self, g, x, w):
        n, c = x.shape[:2]
        shape = (1, c) + (1,) * (x.ndim - 2)
        if not x.numel():
            return self._empty_backward(g, x, n, c)
        xg = x.reshape(n, self.groups, -1)
        if grad_mode.is_grad_enabled():
            mean, invstd = _stats(xg, (2,), self.eps)
        else:
            mean, invstd = _const(self.mean), _const(self.invstd)
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        axes = (0,) + tuple(range(2, x.ndim))
        gx = gw = gb = None
        if need_x:
            gxhat = (g if w is None else g * w.reshape(shape)).reshape(n, self.groups, -1)
            gx = _grad_input(gxhat, xg, (2,), mean, invstd).reshape(x.shape)
        if need_w:
            gw = (g * ((xg - mean) * invstd).reshape(x.shape)).sum(axes)
        if need_b:
            gb = g.sum(axes)
        return gx, gw, gb

    def _empty_backward(self, g, x, n, c):
        """Empty input: zero gradients, but NaN for the weight where a sample's groups are empty (as PyTorch)."""
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        zeros = g.new_zeros((c,))
        gw = None
        if need_w:
            gw = zeros + float('nan') if n and not _group_size(x, self.groups) else zeros
        return (g * 0 if need_x else None), gw, (zeros if need_b else None)


def _float_input(input, kernel):
    if not input.dtype.is_floating_point:
        from .._tensor import _scalar_name
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(input.dtype)}\'')


def _mixed(input, *params):
    """PyTorch's rule for a normalisation's dtypes: parameters share the input's dtype, or a
    float16/bfloat16 input takes float32 parameters (the output keeps the input's dtype)."""
    dts = {t.dtype for t in params if t is not None} - {input.dtype}
    if not dts:
        return
    if input.dtype not in (_dtype.float32, _dtype.float16, _dtype.bfloat16):
        raise RuntimeError('mixed dtype (CPU): all inputs must share same datatype.')
    if dts != {_dtype.float32}:
        raise RuntimeError('mixed dtype (CPU): expect parameter to have scalar type of Float')


def _empty_norm(input, weight, bias):
    """An empty input: a copy scaled and shifted by the first weight and bias entries (as PyTorch)."""
    out = input.clone()
    if weight is not None:
        out = out * weight.select(0, 0)
    if bias is not None:
        out = out + bias.select(0, 0)
    return out


def batch_norm_op(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
                  eps=1e-05):
    c = input.shape[1] if input.ndim > 1 else 0
    if input.numel() == 0:
        return _empty_norm(input, weight, bias)
    for name, t in (('running_mean', running_mean), ('running_var', running_var), ('weight', weight),
                    ('bias', bias)):
        if t is not None:
            if t.numel() != c:
                raise RuntimeError(f'{name} should contain {c} elements not {t.numel()}')
        elif not training and name.startswith('running'):
            raise RuntimeError(f'{name} must be defined in evaluation mode')
    _float_input(input, 'batch_norm')
    _mixed(input, weight, bias)
    rm = running_mean._data if running_mean is not None else None
    rv = running_var._data if running_var is not None else None
    if type(input._data) is not np.ndarray or type(rm) not in (np.ndarray, type(None)):
        _devices.require_same(input, running_mean, running_var)    # the stats are updated in place
    y = apply(NativeBatchNormBackward0, input, weight, bias, training=training, momentum=momentum, eps=eps,
              running_mean=rm, running_var=rv)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._vc[0] += 1
    return y


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    if _amp.state.on and _amp.fp32('layer_norm', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(layer_norm, input, normalized_shape, weight, bias, eps)
    shape = int_sizes('layer_norm', 'normalized_shape', (normalized_shape,), pos=2, varargs=False)
    _mixed(input, weight, bias)              # PyTorch's order: dtypes, then shapes, then the kernel's dtype
    if not shape:
        raise RuntimeError('Expected normalized_shape to be at least 1-dimensional, i.e., containing at least '
                           'one element, but got normalized_shape = []')
    for name, p in (('weight', weight), ('bias', bias)):
        if p is not None and p.shape != shape:
            raise RuntimeError(f'Expected {name} to be of same shape as normalized_shape, but got {name} of shape '
                               f'{list(p.shape)} and normalized_shape = {list(shape)}')
    k = len(shape)
    if tuple(input.shape[input.ndim - k:]) != shape or input.ndim < k:
        raise RuntimeError(f'Given normalized_shape={list(shape)}, expected input with shape '
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    _float_input(input, 'LayerNormKernelImpl')
    return apply(NativeLayerNormBackward0, input, weight, bias, k=k, eps=eps)


def group_norm_op(input, num_groups, weight=None, bias=None, eps=1e-05):
    if _amp.state.on and _amp.fp32('group_norm', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(group_norm_op, input, num_groups, weight, bias, eps)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError('Expected number of channels in input to be divisible by num_groups, but got input '
                           f'of shape {list(input.shape)} and num_groups={num_groups}')
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != input.shape[1]):
        raise RuntimeError('Expected weight to be a vector of size equal to the number of channels in input, but '
                           f'got weight of shape {list(weight.shape)} and input of shape {list(input.shape)}')
    _mixed(input, weight, bias)
    _float_input(input, 'GroupNormKernelImpl')
    return apply(NativeGroupNormBackward0, input, weight, bias, groups=num_groups, eps=eps)


from .normalization_more import (normalize, local_response_norm, instance_norm, rms_norm,  # noqa: E402,F401
                                 batch_norm, group_norm)
