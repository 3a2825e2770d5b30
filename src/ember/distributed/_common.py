"""Shared steps of every collective: resolve the group and root, get a tensor's contiguous
buffer, check cheaply that all ranks agree on shapes/dtypes, and run/await the operation."""
import numpy as np

from .._tensor import Tensor
from ._group import resolve, not_member_warning
from ._types import ReduceOp
from ._work import Work, wait_requests
from .c10d_errors import DistBackendError

_CHECK = True          # all-gather (op, root, dtype, shape) before each collective
_DTYPES = ('bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32',
           'float64', 'complex64', 'complex128')
_OPCODES = {}
_MAXDIM = 8


def member(group, what):
    """The ProcessGroup, or None (after torch's warning) when this rank is not in it."""
    pg = resolve(group)
    if pg is None:
        not_member_warning(what)
    return pg


def check_tensor(t, name='tensor'):
    if not isinstance(t, Tensor):
        raise TypeError(f'Invalid function argument. Expected parameter `{name}` of type '
                        f'ember.Tensor\n             but got {type(t)} instead.')


def check_op(op):
    if not isinstance(op, ReduceOp):
        raise TypeError(f'op must be an ember.distributed.ReduceOp, got {op!r}')


def buffer(pg, t, name='tensor'):
    """``t``'s array, contiguous (a copy when ``t`` is not; ``writeback`` copies it back)."""
    check_tensor(t, name)
    arr = t._data
    gpu = type(arr) is not np.ndarray
    if gpu != (pg.backend_name == 'nccl'):
        raise RuntimeError(f"{'CUDA' if gpu else 'CPU'} tensors are not supported by the "
                           f"'{pg.backend_name}' backend: use backend='nccl' for CUDA tensors "
                           "and backend='mpi' for CPU tensors")
    if not arr.flags.c_contiguous:
        arr = arr.copy()
    return arr


def writeback(t, arr):
    """Make ``t`` hold ``arr`` (in place) and bump its version counter."""
    if arr is not t._data:
        if t._data.ndim == 0:
            t._data[()] = arr
        else:
            t._data[...] = arr
    t._vc[0] += 1


def root_rank(pg, what, glob, grp_rank):
    """Group rank of a ``src``/``dst`` given as a global rank (or directly as ``group_src``)."""
    if glob is not None and grp_rank is not None:
        raise ValueError(f"Can't specify both {what}'s global and group rank")
    if grp_rank is None:
        glob = 0 if glob is None else glob
        if pg is resolve(None):
            grp_rank = glob
        elif glob in pg.ranks:
            grp_rank = pg.ranks.index(glob)
        else:
            raise ValueError(f'Global rank {glob} is not part of group {pg}')
    if not 0 <= grp_rank < pg.size():
        raise RuntimeError(f'ProcessGroupMPI::{what}: invalid root rank: {grp_rank}')
    return grp_rank


def _describe(row):
    ndim, dims = int(row[3]), [int(d) for d in row[5:5 + min(int(row[3]), _MAXDIM)]]
    shape = dims if ndim <= _MAXDIM else dims + ['...']
    code = int(row[2])
    dt = _DTYPES[code] if 0 <= code < len(_DTYPES) else 'other'
    return f'shape {shape} (numel {int(row[4])}) and dtype {dt}'


def agree(pg, what, arr, root=-1):
    """Raise RuntimeError on every rank when the ranks' (collective, root, shape, dtype) differ.

    One small all-gather of fixed-size int64 rows; all ranks see the same table, so all
    raise together (no rank is left waiting)."""
    if not _CHECK or pg.size() == 1:
        return
    code = _OPCODES.setdefault(what, len(_OPCODES) + 1)
    row = np.full(5 + _MAXDIM, -1, dtype=np.int64)
    name = arr.dtype.name
    row[:5] = (code, root, _DTYPES.index(name) if name in _DTYPES else 99, arr.ndim, arr.size)
    row[5:5 + min(arr.ndim, _MAXDIM)] = arr.shape[:_MAXDIM]
    table = np.empty((pg.size(), row.size), dtype=np.int64)
    wait_requests([pg.comm.Iallgather(row, table)], pg.timeout, what, pg.rank())
    if (table == table[0]).all():
        return
    names = {v: k for k, v in _OPCODES.items()}
    if (table[:, 0] != table[0, 0]).any() or (table[:, 1] != table[0, 1]).any():
        calls = ', '.join(f'rank {r} called {names.get(int(c), "?")}'
                          + (f' with root {int(rt)}' if rt >= 0 else '')
                          for r, (c, rt) in enumerate(table[:, :2]))
        raise RuntimeError(f'{what}: the ranks called different collectives or roots: {calls}')
    bad = next(r for r in range(pg.size()) if (table[r] != table[0]).any())
    raise RuntimeError(f"{what}: the ranks' tensors do not match: rank 0 has {_describe(table[0])}, "
                       f'rank {bad} has {_describe(table[bad])}')


def run(pg, what, posted, async_op, after=None, result=None):
    """Await (or hand back as a Work) the operation ``posted`` = (requests, finish)."""
    reqs, finish = posted

    def done():
        if finish is not None:
            finish()
        if after is not None:
            after()
    try:
        work = Work(reqs, done, what, pg.timeout, pg.rank(), result)
        if async_op:
            return work
        work.wait()
    except Exception as e:
        if type(e).__module__.startswith('mpi4py'):
            raise DistBackendError(f'{what} failed in MPI: {e}') from None
        raise
    return None
