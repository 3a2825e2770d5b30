"""Comparisons, logical and bitwise ops and where (masked_fill, re-exported, is in masked_fill.py)."""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply, apply_inplace
from .broadcast_errors import broadcast_mismatch
from ._promote import promote, as_array, unbroadcast, result_dtype
from .arith_support import guarded
from .argcheck import bad_input, need_tensor, bad_operands, operand_error, invalid_combination


class Compare(Op):
    differentiable = False
    ufunc = None
    ordering = False        # lt/le/gt/ge: complex numbers have no order

    def forward(self, a, b):
        a, b, nd = promote(a, b)
        if self.ordering and nd.kind == 'c':
            from .arith import no_complex
            no_complex(nd, type(self).__name__.lower()[:2] + '_cpu')
        return as_array(self.ufunc(a, b))


class CompareInplace(Compare):
    """``t.gt_(other)`` and friends: PyTorch records them (GtBackward0 for a number, GtBackward1
    for a tensor) with zero gradients, and refuses a leaf that requires grad."""
    differentiable = True

    def forward(self, a, b):
        self.other_shape = getattr(b, 'shape', None)
        return super().forward(a, b).astype(a.dtype)

    def backward(self, g):
        zero = g.new_zeros(g.shape)
        if self.other_shape is None:
            return zero, None
        return zero, g.new_zeros(self.other_shape)


_MISSING = object()
_OPERANDS = {Tensor, int, float, bool, complex}


def _operand(v):
    """What PyTorch's parser takes for ``other``: a tensor or a number (NumPy scalars included)."""
    return v.__class__ in _OPERANDS or isinstance(v, (Tensor, int, float, complex, np.generic))


def _parser_error(fname, input, other, out=None, method=False):
    """PyTorch's TypeError when no overload of ``fname`` takes these arguments, listed as the caller
    wrote them (the method forms leave the tensor out)."""
    import sys
    from .argcheck import invalid_call
    given = 1 if other is _MISSING else 2
    return invalid_call(fname, sys._getframe(2), ('input', 'other', 'out'), (input, other, out), given, method)


def _cmp_forms(fname, cls, inplace):
    """Function (with ``out=``), method and in-place method of one comparison."""
    def f(input, other=_MISSING, *, out=None):
        if input.__class__ is not Tensor and not isinstance(input, Tensor) or not _operand(other) or \
                out is not None and not isinstance(out, Tensor):
            raise _parser_error(fname, input, other, out)
        r = apply(cls, input, other)
        if out is not None:
            from .arith import _check_out
            return _check_out(out, r, fname)
        return r

    def method(self, other=_MISSING):
        if not _operand(other):
            raise _parser_error(fname, self, other, method=True)
        return apply(cls, self, other)

    def f_(self, other=_MISSING):
        if not _operand(other):
            raise _parser_error(fname + '_', self, other, method=True)
        return apply_inplace(inplace[isinstance(other, Tensor)], self, other)
    f.__name__, method.__name__, f_.__name__ = fname, fname, fname + '_'
    return f, method, f_


def _cmp(name, ufunc, *aliases):
    """The forms of one comparison, then those of each alias (PyTorch names the alias in messages)."""
    attrs = {'ufunc': staticmethod(ufunc), '__module__': __name__, 'ordering': name not in ('Eq', 'Ne')}
    cls = type(name, (Compare,), attrs)
    inplace = [type(f'{name}Backward{k}', (CompareInplace,), attrs) for k in (0, 1)]
    return [form for fname in (name.lower(),) + aliases for form in _cmp_forms(fname, cls, inplace)]


eq, eq_method, eq_ = _cmp('Eq', np.equal)
ne, ne_method, ne_, not_equal, not_equal_method, not_equal_ = _cmp('Ne', np.not_equal, 'not_equal')
lt, lt_method, lt_, less, less_method, less_ = _cmp('Lt', np.less, 'less')
le, le_method, le_, less_equal, less_equal_method, less_equal_ = _cmp('Le', np.less_equal, 'less_equal')
gt, gt_method, gt_, greater, greater_method, greater_ = _cmp('Gt', np.greater, 'greater')
ge, ge_method, ge_, greater_equal, greater_equal_method, greater_equal_ = _cmp('Ge', np.greater_equal,
                                                                                 'greater_equal')


class Logical(Op):
    differentiable = False
    ufunc = None

    def forward(self, a, b=None):
        return as_array(self.ufunc(a) if b is None else self.ufunc(a, b))


def _need_tensors(fname, pairs):
    """PyTorch's parser: the logical ops take tensors only (``pairs``: (name, position, value))."""
    for arg, pos, v in pairs:
        need_tensor(fname, v, arg, pos)


