"""Differences a survey against PyTorch found in nn layers (session 16): RNN dtype and hidden-state
dim errors, RNNBase.all_weights layout, convolution dtype messages are in test_nn_conv.py."""
import numpy as np
import pytest
import torch

import ember


def _err(fn):
    try:
        fn()
    except Exception as e:          # noqa: BLE001 - the type is what is compared
        return type(e).__name__, str(e).splitlines()[0].replace('torch.', 'ember.')
    return None


@pytest.mark.parametrize('fn', [
    lambda T: T.nn.LSTM(2, 2).double()(T.ones(3, 1, 2)),
    lambda T: T.nn.GRU(2, 2)(T.ones(3, 1, 2, dtype=T.float64)),
    lambda T: T.nn.RNN(2, 2, batch_first=True)(T.ones(1, 3, 2, dtype=T.float64)),
    lambda T: T.nn.RNN(4, 5)(T.ones(3, 2, 4), T.zeros(2, 5)),
    lambda T: T.nn.RNN(4, 5)(T.ones(3, 4), T.zeros(1, 2, 5)),
    lambda T: T.nn.GRU(4, 5)(T.ones(3, 2, 4), T.zeros(2, 5)),
    lambda T: T.nn.LSTM(4, 5)(T.ones(3, 2, 4), T.zeros(1, 2, 5)),
    lambda T: T.nn.LSTM(4, 5)(T.ones(3, 2, 4), T.zeros(2, 1, 2, 5)),
    lambda T: T.nn.LSTM(4, 5)(T.ones(3, 2, 4), (T.zeros(2, 5), T.zeros(2, 5))),
    lambda T: T.nn.LSTM(4, 5)(T.ones(3, 4), (T.zeros(1, 2, 5), T.zeros(1, 2, 5))),
], ids=['lstm-double-model', 'gru-double-input', 'rnn-batch-first-double', 'rnn-2d-hx', 'rnn-3d-hx-unbatched',
        'gru-2d-hx', 'lstm-tensor-hx', 'lstm-one-tensor-state', 'lstm-2d-hx-cx', 'lstm-3d-hx-cx-unbatched'])
def test_rnn_errors_match_torch(fn):
    want = _err(lambda: fn(torch))
    assert want is not None
    assert _err(lambda: fn(ember)) == want


@pytest.mark.parametrize('make', [
    lambda T: T.nn.LSTM(4, 5, 2),
    lambda T: T.nn.GRU(4, 5, 1, bidirectional=True, bias=False),
    lambda T: T.nn.LSTM(4, 5, 2, bidirectional=True, proj_size=3),
    lambda T: T.nn.RNN(4, 5, 3),
])
def test_rnn_all_weights_one_list_per_layer_and_direction(make):
    got = [[tuple(p.shape) for p in layer] for layer in make(ember).all_weights]
    assert got == [[tuple(p.shape) for p in layer] for layer in make(torch).all_weights]
    assert all(isinstance(p, ember.nn.Parameter) for layer in make(ember).all_weights for p in layer)


@pytest.mark.parametrize('fn', [
    lambda T: T.nn.functional.one_hot(T.tensor([], dtype=T.long)),
    lambda T: T.nn.PReLU()(T.ones(2, dtype=T.float64)),
    lambda T: T.nn.functional.prelu(T.ones(2), T.ones(1, dtype=T.float64)),
    lambda T: T.nn.functional.prelu(T.ones(2, dtype=T.long), T.ones(1)),
    lambda T: T.nn.GroupNorm(2, 4)(T.ones(2, 6, 3)),
    lambda T: T.nn.functional.group_norm(T.ones(2, 6, 3), 2, T.ones(2, 3)),
], ids=['one-hot-empty', 'prelu-double-input', 'prelu-double-weight', 'prelu-long', 'groupnorm-channels',
        'group-norm-2d-weight'])
def test_layer_errors_match_torch(fn):
    want = _err(lambda: fn(torch))
    assert want is not None
    assert _err(lambda: fn(ember)) == want


