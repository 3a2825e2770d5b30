"""Key-value stores of ``torch.distributed``: the in-process ``HashStore`` and ``PrefixStore``
(a namespace over another store).

ember's process groups rendezvous through MPI, so they need no store; these classes are for
programs that use a store directly (coordination between threads, tests, code written for
torch). Values are bytes; ``get``/``wait`` block until the keys exist or the store's timeout
passes (``DistStoreError: Wait timeout``). Network stores (``TCPStore``, ``FileStore``) are
not provided: ember never opens sockets of its own.
"""
import datetime
import threading
import time
from collections import deque

from .c10d_errors import DistStoreError

__all__ = ['Store', 'HashStore', 'PrefixStore', 'QueueEmptyError']

_DEFAULT_TIMEOUT = datetime.timedelta(minutes=5)


class QueueEmptyError(DistStoreError):
    """``queue_pop(key, block=False)`` on an empty queue."""


def _bad_args(method, *kinds):
    """torch's (pybind11) TypeError for arguments of the wrong type."""
    raise TypeError(f'{method}(): incompatible function arguments. The following argument types '
                    f'are supported:\n    1. ({", ".join(kinds)})')


def _key(method, key):
    if not isinstance(key, str):
        _bad_args(method, 'key: str')
    return key


def _keys(method, keys):
    if not isinstance(keys, (list, tuple)) or not all(isinstance(k, str) for k in keys):
        _bad_args(method, 'keys: list[str]')
    return list(keys)


def _value(method, value):
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    _bad_args(method, 'key: str', 'value: str')


def _timeout(method, timeout):
    if not isinstance(timeout, datetime.timedelta):
        _bad_args(method, 'timeout: datetime.timedelta')
    return timeout


class Store:
    """Base class of the stores: the operations every store offers, built on a few primitives
    that subclasses provide."""

    def __init__(self):
        self._timeout = _DEFAULT_TIMEOUT

    @property
    def timeout(self):
        """How long ``get``/``wait`` block before ``DistStoreError`` (a timedelta)."""
        return self._timeout

    def set_timeout(self, timeout):
        self._timeout = _timeout('set_timeout', timeout)

    def has_extended_api(self):
        return True

    def barrier(self, key, world_size, timeout=None):
        """Block until ``world_size`` callers reached the barrier named ``key``."""
        _key('barrier', key)
        if isinstance(world_size, bool) or not isinstance(world_size, int):
            _bad_args('barrier', 'key: str', 'world_size: int')
        if self.add(f'{key}/num_members', 1) == world_size:
            self.set(f'{key}/last_member', '1')
        self.wait([f'{key}/last_member'], timeout)


