"""Optimizer base: parameter groups with their options, per-parameter state, state_dict, hooks.

Subclasses define ``step``; it is wrapped once per class so the step pre/post hooks run around it.
Updates work on the raw arrays (``p._data``) in place and bump each tensor's version counter."""
import itertools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from copy import deepcopy

import numpy as np

from .. import _dtype, _quiet_numpy as _quiet
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, is_grad_enabled, _set_enabled
from ._update import scalar_dtype, real_pairs, PairState
from . import optimizer_helpers as _helpers
from .optimizer_helpers import required
globals().update({n: getattr(_helpers, n) for n in _helpers.__all__})   # torch's private helpers


class RemovableHandle:
    """What the register_* methods return: ``handle.remove()`` unregisters the hook."""
    _ids = itertools.count()

    def __init__(self, store):
        self.store, self.id = store, next(self._ids)

    def remove(self):
        self.store.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


def register_optimizer_step_pre_hook(hook):
    """hook(optimizer, args, kwargs) -> None or (args, kwargs), before every optimizer's step."""
    h = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[h.id] = hook
    return h


def register_optimizer_step_post_hook(hook):
    """hook(optimizer, args, kwargs) -> None, after every optimizer's step."""
    h = RemovableHandle(_global_post_hooks)
    _global_post_hooks[h.id] = hook
    return h


