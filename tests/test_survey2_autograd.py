"""Survey round 2 (autograd): double backward through piecewise-linear ops, saved outputs of in-place
ops, next_functions of ops with non-differentiable arguments, gelu's approximate type, grad_fn of a
view after an in-place write. Each program runs on torch and on ember; what a user sees is compared."""
import warnings

import numpy as np
import pytest
import torch

import ember
from compare import error_text


def graph(fn, depth=8):
    """grad_fn and everything below it as nested names (``torch::`` read as ``ember::``)."""
    if fn is None:
        return None
    kids = () if depth == 0 else tuple((graph(n, depth - 1), nr) for n, nr in fn.next_functions)
    return (fn.name().replace('torch::', 'ember::'), kids)


def val(t):
    return None if t is None else np.asarray(t.detach().cpu().numpy(), dtype=np.float64)


def run(prog):
    """prog(T) on both libraries -> (torch result, ember result); an exception becomes (type, message)."""
    out = []
    for T in (torch, ember):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                out.append(prog(T))
        except Exception as e:          # noqa: BLE001 - compared across libraries
            out.append((type(e).__name__, error_text(e)))
    return out


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    elif isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert a == b


def check(prog):
    t, e = run(prog)
    same(t, e)


X = [-4., -2., -0.5, 0.5, 2., 7.]


# ------------------------------------------------------------------ 1. double backward, piecewise-linear ops

def _second(f, nonleaf=True):
    def prog(T):
        F = T.nn.functional
        x = T.tensor(X, requires_grad=True)
        y = f(T, F, x * 1 if nonleaf else x)
        g, = T.autograd.grad(y.sum(), x, create_graph=True)
        out = [g.requires_grad, graph(g.grad_fn), val(g)]
        try:
            out.append(val(T.autograd.grad(g.sum(), x)[0]))
        except RuntimeError as e:
            out.append(str(e))
        return out
    return prog


PIECEWISE = {
    'relu': lambda T, F, x: T.relu(x),
    'relu_': lambda T, F, x: T.relu_(x),
    'F.relu_inplace': lambda T, F, x: F.relu(x, inplace=True),
    'leaky_relu': lambda T, F, x: F.leaky_relu(x, 0.2),
    'leaky_relu_': lambda T, F, x: F.leaky_relu(x, 0.2, inplace=True),
    'hardtanh': lambda T, F, x: F.hardtanh(x, -1.0, 1.5),
    'relu6': lambda T, F, x: F.relu6(x),
    'threshold': lambda T, F, x: F.threshold(x, 0.5, 1.0),
    'hardsigmoid': lambda T, F, x: F.hardsigmoid(x),
    'hardswish': lambda T, F, x: F.hardswish(x),
    'softshrink': lambda T, F, x: F.softshrink(x, 0.7),
    'hardshrink': lambda T, F, x: F.hardshrink(x, 0.7),
    'prelu': lambda T, F, x: F.prelu(x, T.tensor([0.25])),
    'prelu_w': lambda T, F, x: F.prelu(x.view(1, 6, 1), T.tensor([0.25] * 6, requires_grad=True)),
    'prelu_w1': lambda T, F, x: F.prelu(x.view(2, 3), T.tensor([0.25], requires_grad=True)),
    'nn.PReLU': lambda T, F, x: T.nn.PReLU(3)(x.view(2, 3, 1, 1)),
    'clamp': lambda T, F, x: x.clamp(-1, 1),
}


@pytest.mark.parametrize('name', list(PIECEWISE))
@pytest.mark.parametrize('nonleaf', [True, False])
def test_double_backward_piecewise(name, nonleaf):
    if not nonleaf and name.endswith('_'):
        pytest.skip('in-place on a leaf')
    check(_second(PIECEWISE[name], nonleaf))


def test_sequential_relu_double_backward():
    def prog(T):
        T.manual_seed(0)
        net = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.ReLU(), T.nn.Linear(4, 1))
        x = T.ones(2, 3, requires_grad=True)
        g, = T.autograd.grad(net(x).sum(), x, create_graph=True)
        return graph(g.grad_fn, 3), val(T.autograd.grad(g.sum(), x)[0])
    check(prog)


