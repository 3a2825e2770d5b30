"""Differential testing of nn layers against PyTorch.

    check_layer(lambda nn: nn.Conv2d(3, 4, 3), [(2, 3, 8, 8)])

builds the layer in both libraries from the same constructor call, checks that repr,
parameter/buffer names and shapes agree, copies torch's parameters and buffers into the
ember layer, runs both on the same inputs and compares the output (values, dtype, shape,
grad_fn name), then backpropagates the same random upstream gradient and compares every
parameter's and input's gradient, and the buffers after the call (running statistics)."""
import numpy as np
import torch

import ember
from helpers import assert_same, assert_tensor_equal, make_arrays, _np

TOLS = {'float64': (1e-10, 1e-7), 'float32': (1e-5, 1e-4), 'float16': (1e-3, 1e-3),
        'bfloat16': (1e-2, 1e-2)}


def copy_state(src, dst):
    """torch module -> ember module: every parameter and buffer, in place."""
    ts = src.state_dict(keep_vars=True)
    with ember.no_grad():
        for name, value in dst.state_dict(keep_vars=True).items():
            value.copy_(ember.tensor(_np(ts[name])).to(value.dtype))


def check_layer(make, specs, *, train=True, seed=0, dtype=np.float32, grad=True, call=None, tols=TOLS,
                grad_tols=None, low=-2.0, high=2.0, grad_fn=True):
    torch.manual_seed(seed)
    tm = make(torch.nn)
    em = make(ember.nn)
    assert repr(em) == repr(tm).replace('torch.', 'ember.')
    assert [(n, tuple(p.shape)) for n, p in em.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in tm.named_parameters()]
    assert [(n, tuple(b.shape)) for n, b in em.named_buffers()] == \
        [(n, tuple(b.shape)) for n, b in tm.named_buffers()]
    if dtype != np.float32:
        tm.to(getattr(torch, np.dtype(dtype).name))
        em.to(getattr(ember, np.dtype(dtype).name))
    copy_state(tm, em)
    tm.train(train)
    em.train(train)
    arrays = make_arrays(specs, seed, low, high, dtype)
    tx = [torch.tensor(a, requires_grad=grad and a.dtype.kind == 'f') if isinstance(a, np.ndarray) else a
          for a in arrays]
    ex = [ember.tensor(a, requires_grad=grad and a.dtype.kind == 'f') if isinstance(a, np.ndarray) else a
          for a in arrays]
    call = call or (lambda m, *xs: m(*xs))
    tout, eout = call(tm, *tx), call(em, *ex)
    assert_same(eout, tout, 'forward', grad_fn=grad_fn, tols=tols, layout=False)
    for (n, b1), (_, b2) in zip(em.named_buffers(), tm.named_buffers()):
        assert_tensor_equal(b1, b2, f'buffer {n}', tols, grad_fn=False, layout=False)
    if not grad:
        return em, tm
    touts = [o for o in (tout if isinstance(tout, (tuple, list)) else [tout])
             if isinstance(o, torch.Tensor) and o.requires_grad]
    eouts = [o for o in (eout if isinstance(eout, (tuple, list)) else [eout])
             if isinstance(o, ember.Tensor) and o.requires_grad]
    rng = np.random.default_rng(seed + 1)
    gs = [rng.standard_normal(tuple(o.shape)).astype(_np(o).dtype) for o in touts]
    torch.autograd.backward(touts, [torch.tensor(g) for g in gs])
    ember.autograd.backward(eouts, [ember.tensor(g) for g in gs])
    gt = grad_tols or {k: (a * 10, r * 10) for k, (a, r) in tols.items()}
    for (n, p1), (_, p2) in zip(em.named_parameters(), tm.named_parameters()):
        if p2.grad is None:
            assert p1.grad is None, f'grad of {n}: torch has None'
        else:
            assert_tensor_equal(p1.grad, p2.grad, f'grad of {n}', gt, grad_fn=False, layout=False)
    for i, (a, b) in enumerate(zip(ex, tx)):
        if isinstance(b, torch.Tensor) and b.grad is not None:
            assert_tensor_equal(a.grad, b.grad, f'grad of input {i}', gt, grad_fn=False, layout=False)
    return em, tm


def init_matches(make, samples=8, seed=0):
    """Default initialisation: each parameter's range, mean and std agree with torch's
    (statistically, pooled over several seeds: the same distribution, not the same numbers)."""
    pooled = {}
    for k in range(samples):
        torch.manual_seed(seed + k)
        ember.manual_seed(seed + k)
        tm, em = make(torch.nn), make(ember.nn)
        for (n, p1), (_, p2) in zip(em.named_parameters(), tm.named_parameters()):
            a, b = pooled.setdefault(n, ([], []))
            a.append(_np(p1).ravel())
            b.append(_np(p2).ravel())
    for n, (a, b) in pooled.items():
        a, b = np.concatenate(a), np.concatenate(b)
        scale = np.abs(b).max() + 1e-12
        tol = max(0.1, 3.5 / np.sqrt(a.size))      # about four standard errors of the two estimates
        assert abs(np.abs(a).max() - np.abs(b).max()) <= tol * scale, f'{n}: max |x|'
        assert abs(a.std() - b.std()) <= tol * (b.std() + 1e-12), f'{n}: std'
        assert abs(a.mean() - b.mean()) <= tol * scale, f'{n}: mean'
