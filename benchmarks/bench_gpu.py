"""GPU speed, ember vs PyTorch on the same GPU in one process (issue 6's numbers):

- per-op launch overhead: ``a*b+a`` on 4-element CUDA tensors, with and without grad;
- conv 3x3 64->64 on 56x56, batch 32, forward and forward+backward (ms and TFLOP/s);
- ResNet-18, batch 32 at 224x224, float32: forward + backward + SGD step.

Run on a machine with a GPU, PyTorch CUDA and CuPy:  python benchmarks/bench_gpu.py
(``--small`` shrinks every workload: a smoke run, e.g. against tests/fakecuda on the CPU).
Timings synchronize the device before the clock stops; best of 5 repeats.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_core import timeit  # noqa: E402  (sets the thread pools before NumPy and torch load)
import ember  # noqa: E402

try:
    import torch  # noqa: E402
except ImportError:          # ember alone still prints its own numbers
    torch = None


def clock(lib, fn):
    return timeit(fn, repeat=5, sync=lib.cuda.synchronize)


def tiny(lib, grad):
    a = lib.ones(4, device='cuda', requires_grad=grad)
    b = lib.ones(4, device='cuda')
    return lambda: a * b + a


def conv(lib, n, c, hw, backward):
    lib.manual_seed(0)
    x = lib.randn(n, c, hw, hw, device='cuda', requires_grad=backward)
    m = lib.nn.Conv2d(c, c, 3, padding=1, bias=False).cuda()

    def fwd():
        return m(x)

    def fwd_bwd():
        m(x).sum().backward()
    return fwd_bwd if backward else fwd


def _block(nn, cin, cout, stride):
    class Basic(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.relu(self.b1(self.c1(x)))
            out = self.b2(self.c2(out))
            return self.relu(out + (x if self.down is None else self.down(x)))
    return Basic()


def resnet18(lib, classes=1000):
    """torchvision's ResNet-18 layout, built from either library's nn."""
    nn = lib.nn
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
              nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [_block(nn, cin, cout, stride), _block(nn, cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, classes)]
    return nn.Sequential(*layers)


def resnet_step(lib, batch, hw):
    lib.manual_seed(0)
    net = resnet18(lib).cuda()
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    x = lib.randn(batch, 3, hw, hw, device='cuda')
    y = lib.randint(0, 1000, (batch,), device='cuda')
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--small', action='store_true', help='tiny shapes: a smoke run')
    ap.add_argument('--profile', action='store_true', help="also profile ember's ResNet step on the host")
    args = ap.parse_args()
    n, hw, rb, rhw = (2, 8, 2, 32) if args.small else (32, 56, 32, 224)
    flops = 2 * n * 64 * 64 * 9 * hw * hw
    rows = [('op a*b+a, no grad (us)', lambda L: tiny(L, False), 1e6, None),
            ('op a*b+a, with grad (us)', lambda L: tiny(L, True), 1e6, None),
            (f'conv3x3 64ch {hw}x{hw} b{n} fwd (ms)', lambda L: conv(L, n, 64, hw, False), 1e3, flops),
            (f'conv3x3 64ch {hw}x{hw} b{n} fwd+bwd (ms)', lambda L: conv(L, n, 64, hw, True), 1e3, 3 * flops),
            (f'ResNet-18 b{rb} {rhw}x{rhw} train step (ms)', lambda L: resnet_step(L, rb, rhw), 1e3, None)]
    has_torch = torch is not None and torch.cuda.is_available()
    print(f'device: {ember.cuda.get_device_name()}')
    print('| workload | torch | ember | ember/torch | ember TFLOP/s |')
    print('|---|---|---|---|---|')
    for name, make, scale, fl in rows:
        te = clock(ember, make(ember))
        tt = clock(torch, make(torch)) if has_torch else None
        ratio = f'{te / tt:.2f}' if tt else '-'
        rate = f'{fl / te / 1e12:.1f}' if fl else ''
        tt_s = f'{tt * scale:.3f}' if tt else '-'
        print(f'| {name} | {tt_s} | {te * scale:.3f} | {ratio} | {rate} |', flush=True)
    from ember._backend import cudnn_conv
    print('cuDNN convolutions:', cudnn_conv.stats, '(graphs built / executed / declined)')
    if args.profile:
        profile(resnet_step(ember, rb, rhw))


def profile(step, steps=3):
    """Where the host spends ember's step (a launch-bound GPU run is host-bound)."""
    import cProfile
    import pstats
    step()
    ember.cuda.synchronize()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    ember.cuda.synchronize()
    prof.disable()
    pstats.Stats(prof).sort_stats('tottime').print_stats(25)


if __name__ == '__main__':
    main()
