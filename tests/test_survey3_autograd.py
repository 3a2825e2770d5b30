"""Survey round 3 (autograd): retain_grad across in-place ops, gradient accumulation and layout,
grad modes inside inference mode, autograd.grad's argument checks and batched grads, custom Function
checks (mark_dirty, save_for_backward, views of inputs), checkpoint with autograd.grad, gradcheck,
multi-grad hooks and other small APIs. Each program runs on torch and on ember; what a user sees
(values, types, errors, warnings) is compared."""
import warnings

import numpy as np
import pytest
import torch

import ember


def val(t):
    return None if t is None else np.asarray(t.detach().cpu().numpy(), dtype=np.float64)


def norm(x):
    """Tensors as float64 arrays (plus dtype and requires_grad), torch names as ember names."""
    if isinstance(x, (torch.Tensor, ember.Tensor)):
        return (val(x), str(x.dtype).replace('torch.', 'ember.'), x.requires_grad)
    if isinstance(x, (tuple, list)):
        return type(x)([norm(i) for i in x])
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, (torch.dtype, ember.dtype)):
        return str(x).replace('torch.', 'ember.')
    if isinstance(x, str):
        return x.replace('torch', 'ember')
    return x


def run(prog):
    """prog(T) on both libraries -> [(result, warnings)] x 2; an exception becomes (type, message)."""
    out = []
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            try:
                r = norm(prog(T))
            except Exception as e:          # noqa: BLE001 - compared across libraries
                r = (type(e).__name__, str(e).replace('torch', 'ember'))
        ws = sorted({(x.category.__name__, str(x.message).replace('torch', 'ember')) for x in w
                     if x.category is not DeprecationWarning and 'reference cycle' not in str(x.message)})
        out.append((r, ws))
    return out


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), (a, b)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    elif isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (a, b)
        for k in a:
            same(a[k], b[k])
    else:
        assert a == b, (a, b)


def check(prog):
    t, e = run(prog)
    same(t, e)


# ------------------------------------------------------------------ retain_grad follows in-place ops

def _retain_inplace(T):
    a = T.ones(3, requires_grad=True)
    b = a * 2
    b.retain_grad()
    b.mul_(3)
    b.sum().backward()
    return b.grad


def _retain_base_view_inplace(T):
    a = T.ones(3, requires_grad=True)
    b = a * 2
    b.retain_grad()
    b[:2].mul_(2)
    (b * 3).sum().backward()
    return b.grad


def _retain_view_base_changed(T):
    a = T.ones(3, requires_grad=True)
    b = a * 2
    v = b[:2]
    v.retain_grad()
    b.mul_(2)
    (v * 3).sum().backward()
    return v.grad


def _retain_view_inplace(T):
    a = T.ones(3, requires_grad=True)
    b = a * 2
    v = b[:2]
    v.retain_grad()
    v.mul_(2)
    (v * 3).sum().backward()
    return v.grad, a.grad


def _retain_two_inplace(T):
    a = T.ones(3, requires_grad=True)
    b = a * 2
    b.retain_grad()
    b.mul_(3)
    b.add_(1)
    (b * b).sum().backward()
    return b.grad


@pytest.mark.parametrize('prog', [_retain_inplace, _retain_base_view_inplace, _retain_view_base_changed,
                                  _retain_view_inplace, _retain_two_inplace])
def test_retain_grad_follows_inplace(prog):
    check(prog)


# ------------------------------------------------------------------ accumulation: graph and layout

def test_second_backward_keeps_graph_of_grad():
    def prog(T):
        a = T.ones(2, requires_grad=True)
        y = a.exp().sum()
        y.backward(create_graph=True)
        g0 = a.grad
        y.backward()
        return a.grad is g0, a.grad, a.grad.requires_grad, a.grad._version

    check(prog)


@pytest.mark.parametrize('make', [
    lambda T: T.arange(6.).view(3, 2).t(),
    lambda T: T.arange(24.).view(2, 3, 4).permute(2, 0, 1),
    lambda T: T.arange(12.).view(3, 4)[:, ::2],
    lambda T: T.arange(6.).view(3, 2),
])
@pytest.mark.parametrize('create_graph', [False, True])
def test_grad_layout_follows_leaf(make, create_graph):
    def prog(T):
        a = make(T).detach().requires_grad_()
        (a * 2).sum().backward(create_graph=create_graph)
        first = a.grad.stride()
        (a * 3).sum().backward()
        return first, a.grad.stride(), a.grad

    check(prog)


# ------------------------------------------------------------------ grad modes

