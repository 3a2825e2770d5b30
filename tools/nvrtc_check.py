"""Compile ember's CuPy kernel bodies with NVRTC, without a GPU.

ember's fused CUDA kernels (``_backend/cuda_bn.py``, ``cuda_optim.py``, ``cuda_pool.py``) are CuPy
``ElementwiseKernel``/``ReductionKernel`` bodies, compiled by CuPy on first use. This script
records every kernel those modules define, wraps each body for each dtype in a device function
shaped like CuPy's generated code (in-params as const values, out-params as references, the
type placeholders typedef'd) and compiles it with NVRTC for sm_90. It catches syntax errors and
bad conversions (float16!) on a machine without a GPU; numerical checks happen on the GPU
(each kernel set checks itself against NumPy when first built).

Needs, in any venv: cupy-cuda13x (imports without a GPU), nvidia-cuda-nvrtc and
nvidia-cuda-runtime 13 (for cuda_fp16.h), ml_dtypes.  Run from the repo root:
    python tools/nvrtc_check.py
"""
import glob
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src'))

TYPES = {'float64': 'double', 'float32': 'float', 'int64': 'long long', 'int32': 'int', 'bool': 'bool'}
T_OF = {'float16': 'float16', 'float32': 'float', 'float64': 'double'}


class Recorder:
    """Stands for the cupy module while a kernel set is built: records each kernel's text."""
    _FAKE = False

    def __init__(self):
        self.kernels = []

    def ElementwiseKernel(self, inp, out, op, name, **kw):
        self.kernels.append((name, inp, out, f'{op};'))

    def ReductionKernel(self, inp, out, map_expr, reduce_expr, post_map_expr, identity, name, reduce_type=None,
                        **kw):
        body = (f'typedef {reduce_type} _type_reduce; _type_reduce a = (_type_reduce)({identity});'
                f' _type_reduce b = ({map_expr}); a = ({reduce_expr}); {post_map_expr};')
        self.kernels.append((name, inp, out, body))


def _params(spec, tmap, out):
    res = []
    for p in spec.split(','):
        words = p.split()
        raw = words[0] == 'raw'
        t, n = words[-2:]
        ct = TYPES.get(t, tmap.get(t, t))
        if raw:                                   # CuPy's raw arrays: indexed by the kernel itself
            res.append(f'{ct} *{n}' if out else f'const {ct} *{n}')
        else:
            res.append(f'{ct} &{n}' if out else f'const {ct} {n}')
    return res


def _include_dirs():
    import cupy
    dirs = [os.path.join(os.path.dirname(cupy.__file__), '_core', 'include')]
    dirs += sorted(set(os.path.dirname(p) for p in glob.glob(
        os.path.join(os.path.dirname(os.path.dirname(cupy.__file__)), 'nvidia', '*', 'include', 'cuda_fp16.h'))))
    return dirs


def compile_one(name, inp, out, body, tmap):
    from cupy_backends.cuda.libs import nvrtc
    src = ('#include <cupy/float16.cuh>\n#include <cupy/carray.cuh>\n'
           + ''.join(f'typedef {v} {k};\n' for k, v in tmap.items())
           + f'__device__ void {name}({", ".join(_params(inp, tmap, False) + _params(out, tmap, True))}) '
           + f'{{ const long long i = 0; {body} }}\n')
    prog = nvrtc.createProgram(src, name + '.cu', [], [])
    try:
        nvrtc.compileProgram(prog, [f'-I{d}' for d in _include_dirs()] + ['--gpu-architecture=compute_90'])
        return None
    except Exception:  # noqa: BLE001 - the log says why
        return nvrtc.getProgramLog(prog)


def kernel_sets(dtype):
    """Every kernel ember defines for ``dtype``, as recorded text."""
    from ember._backend import cuda_bn, cuda_optim, cuda_pool
    rec = Recorder()
    cuda_bn._Kernels(rec, np.dtype(dtype))
    if np.dtype(dtype) != np.float16:         # the max-pool kernels serve float32/float64 only
        cuda_pool._Kernels(rec, np.dtype(dtype))
    cuda_optim.make_sgd(rec, np.dtype(dtype))
    return rec.kernels


def main():
    failures = 0
    for dt in ('float16', 'float32', 'float64'):
        tmap = {'T': T_OF[dt], 'R': 'float'}
        for name, inp, out, body in kernel_sets(dt):
            log = compile_one(name, inp, out, body, tmap)
            print(f'{dt:8s} {name:24s} {"ok" if log is None else "FAILED"}')
            if log:
                failures += 1
                print(log)
    print(f'{failures} failed')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
