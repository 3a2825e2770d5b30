"""Differential regression tests (torch vs ember) for the third survey's optimizer, multinomial
and DataPipe findings: sparse Adagrad, sparse-gradient refusals, LBFGS with sparse and complex
parameters, capturable on the CPU, state shapes that do not fit after load_state_dict, SGD's
lr comparison, multinomial's messages and ember.utils.data's DataPipe exports."""
import numpy as np
import pytest
import torch

import ember

LIBS = (torch, ember)
NO_SPARSE = ['Adam', 'AdamW', 'NAdam', 'RAdam', 'Adadelta', 'Adamax', 'ASGD', 'Rprop', 'RMSprop', 'Adafactor']
CAPTURABLE = ['Adam', 'AdamW', 'NAdam', 'RAdam', 'Adadelta', 'Adamax', 'ASGD', 'Rprop', 'RMSprop']


def outcome(fn, T):
    """('ok', value) or (exception type name, first message line) with torch/ember spelled X."""
    try:
        return 'ok', fn(T)
    except Exception as e:      # noqa: BLE001 - the exception itself is what is compared
        return type(e).__name__, str(e).split('\n')[0].replace('torch', 'X').replace('ember', 'X')


def same_error(fn):
    t, e = outcome(fn, torch), outcome(fn, ember)
    assert t[0] != 'ok', t
    assert e == t


def close(a, b, tol=1e-6):
    np.testing.assert_allclose(np.asarray(b.detach().numpy()), np.asarray(a.detach().numpy()), rtol=tol, atol=tol)


def embedding(T, n=5, d=3, dtype=None):
    emb = T.nn.Embedding(n, d, sparse=True)
    with T.no_grad():
        emb.weight.copy_(T.arange(float(n * d)).reshape(n, d) / 7 - 1)
    if dtype is not None:
        emb = emb.to(getattr(T, dtype))
    return emb


# ---------------------------------------------------------------- Adagrad on sparse gradients
@pytest.mark.parametrize('kw', [dict(), dict(lr_decay=0.1), dict(initial_accumulator_value=0.5, eps=1e-3),
                                dict(maximize=True, lr=0.3), dict(dtype='float64', lr_decay=0.05)],
                         ids=str)
def test_adagrad_sparse_matches_torch(kw):
    kw = dict(kw)
    dtype = kw.pop('dtype', None)
    res = []
    for T in LIBS:
        emb = embedding(T, dtype=dtype)
        dense = T.ones(2, requires_grad=True, dtype=emb.weight.dtype)
        o = T.optim.Adagrad([emb.weight, dense], **kw)
        for idx in ([0, 2, 2], [4], [1, 0, 1, 3], [2, 2], [0, 4, 4, 4]):
            o.zero_grad()
            (emb(T.tensor(idx)).pow(2).sum() + (dense * dense.sum()).sum()).backward()
            o.step()
        st = o.state[emb.weight]
        res.append((emb.weight, st['sum'], float(st['step']), dense))
    (tw, ts, tstep, td), (ew, es, estep, ed) = res
    close(tw, ew)
    close(ts, es)
    close(td, ed)
    assert tstep == estep == 5.0
    assert ew.dtype == ember.float64 if dtype else ember.float32


def test_adagrad_sparse_weight_decay_refused_unchanged():
    def fn(T):
        emb = embedding(T)
        o = T.optim.Adagrad(emb.parameters(), weight_decay=0.1)
        emb(T.tensor([1])).sum().backward()
        o.step()
    same_error(fn)
    emb = embedding(ember)
    before = emb.weight.detach().clone()
    o = ember.optim.Adagrad(emb.parameters(), weight_decay=0.1)
    emb(ember.tensor([1])).sum().backward()
    with pytest.raises(RuntimeError):
        o.step()
    assert ember.equal(emb.weight, before) and float(o.state[emb.weight]['step']) == 0


# ---------------------------------------------------------------- other optimizers refuse sparse
@pytest.mark.parametrize('name', NO_SPARSE)
def test_sparse_grad_refused(name):
    def fn(T):
        emb = embedding(T, 4, 2)
        o = getattr(T.optim, name)(emb.parameters(), lr=0.1)
        emb(T.tensor([0, 2, 2])).pow(2).sum().backward()
        o.step()
    same_error(fn)
    # a failed step changes nothing: no state, the dense parameter before it not updated
    emb = embedding(ember, 4, 2)
    dense = ember.ones(3, requires_grad=True)
    o = getattr(ember.optim, name)([dense, emb.weight], lr=0.1)
    (emb(ember.tensor([1])).sum() + dense.sum()).backward()
    with pytest.raises(RuntimeError):
        o.step()
    assert len(o.state) == 0 and ember.equal(dense, ember.ones(3))


def test_muon_sparse_grad_refused():
    def fn(T):
        emb = embedding(T, 4, 2)
        o = T.optim.Muon(emb.parameters(), lr=0.1)
        emb(T.tensor([1])).sum().backward()
        o.step()
    same_error(fn)


