"""Every tensor collective against its definition, for any world size (run under mpiexec -n N,
or plain python = a world of one). Rank r's input is a rank-dependent array; the expected
result is computed with NumPy from all ranks' inputs."""
import warnings

import numpy as np

import ember
import ember.distributed as dist

dist.init_process_group(backend='mpi')
R, N = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == 'mpi' and dist.Backend.MPI == 'mpi'


def data(r, shape=(2, 3), dtype=np.float64):
    return (np.arange(np.prod(shape)).reshape(shape) % 5 + r * 2 - 1).astype(dtype)


def eq(t, want, what):
    got = t.numpy()
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert np.array_equal(got, want), (what, R, got, want)


everyone = np.stack([data(r) for r in range(N)])
REF = {'SUM': everyone.sum(0), 'PRODUCT': everyone.prod(0), 'MIN': everyone.min(0),
       'MAX': everyone.max(0), 'AVG': everyone.sum(0) / N}
checks = 0
# all_reduce: every op, several dtypes, sync and async
for name, want in REF.items():
    for dt in (np.float64, np.float32, np.int64, np.int32, np.float16):
        if name == 'AVG' and dt in (np.int64, np.int32):
            continue
        t = ember.from_numpy(data(R, dtype=dt))
        v = t._version
        dist.all_reduce(t, op=getattr(dist.ReduceOp, name))
        eq(t, want.astype(dt), f'all_reduce {name} {dt}')
        assert t._version == v + 1
        checks += 1
    t = ember.from_numpy(data(R))
    w = dist.all_reduce(t, op=getattr(dist.ReduceOp, name), async_op=True)
    assert isinstance(w, dist.Work)
    assert w.wait() is True and w.is_completed()
    eq(t, want, f'async all_reduce {name}')
# bool and bfloat16
b = ember.tensor([R == 0, False, True])
dist.all_reduce(b)
eq(b, np.array([True, False, True]), 'bool sum')
bf = ember.ones(4, dtype=ember.bfloat16) * (R + 1)
dist.all_reduce(bf)
assert bf.float().tolist() == [N * (N + 1) / 2] * 4
bits = ember.tensor([1 << R, 3], dtype=ember.int64)
dist.all_reduce(bits, op=dist.ReduceOp.BOR)
assert bits.tolist() == [(1 << N) - 1, 3]
# 0-dim and empty tensors
s = ember.tensor(float(R + 1))
dist.all_reduce(s)
assert s.item() == N * (N + 1) / 2
e = ember.zeros(0, 3)
dist.all_reduce(e)
# non-contiguous tensors are written back into their memory
base = ember.from_numpy(np.stack([data(R)] * 2))
view = base.transpose(1, 2)[0]
assert not view.is_contiguous()
dist.all_reduce(view)
eq(base[0], REF['SUM'], 'non-contiguous all_reduce')
eq(base[1], data(R), 'neighbour untouched')
# a leaf that requires grad: no autograd record (like torch), values change
p = ember.ones(3, requires_grad=True)
dist.all_reduce(p)
assert p.grad_fn is None and p.requires_grad and p.tolist() == [N] * 3
checks += 8

# broadcast from every root, sync and async
for src in range(N):
    t = ember.from_numpy(data(R))
    dist.broadcast(t, src=src)
    eq(t, data(src), f'broadcast {src}')
    t = ember.from_numpy(data(R, dtype=np.int32))
    dist.broadcast(t, src, async_op=True).wait()
    eq(t, data(src, dtype=np.int32), 'async broadcast')
    t = ember.from_numpy(data(R).astype(ember.bfloat16.np))
    dist.broadcast(t, src)
    assert t.float().numpy().tolist() == data(src).tolist()
    checks += 3
# reduce to every root
for dst in range(N):
    for name in ('SUM', 'MAX', 'AVG'):
        t = ember.from_numpy(data(R))
        dist.reduce(t, dst=dst, op=getattr(dist.ReduceOp, name))
        eq(t, REF[name] if R == dst else data(R), f'reduce {name} -> {dst}')
        checks += 1
