"""PyTorch's ``_foreach_*`` functions (used by EMA / optimizer code): each applies an existing
Tensor op to every tensor of a list. The out-of-place forms return a tuple of new tensors, the
in-place forms (trailing ``_``) update the tensors and return the list given."""
from numbers import Number

from .._tensor import Tensor

_UNARY = ('abs', 'acos', 'asin', 'atan', 'ceil', 'cos', 'cosh', 'erf', 'erfc', 'exp', 'expm1', 'floor',
          'frac', 'lgamma', 'log', 'log10', 'log1p', 'log2', 'neg', 'reciprocal', 'round', 'rsqrt',
          'sigmoid', 'sign', 'sin', 'sinh', 'sqrt', 'tan', 'tanh', 'trunc')
_BINARY = ('add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'clamp_min', 'clamp_max')


def _check(tensors, *others):
    """PyTorch's list checks: a non-empty tensor list, other tensor lists of the same length."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError('Tensor list must have at least one tensor.')
    for o in others:
        if isinstance(o, (list, tuple)) and len(o) != len(tensors):
            if all(isinstance(v, Tensor) for v in o):
                raise RuntimeError(f'Tensor lists must have the same number of tensors, got '
                                   f'{len(tensors)} and {len(o)}')
            raise RuntimeError('Tensor list must have same number of elements as scalar list.')
    return tensors


def _per_item(other, n):
    """The second operand for each of ``n`` tensors: a list is taken item by item; a number or a
    single tensor is used for all."""
    return list(other) if isinstance(other, (list, tuple)) else [other] * n


def _binary_call(t, name, o, inplace, alpha):
    if name in ('maximum', 'minimum'):
        if isinstance(o, Number):                  # a scalar bound is a clamp
            name = 'clamp_min' if name == 'maximum' else 'clamp_max'
        else:
            r = getattr(t, name)(o)
            return t.copy_(r) if inplace else r
    kw = {} if alpha is None else {'alpha': alpha}
    return getattr(t, name + ('_' if inplace else ''))(o, **kw)


def _make_unary(name, inplace):
    def fn(self):
        ts = _check(self)
        if inplace:
            for t in ts:
                getattr(t, name + '_')()
            return self
        return tuple(getattr(t, name)() for t in ts)
    fn.__name__ = f"_foreach_{name}{'_' if inplace else ''}"
    return fn


def _make_binary(name, inplace):
    def fn(self, other, *, alpha=None):
        if name == 'pow' and isinstance(self, Number):        # _foreach_pow(scalar, tensors)
            ts = _check(other)
            return tuple(_rpow(self, t) for t in ts)
        ts = _check(self, other)
        os_ = _per_item(other, len(ts))
        if inplace:
            for t, o in zip(ts, os_):
                _binary_call(t, name, o, True, alpha)
            return self
        return tuple(_binary_call(t, name, o, False, alpha) for t, o in zip(ts, os_))
    fn.__name__ = f"_foreach_{name}{'_' if inplace else ''}"
    return fn


def _rpow(base, t):
    from .power import pow as _pow
    return _pow(base, t)


def _make_pointwise(name, inplace):
    """addcmul / addcdiv: ``value`` is a number, a list of numbers or a 1-D tensor of them."""
    def fn(self, tensor1, tensor2, value=1):
        ts = _check(self, tensor1, tensor2)
        vals = value.tolist() if isinstance(value, Tensor) else value
        vals = _per_item(vals, len(ts))
        if len(vals) != len(ts):
            raise RuntimeError('Tensor list must have same number of elements as scalar list.')
        meth = name + ('_' if inplace else '')
        out = [getattr(t, meth)(a, b, value=v) for t, a, b, v in zip(ts, tensor1, tensor2, vals)]
        return self if inplace else tuple(out)
    fn.__name__ = f"_foreach_{name}{'_' if inplace else ''}"
    return fn


def _make_lerp(inplace):
    def fn(self, tensors1, weight):
        ts = _check(self, tensors1, weight)
        ws = _per_item(weight, len(ts))
        meth = 'lerp_' if inplace else 'lerp'
        out = [getattr(t, meth)(e, w) for t, e, w in zip(ts, tensors1, ws)]
        return self if inplace else tuple(out)
    fn.__name__ = f"_foreach_lerp{'_' if inplace else ''}"
    return fn


def _foreach_norm(self, ord=2, dtype=None):
    from ..linalg import vector_norm
    return tuple(vector_norm(t, ord, dtype=dtype) for t in _check(self))


def _foreach_max(self):
    return tuple(t.max() for t in _check(self))


def _foreach_powsum(self, ord=2, dtype=None):
    """The sum of |x| ** ord of each tensor (the norm before its root)."""
    return tuple(t.abs().pow(ord).sum(dtype=dtype) for t in _check(self))


def _foreach_mm(self, mat2):
    return tuple(a.mm(b) for a, b in zip(_check(self, mat2), mat2))


def _foreach_clone(self):
    return tuple(t.clone() for t in _check(self))


def _foreach_copy_(self, src, non_blocking=False):
    for t, s in zip(_check(self, src), src):
        t.copy_(s, non_blocking=non_blocking)
    return self


def _foreach_zero_(self):
    for t in _check(self):
        t.zero_()
    return self


def functions():
    """{name: function} for every ``_foreach_*`` function, for the ember namespace."""
    out = {}
    for inplace in (False, True):
        for n in _UNARY:
            f = _make_unary(n, inplace)
            out[f.__name__] = f
        for n in _BINARY:
            f = _make_binary(n, inplace)
            out[f.__name__] = f
        for n in ('addcmul', 'addcdiv'):
            f = _make_pointwise(n, inplace)
            out[f.__name__] = f
        f = _make_lerp(inplace)
        out[f.__name__] = f
    for f in (_foreach_norm, _foreach_max, _foreach_powsum, _foreach_mm, _foreach_clone, _foreach_copy_,
              _foreach_zero_):
        out[f.__name__] = f
    return out
