"""Array kernels of batch norm in training mode (NumPy or CuPy arrays, float32/float64, x of shape (N, C, *S)).

Each pass over x is a memory-bound sweep, so these read x as few times as they can: per-(sample, channel) row
sums (einsum, accumulated along rows of at most a few thousand elements) added up in float64. The variance
and the weight gradient come from one pass over x and a correction by the mean (sum((x - mean)**2) =
sum(x**2) - n * mean**2, sum(g * (x - mean)) = sum(g * x) - mean * sum(g)); where that correction cancels
more than a few bits (a channel whose mean dwarfs its spread, a gradient constant over a channel) they
return None and the caller takes the centred two-pass route."""
import numpy as np

from ._promote import xp

_CANCEL = 4.0       # the most n * mean**2 may exceed the centred sum of squares by (bits lost: log2(1 + _CANCEL))
_DRIFT = 32.0       # the most mean * sum(g) may exceed sqrt(sum(g**2)) * std (a random walk's spread of g * x)
_BLOCK = 1 << 18    # bytes of x per block of samples (L2-sized: a block's passes run in cache)


def _rows(x):
    n, c = x.shape[:2]
    return x.reshape(n, c, -1)


def _blocks(x):
    """Ranges of samples, a few hundred KiB each, for large NumPy arrays: each block goes through all the
    passes while it is in cache (one pass over memory instead of several)."""
    n = x.shape[0]
    if type(x) is not np.ndarray or x.nbytes <= 4 * _BLOCK:
        return (slice(None),)
    step = max(1, _BLOCK * n // x.nbytes)
    return tuple(slice(i, i + step) for i in range(0, n, step))


def _spread(m, v, x):
    """A per-channel vector repeated over x's spatial positions, (C * L,): per-channel arithmetic on the
    (N, C * L) view then runs as whole-row array operations (about twice as fast as broadcasting (C, 1))."""
    return m.repeat(v.reshape(x.shape[1]), x.size // (x.shape[0] * x.shape[1]))


def _channel_sums(m, blocks, *terms):
    """Per-channel sums over (N, L) of einsum terms ((spec, arrays) over (N, C, L) arrays), taken row by row
    in the arrays' dtype (rows are short: little rounding), then added up in float64."""
    if len(blocks) == 1:
        return [m.einsum(spec, *arrays).sum(0, dtype=np.float64) for spec, arrays in terms]
    rows = [np.empty(arrays[0].shape[:2], arrays[0].dtype) for spec, arrays in terms]      # (NumPy only)
    for s in blocks:
        for (spec, arrays), r in zip(terms, rows):
            np.einsum(spec, *(a[s] for a in arrays), out=r[s])
    return [r.sum(0, dtype=np.float64) for r in rows]


def affine_channels(x, scale, shift):
    """x * scale + shift for per-channel scale and shift of shape (1, C, 1, ...) (shift may be None)."""
    if x.ndim < 3 or not x.flags.c_contiguous:
        y = x * scale
        if shift is not None:
            y += shift
        return y
    m, n = xp(x), x.shape[0]
    x2, sc = x.reshape(n, -1), _spread(m, scale, x)
    y = m.empty(x2.shape, m.result_type(x, scale))
    sh = None if shift is None else _spread(m, shift, x)
    for s in _blocks(x):
        m.multiply(x2[s], sc, out=y[s])
        if sh is not None:
            y[s] += sh
    return y.reshape(x.shape)


def _channel_stats(x):
    """Per-channel mean and biased variance of x (N, C, *S): a sum, then the centred sum of squares."""
    m, x3 = xp(x), _rows(x)
    count = max(x3.shape[0] * x3.shape[2], 1)
    mean = m.einsum('ncl->c', x3) / count           # (einsum: ~3x faster than sum over axes (0, 2))
    xc = x3 - mean.astype(x.dtype)[:, None]
    var = m.einsum('ncl,ncl->c', xc, xc) / count
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    return mean.astype(x.dtype).reshape(shape), var.astype(x.dtype).reshape(shape)


def channel_stats(x):
    """Per-channel mean and biased variance of x (N, C, *S), shaped (1, C, 1, ...) in x's dtype."""
    return fast_channel_stats(x) or _channel_stats(x)


def fast_channel_stats(x):
    """Per-channel mean and biased variance of x from one pass (sum and sum of squares), shaped
    (1, C, 1, ...) in x's dtype; None where the variance would lose precision to cancellation."""
    m, x3 = xp(x), _rows(x)
    count = x3.shape[0] * x3.shape[2]
    s1, s2 = _channel_sums(m, (slice(None),), ('ncl->nc', (x3,)), ('ncl,ncl->nc', (x3, x3)))   # (x read once)
    mean = s1 / count
    msq = mean * mean
    var = s2 / count - msq
    if not bool((msq <= _CANCEL * var).all()):      # also NaN/inf inputs: the centred route gives PyTorch's NaN
        return None
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    return mean.astype(x.dtype).reshape(shape), var.astype(x.dtype).reshape(shape)


def fast_train_backward(g, x, mean, invstd, w, need_x):
    """Batch norm's training gradients (gx or None, gw, gb; gw and gb of shape (C,)) from the forward's mean
    and invstd (1, C, 1, ...), without centring x: gx = scale * (g - gb / n + k * (x - mean)) with
    scale = invstd * w and k = -invstd * gw / n, computed as scale * (x * k + g + d), d = -gb / n - k * mean.
    None where a channel's mean is large against its spread, or mean * sum(g) against the spread of
    sum(g * x) (then sum(g * x) - mean * sum(g) loses precision, and the caller centres x)."""
    m, c, n = xp(x), x.shape[1], x.shape[0]
    g3, x3 = _rows(g), _rows(x)
    blocks = _blocks(x)
    gb, gx_sum, gg = _channel_sums(m, blocks, ('ncl->nc', (g3,)), ('ncl,ncl->nc', (g3, x3)),
                                   ('ncl,ncl->nc', (g3, g3)))
    mean_c, inv_c = mean.reshape(c).astype(np.float64), invstd.reshape(c).astype(np.float64)
    corr = mean_c * gb
    ok = (abs(corr) * inv_c <= _DRIFT * m.sqrt(gg)) & (abs(mean_c) * inv_c <= _CANCEL ** .5)
    if not bool(ok.all()):                                  # (also NaN)
        return None
    gw = (gx_sum - corr) * inv_c                          # sum(g * (x - mean)) * invstd = sum(g * xhat)
    gx = None
    if need_x:
        count = x3.shape[0] * x3.shape[2]
        k = -inv_c * gw / count
        d = -gb / count - k * mean_c
        scale = inv_c if w is None else inv_c * w.reshape(c)
        dt = x.dtype
        kf, df, sf = (_spread(m, v.astype(dt), x) for v in (k, d, scale))
        x2, g2 = x.reshape(n, -1), g.reshape(n, -1)
        gx = m.empty(x2.shape, dt)
        for s in blocks:
            o = gx[s]
            m.multiply(x2[s], kf, out=o)
            o += g2[s]
            o += df
            o *= sf
        gx = gx.reshape(x.shape)
    return gx, gw.astype(x.dtype), gb.astype(x.dtype)
