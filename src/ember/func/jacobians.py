"""jacrev, jacfwd and hessian: whole Jacobians of functions of pytrees of tensors.

    jacrev(f)(x)                        # shape f(x).shape + x.shape
    jacrev(f, argnums=(0, 1))(x, y)     # a tuple (d f/d x, d f/d y)
    jacfwd(f)(x)                        # the same numbers, in the output's dtype
    hessian(f)(x)                       # jacfwd(jacrev(f)): shape f(x).shape + x.shape + x.shape

An output pytree maps each output leaf to the argument structure (for a tuple ``argnums``,
a tuple over the arguments). ember computes both Jacobians by reverse mode, one backward
pass per output element; ``chunk_size`` is checked and accepted.
"""
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from . import _pytree
from ._lift import (check_argnums, selected, replace, lift_tree, reaches_outside, release, grads,
                    outer_grad_enabled)
from .transforms import _tensor_outputs, _check_aux, _float_primal, _wraps

__all__ = ['jacrev', 'jacfwd', 'hessian']


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """The Jacobian of ``func`` with respect to argument(s) ``argnums``, by reverse mode."""
    if chunk_size is not None and not chunk_size > 0:
        raise ValueError('jacrev: `chunk_size` should be greater than 0.')

    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, args, kwargs, forward=False)
    return _wraps(func, wrapper)


def jacfwd(func, argnums=0, has_aux=False, *, randomness='error'):
    """The Jacobian of ``func`` as forward mode gives it (in the output's dtype). ``randomness``
    is vmap's: 'error' refuses random operations inside ``func``."""
    def wrapper(*args, **kwargs):
        from .vmap import check_randomness
        check_randomness(randomness)
        return _jacobian(func, argnums, has_aux, args, kwargs, forward=True, randomness=randomness)
    return _wraps(func, wrapper)


def hessian(func, argnums=0):
    """Second derivatives of ``func``: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


def _jacobian(func, argnums, has_aux, args, kwargs, forward, randomness=None):
    where = 'jvp(f, primals, tangents)' if forward else 'vjp(f, *primals)'
    nums = check_argnums(argnums, len(args))
    outer = outer_grad_enabled()
    if forward:
        for x in _pytree.flatten(selected(args, nums))[0]:
            if not isinstance(x, Tensor):
                raise AttributeError(f"'{type(x).__name__}' object has no attribute 'numel'")
    with enable_grad():
        lifted, private, in_spec = lift_tree(selected(args, nums), outer,
                                             _float_primal if forward else None)
        call_args = replace(args, nums, lifted)
        if forward and randomness == 'error':
            from .vmap import no_random
            with no_random():
                output = func(*call_args, **kwargs)
        else:
            output = func(*call_args, **kwargs)
        output, outs, out_spec, aux = _tensor_outputs(output, has_aux, where)
        if has_aux:
            _check_aux(aux)
        keep = outer and reaches_outside(outs, private)
        blocks = []
        for o in outs:
            rows = _rows(o, private, keep)
            if forward:
                rows = [r if r.dtype == o.dtype else r.to(o.dtype) for r in rows]
            blocks.append(_pytree.unflatten(rows, in_spec))
    jac = release(_pytree.unflatten(blocks, out_spec), private, outer)
    if has_aux:
        return jac, release(aux, private, outer)
    return jac


def _rows(out, inputs, create_graph):
    """[d out / d x for x in inputs], each of shape out.shape + x.shape."""
    from ..ops.join import stack
    shape = tuple(out.shape)
    n = out.numel()
    if n == 0 or not out.requires_grad:
        return [x.new_zeros(shape + tuple(x.shape)) for x in inputs]
    flat = out.reshape(-1)
    per_element = [grads((flat[k],), inputs, create_graph=create_graph, retain_graph=True)
                   for k in range(n)]
    return [stack([g[j] for g in per_element], 0).reshape(shape + tuple(x.shape))
            for j, x in enumerate(inputs)]
