"""0-dim tensors where PyTorch parses a Number or an int (alpha, value, beta, min_val, dims, chunks,
split sizes, repeats), matrix_exp as PyTorch computes it (Taylor degrees by norm), softmax's
_stacklevel and lerp's argument errors: each case runs on torch and on ember and compares what a
user sees (repr, dtype, exception type + first line)."""
import warnings

import numpy as np
import pytest
import torch

import ember
from compare import same_seen as same
from helpers import check




def x(T):
    return T.arange(6.)


NUMBER_CASES = {
    'add_alpha': lambda T: T.add(x(T), x(T), alpha=T.tensor(2)),
    'add_alpha_f': lambda T: x(T).add(x(T), alpha=T.tensor(0.5)),
    'add_alpha_bool': lambda T: x(T).add(x(T), alpha=T.tensor(True)),
    'add_alpha_u8': lambda T: x(T).add(x(T), alpha=T.tensor(3, dtype=T.uint8)),
    'add_alpha_np': lambda T: x(T).add(x(T), alpha=np.float64(0.5)),
    'add_alpha_1d': lambda T: x(T).add(x(T), alpha=T.tensor([2.])),
    'add_alpha_grad': lambda T: x(T).add(x(T), alpha=T.tensor(2., requires_grad=True)),
    'add_alpha_str': lambda T: T.add(x(T), x(T), alpha='a'),
    'add_alpha_list': lambda T: T.add(x(T), x(T), alpha=[1]),
    'add_alpha_none': lambda T: T.add(x(T), x(T), alpha=None),
    'add_numbers_alpha': lambda T: T.add(2, 3, alpha='a'),
    'sub_alpha': lambda T: T.sub(x(T), x(T), alpha=T.tensor(3.)),
    'sub_alpha_tuple': lambda T: T.sub(x(T), x(T), alpha=(1,)),
    'add__alpha': lambda T: x(T).add_(x(T), alpha=-T.tensor(0.1)),
    'add__alpha_str': lambda T: x(T).add_(x(T), alpha='a'),
    'sub__alpha': lambda T: x(T).sub_(x(T), alpha=T.tensor(2)),
    'sub__alpha_grad': lambda T: x(T).sub_(x(T), alpha=T.tensor(2., requires_grad=True)),
    'rsub_alpha': lambda T: T.rsub(x(T), x(T), alpha=T.tensor(2.)),
    'rsub_alpha_str': lambda T: T.rsub(x(T), x(T), alpha='a'),
    'addcmul_value': lambda T: x(T).addcmul(x(T), x(T), value=T.tensor(0.5)),
    'addcdiv_value': lambda T: (x(T) + 1).addcdiv(x(T), x(T) + 1, value=T.tensor(2)),
    'addcdiv__value': lambda T: (x(T) + 1).addcdiv_(x(T), x(T) + 1, value=T.tensor(2)),
    'addcmul_value_1d': lambda T: x(T).addcmul(x(T), x(T), value=T.tensor([0.5])),
    'addcmul_value_np': lambda T: x(T).addcmul(x(T), x(T), value=np.ones(2)),
    'addmm_alpha': lambda T: T.addmm(T.ones(2, 2), T.ones(2, 2), T.ones(2, 2), alpha=T.tensor(3.)),
    'addmm_beta_str': lambda T: T.addmm(T.ones(2, 2), T.ones(2, 2), T.ones(2, 2), beta='a'),
    'addmm__alpha': lambda T: T.ones(2, 2).addmm_(T.ones(2, 2), T.ones(2, 2), alpha=T.tensor(3.)),
    'addmm__alpha_1d': lambda T: T.ones(2, 2).addmm_(T.ones(2, 2), T.ones(2, 2), alpha=T.tensor([3.])),
    'baddbmm_beta': lambda T: T.baddbmm(T.ones(1, 2, 2), T.ones(1, 2, 2), T.ones(1, 2, 2), beta=T.tensor(0.5),
                                        alpha=T.tensor(2.)),
    'baddbmm_alpha_str': lambda T: T.baddbmm(T.ones(1, 2, 2), T.ones(1, 2, 2), T.ones(1, 2, 2), alpha='a'),
    'addmv_alpha': lambda T: T.addmv(T.ones(2), T.ones(2, 2), T.ones(2), alpha=T.tensor(2)),
    'addmv_alpha_1d': lambda T: T.addmv(T.ones(2), T.ones(2, 2), T.ones(2), alpha=T.tensor([2])),
    'addr_alpha_bool': lambda T: T.addr(T.ones(2, 2), T.ones(2), T.ones(2), alpha=T.tensor(True)),
    'addbmm_beta': lambda T: T.addbmm(T.ones(2, 2), T.ones(1, 2, 2), T.ones(1, 2, 2), beta=T.tensor(0.5)),
    'addbmm_beta_str': lambda T: T.addbmm(T.ones(2, 2), T.ones(1, 2, 2), T.ones(1, 2, 2), beta='a'),
    'hardtanh_t': lambda T: T.nn.functional.hardtanh(x(T), T.tensor(-1.), T.tensor(2.)),
    'hardtanh_int_t': lambda T: T.nn.functional.hardtanh(x(T), T.tensor(1), 3.),
    'hardtanh_1d': lambda T: T.nn.functional.hardtanh(x(T), -1., T.tensor([2.])),
    'hardtanh__grad': lambda T: T.nn.functional.hardtanh(x(T), -1., T.tensor(2., requires_grad=True), True),
    'hardtanh_str': lambda T: T.nn.functional.hardtanh(x(T), -1., 'a'),
}

