"""What a benchmark run produces: ``TaskSpec`` (what was timed), ``Measurement`` (the raw times
and the statistics printed from them) and the small number-formatting helpers shared with
``Compare``. The statistics follow torch.utils.benchmark exactly, including its float32
arithmetic for unit choice and significant figures, so printed results read the same."""
import collections
import contextlib
import dataclasses
import math
import textwrap

import numpy as np

__all__ = ['TaskSpec', 'Measurement', 'select_unit', 'unit_to_english', 'trim_sigfig', 'ordered_unique',
           'set_torch_threads']

_MAX_SIGFIGS = 4
_MIN_CI = 25e-9             # the smallest confidence interval believed: 25 ns
_IQR_WARN = 0.1             # iqr / median above this: "system fluctuation"
_IQR_GROSS_WARN = 0.25      # above this: "significant environmental influence"
_UNITS = {-3: 'ns', -2: 'us', -1: 'ms'}
_SCALES = {'ns': 1e-9, 'us': 1e-6, 'ms': 1e-3, 's': 1}
_ENGLISH = {'ns': 'nanosecond', 'us': 'microsecond', 'ms': 'millisecond', 's': 'second'}


def _f32(fn, x):
    """``fn`` of a Python number as torch computes it on a float32 tensor: on the float32 value,
    worked in double and rounded back to float32 (correctly rounded, unlike NumPy's float32 log10)."""
    with np.errstate(all='ignore'):
        return float(np.float32(fn(np.float64(np.float32(x)))))


@dataclasses.dataclass(init=True, repr=False, eq=True, frozen=True)
class TaskSpec:
    """Everything that defines a timed task except its globals."""
    stmt: str
    setup: str
    global_setup: str = ''
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self):
        """A best-effort name: the label (or a one-line stmt), with the sub_label appended."""
        extra = f': {self.sub_label}' if self.sub_label else ''
        if self.label is not None:
            return self.label + extra
        if '\n' not in self.stmt:
            return self.stmt + extra
        sub = f' ({self.sub_label})' if self.sub_label else ''
        return f'stmt:{sub}\n' + textwrap.indent(self.stmt, '  ')

    def setup_str(self):
        if not self.setup or self.setup == 'pass':
            return ''
        if '\n' in self.setup:
            return 'setup:\n' + textwrap.indent(self.setup, '  ')
        return f'setup: {self.setup}'

    def summarize(self):
        """The lines a Measurement's repr shows for this task (multi-line parts get a blank after)."""
        parts = [p for p in (self.title, self.description or '', self.setup_str()) if p]
        return '\n'.join(p + '\n' if '\n' in p else p for p in parts)


_TASKSPEC_FIELDS = tuple(f.name for f in dataclasses.fields(TaskSpec))


def _quantile(ordered, q):
    """Linear-interpolated quantile of a sorted list, computed as torch.quantile does."""
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    w = pos - lo
    a, b = ordered[lo], ordered[hi]
    return a + w * (b - a) if w < 0.5 else b - (b - a) * (1 - w)


