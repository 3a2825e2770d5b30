"""ember.storage: the storage classes (see ops/storage.py)."""
from .ops.storage import TypedStorage, UntypedStorage  # noqa: F401

__all__ = ['TypedStorage', 'UntypedStorage']
