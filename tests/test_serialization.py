"""ember.save / ember.load (ember's zip format, PyTorch .pt/.pth files) and safetensors."""
import collections
import io
import json
import math
import os
import pickle
import struct
import threading
import zipfile

import ml_dtypes
import numpy as np
import pytest
import torch

import ember
from ember import serialization
from ember.serialization import save, load, UnpicklingError
from ember._serialization import ember_format
from ember.utils import safetensors as st

ALL_DTYPES = [ember.bool, ember.uint8, ember.int8, ember.int16, ember.int32, ember.int64,
              ember.float16, ember.bfloat16, ember.float32, ember.float64]
TORCH_DTYPES = {d: getattr(torch, d.name) for d in ALL_DTYPES}


def sample(d, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape) * 50
    if d is ember.bool:
        a = a > 0
    return ember.from_numpy(np.asarray(a).astype(d.np))


def values(t):
    """A tensor's (ember's or torch's) values as float64 NumPy, and its metadata."""
    if isinstance(t, torch.Tensor):
        return t.detach().double().numpy(), tuple(t.shape), t.stride(), str(t.dtype)[6:]
    return np.asarray(t.detach()._host(), dtype=np.float64), tuple(t.shape), t.stride(), t.dtype.name


def same(a, b):
    va, vb = values(a), values(b)
    np.testing.assert_array_equal(va[0], vb[0])
    assert va[1:] == vb[1:]
    assert a.requires_grad == b.requires_grad


def roundtrip(obj, **kw):
    buf = io.BytesIO()
    save(obj, buf)
    buf.seek(0)
    return load(buf, **kw)


def _root(arr):
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def shares_memory(a, b):
    """Whether two tensors are views of one storage (the same base array; on a GPU, the same
    allocation)."""
    if a.is_cuda or b.is_cuda:
        return a.device == b.device and a._data.data.mem.ptr == b._data.data.mem.ptr
    return _root(a._data) is _root(b._data)


# ---------------------------------------------------------------- ember's format: values

@pytest.mark.parametrize('d', ALL_DTYPES, ids=lambda d: d.name)
def test_every_dtype_and_layout(d):
    x = sample(d, (4, 6))
    cases = [x, x.t(), x[:, ::2], x[1:3, 1:], x[2], x[0, 0], sample(d, ()), ember.empty(0, 3, dtype=d),
             x.unsqueeze(0).expand(2, 4, 6)]
    out = roundtrip(cases)
    for a, b in zip(cases, out):
        same(a, b)
        assert type(b) is ember.Tensor and b.is_leaf
    assert out[1].stride() == (1, 6) and out[3].storage_offset() - out[0].storage_offset() == 7
    assert out[8].stride() == (0, 6, 1)


def test_requires_grad_and_parameters():
    w = ember.nn.Parameter(ember.randn(3, 2))
    frozen = ember.nn.Parameter(ember.randn(2), requires_grad=False)
    leaf = ember.randn(2, requires_grad=True)
    nonleaf = leaf * 2
    out = roundtrip({'w': w, 'frozen': frozen, 'leaf': leaf, 'nonleaf': nonleaf, 'plain': ember.ones(2)})
    assert isinstance(out['w'], ember.nn.Parameter) and out['w'].requires_grad
    assert isinstance(out['frozen'], ember.nn.Parameter) and not out['frozen'].requires_grad
    assert out['leaf'].requires_grad and out['leaf'].is_leaf and out['leaf'].grad_fn is None
    assert out['nonleaf'].requires_grad and out['nonleaf'].is_leaf    # as PyTorch: saved as a leaf
    assert not out['plain'].requires_grad
    same(out['w'], w)


