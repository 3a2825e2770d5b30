"""ember's own checkpoint format: a zip archive; plain data (tensors, containers) holds no pickle.

    archive/data.json     the saved object: its structure and one entry per tensor
    archive/objects.pkl   only if needed: values of other types (modules, ...), see ember_pickle
    archive/byteorder     b'little'
    archive/data/<key>    the raw little-endian bytes of one storage, 64-byte aligned, uncompressed

``data.json`` holds ``{"format": "ember", "version": 1, "storages": [...], "tensors": [...],
"object": ...}``. A storage entry is ``{"key", "nbytes", "location"}`` (location as PyTorch
names it: ``"cpu"``, ``"cuda:0"``). A tensor entry is ``{"kind": "tensor" | "ndarray", "dtype",
"shape", "stride", "offset", "storage", "requires_grad", "parameter"}`` with stride and storage
offset counted in elements, as ``Tensor.stride()`` / ``storage_offset()`` are.

The object is JSON: ``None``, bools, ints, finite floats, strings and lists are themselves; every
other value is a JSON object tagged by ``"$"``: ``tuple``, ``namedtuple`` (rebuilt as a namedtuple
with the same name and fields, never by importing a class), ``dict`` / ``OrderedDict`` / ``Counter``
(items as ``[key, value]`` pairs, so keys may be ints or tuples; an OrderedDict's attributes such
as a state_dict's ``_metadata`` are kept), ``set``, ``frozenset``, ``float`` (nan/inf), ``complex``,
``bytes``, ``bytearray``, ``tensor`` (index into "tensors"), ``storage`` (index into "tensors", an
entry of kind ``"storage"``: a storage saved on its own, loaded as ``ember.storage.TypedStorage``
as PyTorch loads it), ``sparse_coo`` (indices and values tensors, size, coalesced flag),
``numpy_scalar``, ``Size``, ``dtype``, ``device``, ``pickle`` (index into objects.pkl; loaded only
with ``weights_only=False``).

``weights_only=True`` (the default) refuses what PyTorch's weights-only load refuses for the same
objects saved by ``torch.save`` -- NumPy arrays and scalars, frozensets, namedtuples (such as
``ember.return_types.max``) -- with PyTorch's error, unless allowlisted with ``add_safe_globals``.

Sharing. Tensors (and NumPy arrays) whose memory belongs to the same base array (on a GPU, the
same allocation) -- views such as ``x``, ``x.t()``, ``x[1:, ::2]``, ``x.expand(...)`` -- are written once, as one storage
covering the bytes they use, and come back as views of one new array: writes through one are
seen by the others, with the same strides and offsets relative to each other. The same tensor
object saved twice comes back as one object. Not kept: sharing with tensors that were not saved,
identity of containers (a list saved twice comes back as two lists), version counters and the
autograd view relation (``_base``; PyTorch's load does not keep it either). A storage only
spans the saved views' bytes, so saving a small slice of a big tensor does not write the whole
tensor (PyTorch writes the whole storage).
"""
import base64
import contextlib
import json
import math
import sys

import numpy as np

from .. import _backend, _dtype
from .._device import device as _device, cpu as _cpu
from .._size import Size
from .._tensor import Tensor
from . import _files, ember_pickle
from ._files import not_a_checkpoint
from ._storage import Storage, place, tensor_array, make_tensor, storage_parts, typed_storage
from ._tree import MAPPINGS as _MAPPINGS, Decoder as _Decoder, np_dtype as _np_dtype

FORMAT, VERSION = 'ember', 2          # version 2: may hold objects.pkl (see ember_pickle)
PREFIX = 'archive/'
_LITTLE = sys.byteorder == 'little'


def _np_name(dt):
    if dt == _dtype.bfloat16.np:
        return 'bfloat16'
    if dt.kind not in 'biufc' or dt.fields is not None or dt.subdtype is not None:
        raise TypeError(f'ember.save cannot store NumPy data of dtype {dt}')
    return dt.name


