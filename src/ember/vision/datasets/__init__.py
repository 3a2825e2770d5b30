"""ember.vision.datasets: torchvision's datasets on ember (MNIST, FashionMNIST, KMNIST, CIFAR10,
CIFAR100, ImageFolder, DatasetFolder) plus ``Digits``, a small real dataset that needs no
download (scikit-learn's 8x8 digits)."""
from .vision import VisionDataset, StandardTransform
from .mnist import MNIST, FashionMNIST, KMNIST
from .cifar import CIFAR10, CIFAR100
from .folder import DatasetFolder, ImageFolder
from .digits import Digits
from . import utils  # noqa: F401

__all__ = ['VisionDataset', 'StandardTransform', 'MNIST', 'FashionMNIST', 'KMNIST', 'CIFAR10', 'CIFAR100',
           'DatasetFolder', 'ImageFolder', 'Digits']
