"""Convolutions (1-, 2-, 3-d, plain and transposed) as three ops closed under differentiation.

A convolution y = conv(x, w) is bilinear, so its gradients are convolutions too:
    d/dx: conv_input(g, w)   -- the transposed convolution
    d/dw: conv_weight(x, g)
and the gradients of those are again one of the three. ``ConvolutionBackward0`` (PyTorch's
name for both conv and conv_transpose nodes) covers conv and transposed conv; ``ConvWeight``
is the weight gradient, needed only when a graph of the backward is built. Kernels live in
``_backend/im2col.py``."""
import math

from .. import _dtype
from .._tensor import _scalar_name
from .._backend import im2col as K
from ._op import Op, apply
from ..amp import autocast_mode as _amp  # autocast hook


class ConvolutionBackward0(Op):
    """conv (transposed=False) or transposed conv of x with w, plus bias."""
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}
    _free = ('kept',)

    def forward(self, x, w, b, *, stride, pads, dil, groups, transposed, out_shape=None):
        self.args = (stride, pads, dil, groups)
        self.transposed = transposed
        self.x_shape, self.w_shape = x.shape, w.shape
        if transposed:         # x zero-extended when output_padding >= stride makes the conv of y longer
            x = _extend(x, K.out_size(out_shape[2:], w.shape[2:], stride, pads, dil))
            y = K.conv_input(x, w, out_shape, stride, pads, dil, groups)
        else:
            self.kept = {}                 # x's padded layout, reused by the weight gradient
            y = K.conv(x, w, stride, pads, dil, groups, keep=self.kept)
            if out_shape is not None:      # the gradient of such an extended x: cropped
                y = _crop(y, out_shape[2:])
        if b is not None:
            y += b.reshape((1, -1) + (1,) * (y.ndim - 2))
        return y if y.dtype == x.dtype else y.astype(x.dtype)      # bfloat16: products in float32

    def backward(self, g):
        x, w = self.saved_tensors
        need_x, need_w, need_b = (e[0] is not None for e in self._next)
        gx = gw = gb = None
        if self.transposed:      # y = conv_input(x, w): x plays the part of the output gradient
            if need_x:
                gx = apply(ConvolutionBackward0, g, w, None, **_kw(self.args, False, self.x_shape))
            if need_w:
                gw = apply(ConvWeight, g, x, kshape=self.w_shape[2:], **_kw(self.args))
        else:
            if need_x:
                gx = apply(ConvolutionBackward0, g, w, None, **_kw(self.args, True, self.x_shape))
            if need_w:
                gw = apply(ConvWeight, x, g, kshape=self.w_shape[2:], kept=getattr(self, 'kept', None),
                           **_kw(self.args))
        if need_b:
            gb = g.sum([0] + list(range(2, g.ndim)))
        return gx, gw, gb


class ConvWeight(Op):
    """The weight gradient of conv(x, w) for output gradient g (bilinear in x and g)."""
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def name(self):
        return 'ConvolutionBackwardBackward0'

    def forward(self, x, g, *, kshape, stride, pads, dil, groups, kept=None):
        self.args = (stride, pads, dil, groups)
        self.x_shape, self.g_shape = x.shape, g.shape
        g = _extend(g, K.out_size(x.shape[2:], kshape, stride, pads, dil))
        gw = K.conv_weight(x, g, kshape, stride, pads, dil, groups, kept=kept)
        return gw if gw.dtype == x.dtype else gw.astype(x.dtype)

    def backward(self, v):
        x, g = self.saved_tensors
        gx = gg = None
        if self._next[0][0] is not None:
            gx = apply(ConvolutionBackward0, g, v, None, **_kw(self.args, True, self.x_shape))
        if self._next[1][0] is not None:
            gg = apply(ConvolutionBackward0, x, v, None, **_kw(self.args, False, self.g_shape))
        return gx, gg


def _extend(a, size):
    """a (N, C, *S) with zeros appended to reach the spatial ``size`` (a itself when it has it)."""
    extra = [s - n for s, n in zip(size, a.shape[2:])]
    if not any(e > 0 for e in extra):
        return a
    return K._xp(a).pad(a, [(0, 0), (0, 0)] + [(0, max(e, 0)) for e in extra])


def _crop(a, size):
    if tuple(a.shape[2:]) == tuple(size):
        return a
    return K._xp(a).ascontiguousarray(a[(Ellipsis,) + tuple(slice(0, s) for s in size)])


def _kw(args, transposed=None, out_shape=None):
    stride, pads, dil, groups = args
    kw = dict(stride=stride, pads=pads, dil=dil, groups=groups)
    if transposed is not None:
        kw.update(transposed=transposed, out_shape=out_shape)
    return kw


# ------------------------------------------------------------------ argument checks

