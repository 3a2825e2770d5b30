"""Matrix products: matmul (PyTorch's dispatch by rank), mm, bmm, mv, dot."""
import math

import numpy as np

from .._tensor import _scalar_name
from .. import _dtype
from ._op import Op, apply
from .argcheck import bad_operands
from ._promote import as_array, xp
from ..amp import autocast_mode as _amp  # autocast hook


def _in_dtype(r, a):
    """The product in its operands' dtype: NumPy multiplies bfloat16 matrices in float32;
    PyTorch accumulates in float32 too but returns bfloat16 (rounded once)."""
    return r if r.dtype == a.dtype else r.astype(a.dtype)


def _same_dtype(a, b, msg, kernel=None, empty_ok=False):
    """Both operands of one dtype (PyTorch does not promote here), and a dtype BLAS takes
    (``empty_ok``: any dtype when an operand is empty, as the kernel then never runs)."""
    if a.dtype != b.dtype:
        n1, n2 = _scalar_name(_dtype._FROM_NP[a.dtype]), _scalar_name(_dtype._FROM_NP[b.dtype])
        raise RuntimeError(msg(n1, n2))
    if a.dtype == np.bool_ and kernel and not (empty_ok and (a.size == 0 or b.size == 0)):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _bmm_msg(n1, n2):
    return f'expected scalar type {n1} but found {n2}'


def _mv_msg(mat, vec):
    return f'addmv input tensors must have the same dtype, but got {vec}, {mat}, and {vec}'


# the C++ type names some PyTorch messages use, by ScalarType name
CPP_NAMES = {'Float': 'float', 'Double': 'double', 'Half': 'c10::Half', 'BFloat16': 'c10::BFloat16',
             'Long': 'long int', 'Int': 'int', 'Short': 'short int', 'Char': 'signed char',
             'Byte': 'unsigned char', 'Bool': 'bool', 'ComplexFloat': 'c10::complex<float>',
             'ComplexDouble': 'c10::complex<double>'}


def adj(t):
    """The conjugate transpose of the last two dims, for gradient formulas (``mT`` for real
    tensors: no extra op on real paths)."""
    return t.mT.conj() if t._data.dtype.kind == 'c' else t.mT


def adj2(t):
    """The conjugate transpose of a matrix (``t()`` for real ones, the node PyTorch's graphs show)."""
    return t.t().conj() if t._data.dtype.kind == 'c' else t.t()


def cj(t):
    """The complex conjugate (the tensor itself when real)."""
    return t.conj() if t._data.dtype.kind == 'c' else t


def _mm_msg(n1, n2):
    return f'expected m1 and m2 to have the same dtype, but got: {CPP_NAMES[n1]} != {CPP_NAMES[n2]}'


class MmBackward0(Op):
    operand_arg, operand_numbers = 'mat2', False
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        if a.ndim != 2:
            raise RuntimeError('self must be a matrix')
        if b.ndim != 2:
            raise RuntimeError('mat2 must be a matrix')
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} '
                               f'and {b.shape[0]}x{b.shape[1]})')
        _same_dtype(a, b, _mm_msg, 'addmm_impl_cpu_', True)
        return _in_dtype(np.matmul(a, b), a)

    def backward(self, g):
        a, b = self.saved_tensors
        ga = g.mm(adj2(b)) if self._next[0][0] is not None else None
        gb = adj2(a).mm(g) if self._next[1][0] is not None else None
        return ga, gb


class BmmBackward0(Op):
    operand_arg, operand_numbers = 'mat2', False
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        if a.ndim != 3 or b.ndim != 3:
            raise RuntimeError(f'batch{1 if a.ndim != 3 else 2} must be a 3D tensor')
        if b.shape[:2] != (a.shape[0], a.shape[2]):
            raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                               f'[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].')
        if a.size == 0 or b.size == 0:         # no kernel runs: no dtype check, batch2's dtype
            return xp(b).zeros((a.shape[0], a.shape[1], b.shape[2]), b.dtype)
        if a.dtype == np.bool_:                # (the kernel, chosen by batch1's dtype, refuses it first)
            raise NotImplementedError('"bmm" not implemented for \'Bool\'')
        _same_dtype(a, b, _bmm_msg)
        return _in_dtype(np.matmul(a, b), a)

    def backward(self, g):
        a, b = self.saved_tensors
        ga = g.bmm(adj(b)) if self._next[0][0] is not None else None
        gb = adj(a).bmm(g) if self._next[1][0] is not None else None
        return ga, gb


