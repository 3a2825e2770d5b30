"""More of torch.linalg: matrix_exp and pinv (their own nodes), and cond, tensorinv, tensorsolve and
vander, which are compositions of existing ember ops (so their grad_fn names are those of the
last op PyTorch applies: SqueezeBackward1, NanToNumBackward0, ViewBackward0, CatBackward0...).

matrix_exp uses scaling and squaring with the degree-13 Pade approximant (Higham 2005), each
matrix of a batch scaled by its own power of two; its gradient for an upstream G is the
upper-right block of exp([[A^T, G], [0, A^T]]), computed by matrix_exp itself so it
differentiates again.
"""
import math

import numpy as np

from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import xp
from .arith_support import out_arg
from .matmul import adj
from .linalg_ops import check_matrix, dtype_name, inv, solve, eye_like, _LinAlgError
from .argcheck import bad_input, need_tensor

# ------------------------------------------------------------------ matrix_exp

_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm_raw(a):
    """exp of every matrix of a batch (float32/float64 arrays)."""
    m = xp(a)
    n = a.shape[-1]
    b = _PADE13
    norm1 = m.abs(a).sum(axis=-2).max(axis=-1)                     # the 1-norm of each matrix
    s = m.maximum(0, m.ceil(m.log2(m.maximum(norm1, 1e-300) / _THETA13))).astype(np.int64)
    x = a / m.ldexp(m.ones_like(norm1), s)[..., None, None]
    eye = m.eye(n, dtype=a.dtype)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = m.linalg.solve(v - u, v + u)
    for i in range(int(s.max()) if s.size else 0):                 # square each matrix s times
        r = m.where((s > i)[..., None, None], r @ r, r)
    return r


class LinalgMatrixExpBackward0(Op):
    saves = (0,)

    def forward(self, a):
        check_matrix(a, 'linalg.matrix_exp', square=True)
        m = xp(a)
        if a.size == 0:
            return m.empty(a.shape, a.dtype)
        work = a if a.dtype.itemsize >= 4 else a.astype(np.float32)
        return m.ascontiguousarray(_expm_raw(work).astype(a.dtype, copy=False))

    def backward(self, g):
        from .join import cat
        A, = self.saved_tensors
        n = A.shape[-1]
        At = adj(A)
        big = cat([cat([At, g], -1), cat([A.new_zeros(A.shape), At], -1)], -2)
        return matrix_exp(big)[..., :n, n:]


