"""Joining and splitting: cat, stack, split, chunk, unbind."""
from operator import attrgetter

import numpy as np

from .._tensor import Tensor, _scalar_name
from .._dtype import _FROM_NP, promote_types
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import xp
from .index_value import _type_name
from .shape import wrap_dim, _fmt, int_arg
from .argcheck import type_name


class CatBackward0(Op):
    def forward(self, *arrays, dim=0):
        if not arrays:
            raise ValueError('ember.cat(): expected a non-empty list of Tensors')
        ref = arrays[0]
        if ref.ndim == 1 and ref.shape[0] == 0:
            ref = next((a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)), ref)
        if ref.ndim == 0:
            _no_zero_dim(arrays)
        try:
            d = wrap_dim(dim, ref.ndim)
        except IndexError:
            _no_zero_dim(arrays)
            raise
        rest = ref.shape[:d] + ref.shape[d + 1:]
        skipped = False
        for i, a in enumerate(arrays):
            sh = a.shape
            if sh[:d] + sh[d + 1:] == rest and len(sh) == ref.ndim:
                continue
            if a.ndim == 1 and sh[0] == 0 and ref.ndim != 1:
                skipped = True      # legacy: empty 1-D tensors are skipped
                continue
            _no_zero_dim(arrays)
            if a.ndim != ref.ndim:
                raise RuntimeError(f'Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}')
            for k in range(a.ndim):
                if k != d and sh[k] != ref.shape[k]:
                    raise RuntimeError(f'Sizes of tensors must match except in dimension {d}. Expected size '
                                       f'{ref.shape[k]} but got size {sh[k]} for tensor number {i} in the list.')
        d0 = ref.dtype
        same = True
        for a in arrays:
            if a.dtype != d0:
                same = False
                break
        nd = d0 if same else _common(arrays)
        self.dim = d
        self.sizes = [a.shape[d] if a.ndim == ref.ndim else None for a in arrays]
        self.dtypes = None if same else [a.dtype for a in arrays]
        if skipped:
            arrays = [a for a in arrays if a.ndim == ref.ndim]
        if not same:
            arrays = [a.astype(nd, copy=False) for a in arrays]
        return _c(xp(ref).concatenate(arrays, axis=d))

    def backward(self, g):
        out, start = [], 0
        dtypes = self.dtypes or [None] * len(self.sizes)
        for (node, _), n, dt in zip(self._next, self.sizes, dtypes):
            if n is None:           # a skipped legacy empty 1-D input
                from .creation import zeros
                out.append(None if node is None else zeros(0, dtype=_dt(dt or g._data.dtype), device=g.device))
                continue
            if node is None:
                out.append(None)
            else:
                piece = g.narrow(self.dim, start, n)
                out.append(piece if dt is None or piece._data.dtype == dt else piece.to(_dt(dt)))
            start += n
        return tuple(out)


def _no_zero_dim(arrays):
    """PyTorch checks first that no input is 0-dim (ember looks only once something is wrong)."""
    i = next((i for i, a in enumerate(arrays) if a.ndim == 0), None)
    if i is not None:
        raise RuntimeError(f'zero-dimensional tensor (at position {i}) cannot be concatenated')


def _dt(np_dtype):
    return _FROM_NP[np_dtype]


def _common(arrays):
    d = None
    for a in arrays:
        rd = _dt(a.dtype)
        if d is None:
            d = rd
        else:
            d = promote_types(d, rd)
    return d.np


def _c(out):
    """cat/stack results are C-contiguous, as PyTorch's are, even from Fortran-ordered inputs
    (for which NumPy would keep that order)."""
    return out if out.flags.c_contiguous else out.copy(order='C')


def _tensors(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f'{fname}(): argument \'tensors\' (position 1) must be tuple of Tensors, not '
                        f'{type(tensors).__name__}')
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument 0, but got {_type_name(t)}')
    return tensors


def cat(tensors, dim=0, *, out=None):
    if _amp.state.on and _amp.promote('cat', tensors):  # autocast hook (ember.amp)
        return _amp.call_promote(cat, tensors, dim, out=out)
    try:
        r = apply(CatBackward0, *_tensors(tensors, 'cat'), dim=dim)
    except NotImplementedError:
        return _sparse_join('cat', tensors, dim)
    return r if out is None else _write_out(out, r, 'cat')


concat = concatenate = cat


def _sparse_join(name, tensors, dim):
    """cat/stack of sparse COO tensors (ember.sparse), from the dense op's NotImplementedError."""
    import sys
    if not any(getattr(t, 'is_sparse', False) for t in tensors):
        raise sys.exc_info()[1]
    from ..sparse import _shape
    return getattr(_shape, name)(tensors, dim)


def _write_out(out, r, name):
    """cat's and stack's out=: any dtype the result casts to, with PyTorch's cat error."""
    from .arith_support import check_out
    from ._op import can_cast
    if not can_cast(r.dtype, out.dtype):
        raise TypeError(f"ember.cat(): input types can't be cast to the desired output type {_scalar_name(out.dtype)}")
    return check_out(out, r, name)


_DTYPE = attrgetter('dtype')


