"""Survey gaps (session 17): matmul's graph by path, storage_offset of empty views, PyTorch's
argument errors for the reductions, x.T/mT/H/mH on other ranks, RNN batch_first graphs,
view(dtype) with another element size. Each test runs the same program on ember and torch."""
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error
from compare import graph, both  # noqa: F401




def values(t):
    return t.detach().cpu().numpy()


# ------------------------------------------------------------------ matmul: PyTorch's path per rank

def _t01(t):
    return t.transpose(0, 1)


MATMUL = [  # (a shape, b shape, a requires grad, b requires grad, a transform)
    ((3, 4, 2), (2, 5), True, True, None), ((3, 4, 2), (2, 5), False, True, None),
    ((3, 4, 2), (2, 5), True, False, None), ((2, 3, 4, 2), (2, 5), True, True, None),
    ((3, 4, 2), (2,), True, True, None), ((2,), (3, 2, 4), True, True, None),
    ((2,), (3, 2, 4), False, True, None), ((5, 2), (3, 2, 4), True, True, None),
    ((5, 2), (3, 2, 4), False, True, None), ((3, 2, 4), (3, 4, 5), True, True, None),
    ((3, 2, 4), (1, 4, 5), True, True, None), ((3, 2, 4), (1, 4, 5), True, False, None),
    ((1, 2, 4), (3, 4, 5), True, True, None), ((2, 1, 2, 4), (3, 4, 5), True, True, None),
    ((3, 2, 4), (1, 1, 4, 5), False, True, None), ((4, 3, 2), (2, 5), True, True, _t01),
    ((4, 3, 2), (2, 5), True, False, _t01), ((4, 3, 2), (2,), True, False, _t01),
    ((0, 2, 4), (4, 5), True, True, None), ((3, 2, 0), (0, 5), True, True, None),
]


@pytest.mark.parametrize('sa,sb,ra,rb,tf', MATMUL, ids=[f'{c[0]}@{c[1]}-{int(c[2])}{int(c[3])}{"-t" if c[4] else ""}'
                                                        for c in MATMUL])
def test_matmul_graph(sa, sb, ra, rb, tf):
    def prog(T):
        rng = np.random.default_rng(0)
        a = T.tensor(rng.standard_normal(sa), dtype=T.float32, requires_grad=ra)
        b = T.tensor(rng.standard_normal(sb), dtype=T.float32, requires_grad=rb)
        r = (tf(a) if tf else a) @ b
        r.backward(T.ones_like(r))
        grads = [None if t.grad is None else values(t.grad) for t in (a, b)]
        return graph(r.grad_fn), tuple(r.shape), r.stride(), r._is_view(), values(r), grads
    t, e = both(prog)
    assert e[:4] == t[:4]
    np.testing.assert_allclose(e[4], t[4], rtol=1e-5, atol=1e-5)
    for ge, gt in zip(e[5], t[5]):
        assert (ge is None) == (gt is None)
        if gt is not None:
            np.testing.assert_allclose(ge, gt, rtol=1e-5, atol=1e-5)


def test_matmul_values_and_grads():
    check(lambda a, b: a @ b, [(3, 4, 2), (2, 5)])
    check(lambda a, b: a.matmul(b), [(5, 2), (3, 2, 4)])
    check(lambda a, b: a @ b, [(2,), (3, 2, 4)])
    check(lambda a, b: a @ b, [(1, 2, 4), (3, 4, 5)])
    check(lambda a, b: a.transpose(0, 1) @ b, [(4, 3, 2), (2,)])


@pytest.mark.parametrize('specs', [[(4,), (3, 4, 5)], [(3, 2, 3), (4, 5)], [(5, 3), (3, 2, 4)],
                                   [(2, 3, 4), (3, 5, 6)], [(3, 2, 4), (2, 5, 6)]], ids=str)
def test_matmul_errors(specs):
    check_error(lambda T, a, b: a @ (b.transpose(0, 1) if b.ndim == 3 and b.shape[0] == 3 and a.ndim == 1 else b),
                specs)


# ------------------------------------------------------------------ storage_offset of empty views

EMPTY_VIEWS = {
    'slice-backwards': lambda x: x[3:1], 'slice-past-end': lambda x: x[10:20], 'col-past-end': lambda x: x[:, 5:],
    'narrow-end': lambda x: x.narrow(0, 4, 0), 'select-of-empty': lambda x: x[3:1, 1],
    'slice-of-empty': lambda x: x[2:1][:, 1:], 'transpose-of-empty': lambda x: x[3:1].t(),
    'split-empty': lambda x: x.split([4, 0])[1], 'tensor_split': lambda x: x.tensor_split([2, 1], 1)[1],
    'diagonal-out': lambda x: x.diagonal(5), 'as_strided': lambda x: x.as_strided((0,), (1,), 7),
    'unbind-slice': lambda x: x.unbind(0)[2][3:], 'moved': lambda x: x.movedim(0, 1)[1:, 4:],
}


