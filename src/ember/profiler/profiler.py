"""``torch.profiler.profiler``: PyTorch's import path for the profiler classes (defined in
``ember.profiler``)."""
from . import profile, schedule, ProfilerAction, supported_activities, tensorboard_trace_handler  # noqa: F401

__all__ = ['supported_activities', 'ProfilerAction', 'schedule', 'tensorboard_trace_handler', 'profile']
