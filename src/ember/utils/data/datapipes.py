"""DataPipes, the part of ``torch.utils.data``'s (deprecated) DataPipe API that stands on its own:
the ``IterDataPipe`` / ``MapDataPipe`` base classes with their functional-form registry, the
``functional_datapipe`` decorator that fills it, ``DataChunk`` and the determinism switches.

    @functional_datapipe('doubled')
    class Doubler(IterDataPipe):
        def __init__(self, source_dp): self.source_dp = source_dp
        def __iter__(self): return (2 * x for x in self.source_dp)

    list(MySource().doubled())          # the same as list(Doubler(MySource()))

Not provided: PyTorch's ready-made pipes (``map``, ``filter``, ``batch``, ...), its type
validation (``argument_validation``, ``runtime_validation``), the DataFrame pipes' tracing and
the one-iterator-per-IterDataPipe check; the registries start empty.
"""
import functools

from .dataset import Dataset, IterableDataset, T_co

__all__ = ['IterDataPipe', 'MapDataPipe', 'DFIterDataPipe', 'DataChunk', 'functional_datapipe',
           'guaranteed_datapipes_determinism', 'non_deterministic']


def _bind(registry, name, self):
    """``self.<name>``: the registered functional form with ``self`` as its source pipe."""
    if name in registry:
        f = registry[name]
        bound = functools.partial(f, self)
        functools.update_wrapper(bound, f, assigned=('__doc__',))
        return bound
    # PyTorch's message, without the closing quote it also lacks
    raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}")


def _register(cls, name, pipe_cls):
    if name in cls.functions:
        raise Exception(f'Unable to add DataPipe function name {name} as it is already taken')

    def make(source_dp, *args, **kwargs):
        return pipe_cls(source_dp, *args, **kwargs)
    functools.update_wrapper(make, pipe_cls, assigned=('__doc__',), updated=())
    cls.functions[name] = make


class _PipeBase:
    """What both kinds of DataPipe share: the class-name repr and the hooks' slots."""
    functions = {}
    reduce_ex_hook = getstate_hook = str_hook = repr_hook = None

    @classmethod
    def register_function(cls, function_name, function):
        cls.functions[function_name] = function

    @classmethod
    def register_datapipe_as_function(cls, function_name, cls_to_register, enable_df_api_tracing=False):
        _register(cls, function_name, cls_to_register)

    @classmethod
    def set_getstate_hook(cls, hook_fn):
        if cls.getstate_hook is not None and hook_fn is not None:
            raise RuntimeError('Attempt to override existing getstate_hook')
        cls.getstate_hook = hook_fn

    @classmethod
    def set_reduce_ex_hook(cls, hook_fn):
        if cls.reduce_ex_hook is not None and hook_fn is not None:
            raise RuntimeError('Attempt to override existing reduce_ex_hook')
        cls.reduce_ex_hook = hook_fn

    def __getstate__(self):
        state = self.__dict__
        return self.getstate_hook(state) if self.getstate_hook is not None else state

    def __reduce_ex__(self, *args, **kwargs):
        if self.reduce_ex_hook is not None:
            try:
                return self.reduce_ex_hook(self)
            except NotImplementedError:
                pass
        return super().__reduce_ex__(*args, **kwargs)

    def __repr__(self):
        return self.repr_hook(self) if self.repr_hook is not None else type(self).__qualname__

    def __str__(self):
        return self.str_hook(self) if self.str_hook is not None else type(self).__qualname__

    def __dir__(self):
        return list(super().__dir__()) + list(self.functions)


class IterDataPipe(_PipeBase, IterableDataset[T_co]):
    """A stream of samples (an ``IterableDataset``) whose registered functional forms are
    methods: ``dp.name(*args)`` builds ``RegisteredPipe(dp, *args)``."""
    functions = {}

    def __iter__(self):
        return self

    def __getattr__(self, name):
        return _bind(IterDataPipe.functions, name, self)

    def reset(self):
        """Called when a new iterator starts; subclasses with per-iteration state reset it here."""


