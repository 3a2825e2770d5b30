"""Reductions: sum, mean, prod, sum_to_size, any/all (extremes.py has max/min, stats.py std/var/norm)."""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import _scalar_name
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply, requires_grad, _local
from ._promote import as_array
from .shape import wrap_dim, int_arg
from .sum_order import torch_sum
from .sum_order_half import torch_sum_half


def _item(d):
    """A dim of an int list given as a one-element integer tensor (PyTorch reads it)."""
    i = int_arg(d, item=True)
    return d if i is None else i


def _dims(dim, ndim):
    """Normalised tuple of reduced dims (all dims for None or empty)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        ds = tuple(wrap_dim(d if d.__class__ is int else _item(d), ndim) for d in dim)
        if len(set(ds)) != len(ds):
            raise RuntimeError(f'dim {ds[0]} appears multiple times in the list of dims')
        return ds if ndim else ()
    d = wrap_dim(dim if dim.__class__ is int else _item(dim), ndim)
    return (d,) if ndim else ()       # a 0-dim tensor accepts dim 0 / -1 and reduces nothing


def _expand_back(g, in_shape, dims, keepdim):
    """Gradient of a reduction: restore the reduced dims and broadcast."""
    if not keepdim and dims and g.ndim != len(in_shape):
        shape = list(in_shape)
        for d in dims:
            shape[d] = 1
        g = g.reshape(shape)
    return g.expand(in_shape)


_F32 = np.dtype(np.float32)
_F16 = np.dtype(np.float16)
_HALF = frozenset((np.dtype(np.float16), _dtype.bfloat16.np))     # accumulated in float32


def _real_part(a, nd):
    """A complex ``a`` reduced into a real dtype ``nd``: its real part, with PyTorch's one-time
    UserWarning (NumPy would warn ComplexWarning on every call)."""
    from .from_data import drop_imag
    return drop_imag(a, nd)


def _acc_dtype(a, dtype):
    """Result dtype of sum/prod: ``dtype`` if given, int64 for integers, else a's dtype."""
    if dtype is not None:
        return dtype.np
    if a.dtype.kind in 'biu':
        return np.dtype(np.int64)
    return a.dtype


def _sum(a, axis, keepdim, dtype):
    """float16/bfloat16 accumulate in float32 and are rounded once at the end, as in PyTorch."""
    out = _acc_dtype(a, dtype)
    if dtype is not None and a.dtype.kind == 'c':
        a = _real_part(a, out)
    acc = _F32 if out in _HALF else out
    # the ufunc itself on host arrays: ndarray.sum's NumPy-side wrapper would attribute an inf - inf
    # warning to NumPy's module, past ember's filter (see _quiet_numpy)
    if type(a) is np.ndarray:
        r = _torch_order(a, axis, keepdim, out)
        if r is not None:
            return as_array(r)
        r = np.add.reduce(a, axis=axis, keepdims=keepdim, dtype=acc)
    else:
        r = a.sum(axis=axis, keepdims=keepdim, dtype=acc)
    return as_array(r if acc is out else r.astype(out))


def _torch_order(a, axis, keepdim, dt):
    """A float sum into ``dt`` in PyTorch's order (the input cast to ``dt`` first, as PyTorch does);
    None where sum_order does not reproduce it (NumPy sums then)."""
    if a.dtype.kind == 'c' or not (dt in _HALF or dt.kind == 'f' and dt.itemsize > 2):
        return None
    a = a if a.dtype == dt else a.astype(dt)
    return torch_sum_half(a, axis, keepdim) if dt.itemsize == 2 else torch_sum(a, axis, keepdim)


def upcast_half(a):
    """``a`` as float32 when it is float16/bfloat16 (for ops that must accumulate in float32
    and round once at the end), else ``a`` itself."""
    return a.astype(_F32) if a.dtype in _HALF else a


