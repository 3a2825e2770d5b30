"""Survey 3 fixes (complex values and refusals, torch.func): each case runs the same function with
torch and with ember and compares what a user sees (repr, dtype, exception type + first line)."""
import warnings

import numpy as np
import pytest
import torch

import ember

INF, NAN = float('inf'), float('nan')


def _see(T, fn):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            r = fn(T)
        except Exception as e:          # noqa: BLE001 (the error is what is compared)
            return ('raises', type(e).__name__, str(e).split('\n')[0])
    return _show(r)


def _show(r):
    if isinstance(r, (tuple, list)):
        return type(r).__name__, [_show(x) for x in r]
    if isinstance(r, dict):
        return {k: _show(v) for k, v in r.items()}
    return repr(r).replace('torch', 'ember')


def same(fn):
    t, e = _see(torch, fn), _see(ember, fn)
    assert str(t).replace('torch', 'ember') == str(e), f'\ntorch: {t}\nember: {e}'


SPECIAL = [complex(NAN, 1), complex(INF, 0), complex(-INF, NAN), complex(1, INF), complex(-0.0, -0.0),
           complex(2, -3)]


def Z(T, dt='complex128'):
    return T.tensor(SPECIAL, dtype=getattr(T, dt))


def _jac_fns(T):
    return (lambda x, y: (x * y.sum(), y.exp())), T.tensor([1., 2, 3]), T.tensor([0.5, -1.])


COMPLEX = {
    # item 5: nan_to_num on complex, each part on its own
    'nan_to_num': lambda T: T.nan_to_num(Z(T)),
    'nan_to_num_c64': lambda T: T.nan_to_num(Z(T, 'complex64')),
    'nan_to_num_args': lambda T: T.nan_to_num(Z(T), nan=2., posinf=3., neginf=-4.),
    'nan_to_num_method_': lambda T: Z(T).clone().nan_to_num_(),
    'nan_to_num_grad': lambda T: T.nan_to_num(Z(T).requires_grad_()),
    # item 6: complex special values
    'reciprocal_zero': lambda T: T.reciprocal(T.tensor([0j, complex(INF, 0), complex(-1, -0.0), 2 + 3j])),
    'pow_minus1_zero': lambda T: T.tensor([0j, 1j, 2 + 3j]) ** -1,
    'pow_neg_zero': lambda T: T.tensor([0j, 1j], dtype=T.complex128) ** -2.5,
    'pow_half': lambda T: T.tensor([complex(INF, 0), complex(-1, 0), 0j]) ** 0.5,
    'pow_minus_half': lambda T: T.tensor([complex(INF, 0), complex(-1, 0), 0j]) ** -0.5,
    'pow_tensor_zero_zero': lambda T: T.tensor([0j, 1j, complex(INF, 0)]) ** T.tensor([0j, 0j, 0j]),
    'pow_tensor_zero_neg': lambda T: T.tensor([0j, 0j, 1j]) ** T.tensor([-1 + 1j, -2 + 0j, 1j]),
    'pow_scalar_base_zero': lambda T: T.pow(0j, T.tensor([0j, 1j, -1 + 0j])),
    'pow_real_unchanged': lambda T: T.tensor([0., 2.]) ** -1,
    'log1p_nan_parts': lambda T: T.log1p(T.tensor([complex(-INF, NAN), complex(INF, NAN), complex(NAN, INF),
                                                   complex(NAN, 0), complex(-1, 0)])),
    'log1p_small': lambda T: T.log1p(T.tensor([1e-20 + 1e-20j, -0.3 + 0.2j, 3 - 4j], dtype=T.complex128)),
    'log1p_c64': lambda T: T.log1p(T.tensor([1e-8 + 0j, 0.25 - 0.5j, 10 + 1j])),
    'log1p_grad': lambda T: (lambda z: (T.log1p(z).abs().sum().backward(), z.grad)[1])(
        T.tensor([1 + 1j, -0.5j], requires_grad=True)),
    # item 19: no complex unique
    'unique': lambda T: T.unique(T.tensor([1 + 2j, 0j])),
    'unique_method': lambda T: T.tensor([1 + 2j, 0j], dtype=T.complex128).unique(return_counts=True),
    'unique_dim': lambda T: T.unique(T.tensor([[1 + 2j, 0j]]), dim=0),
    'unique_consecutive': lambda T: T.unique_consecutive(T.tensor([1 + 2j, 0j])),
    'unique_real_ok': lambda T: T.unique(T.tensor([2., 1., 2.])),
    # item 22: complex reductions into a real dtype take the real part (no NumPy ComplexWarning)
    'sum_dtype_real': lambda T: T.tensor([1 + 2j, 3 - 1j]).sum(dtype=T.float32),
    'mean_dtype_real': lambda T: T.tensor([1 + 2j, 3 - 1j]).mean(dtype=T.float64),
    'prod_dtype_real': lambda T: T.tensor([1 + 2j, 3 - 1j]).prod(dtype=T.float32),
    'sum_dim_dtype_int': lambda T: T.tensor([[1 + 2j, 3 - 1j]]).sum(1, dtype=T.int64),
}

