"""The tensor half of the resampling transforms (rotate, affine, perspective, elastic_transform).

Each builds a sampling grid in the normalised [-1, 1] coordinates of ``F.grid_sample``
(align_corners=False), samples the image with it, and paints the area that came from outside
the image with ``fill``: a ones channel is sampled along with the image and serves as the
coverage mask, so one ``grid_sample`` call does both. Integer images are sampled in float32
and rounded back, as torchvision does; the image is (C, H, W) or a batch (N, C, H, W)."""
import warnings

import numpy as np

import ember
from ._functional_tensor import _assert_image_tensor, _cast_squeeze_in, _cast_squeeze_out, get_dimensions


def _assert_grid_transform_inputs(img, matrix, interpolation, fill, supported, coeffs=None):
    if not isinstance(img, ember.Tensor):
        raise TypeError('Input img should be Tensor')
    _assert_image_tensor(img)
    if matrix is not None and not isinstance(matrix, list):
        raise TypeError('Argument matrix should be a list')
    if matrix is not None and len(matrix) != 6:
        raise ValueError('Argument matrix should have 6 float values')
    if coeffs is not None and len(coeffs) != 8:
        raise ValueError('Argument coeffs should have 8 float values')
    if fill is not None and not isinstance(fill, (int, float, tuple, list)):
        warnings.warn('Argument fill should be either int, float, tuple or list')
    channels = get_dimensions(img)[0]
    if isinstance(fill, (tuple, list)) and len(fill) > 1 and len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number of channels of "
                         f'the image ({len(fill)} != {channels})')
    if interpolation not in supported:
        raise ValueError(f"Interpolation mode '{interpolation}' is unsupported with Tensor input")


def _apply_grid_transform(img, grid, mode, fill):
    """Sample ``img`` (C, H, W) or (N, C, H, W) at ``grid`` (1, oh, ow, 2); outside pixels get ``fill``."""
    x, squeeze, out_dtype = _cast_squeeze_in(img, (grid.dtype,))
    n = x.shape[0]
    if n > 1:
        grid = grid.expand(n, *grid.shape[1:])
    if fill is not None:
        x = ember.cat((x, ember.ones((n, 1) + tuple(x.shape[2:]), dtype=x.dtype, device=x.device)), dim=1)
    x = ember.nn.functional.grid_sample(x, grid, mode=mode, padding_mode='zeros', align_corners=False)
    if fill is not None:
        mask, x = x[:, -1:], x[:, :-1]
        values = list(fill) if isinstance(fill, (tuple, list)) else [float(fill)]
        fill_img = ember.tensor(values, dtype=x.dtype, device=x.device).view(1, len(values), 1, 1)
        if mode == 'nearest':
            x = ember.where(mask < 0.5, fill_img.expand_as(x), x)
        else:
            x = x * mask + (1.0 - mask) * fill_img
    return _cast_squeeze_out(x, squeeze, out_dtype)


def _grid_dtype(img):
    return img.dtype if img.is_floating_point() else ember.float32


def _base_grid(ow, oh, x0, y0, dtype, device):
    """(oh * ow, 3) rows [x, y, 1] of pixel-centre coordinates, x from x0 and y from y0 in steps of 1."""
    xs = ember.linspace(x0, x0 + ow - 1, ow, device=device).to(dtype)
    ys = ember.linspace(y0, y0 + oh - 1, oh, device=device).to(dtype)
    gy, gx = ember.meshgrid(ys, xs, indexing='ij')
    return ember.stack((gx, gy, ember.ones_like(gx)), dim=-1).reshape(oh * ow, 3)


def _gen_affine_grid(theta, w, h, ow, oh):
    """Grid for an inverse affine ``theta`` (1, 2, 3) acting on centred pixel coordinates; the output
    may be bigger than the input (``expand``), normalisation is by the input size."""
    base = _base_grid(ow, oh, -ow * 0.5 + 0.5, -oh * 0.5 + 0.5, theta.dtype, theta.device)
    scale = ember.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype, device=theta.device)
    return (base @ (theta[0].t() / scale)).reshape(1, oh, ow, 2)


