"""``torch.utils.data._utils.signal_handling``: the worker-process bookkeeping functions.

PyTorch installs C signal handlers so that a worker killed by a signal is noticed at once.
Ember's loader instead polls its workers' liveness (``multiprocess_iter.py``), so these
functions only keep the registry of worker pids that callers can set and remove."""
import sys

IS_WINDOWS = sys.platform == 'win32'
_SIGCHLD_handler_set = False
_worker_pids = {}


def _set_worker_signal_handlers(*args):
    """Called in a worker at start-up; ember's workers need no extra handlers."""


def _set_worker_pids(loader_id, pids):
    if loader_id in _worker_pids:
        raise RuntimeError('_set_worker_pids should be called only once for each _BaseDataLoaderIter.')
    _worker_pids[loader_id] = tuple(pids)


def _remove_worker_pids(loader_id):
    if _worker_pids.pop(loader_id, None) is None:
        raise RuntimeError('Cannot find worker information for _BaseDataLoaderIter with id ' + str(loader_id))


def _error_if_any_worker_fails():
    """Ember reports a dead worker from the loader's own liveness check."""


def _set_SIGCHLD_handler():
    global _SIGCHLD_handler_set
    _SIGCHLD_handler_set = True
