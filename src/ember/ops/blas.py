"""Products beyond matmul: vdot and the fused ``beta * input + alpha * product`` ops (addmm,
addmv, addr, baddbmm, addbmm; each also in place), one node each. einsum is in einsum.py."""
from .. import _dtype
from ._op import Op, apply, apply_inplace
from ._promote import xp, unbroadcast, result_dtype
from .arith import _check_out
from .arith_support import number_arg as _number_arg
from .matmul import DotBackward0, CPP_NAMES, adj, adj2, cj, _write_out, _dot_dtype_error
from .._tensor import _scalar_name
from .linalg_ops import dtype_name
from ..amp import autocast_mode as _amp  # autocast hook

__all__ = ['vdot', 'addmm', 'addmv', 'addmv_', 'addr', 'baddbmm', 'addbmm']


class VdotBackward0(DotBackward0):
    """sum(conj(a) * b): dot with the first vector conjugated (plain dot for real vectors)."""

    def forward(self, a, b):
        if a.dtype.kind == 'c' and a.ndim == 1 and b.ndim == 1 and a.shape == b.shape and a.dtype == b.dtype:
            return xp(a).asarray(xp(a).vdot(a, b))
        return super().forward(a, b)

    def backward(self, g):
        a, b = self.saved_tensors
        return (cj(g) * b if self._next[0][0] is not None else None,
                g * a if self._next[1][0] is not None else None)


def vdot(input, other, *, out=None):
    r = apply(VdotBackward0, input, other)
    return r if out is None else _write_out(out, r, 'vdot', _dot_dtype_error)


# ------------------------------------------------------------------ beta * input + alpha * product

def _expand_check(inp, target):
    """input must broadcast to the product's shape: PyTorch's expand messages (last dim first)."""
    s, target = inp.shape, list(target)
    if len(s) > len(target):
        raise RuntimeError(f'expand(ember.{_dtype._FROM_NP[inp.dtype].legacy}{{{list(s)}}}, size={target}): the '
                           f'number of sizes provided ({len(target)}) must be greater or equal to the number '
                           f'of dimensions in the tensor ({len(s)})')
    for i in range(len(target) - 1, -1, -1):
        j = i - len(target) + len(s)
        if j >= 0 and s[j] != 1 and s[j] != target[i]:
            raise RuntimeError(f'The expanded size of the tensor ({target[i]}) must match the existing size '
                               f'({s[j]}) at non-singleton dimension {i}.  Target sizes: {target}.  Tensor '
                               f'sizes: {list(s)}')


class _Fused(Op):
    """beta * input + alpha * product(x, y); beta = 0 ignores input, alpha = 0 the product (nan and
    inf included) where PyTorch does.

    Subclasses give ``check`` (PyTorch's messages), ``out_shape``, ``product`` and ``grads``."""
    saves = (1, 2)
    save_needs = {1: (2,), 2: (1,)}
    drops_product = True         # alpha = 0 skips the product (baddbmm and addr compute it: nan stays)
    empty_sum = None             # (x, y) -> whether the product sums nothing: then beta * input must fit
    out_dtype = staticmethod(lambda inp, x, y: inp.dtype)

    def forward(self, inp, x, y, beta=1, alpha=1):
        self.check(inp, x, y)
        if self.empty_sum and beta != 0 and not isinstance(beta, bool) and self.empty_sum(x, y):
            kind = result_dtype(inp, beta)           # PyTorch's cast check of the scaled input
            if kind.np != inp.dtype:
                raise RuntimeError(f"result type {_scalar_name(kind)} can't be cast to the desired output type "
                                   f'{dtype_name(inp)}')
        shape = self.out_shape(x, y)
        _expand_check(inp, shape)
        beta, alpha = _real_scalar(beta, inp), _real_scalar(alpha, inp)
        if inp.dtype.kind in 'iu':                 # integral tensors take integral scalars
            beta, alpha = int(beta), int(alpha)
        self.beta, self.alpha, self.in_shape = beta, alpha, inp.shape
        m = xp(x)
        dt = self.out_dtype(inp, x, y)
        if x.dtype.name == 'float16':      # PyTorch sums product and input in float32, rounds once
            inp, x, y = inp.astype('float32'), x.astype('float32'), y.astype('float32')
        if alpha == 0 and self.drops_product:      # alpha = 0 ignores the product (nan and inf included)
            out = m.zeros(shape, x.dtype)
        else:
            prod = self.product(x, y)
            out = prod if alpha == 1 else prod * alpha
        if beta != 0:
            out = out + (inp if beta == 1 else inp * beta)
        if out.shape != tuple(shape):             # (a copy: broadcast_to's view is read-only)
            out = m.broadcast_to(out, shape).copy()
        return out.astype(dt, copy=False)

    def backward(self, g):
        x, y = self.saved_tensors
        want = [e[0] is not None for e in self._next]
        b, a = _conj_scalar(self.beta), _conj_scalar(self.alpha)
        gin = unbroadcast(g if b == 1 else g * b, self.in_shape) if want[0] else None
        gx = self.grad_x(g, y) if want[1] else None
        gy = self.grad_y(g, x) if want[2] else None
        return gin, (gx if a == 1 or gx is None else gx * a), (gy if a == 1 or gy is None else gy * a)