def half_in_float32(forward):
    """An op's ``forward(self, a, ...)`` computed in float32 for a float16/bfloat16 ``a`` and
    rounded once to a's dtype at the end (PyTorch's reductions accumulate so)."""
    def wrapped(self, a, *args, **kw):
        if a.dtype not in _HALF:
            return forward(self, a, *args, **kw)
        return forward(self, a.astype(_F32), *args, **kw).astype(a.dtype)
    wrapped.__name__, wrapped.__doc__ = forward.__name__, forward.__doc__
    return wrapped


def half_backward_in_float32(backward, dtypes=_HALF):
    """Decorate an op's ``backward(self, g, *saved)`` (the upstream gradient, then the saved tensors):
    for a float16/bfloat16 ``g`` the gradient and the half saved tensors arrive as float32 and every
    gradient returned is rounded once to g's dtype, as PyTorch's fused backward kernels compute. The
    casts are Tensor ops, so create_graph still differentiates through them; other dtypes (or the half
    dtypes not in ``dtypes``, where PyTorch's kernel computes in the half type) pass straight through."""
    def wrapped(self, g):
        saved = self.saved_tensors
        if g._data.dtype not in dtypes:
            return backward(self, g, *saved)
        dt = g.dtype
        r = backward(self, g.float(), *(t.float() if getattr(t, '_data', None) is not None
                                        and t._data.dtype in _HALF else t for t in saved))
        if type(r) is tuple:
            return tuple(None if t is None else t.to(dt) for t in r)
        return r.to(dt)
    wrapped.__name__, wrapped.__doc__ = backward.__name__, backward.__doc__
    return wrapped


class SumBackward0(Op):
    """sum of all elements"""

    def forward(self, a, dtype=None):
        self.in_shape = a.shape
        return _sum(a, None, False, dtype)

    def backward(self, g):
        return g.expand(self.in_shape)


class SumBackward1(Op):
    """sum over dims"""

    def forward(self, a, dim, keepdim=False, dtype=None):
        self.in_shape, self.keepdim = a.shape, keepdim
        self.dims = _dims(dim, a.ndim)
        return _sum(a, self.dims, keepdim, dtype)

    def backward(self, g):
        return _expand_back(g, self.in_shape, self.dims, self.keepdim)


_UNSET = object()      # dim not given: the all-elements node (SumBackward0); dim=None: the dims one


def grad_dtype_check(input, dtype):
    """PyTorch's set_history check: a grad-requiring input cannot give an integer or bool result."""
    if dtype is not None and dtype.np.kind in 'biu' and _local.enabled and requires_grad(input):
        raise RuntimeError(f'Autograd not support dtype: {_scalar_name(dtype)}')


def sum(input, dim=_UNSET, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _into_out(_sum_node, 'sum', input, dim, keepdim, dtype, out)
    if dtype is not None:
        grad_dtype_check(input, dtype)
    elif dim is _UNSET and not keepdim and not _amp.state.on:      # the common x.sum(): straight to its node
        return apply(SumBackward0, input)
    return _sum_node(input, dim, keepdim, dtype)


def _sum_node(input, dim, keepdim, dtype):
    if _amp.state.on and _amp.fp32('sum', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(sum, input, dim, keepdim, dtype=dtype)
    if dim is _UNSET and not keepdim:
        return apply(SumBackward0, input, dtype=dtype)
    return apply(SumBackward1, input, dim=None if dim is _UNSET else dim, keepdim=keepdim, dtype=dtype)


def sum_to_size(self, *size):
    """As PyTorch's at::sum_to: sum(dims, keepdim=True), then a view dropping leading dims."""
    from .shape import _sizes
    shape = _sizes(size)
    if not _expandable(shape, self.shape):
        raise RuntimeError(f'size {{{list(shape)}}} is not expandable to size {{{list(self.shape)}}}.')
    if tuple(shape) == tuple(self.shape):
        return self
    if not shape:
        return apply(SumBackward0, self)
    lead = self.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape)
                                       if s == 1 and self.shape[lead + i] != 1)
    out = apply(SumBackward1, self, dim=dims, keepdim=True) if dims else self
    return out.view(shape) if lead else out


def _expandable(shape, target):
    if len(shape) > len(target):
        return False
    for s, t in zip(reversed(shape), reversed(target)):
        if s != t and s != 1:
            return False
    return True


