"""Utilities outside the tensor core; ``ember.utils.data`` holds datasets and the DataLoader."""
from . import data  # noqa: F401
from . import checkpoint  # noqa: F401
from . import hooks  # noqa: F401,E402
from . import _pytree, model_zoo, flop_counter  # noqa: F401,E402  (PyTorch's import paths)


def swap_tensors(t1, t2):
    """Exchanges the contents of two tensor objects in place (data, autograd state, Python
    attributes, class): afterwards ``t1`` is what ``t2`` was and vice versa, for every reference."""
    import weakref
    if weakref.getweakrefs(t1):
        raise RuntimeError('Cannot swap t1 because it has weakref associated with it')
    if weakref.getweakrefs(t2):
        raise RuntimeError('Cannot swap t2 because it has weakref associated with it')
    t1.__class__, t2.__class__ = t2.__class__, t1.__class__
    t1.__dict__, t2.__dict__ = t2.__dict__, t1.__dict__
