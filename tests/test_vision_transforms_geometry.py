"""ember.vision.transforms: rotate / affine / perspective / elastic_transform, the point ops
(gamma, sharpness, posterize, solarize, autocontrast, equalize), and the random classes built on
them (RandomRotation, RandomAffine, RandomPerspective, ElasticTransform, AutoAugment, ...).

torchvision can't be installed here, so: PIL paths are checked against Pillow called directly
with matrices derived in this file from torchvision's documented formulas; tensor paths against
torch.rot90 / numpy formulas and against the PIL result; reprs and error messages as
torchvision prints them."""
import math

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance, ImageOps

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as F

IM = T.InterpolationMode
RNG = np.random.default_rng(0)
U8 = RNG.integers(0, 256, (12, 16, 3), dtype=np.uint8)           # H x W x C, non-square
PIL_RGB = Image.fromarray(U8)
CHW = np.ascontiguousarray(U8.transpose(2, 0, 1))
SQ = RNG.integers(0, 256, (2, 3, 8, 8), dtype=np.uint8)           # batched, square


def et(a):
    return ember.from_numpy(np.ascontiguousarray(a))


def chw(pil):
    a = np.asarray(pil)
    return a[None] if a.ndim == 2 else a.transpose(2, 0, 1)


def forward_affine(center, angle, translate, scale, shear):
    """M = T * C * R(a) * S(s) * SHy(sy) * SHx(sx) * C^-1 (torchvision's documented composition,
    with the y-shear corrected to keep rows: SHy(sy) built as R(-sy)-compensated), as a 3x3 matrix."""
    a, sx, sy = (math.radians(v) for v in (angle, shear[0], shear[1]))
    rss = np.array([[math.cos(a - sy) / math.cos(sy), -math.cos(a - sy) * math.tan(sx) / math.cos(sy) - math.sin(a), 0],
                    [math.sin(a - sy) / math.cos(sy), -math.sin(a - sy) * math.tan(sx) / math.cos(sy) + math.cos(a), 0],
                    [0, 0, 1]])
    rss[:2, :2] *= scale
    c = np.array([[1, 0, center[0]], [0, 1, center[1]], [0, 0, 1.0]])
    t = np.array([[1, 0, translate[0]], [0, 1, translate[1]], [0, 0, 1.0]])
    return t @ c @ rss @ np.linalg.inv(c)


# ---------------------------------------------------------------- (a) PIL path = Pillow with torchvision's matrix

@pytest.mark.parametrize('angle,translate,scale,shear', [(30.0, (2, -1), 1.2, (10.0, 0.0)),
                                                         (-45.0, (0, 3), 0.8, (5.0, -7.0)), (0.0, (0, 0), 1.0, (0, 0))])
def test_inverse_affine_matrix_and_pil_affine(angle, translate, scale, shear):
    center = (8.0, 6.0)
    fwd = forward_affine(center, angle, translate, scale, shear)
    inv = F._get_inverse_affine_matrix(center, angle, translate, scale, shear)
    np.testing.assert_allclose(inv, np.linalg.inv(fwd)[:2].ravel(), atol=1e-12)
    np.testing.assert_allclose(F._get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=False),
                               fwd[:2].ravel(), atol=1e-12)
    for mode, pil_mode in ((IM.NEAREST, Image.NEAREST), (IM.BILINEAR, Image.BILINEAR)):
        ours = F.affine(PIL_RGB, angle, list(translate), scale, list(shear), interpolation=mode, fill=7)
        ref = PIL_RGB.transform(PIL_RGB.size, Image.AFFINE, tuple(np.linalg.inv(fwd)[:2].ravel()), pil_mode,
                                fillcolor=(7, 7, 7))
        assert np.array_equal(np.asarray(ours), np.asarray(ref))


def test_pil_rotate_known_facts():
    assert np.array_equal(np.asarray(F.rotate(PIL_RGB, 0)), U8)                      # identity
    r = F.rotate(PIL_RGB, 90, expand=True)
    assert r.size == (12, 16) and np.array_equal(np.asarray(r), np.rot90(U8))          # H and W swap
    r = F.rotate(PIL_RGB, 33.0, IM.BILINEAR, center=(3, 4), fill=(1, 2, 3))
    assert np.array_equal(np.asarray(r), np.asarray(PIL_RGB.rotate(33.0, Image.BILINEAR, center=(3, 4),
                                                                    fillcolor=(1, 2, 3))))
    assert F.rotate(PIL_RGB, 45, expand=True).size == PIL_RGB.rotate(45, expand=True).size
    assert F.rotate(PIL_RGB, 10, interpolation=2).mode == 'RGB'                     # Pillow int constant