def _logical(name, ufunc):
    """The function (with ``out=``: any dtype takes the 0/1 truth values), method and in-place
    method of a binary logical op."""
    cls = type(name, (Logical,), {'ufunc': staticmethod(ufunc), '__module__': __name__})
    fname = 'logical_' + name[7:].lower()

    def f(input, other, *, out=None):
        _need_tensors(fname, (('input', 1, input), ('other', 2, other)))
        r = apply(cls, input, other)
        if out is not None:
            from .arith import _check_out
            return _check_out(out, r, fname)
        return r

    def method(self, other):
        _need_tensors(fname, (('other', 1, other),))
        return apply(cls, self, other)

    def f_(self, other):
        _need_tensors(fname + '_', (('other', 1, other),))
        return apply_inplace(cls, self, other)
    return f, method, f_


logical_and, logical_and_method, logical_and_ = _logical('LogicalAnd', np.logical_and)
logical_or, logical_or_method, logical_or_ = _logical('LogicalOr', np.logical_or)
logical_xor, logical_xor_method, logical_xor_ = _logical('LogicalXor', np.logical_xor)
_LogicalNot = type('LogicalNot', (Logical,), {'ufunc': staticmethod(np.logical_not), '__module__': __name__})


def logical_not(input, *, out=None):
    _need_tensors('logical_not', (('input', 1, input),))
    r = apply(_LogicalNot, input)
    if out is not None:
        from .arith import _check_out
        return _check_out(out, r, 'logical_not')
    return r


def logical_not_(self):
    return apply_inplace(_LogicalNot, self)


class Bitwise(Op):
    differentiable = False
    ufunc = None
    symbol = ''

    def forward(self, a, b=None):
        if b is None:
            if a.dtype.kind not in 'biu':
                raise NotImplementedError(f'"{self.kernel}" not implemented for \'{_scalar_name_np(a.dtype)}\'')
            return as_array(np.invert(a))
        a, b, nd = promote(a, b)
        if nd.kind not in 'biu':
            raise NotImplementedError(f'"{self.kernel}" not implemented for \'{_scalar_name_np(nd)}\'')
        return as_array(self.ufunc(a, b))


def _bitwise(name, ufunc, kernel, unary=False):
    """Function, method and in-place method of a bitwise op. A non-Tensor, non-Number operand is
    refused by ``apply`` (Op.operand_arg) with the method's message; the function names both."""
    cls = type(name, (Bitwise,), {'ufunc': staticmethod(ufunc), 'kernel': kernel, '__module__': __name__,
                                  'operand_arg': None if unary else 'other'})
    fname = name.lower().replace('bitwise', 'bitwise_')
    if unary:
        def f(input):
            try:
                return apply(cls, input)
            except AttributeError:              # not a tensor: the parser's TypeError
                bad_input(fname, (input,))
        return f, lambda self: apply_inplace(cls, self)

    def f(input, other=_MISSING):
        if input.__class__ is not Tensor and not isinstance(input, Tensor) and not isinstance(other, Tensor) or \
                other is _MISSING:                # no Tensor at all, or no other
            raise invalid_combination(fname, (input,) if other is _MISSING else (input, other), {})
        try:
            return guarded(lambda: apply(cls, input, other), (input, other))
        except (AttributeError, TypeError):     # not a tensor (or number): the parser's TypeError
            if operand_error(fname, (input, other)) is None and isinstance(input, np.generic):
                return f(input.item(), other)   # a NumPy scalar acts as a Python number
            bad_operands(fname, (input, other))

    def method(self, other):
        return guarded(lambda: apply(cls, self, other), (self, other))

    def f_(self, other):
        return guarded(lambda: apply_inplace(cls, self, other), (self, other), self, True)
    return f, method, f_


bitwise_and, bitwise_and_method, bitwise_and_ = _bitwise('BitwiseAnd', np.bitwise_and, 'bitwise_and_cpu')
bitwise_or, bitwise_or_method, bitwise_or_ = _bitwise('BitwiseOr', np.bitwise_or, 'bitwise_or_cpu')
bitwise_xor, bitwise_xor_method, bitwise_xor_ = _bitwise('BitwiseXor', np.bitwise_xor, 'bitwise_xor_cpu')
bitwise_not, bitwise_not_ = _bitwise('BitwiseNot', np.invert, 'bitwise_not_cpu', True)


class Test(Op):
    differentiable = False
    fn = None

    def forward(self, a):
        return as_array(self.fn(a))


def _test(name, fn):
    cls = type(name, (Test,), {'fn': staticmethod(fn), '__module__': __name__})
    fname = name.lower()

    def test(input):
        if input.__class__ is not Tensor:       # NumPy would take a list: the parser's TypeError
            need_tensor(fname, input)
        return apply(cls, input)
    test.__name__ = test.__qualname__ = fname
    return test


