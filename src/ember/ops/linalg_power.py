"""matrix_power (ember.matrix_power, ember.linalg.matrix_power, Tensor.matrix_power): A @ A @ ... by
square-and-multiply; n = 0 gives the identity, negative n powers of the inverse."""
import numpy as np

from .arith_support import out_arg
from .linalg_ops import inv, eye_like


def _int_arg(n, fname, pos):
    """PyTorch's TypeError for an ``n`` that is not an int (a 0-dim integer tensor is taken)."""
    if hasattr(n, '_data') and n.ndim == 0 and n._data.dtype.kind in 'iu':
        return int(n._data)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"{fname}(): argument 'n' (position {pos}) must be int, not {type(n).__name__}")
    return n


@out_arg('linalg_matrix_power')
def linalg_matrix_power(input, n, *, out=None):
    """A @ A @ ... (n times); n = 0 gives the identity, negative n powers of the inverse."""
    return _matrix_power(input, _int_arg(n, 'linalg_matrix_power', 2))


@out_arg('matrix_power')
def matrix_power(input, n, *, out=None):
    """ember.matrix_power / Tensor.matrix_power: linalg.matrix_power."""
    return _matrix_power(input, _int_arg(n, 'matrix_power', 2))


def _matrix_power_method(self, n):
    return _matrix_power(self, _int_arg(n, 'matrix_power', 1))


def _matrix_power(A, n):
    from .matmul import matmul
    if A.ndim < 2:
        raise RuntimeError('linalg.matrix_power: The input tensor A must have at least 2 dimensions.')
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f'linalg.matrix_power: A must be batches of square matrices, but they are '
                           f'{A.shape[-2]} by {A.shape[-1]} matrices')
    if n == 0:
        return A.clone().copy_(eye_like(A).expand_as(A))
    if n < 0:
        A, n = inv(A), -n
        if n == 1:
            return A
    if n == 1:
        return A.clone() if A.is_contiguous() else A.contiguous()
    if n == 2:
        return matmul(A, A)
    if n == 3:
        return matmul(matmul(A, A), A)
    z = result = None
    while n > 0:                      # square-and-multiply over the bits of n, lowest first
        bit, n = n % 2, n // 2
        z = A if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return result
