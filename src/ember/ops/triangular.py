"""Triangles and diagonals: tril/triu (and in place), diag, diag_embed, diagflat, trace.

Views of a diagonal live in select.py (``diagonal``); the ops here all make new memory."""
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply, apply_inplace
from ._promote import xp
from .shape import wrap_dim, flatten
from .select import DiagEmbedBack
from .argcheck import bad_input, need_tensor

__all__ = ['tril', 'triu', 'diag', 'diag_embed', 'diagflat', 'trace']


# ------------------------------------------------------------------ tril / triu

class TrilBackward0(Op):
    upper = False

    def forward(self, a, diagonal=0):
        if a.ndim < 2:
            raise RuntimeError(f'{"triu" if self.upper else "tril"}: input tensor must have at least 2 dimensions')
        self.k = diagonal
        m = xp(a)
        out = m.triu(a, diagonal) if self.upper else m.tril(a, diagonal)
        return out if out.flags.c_contiguous else out.copy()

    def backward(self, g):
        return triu(g, self.k) if self.upper else tril(g, self.k)


class TriuBackward0(TrilBackward0):
    upper = True


def tril(input, diagonal=0):
    """The lower triangle of the last two dims (entries above ``diagonal`` set to zero)."""
    try:
        return apply(TrilBackward0, input, diagonal=int(diagonal))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('tril', (input,))


def triu(input, diagonal=0):
    """The upper triangle of the last two dims (entries below ``diagonal`` set to zero)."""
    try:
        return apply(TriuBackward0, input, diagonal=int(diagonal))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('triu', (input,))


def tril_(self, diagonal=0):
    return apply_inplace(TrilBackward0, self, diagonal=int(diagonal))


def triu_(self, diagonal=0):
    return apply_inplace(TriuBackward0, self, diagonal=int(diagonal))


# ------------------------------------------------------------------ diagonals

class DiagEmbedBackward0(Op):
    """Input's last dim written onto the ``offset`` diagonal of new dims ``dim1``, ``dim2``."""

    def forward(self, a, offset=0, dim1=-2, dim2=-1):
        n = a.ndim + 1
        d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
        if d1 == d2:
            raise RuntimeError(f'diagonal dimensions cannot be identical {dim1}, {dim2}')
        self.args = (offset, d1, d2)
        size = a.shape[-1] + abs(offset)
        shape = list(a.shape[:-1])
        for d in sorted((d1, d2)):
            shape.insert(d, size)
        m = xp(a)
        out = m.zeros(shape, a.dtype)
        square = m.moveaxis(out, (d1, d2), (-2, -1))        # a view into out
        i = m.arange(a.shape[-1])
        square[..., i + max(-offset, 0), i + max(offset, 0)] = a
        return out

    def backward(self, g):
        return g.diagonal(*self.args)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    try:
        return apply(DiagEmbedBackward0, input, offset=int(offset), dim1=dim1, dim2=dim2)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('diag_embed', (input,))


class DiagonalBackward0_copy(Op):     # noqa: N801 (PyTorch's grad_fn name for diag of a matrix)
    """A copy of a matrix's ``offset`` diagonal."""

    def forward(self, a, offset=0):
        self.in_shape, self.offset = a.shape, offset
        return xp(a).diagonal(a, offset).copy()

    def backward(self, g):
        return apply(DiagEmbedBack, g, shape=self.in_shape, args=(self.offset, 0, 1))


def diag(input, diagonal=0):
    """1-D: a square matrix with ``input`` on diagonal ``diagonal``; 2-D: that diagonal, copied."""
    try:
        if input.ndim == 1:
            return diag_embed(input, diagonal, 0, 1)
        if input.ndim != 2:
            raise RuntimeError(f'diag(): Supports 1D or 2D tensors. Got {input.ndim}D')
        return apply(DiagonalBackward0_copy, input, offset=int(diagonal))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('diag', (input,))


def diagflat(input, offset=0):
    """The flattened input on diagonal ``offset`` of a square matrix."""
    need_tensor('diagflat', input)
    return diag_embed(flatten(input), offset, 0, 1)


class TraceBackward0(Op):
    def forward(self, a):
        if a.dtype.kind == 'b':             # (the kernel is looked up before the shape is checked)
            raise NotImplementedError('"trace" not implemented for \'Bool\'')
        if a.ndim != 2:
            raise RuntimeError(f'trace: expected a matrix, but got tensor with dim {a.ndim}')
        self.in_shape = a.shape
        return xp(a).trace(a, dtype='int64' if a.dtype.kind in 'iu' else None)

    def backward(self, g):
        n = min(self.in_shape)
        return apply(DiagEmbedBack, g.expand(n), shape=self.in_shape, args=(0, 0, 1))


def trace(input):
    """Sum of the main diagonal of a matrix (integer inputs sum to int64)."""
    try:
        if _amp.state.on and _amp.fp32('trace', input):  # autocast hook (ember.amp)
            return _amp.call_fp32(trace, input)
        return apply(TraceBackward0, input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('trace', (input,))


METHODS = {'tril': tril, 'triu': triu, 'tril_': tril_, 'triu_': triu_, 'diag': diag,
           'diag_embed': diag_embed, 'diagflat': diagflat, 'trace': trace}
