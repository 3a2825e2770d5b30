"""repr of a sparse COO tensor, as PyTorch prints it (``ember.`` for ``torch.``)."""
import numpy as np

from .. import _dtype
from .. import _tensor_str as ts


def _body(t, indent):
    """The bracketed contents of dense tensor ``t`` laid out at column ``indent`` (plus size when empty)."""
    data = ts._host(t._data)
    if data.size == 0:
        return f'[], size={tuple(data.shape)}'
    dtype = t.dtype
    if dtype.is_floating_point:
        data = data.astype(np.float64)
    elif dtype.is_complex:
        data = data.astype(np.complex128)
    summarize = data.size > ts._opts['threshold']
    shown = ts._summarized(data, ts._opts['edgeitems']) if summarize else data
    fmt = ts._ComplexFormatter(shown) if dtype.is_complex else ts._Formatter(shown, dtype.is_floating_point)
    return ts._body(data, indent, summarize, fmt)


def sparse_str(s):
    prefix = 'tensor('
    indent = len(prefix)
    ip, vp = 'indices=tensor(', 'values=tensor('
    text = (prefix + ip + _body(s._indices(), indent + len(ip)) + '),\n' + ' ' * indent + vp
            + _body(s._v, indent + len(vp)) + ')')
    suffixes = []
    if s.device.type != 'cpu':
        suffixes.append(f"device='{s.device}'")
    suffixes += [f'size={tuple(s._size)}', f'nnz={s._nnz()}']
    dtype = s.dtype
    if dtype not in (_dtype.get_default_dtype(), _dtype.default_complex_dtype(), _dtype.int64, _dtype.bool_):
        suffixes.append(f'dtype={dtype!r}')
    suffixes.append('layout=ember.sparse_coo')
    if s._grad_fn is not None:
        suffixes.append(f"grad_fn=<{s._grad_fn.name().rpartition('::')[2]}>")
    elif s._requires_grad:
        suffixes.append('requires_grad=True')
    width = ts._opts['linewidth']
    last = len(text) - text.rfind('\n') + 1
    first = True
    for suffix in suffixes:
        if first or last + len(suffix) + 2 > width:
            text += ',\n' + ' ' * indent + suffix
            last = indent + len(suffix)
            first = False
        else:
            text += ', ' + suffix
            last += len(suffix) + 2
    return text + ')'
