"""The backward pass: count dependencies, then run nodes once all their gradients arrived."""
import threading

import numpy as _np

from . import grad_mode
from .. import _quiet_numpy
from .node import AccumulateGrad, BACKWARD_TWICE, _FREED
from . import anomaly as _anomaly_mode
from .anomaly import _state as _anomaly, _running as _anomaly_running
from .ready_queue import push as _push, pop as _pop

_ndarray = _np.ndarray


def _ones_like(t):
    from .. import _tensor
    from ..ops.creation import ones_like
    if type(t._data) is not _ndarray:
        return ones_like(t.detach())                 # on t's GPU
    return _tensor.Tensor._make(_np.ones(t._data.shape, t._data.dtype))


def root_edge(t):
    if t._base is not None and t._graph_seen != t._base._graph_gen:
        from ..ops._view_grad import refresh_view
        refresh_view(t)
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t._requires_grad:
        return (t._grad_accumulator(), 0)
    return None


def make_root_grads(outputs, grads):
    """Check or create the gradients a backward pass starts from (one per output)."""
    from .._tensor import Tensor
    from .._size import Size
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError('grad can be implicitly created only for scalar outputs')
                if not out.dtype.is_floating_point:
                    raise RuntimeError('grad can be implicitly created only for real scalar outputs '
                                       f'but got {out.dtype}')
            result.append(_ones_like(out))
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f'gradients can be either Tensors or None, but got {type(g).__name__}')
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f'Mismatch in shape: grad_output[{i}] has a shape of {Size(g.shape)} and output[{i}] '
                f'has a shape of {Size(out.shape)}.')
        if g._data.dtype != out._data.dtype:
            g = g.to(out.dtype)
        result.append(g)
    return result


def _owner(arr):
    return id(arr if arr.base is None else arr.base)


_task_ids = [0]
_per_thread = threading.local()     # each thread runs its own backward passes and transforms


def running_tasks():
    """This thread's running backward passes, innermost last: (id, nodes reached, nodes run or
    None, grad())."""
    try:
        return _per_thread.tasks
    except AttributeError:
        _per_thread.tasks = []
        return _per_thread.tasks


def transform_depth():
    """How many func.grad/vjp/jvp transforms are running the user's function in this thread."""
    return getattr(_per_thread, 'depth', 0)


def enter_transform(step):
    _per_thread.depth = getattr(_per_thread, 'depth', 0) + step


def is_checkpoint_valid():
    """Whether the running backward pass runs every node (no ``inputs=``, not autograd.grad), which
    a reentrant checkpoint's inner backward needs."""
    tasks = running_tasks()
    return tasks[-1][2] is None if tasks else True


def current_task_id():
    """An id of the innermost running backward pass (-1 outside backward)."""
    tasks = running_tasks()
    return tasks[-1][0] if tasks else -1


def will_execute(node):
    """Whether the running backward pass runs ``node`` (a grad_fn or a leaf's AccumulateGrad)."""
    tasks = running_tasks()
    if not tasks:
        return False
    _, reached, needed, capture = tasks[-1]
    if node not in reached or (needed is not None and node not in needed):
        return False
    if capture and type(node) is AccumulateGrad:
        raise RuntimeError('A leaf node was passed to _will_engine_execute_node but we are currently running '
                           'autograd.grad(). This is currently not supported.')
    return True


def execute(roots, root_grads, keep_graph, create_graph, targets=None, capture=False):
    """Run the graph backward (on the GPU of the gradients, when they live on one). NumPy's
    inf/nan warnings are off meanwhile: PyTorch's backward never gives them, whatever the
    user's warning filters say."""
    for g in root_grads:
        if g is not None and type(g._data) is not _ndarray:
            from ..ops._devices import guard
            with guard(g._data):
                return _execute(roots, root_grads, keep_graph, create_graph, targets, capture)
    if _quiet_numpy.ours_first():
        return _execute(roots, root_grads, keep_graph, create_graph, targets, capture)
    with _np.errstate(all='ignore'):
        return _execute(roots, root_grads, keep_graph, create_graph, targets, capture)


