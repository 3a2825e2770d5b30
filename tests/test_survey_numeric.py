"""Session 16 survey fixes: half-precision reductions, random in-place fills and fill grad_fns,
pow's gradient at base 0, indexing messages and edge cases, where's broadcast error."""
import warnings

import ml_dtypes
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case, arr, ints

BF16 = ml_dtypes.bfloat16


def _same(e, t):
    """ember tensor e equals torch tensor t (value, shape, dtype name): exactly for half
    results (one rounding of a float32 sum), to float32 summation-order noise otherwise."""
    assert tuple(e.shape) == tuple(t.shape)
    assert str(e.dtype).split('.')[-1] == str(t.dtype).split('.')[-1]
    if t.dtype in (torch.float16, torch.bfloat16):
        np.testing.assert_array_equal(e.float().cpu().numpy(), t.float().numpy())
    else:
        np.testing.assert_allclose(e.cpu().numpy(), t.numpy(), rtol=1e-6)


# ------------------------------------------------------------------ 1. half reductions

HALF_REDUCE = [
    ('sum', lambda T, x: x.sum()),
    ('sum_dim', lambda T, x: x.sum(1)),
    ('sum_neg_keepdim', lambda T, x: x.sum(-1, keepdim=True)),
    ('sum_tuple', lambda T, x: x.sum((0, 1))),
    ('mean', lambda T, x: x.mean()),
    ('mean_dim', lambda T, x: x.mean(0)),
    ('mean_fn_keepdim', lambda T, x: T.mean(x, 1, keepdim=True)),
    ('sum_dtype_f32', lambda T, x: x.sum(dtype=T.float32)),
    ('mean_t', lambda T, x: x.t().mean(1)),
    ('prod_small', lambda T, x: (x[:3, :5] * 0.1 + 1).prod(1)),
]


@pytest.mark.parametrize('name,fn', HALF_REDUCE, ids=[n for n, _ in HALF_REDUCE])
@pytest.mark.parametrize('dt', ['bfloat16', 'float16'])
def test_half_reductions(name, fn, dt):
    a = np.random.default_rng(3).uniform(0.5, 1.5, (40, 700)).astype(np.float32)
    t = torch.tensor(a).to(getattr(torch, dt))
    e = ember.tensor(a).to(getattr(ember, dt))
    _same(fn(ember, e), fn(torch, t))


def test_bf16_ones_sum_mean():
    x = ember.ones(1000, dtype=ember.bfloat16)
    assert x.sum().item() == 1000 and x.mean().item() == 1
    assert ember.ones(300, 300, dtype=ember.bfloat16).sum(1)[:2].tolist() == [300, 300]


def test_half_sum_backward():
    check(lambda x: x.sum(1), [(3, 4)], dtype=BF16, gradcheck=False)
    check(lambda x: x.mean(), [(3, 4)], dtype=np.float16, gradcheck=False)


# ------------------------------------------------------------------ 2. random in-place fills

FILLS = ['uniform_()', 'normal_()', 'bernoulli_()', 'bernoulli_(p)', 'random_()', 'random_(5)',
         'random_(1, 5)', 'exponential_()', 'cauchy_()', 'log_normal_()', 'geometric_(0.5)',
         'uniform_(-1, 1)', 'normal_(2, 3)']


@pytest.mark.parametrize('call', FILLS)
@pytest.mark.parametrize('shape', [(3,), (), (2, 3)])
def test_random_fill_grad_fn(call, shape):
    got = []
    for T in (torch, ember):
        a = T.ones(shape, requires_grad=True)
        p = T.full(shape, 0.5, requires_grad=True)
        b = a * 2
        eval('b.' + call, {'b': b, 'p': p})
        assert b.shape == a.shape and b.requires_grad
        name, n_next = b.grad_fn.name(), len(b.grad_fn.next_functions)
        b.sum().backward()
        got.append((name, n_next, a.grad.tolist(), None if p.grad is None else p.grad.tolist()))
    assert got[0] == got[1]


