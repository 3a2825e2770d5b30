"""LeNet-5 (LeCun et al., "Gradient-based learning applied to document recognition", 1998) in its
common modern form. torchvision has no LeNet; this one is ember's own.

Layout (state_dict keys ``features.0.weight``, ``features.3.weight``, ``classifier.0.weight``,
``classifier.2.weight``, ``classifier.4.weight`` and their biases)::

    features:   Conv2d(in_channels, 6, 5) -> ReLU -> MaxPool2d(2)
                -> Conv2d(6, 16, 5) -> ReLU -> MaxPool2d(2)
    avgpool:    AdaptiveAvgPool2d((5, 5))
    classifier: Linear(16*5*5, 120) -> ReLU -> Linear(120, 84) -> ReLU -> Linear(84, num_classes)

Input size: the convolutions are unpadded, as in the original, so a 32x32 image reaches the
classifier as 16x5x5 and the adaptive pool does nothing. Any other size of at least 16x16 also
works: the adaptive pool brings the feature map to 5x5 (28x28 MNIST digits give 4x4 maps, pooled
into 5x5 with overlapping windows). Pad MNIST to 32x32 instead to get the textbook network.
"""
from typing import Optional

from ... import flatten, nn
from ._api import register_model
from ._utils import kwonly_to_pos_or_kw

__all__ = ['LeNet', 'lenet']


class LeNet(nn.Module):
    """LeNet-5 with ReLU and max pooling (see the module docstring for the layout and input sizes).

    Args:
        num_classes (int): outputs of the last layer (default 10, for digits).
        in_channels (int): image channels (default 1, greyscale).
    """

    def __init__(self, num_classes=10, in_channels=1):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=2),
            nn.Conv2d(6, 16, kernel_size=5), nn.ReLU(inplace=True), nn.MaxPool2d(kernel_size=2))
        self.avgpool = nn.AdaptiveAvgPool2d((5, 5))
        self.classifier = nn.Sequential(
            nn.Linear(16 * 5 * 5, 120), nn.ReLU(inplace=True),
            nn.Linear(120, 84), nn.ReLU(inplace=True),
            nn.Linear(84, num_classes))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(flatten(x, 1))


@register_model()
@kwonly_to_pos_or_kw
def lenet(*, weights: Optional[None] = None, progress: bool = True, **kwargs) -> LeNet:
    """A :class:`LeNet` (``num_classes=10``, ``in_channels=1`` unless given). No pretrained weights
    exist: ``weights`` must be None (``pretrained=True`` raises ValueError)."""
    pretrained = kwargs.pop('pretrained', False)
    if weights is not None or pretrained:
        raise ValueError('No weights available for model lenet')
    return LeNet(**kwargs)
