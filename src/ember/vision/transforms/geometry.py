"""Geometric augmentations of ``torchvision.transforms``: RandomRotation, RandomAffine,
RandomPerspective, ElasticTransform, and the whitening LinearTransformation. Random parameters
come from ember's global generator, so ``ember.manual_seed`` repeats them."""
import numbers
from collections.abc import Sequence

import ember
from ember.nn import Module
from . import functional as F
from ._interpolation import InterpolationMode, _interp
from .transforms import _coin, _uniform

__all__ = ['RandomRotation', 'RandomAffine', 'RandomPerspective', 'ElasticTransform', 'LinearTransformation']


def _check_sequence_input(x, name, req_sizes):
    msg = req_sizes[0] if len(req_sizes) < 2 else ' or '.join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f'{name} should be a sequence of length {msg}.')
    if len(x) not in req_sizes:
        raise ValueError(f'{name} should be a sequence of length {msg}.')


def _setup_angle(x, name, req_sizes=(2,)):
    """A number d becomes [-d, d]; a sequence is checked for length; values become floats."""
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f'If {name} is a single number, it must be positive.')
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _setup_fill(fill):
    if fill is None:
        return 0
    if not isinstance(fill, (Sequence, numbers.Number)):
        raise TypeError('Fill should be either a sequence or a number.')
    return fill


def _tensor_fill(fill, img):
    """Tensor images take the fill as one float per channel."""
    if not isinstance(img, ember.Tensor):
        return fill
    if isinstance(fill, (int, float)):
        return [float(fill)] * F.get_dimensions(img)[0]
    return [float(f) for f in fill]


