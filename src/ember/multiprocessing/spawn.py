"""``spawn`` / ``start_processes``: run ``fn(i, *args)`` in ``nprocs`` processes and watch them.

Each child runs ``fn`` inside ``_wrap``; an exception there is written (as its formatted
traceback) to a per-process error file and the child exits with code 1. The parent waits on
the children's sentinels; at the first failure it terminates the others (SIGTERM, then SIGKILL
after ``grace_period``) and raises ``ProcessRaisedException`` carrying the child's traceback,
or ``ProcessExitedException`` when the child died without one (exit code or signal).
"""
import logging
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import time
import warnings

__all__ = ['ProcessException', 'ProcessRaisedException', 'ProcessExitedException', 'ProcessContext',
           'SpawnContext', 'spawn', 'start_processes']

log = logging.getLogger(__name__)


class ProcessException(Exception):
    __slots__ = ['error_index', 'error_pid']

    def __init__(self, msg, error_index, pid):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """A child process raised an exception; the message holds its traceback."""

    def __init__(self, msg, error_index, error_pid):
        super().__init__(msg, error_index, error_pid)


class ProcessExitedException(ProcessException):
    """A child process exited with a nonzero code or was killed by a signal."""
    __slots__ = ['exit_code']

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid, self.exit_code, self.signal_name)


def _wrap(fn, i, args, error_file):
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass                                    # the parent asked us to stop (SIGINT)
    except Exception:
        import traceback
        with open(error_file, 'wb') as f:
            pickle.dump(traceback.format_exc(), f)
        sys.exit(1)


class ProcessContext:
    """The processes started by ``start_processes(..., join=False)``; ``join()`` watches them."""

    def __init__(self, processes, error_files):
        self.error_files = error_files
        self.processes = processes
        self.sentinels = {p.sentinel: i for i, p in enumerate(processes)}

    def pids(self):
        return [int(p.pid) for p in self.processes]

    def _terminate_rest(self, grace_period):
        alive = [p for p in self.processes if p.is_alive()]
        for p in alive:
            log.warning('Terminating process %s via signal SIGTERM', p.pid)
            p.terminate()
        deadline = time.monotonic() + (30 if grace_period is None else grace_period)
        for p in alive:
            p.join(max(0.0, deadline - time.monotonic()))
        for p in alive:
            if p.is_alive():
                log.warning('Unable to shutdown process %s via SIGTERM , forcefully exiting via SIGKILL', p.pid)
                p.kill()
            p.join()

    def join(self, timeout=None, grace_period=None):
        """Wait (up to ``timeout`` seconds) for the processes. True once all exited cleanly,
        False while some still run; raises at the first one that failed."""
        if not self.sentinels:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        error_index = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            process = self.processes[index]
            process.join()
            if process.exitcode != 0:
                error_index = index
                break
        if error_index is None:
            return not self.sentinels
        self._terminate_rest(grace_period)
        failed = self.processes[error_index]
        error_file = self.error_files[error_index]
        if not os.path.exists(error_file) or os.path.getsize(error_file) == 0:
            code = failed.exitcode
            if code < 0:
                name = signal.Signals(-code).name
                raise ProcessExitedException(f'process {error_index} terminated with signal {name}',
                                             error_index, failed.pid, code, name)
            raise ProcessExitedException(f'process {error_index} terminated with exit code {code}',
                                         error_index, failed.pid, code)
        with open(error_file, 'rb') as f:
            trace = pickle.load(f)
        os.unlink(error_file)
        msg = f'\n\n-- Process {error_index} terminated with the following error:\n' + trace
        raise ProcessRaisedException(msg, error_index, failed.pid)


class SpawnContext(ProcessContext):
    def __init__(self, processes, error_files):
        warnings.warn('SpawnContext is renamed to ProcessContext since 1.4 release.', FutureWarning,
                      stacklevel=2)
        super().__init__(processes, error_files)


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Start ``nprocs`` processes running ``fn(i, *args)`` with the given start method; with
    ``join`` wait for all of them (re-raising a child's failure), else return the ProcessContext."""
    ctx = multiprocessing.get_context(start_method)
    error_files, processes = [], []
    for i in range(nprocs):
        fd, error_file = tempfile.mkstemp(prefix='ember_spawn_err_')
        os.close(fd)
        os.unlink(error_file)                    # the child creates it only if it fails
        process = ctx.Process(target=_wrap, args=(fn, i, args, error_file), daemon=daemon)
        process.start()
        error_files.append(error_file)
        processes.append(process)
    context = ProcessContext(processes, error_files)
    if not join:
        return context
    try:
        while not context.join():
            pass
    finally:
        for path in error_files:
            if os.path.exists(path):
                os.unlink(path)
    return None


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method='spawn'):
    """Run ``fn(i, *args)`` for i in 0..nprocs-1, each in a process started with 'spawn'."""
    if start_method != 'spawn':
        warnings.warn(f'This method only supports start_method=spawn (got: {start_method}).\n'
                      'To use a different start_method use:\n\t\t ember.multiprocessing.start_processes(...)',
                      FutureWarning, stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method='spawn')
