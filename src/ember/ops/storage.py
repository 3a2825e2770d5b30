"""Storages: the flat memory a tensor and its views look into (``x.untyped_storage()``, the older
typed ``x.storage()``), and the Tensor methods that work on it (set_, resize_as_, share_memory_,
is_shared). Learners meet them checking that a view shares memory:
``y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()``.

A storage here is the whole allocation behind the tensor's array (strided.storage_of), so views
of one tensor report the same storage and data_ptr; indexing a storage writes through to them."""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _address, _TYPE_NAMES
from .strided import storage_of

__all__ = ['TypedStorage', 'UntypedStorage']

_shared = {}                    # id -> weakref of the allocations marked by share_memory_ (CPU)
_warned = [False]
_TYPED_WARNING = ('TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the '
                  'only storage class. This should only matter to you if you are using storages directly.  To '
                  'access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()')


def _owner(arr):
    """The array object that owns the allocation (what share_memory_ marks)."""
    while isinstance(getattr(arr, 'base', None), np.ndarray):
        arr = arr.base
    return arr


def _is_array(x):
    return hasattr(x, '__array_interface__') or hasattr(x, '__cuda_array_interface__')


def _new_flat(cls_name, args, np_dtype, device):
    """The memory of ``UntypedStorage(n)`` / ``TypedStorage([1, 2], dtype=...)``: zeros (PyTorch leaves
    it uninitialised) or the sequence's values."""
    from .creation import _place
    if len(args) > 1:
        raise TypeError(f'{cls_name}(): too many positional arguments')
    if not args:
        flat = np.zeros(0, np_dtype)
    elif isinstance(args[0], (int, np.integer)) and not isinstance(args[0], bool):
        n = int(args[0])
        if n < 0:
            raise RuntimeError('[enforce fail at alloc_cpu.cpp:98] ((ptrdiff_t)nbytes) >= 0. alloc_cpu() seems to '
                               f'have been called with negative number: {2 ** 64 + n * np.dtype(np_dtype).itemsize}')
        flat = np.zeros(n, np_dtype)
    elif isinstance(args[0], (str, bytes)) or not hasattr(args[0], '__len__'):
        raise RuntimeError(f'ember.{cls_name}(): Expected a sequence type, but got {type(args[0]).__name__}')
    else:
        flat = np.array(list(args[0]), dtype=np_dtype).reshape(-1)
    return _place(flat, device)


