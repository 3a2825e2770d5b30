"""ember.random (torch.random): seeding, RNG state, fork_rng."""
import warnings

import pytest
import torch
import torch.random

import ember
import ember.random


def test_namespace():
    assert sorted(ember.random.__all__) == sorted(torch.random.__all__)
    for name in torch.random.__all__:
        assert callable(getattr(ember.random, name)), name
    assert ember.random.default_generator is ember.default_generator
    assert ember.random.manual_seed is ember.manual_seed


@pytest.mark.parametrize('seed', [0, 123, 2 ** 40 + 7, -1, -(2 ** 63)])
def test_manual_seed_and_initial_seed(seed):
    for R in (torch.random, ember.random):
        g = R.manual_seed(seed)
        assert type(g).__name__ == 'Generator'
    assert ember.random.initial_seed() == torch.random.initial_seed()


def test_manual_seed_reproduces():
    ember.random.manual_seed(7)
    a = ember.randn(5)
    ember.random.manual_seed(7)
    assert ember.equal(a, ember.randn(5))


def test_seed_is_random_and_recorded():
    s = ember.random.seed()
    assert isinstance(s, int) and 0 <= s < 2 ** 64
    assert ember.random.initial_seed() == s
    assert ember.random.seed() != s          # (a 1 in 2**63 chance of a false failure)


def test_rng_state_round_trip():
    ember.random.manual_seed(1)
    state = ember.random.get_rng_state()
    assert state.dtype == ember.uint8 and state.dim() == 1
    a = ember.rand(4)
    ember.random.set_rng_state(state)
    assert ember.equal(a, ember.rand(4))
    assert ember.equal(ember.random.get_rng_state(), ember.get_rng_state())


def _fork_cases(R, L):
    """What fork_rng leaves behind, as booleans (same in torch and ember)."""
    out = []
    R.manual_seed(3)
    with R.fork_rng():
        inside = L.rand(3)
    out.append(L.equal(L.rand(3), inside))                      # state restored: same draw again
    R.manual_seed(3)
    first = L.rand(3)
    R.manual_seed(3)
    with R.fork_rng(enabled=False):
        L.rand(3)
    out.append(L.equal(L.rand(3), first))                       # not forked: the stream moved on
    R.manual_seed(3)
    try:
        with R.fork_rng(devices=[]):
            L.rand(3)
            raise KeyError('boom')
    except KeyError:
        pass
    out.append(L.equal(L.rand(3), first))                       # restored after an exception
    R.manual_seed(3)
    with R.fork_rng(devices=iter([])):
        with R.fork_rng():
            L.rand(2)
        L.rand(2)
    out.append(L.equal(L.rand(3), first))                       # nested
    R.manual_seed(3)
    with R.fork_rng(device_type='meta'):
        L.rand(3)
    out.append(L.equal(L.rand(3), first))                       # meta: nothing forked
    return out


def test_fork_rng_matches_torch():
    with warnings.catch_warnings():
        warnings.simplefilter('error')          # no warning without several GPUs
        assert _fork_cases(ember.random, ember) == _fork_cases(torch.random, torch) == \
            [True, False, True, True, False]


def test_fork_rng_as_decorator():
    @ember.random.fork_rng()
    def draw():
        return ember.rand(2)
    ember.random.manual_seed(5)
    a = draw()
    assert ember.equal(ember.rand(2), a)


def test_fork_rng_unknown_device_type():
    with pytest.raises(RuntimeError, match='ember has no module of `npu`'):
        with ember.random.fork_rng(device_type='npu'):
            pass


def test_thread_safe_generator_main_process():
    assert ember.random.thread_safe_generator() is None
    assert torch.random.thread_safe_generator() is None


@pytest.mark.parametrize('make', [
    lambda T: T.manual_seed(2 ** 64), lambda T: T.manual_seed(-2 ** 63 - 1),
    lambda T: T.manual_seed(2 ** 64 - 1).initial_seed(), lambda T: T.manual_seed(-1).initial_seed(),
    lambda T: T.set_rng_state(T.zeros(5000, dtype=T.int64)), lambda T: T.set_rng_state([1, 2]),
])
def test_seed_and_state_errors_as_torch(make):
    def outcome(T):
        try:
            return 'ok', make(T)
        except Exception as e:                      # noqa: BLE001 - compared
            return type(e).__name__, str(e).replace('torch.', 'ember.')
    try:
        assert outcome(ember) == outcome(torch)
    finally:
        ember.manual_seed(0)
        torch.manual_seed(0)


def test_functions_carry_their_names():
    for name in ('sin', 'exp', 'sigmoid', 'log1p'):
        assert getattr(ember, name).__name__ == getattr(torch, name).__name__ == name
    assert ember.Tensor.sin_.__name__ == 'sin_'