def test_one_hot_empty_with_classes_and_upsample_deprecation():
    assert tuple(ember.nn.functional.one_hot(ember.tensor([], dtype=ember.long), 3).shape) == (0, 3)
    import warnings
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            y = T.nn.functional.upsample(T.ones(1, 1, 2, 2), scale_factor=2)
        assert tuple(y.shape) == (1, 1, 4, 4)
        assert [(m.category, str(m.message)) for m in w] == [
            (UserWarning, '`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.')]


_INT_ACTS = ['gelu', 'silu', 'elu', 'leaky_relu', 'mish', 'hardswish', 'hardsigmoid', 'softplus', 'logsigmoid',
             'glu', 'selu', 'celu', 'hardshrink', 'softshrink']


@pytest.mark.parametrize('name', _INT_ACTS)
def test_float_only_activations_refuse_integers(name):
    want = _err(lambda: getattr(torch.nn.functional, name)(torch.tensor([-1, 2])))
    assert want is not None and want[0] == 'NotImplementedError'
    assert _err(lambda: getattr(ember.nn.functional, name)(ember.tensor([-1, 2]))) == want


@pytest.mark.parametrize('fn', [
    lambda T, x: T.nn.functional.hardtanh(x),
    lambda T, x: T.nn.functional.relu6(x),
    lambda T, x: T.nn.functional.hardtanh(x, -2.5, 3.7),
    lambda T, x: T.nn.functional.relu6(x.clone(), inplace=True),
    lambda T, x: T.nn.ReLU6()(x),
])
@pytest.mark.parametrize('dtype', ['int32', 'int64', 'uint8', 'bool'])
def test_hardtanh_on_integers_stays_integer(fn, dtype):
    res = []
    for T in (torch, ember):
        x = T.tensor([-3, 0, 8]).to(getattr(T, dtype))
        err = _err(lambda: fn(T, x))
        res.append(err if err else (str(fn(T, x).dtype).split('.')[-1], fn(T, x).tolist()))
    assert res[0] == res[1]


@pytest.mark.parametrize('fn', [
    lambda T: T.nn.functional.adaptive_avg_pool2d(T.ones(4, 4), 1),
    lambda T: T.nn.functional.adaptive_avg_pool2d(T.ones(4, 4), (2, 3)),
    lambda T: T.nn.functional.adaptive_avg_pool2d(T.ones(4, 4), 2),
    lambda T: T.nn.functional.adaptive_avg_pool2d(T.ones(4), 1),
    lambda T: T.nn.AdaptiveAvgPool2d((1, 1))(T.ones(4, 5)),
    lambda T: T.nn.functional.adaptive_avg_pool1d(T.ones(4), 1),
    lambda T: T.nn.functional.pad(T.ones(3), (1, 2, 0, 1), mode='reflect'),
    lambda T: T.nn.functional.pad(T.ones(2, 3), (1, 2, 0, 1, 1, 1), mode='replicate'),
    lambda T: T.nn.functional.batch_norm(T.ones(2, 3, dtype=T.long), None, None, training=True),
    lambda T: T.nn.BatchNorm1d(3)(T.ones(2, 3, dtype=T.long)),
    lambda T: T.nn.functional.layer_norm(T.ones(2, 3, dtype=T.long), [3]),
    lambda T: T.nn.functional.group_norm(T.ones(2, 4, dtype=T.int32), 2),
    lambda T: T.nn.InstanceNorm1d(4, affine=True)(T.ones(2, 3, 5)),
    lambda T: T.nn.InstanceNorm2d(4, affine=True)(T.ones(3, 5, 5)),
])
def test_pool_pad_norm_edge_cases_match_torch(fn):
    want = _err(lambda: fn(torch))
    got = _err(lambda: fn(ember))
    if want is None:
        assert got is None and tuple(fn(ember).shape) == tuple(fn(torch).shape)
    else:
        assert got == want