def test_structures():
    Point = collections.namedtuple('Point', ['x', 'y'])
    od = collections.OrderedDict([('b', 1), ('a', 2)])
    od._metadata = {'': {'version': 1}}
    obj = {
        'none': None, 'bools': [True, False], 'int': 2 ** 70, 'neg': -3, 'float': 1.5,
        'specials': [math.inf, -math.inf], 'str': 'héllo \udc80', 'bytes': b'\x00\xff',
        'bytearray': bytearray(b'ab'), 'complex': 1 - 2.5j, 'tuple': (1, (2, 3), []), 'empty': {},
        'set': {1, 'a'}, 'frozenset': frozenset([(1, 2)]), 'counter': collections.Counter('aab'),
        'od': od, 7: 'int key', (1, 2): 'tuple key', 'point': Point(1, ember.ones(1)),
        'size': ember.Size([2, 3]), 'dtypes': list(ALL_DTYPES), 'device': ember.device('cpu'),
        'cuda_device': ember.device('cuda', 1), 'np': np.arange(6, dtype=np.int16).reshape(2, 3),
        'np_scalars': [np.float32(1.5), np.int64(-2), np.bool_(True), np.complex128(1j)],
        'np_complex': np.array([1 + 2j, 3j]), 'nan': math.nan,
        'max': ember.tensor([3., 1.]).max(0),
    }
    out = roundtrip(obj, weights_only=False)
    assert math.isnan(out.pop('nan')) and math.isnan(obj.pop('nan'))
    for k in ('none', 'bools', 'int', 'neg', 'float', 'specials', 'str', 'bytes', 'bytearray', 'complex',
              'tuple', 'empty', 'set', 'frozenset', 'counter', 'od', 7, (1, 2), 'size', 'dtypes', 'device',
              'cuda_device'):
        assert out[k] == obj[k] and type(out[k]) is type(obj[k]), k
    assert list(out) == list(obj)
    assert list(out['od']) == ['b', 'a'] and out['od']._metadata == {'': {'version': 1}}
    assert out['dtypes'][0] is ember.bool and type(out['size']) is ember.Size
    assert type(out['point']).__name__ == 'Point' and out['point']._fields == ('x', 'y')
    assert out['point'].x == 1 and out['point'].y.tolist() == [1.]
    assert type(out['max']) is type(obj['max']) and out['max'].indices.tolist() == 0
    assert type(out['np']) is np.ndarray and out['np'].dtype == np.int16
    np.testing.assert_array_equal(out['np'], obj['np'])
    np.testing.assert_array_equal(out['np_complex'], obj['np_complex'])
    for a, b in zip(out['np_scalars'], obj['np_scalars']):
        assert type(a) is type(b) and a == b


def test_views_share_memory_after_load():
    base = ember.arange(24.).reshape(4, 6)
    views = [base, base.t(), base[1:, ::2], base[2], base.unsqueeze(0).expand(3, 4, 6), base.view(24)]
    other = ember.ones(3)
    out = roundtrip({'views': views, 'other': other, 'again': base})
    v = out['views']
    assert out['again'] is v[0]                  # the same tensor object saved twice is one object
    for t in v[1:]:
        assert shares_memory(t, v[0])
    assert not shares_memory(out['other'], v[0])
    v[0][2, 2] = -1.
    assert v[1][2, 2].item() == -1. and v[2][1, 1].item() == -1. and v[3][2].item() == -1.
    assert v[4][2, 2, 2].item() == -1. and v[5][14].item() == -1.
    for a, b in zip(views, v):
        assert a.stride() == b.stride()
        assert a.storage_offset() - views[0].storage_offset() == b.storage_offset() - v[0].storage_offset()


def test_only_the_used_bytes_of_a_base_are_written():
    big = ember.zeros(100_000)
    buf = io.BytesIO()
    save([big[10:20], big[50:55]], buf)
    assert len(buf.getvalue()) < 4000
    buf.seek(0)
    a, b = load(buf)
    assert shares_memory(a, b) and a.tolist() == [0.] * 10 and b.shape == (5,)


def test_views_with_different_dtypes_of_one_base():
    raw = ember.from_numpy(np.arange(16, dtype=np.uint8))
    f = ember.from_numpy(raw._data.view(np.float32))
    h = ember.from_numpy(raw._data[2:10].view(np.int16))
    odd = ember.from_numpy(raw._data[1:9].view(np.int32))      # misaligned: saved as its own copy
    a, b, c, d = roundtrip([raw, f, h, odd])
    np.testing.assert_array_equal(b._data.view(np.uint8), raw._data)
    np.testing.assert_array_equal(c._data, h._data)
    np.testing.assert_array_equal(d._data, odd._data)
    assert shares_memory(a, b) and shares_memory(a, c)


def test_unsupported_objects_and_cycles():
    with pytest.raises(TypeError, match='cannot pickle'):        # as torch.save: what pickle refuses
        roundtrip({'x': threading.Lock()})
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match='contains itself'):
        roundtrip(loop)


