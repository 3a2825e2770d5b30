"""CPU random draws, ember vs PyTorch in one process: randn, normal_, randperm and randint on
large tensors (data generation, shuffles), each from a freshly seeded generator so both
libraries draw the same numbers.

Run:  python benchmarks/bench_random.py      (prints ms per call and the ratio ember/torch)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402
from bench_core import timeit  # noqa: E402

N = 1_000_000

CASES = {
    'randn f32': lambda T: T.randn(N),
    'randn f32 n%16=5': lambda T: T.randn(N + 5),
    'normal_ f32 (2,3)': lambda T: T.empty(N).normal_(2.0, 3.0),
    'randn f64': lambda T: T.randn(N, dtype=T.float64),
    'randn f16': lambda T: T.randn(N, dtype=T.float16),
    'rand f32': lambda T: T.rand(N),
    'randperm 1e6': lambda T: T.randperm(N),
    'randperm 1e4': lambda T: T.randperm(10_000),
    'randint 0..10': lambda T: T.randint(0, 10, (N,)),
    'randint 0..2**30': lambda T: T.randint(0, 1 << 30, (N,)),
}


def measured(lib, name):
    """One seeded call of case ``name`` (run.py times it)."""
    lib.manual_seed(0)
    return CASES[name](lib)


def measure(fn, lib):
    def call():
        lib.manual_seed(0)
        return fn(lib)
    return timeit(call, repeat=5)


def main(names=None):
    threads.setup_torch(torch)
    print(f'{"case":<20} {"torch ms":>9} {"ember ms":>9} {"ember/torch":>12}')
    ratios = []
    for name, fn in CASES.items():
        if names and not any(s in name for s in names):
            continue
        t, e = measure(fn, torch) * 1e3, measure(fn, ember) * 1e3
        ratios.append(e / t)
        print(f'{name:<20} {t:>9.2f} {e:>9.2f} {e / t:>12.2f}', flush=True)
    print(f'geometric mean ember/torch: {float(np.exp(np.mean(np.log(ratios)))):.2f}')


if __name__ == '__main__':
    main(sys.argv[1:])
