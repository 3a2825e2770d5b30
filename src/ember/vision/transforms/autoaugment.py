"""Learned and random augmentation policies of ``torchvision.transforms``: AutoAugment (with
the ImageNet / CIFAR10 / SVHN policies), RandAugment, TrivialAugmentWide and AugMix.

Every policy is a list of named image operations (``_apply_op``) with a magnitude picked from a
per-operation table of ``num_bins`` values; the tables and the order of random draws follow
torchvision. Tensor images should be uint8 (..., 1 or 3, H, W); PIL images "L" or "RGB"."""
import math
from enum import Enum

import ember
from ember.ops.gamma_draws import _sample_dirichlet as sample_dirichlet
from ember.nn import Module
from . import functional as F
from ._interpolation import InterpolationMode

__all__ = ['AutoAugmentPolicy', 'AutoAugment', 'RandAugment', 'TrivialAugmentWide', 'AugMix']


def _apply_op(img, op_name, magnitude, interpolation, fill):
    # shears take the tangent of the shear angle as magnitude, and shear about the top-left corner
    if op_name == 'ShearX':
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[math.degrees(math.atan(magnitude)), 0.0],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == 'ShearY':
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=[0.0, math.degrees(math.atan(magnitude))],
                        interpolation=interpolation, fill=fill, center=[0, 0])
    if op_name == 'TranslateX':
        return F.affine(img, angle=0.0, translate=[int(magnitude), 0], scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == 'TranslateY':
        return F.affine(img, angle=0.0, translate=[0, int(magnitude)], scale=1.0, interpolation=interpolation,
                        shear=[0.0, 0.0], fill=fill)
    if op_name == 'Rotate':
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    enhance = {'Brightness': F.adjust_brightness, 'Color': F.adjust_saturation, 'Contrast': F.adjust_contrast,
               'Sharpness': F.adjust_sharpness}
    if op_name in enhance:
        return enhance[op_name](img, 1.0 + magnitude)
    if op_name == 'Posterize':
        return F.posterize(img, int(magnitude))
    if op_name == 'Solarize':
        return F.solarize(img, magnitude)
    plain = {'AutoContrast': F.autocontrast, 'Equalize': F.equalize, 'Invert': F.invert}
    if op_name in plain:
        return plain[op_name](img)
    if op_name == 'Identity':
        return img
    raise ValueError(f'The provided operator {op_name} is not recognized.')


def _fill_for(fill, img):
    channels = F.get_dimensions(img)[0]            # also refuses what is neither a tensor nor a PIL image
    if isinstance(img, ember.Tensor):
        if isinstance(fill, (int, float)):
            return [float(fill)] * channels
        if fill is not None:
            return [float(f) for f in fill]
    return fill


def _lin(hi, n):
    return ember.linspace(0.0, hi, n)


def _space(num_bins, height, width, shear=0.3, translate=None, rotate=30.0, enhance=0.9, posterize_bits=4):
    """op name -> (magnitudes, signed). ``translate`` (x, y) defaults to 150/331 of width, height."""
    tx, ty = translate if translate is not None else (150.0 / 331.0 * width, 150.0 / 331.0 * height)
    posterize = (8 - (ember.arange(num_bins) / ((num_bins - 1) / posterize_bits)).round().int())
    return {'ShearX': (_lin(shear, num_bins), True), 'ShearY': (_lin(shear, num_bins), True),
            'TranslateX': (_lin(tx, num_bins), True), 'TranslateY': (_lin(ty, num_bins), True),
            'Rotate': (_lin(rotate, num_bins), True), 'Brightness': (_lin(enhance, num_bins), True),
            'Color': (_lin(enhance, num_bins), True), 'Contrast': (_lin(enhance, num_bins), True),
            'Sharpness': (_lin(enhance, num_bins), True), 'Posterize': (posterize, False),
            'Solarize': (ember.linspace(255.0, 0.0, num_bins), False),
            'AutoContrast': (ember.tensor(0.0), False), 'Equalize': (ember.tensor(0.0), False)}


class AutoAugmentPolicy(Enum):
    """AutoAugment policies learned on different datasets: IMAGENET, CIFAR10 and SVHN."""
    IMAGENET = 'imagenet'
    CIFAR10 = 'cifar10'
    SVHN = 'svhn'


def _pairs(text):
    """'Op p m, Op p m; ...' -> [((op, p, m), (op, p, m)), ...]; m '-' means no magnitude."""
    out = []
    for pair in text.split(';'):
        ops = []
        for op in pair.split(','):
            name, p, m = op.split()
            ops.append((name, float(p), None if m == '-' else int(m)))
        out.append(tuple(ops))
    return out


_POLICIES = {
    AutoAugmentPolicy.IMAGENET: _pairs(
        'Posterize 0.4 8, Rotate 0.6 9; Solarize 0.6 5, AutoContrast 0.6 -; Equalize 0.8 -, Equalize 0.6 -;'
        'Posterize 0.6 7, Posterize 0.6 6; Equalize 0.4 -, Solarize 0.2 4; Equalize 0.4 -, Rotate 0.8 8;'
        'Solarize 0.6 3, Equalize 0.6 -; Posterize 0.8 5, Equalize 1.0 -; Rotate 0.2 3, Solarize 0.6 8;'
        'Equalize 0.6 -, Posterize 0.4 6; Rotate 0.8 8, Color 0.4 0; Rotate 0.4 9, Equalize 0.6 -;'
        'Equalize 0.0 -, Equalize 0.8 -; Invert 0.6 -, Equalize 1.0 -; Color 0.6 4, Contrast 1.0 8;'
        'Rotate 0.8 8, Color 1.0 2; Color 0.8 8, Solarize 0.8 7; Sharpness 0.4 7, Invert 0.6 -;'
        'ShearX 0.6 5, Equalize 1.0 -; Color 0.4 0, Equalize 0.6 -; Equalize 0.4 -, Solarize 0.2 4;'
        'Solarize 0.6 5, AutoContrast 0.6 -; Invert 0.6 -, Equalize 1.0 -; Color 0.6 4, Contrast 1.0 8;'
        'Equalize 0.8 -, Equalize 0.6 -'),
    AutoAugmentPolicy.CIFAR10: _pairs(
        'Invert 0.1 -, Contrast 0.2 6; Rotate 0.7 2, TranslateX 0.3 9; Sharpness 0.8 1, Sharpness 0.9 3;'
        'ShearY 0.5 8, TranslateY 0.7 9; AutoContrast 0.5 -, Equalize 0.9 -; ShearY 0.2 7, Posterize 0.3 7;'
        'Color 0.4 3, Brightness 0.6 7; Sharpness 0.3 9, Brightness 0.7 9; Equalize 0.6 -, Equalize 0.5 -;'
        'Contrast 0.6 7, Sharpness 0.6 5; Color 0.7 7, TranslateX 0.5 8; Equalize 0.3 -, AutoContrast 0.4 -;'
        'TranslateY 0.4 3, Sharpness 0.2 6; Brightness 0.9 6, Color 0.2 8; Solarize 0.5 2, Invert 0.0 -;'
        'Equalize 0.2 -, AutoContrast 0.6 -; Equalize 0.2 -, Equalize 0.6 -; Color 0.9 9, Equalize 0.6 -;'
        'AutoContrast 0.8 -, Solarize 0.2 8; Brightness 0.1 3, Color 0.7 0; Solarize 0.4 5, AutoContrast 0.9 -;'
        'TranslateY 0.9 9, TranslateY 0.7 9; AutoContrast 0.9 -, Solarize 0.8 3; Equalize 0.8 -, Invert 0.1 -;'
        'TranslateY 0.7 9, AutoContrast 0.9 -'),
    AutoAugmentPolicy.SVHN: _pairs(
        'ShearX 0.9 4, Invert 0.2 -; ShearY 0.9 8, Invert 0.7 -; Equalize 0.6 -, Solarize 0.6 6;'
        'Invert 0.9 -, Equalize 0.6 -; Equalize 0.6 -, Rotate 0.9 3; ShearX 0.9 4, AutoContrast 0.8 -;'
        'ShearY 0.9 8, Invert 0.4 -; ShearY 0.9 5, Solarize 0.2 6; Invert 0.9 -, AutoContrast 0.8 -;'
        'Equalize 0.6 -, Rotate 0.9 3; ShearX 0.9 4, Solarize 0.3 3; ShearY 0.8 8, Invert 0.7 -;'
        'Equalize 0.9 -, TranslateY 0.6 6; Invert 0.9 -, Equalize 0.6 -; Contrast 0.3 3, Rotate 0.8 4;'
        'Invert 0.8 -, TranslateY 0.0 2; ShearY 0.7 6, Solarize 0.4 8; Invert 0.6 -, Rotate 0.8 4;'
        'ShearY 0.3 7, TranslateX 0.9 3; ShearX 0.1 6, Invert 0.6 -; Solarize 0.7 2, TranslateY 0.6 7;'
        'ShearY 0.8 4, Invert 0.8 -; ShearX 0.7 9, TranslateY 0.8 3; ShearY 0.8 5, AutoContrast 0.7 -;'
        'ShearX 0.7 2, Invert 0.1 -'),
}


class AutoAugment(Module):
    """Each call picks one of the policy's 25 sub-policies and applies its two operations, each with
    its own probability and fixed magnitude (sign chosen at random for signed operations)."""

    def __init__(self, policy=AutoAugmentPolicy.IMAGENET, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.policy = policy
        self.interpolation = interpolation
        self.fill = fill
        self.policies = self._get_policies(policy)

    def _get_policies(self, policy):
        if policy not in _POLICIES:
            raise ValueError(f'The provided policy {policy} is not recognized.')
        return list(_POLICIES[policy])

    def _augmentation_space(self, num_bins, image_size):
        space = _space(num_bins, image_size[0], image_size[1])
        space['Invert'] = (ember.tensor(0.0), False)
        return space

    @staticmethod
    def get_params(transform_num):
        """(sub-policy index, two probabilities, two signs)."""
        policy_id = int(ember.randint(transform_num, (1,)).item())
        return policy_id, ember.rand((2,)), ember.randint(2, (2,))

    def forward(self, img):
        fill = _fill_for(self.fill, img)
        _, height, width = F.get_dimensions(img)
        transform_id, probs, signs = self.get_params(len(self.policies))
        op_meta = self._augmentation_space(10, (height, width))
        for i, (op_name, p, magnitude_id) in enumerate(self.policies[transform_id]):
            if probs[i] <= p:
                magnitudes, signed = op_meta[op_name]
                magnitude = float(magnitudes[magnitude_id].item()) if magnitude_id is not None else 0.0
                if signed and signs[i] == 0:
                    magnitude *= -1.0
                img = _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return f'{type(self).__name__}(policy={self.policy}, fill={self.fill})'


def _draw_op(op_meta, pick_bin):
    """A random op of ``op_meta`` and its magnitude (bin chosen by ``pick_bin(magnitudes)``, sign random)."""
    op_name = list(op_meta.keys())[int(ember.randint(len(op_meta), (1,)).item())]
    magnitudes, signed = op_meta[op_name]
    magnitude = float(pick_bin(magnitudes)) if magnitudes.ndim > 0 else 0.0
    if signed and ember.randint(2, (1,)).item():
        magnitude *= -1.0
    return op_name, magnitude


class RandAugment(Module):
    """``num_ops`` operations drawn uniformly, all at the same ``magnitude`` bin out of ``num_magnitude_bins``."""

    def __init__(self, num_ops=2, magnitude=9, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST,
                 fill=None):
        super().__init__()
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins, image_size):
        return {'Identity': (ember.tensor(0.0), False), **_space(num_bins, image_size[0], image_size[1])}

    def forward(self, img):
        fill = _fill_for(self.fill, img)
        _, height, width = F.get_dimensions(img)
        op_meta = self._augmentation_space(self.num_magnitude_bins, (height, width))
        for _ in range(self.num_ops):
            op_name, magnitude = _draw_op(op_meta, lambda m: m[self.magnitude].item())
            img = _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)
        return img

    def __repr__(self):
        return (f'{type(self).__name__}(num_ops={self.num_ops}, magnitude={self.magnitude}, '
                f'num_magnitude_bins={self.num_magnitude_bins}, interpolation={self.interpolation}, '
                f'fill={self.fill})')


