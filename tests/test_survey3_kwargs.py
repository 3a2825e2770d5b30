"""PyTorch's own keyword names: every call below spells its arguments as torch does (``addmm(x,
mat1=a, mat2=b)``, ``transpose(input=x, dim0=0, dim1=1)``, ``linalg.lstsq(input=A, b=B)``, ...)
and must give what torch gives; the positional forms keep working (the other op tests)."""
import inspect
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import case, check, check_error

F32 = np.float32


def spd(T, x):
    """A symmetric positive-definite matrix from any square ``x``."""
    return x @ x.mT + 3 * T.eye(x.shape[-1], dtype=x.dtype)


def _argcheck_takes_input():
    """ember's reduction wrapper (ops/argcheck.py) accepts ``input=`` once PyTorch's spelling is allowed."""
    try:
        ember.argmax(input=ember.ones(2))
    except TypeError:
        return False
    return True


FORWARD = [
    # fused products: PyTorch's names for the two operands
    case('addmm', lambda T, i, a, b: T.addmm(i, mat1=a, mat2=b, beta=0.5, alpha=2), [(2, 2), (2, 3), (3, 2)]),
    case('addmm-input', lambda T, i, a, b: T.addmm(input=i, mat1=a, mat2=b), [(2, 2), (2, 3), (3, 2)]),
    case('addmm-pos', lambda T, i, a, b: T.addmm(i, a, b, alpha=3), [(2, 2), (2, 3), (3, 2)]),
    case('Tensor.addmm', lambda T, i, a, b: i.addmm(mat1=a, mat2=b), [(2, 2), (2, 3), (3, 2)]),
    case('Tensor.addmm_', lambda T, i, a, b: (i * 1).addmm_(mat1=a, mat2=b, beta=2), [(2, 2), (2, 3), (3, 2)]),
    case('addmv', lambda T, i, m, v: T.addmv(i, mat=m, vec=v), [(3,), (3, 2), (2,)]),
    case('Tensor.addmv_', lambda T, i, m, v: (i * 1).addmv_(mat=m, vec=v), [(3,), (3, 2), (2,)]),
    case('addr', lambda T, i, a, b: T.addr(i, vec1=a, vec2=b, alpha=2), [(3, 2), (3,), (2,)]),
    case('Tensor.addr_', lambda T, i, a, b: (i * 1).addr_(vec1=a, vec2=b), [(3, 2), (3,), (2,)]),
    case('baddbmm', lambda T, i, a, b: T.baddbmm(i, batch1=a, batch2=b), [(2, 2, 2), (2, 2, 3), (2, 3, 2)]),
    case('Tensor.baddbmm_', lambda T, i, a, b: (i * 1).baddbmm_(batch1=a, batch2=b), [(2, 2, 2), (2, 2, 3), (2, 3, 2)]),
    case('addbmm', lambda T, i, a, b: T.addbmm(i, batch1=a, batch2=b, beta=0), [(2, 2), (2, 2, 3), (2, 3, 2)]),
    case('Tensor.addbmm_', lambda T, i, a, b: (i * 1).addbmm_(batch1=a, batch2=b), [(2, 2), (2, 2, 3), (2, 3, 2)]),
    case('dot', lambda T, a, b: T.dot(input=a, tensor=b), [(3,), (3,)]),
    case('Tensor.dot', lambda T, a, b: a.dot(tensor=b), [(3,), (3,)]),
    # views and shape ops: ``input=``
    case('transpose', lambda T, x: T.transpose(input=x, dim0=0, dim1=1), [(2, 3)]),
    case('Tensor.transpose', lambda T, x: x.transpose(dim0=1, dim1=0), [(2, 3)]),
    case('flatten', lambda T, x: T.flatten(input=x, start_dim=1), [(2, 3, 2)]),
    case('unsqueeze', lambda T, x: T.unsqueeze(input=x, dim=-1), [(2, 3)]),
    case('squeeze', lambda T, x: T.squeeze(input=x, dim=0), [(1, 3)]),
    case('squeeze-all', lambda T, x: T.squeeze(input=x), [(1, 3, 1)]),
    case('chunk', lambda T, x: T.chunk(input=x, chunks=2, dim=1), [(2, 4)]),
    case('narrow', lambda T, x: T.narrow(input=x, dim=1, start=1, length=2), [(2, 4)]),
    case('select', lambda T, x: T.select(input=x, dim=0, index=1), [(2, 3)]),
    case('unbind', lambda T, x: T.unbind(input=x, dim=1), [(2, 3)]),
    case('permute', lambda T, x: T.permute(input=x, dims=(1, 0, 2)), [(2, 3, 2)]),
    case('reshape', lambda T, x: T.reshape(input=x, shape=(3, 2)), [(2, 3)]),
    case('reshape-copy', lambda T, x: T.reshape(input=x.t(), shape=(6,)), [(2, 3)]),
    case('t', lambda T, x: T.t(input=x), [(2, 3)]),
    case('diagonal', lambda T, x: T.diagonal(input=x, offset=1, dim1=0, dim2=1), [(3, 3)]),
    case('unflatten', lambda T, x: T.unflatten(input=x, dim=0, sizes=(2, 3)), [(6,)]),
    case('swapaxes', lambda T, x: T.swapaxes(input=x, axis0=0, axis1=1), [(2, 3)]),
    case('Tensor.swapaxes', lambda T, x: x.swapaxes(axis0=0, axis1=-1), [(2, 3)]),
    case('swapaxes-pos', lambda T, x: x.swapaxes(0, 1), [(2, 3)]),
    case('swapdims', lambda T, x: T.swapdims(input=x, dim0=0, dim1=1), [(2, 3)]),
    case('Tensor.swapdims', lambda T, x: x.swapdims(dim0=0, dim1=1), [(2, 3)]),
    case('split', lambda T, x: T.split(tensor=x, split_size_or_sections=1, dim=0), [(2, 3)]),
    case('split-sizes', lambda T, x: T.split(tensor=x, split_size_or_sections=[1, 2], dim=1), [(2, 3)]),
    case('Tensor.split', lambda T, x: x.split(split_size=1, dim=1), [(2, 3)]),
    case('tile', lambda T, x: T.tile(x, dims=(2,)), [(2,)]),
    case('tile-input', lambda T, x: T.tile(input=x, dims=(2, 1)), [(2, 3)]),
    case('Tensor.tile', lambda T, x: x.tile(dims=(2, 2)), [(2,)]),
    case('Tensor.tile-varargs', lambda T, x: x.tile(2, 2), [(2,)]),
    # linear algebra: torch.X takes ``input``; torch.linalg.X takes ``A`` or ``input`` (what torch accepts)
    case('det', lambda T, x: T.det(input=x), [(3, 3)]),
    case('linalg.det', lambda T, x: T.linalg.det(A=x), [(3, 3)]),
    case('inverse', lambda T, x: T.inverse(input=spd(T, x)), [(3, 3)]),
    case('linalg.inv', lambda T, x: T.linalg.inv(A=spd(T, x)), [(3, 3)]),
    case('slogdet', lambda T, x: T.slogdet(input=x), [(3, 3)]),
    case('linalg.slogdet', lambda T, x: T.linalg.slogdet(A=x), [(3, 3)]),
    case('matrix_power', lambda T, x: T.matrix_power(input=x, n=3), [(3, 3)]),
    case('linalg.matrix_power', lambda T, x: T.linalg.matrix_power(input=x, n=2), [(3, 3)]),
    case('matrix_exp', lambda T, x: T.matrix_exp(input=x), [(3, 3)], low=-0.5, high=0.5),
    case('linalg.matrix_exp', lambda T, x: T.linalg.matrix_exp(input=x), [(3, 3)], low=-0.5, high=0.5),
    case('linalg.norm', lambda T, x: T.linalg.norm(input=x, ord='fro', dim=(0, 1), keepdim=True), [(2, 3)]),
    case('linalg.vector_norm-x', lambda T, x: T.linalg.vector_norm(x=x, ord=1, dim=1), [(2, 3)]),
    case('linalg.vector_norm-input', lambda T, x: T.linalg.vector_norm(input=x, ord=3), [(2, 3)]),
    case('linalg.matrix_norm', lambda T, x: T.linalg.matrix_norm(input=x, ord=1), [(2, 3)]),
    case('linalg.cholesky', lambda T, x: T.linalg.cholesky(input=spd(T, x), upper=True), [(3, 3)]),
    case('linalg.cholesky_ex', lambda T, x: T.linalg.cholesky_ex(input=spd(T, x)).L, [(3, 3)]),
    case('linalg.eigvalsh', lambda T, x: T.linalg.eigvalsh(input=spd(T, x), UPLO='U'), [(3, 3)]),
    case('linalg.eigh', lambda T, x: T.linalg.eigh(input=spd(T, x)).eigenvalues, [(3, 3)]),
    case('linalg.pinv', lambda T, x: T.linalg.pinv(input=x, rtol=0.1), [(3, 2)]),
    case('linalg.cond', lambda T, x: T.linalg.cond(input=spd(T, x), p=1), [(3, 3)], forward_only=True),  # torch's backward fails
    case('linalg.tensorinv', lambda T, x: T.linalg.tensorinv(input=spd(T, x), ind=1), [(3, 3)]),
    case('linalg.tensorsolve', lambda T, x, b: T.linalg.tensorsolve(input=spd(T, x), other=b), [(3, 3), (3,)]),
    case('linalg.lstsq', lambda T, x, b: T.linalg.lstsq(input=spd(T, x), b=b).solution, [(3, 3), (3, 2)]),
    case('linalg.solve_triangular',
         lambda T, x, b: T.linalg.solve_triangular(input=spd(T, x), B=b, upper=True), [(3, 3), (3, 2)]),
    case('linalg.solve', lambda T, x, b: T.linalg.solve(A=spd(T, x), B=b), [(3, 3), (3, 2)]),
    # pointwise ops with their own names
    case('heaviside', lambda T, x, v: T.heaviside(x, values=v), [np.array([-1., 0., 2.], F32), (3,)],
         forward_only=True),
    case('Tensor.heaviside', lambda T, x, v: x.heaviside(values=v), [np.array([-1., 0., 2.], F32), (1,)],
         forward_only=True),
    case('Tensor.heaviside_', lambda T, x, v: x.heaviside_(values=v), [np.array([-1., 0., 2.], F32), (3,)],
         forward_only=True),
    case('clamp_max_', lambda T, x: (x * 1).clamp_max_(max=0.5), [(2, 3)]),
    case('clamp_min_', lambda T, x: (x * 1).clamp_min_(min=0.5), [(2, 3)]),
    case('clamp_min_-tensor', lambda T, x, m: (x * 1).clamp_min_(min=m), [(2, 3), (3,)]),
    case('pow-self', lambda T, x: T.pow(self=2, exponent=x), [(2, 3)]),
    case('pow-input', lambda T, x: T.pow(input=x, exponent=2), [(2, 3)]),
    case('Tensor.pow', lambda T, x: x.pow(exponent=3), [(2, 3)]),
    case('gcd_', lambda T, a, b: T.gcd_(input=a, other=b), [np.array([4, 6]), np.array([6, 9])], forward_only=True),
    case('F.threshold_', lambda T, x: T.nn.functional.threshold_(x * 1, threshold=0.5, value=-1.), [(2, 3)]),
]


