"""``torch.utils.data._utils``: ember keeps collate, fetch and worker one level up; they are
registered here under torch's names so that imports such as
``from torch.utils.data._utils.collate import default_collate_fn_map`` work. ``pin_memory``
and ``signal_handling`` are real submodules."""
import atexit
import sys

from .. import collate, fetch, worker
from ..worker import MP_STATUS_CHECK_INTERVAL, ExceptionWrapper
from . import pin_memory, signal_handling

IS_WINDOWS = signal_handling.IS_WINDOWS
HAS_NUMPY = True             # numpy is a dependency of ember
python_exit_status = False   # True once the interpreter is exiting (read by the worker shutdown code)


def _set_python_exit_flag():
    global python_exit_status
    python_exit_status = True


atexit.register(_set_python_exit_flag)

__all__ = ['ExceptionWrapper', 'HAS_NUMPY', 'IS_WINDOWS', 'MP_STATUS_CHECK_INTERVAL', 'collate', 'fetch',
           'pin_memory', 'python_exit_status', 'signal_handling', 'worker']

for _m in (collate, fetch, worker):
    sys.modules[f'{__name__}.{_m.__name__.rsplit(".", 1)[1]}'] = _m
