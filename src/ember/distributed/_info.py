"""Facts about the distributed setup: which backends exist, how the process was launched,
the debug level, the default backend per device, how many groups were made, and the
deprecated ``reduce_op`` alias of ``ReduceOp``."""
import enum
import os
import warnings

from ._group import _STATE, is_mpi_available, is_nccl_available
from ._types import ReduceOp

__all__ = ['is_gloo_available', 'is_ucc_available', 'is_xccl_available', 'is_backend_available',
           'is_torchelastic_launched', 'get_node_local_rank', 'get_pg_count',
           'get_default_backend_for_device', 'DebugLevel', 'get_debug_level', 'set_debug_level',
           'set_debug_level_from_env', 'reduce_op']


# ---------------------------------------------------------------- backends
def is_gloo_available():
    """False: ember has no Gloo library (``backend='gloo'`` runs on MPI instead)."""
    return False


def is_ucc_available():
    return False


def is_xccl_available():
    return False


_CHECKS = {'mpi': is_mpi_available, 'nccl': is_nccl_available, 'gloo': is_gloo_available,
           'ucc': is_ucc_available, 'xccl': is_xccl_available}


def _one_available(name):
    check = _CHECKS.get(str(name).lower())
    return check() if check is not None else False


def is_backend_available(backend):
    """True when ``backend`` ('mpi', 'nccl', ...; or per device, 'cpu:mpi,cuda:nccl') can
    be used."""
    name = backend.lower()
    if ':' not in name:
        return _one_available(name)
    parts = [p.split(':', 1) for p in name.split(',')]
    if any(len(p) != 2 or not p[1] for p in parts):
        return False
    return all(_one_available(p[1]) for p in parts)


# ---------------------------------------------------------------- launch environment
def is_torchelastic_launched():
    """True when ``TORCHELASTIC_RUN_ID`` is set (the process was started by torchrun)."""
    return os.getenv('TORCHELASTIC_RUN_ID') is not None


# launchers' names for "this process's rank on its node": torchrun's, then Open MPI's and
# MPICH's (ember jobs are usually started by mpiexec, which sets no LOCAL_RANK)
_LOCAL_RANK_VARS = ('LOCAL_RANK', 'OMPI_COMM_WORLD_LOCAL_RANK', 'MPI_LOCALRANKID')


def get_node_local_rank(fallback_rank=None):
    """This process's rank on its machine (to pick a GPU): ``LOCAL_RANK``, else the rank
    mpiexec gives it on its node, else ``fallback_rank``."""
    for var in _LOCAL_RANK_VARS:
        if var in os.environ:
            return int(os.environ[var])
    if fallback_rank is not None:
        return int(fallback_rank)
    raise RuntimeError(
        'LOCAL_RANK is not in the environment. Consider passing fallback_rank to allow '
        '`get_node_local_rank` to work, assuming you are not running in a multi-device context '
        'and want the code to run locally instead.')


def get_pg_count():
    """Number of process groups made since ``init_process_group`` (0 before it)."""
    if _STATE['pg'] is None:
        return 0
    return _STATE.get('pg_count', len(_STATE['groups']))


_DEVICE_BACKENDS = {'cpu': 'mpi', 'cuda': 'nccl'}


def get_default_backend_for_device(device):
    """The backend ember uses for tensors on ``device``: 'mpi' for CPU, 'nccl' for CUDA."""
    from .._device import device as _device
    kind = device.type if isinstance(device, _device) else _device(device).type
    backend = _DEVICE_BACKENDS.get(kind)
    if backend is None:
        raise ValueError(f'Default backend not registered for device : {device}')
    return backend


# ---------------------------------------------------------------- debug level
class DebugLevel(enum.Enum):
    """How much checking and logging the distributed package does (``TORCH_DISTRIBUTED_DEBUG``).
    ember checks that ranks call matching collectives at every level."""
    OFF = 0
    INFO = 1
    DETAIL = 2

    def __int__(self):
        return self.value

    def __index__(self):
        return self.value


DebugLevel.__module__ = 'ember.distributed'
# read at import like PyTorch (an unknown value is reported by set_debug_level_from_env, not here)
_DEBUG = {'level': DebugLevel.__members__.get(
    os.environ.get('TORCH_DISTRIBUTED_DEBUG', 'OFF').upper(), DebugLevel.OFF)}


def get_debug_level():
    return _DEBUG['level']


def set_debug_level(level):
    if not isinstance(level, DebugLevel):
        raise TypeError('set_debug_level(): incompatible function arguments. The following '
                        'argument types are supported:\n    1. (arg0: ember.distributed.DebugLevel)'
                        ' -> None')
    _DEBUG['level'] = level


def set_debug_level_from_env():
    """Set the level from ``TORCH_DISTRIBUTED_DEBUG`` (OFF, INFO or DETAIL; OFF when unset)."""
    value = os.environ.get('TORCH_DISTRIBUTED_DEBUG')
    if value is None:
        _DEBUG['level'] = DebugLevel.OFF
        return
    level = DebugLevel.__members__.get(value.upper())
    if level is None:
        raise ValueError('The value of TORCH_DISTRIBUTED_DEBUG must be OFF, INFO, or DETAIL.')
    _DEBUG['level'] = level


# ---------------------------------------------------------------- deprecated alias
class _DeprecatedReduceOp:
    """``reduce_op``: the old name of ``ReduceOp`` (every use warns, as in PyTorch)."""

    def __init__(self):
        for name, member in ReduceOp.__members__.items():
            setattr(self, name, member)
        self.__members__ = ReduceOp.__members__

    def __getattribute__(self, key):
        warnings.warn('`ember.distributed.reduce_op` is deprecated, please use '
                      '`ember.distributed.ReduceOp` instead', FutureWarning, stacklevel=2)
        return object.__getattribute__(self, key)


reduce_op = _DeprecatedReduceOp()
