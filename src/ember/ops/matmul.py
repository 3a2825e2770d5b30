"""Matrix products: matmul (PyTorch's dispatch by rank), mm, bmm, mv, dot."""
import numpy as np

from .._tensor import _scalar_name
from .. import _dtype
from ._op import Op, apply
from ._promote import unbroadcast, as_array
from ..amp import autocast_mode as _amp  # autocast hook


def _in_dtype(r, a):
    """The product in its operands' dtype: NumPy multiplies bfloat16 matrices in float32;
    PyTorch accumulates in float32 too but returns bfloat16 (rounded once)."""
    return r if r.dtype == a.dtype else r.astype(a.dtype)


def _same_dtype(a, b, msg, kernel=None):
    """Both operands of one dtype (PyTorch does not promote here), and a dtype BLAS takes."""
    if a.dtype != b.dtype:
        n1, n2 = _scalar_name(_dtype._FROM_NP[a.dtype]), _scalar_name(_dtype._FROM_NP[b.dtype])
        raise RuntimeError(msg(n1, n2))
    if a.dtype == np.bool_ and kernel:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _bmm_msg(n1, n2):
    return f'expected scalar type {n1} but found {n2}'


def _mv_msg(mat, vec):
    return f'addmv input tensors must have the same dtype, but got {vec}, {mat}, and {vec}'


# the C++ type names some PyTorch messages use, by ScalarType name
CPP_NAMES = {'Float': 'float', 'Double': 'double', 'Half': 'c10::Half', 'BFloat16': 'c10::BFloat16',
             'Long': 'long int', 'Int': 'int', 'Short': 'short int', 'Char': 'signed char',
             'Byte': 'unsigned char', 'Bool': 'bool'}


def _mm_msg(n1, n2):
    return f'expected m1 and m2 to have the same dtype, but got: {CPP_NAMES[n1]} != {CPP_NAMES[n2]}'


class MmBackward0(Op):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        if a.ndim != 2:
            raise RuntimeError('self must be a matrix')
        if b.ndim != 2:
            raise RuntimeError('mat2 must be a matrix')
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} '
                               f'and {b.shape[0]}x{b.shape[1]})')
        _same_dtype(a, b, _mm_msg, 'addmm_impl_cpu_')
        return _in_dtype(np.matmul(a, b), a)

    def backward(self, g):
        a, b = self.saved_tensors
        ga = g.mm(b.t()) if self._next[0][0] is not None else None
        gb = a.t().mm(g) if self._next[1][0] is not None else None
        return ga, gb


class BmmBackward0(Op):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        if a.ndim != 3 or b.ndim != 3:
            raise RuntimeError(f'batch{1 if a.ndim != 3 else 2} must be a 3D tensor')
        if b.shape[:2] != (a.shape[0], a.shape[2]):
            raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: '
                               f'[{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].')
        _same_dtype(a, b, _bmm_msg, 'bmm')
        return _in_dtype(np.matmul(a, b), a)

    def backward(self, g):
        a, b = self.saved_tensors
        ga = g.bmm(b.transpose(1, 2)) if self._next[0][0] is not None else None
        gb = a.transpose(1, 2).bmm(g) if self._next[1][0] is not None else None
        return ga, gb


class DotBackward0(Op):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        if a.ndim != 1 or b.ndim != 1:
            raise RuntimeError(f'1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors')
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f'inconsistent tensor size, expected tensor [{a.shape[0]}] and src '
                               f'[{b.shape[0]}] to have the same number of elements, but got '
                               f'{a.shape[0]} and {b.shape[0]} elements respectively')
        _same_dtype(a, b, lambda x, y: f'dot : expected both vectors to have same dtype, but found {x} and {y}',
                    'dot')
        return as_array(np.dot(a, b))

    def backward(self, g):
        a, b = self.saved_tensors
        return (g * b if self._next[0][0] is not None else None,
                g * a if self._next[1][0] is not None else None)


class MvBackward0(Op):
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, m, v):
        if m.ndim != 2 or v.ndim != 1 or m.shape[1] != v.shape[0]:
            raise RuntimeError(f'size mismatch, got input ({m.shape[0]}), mat ({m.shape[0]}x{m.shape[1]}), '
                               f'vec ({v.shape[0]})')
        _same_dtype(m, v, _mv_msg, 'addmv_impl_cpu')
        return _in_dtype(np.matmul(m, v), m)

    def backward(self, g):
        m, v = self.saved_tensors
        gm = g.unsqueeze(1) * v.unsqueeze(0) if self._next[0][0] is not None else None
        gv = m.t().mv(g) if self._next[1][0] is not None else None
        return gm, gv


