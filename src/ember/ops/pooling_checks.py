"""Argument checks of the nn.functional pooling entry points, in PyTorch's order and with its
messages (kernel/stride/padding lengths, per-dim output sizes, input shapes, dtypes, adaptive
output sizes, max_unpool output sizes)."""
from .._backend import pool as P


_WORD = {2: 'two', 3: 'three'}


_POS = {'kernel_size': 2, 'stride': 3, 'padding': 4, 'dilation': 5}


def _ints(v, nd, name, fname, message, empty_ok=False):
    """int or a sequence of 1 or nd ints -> an nd-tuple; PyTorch's errors for anything else."""
    if isinstance(v, int):
        return (v,) * nd
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{fname}(): argument '{name}' (position {_POS[name]}) must be tuple of ints, not "
                        f'{type(v).__name__}')
    v = tuple(v)
    if len(v) == 1:
        return v * nd
    if len(v) != nd and not (empty_ok and not v):
        raise RuntimeError(message.format(name=name, n=len(v)))
    return v


def _args(nd, fname, kernel_size, stride, padding, dilation=None, avg3=False):
    """kernel, stride (the kernel when omitted), padding and dilation as nd-tuples (PyTorch's
    length checks of 2-d and 3-d pooling)."""
    word = _WORD[nd]
    either = '' if avg3 else 'either '
    k = _ints(kernel_size, nd, 'kernel_size', fname, f'{fname}: kernel_size must {either}be a single int, or a '
              f'tuple of {word} ints')
    omitted = stride is None or (isinstance(stride, (tuple, list)) and not len(stride))
    st = k if omitted else _ints(stride, nd, 'stride', fname, f'{fname}: stride must {either}be omitted, a single '
                                 f'int, or a tuple of {word} ints')
    pad = _ints(padding, nd, 'padding', fname, f'{fname}: padding must {either}be a single int, or a tuple of '
                f'{word} ints')
    dil = (1,) * nd if dilation is None else _ints(dilation, nd, 'dilation', fname, f'{fname}: dilation must be '
                                                   f'either a single int, or a tuple of {word} ints')
    return k, st, pad, dil


def _args1d(fname, kernel_size, stride, padding, dilation=1):
    """1-d pooling through its 2-d form: each argument must hold one int."""
    def one(v, name):
        if isinstance(v, int):
            return v
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"{fname}(): argument '{name}' (position {_POS[name]}) must be tuple of ints, not "
                            f'{type(v).__name__}')
        if len(v) != 1:
            raise RuntimeError(f"{fname}() argument '{name}' should contain one int (got {len(v)})")
        return v[0]
    k = one(kernel_size, 'kernel_size')
    omitted = stride is None or (isinstance(stride, (tuple, list)) and not len(stride))
    return (1, k), (1, k if omitted else one(stride, 'stride')), (0, one(padding, 'padding')), \
        (1, one(dilation, 'dilation'))


def _dim_range(input, fname):
    if input.ndim not in (2, 3):
        raise RuntimeError(f'Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 '
                           f"'self' (while checking arguments for {fname})")


def _half(a):
    """C's integer division by 2 (truncation toward zero)."""
    return -((-a) // 2) if a < 0 else a // 2


def _shape_list(t):
    return '[' + ', '.join(map(str, t.shape)) + ']'


def _out_sizes(input, nd, k, stride, pad, dil, ceil_mode):
    """PyTorch's per-dim output-size checks, then its shape checks; the output size and the
    extra right padding ceil_mode needs."""
    for kk, st, p, d in zip(k, stride, pad, dil):
        if st == 0:
            raise RuntimeError('stride should not be zero')
        if p < 0:
            raise RuntimeError(f'pad must be non-negative, but got pad: {p}')
        if p > _half(d * (kk - 1) + 1):
            raise RuntimeError(f'pad should be at most half of effective kernel size, but got pad={p}, '
                               f'kernel_size={kk} and dilation={d}')
    sp = input.shape[input.ndim - nd:]
    out = tuple(P.pool_out(s, kk, st, p, d, ceil_mode) for s, kk, st, p, d in zip(sp, k, stride, pad, dil))
    names = ('T', 'H', 'W')[3 - nd:]
    for what, vals, label in (('kernel size', k, 'k'), ('stride', stride, 'd'), ('dilation', dil, 'dilation')):
        if any(v <= 0 for v in vals):
            raise RuntimeError(f'{what} should be greater than zero, but got '
                               + ' '.join(f'{label}{n}: {v}' for n, v in zip(names, vals)))
    return sp, out


def _sizes_check(input, nd, sp, out, k, pad):
    if nd == 2:
        if any(kk // 2 < p for kk, p in zip(k, pad)):
            raise RuntimeError(f'pad should be smaller than or equal to half of kernel size, but got padW = {pad[1]}, '
                               f'padH = {pad[0]}, kW = {k[1]}, kH = {k[0]}')
    elif any(kk // 2 < p for kk, p in zip(k, pad)):
        raise RuntimeError('pad should be smaller than or equal to half of kernel size, but got '
                           f'kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {pad[0]} padW: {pad[2]} padH: {pad[1]}')
    if any(o <= 0 for o in out):
        c = input.shape[input.ndim - nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (c,) + tuple(sp)))}). Calculated output size: "
                           f"({'x'.join(map(str, (c,) + out))}). Output size is too small")


