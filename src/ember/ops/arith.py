"""Binary arithmetic: add, sub, mul, div, pow, remainder, floor_divide, maximum, minimum."""
import numpy as np

from .._tensor import Tensor
from ._op import Op, NotImplementedNode, apply
from ._promote import promote, unbroadcast, as_array, same_arrays as _same_arrays, HALF, py_number
from .argcheck import bad_operands as _bad_operands, operand_error as _operand_error, _is_number
from .number_first import number_first
from ._complex import conj, real_part, refuse_complex, no_complex  # noqa: F401 (shared by the op modules)
from .arith_support import (int_zero_check as _int_zero_check, int_trunc_div as _int_trunc_div,  # noqa: F401
                            check_out as _check_out, sparse_op, scalar_tensor as _scalar_tensor,
                            remainder_values as _remainder, half_scalar as _half_scalar,
                            sub_check as _sub_check, number_tensor as _number_tensor,
                            check_number_input as _check_number_input, checks_first as _checks_first,
                            same_float as _same_float, ufunc_into as _ufunc_into,
                            scaled as _scaled, number_arg as _number_arg)


_SCALARS = (int, float, bool, complex)


def _meta(x):
    return None if x.__class__ in _SCALARS else (x.shape, x.dtype)


class Binary(Op):
    """Shared forward for elementwise binary ops: promote, then one ufunc."""
    ufunc = None
    float_result = False
    half_opmath = False     # a half tensor and a Python number: computed in float32, rounded once
    metas = None        # None: every input has the output's shape and dtype (nothing to fit)
    operand_arg = 'other'

    def forward(self, a, b):
        if _same_arrays(self, a, b, self.float_result):
            return self.ufunc(a, b)
        self.metas = (None if a.__class__ in _SCALARS else (a.shape, a.dtype),
                      None if b.__class__ in _SCALARS else (b.shape, b.dtype))
        a0, b0 = a, b
        a, b, nd = promote(a, b, self.float_result)
        if self.half_opmath and nd in HALF:
            return _half_scalar(self.ufunc, a, b, a0, b0, nd)
        r = self.ufunc(a, b)
        return r if r.__class__ is np.ndarray else as_array(r)

    def _fit(self, grads):
        """Reduce each input gradient to its input's shape and dtype."""
        if self.metas is None:
            return tuple(None if node is None else g for g, (node, _) in zip(grads, self._next))
        out = []
        for g, meta, (node, _) in zip(grads, self.metas, self._next):
            if g is None or meta is None or node is None:
                out.append(None)
                continue
            g = unbroadcast(g, meta[0])
            if g._data.dtype != meta[1] and g._data.dtype.kind == 'c' and meta[1].kind != 'c':
                g = real_part(g)
            if g._data.dtype != meta[1]:
                g = g.to(Tensor._make(np.empty(0, meta[1])).dtype)
            out.append(g)
        return tuple(out)


class AddBackward0(Binary):
    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        if alpha.__class__ is int and alpha == 1 and _same_arrays(self, a, b):
            return np.add(a, b)
        self.metas = (None if a.__class__ in _SCALARS else (a.shape, a.dtype),
                      None if b.__class__ in _SCALARS else (b.shape, b.dtype))
        a, b, nd = promote(a, b)
        r = np.add(a, b if alpha.__class__ is int and alpha == 1 else _scaled(b, alpha, nd))
        return r if r.__class__ is np.ndarray else as_array(r)

    def backward(self, g):
        return self._fit((g, g * conj(self.alpha) if self.alpha != 1 else g))

    def forward_inplace(self, a, b, alpha=1):
        return _same_float(a, b) and _ufunc_into(np.add, a, _scaled(b, alpha, a.dtype))