# all_gather (list) and all_gather_into_tensor (concatenated and stacked)
outs = [ember.zeros(2, 3, dtype=ember.float64) for _ in range(N)]
dist.all_gather(outs, ember.from_numpy(data(R)))
for r in range(N):
    eq(outs[r], data(r), 'all_gather')
outs = [ember.zeros(2, 3, dtype=ember.float64) for _ in range(N)]
dist.all_gather(outs, ember.from_numpy(data(R)), async_op=True).wait()
eq(ember.stack(outs), everyone, 'async all_gather')
flat = ember.zeros(N * 2, 3, dtype=ember.float64)
dist.all_gather_into_tensor(flat, ember.from_numpy(data(R)))
eq(flat, everyone.reshape(N * 2, 3), 'all_gather_into_tensor cat')
stacked = ember.zeros(N, 2, 3, dtype=ember.float64)
dist.all_gather_into_tensor(stacked, ember.from_numpy(data(R)))
eq(stacked, everyone, 'all_gather_into_tensor stack')
checks += 4
# reduce_scatter (list) and reduce_scatter_tensor: rank r gets chunk r of the reduction
chunks = lambda r: np.stack([data(r) * (i + 1) for i in range(N)])  # noqa: E731
total = sum(chunks(r) for r in range(N))
out = ember.zeros(2, 3, dtype=ember.float64)
dist.reduce_scatter(out, [ember.from_numpy(c) for c in chunks(R)])
eq(out, total[R], 'reduce_scatter')
out = ember.zeros(2, 3, dtype=ember.float64)
dist.reduce_scatter_tensor(out, ember.from_numpy(chunks(R).reshape(N * 2, 3)), op=dist.ReduceOp.MAX)
eq(out, np.max([chunks(r) for r in range(N)], 0)[R], 'reduce_scatter_tensor max')
out = ember.zeros(2, 3, dtype=ember.float64)
dist.reduce_scatter_tensor(out, ember.from_numpy(chunks(R)), async_op=True).wait()
eq(out, total[R], 'async reduce_scatter_tensor')
checks += 3
# gather / scatter to and from every root
for root in range(N):
    lst = [ember.zeros(2, 3, dtype=ember.float64) for _ in range(N)] if R == root else None
    dist.gather(ember.from_numpy(data(R)), lst, dst=root)
    if R == root:
        eq(ember.stack(lst), everyone, 'gather')
    t = ember.zeros(2, 3, dtype=ember.float64)
    src_list = [ember.from_numpy(data(r) * 7) for r in range(N)] if R == root else None
    dist.scatter(t, src_list, src=root)
    eq(t, data(R) * 7, 'scatter')
    checks += 2
# all_to_all_single, even and uneven splits
inp = ember.from_numpy(np.arange(N * 2, dtype=np.int64) + 100 * R)
out = ember.zeros(N * 2, dtype=ember.int64)
dist.all_to_all_single(out, inp)
eq(out, np.concatenate([np.arange(2 * R, 2 * R + 2) + 100 * r for r in range(N)]), 'all_to_all')
ins = [r + 1 for r in range(N)]              # rank R sends r+1 rows to rank r
inp = ember.full((sum(ins), 2), float(R))
out = ember.zeros((R + 1) * N, 2)
dist.all_to_all_single(out, inp, [R + 1] * N, ins)
eq(out, np.repeat(np.arange(N, dtype=np.float32), R + 1)[:, None].repeat(2, 1), 'all_to_all uneven')
checks += 2
# barrier, sync and async
dist.barrier()
assert dist.barrier(async_op=True).wait()
# with warnings on, nothing above warned
with warnings.catch_warnings():
    warnings.simplefilter('error')
    dist.all_reduce(ember.ones(1))
dist.destroy_process_group()
assert not dist.is_initialized()
print(f'rank {R}/{N}: collectives OK ({checks} checks)', flush=True)
