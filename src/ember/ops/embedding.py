"""Embedding lookups: F.embedding (EmbeddingBackward0: rows of the weight; the gradient adds
the upstream rows back, repeated indices accumulating), F.embedding_bag, F.one_hot."""
import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ._op import Op, apply
from ._promote import xp
from .arg_types import arg_types


class EmbeddingBackward0(Op):
    def forward(self, w, idx, padding_idx, scale_grad_by_freq, grad_scale=None):
        if idx.dtype not in (np.int64, np.int32):
            from .. import _dtype
            got = (('CPU' if isinstance(idx, np.ndarray) else 'CUDA') + 'BoolType' if idx.dtype == np.bool_
                   else f'ember.{_dtype._FROM_NP[idx.dtype].legacy}')       # PyTorch's names for them
            raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar "
                               f'types: Long, Int; but got {got} instead (while checking arguments for embedding)')
        if idx.size and (bool(idx.min() < 0) or bool(idx.max() >= w.shape[0])):
            raise IndexError('index out of range in self')
        self.idx, self.n, self.padding_idx, self.freq = idx, w.shape[0], padding_idx, scale_grad_by_freq
        self.grad_scale = grad_scale                    # embedding_bag's per-lookup frequency scales
        return w[idx]

    def backward(self, g):
        scale = None
        idx = self.idx
        m = xp(idx)
        if self.grad_scale is not None:
            scale = Tensor._make(m.asarray(self.grad_scale, g._data.dtype))
        elif self.freq:
            counts = m.bincount(idx.ravel(), minlength=self.n)
            scale = Tensor._make(m.asarray(1.0 / m.maximum(counts[idx], 1), g._data.dtype))
        if self.padding_idx is not None:                # (asarray: a 0-d idx gives numpy scalars)
            keep = Tensor._make(m.asarray(idx != self.padding_idx, g._data.dtype))
            scale = keep if scale is None else scale * keep
        gs = g if scale is None else g * scale.unsqueeze(-1)
        return apply(EmbeddingDenseBackward, gs, idx=idx, n=self.n), None


class EmbeddingSparseBackward(EmbeddingBackward0):
    """F.embedding(..., sparse=True): the weight's gradient is a sparse COO tensor whose rows are
    the upstream rows at the looked-up indices (padding_idx rows left out), uncoalesced."""

    def name(self):
        return 'EmbeddingBackward0'

    def backward(self, g):
        from ..sparse._coo import make
        idx = self.idx.ravel()
        if self.freq or self.grad_scale is not None:
            raise RuntimeError('embedding_backward: scale_grad_by_freq not supported with sparse gradients')
        rows = g.reshape(-1, g.shape[-1])
        if self.padding_idx is not None:
            keep = xp(idx).nonzero(idx != self.padding_idx)[0]
            idx, rows = idx[keep], rows[Tensor._make(keep)]
        return make(idx.astype(np.int64).reshape(1, -1), rows, (self.n, g.shape[-1]), False), None


class EmbeddingDenseBackward(Op):
    """zeros(n, dim) with the rows of g added at idx (the gradient of a lookup)."""

    def forward(self, g, idx, n):
        self.idx = idx
        out = xp(g).zeros((n, g.shape[-1]), g.dtype)
        xp(g).add.at(out, idx.ravel(), g.reshape(-1, g.shape[-1]))
        return out

    def backward(self, gg):
        return apply(EmbeddingBackward0, gg, self.idx, None, False)

    def name(self):
        return 'EmbeddingDenseBackwardBackward0'


def _renorm(weight, input, max_norm, norm_type):
    """Rows looked up by input are scaled in place so their norm is at most max_norm."""
    _renorm_rows_check(weight, input._data)
    with no_grad():
        w = weight._data
        m = xp(w)
        rows = m.unique(input._data)
        norms = m.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
        over = norms > max_norm
        if bool(over.any()):
            w[rows[over]] *= (max_norm / (norms[over] + 1e-7))[:, None].astype(w.dtype)
            weight._vc[0] += 1


