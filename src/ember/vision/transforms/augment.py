"""Colour and occlusion augmentations of ``torchvision.transforms``: ColorJitter, Grayscale,
RandomGrayscale, RandomInvert, RandomPosterize, RandomSolarize, RandomAdjustSharpness,
RandomAutocontrast, RandomEqualize, GaussianBlur, RandomErasing (random draws from ember's
generator)."""
import math
import numbers
import warnings
from collections.abc import Sequence

import ember
from ember.nn import Module
from . import functional as F
from .transforms import _RandomP, _coin, _randint, _setup_size, _uniform

__all__ = ['ColorJitter', 'Grayscale', 'RandomGrayscale', 'RandomInvert', 'RandomPosterize', 'RandomSolarize',
           'RandomAdjustSharpness', 'RandomAutocontrast', 'RandomEqualize', 'GaussianBlur', 'RandomErasing']


class RandomInvert(_RandomP):
    _item = True

    def _apply_to(self, img):
        return F.invert(img)


class RandomAutocontrast(_RandomP):
    _item = True

    def _apply_to(self, img):
        return F.autocontrast(img)


class RandomEqualize(_RandomP):
    _item = True

    def _apply_to(self, img):
        return F.equalize(img)


class _RandomWithArg(_RandomP):
    """``F.<op>(img, <arg>)`` with probability ``p``; the repr is torchvision's ``Name(arg=v,p=p)``."""
    _arg = _op = None
    _item = True

    def __init__(self, value, p=0.5):
        super().__init__(p)
        setattr(self, self._arg, value)

    def _apply_to(self, img):
        return getattr(F, self._op)(img, getattr(self, self._arg))

    def __repr__(self):
        return f'{type(self).__name__}({self._arg}={getattr(self, self._arg)},p={self.p})'


class RandomPosterize(_RandomWithArg):
    _arg, _op = 'bits', 'posterize'

    def __init__(self, bits, p=0.5):
        super().__init__(bits, p)


class RandomSolarize(_RandomWithArg):
    _arg, _op = 'threshold', 'solarize'

    def __init__(self, threshold, p=0.5):
        super().__init__(threshold, p)


class RandomAdjustSharpness(_RandomWithArg):
    _arg, _op = 'sharpness_factor', 'adjust_sharpness'

    def __init__(self, sharpness_factor, p=0.5):
        super().__init__(sharpness_factor, p)


class RandomGrayscale(_RandomP):
    """Grayscale with probability ``p``, keeping the channel count (1 or 3)."""

    def __init__(self, p=0.1):
        super().__init__(p)

    def forward(self, img):
        channels = F.get_dimensions(img)[0]
        if _coin(self.p):
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img


class ColorJitter(Module):
    """Random brightness, contrast, saturation and hue changes, applied in a random order."""

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0):
        super().__init__()
        self.brightness = self._check_input(brightness, 'brightness')
        self.contrast = self._check_input(contrast, 'contrast')
        self.saturation = self._check_input(saturation, 'saturation')
        self.hue = self._check_input(hue, 'hue', center=0, bound=(-0.5, 0.5), clip_first_on_zero=False)

    @staticmethod
    def _check_input(value, name, center=1, bound=(0, float('inf')), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f'If {name} is a single number, it must be non negative.')
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f'{name} should be a single number or a list/tuple with length 2.')
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f'{name} values should be between {bound}, but got {value}.')
        return None if value[0] == value[1] == center else tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        fn_idx = ember.randperm(4)
        return (fn_idx,) + tuple(None if r is None else _uniform(r[0], r[1])
                                 for r in (brightness, contrast, saturation, hue))

    def forward(self, img):
        fn_idx, *factors = self.get_params(self.brightness, self.contrast, self.saturation, self.hue)
        fns = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for k in fn_idx.tolist():
            if factors[k] is not None:
                img = fns[k](img, factors[k])
        return img

    def __repr__(self):
        return (f'{type(self).__name__}(brightness={self.brightness}, contrast={self.contrast}, '
                f'saturation={self.saturation}, hue={self.hue})')


class Grayscale(Module):
    def __init__(self, num_output_channels=1):
        super().__init__()
        self.num_output_channels = num_output_channels

    def forward(self, img):
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self):
        return f'{type(self).__name__}(num_output_channels={self.num_output_channels})'


class GaussianBlur(Module):
    """Blur with a Gaussian whose sigma is drawn uniformly from ``sigma=(min, max)`` per call."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        self.kernel_size = _setup_size(kernel_size, 'Kernel size should be a tuple/list of two integers')
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError('Kernel size value should be an odd and positive number.')
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError('If sigma is a single number, it must be positive.')
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError('sigma values should be positive and of the form (min, max).')
        else:
            raise ValueError('sigma should be a single number or a list/tuple with length 2.')
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min, sigma_max):
        return _uniform(sigma_min, sigma_max)

    def forward(self, img):
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self):
        return f'{type(self).__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})'


class RandomErasing(Module):
    """With probability ``p`` overwrite a random rectangle of a tensor image ('random' -> N(0, 1) noise)."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        super().__init__()
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError('Argument value should be either a number or str or a sequence')
        if isinstance(value, str) and value != 'random':
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError('Scale should be a sequence')
        if not isinstance(ratio, Sequence):
            raise TypeError('Ratio should be a sequence')
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn('Scale and ratio should be of kind (min, max)')
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError('Scale should be between 0 and 1')
        if p < 0 or p > 1:
            raise ValueError('Random erasing probability should be between 0 and 1')
        self.p, self.scale, self.ratio, self.value, self.inplace = p, scale, ratio, value, inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = ember.log(ember.tensor(ratio))
        for _ in range(10):
            erase_area = area * _uniform(scale[0], scale[1])
            aspect = ember.exp(ember.empty(1).uniform_(log_ratio[0].item(), log_ratio[1].item())).item()
            h = int(round(math.sqrt(erase_area * aspect)))
            w = int(round(math.sqrt(erase_area / aspect)))
            if not (h < img_h and w < img_w):
                continue
            v = ember.empty([c, h, w], dtype=ember.float32).normal_() if value is None else \
                ember.tensor(value)[:, None, None]
            return _randint(img_h - h + 1), _randint(img_w - w + 1), h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img):
        if not _coin(self.p):
            return img
        value = self.value
        if isinstance(value, (int, float)):
            value = [float(value)]
        elif isinstance(value, str):
            value = None
        elif isinstance(value, tuple):
            value = list(value)
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError('If value is a sequence, it should have either a single value or '
                             f'{img.shape[-3]} (number of input channels)')
        i, j, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
        return F.erase(img, i, j, h, w, v, self.inplace)

    def __repr__(self):
        return (f'{type(self).__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, value={self.value}, '
                f'inplace={self.inplace})')
