"""The PIL half of ``transforms.functional``: images are ``PIL.Image.Image`` objects and the
work is done by Pillow itself (resampling, enhancers, colour conversions), as in torchvision.
Pillow is optional for ember; it is imported on first use."""
import numbers

import numpy as np


def _pil():
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("PIL images need Pillow: pip install 'ember[vision]'") from e
    return Image


def _is_pil_image(img):
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(img, Image.Image)


def _check(img):
    if not _is_pil_image(img):
        raise TypeError(f'img should be PIL Image. Got {type(img)}')


def get_dimensions(img):
    if not _is_pil_image(img):
        raise TypeError(f'Unexpected type {type(img)}')
    channels = len(img.getbands()) if hasattr(img, 'getbands') else img.channels
    width, height = img.size
    return [channels, height, width]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


def hflip(img):
    _check(img)
    return img.transpose(_pil().Transpose.FLIP_LEFT_RIGHT)


def vflip(img):
    _check(img)
    return img.transpose(_pil().Transpose.FLIP_TOP_BOTTOM)


def crop(img, top, left, height, width):
    _check(img)
    return img.crop((left, top, left + width, top + height))


def _parse_fill(fill, img, name='fill'):
    channels = get_image_num_channels(img)
    if fill is None:
        fill = 0
    if isinstance(fill, (int, float)) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * channels
        elif len(fill) != channels:
            raise ValueError("The number of elements in 'fill' does not match the number of channels of the "
                             f'image ({len(fill)} != {channels})')
        fill = tuple(fill)
    if img.mode != 'F':
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode='constant'):
    _check(img)
    if not isinstance(padding, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError('Got inappropriate fill arg')
    if not isinstance(padding_mode, str):
        raise TypeError('Got inappropriate padding_mode arg')
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                         f'{len(padding)} element tuple')
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
    if isinstance(padding, (tuple, list)):
        padding = list(padding) * 4 if len(padding) == 1 else list(padding)
        left, top = padding[0], padding[1]
        right, bottom = (padding[0], padding[1]) if len(padding) == 2 else (padding[2], padding[3])
    else:
        left = top = right = bottom = int(padding)
    cl, ct, cr, cb = (max(-p, 0) for p in (left, top, right, bottom))
    if cl or ct or cr or cb:
        img = img.crop((cl, ct, img.width - cr, img.height - cb))
    left, top, right, bottom = (max(p, 0) for p in (left, top, right, bottom))
    if padding_mode == 'constant':
        from PIL import ImageOps
        out = ImageOps.expand(img, border=(left, top, right, bottom), **_parse_fill(fill, img))
        if img.mode == 'P':
            out.putpalette(img.getpalette())
        return out
    palette = img.getpalette() if img.mode == 'P' else None
    arr = np.asarray(img)
    widths = ((top, bottom), (left, right)) + (((0, 0),) if arr.ndim == 3 else ())
    out = _pil().fromarray(np.pad(arr, widths, padding_mode))
    if palette is not None:
        out.putpalette(palette)                  # an 'L' image with a palette becomes 'P' again
    return out


def resize(img, size, interpolation):
    _check(img)
    if not (isinstance(size, list) and len(size) == 2):
        raise TypeError(f'Got inappropriate size arg: {size}')
    return img.resize(tuple(size[::-1]), interpolation)


# ---------------------------------------------------------------- colour

def _enhance(img, name, factor):
    _check(img)
    from PIL import ImageEnhance
    return getattr(ImageEnhance, name)(img).enhance(factor)


def adjust_brightness(img, brightness_factor):
    return _enhance(img, 'Brightness', brightness_factor)


def adjust_contrast(img, contrast_factor):
    return _enhance(img, 'Contrast', contrast_factor)


def adjust_saturation(img, saturation_factor):
    return _enhance(img, 'Color', saturation_factor)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f'hue_factor ({hue_factor}) is not in [-0.5, 0.5].')
    _check(img)
    Image = _pil()
    mode = img.mode
    if mode in {'L', '1', 'I', 'F'}:
        return img
    h, s, v = img.convert('HSV').split()
    np_h = np.array(h, dtype=np.uint8)
    np_h += np.array(np.int32(hue_factor * 255)).astype(np.uint8)   # uint8 wrap-around = hue rotation
    return Image.merge('HSV', (Image.fromarray(np_h, 'L'), s, v)).convert(mode)


def to_grayscale(img, num_output_channels=1):
    _check(img)
    if num_output_channels == 1:
        return img.convert('L')
    if num_output_channels == 3:
        gray = np.array(img.convert('L'), dtype=np.uint8)
        return _pil().fromarray(np.dstack([gray, gray, gray]), 'RGB')
    raise ValueError('num_output_channels should be either 1 or 3')


def invert(img):
    _check(img)
    from PIL import ImageOps
    return ImageOps.invert(img)


# ---------------------------------------------------------------- geometry by Pillow's own resampling

def rotate(img, angle, interpolation=0, expand=False, center=None, fill=None):
    """Counter-clockwise rotation by ``angle`` degrees with ``Image.rotate``."""
    _check(img)
    return img.rotate(angle, interpolation, expand, center, **_parse_fill(fill, img, 'fillcolor'))


def affine(img, matrix, interpolation=0, fill=None):
    """``matrix`` is the inverse map (output pixel -> input pixel) as 6 floats, like ``Image.transform``."""
    _check(img)
    return img.transform(img.size, _pil().Transform.AFFINE, matrix, interpolation,
                         **_parse_fill(fill, img, 'fillcolor'))


def perspective(img, perspective_coeffs, interpolation=3, fill=None):
    _check(img)
    return img.transform(img.size, _pil().Transform.PERSPECTIVE, perspective_coeffs, interpolation,
                         **_parse_fill(fill, img, 'fillcolor'))


# ---------------------------------------------------------------- point operations (ImageOps / ImageEnhance)

def adjust_gamma(img, gamma, gain=1.0):
    _check(img)
    if gamma < 0:
        raise ValueError('Gamma should be a non-negative real number')
    mode = img.mode
    table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)] * 3
    return img.convert('RGB').point(table).convert(mode)


def adjust_sharpness(img, sharpness_factor):
    return _enhance(img, 'Sharpness', sharpness_factor)


def _imageops(name, img, *args):
    _check(img)
    from PIL import ImageOps
    return getattr(ImageOps, name)(img, *args)


def posterize(img, bits):
    return _imageops('posterize', img, bits)


def solarize(img, threshold):
    return _imageops('solarize', img, threshold)


def autocontrast(img):
    return _imageops('autocontrast', img)


def equalize(img):
    return _imageops('equalize', img)
