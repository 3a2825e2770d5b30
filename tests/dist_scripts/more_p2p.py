"""P2POp / batch_isend_irecv and send_object_list / recv_object_list on N ranks (run with 2
and 3): a ring exchange, errors on bad lists, objects sent to the next rank."""
import warnings

import ember
import ember.distributed as dist

from _check import raises


dist.init_process_group()
R, N = dist.get_rank(), dist.get_world_size()
nxt, prv = (R + 1) % N, (R - 1) % N
# ---- ring: receive listed before send (order in the batch does not matter)
s = ember.arange(2.0) + 2 * R
r = ember.zeros(2)
so = dist.P2POp(dist.isend, s, nxt)
ro = dist.P2POp(dist.irecv, r, prv)
assert so.peer == nxt and so.group_peer == nxt and so.tag == 0 and so.group is dist.group.WORLD
assert repr(so) == f'P2POp(isend pg=0, group_src={R}, group_dst={nxt},  ember.Size([2]), ember.float32)', repr(so)
assert repr(ro) == f'P2POp(irecv pg=0, group_src={prv}, group_dst={R},  ember.Size([2]), ember.float32)'
works = dist.batch_isend_irecv([ro, so])
assert len(works) == 2 and all(isinstance(w, dist.Work) for w in works)
assert [w.wait() for w in works] == [True, True]
assert r.tolist() == [2.0 * prv, 2.0 * prv + 1]
# several messages to the same peer keep their order; tags; a non-contiguous receive buffer
a, b = ember.zeros(3, 4)[:, 1], ember.zeros(2, dtype=ember.int64)
ops = [dist.P2POp(dist.irecv, a, prv, tag=3), dist.P2POp(dist.irecv, b, group_peer=prv),
       dist.P2POp(dist.isend, ember.tensor([1.0, 2.0, 3.0]) * R, nxt, tag=3),
       dist.P2POp(dist.isend, ember.tensor([R, -R]), group_peer=nxt)]
for w in dist.batch_isend_irecv(ops):
    w.wait()
assert a.tolist() == [prv * 1.0, prv * 2.0, prv * 3.0] and b.tolist() == [prv, -prv]
# to itself (allowed in a batch, unlike send/recv)
me = ember.zeros(1)
for w in dist.batch_isend_irecv([dist.P2POp(dist.isend, ember.tensor([7.0]), R),
                                 dist.P2POp(dist.irecv, me, R)]):
    w.wait()
assert me.item() == 7.0
# ---- errors (as torch: types and messages)
raises(ValueError, 'Invalid ``op``. Expected ``op`` to be of type ``ember.distributed.isend`` or '
       '``ember.distributed.irecv``.', lambda: dist.P2POp(dist.send, s, nxt))
raises(TypeError, 'Expected parameter `tensor` of type ember.Tensor', lambda: dist.P2POp(dist.isend, [1], 1))
raises(ValueError, 'Must specify global_rank or group_rank', lambda: dist.P2POp(dist.isend, s))
raises(ValueError, "Can't specify both group_rank and global_rank",
       lambda: dist.P2POp(dist.isend, s, 1, group_peer=1))
far = dist.P2POp(dist.isend, s, N + 3)             # made fine; refused when batched
raises(RuntimeError, f'invalid dst rank: {N + 3}', lambda: dist.batch_isend_irecv([far]))
raises(IndexError, 'list index out of range', lambda: dist.batch_isend_irecv([]))
raises(ValueError, 'Each op is expected to to be of type ``ember.distributed.P2POp``.',
       lambda: dist.batch_isend_irecv((so,)))
raises(ValueError, 'Each op is expected to to be of type ``ember.distributed.P2POp``.',
       lambda: dist.batch_isend_irecv([so, 1]))
both = dist.new_group(list(range(N)))
raises(ValueError, 'All ops need to use the same group.',
       lambda: dist.batch_isend_irecv([so, dist.P2POp(dist.irecv, r, prv, group=both)]))
# a sub-group: peers given as global ranks map to group ranks
if N == 3:
    sub = dist.new_group([0, 2])
    if R != 1:
        other = 2 - R
        t = ember.zeros(1)
        p = dist.P2POp(dist.isend, ember.tensor([float(R)]), other, group=sub)
        assert p.peer == other and p.group_peer == [0, 2].index(other)
        q = dist.P2POp(dist.irecv, t, group=sub, group_peer=[0, 2].index(other))
        assert q.peer == other
        for w in dist.batch_isend_irecv([p, q]):
            w.wait()
        assert t.item() == float(other)
    else:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            op = dist.P2POp(dist.isend, s, 0, group=sub)
            assert dist.batch_isend_irecv([op]) == []
        assert 'which does not belong to the given group' in str(w[0].message)
# ---- object lists: to the next rank, from the previous
if N > 1:
    objs = ['foo', 12, {1: R}, ember.ones(2) * R, None]
    got = [None] * 5
    if R % 2 == 0:
        dist.send_object_list(objs, dst=nxt)
        src = dist.recv_object_list(got, src=prv)
    else:
        src = dist.recv_object_list(got, src=prv)
        dist.send_object_list(objs, dst=nxt)
    assert src == prv
    assert got[:3] == ['foo', 12, {1: prv}] and got[4] is None and got[3].tolist() == [prv * 1.0] * 2
    empty = []
    if R == 0:
        dist.send_object_list([], dst=1)
    elif R == 1:
        assert dist.recv_object_list(empty, src=0) == 0 and empty == []
    raises(ValueError, 'Invalid destination rank: destination rank should not be the same as the rank '
           'of the current process.', lambda: dist.send_object_list([1], dst=R))
    raises(ValueError, 'Invalid source rank: source rank should not be the same as the rank of '
           'the current process.', lambda: dist.recv_object_list([1], src=R))
    raises(ValueError, 'Must specify global_rank or group_rank', lambda: dist.recv_object_list([None]))
    raises(ValueError, 'Must specify global_rank or group_rank', lambda: dist.send_object_list([1]))
    # group ranks in a sub-group
    if N == 3 and R != 1:
        box = [None]
        if R == 0:
            dist.send_object_list([('hi', R)], group=sub, group_dst=1)
        else:
            assert dist.recv_object_list(box, group=sub, group_src=0) == 0 and box == [('hi', 0)]
    elif N == 3:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            assert dist.recv_object_list([None], src=0, group=sub) == -1
            assert dist.send_object_list([None], dst=0, group=sub) is None
        assert len(w) == 2
dist.barrier()
dist.destroy_process_group()
print(f'rank {R}/{N}: more p2p OK', flush=True)
