"""Property tests (hypothesis): broadcasting and dtype promotion of binary ops match PyTorch.

For random broadcastable shape pairs (0-dim, size-1 and size-0 dims included) and random
operand kinds (tensors of ten dtypes, Python int/float/bool), every op gives the same
result dtype, shape and values as torch, or both raise the same exception type. Shapes
that do not broadcast raise the same RuntimeError message."""
import ml_dtypes
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from helpers import assert_tensor_equal

DTYPES = ['bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64']
SCALARS = ['py_int', 'py_float', 'py_bool']

OPS = {
    'add': lambda T, a, b: T.add(a, b),
    'sub': lambda T, a, b: T.sub(a, b),
    'mul': lambda T, a, b: T.mul(a, b),
    'div': lambda T, a, b: T.div(a, b),
    'maximum': lambda T, a, b: T.maximum(a, b),
    'minimum': lambda T, a, b: T.minimum(a, b),
    'eq': lambda T, a, b: T.eq(a, b),
    'lt': lambda T, a, b: T.lt(a, b),
    'remainder': lambda T, a, b: T.remainder(a, b),
    'pow': lambda T, a, b: T.pow(a, b),
    'atan2': lambda T, a, b: T.atan2(a, b),
    'op_add': lambda T, a, b: a + b,
    'op_sub': lambda T, a, b: a - b,
    'op_mul': lambda T, a, b: a * b,
    'op_div': lambda T, a, b: a / b,
}


# ------------------------------------------------------------------ strategies

@st.composite
def broadcastable_shapes(draw):
    """Two shapes that broadcast: each is a suffix of a common shape, some dims set to 1."""
    full = draw(st.lists(st.integers(0, 3), min_size=0, max_size=3))
    shapes = []
    for _ in range(2):
        n = draw(st.integers(0, len(full)))
        dims = full[len(full) - n:]
        shapes.append(tuple(1 if draw(st.booleans()) else d for d in dims))
    return tuple(shapes)


