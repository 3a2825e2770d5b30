"""Reads PyTorch's legacy checkpoints: the format of ``torch.save`` before 1.6 (and of
``torch.save(..., _use_new_zipfile_serialization=False)`` since), without importing torch.

The file is a run of pickles followed by raw bytes:

1. the magic number ``0x1950a86a20f9469cfc6c``;
2. the format version, 1001;
3. ``sys_info``: a dict (``protocol_version``, ``little_endian``, ``type_sizes``);
4. the saved object. Tensors refer to storages through persistent ids
   ``('storage', <dtype>Storage, root_key, location, numel, view)``, where ``view`` is None or
   ``(view_key, offset, size)``: a slice of the root storage, in elements (PyTorch before 1.0
   saved storage slices that way);
5. the list of root storage keys, in the order their bytes follow;
6. for each key: its element count as a little-endian int64, then its bytes. PyTorch writes
   these little-endian on every machine; only very old versions wrote the count in the saving
   machine's order, which ``sys_info`` then says is big-endian -- both are accepted.

The saved object comes before the bytes of its storages. It is read twice by the restricted
unpickler of ``torch_reader`` (the same allow-list: nothing else is ever called): a first pass
learns each storage's dtype, size and location and refuses any other global before a single
byte of tensor data is read; then the storages are read and placed (``map_location``, once per
storage, as for zip files), and a second pass builds the tensors as views of them, so tensors
saved from one storage share memory again.

The still older tar format (PyTorch before 0.1.10) is read by ``torch_legacy_tar``.
"""
import io
import pickle

import numpy as np

from ._files import not_a_checkpoint
from ._storage import Storage, place, make_tensor
from ._weights_only import py3_name
from .torch_reader import (UnpicklingError, _StorageType, _TorchUnpickler, _Typed, _refused,
                           _swap_refs)

MAGIC_NUMBER = 0x1950a86a20f9469cfc6c
PROTOCOL_VERSION = 1001
_MAGIC_LONG = b'\x8a\x0a' + MAGIC_NUMBER.to_bytes(10, 'little') + b'.'    # LONG1 opcode, then STOP
_MAGIC_TEXT = b'L%dL\n.' % MAGIC_NUMBER                                    # pickle protocols 0 and 1
_MAGIC_PICKLES = [pickle.dumps(MAGIC_NUMBER, protocol=p) for p in range(pickle.HIGHEST_PROTOCOL + 1)]
_CHUNK = 1 << 24
_NOTHING = np.empty(0, np.uint8)
DAMAGE = (pickle.UnpicklingError, EOFError, TypeError, ValueError, KeyError, IndexError,
          AttributeError, OverflowError, MemoryError, UnicodeDecodeError)


def is_legacy(head):
    """Whether the first bytes of a file are the pickled magic number of the legacy format
    (or, for a file shorter than that, the start of it: a truncated checkpoint)."""
    if head.startswith(_MAGIC_TEXT) or (1 < len(head) < 32 and any(m.startswith(head) for m in _MAGIC_PICKLES)):
        return True
    i = 2 if head[:1] == b'\x80' else 0            # PROTO <n>
    if head[i:i + 1] == b'\x95':                    # FRAME <8-byte length> (protocol 4 and 5)
        i += 9
    return head[i:i + len(_MAGIC_LONG)] == _MAGIC_LONG


def mmap_refused(f):
    where = f'{f}, ' if isinstance(f, str) else ''
    return RuntimeError('mmap can only be used with files saved with '
                        f'`torch.save({where}_use_new_zipfile_serialization=True), please torch.save your '
                        'checkpoint with this option in order to use mmap.')


class PlainUnpickler(pickle.Unpickler):
    """For the format's own records (numbers, dicts, lists of keys): no globals at all."""

    def __init__(self, file):
        super().__init__(file, encoding='utf-8')

    def find_class(self, module, name):
        raise _refused('.'.join(py3_name(module, name)))

    def persistent_load(self, pid):
        raise UnpicklingError('a record of the legacy format holds a persistent id')


def text(value):
    """Keys and locations: str, or bytes from a pickle written by Python 2."""
    if isinstance(value, bytes):
        return value.decode('ascii', 'replace')
    return value


def unpickle(unpickler, name, what):
    """Run one unpickler; damage becomes ember's 'not a valid checkpoint' error."""
    try:
        return unpickler.load()
    except (UnpicklingError, RuntimeError):
        raise
    except DAMAGE as e:
        if isinstance(e, EOFError):
            raise not_a_checkpoint(name, f'the file ends inside {what}; it is truncated') from e
        raise not_a_checkpoint(name, f'{what} is damaged ({type(e).__name__}: {e})') from e


class _LegacyUnpickler(_TorchUnpickler):
    def find_class(self, module, name):
        if module == 'torch.cuda' and isinstance(name, str) and name.endswith('Storage'):
            module = 'torch'                 # GPU storages of old files: the same dtypes
        return super().find_class(module, name)


class _ScanUnpickler(_LegacyUnpickler):
    """First pass: the same allow-list, but tensors are stand-ins and no storage is read."""

    def _rebuild_tensor(self, storage, storage_offset, size, stride):
        if not isinstance(storage, _Typed):
            raise UnpicklingError('a tensor was rebuilt from something that is not a storage')
        return make_tensor(np.empty(0, np.float32))


class _Root:
    __slots__ = ('dtype', 'numel', 'location', 'placed')

    def __init__(self, d, numel, location):
        self.dtype, self.numel, self.location, self.placed = d, numel, location, None


