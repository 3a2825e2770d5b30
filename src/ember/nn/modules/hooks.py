"""Module hooks: forward (pre-)hooks, full backward (pre-)hooks and the handles that remove them.

Full backward hooks work as in PyTorch: an identity autograd Function wraps the module's
input tensors and another wraps its outputs; hooks on those two graph nodes see (and may
replace) grad_output and grad_input."""
import collections
import itertools
import warnings
import weakref

from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import Function


class RemovableHandle:
    """What register_*_hook returns: ``handle.remove()`` (or a ``with`` block) takes the hook out."""
    next_id = itertools.count()

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = next(RemovableHandle.next_id)
        extras = [] if extra_dict is None else extra_dict if isinstance(extra_dict, list) else [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extras)

    def remove(self):
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id, tuple(r() for r in self.extra_dict_ref))

    def __setstate__(self, state):
        self.hooks_dict_ref = weakref.ref(state[0] if state[0] is not None else collections.OrderedDict())
        self.id = state[1]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in state[2] if d is not None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class BackwardHookFunction(Function):
    """Identity on the tensors it is given; its grad_fn is where module backward hooks attach."""

    @staticmethod
    def forward(ctx, *args):
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx, *grads):
        return grads


def _check_values(new, tensors, indices):
    """PyTorch's checks on the gradients a module backward (pre-)hook hands back: each one (or None)
    must keep the dtype, device and size of the tensor ``tensors[i]`` it stands for."""
    for i in indices:
        value, like = new[i], tensors[i]
        if value is None:
            continue
        if not isinstance(value, Tensor):
            raise TypeError(f"expected Variable, but hook returned '{type(value).__name__}'")
        if value.dtype != like.dtype:
            raise RuntimeError(f"hook 'hook' has changed the type of value (was {like.type()} got {value.type()})")
        if value.device != like.device:
            raise RuntimeError(f"hook 'hook' has changed the device of value (was {like.device} got {value.device})")
        if value.shape != like.shape:
            raise RuntimeError("hook 'hook' has changed the size of value")


class BackwardHook:
    """Full backward (pre-)hooks of one module call: identity nodes wrap the inputs and the
    outputs; the output node records grad_output (and runs pre-hooks, which may replace it),
    the input node hands grad_input to the hooks, which may replace it."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module, self.user_hooks, self.user_pre_hooks = module, user_hooks, user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = self.n_inputs = -1
        self.output_tensors_index = self.input_tensors_index = None

    @staticmethod
    def _pack(indices, values, size):
        res = [None] * size
        for i, v in zip(indices, values):
            res[i] = v
        return tuple(res)

    def _wrap(self, setup, args):
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (any(args[i].requires_grad for i in idx) and grad_mode.is_grad_enabled()):
            return args, None
        new = BackwardHookFunction.apply(*[args[i] for i in idx])
        fn = next(t.grad_fn for t in new if t.grad_fn is not None)
        setup(fn)
        out = list(args)
        for i, v in zip(idx, new):
            out[i] = v
        return (tuple(out) if type(args) is tuple else type(args)(*out)), idx

    def setup_input_hook(self, args):
        def on_inputs(grad_input, _):
            if self.grad_outputs is None:
                return None
            # inputs that need no grad have no edge here; PyTorch's hooks see zeros for them
            given = grad_input
            grad_input = [g if g is not None or not isinstance(a, Tensor) or a.requires_grad else a.new_zeros(a.shape)
                          for g, a in zip(grad_input, [args[i] for i in self.input_tensors_index])]
            res = self._pack(self.input_tensors_index, grad_input, self.n_inputs)
            for hook in self.user_hooks:
                out = hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError('Backward hook returned an invalid number of grad_input, '
                                       f'got {len(out)}, but expected {len(res)}')
                _check_values(out, args, self.input_tensors_index)
                res = out
            self.grad_outputs = None
            return tuple(None if g is None else res[i] for g, i in zip(given, self.input_tensors_index))

        res, self.input_tensors_index = self._wrap(lambda fn: fn.register_hook(on_inputs), args)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        def on_outputs(_, grad_output):
            self.grad_outputs = self._pack(self.output_tensors_index, grad_output, self.n_outputs)
            for pre in self.user_pre_hooks:
                new = pre(self.module, self.grad_outputs)
                if new is None:
                    continue
                if len(new) != len(self.grad_outputs):
                    raise RuntimeError('Backward pre hook returned an invalid number of grad_output, '
                                       f'got {len(new)}, but expected {len(self.grad_outputs)}')
                _check_values(new, args, self.output_tensors_index)
                self.grad_outputs = new
            local = self.grad_outputs
            if self.input_tensors_index is None:      # no input needs grad: hooks fire here
                warnings.warn('Full backward hook is firing when gradients are computed with respect to '
                              'module outputs since no inputs require gradients. See https://docs.pytorch.'
                              'org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.register_full_'
                              'backward_hook for more details.', stacklevel=5)
                for hook in self.user_hooks:
                    r = hook(self.module, (None,) * self.n_inputs, self.grad_outputs)
                    if r is not None and not (isinstance(r, tuple) and all(e is None for e in r)):
                        raise RuntimeError('Backward hook for Modules where no input requires gradient '
                                           'should always return None or None for all gradients.')
                self.grad_outputs = None
            return tuple(local[i] for i in self.output_tensors_index)

        single = not isinstance(result, tuple)
        args = (result,) if single else result
        res, self.output_tensors_index = self._wrap(lambda fn: fn.register_hook(on_outputs), args)
        self.n_outputs = len(args)
        return res[0] if single else res


_NON_FULL = ('Using non-full backward hooks on a Module that does not {} a single Tensor or a tuple of Tensors '
             'is deprecated and will be removed in future versions. This hook will be missing some of the {}. '
             'Please use register_full_backward_hook to get the documented behavior.')
_NON_FULL_NODES = ('Using a non-full backward hook when {} is deprecated and will be removed in future versions. '
                   'This hook will be missing some {}')


def _warn_non_full(inputs, result, grad_fn):
    """The FutureWarnings of PyTorch's legacy (non-full) module backward hooks."""
    def msg(text):          # (as PyTorch, the warning's line is the module call's, in this file)
        warnings.warn(text, FutureWarning, stacklevel=3)
    result = (result,) if isinstance(result, Tensor) else result
    if not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
        return msg(_NON_FULL.format('return', 'grad_output'))
    inputs = (inputs,) if isinstance(inputs, Tensor) else inputs
    if not (isinstance(inputs, tuple) and all(isinstance(i, Tensor) for i in inputs)):
        return msg(_NON_FULL.format('take as input', 'grad_input'))
    out_fns = {r.grad_fn for r in result if r.grad_fn is not None}
    if not out_fns or (len(out_fns) == 1 and grad_fn not in out_fns):
        msg(_NON_FULL_NODES.format('outputs are nested in python data structure', 'grad_output.'))
    elif len(out_fns) > 1:
        msg(_NON_FULL_NODES.format('outputs are generated by different autograd Nodes', 'grad_output. Please use '
                                   'register_full_backward_hook to get the documented behavior.'))
    elif {i.grad_fn for i in inputs if i.grad_fn is not None} != {n for n, _ in grad_fn.next_functions}:
        msg(_NON_FULL_NODES.format('the forward contains multiple autograd Nodes', 'grad_input. Please use '
                                   'register_full_backward_hook to get the documented behavior.'))


