"""Reductions: sum, mean, prod, max/min, amax/amin, argmax/argmin, std/var, norm, any/all."""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ._op import Op, apply
from .shape import wrap_dim
from .return_types import make_return


def _dims(dim, ndim):
    """Normalised tuple of reduced dims (all dims for None or empty)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        ds = tuple(wrap_dim(d, ndim) for d in dim)
        if len(set(ds)) != len(ds):
            raise RuntimeError(f'dim {ds[0]} appears multiple times in the list of dims')
        return ds if ndim else ()
    d = wrap_dim(dim, ndim)
    return (d,) if ndim else ()       # a 0-dim tensor accepts dim 0 / -1 and reduces nothing


def _expand_back(g, in_shape, dims, keepdim):
    """Gradient of a reduction: restore the reduced dims and broadcast."""
    if not keepdim and dims and g.ndim != len(in_shape):
        shape = list(in_shape)
        for d in dims:
            shape[d] = 1
        g = g.reshape(shape)
    return g.expand(in_shape)


def _acc_dtype(a, dtype):
    if dtype is not None:
        return dtype.np
    if a.dtype.kind in 'biu':
        return np.dtype(np.int64)
    return a.dtype


class SumBackward0(Op):
    """sum of all elements"""

    def forward(self, a, dtype=None):
        self.in_shape = a.shape
        return np.asarray(a.sum(dtype=_acc_dtype(a, dtype)))

    def backward(self, g):
        return g.expand(self.in_shape)


class SumBackward1(Op):
    """sum over dims"""

    def forward(self, a, dim, keepdim=False, dtype=None):
        self.in_shape, self.keepdim = a.shape, keepdim
        self.dims = _dims(dim, a.ndim)
        return np.asarray(a.sum(axis=self.dims, keepdims=keepdim, dtype=_acc_dtype(a, dtype)))

    def backward(self, g):
        return _expand_back(g, self.in_shape, self.dims, self.keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None):
    if dim is None:
        return apply(SumBackward0, input, dtype=dtype)
    return apply(SumBackward1, input, dim=dim, keepdim=keepdim, dtype=dtype)


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
    if dtype is not None and not dtype.is_floating_point:
        raise RuntimeError(f'{fname}(): could not infer output dtype. Optional dtype must be either a '
                           f'floating point or complex dtype. Got: {_scalar_name(dtype)}')


def _mean(a, axis, keepdim, dtype):
    """NumPy's mean, without its warning for empty slices (PyTorch just gives nan)."""
    dt = None if dtype is None else dtype.np
    if a.size:
        return np.asarray(a.mean(axis=axis, keepdims=keepdim, dtype=dt))
    with np.errstate(invalid='ignore', divide='ignore'), warnings.catch_warnings():
        warnings.simplefilter('ignore', RuntimeWarning)
        return np.asarray(a.mean(axis=axis, keepdims=keepdim, dtype=dt))


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


def mean(input, dim=None, keepdim=False, *, dtype=None):
    if dim is None:
        return apply(MeanBackward0, input, dtype=dtype)
    return apply(MeanBackward1, input, dim=dim, keepdim=keepdim, dtype=dtype)


class ProdBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dtype=None):
        return np.asarray(a.prod(dtype=_acc_dtype(a, dtype)))

    def backward(self, g):
        x, out = self.saved_tensors
        return g * _prod_others(x, out, None)


class ProdBackward1(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dim, keepdim=False, dtype=None):
        self.dim, self.keepdim = wrap_dim(dim, a.ndim), keepdim
        return np.asarray(a.prod(axis=self.dim, keepdims=keepdim, dtype=_acc_dtype(a, dtype)))

    def backward(self, g):
        x, out = self.saved_tensors
        if not self.keepdim and x.ndim:
            g, out = g.unsqueeze(self.dim), out.unsqueeze(self.dim)
        return g * _prod_others(x, out, self.dim)


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


def prod(input, dim=None, keepdim=False, *, dtype=None):
    if dim is None:
        return apply(ProdBackward0, input, dtype=dtype)
    return apply(ProdBackward1, input, dim=dim, keepdim=keepdim, dtype=dtype)


# ------------------------------------------------------------------ max / min

def _empty_check(a, fname, dims=None):
    if a.size == 0 and (dims is None or 0 in [a.shape[d] for d in dims]):
        if dims is None:
            raise RuntimeError(f'{fname}(): Expected reduction dim to be specified for input.numel() == 0. '
                               'Specify the reduction dim with the \'dim\' argument.')
        raise IndexError(f'{fname}(): Expected reduction dim {dims[0]} to have non-zero size.')


class _FullExtreme(Op):
    """max()/min() of all elements: ties share the gradient evenly."""
    saves = (0,)
    saves_output = True
    fn = None

    def forward(self, a):
        _empty_check(a, self.fname)
        return np.asarray(self.fn(a))

    def backward(self, g):
        x, out = self.saved_tensors
        mask = x == out
        return mask * (g / mask.sum())


class MaxBackward1(_FullExtreme):
    fn, fname = staticmethod(np.max), 'max'


class MinBackward1(_FullExtreme):
    fn, fname = staticmethod(np.min), 'min'


