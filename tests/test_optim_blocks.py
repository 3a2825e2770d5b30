"""Optimizer updates of large parameters run piece by piece (optim/_update.py ``blocks``) so their
in-place chains stay in the CPU cache. The pieces must give the same numbers as the whole-tensor
update, bit for bit, and PyTorch's numbers, for sizes that are not a multiple of the piece size."""
import numpy as np
import pytest
import torch

import ember
from ember.optim import _update

SIZES = [(3, 70001), (100003,), (257, 513)]        # 2+ pieces each, with a partial last piece

CONFIGS = [
    ('Adam', dict(lr=1e-2)),
    ('Adam', dict(lr=1e-2, amsgrad=True, weight_decay=0.1)),
    ('Adam', dict(lr=1e-2, maximize=True, weight_decay=0.05, decoupled_weight_decay=True)),
    ('AdamW', dict(lr=1e-2, weight_decay=0.3)),
    ('SGD', dict(lr=0.1)),
    ('SGD', dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    ('SGD', dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ('SGD', dict(lr=0.1, momentum=0.8, dampening=0.3)),
    ('RMSprop', dict(lr=1e-2)),
    ('RMSprop', dict(lr=1e-2, centered=True, momentum=0.9, weight_decay=0.01)),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.01)),
    ('NAdam', dict(lr=1e-2, weight_decay=0.01)),
    ('NAdam', dict(lr=1e-2, weight_decay=0.01, decoupled_weight_decay=True)),
    ('RAdam', dict(lr=1e-2, weight_decay=0.01)),
    ('Adamax', dict(lr=1e-2, weight_decay=0.01)),
    ('Adadelta', dict(lr=1.0, weight_decay=0.01)),
]


def _run(lib, name, kw, steps=7):
    rng = np.random.default_rng(7)
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SIZES]
    opt = getattr(lib.optim, name)(params, **kw)
    for _ in range(steps):
        for p in params:
            p.grad = lib.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32))
        opt.step()
    out = [p.detach().numpy().copy() for p in params]
    state = [{k: v.numpy().copy() for k, v in opt.state[p].items() if hasattr(v, 'numpy') and v.dim()}
             for p in params]
    return out, state


@pytest.mark.parametrize('name,kw', CONFIGS)
def test_pieces_equal_whole_update_and_torch(name, kw, monkeypatch):
    pieces, st_pieces = _run(ember, name, kw)
    monkeypatch.setattr(_update, 'BLOCK', 1 << 40)          # no cutting: the whole-tensor update
    whole, st_whole = _run(ember, name, kw)
    ref, st_ref = _run(torch, name, kw)
    for a, b, r in zip(pieces, whole, ref):
        np.testing.assert_array_equal(a, b)
        # torch's float32 sqrt is 1 ulp off IEEE in ~0.7% of elements on AVX-512 CPUs: small drift
        np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-5)
    for sa, sb, sr in zip(st_pieces, st_whole, st_ref):
        assert sa.keys() == sb.keys() == sr.keys()
        for k in sa:
            np.testing.assert_array_equal(sa[k], sb[k])
            np.testing.assert_allclose(sa[k], sr[k], rtol=1e-5, atol=1e-5)


def test_non_contiguous_parameter_updates_whole():
    base = np.random.default_rng(1).standard_normal((300, 400)).astype(np.float32)
    e, t = ember.tensor(base).t().requires_grad_(), torch.tensor(base).t().requires_grad_()
    for p, lib in ((e, ember), (t, torch)):
        opt = lib.optim.Adam([p], lr=0.1)
        p.grad = lib.ones_like(p)
        opt.step()
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6)
