"""ember.vision.transforms: torchvision.transforms (v1) on PIL Images and ember tensor images.

``transforms.functional`` holds the stateless operations; the classes here wrap them."""
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _core
from .augment import *  # noqa: F401,F403
from .augment import __all__ as _augment
from .geometry import *  # noqa: F401,F403
from .geometry import __all__ as _geometry
from .autoaugment import *  # noqa: F401,F403
from .autoaugment import __all__ as _autoaugment
from . import functional  # noqa: F401
from .functional import InterpolationMode  # noqa: F401

__all__ = list(_core) + list(_augment) + list(_geometry) + list(_autoaugment)
