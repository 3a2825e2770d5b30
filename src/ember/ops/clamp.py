"""clamp (clip), clamp_min and clamp_max: bounds that are numbers (ClampBackward1) or tensors
(ClampBackward0); re-exported by unary.py."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, apply, apply_inplace
from ._promote import as_array, py_number
from ._complex import complex_error as no_complex, CLAMP_COMPLEX

_BF16 = _dtype.bfloat16.np
_PLAIN = (int, float, type(None))
_NUMBERS = (int, float, bool, complex)


def _threshold_grad(g, mask):
    from .unary import _threshold_grad as grad
    return grad(g, mask)


# ------------------------------------------------------------------ clamp

class ClampBackward1(Op):
    """clamp with Python-number bounds."""
    saves = (0,)

    def forward(self, a, min=None, max=None):
        self.lo, self.hi = min, max
        if min is None and max is None:
            raise RuntimeError("ember.clamp: At least one of 'min' or 'max' must not be None")
        no_complex(a, CLAMP_COMPLEX)
        if isinstance(min, complex) or isinstance(max, complex):    # PyTorch: clamp reads a float bound
            if type(self) is ClampBackward1 and (a.dtype.kind == 'f' or a.dtype == _BF16):   # as a double
                raise RuntimeError('value cannot be converted to type double without overflow')
            raise NotImplementedError(CLAMP_COMPLEX)
        if a.dtype == np.bool_ and min.__class__ is not int and max.__class__ is not int and not (
                isinstance(min, float) or isinstance(max, float)):      # bool bounds: no bool kernel
            kernel = 'clamp' if min is not None and max is not None else 'clamp_min' if min is not None else 'clamp_max'
            raise NotImplementedError(f'"{kernel}_scalar_cpu" not implemented for \'Bool\'')
        if a.dtype.kind in 'iub' and (isinstance(min, float) or isinstance(max, float)):
            a = a.astype(_dtype.get_default_dtype().np)
        elif a.dtype.kind in 'iu':      # int bounds wrap to the dtype, as C++ (uint8 and -1: 255)
            from .arith_support import int_scalar
            min, max = [b if b is None else int_scalar(b, a.dtype) for b in (min, max)]
        r = np.clip(a, min, max)
        return as_array(r.astype(a.dtype) if a.dtype == _BF16 else r)     # bf16 with a float bound: f32

    def backward(self, g):
        x, = self.saved_tensors
        mask = None
        if self.lo is not None:
            mask = x >= self.lo
        if self.hi is not None:
            m2 = x <= self.hi
            mask = m2 if mask is None else mask & m2
        return _threshold_grad(g, mask)


class ClampBackward0(Op):
    """clamp with tensor bounds."""
    saves = (0, 1, 2)

    def forward(self, a, lo, hi):
        from ._promote import result_dtype
        from .._dtype import promote_types
        no_complex(a, CLAMP_COMPLEX)
        rd = None
        for b in (lo, hi):
            if b is not None:
                d = result_dtype(a, b)
                rd = d if rd is None else promote_types(rd, d)
        kernel = 'clamp' if lo is not None and hi is not None else 'maximum' if lo is not None else 'minimum'
        if rd.is_complex or (rd.np == np.bool_ and kernel == 'clamp'):     # (maximum/minimum take bools)
            from .._tensor import _scalar_name
            raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'{_scalar_name(rd)}\'')
        nd = rd.np
        a, lo, hi = [None if x is None else x.astype(nd, copy=False) for x in (a, lo, hi)]
        out = a
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        return as_array(out if out is not a else a.copy())

    def backward(self, g):
        # PyTorch's clamp_backward / clamp_backward_min_max: when min > max the result is max
        from ._promote import unbroadcast
        from .compare import where
        x, lo, hi = self.saved_tensors
        keep = glo = ghi = None
        if lo is not None:
            keep = x >= lo
            below = x < lo if hi is None else (x < lo) & (lo < hi)
            glo = unbroadcast(where(below, g, 0.0), lo.shape)
        if hi is not None:
            above = x > hi if lo is None else (x > hi) | (hi < lo)
            ghi = unbroadcast(where(above, g, 0.0), hi.shape)
            keep = x <= hi if keep is None else keep & (x <= hi)
        return (unbroadcast(where(keep, g, 0.0), x.shape), glo, ghi)


class ClampMinBackward0(ClampBackward1):
    pass


class ClampMaxBackward0(ClampBackward1):
    pass


class ClampMinBackward1(ClampBackward0):
    pass


class ClampMaxBackward1(ClampBackward0):
    pass


class _BadBound(Exception):
    """A bound no overload of clamp takes; the public forms turn it into PyTorch's TypeError."""


def _bounds_check(min, max):
    """How PyTorch's overloads read the bounds: (tensor overload?, min, max). Tensor bounds and
    number bounds do not mix, except that a 0-dim tensor that needs no grad, beside a number, is
    read as that number; NumPy scalars count as Python numbers; anything else raises _BadBound."""
    a, b = isinstance(min, Tensor), isinstance(max, Tensor)
    if a or b:
        if a is b or min is None or max is None:
            return True, min, max
        t = min if a else max
        if t._data.ndim or t.requires_grad:
            raise _BadBound
        min, max = (t.item(), max) if a else (min, t.item())
    if min.__class__ not in _PLAIN:
        min = _number(min)
    if max.__class__ not in _PLAIN:
        max = _number(max)
    return False, min, max


