"""``torch.cuda.random``: seeding and the state of the GPU generators (defined in
``ember.cuda`` and ``ember.cuda.streams``; this is PyTorch's import path for them)."""
from . import manual_seed, manual_seed_all, seed, seed_all, initial_seed  # noqa: F401
from .streams import get_rng_state, get_rng_state_all, set_rng_state, set_rng_state_all  # noqa: F401

__all__ = ['get_rng_state', 'get_rng_state_all', 'set_rng_state', 'set_rng_state_all', 'manual_seed',
           'manual_seed_all', 'seed', 'seed_all', 'initial_seed']
