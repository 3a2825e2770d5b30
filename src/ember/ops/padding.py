"""F.pad: constant, reflect, replicate and circular padding of the last dims.

``pad`` is PyTorch's (left, right) pairs starting from the LAST dim. Constant padding is
its own op (negative pads crop); reflect and replicate gather from index arrays (their
gradient scatters back with accumulation); circular is built from slice copies as
PyTorch does, so its node is CopySlices."""
import numpy as np

from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, apply
from ._promote import xp
from .index import IndexPutAccumulate, _c_contiguous


def _pairs(pad, ndim):
    """(left, right) pairs as a list ordered by dim: [(dim, lo, hi), ...]."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


class ConstantPadNdBackward0(Op):
    def forward(self, a, pad, value):
        self.pad = pad
        m = xp(a)
        crop = [slice(None)] * a.ndim
        widths = [(0, 0)] * a.ndim
        for d, lo, hi in _pairs(pad, a.ndim):
            crop[d] = slice(max(-lo, 0), a.shape[d] - max(-hi, 0))
            widths[d] = (max(lo, 0), max(hi, 0))
        a = a[tuple(crop)]
        for d, (lo, hi) in enumerate(widths):
            if lo + hi and a.shape[d] + lo + hi < 0:
                raise RuntimeError('negative output size')
        if value is None:
            value = 0
        if any(lo or hi for lo, hi in widths):
            return m.ascontiguousarray(m.pad(a, widths, mode='constant', constant_values=value))  # as torch: a fresh contiguous result
        return a.copy()

    def backward(self, g):
        return apply(ConstantPadNdBackward0, g, pad=tuple(-p for p in self.pad), value=0)


def _index(mode, n, lo, hi):
    i = np.arange(-lo, n + hi)
    if mode == 'reflect':
        i = np.abs(i)
        return (n - 1) - np.abs((n - 1) - i)
    return np.clip(i, 0, n - 1)


class _GatherPad(Op):
    mode = None

    def forward(self, a, pad):
        self.in_shape = a.shape
        pairs = dict((d, (lo, hi)) for d, lo, hi in _pairs(pad, a.ndim))
        first = min(pairs)
        idx = [_index(self.mode, a.shape[d], *pairs[d]) for d in range(first, a.ndim)]
        key = (Ellipsis,) + np.ix_(*idx)
        if xp(a) is not np:
            key = (Ellipsis,) + tuple(xp(a).asarray(k) for k in key[1:])
        self.key = key
        return _c_contiguous(a[key])

    def backward(self, g):
        return apply(IndexPutAccumulate, g, shape=self.in_shape, key=self.key)


def _gather_class(mode, prefix, k):
    return type(f'{prefix}{k}DBackward0', (_GatherPad,), {'mode': mode, '__module__': __name__})


_REFLECT = {k: _gather_class('reflect', 'ReflectionPad', k) for k in (1, 2, 3)}
_REPLICATE = {k: _gather_class('replicate', 'ReplicationPad', k) for k in (1, 2, 3)}


def _circular(x, pad):
    if any(x.shape[d] + lo + hi < 0 for d, lo, hi in _pairs(pad, x.ndim)):
        raise RuntimeError('Negative padding value is resulting in an empty dimension')
    out = x
    for d, lo, hi in _pairs(pad, x.ndim):
        n = out.shape[d]
        if lo > n or hi > n:
            raise RuntimeError('Padding value causes wrapping around more than once.')
        shape = list(out.shape)
        shape[d] = n + lo + hi
        res = out.new_empty(shape)
        res.narrow(d, max(lo, 0), n - max(-lo, 0) - max(-hi, 0)).copy_(
            out.narrow(d, max(-lo, 0), n - max(-lo, 0) - max(-hi, 0)))
        if lo > 0:
            res.narrow(d, 0, lo).copy_(out.narrow(d, n - lo - max(-hi, 0), lo))
        if hi > 0:
            res.narrow(d, shape[d] - hi, hi).copy_(out.narrow(d, max(-lo, 0), hi))
        out = res
    return out


_NONCONST_MSG = ('Padding size {} is not supported for {}D input tensor.\nSupported combinations for '
                 'non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n'
                 '  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n'
                 '  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)')


def pad(input, pad, mode='constant', value=None):
    if _amp.state.on and _amp.fp32(_amp.op_lists.pad_name(mode, pad), input):  # autocast hook (ember.amp)
        return _amp.call_fp32(globals()['pad'], input, pad, mode, value)    # (the argument hides the function)
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError('Padding length must be divisible by 2')
    if len(pad) > 2 * input.ndim:
        raise RuntimeError('Padding length should be less than or equal to two times the input dimension '
                           f'but got padding length {len(pad)} and input of dimension {input.ndim}')
    if mode == 'constant':
        for d, lo, hi in _pairs(pad, input.ndim):      # negative pads crop (narrow) first
            n = input.shape[d]
            for p in (lo, hi):
                n += min(p, 0)
                if n < 0:
                    raise RuntimeError('narrow(): length must be non-negative.')
        return apply(ConstantPadNdBackward0, input, pad=pad, value=value)
    if mode not in ('reflect', 'replicate', 'circular'):
        raise NotImplementedError(f'Unrecognised padding mode {mode}')
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    k = len(pad) // 2
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(_NONCONST_MSG.format(len(pad), input.ndim))
    if mode == 'circular':
        return _circular(input, pad)
    if mode == 'reflect':
        for i, (d, lo, hi) in enumerate(_pairs(pad, input.ndim)):     # the last dim is checked first
            if lo >= input.shape[d] or hi >= input.shape[d]:
                raise RuntimeError(f'Argument #{4 + 2 * i}: Padding size should be less than the corresponding input '
                                   f'dimension, but got: padding ({lo}, {hi}) at dimension {d} of input '
                                   f'{list(input.shape)}')
    _check_out_size(mode, input, pad, k)
    cls = (_REFLECT if mode == 'reflect' else _REPLICATE)[k]
    return apply(cls, input, pad=pad)


def _check_out_size(mode, x, pad, k):
    """reflect / replicate with negative pads: PyTorch's errors for an empty or negative output."""
    pairs = sorted(_pairs(pad, x.ndim))
    ins = [x.shape[d] for d, _, _ in pairs]
    outs = [x.shape[d] + lo + hi for d, lo, hi in pairs]
    if max(outs) < 1:
        names = 'DHW'[3 - k:]
        sizes = ' '.join(f'{c}: {n}' for c, n in zip(names, ins)).replace(' W', ', W' if k > 1 else ' W')
        if mode == 'replicate' and k == 2:
            sizes += ' '
        got = ' '.join(f'{c}: {n}' for c, n in zip(names, outs))
        raise RuntimeError(f'input ({sizes}) is too small. Calculated output {got}')
    if min(outs) < 0:
        if mode == 'reflect' and k == 2:
            raise RuntimeError('numel: integer multiplication overflow')
        shape = list(x.shape[:x.ndim - k]) + outs
        raise RuntimeError(f'Trying to create tensor with negative dimension {min(outs)}: {shape}')

