"""Turning samples into batches.

``default_collate`` merges a list of samples into one batch with a new leading dimension,
following the structure of the samples (dicts, named tuples, sequences); ``default_convert``
only turns NumPy data into tensors (the loader uses it when batching is off). ``collate`` is
the engine behind both, driven by a table from element type to merge function that users
may extend (``default_collate_fn_map``).
"""
import collections.abc
import copy
import re

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...ops.creation import as_tensor, tensor
from ...ops.join import stack

__all__ = ['collate', 'default_collate', 'default_convert', 'default_collate_fn_map',
           'collate_tensor_fn', 'collate_numpy_array_fn', 'collate_numpy_scalar_fn',
           'collate_float_fn', 'collate_int_fn', 'collate_str_fn']

# NumPy dtypes a tensor can't hold: byte strings, unicode, objects
np_str_obj_array_pattern = re.compile(r'[SaUO]')

default_collate_err_msg_format = ('default_collate: batch must contain tensors, numpy arrays, numbers, '
                                  'dicts or lists; found {}')


def _rebuild_like(data, items, mutable_cls):
    """A container of ``data``'s own type holding ``items`` (copy-and-update for mutable
    containers, so extra attributes survive); a plain dict/list where the type can't be built
    that way."""
    try:
        if isinstance(data, mutable_cls):
            clone = copy.copy(data)
            if isinstance(data, collections.abc.Mapping):
                clone.update(items)
            else:
                for i, v in enumerate(items):
                    clone[i] = v
            return clone
        return type(data)(items)
    except TypeError:
        return dict(items) if isinstance(data, collections.abc.Mapping) else list(items)


def default_convert(data):
    """NumPy arrays and NumPy scalars anywhere inside ``data`` become tensors (sharing memory
    where possible); everything else is returned as it is. Tuples come back as lists."""
    kind = type(data)
    if isinstance(data, Tensor):
        return data
    if kind.__module__ == 'numpy' and kind.__name__ not in ('str_', 'string_'):
        if kind.__name__ == 'ndarray' and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {k: default_convert(data[k]) for k in data},
                             collections.abc.MutableMapping)
    if isinstance(data, tuple) and hasattr(data, '_fields'):       # named tuple
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data], collections.abc.MutableSequence)
    return data


def collate(batch, *, collate_fn_map=None):
    """Merge ``batch`` (a list of samples of one structure) into one batched structure.

    The first sample's type picks the merge: an exact entry of ``collate_fn_map``, else the
    first entry it is an instance of, else containers are merged field by field (mappings by
    key, named tuples and sequences by position; plain tuples come back as lists).
    """
    elem = batch[0]
    kind = type(elem)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for key, fn in collate_fn_map.items():
            if isinstance(elem, key):
                return fn(batch, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        merged = {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
        return _rebuild_like(elem, merged, collections.abc.MutableMapping)
    if isinstance(elem, tuple) and hasattr(elem, '_fields'):
        return kind(*(collate(field, collate_fn_map=collate_fn_map) for field in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch[1:]):
            raise RuntimeError('each element in list of batch should be of equal size')
        fields = [collate(f, collate_fn_map=collate_fn_map) for f in zip(*batch)]   # tuples, as torch
        if isinstance(elem, tuple):
            return fields
        return _rebuild_like(elem, fields, collections.abc.MutableSequence)
    raise TypeError(default_collate_err_msg_format.format(kind))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Tensors of one shape stack along a new dimension 0."""
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)            # int64 (bool for bools)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """The loader's default ``collate_fn``: tensors stack into one tensor, NumPy arrays and
    numbers become tensors (Python floats as float64, ints as int64), strings and bytes stay a
    list, and dicts, named tuples, tuples and lists are merged element by element.

        >>> default_collate([(0, 'a'), (1, 'b')])
        [tensor([0, 1]), ('a', 'b')]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
