"""Differential tests: ember's tensor printing against real PyTorch's repr."""
import importlib
import math
import pathlib
import sys
import types

import ml_dtypes
import numpy as np
import pytest
import torch

try:
    import ember._tensor_str as ts
except Exception:       # ember/__init__.py missing or broken: load the two modules alone
    _pkg = types.ModuleType('_ember_ts')
    _pkg.__path__ = [str(pathlib.Path(__file__).resolve().parents[1] / 'src' / 'ember')]
    sys.modules['_ember_ts'] = _pkg
    ts = importlib.import_module('_ember_ts._tensor_str')
D = ts._dtype

NAN, INF = float('nan'), float('inf')


class _Device:
    def __init__(self, name):
        self.type = name.split(':')[0]
        self._name = name

    def __str__(self):
        return self._name


class _GradFn:
    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name


class _Fake:
    """The duck-typed tensor that ``tensor_str`` accepts, built from a torch tensor."""

    def __init__(self, t, device='cpu'):
        d = t.detach()
        self._data = (d.float().numpy().astype(ml_dtypes.bfloat16) if d.dtype == torch.bfloat16
                      else d.numpy())
        self.dtype = D.bool_ if d.dtype == torch.bool else getattr(D, str(d.dtype)[6:])
        self.device = _Device(device)
        self.requires_grad = t.requires_grad
        self.is_leaf = t.is_leaf
        self.grad_fn = None if t.grad_fn is None else _GradFn(t.grad_fn.name())


def expected(t):
    return repr(t).replace('torch.', 'ember.')


def check(t):
    assert ts.tensor_str(_Fake(t)) == expected(t)


@pytest.fixture(autouse=True)
def _restore():
    yield
    torch.set_printoptions(profile='default')
    ts.set_printoptions(profile='default')
    torch.set_default_dtype(torch.float32)
    D.set_default_dtype(D.float32)


def both_printoptions(**kw):
    torch.set_printoptions(**kw)
    ts.set_printoptions(**kw)


def randn(shape, seed=0, dtype=torch.float64):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype)


# ------------------------------------------------------------------ random floats

FLOATS = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
SHAPES = [(), (1,), (5,), (16,), (3, 4), (2, 3, 4), (2, 2, 2, 3), (100,), (7, 13)]
SCALES = {'unit': lambda x: x, 'tiny': lambda x: x * 1e-6, 'huge': lambda x: x * 1e9,
          'mixed': lambda x: x * torch.exp(5 * randn(x.shape, seed=7)),
          'ints': lambda x: torch.round(x * 100), 'pos': lambda x: x.abs() + 1}


@pytest.mark.parametrize('scale', list(SCALES))
@pytest.mark.parametrize('shape', SHAPES, ids=str)
@pytest.mark.parametrize('dtype', FLOATS, ids=str)
def test_random_floats(dtype, shape, scale):
    check(SCALES[scale](randn(shape, seed=len(shape) + 3)).to(dtype))


# ------------------------------------------------------------------ integers and bools

INTS = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64]


@pytest.mark.parametrize('shape', [(), (1,), (9,), (30,), (4, 5), (2, 3, 4), (2, 1, 2, 3)], ids=str)
@pytest.mark.parametrize('dtype', INTS, ids=str)
def test_integers(dtype, shape):
    x = randn(shape, seed=1) * 1e4
    if dtype == torch.bool:
        t = x > 0
    else:
        info = torch.iinfo(dtype)
        t = x.clamp(info.min, info.max).to(dtype)
    check(t)


# ------------------------------------------------------------------ special values

SPECIAL = [
    [NAN], [INF], [-INF], [0.], [-0.], [0., -0.], [NAN, 1.], [NAN, 1.5], [INF, -INF, NAN],
    [1., 2., 3.], [-1., 2., -3.], [0.1, 1000.], [0.1, 100.1], [0.5, 500.], [1e-4, 1e-3],
    [9.9e-5, 1.], [1e8, 1.], [1.0000001e8, 1.], [1e-5], [123456789.], [1e300, 1e-300],
    [5e-324, 1.], [1.7e308, -1.7e308], [0.00005, NAN, INF], [9.99995, 1.], [99999.5, 0.5],
    [-0., 1.], [-0., 0.5], [2 ** 60, 1.], [1e16, 3.], [3.14159265, -2.71828], [65504., -65504.],
    [1e-8, 0., -1e-8], [1.5, INF], [1000., 1.], [1001., 1.], [-1e-4, 1.],
]


@pytest.mark.parametrize('dtype', FLOATS, ids=str)
@pytest.mark.parametrize('values', SPECIAL, ids=repr)
def test_special_values(values, dtype):
    check(torch.tensor(values, dtype=torch.float64).to(dtype))


ZERO_DIM = [(v, d) for v in [3., -0., NAN, -INF, 0.125, 1e-7, 12345678.9, 7]
            for d in [torch.float32, torch.float64, torch.int32, torch.int64]
            if d.is_floating_point or math.isfinite(v)]


@pytest.mark.parametrize('value,dtype', ZERO_DIM, ids=str)
def test_zero_dim(value, dtype):
    check(torch.tensor(value).to(dtype))


# ------------------------------------------------------------------ layout: wrapping and suffixes

@pytest.mark.parametrize('n', list(range(1, 31)))
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64, torch.int16])
def test_wrapping_and_suffix_newline(n, dtype):
    check((randn((n,), seed=n) * 50).to(dtype))


@pytest.mark.parametrize('shape', [(2, 12), (3, 2, 9), (2, 2, 2, 11), (1, 40)], ids=str)
def test_wrapping_nested(shape):
    check(randn(shape, seed=4) * 1e3)


