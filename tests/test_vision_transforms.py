"""ember.vision.transforms: reprs as torchvision, tensor paths against NumPy math and
torch.nn.functional.interpolate, PIL paths against Pillow itself, randomness through ember's
generator, torchvision's error types and messages."""
import colorsys

import numpy as np
import pytest
import torch
from PIL import Image, ImageEnhance

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as F

RNG = np.random.default_rng(0)
U8 = RNG.integers(0, 256, (7, 9, 3), dtype=np.uint8)          # H x W x C
PIL_RGB = Image.fromarray(U8)
PIL_L = Image.fromarray(U8[:, :, 0])
FLOAT_IMG = RNG.random((3, 7, 9), dtype=np.float32)            # C x H x W


def et(a):
    return ember.from_numpy(np.ascontiguousarray(a))


def chw(pil):
    a = np.asarray(pil)
    return a[None] if a.ndim == 2 else a.transpose(2, 0, 1)


def twice(seed, fn):
    """fn() run twice from the same ember seed: random transforms must repeat exactly."""
    ember.manual_seed(seed)
    a = fn()
    ember.manual_seed(seed)
    b = fn()
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    return a


# ---------------------------------------------------------------- reprs

REPRS = [
    (T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]),
     'Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)'),
    (T.Resize(256), 'Resize(size=256, interpolation=bilinear, max_size=None, antialias=True)'),
    (T.Resize((32, 48), T.InterpolationMode.NEAREST, antialias=False),
     'Resize(size=(32, 48), interpolation=nearest, max_size=None, antialias=False)'),
    (T.Resize(8, interpolation=3), 'Resize(size=8, interpolation=bicubic, max_size=None, antialias=True)'),
    (T.CenterCrop(224), 'CenterCrop(size=(224, 224))'),
    (T.RandomCrop(32, padding=4), 'RandomCrop(size=(32, 32), padding=4)'),
    (T.RandomHorizontalFlip(), 'RandomHorizontalFlip(p=0.5)'),
    (T.RandomVerticalFlip(0.3), 'RandomVerticalFlip(p=0.3)'),
    (T.RandomResizedCrop(224), 'RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), ratio=(0.75, 1.3333), '
                               'interpolation=bilinear, antialias=True)'),
    (T.ColorJitter(), 'ColorJitter(brightness=None, contrast=None, saturation=None, hue=None)'),
    (T.ColorJitter(0.4, 0.4, 0.4, 0.1),
     'ColorJitter(brightness=(0.6, 1.4), contrast=(0.6, 1.4), saturation=(0.6, 1.4), hue=(-0.1, 0.1))'),
    (T.Grayscale(3), 'Grayscale(num_output_channels=3)'),
    (T.RandomGrayscale(), 'RandomGrayscale(p=0.1)'),
    (T.Pad(2), 'Pad(padding=2, fill=0, padding_mode=constant)'),
    (T.Lambda(lambda x: x), 'Lambda()'),
    (T.ToPILImage(), 'ToPILImage()'),
    (T.ToPILImage('L'), 'ToPILImage(mode=L)'),
    (T.PILToTensor(), 'PILToTensor()'),
    (T.ConvertImageDtype(ember.float32), 'ConvertImageDtype()'),
    (T.RandomApply([T.RandomHorizontalFlip()], p=0.8), 'RandomApply(\n    p=0.8\n    RandomHorizontalFlip(p=0.5)\n)'),
    (T.RandomChoice([T.CenterCrop(2)]), 'RandomChoice(\n    CenterCrop(size=(2, 2))\n)(p=None)'),
    (T.RandomOrder([T.CenterCrop(2)]), 'RandomOrder(\n    CenterCrop(size=(2, 2))\n)'),
    (T.GaussianBlur(3), 'GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))'),
    (T.RandomErasing(), 'RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False)'),
]


@pytest.mark.parametrize('t,expected', REPRS, ids=[r[1].split('(')[0] + str(i) for i, r in enumerate(REPRS)])
def test_repr(t, expected):
    assert repr(t) == expected


def test_module_transforms_compose_with_nn_sequential():
    seq = ember.nn.Sequential(T.CenterCrop(4), T.Normalize((0.5,) * 3, (0.5,) * 3))
    out = seq(et(FLOAT_IMG))
    np.testing.assert_allclose(out.numpy(), (FLOAT_IMG[:, 2:6, 2:6] - 0.5) / 0.5, rtol=1e-6)


