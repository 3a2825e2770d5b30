"""Out-of-memory on the GPU: PyTorch's exception class (ember.OutOfMemoryError, the same object as
ember.cuda.OutOfMemoryError, a RuntimeError) raised when CuPy cannot allocate inside an op."""
import pytest
import torch

import ember
from ember.ops import arith


def test_the_class_is_torchs():
    assert ember.cuda.OutOfMemoryError is ember.OutOfMemoryError
    assert torch.cuda.OutOfMemoryError is torch.OutOfMemoryError
    assert [c.__name__ for c in ember.OutOfMemoryError.__mro__] == [c.__name__ for c in torch.OutOfMemoryError.__mro__]
    assert ember.OutOfMemoryError.__module__ == 'ember' and ember.GradScaler is ember.amp.GradScaler


@pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')
def test_a_failed_allocation_in_an_op_raises_it(monkeypatch):
    class CupyOOM(MemoryError):          # CuPy's cupy.cuda.memory.OutOfMemoryError is a MemoryError
        pass

    def forward(self, a, b):
        raise CupyOOM('Out of memory allocating 1,073,741,824 bytes (allocated so far: 0 bytes).')
    x = ember.ones(3, device='cuda')
    monkeypatch.setattr(arith.MulBackward0, 'forward', forward)
    with pytest.raises(ember.cuda.OutOfMemoryError, match=r'^CUDA out of memory\.') as info:
        x * x
    assert isinstance(info.value, RuntimeError) and 'allocated so far' in str(info.value)
    try:
        x * x
    except RuntimeError:                  # the usual `except RuntimeError` of training loops catches it
        pass
