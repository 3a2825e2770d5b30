"""Regression tests for survey-4 fuzz findings in gradients, reductions and scalar arithmetic:
broadcast clamp bounds, zeros (not g * 0) in sign/div/max/median/angle backwards, std/var in double,
dof <= 0 gradients, sum/mean(dim=None, keepdim=True), wrapped-number floor_divide, half // float,
0-dim softmax of inf, ldexp/frexp, integer-bound wrapping, complex bounds, autograd dtype checks,
and grad_fn names (DivBackward2, MeanBackward1, SumBackward1).

Each case runs one function on torch and on ember and compares what comes back: tensors (values,
dtype, shape, grad_fn name), plain values, or the exception (type and first line)."""
import math

import pytest

from same_outcome import same

INF, NAN = math.inf, math.nan


def grad_of(make, *inputs, upstream=None):
    """fn(T) -> (output, grads of ``inputs`` built by make(T)) after backward of output * upstream."""
    def fn(T):
        xs = make(T)
        y = inputs[0](T, *xs)
        out = y if upstream is None else y * upstream
        out.sum().backward()
        return y, tuple(x.grad for x in xs)
    return fn


def leaf(T, values, dtype=None):
    return T.tensor(values, dtype=dtype or T.float32, requires_grad=True)


# ------------------------------------------------------------------ A1: clamp tensor bound broadcast

@pytest.mark.parametrize('op', [
    lambda x, T: x.clamp_max(T.tensor([4.459, 3.201])),
    lambda x, T: x.clamp(max=T.tensor([4.459, 3.201])),
    lambda x, T: x.clamp_min(T.tensor([1.459, 3.201])),
    lambda x, T: T.clamp(x, T.tensor([1., 3.]), T.tensor([4., 2.])),
])
def test_clamp_tensor_bound_grad_reduced(op):
    def fn(T):
        x = T.tensor(2.826, requires_grad=True)
        (x + op(x, T).sum()).backward()
        return x.grad
    same(fn)


# ------------------------------------------------------------------ A3/A4: zeros, not g * 0

@pytest.mark.parametrize('case', [
    lambda T, x: x.max() * INF, lambda T, x: x.min() * INF, lambda T, x: x.median() * INF,
    lambda T, x: x.nanmedian() * INF, lambda T, x: x.sign() * T.tensor([INF, 1, 1]),
    lambda T, x: T.angle(x) * INF, lambda T, x: x.amax() * INF,
    lambda T, x: T.div(T.tensor([1., 2, 3]), x, rounding_mode='trunc') * INF,
    lambda T, x: T.div(x, T.tensor([1., 2, 3]), rounding_mode='floor') * INF,
    lambda T, x: T.dist(x, T.zeros(3), INF) * INF,
])
def test_inf_upstream_gives_zero_grad(case):
    same(lambda T: grad_of(lambda T: [leaf(T, [1., -2., 3.])], lambda T, x: case(T, x))(T)[1])


# ------------------------------------------------------------------ A5/B2: std/var

def test_std_var_no_float32_overflow():
    same(lambda T: (T.tensor([1e30, -2.57, 3.3]).std(), T.tensor([1e30, -2.57, 3.3]).var(),
                    T.std_mean(T.tensor([1e30, 1.])), T.var_mean(T.tensor([1e30, 1.])),
                    T.tensor([[1 + 2j, -2.57, 3.3j], [1., 2., 3.]]).std(1),
                    T.tensor([[1., 3e4, -2.], [2., 5., 9.]], dtype=T.float16).std(1),
                    T.dist(T.tensor([1e30]), T.tensor([1.5])), T.dist(T.tensor([[1e20]]), T.tensor([1.5]), 3)))


@pytest.mark.parametrize('case', [
    lambda x: x[:1].std(), lambda x: x[0].var(), lambda x: x.var(correction=3),
    lambda x: x.var(0, correction=3), lambda x: x.var(0, correction=5), lambda x: x.var(correction=5),
    lambda x: x.var(correction=2) + x.std(0, correction=1),
    lambda x: sum(x.reshape(1, 3).std_mean(1, correction=3)),
    lambda x: x.reshape(3, 1).t().var(0, correction=1),
])
def test_var_grad_when_dof_not_positive(case):
    same(lambda T: grad_of(lambda T: [leaf(T, [2., 3., 7.])], lambda T, x: case(x))(T))


# ------------------------------------------------------------------ A6, D: dim=None, grad_fn names

def test_sum_mean_dim_none_keepdim():
    same(lambda T: (T.ones(2, 3).sum(None, True), T.ones(2, 3).mean(dim=None, keepdim=True),
                    T.sum(T.ones(2, 3), None, True, dtype=T.float64), T.nansum(T.ones(2, 3), None, True),
                    T.sum(T.ones(2, 3), None, out=T.zeros(())), T.mean(T.ones(2, 3), None, True, out=T.zeros(1, 1))))
    same(lambda T: T.sum(T.ones(2, 3), out=T.zeros(())))


