"""Small nn.functional entries built from existing ops: the Gumbel-softmax sampler and the
deprecated upsample_nearest / upsample_bilinear spellings of ``interpolate``."""
import warnings

from .resample import interpolate

__all__ = ['gumbel_softmax', 'upsample_nearest', 'upsample_bilinear']
METHODS = {}


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Draw a relaxed one-hot sample: softmax((logits + g) / tau) with g ~ Gumbel(0, 1).

    With ``hard=True`` the result is the exact one-hot of the sample's argmax, yet its
    gradient is the soft sample's (straight-through estimator)."""
    from .creation import empty_like, zeros_like
    if eps != 1e-10:
        warnings.warn('`eps` parameter is deprecated and has no effect.', stacklevel=2)
    # -log(E) with E ~ Exp(1) is a standard Gumbel draw
    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated alias of ``interpolate(..., mode='nearest')``."""
    warnings.warn('`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.',
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='nearest')


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated alias of ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn('`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.',
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode='bilinear', align_corners=True)
