"""svd_lowrank / pca_lowrank (randomized: reconstructions and singular values against PyTorch,
shapes, grad_fn names, repeatability under manual_seed, gradients, errors) and histogramdd
(counts, weights, density, ranges, edge tensors, batched points, errors) against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from helpers import assert_same, check, check_error, case


def lowrank(m, n, r, batch=(), seed=0, cplx=False):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(batch + (m, r)), rng.standard_normal(batch + (r, n))
    if cplx:
        a = a + 1j * rng.standard_normal(batch + (m, r))
    return a @ b


def _rebuild(U, S, V):
    return (U * S.unsqueeze(-2)).matmul(V.mH)


@pytest.mark.parametrize('m,n,r,q,batch', [(6, 5, 2, 3, ()), (5, 8, 3, 3, ()), (7, 4, 2, 6, ()),
                                           (6, 5, 2, 4, (2,)), (4, 4, 4, 4, ())])
def test_svd_lowrank(m, n, r, q, batch):
    A = lowrank(m, n, r, batch)
    tU, tS, tV = torch.svd_lowrank(torch.tensor(A), q=q)
    ember.manual_seed(3)
    U, S, V = ember.svd_lowrank(ember.tensor(A), q=q)
    for e, t in ((U, tU), (S, tS), (V, tV)):
        assert tuple(e.shape) == tuple(t.shape) and e.dtype == ember.float64
    np.testing.assert_allclose(S.cpu().numpy()[..., :r], tS.cpu().numpy()[..., :r], atol=1e-10)
    np.testing.assert_allclose(_rebuild(U, S, V).cpu().numpy(), A, atol=1e-10)
    np.testing.assert_allclose(U.mH.matmul(U).cpu().numpy()[..., :r, :r], np.broadcast_to(np.eye(r), batch + (r, r)),
                               atol=1e-10)


def test_svd_lowrank_complex_and_M():
    A = lowrank(6, 5, 2, cplx=True)
    U, S, V = ember.svd_lowrank(ember.tensor(A), q=3)
    np.testing.assert_allclose(_rebuild(U, S, V).cpu().numpy(), A, atol=1e-10)
    B = lowrank(6, 5, 2, seed=1)
    M = np.linspace(0, 1, 5)
    U, S, V = ember.svd_lowrank(ember.tensor(B + M), q=3, M=ember.tensor(M))
    np.testing.assert_allclose(_rebuild(U, S, V).cpu().numpy(), B, atol=1e-10)
    np.testing.assert_allclose(S.cpu().numpy()[:2], torch.svd_lowrank(torch.tensor(B), q=3)[1].cpu().numpy()[:2], atol=1e-10)


def test_repeatable_and_float32():
    A = ember.tensor(np.random.default_rng(0).standard_normal((8, 6)).astype(np.float32))
    ember.manual_seed(7)
    first = ember.svd_lowrank(A, q=2, niter=0)
    ember.manual_seed(7)
    second = ember.svd_lowrank(A, q=2, niter=0)
    for a, b in zip(first, second):
        assert a.dtype == ember.float32 and np.array_equal(a.cpu().numpy(), b.cpu().numpy())


@pytest.mark.parametrize('kw', [{}, {'q': 2}, {'center': False}, {'q': 3, 'niter': 4}])
def test_pca_lowrank(kw):
    A = lowrank(7, 5, 2, seed=4) + np.arange(5.)
    tU, tS, tV = torch.pca_lowrank(torch.tensor(A), **kw)
    U, S, V = ember.pca_lowrank(ember.tensor(A), **kw)
    assert tuple(U.shape) == tuple(tU.shape) and tuple(V.shape) == tuple(tV.shape)
    k = 2 if kw.get('center', True) else 3
    k = min(k, S.shape[0])
    np.testing.assert_allclose(S.cpu().numpy()[:k], tS.cpu().numpy()[:k], atol=1e-9)
    centred = A - A.mean(0) if kw.get('center', True) else A
    if S.shape[0] >= 3:
        np.testing.assert_allclose(_rebuild(U, S, V).cpu().numpy(), centred, atol=1e-9)


def test_grad_fns_and_gradient():
    for lib in (torch, ember):
        A = lib.tensor(lowrank(5, 4, 4)).requires_grad_()
        U, S, V = lib.svd_lowrank(A, q=3)
        names = [t.grad_fn.name() for t in (U, S, V)]
        assert names == ['MmBackward0', 'LinalgSvdBackward0', 'TransposeBackward0']

    def top(x):                         # q = min(m, n): the exact singular values, whatever the sketch
        ember.manual_seed(0)
        return ember.svd_lowrank(x, q=4)[1]
    x = ember.tensor(lowrank(5, 4, 4, seed=2)).requires_grad_()
    assert ember.autograd.gradcheck(top, [x])
    tx = torch.tensor(lowrank(5, 4, 4, seed=2)).requires_grad_()
    torch.svd_lowrank(tx, q=4)[1].sum().backward()
    top(x).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), tx.grad.cpu().numpy(), atol=1e-8)


LOWRANK_ERRORS = [
    case('pca_q_big', lambda T, a: T.pca_lowrank(a, q=7), [(5, 4)]),
    case('pca_q_neg', lambda T, a: T.pca_lowrank(a, q=-1), [(5, 4)]),
    case('pca_niter', lambda T, a: T.pca_lowrank(a, niter=-1), [(5, 4)]),
    case('svd_q_neg', lambda T, a: T.svd_lowrank(a, q=-1), [(5, 4)]),
    case('svd_1d', lambda T, a: T.svd_lowrank(a), [(3,)]),
    case('pca_1d', lambda T, a: T.pca_lowrank(a), [(3,)]),
    case('svd_list', lambda T: T.svd_lowrank([[1.]]), []),
]


@pytest.mark.parametrize('fn,specs,kw', LOWRANK_ERRORS)
def test_lowrank_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ histogramdd

PTS = np.array([[0., 1.], [1., 0.], [2., 0.], [2., 2.], [0.5, 0.3], [np.nan, 1.]], np.float32)
W = np.array([1., 2., 4., 8., 1., 3.], np.float32)


def hdd(*args, **kw):
    def fn(T, x, *rest):
        kw2 = dict(kw)
        if rest:
            kw2['weight'] = rest[0]
        bins = [T.tensor(b) for b in args[0]] if args and isinstance(args[0], list) and \
            isinstance(args[0][0], np.ndarray) else (args[0] if args else 10)
        return T.histogramdd(x, bins, **kw2)
    return fn


HIST = [
    case('int_bins', hdd(3), [PTS[:5]]),
    case('default_bins', hdd(), [PTS[:5]]),
    case('list_bins', hdd([2, 3]), [PTS[:5]]),
    case('tuple_bins', hdd((4, 1)), [PTS[:5]]),
    case('weight', hdd(3), [PTS[:5], W[:5]]),
    case('nan_point', hdd(3, range=[0., 2., 0., 2.]), [PTS, W]),
    case('density', hdd(2, range=[0., 1., 0., 1.], density=True), [PTS]),
    case('density_weight', hdd([2, 3], density=True), [PTS[:5], W[:5]]),
    case('range', hdd(4, range=[-1., 3., 0., 0.5]), [PTS]),
    case('edges', hdd([np.array([0., 1., 3.], np.float32), np.array([-1., .5, 1.], np.float32)]), [PTS]),
    case('edges_decreasing', hdd([np.array([1., 0.], np.float32), np.array([0., 1.], np.float32)]), [PTS]),
    case('batched', hdd(2), [np.random.default_rng(0).random((2, 3, 3))]),
    case('one_dim', hdd(3), [np.random.default_rng(1).random((6, 1)).astype(np.float32)]),
    case('empty', hdd(2), [np.zeros((0, 2), np.float32)]),
    case('flat_range', hdd(2), [np.ones((3, 2), np.float32)]),
    case('float64', hdd([3, 2], density=True), [PTS[:5].astype(np.float64)]),
]


@pytest.mark.parametrize('fn,specs,kw', HIST)
def test_histogramdd(fn, specs, kw):
    out = check(fn, specs, forward_only=True, **kw)
    assert type(out).__name__ == 'histogramdd' and isinstance(out.bin_edges, tuple)


def test_histogramdd_grad_and_repr():
    t = torch.histogramdd(torch.tensor(PTS[:5]).requires_grad_(), 2)
    e = ember.histogramdd(ember.tensor(PTS[:5]).requires_grad_(), 2)
    assert_same(e.hist, t.hist)
    assert e.bin_edges[1].requires_grad and e.hist.grad_fn.name() == 'ember::autograd::NotImplemented'
    assert repr(e).startswith('ember.return_types.histogramdd(\nhist=tensor(')
    with pytest.raises(RuntimeError, match='derivative for aten::histogramdd is not implemented'):
        e.hist.sum().backward()


HIST_ERRORS = [
    case('bins_len', lambda T, x: T.histogramdd(x, [2]), [PTS[:5]]),
    case('range_len', lambda T, x: T.histogramdd(x, 2, range=[0., 1.]), [PTS[:5]]),
    case('zero_bins', lambda T, x: T.histogramdd(x, 0), [PTS[:5]]),
    case('zero_bins_dim1', lambda T, x: T.histogramdd(x, [2, 0]), [PTS[:5]]),
    case('weight_shape', lambda T, x, w: T.histogramdd(x, 2, weight=w), [PTS[:5], W[:4]]),
    case('weight_dtype', lambda T, x, w: T.histogramdd(x, 2, weight=w.double()), [PTS[:5], W[:5]]),
    case('int_input', lambda T, x: T.histogramdd(x.long(), 2), [PTS[:5]]),
    case('scalar', lambda T: T.histogramdd(T.tensor(1.), 2), []),
    case('min_max', lambda T, x: T.histogramdd(x, 2, range=[1., 0., 0., 1.]), [PTS[:5]]),
    case('edges_dtype', lambda T, x: T.histogramdd(x, [T.tensor([0., 1.]), T.tensor([0., 1.]).double()]), [PTS[:5]]),
    case('edges_2d', lambda T, x: T.histogramdd(x, [T.tensor([0., 1.]), T.ones(2, 2)]), [PTS[:5]]),
    case('nan_data_first', lambda T, x, w: T.histogramdd(x, [2], weight=w[:2]), [PTS, W]),
    case('not_finite', lambda T: T.histogramdd(T.tensor([[float('inf'), 1.]]), 2), []),
]


@pytest.mark.parametrize('fn,specs,kw', HIST_ERRORS)
def test_histogramdd_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ segment_reduce (ops/segment.py)

from ember.ops import segment as _segment  # noqa: E402


def sr(T):
    """The library's segment_reduce (ember's straight from its module until it is registered)."""
    return torch.segment_reduce if T is torch else _segment.segment_reduce


def test_segment_reduce_registered():
    assert ember.segment_reduce is _segment.segment_reduce     # needs 'segment' in _methods.EXTRA_MODULES


SEG_X = np.array([2., 2., 1., 0., 3., 0., 0., 5.])
SEG_L = np.array([3, 2, 2, 1])
SEG_E = np.array([2, 0, 3, 1, 2])          # with an empty segment
X2 = np.random.default_rng(3).uniform(-1, 1, (3, 4))

SEGMENT = [case(f'{red}_{i}', (lambda red, init: lambda T, x, l: sr(T)(x, red, lengths=l, initial=init))(red, init),
                [SEG_X, SEG_L], gradcheck=red in ('sum', 'mean'), gradgrad=False)
           for red in ('sum', 'mean', 'max', 'min', 'prod', 'amax', 'amin') for i, init in enumerate((None, 2.5))]
SEGMENT += [
    case('empty_segments', lambda T, x, l: sr(T)(x, 'sum', lengths=l), [SEG_X, SEG_E], gradgrad=False),
    case('empty_mean', lambda T, x, l: sr(T)(x, 'mean', lengths=l), [SEG_X, SEG_E], gradcheck=False),
    case('empty_max', lambda T, x, l: sr(T)(x, 'max', lengths=l), [SEG_X, SEG_E], gradcheck=False),
    case('offsets', lambda T, x, o: sr(T)(x, 'sum', offsets=o), [SEG_X, np.array([1, 3, 3, 7])], gradgrad=False),
    case('axis1_batched', lambda T, x, l: sr(T)(x, 'mean', lengths=l, axis=1), [X2, np.array([[1, 3], [2, 2], [3, 1]])],
         gradgrad=False),
    case('axis0_rows', lambda T, x, l: sr(T)(x, 'prod', lengths=l), [X2, np.array([1, 2])], gradgrad=False),
    case('int32_lengths', lambda T, x, l: sr(T)(x, 'sum', lengths=l), [X2, np.array([3], np.int32)], gradgrad=False),
    case('float32', lambda T, x, l: sr(T)(x, 'max', lengths=l), [SEG_X.astype(np.float32), SEG_L], gradcheck=False),
    case('nan', lambda T, x, l: sr(T)(x, 'max', lengths=l), [np.array([1., np.nan, 3.]), np.array([2, 1])],
         forward_only=True),
]


@pytest.mark.parametrize('fn,specs,kw', SEGMENT)
def test_segment_reduce(fn, specs, kw):
    check(fn, specs, **kw)


def test_segment_reduce_double_backward():
    for T in (torch, ember):
        x = T.tensor(SEG_X, requires_grad=True)
        g, = T.autograd.grad(sr(T)(x, 'sum', lengths=T.tensor(SEG_L)).sum(), x, create_graph=True)
        assert g.grad_fn.name().endswith('::autograd::NotImplemented')
        with pytest.raises(RuntimeError, match='derivative for aten::_segment_reduce_backward is not implemented'):
            g.sum().backward()


SEG_ERRORS = [
    case('reduce_name', lambda T, x: sr(T)(x, 'foo', lengths=T.tensor([3])), [(3,)]),
    case('no_lengths', lambda T, x: sr(T)(x, 'sum'), [(3,)]),
    case('indices', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([3]), indices=T.tensor([1])), [(3,)]),
    case('sum_mismatch', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([2, 2])), [(3,)]),
    case('negative', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([-1, 4])), [(3,)]),
    case('axis_range', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([3]), axis=1), [(3,)]),
    case('axis_lengths', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([1, 3]), axis=1), [(3, 4)]),
    case('lengths_0d', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor(3)), [(3, 4)]),
    case('lengths_empty', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([], dtype=T.int64)), [(3,)]),
    case('float_lengths', lambda T, x: sr(T)(x, 'sum', lengths=T.tensor([3.])), [(3,)]),
    case('float_offsets', lambda T, x: sr(T)(x, 'sum', offsets=T.tensor([0., 3.])), [(3,)]),
    case('offsets_down', lambda T, x: sr(T)(x, 'sum', offsets=T.tensor([0, 3, 2])), [(3,)]),
    case('int_data', lambda T, x: sr(T)(x.long(), 'sum', lengths=T.tensor([3])), [(3,)]),
    case('complex_data', lambda T, x: sr(T)(x.to(T.complex64), 'sum', lengths=T.tensor([3])), [(3,)]),
]


@pytest.mark.parametrize('fn,specs,kw', SEG_ERRORS)
def test_segment_reduce_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# ------------------------------------------------------------------ lobpcg

def spd(n, batch=(), seed=0):
    x = np.random.default_rng(seed).standard_normal(batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + np.eye(n)


@pytest.mark.parametrize('kw', [dict(k=2), dict(k=2, largest=False), dict(k=1, n=3), dict(k=3, niter=-1),
                                dict(k=2, method='ortho'), dict(k=2, tol=1e-12)])
def test_lobpcg_values(kw):
    A = spd(12)
    E, X = ember.lobpcg(ember.tensor(A), **kw)
    tE, tX = torch.lobpcg(torch.tensor(A), **kw)
    assert tuple(E.shape) == tuple(tE.shape) and tuple(X.shape) == tuple(tX.shape) and E.dtype == ember.float64
    np.testing.assert_allclose(E.cpu().numpy(), tE.cpu().numpy(), rtol=1e-6)
    np.testing.assert_allclose(ember.tensor(A).matmul(X).cpu().numpy(), (X * E).cpu().numpy(), atol=1e-5 * E.abs().max().item())


def test_lobpcg_generalised_start_batched():
    A, B = spd(12), spd(12, seed=1)
    E, X = ember.lobpcg(ember.tensor(A), k=2, B=ember.tensor(B))
    np.testing.assert_allclose(E.cpu().numpy(), torch.lobpcg(torch.tensor(A), k=2, B=torch.tensor(B))[0].cpu().numpy(), rtol=1e-6)
    X0 = np.random.default_rng(2).standard_normal((12, 3))
    E, X = ember.lobpcg(ember.tensor(A), X=ember.tensor(X0), iK=ember.eye(12, dtype=ember.float64))
    np.testing.assert_allclose(E.cpu().numpy(), np.linalg.eigvalsh(A)[::-1][:3], rtol=1e-6)
    Ab = spd(10, (2,), seed=3)
    E, X = ember.lobpcg(ember.tensor(Ab), k=1)
    assert tuple(E.shape) == (2, 1) and tuple(X.shape) == (2, 10, 1)
    np.testing.assert_allclose(E.cpu().numpy()[:, 0], np.linalg.eigvalsh(Ab)[:, -1], rtol=1e-6)
    E, X = ember.lobpcg(ember.tensor(A.astype(np.float32)), k=1)
    assert E.dtype == ember.float32
    np.testing.assert_allclose(E.cpu().numpy(), np.linalg.eigvalsh(A)[-1:], rtol=1e-3)


def test_lobpcg_gradient():
    A = spd(10, seed=4)
    W = np.random.default_rng(5).standard_normal((10, 10))

    def loss(T, a):
        E, X = T.lobpcg(a, k=2, tol=1e-12)
        return E.sum() + (X.matmul(X.mT) * T.tensor(W)).sum()       # sign-free in X
    ta, ea = torch.tensor(A, requires_grad=True), ember.tensor(A, requires_grad=True)
    loss(torch, ta).backward()
    out = loss(ember, ea)
    assert ember.lobpcg(ea, k=2)[0].grad_fn.name() == 'LOBPCGAutogradFunctionBackward'
    out.backward()
    np.testing.assert_allclose(ea.grad.cpu().numpy(), ta.grad.cpu().numpy(), atol=1e-6)
    sym = ember.tensor(A, requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: ember.lobpcg((a + a.mT) / 2, k=2, tol=1e-13)[0], [sym])


LOBPCG_ERRORS = [
    case('too_many', lambda T, a: T.lobpcg(a, k=5), [spd(10)]),
    case('not_square', lambda T, a: T.lobpcg(a[:, :5], k=1), [spd(10)]),
    case('b_grad', lambda T, a, b: T.lobpcg(a, k=1, B=b)[0].sum().backward(), [spd(10), spd(10, seed=1)],
         requires_grad=[False, True]),
]


@pytest.mark.parametrize('fn,specs,kw', LOBPCG_ERRORS)
def test_lobpcg_errors(fn, specs, kw):
    check_error(fn, specs, **kw)
