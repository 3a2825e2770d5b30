"""Decompositions: qr, svd (and svdvals), eigh (and eigvalsh); pinv is in linalg_more, cholesky in
linalg_tri.

Backward formulas are the standard matrix-calculus ones, written in ember ops so they
differentiate again; for complex matrices transposes become conjugate transposes (``adj``),
and a loss that depends on the free phase of complex singular/eigen vectors raises, as in
PyTorch. Singular vectors and eigenvectors are defined only up to
sign; ember returns what the local LAPACK returns, which may differ in sign from PyTorch's.
"""
import numpy as np

from ..autograd import grad_mode
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply, requires_grad
from ..autograd.node import save_output
from ._promote import xp
from .linalg_ops import check_matrix, colmajor, dtype_name, eye_like, named_tuple, solve, _LinAlgError
from .matmul import adj
from .triangular import tril, diag_embed
from .arith_support import out_arg
from .from_data import _warn_once
from .argcheck import need_tensor
from .linalg_more import pinv, pinverse, _h  # noqa: F401  (ember.pinverse, Tensor.pinverse)
from .linalg_tri import linalg_cholesky, cholesky  # noqa: F401  (ember.cholesky: defined with the triangular ops)

__all__ = ['svd', 'qr', 'pinverse', 'cholesky']

_Qr = named_tuple('qr', ('Q', 'R'))
_LinalgQr = named_tuple('linalg_qr', ('Q', 'R'))
_Svd = named_tuple('svd', ('U', 'S', 'V'))
_LinalgSvd = named_tuple('linalg_svd', ('U', 'S', 'Vh'))
_LinalgEigh = named_tuple('linalg_eigh', ('eigenvalues', 'eigenvectors'))


def real_dtype(d):
    """The real dtype of a (NumPy) dtype: float64 for complex128, itself for real ones."""
    return np.dtype(d.char.lower()) if np.dtype(d).kind == 'c' else np.dtype(d)


def _keep_outputs(outs):
    """Save every output of a multi-output node for its backward (apply saves only one)."""
    node = outs[0].grad_fn
    if node is not None:
        node._saved = tuple(save_output(node, o) for o in outs)
    return outs


def _given(g):
    """A gradient that can contribute (the engine fills unused outputs with zeros)."""
    return g is not None and bool(g._data.any())


def _recording(A):
    return requires_grad(A) and grad_mode.is_grad_enabled()


# ------------------------------------------------------------------ qr

_QR_MODES = ('reduced', 'complete', 'r')


class LinalgQrBackward0(Op):
    n_outputs = 2

    def forward(self, a, mode='reduced'):
        check_matrix(a, 'linalg.qr', low=None)
        if mode not in _QR_MODES:
            raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' "
                               "(default), 'r', or 'complete'")
        if a.dtype.itemsize == 2:
            raise NotImplementedError(f'"geqrf_cpu" not implemented for \'{dtype_name(a)}\'')
        self.mode, self.shape = mode, a.shape
        m = xp(a)
        if mode == 'r':
            return m.empty((0,), a.dtype), colmajor(m.linalg.qr(a, mode='r'))
        q, r = m.linalg.qr(a, mode=mode)
        return colmajor(q), colmajor(r)

    def backward(self, gQ, gR):
        if self.mode == 'r':
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                               'through linalg.qr.')
        m, n = self.shape[-2:]
        if self.mode == 'complete' and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and "
                               'nrows > ncols.')
        Q, R = self.saved_tensors
        if m >= n:
            return _qr_tall_grad(gQ, gR, Q, R)
        from .join import cat
        gV = gR[..., m:]                       # A = [X | Y] = Q [U | V]
        gX = _qr_tall_grad(gQ + Q.matmul(R[..., m:]).matmul(adj(gV)), gR[..., :m], Q, R[..., :m])
        return cat([gX, Q.matmul(gV)], -1)


def _qr_tall_grad(gQ, gR, Q, R):
    """Gradient of A = QR for m >= n: (gQ + Q copyltu(M)) R^-H with M = R gR^H - gQ^H Q
    (copyltu: the lower triangle mirrored to the upper; real diagonal for complex M)."""
    M = R.matmul(adj(gR)) - adj(gQ).matmul(Q)
    if M.is_complex():
        L = tril(M) - 0.5 * diag_embed(M.diagonal(0, -2, -1))
        M = L + adj(L)
    else:
        M = tril(M, -1) + tril(M).mT
    return solve(adj(R), gQ + Q.matmul(M), left=False)


