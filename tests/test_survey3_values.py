"""Regression tests for survey-3 value/dtype/error mismatches: out= on ranges and reductions,
NumPy scalars in functions, bfloat16 NaN handling, mixed clamp bounds, bool kernels, where's
overflow check, from_numpy/tensor warnings and errors, mode's tie and NaN order.

Each case runs one function on torch and on ember and compares what comes back: tensors
(values, dtype, shape), the out= tensor itself, or the exception (type and first line)."""
import warnings

import numpy as np
import pytest
import torch

import ember

from helpers import check

NAN = float('nan')


def _run(fn, lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn(lib)
        except Exception as e:          # noqa: BLE001 - compared below
            r = (type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.'))
    return r, [str(x.message).split(' (Triggered internally')[0] for x in w if x.category is UserWarning]


def _same(e, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), (e, t)
        assert str(e.dtype).replace('ember.', '') == str(t.dtype).replace('torch.', ''), (e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
        tv = t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()
        ev = e.detach().float().numpy() if e.dtype == ember.bfloat16 else e.detach().numpy()
        np.testing.assert_allclose(ev, tv, rtol=1e-6, atol=1e-6, equal_nan=True)
    elif isinstance(t, (tuple, list)):
        assert len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            _same(a, b)
    else:
        assert e == t, (e, t)


def same(fn, warn=True):
    e, ew = _run(fn, ember)
    t, tw = _run(fn, torch)
    _same(e, t)
    if warn:
        assert ew == tw, (ew, tw)


def _out(call, out):
    """call(out) returns the out tensor itself, as torch does."""
    r = call(out)
    assert r is out
    return out


# ------------------------------------------------------------------ 1: out= on ranges

RANGES = {
    'arange-int32': lambda T: _out(lambda o: T.arange(3, out=o), T.zeros(3, dtype=T.int32)),
    'arange-float-step': lambda T: _out(lambda o: T.arange(0, 1, .25, out=o), T.zeros(4)),
    'arange-f64': lambda T: _out(lambda o: T.arange(0, 1, .1, out=o), T.zeros(10, dtype=T.float64)),
    'arange-resize-warns': lambda T: _out(lambda o: T.arange(5, out=o), T.zeros(2, 3)),
    'arange-empty-out-no-warn': lambda T: _out(lambda o: T.arange(3, out=o), T.zeros(0)),
    'arange-keeps-shape': lambda T: _out(lambda o: T.arange(6, out=o), T.zeros(3, 2).t()),
    'arange-dtype-mismatch': lambda T: T.arange(3, out=T.zeros(3, dtype=T.int32), dtype=T.float32),
    'arange-out-requires-grad': lambda T: T.arange(3, out=T.zeros(3, requires_grad=True)),
    'arange-int-out-float-args': lambda T: _out(lambda o: T.arange(0, 5, 1.5, out=o), T.zeros(5, dtype=T.long)),
    'arange-noncontig': lambda T: (lambda b: (T.arange(3, out=b[:, 0]), b)[1])(T.zeros(3, 2)),
    'linspace': lambda T: _out(lambda o: T.linspace(0, 1, 3, out=o), T.zeros(3)),
    'linspace-int': lambda T: _out(lambda o: T.linspace(0, 10, 4, out=o), T.zeros(4, dtype=T.long)),
    'linspace-resize': lambda T: _out(lambda o: T.linspace(0, 1, 5, out=o), T.zeros(2, 3)),
    'linspace-dtype-mismatch': lambda T: T.linspace(0, 1, 3, out=T.zeros(3), dtype=T.float64),
    'logspace-int32': lambda T: _out(lambda o: T.logspace(0, 2, 3, out=o), T.zeros(3, dtype=T.int32)),
    'logspace-base2-u8': lambda T: _out(lambda o: T.logspace(0, 3, 4, 2, out=o), T.zeros(4, dtype=T.uint8)),
    'linspace-1d-start': lambda T: T.linspace(T.tensor([0.]), T.tensor(1.), 3),
    'logspace-2d-end': lambda T: T.logspace(T.tensor(0.), T.tensor([[1.]]), 3),
    'linspace-0d-tensors': lambda T: T.linspace(T.tensor(0.), T.tensor(1.), 3),
}


@pytest.mark.parametrize('name', list(RANGES))
def test_range_out(name):
    same(RANGES[name])


def test_range_out_requires_grad_flag():
    o = ember.zeros(3)
    ember.arange(3, out=o, requires_grad=True)
    assert o.requires_grad


# ------------------------------------------------------------------ 2: NumPy scalars in functions

I = [1, 2]
NP_SCALARS = {
    'add-f64': lambda T: T.ones(2).add(np.float64(.5)),
    'mul-f16-f64': lambda T: T.ones(2, dtype=T.float16).mul(np.float64(.5)),
    'sub-f16': lambda T: T.sub(T.ones(2, dtype=T.float16), np.float64(2)),
    'div-f16': lambda T: T.div(T.ones(2, dtype=T.float16), np.float64(2)),
    'pow-rev-f16': lambda T: T.pow(np.float64(2), T.ones(2, dtype=T.float16)),
    'i8-add-f64': lambda T: T.tensor(I, dtype=T.int8).add(np.float64(2)),
    'add-c128': lambda T: T.ones(2).add(np.complex128(.5)),
    'clamp-f16-f32': lambda T: T.ones(2, dtype=T.float16).clamp(min=np.float32(.5)),
    'clamp-int-f64': lambda T: T.tensor(I).clamp(np.float64(1.5)),
    'clamp_min-f16': lambda T: T.clamp_min(T.arange(3.).half(), np.float32(1.5)),
    'lerp-f32': lambda T: T.lerp(T.zeros(2), T.ones(2), np.float32(.5)),
    'lerp-f64': lambda T: T.lerp(T.zeros(2), T.ones(2), np.float64(.25)),
    'fmod-i32': lambda T: T.fmod(T.tensor(I), np.int32(2)),
    'fmod-f32': lambda T: T.fmod(T.tensor(I), np.float32(2)),
    'remainder-i32': lambda T: T.remainder(T.tensor(I), np.int32(2)),
    'addcmul-f32': lambda T: T.addcmul(T.ones(2), T.ones(2), T.ones(2), value=np.float32(2)),
    'addcmul-int': lambda T: T.addcmul(T.tensor(I), T.tensor(I), T.tensor(I), value=np.int64(2)),
    'addcdiv-f32': lambda T: T.addcdiv(T.ones(2), T.ones(2), T.ones(2), value=np.float32(2)),
    'where-f16': lambda T: T.where(T.tensor([True, False]), T.ones(2, dtype=T.float16), np.float64(2)),
    'where-two-scalars': lambda T: T.where(T.tensor([True, False]), np.float64(2), np.float64(3)),
    'bool_-add-op': lambda T: T.tensor(I) + np.bool_(True),
    'bool_-rsub-op': lambda T: np.bool_(True) - T.tensor(I),
    'bool_-add-fn': lambda T: T.add(T.tensor(I), np.bool_(True)),
    'bool_-mul-op': lambda T: T.tensor(I) * np.bool_(False),
    'bool_-and-bool': lambda T: T.tensor([True, False]) & np.bool_(True),
    'int32-op': lambda T: T.tensor(I, dtype=T.int8) + np.int64(2),
}


@pytest.mark.parametrize('name', list(NP_SCALARS))
def test_numpy_scalars(name):
    same(NP_SCALARS[name])


# ------------------------------------------------------------------ 3: bfloat16 NaN handling

def _bf(T, v):
    return T.tensor(v, dtype=T.bfloat16)


X = [3., NAN, 1., 1., -2., NAN, 5.]
Y = [[3., NAN, 1.], [NAN, 2., 1.], [4., 4., NAN], [NAN, NAN, NAN]]
BF16 = {
    'nansum': lambda T: _bf(T, X).nansum(),
    'nansum-dim': lambda T: _bf(T, Y).nansum(1),
    'nansum-dtype': lambda T: _bf(T, Y).nansum(1, dtype=T.float32),
    'nanmean': lambda T: _bf(T, X).nanmean(),
    'nanmean-dim': lambda T: _bf(T, Y).nanmean(1),
    'nanmedian': lambda T: _bf(T, X).nanmedian(),
    'nanmedian-dim': lambda T: tuple(_bf(T, Y).nanmedian(1)),
    'median-dim': lambda T: tuple(_bf(T, Y).median(1)),
    'unique': lambda T: _bf(T, X).unique(),
    'unique-inverse-counts': lambda T: _bf(T, X).unique(return_inverse=True, return_counts=True),
    'unique-dim': lambda T: _bf(T, [[2., 1.], [1., 0.], [2., 1.]]).unique(dim=0, return_inverse=True),
    'f16-nansum': lambda T: T.tensor(X, dtype=T.float16).nansum(),
}


@pytest.mark.parametrize('name', list(BF16))
def test_bfloat16_nan(name):
    same(BF16[name])


# ------------------------------------------------------------------ 4: out= on sum / mean / prod / any / all

def _x(T):
    return T.ones(2, 3)


REDUCE_OUT = {
    'sum': lambda T: _out(lambda o: T.sum(_x(T), 0, out=o), T.empty(3)),
    'sum-f64-out': lambda T: _out(lambda o: T.sum(_x(T), 0, out=o), T.empty(3, dtype=T.float64)),
    'sum-int-out': lambda T: _out(lambda o: T.sum(T.tensor([[0.6, 0.6]]), 1, out=o), T.empty(1, dtype=T.int32)),
    'sum-keepdim': lambda T: _out(lambda o: T.sum(_x(T), 0, keepdim=True, out=o), T.empty(1, 3)),
    'sum-dtype-mismatch': lambda T: T.sum(_x(T), 0, dtype=T.float64, out=T.empty(3)),
    'sum-no-dim': lambda T: T.sum(_x(T), out=T.empty(())),
    'sum-requires-grad': lambda T: T.sum(T.ones(2, 3, requires_grad=True), 0, out=T.empty(3)),
    'mean': lambda T: _out(lambda o: T.mean(_x(T), 1, out=o), T.empty(2)),
    'mean-no-dim': lambda T: _out(lambda o: T.mean(_x(T), out=o), T.empty(())),
    'mean-f64-out-precise': lambda T: _out(lambda o: T.mean(T.tensor([[1., 2. ** -30]]), 1, out=o),
                                           T.empty(1, dtype=T.float64)),
    'mean-int-out': lambda T: T.mean(_x(T), 1, out=T.empty(2, dtype=T.int64)),
    'mean-int-input': lambda T: T.mean(T.ones(2, 3, dtype=T.int32), 1, out=T.empty(2)),
    'mean-dtype-mismatch': lambda T: T.mean(_x(T), 1, dtype=T.float64, out=T.empty(2)),
    'prod-f64': lambda T: _out(lambda o: T.prod(_x(T) * 2, 1, out=o), T.empty(2, dtype=T.float64)),
    'any': lambda T: _out(lambda o: T.any(_x(T), 1, out=o), T.empty(2, dtype=T.bool)),
    'all-u8': lambda T: _out(lambda o: T.all(_x(T), 1, out=o), T.empty(2, dtype=T.uint8)),
    'any-float-out': lambda T: T.any(_x(T), 1, out=T.empty(2)),
}


@pytest.mark.parametrize('name', list(REDUCE_OUT))
def test_reduce_out(name):
    same(REDUCE_OUT[name], warn=False)


# ------------------------------------------------------------------ 6: clamp with mixed bounds

CLAMP = {
    'min-tensor-max-number': lambda T: T.clamp(T.arange(3.), min=T.tensor(1.), max=2.5),
    'min-number-max-tensor': lambda T: T.clamp(T.arange(3.), min=0.5, max=T.tensor(1.)),
    'int-input': lambda T: T.clamp(T.arange(3), min=T.tensor(1), max=2.5),
    'f16-input': lambda T: T.clamp(T.arange(3.).half(), min=T.tensor(1.), max=2.5),
    'method': lambda T: T.arange(3.).clamp(T.tensor(1.), 2.5),
    'inplace': lambda T: T.arange(3.).clamp_(T.tensor(1.), 2.5),
    'inplace-int-float-bound': lambda T: T.arange(3).clamp_(T.tensor(1), 2.5),
    'bool-input': lambda T: T.clamp(T.tensor([True, False]), min=T.tensor(True), max=1),
    'grad-name': lambda T: T.clamp(T.arange(3., requires_grad=True), T.tensor(1.), 2.5).grad_fn.name(),
}


@pytest.mark.parametrize('name', list(CLAMP))
def test_clamp_mixed(name):
    same(CLAMP[name])


def test_clamp_mixed_1d_refused():
    for lo in (ember.tensor([1., 1., 1.]), ember.tensor(1., requires_grad=True)):
        with pytest.raises(TypeError, match='clamp.. received an invalid combination of arguments'):
            ember.clamp(ember.arange(3.), lo, 2.5)


def test_clamp_mixed_backward():
    check(lambda T, x: T.clamp(x, T.tensor(-0.5), 0.5), [(5,)])


# ------------------------------------------------------------------ 11: bool kernels

BOOL = {
    'abs': lambda T: T.tensor([True]).abs(),
    'abs-op': lambda T: abs(T.tensor([True])),
    'abs_': lambda T: T.tensor([True]).abs_(),
    'cumsum-bool-dtype': lambda T: T.tensor([True, True]).cumsum(0, dtype=T.bool),
    'cumprod-bool-dtype': lambda T: T.tensor([1., 2.]).cumprod(0, dtype=T.bool),
    'cumsum-bool-0d': lambda T: T.tensor(True).cumsum(0, dtype=T.bool),
    'cumsum-bool-empty': lambda T: T.zeros(0, 2, dtype=T.bool).cumsum(0, dtype=T.bool),
    'cumsum-bool-default': lambda T: T.tensor([True, True]).cumsum(0),
}


@pytest.mark.parametrize('name', list(BOOL))
def test_bool_kernels(name):
    same(BOOL[name])


# ------------------------------------------------------------------ 13: where's overflow check

def _c(T):
    return T.tensor([True, False])


WHERE = {
    'i8-300': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.int8), 300),
    '300-i8': lambda T: T.where(_c(T), 300, T.tensor([1, 2], dtype=T.int8)),
    'i8-minus129': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.int8), -129),
    'i8-minus128': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.int8), -128),
    'u8-minus1-wraps': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.uint8), -1),
    'u8-256': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.uint8), 256),
    'i32-2pow40': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.int32), 2 ** 40),
    'i8-np-int': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.int8), np.int64(300)),
    'method': lambda T: T.tensor([1, 2], dtype=T.int8).where(_c(T), 300),
    'i8-float': lambda T: T.where(_c(T), T.tensor([1, 2], dtype=T.int8), 1.5),
    'f16-big-float': lambda T: T.where(_c(T), T.ones(2, dtype=T.float16), 1e6),
    'bool-2': lambda T: T.where(_c(T), _c(T), 2),
    'scalars': lambda T: T.where(_c(T), 300, 2),
}


