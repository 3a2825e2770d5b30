"""The DataLoader iterator for ``num_workers > 0``.

Each worker process has its own index queue; all share one result queue. The main process
keeps ``prefetch_factor * num_workers`` tasks in flight, hands them out round-robin and
returns results in task order (``in_order=True``), parking early arrivals until their turn.
A worker's exception comes back as an ExceptionWrapper and is re-raised here with the
worker's traceback; a dead worker or a ``timeout`` becomes a RuntimeError, never a hang.
"""
import atexit
import itertools
import multiprocessing
import pickle
import queue
import warnings
import weakref

from . import _utils, sharing
from ._utils.pin_memory import pin_memory
from .dataloader import _BaseDataLoaderIter
from .fetch import _DatasetKind
from .worker import (ExceptionWrapper, _IterableDatasetStopIteration, _ResumeIteration, _worker_loop)

# how long (seconds) the main process waits on the result queue between checks that its
# workers are alive
_POLL_INTERVAL = 1.0
# how long shutdown waits for a worker to exit by itself before terminating it
_JOIN_TIMEOUT = 5.0

_live = weakref.WeakSet()       # iterators whose workers may still run


def _at_exit():
    # shut down the workers still running (persistent ones, loops left early) while the
    # interpreter is whole, so their shared-memory files are removed too; iterators
    # collected later, during teardown, must not touch half torn-down queues
    for it in list(_live):
        it._shutdown_workers()
    _utils._set_python_exit_flag()


atexit.register(_at_exit)


