"""``Compare``: many Measurements printed as tables, laid out as torch.utils.benchmark does.
One table per label; rows are (num_threads, env, sub_label or stmt), columns are descriptions;
each cell is the median in one unit shared by the table. Replicates of one task are merged."""
import collections
import enum
import math

import numpy as np

from . import common

__all__ = ['Colorize', 'Compare']

BEST = '\033[92m'
GOOD = '\033[34m'
BAD = '\033[2m\033[91m'
VERY_BAD = '\033[31m'
BOLD = '\033[1m'
TERMINATE = '\033[0m'


class Colorize(enum.Enum):
    NONE = 'none'
    COLUMNWISE = 'columnwise'
    ROWWISE = 'rowwise'


def _leading_digits(x):
    """ceil(log10(x)) in float32: digits left of the decimal point."""
    return int(math.ceil(common._f32(np.log10, x)))


def _color(text, value, best):
    if value <= best * 1.01 or value <= best + 100e-9:
        return BEST + BOLD + text + TERMINATE * 2
    if value <= best * 1.1:
        return GOOD + BOLD + text + TERMINATE * 2
    if value >= best * 5:
        return VERY_BAD + BOLD + text + TERMINATE * 2
    if value >= best * 2:
        return BAD + text + TERMINATE * 2
    return text


class _Column:
    """Number format shared by one column: as many integer digits as its largest entry and,
    when trimming, as many decimals as its least precise entry supports."""

    def __init__(self, groups, scale, trim, highlight):
        self.groups = groups                    # per thread-group: this column's cells, row by row
        cells = [m for g in groups for m in g if m is not None]
        self.trim = trim
        self.highlight = highlight and any(m.has_warnings for m in cells)
        digits = [_leading_digits(m.median / scale) for m in cells]
        decimals = min(max(m.significant_figures - d, 0) for m, d in zip(cells, digits)) if trim else 1
        width = max(digits) + decimals + (1 if decimals else 0)
        self.template = f'{{:>{width}.{decimals}f}}{{:>{7 if self.highlight else 0}}}'

    def cell(self, value, sigfigs, spread):
        if value is None:
            return ' ' * len(self.cell(1, sigfigs, None))
        if self.trim:
            value = common.trim_sigfig(value, sigfigs)
        note = f' (! {spread * 100:.0f}%)' if self.highlight and spread is not None else ''
        return self.template.format(value, note)


class _Row:
    def __init__(self, cells, group, env_label, env_width, scale, colorize, threads):
        self.cells = cells                      # one Measurement or None per column
        self.group = group
        self.env_label = env_label              # print "(env)" in front of this row's name
        self.env_width = env_width
        self.scale = scale
        self.colorize = colorize
        self.threads = threads                  # set on the first row of a thread group
        self.columns = ()

    def strings(self):
        first = next(m for m in self.cells if m is not None)
        env = f'({first.env})' if self.env_label else ''
        out = ['  ' + env.ljust(self.env_width + 4) + first.as_row_name]
        for m, col in zip(self.cells, self.columns):
            if m is None:
                out.append(col.cell(None, 1, None))
            else:
                spread = m.iqr / m.median if m.has_warnings else None
                out.append(col.cell(m.median / self.scale, m.significant_figures, spread))
        return out

    def separator(self, width):
        return [f'{self.threads} threads: '.ljust(width, '-')] if self.threads is not None else []

    def finish(self, strings, widths):
        if self.colorize == Colorize.ROWWISE:
            best = [min(m.median for m in self.cells if m is not None)] * len(strings)
        elif self.colorize == Colorize.COLUMNWISE:
            best = []
            for col in self.columns:
                meds = [m.median for m in col.groups[self.group] if m is not None]
                best.append(min(meds) if meds else None)
        else:
            best = [-1] * len(strings)
        out = [strings[0].ljust(widths[0])]
        for text, width, m, b in zip(strings[1:], widths[1:], self.cells, best):
            text = text.center(width)
            if self.colorize != Colorize.NONE and m is not None and b is not None:
                text = _color(text, m.median, b)
            out.append(text)
        return out


