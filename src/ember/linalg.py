"""ember.linalg: PyTorch's torch.linalg namespace.

The ops with their own nodes live in ember/ops (linalg_ops, linalg_decomp, blas); this module
names them as torch.linalg does and adds what is built on them: the norms (vector_norm,
matrix_norm and norm, which picks one of the two as PyTorch does), multi_dot, vecdot,
matrix_rank, the *_ex variants and cross (lstsq: ops/linalg_lstsq.py).
"""
import numbers

import numpy as np

from . import _dtype
from .amp import autocast_mode as _amp  # autocast hook
from ._tensor import Tensor
from .ops._op import Op, apply
from .ops._promote import xp, unbroadcast
from .ops.matmul import matmul, mm, CPP_NAMES
from .ops.linalg_tri import solve_triangular, cholesky_ex  # noqa: F401
from .ops.stats import vector_norm as _vector_norm, _norm_input_check
from .ops.extremes import amax, amin
from .ops.shape import wrap_dim
from .ops.arith_support import out_arg
from .ops.linalg_ops import (LinAlgError, LinalgInvExBackward0, LinalgSolveExBackward0, inv, linalg_det as det,
                             linalg_slogdet as slogdet, solve, linalg_matrix_power as matrix_power,
                             check_matrix, dtype_name, broadcast_batch, named_tuple)
from .ops.linalg_decomp import (linalg_qr as qr, linalg_svd as svd, svdvals, eigh, eigvalsh,
                                linalg_cholesky as cholesky, svd_error)
from .ops.linalg_more import pinv, _cutoff, _raw
from .ops.matmul import cj
from .ops.linalg_eig import eig, eigvals
from .ops.linalg_lu import lu_factor, lu_factor_ex, linalg_lu as lu, linalg_lu_solve as lu_solve
from .ops.linalg_more import matrix_exp, cond, tensorinv, tensorsolve, vander
from .ops.linalg_householder import householder_product  # noqa: F401
from .ops.linalg_lstsq import lstsq
from .ops.linalg_ldl import ldl_factor, ldl_factor_ex, ldl_solve

__all__ = ['LinAlgError', 'householder_product',
           'cholesky', 'cholesky_ex', 'cross', 'det', 'diagonal', 'eig', 'eigh', 'eigvals', 'eigvalsh', 'inv', 'inv_ex',
           'lstsq', 'matmul', 'matrix_norm', 'matrix_power', 'matrix_rank', 'multi_dot', 'norm', 'pinv', 'qr',
           'slogdet', 'solve', 'solve_ex', 'solve_triangular', 'svd', 'svdvals', 'vecdot', 'vector_norm',
           'lu_factor', 'lu_factor_ex', 'lu', 'lu_solve', 'matrix_exp', 'cond', 'tensorinv', 'tensorsolve', 'vander',
           'ldl_factor', 'ldl_factor_ex', 'ldl_solve']

