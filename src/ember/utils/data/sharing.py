"""How worker processes send batches back: pickled, with big arrays moved through shared
memory instead of the pipe.

A worker pickles each result itself (``dumps``), so a result that can't be pickled becomes
an error in the main process rather than a lost message. Every CPU array of at least
``MIN_BYTES`` (a tensor's or a bare NumPy array) is written to its own file in ``/dev/shm``
and only the file's name travels; the main process maps the file, unlinks it at once and
wraps the mapping without copying: the memory is freed when the tensor is. Files that never
reach the main process (a loader shut down mid-epoch, a worker killed) are removed by name
prefix when the loader shuts its workers down. Where ``/dev/shm`` is missing or full,
arrays travel inside the pickle.

``create`` (a new shared-memory file, mapped) is also how ``ember.multiprocessing`` moves
tensors into shared memory for ``share_memory_`` and ``mp.Queue``.
"""
import errno
import glob
import io
import itertools
import mmap
import os
import pickle
from multiprocessing.reduction import ForkingPickler

import numpy as np

from ..._tensor import Tensor

_SHM_DIR = '/dev/shm'
MIN_BYTES = 1 << 15


def available():
    return os.path.isdir(_SHM_DIR) and os.access(_SHM_DIR, os.W_OK | os.X_OK)


def new_prefix():
    """A file-name prefix unique to one loader iterator of this process."""
    return f'ember_dl_{os.getpid()}_{os.urandom(4).hex()}'


def cleanup(prefix):
    """Remove the shared-memory files of ``prefix`` that nobody received."""
    for path in glob.glob(os.path.join(_SHM_DIR, glob.escape(prefix) + '_*')):
        try:
            os.unlink(path)
        except OSError:
            pass


# ------------------------------------------------------------------ worker side

_prefix = None
_counter = itertools.count()


def set_prefix(prefix):
    """Turn sharing on in this (worker) process, naming files ``prefix_<n>``."""
    global _prefix
    _prefix = prefix


def _eligible(arr):
    return (_prefix is not None and type(arr) is np.ndarray and arr.nbytes >= MIN_BYTES
            and arr.dtype.kind in 'biuf' and np.dtype(arr.dtype.str) == arr.dtype)


def create(path, nbytes):
    """A new shared-memory file of ``nbytes`` at ``path``, mapped: ``(fd, mmap)``, or None when
    there is no room (the file is then removed). The pages are reserved at once, so a full
    ``/dev/shm`` shows up here (ENOSPC) rather than as a SIGBUS on first write."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.posix_fallocate(fd, 0, nbytes)
        mm = mmap.mmap(fd, nbytes)
    except OSError as e:
        os.close(fd)
        os.unlink(path)
        if e.errno in (errno.ENOSPC, errno.ENOMEM, errno.EINVAL, errno.EOPNOTSUPP):
            return None
        raise
    return fd, mm


def _write(arr):
    """Copy ``arr`` into a new shared-memory file; its name, or None if there is no room."""
    name = f'{_prefix}_{next(_counter)}'
    made = create(os.path.join(_SHM_DIR, name), arr.nbytes)
    if made is None:
        return None
    fd, mm = made
    os.close(fd)
    view = np.ndarray(arr.shape, arr.dtype, buffer=mm)
    np.copyto(view, arr)
    del view
    mm.close()
    return name


def _reduce_array(arr):
    name = _write(arr) if _eligible(arr) else None
    if name is None:
        return arr.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return _open_shared, (name, arr.shape, arr.dtype.str)


def _reduce_tensor(t):
    arr = t._data
    name = _write(arr) if _eligible(arr) else None
    if name is None:
        return t.__reduce_ex__(pickle.HIGHEST_PROTOCOL)
    return _open_shared_tensor, (name, arr.shape, arr.dtype.str, t._requires_grad)


class _WorkerPickler(ForkingPickler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dispatch_table[Tensor] = _reduce_tensor
        self.dispatch_table[np.ndarray] = _reduce_array


def dumps(obj):
    buf = io.BytesIO()
    _WorkerPickler(buf, pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


# ------------------------------------------------------------------ main side

def _open_shared(name, shape, dtype):
    path = os.path.join(_SHM_DIR, name)
    fd = os.open(path, os.O_RDWR)
    try:
        os.unlink(path)
        try:
            return np.ndarray(shape, dtype, buffer=mmap.mmap(fd, 0))
        except OSError:     # out of mappings (vm.max_map_count): read the bytes instead
            arr = np.empty(shape, dtype)
            with open(fd, 'rb', closefd=False) as f:
                f.readinto(memoryview(arr).cast('B'))
            return arr
    finally:
        os.close(fd)


def _open_shared_tensor(name, shape, dtype, requires_grad):
    t = Tensor._make(_open_shared(name, shape, dtype))
    t._requires_grad = requires_grad
    return t


loads = pickle.loads
