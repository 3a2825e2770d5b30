"""ember.amp: automatic mixed precision (PyTorch's ``torch.amp``).

``autocast`` runs the matrix-product and convolution ops of a region in a lower-precision
dtype (bfloat16 on the CPU by default); ``GradScaler`` scales the loss so small
low-precision gradients survive, and skips optimizer steps whose gradients overflowed.
"""
from .autocast_mode import autocast, is_autocast_available, custom_fwd, custom_bwd  # noqa: F401
from .grad_scaler import GradScaler  # noqa: F401

__all__ = ['autocast', 'custom_bwd', 'custom_fwd', 'is_autocast_available', 'GradScaler']
