"""Interpolation, pixel shuffle, embeddings and one_hot against PyTorch."""
import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error, case
from layers import check_layer


def interp(**kw):
    return lambda T, x: T.nn.functional.interpolate(x, **kw)


INTERP = [
    case('nearest-scale', interp(scale_factor=2), [(1, 2, 3, 4)]),
    case('nearest-size', interp(size=(5, 7)), [(1, 2, 3, 4)]),
    case('nearest-down', interp(size=(2, 3)), [(1, 2, 5, 7)]),
    case('nearest-frac-scale', interp(scale_factor=1.7), [(1, 1, 4, 5)]),
    case('nearest-exact', interp(scale_factor=1.5, mode='nearest-exact'), [(1, 2, 4, 4)]),
    case('nearest-1d', interp(scale_factor=3), [(2, 2, 4)]),
    case('nearest-3d', interp(size=(2, 3, 4)), [(1, 1, 3, 2, 2)]),
    case('linear', interp(size=7, mode='linear'), [(2, 2, 4)]),
    case('linear-align', interp(size=7, mode='linear', align_corners=True), [(2, 2, 4)]),
    case('bilinear', interp(size=(5, 7), mode='bilinear'), [(1, 2, 3, 4)]),
    case('bilinear-align', interp(size=(5, 7), mode='bilinear', align_corners=True), [(1, 2, 3, 4)]),
    case('bilinear-scale', interp(scale_factor=2, mode='bilinear'), [(1, 2, 3, 3)]),
    case('bilinear-down', interp(size=(2, 3), mode='bilinear'), [(1, 2, 5, 7)]),
    case('bicubic', interp(size=(6, 5), mode='bicubic'), [(1, 2, 3, 4)]),
    case('bicubic-align', interp(size=(6, 5), mode='bicubic', align_corners=True), [(1, 1, 3, 4)]),
    case('trilinear', interp(scale_factor=2, mode='trilinear'), [(1, 1, 2, 3, 2)]),
    case('area', interp(size=(2, 3), mode='area'), [(1, 2, 4, 6)]),
    # antialias: PIL's filters stretched by the scale when shrinking (double backward too)
    case('bilinear-aa-down', interp(scale_factor=0.5, mode='bilinear', antialias=True), [(1, 2, 8, 9)]),
    case('bilinear-aa-size', interp(size=(3, 5), mode='bilinear', antialias=True, align_corners=True),
         [(2, 1, 7, 11)]),
    case('bilinear-aa-up', interp(scale_factor=1.5, mode='bilinear', antialias=True), [(1, 1, 4, 5)]),
    case('bicubic-aa-down', interp(size=(3, 4), mode='bicubic', antialias=True), [(1, 2, 9, 13)]),
    case('bicubic-aa-mixed', interp(scale_factor=(0.3, 1.7), mode='bicubic', antialias=True), [(1, 1, 10, 4)]),
    case('pixel-shuffle', lambda T, x: T.nn.functional.pixel_shuffle(x, 2), [(1, 8, 2, 3)]),
    case('pixel-shuffle-batched', lambda T, x: T.nn.functional.pixel_shuffle(x, 2), [(2, 2, 4, 2, 2)]),
    case('pixel-unshuffle', lambda T, x: T.nn.functional.pixel_unshuffle(x, 2), [(1, 2, 4, 6)]),
]


