"""Survey 3 fixes, differential against torch: checkpoints (v3 dtypes, weights_only refusals,
storages, load/save errors), exact uint64 from Python ints, padding module signatures."""
import collections
import inspect
import io
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from ember.serialization import UnpicklingError


def _first(e):
    return type(e).__name__, (str(e).splitlines() or [''])[0].replace('ember', 'torch')


def _outcome(fn, lib):
    try:
        return 'ok', fn(lib)
    except Exception as e:      # noqa: BLE001 - compared with torch's
        return 'err', _first(e)


def _same_error(fn):
    t, e = _outcome(fn, torch), _outcome(fn, ember)
    assert t[0] == e[0] == 'err', (t, e)
    assert t[1] == e[1]


def _buf(lib, obj, **kw):
    b = io.BytesIO()
    lib.save(obj, b, **kw)
    b.seek(0)
    return b


def _torch_file(obj, **kw):
    return _buf(torch, obj, **kw)


# ---------------------------------------------------------------- 1. torch's v3 dtypes (uint16/32/64)

_UINT = [('uint16', [0, 7, 65535]), ('uint32', [0, 7, 2 ** 32 - 1]), ('uint64', [0, 7, 2 ** 64 - 1, 2 ** 63 + 1])]


@pytest.mark.parametrize('legacy', [False, True])
@pytest.mark.parametrize('weights_only', [True, False])
@pytest.mark.parametrize('name,values', _UINT)
def test_torch_uint_dtypes_load(name, values, weights_only, legacy):
    t = torch.tensor(values, dtype=getattr(torch, name))
    obj = {'x': t, 'view': t[1:], 'nc': t.repeat(2, 1).t(), 'rg': torch.nn.Parameter(t.clone(), requires_grad=False)}
    out = ember.load(_torch_file(obj, _use_new_zipfile_serialization=not legacy), weights_only=weights_only)
    for k, v in obj.items():
        assert out[k].dtype is getattr(ember, name), k
        assert out[k].tolist() == v.tolist() and out[k].stride() == v.stride(), k
        assert out[k].storage_offset() == v.storage_offset(), k
    assert type(out['rg']) is ember.nn.Parameter
    out['x'][2] = 1                        # views of one storage share memory, as in torch
    assert out['view'][1].item() == 1


def test_every_torch_dtype_loads_or_is_refused_clearly():
    have = {d.name for d in (ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
                             ember.uint16, ember.uint32, ember.uint64, ember.float16, ember.bfloat16,
                             ember.float32, ember.float64, ember.complex64, ember.complex128)}
    for name in sorted(have):
        t = torch.arange(4).to(getattr(torch, name))
        for wo in (True, False):
            out = ember.load(_torch_file([t]), weights_only=wo)[0]
            assert out.dtype.name == name and out.tolist() == t.tolist()
    for name in ('float8_e4m3fn', 'float8_e5m2', 'complex32', 'bits8'):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')             # torch: "ComplexHalf support is experimental"
            t = torch.zeros(2, dtype=getattr(torch, name))
        for wo in (True, False):
            with pytest.raises(UnpicklingError) as e:
                ember.load(_torch_file(t), weights_only=wo)
            assert 'ember has no dtype for it' in str(e.value) and f'torch.{name}' in str(e.value)


def test_refused_global_wording():
    obj = {'ns': __import__('argparse').Namespace(a=1)}
    b = _torch_file(obj)
    with pytest.raises(pickle.UnpicklingError) as t:
        torch.load(b)
    b.seek(0)
    with pytest.raises(UnpicklingError) as e:       # weights_only=True: torch's message
        ember.load(b)
    assert _first(e.value) == _first(t.value)
    b.seek(0)
    with pytest.raises(UnpicklingError) as e:       # ember never runs code, but says so without "Weights only"
        ember.load(b, weights_only=False)
    assert not str(e.value).startswith('Weights only') and 'argparse.Namespace' in str(e.value)


# ---------------------------------------------------------------- 2. exact uint64 from Python ints

@pytest.mark.parametrize('data', [[2 ** 64 - 1, 1], [[2 ** 64 - 1], [2]], 2 ** 64 - 1, [2 ** 63 + 5], [True, 2 ** 64 - 1],
                                  [-1], -1, [2 ** 64], [2 ** 63, -1], [1.5], [1.0, 2], [2 ** 64 - 1, 1.5],
                                  [np.int64(3)], [[1, 2], [3]], [], [[1, 2], [3, 4]]])
