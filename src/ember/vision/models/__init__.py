"""ember.vision.models: torchvision's classification models, weights enums and registry.

    from ember.vision import models
    model = models.resnet18()                                  # random initialisation
    model = models.resnet18(weights='DEFAULT')                 # from the local weights cache
    model = models.get_model('mobilenet_v2', num_classes=10)
    models.list_models()                                       # ['alexnet', 'lenet', ...]

Same class names, child-module names (so state_dict keys and torchvision checkpoints match),
reprs, initialisation, keywords and deprecation warnings as torchvision. Pretrained weights are
never downloaded: see ``ember.vision.models._hub`` for where files are looked for.
"""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights, get_weight,  # noqa: F401
                   list_models)
from .alexnet import *  # noqa: F401,F403
from .resnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from .lenet import *  # noqa: F401,F403
from . import mobilenet  # noqa: F401