def _execute(roots, root_grads, keep_graph, create_graph, targets=None, capture=False):
    """Run the graph backward from ``roots`` (edges) seeded with ``root_grads``.

    targets: {edge: slot}. With ``capture`` the gradients reaching those edges are
    returned (autograd.grad); otherwise they restrict accumulation to those leaves
    (backward(inputs=...)). Without targets every leaf accumulates."""
    deps = {}
    seen = set()
    stack = []
    for node, _ in roots:
        if node not in seen:
            seen.add(node)
            stack.append(node)
    while stack:
        node = stack.pop()
        for nxt, _ in node._next:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    needed = None
    if targets is not None:
        needed = _needed_nodes(roots, deps, {e[0] for e in targets})

    buffers = {}
    for (node, nr), g in zip(roots, root_grads):
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    captured = [None] * len(targets) if capture else None
    given = {_owner(g._data) for g in root_grads}
    ready = []                       # a heap, in PyTorch's order (ready_queue)
    for n in buffers:
        if deps.get(n, 0) == 0:
            _push(ready, n)

    prev = grad_mode.is_grad_enabled()
    grad_mode._set_enabled(create_graph)
    anomaly = _anomaly[0]
    outer, node = _anomaly_running[0], None
    _task_ids[0] += 1
    tasks = running_tasks()
    tasks.append((_task_ids[0], seen, needed, capture))
    try:
        while ready:
            node = ready.pop() if len(ready) == 1 else _pop(ready)
            grads = buffers.pop(node, None) or [None] * node.n_outputs
            run = needed is None or node in needed
            if anomaly:                  # nodes recorded by this backward point back to `node`
                _anomaly_running[0] = node
            results = _run_node(node, grads, run, keep_graph, create_graph, targets,
                                captured, given)
            if anomaly and _anomaly[1]:
                _anomaly_mode.check_nan(node, results)
            for (nxt, nr), g in zip(node._next, results):
                if nxt is None:
                    continue
                if g is not None:
                    buf = buffers.get(nxt)
                    if buf is None:
                        buf = buffers[nxt] = [None] * nxt.n_outputs
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    if ready:
                        _push(ready, nxt)
                    else:                # (a chain: no heap work)
                        ready.append(nxt)
    except Exception:
        if anomaly and node is not None:
            _anomaly_mode.report(node)     # warn with the forward traceback, then re-raise
        raise
    finally:
        tasks.pop()
        grad_mode._set_enabled(prev)
        _anomaly_running[0] = outer
    return captured


def _needed_nodes(roots, deps, target_nodes):
    """Nodes from which a target node can be reached (the only ones worth running)."""
    left = dict(deps)
    stack = list({n for n, _ in roots if left.get(n, 0) == 0})
    order = []
    while stack:                      # topological order: every node before its inputs' nodes
        node = stack.pop()
        order.append(node)
        for nxt, _ in node._next:
            if nxt is not None:
                left[nxt] -= 1
                if left[nxt] == 0:
                    stack.append(nxt)
    needed = set()
    for node in reversed(order):
        if node in target_nodes or any(n in needed for n, _ in node._next if n is not None):
            needed.add(node)
    return needed


def _tensor_hooks(grads, hooks):
    for nr, fns in hooks.items():
        for fn in list(fns):
            if grads[nr] is not None:
                r = fn(grads[nr])
                if r is not None:
                    grads[nr] = _hook_tensor(fn, r, grads[nr])


def _hook_name(fn):
    return getattr(fn, '__name__', '<unknown>')


def _hook_tensor(fn, new, old):
    """A tensor hook's replacement gradient, with PyTorch's checks."""
    from .._tensor import Tensor
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    if new._data.dtype != old._data.dtype:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value "
                           f'(was {old.type()} got {new.type()})')
    return new


def _hook_tuple(fn, new, old, post):
    """A node hook's replacement gradients, with PyTorch's checks."""
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != len(old):
        raise RuntimeError(f"hook '{_hook_name(fn)}' has returned an incorrect number of values "
                           f'(got {len(new)}, but expected {len(old)})')
    if post and any(a is None and b is not None for a, b in zip(old, new)):
        raise RuntimeError("can't replace a None gradient with a non-None value")
    return new


def _post_accumulate(var):
    for fn in list(var._post_acc_hooks):
        r = fn(var)
        if r is not None:
            from .._tensor import Tensor
            if not isinstance(r, Tensor):
                raise TypeError(f"expected Variable, but hook returned '{type(r).__name__}'")
            raise RuntimeError('Tensor post accumulate grad hooks should return None.')


