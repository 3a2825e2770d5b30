"""DistributedSampler: each of ``num_replicas`` processes reads its own, equally long share
of a dataset (every ``num_replicas``-th index starting at ``rank``)."""
import math

from ...ops.random import Generator, randperm
from .sampler import Sampler

__all__ = ['DistributedSampler']

_NO_GROUP = ('Default process group has not been initialized, please make sure to call '
             'init_process_group.')


def _group_info(what):
    """World size or rank of the default process group (``ember.distributed``)."""
    try:
        from ... import distributed as dist
    except ImportError:
        raise ValueError(_NO_GROUP) from None
    if hasattr(dist, 'is_available') and not dist.is_available():
        raise RuntimeError('Requires distributed package to be available')
    return getattr(dist, what)()


class DistributedSampler(Sampler):
    """Splits the indices of ``dataset`` between ``num_replicas`` processes.

    The index list (shuffled with ``seed + epoch`` when ``shuffle``) is padded by repeating
    its start, or cut (``drop_last``), to a multiple of ``num_replicas``; replica ``rank``
    takes every ``num_replicas``-th index from position ``rank``. Call ``set_epoch(epoch)``
    before each epoch so shuffled epochs differ.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None:
            num_replicas = _group_info('get_world_size')
        if rank is None:
            rank = _group_info('get_rank')
        if rank >= num_replicas or rank < 0:
            raise ValueError(f'Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]')
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            pad = self.total_size - n
            indices += (indices * math.ceil(pad / n))[:pad] if pad > n else indices[:pad]
        if len(indices) != self.total_size:
            raise AssertionError(f'Number of indices ({len(indices)}) does not match total_size '
                                 f'({self.total_size})')
        mine = indices[self.rank:self.total_size:self.num_replicas]
        if len(mine) != self.num_samples:
            raise AssertionError(f'Number of subsampled indices ({len(mine)}) does not match '
                                 f'num_samples ({self.num_samples})')
        return iter(mine)

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Use ``epoch`` in the next shuffle, so each epoch has its own order."""
        self.epoch = epoch