class DFIterDataPipe(IterDataPipe):
    """An IterDataPipe of DataFrames."""

    def _is_dfpipe(self):
        return True


class MapDataPipe(_PipeBase, Dataset[T_co]):
    """A map-style dataset (``__getitem__``, ``__len__``) with its own functional-form registry."""
    functions = {}

    def __getattr__(self, name):
        return _bind(MapDataPipe.functions, name, self)


class DataChunk(list):
    """A list of samples that pipes pass along as one item (a batch)."""

    def __init__(self, items):
        items = list(items)
        super().__init__(items)
        self.items = items

    def as_str(self, indent=''):
        return indent + '[' + ', '.join(str(i) for i in iter(self)) + ']'

    def __iter__(self):
        yield from super().__iter__()

    def raw_iterator(self):
        yield from self.items


class functional_datapipe:
    """Class decorator: ``@functional_datapipe('name')`` registers a DataPipe class as the method
    ``name`` of every IterDataPipe (or MapDataPipe)."""

    def __init__(self, name, enable_df_api_tracing=False):
        self.name = name
        self.enable_df_api_tracing = enable_df_api_tracing

    def __call__(self, cls):
        if isinstance(cls, non_deterministic) or isinstance(getattr(cls, '__self__', None), non_deterministic):
            IterDataPipe.register_datapipe_as_function(self.name, cls, self.enable_df_api_tracing)
        elif not isinstance(cls, type):
            raise TypeError('`functional_datapipe` can only decorate IterDataPipe')
        elif issubclass(cls, IterDataPipe):
            IterDataPipe.register_datapipe_as_function(self.name, cls, self.enable_df_api_tracing)
        elif issubclass(cls, MapDataPipe):
            MapDataPipe.register_datapipe_as_function(self.name, cls)
        return cls


_determinism = False


class guaranteed_datapipes_determinism:
    """Context manager: inside it, building a ``non_deterministic`` DataPipe raises TypeError."""

    def __init__(self):
        global _determinism
        self.prev, _determinism = _determinism, True

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        global _determinism
        _determinism = self.prev


class non_deterministic:
    """Marks an IterDataPipe class as non-deterministic: ``@non_deterministic`` on the class, or
    ``@non_deterministic(fn)`` where ``fn(*args, **kwargs)`` says whether an instance is."""
    cls = None

    def __init__(self, arg):
        if isinstance(arg, type):
            if not issubclass(arg, IterDataPipe):
                raise TypeError('Only `IterDataPipe` can be decorated with `non_deterministic`, but '
                                f'{arg.__name__} is found')
            self.cls = arg
        elif callable(arg):
            self.deterministic_fn = arg
        else:
            raise TypeError(f'{arg} can not be decorated by non_deterministic')

    def __call__(self, *args, **kwargs):
        if self.cls is not None:
            if _determinism:
                raise TypeError(f"{self.cls.__name__} is non-deterministic, but you set "
                                "'guaranteed_datapipes_determinism'. You can turn off determinism for this "
                                'DataPipe if that is acceptable for your application')
            return self.cls(*args, **kwargs)
        if not (isinstance(args[0], type) and issubclass(args[0], IterDataPipe)):
            raise TypeError(f'Only `IterDataPipe` can be decorated, but {args[0].__name__} is found')
        self.cls = args[0]
        return self.deterministic_wrapper_fn

    def deterministic_wrapper_fn(self, *args, **kwargs):
        res = self.deterministic_fn(*args, **kwargs)
        if not isinstance(res, bool):
            raise TypeError('deterministic_fn of `non_deterministic` decorator is required to return a '
                            f'boolean value, but {type(res)} is found')
        if _determinism and res:
            raise TypeError(f"{self.cls.__name__} is non-deterministic with the inputs, but you set "
                            "'guaranteed_datapipes_determinism'. You can turn off determinism for this "
                            'DataPipe if that is acceptable for your application')
        return self.cls(*args, **kwargs)


for _c in (IterDataPipe, DFIterDataPipe, MapDataPipe, DataChunk, functional_datapipe,
           guaranteed_datapipes_determinism, non_deterministic):
    _c.__module__ = 'ember.utils.data'