def test_affine_translate_shifts_exactly():
    for img, arr in ((PIL_RGB, CHW), (et(CHW), CHW)):
        out = chw(F.affine(img, 0, [3, 2], 1.0, 0)) if not isinstance(img, ember.Tensor) else \
            F.affine(img, 0, [3, 2], 1.0, 0).numpy()
        assert np.array_equal(out[:, 2:, 3:], arr[:, :-2, :-3])
        assert out[:, :2].max() == 0 and out[:, :, :3].max() == 0


def test_pil_perspective_matches_pillow():
    start = [[0, 0], [15, 0], [15, 11], [0, 11]]
    end = [[2, 1], [14, 0], [13, 10], [1, 11]]
    a = np.array([[ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey] for (ex, ey), (sx, sy) in zip(end, start)] +
                 [[0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey] for (ex, ey), (sx, sy) in zip(end, start)], float)
    b = np.array([p[0] for p in start] + [p[1] for p in start], float)
    coeffs = np.linalg.solve(a, b).astype(np.float32)
    np.testing.assert_allclose(F._get_perspective_coeffs(start, end), coeffs, rtol=1e-6, atol=1e-6)
    ours = F.perspective(PIL_RGB, start, end)
    ref = PIL_RGB.transform(PIL_RGB.size, Image.PERSPECTIVE, tuple(coeffs.tolist()), Image.BILINEAR,
                            fillcolor=(0, 0, 0))
    assert np.array_equal(np.asarray(ours), np.asarray(ref))
    assert np.array_equal(chw(F.perspective(PIL_RGB, start, start, IM.NEAREST)), CHW)   # identity warp
    t = F.perspective(et(CHW), start, end).numpy().astype(int)                         # tensor agrees inside
    diff = np.abs(t - chw(ours).astype(int))[:, 2:-2, 2:-2]
    assert np.median(diff) <= 1 and np.mean(diff > 1) < 0.05                        # edges of the warp differ


def test_point_ops_pil_and_tensor_vs_imageops():
    t = et(CHW)
    pairs = [(F.posterize, ImageOps.posterize, (3,)), (F.solarize, ImageOps.solarize, (100,)),
             (F.equalize, ImageOps.equalize, ()), (F.invert, ImageOps.invert, ())]
    for fn, ref, args in pairs:
        expected = np.asarray(ref(PIL_RGB, *args))
        assert np.array_equal(np.asarray(fn(PIL_RGB, *args)), expected), fn.__name__
        assert np.array_equal(fn(t, *args).numpy(), expected.transpose(2, 0, 1)), fn.__name__
    ac = np.asarray(ImageOps.autocontrast(PIL_RGB)).transpose(2, 0, 1).astype(int)
    assert np.array_equal(chw(F.autocontrast(PIL_RGB)), ac)
    assert np.abs(F.autocontrast(t).numpy().astype(int) - ac).max() <= 1              # float scale vs PIL's LUT
    for factor in (0.0, 0.5, 2.0):
        sharp = np.asarray(ImageEnhance.Sharpness(PIL_RGB).enhance(factor))
        assert np.array_equal(np.asarray(F.adjust_sharpness(PIL_RGB, factor)), sharp)
        assert np.array_equal(F.adjust_sharpness(t, factor).numpy(), sharp.transpose(2, 0, 1))
    table = np.array([int((255 + 1 - 1e-3) * 1.1 * pow(v / 255.0, 0.7)) for v in range(256)]).clip(0, 255)
    assert np.array_equal(np.asarray(F.adjust_gamma(PIL_RGB, 0.7, 1.1)), table[U8])
    eq4 = F.equalize(et(SQ)).numpy()
    assert np.array_equal(eq4[1], np.asarray(ImageOps.equalize(Image.fromarray(SQ[1].transpose(1, 2, 0))))
                          .transpose(2, 0, 1))
    flat = et(np.full((1, 4, 4), 9, np.uint8))                                         # no spread: unchanged
    assert np.array_equal(F.equalize(flat).numpy(), flat.numpy())


