"""Scans along one dim: cumsum, cumprod, cummax/cummin (values + indices), logcumsumexp.

Each scan keeps the input's shape. ``dim`` is required, as in PyTorch. Integer and bool
inputs of cumsum/cumprod give int64 unless ``dtype=`` says otherwise. The reversed scans
(running from the end of the dim) that the gradients need are the same ops with
``reverse=True``, so double backward needs nothing extra.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ..autograd import grad_mode
from ..amp import autocast_mode as _amp  # autocast hook
from .arith import refuse_complex
from ._op import Op, apply, apply_inplace, write_into, requires_grad
from ._promote import xp
from .reduce import grad_dtype_check
from .return_types import make_return
from .shape import wrap_dim
from .dims import int_arg, dim_type_error, user_frame

__all__ = ['cumsum', 'cumprod', 'cummax', 'cummin', 'logcumsumexp']

_MISSING = object()
_LOW_FLOATS = (np.dtype(np.float16), _dtype.bfloat16.np)   # accumulated in float32


# ------------------------------------------------------------------ shared helpers

def need_dim(dim, fname, depth=None):
    """PyTorch's errors for a missing or non-integer ``dim`` (a NumPy integer or a 0-dim integer tensor
    is read as its int). ``depth``: the frames up to the user's call, for the argument's position."""
    if dim is _MISSING:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "dim"')
    if not isinstance(dim, int) or isinstance(dim, bool):
        d = int_arg(dim)
        if d is not None:
            return d
        if depth is not None:
            raise dim_type_error(fname, dim, user_frame(depth))
        from .dim_errors import parser_error
        raise parser_error(dim) or TypeError(f"{fname}(): argument 'dim' (position 1) must be int, not "
                                             f"{type(dim).__name__}")
    return dim


def write_out(out, result, fname):
    """Copy an op's result into the user's ``out=`` tensor(s) (resized when the shape differs)."""
    pairs = zip(out, result) if isinstance(result, tuple) else ((out, result),)
    pairs = list(pairs)
    if grad_mode.is_grad_enabled() and any(r.requires_grad for _, r in pairs):
        raise _out_grad_error(fname)
    for o, r in pairs:
        if o._data.shape != r._data.shape:
            o._data = xp(o._data).empty(r._data.shape, o._data.dtype)
        write_into(o, r._data)
    return out


def _out_grad_error(fname):
    return RuntimeError(f"{fname}(): functions with out=... arguments don't support automatic "
                        "differentiation, but one of the arguments requires grad.")


def _flip(a, d):
    """A reversed view of array ``a`` along axis ``d``."""
    return a[(slice(None),) * d + (slice(None, None, -1),)]


def _acc(a):
    return np.dtype(np.float32) if a.dtype in _LOW_FLOATS else a.dtype


def accumulate(ufunc, a, axis):
    """``ufunc.accumulate(a, axis)``. CuPy's ufuncs have no accumulate (but add/multiply), so
    on a device it is a log-step (Hillis-Steele) scan: ceil(log2(n)) whole-array steps."""
    m = xp(a)
    if m is np:
        return ufunc.accumulate(a, axis=axis)
    f, axis = getattr(m, ufunc.__name__), axis % a.ndim
    r = a.copy()
    n, shift = a.shape[axis], 1
    lead = (slice(None),) * axis
    while shift < n:
        r[lead + (slice(shift, None),)] = f(r[lead + (slice(None, n - shift),)],
                                            r[lead + (slice(shift, None),)])
        shift *= 2
    return r


def _contig(a):
    return xp(a).ascontiguousarray(a)


def _scan_dtype(a, dtype):
    if dtype is not None:
        return dtype.np
    return np.dtype(np.int64) if a.dtype.kind in 'biu' else a.dtype


def _no_bool(out_dt, a, fname):
    """PyTorch has no bool kernel for the running sum/product (an empty input skips the kernel)."""
    if out_dt == np.bool_ and a.size:
        raise NotImplementedError(f'"{fname}_out_cpu" not implemented for \'Bool\'')


def _cast_grad(g, np_dtype):
    if g._data.dtype == np_dtype:
        return g
    if g._data.dtype.kind == 'c' and np_dtype.kind != 'c':      # a real input: the real part
        from .arith import real_part
        g = real_part(g)
    return g.to(_dtype._FROM_NP[np_dtype])


# ------------------------------------------------------------------ cumsum / cumprod

class CumsumBackward0(Op):
    """Running sum; ``reverse`` runs from the end (the gradient of the forward scan)."""

    def forward(self, a, dim, dtype=None, reverse=False):
        d = wrap_dim(dim, a.ndim)
        self.dim, self.reverse, self.in_dtype = d, reverse, a.dtype
        out_dt = _scan_dtype(a, dtype)
        src = a.astype(out_dt, copy=False)
        if a.ndim == 0:
            return src.copy()
        _no_bool(out_dt, a, 'cumsum')
        acc = _acc(src)
        if reverse:
            r = _flip(xp(a).cumsum(_flip(src, d), axis=d, dtype=acc), d)
        else:
            r = xp(a).cumsum(src, axis=d, dtype=acc)
        return _contig(r.astype(out_dt, copy=False))

    def backward(self, g):
        r = apply(CumsumBackward0, g, dim=self.dim, reverse=not self.reverse)
        return _cast_grad(r, self.in_dtype)


def _revcumsum(t, d):
    return apply(CumsumBackward0, t, dim=d, reverse=True)


class CumprodBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dim, dtype=None):
        d = wrap_dim(dim, a.ndim)
        self.dim = d
        out_dt = _scan_dtype(a, dtype)
        src = a.astype(out_dt, copy=False)
        if a.ndim == 0:
            return src.copy()
        _no_bool(out_dt, a, 'cumprod')
        return _contig(xp(a).cumprod(src, axis=d, dtype=_acc(src)).astype(out_dt, copy=False))

    def backward(self, g):
        x, out = self.saved_tensors
        in_dt = x._data.dtype
        x = _cast_grad(x, out._data.dtype)
        if x._data.dtype.kind == 'c':        # g * conj(derivative): the derivative from conjugated factors
            x, out = x.conj(), out.conj()
        return _cast_grad(_cumprod_grad(x, out, g, self.dim), in_dt)


def _cumprod_grad(x, out, g, d):
    """d(cumprod)/dx applied to ``g``: exact also where x has zeros.

    grad_j = sum_{i >= j} g_i * prod_{k <= i, k != j} x_k. Before the first zero of a slice
    that is revcumsum(g * out) / x; at the first zero it is revcumsum(g * cumprod(x with that
    zero set to 1)); after it, 0. That O(n) form is not the right function to differentiate
    again, so when a graph is being built (double backward) the O(n^2) form is used."""
    from .compare import where
    if x.ndim == 0 or x.shape[d] <= 1:
        return g
    zero = x == 0
    if not bool(zero.any()):
        return _revcumsum(g * out, d) / x
    if grad_mode.is_grad_enabled():
        return _cumprod_grad_quadratic(x, g, d)
    seen = zero.cumsum(d)
    before = seen == 0                       # no zero up to and including j
    first = zero & (seen == 1)               # the first zero of the slice
    part_before = _revcumsum(g * out, d) / where(before, x, 1.0)
    part_first = _revcumsum(g * apply(CumprodBackward0, where(first, 1.0, x), dim=d), d)
    return where(before, part_before, where(first, part_first, 0.0))


def _cumprod_grad_quadratic(x, g, d):
    """The same sum built from an n x n expansion: differentiable any number of times."""
    from .compare import where
    from .creation import eye
    from .ranges import arange
    xt, gt = x.transpose(d, -1), g.transpose(d, -1)
    n = xt.shape[-1]
    full = xt.unsqueeze(-2).expand(*xt.shape[:-1], n, n)              # [..., j, k] = x_k
    skip_j = where(eye(n, dtype=_dtype.bool_, device=x.device), 1.0, full)
    partial = apply(CumprodBackward0, skip_j, dim=-1)                  # [..., j, i]
    pos = arange(n, device=x.device)
    upper = pos.unsqueeze(0) >= pos.unsqueeze(1)                       # i >= j
    res = (where(upper, partial, 0.0) * gt.unsqueeze(-2)).sum(-1)
    return res.transpose(d, -1)


def _inplace_dtype(self, dtype, fname):
    if self.dtype == _dtype.bool_:
        raise NotImplementedError(f'"{fname}_out_cpu" not implemented for \'Bool\'')
    if dtype is not None and dtype != self.dtype:
        raise RuntimeError(f'Bad in-place call: input tensor dtype {_cpp_name(self.dtype)} and output '
                           f'tensor dtype {_cpp_name(dtype)} should match')
    return self.dtype


_CPP = {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16',
        'int64': 'long int', 'int32': 'int', 'int16': 'short int', 'int8': 'signed char',
        'uint8': 'unsigned char', 'bool': 'bool'}


def _cpp_name(d):
    return _CPP.get(d.name if hasattr(d, 'name') else str(d), str(d))


def _scan(cls, fname):
    def f(input, dim=_MISSING, *, dtype=None, out=None):
        if _amp.state.on and _amp.fp32(fname, input):  # autocast hook (ember.amp)
            return _amp.call_fp32(f, input, dim, dtype=dtype, out=out)
        r = apply(cls, input, dim=need_dim(dim, fname, 2), dtype=dtype)
        if dtype is not None and not r.requires_grad and grad_mode.is_grad_enabled() and requires_grad(input):
            # an integer dtype= on a grad-requiring input: refused once computed (dim errors come first)
            if out is not None:
                raise _out_grad_error(fname)
            grad_dtype_check(input, dtype)
        return r if out is None else write_out(out, r, fname)

    def f_(self, dim=_MISSING, *, dtype=None):
        dim = need_dim(dim, fname + '_', 2)
        return apply_inplace(cls, self, dim=dim, dtype=_inplace_dtype(self, dtype, fname))
    f.__name__, f_.__name__ = fname, fname + '_'
    f.__doc__ = f'{fname}(input, dim, *, dtype=None, out=None): the running {fname[3:]} along dim.'
    return f, f_


cumsum, cumsum_ = _scan(CumsumBackward0, 'cumsum')
cumprod, cumprod_ = _scan(CumprodBackward0, 'cumprod')


# ------------------------------------------------------------------ cummax / cummin

class _CumExtreme(Op):
    """(values, indices): the running extreme and the index it came from.

    Ties take the latest index; once a NaN is seen the values stay NaN and the index
    follows the latest NaN (as PyTorch)."""
    nondiff_outputs = (1,)
    n_outputs = 2
    ufunc = None
    _free = ('idx',)

    def forward(self, a, dim):
        d = wrap_dim(dim, a.ndim)
        self.dim, self.shape = d, a.shape
        m = xp(a)
        if a.ndim == 0:
            return a.copy(), m.zeros((), np.int64)
        work = a.view(np.uint8) if a.dtype == np.bool_ else a
        values = accumulate(self.ufunc, work, axis=d)
        hit = work == values
        if a.dtype.kind == 'f' or a.dtype == _dtype.bfloat16.np:
            hit |= m.isnan(work)
        pos = m.arange(a.shape[d], dtype=np.int64).reshape((-1,) + (1,) * (a.ndim - d - 1))
        idx = accumulate(np.maximum, m.where(hit, pos, 0), axis=d)
        self.idx = idx
        return _contig(values.view(np.bool_) if a.dtype == np.bool_ else values), _contig(idx)

    def backward(self, g, _):
        if not self.shape:
            return g
        from .gather import scatter_add     # zeros with g summed in at the chosen indices
        zeros = Tensor._make(xp(g._data).zeros(self.shape, g._data.dtype))
        return scatter_add(zeros, self.dim, Tensor._make(self.idx), g)


class CummaxBackward0(_CumExtreme):
    ufunc = np.maximum


class CumminBackward0(_CumExtreme):
    ufunc = np.minimum


def _cum_extreme(cls, fname):
    def f(input, dim=_MISSING, *, out=None):
        refuse_complex(input, fname + '_cpu')
        values, indices = apply(cls, input, dim=need_dim(dim, fname))
        if out is not None:
            values, indices = write_out(tuple(out), (values, indices), fname)
        return make_return(fname, values, indices)
    f.__name__ = fname
    f.__doc__ = f'{fname}(input, dim): named tuple (values, indices) of the running {fname[3:]}.'
    return f


cummax = _cum_extreme(CummaxBackward0, 'cummax')
cummin = _cum_extreme(CumminBackward0, 'cummin')


# ------------------------------------------------------------------ logcumsumexp

class LogcumsumexpBackward0(Op):
    """log(cumsum(exp(x))) without overflow; ``reverse`` runs from the end of the dim."""
    saves = (0,)
    saves_output = True

    def forward(self, a, dim, reverse=False):
        if a.dtype.kind in 'biu':
            name = _scalar_name(_dtype._FROM_NP[a.dtype])
            raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{name}\'')
        d = wrap_dim(dim, a.ndim)
        self.dim, self.reverse = d, reverse
        if a.ndim == 0:
            return a.copy()
        src = a.astype(_acc(a), copy=False)
        if a.dtype.kind == 'c':
            return _contig(_complex_logcumsumexp(_flip(src, d) if reverse else src, d, reverse))
        if reverse:
            r = _flip(accumulate(np.logaddexp, _flip(src, d), axis=d), d)
        else:
            r = accumulate(np.logaddexp, src, axis=d)
        return _contig(r.astype(a.dtype, copy=False))

    def backward(self, g):
        # grad_j = sum over the outputs i the scan of j reaches: g_i * exp(x_j - out_i); the
        # positive and negative parts of g are summed in log space, so nothing overflows.
        from .compare import where
        x, out = self.saved_tensors
        if x.ndim == 0 or x.numel() == 0:
            return g
        if x._data.dtype.kind == 'c':    # sum over i >= j of g_i conj(exp(x_j - out_i)) (not overflow-safe)
            scan = _revcumsum if not self.reverse else (lambda t, d: apply(CumsumBackward0, t, dim=d))
            return scan(g * (-out).exp().conj(), self.dim) * x.exp().conj()
        lowest = float(np.finfo(x._data.dtype).min) if x._data.dtype.kind == 'f' else -3.0e38
        log_abs = g.abs().log()
        pos = where(g > 0, log_abs, lowest)
        neg = where(g < 0, log_abs, lowest)

        def back_scan(t):
            return apply(LogcumsumexpBackward0, t, dim=self.dim, reverse=not self.reverse)
        return (back_scan(pos - out) + x).exp() - (back_scan(neg - out) + x).exp()


def _complex_logcumsumexp(a, d, reverse):
    """Running complex logaddexp along axis ``d``, one step per position (``a`` already flipped when
    ``reverse``; the result is flipped back)."""
    from ._complex import logaddexp as _logaddexp_complex
    m = xp(a)
    cols = m.moveaxis(a, d, 0)
    out = m.empty_like(cols)
    out[0] = cols[0]
    for i in range(1, cols.shape[0]):
        out[i] = _logaddexp_complex(out[i - 1], cols[i])
    r = m.moveaxis(out, 0, d)
    return _flip(r, d) if reverse else r


def logcumsumexp(input, dim=_MISSING, *, out=None):
    """log of the running sum of exp(input) along dim, computed stably."""
    r = apply(LogcumsumexpBackward0, input, dim=need_dim(dim, 'logcumsumexp', 2))
    return r if out is None else write_out(out, r, 'logcumsumexp')


METHODS = {'cumsum': cumsum, 'cumsum_': cumsum_, 'cumprod': cumprod, 'cumprod_': cumprod_,
           'cummax': cummax, 'cummin': cummin, 'logcumsumexp': logcumsumexp}
