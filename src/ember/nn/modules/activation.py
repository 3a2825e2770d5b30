"""Activation layers."""
from .. import functional as F
from .module import Module


class ReLU(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self):
        return 'inplace=True' if self.inplace else ''


class Sigmoid(Module):
    def forward(self, input):
        return input.sigmoid()


class Tanh(Module):
    def forward(self, input):
        return input.tanh()


class Softmax(Module):
    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self):
        return f'dim={self.dim}'


class LogSoftmax(Softmax):
    def __init__(self, dim=None):          # (own __init__s: argument errors name the class)
        super().__init__(dim)

    def forward(self, input):
        return F.log_softmax(input, self.dim)


class _Inplace(Module):
    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def extra_repr(self):
        return 'inplace=True' if self.inplace else ''


def _simple(name, fn_name, doc, inplace, show_inplace=True):
    """An activation layer whose only option is (at most) ``inplace`` (left out of the repr where
    PyTorch's is, ``show_inplace=False``)."""
    if inplace:
        def forward(self, input):
            return getattr(F, fn_name)(input, inplace=self.inplace)
    else:
        def forward(self, input):
            return getattr(F, fn_name)(input)
    body = {'forward': forward, '__doc__': doc, '__module__': __name__}
    if not show_inplace:
        body['extra_repr'] = Module.extra_repr
    return type(name, (_Inplace if inplace else Module,), body)


SELU = _simple('SELU', 'selu', 'scale * elu(x, alpha) with the self-normalising constants', True)
SiLU = _simple('SiLU', 'silu', 'x * sigmoid(x)', True)
Mish = _simple('Mish', 'mish', 'x * tanh(softplus(x))', True)
Hardswish = _simple('Hardswish', 'hardswish', 'x * relu6(x + 3) / 6', True, show_inplace=False)
Hardsigmoid = _simple('Hardsigmoid', 'hardsigmoid', 'relu6(x + 3) / 6', True, show_inplace=False)
LogSigmoid = _simple('LogSigmoid', 'logsigmoid', 'log(sigmoid(x))', False)
Softsign = _simple('Softsign', 'softsign', 'x / (1 + |x|)', False)
Tanhshrink = _simple('Tanhshrink', 'tanhshrink', 'x - tanh(x)', False)


class LeakyReLU(Module):
    def __init__(self, negative_slope=0.01, inplace=False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f'negative_slope={self.negative_slope}' + (', inplace=True' if self.inplace else '')


class ELU(Module):
    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f'alpha={self.alpha}' + (', inplace=True' if self.inplace else '')


class CELU(ELU):
    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class GELU(Module):
    def __init__(self, approximate='none'):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f'approximate={self.approximate!r}'


class Softplus(Module):
    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f'beta={self.beta}, threshold={self.threshold}'


def _renamed(old, new):
    import warnings
    warnings.warn(f'keyword argument `{old}` is deprecated and renamed to `{new}`', FutureWarning, stacklevel=3)


class Hardtanh(Module):
    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None):
        super().__init__()
        if min_value is not None:           # the old spellings still work, with PyTorch's FutureWarning
            _renamed('min_value', 'min_val')
            min_val = min_value
        if max_value is not None:
            _renamed('max_value', 'max_val')
            max_val = max_value
        if max_val <= min_val:
            raise AssertionError(f'max_val ({max_val}) must be greater than min_val ({min_val})')
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f'min_val={self.min_val}, max_val={self.max_val}' + (', inplace=True' if self.inplace else '')


class ReLU6(Hardtanh):
    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return 'inplace=True' if self.inplace else ''


class Threshold(Module):
    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f'threshold={self.threshold}, value={self.value}' + (', inplace=True' if self.inplace else '')


class _Shrink(Module):
    fn = None

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return getattr(F, self.fn)(input, self.lambd)

    def extra_repr(self):
        return f'{self.lambd}'


class Softshrink(_Shrink):
    fn = 'softshrink'

    def __init__(self, lambd=0.5):
        super().__init__(lambd)


class Hardshrink(_Shrink):
    fn = 'hardshrink'

    def __init__(self, lambd=0.5):
        super().__init__(lambd)


class GLU(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f'dim={self.dim}'


class Softmin(Softmax):
    def __init__(self, dim=None):
        super().__init__(dim)

    def forward(self, input):
        return F.softmin(input, self.dim)


class Softmax2d(Module):
    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f'Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead')
        return F.softmax(input, -3)


class PReLU(Module):
    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        from ...ops.creation import empty
        from ..parameter import Parameter
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        from .. import init as _init
        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f'num_parameters={self.num_parameters}'
