"""Survey round 4 (vision.transforms against torchvision 0.29): keyword names of the colour
functions, to_pil_image of float arrays, tensor resize through ``interpolate`` (its errors, the
uint16 cast), string interpolation refused, pad / gaussian_blur messages, ToTensor's constructor,
negative strides, 5-D images. torchvision is not needed: the expected values and messages below
are what torchvision 0.29.2 on torch 2.13 produced for the same inputs."""
import numpy as np
import pytest
import torch

import ember
import ember.vision.transforms as T
import ember.vision.transforms.functional as F
from ember.vision.transforms import InterpolationMode as IM

RNG = np.random.default_rng(0)
U8 = RNG.integers(0, 256, (3, 7, 9), dtype=np.uint8)


def et(a):
    return ember.from_numpy(np.ascontiguousarray(a))


# ---------------------------------------------------------------- B1: keyword names

@pytest.mark.parametrize('name, kw, value', [('adjust_brightness', 'brightness_factor', 1.5),
                                             ('adjust_contrast', 'contrast_factor', 0.7),
                                             ('adjust_saturation', 'saturation_factor', 0.3),
                                             ('adjust_hue', 'hue_factor', 0.2)])
def test_colour_functions_take_torchvision_keywords(name, kw, value):
    fn = getattr(F, name)
    img = et(U8)
    assert np.array_equal(fn(img, **{kw: value}).numpy(), fn(img, value).numpy())
    pil = F.to_pil_image(img)
    assert np.array_equal(np.asarray(fn(pil, **{kw: value})), np.asarray(fn(pil, value)))


# ---------------------------------------------------------------- B2: to_pil_image of float ndarrays

def test_to_pil_image_scales_float_arrays():
    rgb = F.to_pil_image(np.full((2, 2, 3), 0.5, np.float32))
    assert rgb.mode == 'RGB' and np.asarray(rgb).tolist() == [[[127] * 3] * 2] * 2
    gray = F.to_pil_image(np.full((2, 2), 0.5))                      # float64, 2-D
    assert gray.mode == 'L' and np.asarray(gray).tolist() == [[127, 127], [127, 127]]
    assert F.to_pil_image(np.full((2, 2, 3), 0.5, np.float32), mode='RGB').mode == 'RGB'
    assert T.ToPILImage()(np.full((2, 2, 1), 0.25, np.float32)).mode == 'L'
    f = F.to_pil_image(np.full((2, 2), 0.5, np.float32), mode='F')   # mode F keeps the floats
    assert f.mode == 'F' and np.asarray(f).tolist() == [[0.5, 0.5], [0.5, 0.5]]


def test_to_pil_image_bfloat16_refused():
    with pytest.raises(TypeError, match='^Got unsupported ScalarType BFloat16$'):
        F.to_pil_image(ember.zeros(3, 2, 2, dtype=ember.bfloat16))


# ---------------------------------------------------------------- B3 / B6 / C1 / A2: tensor resize

def test_resize_to_empty_output_is_interpolates_error():
    with pytest.raises(RuntimeError, match=r'^Input and output sizes should be greater than 0, but got input '
                                           r'\(H: 3, W: 100\) output \(H: 0, W: 2\)$'):
        F.resize(ember.zeros(1, 3, 100), 1, max_size=2)
    with pytest.raises(RuntimeError, match='Input and output sizes should be greater than 0'):
        T.Resize(0)(ember.zeros(3, 7, 9))


def test_resize_pil_only_modes_on_tensors():
    img = et(U8)
    with pytest.raises(NotImplementedError, match=r'^Input Error: Only 3D, 4D and 5D input Tensors supported '
                                                  r'\(got 4D\) for the modes: .*\(got box\)$'):
        F.resize(img, 4, interpolation=IM.BOX)
    with pytest.raises(NotImplementedError, match=r'\(got hamming\)$'):
        F.resize(img, 4, interpolation=IM.HAMMING)
    with pytest.raises(ValueError, match='^Lanczos mode requires antialias=True$'):
        F.resize(img, 4, interpolation=IM.LANCZOS)


def test_resize_size_none():
    with pytest.raises(ValueError, match='^This should never happen!!$'):
        F.resize(et(U8), None)


def test_resize_casts_back_like_torchvision():
    # torchvision rounds only for uint8 / int8 / int16 / int32 / int64; uint16 is truncated
    a = np.array([[[0, 1000, 7, 65535, 3]]], dtype=np.uint16)          # interpolate gives 369.98, 7, 24273.9
    out = F.resize(et(a), [1, 3], interpolation=IM.BICUBIC, antialias=False)
    assert out.dtype == ember.uint16 and out.tolist() == [[[369, 7, 24273]]]
    out = F.resize(et(a.astype(np.int32)), [1, 3], interpolation=IM.BICUBIC, antialias=False)
    assert out.dtype == ember.int32 and out.tolist() == [[[370, 7, 24274]]]


def test_resize_is_interpolate_on_a_float_batch():
    x = RNG.random((2, 3, 11, 13), dtype=np.float32)
    for mode in ('bilinear', 'bicubic'):
        for aa in (True, False):
            got = F.resize(et(x[0]), [5, 6], interpolation=IM(mode), antialias=aa)
            want = torch.nn.functional.interpolate(torch.from_numpy(x[:1]), size=[5, 6], mode=mode,
                                                   align_corners=False, antialias=aa)[0]
            np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match='^Input and output must have the same number of spatial dimensions'):
        F.resize(ember.zeros(1, 2, 3, 7, 9), [4, 5])                 # 5-D: refused, as torchvision


