"""Fused multiply-add on arrays: ``a*b + c`` rounded once, as PyTorch's CPU kernels compute it where
they use the processor's FMA instruction (``lerp``, ``addcmul``, ``add``/``sub`` with ``alpha``; the
generator's transforms in cpu_stream.py). NumPy has no FMA, so the result is built exactly:

- float32: the product of two float32 is exact in float64 and the sum is rounded once there; rounding
  that to float32 is right except at float32 halfway points, which are fixed with the sum's exact error.
- float64: Dekker's exact product, then Boldo and Melquiond's sum with a round-to-odd step.
- anything else (complex, integers, GPU arrays): ``a*b + c`` as is.
"""
import numpy as np

f32, f64 = np.float32, np.float64
_TIE = np.int64(-1 << 63)                   # a float32 halfway point's low float64 bits, shifted up
_PIECE = 1 << 14                                                  # elements per in-cache piece


def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def fma32(a, b, c):
    """float32 ``a*b + c`` rounded once (a, b, c float32 arrays or scalars)."""
    s = np.asarray(np.multiply(np.asarray(a, f64), b))      # exact: 24 + 24 bits
    if s.shape == np.broadcast_shapes(s.shape, np.shape(c)):
        s += c
    else:
        s = s + c
    # a float32 halfway point has the float64 bits below float32's last as 1000...0: shifted to the
    # top, the most negative int64
    if s.size and (s.view(np.int64) << 35).min() == _TIE:
        tie = (s.view(np.int64) << 35) == _TIE
        tie = np.nonzero(tie) if s.ndim else tie    # indices: quicker than the mask for few ties
        p = np.multiply(*(np.broadcast_to(v, s.shape)[tie] for v in (a, b)), dtype=f64)
        _, e = _two_sum(p, np.broadcast_to(c, s.shape)[tie].astype(f64))
        st = s[tie]                         # round by the sum's exact error
        s[tie] = np.where(e == 0, st, np.nextafter(st, np.copysign(np.inf, e)))
    return s.astype(f32)


_SPLIT = 134217729.0                        # 2**27 + 1: Veltkamp's splitter


def _two_prod(a, b):
    p = a * b
    t = _SPLIT * a
    ah = t - (t - a)
    t = _SPLIT * b
    bh = t - (t - b)
    al, bl = a - ah, b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def fma64(a, b, c):
    """float64 ``a*b + c`` rounded once."""
    a, b, c = np.broadcast_arrays(*(np.asarray(v, f64) for v in (a, b, c)))
    with np.errstate(all='ignore'):
        ph, pl = _two_prod(a, b)
        th, tl = _two_sum(c, ph)
        v, e = _two_sum(tl, pl)
        bits = v.view(np.int64)
        inexact_even = (e != 0) & ((bits & 1) == 0)        # round tl + pl to odd
        v = np.where(inexact_even, (bits + np.where((e > 0) == (v > 0), 1, -1)).view(f64), v)
        out = th + v
        bad = ~np.isfinite(out)             # overflow in the splitting, infinities, NaNs: plain
        if bad.any():
            out[bad] = (a * b + c)[bad]
    return out


def fma(a, b, c):
    """``a*b + c`` with one rounding, for NumPy float32/float64 results (arrays or scalars of the result
    dtype; float32 inputs stay float32, so scalars must be given as np.float32 there)."""
    if any(hasattr(v, 'shape') and type(v) is not np.ndarray and not isinstance(v, np.generic) for v in (a, b, c)):
        return a * b + c                        # a GPU array: the device's own arithmetic
    nd = np.result_type(a, b, c)
    if nd == f32 and all(type(v) is not np.ndarray or v.dtype == f32 for v in (a, b, c)):
        shape = np.broadcast_shapes(*(np.shape(v) for v in (a, b, c)))
        size = int(np.prod(shape))
        if size <= _PIECE or not all(np.shape(v) in ((), shape) and (np.ndim(v) == 0 or v.flags.c_contiguous)
                                     for v in (a, b, c)):
            return fma32(a, b, c)               # small, or laid out otherwise: whole (NumPy's layout)
        a, b, c = (np.broadcast_to(v, shape).reshape(-1) for v in (a, b, c))
        out = np.empty(size, f32)
        for k in range(0, size, _PIECE):        # pieces in cache: the float64 temporaries stay there
            out[k:k + _PIECE] = fma32(a[k:k + _PIECE], b[k:k + _PIECE], c[k:k + _PIECE])
        return out.reshape(shape)
    if nd == f64 and all(type(v) is not np.ndarray or v.dtype.kind == 'f' for v in (a, b, c)):
        r = fma64(a, b, c)
        like = [v for v in (a, b, c) if type(v) is np.ndarray and v.shape == r.shape and not v.flags.c_contiguous]
        if like and r.ndim > 1:                 # in the inputs' layout, as NumPy's own ufuncs give it
            out = np.empty_like(like[0], dtype=f64)
            out[...] = r
            return out
        return r
    return a * b + c