# ---------------------------------------------------------------- conversions

def test_to_tensor_pil_and_ndarray():
    for pic in (PIL_RGB, U8):
        t = T.ToTensor()(pic)
        assert t.dtype == ember.float32 and tuple(t.shape) == (3, 7, 9) and t.is_contiguous()
        np.testing.assert_array_equal(t.numpy(), U8.transpose(2, 0, 1).astype(np.float32) / 255)
    t = F.to_tensor(PIL_L)
    assert tuple(t.shape) == (1, 7, 9)
    np.testing.assert_array_equal(t.numpy()[0], U8[:, :, 0] / np.float32(255))
    f = F.to_tensor(FLOAT_IMG.transpose(1, 2, 0))                      # float ndarray: not rescaled
    np.testing.assert_array_equal(f.numpy(), FLOAT_IMG)
    i32 = F.to_tensor(Image.fromarray(U8[:, :, 0].astype(np.int32)))   # mode 'I' keeps integers
    assert i32.dtype == ember.int32 and int(i32.max()) == int(U8[:, :, 0].max())
    assert F.to_tensor(Image.fromarray(U8[:, :, 0] > 100)).max().item() == 1.0   # mode '1' -> 0 / 1


def test_pil_to_tensor_and_back():
    t = T.PILToTensor()(PIL_RGB)
    assert t.dtype == ember.uint8 and tuple(t.shape) == (3, 7, 9)
    np.testing.assert_array_equal(t.numpy(), chw(PIL_RGB))
    back = T.ToPILImage()(t)
    assert back.mode == 'RGB' and np.array_equal(np.asarray(back), U8)
    assert T.ToPILImage()(T.PILToTensor()(PIL_L)).mode == 'L'
    # float tensors are multiplied by 255 and truncated, as torchvision's .mul(255).byte()
    f = et(np.array([[[0.0, 0.5, 0.999, 1.0]]], np.float32))
    assert np.asarray(F.to_pil_image(f)).tolist() == [[0, 127, 254, 255]]
    assert F.to_pil_image(f, mode='F').mode == 'F'
    assert F.to_pil_image(et(np.zeros((4, 2, 2), np.uint8))).mode == 'RGBA'
    assert F.to_pil_image(et(np.zeros((3, 2, 2), np.uint8)), mode='HSV').mode == 'HSV'
    assert F.to_pil_image(U8).mode == 'RGB'


def test_convert_image_dtype():
    u = et(np.array([[[0, 128, 255]]], np.uint8))
    f = T.ConvertImageDtype(ember.float32)(u)
    np.testing.assert_allclose(f.numpy(), [[[0, 128 / 255, 1]]], rtol=1e-6)
    back = F.convert_image_dtype(f, ember.uint8)
    assert back.numpy().tolist() == [[[0, 128, 255]]]
    assert F.convert_image_dtype(u, ember.int16).numpy().tolist() == [[[0, 128 * 128, 255 * 128]]]
    assert F.convert_image_dtype(et(np.array([[[32767]]], np.int16)), ember.uint8).item() == 255


# ---------------------------------------------------------------- normalize

def test_normalize_matches_numpy():
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    x = et(FLOAT_IMG)
    out = T.Normalize(mean, std)(x)
    ref = (FLOAT_IMG - np.array(mean, np.float32)[:, None, None]) / np.array(std, np.float32)[:, None, None]
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6)
    np.testing.assert_array_equal(x.numpy(), FLOAT_IMG)                 # not in place by default
    batch = et(np.stack([FLOAT_IMG, FLOAT_IMG]))
    np.testing.assert_allclose(F.normalize(batch, mean, std).numpy()[1], ref, rtol=1e-6)
    y = et(FLOAT_IMG.copy())
    assert F.normalize(y, mean, std, inplace=True) is y
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-6)


# ---------------------------------------------------------------- resize

@pytest.mark.parametrize('mode', ['bilinear', 'bicubic', 'nearest'])
@pytest.mark.parametrize('antialias', [False, True])
@pytest.mark.parametrize('shape,size', [((3, 17, 23), (9, 11)), ((2, 1, 10, 12), (20, 7)), ((3, 8, 8), (5, 5))])
def test_resize_tensor_matches_torch_interpolate(mode, antialias, shape, size):
    x = RNG.random(shape, dtype=np.float32)
    out = F.resize(et(x), list(size), T.InterpolationMode(mode), antialias=antialias)
    xt = torch.from_numpy(x)
    xt = xt[None] if xt.ndim == 3 else xt
    kw = {} if mode == 'nearest' else {'align_corners': False, 'antialias': antialias}
    ref = torch.nn.functional.interpolate(xt, size=size, mode=mode, **kw).numpy().reshape(out.shape)
    assert tuple(out.shape) == shape[:-2] + size
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)