@dataclasses.dataclass(init=True, repr=False)
class Measurement:
    """The times of one timed task: ``raw_times`` holds one entry per block of
    ``number_per_run`` runs; statistics are per run. ``metadata`` is free for the user."""
    number_per_run: int
    raw_times: list
    task_spec: TaskSpec
    metadata: dict | None = None

    def __post_init__(self):
        self._sorted_times = ()
        self._warnings = ()
        self._median = self._mean = self._p25 = self._p75 = -1.0

    def __getattr__(self, name):
        # the TaskSpec fields (stmt, label, num_threads, ...) read through the Measurement
        if name in _TASKSPEC_FIELDS:
            return getattr(self.task_spec, name)
        return super().__getattribute__(name)

    @property
    def times(self):
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self):
        self._lazy_init()
        return self._median

    @property
    def mean(self):
        self._lazy_init()
        return self._mean

    @property
    def iqr(self):
        self._lazy_init()
        return self._p75 - self._p25

    @property
    def significant_figures(self):
        """A rough count of trustworthy digits (1..4), from the spread of the middle half of the
        times; ``Compare.trim_significant_figures`` uses it."""
        self._lazy_init()
        n = len(self._sorted_times)
        middle = self._sorted_times[n // 4:int(math.ceil(np.float32(3 * n / 4)))]
        vals = np.asarray(middle, dtype=np.float32).astype(np.float64)
        with np.errstate(all='ignore'):      # torch: float32 data, double accumulation, float32 result
            std = float(np.float32(vals.std())) if len(vals) else float('nan')
        sqrt_n = _f32(np.sqrt, len(middle))
        ci = max(1.645 * std / sqrt_n, _MIN_CI)
        digits = int(math.floor(_f32(np.log10, self._median / ci)))
        return min(max(digits, 1), _MAX_SIGFIGS)

    @property
    def has_warnings(self):
        self._lazy_init()
        return bool(self._warnings)

    def _lazy_init(self):
        if not self.raw_times or self._sorted_times:
            return
        ordered = tuple(sorted(self.times))
        self._sorted_times = ordered
        self._median = _quantile(ordered, 0.5)
        self._mean = math.fsum(ordered) / len(ordered)
        self._p25 = _quantile(ordered, 0.25)
        self._p75 = _quantile(ordered, 0.75)
        if not self.meets_confidence(_IQR_GROSS_WARN):
            self._warn('This suggests significant environmental influence.')
        elif not self.meets_confidence(_IQR_WARN):
            self._warn('This could indicate system fluctuation.')

    def _warn(self, msg):
        pct = self.iqr / self.median * 100
        self._warnings += (f'  WARNING: Interquartile range is {pct:.1f}% of the median measurement.\n'
                           f'           {msg}',)

    def meets_confidence(self, threshold=_IQR_WARN):
        return self.iqr / self.median < threshold

    @property
    def title(self):
        return self.task_spec.title

    @property
    def env(self):
        return self.task_spec.env

    @property
    def as_row_name(self):
        return self.sub_label or self.stmt or '[Unknown]'

    def __repr__(self):
        self._lazy_init()
        n = len(self._sorted_times)
        unit, scale = select_unit(self._median)
        threads = self.num_threads
        lines = [object.__repr__(self), self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{self._median / scale:.2f} {unit}"]
        if n >= 4:
            lines.append(f'  IQR:    {self.iqr / scale:.2f} {unit} '
                         f'({self._p25 / scale:.2f} to {self._p75 / scale:.2f})')
        runs = 'per measurement,' if n > 1 else ','
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs {runs} "
                     f"{threads} thread{'s' if threads > 1 else ''}")
        lines.append('\n'.join(self._warnings))
        return '\n'.join('\n'.join(lines).strip().splitlines())

    @staticmethod
    def merge(measurements):
        """One Measurement per distinct TaskSpec, holding every replicate's per-run times
        (``number_per_run=1``; metadata is dropped since replicates may disagree on it)."""
        groups = collections.defaultdict(list)
        for m in measurements:
            groups[m.task_spec].extend(m.times)
        return [Measurement(number_per_run=1, raw_times=times, task_spec=spec, metadata=None)
                for spec, times in groups.items()]


def select_unit(t):
    """(unit, scale) that puts ``t`` seconds in [1, 1000) of the unit: ns, us, ms or s."""
    exponent = _f32(np.log10, t) // 3
    unit = _UNITS.get(int(exponent), 's')
    return unit, _SCALES[unit]


def unit_to_english(u):
    return _ENGLISH[u]


def trim_sigfig(x, n):
    """``x`` rounded to ``n`` significant figures (3.14159, 2 -> 3.1), in float32 as torch."""
    if n != int(n):
        raise AssertionError('Number of significant figures must be an integer')
    magnitude = int(math.ceil(_f32(np.log10, abs(x))))
    scale = 10 ** (magnitude - n)
    with np.errstate(all='ignore'):
        return float(np.round(np.float32(x / scale)) * np.float32(scale))


def ordered_unique(elements):
    return list(dict.fromkeys(elements))


@contextlib.contextmanager
def set_torch_threads(n):
    """Run the body with ember's intra-op thread count set to ``n``; restore it afterwards."""
    import ember
    prior = ember.get_num_threads()
    try:
        ember.set_num_threads(n)
        yield
    finally:
        ember.set_num_threads(prior)