def _run_node(node, grads, run, keep_graph, create_graph, targets, captured, given):
    if not run:                  # leads to no target (every target node is run): no hooks either
        return (None,) * len(node._next)
    if node._pre_hooks:
        _tensor_hooks(grads, node._pre_hooks)
    if type(node) is AccumulateGrad and node.variable._leaf_hooks:
        _tensor_hooks(grads, {0: node.variable._leaf_hooks})
    if node._retain:
        for nr, keep in node._retain.items():
            if grads[nr] is not None:
                keep(grads[nr])
    if targets is not None:
        for nr in range(node.n_outputs):
            slot = targets.get((node, nr))
            if slot is not None and captured is not None:
                captured[slot] = grads[nr]
    if captured is not None and type(node) is AccumulateGrad:
        return ()
    if node._node_pre_hooks:
        for fn in list(node._node_pre_hooks):
            r = fn(tuple(grads))
            if r is not None:
                grads = list(_hook_tuple(fn, r, grads, False))
    if type(node) is AccumulateGrad:
        results = ()
        if captured is None and grads[0] is not None:
            _accumulate(node.variable, grads[0], create_graph, given)
            if node.variable._post_acc_hooks:
                _post_accumulate(node.variable)
    elif all(g is None for g in grads):
        results = (None,) * len(node._next)
    else:
        results = call_backward(node, grads)
    if node._post_hooks:
        for fn in list(node._post_hooks):
            r = fn(results, tuple(grads))
            if r is not None:
                results = _hook_tuple(fn, r, results, True)
    if not keep_graph:
        node.release()
    return results


def call_backward(node, grads):
    """``node.backward(*grads)`` as a tuple, one entry per edge (missing output grads as zeros)."""
    if node._saved is _FREED:
        raise RuntimeError(BACKWARD_TWICE)
    if node.n_outputs > 1 and getattr(node, 'out_meta', None) is not None:
        grads = [g if g is not None else _zeros_for(node, i) for i, g in enumerate(grads)]
    results = node.backward(*grads)
    if not isinstance(results, tuple):
        results = (results,)
    if len(results) != len(node._next):
        raise RuntimeError(f'function {node.name()} returned an incorrect number of gradients '
                           f'(expected {len(node._next)}, got {len(results)})')
    return results


def _zeros_for(node, i):
    from .._tensor import Tensor
    shape, dt = node.out_meta[i]
    return Tensor._make(xp_of_meta(node).zeros(shape, dt))


def xp_of_meta(node):
    import numpy
    return getattr(node, 'xp', numpy)


def _accumulate(var, g, create_graph, given):
    if g.is_sparse or var.is_sparse or (var._grad is not None and var._grad.is_sparse):
        from ..sparse._autograd import accumulate_sparse
        return accumulate_sparse(var, g, create_graph)
    from .._tensor import Tensor
    if g._data.dtype != var._data.dtype:
        g = g.to(var.dtype)
    if g._data.shape != var._data.shape:
        g = g.sum_to_size(var.shape)
    if var._grad is None:
        vd = var._data
        if not vd.flags.c_contiguous and _dense_layout(vd):     # the gradient takes the leaf's strides
            out = Tensor._make(_strided_like(vd))
            if create_graph and g.requires_grad:
                var._grad = out.copy_(g)
            else:
                out._data[...] = g._data
                var._grad = out
            return
        if create_graph and g.requires_grad:     # a copy that stays in the graph, as PyTorch
            from ..ops.creation import empty_like
            var._grad = empty_like(g).copy_(g)
            return
        arr = g._data
        key = _owner(arr)
        if key in given or not arr.flags.c_contiguous:
            arr = arr.copy()
        else:
            given.add(key)
        var._grad = Tensor._make(arr)
    elif create_graph or not var._grad._data.flags.writeable:
        var._grad = var._grad + g
    else:
        var._grad._data += g._data
        var._grad._vc[0] += 1


def _dense_layout(arr):
    from ..ops.index_value import dense
    return dense(arr)


def _strided_like(arr):
    """New memory with ``arr``'s shape and strides (``arr`` dense)."""
    from .._tensor import xp_of
    xp = xp_of(arr)
    buf = xp.empty(arr.size, arr.dtype)
    return xp.lib.stride_tricks.as_strided(buf, arr.shape, arr.strides)
