"""Point-to-point messages (``send``/``recv``/``isend``/``irecv``) and the object
collectives (``broadcast_object_list``, ``all_gather_object``, ...), which pickle Python
objects through MPI like PyTorch pickles them through its backends."""
from ._common import member, check_tensor, buffer, writeback, run
from ._group import get_rank, resolve
from ._work import Work

__all__ = ['send', 'recv', 'isend', 'irecv', 'broadcast_object_list', 'all_gather_object',
           'gather_object', 'scatter_object_list']


def _peer(pg, what, glob, grp, role):
    if glob is not None and grp is not None:
        raise ValueError(f"Can't specify both {role}'s global and group rank")
    if grp is None:
        if glob is None:
            return None
        if pg is not resolve(None):
            if glob not in pg.ranks:
                raise ValueError(f'Global rank {glob} is not part of group {pg}')
            glob = pg.ranks.index(glob)
        grp = glob
    if not 0 <= grp < pg.size():
        raise RuntimeError(f'ProcessGroupMPI::{what}: invalid {role} rank: {grp} '
                           f'(world size {pg.size()})')
    if grp == pg.rank():
        word = 'destination' if role == 'dst' else 'source'
        raise ValueError(f'Invalid {word} rank: {word} rank should not be the same as the rank '
                         'of the current process.')
    return grp


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a Work to ``wait()`` on."""
    check_tensor(tensor)
    pg = member(group, 'isend')
    if pg is None:
        return None
    peer = _peer(pg, 'send', dst, group_dst, 'dst')
    if peer is None:
        raise ValueError('send requires a destination rank (dst)')
    arr = buffer(pg, tensor)
    return run(pg, 'send', pg.backend.send(arr, peer, tag), True)


def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` (blocks until it has been handed over)."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


class _RecvWork(Work):
    """Receive handle that checks the message filled the tensor and knows the sender."""

    def __init__(self, pg, tensor, arr, src, tag):
        from mpi4py import MPI
        self._status = MPI.Status()
        self._statuses = [self._status]
        self._pg, self._tensor, self._arr = pg, tensor, arr
        reqs, _ = pg.backend.recv(arr, src, tag)
        self.source = src
        super().__init__(reqs, self._check, 'recv', pg.timeout, pg.rank())

    def wait(self, timeout=None):
        if not self._done:
            from mpi4py import MPI
            try:
                return super().wait(timeout)
            except MPI.Exception as e:
                raise RuntimeError(f'recv failed: {e} (the message is bigger than the tensor: '
                                   f'{self._arr.nbytes} bytes)') from None
        return True

    def _check(self):
        if self._reqs:
            from mpi4py import MPI
            got = self._status.Get_count(MPI.BYTE)
            self.source = self._status.Get_source()
            if got != self._arr.nbytes:
                raise RuntimeError(f'recv: received {got} bytes from rank {self.source} but the '
                                   f'tensor holds {self._arr.nbytes} bytes (shape mismatch)')
        writeback(self._tensor, self._arr)


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (any rank when None)."""
    check_tensor(tensor)
    pg = member(group, 'irecv')
    if pg is None:
        return None
    peer = _peer(pg, 'recv', src, group_src, 'src')
    return _RecvWork(pg, tensor, buffer(pg, tensor), peer, tag)


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender's
    rank (-1 for a non-member)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    pg = resolve(group)
    return pg.ranks[work.source] if work.source is not None else -1


# ---------------------------------------------------------------- object collectives
def _root(pg, glob, grp):
    if grp is not None:
        return grp
    glob = 0 if glob is None else glob
    if pg is resolve(None):
        r = glob
    elif glob in pg.ranks:
        r = pg.ranks.index(glob)
    else:
        raise ValueError(f'Global rank {glob} is not part of group {pg}')
    if not 0 <= r < pg.size():
        raise RuntimeError(f'ProcessGroupMPI::broadcast: invalid root rank: {r}')
    return r


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items on every rank by rank ``src``'s (pickled)."""
    pg = member(group, 'broadcast_object_list')
    if pg is None:
        return
    root = _root(pg, src, group_src)
    got = pg.comm.bcast(list(object_list) if pg.rank() == root else None, root=root)
    if len(got) != len(object_list):
        raise RuntimeError(f'broadcast_object_list: rank {root} sent {len(got)} objects but this '
                           f'rank ({get_rank()}) has a list of {len(object_list)}')
    object_list[:] = got


def all_gather_object(object_list, obj, group=None):
    """``object_list[r]`` = rank r's ``obj`` on every rank (``object_list`` has world_size items)."""
    pg = member(group, 'all_gather_object')
    if pg is None:
        return
    got = pg.comm.allgather(obj)
    if len(object_list) != len(got):
        raise RuntimeError(f'all_gather_object: object_list must have {len(got)} entries '
                           f'(the group size), got {len(object_list)}')
    object_list[:] = got


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Rank ``dst``'s ``object_gather_list[r]`` = rank r's ``obj``."""
    pg = member(group, 'gather_object')
    if pg is None:
        return
    root = _root(pg, dst, group_dst)
    if pg.rank() == root and (object_gather_list is None or len(object_gather_list) != pg.size()):
        raise ValueError('Argument ``object_gather_list`` must be specified on destination rank '
                         'with world_size entries.')
    got = pg.comm.gather(obj, root=root)
    if pg.rank() == root:
        object_gather_list[:] = got


def scatter_object_list(scatter_object_output_list, scatter_object_input_list=None, src=None,
                        group=None, group_src=None):
    """``scatter_object_output_list[0]`` = rank ``src``'s ``scatter_object_input_list[rank]``."""
    pg = member(group, 'scatter_object_list')
    if pg is None:
        return
    if not isinstance(scatter_object_output_list, list) or len(scatter_object_output_list) < 1:
        raise ValueError('Expected argument scatter_object_output_list to be a list of size at least 1.')
    root = _root(pg, src, group_src)
    items = None
    if pg.rank() == root:
        if scatter_object_input_list is None or len(scatter_object_input_list) != pg.size():
            raise ValueError('scatter_object_input_list must have world_size entries on the source rank')
        items = list(scatter_object_input_list)
    scatter_object_output_list[0] = pg.comm.scatter(items, root=root)
