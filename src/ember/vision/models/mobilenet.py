"""torchvision's ``models.mobilenet`` module: re-exports the MobileNet family ember has."""
from .mobilenetv2 import *  # noqa: F401,F403
from .mobilenetv2 import __all__ as _v2_all

__all__ = list(_v2_all)