def _dims2d(input):
    shp = input.shape
    ok = (input.ndim == 3 and all(shp)) or (input.ndim == 4 and all(shp[1:]))
    if not ok:
        raise RuntimeError('Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but '
                           f'got:{_shape_list(input)}')


def _dims3d(input, fname):
    first = 1 if input.ndim == 5 else 0
    for i in range(first, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fname}(): Expected input's non-batch dimensions to have positive length, but input "
                               f'has a shape of {_shape_list(input)} and non-batch dimension 0 has length '   # sic: always 0
                               'zero!')


def _refuse(input, kernel):
    from .._tensor import _scalar_name
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(input.dtype)}\'')


def _max_pool1d_checks(input, kernel_size, stride, padding, dilation, ceil_mode):
    """PyTorch's checks of max_pool1d without indices (its own kernel)."""
    shp = input.shape
    if not ((input.ndim == 2 and all(shp)) or (input.ndim == 3 and all(shp[1:]))):
        raise RuntimeError('max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for '
                           f'input, but got:{_shape_list(input)}')
    def one(v, name, msg):
        if isinstance(v, int):
            return v
        if not isinstance(v, (tuple, list)):
            raise TypeError(f"max_pool1d(): argument '{name}' (position {_POS[name]}) must be tuple of ints, not "
                            f'{type(v).__name__}')
        if len(v) != 1 and not (name == 'stride' and not len(v)):
            raise RuntimeError(f'max_pool1d() {name} must be {msg} of size 1 but got size {len(v)}')
        return v[0] if len(v) else None
    k = one(kernel_size, 'kernel_size', 'an int, list of ints or tuple of ints')
    st = one(stride, 'stride', 'None, an int, list of ints, or tuple of ints') if stride is not None else None
    st = k if st is None else st
    p = one(padding, 'padding', 'an int, list of ints, or tuple of ints')
    d = one(dilation, 'dilation', 'an int, list of ints or tuple of ints')
    for v, name, bad in ((k, 'kernel_size', k <= 0), (st, 'stride', st <= 0)):
        if bad:
            raise RuntimeError(f'max_pool1d() {name} must be greater than zero, but got {v}')
    if p < 0:
        raise RuntimeError(f'max_pool1d() padding must be non-negative, but got {p}')
    if p > k // 2:
        raise RuntimeError(f'max_pool1d() padding should be at most half of kernel size, but got padding={p} and '
                           f'kernel_size={k}')
    if d <= 0:
        raise RuntimeError(f'max_pool1d() dilation must be greater than zero, but got {d}')
    o = P.pool_out(shp[-1], k, st, p, d, ceil_mode)
    if o <= 0:
        raise RuntimeError(f'max_pool1d() Invalid computed output size: {o}')
    if not input.dtype.is_floating_point:
        _refuse(input, 'max_pool1d_impl')
    return (1, k), (1, st), (0, p), (1, d)


def _list_with_default(output_size, input):
    """PyTorch's Python-side handling of a 2-/3-d adaptive output size: None entries take the
    input's size."""
    if isinstance(output_size, int):
        return output_size
    if input.ndim <= len(output_size):
        raise ValueError(f'Input dimension should be at least {len(output_size) + 1}')
    sp = input.shape[input.ndim - len(output_size):]
    return [s if o is None else o for o, s in zip(output_size, sp)]


def _adaptive_size(output_size, nd, fname, one_name=None):
    if one_name is not None:                     # the 1-d entry points take exactly one int
        if isinstance(output_size, int):
            return (1, output_size)
        if not isinstance(output_size, (tuple, list)):
            raise TypeError(f"{one_name}(): argument 'output_size' (position 2) must be tuple of ints, not "
                            f'{type(output_size).__name__}')
        if len(output_size) != 1:
            raise RuntimeError(f"{one_name}() argument 'output_size' should contain one int (got {len(output_size)})")
        return (1, output_size[0])
    return (output_size,) * nd if isinstance(output_size, int) else tuple(output_size)   # no broadcasting


def _nonempty(input, fname, first):
    for i in range(first, input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f'{fname}(): Expected input to have non-zero size for non-batch dimensions, but input '
                               f'has sizes {_shape_list(input)} with dimension {i} being empty')


def _unpool_size(input, k, stride, pad, output_size):
    """PyTorch's output size of max_unpool: the default, or a given one checked against it."""
    nd = len(k)
    default = [(input.shape[input.ndim - nd + d] - 1) * stride[d] + k[d] - 2 * pad[d] for d in range(nd)]
    if output_size is None:
        return default
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(f'output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a '
                         f"length of '{len(output_size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    return output_size