@pytest.mark.parametrize('name', list(EMPTY_VIEWS))
def test_empty_view_storage_offset(name):
    t, e = both(lambda T: EMPTY_VIEWS[name](T.arange(12.).reshape(4, 3)))
    assert e.storage_offset() == t.storage_offset()
    assert tuple(e.shape) == tuple(t.shape)


# ------------------------------------------------------------------ reductions: PyTorch's argument errors

BAD_ARGS = [
    ('sum-int-keepdim', lambda T, x: x.sum(0, 1)), ('sum-fn-int-keepdim', lambda T, x: T.sum(x, 0, 1)),
    ('sum-dtype-positional', lambda T, x: x.sum(0, True, T.float64)), ('sum-kw', lambda T, x: x.sum(0, keepdim=1)),
    ('sum-none-keepdim', lambda T, x: x.sum(0, None)), ('sum-extra-and-kw', lambda T, x: x.sum(0, False, 1, dtype=None)),
    ('mean-int-keepdim', lambda T, x: x.mean(0, 1)), ('mean-fn-int-keepdim', lambda T, x: T.mean(x, 0, 1)),
    ('max-int-keepdim', lambda T, x: x.max(0, 1)), ('max-fn-int-keepdim', lambda T, x: T.max(x, 0, 1)),
    ('max-extra', lambda T, x: x.max(0, True, 2)), ('max-str-keepdim', lambda T, x: x.max(0, 'a')),
    ('min-kw-only', lambda T, x: x.min(keepdim=1)), ('max-dtype-kw', lambda T, x: x.max(0, True, dtype=T.float64)),
    ('amax-extra', lambda T, x: x.amax(0, True, 5)), ('argmax-int-keepdim', lambda T, x: T.argmax(x, 0, 1)),
    ('argmin-numpy-bool', lambda T, x: x.argmin(0, np.True_)), ('prod-int-keepdim', lambda T, x: x.prod(0, 1)),
    ('logsumexp-int-keepdim', lambda T, x: x.logsumexp(0, 1)), ('logsumexp-no-dim', lambda T, x: x.logsumexp(keepdim=1)),
    ('median-int-keepdim', lambda T, x: x.median(0, 1)), ('median-extra', lambda T, x: x.median(0, True, 5)),
    ('nanmedian-fn-extra', lambda T, x: T.nanmedian(x, 0, True, 5)), ('nansum-int-keepdim', lambda T, x: x.nansum(0, 1)),
    ('mode-extra', lambda T, x: x.mode(0, True, 5)), ('std-int-unbiased', lambda T, x: x.std(0, 1)),
    ('var-fn', lambda T, x: T.var(x, 0, 1)), ('any-int-keepdim', lambda T, x: x.any(0, 1)),
    ('all-kw', lambda T, x: x.all(0, keepdim=1)), ('amin-dtype-kw', lambda T, x: x.amin(0, dtype=T.float64)),
]


@pytest.mark.parametrize('fn', [f for _, f in BAD_ARGS], ids=[i for i, _ in BAD_ARGS])
def test_reduction_argument_errors(fn):
    check_error(fn, [(2, 3, 4)], message='first_line')


GOOD_ARGS = [
    lambda x: x.sum(0, True), lambda T, x: T.sum(x, 1, True), lambda x: x.max(0, True)[0],
    lambda x: x.std(0, True, True), lambda x: x.var(1, False), lambda x: x.mean(dim=1, keepdim=True),
    lambda x: x.amax((0, 1), True), lambda x: x.sum(axis=0, keepdims=True), lambda x: x.median(0, False)[0],
]


@pytest.mark.parametrize('i', range(len(GOOD_ARGS)))
def test_reduction_arguments_still_accepted(i):
    check(GOOD_ARGS[i], [(2, 3, 4)], gradcheck=False)


# ------------------------------------------------------------------ x.T / mT / H / mH on other ranks

@pytest.mark.parametrize('shape', [(), (3,), (2, 3), (2, 3, 4)], ids=str)
@pytest.mark.parametrize('attr', ['T', 'mT', 'H', 'mH'])
def test_transpose_properties(attr, shape):
    def prog(T):
        x = T.ones(*shape, requires_grad=True) if shape else T.tensor(1., requires_grad=True)
        try:
            r = getattr(x, attr)
        except RuntimeError as err:
            return 'error', str(err)
        return (tuple(r.shape), r.stride(), None if r.grad_fn is None else r.grad_fn.name(), r._is_view(),
                r is x)
    t, e = both(prog)
    assert e == t


