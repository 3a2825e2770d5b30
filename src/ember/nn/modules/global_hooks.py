"""Hooks that apply to every nn.Module (``nn.modules.module.register_module_*_hook``).

They cost nothing while none is registered: ``Module.__call__`` stays the per-module
``HooksMixin._call_impl`` until a global call hook appears, then becomes ``call_with_globals``,
which (for the duration of one call) puts the global hooks in front of the module's own and
runs the usual hook machinery; once every global call hook is removed, the next call puts the
plain ``__call__`` back."""
import collections

from .hooks import HooksMixin, RemovableHandle

__all__ = ['register_module_buffer_registration_hook', 'register_module_module_registration_hook',
           'register_module_parameter_registration_hook', 'register_module_forward_pre_hook',
           'register_module_forward_hook', 'register_module_backward_hook',
           'register_module_full_backward_pre_hook', 'register_module_full_backward_hook',
           '_global_buffer_registration_hooks', '_global_module_registration_hooks',
           '_global_parameter_registration_hooks', '_global_backward_pre_hooks', '_global_backward_hooks',
           '_global_forward_pre_hooks', '_global_forward_hooks', '_global_forward_hooks_always_called',
           '_global_forward_hooks_with_kwargs']

_global_buffer_registration_hooks = collections.OrderedDict()
_global_module_registration_hooks = collections.OrderedDict()
_global_parameter_registration_hooks = collections.OrderedDict()
_global_backward_pre_hooks = collections.OrderedDict()
_global_backward_hooks = collections.OrderedDict()
_global_forward_pre_hooks = collections.OrderedDict()
_global_forward_hooks = collections.OrderedDict()
_global_forward_hooks_always_called = collections.OrderedDict()
_global_forward_hooks_with_kwargs = collections.OrderedDict()
_global_is_full_backward_hook = None

_module_cls = []        # nn.Module, set by module.py (this file can't import it: cycle)

# per-module dict -> global dict merged in front of it during a call
_MERGED = (('_forward_pre_hooks', _global_forward_pre_hooks), ('_forward_hooks', _global_forward_hooks),
           ('_forward_hooks_with_kwargs', _global_forward_hooks_with_kwargs),
           ('_forward_hooks_always_called', _global_forward_hooks_always_called),
           ('_backward_pre_hooks', _global_backward_pre_hooks))


def _has_any_global_hook():
    return bool(_global_backward_pre_hooks or _global_backward_hooks or _global_forward_pre_hooks
                or _global_forward_hooks or _global_forward_hooks_always_called
                or _global_forward_hooks_with_kwargs)


def run_registration_hooks(hooks, module, name, value):
    """Registration hooks may replace the value being registered (None keeps it)."""
    for hook in hooks.values():
        out = hook(module, name, value)
        if out is not None:
            value = out
    return value


def call_with_globals(self, *args, **kwargs):
    """Module.__call__ while global hooks exist: globals run before the module's own hooks."""
    d = self.__dict__
    if not _has_any_global_hook():
        for cls in _module_cls:
            cls.__call__ = HooksMixin._call_impl
        return HooksMixin._call_impl(self, *args, **kwargs)
    if d.get('_in_global_call'):      # re-entrant call of the same module: already merged
        return HooksMixin._call_impl(self, *args, **kwargs)
    saved = {name: d[name] for name, _ in _MERGED}
    saved['_backward_hooks'], saved['_is_full_backward_hook'] = d['_backward_hooks'], d['_is_full_backward_hook']
    for name, glob in _MERGED:
        d[name] = collections.OrderedDict([*glob.items(), *saved[name].items()])
    if _global_backward_hooks and _global_is_full_backward_hook is not None \
            and saved['_is_full_backward_hook'] in (None, _global_is_full_backward_hook):
        d['_backward_hooks'] = collections.OrderedDict([*_global_backward_hooks.items(),
                                                        *saved['_backward_hooks'].items()])
        d['_is_full_backward_hook'] = _global_is_full_backward_hook
    before = {name: set(d[name]) for name, _ in _MERGED}
    d['_in_global_call'] = True
    try:
        return HooksMixin._call_impl(self, *args, **kwargs)
    finally:
        del d['_in_global_call']
        for name, _ in _MERGED:      # keep hooks the module got during the call
            saved[name].update((k, v) for k, v in d[name].items() if k not in before[name])
        d.update(saved)


def _install():
    for cls in _module_cls:
        cls.__call__ = call_with_globals


def _register(store, hook, extra=None):
    handle = RemovableHandle(store, extra_dict=extra)
    store[handle.id] = hook
    return handle


def register_module_buffer_registration_hook(hook):
    """Run ``hook(module, name, buffer)`` whenever any module registers a buffer."""
    return _register(_global_buffer_registration_hooks, hook)


def register_module_module_registration_hook(hook):
    """Run ``hook(module, name, submodule)`` whenever any module registers a submodule."""
    return _register(_global_module_registration_hooks, hook)


def register_module_parameter_registration_hook(hook):
    """Run ``hook(module, name, param)`` whenever any module registers a parameter."""
    return _register(_global_parameter_registration_hooks, hook)


def register_module_forward_pre_hook(hook):
    """A forward pre-hook for every module, run before the module's own."""
    _install()
    return _register(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """A forward hook for every module, run before the module's own."""
    _install()
    handle = _register(_global_forward_hooks, hook, [_global_forward_hooks_always_called,
                                                    _global_forward_hooks_with_kwargs])
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def _backward_kind(full):
    global _global_is_full_backward_hook
    if _global_is_full_backward_hook is (not full):
        raise RuntimeError('Cannot use both regular backward hooks and full backward hooks as a global '
                           'Module hook. Please use only one of them.')
    _global_is_full_backward_hook = full


def register_module_backward_hook(hook):
    """Deprecated: a (non-full) backward hook for every module."""
    _backward_kind(False)
    _install()
    return _register(_global_backward_hooks, hook)


def register_module_full_backward_pre_hook(hook):
    """A full backward pre-hook for every module, run before the module's own."""
    _install()
    return _register(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """A full backward hook for every module, run before the module's own."""
    _backward_kind(True)
    _install()
    return _register(_global_backward_hooks, hook)


def share_memory(self):
    """Move the module's tensors to shared memory (``Tensor.share_memory_``), so processes they are
    sent to (``ember.multiprocessing``) update the same parameters; returns the module."""
    return self._apply(lambda t: t.share_memory_() if hasattr(t, 'share_memory_') else t)
