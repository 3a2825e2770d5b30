"""``ember.utils.hooks`` (PyTorch's ``torch.utils.hooks``): the handle hook registrations return,
the module backward-hook helper, and the marks for hooks that are not saved with a tensor."""
import warnings

from ..nn.modules.hooks import BackwardHook, RemovableHandle

__all__ = ['RemovableHandle', 'BackwardHook', 'unserializable_hook', 'warn_if_has_hooks']


def unserializable_hook(f):
    """Mark a tensor hook as one that is not expected to survive saving (no warning for it)."""
    f.__torch_unserializable__ = True
    return f


def warn_if_has_hooks(tensor):
    """Warn for each hook on a leaf tensor that saving it would drop, unless marked unserializable."""
    for hook in getattr(tensor, '_leaf_hooks', None) or ():
        if not hasattr(hook, '__torch_unserializable__'):
            warnings.warn(f'backward hook {hook!r} on tensor will not be serialized.  If this is expected, '
                          'you can decorate the function with @ember.utils.hooks.unserializable_hook to '
                          'suppress this warning')