# ---------------------------------------------------------------- B4: string interpolation

def test_string_interpolation_refused():
    msg = '^Argument interpolation should be a InterpolationMode or a corresponding Pillow integer constant$'
    with pytest.raises(TypeError, match=msg):
        F.resize(et(U8), 4, interpolation='bilinear')
    with pytest.raises(TypeError, match=msg):
        F.resized_crop(et(U8), 0, 0, 4, 4, 3, interpolation='nearest')
    resize = T.Resize(4, interpolation='bilinear')                   # stored; refused when called
    with pytest.raises(TypeError, match=msg):
        resize(et(U8))
    assert F.resize(et(U8), 4, interpolation=2).shape == (3, 4, 5)  # Pillow constants still accepted


# ---------------------------------------------------------------- D2 / B5: pad

def test_pad_reflect_reports_the_batched_input():
    with pytest.raises(RuntimeError, match=r'^Argument #4: Padding size should be less than the corresponding '
                                           r'input dimension, but got: padding \(10, 10\) at dimension 3 of '
                                           r'input \[1, 3, 7, 9\]$'):
        F.pad(et(U8), 10, padding_mode='reflect')
    with pytest.raises(RuntimeError, match=r'^Argument #6: .* padding \(8, 8\) at dimension 2 of input '
                                           r'\[1, 3, 7, 9\]$'):
        F.pad(et(U8), (1, 8), padding_mode='reflect')


def test_pad_modes_on_5d_and_2d():
    with pytest.raises(NotImplementedError, match='^Padding size 4 is not supported for 5D input tensor.\n'):
        F.pad(ember.ones(1, 1, 1, 2, 2), 1, padding_mode='reflect')
    with pytest.raises(RuntimeError, match='^Symmetric padding of N-D tensors are not supported yet$'):
        F.pad(ember.ones(2, 2), 1, padding_mode='symmetric')
    out = F.pad(et(U8), (2, 1), padding_mode='edge')                  # uint8 kept, values gathered
    assert out.dtype == ember.uint8 and np.array_equal(out.numpy(), np.pad(U8, ((0, 0), (1, 1), (2, 2)), 'edge'))


# ---------------------------------------------------------------- D3: gaussian_blur checks

def test_gaussian_blur_argument_types():
    with pytest.raises(TypeError, match="^kernel_size should be int or a sequence of integers. Got <class 'float'>$"):
        F.gaussian_blur(et(U8), 3.0)
    with pytest.raises(TypeError, match="^sigma should be either float or sequence of floats. Got <class 'str'>$"):
        F.gaussian_blur(et(U8), 3, 'a')
    with pytest.raises(ValueError, match='^If sigma is a sequence, its length should be 2. Got 3$'):
        F.gaussian_blur(et(U8), 3, [1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="^img should be PIL Image or Tensor. Got <class 'list'>$"):
        F.gaussian_blur([1], 3)


def test_gaussian_blur_values():
    x = RNG.random((3, 6, 7), dtype=np.float32)
    k = np.exp(-0.5 * (np.arange(-1, 2) / 0.8) ** 2)
    k /= k.sum()
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode='reflect')
    want = sum(k[i] * k[j] * p[:, i:i + 6, j:j + 7] for i in range(3) for j in range(3))
    np.testing.assert_allclose(F.gaussian_blur(et(x), 3, 0.8).numpy(), want, rtol=1e-5, atol=1e-6)
    u = F.gaussian_blur(et(U8)[None], 3, 0.8)                         # batched uint8: rounded back
    assert u.shape == (1, 3, 7, 9) and u.dtype == ember.uint8


# ---------------------------------------------------------------- D5 / B5: conversions

def test_to_tensor_classes_take_no_arguments():
    with pytest.raises(TypeError, match=r'^ToTensor.__init__\(\) takes 1 positional argument but 2 were given$'):
        T.ToTensor(1)
    with pytest.raises(TypeError, match=r'^PILToTensor.__init__\(\) takes 1 positional argument but 2 were given$'):
        T.PILToTensor(1)


def test_to_tensor_negative_strides_refused():
    a = U8.transpose(1, 2, 0)
    with pytest.raises(ValueError, match='^At least one stride in the given numpy array is negative'):
        F.to_tensor(a[:, ::-1])
    np.testing.assert_allclose(F.to_tensor(a).numpy(), U8 / 255.0, rtol=1e-6)


def test_geometry_5d_refused():
    with pytest.raises(RuntimeError, match='^grid_sampler\\(\\): expected grid to have size 3 in last dimension'):
        F.affine(ember.zeros(1, 1, 3, 5, 5), 10.0, [0, 0], 1.0, [0.0, 0.0])


@pytest.mark.parametrize('cls', ['AutoAugment', 'RandAugment', 'AugMix', 'TrivialAugmentWide'])
def test_augment_policies_refuse_non_images(cls):
    with pytest.raises(TypeError, match="^Unexpected type <class 'list'>$"):
        getattr(T, cls)()([1])
