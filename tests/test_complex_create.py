"""Differential tests: making, converting and comparing complex tensors, against torch
(random numbers and saving: test_complex_random_io.py).

``same(expr)`` evaluates an expression over ``T`` (torch or ember) and compares the results:
tensors by dtype, shape, values, requires_grad and grad_fn name; other results by value;
exceptions by type and message; warnings by category and first line. PyTorch warns about
complex -> real casts once per process, so that warning is checked on its own (test_cast_warning).
"""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.ops import from_data
from helpers import check, case, cplx

NAN, INF = float('nan'), float('inf')
CAST = 'Casting complex values to real discards the imaginary part'


def _run(lib, expr):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            out = eval(expr, {'T': lib, 'np': np, 'NAN': NAN, 'INF': INF, 'math': math})
        except Exception as e:      # noqa: BLE001 (the error itself is compared)
            out = ('raised', type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.'))
    warned = [(x.category.__name__, str(x.message).split(' (Triggered')[0].split('\n')[0]) for x in w
              if not str(x.message).startswith(CAST)]
    return out, warned


def _host(t):
    t = t.detach().cpu()
    return (t.float() if str(t.dtype).endswith('bfloat16') else t).numpy()


def _compare(e, t, where):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f'{where}: ember gave {e!r}'
        assert str(e.dtype) == str(t.dtype).replace('torch', 'ember'), f'{where}: dtype {e.dtype} != {t.dtype}'
        assert tuple(e.shape) == tuple(t.shape), f'{where}: shape'
        assert e.requires_grad == t.requires_grad, f'{where}: requires_grad'
        assert (e.grad_fn and e.grad_fn.name()) == (t.grad_fn and t.grad_fn.name()), f'{where}: grad_fn'
        tol = 1e-12 if t.dtype in (torch.float64, torch.complex128) else 1e-6
        np.testing.assert_allclose(_host(e), _host(t), rtol=tol, atol=tol, equal_nan=True, err_msg=where)
    elif isinstance(t, torch.Size):
        assert type(e).__name__ == 'Size' and tuple(e) == tuple(t), where
    elif isinstance(t, (tuple, list)) and not (t and t[0] == 'raised'):
        assert type(e) is type(t) and len(e) == len(t), f'{where}: {e!r} != {t!r}'
        for x, y in zip(e, t):
            _compare(x, y, where)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t).replace('torch', 'ember'), where
    elif isinstance(t, float) and math.isnan(t):
        assert isinstance(e, float) and math.isnan(e), where
    else:
        if isinstance(t, str):
            t = t.replace('torch', 'ember')
        assert e == t and type(e) is type(t), f'{where}: ember {e!r} != torch {t!r}'


def same(expr):
    (t, tw), (e, ew) = _run(torch, expr), _run(ember, expr)
    _compare(e, t, expr)
    assert ew == [(c, m.replace('torch.', 'ember.')) for c, m in tw], f'{expr}: warnings {ew} != {tw}'


