"""NCCL backend on CUDA tensors (needs CuPy with NCCL and a GPU; world of 1 or more ranks,
one GPU per rank)."""
import numpy as np

import ember
import ember.distributed as dist
from mpi4py import MPI

import cupy

cupy.cuda.Device(MPI.COMM_WORLD.Get_rank() % cupy.cuda.runtime.getDeviceCount()).use()
dist.init_process_group('nccl')
R, N = dist.get_rank(), dist.get_world_size()
assert dist.get_backend() == 'nccl' and dist.is_nccl_available()
dev = f'cuda:{cupy.cuda.Device().id}'
t = ember.tensor([1.0, 2.0, 3.0], device=dev) * (R + 1)
dist.all_reduce(t)
assert t.cpu().tolist() == [s * N * (N + 1) / 2 for s in (1, 2, 3)]
t = ember.full((4,), float(R + 1), device=dev)
dist.all_reduce(t, op=dist.ReduceOp.MAX)
assert t.cpu().tolist() == [float(N)] * 4
t = ember.full((2, 2), float(R), device=dev)
dist.broadcast(t, src=N - 1)
assert t.cpu().tolist() == [[N - 1.0] * 2] * 2
outs = [ember.zeros(3, device=dev, dtype=ember.int64) for _ in range(N)]
dist.all_gather(outs, ember.full((3,), R, device=dev, dtype=ember.int64))
assert [o.cpu().tolist() for o in outs] == [[r] * 3 for r in range(N)]
flat = ember.zeros(N * 2, device=dev)
dist.all_gather_into_tensor(flat, ember.full((2,), float(R), device=dev))
assert np.array_equal(flat.cpu().numpy(), np.repeat(np.arange(N, dtype=np.float32), 2))
try:
    dist.all_reduce(ember.ones(2))
    raise AssertionError('CPU tensor on nccl should fail')
except RuntimeError as e:
    assert "CPU tensors are not supported by the 'nccl' backend" in str(e)
cupy.cuda.get_current_stream().synchronize()
dist.barrier()
dist.destroy_process_group()
print(f'rank {R}: nccl OK', flush=True)