def test_resize_uint8_tensor_rounds_like_torchvision():
    x = RNG.integers(0, 256, (3, 12, 10), dtype=np.uint8)
    out = F.resize(et(x), [5, 7], antialias=False)
    ref = torch.nn.functional.interpolate(torch.from_numpy(x)[None].float(), size=(5, 7), mode='bilinear',
                                          align_corners=False)[0].round().to(torch.uint8).numpy()
    assert out.dtype == ember.uint8
    diff = np.abs(out.numpy().astype(int) - ref)                     # ties at .5 may round either way
    assert diff.max() <= 1 and (diff == 0).mean() > 0.95               # after last-bit float differences


def test_resize_output_size_rules():
    x = ember.zeros(3, 20, 40)
    assert tuple(T.Resize(10)(x).shape) == (3, 10, 20)                 # smaller edge -> 10
    assert tuple(T.Resize([10])(ember.zeros(3, 40, 20)).shape) == (3, 20, 10)
    assert tuple(T.Resize((6, 7))(x).shape) == (3, 6, 7)
    assert tuple(T.Resize(10, max_size=15)(x).shape) == (3, 7, 15)
    assert T.Resize(20)(x) is x                                         # same size: returned as is
    assert PIL_RGB.size == (9, 7) and T.Resize(14)(PIL_RGB).size == (18, 14)


@pytest.mark.parametrize('mode,pil', [('bilinear', Image.Resampling.BILINEAR), ('nearest', Image.Resampling.NEAREST),
                                      ('bicubic', Image.Resampling.BICUBIC)])
def test_resize_pil_uses_pillow(mode, pil):
    out = T.Resize((5, 4), interpolation=T.InterpolationMode(mode))(PIL_RGB)
    assert isinstance(out, Image.Image)
    np.testing.assert_array_equal(np.asarray(out), np.asarray(PIL_RGB.resize((4, 5), pil)))
    with pytest.warns(UserWarning, match='Anti-alias option is always applied for PIL Image input'):
        F.resize(PIL_RGB, [5, 4], antialias=False)


# ---------------------------------------------------------------- crops, flips, pads

def test_crops_tensor_and_pil():
    x = et(FLOAT_IMG)
    np.testing.assert_array_equal(T.CenterCrop((3, 5))(x).numpy(), FLOAT_IMG[:, 2:5, 2:7])
    np.testing.assert_array_equal(np.asarray(T.CenterCrop((3, 5))(PIL_RGB)), U8[2:5, 2:7])
    big = T.CenterCrop((9, 10))(x)                                      # larger than the image: zero border
    np.testing.assert_array_equal(big.numpy(), np.pad(FLOAT_IMG, ((0, 0), (1, 1), (0, 1))))
    np.testing.assert_array_equal(np.asarray(T.CenterCrop((9, 10))(PIL_RGB)), np.pad(U8, ((1, 1), (0, 1), (0, 0))))
    out = F.crop(x, -1, 7, 3, 4)                                        # partly outside: zeros
    ref = np.zeros((3, 3, 4), np.float32)
    ref[:, 1:, :2] = FLOAT_IMG[:, 0:2, 7:9]
    np.testing.assert_array_equal(out.numpy(), ref)
    np.testing.assert_array_equal(chw(F.crop(PIL_RGB, -1, 7, 3, 4)),            # Pillow fills with 0 too
                                  np.pad(chw(PIL_RGB)[:, 0:2, 7:9], ((0, 0), (1, 0), (0, 2))))
    np.testing.assert_array_equal(F.five_crop(x, 3)[3].numpy(), FLOAT_IMG[:, 4:, 6:])
    assert len(T.TenCrop(3)(x)) == 10


