"""``Work``: the handle an ``async_op=True`` collective returns.

A Work holds MPI requests (or nothing, for operations already done) and a ``finish``
callback that runs once the requests complete: copy results back into the tensor, divide
for AVG, bump the tensor's version counter.
"""
import time

from .c10d_errors import DistBackendError

__all__ = ['Work', 'wait_requests']


def wait_requests(reqs, timeout, what, rank, statuses=None):
    """Complete MPI ``reqs``; raise DistBackendError after ``timeout`` (a timedelta) instead of
    hanging forever when another rank never joins."""
    if not reqs:
        return
    from mpi4py import MPI
    if timeout is None:
        MPI.Request.Waitall(reqs, statuses)
        return
    limit = timeout.total_seconds()
    start = time.monotonic()
    pause = 0.0
    while not MPI.Request.Testall(reqs, statuses):
        waited = time.monotonic() - start
        if waited > limit:
            raise DistBackendError(
                f'[Rank {rank}] {what} timed out: ran for {int(waited * 1000)} milliseconds '
                f'(timeout {int(limit * 1000)} ms) waiting for the other ranks; a rank probably '
                f'did not call it, or called another collective')
        if pause:
            time.sleep(pause)
        pause = min(1e-3, pause * 2 + 2e-5)


class Work:
    """A (possibly still running) communication. ``wait()`` blocks until it is done."""

    _statuses = None

    def __init__(self, reqs=(), finish=None, what='collective', timeout=None, rank=0, result=None):
        self._reqs = list(reqs)
        self._finish = finish
        self._done = False
        self._what = what
        self._timeout = timeout
        self._rank = rank
        self._result = result
        if not self._reqs:
            self._complete()

    def _complete(self):
        if not self._done:
            self._done = True
            if self._finish is not None:
                self._finish()

    def wait(self, timeout=None):
        """Block until the operation finished (``timeout``: a timedelta, else the group's)."""
        if not self._done:
            wait_requests(self._reqs, timeout if timeout is not None else self._timeout,
                          self._what, self._rank, self._statuses)
            self._complete()
        return True

    def is_completed(self):
        """True once the operation finished (tests without blocking)."""
        if not self._done:
            from mpi4py import MPI
            if MPI.Request.Testall(self._reqs, self._statuses):
                self._complete()
        return self._done

    def is_success(self):
        return self.is_completed()

    def exception(self):
        return None

    def result(self):
        """The output tensors, once done."""
        self.wait()
        return self._result if self._result is not None else []

    def __repr__(self):
        return f'<ember.distributed.Work {self._what} completed={self._done}>'
