"""ember.nn.attention.sdpa_kernel and SDPBackend, compared with PyTorch: which implementation runs
(the grad_fn shows it), the backend switches inside the block, the errors when none can run, and
that the math and fused paths agree."""
import importlib

import numpy as np
import pytest

import ember
from compare import assert_script_same

SCRIPT = '''
A = importlib.import_module(T.__name__ + '.nn.attention')
F = T.nn.functional
SDPBackend, sdpa_kernel = A.SDPBackend, A.sdpa_kernel
print(list(SDPBackend.__members__), repr(SDPBackend.MATH), int(SDPBackend.FLASH_ATTENTION), SDPBackend(1),
      A.WARN_FOR_UNFUSED_KERNELS)
q = T.randn(1, 2, 4, 8, requires_grad=True)
sw = T.backends.cuda
for b in [SDPBackend.MATH, SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.CUDNN_ATTENTION,
          [SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH], SDPBackend.OVERRIDEABLE, []]:
    try:
        with sdpa_kernel(b):
            o = F.scaled_dot_product_attention(q, q, q)
            print(b, 'ok', o.grad_fn.name(), sw.flash_sdp_enabled(), sw.math_sdp_enabled(),
                  sw.mem_efficient_sdp_enabled(), sw.cudnn_sdp_enabled())
    except Exception as e:
        print(b, type(e).__name__, e)
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        try:
            F.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
        except Exception as e:
            print('dropout under flash', type(e).__name__, e)
try:
    with sdpa_kernel('math'):
        pass
except Exception as e:
    print(type(e).__name__, e)
print(sw.flash_sdp_enabled(), sw.math_sdp_enabled())
'''


@pytest.mark.cpu_only          # the grad_fn names are the CPU kernels'
def test_sdpa_kernel_as_torch():
    assert_script_same(SCRIPT, min_lines=10, importlib=importlib)


def test_math_and_fused_paths_agree_and_switches_restore():
    from ember.nn.attention import sdpa_kernel, SDPBackend
    F = ember.nn.functional
    x = ember.randn(2, 3, 5, 8)
    with sdpa_kernel(SDPBackend.MATH):
        a = F.scaled_dot_product_attention(x, x, x, is_causal=True)
        assert not ember.backends.cuda.flash_sdp_enabled()
    b = F.scaled_dot_product_attention(x, x, x, is_causal=True)
    np.testing.assert_allclose(a.cpu().numpy(), b.cpu().numpy(), rtol=1e-5, atol=1e-6)
    assert ember.backends.cuda.flash_sdp_enabled() and ember.backends.cuda.math_sdp_enabled()
    with pytest.raises(RuntimeError, match='^No viable backend for scaled_dot_product_attention'):
        with sdpa_kernel([]):
            F.scaled_dot_product_attention(x, x, x)
    assert ember.backends.cuda.math_sdp_enabled()          # restored after the error
