"""Resampling transforms of ``transforms.functional``: rotate, affine, perspective and
elastic_transform, for PIL Images (Pillow's own ``rotate``/``transform``) and tensor images
(``grid_sample``, see ``_geometry_tensor``).

Both paths use the same inverse affine matrix (output pixel -> input pixel), so a PIL image and
its tensor give the same picture. The PIL path measures coordinates from the top-left corner
with the default centre at (w/2, h/2); the tensor path measures them from the image centre."""
import math
import numbers

import numpy as np

import ember
from . import _functional_pil as F_pil
from . import _geometry_tensor as F_g
from ._interpolation import InterpolationMode, _interp, pil_modes_mapping

__all__ = ['rotate', 'affine', 'perspective', 'elastic_transform']


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    """The 6 coefficients of the affine map about ``center``: rotation by ``angle`` degrees,
    shear ``(sx, sy)`` in degrees, uniform ``scale``, then ``translate``. Forward map:
    ``M = T * C * RotateScaleShear * C^-1``; with ``inverted`` (the default) returns ``M^-1``,
    the output -> input map that Pillow's ``Image.transform`` and the sampling grids expect.

    RotateScaleShear = Rotate(a) * Shear(sx, sy) * Scale(s), where Shear(sx, sy) =
    ShearY(sy) * ShearX(sx) composed with a correction that keeps the y-axis direction, giving
    the 2x2 block ``[[a, b], [c, d]]`` below (before the scale)."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]        # inverse of the 2x2 block (det = 1)
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    else:
        m = [x * scale for x in (a, b, 0.0, c, d, 0.0)]
        m[2] += m[0] * (-cx) + m[1] * (-cy) + cx + tx
        m[5] += m[3] * (-cx) + m[4] * (-cy) + cy + ty
    return m


def rotate(img, angle, interpolation=InterpolationMode.NEAREST, expand=False, center=None, fill=None):
    """Rotate by ``angle`` degrees counter-clockwise about ``center`` (default: the image centre).
    ``expand=True`` grows the output to hold the whole rotated image; outside pixels get ``fill``."""
    interpolation = _interp(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError('Argument angle should be int or float')
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError('Argument center should be a sequence')
    if not isinstance(img, ember.Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation], expand=expand,
                            center=center, fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        h, w = img.shape[-2:]
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h])]
    # the tensor grid's y axis points down, so a counter-clockwise turn is a negative affine angle
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    return F_g.rotate(img, matrix=matrix, interpolation=interpolation.value, expand=expand, fill=fill)


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST, fill=None, center=None):
    """Affine transform keeping the image centre (or ``center``) fixed: rotate by ``angle`` degrees
    (clockwise), shear by ``shear`` degrees (one value: x only; two: x and y), scale by ``scale``,
    then shift by ``translate`` = (dx, dy) pixels."""
    interpolation = _interp(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError('Argument angle should be int or float')
    if not isinstance(translate, (list, tuple)):
        raise TypeError('Argument translate should be a sequence')
    if len(translate) != 2:
        raise ValueError('Argument translate should be a sequence of length 2')
    if scale <= 0.0:
        raise ValueError('Argument scale should be positive')
    if not isinstance(shear, (numbers.Number, list, tuple)):
        raise TypeError('Shear should be either a single value or a sequence of two values')
    angle = float(angle)
    translate = list(translate)
    shear = [shear, 0.0] if isinstance(shear, numbers.Number) else list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f'Shear should be a sequence containing two values. Got {shear}')
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError('Argument center should be a sequence')
    if not isinstance(img, ember.Tensor):
        _, height, width = F_pil.get_dimensions(img)
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, angle, translate, scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation], fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        h, w = img.shape[-2:]
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [w, h])]
    matrix = _get_inverse_affine_matrix(center_f, angle, [1.0 * t for t in translate], scale, shear)
    return F_g.affine(img, matrix=matrix, interpolation=interpolation.value, fill=fill)


def _get_perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients of the projective map from ``endpoints`` back to ``startpoints`` (four
    [x, y] corners each), solved by least squares in float64 and returned as float32 values."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f'Please provide exactly four corners, got {len(startpoints)} startpoints and '
                         f'{len(endpoints)} endpoints.')
    a = np.zeros((8, 8))
    for i, ((ex, ey), (sx, sy)) in enumerate(zip(endpoints, startpoints)):
        a[2 * i] = [ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey]
        a[2 * i + 1] = [0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    return np.linalg.lstsq(a, b, rcond=None)[0].astype(np.float32).tolist()


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Warp so that the four ``startpoints`` (top-left, top-right, bottom-right, bottom-left) land on
    ``endpoints``."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _interp(interpolation)
    if not isinstance(img, ember.Tensor):
        return F_pil.perspective(img, coeffs, interpolation=pil_modes_mapping[interpolation], fill=fill)
    return F_g.perspective(img, coeffs, interpolation=interpolation.value, fill=fill)


def elastic_transform(img, displacement, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Move each pixel by ``displacement`` (1, H, W, 2), given in normalised [-1, 1] units; PIL images
    go through the tensor path and come back in their own mode."""
    from .functional import pil_to_tensor, to_pil_image
    interpolation = _interp(interpolation)
    if not isinstance(displacement, ember.Tensor):
        raise TypeError('Argument displacement should be a Tensor')
    t_img = img
    if not isinstance(img, ember.Tensor):
        if not F_pil._is_pil_image(img):
            raise TypeError(f'img should be PIL Image or Tensor. Got {type(img)}')
        t_img = pil_to_tensor(img)
    shape = (1,) + tuple(t_img.shape[-2:]) + (2,)
    if shape != tuple(displacement.shape):
        raise ValueError(f'Argument displacement shape should be {shape}, but given {displacement.shape}')
    out = F_g.elastic_transform(t_img, displacement, interpolation=interpolation.value, fill=fill)
    if not isinstance(img, ember.Tensor):
        out = to_pil_image(out, mode=img.mode)
    return out
