"""Data loading, distributions and vision transforms consume the CPU stream as PyTorch (and
torchvision) do: the same seed gives the same batch orders, samples and augmentation parameters, and
leaves the generator in the same state. torchvision is not installed: transforms are compared with a
plain-torch re-enactment of the draws torchvision makes, in its order."""
import math
import random
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.vision.transforms as VT
import ember.vision.transforms.functional as VF
from test_random_consumers_nn import same_draws


def _epochs(T, loader, k=3):
    return [[b[0].tolist() for b in loader] for _ in range(k)]


def _ds(T, n=10):
    return T.utils.data.TensorDataset(T.arange(float(n)))


def _loader(T, *args, **kw):
    return T.utils.data.DataLoader(*args, **kw)


def _with_gen(T, seed, fn):
    g = T.Generator().manual_seed(seed)
    return fn(g), g.get_state()


D = {
    'loader_shuffle': lambda T: _epochs(T, _loader(T, _ds(T), batch_size=3, shuffle=True)),
    'loader_shuffle_generator': lambda T: _epochs(T, _loader(T, _ds(T), batch_size=3, shuffle=True,
                                                              generator=T.Generator().manual_seed(5))),
    'loader_then_randn': lambda T: (_epochs(T, _loader(T, _ds(T), batch_size=4, shuffle=True), 2), T.randn(3)),
    'loader_fresh_iterators': lambda T: ([next(iter(loader))[0] for loader in [_loader(T, _ds(T), batch_size=4,
                                                                                        shuffle=True)] * 3],
                                         T.rand(2)),
    'loader_no_shuffle': lambda T: (_epochs(T, _loader(T, _ds(T), batch_size=3)), T.rand(2)),
    'loader_drop_last': lambda T: _epochs(T, _loader(T, _ds(T, 11), batch_size=3, shuffle=True, drop_last=True)),
    'loader_batch_size_none': lambda T: _epochs(T, _loader(T, _ds(T), batch_size=None, shuffle=True)),
    'loader_weighted': lambda T: _epochs(T, _loader(T, _ds(T, 4), batch_size=2, sampler=T.utils.data.
                                                    WeightedRandomSampler([1., 2, 3, 4], 6))),
    'loader_batch_sampler': lambda T: _epochs(T, _loader(T, _ds(T), batch_sampler=T.utils.data.BatchSampler(
        T.utils.data.RandomSampler(range(10)), 4, False))),
    'random_sampler': lambda T: [list(T.utils.data.RandomSampler(range(7))) for _ in range(2)],
    'random_sampler_replacement': lambda T: [list(T.utils.data.RandomSampler(range(7), True, 70)),
                                             list(T.utils.data.RandomSampler(range(7), True))],
    'random_sampler_num_samples': lambda T: [list(T.utils.data.RandomSampler(range(7), num_samples=n))
                                             for n in (17, 3)],
    'random_sampler_generator': lambda T: _with_gen(T, 3, lambda g: [
        list(T.utils.data.RandomSampler(range(9), generator=g)), list(T.utils.data.RandomSampler(range(9), True, 40,
                                                                                                  generator=g))]),
    'subset_random_sampler': lambda T: [list(T.utils.data.SubsetRandomSampler([3, 5, 7, 9, 11])) for _ in range(2)],
    'subset_random_sampler_generator': lambda T: _with_gen(T, 3, lambda g: list(
        T.utils.data.SubsetRandomSampler([3, 5, 7, 9, 11], generator=g))),
    'weighted_sampler': lambda T: [list(T.utils.data.WeightedRandomSampler([0.1, 0.5, 0.2, 0.2, 1, 3], 100)),
                                   list(T.utils.data.WeightedRandomSampler(T.tensor([0.1, 0.5, 0.2]), 1)),
                                   list(T.utils.data.WeightedRandomSampler([0.1, 0.5, 0.2, 0.2, 1, 3], 4, False))],
    'weighted_sampler_generator': lambda T: _with_gen(T, 3, lambda g: list(
        T.utils.data.WeightedRandomSampler([0.1, 0.5, 0.2], 10, generator=g))),
    'random_split': lambda T: [[list(s) for s in T.utils.data.random_split(range(10), [3, 7])],
                               [list(s) for s in T.utils.data.random_split(range(11), [0.3, 0.3, 0.4])]],
    'random_split_generator': lambda T: _with_gen(T, 42, lambda g: [
        list(s) for s in T.utils.data.random_split(range(10), [0.5, 0.5], generator=g)]),
    'distributed_sampler': lambda T: [list(T.utils.data.DistributedSampler(range(10), num_replicas=3, rank=1)),
                                      T.rand(1)],
    'distributed_sampler_epoch': lambda T: (lambda s: (s.set_epoch(3), list(s), T.rand(1))[1:])(
        T.utils.data.distributed.DistributedSampler(range(10), num_replicas=2, rank=0, seed=5)),
}


