"""The legacy constructors: ``Tensor(5, 3)`` (zeros of a shape), ``Tensor([1, 2])`` (data),
``Tensor()`` (empty), and the typed classes ``FloatTensor``, ``LongTensor``, ..."""
import numpy as np

from .. import _dtype
from .._size import Size
from .._tensor import Tensor
from .._device import device as _device
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


def _arg_name(v):
    if isinstance(v, Tensor):
        return 'Tensor'
    if isinstance(v, (_dtype.dtype, _device)):
        return 'ember.' + type(v).__name__
    return type(v).__name__


def bad_new_args(args, kwargs):
    """PyTorch's refusal of keywords other than ``device`` in the legacy constructors."""
    got = ', '.join([_arg_name(a) for a in args] + [f'{k}={_arg_name(v)}' for k, v in kwargs.items()])
    raise TypeError(f"new() received an invalid combination of arguments - got ({got}{', ' if not args else ''}), "
                    'but expected one of:')


class _LegacyMeta(type):
    """``ember.FloatTensor`` / ``ember.cuda.FloatTensor``: isinstance checks dtype and device type."""
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._legacy_dtype and obj.is_cuda == cls.is_cuda

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _legacy_type(d, cuda):
    def __new__(cls, *args, device=None, **kwargs):
        if kwargs:
            bad_new_args(args, dict(kwargs, device=device) if device is not None else kwargs)
        if cuda:
            from .._backend import cuda_reason
            if cuda_reason() is not None:
                raise TypeError(f'type ember.cuda.{d.legacy} not available. Torch not compiled with CUDA enabled.')
            device = 'cuda' if device is None else device
        return legacy_new(d, args, device)
    return _LegacyMeta(d.legacy, (), {'__new__': __new__, '_legacy_dtype': d, 'dtype': d, 'is_cuda': cuda,
                                       'is_sparse': False, '__module__': 'ember.cuda' if cuda else 'ember'})


LEGACY = {d.legacy: _legacy_type(d, False) for d in _dtype.all_dtypes}
# torch.cuda has the ten classic ones (no complex, no unsigned beyond uint8)
CUDA_LEGACY = {n: _legacy_type(LEGACY[n]._legacy_dtype, True) for n in (
    'FloatTensor', 'DoubleTensor', 'HalfTensor', 'BFloat16Tensor', 'ByteTensor', 'CharTensor',
    'ShortTensor', 'IntTensor', 'LongTensor', 'BoolTensor')}


def parse_type_name(name):
    """'ember.cuda.FloatTensor' (or torch.*) -> (dtype, is_cuda); ValueError as torch for others."""
    prefix, _, cls = name.rpartition('.')
    table = {'ember': LEGACY, 'torch': LEGACY, 'ember.cuda': CUDA_LEGACY, 'torch.cuda': CUDA_LEGACY}.get(prefix)
    if table is None or cls not in table:
        raise ValueError(f'invalid type: {name!r}')
    return table[cls]._legacy_dtype, table is CUDA_LEGACY
