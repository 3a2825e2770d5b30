"""Per-op overhead, ember vs PyTorch in one process: ten common ops on tiny tensors
(so the time is the framework's own cost per call, not arithmetic), without and with
autograd recording.

Run:  python benchmarks/bench_ops.py      (prints a table: µs per call and ember/torch)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402
from bench_core import timeit  # noqa: E402

OPS = {
    'add': lambda T, a, b: a + b,
    'mul': lambda T, a, b: a * b,
    'matmul': lambda T, a, b: a @ b,
    'sum': lambda T, a, b: a.sum(),
    'relu': lambda T, a, b: T.relu(a),
    'exp': lambda T, a, b: a.exp(),
    'view': lambda T, a, b: a.view(-1),
    'getitem': lambda T, a, b: a[1:3],
    'cat': lambda T, a, b: T.cat([a, b]),
    'softmax': lambda T, a, b: T.softmax(a, dim=1),
}


def inputs(lib, grad):
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=grad)
    b = lib.tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=grad)
    return a, b


def measure(name, fn, grad):
    ta, tb = inputs(torch, grad)
    ea, eb = inputs(ember, grad)
    t = timeit(lambda: fn(torch, ta, tb))
    e = timeit(lambda: fn(ember, ea, eb))
    return t * 1e6, e * 1e6


def main():
    threads.setup_torch(torch)
    print(f'{"op":<10} {"grad":<5} {"torch µs":>9} {"ember µs":>9} {"ember/torch":>12}')
    ratios = []
    for grad in (False, True):
        for name, fn in OPS.items():
            t, e = measure(name, fn, grad)
            ratios.append(e / t)
            print(f'{name:<10} {str(grad):<5} {t:>9.2f} {e:>9.2f} {e / t:>12.2f}')
    print(f'geometric mean ember/torch: {float(np.exp(np.mean(np.log(ratios)))):.2f}')


if __name__ == '__main__':
    main()
