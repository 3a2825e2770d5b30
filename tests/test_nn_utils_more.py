"""nn.utils.parametrize and nn.utils.parametrizations (weight_norm, spectral_norm, orthogonal),
differentially against torch (the rest of nn.utils is in test_nn_utils_hooks.py)."""
import copy
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import _np, check_error
import ember.nn.utils.parametrize as EP
import torch.nn.utils.parametrize as TP


def lib_of(T):
    return T.nn if T is torch else ember.nn


def copy_in(tm, em):
    """Every state_dict entry (parameters, buffers) of the torch module into the ember one."""
    ts = tm.state_dict()
    es = em.state_dict(keep_vars=True)
    assert list(es) == list(ts)
    with ember.no_grad():
        for k, v in es.items():
            v.copy_(ember.tensor(_np(ts[k])))


def close(e, t, tol=1e-5):
    def val(x):
        return x if isinstance(x, np.ndarray) else _np(x)
    np.testing.assert_allclose(val(e), val(t), atol=tol, rtol=tol)


def same_module(tm, em):
    assert repr(em) == repr(tm).replace('torch.', 'ember.')
    assert type(em).__name__ == type(tm).__name__
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]


def run_both(make, x_shape, train=True, steps=1, seed=0):
    """Build with ``make(nn_namespace, lib)``, copy state, run forward+backward ``steps`` times,
    compare outputs, parameter grads and buffers."""
    torch.manual_seed(seed)
    tm, em = make(torch), make(ember)
    same_module(tm, em)
    copy_in(tm, em)
    tm.train(train)
    em.train(train)
    x = np.random.default_rng(seed).uniform(-1, 1, x_shape).astype(np.float32)
    for _ in range(steps):
        tm.zero_grad()
        em.zero_grad()
        to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
        close(eo, to)
        assert eo.grad_fn.name() == to.grad_fn.name()
        to.sum().backward()
        eo.sum().backward()
        for (n, ep), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
            close(ep.grad, tp.grad, 1e-4)
        for (n, eb), (_, tb) in zip(em.named_buffers(), tm.named_buffers()):
            close(eb, tb, 1e-5)
    return tm, em


# ---------------------------------------------------------------- parametrize
class Sym:
    """Symmetric(): X.triu() + X.triu(1).T, right_inverse A.triu(), for either library."""
    @staticmethod
    def make(T):
        class Symmetric(lib_of(T).Module):
            def forward(self, X):
                return X.triu() + X.triu(1).T

            def right_inverse(self, A):
                return A.triu()
        return Symmetric()


def make_rank_one(T):
    class RankOne(lib_of(T).Module):
        def forward(self, x, y):
            return x.unsqueeze(-1) @ y.unsqueeze(-2)

        def right_inverse(self, Z):
            return Z[:, 0], Z[0, :]
    return RankOne()


def make_scale(T):
    class Scale(lib_of(T).Module):
        def forward(self, X):
            return 2 * X

        def right_inverse(self, X):
            return X / 2
    return Scale()


def P(T):
    return TP if T is torch else EP


def test_register_parametrization_symmetric():
    def make(T):
        m = lib_of(T).Linear(4, 4)
        return P(T).register_parametrization(m, 'weight', Sym.make(T))
    tm, em = run_both(make, (3, 4))
    assert EP.is_parametrized(em) and EP.is_parametrized(em, 'weight') and not EP.is_parametrized(em, 'bias')
    assert EP.type_before_parametrizations(em) is ember.nn.Linear
    assert isinstance(em, ember.nn.Linear)
    assert isinstance(em.parametrizations.weight, EP.ParametrizationList)
    close(em.weight, em.weight.T, 0)
    assert em.weight.grad_fn.name() == tm.weight.grad_fn.name()
    # assignment goes through right_inverse; original keeps its identity
    orig = em.parametrizations.weight.original
    A = np.random.default_rng(1).normal(size=(4, 4)).astype(np.float32)
    A = A + A.T
    tm.weight = torch.tensor(A)
    em.weight = ember.tensor(A)
    assert em.parametrizations.weight.original is orig
    close(em.parametrizations.weight.original, tm.parametrizations.weight.original)
    close(em.weight, A)
    # chaining a second parametrization
    P(torch).register_parametrization(tm, 'weight', make_scale(torch))
    EP.register_parametrization(em, 'weight', make_scale(ember))
    same_module(tm, em)
    close(em.weight, tm.weight)
    with EP.cached():
        assert em.weight is em.weight
    assert em.weight is not em.weight
    # remove keeping the value, then the class goes back
    TP.remove_parametrizations(tm, 'weight')
    EP.remove_parametrizations(em, 'weight')
    same_module(tm, em)
    assert type(em) is ember.nn.Linear and not EP.is_parametrized(em)
    assert em.weight is orig and isinstance(em.weight, ember.nn.Parameter)
    close(em.weight, tm.weight)


