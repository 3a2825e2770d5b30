"""Where PyTorch defines ``OptimizedModule`` (``isinstance(m, torch._dynamo.eval_frame.OptimizedModule)``
is how user code detects a compiled model)."""
from ..compiler import OptimizedModule  # noqa: F401
