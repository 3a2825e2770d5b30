"""skip_init: build a module without running its parameter initialisation."""
import inspect

__all__ = ['skip_init']


def skip_init(module_cls, *args, **kwargs):
    """``module_cls(*args, **kwargs)`` with uninitialised (empty) parameters and buffers; the
    class must accept a ``device`` argument. ember builds 'meta' modules on the CPU, so the build
    runs with the CPU generator forked: like PyTorch's meta build, it draws nothing."""
    from ...random import fork_rng
    from ..modules.module import Module
    if not issubclass(module_cls, Module):
        raise RuntimeError(f'Expected a Module; got {module_cls}')
    if 'device' not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop('device', 'cpu')
    kwargs['device'] = 'meta'
    with fork_rng(devices=[]):
        module = module_cls(*args, **kwargs)
    return module.to_empty(device=final_device)
