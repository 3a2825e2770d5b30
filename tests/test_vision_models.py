"""ember.vision.models against torchvision's published facts (parameter counts, state_dict keys,
reprs, weights file names, warnings) and against the same blocks assembled from real torch.nn."""
import functools
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn as tnn

import ember
from ember import nn, optim
from ember.vision import models as M
from ember.vision.models.mobilenetv2 import InvertedResidual
from ember.vision.models.resnet import BasicBlock, Bottleneck
from ember.vision.models.vgg import cfgs, make_layers

# name, parameters (1000 classes), state_dict entries (incl. BN running stats / num_batches_tracked)
FACTS = [('resnet18', 11689512, 122), ('resnet34', 21797672, 218), ('resnet50', 25557032, 320),
         ('resnet101', 44549160, 626), ('mobilenet_v2', 3504872, 314)]
VGG_FACTS = [('vgg11', 'A', False, 132863336, 22), ('vgg11_bn', 'A', True, 132868840, 62),
             ('vgg16', 'D', False, 138357544, 32), ('vgg16_bn', 'D', True, 138365992, 97)]
FILES = ('resnet18-f37072fd resnet34-b627a593 resnet50-0676ba61 resnet101-63fe2227 vgg11-8a719046 vgg11_bn-6002323d '
         'vgg16-397923af vgg16_bn-6c64b313 mobilenet_v2-b0353104 alexnet-owt-7be5be79').split()  # IMAGENET1K_V1
BN128 = 'BatchNorm2d(128, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)'


def count(model):
    return sum(p.numel() for p in model.parameters())


def arr(t):
    return t.detach().cpu().numpy()


def to_torch(state):
    return OrderedDict((k, torch.from_numpy(np.array(arr(v)))) for k, v in state.items())


built = functools.lru_cache(maxsize=None)(M.get_model)    # default-argument models, built once


@pytest.fixture(scope='module', autouse=True)
def _module_setup():
    n = torch.get_num_threads()       # torch is only the reference: one thread, no fight with NumPy's BLAS
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)
    built.cache_clear()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """Empty $EMBER_HOME and $TORCH_HOME checkpoint folders: (ember dir, torch dir)."""
    for name in ('ember', 'torch'):
        (tmp_path / name / 'hub' / 'checkpoints').mkdir(parents=True)
        monkeypatch.setenv(f'{name.upper()}_HOME', str(tmp_path / name))
    return tmp_path / 'ember' / 'hub' / 'checkpoints', tmp_path / 'torch' / 'hub' / 'checkpoints'


@pytest.mark.parametrize('name,params,keys', FACTS)
def test_parameter_and_state_dict_counts(name, params, keys):
    model = built(name)
    assert count(model) == params == M.get_model_weights(name).DEFAULT.meta['num_params']
    assert len(model.state_dict()) == keys


def test_resnet18_keys_and_reprs():
    model = built('resnet18')
    sd = model.state_dict()
    assert {'conv1.weight', 'bn1.running_mean', 'layer1.0.conv1.weight', 'layer2.0.downsample.0.weight',
            'layer2.0.downsample.1.num_batches_tracked', 'layer4.1.bn2.running_var', 'fc.weight', 'fc.bias'} <= set(sd)
    assert list(sd)[:6] == ['conv1.weight'] + [f'bn1.{k}' for k in ('weight', 'bias', 'running_mean', 'running_var',
                                                                   'num_batches_tracked')]
    assert [n for n, _ in model.named_children()] == ['conv1', 'bn1', 'relu', 'maxpool', 'layer1', 'layer2',
                                                      'layer3', 'layer4', 'avgpool', 'fc']
    assert repr(model.fc) == 'Linear(in_features=512, out_features=1000, bias=True)' and \
        repr(model.avgpool) == 'AdaptiveAvgPool2d(output_size=(1, 1))'
    assert repr(model.maxpool) == 'MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)'
    assert repr(model.layer2[0]) == (
        'BasicBlock(\n  (conv1): Conv2d(64, 128, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)\n'
        f'  (bn1): {BN128}\n  (relu): ReLU(inplace=True)\n'
        f'  (conv2): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=False)\n'
        f'  (bn2): {BN128}\n  (downsample): Sequential(\n'
        f'    (0): Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), bias=False)\n    (1): {BN128}\n  )\n)')
    assert repr(model.conv1) == 'Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)'


