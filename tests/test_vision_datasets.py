"""ember.vision.datasets on tiny files built here: MNIST-family IDX files (plain and gzipped),
CIFAR pickles written with pickle from NumPy arrays as the real ones are (and a malicious one
that must be refused), an ImageFolder of PNGs, the built-in Digits, and downloads served from
file:// URLs or failing through a patched opener. Nothing touches the network."""
import gzip
import hashlib
import io
import os
import pickle
import sys
import tarfile
import urllib.error

import numpy as np
import pytest
from PIL import Image

import ember
import ember.vision.datasets.utils as dutils
from ember.utils.data import DataLoader
from ember.vision import transforms as T
from ember.vision.datasets import (CIFAR10, CIFAR100, MNIST, DatasetFolder, Digits, FashionMNIST, ImageFolder,
                                   KMNIST)
from ember.vision.datasets.cifar import _CifarUnpickler

RNG = np.random.default_rng(0)


# ---------------------------------------------------------------- MNIST family

def idx_bytes(arr):
    code = {np.uint8: 8, np.int32: 12}[arr.dtype.type]
    head = bytes([0, 0, code, arr.ndim]) + b''.join(int(n).to_bytes(4, 'big') for n in arr.shape)
    return head + arr.astype(arr.dtype.newbyteorder('>')).tobytes()


def write_mnist(folder, n_train=5, n_test=3, gz=False):
    os.makedirs(folder, exist_ok=True)
    arrays = {}
    for prefix, n in (('train', n_train), ('t10k', n_test)):
        imgs = RNG.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = RNG.integers(0, 10, n, dtype=np.uint8)
        arrays[prefix] = (imgs, labels)
        for kind, arr in (('images-idx3', imgs), ('labels-idx1', labels)):
            name = os.path.join(folder, f'{prefix}-{kind}-ubyte')
            data = idx_bytes(arr)
            if gz:
                with gzip.open(name + '.gz', 'wb') as f:
                    f.write(data)
            else:
                with open(name, 'wb') as f:
                    f.write(data)
    return arrays


@pytest.mark.parametrize('layout', ['raw', 'raw-gz', 'root'])
def test_mnist_reads_idx_files(tmp_path, layout):
    folder = tmp_path if layout == 'root' else tmp_path / 'MNIST' / 'raw'
    arrays = write_mnist(folder, gz=layout == 'raw-gz')
    ds = MNIST(str(tmp_path), train=True)
    imgs, labels = arrays['train']
    assert len(ds) == 5 and ds.data.dtype == ember.uint8 and tuple(ds.data.shape) == (5, 28, 28)
    assert ds.targets.dtype == ember.int64
    np.testing.assert_array_equal(ds.data.numpy(), imgs)
    np.testing.assert_array_equal(ds.targets.numpy(), labels)
    img, target = ds[2]
    assert isinstance(img, Image.Image) and img.mode == 'L' and img.size == (28, 28)
    assert np.array_equal(np.asarray(img), imgs[2]) and target == int(labels[2]) and type(target) is int
    test = MNIST(str(tmp_path), train=False)
    assert len(test) == 3 and np.array_equal(test.data.numpy(), arrays['t10k'][0])


def test_mnist_transforms_repr_and_classes(tmp_path):
    write_mnist(tmp_path / 'MNIST' / 'raw')
    tf = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    ds = MNIST(str(tmp_path), train=False, transform=tf, target_transform=lambda t: t + 100)
    x, y = ds[0]
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == ember.float32 and y >= 100
    np.testing.assert_allclose(x.numpy()[0], (ds.data.numpy()[0] / 255.0 - 0.5) / 0.5, rtol=1e-5, atol=1e-6)
    # torchvision's layout: the StandardTransform block is one body entry, so only its first
    # line is indented
    assert repr(ds) == (f'Dataset MNIST\n    Number of datapoints: 3\n    Root location: {tmp_path}\n'
                        '    Split: Test\n    StandardTransform\nTransform: Compose(\n'
                        '               ToTensor()\n               Normalize(mean=(0.5,), std=(0.5,))\n'
                        f'           )\nTarget transform: {ds.target_transform!r}')
    plain = MNIST(str(tmp_path))
    assert repr(plain) == f'Dataset MNIST\n    Number of datapoints: 5\n    Root location: {tmp_path}\n    Split: Train'
    assert plain.class_to_idx['3 - three'] == 3 and len(plain.classes) == 10
    with pytest.warns(UserWarning, match='train_labels has been renamed targets'):
        assert plain.train_labels is plain.targets
    batch = next(iter(DataLoader(ds, batch_size=3)))
    assert tuple(batch[0].shape) == (3, 1, 28, 28) and batch[1].dtype == ember.int64


