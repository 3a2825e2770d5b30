"""The nn functions PyTorch also exposes at top level (``torch.conv2d``, ``torch.dropout``,
``torch.batch_norm``, ...), with ATen's signatures: positional, every argument that ATen
has no default for is required, and some orders differ from ``nn.functional``
(``embedding(weight, indices)``, ``batch_norm(input, weight, bias, running_mean, ...)``).

Each name adapts its arguments and calls the one definition in ``ember.ops``; only the ops
nn.functional does not have (native_dropout, channel_shuffle, rrelu, the in-place celu_)
are defined here."""
from .._tensor import Tensor, _scalar_name
from ._op import Op, apply, apply_inplace
from ._promote import xp
from . import activation as _act, conv as _conv, dropout as _drop, embedding as _emb
from . import normalization as _norm, pooling_api as _pool, resample as _rs
from .argcheck import bad_input

_NEED = object()        # marks an argument ATen has no default for


def _need(fname, **args):
    """PyTorch's message for missing positional arguments (its wording, plural rule included)."""
    missing = [name for name, v in args.items() if v is _NEED]
    if missing:
        s = 's' if len(missing) == 1 else ''
        raise TypeError(f'{fname}() missing {len(missing)} required positional argument{s}: '
                        + ', '.join(f'"{m}"' for m in missing))


def _int_list(fname, value):
    if isinstance(value, int):
        raise TypeError(f"{fname}(): argument 'normalized_shape' (position 2) must be tuple of ints, not int")
    return value


def _float_only(input, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(input.dtype)}\'')


# ---------------------------------------------------------------- convolution

conv1d = _conv.conv1d
conv2d = _conv.conv2d
conv3d = _conv.conv3d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose2d = _conv.conv_transpose2d
conv_transpose3d = _conv.conv_transpose3d
pixel_shuffle = _rs.pixel_shuffle
pixel_unshuffle = _rs.pixel_unshuffle


# ---------------------------------------------------------------- pooling (ATen: stride=() means kernel_size)

def _stride(stride):
    return None if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else stride


def _one(v):
    return v[0] if isinstance(v, (tuple, list)) and len(v) == 1 else v


def max_pool1d(input, kernel_size=_NEED, stride=(), padding=0, dilation=1, ceil_mode=False):
    _need('max_pool1d', kernel_size=kernel_size)
    return _pool.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size=_NEED, stride=(), padding=0, dilation=1, ceil_mode=False):
    _need('max_pool2d', kernel_size=kernel_size)
    return _pool.max_pool2d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size=_NEED, stride=(), padding=0, dilation=1, ceil_mode=False):
    _need('max_pool3d', kernel_size=kernel_size)
    return _pool.max_pool3d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size=_NEED, stride=(), padding=0, dilation=1, ceil_mode=False):
    _need('max_pool1d_with_indices', kernel_size=kernel_size)
    return tuple(_pool.max_pool1d(input, kernel_size, _stride(stride), padding, dilation, ceil_mode, True))