def matrix_exp(input):
    """The matrix exponential exp(A) = sum A^k / k! of each square matrix."""
    try:
        return apply(LinalgMatrixExpBackward0, input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('matrix_exp', (input,))


# ------------------------------------------------------------------ pinv

def _raw(v):
    return v._data if hasattr(v, '_data') else v


def _cutoff(s, atol, rtol, shape):
    """Singular values above max(atol, rtol * largest) count; PyTorch's default rtol is
    eps * max(m, n), or 0 when a positive atol is given."""
    m = xp(s)
    if rtol is None:
        positive = atol is not None and bool(m.all(m.asarray(atol) > 0))
        rtol = 0.0 if positive else float(np.finfo(s.dtype).eps) * max(shape[-2:])
    atol = 0.0 if atol is None else atol
    smax = s.max(axis=-1, keepdims=True)
    return m.maximum(m.asarray(atol, dtype=s.dtype)[..., None], m.asarray(rtol, dtype=s.dtype)[..., None] * smax)


def _h(x):
    """Conjugate transpose of raw matrices."""
    x = x.swapaxes(-1, -2)
    return x.conj() if x.dtype.kind == 'c' else x


def _pinv_grad(A, P, g):
    """Gradient of P = pinv(A) (valid while the rank does not change)."""
    Pt, gt = adj(P), adj(g)
    gA = -Pt.matmul(g).matmul(Pt)
    gA = gA + (eye_like(A, A.shape[-2]) - A.matmul(P)).matmul(gt).matmul(P).matmul(Pt)
    return gA + Pt.matmul(P).matmul(gt).matmul(eye_like(A) - P.matmul(A))


class LinalgPinvBackward0(Op):
    saves = (0,)
    saves_output = True

    def forward(self, a, atol=None, rtol=None, hermitian=False):
        if a.ndim < 2 or a.dtype.kind not in 'fc' or a.dtype.itemsize == 2:
            shape = '[' + ', '.join(str(s) for s in a.shape) + ']'
            raise RuntimeError(f'linalg.pinv({dtype_name(a)}{{{shape}}}): expected a tensor with 2 or more '
                               'dimensions of float, double, cfloat or cdouble types')
        m = xp(a)
        rows, cols = a.shape[-2:]
        if a.size == 0:
            return m.zeros(a.shape[:-2] + (cols, rows), a.dtype)
        if hermitian:
            w, v = m.linalg.eigh(a)
            keep = m.abs(w) > _cutoff(m.abs(w), atol, rtol, a.shape)
            winv = m.where(keep, 1 / m.where(keep, w, 1), 0)
            return m.ascontiguousarray((v * winv[..., None, :]) @ _h(v))
        try:
            u, s, vh = m.linalg.svd(a, full_matrices=False)
        except np.linalg.LinAlgError:
            from .linalg_decomp import svd_error
            raise svd_error() from None
        keep = s > _cutoff(s, atol, rtol, a.shape)
        sinv = m.where(keep, 1 / m.where(keep, s, 1), 0)
        return m.ascontiguousarray((_h(vh) * sinv[..., None, :]) @ _h(u))

    def backward(self, g):
        A, P = self.saved_tensors
        return _pinv_grad(A, P, g)


@out_arg('linalg_pinv', False)
def pinv(input, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    """Moore-Penrose pseudo-inverse through the SVD (eigh when hermitian)."""
    if rcond is not None:
        rtol = rcond
    return apply(LinalgPinvBackward0, input, atol=_raw(atol), rtol=_raw(rtol), hermitian=bool(hermitian))


def pinverse(input, rcond=1e-15):
    need_tensor('pinverse', input)
    try:
        if _amp.state.on and _amp.fp32('pinverse', input):  # autocast hook (ember.amp)
            return _amp.call_fp32(pinverse, input, rcond)
        return pinv(input, rtol=rcond)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('pinverse', (input,))


# ------------------------------------------------------------------ cond

_INF = float('inf')


def _ord_label(p):
    if isinstance(p, str):
        return p
    if abs(p) == _INF:
        return 'inf' if p > 0 else '-inf'
    return str(int(p))


@out_arg('linalg_cond', False)
def cond(input, p=None, *, out=None):
    """Condition number of each matrix in the norm ``p``: the ratio of extreme singular values
    for p None/2/-2, else ||A||_p ||A^-1||_p (inf for singular matrices)."""
    from ..linalg import matrix_norm, svdvals
    from .linalg_lu import lu_factor_ex
    valid = p in ('fro', 'nuc') if isinstance(p, str) else p is None or p in (2, -2, 1, -1, _INF, -_INF)
    if not valid:
        raise RuntimeError(f'linalg.cond got an invalid norm type: {p}')
    if input.ndim < 2:
        raise RuntimeError('linalg.cond: The input tensor must have at least 2 dimensions.')
    square = not (p is None or (not isinstance(p, str) and abs(p) == 2))
    if square and input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f'linalg.cond(ord={_ord_label(p)}): A must be batches of square matrices, but they are '
                           f'{input.shape[-2]} by {input.shape[-1]} matrices')
    if input.numel() == 0:
        from .creation import zeros
        dt = input.dtype if input.dtype.is_floating_point else None
        return zeros(input.shape[:-2], dtype=dt, device=input.device)
    if not square:
        S = svdvals(input)
        hi, lo = S.narrow(-1, 0, 1), S.narrow(-1, S.shape[-1] - 1, 1)
        return (lo / hi if p == -2 else hi / lo).squeeze(-1)
    if p == 'nuc':
        S = svdvals(input)
        return S.sum(-1) * S.reciprocal().sum(-1)
    check_matrix(input._data, 'linalg.inv', square=True, low='msg')
    info = lu_factor_ex(input.detach()).info
    if bool((info._data != 0).any()):              # singular: an inverse of infinities, as PyTorch
        from .compare import where
        bad = (info != 0).unsqueeze(-1).unsqueeze(-1)
        from .creation import eye
        Ainv = where(bad, _INF, inv(where(bad, eye(input.shape[-1], dtype=input.dtype, device=input.device), input)))
    else:
        Ainv = inv(input)
    return (matrix_norm(input, p) * matrix_norm(Ainv, p)).nan_to_num_(_INF, _INF, -_INF)


# ------------------------------------------------------------------ tensorinv / tensorsolve

@out_arg('linalg_tensorinv', False)
def tensorinv(input, ind=2, *, out=None):
    """The tensor X with tensordot(X, A, ind) the identity: inv of A flattened to a square matrix."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    lead, rest = list(input.shape[:ind]), list(input.shape[ind:])
    p, q = math.prod(rest), math.prod(lead)
    if p != q:
        raise RuntimeError(f'Expected self to satisfy the requirement prod(self.shape[ind:]) == '
                           f'prod(self.shape[:ind]), but got {p} != {q}')
    try:
        Ainv = inv(input.reshape(q, p))
    except _LinAlgError as e:
        raise _LinAlgError(str(e).replace('linalg.inv:', 'inv:', 1)) from None
    return Ainv.reshape(rest + lead)


@out_arg('linalg_tensorsolve', False)
def tensorsolve(input, other, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B (the ``dims`` of A moved last first)."""
    if dims is not None:
        from .shape_more import movedim
        dims = [dims] if isinstance(dims, int) else list(dims)
        input = movedim(input, dims, list(range(input.ndim - len(dims), input.ndim)))
    rest = list(input.shape[other.ndim:])
    p = math.prod(rest)
    if p != other.numel():
        raise RuntimeError(f'Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == '
                           f'prod(self.shape[:other.ndim]), but got {p} != {other.numel()}')
    return solve(input.reshape(p, p), other.reshape(p)).view(rest)


# ------------------------------------------------------------------ vander

def vander(x, N=None):
    """Columns x^0, x^1, ..., x^(N-1) along a new last dim (N defaults to x.size(-1))."""
    from .. import _dtype
    from .join import cat
    from .scan import cumprod
    d = x.dtype
    if d == _dtype.bool_ or (d.is_floating_point and d.itemsize == 2):
        raise RuntimeError(f'linalg.vander supports floating point, complex, and integer tensors, but got '
                           f'{dtype_name(x._data)}')
    if x.ndim == 0:
        if N is None:
            raise RuntimeError('N must be greater than 1.')
        x = x.reshape(1)
    n = x.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError('N must be greater than 1.')
    if not (d.is_floating_point or d.is_complex):
        x = x.to(_dtype.int64)
    col = x.unsqueeze(-1)
    return cat([col.new_ones(col.shape), cumprod(col.expand(*x.shape, n - 1), -1)], -1)