def affine(img, matrix, interpolation='nearest', fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ['nearest', 'bilinear'])
    theta = ember.tensor(matrix, dtype=_grid_dtype(img), device=img.device).reshape(1, 2, 3)
    h, w = img.shape[-2:]
    return _apply_grid_transform(img, _gen_affine_grid(theta, w=w, h=h, ow=w, oh=h), interpolation, fill)


def _compute_affine_output_size(matrix, w, h):
    """(w, h) of the box holding the image's corners after ``matrix``, rounded outwards as PIL does.
    Computed in float32 like torchvision, whose 1e-4 truncation then absorbs cos(90 deg) noise."""
    f32 = np.float32
    corners = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=f32)
    pts = corners @ np.array(matrix, dtype=f32).reshape(2, 3).T
    half = np.array((w * 0.5, h * 0.5), dtype=f32)
    lo, hi = pts.min(axis=0) + half, pts.max(axis=0) + half
    tol = f32(1e-4)
    size = np.ceil(np.trunc(hi / tol) * tol) - np.floor(np.trunc(lo / tol) * tol)
    return int(size[0]), int(size[1])


def rotate(img, matrix, interpolation='nearest', expand=False, fill=None):
    _assert_grid_transform_inputs(img, matrix, interpolation, fill, ['nearest', 'bilinear'])
    h, w = img.shape[-2:]
    ow, oh = _compute_affine_output_size(matrix, w, h) if expand else (w, h)
    theta = ember.tensor(matrix, dtype=_grid_dtype(img), device=img.device).reshape(1, 2, 3)
    return _apply_grid_transform(img, _gen_affine_grid(theta, w=w, h=h, ow=ow, oh=oh), interpolation, fill)


def _perspective_grid(coeffs, ow, oh, dtype, device):
    """Pillow's perspective map: x_in = (c0 x + c1 y + c2) / (c6 x + c7 y + 1), y_in likewise with c3..c5,
    on pixel-centre coordinates, then normalised to [-1, 1]."""
    num = ember.tensor([[coeffs[0], coeffs[1], coeffs[2]], [coeffs[3], coeffs[4], coeffs[5]]],
                       dtype=dtype, device=device)
    den = ember.tensor([[coeffs[6], coeffs[7], 1.0], [coeffs[6], coeffs[7], 1.0]], dtype=dtype, device=device)
    base = _base_grid(ow, oh, 0.5, 0.5, dtype, device)
    scale = ember.tensor([0.5 * ow, 0.5 * oh], dtype=dtype, device=device)
    grid = (base @ (num.t() / scale)) / (base @ den.t()) - 1.0
    return grid.reshape(1, oh, ow, 2)


def perspective(img, perspective_coeffs, interpolation='bilinear', fill=None):
    if not isinstance(img, ember.Tensor):
        raise TypeError('Input img should be Tensor.')
    _assert_image_tensor(img)
    _assert_grid_transform_inputs(img, None, interpolation, fill, ['nearest', 'bilinear'], coeffs=perspective_coeffs)
    h, w = img.shape[-2:]
    grid = _perspective_grid(perspective_coeffs, ow=w, oh=h, dtype=_grid_dtype(img), device=img.device)
    return _apply_grid_transform(img, grid, interpolation, fill)


def _create_identity_grid(size):
    h, w = size
    ys = ember.linspace((-h + 1) / h, (h - 1) / h, h)
    xs = ember.linspace((-w + 1) / w, (w - 1) / w, w)
    gy, gx = ember.meshgrid(ys, xs, indexing='ij')
    return ember.stack([gx, gy], -1).unsqueeze(0)       # 1 x H x W x 2


def elastic_transform(img, displacement, interpolation='bilinear', fill=None):
    """Sample at identity + ``displacement`` (1, H, W, 2) in normalised coordinates."""
    if not isinstance(img, ember.Tensor):
        raise TypeError(f'img should be Tensor. Got {type(img)}')
    displacement = displacement.to(img.device)
    grid = _create_identity_grid(list(img.shape[-2:])).to(img.device) + displacement
    return _apply_grid_transform(img, grid, interpolation, fill)
