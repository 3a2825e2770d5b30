"""How tensors are constructed and subclassed (mixed into Tensor).

``Tensor(...)`` does its work in ``__new__`` (``__init__`` is object's, as in PyTorch), so a
user's subclass may define its own ``__new__``/``__init__``. Ops on instances of a user's
subclass return instances of it, as PyTorch's default ``__torch_function__`` makes them: ``apply``
(ops/_op.py) and ``detach``/``.data`` set the result's class. ember does not call a user's
``__torch_function__`` (doing so would cost every op on plain tensors); setting it to
``_disabled_torch_function_impl`` turns the propagation off, as for Parameter."""

_new = object.__new__


def _disabled_torch_function_impl(func, types, args=(), kwargs=None):
    """Set as a subclass's ``__torch_function__``: ops on it return plain Tensors (as Parameter's)."""
    return func(*args, **(kwargs or {}))


class TensorConstruction:
    _ember_own = True        # ember's own class (Tensor, Parameter, ...): prints as tensor(...)
    _propagates = False      # ops on an instance return instances of its class

    def __new__(cls, *args, device=None, **kwargs):
        """Legacy constructor: ``Tensor(5, 3)`` (shape), ``Tensor([1, 2])`` (data), ``Tensor(t)``."""
        from . import _dtype
        from ._tensor import Tensor
        from .ops.legacy import legacy_new, bad_new_args
        if kwargs:
            bad_new_args(args, dict(kwargs, device=device) if device is not None else kwargs)
        dtype = args[0].dtype if len(args) == 1 and isinstance(args[0], Tensor) else None
        t = legacy_new(_dtype.get_default_dtype() if dtype is None else dtype, args, device)
        if cls is Tensor and (not args or t is not args[0]):
            return t
        out = _new(cls)
        out._data = t._data
        out._vc = t._vc
        return out

    @staticmethod
    def _make_subclass(cls, data, require_grad=False, *args, **kwargs):
        """An instance of ``cls`` sharing ``data``'s memory, a leaf (as PyTorch's Parameter is made)."""
        t = _new(cls)
        t._data = data._data
        t._vc = data._vc
        if require_grad:
            t.requires_grad_(True)
        return t

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        module = cls.__dict__.get('__module__', '')
        cls._ember_own = module == 'ember' or module.startswith('ember.')
        cls._propagates = not cls._ember_own and (
            getattr(cls, '__torch_function__', None) is not _disabled_torch_function_impl)


def subclass_of(inputs):
    """The class the results of an op on a user's Tensor subclass take: the most derived of the
    inputs' classes; unrelated subclasses refuse, as PyTorch's default __torch_function__ does."""
    types = []
    for x in inputs:
        c = x.__class__
        if getattr(c, '_propagates', False) and c not in types:
            types.append(c)
    best = types[0]
    for c in types[1:]:
        if issubclass(c, best):
            best = c
        elif not issubclass(best, c):
            names = ', '.join(f"<class '{t.__module__}.{t.__qualname__}'>" for t in types)
            raise TypeError(f'no implementation found for an ember op on types that implement __torch_function__: '
                            f'[{names}]')
    return best
