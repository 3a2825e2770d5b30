"""Regression tests for survey-4 creation mismatches: ``out=`` on zeros/ones/full/empty/eye,
double -> half rounding through float, NumPy scalars and tensors an integer dtype refuses (in
PyTorch's reading order), inferred uint64, sizes given as tensors/arrays and their messages,
full's fill value, and a few messages and warnings of tensor/new_tensor/scalar_tensor.

Each case runs one function on torch and on ember and compares what comes back: tensors
(values, dtype, shape, requires_grad, strides), the out= tensor itself, or the exception (type
and first line), and the warnings emitted."""
import warnings

import numpy as np
import pytest
import torch

import ember


def _run(fn, lib):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn(lib)
        except Exception as e:          # noqa: BLE001 - compared below
            r = (type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.').replace('torch', 'ember'))
    return r, [f'{x.category.__name__}: ' + str(x.message).split(' (Triggered internally')[0].replace('torch', 'ember')
               for x in w if not str(x.message).startswith(_ONCE)]


# warnings both libraries give once per process: which test sees them depends on the order tests run in
_ONCE = ('Creating a tensor from a list of numpy.ndarrays',)


def _same(e, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), (e, t)
        assert str(e.dtype).replace('ember.', '') == str(t.dtype).replace('torch.', ''), (e.dtype, t.dtype)
        assert tuple(e.shape) == tuple(t.shape), (e.shape, t.shape)
        assert e.requires_grad == t.requires_grad
        assert e.stride() == t.stride(), (e.stride(), t.stride())
        tv = t.detach().float().numpy() if t.dtype == torch.bfloat16 else t.detach().numpy()
        ev = e.detach().float().numpy() if e.dtype == ember.bfloat16 else e.detach().numpy()
        np.testing.assert_array_equal(ev, tv)
    elif isinstance(t, (tuple, list)):
        assert len(e) == len(t), (e, t)
        for a, b in zip(e, t):
            _same(a, b)
    else:
        assert e == t, (e, t)


def same(fn):
    e, ew = _run(fn, ember)
    t, tw = _run(fn, torch)
    _same(e, t)
    assert ew == tw, (ew, tw)


# ------------------------------------------------------------------ out= on the factories

def _into(make, init):
    """make(T, out) with a fresh out from init(T): (what came back is out, out, out's version)."""
    def f(T):
        out = init(T)
        r = make(T, out)
        return r is out, out, out._version
    return f


MAKERS = {
    'zeros': lambda T, o: T.zeros(3, out=o),
    'zeros_tuple': lambda T, o: T.zeros((2, 3), out=o),
    'ones': lambda T, o: T.ones(2, 3, out=o),
    'full_int': lambda T, o: T.full((3,), 2, out=o),
    'full_float': lambda T, o: T.full((3,), 2.5, out=o),
    'full_bool': lambda T, o: T.full((3,), True, out=o),
    'eye': lambda T, o: T.eye(3, out=o),
    'eye_nm': lambda T, o: T.eye(2, 3, out=o),
}
OUTS = {
    'same': lambda T: T.empty(3),
    'smaller': lambda T: T.empty(2),
    'empty': lambda T: T.empty(0),
    'int64': lambda T: T.zeros(3, dtype=T.int64),
    'bool': lambda T: T.zeros(3, dtype=T.bool),
    'strided': lambda T: T.zeros(8)[::2],
    'transposed': lambda T: T.zeros(3, 2).t(),
    'matrix': lambda T: T.zeros(2, 3),
}


@pytest.mark.parametrize('out', list(OUTS))
@pytest.mark.parametrize('maker', list(MAKERS))
def test_factory_out(maker, out):
    same(_into(MAKERS[maker], OUTS[out]))


@pytest.mark.parametrize('fn', [
    lambda T: T.zeros(3, out=T.zeros(3, dtype=T.int64), dtype=T.float32),
    lambda T: T.full((3,), 2.5, out=T.zeros(3), dtype=T.float64),
    lambda T: T.zeros(3, out=T.zeros(3, requires_grad=True)),
    lambda T: T.eye(3, out=T.zeros(3, requires_grad=True)),
    lambda T: T.zeros(3, out=T.zeros(3), requires_grad=True),
    lambda T: T.full((3,), 2.5, out=T.zeros(3), requires_grad=True),
    lambda T: T.zeros(3, out=T.zeros(3, dtype=T.int64), requires_grad=True),
    lambda T: T.full((3,), 300, out=T.zeros(3, dtype=T.uint8)),
    lambda T: T.full((3,), 1 + 2j, out=T.zeros(3, dtype=T.int64)),
    lambda T: T.full((3,), 2.5, out=T.zeros(3, dtype=T.int64)),
    lambda T: T.eye(-1, out=T.zeros(3)),
    lambda T: T.empty(3, out=T.zeros(3), memory_format=T.contiguous_format),
    lambda T: T.empty(1, 2, 3, 4, memory_format=T.preserve_format),
    lambda T: T.empty(3, out=T.zeros(3, requires_grad=True)),
    lambda T: (lambda o: (T.empty(2, 2, out=o).shape, o._version))(T.zeros(3)),
    lambda T: (lambda o: (T.empty(3, out=o) is o, o._version))(T.zeros(3)),
], ids=lambda f: None)
def test_factory_out_rules(fn):
    same(fn)


def test_factory_out_no_grad():
    def f(T):
        out = T.zeros(3, requires_grad=True)
        with T.no_grad():
            T.ones(3, out=out)
        return out.detach()
    same(f)


# ------------------------------------------------------------------ double -> half

def test_double_to_half_rounds_through_float():
    rng = np.random.default_rng(1)
    a = rng.normal(0, 1, 200000)
    a = np.concatenate([a, [1.1645508316087867, 70000.0, 1e300, -1e300, np.nan]])
    for make in (lambda T: T.tensor(a, dtype=T.float16), lambda T: T.tensor(a.tolist(), dtype=T.float16),
                 lambda T: T.as_tensor(a, dtype=T.float16), lambda T: T.tensor(a[:4] + 0j, dtype=T.complex64),
                 lambda T: T.full((2,), 1.1645508316087867, dtype=T.float16),
                 lambda T: T.tensor(1.1645508316087867, dtype=T.float16),
                 lambda T: T.tensor([1e40, -1e40], dtype=T.float32)):     # no NumPy overflow warning
        same(make)


# ------------------------------------------------------------------ what integer dtypes refuse

LEAVES = {
    'pyint': 3, 'pyfloat': 3.5, 'pybool': True, 'pycomplex': 1 + 0j, 'npf16': np.float16(3.5),
    'npf32': np.float32(3.5), 'npf64': np.float64(3.5), 'npi8': np.int8(3), 'npu8': np.uint8(3),
    'npu64': np.uint64(3), 'npbool': np.bool_(True), 'npc64': np.complex64(1), 'npc128': np.complex128(1 + 1j),
    't_i64': ('int64', 3), 't_f32': ('float32', 3.5), 't_b': ('bool', True), 't_c': ('complex64', 1),
    't_2': ('int64', [2, 3]), 'a0f': np.array(3.5), 'a0i': np.array(3),
}
DTYPES = [None, 'bool', 'uint8', 'int32', 'int64', 'uint16', 'uint64', 'float16', 'float32', 'complex64']


def _leaf(T, v):
    return T.tensor(v[1], dtype=getattr(T, v[0])) if isinstance(v, tuple) else v


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('leaf', list(LEAVES))
def test_leaf_into_dtype(leaf, dtype):
    v = LEAVES[leaf]
    for form in (lambda x: x, lambda x: [x], lambda x: [[x, x]], lambda x: [x, 1]):
        def f(T, form=form):
            d = None if dtype is None else getattr(T, dtype)
            return T.tensor(form(_leaf(T, v)), dtype=d)
        same(f)


@pytest.mark.parametrize('data, dtype', [
    ([2.5, -226], 'uint16'), ([-1, 2.5], 'uint8'), ([np.int8(2), 2.5, -1], 'uint8'),
    ([1e30, np.float16(2)], 'int8'), ([np.float16(2), 1e30], 'int8'), ([float('nan'), np.int8(2)], 'int8'),
    ([1 + 1j, np.int8(2)], 'int8'), ([2 ** 63, np.int8(2)], 'int8'), ([np.int8(2), 2 ** 64], 'int8'),
    ([np.int64(-1), 2], 'uint8'), ([np.int64(300), 2], 'uint8'), ([np.float64(-1), 2], 'uint8'),
    ([[-2 ** 63], [np.False_]], 'int16'), ([-2.5, np.uint8(3)], 'uint8'), ([np.bool_(True), 2], None),
    ([np.array([2.5], dtype=np.float32)], 'int64'), ([np.array(2.), 3], None), ([1., np.array(2.)], None),
    ([[1, 5], 'tensor'], None), (['tensor'], 'int64'), (['tensor'], 'float32'),
])
def test_reading_order(data, dtype):
    def f(T):
        d = [T.tensor([2, 3]) if x == 'tensor' else x for x in data] if 'tensor' in map(str, data) else data
        return T.tensor(d, dtype=None if dtype is None else getattr(T, dtype))
    same(f)


@pytest.mark.parametrize('fn', [
    lambda T: T.as_tensor(np.float32(2.5), dtype=T.int64),
    lambda T: T.asarray(np.float32(2.5), dtype=T.int64),
    lambda T: T.asarray([np.float32(2.5)], dtype=T.int64),
    lambda T: T.asarray(np.uint64(3)),
    lambda T: T.tensor(b'ab'),
    lambda T: T.tensor([1, b'a']),
    lambda T: T.tensor(bytearray(b'ab')),
], ids=lambda f: None)
def test_numpy_scalars_and_bytes(fn):
    same(fn)


# ------------------------------------------------------------------ sizes, fill values, messages

@pytest.mark.parametrize('fn', [
    lambda T: T.zeros((2, 3), (1,)), lambda T: T.empty([2], [3]), lambda T: T.ones(2).new_zeros((2,), (3,)),
    lambda T: T.zeros((2.0,)), lambda T: T.zeros([2.5]), lambda T: T.full([2.5], 1.),
    lambda T: T.zeros((2, 2.0)), lambda T: T.zeros(2, 3.0), lambda T: T.zeros([2, None]),
    lambda T: T.zeros(T.tensor([2])), lambda T: T.zeros((T.tensor([2]), 3)), lambda T: T.zeros(2, T.tensor([3])),
    lambda T: T.zeros(T.tensor([2, 3])), lambda T: T.zeros(T.tensor([3.])), lambda T: T.zeros((2, T.tensor([3, 4]))),
    lambda T: T.zeros(np.array(2)), lambda T: T.zeros(np.array([2, 3])), lambda T: T.zeros((np.array([3]),)),
    lambda T: T.zeros((2, np.array(3))), lambda T: T.zeros((np.float32(2),)), lambda T: T.zeros(np.int32(2)),
    lambda T: T.zeros(True), lambda T: T.zeros((True, 2)), lambda T: T.zeros((2, True)),
    lambda T: T.ones(2).new_zeros([2.5]), lambda T: T.ones(2).new_ones(2, 2.5),
], ids=lambda f: None)
def test_size_forms(fn):
    same(fn)


@pytest.mark.parametrize('fn', [
    lambda T: T.full((2,), np.bool_(True)), lambda T: T.full((2,), np.bool_(True), dtype=T.int64),
    lambda T: T.full((2,), np.uint64(3)), lambda T: T.full((2,), np.float16(3)),
    lambda T: T.full((2,), 'a'), lambda T: T.full((2,), None), lambda T: T.full((2,), [1]),
    lambda T: T.scalar_tensor([1]), lambda T: T.scalar_tensor(None), lambda T: T.scalar_tensor('a'),
    lambda T: T.scalar_tensor(np.bool_(True)), lambda T: T.scalar_tensor(np.float32(2.5)),
    lambda T: T.zeros(2).new_tensor(T.tensor([1, 2])), lambda T: T.tensor(T.tensor([1, 2])),
    lambda T: T.zeros(2, dtype=T.int8).new_tensor([1.7, 2.5]),
], ids=lambda f: None)
def test_fill_values_and_messages(fn):
    same(fn)
