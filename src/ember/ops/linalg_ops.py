"""Matrix functions: inv, det, slogdet, logdet, solve, matrix_power; the legacy top-level cross and chain_matmul; and the checks all linalg ops share.

Every op works on batches (..., n, n). Results of LAPACK-style routines are laid out
column-major per matrix, as PyTorch returns them. Errors follow PyTorch: the shape and
dtype checks raise RuntimeError, a singular or indefinite matrix raises ``LinAlgError`` (a
RuntimeError) naming the failing pivot or leading minor.
"""
import numpy as np

from .. import _dtype
from .._tensor import _scalar_name
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ..autograd.node import save_output
from ._promote import xp, unbroadcast
from .matmul import adj, cj
from .einsum import tensordot, kron as _kron, kron_method  # noqa: F401  (ember.tensordot, ember.kron)
from .arith_support import out_arg
from .linalg_legacy import cross, cross_method, chain_matmul  # noqa: F401  (ember.cross, ember.chain_matmul)
from . import return_types as _rt
from .argcheck import bad_input, need_tensor

__all__ = ['inverse', 'det', 'slogdet', 'logdet', 'matrix_power', 'tensordot', 'kron', 'cross', 'chain_matmul']


class _LinAlgError(RuntimeError):
    """A matrix without an answer: singular (inv, solve) or not positive-definite (cholesky)."""


_LinAlgError.__module__ = 'ember.linalg'
LinAlgError = _LinAlgError


def named_tuple(name, fields=None):
    """The return type ``ember.return_types.<name>`` (defined in return_types.py)."""
    return _rt._types[name]


kron = out_arg('kron', False)(_kron)

_Slogdet = named_tuple('slogdet', ('sign', 'logabsdet'))
_LinalgSlogdet = named_tuple('linalg_slogdet', ('sign', 'logabsdet'))


# ------------------------------------------------------------------ shared checks and helpers

def dtype_name(a):
    return _scalar_name(_dtype._FROM_NP[a.dtype])


def check_matrix(a, fname, square=False, low=None, arg='A', kernel=None):
    """PyTorch's input checks, in its order: rank, squareness, dtype.

    low: what half precision gets -- 'msg' (RuntimeError) or a kernel name (NotImplementedError).
    kernel: integer and half inputs both get that kernel's NotImplementedError instead."""
    if a.ndim < 2:
        raise RuntimeError(f'{fname}: The input tensor {arg} must have at least 2 dimensions.')
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f'{fname}: {arg} must be batches of square matrices, but they are '
                           f'{a.shape[-2]} by {a.shape[-1]} matrices')
    if kernel is not None:
        low = kernel if a.dtype.kind in 'fc' else None
        if low is None:
            raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(a)}\'')
    if a.dtype.kind in 'biu':
        raise RuntimeError(f'{fname}: Expected a floating point or complex tensor as input. Got {dtype_name(a)}')
    if low is not None and a.dtype.itemsize == 2:
        if low == 'msg':
            raise RuntimeError(f'{fname}: Low precision dtypes not supported. Got {dtype_name(a)}')
        raise NotImplementedError(f'"{low}" not implemented for \'{dtype_name(a)}\'')


def colmajor(x):
    """A copy of x with each matrix stored column-major (LAPACK's layout, PyTorch's strides)."""
    out = xp(x).empty(x.shape[:-2] + (x.shape[-1], x.shape[-2]), x.dtype)
    out[...] = x.swapaxes(-1, -2)
    return out.swapaxes(-1, -2)


def eye_like(t, n=None):
    from .creation import eye
    return eye(t.shape[-1] if n is None else n, dtype=t.dtype, device=t.device)


def broadcast_batch(sa, sb):
    """The broadcast of two shapes, with PyTorch's message when they do not broadcast."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f'The size of tensor a ({x}) must match the size of tensor b ({y}) at '
                               f'non-singleton dimension {i}')
    return tuple(max(x, y) if 0 not in (x, y) else 0 for x, y in zip(sa, sb))


def batch_prefix(a, index):
    return f'(Batch element {index}): ' if a.ndim > 2 else ''


def _first_zero_pivot(m):
    """1-based column of the first exactly-zero pivot of LU with partial pivoting; 0 if none."""
    a = np.array(m, copy=True)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return 0


def host_batch(a):
    """The matrices of a batch as one (b, m, n) host array (to locate a failure)."""
    return np.asarray(a.get() if hasattr(a, 'get') else a).reshape((-1,) + a.shape[-2:])


def _inv_error(a, fname='linalg.inv'):
    i, k = next(((i, k) for i, m in enumerate(host_batch(a)) for k in [_first_zero_pivot(m)] if k), (0, 1))
    return _LinAlgError(f'{fname}: {batch_prefix(a, i)}The diagonal element {k} is zero, the inversion '
                        'could not be completed because the input matrix is singular.')


def _lu_solve_singular(a, b):
    """(X, info) of A X = B through LU with partial pivoting and substitution, for a batch with a
    singular matrix: the zero pivots give inf/nan as LAPACK's getrf + getrs leave them; info is the
    1-based index of each matrix's first zero pivot (0 when none)."""
    from .linalg_lu import _lu_raw, _lu_solve_raw
    lu, piv, info = _lu_raw(a)
    return _lu_solve_raw(lu, piv, b, False), info


