"""Train a convolutional network on handwritten digits — ember's main demo.

    pip install -e '.[vision]'
    python examples/train.py                          # bundled 8x8 digits: ~99% test accuracy in seconds
    python examples/train.py --model lenet            # LeNet-5 on the digits resized to 32x32
    python examples/train.py --dataset mnist --data ~/data --epochs 3
    python examples/train.py --dataset cifar10 --data ~/data --model resnet18 --epochs 20

It is an ordinary PyTorch training script: swap the first import lines for ``import torch`` and
``torchvision`` and it reads the same (the bundled ``Digits`` data set is ember's own; torchvision
has MNIST, FashionMNIST and CIFAR10). ``--data DIR`` is the folder that holds torchvision's layout
(``DIR/MNIST/raw/...``, ``DIR/FashionMNIST/raw/...``, ``DIR/cifar-10-batches-py/...``).

Per epoch it shows a progress bar with the running loss and accuracy, evaluates on the test
set and saves ``<out>/checkpoint.pt`` (model, optimizer and scheduler state, epoch, test
accuracy, arguments); at the end it plots loss and accuracy per epoch into ``<out>/curves.png``.
"""
import argparse
import os
import sys
import time

import ember as torch                                    # PyTorch: import torch
from ember import nn                                     # PyTorch: from torch import nn
from ember.utils.data import DataLoader                  # PyTorch: from torch.utils.data import ...
from ember.vision import datasets, models, transforms   # PyTorch: from torchvision import ...

try:
    from tqdm import tqdm
except ImportError:                                      # tqdm is optional: plain loops without it
    tqdm = None

DATASETS = {
    # name: (class name in datasets, channels, image size, mean, std)
    'digits': ('Digits', 1, 8, None, None),
    'mnist': ('MNIST', 1, 28, (0.1307,), (0.3081,)),
    'fashionmnist': ('FashionMNIST', 1, 28, (0.2860,), (0.3530,)),
    'cifar10': ('CIFAR10', 3, 32, (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)),
}
LAYOUT = {'mnist': 'MNIST/raw/train-images-idx3-ubyte[.gz] (and the other 3 idx files)',
          'fashionmnist': 'FashionMNIST/raw/train-images-idx3-ubyte[.gz] (and the other 3 idx files)',
          'cifar10': 'cifar-10-batches-py/data_batch_1 ... data_batch_5, test_batch'}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument('--dataset', choices=sorted(DATASETS), default=None,
                   help='data set (default: digits, or mnist when --data is given)')
    p.add_argument('--data', metavar='DIR', default=None,
                   help='folder holding the standard files of --dataset (torchvision layout)')
    p.add_argument('--download', action='store_true', help='let the data set download missing files')
    p.add_argument('--model', choices=['cnn', 'lenet', 'resnet18'], default='cnn')
    p.add_argument('--epochs', type=int, default=6)
    p.add_argument('--batch-size', type=int, default=64)
    p.add_argument('--lr', type=float, default=3e-3, help='peak learning rate (Adam, one-cycle schedule)')
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda' (when available)")
    p.add_argument('--out', default=os.path.join('runs', 'demo'), help='output folder')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--workers', type=int, default=0, help='DataLoader worker processes')
    args = p.parse_args(argv)
    if args.dataset is None:
        args.dataset = 'mnist' if args.data else 'digits'
    if args.dataset != 'digits' and args.data is None:
        p.error(f'--dataset {args.dataset} needs --data DIR, the folder that holds {LAYOUT[args.dataset]}')
    if args.data is not None and not os.path.isdir(args.data) and not args.download:
        p.error(f'--data {args.data}: no such folder (it should hold {LAYOUT.get(args.dataset, "the data")})')
    if args.epochs < 1 or args.batch_size < 1:
        p.error('--epochs and --batch-size must be at least 1')
    return args


def pick_device(name):
    try:
        device = torch.device(name)
        if device.type != 'cpu':
            torch.zeros(1, device=device)                # fails here when that device is not usable
    except Exception as err:                              # no GPU, no CuPy, or a bad name: say so plainly
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SystemExit(f'error: --device {name} is not available here: {reason}')
    return device


# ------------------------------------------------------------------------------ data
def load_data(args):
    """(train set, test set, channels, image size) for ``args.dataset``."""
    cls_name, channels, size, mean, std = DATASETS[args.dataset]
    cls = getattr(datasets, cls_name)
    if args.dataset == 'digits':
        size = 32 if args.model == 'lenet' else 8        # LeNet wants 32x32 inputs
        make = lambda train: cls(root=args.data, train=train, download=args.download,  # noqa: E731
                                 size=None if size == 8 else size)
    else:
        to_tensor = [transforms.ToTensor(), transforms.Normalize(mean, std)]
        augment = [transforms.RandomCrop(32, padding=4), transforms.RandomHorizontalFlip()] \
            if args.dataset == 'cifar10' else []
        if args.model == 'lenet' and size == 28:
            to_tensor.insert(0, transforms.Pad(2))       # 28x28 -> 32x32, LeNet's own input size
            size = 32
        make = lambda train: cls(root=args.data, train=train, download=args.download,  # noqa: E731
                                 transform=transforms.Compose((augment if train else []) + to_tensor))
    try:
        return make(True), make(False), channels, size
    except (RuntimeError, FileNotFoundError, OSError) as err:
        raise SystemExit(f'error: could not load {cls_name} from {args.data!r}: {err}\n'
                         f'expected {os.path.join(str(args.data), LAYOUT.get(args.dataset, ""))}'
                         ' (or pass --download)')


