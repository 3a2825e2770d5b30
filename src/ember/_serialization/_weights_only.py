"""What ``load(..., weights_only=True)`` allows beyond plain data, and PyTorch's error when it
meets anything else.

PyTorch's weights-only unpickler reads tensors, storages, dtypes, sizes, devices and plain
containers (dict, OrderedDict, Counter, list, tuple, set, complex, bytes, bytearray). It refuses
other globals -- NumPy arrays and scalars, ``frozenset``, ``slice``, ``range``, namedtuples such as
``torch.return_types.max``, user classes -- unless they were allowlisted with
``add_safe_globals`` / ``safe_globals``. ember applies the same rule to its own checkpoints and
to PyTorch's.
"""
import _compat_pickle
import pickle

__all__ = ['UnpicklingError', 'add_safe_globals', 'get_safe_globals', 'clear_safe_globals', 'safe_globals']

PY2_MODULES = {'__builtin__': 'builtins', 'copy_reg': 'copyreg'}
_SAFE = {}                                 # 'module.name' -> object (add_safe_globals)
_DOCS = 'https://pytorch.org/docs/stable/generated/torch.load.html'


class UnpicklingError(pickle.UnpicklingError):
    """A checkpoint names a global that ember will not load."""

    __module__ = 'ember.serialization'


def py3_name(module, name):
    """(module, name) of a global as Python 3 names it (protocol 2 pickles say __builtin__.xrange)."""
    key = (module, name)
    if key in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[key]
    return PY2_MODULES.get(module) or _compat_pickle.IMPORT_MAPPING.get(module, module), name


def global_name(obj):
    return f'{getattr(obj, "__module__", None)}.{getattr(obj, "__qualname__", getattr(obj, "__name__", obj))}'


def is_safe(full):
    """Whether the global ``full`` ('module.name') was allowlisted by the user."""
    return full in _SAFE


def safe(full):
    """The allowlisted object for ``full``, or None."""
    return _SAFE.get(full)


def weights_only_error(full):
    """PyTorch's message when ``weights_only=True`` meets a global it does not allow."""
    if full.startswith('builtins.'):            # PyTorch names builtins without their module
        full = full[len('builtins.'):]
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


def require(*names):
    """Raise PyTorch's weights-only error for the first of ``names`` not allowlisted."""
    for full in names:
        if full not in _SAFE:
            raise weights_only_error(full)


_NUMPY = {}


def numpy_globals():
    """(array, scalar) global names NumPy pickles with (``numpy._core...`` in NumPy 2)."""
    if not _NUMPY:
        import numpy as np
        _NUMPY['array'] = global_name(np.ones(1).__reduce__()[0])
        _NUMPY['scalar'] = global_name(np.float64(0).__reduce__()[0])
    return _NUMPY['array'], _NUMPY['scalar']


# ---------------------------------------------------------------- the allowlist (public API)

def add_safe_globals(safe_globals):
    """Allow these classes/functions in ``weights_only=True`` loads."""
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
        self._saved = None

    def __enter__(self):
        self._saved = dict(_SAFE)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        if self._saved is not None:
            _SAFE.clear()
            _SAFE.update(self._saved)
