"""``ember.autograd.profiler``: the older profiler entry points, on ``ember.profiler``'s recorder."""
from ..profiler import record_function, EventList, profile as _profile  # noqa: F401
from ..profiler._events import FunctionEvent, FunctionEventAvg  # noqa: F401

__all__ = ['profile', 'record_function', 'EventList', 'FunctionEvent', 'FunctionEventAvg', 'emit_nvtx']


class profile(_profile):
    """``with ember.autograd.profiler.profile() as prof:`` — records CPU op timings (``use_cuda``/
    ``use_device`` accepted; times are host times)."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None,
                 post_processing_timeout_s=None, activity_filters=None):
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory, with_stack=with_stack,
                         with_flops=with_flops)
        self.enabled = enabled

    def start(self):
        if self.enabled:
            super().start()

    def table(self, *args, **kwargs):
        return self._events.table(*args, **kwargs)

    @property
    def function_events(self):
        return self._events


class emit_nvtx:
    """NVTX ranges for nvprof/Nsight: ember emits none; the context manager is accepted."""

    def __init__(self, enabled=True, record_shapes=False):
        self.enabled = enabled

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
