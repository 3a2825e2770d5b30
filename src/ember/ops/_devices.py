"""Device rules for ops on GPU tensors (the CPU-only path never comes here).

All tensor inputs of an op must live on one device, as in PyTorch; a 0-dim CPU tensor may
join CUDA tensors (PyTorch treats it as a scalar). Kernels run with the inputs' GPU current,
so ``cuda:1`` tensors compute on GPU 1 whatever device is current."""
import contextlib

import numpy as np

_null = contextlib.nullcontext()


def same_device(inputs, arrays, inplace=False):
    """``arrays`` (the inputs' raw arrays), checked to share one device; 0-dim CPU tensors moved
    (never the target of an in-place op, the first input then)."""
    from .._tensor import Tensor
    dev = -1                                       # the common case first: all on one GPU
    for x in inputs:
        if isinstance(x, Tensor):
            d = x._data
            if type(d) is np.ndarray or (dev != -1 and d.device.id != dev):
                break
            dev = d.device.id
    else:
        return arrays
    target = next(x.device for x in inputs if isinstance(x, Tensor) and type(x._data) is not np.ndarray)
    out = list(arrays)
    for i, x in enumerate(inputs):
        if not isinstance(x, Tensor):
            continue
        d = x.device
        if d == target:
            continue
        if d.type == 'cpu' and x._data.ndim == 0 and not (inplace and i == 0):
            from .._backend import move
            out[i] = move(x._data, target)
            continue
        raise RuntimeError(f'Expected all tensors to be on the same device, but found at least two '
                           f'devices, {target} and {d}!')
    return out


def require_same(first, *others):
    """PyTorch's same-device error for tensors an op gets outside its inputs (e.g. updated in place)."""
    for t in others:
        if t is not None and t.device != first.device:
            raise RuntimeError(f'Expected all tensors to be on the same device, but found at least two '
                               f'devices, {first.device} and {t.device}!')


def guard(arr):
    """A context making ``arr``'s GPU the current one (a no-op when it already is)."""
    import cupy
    dev = arr.device.id
    if dev == cupy.cuda.runtime.getDevice():
        return _null
    return cupy.cuda.Device(dev)


def run_on_device(node, inputs, arrays, kw):
    arrays = same_device(inputs, arrays)
    first = next(a for a in arrays if hasattr(a, 'device') and type(a) is not np.ndarray)
    with guard(first):
        try:
            return node.forward(*arrays, **kw)
        except MemoryError as e:         # CuPy's OutOfMemoryError derives from MemoryError
            raise out_of_memory(e, first.device.id) from e


class OutOfMemoryError(RuntimeError):
    """The GPU ran out of memory (``ember.OutOfMemoryError``, also ``ember.cuda.OutOfMemoryError``)."""
    __module__ = 'ember'


def out_of_memory(err, device):
    """PyTorch's error for a failed GPU allocation, with CuPy's own account after it."""
    return OutOfMemoryError(f'CUDA out of memory. GPU {device} could not allocate what this op needs. '
                            'Free memory with del and ember.cuda.empty_cache(), or use a smaller batch.\n'
                            f'(ember: {err})')
