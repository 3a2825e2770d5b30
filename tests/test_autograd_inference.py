"""Inference tensors, compared with PyTorch: what ``inference_mode`` makes, what its tensors may
and may not do outside it (in-place changes, requires_grad, being saved for backward), and that
a refused operation changes nothing."""
import numpy as np
import pytest
import torch

import ember


def outcome(fn):
    """('ok', value summary) or (exception type name, message)."""
    try:
        r = fn()
    except Exception as e:                          # noqa: BLE001 - the type is compared
        return type(e).__name__, str(e).replace('torch.', 'ember.')
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        return 'ok', (r.is_inference(), r.requires_grad, r.detach().cpu().tolist())
    return 'ok', r


def both(make):
    """Run ``make(T)`` for ember and torch; compare the outcome."""
    got, want = outcome(lambda: make(ember)), outcome(lambda: make(torch))
    assert got == want
    return got


def made_inside(T, fn):
    """Tensors made inside inference_mode by ``fn(T)`` (with a normal tensor ``a`` available)."""
    a = T.arange(3.)
    with T.inference_mode():
        return fn(T, a), a


INSIDE = {
    'creation': lambda T, a: T.ones(3),
    'tensor': lambda T, a: T.tensor([1., 2.]),
    'op-on-normal': lambda T, a: a * 2,
    'view-of-normal': lambda T, a: a.view(3),
    'slice-of-normal': lambda T, a: a[1:],
    'detach-of-normal': lambda T, a: a.detach(),
    'clone-of-normal': lambda T, a: a.clone(),
    'like': lambda T, a: T.zeros_like(a),
    'reduction': lambda T, a: a.sum(),
    'multi-output': lambda T, a: a.split(1)[0],
    'chunk-of-inference': lambda T, a: T.ones(4).chunk(2)[1],
    'param-op': lambda T, a: T.ones(2, requires_grad=True) * 2,
    'rand': lambda T, a: T.rand(2) * 0,
}


@pytest.mark.parametrize('name', sorted(INSIDE))
def test_what_inference_mode_makes(name):
    both(lambda T: made_inside(T, INSIDE[name])[0])


OUTSIDE = {
    'view': lambda T, x: x.view(3),
    'index': lambda T, x: x[0],
    'detach': lambda T, x: x.detach(),
    'clone': lambda T, x: x.clone(),
    'add': lambda T, x: x + 1,
    'sum': lambda T, x: x.sum(),
    'add_': lambda T, x: x.add_(1),
    'zero_': lambda T, x: x.zero_(),
    'fill_': lambda T, x: x.fill_(3),
    'copy_': lambda T, x: x.copy_(T.zeros(3)),
    'setitem': lambda T, x: x.__setitem__(0, 5.),
    'view-mul_': lambda T, x: x.view(3).mul_(2),
    'out=': lambda T, x: T.add(T.ones(3), 1, out=x),
    'uniform_': lambda T, x: x.uniform_(),
    'requires_grad_': lambda T, x: x.requires_grad_(),
    'requires_grad=False': lambda T, x: x.requires_grad_(False),
    'set-requires_grad': lambda T, x: setattr(x, 'requires_grad', True),
    'parameter': lambda T, x: T.nn.Parameter(x),
    'parameter-no-grad': lambda T, x: T.nn.Parameter(x, requires_grad=False),
    'version': lambda T, x: x._version,
    'is_leaf': lambda T, x: (x.is_leaf, x.grad_fn),
    'mul-saves': lambda T, x: x * T.ones(3, requires_grad=True),
    'add-no-save': lambda T, x: (x + T.ones(3, requires_grad=True)).grad_fn.name(),
    'exp-of-mul-saves': lambda T, x: T.exp(x * T.ones(3, requires_grad=True)),
    'sin-then-mul': lambda T, x: (T.sin(x) * T.ones(3, requires_grad=True)).grad_fn.name(),
    'linear': lambda T, x: T.nn.functional.linear(x, T.ones(2, 3, requires_grad=True)),
    'clone-then-train': lambda T, x: (x.clone() * T.ones(3, requires_grad=True)).sum().grad_fn.name(),
}


@pytest.mark.parametrize('name', sorted(OUTSIDE))
def test_inference_tensor_outside_inference_mode(name):
    def run(T):
        with T.inference_mode():
            x = T.arange(3.)
        before = x.cpu().numpy().copy()
        try:
            return OUTSIDE[name](T, x)
        except RuntimeError:
            if T is ember:        # a refused op changes nothing (torch's zero_ writes, then raises)
                np.testing.assert_array_equal(x.cpu().numpy(), before)
            raise
    both(run)


def test_inside_inference_mode_its_tensors_may_change():
    def run(T):
        with T.inference_mode():
            x = T.ones(2)
        with T.inference_mode():
            x.add_(1)
            x.requires_grad_()
            return x
    both(run)


def test_normal_tensor_changed_inside_inference_mode_bumps_its_version():
    def run(T):
        a = T.ones(2)
        with T.inference_mode():
            a.mul_(3)
        return a._version, a.is_inference(), a.tolist()
    both(run)


def test_inference_mode_false_and_no_grad_make_normal_tensors():
    def run(T):
        with T.inference_mode():
            with T.inference_mode(False):
                z = T.ones(2)
                flags = T.is_inference_mode_enabled(), T.is_grad_enabled()
        with T.no_grad():
            n = T.ones(2)
        return z.is_inference(), flags, n.is_inference(), T.is_inference_mode_enabled()
    both(run)


def test_decorated_model_evaluation_then_training_on_its_output():
    def run(T):
        T.manual_seed(0)
        model = T.nn.Linear(3, 2)

        @T.inference_mode()
        def predict(x):
            return model(x)
        y = predict(T.ones(4, 3))
        assert y.is_inference() and not model.weight.is_inference()
        return outcome(lambda: T.nn.functional.linear(y, T.ones(2, 2, requires_grad=True)))
    both(run)