# ---------------------------------------------------------------- (b) tensor path

@pytest.mark.parametrize('dtype', [np.uint8, np.float32, np.float64])
def test_tensor_rotate_and_affine_right_angles_equal_rot90(dtype):
    x = SQ.astype(dtype) / (255 if dtype != np.uint8 else 1)
    ref = torch.from_numpy(x)
    for angle, k in ((90, 1), (180, 2), (270, 3), (-90, 3)):
        for img, r in ((x, ref), (x[0], ref[0])):                                      # batched and single
            out = F.rotate(et(img), angle)
            assert out.dtype == et(img).dtype
            np.testing.assert_array_equal(out.numpy(), torch.rot90(r, k, [-2, -1]).numpy())
        # affine's angle turns clockwise
        np.testing.assert_array_equal(F.affine(et(x), -angle, [0, 0], 1.0, 0).numpy(),
                                      torch.rot90(ref, k, [-2, -1]).numpy())
    wide = RNG.integers(0, 256, (3, 4, 8), dtype=np.uint8).astype(dtype)
    out = F.rotate(et(wide), 90, expand=True)
    assert tuple(out.shape) == (3, 8, 4)
    np.testing.assert_array_equal(out.numpy(), torch.rot90(torch.from_numpy(wide), 1, [-2, -1]).numpy())
    np.testing.assert_array_equal(F.rotate(et(wide), 0).numpy(), wide)


def test_expand_output_size_follows_torchvision_formula():
    def reference(angle, w, h):                         # torchvision's float32 computation, in real torch
        m = F._get_inverse_affine_matrix([0.0, 0.0], -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
        pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                            [0.5 * w, -0.5 * h, 1.0]])
        new = pts @ torch.tensor(m, dtype=torch.float).view(2, 3).T
        half = torch.tensor((w * 0.5, h * 0.5))
        lo, hi = new.min(0).values + half, new.max(0).values + half
        size = torch.ceil((hi / 1e-4).trunc() * 1e-4) - torch.floor((lo / 1e-4).trunc() * 1e-4)
        return int(size[1]), int(size[0])
    for angle in (90, 30, -45, 137.5):
        for h, w in ((4, 7), (12, 16)):
            out = F.rotate(ember.zeros(1, h, w), angle, expand=True)
            assert tuple(out.shape[-2:]) == reference(angle, w, h), (angle, h, w)


def test_tensor_matches_pil_inside():
    t = et(CHW)
    cases = [(lambda im, m: F.rotate(im, 30, m)), (lambda im, m: F.affine(im, 15, [1, 2], 1.1, [8.0, 3.0], m)),
             (lambda im, m: F.rotate(im, -20, m, center=[4, 5]))]
    for fn in cases:
        near = np.mean(fn(t, IM.NEAREST).numpy() != chw(fn(PIL_RGB, IM.NEAREST)))
        assert near < 0.02
        bil = np.abs(fn(t, IM.BILINEAR).numpy().astype(int) - chw(fn(PIL_RGB, IM.BILINEAR)).astype(int))
        assert bil[:, 3:-3, 3:-3].max() <= 1


def test_fill_and_interpolation_on_tensors():
    out = F.rotate(et(CHW), 45, fill=[1, 2, 3])
    assert out[:, 0, 0].tolist() == [1, 2, 3]
    outf = F.rotate(et(CHW.astype(np.float32) / 255), 45, IM.BILINEAR, fill=0.5)
    assert outf[:, 0, 0].tolist() == [0.5, 0.5, 0.5] and outf.dtype == ember.float32
    assert F.rotate(et(CHW), 45)[:, 0, 0].tolist() == [0, 0, 0]
    batch = F.rotate(et(SQ), 90)                                                       # (N, C, H, W)
    assert np.array_equal(batch.numpy(), np.rot90(SQ, 1, (-2, -1)))
    with pytest.raises(RuntimeError, match='expected grid to have size 3'):           # 5-D: refused, as torchvision
        F.rotate(et(SQ[None]), 90)


