"""Tensor printing that matches PyTorch's ``repr(tensor)`` character for character.

The layout rules (column width, scientific notation, line wrapping, summarisation with
``...`` and the order of the ``dtype=``/``device=``/``grad_fn=`` suffixes) follow
PyTorch 2.x, with ``ember.`` printed where PyTorch prints ``torch.``.
"""
import contextlib
import math

import numpy as np

from . import _dtype

__all__ = ['tensor_str', 'set_printoptions', 'get_printoptions', 'printoptions']

_PROFILES = {
    'default': dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    'short': dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    'full': dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}
_opts = dict(_PROFILES['default'], sci_mode=None)


class _PrinterOptions:
    """``PRINT_OPTS``: the live print options as attributes (precision, threshold, edgeitems,
    linewidth, sci_mode); reading or assigning one reads or changes what printing uses."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return _opts[name]
        except KeyError:
            raise AttributeError(f"'_PrinterOptions' object has no attribute '{name}'") from None

    def __setattr__(self, name, value):
        if name not in _opts:
            raise AttributeError(f"'_PrinterOptions' object has no attribute '{name}'")
        _opts[name] = value

    def __repr__(self):
        return f'PRINT_OPTS({", ".join(f"{k}={v!r}" for k, v in _opts.items())})'


PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set printing options, as ``torch.set_printoptions``.

    ``profile`` ('default', 'short' or 'full') resets the four numeric options first;
    explicit arguments then override it. Like PyTorch, ``sci_mode`` is always assigned,
    so a call that leaves it out switches it back to automatic (None).
    """
    if profile is not None:
        _opts.update(_PROFILES.get(profile, {}))
    for key, value in (('precision', precision), ('threshold', threshold),
                       ('edgeitems', edgeitems), ('linewidth', linewidth)):
        if value is not None:
            _opts[key] = value
    _opts['sci_mode'] = sci_mode


def get_printoptions():
    """The current options as a dict that can be passed back to :func:`set_printoptions`."""
    return dict(_opts)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (same arguments as :func:`set_printoptions`)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


def _host(a):
    """A NumPy view of ``a`` (CuPy arrays are copied to the host)."""
    return a if isinstance(a, np.ndarray) else a.get()