FUNC = {
    # item 20: signs of zero in Jacobians as PyTorch's batched vjp / jvp give them
    'jacrev_multi': lambda T: T.func.jacrev(_jac_fns(T)[0], argnums=(0, 1))(*_jac_fns(T)[1:]),
    'jacfwd_multi': lambda T: T.func.jacfwd(_jac_fns(T)[0], argnums=(0, 1))(*_jac_fns(T)[1:]),
    'jacfwd_aux': lambda T: T.func.jacfwd(lambda x: (x.sin(), x.sum()), has_aux=True)(T.tensor([1., 2, 3])),
    'jacrev_dict': lambda T: T.func.jacrev(lambda x: {'a': x.sin(), 'b': x.sum()})(T.tensor([1., 2, 3])),
    'hessian_multi': lambda T: T.func.hessian(lambda x, y: (x ** 2).sum() * y.sum(), argnums=(0, 1))(
        T.tensor([1., 2, 3]), T.tensor([0.5, -1.])),
    'jacfwd_outer': lambda T: T.func.jacfwd(lambda a, b: a.outer(b), argnums=(0, 1))(
        T.tensor([1., 2, 3]), T.tensor([0.5, -1.])),
    'jacfwd_int_out': lambda T: T.func.jacfwd(lambda a: a.sum().long())(T.tensor([1., 2])),
    'jacfwd_f64_out': lambda T: T.func.jacfwd(lambda a: (a * 2).double())(T.tensor([1., 2])),
    'jacfwd_empty': lambda T: T.func.jacfwd(lambda a: a * 2)(T.ones(0)),
    'jacrev_complex_in': lambda T: T.func.jacrev(lambda a, b: a * b, argnums=1)(T.tensor([1j]), T.tensor([1.])),
    'jacfwd_complex_out': lambda T: T.func.jacfwd(lambda a: (a, a * 1j))(T.tensor([1.])),
    'hessian_complex': lambda T: T.func.hessian(lambda a: a.sum())(T.tensor([1j])),
    'jacrev_complex_aux_ok': lambda T: T.func.jacrev(lambda a: (a, a * 1j), has_aux=True)(T.tensor([1.])),
    # item 4: outputs whose shape depends on the values
    'vmap_nonzero': lambda T: T.func.vmap(lambda x: x.nonzero())(T.tensor([[0., 1, 2], [3, 4, 5]])),
}


@pytest.mark.parametrize('name', sorted(COMPLEX))
def test_complex(name):
    same(COMPLEX[name])


@pytest.mark.parametrize('name', sorted(FUNC))
def test_func(name):
    fn = FUNC[name]
    if name.startswith('vmap_'):               # ember cannot name the aten op: compare the start
        t, e = _see(torch, fn), _see(ember, fn)
        head = 'vmap: We do not support batching operators that can output dynamic shape.'
        assert t[:2] == e[:2] and t[2].startswith(head) and e[2].startswith(head)
        return
    same(fn)


def test_complex_sum_warns_userwarning_not_numpy():
    z = ember.tensor([1 + 2j, 3 - 1j])
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        z.sum(dtype=ember.float32)
        z.mean(dtype=ember.float32)
    assert not [x for x in w if 'ComplexWarning' in type(x.message).__name__]


def test_log1p_real_unchanged():
    x = np.array([0.5, -0.25, 3.0], np.float32)
    np.testing.assert_array_equal(ember.log1p(ember.tensor(x)).numpy(), np.log1p(x))


# ------------------------------------------------------------------ vmap: writes to unmapped inputs

INPLACE = {
    'add_': lambda x, y: y.add_(x),
    'mul_': lambda x, y: y.mul_(x),
    'copy_': lambda x, y: y.copy_(x),
    'view_add_': lambda x, y: y[:2].add_(x[:2]),
    'setitem': lambda x, y: y.__setitem__(0, x.sum()),
}


@pytest.mark.parametrize('name', sorted(INPLACE))
def test_vmap_inplace_on_unmapped_input_refused(name):
    fn = INPLACE[name]
    y = ember.ones(3)
    with pytest.raises(RuntimeError, match=r'^vmap: inplace arithmetic\(self, \*extra_args\) is not possible'):
        ember.func.vmap(fn, in_dims=(0, None))(ember.arange(6.).reshape(2, 3), y)
    assert y.tolist() == [1.0, 1.0, 1.0]          # the caller's tensor is unchanged
    y.add_(1)                                       # and writable again
    assert y.tolist() == [2.0, 2.0, 2.0]


def test_vmap_inplace_in_pytree_and_mapped_ok():
    y = ember.ones(3)
    with pytest.raises(RuntimeError, match='^vmap: inplace arithmetic'):
        ember.func.vmap(lambda x, d: d['w'].mul_(x), in_dims=(0, None))(ember.ones(2, 3), {'w': y})
    assert y.tolist() == [1.0, 1.0, 1.0] and y._data.flags.writeable
    x = ember.arange(6.).reshape(2, 3)
    out = ember.func.vmap(lambda x, y: x.add_(y), in_dims=(0, None))(x, y)     # mapped self: fine
    assert out.tolist() == [[1., 2., 3.], [4., 5., 6.]]


def test_vmap_other_errors_unchanged():
    with pytest.raises(RuntimeError, match='^unsupported operation: more than one element'):
        ember.func.vmap(lambda x, y: x.expand(2, 3).add_(1), in_dims=(0, None))(ember.ones(2, 3), ember.ones(3))


def test_unmapped_inputs_writable_again_after_vmap():
    y = ember.ones(3)
    kept = []

    def f(x, y):
        kept.append(y[:2])                   # a view of an unmapped input, kept past the call
        return x * 2
    ember.func.vmap(f, in_dims=(0, None))(ember.arange(6.).reshape(2, 3), y)
    kept[0].add_(1)
    y.add_(1)
    assert y.tolist() == [3., 3., 2.]
