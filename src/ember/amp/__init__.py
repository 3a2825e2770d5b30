"""ember.amp: automatic mixed precision (PyTorch's ``torch.amp``).

``autocast`` runs the matrix-product and convolution ops of a region in a lower-precision
dtype (bfloat16 on the CPU by default); ``GradScaler`` scales the loss so small
low-precision gradients survive, and skips optimizer steps whose gradients overflowed.
``cuda_amp`` is the module that ``ember.cuda.amp`` names (its deprecated spellings).
"""
import importlib.machinery as _machinery
import sys as _sys
import types as _types

from . import autocast_mode, grad_scaler  # noqa: F401
from .autocast_mode import autocast, is_autocast_available, custom_fwd, custom_bwd  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401

__all__ = ['autocast', 'custom_bwd', 'custom_fwd', 'is_autocast_available', 'GradScaler']


def _make_cuda_amp():
    mod = _types.ModuleType('ember.cuda.amp', 'Deprecated CUDA spellings of ember.amp (as torch.cuda.amp).')
    mod.autocast = autocast_mode.CudaAutocast
    mod.GradScaler = grad_scaler.CudaGradScaler
    mod.custom_fwd = autocast_mode.cuda_custom_fwd
    mod.custom_bwd = autocast_mode.cuda_custom_bwd
    mod.amp_definitely_not_available = grad_scaler._amp_definitely_not_available
    mod.__all__ = ['amp_definitely_not_available', 'autocast', 'custom_bwd', 'custom_fwd', 'GradScaler']
    mod.__package__, mod.__spec__ = 'ember.cuda', _machinery.ModuleSpec(mod.__name__, None)
    _sys.modules[mod.__name__] = mod          # so `import ember.cuda.amp` finds it
    return mod


cuda_amp = _make_cuda_amp()
