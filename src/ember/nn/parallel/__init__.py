"""ember.nn.parallel: DataParallel (one process, batch split between devices) and
DistributedDataParallel (one process per replica, gradients all-reduced during backward)."""
from .data_parallel import DataParallel, data_parallel, scatter, gather  # noqa: F401
from .distributed import DistributedDataParallel  # noqa: F401

__all__ = ['DataParallel', 'DistributedDataParallel', 'data_parallel', 'scatter', 'gather']