def test_mobilenet_v2_layout_and_options():
    model = built('mobilenet_v2')
    assert {'features.0.0.weight', 'features.0.1.running_mean', 'features.1.conv.0.0.weight',
            'features.1.conv.1.weight', 'features.2.conv.1.0.weight', 'features.2.conv.3.running_var',
            'features.18.0.weight', 'classifier.1.weight', 'classifier.1.bias'} <= set(model.state_dict())
    assert repr(model.features[0]) == (
        'Conv2dNormActivation(\n  (0): Conv2d(3, 32, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=False)'
        '\n  (1): BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)\n'
        '  (2): ReLU6(inplace=True)\n)')
    assert repr(model.classifier) == ('Sequential(\n  (0): Dropout(p=0.2, inplace=False)\n'
                                      '  (1): Linear(in_features=1280, out_features=1000, bias=True)\n)')
    assert model.features[3].use_res_connect and not model.features[2].use_res_connect
    m = M.mobilenet_v2(width_mult=0.5, num_classes=10, dropout=0.1)
    assert m.features[0][0].out_channels == 16 and m.last_channel == 1280 and m.classifier[0].p == 0.1
    assert M.mobilenet_v2(width_mult=1.4).last_channel == 1792
    assert M.mobilenet_v2(width_mult=0.35, round_nearest=16).features[0][0].out_channels == 16
    assert abs(arr(m.classifier[1].weight).std() - 0.01) < 2e-3 and not arr(m.classifier[1].bias).any()
    pytest.raises(ValueError, M.MobileNetV2, inverted_residual_setting=[]).match('should be non-empty')
    pytest.raises(ValueError, InvertedResidual, 8, 8, 3, 6).match('stride should be 1 or 2 instead of 3')


def test_alexnet_layout_and_dropout():
    model = M.alexnet(dropout=0.25)
    assert count(model) == 61100840 and len(model.state_dict()) == 16
    assert repr(model.features[0]) == 'Conv2d(3, 64, kernel_size=(11, 11), stride=(4, 4), padding=(2, 2))'
    assert repr(model.avgpool) == 'AdaptiveAvgPool2d(output_size=(6, 6))'
    assert model.classifier[0].p == model.classifier[3].p == 0.25
    with ember.no_grad():
        assert model(ember.rand(1, 3, 63, 63)).shape == (1, 1000)      # 63x63 is the smallest input
        with pytest.raises(RuntimeError):
            model(ember.rand(1, 3, 62, 62))


# Its 133M parameters take ~10 s to draw with the CUDA stand-in's random generator, and what it
# checks (layout, counts, init statistics) is the same on every device; the other models cover
# building and running on the device.
@pytest.mark.cpu_only
def test_vgg():
    vgg11 = M.vgg11(dropout=0.3)            # the one full VGG build: 133M parameters take seconds to draw
    assert count(vgg11) == 132863336 and len(vgg11.state_dict()) == 22
    assert repr(vgg11.avgpool) == 'AdaptiveAvgPool2d(output_size=(7, 7))'
    assert repr(vgg11.classifier[0]) == 'Linear(in_features=25088, out_features=4096, bias=True)'
    assert vgg11.classifier[2].p == 0.3 and M.VGG.__init__.__defaults__[-1] == 0.5
    assert abs(arr(vgg11.classifier[6].weight).std() - 0.01) < 5e-4       # N(0, 0.01) linears, zero biases
    assert not arr(vgg11.classifier[6].bias).any() and not arr(vgg11.features[0].bias).any()
    with ember.no_grad():
        assert vgg11.eval()(ember.rand(1, 3, 32, 32)).shape == (1, 1000)
    for name, cfg, bn, params, keys in VGG_FACTS:  # same classifier everywhere: the features decide the rest
        features = make_layers(cfgs[cfg], batch_norm=bn)
        assert count(features) + count(vgg11.classifier) == params == M.get_model_weights(name).DEFAULT.meta[
            'num_params'] and len(features.state_dict()) + len(vgg11.classifier.state_dict()) == keys


