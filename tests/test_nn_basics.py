"""First nn pieces against torch: Module registration and repr, state_dict, Linear, losses, SGD."""
import numpy as np
import pytest
import torch

import ember


def _net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(4, 3)
            self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Tanh()])
            self.head = nn.Sequential(nn.Linear(3, 2), nn.ReLU())
            self.register_buffer('steps', lib.zeros(1))
            self.register_buffer('cache', lib.zeros(2), persistent=False)

        def forward(self, x):
            h = self.fc(x).clamp(min=0)
            for m in self.blocks:
                h = m(h)
            return self.head(h)
    return Net()


def _copy_params(src_torch, dst_ember):
    for (n1, p1), (n2, p2) in zip(src_torch.named_parameters(), dst_ember.named_parameters()):
        assert n1 == n2
        with ember.no_grad():
            p2.copy_(ember.tensor(p1.detach().cpu().numpy()))


def test_repr_names_and_buffers_match_torch():
    t, e = _net(torch), _net(ember)
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    # on the CPU: a CUDA parameter's repr names its device
    assert repr(ember.nn.Parameter(ember.ones(2, device='cpu'))) == \
        repr(torch.nn.Parameter(torch.ones(2))).replace('torch.', 'ember.')


def test_forward_backward_and_sgd_momentum_match_torch():
    t, e = _net(torch), _net(ember)
    _copy_params(t, e)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    ot, oe = torch.optim.SGD(t.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01), \
        ember.optim.SGD(e.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01)
    for _ in range(3):
        lt = (t(torch.tensor(x)) ** 2).sum()
        le = (e(ember.tensor(x)) ** 2).sum()
        np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5)
        ot.zero_grad()
        oe.zero_grad()
        lt.backward()
        le.backward()
        ot.step()
        oe.step()
    for p1, p2 in zip(t.parameters(), e.parameters()):
        np.testing.assert_allclose(p2.detach().cpu().numpy(), p1.detach().cpu().numpy(), rtol=1e-5, atol=1e-6)


def test_load_state_dict_results_and_errors():
    t, e = torch.nn.Linear(3, 2), ember.nn.Linear(3, 2)
    assert repr(e.load_state_dict(e.state_dict())) == repr(t.load_state_dict(t.state_dict()))
    for bad in ({'weight': np.ones((3, 3), np.float32), 'bias': np.ones(2, np.float32)},
                {'weight': np.ones((2, 3), np.float32)},
                {'weight': np.ones((2, 3), np.float32), 'bias': np.ones(2, np.float32), 'extra': np.ones(1)}):
        with pytest.raises(RuntimeError) as et:
            t.load_state_dict({k: torch.tensor(v) for k, v in bad.items()})
        before = e.weight.detach().clone()
        with pytest.raises(RuntimeError) as ee:
            e.load_state_dict({k: ember.tensor(v) for k, v in bad.items()})
        assert str(ee.value) == str(et.value).replace('torch.', 'ember.')
        assert (e.weight == before).all()          # a failed load changes nothing
    r = e.load_state_dict({'weight': ember.ones(2, 3)}, strict=False)
    assert r.missing_keys == ['bias'] and r.unexpected_keys == [] and e.weight.sum().item() == 6


@pytest.mark.parametrize('reduction', ['mean', 'sum', 'none'])
def test_losses_match_torch(reduction):
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((6, 4))
    target = rng.integers(0, 4, 6)
    pred, goal = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    for fn, args in ((lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction), (logits, target)),
                     (lambda lib, a, b: lib.nn.functional.mse_loss(a, b, reduction=reduction), (pred, goal))):
        at = torch.tensor(args[0], requires_grad=True)
        ae = ember.tensor(args[0], requires_grad=True)
        lt, le = fn(torch, at, torch.tensor(args[1])), fn(ember, ae, ember.tensor(args[1]))
        assert le.grad_fn.name() == type(lt.grad_fn).__name__
        np.testing.assert_allclose(le.detach().cpu().numpy(), lt.detach().cpu().numpy(), rtol=1e-10)
        lt.sum().backward()
        le.sum().backward()
        np.testing.assert_allclose(ae.grad.cpu().numpy(), at.grad.cpu().numpy(), rtol=1e-10)


def test_linear_and_losses_gradcheck():
    x = ember.randn(4, 3, dtype=ember.float64, requires_grad=True)
    w = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    b = ember.randn(2, dtype=ember.float64, requires_grad=True)
    F = ember.nn.functional
    assert ember.autograd.gradcheck(F.linear, (x, w, b))
    assert ember.autograd.gradgradcheck(F.linear, (x, w, b))
    tgt = ember.tensor([0, 1, 1, 0])
    assert ember.autograd.gradcheck(lambda a: F.cross_entropy(a, tgt), (x,))
    assert ember.autograd.gradgradcheck(lambda a: F.cross_entropy(a, tgt), (x,))
    assert ember.autograd.gradcheck(lambda a: F.softmax(a, 1), (x,))
    assert ember.autograd.gradcheck(lambda a, c: F.mse_loss(a, c), (x, x.detach() * 0.5))


def test_parameter_rules():
    m = ember.nn.Linear(2, 2)
    with pytest.raises(TypeError) as ee:
        m.weight = ember.ones(2, 2, device='cpu')    # a CPU tensor: the message names its type
    with pytest.raises(TypeError) as et:
        torch.nn.Linear(2, 2).weight = torch.ones(2, 2)
    assert str(ee.value) == str(et.value).replace('torch.', 'ember.')
    m.train(False)
    assert not m.training and all(not c.training for c in m.modules())
    m.requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())


@pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')
def test_module_cuda_cpu_and_to_move_parameters_buffers_and_grads():
    """As torch: parameters (and their grads) keep their identity; buffers move; the model runs on CUDA
    inputs with CPU the default device, and trains there."""
    ember.set_default_device(None)
    net = _net(ember)
    net(ember.ones(2, 4)).sum().backward()
    params = list(net.parameters())
    assert net.cuda() is net
    assert list(net.parameters()) == params
    assert all(p.is_cuda and p.grad.is_cuda for p in params)
    assert all(b.is_cuda for b in net.buffers())
    x = ember.ones(2, 4, device='cuda')
    ember.optim.SGD(net.parameters(), lr=0.1, momentum=0.9).step()
    net(x).sum().backward()
    with pytest.raises(RuntimeError, match='same device'):
        net(ember.ones(2, 4))
    assert net.cpu() is net and all(not p.is_cuda and not p.grad.is_cuda for p in params)
    net.to('cuda', dtype=ember.float64)
    assert all(p.device.type == 'cuda' and p.dtype == ember.float64 and p.grad.dtype == ember.float64 for p in params)
    assert net(x.double()).device.type == 'cuda'
    net.to(ember.device('cpu'))
    assert all(not t.is_cuda for t in list(net.parameters()) + list(net.buffers()))
    bn = ember.nn.BatchNorm1d(4).cuda()
    with pytest.raises(RuntimeError, match='same device'):      # CPU input, CUDA running stats
        ember.nn.functional.batch_norm(ember.ones(3, 4), bn.running_mean, bn.running_var, training=True)