INT_CASES = {
    'repeat_t': lambda T: x(T)[:2].repeat(T.tensor(2)),
    'repeat_t_1d': lambda T: T.ones(2, 3).repeat(T.tensor([2]), 1),
    'repeat_t_float': lambda T: x(T)[:2].repeat(T.tensor(2.)),
    'chunk_t': lambda T: x(T).chunk(T.tensor(2)),
    'chunk_t_float': lambda T: x(T).chunk(T.tensor(2.)),
    'chunk_t_1d': lambda T: x(T).chunk(T.tensor([2])),
    'chunk_float': lambda T: x(T).chunk(2.),
    'split_t': lambda T: x(T).split(T.tensor(4)),
    'split_t_float': lambda T: x(T).split(T.tensor(4.)),
    'split_t_sections': lambda T: x(T).split(T.tensor([2, 4])),
    'split_fn_t': lambda T: T.split(x(T), T.tensor(4)),
    'unsqueeze_t': lambda T: x(T).unsqueeze(T.tensor(0)).shape,
    'sum_t': lambda T: T.ones(2, 3).sum(T.tensor(1)),
    'sum_t_kw': lambda T: T.ones(2, 3).sum(dim=T.tensor(1, dtype=T.int32)),
    'sum_t_1d': lambda T: T.ones(2, 3).sum(T.tensor([1])),
    'sum_t_bool': lambda T: T.ones(2, 3).sum(T.tensor(True)),
    'sum_t_tuple': lambda T: T.ones(2, 3).sum((T.tensor(0), T.tensor(1))),
    'mean_t': lambda T: T.ones(2, 3).mean(T.tensor(0)),
    'softmax_t': lambda T: T.ones(2, 3).softmax(T.tensor(1)),
    'F_softmax_t': lambda T: T.nn.functional.softmax(T.ones(2, 3), T.tensor(0)),
    'transpose_t': lambda T: T.ones(2, 3).transpose(T.tensor(1), 0).shape,
    'argmax_t': lambda T: T.ones(2, 3).argmax(T.tensor(1)),
    'cat_t': lambda T: T.cat([T.ones(1, 2), T.ones(1, 2)], T.tensor(1)).shape,
    'flatten_t': lambda T: T.ones(2, 3, 4).flatten(T.tensor(1)).shape,
    'numpy_int_dim': lambda T: T.ones(2, 3).sum(np.int64(1)),
}