def _renorm_rows_check(weight, ids):
    """PyTorch's renorm selects the distinct indices in increasing order: the first one out of range
    raises select()'s error (here before any row is changed)."""
    n = weight.shape[0]
    bad = ids[(ids < -n) | (ids >= n)]
    if bad.size:
        raise IndexError(f'select(): index {int(bad.min())} out of range for tensor of size {list(weight.shape)} '
                         'at dimension 0')


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    return _lookup(input, weight, _check_args(input, weight, padding_idx), max_norm, norm_type,
                   scale_grad_by_freq, sparse)


def _check_args(input, weight, padding_idx):
    """PyTorch's argument checks for embedding; padding_idx made non-negative."""
    if padding_idx is not None:
        n = weight.size(0)
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError('Padding_idx must be within num_embeddings')
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError('Padding_idx must be within num_embeddings')
            padding_idx = n + padding_idx
    arg_types('embedding', ('weight', 1, weight, 'Tensor'), ('indices', 2, input, 'Tensor'),
              ('padding_idx', 3, -1 if padding_idx is None else padding_idx, 'int'))
    if input.device != weight.device:
        raise RuntimeError(f'Expected all tensors to be on the same device, but found at least two devices, '
                           f'{weight.device} and {input.device}!')
    return padding_idx


def _lookup(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, grad_scale=None):
    if max_norm is not None:
        _renorm(weight, input, max_norm, norm_type)
    r = apply(EmbeddingSparseBackward if sparse else EmbeddingBackward0, weight, input._data,
              padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq, grad_scale=grad_scale)
    if sparse and r._grad_fn is not None:          # the weight's accumulator takes sparse gradients
        from ..sparse._autograd import sparse_edge
        r._grad_fn._next = (sparse_edge(weight),) + r._grad_fn._next[1:]
    return r


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode='mean',
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    if weight.dtype.legacy == 'LongTensor' and input.dtype.is_floating_point:       # the old argument order
        import warnings
        warnings.warn('Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, '
                      'input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.',
                      UserWarning, stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f'embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it '
                         f'must have the same shape as the input ({input.shape})')
    if weight.dim() != 2:
        raise ValueError(f'weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}')
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError('if input is 2D, then offsets has to be None, as input is treated is a mini-batch of '
                             f'fixed length sequences. However, found offsets of type {type(offsets)}')
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError('offsets has to be a 1D Tensor but got None')
        if offsets.ndim != 1:
            raise ValueError('offsets has to be a 1D Tensor')
    else:
        raise ValueError(f'input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}')
    if mode not in ('sum', 'mean', 'max'):
        raise ValueError('mode has to be one of sum, mean or max')
    if mode == 'max' and scale_grad_by_freq:
        raise ValueError('max mode does not support scaling the gradient by the frequency')
    if mode == 'max' and sparse:
        raise ValueError('max mode does not support sparse weights')
    if per_sample_weights is not None and mode != 'sum':
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                                  'on GitHub.')
    for t in (input, offsets):
        if t is not None and t.dtype.legacy not in ('LongTensor', 'IntTensor'):
            raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                               f'Long, Int; but got ember.{t.dtype.legacy} instead (while checking arguments for '
                               'embedding_bag)')
    if max_norm is not None:
        _renorm_rows_check(weight, input._data)
    if input.ndim == 2:
        b, length = input.shape
        flat = input.reshape(-1)
        starts = np.arange(0, b * length, length)
        psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
    else:
        flat, psw = input, per_sample_weights
        starts = _host(offsets._data).astype(np.int64)
        if starts.size and starts[0] != 0:
            raise RuntimeError('offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from '
                               f'position 0. However, got {starts[0]}')
        if starts.size and starts[-1] > flat.shape[0]:
            raise RuntimeError(f"offsets[-1] can not be greater than input's length {flat.shape[0]} but got "
                               f'offsets[-1] of {starts[-1]}')
        if include_last_offset:
            starts = starts[:-1]
    ids = _host(flat._data)
    bad = np.flatnonzero((ids < 0) | (ids >= weight.shape[0])) if ids.size else ()
    if len(bad):
        raise RuntimeError(f'Index {bad[0]} of input takes value {ids[bad[0]]} which is not in the valid range '
                           f'[0, {weight.shape[0]})')
    rows = _lookup(flat, weight, _check_args(flat, weight, padding_idx), max_norm, norm_type, False, sparse,
                   _bag_freq_scale(ids, weight.shape[0]) if scale_grad_by_freq else None)
    if psw is not None:
        rows = rows * psw.unsqueeze(-1)
    n = flat.shape[0]
    ends = np.append(starts[1:], n if not include_last_offset or input.ndim == 2 else
                     int(offsets._data[-1]))
    valid = np.ones(n, bool) if padding_idx is None else ids != (padding_idx % weight.shape[0])
    if mode == 'max':
        from .join import stack
        bags = []
        for s, e in zip(starts, ends):
            sel = [i for i in range(s, e) if valid[i]]
            bags.append(rows[sel].amax(0) if sel else rows[:0].sum(0))     # an empty bag: zeros, in the graph
        return _as_bag(stack(bags) if bags else rows[:0])       # no bags: empty, still in the graph
    seg = np.zeros((len(starts), n), rows._data.dtype)
    for k, (s, e) in enumerate(zip(starts, ends)):
        cnt = int(valid[s:e].sum())
        if cnt:
            seg[k, s:e] = valid[s:e] / (cnt if mode == 'mean' else 1)
    return _as_bag(Tensor._make(xp(rows._data).asarray(seg)) @ rows)


