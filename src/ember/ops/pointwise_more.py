"""More elementwise ops: atan2, fmod, hypot, copysign, logaddexp(2), float_power, lerp,
addcmul, addcdiv. (xlogy lives in special_fns.py; nan_to_num and the closeness tests in
closeness.py.)

Binary ops reuse ``arith.Binary`` (promotion, gradient reduction). float16/bfloat16 values
are computed in float32 and rounded back, as PyTorch's CPU kernels do."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name, _TYPE_NAMES
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply, apply_inplace
from ._promote import promote, as_array, xp, py_number
from .arith import Binary, _meta, _int_zero_check, conj
from ._complex import value_fits as _value_fits, logaddexp as _logaddexp_complex
from .unary_more import to_out
from .arith_support import broadcast_check as _broadcast_check, guarded as _guarded

_BF16 = _dtype.bfloat16.np
_LOW = (np.float16, _BF16)
_NUMBERS = (int, float, bool, np.number, np.bool_)       # NumPy scalars act as Python numbers
_CNUMBERS = _NUMBERS + (complex,)


def _is_float(nd, kinds='f'):
    return nd.kind in kinds or nd == _BF16


def _kernel_error(kernel, nd):
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(_dtype._FROM_NP[nd])}\'')


def _calc(fn, nd, *xs):
    """fn(*xs) in dtype ``nd``; float16/bfloat16 go through float32."""
    if nd in _LOW:
        xs = [x.astype(np.float32) if hasattr(x, 'astype') else x for x in xs]
        return as_array(fn(*xs)).astype(nd)
    return as_array(fn(*xs))


def _common(*arrays):
    """PyTorch's result dtype for several arrays (dimensioned beat 0-dim within a category)."""
    dim = zero = None
    for a in arrays:
        if a.ndim:
            dim = _dtype._tier_promote(dim, _dtype._FROM_NP[a.dtype])
        else:
            zero = _dtype._tier_promote(zero, _dtype._FROM_NP[a.dtype])
    return _dtype._combine(dim, zero).np


def _cast(nd, *arrays):
    return [a if a.dtype == nd else a.astype(nd) for a in arrays]


def _need_tensor(fname, arg, x, pos):
    from .argcheck import need_tensor
    need_tensor(fname, x, arg, pos)


def _bad_args(fname, args, *sigs):
    """PyTorch's argument-parser TypeError, listing the accepted signatures."""
    got = ', '.join('Tensor' if isinstance(a, Tensor) else type(a).__name__ for a in args)
    lines = ''.join(f' * ({s}, *, Tensor out = None)\n' for s in sigs)
    return TypeError(f'{fname}() received an invalid combination of arguments - got ({got}), but '
                     f'expected one of:\n{lines}')


# ------------------------------------------------------------------ binary ops

class _FloatBinary(Binary):
    """Integers promote to the default float dtype, unless ``kernel`` names the kernel that
    refuses them (hypot, logaddexp). ``grad(g, *saved)`` gives one gradient per input."""
    float_result = True
    kernel = grad = None
    ckernel = None          # the kernel named when complex inputs are refused (None: computed)
    complex_ufunc = None

    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b, self.kernel is None)
        if nd.kind == 'c':
            if self.complex_ufunc is None:
                _kernel_error(self.ckernel, nd)
            return as_array(self.complex_ufunc(a, b))
        if not _is_float(nd):
            _kernel_error(self.kernel, nd)
        return _calc(self.ufunc, nd, a, b)

    def backward(self, g):
        return self._fit(self.grad(g, *self.saved_tensors))


def _define(name, ufunc, grad, saves=(0, 1), saves_output=False, kernel=None, ckernel=None, cufunc=None):
    return type(name, (_FloatBinary,), dict(ufunc=staticmethod(ufunc), grad=staticmethod(grad), saves=saves,
                                            saves_output=saves_output, kernel=kernel, __module__=__name__,
                                            ckernel=ckernel or kernel or name.lower()[:-9] + '_cpu',
                                            complex_ufunc=None if cufunc is None else staticmethod(cufunc)))


def _atan2_grad(g, a, b):
    r = a * a + b * b
    return g * b / r, g * -a / r


def _logaddexp_grad(g, a, b):
    from .unary import exp
    a, b = conj(a), conj(b)
    return g / (exp(b - a) + 1), g / (exp(a - b) + 1)



def _copysign_grad(g, a, out):
    """the magnitude's gradient is +-1 (0 at 0), the sign's is zero"""
    from .compare import where
    from .creation import zeros_like
    return g * where(a == 0, 0.0, out / a), zeros_like(g)