@pytest.mark.parametrize('shape', [(0,), (0, 3), (2, 0), (2, 0, 3), (0, 0)], ids=str)
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64, torch.int64, torch.bool,
                                   torch.uint8, torch.bfloat16])
def test_empty(shape, dtype):
    check(torch.zeros(shape, dtype=dtype))


# ------------------------------------------------------------------ summarisation

@pytest.mark.parametrize('shape', [(999,), (1000,), (1001,), (5000,), (10, 100), (10, 101),
                                   (1001, 1), (1, 1001), (2, 501), (10, 10, 10), (10, 10, 11),
                                   (3, 400), (7, 7, 7, 7), (2, 2000)], ids=str)
@pytest.mark.parametrize('dtype', [torch.float32, torch.int64, torch.float16])
def test_summarize(shape, dtype):
    check((randn(shape, seed=5) * 100).to(dtype))


def test_summarize_uses_only_shown_values_for_format():
    t = torch.ones(2000)
    t[1000] = 1e-9      # hidden by '...': must not switch on scientific notation
    check(t)


# ------------------------------------------------------------------ print options

OPTIONS = [dict(precision=2), dict(precision=0), dict(precision=8), dict(sci_mode=True),
           dict(sci_mode=False), dict(threshold=5), dict(threshold=0), dict(edgeitems=1),
           dict(edgeitems=0), dict(edgeitems=0, threshold=5), dict(linewidth=40),
           dict(linewidth=200), dict(linewidth=10), dict(profile='short'),
           dict(profile='full'), dict(profile='short', precision=5),
           dict(threshold=10, edgeitems=2, linewidth=50, sci_mode=True)]


@pytest.mark.parametrize('kw', OPTIONS, ids=repr)
@pytest.mark.parametrize('shape', [(), (12,), (4, 6), (3, 3, 5), (1200,)], ids=str)
def test_printoptions(kw, shape):
    t = randn(shape, seed=9) * 3
    both_printoptions(**kw)
    check(t)
    check(t.double())
    check((t * 100).to(torch.int32))


def test_get_set_printoptions_roundtrip():
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    both_printoptions(precision=6, sci_mode=True)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    both_printoptions(linewidth=100)        # like torch, resets sci_mode to None
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    both_printoptions(profile='full')
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager():
    t = randn((5,), seed=2)
    before = ts.get_printoptions()
    with ts.printoptions(precision=1, sci_mode=True), torch._tensor_str.printoptions(
            precision=1, sci_mode=True):
        assert ts.get_printoptions()['precision'] == 1
        check(t)
    assert ts.get_printoptions() == before
    check(t)


# ------------------------------------------------------------------ default dtype

@pytest.mark.parametrize('dtype', [torch.float32, torch.float64, torch.float16, torch.int64])
@pytest.mark.parametrize('shape', [(), (4,), (0,), (2, 3)], ids=str)
def test_default_dtype_float64(dtype, shape):
    t = (randn(shape, seed=3) * 10).to(dtype)
    torch.set_default_dtype(torch.float64)
    D.set_default_dtype(D.float64)
    check(t)


# ------------------------------------------------------------------ autograd suffixes

OPS = {'mul': lambda x: x * 2, 'mean': lambda x: x.mean(), 'sum': lambda x: x.sum(0),
       'index': lambda x: x[0], 'exp': torch.exp, 'leaf': lambda x: x}


@pytest.mark.parametrize('op', list(OPS))
@pytest.mark.parametrize('shape', [(3,), (2, 4), (14,), (2, 8)], ids=str)
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_grad_suffixes(op, shape, dtype):
    x = (randn(shape, seed=6) * 1e3).to(dtype).requires_grad_()
    check(OPS[op](x))


def test_requires_grad_false_non_leaf_shows_nothing():
    fake = _Fake(torch.ones(2))
    fake.is_leaf = False
    assert ts.tensor_str(fake) == 'tensor([1., 1.])'


# ------------------------------------------------------------------ device suffix

def _torch_with_suffixes(t, suffixes):
    """What torch prints for ``t`` with extra suffixes (torch here has no CUDA device)."""
    body = 'tensor(' + torch._tensor_str._tensor_str(t.detach(), 7)
    return torch._tensor_str._add_suffixes(body, suffixes, 7, False).replace('torch.', 'ember.')


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64, torch.int64])
@pytest.mark.parametrize('n', [0, 3, 12, 14])
@pytest.mark.parametrize('grad', [False, True])
def test_cuda_device_suffix(dtype, n, grad):
    t = (randn((n,), seed=8) * 30).to(dtype)
    fake = _Fake(t, device='cuda:0')
    suffixes = ["device='cuda:0'"]
    if n == 0 and dtype != torch.float32:
        suffixes.append(f'dtype={dtype}')
    elif n and dtype == torch.float64:
        suffixes.append(f'dtype={dtype}')
    if grad:
        fake.grad_fn = _GradFn('AddBackward0')
        suffixes.append('grad_fn=<AddBackward0>')
    assert ts.tensor_str(fake) == _torch_with_suffixes(t, suffixes)


def test_host_copies_non_numpy_arrays():
    class DeviceArray:          # the part of the CuPy interface _host uses
        def __init__(self, a):
            self.a = a

        def get(self):
            return self.a

    a = np.arange(3.0)
    assert ts._host(a) is a
    fake = _Fake(torch.arange(3.0))
    fake._data = DeviceArray(fake._data)
    assert ts.tensor_str(fake) == 'tensor([0., 1., 2.])'
