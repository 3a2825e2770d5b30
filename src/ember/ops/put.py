"""Flat indices: take reads ``input`` as a flat row-major tensor at ``index``; put / put_ write (or,
with ``accumulate``, add) ``source`` into it there (negative indices count from the end). PyTorch's
``PutBackward0`` node: the input's gradient is the output's with the written places zeroed (kept
whole when accumulating), the source's is the output's gradient read at ``index``."""
import numpy as np

from .._tensor import Tensor, _scalar_name
from ._op import Op, apply, apply_inplace
from ._promote import xp
from .gather import dtype_name, first_bad, zeros_for
from .shape import reshape

__all__ = ['put', 'take']


class PutBackward0(Op):
    _free = ('index',)

    def forward(self, a, src, index, *, accumulate):
        n = a.size
        flat_index = index.reshape(-1)
        if n == 0 and flat_index.size:
            raise IndexError('put_(): Tried to put elements into an empty tensor')
        bad = first_bad(flat_index, -n, n)
        if bad is not None:
            raise IndexError(f'out of range: tried to access index {bad} on a tensor of {n} elements.')
        m = xp(a)
        idx = m.where(flat_index < 0, flat_index + n, flat_index)
        self.index, self.accumulate, self.src_shape = idx, accumulate, src.shape
        out = a.copy(order='C')         # (ascontiguousarray would make a 0-dim self 1-D)
        flat = out.reshape(-1)
        values = src.reshape(-1)
        if accumulate:
            m.add.at(flat, idx, values)
        else:
            flat[idx] = values
        return out

    def backward(self, g):
        ga = gs = None
        if self._next[0][0] is not None:
            if self.accumulate:
                ga = g
            else:
                keep = xp(g._data).ones(g.shape, bool)
                keep.reshape(-1)[self.index] = False
                from .compare import where
                ga = where(Tensor._make(keep), g, 0.0)      # zeros written (inf * 0 would be nan)
        if self._next[1][0] is not None:
            gs = reshape(reshape(g, (-1,))[Tensor._make(self.index)], self.src_shape)
        return ga, gs, None


def _check(self, index, source):
    for name, t in (('index', index), ('source', source)):
        if not isinstance(t, Tensor):
            from .argcheck import not_tensor_error
            raise not_tensor_error('put_', t, name, None)
    if index._data.dtype != np.int64:
        raise RuntimeError(f'put_(): Expected a long tensor for index, but got {dtype_name(index._data)}')
    if source.dtype != self.dtype:
        raise RuntimeError('put_(): self and source expected to have the same dtype, but got self.dtype = '
                           f'{_scalar_name(self.dtype)} and source.dtype = {_scalar_name(source.dtype)}')
    if index.numel() != source.numel():
        raise IndexError('put_(): Expected source and index to have the same number of elements, but got '
                         f'source.numel() = {source.numel()}, index.numel() = {index.numel()}')


def put_(self, index, source, accumulate=False):
    """Writes ``source`` into ``self`` at flat positions ``index``, in place."""
    _check(self, index, source)
    return apply_inplace(PutBackward0, self, source, index, accumulate=bool(accumulate))


def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``source`` written (or added) at flat positions ``index``."""
    _check(input, index, source)
    return apply(PutBackward0, input, source, index, accumulate=bool(accumulate))


# ------------------------------------------------------------------ take

class TakeBackward0(Op):
    _free = ('index',)

    def forward(self, a, index):
        n = a.size
        if n == 0 and index.size:
            raise IndexError('take(): tried to take from an empty tensor')
        bad = first_bad(index, -n, n)
        if bad is not None:
            raise IndexError(f'out of range: tried to access index {bad} on a tensor of {n} elements.')
        self.shape, self.index = a.shape, index
        return xp(a).take(a.reshape(-1), index)

    def backward(self, g):
        from .index_ops import index_put
        flat = index_put(zeros_for(g, (int(np.prod(self.shape)),)), (Tensor._make(self.index.reshape(-1)),),
                         reshape(g, (-1,)), accumulate=True)
        return reshape(flat, self.shape), None


def take(input, index):
    """Elements of ``input`` read as a flat row-major tensor; negative indices count from the end."""
    if index._data.dtype != np.int64:
        raise RuntimeError(f'take(): Expected a long tensor for index, but got {dtype_name(index._data)}')
    return apply(TakeBackward0, input, index)


METHODS = {'put': put, 'put_': put_, 'take': take}
