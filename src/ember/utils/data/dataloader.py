"""DataLoader: iterates over a dataset in (shuffled) batches, in the main process or in
worker processes (``num_workers > 0``, see ``multiprocess_iter.py``)."""
import math
import multiprocessing
import os
import warnings
from typing import Generic, TypeVar

from ... import _dtype
from ...ops.creation import empty
from . import _utils
from . import collate as _collate
from ._utils.pin_memory import pin_memory
from .dataset import IterableDataset
from .fetch import _DatasetKind
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler
from .worker import get_worker_info

__all__ = ['DataLoader', 'get_worker_info', 'default_collate', 'default_convert']

default_collate = _collate.default_collate
default_convert = _collate.default_convert
ExceptionWrapper = _utils.ExceptionWrapper        # torch's dataloader module holds it too

# attributes that decide what the loader yields; fixed once the loader is built
T_co = TypeVar('T_co', covariant=True)

_FROZEN = ('batch_size', 'batch_sampler', 'sampler', 'drop_last', 'dataset', 'persistent_workers')


class _InfiniteConstantSampler(Sampler):
    """``None`` forever: the placeholder indices an iterable dataset is read with."""

    def __iter__(self):
        while True:
            yield None


def _accelerator_available():
    try:
        from ... import cuda
    except ImportError:
        return False
    return bool(getattr(cuda, 'is_available', lambda: False)())


def _cpu_count():
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


class DataLoader(Generic[T_co]):
    """Iterates over ``dataset`` in batches.

    Map-style datasets are read in the order of ``sampler`` (sequential, or random with
    ``shuffle=True``), grouped by ``batch_sampler`` (``batch_size`` indices, ``drop_last``) and
    merged with ``collate_fn`` (``default_collate``). ``batch_size=None`` turns batching off
    (each sample goes through ``default_convert``). Iterable datasets are read as streams.
    With ``num_workers > 0`` batches are loaded by that many worker processes, each holding
    ``prefetch_factor`` batches in flight, and still delivered in order (unless
    ``in_order=False``); ``persistent_workers`` keeps the processes between epochs.
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device='', in_order=True):
        if num_workers < 0:
            raise ValueError('num_workers option should be non-negative; use num_workers=0 to disable '
                             'multiprocessing.')
        if timeout < 0:
            raise ValueError('timeout option should be non-negative')
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError('prefetch_factor option could only be specified in multiprocessing.let '
                             'num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor '
                             'to None.')
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError('prefetch_factor option should be non-negative')
        if persistent_workers and num_workers == 0:
            raise ValueError('persistent_workers option needs num_workers > 0')

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError('DataLoader with IterableDataset: expected unspecified shuffle option, '
                                 f'but got shuffle={shuffle}')
            if sampler is not None:
                raise ValueError('DataLoader with IterableDataset: expected unspecified sampler option, '
                                 f'but got sampler={sampler}')
            if batch_sampler is not None:
                raise ValueError('DataLoader with IterableDataset: expected unspecified batch_sampler '
                                 f'option, but got batch_sampler={batch_sampler}')
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError('sampler option is mutually exclusive with shuffle')
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError('batch_sampler option is mutually exclusive with batch_size, shuffle, '
                                 'sampler, and drop_last')
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError('batch_size=None option disables auto-batching and is mutually exclusive '
                             'with drop_last')

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._initialized = True
        self._IterableDataset_len_called = None
        self._iterator = None
        self.check_worker_number_rationality()

    # ------------------------------------------------------------------ options
    @property
    def multiprocessing_context(self):
        return self._multiprocessing_context

    @multiprocessing_context.setter
    def multiprocessing_context(self, ctx):
        if ctx is not None:
            if self.num_workers <= 0:
                raise ValueError('multiprocessing_context can only be used with multi-process loading '
                                 f'(num_workers > 0), but got num_workers={self.num_workers}')
            if isinstance(ctx, str):
                methods = multiprocessing.get_all_start_methods()
                if ctx not in methods:
                    raise ValueError('multiprocessing_context option should specify a valid start method '
                                     f'in {methods!r}, but got multiprocessing_context={ctx!r}')
                ctx = multiprocessing.get_context(ctx)
            if not isinstance(ctx, multiprocessing.context.BaseContext):
                raise TypeError('multiprocessing_context option should be a valid context object or a '
                                f'string specifying the start method, but got multiprocessing_context={ctx}')
        self._multiprocessing_context = ctx

    def __setattr__(self, attr, val):
        if self._initialized and attr in _FROZEN:
            raise ValueError(f'{attr} attribute should not be set after {type(self).__name__} is initialized')
        super().__setattr__(attr, val)

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    # ------------------------------------------------------------------ iteration
    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        self.check_worker_number_rationality()
        return _MultiProcessingDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            # an estimate: the dataset's own length, in batches
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)

    def check_worker_number_rationality(self):
        """Warn when asked for more workers than this process may use CPUs."""
        if not self.num_workers:
            return
        suggest = _cpu_count()
        if suggest is not None and self.num_workers <= suggest:
            return
        if suggest is None:
            hint = 'DataLoader is not able to compute a suggested max number of worker in current system.'
        else:
            checked = '' if hasattr(os, 'sched_getaffinity') else ' (`cpuset` is not taken into account)'
            hint = (f'Our suggested max number of worker in current system is {suggest}{checked}, which is '
                    'smaller than what this DataLoader is going to create.')
        warnings.warn(f'This DataLoader will create {self.num_workers} worker processes in total. {hint} '
                      'Please be aware that excessive worker creation might get DataLoader running slow or '
                      'even freeze, lower the worker number to avoid potential slowness/freeze if necessary.',
                      stacklevel=2)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        if loader.pin_memory and loader.pin_memory_device:
            warnings.warn('pin_memory_device is deprecated, the current accelerator will be used as the '
                          f"device,ignore pin_memory_device='{loader.pin_memory_device}'.", stacklevel=3)
        have_accel = _accelerator_available()
        if loader.pin_memory and not have_accel:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, then device "
                          "pinned memory won't be used.", stacklevel=3)
        self._pin_memory = loader.pin_memory and have_accel
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = int(empty((), dtype=_dtype.int64).random_(generator=loader.generator).item())
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        reported = self._IterableDataset_len_called
        if (self._dataset_kind == _DatasetKind.Iterable and reported is not None
                and self._num_yielded > reported):
            msg = (f'Length of IterableDataset {self._dataset} was reported to be {reported}(when accessing '
                   f'len(dataloader)), but {self._num_yielded} samples have been fetched. ')
            if self._num_workers > 0:
                msg += ('For multiprocessing data-loading, this could be caused by not properly configuring '
                        'the IterableDataset replica at each worker. Please see '
                        'https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for '
                        'examples.')
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)

    def __getstate__(self):
        raise NotImplementedError('{} cannot be pickled', type(self).__name__)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    """Loads every batch in the calling process."""

    def __init__(self, loader):
        super().__init__(loader)
        if self._timeout != 0:
            raise AssertionError('_SingleProcessDataLoaderIter requires timeout == 0')
        self._dataset_fetcher = _DatasetKind.create_fetcher(self._dataset_kind, self._dataset,
                                                            self._auto_collation, self._collate_fn,
                                                            self._drop_last)

    def _next_data(self):
        index = self._next_index()
        data = self._dataset_fetcher.fetch(index)
        return pin_memory(data) if self._pin_memory else data


# defined after _BaseDataLoaderIter, which it subclasses; importable from here as in torch
from .multiprocess_iter import _MultiProcessingDataLoaderIter  # noqa: E402
