"""nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal, built on parametrize.

Each registers a small parametrization module on the tensor, so the state_dict holds
``parametrizations.<name>.original`` (``original0`` / ``original1`` for weight_norm) and the
parametrization's own buffers (``parametrizations.<name>.0._u`` ...), as in PyTorch."""
from enum import Enum, auto

from ..._tensor import Tensor, xp_of
from ...autograd import grad_mode
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ['orthogonal', 'spectral_norm', 'weight_norm']


# ---------------------------------------------------------------- orthogonal
def _em():
    import ember
    return ember


def _is_orthogonal(Q):
    em = _em()
    n, k = Q.size(-2), Q.size(-1)
    Id = em.eye(k, dtype=Q.dtype, device=Q.device)
    eps = 10. * n * em.finfo(Q.dtype).eps
    return em.allclose(Q.mH @ Q, Id, atol=eps)


def _make_orthogonal(A):
    """The Q of A's QR factorisation, signs fixed so that R has a non-negative diagonal."""
    Q, R = _em().linalg.qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _householder_product(A, tau):
    """First k columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H, v_i the i-th column of A below
    the diagonal with a 1 on it (composed from Tensor ops, so it is differentiable)."""
    em = _em()
    fn = getattr(em.linalg, 'householder_product', None)
    if fn is not None:
        return fn(A, tau)
    n, k = A.size(-2), A.size(-1)
    eye = em.eye(n, dtype=A.dtype, device=A.device)
    V = A.tril(-1) + eye[:, :k]
    Q = eye.expand(*A.shape[:-2], n, n)
    for i in range(k):
        v = V[..., :, i:i + 1]
        Q = Q - (Q @ v) @ (tau[..., i:i + 1].unsqueeze(-1) * v.mH)
    return Q[..., :k]


def _geqrf(A):
    """LAPACK's geqrf on ``A`` (..., n, k), n >= k: R on and above the diagonal, the Householder
    vectors below it, and their scalars ``tau`` (vectorised over the batch, a loop over columns)."""
    a = A._data.copy()
    m = xp_of(A)
    k = a.shape[-1]
    tau = m.zeros(a.shape[:-2] + (k,), a.dtype)
    for j in range(k):
        alpha = a[..., j, j].copy()
        xnorm = m.sqrt((a[..., j + 1:, j] ** 2).sum(-1))
        nz = xnorm != 0
        beta = m.where(nz, -m.copysign(m.sqrt(alpha ** 2 + xnorm ** 2), alpha), alpha)
        safe = m.where(nz, beta, 1.)
        tau[..., j] = m.where(nz, (beta - alpha) / safe, 0.)
        a[..., j + 1:, j] /= m.where(nz, alpha - beta, 1.)[..., None]
        a[..., j, j] = beta
        v = m.concatenate([m.ones(a.shape[:-2] + (1,), a.dtype), a[..., j + 1:, j]], -1)
        sub = a[..., j:, j + 1:]
        a[..., j:, j + 1:] = sub - tau[..., j, None, None] * v[..., :, None] * (v[..., None, :] @ sub)
    return Tensor._make(a), Tensor._make(tau)


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps an unconstrained matrix to an orthogonal one (matrix_exp / cayley of its
    skew-symmetric part, or a product of Householder reflectors)."""

    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError('The householder parametrization does not support complex tensors.')
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer('base', None)

    def forward(self, X):
        em = _em()
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = em.cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = em.linalg.matrix_exp(A)
            else:
                Id = em.eye(n, dtype=A.dtype, device=A.device)
                Q = em.linalg.solve(em.add(Id, A, alpha=-0.5), em.add(Id, A, alpha=0.5))
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2. / (1. + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if hasattr(self, 'base'):
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        with grad_mode.no_grad():
            return self._right_inverse(Q)

    def _right_inverse(self, Q):
        em = _em()
        if Q.shape != self.shape:
            raise ValueError(f'Expected a matrix or batch of matrices of shape {self.shape}. '
                             f'Got a tensor of shape {Q.shape}.')
        Q_init = Q
        n, k = Q.size(-2), Q.size(-1)
        transpose = n < k
        if transpose:
            Q = Q.mT
            n, k = k, n
        if not hasattr(self, 'base'):
            if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                raise NotImplementedError('It is not possible to assign to the matrix exponential or the Cayley '
                                          'parametrizations when use_trivialization=False.')
            A, tau = _geqrf(Q)
            diag = A.diagonal(dim1=-2, dim2=-1)
            diag.copy_(diag.sign() * (1 - 2 * (tau == 0.).to(diag.dtype)))
            return A.mT if transpose else A
        if n == k:
            Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
        else:
            N = em.randn(*(Q.size()[:-2] + (n, n - k)), dtype=Q.dtype, device=Q.device)
            Q = _make_orthogonal(em.cat([Q, N], dim=-1))
        self.base = Q
        neg_Id = em.zeros_like(Q_init)
        neg_Id.diagonal(dim1=-2, dim2=-1).fill_(-1.)
        return neg_Id


def orthogonal(module, name='weight', orthogonal_map=None, *, use_trivialization=True):
    """Constrain ``module.<name>`` (a matrix or batch of matrices) to be orthogonal."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f'Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.')
    if orthogonal_map is None:
        orthogonal_map = 'matrix_exp' if weight.size(-2) == weight.size(-1) or weight.is_complex() \
            else 'householder'
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f'Got: {orthogonal_map}')
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


# ---------------------------------------------------------------- weight_norm
class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name='weight', dim=0):
    """Reparametrize ``module.<name>`` as magnitude (``original0``) times direction (``original1``)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs):
        g_key, v_key = f'{prefix}{name}_g', f'{prefix}{name}_v'
        if g_key in state_dict and v_key in state_dict:
            state_dict[f'{prefix}parametrizations.{name}.original0'] = state_dict.pop(g_key)
            state_dict[f'{prefix}parametrizations.{name}.original1'] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


# ---------------------------------------------------------------- spectral_norm
class _SpectralNorm(Module):
    """Divides the weight by its largest singular value, estimated by power iteration on the
    buffers ``_u`` / ``_v`` (updated in training mode only)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f'Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got {dim})')
        if n_power_iterations <= 0:
            raise ValueError('Expected n_power_iterations to be positive, but got '
                             f'n_power_iterations={n_power_iterations}')
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            with grad_mode.no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
                self.register_buffer('_u', F.normalize(u, dim=0, eps=self.eps))
                self.register_buffer('_v', F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        em = _em()
        with grad_mode.no_grad():
            for _ in range(n_power_iterations):
                self._u = F.normalize(em.mv(weight_mat, self._v), dim=0, eps=self.eps, out=self._u)
                self._v = F.normalize(em.mv(weight_mat.H, self._u), dim=0, eps=self.eps, out=self._v)

    def forward(self, weight):
        em = _em()
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = em.vdot(u, em.mv(weight_mat, v))
        return weight / sigma

    def right_inverse(self, value):
        return value


def _is_conv_transpose(module):
    from ..modules import conv
    return isinstance(module, tuple(getattr(conv, n) for n in ('ConvTranspose1d', 'ConvTranspose2d',
                                                                'ConvTranspose3d') if hasattr(conv, n)))


def spectral_norm(module, name='weight', n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrize ``module.<name>`` as itself divided by its spectral norm."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if _is_conv_transpose(module) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module

