"""dtypes and type promotion against real PyTorch: dtype objects, aliases, the default
dtype, promote_types over every pair, and the result dtype (and values) of ``+ * / ==``
for every pair of operands: tensors of each dtype (dimensioned and 0-dim) and Python
int/float/bool, on either side."""
import itertools
import operator

import numpy as np
import pytest
import torch

import ember
from compare import comparers

NAMES = ['float32', 'float64', 'float16', 'bfloat16', 'uint8', 'int8', 'int16', 'int32', 'int64', 'bool']
ALIASES = ['float', 'double', 'half', 'short', 'int', 'long']


def plain(x):
    """Tensors, dtypes, tuples and numbers in a form both libraries' results compare by."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        x = x.detach().cpu()
        a = np.asarray(x.float().numpy() if str(x.dtype).endswith('bfloat16') else x.numpy())
        values = np.where(np.isnan(a), None, a).tolist() if a.dtype.kind == 'f' else a.tolist()
        return ('tensor', str(x.dtype).replace('torch.', 'ember.'), tuple(x.shape), values)
    if isinstance(x, (torch.dtype, ember.dtype)):
        return str(x).replace('torch.', 'ember.')
    if isinstance(x, (tuple, list)):
        return type(x).__name__, [plain(v) for v in x]
    return x


outcome, same = comparers(plain)


# ====================================================================== dtype objects

@pytest.mark.parametrize('name', NAMES)
def test_dtype_attributes(name):
    def case(T):
        d = getattr(T, name)
        t = T.zeros(3, dtype=d)
        return (repr(d).replace('torch.', 'ember.'), str(d).replace('torch.', 'ember.'), d.itemsize,
                d.is_floating_point, d.is_signed, d.is_complex, t.element_size(), t.itemsize, t.nbytes,
                t.is_floating_point(), t.is_signed(), t.dtype is d, d == getattr(T, name))
    same(case)


@pytest.mark.parametrize('name', NAMES)
def test_dtype_repr_is_ember_name(name):
    assert repr(getattr(ember, name)) == 'ember.' + name
    assert str(getattr(ember, name)) == 'ember.' + name


@pytest.mark.parametrize('alias', ALIASES + ['bool'])
def test_dtype_aliases(alias):
    assert getattr(ember, alias) is getattr(ember, str(getattr(torch, alias))[6:])


def test_dtype_is_hashable_and_picklable():
    import copy
    import pickle
    assert {ember.float32: 1}[ember.float] == 1
    assert pickle.loads(pickle.dumps(ember.float64)) is ember.float64
    assert copy.deepcopy(ember.int8) is ember.int8
    assert isinstance(ember.float32, ember.dtype)


def test_default_dtype_is_float32():
    same(lambda T: (T.get_default_dtype(), T.tensor([1.5]).dtype, T.zeros(2).dtype, T.rand(2).dtype,
                    T.tensor(1.5).dtype, T.arange(2.).dtype))


@pytest.mark.parametrize('name', ['float64', 'float16', 'bfloat16'])
def test_set_default_dtype(name):
    def case(T):
        T.set_default_dtype(getattr(T, name))
        try:
            return (T.get_default_dtype(), T.tensor([1.5]).dtype, T.tensor([1]).dtype, T.tensor(2.5).dtype,
                    (T.tensor([1]) / 2).dtype, T.arange(3.).dtype, T.zeros(2).dtype, T.ones(2).dtype,
                    T.full((2,), 1.5).dtype, T.linspace(0, 1, 3).dtype, T.rand(2).dtype, T.randn(2).dtype,
                    T.Tensor(2).dtype, T.promote_types(T.int64, T.get_default_dtype()))
        finally:
            T.set_default_dtype(T.float32)
    same(case)


@pytest.mark.parametrize('name', ['float64', 'float16', 'bfloat16'])
def test_default_dtype_in_scalar_promotion(name):
    def case(T):
        T.set_default_dtype(getattr(T, name))
        try:
            return (T.tensor([1]) * 1.5).dtype, (T.tensor([True]) + 0.5).dtype, (2.5 - T.tensor([1])).dtype
        finally:
            T.set_default_dtype(T.float32)
    same(case)


@pytest.mark.parametrize('value', ['int64', 'bool', 'uint8', float, 'float64'],
                         ids=['int64', 'bool', 'uint8', 'py_float', 'string'])
def test_set_default_dtype_errors(value):
    def case(T):
        try:
            T.set_default_dtype(getattr(T, value) if value in NAMES and value != 'float64' else value)
        finally:
            T.set_default_dtype(T.float32)
    assert same(case)[0] == 'raised'


# ====================================================================== promote_types

@pytest.mark.parametrize('a,b', list(itertools.product(NAMES, NAMES)))
def test_promote_types(a, b):
    same(lambda T: T.promote_types(getattr(T, a), getattr(T, b)))


@pytest.mark.parametrize('a,b', [(float, 'float32'), ('int8', int), (bool, 'uint8'), (int, float)],
                         ids=['float-float32', 'int8-int', 'bool-uint8', 'int-float'])
def test_promote_types_accepts_python_types(a, b):
    same(lambda T: T.promote_types(getattr(T, a) if isinstance(a, str) else a,
                                   getattr(T, b) if isinstance(b, str) else b))


@pytest.mark.parametrize('args', [
    lambda T: (T.tensor([1, 2], dtype=T.int8), 1.0),
    lambda T: (T.tensor([1, 2], dtype=T.int8), T.tensor(1.0, dtype=T.float64)),
    lambda T: (T.tensor([1, 2], dtype=T.uint8), 1000),
    lambda T: (T.tensor(1, dtype=T.uint8), -1),
    lambda T: (T.tensor([True]), T.tensor(1, dtype=T.int16)),
    lambda T: (T.tensor(1.5, dtype=T.float16), T.tensor([1], dtype=T.int32)),
    lambda T: (3, 4.0),
    lambda T: (True, 2),
], ids=['int8-pyfloat', 'int8-0dim_f64', 'uint8-bigint', '0dim_uint8-negint', 'bool-0dim_int16',
        '0dim_half-int32', 'int-float', 'bool-int'])
def test_result_type(args):
    same(lambda T: T.result_type(*args(T)))


# ====================================================================== binary op result dtypes

def operand(T, kind, name):
    """One operand: a 1-D tensor ('dim'), a 0-dim tensor ('zero') or a Python int/float/bool."""
    if kind == 'int':
        return 3
    if kind == 'float':
        return 2.5
    if kind == 'bool':
        return True
    values = [True, False, True] if name == 'bool' else [1, 2, 3] if name in NAMES[4:] else [0.5, 1.5, -2.0]
    return T.tensor(values if kind == 'dim' else values[0], dtype=getattr(T, name))


OPERANDS = [('dim', n) for n in NAMES] + [('zero', n) for n in NAMES] + [('int', None), ('float', None),
                                                                           ('bool', None)]
OPS = {'add': operator.add, 'mul': operator.mul, 'div': operator.truediv, 'eq': operator.eq}

def _label(kind, name):
    return kind if name is None else f'{kind}_{name}'


@pytest.mark.parametrize('op', OPS)
@pytest.mark.parametrize('left', OPERANDS, ids=[_label(*o) for o in OPERANDS])
def test_binary_result_dtype_and_values(op, left):
    """``left <op> right`` for every right operand: same dtype, values (or error) as torch."""
    f = OPS[op]
    bad = []
    for right in OPERANDS:
        if left[1] is None and right[1] is None:
            continue
        got, want = (outcome(lambda T: f(operand(T, *left), operand(T, *right)), T) for T in (ember, torch))
        if got != want:
            bad.append(f'{_label(*left)} {op} {_label(*right)}:\n  ember {got}\n  torch {want}')
    assert not bad, '\n'.join(bad)


# ====================================================================== integer arithmetic details

@pytest.mark.parametrize('fn', [
    lambda T: T.tensor([1, 200, 255], dtype=T.uint8) + 300,
    lambda T: T.tensor([1, 200, 255], dtype=T.uint8) + 3,
    lambda T: T.tensor([1, 200, 255], dtype=T.uint8) * -1,
    lambda T: T.tensor([5], dtype=T.uint8) - 10,
    lambda T: T.tensor([1, 2, 3], dtype=T.int8) + 1000,
    lambda T: T.tensor([1, 2], dtype=T.int16) + 100000,
    lambda T: T.tensor([1, 2], dtype=T.int8) + T.tensor(1000),
    lambda T: T.tensor(1, dtype=T.uint8) + T.tensor(1, dtype=T.int8),
    lambda T: T.tensor([1, 2]) + 2 ** 63,
    lambda T: T.tensor([1, 2], dtype=T.uint8) + (-2 ** 63),
], ids=['uint8+300', 'uint8+3', 'uint8*-1', 'uint8-10', 'int8+1000', 'int16+100000', 'int8+0dim_int64',
        '0dim_uint8+0dim_int8', 'int64+2**63', 'uint8-2**63'])
def test_integer_wraparound(fn):
    same(fn)


@pytest.mark.parametrize('fn', [
    pytest.param(lambda T: T.tensor([1, 2], dtype=T.int16) + 2 ** 64, id='int16+2**64'),
    pytest.param(lambda T: T.tensor([1., 2.]) + 2 ** 64, id='float+2**64'),
])
def test_python_int_too_big(fn):
    same(fn)


@pytest.mark.parametrize('fn', [
    lambda T: T.tensor([1, 2]) / T.tensor([2, 4]),
    lambda T: T.tensor([1, 2]) / 2,
    lambda T: 1 / T.tensor([1, 2]),
    lambda T: T.tensor([1, 2], dtype=T.uint8) / T.tensor([2, 4], dtype=T.int8),
    lambda T: T.tensor([True, False]) / T.tensor([True, True]),
    lambda T: T.tensor([1, 2]) / 0,
    lambda T: T.tensor([1, 2], dtype=T.int32) / T.tensor(2.0, dtype=T.float64),
], ids=['int/int', 'int/pyint', 'pyint/int', 'uint8/int8', 'bool/bool', 'int/0', 'int32/0dim_f64'])
def test_true_division_of_integers_is_float(fn):
    same(fn)


@pytest.mark.parametrize('fn', [
    lambda T: T.tensor([True, False]) + 1,
    lambda T: T.tensor([True, False]) + T.tensor([True, True]),
    lambda T: T.tensor([True]) * True,
    lambda T: T.tensor([True, False]) * 2.5,
    lambda T: T.tensor([True, False]) + T.tensor(3, dtype=T.int8),
], ids=['bool+int', 'bool+bool', 'bool*True', 'bool*float', 'bool+0dim_int8'])
def test_bool_arithmetic(fn):
    same(fn)


def test_bool_minus_bool_error():
    same(lambda T: T.tensor([True]) - T.tensor([True]))


@pytest.mark.parametrize('fn', [
    pytest.param(lambda T: T.tensor([True]) - 1, id='bool-1'),
    pytest.param(lambda T: 1 - T.tensor([True]), id='1-bool'),
    pytest.param(lambda T: T.tensor([1.]) - True, id='float-True'),
    pytest.param(lambda T: True - T.tensor([1.]), id='True-float'),
])
def test_bool_subtraction_error(fn):
    same(fn)


# ====================================================================== in-place casting rules

@pytest.mark.parametrize('fn', [
    lambda T: T.tensor([1, 2]).add_(1.5),
    lambda T: T.tensor([1, 2], dtype=T.int32).mul_(1.5),
    lambda T: T.tensor([1, 2]).div_(2),
    lambda T: T.tensor([1, 2]).add_(T.tensor([1.5, 2])),
    lambda T: T.tensor([True]).add_(1),
    lambda T: T.tensor([1, 2], dtype=T.uint8).sub_(T.tensor(0.5)),
], ids=['long.add_(1.5)', 'int.mul_(1.5)', 'long.div_(2)', 'long.add_(float)', 'bool.add_(1)',
        'uint8.sub_(0dim_float)'])
def test_inplace_cast_errors(fn):
    got = same(fn)
    assert got[0] == 'raised' and "can't be cast to the desired output type" in got[2]


def test_inplace_cast_error_message():
    with pytest.raises(RuntimeError, match="^result type Float can't be cast to the desired output type Long$"):
        ember.tensor([1, 2]).add_(1.5)


@pytest.mark.parametrize('fn', [
    lambda T: T.tensor([1, 2], dtype=T.uint8).add_(-1),
    lambda T: T.tensor([1., 2.]).add_(T.tensor([1, 2])),
    lambda T: T.tensor([1., 2.], dtype=T.float16).add_(T.tensor([1., 2.], dtype=T.float64)),
    lambda T: T.tensor([1, 2], dtype=T.int16).add_(T.tensor(1000000)),
    lambda T: T.tensor([1, 2], dtype=T.int16).add_(100000),
    lambda T: T.tensor([1., 2.]).add_(1, alpha=2.5),
    lambda T: T.tensor(5, dtype=T.float16).add_(T.tensor([1., 2.], dtype=T.float64)),
], ids=['uint8.add_(-1)', 'float.add_(long)', 'half.add_(double)', 'int16.add_(0dim_big)',
        'int16.add_(100000)', 'float.add_(alpha)', '0dim.add_(broadcast)'])
def test_inplace_keeps_dtype(fn):
    same(fn)


@pytest.mark.parametrize('fn', [
    pytest.param(lambda T: T.tensor([1, 2]).add(1, alpha=2.5), id='add'),
    pytest.param(lambda T: T.tensor([1, 2]).add_(1, alpha=2.5), id='add_'),
])
def test_float_alpha_on_integer_tensor(fn):
    same(fn)


# ====================================================================== finfo / iinfo

@pytest.mark.parametrize('name', ['float32', 'float64', 'float16', 'bfloat16'])
def test_finfo(name):
    def case(T):
        f = T.finfo(getattr(T, name))
        return repr(f), f.bits, f.eps, f.max, f.min, f.tiny, f.smallest_normal, f.resolution, f.dtype
    same(case)


@pytest.mark.parametrize('name', ['uint8', 'int8', 'int16', 'int32', 'int64'])
def test_iinfo(name):
    def case(T):
        i = T.iinfo(getattr(T, name))
        return repr(i), i.bits, i.max, i.min, i.dtype
    same(case)


@pytest.mark.parametrize('name', ['float32', 'float64', 'float16', 'bfloat16'])
def test_finfo_values(name):
    from ember._dtype import finfo
    f, t = finfo(getattr(ember, name)), torch.finfo(getattr(torch, name))
    assert (repr(f), f.bits, f.eps, f.max, f.min, f.tiny, f.resolution, f.dtype) == \
        (repr(t), t.bits, t.eps, t.max, t.min, t.tiny, t.resolution, t.dtype)


@pytest.mark.parametrize('name', ['uint8', 'int8', 'int16', 'int32', 'int64'])
def test_iinfo_values(name):
    from ember._dtype import iinfo
    i, t = iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    assert (repr(i), i.bits, i.max, i.min, i.dtype) == (repr(t), t.bits, t.max, t.min, t.dtype)


@pytest.mark.parametrize('kind,name', [('finfo', 'int32'), ('finfo', 'bool'), ('iinfo', 'float32'),
                                       ('iinfo', 'bool')])
def test_info_errors(kind, name):
    from ember import _dtype
    with pytest.raises(TypeError) as e:
        getattr(torch, kind)(getattr(torch, name))
    with pytest.raises(TypeError) as g:
        getattr(_dtype, kind)(getattr(ember, name))
    assert str(g.value) == str(e.value).replace('torch.', 'ember.')


# ====================================================================== can_cast

def test_can_cast_exported():
    assert callable(ember.can_cast)


@pytest.mark.parametrize('a,b', list(itertools.product(NAMES, NAMES)))
def test_can_cast(a, b):
    from ember._dtype import can_cast
    assert can_cast(getattr(ember, a), getattr(ember, b)) == torch.can_cast(getattr(torch, a), getattr(torch, b))