Atan2Backward0 = _define('Atan2Backward0', np.arctan2, _atan2_grad)
HypotBackward0 = _define('HypotBackward0', np.hypot, lambda g, a, b, out: (g * a / out, g * b / out),
                         saves_output=True, kernel='hypot_cpu')
LogaddexpBackward0 = _define('LogaddexpBackward0', np.logaddexp, _logaddexp_grad, kernel='logaddexp_cpu',
                             cufunc=_logaddexp_complex)
Logaddexp2Backward0 = _define('Logaddexp2Backward0', np.logaddexp2, kernel='logaddexp2_cpu',
                              grad=lambda g, a, b: (g / (2 ** (b - a) + 1), g / (2 ** (a - b) + 1)))
CopysignBackward0 = _define('CopysignBackward0', np.copysign, _copysign_grad, saves=(0,), saves_output=True)
CopysignBackward1 = _define('CopysignBackward1', np.copysign, _copysign_grad, saves=(0,), saves_output=True)


class FmodBackward0(Binary):
    """fmod(tensor, number): the remainder takes the dividend's sign"""
    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        if nd == np.bool_ or nd.kind == 'c':
            _kernel_error('fmod_cpu', nd)
        _int_zero_check(b, nd)
        return _calc(np.fmod, nd, a, b)

    def backward(self, g):
        return self._fit((g, None))


class FmodBackward1(FmodBackward0):
    """fmod(tensor, tensor)"""
    saves = (0, 1)

    def backward(self, g):
        from .arith import div
        a, b = self.saved_tensors
        gb = -g * div(a, b, rounding_mode='trunc') if self._next[1][0] is not None else None
        return self._fit((g, gb))


_TN = ('Tensor input, Tensor other', 'Tensor input, Number other')


def _binary(name, cls, number_cls=None):
    """Function, method and in-place forms of a binary op. Without ``number_cls`` both operands
    must be tensors; with it a number ``other`` runs ``number_cls`` (as ``b=``: no graph edge)."""
    def run(run_apply, input, other, method):
        if isinstance(other, Tensor):
            return run_apply(cls, input, other)
        if number_cls is None:
            _need_tensor(name, 'other', other, 1 if method else 2)
        if not isinstance(other, _CNUMBERS):
            raise _bad_args(name, (other,) if method else (input, other), *_TN)
        return run_apply(number_cls, input, b=other)

    floats = cls.float_result and getattr(cls, 'kernel', None) is None    # integers give floats

    def fn(input, other, *, out=None):
        if _amp.state.on and _amp.promote(name, (input, other)):  # autocast hook (ember.amp)
            return _amp.call_promote(fn, input, other, out=out)
        if not isinstance(input, Tensor):
            if number_cls is None:
                _need_tensor(name, 'input', input, 1)
            raise _bad_args(name, (input, other), *_TN)
        # (guarded: PyTorch's shape and cast errors come before the kernel's dtype error)
        r = _guarded(lambda: run(apply, input, other, False), (input, other), out, False, floats)
        return r if out is None else to_out(name, out, r)

    def method(self, other):
        if _amp.state.on and _amp.promote(name, self):  # autocast hook (ember.amp)
            return _amp.call_promote(method, self, other)
        return _guarded(lambda: run(apply, self, other, True), (self, other))

    def inplace(self, other):
        return _guarded(lambda: run(apply_inplace, self, other, True), (self, other), self, True, floats)
    fn.__name__ = fn.__qualname__ = name
    inplace.__name__ = name + '_'
    return fn, method, inplace


atan2, _atan2_m, atan2_ = _binary('atan2', Atan2Backward0)
hypot, _hypot_m, hypot_ = _binary('hypot', HypotBackward0)
logaddexp, _logaddexp_m, _ = _binary('logaddexp', LogaddexpBackward0)
logaddexp2, _logaddexp2_m, _ = _binary('logaddexp2', Logaddexp2Backward0)
fmod, _fmod_m, fmod_ = _binary('fmod', FmodBackward1, FmodBackward0)
copysign, _copysign_m, copysign_ = _binary('copysign', CopysignBackward0, CopysignBackward1)
arctan2 = atan2


def _f64(x, wide=_dtype.float64):
    """x in float_power's dtype: float64, or complex128 when an operand is complex."""
    return x.to(wide) if isinstance(x, Tensor) else (complex if wide.is_complex else float)(x)


def _wide(*xs):
    cplx = any(x.is_complex() if isinstance(x, Tensor) else isinstance(x, complex) for x in xs)
    return _dtype.complex128 if cplx else _dtype.float64


