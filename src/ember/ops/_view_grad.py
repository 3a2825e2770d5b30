"""How writes through views reach autograd: after an in-place op on a view, the base's grad_fn
becomes CopySlices (the base's gradient with the view's region routed through the op), and views
whose base changed re-derive their grad_fn from it when next used (PyTorch's view regeneration)."""
import re

from ..autograd import grad_mode
from ..autograd.anomaly import _state as _anomaly, record_forward as _anomaly_record
from .._tensor import Tensor
from ._op import Op, apply, edge, replay_view


class CopySlices(Op):
    """grad_fn of a base tensor after an in-place op on one of its views."""

    def name(self):
        return 'ember::autograd::CopySlices'

    def __init__(self, base_edge, fn, chain, base_shape, base_dtype):
        self._next = (base_edge,) + fn._next[1:]
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


_CUSTOM_VIEW = ('This view was created inside a custom Function (or because an input was returned as-is) and '
                'the autograd logic to handle view+inplace would override the custom backward associated with '
                'the custom Function, leading to incorrect gradients. This behavior is forbidden. You can fix '
                'this by cloning the output of the custom Function.')


def _view_name(t):
    return re.sub(r'Backward\d*$', '', t._grad_fn.name().rpartition('::')[2])


def view_inplace_error(t, record):
    """In-place change (grad mode on) of a view made in no_grad mode, or of an output of a custom Function
    that is (a view of) one of its inputs (``_nograd_view == 'custom'``): PyTorch refuses both."""
    from ._op import NOGRAD_VIEW_INPLACE
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
    view._graph_seen = base._graph_gen
    if base.grad_fn is None or view._view_chain is None:
        return
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
        return apply(AsStridedBackward0, base, size=tuple(view.shape), stride=tuple(view.stride()),
                     storage_offset=view.storage_offset())
