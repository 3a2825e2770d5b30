"""ember.autograd.Function: user-defined ops with their own forward and backward.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            y, = ctx.saved_tensors
            return grad * y

    Exp.apply(x)          # grad_fn prints as <ExpBackward object at 0x...>
"""
import functools
import inspect
import warnings

from . import grad_mode, saved_hooks as _saved_hooks
from .node import Node, _FREED, _SavedOutput
from .. import _tensor
from .forward_ad import _levels as _fw_levels


class FunctionCtx:
    """The ``ctx`` of forward/backward; in ember it is the graph node itself."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_diff = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """Graph node of one Function.apply call."""
    _fn = None
    _materialize = True
    _to_save = ()
    _dirty = ()
    _non_diff = ()
    needs_input_grad = ()

    def backward(self, *grads):
        if self._materialize:
            from ..ops.creation import zeros
            grads = tuple(g if g is not None else zeros(shape, dtype=dt, device=dev)
                          for g, (shape, dt, dev) in zip(grads, self._out_meta))
        result = self._fn.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._next)
        if len(result) > n:
            if any(r is not None for r in result[n:]):
                raise RuntimeError(f'function {self.name()} returned an incorrect number of gradients '
                                   f'(expected {n}, got {len(result)})')
            result = result[:n]
        elif len(result) < n:
            raise RuntimeError(f'function {self.name()} returned an incorrect number of gradients '
                               f'(expected {n}, got {len(result)})')
        return tuple(self._checked(i, r) for i, r in enumerate(result))

    def _checked(self, i, r):
        """The gradient for input i, as PyTorch validates it: None for an input that needs none,
        summed down to the input's shape when it broadcasts to it, cast to the input's dtype."""
        if r is None:
            return None
        meta = self._in_meta[i]
        if not isinstance(r, _tensor.Tensor):
            if meta is None:
                raise RuntimeError(f'function {self.name()} returned a gradient different than None at '
                                   f'position {i + 1}, but the corresponding forward input was not a Variable')
            raise RuntimeError(f'expected Variable or None (got {type(r).__name__})')
        if meta is None:
            raise RuntimeError(f'function {self.name()} returned a gradient different than None at position '
                               f'{i + 1}, but the corresponding forward input was not a Variable')
        if self._next[i][0] is None:
            return None
        shape, dtype = meta
        if r.shape != shape:
            if not _expandable(shape, r.shape):
                raise RuntimeError(f'Function {self.name()} returned an invalid gradient at index {i} - got '
                                   f'{list(r.shape)} but expected shape compatible with {list(shape)}')
            r = r.sum_to_size(shape)
        return r if r.dtype == dtype else r.to(dtype)

    def __repr__(self):
        return f'<{type(self).__module__}.{self.name()} object at {id(self):#x}>'

    def release(self):
        if self._saved is not None:
            self._saved = _FREED


def _expandable(shape, target):
    """Whether ``shape`` broadcasts to ``target``."""
    if len(shape) > len(target):
        return False
    return all(a == b or a == 1 for a, b in zip(reversed(shape), reversed(target)))


class _FunctionMeta(type):
    def __init__(cls, name, bases, ns):
        super().__init__(name, bases, ns)
        cls._backward_cls = type(name + 'Backward', (BackwardCFunction,), {'_fn': cls})


class Function(FunctionCtx, metaclass=_FunctionMeta):
    """Subclass with static ``forward(ctx, ...)`` and ``backward(ctx, *grads)``; call ``.apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError('You must implement the forward function for custom autograd.Function.')

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError('You must implement either the backward or vjp method for your custom '
                                  'autograd.Function to use it with backward mode AD.')

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError('You must implement the jvp function for custom autograd.Function to use it with '
                                  'forward mode AD.')

    def __init__(self, *args, **kwargs):
        warnings.warn(f'{type(self)} should not be instantiated. Methods on autograd functions are all static, '
                      'so you should invoke them on the class itself. Instantiating an autograd function will '
                      'raise an error in a future version of PyTorch.', DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError('Legacy autograd function with non-static forward method is deprecated. Please use '
                           'new-style autograd function with static forward method. (Example: '
                           'https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)')

    @staticmethod
    def setup_context(ctx, inputs, output):
        return _NOT_OVERRIDDEN

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from ..ops._op import edge
        custom_setup = cls.setup_context is not Function.setup_context
        if custom_setup:    # like torch: inputs bound to forward's signature, defaults filled in
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, bound.kwargs
        node = cls._backward_cls()
        is_tensor = [isinstance(a, Tensor) for a in args]
        if _fw_levels and cls.jvp is Function.jvp:
            _no_jvp(args)
        node.needs_input_grad = tuple(t and a.requires_grad for t, a in zip(is_tensor, args))
        record = grad_mode.is_grad_enabled() and any(node.needs_input_grad)
        with grad_mode.no_grad():
            if custom_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, out)
            else:
                out = cls.forward(node, *args, **kwargs)
        if record:       # edges first: a dirtied input is about to get this node as grad_fn
            node._next = tuple(edge(a) if t else (None, 0) for a, t in zip(args, is_tensor))
            node._in_meta = tuple((a.shape, a.dtype) if t else None for a, t in zip(args, is_tensor))
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if node._dirty:
            _check_dirty(node._dirty, outs, record)
        dirty = {id(t) for t in node._dirty}
        non_diff = {id(t) for t in node._non_diff}
        wrapped = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            if id(o) in dirty:
                w = o                                   # modified in place: same tensor object
            elif any(o is a for a in args):
                w = Tensor._make(o._data, None, o._vc)  # an input returned as-is: an alias
                if record:
                    _custom_view(w, o)
            else:
                w = o
                if record and o._base is not None and any(o._base is a or o._base is a._base for a in args
                                                          if isinstance(a, Tensor)):
                    _custom_view(w, o)
            if record and id(o) not in non_diff and o.is_floating_point():
                w._grad_fn, w._output_nr = node, i
            wrapped.append(w)
        if record:
            node._out_meta = [(o.shape, o.dtype, o.device) if isinstance(o, Tensor) else ((), None, None)
                              for o in wrapped]
            node.n_outputs = len(outs)
            saved = []
            for i, t in enumerate(node._to_save):
                if t is None:
                    saved.append(None)
                    continue
                if not isinstance(t, Tensor):
                    raise TypeError(f'save_for_backward can only save variables, but argument {i} is of '
                                    f'type {type(t).__name__}')
                pos = next((j for j, w in enumerate(wrapped) if w is t or (isinstance(w, Tensor)
                            and w._data is t._data and w.grad_fn is node)), None)
                if pos is not None and wrapped[pos].grad_fn is node:
                    saved.append((_SavedOutput(wrapped[pos]), wrapped[pos]._vc[0]))
                else:
                    saved.append((t, t._vc[0]))
        else:
            saved = [(t, t._vc[0]) if isinstance(t, Tensor) else None for t in node._to_save]
        hooks = _saved_hooks.current()
        node._saved = tuple(saved if hooks is None else _saved_hooks.pack_entries(saved, node, hooks))
        node._to_save = ()
        return wrapped[0] if single else tuple(wrapped)