@pytest.mark.parametrize('name,shape,classes', [
    ('resnet18', (2, 3, 32, 32), 1000), ('resnet34', (2, 3, 32, 32), 1000), ('resnet50', (2, 3, 32, 32), 1000),
    ('resnet101', (1, 3, 32, 32), 1000), ('mobilenet_v2', (2, 3, 32, 32), 1000), ('resnet18', (2, 3, 32, 32), 5),
    ('lenet', (2, 1, 28, 28), 5), ('lenet', (2, 1, 32, 32), 10), ('mobilenet_v2', (2, 3, 16, 16), 5)])
def test_output_shapes(name, shape, classes):
    model = built(name) if classes == 1000 else M.get_model(name, num_classes=classes)
    model.train(shape[0] > 1)          # batch 1 with 1x1 maps: BN needs eval mode, as in torch
    with ember.no_grad():
        y = model(ember.rand(*shape))
    assert y.shape == (shape[0], classes) and y.dtype == ember.float32


def test_lenet():
    model = M.lenet()
    layers = ('features.0', 'features.3', 'classifier.0', 'classifier.2', 'classifier.4')
    assert list(model.state_dict()) == [f'{m}.{p}' for m in layers for p in ('weight', 'bias')]
    assert count(model) == 61706 and M.LeNet(num_classes=3, in_channels=3)(ember.rand(1, 3, 32, 32)).shape == (1, 3)
    pytest.raises(ValueError, M.lenet, pretrained=True).match('No weights available for model lenet')


def test_resnet_init_and_options():
    ember.manual_seed(0)
    model = M.resnet18(zero_init_residual=True)
    assert abs(arr(model.conv1.weight).std() / np.sqrt(2.0 / (64 * 49)) - 1) < 0.05    # kaiming, fan_out, relu
    assert (arr(model.bn1.weight) == 1).all() and not arr(model.bn1.bias).any()
    assert np.abs(arr(model.fc.weight)).max() <= 1 / np.sqrt(512)       # Linear's default init
    assert not arr(model.layer1[0].bn2.weight).any() and (arr(model.layer1[0].bn1.weight) == 1).all()
    z = M.resnet50(zero_init_residual=True, replace_stride_with_dilation=[False, True, True], num_classes=10)
    assert not arr(z.layer1[0].bn3.weight).any() and (arr(built('resnet50').layer1[0].bn3.weight) == 1).all()
    assert z.layer4[0].conv2.stride == (1, 1) and z.layer4[1].conv2.dilation == z.layer4[1].conv2.padding == (4, 4)
    assert z(ember.rand(2, 3, 16, 16)).shape == (2, 10)
    assert count(M.resnet50(groups=32, width_per_group=4)) == 25028904          # resnext50_32x4d
    assert isinstance(M.resnet18(norm_layer=nn.Identity).bn1, nn.Identity)
    pytest.raises(ValueError, M.resnet18, groups=2).match('BasicBlock only supports groups=1 and base_width=64')
    pytest.raises(NotImplementedError, M.resnet18, replace_stride_with_dilation=[False, False, True]).match(
        'Dilation > 1 not supported in BasicBlock')
    pytest.raises(ValueError, M.resnet18, replace_stride_with_dilation=[True]).match(
        'replace_stride_with_dilation should be None or a 3-element tuple')


