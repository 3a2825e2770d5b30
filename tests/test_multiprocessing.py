"""ember.multiprocessing against torch.multiprocessing: shared-memory tensors across processes,
spawn / start_processes, error propagation, and a Hogwild run. Children use the 'spawn' start
method (as torch's spawn does) except where fork is the point; few processes, to stay fast."""
import multiprocessing
import sys
from multiprocessing.reduction import ForkingPickler

import numpy as np
import pytest

import ember
import ember.multiprocessing as mp
from ember import nn

TIMEOUT = 60


# ------------------------------------------------------------------ functions run in children

def _edit_received(q, r):
    got = q.get()
    r.put({k: (type(v).__name__, v.is_shared(), v.requires_grad) for k, v in got.items()})
    got['a'] += 1
    got['view'].fill_(7)
    with ember.no_grad():
        got['p'].mul_(2)
    r.put('done')


def _fill_row(i, t, value):
    t[i] = value + i


def _fail(i, x):
    raise ValueError(f'bad value {x} in {i}')


def _exit_on_one(i):
    if i == 1:
        sys.exit(3)


def _hogwild_train(rank, model, x, y):
    ember.manual_seed(rank)
    opt = ember.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(100):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()


def _fork_write(t):
    t.add_(5)


# ------------------------------------------------------------------ module surface

def test_reexports_standard_multiprocessing():
    for name in ('Process', 'Queue', 'SimpleQueue', 'Pool', 'Manager', 'Value', 'Array', 'Lock', 'Event',
                 'get_context', 'set_start_method', 'get_start_method', 'cpu_count', 'Pipe', 'Barrier'):
        assert name in mp.__all__ and hasattr(mp, name), name
    assert mp.cpu_count() == multiprocessing.cpu_count()
    assert mp.get_context is multiprocessing.get_context
    assert set(mp.__all__) == set(multiprocessing.__all__) | {
        'set_sharing_strategy', 'get_sharing_strategy', 'get_all_sharing_strategies'}
    for name in ('spawn', 'start_processes', 'ProcessContext', 'ProcessRaisedException',
                 'ProcessExitedException', 'ProcessException'):
        assert hasattr(mp, name)


def test_sharing_strategies():
    assert mp.get_all_sharing_strategies() == {'file_descriptor', 'file_system'}
    assert mp.get_sharing_strategy() == 'file_descriptor'
    try:
        mp.set_sharing_strategy('file_system')
        assert mp.get_sharing_strategy() == 'file_system'
    finally:
        mp.set_sharing_strategy('file_descriptor')
    with pytest.raises(AssertionError, match="invalid sharing strategy 'foo', expected one of"):
        mp.set_sharing_strategy('foo')
    assert mp.get_sharing_strategy() == 'file_descriptor'


def test_share_memory_and_is_shared():
    t = ember.arange(6.).reshape(2, 3)
    assert not t.is_shared()
    assert t.share_memory_() is t and t.is_shared()
    assert t.share_memory_() is t                       # a second call changes nothing
    assert t.tolist() == [[0., 1., 2.], [3., 4., 5.]]
    m = nn.Linear(3, 2)
    w = m.weight
    assert m.share_memory() is m and m.weight is w
    assert all(p.is_shared() for p in m.parameters())
    assert (m(t) - t @ w.t() - m.bias).abs().max().item() < 1e-5


def test_share_memory_survives_fork():
    # the Hogwild pattern under fork: memory marked shared before the fork is shared after it
    if 'fork' not in multiprocessing.get_all_start_methods():
        pytest.skip('no fork start method on this platform')
    t = ember.zeros(4).share_memory_()
    p = mp.get_context('fork').Process(target=_fork_write, args=(t,))
    p.start()
    p.join(TIMEOUT)
    assert p.exitcode == 0 and t.tolist() == [5., 5., 5., 5.]


# ------------------------------------------------------------------ queues