_NOT_OVERRIDDEN = object()


def _no_jvp(args):
    """A dual tensor (forward AD) reaching a Function without ``jvp``: PyTorch's error."""
    from .forward_ad import _scan, _current
    from .._tensor import Tensor
    lvl = _current()
    if any(isinstance(a, Tensor) and _scan(a, lvl)[0] for a in args):
        Function.jvp(None)


def _custom_view(w, o):
    """Mark output ``w`` (``o``, an input or a view of one) as PyTorch's view made in a custom Function:
    an in-place change of it (or of its base, seen through it) is refused."""
    root = o._base if o._base is not None else o
    w._base, w._view_chain = root, o._view_chain if o._base is not None else ()
    w._graph_seen, w._nograd_view = root._graph_gen, 'custom'


def _check_dirty(dirty, outs, record):
    """Tensors passed to mark_dirty: a version bump each (as PyTorch), and PyTorch's refusals."""
    for t in dirty:
        t._vc[0] += 1
    if record and any(t._grad_fn is None and t._requires_grad and any(t is o for o in outs) for t in dirty):
        raise RuntimeError('a leaf Variable that requires grad has been used in an in-place operation.')
    if any(not any(t is o for o in outs) for t in dirty):
        raise RuntimeError('Some elements marked as dirty during the forward method were not returned as '
                           'output. The inputs that are modified inplace must all be outputs of the Function.')


def once_differentiable(fn):
    """Marks a backward that cannot itself be differentiated (runs without recording)."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper


class InplaceFunction(Function):
    """Legacy base kept for old code: a Function whose instances carry an ``inplace`` flag."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """Legacy base kept for old code (nested inputs and outputs through ``forward_extended`` /
    ``backward_extended``). As in PyTorch 2, calling an instance fails: the old-style engine entry
    point it relies on no longer exists."""

    def _do_forward(self, *input):
        self._nested_input = input
        return super()._do_forward(*input)      # AttributeError, as in PyTorch

    __call__ = _do_forward

    def save_for_backward(self, *args):
        self.to_save = args

    def mark_dirty(self, *args, **kwargs):
        self.dirty_tensors = args + tuple(kwargs.values())

    def mark_non_differentiable(self, *args, **kwargs):
        self.non_differentiable = args + tuple(kwargs.values())

    def forward_extended(self, *input):
        raise NotImplementedError

    def backward_extended(self, *grad_output):
        raise NotImplementedError
