"""nn.functional pooling entry points: argument handling and PyTorch's checks; the ops are
in pooling.py. As in PyTorch, 1-d pooling runs as 2-d pooling over an unsqueezed dim."""
from .._backend import pool as P
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply
from . import pooling as ops


def _tuple(v, nd):
    if isinstance(v, int):
        return (v,) * nd
    v = tuple(v)
    return v * nd if len(v) == 1 else v


def _dims_check(input, nd, what='non-empty {a}D or {b}D (batch mode) tensor expected for input'):
    if input.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[input.ndim - nd - 1:]):
        raise RuntimeError(what.format(a=nd + 1, b=nd + 2))


def _pad_check(k, pad, dil):
    for kk, p, d in zip(k, pad, dil):
        if p > (d * (kk - 1) + 1) // 2:
            raise RuntimeError(f'pad should be at most half of effective kernel size, but got pad={p}, '
                               f'kernel_size={kk} and dilation={d}')


def _sizes(input, nd, k, stride, pad, dil, ceil_mode):
    sp = input.shape[input.ndim - nd:]
    out = tuple(P.pool_out(s, kk, st, p, d, ceil_mode) for s, kk, st, p, d in zip(sp, k, stride, pad, dil))
    if any(o <= 0 for o in out):
        c = input.shape[input.ndim - nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + tuple(sp)))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + out))}). Output size is too small")
    extra = tuple(P.ceil_extra(s, kk, st, p, d, o) for s, kk, st, p, d, o in zip(sp, k, stride, pad, dil, out))
    return out, extra


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k = _tuple(kernel_size, nd)
    stride = k if stride is None or stride == [] or stride == () else _tuple(stride, nd)
    pad, dil = _tuple(padding, nd), _tuple(dilation, nd)
    _dims_check(input, nd)
    _pad_check(k, pad, dil)
    out, extra = _sizes(input, nd, k, stride, pad, dil, ceil_mode)
    pads = tuple((p, p + e) for p, e in zip(pad, extra))
    values, idx = apply(ops._MAX[nd], input, kernel=k, stride=stride, pads=pads, dil=dil)
    return (values, idx) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    _dims_check(input, 1, 'max_pool1d() Expected 2D or 3D input tensor, but got {a}D')
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    r = _max_pool(input.unsqueeze(-2), 2, (1, _tuple(kernel_size, 1)[0]), (1, _tuple(stride, 1)[0]),
                  (0, _tuple(padding, 1)[0]), (1, _tuple(dilation, 1)[0]), ceil_mode, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if _amp.state.on and not return_indices and _amp.fp32('max_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_pool3d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    k = _tuple(kernel_size, nd)
    stride = k if stride is None or stride == [] or stride == () else _tuple(stride, nd)
    pad = _tuple(padding, nd)
    _dims_check(input, nd)
    _pad_check(k, pad, (1,) * nd)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError('divisor must be not zero')
    out, extra = _sizes(input, nd, k, stride, pad, (1,) * nd, ceil_mode)
    cls = ops.AvgPool2DBackward0 if nd == 2 else ops.AvgPool3DBackward0
    return apply(cls, input, kernel=k, stride=stride, pads=tuple((p, p) for p in pad), ceil_pads=extra,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    _dims_check(input, 1, 'avg_pool1d() Expected 2D or 3D input tensor, but got {a}D')
    stride = kernel_size if stride is None or stride == [] or stride == () else stride
    r = _avg_pool(input.unsqueeze(-2), 2, (1, _tuple(kernel_size, 1)[0]), (1, _tuple(stride, 1)[0]),
                  (0, _tuple(padding, 1)[0]), ceil_mode, count_include_pad, None)
    return r.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if _amp.state.on and _amp.fp32('avg_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(avg_pool3d, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                                   divisor_override)
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _out_size(input, nd, output_size, fname):
    if input.ndim not in (nd + 1, nd + 2):
        shape = '[' + ', '.join(map(str, input.shape)) + ']'
        raise RuntimeError(f'{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {shape}')
    size = _tuple(output_size, nd)
    sp = input.shape[input.ndim - nd:]
    return tuple(s if o is None else int(o) for o, s in zip(size, sp))


def _adaptive_avg(input, nd, output_size, fname):
    out = _out_size(input, nd, output_size, fname)
    if all(o == 1 for o in out):                       # PyTorch takes the mean here
        return input.mean(tuple(range(input.ndim - nd, input.ndim)), keepdim=True)
    xp = P._xp(input._data)
    dt = input._data.dtype
    mats = tuple(P.averaging_matrix(s, o, dt, xp) for s, o in zip(input.shape[input.ndim - nd:], out))
    cls = ops.AdaptiveAvgPool2DBackward0 if nd == 2 else ops.AdaptiveAvgPool3DBackward0
    return apply(cls, input, mats=mats)


def adaptive_avg_pool1d(input, output_size):
    if input.ndim not in (2, 3):
        raise RuntimeError(f'Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 '
                           "'self' (while checking arguments for adaptive_avg_pool1d)")
    return _adaptive_avg(input.unsqueeze(-2), 2, (1, _tuple(output_size, 1)[0]),
                         'adaptive_avg_pool2d').squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    if input.ndim < 3:
        if isinstance(output_size, (tuple, list)):      # PyTorch's Python check of a size sequence
            raise ValueError('Input dimension should be at least 3')
        if output_size == 1:                             # its kernel: 1x1 is a mean of the last two dims
            return input.mean((-1, -2), keepdim=True)
    return _adaptive_avg(input, 2, output_size, 'adaptive_avg_pool2d')


def adaptive_avg_pool3d(input, output_size):
    if _amp.state.on and _amp.fp32('adaptive_avg_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(adaptive_avg_pool3d, input, output_size)
    return _adaptive_avg(input, 3, output_size, 'adaptive_avg_pool3d')


def _adaptive_max(input, nd, output_size, return_indices, fname):
    out = _out_size(input, nd, output_size, fname)
    values, idx = apply(ops._ADAPTIVE_MAX[nd], input, out_size=out)
    return (values, idx) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    r = _adaptive_max(input.unsqueeze(-2), 2, (1, _tuple(output_size, 1)[0]), True, 'adaptive_max_pool2d')
    return (r[0].squeeze(-2), r[1].squeeze(-2)) if return_indices else r[0].squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    return _adaptive_max(input, 2, output_size, return_indices, 'adaptive_max_pool2d')


def adaptive_max_pool3d(input, output_size, return_indices=False):
    if _amp.state.on and _amp.fp32('adaptive_max_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(adaptive_max_pool3d, input, output_size, return_indices)
    return _adaptive_max(input, 3, output_size, return_indices, 'adaptive_max_pool3d')


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    k = _tuple(kernel_size, nd)
    stride = k if stride is None else _tuple(stride, nd)
    pad = _tuple(padding, nd)
    sp = input.shape[input.ndim - nd:]
    if output_size is None:
        size = tuple((s - 1) * st - 2 * p + kk for s, st, p, kk in zip(sp, stride, pad, k))
    else:
        size = tuple(output_size)[-nd:]
    shape = tuple(input.shape[:input.ndim - nd]) + tuple(size)
    cls = ops.MaxUnpool2DBackward0 if nd == 2 else ops.MaxUnpool3DBackward0
    return apply(cls, input, indices._data, shape=shape, nd=nd)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    if _amp.state.on and _amp.fp32('max_unpool1d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_unpool1d, input, indices, kernel_size, stride, padding, output_size)
    k, st, p = _tuple(kernel_size, 1)[0], _tuple(stride if stride is not None else kernel_size, 1)[0], \
        _tuple(padding, 1)[0]
    osz = None if output_size is None else (1,) + tuple(output_size)[-1:]
    return _max_unpool(input.unsqueeze(-2), indices.unsqueeze(-2), 2, (1, k), (1, st), (0, p), osz).squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    if _amp.state.on and _amp.fp32('max_unpool2d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_unpool2d, input, indices, kernel_size, stride, padding, output_size)
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    if _amp.state.on and _amp.fp32('max_unpool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_unpool3d, input, indices, kernel_size, stride, padding, output_size)
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)
