"""Weights entries and the model registry, with torchvision's API.

A model's pretrained weights are an Enum (``ResNet18_Weights``) whose members hold a
:class:`Weights` record: the canonical download URL, the preprocessing transform and a meta
dict. ``DEFAULT`` is an alias of the recommended member. ``get_state_dict()`` reads the file
from the local cache (see ``_hub``); ember never downloads.

Builders register themselves with ``@register_model()``; ``list_models``, ``get_model``,
``get_model_builder``, ``get_model_weights`` and ``get_weight`` look them up by name.
"""
import fnmatch
import functools
import inspect
import sys
import typing
from dataclasses import dataclass
from enum import Enum

from ._hub import load_state_dict_from_url

__all__ = ['Weights', 'WeightsEnum', 'register_model', 'list_models', 'get_model_builder', 'get_model',
           'get_model_weights', 'get_weight']


@dataclass
class Weights:
    """One set of pretrained weights: where it comes from, how to preprocess inputs, facts about it.

    ``url``: torchvision's download address (its last part is the cache file name).
    ``transforms``: a callable building the preprocessing module (``weights.transforms()``).
    ``meta``: ``categories`` (class names or None), ``num_classes``, ``num_params``, ``min_size``,
    ``recipe``, ``_metrics``, ``_docs``, ...
    """
    url: str
    transforms: typing.Callable
    meta: typing.Dict[str, typing.Any]

    def __eq__(self, other):
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        a, b = self.transforms, other.transforms
        if isinstance(a, functools.partial) and isinstance(b, functools.partial):
            return a.func == b.func and a.args == b.args and a.keywords == b.keywords
        return a == b


class WeightsEnum(Enum):
    """Base of the per-model weights enums. Members print as ``ResNet18_Weights.IMAGENET1K_V1``."""

    @classmethod
    def verify(cls, obj):
        """``None``, a member of this enum, or its name (``'DEFAULT'``, ``'ResNet18_Weights.DEFAULT'``)
        -> the member (or None). Anything else: TypeError; an unknown name: KeyError."""
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + '.', '')]
            elif not isinstance(obj, cls):
                raise TypeError(f'Invalid Weight class provided; expected {cls.__name__} but received '
                                f'{obj.__class__.__name__}.')
        return obj

    def get_state_dict(self, *args, **kwargs):
        """The state_dict, read from the cache folder; arguments as ``load_state_dict_from_url``
        (``model_dir``, ``map_location``, ``progress``, ``check_hash``, ``file_name``, ``weights_only``)."""
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f'{self.__class__.__name__}.{self._name_}'

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


BUILTIN_MODELS = {}


def register_model(name=None):
    """Decorator adding a builder to the registry under ``name`` (default: the function's name)."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models; ``module`` keeps those defined in that package,
    ``include``/``exclude`` are fnmatch patterns (a string or a list of them)."""
    all_models = {k for k, v in BUILTIN_MODELS.items()
                  if module is None or v.__module__.rsplit('.', 1)[0] == module.__name__}
    if include:
        models = set()
        for pattern in [include] if isinstance(include, str) else include:
            models |= set(fnmatch.filter(all_models, pattern))
    else:
        models = all_models
    if exclude:
        for pattern in [exclude] if isinstance(exclude, str) else exclude:
            models -= set(fnmatch.filter(all_models, pattern))
    return sorted(models)


def get_model_builder(name):
    """The builder function registered under ``name`` (case-insensitive)."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f'Unknown model {name}') from None


def get_model(name, **config):
    """Build the model registered under ``name``: ``get_model('resnet18', weights=None, num_classes=10)``."""
    return get_model_builder(name)(**config)


def _get_enum_from_fn(fn):
    ann = inspect.signature(fn).parameters['weights'].annotation
    candidates = typing.get_args(ann) or (ann,)
    for c in candidates:
        if isinstance(c, type) and issubclass(c, WeightsEnum):
            return c
    raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. Make sure the typing "
                     'info is correct.')


def get_model_weights(name):
    """The weights enum of a model, given its name or its builder function."""
    return _get_enum_from_fn(get_model_builder(name) if isinstance(name, str) else name)


def get_weight(name):
    """A weights member from its full name: ``get_weight('ResNet50_Weights.IMAGENET1K_V2')``."""
    try:
        enum_name, value_name = name.split('.')
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    package = sys.modules[__name__.rsplit('.', 1)[0]]
    found = getattr(package, enum_name, None)
    if not (isinstance(found, type) and issubclass(found, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")
    return found[value_name]
