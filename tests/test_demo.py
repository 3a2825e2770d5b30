"""examples/train.py, the main demo: a full default run on the bundled digits, the MNIST path on
a tiny fake MNIST, and the command-line errors.

The default run trains for real (6 epochs, a few seconds on two cores) and must reach 97% test
accuracy; its checkpoint must restore into a fresh model with the same accuracy."""
import importlib.util
import os
import re
import struct
import subprocess
import sys

import numpy as np
import pytest

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, 'examples', 'train.py')
PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'

pytest.importorskip('sklearn')       # the bundled digits ship with scikit-learn


def run_demo(*args, timeout=300):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(p for p in (os.path.join(ROOT, 'src'), env.get('PYTHONPATH')) if p)
    return subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=timeout, cwd=ROOT)


def final_accuracy(stdout):
    match = re.search(r'^final test accuracy: ([0-9.]+)', stdout, re.M)
    assert match, stdout
    return float(match.group(1))


@pytest.fixture(scope='module')
def demo():
    """Import the script as a module (for its model builder and evaluation function)."""
    spec = importlib.util.spec_from_file_location('ember_demo_train', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('demo')
    result = run_demo('--out', out)
    assert result.returncode == 0, result.stderr[-3000:]
    return out, result


def test_digits_default_run_reaches_97_percent(digits_run):
    out, result = digits_run
    lines = result.stdout.splitlines()
    assert lines[0].startswith('digits: 1438 train / 359 test images of 1x8x8; model cnn (')
    assert sum(bool(re.match(r'epoch \d+/6  train loss', line)) for line in lines) == 6
    assert final_accuracy(result.stdout) >= 0.97
    assert f'checkpoint: {out / "checkpoint.pt"}' in lines
    assert f'curves: {out / "curves.png"}' in lines
    assert 'batch' in result.stderr and 'loss=' in result.stderr and 'acc=' in result.stderr   # tqdm bar


def test_checkpoint_restores_the_trained_model(digits_run, demo):
    out, result = digits_run
    checkpoint = ember.load(out / 'checkpoint.pt')
    assert sorted(checkpoint) == ['accuracy', 'args', 'epoch', 'model', 'optimizer', 'scheduler']
    assert checkpoint['epoch'] == 6 and checkpoint['args']['model'] == 'cnn'
    assert round(checkpoint['accuracy'], 4) == final_accuracy(result.stdout)

    model = demo.build_model('cnn', in_channels=1, num_classes=10, image_size=8)
    model.load_state_dict(checkpoint['model'])
    optimizer = ember.optim.Adam(model.parameters())
    optimizer.load_state_dict(checkpoint['optimizer'])
    assert optimizer.state_dict()['state'][0]['step'].item() == 6 * 23          # 23 batches per epoch
    test_set = ember.vision.datasets.Digits(train=False)
    loader = ember.utils.data.DataLoader(test_set, batch_size=500)          # as in the demo
    _, accuracy = demo.evaluate(model, loader, ember.device('cpu'))
    assert accuracy == checkpoint['accuracy']


def test_curves_png_is_a_valid_image(digits_run):
    out, _ = digits_run
    data = (out / 'curves.png').read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b'IHDR'
    width, height = struct.unpack('>II', data[16:24])
    assert width >= 600 and height >= 300
    assert len(data) > 20_000                     # two real plots, not a blank canvas
    Image = pytest.importorskip('PIL.Image')
    with Image.open(out / 'curves.png') as image:
        image.verify()


def test_models_fit_each_dataset_shape(demo):
    for name, channels, size in [('cnn', 1, 8), ('cnn', 1, 28), ('cnn', 3, 32), ('lenet', 1, 32),
                                 ('lenet', 3, 32), ('resnet18', 1, 8)]:
        model = demo.build_model(name, channels, 10, size).eval()
        with ember.no_grad():
            assert model(ember.rand(2, channels, size, size)).shape == (2, 10), (name, channels, size)


def write_idx(path, array):
    """An IDX file as in the MNIST distribution: magic 0x0800 | ndim, big-endian sizes, uint8 data."""
    with open(path, 'wb') as f:
        f.write(struct.pack('>I', 0x0800 | array.ndim))
        f.write(struct.pack('>' + 'I' * array.ndim, *array.shape))
        f.write(array.astype(np.uint8).tobytes())


def test_mnist_from_data_folder(tmp_path):
    raw = tmp_path / 'data' / 'MNIST' / 'raw'
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (('train', 64), ('t10k', 32)):
        labels = np.arange(n) % 10
        images = rng.integers(0, 60, (n, 28, 28))
        for i, label in enumerate(labels):        # a bright bar whose height encodes the label
            images[i, 2 + 2 * label:6 + 2 * label, 4:24] = 255
        write_idx(raw / f'{prefix}-images-idx3-ubyte', images)
        write_idx(raw / f'{prefix}-labels-idx1-ubyte', labels)
    out = tmp_path / 'out'
    # LeNet keeps this quick; it also runs the Pad(2) transform that brings 28x28 digits to 32x32
    result = run_demo('--dataset', 'mnist', '--data', tmp_path / 'data', '--model', 'lenet', '--epochs', 1,
                      '--batch-size', 32, '--out', out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith('mnist: 64 train / 32 test images of 1x32x32; model lenet (')
    assert 0 <= final_accuracy(result.stdout) <= 1
    checkpoint = ember.load(out / 'checkpoint.pt')
    assert checkpoint['epoch'] == 1 and checkpoint['args']['dataset'] == 'mnist'
    assert (out / 'curves.png').read_bytes()[:8] == PNG_SIGNATURE


def test_missing_data_folder_is_a_clear_error(tmp_path):
    result = run_demo('--dataset', 'mnist', '--data', tmp_path / 'nowhere', '--out', tmp_path / 'out')
    assert result.returncode == 2
    assert f'--data {tmp_path / "nowhere"}: no such folder' in result.stderr
    assert 'MNIST/raw/train-images-idx3-ubyte' in result.stderr


def test_data_folder_without_the_files(tmp_path):
    result = run_demo('--dataset', 'fashionmnist', '--data', tmp_path, '--out', tmp_path / 'out')
    assert result.returncode == 1
    assert 'could not load FashionMNIST' in result.stderr and 'Dataset not found' in result.stderr
    assert 'Traceback' not in result.stderr


def test_dataset_needs_data_folder(tmp_path):
    result = run_demo('--dataset', 'cifar10', '--out', tmp_path)
    assert result.returncode == 2 and '--dataset cifar10 needs --data DIR' in result.stderr


def test_unavailable_cuda_is_a_clear_error(tmp_path):
    try:
        ember.zeros(1, device='cuda')
        pytest.skip('a CUDA device is available here')
    except Exception:
        pass
    result = run_demo('--device', 'cuda', '--out', tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith('error: --device cuda is not available here')
    assert 'Traceback' not in result.stderr
