"""Errors on 2 ranks: each must be raised (on every rank where the brief says so) and leave
the ranks able to go on communicating."""
import datetime

import ember
import ember.distributed as dist

from _check import raises


raises(ValueError, 'Default process group has not been initialized, please make sure to call '
       'init_process_group.', dist.get_world_size)
raises(ValueError, 'Default process group has not been initialized', lambda: dist.all_reduce(ember.ones(1)))
raises(ValueError, 'world_size=5 but MPI started 2 process(es)', lambda: dist.init_process_group(world_size=5))
raises(ValueError, 'Invalid backend', lambda: dist.init_process_group('tcp'))
dist.init_process_group('mpi', timeout=datetime.timedelta(seconds=20), world_size=2)
R = dist.get_rank()
raises(ValueError, 'trying to initialize the default process group twice!', dist.init_process_group)
# ranks disagreeing on shape / dtype / collective: RuntimeError on every rank, naming both
msg = raises(RuntimeError, "all_reduce: the ranks' tensors do not match",
             lambda: dist.all_reduce(ember.ones(2, 3) if R == 0 else ember.ones(4)))
assert 'rank 0 has shape [2, 3]' in msg and 'rank 1 has shape [4]' in msg, msg
msg = raises(RuntimeError, "broadcast: the ranks' tensors do not match",
             lambda: dist.broadcast(ember.ones(3, dtype=ember.float64 if R else ember.float32), 0))
assert 'dtype float32' in msg and 'dtype float64' in msg
raises(RuntimeError, 'the ranks called different collectives or roots',
       lambda: dist.broadcast(ember.ones(3), src=R))
raises(RuntimeError, 'rank 0 called all_reduce, rank 1 called broadcast',
       lambda: dist.all_reduce(ember.ones(3)) if R == 0 else dist.broadcast(ember.ones(3), 0))
raises(RuntimeError, "all_gather: the ranks' tensors do not match",
       lambda: dist.all_gather([ember.ones(R + 1)] * 2, ember.ones(R + 1)))
# argument errors (local, raised before any communication)
raises(RuntimeError, 'ProcessGroupMPI::broadcast: invalid root rank: 2', lambda: dist.broadcast(ember.ones(1), src=2))
raises(RuntimeError, 'invalid root rank: -1', lambda: dist.reduce(ember.ones(1), dst=-1))
raises(RuntimeError, 'invalid root rank: 5', lambda: dist.gather(ember.ones(1), dst=5))
raises(RuntimeError, 'invalid dst rank: 2', lambda: dist.send(ember.ones(1), dst=2))
raises(RuntimeError, 'invalid src rank: 3', lambda: dist.recv(ember.ones(1), src=3))
raises(ValueError, 'Invalid destination rank: destination rank should not be the same as the rank '
       'of the current process.', lambda: dist.send(ember.ones(1), dst=R))
raises(TypeError, 'Invalid function argument. Expected parameter `tensor` of type ember.Tensor',
       lambda: dist.all_reduce([1.0]))
raises(TypeError, 'op must be an ember.distributed.ReduceOp', lambda: dist.all_reduce(ember.ones(1), op='sum'))
raises(RuntimeError, 'invalid output tensor list at index 0 (expected length 2, got 1)',
       lambda: dist.all_gather([ember.ones(2)], ember.ones(2)))
raises(ValueError, 'must have world_size (2) times as many elements',
       lambda: dist.all_gather_into_tensor(ember.ones(3), ember.ones(2)))
if R == 0:
    raises(ValueError, 'Argument ``gather_list`` must be specified on destination rank.',
           lambda: dist.gather(ember.ones(2), None, dst=0))
raises(RuntimeError, 'Cannot use ReduceOp.BOR with float32', lambda: dist.all_reduce(ember.ones(1), op=dist.ReduceOp.BOR))
# recv into a tensor of the wrong size: RuntimeError on the receiver
if R == 0:
    dist.send(ember.ones(3), dst=1)
    dist.send(ember.ones(5), dst=1)
else:
    raises(RuntimeError, 'received 12 bytes from rank 0 but the tensor holds 16 bytes',
           lambda: dist.recv(ember.ones(4), src=0))
    raises(RuntimeError, 'recv failed', lambda: dist.recv(ember.ones(4), src=0))
# NCCL without CuPy / GPU
try:
    import cupy  # noqa: F401
except ImportError:
    assert not dist.is_nccl_available()
    dist.destroy_process_group()
    raises(RuntimeError, "Distributed package doesn't have NCCL built in (CuPy with NCCL is needed: "
           "pip install cupy-cuda12x", lambda: dist.init_process_group('nccl'))
    assert not dist.is_initialized()
    dist.init_process_group()
# after all those errors the ranks still agree and communicate
t = ember.tensor([float(R)])
dist.all_reduce(t)
assert t.item() == 1.0
dist.destroy_process_group()
print(f'rank {R}: errors OK', flush=True)