@pytest.mark.parametrize('dtype', ['uint64', 'uint32', 'int64', None])
def test_tensor_from_big_ints(data, dtype):
    def fn(T):
        return T.tensor(data, dtype=getattr(T, dtype) if dtype else None)
    t, e = _outcome(fn, torch), _outcome(fn, ember)
    if t[0] == 'err' or e[0] == 'err':
        assert t == e
    else:
        assert t[1].tolist() == e[1].tolist() and str(t[1].dtype)[6:] == str(e[1].dtype)[6:]


def test_uint32_beyond_int64_message_order():
    for data in ([2 ** 64 - 1, 1], [2 ** 64 - 1, 1 + 0j], [-2 ** 63, 2 ** 64 - 1]):
        _same_error(lambda T: T.tensor(data, dtype=T.uint32))


# ---------------------------------------------------------------- 3. padding module signatures

_PADS = [f'{k}Pad{n}d' for k in ('Constant', 'Zero', 'Reflection', 'Replication', 'Circular') for n in (1, 2, 3)]


@pytest.mark.parametrize('name', _PADS)
def test_padding_signatures(name):
    t, e = getattr(torch.nn, name), getattr(ember.nn, name)
    assert inspect.signature(e.__init__) == inspect.signature(t.__init__)
    calls = [((1,), {}), ((1, 2.), {}), ((1,), {'value': 2.}), (((1, 2),), {'value': 3}),
             ((), {'padding': 1, 'value': 2.}), ((), {}), ((1, 2, 3), {})]
    for args, kw in calls:
        a, b = _outcome(lambda T: repr(getattr(T.nn, name)(*args, **kw)), torch), \
            _outcome(lambda T: repr(getattr(T.nn, name)(*args, **kw)), ember)
        assert a == b, (args, kw)
    assert issubclass(e, ember.nn.ConstantPad1d) == issubclass(t, torch.nn.ConstantPad1d)


def test_constant_pad_forward():
    x = np.arange(8.).reshape(1, 2, 4).astype(np.float32)
    out = ember.nn.ConstantPad1d(padding=1, value=2.)(ember.tensor(x))
    assert out.tolist() == torch.nn.ConstantPad1d(padding=1, value=2.)(torch.tensor(x)).tolist()


# ---------------------------------------------------------------- 4. weights_only refusals, storages

def _refused_objects(T):
    return {'ndarray': np.ones(2), 'np_scalar': np.float64(2.), 'np_int': np.int32(3), 'slice': slice(1, 2),
            'frozenset': frozenset([1]), 'range': range(3), 'return_type': T.max(T.ones(2, 2), 0)}


def _allowed_objects(T):
    return {'complex': 1 + 2j, 'bytes': b'xx', 'bytearray': bytearray(b'x'), 'set': {1, 2},
            'counter': collections.Counter('aab'), 'od': collections.OrderedDict(a=1), 'size': T.Size([2]),
            'dtype': T.float16, 'device': T.device('cpu'), 'nan': float('inf')}


def _plain(x):
    if hasattr(x, 'tolist'):
        return type(x).__name__.replace('Tensor', ''), x.tolist()
    if isinstance(x, tuple) and type(x) is not tuple:       # namedtuple / torch's structseq
        return type(x).__name__, [_plain(v) for v in x]
    return repr(x).replace('torch', 'ember')


@pytest.mark.parametrize('key', list(_refused_objects(torch)))
def test_weights_only_refusals_match_torch(key):
    def saved(T):
        return _buf(T, {key: _refused_objects(T)[key]})
    with pytest.raises(pickle.UnpicklingError) as t:
        torch.load(saved(torch))
    with pytest.raises(UnpicklingError) as e:          # ember's own format
        ember.load(saved(ember))
    assert _first(e.value) == _first(t.value)
    line = [s for s in str(t.value).splitlines() if 'Unsupported global' in s][0]
    assert line.replace('torch', 'ember') in str(e.value)
    with pytest.raises(UnpicklingError) as e2:         # torch's file read by ember
        ember.load(_torch_file({key: _refused_objects(torch)[key]}))
    # the file names torch's global (torch.return_types.max); the advice names ember's API
    assert _first(e2.value) == _first(t.value)
    assert line.replace('torch.serialization', 'ember.serialization') in str(e2.value)
    t_ok = torch.load(saved(torch), weights_only=False)[key]
    e_ok = ember.load(saved(ember), weights_only=False)[key]
    e_cross = ember.load(_torch_file({key: _refused_objects(torch)[key]}), weights_only=False)[key]
    assert _plain(e_ok) == _plain(t_ok) == _plain(e_cross)


