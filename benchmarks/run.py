"""ember's benchmark suite in one command: every workload in ember and in PyTorch in one
process, printed as one markdown table (workload, torch, ember, ember/torch, target, and the
achieved GFLOP/s of the conv/linear workloads as a share of the machine's BLAS GEMM).

Run:  python benchmarks/run.py                 full suite (a few minutes on 2 cores)
      python benchmarks/run.py --quick         fewer repeats: a smoke run (about a minute)
      python benchmarks/run.py --only lstm,conv   workloads whose key (else name) holds a substring
      python benchmarks/run.py --list          the workload keys
      BENCH_THREADS=2 python benchmarks/run.py     threads for both libraries (default 1)

Every ratio is ember/torch of a time (or of memory), so above 1 always means ember is slower
(or bigger). Times are the best of several repeats; the GFLOP/s column is ember's, from the
FLOPs that torch.utils.flop_counter counts for the same step (computed by hand for the LSTM,
whose fused kernel it does not count), over NumPy's float32 GEMM speed on 1024x1024 matrices.
"""
import argparse
import os
import platform
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.utils.data  # noqa: E402

try:
    import ember  # noqa: E402
except ImportError:  # run from a checkout without PYTHONPATH=src
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'src'))
    import ember  # noqa: E402
import ember.utils.data  # noqa: E402

import bench_core  # noqa: E402
import bench_data  # noqa: E402
import bench_more  # noqa: E402
import bench_nn  # noqa: E402
import bench_random  # noqa: E402

CONV_FLOPS = 2 * 8 * 64 * 64 * 9 * 56 * 56
# LSTM 64->128, seq 35, batch 32: forward GEMMs, plus the weight and hidden-state gradients
T, B, I, H = 35, 32, 64, 128
LSTM_FLOPS = 2 * T * B * 4 * H * (2 * (I + H) + H)


class Workload:
    """One row: `make(lib)` returns the callable to time (or `measure(lib, quick)` returns a
    value directly); `scale`/`unit` format the values; `flops` is None (no GFLOP/s), a number,
    or 'count' (count it with torch's flop counter on one torch call)."""

    def __init__(self, key, name, make=None, unit='ms', target='', flops=None, measure=None,
                 repeat=5):
        self.key, self.name, self.make, self.unit = key, name, make, unit
        self.target, self.flops, self.measure, self.repeat = target, flops, measure, repeat


SCALE = {'µs': 1e6, 'ms': 1e3, 'MB': 1.0}


def dataloader_time(workers):
    """Seconds per batch of bench_data's synthetic dataset (per-item work, batch 64)."""
    def measure(lib, quick):
        kw = dict(batch_size=bench_data.BATCH, shuffle=True, num_workers=workers)
        if workers:
            kw['persistent_workers'] = True
        loader = lib.utils.data.DataLoader(bench_data.make_dataset(lib), **kw)
        t = bench_data.epoch_time(loader, epochs=1 if quick else 3)
        del loader
        return t
    return measure


def memory_peak(lib, quick):
    return bench_more.memory_peak('torch' if lib is torch else 'ember')


WORKLOADS = [
    Workload('tiny-op', 'tiny op `a*b+a`, no grad', lambda lib: bench_core.tiny_op(lib, False), 'µs', repeat=7),
    Workload('tiny-op-grad', 'tiny op `a*b+a`, with grad', lambda lib: bench_core.tiny_op(lib, True), 'µs',
             '≤ 2.0', repeat=7),
    Workload('tiny-backward', 'tiny `(a*2).sum().backward()`', bench_core.tiny_backward, 'µs', repeat=7),
    Workload('mlp', 'MLP 784-256-10, batch 128, SGD step', lambda lib: bench_core.mlp_step(lib, lib is ember),
             'ms', '≤ 1.2', 'count', repeat=7),
    Workload('lenet', 'LeNet step, batch 64, 28×28 (SGD)', bench_nn.lenet_step, 'ms', '≤ 1.5', 'count'),
    Workload('resnet', 'ResNet-CIFAR step, batch 32, 32×32 (SGD)', bench_nn.resnet_step, 'ms', '≤ 1.5', 'count'),
    Workload('conv-fwd', 'conv3x3 64→64, 56×56, batch 8, forward', bench_nn.conv_fwd, 'ms',
             '≤ 1.5; ≥ 60% of GEMM', CONV_FLOPS),
    Workload('conv-fwd-bwd', 'conv3x3 64→64, 56×56, batch 8, forward+backward',
             lambda lib: bench_nn.conv_fwd(lib, True), 'ms', '≤ 1.5', 3 * CONV_FLOPS),
    Workload('lstm', 'LSTM 64→128, seq 35, batch 32, step (SGD)', bench_nn.lstm_step, 'ms', '≤ 2.0', LSTM_FLOPS),
    Workload('transformer', 'TransformerEncoderLayer 128/4 heads/ff 256, batch 32, seq 64, step (Adam)',
             bench_more.transformer_step, 'ms', '', 'count'),
    Workload('data-0w', 'DataLoader, batch 64, per-item work, 0 workers (time per batch)',
             unit='ms', measure=dataloader_time(0)),
    Workload('data-2w', 'DataLoader, batch 64, per-item work, 2 persistent workers (time per batch)',
             unit='ms', measure=dataloader_time(2)),
    Workload('adam-10m', 'Adam `opt.step()`, 10M parameters (10 × 1M)', bench_more.adam_step, 'ms', '≤ 1.2'),
    Workload('randn', 'randn(1M) float32, seeded', lambda lib: lambda: bench_random.measured(lib, 'randn f32'), 'ms'),
    Workload('randperm', 'randperm(1M), seeded', lambda lib: lambda: bench_random.measured(lib, 'randperm 1e6'), 'ms'),
    Workload('memory', 'ResNet-CIFAR step, peak RSS increase over 3 steps (fresh process)',
             unit='MB', target='≤ 1.5', measure=memory_peak),
]