@pytest.mark.parametrize('attr,shape', [('T', (3,)), ('T', ()), ('mT', ()), ('H', ()), ('mH', ())])
def test_transpose_property_warnings(attr, shape):
    from ember.ops import shape as shape_ops

    def msgs(T):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            x = T.ones(*shape) if shape else T.tensor(1.)
            getattr(x, attr)
        return [str(m.message).split(' (Triggered internally')[0].replace('torch.', 'ember.') for m in w
                if m.category is UserWarning]
    shape_ops._warned.clear()       # each is said once per program, as PyTorch's TORCH_WARN_ONCE
    e = msgs(ember)
    assert msgs(ember) == []
    t = msgs(torch)
    assert t == [] or e == t        # torch's own once-only state may already have said it
    assert len(e) == 1


# ------------------------------------------------------------------ RNN / LSTM / GRU with batch_first

RNNS = [(cls, nl, bi, batched) for cls in ('RNN', 'LSTM', 'GRU') for nl, bi in ((1, False), (2, True))
        for batched in (True, False)]


@pytest.mark.parametrize('cls,layers,bidir,batched', RNNS,
                         ids=[f'{c}-{n}{"-bi" if b else ""}{"" if bt else "-unbatched"}' for c, n, b, bt in RNNS])
@pytest.mark.parametrize('batch_first', [True, False])
def test_rnn_output_graph(cls, layers, bidir, batched, batch_first):
    def prog(T):
        T.manual_seed(0)
        m = getattr(T.nn, cls)(3, 4, num_layers=layers, bidirectional=bidir, batch_first=batch_first)
        x = T.ones(*((2, 5, 3) if batched else (5, 3)), requires_grad=True)
        out, _ = m(x)
        g = out.grad_fn
        return (g.name(), tuple(n.name().replace('torch::', 'ember::') if n else None for n, _ in g.next_functions),
                tuple(out.shape),
                out.stride(), out._is_view())
    t, e = both(prog)
    assert e == t


def test_rnn_batch_first_values():
    torch.manual_seed(0)
    weights = [p.detach().numpy().copy() for p in torch.nn.GRU(3, 4, batch_first=True, bidirectional=True).parameters()]

    def prog(T):
        m = T.nn.GRU(3, 4, batch_first=True, bidirectional=True)
        with T.no_grad():
            for p, w in zip(m.parameters(), weights):
                p.copy_(T.tensor(w))
        x = T.tensor(np.random.default_rng(1).standard_normal((2, 5, 3)), dtype=T.float32, requires_grad=True)
        out, h = m(x)
        out.sum().backward()
        return values(out), values(h), values(x.grad)
    t, e = both(prog)
    for a, b in zip(e, t):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ view(dtype) with another element size

VIEW_DTYPE = {
    'f32-i16': (lambda T, x: x.view(T.int16), None), 'f32-u8': (lambda T, x: x.view(T.uint8), None),
    'f32-f64': (lambda T, x: x.view(T.float64), None), 'f32-bool': (lambda T, x: x.view(T.bool), None),
    'f32-f16': (lambda T, x: x.view(T.float16), None), 'f32-i8-rows': (lambda T, x: x[:, ::2].view(T.int8), None),
    'f32-f64-offset': (lambda T, x: x[:, :, 2:].view(T.float64), None),
    'f32-u8-col': (lambda T, x: x[..., 1:2].view(T.uint8), None),
}
VIEW_DTYPE_ERRORS = {
    'odd-last-dim': lambda T, x: x[..., :3].view(T.float64),
    'transposed-shrink': lambda T, x: x.transpose(1, 2).view(T.float64),
    'transposed-grow': lambda T, x: x.transpose(1, 2).view(T.int16),
    'zero-dim': lambda T, x: x[0, 0, 0].view(T.float64), 'zero-dim-grow': lambda T, x: x[0, 0, 0].view(T.int16),
    'odd-offset': lambda T, x: x[:, :, 1:3].view(T.float64), 'step': lambda T, x: x[..., ::2].view(T.float64),
    'odd-stride': lambda T, x: x.reshape(-1)[:20].as_strided((2, 2), (3, 1)).view(T.float64),
}


@pytest.mark.parametrize('name', list(VIEW_DTYPE))
def test_view_dtype_other_size(name):
    fn = VIEW_DTYPE[name][0]

    def prog(T):
        x = T.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
        r = fn(T, x)
        shared = r.data_ptr() != 0
        x.add_(1)       # the result shares x's memory
        return (tuple(r.shape), r.stride(), r.storage_offset(), str(r.dtype).split('.')[-1], r._is_view(),
                shared, values(r).tobytes())
    t, e = both(prog)
    assert e == t


@pytest.mark.parametrize('name', list(VIEW_DTYPE_ERRORS))
def test_view_dtype_errors(name):
    check_error(VIEW_DTYPE_ERRORS[name], [np.arange(24, dtype=np.float32).reshape(2, 3, 4)])


def test_view_dtype_drops_grad():
    def prog(T):
        y = T.ones(2, 4, requires_grad=True)
        r = (y * 1).view(T.float64)
        return r.grad_fn, r.requires_grad, tuple(r.shape)
    t, e = both(prog)
    assert e == t