def typename(obj):
    """PyTorch's typename: 'ember.FloatTensor' for tensors, 'module.Class' otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in (None, 'builtins') else f'{module}.{cls.__qualname__}'


def zero_grads(params, set_to_none=True):
    """Drop (or zero in place) the .grad of each parameter: shared by Module and Optimizer."""
    for p in params:
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                g = p.grad
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g.zero_()


class Optimizer:
    """Base class of all optimizers: ``params`` (tensors or dicts of groups) and ``defaults``."""

    _tensor_scalars = ()      # per-parameter state entries kept as 0-dim tensors ('step', ...)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of Tensors '
                            'or dicts, but got ' + typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError('optimizer got an empty parameter list')
        if not isinstance(groups[0], dict):
            groups = [{'params': groups}]
        for g in groups:
            self.add_param_group(g)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        step = cls.__dict__.get('step')
        if step is not None and not getattr(step, '_hooked', False):
            cls.step = _with_step_hooks(step)

    def __getstate__(self):
        return {'defaults': self.defaults, 'state': self.state, 'param_groups': self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ('step_pre', 'step_post', 'state_dict_pre', 'state_dict_post',
                     'load_state_dict_pre', 'load_state_dict_post'):
            self.__dict__.setdefault(f'_optimizer_{name}_hooks', OrderedDict())
        self.defaults.setdefault('differentiable', False)
        for group in self.param_groups:         # options added since the state was saved
            for k, v in self.defaults.items():
                group.setdefault(k, v)
        for s in self.state.values():           # old checkpoints kept counters as Python numbers
            for k in self._tensor_scalars:
                if k in s and not isinstance(s[k], Tensor):
                    s[k] = Tensor._make(np.array(float(s[k]), dtype=scalar_dtype()))

    def __repr__(self):
        s = self.__class__.__name__ + ' ('
        for i, group in enumerate(self.param_groups):
            s += f'\nParameter Group {i}\n'
            for key in sorted(group):
                if key != 'params':
                    s += f'    {key}: {group[key]}\n'
        return s + ')'

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with 'params' and options) to optimize."""
        if not isinstance(param_group, dict):
            raise TypeError(f'param_group must be a dict, but got {type(param_group)}')
        params = param_group['params']
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError('optimizer parameters need to be organized in ordered collections, but the '
                            'ordering of tensors in sets will change between runs. Please use a list instead.')
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group['params'] = params
        if names:
            if len(names) != len(params):
                raise ValueError('all optimizer params should be with/without names. Some param names are missing')
            param_group['param_names'] = names
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError('optimizer can only optimize Tensors, but one of the params is ' + typename(p))
            if not self.defaults.get('differentiable', None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization "
                                 f'parameter {name}')
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn('optimizer contains a parameter group with duplicate parameters; in future, this '
                          'will cause an error; see github.com/pytorch/pytorch/issues/40967 for more '
                          'information', stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group['params'])
            if ('param_names' in param_group) != ('param_names' in group):
                txt = 'with names' if 'param_names' in param_group else 'without names'
                raise ValueError('all optimizer param groups should be with/without names. '
                                 f'cannot add param group {txt} to the optimizer')
        if any(id(p) in seen for p in params):
            raise ValueError('some parameters appear in more than one parameter group')
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default)."""
        zero_grads((p for g in self.param_groups for p in g['params']), set_to_none)

    def step(self, closure=None):
        raise NotImplementedError

    def _fill_state(self, p, state, group):
        """Create a parameter's state on its first update (``step`` first, as PyTorch orders it)."""
        raise NotImplementedError

    # PyTorch's refusal of a sparse gradient (None: the class handles sparse gradients itself)
    _sparse_error = '{} does not support sparse gradients'
    # what PyTorch's capturable device check names, and the devices it accepts
    _capturable_what = 'params and state_steps'
    _capturable_devices = ['cuda', 'xpu', 'hpu', 'privateuseone', 'xla']

    def _check_updates(self, group, todo):
        """The checks PyTorch makes before updating: sparse gradients refused, capturable only on
        supported devices. Raised before any state is created, so a failed step changes nothing."""
        if self._sparse_error is not None and any(p._grad.is_sparse for p in todo):
            raise RuntimeError(self._sparse_error.format(type(self).__name__))
        if group.get('capturable'):
            ok = self._capturable_devices
            for p in todo:
                kind = p.device.type
                step = self.state[p].get('step') if p in self.state else None
                if kind not in ok or (isinstance(step, Tensor) and step.device.type != kind):
                    raise AssertionError(f'If capturable=True, {self._capturable_what} must be on supported '
                                         f'devices: {ok}.')

    def _updates(self, group):
        """(p, state, x, g) for each parameter of ``group`` with a gradient, on raw arrays: new state
        by ``_fill_state``, step counter advanced, g negated under maximize (a sparse g: a Tensor)."""
        todo = [p for p in group['params'] if p._grad is not None]
        for g in (self.param_groups if group is self.param_groups[0] else ()):   # all, before any changes
            self._check_updates(g, [p for p in g['params'] if p._grad is not None])
        for p in todo:
            state = self.state[p]
            if len(state) == 0:
                self._fill_state(p, state, group)
            grad = p._grad
            if grad.is_sparse:
                state['step']._data += 1
                yield p, state, p._data, (-grad if group['maximize'] else grad)
                continue
            g = grad._data
            if group['maximize']:
                g = -g
            state['step']._data += 1
            x = p._data
            if x.dtype.kind == 'c':     # as PyTorch: a complex parameter updates as (real, imag) pairs
                yield p, PairState(state), real_pairs(x), real_pairs(g)
                continue
            yield p, state, x, g

    _grad_first_in_errors = False     # PyTorch's shape error names the gradient as tensor a

    def _state_shape_error(self, err):
        """PyTorch's RuntimeError for the NumPy broadcasting ValueError a step hits when a state
        tensor's shape does not fit its parameter's gradient (state loaded from another model):
        found, on the error path only, as the first such state tensor in update order."""
        if 'broadcast' not in str(err):
            return None
        from ..ops.broadcast_errors import broadcast_mismatch
        for group in self.param_groups:
            for p in group['params']:
                g = p._grad
                if g is None or g.is_sparse or p not in self.state:
                    continue
                for v in self.state[p].values():
                    if isinstance(v, Tensor) and not v.is_sparse and v.dim():
                        pair = (g.shape, v.shape) if self._grad_first_in_errors else (v.shape, g.shape)
                        e = broadcast_mismatch(pair)
                        if e is not None:
                            return e
        return None

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------ state_dict
    def state_dict(self):
        """{'state': {index: per-parameter state}, 'param_groups': [options + 'params': indices]}."""
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index, groups, start = {}, [], 0
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != 'params'}
            for i, p in enumerate(g['params'], start):
                index.setdefault(id(p), i)
            packed['params'] = [index[id(p)] for p in g['params']]
            start += len(packed['params'])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        sd = {'state': state, 'param_groups': groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            res = hook(self, sd)
            if res is not None:
                sd = res
        return sd

    def load_state_dict(self, state_dict):
        """Load a state_dict from ``state_dict()``; state tensors move to each parameter's dtype/device."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            res = hook(self, state_dict)
            if res is not None:
                state_dict = res
        groups = self.param_groups
        saved = deepcopy(state_dict['param_groups'])
        if len(groups) != len(saved):
            raise ValueError('loaded state dict has a different number of parameter groups')
        if any(len(g['params']) != len(s['params']) for g, s in zip(groups, saved)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                             "of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(s['params'] for s in saved),
                          itertools.chain.from_iterable(g['params'] for g in groups)))

        def cast(param, value, policy, key=None):
            # as PyTorch 2.13: a tensor whose dtype and device already match is shared, not copied
            if isinstance(value, Tensor):
                if key == 'step':
                    out = value.to(dtype=_dtype.float32, device=param.device) if policy else value
                elif param.is_floating_point():
                    out = value.to(dtype=param.dtype, device=param.device)
                else:
                    out = value.to(device=param.device)
                return out
            if isinstance(value, dict):
                return {k: cast(param, v, policy, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, (str, bytes)):
                return type(value)(cast(param, v, policy) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            if k in id_map:
                param = id_map[k]
                pg = next((g for g in state_dict['param_groups'] if k in g['params']), {})
                state[param] = cast(param, v, pg.get('fused', False) or pg.get('capturable', False))
            else:
                state[k] = v
        for g, s in zip(groups, saved):
            s['params'] = g['params']
            if 'param_names' in g and 'param_names' not in s:
                s['param_names'] = g['param_names']
        self.__setstate__({'state': state, 'param_groups': saved})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # ------------------------------------------------------------------ hooks
    def _register(self, store, hook, prepend=False):
        h = RemovableHandle(store)
        store[h.id] = hook
        if prepend:
            store.move_to_end(h.id, last=False)
        return h

    def register_step_pre_hook(self, hook):
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)


def _with_step_hooks(step):
    """Wrap a subclass's step: hooks around it, grad mode off inside (unless differentiable)."""
    def wrapper(self, *args, **kwargs):
        for hook in itertools.chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
            res = hook(self, args, kwargs)
            if res is not None:
                if isinstance(res, tuple) and len(res) == 2:
                    args, kwargs = res
                else:
                    raise RuntimeError(f'{step} must return None or a tuple of (new_args, new_kwargs), '
                                       f'but got {res}.')
        prev = is_grad_enabled()
        _set_enabled(False)
        try:
            with _quiet.quiet():         # (update rules on raw arrays: no NumPy inf/nan warnings)
                out = step(self, *args, **kwargs)
        except ValueError as e:
            err = self._state_shape_error(e)
            if err is None:
                raise
            raise err from None
        finally:
            _set_enabled(prev)
        for hook in itertools.chain(self._optimizer_step_post_hooks.values(), _global_post_hooks.values()):
            hook(self, args, kwargs)
        return out
    wrapper.__name__, wrapper.__qualname__, wrapper.__doc__ = step.__name__, step.__qualname__, step.__doc__
    wrapper.__wrapped__ = step
    wrapper._hooked = True
    return wrapper