class _DimExtreme(Op):
    """max(dim)/min(dim): (values, indices); the gradient goes to the index chosen."""
    nondiff_outputs = (1,)
    n_outputs = 2
    arg = None

    def forward(self, a, dim, keepdim=False):
        d = wrap_dim(dim, a.ndim)
        _empty_check(a, self.fname, (d,))
        self.in_shape, self.dim, self.keepdim = a.shape, d, keepdim
        if a.ndim == 0:
            return a.copy(), np.zeros((), np.int64)
        idx = np.expand_dims(self.arg(a, axis=d), d)
        values = np.take_along_axis(a, idx, axis=d)
        self.idx = idx
        if not keepdim:
            values, idx = values.squeeze(d), idx.squeeze(d)
        return values, idx.astype(np.int64)

    def backward(self, g, _):
        if not self.in_shape:
            return g
        if not self.keepdim:
            g = g.unsqueeze(self.dim)
        return apply(IndexEmbed, g, idx=self.idx, dim=self.dim, shape=self.in_shape)

    _free = ('idx',)


def _nan_arg(f, nanf):
    def arg(a, axis):
        idx = f(a, axis=axis)
        if a.dtype.kind == 'f':
            nan = np.isnan(a)
            if nan.any():       # PyTorch propagates NaN: the first NaN of a slice wins
                return np.where(nan.any(axis=axis), np.argmax(nan, axis=axis), idx)
        return idx
    return arg


class MaxBackward0(_DimExtreme):
    arg, fname = staticmethod(_nan_arg(np.argmax, np.nanargmax)), 'max'


class MinBackward0(_DimExtreme):
    arg, fname = staticmethod(_nan_arg(np.argmin, np.nanargmin)), 'min'


class IndexEmbed(Op):
    """Scatter a gradient into zeros at given indices along a dim (take_along_axis backward)."""

    def forward(self, g, idx, dim, shape):
        self.idx, self.dim = idx, dim
        out = np.zeros(shape, g.dtype)
        np.put_along_axis(out, idx, g, axis=dim)
        return out

    def backward(self, gg):
        return apply(TakeAlong, gg, idx=self.idx, dim=self.dim)

    def name(self):
        return 'ValueSelectingReductionBackwardBackward0'


class TakeAlong(Op):
    def forward(self, a, idx, dim):
        self.idx, self.dim, self.shape = idx, dim, a.shape
        return np.take_along_axis(a, idx, axis=dim)

    def backward(self, g):
        return apply(IndexEmbed, g, idx=self.idx, dim=self.dim, shape=self.shape)

    def name(self):
        return 'GatherBackward0'


def _extreme(full_cls, dim_cls, binary, name):
    def f(input, dim=None, keepdim=False, *, out=None):
        if isinstance(dim, Tensor):
            return binary(input, dim)
        if dim is None:
            return apply(full_cls, input)
        values, indices = apply(dim_cls, input, dim=dim, keepdim=keepdim)
        return make_return(name, values, indices)
    return f


def _maximum(a, b):
    from .minmax import maximum
    return maximum(a, b)


def _minimum(a, b):
    from .minmax import minimum
    return minimum(a, b)


max = _extreme(MaxBackward1, MaxBackward0, _maximum, 'max')
min = _extreme(MinBackward1, MinBackward0, _minimum, 'min')


class _AExtreme(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dim=(), keepdim=False):
        self.dims, self.keepdim = _dims(dim, a.ndim), keepdim
        _empty_check(a, self.fname, None if dim is None or dim == () or dim == [] else self.dims)
        return np.asarray(self.fn(a, axis=self.dims, keepdims=keepdim))

    def backward(self, g):
        x, out = self.saved_tensors
        if not self.keepdim:
            shape = list(x.shape)
            for d in self.dims:
                shape[d] = 1
            out, g = out.reshape(shape), g.reshape(shape)
        mask = x == out
        return mask * (g / mask.sum(self.dims, keepdim=True))


class AmaxBackward0(_AExtreme):
    fn, fname = staticmethod(np.max), 'amax'


class AminBackward0(_AExtreme):
    fn, fname = staticmethod(np.min), 'amin'


def amax(input, dim=(), keepdim=False):
    return apply(AmaxBackward0, input, dim=dim, keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    return apply(AminBackward0, input, dim=dim, keepdim=keepdim)


class ArgExtreme(Op):
    differentiable = False

    def forward(self, a, dim=None, keepdim=False, fn=None, fname=''):
        if a.dtype == np.bool_:
            raise RuntimeError(f'{fname}(): does not support bool input')
        if dim is None:
            if a.size == 0:
                raise IndexError(f'{fname}(): Expected reduction dim to be specified for input.numel() == 0.')
            r = np.asarray(fn(a.reshape(-1), axis=0), dtype=np.int64)
            return r.reshape((1,) * a.ndim) if keepdim else r
        d = wrap_dim(dim, a.ndim)
        _empty_check(a, fname, (d,))
        if a.ndim == 0:
            return np.zeros((), np.int64)
        r = np.asarray(fn(a, axis=d), dtype=np.int64)
        return np.expand_dims(r, d) if keepdim else r


def argmax(input, dim=None, keepdim=False):
    return apply(ArgExtreme, input, dim=dim, keepdim=keepdim, fn=MaxBackward0.arg, fname='argmax')


def argmin(input, dim=None, keepdim=False):
    return apply(ArgExtreme, input, dim=dim, keepdim=keepdim, fn=MinBackward0.arg, fname='argmin')


class Logic(Op):
    differentiable = False

    def forward(self, a, dim=None, keepdim=False, fn=None):
        axis = None if dim is None else _dims(dim, a.ndim)
        r = np.asarray(fn(a, axis=axis, keepdims=keepdim))
        return r.astype(np.uint8) if a.dtype == np.uint8 else r     # uint8 in, uint8 out


def any(input, dim=None, keepdim=False):
    return apply(Logic, input, dim=dim, keepdim=keepdim, fn=np.any)


def all(input, dim=None, keepdim=False):
    return apply(Logic, input, dim=dim, keepdim=keepdim, fn=np.all)