class _Storage:
    """Common part: a flat array over the whole allocation."""
    __module__ = 'ember.storage'

    def __init__(self, flat, owner=None):
        self._flat = flat
        self._owner = flat if owner is None else owner

    def clone(self):
        """A copy in new memory."""
        return type(self)(self._flat.copy())

    def resize_(self, size):
        """Grow or shrink to ``size`` (bytes, or elements of a typed storage), keeping the leading data.
        ember: tensors already looking at the storage keep the old memory."""
        size = int(size)
        if size < 0:
            raise RuntimeError('[enforce fail at alloc_cpu.cpp:98] ((ptrdiff_t)nbytes) >= 0. alloc_cpu() seems to '
                               f'have been called with negative number: {2 ** 64 + size * self._flat.itemsize}')
        flat = self._flat
        new = (np if type(flat) is np.ndarray else __import__('cupy')).zeros(size, flat.dtype)
        n = min(size, flat.size)
        new[:n] = flat[:n]
        self._flat = self._owner = new
        return self

    def copy_(self, source, non_blocking=None):
        """Copy ``source``'s bytes into this storage (the byte sizes must match)."""
        dst, src = self._flat.view(np.uint8), source._flat.view(np.uint8)
        if dst.size != src.size:
            raise RuntimeError(f'size does not match, self was {dst.size} bytes but src was {src.size} bytes')
        if type(dst) is not type(src):
            from .._backend import move
            src = move(src, self.device)
        dst[...] = src
        return self

    def _cast(self, d):
        if isinstance(self, TypedStorage) and self.dtype is d:
            return self
        return TypedStorage(self._flat.astype(d.np))

    def double(self):
        return self._cast(_dtype.float64)

    def float(self):
        return self._cast(_dtype.float32)

    def half(self):
        return self._cast(_dtype.float16)

    def bfloat16(self):
        return self._cast(_dtype.bfloat16)

    def long(self):
        return self._cast(_dtype.int64)

    def int(self):
        return self._cast(_dtype.int32)

    def short(self):
        return self._cast(_dtype.int16)

    def char(self):
        return self._cast(_dtype.int8)

    def byte(self):
        return self._cast(_dtype.uint8)

    def bool(self):
        return self._cast(_dtype.bool_)

    @property
    def device(self):
        from .._device import device
        return device('cpu') if type(self._flat) is np.ndarray else device('cuda', self._flat.device.id)

    @property
    def is_cuda(self):
        return type(self._flat) is not np.ndarray

    def data_ptr(self):
        if not self._flat.size:
            return 0
        return _address(self._flat) if type(self._flat) is np.ndarray else self._flat.data.ptr

    def nbytes(self):
        return self._flat.nbytes

    def __len__(self):
        return self.size()

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self):
        data = self._flat if type(self._flat) is np.ndarray else self._flat.get()
        return data.tolist()

    def is_shared(self):
        return self.is_cuda or _is_marked(_owner(self._owner))

    def is_pinned(self, device='cuda'):
        return False

    def _index(self, idx):
        n = self.size()
        if not -n <= idx < n:
            raise IndexError(f'index {idx} out of range for storage of size {n}')
        return idx + n if idx < 0 else idx

    def __repr__(self):
        body = '\n'.join(f' {v}' for v in self.tolist()) if self.size() else ' '
        return f'{body}\n[{self._describe()} of size {self.size()}]'

    __str__ = __repr__


class UntypedStorage(_Storage):
    """The allocation as bytes: ``UntypedStorage(8)``, ``UntypedStorage([1, 2])``, ``UntypedStorage()``."""
    __module__ = 'ember.storage'

    def __init__(self, *args, device=None):
        if args and _is_array(args[0]):           # ember's own: (flat array, owner)
            flat, owner = args[0], args[1] if len(args) > 1 else None
        else:
            flat, owner = _new_flat('UntypedStorage', args, np.uint8, device), None
        super().__init__(flat.view(np.uint8) if flat.dtype != np.uint8 else flat, owner)

    def size(self):
        return self._flat.size

    def element_size(self):
        return 1

    def _describe(self):
        return f"ember.storage.UntypedStorage(device={self.device})"

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return UntypedStorage(self._flat[idx])
        return int(self._flat[self._index(idx)])

    def __setitem__(self, idx, value):
        self._flat[idx if isinstance(idx, slice) else self._index(idx)] = value


class TypedStorage(_Storage):
    """The allocation as elements of one dtype (deprecated in PyTorch in favour of UntypedStorage):
    ``TypedStorage(3, dtype=ember.float32)``, ``TypedStorage([1, 2], dtype=...)``,
    ``TypedStorage(wrap_storage=untyped, dtype=...)``."""
    __module__ = 'ember.storage'

    def __init__(self, *args, dtype=None, device=None, wrap_storage=None):
        if args and _is_array(args[0]):           # ember's own: (flat array, owner)
            super().__init__(*args)
            return
        if not _warned[0]:
            _warned[0] = True
            warnings.warn(_TYPED_WARNING, UserWarning, stacklevel=2)
        nd = (_dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)).np
        if wrap_storage is not None:
            flat = wrap_storage._flat
            size = flat.size - flat.size % np.dtype(nd).itemsize
            super().__init__(flat[:size].view(nd), wrap_storage._owner)
            return
        super().__init__(_new_flat('TypedStorage', args, nd, device))

    def size(self):
        return self._flat.size

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._flat.dtype]

    def element_size(self):
        return self._flat.itemsize

    def _describe(self):
        return f'ember.storage.TypedStorage(dtype={self.dtype}, device={self.device})'

    def type(self):
        return f"ember.{'cuda.' if self.is_cuda else ''}{self.dtype.legacy.replace('Tensor', 'Storage')}"

    def untyped(self):
        return UntypedStorage(self._flat, self._owner)

    def resize_(self, size):
        """Resize to ``size`` elements; returns None (as PyTorch's TypedStorage.resize_)."""
        super().resize_(size)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            raise RuntimeError('slices are only supported in UntypedStorage.__getitem__')
        v = self._flat[self._index(idx)]
        return v.item()

    def __setitem__(self, idx, value):
        if isinstance(idx, slice):
            self._flat[idx] = value
        else:
            self._flat[self._index(idx)] = value

    def fill_(self, value):
        self._flat[...] = value
        return self



