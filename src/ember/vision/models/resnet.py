"""ResNet (He et al., "Deep Residual Learning for Image Recognition", 2015), laid out exactly as
torchvision's: same child names (so state_dict keys and checkpoints match), same reprs, same
initialisation, same builder keywords."""
from functools import partial
from typing import Optional

from ... import flatten, nn
from ._api import Weights, WeightsEnum, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._presets import ImageClassification
from ._utils import _num_classes, _ovewrite_named_param, handle_legacy_interface

__all__ = ['ResNet', 'ResNet18_Weights', 'ResNet34_Weights', 'ResNet50_Weights', 'ResNet101_Weights',
           'resnet18', 'resnet34', 'resnet50', 'resnet101']


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution without bias, padded so stride 1 keeps the size."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convs with batch norm; the input (through ``downsample`` if given) is added before
    the last ReLU. Used by ResNet-18/34."""
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError('BasicBlock only supports groups=1 and base_width=64')
        if dilation > 1:
            raise NotImplementedError('Dilation > 1 not supported in BasicBlock')
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (stride, groups, dilation) -> 1x1 (expand x4), each with batch norm,
    plus the shortcut. The stride sits on the 3x3 conv ("ResNet V1.5"). Used by ResNet-50/101."""
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += x if self.downsample is None else self.downsample(x)
        return self.relu(out)


class ResNet(nn.Module):
    """Stem (7x7/2 conv, BN, ReLU, 3x3/2 max pool), four stages of ``block`` (``layers[i]`` blocks
    each, 64/128/256/512 base channels, stages 2-4 start with stride 2), global average pool and a
    linear classifier.

    ``zero_init_residual``: start each block's last BN weight at 0, so blocks begin as identities.
    ``groups``/``width_per_group``: ResNeXt / wide variants (Bottleneck only).
    ``replace_stride_with_dilation``: three bools; dilate stages 2-4 instead of striding.
    ``norm_layer``: the normalisation module class (default ``nn.BatchNorm2d``).
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError('replace_stride_with_dilation should be None or a 3-element tuple, got '
                             f'{replace_stride_with_dilation}')
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(conv1x1(self.inplanes, planes * block.expansion, stride),
                                       norm_layer(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = flatten(self.avgpool(x), 1)
        return self.fc(x)

    def forward(self, x):
        return self._forward_impl(x)


def _resnet(block, layers, weights, progress, **kwargs):
    if weights is not None:
        _ovewrite_named_param(kwargs, 'num_classes', _num_classes(weights))
    model = ResNet(block, layers, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_COMMON_META = {'min_size': (1, 1), 'categories': _IMAGENET_CATEGORIES, 'num_classes': 1000}
_V1_DOCS = 'These weights reproduce closely the results of the paper using a simple training recipe.'
_V2_DOCS = ("These weights improve upon the results of the original paper by using TorchVision's new training "
            'recipe (https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-latest-'
            'primitives/).')
_V1_RECIPE = 'https://github.com/pytorch/vision/tree/main/references/classification#resnet'
_V2_RECIPE = 'https://github.com/pytorch/vision/issues/3995#'


def _entry(file, num_params, acc1, acc5, ops, size, v2=None):
    return Weights(
        url=f'https://download.pytorch.org/models/{file}',
        transforms=partial(ImageClassification, crop_size=224, resize_size=232) if v2
        else partial(ImageClassification, crop_size=224),
        meta={**_COMMON_META, 'num_params': num_params, 'recipe': _V2_RECIPE + v2 if v2 else _V1_RECIPE,
              '_metrics': {'ImageNet-1K': {'acc@1': acc1, 'acc@5': acc5}}, '_ops': ops, '_file_size': size,
              '_docs': _V2_DOCS if v2 else _V1_DOCS})


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('resnet18-f37072fd.pth', 11689512, 69.758, 89.078, 1.814, 44.661)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('resnet34-b627a593.pth', 21797672, 73.314, 91.42, 3.664, 83.275)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('resnet50-0676ba61.pth', 25557032, 76.13, 92.862, 4.089, 97.781)
    IMAGENET1K_V2 = _entry('resnet50-11ad3fa6.pth', 25557032, 80.858, 95.434, 4.089, 97.79,
                           v2='issuecomment-1013906621')
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = _entry('resnet101-63fe2227.pth', 44549160, 77.374, 93.546, 7.801, 170.511)
    IMAGENET1K_V2 = _entry('resnet101-cd907fc2.pth', 44549160, 81.886, 95.78, 7.801, 170.53, v2='new-recipe')
    DEFAULT = IMAGENET1K_V2


_DOC = """{title} from "Deep Residual Learning for Image Recognition" (https://arxiv.org/abs/1512.03385).

    Args:
        weights ({enum}, optional): pretrained weights to load (a member, its name such as
            ``'DEFAULT'``, or None for random initialisation). They are read from the local cache
            folder (``$EMBER_HOME/hub/checkpoints`` or torch's ``~/.cache/torch/hub/checkpoints``);
            ember never downloads: a missing file raises FileNotFoundError with the URL to fetch.
        progress (bool): accepted for compatibility (nothing is downloaded).
        **kwargs: passed to :class:`ResNet` (``num_classes``, ``zero_init_residual``, ``groups``,
            ``width_per_group``, ``replace_stride_with_dilation``, ``norm_layer``).
    """


@register_model()
@handle_legacy_interface(weights=('pretrained', ResNet18_Weights.IMAGENET1K_V1))
def resnet18(*, weights: Optional[ResNet18_Weights] = None, progress: bool = True, **kwargs) -> ResNet:
    weights = ResNet18_Weights.verify(weights)
    return _resnet(BasicBlock, [2, 2, 2, 2], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=('pretrained', ResNet34_Weights.IMAGENET1K_V1))
def resnet34(*, weights: Optional[ResNet34_Weights] = None, progress: bool = True, **kwargs) -> ResNet:
    weights = ResNet34_Weights.verify(weights)
    return _resnet(BasicBlock, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=('pretrained', ResNet50_Weights.IMAGENET1K_V1))
def resnet50(*, weights: Optional[ResNet50_Weights] = None, progress: bool = True, **kwargs) -> ResNet:
    weights = ResNet50_Weights.verify(weights)
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface(weights=('pretrained', ResNet101_Weights.IMAGENET1K_V1))
def resnet101(*, weights: Optional[ResNet101_Weights] = None, progress: bool = True, **kwargs) -> ResNet:
    weights = ResNet101_Weights.verify(weights)
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, **kwargs)


for _fn, _title, _enum in ((resnet18, 'ResNet-18', 'ResNet18_Weights'), (resnet34, 'ResNet-34', 'ResNet34_Weights'),
                           (resnet50, 'ResNet-50', 'ResNet50_Weights'),
                           (resnet101, 'ResNet-101', 'ResNet101_Weights')):
    _fn.__doc__ = _DOC.format(title=_title, enum=_enum)
del _fn, _title, _enum