class BatchedMatmul(Op):
    """matmul with batch dimensions (broadcast), one BLAS call through np.matmul."""
    saves = (0, 1)
    save_needs = {0: (1,), 1: (0,)}

    def forward(self, a, b):
        folded = a.ndim >= 3 and b.ndim <= 2       # PyTorch folds these into mm / mv
        if folded and b.ndim == 1:
            _same_dtype(a, b, _mv_msg, 'addmv_impl_cpu')
        else:
            _same_dtype(a, b, _mm_msg if folded else _bmm_msg, 'addmm_impl_cpu_' if folded else 'bmm')
        self.shapes = (a.shape, b.shape)
        _batched_check(a.shape, b.shape)
        return _in_dtype(np.matmul(a, b), a)

    def backward(self, g):
        a, b = self.saved_tensors
        sa, sb = self.shapes
        ga = gb = None
        if len(sb) == 1:            # only the operands the wanted gradients need were saved
            if self._next[0][0] is not None:
                ga = unbroadcast(g.unsqueeze(-1) * b, sa)
            if self._next[1][0] is not None:
                gb = (a * g.unsqueeze(-1)).reshape(-1, sb[0]).sum(0)
            return ga, gb
        if len(sa) == 1:
            if self._next[0][0] is not None:
                ga = (g.unsqueeze(-2).matmul(b.mT)).reshape(-1, sa[0]).sum(0)
            if self._next[1][0] is not None:
                gb = unbroadcast(a.unsqueeze(-1) * g.unsqueeze(-2), sb)
            return ga, gb
        if self._next[0][0] is not None:
            ga = unbroadcast(g.matmul(b.mT), sa)
        if self._next[1][0] is not None:
            gb = unbroadcast(a.mT.matmul(g), sb)
        return ga, gb

    def name(self):
        return 'UnsafeViewBackward0'


def _batched_check(sa, sb):
    """PyTorch's errors for a batched matmul, from the path its matmul takes."""
    ka, kb = sa[-1], (sb[-2] if len(sb) > 1 else sb[0])
    if len(sa) >= 3 and len(sb) <= 2:          # folded into mm / mv
        if ka != kb:
            m = int(np.prod(sa[:-1]))
            if len(sb) == 1:
                raise RuntimeError(f'size mismatch, got input ({m}), mat ({m}x{ka}), vec ({kb})')
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({m}x{ka} and {kb}x{sb[-1]})')
        return
    ba, bb = sa[:-2], sb[:-2]
    n = max(len(ba), len(bb))
    batch = []
    for i in range(n):
        x = ba[i - n + len(ba)] if i - n + len(ba) >= 0 else 1
        y = bb[i - n + len(bb)] if i - n + len(bb) >= 0 else 1
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f'The size of tensor a ({x}) must match the size of tensor b ({y}) at '
                               f'non-singleton dimension {i}')
        batch.append(max(x, y))
    if ka != kb:
        nb = int(np.prod(batch))
        raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: [{nb}, {ka}] '
                           f'but got: [{nb}, {kb}].')


class SqueezeBackward4(Op):
    """squeeze_(0) of the fresh mm result of a 1-D @ 2-D matmul (not a view)."""

    def forward(self, a, dim):
        self.in_shape = a.shape
        return a.squeeze(dim)

    def backward(self, g):
        return g.reshape(self.in_shape)


def matmul(input, other, *, out=None):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(matmul, input, other, out=out)
    da, db = input.ndim, other.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f'both arguments to matmul need to be at least 1D, but they are {da}D and {db}D')
    if da == 1 and db == 1:
        r = apply(DotBackward0, input, other)
    elif da == 2 and db == 2:
        r = apply(MmBackward0, input, other)
    elif da == 2 and db == 1:
        r = apply(MvBackward0, input, other)
    elif da == 1 and db == 2:
        r = apply(SqueezeBackward4, apply(MmBackward0, input.unsqueeze(0), other), dim=0)
    elif da == 2 and db >= 3 and input.requires_grad:
        # PyTorch folds this into (other^T @ input^T)^T, made contiguous
        r = matmul(other.mT, input.mT).mT.contiguous()
    else:
        r = apply(BatchedMatmul, input, other)
    if out is not None:
        from .arith import _check_out
        return _check_out(out, r, 'matmul')
    return r


def mm(input, mat2, *, out=None):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(mm, input, mat2, out=out)
    r = apply(MmBackward0, input, mat2)
    if out is not None:
        from .arith import _check_out
        return _check_out(out, r, 'mm')
    return r


def bmm(input, mat2, *, out=None):
    if _amp.state.on:  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(bmm, input, mat2, out=out)
    return apply(BmmBackward0, input, mat2)


def mv(input, vec, *, out=None):
    if _amp.state.on and _amp.lower('mv', input):  # autocast hook (ember.amp): lower-precision inputs
        return _amp.call(mv, input, vec)
    return apply(MvBackward0, input, vec)


def dot(input, other, *, out=None):
    if _amp.state.on and _amp.promote('dot', (input, other)):  # autocast hook (ember.amp)
        return _amp.call_promote(dot, input, other, out=out)
    return apply(DotBackward0, input, other)


def outer(input, vec2):
    for name, v in (('self', input), ('vec2', vec2)):
        if v.ndim != 1:
            raise RuntimeError(f'outer: Expected 1-D argument {name}, but got {v.ndim}-D')
    return input.unsqueeze(1) * vec2.unsqueeze(0)


ger = outer
