"""Factories and random numbers made directly on the GPU: zeros/ones/full/eye/arange/linspace/...
and every random function build their arrays with CuPy on the target device (no host array, no
copy), with the CPU's values for the factories; random draws come from one generator per GPU that
``ember.manual_seed`` / ``ember.cuda.manual_seed[_all]`` seed and ``get/set_rng_state`` restore.

The CUDA tests run wherever CUDA is available (a GPU, or the CuPy stand-in:
``EMBER_TEST_DEVICE=cuda EMBER_FAKE_CUDA=1``); the CPU ones run everywhere."""
import warnings

import numpy as np
import pytest

import ember
import ember._backend
from ember.ops import random as rnd

cuda = pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')


def host(t):
    return t.detach().cpu()._host()      # bfloat16 too (ml_dtypes), which numpy() refuses as torch does


@pytest.fixture
def no_host_copy(monkeypatch):
    """Inside ``with no_host_copy():`` any host-to-device copy (``_backend.move``) fails the test."""
    import contextlib

    def boom(arr, device):
        raise AssertionError(f'host copy of a {type(arr).__name__} to {device}')

    @contextlib.contextmanager
    def guard():
        monkeypatch.setattr(ember._backend, 'move', boom)
        try:
            yield
        finally:
            monkeypatch.undo()
    return guard


# ------------------------------------------------------------------ factories

FACTORIES = {
    'zeros': lambda d: ember.zeros(2, 3, device=d),
    'zeros_int8': lambda d: ember.zeros((4,), dtype=ember.int8, device=d),
    'ones': lambda d: ember.ones(3, dtype=ember.float64, device=d),
    'ones_bool': lambda d: ember.ones(2, 2, dtype=ember.bool, device=d),
    'full_int': lambda d: ember.full((2, 2), 7, device=d),
    'full_float16': lambda d: ember.full((3,), 0.1, dtype=ember.float16, device=d),
    'full_uint8': lambda d: ember.full((2,), 255, dtype=ember.uint8, device=d),
    'full_int64_min': lambda d: ember.full((2,), -2 ** 63, device=d),
    'full_bool': lambda d: ember.full((2,), True, device=d),
    'eye': lambda d: ember.eye(3, device=d),
    'eye_rect': lambda d: ember.eye(2, 4, dtype=ember.int32, device=d),
    'arange_int': lambda d: ember.arange(-3, 10, 2, device=d),
    'arange_float': lambda d: ember.arange(0, 1, 0.1, device=d),
    'arange_float16': lambda d: ember.arange(0.5, 7.3, 0.7, dtype=ember.float16, device=d),
    'arange_float64': lambda d: ember.arange(1.5, -2, -0.3, dtype=ember.float64, device=d),
    'linspace': lambda d: ember.linspace(-1.3, 2.9, 17, device=d),
    'linspace_float16': lambda d: ember.linspace(0, 5, 9, dtype=ember.float16, device=d),
    'linspace_one': lambda d: ember.linspace(3.3, 9, 1, device=d),
    'logspace': lambda d: ember.logspace(-2, 2, 9, device=d),
    'logspace_base2': lambda d: ember.logspace(0, 10, 11, base=2, device=d),
    'tril_indices': lambda d: ember.tril_indices(4, 3, 1, device=d),
    'triu_indices': lambda d: ember.triu_indices(3, 5, -1, dtype=ember.int32, device=d),
    'zeros_like': lambda d: ember.zeros_like(ember.empty(2, 3, dtype=ember.int16, device=d)),
    'ones_like': lambda d: ember.ones_like(ember.empty(2, device=d)),
    'full_like': lambda d: ember.full_like(ember.empty(3, device=d), -2.5),
    'new_zeros': lambda d: ember.empty(1, dtype=ember.float64, device=d).new_zeros(2, 2),
    'new_ones': lambda d: ember.empty(1, device=d).new_ones((3,)),
    'new_full': lambda d: ember.empty(1, dtype=ember.int32, device=d).new_full((2,), 9),
}


