"""ember.backends: PyTorch's backend switches, with PyTorch's defaults. The cuDNN ones take
effect on the GPU backend; on the CPU they are plain flags."""
import types as _types


def _cudnn_available():
    from .._backend.cudnn_conv import frontend      # NVIDIA's cuDNN frontend, loaded once
    from ..cuda import is_available
    return is_available() and frontend() is not None


def _cudnn_version():
    """The cuDNN library's version as an int (90100 for 9.1.0), or None without cuDNN."""
    if not _cudnn_available():
        return None
    from .._backend.cudnn_conv import frontend
    try:
        return int(frontend().backend_version())
    except Exception:  # noqa: BLE001 - a frontend without a loadable library
        return None


cudnn = _types.SimpleNamespace(enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                               is_available=_cudnn_available,
                               version=_cudnn_version)
cuda = _types.SimpleNamespace(matmul=_types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True),
                              is_built=lambda: False)
mps = _types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = _types.SimpleNamespace(enabled=True, is_available=lambda: False)     # the flag as PyTorch; no oneDNN here
openmp = _types.SimpleNamespace(is_available=lambda: False)
