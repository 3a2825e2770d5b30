"""Graph nodes (``grad_fn``): the backward steps recorded by ops.

A node knows the edges to the nodes of its inputs (``next_functions``), keeps what its
backward needs (saved tensors, checked against their version counters) and releases it
after a backward pass unless the graph is retained.
"""
import re

from .anomaly import _state as _anomaly, record_forward as _anomaly_record
from . import saved_hooks as _saved_hooks
from .ready_queue import next_seq as _next_seq, LEAF_SEQ

_FREED = object()

BACKWARD_TWICE = (
    'Trying to backward through the graph a second time (or directly access saved tensors '
    'after they have already been freed). Saved intermediate values of the graph are freed '
    'when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to '
    'backward through the graph a second time or if you need to access saved tensors after '
    'calling backward.')


def _modified_error(t, found, expected):
    cuda = t.device.type == 'cuda'
    legacy = t.dtype.legacy
    if legacy is None or legacy in ('BFloat16Tensor', 'BoolTensor'):     # PyTorch's CPUBFloat16Type, ...
        from .._tensor import _scalar_name
        kind = f'{"CUDA" if cuda else "CPU"}{_scalar_name(t.dtype)}Type'
    else:
        kind = f'ember.{"cuda." if cuda else ""}{legacy}'
    desc = f'[{kind} [{", ".join(str(s) for s in t.shape)}]]'
    if t.grad_fn is not None:
        desc += f', which is output {t._output_nr} of {_short_name(t.grad_fn.name())},'
    return RuntimeError(
        'one of the variables needed for gradient computation has been modified by an inplace '
        f'operation: {desc} is at version {found}; expected version {expected} instead. Hint: '
        'enable anomaly detection to find the operation that failed to compute its gradient, '
        'with ember.autograd.set_detect_anomaly(True, check_nan=False).')


# Ops whose recorded inputs include arguments PyTorch does not differentiate (integer targets and
# indices, bool masks, Python numbers, loss weights): {node name: indices of the inputs it lists}
_SHOWN_INPUTS = {
    'WhereBackward0': (1, 2), 'MaskedFillBackward0': (0,), 'MaskedFillBackward1': (0, 2),
    'MaskedScatterBackward0': (0, 2), 'MaskedSelectBackward0': (0,), 'TakeBackward0': (0,),
    'ScatterBackward1': (0,), 'IndexFillBackward0': (0,), 'EmbeddingBackward0': (0,), 'PutBackward0': (0, 1),
    'ClampMinBackward1': (0, 1), 'ClampMaxBackward1': (0, 2), 'DivBackward1': (0,),
    'NllLossBackward0': (0,), 'NllLoss2DBackward0': (0,), 'CtcLossBackward0': (0,),
    'BinaryCrossEntropyBackward0': (0, 1), 'BinaryCrossEntropyWithLogitsBackward0': (0, 1),
    'SoftMarginLossBackward0': (0,), 'MultiMarginLossBackward0': (0,), 'MultilabelMarginLossBackward0': (0,),
}