def _solve_error(info, fname):
    """PyTorch's error for a singular matrix in (a batch of) solve(s), from the LU info."""
    flat = host_batch(info[..., None, None]).reshape(-1)
    i = int(np.flatnonzero(flat)[0]) if flat.any() else 0
    prefix = f'(Batch element {i}): ' if info.ndim else ''
    return _LinAlgError(f'ember.{fname}: {prefix}The solver failed because the input matrix is singular.')


# ------------------------------------------------------------------ inv

class LinalgInvExBackward0(Op):
    """inv (raising on a singular matrix) and inv_ex (``box`` gets the int32 info per matrix)."""
    saves_output = True

    def forward(self, a, fname='linalg.inv', box=None):
        check_matrix(a, 'linalg.inv', square=True, low='msg')
        m = xp(a)
        try:
            out = m.linalg.inv(a)
        except np.linalg.LinAlgError:
            if box is None:
                raise _inv_error(a, fname) from None
            eye = m.broadcast_to(m.eye(a.shape[-1], dtype=a.dtype), a.shape)
            out, info = _lu_solve_singular(a, eye)
            box.append(info)
        else:
            if box is not None:
                box.append(m.zeros(a.shape[:-2], np.int32))
        return colmajor(out)

    def backward(self, g):
        inv_a, = self.saved_tensors
        ia_t = adj(inv_a)
        return -(ia_t.matmul(g).matmul(ia_t))


@out_arg('linalg_inv_ex')
def inv(A, *, out=None):
    if _amp.state.on and _amp.fp32('inv', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(inv, A, out=out)
    return apply(LinalgInvExBackward0, A)


@out_arg('inverse')
def inverse(input, *, out=None):
    need_tensor('inverse', input)
    return inv(input, out=out)


# ------------------------------------------------------------------ det / slogdet / logdet

def _inv_or_zero(A, d):
    """A^-1 where the determinant d is non-zero, the identity elsewhere (those entries get scaled
    by d = 0, which gives PyTorch's zero gradient at exactly singular matrices)."""
    from .compare import where
    if bool((d._data != 0).all()):
        return inv(A)
    return inv(where((d == 0).unsqueeze(-1).unsqueeze(-1), eye_like(A), A))


class LinalgDetBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a):
        check_matrix(a, 'linalg.det', square=True, low='lu_cpu')
        return xp(a).asarray(xp(a).linalg.det(a))

    def backward(self, g):
        A, d = self.saved_tensors
        return (g * cj(d)).unsqueeze(-1).unsqueeze(-1) * adj(_inv_or_zero(A, d))