@pytest.mark.parametrize('case', [
    lambda T, x: x.sum(), lambda T, x: x.sum(None), lambda T, x: x.sum(None, True), lambda T, x: x.mean(),
    lambda T, x: x.mean(None), lambda T, x: x.mean(dim=None, dtype=T.float64), lambda T, x: T.mean(x, None, True),
    lambda T, x: x.sum(dtype=T.float64), lambda T, x: x.sum(()),
    lambda T, x: T.div(x, 2., rounding_mode=None), lambda T, x: T.div(x, T.tensor([3., 4.]), rounding_mode=None),
    lambda T, x: x.div(2, rounding_mode=None), lambda T, x: T.divide(x, 2.), lambda T, x: x / 2,
    lambda T, x: T.div(x, 2., rounding_mode='floor'), lambda T, x: (x * 1).div_(T.tensor([3., 4.]), rounding_mode=None),
    lambda T, x: (x * 1).div_(2.), lambda T, x: (x * 1).div_(2., rounding_mode='trunc'),
])
def test_grad_fn_names_and_grads(case):
    same(grad_of(lambda T: [leaf(T, [1., 2.])], case))


# ------------------------------------------------------------------ A7/A8: floor division

def test_floor_divide_wrapped_number_and_half_scalar():
    same(lambda T: (1 // T.tensor(3, dtype=T.int8), T.floor_divide(1, T.tensor(3, dtype=T.int8)),
                    1.5 // T.tensor(3, dtype=T.int8), T.floor_divide(2, T.tensor([3, 4], dtype=T.uint8)),
                    T.floor_divide(True, T.tensor(3, dtype=T.int8))))
    for dt in ('float16', 'bfloat16'):
        same(lambda T: (T.tensor([1., 2.5, -3.], dtype=getattr(T, dt)) // -0.1,
                        -0.1 // T.tensor([1., 2.5, -3.], dtype=getattr(T, dt)),
                        T.floor_divide(T.tensor([1., 2.5, -3.], dtype=getattr(T, dt)), 0.3),
                        T.div(T.tensor([1., 2.5, -3.], dtype=getattr(T, dt)), -0.1, rounding_mode='floor'),
                        T.div(T.tensor([1., 2.5, -3.], dtype=getattr(T, dt)), 0.3, rounding_mode='trunc')))


# ------------------------------------------------------------------ A9/A10/A13: small value fixes

def test_zero_dim_softmax_of_inf_and_angle_nan():
    same(lambda T: (T.softmax(T.tensor(-INF), 0), T.log_softmax(T.tensor(-INF), 0), T.softmax(T.tensor(INF), 0),
                    T.log_softmax(T.tensor(INF), 0), T.softmax(T.tensor(NAN), 0), T.softmax(T.tensor(3.), 0),
                    T.softmax(T.tensor(INF, dtype=T.bfloat16), 0)))
    same(lambda T: (T.angle(T.tensor([NAN, -1., 2., -INF], dtype=T.bfloat16)),
                    T.angle(T.tensor([NAN, -1.], dtype=T.float16))))


@pytest.mark.parametrize('dt', ['int8', 'uint8', 'int16', 'int32', 'int64'])
def test_median_of_empty_int(dt):
    same(lambda T: (T.tensor([], dtype=getattr(T, dt)).median(), T.tensor([], dtype=getattr(T, dt)).nanmedian()))


def test_ldexp_values():
    same(lambda T: (T.ldexp(T.tensor(1.), T.tensor(2 ** 40)), T.ldexp(T.tensor([1., 3.], dtype=T.bfloat16),
                                                                       T.tensor([2 ** 40 + 1, -2])),
                    T.ldexp(T.tensor([1.], dtype=T.float64), T.tensor([2 ** 31 + 1])),
                    T.ldexp(T.tensor([3, -2]), T.tensor([3, -2], dtype=T.int8))))

    def inplace(T):
        x = T.tensor(0.531)
        return x.ldexp_(T.tensor(-0.754, dtype=T.float16))
    same(inplace)
    same(lambda T: T.ldexp(T.tensor([1.]), T.tensor([True])))
    same(lambda T: T.zeros(0).ldexp_(T.tensor(True)))


@pytest.mark.parametrize('dt', ['float16', 'float64'])
def test_ldexp_grads(dt):
    same(grad_of(lambda T: [leaf(T, [1., 3., -2.5], getattr(T, dt)), leaf(T, [0.3, -1.2, 2.], getattr(T, dt))],
                 lambda T, x, e: T.ldexp(x, e)))

    def big(T):
        x1 = T.tensor([[-3.333, 3e+38], [-0.048, -1.0]])
        x2 = T.tensor([-0.957, -1.319], requires_grad=True)
        x3 = x1.ldexp_(x2)
        (x1.sum() + x2.sum() + x3.sum()).backward()
        return x2.grad
    same(big)


def test_frexp_backward():
    same(grad_of(lambda T: [leaf(T, -2.)], lambda T, x: x + T.frexp(x)[0]))
    same(grad_of(lambda T: [leaf(T, [-2., 5., 0.3, 0.])], lambda T, x: T.frexp(x)[0] * T.tensor([1., 2., INF, 3.])))


