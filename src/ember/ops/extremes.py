"""Extremes: max/min (all elements, or values+indices along a dim), amax/amin, argmax/argmin."""
import numpy as np

from .._tensor import Tensor, xp_of, _scalar_name
from ._op import Op, apply
from ._promote import as_array
from .shape import wrap_dim
from .reduce import _dims
from .return_types import make_return
from .arith import refuse_complex


def _empty_check(a, fname, dims=None):
    if a.size == 0 and (dims is None or 0 in [a.shape[d] for d in dims]):
        if dims is None:
            raise RuntimeError(f'{fname}(): Expected reduction dim to be specified for input.numel() == 0. '
                               'Specify the reduction dim with the \'dim\' argument.')
        raise IndexError(f'{fname}(): Expected reduction dim {dims[0]} to have non-zero size.')


class _FullExtreme(Op):
    """max()/min() of all elements: ties share the gradient evenly (a NaN result: the NaNs share it)."""
    saves = (0,)
    saves_output = True
    fn = None

    def forward(self, a):
        _empty_check(a, self.fname)
        return as_array(self.fn(a))

    def backward(self, g):
        from .reduce_more import even_spread
        x, out = self.saved_tensors
        return even_spread(g, x, out)


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
        xp = xp_of(a)
        if a.ndim == 0:
            return a.copy(), xp.zeros((), np.int64)
        idx = xp.expand_dims(self.arg(a, axis=d), d)
        values = xp.take_along_axis(a, idx, axis=d)
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
            xp = xp_of(a)
            nan = xp.isnan(a)
            if nan.any():       # PyTorch propagates NaN: the first NaN of a slice wins
                return xp.where(nan.any(axis=axis), xp.argmax(nan, axis=axis), idx)
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
        xp = xp_of(g)
        out = xp.zeros(shape, g.dtype)
        xp.put_along_axis(out, idx, g, axis=dim)
        return out

    def backward(self, gg):
        return apply(TakeAlong, gg, idx=self.idx, dim=self.dim)

    def name(self):
        return 'ValueSelectingReductionBackwardBackward0'


class TakeAlong(Op):
    def forward(self, a, idx, dim):
        self.idx, self.dim, self.shape = idx, dim, a.shape
        return xp_of(a).take_along_axis(a, idx, axis=dim)

    def backward(self, g):
        return apply(IndexEmbed, g, idx=self.idx, dim=self.dim, shape=self.shape)

    def name(self):
        return 'GatherBackward0'


def _extreme(full_cls, dim_cls, binary, name):
    def f(input, dim=None, keepdim=False, *, other=None, out=None):
        if isinstance(dim, Tensor):
            return binary(input, dim, out=out)
        if dim is None:
            if other is not None:            # max(x, other=y): the elementwise form
                return binary(input, other, out=out)
            refuse_complex(input, f'{name}_all')
            r = apply(full_cls, input)
            if out is not None:
                from .arith_support import check_out
                return check_out(out, r, name)
            return r
        if other is not None:
            from .argcheck import _mixed
            raise _mixed(name, (input,), {'other': other, 'dim': dim})
        refuse_complex(input, message=f'{name}(): does not support complex input', exc=RuntimeError)
        values, indices = apply(dim_cls, input, dim=dim, keepdim=keepdim)
        if out is None:
            return make_return(name, values, indices)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f'expected tuple of 2 elements but got {len(out) if isinstance(out, (tuple, list)) else 1}')
        from .sort import write_out
        return make_return(name + '_out', *write_out(name, out, (values, indices)))
    return f


def _maximum(a, b, out=None):
    from .minmax import maximum
    return maximum(a, b, out=out)


def _minimum(a, b, out=None):
    from .minmax import minimum
    return minimum(a, b, out=out)


max = _extreme(MaxBackward1, MaxBackward0, _maximum, 'max')
min = _extreme(MinBackward1, MinBackward0, _minimum, 'min')


class _AExtreme(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, dim=(), keepdim=False):
        self.dims, self.keepdim = _dims(dim, a.ndim), keepdim
        _empty_check(a, self.fname, None if dim is None or dim == () or dim == [] else self.dims)
        return as_array(self.fn(a, axis=self.dims, keepdims=keepdim))

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


def amax(input, dim=(), keepdim=False, *, out=None):
    refuse_complex(input, 'max_values_cpu')
    r = apply(AmaxBackward0, input, dim=dim, keepdim=keepdim)
    return r if out is None else _write_out(out, r, 'amax', _same_as_input)


def amin(input, dim=(), keepdim=False, *, out=None):
    refuse_complex(input, 'min_values_cpu')
    r = apply(AminBackward0, input, dim=dim, keepdim=keepdim)
    return r if out is None else _write_out(out, r, 'amin', _same_as_input)


class ArgExtreme(Op):
    differentiable = False

    def forward(self, a, dim=None, keepdim=False, fn=None, fname=''):
        if a.dtype == np.bool_:
            raise RuntimeError(f'{fname}(): does not support bool input')
        if dim is None:
            if a.size == 0:
                raise IndexError(f'{fname}(): Expected reduction dim to be specified for input.numel() == 0.')
            r = as_array(fn(a.reshape(-1), axis=0)).astype(np.int64, copy=False)
            return r.reshape((1,) * a.ndim) if keepdim else r
        d = wrap_dim(dim, a.ndim)
        _empty_check(a, fname, (d,))
        if a.ndim == 0:
            return xp_of(a).zeros((), np.int64)
        r = as_array(fn(a, axis=d)).astype(np.int64, copy=False)
        return r.reshape(r.shape[:d] + (1,) + r.shape[d:]) if keepdim else r


def argmax(input, dim=None, keepdim=False, *, out=None):
    refuse_complex(input, message='argmax(): does not support complex input', exc=RuntimeError)
    r = apply(ArgExtreme, input, dim=dim, keepdim=keepdim, fn=MaxBackward0.arg, fname='argmax')
    return r if out is None else _write_out(out, r, 'argmax', 'structured')


def argmin(input, dim=None, keepdim=False, *, out=None):
    refuse_complex(input, message='argmin(): does not support complex input', exc=RuntimeError)
    r = apply(ArgExtreme, input, dim=dim, keepdim=keepdim, fn=MinBackward0.arg, fname='argmin')
    return r if out is None else _write_out(out, r, 'argmin', 'structured')


def _write_out(out, r, name, exact):
    from .arith_support import check_out
    return check_out(out, r, name, exact=exact, stacklevel=5)


def _same_as_input(out, r):
    return RuntimeError(f"Expected the dtype for input and out to match, but got {_scalar_name(r.dtype)} for "
                        f"input's dtype and {_scalar_name(out.dtype)} for out's dtype.")