_SCALAR_CPP = {'float32': 'float', 'float64': 'double', 'int64': 'int64_t', 'int32': 'int', 'int16': 'int16_t',
               'int8': 'int8_t', 'uint8': 'uint8_t', 'float16': 'c10::Half', 'bfloat16': 'c10::BFloat16'}


def _real_scalar(s, a):
    """A complex scalar for a real tensor: its real part if it has no imaginary part, else PyTorch's error."""
    if not isinstance(s, complex) or a.dtype.kind == 'c':
        return s
    if s.imag != 0:
        raise RuntimeError(f'value cannot be converted to type {_SCALAR_CPP.get(a.dtype.name, a.dtype.name)} '
                           'without overflow')
    return s.real


def _conj_scalar(s):
    return s.conjugate() if isinstance(s, complex) else s


def _mm_dtypes(inp, m1, m2):
    if inp.dtype != m2.dtype:
        raise RuntimeError(f'self and mat2 must have the same dtype, but got {dtype_name(inp)} and {dtype_name(m2)}')
    if m1.dtype != m2.dtype:
        raise RuntimeError(f'mat1 and mat2 must have the same dtype, but got {dtype_name(m1)} and {dtype_name(m2)}')


def _mm_bool(m1, m2):
    if m1.dtype.kind == 'b' and m1.size and m2.size:        # (an empty product runs no kernel)
        raise NotImplementedError('"addmm_impl_cpu_" not implemented for \'Bool\'')


def _bmm_checks(b1, b2):
    if b1.ndim == 3 and 0 < b2.ndim < 3:      # PyTorch reads batch2's size(2) before checking its rank
        raise IndexError(f'Dimension out of range (expected to be in range of [{-b2.ndim}, {b2.ndim - 1}], but '
                         'got 2)')
    for name, t in (('batch1', b1), ('batch2', b2)):
        if t.ndim != 3:
            raise RuntimeError(f'{name} must be a 3D tensor')


class AddmmBackward0(_Fused):
    out_shape = staticmethod(lambda m1, m2: (m1.shape[0], m2.shape[1]))

    def check(self, inp, m1, m2):
        _mm_dtypes(inp, m1, m2)                 # PyTorch's order: dtypes, ranks, sizes, then the kernel
        for name, t in (('mat1', m1), ('mat2', m2)):
            if t.ndim != 2:
                raise RuntimeError(f'{name} must be a matrix, got {t.ndim}-D tensor')
        if m1.shape[1] != m2.shape[0]:
            raise RuntimeError(f'mat1 and mat2 shapes cannot be multiplied ({m1.shape[0]}x{m1.shape[1]} and '
                               f'{m2.shape[0]}x{m2.shape[1]})')
        _mm_bool(m1, m2)

    product = staticmethod(lambda m1, m2: m1 @ m2)
    empty_sum = staticmethod(lambda m1, m2: m1.shape[1] == 0)
    grad_x = staticmethod(lambda g, m2: g.mm(adj2(m2)))
    grad_y = staticmethod(lambda g, m1: adj2(m1).mm(g))

