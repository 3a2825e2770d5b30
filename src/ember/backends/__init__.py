"""ember.backends: PyTorch's backend switches, with PyTorch's defaults, as importable modules
(``import ember.backends.cudnn as cudnn; cudnn.benchmark = True``). The cuDNN and cuBLAS ones
take effect on the GPU backend; on the CPU they are plain flags."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp  # noqa: F401

__all__ = ['cpu', 'cuda', 'cudnn', 'mkl', 'mkldnn', 'mps', 'openmp']
