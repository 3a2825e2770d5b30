"""Reads PyTorch's zip checkpoints (``torch.save``'s format since 1.6) without importing torch.

Layout: ``<name>/data.pkl`` (a pickle whose tensors refer to storages through persistent ids
``('storage', <dtype>Storage, key, location, numel)``), ``<name>/data/<key>`` (each storage's
raw bytes) and ``<name>/byteorder``.

The pickle is read by an unpickler whose ``find_class`` knows a fixed list of globals -- the
ones state_dicts and optimizer states use: the tensor/parameter rebuild functions, storage
types, dtypes, ``torch.Size``, ``torch.device``, ``OrderedDict``/``Counter``, ``set``/
``complex``/``bytearray``, the ``_codecs.encode`` protocol 2 uses for bytes; and, as PyTorch,
only with ``weights_only=False`` or once allowlisted (``add_safe_globals``): ``frozenset``,
``slice``, ``range``, NumPy arrays and scalars, ``torch.return_types`` namedtuples. Each maps to
an ember replacement; any other global is refused with :class:`UnpicklingError` naming it,
before anything is called, so a malicious pickle runs no code (also with ``weights_only=False``).
Callables are handed out as methods of the unpickler and markers are immutable, so a pickle
cannot rewire them for later loads either. A storage saved on its own loads as an
``ember.storage.TypedStorage``, as PyTorch loads it.
"""
import collections
import functools
import io
import pickle

import numpy as np

from .. import _dtype
from .._device import device as _device
from .._size import Size
from .._tensor import Tensor
from . import _files, _weights_only
from ._files import not_a_checkpoint
from ._storage import Storage, place, tensor_array, make_tensor, typed_storage
from ._weights_only import UnpicklingError, py3_name, weights_only_error


class _Frozen:
    __slots__ = ()

    def __setattr__(self, name, value):
        raise AttributeError(f'{type(self).__name__} is read-only')

    def __reduce__(self):
        raise TypeError(f'{type(self).__name__} cannot be pickled')


class _StorageType(_Frozen):
    __slots__ = ('dtype',)

    def __init__(self, d):
        object.__setattr__(self, 'dtype', d)


class _DtypeRef(_Frozen):
    """Stands for an ember dtype while unpickling (swapped for it afterwards)."""
    __slots__ = ('dtype',)

    def __init__(self, d):
        object.__setattr__(self, 'dtype', d)

    def __hash__(self):
        return hash(self.dtype)

    def __eq__(self, other):
        return isinstance(other, _DtypeRef) and other.dtype is self.dtype


class _TypeMarker(_Frozen):
    __slots__ = ('parameter',)

    def __init__(self, parameter):
        object.__setattr__(self, 'parameter', parameter)


_D = _dtype
_DTYPES = {'float32': _D.float32, 'float': _D.float32, 'float64': _D.float64, 'double': _D.float64,
           'float16': _D.float16, 'half': _D.float16, 'bfloat16': _D.bfloat16, 'int64': _D.int64,
           'long': _D.int64, 'int32': _D.int32, 'int': _D.int32, 'int16': _D.int16, 'short': _D.int16,
           'int8': _D.int8, 'uint8': _D.uint8, 'bool': _D.bool_, 'complex64': _D.complex64,
           'cfloat': _D.complex64, 'complex128': _D.complex128, 'cdouble': _D.complex128,
           'uint16': _D.uint16, 'uint32': _D.uint32, 'uint64': _D.uint64}
_STORAGES = {'FloatStorage': _D.float32, 'DoubleStorage': _D.float64, 'HalfStorage': _D.float16,
             'BFloat16Storage': _D.bfloat16, 'LongStorage': _D.int64, 'IntStorage': _D.int32,
             'ShortStorage': _D.int16, 'CharStorage': _D.int8, 'ByteStorage': _D.uint8,
             'BoolStorage': _D.bool_, 'UntypedStorage': _D.uint8, 'ComplexFloatStorage': _D.complex64,
             'ComplexDoubleStorage': _D.complex128}
_UNSUPPORTED_DTYPES = ('complex', 'chalf', 'float8',
                       'qint', 'quint', 'bits', 'int1', 'int2', 'int3', 'int4', 'int5', 'int6', 'int7',
                       'uint1', 'uint2', 'uint3', 'uint4', 'uint5', 'uint6', 'uint7', 'float4')
