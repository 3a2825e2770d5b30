"""``InterpolationMode`` and its mapping to Pillow's resampling constants (shared by the
functional modules and the transform classes)."""
from enum import Enum


class InterpolationMode(Enum):
    """Interpolation modes; the PIL-only ones (box, hamming, lanczos) are not available on tensors."""
    NEAREST = 'nearest'
    NEAREST_EXACT = 'nearest-exact'
    BILINEAR = 'bilinear'
    BICUBIC = 'bicubic'
    BOX = 'box'
    HAMMING = 'hamming'
    LANCZOS = 'lanczos'


_FROM_PIL_INT = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                 4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}
pil_modes_mapping = {InterpolationMode.NEAREST: 0, InterpolationMode.BILINEAR: 2, InterpolationMode.BICUBIC: 3,
                     InterpolationMode.NEAREST_EXACT: 0, InterpolationMode.BOX: 4,
                     InterpolationMode.HAMMING: 5, InterpolationMode.LANCZOS: 1}


def _interpolation_modes_from_int(i):
    return _FROM_PIL_INT[i]


def _interp(interpolation, strict=True):
    """A Pillow integer constant becomes its InterpolationMode. The functional ops (``strict``)
    refuse anything else that is not an InterpolationMode, strings included; the transform
    classes store it as given, so the functional op refuses it when the transform is called."""
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if strict and not isinstance(interpolation, InterpolationMode):
        raise TypeError('Argument interpolation should be a InterpolationMode or a corresponding Pillow integer '
                        'constant')
    return interpolation