def test_fashion_and_kmnist_use_their_own_folder(tmp_path):
    write_mnist(tmp_path / 'FashionMNIST' / 'raw')
    write_mnist(tmp_path / 'KMNIST' / 'raw', gz=True)
    assert FashionMNIST(str(tmp_path)).classes[9] == 'Ankle boot'
    assert KMNIST(str(tmp_path), train=False).classes[0] == 'o' and len(KMNIST(str(tmp_path))) == 5
    assert 'Dataset FashionMNIST' in repr(FashionMNIST(str(tmp_path)))


def test_mnist_missing_and_corrupt_files(tmp_path):
    with pytest.raises(RuntimeError, match='^Dataset not found. You can use download=True to download it$'):
        MNIST(str(tmp_path))
    raw = tmp_path / 'MNIST' / 'raw'
    write_mnist(raw)
    (raw / 'train-images-idx3-ubyte').write_bytes(b'\x12\x34\x56\x78' + bytes(100))
    with pytest.raises(ValueError, match='bad magic number 0x12345678'):
        MNIST(str(tmp_path))
    (raw / 'train-images-idx3-ubyte').write_bytes(idx_bytes(np.zeros((5, 28, 28), np.uint8))[:-10])
    with pytest.raises(ValueError, match='corrupt or truncated'):
        MNIST(str(tmp_path))
    (raw / 'train-images-idx3-ubyte').write_bytes(idx_bytes(np.zeros((4, 28, 28), np.uint8)))
    with pytest.raises(ValueError, match='holds 4 images but .* holds 5 labels'):
        MNIST(str(tmp_path))
    (raw / 't10k-labels-idx1-ubyte').write_bytes(idx_bytes(np.zeros((3, 2), np.uint8)))
    with pytest.raises(ValueError, match='x should have 1 dimension instead of 2'):
        MNIST(str(tmp_path), train=False)


def test_mnist_items_need_pillow(tmp_path, monkeypatch):
    write_mnist(tmp_path)
    ds = MNIST(str(tmp_path))
    monkeypatch.setitem(sys.modules, 'PIL', None)
    with pytest.raises(ImportError, match=r"need Pillow: pip install 'ember\[vision\]'"):
        ds[0]


def test_mnist_download_from_mirror(tmp_path, monkeypatch):
    served = tmp_path / 'server'
    write_mnist(served, gz=True)
    resources = [(f, hashlib.md5((served / f).read_bytes()).hexdigest()) for f, _ in MNIST.resources]
    monkeypatch.setattr(MNIST, 'mirrors', ['file:///nonexistent-mirror/', served.as_uri() + '/'])
    monkeypatch.setattr(MNIST, 'resources', resources)
    ds = MNIST(str(tmp_path / 'data'), download=True)
    assert len(ds) == 5 and (tmp_path / 'data' / 'MNIST' / 'raw' / 'train-images-idx3-ubyte').is_file()
    bad = [(f, '0' * 32) for f, _ in MNIST.resources]
    monkeypatch.setattr(MNIST, 'resources', bad)
    with pytest.raises(RuntimeError, match='File not found or corrupted.'):
        MNIST(str(tmp_path / 'other'), download=True)


