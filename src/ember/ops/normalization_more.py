"""Normalisations written as compositions of other ops: F.normalize (x / max(||x||_p, eps)),
local_response_norm (x / (k + alpha * mean of squares over nearby channels) ** beta),
instance_norm (batch norm of the input seen as one batch of N*C channels) and rms_norm; and the
Python-side checks of F.batch_norm and F.group_norm before their ops."""
import numpy as np

from .. import _dtype
from ..amp import autocast_mode as _amp  # autocast hook


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    if _amp.state.on and _amp.fp32('normalize', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(normalize, input, p, dim, eps, out=out)
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    r = input / denom
    if out is not None:
        out.copy_(r)
        return out
    return r


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    from .padding import pad
    from .pooling_api import avg_pool2d, avg_pool3d
    dim = input.ndim
    if dim < 3:
        raise ValueError('Expected 3D or higher dimensionality' + ' ' * 26 +     # sic: PyTorch's spacing
                         f'input (got {dim} dimensions)')
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if dim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = (div * alpha + k) ** beta
    return input / div


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-05):
    """As PyTorch: batch norm of the input viewed as one batch of N*C channels."""
    if use_input_stats:
        if int(np.prod(input.shape[2:])) == 1:
            raise ValueError(f'Expected more than 1 spatial element when training, got input size {input.shape}')
    elif running_mean is None or running_var is None:
        raise RuntimeError('Expected running_mean and running_var to be defined when use_input_stats is false')
    n, c = input.shape[:2]
    x = input.reshape((1, n * c) + tuple(input.shape[2:]))
    rep = (lambda t: None if t is None else t.repeat(n))
    rm, rv = rep(running_mean), rep(running_var)
    from .normalization import batch_norm_op
    y = batch_norm_op(x, rm, rv, rep(weight), rep(bias), use_input_stats, momentum, eps)
    if running_mean is not None and use_input_stats:
        from ..autograd.grad_mode import no_grad
        with no_grad():
            running_mean.copy_(rm.view(n, c).mean(0))
            running_var.copy_(rv.view(n, c).mean(0))
    return y.view(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    from .normalization import _float_input
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if input.ndim < k:
        raise ValueError(f'Input tensor must have at least {k} dimensions, but got {input.ndim}')
    _float_input(input, 'rms_norm')
    if tuple(input.shape[input.ndim - k:]) != shape:
        raise RuntimeError(f'Given normalized_shape={list(shape)}, expected input with shape '
                           f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    half = input.dtype in (_dtype.float16, _dtype.bfloat16)
    x = input.float() if half else input          # as PyTorch: float16/bfloat16 computed in float32
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps) if x._data.dtype.kind == 'f' else 1.1920928955078125e-07
    dims = tuple(range(input.ndim - k, input.ndim))
    y = x * (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        y = y * weight
    return y.to(input.dtype) if half else y


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-05):
    """F.batch_norm: its Python-side checks, then the op (``batch_norm_op``, ATen's batch_norm)."""
    c = input.shape[1] if input.ndim > 1 else 0
    if training:
        n = input.numel() // c if c else int(np.prod(input.shape[:1] + input.shape[2:]))
        if n == 1:
            raise ValueError(f'Expected more than 1 value per channel when training, got input size {input.shape}')
        if eps <= 0.0:
            raise ValueError(f'batch_norm eps must be positive during training, but got {eps}')
    from .normalization import batch_norm_op
    return batch_norm_op(input, running_mean, running_var, weight, bias, training, momentum, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    """F.group_norm: its Python-side checks (at least 2 dims; more than one value per group and
    sample unless the input is empty), then the op (``group_norm_op``, ATen's group_norm)."""
    if input.ndim < 2:
        raise RuntimeError(f'Expected at least 2 dimensions for input tensor but received {input.ndim}')
    size = [input.shape[0] * input.shape[1] // num_groups, num_groups] + list(input.shape[2:])
    if size[0] * int(np.prod(size[2:])) == 1:
        raise ValueError(f'Expected more than 1 value per channel when training, got input size {size}')
    from .normalization import group_norm_op
    return group_norm_op(input, num_groups, weight, bias, eps)
