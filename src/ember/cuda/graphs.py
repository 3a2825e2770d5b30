"""``torch.cuda.graphs``: CUDA graph capture. ember does not capture CUDA graphs.

Without a GPU these fail as in PyTorch's CPU-only build. With one, everything that would capture
raises a RuntimeError saying so (replaying a "graph" that merely re-runs Python would hide the
difference: captured graphs skip the Python and see only the captured tensors' memory).
``is_current_stream_capturing()`` is False, which is true: no stream is ever capturing."""
from .._backend import cuda_reason

__all__ = ['is_current_stream_capturing', 'graph_pool_handle', 'CUDAGraph', 'graph', 'make_graphed_callables']

_NO_GRAPHS = ('ember does not capture CUDA graphs (torch.cuda.CUDAGraph / torch.cuda.graph / '
              'make_graphed_callables); run the callable eagerly instead')


def _refuse(dummy):
    if cuda_reason() is not None:
        raise RuntimeError(f'Tried to instantiate dummy base class {dummy}')
    raise RuntimeError(_NO_GRAPHS)


def is_current_stream_capturing():
    """False: ember never captures a stream (without a GPU: PyTorch's CPU-build error)."""
    if cuda_reason() is not None:
        raise RuntimeError('Tried to instantiate dummy base class _cuda_isCurrentStreamCapturing')
    return False


def graph_pool_handle():
    _refuse('_graph_pool_handle')


class CUDAGraph:
    """Refused: see the module docstring."""

    def __new__(cls, keep_graph=False):
        _refuse('CUDAGraph')


class graph:
    """Refused: see the module docstring."""

    def __init__(self, cuda_graph, pool=None, stream=None, capture_error_mode='global',
                 enable_annotations=False, check_input_liveness=False):
        if cuda_reason() is not None:
            raise RuntimeError('torch.cuda.Stream requires CUDA support')
        raise RuntimeError(_NO_GRAPHS)


def make_graphed_callables(callables, sample_args, num_warmup_iters=3, allow_unused_input=False, pool=None):
    """Refused: see the module docstring."""
    _refuse('CUDAGraph')