def test_download_offline_error_says_where_to_put_files(tmp_path, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError('no network here')
    monkeypatch.setattr(dutils, '_urlopen', offline)
    with pytest.raises(RuntimeError) as info:
        FashionMNIST(str(tmp_path), download=True)
    msg = str(info.value)
    assert msg.startswith('Error downloading train-images-idx3-ubyte.gz: ') and 'no network here' in msg
    assert os.path.join(str(tmp_path), 'FashionMNIST', 'raw') in msg
    with pytest.raises(RuntimeError, match='Error downloading https://www.cs.toronto.edu/~kriz/cifar-10-python'):
        CIFAR10(str(tmp_path), download=True)
    assert not list((tmp_path / 'FashionMNIST' / 'raw').iterdir())   # no partial files left


# ---------------------------------------------------------------- CIFAR

def write_cifar(root, which=CIFAR10, n=4, protocol=2):
    folder = root / which.base_folder
    folder.mkdir(parents=True, exist_ok=True)
    key = 'labels' if which is CIFAR10 else 'fine_labels'
    batches = {}
    for name, _ in which.train_list + which.test_list:
        data = RNG.integers(0, 256, (n, 3072), dtype=np.uint8)
        labels = [int(v) for v in RNG.integers(0, 10, n)]
        entry = {'batch_label': 'fake', key: labels, 'data': data, 'filenames': [f'{i}.png' for i in range(n)]}
        if which is CIFAR100:
            entry['coarse_labels'] = [0] * n
        (folder / name).write_bytes(pickle.dumps(entry, protocol=protocol))
        batches[name] = (data, labels)
    names = [f'class{i}' for i in range(10 if which is CIFAR10 else 100)]
    meta = {'label_names': names} if which is CIFAR10 else {'fine_label_names': names, 'coarse_label_names': []}
    (folder / which.meta['filename']).write_bytes(pickle.dumps(meta, protocol=protocol))
    return batches


@pytest.mark.parametrize('protocol', [2, 4, 5])
def test_cifar10_reads_python_batches(tmp_path, protocol):
    batches = write_cifar(tmp_path, protocol=protocol)
    ds = CIFAR10(str(tmp_path), train=True)
    assert len(ds) == 20 and ds.data.shape == (20, 32, 32, 3) and ds.data.dtype == np.uint8
    assert ds.targets == sum((batches[f'data_batch_{i}'][1] for i in range(1, 6)), [])
    raw = batches['data_batch_1'][0][1].reshape(3, 32, 32)
    img, target = ds[1]
    assert isinstance(img, Image.Image) and img.mode == 'RGB'
    np.testing.assert_array_equal(np.asarray(img), raw.transpose(1, 2, 0))   # R, G, B planes -> HWC
    assert target == batches['data_batch_1'][1][1]
    assert ds.classes[3] == 'class3' and ds.class_to_idx['class9'] == 9
    test = CIFAR10(str(tmp_path), train=False, transform=T.ToTensor())
    x, _ = test[0]
    assert len(test) == 4 and tuple(x.shape) == (3, 32, 32)
    np.testing.assert_allclose(x.numpy(), batches['test_batch'][0][0].reshape(3, 32, 32) / 255.0, rtol=1e-6)
    assert repr(test).startswith(f'Dataset CIFAR10\n    Number of datapoints: 4\n    Root location: {tmp_path}\n'
                                 '    Split: Test\n    StandardTransform\nTransform: ToTensor()')


def test_cifar100_fine_labels(tmp_path):
    batches = write_cifar(tmp_path, CIFAR100, n=6)
    ds = CIFAR100(str(tmp_path))
    assert len(ds) == 6 and ds.targets == batches['train'][1] and len(ds.classes) == 100
    assert CIFAR100(str(tmp_path), train=False).targets == batches['test'][1]


def test_cifar_missing_files(tmp_path):
    with pytest.raises(RuntimeError, match='^Dataset not found or corrupted. You can use download=True'):
        CIFAR10(str(tmp_path))
    write_cifar(tmp_path)
    os.remove(tmp_path / 'cifar-10-batches-py' / 'batches.meta')
    with pytest.raises(RuntimeError, match='Dataset metadata file not found or corrupted'):
        CIFAR10(str(tmp_path))


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}',))


class EvilWrite:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (eval, (f"open({str(self.marker)!r}, 'w').write('pwned')",))