class RandomRotation(Module):
    """Rotate by an angle drawn uniformly from ``degrees`` (d -> [-d, d])."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=0):
        super().__init__()
        interpolation = _interp(interpolation, strict=False)
        self.degrees = _setup_angle(degrees, name='degrees', req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, 'center', req_sizes=(2,))
        self.center = center
        self.interpolation = interpolation
        self.expand = expand
        self.fill = _setup_fill(fill)

    @staticmethod
    def get_params(degrees):
        return float(_uniform(float(degrees[0]), float(degrees[1])))

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self):
        s = f'{type(self).__name__}(degrees={self.degrees}, interpolation={self.interpolation.value}, ' \
            f'expand={self.expand}'
        if self.center is not None:
            s += f', center={self.center}'
        if self.fill is not None:
            s += f', fill={self.fill}'
        return s + ')'


class RandomAffine(Module):
    """Random rotation (``degrees``), translation (fractions ``translate`` of width/height), scale
    (range ``scale``) and shear (``shear``: d, (min, max) for x, or (xmin, xmax, ymin, ymax))."""

    def __init__(self, degrees, translate=None, scale=None, shear=None, interpolation=InterpolationMode.NEAREST,
                 fill=0, center=None):
        super().__init__()
        interpolation = _interp(interpolation, strict=False)
        self.degrees = _setup_angle(degrees, name='degrees', req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, 'translate', req_sizes=(2,))
            for t in translate:
                if not 0.0 <= t <= 1.0:
                    raise ValueError('translation values should be between 0 and 1')
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, 'scale', req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError('scale values should be positive')
        self.scale = scale
        self.shear = _setup_angle(shear, name='shear', req_sizes=(2, 4)) if shear is not None else None
        self.interpolation = interpolation
        self.fill = _setup_fill(fill)
        if center is not None:
            _check_sequence_input(center, 'center', req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """(angle, (tx, ty), scale, (shear_x, shear_y)) for an image of ``img_size`` = [width, height]."""
        angle = float(_uniform(float(degrees[0]), float(degrees[1])))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            translations = (int(round(_uniform(-max_dx, max_dx))), int(round(_uniform(-max_dy, max_dy))))
        else:
            translations = (0, 0)
        scale = float(_uniform(scale_ranges[0], scale_ranges[1])) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = float(_uniform(shears[0], shears[1]))
            if len(shears) == 4:
                shear_y = float(_uniform(shears[2], shears[3]))
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        ret = self.get_params(self.degrees, self.translate, self.scale, self.shear, [width, height])
        return F.affine(img, *ret, interpolation=self.interpolation, fill=fill, center=self.center)

    def __repr__(self):
        s = f'{type(self).__name__}(degrees={self.degrees}'
        s += f', translate={self.translate}' if self.translate is not None else ''
        s += f', scale={self.scale}' if self.scale is not None else ''
        s += f', shear={self.shear}' if self.shear is not None else ''
        s += f', interpolation={self.interpolation.value}' if self.interpolation != InterpolationMode.NEAREST else ''
        s += f', fill={self.fill}' if self.fill != 0 else ''
        s += f', center={self.center}' if self.center is not None else ''
        return s + ')'


class RandomPerspective(Module):
    """With probability ``p``, move each corner inwards by up to ``distortion_scale`` of half the size."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.p = p
        self.interpolation = _interp(interpolation, strict=False)
        self.distortion_scale = distortion_scale
        self.fill = _setup_fill(fill)

    def forward(self, img):
        fill = _tensor_fill(self.fill, img)
        _, height, width = F.get_dimensions(img)
        if _coin(self.p):
            startpoints, endpoints = self.get_params(width, height, self.distortion_scale)
            return F.perspective(img, startpoints, endpoints, self.interpolation, fill)
        return img

    @staticmethod
    def get_params(width, height, distortion_scale):
        """startpoints (the image corners: top-left, top-right, bottom-right, bottom-left) and endpoints."""
        dw = int(distortion_scale * (width // 2))
        dh = int(distortion_scale * (height // 2))

        def draw(lo, hi):
            return int(ember.randint(lo, hi, size=(1,)).item())
        topleft = [draw(0, dw + 1), draw(0, dh + 1)]
        topright = [draw(width - dw - 1, width), draw(0, dh + 1)]
        botright = [draw(width - dw - 1, width), draw(height - dh - 1, height)]
        botleft = [draw(0, dw + 1), draw(height - dh - 1, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [topleft, topright, botright, botleft]

    def __repr__(self):
        return f'{type(self).__name__}(p={self.p})'


def _pair_of_floats(value, name):
    if not isinstance(value, (float, Sequence)):
        raise TypeError(f'{name} should be float or a sequence of floats. Got {type(value)}')
    if isinstance(value, Sequence) and len(value) != 2:
        raise ValueError(f'If {name} is a sequence its length should be 2. Got {len(value)}')
    if isinstance(value, Sequence):
        for element in value:
            if not isinstance(element, float):
                raise TypeError(f'{name} should be a sequence of floats. Got {type(element)}')
        return value
    return [float(value), float(value)]


class ElasticTransform(Module):
    """Displace pixels by smooth random fields: uniform noise blurred with a Gaussian of width
    ``sigma``, scaled by ``alpha`` (both per axis, in pixels)."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR, fill=0):
        super().__init__()
        self.alpha = _pair_of_floats(alpha, 'alpha')
        self.sigma = _pair_of_floats(sigma, 'sigma')
        self.interpolation = _interp(interpolation, strict=False)
        if isinstance(fill, (int, float)):
            fill = [float(fill)]
        elif isinstance(fill, (list, tuple)):
            fill = [float(f) for f in fill]
        else:
            raise TypeError(f'fill should be int or float or a tuple or list. Got {type(fill)}')
        self.fill = fill

    @staticmethod
    def get_params(alpha, sigma, size):
        """A (1, H, W, 2) displacement for ``size`` = [H, W], in grid_sample's normalised units."""
        fields = []
        for axis in range(2):
            d = ember.rand([1, 1] + list(size)) * 2 - 1
            if sigma[axis] > 0.0:
                k = int(8 * sigma[axis] + 1)
                k += 1 - k % 2                        # the kernel size must be odd
                d = F.gaussian_blur(d, [k, k], list(sigma))
            fields.append(d * alpha[axis] / size[axis])
        return ember.cat(fields, 1).permute([0, 2, 3, 1])

    def forward(self, tensor):
        _, height, width = F.get_dimensions(tensor)
        displacement = self.get_params(self.alpha, self.sigma, [height, width])
        return F.elastic_transform(tensor, displacement, self.interpolation, self.fill)

    def __repr__(self):
        return (f'{type(self).__name__}(alpha={self.alpha}, sigma={self.sigma}, interpolation={self.interpolation}, '
                f'fill={self.fill})')


class LinearTransformation(Module):
    """Flatten the tensor image, subtract ``mean_vector`` and multiply by ``transformation_matrix``
    (e.g. ZCA whitening), then restore the shape."""

    def __init__(self, transformation_matrix, mean_vector):
        super().__init__()
        if transformation_matrix.size(0) != transformation_matrix.size(1):
            raise ValueError('transformation_matrix should be square. Got '
                             f'{tuple(transformation_matrix.size())} rectangular matrix.')
        if mean_vector.size(0) != transformation_matrix.size(0):
            raise ValueError(f'mean_vector should have the same length {mean_vector.size(0)} as any one of the '
                             f'dimensions of the transformation_matrix [{tuple(transformation_matrix.size())}]')
        if transformation_matrix.device != mean_vector.device:
            raise ValueError(f'Input tensors should be on the same device. Got {transformation_matrix.device} and '
                             f'{mean_vector.device}')
        if transformation_matrix.dtype != mean_vector.dtype:
            raise ValueError(f'Input tensors should have the same dtype. Got {transformation_matrix.dtype} and '
                             f'{mean_vector.dtype}')
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def forward(self, tensor):
        shape = tensor.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError('Input tensor and transformation matrix have incompatible shape.'
                             f'[{shape[-3]} x {shape[-2]} x {shape[-1]}] != {self.transformation_matrix.shape[0]}')
        if tensor.device.type != self.mean_vector.device.type:
            raise ValueError('Input tensor should be on the same device as transformation matrix and mean vector. '
                             f'Got {tensor.device} vs {self.mean_vector.device}')
        flat = tensor.view(-1, n) - self.mean_vector
        return ember.mm(flat, self.transformation_matrix.to(flat.dtype)).view(shape)

    def __repr__(self):
        return (f'{type(self).__name__}(transformation_matrix={self.transformation_matrix.tolist()}, '
                f'mean_vector={self.mean_vector.tolist()})')
