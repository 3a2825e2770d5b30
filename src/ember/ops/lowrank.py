"""Partial spectral decompositions: randomized low-rank SVD and PCA (``svd_lowrank``, ``pca_lowrank``,
after Halko, Martinsson and Tropp, "Finding structure with randomness", 2009) and LOBPCG (``lobpcg``,
Knyazev 2001: a few extreme eigenpairs of a symmetric (generalised) problem, found iteratively).

A Gaussian sketch A R (R: n x q, drawn from ember's generator, so ``manual_seed`` repeats it) is
orthonormalised by QR, sharpened by ``niter`` power iterations (A^H Q, then A Q, each followed by
QR), and the small matrix Q^H A is decomposed exactly: A ~= (Q U) S V^H. Everything is composed
of ember ops (randn, matmul, linalg.qr, linalg.svd), so gradients flow through it as through
those ops. ``M`` (broadcast to A's shape) is subtracted from A without forming A - M; pca_lowrank
subtracts the column means of dense A before the same decomposition.
"""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply
from ._promote import xp

__all__ = ['svd_lowrank', 'pca_lowrank', 'lobpcg']


def _sketch_dtype(A):
    """The dtype of the random sketch: A's when it is floating or complex, else float32."""
    from .. import _dtype
    return A.dtype if (A.is_floating_point() or A.is_complex()) else _dtype.float32


def _minus(X, M, op):
    """op(A) - op(M) for the product ``op`` (M may be None)."""
    return X if M is None else X - op(M)


def _range_basis(A, q, niter, M=None):
    """An orthonormal (..., m, q) basis approximating the range of A - M."""
    from .. import linalg
    from .random import randn
    R = randn(A.shape[-1], q, dtype=_sketch_dtype(A), device=A.device)
    Q = linalg.qr(_minus(A.matmul(R), M, lambda t: t.matmul(R))).Q
    for _ in range(niter):
        Q = linalg.qr(_minus(A.mH.matmul(Q), M, lambda t: t.mH.matmul(Q))).Q
        Q = linalg.qr(_minus(A.matmul(Q), M, lambda t: t.matmul(Q))).Q
    return Q


def _lowrank(A, q, niter, M):
    from .. import linalg
    m, n = A.shape[-2:]
    if M is not None:
        M = M.broadcast_to(A.shape)
    wide = m < n
    if wide:                                   # decompose A^H: the small matrix stays q x min(m, n)
        A = A.mH
        M = None if M is None else M.mH
    Q = _range_basis(A, q, niter, M)
    B = _minus(Q.mH.matmul(A), M, lambda t: Q.mH.matmul(t))
    U, S, Vh = linalg.svd(B, full_matrices=False)
    V, U = Vh.mH, Q.matmul(U)
    return (V, S, U) if wide else (U, S, V)


def _check_tensor(A, fname):
    if not isinstance(A, Tensor):
        from .argcheck import type_name
        if fname == 'pca_lowrank' and isinstance(A, np.ndarray):
            raise TypeError(f'expected Tensor but got {type(A)}')
        raise AttributeError(f"'{type_name(A)}' object has no attribute 'shape'")
    if A.dim() < 2:
        raise ValueError(f'not enough values to unpack (expected 2, got {A.dim()})')


def svd_lowrank(A, q=6, niter=2, M=None):
    """(U, S, V) with A - M ~= U diag(S) V^H, of rank at most ``q`` (default 6), from a randomized
    range finder with ``niter`` power iterations. Batched; random: seed ember for repeatable results."""
    _check_tensor(A, 'svd_lowrank')
    return _lowrank(A, 6 if q is None else q, 2 if niter is None else niter, M)


def pca_lowrank(A, q=None, center=True, niter=2):
    """(U, S, V) of the principal components of the rows of ``A``: the low-rank SVD of A minus its
    column means (``center``); ``q`` defaults to min(6, m, n). V's columns are the directions."""
    _check_tensor(A, 'pca_lowrank')
    m, n = A.shape[-2:]
    if q is None:
        q = min(6, m, n)
    elif not (q >= 0 and q <= min(m, n)):
        raise ValueError(f'q(={q}) must be non-negative integer and not greater than min(m, n)={min(m, n)}')
    if not niter >= 0:
        raise ValueError(f'niter(={niter}) must be non-negative integer')
    if center:
        A = A - A.mean(dim=(-2,), keepdim=True)
    return _lowrank(A, q, niter, None)


METHODS = {}


# ------------------------------------------------------------------ lobpcg

def _b_orthonormal(m, S, B, drop):
    """A B-orthonormal basis of the columns of S (SVQB: scaled Gram matrix, eigh, columns whose
    eigenvalue falls below ``drop`` of the largest are dropped)."""
    BS = S if B is None else B @ S
    G = S.T.conj() @ BS
    d = m.sqrt(m.abs(m.diagonal(G)))
    d = m.where(d > 0, 1 / m.where(d > 0, d, 1), 0)
    w, V = m.linalg.eigh(G * d[:, None] * d[None, :])
    keep = w > drop * max(float(w.max()), 0.0)
    T = (d[:, None] * V[:, keep]) / m.sqrt(w[keep])[None, :]
    return S @ T, BS @ T


