"""ember.utils.benchmark against torch.utils.benchmark: Measurements and Compare tables built
from the SAME raw times must print the same (modulo the object address and torch -> ember);
unit / significant-figure helpers agree value by value; Timer's measurements follow torch's
structure rules (block sizes, counts), never its speed."""
import dataclasses
import pickle
import random
import re
import textwrap

import pytest
import torch
import torch.utils.benchmark as TB

import ember
import ember.utils.benchmark as EB


def _text(obj):
    return re.sub(r' at 0x[0-9a-fA-F]+>', ' at 0xADDR>', str(obj)).replace('torch.', 'ember.')


def _spec(B, **kw):
    kw.setdefault('stmt', 'x + y')
    kw.setdefault('setup', 'pass')
    return B.TaskSpec(**kw)


def _meas(B, raw, number=10, **kw):
    return B.Measurement(number, list(raw), _spec(B, **kw))


def _rand(n, center, spread, seed):
    rng = random.Random(seed)
    return [center * (1 + spread * rng.random()) for _ in range(n)]


TIMES = {
    'one': [3.46e-6],
    'two': [2e-3, 2.2e-3],
    'three': [1.5, 1.7, 1.6],
    'four': [1e-8, 1.2e-8, 1.1e-8, 1.3e-8],
    'warn_small': [1e-5, 1.1e-5, 1.2e-5, 3e-5, 1.05e-5],
    'warn_gross': [1e-4, 3e-4, 1e-4, 5e-4, 2e-4, 4e-4],
    'tight': _rand(50, 4.2e-5, 0.01, 0),
    'many_ns': _rand(200, 7.5e-7, 0.05, 1),
    'ms': _rand(12, 0.0123, 0.3, 2),
    'seconds': _rand(7, 12.5, 0.02, 3),
    'unit_edge': [1e-6, 1e-6, 1e-6, 1e-6],
}
SPECS = {
    'plain': {},
    'label': {'label': 'Broadcasting add', 'sub_label': 'float', 'description': '4x8'},
    'label_nosub': {'label': 'mm'},
    'sub_only': {'sub_label': 'int'},
    'multiline_stmt': {'stmt': 'a = x + y\nb = a * 2', 'sub_label': 's'},
    'setup_line': {'setup': 'x = torch.ones(3)', 'description': 'desc'},
    'setup_block': {'setup': 'x = 1\ny = 2'},
    'threads': {'num_threads': 4, 'env': 'A'},
}


@pytest.mark.parametrize('times', list(TIMES.values()), ids=list(TIMES))
@pytest.mark.parametrize('spec', list(SPECS.values()), ids=list(SPECS))
def test_measurement_repr(times, spec):
    want = _text(repr(_meas(TB, times, **spec)))
    got = _text(repr(_meas(EB, times, **spec)))
    assert got == want
    assert repr(_meas(EB, times, **spec)).startswith('<ember.utils.benchmark.utils.common.Measurement object at 0x')


@pytest.mark.parametrize('times', list(TIMES.values()), ids=list(TIMES))
def test_measurement_stats(times):
    t, e = _meas(TB, times, number=7), _meas(EB, times, number=7)
    assert e.times == t.times and e.raw_times == t.raw_times and e.number_per_run == 7
    assert e.median == pytest.approx(t.median, rel=1e-12) and e.mean == pytest.approx(t.mean, rel=1e-12)
    assert e.iqr == pytest.approx(t.iqr, rel=1e-9, abs=1e-18)
    assert e.significant_figures == t.significant_figures
    assert e.has_warnings == t.has_warnings
    assert e.meets_confidence() == t.meets_confidence() and e.meets_confidence(0.5) == t.meets_confidence(0.5)
    for name in ('title', 'env', 'as_row_name', 'stmt', 'setup', 'label', 'num_threads', 'description'):
        assert getattr(e, name) == getattr(t, name), name


