"""DataLoader throughput, ember vs PyTorch: one epoch over the same synthetic dataset
(2,000 samples of 3x32x32 float32, each normalised and, for every other index, flipped:
light per-item work), batch size 64, with 0 and 2 worker processes.

Run:  python benchmarks/bench_data.py      (prints batches/s and the ratio ember/torch;
                                            above 1 means ember loads faster)
Timings are the best of a few epochs after a warm-up epoch; the 2-worker row uses
persistent workers, so process start-up is not counted (the last row measures it). The
first row loads precomputed samples: the loader's own cost (sampling, fetching, collating);
the per-item rows add the dataset's work, which is mostly the cost of ember's ops.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.utils.data  # noqa: E402

import ember  # noqa: E402
import ember.utils.data  # noqa: E402

N, SHAPE, BATCH = 2000, (3, 32, 32), 64


def make_dataset(lib):
    """The same data and the same per-item code for both libraries."""
    data = lib.from_numpy(np.random.default_rng(0).standard_normal((N,) + SHAPE).astype(np.float32))
    labels = lib.from_numpy(np.arange(N) % 10)
    mean = lib.tensor([0.5, 0.4, 0.3]).reshape(3, 1, 1)
    std = lib.tensor([0.2, 0.25, 0.3]).reshape(3, 1, 1)

    class Synthetic(lib.utils.data.Dataset):
        def __len__(self):
            return N

        def __getitem__(self, i):
            x = (data[i] - mean) / std
            if i % 2:
                x = x.flip(-1)
            return x, labels[i]
    return Synthetic()


def make_items(lib):
    """Precomputed samples in a list: only the loader's own work (sampling, fetch, collate)."""
    data = make_dataset(lib)
    return [data[i] for i in range(N)]


def epoch_time(loader, epochs=3):
    for _ in loader:                # warm-up (and worker start for persistent workers)
        pass
    best = float('inf')
    for _ in range(epochs):
        t0 = time.perf_counter()
        n = sum(1 for _ in loader)
        best = min(best, time.perf_counter() - t0)
    return best / n


def startup_time(lib, ds):
    """Time to the first batch of a fresh 2-worker loader (process start included)."""
    best = float('inf')
    for _ in range(3):
        t0 = time.perf_counter()
        it = iter(lib.utils.data.DataLoader(ds, batch_size=BATCH, num_workers=2))
        next(it)
        best = min(best, time.perf_counter() - t0)
        del it
    return best


def main():
    threads.setup_torch(torch)
    sets = {lib: make_dataset(lib) for lib in (torch, ember)}
    items = {lib: make_items(lib) for lib in (torch, ember)}
    print(f'{"workload (batch 64)":40s} {"torch":>9s} {"ember":>9s} {"ember/torch":>12s}')
    for name, data, workers in [('batches/s, precomputed samples, 0 wkrs', items, 0),
                                ('batches/s, per-item work, 0 workers', sets, 0),
                                ('batches/s, per-item work, 2 workers', sets, 2)]:
        kw = dict(batch_size=BATCH, shuffle=True, num_workers=workers)
        if workers:
            kw['persistent_workers'] = True
        rates = {}
        for lib, ds in data.items():
            loader = lib.utils.data.DataLoader(ds, **kw)
            rates[lib] = 1.0 / epoch_time(loader)
            del loader
        print(f'{name:40s} {rates[torch]:9.1f} {rates[ember]:9.1f} {rates[ember] / rates[torch]:12.2f}')
    st = {lib: startup_time(lib, ds) for lib, ds in sets.items()}
    name = 'first batch, fresh 2-worker loader (ms)'
    print(f'{name:40s} {st[torch] * 1e3:9.1f} {st[ember] * 1e3:9.1f} {st[ember] / st[torch]:12.2f}  (time)')


if __name__ == '__main__':
    main()
