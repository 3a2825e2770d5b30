"""ember.load on PyTorch's legacy checkpoints: the non-zip format (torch.save before 1.6, or with
_use_new_zipfile_serialization=False), written by real torch or built byte for byte here the way
old PyTorch wrote them, and compared with torch.load. The tar format: test_serialization_legacy_tar."""
import collections
import io
import os
import pickle

import numpy as np
import pytest
import torch

import ember
from ember import nn, _backend
from ember.serialization import load, UnpicklingError

MAGIC = 0x1950a86a20f9469cfc6c
SYS_INFO = {'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}
HAS_CUDA = _backend.cuda_unavailable_reason() is None


def legacy(obj, protocol=2):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=False, pickle_protocol=protocol)
    return buf.getvalue()


def write(tmp_path, data, name='ckpt.pth'):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def same(e, t):
    """An ember tensor equals a torch tensor: values, dtype, shape, strides, offset, requires_grad."""
    assert isinstance(e, ember.Tensor), type(e)
    assert e.dtype.name == str(t.dtype)[6:] and tuple(e.shape) == tuple(t.shape)
    assert e.stride() == t.stride() and e.storage_offset() == t.storage_offset()
    assert e.requires_grad == t.requires_grad
    assert e.is_contiguous() == t.is_contiguous()
    np.testing.assert_array_equal(np.asarray(e.detach()._data, np.float64), t.detach().double().numpy())


def same_tree(e, t):
    if isinstance(t, torch.Tensor):
        same(e, t)
        assert isinstance(e, nn.Parameter) == isinstance(t, torch.nn.Parameter)
    elif isinstance(t, dict):
        assert type(e) is type(t) and list(e) == list(t)
        for k in t:
            same_tree(e[k], t[k])
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            same_tree(a, b)
    else:
        assert type(e) is type(t) and e == t


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def shares(a, b):
    return _root(a._data) is _root(b._data)


def torch_cnn():
    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
                            torch.nn.Flatten(), torch.nn.Linear(4 * 5 * 5, 3))
    m.train()
    m(torch.randn(2, 3, 5, 5))          # running stats and num_batches_tracked move
    return m.eval()


def ember_cnn():
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(),
                         nn.Linear(4 * 5 * 5, 3)).eval()


# ---------------------------------------------------------------- written by real torch

def test_detection_bytes():
    data = legacy({'a': torch.ones(1)})
    assert data.startswith(b'\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19')


@pytest.mark.parametrize('protocol', [1, 2, 3, 4, 5])
def test_state_dicts_of_real_models(protocol, tmp_path):
    sd = torch_cnn().state_dict()
    lin = torch.nn.Linear(3, 2).state_dict()
    for obj in (sd, lin):
        out = load(write(tmp_path, legacy(obj, protocol)))
        same_tree(out, obj)
    out = load(io.BytesIO(legacy(sd, protocol)))
    assert out['1.num_batches_tracked'].dtype == ember.int64 and out['1.num_batches_tracked'].item() == 1
    assert type(out) is collections.OrderedDict


def test_dtypes_and_layouts(tmp_path):
    g = torch.Generator().manual_seed(1)
    base = torch.randn(4, 6, generator=g) * 20
    obj = {d: base.to(d) for d in (torch.float16, torch.bfloat16, torch.int8, torch.uint8, torch.int16,
                                    torch.int32, torch.int64, torch.float64, torch.bool)}
    obj.update({'scalar': torch.tensor(2.5), 'empty': torch.empty(0, 3), 'long0': torch.tensor(7)})
    data = legacy({str(k): v for k, v in obj.items()})
    out = load(write(tmp_path, data))
    for k, v in obj.items():
        same(out[str(k)], v)