def test_enable_grad_inside_inference_mode():
    def prog(T):
        out = []
        with T.inference_mode():
            with T.enable_grad():
                out.append((T.is_grad_enabled(), T.is_inference_mode_enabled()))
                a = T.ones(2, requires_grad=True)
                c = a * 2
                out.append((a.requires_grad, c.requires_grad, c.is_inference(), c.grad_fn is None))
            with T.set_grad_enabled(True):
                out.append(((a * 2).requires_grad, T.is_grad_enabled()))
            out.append(T.is_grad_enabled())
        out.append(T.is_grad_enabled())
        b = T.ones(2, requires_grad=True)
        with T.inference_mode():
            with T.inference_mode(False):
                c = b * 2
                out.append((T.is_grad_enabled(), c.requires_grad, c.is_inference()))
        return out

    check(prog)


def test_inference_mode_decorator_without_parentheses():
    def prog(T):
        @T.inference_mode
        def f(x):
            return x * 2
        return f(T.ones(2)).is_inference(), f.__name__, T.is_inference_mode_enabled()

    check(prog)


@pytest.mark.parametrize('arg', [1, None, 1.0])
def test_set_grad_enabled_wants_bool(arg):
    def prog(T):
        try:
            T.set_grad_enabled(arg)
        finally:
            T.set_grad_enabled(True)

    check(prog)


# ------------------------------------------------------------------ autograd.grad / backward arguments

@pytest.mark.parametrize('prog', [
    lambda T, a, b: T.autograd.grad([a * 2, b * 2], [a], [T.ones(2)]),
    lambda T, a, b: T.autograd.grad([a * 2], [a], [T.ones(2), T.ones(2)]),
    lambda T, a, b: T.autograd.grad((a * 2).sum(), []),
    lambda T, a, b: T.autograd.grad((a * 2).sum(), a, []),
    lambda T, a, b: T.autograd.grad((a * 2).sum(), a, materialize_grads=True, allow_unused=False),
    lambda T, a, b: T.autograd.grad((a * 2).sum(), [a, b], materialize_grads=True),
    lambda T, a, b: T.autograd.grad((a * 2).sum(), {'x': a}),
    lambda T, a, b: T.autograd.backward([a * 2], []),
    lambda T, a, b: T.autograd.backward([(a * 2).sum()], [None, T.ones(2)]),
    lambda T, a, b: T.autograd.backward([a * 2, b * 2], [T.ones(2)]),
])
def test_grad_argument_checks(prog):
    check(lambda T: prog(T, T.tensor([1., 2.], requires_grad=True), T.ones(2, requires_grad=True)))


@pytest.mark.parametrize('prog', [
    lambda T, a, b: T.autograd.grad(a * T.tensor([3., 4.]), a, T.eye(2), is_grads_batched=True),
    lambda T, a, b: T.autograd.grad(a * T.tensor([3., 4.]), a, T.eye(2)[None], is_grads_batched=True),
    lambda T, a, b: T.autograd.grad(a * T.tensor([3., 4.]), a, T.ones(3, 3), is_grads_batched=True),
    lambda T, a, b: T.autograd.grad([a * T.tensor([3., 4.]), (b * a).sum()], [a, b],
                                    [T.eye(2), T.tensor([1., 2.])], is_grads_batched=True),
    lambda T, a, b: T.autograd.grad((a * 2).sum(), a, is_grads_batched=True),
    lambda T, a, b: T.autograd.grad([(a * 2).sum()], [a, b], [T.tensor([1., 2.])], is_grads_batched=True,
                                    allow_unused=True),
    lambda T, a, b: T.autograd.grad([(a * 2).sum()], [a, b], [T.tensor([1., 2.])], is_grads_batched=True,
                                    materialize_grads=True),
    lambda T, a, b: T.autograd.grad(a * a, a, T.eye(2), is_grads_batched=True, create_graph=True)[0].requires_grad,
])
def test_grads_batched(prog):
    check(lambda T: prog(T, T.tensor([1., 2.], requires_grad=True), T.ones(2, requires_grad=True)))


# ------------------------------------------------------------------ custom Function checks

def _fn(T, forward, backward=lambda ctx, g: g):
    return type('F', (T.autograd.Function,), {'forward': staticmethod(forward),
                                              'backward': staticmethod(backward)})


def _mark_dirty_leaf(T):
    F = _fn(T, lambda ctx, x: (x.mul_(2), ctx.mark_dirty(x))[0])
    a = T.ones(2, requires_grad=True)
    try:
        F.apply(a)
    except RuntimeError as e:
        return str(e), val(a), a._version, a.grad_fn is None
    return 'no error'


def _mark_dirty_version(T):
    F = _fn(T, lambda ctx, x: (x.mul_(2), ctx.mark_dirty(x))[0])
    b = T.ones(2, requires_grad=True) * 1
    r = F.apply(b)
    c = T.ones(2)
    F.apply(c)
    G = _fn(T, lambda ctx, x: (ctx.mark_dirty(x), x)[1])
    d = T.ones(2, requires_grad=True) * 1
    G.apply(d)
    return r is b, b._version, c._version, d._version, type(b.grad_fn).__name__


