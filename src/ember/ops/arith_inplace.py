"""The in-place forms of the binary arithmetic ops (``t.add_(x)``, ...; ops/arith.py holds the ops)."""
from .._tensor import Tensor
from ._op import apply_inplace
from .argcheck import operand_error as _operand_error, _is_number
from .arith_support import sparse_op, inplace_error as _inplace_error, number_arg as _number_arg
from .number_first import number_first
from .arith import (AddBackward0, SubBackward0, MulBackward0, DivBackward0, DivBackward2, DivTrueMode,
                    RemainderBackward0, RemainderBackward1, FloorDivide, _UNSET)


def _inplace(cls, self, other, float_result=False, **kw):
    """apply_inplace in PyTorch's check order (``b=None`` in kw: a number ``other`` goes as ``b=``)."""
    try:
        return apply_inplace(cls, self, **{**kw, 'b': other}) if 'b' in kw else apply_inplace(cls, self, other, **kw)
    except (NotImplementedError, RuntimeError) as e:
        raise _inplace_error(e, self, other, float_result) from None


def _alpha_inplace(name, cls):
    """add_ / sub_ (``other`` scaled by ``alpha``); the common in-place forms call apply_inplace directly
    (speed)."""
    def fn_(self, other, *rest, alpha=1):
        if rest:                            # t.add_(alpha, other): a deprecated overload
            other, alpha = number_first(name, (other, *rest), not (alpha.__class__ is int and alpha == 1))
        if alpha.__class__ is not int and alpha.__class__ is not float:
            alpha = _number_arg(alpha, name, 'alpha')
        try:
            try:
                return apply_inplace(cls, self, other, alpha=alpha)
            except (NotImplementedError, RuntimeError) as e:
                raise _inplace_error(e, self, other) from None
        except NotImplementedError:         # a sparse COO operand
            return sparse_op(name, self, other, alpha=alpha)
    fn_.__name__ = fn_.__qualname__ = name
    return fn_


add_ = _alpha_inplace('add_', AddBackward0)
sub_ = _alpha_inplace('sub_', SubBackward0)


def mul_(self, other):
    try:
        return apply_inplace(MulBackward0, self, other)
    except (NotImplementedError, RuntimeError) as e:
        raise _inplace_error(e, self, other) from None


def div_(self, other, *, rounding_mode=_UNSET):
    if rounding_mode is _UNSET:
        try:
            return apply_inplace(DivBackward0, self, other)
        except (NotImplementedError, RuntimeError) as e:
            raise _inplace_error(e, self, other, True) from None
    return _inplace(DivBackward2 if rounding_mode else DivTrueMode, self, other, rounding_mode is None,
                    rounding_mode=rounding_mode)


def remainder_(self, other):
    if isinstance(other, Tensor):
        return _inplace(RemainderBackward1, self, other)
    if not _is_number(other):
        raise _operand_error('remainder_', (self, other), method=True)
    return _inplace(RemainderBackward0, self, other, b=None)


def floor_divide_(self, other):
    return _inplace(FloorDivide, self, other)