class HashStore(Store):
    """A thread-safe in-memory store shared by the threads of one process (``clone()``
    shares the data too)."""

    def __init__(self):
        super().__init__()
        self._data = {}
        self._queues = {}
        self._cond = threading.Condition()

    def clone(self):
        twin = HashStore.__new__(HashStore)
        twin._timeout = self._timeout
        twin._data, twin._queues, twin._cond = self._data, self._queues, self._cond
        return twin

    # -- waiting
    def _await(self, ready, timeout):
        """Wait (holding the lock) until ``ready()``; DistStoreError after ``timeout``."""
        limit = (self._timeout if timeout is None else timeout).total_seconds()
        end = time.monotonic() + limit
        while not ready():
            left = end - time.monotonic()
            if left <= 0:
                raise DistStoreError('Wait timeout')
            self._cond.wait(left)

    # -- plain keys
    def set(self, key, value):
        """Store ``value`` (str or bytes) under ``key``, waking up anyone waiting for it."""
        _key('set', key)
        value = _value('set', value)
        with self._cond:
            self._data[key] = value
            self._cond.notify_all()

    def get(self, key):
        """The bytes under ``key``, waiting for it to be set (up to the timeout)."""
        _key('get', key)
        with self._cond:
            self._await(lambda: key in self._data, None)
            return self._data[key]

    def add(self, key, amount):
        """Add the integer ``amount`` to the counter ``key`` (0 when new); the new value."""
        _key('add', key)
        if not isinstance(amount, int):
            _bad_args('add', 'key: str', 'value: int')
        with self._cond:
            old = self._data.get(key, b'0')
            try:
                now = int(old.decode()) + int(amount)
            except (UnicodeDecodeError, ValueError):
                raise ValueError('stoll') from None
            self._data[key] = str(now).encode()
            self._cond.notify_all()
        return now

    def append(self, key, value):
        """Append ``value`` to the bytes under ``key`` (set it when new)."""
        _key('append', key)
        value = _value('append', value)
        with self._cond:
            self._data[key] = self._data.get(key, b'') + value
            self._cond.notify_all()

    def compare_set(self, key, expected_value, desired_value):
        """Set ``key`` to ``desired_value`` when it holds ``expected_value`` (or is missing and
        ``expected_value`` is empty); returns the value the key then holds, or
        ``expected_value`` when the key is missing and nothing was set."""
        _key('compare_set', key)
        expected = _value('compare_set', expected_value)
        desired = _value('compare_set', desired_value)
        with self._cond:
            cur = self._data.get(key)
            if cur is None:
                if expected:
                    return expected
            elif cur != expected:
                return cur
            self._data[key] = desired
            self._cond.notify_all()
            return desired

    def multi_set(self, keys, values):
        keys = _keys('multi_set', keys)
        values = [_value('multi_set', v) for v in values]
        with self._cond:
            self._data.update(zip(keys, values))
            self._cond.notify_all()

    def multi_get(self, keys):
        keys = _keys('multi_get', keys)
        with self._cond:
            self._await(lambda: all(k in self._data for k in keys), None)
            return [self._data[k] for k in keys]

    def check(self, keys):
        """True when every key in ``keys`` exists (does not wait)."""
        keys = _keys('check', keys)
        with self._cond:
            return all(k in self._data or k in self._queues for k in keys)

    def wait(self, keys, timeout=None):
        """Block until every key in ``keys`` exists (``timeout``: a timedelta, else the
        store's)."""
        keys = _keys('wait', keys)
        if timeout is not None:
            _timeout('wait', timeout)
        with self._cond:
            self._await(lambda: all(k in self._data for k in keys), timeout)

    def delete_key(self, key):
        """Remove ``key``; True when it existed."""
        _key('delete_key', key)
        with self._cond:
            return self._data.pop(key, None) is not None

    def num_keys(self):
        with self._cond:
            return len(self._data)

    def list_keys(self):
        with self._cond:
            return list(self._data)

    # -- queues
    def queue_push(self, key, value):
        _key('queue_push', key)
        value = _value('queue_push', value)
        with self._cond:
            self._queues.setdefault(key, deque()).append(value)
            self._cond.notify_all()

    def queue_pop(self, key, block=True):
        """The oldest value pushed to queue ``key``; waits for one unless ``block=False``
        (then ``QueueEmptyError`` when empty)."""
        _key('queue_pop', key)
        with self._cond:
            if not block and not self._queues.get(key):
                raise QueueEmptyError('queue is empty')
            self._await(lambda: bool(self._queues.get(key)), None)
            return self._queues[key].popleft()

    def queue_len(self, key):
        _key('queue_len', key)
        with self._cond:
            return len(self._queues.get(key, ()))


class PrefixStore(Store):
    """Every key of ``store`` seen through ``prefix + '/'``: different users of one store
    keep apart. ``num_keys`` counts the whole underlying store, as in PyTorch."""

    def __init__(self, prefix, store):
        if store is None:
            raise ValueError('store argument cannot be None')
        if not isinstance(prefix, str) or not isinstance(store, Store):
            _bad_args('__init__', 'prefix: str', 'store: ember.distributed.Store')
        super().__init__()
        self._prefix = prefix
        self._store = store
        self._timeout = store.timeout

    @property
    def underlying_store(self):
        return self._store

    @property
    def timeout(self):
        return self._store.timeout

    def set_timeout(self, timeout):
        self._store.set_timeout(timeout)

    def _k(self, method, key):
        return f'{self._prefix}/{_key(method, key)}'

    def _ks(self, method, keys):
        return [f'{self._prefix}/{k}' for k in _keys(method, keys)]

    def clone(self):
        return PrefixStore(self._prefix, self._store.clone())

    def set(self, key, value):
        self._store.set(self._k('set', key), value)

    def get(self, key):
        return self._store.get(self._k('get', key))

    def add(self, key, amount):
        return self._store.add(self._k('add', key), amount)

    def append(self, key, value):
        self._store.append(self._k('append', key), value)

    def compare_set(self, key, expected_value, desired_value):
        return self._store.compare_set(self._k('compare_set', key), expected_value, desired_value)

    def multi_set(self, keys, values):
        self._store.multi_set(self._ks('multi_set', keys), values)

    def multi_get(self, keys):
        return self._store.multi_get(self._ks('multi_get', keys))

    def check(self, keys):
        return self._store.check(self._ks('check', keys))

    def wait(self, keys, timeout=None):
        self._store.wait(self._ks('wait', keys), timeout)

    def delete_key(self, key):
        return self._store.delete_key(self._k('delete_key', key))

    def num_keys(self):
        return self._store.num_keys()

    def list_keys(self):
        head = self._prefix + '/'
        return [k[len(head):] for k in self._store.list_keys() if k.startswith(head)]

    def queue_push(self, key, value):
        self._store.queue_push(self._k('queue_push', key), value)

    def queue_pop(self, key, block=True):
        return self._store.queue_pop(self._k('queue_pop', key), block)

    def queue_len(self, key):
        return self._store.queue_len(self._k('queue_len', key))
