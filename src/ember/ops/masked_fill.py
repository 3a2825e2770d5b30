"""masked_fill and masked_fill_ (a number or a 0-dim tensor written where a mask is set)."""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply, apply_inplace
from .broadcast_errors import broadcast_mismatch
from .index_value import check_fill_value, bad_fill
from ._promote import as_array, unbroadcast, xp
from .compare import where, _scalar_name_np


class MaskedFillBackward0(Op):
    def forward(self, a, mask, value):
        if mask.dtype != np.bool_:
            from .matmul import CPP_NAMES
            raise RuntimeError(f'masked_fill_ only supports boolean masks, but got mask with dtype '
                               f'{CPP_NAMES[_scalar_name_np(mask.dtype)]}')
        if not isinstance(value, (int, float, bool, complex)):
            if value.ndim != 0:
                raise RuntimeError('masked_fill_ only supports a 0-dimensional value tensor, but got '
                                   f'tensor with {value.ndim} dimension(s).')
        self.real_value = not isinstance(value, complex) and getattr(value, 'dtype', a.dtype).kind != 'c'
        if a.dtype.kind != 'c' and not self.real_value:
            from ._complex import value_fits as _value_fits
            _value_fits(1j, a.dtype)
        self.mask = mask
        try:
            shape = np.broadcast_shapes(a.shape, mask.shape)
        except ValueError:
            raise broadcast_mismatch((mask.shape, a.shape)) from None     # (the in-place form: see masked_fill_)
        self.shape = a.shape
        m = xp(a)
        v = m.asarray(np.asarray(value).astype(a.dtype)) if isinstance(value, (int, float, bool, complex)) \
            else value.astype(a.dtype)
        out = m.where(mask, v, a)
        return as_array(out if out.shape == shape else m.broadcast_to(out, shape).copy())

    def backward(self, g):
        m = Tensor._make(self.mask)
        ga = unbroadcast(where(m, 0.0, g), self.shape) if self._next[0][0] is not None else None
        gv = None
        if self._next[2][0] is not None:
            gv = where(m, g, 0.0).sum()
            if self.real_value and gv._data.dtype.kind == 'c':
                from .arith import real_part
                gv = real_part(gv)
        return ga, None, gv

    _free = ('mask',)


class MaskedFillBackward1(MaskedFillBackward0):
    """masked_fill with a 0-dim tensor value"""


def masked_fill(input, mask, value):
    try:
        value = check_fill_value(input, value)
    except TypeError:
        bad_fill('masked_fill', ('input', 'mask', 'value'), (input, mask, value))
    cls = MaskedFillBackward1 if isinstance(value, Tensor) else MaskedFillBackward0
    return apply(cls, input, mask, value)


def masked_fill_(self, mask, value):
    try:
        value = check_fill_value(self, value)
    except TypeError:
        bad_fill('masked_fill_', ('input', 'mask', 'value'), (self, mask, value))
    cls = MaskedFillBackward1 if isinstance(value, Tensor) else MaskedFillBackward0
    try:
        return apply_inplace(cls, self, mask, value)
    except RuntimeError:
        err = isinstance(mask, Tensor) and broadcast_mismatch((self.shape, mask.shape))
        if not err:
            raise
    raise err from None                  # PyTorch names self first in the in-place form
