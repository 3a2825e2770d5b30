"""The tensor half of ``transforms.functional``: images are ember tensors ``(..., C, H, W)``.

Everything here is written with ember tensor ops, so it runs on whatever device the image
lives on and stays differentiable for float images. Integer images (uint8, ...) are worked
on in float32 where arithmetic is needed and cast back exactly as torchvision does
(rounding for resizes, truncation for colour blends)."""
import numpy as np

import ember

_INT_MAX = {'uint8': 255, 'int8': 127, 'int16': 32767, 'int32': 2 ** 31 - 1, 'int64': 2 ** 63 - 1,
            'uint16': 65535, 'uint32': 2 ** 32 - 1, 'uint64': 2 ** 64 - 1}


def _is_tensor_image(img):
    return isinstance(img, ember.Tensor) and img.ndim >= 2


def _assert_image_tensor(img):
    if not _is_tensor_image(img):
        raise TypeError('Tensor is not a torch image.')


def _max_value(dtype):
    if dtype.is_floating_point or dtype == ember.bool:
        return 1.0 if dtype.is_floating_point else 1
    return _INT_MAX[str(dtype).split('.')[-1]]


def get_dimensions(img):
    _assert_image_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f'Input image tensor permitted channel values are {permitted}, but found {c}')


def convert_image_dtype(image, dtype=ember.float32):
    if image.dtype == dtype:
        return image
    if image.is_floating_point():
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == ember.float32 and dtype in (ember.int32, ember.int64)) or \
                (image.dtype == ember.float64 and dtype == ember.int64):
            raise RuntimeError(f'The cast from {image.dtype} to {dtype} cannot be performed safely.')
        # eps keeps 1.0 from landing one past the largest integer value
        return image.mul(float(_max_value(dtype)) + 1.0 - 1e-3).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return ember.div(image, factor, rounding_mode='floor').to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def normalize(tensor, mean, std, inplace=False):
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f'Input tensor should be a float tensor. Got {tensor.dtype}.')
    if tensor.ndim < 3:
        raise ValueError('Expected tensor to be a tensor image of size (..., C, H, W). Got '
                         f'tensor.size() = {tensor.size()}')
    if not inplace:
        tensor = tensor.clone()
    mean = ember.as_tensor(mean, dtype=tensor.dtype, device=tensor.device)
    std = ember.as_tensor(std, dtype=tensor.dtype, device=tensor.device)
    if (std == 0).any():
        raise ValueError(f'std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.')
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    return tensor.sub_(mean).div_(std)


# ---------------------------------------------------------------- geometry

def hflip(img):
    _assert_image_tensor(img)
    return img.flip(-1)


def vflip(img):
    _assert_image_tensor(img)
    return img.flip(-2)


def crop(img, top, left, height, width):
    _assert_image_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        inside = img[..., max(top, 0):bottom, max(left, 0):right]
        ltrb = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(inside, ltrb, fill=0)
    return img[..., top:bottom, left:right]


def _parse_padding(padding):
    if isinstance(padding, int):
        return [padding] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return padding


def pad(img, padding, fill=0, padding_mode='constant'):
    """Pads the last two dims; ``padding`` is (left, top, right, bottom) in torchvision's short forms.
    Negative amounts crop. As torchvision, ``nn.functional.pad`` does constant/edge/reflect (edge and
    reflect on a float32 copy of non-float images) and ``symmetric`` gathers rows/columns by index."""
    _assert_image_tensor(img)
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError('Got inappropriate padding arg')
    if fill is None:
        fill = 0
    if not isinstance(fill, (int, float)):
        raise TypeError('Got inappropriate fill arg')
    if not isinstance(padding_mode, str):
        raise TypeError('Got inappropriate padding_mode arg')
    if isinstance(padding, (tuple, list)) and len(padding) not in (1, 2, 4):
        raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                         f'{len(padding)} element tuple')
    if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
        raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
    left, top, right, bottom = _parse_padding(padding)
    if padding_mode == 'symmetric':
        return _pad_symmetric(img, left, top, right, bottom)
    p = (left, right, top, bottom)
    if padding_mode == 'constant':
        return ember.nn.functional.pad(img, p, value=float(fill))
    x, squeeze, out_dtype = _cast_squeeze_in(img, (ember.float32, ember.float64))
    x = ember.nn.functional.pad(x, p, mode='replicate' if padding_mode == 'edge' else 'reflect')
    x = x.squeeze(0) if squeeze else x
    return x.to(out_dtype)                       # pad only moves values: a plain cast back