@pytest.mark.parametrize('name', list(WHERE))
def test_where_scalar_overflow(name):
    same(WHERE[name])


# ------------------------------------------------------------------ 16 / 18: from_numpy, tensor()

def test_readonly_and_list_of_arrays_warnings():
    from ember.ops import from_data
    from_data._ONCE.clear()
    ro = np.broadcast_to(np.ones(1), (3,))
    for fn in (lambda T: T.tensor(ro), lambda T: T.from_numpy(ro), lambda T: T.from_numpy(ro),
               lambda T: T.tensor(np.ones(2))):
        e, ew = _run(fn, ember)
        _same(e, _run(fn, torch)[0])
    from_data._ONCE.clear()
    _, ew = _run(lambda T: T.as_tensor(ro, dtype=T.float32), ember)
    assert [w[:40] for w in ew] == ['The given NumPy array is not writable, a']
    from_data._ONCE.clear()
    _, ew = _run(lambda T: (T.tensor([np.zeros(2), np.ones(2)]), T.tensor([np.zeros(2)])), ember)
    assert ew == ['Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider converting '
                  'the list to a single numpy.ndarray with numpy.array() before converting to a tensor.']
    from_data._ONCE.clear()
    _, ew = _run(lambda T: T.tensor([[1., 2.], np.ones(2)]), ember)
    assert len(ew) == 1