@cuda
@pytest.mark.parametrize('name', FACTORIES)
def test_factory_builds_on_the_device_with_the_cpu_values(name, no_host_copy):
    make = FACTORIES[name]
    want = make('cpu')
    with no_host_copy():
        got = make('cuda')
    assert got.device == ember.device('cuda', 0) and got.dtype == want.dtype and got.shape == want.shape
    assert type(got._data) is not np.ndarray
    if name.startswith('arange_float'):     # the CPU follows torch's blocked, fused CPU kernel; a GPU
        w = want.float().numpy() if want.dtype is ember.float16 else want.numpy()   # start + i*step
        g = host(got).astype(w.dtype)
        eps = np.finfo(w.dtype).eps
        np.testing.assert_allclose(g, w, rtol=0, atol=2 * eps * np.abs(w).max())
        return
    np.testing.assert_array_equal(host(got), want.numpy())


@cuda
def test_factories_on_a_named_or_current_gpu(no_host_copy):
    with no_host_copy():
        a = ember.ones(2, device='cuda:1')
        b = ember.arange(4, device=ember.device('cuda', 1))
        with ember.cuda.device(1):
            c = ember.zeros(3, device='cuda')
        d = ember.empty(2, 2, device='cuda:1')
        e = ember.full((2,), 3.0, device='cuda:1')
        f = ember.linspace(0, 1, 4, device='cuda:1')
    assert [t.device.index for t in (a, b, c, d, e, f)] == [1] * 6      # 'cuda': the current GPU
    assert c._data.device.id == 1
    assert d.shape == (2, 2) and d.dtype == ember.float32
    np.testing.assert_array_equal(host(f), ember.linspace(0, 1, 4, device='cpu').numpy())


@cuda
def test_empty_and_default_device(no_host_copy):
    ember.set_default_device('cuda')
    try:
        with no_host_copy():
            t = ember.empty(5, dtype=ember.float16)
            z = ember.zeros(2)
            r = ember.rand(3)
    finally:
        ember.set_default_device(None)
    assert t.is_cuda and t.dtype == ember.float16 and t.shape == (5,)
    assert z.is_cuda and r.is_cuda


@cuda
def test_float64_linspace_keeps_the_cpu_values():
    """float64 points need extended precision (the CPU's long double): built on the host, copied once."""
    for args in ((-1.3, 2.9, 17), (0, 1, 1000), (1e-3, 7.77, 33)):
        want = ember.linspace(*args, dtype=ember.float64, device='cpu')
        got = ember.linspace(*args, dtype=ember.float64, device='cuda')
        assert got.is_cuda
        np.testing.assert_array_equal(host(got), want.numpy())
    want = ember.linspace(0, 10, 7, dtype=ember.int64, device='cpu')
    np.testing.assert_array_equal(host(ember.linspace(0, 10, 7, dtype=ember.int64, device='cuda')), want.numpy())


@cuda
def test_factory_errors_on_cuda():
    b = ember.zeros(2, dtype=ember.bfloat16, device='cuda')
    assert b.is_cuda and b.dtype == ember.bfloat16
    with pytest.raises(RuntimeError, match='negative dimension'):
        ember.ones(-1, device='cuda')
    with pytest.raises(RuntimeError, match='Only Tensors of floating point'):
        ember.zeros(2, dtype=ember.int64, device='cuda', requires_grad=True)
    t = ember.zeros(2, device='cuda', requires_grad=True)
    assert t.requires_grad and t.is_leaf and t.is_cuda


@cuda
def test_tensor_from_python_data_still_copies_once(monkeypatch):
    calls = []
    real = ember._backend.move
    monkeypatch.setattr(ember._backend, 'move', lambda a, d: calls.append(1) or real(a, d))
    t = ember.tensor([1.0, 2.0], device='cuda')
    assert calls == [1] and t.is_cuda


# ------------------------------------------------------------------ random numbers on the GPU

