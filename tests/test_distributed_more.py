"""The rest of ember.distributed's API: all_to_all, P2POp/batch_isend_irecv, the object
send/recv, coalesced collectives, subgroups (on real MPI ranks, 1, 2 and 3 of them), and the
in-process parts (availability and environment queries, debug level, reduce_op, HashStore /
PrefixStore), compared with torch where torch can run them here."""
import datetime
import threading
import time
import warnings

import pytest
import torch.distributed as tdist

import ember
import ember.distributed as dist
from test_distributed import ok


# --------------------------------------------------------------- multi-rank scenarios
@pytest.mark.parametrize('ranks', [2, 3])     # world size 1: test_distributed.py
def test_all_to_all_coalesced_subgroups(ranks):
    out = ok('more_collectives.py', ranks)
    assert all(f'rank {r}/{ranks}: more collectives OK' in out for r in range(ranks)), out


@pytest.mark.parametrize('ranks', [2, 3])     # world size 1: test_distributed.py
def test_batch_p2p_and_object_lists(ranks):
    out = ok('more_p2p.py', ranks)
    assert all(f'rank {r}/{ranks}: more p2p OK' in out for r in range(ranks)), out


# --------------------------------------------------------------- in process (no MPI started)
def _err(fn):
    try:
        fn()
    except Exception as e:          # noqa: BLE001 - comparing torch and ember errors
        return type(e).__name__, str(e).split('\n')[0].replace('torch', 'ember')
    return None


def test_before_init():
    msg = '^Default process group has not been initialized'
    for fn in (lambda: dist.all_to_all([], []), dist.monitored_barrier,
               lambda: dist.new_subgroups(1), lambda: dist.P2POp(dist.isend, ember.ones(1), 0),
               lambda: dist.send_object_list([1], dst=1)):
        with pytest.raises(ValueError, match=msg):
            fn()
    assert dist.get_pg_count() == tdist.get_pg_count() == 0
    with pytest.raises(ValueError, match="The arg 'ranks_per_subgroup_list' cannot be empty"):
        dist.new_subgroups_by_enumeration([])
    assert _err(dist.new_subgroups) == _err(tdist.new_subgroups)      # no CUDA here


def test_availability_like_torch():
    assert dist.is_gloo_available() is False          # 'gloo' runs on MPI in ember
    for name in ('ucc', 'xccl'):
        assert getattr(dist, f'is_{name}_available')() is getattr(tdist, f'is_{name}_available')()
    for name in ('ucc', 'xccl', 'foo', 'UCC', 'cpu:ucc', 'cpu:'):
        assert dist.is_backend_available(name) == tdist.is_backend_available(name), name
    assert dist.is_backend_available('mpi') == dist.is_backend_available('MPI') == dist.is_mpi_available()
    assert dist.is_backend_available('nccl') == dist.is_nccl_available()
    assert dist.is_backend_available('cpu:mpi') == dist.is_mpi_available()
    assert _err(lambda: dist.is_backend_available(3)) == _err(lambda: tdist.is_backend_available(3))


def test_default_backend_for_device():
    assert dist.get_default_backend_for_device('cpu') == 'mpi'
    assert dist.get_default_backend_for_device(ember.device('cpu')) == 'mpi'
    assert dist.get_default_backend_for_device('cuda:1') == 'nccl'
    for dev in ('meta', 'foo'):
        assert _err(lambda: dist.get_default_backend_for_device(dev)) == \
            _err(lambda: tdist.get_default_backend_for_device(dev)), dev