def test_random_fill_view_and_no_grad():
    for T in (torch, ember):
        a = T.ones(3, requires_grad=True)
        b = a * 2
        b[:2].uniform_()
        assert b.grad_fn.name().endswith('CopySlices')
        b.sum().backward()
        assert a.grad.tolist() == [0.0, 0.0, 2.0]
        with T.no_grad():
            c = a * 2
            c.normal_()
        assert c.grad_fn is None
    x = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match='leaf Variable'):
        x.uniform_()


def test_random_fill_same_draws_with_or_without_graph():
    ember.manual_seed(5)
    plain = ember.empty(4).uniform_()
    ember.manual_seed(5)
    tracked = (ember.ones(4, requires_grad=True) * 1).uniform_()
    assert plain.tolist() == tracked.tolist()


# ------------------------------------------------------------------ 3. half arithmetic with scalars
# (mul/div need arith.py to use _promote.half_opmath: see the report; add/sub/pow already agree)

HALF_SCALAR = [
    case('add', lambda x: x + 1.1, [arr([3., 0.7, -2.2])]),
    case('sub', lambda x: x - 1.1, [arr([3., 0.7, -2.2])]),
    case('pow', lambda x: x ** 1.1, [arr([3., 0.7, 2.2])]),
    case('rpow', lambda x: 1.1 ** x, [arr([3., 0.7, -2.2])]),
    case('eq', lambda x: x == 3.0001, [arr([3., 0.7, -2.2])]),
]


@pytest.mark.parametrize('fn,specs,kw', HALF_SCALAR)
@pytest.mark.parametrize('dt', [np.float16, BF16])
def test_half_scalar(fn, specs, kw, dt):
    specs = [s.astype(dt) for s in specs]
    check(fn, specs, forward_only=True, tols={'float16': (0, 0), 'bfloat16': (0, 0), 'float32': (0, 0)})


# ------------------------------------------------------------------ 4. pow gradient at base 0

POW = [
    case('zero_base', lambda x: 0 ** x, [arr([0., 2., -1., -0.5, 3.])], gradcheck=False),  # kink at 0
    case('zero_float_base', lambda T, x: T.pow(0.0, x), [arr([0., 2., 1.5])], gradcheck=False),
    case('pos_base', lambda x: 2 ** x, [(4,)]),
    case('zero_tensor_base', lambda x, y: x ** y, [arr([0., 0., 0., 2.]), arr([0., 2., -1., 1.5])],
         gradcheck=False),
]


@pytest.mark.parametrize('fn,specs,kw', POW)
def test_pow_grad(fn, specs, kw):
    check(fn, specs, **kw)


def test_pow_zero_base_nonfinite():
    got = []
    for T in (torch, ember):
        x = T.tensor([0., 2., -1., -0.5], requires_grad=True)
        (0 ** x).sum().backward()
        got.append(x.grad.tolist())
    assert got[0] == got[1]


# ------------------------------------------------------------------ 5. fill-type grad_fns

FILL_NAMES = ['b.zero_()', 'b.fill_(3)', 'b.fill_(2.5)', 'b.fill_(T.tensor(3.))',
              'b.fill_(v)', 'b[:] = 3', 'b[...] = 3', 'b[0:2] = 3', 'b[:, :] = 3.5', 'b[:, 0:9] = True',
              'b[::1] = T.tensor(3.)', 'b[:] = v', 'b[:] = T.ones(3)', 'b[:] = T.ones(2, 3)', 'b[1] = 3',
              'b[None] = 3', 'b[:, 1:] = 3', 'b[0].fill_(3)', 'b[0].zero_()', 'b[0][:] = 3']


