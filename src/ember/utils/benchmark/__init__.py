"""``ember.utils.benchmark``: time statements (``Timer``), read the results (``Measurement``)
and print many of them side by side (``Compare``), as torch.utils.benchmark.
Not provided: the Fuzzer classes and Callgrind instruction counts (``Timer.collect_callgrind``
raises NotImplementedError), which need PyTorch's C++ tooling."""
from .utils.common import *  # noqa: F401,F403
from .utils.timer import *  # noqa: F401,F403
from .utils.compare import *  # noqa: F401,F403
