"""Core overheads, ember vs PyTorch in one process: a tiny op with and without grad,
and one SGD step of an MLP 784-256-10 on a batch of 128.

Run:  python benchmarks/bench_core.py      (prints ms per call and the ratio ember/torch)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402


def timeit(fn, repeat=7, number=None, sync=None):
    """Best-of-`repeat` mean time of one call, in seconds (``sync()`` ends each timed loop: GPUs)."""
    sync = sync or (lambda: None)
    fn()
    sync()
    if number is None:
        number, t = 1, 0.0
        while t < 0.05:
            number *= 2
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            sync()
            t = time.perf_counter() - t0
    best = float('inf')
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        sync()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def tiny_op(lib, grad):
    a = lib.ones(4, requires_grad=grad)
    b = lib.ones(4)
    return lambda: a * b + a


def tiny_backward(lib):
    a = lib.ones(4, requires_grad=True)

    def step():
        (a * 2).sum().backward()
    return step


def mlp_step(lib, use_ember):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 128))
    w1 = lib.tensor((rng.standard_normal((784, 256)) * 0.05).astype(np.float32), requires_grad=True)
    b1 = lib.zeros(256, requires_grad=True)
    w2 = lib.tensor((rng.standard_normal((256, 10)) * 0.05).astype(np.float32), requires_grad=True)
    b2 = lib.zeros(10, requires_grad=True)
    params = [w1, b1, w2, b2]
    onehot = lib.zeros(128, 10)
    onehot[lib.arange(128), y] = 1.0

    def step():
        h = (x @ w1 + b1).relu()
        logits = h @ w2 + b2
        # softmax cross-entropy written with core ops (nn arrives in a later issue)
        m = logits.max(1, keepdim=True)[0].detach()
        z = logits - m
        lse = z.exp().sum(1, keepdim=True).log()
        loss = -((z - lse) * onehot).sum() / 128
        for p in params:
            p.grad = None
        loss.backward()
        with lib.no_grad():
            for p in params:
                p.sub_(p.grad, alpha=0.1)
    return step


def main():
    threads.setup_torch(torch)
    rows = [
        ('tiny op a*b+a, no grad (us)', tiny_op(torch, False), tiny_op(ember, False), 1e6, None),
        ('tiny op a*b+a, with grad (us)', tiny_op(torch, True), tiny_op(ember, True), 1e6, 2.0),
        ('tiny (a*2).sum().backward() (us)', tiny_backward(torch), tiny_backward(ember), 1e6, None),
        ('MLP 784-256-10 b128 SGD step (ms)', mlp_step(torch, False), mlp_step(ember, True), 1e3, 1.2),
    ]
    print(f'{"workload":38s} {"torch":>9s} {"ember":>9s} {"ember/torch":>12s} {"target":>7s}')
    for name, ft, fe, scale, target in rows:
        tt, te = timeit(ft), timeit(fe)
        tgt = f'<= {target}' if target else ''
        print(f'{name:38s} {tt * scale:9.2f} {te * scale:9.2f} {te / tt:12.2f} {tgt:>7s}')


if __name__ == '__main__':
    main()