def test_remove_unparametrized_and_buffer():
    def make(T):
        m = lib_of(T).BatchNorm1d(3)
        P(T).register_parametrization(m, 'running_mean', make_scale(T))
        P(T).register_parametrization(m, 'weight', make_scale(T))
        return m
    tm, em = run_both(make, (4, 3), train=False)
    assert [n for n, _ in em.named_buffers()] == [n for n, _ in tm.named_buffers()]
    TP.remove_parametrizations(tm, 'weight', leave_parametrized=False)
    EP.remove_parametrizations(em, 'weight', leave_parametrized=False)
    same_module(tm, em)
    close(em.weight, tm.weight)
    TP.remove_parametrizations(tm, 'running_mean', leave_parametrized=True)
    EP.remove_parametrizations(em, 'running_mean', leave_parametrized=True)
    same_module(tm, em)
    assert 'running_mean' in em._buffers
    close(em.running_mean, tm.running_mean)


def test_rank_one_several_originals():
    def make(T):
        return P(T).register_parametrization(lib_of(T).Linear(3, 3), 'weight', make_rank_one(T))
    tm, em = run_both(make, (2, 3))
    assert em.parametrizations.weight.ntensors == 2
    TP.remove_parametrizations(tm, 'weight')
    EP.remove_parametrizations(em, 'weight')
    same_module(tm, em)
    close(em.weight, tm.weight)


def test_parametrize_errors():
    for T in (torch, ember):
        m = lib_of(T).Linear(2, 3)
        with pytest.raises(ValueError, match='does not have a parameter, a buffer, or a parametrized element'):
            P(T).register_parametrization(m, 'nope', make_scale(T))
        with pytest.raises(ValueError, match='does not have a parametrization on weight'):
            P(T).remove_parametrizations(m, 'weight')

    class Shrink:
        @staticmethod
        def make(T):
            class Shrink(lib_of(T).Module):
                def forward(self, X):
                    return X[:1]
            return Shrink()
    msgs = []
    for T in (torch, ember):
        with pytest.raises(ValueError) as e:
            P(T).register_parametrization(lib_of(T).Linear(2, 3), 'weight', Shrink.make(T))
        msgs.append(str(e.value).replace('torch.', 'ember.'))
    assert msgs[0] == msgs[1]
    msgs = []
    for T in (torch, ember):
        m = P(T).register_parametrization(lib_of(T).Linear(2, 3), 'weight', make_rank_one(T))
        with pytest.raises(ValueError) as e:
            P(T).remove_parametrizations(m, 'weight', leave_parametrized=False)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]
    # pickling a parametrized module is refused; deepcopy works
    em = EP.register_parametrization(ember.nn.Linear(2, 2), 'weight', make_scale(ember))
    with pytest.raises(RuntimeError, match='Serialization of parametrized modules'):
        em.__getstate__()
    em2 = copy.deepcopy(em)
    close(em2.weight, em.weight)
    assert em2.parametrizations.weight.original is not em.parametrizations.weight.original


def test_transfer_parametrizations():
    em = EP.register_parametrization(ember.nn.Linear(3, 3), 'weight', make_scale(ember))
    other = ember.nn.Linear(3, 3)
    EP.transfer_parametrizations_and_params(em, other)
    assert type(other).__name__ == 'ParametrizedLinear'
    assert other.parametrizations.weight.original is em.parametrizations.weight.original
    close(other.weight, em.weight)


# ---------------------------------------------------------------- parametrizations
def PZ(T):
    return T.nn.utils.parametrizations