# ----------------------------------------------------------------------------- model
def conv_block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU())


class SmallCNN(nn.Module):
    """An all-convolutional network: stages of two 3x3 conv blocks, 2x2 max-pooling between
    stages until the feature map is at most 8x8, global average pooling and one linear layer.
    On the 8x8 digits: 32 channels at 8x8, 64 at 4x4, about 66k parameters."""

    def __init__(self, in_channels=1, num_classes=10, image_size=8):
        super().__init__()
        layers = [conv_block(in_channels, 32), conv_block(32, 32), nn.MaxPool2d(2),
                  conv_block(32, 64), conv_block(64, 64)]
        channels, size = 64, image_size // 2
        while size > 8:                                  # larger images get more stages
            layers += [nn.MaxPool2d(2), conv_block(channels, 2 * channels), conv_block(2 * channels, 2 * channels)]
            channels, size = 2 * channels, size // 2
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(channels, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def build_model(name, in_channels, num_classes, image_size):
    if name == 'cnn':
        return SmallCNN(in_channels, num_classes, image_size)
    if name == 'lenet':
        return models.get_model('lenet', weights=None, num_classes=num_classes, in_channels=in_channels)
    model = models.get_model(name, weights=None, num_classes=num_classes)
    if image_size <= 64 or in_channels != 3:
        # small images: a 3x3 stride-1 stem and no max-pool (the usual CIFAR adaptation)
        model.conv1 = nn.Conv2d(in_channels, 64, kernel_size=3, stride=1, padding=1, bias=False)
        model.maxpool = nn.Identity()
    return model


# ------------------------------------------------------------------------- train/eval
def train_one_epoch(model, loader, optimizer, scheduler, criterion, device, desc):
    model.train()
    total_loss, correct, seen = 0.0, 0, 0
    batches = tqdm(loader, desc=desc, unit='batch', leave=False, dynamic_ncols=True) if tqdm else loader
    for images, labels in batches:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        logits = model(images)
        loss = criterion(logits, labels)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total_loss += loss.item() * len(labels)
        correct += (logits.argmax(dim=1) == labels).sum().item()
        seen += len(labels)
        if tqdm:
            batches.set_postfix(loss=f'{total_loss / seen:.4f}', acc=f'{correct / seen:.4f}')
    return total_loss / seen, correct / seen


def evaluate(model, loader, device, criterion=None):
    """(mean loss, accuracy) of ``model`` over ``loader``, without recording gradients."""
    criterion = criterion or nn.CrossEntropyLoss()
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            logits = model(images)
            total_loss += criterion(logits, labels).item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            seen += len(labels)
    return total_loss / seen, correct / seen


def plot_curves(history, path, title):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install 'ember[vision]'): no curves.png")
        return None
    epochs = range(1, len(history['train_loss']) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history['train_loss'], 'o-', label='train')
    ax_loss.plot(epochs, history['test_loss'], 's-', label='test')
    ax_loss.set(xlabel='epoch', ylabel='cross-entropy loss', title='loss', yscale='log')
    ax_acc.plot(epochs, [100 * a for a in history['train_acc']], 'o-', label='train')
    ax_acc.plot(epochs, [100 * a for a in history['test_acc']], 's-', label='test')
    ax_acc.set(xlabel='epoch', ylabel='accuracy (%)', title='accuracy')
    for ax in (ax_loss, ax_acc):
        ax.grid(True, alpha=0.3)
        ax.legend()
        ax.set_xticks(list(epochs))
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    args = parse_args(argv)
    start = time.time()
    torch.manual_seed(args.seed)
    device = pick_device(args.device)

    train_set, test_set, channels, size = load_data(args)
    num_classes = len(getattr(train_set, 'classes', None) or range(10))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.workers)
    test_loader = DataLoader(test_set, batch_size=500, num_workers=args.workers)
    model = build_model(args.model, channels, num_classes, size).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f'{args.dataset}: {len(train_set)} train / {len(test_set)} test images of {channels}x{size}x{size}; '
          f'model {args.model} ({n_params:,} parameters) on {device}')

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))
    os.makedirs(args.out, exist_ok=True)
    checkpoint_path = os.path.join(args.out, 'checkpoint.pt')
    history = {'train_loss': [], 'train_acc': [], 'test_loss': [], 'test_acc': []}
    for epoch in range(1, args.epochs + 1):
        tick = time.time()
        train_loss, train_acc = train_one_epoch(model, train_loader, optimizer, scheduler, criterion, device,
                                                desc=f'epoch {epoch}/{args.epochs}')
        test_loss, test_acc = evaluate(model, test_loader, device, criterion)
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
            history[key].append(value)
        print(f'epoch {epoch}/{args.epochs}  train loss {train_loss:.4f} acc {train_acc:.4f}  '
              f'test loss {test_loss:.4f} acc {test_acc:.4f}  ({time.time() - tick:.1f} s)', flush=True)
        torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
                    'scheduler': scheduler.state_dict(), 'epoch': epoch, 'accuracy': test_acc,
                    'args': vars(args)}, checkpoint_path)

    curves = plot_curves(history, os.path.join(args.out, 'curves.png'),
                         f'{args.model} on {args.dataset}: {100 * history["test_acc"][-1]:.2f}% test accuracy')
    print(f'final test accuracy: {history["test_acc"][-1]:.4f}  ({time.time() - start:.1f} s)')
    print(f'checkpoint: {checkpoint_path}')
    if curves:
        print(f'curves: {curves}')
    return history


if __name__ == '__main__':
    main(sys.argv[1:])