class AddmvBackward0(_Fused):
    out_shape = staticmethod(lambda mat, vec: (mat.shape[0],))

    def check(self, inp, mat, vec):
        if mat.ndim != 2 or vec.ndim != 1 or inp.ndim > 1:
            raise RuntimeError(f'vector + matrix @ vector expected, got {inp.ndim}, {mat.ndim}, {vec.ndim}')
        if mat.shape[1] != vec.shape[0] or inp.size not in (1, mat.shape[0]):
            raise RuntimeError(f'size mismatch, got input ({inp.size}), mat ({mat.shape[0]}x{mat.shape[1]}), '
                               f'vec ({vec.shape[0]})')
        if not inp.dtype == mat.dtype == vec.dtype:
            raise RuntimeError(f'addmv input tensors must have the same dtype, but got {dtype_name(inp)}, '
                               f'{dtype_name(mat)}, and {dtype_name(vec)}')
        if mat.dtype.kind == 'b' and mat.size:
            raise NotImplementedError('"addmv_impl_cpu" not implemented for \'Bool\'')

    product = staticmethod(lambda mat, vec: mat @ vec)
    grad_x = staticmethod(lambda g, vec: g.unsqueeze(1) * cj(vec))
    grad_y = staticmethod(lambda g, mat: adj2(mat).mv(g))

class BaddbmmBackward0(_Fused):
    drops_product = False
    out_shape = staticmethod(lambda b1, b2: (b1.shape[0], b1.shape[1], b2.shape[2]))

    def check(self, inp, b1, b2):
        if b1.ndim < 2:                         # PyTorch reads batch1's size(0) and size(1) first
            raise IndexError('Dimension specified as 0 but tensor has no dimensions' if b1.ndim == 0 else
                             'Dimension out of range (expected to be in range of [-1, 0], but got 1)')
        if inp.dtype != b1.dtype:
            cpp = [CPP_NAMES[dtype_name(t)] for t in (inp, b1, b2)]
            raise RuntimeError(f'Input dtypes must be the same, got: input {cpp[0]}, batch1: {cpp[1]}, '
                               f'batch2: {cpp[2]}')
        _bmm_checks(b1, b2)
        if b2.shape[:2] != (b1.shape[0], b1.shape[2]):
            raise RuntimeError(f'Expected size for first two dimensions of batch2 tensor to be: [{b1.shape[0]}, '
                               f'{b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}].')
        if b1.size == 0 or b2.size == 0:        # the product kernel never runs: no more checks
            return
        if b1.dtype != b2.dtype:
            raise RuntimeError(f'expected scalar type {dtype_name(b1)} but found {dtype_name(b2)}')
        if b1.dtype.kind == 'b':
            raise NotImplementedError('"baddbmm" not implemented for \'Bool\'')

    out_dtype = staticmethod(lambda inp, b1, b2: b2.dtype)     # (b2's differs only when a batch is empty)
    empty_sum = staticmethod(lambda b1, b2: b1.shape[2] == 0)

    product = staticmethod(lambda b1, b2: b1 @ b2)
    grad_x = staticmethod(lambda g, b2: g.bmm(adj(b2)))
    grad_y = staticmethod(lambda g, b1: adj(b1).bmm(g))