def test_flips():
    x = et(FLOAT_IMG)
    np.testing.assert_array_equal(F.hflip(x).numpy(), FLOAT_IMG[:, :, ::-1])
    np.testing.assert_array_equal(F.vflip(x).numpy(), FLOAT_IMG[:, ::-1, :])
    np.testing.assert_array_equal(np.asarray(F.hflip(PIL_RGB)), U8[:, ::-1])
    np.testing.assert_array_equal(np.asarray(F.vflip(PIL_RGB)), U8[::-1])
    assert T.RandomHorizontalFlip(p=0.0)(x) is x
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(x).numpy(), FLOAT_IMG[:, ::-1, :])
    batch = et(np.stack([FLOAT_IMG] * 2))
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0)(batch).numpy()[1], FLOAT_IMG[:, :, ::-1])


@pytest.mark.parametrize('mode', ['constant', 'edge', 'reflect', 'symmetric'])
@pytest.mark.parametrize('padding', [2, (1, 3), (1, 0, 2, 3), (-1, 2, 1, -2)])
def test_pad_matches_numpy_and_pillow(mode, padding):
    p = [padding] * 4 if isinstance(padding, int) else list(padding) * 2 if len(padding) == 2 else list(padding)
    left, top, right, bottom = p
    src = U8.transpose(2, 0, 1)
    cut = src[:, max(-top, 0):7 - max(-bottom, 0), max(-left, 0):9 - max(-right, 0)]
    widths = ((0, 0), (max(top, 0), max(bottom, 0)), (max(left, 0), max(right, 0)))
    kw = {'constant_values': 5} if mode == 'constant' else {}
    ref = np.pad(cut, widths, mode=mode, **kw)
    out = T.Pad(padding, fill=5, padding_mode=mode)(et(src))
    assert out.dtype == ember.uint8
    np.testing.assert_array_equal(out.numpy(), ref)
    np.testing.assert_array_equal(chw(T.Pad(padding, fill=5, padding_mode=mode)(PIL_RGB)), ref)


def test_random_crop_reproducible_and_in_bounds():
    x = et(FLOAT_IMG)
    a = twice(3, lambda: T.RandomCrop((4, 5))(x))
    i, j, h, w = twice(3, lambda: T.RandomCrop.get_params(x, (4, 5)))
    np.testing.assert_array_equal(a.numpy(), FLOAT_IMG[:, i:i + 4, j:j + 5])
    seen = {T.RandomCrop.get_params(x, (4, 5))[:2] for _ in range(60)}
    assert len(seen) > 5 and all(0 <= i <= 3 and 0 <= j <= 4 for i, j in seen)
    assert tuple(T.RandomCrop(9, padding=1)(x).shape) == (3, 9, 9)     # 9x11 padded, crop 9x9
    assert tuple(T.RandomCrop(12, pad_if_needed=True)(x).shape) == (3, 12, 12)
    assert T.RandomCrop((4, 5))(PIL_RGB).size == (5, 4)


def test_random_resized_crop():
    x = et(FLOAT_IMG)
    ember.manual_seed(0)
    params = [T.RandomResizedCrop.get_params(x, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(50)]
    for i, j, h, w in params:
        assert 0 < h <= 7 and 0 < w <= 9 and 0 <= i <= 7 - h and 0 <= j <= 9 - w
    assert T.RandomResizedCrop.get_params(x, (5.0, 6.0), (1.0, 1.0)) == (0, 1, 7, 7)   # fallback: centre crop
    a = twice(5, lambda: T.RandomResizedCrop(6)(x))
    i, j, h, w = twice(5, lambda: T.RandomResizedCrop.get_params(x, (0.08, 1.0), (3 / 4, 4 / 3)))
    np.testing.assert_allclose(a.numpy(), F.resize(F.crop(x, i, j, h, w), [6, 6]).numpy())
    assert T.RandomResizedCrop((4, 5))(PIL_RGB).size == (5, 4)


# ---------------------------------------------------------------- colour

def gray_np(rgb):
    return 0.2989 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]


def test_color_functions_tensor_formulas():
    x = et(FLOAT_IMG)
    np.testing.assert_allclose(F.adjust_brightness(x, 1.5).numpy(), np.clip(FLOAT_IMG * 1.5, 0, 1), rtol=1e-6)
    m = gray_np(FLOAT_IMG).mean()
    np.testing.assert_allclose(F.adjust_contrast(x, 0.3).numpy(), np.clip(0.3 * FLOAT_IMG + 0.7 * m, 0, 1),
                               rtol=1e-5)
    np.testing.assert_allclose(F.adjust_saturation(x, 2.0).numpy(),
                               np.clip(2 * FLOAT_IMG - gray_np(FLOAT_IMG), 0, 1), rtol=1e-5, atol=1e-6)
    g = F.rgb_to_grayscale(x, 3)
    assert tuple(g.shape) == (3, 7, 9)
    np.testing.assert_allclose(g.numpy()[2], gray_np(FLOAT_IMG), rtol=1e-6)
    u = F.adjust_brightness(et(U8.transpose(2, 0, 1)), 2.0)                 # uint8: clamp, then truncate
    assert u.dtype == ember.uint8 and np.array_equal(u.numpy(), np.minimum(2 * chw(PIL_RGB).astype(int), 255))


