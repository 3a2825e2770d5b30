"""nn.functional pooling entry points: argument handling and PyTorch's checks; the ops are
in pooling.py. As in PyTorch, 1-d pooling runs as 2-d pooling over an unsqueezed dim."""
import numpy as np

from .. import _dtype
from .._backend import pool as P
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply
from . import pooling as ops
from .pooling_checks import (_args, _args1d, _dim_range, _shape_list, _out_sizes, _sizes_check, _dims2d,
                             _dims3d, _refuse, _max_pool1d_checks, _list_with_default, _adaptive_size, _nonempty,
                             _unpool_size)


def _tuple(v, nd):
    if isinstance(v, int):
        return (v,) * nd
    v = tuple(v)
    return v * nd if len(v) == 1 else v


def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    k, stride, pad, dil = _args(nd, f'max_pool{nd}d', kernel_size, stride, padding, dilation)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f'non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input')
    return _max_pool_core(input, nd, k, stride, pad, dil, ceil_mode, return_indices)


def _max_pool_core(input, nd, k, stride, pad, dil, ceil_mode, return_indices):
    sp, out = _out_sizes(input, nd, k, stride, pad, dil, ceil_mode)
    if nd == 2:
        _dims2d(input)
    else:
        _dims3d(input, 'max_pool3d_with_indices_out_cpu_template')
    _sizes_check(input, nd, sp, out, k, pad)
    if input.dtype.is_complex or input.dtype == _dtype.bool_:
        _refuse(input, f'max_pool{nd}d')
    extra = tuple(P.ceil_extra(s, kk, st, p, d, o) for s, kk, st, p, d, o in zip(sp, k, stride, pad, dil, out))
    pads = tuple((p, p + e) for p, e in zip(pad, extra))
    values, idx = apply(ops._MAX[nd], input, kernel=k, stride=stride, pads=pads, dil=dil)
    return (values, idx) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    if return_indices:
        _dim_range(input, 'max_pool1d')
        k, st, p, d = _args1d('max_pool1d', kernel_size, stride, padding, dilation)
    else:
        k, st, p, d = _max_pool1d_checks(input, kernel_size, stride, padding, dilation, ceil_mode)
    r = _max_pool_core(input.unsqueeze(-2), 2, k, st, p, d, ceil_mode, return_indices)
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
    fname = f'avg_pool{nd}d'
    k, stride, pad, _ = _args(nd, fname, kernel_size, stride, padding, avg3=nd == 3)
    if nd == 3 and input.ndim not in (4, 5):
        raise RuntimeError('non-empty 4D or 5D (batch mode) tensor expected for input')
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError('divisor must be not zero')
    if nd == 2 and input.ndim < 3:
        raise IndexError(f'Dimension out of range (expected to be in range of [{-max(input.ndim, 1)}, '
                         f'{max(input.ndim, 1) - 1}], but got -3)')
    return _avg_pool_core(input, nd, k, stride, pad, ceil_mode, count_include_pad, divisor_override)


