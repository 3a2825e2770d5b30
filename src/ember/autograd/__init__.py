"""ember.autograd: backward, grad, grad modes, Variable, gradcheck."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                        is_grad_enabled, is_inference_mode_enabled)
from .node import Node  # noqa: F401
from . import engine as _engine
from .variable import Variable  # noqa: F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: F401
from .function import Function, FunctionCtx, once_differentiable  # noqa: F401
from .anomaly import (detect_anomaly, set_detect_anomaly, is_anomaly_enabled,  # noqa: F401
                      is_anomaly_check_nan_enabled, set_anomaly_enabled)
from . import functional, graph, forward_ad  # noqa: F401,E402


def _as_tuple(x):
    if x is None:
        return None
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _roots(tensors):
    roots = []
    for i, t in enumerate(tensors):
        e = _engine.root_edge(t)
        if e is None:
            raise RuntimeError(f'element {i} of tensors does not require grad and does not have a grad_fn')
        roots.append(e)
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's ``.grad``."""
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if grads is None:
        grads = (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError('grad can be implicitly created only for scalar outputs' if not grads else
                           f'got {len(grads)} gradients for {len(tensors)} tensors')
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph and not _warned_cycle:
        _warn_cycle()
    roots = _roots(tensors)
    root_grads = _engine.make_root_grads(tensors, grads)
    targets = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError('`inputs` argument to `backward()` cannot be empty.')
        targets = {}
        for i, t in enumerate(inputs):
            e = _engine.root_edge(t)
            if e is None:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            if t.grad_fn is not None:       # a non-leaf input: accumulate into its .grad
                t.retain_grad()
            targets[e if t.grad_fn is None else (t.grad_fn, t._output_nr)] = i
    _engine.execute(roots, root_grads, retain_graph, create_graph, targets=targets)


_warned_cycle = False


def _warn_cycle():
    """PyTorch warns once per process about backward(create_graph=True)."""
    global _warned_cycle
    _warned_cycle = True
    import warnings
    warnings.warn('Using backward() with create_graph=True will create a reference cycle between the parameter '
                  'and its gradient which can cause a memory leak. We recommend using autograd.grad when '
                  'creating the graph to avoid this. If you have to use this function, make sure to reset the '
                  '.grad fields of your parameters to None after use to break the cycle and avoid the leak.',
                  UserWarning, stacklevel=3)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    outputs = _as_tuple(outputs)
    inputs_t = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs)
    if grads is None:
        grads = (None,) * len(outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    roots = _roots(outputs)
    targets, slots = {}, []              # an input given twice shares one slot
    for t in inputs_t:
        if not t.requires_grad:
            raise RuntimeError('One of the differentiated Tensors does not require grad')
        e = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._grad_accumulator(), 0)
        slots.append(targets.setdefault(e, len(targets)))
    root_grads = _engine.make_root_grads(outputs, grads)
    captured = _engine.execute(roots, root_grads, retain_graph, create_graph, targets=targets, capture=True)
    result = []
    for i, t in enumerate(inputs_t):
        g = captured[slots[i]]
        if g is None:
            if materialize_grads:
                from ..ops.creation import zeros_like
                g = zeros_like(t)
            elif not allow_unused:
                raise RuntimeError(f'The differentiated Tensor at index {i} appears to not have been used in '
                                   'the graph. Set allow_unused=True if this is the desired behavior.')
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)
from . import profiler  # noqa: F401,E402
