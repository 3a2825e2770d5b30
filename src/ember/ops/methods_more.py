"""Tensor method names that PyTorch has beside the ops defined elsewhere: the bit shifts (with the
<< and >> operators), in-place and alias forms that map onto existing ops (divide_, logical_and_,
clamp_min_, square_, ...), and the Python-callback writers apply_ and map_."""
import operator

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._op import Op, apply, apply_inplace, can_cast
from ._promote import as_array, promote, result_dtype, xp
from . import arith, compare, unary, power, activation, random_fill
from .argcheck import (bad_input, bad_operands, operand_error, invalid_combination,
                       _is_number, alias)

__all__ = ['bitwise_left_shift', 'bitwise_right_shift', 'prelu', 'hardshrink']


# ------------------------------------------------------------------ bit shifts

class _Shift(Op):
    """Integer shifts; a count that is negative or not below the bit width shifts every bit out
    (0, or the sign for a right shift of a signed value), as PyTorch defines it."""
    differentiable = False
    kernel = ''
    operand_arg = 'other'       # a list, an array, ...: apply raises the parser's TypeError

    def forward(self, a, b):
        m = xp(a) if hasattr(a, 'shape') else xp(b)
        sa, sb = (x.shape if hasattr(x, 'shape') else () for x in (a, b))
        np.broadcast_shapes(sa, sb)              # shape errors come before dtype errors
        a, b, nd = promote(a, b)
        if nd.kind not in 'iu':
            from .._tensor import _scalar_name
            raise NotImplementedError(f'"{self.kernel}" not implemented for '
                                      f"'{_scalar_name(_dtype._FROM_NP[nd])}'")
        a, b = m.asarray(a, dtype=nd), m.asarray(b, dtype=nd)
        bits = nd.itemsize * 8
        ok = (b >= 0) & (b < bits)
        count = m.where(ok, b, 0)
        if self.left:
            r = m.where(ok, m.left_shift(a, count), 0)
        else:
            spill = m.right_shift(a, bits - 1) if nd.kind == 'i' else m.zeros_like(a)
            r = m.where(ok, m.right_shift(a, count), spill)
        return as_array(r.astype(nd, copy=False))


class _LeftShift(_Shift):
    left, kernel, aten = True, 'lshift_cpu', 'bitwise_left_shift'


class _RightShift(_Shift):
    left, kernel, aten = False, 'rshift_cpu', 'bitwise_right_shift'


def _shift(cls, name):
    def f(input, other, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise invalid_combination(name, (input, other), {})
        try:
            r = apply(cls, input, other)
        except TypeError:                   # a list, an array, ...: the parser's message names both
            if operand_error(name, (input, other)) is None and isinstance(input, np.generic):
                return f(input.item(), other, out=out)      # a NumPy scalar acts as a Python number
            bad_operands(name, (input, other))
        return r if out is None else arith._check_out(out, r, name)

    def method(self, other):
        return apply(cls, self, other)

    def f_(self, other):
        if other.__class__ is not Tensor and not _is_number(other):
            raise operand_error(name + '_', (self, other), method=True)
        rd = result_dtype(self._data, other._data if isinstance(other, Tensor) else other)
        if not can_cast(rd, self.dtype):
            from .._tensor import _scalar_name
            raise RuntimeError(f"result type {_scalar_name(rd)} can't be cast to the desired output type "
                               f'{_scalar_name(self.dtype)}')
        return apply_inplace(cls, self, other)
    return f, method, f_


bitwise_left_shift, _left_shift_m, bitwise_left_shift_ = _shift(_LeftShift, 'bitwise_left_shift')
bitwise_right_shift, _right_shift_m, bitwise_right_shift_ = _shift(_RightShift, 'bitwise_right_shift')


def _operand(x):
    """The right-hand side of a shift operator (None: not ours, Python tries the other side)."""
    if isinstance(x, np.generic):
        x = x.item()
    return x if isinstance(x, (Tensor, int, float, bool)) else None


def _operator(fn, reflected=False):
    def op(self, other):
        other = _operand(other)
        if other is None:
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    return op


# ------------------------------------------------------------------ in-place and alias method names

def _clamp_bound_(cls_scalar, cls_tensor, name, self, bound):
    if isinstance(bound, Tensor):
        from .clamp import _complex_bound_cast
        _complex_bound_cast(self, bound)
        lo, hi = (bound, None) if name == 'min' else (None, bound)
        return apply_inplace(cls_tensor, self, lo, hi)
    unary.check_float_bounds(self, bound)
    return apply_inplace(cls_scalar, self, **{name: bound})


def clamp_min_(input, min):
    return _clamp_bound_(unary.ClampMinBackward0, unary.ClampMinBackward1, 'min', input, min)


def clamp_max_(input, max):
    return _clamp_bound_(unary.ClampMaxBackward0, unary.ClampMaxBackward1, 'max', input, max)


def square_(self):
    return power.pow_(self, 2)


def true_divide_(self, other):
    return arith.div_(self, other)


def bernoulli(input, p=None, *, generator=None):
    return random_fill.bernoulli(input, p, generator=generator)


def prelu(input, weight):
    return activation.prelu(input, weight)


def hardshrink(input, lambd=0.5):
    try:
        return activation.hardshrink(input, lambd)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('hardshrink', (input,))


# ------------------------------------------------------------------ apply_ / map_ (Python callbacks)

def _real(v):
    """A callback's result read as a float (any real number; strings and None are refused)."""
    if isinstance(v, float):
        return v
    conv = getattr(type(v), '__float__', None) or getattr(type(v), '__index__', None)
    if conv is None:
        raise TypeError(f'must be real number, not {type(v).__name__}')
    return float(conv(v))


def _integer(v):
    """A callback's result read as an int: floats truncate, other types must be integers."""
    return int(v) if isinstance(v, float) else operator.index(v)


def _reader(dtype):
    """How a callback's result is written into a tensor of ``dtype``."""
    if dtype.is_floating_point:
        return _real
    if dtype == _dtype.bool_:
        return lambda v: _integer(v) != 0 if not isinstance(v, float) else v != 0
    info = np.iinfo(dtype.np)
    lo = -info.max if info.min == 0 else info.min      # unsigned types take small negatives modulo 2**n

    def read(v):
        v = _integer(v)
        if not -2 ** 63 <= v < 2 ** 63:
            raise ValueError('Overflow when unpacking long long')
        if not lo <= v <= info.max:
            raise RuntimeError(f'value cannot be converted to type {dtype.np.name} without overflow')
        return v % (info.max + 1) if v < 0 and info.min == 0 else v
    return read


def _host_only(self, name):
    if self.requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
                           'instead.')
    if self.device.type != 'cpu':
        raise TypeError(f'{name} is only implemented on CPU tensors')


