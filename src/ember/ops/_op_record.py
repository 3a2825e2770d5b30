"""Recording an op's node on the graph: its edges (the inputs' grad_fns or gradient accumulators) and
the inputs (and output) its backward needs, saved with their versions. ``apply`` in _op.py calls
:func:`record` once per recorded op; the plan of what to keep is worked out once per op class and mask
of wanted gradients."""
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.node import save_output, _next_seq
from ..autograd import saved_hooks as _saved_hooks
from ..autograd.anomaly import _state as _anomaly, record_forward as _anomaly_record


def record(node, inputs, outputs):
    node._seq = _next_seq()
    if _anomaly[0]:                      # anomaly mode: keep the forward call's traceback
        _anomaly_record(node)
    edges, mask, bit = [], 0, 1          # mask bit i: input i has an edge (its gradient is wanted)
    for x in inputs:
        if isinstance(x, Tensor):
            fn = x._grad_fn
            if fn is not None:
                edges.append((fn, x._output_nr))
                mask |= bit
            elif x._requires_grad:
                edges.append((x._grad_accumulator(), 0))
                mask |= bit
            else:
                edges.append(_NO_EDGE)
        else:
            edges.append(_NO_EDGE)
        bit <<= 1
    node._next = tuple(edges)
    cls = type(node)
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = {} if (cls.saves or cls.saves_output) else False
    if plan is False:
        return
    keep = plan.get(mask)
    if keep is None:
        keep = plan[mask] = _keep_for(cls, mask)
    saved = []
    for i in cls.saves:
        if i in keep:
            x = inputs[i]
            if isinstance(x, Tensor):
                if x._inference:
                    raise RuntimeError(grad_mode.INFERENCE_SAVE)
                saved.append((x, x._vc[0]))
            else:
                saved.append((_Const(x), None))
        else:
            saved.append(None)
    if cls.saves_output:
        saved.append(save_output(node, outputs[0]))
    if _saved_hooks._depth[0]:
        hooks = _saved_hooks.current()
        if hooks is not None:
            saved = _saved_hooks.pack_entries(saved, node, hooks)
    node._saved = tuple(saved)


def _keep_for(cls, mask):
    """The saved inputs that the wanted gradients (bits of ``mask``) need."""
    if cls.save_needs is None:
        return frozenset(cls.saves)
    return frozenset(j for i, js in cls.save_needs.items() if mask >> i & 1 for j in js)


_NO_EDGE = (None, 0)
_PLANS = {}     # op class -> False (saves nothing) or {edge mask: indices of the inputs it keeps}


class _Const:
    """A Python scalar saved for backward (no version to check)."""
    __slots__ = ('value',)

    def __init__(self, value):
        self.value = value