@st.composite
def clashing_shapes(draw):
    """Two shapes that do not broadcast: at one aligned dim the sizes differ and neither is 1."""
    a = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    b = list(draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    i = draw(st.integers(1, min(len(a), len(b))))
    x = draw(st.sampled_from([0, 2, 3, 4]))
    y = draw(st.sampled_from([v for v in (0, 2, 3, 5) if v != x]))
    a[-i], b[-i] = x, y
    return tuple(a), tuple(b)


def _values(rng, shape, dtype):
    """Small values (zeros included) for a dtype, as a NumPy array (bfloat16 as float32)."""
    if dtype == 'bool':
        return np.asarray(rng.random(shape) > 0.5)
    if dtype == 'uint8':
        return np.asarray(rng.integers(0, 6, shape), np.uint8)
    if dtype.startswith('int'):
        return np.asarray(rng.integers(-4, 5, shape), dtype)
    vals = rng.choice([0., 0.5, -1.5, 2., -3.25, 1.], shape) if rng.random() < 0.5 else rng.uniform(-3, 3, shape)
    return np.asarray(vals, np.float32 if dtype == 'bfloat16' else dtype)


@st.composite
def operands(draw, shape, allow_scalar=True):
    """('tensor', dtype, numpy values) or ('scalar', python type, value)."""
    kind = draw(st.sampled_from(DTYPES + SCALARS if allow_scalar else DTYPES))
    if kind in SCALARS:
        value = {'py_int': st.integers(-4, 4), 'py_float': st.sampled_from([0., 0.5, -1.5, 2., 1e-3, -2.75]),
                 'py_bool': st.booleans()}[kind]
        return ('scalar', kind, draw(value))
    seed = draw(st.integers(0, 2 ** 16))
    return ('tensor', kind, _values(np.random.default_rng(seed), shape, kind))


def build(lib, op):
    """The operand for torch or ember (a new tensor, or the Python scalar itself)."""
    kind, dtype, v = op
    if kind == 'scalar':
        return v
    if lib is torch:
        t = torch.from_numpy(v.copy())
        return t.to(torch.bfloat16) if dtype == 'bfloat16' else t
    return ember.tensor(v.astype(ml_dtypes.bfloat16) if dtype == 'bfloat16' else v.copy())


# ------------------------------------------------------------------ comparison

def run_both(fn, a, b):
    """Call fn on torch and ember operands; returns (torch result or error, ember result or error)."""
    out = []
    for lib in (torch, ember):
        try:
            out.append(fn(lib, build(lib, a), build(lib, b)))
        except Exception as e:       # noqa: BLE001 -- the exception itself is what is compared
            out.append(e)
    return out


def assert_same_outcome(t, e, where):
    if isinstance(t, Exception) or isinstance(e, Exception):
        assert type(t).__name__ == type(e).__name__, f'{where}: torch {t!r}, ember {e!r}'
        return
    # dtype, shape and values (strides are the op tables' business, not promotion's)
    assert_tensor_equal(e, t, where, layout=False)


def describe(a, b):
    return f'a={a[0]} {a[1]} {getattr(a[2], "shape", a[2])}, b={b[0]} {b[1]} {getattr(b[2], "shape", b[2])}'


# ------------------------------------------------------------------ known ember bugs
# ------------------------------------------------------------------ properties

@pytest.mark.parametrize('name', list(OPS))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_binary_promotion_and_broadcasting(name, data):
    sa, sb = data.draw(broadcastable_shapes(), 'shapes')
    a = data.draw(operands(sa), 'a')
    b = data.draw(operands(sb, allow_scalar=a[0] == 'tensor'), 'b')
    t, e = run_both(OPS[name], a, b)
    assert_same_outcome(t, e, f'{name}: {describe(a, b)}')


@pytest.mark.parametrize('name', list(OPS))
@settings(max_examples=25, deadline=None)
@given(shapes=clashing_shapes(), dtype=st.sampled_from(['float32', 'int64', 'float64']), seed=st.integers(0, 99))
def test_non_broadcastable_shapes_raise_same_message(name, shapes, dtype, seed):
    rng = np.random.default_rng(seed)
    a, b = (('tensor', dtype, _values(rng, s, dtype)) for s in shapes)
    t, e = run_both(OPS[name], a, b)
    assert isinstance(t, RuntimeError), f'torch gave {t!r}'
    assert isinstance(e, RuntimeError), f'ember gave {e!r} ({describe(a, b)}); torch: {t}'
    assert str(e) == str(t), f'{describe(a, b)}\nember: {e}\ntorch: {t}'


@settings(max_examples=40, deadline=None)
@given(shapes=broadcastable_shapes(), data=st.data())
def test_result_type_matches_torch(shapes, data):
    """ember.result_type agrees with torch.result_type on the same operands."""
    a = data.draw(operands(shapes[0]), 'a')
    b = data.draw(operands(shapes[1], allow_scalar=a[0] == 'tensor'), 'b')
    t, e = run_both(lambda T, x, y: T.result_type(x, y), a, b)
    assert str(e) == str(t).replace('torch.', 'ember.'), describe(a, b)


# ------------------------------------------------------------------ former bugs, pinned
# Each case is one example of a difference the property tests once found (now fixed).

def _t(dtype, values):
    return ('tensor', dtype, np.asarray(values, np.float32 if dtype == 'bfloat16' else dtype))


KNOWN_BUGS = [
    ('BUG-1', 'remainder', _t('bool', [True, False]), _t('bool', [True, True])),
    ('BUG-1', 'remainder', _t('bool', [True, False]), ('scalar', 'py_bool', True)),
    ('BUG-2', 'pow', _t('bool', [True, False]), _t('bool', [True, True])),
    ('BUG-3', 'pow', _t('int64', [2, 1, -1, -1, 3]), _t('int64', [-1, -2, -1, -2, -2])),
    ('BUG-3', 'pow', ('scalar', 'py_int', -2), _t('int64', [-1])),
    ('BUG-4', 'pow', _t('bool', [True, False]), ('scalar', 'py_bool', True)),
    ('BUG-5', 'remainder', _t('int64', np.zeros((0, 2))), _t('int64', [1, 0])),
    ('BUG-6', 'remainder', ('scalar', 'py_float', 2.5), _t('float16', 1.)),
    ('BUG-6', 'remainder', ('scalar', 'py_int', 3), _t('int8', 2)),
]


@pytest.mark.parametrize('bug,name,a,b', [pytest.param(*k, id=f'{k[0]}-{i}') for i, k in enumerate(KNOWN_BUGS)])
def test_former_bugs(bug, name, a, b):
    t, e = run_both(OPS[name], a, b)
    assert_same_outcome(t, e, f'{name}: {describe(a, b)}')


@pytest.mark.parametrize('name,b', [('remainder', [0, 1]), ('pow', [-1, 2])])
def test_broadcast_checked_before_values(name, b):
    a, b = _t('int64', [1, 2, 3]), _t('int64', b)
    t, e = run_both(OPS[name], a, b)
    assert isinstance(e, RuntimeError) and str(e) == str(t), f'ember: {e}\ntorch: {t}'