def apply_(self, callable):
    """self[i] = callable(self[i]) for every element, in place (slow: one Python call each)."""
    _host_only(self, 'apply_')
    data, conv = self._data, _reader(self.dtype)
    for idx in np.ndindex(data.shape):
        data[idx] = conv(callable(data[idx].item()))
    self._vc[0] += 1
    return self


def map_(self, other, callable):
    """self[i] = callable(self[i], other[i]) with ``other`` broadcast to self's shape, in place."""
    if not isinstance(other, Tensor):
        from .argcheck import not_tensor_error
        raise not_tensor_error('map_', other, 'other')
    if self.requires_grad or other.requires_grad:
        raise RuntimeError("Can't call map_() on Variable that requires grad. Use var.detach().map_() instead.")
    if other.dtype != self.dtype or other.device != self.device:
        raise TypeError(f"map_: expected {self.type()} for 'other' (got {other.type()})")
    _host_only(self, 'map_')
    src = other.expand_as(self)._data
    data, conv = self._data, _reader(self.dtype)
    for idx in np.ndindex(data.shape):
        data[idx] = conv(callable(data[idx].item(), src[idx].item()))
    self._vc[0] += 1
    return self


METHODS = {
    'bitwise_left_shift': _left_shift_m, 'bitwise_left_shift_': bitwise_left_shift_,
    'bitwise_right_shift': _right_shift_m, 'bitwise_right_shift_': bitwise_right_shift_,
    'bitwise_and': compare.bitwise_and_method, 'bitwise_or': compare.bitwise_or_method,
    'bitwise_xor': compare.bitwise_xor_method,
    '__lshift__': _operator(bitwise_left_shift), '__rlshift__': _operator(bitwise_left_shift, True),
    '__ilshift__': _operator(bitwise_left_shift_),
    '__rshift__': _operator(bitwise_right_shift), '__rrshift__': _operator(bitwise_right_shift, True),
    '__irshift__': _operator(bitwise_right_shift_),
    'absolute_': unary.abs_, 'negative_': unary.neg_, 'divide_': alias(arith.div_, 'divide_', True),
    'multiply_': alias(arith.mul_, 'multiply_', True), 'subtract_': alias(arith.sub_, 'subtract_', True),
    'true_divide_': alias(true_divide_, 'true_divide_', True), 'subtract': alias(arith.sub, 'subtract', True),
    'multiply': alias(arith.mul, 'multiply', True), 'divide': alias(arith.div, 'divide', True),
    'true_divide': alias(arith.true_divide, 'true_divide', True),
    'greater_': compare.greater_, 'greater_equal_': compare.greater_equal_, 'less_': compare.less_,
    'less_equal_': compare.less_equal_, 'not_equal_': compare.not_equal_,
    'logical_and_': compare.logical_and_, 'logical_or_': compare.logical_or_,
    'logical_xor_': compare.logical_xor_, 'logical_not_': compare.logical_not_,
    'bitwise_and_': compare.bitwise_and_, 'bitwise_or_': compare.bitwise_or_,
    'bitwise_xor_': compare.bitwise_xor_, 'bitwise_not_': compare.bitwise_not_,
    'clamp_min_': clamp_min_, 'clamp_max_': clamp_max_, 'square_': square_,
    'hardshrink': hardshrink, 'prelu': prelu, 'bernoulli': bernoulli, 'multinomial': random_fill.multinomial,
    'apply_': apply_, 'map_': map_,
}
