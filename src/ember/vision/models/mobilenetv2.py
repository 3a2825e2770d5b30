"""MobileNetV2 (Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks", 2018),
laid out exactly as torchvision's, so ``features.0.0.weight``, ``features.1.conv.0.0.weight``,
``classifier.1.bias``, ... name the same tensors as torchvision's checkpoints."""
from functools import partial
from typing import Optional

from ... import flatten, nn
from ...nn import functional as F
from ._api import Weights, WeightsEnum, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._presets import ImageClassification
from ._utils import Conv2dNormActivation, _make_divisible, _num_classes, _ovewrite_named_param, \
    handle_legacy_interface

__all__ = ['MobileNetV2', 'MobileNet_V2_Weights', 'mobilenet_v2']


class InvertedResidual(nn.Module):
    """1x1 expansion (skipped when ``expand_ratio`` is 1) -> 3x3 depthwise (``stride``) -> 1x1 linear
    projection, all in ``self.conv``; the input is added back when stride is 1 and the channel
    counts agree."""

    def __init__(self, inp, oup, stride, expand_ratio, norm_layer=None):
        super().__init__()
        self.stride = stride
        if stride not in [1, 2]:
            raise ValueError(f'stride should be 1 or 2 instead of {stride}')
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1, norm_layer=norm_layer,
                                               activation_layer=nn.ReLU6))
        layers += [
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim, norm_layer=norm_layer,
                                 activation_layer=nn.ReLU6),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup
        self._is_cn = stride > 1

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)


class MobileNetV2(nn.Module):
    """A 3x3/2 stem, the inverted-residual stages of ``inverted_residual_setting`` (rows of
    expansion t, channels c, repeats n, first stride s), a 1x1 conv to ``last_channel`` (1280),
    global average pool, dropout and a linear classifier.

    ``width_mult`` scales every channel count (rounded to a multiple of ``round_nearest``);
    ``block`` and ``norm_layer`` replace the block / normalisation classes.
    """

    def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None, round_nearest=8,
                 block=None, norm_layer=None, dropout=0.2):
        super().__init__()
        if block is None:
            block = InvertedResidual
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        input_channel = 32
        last_channel = 1280
        if inverted_residual_setting is None:
            inverted_residual_setting = [
                # t, c, n, s
                [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2],
                [6, 320, 1, 1],
            ]
        if len(inverted_residual_setting) == 0 or len(inverted_residual_setting[0]) != 4:
            raise ValueError('inverted_residual_setting should be non-empty or a 4-element list, got '
                             f'{inverted_residual_setting}')
        input_channel = _make_divisible(input_channel * width_mult, round_nearest)
        self.last_channel = _make_divisible(last_channel * max(1.0, width_mult), round_nearest)
        features = [Conv2dNormActivation(3, input_channel, stride=2, norm_layer=norm_layer,
                                         activation_layer=nn.ReLU6)]
        for t, c, n, s in inverted_residual_setting:
            output_channel = _make_divisible(c * width_mult, round_nearest)
            for i in range(n):
                features.append(block(input_channel, output_channel, s if i == 0 else 1, expand_ratio=t,
                                      norm_layer=norm_layer))
                input_channel = output_channel
        features.append(Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1,
                                             norm_layer=norm_layer, activation_layer=nn.ReLU6))
        self.features = nn.Sequential(*features)
        self.classifier = nn.Sequential(nn.Dropout(p=dropout), nn.Linear(self.last_channel, num_classes))

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out')
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def _forward_impl(self, x):
        x = F.adaptive_avg_pool2d(self.features(x), (1, 1))
        return self.classifier(flatten(x, 1))

    def forward(self, x):
        return self._forward_impl(x)


_COMMON_META = {'num_params': 3504872, 'min_size': (1, 1), 'categories': _IMAGENET_CATEGORIES, 'num_classes': 1000}


class MobileNet_V2_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        url='https://download.pytorch.org/models/mobilenet_v2-b0353104.pth',
        transforms=partial(ImageClassification, crop_size=224),
        meta={**_COMMON_META, 'recipe': 'https://github.com/pytorch/vision/tree/main/references/classification'
                                        '#mobilenetv2',
              '_metrics': {'ImageNet-1K': {'acc@1': 71.878, 'acc@5': 90.286}}, '_ops': 0.301, '_file_size': 13.555,
              '_docs': 'These weights reproduce closely the results of the paper using a simple training recipe.'})
    IMAGENET1K_V2 = Weights(
        url='https://download.pytorch.org/models/mobilenet_v2-7ebf99e0.pth',
        transforms=partial(ImageClassification, crop_size=224, resize_size=232),
        meta={**_COMMON_META, 'recipe': 'https://github.com/pytorch/vision/issues/3995#new-recipe-with-reg-tuning',
              '_metrics': {'ImageNet-1K': {'acc@1': 72.154, 'acc@5': 90.822}}, '_ops': 0.301, '_file_size': 13.598,
              '_docs': "These weights improve upon the results of the original paper by using a modified version of "
                       "TorchVision's new training recipe."})
    DEFAULT = IMAGENET1K_V2


@register_model()
@handle_legacy_interface(weights=('pretrained', MobileNet_V2_Weights.IMAGENET1K_V1))
def mobilenet_v2(*, weights: Optional[MobileNet_V2_Weights] = None, progress: bool = True,
                 **kwargs) -> MobileNetV2:
    """MobileNetV2 from "MobileNetV2: Inverted Residuals and Linear Bottlenecks"
    (https://arxiv.org/abs/1801.04381).

    Args:
        weights (MobileNet_V2_Weights, optional): pretrained weights (a member, its name such as
            ``'DEFAULT'``, or None). Read from the local cache folder; ember never downloads.
        progress (bool): accepted for compatibility.
        **kwargs: passed to :class:`MobileNetV2` (``num_classes``, ``width_mult``,
            ``inverted_residual_setting``, ``round_nearest``, ``block``, ``norm_layer``, ``dropout``).
    """
    weights = MobileNet_V2_Weights.verify(weights)
    if weights is not None:
        _ovewrite_named_param(kwargs, 'num_classes', _num_classes(weights))
    model = MobileNetV2(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
