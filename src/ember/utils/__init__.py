"""Utilities outside the tensor core; ``ember.utils.data`` holds datasets and the DataLoader."""
from . import data  # noqa: F401
