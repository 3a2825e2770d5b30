"""Data loading, as ``torch.utils.data``: datasets, samplers, collation and the DataLoader.

    from ember.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True, num_workers=2)
"""
from .collate import default_collate, default_convert
from .dataloader import DataLoader, _DatasetKind
from .datapipes import (DataChunk, DFIterDataPipe, IterDataPipe, MapDataPipe, functional_datapipe,
                        guaranteed_datapipes_determinism, non_deterministic)
from .dataset import (ChainDataset, ConcatDataset, Dataset, IterableDataset, StackDataset, Subset,
                      TensorDataset, random_split)
from .distributed import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .worker import get_worker_info
from . import _utils  # noqa: F401  (torch.utils.data._utils.collate and friends)

# PyTorch's list less its DataPipe type validation (argument_validation, runtime_validation,
# runtime_validation_disabled), which ember does not provide
__all__ = ['BatchSampler', 'ChainDataset', 'ConcatDataset', 'DFIterDataPipe', 'DataChunk', 'DataLoader',
           'Dataset', 'DistributedSampler', 'IterDataPipe', 'IterableDataset', 'MapDataPipe', 'RandomSampler',
           'Sampler', 'SequentialSampler', 'StackDataset', 'Subset', 'SubsetRandomSampler', 'TensorDataset',
           'WeightedRandomSampler', '_DatasetKind', 'default_collate', 'default_convert', 'functional_datapipe',
           'get_worker_info', 'guaranteed_datapipes_determinism', 'non_deterministic', 'random_split']
