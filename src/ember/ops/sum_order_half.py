"""float16/bfloat16 sums with a 16-bit result in the order of PyTorch's CPU sum kernel (see
sum_order for the float32 one). PyTorch adds 16-bit values in float32, but not in the float32
order of the upcast values: a vector is 16 halves (32 bytes) whose two 8-element halves are added
into 8 float lanes first, a contiguous dim needs 16 elements to be vectorised (its tail is up to
15 elements), columns need 16 for the vectorised outer sum, and every value stored into the
16-bit output (a thread's partial result, each row of a chained reduction) is rounded to it.
Chained multi-dim reductions and transposed layouts are not covered (None: NumPy sums)."""
import numpy as np

from .sum_order import GRAIN, _inner, _outer, _split, _threads, _vec_bytes, layout

_F32 = np.dtype(np.float32)


def torch_sum_half(a, axis, keepdims=False):
    """PyTorch's sum of a 16-bit float host array ``a`` over ``axis`` (None or a tuple of dims),
    in a's dtype; None where this order is not reproduced."""
    vb = _vec_bytes()
    if a.dtype.itemsize != 2 or a.size == 0 or not vb or not a.flags.c_contiguous:
        return None
    w, k = vb // 4, vb // 2                 # float lanes, halves a vector
    out_shape, groups = layout(a.shape, axis, keepdims)
    kinds = [g[1] for g in groups]
    if not any(kinds):
        r = a.astype(_F32).reshape(out_shape)
    elif all(kinds):
        f = a.reshape(-1).astype(_F32)
        n = f.shape[0]
        threads = _threads() if n >= GRAIN else 1
        if threads > 1:                     # per-thread partials, each stored as a 16-bit value
            part = np.zeros(threads, _F32)
            for t, (b, e) in enumerate(_split(n, threads, GRAIN)):
                part[t] = (_inner(f[b:e].reshape(1, e - b), w, k)[0] + np.float32(0)).astype(a.dtype)
            f = part
        r = np.asarray(_inner(f.reshape(1, -1), w, k)[0]).reshape(out_shape)
    elif kinds[-1] and kinds.count(True) == 1:          # rows: the inner sum
        r = _inner(a.reshape(-1, groups[-1][0]).astype(_F32), w, k).reshape(out_shape)
    elif kinds.count(True) == 1:                        # a dim over contiguous columns
        x = a.reshape(-1, groups[kinds.index(True)][0], groups[-1][0]).astype(_F32)
        r = _outer(x, w, k, 64).reshape(out_shape)
    else:
        return None
    return (r + np.float32(0)).astype(a.dtype)