CREATE = [
    # from data
    'T.tensor(1+2j)', 'T.tensor([1+2j, 3])', 'T.tensor([[1j], [2]])', 'T.tensor([1j, True])',
    'T.tensor([1., 2.], dtype=T.cfloat)', 'T.tensor([1, 2], dtype=T.cdouble)', 'T.tensor([True, False], dtype=T.complex64)',
    'T.tensor([1+1j, 2], dtype=T.float32)', 'T.tensor([1+1j, 2], dtype=T.int64)', 'T.tensor(1+1j, dtype=T.float64)',
    'T.tensor(1+1j, dtype=T.int32)', 'T.tensor([[1+1j, 2]], dtype=T.float16)', 'T.tensor([1, 2j], dtype=T.uint8)',
    'T.tensor([1j], dtype=T.bool)', 'T.tensor([0j, 2], dtype=T.bool)',
    'T.tensor(np.complex64(1+2j))', 'T.tensor(np.complex128(1+2j))', 'T.tensor([np.complex64(1+2j), 3])',
    'T.tensor([np.complex128(1j), 2.0])', 'T.tensor([np.float64(1.5), 2j])',
    'T.tensor([np.complex128(1j), 2], dtype=T.int64)',
    'T.tensor(np.array(1+2j, dtype=np.complex64))', 'T.tensor(np.array([[1+2j]], dtype=np.complex128))',
    'T.tensor(np.array([1+1j]), dtype=T.bool)', 'T.tensor(np.array([1+1j]), dtype=T.complex64)',
    'T.tensor([T.tensor(1.), 2j])', 'T.tensor([T.tensor(1+1j), 2])', 'T.tensor([[T.tensor(1+1j)], [2.]])',
    'T.tensor([T.tensor(1j)], dtype=T.float32)', 'T.tensor([T.tensor(1j), 2], dtype=T.float32)',
    'T.tensor([T.tensor(1+0j)], dtype=T.float32)', 'T.tensor([T.tensor(1j)], dtype=T.int64)',
    'T.tensor([T.tensor([1+1j, 2j]), T.tensor([1, 2])])', 'T.tensor([1j, None])', 'T.tensor([(1+2j), "3"])',
    'T.as_tensor([1+2j, 3])', 'T.as_tensor(np.array([1+2j]))', 'T.as_tensor(np.array([1+2j]), dtype=T.complex64)',
    'T.as_tensor([1j, 2], dtype=T.float32)', 'T.as_tensor(T.tensor([1j, 2]), dtype=T.complex128)',
    'T.from_numpy(np.array([1+2j], dtype=np.complex64))', 'T.from_numpy(np.array([[1j]], dtype=np.complex128))',
    # factories
    'T.zeros(2, 3, dtype=T.cfloat)', 'T.ones(2, dtype=T.cdouble)', 'T.empty(2, dtype=T.cfloat).shape',
    'T.empty(2, 3, dtype=T.cdouble).dtype', 'T.zeros(2, dtype=T.complex64, requires_grad=True)',
    'T.eye(2, 3, dtype=T.complex64)', 'T.eye(2, dtype=T.cdouble)',
    'T.full((2,), 1j)', 'T.full((2,), 1j, dtype=T.complex128)', 'T.full((2,), 2.5, dtype=T.complex64)',
    'T.full((2,), True, dtype=T.complex64)', 'T.full((2,), 5, dtype=T.complex64)',
    'T.full((2,), T.tensor(1j))', 'T.full((2,), T.tensor(1+1j, dtype=T.complex128))',
    'T.full((2,), np.complex128(1+1j), dtype=T.complex64)', 'T.full((2,), INF, dtype=T.complex64)',
    'T.full((2,), 1+0j, dtype=T.float32)', 'T.full((2,), 1+0j, dtype=T.int64)', 'T.full((2,), 1j, dtype=T.bool)',
    'T.full((2,), complex(NAN, 0), dtype=T.float32)', 'T.full((2,), complex(1.5, 0), dtype=T.int64)',
    'T.full((2,), 1+1j, dtype=T.float32)', 'T.full((2,), 1j, dtype=T.uint8)', 'T.full((2,), 1j, dtype=T.float16)',
    'T.full((2,), 1j, dtype=T.bfloat16)', 'T.full((2,), 1j, dtype=T.float64)', 'T.full((2,), 1j, dtype=T.int32)',
    'T.full((1,), 1j, dtype=T.int64)', 'T.full((2,), complex(1, NAN), dtype=T.float32)',
    'T.full((2,), complex(NAN, 0), dtype=T.int64)', 'T.full((2,), complex(3e9, 0), dtype=T.int32)',
    'T.full((2,), complex(1e300, 1), dtype=T.complex64)', 'T.full((2,), 1e300, dtype=T.complex64)',
    'T.full((2,), complex(INF, 1e300), dtype=T.complex64)', 'T.full((2,), 1e300+0j, dtype=T.complex128)',
    'T.zeros_like(T.tensor([1+2j]))', 'T.ones_like(T.tensor([1., 2.]), dtype=T.cfloat)',
    'T.empty_like(T.tensor([1j])).dtype', 'T.full_like(T.tensor([1+2j]), 3-1j)', 'T.full_like(T.tensor([1., 2.]), 3-1j)',
    'T.zeros_like(T.tensor([[1j, 2]]).t())', 'T.tensor([1+2j]).new_zeros(2)', 'T.tensor([1+2j]).new_ones(2, dtype=T.float32)',
    'T.tensor([1+2j]).new_full((2,), 3)', 'T.tensor([1+2j]).new_tensor([1, 2])', 'T.tensor([1., 2.]).new_full((2,), 3j)',
    'T.tensor([1., 2.]).new_tensor([1j, 2])',
    'T.scalar_tensor(1j, dtype=T.complex128)', 'T.scalar_tensor(2, dtype=T.complex64)', 'T.scalar_tensor(1j)',
    'T.scalar_tensor(1+0j)', 'T.scalar_tensor(1j, dtype=T.int64)', 'T.scalar_tensor(1e300, dtype=T.complex64)',
    'T.scalar_tensor(1e300)', 'T.scalar_tensor(200, dtype=T.int8)', 'T.scalar_tensor(2.5, dtype=T.int8)',
    # ranges
    'T.linspace(0, 1+1j, 7)', 'T.linspace(0.1, 1+1j, 7, dtype=T.cdouble)', 'T.linspace(0, 1, 5, dtype=T.cfloat)',
    'T.linspace(1j, 1+1j, 3, dtype=T.cdouble)', 'T.linspace(T.tensor(0j), 1, 3)', 'T.linspace(0, 1j, 1)',
    'T.linspace(0, 1j, 0)', 'T.linspace(0, 1j, 3, requires_grad=True)', 'T.linspace(-3j, 5+2j, 11)',
    'T.linspace(0, 1+1j, 3, dtype=T.float32)', 'T.linspace(0, 1+0j, 3, dtype=T.int64)',
    'T.logspace(0, 1+0j, 3, dtype=T.float32)', 'T.logspace(0, 1j, 3)', 'T.logspace(0, 1j, 3, base=2)',
    'T.logspace(0, 2, 3, dtype=T.cfloat)', 'T.logspace(0, 2, 3, dtype=T.cdouble)', 'T.logspace(-1, 2+1j, 5, dtype=T.cdouble)',
    'T.arange(0, 5, dtype=T.cfloat)', 'T.arange(0, 5, dtype=T.cdouble)', 'T.arange(0, 5+1j)', 'T.arange(0, 5+0j)',
    'T.arange(0, 5, 1j)', 'T.arange(5+0j)',
]


