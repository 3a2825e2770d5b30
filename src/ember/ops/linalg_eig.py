"""linalg.eig and linalg.eigvals: eigenvalues and right eigenvectors of general square matrices.

Results are complex even for real input (complex64 for float32, complex128 for float64); each
eigenvector has Euclidean norm 1 with its largest component real (LAPACK geev's choice, which
PyTorch returns too), laid out column-major per matrix.

Gradient, with A V = V diag(L), C = V^-1 dV (its diagonal fixed by the unit norms), for upstream
gL, gV:
    G = (V^H gV - V^H V diag(Re diag(V^H gV))) / conj(L_j - L_i)  off the diagonal, G_ii = gL_i
    gA = V^-H G V^H            (the real part for real A)
A loss that depends on the free phase of the eigenvectors (Im diag(V^H gV) != 0) raises, as in
PyTorch; repeated eigenvalues give non-finite gradients.
"""
import numpy as np

from ._op import Op, apply
from ..autograd.node import save_output
from ._promote import xp
from .linalg_ops import colmajor, dtype_name, eye_like, solve
from .arith_support import out_arg
from .return_types import _define
from .matmul import adj
from .triangular import diag_embed

__all__ = []

_LinalgEig = _define('linalg_eig', ('eigenvalues', 'eigenvectors'))

_COMPLEX_OF = {'float32': np.complex64, 'float64': np.complex128, 'complex64': np.complex64,
               'complex128': np.complex128}


def _eig_checks(a, fname):
    if a.ndim < 2:
        raise RuntimeError(f'{fname}: The input tensor A must have at least 2 dimensions.')
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f'{fname}: A must be batches of square matrices, but they are '
                           f'{a.shape[-2]} by {a.shape[-1]} matrices')
    if a.dtype.kind in 'biu':
        raise RuntimeError(f'Unknown Complex ScalarType for {dtype_name(a)}')
    if a.dtype.name not in _COMPLEX_OF:
        raise NotImplementedError(f'"linalg_eig_out_cpu" not implemented for \'{dtype_name(a)}\'')


def _eig_raw(a, vectors=True):
    """(eigenvalues, eigenvectors) of every matrix, on the inputs' device; a host round trip where
    the array module has no general eigensolver."""
    m = xp(a)
    solver = getattr(m.linalg, 'eig' if vectors else 'eigvals', None)
    if solver is None:                      # an older CuPy: solve on the host
        host = a.get()
        r = getattr(np.linalg, 'eig' if vectors else 'eigvals')(host)
        return tuple(m.asarray(x) for x in r) if vectors else m.asarray(r)
    return solver(a)


class LinalgEigBackward0(Op):
    n_outputs = 2

    def forward(self, a, vectors=True):
        _eig_checks(a, 'linalg.eig' if vectors else 'linalg.eigvals')
        m = xp(a)
        cd = _COMPLEX_OF[a.dtype.name]
        if a.size == 0:
            return m.empty(a.shape[:-1], cd), colmajor(m.empty(a.shape, cd))
        if not bool(m.isfinite(a).all()):
            raise RuntimeError('ember.linalg.eig: input tensor should not contain infs or NaNs.')
        if not vectors:
            return m.asarray(_eig_raw(a, False), dtype=cd), m.empty((0,), cd)
        w, v = _eig_raw(a)
        return m.asarray(w, dtype=cd), colmajor(m.asarray(v, dtype=cd))

    def backward(self, gL, gV):
        L, V = self.saved_tensors
        real_input = not self._input_complex
        from .compare import where
        eye = eye_like(V).bool()
        Lc = L.conj()
        E = where(eye, 1.0, Lc.unsqueeze(-2) - Lc.unsqueeze(-1))          # conj(L_j - L_i), 1 on the diagonal
        G = 0
        if gV is not None and bool(gV._data.any()):
            VhgV = adj(V).matmul(gV)
            d = VhgV.diagonal(0, -2, -1)
            if not np.allclose(d.detach()._host().imag, 0, rtol=1e-2, atol=1e-2):
                raise RuntimeError('linalg_eig_backward: The eigenvectors in the complex case are specified up to '
                                   'multiplication by e^{i phi}. The specified loss function depends on this '
                                   'quantity, so it is ill-defined.')
            VhgV = VhgV - adj(V).matmul(V * d.real.unsqueeze(-2))
            G = where(eye, 0.0, VhgV / E)
        if gL is not None:
            G = G + diag_embed(gL)
        if not isinstance(G, type(V)):
            G = V.new_zeros(V.shape)
        gA = solve(adj(V), G.matmul(adj(V)))
        return gA.real if real_input else gA


def _castable(fname, what):
    """out= rule: any complex dtype takes the (complex) result, a real one gets PyTorch's error."""
    def rule(out, r):
        if out.dtype.is_complex:
            return None
        from .._tensor import _scalar_name
        return RuntimeError(f'ember.{fname}: Expected {what} to be safely castable from {_scalar_name(r.dtype)} '
                            f'dtype, but got {what} with dtype {_scalar_name(out.dtype)}')
    return rule


def _eig(A, vectors):
    out = apply(LinalgEigBackward0, A, vectors=vectors)
    node = out[0].grad_fn
    if node is not None:
        node._input_complex = A.is_complex()
        if vectors:
            node._saved = tuple(save_output(node, o) for o in out)
    return out


@out_arg('linalg_eig', (_castable('linalg.eig', 'eigenvalues'), _castable('linalg.eig', 'eigenvectors')),
         'linalg_eig_out')
def eig(input, *, out=None):
    """Named tuple (eigenvalues, eigenvectors) of each square matrix, both complex."""
    return _LinalgEig(*_eig(input, True))


@out_arg('linalg_eigvals', _castable('linalg.eigvals', 'eigenvalues'))
def eigvals(input, *, out=None):
    """The eigenvalues of each square matrix (complex); through eig when a gradient is wanted, since
    the gradient needs the eigenvectors."""
    from ._op import requires_grad
    from ..autograd import grad_mode
    if requires_grad(input) and grad_mode.is_grad_enabled():
        return _eig(input, True)[0]
    return _eig(input, False)[0]


METHODS = {}