RANDOM = {
    'rand': lambda d: ember.rand(4, 5, device=d),
    'rand_f64': lambda d: ember.rand(6, dtype=ember.float64, device=d),
    'rand_f16': lambda d: ember.rand(6, dtype=ember.float16, device=d),
    'randn': lambda d: ember.randn(3, 2, device=d),
    'randn_f64': lambda d: ember.randn(5, dtype=ember.float64, device=d),
    'randint': lambda d: ember.randint(-5, 5, (7,), device=d),
    'randint_uint8': lambda d: ember.randint(0, 256, (9,), dtype=ember.uint8, device=d),
    'randint_float': lambda d: ember.randint(3, (4,), dtype=ember.float32, device=d),
    'randperm': lambda d: ember.randperm(10, device=d),
    'randperm_int32': lambda d: ember.randperm(6, dtype=ember.int32, device=d),
    'normal': lambda d: ember.normal(2.0, 0.5, (8,), device=d),
    'rand_like': lambda d: ember.rand_like(ember.empty(3, dtype=ember.float64, device=d)),
    'randn_like': lambda d: ember.randn_like(ember.empty(2, 2, device=d)),
    'randint_like': lambda d: ember.randint_like(ember.empty(4, dtype=ember.int16, device=d), 10),
}


@cuda
@pytest.mark.parametrize('name', RANDOM)
def test_random_factory_draws_on_the_device(name, no_host_copy):
    make = RANDOM[name]
    want = make('cpu')
    with no_host_copy():
        ember.manual_seed(11)
        a = make('cuda')
        ember.manual_seed(11)
        b = make('cuda')
        c = make('cuda')
    assert a.device == ember.device('cuda', 0) and a.dtype == want.dtype and a.shape == want.shape
    assert type(a._data) is not np.ndarray
    np.testing.assert_array_equal(host(a), host(b))            # same seed, same numbers
    assert a.numel() < 4 or not np.array_equal(host(a), host(c))


def _fill(name, t):
    return {'uniform_': lambda: t.uniform_(-1, 3), 'normal_': lambda: t.normal_(1.5, 2.0),
            'bernoulli_': lambda: t.bernoulli_(0.3), 'random_': lambda: t.random_(0, 7),
            'random_full': lambda: t.random_(), 'exponential_': lambda: t.exponential_(2.0),
            'geometric_': lambda: t.geometric_(0.25), 'log_normal_': lambda: t.log_normal_(0.0, 0.5),
            'cauchy_': lambda: t.cauchy_(1.0, 0.1)}[name]()


FILLERS = ['uniform_', 'normal_', 'bernoulli_', 'random_', 'random_full', 'exponential_', 'geometric_',
           'log_normal_', 'cauchy_']


@cuda
@pytest.mark.parametrize('dtype', [ember.float32, ember.float64, ember.float16])
@pytest.mark.parametrize('name', FILLERS)
def test_fillers_draw_on_the_device(name, dtype, no_host_copy):
    with no_host_copy():
        t = ember.empty(1000, dtype=dtype, device='cuda')
        ember.manual_seed(3)
        assert _fill(name, t) is t
        u = ember.empty(1000, dtype=dtype, device='cuda')
        ember.manual_seed(3)
        _fill(name, u)
    assert t.dtype == dtype and t.is_cuda
    a = host(t)
    np.testing.assert_array_equal(a, host(u))
    assert np.isfinite(a).all() or name == 'cauchy_'
    if name in ('random_', 'geometric_', 'bernoulli_', 'random_full'):
        assert (a == np.round(a)).all() and a.min() >= 0
    if name == 'random_':
        assert set(np.unique(a)) == set(range(7))
    if name == 'uniform_':
        assert -1 <= a.min() and a.max() < 3


@cuda
def test_fillers_on_a_non_contiguous_view_and_on_gpu_1(no_host_copy):
    with no_host_copy():
        t = ember.zeros(4, 6, device='cuda:1')
        t[:, ::2].uniform_(5, 6)
        t.t()[1].normal_()
        ember.zeros(3, dtype=ember.int32, device='cuda:1').random_(10)
    a = host(t)
    assert ((a[:, ::2] >= 5) & (a[:, ::2] < 6)).all() and (a[:, 3::2] == 0).all()
    assert t._data.device.id == 1