def test_prelu_second_order_values():
    def prog(T):
        F = T.nn.functional
        x = T.tensor(np.linspace(-2, 2, 12).reshape(2, 3, 2), dtype=T.float64, requires_grad=True)
        w = T.tensor([0.1, 0.2, 0.3], dtype=T.float64, requires_grad=True)
        u = T.tensor(np.linspace(0.5, 1.5, 12).reshape(2, 3, 2), requires_grad=True)
        gx, gw = T.autograd.grad(F.prelu(x, w), (x, w), u, create_graph=True)
        out = [graph(gx.grad_fn), graph(gw.grad_fn)]
        out += [val(r) for r in T.autograd.grad((gx * x).sum() + (gw * gw).sum(), (x, w, u))]
        return out
    check(prog)


@pytest.mark.parametrize('err', [((2, 5, 3), (3,)), ((5,), (5,)), ((2, 3), (1, 1))])
def test_prelu_errors(err):
    xs, ws = err
    check(lambda T: T.nn.functional.prelu(T.ones(*xs), T.ones(*ws)))


@pytest.mark.parametrize('mode', ['bilinear', 'nearest', 'bicubic'])
def test_grid_sample_double_backward(mode):
    def prog(T):
        F = T.nn.functional
        rng = np.random.default_rng(0)
        x = T.tensor(rng.standard_normal((1, 2, 3, 3)), requires_grad=True)
        grid = T.tensor(rng.uniform(-1, 1, (1, 2, 2, 2)))
        u = T.tensor(rng.standard_normal((1, 2, 2, 2)), requires_grad=True)
        g, = T.autograd.grad(F.grid_sample(x, grid, mode=mode, align_corners=False), x, u, create_graph=True)
        out = [g.requires_grad, graph(g.grad_fn), val(g), val(T.autograd.grad(g.sum(), u, retain_graph=True)[0])]
        try:
            T.autograd.grad(g.sum(), x)
        except RuntimeError as e:
            out.append(str(e))
        grid.requires_grad_()
        gx, gg = T.autograd.grad(F.grid_sample(x, grid, mode=mode, align_corners=False), (x, grid), u,
                                 create_graph=True)
        out += [graph(gg.grad_fn), gg.grad_fn is gx.grad_fn]
        if mode != 'nearest':
            out += [val(r) for r in T.autograd.grad(gg.sum(), (x, grid, u))]
        return out
    check(prog)


# ------------------------------------------------------------------ 2. in-place ops keep their output

INPLACE = {
    'elu': lambda T, F, y: F.elu(y, inplace=True),
    'selu': lambda T, F, y: F.selu(y, inplace=True),
    'celu': lambda T, F, y: F.celu(y, 0.5, inplace=True),
    'leaky_relu': lambda T, F, y: F.leaky_relu(y, inplace=True),
    'relu_': lambda T, F, y: y.relu_(),
    'F.relu': lambda T, F, y: F.relu(y, inplace=True),
    'sigmoid_': lambda T, F, y: y.sigmoid_(),
    'exp_': lambda T, F, y: y.exp_(),
    'tanh_': lambda T, F, y: y.tanh_(),
    'expm1_': lambda T, F, y: y.expm1_(),
    'sqrt_': lambda T, F, y: (y + 2).sqrt_(),
    'reciprocal_': lambda T, F, y: (y + 2).reciprocal_(),
    'exp_ on a view': lambda T, F, y: y[1:].exp_(),
    'ELU then ReLU': lambda T, F, y: T.nn.ReLU(inplace=True)(T.nn.ELU(inplace=True)(y)),
}


