"""Elementwise maximum and minimum of two tensors."""
import numpy as np

from .._tensor import Tensor
from ._op import apply
from .arith import Binary, _check_out, refuse_complex


class MaximumBackward0(Binary):
    saves = (0, 1)
    ufunc = np.maximum

    def backward(self, g):
        a, b = self.saved_tensors
        return self._fit(_pick(g, a, b, a > b, a < b))


class MinimumBackward0(Binary):
    saves = (0, 1)
    ufunc = np.minimum

    def backward(self, g):
        a, b = self.saved_tensors
        return self._fit(_pick(g, a, b, a < b, a > b))


def _pick(g, a, b, a_wins, b_wins):
    """Gradient split for max/min, as PyTorch does: ties share the gradient equally; an input
    gets none only where the other one wins (so where a NaN is involved both get all of it)."""
    tie = a == b
    half = g * 0.5
    from .compare import where
    ga = where(tie, half, where(b_wins, 0.0, g))
    gb = where(tie, half, where(a_wins, 0.0, g))
    return ga, gb


# ------------------------------------------------------------------ public functions

def _tensors_only(fname, input, other):
    for pos, (arg, x) in enumerate((('input', input), ('other', other)), 1):
        if not isinstance(x, Tensor):
            from .argcheck import need_tensor
            need_tensor(fname, x, arg, pos)
    for x in (input, other):
        refuse_complex(x, message=f'{fname} not implemented for complex tensors.', exc=RuntimeError)


def maximum(input, other, *, out=None):
    _tensors_only('maximum', input, other)
    r = apply(MaximumBackward0, input, other)
    return r if out is None else _check_out(out, r, 'maximum')


def minimum(input, other, *, out=None):
    _tensors_only('minimum', input, other)
    r = apply(MinimumBackward0, input, other)
    return r if out is None else _check_out(out, r, 'minimum')
