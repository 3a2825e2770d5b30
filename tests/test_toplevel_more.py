"""Top-level functions compared with PyTorch: gradient (values, graph, errors), frombuffer,
set_default_tensor_type, the function forms of in-place methods, adjoint, deterministic debug
mode, warn-always, and the build queries."""
import array
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import run_gradcheck

def outcome(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            r = fn()
    except Exception as e:                              # noqa: BLE001 - the type is compared
        return type(e).__name__, str(e).replace('torch', 'ember')
    if isinstance(r, (tuple, list)):
        return 'seq', [outcome(lambda v=v: v) for v in r]
    if isinstance(r, (ember.Tensor, torch.Tensor)):
        return ('tensor', np.round(r.detach().numpy().astype(np.float64), 4).tolist(), str(r.dtype).split('.')[-1],
                r.grad_fn.name() if r.grad_fn is not None else None)
    return 'ok', r if isinstance(r, (bool, int, float, str, type(None))) else str(r).replace('torch', 'ember')


def both(fn):
    got, want = outcome(lambda: fn(ember)), outcome(lambda: fn(torch))
    assert got == want
    return got


SQ = [1., 4., 9., 16., 30.]
GRADIENT = {
    '1d': lambda T: T.gradient(T.tensor(SQ)),
    'dim1': lambda T: T.gradient(T.tensor([[1., 2, 4], [3, 5, 9.]]), dim=1),
    'dims-list': lambda T: T.gradient(T.arange(12.).reshape(3, 4) ** 2, dim=[1, 0]),
    'spacing-scalar': lambda T: T.gradient(T.tensor(SQ), spacing=2.),
    'spacing-list': lambda T: T.gradient(T.arange(12.).reshape(3, 4) ** 2, spacing=[2., 3.]),
    'coords': lambda T: T.gradient(T.tensor(SQ), spacing=(T.tensor([0., 1., 3., 4., 7.]),)),
    'coords-order2': lambda T: T.gradient(T.arange(12.).reshape(3, 4) ** 2, dim=[1],
                                          spacing=[T.tensor([0., 1., 3., 4.])], edge_order=2),
    'order2': lambda T: T.gradient(T.tensor(SQ), edge_order=2),
    'order2-3d': lambda T: T.gradient(T.arange(27.).reshape(3, 3, 3) ** 3, edge_order=2, spacing=0.5),
    'int-input': lambda T: T.gradient(T.tensor([1, 4, 9])),
    'float64': lambda T: T.gradient(T.ones(3, dtype=T.float64), spacing=2),
    'zero-dim': lambda T: T.gradient(T.tensor(3.)),
    'graph': lambda T: T.gradient(T.tensor(SQ, requires_grad=True)),
    'too-short': lambda T: T.gradient(T.tensor([1.])),
    'too-short-order2': lambda T: T.gradient(T.tensor([1., 2.]), edge_order=2),
    'bad-order': lambda T: T.gradient(T.ones(3), edge_order=3),
    'spacing-length': lambda T: T.gradient(T.ones(3), spacing=[1., 2.]),
    'spacing-dim-length': lambda T: T.gradient(T.ones(3, 3), spacing=[1., 2., 3.], dim=[0]),
    'spacing-0d-tensor': lambda T: T.gradient(T.ones(3), spacing=[T.tensor(2.)]),
    'dim-out-of-range': lambda T: T.gradient(T.ones(3, 3), dim=2),
    'dim-repeated': lambda T: T.gradient(T.ones(3, 3), dim=[0, 0]),
    'bool': lambda T: T.gradient(T.tensor([True, False, True])),
}


@pytest.mark.parametrize('name', sorted(GRADIENT))
def test_gradient(name):
    both(GRADIENT[name])


@pytest.mark.parametrize('kw', [{}, {'edge_order': 2}, {'spacing': (np.array([0., 1., 3., 4., 7.]),)},
                                {'spacing': (np.array([0., 1., 3., 4., 7.]),), 'edge_order': 2}])
def test_gradient_gradcheck(kw):
    kw = {k: tuple(ember.tensor(v, dtype=ember.float64) for v in s) if k == 'spacing' else s for k, s in kw.items()}
    run_gradcheck(lambda x: ember.gradient(x, **kw)[0], [np.linspace(0.5, 3, 5) ** 2], [True])


def test_frombuffer_shares_memory():
    for T in (ember, torch):
        b = bytearray(np.array([1., 2., 3.], np.float32).tobytes())
        t = T.frombuffer(b, dtype=T.float32)
        t[0] = 7.
        assert np.frombuffer(b, np.float32)[0] == 7. and t.tolist() == [7., 2., 3.]
    both(lambda T: T.frombuffer(array.array('h', [1, 2, 3, 4]), dtype=T.int16, count=2, offset=2))
    both(lambda T: T.frombuffer(b'\x00\x00\x80\x3f', dtype=T.float32))
    both(lambda T: T.frombuffer(b'', dtype=T.float32))
    both(lambda T: T.frombuffer(b'abc', dtype=T.float32))
    both(lambda T: T.frombuffer(b'abcdefgh', dtype=T.float32, count=3))


def test_set_default_tensor_type():
    import ember.ops.toplevel_more as tm
    tm._TENSOR_TYPE_WARNED[0] = False           # torch warns once per process

    def run(T):
        try:
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                T.set_default_tensor_type(T.DoubleTensor)
            made = T.tensor([1.]).dtype, T.get_default_dtype()
            T.set_default_tensor_type('torch.FloatTensor')
            return made, str(w[0].message).split(',')[0].replace('torch.', 'ember.'), T.get_default_dtype()
        finally:
            T.set_default_dtype(T.float32)
    both(run)
    both(lambda T: T.set_default_tensor_type(T.IntTensor))


@pytest.mark.skipif(ember.cuda.is_available(), reason='the no-CUDA refusal')
@pytest.mark.filterwarnings('ignore:ember.set_default_tensor_type', 'ignore:torch.set_default_tensor_type')
def test_set_default_tensor_type_cuda_without_cuda():
    with pytest.raises(TypeError, match=r'^type ember\.cuda\.FloatTensor not available\. Torch not compiled with CUDA'):
        ember.set_default_tensor_type('torch.cuda.FloatTensor')
    with pytest.raises(TypeError, match=r'^type torch\.cuda\.FloatTensor not available\. Torch not compiled with CUDA'):
        torch.set_default_tensor_type('torch.cuda.FloatTensor')


INPLACE = ['abs_', 'cos_', 'sin_', 'expm1_', 'log_', 'log10_', 'log1p_', 'log2_', 'neg_', 'negative_',
           'reciprocal_', 'rsqrt_', 'sqrt_', 'square_', 'zero_', 'detach_']


@pytest.mark.parametrize('name', INPLACE)
def test_inplace_function_forms(name):
    def run(T):
        x = T.tensor([0.5, 2.0])
        r = getattr(T, name)(x)
        return r is x, x
    both(run)


def test_inplace_function_forms_with_arguments():
    both(lambda T: (lambda x: (T.clamp_(x, 0, 1), x))(T.tensor([-1., 0.5, 2.])))
    both(lambda T: (lambda x: (T.clamp_min_(x, 0), T.clamp_max_(x, 1), T.clip_(x, 0.2, 0.8)))(T.tensor([-1., 2.])))
    both(lambda T: (lambda x: (T.fill_(x, 3.), T.fill(x, 2.), x))(T.ones(2)))
    both(lambda T: T.index_put_(T.zeros(3), (T.tensor([0, 2]),), T.tensor([5., 6.])))
    both(lambda T: T.abs_(T.tensor([-1.], requires_grad=True)))


def test_adjoint_and_small_queries():
    both(lambda T: (T.adjoint(T.arange(6.).reshape(2, 3)), T.arange(6.).reshape(2, 3).adjoint()._is_view()))
    both(lambda T: T.adjoint(T.ones(3)))
    both(lambda T: (T.get_device(T.ones(2)), T.is_inference(T.ones(1)), T.has_lapack))
    both(lambda T: (T.nuclear_norm(T.tensor([[4., 2.], [2., 3.]])), T.frobenius_norm(T.tensor([[3., 4.]]), dim=(0, 1))))


def test_deterministic_debug_mode_and_warn_always():
    def run(T):
        seen = [T.get_deterministic_debug_mode()]
        try:
            for mode in ('warn', 2, 'default', 1):
                T.set_deterministic_debug_mode(mode)
                seen.append((T.get_deterministic_debug_mode(), T.are_deterministic_algorithms_enabled(),
                             T.is_deterministic_algorithms_warn_only_enabled()))
            for bad in ('bad', 3, 1.0):
                seen.append(outcome(lambda: T.set_deterministic_debug_mode(bad)))
        finally:
            T.set_deterministic_debug_mode(0)
        was = T.is_warn_always_enabled()
        T.set_warn_always(True)
        now = T.is_warn_always_enabled()
        T.set_warn_always(False)
        return seen, was, now, T.is_warn_always_enabled()
    both(run)
