"""Products of Householder reflectors, as LAPACK's geqrf leaves them: householder_product
(torch.linalg.householder_product, alias orgqr) and ormqr (multiply a matrix by that product).

Column i of ``A`` (below the diagonal) holds reflector v_i with an implicit 1 on the diagonal and
zeros above it; H_i = I - tau_i v_i v_i^T and Q = H_0 H_1 ... H_{k-1}. Applying one reflector to a
matrix X is the rank-one update X - tau_i v_i (v_i^T X): the forward runs that loop over the k
reflectors on raw arrays (vectorised over the batch); the backward runs its reverse in ember Tensor
ops, so it differentiates again. Real and complex matrices (H_i = I - tau_i v_i v_i^H).
"""
from .._tensor import Tensor
from ._op import Op, apply
from .arith_support import out_arg
from ._promote import xp
from .linalg_ops import colmajor, dtype_name

__all__ = ['orgqr', 'ormqr']


def _check_tensor(x, fname, arg, pos):
    from .argcheck import need_tensor
    need_tensor(fname, x, arg, pos)


def _tau_len(tau):
    if tau.ndim == 0:
        raise IndexError('Dimension specified as -1 but tensor has no dimensions')
    return tau.shape[-1]


def _check_tau(a, tau, fname):
    if tau.ndim != a.ndim - 1:
        raise RuntimeError(f'{fname}: Expected tau to have one dimension less than input, but got tau.ndim '
                           f'equal to {tau.ndim} and input.ndim is equal to {a.ndim}')
    if tau.shape[:-1] != a.shape[:-2]:
        raise RuntimeError(f'{fname}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got '
                           f'{list(tau.shape[:-1])}')


def _check_kernel(a, kernel, kinds='fc'):
    if a.dtype.kind not in kinds or a.dtype.itemsize == 2:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(a)}\'')


def _order(k, reverse):
    """Reflector indices in the order they reach the matrix (the one nearest it first)."""
    return list(range(k - 1, -1, -1)) if reverse else list(range(k))


# ------------------------------------------------------------------ the loop on raw arrays

def _reflect(a, tau, x, order):
    """Apply H_i for i in ``order`` (each on the left) to the matrices ``x``."""
    m = xp(a)
    k = tau.shape[-1]
    rows = a.shape[-2]
    V = m.tril(a[..., :, :k], -1) + m.eye(rows, k, dtype=a.dtype)
    for i in order:
        v = V[..., :, i:i + 1]
        x = x - tau[..., i, None, None] * v * (v.swapaxes(-1, -2).conj() @ x)
    return x


# ------------------------------------------------------------------ the reverse loop in Tensor ops

def _reflect_grad(A, tau, C, G, order):
    """Gradients (dA, dtau, dC) of Y = (the reflectors in ``order`` applied to C) for dL/dY = G."""
    from .creation import eye
    from .join import cat
    rows, cols = A.shape[-2:]
    k = tau.shape[-1]
    if A.numel() == 0 or tau.numel() == 0:         # PyTorch leaves these gradients undefined
        return None, None, G
    V = A[..., :, :k].tril(-1) + eye(rows, k, dtype=A.dtype, device=A.device)
    taus = [tau[..., i:i + 1].unsqueeze(-1) for i in range(k)]
    xs = [C]                                    # the matrix before each step
    for i in order[:-1]:
        v = V[..., :, i:i + 1]
        xs.append(xs[-1] - taus[i] * v.matmul(v.mH.matmul(xs[-1])))
    dv, dtau = [None] * k, [None] * k
    for s in range(len(order) - 1, -1, -1):     # Y = X - t v (v^H X); complex: conjugate-Wirtinger grads
        i = order[s]
        v, t, X = V[..., :, i:i + 1], taus[i], xs[s]
        w, u = v.mH.matmul(X), v.mH.matmul(G)
        tc = t.conj() if t.is_complex() else t
        dtau[i] = -(u * (w.conj() if w.is_complex() else w)).sum((-2, -1)).unsqueeze(-1)
        dv[i] = -(tc * G.matmul(w.mH) + t * X.matmul(u.mH))
        G = G - tc * v.matmul(u)
    dA = cat(dv, -1).tril(-1)
    if cols > k:
        dA = cat([dA, A.new_zeros(A.shape[:-2] + (rows, cols - k))], -1)
    return dA, cat(dtau, -1), G


