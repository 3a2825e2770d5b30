"""AlexNet (Krizhevsky, "One weird trick for parallelizing convolutional neural networks", 2014 --
the single-tower variant torchvision ships), laid out exactly as torchvision's."""
from functools import partial
from typing import Optional

from ... import flatten, nn
from ._api import Weights, WeightsEnum, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._presets import ImageClassification
from ._utils import _num_classes, _ovewrite_named_param, handle_legacy_interface

__all__ = ['AlexNet', 'AlexNet_Weights', 'alexnet']


class AlexNet(nn.Module):
    """Five convs (11x11/4, 5x5, three 3x3) with three 3x3/2 max pools, ``AdaptiveAvgPool2d((6, 6))``
    and a 4096-4096-num_classes classifier with dropout ``dropout`` before the first two linears.
    The smallest input the pools accept is 63x63. Layers keep PyTorch's default initialisation."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        url='https://download.pytorch.org/models/alexnet-owt-7be5be79.pth',
        transforms=partial(ImageClassification, crop_size=224),
        meta={'num_params': 61100840, 'min_size': (63, 63), 'categories': _IMAGENET_CATEGORIES,
              'num_classes': 1000,
              'recipe': 'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg',
              '_metrics': {'ImageNet-1K': {'acc@1': 56.522, 'acc@5': 79.066}}, '_ops': 0.714,
              '_file_size': 233.087,
              '_docs': 'These weights reproduce closely the results of the paper using a simplified training '
                       'recipe.'})
    DEFAULT = IMAGENET1K_V1


@register_model()
@handle_legacy_interface(weights=('pretrained', AlexNet_Weights.IMAGENET1K_V1))
def alexnet(*, weights: Optional[AlexNet_Weights] = None, progress: bool = True, **kwargs) -> AlexNet:
    """AlexNet from "One weird trick for parallelizing convolutional neural networks"
    (https://arxiv.org/abs/1404.5997).

    Args:
        weights (AlexNet_Weights, optional): pretrained weights (a member, its name such as
            ``'DEFAULT'``, or None). Read from the local cache folder; ember never downloads.
        progress (bool): accepted for compatibility.
        **kwargs: passed to :class:`AlexNet` (``num_classes``, ``dropout``).
    """
    weights = AlexNet_Weights.verify(weights)
    if weights is not None:
        _ovewrite_named_param(kwargs, 'num_classes', _num_classes(weights))
    model = AlexNet(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
