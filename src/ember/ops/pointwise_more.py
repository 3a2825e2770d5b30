"""More elementwise ops: atan2, fmod, hypot, copysign, logaddexp(2), float_power. (lerp, addcmul and
addcdiv live in lerp_addc.py, xlogy in special_fns.py; nan_to_num and the closeness tests in
closeness.py.)

Binary ops reuse ``arith.Binary`` (promotion, gradient reduction). float16/bfloat16 values
are computed in float32 and rounded back, as PyTorch's CPU kernels do."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import apply, apply_inplace
from ._promote import promote, as_array
from .arith import Binary, _meta, _int_zero_check, conj
from ._complex import logaddexp as _logaddexp_complex
from .unary_more import to_out
from .arith_support import guarded as _guarded

_BF16 = _dtype.bfloat16.np
_LOW = (np.float16, _BF16)
_NUMBERS = (int, float, bool, np.number, np.bool_)       # NumPy scalars act as Python numbers
_CNUMBERS = _NUMBERS + (complex,)
_TCNUMBERS = _CNUMBERS + (Tensor,)


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
    from .argcheck import type_name
    got = ', '.join(type_name(a) for a in args)
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


def _binary(name, cls, number_cls=None, amp_name=None):
    """Function, method and in-place forms of a binary op. Without ``number_cls`` both operands
    must be tensors; with it a number ``other`` runs ``number_cls`` (as ``b=``: no graph edge).
    ``name`` is the one PyTorch's messages give (an alias: arctan2), ``amp_name`` autocast's."""
    amp_name = amp_name or name

    def run(run_apply, input, other, method, fname=name):
        if isinstance(other, Tensor):
            return run_apply(cls, input, other)
        if number_cls is None:
            _need_tensor(fname, 'other', other, 1 if method else 2)
        if not isinstance(other, _CNUMBERS):
            raise _bad_args(fname, (other,) if method else (input, other), *_TN)
        return run_apply(number_cls, input, b=other)

    floats = cls.float_result and getattr(cls, 'kernel', None) is None    # integers give floats

    def fn(input, other, *, out=None):
        if _amp.state.on and _amp.promote(amp_name, (input, other)):  # autocast hook (ember.amp)
            return _amp.call_promote(fn, input, other, out=out)
        if not isinstance(input, Tensor):
            if number_cls is None:
                _need_tensor(name, 'input', input, 1)
            raise _bad_args(name, (input, other), *_TN)
        # (guarded: PyTorch's shape and cast errors come before the kernel's dtype error)
        r = _guarded(lambda: run(apply, input, other, False), (input, other), out, False, floats)
        return r if out is None else to_out(amp_name, out, r)

    def method(self, other):
        if _amp.state.on and _amp.promote(amp_name, self):  # autocast hook (ember.amp)
            return _amp.call_promote(method, self, other)
        return _guarded(lambda: run(apply, self, other, True), (self, other))

    def inplace(self, other):
        return _guarded(lambda: run(apply_inplace, self, other, True, name + '_'), (self, other), self, True,
                        floats)
    fn.__name__ = fn.__qualname__ = name
    inplace.__name__ = name + '_'
    return fn, method, inplace


atan2, _atan2_m, atan2_ = _binary('atan2', Atan2Backward0)
hypot, _hypot_m, hypot_ = _binary('hypot', HypotBackward0)
logaddexp, _logaddexp_m, _ = _binary('logaddexp', LogaddexpBackward0)
logaddexp2, _logaddexp2_m, _ = _binary('logaddexp2', Logaddexp2Backward0)
fmod, _fmod_m, fmod_ = _binary('fmod', FmodBackward1, FmodBackward0)
copysign, _copysign_m, copysign_ = _binary('copysign', CopysignBackward0, CopysignBackward1)
arctan2, _arctan2_m, arctan2_ = _binary('arctan2', Atan2Backward0, amp_name='atan2')


def _f64(x, wide=_dtype.float64):
    """x in float_power's dtype: float64, or complex128 when an operand is complex."""
    return x.to(wide) if isinstance(x, Tensor) else (complex if wide.is_complex else float)(x)


def _wide(*xs):
    cplx = any(x.is_complex() if isinstance(x, Tensor) else isinstance(x, complex) for x in xs)
    return _dtype.complex128 if cplx else _dtype.float64


def float_power(input, exponent, *, out=None):
    """pow computed in float64 (the inputs are converted first)."""
    from .power import pow
    if not isinstance(input, _TCNUMBERS) or not isinstance(exponent, _TCNUMBERS) or (
            not isinstance(input, Tensor) and not isinstance(exponent, Tensor)):
        raise _bad_args('float_power', (input, exponent), 'Tensor input, Tensor exponent',
                        'Number self, Tensor exponent', 'Tensor input, Number exponent')
    wide = _wide(input, exponent)
    if out is not None and out.dtype is not wide:
        raise RuntimeError(f'the output given to float_power has dtype {_scalar_name(out.dtype)} but the '
                           f"operation's result requires dtype {_scalar_name(wide)}")
    r = pow(_f64(input, wide), _f64(exponent, wide))
    return r if out is None else to_out('pow', out, r)


def _float_power_m(self, exponent, fname='float_power'):
    """(the method's check: PyTorch's message then shows the exponent alone)"""
    if not isinstance(exponent, _TCNUMBERS):
        raise _bad_args(fname, (exponent,), 'Tensor exponent', 'Number exponent')
    return float_power(self, exponent)


def float_power_(self, exponent):
    from .power import pow_
    if not isinstance(exponent, _TCNUMBERS):
        _float_power_m(self, exponent, 'float_power_')
    wide = _wide(self, exponent)
    if self.dtype is not wide:
        raise RuntimeError(f'the base given to float_power_ has dtype {_scalar_name(self.dtype)} but the '
                           f"operation's result requires dtype {_scalar_name(wide)}")
    return pow_(self, _f64(exponent, wide))


__all__ = ['atan2', 'arctan2', 'fmod', 'hypot', 'copysign', 'logaddexp', 'logaddexp2', 'float_power']

METHODS = {
    'atan2': _atan2_m, 'atan2_': atan2_, 'arctan2': _arctan2_m, 'arctan2_': arctan2_, 'hypot': _hypot_m,
    'hypot_': hypot_, 'logaddexp': _logaddexp_m, 'logaddexp2': _logaddexp2_m, 'fmod': _fmod_m, 'fmod_': fmod_,
    'copysign': _copysign_m, 'copysign_': copysign_,
    'float_power': _float_power_m, 'float_power_': float_power_,
}
