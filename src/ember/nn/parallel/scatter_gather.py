"""``torch.nn.parallel.scatter_gather``'s functions, where scripts import them from (defined in
data_parallel.py)."""
from .data_parallel import gather, scatter, scatter_kwargs  # noqa: F401

__all__ = ['scatter', 'scatter_kwargs', 'gather']