def test_tensor_point_op_formulas():
    x = RNG.random((2, 3, 6, 5), dtype=np.float32)
    np.testing.assert_allclose(F.adjust_gamma(et(x), 2.2, 1.3).numpy(), np.clip(1.3 * x ** 2.2, 0, 1), rtol=1e-6)
    u = et(CHW)
    gam = F.adjust_gamma(u, 0.5)
    expect = (np.clip((CHW / 255.0) ** 0.5, 0, 1) * (255 + 1 - 1e-3)).astype(np.uint8)   # convert_image_dtype
    assert gam.dtype == ember.uint8 and np.abs(gam.numpy().astype(int) - expect).max() <= 1
    np.testing.assert_allclose(F.solarize(et(x), 0.5).numpy(), np.where(x >= 0.5, 1 - x, x))
    lo, hi = x.min(axis=(-2, -1), keepdims=True), x.max(axis=(-2, -1), keepdims=True)
    np.testing.assert_allclose(F.autocontrast(et(x)).numpy(), np.clip((x - lo) / (hi - lo), 0, 1), rtol=1e-5,
                               atol=1e-6)
    k = np.ones((3, 3)) / 13
    k[1, 1] = 5 / 13
    blur = x.copy()
    blur[..., 1:-1, 1:-1] = sum(k[i, j] * x[..., i:i + 4, j:j + 3] for i in range(3) for j in range(3))
    np.testing.assert_allclose(F.adjust_sharpness(et(x), 1.7).numpy(), np.clip(1.7 * x - 0.7 * blur, 0, 1),
                               rtol=1e-5, atol=1e-6)
    assert F.posterize(u, 2).numpy().max() & 63 == 0


def test_elastic_transform_zero_displacement_is_identity():
    x = RNG.random((3, 6, 5), dtype=np.float32)
    np.testing.assert_allclose(F.elastic_transform(et(x), ember.zeros(1, 6, 5, 2)).numpy(), x, atol=1e-6)
    assert np.array_equal(np.asarray(F.elastic_transform(PIL_RGB, ember.zeros(1, 12, 16, 2))), U8)
    shift = ember.zeros(1, 12, 16, 2)
    shift[..., 0] = 2 * 2 / 16                                                          # two pixels right
    out = F.elastic_transform(et(CHW), shift, IM.NEAREST).numpy()
    assert np.array_equal(out[:, :, :-2], CHW[:, :, 2:])


# ---------------------------------------------------------------- (c) reprs

REPRS = [
    (T.RandomRotation(10), 'RandomRotation(degrees=[-10.0, 10.0], interpolation=nearest, expand=False, fill=0)'),
    (T.RandomRotation((0, 90), IM.BILINEAR, True, (1, 2), fill=(1, 2, 3)),
     'RandomRotation(degrees=[0.0, 90.0], interpolation=bilinear, expand=True, center=(1, 2), fill=(1, 2, 3))'),
    (T.RandomAffine(0, translate=(0.1, 0.1)), 'RandomAffine(degrees=[0.0, 0.0], translate=(0.1, 0.1))'),
    (T.RandomAffine(5, scale=(0.9, 1.1), shear=10, interpolation=2, fill=1, center=(1, 2)),
     'RandomAffine(degrees=[-5.0, 5.0], scale=(0.9, 1.1), shear=[-10.0, 10.0], interpolation=bilinear, fill=1, '
     'center=(1, 2))'),
    (T.RandomPerspective(), 'RandomPerspective(p=0.5)'),
    (T.ElasticTransform(), 'ElasticTransform(alpha=[50.0, 50.0], sigma=[5.0, 5.0], '
                           'interpolation=InterpolationMode.BILINEAR, fill=[0.0])'),
    (T.RandomPosterize(4), 'RandomPosterize(bits=4,p=0.5)'),
    (T.RandomSolarize(192.0, p=0.3), 'RandomSolarize(threshold=192.0,p=0.3)'),
    (T.RandomAdjustSharpness(2), 'RandomAdjustSharpness(sharpness_factor=2,p=0.5)'),
    (T.RandomAutocontrast(), 'RandomAutocontrast(p=0.5)'),
    (T.RandomEqualize(0.1), 'RandomEqualize(p=0.1)'),
    (T.RandomInvert(), 'RandomInvert(p=0.5)'),
    (T.AutoAugment(), 'AutoAugment(policy=AutoAugmentPolicy.IMAGENET, fill=None)'),
    (T.AutoAugment(T.AutoAugmentPolicy.CIFAR10, fill=[128] * 3),
     'AutoAugment(policy=AutoAugmentPolicy.CIFAR10, fill=[128, 128, 128])'),
    (T.RandAugment(), 'RandAugment(num_ops=2, magnitude=9, num_magnitude_bins=31, '
                      'interpolation=InterpolationMode.NEAREST, fill=None)'),
    (T.TrivialAugmentWide(), 'TrivialAugmentWide(num_magnitude_bins=31, interpolation=InterpolationMode.NEAREST, '
                             'fill=None)'),
    (T.AugMix(), 'AugMix(severity=3, mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True, '
                 'interpolation=InterpolationMode.BILINEAR, fill=None)'),
    (T.LinearTransformation(ember.eye(2), ember.zeros(2)),
     'LinearTransformation(transformation_matrix=[[1.0, 0.0], [0.0, 1.0]], mean_vector=[0.0, 0.0])'),
]