_InvEx = named_tuple('linalg_inv_ex', ('inverse', 'info'))
_SolveEx = named_tuple('linalg_solve_ex', ('result', 'info'))


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices of a batch (a view)."""
    return A.diagonal(offset, dim1, dim2)


@out_arg('linalg_inv_ex', tuple_name='linalg_inv_ex_out')
def inv_ex(A, *, check_errors=False, out=None):
    """(inverse, info): info is 0 per invertible matrix, else the 1-based index of the first zero
    pivot of its LU (the inverse then holds the inf/nan LAPACK leaves); raises only with
    ``check_errors``."""
    if _amp.state.on and _amp.fp32('inv_ex', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(inv_ex, A, check_errors=check_errors)
    box = None if check_errors else []
    inverse = apply(LinalgInvExBackward0, A, fname='linalg.inv_ex', box=box)
    if box is None:
        box = [xp(A._data).zeros(A.shape[:-2], np.int32)]
    return _InvEx(inverse, Tensor._make(box[0]))


@out_arg('linalg_solve_ex', tuple_name='linalg_solve_ex_out')
def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """(result, info) of solve, info as in inv_ex; raises only with ``check_errors``."""
    box = []
    result = apply(LinalgSolveExBackward0, A, B, left=left, fname='linalg.solve_ex', box=box,
                   check=bool(check_errors))
    return _SolveEx(result, Tensor._make(box[0]))


# ------------------------------------------------------------------ norms

_INF = float('inf')


def _norm_out_error(fname):
    return lambda out, r: RuntimeError(f'{fname} expected out tensor dtype {_dtype_label(r)} but got: '
                                       f'{_dtype_label(out)}')


def multi_dot_out_error(out, r):
    from ._tensor import _TYPE_NAMES
    return RuntimeError(f'multi_dot(): expected out tensor to have dtype {_TYPE_NAMES[r.dtype]} but got '
                        f'{_TYPE_NAMES[out.dtype]}')


def _vecdot_out_error(out, r):
    return RuntimeError(f'linalg.vecdot: Expected out of dtype{_dtype_label(r)} but found {_dtype_label(out)}')


def _ord_text(o):
    return str(int(o)) if isinstance(o, float) and o.is_integer() else str(o)


def _max_min(x, dim, ord, keepdim):
    """amax (positive ord) or amin along dim; an empty dim gives zeros for amax, as PyTorch."""
    if ord > 0 and x.shape[dim] == 0:
        shape = list(x.shape)
        shape[dim] = 1
        return x.new_zeros(shape if keepdim else shape[:dim % x.ndim] + shape[dim % x.ndim + 1:])
    return amax(x, dim, keepdim) if ord > 0 else amin(x, dim, keepdim)


def _norm_dtype_check(x, dtype, fname):
    """PyTorch's checks of a norm's ``dtype=`` against its input."""
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f'{fname}: dtype should be floating point or complex, but got {_dtype_label(dtype)}')
    if x.is_complex() != dtype.is_complex:
        want = 'complex for complex' if x.is_complex() else 'real for real'
        raise RuntimeError(f'{fname}: dtype should be {want} inputs, but got {_dtype_label(dtype)}')
    if _dtype.promote_types(x.dtype, dtype) != dtype:
        raise RuntimeError(f'{fname}: the dtype of the input ({_dtype_label(x)}) should be convertible without '
                           f'narrowing to the specified dtype ({_dtype_label(dtype)})')


@out_arg('linalg_vector_norm')
def vector_norm(input=None, ord=2, dim=None, keepdim=False, *, dtype=None, out=None, x=None):
    """The ord-norm of the vectors along ``dim`` (all elements when None); real for complex input.
    PyTorch names the tensor ``input`` and also takes it as ``x`` (its documented name)."""
    if input is None:
        if x is None:
            raise TypeError('linalg_vector_norm() missing 1 required positional arguments: "input"')
        input = x
    x = input
    if type(ord) is not int and type(ord) is not float:
        if isinstance(ord, complex):
            raise RuntimeError('linalg.vector_norm: Expected a non-complex scalar as the order of norm.')
        if not isinstance(ord, (numbers.Real, Tensor)):
            raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if dtype is not None:
        _norm_input_check(x._data)
        _norm_dtype_check(x, dtype, 'linalg.vector_norm')
    if x.is_complex():                  # the norm of the moduli, in the real dtype
        x, dtype = (x if dtype is None else x.to(dtype)).abs(), None
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype)


@out_arg('linalg_matrix_norm', _norm_out_error('linalg.matrix_norm'))
def matrix_norm(input, ord='fro', dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Frobenius, nuclear, max-column-sum (1), max-row-sum (inf) or spectral (2) norm, and the
    min forms for negative ord, of the matrices in dims ``dim``."""
    A = input
    if not (ord in ('fro', 'nuc') if isinstance(ord, str) else ord in (1, -1, 2, -2, _INF, -_INF)):
        raise RuntimeError(f'linalg.matrix_norm: Order {_ord_text(ord)} not supported.')
    check_matrix(A._data, 'linalg.matrix_norm')
    if dtype is not None:
        _norm_dtype_check(A, dtype, 'linalg.matrix_norm')
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f'linalg.matrix_norm: dim must be a 2-tuple. Got {" ".join(str(d) for d in dims)}')
    d0, d1 = wrap_dim(dims[0], A.ndim), wrap_dim(dims[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f'linalg.matrix_norm: dims must be different. Got ({d0}, {d1})')
    if ord == 'fro':
        return vector_norm(A, 2, (d0, d1), keepdim, dtype=dtype)
    if ord == 'nuc' or abs(ord) == 2:             # from the singular values: move the dims last
        if A.dtype.itemsize == 2:
            raise RuntimeError(f'linalg.matrix_norm: Low precision dtypes not supported. Got {_dtype_label(A)}')
        if not bool(xp(A._data).isfinite(A._data).all()):       # (svdvals alone would give nan)
            raise svd_error()
        perm = [i for i in range(A.ndim) if i not in (d0, d1)] + [d0, d1]
        S = svdvals((A if dtype is None else A.to(dtype)).permute(perm))
        r = S.sum(-1, keepdim=keepdim) if ord == 'nuc' else _max_min(S, -1, ord, keepdim)
        return r.unsqueeze(-1).permute([perm.index(i) for i in range(A.ndim)]) if keepdim else r
    if abs(ord) == _INF:                          # inf: sum along rows first, then max over them
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    return _max_min(vector_norm(A, 1, d0, keepdim, dtype=dtype), d1, ord, keepdim)


def _dtype_label(d):
    from ._tensor import _scalar_name
    return _scalar_name(d if isinstance(d, _dtype.dtype) else d.dtype)


@out_arg('linalg_norm', _norm_out_error('linalg.norm'))
def norm(input, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """vector_norm or matrix_norm, chosen from ord and dim as PyTorch does."""
    A = input
    if isinstance(ord, str) and dim is not None:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, 'fro' if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f'linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}')
    if ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f'linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. '
                               f'Got {A.ndim}D.')
        if A.ndim == 2 or isinstance(ord, str):
            return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, None, keepdim, dtype=dtype)


