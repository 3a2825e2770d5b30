"""MNIST, FashionMNIST and KMNIST: 28x28 grayscale images stored in the IDX format.

The four files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-...``) are
looked up in ``root/<ClassName>/raw/`` (torchvision's layout) and then directly in ``root``,
each either plain or gzipped (``.gz``). They are parsed with NumPy; a bad magic number or a
truncated file raises a ValueError naming the file."""
import gzip
import os
import urllib.error
import warnings

import numpy as np

import ember
from .utils import download_and_extract_archive, offline_error
from .vision import SplitDataset, _pil_image

__all__ = ['MNIST', 'FashionMNIST', 'KMNIST', 'read_image_file', 'read_label_file', 'read_sn3_pascalvincent_tensor']

_IDX_TYPES = {8: np.uint8, 9: np.int8, 11: np.dtype('>i2'), 12: np.dtype('>i4'), 13: np.dtype('>f4'),
              14: np.dtype('>f8')}


def _read_bytes(path):
    opener = gzip.open if os.fspath(path).endswith('.gz') else open
    with opener(path, 'rb') as f:
        return f.read()


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Parse an IDX file (``.gz`` or plain) into a NumPy array of its declared type and shape.

    The header is a big-endian int32 magic number ``0x00 0x00 <type> <ndim>`` followed by
    ``ndim`` big-endian int32 sizes; the data follows in big-endian order.
    """
    data = _read_bytes(path)
    if len(data) < 4:
        raise ValueError(f'{path} is not an IDX file: it has only {len(data)} bytes')
    magic = int.from_bytes(data[0:4], 'big')
    nd, ty = magic % 256, magic // 256
    if not (1 <= nd <= 3 and ty in _IDX_TYPES):
        raise ValueError(f'{path} is not an IDX file (bad magic number 0x{magic:08x}); is the file corrupt or '
                         'still compressed?')
    offset = 4 * (nd + 1)
    if len(data) < offset:
        raise ValueError(f'{path} is truncated: its IDX header is incomplete')
    shape = [int.from_bytes(data[4 * (i + 1):4 * (i + 2)], 'big') for i in range(nd)]
    dtype = np.dtype(_IDX_TYPES[ty])
    count = (len(data) - offset) // dtype.itemsize
    expected = int(np.prod(shape))
    if count < expected or (strict and count != expected):
        raise ValueError(f'{path} is corrupt or truncated: its header declares shape {tuple(shape)} '
                         f'({expected} values) but it holds {count}')
    arr = np.frombuffer(data, dtype=dtype, count=expected, offset=offset)
    return arr.astype(dtype.newbyteorder('='), copy=False).reshape(shape)


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f'x should be of dtype torch.uint8 instead of {x.dtype}')
    if x.ndim != 1:
        raise ValueError(f'x should have 1 dimension instead of {x.ndim}')
    return ember.from_numpy(x.astype(np.int64))


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    if x.dtype != np.uint8:
        raise TypeError(f'x should be of dtype torch.uint8 instead of {x.dtype}')
    if x.ndim != 3:
        raise ValueError(f'x should have 3 dimension instead of {x.ndim}')
    return ember.from_numpy(np.array(x))


class MNIST(SplitDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28, labels 0-9.

    Args:
        root: folder holding ``MNIST/raw/<files>`` (or the files themselves).
        train: the training split (``train-*``) if True, else the test split (``t10k-*``).
        transform: applied to the PIL image (mode 'L'), e.g. ``transforms.ToTensor()``.
        target_transform: applied to the int label.
        download: fetch the gzipped files into ``root/MNIST/raw`` if missing (network needed).

    ``data`` is a uint8 tensor (N, 28, 28), ``targets`` an int64 tensor (N,). Items are
    ``(PIL.Image, int)``, so Pillow is needed to index the dataset (not to load it).
    """

    mirrors = ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'http://yann.lecun.com/exdb/mnist/']
    resources = [('train-images-idx3-ubyte.gz', 'f68b3c2dcbeaaa9fbdd348bbdeb94873'),
                 ('train-labels-idx1-ubyte.gz', 'd53e105ee54ea40749a09fcbcd1e9432'),
                 ('t10k-images-idx3-ubyte.gz', '9fb629c4189551a2d022fa330f9573f3'),
                 ('t10k-labels-idx1-ubyte.gz', 'ec29112dd5afa0611ce80d1b7f02629c')]
    training_file = 'training.pt'
    test_file = 'test.pt'
    classes = ['0 - zero', '1 - one', '2 - two', '3 - three', '4 - four', '5 - five', '6 - six', '7 - seven',
               '8 - eight', '9 - nine']

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError('Dataset not found. You can use download=True to download it')
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self):
        return os.path.join(self.root, type(self).__name__, 'raw')

    @property
    def processed_folder(self):
        return os.path.join(self.root, type(self).__name__, 'processed')

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _split_files(self):
        prefix = 'train' if self.train else 't10k'
        return [f'{prefix}-images-idx3-ubyte', f'{prefix}-labels-idx1-ubyte']

    def _find(self, name):
        """Path of ``name`` (or ``name.gz``) in the raw folder or in root; None if absent."""
        for folder in (self.raw_folder, self.root):
            for candidate in (name, name + '.gz'):
                path = os.path.join(folder, candidate)
                if os.path.isfile(path):
                    return path
        return None

    def _check_exists(self):
        return all(self._find(name) is not None for name in self._split_files())

    def _load_data(self):
        images, labels = (self._find(name) for name in self._split_files())
        data, targets = read_image_file(images), read_label_file(labels)
        if len(data) != len(targets):
            raise ValueError(f'{images} holds {len(data)} images but {labels} holds {len(targets)} labels')
        return data, targets

    def download(self):
        """Fetch and unpack any missing file from the first mirror that answers."""
        names = [os.path.splitext(f)[0] for f, _ in self.resources]
        if all(self._find(n) is not None for n in names):
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            if self._find(os.path.splitext(filename)[0]) is not None:
                continue
            errors = []
            for mirror in self.mirrors:
                url = f'{mirror}{filename}'
                try:
                    print(f'Downloading {url}')
                    download_and_extract_archive(url, download_root=self.raw_folder, filename=filename, md5=md5)
                    break
                except (urllib.error.URLError, OSError) as error:
                    print(f'Failed to download (trying next):\n{error}')
                    errors.append(f'{url}: {error}')
            else:
                raise offline_error(filename, '; '.join(errors), self.raw_folder, [f for f, _ in self.resources])

    def __getitem__(self, index):
        img, target = self.data[index], int(self.targets[index])
        img = _pil_image().fromarray(img.numpy())         # uint8 HxW -> mode 'L'
        return self._transformed(img, target)

    def _renamed(self, old, new):
        warnings.warn(f'{old} has been renamed {new}')
        return getattr(self, new)

    train_labels = property(lambda self: self._renamed('train_labels', 'targets'))
    test_labels = property(lambda self: self._renamed('test_labels', 'targets'))
    train_data = property(lambda self: self._renamed('train_data', 'data'))
    test_data = property(lambda self: self._renamed('test_data', 'data'))


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: MNIST's format and sizes, ten kinds of clothing."""

    mirrors = ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/']
    resources = [('train-images-idx3-ubyte.gz', '8d4fb7e6c68d591d4c3dfef9ec88bf0d'),
                 ('train-labels-idx1-ubyte.gz', '25c81989df183df01b3e8a0aad5dffbe'),
                 ('t10k-images-idx3-ubyte.gz', 'bef4ecab320f06d8554ea6380940ec79'),
                 ('t10k-labels-idx1-ubyte.gz', 'bb300cfdad3c16e7a12a480ee83cd310')]
    classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
               'Ankle boot']


class KMNIST(MNIST):
    """Kuzushiji-MNIST: MNIST's format and sizes, ten cursive Japanese characters."""

    mirrors = ['http://codh.rois.ac.jp/kmnist/dataset/kmnist/']
    resources = [('train-images-idx3-ubyte.gz', 'bdb82020997e1d708af4cf47b453dcf7'),
                 ('train-labels-idx1-ubyte.gz', 'e144d726b3acfaa3e44228e80efcd344'),
                 ('t10k-images-idx3-ubyte.gz', '5c965bf0a639b31b8f53240b1b52f4d7'),
                 ('t10k-labels-idx1-ubyte.gz', '7320c461ea6c1c855c0b718fb2a4b134')]
    classes = ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']
