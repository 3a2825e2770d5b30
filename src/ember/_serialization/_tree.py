"""The JSON tree of ember's checkpoint format (see ``ember_format``) back into Python objects,
refusing under ``weights_only=True`` what PyTorch's weights-only load refuses (``_weights_only``)."""
import base64
import collections
import functools
import sys

import ml_dtypes
import numpy as np

from .. import _dtype
from .._device import device as _device
from .._size import Size
from . import _weights_only

MAPPINGS = {'dict': dict, 'OrderedDict': collections.OrderedDict, 'Counter': collections.Counter}
_SETS = {'set': set, 'frozenset': frozenset}


def np_dtype(name):
    if name == 'bfloat16':
        return np.dtype(ml_dtypes.bfloat16)
    dt = np.dtype(name)
    if dt.kind not in 'biufc':
        raise ValueError(f'unsupported dtype {name!r}')
    return dt


@functools.lru_cache(maxsize=256)
def _namedtuple(name, module, fields):
    obj = None
    if module.startswith('ember.'):         # ember's own namedtuples; looked up, never imported
        obj = sys.modules.get(module)
        if obj is None:
            obj = sys.modules.get('ember')
            for part in module.split('.')[1:]:
                obj = getattr(obj, part, None)
    cls = getattr(obj, name, None)
    if isinstance(cls, type) and issubclass(cls, tuple) and getattr(cls, '_fields', None) == fields:
        return cls
    return collections.namedtuple(name, fields)


class Decoder:
    def __init__(self, values, objects=(), weights_only=False):
        self.values, self.objects, self.weights_only = values, objects, weights_only

    def decode(self, node):
        t = type(node)
        if node is None or t is bool or t is str or t is int or t is float:
            return node
        if t is list:
            return [self.decode(x) for x in node]
        tag = node['$']
        if tag == 'tensor':
            value = self.values[node['index']]
            if self.weights_only and type(value) is np.ndarray:
                _weights_only.require(_weights_only.numpy_globals()[0], 'numpy.ndarray', 'numpy.dtype')
            return value
        if tag == 'storage':
            return self.values[node['index']]
        if tag == 'pickle':
            return self.objects[node['index']]
        if tag == 'tuple':
            return tuple(self.decode(x) for x in node['items'])
        if tag in MAPPINGS:
            out = MAPPINGS[tag]()
            for k, v in node['items']:
                out[self.decode(k)] = self.decode(v)
            for k, v in node.get('attrs', ()):
                setattr(out, str(k), self.decode(v))
            return out
        if tag in _SETS:
            if tag == 'frozenset' and self.weights_only:
                _weights_only.require('builtins.frozenset')
            return _SETS[tag](self.decode(x) for x in node['items'])
        if tag == 'namedtuple':
            if self.weights_only:
                _weights_only.require(f"{node.get('module', '')}.{node['name']}")
            cls = _namedtuple(str(node['name']), str(node.get('module', '')), tuple(node['fields']))
            return cls(*(self.decode(x) for x in node['items']))
        if tag == 'float':
            return float(node['value'])
        if tag == 'complex':
            return complex(self.decode(node['real']), self.decode(node['imag']))
        if tag in ('bytes', 'bytearray'):
            data = base64.b64decode(node['base64'], validate=True)
            return data if tag == 'bytes' else bytearray(data)
        if tag == 'numpy_scalar':
            if self.weights_only:
                _weights_only.require(_weights_only.numpy_globals()[1], 'numpy.dtype')
            return np_dtype(node['dtype']).type(self.decode(node['value']))
        if tag == 'sparse_coo':
            from ..sparse import sparse_coo_tensor
            return sparse_coo_tensor(self.decode(node['indices']), self.decode(node['values']), node['size'],
                                     is_coalesced=bool(node['coalesced']), check_invariants=False)
        if tag == 'Size':
            return Size(node['dims'])
        if tag == 'dtype':
            return _dtype._NAMES[node['name']]
        if tag == 'device':
            return _device(node['type'], node['index'])
        raise ValueError(f'unknown tag {tag!r}')
