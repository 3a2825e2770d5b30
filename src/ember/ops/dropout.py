"""Dropout family: the input times a random mask (PyTorch's MulBackward0 / AddBackward0 nodes).
Masks are drawn as PyTorch draws them (``bernoulli_`` on a tensor laid out like the input, or on a
contiguous (N, C, 1, ...) one for the feature forms), so a seeded run drops PyTorch's elements."""
import math
import warnings

_ALPHA = 1.7580993408473766      # SELU's alpha * scale: keeps SELU's mean and variance


def _check(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f'dropout probability has to be between 0 and 1, but got {p}')


def _noise(input, shape, p):
    """Bernoulli(1 - p) noise: laid out like ``input`` (its memory order decides which draw lands
    where) for ``shape`` None, else a contiguous tensor of ``shape`` (the feature forms)."""
    if shape is None:
        from .creation import empty_like
        return empty_like(input).bernoulli_(1 - p)
    return input.new_empty(shape).bernoulli_(1 - p)


def _apply(input, noise, inplace):
    return input.mul_(noise) if inplace else input * noise


def _skip(input, p, training):
    """No mask to draw: evaluation, p == 0, or an empty input (all returned as they are)."""
    return not training or p == 0 or input.numel() == 0


def dropout(input, p=0.5, training=True, inplace=False):
    _check(p)
    if _skip(input, p, training):
        return input
    if p == 1:
        return _apply(input, input.new_zeros(()), inplace)
    return _apply(input, _noise(input, None, p).div_(1 - p), inplace)


def _feature_shape(input):
    """Shape of the per-channel mask: (N, C, 1, ...), dims 0 and 1 taken as batch and channel."""
    if input.ndim < 2:
        raise RuntimeError('Feature dropout requires at least 2 dimensions in the input')
    return tuple(input.shape[:2]) + (1,) * (input.ndim - 2)


def _warn_dims(input, batched_dims, name):
    if input.ndim not in (batched_dims - 1, batched_dims):
        warnings.warn(f'{name}: Received a {input.ndim}-D input to {name}, which is deprecated and will result '
                      f'in an error in a future release. To retain the behavior and silence this warning, please '
                      f'use dropout instead. Note that {name} exists to provide channel-wise dropout on inputs with '
                      f'{batched_dims - 2} spatial dimensions, a channel dimension, and an optional batch dimension '
                      f'(i.e. {batched_dims - 1}D or {batched_dims}D inputs).', stacklevel=3)


def _unbatched_mask(input, p, training, inplace):
    """Input without its batch dim runs with one of size 1, dropped again afterwards (in place:
    on the input itself, UnsqueezeBackward1 / SqueezeBackward4, as PyTorch's dropout1d/dropout3d)."""
    _check(p)
    if inplace:
        return _feature_mask(input.unsqueeze_(0), p, training, True).squeeze_(0)
    return _feature_mask(input.unsqueeze(0), p, training, False).squeeze(0)


def _feature_mask(input, p, training, inplace):
    _check(p)
    if _skip(input, p, training):
        return input
    if p == 1:
        return _apply(input, input.new_zeros(()), inplace)
    return _apply(input, _noise(input, _feature_shape(input), p).div_(1 - p), inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    if input.ndim not in (2, 3):
        raise RuntimeError(f'dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that '
                           'dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a '
                           'channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).')
    if input.ndim == 2:
        return _unbatched_mask(input, p, training, inplace)
    return _feature_mask(input, p, training, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    if input.ndim == 3:
        warnings.warn('dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout '
                      'behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. '
                      'This behavior will change in a future release to interpret the input as one without a '
                      'batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, '
                      'please switch to using dropout1d instead.', stacklevel=2)
    else:
        _warn_dims(input, 4, 'dropout2d')
    return _feature_mask(input, p, training, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _warn_dims(input, 5, 'dropout3d')
    if input.ndim != 5:
        return _unbatched_mask(input, p, training, inplace)
    return _feature_mask(input, p, training, inplace)


def _alpha(input, feature, p, training, inplace):
    _check(p)
    if _skip(input, p, training):
        return input
    if p == 1:
        return _apply(input, input.new_zeros(()), inplace)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    noise = _noise(input, _feature_shape(input) if feature else None, p)
    b = (noise - 1) * (_ALPHA * a) + _ALPHA * a * p
    noise = noise * a
    return _apply(input, noise, inplace).add_(b) if inplace else input * noise + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha(input, False, p, training, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _alpha(input, True, p, training, inplace)


def rrelu_noise(input, lower, upper, generator=None):
    """rrelu's training slopes as PyTorch's CPU kernel draws them: walking the input in (logical)
    order, one float64 uniform in [lower, upper) for each element <= 0 (the bounds first rounded
    to float32 unless the input is float64), none for the others (slope 1)."""
    import numpy as np
    from .. import _dtype
    from .creation import empty, ones
    x = input.detach()
    if x.dtype is not _dtype.float64:
        lower, upper = float(np.float32(lower)), float(np.float32(upper))
    neg = x <= 0
    noise = ones(x.shape, dtype=x.dtype, device=x.device)
    noise[neg] = empty(int(neg.sum()), dtype=_dtype.float64, device=x.device).uniform_(
        lower, upper, generator=generator).to(x.dtype)
    return noise