class _MultiProcessingDataLoaderIter(_BaseDataLoaderIter):
    """Loads batches in ``num_workers`` worker processes."""

    def __init__(self, loader):
        super().__init__(loader)
        self._prefetch_factor = loader.prefetch_factor
        self._in_order = loader.in_order
        if self._num_workers <= 0:
            raise AssertionError('num_workers must be greater than 0 for MultiProcessingDataLoaderIter')
        if self._prefetch_factor <= 0:
            raise AssertionError('prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter')
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._worker_init_fn = loader.worker_init_fn
        self._shutdown = False
        self._workers = []
        self._index_queues = []
        self._workers_status = []
        self._worker_result_queue = ctx.Queue()
        self._data_queue = self._worker_result_queue
        self._workers_done_event = ctx.Event()
        _live.add(self)
        self._shm_prefix = sharing.new_prefix() if sharing.available() else None
        for i in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()    # never block exit on unsent indices
            w = ctx.Process(target=_worker_loop, daemon=True, args=(
                self._dataset_kind, self._dataset, index_queue, self._worker_result_queue,
                self._workers_done_event, self._auto_collation, self._collate_fn, self._drop_last,
                self._base_seed, self._worker_init_fn, i, self._num_workers, self._persistent_workers,
                self._shm_prefix and f'{self._shm_prefix}_w{i}'))
            try:
                w.start()
            except (TypeError, AttributeError, pickle.PicklingError):
                warnings.warn('Got pickle error when attempting to start a worker Process. This might be '
                              'because the worker Process arguments are not picklable. Python 3.14+ changed '
                              'the multiprocessing start method in non-Mac POSIX platforms to \'forkserver\', '
                              'which requires the worker Process arguments to be picklable. You can also try '
                              "multiprocessing.set_start_method('fork').", stacklevel=4)
                self._shutdown_workers()
                raise
            self._index_queues.append(index_queue)
            self._workers.append(w)
            self._workers_status.append(True)
        self._reset(loader, first_iter=True)

    # ------------------------------------------------------------------ epochs
    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        self._send_idx = 0              # next task number to hand out
        self._rcvd_idx = 0              # next task number to return
        self._task_info = {}            # task -> (worker,) while pending, (worker, data) once arrived
        self._tasks_outstanding = 0
        self._workers_status = [True] * self._num_workers
        self._workers_num_tasks = [0] * self._num_workers
        self._worker_queue_idx_cycle = itertools.cycle(range(self._num_workers))
        if not first_iter:
            # persistent workers: start every worker on a fresh pass and wait for the acks
            for q in self._index_queues:
                q.put(_ResumeIteration())
            pending = self._num_workers
            while pending > 0:
                idx, _ = self._get_data()
                if isinstance(idx, _ResumeIteration):
                    pending -= 1
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    # ------------------------------------------------------------------ receiving
    def _try_get_data(self, timeout=_POLL_INTERVAL):
        try:
            return True, sharing.loads(self._data_queue.get(timeout=timeout))
        except Exception as e:
            dead = [w for i, w in enumerate(self._workers) if self._workers_status[i] and not w.is_alive()]
            for i, w in enumerate(self._workers):
                if w in dead:
                    self._mark_worker_as_unavailable(i)
            if dead:
                pids = ', '.join(str(w.pid) for w in dead)
                raise RuntimeError(f'DataLoader worker (pid(s) {pids}) exited unexpectedly') from e
            if isinstance(e, queue.Empty):
                return False, None
            raise

    def _get_data(self):
        if self._timeout > 0:
            ok, data = self._try_get_data(self._timeout)
            if not ok:
                raise RuntimeError(f'DataLoader timed out after {self._timeout} seconds')
            return data
        while True:
            ok, data = self._try_get_data()
            if ok:
                return data

    def _next_data(self):
        while True:
            # skip tasks whose worker has stopped (an iterable dataset that ran out)
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:          # arrived earlier, out of order
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process_data(info[1], info[0])
            if self._shutdown or self._tasks_outstanding <= 0:
                raise AssertionError('Invalid iterator state: shutdown or no outstanding tasks when '
                                     'fetching next data')
            idx, data = self._get_data()
            self._tasks_outstanding -= 1
            if self._dataset_kind == _DatasetKind.Iterable and isinstance(data, _IterableDatasetStopIteration):
                if self._persistent_workers:
                    self._workers_status[data.worker_id] = False
                else:
                    self._mark_worker_as_unavailable(data.worker_id)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                if not self._in_order:
                    worker = self._task_info.pop(idx)[0]
                    return self._process_data(data, worker)
                self._task_info[idx] += (data,)
                continue
            worker = self._task_info.pop(idx)[0]
            self._rcvd_idx += 1
            return self._process_data(data, worker)

    # ------------------------------------------------------------------ sending
    def _try_put_index(self):
        max_tasks = self._prefetch_factor * self._num_workers
        if self._tasks_outstanding >= max_tasks:
            raise AssertionError('Number of outstanding tasks exceeded maximum allowed tasks')
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):      # the next active worker, round-robin
            worker = next(self._worker_queue_idx_cycle)
            if self._workers_status[worker]:
                if self._in_order:
                    break
                if self._workers_num_tasks[worker] < max_tasks // sum(self._workers_status):
                    break
        else:
            return
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker,)
        self._workers_num_tasks[worker] += 1
        self._tasks_outstanding += 1
        self._send_idx += 1

    def _process_data(self, data, worker):
        self._workers_num_tasks[worker] -= 1
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return pin_memory(data) if self._pin_memory else data

    # ------------------------------------------------------------------ shutting down
    def _mark_worker_as_unavailable(self, worker_id, shutdown=False):
        # a None tells the worker to leave its loop; it is sent even at shutdown so that a
        # worker waiting on its queue exits at once
        self._index_queues[worker_id].put(None)
        self._workers_status[worker_id] = False

    def _shutdown_workers(self):
        if _utils.python_exit_status or self._shutdown:
            return
        self._shutdown = True
        try:
            self._workers_done_event.set()
            for i in range(len(self._index_queues)):
                if self._persistent_workers or self._workers_status[i]:
                    self._mark_worker_as_unavailable(i, shutdown=True)
            for w in self._workers:
                w.join(timeout=_JOIN_TIMEOUT)
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
            self._worker_result_queue.cancel_join_thread()
            self._worker_result_queue.close()
        finally:
            for w in self._workers:
                if w.is_alive():
                    w.terminate()
                    w.join(timeout=_JOIN_TIMEOUT)
            if self._shm_prefix is not None:
                sharing.cleanup(self._shm_prefix)

    def __del__(self):
        if getattr(self, '_workers', None) is not None:
            self._shutdown_workers()