class Node:
    """Base of every grad_fn. Subclasses implement ``backward(*grad_outputs)``."""

    _next = ()            # ((node or None, output_nr), ...) one per input
    _saved = None         # saved entries, or _FREED after release
    _pre_hooks = None     # {output_nr: [hook(grad) -> grad|None]} (tensor hooks, retain_grad)
    _node_pre_hooks = None
    _post_hooks = None
    _meta = None
    _seq = 0              # sequence number: the engine runs the ready node made last first
    n_outputs = 1

    def __init__(self):
        self._seq = _next_seq()
        if _anomaly[0]:          # Function nodes; op nodes are recorded in ops/_op.py
            _anomaly_record(self)

    def name(self):
        return type(self).__name__

    @property
    def next_functions(self):
        """One (node, output_nr) per differentiable tensor argument of the op, as PyTorch lists them:
        the engine's edges (``_next``, one per input) less the inputs PyTorch does not count."""
        shown = _SHOWN_INPUTS.get(type(self).__name__)
        if shown is None:
            return self._next
        return tuple(e for i, e in enumerate(self._next) if i in shown or e[0] is not None)

    @property
    def metadata(self):
        if self._meta is None:
            self._meta = {}
        return self._meta

    @property
    def needs_input_grad(self):
        return tuple(n is not None for n, _ in self._next)

    def __repr__(self):
        return f"<{self.name().rpartition('::')[2]} object at {id(self):#x}>"

    def __call__(self, *grads):
        """Run this node's backward on ``grads`` (one per output), in the current grad mode: the gradient
        for each input edge (a single tensor when there is one edge)."""
        if len(grads) != self.n_outputs:
            raise TypeError(f'expected {self.n_outputs} arguments, got {len(grads)} instead')
        from .engine import call_backward
        result = call_backward(self, list(grads))
        return result[0] if len(result) == 1 else result

    # ---- saving for backward
    def save(self, *tensors):
        """Keep input tensors for backward; a later in-place change to any is an error."""
        saved = tuple((t, t._vc[0]) if t is not None else None for t in tensors)
        hooks = _saved_hooks.current()
        self._saved = saved if hooks is None else tuple(_saved_hooks.pack_entries(saved, self, hooks))

    @property
    def saved_tensors(self):
        s = self._saved
        if s is _FREED:
            raise RuntimeError(BACKWARD_TWICE)
        if s is None:
            return ()
        out = []
        for entry in s:
            if entry is None:
                out.append(None)
                continue
            t, ver = entry
            if ver is None:            # a saved Python scalar
                out.append(t.value)
                continue
            if type(t) is _SavedOutput:
                t = t.unpack(self)
            elif type(t) is _saved_hooks.Packed:     # no version check, as in PyTorch
                out.append(t.unpack())
                continue
            if t._vc[0] != ver:
                raise _modified_error(t, t._vc[0], ver)
            out.append(t)
        return tuple(out)

    def release(self):
        if self._saved is not None:
            self._saved = _FREED

    # ---- hooks
    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) -> new grad_inputs or None, after this node runs."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _Handle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) -> new grad_outputs or None, before this node runs."""
        if self._node_pre_hooks is None:
            self._node_pre_hooks = []
        self._node_pre_hooks.append(fn)
        return _Handle(self._node_pre_hooks, fn)

    _retain = None        # {output_nr: hook} for retain_grad, run after the tensor hooks

    def _add_tensor_hook(self, nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.setdefault(nr, [])
        hooks.append(fn)
        return _Handle(hooks, fn)


def _short_name(name):
    """A node's name as PyTorch's modified-tensor message gives it: ExpBackward0 -> Exp, EluBackward1 -> Elu1."""
    return re.sub(r'Backward(0?)([0-9]*)$', r'\2', name)


class _Handle:
    """What register_hook returns: ``handle.remove()`` takes the hook out again."""

    def __init__(self, hooks, fn):
        self._hooks, self._fn = hooks, fn

    def remove(self):
        try:
            self._hooks.remove(self._fn)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _SavedOutput:
    """An op's own output saved for its backward, held without a reference cycle.

    It keeps the array and version counter; unpacking builds a tensor whose grad_fn is
    the node again, so a create_graph backward differentiates through it."""

    __slots__ = ('_data', '_vc', '_output_nr')

    def __init__(self, t):
        self._data, self._vc, self._output_nr = t._data, t._vc, t._output_nr

    def unpack(self, node):
        from .._tensor import Tensor
        return Tensor._make(self._data, node, self._vc, self._output_nr)


def save_output(node, t):
    """Entry for saving ``t`` (an output of ``node``) in node._saved."""
    return (_SavedOutput(t), t._vc[0])


def resave_output(node, t):
    """After an in-place op wrote its output into ``t``: the saved output is ``t`` (memory and version
    counter), expected at its version after the write, so a later in-place change to t is caught."""
    s = node._saved
    if s and s[-1] is not None and type(s[-1][0]) is _SavedOutput:
        sv = s[-1][0]
        sv._data, sv._vc = t._data, t._vc
        node._saved = s[:-1] + ((sv, t._vc[0]),)


class AccumulateGrad(Node):
    """Sink node of a leaf tensor: adds the incoming gradient to ``variable.grad``."""
    _seq = LEAF_SEQ

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return 'ember::autograd::AccumulateGrad'

    def backward(self, grad):      # handled by the engine, which knows create_graph
        raise RuntimeError('AccumulateGrad is run by the engine')


class GraphRoot(Node):
    pass