@pytest.mark.parametrize('expr', CREATE)
def test_create(expr):
    same(expr)


def test_float64_default_flips_complex():
    for lib in (torch, ember):
        lib.set_default_dtype(lib.float64)
    try:
        for expr in ['T.tensor([1j])', 'T.full((2,), 1j)', 'T.linspace(0, 1j, 3)', 'T.scalar_tensor(1j, dtype=T.cfloat)',
                     'T.linspace(0, 1j, 3, dtype=T.float32)', 'T.randn(2, dtype=T.cdouble).dtype']:
            same(expr)
    finally:
        for lib in (torch, ember):
            lib.set_default_dtype(lib.float32)


CONVERT = [
    'T.tensor([1., 2.]).to(T.complex64)', 'T.tensor([1., 2.], dtype=T.float64).to(T.complex64)',
    'T.tensor([1, 2]).to(T.cdouble)', 'T.tensor([True]).to(T.cfloat)', 'T.tensor([1., 2.]).type(T.cfloat)',
    'T.tensor([1j]).type()', 'T.tensor([1j], dtype=T.cdouble).type()', 'T.tensor([1.]).type("torch.ComplexFloatTensor")',
    'T.tensor([1.]).type("torch.ComplexDoubleTensor")', 'T.tensor([1.]).type("torch.ComplexBadTensor")',
    'T.tensor([1., 2.]).cfloat()', 'T.tensor([1., 2.]).cdouble()', 'T.tensor([1j], dtype=T.cdouble).cfloat()',
    'T.tensor([1.5-2j]).float()', 'T.tensor([1.5-2j]).double()', 'T.tensor([1.5-2j]).long()', 'T.tensor([1.5-2j]).half()',
    'T.tensor([1.5-2j]).bfloat16()', 'T.tensor([1.5-2j, 0j]).bool()', 'T.tensor([1.5-2j]).to(T.float32)',
    'T.tensor([1.5-2j]).type(T.float64)', 'T.tensor([1.5-2j]).type_as(T.tensor([1]))', 'T.tensor([1., 2.]).type_as(T.tensor([1j]))',
    'T.tensor([-1.7j, 2.9]).int()', 'T.tensor([1.5j]).byte()', 'T.tensor([1.5-2j]).to("cpu", T.float64)',
    'T.tensor([1.5-2j]).to(T.complex64)', 'T.tensor([1.5-2j]).to(T.complex128)', 'T.tensor([1.5-2j]).to(T.complex64, copy=True)',
    'T.tensor([1.5-2j], requires_grad=True).float()', 'T.tensor([1.5], requires_grad=True).to(T.cfloat)',
    'T.tensor([1.5], requires_grad=True).cdouble()', 'T.tensor([1.5-2j], requires_grad=True).to(T.complex128)',
    'T.tensor([1.5-2j], requires_grad=True).long()',
    'complex(T.tensor(1.5-2j))', 'complex(T.tensor([1.5-2j]))', 'complex(T.tensor(1.5))', 'float(T.tensor(1.5-2j))',
    'int(T.tensor(1.5-2j))', 'float(T.tensor(1.5+0j))', 'int(T.tensor(-2.5+0j))', 'float(T.tensor([1j, 2]))',
    'T.tensor(1.5-2j).__index__()', 'bool(T.tensor(0j))', 'bool(T.tensor(1j))', 'bool(T.tensor([0.5j]))', 'bool(T.tensor([1j, 1]))',
    'T.tensor([1.5-2j]).numpy()', 'T.tensor([1.5-2j], dtype=T.cdouble).numpy()', 'T.tensor([1j], requires_grad=True).numpy()',
    'T.tensor([1.5-2j]).tolist()', 'T.tensor([[1.5-2j]], dtype=T.cdouble).tolist()', 'T.tensor(1.5-2j).tolist()',
    'T.tensor(1.5-2j).item()', 'T.tensor([1.5-2j]).item()', 'T.tensor([1j, 2]).item()',
    'T.tensor([1.5-2j]).is_complex()', 'T.tensor([1.5-2j]).is_floating_point()', 'T.tensor([1.5-2j]).element_size()',
    'T.tensor([1.5-2j], dtype=T.cdouble).element_size()', 'T.cfloat.itemsize', 'T.complex64.is_floating_point',
    'T.finfo(T.cfloat).eps', 'T.finfo(T.complex128).max',
]


