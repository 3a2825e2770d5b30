"""Per-device array modules: NumPy on the CPU, CuPy on CUDA, and moving arrays between them."""
import functools

import numpy as np


def array_module(arr):
    """numpy for host arrays, cupy for device arrays."""
    if isinstance(arr, np.ndarray):
        return np
    mod = type(arr).__module__
    if mod.startswith('cupy'):
        import cupy
        return cupy
    return np


_CUPY_AT = frozenset(('add', 'subtract', 'maximum', 'minimum', 'bitwise_and', 'bitwise_or', 'bitwise_xor'))


def ufunc_at(name, out, where, vals):
    """``numpy.<name>.at(out, where, vals)`` on either device. CuPy's ``ufunc.at`` exists only for
    the ufuncs in ``_CUPY_AT``; the others (``multiply``) reduce on the host and copy back."""
    m = array_module(out)
    if m is np or name in _CUPY_AT:
        getattr(m, name).at(out, where, vals)
        return

    def host(a):
        return a if isinstance(a, np.ndarray) or not hasattr(a, 'get') else a.get()
    idx = tuple(host(w) for w in where) if isinstance(where, tuple) else host(where)
    h = out.get()
    getattr(np, name).at(h, idx, host(vals))
    out[...] = m.asarray(h)


def cuda_unavailable_reason():
    try:
        import cupy
    except Exception as e:  # noqa: BLE001 - any import failure means no CUDA
        return f'CuPy is not installed ({e.__class__.__name__})'
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # noqa: BLE001
        return f'no CUDA device ({e})'
    return None if n else 'no CUDA device'


@functools.lru_cache(maxsize=1)
def cuda_reason():
    """``cuda_unavailable_reason()``, asked once per process."""
    return cuda_unavailable_reason()


def check_cuda():
    reason = cuda_reason()
    if reason is not None:
        raise AssertionError(f'Torch not compiled with CUDA enabled\n(ember: {reason})')   # PyTorch's first line


@functools.lru_cache(maxsize=1)
def _old_cupy():
    import cupy
    return int(cupy.__version__.split('.')[0]) < 14


def check_bf16(nd):
    """bfloat16 arrays on the GPU need CuPy 14 (it stores them as ml_dtypes.bfloat16)."""
    if nd is not None and nd.name == 'bfloat16' and _old_cupy():
        raise TypeError('bfloat16 tensors on CUDA need CuPy 14 or newer (pip install -U cupy-cuda12x)')


def move(arr, device):
    """Copy ``arr`` to ``device`` (an ember.device; ``cuda`` without an index: the current GPU)."""
    if device.type == 'cpu':
        return arr if isinstance(arr, np.ndarray) else arr.get()
    check_cuda()
    check_bf16(arr.dtype)
    import cupy
    idx = device.index if device.index is not None else cupy.cuda.runtime.getDevice()
    if isinstance(arr, np.ndarray):
        with cupy.cuda.Device(idx):
            return cupy.asarray(arr)
    if arr.device.id == idx:
        return arr
    with cupy.cuda.Device(arr.device.id):          # GPU to GPU: one device-to-device copy
        src = cupy.ascontiguousarray(arr)
    with cupy.cuda.Device(idx):
        dst = cupy.empty(src.shape, src.dtype)
        if src.nbytes:
            dst.data.copy_from_device(src.data, src.nbytes)
    return dst