def _tuple(v, nd, name):
    if isinstance(v, int):
        return (v,) * nd
    v = tuple(int(i) for i in v)
    if len(v) == 1 and nd > 1:
        return v * nd
    return v


def _check_len(v, nd, name):
    if len(v) != nd:
        raise RuntimeError(f'expected {name} to be a single integer value or a list of {nd} values to match '
                           f'the convolution dimensions, but got {name}={list(v)}')


def _shape(t):
    return '[' + ', '.join(str(s) for s in t.shape) + ']'


_CPP = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
        'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
        'bool': 'bool'}


def _cpp_name(dtype):
    """The C++ type name PyTorch's convolution messages print for a dtype."""
    name = str(dtype).split('.')[-1]
    return _CPP.get(name, name)


def _check_common(fname, input, weight, bias, nd, stride, padding, dil, groups, n_out):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f'Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, but got '
                           f'input of size: {_shape(input)}')
    wd = weight.ndim - 2
    for v, name in ((stride, 'stride'), (padding, 'padding'), (dil, 'dilation')):
        if not isinstance(v, str):
            _check_len(v, wd, name)
    if any(s <= 0 for s in stride):
        raise RuntimeError('non-positive stride is not supported')
    if not isinstance(padding, str) and any(p < 0 for p in padding):
        raise RuntimeError('negative padding is not supported')
    if any(d <= 0 for d in dil):
        raise RuntimeError('dilation should be greater than zero' + ('' if min(dil) < 0 else _dilation_got(fname, dil)))
    if groups <= 0:
        raise RuntimeError('non-positive groups is not supported')
    if bias is not None and input.dtype != bias.dtype and 'transpose' not in fname:
        raise RuntimeError(f'Input type ({_cpp_name(input.dtype)}) and bias type ({_cpp_name(bias.dtype)}) '
                           'should be the same')
    if input.dtype != weight.dtype:
        raise RuntimeError(f'expected scalar type {_scalar_name(input.dtype)} but found '
                           f'{_scalar_name(weight.dtype)}')
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != n_out):
        raise RuntimeError(f'Given weight of size {_shape(weight)}, expected bias to be 1-dimensional with '
                           f'{n_out} elements, but got bias of size {_shape(bias)} instead')


def _dilation_got(fname, dil):
    """The values PyTorch's kernels print after a zero dilation (1-D convolutions run as 2-D ones)."""
    dil = (1,) + tuple(dil) if len(dil) == 1 else tuple(dil)
    if 'transpose' not in fname:
        return f', but got {list(dil)}'
    names = ('depth', 'height', 'width')[3 - len(dil):]
    return ', but got ' + ', '.join(f'dilation_{n}: {d}' for n, d in zip(names, dil))


_warned = []


def _resolve_padding(padding, nd, k, dil, stride):
    """Numbers or 'valid'/'same' -> one (low, high) pair per spatial dim."""
    if isinstance(padding, str):
        if padding == 'valid':
            return ((0, 0),) * nd
        if padding != 'same':
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        pads = []
        for kk, d in zip(k, dil):
            total = d * (kk - 1)
            pads.append((total // 2, total - total // 2))     # the odd one goes on the high side
        if not _warned and any(lo != hi for lo, hi in pads):   # PyTorch warns once per process
            _warned.append(True)
            import warnings
            warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                          'zero-padded copy of the input be created', UserWarning, stacklevel=5)
        return tuple(pads)
    return tuple((p, p) for p in padding)


def _weight_groups(weight, groups):
    if weight.shape[0] < groups:
        raise RuntimeError(f'Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got '
                           f'weight of size {_shape(weight)} instead')
    if weight.shape[0] % groups:
        raise RuntimeError('Given groups=%d, expected weight to be divisible by %d at dimension 0, but got '
                           'weight of size [%s] instead' % (groups, groups, _shape(weight)))   # sic: PyTorch's [[...]]


def _batched(input, nd):
    """Unbatched inputs get a batch dim of 1, removed from the result."""
    return (input, False) if input.ndim == nd + 2 else (input.unsqueeze(0), True)


def convolution(fname, nd, input, weight, bias, stride, padding, dilation, groups):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(convolution, fname, nd, input, weight, bias, stride, padding, dilation, groups)
    stride, dilation = _tuple(stride, nd, 'stride'), _tuple(dilation, nd, 'dilation')
    if not isinstance(padding, str):
        padding = _tuple(padding, nd, 'padding')
    _check_common(fname, input, weight, bias, nd, stride, padding, dilation, groups, weight.shape[0])
    x, unbatched = _batched(input, nd)
    c = x.shape[1]
    _weight_groups(weight, groups)
    if c != weight.shape[1] * groups:
        raise RuntimeError(f'Given groups={groups}, weight of size {_shape(weight)}, expected input{_shape(x)} '
                           f'to have {weight.shape[1] * groups} channels, but got {c} channels instead')
    k = tuple(weight.shape[2:])
    pads = _resolve_padding(padding, nd, k, dilation, stride)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads))
    eff = tuple(d * (kk - 1) + 1 for kk, d in zip(k, dilation))
    if any(p < e for p, e in zip(padded, eff)):
        raise RuntimeError(f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                           f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                           'actual input size')
    y = apply(ConvolutionBackward0, x, weight, bias, **_kw((stride, pads, dilation, groups), False))
    return y.squeeze(0) if unbatched else y