def _float_check(a, fname, dtype):
    if dtype is None and a.dtype.kind in 'biu':
        raise RuntimeError(f'{fname}(): could not infer output dtype. Input dtype must be either a '
                           f'floating point or complex dtype. Got: {_scalar_name(_dtype._FROM_NP[a.dtype])}')
    if dtype is not None and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f'{fname}(): could not infer output dtype. Optional dtype must be either a '
                           f'floating point or complex dtype. Got: {_scalar_name(dtype)}')


def _mean(a, axis, keepdim, dtype):
    """NumPy's mean, without its warning for empty slices (PyTorch just gives nan)."""
    out = a.dtype if dtype is None else dtype.np
    if dtype is not None and a.dtype.kind == 'c':
        a = _real_part(a, out)
    acc = _F32 if out in _HALF else out
    if a.size and type(a) is np.ndarray:    # the ufunc itself: warnings attributed to ember (see _sum)
        s = _torch_order(a, axis, keepdim, acc)
        if s is None:
            s = np.add.reduce(a, axis=axis, keepdims=keepdim, dtype=acc)
        r = np.true_divide(s, a.size // s.size)
    elif a.size:
        r = a.mean(axis=axis, keepdims=keepdim, dtype=acc)
    else:
        with np.errstate(invalid='ignore', divide='ignore'), warnings.catch_warnings():
            warnings.simplefilter('ignore', RuntimeWarning)
            r = a.mean(axis=axis, keepdims=keepdim, dtype=acc)
    return as_array(r if acc is out else r.astype(out))


class MeanBackward0(Op):
    def forward(self, a, dtype=None):
        _float_check(a, 'mean', dtype)
        self.in_shape, self.n = a.shape, a.size
        return _mean(a, None, False, dtype)

    def backward(self, g):
        return (g / self.n).expand(self.in_shape)


class MeanBackward1(Op):
    def forward(self, a, dim, keepdim=False, dtype=None):
        _float_check(a, 'mean', dtype)
        self.in_shape, self.keepdim = a.shape, keepdim
        self.dims = _dims(dim, a.ndim)
        n = 1
        for d in self.dims:
            n *= a.shape[d]
        self.n = n
        return _mean(a, self.dims, keepdim, dtype)

    def backward(self, g):
        return _expand_back(g / self.n, self.in_shape, self.dims, self.keepdim)


def mean(input, dim=_UNSET, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _into_out(_mean_node, 'mean', input, dim, keepdim, dtype, out)
    return _mean_node(input, dim, keepdim, dtype)


def _mean_node(input, dim, keepdim, dtype):
    if dim is _UNSET and not keepdim:
        return apply(MeanBackward0, input, dtype=dtype)
    return apply(MeanBackward1, input, dim=None if dim is _UNSET else dim, keepdim=keepdim, dtype=dtype)


class ProdBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dtype=None):
        return _prod(a, None, False, _acc_dtype(a, dtype))

    def backward(self, g):
        x, out = _conj(*self.saved_tensors)
        return g * _prod_others(x, out, None)


class ProdBackward1(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dim, keepdim=False, dtype=None):
        self.dim, self.keepdim = wrap_dim(dim, a.ndim), keepdim
        return _prod(a, self.dim, keepdim, _acc_dtype(a, dtype))

    def backward(self, g):
        x, out = _conj(*self.saved_tensors)
        if not self.keepdim and x.ndim:
            g, out = g.unsqueeze(self.dim), out.unsqueeze(self.dim)
        return g * _prod_others(x, out, self.dim)


def _conj(*ts):
    # complex gradients are g * conj(derivative): the derivative of a product, from conjugated factors
    return [t.conj() if t._data.dtype.kind == 'c' else t for t in ts]


def _prod(a, axis, keepdim, nd):
    """PyTorch multiplies float16 one element after another, rounding each step (NumPy's float16
    product does not, its bfloat16 one does)."""
    if a.dtype.kind == 'c':
        a = _real_part(a, nd)
    if nd != _F16 or a.size == 0 or a.ndim == 0:
        return as_array(a.prod(axis=axis, keepdims=keepdim, dtype=nd))
    x = a.astype(nd, copy=False)
    if axis is None:
        r = np.multiply.accumulate(x.reshape(-1))[-1]
        return as_array(r.reshape((1,) * a.ndim) if keepdim else r)
    r = np.multiply.accumulate(x, axis=axis)[(slice(None),) * axis + (slice(-1, None),)]
    return r if keepdim else r.squeeze(axis)


def _prod_others(x, out, dim):
    """For each element, the product of all the other elements along ``dim`` (all if None).

    Without zeros that is out / x. With zeros it is the product over an n x n expansion
    whose diagonal is 1: exact, and differentiable again (double backward)."""
    from .compare import where
    if x.ndim == 0:
        return x * 0 + 1
    if not bool((x == 0).any()):
        return out / x
    from .creation import eye
    flat = x.reshape(-1) if dim is None else x.transpose(dim, -1)
    n = flat.shape[-1]
    diag = eye(n, dtype=_dtype.bool_, device=x.device)
    others = where(diag, 1.0, flat.unsqueeze(-2).expand(*flat.shape[:-1], n, n)).prod(-1)
    return others.reshape(x.shape) if dim is None else others.transpose(dim, -1)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    if out is not None:
        return _into_out(_prod_node, 'prod', input, dim, keepdim, dtype, out)
    grad_dtype_check(input, dtype)
    return _prod_node(input, dim, keepdim, dtype)


def _prod_node(input, dim, keepdim, dtype):
    if _amp.state.on and _amp.fp32('prod', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(prod, input, dim, keepdim, dtype=dtype)
    if dim is None or dim is _UNSET:
        return apply(ProdBackward0, input, dtype=dtype)
    return apply(ProdBackward1, input, dim=dim, keepdim=keepdim, dtype=dtype)


def _into_out(fn, name, input, dim, keepdim, dtype, out):
    """sum/mean/prod with ``out=``: computed in out's dtype (``dtype=``, when given, must be it; mean
    first checks that its float result may be cast there), then written into out."""
    from .arith_support import check_out
    if (dim is _UNSET or (dim is None and name == 'prod')) and name != 'mean':
        raise TypeError(f'{name}() received an invalid combination of arguments - got (Tensor, out=Tensor), '
                        'but expected one of:')
    if dtype is not None and _dtype.to_dtype(dtype) != out.dtype:
        from .matmul import CPP_NAMES
        want, got = (CPP_NAMES[_scalar_name(d)] for d in (_dtype.to_dtype(dtype), out.dtype))
        raise RuntimeError(f'Expected out tensor to have dtype {want}, but got {got} instead')
    if name == 'mean' and dtype is None:
        from ._op import cast_check
        _float_check(input._data, 'mean', None)
        cast_check(input._data.dtype, out)
    if out.dtype.np.kind in 'biu' and _local.enabled and requires_grad(input):    # no graph for an int result
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    return check_out(out, fn(input, dim, keepdim, out.dtype), name)


class Logic(Op):
    differentiable = False

    def forward(self, a, dim=None, keepdim=False, fn=None):
        axis = None if dim is None else _dims(dim, a.ndim)
        r = as_array(fn(a, axis=axis, keepdims=keepdim))
        return r.astype(np.uint8) if a.dtype == np.uint8 else r     # uint8 in, uint8 out


def any(input, dim=None, keepdim=False, *, out=None):
    r = apply(Logic, input, dim=dim, keepdim=keepdim, fn=np.any)
    return r if out is None else _logic_out('any', r, out)


def all(input, dim=None, keepdim=False, *, out=None):
    r = apply(Logic, input, dim=dim, keepdim=keepdim, fn=np.all)
    return r if out is None else _logic_out('all', r, out)


def _logic_out(name, r, out):
    """any/all write a bool (or uint8) ``out=``."""
    from .arith_support import check_out
    if out.dtype not in (_dtype.bool_, _dtype.uint8):
        raise RuntimeError(f'{name} only supports bool tensor for result, got: {_scalar_name(out.dtype)}')
    return check_out(out, r.to(out.dtype), name)