@cuda
def test_tensor_shaped_samplers_on_the_device(no_host_copy):
    probs = ember.tensor([[0.0, 1.0, 0.5], [1.0, 0.0, 0.2]], device='cuda')
    rates = ember.tensor([0.5, 4.0, 20.0], device='cuda')
    mean = ember.zeros(1000, device='cuda')
    cat = ember.tensor([0.2, 0.0, 0.5, 0.3], device='cuda')
    with no_host_copy():
        b = ember.bernoulli(probs)
        b2 = ember.bernoulli(probs, 0.5)
        p = ember.poisson(rates)
        n = ember.normal(mean, 2.0)
        n2 = ember.normal(1.0, ember.ones(1000, device='cuda'))
        n3 = ember.normal(mean, ember.full((1000,), 0.1, device='cuda'))
        m = ember.multinomial(cat, 3)
        ember.zeros(3, device='cuda').bernoulli_(probs[0])
    for t in (b, b2, p, n, n2, n3, m):
        assert t.is_cuda
    assert b.dtype == ember.float32 and b.shape == (2, 3)
    assert host(b)[0, 0] == 0 and host(b)[0, 1] == 1 and host(b)[1, 0] == 1 and host(b)[1, 1] == 0
    assert p.dtype == ember.float32 and (host(p) >= 0).all()
    assert abs(host(n).std() - 2.0) < 0.3 and abs(host(n2).mean() - 1.0) < 0.15 and abs(host(n3).std() - 0.1) < 0.02
    assert m.dtype == ember.int64 and sorted(host(m)) == [0, 2, 3]


@cuda
def test_tensor_shaped_samplers_on_gpu_1():
    p = ember.tensor([[0.1, 0.9], [0.5, 0.5]], device='cuda:1')
    for t in (ember.multinomial(p, 2), ember.multinomial(p, 5, True), ember.bernoulli(p), ember.poisson(p),
              ember.normal(p, p), ember.normal(0.0, p), ember.bernoulli(p, 0.5)):
        assert t.device == ember.device('cuda', 1) and t._data.device.id == 1
    with pytest.raises(RuntimeError, match='normal expects all elements of std >= 0.0'):
        ember.normal(p, -p)
    with pytest.raises(RuntimeError, match='invalid Poisson rate'):
        ember.poisson(-p)
    with pytest.raises(RuntimeError, match='Expected p_in >= 0'):
        ember.bernoulli(p * 2)


@cuda
def test_bernoulli_p_zero_and_one_are_exact():
    for dtype in (ember.float32, ember.float64, ember.float16):
        t = ember.empty(10000, dtype=dtype, device='cuda')
        assert (host(t.bernoulli_(0.0)) == 0).all() and (host(t.bernoulli_(1.0)) == 1).all()
        assert (host(ember.bernoulli(t, 0.0)) == 0).all() and (host(ember.bernoulli(t, 1.0)) == 1).all()
        assert (host(ember.bernoulli(ember.zeros_like(t))) == 0).all()
        assert (host(ember.bernoulli(ember.ones_like(t))) == 1).all()


@cuda
def test_statistics_of_large_draws():
    ember.manual_seed(0)
    n = 200_000
    u = host(ember.rand(n, device='cuda'))
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01 and abs(u.std() - 12 ** -0.5) < 0.01
    z = host(ember.randn(n, device='cuda', dtype=ember.float64))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    g = host(ember.normal(-3.0, 0.5, (n,), device='cuda'))
    assert abs(g.mean() + 3) < 0.01 and abs(g.std() - 0.5) < 0.01
    e = host(ember.empty(n, device='cuda').exponential_(4.0))
    assert abs(e.mean() - 0.25) < 0.01 and e.min() >= 0
    b = host(ember.empty(n, device='cuda').bernoulli_(0.3))
    assert abs(b.mean() - 0.3) < 0.01
    p = host(ember.poisson(ember.full((n,), 3.0, device='cuda')))
    assert abs(p.mean() - 3) < 0.05 and abs(p.var() - 3) < 0.1
    r = host(ember.randint(-2, 3, (n,), device='cuda'))
    assert r.min() == -2 and r.max() == 2 and all(abs((r == k).mean() - 0.2) < 0.01 for k in range(-2, 3))
    big = host(ember.randint(2 ** 40, 2 ** 40 + 10, (1000,), device='cuda'))
    assert big.min() >= 2 ** 40 and big.max() < 2 ** 40 + 10