@pytest.mark.parametrize('payload', [Evil, EvilWrite])
def test_cifar_malicious_pickle_is_refused_and_runs_nothing(tmp_path, payload):
    write_cifar(tmp_path)
    marker = tmp_path / 'PWNED'
    evil = {'data': np.zeros((1, 3072), np.uint8), 'labels': [0], 'x': payload(marker)}
    (tmp_path / 'cifar-10-batches-py' / 'data_batch_3').write_bytes(pickle.dumps(evil, protocol=2))
    refused = r"refusing to load global '(posix|os|builtins|__builtin__)\.(system|eval)'"
    with pytest.raises(pickle.UnpicklingError, match=refused):
        CIFAR10(str(tmp_path))
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError, match="refusing to load global '_io.BytesIO'"):
        _CifarUnpickler(io.BytesIO(pickle.dumps(io.BytesIO(b'x'))), encoding='latin1').load()


def test_cifar_unpickler_reads_python2_numpy1_pickles():
    # what the real batch files hold: Python 2 str opcodes and numpy.core.multiarray._reconstruct
    py2 = (b'\x80\x02}q\x00(U\x04dataq\x01cnumpy.core.multiarray\n_reconstruct\nq\x02cnumpy\nndarray\nq\x03'
           b'K\x00\x85U\x01b\x87Rq\x04(K\x01K\x02\x85cnumpy\ndtype\nq\x05U\x02u1K\x00K\x01\x87Rq\x06(K\x03U\x01|'
           b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89U\x02\x01\x02tbU\x06labelsq\x07]q\x08(K\x03K\x04eu.')
    entry = _CifarUnpickler(io.BytesIO(py2), encoding='latin1').load()
    assert entry['labels'] == [3, 4] and entry['data'].dtype == np.uint8 and entry['data'].tolist() == [1, 2]


def test_cifar_download_and_extract(tmp_path, monkeypatch):
    src = tmp_path / 'src'
    write_cifar(src)
    archive = tmp_path / 'cifar-10-python.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        tar.add(src / 'cifar-10-batches-py', arcname='cifar-10-batches-py')
    monkeypatch.setattr(CIFAR10, 'url', archive.as_uri())
    monkeypatch.setattr(CIFAR10, 'tgz_md5', hashlib.md5(archive.read_bytes()).hexdigest())
    ds = CIFAR10(str(tmp_path / 'data'), download=True)
    assert len(ds) == 20 and (tmp_path / 'data' / 'cifar-10-python.tar.gz').is_file()
    assert len(CIFAR10(str(tmp_path / 'data'), train=False, download=True)) == 4   # present: no second fetch


def test_extract_archive_refuses_paths_outside(tmp_path):
    archive = tmp_path / 'evil.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        info = tarfile.TarInfo('../escaped.txt')
        info.size = 1
        tar.addfile(info, io.BytesIO(b'x'))
    with pytest.raises(tarfile.TarError):
        dutils.extract_archive(str(archive), str(tmp_path / 'out'))
    assert not (tmp_path / 'escaped.txt').exists()


# ---------------------------------------------------------------- ImageFolder

@pytest.fixture
def image_root(tmp_path):
    root = tmp_path / 'imgs'
    colours = {'cat': (255, 0, 0), 'dog': (0, 255, 0), 'bird': (0, 0, 255)}
    for cls, rgb in colours.items():
        (root / cls / 'sub').mkdir(parents=True)
        for i in range(2):
            Image.fromarray(np.full((4, 6, 3), rgb, np.uint8)).save(root / cls / f'{i}.png')
        Image.fromarray(np.full((4, 6), 7, np.uint8)).save(root / cls / 'sub' / 'gray.PNG')   # mode L, upper-case
        (root / cls / 'notes.txt').write_text('not an image')
    return root


def test_image_folder(image_root):
    ds = ImageFolder(str(image_root))
    assert ds.classes == ['bird', 'cat', 'dog'] and ds.class_to_idx == {'bird': 0, 'cat': 1, 'dog': 2}
    assert len(ds) == 9 and ds.imgs is ds.samples and ds.targets == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert [os.path.relpath(p, image_root) for p, _ in ds.samples[:3]] == [
        os.path.join('bird', '0.png'), os.path.join('bird', '1.png'), os.path.join('bird', 'sub', 'gray.PNG')]
    img, target = ds[3]
    assert img.mode == 'RGB' and img.size == (6, 4) and np.asarray(img)[0, 0].tolist() == [255, 0, 0] and target == 1
    gray, _ = ds[2]
    assert gray.mode == 'RGB' and np.asarray(gray)[0, 0].tolist() == [7, 7, 7]
    tds = ImageFolder(str(image_root), transform=T.Compose([T.Resize((2, 3)), T.ToTensor()]))
    x, y = tds[7]                                                   # dog/1.png, pure green
    assert tuple(x.shape) == (3, 2, 3) and y == 2 and float(x[1].min()) == 1.0
    only0 = ImageFolder(str(image_root), is_valid_file=lambda p: p.endswith('0.png'))
    assert len(only0) == 3 and only0.extensions is None


def test_dataset_folder_loader_and_errors(image_root, tmp_path):
    ds = DatasetFolder(str(image_root), loader=lambda p: open(p).read(), extensions='.txt')
    assert len(ds) == 3 and ds[0] == ('not an image', 0) and ds.extensions == '.txt'
    with pytest.raises(ValueError, match='Both extensions and is_valid_file cannot be None or not None'):
        DatasetFolder(str(image_root), loader=print)
    (image_root / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match=r'Found no valid file for the classes empty\. Supported extensions'):
        ImageFolder(str(image_root))
    assert len(ImageFolder(str(image_root), allow_empty=True).classes) == 4
    (tmp_path / 'flat').mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        ImageFolder(str(tmp_path / 'flat'))


# ---------------------------------------------------------------- Digits

def test_digits_split_and_items():
    train, test = Digits(train=True), Digits(train=False)
    assert len(train) == 1438 and len(test) == 359
    img, label = train[0]
    assert isinstance(img, ember.Tensor) and tuple(img.shape) == (1, 8, 8) and img.dtype == ember.float32
    assert type(label) is int and 0 <= label <= 9
    assert train.data.dtype == ember.float32 and tuple(train.data.shape) == (1438, 8, 8)
    assert train.targets.dtype == ember.int64
    assert 0.0 == float(train.data.min()) and float(train.data.max()) == 1.0
    from sklearn.datasets import load_digits
    ref = load_digits()
    counts = np.bincount(ref.target)
    np.testing.assert_array_equal(np.bincount(test.targets.numpy()), np.round(0.2 * counts))   # stratified
    both = np.concatenate([train.data.numpy(), test.data.numpy()]).reshape(1797, 64) * 16
    assert sorted(map(tuple, both)) == sorted(map(tuple, ref.data.astype(np.float32)))          # disjoint, complete
    np.testing.assert_array_equal(img.numpy()[0], train.data.numpy()[0])
    assert train.classes == [str(i) for i in range(10)] and train.class_to_idx['7'] == 7
    assert repr(train) == 'Dataset Digits\n    Number of datapoints: 1438\n    Split: Train'


def test_digits_options():
    other = Digits(train=False, seed=1)
    assert len(other) == 359 and not np.array_equal(other.targets.numpy(), Digits(train=False).targets.numpy())
    assert len(Digits(split=0.5)) == 899
    big = Digits(size=28, transform=T.Normalize((0.5,), (0.5,)), target_transform=float)
    x, y = big[0]
    assert tuple(x.shape) == (1, 28, 28) and type(y) is float and float(x.min()) >= -1.0
    assert tuple(Digits(size=(12, 16)).data.shape) == (1438, 12, 16)
    assert 'Size: (28, 28)' in repr(big) and 'Root location: here' in repr(Digits(root='here'))
    x0, _ = Digits()[0]
    x0 += 1                                                         # items are copies
    assert float(Digits()[0][0].max()) <= 1.0
    with pytest.raises(ValueError, match='split is the test fraction'):
        Digits(split=1.0)
    xb, yb = next(iter(DataLoader(Digits(), batch_size=16, shuffle=True)))
    assert tuple(xb.shape) == (16, 1, 8, 8) and yb.dtype == ember.int64


def test_digits_without_sklearn(monkeypatch):
    from ember.vision.datasets import digits
    digits._load_digits.cache_clear()
    monkeypatch.setitem(sys.modules, 'sklearn.datasets', None)
    try:
        with pytest.raises(ImportError, match=r"Digits requires scikit-learn: pip install 'ember\[vision\]'"):
            Digits()
    finally:
        digits._load_digits.cache_clear()