def _dirty_not_returned(T):
    F = _fn(T, lambda ctx, x: (x.mul_(2), ctx.mark_dirty(x), x * 1)[2])
    e = T.ones(2, requires_grad=True) * 1
    try:
        F.apply(e)
    except RuntimeError as err:
        return str(err), val(e), e._version
    return 'no error'


def _save_non_tensor(T):
    F = _fn(T, lambda ctx, x: (ctx.save_for_backward(None, x, 3), x * 2)[1])
    out = [val(F.apply(T.ones(2)))]
    with T.no_grad():
        out.append(val(F.apply(T.ones(2, requires_grad=True))))
    F.apply(T.ones(2, requires_grad=True))
    return out


@pytest.mark.parametrize('prog', [_mark_dirty_leaf, _mark_dirty_version, _dirty_not_returned, _save_non_tensor])
def test_function_checks(prog):
    check(prog)


def _id_inplace(T):
    F = _fn(T, lambda ctx, x: x)
    y = F.apply(T.ones(2, requires_grad=True) * 1)
    return y._is_view(), y._base is not None, y.mul_(2)


def _input_view_inplace(T):
    F = _fn(T, lambda ctx, x: x[:1], lambda ctx, g: g.expand(2) * 1)
    y = F.apply(T.ones(2, requires_grad=True) * 1)
    return y.mul_(2)


def _view_of_output_inplace(T):
    F = _fn(T, lambda ctx, x: x)
    y = F.apply(T.ones(2, requires_grad=True) * 1)
    return y[:1].mul_(2)


def _base_changed(T):
    F = _fn(T, lambda ctx, x: x)
    x = T.ones(2, requires_grad=True) * 1
    y = F.apply(x)
    x.mul_(2)
    return y * 1


def _no_grad_input_ok(T):
    F = _fn(T, lambda ctx, x: x)
    y = F.apply(T.ones(2))
    return y.mul_(2)


def _hook_relu_inplace(T):
    m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU(inplace=True))
    m[1].register_full_backward_hook(lambda m, gi, go: None)
    m(T.ones(1, 2)).sum().backward()


def _hook_relu(T):
    T.manual_seed(0)
    m = T.nn.Sequential(T.nn.Linear(2, 2), T.nn.ReLU())
    seen = []
    m[1].register_full_backward_hook(lambda m, gi, go: seen.append(gi[0].shape))
    m(T.ones(1, 2)).sum().backward()
    return seen


@pytest.mark.parametrize('prog', [_id_inplace, _input_view_inplace, _view_of_output_inplace, _base_changed,
                                  _no_grad_input_ok, _hook_relu_inplace, _hook_relu])
def test_custom_function_views(prog):
    check(prog)


def test_function_without_jvp_under_forward_ad():
    def prog(T):
        fa = T.autograd.forward_ad
        F = _fn(T, lambda ctx, x: x * 2, lambda ctx, g: g * 2)
        with fa.dual_level():
            plain = F.apply(T.ones(2))
            return plain, fa.unpack_dual(F.apply(fa.make_dual(T.ones(2), T.ones(2)))).tangent

    check(prog)


# ------------------------------------------------------------------ checkpoint, gradcheck, leaky_relu_

@pytest.mark.parametrize('inputs', [False, True])
def test_reentrant_checkpoint_refuses_grad(inputs):
    def prog(T):
        a = T.tensor([1., 2.], requires_grad=True)
        y = T.utils.checkpoint.checkpoint(lambda x: x.sin(), a, use_reentrant=True)
        if inputs:
            y.sum().backward(inputs=[a])
            return a.grad
        return T.autograd.grad(y.sum(), a)

    check(prog)


def test_reentrant_checkpoint_backward_ok():
    def prog(T):
        a = T.tensor([1., 2.], requires_grad=True)
        T.utils.checkpoint.checkpoint(lambda x: x.sin(), a, use_reentrant=True).sum().backward()
        return a.grad

    check(prog)


@pytest.mark.parametrize('prog', [
    lambda T: T.autograd.gradcheck(lambda x: x.sin(), (T.tensor([0.3], dtype=T.float64),)),
    lambda T: T.autograd.gradgradcheck(lambda x: x.sin(), (T.tensor([0.3], dtype=T.float64),)),
    lambda T: T.autograd.gradcheck(lambda x: x.sin(), (T.tensor([0.3], requires_grad=True),),
                                   raise_exception=False),
])
def test_gradcheck_checks(prog):
    check(prog)


@pytest.mark.parametrize('slope', [-0.1, 0.0, 0.2])
def test_inplace_leaky_relu_negative_slope(slope):
    def prog(T):
        a = T.tensor([-1., 2., 3.], requires_grad=True)
        T.nn.functional.leaky_relu(a * 1, slope, inplace=True).sum().backward()
        return a.grad

    check(prog)
