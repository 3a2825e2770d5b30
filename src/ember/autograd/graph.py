"""ember.autograd.graph: the autograd graph as a thing to inspect and to draw.

    from ember.autograd.graph import to_dot, draw

    loss = model(x).pow(2).mean()
    print(to_dot(loss, params=dict(model.named_parameters())))   # Graphviz DOT text
    draw(loss, 'graph.svg', params=dict(model.named_parameters()))  # needs Graphviz's `dot`

The picture has one box per graph node (``MulBackward0``, ``AddmmBackward0``, ...), a
blue box per leaf that receives a gradient (its AccumulateGrad) labelled with the
parameter's name when ``params`` gives it and its shape, a green box per output tensor,
and an arrow from each node to the node that consumes its result (the reverse of
``next_functions``, i.e. the forward data flow). ``show_saved=True`` adds an orange box
per tensor a node saved for its backward, with its shape.

``Node`` here is the base class of every ``grad_fn``, as in ``torch.autograd.graph``.
"""
import os
import shutil
import subprocess

from .node import Node  # noqa: F401
from .saved_hooks import saved_tensors_hooks, save_on_cpu, disable_saved_tensors_hooks  # noqa: F401

__all__ = ['Node', 'to_dot', 'draw', 'saved_tensors_hooks', 'save_on_cpu', 'disable_saved_tensors_hooks',
           'increment_version', 'register_multi_grad_hook', 'allow_mutation_on_saved_tensors']


def increment_version(tensor):
    """Mark ``tensor`` (or each tensor of an iterable) as changed in place, as an in-place op would."""
    from .._tensor import Tensor
    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        t._vc[0] += 1

_HEADER = ('digraph {',
           '\tgraph [rankdir=TB size="12,12"]',
           '\tnode [align=left fontname=monospace fontsize=10 height=0.2 ranksep=0.1 shape=box '
           'style="filled,rounded"]')
_COLORS = {'node': 'lightgrey', 'leaf': 'lightblue', 'output': 'darkolivegreen1', 'saved': 'orange'}


def _shape(t):
    """A tensor's (or an array's) shape as a Python tuple prints it: (10, 5), (5,), ()."""
    return str(tuple(int(s) for s in t.shape))


def _quote(text):
    """A DOT string literal; newlines become DOT's centred line breaks."""
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n') + '"'


def _outputs(tensor_or_tensors):
    if isinstance(tensor_or_tensors, (tuple, list)):
        return tuple(tensor_or_tensors)
    return (tensor_or_tensors,)


def _node_name(node):
    name = node.name()
    return name.rpartition('::')[2] if name.endswith('AccumulateGrad') else name


def _saved_shapes(node):
    """Shapes of the tensors ``node`` keeps for backward (nothing once they are freed)."""
    saved = getattr(node, '_saved', None)
    if not isinstance(saved, tuple):
        return []
    shapes = []
    for entry in saved:
        if entry is None or entry[1] is None:       # nothing kept, or a Python scalar
            continue
        data = getattr(entry[0], '_data', None)
        if data is not None:
            shapes.append(_shape(data))
    return shapes


def to_dot(tensor_or_tensors, params=None, show_saved=False):
    """Graphviz DOT text of the graph that produced ``tensor_or_tensors``.

    params: {name: tensor} (e.g. ``dict(model.named_parameters())``) to name the leaves.
    show_saved: also draw the tensors each node saved for backward, with their shapes."""
    names = {id(t): name for name, t in (params or {}).items()}
    ids = {}
    lines = list(_HEADER)

    def ident(obj):
        key = id(obj)
        if key not in ids:
            ids[key] = f'n{len(ids)}'
        return ids[key]

    def box(obj, label, kind):
        lines.append(f'\t{ident(obj)} [label={_quote(label)} fillcolor={_COLORS[kind]}]')

    roots, seen, order = [], set(), []
    for i, out in enumerate(_outputs(tensor_or_tensors)):
        label = _shape(out)
        if id(out) in names:
            label = f'{names[id(out)]}\n{label}'
        box(out, label, 'output')
        fn = out.grad_fn
        if fn is None and out.requires_grad:
            fn = out._grad_accumulator()
        if fn is not None:
            roots.append((fn, out))
    stack = [fn for fn, _ in reversed(roots)]
    while stack:                                   # depth first, each node once
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        stack.extend(n for n, _ in reversed(node.next_functions) if n is not None and n not in seen)
    for node in order:                             # number the boxes in reading order
        ident(node)
    edges = []
    for node in order:
        var = getattr(node, 'variable', None)
        if var is not None:
            label = _shape(var)
            if id(var) in names:
                label = f'{names[id(var)]}\n{label}'
            box(node, label, 'leaf')
        else:
            box(node, _node_name(node), 'node')
        for nxt, _ in node.next_functions:
            if nxt is not None:
                edges.append(f'\t{ident(nxt)} -> {ident(node)}')
        if show_saved:
            for k, shape in enumerate(_saved_shapes(node)):
                key = f'{ident(node)}_s{k}'
                lines.append(f'\t{key} [label={_quote("saved " + str(k) + chr(10) + shape)} '
                             f'fillcolor={_COLORS["saved"]}]')
                edges.append(f'\t{key} -> {ident(node)} [style=dashed]')
    for fn, out in roots:
        edges.append(f'\t{ident(fn)} -> {ident(out)}')
    return '\n'.join(lines + edges + ['}']) + '\n'