class _Storages:
    """The unpickler's storages: recorded in the first pass, handed out placed in the second."""

    def __init__(self, name):
        self.name = name
        self.roots = {}
        self.views = {}
        self.ready = False

    def _bad(self, pid, why='malformed storage record'):
        return not_a_checkpoint(self.name, f'{why} {pid!r}'[:300])

    def storage(self, pid):
        if not (isinstance(pid, tuple) and pid and text(pid[0]) == 'storage'):
            if isinstance(pid, tuple) and pid and text(pid[0]) == 'module':
                raise UnpicklingError('the checkpoint holds a whole nn.Module (saved with torch.save(model)); '
                                      'ember only reads tensors and plain containers: save model.state_dict()')
            raise UnpicklingError(f'unsupported persistent id in the checkpoint: {pid!r}'[:200])
        if len(pid) != 6 or not isinstance(pid[1], _StorageType):
            raise self._bad(pid)
        _, stype, key, location, numel, view = pid
        key, location, d = text(key), text(location), stype.dtype
        if not isinstance(key, str) or not isinstance(location, str) or type(numel) is not int or numel < 0:
            raise self._bad(pid)
        if view is not None:
            if not (isinstance(view, tuple) and len(view) == 3 and all(type(v) is int and v >= 0 for v in view[1:])):
                raise self._bad(pid)
            offset, numel = view[1], view[2]
        root = self.roots.get(key)
        if not self.ready:
            if root is None:
                root = self.roots[key] = _Root(d, pid[4], location)
            end = (offset + numel if view is not None else numel) * d.itemsize
            if end > root.numel * root.dtype.itemsize:
                raise not_a_checkpoint(self.name, f'storage {key} is used past its recorded size')
            return _Typed(_NOTHING, d, 0)
        data = root.placed._data
        if view is not None:
            vkey = (key, text(view[0]), offset * d.itemsize, (offset + numel) * d.itemsize)
            if vkey not in self.views:
                self.views[vkey] = storage_slice(data, vkey[2], vkey[3])
            data = self.views[vkey]
        return _Typed(data, d, numel)


def storage_slice(data, start, stop):
    """Bytes ``start:stop`` of a storage as a storage of their own sharing its memory, as PyTorch
    slices storages: offsets of tensors on it then count from ``start``, as they did when saved."""
    part = data[start:stop]
    if isinstance(part, np.ndarray) and part.size:
        return np.frombuffer(memoryview(part), np.uint8)
    return part


def _read_exact(fh, out, name, key):
    view = memoryview(out)
    pos, n = 0, out.nbytes
    readinto = getattr(fh, 'readinto', None)
    while pos < n:
        want = min(_CHUNK, n - pos)
        if readinto is not None:
            got = readinto(view[pos:pos + want])
        else:
            chunk = fh.read(want)
            got = len(chunk)
            view[pos:pos + got] = chunk
        if not got:
            raise not_a_checkpoint(name, f'the bytes of storage {key} are cut short; the file is truncated')
        pos += got


def _read_storages(fh, keys, roots, name, little):
    here = fh.tell()
    end = fh.seek(0, io.SEEK_END)
    fh.seek(here)
    for key in keys:
        root = roots[key]
        head = fh.read(8)
        if len(head) < 8:
            raise not_a_checkpoint(name, f'the file ends before the bytes of storage {key}; it is truncated')
        count = int.from_bytes(head, 'little')
        if count != root.numel and not little and int.from_bytes(head, 'big') == root.numel:
            count = root.numel
        if count != root.numel:
            raise not_a_checkpoint(name, f'storage {key} holds {count} elements but the pickle recorded '
                                         f'{root.numel}')
        nbytes = count * root.dtype.itemsize
        if fh.tell() + nbytes > end:
            raise not_a_checkpoint(name, f'the bytes of storage {key} are cut short; the file is truncated')
        data = np.empty(nbytes, np.uint8)
        _read_exact(fh, data, name, key)
        root.placed = data


def _header(fh, name):
    magic = unpickle(PlainUnpickler(fh), name, 'the magic number')
    if magic != MAGIC_NUMBER:
        raise not_a_checkpoint(name, 'invalid magic number')
    version = unpickle(PlainUnpickler(fh), name, 'the format version')
    if version != PROTOCOL_VERSION:
        raise not_a_checkpoint(name, f'unknown legacy format version {version!r} (expected {PROTOCOL_VERSION})')
    info = unpickle(PlainUnpickler(fh), name, 'sys_info')
    if not isinstance(info, dict):
        raise not_a_checkpoint(name, 'sys_info is not a dict')
    return info.get('little_endian', True) is not False


def read(fh, name, map_location, weights_only=True):
    """The object in the legacy checkpoint ``fh`` (a seekable binary file at its start)."""
    little = _header(fh, name)
    start = fh.tell()
    storages = _Storages(name)
    unpickle(_ScanUnpickler(fh, storages, weights_only), name, 'the pickled object')
    stop = fh.tell()
    keys = unpickle(PlainUnpickler(fh), name, 'the list of storage keys')
    if not isinstance(keys, list):
        raise not_a_checkpoint(name, 'the list of storage keys is not a list')
    keys = [text(k) for k in keys]
    if len(set(keys)) != len(keys) or set(keys) != set(storages.roots):
        missing = sorted(set(storages.roots) - set(keys))
        why = f'storage {missing[0]} has no bytes in the file' if missing else 'the list of storage keys does not ' \
              'match the storages the object uses'
        raise not_a_checkpoint(name, why)
    _read_storages(fh, keys, storages.roots, name, little)
    for key in keys:
        root = storages.roots[key]
        root.placed = place(Storage(root.placed), root.location, map_location)
    fh.seek(start)
    data = fh.read(stop - start)
    storages.ready = True
    obj = unpickle(_LegacyUnpickler(io.BytesIO(data), storages, weights_only), name, 'the pickled object')
    return _swap_refs(obj, set())