class DotBackward0(Op):
    operand_arg, operand_numbers = 'tensor', False
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f'1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors')
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f'inconsistent tensor size, expected tensor [{a.shape[0]}] and src '
                               f'[{b.shape[0]}] to have the same number of elements, but got '
                               f'{a.shape[0]} and {b.shape[0]} elements respectively')
        _same_dtype(a, b, lambda x, y: f'dot : expected both vectors to have same dtype, but found {x} and {y}',
                    'dot')
        return as_array(np.dot(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        return (g * cj(b) if self._next[0][0] is not None else None,
                g * cj(a) if self._next[1][0] is not None else None)


class MvBackward0(Op):
    operand_arg, operand_numbers = 'vec', False
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, m, v):
        if m.ndim == 0:                 # (PyTorch reads mat's size(0) first)
            raise IndexError('Dimension specified as 0 but tensor has no dimensions')
        if m.ndim != 2 or v.ndim != 1:
            raise RuntimeError(f'vector + matrix @ vector expected, got 1, {m.ndim}, {v.ndim}')
        if m.shape[1] != v.shape[0]:
            raise RuntimeError(f'size mismatch, got input ({m.shape[0]}), mat ({m.shape[0]}x{m.shape[1]}), '
                               f'vec ({v.shape[0]})')
        _same_dtype(m, v, _mv_msg, 'addmv_impl_cpu', True)
        return _in_dtype(np.matmul(m, v), m)

    def backward(self, g):
        m, v = self.saved_tensors
        gm = g.unsqueeze(1) * cj(v).unsqueeze(0) if self._next[0][0] is not None else None
        gv = adj2(m).mv(g) if self._next[1][0] is not None else None
        return gm, gv


class SqueezeBackward4(Op):
    """squeeze_(0) of the fresh mm result of a 1-D @ 2-D matmul (not a view)."""

    def forward(self, a, dim):
        self.in_shape = a.shape
        return a.squeeze(dim)

    def backward(self, g):
        return g.reshape(self.in_shape)


def _unsafe_view(t, shape):
    from .shape import UnsafeViewBackward0
    return apply(UnsafeViewBackward0, t, shape=tuple(shape))


def _should_fold(a, b, has_out):
    """PyTorch's rule for folding the larger operand (>= 3-D) into a matrix and calling mm/mv
    instead of bmm: always when the smaller operand requires grad (the backward is then an mm),
    otherwise only when the fold is a view (never for 2-D @ N-D, which would need a transpose copy)."""
    larger = a.ndim >= b.ndim
    big = a if larger else b.mT
    small_dim = b.ndim if larger else a.ndim
    if not (big.ndim >= 3 and small_dim <= 2):
        return False
    if (b if larger else a).requires_grad and not has_out:
        return True
    if a.ndim == 2:
        return False
    if big.numel() == 0:
        return True
    shape, strides = big.shape, big.stride()
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))   # a view


def _folded(a, b):
    """N-D @ 1/2-D as one mm/mv on the N-D operand viewed (or copied) as a matrix; 1/2-D @ N-D
    through the transposes: (b^T @ a^T)^T, made contiguous."""
    transpose = b.ndim > a.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a.ndim == 2 else a) if transpose else b
    out_shape = t1.shape[:-1]
    flat = t1.reshape(math.prod(out_shape), t1.shape[-1])
    if t2.ndim == 2:
        r = _unsafe_view(flat.mm(t2), out_shape + (t2.shape[1],))
        return r.mT.contiguous() if transpose else r
    return _unsafe_view(flat.mv(t2), out_shape)


def _batch_shape(ba, bb):
    """The broadcast of two batch shapes, with PyTorch's error."""
    n = max(len(ba), len(bb))
    out = []
    for i in range(n):
        x = ba[i - n + len(ba)] if i - n + len(ba) >= 0 else 1
        y = bb[i - n + len(bb)] if i - n + len(bb) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f'The size of tensor a ({x}) must match the size of tensor b ({y}) at '
                               f'non-singleton dimension {i}')
        out.append(y if x == 1 else x)
    return tuple(out)


def _batched(a, b):
    """Both operands broadcast over the batch dimensions, flattened to 3-D, one bmm, viewed back."""
    da, db = a.ndim, b.ndim
    n, m1 = (a.shape[-2] if da > 1 else 1), a.shape[-1]
    m2, p = (b.shape[-2] if db > 1 else b.shape[0]), (b.shape[-1] if db > 1 else 1)
    batch = _batch_shape(a.shape[:max(da - 2, 0)], b.shape[:max(db - 2, 0)])
    nb = math.prod(batch)
    a3 = a.expand(*batch, n, m1).reshape(nb, n, m1)
    if db == 1:
        b3 = b.expand(*batch, m2).reshape(nb, m2).unsqueeze(2)
    else:
        b3 = b.expand(*batch, m2, p).reshape(nb, m2, p)
    out_shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    r = a3.bmm(b3)
    return _unsafe_view(r.squeeze(-1) if db == 1 else r, out_shape)


