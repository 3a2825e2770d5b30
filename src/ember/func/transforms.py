"""torch.func's derivative transforms on ember's reverse-mode autograd.

    from ember.func import grad, grad_and_value, vjp, jvp, linearize

    grad(f)(x)                         # d f(x) / d x for a scalar-valued f
    grad(f, argnums=(0, 1))(x, y)      # a tuple: one gradient per chosen argument
    out, vjp_fn = vjp(f, x, y)         # vjp_fn(v) == (v^T J_x, v^T J_y)
    out, jv = jvp(f, (x,), (t,))       # J t
    out, jvp_fn = linearize(f, x)      # jvp_fn(t) == J t, the graph recorded once

Transforms compose (``grad(grad(f))``, ``vmap(grad(f))``, ``jacrev(jacrev(f))``) because every
intermediate gradient is computed with a graph whenever something outside needs it. ember has
no forward-mode AD: ``jvp`` and ``linearize`` use the double-vjp trick (u -> J^T u is linear in
u, so its vjp with the tangent is J t); the numbers are the same.
"""
import functools

from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from . import _pytree
from ._lift import (check_argnums, selected, replace, lift_tree, reaches_outside, release, grads,
                    outer_grad_enabled, inside_transform)

__all__ = ['grad', 'grad_and_value', 'vjp', 'jvp', 'linearize']

_AUX = '{}: output of function f should be a tuple: (output, aux) if has_aux is True'


def _split_aux(output, has_aux, where):
    if not has_aux:
        return output, None
    if not (isinstance(output, tuple) and len(output) == 2):
        raise RuntimeError(_AUX.format(where))
    return output


def _tensor_outputs(output, has_aux, where):
    """(output, its leaves, their structure, aux) of f's result; every leaf must be a tensor."""
    output, aux = _split_aux(output, has_aux, where)
    outs, out_spec = _pytree.flatten(output)
    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(f'{where}: expected f(*primals) to return only tensors, got unsupported '
                               f'type {type(o)}')
    return output, outs, out_spec, aux


def _check_aux(aux):
    for leaf in _pytree.flatten(aux)[0]:
        if not isinstance(leaf, Tensor):
            raise RuntimeError(f'Expected tensors, got unsupported type {type(leaf)}')


def _wraps(func, wrapper):
    try:
        return functools.wraps(func)(wrapper)
    except (AttributeError, TypeError):
        return wrapper


# ---------------------------------------------------------------- grad

def grad_and_value(func, argnums=0, has_aux=False):
    """A function returning ``(gradient, value)`` of ``func`` (or ``((gradient, (value, aux))``
    with ``has_aux``); ``func`` must return a 0-dim Tensor."""
    def wrapper(*args, **kwargs):
        return _grad_and_value(func, argnums, has_aux, args, kwargs)
    return _wraps(func, wrapper)


def grad(func, argnums=0, has_aux=False):
    """A function computing the gradient of scalar-valued ``func`` with respect to the argument(s)
    ``argnums`` (an int or a tuple of ints); with ``has_aux``, ``func`` returns ``(value, aux)``
    and the result is ``(gradient, aux)``."""
    def wrapper(*args, **kwargs):
        g, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (g, value[1]) if has_aux else g
    return _wraps(func, wrapper)


def _grad_and_value(func, argnums, has_aux, args, kwargs):
    where = 'grad_and_value(f)(*args)'
    nums = check_argnums(argnums, len(args))
    outer = outer_grad_enabled()
    with enable_grad():
        lifted, private, spec = lift_tree(selected(args, nums), outer)
        with inside_transform():
            output = func(*replace(args, nums, lifted), **kwargs)
        output, aux = _split_aux(output, has_aux, where)
        if not isinstance(output, Tensor):
            raise RuntimeError(f'{where}: Expected f(*args) to return a Tensor, got {type(output)}')
        if output.dim() != 0:
            raise RuntimeError(f'{where}: Expected f(*args) to return a scalar Tensor, got tensor with '
                               f'{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs '
                               'instead?')
        if has_aux:
            _check_aux(aux)
        keep = outer and reaches_outside((output,), private)
        gs = grads((output,), private, create_graph=keep)
    result = release(_pytree.unflatten(gs, spec), private, outer)
    value = release(output, private, outer)
    if has_aux:
        return result, (value, release(aux, private, outer))
    return result, value


