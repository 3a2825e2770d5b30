"""NCCL is not emulated: a GPU session tests ember's NCCL backend on the real thing."""
raise ImportError('NCCL is not emulated by the CuPy stand-in')