@pytest.mark.parametrize('name', list(INPLACE))
@pytest.mark.parametrize('modify', [True, False])
def test_inplace_saved_output_version(name, modify):
    def prog(T):
        x = T.linspace(-1, 1, 4, requires_grad=True)
        z = INPLACE[name](T, T.nn.functional, x * 1.0)
        if modify:
            z.mul_(3)
        z.sum().backward()
        return val(x.grad)
    check(prog)


def test_inplace_view_then_base_modified():
    def prog(T):
        x = T.linspace(-1, 1, 4, requires_grad=True)
        y = x * 1.0
        y[1:].exp_()
        y.mul_(2)
        y.sum().backward()
        return val(x.grad)
    check(prog)


# ------------------------------------------------------------------ 3. next_functions

def _nf(f):
    def prog(T):
        F = T.nn.functional
        rng = np.random.default_rng(0)
        x = T.tensor(rng.uniform(0.1, 0.9, (2, 3)), dtype=T.float32, requires_grad=True)
        t = T.tensor(rng.uniform(0.1, 0.9, (2, 3)), dtype=T.float32)
        w = T.tensor(rng.uniform(0.1, 0.9, (3,)), dtype=T.float32)
        return graph(f(T, F, x, t, w).grad_fn, 3)
    return prog


NEXT = {
    'cross_entropy': lambda T, F, x, t, w: F.cross_entropy(x, T.tensor([0, 1])),
    'cross_entropy_w': lambda T, F, x, t, w: F.cross_entropy(x, T.tensor([0, 1]), weight=w),
    'cross_entropy_probs': lambda T, F, x, t, w: F.cross_entropy(x, t),
    'nll_loss': lambda T, F, x, t, w: F.nll_loss(x, T.tensor([0, 1]), reduction='none'),
    'bce': lambda T, F, x, t, w: F.binary_cross_entropy(x, t),
    'bce_w': lambda T, F, x, t, w: F.binary_cross_entropy(x, t, weight=w),
    'bce_target_grad': lambda T, F, x, t, w: F.binary_cross_entropy(x, t.requires_grad_()),
    'bce_logits': lambda T, F, x, t, w: F.binary_cross_entropy_with_logits(x, t),
    'bce_logits_w_pw': lambda T, F, x, t, w: F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=w),
    'bce_logits_target_grad': lambda T, F, x, t, w: F.binary_cross_entropy_with_logits(x, t.requires_grad_()),
    'soft_margin': lambda T, F, x, t, w: F.soft_margin_loss(x, t),
    'multi_margin': lambda T, F, x, t, w: F.multi_margin_loss(x, T.tensor([0, 1]), weight=w),
    'multilabel_margin': lambda T, F, x, t, w: F.multilabel_margin_loss(x, T.tensor([[0, 1, -1], [2, -1, 0]])),
    'where': lambda T, F, x, t, w: T.where(t > 0.5, x, t),
    'where_scalar': lambda T, F, x, t, w: T.where(t > 0.5, x, 0.0),
    'where_scalar_first': lambda T, F, x, t, w: T.where(t > 0.5, 1.0, x),
    'masked_fill': lambda T, F, x, t, w: x.masked_fill(t > 0.5, 1.0),
    'masked_fill_tensor': lambda T, F, x, t, w: x.masked_fill(t > 0.5, T.tensor(1.0)),
    'masked_select': lambda T, F, x, t, w: x.masked_select(t > 0.5),
    'masked_scatter': lambda T, F, x, t, w: x.masked_scatter(t > 0.5, t),
    'take': lambda T, F, x, t, w: x.take(T.tensor([0, 1])),
    'scatter_value': lambda T, F, x, t, w: x.scatter(1, T.tensor([[0], [1]]), 2.0),
    'index_fill': lambda T, F, x, t, w: x.index_fill(0, T.tensor([0]), 1.0),
    'embedding': lambda T, F, x, t, w: F.embedding(T.tensor([0, 1]), x),
    'put': lambda T, F, x, t, w: x.put(T.tensor([0, 1]), T.tensor([1., 2.])),
    'clamp_min_tensor': lambda T, F, x, t, w: x.clamp_min(t),
    'clamp_max_tensor': lambda T, F, x, t, w: x.clamp_max(t),
    'poisson_nll_no_log': lambda T, F, x, t, w: F.poisson_nll_loss(x, t, log_input=False, reduction='none'),
    'mse': lambda T, F, x, t, w: F.mse_loss(x, t),
    'smooth_l1': lambda T, F, x, t, w: F.smooth_l1_loss(x, t),
}