class _Formatter:
    """Formats every element of one tensor to a common width.

    ``values`` holds the elements that will be shown (after summarisation); floats come
    as float64, so float16/bfloat16 are judged on their exact upcast values, like PyTorch.
    """

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode, self.sci_mode, self.width = True, False, 1
        prec = _opts['precision']
        flat = values.reshape(-1)
        if not floating:
            self.width = max([1] + [len(str(v)) for v in flat.tolist()])
            return
        nz = flat[np.isfinite(flat) & (flat != 0)]
        if nz.size == 0:
            return
        self.int_mode = bool(np.all(nz == np.ceil(nz)))
        mags = np.abs(nz)
        lo, hi = mags.min(), mags.max()
        with np.errstate(over='ignore'):
            auto = bool(hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        self.sci_mode = auto if _opts['sci_mode'] is None else _opts['sci_mode']
        if self.sci_mode:
            spec, extra = f'.{prec}e', 0
        elif self.int_mode:
            spec, extra = '.0f', 1      # room for the trailing '.'
        else:
            spec, extra = f'.{prec}f', 0
        self.width = max(1, max(len(format(v, spec)) for v in nz.tolist()) + extra)

    def __call__(self, value):
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = format(value, f".{_opts['precision']}e")
        elif self.int_mode:
            s = format(value, '.0f') + ('.' if math.isfinite(value) else '')
        else:
            s = format(value, f".{_opts['precision']}f")
        return s.rjust(self.width)


class _ComplexFormatter:
    """Formats complex elements as PyTorch does: the real and the imaginary parts each get their
    own :class:`_Formatter` (own width, int/sci mode), joined as ``re+imj`` / ``re-imj``."""

    def __init__(self, values):
        self.real = _Formatter(values.real, True)
        self.imag = _Formatter(values.imag, True)
        self.width = self.real.width + self.imag.width + 1      # + the 'j'

    def __call__(self, value):
        imag = (self.imag(value.imag) + 'j').lstrip()
        return self.real(value.real) + (imag if imag[0] in '+-' else '+' + imag)


def _summarized(a, edge):
    """The elements a summarised print shows: ``edge`` items from each end of every axis."""
    for axis, n in enumerate(a.shape):
        if n > 2 * edge:
            a = np.take(a, list(range(edge)) + list(range(n - edge, n)), axis=axis)
    return a


def _body(a, indent, summarize, fmt):
    """The bracketed text of array ``a`` whose first line starts at column ``indent``."""
    edge = _opts['edgeitems']
    if a.ndim == 0:
        return fmt(a.item())
    n = a.shape[0]
    cut = summarize and n > 2 * edge
    if a.ndim == 1:
        if summarize and not edge:
            items = ['...']
        elif cut:
            items = ([fmt(v) for v in a[:edge].tolist()] + [' ...']
                     + [fmt(v) for v in a[n - edge:].tolist()])
        else:
            items = [fmt(v) for v in a.tolist()]
        per_line = max(1, math.floor((_opts['linewidth'] - indent) / (fmt.width + 2)))
        lines = [', '.join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return '[' + (',\n' + ' ' * (indent + 1)).join(lines) + ']'
    rows = list(range(edge)) + [None] + list(range(n - edge, n)) if cut else range(n)
    parts = ['...' if i is None else _body(a[i], indent + 1, summarize, fmt) for i in rows]
    return '[' + (',' + '\n' * (a.ndim - 1) + ' ' * (indent + 1)).join(parts) + ']'


def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` items, moving one to a new line when the line would get too long."""
    # PyTorch's line-length bookkeeping (including its +1 on the first measurement).
    last_len = len(text) - text.rfind('\n') + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > _opts['linewidth']:
            text += ',\n' + ' ' * indent + suffix
            last_len = indent + len(suffix)
        else:
            text += ', ' + suffix
            last_len += len(suffix) + 2
    return text + ')'


def tensor_str(t):
    """The repr of tensor ``t``, identical to PyTorch's with ``ember.`` for ``torch.``."""
    cls = type(t)
    prefix = 'tensor(' if getattr(cls, '_ember_own', True) else cls.__name__ + '('   # a user's subclass: its name
    indent = len(prefix)
    data = _host(t._data)
    dtype = t.dtype
    default = _dtype.get_default_dtype()
    suffixes = []
    device = getattr(t, 'device', None)
    if device is not None and device.type != 'cpu':
        suffixes.append(f"device='{device}'")
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f'size={tuple(data.shape)}')
        if dtype is not default:
            suffixes.append(f'dtype={dtype!r}')
        body = '[]'
    else:
        if not _opts['edgeitems']:
            suffixes.append(f'size={tuple(data.shape)}')
        if dtype not in (default, _dtype.default_complex_dtype(), _dtype.int64, _dtype.bool_):
            suffixes.append(f'dtype={dtype!r}')
        if dtype.is_floating_point:
            data = data.astype(np.float64)
        elif dtype.is_complex:
            data = data.astype(np.complex128)
        summarize = data.size > _opts['threshold']
        shown = _summarized(data, _opts['edgeitems']) if summarize else data
        fmt = (_ComplexFormatter(shown) if dtype.is_complex
               else _Formatter(shown, dtype.is_floating_point))
        body = _body(data, indent, summarize, fmt)
    from .autograd.forward_ad import _repr_info
    hide, tangent = _repr_info(t)           # forward AD: its hidden graph, and the tangent= suffix
    grad_fn = None if hide else getattr(t, 'grad_fn', None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.name().rpartition('::')[2]}>")
    elif getattr(t, 'requires_grad', False) and not hide:
        suffixes.append('requires_grad=True')
    if tangent is not None:
        suffixes.append(tangent)
    return _add_suffixes(prefix + body, suffixes, indent)
