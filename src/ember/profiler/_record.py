"""Recording op calls while a profiler is active.

While recording, every op class's ``forward`` and ``backward`` is replaced by a timing wrapper; on
stop the originals come back, so ember's op path carries no profiling cost at other times. An op
is named as PyTorch's profiler names the ATen op (``AddmmBackward0`` runs ``aten::addmm``); its
backward as ``autograd::engine::evaluate_function: AddmmBackward0``.
"""
import re
import threading
import time

from ._events import FunctionEvent

_CAMEL = re.compile(r'(?<=[a-z])(?=[A-Z])')
_SUFFIX = re.compile(r'Backward\d*(_copy)?$')


def aten_name(node_name):
    base = _SUFFIX.sub('', node_name.lstrip('_'))
    return 'aten::' + _CAMEL.sub('_', base).lower()


def _forward_name(node):
    return aten_name(node.name())


def _backward_name(node):
    return 'autograd::engine::evaluate_function: ' + node.name()


def _op_classes():
    from ..ops._op import Op
    seen, todo = [], [Op]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen


class Recorder:
    """Collects FunctionEvents from wrapped ops and ``record_function`` ranges (one at a time)."""

    active = None

    def __init__(self, record_shapes=False):
        self.record_shapes = record_shapes
        self.events, self._stack, self._next_id = [], [], 0
        self._patched = []
        self.t0 = time.perf_counter_ns()

    def now_us(self):
        return (time.perf_counter_ns() - self.t0) / 1000.0

    def begin(self, name, shapes=None, user=False):
        evt = FunctionEvent(self._next_id, name, self.now_us(), threading.get_ident() % 100000,
                            shapes, is_user_annotation=user)
        self._next_id += 1
        if self._stack:
            evt.cpu_parent = self._stack[-1]
            self._stack[-1].cpu_children.append(evt)
        self._stack.append(evt)
        self.events.append(evt)
        return evt

    def end(self, evt):
        evt.end_us = self.now_us()
        if self._stack and self._stack[-1] is evt:
            self._stack.pop()
        elif evt in self._stack:
            self._stack.remove(evt)

    def _timed(self, fn, namer, with_shapes):
        rec = self

        def timed(node, *args, **kwargs):
            shapes = [list(getattr(a, 'shape', ())) for a in args] if with_shapes else None
            evt = rec.begin(namer(node), shapes)
            try:
                return fn(node, *args, **kwargs)
            finally:
                rec.end(evt)
        timed.__wrapped__ = fn
        return timed

    def start(self):
        if Recorder.active is not None:
            raise RuntimeError("Can't profile: another profiler is already running")
        Recorder.active = self
        for cls in _op_classes():
            own = cls.__dict__
            if 'forward' in own:
                self._patched.append((cls, 'forward', own['forward']))
                cls.forward = self._timed(own['forward'], _forward_name, self.record_shapes)
            if 'backward' in own:
                self._patched.append((cls, 'backward', own['backward']))
                cls.backward = self._timed(own['backward'], _backward_name, False)

    def stop(self):
        for cls, attr, fn in reversed(self._patched):
            setattr(cls, attr, fn)
        self._patched = []
        while self._stack:
            self.end(self._stack[-1])
        if Recorder.active is self:
            Recorder.active = None