@pytest.mark.parametrize('name', D)
def test_data_loading_order(name):
    same_draws(D[name])


def _t(T, *v):
    return T.tensor(v)


def _dist(make, shape=(), reparam=False):
    def fn(T):
        d = make(T, T.distributions)
        first = d.rsample(shape) if reparam else d.sample(shape)
        return first, d.sample((3,) + tuple(shape))
    return fn


DISTS = {
    'Normal': _dist(lambda T, D: D.Normal(_t(T, 0., 1., 2.), _t(T, 1., 2., 3.)), (4,), True),
    'Normal_f64': _dist(lambda T, D: D.Normal(_t(T, 0., 1.).double(), _t(T, 1., 2.).double()), (10,), True),
    'Uniform': _dist(lambda T, D: D.Uniform(_t(T, 0., 1.), _t(T, 2., 3.)), (5,), True),
    'Bernoulli': _dist(lambda T, D: D.Bernoulli(_t(T, 0.1, 0.5, 0.9)), (5,)),
    'Bernoulli_logits': _dist(lambda T, D: D.Bernoulli(logits=_t(T, 0.1, 0.5, 0.9)), (5,)),
    'Categorical': _dist(lambda T, D: D.Categorical(T.tensor([[0.1, 0.9], [0.5, 0.5], [0.3, 0.7]])), (4,)),
    'OneHotCategorical': _dist(lambda T, D: D.OneHotCategorical(_t(T, 0.1, 0.5, 0.4)), (5,)),
    'Multinomial': _dist(lambda T, D: D.Multinomial(10, _t(T, 0.1, 0.5, 0.4)), (5,)),
    'Exponential': _dist(lambda T, D: D.Exponential(_t(T, 1., 2.)), (5,), True),
    'Laplace': _dist(lambda T, D: D.Laplace(_t(T, 0., 1.), _t(T, 1., 2.)), (5,), True),
    'Gumbel': _dist(lambda T, D: D.Gumbel(_t(T, 0., 1.), _t(T, 1., 2.)), (5,), True),
    'LogNormal': _dist(lambda T, D: D.LogNormal(_t(T, 0., 1.), _t(T, 1., 2.)), (5,), True),
    'Cauchy': _dist(lambda T, D: D.Cauchy(_t(T, 0., 1.), _t(T, 1., 2.)), (5,), True),
    'Geometric': _dist(lambda T, D: D.Geometric(_t(T, 0.1, 0.5, 0.9)), (5,)),
    'MultivariateNormal': _dist(lambda T, D: D.MultivariateNormal(_t(T, 0., 1.), T.tensor([[2., .5], [.5, 1.]])),
                                (5,), True),
    'LowRankMultivariateNormal': _dist(lambda T, D: D.LowRankMultivariateNormal(T.zeros(3), T.ones(3, 1),
                                                                                 T.ones(3)), (4,), True),
    'RelaxedBernoulli': _dist(lambda T, D: D.RelaxedBernoulli(T.tensor(0.5), _t(T, 0.1, 0.5, 0.9)), (5,), True),
    'RelaxedOneHotCategorical': _dist(lambda T, D: D.RelaxedOneHotCategorical(T.tensor(0.5), _t(T, 0.1, 0.5, 0.4)),
                                      (5,), True),
    'HalfCauchy_Pareto_Weibull': lambda T: [_dist(lambda T, D: D.HalfCauchy(_t(T, 1., 2.)), (5,), True)(T),
                                            _dist(lambda T, D: D.Pareto(_t(T, 1., 2.), _t(T, 1., 2.)), (5,))(T),
                                            _dist(lambda T, D: D.Weibull(_t(T, 1., 2.), _t(T, 1., 2.)), (5,))(T)],
    'ContinuousBernoulli': _dist(lambda T, D: D.ContinuousBernoulli(_t(T, 0.2, 0.7)), (5,), True),
    'VonMises': _dist(lambda T, D: D.VonMises(_t(T, 0., 1.), _t(T, 1., 5.)), (5,)),
    'Gamma': _dist(lambda T, D: D.Gamma(_t(T, 0.4, 5.), _t(T, 1., 2.)), (5,), True),
    'Gamma_f64': _dist(lambda T, D: D.Gamma(_t(T, 0.4, 5.).double(), _t(T, 1., 2.).double()), (50,), True),
    'Beta': _dist(lambda T, D: D.Beta(_t(T, 1., 5.), _t(T, 0.5, 2.)), (5,), True),
    'Dirichlet': _dist(lambda T, D: D.Dirichlet(_t(T, 1., 5., 0.2)), (5,), True),
    'Chi2_StudentT': lambda T: [_dist(lambda T, D: D.Chi2(_t(T, 1., 5.)), (5,), True)(T),
                                _dist(lambda T, D: D.StudentT(_t(T, 3., 5.)), (5,), True)(T)],
    'FisherSnedecor_InverseGamma': lambda T: [
        _dist(lambda T, D: D.FisherSnedecor(_t(T, 3., 5.), _t(T, 3., 5.)), (5,), True)(T),
        _dist(lambda T, D: D.InverseGamma(_t(T, 3., 5.), _t(T, 3., 5.)), (5,), True)(T)],
    'Binomial': _dist(lambda T, D: D.Binomial(T.tensor([10., 100.]), _t(T, 0.1, 0.6)), (5,)),
    'LKJCholesky': _dist(lambda T, D: D.LKJCholesky(3, 0.5), (2,)),
    'Wishart': lambda T: [_dist(lambda T, D: D.Wishart(T.tensor(4.), T.eye(2)), (3,), True)(T),
                          _dist(lambda T, D: D.Wishart(T.tensor([4., 5.]), T.eye(3)), ())(T)],
    'MixtureSameFamily': _dist(lambda T, D: D.MixtureSameFamily(D.Categorical(_t(T, 0.3, 0.7)),
                                                                D.Normal(_t(T, 0., 5.), _t(T, 1., 1.))), (6,)),
}


