"""DistributedSampler on real ranks: rank and size come from ember.distributed; the ranks'
shares are equally long, disjoint apart from the padding, and together cover the dataset."""
import ember
import ember.distributed as dist
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group()
R, N = dist.get_rank(), dist.get_world_size()


def shares(n, **kw):
    """All ranks' index lists (gathered as objects), this rank's sampler."""
    s = DistributedSampler(list(range(n)), **kw)
    assert s.rank == R and s.num_replicas == N
    everyone = [None] * N
    dist.all_gather_object(everyone, list(s))
    return everyone, s


for n in (10, 11, 7, 1):
    for shuffle in (False, True):
        parts, s = shares(n, shuffle=shuffle, seed=3)
        size = -(-n // N)
        assert all(len(p) == size for p in parts) and len(s) == size
        flat = [i for p in parts for i in p]
        assert set(flat) == set(range(n)), (n, parts)       # union covers the dataset
        assert len(flat) - len(set(flat)) == size * N - n    # only the padding repeats
        if not shuffle:
            assert parts[R] == [i % n for i in range(R, size * N, N)][:size] or n < N
        parts, s = shares(n, shuffle=shuffle, drop_last=True)
        size = n // N
        flat = [i for p in parts for i in p]
        assert all(len(p) == size for p in parts) and len(flat) == len(set(flat)) == size * N
# shuffling: the same on every rank for a seed, different per epoch and per seed
a, s = shares(20, seed=1)
order = [i for j in range(len(a[0])) for i in (a[r][j] for r in range(N))]
assert sorted(order) == list(range(20)) and order != list(range(20))
s.set_epoch(1)
b = [None] * N
dist.all_gather_object(b, list(s))
assert b != a and sorted(i for p in b for i in p) == list(range(20))
c, _ = shares(20, seed=2)
assert c != a
# without shuffling: rank r takes every N-th index from r of the padded/cut index list
for n, drop in ((13, False), (13, True), (3, False)):
    s = DistributedSampler(list(range(n)), shuffle=False, drop_last=drop)
    full = list(range(n)) * (N + 1)
    total = (n // N if drop else -(-n // N)) * N
    assert list(s) == full[:total][R::N], (n, drop, list(s))
# a DataLoader over the sampler: summing every rank's batches covers the data once
data = TensorDataset(ember.arange(12.0))
loader = DataLoader(data, batch_size=2, sampler=DistributedSampler(data, shuffle=True))
total = ember.zeros(())
for (xb,) in loader:
    total += xb.sum()
dist.all_reduce(total)
assert total.item() == sum(range(12)), total
dist.destroy_process_group()
print(f'rank {R}: DistributedSampler OK', flush=True)
