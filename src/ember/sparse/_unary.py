"""Zero-preserving elementwise ops on sparse COO tensors (f(0) == 0, so the result keeps the
pattern): one table, one function, installed as methods (``s.sqrt()``, ``s.sqrt_()``) and reached
from the dense ``ember.sqrt(s)`` functions through their NotImplementedError handler.

PyTorch coalesces first for all of them but ``neg`` (it negates the stored values as they are);
the in-place forms need a coalesced tensor (``neg_`` does not). Also the reductions to a dense
scalar that PyTorch has for sparse tensors: ``norm`` and ``any``.
"""
from ._math import valuewise

# op name -> grad_fn name (None: the usual '<Name>Backward0'); aliases map to their op
_OPS = {'sqrt': None, 'sin': None, 'tan': None, 'tanh': None, 'relu': None, 'abs': None, 'sign': None,
        'sgn': None, 'trunc': None, 'ceil': None, 'floor': None, 'round': None, 'frac': None,
        'expm1': None, 'log1p': 'Log1PBackward0', 'asin': None, 'atan': None, 'sinh': None,
        'asinh': None, 'atanh': None, 'erf': None, 'erfinv': None, 'deg2rad': 'Deg2RadBackward0',
        'rad2deg': 'Rad2DegBackward0', 'nan_to_num': 'NanToNumBackward0', 'square': 'PowBackward0',
        'isnan': None, 'isinf': None, 'isposinf': None, 'isneginf': None, 'signbit': None,
        'floor_divide': None, 'neg': None}
_ALIASES = {'arcsin': 'asin', 'arctan': 'atan', 'arcsinh': 'asinh', 'arctanh': 'atanh', 'fix': 'trunc',
            'absolute': 'abs', 'negative': 'neg'}
_NO_COALESCE = frozenset(('neg',))
_INPLACE_ANY = frozenset(('neg', 'floor_divide'))       # in-place forms that take an uncoalesced tensor


def _node_name(op):
    return _OPS[op] or op.capitalize() + 'Backward0'


def unary(s, name, *args, **kwargs):
    """``name`` (an op of the table) applied to the values of sparse ``s``."""
    op = _ALIASES.get(name, name)
    if op == 'round' and kwargs.get('decimals') is not None:
        raise NotImplementedError(
            "Could not run 'aten::round.decimals' with arguments from the 'SparseCPU' backend. This could be "
            "because the operator doesn't exist for this backend, or was omitted during the selective/custom "
            'build process (if using custom build).')

    def f(v):
        return getattr(v, op)(*args, **kwargs)
    return valuewise(s, _node_name(op), f, coalesce=op not in _NO_COALESCE)


def unary_(s, name, *args, **kwargs):
    op = _ALIASES.get(name, name)
    if op not in _INPLACE_ANY and not s.is_coalesced():
        raise RuntimeError(f'{name}_ requires coalesced input')
    from ._inplace import _alias, _assume, _ADD
    return _assume(s, unary(_alias(s), op, *args, **kwargs), _ADD)


def has(name):
    return name in _OPS or name in _ALIASES


def dense_fallback(name, input, *args, inplace=False, **kwargs):
    """From a dense op's NotImplementedError handler: the sparse form of op ``name`` when ``input``
    is sparse (re-raises the dense op's error otherwise)."""
    import sys
    if not getattr(input, 'is_sparse', False) or not has(name):
        raise sys.exc_info()[1]
    return (unary_ if inplace else unary)(input, name, *args, **kwargs)


def norm(s, p='fro', dim=None, keepdim=False, dtype=None):
    """The norm of all entries (PyTorch's sparse norm is a full reduction only)."""
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if sorted(s._wrap_dim(d) for d in dims) != list(range(s.dim())):
            raise RuntimeError("norm_sparse currently only supports full reductions, so 'dim' must either be "
                               'empty or contain all dimensions of the input')
    if dtype is not None and p in ('fro', 2, None):
        raise ValueError('dtype argument is not supported in frobenius norm')
    from ._math import _plan, _run, _grad_as
    from ._coo import apply_plan
    from ._autograd import values_fn
    plan = _plan(s)
    order = 2 if p in ('fro', None) else p

    def fn(v):
        v = apply_plan(plan, v)
        return v.to(dtype).norm(order) if dtype is not None else v.norm(order)
    out = _run(fn, s._v)
    if keepdim:
        out = out.reshape((1,) * s.dim())
        f0 = fn
        fn = lambda v: f0(v).reshape((1,) * s.dim())       # noqa: E731
    return values_fn('NormBackward1', (s,), out, fn, (s._v,), (_grad_as(s),))


def any(s):
    from ._math import _plan
    from ._coo import apply_plan
    from ..autograd.grad_mode import no_grad
    with no_grad():
        return (apply_plan(_plan(s), s._v.detach()) != 0).any()


def install(S):
    S.norm = norm
    S.any = any
    for name in list(_OPS) + list(_ALIASES):
        if name in ('neg',):                          # (installed by ._math's operators)
            continue
        setattr(S, name, lambda self, *a, _n=name, **k: unary(self, _n, *a, **k))
        setattr(S, name + '_', lambda self, *a, _n=name, **k: unary_(self, _n, *a, **k))
    S.neg_ = S.negative_ = lambda self: unary_(self, 'neg')
    S.__floordiv__ = lambda self, other: unary(self, 'floor_divide', other)