def _pad_symmetric(img, left, top, right, bottom):
    """Symmetric padding (the edge pixel repeated) by gathering rows and columns; negative amounts crop."""
    if img.ndim not in (3, 4):
        raise RuntimeError('Symmetric padding of N-D tensors are not supported yet')
    h, w = img.shape[-2:]
    img = img[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    for dim, lo, hi in ((-1, left, right), (-2, top, bottom)):
        if lo > 0 or hi > 0:
            idx = np.pad(np.arange(img.shape[dim]), (max(lo, 0), max(hi, 0)), mode='symmetric')
            img = img.index_select(dim, ember.as_tensor(idx, device=img.device))
    return img


# ---------------------------------------------------------------- resizing

_ROUNDED = (ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64)


def _cast_squeeze_in(img, req_dtypes):
    """As torchvision: a batch dim for (C, H, W) / (H, W) images, and a cast to ``req_dtypes[0]``
    unless the dtype is one of ``req_dtypes``. Returns (x, squeezed, original dtype)."""
    squeeze = img.ndim < 4
    x = img.unsqueeze(0) if squeeze else img
    return (x if x.dtype in req_dtypes else x.to(req_dtypes[0])), squeeze, img.dtype


def _cast_squeeze_out(x, squeeze, out_dtype):
    """Undo ``_cast_squeeze_in``; the cast back rounds for uint8 and the signed integer types only."""
    x = x.squeeze(0) if squeeze else x
    if x.dtype != out_dtype:
        x = (ember.round(x) if out_dtype in _ROUNDED else x).to(out_dtype)
    return x


def resize(img, size, interpolation='bilinear', antialias=True):
    """``size`` is the final [h, w]. As torchvision, ``interpolate`` does the work on a float
    (N, C, H, W) batch, so its checks and errors apply."""
    _assert_image_tensor(img)
    if antialias is None or interpolation not in ('bilinear', 'bicubic'):
        antialias = False
    x, squeeze, out_dtype = _cast_squeeze_in(img, (ember.float32, ember.float64))
    corners = False if interpolation in ('bilinear', 'bicubic') else None
    x = ember.nn.functional.interpolate(x, size=list(size), mode=interpolation, align_corners=corners,
                                        antialias=antialias)
    if interpolation == 'bicubic' and out_dtype == ember.uint8:
        x = x.clamp(0, 255)
    return _cast_squeeze_out(x, squeeze, out_dtype)


# ---------------------------------------------------------------- colour

def rgb_to_grayscale(img, num_output_channels=1):
    if img.ndim < 3:
        raise TypeError(f'Input image tensor should have at least 3 dimensions, but found {img.ndim}')
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError('num_output_channels should be either 1 or 3')
    if img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        gray = img.clone()
    return gray.expand(img.shape) if num_output_channels == 3 else gray


def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f'brightness_factor ({brightness_factor}) is not non-negative.')
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return _blend(img, ember.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f'contrast_factor ({contrast_factor}) is not non-negative.')
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    dtype = img.dtype if img.is_floating_point() else ember.float32
    src = rgb_to_grayscale(img) if img.shape[-3] == 3 else img
    mean = ember.mean(src.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f'saturation_factor ({saturation_factor}) is not non-negative.')
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-3] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = ember.amax(img, dim=-3)
    minc = ember.amin(img, dim=-3)
    same = maxc == minc
    chroma = maxc - minc
    ones = ember.ones_like(maxc)
    s = chroma / ember.where(same, ones, maxc)
    div = ember.where(same, ones, chroma)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = ember.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv2rgb(h, s, v):
    i = ember.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.to(ember.int32) % 6
    p = ember.clamp(v * (1.0 - s), 0.0, 1.0)
    q = ember.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = ember.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    table = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))   # r, g, b per sector
    out = []
    for row in table:
        ch = ember.zeros_like(v)
        for sector, val in enumerate(row):
            ch = ember.where(i == sector, val, ch)
        out.append(ch)
    return ember.stack(out, dim=-3)


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f'hue_factor ({hue_factor}) is not in [-0.5, 0.5].')
    if not isinstance(img, ember.Tensor):
        raise TypeError('Input img should be Tensor image')
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-3] == 1:
        return img
    orig = img.dtype
    h, s, v = _rgb2hsv(convert_image_dtype(img, ember.float32))
    h = (h + hue_factor) % 1.0
    return convert_image_dtype(_hsv2rgb(h, s, v), orig)


def invert(img):
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(f'Input image tensor should have at least 3 dimensions, but found {img.ndim}')
    _assert_channels(img, [1, 3])
    return _max_value(img.dtype) - img
