"""``Tensor.xpu()``, ``ipu()`` and ``mtia()``: devices ember has no backend for. They fail the way a
PyTorch build without them does (users see these when porting code written for other hardware)."""

XPU = 'Torch not compiled with XPU enabled'
IPU = 'PyTorch is not linked with support for ipu devices'
MTIA = ('Torch not compiled with MTIA enabled. Ensure you have `import mtia.host_runtime.torch_mtia.dynamic_library` '
        'in your python src file and include `//mtia/host_runtime/torch_mtia:torch_mtia` as your target dependency!')


def xpu(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError(XPU)


def ipu(self, device=None, non_blocking=False, memory_format=None):
    raise RuntimeError(IPU)


def mtia(self, device=None, non_blocking=False, memory_format=None):
    raise AssertionError(MTIA)
