"""Views that pick part of a tensor: select, slice/narrow, alias, diagonal; and their
backward ops, which place a gradient back into zeros of the input's shape."""
import numpy as np

from ._op import Op, apply
from ._promote import xp as _xp
from .shape import wrap_dim, _fmt, as_strided_view
from .argcheck import bad_input


class SelectBackward0(Op):
    is_view = True

    def forward(self, a, dim, index, from_getitem=False):
        if a.ndim == 0:
            raise IndexError('select() cannot be applied to a 0-dim tensor.')
        d = wrap_dim(dim, a.ndim)
        size = a.shape[d]
        if not -size <= index < size:
            if from_getitem:        # t[i] words it as indexing does
                raise IndexError(f'index {index} is out of bounds for dimension {d} with size {size}')
            raise IndexError(f'select(): index {index} out of range for tensor of size {_fmt(a.shape)} at '
                             f'dimension {d}')
        self.in_shape, self.key = a.shape, (slice(None),) * d + (index, Ellipsis)
        return a[self.key]

    def backward(self, g):
        return apply(ViewEmbed, g, shape=self.in_shape, key=self.key)


class AliasBackward0(Op):
    is_view = True

    def forward(self, a):
        return a.view()

    def backward(self, g):
        return g


class SliceBackward0(Op):
    is_view = True

    def forward(self, a, dim, start, stop, step=1):
        if step <= 0:
            raise ValueError('step must be greater than zero')
        d = wrap_dim(dim, a.ndim)
        self.in_shape, self.key = a.shape, (slice(None),) * d + (slice(start, stop, step),)
        return a[self.key]

    def backward(self, g):
        return apply(ViewEmbed, g, shape=self.in_shape, key=self.key)


class ViewEmbed(Op):
    """Backward of select/slice: the gradient placed into zeros of the input's shape."""

    def forward(self, g, shape, key):
        self.key = key
        out = np.zeros(shape, g.dtype) if type(g) is np.ndarray else _zeros_like_xp(g, shape)
        out[key] = g
        return out

    def backward(self, gg):
        return apply(SelectLike, gg, key=self.key)

    def name(self):
        return 'SliceBackwardBackward0'


def _zeros_like_xp(g, shape):
    return _xp(g).zeros(shape, g.dtype)


class SelectLike(Op):
    def forward(self, a, key):
        self.in_shape, self.key = a.shape, key
        return a[key].copy()

    def backward(self, g):
        return apply(ViewEmbed, g, shape=self.in_shape, key=self.key)


def select(input, dim, index):
    return apply(SelectBackward0, input, dim=dim, index=int(index))


def narrow(input, dim, start, length):
    if input.ndim == 0:
        raise RuntimeError('narrow() cannot be applied to a 0-dim tensor.')
    d = wrap_dim(dim, input.ndim)
    size = input.shape[d]
    start, length = int(start), int(length)
    if length < 0:
        raise RuntimeError('narrow(): length must be non-negative.')
    if not -size <= start <= size:
        raise IndexError(f'start out of range (expected to be in range of [{-size}, {size}], but got {start})')
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f'start ({start}) + length ({length}) exceeds dimension size ({size}).')
    return apply(SliceBackward0, input, dim=d, start=start, stop=start + length)


class DiagonalBackward0(Op):
    is_view = True

    def forward(self, a, offset=0, dim1=0, dim2=1):
        n = a.ndim
        d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
        if d1 == d2:
            raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')
        self.in_shape, self.args = a.shape, (offset, d1, d2)
        return _diag_view(a, offset, d1, d2)

    def backward(self, g):
        return apply(DiagEmbedBack, g, shape=self.in_shape, args=self.args)


def _diag_view(a, offset, d1, d2):
    """A writable strided view of a diagonal (np.diagonal's view is read-only)."""
    if offset >= 0:
        b = a[(slice(None),) * d2 + (slice(offset, None),)]
    else:
        b = a[(slice(None),) * d1 + (slice(-offset, None),)]
    length = min(b.shape[d1], b.shape[d2])
    keep = [i for i in range(a.ndim) if i not in (d1, d2)]
    shape = [b.shape[i] for i in keep] + [length]
    strides = [b.strides[i] for i in keep] + [b.strides[d1] + b.strides[d2]]
    return as_strided_view(b, tuple(shape), tuple(strides))


class DiagEmbedBack(Op):
    def forward(self, g, shape, args):
        self.args = args
        out = _xp(g).zeros(shape, g.dtype)
        _diag_view(out, *args)[...] = g
        return out

    def backward(self, gg):
        return gg.diagonal(*self.args)

    def name(self):
        return 'DiagonalBackwardBackward0'


def diagonal(input, offset=0, dim1=0, dim2=1):
    try:
        return apply(DiagonalBackward0, input, offset=offset, dim1=dim1, dim2=dim2)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('diagonal', (input,))