def _matmul(a, b, has_out):
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f'both arguments to matmul need to be at least 1D, but they are {da}D and {db}D')
    if da == 1 and db == 1:
        return apply(DotBackward0, a, b)
    if da == 2 and db == 1:
        return apply(MvBackward0, a, b)
    if da == 1 and db == 2:
        return apply(SqueezeBackward4, apply(MmBackward0, a.unsqueeze(0), b), dim=0)
    if da == 2 and db == 2:
        return apply(MmBackward0, a, b)
    if _should_fold(a, b, has_out):
        return _folded(a, b)
    # a 3-D operand with batch size 1 that requires grad against another 3-D: squeezed, then folded
    if da == 3 and db == 3 and a.shape[0] != b.shape[0]:
        if a.shape[0] == 1 and a.requires_grad:
            return _matmul(a.squeeze(0), b, has_out)
        if b.shape[0] == 1 and b.requires_grad:
            return _matmul(a, b.squeeze(0), has_out)
    return _batched(a, b)


def matmul(input, other, *, out=None):
    """PyTorch's matmul by rank: dot, mv, mm, an mm/mv on a folded operand, or a batched bmm;
    the graph (grad_fn chain) is the one PyTorch records for each path."""
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(matmul, input, other, out=out)
    try:
        r = _matmul(input, other, out is not None)
    except NotImplementedError:             # a sparse operand (no dense array): ember.sparse's matmul
        from ..sparse import dispatch
        return dispatch('matmul', input, other)
    except (TypeError, AttributeError):     # a list, a number, a NumPy array: the parser's TypeError
        bad_operands('matmul', (input, other), numbers=False)
    if out is None:
        return r
    if input.ndim == 1 and other.ndim == 1:
        return _write_out(out, r, 'dot', _dot_dtype_error)
    return _write_out(out, r, 'matmul', _mv_dtype_error(input, other) if other.ndim == 1 else 'structured')


def mm(input, mat2, *, out=None):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(mm, input, mat2, out=out)
    try:
        r = apply(MmBackward0, input, mat2)
    except NotImplementedError:             # a sparse operand (no dense array): ember.sparse's mm
        from ..sparse import dispatch
        return dispatch('mm', input, mat2)
    except (TypeError, AttributeError):     # a list, a number, a NumPy array: the parser's TypeError
        bad_operands('mm', (input, mat2), ('input', 'mat2'), False)
    return r if out is None else _write_out(out, r, 'mm', 'structured')


def bmm(input, mat2, *, out=None):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(bmm, input, mat2, out=out)
    try:
        r = apply(BmmBackward0, input, mat2)
    except (TypeError, AttributeError):     # a list, a number, a NumPy array: the parser's TypeError
        bad_operands('bmm', (input, mat2), ('input', 'mat2'), False)
    return r if out is None else _write_out(out, r, 'bmm', 'structured')


def mv(input, vec, *, out=None):
    if _amp.state.on and _amp.lower('mv', input):  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(mv, input, vec)
    try:
        r = apply(MvBackward0, input, vec)
    except NotImplementedError:             # a sparse matrix: ember.sparse's matmul
        from ..sparse import dispatch
        return dispatch('matmul', input, vec)
    except (TypeError, AttributeError):     # a list, a number, a NumPy array: the parser's TypeError
        bad_operands('mv', (input, vec), ('input', 'vec'), False)
    return r if out is None else _write_out(out, r, 'mv', _mv_dtype_error(input, vec))


def dot(input, tensor, *, out=None):
    if _amp.state.on and _amp.promote('dot', (input, tensor)):  # autocast hook (ember.amp)
        return _amp.call_promote(dot, input, tensor, out=out)
    try:
        r = apply(DotBackward0, input, tensor)
    except (TypeError, AttributeError):     # a list, a number, a NumPy array: the parser's TypeError
        bad_operands('dot', (input, tensor), ('input', 'tensor'), False)
    return r if out is None else _write_out(out, r, 'dot', _dot_dtype_error)


def _write_out(out, r, name, exact):
    """The product into ``out=``: its dtype must be the result's (PyTorch's message per kernel)."""
    from .arith_support import check_out
    return check_out(out, r, name, exact=exact, stacklevel=5)


def _dot_dtype_error(out, r):
    return RuntimeError(f'result dtype {_scalar_name(out.dtype)} does not match input dtype {_scalar_name(r.dtype)}')


def _mv_dtype_error(mat, vec):
    return lambda out, r: RuntimeError(
        'addmv input tensors must have the same dtype, but got '
        f'{_scalar_name(out.dtype)}, {_scalar_name(mat.dtype)}, and {_scalar_name(vec.dtype)}')


def outer(input, vec2):
    try:
        for name, v in (('self', input), ('vec2', vec2)):
            if v.ndim != 1:
                raise RuntimeError(f'outer: Expected 1-D argument {name}, but got {v.ndim}-D')
        return input.unsqueeze(1) * vec2.unsqueeze(0)
    except AttributeError:                  # a list, a number, a NumPy array: the parser's TypeError
        bad_operands('outer', (input, vec2), ('input', 'vec2'), False)


def ger(input, vec2):
    try:
        return outer(input, vec2)
    except TypeError:                       # PyTorch names the alias
        bad_operands('ger', (input, vec2), ('input', 'vec2'), False)
