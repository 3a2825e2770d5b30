"""ember.backends: PyTorch's backend switches, with PyTorch's defaults. The cuDNN ones take
effect on the GPU backend; on the CPU they are plain flags."""
import types as _types


def _cudnn_available():
    try:
        import cudnn  # noqa: F401  (NVIDIA's cuDNN frontend)
    except Exception:  # noqa: BLE001
        return False
    from ..cuda import is_available
    return is_available()


cudnn = _types.SimpleNamespace(enabled=True, benchmark=False, deterministic=False, allow_tf32=True,
                               is_available=_cudnn_available,
                               version=lambda: None)
cuda = _types.SimpleNamespace(matmul=_types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True),
                              is_built=lambda: False)
mps = _types.SimpleNamespace(is_available=lambda: False, is_built=lambda: False)
mkldnn = _types.SimpleNamespace(enabled=True, is_available=lambda: False)     # the flag as PyTorch; no oneDNN here
openmp = _types.SimpleNamespace(is_available=lambda: False)
