"""The op pattern: one class per op, forward on raw arrays, backward in Tensor ops.

    class ExpBackward0(Op):            # the class name is the grad_fn name users see
        saves_output = True
        def forward(self, a):          # raw numpy/cupy arrays in, array out
            return xp(a).exp(a)
        def backward(self, grad):      # Tensors in, Tensors out (one per input)
            out, = self.saved_tensors
            return grad * out

    exp = lambda x: apply(ExpBackward0, x)

``apply`` runs forward and, when grad mode is on and an input requires grad, records the node (edges, saved
tensors with their versions). Views share the input's memory and version counter; ``apply_inplace`` writes
a result into an existing tensor with PyTorch's checks (CopySlices when that tensor is a view)."""
import warnings as _warnings
import numpy as np

from .._tensor import Tensor, xp_of
from .._tensor_subclass import subclass_of as _subclass_of
from ..autograd import grad_mode
from ..autograd.node import Node, resave_output, _FREED
from .. import _dtype, _quiet_numpy as _quiet
from . import _devices
from .broadcast_errors import translate as _translate
from .index_value import input_overlap
from ._op_record import record as _record

_new, _ndarray, _generic, _local = object.__new__, np.ndarray, np.generic, grad_mode._local
_NUMBERS = frozenset((int, float, bool, complex))
_head = _quiet.head


class Op(Node):
    saves = ()               # indices of inputs kept for backward
    saves_output = False     # keep the output too (after the inputs)
    save_needs = None        # {input index: inputs its gradient needs}; None: keep all of `saves`
    is_view = False          # output shares memory with input 0
    differentiable = True
    any_cast = False         # in-place form may write any dtype into its target (copy_, fill_)
    records_int_target = True  # in-place into an int/bool tensor from a grad-requiring operand is recorded
    forward_inplace = None   # optional fast path writing straight into the target array
    nondiff_outputs = ()     # output indices that never require grad (e.g. argmax indices)
    n_outputs = 1
    operand_arg = None       # name of a later input that must be a Tensor or a Number (argcheck.op_operand_error)
    operand_numbers = True   # ... or False: a Tensor only (mm, dot, ...)
    _free = ()               # attributes holding arrays, dropped after backward

    def forward(self, *arrays):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError(f'{self.name()} has no backward')

    def release(self):
        if self._saved is not None or self._free:
            self._saved = _FREED
        for name in self._free:
            self.__dict__.pop(name, None)


class NotImplementedNode(Op):
    """An op PyTorch records on the graph but cannot differentiate: its backward raises.
    Subclasses set ``aten`` (the op's name in the message)."""
    aten = ''

    def backward(self, *grads):
        raise RuntimeError(f'derivative for aten::{self.aten} is not implemented')

    def name(self):
        return 'ember::autograd::NotImplemented'     # PyTorch: torch::autograd::NotImplemented


def requires_grad(x):
    return isinstance(x, Tensor) and (x._requires_grad or x._grad_fn is not None)


def edge(x):
    if isinstance(x, Tensor):
        if x._base is not None and x._graph_seen != x._base._graph_gen:
            from ._view_grad import refresh_view
            refresh_view(x)
        if x._grad_fn is not None:
            return (x._grad_fn, x._output_nr)
        if x._requires_grad:
            return (x._grad_accumulator(), 0)
    return (None, 0)


