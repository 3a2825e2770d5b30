"""More collectives: ``all_to_all`` on tensor lists, the deprecated coalesced all-reduce /
all-gather, ``monitored_barrier`` (Gloo-only in PyTorch, so refused here as there), and the
``new_subgroups`` helpers that cut the world into groups.

Tensor lists travel as one contiguous byte buffer per rank, so tensors of any shape and
dtype (bfloat16 and complex included) move in a single MPI call."""
import warnings

import numpy as np

from .._tensor import Tensor, xp_of
from ._common import member, check_op, buffer, writeback, agree, run
from ._group import get_rank, get_world_size, get_backend, get_process_group_ranks, new_group
from ._types import ReduceOp
from ._work import wait_requests

__all__ = ['all_to_all', 'all_reduce_coalesced', 'all_gather_coalesced', 'monitored_barrier',
           'new_subgroups', 'new_subgroups_by_enumeration']

_COMPLEX_OK = (ReduceOp.SUM, ReduceOp.AVG, ReduceOp.PREMUL_SUM)


def _check_list(param, name):
    if not isinstance(param, list):
        raise TypeError(f'Invalid function argument. Expected parameter `{name}` of type '
                        f'List[ember.Tensor]\n             but got {type(param)} instead.')
    if not all(isinstance(p, Tensor) for p in param):
        raise TypeError(f'Invalid function argument. Expected parameter `{name}` of type '
                        f'List[ember.Tensor]\n             but got {type(param)} with elements of '
                        f'type {[type(p) for p in param]}.')


def _same_dtype(*lists):
    """PyTorch's check: one dtype for all tensors (complex64 may mix with float32)."""
    import ember
    last = None
    for t in (t for lst in lists for t in lst):
        dt = t.dtype
        if dt.is_complex:
            dt = ember.float32 if dt == ember.complex64 else ember.complex128
        if last is None:
            last = dt
        elif last != dt:
            raise ValueError(f'Invalid usage of tensors with different dtypesFound {last} and  '
                             f'{t.dtype}')


def _flat_bytes(arrs, like):
    """The arrays' bytes one after the other (a uint8 array on their device)."""
    xp = xp_of(like)
    if not arrs:
        return xp.empty(0, dtype=np.uint8)
    return xp.concatenate([a.reshape(-1).view(np.uint8) for a in arrs])


def _fill(tensors, flat):
    """Write consecutive pieces of the uint8 array ``flat`` into ``tensors`` (in place)."""
    offset = 0
    for t in tensors:
        nb = t._data.nbytes
        piece = flat[offset:offset + nb].view(t._data.dtype).reshape(t._data.shape)
        writeback(t, piece)
        offset += nb


class _Future:
    """What the coalesced collectives return with ``async_op=True`` (PyTorch returns a
    ``Future`` there): ``wait()``/``value()`` give the list of result tensors."""

    def __init__(self, work, tensors):
        self._work, self._tensors = work, tensors

    def wait(self):
        self._work.wait()
        return list(self._tensors)

    def value(self):
        return self.wait()

    def done(self):
        return self._work.is_completed()

    def __repr__(self):
        return f'<ember.Future done={self._work.is_completed()}>'


# ---------------------------------------------------------------- all_to_all
def _counts_agree(pg, sent, expected):
    """Every rank learns every rank's byte counts; RuntimeError everywhere when what rank i
    sends to rank j differs from what j expects from i."""
    n = pg.size()
    row = np.array(list(sent) + list(expected), dtype=np.int64)
    table = np.empty((n, 2 * n), dtype=np.int64)
    wait_requests([pg.comm.Iallgather(row, table)], pg.timeout, 'all_to_all', pg.rank())
    for i in range(n):
        for j in range(n):
            if table[i, j] != table[j, n + i]:
                raise RuntimeError(
                    f'all_to_all: rank {i} sends {table[i, j]} bytes to rank {j}, whose '
                    f'output_tensor_list[{i}] holds {table[j, n + i]} bytes (the ranks\' tensor '
                    'sizes do not match)')


