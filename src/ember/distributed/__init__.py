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
from ._collectives_more import (all_to_all, all_reduce_coalesced, all_gather_coalesced,
                                monitored_barrier, new_subgroups, new_subgroups_by_enumeration)
from ._p2p_batch import P2POp, batch_isend_irecv, send_object_list, recv_object_list
from ._info import (is_gloo_available, is_ucc_available, is_xccl_available, is_backend_available,
                    is_torchelastic_launched, get_node_local_rank, get_pg_count,
                    get_default_backend_for_device, DebugLevel, get_debug_level, set_debug_level,
                    set_debug_level_from_env, reduce_op)
from ._store import Store, HashStore, PrefixStore, QueueEmptyError

__all__ = ['ReduceOp', 'Backend', 'DistError', 'DistBackendError', 'DistNetworkError',
           'DistStoreError', 'ProcessGroup', 'GroupMember', 'group', 'init_process_group',
           'destroy_process_group', 'is_initialized', 'get_rank', 'get_world_size', 'get_backend',
           'new_group', 'get_process_group_ranks', 'get_global_rank', 'get_group_rank',
           'is_available', 'is_mpi_available', 'is_nccl_available', 'default_pg_timeout', 'Work',
           'all_reduce', 'broadcast', 'reduce', 'all_gather', 'all_gather_into_tensor',
           'reduce_scatter', 'reduce_scatter_tensor', 'gather', 'scatter', 'all_to_all_single',
           'barrier', 'send', 'recv', 'isend', 'irecv', 'broadcast_object_list',
           'all_gather_object', 'gather_object', 'scatter_object_list', 'all_to_all',
           'all_reduce_coalesced', 'all_gather_coalesced', 'monitored_barrier', 'new_subgroups',
           'new_subgroups_by_enumeration', 'P2POp', 'batch_isend_irecv', 'send_object_list',
           'recv_object_list', 'is_gloo_available', 'is_ucc_available', 'is_xccl_available',
           'is_backend_available', 'is_torchelastic_launched', 'get_node_local_rank',
           'get_pg_count', 'get_default_backend_for_device', 'DebugLevel', 'get_debug_level',
           'set_debug_level', 'set_debug_level_from_env', 'reduce_op', 'Store', 'HashStore',
           'PrefixStore', 'QueueEmptyError']