def apply(cls, *inputs, **kw):
    """Run op ``cls`` on ``inputs`` (Tensors or Python scalars); kw go to forward."""
    node = _new(cls)
    arrays = []
    wants = False
    host = True
    sub = None               # a user's Tensor subclass among the inputs: the results take it
    for x in inputs:
        if isinstance(x, Tensor):
            if x.__class__ is not Tensor and x._propagates:
                sub = x.__class__
            d = x._data
            arrays.append(d)
            if type(d) is not _ndarray:
                host = False
            if x._base is not None and x._graph_seen != x._base._graph_gen:
                from ._view_grad import refresh_view
                refresh_view(x)
            if not wants and (x._requires_grad or x._grad_fn is not None):
                wants = True
        else:
            if x.__class__ not in _NUMBERS or not cls.operand_numbers:
                if not arrays and isinstance(x, (_ndarray, _generic)):     # PyTorch's parser refuses NumPy input
                    from .argcheck import op_input_error
                    raise op_input_error(cls, x)
                if cls.operand_arg is not None and (not isinstance(x, _generic) or not cls.operand_numbers):
                    from .argcheck import op_operand_error
                    raise op_operand_error(cls, inputs, len(arrays))
            arrays.append(x)
    try:
        if not host:
            out = _devices.run_on_device(node, inputs, arrays, kw)
        elif (f := _warnings.filters) and f[0] is _head[0] or _quiet.ours_first():
            out = node.forward(*arrays, **kw)
        else:                            # a user's warnings filter sits before ember's 'ignore'
            with np.errstate(all='ignore'):
                out = node.forward(*arrays, **kw)
    except ValueError as e:
        raise _translate(e, arrays) from None
    enabled = getattr(_local, 'enabled', True)
    record = wants and cls.differentiable and enabled
    if type(out) is not tuple:
        if isinstance(out, _generic):
            out = np.asarray(out)
        res = _new(Tensor)
        res._data = out
        if cls.is_view:
            base = inputs[0]
            res._vc = base._vc
            res._base = root = base._base if base._base is not None else base
            res._view_chain = _chain(base, cls, kw)
            res._graph_seen = root._graph_gen
            if base._nograd_view or not enabled:
                res._nograd_view = base._nograd_view or True     # 'custom' (Function views) sticks
            if base._inference:
                res._inference = True
        else:
            res._vc = [0]
            if not enabled and _local.__dict__.get('inference'):
                res._inference = True
        if record and out.dtype.kind in 'fVc':          # integer and bool results are constants
            res._grad_fn = node
            _record(node, inputs, (res,))
        if sub is not None:
            res.__class__ = _subclass_of(inputs)
        return res
    nd = cls.nondiff_outputs
    res = tuple(Tensor._make(o, node if record and i not in nd else None, None, i)
                for i, o in enumerate(out))
    if cls.is_view:
        base = inputs[0]
        for i, r in enumerate(res):
            r._vc, r._base = base._vc, (base._base if base._base is not None else base)
            r._view_chain = _chain(base, cls, dict(kw, _index=i))
            r._graph_seen = r._base._graph_gen
            if base._nograd_view or not enabled:
                r._nograd_view = base._nograd_view or True
            r._inference = base._inference
    if record:
        node.out_meta = [(o.shape, o.dtype) for o in out]
        node.xp = xp_of(out[0]) if out else np
        _record(node, inputs, res)
    if sub is not None:
        sub = _subclass_of(inputs)
        for r in res:
            r.__class__ = sub
    return res


def _chain(base, cls, kw):
    prev = base._view_chain if base._base is not None else ()
    return prev + ((cls, kw),)


# ------------------------------------------------------------------ in-place

_MULTI_VIEW = ('UnbindBackward0', 'SplitBackward0', 'SplitWithSizesBackward0')


VMAP_LOCKED = []     # func.vmap: (ids of the memory owners of the unmapped inputs, message), innermost last


def check_inplace(t, record, op=None):
    """PyTorch's refusals for in-place ops on tensors autograd needs intact (``op``: the op's class or
    name, for the writes PyTorch allows into an expanded tensor)."""
    if t._inference:
        _inference_write(t)
    if VMAP_LOCKED:
        a = t._data
        if id(a if a.base is None else a.base) in VMAP_LOCKED[-1][0]:
            raise RuntimeError(VMAP_LOCKED[-1][1])
    if not t._data.flags.writeable:             # an expanded tensor, or a view of one
        from .index_value import shared_target
        shared_target(t, op)
    if record and t._view_chain and t._view_chain[-1][0].__name__ in _MULTI_VIEW and t._grad_fn is not None:
        from ._view_grad import multi_view_error
        raise multi_view_error(t, 'is being modified inplace.')
    if record and t._grad_fn is None and t._requires_grad:
        raise RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.')
    if record and t._base is not None and t._base._requires_grad and t._base._grad_fn is None:
        raise RuntimeError('a view of a leaf Variable that requires grad is being used in an '
                           'in-place operation.')


def _inference_write(t):
    if not _local.__dict__.get('inference'):
        raise RuntimeError(grad_mode.INFERENCE_INPLACE)


def can_cast(src, dst):
    """In-place results may not move to a lower dtype category (float -> int, int -> bool)."""
    return src.category <= dst.category


def cast_check(result_np_dtype, t):
    src = _dtype._FROM_NP[result_np_dtype]
    dst = t.dtype
    if not can_cast(src, dst):
        from .._tensor import _scalar_name
        raise RuntimeError(f"result type {_scalar_name(src)} can't be cast to the desired "
                           f'output type {_scalar_name(dst)}')


def write_into(t, arr):
    """Copy ``arr`` into ``t``'s memory (broadcasting, casting) and bump its version."""
    if t._inference:
        _inference_write(t)
    if arr is not t._data:
        dst = t._data
        try:
            if dst.ndim == 0 and type(dst) is np.ndarray:
                dst[()] = arr
            else:
                xp_of(dst).copyto(dst, arr, casting='unsafe')
        except ValueError:
            if dst.flags.writeable:
                raise
            from .index_value import write_shared     # read-only: a view of an expanded tensor
            write_shared(dst, arr)
    t._vc[0] += 1


