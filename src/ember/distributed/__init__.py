"""ember.distributed: PyTorch's ``torch.distributed`` on MPI (mpi4py, CPU tensors) and NCCL
(CuPy, CUDA tensors).

Run ``mpiexec -n 4 python train.py``; each process calls ``init_process_group()`` (backend
'mpi' by default, or 'nccl'), then the collectives (``all_reduce``, ``broadcast``, ...) work
in place on its tensors. A plain ``python train.py`` is a world of one process. Importing
this package does not start MPI: ``init_process_group`` does.
"""
from ._types import ReduceOp, Backend
from .c10d_errors import DistError, DistBackendError, DistNetworkError, DistStoreError
from ._group import (ProcessGroup, GroupMember, group, init_process_group, destroy_process_group,
                     is_initialized, get_rank, get_world_size, get_backend, new_group,
                     get_process_group_ranks, get_global_rank, get_group_rank, is_available,
                     is_mpi_available, is_nccl_available, default_pg_timeout)
from ._work import Work
from ._collectives import (all_reduce, broadcast, reduce, all_gather, all_gather_into_tensor,
                           reduce_scatter, reduce_scatter_tensor, gather, scatter,
                           all_to_all_single, barrier)
from ._p2p import (send, recv, isend, irecv, broadcast_object_list, all_gather_object,
                   gather_object, scatter_object_list)

__all__ = ['ReduceOp', 'Backend', 'DistError', 'DistBackendError', 'DistNetworkError',
           'DistStoreError', 'ProcessGroup', 'GroupMember', 'group', 'init_process_group',
           'destroy_process_group', 'is_initialized', 'get_rank', 'get_world_size', 'get_backend',
           'new_group', 'get_process_group_ranks', 'get_global_rank', 'get_group_rank',
           'is_available', 'is_mpi_available', 'is_nccl_available', 'default_pg_timeout', 'Work',
           'all_reduce', 'broadcast', 'reduce', 'all_gather', 'all_gather_into_tensor',
           'reduce_scatter', 'reduce_scatter_tensor', 'gather', 'scatter', 'all_to_all_single',
           'barrier', 'send', 'recv', 'isend', 'irecv', 'broadcast_object_list',
           'all_gather_object', 'gather_object', 'scatter_object_list']