_NO_DOT = ("draw() needs the Graphviz program 'dot', which was not found on PATH. Install Graphviz "
           "(e.g. `apt install graphviz`, `conda install graphviz` or `brew install graphviz`) and try "
           "again; to_dot() still returns the graph as DOT text without it.")


def draw(tensor_or_tensors, path, format=None, **to_dot_options):
    """Render the graph to an image file with Graphviz's ``dot``; returns ``path``.

    format: 'png', 'svg', 'pdf', ... (default: from the file's extension, else 'png').
    The other keyword arguments go to ``to_dot`` (params, show_saved)."""
    if format is None:
        ext = os.path.splitext(str(path))[1].lstrip('.').lower()
        format = ext or 'png'
    text = to_dot(tensor_or_tensors, **to_dot_options)
    exe = shutil.which('dot')
    if exe is None:
        raise RuntimeError(_NO_DOT)
    proc = subprocess.run([exe, f'-T{format}', '-o', str(path)], input=text.encode(),
                          capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"Graphviz 'dot' failed (exit code {proc.returncode}): "
                           f'{proc.stderr.decode(errors="replace").strip()}')
    return path


# ------------------------------------------------------------------ hooks over several tensors

class _MultiHandle:
    """What register_multi_grad_hook returns: ``remove()`` takes out the hook of every tensor."""

    def __init__(self, handles):
        self.handles = handles

    def remove(self):
        for h in self.handles:
            h.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode='all'):
    """mode 'all': ``fn(grads)`` once per backward pass, after the gradients of all the tensors that
    pass computes are known (None for the others). mode 'any': ``fn(grad)`` with the first gradient
    of one of the tensors that each backward pass computes."""
    from . import engine
    if mode not in ('all', 'any'):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = list(tensors)
    if mode == 'all':
        nodes = [t.grad_fn if t.grad_fn is not None else t._grad_accumulator() for t in tensors]
        pending = {}                  # backward pass id -> [gradients so far, calls still expected]

        def inner(i):
            def hook(grad):
                task = engine.current_task_id()
                state = pending.get(task)
                if state is None:
                    state = pending[task] = [[None] * len(tensors), sum(map(engine.will_execute, nodes))]
                state[0][i] = grad
                state[1] -= 1
                if state[1] == 0:
                    del pending[task]
                    fn(state[0])
            return hook
        return _MultiHandle(tuple(t.register_hook(inner(i)) for i, t in enumerate(tensors)))

    last = [None]           # the backward pass that already called fn (task ids only grow)

    def first(grad):
        task = engine.current_task_id()
        if last[0] == task:
            return
        last[0] = task
        fn(grad)
    return _MultiHandle(tuple(t.register_hook(first) for t in tensors))


# ------------------------------------------------------------------ mutating saved tensors

_mutation_ctx = [None]


class _AllowMutationOnSavedContext:
    """State of one allow_mutation_on_saved_tensors block: the copies kept for backward."""

    def __init__(self):
        self.saved = []

    def clear(self):
        self.saved.clear()


class allow_mutation_on_saved_tensors:
    """Inside, tensors saved for backward may be changed in place afterwards: backward sees the values
    they had when saved. (ember keeps a copy of each saved tensor when it is saved; PyTorch copies it
    when it is first changed. The gradients are the same.) Run forward and backward inside the block."""

    def __enter__(self):
        from .saved_hooks import saved_tensors_hooks
        if _mutation_ctx[0] is not None:
            raise RuntimeError('allow_mutation_on_saved_tensors contexts cannot be nested')
        ctx = _mutation_ctx[0] = _AllowMutationOnSavedContext()

        def pack(t):
            from . import grad_mode
            with grad_mode.no_grad():
                copy = t.detach().clone()
            ctx.saved.append(copy)
            return ctx, copy

        def unpack(packed):
            owner, copy = packed
            if _mutation_ctx[0] is not owner:
                raise AssertionError("Trying to backward outside of the 'allow_mutation_on_saved_tensors' "
                                     'contextin which the graph was originally recorded.')
            return copy
        self._hooks = saved_tensors_hooks(pack, unpack)
        self._hooks.__enter__()
        return ctx

    def __exit__(self, *exc):
        self._hooks.__exit__(*exc)
        _mutation_ctx[0].clear()
        _mutation_ctx[0] = None
        return False