# ------------------------------------------------------------------ matrix_rank

@out_arg('linalg_matrix_rank', False)
def matrix_rank(input, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Number of singular values above the tolerance (int64, never differentiable)."""
    A = input
    if _amp.state.on and _amp.fp32('matrix_rank', A):  # autocast hook (ember.amp)
        return _amp.call_fp32(matrix_rank, A, tol, hermitian, atol=atol, rtol=rtol, out=out)
    a = A._data
    if a.ndim < 2:
        raise RuntimeError('ember.linalg.matrix_rank: The input tensor input must have at least 2 dimensions.')
    if a.dtype not in (np.float32, np.float64, np.complex64, np.complex128):
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        if atol is not None or rtol is not None:
            given = sorted({'tol': tol, 'atol': atol, 'rtol': rtol}.items())
            got = ', '.join(f'{k}={type(v).__name__}' for k, v in given if v is not None)
            raise TypeError(f'linalg_matrix_rank() received an invalid combination of arguments - got (Tensor, {got}), '
                            'but expected one of:')
        atol, rtol = tol, 0.0
    m = xp(a)
    if a.size == 0:
        return Tensor._make(m.zeros(a.shape[:-2], np.int64))
    try:
        s = m.abs(m.linalg.eigvalsh(a)) if hermitian else m.linalg.svd(a, compute_uv=False)
    except np.linalg.LinAlgError:
        raise svd_error() from None
    return Tensor._make(m.asarray((s > _cutoff(s, _raw(atol), _raw(rtol), a.shape)).sum(-1),
                                  dtype=np.int64))


# ------------------------------------------------------------------ cross

class LinalgCrossBackward0(Op):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b, dim=-1):
        if a.ndim != b.ndim:
            raise RuntimeError('linalg.cross: inputs must have the same number of dimensions.')
        if a.dtype != b.dtype:
            raise RuntimeError(f'expected scalar type {dtype_name(a)} but found {dtype_name(b)}')
        d = wrap_dim(dim, a.ndim)
        if a.shape[d] != 3 or b.shape[d] != 3:
            raise RuntimeError(f'linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and '
                               f'{b.shape[d]}')
        broadcast_batch(a.shape, b.shape)
        if a.dtype.kind == 'b':
            raise NotImplementedError('"cross" not implemented for \'Bool\'')
        self.dim, self.shapes = d, (a.shape, b.shape)
        return xp(a).ascontiguousarray(xp(a).cross(a, b, axis=d))

    def backward(self, g):
        a, b = self.saved_tensors
        sa, sb = self.shapes
        ga = unbroadcast(cross(cj(b), g, dim=self.dim), sa) if self._next[0][0] is not None else None
        gb = unbroadcast(cross(g, cj(a), dim=self.dim), sb) if self._next[1][0] is not None else None
        return ga, gb


@out_arg('linalg_cross')
def cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (the inputs broadcast)."""
    return apply(LinalgCrossBackward0, input, other, dim=dim)


# ------------------------------------------------------------------ multi_dot / vecdot

@out_arg('linalg_multi_dot', multi_dot_out_error)
def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices (first/last may be vectors) in the cheapest order."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f'multi_dot(): expected at least 2 tensors but got {n}')
    for which, t in (('first', tensors[0]), ('last', tensors[-1])):
        if t.ndim not in (1, 2):
            raise RuntimeError(f'multi_dot(): the {which} tensor must be 1D or 2D but got {t.ndim}D')
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f'multi_dot(): tensor {i} must be 2D but got {t.ndim}D')
    for i, t in enumerate(tensors[1:], 1):
        if t.dtype != tensors[0].dtype:
            cpp = [CPP_NAMES[_dtype_label(x)] for x in (tensors[0], t)]
            raise RuntimeError(f'multi_dot(): all tensors must have be the same dtype but tensor 0 is {cpp[0]} '
                               f'and tensor {i} {cpp[1]}')
    for i in range(n - 1):
        x, y = tensors[i], tensors[i + 1]
        if x.shape[-1] != y.shape[0]:
            raise RuntimeError(f'multi_dot(): tensors {i} and {i + 1} with shapes {list(x.shape)} and '
                               f'{list(y.shape)} cannot be multiplied')
    first, last = tensors[0], tensors[-1]
    out_shape = ([first.shape[0]] if first.ndim == 2 else []) + ([last.shape[1]] if last.ndim == 2 else [])
    mats = list(tensors)
    mats[0] = first.unsqueeze(0) if first.ndim == 1 else first
    mats[-1] = last.unsqueeze(-1) if last.ndim == 1 else last
    if n == 2:
        r = mm(mats[0], mats[1])
    elif n == 3:
        (a, b), (c, d) = mats[0].shape, mats[2].shape
        if a * c * (b + d) > b * d * (a + c):
            r = mm(mats[0], mm(mats[1], mats[2]))
        else:
            r = mm(mm(mats[0], mats[1]), mats[2])
    else:
        r = _chain(mats, _chain_order(mats), 0, n - 1)
    return r.view(out_shape)


def _chain_order(mats):
    """Split points of the cheapest parenthesization (the classic dynamic programme)."""
    n = len(mats)
    p = [mats[0].shape[0]] + [m.shape[1] for m in mats]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return mm(_chain(mats, split, i, k), _chain(mats, split, k + 1, j))


@out_arg('linalg_vecdot', _vecdot_out_error)
def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along ``dim`` (broadcasting the others)."""
    if _amp.state.on and _amp.lower('vecdot', x):  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(vecdot, x, y, dim=dim, out=out)
    if not (x.is_floating_point() or x.is_complex()):
        raise RuntimeError(f'linalg.vecdot: Expected a floating point or complex tensor as input. Got '
                           f'{_dtype_label(x)}')
    if x.dtype != y.dtype:
        raise RuntimeError(f'linalg.vecdot: Expected x and y to have the same dtype, but found x of type '
                           f'{_dtype_label(x)} and y of type {_dtype_label(y)} instead')
    return (cj(x) * y).sum(dim)