def test_weights_enums_and_registry():
    for file in FILES:
        w = M.get_model_weights(file.split('-')[0]).IMAGENET1K_V1
        assert w.url == f'https://download.pytorch.org/models/{file}.pth'
        assert len(w.meta['categories']) == 1000 and w.meta['categories'][0] == 'tench'
    assert M.ResNet18_Weights.DEFAULT is M.ResNet18_Weights.IMAGENET1K_V1
    assert repr(M.ResNet50_Weights.DEFAULT) == 'ResNet50_Weights.IMAGENET1K_V2'
    assert M.MobileNet_V2_Weights.DEFAULT.url.endswith('mobilenet_v2-7ebf99e0.pth')
    assert M.ResNet18_Weights.verify('DEFAULT') is M.ResNet18_Weights.verify('ResNet18_Weights.IMAGENET1K_V1')
    assert M.get_weight('ResNet50_Weights.IMAGENET1K_V2') is M.ResNet50_Weights.IMAGENET1K_V2
    pytest.raises(TypeError, M.resnet18, weights=M.ResNet34_Weights.DEFAULT).match(
        'Invalid Weight class provided; expected ResNet18_Weights but received ResNet34_Weights.')
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000 but got 10 instead."):
        M.resnet18(weights='DEFAULT', num_classes=10)
    names = M.list_models()
    assert names == sorted(names) and {'resnet18', 'vgg16_bn', 'mobilenet_v2', 'alexnet', 'lenet'} <= set(names)
    assert M.list_models(include='resnet*', exclude=['resnet1*']) == ['resnet34', 'resnet50']
    assert M.list_models(module=M) == names
    assert isinstance(M.get_model('resnet18', num_classes=3).fc, nn.Linear)
    pytest.raises(ValueError, M.get_model, 'nope').match('Unknown model nope')
    t = M.ResNet50_Weights.DEFAULT.transforms()
    assert repr(t) == ('ImageClassification(\n    crop_size=[224]\n    resize_size=[232]\n    '
                       'mean=[0.485, 0.456, 0.406]\n    std=[0.229, 0.224, 0.225]\n    '
                       'interpolation=InterpolationMode.BILINEAR\n)')
    out = t(ember.full((3, 240, 300), 128, dtype=ember.uint8))
    expect = (128 / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    assert out.shape == (3, 224, 224) and np.allclose(arr(out)[:, 100, 100], expect, atol=1e-5)


def test_missing_weights_file_message(cache):
    with pytest.raises(FileNotFoundError) as info:          # nothing in either cache folder
        M.resnet18(weights='DEFAULT')
    for part in ['resnet18-f37072fd.pth', str(cache[0]), str(cache[1]), 'EMBER_HOME', 'TORCH_HOME',
                 'https://download.pytorch.org/models/resnet18-f37072fd.pth', 'never downloads']:
        assert part in str(info.value)
    pytest.raises(FileNotFoundError, M.ResNet50_Weights.DEFAULT.get_state_dict).match('resnet50-11ad3fa6.pth')
    pytest.raises(FileNotFoundError, M.ResNet18_Weights.DEFAULT.get_state_dict, model_dir=str(cache[0]),
                  file_name='nowhere.pth').match(f"(?s)'nowhere.pth' was not found.*{cache[0]}")


def _same_params(model, reference):
    return all(np.array_equal(arr(v), arr(reference.state_dict()[k])) for k, v in model.state_dict().items())


def _warned(fn, *args, **kwargs):                 # fn's result, the messages of its UserWarnings
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        out = fn(*args, **kwargs)
    return out, [str(w.message) for w in rec if w.category is UserWarning]


def test_load_pth_written_by_torch_then_ember_then_safetensors(cache):
    ember_dir, torch_dir = cache
    src = M.resnet18()
    torch.save(to_torch(src.state_dict()), torch_dir / 'resnet18-f37072fd.pth')
    model = M.resnet18(weights='DEFAULT')
    assert _same_params(model, src) and model.bn1.num_batches_tracked.dtype == ember.int64
    assert list(M.ResNet18_Weights.IMAGENET1K_V1.get_state_dict(progress=False)) == list(src.state_dict())
    other = M.resnet18()                                # $EMBER_HOME comes first; ember's own format
    other.bn1.running_mean.add_(0.5)
    ember.save(other.state_dict(), str(ember_dir / 'resnet18-f37072fd.pth'))
    assert _same_params(M.resnet18(weights=M.ResNet18_Weights.IMAGENET1K_V1), other)
    from ember.utils.safetensors import save_file
    (ember_dir / 'resnet18-f37072fd.pth').unlink(), (torch_dir / 'resnet18-f37072fd.pth').unlink()
    save_file(src.state_dict(), str(torch_dir / 'resnet18-f37072fd.safetensors'))
    assert _same_params(M.resnet18(weights='ResNet18_Weights.DEFAULT'), src)


def test_pretrained_flag_warns_and_loads(cache):
    src = M.resnet18()
    torch.save(to_torch(src.state_dict()), cache[1] / 'resnet18-f37072fd.pth')
    model, msgs = _warned(M.resnet18, pretrained=True)
    equivalent = ("Arguments other than a weight enum or `None` for 'weights' are deprecated since 0.13 and may be "
                  'removed in the future. The current behavior is equivalent to passing `weights=')
    assert msgs == [
        "The parameter 'pretrained' is deprecated since 0.13 and may be removed in the future, please use "
        "'weights' instead.",
        equivalent + 'ResNet18_Weights.IMAGENET1K_V1`. You can also use `weights=ResNet18_Weights.DEFAULT` to get '
        'the most up-to-date weights.']
    assert _same_params(model, src)
    model, msgs = _warned(M.resnet18, True)
    assert msgs == ["Using 'weights' as positional parameter(s) is deprecated since 0.13 and may be removed in the "
                    'future. Please use keyword parameter(s) instead.', msgs[1]] and _same_params(model, src)
    model, msgs = _warned(M.mobilenet_v2, pretrained=False)
    assert msgs[1] == equivalent + 'None`.' and len(msgs) == 2


def test_seed_flow_backward_and_sgd_step():
    model, data, labels = M.resnet18(), ember.rand(1, 3, 64, 64), ember.rand(1, 1000)
    prediction = model(data)
    (prediction - labels).sum().backward()
    before = arr(model.conv1.weight).copy()
    optim.SGD(model.parameters(), lr=0.01, momentum=0.9).step()
    assert prediction.shape == (1, 1000) and all(p.grad is not None for p in model.parameters())
    assert np.allclose(arr(model.conv1.weight), before - 0.01 * arr(model.conv1.weight.grad))


def test_fine_tune_only_the_new_classifier():
    model = M.resnet18()
    for param in model.parameters():
        param.requires_grad = False
    model.fc = nn.Linear(512, 10)
    before = {k: arr(p).copy() for k, p in model.named_parameters()}
    optimizer = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    x, y = ember.rand(2, 3, 64, 64), ember.tensor([3, 7])
    for _ in range(3):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    for k, p in model.named_parameters():
        trained = k.startswith('fc.')
        assert (p.grad is not None) == trained == p.requires_grad != np.array_equal(arr(p), before[k])


def _tconv(cin, cout, k, stride=1, groups=1):
    return tnn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False)


