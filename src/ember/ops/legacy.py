"""The legacy constructors: ``Tensor(5, 3)`` (zeros of a shape), ``Tensor([1, 2])`` (data),
``Tensor()`` (empty), and the typed classes ``FloatTensor``, ``LongTensor``, ..."""
import numpy as np

from .. import _dtype
from .._size import Size
from .._tensor import Tensor
from .creation import _place, _size, _infer_np, _is_int


def legacy_new(dtype, args, device=None):
    """``Tensor(5, 3)``: zero-filled of that shape; ``Tensor([1, 2])``: data; ``Tensor()``: empty."""
    d = _dtype.to_dtype(dtype)
    if not args:
        return Tensor._make(_place(np.zeros((0,), d.np), device))
    if len(args) == 1 and (isinstance(args[0], bool) or not (isinstance(args[0], Size) or _is_int(args[0]))):
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype is not d:
                raise TypeError(f'expected {d} (got {data.dtype})')
            return data
        if isinstance(data, (int, float, bool)):
            raise TypeError(f'new(): data must be a sequence (got {type(data).__name__})')
        arr = _infer_np(data, d)
        return Tensor._make(_place(arr, device))
    return Tensor._make(_place(np.zeros(_size(args, 'new'), d.np), device))


class _LegacyMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype

    def __repr__(cls):
        return f"<class 'ember.{cls.__name__}'>"


def _legacy_type(d):
    def __new__(cls, *args, device=None):
        return legacy_new(d, args, device)
    return _LegacyMeta(d.legacy, (), {'__new__': __new__, '_legacy_dtype': d, 'dtype': d,
                                       '__module__': 'ember'})


LEGACY = {d.legacy: _legacy_type(d) for d in _dtype.all_dtypes}