def test_adjust_hue_tensor_matches_colorsys():
    x = et(FLOAT_IMG)
    out = F.adjust_hue(x, 0.25).numpy()
    for (r, c) in [(0, 0), (3, 4), (6, 8)]:
        h, s, v = colorsys.rgb_to_hsv(*FLOAT_IMG[:, r, c])
        np.testing.assert_allclose(out[:, r, c], colorsys.hsv_to_rgb((h + 0.25) % 1.0, s, v), atol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(x, 0.0).numpy(), FLOAT_IMG, atol=1e-6)


def test_color_functions_pil_use_pillow():
    for fn, enh in [(F.adjust_brightness, ImageEnhance.Brightness), (F.adjust_contrast, ImageEnhance.Contrast),
                    (F.adjust_saturation, ImageEnhance.Color)]:
        np.testing.assert_array_equal(np.asarray(fn(PIL_RGB, 1.3)), np.asarray(enh(PIL_RGB).enhance(1.3)))
    assert np.array_equal(np.asarray(T.Grayscale()(PIL_RGB)), np.asarray(PIL_RGB.convert('L')))
    g3 = T.Grayscale(3)(PIL_RGB)
    assert g3.mode == 'RGB' and np.array_equal(np.asarray(g3)[:, :, 1], np.asarray(PIL_RGB.convert('L')))
    h, s, v = PIL_RGB.convert('HSV').split()
    shifted = Image.fromarray(((np.asarray(h).astype(np.int32) + int(0.1 * 255)) % 256).astype(np.uint8))
    ref = Image.merge('HSV', (shifted, s, v)).convert('RGB')           # hue rotation in Pillow's HSV
    np.testing.assert_array_equal(np.asarray(F.adjust_hue(PIL_RGB, 0.1)), np.asarray(ref))
    assert F.adjust_hue(PIL_L, 0.1) is PIL_L


def test_color_jitter_random_and_reproducible():
    x = et(FLOAT_IMG)
    cj = T.ColorJitter(0.5, 0.5, 0.5, 0.2)
    twice(1, lambda: cj(x))
    order, bf, cf, sf, hf = T.ColorJitter.get_params(cj.brightness, cj.contrast, cj.saturation, cj.hue)
    assert sorted(order.tolist()) == [0, 1, 2, 3] and 0.5 <= bf <= 1.5 and -0.2 <= hf <= 0.2
    assert isinstance(cj(PIL_RGB), Image.Image)


def test_random_grayscale_keeps_channels_and_gaussian_blur():
    assert tuple(T.RandomGrayscale(p=1.0)(et(FLOAT_IMG)).shape) == (3, 7, 9)
    x = et(FLOAT_IMG)
    out = F.gaussian_blur(x, [3, 5], [0.8, 1.2]).numpy()
    ref = torch.tensor(FLOAT_IMG)[:, None]
    kx = torch.exp(-0.5 * (torch.linspace(-1, 1, 3) / 0.8) ** 2)
    ky = torch.exp(-0.5 * (torch.linspace(-2, 2, 5) / 1.2) ** 2)
    k = (ky / ky.sum())[:, None] * (kx / kx.sum())[None, :]
    ref = torch.nn.functional.conv2d(torch.nn.functional.pad(ref, [1, 1, 2, 2], mode='reflect'), k[None, None])
    np.testing.assert_allclose(out, ref[:, 0].numpy(), atol=1e-6)
    assert T.GaussianBlur(3)(PIL_RGB).size == PIL_RGB.size


