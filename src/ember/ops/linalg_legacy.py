"""The legacy top-level forms of linalg functions: ``ember.cross`` (whose ``dim`` may be left out,
deprecated) and ``ember.chain_matmul`` (deprecated for linalg.multi_dot); exported by linalg_ops."""
from ..amp import autocast_mode as _amp  # autocast hook
from .arith_support import out_arg
from .from_data import _warn_once, user_stacklevel
from .._tensor import Tensor
from .argcheck import need_tensors


@out_arg('cross')
def cross(input, other, dim=None, *, out=None):
    """linalg.cross along ``dim``; without ``dim`` (deprecated) the first dim of size 3."""
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        need_tensors('cross', (input, other))
    if _amp.state.on and _amp.promote('cross', (input, other)):  # autocast hook (ember.amp)
        return _amp.call_promote(cross, input, other, dim, out=out)
    from ..linalg import cross as linalg_cross
    if dim is None:
        _warn_once('Using ember.cross without specifying the dim arg is deprecated.\nPlease either pass the dim '
                   'explicitly or simply use ember.linalg.cross.\nThe default value of dim will change to agree '
                   'with that of linalg.cross in a future release.', user_stacklevel() + 1)
        dim = next((i for i, s in enumerate(input.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError('no dimension of size 3 in input')
    return linalg_cross(input, other, dim=dim)


def cross_method(self, other, dim=None):
    """``t.cross(other)``: PyTorch's message counts the arguments after the tensor."""
    if other.__class__ is not Tensor:
        need_tensors('cross', (self, other), method=True)
    return cross(self, other, dim)


def _multi_dot_out_error(out, r):
    from ..linalg import multi_dot_out_error
    return multi_dot_out_error(out, r)


@out_arg('chain_matmul', _multi_dot_out_error)
def chain_matmul(*matrices, out=None):
    """Deprecated form of linalg.multi_dot taking the matrices as arguments."""
    _warn_once('ember.chain_matmul is deprecated and will be removed in a future PyTorch release. Use '
               'ember.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple '
               'parameters.', 4)
    if not matrices:
        raise RuntimeError('chain_matmul(): Expected one or more matrices')
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f'Tensor dimension is {t.ndim}, expected 2 instead.')
    if len(matrices) == 1:
        return matrices[0].clone()
    from ..linalg import multi_dot
    return multi_dot(list(matrices))