@pytest.mark.parametrize('stmt', FILL_NAMES)
def test_fill_grad_fn(stmt):
    got = []
    for T in (torch, ember):
        a = T.ones(2, 3, requires_grad=True)
        v = T.tensor(4., requires_grad=True)
        b = a * 1
        exec(stmt, {'T': T, 'b': b, 'v': v})
        name = b.grad_fn.name().replace('torch::', '').replace('ember::', '')
        b.sum().backward()
        got.append((name, len(b.grad_fn.next_functions), b.tolist(), a.grad.tolist(),
                    None if v.grad is None else v.grad.item()))
    assert got[0] == got[1]


FILL_CASES = [
    case('fill_scalar', lambda x: (x * 1).fill_(2), [(2, 3)]),
    case('zero', lambda x: (x * 1).zero_(), [(2, 3)]),
    case('fill_tensor', lambda x, v: (x * 1).fill_(v), [(2, 3), arr(1.5)]),
    case('fill_f64_value', lambda x, v: (x * 1).fill_(v), [(2, 3), arr(1.5, np.float64)]),
    case('fill_int', lambda x: x.fill_(2.7), [ints((3,))], forward_only=True),
    case('zero_int', lambda x: x.zero_(), [ints((3,))], forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', FILL_CASES)
def test_fill_values(fn, specs, kw):
    check(fn, specs, **kw)


def test_fill_errors():
    check_error(lambda T, x: x.fill_(T.ones(2)), [(3,)])
    check_error(lambda x: x.fill_(1), [(3,)], requires_grad=[True])


# ------------------------------------------------------------------ 6. out-of-bounds index dims

OOB = ['[0, 5]', '[None, 0, 5]', '[:, 5]', '[..., 7]', '[0, :, 9]', '[1, None, 2, 9]', '[5]', '[-3]',
       '[0][5]', '[:, :, 4]', '[0, [0], 9]', '[0, 5, [0]]']


@pytest.mark.parametrize('key', OOB)
def test_oob_message_get(key):
    check_error(lambda x: eval('x' + key, {'x': x}), [(2, 3, 4)])


@pytest.mark.parametrize('key', ['[0, 3]', '[0, 3, 0]', '[1, :, 4]'])
def test_oob_message_set(key):
    def fn(x):
        exec('x' + key + ' = -1', {'x': x})
    check_error(fn, [(2, 3, 4)])


# ------------------------------------------------------------------ 7. where broadcast error

WHERE_ERR = [
    lambda T, x: T.where(x > 0, x, T.zeros(2)),
    lambda T, x: T.where(T.ones(2) > 0, x, 0.),
    lambda T, x: T.where(x > 0, T.zeros(4, 1, 3), T.zeros(2)),
    lambda T, x: x.where(x > 0, T.zeros(2)),
    lambda T, x: T.where(x > 0, 1., T.zeros(2)),
    lambda T, x: T.where(T.ones(3, 1) > 0, T.ones(2, 1), T.ones(4)),
]


@pytest.mark.parametrize('fn', WHERE_ERR)
def test_where_broadcast_error(fn):
    check_error(fn, [(2, 3)])


def test_where_broadcast_ok():
    check(lambda T, c, x: T.where(c > 0, x, T.zeros(3)), [(4, 1, 3), (2, 3)])


# ------------------------------------------------------------------ 8. indexing edge cases

def _x(T):
    return T.arange(24).reshape(2, 3, 4)


GET_OK = ['x[[]]', 'x[..., ...]', 'x[..., 0, ...]', 'x[T.tensor([0, 1], dtype=T.int32)]', 'x[[0.5]]',
          'x[[[]]]', 'x[[], 0]', 'x[:, []]', 'x[()]', 'x[T.tensor(1, dtype=T.int8)]']


@pytest.mark.parametrize('expr', GET_OK)
def test_index_edge_ok(expr):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        r = [eval(expr, {'T': T, 'x': _x(T)}) for T in (torch, ember)]
    assert tuple(r[0].shape) == tuple(r[1].shape) and r[0].tolist() == r[1].tolist()


GET_ERR = ['x[T.tensor([0, 1], dtype=T.int8)]', 'x[T.tensor([0, 1], dtype=T.int16)]', 'x[1.0]',
           'x[:, 1.5]', 'x[::0]', 'x[:, ::0]', 'x[::-1]', 'x[[0], ::0]', 'x[[0], ::-1]',
           'x[T.tensor([0., 1.])]', 'x["a"]']


@pytest.mark.parametrize('expr', GET_ERR)
def test_index_edge_errors(expr):
    check_error(lambda T: eval(expr, {'T': T, 'x': _x(T)}), [])


SET_ERR = ['x[T.tensor([0, 1], dtype=T.uint8)] = -1', 'x[T.tensor([1, 0], dtype=T.uint8)] = T.tensor(7)',
           'x[T.tensor([0, 1], dtype=T.int8)] = -1', 'x[::0] = 1', 'x[1.0] = 1']


@pytest.mark.parametrize('stmt', SET_ERR)
def test_index_set_errors(stmt):
    xs = {}

    def fn(T):
        xs[T.__name__] = x = _x(T)
        exec(stmt, {'T': T, 'x': x})
    check_error(fn, [])
    assert xs['ember'].tolist() == list(np.arange(24).reshape(2, 3, 4).tolist())


@pytest.mark.parametrize('stmt', ['x[[]] = 5', 'x[..., ...] = 5', 'x[T.tensor([1, 0], dtype=T.uint8)] = T.ones(4, dtype=T.long)'])
def test_index_set_ok(stmt):
    out = []
    for T in (torch, ember):
        x = _x(T)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            exec(stmt, {'T': T, 'x': x})
        out.append(x.tolist())
    assert out[0] == out[1]


@pytest.mark.parametrize('dt', ['bfloat16', 'float16'])
@pytest.mark.parametrize('fn', [
    lambda T, x: x.var(), lambda T, x: x.std(), lambda T, x: x.var(0, keepdim=True), lambda T, x: x.norm(),
    lambda T, x: T.linalg.vector_norm(x, 1), lambda T, x: T.linalg.vector_norm(x, 3.0),
    lambda T, x: T.logsumexp(x, 0), lambda T, x: T.std_mean(x), lambda T, x: T.var_mean(x, 0),
])
def test_half_precision_statistics_accumulate_in_float32(fn, dt):
    """var/std/norm/logsumexp of float16/bfloat16 are computed in float32 and rounded once."""
    import numpy as np
    a = (np.arange(2000) / 100.0 + 1).astype(np.float32)
    outs = []
    for T in (torch, ember):
        r = fn(T, T.tensor(a).to(getattr(T, dt)))
        r = r if isinstance(r, tuple) else (r,)
        outs.append([(str(t.dtype).split('.')[-1], t.float().tolist()) for t in r])
    assert outs[0] == outs[1]


def _linear_relu(T):
    m = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.ReLU(inplace=True))
    with T.no_grad():
        m[0].weight.fill_(0.5)
        m[0].bias.copy_(T.tensor([-1.0, -2.0, 0.0, 1.0]))
    return m(T.ones(2, 3))


@pytest.mark.parametrize('fn', [
    lambda T: T.addmm(T.ones(4), T.ones(2, 3), T.ones(3, 4)),
    lambda T: T.addmm(T.ones(2, 4), T.ones(2, 3), T.ones(3, 4)),
    lambda T: T.addmv(T.ones(2), T.ones(2, 3), T.ones(3)),
    lambda T: T.baddbmm(T.ones(4), T.ones(2, 2, 3), T.ones(2, 3, 4)),
    lambda T: T.addr(T.ones(3), T.ones(2), T.ones(3)),
    lambda T: _linear_relu(T),
])
def test_fused_product_results_can_be_written_in_place(fn):
    """addmm & co. return fresh memory (a broadcast bias once made them read-only views)."""
    outs = []
    for T in (torch, ember):
        r = fn(T).detach()
        r.add_(1)
        outs.append((r.tolist(), r.stride()))
    assert outs[0][1] == outs[1][1] and np.allclose(outs[0][0], outs[1][0])