@pytest.mark.parametrize('fn,specs,kw', FORWARD)
def test_torch_keywords(fn, specs, kw):
    check(fn, specs, **kw)


TAKES_INPUT = [   # reductions behind ember's argument check (ops/argcheck.py)
    case('prod', lambda T, x: T.prod(input=x, dim=1, keepdim=True, dtype=T.float64), [(2, 3)]),
    case('argmax', lambda T, x: T.argmax(input=x, dim=1, keepdim=True), [(2, 3)], forward_only=True),
    case('logsumexp', lambda T, x: T.logsumexp(input=x, dim=1, keepdim=True), [(2, 3)]),
    case('sum', lambda T, x: T.sum(input=x, dtype=T.float64), [(2, 3)]),
    case('max-other', lambda T, x, y: T.max(input=x, other=y), [(2, 3), (3,)]),
    case('Tensor.max-other', lambda T, x, y: x.max(other=y), [(2, 3), (3,)]),
    case('Tensor.min-other', lambda T, x, y: x.min(other=y), [(2, 3), (3,)]),
]


@pytest.mark.skipif(not _argcheck_takes_input(), reason='ops/argcheck.py does not yet accept input=/other=')
@pytest.mark.parametrize('fn,specs,kw', TAKES_INPUT)
def test_reduction_keywords(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    case('pow-missing', lambda T, x: T.pow(x), [(2,)], message='first_line'),
    case('pow-scalars', lambda T: T.pow(2, 3), [], message='first_line'),
    case('max-other-dim', lambda T, x: T.max(x, 0, other=x), [(2,)], message='first_line'),
    case('linalg.vector_norm-none', lambda T: T.linalg.vector_norm(), []),
    case('addmm-shapes', lambda T, i, a, b: T.addmm(i, mat1=a, mat2=b), [(2, 2), (2, 3), (2, 2)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_keyword_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


# wrong spellings: both refuse (Python's message in ember, PyTorch's parser's in torch)
WRONG = [
    case('swapaxes-dim0', lambda T, x: x.swapaxes(dim0=0, dim1=1), [(2, 3)]),
    case('swapdims-axis0', lambda T, x: x.swapdims(axis0=0, axis1=1), [(2, 3)]),
    case('dot-other', lambda T, x: T.dot(x, other=x), [(3,)]),
    case('heaviside-other', lambda T, x: T.heaviside(x, other=x), [(3,)]),
    case('linalg.det-input', lambda T, x: T.linalg.det(input=x), [(2, 2)]),
    case('linalg.lstsq-A', lambda T, x: T.linalg.lstsq(A=x, B=x), [(2, 2)]),
    case('linalg.norm-A', lambda T, x: T.linalg.norm(A=x), [(2, 2)]),
    case('split-split_size', lambda T, x: T.split(x, split_size=1), [(2, 2)]),
    case('Tensor.transpose-input', lambda T, x: x.transpose(input=x, dim0=0, dim1=1), [(2, 2)]),
]


@pytest.mark.parametrize('fn,specs,kw', WRONG)
def test_wrong_keywords_refused(fn, specs, kw):
    check_error(fn, specs, message=False)


def test_promote_types_keywords():
    assert str(ember.promote_types(type1=ember.int32, type2=ember.float16)) == 'ember.float16'
    assert ember.promote_types(ember.uint8, type2=ember.int8) is ember.int16


def test_set_rng_state_new_state():
    for mod in (ember, ember.random):
        s = mod.get_rng_state()
        a = ember.rand(3)
        mod.set_rng_state(new_state=s)
        assert ember.equal(ember.rand(3), a)


def test_cuda_stream_keyword():
    ctx = ember.cuda.stream(stream=None)
    assert type(ctx).__name__ == type(torch.cuda.stream(stream=None)).__name__ == 'StreamContext'
    assert ctx.stream is None
    with ember.cuda.stream(None) as s:
        assert s is None


@pytest.mark.parametrize('call', [
    lambda T: T.randperm(4, pin_memory=False, layout=T.strided, dtype=T.int32),
    lambda T: T.normal(0., 1., (2,), layout=T.strided, pin_memory=False),
    lambda T: T.randint(0, 3, (2,), pin_memory=False),
    lambda T: T.full((2,), 1., pin_memory=False),
    lambda T: T.eye(2, pin_memory=False),
    lambda T: T.zeros_like(T.ones(2), pin_memory=False),
    lambda T: T.full_like(T.ones(2), 3, pin_memory=False),
    lambda T: T.rand_like(T.ones(2), pin_memory=False),
    lambda T: T.randn_like(T.ones(2), pin_memory=False),
    lambda T: T.randint_like(T.ones(2), 3, pin_memory=False),
], ids=['randperm', 'normal', 'randint', 'full', 'eye', 'zeros_like', 'full_like', 'rand_like', 'randn_like',
        'randint_like'])
def test_creation_pin_memory_layout(call):
    t, e = call(torch), call(ember)
    assert tuple(e.shape) == tuple(t.shape) and e.dtype.name == str(t.dtype).split('.')[1]


def _warns(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        r = fn()
    return r, [(x.category, str(x.message)) for x in w]


def test_hardtanh_old_keywords():
    t, tw = _warns(lambda: torch.nn.Hardtanh(min_value=-2., max_value=3.))
    e, ew = _warns(lambda: ember.nn.Hardtanh(min_value=-2., max_value=3.))
    assert repr(e) == repr(t) == 'Hardtanh(min_val=-2.0, max_val=3.0)'
    assert ew == tw and len(tw) == 2 and tw[0][0] is FutureWarning
    x = np.linspace(-4, 4, 9, dtype=F32)
    np.testing.assert_allclose(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy())
    assert repr(ember.nn.Hardtanh(-1., 1., False, min_value=-3.)) == repr(torch.nn.Hardtanh(-1., 1., False, min_value=-3.))
    check_error(lambda T: T.nn.Hardtanh(1., -1.), [])
    check_error(lambda T: T.nn.Hardtanh(max_value=-2.), [])


# ------------------------------------------------------------------ asarray

_A = np.arange(3.)


def _asarray_cases(T):
    leaf = T.arange(3.)
    grad_leaf = T.arange(3., requires_grad=True)
    nonleaf = T.arange(3., requires_grad=True) * 2
    ro = np.arange(3.)
    ro.flags.writeable = False
    return {
        'tensor': lambda: T.asarray(leaf) is leaf,
        'tensor-copyF': lambda: T.asarray(leaf, copy=False) is leaf,
        'tensor-copyT': lambda: T.asarray(leaf, copy=True),
        'tensor-copyT-shares': lambda: T.asarray(leaf, copy=True).data_ptr() == leaf.data_ptr(),
        'tensor-dtype': lambda: T.asarray(leaf, dtype=T.float64),
        'tensor-dtype-copyF': lambda: T.asarray(leaf, dtype=T.float64, copy=False),
        'tensor-same-dtype-copyF': lambda: T.asarray(leaf, dtype=T.float32, copy=False) is leaf,
        'tensor-int-to-int32-copyF': lambda: T.asarray(T.arange(3), dtype=T.int32, copy=False),
        'tensor-rg': lambda: T.asarray(T.arange(3.), requires_grad=True, copy=True),
        'nonleaf-copyT': lambda: T.asarray(nonleaf, copy=True),
        'nonleaf-dtype': lambda: T.asarray(nonleaf, dtype=T.float64),
        'nonleaf-rgF': lambda: T.asarray(nonleaf, requires_grad=False),
        'nonleaf-rgT': lambda: T.asarray(nonleaf, requires_grad=True),
        'leafrg-copyT': lambda: T.asarray(grad_leaf, copy=True),
        'leafrg-rgF': lambda: T.asarray(grad_leaf, requires_grad=False),
        'int-rg': lambda: T.asarray(T.arange(3), requires_grad=True),
        'nd': lambda: np.shares_memory(T.asarray(_A).numpy(), _A),
        'nd-copyT': lambda: np.shares_memory(T.asarray(_A, copy=True).numpy(), _A),
        'nd-copyF': lambda: np.shares_memory(T.asarray(_A, copy=False).numpy(), _A),
        'nd-dtype': lambda: T.asarray(_A, dtype=T.float32),
        'nd-dtype-copyF': lambda: T.asarray(_A, dtype=T.float32, copy=False),
        'nd-rg': lambda: T.asarray(_A, requires_grad=True),
        'nd-int-rg': lambda: T.asarray(np.arange(3), requires_grad=True),
        'nd-noncontig': lambda: np.shares_memory(T.asarray(_A[::2]).numpy(), _A),
        'nd-negstride': lambda: T.asarray(_A[::-1], copy=True),
        'nd-readonly-copyT': lambda: T.asarray(ro, copy=True),
        'list': lambda: T.asarray([1, 2]),
        'list-float': lambda: T.asarray(obj=[1., 2.], dtype=T.float16),
        'list-copyF': lambda: T.asarray([1., 2.], copy=False),
        'list-rg': lambda: T.asarray([1., 2.], requires_grad=True, device='cpu'),
        'list-of-tensors': lambda: T.asarray([T.tensor(1.), T.tensor(2.)]),
        'scalar': lambda: T.asarray(1.5),
        'scalar-copyF': lambda: T.asarray(3, copy=False),
        'np-scalar': lambda: T.asarray(np.float64(2.)),
        'np-scalar-copyF': lambda: T.asarray(np.float64(2.), copy=False),
        'bytearray': lambda: T.asarray(bytearray(b'\x01\x02'), dtype=T.uint8),
        'memoryview': lambda: T.asarray(memoryview(np.arange(3.))),
        'bytes-bad-size': lambda: T.asarray(b'\x01\x02'),
        'bad-copy': lambda: T.asarray([1], copy='yes'),
        'bad-requires_grad': lambda: T.asarray([1.], requires_grad=1),
        'positional-dtype': lambda: T.asarray([1], T.float32),
        'python-type-dtype': lambda: T.asarray(T.ones(2), dtype=float),
    }


def _describe(r):
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        return (str(r.dtype).split('.')[1], tuple(r.shape), r.requires_grad, r.is_leaf,
                r.grad_fn.name() if r.grad_fn is not None else None, r.detach().tolist())
    return r


@pytest.mark.parametrize('name', list(_asarray_cases(torch)))
def test_asarray(name):
    out = []
    for T in (torch, ember):
        try:
            r = _describe(_asarray_cases(T)[name]())
        except Exception as e:           # noqa: BLE001  (compared: type and first line)
            r = (type(e).__name__, str(e).splitlines()[0].replace('torch.', 'ember.'))
        out.append(r)
    t, e = out
    if name == 'positional-dtype':       # both refuse; Python words the message differently from torch
        assert t[0] == e[0] == 'TypeError'
        return
    assert e == t


def test_asarray_shares_and_warns():
    ba = bytearray(b'ab')
    t = ember.asarray(ba, dtype=ember.uint8)
    ba[0] = 120
    assert t.tolist() == [120, 98]
    leaf = ember.zeros(2)
    assert ember.asarray(leaf, requires_grad=True) is leaf and leaf.requires_grad
    src = np.zeros(2)
    ember.asarray(src)[0] = 5
    assert src[0] == 5
    import ember.ops.asarray as impl
    impl._ASARRAY_WARNED.clear()
    _, w = _warns(lambda: ember.asarray(ember.ones(2, requires_grad=True) * 2))
    assert len(w) == 1 and 'unspecified requires_grad now defaults to obj.requires_grad' in w[0][1]


# ------------------------------------------------------------------ signatures torch reports

def _defaults(fn):
    return {k: p.default for k, p in inspect.signature(fn).parameters.items() if p.default is not p.empty}


def test_signature_defaults():
    assert _defaults(ember.save)['pickle_module'] is _defaults(torch.save)['pickle_module']
    assert _defaults(ember.save)['pickle_protocol'] == _defaults(torch.save)['pickle_protocol'] == 2
    for name in ('hann', 'hamming', 'blackman', 'bartlett', 'gaussian', 'kaiser', 'cosine', 'exponential',
                 'nuttall', 'general_cosine', 'general_hamming'):
        assert _defaults(getattr(ember.signal.windows, name))['layout'] is ember.strided
    assert str(_defaults(torch.signal.windows.hann)['layout']) == 'torch.strided'
    for name in ('load', 'list', 'help'):
        assert _defaults(getattr(ember.hub, name))['trust_repo'] == _defaults(getattr(torch.hub, name))['trust_repo']
    p = inspect.signature(ember.testing.make_tensor).parameters['device']
    q = inspect.signature(torch.testing.make_tensor).parameters['device']
    assert (p.kind, p.default) == (q.kind, q.default)
    check_error(lambda T: T.testing.make_tensor(2, dtype=T.float32), [], message=False)
    t = ember.testing.make_tensor(2, 3, dtype=ember.float32, device='cpu')
    assert tuple(t.shape) == (2, 3)
