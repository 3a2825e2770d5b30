"""ember.autograd: backward, grad, grad modes, Variable, gradcheck."""
from .grad_mode import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                        is_grad_enabled, is_inference_mode_enabled, set_multithreading_enabled)
from .node import Node  # noqa: F401
from . import engine as _engine
from .engine import is_checkpoint_valid as _is_checkpoint_valid  # noqa: F401
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
    if _engine.transform_depth():
        raise RuntimeError('backward() called inside a functorch transform. This is not supported, please use '
                           'functorch.grad or functorch.vjp instead or call backward() outside of functorch '
                           'transforms.')
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if grads is None:
        grads = (None,) * len(tensors)
    grads = _pair_grads(tensors, grads)
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


def _pair_grads(tensors, grads):
    """One gradient per output (extra ones are ignored, as PyTorch), or PyTorch's count error."""
    if len(grads) < len(tensors):
        raise RuntimeError(f'got {len(tensors)} tensors and {len(grads)} gradients')
    return grads[:len(tensors)]


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    if materialize_grads and allow_unused is False:
        raise ValueError('Expected allow_unused to be True or not passed when materialize_grads=True, '
                         'but got: allow_unused=False.')
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    names = list(inputs) if type(inputs) is dict else None
    inputs_t = tuple(inputs.values()) if names is not None else _as_tuple(inputs)
    if not inputs_t:
        raise RuntimeError('`inputs` argument to `grad()` cannot be empty.')
    if not only_inputs:
        import warnings
        warnings.warn('only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate '
                      'gradient for other parts of the graph, please use ember.autograd.backward.',
                      FutureWarning, stacklevel=2)
    grads = _as_tuple(grad_outputs)
    if grads is None:
        grads = (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        from ._batched import batched_grad
        result = batched_grad(_grad_once, outputs, inputs_t, grads, retain_graph, create_graph, allow_unused)
    else:
        result = _grad_once(outputs, inputs_t, _pair_grads(outputs, grads), retain_graph, create_graph,
                            allow_unused)
    if materialize_grads:
        from ..ops.creation import zeros_like
        result = tuple(zeros_like(t, requires_grad=create_graph) if g is None else g
                       for g, t in zip(result, inputs_t))
    return dict(zip(names, result)) if names is not None else result


def _grad_once(outputs, inputs_t, grads, retain_graph, create_graph, allow_unused):
    """One vector-Jacobian product: the gradients reaching ``inputs_t`` (None where unused)."""
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
            if not allow_unused:
                raise RuntimeError(f'The differentiated Tensor at index {i} appears to not have been used in '
                                   'the graph. Set allow_unused=True if this is the desired behavior.')
        elif not create_graph:
            g = g.detach()
        result.append(g)
    return tuple(result)


from . import profiler  # noqa: F401,E402
