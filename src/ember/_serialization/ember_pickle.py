"""Objects ember's JSON tree cannot describe -- whole modules, optimizers, user classes -- pickled.

``ember.save(model, f)`` keeps PyTorch's behaviour: anything picklable can be saved. ember's
format still describes plain data (tensors, numbers, strings, containers) in ``data.json``; only
a value of another type becomes a ``{"$": "pickle", "index": i}`` node, and all such values go,
in order, into one pickle stream ``archive/objects.pkl`` (one memo, so objects shared between
them stay shared). Tensors and NumPy arrays inside them are not pickled: they are written as
ordinary storages and referred to by persistent ids ``('tensor', index into "tensors")``, so a
model's parameters and an optimizer saved beside it load back as the very same tensors.

Loading those objects runs code named by the file (as ``pickle`` always does), so it happens only
with ``weights_only=False``. With ``weights_only=True`` (the default) the pickle is read by an
unpickler that allows only a few plain types and the globals registered with
``ember.serialization.add_safe_globals``; any other global raises :class:`UnpicklingError`
before anything is called, with PyTorch's wording.
"""
import collections
import io
import pickle

import numpy as np

from .._tensor import Tensor
from . import _weights_only
from ._weights_only import UnpicklingError, py3_name, safe, weights_only_error

MEMBER = 'objects.pkl'
PROTOCOL = 2                               # PyTorch's DEFAULT_PROTOCOL
# what PyTorch's weights-only unpickler allows without add_safe_globals (not frozenset, slice, range)
_PLAIN = {'collections.OrderedDict': collections.OrderedDict, 'collections.Counter': collections.Counter,
          'builtins.set': set, 'builtins.complex': complex, 'builtins.bytearray': bytearray}


class _Pickler(pickle.Pickler):
    def __init__(self, file, persist):
        from ..nn.parameter import UninitializedTensorMixin
        super().__init__(file, protocol=PROTOCOL)
        self._persist, self._lazy = persist, UninitializedTensorMixin

    def persistent_id(self, obj):
        if isinstance(obj, Tensor):   # a lazy module's uninitialized parameter pickles itself (no data)
            return None if isinstance(obj, self._lazy) else ('tensor', self._persist(obj))
        if type(obj) is np.ndarray and obj.dtype.kind in 'biufc':
            return ('tensor', self._persist(obj))
        return None


class Writer:
    """Collects the values ``data.json`` cannot hold; ``persist(array) -> index`` stores tensors."""

    def __init__(self, persist):
        self._buf = io.BytesIO()
        self._pickler = _Pickler(self._buf, persist)
        self.count = 0

    def add(self, obj):
        self._pickler.dump(obj)           # pickling errors surface here, before any file is touched
        self.count += 1
        return self.count - 1

    def data(self):
        return self._buf.getvalue()


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, values, weights_only):
        super().__init__(file, encoding='utf-8')
        self._values, self._weights_only = values, weights_only

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == 'tensor' and type(pid[1]) is int
                and 0 <= pid[1] < len(self._values)):
            raise UnpicklingError(f'unsupported persistent id in the checkpoint: {pid!r}'[:200])
        value = self._values[pid[1]]
        if self._weights_only and type(value) is np.ndarray:
            _weights_only.require(_weights_only.numpy_globals()[0], 'numpy.ndarray', 'numpy.dtype')
        return value

    def find_class(self, module, name):
        if not self._weights_only:
            return super().find_class(module, name)
        full = '.'.join(py3_name(module, name))
        found = _PLAIN.get(full) or safe(full)
        if found is None:
            raise weights_only_error(full)
        return found


def read(data, count, values, weights_only):
    """The ``count`` objects pickled in ``data``, their tensors taken from ``values``."""
    unpickler = _Unpickler(io.BytesIO(data), values, weights_only)
    return [unpickler.load() for _ in range(count)]
