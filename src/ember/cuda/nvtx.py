"""``torch.cuda.nvtx``: NVTX ranges and marks for Nsight timelines, through CuPy's NVTX bindings.

Without CuPy's NVTX (no CuPy, no GPU, or a CuPy built without it) every call raises PyTorch's
CPU-build error, "NVTX functions not installed. Are you sure you have a CUDA build?"."""
import contextlib

from .._backend import cuda_reason

__all__ = ['range_push', 'range_pop', 'range_start', 'range_end', 'mark', 'range']

_NO_NVTX = 'NVTX functions not installed. Are you sure you have a CUDA build?'
_depth = [0]


def _nvtx():
    if cuda_reason() is None:
        try:
            from cupy.cuda import nvtx
        except ImportError:
            nvtx = None
        if nvtx is not None and getattr(nvtx, 'available', True):
            return nvtx
    raise RuntimeError(_NO_NVTX)


def range_push(msg):
    """Opens a nested range named ``msg``; returns its zero-based depth."""
    _nvtx().RangePush(msg)
    _depth[0] += 1
    return _depth[0] - 1


def range_pop():
    """Closes the innermost open range; returns the depth of the range it closed."""
    _nvtx().RangePop()
    _depth[0] = max(_depth[0] - 1, 0)
    return _depth[0]


def range_start(msg):
    """Starts a range that may end on another thread (NVTX's start/end ranges); returns its id."""
    nvtx = _nvtx()
    if not hasattr(nvtx, 'RangeStart'):
        raise RuntimeError('ember: this CuPy has no NVTX start/end ranges (use range_push/range_pop)')
    return nvtx.RangeStart(msg)


def range_end(range_id):
    nvtx = _nvtx()
    if not hasattr(nvtx, 'RangeEnd'):
        raise RuntimeError('ember: this CuPy has no NVTX start/end ranges (use range_push/range_pop)')
    nvtx.RangeEnd(range_id)


def mark(msg):
    """An instantaneous event named ``msg`` on the timeline."""
    _nvtx().Mark(msg)


@contextlib.contextmanager
def range(msg, *args, **kwargs):  # noqa: A001
    """Context manager / decorator: a range named ``msg.format(*args, **kwargs)`` around its body."""
    range_push(msg.format(*args, **kwargs))
    try:
        yield
    finally:
        range_pop()
