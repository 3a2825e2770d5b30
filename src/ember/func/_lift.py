"""Shared plumbing of the differentiating transforms (grad, vjp, jvp, jacrev, ...).

ember has one autograd tape, not functorch's levels. A transform gives the function private
copies of the inputs it differentiates ("lifting"): a fresh graph leaf sharing the input's
memory, or, when the input is itself part of an outer graph (a nested transform, or a tensor
the caller tracks), a view of it that keeps that graph. After differentiating, a result keeps
its graph only where it reaches a tensor from outside the transform (a closed-over parameter,
an outer transform's input); otherwise it is detached, as the caller sees from functorch.
"""
from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import AccumulateGrad
from . import _pytree

_NOT_TENSOR = 'Thing passed to transform API must be Tensor, got {}'


def check_argnums(argnums, nargs):
    """argnums normalised to non-negative ints (an int stays an int), with functorch's errors."""
    if isinstance(argnums, bool) or not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f'argnums must be int or Tuple[int, ...], got: {type(argnums)}')
    if isinstance(argnums, int):
        return _one_argnum(argnums, nargs)
    if not argnums:
        raise RuntimeError('argnums must be non-empty')
    nums = tuple(_one_argnum(a, nargs) for a in argnums)
    if len(set(nums)) != len(nums):
        raise RuntimeError(f'argnums elements must be unique, got {nums}')
    return nums


def _one_argnum(a, nargs):
    if isinstance(a, bool) or not isinstance(a, int):
        raise RuntimeError(f'argnum must be int, got: {type(a)}')
    if not -nargs <= a < nargs:
        raise RuntimeError(f'Got argnum={a}, but only {nargs} positional inputs')
    return a + nargs if a < 0 else a


def selected(args, argnums):
    """The differentiated part of ``args``: one argument, or a tuple of them."""
    return args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)


def replace(args, argnums, new):
    args = list(args)
    if isinstance(argnums, int):
        args[argnums] = new
    else:
        for i, v in zip(argnums, new):
            args[i] = v
    return args


def lift_tree(tree, outer_grad, check=None):
    """(lifted tree, its lifted leaves, spec): every leaf must be a Tensor."""
    leaves, spec = _pytree.flatten(tree)
    lifted = []
    for x in leaves:
        if not isinstance(x, Tensor):
            raise ValueError(_NOT_TENSOR.format(type(x)))
        if check is not None:
            check(x)
        lifted.append(lift(x, outer_grad))
    return _pytree.unflatten(lifted, spec), lifted, spec


def lift(x, outer_grad):
    if outer_grad and x.requires_grad:
        return x.view_as(x)               # keeps the caller's graph, for higher derivatives
    return x.detach().requires_grad_(True)


def reaches_outside(tensors, private):
    """Whether any of ``tensors`` depends, in the graph, on a leaf that is not one of ``private``."""
    own = {id(p) for p in private}
    stack, seen = [], set()
    for t in tensors:
        if not isinstance(t, Tensor) or not t.requires_grad:
            continue
        if t.grad_fn is None:
            if id(t) not in own:
                return True
            continue
        stack.append(t.grad_fn)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in own:
                return True
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None and id(nxt) not in seen:
                stack.append(nxt)
    return False


def release(tree, private, outer_grad):
    """Detach every tensor of ``tree`` whose graph stays inside the transform."""
    def one(t):
        if not isinstance(t, Tensor):
            return t
        if outer_grad and t.requires_grad and reaches_outside((t,), private):
            return t
        return t.detach()
    return _pytree.tree_map(one, tree)


def grads(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """d outputs / d inputs with zeros (shaped like the input) where nothing flows."""
    from ..autograd import grad
    from ..ops.creation import zeros_like
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs and inputs:
        outs, gos = zip(*pairs)
        res = grad(outs, inputs, gos, retain_graph=retain_graph, create_graph=create_graph,
                   allow_unused=True)
    else:
        res = (None,) * len(inputs)
    return [zeros_like(x) if g is None else g for g, x in zip(res, inputs)]


def outer_grad_enabled():
    return is_grad_enabled()


class inside_transform:
    """Marks the user function's run inside grad/vjp/jvp: ``backward()`` there is refused (as in
    PyTorch); autograd.grad stays allowed."""

    def __enter__(self):
        from ..autograd import engine
        engine.enter_transform(1)

    def __exit__(self, *exc):
        from ..autograd import engine
        engine.enter_transform(-1)
        return False
