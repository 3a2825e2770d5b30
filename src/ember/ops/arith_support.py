"""Helpers of the arithmetic functions in ``arith.py``: writing a result into ``out=`` with
PyTorch's checks, and handing an op with a sparse COO operand to ``ember.sparse``."""
import numpy as np


def check_out(out, result, name='add', exact=False):
    """Write ``result`` into the ``out=`` tensor of function ``name``, with PyTorch's checks
    (``exact``: the out dtype must equal the result's)."""
    from ._op import write_into, cast_check
    from ..autograd.grad_mode import is_grad_enabled
    if is_grad_enabled() and result.requires_grad:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if exact and out.dtype != result.dtype:
        from .._tensor import _scalar_name
        raise RuntimeError(f'Found dtype {_scalar_name(out.dtype)} but expected {_scalar_name(result.dtype)}')
    cast_check(result._data.dtype, out)
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    write_into(out, result._data)
    return out


def scalar_tensor(v, like):
    from .creation import scalar_tensor as make
    return make(v, like)


def sparse_op(name, a, b, **kw):
    """Called from a dense op's NotImplementedError handler: ``ember.sparse`` runs it when an
    operand is sparse, else the dense op's own error is raised again."""
    from ..sparse import dispatch
    return dispatch(name, a, b, **kw)
