"""Pooling layers: MaxPool1d/2d/3d, AvgPool1d/2d/3d, adaptive pools, MaxUnpool1d/2d/3d."""
from .. import functional as F
from .module import Module


class _MaxPoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return getattr(F, f'max_pool{self.nd}d')(input, self.kernel_size, self.stride, self.padding, self.dilation,
                                                 ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, '
                f'dilation={self.dilation}, ceil_mode={self.ceil_mode}')


class MaxPool1d(_MaxPoolNd):
    nd = 1


class MaxPool2d(_MaxPoolNd):
    nd = 2


class MaxPool3d(_MaxPoolNd):
    nd = 3


def _single(v, nd):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


class AvgPool1d(Module):
    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size, 1)
        self.stride = _single(stride if stride is not None else kernel_size, 1)
        self.padding = _single(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self):
        return f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}'


class _AvgPoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return getattr(F, f'avg_pool{self.nd}d')(input, self.kernel_size, self.stride, self.padding,
                                                 self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}'


class AvgPool2d(_AvgPoolNd):
    nd = 2


class AvgPool3d(_AvgPoolNd):
    nd = 3


class _AdaptiveAvgPoolNd(Module):
    nd = 2

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return getattr(F, f'adaptive_avg_pool{self.nd}d')(input, self.output_size)

    def extra_repr(self):
        return f'output_size={self.output_size}'


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    nd = 1


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    nd = 2


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    nd = 3


class _AdaptiveMaxPoolNd(Module):
    nd = 2

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return getattr(F, f'adaptive_max_pool{self.nd}d')(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f'output_size={self.output_size}'


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    nd = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    nd = 2


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    nd = 3


class _MaxUnpoolNd(Module):
    nd = 2

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = _single(kernel_size, self.nd)
        self.stride = _single(stride if stride is not None else kernel_size, self.nd)
        self.padding = _single(padding, self.nd)

    def forward(self, input, indices, output_size=None):
        return getattr(F, f'max_unpool{self.nd}d')(input, indices, self.kernel_size, self.stride, self.padding,
                                                   output_size)

    def extra_repr(self):
        return f'kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}'


class MaxUnpool1d(_MaxUnpoolNd):
    nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    nd = 3
