"""The transform classes of ``torchvision.transforms`` (v1), on PIL Images and ember tensors.

Random transforms make torchvision's draws in torchvision's order: from ember's global generator
(``ember.rand``, ``ember.randint``, ``uniform_``), so the same ``manual_seed`` gives the same crops,
flips and jitters as under PyTorch, except RandomOrder and RandomChoice, which (as torchvision)
draw from Python's ``random`` module. Transforms that
are ``nn.Module`` subclasses in torchvision are ``ember.nn.Module`` subclasses here, with
the same reprs."""
import math
import numbers
import random
import warnings
from collections.abc import Sequence

import ember
from ember.nn import Module
from . import functional as F
from .functional import InterpolationMode, _interp

__all__ = ['Compose', 'ToTensor', 'PILToTensor', 'ConvertImageDtype', 'ToPILImage', 'Normalize', 'Resize',
           'CenterCrop', 'Pad', 'Lambda', 'RandomApply', 'RandomChoice', 'RandomOrder', 'RandomCrop',
           'RandomHorizontalFlip', 'RandomVerticalFlip', 'RandomResizedCrop', 'FiveCrop', 'TenCrop',
           'InterpolationMode']


def _list_repr(name, items, head=''):
    body = head + ''.join(f'\n    {t}' for t in items)
    return f'{name}({body}\n)'


def _setup_size(size, error_msg):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


_SIZE_MSG = 'Please provide only two dimensions (h, w) for size.'


def _uniform(lo, hi):
    return ember.empty(1).uniform_(lo, hi).item()


def _randint(high):
    return ember.randint(0, high, size=(1,)).item()


def _coin(p, item=False):
    """torchvision's ``torch.rand(1) < p`` (a float32 comparison), or with ``item`` its
    ``torch.rand(1).item() < p`` (a float64 one)."""
    u = ember.rand(1)
    return u.item() < p if item else bool(u < p)


class Compose:
    """Apply ``transforms`` one after the other."""

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _list_repr(type(self).__name__, self.transforms)


class ToTensor:
    """PIL Image / HxWxC ndarray -> float C x H x W tensor in [0, 1] (uint8 input is divided by 255)."""

    def __init__(self):
        pass

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f'{type(self).__name__}()'


class PILToTensor:
    """PIL Image -> C x H x W tensor with the image's own dtype and values."""

    def __init__(self):
        pass

    def __call__(self, pic):
        return F.pil_to_tensor(pic)

    def __repr__(self):
        return f'{type(self).__name__}()'


class ConvertImageDtype(Module):
    """Convert a tensor image to ``dtype``, rescaling values (uint8 255 <-> float 1.0)."""

    def __init__(self, dtype):
        super().__init__()
        self.dtype = dtype

    def forward(self, image):
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """C x H x W tensor or H x W x C ndarray -> PIL Image (needs Pillow)."""

    def __init__(self, mode=None):
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self):
        return f'{type(self).__name__}(' + (f'mode={self.mode}' if self.mode is not None else '') + ')'


class Normalize(Module):
    """``(x - mean[c]) / std[c]`` per channel of a float tensor image."""

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean, self.std, self.inplace = mean, std, inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f'{type(self).__name__}(mean={self.mean}, std={self.std})'