def det(input, *, out=None):
    try:
        return apply(LinalgDetBackward0, input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('det', (input,))


@out_arg('linalg_det')
def linalg_det(A, *, out=None):
    return apply(LinalgDetBackward0, A)


class LinalgSlogdetBackward0(Op):
    saves = (0,)
    n_outputs = 2

    def forward(self, a, fname='linalg.slogdet'):
        check_matrix(a, fname, square=True, low='msg')
        m = xp(a)
        sign, logabs = m.linalg.slogdet(a)
        return m.asarray(sign, dtype=a.dtype), m.asarray(logabs, dtype=a.real.dtype)

    def backward(self, g_sign, g_logabs):
        saved = self.saved_tensors
        A = saved[0]
        try:
            ia = inv(A)
        except _LinAlgError:             # singular: log|det| is -inf, its gradient is not finite
            ia = A.new_full(A.shape, float('inf'))
        g = g_logabs
        if A.is_complex():               # d log det = tr(A^-1 dA): the sign turns with its imaginary part
            z = cj(saved[1]) * g_sign    # g_logabs + i Im(conj(sign) g_sign)
            g = g_logabs + 0.5 * (z - cj(z))
        return g.unsqueeze(-1).unsqueeze(-1) * adj(ia)


def _slogdet(A, fname='linalg.slogdet'):
    sign, logabs = apply(LinalgSlogdetBackward0, A, fname=fname)
    node = sign.grad_fn
    if node is not None and A.is_complex():      # the complex backward needs the sign too
        node._saved = node._saved + (save_output(node, sign),)
    return sign, logabs


@out_arg('slogdet', tuple_name='slogdet_out')
def slogdet(input, *, out=None):
    """Named tuple (sign, logabsdet) of the determinant."""
    return _Slogdet(*_slogdet(input))


@out_arg('linalg_slogdet', tuple_name='linalg_slogdet_out')
def linalg_slogdet(A, *, out=None):
    return _LinalgSlogdet(*_slogdet(A))


def logdet(input):
    """log(det(A)): nan for a negative determinant, -inf for a singular matrix; complex matrices
    give log(sign) + log|det|."""
    try:
        sign, logabs = _slogdet(input, 'logdet')
        if input.is_complex():
            return sign.log() + logabs
        from .compare import where
        return where(sign == -1, float('nan'), logabs)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('logdet', (input,))


# ------------------------------------------------------------------ solve

def _is_vector_rhs(a_shape, b_shape):
    return len(b_shape) == 1 or (len(b_shape) == len(a_shape) - 1 and b_shape == a_shape[:-1])


def _solve_checks(a, b, left):
    if a.ndim < 2:
        raise RuntimeError('linalg.solve: The input tensor A must have at least 2 dimensions.')
    vector = _is_vector_rhs(a.shape, b.shape)
    if b.ndim < (1 if vector else 2):
        raise RuntimeError('linalg.solve: The input tensor B must have at least 2 dimensions.')
    check_matrix(a, 'linalg.solve', square=True)
    if a.dtype != b.dtype:
        raise RuntimeError(f'linalg.solve: Expected A and B to have the same dtype, but found A of type '
                           f'{dtype_name(a)} and B of type {dtype_name(b)} instead')
    if a.dtype.itemsize == 2:
        raise NotImplementedError(f'"lu_cpu" not implemented for \'{dtype_name(a)}\'')
    bm = b[..., None] if vector else b
    n = a.shape[-1]
    if (bm.shape[-2] if left else bm.shape[-1]) != n:
        raise RuntimeError(f'linalg.solve: Incompatible shapes of A and B for the equation '
                           f'{"AX = B" if left else "XA = B"} ({n}x{n} and {bm.shape[-2]}x{bm.shape[-1]})')
    return vector, bm


class LinalgSolveExBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, b, left=True, fname='linalg.solve', box=None, check=False):
        vector, bm = _solve_checks(a, b, left)
        self.left, self.vector, self.shapes = left, vector, (a.shape, b.shape)
        m = xp(a)
        batch = broadcast_batch(bm.shape[:-2], a.shape[:-2])
        if not left:                       # X A = B  <=>  A^T X^T = B^T
            a, bm = a.swapaxes(-1, -2), bm.swapaxes(-1, -2)
        a = m.broadcast_to(a, batch + a.shape[-2:])
        bm = m.broadcast_to(bm, batch + bm.shape[-2:])
        try:
            x = m.linalg.solve(a, bm)
            if box is not None:
                box.append(m.zeros(batch, np.int32))
        except np.linalg.LinAlgError:
            x, info = _lu_solve_singular(a, bm)
            if box is None or check:
                raise _solve_error(info, fname) from None
            box.append(info)
        if not left:
            return colmajor(x).swapaxes(-1, -2)
        if vector:                         # PyTorch lays a batch of solutions out column-major too
            return colmajor(x[..., 0]) if x.ndim > 2 else x[..., 0]
        return colmajor(x)

    def backward(self, g):
        A, X = self.saved_tensors
        sa, sb = self.shapes
        gb = solve(adj(A), g, left=self.left)
        ga = None
        if self._next[0][0] is not None:
            if self.vector:
                gb_m, x_m = gb.unsqueeze(-1), X.unsqueeze(-1)
            else:
                gb_m, x_m = gb, X
            ga = -(gb_m.matmul(adj(x_m)) if self.left else adj(x_m).matmul(gb_m))
            ga = unbroadcast(ga, sa)
        return ga, (unbroadcast(gb, sb) if self._next[1][0] is not None else None)


@out_arg('linalg_solve')
def solve(A, B, *, left=True, out=None):
    """X with A X = B (left=True) or X A = B; B may be a (batch of) vector(s)."""
    if _amp.state.on and _amp.fp32('solve', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(solve, A, B, left=left, out=out)
    return apply(LinalgSolveExBackward0, A, B, left=left)


from .linalg_power import linalg_matrix_power, matrix_power, _matrix_power_method  # noqa: E402,F401

METHODS = {'inverse': inverse, 'det': det, 'slogdet': slogdet, 'logdet': logdet, 'matrix_power': _matrix_power_method,
           'kron': kron_method, 'cross': cross_method}