class _TBlock(tnn.Module):
    """torchvision's BasicBlock (or Bottleneck: ``width`` given) from torch.nn, same child names."""

    def __init__(self, cin, planes, stride, width=None, groups=1):
        super().__init__()
        cout, mid = (planes * 4, width) if width else (planes, planes)
        convs = [(cin, mid, 1, 1), (mid, mid, 3, stride), (mid, cout, 1, 1)] if width else \
            [(cin, cout, 3, stride), (cout, cout, 3, 1)]
        for i, (a, b, k, s) in enumerate(convs, 1):
            setattr(self, f'conv{i}', _tconv(a, b, k, s, groups if k == 3 else 1))
            setattr(self, f'bn{i}', tnn.BatchNorm2d(b))
        self.n, self.relu = len(convs), tnn.ReLU(inplace=True)
        self.downsample = tnn.Sequential(_tconv(cin, cout, 1, stride), tnn.BatchNorm2d(cout)) \
            if stride != 1 or cin != cout else None

    def forward(self, x):
        out = x
        for i in range(1, self.n + 1):
            out = getattr(self, f'bn{i}')(getattr(self, f'conv{i}')(out))
            out = self.relu(out) if i < self.n else out
        return self.relu(out + (x if self.downsample is None else self.downsample(x)))


class _TInverted(tnn.Module):
    def __init__(self, inp, oup, stride, t):
        super().__init__()
        hid = inp * t
        cna = lambda a, b, k, s=1, g=1: tnn.Sequential(_tconv(a, b, k, s, g), tnn.BatchNorm2d(b), tnn.ReLU6(True))
        self.conv = tnn.Sequential(*([cna(inp, hid, 1)] if t != 1 else []), cna(hid, hid, 3, stride, hid),
                                   _tconv(hid, oup, 1), tnn.BatchNorm2d(oup))
        self.res = stride == 1 and inp == oup

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