class SubBackward0(Binary):
    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        if alpha.__class__ is int and alpha == 1 and _same_arrays(self, a, b, floats=True):
            return np.subtract(a, b)
        _sub_check(a, b)
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        return as_array(np.subtract(a, _scaled(b, alpha, nd)))

    def backward(self, g):
        return self._fit((g, -g * conj(self.alpha) if self.alpha != 1 else -g))

    def forward_inplace(self, a, b, alpha=1):
        _sub_check(a, b)
        return _same_float(a, b) and _ufunc_into(np.subtract, a, _scaled(b, alpha, a.dtype))


class RsubBackward0(Binary):
    """rsub(tensor, tensor, alpha): other - alpha * input"""
    def forward(self, a, b, alpha=1):
        _sub_check(a, b)
        self.alpha = alpha
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        return as_array(np.subtract(b, _scaled(a, alpha, nd)))

    def backward(self, g):
        return self._fit((-g * conj(self.alpha) if self.alpha != 1 else -g, g))


class RsubBackward1(RsubBackward0):
    """scalar - alpha * tensor (the scalar is passed as ``b=``: no graph edge, as in PyTorch)"""


class MulBackward0(Binary):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}
    ufunc = np.multiply
    half_opmath = True

    def forward_inplace(self, a, b):       # (not for half dtypes: see _half_scalar)
        return a.dtype.itemsize > 2 and _same_float(a, b) and _ufunc_into(np.multiply, a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self._next[0][0] is not None, self._next[1][0] is not None
        return self._fit((g * conj(b) if need_a else None, g * conj(a) if need_b else None))


class DivBackward0(Binary):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0, 1)}
    float_result = True
    ufunc = np.true_divide

    def forward(self, a, b, rounding_mode=None):
        self.mode = rounding_mode
        if rounding_mode is None and _same_arrays(self, a, b, floats=True):
            return np.true_divide(a, b)
        self.metas = (_meta(a), _meta(b))
        a0, b0 = a, b
        if rounding_mode is None:
            a, b, nd = promote(a, b, True)
            if nd in HALF:
                return _half_scalar(np.true_divide, a, b, a0, b0, nd)
            return as_array(np.true_divide(a, b))
        if rounding_mode not in ('trunc', 'floor'):
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                               f"found '{rounding_mode}'")
        a, b, nd = promote(a, b)
        _no_bool(nd, f'div_{rounding_mode}_cpu')
        if nd.kind in 'iu':
            _int_zero_check(b, nd, a)
            if rounding_mode == 'trunc':
                q = np.trunc(np.true_divide(a, b)).astype(nd) if nd.itemsize < 8 else _int_trunc_div(a, b)
                return as_array(q)
            return as_array(np.floor_divide(a, b))
        if nd in HALF:
            return _half_scalar(_TRUNC_DIV if rounding_mode == 'trunc' else np.floor_divide, a, b, a0, b0, nd)
        if rounding_mode == 'trunc':
            return as_array(np.trunc(np.true_divide(a, b)))
        return as_array(np.floor_divide(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        need_a, need_b = self._next[0][0] is not None, self._next[1][0] is not None
        if need_a or need_b:
            a, b = conj(a), conj(b)
        return self._fit((g / b if need_a else None, -g * (a / b / b) if need_b else None))   # PyTorch's order


class DivBackward2(DivBackward0):
    """div with rounding_mode: the gradient is zero (PyTorch's DivBackward2)"""
    saves = ()

    def backward(self, g):
        from .creation import zeros_like
        z = zeros_like(g)       # zeros, not g * 0: an inf or nan upstream gradient gives 0, as PyTorch
        return self._fit((z, z))


# div with rounding_mode=None given explicitly: PyTorch's div.Tensor_mode node, true-division gradient
DivTrueMode = type('DivBackward2', (DivBackward0,), {'__module__': __name__, '__qualname__': 'DivBackward2'})
_UNSET = object()


_TRUNC_DIV = (lambda a, b: np.trunc(np.true_divide(a, b)))


def _no_bool(nd, kernel):
    no_complex(nd, kernel)
    if nd == np.bool_:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


class RemainderBackward0(Binary):
    """tensor % scalar (the scalar is passed as ``b=``: no graph edge, as in PyTorch)"""
    def forward(self, a, b):
        self.metas = (_meta(a), _meta(b))
        a, b, nd = promote(a, b)
        _no_bool(nd, 'remainder_cpu')
        _int_zero_check(b, nd, a)
        return as_array(_remainder(a, b, nd))

    def backward(self, g):
        return self._fit((g, None))


class RemainderBackward1(RemainderBackward0):
    """tensor % tensor"""
    saves = (0, 1)

    def backward(self, g):
        a, b = self.saved_tensors
        gb = None
        if self._next[1][0] is not None:
            gb = -g * div(a, b, rounding_mode='floor')
        return self._fit((g, gb))


class _NotImplemented(NotImplementedNode, Binary):
    """A binary op PyTorch records but cannot differentiate: backward raises."""


class FloorDivide(_NotImplemented):
    aten = 'floor_divide'

    def forward(self, a, b):
        a0, b0 = a, b
        a, b, nd = promote(a, b)
        _no_bool(nd, 'div_floor_cpu')
        _int_zero_check(b, nd, a)
        if nd in HALF:
            return _half_scalar(np.floor_divide, a, b, a0, b0, nd)
        return as_array(np.floor_divide(a, b))


class RemainderScalarSelf(_NotImplemented):
    """scalar % tensor"""
    aten = 'remainder'

    def forward(self, a, b):
        a, b, nd = promote(a, b)
        _no_bool(nd, 'remainder_cpu')
        _int_zero_check(b, nd, a)
        return as_array(_remainder(a, b, nd))


def add(input, other, *rest, alpha=1, out=None):
    if rest:                                # add(input, alpha, other): a deprecated overload
        other, alpha = number_first('add', (other, *rest), not (alpha.__class__ is int and alpha == 1))
    if alpha.__class__ is not int and alpha.__class__ is not float:
        alpha = _number_arg(alpha, 'add', 'alpha')
    try:
        if not isinstance(input, Tensor):
            if not isinstance(other, Tensor):       # two numbers: the first made a 0-dim tensor, as PyTorch
                r = add(_number_tensor(input, 'add'), other, alpha=alpha)
            else:
                r = apply(AddBackward0, other, input) if alpha == 1 else apply(AddBackward0, _scalar_tensor(input, other), other, alpha=alpha)
        else:
            r = apply(AddBackward0, input, other) if alpha.__class__ is int and alpha == 1 else apply(AddBackward0, input, other, alpha=alpha)
    except NotImplementedError:             # a sparse COO operand
        return sparse_op('add', input, other, alpha=alpha, out=out)
    except (TypeError, AttributeError):     # a list, a NumPy array, ...: the parser's TypeError
        _bad_operands('add', (input, other))
    return r if out is None else _check_out(out, r, 'add')


def sub(input, other, *rest, alpha=1, out=None):
    if rest:                                # sub(input, alpha, other): a deprecated overload
        other, alpha = number_first('sub', (other, *rest), not (alpha.__class__ is int and alpha == 1))
    if alpha.__class__ is not int and alpha.__class__ is not float:
        alpha = _number_arg(alpha, 'sub', 'alpha')
    try:
        if not isinstance(input, Tensor):
            if not isinstance(other, Tensor):   # two numbers: the first made a 0-dim tensor, as PyTorch
                input = _number_tensor(input, 'sub')
            elif isinstance(input, np.generic):     # a NumPy scalar is a number
                input = py_number(input)
        # a number promotes as a wrapped number and gets no gradient edge (PyTorch's SubBackward0)
        r = apply(SubBackward0, input, other) if alpha.__class__ is int and alpha == 1 else apply(SubBackward0, input, other, alpha=alpha)
    except NotImplementedError:             # a sparse COO operand
        return sparse_op('sub', input, other, alpha=alpha, out=out)
    except (TypeError, AttributeError):     # a list, a NumPy array, ...: the parser's TypeError
        _bad_operands('sub', (input, other))
    return r if out is None else _check_out(out, r, 'sub')


def rsub(input, other, alpha=1):
    if alpha.__class__ is not int and alpha.__class__ is not float:
        alpha = _number_arg(alpha, 'rsub', 'alpha', mixed=(input, other))
    if isinstance(other, Tensor):
        return apply(RsubBackward0, input, other, alpha=alpha)
    return apply(RsubBackward1, input, b=other, alpha=alpha)


def mul(input, other, *, out=None):
    try:
        if not isinstance(input, Tensor):
            input, other = (other, _check_number_input(input, 'mul')) if isinstance(other, Tensor) else (
                _number_tensor(input, 'mul'), other)
        r = apply(MulBackward0, input, other)
    except NotImplementedError:             # a sparse COO operand
        return sparse_op('mul', input, other, out=out)
    except (TypeError, AttributeError):     # a list, a NumPy array, ...: the parser's TypeError
        _bad_operands('mul', (input, other))
    return r if out is None else _check_out(out, r, 'mul')


def div(input, other, *, rounding_mode=_UNSET, out=None):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):    # the first made a 0-dim tensor
        input = _number_tensor(input, 'div')
    op = DivBackward2
    if rounding_mode is _UNSET:
        op, rounding_mode = DivBackward0, None
    elif rounding_mode is None:
        op = DivTrueMode
    try:
        if not isinstance(input, Tensor):
            if rounding_mode is None:
                r = mul(reciprocal(other), input)
                return r if out is None else _check_out(out, r, 'div')
            input = _scalar_tensor(input, other)
        r = apply(op, input, other, rounding_mode=rounding_mode)
    except NotImplementedError:             # a sparse COO operand
        return sparse_op('div', input, other, rounding_mode=rounding_mode, out=out)
    except (TypeError, AttributeError):     # a list, a NumPy array, ...: the parser's TypeError
        _bad_operands('div', (input, other))
    return r if out is None else _check_out(out, r, 'div')


def reciprocal(x):
    from .unary import reciprocal as _r
    return _r(x)


def true_divide(input, other, *, out=None):
    try:
        return div(input, other, out=out)
    except TypeError:                       # a list, a NumPy array, ...: the parser's TypeError
        _bad_operands('true_divide', (input, other))


def floor_divide(input, other, *, out=None):
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = _number_tensor(input, 'floor_divide', other)
    try:
        r = apply(FloorDivide, input, other)        # a number ``input`` promotes as a wrapped number
    except (NotImplementedError, RuntimeError) as e:     # PyTorch's shape/cast errors come first
        raise _checks_first(e, (input, other), out) or e from None
    except (TypeError, AttributeError):     # a list, a NumPy array, ...: the parser's TypeError
        _bad_operands('floor_divide', (input, other))
    return r if out is None else _check_out(out, r, 'floor_divide')


def remainder(input, other, *, out=None):
    if not isinstance(input, Tensor):
        if not isinstance(other, Tensor):
            raise TypeError(f'remainder() received an invalid combination of arguments - got '
                            f'({type(input).__name__}, {type(other).__name__}), but expected one of:')
        if not _is_number(input):
            raise _operand_error('remainder', (input, other))
        r = apply(RemainderScalarSelf, input, other)      # the number promotes as a wrapped number
    else:
        try:
            if isinstance(other, Tensor):
                r = apply(RemainderBackward1, input, other)
            else:
                if not _is_number(other):
                    raise _operand_error('remainder', (input, other))
                r = apply(RemainderBackward0, input, b=other)
        except (NotImplementedError, RuntimeError) as e:     # PyTorch's shape/cast errors come first
            raise _checks_first(e, (input, other), out) or e from None
    return r if out is None else _check_out(out, r, 'remainder')


# in-place forms (ops/arith_inplace.py)
from .arith_inplace import _inplace, add_, sub_, mul_, div_, remainder_, floor_divide_  # noqa: E402,F401