def _address(arr):
    """The address of an array's first element (host or device memory)."""
    return arr.__array_interface__['data'][0] if type(arr) is np.ndarray else arr.data.ptr


def _extent(arr):
    """[lo, hi): the addresses of the bytes a non-empty array uses."""
    ptr = _address(arr)
    lo = ptr + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides) if s < 0)
    hi = ptr + sum((n - 1) * s for n, s in zip(arr.shape, arr.strides) if s > 0) + arr.itemsize
    return lo, hi


class _Memory:
    """``nbytes`` bytes at ``address`` seen as a uint8 array; keeps ``owner`` alive meanwhile."""

    def __init__(self, address, nbytes, owner):
        self.owner = owner
        self.__array_interface__ = {'shape': (nbytes,), 'typestr': '|u1', 'data': (address, True),
                                    'version': 3}


def _raw(address, nbytes, owner):
    return np.asarray(_Memory(address, nbytes, owner))


def _device_bytes(mem, lo, hi):
    """Bytes [lo, hi) (device addresses) of the GPU allocation ``mem``, copied to the host."""
    import cupy
    whole = cupy.ndarray((mem.size,), np.uint8, memptr=cupy.cuda.MemoryPointer(mem, 0))
    return _backend.move(whole[lo - mem.ptr:hi - mem.ptr], _cpu)


# ---------------------------------------------------------------- saving