def test_shared_storages_views_and_offsets(tmp_path):
    x = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    obj = {'x': x, 'inner': x[1:, 2:], 'row': x[2], 't': x.t(), 'step': x[:, ::2], 'flat': x.view(-1)[5:9],
           'expanded': x[0].unsqueeze(0).expand(3, 6), 'other': torch.ones(3)}
    out = load(write(tmp_path, legacy(obj)))
    for k, v in obj.items():
        same(out[k], v)
    assert not out['step'].is_contiguous() and out['t'].stride() == (1, 6)
    assert all(shares(out['x'], out[k]) for k in ('inner', 'row', 't', 'step', 'flat', 'expanded'))
    assert not shares(out['x'], out['other'])
    out['x'][2, 2] = -1.                                   # one storage again: writes show through views
    assert out['inner'][1, 0].item() == -1. and out['t'][2, 2].item() == -1.


def test_nested_containers_and_parameters(tmp_path):
    m = torch_cnn()
    obj = {'epoch': 3, 'lr': 0.1, 'name': 'cnn', 'none': None, 'flag': True, 'shape': torch.Size([2, 3]),
           'nested': [1, (2.5, 'a', None), {'deep': collections.OrderedDict(w=torch.ones(2, 2))}],
           'params': list(m.parameters()), 'frozen': torch.nn.Parameter(torch.ones(2), requires_grad=False),
           'grad': torch.ones(3, requires_grad=True), 'bytes': b'\x00\xff', 'dtype': torch.float16,
           'set': {1, 2}, 'complex': 1 + 2j, 'state': m.state_dict()}
    out = load(write(tmp_path, legacy(obj)))
    for k in ('epoch', 'lr', 'name', 'none', 'flag', 'bytes', 'set', 'complex'):
        assert out[k] == obj[k] and type(out[k]) is type(obj[k])
    assert out['shape'] == ember.Size([2, 3]) and out['dtype'] is ember.float16
    same_tree(out['nested'], obj['nested'])
    same_tree(out['params'], obj['params'])
    same_tree(out['state'], obj['state'])
    assert isinstance(out['frozen'], nn.Parameter) and not out['frozen'].requires_grad
    assert out['grad'].requires_grad and out['grad'].is_leaf


