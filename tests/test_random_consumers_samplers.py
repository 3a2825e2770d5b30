"""ops/cpu_samplers.py: PyTorch's CPU rejection samplers (standard gamma, Dirichlet, Poisson, binomial)
on ember's copy of PyTorch's stream give torch 2.13's numbers and leave the stream in torch's state,
including its cached spare normal, over wide parameter ranges and both float dtypes."""
import numpy as np
import pytest
import torch

from ember.ops import cpu_samplers
from ember.ops.cpu_stream import CPUStream


def _compare(torch_fn, ember_fn, seed=0, warm=0, exact=True):
    """torch's draws after manual_seed(seed) (and ``warm`` normals, leaving a spare when odd and
    < 16) against ember's on a CPUStream seeded alike."""
    torch.manual_seed(seed)
    stream = CPUStream(seed)
    if warm:
        torch.randn(warm)
        stream.normal(warm, np.float32)
    want = torch_fn().numpy()
    got = ember_fn(stream)
    assert got.dtype == want.dtype and got.shape == want.shape
    if exact:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert stream.state() == torch.get_rng_state().numpy().tobytes()


def _params(seed, n, lo, hi, dtype):
    g = np.random.default_rng(seed)
    return torch.from_numpy(np.exp(g.uniform(np.log(lo), np.log(hi), n)).astype(dtype))


def _tdt(dtype):
    return torch.float32 if dtype == np.float32 else torch.float64


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
@pytest.mark.parametrize('warm', [0, 3])
def test_standard_gamma(dtype, warm):
    alpha = torch.cat([_params(1, 300, 1e-3, 1e3, dtype), torch.tensor([0.0, 1.0, 1 / 3, 0.5], dtype=_tdt(dtype))])
    _compare(lambda: torch._standard_gamma(alpha), lambda s: cpu_samplers.standard_gamma(s, alpha.numpy()), warm=warm)


def test_standard_gamma_broadcast_and_shape():
    alpha = torch.tensor([[0.5], [2.0], [7.5]]).expand(3, 4)
    _compare(lambda: torch._standard_gamma(alpha), lambda s: cpu_samplers.standard_gamma(s, alpha.numpy()), seed=5)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_dirichlet(dtype):
    conc = _params(2, 60, 1e-2, 50, dtype).reshape(12, 5)
    _compare(lambda: torch._sample_dirichlet(conc), lambda s: cpu_samplers.dirichlet(s, conc.numpy()),
             seed=3, exact=dtype == np.float32)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_poisson(dtype):
    rates = torch.cat([_params(3, 300, 1e-2, 1e4, dtype), torch.tensor([0.0, 9.999, 10.0], dtype=_tdt(dtype))])
    _compare(lambda: torch.poisson(rates), lambda s: cpu_samplers.poisson(s, rates.numpy()), seed=1)


@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_binomial(dtype):
    g = np.random.default_rng(4)
    count = torch.from_numpy(np.floor(np.exp(g.uniform(0, np.log(5000), 400))).astype(dtype))
    prob = torch.from_numpy(g.uniform(0, 1, 400).astype(dtype))
    count = torch.cat([count, torch.tensor([0., 5., 5., 20., 1000.], dtype=count.dtype)])
    prob = torch.cat([prob, torch.tensor([0.5, 0., 1., 0.5, 1e-4], dtype=prob.dtype)])
    _compare(lambda: torch.binomial(count, prob), lambda s: cpu_samplers.binomial(s, count.numpy(), prob.numpy()),
             seed=2)


def test_no_draws_no_change():
    """Zero concentrations / rates / counts draw nothing: the stream is as it was."""
    zeros = np.zeros(3, np.float32)
    _compare(lambda: torch._standard_gamma(torch.zeros(3)), lambda s: cpu_samplers.standard_gamma(s, zeros))
    _compare(lambda: torch.poisson(torch.zeros(3)), lambda s: cpu_samplers.poisson(s, zeros), warm=1)
