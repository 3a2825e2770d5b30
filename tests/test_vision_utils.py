"""ember.vision.utils: make_grid layouts against hand-computed grids (torchvision's formula),
normalisation options, and save_image files read back with Pillow."""
import io

import numpy as np
import pytest
from PIL import Image

import ember
import ember.vision.utils as vutils
from ember.vision.utils import make_grid, save_image


def et(a):
    return ember.from_numpy(np.ascontiguousarray(a))


def test_make_grid_layouts():
    x = et(np.arange(5 * 3 * 2 * 2, dtype=np.float32).reshape(5, 3, 2, 2))
    g = make_grid(x, nrow=2, padding=1, pad_value=-1)
    assert tuple(g.shape) == (3, 3 * 3 + 1, 2 * 3 + 1)                 # 3 rows x 2 columns of 2x2 + borders
    a = g.numpy()
    np.testing.assert_array_equal(a[:, 1:3, 1:3], x.numpy()[0])
    np.testing.assert_array_equal(a[:, 1:3, 4:6], x.numpy()[1])
    np.testing.assert_array_equal(a[:, 7:9, 1:3], x.numpy()[4])
    assert (a[:, 7:9, 4:6] == -1).all() and (a[:, 0] == -1).all()      # the missing 6th image is padding
    one = make_grid(et(np.ones((1, 1, 4, 4), np.float32)))              # single image: no padding, 3 channels
    assert tuple(one.shape) == (3, 4, 4)
    assert tuple(make_grid(ember.zeros(4, 4)).shape) == (3, 4, 4)
    lst = make_grid([ember.zeros(1, 4, 4), ember.ones(1, 4, 4)], padding=0)
    assert tuple(lst.shape) == (3, 4, 8) and float(lst[:, :, 4:].min()) == 1.0
    assert tuple(make_grid(ember.zeros(10, 3, 4, 5)).shape) == (3, 2 * 6 + 2, 8 * 7 + 2)


def test_make_grid_normalize():
    x = et(np.array([[[[-1.0, 1.0]]], [[[2.0, 4.0]]]], np.float32))
    g = make_grid(x, padding=0, normalize=True)
    np.testing.assert_allclose(g.numpy()[0], [[0.0, 0.4, 0.6, 1.0]])
    g = make_grid(x, padding=0, normalize=True, scale_each=True)
    np.testing.assert_allclose(g.numpy()[0], [[0.0, 1.0, 0.0, 1.0]])
    g = make_grid(x, padding=0, normalize=True, value_range=(0, 2))
    np.testing.assert_allclose(g.numpy()[0], [[0.0, 0.5, 1.0, 1.0]])
    assert float(x.min()) == -1.0                                       # input untouched


def test_save_image_png(tmp_path):
    x = et(np.array([[[[0.0, 0.5], [1.0, 0.2]]]], np.float32))          # 1 x 1 x 2 x 2
    path = tmp_path / 'img.png'
    save_image(x, path)
    back = np.asarray(Image.open(path))
    assert back.shape == (2, 2, 3)
    np.testing.assert_array_equal(back[:, :, 0], [[0, 128], [255, 51]])
    save_image(ember.rand(4, 3, 5, 5), tmp_path / 'grid.jpg', nrow=2, padding=1)
    assert Image.open(tmp_path / 'grid.jpg').size == (13, 13)
    buf = io.BytesIO()
    save_image(ember.rand(3, 4, 4), buf, format='PNG')
    assert buf.getvalue()[:4] == b'\x89PNG'


def test_make_grid_matches_reference_layout():
    rng = np.random.default_rng(0)
    x = rng.random((7, 3, 5, 4), dtype=np.float32)
    nrow, pad = 3, 2
    ref = np.full((3, 3 * (5 + pad) + pad, 3 * (4 + pad) + pad), 0.25, np.float32)
    for k in range(7):
        r, c = divmod(k, nrow)
        ref[:, pad + r * (5 + pad):pad + r * (5 + pad) + 5, pad + c * (4 + pad):pad + c * (4 + pad) + 4] = x[k]
    t = et(x).requires_grad_()
    g = make_grid(t, nrow=nrow, padding=pad, pad_value=0.25)
    np.testing.assert_array_equal(g.numpy(), ref)
    assert not g.requires_grad                                          # runs under no_grad, like torchvision


@pytest.mark.parametrize('exc,match,fn', [
    (TypeError, 'value_range has to be a tuple', lambda: make_grid(ember.zeros(2, 1, 1, 2), normalize=True,
                                                                   value_range=[0, 1])),
    (TypeError, "tensor or list of tensors expected, got a list containing <class 'int'>", lambda: make_grid([1, 2])),
    (TypeError, "tensor or list of tensors expected, got <class 'numpy.ndarray'>", lambda: make_grid(np.zeros(2))),
    (TypeError, "unexpected keyword argument 'range'", lambda: make_grid(ember.zeros(2, 1, 1, 2), range=(0, 1))),
])
def test_make_grid_errors(exc, match, fn):
    with pytest.raises(exc, match=match):
        fn()


def test_save_image_matplotlib_fallback(tmp_path, monkeypatch):
    monkeypatch.setattr(vutils, '_pillow', lambda: None)               # as if Pillow were missing
    save_image(et(np.array([[[0.0, 1.0]]], np.float32)), tmp_path / 'mpl.png')
    back = np.asarray(Image.open(tmp_path / 'mpl.png').convert('RGB'))
    assert back.shape == (1, 2, 3) and back[0, :, 0].tolist() == [0, 255]