def conv_transpose(fname, nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(conv_transpose, fname, nd, input, weight, bias, stride, padding, output_padding,
                         groups, dilation)
    stride, dilation = _tuple(stride, nd, 'stride'), _tuple(dilation, nd, 'dilation')
    padding, output_padding = _tuple(padding, nd, 'padding'), _tuple(output_padding, nd, 'output_padding')
    _check_common(fname, input, weight, bias, nd, stride, padding, dilation, groups,
                  weight.shape[1] * groups if weight.ndim > 1 else 0)
    _check_len(output_padding, weight.ndim - 2, 'output_padding')
    x, unbatched = _batched(input, nd)
    _weight_groups(weight, groups)
    if x.shape[1] != weight.shape[0]:
        raise RuntimeError(f'Given transposed=1, weight of size {_shape(weight)}, expected input{_shape(x)} to '
                           f'have {weight.shape[0]} channels, but got {x.shape[1]} channels instead')
    if not x.numel() and x.shape[0] and x.shape[1]:
        shape = x.shape if nd > 1 else x.shape[:2] + (1,) + x.shape[2:]      # 1-d runs as 2-d in PyTorch
        raise RuntimeError('Only zero batch or zero channel inputs are supported, but got input shape: '
                           f"[{', '.join(map(str, shape))}]")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ['depth', 'height', 'width'] if nd == 3 else ['height', 'width']     # 1-d runs as 2-d
        def part(label, vals):
            return ' '.join(f'{label}_{n}: {v}' for n, v in zip(names, (() if nd > 1 else (0 if label[0] == 'o'
                                                                                          else 1,)) + vals))
        raise RuntimeError('output padding must be smaller than either stride or dilation, but got '
                           f"{part('output_padding', output_padding)} {part('stride', stride)} "
                           f"{part('dilation', dilation)}")
    k = tuple(weight.shape[2:])
    out = tuple((i - 1) * s - 2 * p + d * (kk - 1) + 1 + op for i, s, p, d, kk, op in
                zip(x.shape[2:], stride, padding, dilation, k, output_padding))
    if x.numel() and any(o <= 0 for o in out):
        _check_out_size(x, weight, stride, dilation, groups, out)
    pads = tuple((p, p) for p in padding)
    out_shape = (x.shape[0], weight.shape[1] * groups) + out
    y = apply(ConvolutionBackward0, x, weight, bias, **_kw((stride, pads, dilation, groups), True, out_shape))
    return y.squeeze(0) if unbatched else y


def _check_out_size(x, weight, stride, dilation, groups, out):
    """An output size <= 0: PyTorch's CPU kernels differ. Its oneDNN path (half types always, float32
    under the conditions below) returns an empty result for 0 and fails to build a descriptor for a
    negative size; its native kernels refuse both ("Output size is too small")."""
    from .._threads import get_num_threads
    x4 = x.shape if x.ndim > 3 else x.shape[:2] + (1,) + x.shape[2:]          # 1-d runs as 2-d
    k2 = (1,) + tuple(weight.shape[2:]) if weight.ndim == 3 else tuple(weight.shape[-2:])
    dnn = x.dtype in (_dtype.bfloat16, _dtype.float16) or (x.dtype == _dtype.float32 and
                                 (any(s > 1 for s in stride) or any(d > 1 for d in dilation) or x.shape[0] >= 16 or
                                  k2 != (1, 1) or get_num_threads() > 1) and
                                 (groups > 1 or min(k2) > 3 or x.shape[0] > 1 or math.prod(x4[:4]) > 20480))
    if dnn:
        if min(out) < 0:
            raise RuntimeError('could not construct a memory descriptor using a format tag')
        return
    pre = (1,) if x.ndim == 3 else ()
    raise RuntimeError(f"Given input size per channel: ({' x '.join(map(str, pre + x.shape[2:]))}). Calculated "
                       f"output size per channel: ({' x '.join(map(str, pre + out))}). Output size is too small")


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution('conv1d', 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution('conv2d', 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return convolution('conv3d', 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return conv_transpose('conv_transpose1d', 1, input, weight, bias, stride, padding, output_padding, groups,
                          dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return conv_transpose('conv_transpose2d', 2, input, weight, bias, stride, padding, output_padding, groups,
                          dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return conv_transpose('conv_transpose3d', 3, input, weight, bias, stride, padding, output_padding, groups,
                          dilation)
