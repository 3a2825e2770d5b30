"""Conv and padding modules against PyTorch: repr, parameter names, forward/backward with
torch's weights copied in, default initialisation, constructor errors."""
import numpy as np
import pytest
import torch

import ember
from layers import check_layer, init_matches


def layer(id_, make, specs, **kw):
    return pytest.param(make, specs, kw, id=id_)


LAYERS = [
    layer('conv1d', lambda nn: nn.Conv1d(3, 4, 3), [(2, 3, 9)]),
    layer('conv1d-same', lambda nn: nn.Conv1d(2, 2, 4, padding='same', bias=False), [(1, 2, 7)]),
    layer('conv2d-lenet', lambda nn: nn.Conv2d(1, 6, 5), [(2, 1, 32, 32)]),
    layer('conv2d-full', lambda nn: nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, dilation=(1, 2), groups=2),
          [(2, 4, 9, 8)]),
    layer('conv2d-reflect', lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode='reflect'), [(1, 2, 5, 5)]),
    layer('conv2d-replicate', lambda nn: nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode='replicate'),
          [(1, 2, 5, 5)]),
    layer('conv2d-circular', lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode='circular'), [(1, 2, 5, 5)]),
    layer('conv2d-same-reflect', lambda nn: nn.Conv2d(2, 3, 4, padding='same', padding_mode='reflect'),
          [(1, 2, 6, 6)]),
    layer('conv2d-unbatched', lambda nn: nn.Conv2d(3, 2, 3), [(3, 6, 6)]),
    layer('conv3d', lambda nn: nn.Conv3d(2, 3, 2, stride=(1, 2, 1)), [(1, 2, 4, 5, 3)]),
    layer('convT1d', lambda nn: nn.ConvTranspose1d(3, 2, 3, stride=2), [(2, 3, 5)]),
    layer('convT2d', lambda nn: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
          [(2, 4, 4, 4)]),
    layer('convT2d-groups', lambda nn: nn.ConvTranspose2d(4, 6, 2, groups=2, bias=False, dilation=2),
          [(1, 4, 3, 3)]),
    layer('convT3d', lambda nn: nn.ConvTranspose3d(2, 2, 2), [(1, 2, 2, 3, 2)]),
    layer('zeropad2d', lambda nn: nn.ZeroPad2d((1, 2, 0, 1)), [(1, 2, 3, 3)]),
    layer('constpad1d', lambda nn: nn.ConstantPad1d(2, 3.5), [(2, 3)]),
    layer('constpad3d', lambda nn: nn.ConstantPad3d(1, -1.0), [(1, 1, 2, 2, 2)]),
    layer('reflectpad1d', lambda nn: nn.ReflectionPad1d((2, 1)), [(1, 2, 4)]),
    layer('reflectpad2d', lambda nn: nn.ReflectionPad2d(1), [(1, 2, 3, 3)]),
    layer('replicationpad2d', lambda nn: nn.ReplicationPad2d((1, 0, 2, 1)), [(1, 2, 3, 3)]),
    layer('replicationpad3d', lambda nn: nn.ReplicationPad3d(1), [(1, 1, 2, 2, 2)]),
    layer('circularpad1d', lambda nn: nn.CircularPad1d(1), [(1, 2, 3)]),
    layer('zeropad1d', lambda nn: nn.ZeroPad1d(2), [(1, 2, 3)]),
]


@pytest.mark.parametrize('make,specs,kw', LAYERS)
def test_layer(make, specs, kw):
    check_layer(make, specs, **kw)


def test_conv_transpose_output_size():
    for lib in (torch, ember):
        lib.manual_seed(0)
    t = torch.nn.ConvTranspose2d(2, 2, 3, stride=2)
    e = ember.nn.ConvTranspose2d(2, 2, 3, stride=2)
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)
    for size in ([9, 9], [10, 10], [1, 2, 10, 9]):
        assert tuple(e(ember.tensor(x), output_size=size).shape) == tuple(t(torch.tensor(x), output_size=size).shape)
    for lib, m in ((torch, t), (ember, e)):
        with pytest.raises(ValueError, match='requested an output size of'):
            m(lib.tensor(x), output_size=[12, 12])


@pytest.mark.parametrize('make', [
    lambda nn: nn.Conv2d(16, 32, 3), lambda nn: nn.Conv1d(8, 64, 5, groups=4),
    lambda nn: nn.ConvTranspose2d(16, 8, 4), lambda nn: nn.Conv3d(4, 8, 3)], ids=['2d', '1d-groups', 'T2d', '3d'])