def test_no_pickle_and_deterministic(tmp_path):
    obj = {'w': ember.randn(3, 3), 'n': 1}
    save(obj, tmp_path / 'a.pt')
    save(obj, tmp_path / 'b.pt')
    data = (tmp_path / 'a.pt').read_bytes()
    assert data == (tmp_path / 'b.pt').read_bytes()
    with zipfile.ZipFile(tmp_path / 'a.pt') as z:
        names = z.namelist()
        doc = json.loads(z.read('archive/data.json'))
        assert not any(n.endswith('.pkl') for n in names)
        assert z.read('archive/byteorder') == b'little'
        info = z.getinfo('archive/data/0')
        assert info.compress_type == zipfile.ZIP_STORED
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        assert start % 64 == 0                         # storages are aligned for mmap
    t = doc['tensors'][0]
    assert (t['dtype'], t['shape'], t['stride'], t['offset'], t['requires_grad']) == \
        ('float32', [3, 3], [3, 1], 0, False)
    assert doc['storages'][0] == {'key': '0', 'nbytes': 36, 'location': str(obj['w'].device)}
    raw = np.frombuffer(data[start:start + 36], '<f4').reshape(3, 3)
    np.testing.assert_array_equal(raw, obj['w'].numpy(force=True))


# ---------------------------------------------------------------- files, atomicity, errors

def test_paths_and_file_objects(tmp_path):
    x = {'a': ember.arange(5)}
    for f in (str(tmp_path / 's.pt'), tmp_path / 'p.pt', os.fsencode(tmp_path / 'b.pt')):
        save(x, f)
        assert load(f)['a'].tolist() == list(range(5))
    with open(tmp_path / 'fo.pt', 'wb') as fh:
        fh.write(b'prefix')
        save(x, fh)
    with open(tmp_path / 'fo.pt', 'rb') as fh:
        fh.read(6)
        assert load(fh)['a'].tolist() == list(range(5))

    class Stream:                                  # write-only, not seekable
        def __init__(self):
            self.parts = []

        def write(self, b):
            self.parts.append(bytes(b))
            return len(b)

        def flush(self):
            pass
    s = Stream()
    save(x, s)

    class ReadStream(io.RawIOBase):
        def __init__(self, data):
            self.src = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.src.readinto(b)
    assert load(ReadStream(b''.join(s.parts)))['a'].tolist() == list(range(5))


