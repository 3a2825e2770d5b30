"""``torch.utils.flop_counter.FlopCounterMode``: count the floating-point operations of the matrix
products and convolutions a block of code runs, in total and per module, as PyTorch counts them.

    with FlopCounterMode(display=False) as counter:
        model(x).sum().backward()
    counter.get_total_flops()        # 2 * m * n * k per (m x k) @ (k x n) product, ...
    counter.get_flop_counts()        # {'Global': {aten.addmm: ..., aten.mm: ...}, 'Sequential': ...}

Only the ops PyTorch's counter knows are counted (mm, addmm, bmm, baddbmm, convolution and its
backward); other ops cost nothing here, as there. While a counter is active, the forward and
backward of those op classes are wrapped (as ember.profiler does), so nothing is paid at other times.
Modules are tracked with global forward hooks; the work of a node's backward is charged to the
modules whose forward created the node, as PyTorch's module tracker does.
"""
import math
import warnings
from collections import defaultdict

__all__ = ['FlopCounterMode']

suffixes = ['', 'K', 'M', 'B', 'T']


class _OpName:
    """Stands for PyTorch's op packet in the counts (prints ``aten.mm``; equal to that string)."""

    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name

    def __repr__(self):
        return f"<OpOverloadPacket(op='{self.name}')>"

    def __eq__(self, other):
        return str(other) == self.name

    def __hash__(self):
        return hash(self.name)


_NAMES = {n: _OpName('aten.' + n) for n in ('mm', 'addmm', 'bmm', 'baddbmm', 'convolution', 'convolution_backward')}


def conv_flop_count(x_shape, w_shape, out_shape, transposed=False):
    """Multiply-adds (x2) of a convolution: per point of the output (input, when transposed) grid,
    the filter times the channel pairs times the batch. Bias is not counted."""
    conv_shape = (x_shape if transposed else out_shape)[2:]
    c_out, c_in, *filt = w_shape
    return math.prod(conv_shape) * math.prod(filt) * x_shape[0] * c_out * c_in * 2


def _mm(node, args, kw, out):
    a, b = args[0], args[1]
    return 2 * a.shape[0] * a.shape[1] * b.shape[1]


def _addmm(node, args, kw, out):
    return _mm(node, args[1:], kw, out)


def _bmm(node, args, kw, out):
    a, b = args[0], args[1]
    return 2 * a.shape[0] * a.shape[1] * a.shape[2] * b.shape[2]


def _baddbmm(node, args, kw, out):
    return _bmm(node, args[1:], kw, out)


def _conv(node, args, kw, out):
    return conv_flop_count(args[0].shape, args[1].shape, out.shape, kw.get('transposed', False))


