"""Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d."""
import math
import types

from ...ops.creation import empty
from ...ops.padding import pad as _pad
from .. import functional as F, init
from ..parameter import Parameter
from .module import Module

_MODES = ('zeros', 'reflect', 'replicate', 'circular')


def _ntuple(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v,) * n


class _ConvNd(Module):
    transposed = False
    nd = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode='zeros', device=None, dtype=None, output_padding=0):
        super().__init__()
        n = self.nd
        if groups <= 0:
            raise ValueError('groups must be a positive integer')
        if in_channels % groups:
            raise ValueError('in_channels must be divisible by groups')
        if out_channels % groups:
            raise ValueError('out_channels must be divisible by groups')
        if isinstance(padding, str):
            if padding not in ('same', 'valid'):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == 'same' and any(s != 1 for s in _ntuple(stride, n)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _MODES:
            # a set, as PyTorch prints it (its order follows string hashing, so it can differ from PyTorch's)
            raise ValueError(f"padding_mode must be one of {set(_MODES)}, but got padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride, n)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, n)
        self.dilation = _ntuple(dilation, n)
        self.transposed = type(self).transposed
        self.output_padding = _ntuple(output_padding, n)
        self.groups = groups
        self.padding_mode = padding_mode
        if self.transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(empty(*shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = '{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}'
        if self.padding != (0,) * len(self.kernel_size):
            s += ', padding={padding}'
        if self.dilation != (1,) * len(self.dilation):
            s += ', dilation={dilation}'
        if self.output_padding != (0,) * len(self.output_padding):
            s += ', output_padding={output_padding}'
        if self.groups != 1:
            s += ', groups={groups}'
        if self.bias is None:
            s += ', bias=False'
        if self.padding_mode != 'zeros':
            s += ', padding_mode={padding_mode}'
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode='zeros', device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype)
        if isinstance(self.padding, str):
            total = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            self._reversed_padding_repeated_twice = [0, 0] * self.nd
            if self.padding == 'same':
                for i, t in zip(range(self.nd - 1, -1, -1), total):
                    self._reversed_padding_repeated_twice[2 * i] = t // 2
                    self._reversed_padding_repeated_twice[2 * i + 1] = t - t // 2
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(self.padding) for _ in range(2)]

    def forward(self, input):
        fn = getattr(F, f'conv{self.nd}d')
        if self.padding_mode != 'zeros':
            x = _pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return fn(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return fn(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)


class _ConvTranspose(_ConvNd):
    transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None):
        if padding_mode != 'zeros':
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype, output_padding)

    def forward(self, input, output_size=None):
        output_padding = self.output_padding
        if output_size is not None:
            output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size,
                                                  self.nd, self.dilation)
        return getattr(F, f'conv_transpose{self.nd}d')(input, self.weight, self.bias, self.stride, self.padding,
                                                       output_padding, self.groups, self.dilation)

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None):
        """The output_padding that makes the output ``output_size`` (spatial sizes, or with the batch
        and channel sizes in front), with PyTorch's signature and messages."""
        if output_size is None:
            return self.output_padding
        nd = num_spatial_dims
        lead = 2 if input.dim() == nd + 2 else 1
        if len(output_size) == lead + nd:
            output_size = output_size[lead:]
        if len(output_size) != nd:
            raise ValueError(f'ConvTranspose{nd}D: for {input.dim()}D input, output_size must have {nd} or '
                             f'{lead + nd} elements (got {len(output_size)})')
        least = [(input.size(d + lead) - 1) * stride[d] - 2 * padding[d] +
                 (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1 for d in range(nd)]
        most = [least[d] + stride[d] - 1 for d in range(nd)]
        for d in range(nd):
            if not least[d] <= output_size[d] <= most[d]:
                raise ValueError(f'requested an output size of {output_size}, but valid sizes range from {least} '
                                 f'to {most} (for an input of {input.size()[2:]})')
        return [output_size[d] - least[d] for d in range(nd)]


def _named_init(cls):
    """Give ``cls`` its own copy of the inherited __init__, named for it: Python's missing-argument
    TypeErrors then say ``Conv2d.__init__()``, as PyTorch's do."""
    base = cls.__init__
    f = types.FunctionType(base.__code__, base.__globals__, '__init__', base.__defaults__, base.__closure__)
    f.__kwdefaults__, f.__doc__, f.__qualname__ = base.__kwdefaults__, base.__doc__, f'{cls.__name__}.__init__'
    cls.__init__ = f
    return cls


@_named_init
class Conv1d(_Conv):
    nd = 1


@_named_init
class Conv2d(_Conv):
    nd = 2


@_named_init
class Conv3d(_Conv):
    nd = 3


@_named_init
class ConvTranspose1d(_ConvTranspose):
    nd = 1


@_named_init
class ConvTranspose2d(_ConvTranspose):
    nd = 2


@_named_init
class ConvTranspose3d(_ConvTranspose):
    nd = 3
