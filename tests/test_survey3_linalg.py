"""Differential regressions (torch vs ember) for the third survey's linalg / special / fft findings:
inv_ex/solve_ex info, out= across torch.linalg, singular triangular solves, lstsq drivers, the
fused BLAS ops with alpha = 0, norms, error texts, warn-once deprecations and distribution
grad_fn names. Each case runs the same function on both libraries and compares what a user sees."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, cplx

NAN, INF = float('nan'), float('inf')


def rn(*shape, seed=0, dtype=np.float64):
    r = np.random.RandomState(seed + 7 * sum(shape))
    if np.dtype(dtype).kind == 'c':
        return (r.randn(*shape) + 1j * r.randn(*shape)).astype(dtype)
    return r.randn(*shape).astype(dtype)


def _msg(e):
    return str(e).replace('torch', 'ember').split('\n')[0]


def _view(o, T):
    """What a user sees of a result, as plain Python data."""
    if isinstance(o, T.Tensor):
        a = o.detach()
        if a.dtype in (T.float16, T.bfloat16):
            a = a.float()
        v = a.resolve_conj().numpy() if T is torch else a.numpy()
        gf = o.grad_fn
        return ('T', str(o.dtype).split('.')[-1], tuple(o.shape), None if gf is None else type(gf).__name__
                if T is ember else gf.name(), np.asarray(v))
    if isinstance(o, (tuple, list)):
        return (type(o).__name__, [_view(x, T) for x in o])
    return o


def _same(a, b, rtol, atol):
    if isinstance(a, tuple) and a and a[0] == 'T':
        assert a[:4] == b[:4], (a[:4], b[:4])
        va, vb = a[4], b[4]
        if va.dtype == bool:
            assert np.array_equal(va, vb)
        else:
            np.testing.assert_allclose(vb.astype(np.complex128), va.astype(np.complex128), rtol=rtol, atol=atol,
                                       equal_nan=True)
    elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], list):
        assert a[0] == b[0] and len(a[1]) == len(b[1]), (a[0], b[0])
        for x, y in zip(a[1], b[1]):
            _same(x, y, rtol, atol)
    else:
        assert a == b, (a, b)


def _run(fn, T):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            out = ('ok', _view(fn(T), T))
        except Exception as e:             # noqa: BLE001 (the exception is the result compared)
            out = ('exc', type(e).__name__, _msg(e))
    return out, sorted({_msg(x.message)[:60] for x in w if 'resized' not in str(x.message)})


def same(fn, rtol=1e-6, atol=1e-8, warn=True):
    (a, wa), (b, wb) = _run(fn, torch), _run(fn, ember)
    assert a[0] == b[0], (a, b)
    if a[0] == 'exc':
        assert a[1:] == b[1:]
    else:
        _same(a[1], b[1], rtol, atol)
    if warn:
        assert wa == wb


SING = [[1., 2.], [2., 4.]]


def _spd(T):
    a = T.tensor(rn(3, 3))
    return a @ a.mT + T.eye(3, dtype=T.float64)


def _into(f, dtype_name='float64', shape=(0,)):
    """f(T, out) run with an out tensor of the dtype; returns (result is out, out)."""
    def g(T):
        o = T.empty(*shape, dtype=getattr(T, dtype_name))
        r = f(T, o)
        return r is o, o
    return g


OUT_FNS = {
    'inv': lambda T, o: T.linalg.inv(_spd(T), out=o),
    'inverse': lambda T, o: T.inverse(_spd(T), out=o),
    'det': lambda T, o: T.linalg.det(_spd(T), out=o),
    'cholesky': lambda T, o: T.linalg.cholesky(_spd(T), out=o),
    'svdvals': lambda T, o: T.linalg.svdvals(_spd(T), out=o),
    'eigvalsh': lambda T, o: T.linalg.eigvalsh(_spd(T), out=o),
    'pinv': lambda T, o: T.linalg.pinv(_spd(T), out=o),
    'vector_norm': lambda T, o: T.linalg.vector_norm(_spd(T), out=o),
    'matrix_norm': lambda T, o: T.linalg.matrix_norm(_spd(T), out=o),
    'norm': lambda T, o: T.linalg.norm(_spd(T), out=o),
    'cross': lambda T, o: T.linalg.cross(_spd(T), _spd(T).flip(0), out=o),
    'multi_dot': lambda T, o: T.linalg.multi_dot([_spd(T), _spd(T)], out=o),
    'vecdot': lambda T, o: T.linalg.vecdot(_spd(T), _spd(T), out=o),
    'kron': lambda T, o: T.kron(_spd(T), _spd(T), out=o),
    'matrix_power': lambda T, o: T.linalg.matrix_power(_spd(T), 2, out=o),
    'solve': lambda T, o: T.linalg.solve(_spd(T), T.ones(3, dtype=T.float64), out=o),
    'solve_triangular': lambda T, o: T.linalg.solve_triangular(_spd(T), _spd(T), upper=True, out=o),
    'lu_solve': lambda T, o: T.linalg.lu_solve(*T.linalg.lu_factor(_spd(T)), _spd(T), out=o),
    'householder_product': lambda T, o: T.linalg.householder_product(_spd(T), T.ones(2, dtype=T.float64), out=o),
}
OUT_CASES = [pytest.param(_into(f, d, s), id=f'{n}-{d}-{s}') for n, f in OUT_FNS.items()
             for d, s in (('float64', (0,)), ('float32', (0,)), ('float64', (7, 7)))]
OUT_CASES += [pytest.param(_into(lambda T, o: T.linalg.matrix_rank(_spd(T), out=o), 'int64'), id='matrix_rank'),
              pytest.param(_into(lambda T, o: T.linalg.eigvals(_spd(T), out=o), 'complex128'), id='eigvals'),
              pytest.param(_into(lambda T, o: T.linalg.eigvals(_spd(T), out=o), 'float64'), id='eigvals-real')]


def _E(T, d='float64'):
    return T.empty(0, dtype=getattr(T, d))


TUPLE_OUT = {
    'qr': lambda T, d: T.linalg.qr(_spd(T), out=(_E(T), _E(T, d))),
    'svd': lambda T, d: T.linalg.svd(_spd(T), out=(_E(T), _E(T, d), _E(T))),
    'tsvd': lambda T, d: T.svd(_spd(T), out=(_E(T), _E(T, d), _E(T))),
    'eigh': lambda T, d: T.linalg.eigh(_spd(T), out=(_E(T, d), _E(T))),
    'lu': lambda T, d: T.linalg.lu(_spd(T), out=(_E(T), _E(T), _E(T, d))),
    'slogdet': lambda T, d: T.linalg.slogdet(_spd(T), out=(_E(T), _E(T, d))),
    'lu_unpack': lambda T, d: T.lu_unpack(*T.linalg.lu_factor(_spd(T)), out=(_E(T), _E(T), _E(T, d))),
}
TUPLE_OUT_CASES = [pytest.param(lambda T, f=f, d=d: f(T, d), id=f'{n}-{d}') for n, f in TUPLE_OUT.items()
                   for d in ('float64', 'float32')]
TUPLE_OUT_CASES += [pytest.param(lambda T, f=f, d=d: f(T, d), id=f'{n}-{d}') for n, f in {
    'inv_ex': lambda T, d: T.linalg.inv_ex(_spd(T), out=(_E(T), _E(T, d))),
    'solve_ex': lambda T, d: T.linalg.solve_ex(_spd(T), _spd(T), out=(_E(T), _E(T, d))),
    'cholesky_ex': lambda T, d: T.linalg.cholesky_ex(_spd(T), out=(_E(T), _E(T, d))),
    'lu_factor': lambda T, d: T.linalg.lu_factor(_spd(T), out=(_E(T), _E(T, d))),
}.items() for d in ('int32', 'int64')]
TUPLE_OUT_CASES += [
    pytest.param(lambda T: T.linalg.eig(_spd(T), out=(_E(T, 'complex128'), _E(T, 'complex64'))), id='eig'),
    pytest.param(lambda T: T.linalg.eig(_spd(T), out=(_E(T, 'complex128'), _E(T))), id='eig-real'),
    pytest.param(lambda T: T.linalg.qr(_spd(T), out=_E(T)), id='qr-not-tuple'),
    pytest.param(lambda T: T.linalg.inv(_spd(T).requires_grad_(), out=_E(T)), id='inv-grad'),
    pytest.param(lambda T: T.linalg.lstsq(_spd(T), _spd(T), out=(_E(T), _E(T), _E(T, 'int64'), _E(T))),
                 id='lstsq'),
]


@pytest.mark.parametrize('fn', OUT_CASES + TUPLE_OUT_CASES)
def test_out(fn):
    same(fn)


VALUE_CASES = {
    # 1: inv_ex / solve_ex report the first zero pivot and return LAPACK's inf/nan
    'inv_ex': lambda T: T.linalg.inv_ex(T.tensor(SING)),
    'inv_ex-zero': lambda T: T.linalg.inv_ex(T.zeros(2, 2)),
    'inv_ex-batch': lambda T: T.linalg.inv_ex(T.stack([T.eye(2), T.tensor(SING)])),
    'inv_ex-check': lambda T: T.linalg.inv_ex(T.stack([T.eye(2), T.tensor(SING)]), check_errors=True),
    'inv_ex-grad': lambda T: T.linalg.inv_ex(T.tensor(rn(3, 3)).requires_grad_()),
    'solve_ex': lambda T: T.linalg.solve_ex(T.tensor(SING), T.ones(2)),
    'solve_ex-left': lambda T: T.linalg.solve_ex(T.tensor(SING), T.ones(3, 2), left=False),
    'solve_ex-check': lambda T: T.linalg.solve_ex(T.stack([T.eye(2), T.tensor(SING)]), T.ones(2, 2),
                                                  check_errors=True),
    'solve-batch-singular': lambda T: T.linalg.solve(T.stack([T.eye(2), T.tensor(SING)]), T.ones(2, 2)),
    'cholesky_ex': lambda T: T.linalg.cholesky_ex(T.tensor([[1., 2.], [2., 1.]])),
    'cholesky_ex-int': lambda T: T.linalg.cholesky_ex(T.eye(2, dtype=T.int64)),
    'cholesky_ex-1d': lambda T: T.linalg.cholesky_ex(T.ones(2)),
    # 3: vander keeps complex input
    'vander-complex': lambda T: T.linalg.vander(T.tensor([1 + 1j, 2]), N=3),
    # 5: alpha = 0 drops the product for addmm/addmv/addbmm (not baddbmm/addr)
    'addmm-alpha0': lambda T: T.addmm(T.ones(2, 2), T.full((2, 2), NAN), T.ones(2, 2), alpha=0),
    'addmm-both0': lambda T: T.addmm(T.full((2, 2), NAN), T.full((2, 2), NAN), T.ones(2, 2), alpha=0, beta=0),
    'addmv-alpha0': lambda T: T.addmv(T.ones(2), T.full((2, 3), NAN), T.ones(3), alpha=0),
    'addbmm-alpha0': lambda T: T.addbmm(T.ones(2, 2), T.full((2, 2, 3), NAN), T.ones(2, 3, 2), alpha=0),
    'baddbmm-alpha0': lambda T: T.baddbmm(T.ones(2, 2, 2), T.full((2, 2, 3), NAN), T.ones(2, 3, 2), alpha=0),
    'addr-alpha0': lambda T: T.addr(T.ones(2, 3), T.full((2,), NAN), T.ones(3), alpha=0),
    'baddbmm-2d': lambda T: T.baddbmm(T.ones(3, 3), T.ones(2, 3, 3), T.ones(3, 3)),
    # 6: singular triangular solves substitute (inf/nan), no error
    'solve_triangular-singular': lambda T: T.linalg.solve_triangular(T.tensor([[0., 1.], [0., 2.]]), T.ones(2, 1),
                                                                      upper=True),
    'solve_triangular-right': lambda T: T.linalg.solve_triangular(T.tensor([[0., 1.], [0., 2.]]), T.ones(3, 2),
                                                                   upper=True, left=False),
    'solve_triangular-lower': lambda T: T.linalg.solve_triangular(T.tensor([[0., 0.], [1., 2.]]), T.ones(2, 2),
                                                                   upper=False),
    'triangular_solve-singular': lambda T: T.triangular_solve(T.ones(2, 1), T.tensor([[0., 1.], [0., 2.]]),
                                                               transpose=True),
    'solve_triangular-half': lambda T: T.linalg.solve_triangular(T.eye(2, dtype=T.float16),
                                                                  T.ones(2, 1, dtype=T.float16), upper=True),
    # 9, 13: norms
    'norm-nuc': lambda T: T.norm(T.eye(3), p='nuc'),
    'norm-nuc-3d': lambda T: T.norm(T.ones(2, 3, 3), p='nuc'),
    'norm-nuc-dim': lambda T: T.norm(T.ones(2, 3, 3), p='nuc', dim=(1, 2), keepdim=True),
    'norm-narrow': lambda T: T.norm(T.ones(3, dtype=T.float64), dtype=T.float32),
    'vector_norm-narrow': lambda T: T.linalg.vector_norm(T.ones(3, dtype=T.float64), dtype=T.float32),
    'vector_norm-complex-real': lambda T: T.linalg.vector_norm(T.ones(3, dtype=T.complex128), dtype=T.float64),
    'vector_norm-complex-narrow': lambda T: T.linalg.vector_norm(T.ones(3, dtype=T.complex128), dtype=T.complex64),
    'vector_norm-widen': lambda T: T.linalg.vector_norm(T.ones(3, dtype=T.complex64), dtype=T.complex128),
    'matrix_norm-narrow': lambda T: T.linalg.matrix_norm(T.ones(3, 3, dtype=T.float64), 'nuc', dtype=T.float32),
    'matrix_norm-half-2': lambda T: T.linalg.matrix_norm(T.eye(2, dtype=T.float16), 2),
    'matrix_norm-half-fro': lambda T: T.linalg.matrix_norm(T.eye(2, dtype=T.float16), 'fro'),
    'matrix_norm-nan': lambda T: T.linalg.matrix_norm(T.full((2, 2), NAN), 2),
    'norm-fro-3d': lambda T: T.linalg.norm(T.ones(2, 2, 2), ord='fro'),
    # 12: LU of empty matrices
    'lu_factor-0x0': lambda T: T.linalg.lu_factor(T.zeros(0, 0)),
    'lu_factor_ex-0x3': lambda T: T.linalg.lu_factor_ex(T.zeros(0, 3)),
    'lu-3x0': lambda T: T.linalg.lu(T.zeros(3, 0)),
    'lu-batch0': lambda T: T.linalg.lu(T.zeros(0, 2, 2)),
    # 14-16: rejected calls
    'matrix_power-float': lambda T: T.linalg.matrix_power(T.eye(2), 2.0),
    'matrix_power-tensor': lambda T: T.linalg.matrix_power(T.eye(2), T.tensor(3)),
    'matrix_power-method': lambda T: T.eye(2).matrix_power(2.0),
    'matrix_power-top': lambda T: T.matrix_power(T.eye(2), True),
    'matrix_rank-tol-atol': lambda T: T.linalg.matrix_rank(T.eye(2), tol=1.0, atol=1.0),
    'svd-driver': lambda T: T.linalg.svd(T.eye(2), driver='gesvd'),
    'svdvals-driver': lambda T: T.linalg.svdvals(T.eye(2), driver='gesvd'),
    'chain_matmul-vector': lambda T: T.chain_matmul(T.eye(3), T.ones(3)),
    'svd-nan': lambda T: T.linalg.svd(T.full((2, 2), NAN)),
    'svdvals-nan': lambda T: T.linalg.svdvals(T.full((2, 2), NAN)),
    'pinv-nan': lambda T: T.linalg.pinv(T.full((2, 2), NAN)),
    'matrix_rank-nan': lambda T: T.linalg.matrix_rank(T.full((2, 2), NAN)),
    'eigh-nan': lambda T: T.linalg.eigvalsh(T.full((2, 2), NAN)),
    'cross-bool': lambda T: T.linalg.cross(T.ones(3, dtype=T.bool), T.ones(3, dtype=T.bool)),
    # 7: lstsq drivers
    'lstsq-bad-driver': lambda T: T.linalg.lstsq(T.eye(2, dtype=T.int64), T.ones(2, 1, dtype=T.int64), driver='foo'),
    'lstsq-rows': lambda T: T.linalg.lstsq(T.ones(4, 3), T.ones(3, 2)),
    'lstsq-dtype': lambda T: T.linalg.lstsq(T.eye(2, dtype=T.cfloat), T.ones(2, 1)),
    'lstsq-int': lambda T: T.linalg.lstsq(T.eye(2, dtype=T.int64), T.ones(2, 1, dtype=T.int64)),
    'lstsq-1d': lambda T: T.linalg.lstsq(T.ones(2), T.ones(2)),
    'lstsq-rcond': lambda T: T.linalg.lstsq(T.tensor([[1., 0], [0, 1e-3], [0, 0]]), T.ones(3, 1), rcond=1e-2,
                                            driver='gelsd'),
    # 10: complex Householder products
    'householder-complex': lambda T: T.linalg.householder_product(T.tensor(rn(4, 3, dtype=np.complex128)),
                                                                  T.tensor(rn(2, dtype=np.complex128))),
    'orgqr-complex64': lambda T: T.orgqr(T.eye(3, 2, dtype=T.complex64), T.ones(2, dtype=T.complex64)),
    # 17-21: special functions, fft, constraints
    'lower_cholesky-1d': lambda T: T.distributions.constraints.lower_cholesky.check(T.ones(3)),
    'corr_cholesky-1d': lambda T: T.distributions.constraints.corr_cholesky.check(T.ones(3)),
    'polygamma-tensor-n': lambda T: T.special.polygamma(T.tensor(1), T.tensor([1.])),
    'polygamma-float-n': lambda T: T.polygamma(T.tensor(1.), T.tensor([1.])),
    'fftfreq-d0': lambda T: T.fft.fftfreq(3, d=0),
    'rfftfreq-0': lambda T: T.fft.rfftfreq(0),
    'rfftfreq-neg': lambda T: (T.fft.rfftfreq(-1), T.fft.rfftfreq(-3)),
    'gammainc-nan-0': lambda T: (T.special.gammainc(T.tensor([NAN]), T.tensor([0.])),
                                 T.special.gammaincc(T.tensor([NAN]), T.tensor([0.]))),
    'gammainc-scalar': lambda T: T.special.gammainc(1.0, T.tensor([1.])),
    'i1-complex': lambda T: T.special.i1(T.ones(2, dtype=T.complex64)),
    'i0e-complex': lambda T: T.special.i0e(T.ones(2, dtype=T.complex64)),
    'i1e-complex': lambda T: T.special.i1e(T.ones(2, dtype=T.complex64)),
    'log_ndtr-half': lambda T: T.special.log_ndtr(T.ones(2, dtype=T.float16)),
    'ndtri-bfloat16': lambda T: T.special.ndtri(T.ones(2, dtype=T.bfloat16) / 2),
    'ndtri-complex': lambda T: T.special.ndtri(T.ones(2, dtype=T.complex64) / 2),
    'pdist-half': lambda T: T.nn.functional.pdist(T.ones(3, 2, dtype=T.float16)),
    # 24: distribution grad_fn names
    'studentt-mean': lambda T: T.distributions.StudentT(T.tensor([0.5, 3.]),
                                                        T.tensor([1., 2.]).requires_grad_()).mean,
    'studentt-variance': lambda T: T.distributions.StudentT(T.tensor([0.5, 1.5, 3.]).requires_grad_()).variance,
    'fisher-mode': lambda T: T.distributions.FisherSnedecor(T.tensor([1.5, 3.]).requires_grad_(),
                                                            T.tensor([2., 3.])).mode,
    'dirichlet-mode': lambda T: T.distributions.Dirichlet(T.tensor([[0.5, 0.3], [2., 3.]]).requires_grad_()).mode,
}


@pytest.mark.parametrize('fn', [pytest.param(f, id=k) for k, f in VALUE_CASES.items()])
def test_values(fn):
    same(fn, warn=False)


def _lstsq_inputs(T):
    A, B = T.tensor(rn(4, 2)), T.tensor(rn(4, 3))
    return {'tall': (A, B), 'wide': (A.mT, B[:2]), 'vector': (A, B[:, 0]),
            'batch': (T.stack([A, A * 2]), T.stack([B, B])), 'rankdef': (T.tensor([[1., 0], [0, 1e-3], [0, 0]],
                                                                          dtype=T.float64), T.ones(3, 1, dtype=T.float64)),
            'complex': (A.to(T.complex128) * (1 + 1j), B.to(T.complex128))}


@pytest.mark.parametrize('driver', [None, 'gels', 'gelsy', 'gelsd', 'gelss'])
@pytest.mark.parametrize('which', ['tall', 'wide', 'vector', 'batch', 'rankdef', 'complex'])
def test_lstsq_drivers(driver, which):
    same(lambda T: T.linalg.lstsq(*_lstsq_inputs(T)[which], driver=driver))


@pytest.mark.parametrize('driver', ['gels', 'gelsd'])
def test_lstsq_residual_grad(driver):
    check(lambda T, a, b: T.linalg.lstsq(a, b, driver=driver)[:2], [rn(4, 2), rn(4, 3)], dtype=np.float64)


def test_cross_complex_grad():
    check(lambda T, a, b: T.linalg.cross(a, b), [cplx((2, 3), dtype=np.complex128), cplx((1, 3), seed=1,
                                                                                         dtype=np.complex128)])


def test_householder_complex_grad():
    check(lambda T, a, t: T.linalg.householder_product(a, t),
          [cplx((4, 3), dtype=np.complex128), cplx((2,), seed=1, dtype=np.complex128)])


def test_distribution_grads():
    def f(T):
        df = T.tensor([0.5, 1.5, 3., 5.], requires_grad=True)
        sc = T.tensor([1., 2., 3., 4.], requires_grad=True)
        T.distributions.StudentT(df, 0., sc).variance[2:].sum().backward()
        return df.grad, sc.grad
    same(f)


def test_warn_once_texts():
    """Deprecation warnings come once per process, with PyTorch's text (ember's first call may have
    happened in another test: only the text of a warning that does come is compared)."""
    A = lambda T: T.eye(3) + 1                                                  # noqa: E731
    for f in (lambda T: T.cholesky(A(T)), lambda T: T.chain_matmul(A(T), A(T)), lambda T: T.cross(A(T), A(T)),
              lambda T: T.triangular_solve(A(T), A(T)), lambda T: T.qr(A(T)), lambda T: T.lu(A(T)),
              lambda T: T.stft(T.ones(64), 16, return_complex=True)):
        seen = {}
        for T in (torch, ember):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                f(T)
                f(T)
            seen[T] = [str(x.message).split(' (Triggered internally')[0].replace('torch', 'ember') for x in w]
            assert len(seen[T]) <= 1
        if seen[torch] and seen[ember]:
            assert seen[torch] == seen[ember]


def test_inv_ex_info_dtype():
    r = ember.linalg.inv_ex(ember.tensor(SING))
    assert r.info.dtype == ember.int32 and int(r.info) == 2 and math.isinf(float(r.inverse[0, 0]))