def all_to_all(output_tensor_list, input_tensor_list, group=None, async_op=False):
    """Send ``input_tensor_list[r]`` to rank r and receive rank r's tensor for this rank into
    ``output_tensor_list[r]`` (sizes may differ from pair to pair)."""
    pg = member(group, 'all_to_all')
    if pg is None:
        return None
    _check_list(output_tensor_list, 'output_tensor_list')
    _check_list(input_tensor_list, 'input_tensor_list')
    _same_dtype(output_tensor_list, input_tensor_list)
    n = pg.size()
    if len(input_tensor_list) != n:
        raise RuntimeError('Number of input tensors are not equal to group size')
    if len(output_tensor_list) != n:
        raise RuntimeError('Number of output tensors are not equal to group size')
    ins = [buffer(pg, t, 'input_tensor_list') for t in input_tensor_list]
    outs = [buffer(pg, t, 'output_tensor_list') for t in output_tensor_list]
    like = ins[0]
    agree(pg, 'all_to_all', xp_of(like).empty(0, dtype=output_tensor_list[0]._data.dtype))
    sent, expected = [a.nbytes for a in ins], [a.nbytes for a in outs]
    _counts_agree(pg, sent, expected)
    send = _flat_bytes(ins, like)
    recv = xp_of(like).empty(sum(expected), dtype=np.uint8)
    even = len(set(sent)) == 1 and len(set(expected)) == 1
    splits = (None, None) if even else (sent, expected)
    posted = pg.backend.alltoall(send, recv, splits[0], splits[1], 1)
    return run(pg, 'all_to_all', posted, async_op, lambda: _fill(output_tensor_list, recv))


# ---------------------------------------------------------------- coalesced (deprecated)
def _deprecated(name):
    warnings.warn(f'`ember.distributed.{name}` will be deprecated. If you must use it, please '
                  'revisit our documentation later at '
                  'https://pytorch.org/docs/main/distributed.html#collective-functions',
                  FutureWarning, stacklevel=3)


def _real_arrays(pg, tensors):
    """Contiguous arrays of the tensors, complex ones seen as (..., 2) real arrays."""
    out = []
    for t in tensors:
        a = buffer(pg, t)
        out.append(a.view(a.real.dtype) if a.dtype.kind == 'c' else a)
    return out


def all_reduce_coalesced(tensors, op=ReduceOp.SUM, group=None, async_op=False):
    """``all_reduce`` of several tensors (same dtype) in one operation."""
    _deprecated('all_reduce_coalesced')
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    _check_list(tensors, 'tensor')
    _same_dtype(tensors)
    pg = member(group, 'all_reduce_coalesced')
    if pg is None:
        return None
    check_op(op)
    if any(t.is_complex() for t in tensors) and op not in _COMPLEX_OK:
        raise ValueError(f'all_reduce does not support {op} on complex tensors')
    arrs = _real_arrays(pg, tensors)
    if not arrs:
        return _Future(run(pg, 'all_reduce_coalesced', ([], None), True), []) if async_op else None
    xp = xp_of(arrs[0])
    flat = xp.concatenate([a.reshape(-1) for a in arrs])
    agree(pg, 'all_reduce_coalesced', flat)
    posted = pg.backend.allreduce(flat, op)
    work = run(pg, 'all_reduce_coalesced', posted, True,
               lambda: _fill(tensors, flat.view(np.uint8)))
    if async_op:
        return _Future(work, tensors)
    work.wait()
    return None