def avg_pool1d(input, kernel_size=_NEED, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    _need('avg_pool1d', kernel_size=kernel_size)
    return _pool.avg_pool1d(input, kernel_size, _stride(stride), padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size=_NEED):
    _need('adaptive_avg_pool1d', output_size=output_size)
    return _pool.adaptive_avg_pool1d(input, output_size)


def adaptive_max_pool1d(input, output_size=_NEED):
    """Always (values, indices), as ATen's op."""
    _need('adaptive_max_pool1d', output_size=output_size)
    return tuple(_pool.adaptive_max_pool1d(input, output_size, True))


# ---------------------------------------------------------------- dropout family: (input, p, train)

def _args(fname, p, train):
    _need(fname, p=p, train=train)
    if p < 0.0 or p > 1.0:
        raise RuntimeError(f'dropout probability has to be between 0 and 1, but got {p}')


def dropout(input, p=_NEED, train=_NEED):
    _args('dropout', p, train)
    return _drop.dropout(input, p, train, False)


def dropout_(input, p=_NEED, train=_NEED):
    _args('dropout_', p, train)
    return _drop.dropout(input, p, train, True)


def feature_dropout(input, p=_NEED, train=_NEED):
    _args('feature_dropout', p, train)
    return _drop._feature_mask(input, p, train, False)


def feature_dropout_(input, p=_NEED, train=_NEED):
    _args('feature_dropout_', p, train)
    return _drop._feature_mask(input, p, train, True)


def alpha_dropout(input, p=_NEED, train=_NEED):
    _args('alpha_dropout', p, train)
    return _drop._alpha(input, False, p, train, False)


def alpha_dropout_(input, p=_NEED, train=_NEED):
    _args('alpha_dropout_', p, train)
    return _drop._alpha(input, False, p, train, True)


def feature_alpha_dropout(input, p=_NEED, train=_NEED):
    _args('feature_alpha_dropout', p, train)
    return _drop._alpha(input, True, p, train, False)


def feature_alpha_dropout_(input, p=_NEED, train=_NEED):
    _args('feature_alpha_dropout_', p, train)
    return _drop._alpha(input, True, p, train, True)


class NativeDropoutBackward0(Op):
    """(input * keep * scale, keep): keep is the bool mask, scale 1/(1-p) (0 when p == 1).
    The gradient is the upstream gradient times the same constant."""
    n_outputs = 2
    nondiff_outputs = (1,)
    _free = ('factor',)

    def forward(self, a, keep, scale):
        m = xp(a)
        if not a.size:                                     # PyTorch: an empty mask of the input's dtype
            return m.empty_like(a), m.empty_like(a)
        self.factor = m.empty_like(a)                      # results keep the input's layout, as PyTorch
        mask = m.empty_like(a, dtype=bool)
        if keep is None:                                   # train=False: a copy and an all-True mask
            self.factor[...] = 1
            mask[...] = True
        else:
            mask[...] = keep != 0
            self.factor[...] = keep * keep.dtype.type(scale)
        out = m.empty_like(a)
        m.multiply(a, self.factor, out=out)
        return out, mask

    def backward(self, g, _gmask):
        return g * Tensor._make(self.factor), None


def native_dropout(input, p=_NEED, train=_NEED):
    """(output, mask); ``train=None`` counts as training."""
    _need('native_dropout', p=p, train=train)
    if train is False:
        return apply(NativeDropoutBackward0, input, None, scale=1.0)
    q = 1 - p
    if not 0 <= q <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={q}')
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {_scalar_name(input.dtype)}")
    keep = _drop._noise(input.detach(), None, p)            # laid out like the input, as PyTorch
    return apply(NativeDropoutBackward0, input, keep, scale=0.0 if q == 0 else 1.0 / q)


# ---------------------------------------------------------------- normalisation (ATen argument orders)

def batch_norm(input, weight=_NEED, bias=_NEED, running_mean=_NEED, running_var=_NEED, training=_NEED,
               momentum=_NEED, eps=_NEED, cudnn_enabled=_NEED):
    _need('batch_norm', weight=weight, bias=bias, running_mean=running_mean, running_var=running_var,
          training=training, momentum=momentum, eps=eps, cudnn_enabled=cudnn_enabled)
    if not training:
        for name, t in (('running_mean', running_mean), ('running_var', running_var)):
            if t is None:
                raise RuntimeError(f'{name} must be defined in evaluation mode')
    return _norm.batch_norm_op(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, weight=_NEED, bias=_NEED, running_mean=_NEED, running_var=_NEED,
                  use_input_stats=_NEED, momentum=_NEED, eps=_NEED, cudnn_enabled=_NEED):
    _need('instance_norm', weight=weight, bias=bias, running_mean=running_mean, running_var=running_var,
          use_input_stats=use_input_stats, momentum=momentum, eps=eps, cudnn_enabled=cudnn_enabled)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError('Expected running_mean and running_var to be defined when use_input_stats is false')
    return _norm.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def layer_norm(input, normalized_shape=_NEED, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    _need('layer_norm', normalized_shape=normalized_shape)
    return _norm.layer_norm(input, _int_list('layer_norm', normalized_shape), weight, bias, eps)


def group_norm(input, num_groups=_NEED, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    _need('group_norm', num_groups=num_groups)
    return _norm.group_norm_op(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape=_NEED, weight=None, eps=None):
    _need('rms_norm', normalized_shape=normalized_shape)
    shape = tuple(_int_list('rms_norm', normalized_shape))
    if input.ndim < len(shape) or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f'Given normalized_shape={list(shape)}, expected input with shape '
                           f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    return _norm.rms_norm(input, shape, weight, eps)


# ---------------------------------------------------------------- embedding (weight first)

def embedding(weight, indices=_NEED, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """ATen's form: a negative ``padding_idx`` (or one past the table) means no padding row."""
    _need('embedding', indices=indices)
    pad = padding_idx if 0 <= padding_idx < weight.shape[0] else None
    return _emb.embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq)


# ---------------------------------------------------------------- channel shuffle

class ChannelShuffleBackward0(Op):
    """(N, C, *) -> (N, g, C/g, *) -> swap the two channel axes -> (N, C, *), contiguous.
    Its gradient is the inverse shuffle: the same op with C/g groups."""

    def forward(self, a, groups):
        n, c = a.shape[:2]
        self.inverse = c // groups
        split = a.reshape((n, groups, c // groups) + a.shape[2:])
        return xp(a).ascontiguousarray(split.swapaxes(1, 2)).reshape(a.shape)

    def backward(self, g):
        return apply(ChannelShuffleBackward0, g, groups=self.inverse)


def channel_shuffle(input, groups=_NEED):
    _need('channel_shuffle', groups=groups)
    if input.ndim <= 2:
        raise RuntimeError(f'channel_shuffle expects input with > 2 dims, but got input with sizes '
                           f'{list(input.shape)}')
    if groups <= 0:
        raise RuntimeError(f'Number of groups to divide channels in must be positive. Value of groups:{groups}')
    if input.shape[1] % groups:
        raise RuntimeError(f'Number of channels must be divisible by groups. Got {input.shape[1]} channels and '
                           f'{groups} groups.')
    return apply(ChannelShuffleBackward0, input, groups=groups)


# ---------------------------------------------------------------- activations

def selu(input):
    try:
        return _act.selu(input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('selu', (input,))


def selu_(input):
    try:
        return _act.selu(input, True)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('selu_', (input,))


def celu(input, alpha=1.0):
    try:
        return _act.celu(input, alpha)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('celu', (input,))


def celu_(input, alpha=1.0):
    try:
        return _act.celu(input, alpha, True)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('celu_', (input,))


def threshold(input, threshold=_NEED, value=_NEED):
    _need('threshold', threshold=threshold, value=value)
    return _act.threshold(input, threshold, value)


def threshold_(input, threshold=_NEED, value=_NEED):
    _need('threshold_', threshold=threshold, value=value)
    return _act.threshold(input, threshold, value, True)


class _Rrelu(Op):
    """x where x > 0, else x * slope: one random slope per element in U(lower, upper) when
    training (``noise``), the fixed (lower + upper) / 2 otherwise. Gradient: g * the factor."""
    _free = ('factor',)

    def forward(self, a, noise, slope):
        one = a.dtype.type(1)
        m = xp(a)
        a = m.ascontiguousarray(a).reshape(a.shape)         # contiguous (as PyTorch), 0-d kept
        self.factor = m.where(a > 0, one, noise if noise is not None else a.dtype.type(slope))
        return (a * self.factor).astype(a.dtype, copy=False)

    def backward(self, g):
        return g * Tensor._make(self.factor), None


RreluWithNoiseBackward0 = type('RreluWithNoiseBackward0', (_Rrelu,), {'__module__': __name__})
RreluWithNoiseBackward1 = type('RreluWithNoiseBackward1', (_Rrelu,), {'__module__': __name__})  # rrelu_


def _rrelu(input, lower, upper, training, generator, inplace):
    if lower > upper:
        raise RuntimeError('Lower bound should be less than or equal to the upper bound')
    _float_only(input, 'rrelu_with_noise_out_cpu' if training else 'leaky_relu_cpu')
    noise = None
    if training:
        from .dropout import rrelu_noise
        noise = rrelu_noise(input, lower, upper, generator)
    cls = RreluWithNoiseBackward1 if inplace else RreluWithNoiseBackward0
    run = apply_inplace if inplace else apply
    return run(cls, input, noise, slope=(lower + upper) / 2)


def rrelu(input, lower=0.125, upper=0.3333333333333333, training=False, generator=None):
    try:
        return _rrelu(input, lower, upper, training, generator, False)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('rrelu', (input,))


def rrelu_(input, lower=0.125, upper=0.3333333333333333, training=False, generator=None):
    try:
        return _rrelu(input, lower, upper, training, generator, True)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('rrelu_', (input,))


from ..nn.modules.linear import bilinear  # noqa: E402  (nn imports ember.ops: bound last)

__all__ = ['conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
           'max_pool1d', 'max_pool2d', 'max_pool3d', 'max_pool1d_with_indices', 'avg_pool1d',
           'adaptive_avg_pool1d', 'adaptive_max_pool1d', 'dropout', 'dropout_', 'feature_dropout',
           'feature_dropout_', 'alpha_dropout', 'alpha_dropout_', 'feature_alpha_dropout',
           'feature_alpha_dropout_', 'native_dropout', 'batch_norm', 'instance_norm', 'layer_norm',
           'group_norm', 'rms_norm', 'embedding', 'pixel_shuffle', 'pixel_unshuffle', 'channel_shuffle',
           'selu', 'selu_', 'celu', 'celu_', 'threshold', 'threshold_', 'rrelu', 'rrelu_', 'bilinear',
           'native_channel_shuffle']
METHODS = {}

from .nn_more import native_channel_shuffle  # noqa: E402
