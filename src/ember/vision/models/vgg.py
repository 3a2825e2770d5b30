"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
2014), laid out exactly as torchvision's: ``features`` (3x3 convs, optional batch norm, 2x2 max
pools), ``avgpool`` to 7x7, ``classifier`` (4096-4096-num_classes with dropout)."""
from functools import partial
from typing import Optional

from ... import flatten, nn
from ._api import Weights, WeightsEnum, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._presets import ImageClassification
from ._utils import _num_classes, _ovewrite_named_param, handle_legacy_interface

__all__ = ['VGG', 'VGG11_Weights', 'VGG11_BN_Weights', 'VGG13_Weights', 'VGG13_BN_Weights', 'VGG16_Weights',
           'VGG16_BN_Weights', 'VGG19_Weights', 'VGG19_BN_Weights', 'vgg11', 'vgg11_bn', 'vgg13', 'vgg13_bn',
           'vgg16', 'vgg16_bn', 'vgg19', 'vgg19_bn']


class VGG(nn.Module):
    """``features`` (any conv stack ending in 512 channels) -> ``AdaptiveAvgPool2d((7, 7))`` ->
    flatten -> ``classifier``. Inputs must be at least 32x32 for the standard feature stacks
    (five 2x2 max pools); the adaptive pool makes any larger size work.

    ``init_weights``: kaiming-normal (fan_out, relu) convs with zero bias, BN weight 1 / bias 0,
    linear weights N(0, 0.01) with zero bias. ``dropout``: drop probability in the classifier.
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


def make_layers(cfg, batch_norm=False):
    """The ``features`` Sequential for a config list: ints are 3x3 conv widths, 'M' a 2x2 max pool."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == 'M':
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)] if batch_norm else \
                [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    'A': [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    'B': [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
    'D': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
    'E': [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
}


def _vgg(cfg, batch_norm, weights, progress, **kwargs):
    if weights is not None:
        kwargs['init_weights'] = False
        if _num_classes(weights) is not None:
            _ovewrite_named_param(kwargs, 'num_classes', _num_classes(weights))
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_COMMON_META = {'min_size': (32, 32), 'categories': _IMAGENET_CATEGORIES, 'num_classes': 1000,
                'recipe': 'https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg',
                '_docs': 'These weights were trained from scratch by using a simplified training recipe.'}


def _entry(file, num_params, acc1, acc5, ops, size):
    return Weights(url=f'https://download.pytorch.org/models/{file}',
                   transforms=partial(ImageClassification, crop_size=224),
                   meta={**_COMMON_META, 'num_params': num_params,
                         '_metrics': {'ImageNet-1K': {'acc@1': acc1, 'acc@5': acc5}}, '_ops': ops,
                         '_file_size': size})


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg11-8a719046.pth', 132863336, 69.02, 88.628, 7.609, 506.84)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg11_bn-6002323d.pth', 132868840, 70.37, 89.81, 7.609, 506.881)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg13-19584684.pth', 133047848, 69.928, 89.246, 11.308, 507.545)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg13_bn-abd245e5.pth', 133053736, 71.586, 90.374, 11.308, 507.59)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg16-397923af.pth', 138357544, 71.592, 90.382, 15.47, 527.796)
    # Converted from the SSD authors' Caffe weights: a feature extractor (classifier not trained),
    # fed with 0-255 images minus the mean colour.
    IMAGENET1K_FEATURES = Weights(
        url='https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth',
        transforms=partial(ImageClassification, crop_size=224, mean=(0.48235, 0.45882, 0.40784),
                           std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
        meta={**_COMMON_META, 'num_params': 138357544, 'categories': None, 'num_classes': None,
              'recipe': 'https://github.com/amdegroot/ssd.pytorch#training-ssd',
              '_metrics': {'ImageNet-1K': {'acc@1': float('nan'), 'acc@5': float('nan')}}, '_ops': 15.47,
              '_file_size': 527.802,
              '_docs': 'These weights cannot be used for classification: only the features module holds '
                       'trained values; the classifier is kept for compatibility.'})
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg16_bn-6c64b313.pth', 138365992, 73.36, 91.516, 15.47, 527.866)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg19-dcbb9e9d.pth', 143667240, 72.376, 90.876, 19.632, 548.051)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('vgg19_bn-c79401a0.pth', 143678248, 74.218, 91.842, 19.632, 548.143)
    DEFAULT = IMAGENET1K_V1


def _builder(name, cfg, batch_norm, enum, layers):
    """A registered builder ``name(*, weights=None, progress=True, **kwargs)`` for one VGG config."""
    def build(*, weights: Optional[enum] = None, progress: bool = True, **kwargs) -> VGG:
        return _vgg(cfg, batch_norm, enum.verify(weights), progress, **kwargs)
    build.__name__ = build.__qualname__ = name
    build.__doc__ = (
        f"VGG-{layers}{' with batch normalization' if batch_norm else ''} from \"Very Deep Convolutional "
        'Networks for Large-Scale Image Recognition" (https://arxiv.org/abs/1409.1556).\n\n'
        f'    Args:\n        weights ({enum.__name__}, optional): pretrained weights (a member, its name such '
        "as ``'DEFAULT'``, or None).\n            Read from the local cache folder; ember never downloads.\n"
        '        progress (bool): accepted for compatibility.\n'
        '        **kwargs: passed to :class:`VGG` (``num_classes``, ``init_weights``, ``dropout``).\n')
    return register_model()(handle_legacy_interface(weights=('pretrained', enum.IMAGENET1K_V1))(build))


vgg11 = _builder('vgg11', 'A', False, VGG11_Weights, 11)
vgg11_bn = _builder('vgg11_bn', 'A', True, VGG11_BN_Weights, 11)
vgg13 = _builder('vgg13', 'B', False, VGG13_Weights, 13)
vgg13_bn = _builder('vgg13_bn', 'B', True, VGG13_BN_Weights, 13)
vgg16 = _builder('vgg16', 'D', False, VGG16_Weights, 16)
vgg16_bn = _builder('vgg16_bn', 'D', True, VGG16_BN_Weights, 16)
vgg19 = _builder('vgg19', 'E', False, VGG19_Weights, 19)
vgg19_bn = _builder('vgg19_bn', 'E', True, VGG19_BN_Weights, 19)
