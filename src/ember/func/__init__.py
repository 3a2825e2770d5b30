"""ember.func, as torch.func: composable function transforms.

    grad, grad_and_value, vjp, jvp, linearize     (transforms.py)
    jacrev, jacfwd, hessian                       (jacobians.py)
    vmap                                          (vmap.py)
    stack_module_state, replace_all_batch_norm_modules_, functionalize   (ensemble.py)
    functional_call                               (here: a module run with substitute tensors)
"""
from collections.abc import Sequence

from .transforms import grad, grad_and_value, vjp, jvp, linearize
from .jacobians import jacrev, jacfwd, hessian
from .vmap import vmap
from .ensemble import stack_module_state, replace_all_batch_norm_modules_, functionalize

__all__ = ['functional_call', 'grad', 'grad_and_value', 'vjp', 'jvp', 'linearize', 'jacrev', 'jacfwd',
           'hessian', 'vmap', 'stack_module_state', 'replace_all_batch_norm_modules_', 'functionalize']


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` using the tensors in ``parameter_and_buffer_dicts`` (a dict, or a
    sequence of dicts with distinct keys) instead of the module's own parameters and buffers."""
    from ..nn.utils.stateless import _functional_call
    if isinstance(parameter_and_buffer_dicts, dict):
        named = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError('Expected all elements of parameter_and_buffer_dicts to be dictionaries')
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f'{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous')
        named = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError('Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got '
                         f'{type(parameter_and_buffer_dicts)}')
    return _functional_call(module, named, args, kwargs, tie_weights=tie_weights, strict=strict)
