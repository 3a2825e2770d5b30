"""Helpers of the optimizers' update rules: state tensors, in-place moment updates, version
bumps and PyTorch's hyper-parameter checks. They work on raw arrays."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, xp_of


def scalar_dtype(is_fused=None):
    """dtype of the ``step`` state tensor: float32, or float64 when that is the default dtype."""
    if is_fused:
        return np.float32
    return np.float64 if _dtype.get_default_dtype() is _dtype.float64 else np.float32


def new_step(p, value=0.0, on_param_device=False, is_fused=None):
    """A fresh 0-dim ``step``-like tensor: on the parameter's device when capturable/fused, else
    on the default device (the CPU unless ``set_default_device``), as PyTorch's ``tensor(0.)``."""
    if on_param_device:
        return Tensor._make(xp_of(p._data).array(value, dtype=scalar_dtype(is_fused)))
    from ..ops.creation import _place
    return Tensor._make(_place(np.array(value, dtype=scalar_dtype(is_fused)), None))


def real_pairs(a):
    """A complex array seen as its (real, imag) pairs: a real view with a trailing dim of 2."""
    xp = xp_of(a)
    r = a.real
    return xp.lib.stride_tricks.as_strided(r, a.shape + (2,), a.strides + (r.itemsize,))


class PairState:
    """A parameter's optimizer state as the update of a complex parameter reads it: its complex
    tensors as real views of their (real, imag) pairs (writes land in the real state)."""

    def __init__(self, state):
        self._state = state

    def __getitem__(self, key):
        v = self._state[key]
        if isinstance(v, Tensor) and v._data.dtype.kind == 'c':
            return Tensor._make(real_pairs(v._data))
        return v

    def get(self, key, default=None):
        return self[key] if key in self._state else default

    def __setitem__(self, key, value):
        self._state[key] = value

    def __contains__(self, key):
        return key in self._state


def zeros_state(p):
    """A zero tensor like parameter ``p`` (same shape, dtype, device and strides)."""
    return Tensor._make(xp_of(p._data).zeros_like(p._data))


def bump(*tensors):
    """Record an in-place change, like an in-place op does."""
    for t in tensors:
        t._vc[0] += 1


def scratch(a, cache):
    """A work array shaped like ``a`` (contents undefined), carved from one flat buffer per
    (array module, dtype) in ``cache``, so an optimizer step allocates it once, not per tensor."""
    xp = xp_of(a)
    key = (xp, a.dtype)
    buf = cache.get(key)
    if buf is None or buf.size < a.size:
        buf = cache[key] = xp.empty(a.size, a.dtype)
    return buf[:a.size].reshape(a.shape)


def scratch_blocks(cache, *arrays):
    """``blocks(*arrays)`` with a scratch piece (``scratch``) added last to each tuple."""
    for piece in blocks(*arrays):
        yield piece + (scratch(piece[0], cache),)


BLOCK = 1 << 16


def blocks(*arrays):
    """The arrays (same size) cut into matching flat pieces of ``BLOCK`` elements, so that a chain of
    in-place updates runs on pieces that stay in the CPU cache: an update of 1M-element tensors makes
    one trip through memory instead of one per operation (Adam: 40 -> 22 ms for 10M parameters). On
    a GPU, or for small or non-contiguous arrays, the arrays whole."""
    a0 = arrays[0]
    if a0.size <= BLOCK or xp_of(a0) is not np or not all(a.flags.c_contiguous for a in arrays):
        yield arrays
        return
    flat = [a.reshape(-1) for a in arrays]
    for k in range(0, a0.size, BLOCK):
        yield tuple(f[k:k + BLOCK] for f in flat)


def for_pieces(fn, arrays, *args):
    """``fn(*piece, *args)`` for each piece of ``arrays`` (``blocks``); None entries stay None."""
    present = [a for a in arrays if a is not None]
    for piece in blocks(*present):
        it = iter(piece)
        fn(*[None if a is None else next(it) for a in arrays], *args)


def lerp_(a, b, w, tmp=None):
    """a <- a + w * (b - a) in a's precision, PyTorch's two-branch form for accuracy.
    ``tmp``: optional scratch array shaped like ``a``."""
    xp = xp_of(a)
    d = xp.subtract(b, a, out=tmp) if tmp is not None else b - a
    if abs(w) < 0.5:
        d *= w
        a += d
    else:
        d *= (1.0 - w) if a.dtype == np.float64 else (1.0 - np.float32(w))
        xp.subtract(b, d, out=a)


def decay_and_moments(x, g, m, v, beta1, beta2, lr, wd, decoupled, tmp=None):
    """Adam's family, shared: weight decay (into the gradient, or decoupled on x), then the
    moments m <- lerp(m, g, 1 - beta1) and v <- beta2 v + (1 - beta2) g^2. Returns g as used.
    ``tmp``: optional scratch array shaped like ``x`` (its contents are overwritten)."""
    if wd != 0:
        if decoupled:
            x *= 1 - lr * wd
        else:
            g = g + wd * x
    lerp_(m, g, 1 - beta1, tmp)
    v *= beta2
    xp = xp_of(v)
    t = xp.multiply(g, 1 - beta2, out=tmp) if tmp is not None else g * (1 - beta2)
    t *= g
    v += t
    return g


def to_float(x):
    """A hyper-parameter as a Python number (a 1-element tensor lr is allowed, as in PyTorch)."""
    return x.item() if isinstance(x, Tensor) else x


_LABELS = {'eps': 'epsilon'}


def check_nonneg(**values):
    """PyTorch's ValueError for a negative hyper-parameter, checked in the order given."""
    for name, v in values.items():
        if not 0.0 <= v:
            raise ValueError(f'Invalid {_LABELS.get(name, name)} value: {v}')


def check_lr(lr):
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError('Tensor lr must be 1-element')
    if not 0.0 <= lr:
        raise ValueError(f'Invalid learning rate: {lr}')