@cuda
def test_randperm_is_a_permutation():
    for n in (0, 1, 7, 1000):
        p = host(ember.randperm(n, device='cuda'))
        assert sorted(p.tolist()) == list(range(n))


@cuda
def test_multinomial_on_the_device():
    ember.manual_seed(1)
    probs = ember.tensor([[1.0, 2.0, 0.0, 7.0], [0.0, 0.0, 5.0, 5.0], [3.0, 1.0, 1.0, 0.0]], device='cuda')
    s = host(ember.multinomial(probs, 3))
    assert s.shape == (3, 3) and all(len(set(row)) == 3 for row in s)
    assert 2 not in s[0] and 3 not in s[2] and set(s[1][:2]) == {2, 3}
    w = host(ember.multinomial(probs, 20000, replacement=True))
    p = host(probs) / host(probs).sum(1, keepdims=True)
    for i in range(3):
        freq = np.bincount(w[i], minlength=4) / w.shape[1]
        np.testing.assert_allclose(freq, p[i], atol=0.015)
    one = ember.multinomial(ember.tensor([0.0, 0.0, 1.0], device='cuda'), 4, replacement=True)
    assert one.shape == (4,) and (host(one) == 2).all()
    with pytest.raises(RuntimeError, match='invalid multinomial distribution'):
        ember.multinomial(ember.zeros(3, device='cuda'), 1)
    with pytest.raises(RuntimeError, match='without replacement'):
        ember.multinomial(probs, 5)


# ------------------------------------------------------------------ seeding and state

@cuda
def test_manual_seed_seeds_every_gpu():
    ember.manual_seed(42)
    a0, a1 = host(ember.rand(5, device='cuda:0')), host(ember.rand(5, device='cuda:1'))
    ember.manual_seed(42)
    b1, b0 = host(ember.rand(5, device='cuda:1')), host(ember.rand(5, device='cuda:0'))
    np.testing.assert_array_equal(a0, b0)
    np.testing.assert_array_equal(a1, b1)
    ember.manual_seed(43)
    assert not np.array_equal(host(ember.rand(5, device='cuda:0')), a0)


@cuda
def test_manual_seed_reaches_gpus_not_used_yet(monkeypatch):
    monkeypatch.setattr(rnd, '_cuda_generators', {})
    ember.manual_seed(9)
    a = host(ember.randn(4, device='cuda:1'))
    monkeypatch.setattr(rnd, '_cuda_generators', {})
    b = host(ember.randn(4, device='cuda:1'))       # a fresh generator starts from the last seed
    np.testing.assert_array_equal(a, b)
    assert ember.cuda.initial_seed() == 9


@cuda
def test_cuda_manual_seed_is_per_device():
    ember.cuda.manual_seed_all(5)
    x1 = host(ember.rand(3, device='cuda:1'))
    y1 = host(ember.rand(3, device='cuda:1'))
    x0 = host(ember.rand(3, device='cuda:0'))
    ember.cuda.manual_seed_all(5)
    np.testing.assert_array_equal(host(ember.rand(3, device='cuda:1')), x1)
    ember.cuda.manual_seed(5)                        # seeds only the current GPU (0)
    np.testing.assert_array_equal(host(ember.rand(3, device='cuda:1')), y1)
    np.testing.assert_array_equal(host(ember.rand(3, device='cuda:0')), x0)
    with ember.cuda.device(1):
        ember.cuda.manual_seed(5)
    np.testing.assert_array_equal(host(ember.rand(3, device='cuda:1')), x1)