class HooksMixin:
    """Hook registration and the hook-running ``__call__`` of nn.Module."""

    # ---------------------------------------------------------------- calling
    def _call_impl(self, *args, **kwargs):
        if not (self._backward_hooks or self._backward_pre_hooks or self._forward_hooks
                or self._forward_pre_hooks):
            return self.forward(*args, **kwargs)
        result, called = None, set()
        try:
            full, non_full = [], []
            if self._backward_hooks:
                (full if self._is_full_backward_hook else non_full).extend(self._backward_hooks.values())
            pre = list(self._backward_pre_hooks.values())
            for hid, hook in list(self._forward_pre_hooks.items()):
                if hid in self._forward_pre_hooks_with_kwargs:
                    r = hook(self, args, kwargs)
                    if r is not None:
                        if not (isinstance(r, tuple) and len(r) == 2):
                            raise RuntimeError('forward pre-hook must return None or a tuple of '
                                               f'(new_args, new_kwargs), but got {r}.')
                        args, kwargs = r
                else:
                    r = hook(self, args)
                    if r is not None:
                        args = r if isinstance(r, tuple) else (r,)
            bw = None
            if full or pre:
                bw = BackwardHook(self, full, pre)
                args = bw.setup_input_hook(args)
            result = self.forward(*args, **kwargs)
            for hid, hook in list(self._forward_hooks.items()):
                if hid in self._forward_hooks_always_called:
                    called.add(hid)
                if hid in self._forward_hooks_with_kwargs:
                    r = hook(self, args, kwargs, result)
                else:
                    r = hook(self, args, result)
                if r is not None:
                    result = r
            if bw is not None:
                if not isinstance(result, (Tensor, tuple)):
                    warnings.warn('For backward hooks to be called, module output should be a Tensor or a '
                                  f'tuple of Tensors but received {type(result)}', stacklevel=2)
                result = bw.setup_output_hook(result)
            if non_full:
                var = result
                while not isinstance(var, Tensor):
                    var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) \
                        else var[0]
                if var.grad_fn is not None:
                    for hook in non_full:
                        var.grad_fn.register_hook(lambda gi, go, h=hook: h(self, gi, go))
                    _warn_non_full(args, result, var.grad_fn)
            return result
        except Exception:
            for hid, hook in list(self._forward_hooks.items()):
                if hid in self._forward_hooks_always_called and hid not in called:
                    try:
                        r = hook(self, args, kwargs, result) if hid in self._forward_hooks_with_kwargs \
                            else hook(self, args, result)
                        if r is not None:
                            result = r
                    except Exception as e:
                        warnings.warn('module forward hook with ``always_call=True`` raised an exception that '
                                      f'was silenced as another error was raised in forward: {e}', stacklevel=2)
            raise

    __call__ = _call_impl

    # ---------------------------------------------------------------- hooks
    def _add_hook(self, store, hook, prepend=False, extra=None, flags=()):
        h = RemovableHandle(store, extra_dict=extra)
        store[h.id] = hook
        for flag in flags:
            flag[h.id] = True
        if prepend:
            store.move_to_end(h.id, last=False)
        return h

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        return self._add_hook(self._forward_pre_hooks, hook, prepend, self._forward_pre_hooks_with_kwargs,
                              [self._forward_pre_hooks_with_kwargs] if with_kwargs else [])

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        flags = ([self._forward_hooks_with_kwargs] if with_kwargs else []) + \
            ([self._forward_hooks_always_called] if always_call else [])
        return self._add_hook(self._forward_hooks, hook, prepend,
                              [self._forward_hooks_with_kwargs, self._forward_hooks_always_called], flags)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    def _backward_kind(self, full):
        if self._is_full_backward_hook is (not full):
            raise RuntimeError('Cannot use both regular backward hooks and full backward hooks on a single '
                               'Module. Please use only one of them.')
        self._is_full_backward_hook = full

    def register_full_backward_hook(self, hook, prepend=False):
        self._backward_kind(True)
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_backward_hook(self, hook):
        self._backward_kind(False)
        return self._add_hook(self._backward_hooks, hook)
