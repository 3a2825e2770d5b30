"""Batched point-to-point messages (``P2POp`` + ``batch_isend_irecv``) and the object
versions of send/recv (``send_object_list``/``recv_object_list``), which pickle Python objects
into uint8 tensors and send them as PyTorch does: first the sizes, then the bytes."""
import pickle

import numpy as np

from ._common import member, check_tensor, buffer, run
from ._group import GroupMember, _default
from ._p2p import isend, irecv, send, recv, _RecvWork

__all__ = ['P2POp', 'batch_isend_irecv', 'send_object_list', 'recv_object_list']


def _group_or_default(group):
    return _default() if group is None or group is GroupMember.WORLD else group


def _is_default(pg):
    """True for the default group (its group ranks are the global ranks); a non-member's
    ``GroupMember.NON_GROUP_MEMBER`` maps ranks unchanged too."""
    return isinstance(pg, int) or pg is _default()


def _group_rank(pg, glob, grp):
    """Group rank from a global rank ``glob`` or a group rank ``grp`` (exactly one given)."""
    if grp is not None:
        if glob is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        return grp
    if glob is None:
        raise ValueError('Must specify global_rank or group_rank')
    if _is_default(pg):
        return glob
    if glob not in pg.ranks:
        raise ValueError(f'Global rank {glob} is not part of group {pg}')
    return pg.ranks.index(glob)


def _global_rank(pg, glob, grp):
    """Global rank from a global rank ``glob`` or a group rank ``grp`` (exactly one given)."""
    if grp is not None:
        if glob is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        if _is_default(pg):
            return grp
        if not 0 <= grp < len(pg.ranks):
            raise ValueError(f'Group rank {grp} is not part of group {pg}')
        return pg.ranks[grp]
    if glob is None:
        raise ValueError('Must specify global_rank or group_rank')
    return glob


def _not_self(pg, rank, word):
    if pg.rank() == rank:
        raise ValueError(f'Invalid {word} rank: {word} rank should not be the same as the rank of '
                         'the current process.')


class P2POp:
    """One send (``op=isend``) or receive (``op=irecv``) of ``tensor`` with rank ``peer``
    (global) or ``group_peer`` (in ``group``), for ``batch_isend_irecv``."""

    def __new__(cls, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        if op is not isend and op is not irecv:
            raise ValueError('Invalid ``op``. Expected ``op`` to be of type '
                             '``ember.distributed.isend`` or ``ember.distributed.irecv``.')
        check_tensor(tensor)
        return object.__new__(cls)

    def __init__(self, op, tensor, peer=None, group=None, tag=0, group_peer=None):
        self.op = op
        self.tensor = tensor
        self.group = _group_or_default(group)
        self.peer = _global_rank(self.group, peer, group_peer)
        self.tag = tag
        self.group_peer = _group_rank(self.group, peer, group_peer)

    def __repr__(self):
        pg = self.group
        mine = pg.rank() if not isinstance(pg, int) else -1
        from ._group import _STATE
        name = _STATE['groups'].index(pg) if pg in _STATE['groups'] else 'default_pg'
        src, dst = (mine, self.group_peer) if self.op is isend else (self.group_peer, mine)
        return (f'P2POp({self.op.__name__} pg={name}, group_src={src}, group_dst={dst},  '
                f'{self.tensor.shape}, {self.tensor.dtype})')


def _check_list(p2p_op_list):
    if not isinstance(p2p_op_list, list) or not all(isinstance(p, P2POp) for p in p2p_op_list):
        raise ValueError('Invalid ``p2p_op_list``. Each op is expected to to be of type '
                         '``ember.distributed.P2POp``.')
    group = p2p_op_list[0].group
    if not all(group == p.group for p in p2p_op_list):
        raise ValueError('All ops need to use the same group.')


def _check_peer(pg, p):
    if not 0 <= p.group_peer < pg.size():
        what, role = ('send', 'dst') if p.op is isend else ('recv', 'src')
        raise RuntimeError(f'ProcessGroupMPI::{what}: invalid {role} rank: {p.group_peer} '
                           f'(world size {pg.size()})')


def _post(pg, p):
    """Start one op without waiting (a message to this rank itself is allowed here)."""
    arr = buffer(pg, p.tensor)
    if p.op is isend:
        return run(pg, 'send', pg.backend.send(arr, p.group_peer, p.tag), True)
    return _RecvWork(pg, p.tensor, arr, p.group_peer, p.tag)


def batch_isend_irecv(p2p_op_list):
    """Start every send and receive in ``p2p_op_list`` at once (their order does not matter,
    so pairs never deadlock); returns the list of Work handles to ``wait()`` on."""
    _check_list(p2p_op_list)
    group = p2p_op_list[0].group
    pg = member(group, 'batch_isend_irecv')
    if pg is None:
        return []
    for p in p2p_op_list:             # every argument checked before anything is sent
        _check_peer(pg, p)
        buffer(pg, p.tensor)
    works = []
    grouped = getattr(pg.backend, '_p2p_group', None)    # NCCL: one group call for all
    if grouped is not None:
        grouped([lambda p=p: works.append(_post(pg, p)) for p in p2p_op_list])
    else:
        works = [_post(pg, p) for p in p2p_op_list]
    return works


# ---------------------------------------------------------------- object send / recv
def _coll_device(pg, device):
    if device is not None:
        return device
    return 'cuda' if pg.backend_name == 'nccl' else 'cpu'


def send_object_list(object_list, dst=None, group=None, device=None, group_dst=None):
    """Send the picklable objects of ``object_list`` to rank ``dst`` (global) or
    ``group_dst``; the receiver passes a list of the same length to ``recv_object_list``."""
    import ember
    pg = _group_or_default(group)
    if isinstance(pg, int):               # GroupMember.NON_GROUP_MEMBER
        member(group, 'send_object_list')
        return
    peer = _group_rank(pg, dst, group_dst)
    _not_self(pg, peer, 'destination')
    dev = _coll_device(pg, device)
    blobs = [pickle.dumps(obj) for obj in object_list]
    sizes = ember.tensor([len(b) for b in blobs], dtype=ember.int64, device=dev)
    data = np.frombuffer(b''.join(blobs), dtype=np.uint8).copy()
    send(sizes, group=pg, group_dst=peer)
    send(ember.from_numpy(data).to(dev), group=pg, group_dst=peer)


def recv_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Receive objects sent by ``send_object_list`` from rank ``src`` (global) or
    ``group_src`` into ``object_list`` (same length as the sender's); returns the sender's
    global rank, or -1 when this rank is not in ``group``."""
    import ember
    pg = _group_or_default(group)
    if isinstance(pg, int):               # GroupMember.NON_GROUP_MEMBER
        member(group, 'recv_object_list')
        return -1
    peer = _group_rank(pg, src, group_src)
    _not_self(pg, peer, 'source')
    dev = _coll_device(pg, device)
    sizes = ember.empty(len(object_list), dtype=ember.int64, device=dev)
    rank_sizes = recv(sizes, group=pg, group_src=peer)
    counts = [int(n) for n in sizes.cpu().tolist()]
    data = ember.empty(sum(counts), dtype=ember.uint8, device=dev)
    rank_data = recv(data, group=pg, group_src=peer)
    if rank_sizes != rank_data:
        raise AssertionError('Mismatch in return ranks for object sizes and objects.')
    raw = data.cpu().numpy().tobytes()
    offset = 0
    for i, n in enumerate(counts):
        object_list[i] = pickle.loads(raw[offset:offset + n])
        offset += n
    return rank_data