def test_launch_environment(monkeypatch):
    for var in ('LOCAL_RANK', 'OMPI_COMM_WORLD_LOCAL_RANK', 'MPI_LOCALRANKID', 'TORCHELASTIC_RUN_ID'):
        monkeypatch.delenv(var, raising=False)
    assert dist.is_torchelastic_launched() is tdist.is_torchelastic_launched() is False
    assert _err(dist.get_node_local_rank) == _err(tdist.get_node_local_rank)
    assert dist.get_node_local_rank(fallback_rank=3) == 3
    monkeypatch.setenv('OMPI_COMM_WORLD_LOCAL_RANK', '2')     # what mpiexec sets
    assert dist.get_node_local_rank(fallback_rank=5) == 2
    monkeypatch.setenv('LOCAL_RANK', '1')
    monkeypatch.setenv('TORCHELASTIC_RUN_ID', 'x')
    assert dist.get_node_local_rank() == tdist.get_node_local_rank() == 1
    assert dist.is_torchelastic_launched() is tdist.is_torchelastic_launched() is True


def test_debug_level(monkeypatch):
    D, TD = dist.DebugLevel, tdist.DebugLevel
    for name in ('OFF', 'INFO', 'DETAIL'):
        assert repr(getattr(D, name)) == repr(getattr(TD, name))
        assert str(getattr(D, name)) == str(getattr(TD, name))
        assert int(getattr(D, name)) == int(getattr(TD, name))
    assert list(D.__members__) == list(TD.__members__)
    old = dist.get_debug_level()
    try:
        dist.set_debug_level(D.INFO)
        assert dist.get_debug_level() is D.INFO
        assert _err(lambda: dist.set_debug_level(2)) == _err(lambda: tdist.set_debug_level(2))
        assert dist.get_debug_level() is D.INFO
        monkeypatch.setenv('TORCH_DISTRIBUTED_DEBUG', 'detail')
        dist.set_debug_level_from_env()
        assert dist.get_debug_level() is D.DETAIL
        for bad in ('bogus', ''):
            monkeypatch.setenv('TORCH_DISTRIBUTED_DEBUG', bad)
            assert _err(dist.set_debug_level_from_env) == _err(tdist.set_debug_level_from_env)
            assert dist.get_debug_level() is D.DETAIL
        monkeypatch.delenv('TORCH_DISTRIBUTED_DEBUG')
        dist.set_debug_level_from_env()
        assert dist.get_debug_level() is D.OFF
    finally:
        dist.set_debug_level(old)
        tdist.set_debug_level(TD.OFF)


def test_reduce_op_deprecated_alias():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert dist.reduce_op.SUM is dist.ReduceOp.SUM and dist.reduce_op.MAX is dist.ReduceOp.MAX
        assert list(dist.reduce_op.__members__) == list(tdist.reduce_op.__members__)
    assert len(w) == 4 and all(x.category is FutureWarning for x in w)
    assert str(w[0].message) == ('`ember.distributed.reduce_op` is deprecated, please use '
                                 '`ember.distributed.ReduceOp` instead')


# --------------------------------------------------------------- stores
def _both(fn):
    """Run ``fn(store_module)`` on a fresh torch and ember HashStore; same results/errors."""
    t = fn(tdist.HashStore())
    e = fn(dist.HashStore())
    assert e == t, (e, t)
    return e