@pytest.mark.parametrize('name', list(NUMBER_CASES))
def test_number_args(name):
    same(NUMBER_CASES[name])


@pytest.mark.parametrize('name', list(INT_CASES))
def test_int_args(name):
    same(INT_CASES[name])


def test_scalar_alpha_grad():
    check(lambda T, a, b: T.add(a, b, alpha=T.tensor(0.5)), [(2, 3), (2, 3)])
    check(lambda T, a, b: T.addmm(a, b, b.t(), beta=T.tensor(2.), alpha=T.tensor(-1.)), [(2, 2), (2, 3)])


def test_failed_alpha_changes_nothing():
    t = ember.ones(3)
    with pytest.raises(TypeError):
        t.add_(ember.ones(3), alpha='a')
    assert t.tolist() == [1., 1., 1.] and t._version == 0


# ------------------------------------------------------------------ matrix_exp

def _rand(rng, shape, dtype, scale):
    a = rng.standard_normal(shape) * scale
    if dtype.startswith('complex'):
        a = a + 1j * rng.standard_normal(shape) * scale
    return a.astype(dtype)


@pytest.mark.parametrize('dtype', ['float32', 'float64', 'complex64', 'complex128'])
def test_matrix_exp_matches_torch(dtype):
    rng = np.random.default_rng(5)
    tol = 3e-6 if dtype in ('float32', 'complex64') else 1e-13
    for n in (1, 2, 3, 5, 8):
        for scale in (1e-6, 1e-3, 0.02, 0.1, 0.4, 1.0, 3.0):
            for shape in ((n, n), (3, n, n), (2, 1, n, n)):
                a = _rand(rng, shape, dtype, scale / n)
                t = torch.matrix_exp(torch.from_numpy(a)).numpy()
                e = ember.matrix_exp(ember.tensor(a)).numpy()
                assert e.dtype == t.dtype
                err = np.abs(t - e).max() / np.abs(t).max()
                assert err < tol, (n, scale, shape, err)


def test_matrix_exp_float32_polynomial():
    # degree 8 at this norm: PyTorch's own constants (their cos(0.5) is 0.8775878, not 0.8775826)
    a = [[0., -1.], [1., 0.]]
    e = ember.matrix_exp(ember.tensor(a) * 0.5)[0, 0].item()
    assert e == torch.matrix_exp(torch.tensor(a) * 0.5)[0, 0].item()


def test_matrix_exp_grad():
    check(lambda T, a: T.matrix_exp(a), [(3, 3)], low=-0.3, high=0.3)
    check(lambda T, a: T.linalg.matrix_exp(a), [(2, 3, 3)], low=-1.5, high=1.5)
    a = ember.tensor(np.random.default_rng(1).standard_normal((3, 3)), requires_grad=True)
    assert ember.autograd.gradcheck(ember.matrix_exp, (a,))


def test_matrix_exp_nan():
    same(lambda T: T.matrix_exp(T.tensor([[float('nan'), 0.], [0., 1.]])))


# ------------------------------------------------------------------ softmax _stacklevel, lerp errors

def _warning_lines(T):
    F = T.nn.functional

    def wrapper():
        return F.softmax(T.ones(2, 3), _stacklevel=4)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        F.log_softmax(T.ones(2, 3))
        wrapper()
    return [(r.filename, r.lineno) for r in w]


def test_softmax_stacklevel():
    got = _warning_lines(ember)
    assert got == _warning_lines(torch)
    assert got[0][0] == __file__


LERP_CASES = {
    'lerp_ndarray': lambda T: T.lerp(T.ones(3), np.ones(3), 0.5),
    'lerp_weight_ndarray': lambda T: T.lerp(T.ones(3), T.ones(3), np.ones(3)),
    'lerp__str': lambda T: T.ones(3).lerp_(T.ones(3), 'a'),
    'lerp_input_ndarray': lambda T: T.lerp(np.ones(3), T.ones(3), 0.5),
}


@pytest.mark.parametrize('name', list(LERP_CASES))
def test_lerp_errors(name):
    same(LERP_CASES[name])