def test_measurement_fields_and_merge():
    for spec in SPECS.values():
        t, e = _meas(TB, [1.0], **spec), _meas(EB, [1.0], **spec)
        assert (e.title, e.env, e.as_row_name) == (t.title, t.env, t.as_row_name)
        assert e.task_spec.summarize() == t.task_spec.summarize()
        assert e.task_spec.setup_str() == t.task_spec.setup_str()
    a = [_meas(B, [2e-6, 3e-6], number=4, description='d') for B in (TB, EB)]
    b = [_meas(B, [5e-6], number=2, description='d') for B in (TB, EB)]
    c = [_meas(B, [1e-6], number=1, description='other') for B in (TB, EB)]
    tm, em = TB.Measurement.merge([a[0], c[0], b[0]]), EB.Measurement.merge([a[1], c[1], b[1]])
    assert [(m.number_per_run, m.raw_times, m.metadata) for m in em] == \
           [(m.number_per_run, m.raw_times, m.metadata) for m in tm]
    assert _meas(EB, [1.0]) == _meas(EB, [1.0]) and _meas(EB, [1.0]) != _meas(EB, [2.0])
    assert hash(_spec(EB)) == hash(_spec(EB))
    m = _meas(EB, [1e-6, 2e-6, 1.5e-6, 1.2e-6], description='d')
    assert pickle.loads(pickle.dumps(m)) == m and pickle.loads(pickle.dumps(m)).median == m.median


def test_empty_measurement():
    t, e = _meas(TB, []), _meas(EB, [])
    assert (e.median, e.mean, e.iqr) == (t.median, t.mean, t.iqr)
    with pytest.raises(ValueError, match='cannot convert float NaN to integer'):
        repr(t)
    with pytest.raises(ValueError, match='cannot convert float NaN to integer'):
        repr(e)


VALUES = ([10.0 ** k for k in range(-12, 4)] + [2.5 * 10.0 ** k for k in range(-11, 3)]
          + [999.9e-9, 1000.1e-9, 0.99999e-3, 1.00001e-3, 0.5, 3.14159, 123456.0, 1e-9, 7e-10]
          + [random.Random(5).uniform(1e-10, 1e3) for _ in range(20)]
          + [10 ** random.Random(k).uniform(-10, 3) for k in range(60)])


def test_select_unit_and_unit_names():
    for v in VALUES:
        assert EB.select_unit(v) == TB.select_unit(v), v
    for u in ('ns', 'us', 'ms', 's'):
        assert EB.unit_to_english(u) == TB.unit_to_english(u)


def test_trim_sigfig():
    for v in VALUES + [-3.14159, -0.00123]:
        for n in (1, 2, 3, 4):
            assert EB.trim_sigfig(v, n) == TB.trim_sigfig(v, n), (v, n)
    assert EB.trim_sigfig(3.14159, 2.0) == TB.trim_sigfig(3.14159, 2.0)
    with pytest.raises(AssertionError, match='Number of significant figures must be an integer'):
        EB.trim_sigfig(3.0, 1.5)
    assert EB.ordered_unique([3, 1, 3, 2, 1]) == TB.ordered_unique([3, 1, 3, 2, 1])


def _grid(B, seed=0, labels=('Add',), threads=(1, 4), envs=(None,), skip=()):
    out = []
    for k, label in enumerate(labels):
        for nt in threads:
            for env in envs:
                for r, sub in enumerate(('float', 'int', 'a much longer row name')):
                    for c, desc in enumerate(('n=1', 'n=64', 'n=4096')):
                        if (r, c) in skip:
                            continue
                        base = 10.0 ** (-7 + c) * (1 + r) / nt * (1 + k)
                        raw = _rand(9, base * 10, 0.02 + 0.2 * (r == 2), seed + 100 * k + 10 * r + c + nt)
                        out.append(_meas(B, raw, number=10, label=label, sub_label=sub, description=desc,
                                         num_threads=nt, env=env))
    return out


def _compare(B, results, *setters):
    c = B.Compare(results)
    for s in setters:
        if isinstance(s, tuple):
            getattr(c, s[0])(**s[1])
        else:
            getattr(c, s)()
    return str(c)


COMPARES = {
    'basic': (dict(), ()),
    'trim': (dict(), ('trim_significant_figures',)),
    'colorize_cols': (dict(), ('colorize',)),
    'colorize_rows': (dict(), (('colorize', {'rowwise': True}),)),
    'highlight': (dict(), ('highlight_warnings',)),
    'all_options': (dict(), ('trim_significant_figures', 'colorize', 'highlight_warnings')),
    'two_labels': (dict(labels=('Add', 'Mul')), ('trim_significant_figures',)),
    'no_label': (dict(labels=(None,), threads=(1,)), ()),
    'envs': (dict(envs=('baseline', 'new kernel')), ('trim_significant_figures',)),
    'missing_cells': (dict(skip=((0, 1), (2, 0), (1, 2))), ('trim_significant_figures', 'highlight_warnings')),
    'missing_colorize': (dict(skip=((0, 1), (2, 0))), ('colorize',)),
}


