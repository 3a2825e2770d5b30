"""Linear layers: Identity, Linear, Bilinear (and the functional form ``bilinear``).
LazyLinear is in lazy.py."""
import math

from ...ops.creation import empty
from ...ops.nn_ops import linear
from .. import init
from ..parameter import Parameter
from .module import Module


class Identity(Module):
    """Returns its input unchanged (constructor arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x @ weight.T + bias"""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f'in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}'


class NonDynamicallyQuantizableLinear(Linear):
    pass


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] (+ bias[o]).

    Two matrix products: input1 against the weight flattened to (in1, out * in2), then
    each row's (out, in2) block against input2."""
    from ...amp import autocast_mode as _amp
    if _amp.state.on:  # autocast (ember.amp): the widest input type on CUDA, as given on the CPU
        if _amp.promote('bilinear', (input1, input2, weight, bias)):
            return _amp.call_promote(bilinear, input1, input2, weight, bias)
        if _amp.plain('bilinear', input1):
            return _amp.run_off(bilinear, input1, input2, weight, bias)
    if input1.dim() != input2.dim():
        raise RuntimeError(f'bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}')
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(f'bilinear(): input batch dimensions do not match at dim {i}: got '
                               f'{input1.shape[i]} and {input2.shape[i]}')
    if input1.shape[-1] != weight.size(1):
        raise RuntimeError(f'bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but '
                           f'expected {weight.size(1)}')
    if input2.shape[-1] != weight.size(2):
        raise RuntimeError(f'bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but '
                           f'expected {weight.size(2)}')
    if bias is not None and bias.dim() > 0 and bias.shape[-1] != weight.size(0):
        raise RuntimeError(f'bilinear(): bias size does not match weight size: got {bias.shape[-1]} but '
                           f'expected {weight.size(0)}')
    out, in1, in2 = weight.shape
    lead = tuple(input1.shape[:-1])
    n = math.prod(lead)
    t = input1.reshape(n, in1).matmul(weight.permute(1, 0, 2).reshape(in1, out * in2))
    y = t.view(n, out, in2).matmul(input2.reshape(n, in2, 1)).view(*lead, out)
    return y if bias is None else y + bias


class Bilinear(Module):
    """y = x1^T A x2 + b with weight A of shape (out_features, in1_features, in2_features)."""

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in1_features, in2_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter('bias', None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f'in1_features={self.in1_features}, in2_features={self.in2_features}, '
                f'out_features={self.out_features}, bias={self.bias is not None}')
