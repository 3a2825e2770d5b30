"""Point and histogram operations of ``transforms.functional``: adjust_gamma, adjust_sharpness,
posterize, solarize, autocontrast, equalize. PIL Images go to Pillow (``ImageOps``,
``ImageEnhance``); tensor images ``(..., C, H, W)`` use the torchvision formulas written with
ember ops (so they run on the image's device)."""
import ember
from . import _functional_pil as F_pil
from ._functional_tensor import (_assert_channels, _assert_image_tensor, _blend, _cast_squeeze_in, _cast_squeeze_out,
                                 _max_value, convert_image_dtype)
from ._functional_tensor import invert as _invert

__all__ = ['adjust_gamma', 'adjust_sharpness', 'posterize', 'solarize', 'autocontrast', 'equalize']


def _need_3d(img):
    if img.ndim < 3:
        raise TypeError(f'Input image tensor should have at least 3 dimensions, but found {img.ndim}')


def _only_uint8(img):
    if img.dtype != ember.uint8:
        raise TypeError(f'Only ember.uint8 image tensors are supported, but found {img.dtype}')


# ---------------------------------------------------------------- tensor halves

def _adjust_gamma_tensor(img, gamma, gain=1):
    if not isinstance(img, ember.Tensor):
        raise TypeError('Input img should be a Tensor.')
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError('Gamma should be a non-negative real number')
    dtype = img.dtype
    result = img if img.is_floating_point() else convert_image_dtype(img, ember.float32)
    return convert_image_dtype((gain * result ** gamma).clamp(0, 1), dtype)


def _blurred_degenerate_image(img):
    """The image smoothed by the 3x3 kernel [[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13 (borders kept)."""
    dtype = img.dtype if img.is_floating_point() else ember.float32
    c = img.shape[-3]
    kernel = ember.ones((3, 3), dtype=dtype, device=img.device)
    kernel[1, 1] = 5.0
    kernel = (kernel / kernel.sum()).expand(c, 1, 3, 3)
    x, squeeze, out_dtype = _cast_squeeze_in(img, (dtype,))
    x = _cast_squeeze_out(ember.nn.functional.conv2d(x, kernel, groups=c), squeeze, out_dtype)
    result = img.clone()
    result[..., 1:-1, 1:-1] = x
    return result


def _adjust_sharpness_tensor(img, sharpness_factor):
    if sharpness_factor < 0:
        raise ValueError(f'sharpness_factor ({sharpness_factor}) is not non-negative.')
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    return _blend(img, _blurred_degenerate_image(img), sharpness_factor)


def _posterize_tensor(img, bits):
    _assert_image_tensor(img)
    _need_3d(img)
    _only_uint8(img)
    _assert_channels(img, [1, 3])
    return img & -int(2 ** (8 - bits))                 # keeps the top ``bits`` bits


def _solarize_tensor(img, threshold):
    _assert_image_tensor(img)
    _need_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > _max_value(img.dtype):
        raise TypeError('Threshold should be less than bound of img.')
    return ember.where(img >= threshold, _invert(img), img)


def _autocontrast_tensor(img):
    _assert_image_tensor(img)
    _need_3d(img)
    _assert_channels(img, [1, 3])
    bound = _max_value(img.dtype)
    dtype = img.dtype if img.is_floating_point() else ember.float32
    lo = img.amin(dim=(-2, -1), keepdim=True).to(dtype)
    hi = img.amax(dim=(-2, -1), keepdim=True).to(dtype)
    scale = bound / (hi - lo)
    flat = ember.isfinite(scale).logical_not()         # constant channels stay as they are
    lo = ember.where(flat, ember.zeros_like(lo), lo)
    scale = ember.where(flat, ember.ones_like(scale), scale)
    return ((img - lo) * scale).clamp(0, bound).to(img.dtype)


def _equalize_tensor(img):
    """Per-channel histogram equalisation with Pillow's lookup table, all channels at once."""
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f'Input image tensor should have 3 or 4 dimensions, but found {img.ndim}')
    _only_uint8(img)
    _assert_channels(img, [1, 3])
    flat = img.reshape(-1, img.shape[-2] * img.shape[-1]).to(ember.int64)      # (channels, pixels)
    n = flat.shape[0]
    hist = ember.zeros((n, 256), dtype=ember.int64, device=img.device)
    hist = hist.scatter_add(1, flat, ember.ones_like(flat))
    top = hist.gather(1, flat.amax(dim=1, keepdim=True))        # count of the brightest value present
    step = ember.div(flat.shape[1] - top, 255, rounding_mode='floor')
    safe = ember.where(step == 0, ember.ones_like(step), step)
    lut = ember.div(ember.cumsum(hist, 1) + ember.div(step, 2, rounding_mode='floor'), safe, rounding_mode='floor')
    lut = ember.nn.functional.pad(lut, [1, 0])[:, :-1].clamp(0, 255)
    out = ember.where(step == 0, flat, lut.gather(1, flat))
    return out.to(ember.uint8).reshape(img.shape)


# ---------------------------------------------------------------- public, PIL or tensor

def adjust_gamma(img, gamma, gain=1):
    """``gain * img ** gamma`` on values scaled to [0, 1]."""
    if not isinstance(img, ember.Tensor):
        return F_pil.adjust_gamma(img, gamma, gain)
    return _adjust_gamma_tensor(img, gamma, gain)


def adjust_sharpness(img, sharpness_factor):
    """Blend with a smoothed copy: 0 blurs, 1 keeps, 2 doubles the sharpness."""
    if not isinstance(img, ember.Tensor):
        return F_pil.adjust_sharpness(img, sharpness_factor)
    return _adjust_sharpness_tensor(img, sharpness_factor)


def posterize(img, bits):
    """Keep the ``bits`` most significant bits of each uint8 channel."""
    if not 0 <= bits <= 8:
        raise ValueError(f'The number if bits should be between 0 and 8. Got {bits}')
    if not isinstance(img, ember.Tensor):
        return F_pil.posterize(img, bits)
    return _posterize_tensor(img, bits)


def solarize(img, threshold):
    """Invert every pixel value at or above ``threshold``."""
    if not isinstance(img, ember.Tensor):
        return F_pil.solarize(img, threshold)
    return _solarize_tensor(img, threshold)


def autocontrast(img):
    """Stretch each channel so its darkest pixel is black and its brightest white."""
    if not isinstance(img, ember.Tensor):
        return F_pil.autocontrast(img)
    return _autocontrast_tensor(img)


def equalize(img):
    """Histogram equalisation of each channel (uint8 tensors or PIL images)."""
    if not isinstance(img, ember.Tensor):
        return F_pil.equalize(img)
    return _equalize_tensor(img)