class LinalgHouseholderProductBackward0(Op):
    """The first n columns of H_0 ... H_{k-1} (m x m), for A of shape (m, n)."""
    saves = (0, 1)

    def forward(self, a, tau):
        fname = 'ember.linalg.householder_product'
        if a.ndim < 2:
            raise RuntimeError(f'{fname}: input must have at least 2 dimensions.')
        if a.shape[-2] < a.shape[-1]:
            raise RuntimeError(f'{fname}: input.shape[-2] must be greater than or equal to input.shape[-1]')
        if a.shape[-1] < _tau_len(tau):
            raise RuntimeError(f'{fname}: input.shape[-1] must be greater than or equal to tau.shape[-1]')
        _check_tau(a, tau, fname)
        if tau.dtype != a.dtype:
            raise RuntimeError(f'{fname}: tau dtype {dtype_name(tau)} does not match input dtype {dtype_name(a)}')
        _check_kernel(a, 'orgqr_cpu')
        m = xp(a)
        rows, cols = a.shape[-2:]
        e = m.broadcast_to(m.eye(rows, cols, dtype=a.dtype), a.shape)
        return colmajor(_reflect(a, tau, e, _order(tau.shape[-1], True)))

    def backward(self, grad):
        from .creation import eye
        A, tau = self.saved_tensors
        rows, cols = A.shape[-2:]
        E = eye(rows, cols, dtype=A.dtype, device=A.device)
        dA, dtau, _ = _reflect_grad(A, tau, E, grad, _order(tau.shape[-1], True))
        return dA, dtau


@out_arg('linalg_householder_product', False)
def householder_product(input, tau, *, out=None):
    """The first n columns of the product of the k Householder reflectors stored in ``input``
    (m x n, m >= n, as geqrf leaves them) with scalars ``tau`` (k <= n); batched."""
    _check_tensor(input, 'linalg_householder_product', 'input', 1)
    _check_tensor(tau, 'linalg_householder_product', 'tau', 2)
    return apply(LinalgHouseholderProductBackward0, input, tau)


@out_arg('orgqr', False)
def orgqr(input, input2, *, out=None):
    """Same as ``linalg.householder_product(input, input2)`` (LAPACK's name)."""
    _check_tensor(input, 'orgqr', 'input', 1)
    _check_tensor(input2, 'orgqr', 'input2', 2)
    return householder_product(input, input2)


# ------------------------------------------------------------------ ormqr

class OrmqrBackward0(Op):
    """Q C, Q^T C, C Q or C Q^T with Q = H_0 ... H_{k-1} given by (A, tau)."""
    saves = (0, 1, 2)

    def forward(self, a, tau, c, left=True, transpose=False):
        fname = 'ember.ormqr'
        if a.ndim < 2:
            raise RuntimeError(f'{fname}: input must have at least 2 dimensions.')
        if c.ndim < 2:
            raise RuntimeError(f'{fname}: other must have at least 2 dimensions.')
        d = -2 if left else -1
        if c.shape[d] != a.shape[-2]:
            raise RuntimeError(f'{fname}: other.shape[{d}] must be equal to input.shape[-2]')
        if _tau_len(tau) != min(c.shape[d], a.shape[-1]):
            raise RuntimeError(f'{fname}: tau.shape[-1] must be equal to min(other.shape[{d}], input.shape[-1])')
        if tau.ndim != a.ndim - 1:
            raise RuntimeError(f'{fname}: Expected tau to have one dimension less than input, but got tau.ndim '
                               f'equal to {tau.ndim} and input.ndim is equal to {a.ndim}')
        if c.ndim != a.ndim:
            raise RuntimeError(f'{fname}: Expected other to have the same number of dimensions as input, but got '
                               f'other.ndim equal to {c.ndim} and input.ndim is equal to {a.ndim}')
        _check_tau(a, tau, fname)
        if c.shape[:-2] != a.shape[:-2]:
            raise RuntimeError(f'{fname}: Expected batch dimensions of other to be equal to input.shape[:-2], but '
                               f'got {list(c.shape[:-2])}')
        for name, x in (('tau', tau), ('other', c)):
            if x.dtype != a.dtype:
                raise RuntimeError(f'{fname}: Expected input and {name} to have the same dtype, but input has '
                                   f'dtype{dtype_name(a)} and {name} has dtype {dtype_name(x)}')
        _check_kernel(a, 'ormqr_cpu', 'f')         # (complex ormqr not done yet: PyTorch has it)
        self.left, self.transpose = left, transpose
        x = c if left else c.swapaxes(-1, -2)
        y = _reflect(a, tau, x, self._steps(tau.shape[-1]))
        return colmajor(y if left else y.swapaxes(-1, -2))

    def _steps(self, k):
        # Q C applies H_{k-1} first; Q^T C applies H_0 first; C Q = (Q^T C^T)^T; C Q^T = (Q C^T)^T
        return _order(k, self.left != self.transpose)

    def backward(self, grad):
        A, tau, C = self.saved_tensors
        if not self.left:
            C, grad = C.mT, grad.mT
        dA, dtau, dC = _reflect_grad(A, tau, C, grad, self._steps(tau.shape[-1]))
        return dA, dtau, (dC if self.left else dC.mT)


@out_arg('ormqr', False)
def ormqr(input, input2, input3, left=True, transpose=False, *, out=None):
    """Multiply ``input3`` by the product Q of the Householder reflectors in (``input``, ``input2``):
    Q C (left) or C Q (right), with Q^T instead of Q when ``transpose``."""
    for i, (name, x) in enumerate((('input', input), ('input2', input2), ('input3', input3)), 1):
        _check_tensor(x, 'ormqr', name, i)
    return apply(OrmqrBackward0, input, input2, input3, left=left, transpose=transpose)


METHODS = {'orgqr': orgqr, 'ormqr': ormqr}