@pytest.mark.parametrize('kw,setters', list(COMPARES.values()), ids=list(COMPARES))
def test_compare_table(kw, setters):
    want = _compare(TB, _grid(TB, **kw), *setters)
    got = _compare(EB, _grid(EB, **kw), *setters)
    assert got.splitlines() == want.splitlines()


def test_compare_replicates_extend_and_print(capsys):
    reps = {B: [_meas(B, [1e-5 * (1 + 0.01 * i), 1.1e-5], number=3, label='L', description='d', sub_label=s)
                for i in range(3) for s in ('p', 'q')] for B in (TB, EB)}
    tc, ec = TB.Compare(reps[TB][:2]), EB.Compare(reps[EB][:2])
    tc.extend_results(reps[TB][2:])
    ec.extend_results(reps[EB][2:])
    assert _text(ec) == _text(tc)
    ec.print()
    assert capsys.readouterr().out == str(ec) + '\n'


@pytest.mark.parametrize('make', [
    lambda B: B.Compare([1]),
    lambda B: B.Compare([_meas(B, [1.0], description='d'), 'x']),
    lambda B: str(B.Compare([_meas(B, [1.0])])),                               # no description column
    lambda B: str(B.Compare([_meas(B, [1.0], description='d'), _meas(B, [1.0], description='d', env='A')])),
], ids=['not_measurement', 'mixed', 'no_description', 'none_and_str_env'])
def test_compare_errors(make):
    outcomes = []
    for B in (TB, EB):
        with pytest.raises(Exception) as info:
            make(B)
        outcomes.append((type(info.value), _text(info.value)))
    assert outcomes[0] == outcomes[1]


def test_compare_failed_extend_changes_nothing():
    c = EB.Compare([_meas(EB, [1.0], description='d')])
    before = str(c)
    with pytest.raises(ValueError):
        c.extend_results([_meas(EB, [2.0], description='e'), 3])
    assert str(c) == before and len(c._results) == 1


# ---------------------------------------------------------------- Timer

def _task(m):
    return dataclasses.astuple(m.task_spec)


@pytest.mark.parametrize('kw', [
    dict(stmt='x + 1', setup='x = 1'),
    dict(stmt='\n    a = 1\n    b = a + 2\n    ', setup='\n  y = 3  \n'),
    dict(stmt='pass', label='L', sub_label='s', description='d', env='e', num_threads=2),
], ids=['simple', 'dedent', 'metadata'])
def test_timer_task_spec_and_timeit(kw):
    tm, em = TB.Timer(**kw).timeit(20), EB.Timer(**kw).timeit(20)
    assert _task(em) == _task(tm)
    assert em.number_per_run == 20 and len(em.times) == len(em.raw_times) == 1
    assert em.raw_times[0] > 0
    first = lambda s: s.splitlines()[1:3]      # noqa: E731 - summary lines, before the timing
    assert first(_text(em)) == first(_text(tm))


def test_timer_globals_and_setup():
    x = ember.ones(3)
    seen = []
    g = {'x': x, 'seen': seen}
    m = EB.Timer('seen.append(torch.add(x, k).sum().item() + ember.numel(x))', setup='k = 2', globals=g).timeit(3)
    assert seen and set(seen) == {12.0} and len(seen) == 3 + 2    # 2 warm-up runs, then 3 timed
    assert set(g) == {'x', 'seen'}                                 # the caller's dict is copied
    assert m.number_per_run == 3
    t = EB.Timer('torch.mm(a, b)', globals={'a': ember.eye(2), 'b': ember.eye(2), 'torch': torch})
    assert t._globals['torch'] is torch                            # a given 'torch' wins


def test_timer_num_threads_restored():
    prior = ember.get_num_threads()
    seen = []
    EB.Timer('seen.append(ember.get_num_threads())', globals={'seen': seen}, num_threads=1).timeit(2)
    assert ember.get_num_threads() == prior
    assert set(seen) == {1}
    with EB.set_torch_threads(1):
        assert ember.get_num_threads() == 1
    assert ember.get_num_threads() == prior


def _is_power_of_ten(n):
    return n >= 1 and 10 ** (len(str(n)) - 1) == n


def test_blocked_autorange_structure():
    calls = []
    m = EB.Timer('x * 2', setup='x = torch.ones(4)').blocked_autorange(
        callback=lambda number, t: calls.append((number, t)), min_run_time=0.02)
    assert _is_power_of_ten(m.number_per_run)
    assert len(m.raw_times) >= 1 and sum(m.raw_times) >= 0.02
    assert calls == [(m.number_per_run, t) for t in m.raw_times]
    assert m.times == [t / m.number_per_run for t in m.raw_times]
    slow = EB.Timer('time.sleep(0.012)', setup='import time').blocked_autorange(min_run_time=0.01)
    assert slow.number_per_run == 1 and len(slow.raw_times) == 1   # one block already exceeds the minimum


