"""Digits: ember's built-in small image dataset (no download): scikit-learn's copy of the UCI
handwritten digits, 1,797 real 8x8 grayscale images of the digits 0-9 with values 0..16."""
import functools

import numpy as np

import ember
from .vision import SplitDataset

__all__ = ['Digits']


@functools.lru_cache(maxsize=1)
def _load_digits():
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("Digits requires scikit-learn: pip install 'ember[vision]'") from e
    bunch = load_digits()
    return np.asarray(bunch.images, dtype=np.float32), np.asarray(bunch.target, dtype=np.int64)


def _stratified_split(labels, test_fraction, seed):
    """Sorted (train, test) index arrays: within each class a seeded permutation puts
    ``round(test_fraction * class_size)`` samples in the test part."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        test.append(members[:int(round(test_fraction * len(members)))])
    test = np.sort(np.concatenate(test))
    train = np.setdiff1d(np.arange(len(labels)), test)
    return train, test


class Digits(SplitDataset):
    """The 8x8 handwritten digits (1,797 images, ten classes) as a torchvision-style dataset.

    Args:
        root: unused for loading (the images ship with scikit-learn); shown in the repr if given.
        train: the training part if True, else the test part.
        transform: applied to each image tensor; target_transform: to the int label.
        download: accepted for torchvision compatibility; nothing is downloaded.
        size: None keeps 8x8; an int ``s`` or a pair ``(h, w)`` resizes every image once, at
            construction, with bilinear interpolation (``align_corners=False``), e.g. 28 for
            MNIST-shaped inputs.
        split: fraction of each class that goes to the test part (0 <= split < 1).
        seed: seed of the NumPy generator that picks the test images.

    The split is stratified and fixed by ``(split, seed)``: with the defaults (0.2, 0) the
    training part has exactly 1,438 images and the test part 359 (per class 139-146 / 35-37),
    disjoint and together all 1,797, in the original order.

    Items are ``(image, label)``: ``image`` a float32 tensor ``(1, H, W)`` with values in
    [0, 1] (pixel / 16), ``label`` an int. ``data`` is the float32 tensor ``(N, H, W)`` the
    images come from, ``targets`` an int64 tensor ``(N,)``, ``classes`` is ``['0', ..., '9']``.
    Requires scikit-learn (``pip install 'ember[vision]'``).
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, root=None, train=True, transform=None, target_transform=None, download=False, size=None,
                 split=0.2, seed=0):
        super().__init__(root, transform=transform, target_transform=target_transform)
        if not 0 <= split < 1:
            raise ValueError(f'split is the test fraction and must be in [0, 1), got {split}')
        self.train, self.split, self.seed = train, split, seed
        images, labels = _load_digits()
        train_idx, test_idx = _stratified_split(labels, split, seed)
        idx = train_idx if train else test_idx
        data = ember.from_numpy(images[idx] / np.float32(16.0))
        if size is not None:
            hw = (int(size), int(size)) if isinstance(size, (int, np.integer)) else tuple(int(s) for s in size)
            if len(hw) != 2:
                raise ValueError(f'size should be an int or a (h, w) pair, got {size}')
            data = ember.nn.functional.interpolate(data.unsqueeze(1), size=hw, mode='bilinear',
                                                   align_corners=False).squeeze(1)
        self.size = size
        self.data = data
        self.targets = ember.from_numpy(labels[idx])

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index):
        img, target = self.data[index].unsqueeze(0).clone(), int(self.targets[index])
        return self._transformed(img, target)


    def extra_repr(self):
        lines = [super().extra_repr()]
        if self.size is not None:
            lines.append(f'Size: {tuple(self.data.shape[1:])}')
        return '\n'.join(lines)
