"""ember.backends.cudnn: the cuDNN switches (PyTorch's defaults). The GPU backend reads them at
each convolution (``_backend/cudnn_conv.py``): ``enabled`` chooses cuDNN at all, ``benchmark``
times the candidate engines once per shape, ``deterministic`` keeps to deterministic engines,
``allow_tf32`` lets float32 convolutions use TF32 tensor cores."""
import contextlib

enabled = True
benchmark = False
benchmark_limit = None
deterministic = False
allow_tf32 = True

__all__ = ['enabled', 'benchmark', 'benchmark_limit', 'deterministic', 'allow_tf32', 'is_available',
           'version', 'is_acceptable', 'flags']


def is_available():
    """True when a GPU and NVIDIA's cuDNN frontend are both usable."""
    from .._backend.cudnn_conv import frontend      # NVIDIA's cuDNN frontend, loaded once
    from ..cuda import is_available as cuda_available
    return cuda_available() and frontend() is not None


def version():
    """The cuDNN library's version as an int (90100 for 9.1.0), or None without cuDNN."""
    if not is_available():
        return None
    from .._backend.cudnn_conv import frontend
    try:
        return int(frontend().backend_version())
    except Exception:  # noqa: BLE001 - a frontend without a loadable library
        return None


def is_acceptable(tensor):
    """Whether cuDNN would take this tensor: enabled, on CUDA, a float dtype, cuDNN present."""
    return bool(enabled and tensor.is_cuda and tensor.is_floating_point() and is_available())


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True):
    """Set the switches inside a with-block (PyTorch's argument defaults), restore them after."""
    g = globals()
    names = ('enabled', 'benchmark', 'benchmark_limit', 'deterministic', 'allow_tf32')
    before = {n: g[n] for n in names}
    g.update(enabled=enabled, benchmark=benchmark, benchmark_limit=benchmark_limit,
             deterministic=deterministic, allow_tf32=allow_tf32)
    try:
        yield
    finally:
        g.update(before)