@pytest.mark.parametrize('name', list(NEXT))
def test_next_functions(name):
    check(_nf(NEXT[name]))


# ------------------------------------------------------------------ 4. gelu's approximate argument

@pytest.mark.parametrize('approximate', [True, None, 1, 'foo', 'tanh'])
def test_gelu_approximate_type(approximate):
    check(lambda T: val(T.nn.functional.gelu(T.tensor([-1.0, 0.5]), approximate=approximate)))


# ------------------------------------------------------------------ 5. views after an in-place write

VIEWS = {
    'slice': lambda y: y[1:],
    'transpose': lambda y: y.t(),
    'select': lambda y: y[:, 0],
    'view': lambda y: y.view(12),
    'chain': lambda y: y[1:][:, 1],
    'diagonal': lambda y: y.diagonal(),
    'unsqueeze': lambda y: y.unsqueeze(0),
}


@pytest.mark.parametrize('name', list(VIEWS))
@pytest.mark.parametrize('where', ['view', 'base', 'sibling'])
def test_view_grad_fn_after_inplace(name, where):
    def prog(T):
        x = T.tensor(np.arange(12.).reshape(4, 3), dtype=T.float32, requires_grad=True)
        y = x * 1
        v = VIEWS[name](y)
        w = y[1:]
        if where == 'view':
            v.mul_(2)
        elif where == 'base':
            y.mul_(2)
        else:
            w.add_(1)
        z = v * T.arange(v.numel(), dtype=T.float32).view(v.shape)      # using v re-derives its grad_fn
        out = [graph(v.grad_fn, 2), graph(y.grad_fn, 1), graph(y[1:].grad_fn, 1)]
        z.sum().backward()
        return out + [val(x.grad)]
    check(prog)


def test_view_grad_fn_read_before_use():
    def prog(T):
        x = T.ones(4, 3, requires_grad=True)
        y = x * 1
        v = y[1:]
        y.mul_(2)
        return graph(v.grad_fn, 1)
    check(prog)


COMPOSITE_LOSSES = {
    'margin_ranking': lambda T, a, b, y: T.nn.functional.margin_ranking_loss(a, b, y, margin=0.5),
    'cosine_embedding': lambda T, a, b, y: T.nn.functional.cosine_embedding_loss(a[None], b[None] + 1, y[:1],
                                                                                 margin=0.2),
    'hinge_embedding': lambda T, a, b, y: T.nn.functional.hinge_embedding_loss(a, y, margin=1.0),
    'triplet': lambda T, a, b, y: T.nn.functional.triplet_margin_loss(a[None], b[None], (b + 2)[None]),
    'pairwise_distance': lambda T, a, b, y: T.nn.functional.pairwise_distance(a[None], b[None]),
    'ce_label_smoothing': lambda T, a, b, y: T.nn.functional.cross_entropy(T.stack([a, b]), T.tensor([0, 1]),
                                                                           label_smoothing=0.1),
}


@pytest.mark.parametrize('name', sorted(COMPOSITE_LOSSES))
def test_composite_loss_graphs(name):
    """The scalar steps inside composite losses are the Scalar nodes torch records (AddBackward1,
    SubBackward1, MulBackward1, number - tensor as SubBackward0), listing only their tensor input."""
    from compare import graph as full_graph, both

    def prog(T):
        a = T.tensor([1., 2., 3.], requires_grad=True)
        b = T.tensor([0., -1., 0.5], requires_grad=True)
        return full_graph(COMPOSITE_LOSSES[name](T, a, b, T.tensor([1., -1., 1.])).grad_fn)
    t, e = both(prog)
    assert e == t
