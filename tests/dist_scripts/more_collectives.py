"""all_to_all, the coalesced collectives, monitored_barrier and new_subgroups on N ranks
(run with 2 and 3); every rank asserts, and errors must leave the ranks in step."""
import warnings

import ember
import ember.distributed as dist

from _check import raises


dist.init_process_group()
R, N = dist.get_rank(), dist.get_world_size()
# ---- all_to_all: even pieces (torch's docstring example)
inp = list((ember.arange(N) + R * N).chunk(N))
out = list(ember.empty(N, dtype=ember.int64).chunk(N))
assert dist.all_to_all(out, inp) is None
assert [t.item() for t in out] == [R + N * r for r in range(N)], out
# uneven pieces: rank r sends r+1+j elements to rank j; 2-D, non-contiguous input and output
inp = [(ember.arange(float((R + 1 + j) * 2)) + 100 * R).reshape(-1, 2).t() for j in range(N)]
big = ember.zeros(N, 2, 8)
out = [big[r, :, :r + 1 + R] for r in range(N)]               # non-contiguous views
v = out[0]._version
work = dist.all_to_all(out, inp, async_op=True)
assert isinstance(work, dist.Work) and work.wait()
for r in range(N):
    want = (ember.arange(float((r + 1 + R) * 2)) + 100 * r).reshape(-1, 2).t()
    assert ember.equal(out[r], want), (r, out[r], want)
    assert ember.equal(big[r, :, :r + 1 + R], want)             # written through the view
assert out[0]._version > v
# complex and bfloat16 travel unchanged
inp = [ember.tensor([complex(R, j)]) for j in range(N)]
out = [ember.zeros(1, dtype=ember.complex64) for _ in range(N)]
dist.all_to_all(out, inp)
assert [t.item() for t in out] == [complex(r, R) for r in range(N)]
inp = [ember.full((2,), 1.5 + R + j, dtype=ember.bfloat16) for j in range(N)]
out = [ember.zeros(2, dtype=ember.bfloat16) for _ in range(N)]
dist.all_to_all(out, inp)
assert [t.float().tolist() for t in out] == [[1.5 + r + R] * 2 for r in range(N)]
# errors: local argument errors (same on every rank) and a size mismatch between ranks
ones = [ember.ones(1) for _ in range(N)]
raises(TypeError, 'Expected parameter `input_tensor_list` of type List[ember.Tensor]',
       lambda: dist.all_to_all(ones, ones[0]))
raises(TypeError, 'Expected parameter `output_tensor_list` of type List[ember.Tensor]',
       lambda: dist.all_to_all(tuple(ones), ones))
raises(ValueError, 'Invalid usage of tensors with different dtypesFound ember.float32 and  ember.int64',
       lambda: dist.all_to_all(ones, [ember.ones(1, dtype=ember.int64)] * N))
raises(RuntimeError, 'Number of input tensors are not equal to group size',
       lambda: dist.all_to_all(ones, ones + ones))
before = [t.clone() for t in ones]
raises(RuntimeError, "all_to_all: rank 0 sends 4 bytes to rank 0, whose output_tensor_list[0] holds 8 bytes",
             lambda: dist.all_to_all([ember.ones(2) for _ in range(N)] if R == 0 else ones, ones))
