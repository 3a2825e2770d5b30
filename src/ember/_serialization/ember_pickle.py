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
from .torch_reader import UnpicklingError, _PY2_MODULES

MEMBER = 'objects.pkl'
PROTOCOL = 2                               # PyTorch's DEFAULT_PROTOCOL
_SAFE = {}                                 # 'module.name' -> object (add_safe_globals)
_PLAIN = {'collections.OrderedDict': collections.OrderedDict, 'collections.Counter': collections.Counter,
          'builtins.set': set, 'builtins.frozenset': frozenset, 'builtins.complex': complex,
          'builtins.bytearray': bytearray, 'builtins.slice': slice, 'builtins.range': range}
_DOCS = 'https://pytorch.org/docs/stable/generated/torch.load.html'


def global_name(obj):
    return f'{getattr(obj, "__module__", None)}.{getattr(obj, "__qualname__", getattr(obj, "__name__", obj))}'


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


def weights_only_error(full):
    """PyTorch's message when ``weights_only=True`` meets a global it does not allow."""
    return UnpicklingError(
        'Weights only load failed. This file can still be loaded, to do so you have two options, '
        '\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n'
        '\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in '
        '`ember.load` from `False` to `True`. Re-running `ember.load` with `weights_only` set to '
        '`False` will likely succeed, but it can result in arbitrary code execution. Do it only if '
        'you got the file from a trusted source.\n'
        '\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in '
        'the following error message.\n'
        f'\tWeightsUnpickler error: Unsupported global: GLOBAL {full} was not an allowed global by '
        f'default. Please use `ember.serialization.add_safe_globals([{full}])` or the '
        f'`ember.serialization.safe_globals([{full}])` context manager to allowlist this global if '
        'you trust this class/function.\n\n'
        'Check the documentation of ember.load to learn more about types accepted by default with '
        f'weights_only {_DOCS}.')


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, values, weights_only):
        super().__init__(file, encoding='utf-8')
        self._values, self._weights_only = values, weights_only

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 2 and pid[0] == 'tensor' and type(pid[1]) is int
                and 0 <= pid[1] < len(self._values)):
            raise UnpicklingError(f'unsupported persistent id in the checkpoint: {pid!r}'[:200])
        return self._values[pid[1]]

    def find_class(self, module, name):
        if not self._weights_only:
            return super().find_class(module, name)
        full = f'{_PY2_MODULES.get(module, module)}.{name}'
        found = _PLAIN.get(full) or _SAFE.get(full)
        if found is None:
            raise weights_only_error(full)
        return found


def read(data, count, values, weights_only):
    """The ``count`` objects pickled in ``data``, their tensors taken from ``values``."""
    unpickler = _Unpickler(io.BytesIO(data), values, weights_only)
    return [unpickler.load() for _ in range(count)]


# ---------------------------------------------------------------- the allowlist (public API)

def add_safe_globals(safe_globals):
    """Allow these classes/functions in ``weights_only=True`` loads of ember checkpoints."""
    for g in safe_globals:
        if isinstance(g, tuple):
            g, full = g
        else:
            full = global_name(g)
        _SAFE[full] = g


def get_safe_globals():
    return list(_SAFE.values())


def clear_safe_globals():
    _SAFE.clear()


class safe_globals:
    """Context manager: ``add_safe_globals`` for the duration of a ``with`` block."""

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self._saved = dict(_SAFE)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _SAFE.clear()
        _SAFE.update(self._saved)
        return False
