"""nn.utils.convert_conv2d_weight_memory_format / convert_conv3d_weight_memory_format: re-lay out
the weights of every (transposed) convolution in a module tree, e.g. to channels_last."""

__all__ = ['convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format']


def _convert(module, memory_format, kinds):
    if isinstance(module, kinds):
        # the same Parameter object keeps its identity; only its data changes layout
        module.weight.data = module.weight.detach().clone().contiguous(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, kinds)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Give each Conv2d/ConvTranspose2d weight in ``module`` the ``memory_format`` layout; returns ``module``."""
    from ..modules.conv import Conv2d, ConvTranspose2d
    return _convert(module, memory_format, (Conv2d, ConvTranspose2d))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Give each Conv3d/ConvTranspose3d weight in ``module`` the ``memory_format`` layout; returns ``module``."""
    from ..modules.conv import Conv3d, ConvTranspose3d
    return _convert(module, memory_format, (Conv3d, ConvTranspose3d))
