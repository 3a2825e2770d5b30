"""``Timer``: timeit.Timer made aware of ember. It warms up, pins the thread count for the
measurement (``num_threads``, default 1), synchronizes the accelerator before reading the clock,
chooses block sizes so timer overhead stays negligible, and returns ``Measurement`` objects."""
import enum
import textwrap
import timeit as _timeit

from . import common

__all__ = ['Timer', 'timer', 'Language']

_MAX_BLOCK = 2147483647


def timer():
    """The default clock: ``timeit.default_timer`` read after the accelerator has finished."""
    import ember
    if ember.accelerator.is_available():
        ember.accelerator.synchronize()
    return _timeit.default_timer()


class Language(enum.Enum):
    PYTHON = 0
    CPP = 1


_PY_NAMES = (Language.PYTHON, 'py', 'python')
_CPP_NAMES = (Language.CPP, 'cpp', 'c++')


def _clean(code):
    """Dedent a code snippet, drop one leading newline and trailing whitespace."""
    code = textwrap.dedent(code)
    if code.startswith('\n'):
        code = code[1:]
    return code.rstrip()


class Timer:
    """Time a Python statement (``stmt``) after ``setup``, with variables from ``globals``
    (``torch`` and ``ember`` name the ember module unless given). ``label``, ``sub_label``,
    ``description`` and ``env`` name the result for printing and for ``Compare``, which uses
    ``description`` for columns. ``num_threads`` is ember's thread count while timing.
    Only Python statements can be timed: C++ snippets (``language='cpp'``) and Callgrind
    instruction counts need a compiled backend ember does not have."""

    _timer_cls = _timeit.Timer

    def __init__(self, stmt='pass', setup='pass', global_setup='', timer=timer, globals=None,
                 label=None, sub_label=None, description=None, env=None, num_threads=1,
                 language=Language.PYTHON):
        if not isinstance(stmt, str):
            raise ValueError('Currently only a `str` stmt is supported.')
        if language in _CPP_NAMES:
            raise NotImplementedError('ember.utils.benchmark.Timer cannot time C++ snippets '
                                      '(language="cpp"): ember has no C++ backend. Time the Python statement instead.')
        if language not in _PY_NAMES:
            raise ValueError(f'Invalid language `{language}`.')
        if global_setup:
            raise ValueError(f'global_setup is C++ only, got `{global_setup}`. Most likely this '
                             'code can simply be moved to `setup`.')
        import ember
        self._globals = dict(globals or {})
        self._globals.setdefault('torch', ember)
        self._globals.setdefault('ember', ember)
        self._language = Language.PYTHON
        stmt, setup = _clean(stmt), _clean(setup)
        self._timer = self._timer_cls(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._task_spec = common.TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup, label=label,
                                          sub_label=sub_label, description=description, env=env,
                                          num_threads=num_threads)

    def _timeit(self, number):
        # a zero duration would break the ratios below; clamp to 1 ns
        return max(self._timer.timeit(number), 1e-9)

    def _measurement(self, number, times):
        return common.Measurement(number_per_run=number, raw_times=times, task_spec=self._task_spec)

    def timeit(self, number=1000000):
        """Run ``stmt`` ``number`` times after a warm-up of ``max(number // 100, 2)`` runs:
        one measurement of ``number`` runs (as timeit.Timer.timeit)."""
        with common.set_torch_threads(self._task_spec.num_threads):
            self._timeit(max(int(number // 100), 2))
            return self._measurement(number, [self._timeit(number)])

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError('See `Timer.blocked_autorange.`')

    def autorange(self, callback=None):
        raise NotImplementedError('See `Timer.blocked_autorange.`')

    def _block_size(self, min_run_time):
        """Grow the block by 10x until timer overhead is <= 0.01% of a block lasting at least
        min_run_time / 1000, or one block alone exceeds min_run_time."""
        with common.set_torch_threads(self._task_spec.num_threads):
            overhead = sorted(self._timeit(0) for _ in range(5))[2]
            number = 1
            while True:
                took = self._timeit(number)
                if overhead / took <= 1e-4 and took >= min_run_time / 1000:
                    break
                if took > min_run_time or number * 10 > _MAX_BLOCK:
                    break
                number *= 10
        return number

    def _run_blocks(self, number, enough, min_run_time, max_run_time=None, callback=None):
        """Time blocks of ``number`` runs until min_run_time has passed and ``enough(times)``
        holds, or max_run_time is exceeded."""
        times, total, done = [], 0.0, False
        with common.set_torch_threads(self._task_spec.num_threads):
            while total < min_run_time or not done:
                took = self._timeit(number)
                times.append(took)
                total += took
                if callback:
                    callback(number, took)
                done = enough(times)
                if max_run_time and total > max_run_time:
                    break
        return times

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Pick a block size (see ``_block_size``), then time blocks until ``min_run_time``
        seconds have been spent. ``callback(number, seconds)`` sees every block."""
        number = self._block_size(min_run_time)
        times = self._run_blocks(number, lambda times: True, min_run_time, callback=callback)
        return self._measurement(number, times)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0, callback=None):
        """Like ``blocked_autorange``, but keep timing blocks until there are more than three
        and iqr / median < ``threshold`` (after ``min_run_time``), or ``max_run_time`` is spent."""
        number = self._block_size(0.05)

        def enough(times):
            return len(times) > 3 and self._measurement(number, times).meets_confidence(threshold=threshold)

        times = self._run_blocks(number, enough, min_run_time, max_run_time, callback=callback)
        return self._measurement(number, times)

    def collect_callgrind(self, number=100, *, repeats=None, collect_baseline=True, retain_out_file=False):
        raise NotImplementedError('Timer.collect_callgrind is not supported by ember: Callgrind instruction '
                                  'counts need valgrind and a compiled C++ backend. Use blocked_autorange() '
                                  'or adaptive_autorange() for wall times.')
