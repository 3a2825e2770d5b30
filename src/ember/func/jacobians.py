"""jacrev, jacfwd and hessian: whole Jacobians of functions of pytrees of tensors.

    jacrev(f)(x)                        # shape f(x).shape + x.shape
    jacrev(f, argnums=(0, 1))(x, y)     # a tuple (d f/d x, d f/d y)
    jacfwd(f)(x)                        # the same numbers, in the output's dtype
    hessian(f)(x)                       # jacfwd(jacrev(f)): shape f(x).shape + x.shape + x.shape

An output pytree maps each output leaf to the argument structure (for a tuple ``argnums``,
a tuple over the arguments). jacrev runs one backward pass per output element; jacfwd records
the backward map once and differentiates it again per input element (the double-vjp trick
``jvp`` uses); ``chunk_size`` is checked and accepted.
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
    name = 'jacfwd' if forward else 'jacrev'
    _real_only(name, _pytree.flatten(args)[0], 'inputs')
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
        _real_only(name, outs, 'outputs')
        if has_aux:
            _check_aux(aux)
        keep = outer and reaches_outside(outs, private)
        table = (_columns if forward else _rows)(outs, private, keep)
        blocks = []
        for o, rows in zip(outs, table):
            if forward:
                rows = [r if r.dtype == o.dtype else r.to(o.dtype) for r in rows]
            blocks.append(_pytree.unflatten(rows, in_spec))
    jac = release(_pytree.unflatten(blocks, out_spec), private, outer)
    if has_aux:
        return jac, release(aux, private, outer)
    return jac


def _real_only(name, leaves, what):
    for k, t in enumerate(leaves):
        if isinstance(t, Tensor) and t.is_complex():
            raise RuntimeError(f'{name}: Expected all {what} to be real but received complex tensor at '
                               f'flattened input idx: {k}')


def _live(outs):
    return [o for o in outs if o.numel() and o.requires_grad]


def _zero_block(out, inputs):
    return [x.new_zeros(tuple(out.shape) + tuple(x.shape)) for x in inputs]


def _onehots(ts):
    """For each element of each tensor in ``ts``: the list of cotangents (or tangents) that is 1
    there and 0 everywhere else (every tensor of the list present, as PyTorch's batched basis)."""
    from ..ops.creation import zeros_like
    for j, t in enumerate(ts):
        for k in range(t.numel()):
            basis = [zeros_like(u) for u in ts]
            basis[j].view(-1)[k] = 1
            yield j, basis


def _rows(outs, inputs, create_graph):
    """For each output: [d out / d x for x in inputs], each of shape out.shape + x.shape, by one
    backward pass per output element. The cotangent covers every output (zeros but one), so the
    signs of zero entries come out as PyTorch's (a -0 from one output plus +0 from another)."""
    from ..ops.join import stack
    live = _live(outs)
    per = {id(o): [] for o in live}
    for j, basis in _onehots(live):
        per[id(live[j])].append(grads(live, inputs, basis, create_graph=create_graph, retain_graph=True))
    return [[stack([g[i] for g in per[id(o)]], 0).reshape(tuple(o.shape) + tuple(x.shape))
             for i, x in enumerate(inputs)] if id(o) in per else _zero_block(o, inputs) for o in outs]


def _columns(outs, inputs, create_graph):
    """The same blocks as :func:`_rows`, a column at a time as forward mode gives them: the map
    u -> J^T u is recorded once and differentiated again with each one-hot tangent (so zero
    entries carry the signs that forward-mode formulas give them)."""
    from ..ops.join import stack
    from ..ops.creation import zeros_like
    live = _live(outs)
    if not live:
        return [_zero_block(o, inputs) for o in outs]
    us = [zeros_like(o, requires_grad=True) for o in live]
    jt_u = grads(live, inputs, us, create_graph=True)
    cols = [[] for _ in inputs]
    for j, basis in _onehots(inputs):
        cols[j].append(grads(jt_u, us, basis, create_graph=create_graph, retain_graph=True))
    pos = {id(o): n for n, o in enumerate(live)}
    res = []
    for o in outs:
        n = pos.get(id(o))
        if n is None:
            res.append(_zero_block(o, inputs))
            continue
        blocks = []
        for x, cs in zip(inputs, cols):
            b = stack([c[n] for c in cs], -1) if cs else o.new_zeros(tuple(o.shape) + (0,))
            blocks.append(b.reshape(tuple(o.shape) + tuple(x.shape)))
        res.append(blocks)
    return res
