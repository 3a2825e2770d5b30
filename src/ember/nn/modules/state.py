"""The state-dict half of nn.Module: state_dict / load_state_dict with PyTorch's hooks,
checks and messages. A load that fails leaves the module as it was: every copy is checked
first and only carried out when the whole load succeeds."""
import collections
import threading
from collections.abc import Mapping

from ...autograd import grad_mode

_EXTRA_STATE_KEY_SUFFIX = '_extra_state'
_FILE_ISSUE = ('Please file an issue at https://github.com/pytorch/pytorch/issues/new?template=bug-report.yml '
               'to report this bug.')


class _IncompatibleKeys(collections.namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


class _Pending:
    """The copies/assignments of one load_state_dict call, run only once no error was found."""
    local = threading.local()

    def __init__(self):
        self.actions = []

    def __enter__(self):
        self.outer = getattr(_Pending.local, 'current', None)
        _Pending.local.current = self
        return self

    def __exit__(self, *exc):
        _Pending.local.current = self.outer


def _run_or_defer(fn):
    pending = getattr(_Pending.local, 'current', None)
    if pending is not None:
        pending.actions.append(fn)
    else:
        fn()


class _WrappedHook:
    def __init__(self, hook, module=None):
        self.hook, self.module = hook, module

    def __call__(self, *args):
        return self.hook(self.module, *args) if self.module is not None else self.hook(*args)


class StateDictMixin:
    """state_dict, load_state_dict, extra state and the state-dict hooks of nn.Module."""

    def get_extra_state(self):
        raise RuntimeError('Reached a code path in Module.get_extra_state() that should never be called. '
                           + _FILE_ISSUE)

    def set_extra_state(self, state):
        raise RuntimeError('Reached a code path in Module.set_extra_state() that should never be called. '
                           + _FILE_ISSUE)

    def _has_extra_state(self, name):
        return getattr(type(self), name) is not getattr(StateDictMixin, name)

    # ---------------------------------------------------------------- hooks
    def _register_state_dict_hook(self, hook):
        if getattr(hook, '_from_public_api', False):
            raise RuntimeError('Cannot register the same function as the state dict post hook that was '
                               'previously registered via register_state_dict_post_hook')
        return self._add_hook(self._state_dict_hooks, hook)

    def register_state_dict_post_hook(self, hook):
        hook._from_public_api = True
        return self._add_hook(self._state_dict_hooks, hook)

    def register_state_dict_pre_hook(self, hook):
        return self._add_hook(self._state_dict_pre_hooks, hook)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        return self._add_hook(self._load_state_dict_pre_hooks, _WrappedHook(hook, self if with_module else None))

    def register_load_state_dict_pre_hook(self, hook):
        return self._register_load_state_dict_pre_hook(hook, with_module=True)

    def register_load_state_dict_post_hook(self, hook):
        return self._add_hook(self._load_state_dict_post_hooks, hook)

    # ---------------------------------------------------------------- saving
    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = b if keep_vars else b.detach()
        if self._has_extra_state('get_extra_state'):
            destination[prefix + _EXTRA_STATE_KEY_SUFFIX] = self.get_extra_state()

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        if args:
            import warnings
            warnings.warn('Positional args are being deprecated, use kwargs instead. Refer to https://'
                          'pytorch.org/docs/main/generated/torch.nn.Module.html#torch.nn.Module.state_dict '
                          'for details.', FutureWarning, stacklevel=2)
            destination = args[0] if destination is None else destination
            prefix = args[1] if len(args) > 1 and prefix == '' else prefix
            keep_vars = args[2] if len(args) > 2 and keep_vars is False else keep_vars
        if destination is None:
            destination = collections.OrderedDict()
            destination._metadata = collections.OrderedDict()
        local_metadata = dict(version=self._version)
        if hasattr(destination, '_metadata'):
            destination._metadata[prefix[:-1]] = local_metadata
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, m in self._modules.items():
            if m is not None:
                m.state_dict(destination=destination, prefix=prefix + name + '.', keep_vars=keep_vars)
        for hook in self._state_dict_hooks.values():
            result = hook(self, destination, prefix, local_metadata)
            if not getattr(hook, '_from_public_api', False):
                if result is not None:
                    destination = result
            elif result is not None:
                raise RuntimeError('state_dict post-hook must return None')
        return destination

    # ---------------------------------------------------------------- loading
    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs):
        from ..._tensor import Tensor
        from ..parameter import Parameter, is_lazy
        for hook in self._load_state_dict_pre_hooks.values():
            hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs)
        local = {k: v for k, v in list(self._parameters.items()) + [
            (k, b) for k, b in self._buffers.items() if k not in self._non_persistent_buffers_set] if v is not None}
        assign = local_metadata.get('assign_to_params_buffers', False)
        for name, param in local.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            src = state_dict[key]
            if not isinstance(src, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected ember.Tensor or '
                                  f'Tensor-like object from checkpoint but received {type(src)}')
                continue
            lazy = is_lazy(param)
            if not lazy and param.dim() == 0 and src.dim() == 1 and src.shape[0] == 1:
                src = src[0]
            if not lazy and src.shape != param.shape:
                error_msgs.append(f'size mismatch for {key}: copying a param with shape {src.shape} from '
                                  f'checkpoint, the shape in current model is {param.shape}.')
                continue
            if assign:
                if isinstance(param, Parameter):
                    src = Parameter(src, param.requires_grad) if not isinstance(src, Parameter) \
                        else src.requires_grad_(param.requires_grad)
                _run_or_defer(lambda n=name, s=src: setattr(self, n, s))
            else:
                _run_or_defer(lambda p=param, s=src: p.copy_(s))
        extra_key = prefix + _EXTRA_STATE_KEY_SUFFIX
        if self._has_extra_state('set_extra_state'):
            if extra_key in state_dict:
                _run_or_defer(lambda: self.set_extra_state(state_dict[extra_key]))
            elif strict:
                missing_keys.append(extra_key)
        elif strict and extra_key in state_dict:
            unexpected_keys.append(extra_key)
        if strict:
            for key in state_dict:
                if key.startswith(prefix) and key != extra_key:
                    head = key[len(prefix):].split('.', 1)
                    if (head[0] not in self._modules) if len(head) > 1 else (head[0] not in local):
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        if not isinstance(state_dict, Mapping):
            raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict)}.')
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, '_metadata', None)
        state_dict = collections.OrderedDict(state_dict)
        if metadata is not None:
            state_dict._metadata = metadata
        post_hooks = []
        incompatible = _IncompatibleKeys(missing, unexpected)

        def load(module, local_state, prefix=''):
            meta = {} if metadata is None else metadata.get(prefix[:-1], {})
            if assign:
                meta['assign_to_params_buffers'] = assign
            module._load_from_state_dict(local_state, prefix, meta, True, missing, unexpected, errors)
            for name, child in module._modules.items():
                if child is not None:
                    cp = prefix + name + '.'
                    load(child, {k: v for k, v in local_state.items() if k.startswith(cp)}, cp)
            post_hooks.extend((module, h) for h in module._load_state_dict_post_hooks.values())

        with _Pending() as pending:
            load(self, state_dict)

        def strict_errors():
            out = []
            if strict and missing:
                out.append('Missing key(s) in state_dict: ' + ', '.join(f'"{k}"' for k in missing) + '. ')
            if strict and unexpected:
                out.append('Unexpected key(s) in state_dict: ' + ', '.join(f'"{k}"' for k in unexpected) + '. ')
            return out
        # post hooks may edit missing/unexpected in place, so with hooks the strict check comes after them
        if errors or (not post_hooks and strict_errors()):
            self._raise_load_errors(strict_errors() + errors)
        with grad_mode.no_grad():
            for action in pending.actions:
                action()
        for module, hook in post_hooks:
            if hook(module, incompatible) is not None:
                raise AssertionError('Hooks registered with ``register_load_state_dict_post_hook`` are not '
                                     'expected to return new values, if incompatible_keys need to be '
                                     'modified, it should be done inplace.')
        if strict_errors():
            self._raise_load_errors(strict_errors())
        return _IncompatibleKeys(missing, unexpected)

    def _raise_load_errors(self, msgs):
        raise RuntimeError(f'Error(s) in loading state_dict for {type(self).__name__}:\n\t' + '\n\t'.join(msgs))

