"""``ember.save`` / ``ember.load``: checkpoints with PyTorch's API; ember's format pickles only what
its JSON cannot describe (whole modules, optimizers, user objects), loaded with weights_only=False.

``save`` writes ember's format: a zip archive holding ``data.json`` (the object's structure and
each tensor's dtype, shape, strides, storage offset, storage key and requires_grad) and one raw
little-endian blob per storage; views of one base are written once and load back sharing memory
(see ``ember._serialization.ember_format`` for the layout and exactly what sharing is kept).
Writes to a path are atomic: a crash mid-write leaves the previous file as it was.

``load`` reads ember's format and PyTorch's checkpoints -- the zip format (``torch.save``'s default
since 1.6), the legacy format before it (``_use_new_zipfile_serialization=False``) and the tar
format before 0.1.10 -- without importing torch, through a restricted unpickler that never runs
code from the file.
"""
import pickle
import struct
import warnings

from ._serialization import _files, ember_format, torch_legacy, torch_legacy_tar, torch_reader
from ._serialization._weights_only import (UnpicklingError, add_safe_globals, clear_safe_globals,
                                           get_safe_globals, safe_globals)

__all__ = ['save', 'load', 'UnpicklingError', 'DEFAULT_PROTOCOL', 'add_safe_globals', 'clear_safe_globals',
           'get_safe_globals', 'safe_globals']

DEFAULT_PROTOCOL = 2                 # PyTorch's name; ember's own format does not use pickle


def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` (a path, or a writable binary file object) in ember's format.

    ``obj`` may nest dicts (also OrderedDict, Counter), lists, tuples, namedtuples, sets, None,
    bools, ints, floats, complex numbers, strings, bytes, ember Tensors (every dtype, 0-dim,
    empty, non-contiguous, views), ``nn.Parameter`` (requires_grad kept), ``ember.Size``,
    ``ember.dtype``, ``ember.device``, storages (``x.untyped_storage()``, ``x.storage()``), NumPy
    arrays and scalars; these are described in JSON. As with PyTorch, NumPy values, frozensets and
    namedtuples load back only with ``load(..., weights_only=False)`` (or once allowlisted). Any
    other picklable object (a whole ``nn.Module``, an optimizer, a user class) is pickled into the
    archive, with its tensors stored as ordinary storages; it loads back only with
    ``load(..., weights_only=False)``. An object pickle cannot handle raises pickle's error before
    the file is touched. ``pickle_module``, ``pickle_protocol`` and ``_use_new_zipfile_serialization``
    are accepted for compatibility and ignored.
    """
    ember_format.save(obj, f)


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Load an object saved by ``ember.save`` or by ``torch.save`` (zip, legacy or tar format) from ``f``.

    ``f``: a path or a readable binary file object. ``map_location``: None (each storage goes back
    where it was saved), a device string or ``ember.device`` (everything goes there), a dict
    mapping saved locations to new ones (``{'cuda:1': 'cpu'}``), or a callable
    ``(storage, location) -> storage or None``. ``mmap=True`` maps the file (copy-on-write)
    instead of reading the storages into memory; ``f`` must then be a path to a zip checkpoint.

    ``weights_only`` (default True, as in PyTorch >= 2.6, unless a ``pickle_module`` is given)
    refuses what PyTorch's weights-only load refuses -- pickled objects in an ember checkpoint
    (whole modules, ...), NumPy arrays and scalars, frozensets, namedtuples, ``slice``/``range`` --
    unless allowlisted (see ``add_safe_globals``), raising :class:`UnpicklingError` with
    PyTorch's message; ``weights_only=False`` loads them. ``pickle_load_args`` (``encoding``, ...)
    are accepted and, as ember's own unpickling needs none, ignored (with PyTorch's warning when
    ``weights_only`` is on).

    PyTorch checkpoints are unpickled with a fixed allowlist (tensors, parameters, storages,
    dtypes, sizes, devices, plain containers; with ``weights_only=False`` or allowlisted, NumPy
    arrays and scalars, frozensets, slices, ranges, ``return_types`` namedtuples); any other global
    raises :class:`UnpicklingError` and nothing from the file is run. A storage saved on its own
    (``x.untyped_storage()``, ``x.storage()``) loads as an ``ember.storage.TypedStorage``.
    """
    weights_only = pickle_module is None if weights_only is None else bool(weights_only)
    if weights_only:
        if pickle_module is not None:
            raise RuntimeError('Can not safely load weights when explicit pickle_module is specified')
        if pickle_load_args:
            warnings.warn('pickle_load_args only works if `weights_only=False`.', UserWarning, stacklevel=2)
    fh, name, opened = _files.open_source(f)
    try:
        head = _files.peek(fh, 512)
        if head[:4] in (b'PK\x03\x04', b'PK\x05\x06'):
            zf = _files.open_zip(fh, name)
            with zf:
                return _load_zip(zf, fh, f, name, map_location, bool(mmap), weights_only)
        legacy = torch_legacy.is_legacy(head)
        if legacy or torch_legacy_tar.is_tar(head):
            if mmap:
                raise torch_legacy.mmap_refused(f)
            if legacy:
                return torch_legacy.read(fh, name, map_location, weights_only)
            return torch_legacy_tar.read(fh, name, map_location, weights_only)
        raise _not_zip(head, name, weights_only)
    finally:
        if opened:
            fh.close()


def _record_prefix(names, leaf):
    """The folder ('archive/') holding ``leaf`` at the top of the archive, or None."""
    for n in names:
        parts = n.split('/')
        if parts[-1] == leaf and len(parts) <= 2:
            return n[:len(n) - len(leaf)]
    return None


def _load_zip(zf, fh, f, name, map_location, mmap, weights_only):
    names = zf.namelist()
    prefix = _record_prefix(names, 'data.json')
    if prefix is not None:
        return ember_format.read(zf, prefix, fh, f, name, map_location, mmap, weights_only)
    if _record_prefix(names, 'constants.pkl') is not None:
        raise RuntimeError(f"'{name}' is a TorchScript archive (written by torch.jit.save); ember cannot "
                           'load TorchScript programs. Save the model\'s state_dict() with torch.save '
                           'and load that instead.')
    prefix = _record_prefix(names, 'data.pkl')
    if prefix is not None:
        return torch_reader.read(zf, prefix, fh, f, name, map_location, mmap, weights_only)
    raise _files.not_a_checkpoint(name, 'the zip archive holds neither data.json (ember) nor data.pkl '
                                        '(PyTorch)')


def _not_zip(head, name, weights_only):
    if not head:        # an empty file: PyTorch's unpickler runs out of input
        return EOFError('' if weights_only else 'Ran out of input')
    if head[:1] == b'\x80':
        return RuntimeError(
            f"'{name}' is a pickle file but not a PyTorch checkpoint (it does not start with the magic "
            "number of torch.save's legacy format), which ember does not read because unpickling it can "
            'run arbitrary code. Save the data with ember.save or torch.save instead.')
    if len(head) >= 9 and head[8:9] == b'{' and struct.unpack('<Q', head[:8])[0] < (1 << 32):
        return RuntimeError(f"'{name}' is a safetensors file, not a checkpoint of ember.save or "
                            'torch.save; read it with ember.utils.safetensors.load_file')
    return _files.not_a_checkpoint(name, 'it is not a zip archive written by ember.save or torch.save')
