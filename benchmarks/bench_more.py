"""More workloads for the suite (benchmarks/run.py), ember vs PyTorch: a Transformer encoder
layer training step, an Adam step over 10M parameters, and the peak memory of a ResNet-CIFAR
training step (measured in a fresh process per library).

Run:  python benchmarks/bench_more.py      (prints ms per call / MB and the ratio ember/torch)
      python benchmarks/bench_more.py --mem ember|torch   (one memory measurement, in MB)
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def transformer_step(lib):
    """One Adam step of nn.TransformerEncoderLayer(128, 4, 256, batch_first) on batch 32 x seq 64."""
    rng = np.random.default_rng(0)
    lib.manual_seed(0)
    x = lib.tensor(rng.standard_normal((32, 64, 128)).astype(np.float32))
    target = lib.tensor(rng.standard_normal((32, 64, 128)).astype(np.float32))
    layer = lib.nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=256, batch_first=True)
    opt = lib.optim.Adam(layer.parameters(), lr=1e-3)

    def step():
        loss = lib.nn.functional.mse_loss(layer(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def adam_step(lib, n_tensors=10, size=1_000_000):
    """Adam's update alone over n_tensors x size parameters; the gradients are set once."""
    rng = np.random.default_rng(0)
    params = []
    for _ in range(n_tensors):
        p = lib.tensor(rng.standard_normal(size).astype(np.float32), requires_grad=True)
        p.grad = lib.tensor(rng.standard_normal(size).astype(np.float32))
        params.append(p)
    opt = lib.optim.Adam(params, lr=1e-3)
    return opt.step


def _rss_mb(field):
    """A field of /proc/self/status (VmRSS: current, VmHWM: peak) in MB."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f'{field} not in /proc/self/status')


def _reset_peak():
    """Reset the kernel's peak-RSS mark to the current RSS (Linux >= 4.0); False if refused."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
        return True
    except OSError:
        return False


def _measure_memory(name, steps=3):
    """In this (fresh) process: build the ResNet-CIFAR model and a batch, note the RSS, run
    `steps` training steps, and print the peak RSS increase in MB."""
    import gc
    import resource
    if name == 'torch':
        import torch as lib
        threads.setup_torch(lib)
    else:
        import ember as lib
    from bench_nn import resnet_cifar, train_step
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((32, 3, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 32))
    step = train_step(lib, resnet_cifar(lib), x, y)
    gc.collect()
    base = _rss_mb('VmRSS')
    if _reset_peak():
        peak_of = lambda: _rss_mb('VmHWM')  # noqa: E731
    else:  # ru_maxrss also counts any earlier peak (imports): less exact, still an upper bound
        peak_of = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731
    for _ in range(steps):
        step()
    print(f'{max(peak_of() - base, 0.0):.3f}')


def memory_peak(name):
    """Peak RSS increase (MB) of 3 ResNet-CIFAR training steps of `name` ('ember' or 'torch'),
    measured in a fresh Python process."""
    env = dict(os.environ)
    src = os.path.join(os.path.dirname(HERE), 'src')
    env['PYTHONPATH'] = os.pathsep.join(p for p in (src, env.get('PYTHONPATH')) if p)
    out = subprocess.run([sys.executable, os.path.join(HERE, 'bench_more.py'), '--mem', name],
                         env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    import torch
    import ember
    from bench_core import timeit
    threads.setup_torch(torch)
    print(f'{"workload":40s} {"torch":>10s} {"ember":>10s} {"ember/torch":>12s}')
    for name, make in [('Transformer enc. layer step (ms)', transformer_step),
                       ('Adam step, 10M params (ms)', adam_step)]:
        t, e = timeit(make(torch), repeat=3), timeit(make(ember), repeat=3)
        print(f'{name:40s} {t * 1e3:10.2f} {e * 1e3:10.2f} {e / t:12.2f}')
    t, e = memory_peak('torch'), memory_peak('ember')
    print(f'{"ResNet-CIFAR step, peak RSS (MB)":40s} {t:10.1f} {e:10.1f} {e / t:12.2f}')


if __name__ == '__main__':
    if sys.argv[1:2] == ['--mem']:
        _measure_memory(sys.argv[2])
    else:
        main()
