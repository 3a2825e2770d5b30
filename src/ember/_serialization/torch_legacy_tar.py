"""Reads PyTorch's oldest checkpoints: the tar archives ``torch.save`` wrote before 0.1.10 (early
2017; torchvision's first weight files, such as ``resnet18-5c106cde.pth``, are in this format).

The archive holds four members, each a run of pickles and raw bytes:

- ``sys_info``: a dict (``little_endian``, ...);
- ``storages``: the number of storages; for each, a pickled ``(key, location, <dtype>Storage)``
  followed by its element count (little-endian int64) and its bytes; then a pickled list of
  ``(key, root_key, offset, numel)``: storages that are slices of others (in elements);
- ``tensors``: the number of tensors; for each, a pickled ``(key, storage_key, <dtype>Tensor)``
  followed by the dimension count (int32 and 4 unused bytes), the sizes and strides (int64 each)
  and the storage offset (int64);
- ``pickle``: the saved object, whose persistent ids are the keys of those tensors and storages.

Members are read in memory through ``tarfile`` (nothing is extracted to disk). Every pickle goes
through the allow-list of ``torch_reader`` (the only extra names are the ``torch.<dtype>Tensor``
classes the records name); nothing from the file is ever called.
"""
import struct
import tarfile

import numpy as np

from ._files import not_a_checkpoint
from ._storage import Storage, place, tensor_array, make_tensor
from .torch_reader import UnpicklingError, _STORAGES, _StorageType, _Typed, _swap_refs
from .torch_legacy import (PlainUnpickler, _LegacyUnpickler, _read_exact, storage_slice, text, unpickle, DAMAGE)

_MEMBERS = ('sys_info', 'storages', 'tensors', 'pickle')


def is_tar(head):
    return len(head) >= 263 and head[257:262] == b'ustar'


class _Keys:
    """Stands in for a storage loader: the records refer to nothing by persistent id."""

    def __init__(self, name):
        self.name = name

    def storage(self, pid):
        raise UnpicklingError(f'unsupported persistent id in the checkpoint: {pid!r}'[:200])


class _RecordUnpickler(_LegacyUnpickler):
    """The records name tensor classes (``torch.FloatTensor``): read as their dtype, nothing more."""

    def find_class(self, module, name):
        if module in ('torch', 'torch.cuda') and isinstance(name, str) and name.endswith('Tensor'):
            d = _STORAGES.get(name[:-len('Tensor')] + 'Storage')
            if d is not None:
                return _StorageType(d)
        return super().find_class(module, name)


class _ObjectUnpickler(_LegacyUnpickler):
    def __init__(self, file, loader, objects, weights_only=True):
        super().__init__(file, loader, weights_only)
        self._objects = objects

    def persistent_load(self, pid):
        if isinstance(pid, tuple):
            raise UnpicklingError('the checkpoint holds a whole nn.Module (saved with torch.save(model)); '
                                  'ember only reads tensors and plain containers: save model.state_dict()')
        try:
            return self._objects[_key(pid)]
        except (KeyError, ValueError, TypeError):
            raise not_a_checkpoint(self._name, f'the object refers to {pid!r}, which the archive does not hold'[:300]) \
                from None