@cuda
def test_cuda_seed_does_not_touch_the_cpu_stream():
    ember.manual_seed(0)
    want = ember.rand(4, device='cpu').numpy()
    ember.manual_seed(0)
    ember.cuda.manual_seed_all(123)
    ember.rand(10, device='cuda')
    np.testing.assert_array_equal(ember.rand(4, device='cpu').numpy(), want)


@cuda
def test_rng_state_round_trips_on_cuda():
    ember.manual_seed(7)
    ember.rand(3, device='cuda')
    s = ember.cuda.get_rng_state()
    assert s.dtype == ember.uint8 and s.device == ember.device('cpu') and s.shape == (16,)
    a = host(ember.rand(4, 4, device='cuda'))
    a2 = host(ember.empty(50, device='cuda').normal_())
    ember.cuda.set_rng_state(s)
    np.testing.assert_array_equal(host(ember.rand(4, 4, device='cuda')), a)
    np.testing.assert_array_equal(host(ember.empty(50, device='cuda').normal_()), a2)
    s1 = ember.cuda.get_rng_state('cuda:1')
    b = host(ember.randn(3, device='cuda:1'))
    ember.cuda.set_rng_state(s1, 1)
    np.testing.assert_array_equal(host(ember.randn(3, device='cuda:1')), b)
    states = ember.cuda.get_rng_state_all()
    assert len(states) == ember.cuda.device_count()
    c = [host(ember.rand(2, device=f'cuda:{i}')) for i in range(len(states))]
    ember.cuda.set_rng_state_all(states)
    for i, ci in enumerate(c):
        np.testing.assert_array_equal(host(ember.rand(2, device=f'cuda:{i}')), ci)


@cuda
def test_generator_on_cuda():
    g = ember.Generator(device='cuda')
    assert g.device == ember.device('cuda', 0)
    assert g.manual_seed(3) is g and g.initial_seed() == 3
    a = host(ember.rand(5, device='cuda', generator=g))
    ember.manual_seed(100)                      # the default generator is another stream
    ember.rand(5, device='cuda')
    g.manual_seed(3)
    np.testing.assert_array_equal(host(ember.rand(5, device='cuda', generator=g)), a)
    st = g.get_state()
    b = host(ember.randperm(20, device='cuda', generator=g))
    g.set_state(st)
    np.testing.assert_array_equal(host(ember.randperm(20, device='cuda', generator=g)), b)
    t = ember.empty(6, device='cuda')
    g.manual_seed(4)
    t.uniform_(generator=g)
    g.manual_seed(4)
    np.testing.assert_array_equal(host(ember.empty(6, device='cuda').uniform_(generator=g)), host(t))
    s = g.seed()
    assert g.initial_seed() == s


@cuda
def test_a_cuda_generator_is_refused_on_the_cpu():
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found 'cuda'"):
        ember.rand(2, device='cpu', generator=ember.Generator('cuda'))
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found 'cuda'"):
        ember.empty(3, device='cpu').normal_(generator=ember.Generator('cuda'))


CPU_GEN = {
    'rand': lambda g: ember.rand(5, generator=g, device='cuda'),
    'randint': lambda g: ember.randint(0, 100, (5,), generator=g, device='cuda'),
    'randperm': lambda g: ember.randperm(8, generator=g, device='cuda'),
    'normal': lambda g: ember.normal(1.0, 2.0, (5,), generator=g, device='cuda'),
    'uniform_': lambda g: ember.empty(5, device='cuda').uniform_(-2, 2, generator=g),
    'normal_': lambda g: ember.empty(5, device='cuda').normal_(generator=g),
    'bernoulli_': lambda g: ember.empty(50, device='cuda').bernoulli_(0.5, generator=g),
    'random_': lambda g: ember.empty(5, device='cuda').random_(10, generator=g),
    'exponential_': lambda g: ember.empty(5, device='cuda').exponential_(generator=g),
    'geometric_': lambda g: ember.empty(5, device='cuda').geometric_(0.3, generator=g),
    'log_normal_': lambda g: ember.empty(5, device='cuda').log_normal_(generator=g),
    'cauchy_': lambda g: ember.empty(5, device='cuda').cauchy_(generator=g),
    'bernoulli': lambda g: ember.bernoulli(ember.full((50,), 0.5, device='cuda'), generator=g),
    'poisson': lambda g: ember.poisson(ember.full((5,), 4.0, device='cuda'), generator=g),
    'normal_t': lambda g: ember.normal(ember.zeros(5, device='cuda'), 1.0, generator=g),
    'multinomial': lambda g: ember.multinomial(ember.ones(2, 6, device='cuda'), 4, generator=g),
    'multinomial_r': lambda g: ember.multinomial(ember.ones(6, device='cuda'), 9, True, generator=g),
}


