"""ember.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader in one
process (differential) and with worker processes (results, worker info, seeds, errors,
timeouts, sharding, clean-up)."""
import collections
import gc
import glob
import os
import pickle
import random
import time

import numpy as np
import pytest
import torch
import torch.utils.data

import ember
import ember.utils.data as ed
from ember.utils.data import get_worker_info

Point = collections.namedtuple('Point', 'x y')


def plain(x):
    """Everything a user sees of a loader item, for both libraries alike."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return ('tensor', str(x.dtype).split('.')[-1], tuple(x.shape), x.detach().numpy().tolist())
    if isinstance(x, dict):
        return (type(x).__name__, {k: plain(v) for k, v in x.items()})
    if isinstance(x, np.ndarray):
        return ('ndarray', x.dtype.name, x.tolist())
    if isinstance(x, (list, tuple, collections.deque)):
        return (type(x).__name__, [plain(v) for v in x])
    return x


def same(fn):
    e, t = fn(ember), fn(torch)
    assert plain(e) == plain(t)
    return e


def same_error(fn):
    with pytest.raises(Exception) as t:
        fn(torch)
    with pytest.raises(Exception) as e:
        fn(ember)
    assert type(e.value) is type(t.value)
    assert str(e.value).split('\n')[0] == str(t.value).split('\n')[0].replace('torch.', 'ember.')


def D(L):
    return L.utils.data


def xy(L, n=10):
    return L.arange(n * 3.).reshape(n, 3), L.arange(n)


# ------------------------------------------------------------------ datasets
def test_datasets_match_torch():
    same(lambda L: D(L).TensorDataset(*xy(L))[3])
    same(lambda L: [len(D(L).TensorDataset(*xy(L))), D(L).TensorDataset(*xy(L))[2:4]])
    same(lambda L: [D(L).ConcatDataset([range(3), range(10, 14)])[i] for i in (0, 2, 3, 6, -1, -7)])
    same(lambda L: (D(L).ConcatDataset([range(3), range(4)]).cumulative_sizes,
                    len(D(L).Subset(range(9), [1, 2]) + range(3))))
    same(lambda L: [D(L).Subset(range(10, 20), [5, 1, 7])[i] for i in range(3)] + [len(D(L).Subset(range(9), [1]))])
    same(lambda L: [D(L).StackDataset(range(3), range(5, 8))[1], D(L).StackDataset(a=range(3), b=range(3))[2],
                    D(L).StackDataset(range(3), range(3)).__getitems__([0, 2]),
                    D(L).StackDataset(a=range(3), b=D(L).Subset(range(9), [4, 5, 6])).__getitems__([1, 2])])
    same(lambda L: list(D(L).ChainDataset([Stream(L, 0, 3), Stream(L, 7, 9)])) +
                   [len(Stream(L, 0, 3) + Stream(L, 5, 6))])
    same(lambda L: D(L).Subset(D(L).TensorDataset(*xy(L)), [4, 1]).__getitems__([1, 0]))


@pytest.mark.parametrize('fn', [
    lambda L: D(L).TensorDataset(L.ones(3, 2), L.ones(4)), lambda L: D(L).ConcatDataset([]),
    lambda L: D(L).ConcatDataset([range(3), Stream(L, 0, 2)]), lambda L: D(L).ConcatDataset([range(3)])[-4],
    lambda L: D(L).StackDataset(range(3), range(4)), lambda L: D(L).StackDataset(range(3), a=range(3)),
    lambda L: D(L).StackDataset(), lambda L: list(D(L).ChainDataset([range(3)])), lambda L: D(L).Dataset()[0],
    lambda L: type('MySubset', (D(L).Subset,), {'__getitem__': lambda s, i: i})(range(3), [0]),
    lambda L: D(L).random_split(range(10), [3, 3]), lambda L: D(L).random_split(range(10), [0.5, 1.5, -1.0]),
])
def test_dataset_errors_match_torch(fn):
    same_error(fn)


def test_random_split():
    for n, lengths in [(10, [3, 7]), (10, [0.3, 0.3, 0.4]), (11, [0.5, 0.5]), (7, [0.1, 0.1, 0.8]), (30, [1 / 3] * 3)]:
        parts = same(lambda L: [len(p) for p in D(L).random_split(range(n), lengths)])
        assert sum(parts) == n
        got = ed.random_split(range(n), lengths, generator=ember.Generator().manual_seed(1))
        assert sorted(i for p in got for i in p) == list(range(n))
        again = ed.random_split(range(n), lengths, generator=ember.Generator().manual_seed(1))
        assert [list(p) for p in got] == [list(p) for p in again]
    with pytest.warns(UserWarning, match='Length of split at index 1 is 0'):
        ed.random_split(range(2), [0.9, 0.1])


# ------------------------------------------------------------------ collation
COLLATE = [
    lambda L: [0, 1, 2], lambda L: [0.5, 1.0], lambda L: [True, False], lambda L: ['a', 'b'],
    lambda L: [b'x', b'y'], lambda L: [L.tensor([1, 2]), L.tensor([3, 4])],
    lambda L: [L.ones(2, 3, dtype=L.float64), L.zeros(2, 3, dtype=L.float64)], lambda L: [L.tensor(1.5), L.tensor(2.)],
    lambda L: [np.arange(3), np.ones(3)], lambda L: [np.float32(1), np.float32(2)], lambda L: [np.int16(1)],
    lambda L: [np.arange(4, dtype=np.uint8).reshape(2, 2)] * 2, lambda L: [np.bool_(True), np.bool_(False)],
    lambda L: [{'a': 1, 'b': L.ones(2)}, {'a': 2, 'b': L.zeros(2)}], lambda L: [Point(1, 'p'), Point(2, 'q')],
    lambda L: [(0, 'a', 1.5), (1, 'b', 2.5)], lambda L: [[0, np.float64(1.)], [2, np.float64(3.)]],
    lambda L: [{'k': [(1, 2)], 'n': {'m': 'x'}}, {'k': [(3, 4)], 'n': {'m': 'y'}}],
    lambda L: [collections.OrderedDict(a=1)] * 2, lambda L: [collections.deque([1, 2])] * 2,
    lambda L: [(L.tensor([1.]), np.array([2.]), 3)] * 3,
]


@pytest.mark.parametrize('i', range(len(COLLATE)))
def test_default_collate_matches_torch(i):
    same(lambda L: D(L).default_collate(COLLATE[i](L)))
    same(lambda L: D(L).default_convert(COLLATE[i](L)))


@pytest.mark.parametrize('batch', [
    lambda L: [L.ones(3), L.ones(2)], lambda L: [[1, 2], [3]], lambda L: [object()],
    lambda L: [np.array(['a']), np.array(['b'])], lambda L: [np.ones(3), np.ones(2)],
    lambda L: [L.ones(2), L.ones(2, 1)], lambda L: [None, None],
])
def test_default_collate_errors_match_torch(batch):
    same_error(lambda L: D(L).default_collate(batch(L)))


def test_default_convert_specials():
    same(lambda L: D(L).default_convert(np.array(['a', 'b'])).tolist())
    same(lambda L: D(L).default_convert((np.arange(2), 'a', np.str_('s'), Point(np.int32(1), 2))))
    a = np.arange(3.)
    ed.default_convert(a)[0] = 7       # shares memory, as torch.as_tensor does
    assert a[0] == 7


# ------------------------------------------------------------------ samplers
def test_samplers_match_torch():
    same(lambda L: list(D(L).SequentialSampler(range(5))))
    for bs, drop in [(3, False), (3, True), (5, True), (7, False)]:
        same(lambda L: (list(D(L).BatchSampler(range(10), bs, drop)), len(D(L).BatchSampler(range(10), bs, drop))))
        same(lambda L: list(D(L).BatchSampler(D(L).SequentialSampler(range(10)), bs, drop)))


def test_random_samplers_structure():
    g = lambda: ember.Generator().manual_seed(3)  # noqa: E731
    perm = list(ed.RandomSampler(range(20), generator=g()))
    assert sorted(perm) == list(range(20)) and perm == list(ed.RandomSampler(range(20), generator=g()))
    s = ed.RandomSampler(range(5), num_samples=12)
    assert len(s) == 12 and len(list(s)) == 12 and all(0 <= i < 5 for i in s)
    draws = list(ed.RandomSampler(range(3), replacement=True, num_samples=70, generator=g()))
    assert len(draws) == 70 and set(draws) == {0, 1, 2}
    ember.manual_seed(5)
    first = list(ed.RandomSampler(range(10)))
    ember.manual_seed(5)
    assert list(ed.RandomSampler(range(10))) == first       # seeded from the global generator
    sub = list(ed.SubsetRandomSampler([10, 20, 30, 40], generator=g()))
    assert sorted(sub) == [10, 20, 30, 40] and len(ed.SubsetRandomSampler([1, 2])) == 2
    w = list(ed.WeightedRandomSampler([0, 1, 0, 3], 50, generator=g()))
    assert len(w) == 50 and set(w) <= {1, 3}
    w = list(ed.WeightedRandomSampler([0.1, 5, 1, 2], 4, replacement=False))
    assert sorted(w) == [0, 1, 2, 3]


@pytest.mark.parametrize('fn', [
    lambda L: D(L).BatchSampler(range(3), 0, False), lambda L: D(L).BatchSampler(range(3), True, False),
    lambda L: D(L).BatchSampler(range(3), 2, 1), lambda L: D(L).RandomSampler(range(3), replacement=1),
    lambda L: D(L).RandomSampler(range(3), num_samples=0), lambda L: D(L).RandomSampler([]),
    lambda L: D(L).WeightedRandomSampler([1, 2], 0), lambda L: D(L).WeightedRandomSampler([1, 2], 2, replacement=0),
    lambda L: D(L).WeightedRandomSampler([[1, 2]], 2), lambda L: list(D(L).WeightedRandomSampler([1, 2], 3, False)),
    lambda L: len(D(L).SequentialSampler(iter([]))), lambda L: D(L).DistributedSampler(range(4)),
    lambda L: D(L).DistributedSampler(range(4), 2, 2), lambda L: D(L).DistributedSampler(range(4), 2, -1),
])
def test_sampler_errors_match_torch(fn):
    same_error(fn)


@pytest.mark.parametrize('n,reps,drop', [(10, 3, False), (10, 3, True), (9, 3, False), (2, 5, False), (11, 4, True)])
def test_distributed_sampler(n, reps, drop):
    for r in range(reps):
        same(lambda L: (list(D(L).DistributedSampler(range(n), reps, r, shuffle=False, drop_last=drop)),
                        len(D(L).DistributedSampler(range(n), reps, r, shuffle=False, drop_last=drop))))
    for epoch in (0, 3):        # shuffled: torch's layout over ember's permutation of seed + epoch
        samplers = [ed.DistributedSampler(range(n), reps, r, seed=4, drop_last=drop) for r in range(reps)]
        for s in samplers:
            s.set_epoch(epoch)
        shards = [list(s) for s in samplers]
        assert [len(s) for s in shards] == [len(torch.utils.data.DistributedSampler(range(n), reps, r, drop_last=drop))
                                            for r in range(reps)]
        laid_out = [shard[k] for k in range(len(shards[0])) for shard in shards]
        perm = ember.randperm(n, generator=ember.Generator().manual_seed(4 + epoch)).tolist()
        assert laid_out == (perm * (reps + 2))[:len(laid_out)]


# ------------------------------------------------------------------ DataLoader, one process
LOADERS = [
    dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=4), dict(batch_size=None),
    dict(batch_size=10), dict(batch_size=20, drop_last=True), dict(sampler=[9, 0, 4, 4]),
    dict(batch_sampler=[[1, 2], [0], [7, 8, 9]]), dict(batch_size=2, collate_fn=lambda b: b),
    dict(batch_size=2, sampler=range(9, 0, -2)),
]


@pytest.mark.parametrize('kw', LOADERS, ids=range(len(LOADERS)))
def test_loader_matches_torch(kw):
    same(lambda L: (list(D(L).DataLoader(D(L).TensorDataset(*xy(L)), **kw)), len(D(L).DataLoader(range(10), **kw))))
    same(lambda L: list(D(L).DataLoader(Pairs(L), **kw)))


def test_loader_iterable_matches_torch():
    for kw in [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)]:
        same(lambda L: (list(D(L).DataLoader(Stream(L, 2, 9), **kw)), len(D(L).DataLoader(Stream(L, 2, 9), **kw))))
    same(lambda L: list(D(L).DataLoader(D(L).ChainDataset([Stream(L, 0, 2), Stream(L, 5, 7)]), batch_size=3)))


def test_loader_shuffle_generator_and_len():
    dl = lambda: ed.DataLoader(range(10), batch_size=4, shuffle=True,  # noqa: E731
                               generator=ember.Generator().manual_seed(0))
    a, b = [x.tolist() for x in dl()], [x.tolist() for x in dl()]
    assert a == b and sorted(sum(a, [])) == list(range(10)) and len(dl()) == 3
    assert ed.get_worker_info() is None
    with pytest.raises(NotImplementedError):
        pickle.dumps(iter(dl()))
    for L in (torch, ember):
        with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no accelerator is found"):
            assert plain(list(D(L).DataLoader(range(3), batch_size=2, pin_memory=True)))[1][1][3] == [2]


@pytest.mark.parametrize('kw', [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
    dict(sampler=[0, 1], shuffle=True), dict(batch_sampler=[[0]], batch_size=2),
    dict(batch_sampler=[[0]], shuffle=True), dict(batch_sampler=[[0]], sampler=[0]),
    dict(batch_sampler=[[0]], drop_last=True), dict(batch_size=None, drop_last=True),
    dict(num_workers=1, multiprocessing_context='bogus'), dict(multiprocessing_context='fork'),
    dict(num_workers=1, multiprocessing_context=5), dict(num_workers=1, prefetch_factor=-1),
    dict(iterable=True, shuffle=True), dict(iterable=True, sampler=[0, 1]),
    dict(iterable=True, batch_sampler=[[0]]), dict(timeout=1), dict(batch_size=0), dict(set_attr=True),
])
def test_loader_errors_match_torch(kw):
    def make(L):
        opts = {k: v for k, v in kw.items() if k not in ('iterable', 'set_attr')}
        loader = D(L).DataLoader(Stream(L, 0, 3) if 'iterable' in kw else range(5), **opts)
        if 'set_attr' in kw:
            loader.batch_size = 3
        next(iter(loader))
    same_error(make)


# ------------------------------------------------------------------ worker processes
class Pairs:
    """Map-style dataset of mixed samples; raises ``error`` at index ``fail_at``."""

    def __init__(self, L, n=10, fail_at=None, error=ValueError):
        self.L, self.n, self.fail_at, self.error, self.offset = L, n, fail_at, error, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise self.error('bad index ' + str(i))
        return {'x': self.L.full((3, 32, 32), float(i + self.offset)), 'i': i, 'np': np.arange(i, i + 2)}


class Stream(ed.IterableDataset, torch.utils.data.IterableDataset):
    """range(lo, hi), split between workers when ``shard``."""

    def __init__(self, L, lo, hi, shard=True):
        self.lo, self.hi, self.shard, self.L = lo, hi, shard, L

    def __iter__(self):
        info = self.L.utils.data.get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.lo, self.hi))
        return iter(range(self.lo + info.id, self.hi, info.num_workers))

    def __len__(self):
        return self.hi - self.lo


class Probe(ed.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = get_worker_info()
        return (info.id, info.num_workers, info.seed, ember.rand(1).item(), float(np.random.rand()), random.random(),
                type(info.dataset).__name__)


class Odd(ed.Dataset):
    """Sleeps 1 s on index 1 (``die=False``) or kills its worker process (``die=True``)."""

    def __init__(self, die):
        self.die = die

    def __len__(self):
        return 4

    def __getitem__(self, i):
        if self.die:
            os._exit(3)
        time.sleep(1.0 if i == 1 else 0)
        return i


def _offset_init(worker_id):
    get_worker_info().dataset.offset = 100 * (worker_id + 1)


def test_workers_match_single_process():
    for kw in [dict(batch_size=3), dict(batch_size=None), dict(batch_size=4, drop_last=True, prefetch_factor=1),
               dict(batch_size=2, sampler=[9, 1, 1, 5, 0]), dict(batch_size=3, in_order=False)]:
        single = {k: v for k, v in kw.items() if k not in ('prefetch_factor', 'in_order')}
        ref = plain(list(ed.DataLoader(Pairs(ember), **single)))
        it = iter(ed.DataLoader(Pairs(ember), num_workers=2, **kw))
        got = plain(list(it))
        assert (sorted(map(repr, got[1])) == sorted(map(repr, ref[1]))) if 'in_order' in kw else got == ref
        assert all(not w.is_alive() for w in it._workers)          # exhausted: workers gone
    tds = ed.TensorDataset(ember.arange(40.).reshape(10, 4), ember.arange(10))
    assert plain(list(ed.DataLoader(tds, batch_size=4, num_workers=2, multiprocessing_context='spawn'))) == \
        plain(list(ed.DataLoader(tds, batch_size=4)))


def test_workers_iterable_match_torch():
    for kw in [dict(batch_size=None), dict(batch_size=2), dict(batch_size=2, drop_last=True)]:
        same(lambda L: list(D(L).DataLoader(Stream(L, 3, 12), num_workers=2, **kw)))
    same(lambda L: sorted(D(L).DataLoader(Stream(L, 0, 3, shard=False), num_workers=2, batch_size=None)))
    with pytest.warns(UserWarning, match='Length of IterableDataset'):
        dl = ed.DataLoader(Stream(ember, 0, 3, shard=False), num_workers=2, batch_size=None)
        assert len(dl) == 3 and len(list(dl)) == 6


def test_worker_info_seeds_and_init_fn():
    rows = list(ed.DataLoader(Probe(), batch_size=None, num_workers=2, generator=ember.Generator().manual_seed(7)))
    assert [r[:2] for r in rows] == [[0, 2], [1, 2]] * 3 and {r[6] for r in rows} == {'Probe'}
    w0, w1 = rows[0], rows[1]
    assert w1[2] == w0[2] + 1 and all(w0[k] != w1[k] for k in (3, 4, 5))   # distinct streams per worker
    g = ember.Generator().manual_seed(7)
    assert list(ed.DataLoader(Probe(), batch_size=None, num_workers=2, generator=g)) == rows   # reproducible
    out = list(ed.DataLoader(Pairs(ember, n=4), batch_size=None, num_workers=2, worker_init_fn=_offset_init))
    assert [o['x'][0, 0, 0].item() for o in out] == [100, 201, 102, 203]


def test_persistent_workers_keep_processes():
    dl = ed.DataLoader(Pairs(ember, n=7), batch_size=2, num_workers=2, persistent_workers=True)
    first = plain(list(dl))
    pids = [w.pid for w in dl._iterator._workers]
    assert plain(list(dl)) == first and [w.pid for w in dl._iterator._workers] == pids
    assert plain(next(iter(dl))) == first[1][0] and plain(list(dl)) == first
    workers = dl._iterator._workers
    del dl
    same(lambda L: [list(dl) for dl in [D(L).DataLoader(Stream(L, 0, 7), batch_size=2, num_workers=2,
                                                          persistent_workers=True)] for _ in range(2)])
    gc.collect()
    assert all(not w.is_alive() for w in workers)


@pytest.mark.parametrize('error', [ValueError, KeyError, ZeroDivisionError])
def test_worker_exception_reraised_with_traceback(error):
    it = iter(ed.DataLoader(Pairs(ember, fail_at=3, error=error), batch_size=None, num_workers=2))
    assert [next(it)['i'] for _ in range(3)] == [0, 1, 2]
    with pytest.raises(error) as e:
        next(it)
    msg = str(e.value) if error is not KeyError else e.value.args[0]
    assert msg.startswith(f'Caught {error.__name__} in DataLoader worker process 1.\nOriginal Traceback '
                          '(most recent call last):\n')
    assert "raise self.error('bad index ' + str(i))" in msg and f'{error.__name__}: ' in msg
    assert next(it)['i'] == 4            # the loader goes on, as torch's does


def test_worker_init_failure_and_unpicklable_result():
    def bad_init(worker_id):
        raise RuntimeError('init failed')
    with pytest.raises(RuntimeError, match='Caught RuntimeError in DataLoader worker process 0'):
        next(iter(ed.DataLoader(range(4), num_workers=1, worker_init_fn=bad_init)))
    with pytest.raises(Exception, match='in DataLoader worker process 0'):
        next(iter(ed.DataLoader(range(4), num_workers=1, collate_fn=lambda b: lambda: b)))
    with pytest.warns(UserWarning, match='Got pickle error'), pytest.raises((AttributeError, pickle.PicklingError)):
        iter(ed.DataLoader(range(4), num_workers=2, multiprocessing_context='spawn', worker_init_fn=lambda i: i))


def test_timeout_and_dead_worker():
    it = iter(ed.DataLoader(Odd(False), batch_size=None, num_workers=1, timeout=0.2))
    assert next(it) == 0
    with pytest.raises(RuntimeError, match=r'^DataLoader timed out after 0.2 seconds$'):
        next(it)
    del it
    with pytest.raises(RuntimeError, match=r'DataLoader worker \(pid\(s\) \d+\) exited unexpectedly'):
        next(iter(ed.DataLoader(Odd(True), num_workers=1)))


def test_workers_cleaned_up_on_delete_and_no_shared_files_left():
    it = iter(ed.DataLoader(Pairs(ember, n=40), batch_size=4, num_workers=2))
    first = next(it)
    assert first['x'].shape == (4, 3, 32, 32) and first['x'][3, 0, 0, 0].item() == 3
    workers = it._workers
    del it
    gc.collect()
    assert all(not w.is_alive() for w in workers)
    first['x'] += 1                       # shared batches stay valid and writable after shutdown
    assert glob.glob(f'/dev/shm/ember_dl_{os.getpid()}_*') == []