@pytest.mark.parametrize('name', DISTS)
def test_distribution_samples(name):
    same_draws(DISTS[name])


def test_wishart_warns_as_torch_does():
    """PyTorch's correction test flags the positive definite draws: an ordinary draw warns and is redrawn."""
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            T.distributions.Wishart(T.tensor(4.), T.eye(2)).rsample()
        assert [str(w.message) for w in caught] == ['Singular sample detected.']


# ------------------------------------------------------------------ vision transforms

def _same_params(ember_fn, torch_fn, seed=0):
    """ember's transform parameters (or output) and torchvision's draws re-enacted in torch:
    equal, and the generators left in the same state."""
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    got, want = ember_fn(), torch_fn()
    assert repr(got) == repr(want)
    assert ember.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()


IMG = ember.arange(3 * 20 * 24, dtype=ember.float32).reshape(3, 20, 24) / 1440


def _ri(lo, hi):
    return torch.randint(lo, hi, size=(1,)).item()


def _crop_ref(h, w, th, tw):
    return (0, 0, h, w) if (h, w) == (th, tw) else (_ri(0, h - th + 1), _ri(0, w - tw + 1), th, tw)


def _resized_crop_ref(height, width, scale, ratio):
    log_ratio = torch.log(torch.tensor(ratio))
    for _ in range(10):
        area = height * width * torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        w, h = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
        if 0 < w <= width and 0 < h <= height:
            return _ri(0, height - h + 1), _ri(0, width - w + 1), h, w
    return None


def _erasing_ref(c, img_h, img_w, scale, ratio):
    log_ratio = torch.log(torch.tensor(ratio))
    for _ in range(10):
        area = img_h * img_w * torch.empty(1).uniform_(scale[0], scale[1]).item()
        aspect = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
        h, w = int(round(math.sqrt(area * aspect))), int(round(math.sqrt(area / aspect)))
        if h < img_h and w < img_w:
            v = torch.empty([c, h, w], dtype=torch.float32).normal_()
            return _ri(0, img_h - h + 1), _ri(0, img_w - w + 1), h, w, v.numpy().round(5).tolist()
    return None


def _applied(p):
    """RandomApply([RandomVerticalFlip(1.0)], p): its own draw, then the flip's."""
    return False if bool(p < torch.rand(1)) else bool(torch.rand(1) < 1.0)


def _u(lo, hi):
    return float(torch.empty(1).uniform_(lo, hi).item())