isnan = _test('IsNan', np.isnan)
isinf = _test('IsInf', np.isinf)
isfinite = _test('IsFinite', np.isfinite)


# ------------------------------------------------------------------ where / masked_fill

def _cond_check(c):
    """The condition as a bool array (uint8 still accepted, with PyTorch's warning)."""
    if c.dtype == np.uint8:             # (once per process, at the user's line, as PyTorch)
        from .from_data import _warn_once, user_stacklevel
        _warn_once('where received a uint8 condition tensor. This behavior is deprecated and will be '
                   'removed in a future version of PyTorch. Use a boolean condition instead.',
                   user_stacklevel() + 1)
        return c.astype(np.bool_)
    if c.dtype != np.bool_:
        raise RuntimeError(f'where expected condition to be a boolean tensor, but got a tensor with '
                           f'dtype {_scalar_name_np(c.dtype)}')
    return c


def _scalar_name_np(npd):
    from .. import _dtype
    from .._tensor import _scalar_name
    return _scalar_name(_dtype._FROM_NP[npd])


class WhereBackward0(Op):
    def forward(self, cond, a, b):
        cond = _cond_check(cond)
        self.cond = cond
        self.metas = [None if isinstance(x, (int, float, bool, complex)) else x.shape for x in (a, b)]
        self.real_in = [getattr(x, 'dtype', None) is not None and x.dtype.kind != 'c' for x in (a, b)]
        a, b, _ = promote(a, b)
        try:
            return as_array(np.where(cond, a, b))
        except ValueError:
            raise _broadcast_error([np.shape(x) for x in (cond, a, b)]) from None

    def backward(self, g):
        c = Tensor._make(self.cond)
        ga = gb = None
        fit = _real_fit(g, self.real_in)
        if self._next[1][0] is not None:
            ga = fit[0](unbroadcast(where(c, g, 0.0), self.metas[0]))
        if self._next[2][0] is not None:
            gb = fit[1](unbroadcast(where(c, 0.0, g), self.metas[1]))
        return None, ga, gb

    _free = ('cond',)


def _same(g):
    return g


def _real_fit(g, real_in):
    """Per input: take the real part of a complex gradient for a real input (PyTorch's rule)."""
    if g._data.dtype.kind != 'c':
        return _same, _same
    from .arith import real_part
    return [real_part if r else _same for r in real_in]


def _broadcast_error(shapes):
    return broadcast_mismatch(shapes) or ValueError(f'shapes {shapes} do not broadcast')


def _int_fits(v, t):
    """An integer number beside an integer tensor must fit its dtype (PyTorch's Scalar check)."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and isinstance(t, Tensor) and \
            t._data.dtype.kind in 'iu':
        from .creation import _fill_array
        _fill_array(v, t.dtype)


_WHERE_OPERANDS = (Tensor, int, float, bool, complex, np.generic)


def where(condition, input=_MISSING, other=_MISSING, *, out=None):
    if input is _MISSING and other is _MISSING:
        from .index import nonzero
        need_tensor('where', condition, 'condition')
        return nonzero(condition, as_tuple=True)
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        if out is not None and input is not _MISSING and other is not _MISSING:
            from .argcheck import not_tensor_error      # the out= overload takes tensors only
            bad = ('input', 2, input) if input.__class__ is not Tensor else ('other', 3, other)
            raise not_tensor_error('where', bad[2], bad[0], bad[1])
        if not isinstance(input, _WHERE_OPERANDS) or not isinstance(other, _WHERE_OPERANDS):
            raise _where_error(condition, input, other, out)
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            from .creation import scalar_tensor
            input = scalar_tensor(input, condition, result_dtype(input, other))
        else:
            _int_fits(input, other)
            _int_fits(other, input)
    try:
        r = apply(WhereBackward0, condition, input, other)
    except AttributeError:                      # not a tensor: the parser's TypeError
        bad_input('where', (condition, input, other), None, 'condition')
    if out is not None:
        from .arith import _check_out
        return _check_out(out, r, 'where')
    return r


def where_method(self, condition, other):
    return where(condition, self, other)


def _where_error(condition, input, other, out):
    """PyTorch's TypeError for a where() operand that is neither a Tensor nor a Number (or missing),
    listing the arguments as the caller wrote them."""
    import sys
    from .argcheck import invalid_call
    f = sys._getframe(2)
    if f.f_code is where_method.__code__:          # (the method lists condition and other)
        return invalid_call('where', f.f_back, ('condition', 'other'), (condition, other), 2)
    values = (condition, input, other, out)
    given = next((i for i, v in enumerate(values[:3]) if v is _MISSING), 3)
    return invalid_call('where', f, ('condition', 'input', 'other', 'out'), values, given)


from .masked_fill import MaskedFillBackward0, MaskedFillBackward1, masked_fill, masked_fill_   # noqa: E402,F401