@pytest.mark.parametrize('make,shape', [
    (lambda T: PZ(T).weight_norm(lib_of(T).Linear(3, 4)), (2, 3)),
    (lambda T: PZ(T).weight_norm(lib_of(T).Linear(3, 4), dim=1), (2, 3)),
    (lambda T: PZ(T).weight_norm(lib_of(T).Linear(3, 4), dim=None), (2, 3)),
    (lambda T: PZ(T).weight_norm(lib_of(T).Conv2d(2, 3, 3), dim=1), (1, 2, 5, 5)),
    (lambda T: PZ(T).weight_norm(lib_of(T).Conv1d(2, 3, 3)), (1, 2, 5)),
    (lambda T: PZ(T).spectral_norm(lib_of(T).Linear(3, 4)), (2, 3)),
    (lambda T: PZ(T).spectral_norm(lib_of(T).Linear(5, 3), n_power_iterations=3, eps=1e-6), (2, 5)),
    (lambda T: PZ(T).spectral_norm(lib_of(T).Conv2d(2, 3, 3)), (1, 2, 5, 5)),
    (lambda T: PZ(T).spectral_norm(lib_of(T).ConvTranspose2d(2, 3, 3)), (1, 2, 4, 4)),
    (lambda T: PZ(T).spectral_norm(lib_of(T).Linear(3, 4), dim=1), (2, 3)),
    (lambda T: PZ(T).spectral_norm(lib_of(T).Linear(3, 4), 'bias'), (2, 3)),
    (lambda T: PZ(T).orthogonal(lib_of(T).Linear(4, 4), orthogonal_map='cayley'), (2, 4)),
    (lambda T: PZ(T).orthogonal(lib_of(T).Linear(3, 5)), (2, 3)),
    (lambda T: PZ(T).orthogonal(lib_of(T).Linear(5, 3)), (2, 5)),
    (lambda T: PZ(T).orthogonal(lib_of(T).Linear(3, 5), orthogonal_map='cayley'), (2, 3)),
    (lambda T: PZ(T).orthogonal(lib_of(T).Linear(4, 4), orthogonal_map='householder'), (2, 4)),
    (lambda T: PZ(T).orthogonal(lib_of(T).Linear(4, 3), orthogonal_map='householder',
                                use_trivialization=False), (2, 4)),
], ids=['wn', 'wn_dim1', 'wn_dimNone', 'wn_conv2d', 'wn_conv1d', 'sn', 'sn_iters', 'sn_conv', 'sn_convT',
        'sn_dim1', 'sn_bias_1d', 'orth_cayley', 'orth_wide_house', 'orth_tall_house', 'orth_wide_cayley',
        'orth_sq_house', 'orth_house_notriv'])
def test_parametrizations(make, shape, request):
    if ember.get_default_device().type == 'cuda' and request.node.callspec.id.endswith('orth_house_notriv'):
        pytest.skip('the hand-written geqrf (householder without trivialization) is CPU-tested only')
    tm, em = run_both(make, shape, steps=2)
    tm.eval()
    em.eval()
    x = np.ones(shape, np.float32)
    close(em(ember.tensor(x)), tm(torch.tensor(x)))
    for (n, eb), (_, tb) in zip(em.named_buffers(), tm.named_buffers()):
        close(eb, tb)


def test_orthogonal_matrix_exp():
    if not hasattr(ember.linalg, 'matrix_exp'):
        pytest.skip('ember.linalg.matrix_exp not available yet')
    run_both(lambda T: PZ(T).orthogonal(lib_of(T).Linear(4, 4)), (2, 4), steps=2)
    run_both(lambda T: PZ(T).orthogonal(lib_of(T).Linear(3, 5), orthogonal_map='matrix_exp'), (2, 3))


def test_orthogonal_is_orthogonal_and_assign():
    m = PZ(ember).orthogonal(ember.nn.Linear(5, 3))
    W = m.weight
    close(W @ W.T, np.eye(3), 1e-5)
    Q = np.linalg.qr(np.random.default_rng(0).normal(size=(5, 5)))[0][:3].astype(np.float32)
    m.weight = ember.tensor(Q)
    close(m.weight, Q, 1e-5)


def test_parametrizations_errors():
    for fn in (lambda T: PZ(T).orthogonal(lib_of(T).Linear(3, 4), 'bias'),
               lambda T: PZ(T).orthogonal(lib_of(T).Linear(3, 4), orthogonal_map='qr'),
               lambda T: PZ(T).orthogonal(lib_of(T).Linear(3, 4), 'nope'),
               lambda T: PZ(T).spectral_norm(lib_of(T).Linear(3, 4), 'nope'),
               lambda T: PZ(T).spectral_norm(lib_of(T).Linear(3, 4), n_power_iterations=0),
               lambda T: PZ(T).spectral_norm(lib_of(T).Linear(3, 4), dim=2)):
        check_error(fn, [])
    m = PZ(ember).orthogonal(ember.nn.Linear(3, 4))
    tm = PZ(torch).orthogonal(torch.nn.Linear(3, 4))
    check_error(lambda T: setattr(tm if T is torch else m, 'weight', T.zeros(3, 3)), [])


def test_weight_norm_loads_old_state_dict():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        old = torch.nn.utils.weight_norm(torch.nn.Linear(3, 4))
    sd = {k: ember.tensor(_np(v)) for k, v in old.state_dict().items()}
    em = PZ(ember).weight_norm(ember.nn.Linear(3, 4))
    em.load_state_dict(sd)
    close(em.weight, old.weight)
