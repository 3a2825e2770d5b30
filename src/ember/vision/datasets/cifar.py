"""CIFAR10 and CIFAR100, from the "python version" archives (pickled dicts of NumPy arrays).

The batch files are pickles, and unpickling can run arbitrary code. They are read with
``_CifarUnpickler``, which resolves only the few globals that a pickled ``ndarray`` needs
(NumPy's array reconstructors, ``numpy.ndarray``, ``numpy.dtype`` and ``_codecs.encode`` for
bytes in protocol-2 pickles) and refuses every other one with ``pickle.UnpicklingError``
before anything is called."""
import os
import pickle
import urllib.error

import numpy as np

from .utils import download_and_extract_archive, offline_error
from .vision import SplitDataset, _pil_image

__all__ = ['CIFAR10', 'CIFAR100']


def _allowed_globals():
    try:
        from numpy._core import multiarray, numeric
    except ImportError:                          # NumPy 1.x
        from numpy.core import multiarray, numeric
    import _codecs
    allowed = {('numpy', 'ndarray'): np.ndarray, ('numpy', 'dtype'): np.dtype, ('_codecs', 'encode'): _codecs.encode}
    for pkg in ('numpy.core', 'numpy._core'):   # files written by NumPy 1 and by NumPy 2
        allowed[(f'{pkg}.multiarray', '_reconstruct')] = multiarray._reconstruct
        allowed[(f'{pkg}.numeric', '_frombuffer')] = numeric._frombuffer
    return allowed


class _CifarUnpickler(pickle.Unpickler):
    """Unpickler for data files: only NumPy array reconstruction is allowed."""

    _allowed = None

    def find_class(self, module, name):
        if _CifarUnpickler._allowed is None:
            _CifarUnpickler._allowed = _allowed_globals()
        try:
            return self._allowed[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load global '{module}.{name}': CIFAR data files hold only NumPy arrays, lists and "
                'strings, so this file is corrupt or unsafe') from None

    def persistent_load(self, pid):
        raise pickle.UnpicklingError('refusing persistent ids: CIFAR data files have none')


def _load_pickle(path):
    with open(path, 'rb') as f:
        return _CifarUnpickler(f, encoding='latin1').load()


class CIFAR10(SplitDataset):
    """CIFAR-10: 50,000 training and 10,000 test 32x32 colour images in 10 classes.

    Args:
        root: folder that holds (or will hold) ``cifar-10-batches-py/``.
        train: the five ``data_batch_*`` files if True, else ``test_batch``.
        transform: applied to the PIL image (mode 'RGB'); target_transform: to the int label.
        download: fetch and unpack ``cifar-10-python.tar.gz`` into ``root`` if missing (MD5-checked).

    ``data`` is a uint8 NumPy array (N, 32, 32, 3), ``targets`` a list of ints, ``classes``
    comes from ``batches.meta``. Files present on disk are checked for presence and structure
    (not re-hashed on every construction as torchvision does); downloads are MD5-checked.
    """

    base_folder = 'cifar-10-batches-py'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz'
    filename = 'cifar-10-python.tar.gz'
    tgz_md5 = 'c58f30108f718f92721af3b95e74349a'
    train_list = [['data_batch_1', 'c99cafc152244af753f735de768cd75f'],
                  ['data_batch_2', 'd4bba439e000b95fd0a9bffe97cbabec'],
                  ['data_batch_3', '54ebc095f3ab1f0389bbae665268c751'],
                  ['data_batch_4', '634d18415352ddfa80567beed471001a'],
                  ['data_batch_5', '482c414d41f54cd18b22e5b47cb7c3cb']]
    test_list = [['test_batch', '40351d587109b95175f43aff81a1287e']]
    meta = {'filename': 'batches.meta', 'key': 'label_names', 'md5': '5ff9c542aee3614f3951f8cda6e48888'}

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError('Dataset not found or corrupted. You can use download=True to download it')
        data, self.targets = [], []
        for file_name, _ in (self.train_list if self.train else self.test_list):
            path = os.path.join(self.root, self.base_folder, file_name)
            entry = _load_pickle(path)
            if not isinstance(entry, dict) or not isinstance(entry.get('data'), np.ndarray) \
                    or entry['data'].dtype != np.uint8 or entry['data'].size % 3072:
                raise ValueError(f'{path} is not a CIFAR batch: expected a dict whose "data" is a uint8 array of '
                                 '3072 values per image')
            data.append(entry['data'])
            labels = entry['labels'] if 'labels' in entry else entry['fine_labels']
            self.targets.extend(int(t) for t in labels)
        self.data = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
        if len(self.data) != len(self.targets):
            raise ValueError(f'{self.base_folder}: {len(self.data)} images but {len(self.targets)} labels')
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta['filename'])
        if not os.path.isfile(path):
            raise RuntimeError('Dataset metadata file not found or corrupted. You can use download=True to '
                               'download it')
        self.classes = list(_load_pickle(path)[self.meta['key']])
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_integrity(self):
        return all(os.path.isfile(os.path.join(self.root, self.base_folder, name))
                   for name, _ in self.train_list + self.test_list)

    def download(self):
        if self._check_integrity():
            return
        try:
            download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)
        except (urllib.error.URLError, OSError) as error:
            raise offline_error(self.url, error, self.root,
                                [f'{self.filename}, unpacked to {self.base_folder}/']) from error

    def __getitem__(self, index):
        img, target = self.data[index], self.targets[index]
        img = _pil_image().fromarray(img)
        return self._transformed(img, target)


class CIFAR100(CIFAR10):
    """CIFAR-100: like CIFAR10 with 100 classes; targets are the fine labels."""

    base_folder = 'cifar-100-python'
    url = 'https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz'
    filename = 'cifar-100-python.tar.gz'
    tgz_md5 = 'eb9058c3a382ffc7106e4002c42a8d85'
    train_list = [['train', '16019d7e3df5f24257cddd939b257f8d']]
    test_list = [['test', 'f0ef6b0ae62326f3e7ffdfab6717acfc']]
    meta = {'filename': 'meta', 'key': 'fine_label_names', 'md5': '7973b15100ade9c7d40fb424638fde48'}
