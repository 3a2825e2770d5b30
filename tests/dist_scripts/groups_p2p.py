"""Groups, point-to-point messages and object collectives on 2 ranks."""
import warnings

import ember
import ember.distributed as dist

dist.init_process_group()
R, N = dist.get_rank(), dist.get_world_size()
assert N == 2
# ---- groups: a group of both ranks (order follows world rank) and a group of rank 1 only
both = dist.new_group([1, 0])
solo = dist.new_group([1])
assert dist.get_rank(both) == R and dist.get_world_size(both) == 2
assert dist.get_process_group_ranks(both) == [0, 1]
t = ember.tensor([float(R + 1)])
dist.all_reduce(t, group=both)
assert t.tolist() == [3.0]
if R == 1:
    assert isinstance(solo, dist.ProcessGroup)
    assert dist.get_rank(solo) == 0 and dist.get_world_size(solo) == 1
    assert dist.get_global_rank(solo, 0) == 1 and dist.get_group_rank(solo, 1) == 0
    t = ember.tensor([5.0])
    dist.all_reduce(t, group=solo)
    assert t.tolist() == [5.0]
    dist.broadcast(t, src=1, group=solo)          # src is a global rank
    dist.broadcast(t, group=solo, group_src=0)
    try:
        dist.broadcast(t, src=0, group=solo)
        raise AssertionError('expected ValueError')
    except ValueError as e:
        assert 'Global rank 0 is not part of group' in str(e)
else:
    # non-members: rank and size -1, collectives warn and do nothing
    assert solo == dist.GroupMember.NON_GROUP_MEMBER
    assert dist.get_rank(solo) == -1 and dist.get_world_size(solo) == -1
    t = ember.tensor([5.0])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert dist.all_reduce(t, group=solo) is None
    assert t.tolist() == [5.0]
    assert 'Running all_reduce on global rank 0 which does not belong to the given group.' in str(w[0].message)
try:
    dist.get_rank(object())
    raise AssertionError('expected ValueError')
except ValueError as e:
    assert 'is not registered, please create group with torch.distributed.new_group API' in str(e)
# broadcast/reduce in a sub-group from rank 1 (global) = group rank 1
t = ember.tensor([float(R * 10 + 1)])
dist.broadcast(t, src=1, group=both)
assert t.tolist() == [11.0]
if R == 1:
    dist.destroy_process_group(solo)               # one sub-group only
# ---- send / recv / isend / irecv
x = ember.arange(6, dtype=ember.float32).reshape(2, 3)
if R == 0:
    dist.send(x * 2, dst=1)
    dist.send(x + 100, dst=1, tag=7)
    w = dist.isend(x.t().contiguous(), 1)
    w.wait()
    got = ember.zeros(4, dtype=ember.int64)
    assert dist.recv(got, src=1) == 1
    assert got.tolist() == [1, 2, 3, 4]
    got = ember.zeros(4, dtype=ember.int64)
    assert dist.recv(got) == 1                    # any source
    assert got.tolist() == [5, 6, 7, 8]
else:
    y = ember.zeros(2, 3)
    v = y._version
    dist.recv(y, src=0)
    assert y.tolist() == (x * 2).tolist() and y._version == v + 1
    y = ember.zeros(2, 3)
    dist.recv(y, 0, tag=7)
    assert y.tolist() == (x + 100).tolist()
    z = ember.zeros(6, 4)[:, 1]                   # non-contiguous receive buffer
    w = dist.irecv(z, src=0)
    assert w.wait() and w.is_completed()
    assert z.tolist() == x.t().reshape(-1).tolist()
    dist.isend(ember.tensor([1, 2, 3, 4]), dst=0).wait()
    dist.send(ember.tensor([5, 6, 7, 8]), 0)
# ---- object collectives
objs = [{'rank': R}, 'x' * R, None] if R == 1 else [None, None, None]
dist.broadcast_object_list(objs, src=1)
assert objs == [{'rank': 1}, 'x', None]
gathered = [None] * N
dist.all_gather_object(gathered, (R, [R] * R))
assert gathered == [(0, []), (1, [1])]
glist = [None] * N if R == 0 else None
dist.gather_object({'r': R}, glist, dst=0)
assert R != 0 or glist == [{'r': 0}, {'r': 1}]
out = [None]
dist.scatter_object_list(out, [f'to{r}' for r in range(N)] if R == 1 else None, src=1)
assert out == [f'to{R}']
dist.destroy_process_group()
print(f'rank {R}: groups/p2p/objects OK', flush=True)