@pytest.mark.parametrize('expr', CONVERT)
def test_convert(expr):
    same(expr)


def test_cast_warning():
    """Complex -> real casts warn (UserWarning, once per process, as PyTorch's TORCH_WARN_ONCE)."""
    for make in (lambda: ember.tensor([1 + 2j]).float(), lambda: ember.tensor([1j]).to(ember.int64),
                 lambda: ember.tensor(np.array([1 + 1j]), dtype=ember.float32)):
        from_data._WARNED[0] = False
        with pytest.warns(UserWarning, match=CAST):
            make()
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            make()                              # warned once already
    from_data._WARNED[0] = False
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ember.tensor([1j, 2]).bool()            # to bool: no part is discarded
        ember.tensor([1.]).cfloat()


GRADS = [
    case('to_cdouble', lambda T, x: x.to(T.complex128), [(3, 4)]),
    case('cdouble_mul', lambda T, x: x.cdouble() * (1 + 2j), [(3, 4)]),
    case('cfloat', lambda T, x: x.cfloat(), [(3, 4)], gradcheck=False),
    case('type_cdouble', lambda T, x: x.type(T.complex128), [(3,)]),
    case('to_float64', lambda T, x: x.to(T.float64), [cplx((3, 4), dtype=np.complex128)]),
    case('double_mul', lambda T, x: x.double() * 2, [cplx((3, 4), dtype=np.complex128)]),
    case('float', lambda T, x: x.float(), [cplx((3, 4))], gradcheck=False),
    case('c128_to_c64', lambda T, x: x.to(T.complex64), [cplx((3, 4), dtype=np.complex128)], gradcheck=False),
    case('c64_to_c128', lambda T, x: x.to(T.complex128), [cplx((3, 4))], gradcheck=False),
    case('roundtrip', lambda T, x: x.cdouble().double(), [np.arange(6.).reshape(2, 3)]),
    case('noncontig', lambda T, x: x.t().cdouble(), [(3, 4)]),
]


