"""FractionalMaxPool2d/3d and F.fractional_max_pool2d/3d against PyTorch with the same
_random_samples (so the windows are the same): values, indices, gradients, errors, shapes."""
import numpy as np
import pytest
import torch

import ember
from helpers import run_gradcheck

LIBS = (ember, torch)


def host(t):
    return t.detach().cpu().numpy()


def data(shape, samples, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(shape).astype(dtype), rng.random(samples).astype(dtype)


@pytest.mark.parametrize('shape,kernel,out,ratio', [
    ((2, 3, 7, 8), 2, (4, 5), None), ((1, 2, 9, 9), (3, 2), None, (0.5, 0.7)), ((3, 7, 8), 2, (6, 7), None),
    ((2, 1, 5, 5), 5, (1, 1), None), ((1, 1, 6, 6), 2, (5, 5), None)])
def test_2d_matches_torch(shape, kernel, out, ratio):
    xa, sa = data(shape, (shape[0] if len(shape) == 4 else 1, shape[-3], 2))
    res = []
    for T in LIBS:
        x = T.tensor(xa, requires_grad=True)
        y, i = T.nn.functional.fractional_max_pool2d(x, kernel, output_size=out, output_ratio=ratio,
                                                     return_indices=True, _random_samples=T.tensor(sa))
        (y * T.arange(float(y.shape[-1]))).sum().backward()        # a different weight per column
        res.append((host(y), host(i), host(x.grad), y.grad_fn.name(), str(i.dtype).split('.')[-1]))
    for a, b in zip(*res):
        assert a == b if isinstance(a, str) else np.array_equal(a, b)


def test_3d_matches_torch():
    for seed in range(3):
        xa, sa = data((1, 2, 5, 6, 7), (1, 2, 3), seed=seed)
        res = []
        for T in LIBS:
            x = T.tensor(xa, requires_grad=True)
            y, i = T.nn.functional.fractional_max_pool3d(x, (2, 2, 3), output_size=(3, 4, 4), return_indices=True,
                                                         _random_samples=T.tensor(sa))
            y.sum().backward()
            res.append((host(y), host(i), host(x.grad), y.grad_fn.name()))
        for a, b in zip(*res):
            assert a == b if isinstance(a, str) else np.array_equal(a, b)


def test_float64_windows_match():
    xa, sa = data((2, 3, 7, 8), (2, 3, 2), np.float64, seed=3)
    got, want = (host(T.nn.functional.fractional_max_pool2d(T.tensor(xa), 3, output_size=(5, 6), return_indices=True,
                                                            _random_samples=T.tensor(sa))[1]) for T in LIBS)
    np.testing.assert_array_equal(got, want)


def test_gradcheck_and_double_backward():
    xa, sa = data((1, 2, 6, 6), (1, 2, 2), np.float64, seed=4)
    s = ember.tensor(sa)
    run_gradcheck(lambda x: ember.nn.functional.fractional_max_pool2d(x, 2, output_size=(4, 4), _random_samples=s),
                  [xa], [True])


@pytest.mark.parametrize('make', [
    lambda T: T.nn.FractionalMaxPool2d(2),
    lambda T: T.nn.FractionalMaxPool2d(2, output_ratio=1.5),
    lambda T: T.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
    lambda T: T.nn.FractionalMaxPool3d(2),
    lambda T: T.nn.functional.fractional_max_pool2d(T.ones(2, 3, 7, 8), 5, output_size=(6, 5)),
    lambda T: T.nn.functional.fractional_max_pool2d(T.ones(2, 3, 7, 8), 2, output_size=(4, 5),
                                                    _random_samples=T.rand(1, 3, 2)),
    lambda T: repr(T.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5))),
    lambda T: repr(T.nn.FractionalMaxPool3d(2, output_size=3)),
    lambda T: tuple(T.nn.FractionalMaxPool2d(2, output_ratio=0.5)(T.ones(2, 3, 8, 9)).shape),
    lambda T: [tuple(t.shape) for t in T.nn.FractionalMaxPool2d(2, output_size=3, return_indices=True)(T.ones(3, 8, 9))],
    lambda T: tuple(T.nn.FractionalMaxPool3d(2, output_ratio=0.5)(T.ones(1, 2, 6, 8, 8)).shape),
])
def test_module_errors_and_shapes(make):
    def outcome(T):
        try:
            return 'ok', make(T)
        except Exception as e:                      # noqa: BLE001 - compared
            return type(e).__name__, str(e)
    assert outcome(ember) == outcome(torch)