def _avg_pool_core(input, nd, k, stride, pad, ceil_mode, count_include_pad, divisor_override):
    sp, out = _out_sizes(input, nd, k, stride, pad, (1,) * nd, ceil_mode)
    if nd == 2:
        _dims2d(input)
    else:
        _dims3d(input, 'avg_pool3d')
        if any(s < kk for s, kk in zip(sp, k)):
            raise RuntimeError(f'input image (T: {sp[0]} H: {sp[1]} W: {sp[2]}) smaller than kernel size '
                               f'(kT: {k[0]} kH: {k[1]} kW: {k[2]})')
    _sizes_check(input, nd, sp, out, k, pad)
    dt = input.dtype
    if not (dt == _dtype.int64 or (dt.is_floating_point and (nd == 2 or dt in (_dtype.float32, _dtype.float64)))):
        _refuse(input, 'avg_pool2d' if nd == 2 else 'avg_pool3d_out_frame')
    extra = tuple(P.ceil_extra(s, kk, st, p, 1, o) for s, kk, st, p, o in zip(sp, k, stride, pad, out))
    cls = ops.AvgPool2DBackward0 if nd == 2 else ops.AvgPool3DBackward0
    return apply(cls, input, kernel=k, stride=stride, pads=tuple((p, p) for p in pad), ceil_pads=extra,
                 count_include_pad=count_include_pad, divisor_override=divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    _dim_range(input, 'avg_pool1d')
    k, st, p, _ = _args1d('avg_pool1d', kernel_size, stride, padding)
    return _avg_pool_core(input.unsqueeze(-2), 2, k, st, p, ceil_mode, count_include_pad, None).squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    if _amp.state.on and _amp.fp32('avg_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(avg_pool3d, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                                   divisor_override)
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _adaptive_avg(input, nd, out, fname='adaptive_avg_pool2d'):
    fname = f'adaptive_avg_pool{nd}d'
    if len(out) != nd:
        raise RuntimeError(f'{fname}: output_size must be {nd}')
    if any(o < 0 for o in out):
        raise RuntimeError(f'{fname}: elements of output_size must be greater than or equal to 0 but received '
                           '{' + (', ' if nd == 2 else ', ').join(map(str, out[:2])) +
                           (f',{out[2]}' if nd == 3 else '') + '}')
    if all(o == 1 for o in out):                       # PyTorch takes the mean here
        return input.mean(tuple(range(-1, -nd - 1, -1)), keepdim=True)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f'{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {_shape_list(input)}')
    _nonempty(input, fname, input.ndim - 2 if nd == 2 else 1)
    if not input.dtype.is_floating_point:
        _refuse(input, 'adaptive_avg_pool2d' if nd == 2 else 'adaptive_avg_pool3d_cpu')
    xp = P._xp(input._data)
    dt = input._data.dtype
    mats = tuple(P.averaging_matrix(s, o, dt, xp) for s, o in zip(input.shape[input.ndim - nd:], out))
    cls = ops.AdaptiveAvgPool2DBackward0 if nd == 2 else ops.AdaptiveAvgPool3DBackward0
    return apply(cls, input, mats=mats)


def adaptive_avg_pool1d(input, output_size):
    size = _adaptive_size(output_size, 1, None, 'adaptive_avg_pool1d')
    _dim_range(input, 'adaptive_avg_pool1d')
    return _adaptive_avg(input.unsqueeze(-2), 2, size).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    size = _adaptive_size(_list_with_default(output_size, input), 2, None)
    return _adaptive_avg(input, 2, size)


def adaptive_avg_pool3d(input, output_size):
    if _amp.state.on and _amp.fp32('adaptive_avg_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(adaptive_avg_pool3d, input, output_size)
    size = _adaptive_size(_list_with_default(output_size, input), 3, None)
    return _adaptive_avg(input, 3, size)


def _adaptive_max(input, nd, out, return_indices, fname):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f'{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {_shape_list(input)}')
    _nonempty(input, fname, 1)
    if any(o < 0 for o in out):
        shape = list(input.shape[:input.ndim - len(out)]) + list(out)
        bad = next(o for o in out if o < 0)
        raise RuntimeError(f'Trying to create tensor with negative dimension {bad}: {shape}')
    if not input.dtype.is_floating_point:
        _refuse(input, 'adaptive_max_pool2d' if nd == 2 else 'adaptive_max_pool3d_cpu')
    values, idx = apply(ops._ADAPTIVE_MAX[nd], input, out_size=tuple(out))
    return (values, idx) if return_indices else values


def adaptive_max_pool1d(input, output_size, return_indices=False):
    size = _adaptive_size(output_size, 1, None, 'adaptive_max_pool1d')
    _dim_range(input, 'adaptive_max_pool1d')
    _nonempty(input, 'adaptive_max_pool1d', 1)
    r = _adaptive_max(input.unsqueeze(-2), 2, size, True, 'adaptive_max_pool2d')
    return (r[0].squeeze(-2), r[1].squeeze(-2)) if return_indices else r[0].squeeze(-2)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    size = _adaptive_size(_list_with_default(output_size, input), 2, None)
    if len(size) != 2:
        raise RuntimeError('adaptive_max_pool2d(): internal error: output_size.size() must be 2')
    return _adaptive_max(input, 2, size, return_indices, 'adaptive_max_pool2d')


def adaptive_max_pool3d(input, output_size, return_indices=False):
    if _amp.state.on and _amp.fp32('adaptive_max_pool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(adaptive_max_pool3d, input, output_size, return_indices)
    size = _adaptive_size(_list_with_default(output_size, input), 3, None)
    if len(size) != 3:
        raise RuntimeError('adaptive_max_pool3d(): internal error: output_size.size() must be 3')
    return _adaptive_max(input, 3, size, return_indices, 'adaptive_max_pool3d')


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size, plane=None):
    k = _tuple(kernel_size, nd)
    stride = k if stride is None else _tuple(stride, nd)
    pad = _tuple(padding, nd)
    size = _unpool_size(input, k, stride, pad, output_size)
    shape = tuple(input.shape[:input.ndim - nd]) + tuple(int(s) for s in size)
    _unpool_indices(indices, nd, shape[len(shape) - nd:], plane)
    cls = ops.MaxUnpool2DBackward0 if nd == 2 else ops.MaxUnpool3DBackward0
    return apply(cls, input, indices._data, shape=shape, nd=nd)


def _unpool_indices(indices, nd, size, plane):
    """PyTorch's checks of max_unpool's indices: int64, each within the output plane (named ``plane``,
    e.g. '4x4')."""
    if indices.dtype is not _dtype.int64:
        from .._tensor import _scalar_name
        raise RuntimeError('elements in indices should be type int64' +
                           ('' if nd == 3 else f' but got: {_scalar_name(indices.dtype)}'))
    idx, n = indices._data, int(np.prod(size))
    bad = (idx < 0) | (idx >= n)
    if idx.size and bool(bad.any()):
        v = int(idx.reshape(-1)[int(bad.reshape(-1).argmax())])
        raise RuntimeError(f"Found an invalid max index: {v} (output volumes are of size "
                           f"{plane or 'x'.join(map(str, size))})")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    if _amp.state.on and _amp.fp32('max_unpool1d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_unpool1d, input, indices, kernel_size, stride, padding, output_size)
    k, st, p = _tuple(kernel_size, 1), _tuple(stride if stride is not None else kernel_size, 1), _tuple(padding, 1)
    size = _unpool_size(input, k, st, p, output_size)
    return _max_unpool(input.unsqueeze(-2), indices.unsqueeze(-2), 2, (1,) + k, (1,) + st, (0,) + p,
                       (1,) + tuple(size), f'{int(size[-1])}x1').squeeze(-2)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    if _amp.state.on and _amp.fp32('max_unpool2d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_unpool2d, input, indices, kernel_size, stride, padding, output_size)
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    if _amp.state.on and _amp.fp32('max_unpool3d', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(max_unpool3d, input, indices, kernel_size, stride, padding, output_size)
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)
