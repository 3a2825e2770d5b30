"""segment_reduce: reduce consecutive runs ("segments") of ``data`` along ``axis``, the runs given
by their ``lengths`` or by ``offsets`` (segment i spans offsets[i]:offsets[i + 1]); both may carry
leading batch dimensions matching data's before ``axis``.

Forward and backward run on raw arrays: every element finds its segment by bisection in the
offsets (bins.bisect), then one scatter (``ufunc.at``) reduces; products, which CuPy cannot
scatter, multiply the runs laid out side by side. Empty segments hold the
reduction's identity (sum 0, prod 1, max -inf, min inf, mean nan) or ``initial`` when given.
The gradient (ties of max/min share it equally, zeros of prod get the product of the others) is
itself an op PyTorch cannot differentiate, so a double backward raises as it does there.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, _scalar_name
from ._op import Op, NotImplementedNode, apply
from ._promote import xp
from .bins import bisect
from .shape import wrap_dim

__all__ = ['segment_reduce']

_REDUCE = {'sum': 'sum', 'prod': 'prod', 'mean': 'mean', 'max': 'max', 'amax': 'max', 'min': 'min', 'amin': 'min'}
_UFUNC = {'sum': 'add', 'mean': 'add', 'max': 'maximum', 'min': 'minimum'}
_EMPTY = {'sum': 0.0, 'mean': 0.0, 'prod': 1.0, 'max': -np.inf, 'min': np.inf}


def _layout(data, seg, axis, is_offsets):
    """(offsets as (B, S + 1), segment of each element as (B, N), in-range mask, B, N, T, S)."""
    m = xp(data)
    lead = data.shape[:axis]
    B, N = int(np.prod(lead)), data.shape[axis]
    T = int(np.prod(data.shape[axis + 1:]))
    seg = seg.astype(np.int64).reshape((B, -1))
    if is_offsets:
        off = seg
    else:
        off = m.concatenate([m.zeros((B, 1), np.int64), m.cumsum(seg, axis=1)], axis=1)
    S = off.shape[1] - 1
    pos = m.broadcast_to(m.arange(N, dtype=np.int64), (B, N))
    which = bisect(off, pos, right=True) - 1
    inside = (which >= 0) & (which < S)
    flat = m.arange(B, dtype=np.int64)[:, None] * S + m.clip(which, 0, max(S - 1, 0))
    return off, flat, inside, B, N, T, S


def _runs_product(m, d3, off, start):
    """Each segment's product (times ``start``) as (B, S, T), from the runs laid out side by side
    (padded with ones): CuPy has no ``multiply.at`` to scatter with."""
    B, S = off.shape[0], off.shape[1] - 1
    lens = off[:, 1:] - off[:, :-1]
    L = int(lens.max()) if lens.size else 0
    j = m.arange(L, dtype=np.int64)
    ok = j < lens[..., None]
    idx = m.clip(off[:, :-1, None] + j, 0, max(d3.shape[1] - 1, 0))
    runs = d3[m.arange(B)[:, None, None], idx] if d3.shape[1] else m.ones((B, S, L, d3.shape[2]), d3.dtype)
    runs = m.where(ok[..., None], runs, m.ones((), d3.dtype))
    return runs.prod(axis=2) * m.asarray(start, dtype=d3.dtype)


class SegmentReduceBackward0(Op):
    saves = (0, 1)
    saves_output = True

    def forward(self, data, seg, *, reduce, axis, is_offsets, initial):
        m = xp(data)
        off, flat, inside, B, N, T, S = _layout(data, seg, axis, is_offsets)
        self.reduce, self.axis, self.is_offsets, self.initial = reduce, axis, is_offsets, initial
        start = _EMPTY[reduce] if initial is None else float(initial)
        if reduce == 'prod':
            out = _runs_product(m, data.reshape(B, N, T), off, start)
        else:
            out = m.full((B * S, T), start, dtype=data.dtype)
            getattr(m, _UFUNC[reduce]).at(out, flat[inside], data.reshape(B, N, T)[inside])
            out = out.reshape(B, S, T)
        if reduce == 'mean':
            n = (off[:, 1:] - off[:, :-1])[..., None].astype(data.dtype)
            with np.errstate(invalid='ignore', divide='ignore'):
                mean = out / n
            fill = np.nan if initial is None else float(initial)
            out = m.where(n > 0, mean, m.asarray(fill, dtype=data.dtype)).astype(data.dtype)
        return out.reshape(data.shape[:axis] + (S,) + data.shape[axis + 1:])

    def backward(self, g):
        data, seg, out = self.saved_tensors
        return apply(_SegmentReduceGrad, g, data, out, seg, reduce=self.reduce, axis=self.axis,
                     is_offsets=self.is_offsets, initial=self.initial), None


class _SegmentReduceGrad(NotImplementedNode):
    """d(segment_reduce)/d(data) for the upstream gradient ``g``; PyTorch has no derivative for it."""
    aten = '_segment_reduce_backward'

    def forward(self, g, data, out, seg, *, reduce, axis, is_offsets, initial):
        m = xp(data)
        off, flat, inside, B, N, T, S = _layout(data, seg, axis, is_offsets)
        g2, o2 = g.reshape(B * S, T), out.reshape(B * S, T)
        take = flat.reshape(-1)
        gs = g2[take].reshape(B, N, T)            # each element's segment gradient and result
        os_ = o2[take].reshape(B, N, T)
        d3 = data.reshape(B, N, T)
        zero = m.zeros((), dtype=data.dtype)
        if reduce == 'sum':
            res = gs
        elif reduce == 'mean':
            n = (off[:, 1:] - off[:, :-1]).reshape(-1)[take].reshape(B, N, 1)
            res = gs / m.maximum(n, 1).astype(data.dtype)
        elif reduce in ('max', 'min'):
            hit = (d3 == os_) & inside[..., None]
            ties = m.zeros((B * S, T), dtype=data.dtype)
            m.add.at(ties, flat[inside], hit[inside].astype(data.dtype))
            res = m.where(hit, gs / m.maximum(ties[take].reshape(B, N, T), 1), zero)
        else:                                     # prod: a zero gets the product of the others
            zeros = m.zeros((B * S, T), dtype=np.int64)
            m.add.at(zeros, flat[inside], (d3 == 0)[inside].astype(np.int64))
            others = _runs_product(m, m.where(d3 == 0, m.ones((), data.dtype), d3), off,
                                   1.0 if initial is None else float(initial)).reshape(B * S, T)
            nz = zeros[take].reshape(B, N, T)
            with np.errstate(invalid='ignore', divide='ignore'):
                plain = gs * os_ / d3
            lone = gs * others[take].reshape(B, N, T) * (nz == 1)
            res = m.where(d3 == 0, lone, plain)
        res = m.where(inside[..., None], res, zero).astype(data.dtype)
        return res.reshape(data.shape)


def _int_kernel(t, what):
    if t.dtype not in (_dtype.int64, _dtype.int32):
        raise NotImplementedError(f'"_segment_reduce_{what}_cpu_kernel1" not implemented for '
                                  f"'{_scalar_name(t.dtype)}'")


def segment_reduce(data, reduce, *, lengths=None, indices=None, offsets=None, axis=0, unsafe=False, initial=None):
    """Reduce (``'sum'``, ``'prod'``, ``'mean'``, ``'max'``/``'amax'``, ``'min'``/``'amin'``) the runs of
    ``data`` along ``axis`` whose sizes are ``lengths`` (or bounds ``offsets``)."""
    if reduce not in _REDUCE:
        raise RuntimeError(f'reduce argument must be either sum, prod, mean, amax or amin, got {reduce}')
    if indices is not None:
        raise RuntimeError('segment_reduce(): indices based reduction is not supported yet.')
    if lengths is None and offsets is None:
        raise RuntimeError('segment_reduce(): Either lengths or offsets must be defined.')
    is_offsets = offsets is not None
    seg = offsets if is_offsets else lengths
    if not isinstance(data, Tensor) or not isinstance(seg, Tensor):
        bad = data if not isinstance(data, Tensor) else seg
        raise TypeError(f"segment_reduce(): argument '{'data' if bad is data else 'lengths'}' must be Tensor, "
                        f'not {type(bad).__name__}')
    if data.dtype.is_complex or not (data.is_floating_point()):
        raise NotImplementedError(f'"_segment_reduce_cpu" not implemented for \'{_scalar_name(data.dtype)}\'')
    axis = wrap_dim(axis, data.dim())
    if seg.dim() - 1 != axis:
        raise RuntimeError(f'segment_reduce(): Expected axis to be the last dimension of lengths but got {axis}.')
    _int_kernel(seg, 'offsets' if is_offsets else 'lengths')
    if tuple(seg.shape[:-1]) != tuple(data.shape[:axis]):
        raise RuntimeError('segment_reduce(): Expected lengths (or offsets) to match the dimensions of data '
                           'before axis.')
    if not is_offsets:
        if seg.numel() == 0:
            raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                               "reduction dim with the 'dim' argument.")
        if bool((seg < 0).any()):
            raise RuntimeError('lengths contains negative value!')
        if not unsafe and bool((seg.sum(-1) != data.shape[axis]).any()):
            raise RuntimeError('segment_reduce(): Expected all rows of lengths along axis to sum to '
                               'data.size(lengths.dim()-1) when !unsafe.')
    elif seg.shape[-1] > 1 and bool((seg[..., 1:] < seg[..., :-1]).any()):
        raise RuntimeError('Expected segment_length >= 0 to be true, but got false.  (Could this error message be '
                           'improved?  If so, please report an enhancement request to PyTorch.)')
    return apply(SegmentReduceBackward0, data, seg, reduce=_REDUCE[reduce], axis=axis, is_offsets=is_offsets,
                 initial=initial)


METHODS = {}