def _key(value):
    value = text(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError('bad key')
    return int(value)


def _record(fh, name, what, size=None):
    rec = unpickle(_RecordUnpickler(fh, _Keys(name)), name, what)
    if not isinstance(rec, tuple) or (size is not None and len(rec) != size):
        raise not_a_checkpoint(name, f'{what} is malformed')
    return rec


def _count(fh, name, what):
    n = unpickle(PlainUnpickler(fh), name, what)
    if type(n) is not int or n < 0:
        raise not_a_checkpoint(name, f'{what} is malformed')
    return n


def _storages(fh, size, name, little, map_location):
    out = {}
    for _ in range(_count(fh, name, 'the number of storages')):
        key, location, stype = _record(fh, name, 'a storage record', 3)
        key, location = _key(key), text(location)
        if not isinstance(stype, _StorageType) or not isinstance(location, str):
            raise not_a_checkpoint(name, f'storage record {key} is malformed')
        head = fh.read(8)
        if len(head) < 8:
            raise not_a_checkpoint(name, f'the storages member ends inside storage {key}; it is truncated')
        count = int.from_bytes(head, 'little' if little else 'big')
        nbytes = count * stype.dtype.itemsize
        if fh.tell() + nbytes > size:
            raise not_a_checkpoint(name, f'the bytes of storage {key} are cut short; the file is truncated')
        data = np.empty(nbytes, np.uint8)
        _read_exact(fh, data, name, key)
        out[key] = _Typed(place(Storage(data), location, map_location)._data, stype.dtype, count)
    views = unpickle(PlainUnpickler(fh), name, 'the list of storage views')
    if not isinstance(views, list):
        raise not_a_checkpoint(name, 'the list of storage views is malformed')
    for view in views:
        if not (isinstance(view, tuple) and len(view) == 4 and all(type(v) is int and v >= 0 for v in view[2:])):
            raise not_a_checkpoint(name, 'the list of storage views is malformed')
        target, root, offset, numel = _key(view[0]), _key(view[1]), view[2], view[3]
        base = out.get(root)
        item = base.dtype.itemsize if base is not None else 0
        if base is None or (offset + numel) * item > base.nbytes:
            raise not_a_checkpoint(name, f'storage view {target} is not inside storage {root}')
        out[target] = _Typed(storage_slice(base.data, offset * item, (offset + numel) * item), base.dtype, numel)
    return out


def _tensors(fh, name, storages):
    out = {}
    for _ in range(_count(fh, name, 'the number of tensors')):
        key, storage_key, ttype = _record(fh, name, 'a tensor record', 3)
        key = _key(key)
        raw = fh.read(8)
        if len(raw) < 8:
            raise not_a_checkpoint(name, f'the tensors member ends inside tensor {key}; it is truncated')
        ndim = struct.unpack('<i', raw[:4])[0]
        raw = fh.read(16 * ndim + 8) if 0 <= ndim <= 64 else b''
        if len(raw) != 16 * ndim + 8:
            raise not_a_checkpoint(name, f'the layout of tensor {key} is damaged')
        values = struct.unpack(f'<{2 * ndim + 1}q', raw)
        shape, stride, offset = values[:ndim], values[ndim:2 * ndim], values[-1]
        if storage_key is None:                       # a tensor without storage: empty
            d = ttype.dtype if isinstance(ttype, _StorageType) else None
            if d is None or any(shape):
                raise not_a_checkpoint(name, f'tensor {key} has no storage')
            out[key] = make_tensor(np.empty(shape, d.np))
            continue
        st = storages.get(_key(storage_key))
        if st is None:
            raise not_a_checkpoint(name, f'tensor {key} uses storage {storage_key}, which the archive does not hold')
        out[key] = make_tensor(tensor_array(st.data, st.dtype.np, shape, stride, offset, st.nbytes, name))
    return out


def read(fh, name, map_location, weights_only=True):
    """The object in a tar-format PyTorch checkpoint ``fh``."""
    try:
        tar = tarfile.open(fileobj=fh, mode='r:')
    except (tarfile.TarError, EOFError, ValueError, OSError) as e:
        raise not_a_checkpoint(name, f'failed reading the tar archive ({e}); the file is truncated or damaged') \
            from e
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers() if m.isfile()}
        except (tarfile.TarError, EOFError, ValueError, OSError) as e:
            raise not_a_checkpoint(name, f'failed reading the tar archive ({e}); the file is truncated or '
                                         'damaged') from e
        missing = [m for m in _MEMBERS if m not in members]
        if missing:
            raise not_a_checkpoint(name, 'it is a tar archive without the members of a PyTorch checkpoint '
                                         f'({", ".join(missing)} missing)')

        def member(m):
            try:
                return tar.extractfile(members[m])
            except (tarfile.TarError, EOFError, ValueError, OSError) as e:
                raise not_a_checkpoint(name, f'member {m!r} is damaged ({e})') from e

        try:
            with member('sys_info') as f:
                info = unpickle(PlainUnpickler(f), name, 'sys_info')
            little = not isinstance(info, dict) or info.get('little_endian', True) is not False
            with member('storages') as f:
                storages = _storages(f, members['storages'].size, name, little, map_location)
            with member('tensors') as f:
                objects = _tensors(f, name, storages)
            objects.update((k, v) for k, v in storages.items() if k not in objects)
            with member('pickle') as f:
                obj = unpickle(_ObjectUnpickler(f, _Keys(name), objects, weights_only), name, 'the pickled object')
        except (tarfile.TarError, OSError, struct.error) + DAMAGE as e:
            if isinstance(e, (UnpicklingError, RuntimeError)):
                raise
            raise not_a_checkpoint(name, f'the tar archive is damaged ({type(e).__name__}: {e})') from e
    return _swap_refs(obj, set())