def machine_line(gemm):
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return (f'Machine: {cpu}, {os.cpu_count()} cores; NumPy {np.__version__} with {blas_name()}; '
            f'PyTorch {torch.__version__}; {threads.THREADS} thread(s) per library '
            f'(BENCH_THREADS); NumPy float32 GEMM 1024³: {gemm:.1f} GFLOP/s.')


def blas_name():
    try:
        from threadpoolctl import threadpool_info
        for info in threadpool_info():
            if info.get('user_api') == 'blas':
                arch = f", {info['architecture']}" if info.get('architecture') else ''
                return f"{info.get('internal_api', 'BLAS')} {info.get('version') or ''}{arch}".strip()
    except Exception:
        pass
    try:
        blas = np.show_config(mode='dicts')['Build Dependencies']['blas']
        return f"{blas.get('name', 'BLAS')} {blas.get('version', '')}".strip()
    except Exception:
        return 'unknown BLAS'


def count_flops(fn):
    from torch.utils.flop_counter import FlopCounterMode
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def run_one(w, lib, quick):
    """(seconds or MB, flops or None) for one library."""
    if w.measure is not None:
        return w.measure(lib, quick), None
    fn = w.make(lib)
    flops = count_flops(fn) if (w.flops == 'count' and lib is torch) else None
    repeat = 2 if quick else w.repeat
    return bench_core.timeit(fn, repeat=repeat), flops


def fmt(value, unit, per_batch=False):
    v = value * SCALE[unit]
    digits = 2 if v < 10 else 1 if v < 100 else 0
    text = f'{v:.{digits}f} {unit}'
    return text + f' ({1 / value:.0f} batches/s)' if per_batch else text


def select(names):
    if not names:
        return WORKLOADS
    picked = set()
    for sub in (s.strip().lower() for s in names.split(',') if s.strip()):
        by_key = {w.key for w in WORKLOADS if sub in w.key}
        picked |= by_key or {w.key for w in WORKLOADS if sub in w.name.lower()}
    return [w for w in WORKLOADS if w.key in picked]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='fewer repeats (smoke run, about a minute)')
    p.add_argument('--only', metavar='NAME[,NAME]', help='workloads whose key contains a substring (else whose name does)')
    p.add_argument('--markdown', action=argparse.BooleanOptionalAction, default=True,
                   help='print a markdown table (default) or aligned plain text')
    p.add_argument('--list', action='store_true', help='list the workload keys and exit')
    args = p.parse_args(argv)
    if args.list:
        for w in WORKLOADS:
            print(f'{w.key:14s} {w.name}')
        return 0
    work = select(args.only)
    if not work:
        p.error(f'no workload matches {args.only!r} (see --list)')
    threads.setup_torch(torch)

    t_start = time.perf_counter()
    gemm = bench_nn.gemm_gflops()
    print(machine_line(gemm) + (' Quick run (--quick).' if args.quick else ''))
    print()
    head = ['workload', 'torch', 'ember', 'ember/torch', 'target', 'ember GFLOP/s (share of GEMM)']
    rows, failures = [], []
    if args.markdown:
        print('| ' + ' | '.join(head) + ' |')
        print('|' + '---|' * len(head))
    for w in work:
        cells, res = [w.name], {}
        for lib in (torch, ember):
            try:
                res[lib] = run_one(w, lib, args.quick)
                cells.append(fmt(res[lib][0], w.unit, w.key.startswith('data')))
            except Exception as exc:  # report the failure in the row and go on
                res[lib] = None
                failures.append((w.key, lib.__name__, traceback.format_exc()))
                cells.append(f'error: {type(exc).__name__}')
        ok = res[torch] is not None and res[ember] is not None
        cells.append(f'{res[ember][0] / res[torch][0]:.2f}' if ok else '')
        cells.append(w.target)
        flops = w.flops
        if flops == 'count':
            flops = res[torch][1] if res[torch] is not None else None
        if flops and res[ember] is not None:
            g = flops / res[ember][0] / 1e9
            cells.append(f'{g:.1f} ({g / gemm:.0%})')
        else:
            cells.append('')
        rows.append(cells)
        if args.markdown:
            print('| ' + ' | '.join(cells) + ' |', flush=True)
    if not args.markdown:
        widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
        for r in [head] + rows:
            print('  '.join(c.ljust(wd) if i == 0 else c.rjust(wd) for i, (c, wd) in enumerate(zip(r, widths))))
    print(f'\n({time.perf_counter() - t_start:.0f} s)')
    for key, lib, tb in failures:
        print(f'\n--- {key} failed in {lib}:\n{tb}', file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
