"""Ranges and index grids: arange, range, linspace, logspace, tril_indices, triu_indices."""
import math
import warnings

import numpy as np

from .. import _dtype, _quiet_numpy as _quiet
from .._tensor import Tensor
from .creation import _HOST, _build, _finish, _is_int, _cast_host, _xp_for, _requiring


def _number(v):
    return v.item() if isinstance(v, (Tensor, np.generic)) else v


def _fmt(v):
    """A number as PyTorch's C++ messages print it (``0``, ``0.5``, ``1e+20``, ``inf``)."""
    return '%g' % v if isinstance(v, float) else str(v)


def arange(start=None, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
           pin_memory=False):
    if out is not None:
        return _into_out(out, dtype, requires_grad, 'arange', lambda d, dev: arange(
            start, end, step, dtype=d, device=dev), warn=True)
    if start is None:                   # arange(end=5)
        if end is None:
            raise TypeError('arange() received an invalid combination of arguments - got (), but expected one of:')
        start = 0
    elif end is None:
        start, end = 0, start
    start, end, step = (_real_bound(_number(v)) for v in (start, end, step))
    if dtype is None:
        dtype = (_dtype.get_default_dtype() if any(isinstance(v, float) for v in (start, end, step))
                 else _dtype.int64)
    d = _dtype.to_dtype(dtype)
    if d is _dtype.bool_ or d.is_complex:
        raise NotImplementedError(f'"arange_cpu" not implemented for \'{_scalar_name(d)}\'')
    if step == 0:
        raise RuntimeError('step must be nonzero')
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f'unsupported range: {_fmt(start)} -> {_fmt(end)}')
    if d is _dtype.int64:               # int64 ranges truncate their bounds and step first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError('step must be nonzero')
    if not ((step > 0 and end >= start) or (step < 0 and end <= start)):
        raise RuntimeError('upper bound and lower bound inconsistent with step sign')
    if d.is_floating_point:
        n = max(0, math.ceil((end - start) / step))
        return _build(lambda xp: _float_range(xp, start, step, n, d.np), device, d.np, requires_grad)
    if d is not _dtype.int64:           # other integers: the length from the real range, then the bounds truncated
        n, start, step = max(0, math.ceil((end - start) / step)), int(start), int(step)
        return _build(lambda xp: (start + xp.arange(n, dtype=np.int64) * step).astype(d.np), device, d.np,
                      requires_grad)
    return _build(lambda xp: xp.arange(start, end, step, dtype=np.int64).astype(d.np, copy=False),
                  device, d.np, requires_grad)


_PIECE = 1 << 14          # points per piece (a multiple of every block size)