def _conv_weight(node, args, kw, out):
    x, g = args[0], args[1]
    return (math.prod(g.shape[2:]) * math.prod(kw['kshape']) * x.shape[0] * g.shape[1]
            * (x.shape[1] // kw.get('groups', 1)) * 2)


# ember op class name -> (counted op, flop formula on the forward's raw arguments and result)
_COUNTED = {'MmBackward0': ('mm', _mm), 'AddmmBackward0': ('addmm', _addmm), 'BmmBackward0': ('bmm', _bmm),
            'BaddbmmBackward0': ('baddbmm', _baddbmm), 'ConvolutionBackward0': ('convolution', _conv),
            'ConvWeight': ('convolution_backward', _conv_weight)}
_CONV_BACKWARD = ('ConvolutionBackward0', 'ConvWeight')


def get_suffix_str(number):
    return suffixes[max(0, min(len(suffixes) - 1, (len(str(number)) - 2) // 3))]


def convert_num_with_suffix(number, suffix):
    index = suffixes.index(suffix)
    return f'{number / 1000 ** index:.3f}' + suffixes[index]


def convert_to_percent_str(num, denom):
    if denom == 0:
        return '0%'
    return f'{num / denom:.2%}'


def _tabulate(rows, headers, align):
    """The 'simple' layout of the tabulate package PyTorch prints with: columns two spaces apart,
    headers padded by at least two, and a column whose cells all read as numbers shown in ``g`` format."""
    rows = [list(r) for r in rows]
    for i in range(len(headers)):
        try:
            numbers = [format(float(r[i]), 'g') for r in rows]
        except ValueError:
            continue
        for r, n in zip(rows, numbers):
            r[i] = n
    widths = [max([len(h) + 2] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells):
        return '  '.join(c.ljust(w) if a == 'left' else c.rjust(w) for c, w, a in zip(cells, widths, align))
    return '\n'.join([line(headers), '  '.join('-' * w for w in widths)] + [line(r) for r in rows])


class FlopCounterMode:
    """Context manager counting FLOPs (see the module docstring). Not re-entrant."""

    def __init__(self, mods=None, depth=2, display=True, custom_mapping=None):
        self.flop_counts = defaultdict(lambda: defaultdict(int))
        self.depth, self.display = depth, display
        if mods is not None:
            warnings.warn('mods argument is not needed anymore, you can stop passing it', stacklevel=2)
        self._patched, self._handles = [], []
        self._parents, self._names, self._depth = ['Global'], {}, [0]
        self._in_conv_backward = 0

    # ------------------------------------------------------------------ results
    def get_total_flops(self):
        return sum(self.flop_counts['Global'].values())

    def get_flop_counts(self):
        """{module name: {op: flops}} ('Global' holds everything)."""
        return {k: dict(v) for k, v in self.flop_counts.items()}

    def get_table(self, depth=None):
        if depth is None:
            depth = self.depth
        if depth is None:
            depth = 999999
        global_flops = self.get_total_flops()
        global_suffix = get_suffix_str(global_flops)
        subsumed = False
        values = []

        def process_mod(mod_name, level):
            nonlocal subsumed
            total = sum(self.flop_counts[mod_name].values())
            subsumed |= total >= global_flops
            pad = ' ' * level
            rows = [[pad + mod_name, convert_num_with_suffix(total, global_suffix),
                     convert_to_percent_str(total, global_flops)]]
            for k, v in self.flop_counts[mod_name].items():
                rows.append([pad + ' - ' + str(k), convert_num_with_suffix(v, global_suffix),
                             convert_to_percent_str(v, global_flops)])
            return rows

        for mod in sorted(self.flop_counts.keys()):
            if mod == 'Global':
                continue
            mod_depth = mod.count('.') + 1
            if mod_depth > depth:
                continue
            values.extend(process_mod(mod, mod_depth - 1))
        if 'Global' in self.flop_counts and not subsumed:
            for value in values:
                value[0] = ' ' + value[0]
            values = process_mod('Global', 0) + values
        if len(values) == 0:
            values = [['Global', '0', '0%']]
        return _tabulate(values, ['Module', 'FLOP', '% Total'], ('left', 'right', 'right'))

    # ------------------------------------------------------------------ recording
    def _count(self, name, flops, parents):
        for p in set(parents):
            self.flop_counts[p][_NAMES[name]] += flops

    def _wrap_forward(self, cls_name, fn):
        counter = self
        name, formula = _COUNTED[cls_name]

        def forward(node, *args, **kw):
            counter._depth[0] += 1
            try:
                out = fn(node, *args, **kw)
            finally:
                counter._depth[0] -= 1
            if counter._depth[0] == 0:
                op = 'convolution_backward' if counter._in_conv_backward and name == 'convolution' else name
                counter._count(op, formula(node, args, kw, out), counter._parents)
                node._flop_parents = tuple(counter._parents)
            return out
        forward.__wrapped__ = fn
        return forward

    def _wrap_backward(self, cls_name, fn):
        counter = self

        def backward(node, *grads):
            saved = counter._parents
            counter._parents = list(getattr(node, '_flop_parents', saved))
            conv = cls_name in _CONV_BACKWARD
            counter._in_conv_backward += conv
            try:
                return fn(node, *grads)
            finally:
                counter._in_conv_backward -= conv
                counter._parents = saved
        backward.__wrapped__ = fn
        return backward

    def _module_name(self, module):
        name = self._names.get(id(module))
        if name is None:
            name = self._names[id(module)] = type(module).__name__
        for child_name, child in module.named_children():
            self._names.setdefault(id(child), f'{name}.{child_name}')
        return name

    def _pre_hook(self, module, args):
        self._parents = self._parents + [self._module_name(module)]

    def _post_hook(self, module, args, output):
        name = self._module_name(module)
        if name in self._parents:
            i = len(self._parents) - 1 - self._parents[::-1].index(name)
            self._parents = self._parents[:i] + self._parents[i + 1:]

    def __enter__(self):
        from ..profiler._record import _op_classes
        from ..nn.modules.global_hooks import register_module_forward_pre_hook, register_module_forward_hook
        self.flop_counts.clear()
        self._parents, self._names, self._depth, self._in_conv_backward = ['Global'], {}, [0], 0
        for cls in _op_classes():
            if cls.__name__ not in _COUNTED:
                continue
            for attr, wrap in (('forward', self._wrap_forward), ('backward', self._wrap_backward)):
                self._patched.append((cls, attr, cls.__dict__.get(attr)))
                setattr(cls, attr, wrap(cls.__name__, getattr(cls, attr)))
        self._handles = [register_module_forward_pre_hook(self._pre_hook),
                         register_module_forward_hook(self._post_hook, always_call=True)]
        return self

    def __exit__(self, *exc):
        for cls, attr, fn in reversed(self._patched):
            if fn is None:
                delattr(cls, attr)        # it was inherited
            else:
                setattr(cls, attr, fn)
        self._patched = []
        for h in self._handles:
            h.remove()
        self._handles = []
        if self.display:
            print(self.get_table(self.depth))
        return False
