"""Multi-rank checks of ember.nn.parallel.DistributedDataParallel (run under mpiexec).

Every rank asserts on its own state and prints ``CHECK <name> ok rank=<r>``; any failure
prints the traceback and aborts the whole MPI job (so the launcher never hangs). Rank 0 writes
reprs and state_dict keys to the JSON file named by argv[1] for the test to compare with torch.
"""
import copy
import json
import sys
import traceback
import warnings

import numpy as np
from mpi4py import MPI

import ember
import ember.distributed as dist
from ember import nn
import ember.nn.functional as F
from ember.nn.parallel import DistributedDataParallel as DDP

COMM = MPI.COMM_WORLD


def ok(name):
    print(f'CHECK {name} ok rank={dist.get_rank()}', flush=True)


def same_on_all_ranks(arrays):
    """Every rank holds exactly the arrays of rank 0."""
    mine = [np.asarray(a) for a in arrays]
    ref = COMM.bcast(mine, root=0)
    return all(np.array_equal(a, b) for a, b in zip(mine, ref))


def params_np(module):
    return [p.detach().numpy().copy() for p in module.parameters()]


class Net(nn.Module):
    """Conv + BatchNorm + Linear, small enough for a few fast steps."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 3, 3)
        self.bn = nn.BatchNorm2d(3)
        self.fc = nn.Linear(3 * 4 * 4, 4)

    def forward(self, x):
        return self.fc(F.relu(self.bn(self.conv(x))).flatten(1))


def data(n, seed):
    g = np.random.default_rng(seed)
    return (ember.tensor(g.standard_normal((n, 1, 6, 6)).astype(np.float32)),
            ember.tensor(g.integers(0, 4, n)))


def check_train_matches_single_process(rank, world, bucket_cap_mb, name):
    ember.manual_seed(100 + rank)                      # different init per rank on purpose
    net = Net()
    net.bn.eval()                                      # BN in eval mode: stats fixed, affine trained
    ddp = DDP(net, bucket_cap_mb=bucket_cap_mb)
    assert same_on_all_ranks(params_np(net)), 'construction did not broadcast rank 0 parameters'
    ref = copy.deepcopy(net)                           # single process, full batch, mean loss
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = ember.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    per = 3
    for step in range(4):
        x, y = data(per * world, step)
        opt.zero_grad()
        F.cross_entropy(ddp(x[rank * per:(rank + 1) * per]), y[rank * per:(rank + 1) * per]).backward()
        opt.step()
        ref_opt.zero_grad()
        F.cross_entropy(ref(x), y).backward()
        ref_opt.step()
        assert same_on_all_ranks(params_np(net)), f'step {step}: parameters differ between ranks'
        for a, b in zip(params_np(net), params_np(ref)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    if bucket_cap_mb is not None:
        assert len(ddp._buckets) == len(list(net.parameters())), len(ddp._buckets)
    ok(name)


def check_train_mode_bn(rank, world):
    """BN in train mode: batch statistics are per rank (as in PyTorch), yet parameters stay equal."""
    ember.manual_seed(7 + rank)
    net = Net()
    ddp = DDP(net)
    opt = ember.optim.SGD(ddp.parameters(), lr=0.05)
    for step in range(3):
        x, y = data(4, 1000 * rank + step)             # different data per rank
        opt.zero_grad()
        F.cross_entropy(ddp(x), y).backward()
        opt.step()
    assert same_on_all_ranks(params_np(net))
    ok('train_bn_ranks_equal')


def check_no_sync(rank, world):
    ember.manual_seed(3)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(2 * 4 * 4, 4))
    ddp = DDP(net)
    ref = copy.deepcopy(net)
    x, y = data(4 * world, 11)                         # two micro-batches of 2 per rank
    mine = [slice(rank * 4, rank * 4 + 2), slice(rank * 4 + 2, rank * 4 + 4)]
    with ddp.no_sync():
        F.cross_entropy(ddp(x[mine[0]]), y[mine[0]]).backward()
    local = copy.deepcopy(net)                         # grads after an unsynced backward are local
    local.zero_grad()
    F.cross_entropy(local(x[mine[0]]), y[mine[0]]).backward()
    for p, q in zip(net.parameters(), local.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6, atol=1e-7)
    F.cross_entropy(ddp(x[mine[1]]), y[mine[1]]).backward()
    # reference: sum over micro-batches of the mean loss over every rank's micro-batch
    first = np.concatenate([np.arange(r * 4, r * 4 + 2) for r in range(world)])
    second = first + 2
    loss = sum(F.cross_entropy(ref(x[ember.tensor(i)]), y[ember.tensor(i)]) for i in (first, second))
    loss.backward()
    for p, q in zip(net.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert same_on_all_ranks([p.grad.numpy() for p in net.parameters()])
    ok('no_sync')


class TwoBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(3, 2)
        self.b = nn.Linear(3, 2)

    def forward(self, x, use_b=False):
        return self.b(x) if use_b else self.a(x)


def check_find_unused(rank, world):
    ember.manual_seed(5)
    net = TwoBranch()
    ddp = DDP(net, find_unused_parameters=True)
    x = ember.randn(4, 3)
    for _ in range(2):                                 # b never used: no error, b.grad stays None
        ddp.zero_grad()
        ddp(x).sum().backward()
        assert net.b.weight.grad is None and net.b.bias.grad is None
    # globally used but locally unused: b is used on the last rank only
    ddp.zero_grad()
    use_b = rank == world - 1
    out = ddp(x, use_b=use_b)
    out.sum().backward()
    ref = copy.deepcopy(net)
    ref.zero_grad()
    ref(x, use_b=True).sum().backward()
    expect = ref.b.weight.grad.numpy() / world
    np.testing.assert_allclose(net.b.weight.grad.numpy(), expect, rtol=1e-6)
    assert same_on_all_ranks([net.b.weight.grad.numpy(), net.a.weight.grad.numpy()])
    # a parameter used only in a no_sync pass still counts as used at the next synced pass
    ddp.zero_grad()
    with ddp.no_sync():
        ddp(x, use_b=True).sum().backward()
    ddp(x).sum().backward()
    ref.zero_grad()
    ref(x, use_b=True).sum().backward()
    ref(x).sum().backward()
    for p, q in zip(net.parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-6)
    ok('find_unused')


def check_unused_error(rank, world):
    ember.manual_seed(5)
    ddp = DDP(TwoBranch())
    ddp(ember.randn(4, 3)).sum().backward()
    with ember.no_grad():
        ddp(ember.randn(4, 3))                         # no grad: no check, like PyTorch
    try:
        ddp(ember.randn(4, 3))
    except RuntimeError as e:
        msg = str(e)
    else:
        raise AssertionError('no error for the unused parameters')
    assert msg.startswith('Expected to have finished reduction in the prior iteration before starting '
                          'a new one. This error indicates that your module has parameters that were '
                          'not used in producing loss. You can enable unused parameter detection by '
                          'passing the keyword argument `find_unused_parameters=True`'), msg
    assert f'Parameter indices which did not receive grad for rank {rank}: 2 3\n' in msg, msg
    ok('unused_error')


def check_buffers(rank, world):
    ember.manual_seed(9)
    net = Net()
    net.bn.running_mean.fill_(float(rank))             # before DDP: differs per rank
    ddp = DDP(net)
    assert float(net.bn.running_mean.sum()) == 0.0, 'init did not broadcast buffers'
    net.bn.running_mean.fill_(float(rank + 1))
    ddp.eval()
    with ember.no_grad():
        ddp(data(2, 0)[0])                             # forward broadcasts buffers from rank 0
    assert float(net.bn.running_mean[0]) == 1.0
    net2 = Net()
    net2.bn.running_mean.fill_(float(rank))
    ddp2 = DDP(net2, forward_sync_buffers=False)       # only synced at construction
    net2.bn.running_mean.fill_(float(rank + 1))
    ddp2(data(2, 0)[0])
    ddp2.eval()
    net2.bn.running_mean.fill_(float(rank + 1))
    ddp2(data(2, 0)[0])
    assert float(net2.bn.running_mean[0]) == rank + 1
    net3 = Net()
    net3.bn.running_mean.fill_(float(rank))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        DDP(net3, broadcast_buffers=False)             # deprecated in torch 2.13: not even at init
    assert any(issubclass(x.category, FutureWarning) and '`broadcast_buffers` is deprecated'
               in str(x.message) for x in w)
    assert float(net3.bn.running_mean[0]) == rank
    ok('buffers')


def check_overlap(rank, world):
    """Small buckets are all-reduced during backward, before the last gradient is ready."""
    ember.manual_seed(1)
    net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2))
    ddp = DDP(net, bucket_cap_mb=1e-6)                 # one parameter per bucket
    seen = []

    class Spy:
        def __getattr__(self, name):
            return getattr(dist, name)

        def all_reduce(self, t, *a, **kw):
            seen.append(sum(ddp._ready))
            return dist.all_reduce(t, *a, **kw)
    ddp._dist = Spy()
    n = len(ddp._params)
    assert [b.positions for b in ddp._buckets] == [[i] for i in reversed(range(n))]
    ddp(ember.randn(3, 4)).sum().backward()            # 1st pass: records the arrival order
    first = list(ddp._ready_order)
    assert sorted(first) == list(range(n)) and len(seen) == n, (first, seen)
    seen.clear()
    ddp(ember.randn(3, 4)).sum().backward()            # buckets rebuilt in that order
    assert [b.positions for b in ddp._buckets] == [[i] for i in first]
    assert seen == list(range(1, n + 1)), seen         # each launched as soon as it was full
    ok('overlap')


def main():
    dist.init_process_group('mpi')
    rank, world = dist.get_rank(), dist.get_world_size()
    check_train_matches_single_process(rank, world, None, 'train_matches_single')
    check_train_matches_single_process(rank, world, 1e-5, 'train_small_buckets')
    check_train_mode_bn(rank, world)
    check_no_sync(rank, world)
    check_find_unused(rank, world)
    check_unused_error(rank, world)
    check_buffers(rank, world)
    check_overlap(rank, world)
    ember.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Linear(3, 4))
    ddp = DDP(net)
    sd = ddp.state_dict()
    other = DDP(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Linear(3, 4)))
    other.load_state_dict(sd)
    for k, v in other.state_dict().items():
        assert np.array_equal(v.numpy(), sd[k].numpy()), k
    ok('state_dict')
    if rank == 0 and len(sys.argv) > 1:
        with open(sys.argv[1], 'w') as f:
            json.dump({'repr': repr(ddp), 'keys': list(sd.keys()), 'world': world}, f)
    dist.barrier()
    print(f'DONE rank={rank}', flush=True)


if __name__ == '__main__':
    try:
        main()
    except BaseException:
        traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
        COMM.Abort(1)
