"""Anomaly mode: find the forward line behind a failing or NaN-producing backward step.

    with ember.autograd.detect_anomaly():
        y = x / x
        y.sum().backward()     # UserWarning with the traceback of `y = x / x`, then
                               # RuntimeError: Function 'DivBackward0' returned nan values ...

While the mode is on, every graph node recorded keeps the Python stack of the forward call
that created it (``node.metadata['traceback_']``); a node created during a create_graph
backward also keeps the node whose backward created it (``metadata['parent_']``). The
engine then checks each node's gradients for NaN and, when anything fails inside a node,
warns with the stored stacks before the error propagates. Like PyTorch's, the mode is a
process-wide switch (not per thread). When it is off the only cost is one flag test per
recorded op.
"""
import functools
import os
import traceback
import warnings

# [enabled, check_nan]: read by ops/_op.py and the engine on their hot paths
_state = [False, True]
# the node whose backward is running, for nodes recorded during a create_graph backward
_running = [None]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_USER_FACING = tuple(_PACKAGE + d + os.sep for d in ('nn', 'optim', 'utils', 'vision'))
# ``python -m ember.run script.py`` runs the script from here; ``python script.py`` has no frames
# above the script's, so a recorded stack starts after this file's last frame
_LAUNCHER = _PACKAGE + 'run.py'

_ENABLED_WARNING = ('Anomaly Detection has been enabled. This mode will increase the runtime and '
                    'should only be enabled for debugging.')


def is_anomaly_enabled():
    """True while anomaly detection is on."""
    return _state[0]


def is_anomaly_check_nan_enabled():
    """True when anomaly detection also checks backward results for NaN."""
    return _state[1]


def set_anomaly_enabled(enabled, check_nan=True):
    """Switch anomaly detection on or off (process-wide)."""
    _state[0] = bool(enabled)
    _state[1] = bool(check_nan)


class set_detect_anomaly:
    """Sets anomaly detection on or off: as a function, or for a ``with`` block."""

    def __init__(self, mode, check_nan=True):
        self.prev, self.prev_check_nan = _state
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
        return False


class detect_anomaly:
    """Context manager (or decorator) turning anomaly detection on for a block.

    It warns that the mode slows things down, as PyTorch does. ``check_nan=False`` keeps the
    forward tracebacks but does not treat NaN gradients as errors."""

    def __init__(self, check_nan=True):
        self.check_nan = bool(check_nan)
        self.prev, self.prev_check_nan = _state
        warnings.warn(_ENABLED_WARNING, UserWarning, stacklevel=2)

    def __enter__(self):
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc):
        set_anomaly_enabled(self.prev, self.prev_check_nan)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = _state[:]
            set_anomaly_enabled(True, self.check_nan)
            try:
                return fn(*args, **kwargs)
            finally:
                set_anomaly_enabled(*prev)
        return wrapper


# ---------------------------------------------------------------- used by ops and the engine

def _internal(filename):
    """Frames of ember's core (ops, Tensor, autograd): they end every recorded stack."""
    return filename.startswith(_PACKAGE) and not filename.startswith(_USER_FACING)


def record_forward(node):
    """Keep the stack of the forward call creating ``node`` (anomaly mode only)."""
    frames = traceback.extract_stack()
    end = len(frames)
    while end > 0 and _internal(frames[end - 1].filename):
        end -= 1
    start = end
    while start > 0 and frames[start - 1].filename != _LAUNCHER:
        start -= 1
    meta = node.metadata
    meta['traceback_'] = traceback.format_list(frames[start:end])
    if _running[0] is not None:
        meta['parent_'] = _running[0]


def _stack_warning(node, header, is_parent):
    meta = node._meta or {}
    stack = meta.get('traceback_')
    name = node.name()
    if stack is None:
        if not is_parent:
            warnings.warn(f'Error detected in {name}. No forward pass information available. Enable '
                          'detect anomaly during forward pass for more information.', UserWarning,
                          stacklevel=4)
        return
    warnings.warn(header.format(name) + ''.join(stack), UserWarning, stacklevel=4)


def report(node):
    """Warn with the forward traceback of ``node`` (and of the nodes that induced it)."""
    _stack_warning(node, 'Error detected in {}. Traceback of forward call that caused the error:\n',
                   False)
    seen = {node}
    parent = (node._meta or {}).get('parent_')
    while parent is not None and parent not in seen:
        seen.add(parent)
        _stack_warning(parent, '\n\nPrevious calculation was induced by {}. Traceback of forward call '
                       'that induced the previous calculation:\n', True)
        parent = (parent._meta or {}).get('parent_')


def check_nan(node, results):
    """PyTorch's error when a node's backward produced NaN (check_nan mode)."""
    for i, g in enumerate(results):
        if g is None:
            continue
        arr = g._data
        if arr.dtype.kind in 'fcV' and bool(_xp(arr).isnan(arr).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def _xp(arr):
    from .._tensor import xp_of
    return xp_of(arr)