def test_default_init_matches_torch(make):
    init_matches(make)


@pytest.mark.parametrize('make', [
    lambda nn: nn.Conv2d(3, 6, 3, groups=2), lambda nn: nn.Conv2d(4, 6, 3, groups=4),
    lambda nn: nn.Conv2d(4, 4, 3, padding='foo'), lambda nn: nn.Conv2d(4, 4, 3, padding='same', stride=2),
    lambda nn: nn.Conv2d(4, 4, 3, padding_mode='bad'), lambda nn: nn.ConvTranspose2d(4, 4, 3, padding_mode='reflect'),
    lambda nn: nn.Conv2d(4, 4, 3, groups=0)],
    ids=['in-groups', 'out-groups', 'padding-string', 'same-strided', 'padding-mode', 'T-padding-mode', 'groups-0'])
def test_constructor_errors(make):
    with pytest.raises(Exception) as te:
        make(torch.nn)
    with pytest.raises(Exception) as ee:
        make(ember.nn)
    assert type(ee.value) is type(te.value)
    # PyTorch lists the allowed values from a set, in hash order: compare up to the list
    assert str(ee.value).split(' one of ')[0] == str(te.value).split(' one of ')[0]


POOL_LAYERS = [
    layer('maxpool2d', lambda nn: nn.MaxPool2d(2), [(2, 3, 6, 6)]),
    layer('maxpool2d-full', lambda nn: nn.MaxPool2d(3, 2, 1, ceil_mode=True, return_indices=True), [(1, 2, 7, 7)]),
    layer('maxpool1d', lambda nn: nn.MaxPool1d(3, stride=2), [(2, 3, 9)]),
    layer('maxpool3d', lambda nn: nn.MaxPool3d((2, 1, 2)), [(1, 2, 4, 3, 4)]),
    layer('avgpool2d', lambda nn: nn.AvgPool2d(2), [(2, 3, 6, 6)]),
    layer('avgpool2d-divisor', lambda nn: nn.AvgPool2d(3, divisor_override=2), [(1, 1, 6, 6)]),
    layer('avgpool1d', lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False), [(2, 3, 9)]),
    layer('avgpool3d', lambda nn: nn.AvgPool3d(2, ceil_mode=True), [(1, 2, 3, 4, 5)]),
    layer('adaptiveavg2d', lambda nn: nn.AdaptiveAvgPool2d((1, 1)), [(2, 3, 5, 5)]),
    layer('adaptiveavg2d-3', lambda nn: nn.AdaptiveAvgPool2d(3), [(2, 3, 7, 5)]),
    layer('adaptiveavg1d', lambda nn: nn.AdaptiveAvgPool1d(4), [(2, 3, 9)]),
    layer('adaptiveavg3d', lambda nn: nn.AdaptiveAvgPool3d((2, None, 1)), [(1, 2, 3, 4, 5)]),
    layer('adaptivemax2d', lambda nn: nn.AdaptiveMaxPool2d(3, return_indices=True), [(1, 2, 7, 5)]),
    layer('adaptivemax1d', lambda nn: nn.AdaptiveMaxPool1d(2), [(1, 2, 7)]),
    layer('adaptivemax3d', lambda nn: nn.AdaptiveMaxPool3d(2), [(1, 2, 4, 4, 3)]),
]


@pytest.mark.parametrize('make,specs,kw', POOL_LAYERS)
def test_pool_layer(make, specs, kw):
    check_layer(make, specs, **kw)


@pytest.mark.parametrize('nd,shape', [(1, (2, 3, 8)), (2, (1, 2, 4, 6)), (3, (1, 1, 4, 2, 4))])
def test_maxunpool_layer(nd, shape):
    def run(lib):
        pool = getattr(lib.nn, f'MaxPool{nd}d')(2, return_indices=True)
        unpool = getattr(lib.nn, f'MaxUnpool{nd}d')(2)
        x = lib.tensor(np.random.default_rng(0).permutation(int(np.prod(shape))).reshape(shape).astype(np.float32))
        y, i = pool(x)
        return repr(unpool), unpool(y, i).cpu().numpy()
    (rt, vt), (re_, ve) = run(torch), run(ember)
    assert re_ == rt
    np.testing.assert_array_equal(ve, vt)