class AddbmmBackward0(_Fused):
    out_shape = staticmethod(lambda b1, b2: (b1.shape[1], b2.shape[2]))

    def check(self, inp, b1, b2):
        _bmm_checks(b1, b2)
        if b1.shape[0] != b2.shape[0]:
            raise RuntimeError(f'batch1 and batch2 must have same number of batches, got {b1.shape[0]} and '
                               f'{b2.shape[0]}')
        if b1.shape[2] != b2.shape[1]:
            raise RuntimeError(f'Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and '
                               f'{b2.shape[1]}x{b2.shape[2]})')
        if b1.shape[0]:                      # (no batches: PyTorch checks no dtypes)
            _mm_dtypes(inp, b1, b2)
            _mm_bool(b1, b2)

    product = staticmethod(lambda b1, b2: (b1 @ b2).sum(0))
    empty_sum = staticmethod(lambda b1, b2: b1.shape[0] == 0 or b1.shape[2] == 0)
    grad_x = staticmethod(lambda g, b2: g.expand(b2.shape[0], *g.shape).bmm(adj(b2)))
    grad_y = staticmethod(lambda g, b1: adj(b1).bmm(g.expand(b1.shape[0], *g.shape)))

class AddrBackward0(_Fused):
    """beta * input + alpha * outer(vec1, vec2): unlike its siblings, addr promotes dtypes."""
    drops_product = False

    out_shape = staticmethod(lambda v1, v2: (v1.shape[0], v2.shape[0]))

    def check(self, inp, v1, v2):
        for name, v in (('vec1', v1), ('vec2', v2)):
            if v.ndim != 1:
                raise RuntimeError(f'addr: Expected 1-D argument {name}, but got {v.ndim}-D')

    def forward(self, inp, v1, v2, beta=1, alpha=1):
        self.check(inp, v1, v2)
        d = result_dtype(inp, xp(v1).empty(1, result_dtype(v1, v2).np))
        self.dtypes = (inp.dtype, v1.dtype, v2.dtype)
        if d.category < _dtype._FLOAT:
            for name, s in (('beta', beta), ('alpha', alpha)):
                if isinstance(s, float):
                    raise RuntimeError(f'For integral input tensors, argument {name} must not be a floating '
                                       'point number.')
        if d != _dtype.bool_:
            for name, s in (('beta', beta), ('alpha', alpha)):
                if s.__class__ is bool:
                    raise RuntimeError(f'Boolean {name} only supported for Boolean results.')
        else:
            _expand_check(inp, self.out_shape(v1, v2))
            out = (self.product(v1, v2) & bool(alpha)) | (inp & bool(beta))
            return xp(out).ascontiguousarray(xp(out).broadcast_to(out, self.out_shape(v1, v2)))
        nd = d.np
        return super().forward(*(t.astype(nd, copy=False) for t in (inp, v1, v2)), beta, alpha)

    product = staticmethod(lambda v1, v2: v1[:, None] * v2[None, :])
    def backward(self, g):
        gs = super().backward(g)
        return tuple(t if t is None or t.dtype.np == d else t.to(_dtype._FROM_NP[d])
                     for t, d in zip(gs, self.dtypes))

    grad_x = staticmethod(lambda g, v2: g.mv(cj(v2.to(g.dtype))))
    grad_y = staticmethod(lambda g, v1: g.t().mv(cj(v1.to(g.dtype))))

def _addbmm_dtype_error(out, r):
    return RuntimeError(f'self and mat2 must have the same dtype, but got {_scalar_name(out.dtype)} and '
                        f'{_scalar_name(r.dtype)}')


# out= dtype rule per op: the exact result dtype (PyTorch's structured kernels), or any it casts to (addr)
_PY_NUM = (int, float)
_OUT_EXACT = {'addmm': 'structured', 'addmv': 'structured', 'baddbmm': 'structured', 'addbmm': _addbmm_dtype_error,
              'addr': False}


def _amp_wants(name, input):
    return name in _amp.FUSED or _amp.lower(name, input)  # autocast hook (ember.amp)


def _out(out, r, name):
    """The result written into ``out=`` (its dtype rule per op)."""
    return _check_out(out, r, name, exact=_OUT_EXACT[name], stacklevel=0 if name == 'addbmm' else 6)


