"""FractionalMaxPool2d / FractionalMaxPool3d: max pooling over pseudo-randomly placed windows
(see ops/pooling_fractional.py); fresh window offsets are drawn for every call unless
``_random_samples`` fixes them."""
from .module import Module
from ...ops.pooling_fractional import fractional_max_pool2d, fractional_max_pool3d


class _FractionalMaxPoolNd(Module):
    _d = 2

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        d, name = self._d, type(self).__name__
        self.kernel_size = kernel_size
        self.return_indices = return_indices
        self.register_buffer('_random_samples', _random_samples)
        self.output_size = output_size
        self.output_ratio = None
        if output_ratio is not None:
            self.output_ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * d
        if output_size is None and output_ratio is None:
            raise ValueError(f'{name} requires specifying either an output size, or a pooling ratio')
        if output_size is not None and output_ratio is not None:
            raise ValueError('only one of output_size and output_ratio may be specified')
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f'output_ratio must be between 0 and 1 (got {output_ratio})')

    def forward(self, input):
        pool = fractional_max_pool2d if self._d == 2 else fractional_max_pool3d
        return pool(input, self.kernel_size, self.output_size, self.output_ratio, self.return_indices,
                    _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    _d = 2


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    _d = 3
