"""lerp, addcmul and addcdiv: ``input + weight * (end - input)`` and ``input + value * t1 (* or /) t2``.
On real CPU values lerp and addcmul round once, as PyTorch's kernels do with the processor's fused
multiply-add (``fma.py``), so their results agree with PyTorch's to the last bit."""
import numpy as np

from .._tensor import Tensor, _TYPE_NAMES
from .. import _dtype
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply, apply_inplace
from ._promote import xp, py_number
from .arith import Binary, _meta, conj
from ._complex import value_fits as _value_fits
from .fma import fma
from .arith_support import broadcast_check as _broadcast_check, guarded as _guarded, number_arg as _number_arg
from .unary_more import to_out
from .pointwise_more import _is_float, _kernel_error, _calc, _common, _cast, _need_tensor, _bad_args, _CNUMBERS
from .number_first import number_first


# ------------------------------------------------------------------ lerp

def _lerp(a, b, w):
    """a + w * (b - a), from the nearer end (as PyTorch, for accuracy at w near 1); real CPU values
    with one rounding (``fma``), as PyTorch's kernel; a number weight in the values' dtype"""
    d = b - a
    m = xp(a)
    if m is not np or d.dtype.kind != 'f':
        if isinstance(w, (float, complex)):
            return a + w * d if abs(w) < 0.5 else b - d * (1 - w)
        return m.where(m.abs(w) < 0.5, a + w * d, b - d * (1 - w))
    if isinstance(w, float):
        w = d.dtype.type(w)
        return fma(w, d, a) if abs(w) < 0.5 else fma(-(d.dtype.type(1) - w), d, b)
    return np.where(np.abs(w) < 0.5, fma(w, d, a), fma(-(1 - w), d, b))


def _same_dtype(a, x, arg):
    if x.dtype != a.dtype:
        t = [_TYPE_NAMES[_dtype._FROM_NP[y.dtype]] for y in (a, x)]
        raise RuntimeError(f'expected dtype {t[0]} for `{arg}` but got dtype {t[1]}')


class LerpBackward0(Binary):
    """lerp with a number weight (as ``weight=``: no graph edge)"""
    def forward(self, a, b, weight):
        _same_dtype(a, b, 'end')
        if not _is_float(a.dtype, 'fc'):
            _kernel_error('lerp_kernel_scalar', a.dtype)
        _value_fits(weight, a.dtype)
        self.metas = (_meta(a), _meta(b))
        self.weight = weight if weight.__class__ is complex else float(weight)
        _broadcast_check(a.shape, b.shape)
        return _calc(_lerp, a.dtype, a, b, self.weight)

    def backward(self, g):
        w = conj(self.weight)
        return self._fit((g * (1 - w), g * w))


class LerpBackward1(Binary):
    """lerp with a tensor weight (a 0-dim weight may have another dtype: it is promoted)"""
    saves = (0, 1, 2)

    def forward(self, a, b, w):
        _same_dtype(a, b, 'end')
        if w.ndim:
            _same_dtype(a, w, 'weight')
        nd = _common(a if a.ndim else b, w)
        if not _is_float(nd, 'fc'):
            _kernel_error('lerp_kernel_tensor', nd)
        self.metas = (_meta(a), _meta(b), _meta(w))
        _broadcast_check(a.shape, b.shape, w.shape)
        return _calc(_lerp, nd, *_cast(nd, a, b, w))

    def backward(self, g):
        a, b, w = [conj(x) for x in self.saved_tensors]
        return self._fit((g * (1 - w), g * w, g * (b - a)))


def _lerp_run(run_apply, input, end, weight, name='lerp'):
    if not (isinstance(input, Tensor) and isinstance(end, Tensor) and isinstance(weight, (Tensor,) + _CNUMBERS)):
        raise _bad_args(name, (input, end, weight) if name == 'lerp' else (end, weight), 'Tensor input, Tensor end, Tensor weight',
                        'Tensor input, Tensor end, Number weight')
    if isinstance(weight, Tensor):
        return run_apply(LerpBackward1, input, end, weight)
    return run_apply(LerpBackward0, input, end, weight=py_number(weight))


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)"""
    r = _guarded(lambda: _lerp_run(apply, input, end, weight), (input, end, weight), out)
    return r if out is None else to_out('lerp', out, r)


def lerp_(self, end, weight):
    return _guarded(lambda: _lerp_run(apply_inplace, self, end, weight, 'lerp_'), (self, end, weight), self, True)


# ------------------------------------------------------------------ addcmul / addcdiv

def _addcmul(s, t1, t2, v):
    """s + v * t1 * t2; real CPU values as PyTorch's kernel: ``fma(v * t1, t2, s)``, v in their dtype"""
    if xp(s) is not np or s.dtype.kind != 'f':
        return s + v * t1 * t2
    return fma(t1 if v == 1 else s.dtype.type(v) * t1, t2, s)