class _Table:
    """One label's results as a grid of rows x columns, rendered to text."""

    def __init__(self, results, colorize, trim, highlight):
        if len({r.label for r in results}) != 1:
            raise AssertionError('All results must share the same label')
        self.results = results
        self.label = results[0].label
        self.highlight = highlight
        self.unit, self.scale = common.select_unit(min(r.median for r in results))

        def row_key(m):
            return m.num_threads, m.env, m.as_row_name

        row_keys = common.ordered_unique(row_key(r) for r in results)
        row_keys.sort(key=lambda k: k[:2])      # stable: stmt order kept within (threads, env)
        self.column_keys = common.ordered_unique(r.description for r in results)
        row_at = {k: i for i, k in enumerate(row_keys)}
        col_at = {k: j for j, k in enumerate(self.column_keys)}
        grid = [[None] * len(self.column_keys) for _ in row_keys]
        for r in results:
            grid[row_at[row_key(r)]][col_at[r.description]] = r

        envs = {r.env for r in results}
        show_env = len(envs) > 1
        env_width = max(len(e) for e in envs) if show_env else 0
        self.rows, groups = [], []
        last_threads, last_env = -1, ''
        for (threads, env, _), cells in zip(row_keys, grid):
            new_group = threads != last_threads
            if new_group:
                last_threads, last_env = threads, ''
                groups.append([])
            self.rows.append(_Row(cells, len(groups) - 1, show_env and env != last_env, env_width, self.scale,
                                  colorize, threads if new_group else None))
            groups[-1].append(cells)
            last_env = env
        columns = tuple(_Column([tuple(cells[j] for cells in g) for g in groups], self.scale, trim, highlight)
                        for j in range(len(self.column_keys)))
        for row in self.rows:
            row.columns = columns

    def render(self):
        table = [[''] + self.column_keys] + [row.strings() for row in self.rows]
        ncols = max(len(r) for r in table)
        for r in table:
            r.extend([''] * (ncols - len(r)))
        widths = [max(len(s) for s in col) for col in zip(*table)]
        header = '  |  '.join(s.center(w) for s, w in zip(table[0], widths))
        lines = [header]
        for strings, row in zip(table[1:], self.rows):
            lines.extend(row.separator(len(header)))
            lines.append('  |  '.join(row.finish(strings, widths)))
        title = (' ' + (self.label or '') + ' ').center(len(header) - 2, '-')
        text = f'[{title}]\n' + '\n'.join(lines) + '\n\n'
        text += f'Times are in {common.unit_to_english(self.unit)}s ({self.unit}).\n'
        if self.highlight and any(r.has_warnings for r in self.results):
            text += '(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n'
        return text


class Compare:
    """Print many Measurements as tables (``print()`` or ``str()``): one per label, rows by
    sub_label (or stmt) grouped by thread count, columns by description.
    ``trim_significant_figures()``, ``colorize(rowwise=False)`` and ``highlight_warnings()``
    change the rendering; ``extend_results`` adds more Measurements."""

    def __init__(self, results):
        self._results = []
        self.extend_results(results)
        self._trim_significant_figures = False
        self._colorize = Colorize.NONE
        self._highlight_warnings = False

    def __str__(self):
        return '\n'.join(self._render())

    def extend_results(self, results):
        """Append Measurements to the stored ones (all are checked before any is added)."""
        results = list(results)
        for r in results:
            if not isinstance(r, common.Measurement):
                raise ValueError(f'Expected an instance of `Measurement`, got {type(r)} instead.')
        self._results.extend(results)

    def trim_significant_figures(self):
        self._trim_significant_figures = True

    def colorize(self, rowwise=False):
        """Color cells against the best of their column (default) or of their row."""
        self._colorize = Colorize.ROWWISE if rowwise else Colorize.COLUMNWISE

    def highlight_warnings(self):
        """Mark cells whose spread is high with ``(! XX%)``."""
        self._highlight_warnings = True

    def print(self):
        print(str(self))

    def _render(self):
        by_label = collections.defaultdict(list)
        for m in common.Measurement.merge(self._results):
            by_label[m.label].append(m)
        return [_Table(group, self._colorize, self._trim_significant_figures, self._highlight_warnings).render()
                for group in by_label.values()]