def _float_range(xp, start, step, n, nd):
    """A float arange's points as PyTorch's CPU kernel makes them (GPU arrays: start + i*step in
    double). The math is in double (float32/float64) or float (16-bit floats). The range is split
    among the threads in chunks of ceil(n / threads) (one chunk below 32768 points); each chunk fills
    32-byte blocks (8 float32, 4 float64, 16 half points), 2 blocks at a time, from a base
    fma(step, i, start) rounded to the dtype, then fma(k, step, base) (16-bit floats: k*step + base,
    rounded twice in float); its last points (fewer than 2 blocks) are fma(step, i, start) each."""
    nd = np.dtype(nd)
    if xp is not np or n == 0:
        return (start + xp.arange(n, dtype=np.float64) * step).astype(nd, copy=False)
    acc = np.float64 if nd.itemsize >= 4 else np.float32
    lanes = 32 // nd.itemsize
    step, start = acc(step), acc(start)
    exact = _exact_products(step, n, acc)
    chunk = n
    if n >= 32768:
        from .._threads import get_num_threads
        chunk = -(-n // max(1, min(get_num_threads(), -(-n // 32768))))
    out = np.empty(n, nd)
    ks = np.arange(lanes, dtype=acc)
    for c0 in range(0, n, chunk):
        c1 = min(n, c0 + chunk)
        whole = (c1 - c0) // (2 * lanes) * (2 * lanes)
        for p0 in range(c0, c0 + whole, _PIECE):    # a base per block, then the block's points from it
            p1 = min(c0 + whole, p0 + _PIECE)         # (in pieces: the temporaries stay in cache)
            base = _fused(np.arange(p0, p1, lanes, dtype=acc), step, start, nd, acc, exact).astype(acc)
            plain = exact or acc is np.float32
            out[p0:p1].reshape(-1, lanes)[...] = _fused(ks, step, base[:, None], nd, acc, plain)
        if c0 + whole < c1:
            out[c0 + whole:c1] = _fused(np.arange(c0 + whole, c1, dtype=acc), step, start, nd, acc, exact)
    return out


def _exact_products(step, n, acc):
    """Whether step * i is exact in ``acc`` for every i < n (then plain arithmetic is the fused one)."""
    if step == 0:
        return True
    bits = 53 if acc is np.float64 else 24
    m, e = math.frexp(float(step))
    if e - bits < (-1021 if bits == 53 else -125):         # subnormal products: no shortcut
        return False
    mant = int(m * 2.0 ** bits)
    sig = bits - ((mant & -mant).bit_length() - 1)
    return sig + (n - 1).bit_length() <= bits


def _fused(a, b, c, nd, acc, exact):
    """``a*b + c`` (arrays ``a`` and ``c`` broadcast, ``b`` a scalar) rounded once in ``acc``, then to
    ``nd``; ``exact``: a*b is exact, so plain arithmetic rounds once."""
    from .fma import fma32, fma64
    if exact:
        return (a * b + c).astype(nd)
    if acc is np.float32:
        return fma32(a, b, c).astype(nd)
    if nd == np.float64:
        shape = np.broadcast_shapes(np.shape(a), np.shape(c))
        return _rational_fma(a, b, c, shape) if math.prod(shape) <= 16 else fma64(a, b, c)
    # float32 from a double fma: the plain double result lies within a few double ulps of a*b of the
    # fused one; where that interval rounds to one float32, so does the fused result
    p = a * b
    r = p + c
    err = (np.abs(p) + np.abs(r)) * 2.0 ** -50
    out = r.astype(nd)
    odd = np.flatnonzero((r - err).astype(nd) != (r + err).astype(nd))
    if odd.size:
        a, c = (np.broadcast_to(v, r.shape).reshape(-1)[odd] for v in (a, c))
        fused = _rational_fma(a, b, c, odd.shape) if odd.size <= 16 else fma64(a, b, c)
        out.reshape(-1)[odd] = fused.astype(nd)
    return out


def _rational_fma(a, b, c, shape):
    """Double ``a*b + c`` rounded once, for a few elements with integral ``a``: exact integer
    arithmetic over the operands' power-of-two denominators (Python's int / int rounds correctly)."""
    bn, bd = float(b).as_integer_ratio()
    a, c = (np.broadcast_to(v, shape).reshape(-1).tolist() for v in (a, c))
    out = []
    for x, z in zip(a, c):
        zn, zd = z.as_integer_ratio()
        out.append((int(x) * bn * zd + zn * bd) / (bd * zd))
    return np.array(out, np.float64).reshape(shape)


def _into_out(out, dtype, requires_grad, name, make, warn=False):
    """A range factory with ``out=``: computed in out's dtype on out's device, then written into
    out (kept as it is when the element counts agree, else resized to 1-D; arange warns then)."""
    from ._op import write_into
    from ..autograd.grad_mode import is_grad_enabled
    if dtype is not None and _dtype.to_dtype(dtype) != out.dtype:
        raise RuntimeError(f'dtype {_scalar_name(_dtype.to_dtype(dtype))} does not match dtype of out '
                           f'parameter ({_scalar_name(out.dtype)})')
    if out._requires_grad and is_grad_enabled():
        raise RuntimeError(f"aten::{name}(): functions with out=... arguments don't support automatic "
                           'differentiation, but one of the arguments requires grad.')
    data = make(out.dtype, out.device)._data
    if data.size != out._data.size:
        if warn and out._data.size:
            warnings.warn(f'The number of elements in the out tensor of shape {list(out.shape)} is '
                          f'{out._data.size} which does not match the computed number of elements '
                          f'{data.size}. Note that this may occur as a result of rounding error. The out '
                          f'tensor will be resized to a tensor of shape ({data.size},).', UserWarning,
                          stacklevel=3)
        out._data = data.copy()
        out._vc[0] += 1
    else:
        write_into(out, data.reshape(out._data.shape))
    return _requiring(out) if requires_grad else out


def _real_bound(v):
    """A range bound: a complex number counts as its real part when its imaginary part is 0."""
    if isinstance(v, complex):
        if v.imag != 0:
            raise RuntimeError('value cannot be converted to type double without overflow')
        return v.real
    return v


def _tri_indices(name, row, col, offset, dtype, device):
    if row < 0:
        raise RuntimeError(f'row must be non-negative, got{row}')
    if col < 0:
        raise RuntimeError(f'col must be non-negative, got{col}')
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    if d not in (_dtype.int32, _dtype.int64):
        raise NotImplementedError(f'"{name}" not implemented for \'{_scalar_name(d)}\'')
    return _build(lambda xp: xp.stack(getattr(xp, name)(row, offset, col)).astype(d.np).reshape(2, -1),
                  device, d.np, False)


def _no_grad_ints(requires_grad):
    if requires_grad:           # the indices are int64
        raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False,
                 requires_grad=False):
    """Row and column indices (a 2 x N tensor) of the lower triangle of a row x col matrix."""
    _no_grad_ints(requires_grad)
    return _tri_indices('tril_indices', row, col, offset, dtype, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, pin_memory=False,
                 requires_grad=False):
    """Row and column indices (a 2 x N tensor) of the upper triangle of a row x col matrix."""
    _no_grad_ints(requires_grad)
    return _tri_indices('triu_indices', row, col, offset, dtype, device)