def test_queue_round_trip_shares_memory():
    ctx = mp.get_context('spawn')
    base = ember.zeros(3, 4)
    p = nn.Parameter(ember.ones(2))
    sent = {'a': ember.zeros(3), 'view': base[:, 1], 'p': p}
    q, r = ctx.Queue(), ctx.Queue()
    child = ctx.Process(target=_edit_received, args=(q, r))
    child.start()
    q.put(sent)
    info = r.get(timeout=TIMEOUT)
    assert r.get(timeout=TIMEOUT) == 'done'
    child.join(TIMEOUT)
    assert child.exitcode == 0
    assert info == {'a': ('Tensor', True, False), 'view': ('Tensor', True, False), 'p': ('Parameter', True, True)}
    assert sent['a'].tolist() == [1., 1., 1.] and sent['a'].is_shared()
    assert base[:, 1].tolist() == [7., 7., 7.] and base.sum().item() == 21.   # the view's base moved too
    assert p.tolist() == [2., 2.] and p.is_shared()


def test_pickle_nonleaf_requiring_grad_matches_torch():
    torch = pytest.importorskip('torch')
    import torch.multiprocessing  # noqa: F401  (registers torch's reductions)
    x = ember.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError) as ours:
        ForkingPickler.dumps(x)
    with pytest.raises(RuntimeError) as theirs:
        ForkingPickler.dumps(torch.ones(2, requires_grad=True) * 2)
    assert str(ours.value) == str(theirs.value)


# ------------------------------------------------------------------ spawn

def test_spawn_with_args_writes_shared_tensor():
    t = ember.zeros(2, 3)
    assert mp.spawn(_fill_row, args=(t, 10.), nprocs=2) is None
    assert t.tolist() == [[10.] * 3, [11.] * 3]
    assert t.is_shared()


def test_start_processes_join_false_and_exit_code():
    # torch: ProcessExitedException('process 1 terminated with exit code 3'), exit_code 3
    ctx = mp.start_processes(_exit_on_one, nprocs=2, join=False, start_method='spawn')
    assert isinstance(ctx, mp.ProcessContext) and len(ctx.processes) == 2 and len(ctx.pids()) == 2
    with pytest.raises(mp.ProcessExitedException, match=r'^process 1 terminated with exit code 3$') as e:
        while not ctx.join(timeout=TIMEOUT):
            pass
    assert e.value.exit_code == 3 and e.value.error_index == 1
    assert not any(p.is_alive() for p in ctx.processes)


def test_spawn_error_matches_torch():
    torch_mp = pytest.importorskip('torch.multiprocessing')
    with pytest.raises(mp.ProcessRaisedException) as ours:
        mp.spawn(_fail, args=(5,), nprocs=1)
    with pytest.raises(torch_mp.ProcessRaisedException) as theirs:
        torch_mp.spawn(_fail, args=(5,), nprocs=1)
    a, b = str(ours.value).splitlines(), str(theirs.value).splitlines()
    assert a[:4] == b[:4] == ['', '', '-- Process 0 terminated with the following error:',
                              'Traceback (most recent call last):']
    assert a[-2:] == b[-2:] and a[-1] == 'ValueError: bad value 5 in 0'
    assert ours.value.error_index == theirs.value.error_index == 0
    assert isinstance(ours.value, mp.ProcessException)


# ------------------------------------------------------------------ Hogwild

def test_hogwild_trains_shared_model():
    ember.manual_seed(0)
    model = nn.Linear(4, 1)
    model.share_memory()
    x = ember.randn(64, 4)
    y = x @ ember.tensor([[1.], [-2.], [0.5], [3.]]) + 0.25
    before = ((model(x) - y) ** 2).mean().item()
    ctx = mp.get_context('spawn')
    procs = [ctx.Process(target=_hogwild_train, args=(rank, model, x, y)) for rank in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(TIMEOUT)
    assert [p.exitcode for p in procs] == [0, 0]
    after = ((model(x) - y) ** 2).mean().item()
    assert after < 1e-2 * before
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1., -2., 0.5, 3.]], atol=0.1)


def test_adagrad_share_memory_like_torch():
    import torch
    for T in (torch, ember):
        p = T.nn.Parameter(T.ones(3))
        opt = T.optim.Adagrad([p])
        assert not opt.state[p]['sum'].is_shared()
        opt.share_memory()
        assert opt.state[p]['sum'].is_shared()
