"""``ember.profiler``: time the ops a program runs, summarised as PyTorch's profiler does.

    with ember.profiler.profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with ember.profiler.record_function('model_inference'):
            model(x)
    print(prof.key_averages().table(sort_by='cpu_time_total', row_limit=10))

Op names follow PyTorch's (``aten::addmm``, ``aten::relu``); which ops appear is ember's own, since
ember's ops are not ATen's (``nn.Linear`` shows as one ``aten::addmm`` rather than linear/t/addmm).
Times are wall-clock times of the host calls (on a GPU, kernel launches are asynchronous).
"""
import contextlib
import enum
import os
import socket
import time
import warnings

from ._events import EventList, FunctionEvent, FunctionEventAvg  # noqa: F401
from ._record import Recorder

__all__ = ['profile', 'record_function', 'ProfilerActivity', 'ProfilerAction', 'schedule',
           'tensorboard_trace_handler', 'supported_activities', 'kineto_available', 'EventList']


class ProfilerActivity(enum.Enum):
    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5

    def __repr__(self):
        return f'<ProfilerActivity.{self.name}: {self.value}>'


class ProfilerAction(enum.Enum):
    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    DEVICE_STOPPED = 4


_WARNED = set()


def _warn_once(msg):
    if msg not in _WARNED:
        _WARNED.add(msg)
        warnings.warn(msg, stacklevel=3)


def supported_activities():
    acts = {ProfilerActivity.CPU}
    from ..cuda import is_available
    if is_available():
        acts.add(ProfilerActivity.CUDA)
    return acts


def kineto_available():
    return False


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """The action for each step: skip ``skip_first`` steps, then cycles of ``wait`` idle steps,
    ``warmup`` steps and ``active`` recorded steps (the last saves), ``repeat`` times (0: forever)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError('Invalid profiler schedule arguments')
    if warmup == 0:
        warnings.warn('Profiler won\'t be using warmup, this can skew profiler results')

    def action(step):
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait:                 # the first cycle starts at its warm-up
            step += wait
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        at = step % cycle
        if at < wait:
            return ProfilerAction.NONE
        if at < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if at < cycle - 1 else ProfilerAction.RECORD_AND_SAVE
    return action


def _always_record(step):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False, use_python_export=False):
    """An ``on_trace_ready`` that writes each trace as ``<worker>.<time>.pt.trace.json[.gz]``."""
    def handler(prof):
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f'{socket.gethostname()}_{os.getpid()}'
        name = f'{worker}.{time.time_ns() // 1_000_000}.pt.trace.json' + ('.gz' if use_gzip else '')
        path = os.path.join(dir_name, name)
        prof.export_chrome_trace(path)
        if use_gzip:
            import gzip
            with open(path, 'rb') as f:
                data = f.read()
            with gzip.open(path, 'wb') as f:
                f.write(data)
    return handler


class record_function(contextlib.ContextDecorator):
    """Label a range of code: it appears as one event (with the ops inside as its children)."""

    def __init__(self, name, args=None):
        self.name, self.args, self._evt = name, args, None

    def __enter__(self):
        rec = Recorder.active
        if rec is not None:
            self._evt = rec.begin(self.name, user=True)
        return self

    def __exit__(self, *exc):
        rec = Recorder.active
        if rec is not None and self._evt is not None:
            rec.end(self._evt)
        self._evt = None
        return False


class profile:
    """Record op timings between ``__enter__``/``start()`` and ``__exit__``/``stop()``; with a
    ``schedule``, only in the steps it marks, advanced by ``step()``."""

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False, use_cuda=None,
                 custom_trace_id_callback=None, post_processing_timeout_s=None):
        self.activities = set(activities) if activities else supported_activities()
        self.schedule = schedule or _always_record
        self.on_trace_ready, self.record_shapes = on_trace_ready, record_shapes
        self.profile_memory, self.with_stack, self.with_flops = profile_memory, with_stack, with_flops
        self.step_num, self._rec, self._step_evt = 0, None, None
        self._events = EventList()
        self._has_schedule = schedule is not None
        self.acc_events, self._cycles = acc_events, 0

    # --------------------------------------------------------------- recording
    def _begin(self):
        if self._rec is None:
            if self._cycles and not self.acc_events:
                _warn_once('Warning: Profiler clears events at the end of each cycle. Only events from the '
                           'current cycle will be reported. To keep events across cycles, set acc_events=True.')
            self._cycles += 1
            self._rec = Recorder(self.record_shapes)
            self._rec.start()
        self._mark_step()

    def _mark_step(self):
        if self._has_schedule and self._rec is not None:
            self._step_evt = self._rec.begin(f'ProfilerStep#{self.step_num}', user=True)

    def _end_step(self):
        if self._step_evt is not None and self._rec is not None:
            self._rec.end(self._step_evt)
        self._step_evt = None

    def _finish(self, save):
        self._end_step()
        rec, self._rec = self._rec, None
        if rec is None:
            return
        rec.stop()
        if save:
            self._events = EventList((list(self._events) if self.acc_events else []) + rec.events)
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)

    def start(self):
        if self.schedule(self.step_num) != ProfilerAction.NONE:
            self._begin()

    def stop(self):
        self._finish(save=self.schedule(self.step_num) in (ProfilerAction.RECORD,
                                                            ProfilerAction.RECORD_AND_SAVE))

    def step(self):
        """Mark the end of a training step: the schedule decides whether the next one is recorded."""
        before = self.schedule(self.step_num)
        self.step_num += 1
        after = self.schedule(self.step_num)
        self._end_step()
        if before == ProfilerAction.RECORD_AND_SAVE or (before != ProfilerAction.NONE
                                                         and after == ProfilerAction.NONE):
            self._finish(save=before == ProfilerAction.RECORD_AND_SAVE)
        if after == ProfilerAction.WARMUP or (before == ProfilerAction.WARMUP and after != ProfilerAction.NONE):
            if self._rec is not None and after in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
                self._rec.events.clear()        # warm-up steps are run, not kept
        if after != ProfilerAction.NONE:
            if self._rec is None:
                self._begin()
            else:
                self._mark_step()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # --------------------------------------------------------------- results
    def events(self):
        return self._events

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, group_by_overload_name=False):
        return self._events.key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        self._events.export_chrome_trace(path)