@cuda
@pytest.mark.parametrize('name', CPU_GEN)
def test_a_cpu_generator_still_draws_for_cuda_tensors(name):
    """PyTorch refuses a CPU generator for CUDA tensors; ember draws on the host with it and
    copies, so CPU-seeded code (``nn.init.*_(w, generator=ember.Generator())``) keeps working."""
    make = CPU_GEN[name]
    a = make(ember.Generator().manual_seed(4))
    b = make(ember.Generator().manual_seed(4))
    assert a.is_cuda
    np.testing.assert_array_equal(host(a), host(b))
    assert not np.array_equal(host(a), host(make(ember.Generator().manual_seed(5))))


@cuda
def test_dropout_masks_are_drawn_on_the_device(no_host_copy):
    x = ember.ones(20000, device='cuda', requires_grad=True)
    with no_host_copy():
        ember.manual_seed(0)
        y = ember.nn.functional.dropout(x, 0.25)
        ember.manual_seed(0)
        y2 = ember.nn.functional.dropout(x, 0.25)
        f = ember.nn.functional.dropout2d(ember.ones(4, 8, 3, 3, device='cuda'), 0.5)
        a = ember.nn.functional.alpha_dropout(ember.ones(100, device='cuda'), 0.2, training=True)
        y.sum().backward()
    v = host(y)
    np.testing.assert_array_equal(v, host(y2))
    assert set(np.unique(v)) <= {0.0, np.float32(1 / 0.75)} and abs((v == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(host(x.grad), v)
    fm = host(f).reshape(4, 8, -1)
    assert ((fm == fm[..., :1]).all()) and f.is_cuda and a.is_cuda


# ------------------------------------------------------------------ CPU (runs in every pass)

def test_cpu_factories_unchanged():
    assert ember.zeros(2, 3, device='cpu').numpy().tolist() == [[0.0] * 3] * 2
    np.testing.assert_array_equal(ember.arange(0, 1, 0.1, device='cpu').numpy(),
                                  (np.arange(10, dtype=np.float64) * 0.1).astype(np.float32))
    assert ember.full((2,), 255, dtype=ember.uint8, device='cpu').numpy().tolist() == [255, 255]
    assert ember.linspace(0, 1, 5, device='cpu').numpy().tolist() == [0, 0.25, 0.5, 0.75, 1]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert ember.range(1, 4, device='cpu').numpy().tolist() == [1, 2, 3, 4]
    assert type(ember.eye(2, device='cpu')._data) is np.ndarray


def test_cuda_seeding_needs_no_gpu():
    """``manual_seed`` seeds the GPUs lazily: it works (and touches no CUDA) on any machine."""
    ember.cuda.manual_seed_all(3)
    assert rnd._cuda_seed[0] == 3
    ember.manual_seed(-1)
    assert rnd._cuda_seed[0] == 2 ** 64 - 1 and ember.initial_seed() == 2 ** 64 - 1
    ember.manual_seed(0)
    ember.cuda.manual_seed(1)       # a no-op without a GPU
    g = ember.Generator()
    assert g.device == ember.device('cpu')
    assert g.get_state().dtype == ember.uint8


def test_cpu_generator_state_round_trip():
    g = ember.Generator().manual_seed(2)
    s = g.get_state()
    a = ember.rand(3, generator=g, device='cpu')
    g.set_state(s)
    assert ember.equal(ember.rand(3, generator=g, device='cpu'), a)
