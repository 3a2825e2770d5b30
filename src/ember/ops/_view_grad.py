"""How writes through views reach autograd: after an in-place op on a view, the base's grad_fn
becomes CopySlices (the base's gradient with the view's region routed through the op), and views
whose base changed re-derive their grad_fn from it when next used (PyTorch's view regeneration)."""
import re

from ..autograd import grad_mode
from ..autograd.anomaly import _state as _anomaly, record_forward as _anomaly_record
from ..autograd.ready_queue import next_seq as _next_seq
from .._tensor import Tensor
from ._op import Op, apply, edge, _new, _MULTI_VIEW
from ._op_record import record as _record


class CopySlices(Op):
    """grad_fn of a base tensor after an in-place op on one of its views."""

    def name(self):
        return 'ember::autograd::CopySlices'

    def __init__(self, base_edge, fn, chain, base_shape, base_dtype):
        self._next = (base_edge,) + fn._next[1:]
        self._seq = _next_seq()
        self.fn, self.chain = fn, chain
        self.base_meta = (base_shape, base_dtype)

    def backward(self, grad):
        # the base's gradient is grad with the view's region replaced by the op's input gradient;
        # written with ember ops (clone, view, copy_) so create_graph differentiates it too
        result = grad.clone()
        grads = self.fn.backward(replay_view(grad, self.chain))
        if not isinstance(grads, tuple):
            grads = (grads,)
        g0 = grads[0]
        region = replay_view(result, self.chain)
        if g0 is None:
            region.zero_()
        else:
            region.copy_(g0)
        return (result,) + tuple(grads[1:])

    def release(self):
        self.fn.release()


def rebase_view(view, fn):
    """After in-place op ``fn`` on ``view``: the base now comes from CopySlices."""
    base = view._base
    cs = CopySlices(edge(base), fn, view._view_chain, base._data.shape, base._data.dtype)
    if _anomaly[0]:
        _anomaly_record(cs)
    if base._retains_grad:
        move_retain(base, cs, 0)
    base._grad_fn, base._output_nr = cs, 0
    base._graph_gen += 1
    regen = _regen(view, Tensor._make(base._data, cs, base._vc))
    if view._retains_grad:
        move_retain(view, regen._grad_fn, regen._output_nr)
    view._grad_fn, view._output_nr = regen._grad_fn, regen._output_nr
    view._graph_seen = base._graph_gen


NOGRAD_VIEW_INPLACE = ("A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
                       "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
                       "code by moving both the view and the inplace either both inside the no_grad block (if you "
                       "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
                       "tracked).")


def multi_view_error(t, what, name=None):
    """PyTorch's error for a change to an output of unbind/split/chunk (or to its base, ``what``)."""
    name = name or t._view_chain[-1][0].__name__[:-9]
    return RuntimeError(f'Output {t._output_nr} of {name} is a view and {what} '
                        'This view is the output of a function that returns multiple views. Such functions do '
                        'not allow the output views to be modified inplace. You should replace the inplace '
                        'operation by an out-of-place one.')


_CUSTOM_VIEW = ('This view was created inside a custom Function (or because an input was returned as-is) and '
                'the autograd logic to handle view+inplace would override the custom backward associated with '
                'the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix '
                'this by cloning the output of the custom Function.')


def _view_name(t):
    return re.sub(r'Backward\d*$', '', t._grad_fn.name().rpartition('::')[2])


def view_inplace_error(t, record):
    """In-place change (grad mode on) of a view made in no_grad mode, or of an output of a custom Function
    that is (a view of) one of its inputs (``_nograd_view == 'custom'``): PyTorch refuses both."""
    if t._nograd_view != 'custom':
        raise RuntimeError(NOGRAD_VIEW_INPLACE)
    if record and t.grad_fn is not None:
        raise RuntimeError(f'Output {t._output_nr} of {_view_name(t)} is a view and is being modified inplace. '
                           + _CUSTOM_VIEW)


def refresh_view(view):
    """Re-derive a view's grad_fn from its base's after the base changed in place (as PyTorch)."""
    base = view._base
    if view._nograd_view == 'custom' and view._grad_fn is not None and base.grad_fn is not None:
        raise RuntimeError(f'Output {view._output_nr} of {_view_name(view)} is a view and its base or another '
                           'view of its base has been modified inplace. ' + _CUSTOM_VIEW)
    if base.grad_fn is None or view._view_chain is None:
        view._graph_seen = base._graph_gen
        return
    if view._grad_fn is not None and any(cls.__name__ in _MULTI_VIEW for cls, _ in view._view_chain):
        raise multi_view_error(view, 'its base or another view of its base has been modified inplace.',
                               _view_name(view))
    view._graph_seen = base._graph_gen
    regen = _regen(view, Tensor._make(base._data, base.grad_fn, base._vc, base._output_nr))
    if view._retains_grad:
        move_retain(view, regen._grad_fn, regen._output_nr)
    view._grad_fn, view._output_nr = regen._grad_fn, regen._output_nr


def move_retain(t, node, nr):
    """``t`` (which called retain_grad) is about to get grad_fn ``node`` (output ``nr``): its retain
    hook leaves the old grad_fn, so ``.grad`` is the gradient of the tensor's current value."""
    old = t._grad_fn
    keep = old._retain.pop(t._output_nr, None) if old is not None and old._retain else None
    if keep is not None:
        if node._retain is None:
            node._retain = {}
        node._retain[nr] = keep


def _regen(view, base):
    """The view taken again from ``base`` (the base with its new grad_fn): as PyTorch, one as_strided
    of the base's memory (AsStridedBackward0) whatever chain of views made it; views that change the
    dtype replay their chain."""
    with grad_mode.enable_grad():
        if view._data.dtype != base._data.dtype:
            return replay_view(base, view._view_chain)
        from .strided import AsStridedBackward0
        kw = dict(size=tuple(view.shape), stride=tuple(view.stride()), storage_offset=view.storage_offset())
        res = apply(AsStridedBackward0, base, **kw)
        if res._grad_fn is None and base._grad_fn is not None:      # an integer view of a tracked base
            record_int(AsStridedBackward0, (base,), res, kw)
        return res


def replay_view(base, chain):
    """Re-apply a view's chain of view ops to ``base`` (a tensor of the base's shape)."""
    x = base
    for cls, kw in chain:
        if '_index' in kw:
            kw = dict(kw)
            i = kw.pop('_index')
            x = apply(cls, x, **kw)[i]
        else:
            x = apply(cls, x, **kw)
    return x


def record_int(cls, inputs, res, kw):
    """Record op ``cls`` for ``res``, an integer or bool result that ``apply`` left untracked (an
    in-place write from a grad-requiring operand, or a view of such a tensor, as PyTorch records
    them): a fresh node (its forward run again for its state) linked to ``inputs``."""
    node = _new(cls)
    node.forward(*[x._data if isinstance(x, Tensor) else x for x in inputs], **kw)
    res._grad_fn, res._output_nr = node, 0
    _record(node, inputs, (res,))
    return node