def _number(v):
    v = py_number(v)
    if v.__class__ not in _NUMBERS:
        raise _BadBound
    return v


def _bound_error(name, method, input, min, max, out=None):
    """PyTorch's TypeError for bounds no overload of ``name`` takes, listing the arguments as the
    caller wrote them (``method``: the tensor is not listed)."""
    import sys
    from .argcheck import invalid_call
    given = 1 if min is None and max is None else 2 if max is None else 3
    return invalid_call(name, sys._getframe(2), ('input', 'min', 'max', 'out'), (input, min, max, out), given, method)


def _clamp_function(name, method=False):
    """``ember.clamp`` / ``ember.clip`` and the methods (each reports its own name and form in the
    parser's errors)."""
    def clamp(input, min=None, max=None, *, out=None):
        try:
            tensors, min, max = _bounds_check(min, max)
            if tensors:
                r = apply(ClampBackward0, input, min, max)
            else:
                r = apply(ClampBackward1, input, min=min, max=max)
        except _BadBound:
            raise _bound_error(name, method, input, min, max, out) from None
        except (AttributeError, RuntimeError):      # not a tensor: the parser's TypeError comes first
            from .argcheck import bad_input
            bad_input(name, (input, min, max) if max is not None else (input, min) if min is not None else (input,))
        if out is not None:     # number bounds: out must have the result's dtype ("Found dtype ...")
            from .arith import _check_out
            return _check_out(out, r, 'clamp', exact=not tensors)
        return r
    clamp.__name__ = clamp.__qualname__ = name
    return clamp


clamp, clip = _clamp_function('clamp'), _clamp_function('clip')
clamp_method, clip_method = _clamp_function('clamp', True), _clamp_function('clip', True)


def check_float_bounds(self, *bounds):
    """clamp_'s kernel refuses number bounds that promote the target (float bounds on an integer or
    bool tensor, int ones on a bool tensor), naming the target as C++ does ('bool', 'long int')."""
    if self.is_floating_point():
        return
    rt = None
    if any(isinstance(b, float) for b in bounds):
        rt = _dtype.get_default_dtype()
    elif self.dtype == _dtype.bool_ and any(b.__class__ is int for b in bounds):
        rt = _dtype.int64
    if rt is not None:
        from .._tensor import _scalar_name
        from .matmul import CPP_NAMES
        raise RuntimeError(f"result type {_scalar_name(rt)} can't be cast to the "
                           f'desired output type {CPP_NAMES[_scalar_name(self.dtype)]}')


def _clamp_inplace(name):
    def clamp_(self, min=None, max=None):
        try:
            tensors, min, max = _bounds_check(min, max)
        except _BadBound:
            raise _bound_error(name, True, self, min, max) from None
        check_float_bounds(self, min, max)
        if tensors:
            _complex_bound_cast(self, min, max)
            return apply_inplace(ClampBackward0, self, min, max)
        return apply_inplace(ClampBackward1, self, min=min, max=max)
    clamp_.__name__ = clamp_.__qualname__ = name
    return clamp_


clamp_, clip_ = _clamp_inplace('clamp_'), _clamp_inplace('clip_')


def _complex_bound_cast(self, *bounds):
    """An in-place clamp of a real tensor with a complex tensor bound: PyTorch's cast error first."""
    for b in bounds:
        if isinstance(b, Tensor) and b.is_complex() and not self.is_complex():
            from ._op import cast_check
            cast_check(b._data.dtype, self)


def _need_tensor(name, input, bound):
    if bound is None:
        raise TypeError(f'{name}() received an invalid combination of arguments - got (Tensor, NoneType), '
                        'but expected one of:')
    if not isinstance(input, Tensor):
        got = ', '.join('Tensor' if isinstance(v, Tensor) else type(v).__name__ for v in (input, bound))
        raise TypeError(f'{name}() received an invalid combination of arguments - got ({got}), but '
                        'expected one of:')


def _bound_out(r, out, name, tensor):
    if out is None:
        return r
    from .arith import _check_out
    return _check_out(out, r, name, exact=not tensor, stacklevel=5)


def clamp_min(input, min, *, out=None):
    _need_tensor('clamp_min', input, min)
    if isinstance(min, Tensor):
        return _bound_out(apply(ClampMinBackward1, input, min, None), out, 'clamp_min', True)
    return _bound_out(apply(ClampMinBackward0, input, min=py_number(min)), out, 'clamp_min', False)


def clamp_max(input, max, *, out=None):
    _need_tensor('clamp_max', input, max)
    if isinstance(max, Tensor):
        return _bound_out(apply(ClampMaxBackward1, input, None, max), out, 'clamp_max', True)
    return _bound_out(apply(ClampMaxBackward0, input, max=py_number(max)), out, 'clamp_max', False)