def _lobpcg_one(m, A, B, X, iK, k, niter, tol, largest):
    """The k extreme eigenpairs of A x = lambda B x (one matrix), by LOBPCG: Rayleigh-Ritz on the
    span of the iterate X, the (preconditioned) residuals W and the last step's directions P."""
    n = X.shape[1]
    drop = float(np.finfo(A.dtype).eps) * 10
    X, BX = _b_orthonormal(m, X, B, drop)
    W = P = None
    anorm = float(m.abs(A).sum(axis=0).max()) or 1.0
    bnorm = 1.0 if B is None else float(m.abs(B).sum(axis=0).max())
    it = 0
    while True:
        S, _ = _b_orthonormal(m, m.concatenate([X] + [s for s in (W, P) if s is not None], axis=1), B, drop)
        T = S.T.conj() @ (A @ S)
        w, C = m.linalg.eigh((T + T.T.conj()) / 2)
        order = m.argsort(-w if largest else w)[:n]
        theta, Xn = w[order], S @ C[:, order]
        if W is not None:                   # the step just taken, B-orthogonal to the old X
            P = Xn - X @ (BX.T.conj() @ Xn)
        X = Xn
        BX = X if B is None else B @ X
        R = A @ X - BX * theta[None, :]
        err = m.linalg.norm(R, axis=0) / ((anorm + m.abs(theta) * bnorm) * m.linalg.norm(X, axis=0))
        if bool((err[:k] < tol).all()) or (niter >= 0 and it >= niter):
            return theta[:k], X[:, :k]
        W = R if iK is None else iK @ R
        it += 1


class LOBPCGAutogradFunctionBackward(Op):
    """(E, X): k extreme eigenpairs of symmetric A (generalised with B), found iteratively. The
    gradient treats them as eigenpairs of A: it runs through ``linalg.eigh`` of A, matched to them."""
    saves = (0,)
    n_outputs = 2

    def forward(self, a, b=None, x=None, ik=None, *, k, niter, tol, largest):
        m = xp(a)
        rows = a.shape[-1]
        flat = a.reshape((-1, rows, rows))
        xs = x.reshape((flat.shape[0],) + x.shape[-2:]) if x.ndim > 2 else [x] * flat.shape[0]
        res = [_lobpcg_one(m, A, b, X, ik, k, niter, tol, largest) for A, X in zip(flat, xs)]
        E = m.stack([r[0] for r in res]).reshape(a.shape[:-2] + (k,))
        V = m.stack([r[1] for r in res]).reshape(a.shape[:-2] + (rows, k))
        self.largest, self.has_b = largest, b is not None
        self.V = V
        return E.astype(a.dtype), V.astype(a.dtype)

    _free = ('V',)

    def backward(self, gE, gV):
        from .. import linalg
        from ..autograd import grad as _grad
        from ..autograd import grad_mode
        if self.has_b:
            raise ValueError('lobpcg.backward does not support backward with B != I yet.')
        A, = self.saved_tensors
        create = grad_mode.is_grad_enabled()
        k = self.V.shape[-1]
        with grad_mode.enable_grad():
            leaf = A.detach().requires_grad_()
            L, Q = linalg.eigh(leaf)
            pick = slice(-k, None) if self.largest else slice(0, k)
            L, Q = L[..., pick], Q[..., pick]
            if self.largest:
                L, Q = L.flip(-1), Q.flip(-1)
            ref = Tensor._make(self.V)                 # lobpcg's own vectors fix each column's sign
            Q = Q * (Q * ref).sum(-2, keepdim=True).sign()
            outs, grads = zip(*[(o, g) for o, g in ((L, gE), (Q, gV)) if g is not None])
            gA, = _grad(list(outs), leaf, list(grads), create_graph=create)
        return ((gA + gA.mT) / 2,) + (None,) * (len(self._next) - 1)


def lobpcg(A, k=None, B=None, X=None, n=None, iK=None, niter=None, tol=None, largest=None, method=None,
           tracker=None, ortho_iparams=None, ortho_fparams=None, ortho_bparams=None):
    """The k largest (or smallest, ``largest=False``) eigenpairs (E, X) of the symmetric
    positive-definite generalised problem A x = lambda B x, by LOBPCG (Knyazev): ``X`` the
    starting block (else n random columns, n defaults to k), ``iK`` a preconditioner, ``niter``
    the iteration limit (None: until converged), ``tol`` the relative residual to reach. ``method``
    ('basic' or 'ortho' in PyTorch) and the tracker/ortho_* tuning are accepted; one robust variant
    (SVQB orthonormalisation of [X, W, P]) runs for all."""
    from .random import randn
    if A.shape[-2] != A.shape[-1]:
        raise AssertionError(f'A must be square, got shape {A.shape}')
    rows = A.shape[-1]
    k = (1 if X is None else X.shape[-1]) if k is None else k
    n = (k if X is None else X.shape[-1]) if n is None else n
    if rows < 3 * n:
        raise ValueError(f'LOBPCG algorithm is not applicable when the number of A rows (={rows}) is smaller than '
                         f'3 x the number of requested eigenpairs (={n})')
    if X is None:
        X = randn(A.shape[:-2] + (rows, n), dtype=A.dtype, device=A.device)
    tol = float(np.finfo(A._data.dtype).eps) ** 0.5 if tol is None else float(tol)
    niter = 1000 if niter is None else int(niter)
    largest = True if largest is None else bool(largest)
    ins = [A] + [t if t is None else t.detach() for t in (B, X.detach(), iK)]
    from ..autograd import grad_mode
    if B is not None and B.requires_grad and grad_mode.is_grad_enabled():
        ins[1] = B                                  # kept on the graph: its backward raises as PyTorch's
    return apply(LOBPCGAutogradFunctionBackward, *ins, k=k, niter=niter, tol=tol, largest=largest)
