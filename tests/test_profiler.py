"""ember.profiler against torch.profiler: the summary table's layout (ember's table builder run on
torch's own events must print torch's table), schedules, op names, nesting, traces."""
import json

import pytest
import torch
import torch.profiler as tprof

import ember
import ember.profiler as eprof
from ember.profiler._events import build_table


def _profile(T, P, record_shapes=True):
    """A small forward+backward under ``record_function``, profiled by library T's profiler P."""
    T.manual_seed(0)
    m = T.nn.Sequential(T.nn.Linear(8, 16), T.nn.ReLU(), T.nn.Linear(16, 2))
    x = T.randn(4, 8)
    with P.profile(activities=[P.ProfilerActivity.CPU], record_shapes=record_shapes) as prof:
        with P.record_function('model_inference'):
            m(x).sum().backward()
    return prof


def _torch_events():
    return _profile(torch, tprof)


TABLE_ARGS = [dict(), dict(sort_by='cpu_time_total', row_limit=5), dict(sort_by='self_cpu_time_total'),
              dict(row_limit=3, time_unit='ms'), dict(time_unit='us', max_name_column_width=20),
              dict(top_level_events_only=True), dict(header='my header', row_limit=2)]


@pytest.mark.parametrize('kw', TABLE_ARGS, ids=[str(k) for k in TABLE_ARGS])
@pytest.mark.parametrize('by_shape', [False, True])
def test_table_layout_matches_torch_on_torch_events(kw, by_shape):
    events = _torch_events().key_averages(group_by_input_shape=by_shape)
    want = events.table(**kw)
    got = build_table(events, kw.get('sort_by'), kw.get('header'), kw.get('row_limit', 100),
                      kw.get('max_name_column_width', 55), 80, kw.get('top_level_events_only', False),
                      kw.get('time_unit'))
    assert got == want


@pytest.mark.parametrize('args', [dict(wait=1, warmup=1, active=2), dict(wait=1, warmup=1, active=2, repeat=1),
                                  dict(wait=0, warmup=2, active=1, repeat=2, skip_first=3),
                                  dict(wait=2, warmup=1, active=3, skip_first=1, skip_first_wait=1),
                                  dict(wait=2, warmup=1, active=3, skip_first=1, skip_first_wait=1, repeat=2)])
def test_schedule_actions_match_torch(args):
    want = [a.name for a in map(tprof.schedule(**args), range(20))]
    got = [a.name for a in map(eprof.schedule(**args), range(20))]
    assert got == want


def _ember_profile(record_shapes=False):
    return _profile(ember, eprof, record_shapes)


def test_op_names_are_torch_names():
    """Every op ember reports for a small forward+backward is one torch reports for the same program."""
    want = {e.key for e in _torch_events().key_averages()}
    got = {e.key for e in _ember_profile().key_averages()}
    assert {'model_inference', 'aten::addmm', 'aten::relu', 'aten::sum',
            'autograd::engine::evaluate_function: AddmmBackward0'} <= got
    assert got <= want, got - want


def test_nesting_counts_and_shares():
    prof = _ember_profile(record_shapes=True)
    avg = {e.key: e for e in prof.key_averages()}
    assert avg['model_inference'].count == 1 and avg['aten::addmm'].count == 2
    top = [e for e in prof.events() if e.cpu_parent is None]
    assert [e.name for e in top] == ['model_inference']
    total = sum(e.self_cpu_time_total for e in prof.events())
    assert top[0].cpu_time_total == pytest.approx(total)
    addmm = [e for e in prof.events() if e.name == 'aten::addmm']
    assert addmm[0].input_shapes == [[16], [4, 8], [8, 16]]          # torch's first three, too
    table = prof.key_averages().table(sort_by='cpu_time_total', row_limit=4)
    lines = table.splitlines()
    assert lines[1].split() == ['Name', 'Self', 'CPU', '%', 'Self', 'CPU', 'CPU', 'total', '%', 'CPU', 'total',
                                'CPU', 'time', 'avg', '#', 'of', 'Calls']
    assert lines[3].split()[0] == 'model_inference' and lines[3].split()[3] == '100.00%'
    assert len(lines) == 9 and lines[-1].startswith('Self CPU time total: ')


def test_ops_unpatched_after_profiling():
    from ember.ops.unary import Unary
    before = Unary.__dict__['forward']
    _ember_profile()
    assert Unary.__dict__['forward'] is before
    assert eprof.Recorder.active is None


def test_schedule_records_only_active_steps(tmp_path):
    m = ember.nn.Linear(3, 3)
    x = ember.randn(2, 3)
    saved = []
    with eprof.profile(schedule=eprof.schedule(wait=1, warmup=1, active=2, repeat=1),
                       on_trace_ready=lambda p: saved.append(sorted({e.key for e in p.events()}))) as p:
        for _ in range(6):
            m(x)
            p.step()
    assert saved == [['ProfilerStep*', 'aten::addmm', 'aten::t']]     # PyTorch gathers the steps as one key
    assert sorted(e.trace_name for e in p.events() if e.key == 'ProfilerStep*') == ['ProfilerStep#2', 'ProfilerStep#3']
    handler = eprof.tensorboard_trace_handler(str(tmp_path), worker_name='w0')
    handler(p)
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.startswith('w0.') and files[0].name.endswith('.pt.trace.json')
    trace = json.loads(files[0].read_text())
    assert {e['name'] for e in trace['traceEvents']} >= {'aten::addmm', 'ProfilerStep#2'}
    assert all(e['ph'] == 'X' and e['dur'] >= 0 for e in trace['traceEvents'])


def test_legacy_autograd_profiler_and_disabled():
    x = ember.randn(3)
    with ember.autograd.profiler.profile() as prof:
        ember.relu(x)
    assert [e.key for e in prof.key_averages()] == ['aten::relu']
    assert 'aten::relu' in prof.table()
    with ember.autograd.profiler.profile(enabled=False) as off:
        ember.relu(x)
    assert len(off.function_events) == 0
    with ember.autograd.profiler.record_function('outside'):   # no profiler running: nothing happens
        ember.relu(x)


def test_one_profiler_at_a_time():
    with eprof.profile():
        with pytest.raises(RuntimeError, match='another profiler'):
            eprof.profile().start()