def _check_operand(cls, t, others, x):
    """The in-place method's TypeError for a non-Tensor operand that is not a Number (see apply)."""
    if x.__class__ not in _NUMBERS and not (cls.operand_numbers and isinstance(x, _generic)) or \
            not cls.operand_numbers:
        from .argcheck import op_operand_error
        raise op_operand_error(cls, (t,) + others, 1 + next(i for i, o in enumerate(others) if o is x), inplace=True)


def apply_inplace(cls, t, *others, **kw):
    """Run op ``cls`` on (t, *others) and write the result into ``t``."""
    record = cls.differentiable and getattr(_local, 'enabled', True) and (
        t._requires_grad or t._grad_fn is not None or any(requires_grad(x) for x in others))
    if t._nograd_view and getattr(_local, 'enabled', True) and (record or t._base.requires_grad):
        from ._view_grad import view_inplace_error
        view_inplace_error(t, record)
    check_inplace(t, record, cls)
    if not record:
        if t._grad_fn is not None:     # as PyTorch, views re-derive their grad_fn after any in-place change
            (t if t._base is None else t._base)._graph_gen += 1
        node = _new(cls)
        host = type(t._data) is _ndarray
        arrays = []
        for x in others:
            if isinstance(x, Tensor):
                if x._vc is t._vc:          # an input sharing t's memory (a view of the same base)
                    input_overlap(cls, t, x)
                x = x._data
                if type(x) is not _ndarray:
                    host = False
            elif cls.operand_arg is not None:
                _check_operand(cls, t, others, x)
            arrays.append(x)
        if host:
            return _write_result(cls, node, t, arrays, kw)
        arrays = _devices.same_device((t,) + others, [t._data] + arrays, inplace=True)[1:]
        with _devices.guard(t._data):
            return _write_result(cls, node, t, arrays, kw)
    for x in others:
        if isinstance(x, Tensor):
            if x._vc is t._vc:
                input_overlap(cls, t, x)
        elif cls.operand_arg is not None:
            _check_operand(cls, t, others, x)
    src = t
    if 0 in cls.saves:          # backward needs the old value of t: keep a copy of it
        src = Tensor._make(t._data.copy(), t.grad_fn, None, t._output_nr)
        src._requires_grad = t._requires_grad
        src._acc = t._acc
    res = apply(cls, src, *others, **kw)
    if res._data.shape != t._data.shape:
        _shape_error(res._data.shape, t._data.shape)
    if not cls.any_cast:
        cast_check(res._data.dtype, t)
    node = res._grad_fn
    if node is None and cls.records_int_target:     # an int/bool target: PyTorch records it (not copy_)
        from ._view_grad import record_int
        node = record_int(cls, (src,) + others, res, kw)
    write_into(t, res._data)
    if node is None:
        return t
    if cls.saves_output:        # the saved output is t itself, checked at its version after the write
        resave_output(node, t)
    if t._base is not None and t._view_chain is not None:
        from ._view_grad import rebase_view
        rebase_view(t, node)
    else:
        if t._retains_grad:                     # retain_grad follows the tensor to its new grad_fn
            from ._view_grad import move_retain
            move_retain(t, node, 0)
        t._grad_fn, t._output_nr = node, 0
        t._graph_gen += 1                       # its views re-derive their grad_fn when next used
    return t


def _write_result(cls, node, t, arrays, kw):
    """In-place op without autograd: compute and write into ``t``."""
    try:
        if cls.forward_inplace is not None and node.forward_inplace(t._data, *arrays, **kw):
            t._vc[0] += 1
            return t
    except ValueError:
        if t._data.flags.writeable:     # (read-only: a view of an expanded tensor, written by write_into)
            raise
    try:
        if (f := _warnings.filters) and f[0] is _head[0] or _quiet.ours_first():
            out = node.forward(t._data, *arrays, **kw)
        else:                            # as in apply: PyTorch never warns about inf/nan
            with np.errstate(all='ignore'):
                out = node.forward(t._data, *arrays, **kw)
    except ValueError as e:
        raise _translate(e, [t._data] + arrays) from None
    if out.shape != t._data.shape:
        _shape_error(out.shape, t._data.shape)
    if not cls.any_cast:
        cast_check(out.dtype, t)
    write_into(t, out)
    return t


def _shape_error(got, want):
    raise RuntimeError(f"output with shape {list(want)} doesn't match the broadcast shape {list(got)}")