def _script(s):
    out = []
    s.set('a', 'x')
    s.set('b', b'\xff\x00')
    out += [s.get('a'), s.get('b'), s.num_keys()]
    out += [s.add('c', 3), s.add('c', -1), s.get('c'), s.add('d', True)]
    out.append(_err(lambda: s.add('a', 1)))
    out += [s.check(['a', 'c']), s.check(['a', 'zz']), s.check([])]
    out += [s.delete_key('a'), s.delete_key('a'), s.num_keys(), sorted(s.list_keys())]
    out += [s.compare_set('k', '', 'v'), s.compare_set('k', 'w', 'z'), s.compare_set('k', 'v', 'z'),
            s.get('k'), s.compare_set('k2', 'x', 'y'), s.check(['k2'])]
    s.append('ap', 'ab')
    s.append('ap', b'cd')
    s.multi_set(['m1', 'm2'], ['1', b'2'])
    out += [s.get('ap'), s.multi_get(['m1', 'm2']), s.has_extended_api()]
    s.set('e', '')
    out += [s.get('e'), s.check(['e'])]
    s.queue_push('q', 'x')
    s.queue_push('q', b'y')
    out += [s.queue_len('q'), s.queue_pop('q'), s.queue_pop('q', block=False), s.queue_len('none')]
    out.append(_err(lambda: s.queue_pop('q', block=False)))
    out += [str(s.timeout)]
    for bad in (lambda: s.set('x', 3), lambda: s.set(3, 'x'), lambda: s.get(5),
                lambda: s.add('n', 1.5), lambda: s.wait('z'), lambda: s.check('z'),
                lambda: s.set_timeout(5)):
        out.append(_err(bad))
    s.set_timeout(datetime.timedelta(milliseconds=50))
    out += [str(s.timeout), _err(lambda: s.get('nope')), _err(lambda: s.wait(['nope'])),
            _err(lambda: s.wait(['nope'], datetime.timedelta(milliseconds=20))),
            _err(lambda: s.multi_get(['m1', 'nope'])), _err(lambda: s.queue_pop('q'))]
    s.wait(['c'])
    s.barrier('bar', 1)
    out += [sorted(s.list_keys()), _err(lambda: s.barrier('b2', 2))]
    c = s.clone()
    c.set('z', '1')
    out += [s.get('z'), str(c.timeout)]
    return out


def test_hash_store_like_torch():
    _both(_script)


def test_prefix_store_like_torch():
    def fn(s):
        Prefix = tdist.PrefixStore if isinstance(s, tdist.Store) else dist.PrefixStore
        p = Prefix('a', Prefix('b', s))
        s.set('plain', '1')
        p.set('k', 'v')
        out = [sorted(s.list_keys()), p.get('k'), p.num_keys(), p.check(['k']), p.check(['plain'])]
        out += [p.add('n', 5), s.get('b/a/n'), sorted(p.list_keys()), p.compare_set('k', 'v', 'w')]
        p.queue_push('qq', '1')
        out += [s.queue_len('b/a/qq'), p.queue_pop('qq'), p.delete_key('k'), sorted(s.list_keys())]
        p.set_timeout(datetime.timedelta(milliseconds=30))
        out += [str(s.timeout), str(p.timeout), _err(lambda: p.get('zz'))]
        out += [p.underlying_store.get('a/n'), isinstance(p.underlying_store, Prefix)]
        out.append(_err(lambda: Prefix('x', None)))
        return out
    _both(fn)


def test_hash_store_wakes_waiters_across_threads():
    s = dist.HashStore()
    got = []
    th = threading.Thread(target=lambda: got.append(s.get('late')))
    th.start()
    time.sleep(0.05)
    s.set('late', 'v')
    th.join(5)
    assert got == [b'v']
    s.set_timeout(datetime.timedelta(seconds=5))
    ths = [threading.Thread(target=s.barrier, args=('bar', 3)) for _ in range(3)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(5)
    assert not any(t.is_alive() for t in ths) and s.get('bar/num_members') == b'3'
    assert issubclass(dist.QueueEmptyError, dist.DistStoreError)
    assert isinstance(dist.PrefixStore('p', s), dist.Store) and isinstance(s, dist.Store)


def test_api_names_present():
    wanted = ['all_to_all', 'P2POp', 'batch_isend_irecv', 'send_object_list', 'recv_object_list',
              'monitored_barrier', 'is_gloo_available', 'is_ucc_available', 'is_xccl_available',
              'is_backend_available', 'is_torchelastic_launched', 'get_node_local_rank',
              'get_pg_count', 'get_default_backend_for_device', 'all_gather_coalesced',
              'all_reduce_coalesced', 'new_subgroups', 'new_subgroups_by_enumeration',
              'reduce_op', 'DebugLevel', 'get_debug_level', 'set_debug_level',
              'set_debug_level_from_env', 'HashStore', 'PrefixStore', 'Store', 'QueueEmptyError']
    assert all(hasattr(tdist, n) for n in wanted)
    assert [n for n in wanted if not hasattr(dist, n) or n not in dist.__all__] == []