# ---------------------------------------------------------------- vjp

def vjp(func, *primals, has_aux=False):
    """``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` returns one gradient per primal (a
    tuple), ``cotangents`` shaped like the output. With ``has_aux`` the aux comes third."""
    where = 'vjp(f, *primals)'
    outer = outer_grad_enabled()
    with enable_grad():
        lifted, private, in_spec = lift_tree(primals, outer)
        with inside_transform():
            output = func(*lifted)
        output, outs, out_spec, aux = _tensor_outputs(output, has_aux, where)
        for o in outs:
            if not o.is_floating_point() and not o.is_complex():
                raise RuntimeError('vjp(f, ...): All outputs of f must be floating-point or complex '
                                   f'Tensors, got Tensor with dtype {o.dtype}')
        if has_aux:
            _check_aux(aux)
    outside = outer and reaches_outside(outs, private)

    def vjp_fn(cotangents, *, retain_graph=True, create_graph=None):
        cts, ct_spec = _pytree.flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError('Expected pytree structure of cotangents to be the same as pytree structure '
                               f'of outputs to the function. cotangents: {_pytree.pprint(ct_spec)}, '
                               f'primal output: {_pytree.pprint(out_spec)}')
        for c in cts:
            if c is not None and not isinstance(c, Tensor):
                raise TypeError(f'gradients can be either Tensors or None, but got {type(c).__name__}')
        cts = [c if c is None or c.dtype == o.dtype else c.to(o.dtype) for c, o in zip(cts, outs)]
        now = outer_grad_enabled()
        if create_graph is None:
            create_graph = now and (outside or any(c is not None and c.requires_grad for c in cts))
        with enable_grad() if create_graph else _nullcontext():
            gs = grads(outs, private, cts, create_graph=create_graph, retain_graph=retain_graph)
        return tuple(release(_pytree.unflatten(gs, in_spec), private, create_graph))

    out = release(output, private, outer)
    if has_aux:
        return out, vjp_fn, release(aux, private, outer)
    return out, vjp_fn


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# ---------------------------------------------------------------- jvp / linearize

def _check_primals(primals, tangents):
    where = 'jvp(f, primals, tangents)'
    if not isinstance(primals, tuple):
        raise RuntimeError(f'{where}: Expected primals to be a tuple. E.g. it should be valid to call '
                           'f(*primals).')
    p_leaves, p_spec = _pytree.flatten(primals)
    t_leaves, t_spec = _pytree.flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f'{where}: Expected primals and tangents to have the same python structure. '
                           'For example, if primals is a tuple of 3 tensors, tangents also must be. Got '
                           f'primals with structure {p_spec!r} and tangents with structure {t_spec!r}')
    if not p_leaves:
        raise RuntimeError(f'{where}: Expected primals to contain at least one Tensor.')
    for what, leaves in (('primals', p_leaves), ('tangents', t_leaves)):
        for x in leaves:
            if not isinstance(x, Tensor):
                raise RuntimeError(f'{where}: Expected {what} to only contain Tensors, got {type(x)}')
    for p, t in zip(p_leaves, t_leaves):
        _float_primal(p)
        if not t.is_floating_point() and not t.is_complex():
            raise ValueError(f'Expected tangent to be floating point or complex, but got: {t.dtype}')
        if p.shape != t.shape:
            raise RuntimeError('Trying to set a forward gradient that has a different size than that of the '
                               f'original Tensor, this is not supported. Tensor is of size {list(p.shape)} '
                               f'while the given forward gradient is of size {list(t.shape)}.')
    return t_leaves


def _float_primal(p):
    if not p.is_floating_point() and not p.is_complex():
        raise ValueError(f'Expected primal to be floating point or complex, but got: {p.dtype}')


