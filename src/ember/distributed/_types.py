"""``ReduceOp`` and ``Backend``: the small enums of the distributed API."""
import enum

__all__ = ['ReduceOp', 'Backend']


class ReduceOp(enum.Enum):
    """How ``all_reduce``/``reduce``/``reduce_scatter`` combine the ranks' tensors."""
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __repr__(self):
        return f'<RedOpType.{self.name}: {self.value}>'

    def __str__(self):
        return f'RedOpType.{self.name}'


class Backend(str):
    """Backend name: ``Backend('MPI') == 'mpi' == Backend.MPI``."""
    UNDEFINED = 'undefined'
    GLOO = 'gloo'
    NCCL = 'nccl'
    MPI = 'mpi'
    backend_list = ['mpi', 'nccl']

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f'Backend constructor parameter must be string-ish, but got: {type(name)}')
        value = name.lower()
        if value not in ('mpi', 'nccl', 'gloo', 'undefined'):
            raise ValueError(f"Invalid backend: '{name}'")
        return str.__new__(cls, value)