class StackBackward0(Op):
    dtypes = None            # the inputs' dtypes when they differ (None: one dtype)

    def forward(self, *arrays, dim=0):
        if not arrays:
            raise RuntimeError('stack expects a non-empty TensorList')
        first = arrays[0]
        nd = first.dtype
        if dim == 0 and first.ndim and type(first) is np.ndarray and len(set(map(_DTYPE, arrays))) == 1 \
                and len(set(map(len, arrays))) == 1:       # the DataLoader's collate: one copy
            try:
                out = np.concatenate(arrays)
            except ValueError:           # other dims differ: reported below
                pass
            else:
                self.dim = 0
                return _c(out).reshape((len(arrays),) + first.shape)
        if len({(a.shape, a.dtype) for a in arrays}) > 1:
            for i, a in enumerate(arrays[1:], 1):
                if a.shape != first.shape:
                    raise RuntimeError(f'stack expects each tensor to be equal size, but got {_fmt(first.shape)} '
                                       f'at entry 0 and {_fmt(a.shape)} at entry {i}')
            self.dtypes = [a.dtype for a in arrays]
            nd = _common(arrays)
        self.dim = wrap_dim(dim, first.ndim + 1)
        if self.dim == 0 and type(first) is np.ndarray:        # the DataLoader's collate case
            if first.ndim == 0:
                return np.array(arrays, dtype=nd)
            return _c(np.concatenate(arrays, dtype=nd)).reshape((len(arrays),) + first.shape)
        return _c(xp(first).stack([a.astype(nd, copy=False) for a in arrays], axis=self.dim))

    def backward(self, g):
        parts = g.unbind(self.dim)
        if self.dtypes is None:
            return tuple(None if node is None else p for (node, _), p in zip(self._next, parts))
        return tuple(None if node is None else (p if p._data.dtype == dt else p.to(_dt(dt)))
                     for (node, _), p, dt in zip(self._next, parts, self.dtypes))


def stack(tensors, dim=0, *, out=None):
    if _amp.state.on and _amp.promote('stack', tensors):  # autocast hook (ember.amp)
        return _amp.call_promote(stack, tensors, dim, out=out)
    try:
        r = apply(StackBackward0, *_tensors(tensors, 'stack'), dim=dim)
    except NotImplementedError:
        return _sparse_join('stack', tensors, dim)
    return r if out is None else _write_out(out, r, 'stack')


class UnbindBackward0(Op):
    is_view = True

    def forward(self, a, dim=0):
        d = wrap_dim(dim, a.ndim)
        if a.ndim == 0:
            raise IndexError('Dimension specified as 0 but tensor has no dimensions')
        self.dim = d
        self.n_outputs = a.shape[d]
        return tuple(a[(slice(None),) * d + (i, Ellipsis)] for i in range(a.shape[d]))

    def backward(self, *grads):
        from .join import stack as _stack
        return _stack(list(grads), self.dim)


def unbind(input, dim=0):
    return apply(UnbindBackward0, input, dim=dim)


class SplitBackward0(Op):
    is_view = True

    def forward(self, a, sizes, dim=0):
        d = wrap_dim(dim, a.ndim)
        self.dim = d
        self.n_outputs = len(sizes)
        out, start = [], 0
        for n in sizes:
            out.append(a[(slice(None),) * d + (slice(start, start + n),)])
            start += n
        return tuple(out)

    def backward(self, *grads):
        return cat(list(grads), self.dim)


class SplitWithSizesBackward0(SplitBackward0):
    pass


def split_method(self, split_size, dim=0):
    """``Tensor.split``: PyTorch names its first argument ``split_size`` (the function's is
    ``split_size_or_sections``)."""
    return split(self, split_size, dim)


split_method.__name__, split_method.__qualname__ = 'split', 'Tensor.split'


def _one_dim(t, fname):
    if t.ndim == 0:
        raise RuntimeError(f'{fname} expects at least a 1-dimensional tensor')


def split(tensor, split_size_or_sections, dim=0):
    _one_dim(tensor, 'split')
    d = wrap_dim(dim, tensor.ndim)
    size = tensor.shape[d]
    if isinstance(split_size_or_sections, Tensor):     # as PyTorch's Tensor.split: int() when it can
        try:
            split_size_or_sections = int(split_size_or_sections)
        except (ValueError, RuntimeError, TypeError):
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, "
                            'not Tensor') from None
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size:
            raise RuntimeError(f'split_size can only be 0 if dimension size is 0, but got dimension size of {size}')
        sizes = [min(step, size - i) for i in range(0, size, step)] if size else [0]
        return apply(SplitBackward0, tensor, sizes=sizes, dim=d)
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != size:
        raise RuntimeError(f'split_with_sizes expects split_sizes to sum exactly to {size} (input tensor\'s '
                           f'size at dimension {dim}), but got split_sizes={_fmt(sizes)}')
    return apply(SplitWithSizesBackward0, tensor, sizes=sizes, dim=d)


def chunk(input, chunks, dim=0):
    if chunks.__class__ is not int and chunks.__class__ is not bool:
        n = int_arg(chunks)
        if n is None:
            raise TypeError(f"chunk(): argument 'chunks' (position 1) must be int, not {type_name(chunks)}")
        chunks = n
    _one_dim(input, 'chunk')
    if chunks <= 0:
        raise RuntimeError('chunk expects `chunks` to be greater than 0, got: ' + str(chunks))
    d = wrap_dim(dim, input.ndim)
    size = input.shape[d]
    if size == 0:           # as PyTorch: `chunks` empty pieces
        return apply(SplitWithSizesBackward0, input, sizes=[0] * chunks, dim=d)
    return split(input, -(-size // chunks), d)
