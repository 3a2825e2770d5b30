"""The evaluation preprocessing that weights entries carry (``weights.transforms()``)."""
from ... import nn
from ..._dtype import float32

__all__ = ['ImageClassification']


def _functional():
    from ..transforms import functional
    return functional


class ImageClassification(nn.Module):
    """Resize the shorter side to ``resize_size``, centre-crop ``crop_size``, scale to [0, 1] floats
    and normalise with ``mean``/``std`` -- what the ImageNet classifiers were evaluated with.

    Takes a PIL image or an image tensor (``(..., C, H, W)``, uint8 or float) and returns a float
    tensor; add the batch dimension with ``.unsqueeze(0)``. ``interpolation`` defaults to
    ``InterpolationMode.BILINEAR`` (from ``ember.vision.transforms``).
    """

    def __init__(self, *, crop_size, resize_size=256, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225),
                 interpolation=None, antialias=True):
        super().__init__()
        if interpolation is None:
            interpolation = _functional().InterpolationMode.BILINEAR
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def forward(self, img):
        from ..._tensor import Tensor
        F = _functional()
        img = F.resize(img, self.resize_size, interpolation=self.interpolation, antialias=self.antialias)
        img = F.center_crop(img, self.crop_size)
        if not isinstance(img, Tensor):
            img = F.pil_to_tensor(img)
        img = F.convert_image_dtype(img, float32)
        return F.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self):
        lines = [f'crop_size={self.crop_size}', f'resize_size={self.resize_size}', f'mean={self.mean}',
                 f'std={self.std}', f'interpolation={self.interpolation}']
        return self.__class__.__name__ + '(' + ''.join('\n    ' + s for s in lines) + '\n)'

    def describe(self):
        return ('Accepts ``PIL.Image``, batched ``(B, C, H, W)`` and single ``(C, H, W)`` image ``torch.Tensor`` '
                f'objects. The images are resized to ``resize_size={self.resize_size}`` using '
                f'``interpolation={self.interpolation}``, followed by a central crop of '
                f'``crop_size={self.crop_size}``. Finally the values are first rescaled to ``[0.0, 1.0]`` and then '
                f'normalized using ``mean={self.mean}`` and ``std={self.std}``.')