class _Linear:
    """The recorded map u -> J^T u at some primals, differentiated again to give J t."""

    def __init__(self, func, primals, has_aux, where, outer):
        from ..ops.creation import zeros_like
        self.outer = outer
        with enable_grad():
            lifted, self.private, _ = lift_tree(primals, outer)
            with inside_transform():
                output = func(*lifted)
            output, aux = _split_aux(output, has_aux, where)
            outs, self.out_spec = _pytree.flatten(output)
            for o in outs:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f'{where}: expected f(*primals) to return only tensors, got '
                                       f'unsupported type {type(o)}')
            self.outs = outs
            self.us = [zeros_like(o, requires_grad=True) if o.is_floating_point() else None for o in outs]
            live = [(o, u) for o, u in zip(outs, self.us) if u is not None]
            self.jt_u = grads([o for o, _ in live], self.private, [u for _, u in live], create_graph=True)
        self.outside = outer and reaches_outside(outs, self.private)
        self.output = output
        self.aux = aux

    def apply(self, tangents, retain_graph):
        from ..ops.creation import zeros_like
        now = outer_grad_enabled()
        create = now and (self.outside or any(t.requires_grad for t in tangents))
        tangents = [t.to(p.dtype) for t, p in zip(tangents, self.private)]
        pairs = [(g, t) for g, t in zip(self.jt_u, tangents) if g.requires_grad]
        us = [u for u in self.us if u is not None]
        with enable_grad() if create else _nullcontext():
            res = grads([g for g, _ in pairs], us, [t for _, t in pairs], create_graph=create,
                        retain_graph=retain_graph or create) if pairs else [zeros_like(u) for u in us]
        it = iter(res)
        jv = [next(it) if u is not None else zeros_like(o) for u, o in zip(self.us, self.outs)]
        own = self.private + self.us
        return release(_pytree.unflatten(jv, self.out_spec), own, create)


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """``(func(*primals), J tangents)`` (and the aux with ``has_aux``); ``primals`` is a tuple and
    ``tangents`` has the same structure."""
    t_leaves = _check_primals(primals, tangents)
    outer = outer_grad_enabled()
    lin = _Linear(func, primals, has_aux, 'jvp(f, primals, tangents)', outer)
    jv = _tangent_dtypes(lin.apply(t_leaves, retain_graph=False), primals, tangents)
    out = release(lin.output, lin.private, outer)
    if has_aux:
        return out, jv, release(lin.aux, lin.private, outer)
    return out, jv


def _tangent_dtypes(jv, primals, tangents):
    """PyTorch's tangents keep their own dtype through the ops: a tangent wider than its primal
    (float64 for a float32 primal) gives output tangents of that wider dtype."""
    from .._dtype import promote_types
    wide = {}
    for p, t in zip(_pytree.flatten(primals)[0], _pytree.flatten(tangents)[0]):
        if t.dtype != p.dtype and (t.is_floating_point() or t.is_complex()):
            w = promote_types(p.dtype, t.dtype)
            if w != p.dtype:
                wide[p.dtype] = promote_types(wide.get(p.dtype, w), w)
    if not wide:
        return jv
    leaves, spec = _pytree.flatten(jv)
    return _pytree.unflatten([x.to(wide[x.dtype]) if x.dtype in wide else x for x in leaves], spec)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)`` with ``jvp_fn(*tangents) == jvp(func, primals, tangents)[1]``;
    the function runs once, and each ``jvp_fn`` call only differentiates the recorded graph."""
    outer = outer_grad_enabled()
    for p in _pytree.flatten(primals)[0]:
        if not isinstance(p, Tensor):
            raise ValueError(f'Thing passed to transform API must be Tensor, got {type(p)}')
    lin = _Linear(func, primals, False, 'linearize(f, *primals)', outer)

    def jvp_fn(*tangents):
        t_leaves, t_spec = _pytree.flatten(tangents)
        p_leaves, p_spec = _pytree.flatten(primals)
        if t_spec != p_spec:
            raise RuntimeError(f'Expected the tangents {t_spec!r} to have the same argspec as the primals '
                               f'{p_spec!r}')
        for i, (t, p) in enumerate(zip(t_leaves, p_leaves)):
            if t.shape != p.shape:
                raise RuntimeError(f'tangent:{i} with shape {t.shape} in flattened pytree doesn\'t match the '
                                   f'shape {p.shape} of the corresponding primal.')
        return lin.apply(t_leaves, retain_graph=True)

    return release(lin.output, lin.private, outer), jvp_fn