def _coefs(name, args, beta, alpha):
    """beta and alpha given otherwise than as Python numbers (a 0-dim tensor, a NumPy scalar, a wrong
    type): read or refused as PyTorch's parser does (addmm and baddbmm have several overloads)."""
    mixed = args if name in ('addmm', 'baddbmm') else None
    if beta.__class__ not in _PY_NUM:
        beta = _number_arg(beta, name, 'beta', mixed=mixed)
    if alpha.__class__ not in _PY_NUM:
        alpha = _number_arg(alpha, name, 'alpha', mixed=mixed)
    return beta, alpha


def _run_(cls, self, a, b, beta, alpha, name):
    """The in-place form: the product must have ``self``'s shape."""
    if beta.__class__ not in _PY_NUM or alpha.__class__ not in _PY_NUM:
        beta, alpha = _coefs(name, None, beta, alpha)
    try:
        want = tuple(cls.out_shape(a, b))
    except IndexError:                 # malformed operands: forward says why
        want = tuple(self.shape)
    if tuple(self.shape) != want:
        raise RuntimeError(f'Bad in-place call: input tensor size {list(self.shape)} and output tensor '
                           f'size {list(want)} should match')
    return apply_inplace(cls, self, a, b, beta=beta, alpha=alpha)


def _fused(fn, cls, input, a, b, beta, alpha, out):
    """The out-of-place fused product ``fn`` (autocast first, then the op, then ``out=``)."""
    name = fn.__name__
    if beta.__class__ not in _PY_NUM or alpha.__class__ not in _PY_NUM:
        beta, alpha = _coefs(name, (input, a, b), beta, alpha)
    if _amp.state.on and _amp_wants(name, input):
        return _amp.call(fn, input, a, b, beta=beta, alpha=alpha, out=out)
    try:
        r = apply(cls, input, a, b, beta=beta, alpha=alpha)
    except NotImplementedError:
        if name != 'addmm' or not getattr(a, 'is_sparse', False):
            raise
        from ..sparse._products import addmm as sparse_addmm     # dense + sparse @ dense
        r = sparse_addmm(input, a, b, beta=beta, alpha=alpha, _node='AddmmBackward0')
    return r if out is None else _out(out, r, name)


# PyTorch's own argument names, so each op takes its keywords (``addmm(x, mat1=a, mat2=b)``)
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    return _fused(addmm, AddmmBackward0, input, mat1, mat2, beta, alpha, out)


def addmm_(self, mat1, mat2, *, beta=1, alpha=1):
    return _run_(AddmmBackward0, self, mat1, mat2, beta, alpha, 'addmm_')


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    return _fused(addmv, AddmvBackward0, input, mat, vec, beta, alpha, out)


def addmv_(input, mat, vec, *, beta=1, alpha=1):
    return _run_(AddmvBackward0, input, mat, vec, beta, alpha, 'addmv_')


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    return _fused(addr, AddrBackward0, input, vec1, vec2, beta, alpha, out)


def addr_(self, vec1, vec2, *, beta=1, alpha=1):
    return _run_(AddrBackward0, self, vec1, vec2, beta, alpha, 'addr_')


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _fused(baddbmm, BaddbmmBackward0, input, batch1, batch2, beta, alpha, out)


def baddbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return _run_(BaddbmmBackward0, self, batch1, batch2, beta, alpha, 'baddbmm_')


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _fused(addbmm, AddbmmBackward0, input, batch1, batch2, beta, alpha, out)


def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    return _run_(AddbmmBackward0, self, batch1, batch2, beta, alpha, 'addbmm_')

METHODS = {'vdot': vdot, 'addmm': addmm, 'addmm_': addmm_, 'addmv': addmv, 'addmv_': addmv_, 'addr': addr,
           'addr_': addr_, 'baddbmm': baddbmm, 'baddbmm_': baddbmm_, 'addbmm': addbmm, 'addbmm_': addbmm_}