def _scalar_name(d):
    from .._tensor import _scalar_name
    return _scalar_name(d)


def range_(start, end, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    warnings.warn('ember.range is deprecated and will be removed in a future release because its '
                  'behavior is inconsistent with Python\'s range builtin. Instead, use ember.arange, '
                  'which produces values in [start, end).', UserWarning, stacklevel=2)
    if out is not None:
        return _into_out(out, dtype, requires_grad, 'range',
                         lambda d, dev: _range(start, end, step, d, dev, False))
    return _range(start, end, step, dtype, device, requires_grad)


def _range(start, end, step, dtype, device, requires_grad):
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    return _build(lambda xp: (start + xp.arange(n) * step).astype(d.np), device, d.np, requires_grad)


def _spaced(start, end, steps, dtype, name, device):
    """linspace's points (PyTorch's formula: from the start up to halfway, then from the end), in
    float64, built on ``device``'s array module. Below float64 the float32 FMA is exact in double
    math, so GPUs compute it; float64 (and integer) points need extended precision: host only."""
    if not _is_int(steps):
        raise TypeError(f"{name}(): argument 'steps' (position 3) must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError('number of steps must be non-negative')
    d = _dtype.to_dtype(dtype) if dtype is not None else _dtype.get_default_dtype()
    if d is _dtype.bool_:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    start, end, steps = _number(start), _number(end), int(steps)
    n = max(steps - 1, 1)
    if not d.is_floating_point:     # integer dtypes truncate the bounds first
        start, end = int(start), int(end)
    if d.np.itemsize == 2 and d.is_floating_point:      # float16/bfloat16: every step in the dtype itself
        nd = d.np
        xp, ctx = _xp_for(device, nd)
        with ctx:
            lo, hi, m = (xp.asarray(np.float32(v)).astype(nd) for v in (start, end, n))
            step = (hi - lo) / m
            idx = xp.arange(steps)
            arr = xp.where(idx < steps // 2, lo + step * idx.astype(nd), hi - step * (steps - 1 - idx).astype(nd))
            arr = arr.astype(np.float64) if steps != 1 else xp.full(1, lo, np.float64)
        return arr, d, ctx
    if d.is_floating_point and d is not _dtype.float64:     # float math (with FMA) on float32 operands
        xp, ctx = _xp_for(device, d.np)
        s32, e32 = np.float32(start), np.float32(end)
        lo, hi, step = float(s32), float(e32), float((e32 - s32) / np.float32(n))
    else:                       # double math with fused multiply-adds: emulated in extended precision
        xp, ctx = np, _HOST
        lo, hi = np.longdouble(start), np.longdouble(end)
        step = np.longdouble((end - start) / n)
    with ctx:
        i = xp.arange(steps, dtype=np.float64 if xp is not np else np.asarray(lo).dtype)
        arr = xp.where(i < steps // 2, lo + step * i, hi - step * (steps - 1 - i)).astype(np.float64)
        if steps == 1:
            arr[0] = start
    return arr, d, ctx


def _complex_spaced(start, end, steps, dtype, name, device):
    """linspace's points for complex ends or a complex dtype: the real and the imaginary parts
    are each spaced as real points in the matching real dtype. None when all is real."""
    if getattr(start, 'ndim', 0) or getattr(end, 'ndim', 0):
        raise RuntimeError(f'{name} only supports 0-dimensional start and end tensors, but got start with '
                           f"{getattr(start, 'ndim', 0)} dimension(s) and end with {getattr(end, 'ndim', 0)} "
                           'dimension(s).')
    start, end = _number(start), _number(end)
    d = None if dtype is None else _dtype.to_dtype(dtype)
    if not any(isinstance(v, complex) for v in (start, end)):
        if d is None or not d.is_complex:
            return None
    elif d is None:
        d = _dtype.default_complex_dtype()
    elif not d.is_complex:
        raise RuntimeError(f'ember.{name}(): inferred dtype {_type_name(_dtype.default_complex_dtype())} '
                           f"can't be safely cast to passed dtype {_scalar_name(d)}")
    start, end = complex(start), complex(end)
    re, _, ctx = _spaced(start.real, end.real, steps, d.to_real(), name, device)
    im, _, _ = _spaced(start.imag, end.imag, steps, d.to_real(), name, device)
    with ctx:
        return re.astype(d.np) + 1j * im.astype(d.np), d, ctx


@_quiet.quietly
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    if out is not None:
        return _into_out(out, dtype, requires_grad, 'linspace',
                         lambda d, dev: linspace(start, end, steps, dtype=d, device=dev))
    spaced = _complex_spaced(start, end, steps, dtype, 'linspace', device)
    arr, d, ctx = spaced or _spaced(start, end, steps, dtype, 'linspace', device)
    with ctx:
        return _finish(_cast_host(arr, d.np), device, requires_grad)


@_quiet.quietly
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    if out is not None:
        return _into_out(out, dtype, requires_grad, 'logspace',
                         lambda d, dev: logspace(start, end, steps, base, dtype=d, device=dev))
    spaced = _complex_spaced(start, end, steps, dtype, 'logspace', device)
    if spaced is not None:          # base ** z as exp(z log(base)) in the complex dtype's precision
        arr, d, ctx = spaced
        with ctx:
            arr = arr.astype(d.np)
            return _finish(np.exp(arr * np.log(d.np.type(base))), device, requires_grad)
    arr, d, ctx = _spaced(start, end, steps, dtype, 'logspace', device)
    with ctx:
        return _finish(_cast_host(np.power(float(base), arr), d.np), device, requires_grad)


def _type_name(d):
    from .._tensor import _TYPE_NAMES
    return _TYPE_NAMES[d]


