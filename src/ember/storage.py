"""ember.storage: the storage classes (see ops/storage.py), and PyTorch's legacy typed storage
classes (``ember.FloatStorage(3)``, ``ember.LongStorage([1, 2])``).

As in PyTorch, a legacy class builds a ``TypedStorage`` of its dtype (the object's type is
TypedStorage) and ``isinstance(s, ember.FloatStorage)`` holds for any CPU TypedStorage of
float32, ``tensor.storage()`` included."""
import warnings

import numpy as np

from . import _dtype
from .ops import storage as _ops
from .ops.storage import TypedStorage, UntypedStorage

__all__ = ['TypedStorage', 'UntypedStorage']

_ARGS = ("<class 'ember.{name}'>.__new__ received an invalid combination of arguments. Expected one of:\n"
         ' * no arguments\n * (int size)\n * (Sequence data)\n * (*, UntypedStorage wrap_storage)\n')


class _LegacyStorageMeta(type):
    """isinstance(s, FloatStorage): a CPU TypedStorage holding float32."""

    def __instancecheck__(cls, instance):
        return type(instance) is TypedStorage and not instance.is_cuda and instance.dtype == cls.dtype


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    dtype = None

    def __new__(cls, *args, wrap_storage=None, device=None):
        if not _ops._warned[0]:
            _ops._warned[0] = True
            warnings.warn(_ops._TYPED_WARNING, UserWarning, stacklevel=2)
        np_dtype = cls.dtype.np
        if wrap_storage is not None:
            if args:
                raise RuntimeError(_ARGS.format(name=cls.__name__).split('\n')[0])
            flat = wrap_storage._flat
            return TypedStorage(flat[:flat.size - flat.size % np.dtype(np_dtype).itemsize].view(np_dtype),
                                wrap_storage._owner)
        if len(args) > 1:
            raise RuntimeError(_ARGS.format(name=cls.__name__) + 'Too many positional arguments')
        if not args:
            return TypedStorage(np.empty(0, np_dtype))
        arg = args[0]
        if isinstance(arg, (int, np.integer)) and not isinstance(arg, bool):
            return TypedStorage(np.zeros(int(arg), np_dtype))
        if isinstance(arg, (str, bytes)) or not hasattr(arg, '__len__'):
            raise TypeError(f"new(): invalid data type '{type(arg).__name__}'")
        return TypedStorage(np.array(list(arg), dtype=np_dtype).reshape(-1))


_LEGACY = {'FloatStorage': 'float32', 'DoubleStorage': 'float64', 'HalfStorage': 'float16',
           'BFloat16Storage': 'bfloat16', 'LongStorage': 'int64', 'IntStorage': 'int32', 'ShortStorage': 'int16',
           'CharStorage': 'int8', 'ByteStorage': 'uint8', 'BoolStorage': 'bool',
           'ComplexFloatStorage': 'complex64', 'ComplexDoubleStorage': 'complex128'}
LEGACY = {}
for _name, _dt in _LEGACY.items():
    LEGACY[_name] = _LegacyStorageMeta(_name, (_LegacyStorage,), {
        'dtype': getattr(_dtype, _dt if _dt != 'bool' else 'bool_'), '__module__': 'ember', '__qualname__': _name,
        '__doc__': f'Legacy typed storage of {_dt} (builds a TypedStorage).'})
LEGACY['Storage'] = LEGACY['FloatStorage']


def is_storage(obj):
    """True for storages (typed or untyped), as torch.is_storage."""
    return isinstance(obj, (TypedStorage, UntypedStorage))
