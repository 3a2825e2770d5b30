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


class _Storage:
    """Common part: a flat array over the whole allocation."""
    __module__ = 'ember.storage'

    def __init__(self, flat, owner=None):
        self._flat = flat
        self._owner = flat if owner is None else owner

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
    """The allocation as bytes."""
    __module__ = 'ember.storage'

    def __init__(self, flat, owner=None):
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
    """The allocation as elements of one dtype (deprecated in PyTorch in favour of UntypedStorage)."""
    __module__ = 'ember.storage'

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

    def clone(self):
        return TypedStorage(self._flat.copy())


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
    check_inplace(self, self.requires_grad)
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


def resize_as_(self, the_template, memory_format=None):
    return self.resize_(the_template.shape)


METHODS = {'storage': storage, 'untyped_storage': untyped_storage, 'share_memory_': share_memory_,
           'is_shared': is_shared, 'set_': set_, 'resize_as_': resize_as_}