@pytest.mark.parametrize('fn,specs,kw', GRADS)
def test_cast_grad(fn, specs, kw):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        check(fn, specs, **kw)


CLOSE = [
    'T.isclose(T.tensor([1+1j, 2+2j]), T.tensor([1+1j, 2+2.1j]))',
    'T.isclose(T.tensor([1+1j, 2+2j]), T.tensor([1+1j, 2+2.1j]), atol=0.2)',
    'T.isclose(T.tensor([1+1j, 2+2j]), T.tensor([1., 2.]))',
    'T.isclose(T.tensor([1+1j, 2+2j]), T.tensor([1+1j, 2+2j], dtype=T.cdouble))',
    'T.isclose(T.tensor([complex(NAN, 1)]), T.tensor([complex(NAN, 1)]), equal_nan=True)',
    'T.isclose(T.tensor([complex(NAN, 1)]), T.tensor([complex(1, NAN)]), equal_nan=True)',
    'T.isclose(T.tensor([complex(NAN, 1)]), T.tensor([complex(NAN, 1)]))',
    'T.isclose(T.tensor([complex(INF, 1)]), T.tensor([complex(INF, 1)]))',
    'T.isclose(T.tensor([complex(INF, 1)]), T.tensor([complex(INF, 2)]))',
    'T.isclose(T.tensor([complex(INF, INF)]), T.tensor([complex(INF, INF)]))',
    'T.isclose(T.tensor([1+1j]), 1+1j)', 'T.isclose(T.tensor([1+1j]), T.tensor(1+1j))',
    'T.isclose(T.tensor([1+1j]), T.tensor([1+1.00001j]), rtol=0, atol=1e-6)',
    'T.isclose(T.tensor([3+4j]), T.tensor([3+4.05j]), rtol=0.01, atol=0)',
    'T.isclose(T.tensor([3+4j]), T.tensor([3+4.06j]), rtol=0.01, atol=0)',
    'T.isclose(T.tensor([1+1j], dtype=T.cdouble), T.tensor([1+1.0000001j], dtype=T.cdouble))',
    'T.isclose(T.tensor([1+1j]), T.tensor([1]))', 'T.isclose(T.tensor([1+1j]), T.tensor([1+1j]), rtol=-1)',
    'T.allclose(T.tensor([1+1j, 2+2j]), T.tensor([1+1j, 2+2.1j]))', 'T.allclose(T.tensor([1+1j, 2+2j]), T.tensor([1+1j, 2+2j]))',
    'T.allclose(T.tensor([1+1j, 2+2j]), T.tensor([1., 2.]))', 'T.tensor([1+1j]).isclose(T.tensor([1+1j]))',
    'T.tensor([1+1j]).allclose(T.tensor([1+1j]))', 'T.equal(T.tensor([1+1j]), T.tensor([1+1j]))',
    'T.equal(T.tensor([1+1j]), T.tensor([1+2j]))', 'T.equal(T.tensor([1+0j]), T.tensor([1.]))',
    'T.equal(T.tensor([1+1j]), T.tensor([1+1j], dtype=T.cdouble))', 'T.tensor([1+1j]).equal(T.tensor([1+1j]))',
    'T.tensor([1+1j, 2]) == 1+1j', 'T.tensor([1+1j, 2]) == 2', 'T.tensor([1+1j, 2]) != 1+1j', 'T.tensor([1., 2]) == 1+0j',
    'T.tensor([1., 2]) == 1j', 'T.tensor([1+1j, 2]).eq(T.tensor([1+1j, 2+1j]))', 'T.tensor([1+1j, 2]).ne(T.tensor(2+0j))',
    'T.eq(T.tensor([1+1j]), 1+1j)', 'T.tensor([1+1j, 2]).eq(T.tensor([True, False]))',
]


@pytest.mark.parametrize('expr', CLOSE)
def test_closeness(expr):
    same(expr)


def _assert_close_outcome(lib, a, e, kw):
    try:
        __import__(lib.__name__ + '.testing').testing.assert_close(a, e, **kw)
        return 'OK'
    except Exception as ex:     # noqa: BLE001
        return f'{type(ex).__name__}: {ex}'.replace('torch', 'ember')


