"""VisionDataset: the base of ember.vision's datasets (root, transforms, torchvision's repr)."""
import os

from ...utils.data import Dataset


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    @staticmethod
    def _format_transform_repr(transform, head):
        lines = repr(transform).splitlines()
        return [f'{head}{lines[0]}'] + [' ' * len(head) + line for line in lines[1:]]

    def __repr__(self):
        body = [type(self).__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, 'Transform: ')
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, 'Target transform: ')
        return '\n'.join(body)


class VisionDataset(Dataset):
    """Base class: stores ``root`` (``~`` expanded), ``transform``/``target_transform`` or a joint
    ``transforms(input, target)``, and prints like torchvision::

        Dataset MNIST
            Number of datapoints: 60000
            Root location: data
            Split: Train
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root
        has_transforms = transforms is not None
        has_separate = transform is not None or target_transform is not None
        if has_transforms and has_separate:
            raise ValueError('Only transforms or transform/target_transform can be passed as argument')
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def __repr__(self):
        head = 'Dataset ' + type(self).__name__
        body = [f'Number of datapoints: {self.__len__()}']
        if self.root is not None:
            body.append(f'Root location: {self.root}')
        body += self.extra_repr().splitlines()
        if getattr(self, 'transforms', None) is not None:
            body += [repr(self.transforms)]
        return '\n'.join([head] + [' ' * self._repr_indent + line for line in body])

    def extra_repr(self):
        return ''

    def _transformed(self, img, target):
        """An item after ``transform`` and ``target_transform`` (how every __getitem__ ends)."""
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target


class SplitDataset(VisionDataset):
    """A data set held in memory as ``data``/``targets``, train or test split."""

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


def _pil_image():
    """PIL.Image, or a clear ImportError: datasets hand out PIL images like torchvision."""
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("ember.vision datasets return PIL images and need Pillow: "
                          "pip install 'ember[vision]'") from e
    return Image
