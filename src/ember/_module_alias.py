"""Module objects standing for PyTorch's import paths where ember keeps the names elsewhere
(``torch.distributions.normal``, ``torch.nn.modules.upsampling``, ...)."""
import importlib.machinery
import sys
import types


def alias_module(package, name, values, doc=None):
    """A module object ``<package>.<name>`` holding ``values`` (a dict), registered in sys.modules
    and on the package; an existing real module of that name is left as it is."""
    full = f'{package.__name__}.{name}'
    if full in sys.modules:
        return sys.modules[full]
    mod = types.ModuleType(full, doc or f'{full}: the names PyTorch defines in this module.')
    mod.__package__ = package.__name__
    mod.__spec__ = importlib.machinery.ModuleSpec(full, None)
    mod.__all__ = [n for n in values if not n.startswith('_')]
    mod.__dict__.update(values)
    sys.modules[full] = mod
    setattr(package, name, mod)
    return mod