# ------------------------------------------------------------------ B5: integer bounds wrap

@pytest.mark.parametrize('code', [
    'T.clamp(u8, max=-1)', 'T.add(u8, u8, alpha=-1)', 'T.clip(u8, max=-3)', 'u8.clamp_max(-1)', 'u8.clamp_min(-1)',
    'T.clamp(u8, 3, 300)', 'T.sub(u8, u8, alpha=-2)', 'T.clamp(u8, max=-255)', 'T.clamp(u8, max=-256)',
    'T.clamp(i8, -300, 300)', 'T.add(i8, i8, alpha=255)', 'T.add(u8, u8, alpha=-129)', 'i8.clamp(min=-129)',
    'T.clamp(u8, min=-129)', 'T.clamp(T.tensor([3], dtype=T.int32), max=2**40)', 'u8.clone().clamp_(min=-1)',
    'u8.clone().add_(u8, alpha=-1)',
])
def test_int_scalar_wraps(code):
    same(lambda T: eval(code, {'T': T, 'u8': T.tensor([1, 200], dtype=T.uint8),
                               'i8': T.tensor([1, -100, 100], dtype=T.int8)}))


# ------------------------------------------------------------------ B6/B7/C: dtype and argument errors

@pytest.mark.parametrize('code', [
    'T.dist(T.tensor([1+1j, 2j]), T.tensor([0j, 1+0j]))', 'T.dist(T.tensor([True]), T.tensor([False]))',
    'T.dist(T.tensor([1., 2]), T.tensor([True, False, True]))', 'T.dist(T.tensor([1, 2]), T.tensor([1, 3]))',
    'T.prod(T.tensor(2., dtype=T.float64), -1, dtype=T.float16)', 'T.tensor([1., 2.]).nanmean(dtype=T.bool)',
    'T.tensor([1., 2.]).nanmean(dtype=T.int32)', 'g.sum(dtype=T.int32)', 'g.prod(dtype=T.int16)',
    'g.prod(0, dtype=T.uint8)', 'g.sum(0, dtype=T.bool)', 'T.nansum(g, dtype=T.int32)',
    'T.sum(g, 0, dtype=T.int64, out=T.zeros((), dtype=T.int64))', 'g.sum(dtype=T.float64)',
    'T.clamp(a, c, c)', 'T.clamp(a, T.tensor([0.]), c)', 'T.clamp(a, c)', 'T.clamp(a, max=c)', 'a.clamp_(c)',
    'T.clamp_min(a, c)', 'T.clip(a, max=c)', 'a.clamp_min_(c)', 'T.clamp_min(3, a)', 'T.clamp_max(1j, a)',
    'T.clamp_min(a, 1j)', 'T.clamp(a, 1j)', 'a.clamp_(1j)', 'a.clamp_max_(1j)', 'T.clamp(T.tensor([1]), 1j)',
    'T.clamp_max(a, None)', 'T.xlogy(a, 1j)', 'T.xlogy(1j, a)', 'a.xlogy(1j)', 'a.clone().xlogy_(1j)',
    'a.double().xlogy_(T.tensor([1j, 2j]))', 'T.clamp(a, T.tensor([1., 2, 3]))',
])
def test_errors_and_dtypes(code):
    same(lambda T: eval(code, {'T': T, 'a': T.tensor([1., 2.]), 'c': T.tensor([1j]),
                               'g': T.tensor([1., 2.], requires_grad=True)}))


def test_no_grad_int_dtype_allowed():
    def fn(T):
        x = T.tensor([1., 2.], requires_grad=True)
        with T.no_grad():
            return x.sum(dtype=T.int32), x.prod(dtype=T.int64)
    same(fn)


def test_dist_complex_and_single_element_grads():
    for p in (2, 1, 3, 0.5, INF):
        same(grad_of(lambda T: [T.tensor([1 + 1j, 2j], requires_grad=True)],
                     lambda T, a: T.dist(a, T.tensor([0j, 1 + 0j]), p)))
    same(grad_of(lambda T: [leaf(T, [-1e20])], lambda T, x: T.dist(x, T.tensor([1.5]), 3)))
    same(lambda T: (T.linalg.vector_norm(T.tensor([[1e20], [1.]]), 3, dim=1), T.linalg.vector_norm(T.tensor(1e20), 3),
                    T.linalg.vector_norm(T.tensor([[-1e20]]), 3, keepdim=True),
                    T.tensor([[1e20, 2.]]).norm(p=4, dim=0), T.linalg.vector_norm(T.tensor([1e20, 0.]), 3),
                    T.linalg.vector_norm(T.tensor([[0., 2.]]), 0, dim=0)))
    same(grad_of(lambda T: [leaf(T, [[-1e20, 3.], [0., 2.]])],
                 lambda T, x: T.linalg.vector_norm(x, 3, dim=1, keepdim=True)))