@pytest.mark.parametrize('t,expected', REPRS, ids=[r[1].split('(')[0] + str(i) for i, r in enumerate(REPRS)])
def test_repr(t, expected):
    assert repr(t) == expected


# ---------------------------------------------------------------- (d) random classes

def test_get_params_ranges_and_reproducible():
    ember.manual_seed(0)
    angles = [T.RandomRotation.get_params([-10.0, 20.0]) for _ in range(200)]
    assert -10 <= min(angles) and max(angles) <= 20 and max(angles) - min(angles) > 20
    for _ in range(50):
        angle, (tx, ty), scale, (shx, shy) = T.RandomAffine.get_params([-5, 5], (0.1, 0.2), (0.8, 1.2),
                                                                       [-3, 3, 10, 12], [30, 20])
        assert -5 <= angle <= 5 and abs(tx) <= 3 and abs(ty) <= 4 and isinstance(tx, int)
        assert 0.8 <= scale <= 1.2 and -3 <= shx <= 3 and 10 <= shy <= 12
    assert T.RandomAffine.get_params([0, 0], None, None, None, [8, 8]) == (0.0, (0, 0), 1.0, (0.0, 0.0))
    for _ in range(20):
        start, end = T.RandomPerspective.get_params(20, 10, 0.5)
        assert start == [[0, 0], [19, 0], [19, 9], [0, 9]]
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = end
        assert 0 <= x0 <= 5 and 0 <= y0 <= 2 and 14 <= x1 <= 19 and 7 <= y2 <= 9 and 0 <= x3 <= 5
    d = T.ElasticTransform.get_params([50.0, 50.0], [5.0, 5.0], [24, 24])
    assert tuple(d.shape) == (1, 24, 24, 2)
    for cls in (lambda: T.RandomRotation(30), lambda: T.RandomAffine(10, (0.1, 0.1), (0.9, 1.1), 5),
                lambda: T.RandomPerspective(p=1.0), lambda: T.AutoAugment(), lambda: T.RandAugment(),
                lambda: T.TrivialAugmentWide()):
        outs = []
        for _ in range(2):
            ember.manual_seed(3)
            outs.append(cls()(et(CHW)).numpy())
        assert np.array_equal(*outs)


def test_p0_p1_behaviour():
    t = et(CHW)
    for cls, fn in ((T.RandomPosterize, lambda im: F.posterize(im, 2)),
                    (T.RandomSolarize, lambda im: F.solarize(im, 99)),
                    (T.RandomAdjustSharpness, lambda im: F.adjust_sharpness(im, 3))):
        arg = {T.RandomPosterize: 2, T.RandomSolarize: 99, T.RandomAdjustSharpness: 3}[cls]
        assert cls(arg, p=0.0)(t) is t
        assert np.array_equal(cls(arg, p=1.0)(t).numpy(), fn(t).numpy())
    assert T.RandomAutocontrast(p=0.0)(PIL_RGB) is PIL_RGB and T.RandomPerspective(p=0.0)(t) is t
    assert np.array_equal(np.asarray(T.RandomEqualize(p=1.0)(PIL_RGB)), np.asarray(ImageOps.equalize(PIL_RGB)))
    assert np.array_equal(T.RandomAutocontrast(p=1.0)(t).numpy(), F.autocontrast(t).numpy())
    assert np.array_equal(T.RandomRotation((0, 0))(t).numpy(), CHW)


