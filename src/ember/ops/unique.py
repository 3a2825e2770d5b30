"""unique and unique_consecutive, over all elements or over slices along a dim.

Results come back as PyTorch gives them: the tensor alone, or a plain tuple
(output, inverse?, counts?) when ``return_inverse``/``return_counts`` ask for more.
The outputs are always sorted (PyTorch's CPU kernels sort for ``sorted=False`` too).
NaN never equals NaN, so every NaN is its own value. These ops have no derivative: on an
input that requires grad the output carries a grad_fn whose backward raises, as in PyTorch.
"""
import numpy as np

from ._op import Op, apply
from ._promote import xp
from .shape import wrap_dim
from .sort import order as sort_order
from .. import _dtype
from .argcheck import bad_input

_BF16 = _dtype.bfloat16.np

__all__ = ['unique', 'unique_consecutive']


class _NoDerivative(Op):
    """Forward gives (output, inverse, counts); backward says it does not exist."""
    n_outputs = 3
    nondiff_outputs = (1, 2)
    aten = ''

    def backward(self, *grads):
        raise NotImplementedError(f"the derivative for '{self.aten}' is not implemented.")


def _groups(rows, starts, m):
    """From sorted rows and the flags marking where a new value begins: the distinct rows,
    each sorted row's group number and the size of each group."""
    n = starts.shape[0]
    group = m.cumsum(starts) - 1
    first = m.flatnonzero(starts)
    counts = m.diff(m.concatenate([first, m.asarray([n])])) if n else m.zeros(0, np.int64)
    return rows[first], group.astype(np.int64), counts.astype(np.int64)


def _starts(s, m):
    """Flags: where a run of equal elements (or equal rows) begins in ``s``."""
    starts = m.ones(s.shape[0], bool)
    if s.shape[0] > 1:
        diff = s[1:] != s[:-1]
        starts[1:] = diff.any(axis=tuple(range(1, s.ndim))) if s.ndim > 1 else diff
    return starts


def _as_rows(a, dim):
    """The slices along ``dim`` as the rows of a 2-D array, checking PyTorch's conditions."""
    if a.ndim == 0:
        raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
    d = wrap_dim(dim, a.ndim)
    if a.size == 0 and a.shape[d] != 0:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot "
                           'be applied')
    moved = xp(a).moveaxis(a, d, 0)
    width = 1
    for s in moved.shape[1:]:
        width *= s
    return d, moved.shape[1:], moved.reshape(a.shape[d], width)


def _restore(rows, d, rest, m):
    """Rows back to a tensor with the unique slices along ``d`` (a view, as PyTorch's layout)."""
    return m.moveaxis(rows.reshape((rows.shape[0],) + tuple(rest)), 0, d)


class Unique2Backward0(_NoDerivative):
    aten = '_unique2'

    def forward(self, a):
        m = xp(a)
        flat = a.reshape(-1)
        order = sort_order(flat, 0)
        s = flat[order]
        out, group, counts = _groups(s, _starts(s, m), m)
        inverse = m.empty(flat.shape[0], np.int64)
        inverse[order] = group
        return out, inverse.reshape(a.shape), counts


class UniqueDimBackward0(_NoDerivative):
    aten = 'unique_dim'

    def forward(self, a, dim):
        m = xp(a)
        d, rest, rows = _as_rows(a, dim)
        if rows.shape[1]:
            keys = rows.astype(np.float32) if rows.dtype == _BF16 else rows     # ml_dtypes sorts NaN badly
            order = m.lexsort(keys.T[::-1])      # the first column is the primary key
        else:
            order = m.arange(rows.shape[0])
        s = rows[order]
        out, group, counts = _groups(s, _starts(s, m), m)
        inverse = m.empty(rows.shape[0], np.int64)
        inverse[order] = group
        return _restore(out, d, rest, m), inverse, counts


class UniqueConsecutiveBackward0(_NoDerivative):
    aten = 'unique_consecutive'

    def forward(self, a, dim=None):
        m = xp(a)
        if dim is None:
            flat = a.reshape(-1)
            out, group, counts = _groups(flat, _starts(flat, m), m)
            return out, group.reshape(a.shape), counts
        d, rest, rows = _as_rows(a, dim)
        out, group, counts = _groups(rows, _starts(rows, m), m)
        return _restore(out, d, rest, m), group, counts


def _result(outs, return_inverse, return_counts):
    output, inverse, counts = outs
    if not return_inverse and not return_counts:
        return output
    return (output,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())


def _no_complex(input, kernel):
    if input.is_complex():               # (PyTorch's CPU kernels have no complex order)
        from .._tensor import _scalar_name
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_scalar_name(input.dtype)}\'')


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements (or slices along ``dim``) of input, in ascending order."""
    try:
        _no_complex(input, 'unique' if dim is None else 'unique_dim')
        if dim is None:
            outs = apply(Unique2Backward0, input)
        else:
            outs = apply(UniqueDimBackward0, input, dim=dim)
        return _result(outs, return_inverse, return_counts)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('_unique2', (input,))


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Input with each run of equal consecutive elements (or slices along ``dim``) kept once."""
    try:
        _no_complex(input, 'unique')
        return _result(apply(UniqueConsecutiveBackward0, input, dim=dim), return_inverse, return_counts)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('unique_consecutive', (input,))


METHODS = {'unique': unique, 'unique_consecutive': unique_consecutive}