def _torch_resnet18(num_classes):
    layers = OrderedDict(conv1=_tconv(3, 64, 7, 2), bn1=tnn.BatchNorm2d(64), relu=tnn.ReLU(inplace=True),
                         maxpool=tnn.MaxPool2d(3, 2, 1))
    for i, planes in enumerate([64, 128, 256, 512]):
        cin, stride = (64, 1) if i == 0 else (planes // 2, 2)
        layers[f'layer{i + 1}'] = tnn.Sequential(_TBlock(cin, planes, stride), _TBlock(planes, planes, 1))
    layers.update(avgpool=tnn.AdaptiveAvgPool2d((1, 1)), flatten=tnn.Flatten(), fc=tnn.Linear(512, num_classes))
    return tnn.Sequential(layers)


def _close(a, b, tol, what):
    a, b = arr(a), arr(b)
    err = np.abs(a - b).max() / max(1.0, np.abs(b).max())          # relative to the reference's scale
    assert a.shape == b.shape and err <= tol, f'{what}: relative error {err:.2e}'


def _compare(e_model, t_model, shape):
    """Same state (BN params and stats made non-trivial) -> same float32 eval outputs; in float64, same
    outputs, input and parameter grads (train and eval) and running stats. (Float32 grads of two correct
    implementations can differ by 1e-2 when a rounding flips a ReLU input's sign or a max-pool winner.)"""
    with ember.no_grad():
        for name, t in e_model.state_dict().items():
            if t.ndim == 1 and t.dtype == ember.float32:
                t.uniform_(*((0.5, 1.5) if name.endswith(('weight', 'running_var')) else (-0.2, 0.2)))
    t_model.load_state_dict(to_torch(e_model.state_dict()))
    x = np.random.default_rng(0).standard_normal(shape)
    with ember.no_grad(), torch.no_grad():
        _close(e_model.eval()(ember.tensor(x, dtype=ember.float32)),
               t_model.eval()(torch.tensor(x, dtype=torch.float32)), 1e-4, 'float32 output')
    e_model.double(), t_model.double()
    for train in (True, False):
        e_model.train(train), t_model.train(train)
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = e_model(xe), t_model(xt)
        _close(ye, yt, 1e-7, 'output')
        g = np.random.default_rng(1).standard_normal(ye.shape)
        ye.backward(ember.tensor(g)), yt.backward(torch.tensor(g))
        _close(xe.grad, xt.grad, 1e-6, 'input grad')
        tp, tb = dict(t_model.named_parameters()), dict(t_model.named_buffers())
        for k, p in e_model.named_parameters():
            _close(p.grad, tp[k].grad, 1e-6, k + '.grad')
            p.grad, tp[k].grad = None, None
        for k, b in e_model.named_buffers() if train else ():     # running stats after the train step
            _close(b, tb[k], 1e-10, k)


@pytest.mark.parametrize('make_e,make_t,shape', [
    (lambda: BasicBlock(8, 16, 2, nn.Sequential(nn.Conv2d(8, 16, 1, 2, bias=False), nn.BatchNorm2d(16))),
     lambda: _TBlock(8, 16, 2), (2, 8, 9, 9)),
    (lambda: BasicBlock(8, 8), lambda: _TBlock(8, 8, 1), (2, 8, 6, 6)),
    (lambda: Bottleneck(16, 8, 2, nn.Sequential(nn.Conv2d(16, 32, 1, 2, bias=False), nn.BatchNorm2d(32)),
                        groups=2, base_width=64),
     lambda: _TBlock(16, 8, 2, width=16, groups=2), (2, 16, 7, 7)),
    (lambda: InvertedResidual(8, 8, 1, 6), lambda: _TInverted(8, 8, 1, 6), (2, 8, 5, 5)),
    (lambda: InvertedResidual(8, 12, 2, 1), lambda: _TInverted(8, 12, 2, 1), (2, 8, 6, 6)),
], ids=['basic-downsample', 'basic', 'bottleneck-groups', 'inverted-residual', 'inverted-expand1'])
def test_blocks_match_torch(make_e, make_t, shape):
    e_model, t_model = make_e(), make_t()
    assert [(k, tuple(v.shape)) for k, v in e_model.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t_model.state_dict().items()]
    _compare(e_model, t_model, shape)


def test_resnet18_matches_torch():
    e_model, t_model = M.resnet18(num_classes=10), _torch_resnet18(10)
    assert list(e_model.state_dict()) == list(t_model.state_dict())
    _compare(e_model, t_model, (2, 3, 32, 32))