def test_auto_augment_family_keeps_type_shape_dtype():
    ember.manual_seed(1)
    t = et(CHW)
    for aug in (T.AutoAugment(T.AutoAugmentPolicy.IMAGENET), T.AutoAugment(T.AutoAugmentPolicy.CIFAR10),
                T.AutoAugment(T.AutoAugmentPolicy.SVHN, fill=0), T.RandAugment(num_ops=3),
                T.TrivialAugmentWide(), T.AugMix(), T.AugMix(chain_depth=2, all_ops=False)):
        for _ in range(3):
            out = aug(t)
            assert out.dtype == ember.uint8 and tuple(out.shape) == CHW.shape
            pil = aug(PIL_RGB)
            assert pil.mode == 'RGB' and pil.size == PIL_RGB.size
    assert tuple(T.AugMix()(et(SQ)).shape) == SQ.shape
    assert len(T.AutoAugment()._get_policies(T.AutoAugmentPolicy.SVHN)) == 25
    space = T.RandAugment()._augmentation_space(31, (20, 40))
    assert list(space)[:3] == ['Identity', 'ShearX', 'ShearY'] and len(space) == 14
    assert abs(space['TranslateX'][0][-1].item() - 150 / 331 * 40) < 1e-4
    assert space['Posterize'][0].tolist()[:2] == [8, 8] and space['Posterize'][0][-1].item() == 4
    assert T.TrivialAugmentWide()._augmentation_space(31)['Posterize'][0][-1].item() == 2
    assert T.AugMix()._augmentation_space(10, (20, 40))['Posterize'][0][-1].item() == 0


def test_linear_transformation_and_elastic_class():
    x = RNG.random((2, 3, 2, 2), dtype=np.float32)
    m = RNG.random((12, 12), dtype=np.float32)
    mean = RNG.random(12, dtype=np.float32)
    out = T.LinearTransformation(et(m), et(mean))(et(x)).numpy()
    np.testing.assert_allclose(out, ((x.reshape(-1, 12) - mean) @ m).reshape(x.shape), rtol=1e-5)
    assert np.array_equal(T.ElasticTransform(alpha=0.0, sigma=0.0)(et(CHW)).numpy(), CHW)
    img = et(RNG.integers(0, 256, (2, 3, 20, 20), dtype=np.uint8))
    out = T.ElasticTransform(sigma=2.0)(img)
    assert tuple(out.shape) == (2, 3, 20, 20) and out.dtype == ember.uint8


def test_mnist_like_pipeline():
    ember.manual_seed(0)
    digit = np.zeros((28, 28), np.uint8)
    digit[6:22, 12:16] = 255
    pipe = T.Compose([T.RandomRotation(10), T.RandomAffine(0, translate=(0.1, 0.1)), T.ToTensor(),
                      T.Normalize((0.1307,), (0.3081,))])
    out = pipe(Image.fromarray(digit))
    assert out.dtype == ember.float32 and tuple(out.shape) == (1, 28, 28)
    assert abs((out.numpy() > 0).sum() - 64) < 20                                    # the stroke survives


# ---------------------------------------------------------------- (e) errors

