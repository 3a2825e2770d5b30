"""ember.vision: torchvision's layout (models, datasets, transforms, utils) on ember."""
from . import datasets, models, transforms, utils

__version__ = '0.1.0'