def test_model_loads_and_matches_torch(tmp_path):
    tm = torch_cnn()
    p = write(tmp_path, legacy(tm.state_dict()))
    em = ember_cnn()
    result = em.load_state_dict(load(p))
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    with torch.no_grad():
        expect = tm(torch.from_numpy(x)).numpy()
    got = em(ember.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(got, expect, rtol=1e-5, atol=1e-5)
    assert em[1].num_batches_tracked.item() == 1


def test_path_and_file_object_inputs(tmp_path):
    obj = {'w': torch.arange(6.).reshape(2, 3)}
    data = legacy(obj)
    p = write(tmp_path, data)
    for src in (p, str(p), os.fsencode(str(p))):
        same(load(src)['w'], obj['w'])
    with open(p, 'rb') as f:
        same(load(f)['w'], obj['w'])
    buf = io.BytesIO(b'junk' + data)                   # read from the file object's position
    buf.seek(4)
    same(load(buf)['w'], obj['w'])

    class Stream:                                        # not seekable: read into memory first
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def read(self, n=-1):
            return self._b.read(n)

        def seekable(self):
            return False
    same(load(Stream(data))['w'], obj['w'])
    for kw in ({'weights_only': False}, {'weights_only': True}, {'pickle_module': pickle}):
        same(load(p, **kw)['w'], obj['w'])


def test_mmap_refused_like_torch(tmp_path):
    p = write(tmp_path, legacy({'w': torch.ones(2)}))
    with pytest.raises(RuntimeError) as e:
        load(str(p), mmap=True)
    with pytest.raises(RuntimeError) as t:
        torch.load(str(p), mmap=True)
    assert str(e.value) == str(t.value)


def test_map_location(tmp_path):
    data = _hand_built(location='cuda:0', storage=torch.cuda.FloatStorage)
    p = write(tmp_path, data)
    expect = torch.load(p, weights_only=False, map_location='cpu')
    for ml in ('cpu', ember.device('cpu'), {'cuda:0': 'cpu'}, lambda s, loc: s.cpu()):
        same_tree(load(p, map_location=ml), expect)
    seen = []
    out = load(write(tmp_path, legacy({'w': torch.ones(2), 'v': torch.zeros(3)}), 'b.pth'),
               map_location=lambda s, loc: seen.append((loc, s.nbytes())))
    assert sorted(seen) == [('cpu', 8), ('cpu', 12)] and out['w'].tolist() == [1., 1.]
    if not HAS_CUDA:
        with pytest.raises(RuntimeError, match='on a CUDA device but ember.cuda.is_available'):
            load(p)


# ---------------------------------------------------------------- built the way old PyTorch wrote them

class _S:
    """A storage as old PyTorch pickled it: by persistent id, maybe as a slice of a root storage."""

    def __init__(self, key, numel, view=None, storage=torch.FloatStorage, location='cpu'):
        self.pid = ('storage', storage, key, location, numel, view)


class _T:
    def __init__(self, st, offset, size, stride):
        self.args = (st, offset, size, stride)

    def __reduce__(self):
        return torch._utils._rebuild_tensor, self.args      # PyTorch 0.3's tensor pickling


class _OldPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return obj.pid if isinstance(obj, _S) else None


def _stream(obj, keys, storages, sys_info=SYS_INFO, count_order='little'):
    buf = io.BytesIO()
    for item in (MAGIC, 1001, sys_info):
        pickle.dump(item, buf, protocol=2)
    _OldPickler(buf, protocol=2).dump(obj)
    pickle.dump(keys, buf, protocol=2)
    for key in keys:
        data = storages[key]
        buf.write((len(data) // 4).to_bytes(8, count_order) + data)
    return buf.getvalue()


def _hand_built(location='cpu', storage=torch.FloatStorage, sys_info=SYS_INFO, count_order='little'):
    root = np.arange(10, dtype='<f4').tobytes()
    whole = _S('1', 10, None, storage, location)
    part = _S('1', 10, ('2', 3, 5), storage, location)          # elements 3..7 of storage 1
    obj = collections.OrderedDict(whole=_T(whole, 0, (2, 5), (5, 1)), part=_T(part, 1, (2, 2), (1, 2)),
                                  again=_T(part, 0, (5,), (1,)))
    return _stream(obj, ['1'], {'1': root}, sys_info, count_order)


def test_storage_views_of_pytorch_before_1_0(tmp_path):
    p = write(tmp_path, _hand_built())
    expect = torch.load(p, weights_only=False)
    out = load(p)
    same_tree(out, expect)
    assert out['part'].tolist() == [[4., 6.], [5., 7.]] and out['again'].tolist() == [3., 4., 5., 6., 7.]
    assert shares(out['part'], out['again']) and np.shares_memory(out['whole']._data, out['part']._data)
    out['whole'][0, 4] = -1.                               # element 4 of the root: 'part' sees it
    assert out['part'][0, 0].item() == -1. and out['again'][1].item() == -1.


def test_big_endian_sys_info(tmp_path):
    info = dict(SYS_INFO, little_endian=False)
    expect = load(write(tmp_path, _hand_built()))
    for order in ('little', 'big'):      # data is little-endian always; very old writers put the count native
        out = load(write(tmp_path, _hand_built(sys_info=info, count_order=order), f'{order}.pth'))
        same_tree(out, torch.load(tmp_path / 'ckpt.pth', weights_only=False))
        assert out['whole'].tolist() == expect['whole'].tolist()


class _Payload:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def test_malicious_pickles_run_nothing(tmp_path):
    marker = tmp_path / 'pwned'
    evil = _Payload(os.system, f'touch {marker}')
    p = write(tmp_path, legacy({'weights': torch.ones(2), 'x': evil}))
    for kw in ({}, {'weights_only': False}, {'pickle_module': pickle}):
        with pytest.raises(UnpicklingError, match=rf'(?s)(Weights only load failed|ember cannot load this checkpoint).*{os.system.__module__}\.system'):
            load(p, **kw)
    opener = _Payload(eval, f"open({str(marker)!r}, 'w')")
    crafted = [_stream({'a': opener}, [], {}),                        # in the object
               _stream({}, [], {}, sys_info=opener),                  # in sys_info
               _hand_built()[:-48] + pickle.dumps(opener, protocol=2)]  # after the object (no key list)
    head = pickle.dumps(MAGIC, protocol=2) + pickle.dumps(1001, protocol=2)
    crafted.append(head + pickle.dumps(SYS_INFO, protocol=2) + pickle.dumps(_Payload(exec, 'x=1'), protocol=4))
    crafted.append(head + pickle.dumps(SYS_INFO, protocol=2)
                   + b'\x80\x02cbuiltins\n__import__\nX\x02\x00\x00\x00os\x85R.')
    for i, data in enumerate(crafted):
        with pytest.raises((UnpicklingError, RuntimeError)) as e:
            load(write(tmp_path, data, f'c{i}.pth'))
        assert 'Unsupported global' in str(e.value) or 'refers to the global' in str(e.value) or 'not a valid checkpoint' in str(e.value), i
    assert not marker.exists()
    model = torch.nn.Linear(2, 2)                                      # a whole module: refused, named
    with pytest.raises(UnpicklingError, match='torch.nn.modules.linear.Linear'):
        load(write(tmp_path, legacy(model), 'model.pth'))


def test_truncated_and_damaged_files(tmp_path):
    data = legacy({'w': torch.arange(30.).reshape(5, 6), 'b': torch.ones(4, dtype=torch.int64)})
    for cut in sorted(set(range(2, len(data), 7)) | {len(data) - 1, len(data) - 8, 15, 16}):
        p = write(tmp_path, data[:cut], 'cut.pth')
        with pytest.raises(RuntimeError, match='is not a valid checkpoint') as e:
            load(p)
        assert str(p) in str(e.value), cut
    rng = np.random.default_rng(0)
    for _ in range(300):                                  # flipped bytes: a clear error or a load, nothing else
        bad = bytearray(data)
        bad[rng.integers(14, len(data))] ^= 1 << int(rng.integers(8))
        try:
            load(io.BytesIO(bytes(bad)))
        except (RuntimeError, UnpicklingError):         # never a NumPy/struct/pickle traceback
            pass
    root = np.arange(10, dtype='<f4').tobytes()
    obj = {'t': _T(_S('1', 10), 0, (10,), (1,))}
    cases = {'missing key list entry': (_stream(obj, [], {}), 'storage 1 has no bytes'),
             'wrong count': (_stream(obj, ['1'], {'1': root[:-4]}), 'holds 9 elements but the pickle recorded 10'),
             'duplicate key': (_stream(obj, ['1', '1'], {'1': root}), 'does not match'),
             'past the end': (_stream({'t': _T(_S('1', 10), 8, (3,), (1,))}, ['1'], {'1': root}),
                              'past the end of its storage'),
             'bad version': (pickle.dumps(MAGIC, 2) + pickle.dumps(1000, 2), 'unknown legacy format version 1000'),
             'bad view': (_stream({'t': _T(_S('1', 10, ('2', 8, 5)), 0, (1,), (1,))}, ['1'], {'1': root}),
                          'used past its recorded size')}
    for label, (content, why) in cases.items():
        with pytest.raises(RuntimeError, match='not a valid checkpoint') as e:
            load(write(tmp_path, content, 'bad.pth'))
        assert why in str(e.value), label


def test_other_pickles_still_refused(tmp_path):
    p = write(tmp_path, pickle.dumps({'a': 1}, protocol=2), 'plain.pkl')
    with pytest.raises(RuntimeError, match="is a pickle file but not a PyTorch checkpoint"):
        load(p)


# ---------------------------------------------------------------- old torchvision weight files

def test_vision_weights_in_legacy_format(tmp_path, monkeypatch):
    from ember.vision import models as M
    folder = tmp_path / 'torch' / 'hub' / 'checkpoints'
    folder.mkdir(parents=True)
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch'))
    monkeypatch.delenv('EMBER_HOME', raising=False)
    src = M.mobilenet_v2()
    state = collections.OrderedDict((k, torch.from_numpy(np.array(v.detach().numpy())))
                                    for k, v in src.state_dict().items())
    torch.save(state, folder / 'mobilenet_v2-b0353104.pth', _use_new_zipfile_serialization=False)
    model = M.mobilenet_v2(weights=M.MobileNet_V2_Weights.IMAGENET1K_V1)
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state[k].numpy())
