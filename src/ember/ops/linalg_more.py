"""More of torch.linalg: matrix_exp and pinv (their own nodes), and cond, tensorinv, tensorsolve and
vander, which are compositions of existing ember ops (so their grad_fn names are those of the
last op PyTorch applies: SqueezeBackward1, NanToNumBackward0, ViewBackward0, CatBackward0...).

matrix_exp evaluates, as PyTorch, a Taylor polynomial of degree 1 to 18 chosen by the matrix's norm
(Bader, Blanes and Casas 2019), scaling and squaring beyond (a batch: degree 18 for all); its gradient for an upstream G is the
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

# Taylor polynomials of degree 1, 2, 4, 8, 12 and 18 evaluated with 0 to 5 matrix products (Bader,
# Blanes and Casas 2019), chosen by each matrix's 1-norm: the largest threshold below it for the dtype
# (float32 thresholds for float32/complex64), scaling and squaring beyond the last.
_THETAS = {4: (1.192092800768788e-07, 5.978858893805233e-04, 5.116619363445086e-02, 5.800524627688768e-01,
               1.461661507209034e+00, 3.010066362817634e+00),
           8: (2.220446049250313e-16, 2.580956802971767e-08, 3.397168839976962e-04, 4.991228871115323e-02,
               2.996158913811580e-01, 1.090863719290036e+00)}
_S177 = math.sqrt(177.)
_X3 = 2. / 3.
# degree 8 in 3 products; these are PyTorch's constants, whose terms of degree 5 to 8 differ from 1/k!
# (so its results do, by up to 1e-5 in float32 near the float32 threshold)
_T8 = (_X3 * (1. + _S177) / 88., _X3 * (1. + _S177) / 352., (-271. + 29. * _S177) / (315. * _X3),
       11. * (-1. + _S177) / (1260. * _X3), 11. * (-9. + _S177) / (5040. * _X3), (89. - _S177) / (5040. * _X3),
       (857. - 58. * _S177) / 630.)
# degree 12 in 4 products: rows B0..B3 over (I, A, A^2, A^3); A6 = B2 + B3 B3; T = B0 + (B1 + A6) A6
_T12 = ((-1.86023205146205530824e-02, -5.00702322573317714499e-03, -5.73420122960522249400e-01,
         -1.33399693943892061476e-01),
        (4.6, 9.92875103538486847299e-01, -1.32445561052799642976e-01, 1.72990000000000000000e-03),
        (2.11693118299809619897e-01, 1.58224384715726723786e-01, 1.65635169436727403630e-01,
         1.07862779315792429638e-02),
        (0., -1.31810610138301836592e-01, -2.02785554058925905629e-02, -6.75951846863086323186e-03))
# degree 18 in 5 products: rows B0..B4 over (I, A, A^2, A^3, A^6); A9 = B0 B4 + B3; T = B1 + (B2 + A9) A9
_T18 = ((0., -1.00365581030144618291e-01, -8.02924648241156932449e-03, -8.92138498045183247660e-04, 0.),
        (0., 3.97849749499645077844e-01, 1.36783778460411720168e+00, 4.98289622525382669416e-01,
         -6.37898194594723280150e-04),
        (-1.09676396052962061844e+01, 1.68015813878906206114e+00, 5.71779846478865511061e-02,
         -6.98210122488052056106e-03, 3.34975017086070470649e-05),
        (-9.04316832390810593223e-02, -6.76404519071381882256e-02, 6.75961301770459654925e-02,
         2.95552570429315521194e-02, -1.39180257516060693404e-05),
        (0., 0., -9.23364619367118555360e-02, -1.69364939002081722752e-02, -1.40086798182036094347e-05))


def _comb(coefs, powers):
    out = coefs[0] * powers[0]
    for c, p in zip(coefs[1:], powers[1:]):
        if c:
            out = out + c * p
    return out


def _taylor(a, degree, eye):
    """The degree-``degree`` approximant of exp at each matrix of the batch ``a``."""
    if degree == 1:
        return eye + a
    a2 = a @ a
    if degree == 2:
        return eye + a + a2 * 0.5
    if degree == 4:
        return eye + a + a2 @ (eye * 0.5 + a / 6. + a2 / 24.)
    if degree == 8:
        x1, x2, x4, x5, x6, x7, y2 = _T8
        a4 = a2 @ (x1 * a + x2 * a2)
        a8 = (_X3 * a2 + a4) @ (x4 * eye + x5 * a + x6 * a2 + x7 * a4)
        return eye + a + y2 * a2 + a8
    a3 = a2 @ a
    if degree == 12:
        b = [_comb(row, (eye, a, a2, a3)) for row in _T12]
        a6 = b[2] + b[3] @ b[3]
        return b[0] + (b[1] + a6) @ a6
    a6 = a3 @ a3
    b = [_comb(row, (eye, a, a2, a3, a6)) for row in _T18]
    a9 = b[0] @ b[4] + b[3]
    return b[1] + (b[2] + a9) @ a9


def _scaled_t18(a, norm, theta, eye):
    """exp by scaling each matrix by its own power of two (to a norm <= theta), degree 18, squaring."""
    m = xp(a)
    s = m.maximum(0, m.ceil(m.log2(norm / theta)))
    s = m.where(m.isfinite(s), s, 0).astype(np.int64)               # (a NaN/inf matrix stays NaN)
    r = _taylor(a / m.ldexp(m.ones(s.shape, norm.dtype), s)[:, None, None].astype(a.dtype), 18, eye)
    for i in range(int(s.max())):                                   # square each matrix s times
        r = m.where((s > i)[:, None, None], r @ r, r)
    return r


def _expm_raw(a):
    """exp of every matrix of a batch (float32/float64, real or complex arrays), as PyTorch: a 1x1
    matrix by exp, a single matrix by the lowest degree its norm allows, a batch of several by degree
    18 with scaling and squaring."""
    m = xp(a)
    n = a.shape[-1]
    if n == 1:
        return m.exp(a)
    flat = a.reshape((-1, n, n))
    thetas = _THETAS[4 if a.dtype in (np.float32, np.complex64) else 8]
    norm = m.abs(flat).sum(axis=-2).max(axis=-1)                    # the 1-norm of each matrix
    eye = m.eye(n, dtype=a.dtype)
    if flat.shape[0] > 1:
        return _scaled_t18(flat, norm, thetas[-1], eye).reshape(a.shape)
    v = float(norm[0])
    if v != v:                                                      # NaN: a NaN result
        return m.full(a.shape, np.nan, a.dtype)
    degree = next((d for d, t in zip((1, 2, 4, 8, 12), thetas) if v <= t), None)
    r = _scaled_t18(flat, norm, thetas[-1], eye) if degree is None else _taylor(flat, degree, eye)
    return r.reshape(a.shape)


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