def test_weights_only_allowlist():
    b = _buf(ember, {'fs': frozenset([1]), 'np': np.float32(2.)})
    with ember.serialization.safe_globals([frozenset]):
        with pytest.raises(UnpicklingError, match='Weights only'):        # the NumPy scalar still needs its globals
            ember.load(b)
        b.seek(0)
        with ember.serialization.safe_globals([np.float64(0).__reduce__()[0], np.dtype]):
            assert ember.load(b) == {'fs': frozenset([1]), 'np': np.float32(2.)}
    b.seek(0)
    with pytest.raises(UnpicklingError):
        ember.load(b)


def test_weights_only_allowed_objects_load():
    for T in (torch, ember):
        out = T.load(_buf(T, _allowed_objects(T)))
        assert out == _allowed_objects(T)
    assert ember.load(_torch_file(_allowed_objects(torch))) == _allowed_objects(ember)


@pytest.mark.parametrize('kind', ['untyped_storage', 'storage'])
def test_storages_round_trip(kind):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')             # TypedStorage is deprecated
        results = {}
        for T in (torch, ember):
            s = getattr(T.arange(4, dtype=T.float32), kind)()
            for wo in (True, False):
                out = T.load(_buf(T, {'s': s}), weights_only=wo)['s']
                results[T.__name__, wo] = (type(out).__name__, str(out.dtype).split('.')[-1], tuple(out.tolist()),
                                           out.size(), out.nbytes())
            out = ember.load(_torch_file(getattr(torch.arange(4, dtype=torch.float32), kind)()))
            results['cross'] = (type(out).__name__, str(out.dtype).split('.')[-1], tuple(out.tolist()), out.size(),
                                out.nbytes())
        assert len(set(results.values())) == 1, results


def test_saved_storage_shares_memory_with_tensor():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        t = ember.arange(4, dtype=ember.float32)
        out = ember.load(_buf(ember, {'t': t[1:], 's': t.storage()}))
        out['t'][0] = 9.
        assert out['s'].tolist() == [0., 9., 2., 3.]
        tt = torch.arange(4, dtype=torch.float32)
        out = ember.load(_torch_file({'t': tt[1:], 's': tt.storage()}))
        out['t'][0] = 9.
        assert out['s'].tolist() == [0., 9., 2., 3.]


# ---------------------------------------------------------------- 5. load arguments

def test_pickle_load_args_warning():
    for kw in ({}, {'weights_only': True}, {'weights_only': False}):
        got = []
        for T in (torch, ember):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter('always')
                T.load(_buf(T, T.ones(1)), encoding='latin1', **kw)
            got.append([(x.category, str(x.message)) for x in w])
        assert got[0] == got[1]
    _same_error(lambda T: T.load(_buf(T, T.ones(1)), pickle_module=pickle, weights_only=True))
    assert ember.load(_buf(ember, ember.ones(1)), pickle_module=pickle).tolist() == [1.]


def test_safe_globals_exit_returns_none():
    for T in (torch, ember):
        c = T.serialization.safe_globals([])
        assert c.__enter__() is None and c.__exit__(None, None, None) is None


# ---------------------------------------------------------------- 6. load / save errors

def test_load_bad_sources(tmp_path):
    _same_error(lambda T: T.load(None))
    _same_error(lambda T: T.load(3))
    (tmp_path / 'empty.pt').write_bytes(b'')
    for kw in ({}, {'weights_only': False}):
        _same_error(lambda T: T.load(str(tmp_path / 'empty.pt'), **kw))
        _same_error(lambda T: T.load(io.BytesIO(), **kw))


def test_save_to_directory(tmp_path):
    _same_error(lambda T: T.save(T.ones(1), str(tmp_path / 'missing' / 'x.pt')))
    for target in (str(tmp_path) + '/', str(tmp_path), str(tmp_path / 'missing') + '/'):
        with pytest.raises(RuntimeError) as t:
            torch.save(torch.ones(1), target)
        with pytest.raises(RuntimeError) as e:
            ember.save(ember.ones(1), target)
        assert str(t.value).endswith(str(e.value))       # torch adds an "[enforce fail at ...]" prefix


@pytest.mark.parametrize('loc', [0, 1.5, 'gpu', 'cuda:x', {'cpu': 'gpu'}, 'cpu:0'])
def test_bad_map_location(loc):
    _same_error(lambda T: T.load(_buf(T, T.ones(2)), map_location=loc))
    _same_error(lambda T: T.load(_torch_file(torch.ones(2)) if T is ember else _buf(T, T.ones(2)), map_location=loc))