assert all(ember.equal(a, b) for a, b in zip(ones, before))
# ---- coalesced collectives (deprecated: FutureWarning naming ember)
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    ts = [ember.ones(2) * (R + 1), ember.full((1, 2), 10.0 * (R + 1)),
          ember.tensor([complex(1, R)], dtype=ember.complex64)]      # complex64 mixes with float32
    assert dist.all_reduce_coalesced(ts) is None
    s = N * (N + 1) / 2
    assert ts[0].tolist() == [s, s] and ts[1].tolist() == [[10 * s, 10 * s]]
    assert ts[2].item() == complex(N, N * (N - 1) / 2)
    fut = dist.all_reduce_coalesced(ts[:2], op=dist.ReduceOp.MAX, async_op=True)
    got = fut.wait()
    assert got[0] is ts[0] and fut.done() and ts[0].tolist() == [s, s]
    raises(ValueError, 'all_reduce does not support RedOpType.MAX on complex tensors',
           lambda: dist.all_reduce_coalesced([ts[2]], op=dist.ReduceOp.MAX))
    raises(ValueError, 'Invalid usage of tensors with different dtypes',
           lambda: dist.all_reduce_coalesced([ember.ones(1), ember.ones(1, dtype=ember.int64)]))
    x = ember.ones(3)
    dist.all_reduce_coalesced(x)                                  # one tensor is fine
    assert x.tolist() == [N] * 3
    outl = [[ember.zeros(2), ember.zeros(1, 1)] for _ in range(N)]
    dist.all_gather_coalesced(outl, [ember.ones(2) * R, ember.full((1, 1), R + 5.0)])
    assert [[a.tolist(), b.tolist()] for a, b in outl] == [[[r, r], [[r + 5.0]]] for r in range(N)]
    raises(TypeError, 'Invalid function argument: output_tensor_lists should be a list',
           lambda: dist.all_gather_coalesced((1,), [ember.ones(2)]))
    raises(RuntimeError, 'allgather_coalesced: output lists should be equal to world size',
           lambda: dist.all_gather_coalesced([[ember.zeros(2)]] * (N + 1), [ember.ones(2)]))
assert w and all(x.category is FutureWarning for x in w)
assert '`ember.distributed.all_reduce_coalesced` will be deprecated' in str(w[0].message)
assert any('`ember.distributed.all_gather_coalesced` will be deprecated' in str(x.message) for x in w)
# ---- monitored_barrier: Gloo only in PyTorch, so refused on MPI
raises(ValueError, 'monitored_barrier is only implemented for GLOO backend.', dist.monitored_barrier)
# ---- subgroups
count = dist.get_pg_count()
cur, subs = dist.new_subgroups(1)
assert len(subs) == N and dist.get_process_group_ranks(cur) == [R]
assert [s == dist.GroupMember.NON_GROUP_MEMBER for s in subs] == [r != R for r in range(N)]
assert dist.get_pg_count() >= count + 1
raises(ValueError, "The arg 'group_size' (0) must be positive", lambda: dist.new_subgroups(0))
raises(ValueError, f"The arg 'group_size' ({N + 1}) must not exceed the world size ({N})",
       lambda: dist.new_subgroups(N + 1))
raises(ValueError, "The arg 'ranks_per_subgroup_list' cannot be empty",
       lambda: dist.new_subgroups_by_enumeration([]))
raises(ValueError, 'Rank 0 has appeared in both subgroup [0] and [0, 1]',
       lambda: dist.new_subgroups_by_enumeration([[0], [0, 1]]))
if N == 3:
    raises(ValueError, "The world size (3) must be divisible by 'group_size=2'",
           lambda: dist.new_subgroups(2))
    cur, subs = dist.new_subgroups_by_enumeration([[0, 2]])
    assert (cur is None) == (R == 1) and len(subs) == 1
    if R != 1:
        t = ember.tensor([float(R)])
        dist.all_reduce(t, group=cur)
        assert t.item() == 2.0
        inp = [ember.tensor([R * 10 + j]) for j in range(2)]
        out = [ember.zeros(1, dtype=ember.int64) for _ in range(2)]
        dist.all_to_all(out, inp, group=cur)                    # group ranks of [0, 2]
        me = [0, 2].index(R)
        assert [t.item() for t in out] == [0 + me, 20 + me]
    else:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            assert dist.all_to_all([], [], group=subs[0]) is None
        assert 'Running all_to_all on global rank 1 which does not belong' in str(w[0].message)
cur, subs = dist.new_subgroups(N)
t = ember.ones(1)
dist.all_reduce(t, group=cur)
assert t.item() == N
dist.barrier()
dist.destroy_process_group()
print(f'rank {R}/{N}: more collectives OK', flush=True)
