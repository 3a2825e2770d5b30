"""ember.overrides: PyTorch's ``torch.overrides`` helpers for the ``__torch_function__`` protocol.

ember's own ops never call a user's ``__torch_function__`` (see _tensor_subclass.py: results of ops
on a Tensor subclass simply take its class, as PyTorch's default ``Tensor.__torch_function__``
makes them). What works here is the protocol as library code uses it explicitly::

    def my_op(x):
        if has_torch_function_unary(x):
            return handle_torch_function(my_op, (x,), x)
        ...

``has_torch_function*`` tell which arguments take part (a Tensor subclass, unless its
``__torch_function__`` is ``_disabled_torch_function_impl`` as Parameter's; any object with a
``__torch_function__``; never a plain Tensor) and ``handle_torch_function`` calls their
``__torch_function__`` in PyTorch's order. Accordingly ``get_overridable_functions()`` and
``get_testing_overrides()`` are empty and ``get_ignored_functions()`` holds ember's functions.
ember has no ``TorchFunctionMode`` stack: modes are not consulted."""
import collections
import contextlib
import functools
import threading
import warnings

from ._tensor import Tensor
from ._tensor_subclass import _disabled_torch_function_impl

__all__ = ['get_ignored_functions', 'get_overridable_functions', 'get_testing_overrides', 'handle_torch_function',
           'has_torch_function', 'resolve_name', 'is_tensor_like', 'is_tensor_method_or_property',
           'wrap_torch_function', 'enable_reentrant_dispatch']

_PLAIN_METHOD = ('Defining your `__torch_function__ as a plain method is deprecated and will be an error in future, '
                 'please define it as a classmethod.')


_state = threading.local()          # depth of default-__torch_function__ calls under way


def _default_torch_function(cls, func, types, args=(), kwargs=None):
    """What a Tensor subclass without its own ``__torch_function__`` does (PyTorch's default):
    NotImplemented unless ``cls`` derives from every type taking part, else run ``func`` with the
    protocol off (ember's ops give the results the subclass already)."""
    if not all(issubclass(cls, t) for t in types):
        return NotImplemented
    _state.off = getattr(_state, 'off', 0) + 1
    try:
        return func(*args, **(kwargs or {}))
    finally:
        _state.off -= 1


def _torch_function_of(cls):
    """The ``__torch_function__`` through which instances of ``cls`` take part, or None."""
    if cls is Tensor or getattr(_state, 'off', 0):
        return None
    tf = getattr(cls, '__torch_function__', None)
    if tf is None:
        return _default_torch_function if issubclass(cls, Tensor) else None
    if getattr(tf, '__func__', tf) is _disabled_torch_function_impl:
        return None
    return tf


def _overloaded_args(relevant_args):
    """The arguments that take part, one per type, a subclass before its base classes."""
    found, types = [], []
    for arg in relevant_args:
        t = type(arg)
        if t in types or _torch_function_of(t) is None:
            continue
        at = len(found)
        for i, seen in enumerate(types):
            if issubclass(t, seen):
                at = i
                break
        found.insert(at, arg)
        types.insert(at, t)
    return found


def has_torch_function(relevant_args):
    """Whether any of ``relevant_args`` (a tuple or list) takes part in ``__torch_function__``."""
    try:
        relevant_args = relevant_args if isinstance(relevant_args, (tuple, list)) else list(relevant_args)
    except TypeError:
        raise TypeError('expected a sequence') from None
    return any(_torch_function_of(type(a)) is not None for a in relevant_args)


def has_torch_function_unary(obj):
    """Whether ``obj`` itself takes part in ``__torch_function__``."""
    return _torch_function_of(type(obj)) is not None


def has_torch_function_variadic(*args):
    """Whether any of the arguments takes part in ``__torch_function__``."""
    return has_torch_function(args)


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Call the ``__torch_function__`` of the overloaded arguments (subclasses first) until one
    does not return NotImplemented; TypeError when all do."""
    overloaded = _overloaded_args(relevant_args)
    types = tuple(type(a) for a in overloaded)
    for arg in overloaded:
        cls = type(arg)
        tf = _torch_function_of(cls)
        if tf is not _default_torch_function:
            tf = arg.__torch_function__
            if getattr(tf, '__self__', None) is arg:
                warnings.warn(_PLAIN_METHOD, DeprecationWarning, stacklevel=2)
        result = (tf(cls, public_api, types, args, kwargs) if tf is _default_torch_function
                  else tf(public_api, types, args, kwargs))
        if result is not NotImplemented:
            return result
    name = f'{getattr(public_api, "__module__", None)}.{getattr(public_api, "__name__", public_api)}'
    raise TypeError(f"no implementation found for '{name}' on types that implement __torch_function__: "
                    f'{[type(a) for a in overloaded]}')


def is_tensor_like(inp):
    """True for Tensors (and their subclasses) and for anything with a ``__torch_function__``."""
    return type(inp) is Tensor or isinstance(inp, Tensor) or hasattr(inp, '__torch_function__') or (
        isinstance(inp, type) and issubclass(inp, Tensor))


def is_tensor_method_or_property(func):
    """Whether ``func`` is one of Tensor's methods or properties (as found on the class)."""
    name = getattr(func, '__name__', None)
    return name is not None and getattr(Tensor, name, None) is func or any(
        getattr(Tensor, n, None) is func for n in dir(Tensor))


def wrap_torch_function(dispatcher):
    """Decorator: the function dispatches to ``__torch_function__`` on the arguments
    ``dispatcher(*args, **kwargs)`` names."""
    def inner(func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            relevant = dispatcher(*args, **kwargs)
            if has_torch_function(relevant):
                return handle_torch_function(wrapped, relevant, *args, **kwargs)
            return func(*args, **kwargs)
        return wrapped
    return inner


def enable_reentrant_dispatch():
    """A no-op context here (ember has no dispatcher to re-enter)."""
    return contextlib.nullcontext()


def resolve_name(f):
    """``'ember.<namespace>.<name>'`` of one of ember's public functions, else None."""
    for prefix, ns in _namespaces():
        for n, v in vars(ns).items():
            if v is f and not n.startswith('_'):
                return f'{prefix}.{n}'
    return None


def _namespaces():
    import ember
    from .nn import functional
    return [('ember', ember), ('ember.nn.functional', functional), ('ember.linalg', ember.linalg),
            ('ember.fft', ember.fft), ('ember.special', ember.special), ('ember.Tensor', Tensor)]


def get_ignored_functions():
    """The functions that ignore ``__torch_function__``: in ember, all of its public ones."""
    out = set()
    for _, ns in _namespaces():
        out.update(v for n, v in vars(ns).items() if not n.startswith('_') and callable(v)
                   and not isinstance(v, type))
    return out


def get_overridable_functions():
    """Namespace -> functions a ``__torch_function__`` can override: none in ember."""
    return collections.defaultdict(list)


def get_testing_overrides():
    """Function -> dummy override with its signature, for the overridable functions: none in ember."""
    return {}
