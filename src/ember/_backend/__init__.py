"""Per-device array modules. CPU is NumPy; CUDA (CuPy) arrives with the GPU issue."""
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


def check_cuda():
    reason = cuda_unavailable_reason()
    if reason is not None:
        raise AssertionError(f'Torch not compiled with CUDA enabled ({reason})')


def move(arr, device):
    """Copy ``arr`` to ``device`` (an ember.device)."""
    if device.type == 'cpu':
        return arr if isinstance(arr, np.ndarray) else arr.get()
    check_cuda()
    import cupy
    with cupy.cuda.Device(device.index or 0):
        return cupy.asarray(arr)
