"""ember.autograd.Function against torch.autograd.Function: same forward/backward semantics."""
import numpy as np
import pytest
import torch

import ember


def _pair(name):
    """The same custom Function defined on both libraries."""
    def make(lib):
        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                y = x.exp()
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, g):
                y, = ctx.saved_tensors
                return g * y

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                ctx.k = k
                ctx.flags = ctx.needs_input_grad
                return x * k

            @staticmethod
            def backward(ctx, g):
                return g * ctx.k, None

        class TwoOut(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                idx = x.argmax()
                ctx.mark_non_differentiable(idx)
                return x * 2, idx

            @staticmethod
            def backward(ctx, g, g_idx):
                return g * 2
        return {'Exp': Exp, 'Scale': Scale, 'TwoOut': TwoOut}[name]
    return make(torch), make(ember)


def test_exp_forward_backward_and_name():
    T, E = _pair('Exp')
    xt = torch.tensor([0.5, -1.0], requires_grad=True)
    xe = ember.tensor([0.5, -1.0], requires_grad=True)
    yt, ye = T.apply(xt), E.apply(xe)
    assert type(yt.grad_fn).__name__ == ye.grad_fn.name() == 'ExpBackward'
    want = repr(yt)
    if ember.get_default_device().type == 'cuda':       # torch prints a GPU tensor's device
        want = want.replace(', grad_fn=', ", device='cuda:0', grad_fn=")
    assert repr(ye).replace('ember.', 'torch.') == want
    yt.sum().backward()
    ye.sum().backward()
    np.testing.assert_allclose(xe.grad.cpu().numpy(), xt.grad.numpy(), rtol=1e-6)


def test_gradcheck_and_double_backward():
    _, E = _pair('Exp')
    x = ember.tensor([0.3, 0.7, -0.2], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(E.apply, (x,))
    assert ember.autograd.gradgradcheck(E.apply, (x,))


def test_non_tensor_argument_and_needs_input_grad():
    T, E = _pair('Scale')
    xt, xe = torch.ones(3, requires_grad=True), ember.ones(3, requires_grad=True)
    yt, ye = T.apply(xt, 3.0), E.apply(xe, 3.0)
    assert ye.grad_fn.needs_input_grad == yt.grad_fn.needs_input_grad == (True, False)
    yt.sum().backward()
    ye.sum().backward()
    assert xe.grad.tolist() == xt.grad.tolist() == [3.0, 3.0, 3.0]


def test_non_differentiable_output():
    T, E = _pair('TwoOut')
    xt = torch.tensor([1.0, 5.0, 2.0], requires_grad=True)
    xe = ember.tensor([1.0, 5.0, 2.0], requires_grad=True)
    (yt, it), (ye, ie) = T.apply(xt), E.apply(xe)
    assert ie.requires_grad == it.requires_grad == False  # noqa: E712
    assert ie.item() == it.item() == 1
    yt.sum().backward()
    ye.sum().backward()
    assert xe.grad.tolist() == xt.grad.tolist() == [2.0, 2.0, 2.0]


def test_saved_tensors_freed_after_backward():
    _, E = _pair('Exp')
    x = ember.ones(2, requires_grad=True)
    y = E.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match='Trying to backward through the graph a second time'):
        y.sum().backward()


def test_wrong_number_of_gradients():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r'returned an incorrect number of gradients \(expected 1, got 2\)'):
        Bad.apply(x).sum().backward()


def test_mark_dirty_inplace():
    class AddOne(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    a = ember.ones(2, requires_grad=True)
    b = a * 1
    v = b._version
    c = AddOne.apply(b)
    assert c is b and b._version == v + 2 and b.grad_fn.name() == 'AddOneBackward'
    c.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0]