_TENSOR, _PARAMETER = _TypeMarker(False), _TypeMarker(True)
_NDARRAY = _Frozen()
_IMMUTABLE = {'collections.OrderedDict': collections.OrderedDict, 'builtins.set': set,
              'builtins.complex': complex, 'builtins.bytearray': bytearray,
              'torch.Tensor': _TENSOR, 'torch._tensor.Tensor': _TENSOR,
              'torch.nn.parameter.Parameter': _PARAMETER, 'torch.nn.Parameter': _PARAMETER}


_ALLOW_NEEDED = {'builtins.frozenset': frozenset, 'builtins.slice': slice, 'builtins.range': range}
_TORCH_KINDS = ('torch._utils._rebuild', 'torch._tensor._rebuild', 'torch.nested', 'torch.distributed')


def _refused(full, why=None, weights_only=False):
    """The error for a global ember will not load. With ``weights_only`` a global PyTorch's
    weights-only unpickler refuses too gets PyTorch's message; a tensor kind or dtype PyTorch
    reads but ember lacks, or any global when ``weights_only=False``, gets ember's own."""
    if weights_only and why is None and not full.startswith(_TORCH_KINDS):
        return weights_only_error(full)
    why = why or ('ember never unpickles other globals: it reads tensors, storages, dtypes, '
                  'sizes, devices and plain containers from PyTorch checkpoints and runs no code '
                  'from them (also with weights_only=False)')
    return UnpicklingError(
        f'ember cannot load this checkpoint: it refers to the global {full}, which ember does '
        f'not allow. {why}. Re-save the checkpoint holding only such data (for example '
        'model.state_dict()).')


def _return_type(module, name):
    """ember's namedtuple for ``torch.return_types.<name>`` (values, indices, ...), or None."""
    if module != 'torch.return_types':
        return None
    from ..ops import return_types
    cls = getattr(return_types, name, None)
    if not (isinstance(cls, type) and issubclass(cls, tuple) and hasattr(cls, '_fields')):
        return None
    return functools.partial(_structseq, cls)


def _structseq(cls, seq=(), fields=None):
    return cls(*seq)


class _Typed:
    """A storage seen with one dtype: the raw bytes, the dtype and its element count."""
    __slots__ = ('data', 'dtype', 'nbytes')

    def __init__(self, data, d, numel):
        self.data, self.dtype, self.nbytes = data, d, numel * d.itemsize