def test_lbfgs_sparse_grad():
    res = []
    for T in LIBS:
        emb = embedding(T, 4, 2)
        o = T.optim.LBFGS(emb.parameters(), max_iter=5)

        def closure():
            o.zero_grad()
            loss = (emb(T.tensor([0, 3, 3])) - 1).pow(2).sum()
            loss.backward()
            return loss
        loss = o.step(closure)
        res.append((emb.weight, float(loss)))
    close(res[0][0], res[1][0], 1e-5)
    assert abs(res[0][1] - res[1][1]) < 1e-5


def test_lbfgs_complex_param():
    res = []
    for T in LIBS:
        p = T.tensor([1 + 1j, -0.5 + 2j], requires_grad=True)
        q = T.tensor([0.5], requires_grad=True)
        o = T.optim.LBFGS([p, q])

        def closure():
            o.zero_grad()
            loss = (p.abs() ** 2).sum() + ((p - 1).abs() ** 2).sum() + (q - 2).pow(2).sum()
            loss.backward()
            return loss
        o.step(closure)
        res.append((p, q))
    assert res[1][0].dtype == ember.complex64
    close(res[0][0], res[1][0], 1e-5)
    close(res[0][1], res[1][1], 1e-5)


# ---------------------------------------------------------------- capturable=True on the CPU
@pytest.mark.parametrize('name', CAPTURABLE)
def test_capturable_on_cpu_refused(name):
    def fn(T):
        p = T.ones(3, requires_grad=True)
        o = getattr(T.optim, name)([p], lr=0.1, capturable=True)
        p.grad = T.ones(3)
        o.step()
    same_error(fn)
    p = ember.ones(3, requires_grad=True)
    o = getattr(ember.optim, name)([p], lr=0.1, capturable=True)
    p.grad = ember.ones(3)
    with pytest.raises(AssertionError):
        o.step()
    assert ember.equal(p, ember.ones(3)) and len(o.state) == 0


@pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')
@pytest.mark.parametrize('name', CAPTURABLE)
def test_capturable_on_cuda_accepted(name):
    p = ember.ones(3, device='cuda', requires_grad=True)
    pc = ember.ones(3, requires_grad=True)
    o = getattr(ember.optim, name)([p], lr=0.1, capturable=True)
    oc = getattr(ember.optim, name)([pc], lr=0.1)
    for _ in range(3):
        p.grad = ember.arange(3.0, device='cuda')
        pc.grad = ember.arange(3.0)
        o.step()
        oc.step()
    assert o.state[p]['step'].device.type == 'cuda'
    np.testing.assert_allclose(p.cpu().detach().numpy(), pc.detach().numpy(), rtol=1e-6, atol=1e-7)


# ---------------------------------------------------------------- state shapes after load_state_dict
@pytest.mark.parametrize('name,shapes', [
    ('Adam', ((3,), (5,))), ('AdamW', ((5,), (3,))), ('SGD', ((2, 3), (3, 2))), ('Adagrad', ((3,), (5,))),
    ('RMSprop', ((3,), (5,))), ('NAdam', ((2, 3), (3, 2))), ('ASGD', ((3,), (5,))), ('Rprop', ((3,), (5,))),
    ('Rprop', ((2, 3), (3, 2))), ('Adafactor', ((2, 3), (3, 2))), ('Adadelta', ((5,), (3,)))])
def test_loaded_state_shape_mismatch(name, shapes):
    kw = dict(momentum=0.9) if name == 'SGD' else {}

    def fn(T):
        p = [T.ones(*shapes[0], requires_grad=True), T.ones(2, requires_grad=True)]
        o = getattr(T.optim, name)(p, lr=0.1, **kw)
        for q in p:
            q.grad = T.ones_like(q)
        o.step()
        p2 = [T.ones(*shapes[1], requires_grad=True), T.ones(2, requires_grad=True)]
        o2 = getattr(T.optim, name)(p2, lr=0.1, **kw)
        o2.load_state_dict(o.state_dict())
        for q in p2:
            q.grad = T.ones_like(q)
        o2.step()
    same_error(fn)


def test_closure_value_error_passes_through():
    p = ember.ones(2, requires_grad=True)
    o = ember.optim.Adam([p])

    def closure():
        raise ValueError('could not broadcast my own thing')
    with pytest.raises(ValueError, match='my own thing'):
        o.step(closure)


# ---------------------------------------------------------------- SGD's lr comparison
@pytest.mark.parametrize('lr', ['0.1', None])
def test_sgd_lr_type_error(lr):
    same_error(lambda T: T.optim.SGD([T.ones(2, requires_grad=True)], lr=lr))


def test_sgd_nan_lr_accepted():
    for T in LIBS:
        assert np.isnan(T.optim.SGD([T.ones(1, requires_grad=True)], lr=float('nan')).defaults['lr'])


