"""In-place arithmetic on sparse COO tensors: ``add_``, ``sub_``, ``mul_``, ``div_``, ``zero_``.

Each computes the out-of-place result from a stand-in for the tensor as it was (so the recorded
graph sees the old pattern and values), checks that the result fits the tensor's dtype, then the
tensor takes on the result's pattern, values and grad_fn and its version counter moves on.
"""
from .. import _dtype
from ..autograd import grad_mode
from .._tensor import _scalar_name
from ._autograd import record, node_class, SparseNode
from ._coo import make
from . import _math


def _alias(s):
    """The tensor as it is now: same pattern, values and autograd history, in a new object."""
    a = make(s._i, s._v, s._size, s._coal)
    a._grad_fn, a._output_nr, a._requires_grad = s._grad_fn, s._output_nr, False
    if s._grad_fn is None and s._requires_grad and grad_mode.is_grad_enabled():
        raise RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.')
    return a


_ADD = "Can't convert result type {r} to output {s} in add operation"
_MUL = 'dtype of values ({r}) must match dtype of sparse tensor ({s})'
_MUL_SPARSE = "Can't convert result type {r} to output {s}"
_DIV = "result type {r} can't be cast to the desired output type {s}"


def _assume(s, r, msg):
    """s takes on result r (cast to s's dtype, as PyTorch's in-place ops; ``msg``: PyTorch's
    error when r's dtype can't be cast to s's)."""
    if r.dtype != s.dtype:
        if not _dtype.can_cast(r.dtype, s.dtype):
            raise RuntimeError(msg.format(r=_scalar_name(r.dtype), s=_scalar_name(s.dtype)))
        r._v = r._v.to(s.dtype)
    s._i, s._v, s._size, s._coal = r._i, r._v, r._size, r._coal
    s._grad_fn, s._output_nr = r._grad_fn, 0
    s._vc[0] += 1
    return s


def add_(self, other, *, alpha=1):
    return _assume(self, _math.add(_alias(self), other, alpha), _ADD)


def sub_(self, other, *, alpha=1):
    return _assume(self, _math.add(_alias(self), other, -alpha, 'SubBackward0'), _ADD)


def mul_(self, other):
    return _assume(self, _math.mul(_alias(self), other), _MUL_SPARSE if getattr(other, 'is_sparse', False) else _MUL)


def div_(self, other):
    return _assume(self, _math.div(_alias(self), other), _DIV)


class _ZeroNode(SparseNode):
    def backward(self, g):
        from ..ops.creation import zeros
        i = self.i
        return (make(i, zeros((0,) + self.size[i.shape[0]:], dtype=g.dtype, device=g.device), self.size, True),)


def zero_(self):
    """Drops every entry (nnz 0, coalesced); the gradient flowing back through it is zero."""
    old = _alias(self)
    i = self._i[:, :0].copy()
    r = record(node_class('ZeroBackward0', _ZeroNode), (old,), make(i, self._v[:0], self._size, True),
               i=i, size=self._size)
    return _assume(self, r, _ADD)
