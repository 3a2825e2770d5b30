"""Operators between a tensor and a NumPy array behave as in PyTorch: the tensor's operators decline
an array (except ==, which compares with it, and /, reflected as the reciprocal times the array), so
NumPy's own operator decides: ``t + arr`` is NumPy's result wrapped as a tensor (float64 for a float64
array), ``arr - t`` or ``t < arr`` raise TypeError, ``t += arr`` rebinds to a new tensor."""
import operator as O
import warnings

import numpy as np
import pytest
import torch

import ember

OPS = [O.add, O.sub, O.mul, O.truediv, O.floordiv, O.mod, O.pow, O.matmul, O.lt, O.le, O.gt, O.ge, O.eq,
       O.ne, O.iadd, O.isub, O.imul, O.itruediv]
BITS = [O.and_, O.or_, O.xor, O.iand]
ARRAYS = {'1d_f64': np.array([1.5, -2.0, 3.0]), '0d_f64': np.array(2.0), '1d_i64': np.array([1, 2, 3]),
          '1d_f32': np.array([0.5, 4.0, -1.0], np.float32)}


def _seen(T, op, order, arr, bits):
    t = T.tensor([3, 1, 2]) if bits else T.tensor([1.0, 2.0, 4.0])
    a = np.array([1, 3, 7]) if bits else arr.copy()
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            r = op(t, a) if order == 'ta' else op(a, t)
        except Exception as e:          # noqa: BLE001 (the error is compared)
            return ('raises', type(e).__name__, str(e).split('\n')[0])
    if isinstance(r, (T.Tensor, np.ndarray)):
        v = np.asarray(r.numpy() if isinstance(r, T.Tensor) else r)
        return type(r).__name__.replace('ndarray', 'array'), str(r.dtype).split('.')[-1], v.tolist()
    return type(r).__name__, r


@pytest.mark.parametrize('order', ['ta', 'at'])
@pytest.mark.parametrize('arr', list(ARRAYS))
@pytest.mark.parametrize('op', OPS + BITS, ids=lambda o: o.__name__)
def test_operator_with_array_as_torch(op, arr, order):
    bits = op in BITS
    if bits and arr != '1d_i64':
        pytest.skip('one array suffices for the bitwise operators')
    assert _seen(ember, op, order, ARRAYS[arr], bits) == _seen(torch, op, order, ARRAYS[arr], bits)


def test_numpy_scalars_still_act_as_numbers():
    for T in (ember, torch):
        t = T.tensor([1.0, 2.0])
        assert (t + np.float64(2)).dtype == T.float32 and (np.float32(2) * t).dtype == T.float32
        assert (t < np.int64(2)).tolist() == [True, False]
