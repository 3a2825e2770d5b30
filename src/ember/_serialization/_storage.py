"""Storages while loading: where they go (``map_location``) and tensors as views of their bytes.

A storage is a flat uint8 array (NumPy, or CuPy once moved to a GPU). Every tensor that was
saved from the same storage is rebuilt as a view of the same array, so the loaded tensors share
memory exactly as the saved ones did.
"""
import numpy as np

from .. import _backend
from .._device import device as _device, cpu as _cpu
from .._tensor import Tensor
from ._files import not_a_checkpoint

_NO_CUDA = ('Attempting to deserialize object on a CUDA device but ember.cuda.is_available() is False. '
            'If you are running on a CPU-only machine, please use ember.load with '
            "map_location=ember.device('cpu') to map your storages to the CPU.")


class Storage:
    """One storage's bytes and their device: what a callable ``map_location`` receives.

    ``map_location=lambda storage, loc: storage`` keeps it where it is (the CPU, after reading);
    ``storage.cuda(0)`` / ``storage.cpu()`` / ``storage.to(dev)`` return it moved.
    """

    __slots__ = ('_data', 'device')

    def __init__(self, data, device=_cpu):
        self._data = data
        self.device = device

    def nbytes(self):
        return int(self._data.nbytes)

    size = nbytes

    def to(self, device):
        dev = check_device(device)
        if dev == self.device or (dev.type == self.device.type == 'cuda' and dev.index is None):
            return self
        return Storage(_backend.move(self._data, dev), dev)

    def cpu(self):
        return self.to(_cpu)

    def cuda(self, device=None):
        if device is None:
            device = 0
        return self.to(_device('cuda', device) if isinstance(device, int) else _device(device))

    def __repr__(self):
        return f'<ember storage of {self.nbytes()} bytes on {self.device}>'


def _device_count():
    import cupy
    return cupy.cuda.runtime.getDeviceCount()


def check_device(loc):
    """An ember.device for a location (str, ember.device, torch.device), checked to exist here.

    As in PyTorch: 'cpu' and 'cuda[:n]' (and 'meta') are known, any other tag is refused with
    PyTorch's message, and a map_location of another type is taken for a callable (so an int,
    which PyTorch does not read as a GPU index here, fails as PyTorch's does)."""
    if isinstance(loc, (str, _device)) or (hasattr(loc, 'type') and hasattr(loc, 'index')):
        text = str(loc)
        if text != 'cpu' and not text.startswith(('cuda', 'meta')):
            raise RuntimeError("don't know how to restore data location of ember.storage.UntypedStorage "
                               f'(tagged with {text})')
        dev = loc if isinstance(loc, _device) else _device(text)    # 'cuda:x': the device's own error
    else:
        raise TypeError(f"'{type(loc).__name__}' object is not callable")
    if dev.type == 'cuda':
        if _backend.cuda_unavailable_reason() is not None:
            raise RuntimeError(_NO_CUDA)
        count = _device_count()
        if dev.index is not None and dev.index >= count:
            raise RuntimeError(f'Attempting to deserialize object on CUDA device {dev.index} but '
                               f'ember.cuda.device_count() is {count}. Please use ember.load with '
                               'map_location to map your storages to an existing device.')
    elif dev.type != 'cpu':
        raise RuntimeError(f"ember.load cannot restore storages on the '{dev.type}' device; "
                           "pass map_location='cpu'")
    return dev


def place(storage, location, map_location):
    """Where a storage saved at ``location`` goes, following PyTorch's ``map_location`` rules."""
    if map_location is None:
        return storage.to(location)
    if isinstance(map_location, dict):
        return storage.to(map_location.get(location, location))
    if callable(map_location) and not isinstance(map_location, (str, _device)):
        result = map_location(storage, location)
        if result is None:
            return storage.to(location)
        if not isinstance(result, Storage):
            raise TypeError(f'map_location returned {type(result).__name__}; it must return the '
                            'storage it was given (moved with .cpu()/.cuda()/.to()) or None')
        return result
    return storage.to(map_location)


def tensor_array(data, np_dtype, shape, stride, offset, limit, name):
    """The array of a tensor with ``shape``/``stride``/``offset`` (elements) over raw bytes ``data``.

    ``limit`` is how many bytes of ``data`` the tensor may reach; a tensor reaching past it
    (only a damaged or hand-made file does that) is refused instead of reading stray memory.
    """
    shape = _ints(shape, name, 'shape')
    stride = _ints(stride, name, 'stride', signed=True)
    offset = _ints([offset], name, 'storage offset')[0]
    if len(stride) != len(shape):
        raise not_a_checkpoint(name, 'a tensor has a different number of strides and dimensions')
    item = np_dtype.itemsize
    xp = np if isinstance(data, np.ndarray) else _backend.array_module(data)
    if 0 in shape:
        return xp.empty(shape, np_dtype)
    lo = offset + sum((n - 1) * s for n, s in zip(shape, stride) if s < 0)
    hi = offset + sum((n - 1) * s for n, s in zip(shape, stride) if s > 0) + 1
    if lo < 0 or hi * item > min(limit, data.nbytes):
        raise not_a_checkpoint(name, 'a tensor reaches past the end of its storage')
    strides = tuple(s * item for s in stride)
    if xp is np:
        return np.ndarray(shape, np_dtype, buffer=data, offset=offset * item, strides=strides)
    return xp.ndarray(shape, np_dtype, memptr=data.data + offset * item, strides=strides)


def _ints(values, name, what, signed=False):
    try:
        out = tuple(values)
    except TypeError:
        out = None
    if out is None or not all(isinstance(v, int) for v in out) or (not signed and any(v < 0 for v in out)):
        raise not_a_checkpoint(name, f'a tensor has an invalid {what}: {values!r}')
    return tuple(int(v) for v in out)


def make_tensor(arr, requires_grad=False, parameter=False):
    t = Tensor._make(arr)
    if requires_grad:
        t.requires_grad_(True)
    if parameter:
        from ..nn.parameter import Parameter
        t = Parameter(t, bool(requires_grad))
    return t


# The two places that know how ember.storage's classes hold their memory (ops/storage.py):
# a storage is a flat array over the whole allocation (uint8 for UntypedStorage).

def typed_storage(flat):
    """An ``ember.storage.TypedStorage`` over the 1-D array ``flat`` (what a loaded storage is)."""
    from ..ops.storage import TypedStorage
    return TypedStorage(flat)


def storage_parts(obj):
    """(flat array, dtype name) of an ember storage object, or None for anything else."""
    from ..ops.storage import TypedStorage, UntypedStorage
    if isinstance(obj, (TypedStorage, UntypedStorage)):
        flat = obj._flat
        return flat, ('uint8' if isinstance(obj, UntypedStorage) else obj.dtype.name)
    return None