class _Encoder:
    def __init__(self):
        self.items = []     # [array (host), entry, location]
        self._memo = {}     # id(tensor or ndarray) -> index into items
        self._keep = []     # keeps memoised objects alive, so their ids stay unique
        self._open = set()  # ids of the containers being encoded (to refuse cycles)
        self.pickles = ember_pickle.Writer(self._array)   # values of any other type

    @contextlib.contextmanager
    def _inside(self, obj):
        if id(obj) in self._open:
            raise ValueError('ember.save cannot store a container that contains itself')
        self._open.add(id(obj))
        try:
            yield
        finally:
            self._open.discard(id(obj))

    def encode(self, obj):
        t = type(obj)
        if obj is None or t is bool or t is str or t is int:
            return obj
        if t is float:
            return obj if math.isfinite(obj) else {'$': 'float', 'value': repr(obj)}
        if getattr(obj, 'is_sparse', False) is True and isinstance(obj, Tensor):    # COO: its parts
            return {'$': 'sparse_coo', 'indices': self.encode(obj._indices()), 'values': self.encode(obj._v),
                    'size': list(obj._size), 'coalesced': obj._coal}  # (as PyTorch: no requires_grad)
        if isinstance(obj, (Tensor, np.ndarray)):
            return {'$': 'tensor', 'index': self._array(obj)}
        if isinstance(obj, np.generic):
            return {'$': 'numpy_scalar', 'dtype': _np_name(obj.dtype), 'value': self.encode(obj.item())}
        if t is Size:
            return {'$': 'Size', 'dims': [int(d) for d in obj]}
        if t is _dtype.dtype:
            return {'$': 'dtype', 'name': obj.name}
        if t is _device:
            return {'$': 'device', 'type': obj.type, 'index': obj.index}
        if t is complex:
            return {'$': 'complex', 'real': self.encode(obj.real), 'imag': self.encode(obj.imag)}
        if t is bytes or t is bytearray:
            return {'$': t.__name__, 'base64': base64.b64encode(obj).decode('ascii')}
        if t is list:
            with self._inside(obj):
                return [self.encode(x) for x in obj]
        if t is tuple:
            with self._inside(obj):
                return {'$': 'tuple', 'items': [self.encode(x) for x in obj]}
        if isinstance(obj, tuple) and isinstance(getattr(t, '_fields', None), tuple):
            with self._inside(obj):
                return {'$': 'namedtuple', 'name': t.__name__, 'module': t.__module__,
                        'fields': list(t._fields), 'items': [self.encode(x) for x in obj]}
        if t.__name__ in _MAPPINGS and _MAPPINGS[t.__name__] is t:
            with self._inside(obj):
                node = {'$': t.__name__, 'items': [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
                attrs = getattr(obj, '__dict__', None)
                if attrs:
                    node['attrs'] = [[k, self.encode(v)] for k, v in attrs.items()]
                return node
        if t is set or t is frozenset:
            return {'$': t.__name__, 'items': [self.encode(x) for x in obj]}
        if storage_parts(obj) is not None:
            return {'$': 'storage', 'index': self._array(obj)}
        return {'$': 'pickle', 'index': self.pickles.add(obj)}   # modules, optimizers, any class

    def _array(self, obj):
        index = self._memo.get(id(obj))
        if index is not None:
            return index
        if isinstance(obj, Tensor):
            from ..nn.parameter import Parameter
            arr, location = obj._data, str(obj.device)
            entry = {'kind': 'tensor', 'dtype': obj.dtype.name, 'requires_grad': bool(obj.requires_grad),
                     'parameter': isinstance(obj, Parameter)}
        elif not isinstance(obj, np.ndarray):                  # an ember storage
            arr, name = storage_parts(obj)
            location = str(obj.device)
            entry = {'kind': 'storage', 'dtype': name}
        else:
            arr, location = obj, 'cpu'
            entry = {'kind': 'ndarray', 'dtype': _np_name(obj.dtype)}
        index = self._memo[id(obj)] = len(self.items)
        self._keep.append(obj)
        self.items.append([arr, entry, location])
        return index

    def plan(self):
        """Assign storages: one per base array (host) or allocation (GPU), spanning the bytes its
        saved views use; GPU bytes are copied to the host once per storage."""
        storages, groups = [], {}

        def alone(i):
            arr, entry, location = self.items[i]
            c = arr if arr.flags.c_contiguous else arr.copy(order='C')   # keeps 0-dim
            if type(c) is not np.ndarray:
                c = _backend.move(c, _cpu)
            if c.dtype.byteorder == '>' or (not _LITTLE and c.itemsize > 1 and c.dtype.byteorder != '<'):
                c = c.byteswap()
            entry.update(storage=len(storages), offset=0, stride=[s // c.itemsize for s in c.strides])
            address = c.__array_interface__['data'][0]
            storages.append((_raw(address, c.nbytes, c) if c.size else np.empty(0, np.uint8), location))

        for i, (arr, entry, location) in enumerate(self.items):
            entry['shape'] = list(arr.shape)
            item = arr.itemsize
            if (arr.size == 0 or not _LITTLE or arr.dtype.byteorder == '>'
                    or any(s % item for n, s in zip(arr.shape, arr.strides) if n > 1)):
                alone(i)
                continue
            if type(arr) is np.ndarray:
                root = arr
                while isinstance(root.base, np.ndarray):
                    root = root.base
                key = id(root)
            else:                                  # a GPU array: its allocation is the base
                root = arr.data.mem
                key = (location, root.ptr)
            groups.setdefault(key, [root, location]).append(i)
        for root, location, *members in groups.values():
            spans = {i: _extent(self.items[i][0]) for i in members}
            first = min(lo for lo, _ in spans.values())
            on_host = isinstance(root, np.ndarray)
            base = (_extent(root)[0] if root.size else first) if on_host else root.ptr
            lo = base + (first - base) // 8 * 8          # keeps every itemsize's alignment
            hi = max(h for _, h in spans.values())
            key = len(storages)
            storages.append((_raw(lo, hi - lo, root) if on_host else _device_bytes(root, lo, hi), location))
            for i in members:
                arr, entry, _ = self.items[i]
                delta = _address(arr) - lo
                if delta % arr.itemsize:
                    alone(i)
                    continue
                entry.update(storage=key, offset=delta // arr.itemsize,
                             stride=[s // arr.itemsize for s in arr.strides])
        return storages


def _write_storage(zf, key, raw):
    _files.add_member(zf, f'{PREFIX}data/{key}', raw, align=True)


def save(obj, f):
    enc = _Encoder()
    tree = enc.encode(obj)                 # unsupported objects fail before any file is touched
    storages = enc.plan()
    pickled = enc.pickles.data() if enc.pickles.count else None
    doc = {'format': FORMAT, 'version': 2 if pickled else 1, 'byteorder': 'little',
           'storages': [{'key': str(k), 'nbytes': int(raw.nbytes), 'location': loc}
                        for k, (raw, loc) in enumerate(storages)],
           'tensors': [entry for _, entry, _ in enc.items],
           'object': tree}
    if pickled:
        doc['pickles'] = enc.pickles.count
    text = json.dumps(doc, ensure_ascii=True, allow_nan=False, separators=(',', ':')).encode('ascii')

    def write(fh):
        with _files.new_zip(fh) as zf:
            _files.add_member(zf, PREFIX + 'data.json', text)
            _files.add_member(zf, PREFIX + 'byteorder', b'little')
            if pickled:
                _files.add_member(zf, PREFIX + ember_pickle.MEMBER, pickled)
            for k, (raw, _) in enumerate(storages):
                _write_storage(zf, k, raw)
    _files.write_to(f, write)


# ---------------------------------------------------------------- loading

def _build(entry, storages, name):
    kind = entry['kind']
    if kind == 'tensor' or kind == 'storage':
        np_dtype = _dtype._NAMES[entry['dtype']].np
    elif kind == 'ndarray':
        np_dtype = _np_dtype(entry['dtype'])
    else:
        raise ValueError(f'unknown kind {kind!r}')
    data = storages[entry['storage']]._data
    arr = tensor_array(data, np_dtype, entry['shape'], entry['stride'], entry['offset'], data.nbytes, name)
    if not _LITTLE and np_dtype.itemsize > 1:
        arr = arr.byteswap()
    if kind == 'ndarray':
        return arr if isinstance(arr, np.ndarray) else _backend.move(arr, _cpu)
    if kind == 'storage':
        return typed_storage(arr)
    return make_tensor(arr, bool(entry['requires_grad']), bool(entry['parameter']))


def read(zf, prefix, fh, f, name, map_location, mmap, weights_only=True):
    try:
        doc = json.loads(_files.member_bytes(zf, prefix + 'data.json', name))
    except (ValueError, UnicodeDecodeError) as e:
        raise not_a_checkpoint(name, f'data.json is damaged ({e})') from e
    if not isinstance(doc, dict) or doc.get('format') != FORMAT:
        raise not_a_checkpoint(name, 'data.json does not describe an ember checkpoint')
    version = doc.get('version')
    if not isinstance(version, int) or version > VERSION:
        raise RuntimeError(f"'{name}' was written by a newer ember (checkpoint format version "
                           f'{version}); this ember reads versions up to {VERSION}')
    reader = _files.member_reader(zf, fh, f, name, mmap)
    try:
        records = [(zf.getinfo(f"{prefix}data/{s['key']}"), int(s['nbytes']), str(s['location']))
                   for s in doc['storages']]
        tensors, tree = doc['tensors'], doc['object']
    except (KeyError, TypeError, ValueError) as e:
        raise not_a_checkpoint(name, f'a record is missing or data.json is damaged ({e!r})') from e
    storages = []
    for info, nbytes, location in records:
        if info.file_size != nbytes:
            raise not_a_checkpoint(name, f'record {info.filename!r} has the wrong size')
        storages.append(place(Storage(reader(info)), location, map_location))
    try:
        values = [_build(entry, storages, name) for entry in tensors]
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise not_a_checkpoint(name, f'data.json is damaged ({type(e).__name__}: {e})') from e
    objects = ()
    count = doc.get('pickles', 0)
    if count:          # anything but UnpicklingError from here is the pickled code's own error
        data = _files.member_bytes(zf, prefix + ember_pickle.MEMBER, name)
        objects = ember_pickle.read(data, int(count), values, weights_only)
    try:
        return _Decoder(values, objects, weights_only).decode(tree)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise not_a_checkpoint(name, f'data.json is damaged ({type(e).__name__}: {e})') from e