def test_atomic_write_keeps_old_file(tmp_path, monkeypatch):
    path = tmp_path / 'ckpt.pt'
    save({'v': ember.ones(3)}, path)
    os.chmod(path, 0o640)
    before = path.read_bytes()
    real = ember_format._write_storage

    def crash(zf, key, raw):
        real(zf, key, raw[:len(raw) // 2])        # half of the data reaches the disk, then a crash
        raise KeyboardInterrupt('power cut')
    monkeypatch.setattr(ember_format, '_write_storage', crash)
    with pytest.raises(KeyboardInterrupt):
        save({'v': ember.zeros(1000)}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ['ckpt.pt']
    assert load(path)['v'].tolist() == [1., 1., 1.]
    with pytest.raises(TypeError):
        save({'v': threading.Lock()}, path)        # refused before the file is touched
    assert path.read_bytes() == before
    monkeypatch.undo()
    save({'v': ember.zeros(2)}, path)
    assert load(path)['v'].tolist() == [0., 0.] and os.listdir(tmp_path) == ['ckpt.pt']
    assert os.stat(path).st_mode & 0o777 == 0o640   # the replaced file's permissions are kept


def test_save_errors_match_torch(tmp_path):
    for fn in (lambda m: m.save(1, str(tmp_path / 'missing' / 'x.pt')),):
        with pytest.raises(RuntimeError) as te:
            fn(torch)
        with pytest.raises(RuntimeError) as ee:
            fn(serialization)
        assert str(ee.value) == str(te.value)
    with pytest.raises(RuntimeError, match='open file failed with strerror: Is a directory'):
        save(1, tmp_path)


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        load(str(tmp_path / 'nope.pt'))
    with pytest.raises(FileNotFoundError) as t:
        torch.load(str(tmp_path / 'nope.pt'))
    assert str(e.value) == str(t.value)
    good = tmp_path / 'good.pt'
    save({'w': ember.arange(100.)}, good)
    data = good.read_bytes()
    cases = {'truncated': data[:len(data) // 2], 'garbage': b'this is not a checkpoint',
             'tail_cut': data[:-10]}
    (tmp_path / 'empty.pt').write_bytes(b'')
    with pytest.raises(EOFError):                          # as torch.load
        load(tmp_path / 'empty.pt')
    flipped = bytearray(data)
    with zipfile.ZipFile(good) as z:
        info = z.getinfo('archive/data/0')
        flipped[info.header_offset + 30 + len(info.filename) + len(info.extra) + 5] ^= 0xFF
    cases['bad_crc'] = bytes(flipped)
    for label, content in cases.items():
        p = tmp_path / f'{label}.pt'
        p.write_bytes(content)
        with pytest.raises(RuntimeError, match='is not a valid checkpoint') as e:
            load(p)
        assert str(p) in str(e.value), label
    legacy = tmp_path / 'legacy.pt'
    torch.save({'a': torch.ones(2)}, legacy, _use_new_zipfile_serialization=False)
    assert load(legacy)['a'].tolist() == [1., 1.]          # the legacy format is read (safely)
    with pytest.raises(ValueError, match='f must be a file path in order to use the mmap argument'):
        load(io.BytesIO(data), mmap=True)


def test_mmap_and_map_location(tmp_path):
    path = tmp_path / 'm.pt'
    x = ember.arange(12.).reshape(3, 4)
    save({'x': x, 't': x.t()}, path)
    before = path.read_bytes()
    out = load(path, mmap=True)
    same(out['x'], x)
    assert shares_memory(out['x'], out['t'])
    out['x'][0, 0] = 42.                           # copy-on-write: the file does not change
    assert out['t'][0, 0].item() == 42. and path.read_bytes() == before
    seen = []
    for loc in ('cpu', ember.device('cpu'), {'cpu': 'cpu'}, lambda s, l: seen.append(l) or s,
                lambda s, l: None, lambda s, l: s.cpu()):
        same(load(path, map_location=loc)['x'], x)
    assert seen == [str(x.device)]


@pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (a GPU or EMBER_FAKE_CUDA=1)')
def test_cuda_tensors_and_map_location(tmp_path):
    """CUDA tensors come back on their GPU, views still sharing memory; map_location moves them."""
    path, cpu_path = tmp_path / 'g.pt', tmp_path / 'c.pt'
    x = ember.arange(12., device='cuda').reshape(3, 4)
    save({'x': x, 't': x.t(), 'row': x[1], 'cpu': ember.ones(2, device='cpu')}, path)
    out = load(path)
    assert out['x'].device == x.device and out['cpu'].is_cpu
    for k in ('t', 'row'):
        assert out[k].is_cuda and shares_memory(out[k], out['x'])
    out['x'][1, 2] = -1.
    assert out['t'][2, 1].item() == -1. and out['row'][2].item() == -1.
    for loc in ('cpu', ember.device('cpu'), {'cuda:0': 'cpu'}, lambda s, l: s.cpu()):
        moved = load(path, map_location=loc)
        assert moved['x'].is_cpu and moved['t'].is_cpu and shares_memory(moved['x'], moved['t'])
        same(moved['x'], x)
    save({'y': ember.ones(2, 3, device='cpu')}, cpu_path)
    for loc in ('cuda', 'cuda:0', ember.device('cuda', 0), {'cpu': 'cuda:0'}, lambda s, l: s.cuda()):
        y = load(cpu_path, map_location=loc)['y']
        assert y.device == ember.device('cuda', 0) and y.tolist() == [[1.] * 3] * 2


@pytest.mark.skipif(ember._backend.cuda_unavailable_reason() is None, reason='a GPU is present')
def test_cuda_map_location_without_gpu(tmp_path):
    tp, ep = tmp_path / 't.pt', tmp_path / 'e.pt'
    torch.save(torch.ones(2), tp)
    save(ember.ones(2), ep)
    with pytest.raises(RuntimeError) as te:
        torch.load(tp, map_location='cuda')
    expected = str(te.value).replace('torch.', 'ember.')
    for p in (tp, ep):
        for loc in ('cuda', ember.device('cuda', 0), {'cpu': 'cuda:0'}):
            with pytest.raises(RuntimeError) as ee:
                load(p, map_location=loc)
            assert str(ee.value) == expected
    gpu_saved = tmp_path / 'g.pt'                   # a storage saved on a GPU: like torch, refuse
    with zipfile.ZipFile(ep) as src, zipfile.ZipFile(gpu_saved, 'w') as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith('data.json'):
                data = data.replace(b'"location":"cpu"', b'"location":"cuda:0"')
            dst.writestr(info, data)
    with pytest.raises(RuntimeError, match='Attempting to deserialize object on a CUDA device'):
        load(gpu_saved)
    assert load(gpu_saved, map_location='cpu').tolist() == [1., 1.]
    with pytest.raises(RuntimeError, match="don't know how to restore data location"):
        load(ep, map_location='mps')


# ---------------------------------------------------------------- PyTorch checkpoints

def _nets():
    def build(T):
        return T.nn.Sequential(T.nn.Conv2d(3, 4, 3, padding=1), T.nn.BatchNorm2d(4), T.nn.ReLU(),
                               T.nn.Flatten(), T.nn.Linear(4 * 5 * 5, 6))
    torch.manual_seed(0)
    return build(torch), build(ember)


def test_torch_state_dict_loads_into_ember_model(tmp_path):
    tnet, enet = _nets()
    x = np.random.default_rng(1).standard_normal((2, 3, 5, 5)).astype(np.float32)
    tnet(torch.from_numpy(x) * 3 + 1)                # give BatchNorm running statistics
    tnet.eval()
    path = tmp_path / 'model.pth'
    torch.save(tnet.state_dict(), path)
    sd = load(path)
    assert type(sd) is collections.OrderedDict and list(sd) == list(tnet.state_dict())
    assert sd._metadata == tnet.state_dict()._metadata
    for k, v in tnet.state_dict().items():
        same(sd[k], v)
    mapped = load(path, mmap=True, map_location='cpu')
    for k, v in tnet.state_dict().items():
        same(mapped[k], v)
    enet.load_state_dict(sd)
    enet.eval()
    with torch.no_grad():
        expected = tnet(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(enet(ember.tensor(x)).detach().cpu().numpy(), expected, rtol=1e-5, atol=1e-5)
    resaved = tmp_path / 'ember.pt'                  # and through ember's own format
    save(enet.state_dict(), resaved)
    enet2 = _nets()[1]
    enet2.load_state_dict(load(resaved))
    enet2.eval()
    np.testing.assert_allclose(enet2(ember.tensor(x)).detach().cpu().numpy(), expected, rtol=1e-5, atol=1e-5)


def test_torch_tensors_views_dtypes_and_values(tmp_path):
    x = torch.arange(24.).reshape(4, 6)

    tagged = torch.ones(2)
    tagged.note = 'kept by torch, ignored by ember'
    obj = {
        'views': [x, x.t(), x[1:, ::2], x[2], x.unsqueeze(0).expand(3, 4, 6)],
        'dtypes': [torch.from_numpy(sample(d, (2, 3), seed=i)._data.astype(np.float32)).to(TORCH_DTYPES[d])
                   for i, d in enumerate(ALL_DTYPES)],
        'noncontig': [torch.randn(3, 4, dtype=torch.bfloat16).t(), torch.arange(10)[::3]],
        'zero': torch.tensor(3), 'empty': torch.empty(0, 3),
        'param': torch.nn.Parameter(torch.ones(2)), 'frozen': torch.nn.Parameter(torch.ones(2), False),
        'rg': torch.ones(2, requires_grad=True), 'tagged': tagged,
        'size': torch.Size([2, 3]), 'dtype': torch.bfloat16, 'dev': torch.device('cpu'),
        'bytes': b'\x00\xff', 'ba': bytearray(b'z'), 'set': {1, 2}, 'fs': frozenset('a'), 'c': 1 + 2j,
        'counter': collections.Counter('aab'), 'nested': (1, [2.5, None, 'x'], {3: True}),
        'np': np.float64(2.5), 'np_int': np.int32(-4), 'dtype_key': {torch.float16: 1},
        'storage': torch.tensor([1, -2], dtype=torch.int16).untyped_storage(),
    }
    path = tmp_path / 'mix.pt'
    torch.save(obj, path)
    out = load(path, weights_only=False)
    v = out['views']
    for a, b in zip(obj['views'], v):
        same(b, a)
        assert b.storage_offset() == a.storage_offset()
        assert shares_memory(b, v[0])
    v[0][2, 2] = -5.
    assert v[1][2, 2].item() == -5. and v[2][1, 1].item() == -5. and v[4][1, 2, 2].item() == -5.
    for a, b in zip(obj['dtypes'] + obj['noncontig'], out['dtypes'] + out['noncontig']):
        same(b, a)
    same(out['zero'], obj['zero'])
    same(out['empty'], obj['empty'])
    assert isinstance(out['param'], ember.nn.Parameter) and out['param'].requires_grad
    assert isinstance(out['frozen'], ember.nn.Parameter) and not out['frozen'].requires_grad
    assert out['rg'].requires_grad and type(out['rg']) is ember.Tensor and out['tagged'].tolist() == [1., 1.]
    assert out['size'] == ember.Size([2, 3]) and type(out['size']) is ember.Size
    assert out['dtype'] is ember.bfloat16 and out['dev'] == ember.device('cpu')
    assert out['dtype_key'] == {ember.float16: 1}
    assert out['storage'].tolist() == [1, 0, 254, 255] and out['storage'].dtype is ember.uint8   # raw bytes
    for k in ('bytes', 'ba', 'set', 'fs', 'c', 'counter', 'nested', 'np', 'np_int'):
        assert out[k] == obj[k] and type(out[k]) is type(obj[k]), k


def test_torch_optimizer_state(tmp_path):
    tnet, enet = _nets()
    # what torch.optim.SGD(momentum=0.9).state_dict() holds after a step (built by hand: constructing
    # a torch optimizer costs a second of lazy imports)
    bufs = {i: {'momentum_buffer': torch.randn_like(p)} for i, p in enumerate(tnet.parameters())}
    group = {'lr': 0.1, 'momentum': 0.9, 'dampening': 0, 'weight_decay': 0, 'nesterov': False,
             'maximize': False, 'foreach': None, 'differentiable': False, 'fused': None,
             'params': list(range(6))}
    torch.save({'model': tnet.state_dict(), 'optim': {'state': bufs, 'param_groups': [group]}, 'epoch': 3},
               tmp_path / 'ck.pt')
    ck = load(tmp_path / 'ck.pt')
    assert ck['epoch'] == 3 and sorted(ck['optim']['state']) == list(range(6))
    assert ck['optim']['param_groups'] == [group]
    same(ck['optim']['state'][0]['momentum_buffer'], bufs[0]['momentum_buffer'])
    enet.load_state_dict(ck['model'])
    eopt = ember.optim.SGD(enet.parameters(), lr=0.5, momentum=0.9)
    eopt.load_state_dict(ck['optim'])
    assert eopt.param_groups[0]['lr'] == 0.1
    same(eopt.state[next(enet.parameters())]['momentum_buffer'], bufs[0]['momentum_buffer'])


def test_torch_big_endian_file(tmp_path):
    src, dst = tmp_path / 'le.pt', tmp_path / 'be.pt'
    x = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    torch.save({'x': x, 'xt': x.t(), 'b': torch.tensor([1, -2], dtype=torch.int16)}, src)
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w') as zout:
        for info in zin.infolist():
            data = zin.read(info)
            name = info.filename
            if name.endswith('byteorder'):
                data = b'big'
            elif '/data/' in name:
                data = np.frombuffer(data, '<f4' if len(data) == 24 else '<i2').byteswap().tobytes()
            zout.writestr(info, data)
    out = load(dst)
    assert out['x'].tolist() == x.tolist() and out['xt'].tolist() == x.t().tolist()
    assert out['b'].tolist() == [1, -2] and shares_memory(out['x'], out['xt'])


def _torch_like_zip(path, pkl, storages=()):
    with zipfile.ZipFile(path, 'w') as z:
        z.writestr('archive/data.pkl', pkl)
        z.writestr('archive/byteorder', 'little')
        for key, data in storages:
            z.writestr(f'archive/data/{key}', data)


class _Payload:
    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def test_malicious_pickles_run_nothing(tmp_path):
    marker = tmp_path / 'pwned'
    evil = tmp_path / 'evil.pt'
    torch.save({'weights': torch.ones(2), 'x': _Payload(os.system, f'touch {marker}')}, evil)
    for kw in ({}, {'weights_only': False}, {'pickle_module': pickle}):
        with pytest.raises(UnpicklingError, match=rf'(?s)(Weights only load failed|ember cannot load this checkpoint).*{os.system.__module__}\.system'):
            load(evil, **kw)
    crafted = [
        pickle.dumps(_Payload(eval, f"open({str(marker)!r}, 'w')"), protocol=4),     # STACK_GLOBAL
        pickle.dumps(_Payload(exec, f"open({str(marker)!r}, 'w')"), protocol=0),     # text GLOBAL
        pickle.dumps({'a': _Payload(os.popen, f'touch {marker}')}, protocol=2),
        pickle.dumps(collections.defaultdict(list), protocol=2),
        b'\x80\x02cbuiltins\n__import__\nX\x02\x00\x00\x00os\x85R.',
    ]
    for i, pkl in enumerate(crafted):
        p = tmp_path / f'crafted{i}.pt'
        _torch_like_zip(p, pkl)
        with pytest.raises(UnpicklingError) as e:
            load(p)
        assert 'Unsupported global' in str(e.value)
    assert issubclass(UnpicklingError, pickle.UnpicklingError)
    assert not marker.exists()
    # allowed objects cannot be rewired by BUILD: setting ember.float32.name is refused
    p = tmp_path / 'build.pt'
    _torch_like_zip(p, b'\x80\x02ctorch\nfloat32\nN}X\x04\x00\x00\x00nameX\x01\x00\x00\x00xs\x86b.')
    with pytest.raises((RuntimeError, pickle.UnpicklingError)):
        load(p)
    assert ember.float32.name == 'float32' and repr(ember.float32) == 'ember.float32'


def test_damaged_torch_files(tmp_path):
    p = tmp_path / 'missing_storage.pt'
    pkl = (b'\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n'
           b'X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQK\x00K\x04\x85K\x01\x85\x89NtR.')
    _torch_like_zip(p, pkl)
    with pytest.raises(RuntimeError, match='not a valid checkpoint.*data/0 is missing'):
        load(p)
    _torch_like_zip(p, pkl, [('0', np.arange(4, dtype='<f4').tobytes())])
    assert load(p).tolist() == [0., 1., 2., 3.]
    _torch_like_zip(p, pkl, [('0', b'\x00' * 8)])          # shorter than the recorded numel
    with pytest.raises(RuntimeError, match='shorter than recorded'):
        load(p)
    _torch_like_zip(p, pkl.replace(b'K\x04\x85K\x01', b'K\x04\x85K\x03'), [('0', b'\x00' * 16)])
    with pytest.raises(RuntimeError, match='past the end of its storage'):
        load(p)
    _torch_like_zip(p, pkl[:40])
    with pytest.raises(RuntimeError, match='data.pkl is damaged'):
        load(p)
    _torch_like_zip(p, pkl.replace(b'FloatStorage', b'ComplexHalfStorage'))
    with pytest.raises(UnpicklingError, match='torch.ComplexHalfStorage.*ember has no dtype for it'):
        load(p)
    with zipfile.ZipFile(p, 'a') as z:
        z.writestr('archive/constants.pkl', pickle.dumps(()))
    with pytest.raises(RuntimeError, match='is a TorchScript archive'):
        load(p)


# ---------------------------------------------------------------- safetensors

def _st_bytes(header, data):
    text = json.dumps(header).encode()
    return struct.pack('<Q', len(text)) + text + data


def test_safetensors_reads_hand_built_bytes(tmp_path):
    a = np.array([[1.5, -2.0, 3.25]], '<f4')
    b = np.array([1, -7], '<i8')
    c = ml_dtypes.bfloat16(0.5)
    data = a.tobytes() + b.tobytes() + np.array(c).tobytes() + bytes([1, 0, 1])
    header = {'__metadata__': {'format': 'pt'}, 'a': {'dtype': 'F32', 'shape': [1, 3], 'data_offsets': [0, 12]},
              'b': {'dtype': 'I64', 'shape': [2], 'data_offsets': [12, 28]},
              'c': {'dtype': 'BF16', 'shape': [], 'data_offsets': [28, 30]},
              'd': {'dtype': 'BOOL', 'shape': [3], 'data_offsets': [30, 33]},
              'e': {'dtype': 'U8', 'shape': [0, 2], 'data_offsets': [33, 33]}}
    blob = _st_bytes(header, data)
    out = st.load(blob)
    assert list(out) == ['a', 'b', 'c', 'd', 'e']
    assert out['a'].tolist() == a.tolist() and out['a'].dtype is ember.float32
    assert out['b'].tolist() == [1, -7] and out['b'].dtype is ember.int64
    assert out['c'].item() == 0.5 and out['c'].dtype is ember.bfloat16 and out['c'].shape == ()
    assert out['d'].tolist() == [True, False, True] and out['e'].shape == (0, 2)
    path = tmp_path / 'hand.safetensors'
    path.write_bytes(blob)
    with st.safe_open(path, framework='pt') as f:
        assert f.metadata() == {'format': 'pt'} and f.keys() == ['a', 'b', 'c', 'd', 'e']
        assert f.get_tensor('b').tolist() == [1, -7]
    assert st.load_file(path)['a'].tolist() == a.tolist()


def test_safetensors_writes_the_spec():
    tensors = {'w': ember.tensor([[1., 2.]]), 'b': ember.tensor([3], dtype=ember.int16),
               'd': ember.tensor(2.5, dtype=ember.float64), 'm': ember.tensor([True, False])}
    blob = st.save(tensors, metadata={'epoch': '3'})
    n = struct.unpack('<Q', blob[:8])[0]
    assert n % 8 == 0 and blob[8:9] == b'{'
    header = json.loads(blob[8:8 + n])
    assert header.pop('__metadata__') == {'epoch': '3'}
    assert list(header) == ['d', 'w', 'b', 'm']                 # widest dtype first, then by name
    assert header['w'] == {'dtype': 'F32', 'shape': [1, 2], 'data_offsets': [8, 16]}
    assert header['d'] == {'dtype': 'F64', 'shape': [], 'data_offsets': [0, 8]}
    assert header['b'] == {'dtype': 'I16', 'shape': [1], 'data_offsets': [16, 18]}
    assert header['m'] == {'dtype': 'BOOL', 'shape': [2], 'data_offsets': [18, 20]}
    body = blob[8 + n:]
    assert body == struct.pack('<d2fh', 2.5, 1., 2., 3) + b'\x01\x00'


@pytest.mark.parametrize('d', ALL_DTYPES, ids=lambda d: d.name)
def test_safetensors_file_roundtrip(tmp_path, d):
    tensors = {'x': sample(d, (3, 4)), 'zero': sample(d, ()), 'empty': ember.empty(0, 2, dtype=d),
               'contig_slice': sample(d, (5, 2))[1:3]}
    st.save_file(tensors, tmp_path / 'm.safetensors')
    out = st.load_file(tmp_path / 'm.safetensors')
    assert sorted(out) == sorted(tensors)
    for k in tensors:
        same(out[k], tensors[k])
    assert st.load(st.save(tensors))['x'].tolist() == tensors['x'].tolist()


def test_safetensors_errors(tmp_path):
    x = ember.arange(6.).reshape(2, 3)
    with pytest.raises(RuntimeError, match='Some tensors share memory'):
        st.save({'a': x, 'b': x[0]})
    with pytest.raises(ValueError, match='non contiguous tensor: `t`'):
        st.save({'t': x.t()})
    with pytest.raises(ValueError, match='Expected a dict'):
        st.save([x])
    with pytest.raises(ValueError, match='Key `a` is invalid'):
        st.save({'a': 1})
    good = {'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]}}
    bad = {
        'InvalidHeaderStart': b'\x02\x00\x00\x00\x00\x00\x00\x00[]',
        'HeaderTooLarge': struct.pack('<Q', 10 ** 9) + b'{}',
        'HeaderTooSmall': b'\x01',
        'MetadataIncompleteBuffer': _st_bytes(good, b'\x00' * 4),
        'InvalidOffset': _st_bytes({'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [4, 12]}}, b'\x00' * 12),
        'TensorInvalidInfo': _st_bytes({'a': {'dtype': 'F32', 'shape': [3], 'data_offsets': [0, 8]}}, b'\x00' * 8),
        'InvalidHeaderDeserialization': b'\x03\x00\x00\x00\x00\x00\x00\x00{x}',
    }
    for what, blob in bad.items():
        with pytest.raises(st.SafetensorError, match=what):
            st.load(blob)
    with pytest.raises(st.SafetensorError, match='C128'):
        st.load(_st_bytes({'a': {'dtype': 'C128', 'shape': [1], 'data_offsets': [0, 8]}}, b'\x00' * 8))
    assert st.load(_st_bytes(good, b'\x00' * 8))['a'].tolist() == [0., 0.]
    with pytest.raises(RuntimeError, match='is a safetensors file'):
        load(io.BytesIO(st.save({'a': x})))


def test_safetensors_against_the_package(tmp_path):
    sp = pytest.importorskip('safetensors.torch')
    tensors = {d.name: sample(d, (2, 3)) for d in ALL_DTYPES}
    st.save_file(tensors, tmp_path / 'e.safetensors', metadata={'k': 'v'})
    theirs = sp.load_file(tmp_path / 'e.safetensors')
    for k, v in tensors.items():
        same(v, theirs[k])
    sp.save_file(theirs, tmp_path / 't.safetensors')
    for k, v in st.load_file(tmp_path / 't.safetensors').items():
        same(v, tensors[k])
