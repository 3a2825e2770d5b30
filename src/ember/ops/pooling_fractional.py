"""Fractional max pooling (Graham, 2014): windows of a fixed size placed at pseudo-random,
increasing offsets so that the output has any size between input/kernel and input.

Each (batch, channel) plane draws one sample u in [0, 1) per spatial dimension; window i of a
dimension starts at floor((i + u) * a) - floor(u * a) with a = (in - k) / (out - 1), and the last
window ends at the input's edge. Passing ``_random_samples`` (N, C, dims) fixes the windows, which
is how the tests compare with PyTorch element for element. As in PyTorch, sample 0 places the
width for 2-D pooling but the time (first) dimension for 3-D pooling."""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply

__all__ = ['fractional_max_pool2d', 'fractional_max_pool3d', 'fractional_max_pool2d_with_indices',
           'fractional_max_pool3d_with_indices']


def _starts(sample, size, out, k):
    """Window starts along one dimension for each plane: (planes, out) int64, from (planes,) samples."""
    dt = sample.dtype.type
    starts = np.empty(sample.shape + (out,), np.int64)
    if out > 1:
        alpha = dt(size - k) / dt(out - 1)
        i = np.arange(out - 1, dtype=sample.dtype)
        starts[:, :-1] = (((i + sample[:, None]) * alpha).astype(np.int64)
                          - (sample * alpha).astype(np.int64)[:, None])
    starts[:, -1] = size - k
    return starts


class _FractionalMaxPool(Op):
    nondiff_outputs = (1,)
    n_outputs = 2
    dims = 2
    _free = ('indices',)

    def forward(self, x, samples, kernel, out_size):
        d = self.dims
        xp = np if type(x) is np.ndarray else __import__('cupy')
        lead, spatial = x.shape[:-d], x.shape[-d:]
        planes = int(np.prod(lead))
        self.in_shape = x.shape
        if planes == 0 or 0 in out_size:                 # nothing to pool: empty outputs
            self.indices = xp.zeros(lead + tuple(out_size), np.int64)
            return xp.empty(lead + tuple(out_size), x.dtype), self.indices
        flat = x.reshape((planes,) + spatial)
        s = samples if type(samples) is np.ndarray else samples.get()
        s = s.reshape(-1, d)[:planes]
        # one index array per spatial dimension: (planes, out..., k...) positions in that dimension
        # PyTorch's sample order: (width, height) for 2-D windows, (time, height, width) for 3-D
        order = (1, 0) if d == 2 else (0, 1, 2)
        starts = [_starts(s[:, order[j]], spatial[j], out_size[j], kernel[j]) for j in range(d)]
        idx = []
        for j in range(d):
            pos = starts[j].reshape([planes] + [out_size[j] if t == j else 1 for t in range(d)] + [1] * d)
            off = np.arange(kernel[j]).reshape([1] * (1 + d) + [kernel[j] if t == j else 1 for t in range(d)])
            idx.append(pos + off)
        plane = np.arange(planes).reshape([planes] + [1] * (2 * d))
        idx = [xp.asarray(a) for a in idx]
        win = flat[(xp.asarray(plane),) + tuple(idx)]               # (planes, out..., k...)
        win = win.reshape(win.shape[:1 + d] + (-1,))
        arg = win.argmax(-1)
        nan = xp.isnan(win)
        if nan.any():                                    # NaN wins, as in PyTorch
            arg = xp.where(nan.any(-1), nan.argmax(-1), arg)
        out = xp.take_along_axis(win, arg[..., None], -1)[..., 0]
        flat_pos = 0
        for j in range(d):                               # the argmax's position in its plane
            full = xp.broadcast_to(idx[j], (planes,) + tuple(out_size) + tuple(kernel)).reshape(win.shape)
            flat_pos = flat_pos * spatial[j] + xp.take_along_axis(full, arg[..., None], -1)[..., 0]
        self.indices = flat_pos.reshape(lead + tuple(out_size))
        return out.reshape(lead + tuple(out_size)), self.indices

    def backward(self, g, _):
        if 'indices' not in self.__dict__:
            from ..autograd.node import BACKWARD_TWICE
            raise RuntimeError(BACKWARD_TWICE)
        return self.scatter(g, Tensor._make(self.indices)), None

    def scatter(self, g, indices):
        from .creation import zeros
        d = self.dims
        lead = self.in_shape[:-d]
        gi = zeros(lead + (int(np.prod(self.in_shape[-d:])),), dtype=g.dtype, device=g.device)
        return gi.scatter_add(-1, indices.flatten(-d), g.flatten(-d)).reshape(self.in_shape)


class FractionalMaxPool2DBackward0(_FractionalMaxPool):
    dims = 2


class FractionalMaxPool3DBackward0(_FractionalMaxPool):
    dims = 3


def _tuple(v, d):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * d


def _pool(input, kernel_size, output_size, output_ratio, return_indices, samples, d):
    """In PyTorch's order: the output size from the ratio, the random samples drawn, then the
    kernel's checks (3-D windows must also leave one input step spare: its check is strict)."""
    name = f'fractional_max_pool{d}d'
    if output_size is None and output_ratio is None:
        raise ValueError(f'fractional_max_pool{d}d requires specifying either an output_size or an output_ratio')
    if output_size is None:
        if d == 2 and len(output_ratio) > 2:      # (len(): a bare number is refused, as in PyTorch)
            raise ValueError('fractional_max_pool2d requires output_ratio to either be a single Int or tuple of Ints.')
        ratio = _tuple(output_ratio, d)
        output_size = tuple(int(input.size(j - d) * ratio[j]) for j in range(d))
    if samples is None:
        from .random import rand
        n = 1 if input.dim() == d + 1 else input.size(0)
        samples = rand(n, input.size(-d - 1), d, dtype=input.dtype, device=input.device)
    if input.dim() not in (d + 1, d + 2):
        raise RuntimeError(f'{name}(): Expected {d + 1}D or {d + 2}D tensor, but got: {list(input.shape)}')
    kernel = _tuple(kernel_size, d)
    spatial = input.shape[-d:]
    out_size = _tuple(output_size, d)
    name_at = name + ('' if d == 2 else '_out')          # PyTorch's 3-D kernel names its out= form
    for j in range(1, input.dim()):
        if input.shape[j] == 0:
            raise RuntimeError(f'{name_at}(): Expected input to have non-zero size for non-batch dimensions, but '
                               f'got{list(input.shape)} with dimension {j} being empty.')
    names = ('height', 'width') if d == 2 else ('time', 'height', 'width')
    spare = 0 if d == 2 else 1
    for j in range(d):
        if out_size[j] + kernel[j] - 1 + spare > spatial[j]:
            raise RuntimeError(f'{name_at}(): pool {names[j]} {kernel[j]} too large relative to input {names[j]} '
                               f'{spatial[j]}')
    n = input.shape[0] if input.dim() == d + 2 else 1
    if samples.shape[0] < n:
        raise RuntimeError('Expect _random_samples.size(0) no less then input batch size.')
    cls = FractionalMaxPool2DBackward0 if d == 2 else FractionalMaxPool3DBackward0
    out, idx = apply(cls, input, samples._data, kernel=kernel, out_size=out_size)
    return (out, idx) if return_indices else out


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 2)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, return_indices, _random_samples, 3)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 2)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _pool(input, kernel_size, output_size, output_ratio, True, _random_samples, 3)

