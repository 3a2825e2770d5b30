"""The CPU generator as an object, compared with torch: its seeding (an unseeded process draws
different numbers each run, a fresh Generator() starts from PyTorch's fixed default seed), its state
(PyTorch's 5056-byte layout, with PyTorch's refusals), and the state carried between ember and torch."""
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import ember
from same_outcome import outcome

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _state_bytes(lib, gen=None):
    s = (gen or lib).get_rng_state() if gen is None else gen.get_state()
    return bytes(s.tolist())


def test_fresh_generator_object_matches_torch():
    g, h = torch.Generator(), ember.Generator()
    assert g.initial_seed() == h.initial_seed() == 67280421310721
    assert bytes(g.get_state().tolist()) == bytes(h.get_state().tolist())
    np.testing.assert_array_equal(torch.rand(5, generator=g).numpy(), ember.rand(5, generator=h).numpy())
    assert bytes(g.get_state().tolist()) == bytes(h.get_state().tolist())


def test_unseeded_processes_differ_like_torch():
    code = 'import ember; print(ember.initial_seed(), ember.rand(2).tolist())'
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'src'))
    runs = {subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 2


@pytest.mark.parametrize('seed', [0, 1, 42, 2 ** 32 + 7, 2 ** 63, -1, 2 ** 64 - 1])
def test_manual_seed_state_and_initial_seed(seed):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    assert torch.initial_seed() == ember.initial_seed()
    assert _state_bytes(torch) == _state_bytes(ember)


def test_state_moves_between_torch_and_ember():
    torch.manual_seed(3)
    torch.randn(5)                                   # leaves a spare normal in the state
    torch.rand(700)                                  # past one regeneration of the 624 words
    ember.set_rng_state(ember.tensor(list(_state_bytes(torch)), dtype=ember.uint8))
    assert ember.initial_seed() == 3
    np.testing.assert_array_equal(ember.randn(3).numpy(), torch.randn(3).numpy())
    torch.set_rng_state(torch.tensor(list(_state_bytes(ember)), dtype=torch.uint8))
    np.testing.assert_array_equal(ember.rand(4).numpy(), torch.rand(4).numpy())
    assert _state_bytes(torch) == _state_bytes(ember)


def _corrupt(lib, lo, hi, value):
    s = lib.get_rng_state()
    s[lo:hi] = value
    return s


BAD_STATES = {
    'short': lambda T: T.get_rng_state()[:5048],
    'long': lambda T: T.cat([T.get_rng_state(), T.zeros(8, dtype=T.uint8)]),
    'left-zero': lambda T: _corrupt(T, 8, 12, 0),
    'left-too-big': lambda T: _corrupt(T, 8, 12, 255),
    'not-seeded': lambda T: _corrupt(T, 12, 16, 0),
    'next-too-big': lambda T: _corrupt(T, 16, 18, 255),
    'float-tensor': lambda T: T.zeros(5056),
    'list': lambda T: [0] * 5056,
}


@pytest.mark.parametrize('name', sorted(BAD_STATES))
def test_bad_states_are_refused_and_change_nothing(name):
    torch.manual_seed(11)
    ember.manual_seed(11)
    before = _state_bytes(ember)
    theirs = outcome(lambda T: T.set_rng_state(BAD_STATES[name](T)), torch)
    mine = outcome(lambda T: T.set_rng_state(BAD_STATES[name](T)), ember)
    assert mine == theirs
    assert _state_bytes(ember) == before


@pytest.mark.parametrize('name', sorted(BAD_STATES))
def test_generator_set_state_refusals(name):
    theirs = outcome(lambda T: T.Generator().set_state(BAD_STATES[name](T)), torch)
    mine = outcome(lambda T: T.Generator().set_state(BAD_STATES[name](T)), ember)
    assert mine == theirs


def test_fork_rng_restores_the_stream():
    ember.manual_seed(5)
    torch.manual_seed(5)
    with ember.random.fork_rng():
        ember.randn(100)
    with torch.random.fork_rng():
        torch.randn(100)
    np.testing.assert_array_equal(ember.randn(7).numpy(), torch.randn(7).numpy())


def test_prelu_zero_dim_input_message():
    def f(T):
        return T.nn.functional.prelu(T.tensor(1.), T.tensor([1., 2.]))
    theirs, mine = outcome(f, torch), outcome(f, ember)
    assert mine == theirs