# ---------------------------------------------------------------- multinomial's messages
INF, NAN = float('inf'), float('nan')
MULTINOMIAL_ERRORS = [
    ([-0.1, 0.9], 2, True), ([-0.1, 0.9], 2, False), ([-0.1, 0.9], 1, True), ([INF, 0.9], 2, True),
    ([NAN, 0.9], 2, True), ([-INF, 1.0], 2, True), ([INF, 0.9], 1, False), ([NAN, 1.0], 1, False), ([], 2, True),
    ([], 2, False), ([], 1, True), ([0.0, 0.0], 1, True), ([0.0, 0.0], 2, True), ([0.0, 0.0], 1, False),
    ([1.0, -1.0], 3, False), ([[0.5, 0.5], [-1, 2]], 2, True), ([[1.0, 0.0], [INF, -1]], 2, True),
    ([[1.0, 0.0], [-1, INF]], 2, True), ([[0.0, 0.0], [-1, 2]], 2, True), ([[0.5, 0.5], [0, 0]], 2, True),
    ([[0.5, 0.5], [-1, 2]], 1, True), ([[0.5, 0.5], [NAN, 0]], 1, False), ([[0.5, 0.5], [0, 0]], 1, False),
    ([[]], 1, True), ([[], []], 2, True), ([[], []], 1, False), ([1.0, 2.0], 0, True), ([[[1.0]]], 1, True)]


@pytest.mark.parametrize('data,n,replacement', MULTINOMIAL_ERRORS, ids=str)
def test_multinomial_errors(data, n, replacement):
    same_error(lambda T: T.multinomial(T.tensor(data), n, replacement))


@pytest.mark.parametrize('shape,n,replacement', [((0, 3), 2, True), ((0, 3), 1, False), ((2,), 5, True),
                                                 ((3, 4), 4, False), ((3, 4), 6, True)])
def test_multinomial_shapes(shape, n, replacement):
    r = [T.multinomial(T.ones(shape), n, replacement) for T in LIBS]
    assert tuple(r[0].shape) == tuple(r[1].shape) and r[1].dtype == ember.int64


@pytest.mark.parametrize('weights,n,replacement', [([], 2, True), ([], 2, False), ([0.0, 0.0], 2, True),
                                                   ([-1.0, 1.0], 2, True), ([1.0], 2, False)], ids=str)
def test_weighted_random_sampler_errors(weights, n, replacement):
    same_error(lambda T: list(T.utils.data.WeightedRandomSampler(weights, n, replacement)))


# ---------------------------------------------------------------- DataPipes
UNSUPPORTED = {'argument_validation', 'runtime_validation', 'runtime_validation_disabled'}


def test_data_all_matches_torch():
    assert sorted(ember.utils.data.__all__) == sorted(set(torch.utils.data.__all__) - UNSUPPORTED)
    assert all(hasattr(ember.utils.data, n) for n in ember.utils.data.__all__)


def _make_pipes(T, suffix):
    """Module-level DataPipe classes for ``T`` (torch's DataLoader pickles the pipe graph)."""
    D = T.utils.data

    class Scaled(D.IterDataPipe):
        def __init__(self, src, k=2):
            self.src, self.k = src, k

        def __iter__(self):
            return (self.k * x for x in self.src)

    class Source(D.IterDataPipe):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    class Table(D.MapDataPipe):
        def __getitem__(self, i):
            return i * 10

        def __len__(self):
            return 3
    out = []
    for c in (Scaled, Source, Table):
        c.__qualname__ = c.__name__ = f'{c.__name__}_{suffix}'
        globals()[c.__name__] = c
        out.append(c)
    D.functional_datapipe('scaled_' + suffix)(Scaled)
    return out


PIPES = {'t': _make_pipes(torch, 't'), 'e': _make_pipes(ember, 'e')}


def test_datapipes_match_torch():
    out = []
    for T, suffix in ((torch, 't'), (ember, 'e')):
        D = T.utils.data
        Scaled, Source, Table = PIPES[suffix]
        s = Source(5)
        res = [list(getattr(s, 'scaled_' + suffix)(k=3)), repr(getattr(s, 'scaled_' + suffix)())[:-2], str(s)[:-2],
               repr(Table())[:-2], isinstance(s, D.IterableDataset), isinstance(Table(), D.Dataset),
               [b.tolist() for b in D.DataLoader(s, batch_size=2)], outcome(lambda T: s.nope, T)[1].replace('_' + suffix, ''),
               outcome(lambda T: D.functional_datapipe('scaled_' + suffix)(Scaled), T)[0]]
        c = D.DataChunk(iter([1, 'a', 3]))
        res += [list(c), c.as_str('  '), list(c.raw_iterator()), isinstance(c, list)]

        @D.non_deterministic
        class Shuffled(D.IterDataPipe):
            def __init__(self, src):
                self.src = src

            def __iter__(self):
                return iter(self.src)
        with D.guaranteed_datapipes_determinism():
            res.append(outcome(lambda T: Shuffled([1]), T))
        res += [list(Shuffled([2])), outcome(lambda T: D.non_deterministic(int), T)]
        out.append(res)
    assert out[0][:-1] == out[1][:-1]
    assert out[0][-1] == out[1][-1]