def test_adaptive_autorange_structure():
    m = EB.Timer('x + 1', setup='x = 1').adaptive_autorange(threshold=0.5, min_run_time=0.005)
    assert _is_power_of_ten(m.number_per_run)
    assert len(m.raw_times) > 3
    capped = EB.Timer('time.sleep(0.004)', setup='import time').adaptive_autorange(
        threshold=1e-12, min_run_time=0.001, max_run_time=0.02)
    assert 1 <= len(capped.raw_times) and sum(capped.raw_times[:-1]) <= 0.02


@pytest.mark.parametrize('make', [
    lambda B: B.Timer(stmt=lambda: 1),
    lambda B: B.Timer('x', global_setup='#include <x>'),
    lambda B: B.Timer('x', language='rust'),
    lambda B: B.Timer('x +'),
    lambda B: B.Timer('zz + 1').timeit(3),
    lambda B: B.Timer('x', setup='raise KeyError("k")').timeit(3),
    lambda B: B.Timer('x').repeat(),
    lambda B: B.Timer('x').autorange(),
], ids=['callable_stmt', 'global_setup', 'language', 'syntax', 'name', 'setup_raises', 'repeat', 'autorange'])
def test_timer_errors(make):
    outcomes = []
    for B in (TB, EB):
        with pytest.raises(Exception) as info:
            make(B)
        outcomes.append((type(info.value), str(info.value).splitlines()[0]))
    assert outcomes[0] == outcomes[1]


def test_out_of_scope_parts_raise():
    with pytest.raises(NotImplementedError, match='C\\+\\+'):
        EB.Timer('x', language='cpp')
    with pytest.raises(NotImplementedError, match='collect_callgrind'):
        EB.Timer('pass').collect_callgrind()
    assert EB.Language.PYTHON.value == TB.Language.PYTHON.value and EB.Language.CPP.value == TB.Language.CPP.value
    assert [c.value for c in EB.Colorize] == [c.value for c in TB.Colorize]
    assert callable(EB.timer) and EB.timer() > 0


def test_docs_example_runs():
    """The tutorial pattern: several Timers, one Compare, printed."""
    results = []
    for n in (2, 8):
        x = ember.ones(n, n)
        for sub, stmt in (('mm', 'x @ x'), ('add', 'x + x')):
            results.append(EB.Timer(stmt, globals={'x': x}, label='ops', sub_label=sub,
                                    description=f'n={n}').blocked_autorange(min_run_time=0.005))
    text = str(EB.Compare(results))
    lines = text.splitlines()
    assert lines[0].startswith('[') and ' ops ' in lines[0]
    assert 'n=2' in lines[1] and 'n=8' in lines[1] and lines[2].startswith('1 threads: ')
    assert textwrap.dedent(lines[-1]).startswith('Times are in ')


def test_random_sweep_sigfigs_and_reprs():
    """Many random timing sets: significant figures, warnings and reprs agree with torch."""
    rng = random.Random(11)
    for i in range(300):
        n = rng.choice([1, 2, 3, 4, 5, 8, 17, 40, 101])
        center = 10 ** rng.uniform(-9.5, 1.5)
        spread = rng.choice([0.0, 1e-6, 1e-4, 0.01, 0.05, 0.2, 1.0])
        raw = [center * (1 + spread * rng.random()) for _ in range(n)]
        number = rng.choice([1, 10, 1000])
        t, e = _meas(TB, raw, number=number), _meas(EB, raw, number=number)
        assert e.significant_figures == t.significant_figures, raw
        assert _text(repr(e)) == _text(repr(t)), raw


def test_trim_sigfig_zero_and_underflow():
    for v in (0.0, 1e-50):
        outcomes = []
        for B in (TB, EB):
            with pytest.raises(Exception) as info:
                B.trim_sigfig(v, 2)
            outcomes.append((type(info.value), str(info.value)))
        assert outcomes[0] == outcomes[1]


def test_compare_seed_sweep():
    for seed in range(6):
        kw = dict(seed=seed * 1000, threads=(1, 2), skip=((seed % 3, (seed + 1) % 3),))
        for setters in (('trim_significant_figures',), ('trim_significant_figures', 'highlight_warnings', 'colorize')):
            assert _compare(EB, _grid(EB, **kw), *setters) == _compare(TB, _grid(TB, **kw), *setters)