@out_arg('linalg_qr', tuple_name='linalg_qr_out')
def linalg_qr(A, mode='reduced', *, out=None):
    if _amp.state.on and _amp.fp32('qr', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(linalg_qr, A, mode, out=out)
    return _LinalgQr(*_keep_outputs(apply(LinalgQrBackward0, A, mode=mode)))


@out_arg('qr', tuple_name='qr_out')
def qr(input, some=True, *, out=None):
    """Legacy torch.qr: ``some`` picks the reduced (True) or complete (False) factorization."""
    if _amp.state.on and _amp.fp32('qr', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(qr, input, some, out=out)
    _warn_once("ember.qr is deprecated in favor of ember.linalg.qr and will be removed in a future PyTorch "
               "release.\nThe boolean parameter 'some' has been replaced with a string parameter 'mode'.\nQ, R = "
               "ember.qr(A, some)\nshould be replaced with\nQ, R = ember.linalg.qr(A, 'reduced' if some else "
               "'complete')", 4)
    return _Qr(*_keep_outputs(apply(LinalgQrBackward0, input, mode='reduced' if some else 'complete')))


# ------------------------------------------------------------------ svd

class LinalgSvdBackward0(Op):
    n_outputs = 3

    def forward(self, a, full_matrices=True):
        check_matrix(a, 'linalg.svd', low='linalg_svd_cpu')
        self.full = full_matrices
        m = xp(a)
        if a.size == 0:
            return _empty_svd(m, a, full_matrices)
        try:
            u, s, vh = m.linalg.svd(a, full_matrices=full_matrices)
        except np.linalg.LinAlgError:
            raise svd_error() from None
        return colmajor(u), s, colmajor(vh)

    def backward(self, gU, gS, gVh):
        U, S, Vh = self.saved_tensors
        k = S.shape[-1]
        if self.full:            # the extra columns are arbitrary: only the first k ones count
            U, Vh, gU, gVh = U[..., :k], Vh[..., :k, :], gU[..., :k], gVh[..., :k, :]
        gU, gVh = (gU if _given(gU) else None), (gVh if _given(gVh) else None)
        if U.is_complex() and (gU is not None or gVh is not None):
            _check_phase(U, gU, Vh, gVh)
        return _svd_grad(U, S, Vh, gU, gS, gVh)


def svd_error():
    return _LinAlgError('linalg.svd: The algorithm failed to converge because the input matrix contained '
                        'non-finite values.')


def _driver_check(A, driver):
    if driver is not None and A.device.type != 'cuda':
        raise RuntimeError('ember.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with '
                           'cuSOLVER backend.')


def _empty_svd(m, a, full):
    rows, cols = a.shape[-2:]
    k, batch = min(rows, cols), a.shape[:-2]
    real = real_dtype(a.dtype)
    u = m.zeros(batch + (rows, rows if full else k), a.dtype)
    vh = m.zeros(batch + (cols if full else k, cols), a.dtype)
    if full:
        u[...] = m.eye(rows, dtype=a.dtype)
        vh[...] = m.eye(cols, dtype=a.dtype)
    return colmajor(u), m.zeros(batch + (k,), real), colmajor(vh)


_PHASE = ('{}: The {} in the complex case are specified up to multiplication by e^{{i phi}}. The specified loss '
          'function depends on this {}')


def _imag_diag(X):
    """Imaginary parts of the diagonals of X, as a host array (for the phase checks)."""
    return X.diagonal(0, -2, -1).detach()._host().imag


def _check_phase(U, gU, Vh, gVh):
    """A loss of complex singular vectors must not depend on their common phase: Im diag(U^H gU + Vh gVh^H)
    vanishes (PyTorch's tolerance)."""
    d = 0
    if gU is not None:
        d = d + _imag_diag(adj(U).matmul(gU))
    if gVh is not None:
        d = d + _imag_diag(Vh.matmul(adj(gVh)))
    if not np.allclose(d, 0, rtol=1e-2, atol=1e-2):
        raise RuntimeError(_PHASE.format('svd_backward', 'singular vectors', 'phase term, making it ill-defined.'))


def _svd_grad(U, S, Vh, gU, gS, gVh):
    """Gradient of A = U diag(S) Vh (reduced)."""
    core = diag_embed(gS)
    if U.is_complex():
        core = core.to(U.dtype)
    if gU is None and gVh is None:
        return U.matmul(core).matmul(Vh)
    from .compare import where
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)                  # E[i, j] = s_j^2 - s_i^2
    F = where(eye_like(S, S.shape[-1]).bool(), float('inf'), E).reciprocal()
    s_row, s_col = S.unsqueeze(-2), S.unsqueeze(-1)
    gA = 0
    if gU is not None:
        UtgU = adj(U).matmul(gU)
        core = core + (F * (UtgU - adj(UtgU))) * s_row
        if U.is_complex():                                  # the phase of U: i Im diag(U^H gU) / S
            d = UtgU.diagonal(0, -2, -1)
            core = core + diag_embed(0.5 * (d - d.conj()) / S)
        if U.shape[-2] > U.shape[-1]:                       # (I - U U^H) gU S^-1 Vh
            gA = (gU - U.matmul(UtgU)).div(s_row).matmul(Vh)
    if gVh is not None:
        V, gV = adj(Vh), adj(gVh)
        VtgV = adj(V).matmul(gV)
        core = core + s_col * (F * (VtgV - adj(VtgV)))
        if Vh.shape[-1] > Vh.shape[-2]:                     # U S^-1 gV^H (I - V V^H)
            gA = gA + U.matmul(adj(gV - V.matmul(VtgV)).div(s_col))
    return U.matmul(core).matmul(Vh) + gA


@out_arg('linalg_svd', tuple_name='linalg_svd_out')
def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    if _amp.state.on and _amp.fp32('svd', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(linalg_svd, A, full_matrices, driver=driver, out=out)
    _driver_check(A, driver)
    return _LinalgSvd(*_keep_outputs(apply(LinalgSvdBackward0, A, full_matrices=bool(full_matrices))))


@out_arg('svd', tuple_name='svd_out')
def svd(input, some=True, compute_uv=True, *, out=None):
    """Legacy torch.svd: (U, S, V) with V = Vh^T (a view), or zero U, V when compute_uv=False."""
    need_tensor('svd', input)
    if _amp.state.on and _amp.fp32('svd', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(svd, input, some, compute_uv, out=out)
    if input.ndim < 2:
        raise RuntimeError(f'linalg.svd: input should have at least 2 dimensions, but has {input.ndim} '
                           'dimensions instead')
    if not compute_uv:
        from .creation import zeros
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        return _Svd(zeros(batch + (m, m), dtype=input.dtype), svdvals(input),
                    zeros(batch + (n, n), dtype=input.dtype).mT)
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _Svd(U, S, Vh.mT)


class _Svdvals(Op):
    differentiable = False

    def forward(self, a):
        check_matrix(a, 'linalg.svd', low='linalg_svd_cpu')
        m = xp(a)
        if a.size == 0:
            return m.zeros(a.shape[:-2] + (min(a.shape[-2:]),), real_dtype(a.dtype))
        try:
            return m.linalg.svd(a, compute_uv=False)
        except np.linalg.LinAlgError:          # infinite input: nan values as PyTorch's LAPACK leaves them; nan
            if bool(m.isnan(a).any()):          # input: its error
                raise svd_error() from None
            return m.full(a.shape[:-2] + (min(a.shape[-2:]),), np.nan, real_dtype(a.dtype))


@out_arg('linalg_svdvals')
def svdvals(A, *, driver=None, out=None):
    """Singular values, in descending order (through the full svd when a gradient is wanted)."""
    if _amp.state.on and _amp.fp32('svdvals', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(svdvals, A, driver=driver, out=out)
    _driver_check(A, driver)
    if _recording(A):
        return linalg_svd(A, full_matrices=False)[1]
    return apply(_Svdvals, A)


# ------------------------------------------------------------------ eigh

def _eigh_checks(a, UPLO):
    if a.ndim >= 2 and a.shape[-1] == a.shape[-2] and a.dtype.kind in 'biu':
        raise NotImplementedError(f'"linalg_eigh_cpu" not implemented for \'{dtype_name(a)}\'')
    check_matrix(a, 'linalg.eigh', square=True, low='linalg_eigh_cpu')
    if UPLO not in ('L', 'U'):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


class LinalgEighBackward0(Op):
    n_outputs = 2

    def forward(self, a, UPLO='L'):
        _eigh_checks(a, UPLO)
        w, v = xp(a).linalg.eigh(a, UPLO=UPLO)
        return w, colmajor(v)

    def backward(self, gw, gV):
        w, V = self.saved_tensors
        inner = diag_embed(gw)
        if V.is_complex():
            inner = inner.to(V.dtype)
        if _given(gV):
            from .compare import where
            E = w.unsqueeze(-2) - w.unsqueeze(-1)               # E[i, j] = w_j - w_i
            E = where(eye_like(w, w.shape[-1]).bool(), 1.0, E)
            VtgV = adj(V).matmul(gV)
            if V.is_complex() and not np.allclose(_imag_diag(VtgV), 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError(_PHASE.format('linalg_eigh_backward', 'eigenvectors',
                                                 'quantity, so it is ill-defined.'))
            inner = inner + 0.5 * (VtgV - adj(VtgV)) / E
        return V.matmul(inner).matmul(adj(V))


class _Eigvalsh(Op):
    differentiable = False

    def forward(self, a, UPLO='L'):
        _eigh_checks(a, UPLO)
        return xp(a).linalg.eigvalsh(a, UPLO=UPLO)


@out_arg('linalg_eigh', tuple_name='linalg_eigh_out')
def eigh(input, UPLO='L', *, out=None):
    """Named tuple (eigenvalues ascending, eigenvectors as columns) of a symmetric matrix."""
    if _amp.state.on and _amp.fp32('eigh', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(eigh, input, UPLO, out=out)
    return _LinalgEigh(*_keep_outputs(apply(LinalgEighBackward0, input, UPLO=UPLO)))


@out_arg('linalg_eigvalsh')
def eigvalsh(input, UPLO='L', *, out=None):
    if _amp.state.on and _amp.fp32('eigvalsh', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(eigvalsh, input, UPLO, out=out)
    if _recording(input):
        return eigh(input, UPLO)[0]
    return apply(_Eigvalsh, input, UPLO=UPLO)


METHODS = {'svd': svd, 'qr': qr, 'pinverse': pinverse, 'cholesky': cholesky}