def all_gather_coalesced(output_tensor_lists, input_tensor_list, group=None, async_op=False):
    """``all_gather`` of several tensors in one operation: ``output_tensor_lists[r][i]``
    receives rank r's ``input_tensor_list[i]``."""
    _deprecated('all_gather_coalesced')
    pg = member(group, 'all_gather_coalesced')
    if pg is None:
        return None
    _check_list(input_tensor_list, 'input_tensor_list')
    _same_dtype(input_tensor_list)
    if not isinstance(output_tensor_lists, list):
        raise TypeError('Invalid function argument: output_tensor_lists should be a list')
    for lst in output_tensor_lists:
        _check_list(lst, 'output_tensor_lists')
        _same_dtype(lst)
    n = pg.size()
    if len(output_tensor_lists) != n:
        raise RuntimeError('ProcessGroupMPI::allgather_coalesced: output lists should be equal '
                           'to world size')
    ins = [buffer(pg, t, 'input_tensor_list') for t in input_tensor_list]
    for r, lst in enumerate(output_tensor_lists):
        if len(lst) != len(ins) or any(o._data.shape != a.shape or o._data.dtype != a.dtype
                                       for o, a in zip(lst, ins)):
            raise RuntimeError(f'ProcessGroupMPI::allgather_coalesced: output list {r} must hold '
                               'tensors of the input tensors\' shapes and dtypes')
        for t in lst:
            buffer(pg, t, 'output_tensor_lists')
    like = ins[0] if ins else np.empty(0)
    send = _flat_bytes(ins, like)
    recv = xp_of(like).empty((n, send.size), dtype=np.uint8)
    agree(pg, 'all_gather_coalesced', send)

    def after():
        for r, lst in enumerate(output_tensor_lists):
            _fill(lst, recv[r])
    work = run(pg, 'all_gather_coalesced', pg.backend.allgather(send, recv), True, after)
    if async_op:
        return _Future(work, [t for lst in output_tensor_lists for t in lst])
    work.wait()
    return None


# ---------------------------------------------------------------- barrier, subgroups
def monitored_barrier(group=None, timeout=None, wait_all_ranks=False):
    """PyTorch implements this for the Gloo backend only; ember has MPI and NCCL, so it
    refuses like PyTorch does for them (use ``barrier``, whose wait is bounded by the
    group's timeout)."""
    if member(group, 'monitored_barrier') is None:
        return None
    get_backend(group)            # 'mpi' or 'nccl': never Gloo
    raise ValueError('monitored_barrier is only implemented for GLOO backend.')


def new_subgroups(group_size=None, group=None, timeout=None, backend=None, pg_options=None,
                  group_desc=None):
    """Cut ``group`` (the world by default) into consecutive groups of ``group_size`` ranks
    (by default the number of CUDA devices). Every rank calls it; returns (this rank's
    subgroup, all subgroups)."""
    if group_size is None:
        import ember
        if not ember.cuda.is_available():
            raise ValueError('Default group size only takes effect when CUDA is available.If your '
                             'subgroup using a backend that does not depend on CUDA,please pass '
                             "in 'group_size' correctly.")
        group_size = ember.cuda.device_count()
    if group_size <= 0:
        raise ValueError(f"The arg 'group_size' ({group_size}) must be positive")
    world_size = get_world_size(group=group)
    if world_size < group_size:
        raise ValueError(f"The arg 'group_size' ({group_size}) must not exceed the world size "
                         f'({world_size})')
    if world_size % group_size != 0:
        raise ValueError(f"The world size ({world_size}) must be divisible by '{group_size=}'")
    ranks = get_process_group_ranks(group)
    return new_subgroups_by_enumeration(
        [ranks[i:i + group_size] for i in range(0, len(ranks), group_size)],
        timeout=timeout, backend=backend, pg_options=pg_options, group_desc=group_desc)


def new_subgroups_by_enumeration(ranks_per_subgroup_list, timeout=None, backend=None,
                                 pg_options=None, group_desc=None):
    """One group per list of world ranks in ``ranks_per_subgroup_list`` (no rank in two
    lists). Every rank calls it; returns (this rank's subgroup or None, all subgroups)."""
    if ranks_per_subgroup_list is None or len(ranks_per_subgroup_list) == 0:
        raise ValueError("The arg 'ranks_per_subgroup_list' cannot be empty")
    owner = {}
    for ranks in ranks_per_subgroup_list:     # all checks before any group is made
        for r in ranks:
            if r in owner:
                raise ValueError(f'Rank {r} has appeared in both subgroup {owner[r]} and {ranks}')
            owner[r] = ranks
    me = get_rank()
    subgroups, mine = [], None
    for ranks in ranks_per_subgroup_list:
        sub = new_group(ranks=ranks, timeout=timeout, backend=backend, pg_options=pg_options,
                        group_desc=group_desc)
        subgroups.append(sub)
        if me in ranks:
            mine = sub
    return mine, subgroups
