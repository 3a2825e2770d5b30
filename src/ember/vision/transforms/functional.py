"""``transforms.functional``: the stateless image operations behind the transform classes.

Each function takes a PIL Image or an ember tensor image ``(..., C, H, W)`` and dispatches to
the PIL implementation (``_functional_pil``) or the tensor one (``_functional_tensor``), as
torchvision does. Conversions: ``to_tensor``, ``pil_to_tensor``, ``to_pil_image``,
``convert_image_dtype``."""
import numbers
import warnings

import numpy as np

import ember
from . import _functional_pil as F_pil
from . import _functional_tensor as F_t
from ._interpolation import (InterpolationMode, _FROM_PIL_INT, _interp, _interpolation_modes_from_int,  # noqa: F401
                             pil_modes_mapping)


def _is_numpy(img):
    return isinstance(img, np.ndarray)


def get_dimensions(img):
    """[channels, height, width] of a tensor or PIL image."""
    if isinstance(img, ember.Tensor):
        return F_t.get_dimensions(img)
    return F_pil.get_dimensions(img)


def get_image_size(img):
    """[width, height]."""
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# ---------------------------------------------------------------- conversions

def to_tensor(pic):
    """PIL Image or HxW(xC) ndarray -> C x H x W tensor; uint8 data is scaled to float in [0, 1]."""
    if not (F_pil._is_pil_image(pic) or _is_numpy(pic)):
        raise TypeError(f'pic should be PIL Image or ndarray. Got {type(pic)}')
    if _is_numpy(pic) and pic.ndim not in (2, 3):
        raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
    if _is_numpy(pic):
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        nptype = {'I': np.int32, 'I;16': np.int16, 'F': np.float32}.get(pic.mode, np.uint8)
        arr = np.array(pic, nptype, copy=True)
        if pic.mode == '1':
            arr = 255 * arr
        arr = arr.reshape(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    img = ember.from_numpy(arr.transpose(2, 0, 1)).contiguous()     # negative strides refused, as in torch
    if img.dtype == ember.uint8:
        return img.to(ember.get_default_dtype()).div(255)
    return img


def pil_to_tensor(pic):
    """PIL Image -> C x H x W tensor of the image's own dtype, values unchanged."""
    if not F_pil._is_pil_image(pic):
        raise TypeError(f'pic should be PIL Image. Got {type(pic)}')
    arr = np.array(pic, copy=True)
    img = ember.from_numpy(arr).view(pic.size[1], pic.size[0], F_pil.get_image_num_channels(pic))
    return img.permute((2, 0, 1))


def convert_image_dtype(image, dtype=ember.float32):
    if not isinstance(image, ember.Tensor):
        raise TypeError('Input img should be Tensor Image')
    return F_t.convert_image_dtype(image, dtype)


_MODES = {1: {'uint8': 'L', 'int16': 'I;16', 'int32': 'I', 'float32': 'F'}, 2: ['LA'],
          3: ['RGB', 'YCbCr', 'HSV'], 4: ['RGBA', 'CMYK', 'RGBX']}
_DEFAULT_MODE = {2: 'LA', 3: 'RGB', 4: 'RGBA'}


def to_pil_image(pic, mode=None):
    """C x H x W tensor or H x W x C ndarray -> PIL Image (float data is scaled by 255 unless mode is 'F')."""
    Image = F_pil._pil()
    if isinstance(pic, ember.Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0))
        pic = pic.detach().cpu().numpy()
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f'pic should be Tensor or ndarray. Got {type(pic)}.')
    npimg = pic[:, :, None] if pic.ndim == 2 else pic
    if npimg.ndim != 3:
        raise ValueError(f'pic should be 2/3 dimensional. Got {pic.ndim} dimensions.')
    if npimg.shape[-1] > 4:
        raise ValueError(f'pic should not have > 4 channels. Got {npimg.shape[-1]} channels.')
    if np.issubdtype(npimg.dtype, np.floating) and mode != 'F':
        npimg = (npimg * 255).astype(np.uint8)
    c = npimg.shape[2]
    if c == 1:
        npimg = npimg[:, :, 0]
        expected = _MODES[1].get(npimg.dtype.name)
        if mode is not None and mode != expected:
            raise ValueError(f'Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}')
        mode = expected
    else:
        if mode is not None and mode not in _MODES[c]:
            raise ValueError(f'Only modes {_MODES[c]} are supported for {c}D inputs')
        if mode is None and npimg.dtype == np.uint8:
            mode = _DEFAULT_MODE[c]
    if mode is None:
        raise TypeError(f'Input type {npimg.dtype} is not supported')
    npimg = np.ascontiguousarray(npimg)
    if c > 1 and npimg.dtype == np.uint8:
        return Image.frombytes(mode, (npimg.shape[1], npimg.shape[0]), npimg.tobytes())
    img = Image.fromarray(npimg)
    return img if img.mode == mode else img.convert(mode)


