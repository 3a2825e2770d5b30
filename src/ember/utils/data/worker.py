"""What runs inside a DataLoader worker process: seeding, ``get_worker_info()``, the loop
that turns index messages into batches, and the wrapper that carries an exception (with
its traceback text) back to the main process."""
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

# torch's name for how often (seconds) waiting processes check on each other
MP_STATUS_CHECK_INTERVAL = 5.0
# how often an idle worker checks that its parent is alive and hasn't asked it to stop: the
# stop message itself can be lost when the loader is collected as part of a reference cycle
# (the garbage collector closes the queue first), so the worker also watches done_event
_WORKER_POLL = 0.1

_worker_info = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Facts about the current worker: ``id`` (0 .. num_workers-1), ``num_workers``,
    ``seed`` (this worker's seed for ember and ``random``) and ``dataset`` (this process's
    own copy of the dataset)."""
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = 'multiprocessing'


def get_worker_info():
    """The ``WorkerInfo`` of the DataLoader worker this runs in, or None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """Sent by a worker whose copy of an iterable dataset has run out."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Sent to persistent workers at the start of a new epoch (and echoed back)."""
    seed: object = None


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError prints its traceback readably."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception caught in another process or thread, kept as its type and formatted
    traceback (tracebacks themselves don't pickle); ``reraise()`` raises it here."""

    def __init__(self, exc_info=None, where='in background'):
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = ''.join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f'Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}'
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, 'message', None):
            raise self.exc_type(message=msg)
        try:
            exc = self.exc_type(msg)
        except Exception:  # noqa: BLE001 - types whose constructor wants other arguments
            raise RuntimeError(msg) from None
        try:
            raise exc
        finally:
            exc = None      # no cycle exception -> traceback -> this frame: the loader can be freed at once


def _numpy_seed(base_seed, worker_id):
    """Four 32-bit words for ``np.random.seed``: a SeedSequence hash of the worker id and the
    two halves of the base seed, so workers' NumPy streams differ."""
    words = [worker_id, base_seed & 0xFFFFFFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(words).generate_state(4).tolist()


def _seed_worker(base_seed, worker_id):
    from ...ops.random import manual_seed
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    return seed


class _ParentWatchdog:
    """Notices when the process that started this worker has gone away."""

    def __init__(self):
        self.parent = os.getppid()
        self.dead = False

    def is_alive(self):
        if not self.dead:
            self.dead = os.getppid() != self.parent
        return not self.dead


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, shm_prefix=None):
    """Serve ``(task_idx, index)`` messages from ``index_queue`` with ``(task_idx, batch)``
    on ``data_queue`` until told to stop (``None``) or the parent dies. Errors travel back as
    ExceptionWrapper; the end of an iterable dataset as _IterableDatasetStopIteration."""
    global _worker_info
    from .fetch import _DatasetKind
    from . import sharing
    sharing.set_prefix(shm_prefix)

    def send(idx, data):
        try:
            payload = sharing.dumps((idx, data))
        except Exception:  # noqa: BLE001 - an unpicklable result must not leave the main process waiting
            try:
                payload = sharing.dumps((idx, ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')))
            except Exception:  # noqa: BLE001 - even the exception type doesn't pickle
                wrapper = ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')
                wrapper.exc_type = RuntimeError
                payload = sharing.dumps((idx, wrapper))
        data_queue.put(payload)

    watchdog = None
    try:
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_error, fetcher = None, None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                                  drop_last)
        except Exception:  # noqa: BLE001 - reported with the first batch this worker owes
            init_error = ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')
        ended = False
        watchdog = _ParentWatchdog()
        while watchdog.is_alive():
            try:
                msg = index_queue.get(timeout=_WORKER_POLL)
            except queue.Empty:
                if done_event.is_set():
                    break
                continue
            if isinstance(msg, _ResumeIteration):
                send(msg, None)
                ended = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn,
                                                      drop_last)
                continue
            if msg is None:
                break
            if done_event.is_set() or ended:
                continue            # draining: the main process no longer wants results
            idx, index = msg
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except Exception as e:  # noqa: BLE001 - every failure goes back to the main process
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        ended = True
                    else:
                        data = ExceptionWrapper(where=f'in DataLoader worker process {worker_id}')
            send(idx, data)
            del data, idx, index, msg
    except KeyboardInterrupt:
        pass                        # the main process handles Ctrl-C and shuts workers down
    if shm_prefix is not None and watchdog is not None and not watchdog.is_alive():
        sharing.cleanup(shm_prefix)     # nobody is left to receive (or remove) our files
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