def float_power(input, exponent, *, out=None):
    """pow computed in float64 (the inputs are converted first)."""
    from .power import pow
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise _bad_args('float_power', (input, exponent), 'Tensor input, Tensor exponent',
                        'Number self, Tensor exponent', 'Tensor input, Number exponent')
    wide = _wide(input, exponent)
    if out is not None and out.dtype is not wide:
        raise RuntimeError(f'the output given to float_power has dtype {_scalar_name(out.dtype)} but the '
                           f"operation's result requires dtype {_scalar_name(wide)}")
    r = pow(_f64(input, wide), _f64(exponent, wide))
    return r if out is None else to_out('pow', out, r)


def float_power_(self, exponent):
    from .power import pow_
    wide = _wide(self, exponent)
    if self.dtype is not wide:
        raise RuntimeError(f'the base given to float_power_ has dtype {_scalar_name(self.dtype)} but the '
                           f"operation's result requires dtype {_scalar_name(wide)}")
    return pow_(self, _f64(exponent, wide))


# ------------------------------------------------------------------ lerp

def _lerp(a, b, w):
    """a + w * (b - a), from the nearer end (as PyTorch, for accuracy at w near 1)"""
    d = b - a
    if isinstance(w, (float, complex)):
        return a + w * d if abs(w) < 0.5 else b - d * (1 - w)
    m = xp(a)
    return m.where(m.abs(w) < 0.5, a + w * d, b - d * (1 - w))


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


def _lerp_run(run_apply, input, end, weight):
    if not (isinstance(input, Tensor) and isinstance(end, Tensor) and isinstance(weight, (Tensor,) + _CNUMBERS)):
        raise _bad_args('lerp', (input, end, weight), 'Tensor input, Tensor end, Tensor weight',
                        'Tensor input, Tensor end, Number weight')
    if isinstance(weight, Tensor):
        return run_apply(LerpBackward1, input, end, weight)
    return run_apply(LerpBackward0, input, end, weight=py_number(weight))


def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)"""
    r = _guarded(lambda: _lerp_run(apply, input, end, weight), (input, end, weight), out)
    return r if out is None else to_out('lerp', out, r)


def lerp_(self, end, weight):
    return _guarded(lambda: _lerp_run(apply_inplace, self, end, weight), (self, end, weight), self, True)


# ------------------------------------------------------------------ addcmul / addcdiv

class AddcmulBackward0(Binary):
    """input + value * tensor1 * tensor2"""
    saves, save_needs = (1, 2), {1: (2,), 2: (1,)}

    def forward(self, s, t1, t2, value=1):
        nd = self._prepare(s, t1, t2, value)
        if nd == np.bool_:
            _kernel_error('addcmul_cpu_out', nd)
        _value_fits(value, nd)
        v = value if _is_float(nd, 'fc') else int(value)       # PyTorch casts value to the result dtype
        return _calc(lambda s, t1, t2: s + v * t1 * t2, nd, *_cast(nd, s, t1, t2))

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
        if not isinstance(value, _CNUMBERS):
            raise TypeError(f"{name}(): argument 'value' must be Number, not {type(value).__name__}")

    def fn(input, tensor1, tensor2, *, value=1, out=None):
        if _amp.state.on and _amp.promote(name, (input, tensor1, tensor2)):  # autocast hook (ember.amp)
            return _amp.call_promote(fn, input, tensor1, tensor2, value=value, out=out)
        check(input, tensor1, tensor2, value)
        r = apply(cls, input, tensor1, tensor2, value=py_number(value))
        return r if out is None else to_out(name, out, r)

    def fn_(self, tensor1, tensor2, *, value=1):
        check(self, tensor1, tensor2, value)
        return apply_inplace(cls, self, tensor1, tensor2, value=py_number(value))
    fn.__name__ = fn.__qualname__ = name
    return fn, fn_


addcmul, addcmul_ = _addc('addcmul', AddcmulBackward0)
addcdiv, addcdiv_ = _addc('addcdiv', AddcdivBackward0)


__all__ = ['atan2', 'arctan2', 'fmod', 'hypot', 'copysign', 'logaddexp', 'logaddexp2', 'float_power',
           'lerp', 'addcmul', 'addcdiv']

METHODS = {
    'atan2': _atan2_m, 'atan2_': atan2_, 'arctan2': _atan2_m, 'arctan2_': atan2_, 'hypot': _hypot_m,
    'hypot_': hypot_, 'logaddexp': _logaddexp_m, 'logaddexp2': _logaddexp2_m, 'fmod': _fmod_m, 'fmod_': fmod_,
    'copysign': _copysign_m, 'copysign_': copysign_,
    'float_power': float_power, 'float_power_': float_power_, 'lerp': lerp, 'lerp_': lerp_,
    'addcmul': addcmul, 'addcmul_': addcmul_, 'addcdiv': addcdiv, 'addcdiv_': addcdiv_,
}
