"""ember.nn.attention: choosing the kernels behind F.scaled_dot_product_attention.

``with sdpa_kernel(SDPBackend.MATH):`` runs the attention as its composition of ops (the graph
shows matmul/softmax nodes); FLASH_ATTENTION is the fused CPU kernel PyTorch picks by default
(one ``ScaledDotProductFlashAttentionForCpuBackward0`` node). The context manager sets the
switches in ember.backends.cuda (flash_sdp_enabled(), math_sdp_enabled(), ...), as PyTorch does;
with no usable backend enabled the attention call raises PyTorch's error."""
import contextlib
import enum

from ...backends import cuda as _switches

__all__ = ['SDPBackend', 'sdpa_kernel', 'WARN_FOR_UNFUSED_KERNELS']

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The scaled-dot-product-attention implementations (PyTorch's numbering)."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __int__(self):
        return self.value


_FLAG = {SDPBackend.MATH: 'math', SDPBackend.FLASH_ATTENTION: 'flash',
         SDPBackend.EFFICIENT_ATTENTION: 'mem_efficient', SDPBackend.CUDNN_ATTENTION: 'cudnn'}


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority=False):
    """Inside the block only ``backends`` (one SDPBackend or a list) may run the attention."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError('Backend must be an instance of SDPBackend or a list of SDPBackend instances, got '
                             f'{type(backends).__name__}')
    chosen = {backends} if isinstance(backends, SDPBackend) else set(backends)
    before = dict(_switches._sdp)
    _switches._sdp.update({flag: backend in chosen for backend, flag in _FLAG.items()})
    try:
        yield {}
    finally:
        _switches._sdp.clear()
        _switches._sdp.update(before)