@pytest.mark.parametrize('fn,specs,kw', INTERP)
def test_interpolate(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    case('both', interp(size=3, scale_factor=2), [(1, 2, 3, 4)]),
    case('antialias-nearest', interp(size=3, antialias=True), [(1, 2, 3, 4)]),
    case('neither', interp(), [(1, 2, 3, 4)]),
    case('linear-4d', interp(size=3, mode='linear'), [(1, 2, 3, 4)]),
    case('align-nearest', interp(size=3, align_corners=True), [(1, 2, 3, 4)]),
    case('shuffle-channels', lambda T, x: T.nn.functional.pixel_shuffle(x, 2), [(1, 6, 2, 2)]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


IDX = np.array([[1, 2, 4], [4, 3, 1]], np.int64)


def emb(**kw):
    return lambda T, w, i: T.nn.functional.embedding(i, w, **kw)


@pytest.mark.parametrize('fn,specs,kw', [
    case('embedding', emb(), [(5, 3), IDX]),
    # padding_idx and scale_grad_by_freq change the gradient on purpose: not the true derivative
    case('embedding-padding', emb(padding_idx=1), [(5, 3), IDX], gradcheck=False),
    case('embedding-freq', emb(scale_grad_by_freq=True), [(5, 3), IDX], gradcheck=False),
    case('embedding-1d', emb(), [(5, 3), np.array([0, 0, 2])]),
    case('embedding-bag-mean', lambda T, w, i: T.nn.functional.embedding_bag(i, w), [(5, 3), IDX], gradgrad=False),
    case('embedding-bag-sum-offsets', lambda T, w, i: T.nn.functional.embedding_bag(
        i, w, T.tensor([0, 2]), mode='sum'), [(5, 3), np.array([1, 2, 4, 4, 0])], gradgrad=False),
    case('embedding-bag-max', lambda T, w, i: T.nn.functional.embedding_bag(i, w, mode='max'),
         [(5, 3), IDX], gradgrad=False),
])
def test_embedding(fn, specs, kw):
    check(fn, specs, **kw)


def test_embedding_layers():
    i = IDX
    check_layer(lambda nn: nn.Embedding(5, 3, padding_idx=0), [i])
    check_layer(lambda nn: nn.EmbeddingBag(5, 3, mode='sum'), [i])
    assert repr(ember.nn.Embedding(10, 3, max_norm=1.)) == repr(torch.nn.Embedding(10, 3, max_norm=1.))
    assert repr(ember.nn.EmbeddingBag(10, 3, mode='max')) == repr(torch.nn.EmbeddingBag(10, 3, mode='max'))
    e = ember.nn.Embedding(5, 2, padding_idx=2)
    assert e.weight[2].tolist() == [0.0, 0.0]
    w = ember.tensor([[3., 4.], [0.3, 0.4]])
    p = ember.nn.Embedding.from_pretrained(w)
    assert not p.weight.requires_grad and p(ember.tensor([1])).tolist()[0] == pytest.approx([0.3, 0.4])


def test_embedding_max_norm_renormalises_rows():
    res = []
    for lib in (torch, ember):
        w = lib.tensor([[3., 4.], [0.3, 0.4], [6., 8.]])
        out = lib.nn.functional.embedding(lib.tensor([0, 1]), w, max_norm=1.0)
        res.append((out.tolist(), w.tolist()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-5)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-5)


def test_embedding_errors():
    check_error(emb(), [(5, 3), np.array([5])])
    check_error(emb(), [(5, 3), np.array([1.0], np.float32)])


@pytest.mark.parametrize('fn', [
    lambda T: T.nn.functional.one_hot(T.tensor([0, 2])),
    lambda T: T.nn.functional.one_hot(T.tensor([[0, 2]]), 4),
    lambda T: T.nn.functional.one_hot(T.tensor([-1])),
    lambda T: T.nn.functional.one_hot(T.tensor([3]), 2),
    lambda T: T.nn.functional.one_hot(T.tensor([1.])),
])
def test_one_hot(fn):
    from compare import comparers
    from test_tensor_basics import plain
    comparers(lambda x: plain(x.cpu()) if isinstance(x, (torch.Tensor, ember.Tensor)) else plain(x))[1](fn)


def test_upsample_layers():
    for make in (lambda nn: nn.Upsample(scale_factor=2, mode='bilinear'), lambda nn: nn.Upsample(size=(3, 4)),
                 lambda nn: nn.UpsamplingNearest2d(scale_factor=2), lambda nn: nn.UpsamplingBilinear2d(size=4),
                 lambda nn: nn.PixelShuffle(2), lambda nn: nn.PixelUnshuffle(2)):
        check_layer(make, [(1, 4, 4, 4)])


@pytest.mark.parametrize('fn,specs,kw', [
    case('unfold', lambda T, x: T.nn.functional.unfold(x, 2), [(2, 3, 4, 5)]),
    case('unfold-full', lambda T, x: T.nn.functional.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
         [(1, 2, 5, 6)]),
    case('unfold-unbatched', lambda T, x: T.nn.functional.unfold(x, 3, padding=1), [(2, 4, 4)]),
    case('fold', lambda T, x: T.nn.functional.fold(x, (4, 5), 2), [(2, 12, 12)]),
    case('fold-overlap-stride', lambda T, x: T.nn.functional.fold(x, (5, 5), 3, padding=1, stride=2), [(1, 18, 9)]),
    case('fold-unbatched', lambda T, x: T.nn.functional.fold(x, 4, 2, stride=2), [(8, 4)]),
    case('unfold-then-fold', lambda T, x: T.nn.functional.fold(T.nn.functional.unfold(x, 2), (3, 3), 2),
         [(1, 2, 3, 3)]),
])
def test_fold_unfold(fn, specs, kw):
    check(fn, specs, **kw)


def test_fold_unfold_layers_and_errors():
    check_layer(lambda nn: nn.Unfold((2, 2), stride=2), [(1, 2, 4, 4)])
    check_layer(lambda nn: nn.Fold((4, 4), 2, stride=2), [(1, 8, 4)])
    check_error(lambda T, x: T.nn.functional.fold(x, (4, 5), 2), [(2, 12, 11)])
    check_error(lambda T, x: T.nn.functional.unfold(x, 2), [(1, 1, 2, 4, 5)])