ASSERT_CLOSE = [
    ('T.tensor([1+1j, 2+2j])', 'T.tensor([1+1j, 2+2.1j])', {}),
    ('T.tensor([1+1j, 2+2j])', 'T.tensor([1+1j, 2+2j])', {}),
    ('T.tensor(1+1j)', 'T.tensor(1+1.1j)', {}),
    ('T.tensor([[1+1j, 2+2j], [3j, 0j]])', 'T.tensor([[1+1j, 2+2j], [3.5j, 1j]])', {}),
    ('T.tensor([1+1j])', 'T.tensor([1+1j], dtype=T.cdouble)', {}),
    ('T.tensor([1+1j])', 'T.tensor([1.])', {}),
    ('T.tensor([1+1j])', 'T.tensor([1+1j], dtype=T.cdouble)', dict(check_dtype=False)),
    ('T.tensor([1+1j])', 'T.tensor([1.])', dict(check_dtype=False)),
    ('T.tensor([complex(NAN, 1)])', 'T.tensor([complex(1, NAN)])', {}),
    ('T.tensor([complex(NAN, 1)])', 'T.tensor([complex(1, NAN)])', dict(equal_nan=True)),
    ('T.tensor([1+1j, 2+2j])', 'T.tensor([1+1j, 2+2.00001j])', {}),
    ('T.tensor([1+1j, 2+2j], dtype=T.cdouble)', 'T.tensor([1+1j, 2+2.0000001j], dtype=T.cdouble)', {}),
    ('T.tensor([1+1j, 0j])', 'T.tensor([1.+1j, 1e-3j])', {}),
    ('T.tensor([1+1j, 0j, 5])', 'T.tensor([1.+1j, 1e-3j, 6])', dict(rtol=0, atol=0)),
    ('T.tensor([3+4j])', 'T.tensor([0j])', {}), ('T.tensor(3+4j)', 'T.tensor(0j)', {}),
    ('T.tensor([3+4j, 1j])', '1j', {}), ('[T.tensor([3+4j])]', '[T.tensor([3+4.5j])]', {}),
    ('{"a": T.tensor([3+4j])}', '{"a": T.tensor([3+4.5j])}', {}),
    ('T.tensor([3+4j])', 'np.array([3+4j])', {}), ('np.array([3+4j])', 'np.array([3+4.5j])', {}),
    ('1+1j', '1+1.1j', {}), ('1+1j', '1+1j', {}), ('1+1j', '1.0', {}), ('1.0', '1+1e-9j', {}), ('1', '1.0', {}),
    ('1+1j', '1+1.1j', dict(rtol=0.1, atol=0)), ('1', '1.0', dict(check_dtype=False)), ('1', '2.0', dict(check_dtype=False)),
    ('1+1j', '1.0', dict(check_dtype=False)), ('1+0j', '1.0', dict(check_dtype=False)), ('True', 'False', {}),
    ('1', '2', {}), ('complex(NAN, 0)', 'complex(0, NAN)', dict(equal_nan=True)), ('complex(NAN, 0)', 'complex(0, NAN)', {}),
    ('complex(INF, 0)', 'complex(INF, 0)', {}), ('complex(INF, 1)', 'complex(INF, 0)', {}), ('1j', '0j', {}),
]


@pytest.mark.parametrize('a,e,kw', ASSERT_CLOSE)
def test_assert_close(a, e, kw):
    outs = []
    for lib in (torch, ember):
        env = {'T': lib, 'np': np, 'NAN': NAN, 'INF': INF}
        outs.append(_assert_close_outcome(lib, eval(a, env), eval(e, env), kw))
    assert outs[1] == outs[0]


def test_make_tensor_complex():
    t = ember.testing.make_tensor(2000, device='cpu', dtype=ember.cfloat, low=-2, high=3)
    a = t.numpy()
    assert t.dtype is ember.complex64
    for part in (a.real, a.imag):
        assert part.min() >= -2 and part.max() < 3 and abs(part.mean() - 0.5) < 0.2
    z = ember.testing.make_tensor(4, device='cpu', dtype=ember.cdouble, exclude_zero=True, requires_grad=True)
    assert z.dtype is ember.complex128 and z.requires_grad and bool((z != 0).all())