def tensor_values(storage, dtype=None):
    """The host array ``ember.tensor(storage)`` holds: a typed storage's values, which must be of the
    tensor's dtype (default: the default dtype), as PyTorch requires."""
    from .._tensor import _scalar_name
    d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if isinstance(storage, TypedStorage) and storage.dtype is not d:
        raise RuntimeError(f'Expected a Storage of type {_scalar_name(d)} or an UntypedStorage, but got '
                           f'{_scalar_name(storage.dtype)}')
    flat = storage._flat if type(storage._flat) is np.ndarray else storage._flat.get()
    if isinstance(storage, UntypedStorage):
        flat = flat[:flat.size - flat.size % np.dtype(d.np).itemsize].view(d.np)
    return flat.copy()


def untyped_storage(self):
    return UntypedStorage(storage_of(self._data)[0], self._data)


def storage(self):
    if not _warned[0]:
        _warned[0] = True
        warnings.warn(_TYPED_WARNING, UserWarning, stacklevel=2)
    return TypedStorage(storage_of(self._data)[0], self._data)


def share_memory_(self):
    """Move the tensor's memory into shared memory, so processes it is sent to see its writes
    (ember.multiprocessing.reductions; CUDA tensors are left as they are)."""
    from ..multiprocessing.reductions import share_memory_ as share
    return share(self)


def is_shared(self):
    from ..multiprocessing.reductions import is_shared as shared
    return shared(self)


def _is_marked(arr):
    ref = _shared.get(id(arr))
    return ref is not None and ref() is arr


def set_(self, source=None, storage_offset=0, size=None, stride=None):
    """Make ``self`` look at ``source``'s memory (a tensor or a storage), with the given geometry;
    ``set_()`` with no source makes it empty."""
    from ._op import check_inplace
    check_inplace(self, self.requires_grad, 'set_')
    if source is None:
        data = self._data[:0].reshape(0) if self._data.ndim else self._data.reshape(1)[:0]
    elif isinstance(source, Tensor):
        if size is None:
            data = source._data
        else:
            flat, off = storage_of(source._data)
            data = _view(flat, off + storage_offset, size, stride)
    elif isinstance(source, _Storage):
        flat = source._flat
        if isinstance(source, UntypedStorage):
            flat = flat.view(self._data.dtype)
        if size is None:
            size, storage_offset = (flat.size,), 0
        data = _view(flat, storage_offset, size, stride)
    else:
        raise TypeError(f'set_(): expected a Tensor or a storage as source, got {type(source).__name__}')
    if data.dtype != self._data.dtype:
        raise RuntimeError(f'Could not set tensor of type {_TYPE_NAMES[_dtype._FROM_NP[data.dtype]]} to a '
                           f'tensor of type {_TYPE_NAMES[self.dtype]}')
    self._data = data
    self._vc[0] += 1
    return self


def _view(flat, offset, size, stride):
    size = tuple(int(s) for s in size)
    if stride is None:
        stride, acc = [], 1
        for s in reversed(size):
            stride.insert(0, acc)
            acc *= s
    item = flat.itemsize
    xp = np if type(flat) is np.ndarray else __import__('cupy')
    return xp.lib.stride_tricks.as_strided(flat[offset:], size, tuple(int(s) * item for s in stride))


METHODS = {'storage': storage, 'untyped_storage': untyped_storage, 'share_memory_': share_memory_,
           'is_shared': is_shared, 'set_': set_}