def _perspective_ref(width, height, d):
    hw, hh = int(d * (width // 2)), int(d * (height // 2))
    return [[_ri(0, hw + 1), _ri(0, hh + 1)], [_ri(width - hw - 1, width), _ri(0, hh + 1)],
            [_ri(width - hw - 1, width), _ri(height - hh - 1, height)], [_ri(0, hw + 1), _ri(height - hh - 1, height)]]


def _coins(p, n):
    return [bool(torch.rand(1) < p) for _ in range(n)]


def _erasing_ember():
    i, j, h, w, v = VT.RandomErasing.get_params(IMG, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=None)
    return i, j, h, w, v.numpy().round(5).tolist()


VISION = {
    'RandomHorizontalFlip': (lambda: [bool((VT.RandomHorizontalFlip()(IMG) != IMG).any()) for _ in range(6)],
                             lambda: _coins(0.5, 6)),
    'RandomVerticalFlip_p': (lambda: [bool((VT.RandomVerticalFlip(0.7)(IMG) != IMG).any()) for _ in range(6)],
                             lambda: _coins(0.7, 6)),
    'RandomCrop': (lambda: [VT.RandomCrop.get_params(IMG, (8, 9)) for _ in range(3)] + [
        VT.RandomCrop.get_params(IMG, (20, 24))], lambda: [_crop_ref(20, 24, 8, 9) for _ in range(3)] + [
        _crop_ref(20, 24, 20, 24)]),
    'RandomCrop_output': (lambda: VT.RandomCrop((8, 9))(IMG).numpy().tolist(),
                          lambda: (lambda i, j, h, w: IMG[:, i:i + h, j:j + w].numpy().tolist())(
                              *_crop_ref(20, 24, 8, 9))),
    'RandomResizedCrop': (lambda: [VT.RandomResizedCrop.get_params(IMG, (0.08, 1.0), (3 / 4, 4 / 3))
                                   for _ in range(4)],
                          lambda: [_resized_crop_ref(20, 24, (0.08, 1.0), (3 / 4, 4 / 3)) for _ in range(4)]),
    'ColorJitter': (lambda: (lambda p: (p[0].tolist(),) + p[1:])(VT.ColorJitter.get_params(
        (0.6, 1.4), (0.5, 1.5), None, (-0.1, 0.1))),
        lambda: (torch.randperm(4).tolist(), _u(0.6, 1.4), _u(0.5, 1.5), None, _u(-0.1, 0.1))),
    'RandomRotation': (lambda: [VT.RandomRotation.get_params([-30.0, 45.0]) for _ in range(3)],
                       lambda: [_u(-30.0, 45.0) for _ in range(3)]),
    'RandomAffine': (lambda: VT.RandomAffine.get_params([-10., 10.], [0.1, 0.2], [0.9, 1.1], [-5., 5., -3., 3.],
                                                        [24, 20]),
                     lambda: (_u(-10., 10.), (int(round(_u(-2.4, 2.4))), int(round(_u(-4.0, 4.0)))), _u(0.9, 1.1),
                              (_u(-5., 5.), _u(-3., 3.)))),
    'RandomErasing': (_erasing_ember, lambda: _erasing_ref(3, 20, 24, (0.02, 0.33), (0.3, 3.3))),
    'RandomPerspective': (lambda: VT.RandomPerspective.get_params(24, 20, 0.5)[1],
                          lambda: _perspective_ref(24, 20, 0.5)),
    'GaussianBlur': (lambda: [VT.GaussianBlur.get_params(0.1, 2.0) for _ in range(3)],
                     lambda: [_u(0.1, 2.0) for _ in range(3)]),
    'RandomApply': (lambda: [bool((VT.RandomApply([VT.RandomVerticalFlip(1.0)], 0.3)(IMG) != IMG).any())
                             for _ in range(8)], lambda: [_applied(0.3) for _ in range(8)]),
    'RandomGrayscale': (lambda: [bool((VT.RandomGrayscale(0.4)(IMG) != IMG).any()) for _ in range(8)],
                        lambda: _coins(0.4, 8)),
    'RandomInvert_item': (lambda: [bool((VT.RandomInvert(0.4)(IMG) != IMG).any()) for _ in range(8)],
                          lambda: [torch.rand(1).item() < 0.4 for _ in range(8)]),
    'AutoAugment': (lambda: (lambda p: (p[0], p[1].tolist(), p[2].tolist()))(VT.AutoAugment.get_params(25)),
                    lambda: (int(torch.randint(25, (1,)).item()), torch.rand((2,)).tolist(),
                             torch.randint(2, (2,)).tolist())),
    'ElasticTransform_draws': (lambda: tuple(VT.ElasticTransform.get_params([50., 50.], [1., 1.], [20, 24]).shape),
                               lambda: (torch.rand([1, 1, 20, 24]), torch.rand([1, 1, 20, 24]), (1, 20, 24, 2))[2]),
}


@pytest.mark.parametrize('name', VISION)
def test_vision_transform_draws(name):
    ember_fn, torch_fn = VISION[name]
    _same_params(ember_fn, torch_fn)


def _trivial_ref(op_meta):
    names = list(op_meta)
    name = names[int(torch.randint(len(names), (1,)).item())]
    mags, signed = op_meta[name]
    mag = float(mags[int(torch.randint(len(mags), (1,), dtype=torch.long))].item()) if mags.ndim > 0 else 0.0
    if signed and torch.randint(2, (1,)):
        mag *= -1.0
    return name, mag


def test_trivial_augment_and_randaugment_draw_order():
    """The op index, the magnitude bin (when the op has bins) and the sign (when signed), as torchvision."""
    img = (IMG * 255).to(ember.uint8)
    meta = VT.TrivialAugmentWide()._augmentation_space(31)
    for seed in range(12):
        _same_params(lambda: tuple(VT.TrivialAugmentWide()(img).shape), lambda: (_trivial_ref(meta), (3, 20, 24))[1],
                     seed)
    meta = VT.RandAugment()._augmentation_space(31, (20, 24))

    def rand_augment_ref():
        for _ in range(2):
            name = list(meta)[int(torch.randint(len(meta), (1,)).item())]
            if meta[name][1] and torch.randint(2, (1,)):
                pass
        return (3, 20, 24)
    for seed in range(12):
        _same_params(lambda: tuple(VT.RandAugment()(img).shape), rand_augment_ref, seed)


def test_random_order_and_choice_draw_from_python_random():
    """torchvision's RandomOrder shuffles with random.shuffle and RandomChoice picks with
    random.choices: the global generator is left alone."""
    steps = [VT.Lambda(lambda v, k=k: v + [k]) for k in range(4)]
    random.seed(3)
    ember.manual_seed(0)
    state = ember.get_rng_state()
    got = [VT.RandomOrder(steps)([]) for _ in range(3)] + [VT.RandomChoice(steps, p=[1, 2, 3, 4])([])
                                                          for _ in range(5)]
    random.seed(3)
    want = []
    for _ in range(3):
        order = list(range(4))
        random.shuffle(order)
        want.append(order)
    want += [[random.choices(range(4), weights=[1, 2, 3, 4])[0]] for _ in range(5)]
    assert got == want
    assert ember.equal(ember.get_rng_state(), state)


def test_vision_resized_crop_and_flip_pipeline():
    """A Compose of random transforms gives torchvision's crops and flips, image by image."""
    pipe = VT.Compose([VT.RandomResizedCrop(8, antialias=True), VT.RandomHorizontalFlip()])
    ember.manual_seed(4)
    got = [pipe(IMG) for _ in range(3)]
    torch.manual_seed(4)
    for out in got:
        i, j, h, w = _resized_crop_ref(20, 24, (0.08, 1.0), (3 / 4, 4 / 3))
        want = VF.resized_crop(IMG, i, j, h, w, [8, 8], antialias=True)
        if torch.rand(1) < 0.5:
            want = VF.hflip(want)
        np.testing.assert_allclose(out.numpy(), want.numpy())
    assert ember.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()


def test_augmix_draw_order():
    """AugMix: two Dirichlet draws (torch._sample_dirichlet), then per chain its depth (when not fixed)
    and per op the op, its magnitude bin and its sign, as torchvision."""
    img = (IMG * 255).to(ember.uint8)
    aug = VT.AugMix()
    meta = aug._augmentation_space(aug._PARAMETER_MAX, (20, 24))

    def reference():
        torch._sample_dirichlet(torch.tensor([1.0, 1.0]).expand(1, -1))
        torch._sample_dirichlet(torch.tensor([1.0] * 3).expand(1, -1))
        for _ in range(3):
            for _ in range(int(torch.randint(low=1, high=4, size=(1,)).item())):
                name = list(meta)[int(torch.randint(len(meta), (1,)).item())]
                mags, signed = meta[name]
                if mags.ndim > 0:
                    torch.randint(aug.severity, (1,), dtype=torch.long)
                if signed:
                    torch.randint(2, (1,))
        return (3, 20, 24)
    for seed in range(6):
        _same_params(lambda: tuple(aug(img).shape), reference, seed)