class _TorchUnpickler(pickle.Unpickler):
    def __init__(self, file, loader, weights_only=True):
        super().__init__(file, encoding='utf-8')
        self._loader = loader
        self._weights_only = weights_only
        self._name = loader.name
        self._calls = {
            'collections.Counter': self._counter,
            '_codecs.encode': self._encode,
            'torch.Size': self._size,
            'torch.device': self._device,
            'torch._utils._rebuild_tensor': self._rebuild_tensor,
            'torch._utils._rebuild_tensor_v2': self._rebuild_tensor_v2,
            'torch._utils._rebuild_tensor_v3': self._rebuild_tensor_v3,
            'torch._utils._rebuild_parameter': self._rebuild_parameter,
            'torch._utils._rebuild_parameter_with_state': self._rebuild_parameter_with_state,
            'torch._tensor._rebuild_from_type_v2': self._rebuild_from_type_v2,
            'torch._utils._rebuild_sparse_tensor': self._rebuild_sparse_tensor,
            'torch.serialization._get_layout': self._layout,
        }
        self._needs_allow = {     # what PyTorch reads only with weights_only=False or allowlisted
            'numpy.dtype': self._np_dtype,
            'numpy.core.multiarray.scalar': self._np_scalar,
            'numpy._core.multiarray.scalar': self._np_scalar,
            'numpy.core.multiarray._reconstruct': self._np_reconstruct,
            'numpy._core.multiarray._reconstruct': self._np_reconstruct,
            'numpy.ndarray': _NDARRAY,
        }

    # ------------------------------------------------------------ globals
    def find_class(self, module, name):
        module, name = py3_name(module, name)
        full = f'{module}.{name}'
        found = _IMMUTABLE.get(full) or self._calls.get(full)
        if found is not None:
            return found
        if module == 'torch':
            if name in _DTYPES:
                return _DtypeRef(_DTYPES[name])
            if name in _STORAGES:
                return _StorageType(_STORAGES[name])
            if name.endswith('Storage') or name.startswith(_UNSUPPORTED_DTYPES):
                raise UnpicklingError(
                    f'ember cannot load this checkpoint: it holds data of type {full}, and ember has no dtype '
                    'for it. Convert such tensors to a dtype ember has (for example tensor.float()) before saving.')
        if full == 'torch.storage.UntypedStorage':
            return _StorageType(_dtype.uint8)
        found = self._needs_allow.get(full) or _ALLOW_NEEDED.get(full) or _return_type(module, name)
        if found is not None:
            if self._weights_only:
                _weights_only.require(full)
            return found
        raise _refused(full, None, self._weights_only)

    def persistent_load(self, pid):
        return self._loader.storage(pid)

    # ------------------------------------------------------------ the allowed callables
    def _counter(self, *args):
        return collections.Counter(*args)

    def _encode(self, text, encoding='utf-8'):
        if not isinstance(text, str) or encoding not in ('latin1', 'latin-1'):
            raise UnpicklingError('_codecs.encode is only allowed for protocol 2 bytes (latin1)')
        return text.encode('latin1')

    def _size(self, dims=()):
        return Size(dims)

    def _device(self, *args):
        return _device(*args)

    def _rebuild_tensor(self, storage, storage_offset, size, stride):
        if not isinstance(storage, _Typed):
            raise UnpicklingError('a tensor was rebuilt from something that is not a storage')
        arr = tensor_array(storage.data, storage.dtype.np, size, stride, storage_offset,
                           storage.nbytes, self._name)
        return make_tensor(arr)

    def _rebuild_tensor_v2(self, storage, storage_offset, size, stride, requires_grad=False,
                           backward_hooks=None, metadata=None):
        t = self._rebuild_tensor(storage, storage_offset, size, stride)
        if requires_grad:
            t.requires_grad_(True)
        return t

    def _rebuild_tensor_v3(self, storage, storage_offset, size, stride, requires_grad, backward_hooks,
                           dtype, metadata=None):
        """PyTorch's rebuild for the dtypes it saves as untyped bytes (uint16/32/64, ...)."""
        if not isinstance(storage, _Typed) or not isinstance(dtype, _DtypeRef):
            raise UnpicklingError('a tensor was rebuilt from something that is not a storage')
        d = dtype.dtype
        typed = _Typed(storage.data, d, storage.nbytes // d.itemsize)
        return self._rebuild_tensor_v2(typed, storage_offset, size, stride, requires_grad)

    def _rebuild_parameter(self, data, requires_grad, backward_hooks=None):
        from ..nn.parameter import Parameter
        if not isinstance(data, Tensor):
            raise UnpicklingError('a parameter was rebuilt from something that is not a tensor')
        return Parameter(data, bool(requires_grad))

    def _rebuild_parameter_with_state(self, data, requires_grad, backward_hooks=None, state=None):
        return self._rebuild_parameter(data, requires_grad)

    def _rebuild_from_type_v2(self, func, new_type, args, state=None):
        if func not in (self._rebuild_tensor, self._rebuild_tensor_v2, self._rebuild_tensor_v3,
                        self._rebuild_parameter, self._rebuild_parameter_with_state) or not isinstance(new_type, _TypeMarker):
            raise UnpicklingError('unsupported tensor subclass in the checkpoint')
        t = func(*args)
        if new_type.parameter:
            from ..nn.parameter import Parameter
            if not isinstance(t, Parameter):
                t = Parameter(t, t.requires_grad)
        return t

    def _layout(self, name):
        return name            # a layout's name; only _rebuild_sparse_tensor takes it

    def _rebuild_sparse_tensor(self, layout, data):
        if layout != 'torch.sparse_coo':
            raise _refused(f'torch._utils._rebuild_sparse_tensor({layout})', 'ember has only sparse COO tensors')
        from ..sparse import sparse_coo_tensor
        indices, values, size = data[:3]
        return sparse_coo_tensor(indices, values, size, is_coalesced=bool(data[3]) if len(data) > 3 else None,
                                 check_invariants=False)

    def _np_dtype(self, spec, align=False, copy=False):
        d = np.dtype(spec, bool(align), True)
        if d.kind not in 'biufc':
            raise _refused(f'numpy.dtype({spec!r})', 'only numeric NumPy scalars are read')
        return d

    def _np_reconstruct(self, subtype, shape, code):
        """An empty ndarray; pickle's BUILD then fills it (its dtype went through _np_dtype)."""
        if subtype is not _NDARRAY:
            raise _refused('numpy._core.multiarray._reconstruct', 'only plain NumPy arrays are read')
        return np.ndarray.__new__(np.ndarray, (0,), np.uint8)

    def _np_scalar(self, d, data=None):
        if not isinstance(d, np.dtype) or d.hasobject or d.kind not in 'biufc' or not isinstance(data, bytes):
            raise _refused('numpy.core.multiarray.scalar', 'only numeric NumPy scalars are read')
        return np.frombuffer(data, d, count=1)[0].copy()


class _Loader:
    """Reads and places each storage once (by key), for the unpickler's persistent ids."""

    def __init__(self, zf, prefix, reader, name, map_location, byteorder):
        self.zf, self.prefix, self.reader, self.name = zf, prefix, reader, name
        self.map_location, self.big = map_location, byteorder == 'big'
        self.raw = {}
        self.error = None

    def storage(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == 'storage'
                and isinstance(pid[1], _StorageType)):
            raise UnpicklingError(f'unsupported persistent id in the checkpoint: {pid!r}'[:200])
        _, stype, key, location, numel = pid
        if not isinstance(key, str) or not isinstance(numel, int) or numel < 0:
            raise UnpicklingError(f'malformed storage record {pid!r}'[:200])
        d = stype.dtype
        item = d.itemsize if self.big else 1        # big-endian bytes are swapped per item size
        placed = self.raw.get((key, item))
        if placed is None:
            try:
                info = self.zf.getinfo(f'{self.prefix}data/{key}')
            except KeyError:
                raise not_a_checkpoint(self.name, f'storage record data/{key} is missing') from None
            data = self.reader(info)
            if item > 1:
                usable = data.nbytes // item * item
                data = data[:usable].view(f'>u{item}').astype(f'<u{item}').view(np.uint8)
            try:
                placed = place(Storage(data), str(location), self.map_location)
            except Exception as e:          # map_location's own error: raised as it is, never "damaged"
                self.error = e
                raise
            self.raw[(key, item)] = placed
        if placed.nbytes() < numel * d.itemsize:
            raise not_a_checkpoint(self.name, f'storage record data/{key} is shorter than recorded')
        return _Typed(placed._data, d, numel)


def _swap_refs(obj, seen):
    """Replace the _DtypeRef placeholders by ember dtypes, in place where containers allow."""
    t = type(obj)
    if t is _DtypeRef:
        return obj.dtype
    if t is _Typed:         # a storage saved on its own: a TypedStorage, as PyTorch loads it
        n = obj.nbytes // obj.dtype.itemsize
        return typed_storage(tensor_array(obj.data, obj.dtype.np, (n,), (1,), 0, obj.nbytes, ''))
    if t not in (list, tuple, dict, set, frozenset, collections.OrderedDict, collections.Counter):
        return obj
    if id(obj) in seen:
        return obj
    seen.add(id(obj))
    if t is list:
        obj[:] = [_swap_refs(x, seen) for x in obj]
        return obj
    if t is tuple:
        items = tuple(_swap_refs(x, seen) for x in obj)
        return obj if all(a is b for a, b in zip(items, obj)) else items
    if t in (set, frozenset):
        items = [_swap_refs(x, seen) for x in obj]
        return obj if all(a is b for a, b in zip(items, obj)) else t(items)
    pairs = [(_swap_refs(k, seen), _swap_refs(v, seen)) for k, v in obj.items()]
    if not all(a is k and b is v for (a, b), (k, v) in zip(pairs, obj.items())):
        obj.clear()
        for k, v in pairs:
            obj[k] = v
    for k, v in list(getattr(obj, '__dict__', {}).items()):
        setattr(obj, k, _swap_refs(v, seen))
    return obj


def read(zf, prefix, fh, f, name, map_location, mmap, weights_only=True):
    byteorder = 'little'
    if prefix + 'byteorder' in zf.NameToInfo:
        byteorder = _files.member_bytes(zf, prefix + 'byteorder', name).decode('ascii', 'replace').strip()
        if byteorder not in ('little', 'big'):
            raise not_a_checkpoint(name, f'unknown byte order {byteorder!r}')
    data = _files.member_bytes(zf, prefix + 'data.pkl', name)
    reader = _files.member_reader(zf, fh, f, name, mmap)
    loader = _Loader(zf, prefix, reader, name, map_location, byteorder)
    try:
        obj = _TorchUnpickler(io.BytesIO(data), loader, weights_only).load()
    except (UnpicklingError, RuntimeError):
        raise
    except (pickle.UnpicklingError, EOFError, TypeError, ValueError, KeyError, IndexError,
            AttributeError, OverflowError, MemoryError) as e:
        if e is loader.error:
            raise
        raise not_a_checkpoint(name, f'data.pkl is damaged ({type(e).__name__}: {e})') from e
    return _swap_refs(obj, set())