DATA_ERRORS = {
    'big-endian-from_numpy': lambda T: T.from_numpy(np.array([1.], dtype='>f4')),
    'big-endian-tensor': lambda T: T.tensor(np.array([1.], dtype='>f4')),
    'big-endian-as_tensor': lambda T: T.as_tensor(np.array([1.], dtype='>i8')),
    'none-int8': lambda T: T.tensor([1, None], dtype=T.int8),
    'none-float': lambda T: T.tensor([1., None], dtype=T.float32),
    'nested-none-bool': lambda T: T.tensor([[1], [None]], dtype=T.bool),
    'dict-int8': lambda T: T.tensor({1: 2}, dtype=T.int8),
    'set-f16': lambda T: T.tensor({1, 2}, dtype=T.float16),
    'bytes': lambda T: T.tensor(b'ab', dtype=T.int8),
    'str-leaf': lambda T: T.tensor([1, 'a'], dtype=T.complex64),
    'dict-no-dtype': lambda T: T.tensor({1: 2}),
    'std_mean-int': lambda T: T.std_mean(T.tensor([1, 2])),
    'var_mean-bool': lambda T: T.var_mean(T.tensor([True]), 0),
    'std-int': lambda T: T.std(T.tensor([1, 2])),
}


@pytest.mark.parametrize('name', list(DATA_ERRORS))
def test_data_errors(name):
    same(DATA_ERRORS[name], warn=False)


