"""ember.vision.utils: ``make_grid`` (tile a batch of images into one image) and ``save_image``
(write it as a PNG/JPEG...), with torchvision's layout and rounding."""
import math

import ember

__all__ = ['make_grid', 'save_image']


@ember.no_grad()
def make_grid(tensor, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False, pad_value=0.0):
    """Tile images ``(B, C, H, W)`` (or a list of ``(C, H, W)``) into one ``(C, H', W')`` image.

    ``nrow`` images per row; the grid is ``min(nrow, B)`` wide and ``ceil(B / nrow)`` high, each
    cell ``H + padding`` by ``W + padding`` plus one more ``padding`` border, filled with
    ``pad_value``. One-channel images become three-channel. ``normalize`` shifts values to [0, 1]
    using ``value_range`` (default: the min and max of the batch, or of each image with
    ``scale_each``). A single image is returned without padding.
    """
    if not ember.is_tensor(tensor):
        if isinstance(tensor, list):
            for t in tensor:
                if not ember.is_tensor(t):
                    raise TypeError(f'tensor or list of tensors expected, got a list containing {type(t)}')
        else:
            raise TypeError(f'tensor or list of tensors expected, got {type(tensor)}')
    if isinstance(tensor, list):
        tensor = ember.stack(tensor, dim=0)
    if tensor.dim() == 2:
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 3:
        if tensor.size(0) == 1:
            tensor = ember.cat((tensor, tensor, tensor), 0)
        tensor = tensor.unsqueeze(0)
    if tensor.dim() == 4 and tensor.size(1) == 1:
        tensor = ember.cat((tensor, tensor, tensor), 1)
    if normalize is True:
        tensor = tensor.clone()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError('value_range has to be a tuple (min, max) if specified. min and max are numbers')

        def norm_ip(img, low, high):
            img.clamp_(min=low, max=high)
            img.sub_(low).div_(max(high - low, 1e-5))

        def norm_range(t):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each is True:
            for t in tensor:
                norm_range(t)
        else:
            norm_range(tensor)
    if tensor.size(0) == 1:
        return tensor.squeeze(0)
    nmaps = tensor.size(0)
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(tensor.size(2) + padding), int(tensor.size(3) + padding)
    grid = tensor.new_full((tensor.size(1), height * ymaps + padding, width * xmaps + padding), pad_value)
    for k in range(nmaps):
        y, x = divmod(k, xmaps)
        grid.narrow(1, y * height + padding, height - padding) \
            .narrow(2, x * width + padding, width - padding).copy_(tensor[k])
    return grid


@ember.no_grad()
def save_image(tensor, fp, format=None, **kwargs):
    """Save a tensor (or batch / list, tiled by ``make_grid(**kwargs)``) as an image file.

    Values in [0, 1] are mapped to 0..255 with rounding to nearest. Written by Pillow, or by
    matplotlib's ``imsave`` when Pillow is missing.
    """
    grid = make_grid(tensor, **kwargs)
    arr = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to('cpu', ember.uint8).numpy()
    Image = _pillow()
    if Image is not None:
        Image.fromarray(arr).save(fp, format=format)
        return
    try:
        import matplotlib.image as mpimg
    except ImportError as e:
        raise ImportError("save_image needs Pillow or matplotlib: pip install 'ember[vision]'") from e
    mpimg.imsave(fp, arr, format=format)


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        return None
    return Image