def _bag_freq_scale(ids, n):
    """PyTorch's CPU embedding_bag backward scales the rows of the j-th smallest distinct index by
    1 / count(sorted_ids[j]) (not by the index's own count); these are its per-lookup scales."""
    if not ids.size:
        return np.ones(0)
    counts = np.bincount(ids, minlength=n)
    inv = np.unique(ids, return_inverse=True)[1].reshape(-1)
    return 1.0 / counts[np.sort(ids)[inv]]


_RENAMED = {}


def _as_bag(out):
    return renamed_node(out, 'EmbeddingBagBackward0')


def renamed_node(out, name):
    """``out``'s node carries PyTorch's name for a composite (EmbeddingBagBackward0, ...); it stays
    the node of the composition that computed it (its backward and inputs are unchanged)."""
    node = out.grad_fn
    if node is not None:
        cls = type(node)
        if (cls, name) not in _RENAMED:
            _RENAMED[cls, name] = type(name, (cls,), {'__module__': cls.__module__})
        node.__class__ = _RENAMED[cls, name]
    return out


def _host(arr):
    """Offsets and ids drive Python-side bag bounds: a host copy."""
    return arr if type(arr) is np.ndarray else arr.get()


def one_hot(input, num_classes=-1):
    arg_types('one_hot', ('input', 1, input, 'Tensor'), ('num_classes', 2, num_classes, 'int'))
    a = input._data
    if a.dtype != np.int64:
        raise RuntimeError('one_hot is only applicable to index tensor of type LongTensor.')
    if a.size and a.min() < 0:
        raise RuntimeError('Class values must be non-negative.')
    if num_classes == -1:
        if not a.size:
            raise RuntimeError('Can not infer total number of classes from empty tensor.')
        num_classes = int(a.max()) + 1
    elif a.size and a.max() >= num_classes:
        raise RuntimeError('Class values must be smaller than num_classes.')
    out = (a[..., None] == xp(a).arange(num_classes)).astype(np.int64)
    return Tensor._make(out)
