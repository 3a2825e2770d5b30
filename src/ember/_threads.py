"""set_num_threads / get_num_threads: the thread count of NumPy's BLAS (OpenBLAS), which runs
ember's matrix products and convolutions. Found through the loaded library's own entry points;
when none is found the number is only remembered."""
import ctypes
import glob
import os

_NAMES = [('scipy_openblas_set_num_threads64_', 'scipy_openblas_get_num_threads64_'),
          ('scipy_openblas_set_num_threads', 'scipy_openblas_get_num_threads'),
          ('openblas_set_num_threads64_', 'openblas_get_num_threads64_'),
          ('openblas_set_num_threads', 'openblas_get_num_threads')]
_state = {'lib': None, 'threads': None, 'interop': None}


def _blas():
    if _state['lib'] is None:
        _state['lib'] = False
        import numpy
        root = os.path.dirname(numpy.__file__)
        paths = glob.glob(os.path.join(root + '.libs', '*openblas*')) + glob.glob(os.path.join(root, '.dylibs', '*openblas*'))
        for path in paths:
            try:
                lib = ctypes.CDLL(path)
            except OSError:
                continue
            for set_name, get_name in _NAMES:
                if hasattr(lib, set_name) and hasattr(lib, get_name):
                    _state['lib'] = (getattr(lib, set_name), getattr(lib, get_name))
                    break
            if _state['lib']:
                break
    return _state['lib']


def _check(name, n):
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f'{name} expects an int, but got {type(n).__name__}')
    if n <= 0:
        raise RuntimeError(f'{name} expects a positive integer')


def set_num_threads(n):
    """Threads used for intra-op work (BLAS), as torch.set_num_threads."""
    _check('set_num_threads', n)
    lib = _blas()
    if lib:
        lib[0](ctypes.c_int(n))
    _state['threads'] = n


def get_num_threads():
    lib = _blas()
    if lib:
        return int(lib[1]())
    return _state['threads'] or os.cpu_count() or 1


def set_num_interop_threads(n):
    _check('set_num_interop_threads', n)
    if _state['interop'] is not None:
        raise RuntimeError('Error: cannot set number of interop threads after parallel work has started '
                           'or set_num_interop_threads called')
    _state['interop'] = n


def get_num_interop_threads():
    return _state['interop'] or os.cpu_count() or 1