def test_instance_norm_num_features_mismatch_warns_without_affine():
    import warnings
    msgs = []
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            y = T.nn.InstanceNorm1d(4)(T.ones(2, 3, 5))
        assert tuple(y.shape) == (2, 3, 5)
        msgs.append([(m.category, str(m.message)) for m in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


@pytest.mark.parametrize('fn', [
    lambda T: T.rand(size=(2, 3)).shape,
    lambda T: T.randn(size=[4]).shape,
    lambda T: T.rand(size=3),
    lambda T: [t.tolist() for t in T.arange(6.).split(split_size=2)],
    lambda T: [t.tolist() for t in T.split(T.arange(6.), split_size_or_sections=[2, 4])],
    lambda T: T.arange(6.).split(split_size_or_sections=2),
    lambda T: T.arange(3.).repeat(repeats=(2,)).tolist(),
], ids=['rand-size', 'randn-size', 'rand-size-int', 'split-method-kw', 'split-fn-kw', 'split-method-fn-kw',
        'repeat-kw'])
def test_keyword_forms_match_torch(fn):
    want, got = _err(lambda: fn(torch)), _err(lambda: fn(ember))
    if want is None:
        assert got is None and list(fn(ember)) == list(fn(torch))
    else:
        assert got == want


def test_channels_last_clone_and_contiguous():
    res = []
    for T in (torch, ember):
        x = T.arange(120.).reshape(2, 3, 4, 5).requires_grad_()
        y = x.contiguous(memory_format=T.channels_last)
        c = x.clone(memory_format=T.channels_last)
        (y * c).sum().backward()
        res.append((y.stride(), y.contiguous(memory_format=T.channels_last) is y, c.stride(), c.grad_fn.name(),
                    x.clone(memory_format=T.contiguous_format).stride(), y.contiguous().stride(), y.clone().stride(),
                    y.tolist() == x.tolist(), x.grad.tolist(),
                    _err(lambda: T.ones(2, 3).contiguous(memory_format=T.channels_last))))
    assert res[0] == res[1]


@pytest.mark.parametrize('fn', [
    lambda T: T.softmax(T.ones(2, 2, dtype=T.int32), 0),
    lambda T: T.softmax(T.ones(2, 2, dtype=T.long), -1),
    lambda T: T.log_softmax(T.ones(2, 2, dtype=T.bool), 0),
    lambda T: T.nn.functional.log_softmax(T.ones(3, dtype=T.uint8), 0),
])
def test_softmax_integer_errors(fn):
    want = _err(lambda: fn(torch))
    assert want is not None and want[0] == 'NotImplementedError'
    assert _err(lambda: fn(ember)) == want


@pytest.mark.parametrize('name', ['softmax', 'log_softmax', 'softmin'])
def test_softmax_implicit_dim_warning_names_the_function(name):
    import warnings
    msgs = []
    for T in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            getattr(T.nn.functional, name)(T.ones(2, 3))
        msgs.append([str(m.message) for m in w])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1


def test_softmax_of_all_minus_inf_is_nan_without_numpy_warnings():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for f in (ember.softmax, ember.log_softmax):
            assert all(v != v for v in f(ember.tensor([float('-inf')] * 2), 0).tolist())


@pytest.mark.parametrize('dt', ['bfloat16', 'float16'])
def test_half_softmax_computed_in_float32(dt):
    res = []
    for T in (torch, ember):
        x = T.arange(1000.).div(300).to(getattr(T, dt))
        res.append([T.softmax(x, 0).float().cpu().numpy(), T.log_softmax(x, 0).float().cpu().numpy()])
    # float32 inside, one rounding at the end: within one half-precision step of PyTorch (its
    # vectorised exp/log round differently in the last float32 bit)
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=2 ** -7, atol=0)
    assert abs(res[1][0].sum() - 1) < 1e-3


@pytest.mark.parametrize('fn', [
    lambda T: T.nn.functional.linear([1., 2.], T.ones(2, 2)),
    lambda T: T.nn.functional.linear(np.ones(2, np.float32), T.ones(2, 2)),
    lambda T: T.nn.Linear(2, 2)(3.0),
    lambda T: T.nn.functional.linear(T.ones(2), [[1., 2.], [3., 4.]]),
])
def test_linear_of_a_non_tensor_is_a_type_error(fn):
    want = _err(lambda: fn(torch))
    assert want is not None and want[0] == 'TypeError'
    assert _err(lambda: fn(ember)) == want