def test_random_erasing_apply_choice_order():
    x = ember.ones(3, 16, 16)
    ember.manual_seed(0)
    out = T.RandomErasing(p=1.0, value=0)(x)
    assert 0 < int((out == 0).sum()) < 3 * 256 and float(x.min()) == 1.0
    assert T.RandomApply([T.Lambda(lambda v: v * 0)], p=0.0)(x) is x
    assert float(T.RandomApply([T.Lambda(lambda v: v * 0)], p=1.0)(x).max()) == 0.0
    ember.manual_seed(0)
    picks = {float(T.RandomChoice([T.Lambda(lambda v: 1), T.Lambda(lambda v: 2)])(x)) for _ in range(20)}
    assert picks == {1.0, 2.0}
    assert T.RandomChoice([T.Lambda(lambda v: 1), T.Lambda(lambda v: 2)], p=[0, 1])(x) == 2
    seq = T.RandomOrder([T.Lambda(lambda v: v + [1]), T.Lambda(lambda v: v + [2])])
    assert {tuple(seq([])) for _ in range(30)} == {(1, 2), (2, 1)}


def test_pipeline_pil_to_normalized_tensor():
    pipe = T.Compose([T.RandomCrop(5, padding=1), T.RandomHorizontalFlip(), T.ToTensor(),
                      T.Normalize((0.5,) * 3, (0.25,) * 3)])
    out = twice(7, lambda: pipe(PIL_RGB))
    assert tuple(out.shape) == (3, 5, 5) and out.dtype == ember.float32
    assert -2.0 <= float(out.min()) and float(out.max()) <= 2.0


# ---------------------------------------------------------------- errors (torchvision's types and messages)

ERRORS = [
    (TypeError, "pic should be PIL Image or ndarray. Got <class 'list'>", lambda: F.to_tensor([1, 2])),
    (ValueError, 'pic should be 2/3 dimensional. Got 4 dimensions.',
     lambda: F.to_tensor(np.zeros((1, 2, 3, 4), np.uint8))),
    (ValueError, 'pic should not have > 4 channels. Got 5 channels.', lambda: F.to_pil_image(ember.zeros(5, 2, 2))),
    (ValueError, r"Only modes \['RGB', 'YCbCr', 'HSV'\] are supported for 3D inputs",
     lambda: F.to_pil_image(ember.zeros(3, 2, 2), mode='RGBA')),
    (TypeError, 'pic should be PIL Image', lambda: F.pil_to_tensor(U8)),
    (RuntimeError, 'The cast from ember.float32 to ember.int64 cannot be performed safely.',
     lambda: F.convert_image_dtype(et(FLOAT_IMG), ember.int64)),
    (TypeError, 'Input tensor should be a float tensor. Got ember.uint8.',
     lambda: F.normalize(et(U8.transpose(2, 0, 1)), (0.5,), (0.5,))),
    (ValueError, 'std evaluated to zero after conversion to ember.float32',
     lambda: F.normalize(et(FLOAT_IMG), (0.5,), (0.0,))),
    (ValueError, r'Expected tensor to be a tensor image of size \(\.\.\., C, H, W\)',
     lambda: F.normalize(ember.zeros(4, 4), (0.5,), (0.5,))),
    (TypeError, 'img should be Tensor Image', lambda: F.normalize(U8, (0.5,), (0.5,))),
    (ValueError, 'max_size = 10 must be strictly greater', lambda: T.Resize(10, max_size=10)(ember.zeros(3, 20, 40))),
    (ValueError, 'If size is a sequence, it should have 1 or 2 values', lambda: T.Resize((1, 2, 3))),
    (TypeError, 'Size should be int or sequence', lambda: T.Resize(2.5)),
    (ValueError, 'Padding must be an int or a 1, 2, or 4 element tuple, not a 3 element', lambda: T.Pad((1, 2, 3))),
    (ValueError, 'Padding mode should be either constant, edge, reflect or symmetric',
     lambda: T.Pad(1, padding_mode='wrap')),
    (TypeError, 'Got inappropriate padding arg', lambda: F.pad(et(FLOAT_IMG), 'x')),
    (ValueError, r'Required crop size \(8, 8\) is larger than input image size \(7, 9\)',
     lambda: T.RandomCrop(8)(et(FLOAT_IMG))),
    (ValueError, r'hue_factor \(0.7\) is not in \[-0.5, 0.5\].', lambda: F.adjust_hue(et(FLOAT_IMG), 0.7)),
    (ValueError, 'If brightness is a single number, it must be non negative.', lambda: T.ColorJitter(brightness=-1)),
    (ValueError, r'hue values should be between \(-0.5, 0.5\), but got \[-0.6, 0.6\].', lambda: T.ColorJitter(hue=0.6)),
]


@pytest.mark.parametrize('exc,match,fn', ERRORS, ids=[f'err{i}' for i in range(len(ERRORS))])
def test_errors(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()
