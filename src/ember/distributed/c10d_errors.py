"""Exception types of ``ember.distributed`` (PyTorch's names: all are RuntimeErrors)."""

__all__ = ['DistError', 'DistBackendError', 'DistNetworkError', 'DistStoreError']


class DistError(RuntimeError):
    """Base class of the errors raised by the distributed package."""


class DistBackendError(DistError):
    """A collective failed or timed out in the communication backend."""


class DistNetworkError(DistError):
    """A network-level failure between ranks."""


class DistStoreError(DistError):
    """A failure of the rendezvous store (ember rendezvouses through MPI, so rarely seen)."""


for _cls in (DistError, DistBackendError, DistNetworkError, DistStoreError):
    _cls.__module__ = 'ember.distributed'
