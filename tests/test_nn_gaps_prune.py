"""Differential tests for nn.utils.prune against torch (split from test_nn_gaps.py)."""
import importlib

import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)


def _np(t):
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------- prune

def _prune(lib):
    return importlib.import_module(lib.__name__ + '.nn.utils.prune')


def _lin(lib, seed=0):
    w = np.random.default_rng(seed).permutation(24).reshape(4, 6).astype(np.float32) - 11.5
    m = lib.nn.Linear(6, 4)
    with lib.no_grad():
        m.weight.copy_(lib.tensor(w))
        m.bias.copy_(lib.tensor([0.5, -2.0, 1.0, 3.0]))
    return m


def _prune_story(lib):
    pr = _prune(lib)
    out = []
    m = _lin(lib)
    pr.l1_unstructured(m, 'weight', amount=0.3)
    out += [list(m.state_dict()), [n for n, _ in m.named_parameters()], [n for n, _ in m.named_buffers()],
            _np(m.weight_mask).tolist(), m.weight.grad_fn.name(), type(m.weight).__name__, pr.is_pruned(m)]
    pr.ln_structured(m, 'weight', amount=1, n=2, dim=0)
    out += [_np(m.weight_mask).tolist(), [type(h).__name__ for h in m._forward_pre_hooks.values()]]
    pr.ln_structured(m, 'weight', amount=0.34, n=1, dim=-1)
    pr.l1_unstructured(m, 'bias', amount=2, importance_scores=lib.tensor([4.0, 3.0, 2.0, 1.0]))
    out += [_np(m.weight_mask).tolist(), _np(m.bias_mask).tolist(), len(m._forward_pre_hooks[
        next(iter(m._forward_pre_hooks))])]
    with lib.no_grad():
        m.weight_orig.add_(1)
    out.append(_np(m(lib.ones(1, 6))).tolist())        # the pre-hook recomputes weight
    pr.remove(m, 'weight')
    out += [[n for n, _ in m.named_parameters()], list(m.state_dict()), _np(m.weight).tolist(),
            type(m.weight).__name__, pr.is_pruned(m)]
    a, b = _lin(lib, 1), _lin(lib, 2)
    with lib.no_grad():
        b.weight.mul_(1.01)
    pr.global_unstructured([(a, 'weight'), (b, 'weight')], pruning_method=pr.L1Unstructured, amount=10)
    out += [_np(a.weight_mask).tolist(), _np(b.weight_mask).tolist()]
    c = _lin(lib)
    pr.custom_from_mask(c, 'bias', mask=lib.tensor([0.0, 1, 1, 0]))
    pr.identity(c, 'weight')
    out += [_np(c.bias).tolist(), _np(c.weight_mask).sum().item(), repr(c)]
    out.append(_np(pr.L1Unstructured(amount=2).prune(lib.tensor([3.0, -1.0, 0.5, 2.0]))).tolist())
    return out


def test_prune_deterministic_matches_torch():
    assert _prune_story(ember) == _prune_story(torch)


def test_prune_random_counts():
    pr = _prune(ember)
    m = _lin(ember)
    pr.random_unstructured(m, 'weight', amount=0.25)
    assert _np(m.weight_mask).sum() == 18
    pr.random_structured(m, 'weight', amount=2, dim=1)
    cols = _np(m.weight_mask).sum(0)
    assert (cols == 0).sum() >= 2 and _np(m.weight_mask).sum() <= 16
    n = _lin(ember)
    pr.random_structured(n, 'weight', amount=1, dim=0)
    assert sorted(_np(n.weight_mask).sum(1).tolist()) == [0.0, 6.0, 6.0, 6.0]


def test_prune_subclass():
    for lib in LIBS:
        pr = _prune(lib)

        class EveryOther(pr.BasePruningMethod):
            PRUNING_TYPE = 'unstructured'

            def compute_mask(self, t, default_mask):
                mask = default_mask.clone()
                mask.view(-1)[::2] = 0
                return mask
        m = _lin(lib)
        EveryOther.apply(m, 'bias')
        assert _np(m.bias).tolist() == [0.0, -2.0, 0.0, 3.0]


PRUNE_ERRORS = [
    lambda pr, lib: pr.l1_unstructured(_lin(lib), 'weight', amount=1.5),
    lambda pr, lib: pr.l1_unstructured(_lin(lib), 'weight', amount=100),
    lambda pr, lib: pr.l1_unstructured(_lin(lib), 'weight', amount='a'),
    lambda pr, lib: pr.ln_structured(_lin(lib), 'bias', amount=1, n=2, dim=0),
    lambda pr, lib: pr.ln_structured(_lin(lib), 'weight', amount=1, n=2, dim=2),
    lambda pr, lib: pr.remove(_lin(lib), 'weight'),
    lambda pr, lib: pr.global_unstructured([(_lin(lib), 'weight')], pr.RandomStructured, amount=1),
]


@pytest.mark.parametrize('i', range(len(PRUNE_ERRORS)))
def test_prune_errors_match_torch(i):
    res = []
    for lib in LIBS:
        m = None
        try:
            PRUNE_ERRORS[i](_prune(lib), lib)
        except Exception as e:      # noqa: BLE001
            m = (type(e).__name__, str(e).replace('torch', 'ember').split('\n')[0])
        res.append(m)
    assert res[0] == res[1] and res[0] is not None


def test_prune_failed_apply_restores_parameter():
    pr = _prune(ember)
    m = _lin(ember)
    with pytest.raises(IndexError):
        pr.ln_structured(m, 'weight', amount=1, n=2, dim=2)
    assert [n for n, _ in m.named_parameters()] == ['bias', 'weight'] and not pr.is_pruned(m)