ERRORS = [
    (ValueError, 'If degrees is a single number, it must be positive.', lambda: T.RandomRotation(-10)),
    (ValueError, 'degrees should be a sequence of length 2.', lambda: T.RandomRotation([1, 2, 3])),
    (TypeError, 'Fill should be either a sequence or a number.', lambda: T.RandomRotation(5, fill={})),
    (ValueError, 'center should be a sequence of length 2.', lambda: T.RandomRotation(5, center=(1, 2, 3))),
    (ValueError, 'translate should be a sequence of length 2.', lambda: T.RandomAffine(0, translate=(0.1,))),
    (ValueError, 'translation values should be between 0 and 1', lambda: T.RandomAffine(0, translate=(2, 0))),
    (ValueError, 'scale values should be positive', lambda: T.RandomAffine(0, scale=(0, 1))),
    (ValueError, 'shear should be a sequence of length 2 or 4.', lambda: T.RandomAffine(0, shear=(1, 2, 3))),
    (ValueError, 'If shear is a single number, it must be positive.', lambda: T.RandomAffine(0, shear=-1)),
    (TypeError, 'Argument angle should be int or float', lambda: F.rotate(PIL_RGB, '9')),
    (TypeError, 'Argument interpolation should be a InterpolationMode', lambda: F.rotate(PIL_RGB, 9, 'nearest')),
    (TypeError, 'Argument center should be a sequence', lambda: F.rotate(et(CHW), 9, center=3)),
    (ValueError, "Interpolation mode 'bicubic' is unsupported with Tensor input",
     lambda: F.rotate(et(CHW), 9, IM.BICUBIC)),
    (ValueError, r"The number of elements in 'fill' cannot broadcast to match the number of channels of the image "
                 r"\(2 != 3\)", lambda: F.rotate(et(CHW), 9, fill=[1, 2])),
    (TypeError, 'Argument translate should be a sequence', lambda: F.affine(PIL_RGB, 0, 1, 1.0, 0)),
    (ValueError, 'Argument translate should be a sequence of length 2', lambda: F.affine(PIL_RGB, 0, [1], 1.0, 0)),
    (ValueError, 'Argument scale should be positive', lambda: F.affine(PIL_RGB, 0, [0, 0], 0.0, 0)),
    (TypeError, 'Shear should be either a single value or a sequence of two values',
     lambda: F.affine(PIL_RGB, 0, [0, 0], 1.0, 'x')),
    (ValueError, r'Shear should be a sequence containing two values. Got \[1, 2, 3\]',
     lambda: F.affine(PIL_RGB, 0, [0, 0], 1.0, [1, 2, 3])),
    (ValueError, 'Please provide exactly four corners, got 3 startpoints and 4 endpoints.',
     lambda: F.perspective(PIL_RGB, [[0, 0]] * 3, [[0, 0]] * 4)),
    (ValueError, 'The number if bits should be between 0 and 8. Got 9', lambda: F.posterize(et(CHW), 9)),
    (TypeError, 'Only ember.uint8 image tensors are supported, but found ember.float32',
     lambda: F.posterize(et(CHW.astype(np.float32)), 2)),
    (TypeError, 'Threshold should be less than bound of img.', lambda: F.solarize(et(CHW), 300)),
    (TypeError, 'Input image tensor should have 3 or 4 dimensions, but found 5', lambda: F.equalize(et(SQ[None]))),
    (TypeError, 'Input image tensor should have at least 3 dimensions, but found 2',
     lambda: F.autocontrast(et(CHW[0]))),
    (TypeError, r'Input image tensor permitted channel values are \[1, 3\], but found 2',
     lambda: F.adjust_gamma(et(CHW[:2]), 1.0)),
    (ValueError, 'Gamma should be a non-negative real number', lambda: F.adjust_gamma(PIL_RGB, -1)),
    (ValueError, r'sharpness_factor \(-1\) is not non-negative.', lambda: F.adjust_sharpness(et(CHW), -1)),
    (TypeError, 'Argument displacement should be a Tensor', lambda: F.elastic_transform(PIL_RGB, 0)),
    (ValueError, r'Argument displacement shape should be \(1, 12, 16, 2\)',
     lambda: F.elastic_transform(et(CHW), ember.zeros(1, 2, 2, 2))),
    (TypeError, "alpha should be float or a sequence of floats. Got <class 'int'>", lambda: T.ElasticTransform(50)),
    (ValueError, 'If sigma is a sequence its length should be 2. Got 3', lambda: T.ElasticTransform(sigma=[1.0] * 3)),
    (ValueError, r'The severity must be between \[1, 10\]. Got 11 instead.', lambda: T.AugMix(severity=11)),
    (ValueError, 'The provided policy x is not recognized.', lambda: T.AutoAugment('x')),
    (ValueError, r'transformation_matrix should be square. Got \(2, 3\) rectangular matrix.',
     lambda: T.LinearTransformation(ember.zeros(2, 3), ember.zeros(2))),
    (ValueError, r'Input tensor and transformation matrix have incompatible shape.\[3 x 2 x 2\] != 4',
     lambda: T.LinearTransformation(ember.eye(4), ember.zeros(4))(ember.zeros(3, 2, 2))),
]


@pytest.mark.parametrize('exc,match,fn', ERRORS, ids=[f'err{i}' for i in range(len(ERRORS))])
def test_errors(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()