class TrivialAugmentWide(Module):
    """One operation drawn uniformly, at a magnitude bin drawn uniformly (the "wide" ranges)."""

    def __init__(self, num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        self.num_magnitude_bins = num_magnitude_bins
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins):
        return {'Identity': (ember.tensor(0.0), False),
                **_space(num_bins, 0, 0, shear=0.99, translate=(32.0, 32.0), rotate=135.0, enhance=0.99,
                         posterize_bits=6)}

    def forward(self, img):
        fill = _fill_for(self.fill, img)
        op_meta = self._augmentation_space(self.num_magnitude_bins)
        op_name, magnitude = _draw_op(op_meta, lambda m: m[ember.randint(len(m), (1,), dtype=ember.long)].item())
        return _apply_op(img, op_name, magnitude, interpolation=self.interpolation, fill=fill)

    def __repr__(self):
        return (f'{type(self).__name__}(num_magnitude_bins={self.num_magnitude_bins}, '
                f'interpolation={self.interpolation}, fill={self.fill})')


class AugMix(Module):
    """Mix the image with ``mixture_width`` chains of 1-3 (or ``chain_depth``) random operations of
    strength up to ``severity``, using Dirichlet(``alpha``) chain weights and a Beta(``alpha``, ``alpha``)
    weight for the original."""

    def __init__(self, severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True,
                 interpolation=InterpolationMode.BILINEAR, fill=None):
        super().__init__()
        self._PARAMETER_MAX = 10
        if not 1 <= severity <= self._PARAMETER_MAX:
            raise ValueError(f'The severity must be between [1, {self._PARAMETER_MAX}]. Got {severity} instead.')
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self.interpolation = interpolation
        self.fill = fill

    def _augmentation_space(self, num_bins, image_size):
        height, width = image_size
        space = _space(num_bins, height, width, translate=(width / 3.0, height / 3.0))
        space['Posterize'] = (4 - (ember.arange(num_bins) / ((num_bins - 1) / 4)).round().int(), False)
        enhance = ('Brightness', 'Color', 'Contrast', 'Sharpness')
        out = {k: v for k, v in space.items() if k not in enhance}
        if self.all_ops:
            out.update({k: space[k] for k in enhance})
        return out

    def _pil_to_tensor(self, img):
        return F.pil_to_tensor(img)

    def _tensor_to_pil(self, img):
        return F.to_pil_image(img)

    def _sample_dirichlet(self, params):
        return sample_dirichlet(params)

    def forward(self, orig_img):
        fill = self.fill
        channels, height, width = F.get_dimensions(orig_img)
        if isinstance(orig_img, ember.Tensor):
            img = orig_img
            fill = _fill_for(fill, img)
        else:
            img = self._pil_to_tensor(orig_img)
        op_meta = self._augmentation_space(self._PARAMETER_MAX, (height, width))
        orig_dims = list(img.shape)
        batch = img.view([1] * max(4 - img.ndim, 0) + orig_dims)
        n = batch.size(0)
        batch_dims = [n] + [1] * (batch.ndim - 1)
        # column 0: weight of the original image, column 1: total weight of the augmented chains
        m = self._sample_dirichlet(ember.tensor([self.alpha, self.alpha], device=batch.device).expand(n, -1))
        combined = self._sample_dirichlet(ember.tensor([self.alpha] * self.mixture_width,
                                                       device=batch.device).expand(n, -1)) * m[:, 1].reshape(n, -1)
        mix = m[:, 0].reshape(batch_dims) * batch
        for i in range(self.mixture_width):
            aug = batch
            depth = self.chain_depth if self.chain_depth > 0 else int(ember.randint(low=1, high=4, size=(1,)).item())
            for _ in range(depth):
                op_name, magnitude = _draw_op(
                    op_meta, lambda mags: mags[ember.randint(self.severity, (1,), dtype=ember.long)].item())
                aug = _apply_op(aug, op_name, magnitude, interpolation=self.interpolation, fill=fill)
            mix.add_(combined[:, i].reshape(batch_dims) * aug)
        mix = mix.view(orig_dims).to(dtype=img.dtype)
        if not isinstance(orig_img, ember.Tensor):
            return self._tensor_to_pil(mix)
        return mix

    def __repr__(self):
        return (f'{type(self).__name__}(severity={self.severity}, mixture_width={self.mixture_width}, '
                f'chain_depth={self.chain_depth}, alpha={self.alpha}, all_ops={self.all_ops}, '
                f'interpolation={self.interpolation}, fill={self.fill})')
