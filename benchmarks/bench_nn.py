"""Layer workloads, ember vs PyTorch in one process: a LeNet SGD step (batch 64, 28x28)
and a 3x3 convolution 64->64 on 56x56 (forward, and forward+backward).

Run:  python benchmarks/bench_nn.py      (prints ms per call and the ratio ember/torch)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import threads  # noqa: E402  (before NumPy and torch)
import numpy as np  # noqa: E402
import torch  # noqa: E402

import ember  # noqa: E402
from bench_core import timeit  # noqa: E402


def lenet(lib):
    nn, F = lib.nn, lib.nn.functional

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), 2)
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)
            return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
    return LeNet()


def lenet_step(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 64))
    net = lenet(lib)
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        loss = lib.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def resnet_cifar(lib, blocks=(1, 1, 1), width=16):
    """A small CIFAR ResNet: conv-bn-relu stem, basic blocks at widths 16/32/64, pool, linear."""
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.short = nn.Sequential()
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            return F.relu(self.bn2(self.conv2(out)) + self.short(x))

    layers, cin = [nn.Conv2d(3, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU()], width
    for i, n in enumerate(blocks):
        cout = width * 2 ** i
        for j in range(n):
            layers.append(Block(cin, cout, 2 if (j == 0 and i > 0) else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


def train_step(lib, net, x, y):
    opt = lib.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    def step():
        loss = lib.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step


def resnet_step(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((32, 3, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 32))
    return train_step(lib, resnet_cifar(lib), x, y)


def lstm_step(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((35, 32, 64)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 32))
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(64, 128)
            self.head = nn.Linear(128, 10)

        def forward(self, x):
            out, (h, c) = self.lstm(x)
            return self.head(h[-1])
    return train_step(lib, Net(), x, y)


def conv_fwd(lib, backward=False):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((8, 64, 56, 56)).astype(np.float32), requires_grad=backward)
    w = lib.tensor(rng.standard_normal((64, 64, 3, 3)).astype(np.float32) * 0.05, requires_grad=backward)

    def run():
        y = lib.nn.functional.conv2d(x, w, padding=1)
        if backward:
            y.sum().backward()
    return run


def gemm_gflops():
    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    t = timeit(lambda: a @ a, repeat=3)
    return 2 * 1024 ** 3 / t / 1e9


def main():
    threads.setup_torch(torch)
    peak = gemm_gflops()
    print(f'NumPy float32 GEMM 1024^3: {peak:.1f} GFLOP/s')
    print(f'{"workload":<34} {"torch ms":>9} {"ember ms":>9} {"ember/torch":>12}')
    rows = [('LeNet step b64 28x28 (SGD)', lenet_step, None),
            ('ResNet-CIFAR step b32 32x32 (SGD)', resnet_step, None),
            ('LSTM 64->128 seq35 b32 step (SGD)', lstm_step, None),
            ('conv3x3 64->64 56x56 b8 fwd', lambda lib: conv_fwd(lib), 2 * 8 * 64 * 64 * 9 * 56 * 56),
            ('conv3x3 64->64 56x56 b8 fwd+bwd', lambda lib: conv_fwd(lib, True), 6 * 8 * 64 * 64 * 9 * 56 * 56)]
    for name, make, flops in rows:
        t = timeit(make(torch), repeat=3)
        e = timeit(make(ember), repeat=3)
        extra = f'   ember {flops / e / 1e9:.1f} GFLOP/s ({flops / e / 1e9 / peak:.0%} of GEMM)' if flops else ''
        print(f'{name:<34} {t * 1e3:>9.2f} {e * 1e3:>9.2f} {e / t:>12.2f}{extra}')


if __name__ == '__main__':
    main()
