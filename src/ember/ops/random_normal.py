"""``normal``: its four forms (float or tensor mean and std, and a size), drawn in PyTorch's order."""
import math

import numpy as np

from .._tensor import Tensor
from ._op import apply
from ..autograd.grad_mode import is_grad_enabled
from .creation import _finish, _size
from .random import (_RandomOp, _rng, _src, _cuda_gen, _fdt, _on, _paired, _float_dtype, _check_std,
                     check_generator)


def _std_normal(rng, shape, ref, std=1.0):
    """Normal(0, std) draws for an op on ``ref``, in ``ref``'s dtype (complex: its parts')."""
    nd = _fdt(ref.dtype) if ref.dtype.kind == 'c' else ref.dtype
    if type(ref) is np.ndarray:
        return rng.normal(math.prod(shape), nd, 0.0, std).reshape(shape)
    return rng._draw('normal', 0.0, std, shape, _fdt(ref.dtype)).astype(nd)


class _Normal(_RandomOp):
    """PyTorch's order: draw Normal(0, 1) (Normal(0, std) for a float std), then scale and shift."""

    def forward(self, mean, std, rng=None):
        self.shapes = (np.shape(mean), np.shape(std))
        ref = mean if hasattr(mean, 'dtype') else std
        shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
        scalar_std = not hasattr(std, 'dtype')
        if ref.dtype.kind == 'c':       # each part: std / sqrt(2)
            z = _std_normal(rng, shape + (2,), ref, std / math.sqrt(2) if scalar_std else 1 / math.sqrt(2))
            z = z.view(np.result_type(z.dtype, np.complex64))[..., 0]
        else:
            z = _std_normal(rng, shape, ref, std if scalar_std else 1.0)
        if not scalar_std:
            z = z * std
        return (z + mean).astype(ref.dtype)


# normal(Tensor mean, float std), normal(float mean, Tensor std), normal(Tensor mean, Tensor std)
NormalBackward1, NormalBackward2, NormalBackward3 = (type(f'NormalBackward{i}', (_Normal,), {}) for i in (1, 2, 3))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    check_generator(generator, 'normal', (mean, std) if size is None else (mean, std, size))
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if tm or ts:
        if size is not None:
            raise TypeError('normal() received an invalid combination of arguments')
        if ts and std.is_complex():
            raise RuntimeError('normal expects standard deviation to be non-complex')
        if (mean if tm else std).is_complex() and (mean if tm else std).requires_grad and is_grad_enabled():
            raise RuntimeError('normal does not support automatic differentiation for outputs with complex dtype.')
        _float_dtype((mean if tm else std).dtype, 'normal_kernel_cpu')
        if ts:
            with _on(std._data):
                bad = not bool(np.all(std._data >= 0))
            if bad:
                raise RuntimeError('normal expects all elements of std >= 0.0')
        else:
            _check_std(std)
        cls = NormalBackward3 if tm and ts else NormalBackward1 if tm else NormalBackward2
        return apply(cls, mean, std, rng=_src(generator, mean if tm else std))
    _check_std(std)
    if size is None:
        raise TypeError('normal() received an invalid combination of arguments')
    d = _float_dtype(dtype, 'normal_kernel_cpu')
    shape, g = _size((size,), 'normal', 3), _cuda_gen(generator, device)
    if d.is_complex:            # both parts: mean ``mean``, std ``std / sqrt(2)``
        return _paired(normal(mean, std / math.sqrt(2), shape + (2,), generator=generator, dtype=d.to_real(),
                              device=device), device, requires_grad)
    if g is not None:
        arr = g._draw('normal', mean, std, size=shape, dtype=_fdt(d.np), cast=d.np)
        return _finish(arr, device, requires_grad)
    arr = _rng(generator).normal(math.prod(shape), d.np, mean, std).reshape(shape)
    return _finish(arr, device, requires_grad)
