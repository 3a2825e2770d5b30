"""Utilities outside the tensor core; ``ember.utils.data`` holds datasets and the DataLoader."""
from . import data  # noqa: F401
from . import checkpoint  # noqa: F401
from . import hooks  # noqa: F401,E402
