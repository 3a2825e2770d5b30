"""Profiler events and their summary table, laid out as PyTorch's ``key_averages().table()``."""
import json
import os

__all__ = ['FunctionEvent', 'FunctionEventAvg', 'EventList']


def format_time(us):
    if us >= 1e6:
        return f'{us / 1e6:.3f}s'
    if us >= 1e3:
        return f'{us / 1e3:.3f}ms'
    return f'{us:.3f}us'


def _share(us, total):
    if total == 0:
        return 'NaN'
    return f'{us * 100.0 / total:.2f}%'


def _in_unit(us, unit):
    if unit == 's':
        return f'{us / 1e6:.3f}s'
    if unit == 'ms':
        return f'{us / 1e3:.3f}ms'
    if unit == 'us':
        return f'{us:.3f}us'
    return format_time(us)


class _Times:
    """Derived times shared by single events and their averages (all in microseconds)."""
    self_device_time_total = device_time_total = device_time = 0.0
    cpu_memory_usage = self_cpu_memory_usage = device_memory_usage = self_device_memory_usage = 0
    flops = 0
    node_id = -1
    is_async = is_legacy = is_remote = False
    use_device = None
    overload_name = ''
    stack = ()

    @property
    def cpu_time(self):
        return self.cpu_time_total / max(self.count, 1)

    @property
    def cpu_time_str(self):
        return format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self):
        return format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self):
        return format_time(self.self_cpu_time_total)


class FunctionEvent(_Times):
    """One recorded call: an op, a backward node or a ``record_function`` range."""

    count = 1

    def __init__(self, id, name, start_us, thread=0, input_shapes=None, is_user_annotation=False):  # noqa: A002
        self.id, self.name, self.thread = id, name, thread
        self.start_us, self.end_us = start_us, start_us
        self.input_shapes = input_shapes if input_shapes is not None else []
        self.cpu_children, self.cpu_parent = [], None
        self.is_user_annotation = is_user_annotation
        self.trace_name = name
        if name.startswith('ProfilerStep#'):    # the steps gather under one name, as in PyTorch
            self.name = 'ProfilerStep*'

    key = property(lambda self: self.name)

    @property
    def cpu_time_total(self):
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self):
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    def __repr__(self):
        return (f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_total_str} "
                f"start_us={self.start_us:.3f} end_us={self.end_us:.3f} input_shapes={self.input_shapes}>")


class FunctionEventAvg(_Times):
    """The calls of one name (and, when grouped so, one list of input shapes) summed up."""

    def __init__(self, key, input_shapes=None):
        self.key, self.count = key, 0
        self.input_shapes = input_shapes
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_parent = None
        self.is_user_annotation = False

    def add(self, evt):
        self.count += evt.count
        self.cpu_time_total += evt.cpu_time_total
        self.self_cpu_time_total += evt.self_cpu_time_total
        if evt.cpu_parent is None:
            self.cpu_parent = None
        self.is_user_annotation = evt.is_user_annotation
        return self

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
                f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes}>")


class EventList(list):
    """A list of events with PyTorch's summaries: ``key_averages()``, ``table()``, ``total_average()``,
    ``export_chrome_trace()``."""

    def __init__(self, *args, use_device=None, profile_memory=False, with_flops=False):
        super().__init__(*args)
        self.use_device, self.profile_memory, self.with_flops = use_device, profile_memory, with_flops

    def key_averages(self, group_by_input_shapes=False, group_by_stack_n=0, group_by_overload_name=False):
        groups = {}
        for evt in self:
            key = (evt.key, str(evt.input_shapes)) if group_by_input_shapes else evt.key
            if key not in groups:
                groups[key] = FunctionEventAvg(evt.key, evt.input_shapes if group_by_input_shapes else None)
                groups[key].cpu_parent = evt.cpu_parent
            groups[key].add(evt)
        return EventList(groups.values(), use_device=self.use_device, profile_memory=self.profile_memory)

    def total_average(self):
        total = FunctionEventAvg('Total')
        for evt in self:
            total.add(evt)
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False, time_unit=None):
        return build_table(self, sort_by, header, row_limit, max_name_column_width, max_shapes_column_width,
                           top_level_events_only, time_unit)

    def __str__(self):
        return self.table()

    def export_chrome_trace(self, path):
        """Writes the events as a Chrome trace (open it in chrome://tracing or Perfetto)."""
        events = [{'ph': 'X', 'cat': 'user_annotation' if e.is_user_annotation else 'cpu_op', 'name': e.trace_name,
                   'pid': os.getpid(), 'tid': e.thread, 'ts': e.start_us, 'dur': e.cpu_time_total,
                   'args': {'Input Dims': e.input_shapes} if e.input_shapes else {}}
                  for e in self if isinstance(e, FunctionEvent)]
        with open(path, 'w') as f:
            json.dump({'schemaVersion': 1, 'traceEvents': events, 'displayTimeUnit': 'ms'}, f)


def build_table(events, sort_by, header, row_limit, max_name_width, max_shapes_width, top_level_only,
                time_unit):
    if not events:
        return ''
    if sort_by is not None:
        events = sorted(events, key=lambda e: getattr(e, sort_by.replace('cuda', 'device')), reverse=True)
    with_shapes = any(e.input_shapes for e in events)
    name_w = max(len(e.key) for e in events) + 4
    if max_name_width is not None:
        name_w = min(name_w, max_name_width)
    headers = ['Name', 'Self CPU %', 'Self CPU', 'CPU total %', 'CPU total', 'CPU time avg', '# of Calls']
    widths = [name_w] + [12] * 6
    if with_shapes:
        shapes_w = max(len(str(e.input_shapes)) for e in events) + 4
        if max_shapes_width is not None:
            shapes_w = min(shapes_w, max_shapes_width)
        headers.append('Input Shapes')
        widths.append(shapes_w)
    row = ''.join('{: >' + str(w) + '}  ' for w in widths)
    sep = ''.join('-' * w + '  ' for w in widths)
    total = sum(e.self_cpu_time_total for e in events)
    out = []
    if header is not None:
        out += ['=' * (sum(widths) + 2 * len(widths) - 2), header]
    if top_level_only:
        out += ['=' * (sum(widths) + 2 * len(widths) - 2), 'This report only display top-level ops statistics']
    out += [sep, row.format(*headers), sep]
    shown = 0
    for e in events:
        if shown == row_limit:
            break
        if top_level_only and e.cpu_parent is not None:
            continue
        shown += 1
        name = e.key
        if max_name_width is not None and len(name) >= max_name_width - 3:
            name = name[:max_name_width - 3] + '...'
        values = [name, _share(e.self_cpu_time_total, total), _in_unit(e.self_cpu_time_total, time_unit),
                  _share(e.cpu_time_total, total), _in_unit(e.cpu_time_total, time_unit),
                  _in_unit(e.cpu_time, time_unit), e.count]
        if with_shapes:
            values.append(str(e.input_shapes)[:shapes_w])
        out.append(row.format(*values))
    out += [sep, f'Self CPU time total: {_in_unit(total, time_unit)}']
    return '\n'.join(out) + '\n'