# ------------------------------------------------------------------ 20: mode (std::sort order)

def test_mode_nan_and_ties():
    rng = np.random.default_rng(3)
    cases = [np.array([[3., NAN, 1.], [NAN, 2., 1.], [4., 4., NAN], [NAN, NAN, NAN]], np.float32)]
    for shape in [(4, 5), (3, 20), (2, 40)]:
        for dt in (np.float32, np.float16, np.int64):
            x = rng.integers(0, 4, shape).astype(dt)
            if dt != np.int64:
                x[rng.random(shape) < 0.3] = np.nan
            cases.append(x)
    for x in cases:
        for d in range(x.ndim):
            same(lambda T: tuple(T.mode(T.from_numpy(x.copy()), d)))
    same(lambda T: tuple(T.mode(_bf(T, Y))))


BIG_INTS = {
    'mixed': lambda T: T.tensor([2 ** 63, 1]),
    'nested': lambda T: T.tensor([[1, 2], [2 ** 63, 3]]),
    'to_float': lambda T: T.tensor([2 ** 63, 1], dtype=T.float32),
    'to_uint64': lambda T: T.tensor([2 ** 63, 1], dtype=T.uint64),
    'with_float': lambda T: T.tensor([1.5, 2 ** 63]),
    'collate': lambda T: T.utils.data.default_collate([2 ** 63, 1]),
}


@pytest.mark.parametrize('name', list(BIG_INTS))
def test_ints_beyond_int64_in_lists(name):
    same(BIG_INTS[name])
