"""ember.backends.cuda: cuBLAS matmul switches and the scaled-dot-product-attention backend
toggles, with PyTorch's defaults."""
import contextlib
import types

__all__ = ['is_built', 'matmul', 'flash_sdp_enabled', 'enable_flash_sdp', 'mem_efficient_sdp_enabled',
           'enable_mem_efficient_sdp', 'math_sdp_enabled', 'enable_math_sdp', 'cudnn_sdp_enabled',
           'enable_cudnn_sdp', 'sdp_kernel', 'preferred_linalg_library']


def is_built():
    """Whether this build can use CUDA at all (ember: whether CuPy is installed)."""
    import importlib.util
    return importlib.util.find_spec('cupy') is not None


# torch.backends.cuda.matmul: allow_tf32 False (float32 matmuls stay exact), reduced-precision
# reductions allowed for float16 and bfloat16
matmul = types.SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                               allow_bf16_reduced_precision_reduction=True)

_sdp = {'flash': True, 'mem_efficient': True, 'math': True, 'cudnn': True}


def flash_sdp_enabled():
    return _sdp['flash']


def enable_flash_sdp(enabled):
    _sdp['flash'] = bool(enabled)


def mem_efficient_sdp_enabled():
    return _sdp['mem_efficient']


def enable_mem_efficient_sdp(enabled):
    _sdp['mem_efficient'] = bool(enabled)


def math_sdp_enabled():
    return _sdp['math']


def enable_math_sdp(enabled):
    _sdp['math'] = bool(enabled)


def cudnn_sdp_enabled():
    return _sdp['cudnn']


def enable_cudnn_sdp(enabled):
    _sdp['cudnn'] = bool(enabled)


@contextlib.contextmanager
def sdp_kernel(enable_flash=True, enable_math=True, enable_mem_efficient=True, enable_cudnn=True):
    """Deprecated in PyTorch for torch.nn.attention.sdpa_kernel; sets the toggles inside a block."""
    import warnings
    warnings.warn('`torch.backends.cuda.sdp_kernel()` is deprecated. In the future, this context manager '
                  'will be removed. Please see `torch.nn.attention.sdpa_kernel()` for the new context '
                  'manager, with updated signature.', FutureWarning, stacklevel=3)
    before = dict(_sdp)
    _sdp.update(flash=enable_flash, math=enable_math, mem_efficient=enable_mem_efficient, cudnn=enable_cudnn)
    try:
        yield
    finally:
        _sdp.update(before)


def preferred_linalg_library(backend=None):
    """Which GPU linear-algebra library to prefer; ember's GPU backend uses cuSOLVER through CuPy."""
    return 'Default' if backend is None else backend
