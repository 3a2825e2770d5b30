"""Tensors across processes through shared memory.

``share_memory_`` moves a CPU tensor's whole allocation into a shared-memory file (made with
``ember.utils.data.sharing.create``, the DataLoader's allocator) and points the tensor -- and
its base, when it is a view -- at the new mapping. The file is unlinked at once; this process
keeps the file descriptor open while the mapping lives, so nothing is ever left in /dev/shm.

Pickling a tensor with ``ForkingPickler`` (``mp.Queue``, ``Pipe``, ``Process`` arguments under
spawn/forkserver, ``Pool``) first moves it into shared memory, then sends only the descriptor
(``multiprocessing.reduction.DupFd``) and the geometry; the receiver maps the same pages, so a
write on either side is seen by the other. Both of PyTorch's strategy names are accepted; both
pass descriptors here. CUDA tensors travel by copy (no CUDA IPC in ember).
"""
import mmap
import os
import tempfile
import weakref
from multiprocessing.reduction import DupFd, ForkingPickler

import numpy as np

from .._tensor import Tensor
from ..nn.parameter import Parameter
from ..ops.strided import storage_of
from ..utils.data import sharing

_live = {}          # id(mmap) -> (weakref to the mmap, fd, start address)
_counter = [0]


def _address(arr):
    return arr.__array_interface__['data'][0]


def _register(mm, fd):
    key = id(mm)
    start = _address(np.ndarray((len(mm),), np.uint8, buffer=mm))
    _live[key] = (weakref.ref(mm, lambda _, key=key, fd=fd: _release(key, fd)), fd, start)


def _release(key, fd):
    _live.pop(key, None)
    try:
        os.close(fd)
    except OSError:
        pass


def _mapping_of(arr):
    """(mmap, fd, start address) of the shared mapping ``arr`` looks into, or None."""
    obj = arr
    while not isinstance(obj, mmap.mmap):
        obj = getattr(obj, 'base', None)
        if obj is None:
            return None
    entry = _live.get(id(obj))
    if entry is None or entry[0]() is not obj:
        return None
    return obj, entry[1], entry[2]


def _new_mapping(nbytes):
    """A fresh shared-memory mapping of ``nbytes`` (at least one byte), registered."""
    folder = sharing._SHM_DIR if sharing.available() else tempfile.gettempdir()
    _counter[0] += 1
    name = f'ember_mp_{os.getpid()}_{os.urandom(4).hex()}_{_counter[0]}'
    made = sharing.create(os.path.join(folder, name), max(nbytes, 1))
    if made is None:
        raise RuntimeError(f'unable to write to file </{name}>: No space left on device (28)')
    fd, mm = made
    os.unlink(os.path.join(folder, name))     # the mapping and the descriptor keep the pages alive
    _register(mm, fd)
    return mm


def _mark(arr):
    # keep ember.ops.storage's own is_shared() bookkeeping in step with the real state
    from ..ops import storage as st
    own = st._owner(arr)
    if not st._is_marked(own):
        key = id(own)
        st._shared[key] = weakref.ref(own, lambda _, key=key: st._shared.pop(key, None))


def is_shared(t):
    """True when ``t`` lives in shared memory (CUDA tensors always count as shared)."""
    return t.is_cuda or _mapping_of(t._data) is not None


def share_memory_(t):
    """Move ``t``'s allocation into shared memory, in place; a no-op when it is there already
    (and for CUDA tensors). A view moves together with its base tensor."""
    arr = t._data
    if type(arr) is not np.ndarray or _mapping_of(arr) is not None:
        return t
    flat, _ = storage_of(arr)
    start = _address(flat)
    group = [t]
    base = getattr(t, '_base', None)
    if isinstance(base, Tensor) and type(base._data) is np.ndarray:
        group.append(base)
    placed = []
    for x in group:
        f, off = storage_of(x._data)
        if _address(f) == start:
            placed.append((x, off))
    mm = _new_mapping(flat.nbytes)
    np.copyto(np.ndarray(flat.shape, flat.dtype, buffer=mm), flat)
    for x, off in placed:
        old = x._data
        x._data = np.ndarray(old.shape, old.dtype, buffer=mm, offset=off * old.itemsize, strides=old.strides)
        _mark(x._data)
    return t


# ------------------------------------------------------------------ pickling

def _geometry(t):
    share_memory_(t)
    arr = t._data
    mm, fd, start = _mapping_of(arr)
    return DupFd(fd), len(mm), _address(arr) - start, arr.shape, arr.strides, arr.dtype


def _rebuild_tensor(df, nbytes, offset, shape, strides, dtype, requires_grad):
    fd = df.detach()
    mm = mmap.mmap(fd, nbytes)
    _register(mm, fd)
    arr = np.ndarray(shape, dtype, buffer=mm, offset=offset, strides=strides)
    _mark(arr)
    t = Tensor._make(arr)
    t._requires_grad = requires_grad
    return t


def _check_leaf(t):
    if t.requires_grad and not t.is_leaf:
        raise RuntimeError('Cowardly refusing to serialize non-leaf tensor which requires_grad, since '
                           'autograd does not support crossing process boundaries.  If you just want to '
                           'transfer the data, call detach() on the tensor before serializing (e.g., '
                           'putting it on the queue).')


def reduce_tensor(t):
    """How ForkingPickler sends a Tensor: through shared memory (CPU), by copy (CUDA)."""
    _check_leaf(t)
    if t.is_cuda:
        return t.__reduce_ex__(4)
    return _rebuild_tensor, _geometry(t) + (t._requires_grad,)


def _rebuild_parameter(data, requires_grad, state):
    p = Parameter(data, requires_grad)
    p.__dict__.update(state)
    return p


def reduce_parameter(p):
    """A Parameter travels as its shared data plus its Python attributes."""
    if p.is_cuda:
        return p.__reduce_ex__(4)
    share_memory_(p)
    rebuilt, state_args = p.__reduce_ex__(4)
    data, requires_grad, state = state_args
    return _rebuild_parameter, (data, requires_grad, state or {})


def init_reductions():
    """Teach multiprocessing's pickler to send tensors through shared memory."""
    ForkingPickler.register(Tensor, reduce_tensor)
    ForkingPickler.register(Parameter, reduce_parameter)