class AddcmulBackward0(Binary):
    """input + value * tensor1 * tensor2"""
    saves, save_needs = (1, 2), {1: (2,), 2: (1,)}

    def forward(self, s, t1, t2, value=1):
        nd = self._prepare(s, t1, t2, value)
        if nd == np.bool_:
            _kernel_error('addcmul_cpu_out', nd)
        _value_fits(value, nd)
        v = value if _is_float(nd, 'fc') else int(value)       # PyTorch casts value to the result dtype
        return _calc(_addcmul, nd, *_cast(nd, s, t1, t2), v)

    def _prepare(self, s, t1, t2, value):
        self.metas, self.value = (_meta(s), _meta(t1), _meta(t2)), value
        _broadcast_check(s.shape, t1.shape, t2.shape)
        return _common(s, t1, t2)

    def backward(self, g):
        t1, t2 = self.saved_tensors
        v, need = conj(self.value), [e[0] is not None for e in self._next]
        t1, t2 = conj(t1), conj(t2)
        return self._fit((g, g * (t2 * v) if need[1] else None, g * (t1 * v) if need[2] else None))


class AddcdivBackward0(AddcmulBackward0):
    """input + value * tensor1 / tensor2"""
    save_needs = {1: (2,), 2: (1, 2)}

    def forward(self, s, t1, t2, value=1):
        if t1.dtype.kind in 'biu' and t2.dtype.kind in 'biu':
            raise RuntimeError(
                'Integer division with addcdiv is no longer supported, and in a future  release addcdiv will '
                'perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be '
                'implemented as (input + value * ember.trunc(tensor1 / tensor2)).to(input.dtype) for integer '
                'inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv '
                'behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.')
        nd = self._prepare(s, t1, t2, value)
        _value_fits(value, nd)
        return _calc(lambda s, t1, t2: s + value * t1 / t2, nd, *_cast(nd, s, t1, t2))

    def backward(self, g):
        t1, t2 = self.saved_tensors
        v, need = conj(self.value), [e[0] is not None for e in self._next]
        t1, t2 = conj(t1), conj(t2)
        return self._fit((g, g * (v / t2) if need[1] else None, -g * (v * t1 / (t2 * t2)) if need[2] else None))


def _addc(name, cls):
    def check(input, tensor1, tensor2, value):
        for i, (arg, x) in enumerate((('input', input), ('tensor1', tensor1), ('tensor2', tensor2))):
            _need_tensor(name, arg, x, i + 1)
        return value if value.__class__ in _CNUMBERS else _number_arg(value, name, 'value')

    def fn(input, tensor1, tensor2, *rest, value=1, out=None):
        if rest:                            # addcmul(input, value, tensor1, tensor2): deprecated
            tensor1, tensor2, value = number_first(name, (tensor1, tensor2, *rest), _given(value))
        if _amp.state.on and _amp.promote(name, (input, tensor1, tensor2)):  # autocast hook (ember.amp)
            return _amp.call_promote(fn, input, tensor1, tensor2, value=value, out=out)
        value = check(input, tensor1, tensor2, value)
        r = apply(cls, input, tensor1, tensor2, value=py_number(value))
        return r if out is None else to_out(name, out, r)

    def fn_(self, tensor1, tensor2, *rest, value=1):
        if rest:
            tensor1, tensor2, value = number_first(name + '_', (tensor1, tensor2, *rest), _given(value))
        value = check(self, tensor1, tensor2, value)
        return apply_inplace(cls, self, tensor1, tensor2, value=py_number(value))
    fn.__name__ = fn.__qualname__ = name
    fn_.__name__ = fn_.__qualname__ = name + '_'
    return fn, fn_


def _given(value):
    return not (value.__class__ is int and value == 1)


addcmul, addcmul_ = _addc('addcmul', AddcmulBackward0)
addcdiv, addcdiv_ = _addc('addcdiv', AddcdivBackward0)


__all__ = ['lerp', 'addcmul', 'addcdiv']

METHODS = {'lerp': lerp, 'lerp_': lerp_, 'addcmul': addcmul, 'addcmul_': addcmul_, 'addcdiv': addcdiv,
           'addcdiv_': addcdiv_}
