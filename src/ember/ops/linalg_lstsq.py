"""linalg.lstsq: least-squares solutions of A X = B with the outputs of each CPU LAPACK driver
PyTorch offers: gelsy (the default: solution and rank), gels (QR, full rank assumed: solution and,
for tall A, residuals), gelsd and gelss (SVD: solution, rank, singular values and, for tall
full-rank A, residuals). Every driver's solution is the minimum-norm one, computed through the
pseudo-inverse with the singular values below rcond * largest dropped (none dropped for gels);
the solution is laid out as LAPACK leaves it (the first n rows of a column-major max(m, n)-row
buffer). Residuals are the squared norms of the columns of B - A X."""
import numpy as np

from .._tensor import Tensor
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import xp, unbroadcast
from .arith_support import out_arg
from .linalg_decomp import real_dtype
from .linalg_more import LinalgPinvBackward0, _pinv_grad, pinv
from .linalg_ops import colmajor, dtype_name, broadcast_batch, named_tuple
from .matmul import adj

_Lstsq = named_tuple('linalg_lstsq')
_DRIVERS = ('gels', 'gelsy', 'gelsd', 'gelss')
_PRE = 'ember.linalg.lstsq'


def _checks(a, b, driver):
    """PyTorch's checks, in its order; True when B is a (batch of) vector(s)."""
    if a.ndim < 2:
        raise RuntimeError(f'{_PRE}: input must have at least 2 dimensions.')
    if b.ndim < 1:
        raise RuntimeError(f'{_PRE}: other must have at least 1 dimension.')
    if a.ndim < b.ndim or a.ndim - b.ndim > 1:
        raise RuntimeError(f'{_PRE}: input.dim() must be greater or equal to other.dim() and '
                           '(input.dim() - other.dim()) <= 1')
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_PRE}: Expected input and other to have the same dtype, but got input's dtype "
                           f"{dtype_name(a)} and other's dtype {dtype_name(b)}")
    vector = b.ndim == a.ndim - 1
    broadcast_batch(a.shape[:-2], b.shape[:-1] if vector else b.shape[:-2])
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError(f'{_PRE}: input.size(-2) should match other.size(-2)')
    if driver not in _DRIVERS:
        raise RuntimeError(f'{_PRE}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)')
    if a.dtype.kind not in 'fc' or a.dtype.itemsize == 2:
        raise RuntimeError("This function doesn't handle types other than float and double")
    return vector


class LinalgLstsqBackward0(Op):
    """(solution, residuals); the rank and singular values (not differentiable) go to ``box``."""
    saves = (0, 1)
    n_outputs = 2

    def forward(self, a, b, rcond=None, driver='gelsy', box=None):
        self.vector = _checks(a, b, driver)
        self.shapes = (a.shape, b.shape)
        m = xp(a)
        bm = b[..., None] if self.vector else b
        batch = broadcast_batch(a.shape[:-2], bm.shape[:-2])
        a = m.broadcast_to(a, batch + a.shape[-2:])
        bm = m.broadcast_to(bm, batch + bm.shape[-2:])
        rows, cols = a.shape[-2:]
        real = real_dtype(a.dtype)
        if rcond is None:
            rcond = float(np.finfo(real).eps) * max(rows, cols)
        s = (m.linalg.svd(a, compute_uv=False) if a.size else m.zeros(batch + (min(rows, cols),), real))
        rank = m.asarray((s > rcond * s.max(-1, keepdims=True)).sum(-1) if s.size else m.zeros(batch), np.int64)
        x = LinalgPinvBackward0.forward(self, a, None, 0.0 if driver == 'gels' else rcond) @ bm
        buf = colmajor(m.zeros(x.shape[:-2] + (max(rows, cols), x.shape[-1]), a.dtype))
        buf[..., :cols, :] = x
        self.has_res = driver != 'gelsy' and rows > cols and (driver == 'gels' or bool((rank == cols).all()))
        res = (m.abs(bm - a @ x) ** 2).sum(-2).astype(real) if self.has_res else m.empty((0,), real)
        empty = m.empty((0,), real)
        box.append((m.empty((0,), np.int64) if driver == 'gels' else rank,
                    s if driver in ('gelsd', 'gelss') else empty))
        x = buf[..., :cols, :]
        return (x[..., 0] if self.vector else x), res

    def backward(self, gx, gres):
        A, B = self.saved_tensors
        Bm = B.unsqueeze(-1) if self.vector else B
        g = gx.unsqueeze(-1) if self.vector else gx
        P = pinv(A)
        need_a = self._next[0][0] is not None
        gA = _pinv_grad(A, P, g.matmul(adj(Bm))) if need_a else None
        gB = adj(P).matmul(g)
        if self.has_res and gres is not None:   # d|B - A X|^2 at the optimum X: 2 R (B) and -2 R X^H (A)
            X = P.matmul(Bm)
            w = 2 * (Bm - A.matmul(X)) * gres.unsqueeze(-2)
            gB = gB + w
            gA = gA - w.matmul(adj(X)) if need_a else None
        gB = gB.squeeze(-1) if self.vector else gB
        return (unbroadcast(gA, self.shapes[0]) if need_a else None,
                unbroadcast(gB, self.shapes[1]) if self._next[1][0] is not None else None)


@out_arg('linalg_lstsq', False, 'linalg_lstsq_out')
def lstsq(input, b, rcond=None, *, driver=None):
    """Named tuple (solution, residuals, rank, singular_values) as the CPU ``driver`` (gelsy by
    default) gives them. (PyTorch documents the arguments as A, B but takes them as ``input``, ``b``.)"""
    A, B = input, b
    if _amp.state.on and _amp.fp32('lstsq', (A, B)):  # autocast hook (ember.amp)
        return _amp.call_fp32(lstsq, A, B, rcond, driver=driver)
    box = []
    x, res = apply(LinalgLstsqBackward0, A, B, rcond=rcond, driver='gelsy' if driver is None else driver, box=box)
    rank, sv = box[0]
    return _Lstsq(x, res, Tensor._make(rank), Tensor._make(sv))