# ---------------------------------------------------------------- normalisation and geometry

def normalize(tensor, mean, std, inplace=False):
    if not isinstance(tensor, ember.Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(tensor)}')
    return F_t.normalize(tensor, mean=mean, std=std, inplace=inplace)


def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    if size is None:                      # torchvision's v1 functional never accepts size=None
        raise ValueError('This should never happen!!')
    if len(size) == 2:
        return [int(size[0]), int(size[1])]
    short, long = (w, h) if w <= h else (h, w)
    requested = size[0]
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(f'max_size = {max_size} must be strictly greater than the requested size for the '
                             f'smaller edge size = {size}')
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size``: an int (or 1-sequence) matches the smaller edge, keeping the aspect
    ratio; a pair is (h, w). Tensors use ``interpolate`` (antialias=True gives the PIL-style
    filter that ``interpolate(..., antialias=True)`` uses); PIL images use Pillow, which always
    antialiases."""
    interpolation = _interp(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in (1, 2):
            raise ValueError(f'Size must be an int or a 1 or 2 element tuple/list, not a {len(size)} element '
                             'tuple/list')
        if max_size is not None and len(size) != 1:
            raise ValueError('max_size should only be passed if size specifies the length of the smaller edge, '
                             'i.e. size should be an int or a sequence of length 1 in torchscript mode.')
    _, h, w = get_dimensions(img)
    size = [size] if isinstance(size, int) else size if size is None else list(size)
    out = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == out:
        return img
    if not isinstance(img, ember.Tensor):
        if antialias is False:
            warnings.warn('Anti-alias option is always applied for PIL Image input. Argument antialias is ignored.')
        return F_pil.resize(img, size=out, interpolation=pil_modes_mapping[interpolation])
    return F_t.resize(img, size=out, interpolation=interpolation.value, antialias=antialias)


def pad(img, padding, fill=0, padding_mode='constant'):
    if isinstance(img, ember.Tensor):
        return F_t.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)


def crop(img, top, left, height, width):
    if isinstance(img, ember.Tensor):
        return F_t.crop(img, top, left, height, width)
    return F_pil.crop(img, top, left, height, width)


def center_crop(img, output_size):
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    ch, cw = output_size
    if cw > w or ch > h:
        ltrb = [(cw - w) // 2 if cw > w else 0, (ch - h) // 2 if ch > h else 0,
                (cw - w + 1) // 2 if cw > w else 0, (ch - h + 1) // 2 if ch > h else 0]
        img = pad(img, ltrb, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    top = int(round((h - ch) / 2.0))
    left = int(round((w - cw) / 2.0))
    return crop(img, top, left, ch, cw)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def hflip(img):
    return F_t.hflip(img) if isinstance(img, ember.Tensor) else F_pil.hflip(img)


def vflip(img):
    return F_t.vflip(img) if isinstance(img, ember.Tensor) else F_pil.vflip(img)


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, center) crops of ``size``."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError('Please provide only two dimensions (h, w) for size.')
    _, h, w = get_dimensions(img)
    ch, cw = size
    if cw > w or ch > h:
        raise ValueError(f'Requested crop size {size} is bigger than input size {(h, w)}')
    return (crop(img, 0, 0, ch, cw), crop(img, 0, w - cw, ch, cw), crop(img, h - ch, 0, ch, cw),
            crop(img, h - ch, w - cw, ch, cw), center_crop(img, [ch, cw]))


def ten_crop(img, size, vertical_flip=False):
    first = five_crop(img, size)
    return first + five_crop(vflip(img) if vertical_flip else hflip(img), size)


# ---------------------------------------------------------------- colour

def _colour(name, img, factor):
    """``name`` for a tensor (torchvision formula) or PIL image (Pillow enhancer)."""
    mod = F_t if isinstance(img, ember.Tensor) else F_pil
    return getattr(mod, name)(img, factor)


def adjust_brightness(img, brightness_factor):
    return _colour('adjust_brightness', img, brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _colour('adjust_contrast', img, contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _colour('adjust_saturation', img, saturation_factor)


def adjust_hue(img, hue_factor):
    return _colour('adjust_hue', img, hue_factor)


def rgb_to_grayscale(img, num_output_channels=1):
    if isinstance(img, ember.Tensor):
        return F_t.rgb_to_grayscale(img, num_output_channels)
    return F_pil.to_grayscale(img, num_output_channels)


def to_grayscale(img, num_output_channels=1):
    if F_pil._is_pil_image(img):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError('Input should be PIL Image')


def invert(img):
    return F_t.invert(img) if isinstance(img, ember.Tensor) else F_pil.invert(img)


def _gaussian_kernel1d(kernel_size, sigma):
    x = np.linspace(-(kernel_size - 1) * 0.5, (kernel_size - 1) * 0.5, kernel_size)
    k = np.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with reflect padding, torchvision's checks in its order; PIL images go
    through the tensor path. The image gets a batch dim if it has none and is convolved with
    one 2-D kernel per channel (groups = C)."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError(f'kernel_size should be int or a sequence of integers. Got {type(kernel_size)}')
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(f'If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}')
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(f'kernel_size should have odd and positive integers. Got {kernel_size}')
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f'sigma should be either float or sequence of floats. Got {type(sigma)}')
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    elif len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f'If sigma is a sequence, its length should be 2. Got {len(sigma)}')
    if any(s <= 0 for s in sigma):
        raise ValueError(f'sigma should have positive values. Got {sigma}')
    if not isinstance(img, ember.Tensor):
        if not F_pil._is_pil_image(img):
            raise TypeError(f'img should be PIL Image or Tensor. Got {type(img)}')
        return to_pil_image(gaussian_blur(pil_to_tensor(img), kernel_size, sigma), mode=img.mode)
    F_t._assert_image_tensor(img)
    dtype = img.dtype if img.is_floating_point() else ember.float32
    kx = ember.as_tensor(_gaussian_kernel1d(kernel_size[0], sigma[0]), dtype=dtype, device=img.device)
    ky = ember.as_tensor(_gaussian_kernel1d(kernel_size[1], sigma[1]), dtype=dtype, device=img.device)
    kernel = (ky.view(-1, 1) * kx.view(1, -1)).expand(img.shape[-3], 1, kernel_size[1], kernel_size[0])
    x, squeeze, out_dtype = F_t._cast_squeeze_in(img, (dtype,))
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    x = ember.nn.functional.pad(x, [px, px, py, py], mode='reflect')
    x = ember.nn.functional.conv2d(x, kernel, groups=x.shape[-3])
    return F_t._cast_squeeze_out(x, squeeze, out_dtype)


def erase(img, i, j, h, w, v, inplace=False):
    """Overwrite ``img[..., i:i+h, j:j+w]`` with ``v`` (tensor images only)."""
    if not isinstance(img, ember.Tensor):
        raise TypeError(f'img should be Tensor Image. Got {type(img)}')
    if not inplace:
        img = img.clone()
    img[..., i:i + h, j:j + w] = v
    return img


# ---------------------------------------------------------------- resampling and point operations (own modules)

from ._geometry import (_get_inverse_affine_matrix, _get_perspective_coeffs,  # noqa: E402,F401
                        affine, elastic_transform, perspective, rotate)
from ._color import adjust_gamma, adjust_sharpness, autocontrast, equalize, posterize, solarize  # noqa: E402,F401