class Resize(Module):
    """Resize: an int matches the smaller edge (aspect kept), a pair is (h, w)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
        super().__init__()
        if not isinstance(size, (int, Sequence)):
            raise TypeError(f'Size should be int or sequence. Got {type(size)}')
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError('If size is a sequence, it should have 1 or 2 values')
        self.size, self.max_size, self.antialias = size, max_size, antialias
        self.interpolation = _interp(interpolation, strict=False)

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f'{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, '
                f'max_size={self.max_size}, antialias={self.antialias})')


class CenterCrop(Module):
    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, _SIZE_MSG)

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f'{type(self).__name__}(size={self.size})'


class Pad(Module):
    """Pad all sides: int, (left/right, top/bottom) or (left, top, right, bottom)."""

    def __init__(self, padding, fill=0, padding_mode='constant'):
        super().__init__()
        if not isinstance(padding, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate padding arg')
        if not isinstance(fill, (numbers.Number, tuple, list)):
            raise TypeError('Got inappropriate fill arg')
        if padding_mode not in ('constant', 'edge', 'reflect', 'symmetric'):
            raise ValueError('Padding mode should be either constant, edge, reflect or symmetric')
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError('Padding must be an int or a 1, 2, or 4 element tuple, not a '
                             f'{len(padding)} element tuple')
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode

    def forward(self, img):
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self):
        return f'{type(self).__name__}(padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode})'


class Lambda:
    """Wrap a user function as a transform."""

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f'Argument lambd should be callable, got {repr(type(lambd).__name__)}')
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f'{type(self).__name__}()'


class RandomTransforms:
    def __init__(self, transforms):
        if not isinstance(transforms, Sequence):
            raise TypeError('Argument transforms should be a sequence')
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError()

    def __repr__(self):
        return _list_repr(type(self).__name__, self.transforms)


class RandomApply(Module):
    """Apply all of ``transforms`` with probability ``p``."""

    def __init__(self, transforms, p=0.5):
        super().__init__()
        self.transforms, self.p = transforms, p

    def forward(self, img):
        if bool(self.p < ember.rand(1)):
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        return _list_repr(type(self).__name__, self.transforms, head=f'\n    p={self.p}')


class RandomOrder(RandomTransforms):
    """Apply ``transforms`` in a random order (drawn, as torchvision, by Python's ``random.shuffle``)."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        for i in order:
            img = self.transforms[i](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one of ``transforms``, picked with weights ``p`` (uniform when None)."""

    def __init__(self, transforms, p=None):
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError('Argument p should be a sequence')
        self.p = p

    def __call__(self, *args):
        t = random.choices(self.transforms, weights=self.p)[0]      # Python's random, as torchvision
        return t(*args)

    def __repr__(self):
        return f'{super().__repr__()}(p={self.p})'


class RandomCrop(Module):
    """Crop at a random place, after optional padding (``pad_if_needed`` pads small images up)."""

    @staticmethod
    def get_params(img, output_size):
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f'Required crop size {(th, tw)} is larger than input image size {(h, w)}')
        if w == tw and h == th:
            return 0, 0, h, w
        return _randint(h - th + 1), _randint(w - tw + 1), th, tw

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0, padding_mode='constant'):
        super().__init__()
        self.size = tuple(_setup_size(size, _SIZE_MSG))
        self.padding, self.pad_if_needed, self.fill, self.padding_mode = padding, pad_if_needed, fill, padding_mode

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f'{type(self).__name__}(size={self.size}, padding={self.padding})'


class _RandomP(Module):
    _item = False           # torchvision compares rand(1).item() (True) or the tensor rand(1) with p

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        return self._apply_to(img) if _coin(self.p, self._item) else img

    def __repr__(self):
        return f'{type(self).__name__}(p={self.p})'


class RandomHorizontalFlip(_RandomP):
    def _apply_to(self, img):
        return F.hflip(img)


class RandomVerticalFlip(_RandomP):
    def _apply_to(self, img):
        return F.vflip(img)


class RandomResizedCrop(Module):
    """Crop a random area (``scale`` of the image) with a random aspect ratio, then resize to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
        super().__init__()
        self.size = _setup_size(size, _SIZE_MSG)
        if not isinstance(scale, Sequence):
            raise TypeError('Scale should be a sequence')
        if not isinstance(ratio, Sequence):
            raise TypeError('Ratio should be a sequence')
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn('Scale and ratio should be of kind (min, max)')
        self.interpolation = _interp(interpolation, strict=False)
        self.antialias, self.scale, self.ratio = antialias, scale, ratio

    @staticmethod
    def get_params(img, scale, ratio):
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = ember.log(ember.tensor(ratio))
        for _ in range(10):
            target_area = area * _uniform(scale[0], scale[1])
            aspect = ember.exp(ember.empty(1).uniform_(log_ratio[0].item(), log_ratio[1].item())).item()
            w = int(round(math.sqrt(target_area * aspect)))
            h = int(round(math.sqrt(target_area / aspect)))
            if 0 < w <= width and 0 < h <= height:
                return _randint(height - h + 1), _randint(width - w + 1), h, w
        in_ratio = float(width) / float(height)           # fall back to a central crop
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, antialias=self.antialias)

    def __repr__(self):
        return (f'{type(self).__name__}(size={self.size}, scale={tuple(round(s, 4) for s in self.scale)}, '
                f'ratio={tuple(round(r, 4) for r in self.ratio)}, interpolation={self.interpolation.value}, '
                f'antialias={self.antialias})')


class FiveCrop(Module):
    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, _SIZE_MSG)

    def forward(self, img):
        return F.five_crop(img, self.size)

    def __repr__(self):
        return f'{type(self).__name__}(size={self.size})'


class TenCrop(FiveCrop):
    def __init__(self, size, vertical_flip=False):
        super().__init__(size)
        self.vertical_flip = vertical_flip

    def forward(self, img):
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self):
        return f'{type(self).__name__}(size={self.size}, vertical_flip={self.vertical_flip})'
