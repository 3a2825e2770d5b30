"""ember.multiprocessing: Python's ``multiprocessing`` with tensors that cross process
boundaries through shared memory (as ``torch.multiprocessing``).

Everything of the standard module is here (Process, Queue, Pool, get_context, ...). Importing
this package registers ember's reductions with ``ForkingPickler``, so a tensor put on a queue,
sent down a pipe or passed to a spawned process arrives sharing memory with the sender (see
``reductions``). ``spawn`` / ``start_processes`` run a function in several processes and raise
the first failure in the parent (see ``spawn``).
"""
import multiprocessing
import sys
from multiprocessing import *  # noqa: F401,F403

from .reductions import init_reductions
from .spawn import (ProcessContext, ProcessException, ProcessExitedException,  # noqa: F401
                    ProcessRaisedException, SpawnContext, spawn, start_processes)

__all__ = ['set_sharing_strategy', 'get_sharing_strategy', 'get_all_sharing_strategies']
__all__ += multiprocessing.__all__

_all_sharing_strategies = {'file_descriptor', 'file_system'} if sys.platform != 'darwin' else {'file_system'}
_sharing_strategy = 'file_descriptor' if sys.platform != 'darwin' else 'file_system'


def set_sharing_strategy(new_strategy):
    """Choose how tensors are shared ('file_descriptor' or 'file_system'). ember passes file
    descriptors of unlinked shared-memory files under both names, so neither leaves files behind."""
    global _sharing_strategy
    if new_strategy not in _all_sharing_strategies:
        raise AssertionError(f'invalid sharing strategy {new_strategy!r}, expected one of '
                             f'{_all_sharing_strategies!r}')
    _sharing_strategy = new_strategy


def get_sharing_strategy():
    """The current sharing strategy's name."""
    return _sharing_strategy


def get_all_sharing_strategies():
    """The set of strategy names this platform supports."""
    return set(_all_sharing_strategies)


init_reductions()
